#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2317,SC2015,SC2086 # helpers via t_check; word lists
# Flexible Data Placement (fdp.c) on a conv namespace, checked field by
# field with raw commands and nvme-cli's fdp plugin:
#  - configfs: fdp_rgs/fdp_ruhs refused on another type, a bad geometry
#    refused at enable;
#  - Identify: CTRATT Endurance Groups + FDPS, ENDGIDMAX, OACS Directives,
#    ENDGID = NSID, CNS 19h; features 1Dh (Set: Command Sequence Error)
#    and 1Eh; Directive Receive; effects of 12h/1Dh, 19h/1Ah;
#  - logs 09h, 20h (configuration), 21h (usage), 22h (statistics), 23h
#    (events), bad LSI/LSP refused;
#  - writes with DTYPE 2: RUAMW drops by exactly the blocks written, RUHA
#    host specified; an invalid PID still writes (data read back) and logs
#    event 03h only when enabled; RUH Update resets RUAMW and logs 00h;
#  - the namespace without FDP refuses DTYPE 2 and answers FDP Disabled.
#  - the model behind it: a handle that fills its reclaim unit moves on to
#    an empty one with no event; GC moving valid data gives Media
#    Reallocated (80h) with its fields; MBE grows with erases.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=fdp
nv_configfs_mount
run() { nvme_run "$@"; }
u8() { od -An -v -tu1 -j "$2" -N 1 "$1" | tr -d ' '; }
u16() { od -An -v -tu2 -j "$2" -N 2 "$1" | tr -d ' '; }
u32() { od -An -v -tu4 -j "$2" -N 4 "$1" | tr -d ' '; }
u64() { od -An -v -tu8 -j "$2" -N 8 "$1" | tr -d ' '; }

insmod "$NVMEV_KO" memmap_start=4G memmap_size=2G nr_ctrls=0 cpus=2,3 ||
    { t_fail $P/insmod "insmod failed"; exit 0; }
mkdir $NV/fdp
GEOM="nr_channels=2 luns_per_channel=2 pages_per_block=48"

# ---- configfs
mkdir $NV/fdp/namespaces/3
echo nvm >$NV/fdp/namespaces/3/type
t_expect_fail $P/cfg/nvm-refused sh -c "echo 2 >$NV/fdp/namespaces/3/fdp_rgs"
echo conv >$NV/fdp/namespaces/3/type
echo 64M >$NV/fdp/namespaces/3/size
for kv in $GEOM fdp_rgs=3 fdp_ruhs=4; do echo "${kv#*=}" >$NV/fdp/namespaces/3/${kv%%=*}; done
t_expect_fail $P/cfg/rgs-not-dividing sh -c "echo 1 >$NV/fdp/namespaces/3/enable"
echo 2 >$NV/fdp/namespaces/3/fdp_rgs
echo 17 >$NV/fdp/namespaces/3/fdp_ruhs
t_expect_fail $P/cfg/ruhs-17 sh -c "echo 1 >$NV/fdp/namespaces/3/enable"
# 2 RGs x 4 handles keep up to 18 groups of 1.5 MiB open: 64 MiB has too
# little spare (ftl/conv.h, "GC never runs dry" with FDP)
echo 4 >$NV/fdp/namespaces/3/fdp_ruhs
t_expect_fail $P/cfg/too-small-for-handles sh -c "echo 1 >$NV/fdp/namespaces/3/enable"
t_check $P/cfg/too-small-says-why sh -c "dmesg | tail -n 3 | grep -q 'fdp/3: size=67108864 is too small for this geometry: use at least'"
rmdir $NV/fdp/namespaces/3

