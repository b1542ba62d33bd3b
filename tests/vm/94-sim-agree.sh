#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2015,SC2020 # t_pass never fails; tr maps characters
# The kernel module and the userspace simulator (tools/sim, shipped in the
# initramfs as nvmev-sim) run the same conv model: fed the same commands in
# the same order they must end in the same FTL state.  A trace of a fill
# and a pseudo-random overwrite is replayed at QD1 by fio on a conv
# namespace and by nvmev-sim; the media counters must be equal.  GC is
# greedy and background GC is off, so placement depends on the order of
# commands only, not on their timing.  Timing figures of both are logged
# side by side (the VM's include TCG's overhead).
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=simagree
NV=/sys/kernel/config/nvmev
SIM=/usr/bin/nvmev-sim
# small geometry so that a 64 MiB namespace really has 7% spare
PARAMS="nr_channels=2 luns_per_channel=2 pages_per_block=48 gc_policy=0 bg_gc_threshold_pct=0"
SIZE_MIB=64
NR_RANDOM=24576           # 96 MiB of 4 KiB overwrites: 1.5x the capacity

t_check $P/sim-installed test -x $SIM || exit 0
grep -q ' /sys/kernel/config ' /proc/mounts || mount -t configfs none /sys/kernel/config
insmod "$NVMEV_KO" memmap_start=4G memmap_size=2G nr_ctrls=0 cpus=2,3 ||
    { t_fail $P/insmod "insmod failed"; exit 0; }

d=$NV/agree/namespaces/1
mkdir $NV/agree && mkdir $d && echo conv >$d/preset && echo ${SIZE_MIB}M >$d/size
for kv in $PARAMS; do
    echo "${kv#*=}" >"$d/${kv%%=*}" || t_fail "$P/set-${kv%%=*}" "write refused"
done
echo 1 >$d/enable && echo 1 >$NV/agree/enable
tries=100
DEV=""
while [ $tries -gt 0 ] && [ -z "$DEV" ]; do
    for e in /sys/bus/pci/devices/"$(cat $NV/agree/pci)"/nvme/nvme*/nvme*n*; do
        [ -e "$e/nsid" ] || continue
        DEV=/dev/$(echo "${e##*/}" | sed 's/^\(nvme[0-9]*\)c[0-9]*\(n[0-9]*\)$/\1\2/')
    done
    [ -b "$DEV" ] || { DEV=""; usleep 200000; }
    tries=$((tries - 1))
done
[ -n "$DEV" ] && t_pass $P/device || { t_fail $P/device "no block device"; exit 0; }

# One command list, two syntaxes: fio's iolog (v2) and nvmev-sim's trace.
awk -v dev="$DEV" -v mib=$SIZE_MIB -v nr=$NR_RANDOM '
BEGIN {
    fio = "/tmp/sa.fio"; sim = "/tmp/sa.sim"
    print "fio version 2 iolog" > fio
    print dev " add" > fio
    print dev " open" > fio
    slots = mib * 256
    for (off = 0; off < mib * 1048576; off += 131072) {
        print dev " write " off " 131072" > fio
        print "- W " off " 131072" > sim
    }
    x = 12345
    for (i = 0; i < nr; i++) {
        x = (x * 1103515245 + 12345) % 2147483648
        off = (int(x / 65536) % slots) * 4096
        print dev " write " off " 4096" > fio
        print "- W " off " 4096" > sim
    }
    print dev " close" > fio
}'
t_check $P/replay fio --name=replay --read_iolog=/tmp/sa.fio --ioengine=libaio --iodepth=1 \
    --direct=1 --replay_no_stall=1 --output-format=json --output=/tmp/sa.fio.json
CTRL=$(echo "${DEV#/dev/}" | sed 's/n[0-9]*$//')
nvme flush "/dev/$CTRL" -n 1 >/dev/null 2>&1
echo "- F 0 0" >>/tmp/sa.sim

# shellcheck disable=SC2086 # PARAMS is a list of key=value words
set -- $PARAMS
SIMARGS=""
for kv in "$@"; do SIMARGS="$SIMARGS --param $kv"; done
# shellcheck disable=SC2086
if $SIM --model conv --preset conv --capacity ${SIZE_MIB}M $SIMARGS \
    --trace /tmp/sa.sim iodepth=1 --json >/tmp/sa.sim.json 2>/tmp/sa.sim.err; then
    t_pass $P/sim-run
else
    t_fail $P/sim-run "$(cat /tmp/sa.sim.err)"
fi
# the counters of the whole run: the last "model_stats_total" or "model_stats" object
simstat() {  # <key>
    tr ',{}' '\n\n\n' </tmp/sa.sim.json | sed -n "s/^ *\"$1\" *: *\([0-9]*\) *$/\1/p" | tail -n 1
}
kstat() {  # <key>
    sed -n "s/^$1 //p" $d/stats
}
for key in media_write_bytes erases gc_blocks gc_pages gc_foreground; do
    t_eq "$P/$key" "$(simstat $key)" "$(kstat $key)"
done
t_eq $P/host-write-bytes "$(simstat host_write_bytes)" "$(kstat write_bytes)"
t_check $P/gc-happened test "$(kstat gc_blocks)" -gt 0
t_log "module: host $(kstat write_bytes) B, media $(kstat media_write_bytes) B, erases $(kstat erases), gc pages $(kstat gc_pages)"
t_log "sim:    host $(simstat host_write_bytes) B, media $(simstat media_write_bytes) B, erases $(simstat erases), gc pages $(simstat gc_pages)"
# first number <key> after the first line containing <anchor>
json_after() {  # <file> <anchor> <key>
    tr ',{}' '\n\n\n' <"$1" | awk -v a="$2" -v k="\"$3\"" '
        index($0, a) { on = 1 }
        on && index($0, k) { sub(/.*: */, ""); print int($0); exit }'
}
t_log "mean write latency: VM $(json_after /tmp/sa.fio.json '"write"' mean) ns (fio clat, with TCG's overhead), sim $(json_after /tmp/sa.sim.json '"write"' mean) ns; IOPS VM $(json_after /tmp/sa.fio.json '"write"' iops), sim $(json_after /tmp/sa.sim.json '"write"' iops)"

rmdir $d $NV/agree
t_check $P/rmmod rmmod nvmev
rm -f /tmp/sa.*
t_dmesg_clean $P/dmesg-clean
exit 0
