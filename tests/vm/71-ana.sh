#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2317 # helpers that only run through t_check
# Asymmetric Namespace Access (ana.c, docs/configfs.md "ANA"), on one
# configfs controller:
#  1. defaults (anatt 10, anagrpid 1, "1 optimized"), bad values (EINVAL and
#     one kernel line, the value kept), a state set before enable;
#  2. what the host sees: Identify Controller (CMIC bit 3, ANATT, ANACAP,
#     ANAGRPMAX, NANAGRPID, MNAN, OAES bit 11), Identify Namespace ANAGRPID,
#     log 0Ch in full, with RGO and at an offset, nvme ana-log, the path's
#     sysfs ana_state; EBUSY for anatt and anagrpid while enabled;
#  3. every state at run time: the host's ana_state follows within ANATT
#     (it reads log 0Ch on the ANA change event), a read through the path
#     completes with 0x301 / 0x302 / 0x303 (DNR clear) or succeeds
#     (non-optimized), and data written before reads back once optimized;
#     what a block device read does while the only path is inaccessible;
#  4. the event waits while the host disabled it in Feature 0Bh and comes
#     once enabled again;
#  5. anagrpid moves namespaces between groups: the log lists groups 2 and
#     5 with their NSIDs in order, a state of group 5 reaches only its two
#     namespaces.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=ana
DD=/usr/bin/dd    # busybox sh runs its own applets before PATH
C=$NV/a0
LOG=$T_TMP/ana.log
ANATT=6           # the controller's ANATT, seconds: bounds the host's view
ANA_LOG_LEN=1168  # 16 + 32 descriptors of 32 bytes + 32 NSIDs of 4

get() { tr '\n' ';' 2>/dev/null <"$1"; }

einval() {  # <tag> <attr file> <value> <kernel line part>
    local before
    before=$(get "$2")
    t_kmsg_mark
    if echo "$3" >"$2" 2>/dev/null; then
        t_fail "$P/einval/$1" "writing '$3' to ${2#"$NV"/} succeeded"
    else
        t_pass "$P/einval/$1"
    fi
    t_eq "$P/einval/$1/dmesg" 1 "$(t_kmsg_since | grep -cF -- "$4")"
    t_eq "$P/einval/$1/unchanged" "$before" "$(get "$2")"
}

ebusy() {  # <tag> <attr file> <value>
    local before
    before=$(get "$2")
    t_expect_fail "$P/ebusy/$1" sh -c "echo '$3' >'$2'"
    t_eq "$P/ebusy/$1/unchanged" "$before" "$(get "$2")"
}

# The host's path to namespace <nsid> of controller $HC: its sysfs dir
host_path() {  # <nsid>
    local e
    for e in /sys/class/nvme/"$HC"/nvme*n*; do
        [ -r "$e/nsid" ] && [ "$(cat "$e/nsid")" = "$1" ] && echo "$e" && return 0
    done
    return 1
}

# Wait until the host's ana_state of <nsid> is <state>; prints the ms taken.
wait_ana_state() {  # <nsid> <state> <seconds>
    local t0 tries=$(($3 * 10)) p
    t0=$(now_ms)
    while [ "$tries" -gt 0 ]; do
        p=$(host_path "$1") && [ "$(cat "$p/ana_state" 2>/dev/null)" = "$2" ] &&
            echo $(($(now_ms) - t0)) && return 0
        usleep 100000
        tries=$((tries - 1))
    done
    echo "ana_state of nsid $1 still '$(cat "$p/ana_state" 2>/dev/null)' after $3 s"
    return 1
}

is_zero_from() {  # <file> <offset>: nothing but zero bytes from there
    tail -c +$(($2 + 1)) "$1" >"$T_TMP/ana.tail" && is_zero "$T_TMP/ana.tail"
}

getlog() {  # [nvme get-log options]: log 0Ch into $LOG
    nvme get-log "/dev/$HC" --log-id=12 --log-len="$ANA_LOG_LEN" -b "$@" >"$LOG" 2>"$T_TMP/ana.err"
}

# Group descriptor <i> (0-based) of $LOG: "grpid nnsids state nsids..."
desc() {  # <i>
    local off=16 i=0 n
    while [ $i -lt "$1" ]; do
        n=$(u32 "$LOG" $((off + 4)))
        off=$((off + 32 + n * 4))
        i=$((i + 1))
    done
    n=$(u32 "$LOG" $((off + 4)))
    printf '%s %s %s' "$(u32 "$LOG" "$off")" "$n" "$(u8 "$LOG" $((off + 16)))"
    i=0
    while [ $i -lt "$n" ]; do
        printf ' %s' "$(u32 "$LOG" $((off + 32 + i * 4)))"
        i=$((i + 1))
    done
    echo
}