nv_mkns fdp 1 384M conv $GEOM fdp_rgs=2 fdp_ruhs=4 && t_pass $P/ns1-enable || t_fail $P/ns1-enable "see dmesg"
nv_mkns fdp 2 64M conv $GEOM && t_pass $P/ns2-enable || t_fail $P/ns2-enable "see dmesg"
t_eq $P/cfg/show "2 4 0" "$(cat $NV/fdp/namespaces/1/fdp_rgs $NV/fdp/namespaces/1/fdp_ruhs $NV/fdp/namespaces/1/fdp_persistent | tr '\n' ' ' | sed 's/ $//')"
echo 1 >$NV/fdp/enable
D1=$(nv_wait_dev fdp 1) || { t_fail $P/dev1 "no block device"; exit 0; }
D2=$(nv_wait_dev fdp 2) || { t_fail $P/dev2 "no block device"; exit 0; }
CTRL=/dev/$(echo "${D1#/dev/}" | sed 's/n[0-9]*$//')
t_log "FDP namespace $D1, plain conv $D2, controller $CTRL"

adm() { run nvme admin-passthru "$CTRL" "$@"; }
io() { run nvme io-passthru "$D1" "$@"; }
# Get Log Page <lid> <bytes> <lsi> [lsp] [lpo]
getlog() {
    adm --opcode=0x02 --namespace-id=0xffffffff \
        --cdw10=$(($1 | (${4:-0} << 8) | ((($2 / 4 - 1) & 0xffff) << 16))) \
        --cdw11=$(((($2 / 4 - 1) >> 16) | ($3 << 16))) --cdw12=${5:-0} \
        --data-len="$2" -r -b
}

# ---- Identify
adm --opcode=0x06 --cdw10=1 --data-len=4096 -r -b
cp "$T_OUT" $T_TMP/idc
t_eq $P/id/ctratt-eg-fdps $(((1 << 4) | (1 << 19))) $(($(u32 $T_TMP/idc 96) & ((1 << 4) | (1 << 19))))
t_eq $P/id/oacs-directives 32 $(($(u16 $T_TMP/idc 256) & 32))
t_eq $P/id/endgidmax 32 "$(u16 $T_TMP/idc 340)"
for n in 1 2; do
    adm --opcode=0x06 --cdw10=0 --namespace-id=$n --data-len=4096 -r -b
    t_eq $P/id/ns$n-endgid $n "$(u16 "$T_OUT" 102)"
done
run nvme id-ns "$D1"
t_check $P/id/cli-endgid grep -q '^endgid *: 1$' "$T_OUT"
adm --opcode=0x06 --cdw10=0x19 --cdw11=0 --data-len=4096 -r -b
t_eq $P/id/cns19-list "2 1 2" "$(u16 "$T_OUT" 0) $(u16 "$T_OUT" 2) $(u16 "$T_OUT" 4)"
adm --opcode=0x06 --cdw10=0x19 --cdw11=2 --data-len=4096 -r -b
t_eq $P/id/cns19-from2 "1 2" "$(u16 "$T_OUT" 0) $(u16 "$T_OUT" 2)"

# ---- effects: 19h/1Ah admin, 12h/1Dh I/O, CSUPP only
adm --opcode=0x02 --namespace-id=0 --cdw10=$((5 | (1023 << 16))) --data-len=4096 -r -b
t_eq $P/effects "1 1 1 1" "$(u32 "$T_OUT" $((0x19 * 4))) $(u32 "$T_OUT" $((0x1a * 4))) $(u32 "$T_OUT" $((1024 + 0x12 * 4))) $(u32 "$T_OUT" $((1024 + 0x1d * 4)))"

# ---- feature 1Dh
adm --opcode=0x0a --cdw10=0x1d --cdw11=1
t_eq $P/feat1d/eg1 "0x0 1" "$ST $((RES))"
adm --opcode=0x0a --cdw10=0x1d --cdw11=2
t_eq $P/feat1d/eg2 "0x0 0" "$ST $((RES))"
adm --opcode=0x0a --cdw10=0x1d --cdw11=7
t_eq $P/feat1d/eg7-invalid-field 0x4002 "$ST"
adm --opcode=0x09 --cdw10=0x1d --cdw11=1 --cdw12=0
t_eq $P/feat1d/set-cmd-seq-error 0x400c "$ST"
adm --opcode=0x09 --cdw10=$((0x1d | (1 << 31))) --cdw11=1 --cdw12=1
t_eq $P/feat1d/set-save-cmd-seq-error 0x400c "$ST"
run nvme get-feature "$CTRL" -f 0x1d --cdw11=1
t_check $P/feat1d/cli grep -qi 'current value: *0x0*1' "$T_OUT" "$T_ERR"

