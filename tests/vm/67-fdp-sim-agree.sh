#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2015 # t_pass never fails
# Flexible Data Placement, the module and nvmev-sim on the same commands
# (as 94-sim-agree does without placement): a fill without placement, then
# 4 KiB writes spread over 4 handles and 2 reclaim groups, some without
# placement, some deallocations, and a flush, replayed at QD1 by
# nvmev-replay (placement directives through the passthrough ioctl) on an
# FDP namespace and by nvmev-sim from the same trace.  Greedy GC and no
# background GC: placement depends on the order of commands only.  The
# FDP statistics (HBMW, MBMW, MBE), the GC counters and every handle's
# available media writes in every reclaim group must be equal.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=fdpagree
SIM=/usr/bin/nvmev-sim
REPLAY=/usr/bin/nvmev-replay
PARAMS="nr_channels=2 luns_per_channel=2 pages_per_block=48 gc_policy=0 bg_gc_threshold_pct=0 fdp_rgs=2 fdp_ruhs=4"
SIZE_MIB=384
NR=30000

t_check $P/tools-installed test -x $SIM -a -x $REPLAY || exit 0
nv_configfs_mount
insmod "$NVMEV_KO" memmap_start=4G memmap_size=2G nr_ctrls=0 cpus=2,3 ||
    { t_fail $P/insmod "insmod failed"; exit 0; }
mkdir $NV/fa
# shellcheck disable=SC2086 # PARAMS is a list of key=value words
nv_mkns fa 1 ${SIZE_MIB}M conv $PARAMS && t_pass $P/ns || { t_fail $P/ns "see dmesg"; exit 0; }
echo 1 >$NV/fa/enable
DEV=$(nv_wait_dev fa 1) || { t_fail $P/device "no block device"; exit 0; }
CTRL=$(echo "$DEV" | sed 's/n[0-9]*$//')

awk -v mib=$SIZE_MIB -v nr=$NR 'BEGIN {
    for (off = 0; off < mib * 1048576; off += 262144)
        printf "- W %d 262144\n", off
    slots = mib * 256
    x = 4242
    for (i = 0; i < nr; i++) {
        x = (x * 1103515245 + 12345) % 2147483648
        off = (int(x / 65536) % slots) * 4096
        k = int(x / 8) % 11
        if (k < 8)
            printf "- W %d 4096 ruh=%d rg=%d\n", off, k % 4, int(k / 4)
        else if (k < 10)
            printf "- W %d 4096\n", off
        else
            printf "- T %d 65536\n", off - off % 65536
    }
    print "- F"
}' >/tmp/fa.trace
t_check $P/replay $REPLAY --rgif 1 --verify "$DEV" /tmp/fa.trace

set -- $PARAMS
SIMARGS=""
for kv in "$@"; do SIMARGS="$SIMARGS --param $kv"; done
# shellcheck disable=SC2086
if $SIM --model conv --preset conv --capacity ${SIZE_MIB}M $SIMARGS \
    --trace /tmp/fa.trace iodepth=1 --json >/tmp/fa.sim.json 2>/tmp/fa.sim.err; then
    t_pass $P/sim-run
else
    t_fail $P/sim-run "$(cat /tmp/fa.sim.err)"
fi
# the last value of <key> in the sim's JSON (the whole run's)
simstat() { tr ',{}' '\n\n\n' </tmp/fa.sim.json | sed -n "s/^ *\"$1\" *: *\([0-9]*\) *$/\1/p" | tail -n 1; }
kstat() { nv_stat fa/1 "$1"; }
for key in media_write_bytes erases gc_blocks gc_pages gc_foreground; do
    t_eq "$P/$key" "$(simstat "$key")" "$(kstat "$key")"
done
t_check $P/gc-happened [ "$(kstat gc_blocks)" -gt 0 ]
# the FDP statistics log against the sim's FDP figures
nvme fdp stats "$CTRL" -e 1 -o json >/tmp/fa.st.json 2>&1
jfield() { sed -n "s/^ *\"$2\" *: *\"\{0,1\}\([0-9]*\)\"\{0,1\},\{0,1\} *$/\1/p" "$1" | head -n 1; }
for key in hbmw mbmw mbe; do
    t_eq "$P/log-$key" "$(simstat "$key")" "$(jfield /tmp/fa.st.json "$key")"
done
# RUAMW (512-byte blocks) of every placement identifier, handle-major,
# against the sim's ru_avail[rg][ruh] (bytes)
nvme fdp status "$DEV" -o json >/tmp/fa.ruhs.json 2>&1
dev_ru=$(sed -n 's/^ *"ruamw" *: *\([0-9]*\).*/\1/p' /tmp/fa.ruhs.json | tr '\n' ' ')
sim_ru=$(tr -d ' \n' </tmp/fa.sim.json | sed 's/.*"ru_avail":\[\(\[[0-9,]*\],\[[0-9,]*\]\)\].*/\1/' |
    awk -F'\\],\\[' '{ r0 = $1; r1 = $2; gsub(/[][]/, "", r0); gsub(/[][]/, "", r1);
        n = split(r0, a, ","); split(r1, b, ",");
        for (h = 1; h <= n; h++) printf "%d %d ", a[h] / 512, b[h] / 512 }')
t_eq $P/ruamw-every-pid "$sim_ru" "$dev_ru"
t_log "module: HBMW $(jfield /tmp/fa.st.json hbmw) MBMW $(jfield /tmp/fa.st.json mbmw) MBE $(jfield /tmp/fa.st.json mbe), gc pages $(kstat gc_pages); RUAMW $dev_ru"

echo 0 >$NV/fa/enable
nv_rmctrl fa
t_check $P/rmmod rmmod nvmev
rm -f /tmp/fa.*
t_dmesg_clean $P/dmesg-clean
exit 0