# A 4 KiB read of namespace <nsid> through its path's generic char device
pt_read() {  # <ng>
    nvme_run nvme io-passthru "$1" --opcode=0x02 --namespace-id="$2" \
        --data-len=4096 --read --cdw10=0 --cdw11=0 --cdw12=7
}

set_state() {  # <tag> <grpid> <state>
    t_check "$P/$1/set" sh -c "echo '$2 $3' >$C/ana"
}

finish() {
    [ -e "$C/ana" ] && for g in 1 2 5; do echo "$g optimized" >"$C/ana"; done
    [ -n "$BG" ] && wait_for "$BG" 30
    for n in "$C"/namespaces/*; do
        [ -d "$n" ] && echo 0 >"$n/enable" 2>/dev/null
    done
    [ -d "$C" ] && echo 0 >"$C/enable" 2>/dev/null
    [ -d "$C" ] && nv_rmctrl a0
    grep -q '^nvmev ' /proc/modules && t_check $P/rmmod rmmod nvmev
    t_check $P/nothing-left nvmev_gone
    rm -f "$LOG" "$T_TMP"/ana.*
    t_dmesg_clean $P/dmesg-clean
    exit 0
}

# ================================================================ 1. configfs

t_dmesg_mark
_nvmev_memmap_defaults
t_check $P/insmod insmod "$NVMEV_KO" memmap_start="$NVMEV_MEMMAP_START" \
    memmap_size="$NVMEV_MEMMAP_SIZE" cpus="$NVMEV_CPUS" nr_ctrls=0 || exit 0
nv_configfs_mount
t_check $P/mkdir mkdir "$C" || finish
t_check $P/mkns sh -c "mkdir $C/namespaces/1 && echo nvm-zero >$C/namespaces/1/preset && echo 64M >$C/namespaces/1/size" || finish
N1=$C/namespaces/1

t_eq $P/default/anatt 10 "$(cat $C/anatt)"
t_eq $P/default/anagrpid 1 "$(cat $N1/anagrpid)"
t_eq $P/default/ana "1 optimized;" "$(get $C/ana)"

einval anagrpid-0 "$N1/anagrpid" 0 "a0/1: anagrpid=0:"
einval anagrpid-33 "$N1/anagrpid" 33 "a0/1: anagrpid=33:"
einval anagrpid-abc "$N1/anagrpid" abc "a0/1: anagrpid=abc:"
einval anatt-0 "$C/anatt" 0 "a0: anatt=0:"
einval anatt-256 "$C/anatt" 256 "a0: anatt=256:"
einval ana-group-0 "$C/ana" "0 optimized" "a0: ana=0 optimized:"
einval ana-group-33 "$C/ana" "33 optimized" "a0: ana=33 optimized:"
einval ana-state-bogus "$C/ana" "1 bogus" "a0: ana=1 bogus:"
einval ana-no-state "$C/ana" "1" "a0: ana=1:"
einval ana-Optimized "$C/ana" "1 Optimized" "a0: ana=1 Optimized:"

# a group without namespaces is listed while not optimized
set_state offline/3 3 inaccessible
t_eq $P/offline/3/shown "1 optimized;3 inaccessible;" "$(get $C/ana)"
set_state offline/3-back 3 optimized
t_eq $P/offline/3/gone "1 optimized;" "$(get $C/ana)"
t_check $P/anatt-set sh -c "echo $ANATT >$C/anatt"

# ================================================================ 2. host view

t_check $P/ns-enable sh -c "echo 1 >$N1/enable" || finish
t_kmsg_mark
t_check $P/enable sh -c "echo 1 >$C/enable" || finish
DEV=$(nv_wait_dev a0 1)
t_check $P/device test -b "$DEV" || finish
HC=""
for e in /sys/bus/pci/devices/"$(cat $C/pci)"/nvme/nvme*; do
    [ -e "$e" ] && HC=${e##*/}
done
NG=$(nv_wait_ng a0)
# the host enables the events it knows of that OAES lists (NS_ATTR, ANA)
t_eq $P/host/aen-configured "" "$(t_kmsg_since | grep -i 'Failed to configure AEN')"
t_log "controller $HC, namespace 1: $DEV, $NG; nvme_core multipath=$(cat /sys/module/nvme_core/parameters/multipath 2>/dev/null)"

ebusy anatt-live "$C/anatt" 20
ebusy anagrpid-enabled "$N1/anagrpid" 2