# ---- log 20h
getlog 0x20 16 1
CFGSZ=$(u32 "$T_OUT" 4)
t_eq $P/configs/header "0 0 96" "$(u16 "$T_OUT" 0) $(u8 "$T_OUT" 2) $CFGSZ"
getlog 0x20 512 1
cp "$T_OUT" $T_TMP/cfg
t_eq $P/configs/dsze 80 "$(u16 $T_TMP/cfg 16)"
t_eq $P/configs/fdpa-valid-rgif1 $((0x81)) $(($(u8 $T_TMP/cfg 18) & 0x8f))
t_eq $P/configs/vss-nrg-nruh-maxpids-nnss "0 2 4 7 1" \
    "$(u8 $T_TMP/cfg 19) $(u32 $T_TMP/cfg 20) $(u16 $T_TMP/cfg 24) $(u16 $T_TMP/cfg 26) $(u32 $T_TMP/cfg 28)"
RUNS=$(u64 $T_TMP/cfg 32)
t_check $P/configs/runs-nonzero [ "$RUNS" -gt 0 ]
t_eq $P/configs/erutl 0 "$(u32 $T_TMP/cfg 40)"
t_eq $P/configs/ruht "1 1 1 1" "$(u8 $T_TMP/cfg 80) $(u8 $T_TMP/cfg 84) $(u8 $T_TMP/cfg 88) $(u8 $T_TMP/cfg 92)"
getlog 0x20 16 1 0 96
t_eq $P/configs/lpo-size-invalid 0x4002 "$ST"
getlog 0x20 16 2
t_eq $P/configs/eg2-invalid-field 0x4002 "$ST"
getlog 0x20 16 9
t_eq $P/configs/eg9-invalid-field 0x4002 "$ST"
getlog 0x20 16 1 1
t_eq $P/configs/lsp1-invalid-field 0x4002 "$ST"
run nvme fdp configs "$CTRL" -e 1
t_eq $P/configs/cli 0x0 "$ST"
t_log "$(head -c 600 "$T_OUT" | tr '\n' '|')"

# ---- status and writes
RUAMW0=$((RUNS / 512))
ruamw() {  # <pid>: RUAMW of that placement identifier
    io --opcode=0x12 --namespace-id=1 --cdw10=1 --cdw11=$(((16 + 8 * 32) / 4 - 1)) --data-len=$((16 + 8 * 32)) -r -b
    od -An -v -tu2 -j 14 -N 2 "$T_OUT" >/dev/null
    i=0
    while [ $i -lt 8 ]; do
        if [ "$(u16 "$T_OUT" $((16 + i * 32)))" = "$(($1))" ]; then
            u64 "$T_OUT" $((16 + i * 32 + 8)); return
        fi
        i=$((i + 1))
    done
    echo none
}
io --opcode=0x12 --namespace-id=1 --cdw10=1 --cdw11=$(((16 + 8 * 32) / 4 - 1)) --data-len=$((16 + 8 * 32)) -r -b
cp "$T_OUT" $T_TMP/ruhs
t_eq $P/status/nruhsd 8 "$(u16 $T_TMP/ruhs 14)"
t_eq $P/status/pids "0 32768 1 32769 2 32770 3 32771" \
    "$(for i in 0 1 2 3 4 5 6 7; do printf '%s ' "$(u16 $T_TMP/ruhs $((16 + i * 32)))"; done | sed 's/ $//')"
