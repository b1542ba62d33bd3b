#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2086,SC2015 # word lists; t_pass never fails
# nvmev-vm-args: --trixie-fio --qemu trixie --qemu-fdp 1G
# Flexible Data Placement as users try it first: fio 3.34+ (fio-trixie)
# with --fdp=1 on nvmev's /dev/ngXnY.
#  - fio --fdp=1 --verify: data placed through two placement identifiers
#    is read back intact, their reclaim units lost exactly what was
#    written (RUAMW) and the third one nothing, HBMW counts the bytes.
#  - The hot/cold experiment, for two presets: after a fill, a cold job
#    rewrites most of the device once, sequentially, while a hot job
#    overwrites its first eighth at random, 4 KiB at a time, twice the
#    capacity in all; hot and cold in one handle (mixed) or the hot job in
#    a handle of its own (separated).  Write amplification of that phase
#    from the FDP Statistics log (MBMW / HBMW) must come out clearly lower
#    separated, and so must nvmev-sim's for the same jobs.  The presets
#    run with 12 pages per block instead of 96 (reclaim units and the
#    smallest capacity 8x smaller) so that the experiment fits a TCG guest.
# Runs in the boot of 65-fdp-tools (same nvmev-vm-args).
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=fdpwaf
FIO=fio-trixie
SIM=/usr/bin/nvmev-sim

command -v $FIO >/dev/null 2>&1 ||
    { t_fail $P/fio-trixie "no $FIO (boot with scripts/vm/run.sh --trixie-fio)"; exit 0; }
t_check $P/sim-installed test -x $SIM || exit 0
nv_configfs_mount
insmod "$NVMEV_KO" memmap_start=4G memmap_size=2G nr_ctrls=0 cpus=2,3 ||
    { t_fail $P/insmod "insmod failed"; exit 0; }

ng_of() { echo "$1" | sed 's|^/dev/nvme|/dev/ng|'; }
ctrl_of() { echo "$1" | sed 's/n[0-9]*$//'; }
# a field of nvme-cli's JSON (one "key":value per line)
jfield() {  # <file> <key>
    sed -n "s/^ *\"$2\" *: *\"\{0,1\}\([0-9]*\)\"\{0,1\},\{0,1\} *$/\1/p" "$1" | head -n 1
}
# RUAMW of the <n>th (0-based) descriptor of the RUH status
ruamw_at() {  # <dev> <n>
    nvme fdp status "$1" -o json >/tmp/fw-st.json 2>&1 || return 1
    sed -n 's/^ *"ruamw" *: *\([0-9]*\).*/\1/p' /tmp/fw-st.json | sed -n "$(($2 + 1))p"
}
# x1000 of a / b
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%d", a * 1000 / b; else print 0 }'; }
dec() { awk -v v="$1" 'BEGIN { printf "%d.%03d", v / 1000, v % 1000 }'; }

# ---- fio --fdp=1 with verification, on a small FDP namespace
GEOM="nr_channels=2 luns_per_channel=2 pages_per_block=48"
mkdir $NV/fv
nv_mkns fv 1 384M conv $GEOM fdp_rgs=2 fdp_ruhs=4 && t_pass $P/verify/ns || t_fail $P/verify/ns "see dmesg"
echo 1 >$NV/fv/enable
D=$(nv_wait_dev fv 1) || { t_fail $P/verify/dev "no block device"; exit 0; }
NG=$(ng_of "$D")
FULL=$(ruamw_at "$D" 0)
t_check $P/verify/ruamw-full [ "${FULL:-0}" -gt 0 ]
# descriptors: handle-major (PH 0 RG 0, PH 0 RG 1, PH 1 RG 0, ...): index 0
# and 2 are PH 0 and PH 1 of RG 0, index 1 is PH 0 of RG 1
t_check $P/verify/fio $FIO --name=fv --filename="$NG" --ioengine=io_uring_cmd --cmd_type=nvme \
    --rw=randwrite --bs=4k --size=4M --iodepth=8 --fdp=1 --fdp_pli=0,2 --fdp_pli_select=roundrobin \
    --verify=crc32c --do_verify=1
# 1024 writes of 8 blocks, round robin over the two, within one reclaim
# unit each (6144 blocks): RUAMW falls by the blocks written
t_eq $P/verify/ruamw-pli0 $((FULL - 512 * 8)) "$(ruamw_at "$D" 0)"
t_eq $P/verify/ruamw-pli2 $((FULL - 512 * 8)) "$(ruamw_at "$D" 2)"
t_eq $P/verify/ruamw-pli1-untouched "$FULL" "$(ruamw_at "$D" 1)"
nvme fdp stats "$(ctrl_of "$D")" -e 1 -o json >/tmp/fw-stats.json 2>&1
t_eq $P/verify/hbmw $((4 << 20)) "$(jfield /tmp/fw-stats.json hbmw)"
echo 0 >$NV/fv/enable
nv_rmctrl fv

