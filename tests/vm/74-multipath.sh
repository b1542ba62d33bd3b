#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2317 # helpers that only run through t_check
# NVM subsystems with two controllers sharing a namespace (subsys.c), seen
# by the host's native NVMe multipath (docs/multipath.md):
#  1. configfs: subsystems/<name>, controllers join it; bad joins refused;
#  2. identity: one serial, model, SUBNQN; unique CNTLIDs; CMIC multi-port
#     and multi-controller; NMIC shared; nvme list-subsys shows one
#     subsystem with two live paths and one block device;
#  3. one store: data written through one controller (controller ioctl) is
#     read back through the other;
#  3b. reservations from two controllers (two hosts): the holder writes,
#     the other is refused with Reservation Conflict; Exclusive Access,
#     preempt, clear, the report's holder;
#  4. fio verify on the multipath device while the path in use is made
#     ANA inaccessible, then non-optimized (the host's ana_state follows
#     within ANATT), disabled, brought back, reset, and the other path
#     disabled: no I/O error, the data verifies, and the per-controller
#     statistics show the I/O moving;
#  5. round-robin iopolicy spreads reads over both controllers, and over
#     the optimized one only when the other is non-optimized;
#  6. with nvme_core multipath=N: one block device per controller, both
#     reading the same data;
#  7. teardown: the pool is whole, rmmod leaves nothing.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=multipath
NV=/sys/kernel/config/nvmev
DD=/usr/bin/dd
NQN=nqn.2026-12.dev.nvmev.test:dual
FIO_COMMON="--ioengine=libaio --direct=1 --verify=crc32c --do_verify=1 --verify_fatal=1 --verify_dump=0"

_nvmev_memmap_defaults

# controller stats value <ctrl> <key>
cstat() {
    local v
    v=$(sed -n "s/^$2 //p" "$NV/$1/stats" 2>/dev/null)
    echo "${v:-0}"
}

# the nvme-subsystem directory whose subsysnqn is $NQN
subsys_dir() {
    local d
    for d in /sys/class/nvme-subsystem/nvme-subsys*; do
        [ "$(cat "$d/subsysnqn" 2>/dev/null)" = "$NQN" ] && echo "$d" && return 0
    done
    return 1
}

# live controllers of the subsystem
live_paths() {
    local d c n=0
    d=$(subsys_dir) || { echo 0; return; }
    for c in "$d"/nvme[0-9]*; do
        [ -e "$c/state" ] || continue
        [ "$(cat "$c/state")" = live ] && n=$((n + 1))
    done
    echo $n
}

wait_paths() {  # <n> [seconds]
    local tries=$((${2:-30} * 5))
    while [ $tries -gt 0 ]; do
        [ "$(live_paths)" = "$1" ] && return 0
        usleep 200000
        tries=$((tries - 1))
    done
    return 1
}

# the host's ANA state of namespace 1 on the path through <ctrl>
path_state() {  # <ctrl>
    local d e
    d=$(nv_wait_cdev "$1" 1) || return 1
    for e in /sys/class/nvme/"${d#/dev/}"/nvme*c*n1; do
        [ -r "$e/ana_state" ] && cat "$e/ana_state" && return 0
    done
    return 1
}

wait_path_state() {  # <ctrl> <state> <seconds>: prints the ms taken
    local t0 tries=$(($3 * 10))
    t0=$(now_ms)
    while [ $tries -gt 0 ]; do
        [ "$(path_state "$1")" = "$2" ] && echo $(($(now_ms) - t0)) && return 0
        usleep 100000
        tries=$((tries - 1))
    done
    echo "path $1: ana_state still '$(path_state "$1")' after $3 s"
    return 1
}

# one 4 KiB block through controller <dev> at LBA <slba> (512-byte LBAs)
io_write() {  # <dev> <slba> <file>
    nvme_run nvme io-passthru "$1" --namespace-id=1 --opcode=0x01 \
        --data-len=4096 --cdw10="$2" --cdw12=7 --write --input-file="$3"
    [ "$ST" = 0x0 ]
}
io_read() {  # <dev> <slba> <out>
    nvme io-passthru "$1" --namespace-id=1 --opcode=0x02 --data-len=4096 \
        --cdw10="$2" --cdw12=7 --read --raw-binary >"$3" 2>"$T_ERR" </dev/null
}