t_eq $P/status/ruhids "0 0 1 1 2 2 3 3" \
    "$(for i in 0 1 2 3 4 5 6 7; do printf '%s ' "$(u16 $T_TMP/ruhs $((18 + i * 32)))"; done | sed 's/ $//')"
t_eq $P/status/ruamw-full "$RUAMW0" "$(u64 $T_TMP/ruhs 24)"
run nvme fdp status "$D1"
t_eq $P/status/cli 0x0 "$ST"

getlog 0x21 136 1
t_eq $P/usage/initial-host-specified "4 1 1 1 1" "$(u16 "$T_OUT" 0) $(u8 "$T_OUT" 8) $(u8 "$T_OUT" 16) $(u8 "$T_OUT" 24) $(u8 "$T_OUT" 32)"

dd if=/dev/urandom of=$T_TMP/a bs=4096 count=1 2>/dev/null
dd if=/dev/urandom of=$T_TMP/b bs=4096 count=1 2>/dev/null
dd if=/dev/urandom of=$T_TMP/c bs=4096 count=1 2>/dev/null
run nvme write "$D1" --start-block=0 --block-count=7 --data-size=4096 --data=$T_TMP/a --dir-type=2 --dir-spec=0x8002
t_eq $P/write/placed 0x0 "$ST"
t_eq $P/write/ruamw-8-less $((RUAMW0 - 8)) "$(ruamw 0x8002)"
t_eq $P/write/ruamw-other-full $RUAMW0 "$(ruamw 0x0002)"
run nvme write "$D1" --start-block=8 --block-count=7 --data-size=4096 --data=$T_TMP/b
t_eq $P/write/default 0x0 "$ST"
t_eq $P/write/default-ph0-rg0 $((RUAMW0 - 8)) "$(ruamw 0)"
getlog 0x21 136 1
t_eq $P/usage/unchanged-by-writes "1 1 1 1" "$(u8 "$T_OUT" 8) $(u8 "$T_OUT" 16) $(u8 "$T_OUT" 24) $(u8 "$T_OUT" 32)"
run nvme fdp usage "$CTRL" -e 1
t_eq $P/usage/cli 0x0 "$ST"

# ---- events: 03h only once enabled for placement handle 0
getlog 0x23 64 1 1
t_eq $P/events/none-yet 0 "$(u32 "$T_OUT" 0)"
run nvme write "$D1" --start-block=16 --block-count=7 --data-size=4096 --data=$T_TMP/c --dir-type=2 --dir-spec=5
t_eq $P/write/invalid-pid-succeeds 0x0 "$ST"
getlog 0x23 128 1 1
t_eq $P/events/disabled-no-event 0 "$(u32 "$T_OUT" 0)"
run nvme fdp set-events "$D1" -n 1 -p 0 -e -t 3
t_eq $P/set-events/cli 0x0 "$ST"
adm --opcode=0x0a --namespace-id=1 --cdw10=0x1e --cdw11=$((3 << 16)) --data-len=6 -r -b
t_eq $P/feat1e/get "0x0 3" "$ST $((RES))"
t_eq $P/feat1e/descs "0 0 3 1 128 0" "$(od -An -v -tu1 -N 6 "$T_OUT" | tr -s ' ' | sed 's/^ //; s/ $//')"
run nvme write "$D1" --start-block=16 --block-count=7 --data-size=4096 --data=$T_TMP/c --dir-type=2 --dir-spec=0x0005
t_eq $P/write/invalid-pid-ph5 0x0 "$ST"
t_eq $P/write/invalid-pid-to-ph0 $((RUAMW0 - 24)) "$(ruamw 0)"
getlog 0x23 128 1 1
cp "$T_OUT" $T_TMP/ev
t_eq $P/events/pid-event "1 3 3 5 1" "$(u32 $T_TMP/ev 0) $(u8 $T_TMP/ev 64) $(u8 $T_TMP/ev 65) $(u16 $T_TMP/ev 66) $(u32 $T_TMP/ev 76)"
getlog 0x23 128 1 0
t_eq $P/events/no-ctrl-events 0 "$(u32 "$T_OUT" 0)"
getlog 0x23 64 1 2
t_eq $P/events/lsp2-invalid-field 0x4002 "$ST"
run nvme fdp events "$CTRL" -e 1 -E
t_eq $P/events/cli 0x0 "$ST"
run nvme read "$D1" --start-block=16 --block-count=7 --data-size=4096 --data=$T_TMP/c.rd
t_check $P/write/invalid-pid-data cmp $T_TMP/c $T_TMP/c.rd
run nvme read "$D1" --start-block=0 --block-count=7 --data-size=4096 --data=$T_TMP/a.rd
t_check $P/write/placed-data cmp $T_TMP/a $T_TMP/a.rd