# ---- the hot/cold experiment
PPB=12
# <preset> <MiB> <hot fdp_pli> <ruh of the hot job in the sim>: prints
# "HBMW MBMW" of phase 2 on the device, then the sim's WAF x1000
run_exp() {
    local preset=$1 mib=$2 pli=$3 ruh=$4 d ng c hot io h0 m0 h1 m1 w
    hot=$((mib / 8))
    io=$((mib * 2))
    mkdir $NV/hc
    nv_mkns hc 1 ${mib}M "$preset" pages_per_block=$PPB || { echo "## hc: namespace refused"; return 1; }
    echo 1 >$NV/hc/enable
    d=$(nv_wait_dev hc 1) || return 1
    ng=$(ng_of "$d")
    c=$(ctrl_of "$d")
    # phase 1: fill, no placement (the device chooses)
    $FIO --name=fill --filename="$ng" --ioengine=io_uring_cmd --cmd_type=nvme \
        --rw=write --bs=128k --iodepth=8 --size=${mib}M >/dev/null 2>&1 || return 1
    nvme fdp stats "$c" -e 1 -o json >/tmp/fw-s0.json 2>&1 || return 1
    # phase 2: cold (PH 0 of RG 0) alongside hot (fdp_pli $pli)
    $FIO --ioengine=io_uring_cmd --cmd_type=nvme --filename="$ng" --fdp=1 \
        --name=cold --rw=write --bs=128k --iodepth=1 --offset=${hot}M --size=$((mib - hot))M \
        --fdp_pli=0 \
        --name=hot --rw=randwrite --bs=4k --iodepth=32 --size=${hot}M --io_size=${io}M \
        --norandommap --randrepeat=0 --fdp_pli="$pli" >/dev/null 2>&1 || return 1
    nvme fdp stats "$c" -e 1 -o json >/tmp/fw-s1.json 2>&1 || return 1
    h0=$(jfield /tmp/fw-s0.json hbmw); m0=$(jfield /tmp/fw-s0.json mbmw)
    h1=$(jfield /tmp/fw-s1.json hbmw); m1=$(jfield /tmp/fw-s1.json mbmw)
    echo 0 >$NV/hc/enable
    nv_rmctrl hc
    w=$($SIM --preset "$preset" --param pages_per_block=$PPB --capacity ${mib}M \
        --phase rw=write bs=128k iodepth=8 \
        --phase rw=write bs=128k iodepth=1 offset=${hot}M size=$((mib - hot))M ruh=0 \
        --job rw=randwrite bs=4k iodepth=32 size=${hot}M io_size=${io}M ruh="$ruh" --json |
        tr ',{}' '\n\n\n' | awk '/"phase": *2/ { p = 1 } p && /"waf"/ { sub(/.*: */, ""); printf "%d", $0 * 1000; exit }')
    echo "$((h1 - h0)) $((m1 - m0)) $w"
}

# preset, capacity (MiB), fdp_pli of PH 1 in RG 0 (handle-major: NRG)
for cfg in "conv-fdp 256 1" "tlc-dc-fdp 448 2"; do
    set -- $cfg
    preset=$1 mib=$2 sep_pli=$3
    if mixed=$(run_exp "$preset" "$mib" 0 0) && sep=$(run_exp "$preset" "$mib" "$sep_pli" 1); then
        t_pass "$P/$preset/runs"
    else
        t_fail "$P/$preset/runs" "fio, nvme-cli or nvmev-sim failed"
        continue
    fi
    set -- $mixed
    vm_m=$(ratio "$2" "$1") sim_m=$3 host_m=$1
    set -- $sep
    vm_s=$(ratio "$2" "$1") sim_s=$3 host_s=$1
    t_log "$preset, ${mib} MiB, ${PPB} pages per block: phase 2 WAF in the VM (FDP statistics, MBMW / HBMW) mixed $(dec "$vm_m"), separated $(dec "$vm_s"); nvmev-sim mixed $(dec "$sim_m"), separated $(dec "$sim_s"); HBMW $host_m / $host_s"
    t_eq "$P/$preset/same-host-bytes" "$host_m" "$host_s"
    # GC traffic (WAF - 1) separated at most half of mixed, in both
    t_check "$P/$preset/vm-separated-lower" [ $((2 * (vm_s - 1000))) -lt $((vm_m - 1000)) ]
    t_check "$P/$preset/sim-separated-lower" [ $((2 * (sim_s - 1000))) -lt $((sim_m - 1000)) ]
done

rmmod nvmev && t_pass $P/rmmod || t_fail $P/rmmod "rmmod failed"
t_dmesg_clean $P/dmesg-clean
exit 0