id_field() {  # <dev> <field>: a field of nvme id-ctrl
    nvme id-ctrl "$1" 2>/dev/null | sed -n "s/^$2 *: *//p" | head -n 1 | tr -d ' '
}

t_dmesg_mark
t_check $P/insmod insmod "$NVMEV_KO" memmap_start="$NVMEV_MEMMAP_START" \
    memmap_size="$NVMEV_MEMMAP_SIZE" nr_ctrls=0 cpus=2,3 || exit 0
nv_configfs_mount

# ================================================================ 1. configfs
t_check $P/cfs/subsystems-dir test -d $NV/subsystems
t_check $P/cfs/mkdir mkdir $NV/subsystems/dual
t_check $P/cfs/nqn sh -c "echo $NQN > $NV/subsystems/dual/nqn"
t_eq $P/cfs/nqn-read "$NQN" "$(cat $NV/subsystems/dual/nqn)"
t_check $P/cfs/serial sh -c "echo DUALPORT0001 > $NV/subsystems/dual/serial"
t_check $P/cfs/model sh -c "echo 'nvmev dual-port' > $NV/subsystems/dual/model"
mkdir $NV/a $NV/b $NV/c
t_expect_fail $P/cfs/join-missing sh -c "echo nosuch > $NV/a/subsys"
t_check $P/cfs/join-a sh -c "echo dual > $NV/a/subsys"
t_check $P/cfs/join-b sh -c "echo dual > $NV/b/subsys"
t_eq $P/cfs/subsys-read dual "$(cat $NV/a/subsys)"
t_eq $P/cfs/serial-from-subsys DUALPORT0001 "$(cat $NV/b/serial)"
t_expect_fail $P/cfs/serial-refused sh -c "echo X > $NV/a/serial"
t_eq $P/cfs/controllers-listed 2 "$(grep -c cntlid= $NV/subsystems/dual/controllers)"
t_check $P/cfs/ns nv_mkns a 1 256M optane
# a namespace of b with the NSID a's namespace has: refused
mkdir $NV/b/namespaces/1 && echo 64M >$NV/b/namespaces/1/size
t_expect_fail $P/cfs/nsid-taken sh -c "echo 1 > $NV/b/namespaces/1/enable"
rmdir $NV/b/namespaces/1
# leaving needs its namespaces disabled
t_expect_fail $P/cfs/leave-busy sh -c "echo > $NV/a/subsys"
# a controller of the subsystem on another dispatcher CPU: refused
echo 3,2 >$NV/c/cpus
echo dual >$NV/c/subsys
echo 1 >$NV/a/enable
t_expect_fail $P/cfs/other-dispatcher sh -c "echo 1 > $NV/c/enable"
t_check $P/cfs/dispatcher-line sh -c "dmesg | tail -n 5 | grep -q 'share one dispatcher'"
echo >$NV/c/subsys
rmdir $NV/c
t_check $P/cfs/enable-b sh -c "echo 1 > $NV/b/enable"