# ---- RUH Update: RUAMW back to full, event 00h once enabled for handle 2
run nvme fdp set-events "$D1" -n 1 -p 2 -e -t 0
t_eq $P/set-events/runfw 0x0 "$ST"
printf '\002\200' >$T_TMP/pid
io --opcode=0x1d --namespace-id=1 --cdw10=1 --data-len=2 --input-file=$T_TMP/pid -w
t_eq $P/update/status 0x0 "$ST"
t_eq $P/update/ruamw-reset $RUAMW0 "$(ruamw 0x8002)"
getlog 0x23 192 1 1
cp "$T_OUT" $T_TMP/ev
t_eq $P/events/runfw "2 0 7 32770 1 1 2" "$(u32 $T_TMP/ev 0) $(u8 $T_TMP/ev 128) $(u8 $T_TMP/ev 129) $(u16 $T_TMP/ev 130) $(u32 $T_TMP/ev 140) $(u16 $T_TMP/ev 160) $(u8 $T_TMP/ev 162)"
printf '\002\200\011\000' >$T_TMP/pids
io --opcode=0x1d --namespace-id=1 --cdw10=$((1 | (1 << 16))) --data-len=4 --input-file=$T_TMP/pids -w
t_eq $P/update/bad-pid-invalid-field 0x4002 "$ST"
io --opcode=0x1d --namespace-id=1 --cdw10=$((1 | (8 << 16))) --data-len=18 --input-file=/dev/zero -w
t_eq $P/update/too-many-invalid-field 0x4002 "$ST"
io --opcode=0x1d --namespace-id=1 --cdw10=2 --data-len=2 --input-file=$T_TMP/pid -w
t_eq $P/update/mo2-invalid-field 0x4002 "$ST"
run nvme write "$D1" --start-block=32 --block-count=7 --data-size=4096 --data=$T_TMP/a --dir-type=2 --dir-spec=0x0001
run nvme fdp update "$D1" -n 1 -p 1
t_eq $P/update/cli "0x0 $RUAMW0" "$ST $(ruamw 1)"

# ---- statistics after a flush: HBMW = bytes written, MBMW >= HBMW
run nvme flush "$D1" -n 1
getlog 0x22 64 1
cp "$T_OUT" $T_TMP/st
HBMW=$(u64 $T_TMP/st 0)
MBMW=$(u64 $T_TMP/st 16)
t_eq $P/stats/hbmw $((5 * 4096)) "$HBMW"
t_check $P/stats/mbmw-ge-hbmw [ "$MBMW" -ge "$HBMW" ]
t_eq $P/stats/high-qwords "0 0 0" "$(u64 $T_TMP/st 8) $(u64 $T_TMP/st 24) $(u64 $T_TMP/st 40)"
run nvme fdp stats "$CTRL" -e 1
t_eq $P/stats/cli 0x0 "$ST"