nvme id-ctrl "/dev/$HC" -b >"$T_TMP/ana.idc" 2>/dev/null
I=$T_TMP/ana.idc
t_eq $P/id-ctrl/cmic-ana 8 $(($(u8 "$I" 76) & 8))
t_eq $P/id-ctrl/oaes-ana 2048 $(($(u32 "$I" 92) & 2048))
t_eq $P/id-ctrl/anatt "$ANATT" "$(u8 "$I" 342)"
t_eq $P/id-ctrl/anacap 95 "$(u8 "$I" 343)"
t_eq $P/id-ctrl/anagrpmax 32 "$(u32 "$I" 344)"
t_eq $P/id-ctrl/nanagrpid 32 "$(u32 "$I" 348)"
t_eq $P/id-ctrl/mnan 32 "$(u32 "$I" 540)"
nvme id-ns "$NG" -n 1 -b >"$T_TMP/ana.idn" 2>/dev/null
t_eq $P/id-ns/anagrpid 1 "$(u32 "$T_TMP/ana.idn" 92)"

P1=$(host_path 1)
t_eq $P/host/ana_grpid 1 "$(cat "$P1/ana_grpid" 2>/dev/null)"
t_eq $P/host/ana_state optimized "$(cat "$P1/ana_state" 2>/dev/null)"

t_check $P/log/read getlog
# two changes of group 3 before enable
t_eq $P/log/chgcnt 2 "$(u64 "$LOG" 0)"
t_eq $P/log/grp-chgcnt 0 "$(u64 "$LOG" 24)"
t_eq $P/log/ngrps 1 "$(u16 "$LOG" 8)"
t_eq $P/log/desc "1 1 1 1" "$(desc 0)"
t_check $P/log/rgo getlog --lsp=1
t_eq $P/log/rgo/desc "1 0 1" "$(desc 0)"
t_check $P/log/rgo/zero-after is_zero_from "$LOG" 48
t_check $P/log/full getlog
t_check $P/log/offset sh -c "nvme get-log /dev/$HC --log-id=12 --log-len=32 --lpo=16 -b >$LOG.off"
t_eq $P/log/offset/grpid 1 "$(u32 "$LOG.off" 0)"
t_eq $P/log/offset/desc "$(hexbytes "$LOG" 16 32)" "$(hexbytes "$LOG.off" 0 32)"
nvme_run nvme get-log "/dev/$HC" --log-id=12 --log-len=4 --lpo=$ANA_LOG_LEN -b
t_eq $P/log/offset-beyond 0x4002 "$ST"
nvme ana-log "/dev/$HC" >"$T_TMP/ana.cli" 2>&1
t_log "nvme ana-log: $(tr '\n\t' '  ' <"$T_TMP/ana.cli" | tr -s ' ')"
t_check $P/ana-log/cli grep -qi "optimized" "$T_TMP/ana.cli"

# ================================================================ 3. states

head -c 1048576 /dev/urandom >"$T_TMP/ana.data"
t_check $P/data/write $DD if="$T_TMP/ana.data" of="$DEV" bs=64k oflag=direct conv=fsync
pt_read "$NG" 1
t_eq $P/initial/passthru "0x0" "$ST"

# <state> <status of a read through the path>
for pair in inaccessible:0x302 persistent-loss:0x301 change:0x303 non-optimized:0x0 optimized:0x0; do
    st=${pair%%:*}
    t_kmsg_mark
    set_state "$st" 1 "$st"
    t_eq "$P/$st/configfs" "1 $st;" "$(get $C/ana)"
    t_check "$P/$st/host-within-anatt" wait_ana_state 1 "$st" $ANATT &&
        t_log "$st: the host's ana_state followed in $(cat "$_t_output_file") ms"
    pt_read "$NG" 1
    t_eq "$P/$st/passthru" "${pair#*:}" "$ST"
    t_eq "$P/$st/no-host-error" "" "$(t_kmsg_since | grep -iE 'Failed to get ANA log|ANATT timeout|resetting')"
    if [ "$st" = inaccessible ]; then
        # The block device while the only path is inaccessible: with a
        # multipath head (CMIC bit 1) the head queues the I/O; without one
        # (this controller) nvme retries the command and fails it.
        T0=$(now_ms)
        $DD if="$DEV" of="$T_TMP/ana.bg" bs=4k count=1 iflag=direct 2>"$T_TMP/ana.bgerr" &
        BG=$!
        if [ "${P1##*/}" != "${DEV#/dev/}" ]; then
            t_expect_fail "$P/inaccessible/head-queues" wait_for "$BG" 3
            BG_MODE=queued
        else
            if wait_for "$BG" 10; then
                t_log "block read while inaccessible, no multipath head: exit $WAIT_RC after $(($(now_ms) - T0)) ms: $(head -c 120 "$T_TMP/ana.bgerr")"
                t_expect_fail "$P/inaccessible/block-read-fails" test "$WAIT_RC" -eq 0
                BG=""
            else
                t_fail "$P/inaccessible/block-read-fails" "dd still running after 10 s"
            fi
            BG_MODE=failed
        fi
    fi
    if [ "$st" = optimized ] && [ "$BG_MODE" = queued ] && [ -n "$BG" ]; then
        t_check "$P/optimized/queued-read-completes" wait_for "$BG" 15 && BG=""
        t_eq "$P/optimized/queued-read-data" "$(hexbytes "$T_TMP/ana.data" 0 4096)" "$(hexbytes "$T_TMP/ana.bg" 0 4096)"
    fi
    if [ "$st" = non-optimized ] || [ "$st" = optimized ]; then
        t_check "$P/$st/data" sh -c "$DD if=$DEV of=$T_TMP/ana.back bs=64k count=16 iflag=direct 2>/dev/null && cmp $T_TMP/ana.data $T_TMP/ana.back"
    fi