# ================================================================ 2. identity
A=$(nv_wait_cdev a) || t_fail $P/id/a "controller a did not appear"
B=$(nv_wait_cdev b) || t_fail $P/id/b "controller b did not appear"
t_check $P/id/two-paths wait_paths 2
SD=$(subsys_dir)
t_log "subsystem $SD, controllers $A $B"
t_eq $P/id/serial-a DUALPORT0001 "$(id_field "$A" sn)"
t_eq $P/id/serial-b DUALPORT0001 "$(id_field "$B" sn)"
t_eq $P/id/subnqn-b "$NQN" "$(id_field "$B" subnqn)"
CA=$(id_field "$A" cntlid)
CB=$(id_field "$B" cntlid)
t_check $P/id/cntlid-unique test "$CA" != "$CB"
CMIC=$(id_field "$A" cmic)
t_eq $P/id/cmic-multi 3 $((CMIC & 3))
NMIC=$(nvme id-ns "$A" -n 1 2>/dev/null | sed -n 's/^nmic *: *//p' | tr -d ' ')
t_eq $P/id/nmic-shared 1 $((NMIC & 1))
t_eq $P/id/one-subsystem 1 "$(grep -l "^$NQN\$" /sys/class/nvme-subsystem/*/subsysnqn | wc -l)"
HEADS=0 DEV=
for h in "$SD"/nvme*n1; do
    [ -e "$h" ] && HEADS=$((HEADS + 1)) && DEV=/dev/${h##*/}
done
t_eq $P/id/one-block-device 1 "$HEADS"
t_check $P/id/block-device test -b "$DEV"
nvme list-subsys >"$T_TMP/ls" 2>&1
t_log "$(tr '\n' ' ' <"$T_TMP/ls")"
t_check $P/id/list-subsys-nqn grep -q "$NQN" "$T_TMP/ls"
t_eq $P/id/list-subsys-live 2 "$(grep -c ' live' "$T_TMP/ls")"

# a power cut of one controller would take the shared data from the other
t_expect_fail $P/cfs/power-cut-refused sh -c "echo cut > $NV/a/power"
t_check $P/cfs/power-cut-line sh -c "dmesg | tail -n 3 | grep -q 'shares its namespaces'"

# ================================================================ 3. one store
$DD if=/dev/urandom of="$T_TMP/blk" bs=4096 count=1 2>/dev/null
t_check $P/store/write-a io_write "$A" 800 "$T_TMP/blk"
t_check $P/store/read-b io_read "$B" 800 "$T_TMP/blk.b"
t_check $P/store/same cmp "$T_TMP/blk" "$T_TMP/blk.b"
$DD if=/dev/urandom of="$T_TMP/blk2" bs=4096 count=1 2>/dev/null
t_check $P/store/write-b io_write "$B" 808 "$T_TMP/blk2"
t_check $P/store/read-a io_read "$A" 808 "$T_TMP/blk2.a"
t_check $P/store/same-2 cmp "$T_TMP/blk2" "$T_TMP/blk2.a"
t_check $P/store/head-reads $DD if="$DEV" of="$T_TMP/blk2.h" bs=4096 skip=101 count=1 iflag=direct
t_check $P/store/head-same cmp "$T_TMP/blk2" "$T_TMP/blk2.h"
t_eq $P/store/ns-stats-both 2 "$(sed -n 's/^write_cmds //p' $NV/a/namespaces/1/stats)"
# a namespace's write protection and fault rules act on every path
echo 1 >$NV/a/namespaces/1/write_protect
for c in a b; do
    [ $c = a ] && d=$A || d=$B
    nvme_run nvme io-passthru "$d" --namespace-id=1 --opcode=0x01 \
        --data-len=4096 --cdw10=816 --cdw12=7 --write --input-file="$T_TMP/blk"
    t_eq $P/store/write-protected-$c 0x20 "$(printf '0x%x' $((ST & 0x7ff)))"
done
echo 0 >$NV/a/namespaces/1/write_protect
t_check $P/store/unprotected io_write "$B" 816 "$T_TMP/blk"
echo "op=read status=internal count=1" >$NV/a/namespaces/1/faults
nvme_run nvme io-passthru "$B" --namespace-id=1 --opcode=0x02 \
    --data-len=4096 --cdw10=816 --cdw12=7 --read
t_eq $P/store/fault-rule-on-b 0x6 "$(printf '0x%x' $((ST & 0x7ff)))"
t_check $P/store/fault-rule-once io_read "$A" 816 "$T_TMP/blk.r"
echo clear >$NV/a/namespaces/1/faults 2>/dev/null

# ================================================================ 3b. reservations
# Two controllers with no Host Identifier are two hosts (docs/reservations.md).
sc() { printf '0x%x' $((ST & 0x7ff)); }   # the status code of the last nvme_run
wr_via() {  # <dev>: a write of one block; sets ST
    nvme_run nvme io-passthru "$1" --namespace-id=1 --opcode=0x01 \
        --data-len=4096 --cdw10=2000 --cdw12=7 --write --input-file="$T_TMP/blk"
}
rd_via() {  # <dev>
    nvme_run nvme io-passthru "$1" --namespace-id=1 --opcode=0x02 \
        --data-len=4096 --cdw10=2000 --cdw12=7 --read
}
nvme_run nvme resv-register "$A" -n 1 --nrkey=0xa1 --rrega=0
t_eq $P/resv/register-a 0x0 "$ST"
nvme_run nvme resv-register "$B" -n 1 --nrkey=0xb2 --rrega=0
t_eq $P/resv/register-b 0x0 "$ST"
nvme_run nvme resv-acquire "$A" -n 1 --crkey=0xa1 --rtype=1 --racqa=0
t_eq $P/resv/a-write-exclusive 0x0 "$ST"
wr_via "$A"
t_eq $P/resv/holder-writes 0x0 "$ST"
wr_via "$B"
t_eq $P/resv/other-write-conflict 0x83 "$(sc)"
rd_via "$B"
t_eq $P/resv/other-reads 0x0 "$ST"
nvme_run nvme resv-acquire "$B" -n 1 --crkey=0xb2 --rtype=1 --racqa=0
t_eq $P/resv/b-acquire-conflict 0x83 "$(sc)"
nvme_run nvme resv-report "$B" -n 1 -b
cp "$T_OUT" "$T_TMP/rpt"
t_eq $P/resv/report-rtype 1 "$(od -An -tu1 -j4 -N1 "$T_TMP/rpt" | tr -d ' ')"
t_eq $P/resv/report-regctl 2 "$(od -An -tu2 -j5 -N2 "$T_TMP/rpt" | tr -d ' ')"
# the holder's entry names controller A and has RCSTS set
hold=""
for o in 24 48; do
    [ "$(od -An -tu1 -j$((o + 2)) -N1 "$T_TMP/rpt" | tr -d ' ')" = 1 ] &&
        hold=$(od -An -tu2 -j$o -N2 "$T_TMP/rpt" | tr -d ' ')
done
t_eq $P/resv/report-holder "$((CA))" "$hold"
# Exclusive Access: the other controller cannot even read
nvme_run nvme resv-release "$A" -n 1 --crkey=0xa1 --rtype=1 --rrela=0
t_eq $P/resv/release 0x0 "$ST"
nvme_run nvme resv-acquire "$A" -n 1 --crkey=0xa1 --rtype=2 --racqa=0
t_eq $P/resv/a-exclusive-access 0x0 "$ST"
rd_via "$B"
t_eq $P/resv/ea-other-read-conflict 0x83 "$(sc)"
rd_via "$A"
t_eq $P/resv/ea-holder-reads 0x0 "$ST"
# B preempts A: A's registration goes, B holds, A is refused
nvme_run nvme resv-acquire "$B" -n 1 --crkey=0xb2 --prkey=0xa1 --rtype=1 --racqa=1
t_eq $P/resv/b-preempts 0x0 "$ST"
wr_via "$A"
t_eq $P/resv/preempted-write-conflict 0x83 "$(sc)"
wr_via "$B"
t_eq $P/resv/new-holder-writes 0x0 "$ST"
nvme_run nvme resv-release "$B" -n 1 --crkey=0xb2 --rrela=1
t_eq $P/resv/clear 0x0 "$ST"
wr_via "$A"
t_eq $P/resv/cleared-a-writes 0x0 "$ST"

# ================================================================ 4. failover
# sums of the two controllers' commands, to see where I/O goes
wr() { echo $(($(cstat "$1" write_cmds) + $(cstat "$1" read_cmds))); }
# the commands through <ctrl> in the next 4 s, logged with <what>
gain() {  # <ctrl> <what>
    local g0
    g0=$(wr "$1")
    sleep 4
    GAIN=$(($(wr "$1") - g0))
    t_log "$2: $1 +$GAIN"
}
# shellcheck disable=SC2086 # FIO_COMMON is a list of options
fio --name=fo --filename="$DEV" --rw=randwrite --bs=4k --size=64M \
    --iodepth=8 --time_based --runtime=60 --verify_backlog=256 $FIO_COMMON \
    --output="$T_TMP/fio.fo" >/dev/null 2>&1 &
FIO=$!
sleep 4
a0=$(wr a) b0=$(wr b)
sleep 3
a1=$(wr a) b1=$(wr b)
t_log "before: a +$((a1 - a0)) b +$((b1 - b0))"
# the path that carries the I/O goes away (the PCI function is removed)
if [ $((a1 - a0)) -ge $((b1 - b0)) ]; then busy=a idle=b; else busy=b idle=a; fi
t_check $P/failover/io-flows test $((a1 - a0 + b1 - b0)) -gt 0
# ANA: the group of the path in use goes inaccessible, then non-optimized:
# the host sees it within ANATT and moves the I/O to the optimized path
ANATT=$(cat $NV/$busy/anatt)
t_eq $P/ana/anatt-id "$ANATT" "$(id_field "$(nv_wait_cdev $busy)" anatt)"
t_eq $P/ana/both-optimized "optimized optimized" "$(path_state a) $(path_state b)"
for st in inaccessible non-optimized; do
    echo "1 $st" >$NV/$busy/ana
    t_check $P/ana/$st-within-anatt wait_path_state $busy $st "$ANATT"
    i0=$(wr $idle) u0=$(wr $busy)
    sleep 4
    i1=$(wr $idle) u1=$(wr $busy)
    t_log "$busy $st: $idle +$((i1 - i0)), $busy +$((u1 - u0))"
    t_check $P/ana/$st-moved test $((i1 - i0)) -gt 0
    t_check $P/ana/$st-left test $((u1 - u0)) -lt $(((i1 - i0) / 10 + 1))
    echo "1 optimized" >$NV/$busy/ana
    t_check $P/ana/$st-back wait_path_state $busy optimized "$ANATT"
done
echo 0 >$NV/$busy/enable
t_check $P/failover/one-path wait_paths 1
gain $idle "$busy disabled"
t_check $P/failover/moved test "$GAIN" -gt 0
echo 1 >$NV/$busy/enable
t_check $P/failover/back wait_paths 2
sleep 2
# a controller reset of the path in use now
R=$(nv_wait_cdev $idle)
t_check $P/failover/reset nvme reset "$R"
t_check $P/failover/after-reset wait_paths 2
sleep 2
echo 0 >$NV/$idle/enable
t_check $P/failover/other-down wait_paths 1
gain $busy "$idle disabled"
t_check $P/failover/moved-back test "$GAIN" -gt 0
echo 1 >$NV/$idle/enable
t_check $P/failover/both-back wait_paths 2
wait $FIO
t_eq $P/failover/fio-exit 0 $?
t_check $P/failover/fio-no-errors grep -q "err= 0" "$T_TMP/fio.fo"
# shellcheck disable=SC2086
t_check $P/failover/verify fio --name=vf --filename="$DEV" --rw=randwrite \
    --bs=4k --size=16M --iodepth=8 $FIO_COMMON
no_io_errors() { ! t_dmesg_since_mark | grep -q 'I/O error'; }
t_check $P/failover/no-io-errors no_io_errors

# ================================================================ 5. round-robin
A=$(nv_wait_cdev a)
B=$(nv_wait_cdev b)
t_check $P/rr/iopolicy sh -c "echo round-robin > $SD/iopolicy"
t_eq $P/rr/iopolicy-read round-robin "$(cat "$SD/iopolicy")"
a0=$(cstat a read_cmds) b0=$(cstat b read_cmds)
t_check $P/rr/fio fio --name=rr --filename="$DEV" --rw=randread --bs=4k \
    --size=64M --io_size=16M --iodepth=16 --ioengine=libaio --direct=1
da=$(($(cstat a read_cmds) - a0)) db=$(($(cstat b read_cmds) - b0))
t_log "round-robin: a $da b $db reads"
t_check $P/rr/both-a test "$da" -gt $(((da + db) / 4))
t_check $P/rr/both-b test "$db" -gt $(((da + db) / 4))
# round-robin spreads over the optimized paths only
echo "1 non-optimized" >$NV/a/ana
t_check $P/rr/a-non-optimized wait_path_state a non-optimized 10
a0=$(cstat a read_cmds) b0=$(cstat b read_cmds)
t_check $P/rr/fio-2 fio --name=rr --filename="$DEV" --rw=randread --bs=4k \
    --size=64M --io_size=8M --iodepth=16 --ioengine=libaio --direct=1
da=$(($(cstat a read_cmds) - a0)) db=$(($(cstat b read_cmds) - b0))
t_log "round-robin, a non-optimized: a $da b $db reads"
t_check $P/rr/optimized-only test "$da" -lt $((db / 10 + 1))
echo "1 optimized" >$NV/a/ana
t_check $P/rr/a-optimized wait_path_state a optimized 10
echo numa >"$SD/iopolicy"

# ================================================================ 6. multipath=N
# a block beyond what fio wrote, through the multipath device
$DD if=/dev/urandom of="$T_TMP/blk4" bs=4096 count=1 2>/dev/null
t_check $P/nomp/write-head $DD if="$T_TMP/blk4" of="$DEV" bs=4096 seek=30000 count=1 oflag=direct conv=notrunc
echo 0 >$NV/a/enable
echo 0 >$NV/b/enable
wait_paths 0 10
mods_out=""
for m in nvme_tcp nvme_fabrics nvme nvme_core; do
    grep -q "^$m " /proc/modules && mods_out="$mods_out $m"
done
t_log "reloading nvme_core with multipath=N (loaded:$mods_out)"
for m in nvme_tcp nvme_fabrics nvme nvme_core; do
    grep -q "^$m " /proc/modules && rmmod $m
done
if t_check $P/nomp/modprobe sh -c "modprobe nvme_core multipath=N && modprobe nvme"; then
    t_eq $P/nomp/param N "$(cat /sys/module/nvme_core/parameters/multipath)"
    echo 1 >$NV/a/enable
    echo 1 >$NV/b/enable
    DA=$(nv_wait_dev a 1) || t_fail $P/nomp/dev-a "no block device on a"
    DB=$(nv_wait_dev b 1) || t_fail $P/nomp/dev-b "no block device on b"
    t_log "multipath=N: $DA $DB"
    t_check $P/nomp/two-devices test "$DA" != "$DB"
    t_check $P/nomp/read-a $DD if="$DA" of="$T_TMP/n.a" bs=4096 skip=30000 count=1 iflag=direct
    t_check $P/nomp/read-b $DD if="$DB" of="$T_TMP/n.b" bs=4096 skip=30000 count=1 iflag=direct
    t_check $P/nomp/same-a cmp "$T_TMP/blk4" "$T_TMP/n.a"
    t_check $P/nomp/same-b cmp "$T_TMP/blk4" "$T_TMP/n.b"
    $DD if=/dev/urandom of="$T_TMP/blk3" bs=4096 count=1 2>/dev/null
    $DD if="$T_TMP/blk3" of="$DA" bs=4096 seek=300 count=1 oflag=direct conv=notrunc 2>/dev/null
    t_check $P/nomp/cross $DD if="$DB" of="$T_TMP/n.c" bs=4096 skip=300 count=1 iflag=direct
    t_check $P/nomp/cross-same cmp "$T_TMP/blk3" "$T_TMP/n.c"
    echo 0 >$NV/a/enable
    echo 0 >$NV/b/enable
    rmmod nvme nvme_core
fi
t_check $P/nomp/restore sh -c "modprobe nvme_core && modprobe nvme"
for m in $mods_out; do
    grep -q "^$m " /proc/modules || modprobe "$m" 2>/dev/null
done

# ================================================================ 7. teardown
rmdir $NV/a/namespaces/1
t_check $P/teardown/leave sh -c "echo > $NV/a/subsys"
t_check $P/teardown/rmdir-subsys rmdir $NV/subsystems/dual
t_eq $P/teardown/b-removed-subsys "dual (removed)" "$(cat $NV/b/subsys)"
rmdir $NV/a $NV/b
t_check $P/teardown/rmmod rmmod nvmev
t_check $P/teardown/nothing-left nvmev_gone
t_dmesg_clean $P/dmesg