# ---- log 09h
getlog 0x09 512 1
cp "$T_OUT" $T_TMP/eg
t_eq $P/endgrp/spare-thresh-used "100 10 0" "$(u8 $T_TMP/eg 3) $(u8 $T_TMP/eg 4) $(u8 $T_TMP/eg 5)"
t_eq $P/endgrp/units-written 1 "$(u64 $T_TMP/eg 64)"
t_eq $P/endgrp/host-writes 5 "$(u64 $T_TMP/eg 112)"
t_eq $P/endgrp/capacity $((384 << 20)) "$(u64 $T_TMP/eg 160)"
getlog 0x09 512 9
t_eq $P/endgrp/eg9-invalid-field 0x4002 "$ST"

# ---- directives
adm --opcode=0x1a --namespace-id=1 --cdw10=1023 --cdw11=0x0001 --data-len=4096 -r -b
t_eq $P/dir/ns1 "0x0 5 5 4" "$ST $(u8 "$T_OUT" 0) $(u8 "$T_OUT" 32) $(u8 "$T_OUT" 64)"
adm --opcode=0x1a --namespace-id=2 --cdw10=1023 --cdw11=0x0001 --data-len=4096 -r -b
t_eq $P/dir/ns2 "0x0 1 1 0" "$ST $(u8 "$T_OUT" 0) $(u8 "$T_OUT" 32) $(u8 "$T_OUT" 64)"
adm --opcode=0x1a --namespace-id=1 --cdw10=1023 --cdw11=0x0201 --data-len=4096 -r -b
t_eq $P/dir/dtype2-invalid-field 0x4002 "$ST"
adm --opcode=0x1a --namespace-id=9 --cdw10=1023 --cdw11=0x0001 --data-len=4096 -r -b
t_eq $P/dir/ns9-invalid-ns 0x400b "$ST"
adm --opcode=0x19 --namespace-id=1 --cdw11=0x0001 --cdw12=$(((2 << 8) | 1))
t_eq $P/dir/send-enable-dp-invalid-field 0x4002 "$ST"
run nvme dir-receive "$D1" -D 0 -O 1 -H
t_eq $P/dir/cli 0x0 "$ST"

# ---- the namespace without FDP
run nvme write "$D2" --start-block=0 --block-count=7 --data-size=4096 --data=$T_TMP/a --dir-type=2 --dir-spec=0
t_eq $P/nofdp/write-dtype2-invalid-field 0x4002 "$ST"
run nvme write "$D1" --start-block=0 --block-count=7 --data-size=4096 --data=$T_TMP/a --dir-type=1 --dir-spec=0
t_eq $P/write/dtype1-invalid-field 0x4002 "$ST"
run nvme io-passthru "$D2" --opcode=0x12 --namespace-id=2 --cdw10=1 --cdw11=3 --data-len=16 -r -b
t_eq $P/nofdp/ruh-status-fdp-disabled 0x4029 "$ST"
getlog 0x21 16 2
t_eq $P/nofdp/usage-fdp-disabled 0x4029 "$ST"
adm --opcode=0x0a --namespace-id=2 --cdw10=0x1e --cdw11=$((3 << 16)) --data-len=6 -r -b
t_eq $P/nofdp/feat1e-fdp-disabled 0x4029 "$ST"
adm --opcode=0x0a --namespace-id=1 --cdw10=0x1e --cdw11=$(((3 << 16) | 4)) --data-len=6 -r -b
t_eq $P/feat1e/ph4-invalid-field 0x4002 "$ST"

# ---- configfs stats
t_eq $P/cfg/stats "2 2 2" "$(nv_stat fdp/1 fdp_invalid_pids) $(nv_stat fdp/1 fdp_ru_updates) $(nv_stat fdp/1 fdp_host_events)"