done
t_check $P/log/after-states getlog
t_eq $P/log/after-states/chgcnt 7 "$(u64 "$LOG" 0)"
t_eq $P/log/after-states/grp-chgcnt 7 "$(u64 "$LOG" 24)"
t_eq $P/log/after-states/desc "1 1 1 1" "$(desc 0)"

# ================================================================ 4. Feature 0Bh

nvme_run nvme get-feature "/dev/$HC" --feature-id=0x0b
AEC=$(sed -n 's/.*Current value:\(0x\)\{0,1\}\([0-9a-fA-F]*\).*/0x\2/p' "$T_OUT" "$T_ERR" | head -n 1)
AEC=${AEC:-0}
t_log "Asynchronous Event Configuration: $AEC"
t_eq $P/aec/ana-enabled 2048 $((AEC & 2048))
nvme_run nvme set-feature "/dev/$HC" --feature-id=0x0b --value=$((AEC & ~2048))
t_eq $P/aec/disable "0x0" "$ST"
set_state aec/inaccessible 1 inaccessible
usleep 3000000
t_eq $P/aec/no-event optimized "$(cat "$P1/ana_state")"
nvme_run nvme set-feature "/dev/$HC" --feature-id=0x0b --value=$((AEC))
t_eq $P/aec/enable "0x0" "$ST"
t_check "$P/aec/event-once-enabled" wait_ana_state 1 inaccessible $ANATT
set_state aec/optimized 1 optimized
t_check "$P/aec/optimized" wait_ana_state 1 optimized $ANATT

# ================================================================ 5. groups

t_check $P/move/disable sh -c "echo 0 >$N1/enable"
t_check $P/move/anagrpid sh -c "echo 5 >$N1/anagrpid"
t_check $P/move/enable sh -c "echo 1 >$N1/enable"
t_check $P/move/ns2 nv_mkns a0 2 16M nvm-zero anagrpid=5
t_check $P/move/ns3 nv_mkns a0 3 16M nvm-zero anagrpid=2
t_eq $P/move/configfs "2 optimized;5 optimized;" "$(get $C/ana)"
for n in 1 2 3; do
    t_check $P/move/dev$n nv_wait_dev a0 $n
done
DEV=$(nv_ns_dev a0 1)
head -c 65536 /dev/urandom >"$T_TMP/ana.data"
t_check $P/move/write $DD if="$T_TMP/ana.data" of="$DEV" bs=64k oflag=direct conv=fsync
t_check $P/move/log getlog
t_eq $P/move/log/ngrps 2 "$(u16 "$LOG" 8)"
t_eq $P/move/log/desc0 "2 1 1 3" "$(desc 0)"
t_eq $P/move/log/desc1 "5 2 1 1 2" "$(desc 1)"
t_eq $P/move/host/ana_grpid "5" "$(cat "$(host_path 1)/ana_grpid" 2>/dev/null)"
set_state move/5-inaccessible 5 inaccessible
t_check $P/move/ns1-inaccessible wait_ana_state 1 inaccessible $ANATT
t_check $P/move/ns2-inaccessible wait_ana_state 2 inaccessible $ANATT
t_eq $P/move/ns3-optimized optimized "$(cat "$(host_path 3)/ana_state")"
for n in 1 2 3; do
    d=$(nv_ns_dev a0 $n)
    pt_read "/dev/ng${d#/dev/nvme}" $n
    eval "S$n=\$ST"
done
t_eq $P/move/passthru "0x302 0x302 0x0" "$S1 $S2 $S3"
t_check $P/move/log2 getlog
t_eq $P/move/log2/desc1 "5 2 3 1 2" "$(desc 1)"
set_state move/5-optimized 5 optimized
t_check $P/move/ns1-optimized wait_ana_state 1 optimized $ANATT
t_check $P/move/data sh -c "$DD if=$DEV of=$T_TMP/ana.back bs=64k count=1 iflag=direct 2>/dev/null && cmp $T_TMP/ana.data $T_TMP/ana.back"

finish