# ---- the model behind it (ftl/conv.c): a reclaim unit fills, GC moves data
model_checks() {
# events so far, host and controller
evcount() { getlog 0x23 64 1 "$1"; u32 "$T_OUT" 0; }
HOSTEV0=$(evcount 1)
CTRLEV0=$(evcount 0)
# PH 3 of RG 0 writes exactly one reclaim unit: the handle moves on to an
# empty one, with no event (a full unit is FDP's normal course)
RUNS_B=$((RUAMW0 * 512))
awk -v n=$((RUNS_B / 524288)) 'BEGIN { for (i = 0; i < n; i++)
    printf "- W %d 524288 pid=3\n", 200 * 1048576 + i * 524288 }' >$T_TMP/fill-ru
t_check $P/model/ru-fill-replay nvmev-replay --verify "$D1" $T_TMP/fill-ru
t_eq $P/model/ru-full-new-unit $RUAMW0 "$(ruamw 3)"
printf -- '- W %d 4096 pid=3\n' $((210 * 1048576)) >$T_TMP/one
t_check $P/model/ru-next-replay nvmev-replay "$D1" $T_TMP/one
t_eq $P/model/ru-next-unit-8-less $((RUAMW0 - 8)) "$(ruamw 3)"
t_eq $P/model/ru-full-no-event "$HOSTEV0 $CTRLEV0" "$(evcount 1) $(evcount 0)"
# Media Reallocated (80h) enabled for PH 0 of both RGs; fill the namespace
# through PH 0 (RG 0 overflows into RG 1: ftl/conv.h), then overwrite 64 KiB
# pieces at random: GC moves what is still valid and reports it
run nvme fdp set-events "$D1" -n 1 -p 0 -e -t 0x80
t_eq $P/model/set-events-realloc 0x0 "$ST"
awk -v mib=384 'BEGIN {
    for (o = 0; o < mib * 1048576; o += 524288) printf "- W %d 524288 pid=0\n", o
    x = 7
    for (i = 0; i < 4000; i++) {
        x = (x * 1103515245 + 12345) % 2147483648
        printf "- W %d 65536 pid=0\n", (x % (mib * 16)) * 65536
    }
}' >$T_TMP/gc
t_check $P/model/gc-replay-verified nvmev-replay --verify "$D1" $T_TMP/gc
getlog 0x23 64 1 0
t_check $P/model/realloc-events [ "$(u32 "$T_OUT" 0)" -gt "$CTRLEV0" ]
getlog 0x23 128 1 0
cp "$T_OUT" $T_TMP/cev
# first event: type 80h, flags PIV|NSIDV|LV, PID of PH 0 (RG 0 or 1), NSID 1,
# NLBAM > 0, RUHID 0
t_eq $P/model/realloc-fields "128 7 1 0" \
    "$(u8 $T_TMP/cev 64) $(u8 $T_TMP/cev 65) $(u32 $T_TMP/cev 76) $(u8 $T_TMP/cev 98)"
t_check $P/model/realloc-pid-ph0 sh -c "[ $(u16 $T_TMP/cev 66) = 0 ] || [ $(u16 $T_TMP/cev 66) = 32768 ]"
t_eq $P/model/realloc-lbav 1 "$(u8 $T_TMP/cev 80)"
t_check $P/model/realloc-nlbam [ "$(u16 $T_TMP/cev 82)" -gt 0 ]
getlog 0x22 64 1
t_check $P/model/mbmw-gt-hbmw [ "$(u64 "$T_OUT" 16)" -gt "$(u64 "$T_OUT" 0)" ]
t_check $P/model/mbe-grew [ "$(u64 "$T_OUT" 32)" -gt 0 ]
t_log "after GC: HBMW $(u64 "$T_OUT" 0) MBMW $(u64 "$T_OUT" 16) MBE $(u64 "$T_OUT" 32); $(evcount 0) controller events"
}
# placed writes in bulk need nvmev-replay (make -C tools/replay)
if t_check $P/model/replay-installed command -v nvmev-replay; then
    model_checks
fi

echo 0 >$NV/fdp/enable
nv_rmctrl fdp
rmmod nvmev && t_pass $P/rmmod || t_fail $P/rmmod "rmmod failed"
