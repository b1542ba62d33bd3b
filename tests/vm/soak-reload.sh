#!/bin/sh
# shellcheck shell=dash
# Soak (not part of the suite; minutes to hours): load and unload nvmev many
# times, checking the data every cycle.  Each cycle loads the module, finds
# the block written by the previous cycle (its own offset, a pattern naming
# the cycle) and the first cycle's block, writes its own, unloads, and
# checks that nothing is left behind.  Run with
#   scripts/vm/run.sh --timeout 14400 --append nvmev_soak=1000 soak-reload
# Prints one line per 50 cycles and a summary; every check is a result.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=soak
N=$(sed -n 's/.*nvmev_soak=\([0-9]*\).*/\1/p' /proc/cmdline)
N=${N:-100}
NVMEV_DEV_BEFORE=$(echo /dev/nvme*)
MEMFREE0=$(awk '/MemFree/ { print $2 }' /proc/meminfo)

block() {  # <cycle>: the 4 KiB block of that cycle, as a file
    { printf 'nvmev soak cycle %08d\n' "$1"; head -c 4096 /dev/zero; } |
        head -c 4096 >/tmp/soak.blk
}
offset() { echo $((($1 % 4096) * 4096 + 1048576)); }   # bytes

fails=0
start=$(cut -d' ' -f1 /proc/uptime)
i=1
while [ $i -le "$N" ]; do
    why=""
    if ! nvmev_load wipe=$([ $i -eq 1 ] && echo 1 || echo 0) >/tmp/soak.load 2>&1; then
        why="load: $(tail -n 2 /tmp/soak.load | tr '\n' ' ')"
    else
        if [ $i -gt 1 ]; then
            block $((i - 1))
            /usr/bin/dd if="$NVMEV_NS" of=/tmp/soak.rd bs=4096 count=1 iflag=direct,skip_bytes \
                skip="$(offset $((i - 1)))" 2>/dev/null
            cmp -s /tmp/soak.blk /tmp/soak.rd || why="cycle $((i - 1))'s block is not there"
            block 1
            /usr/bin/dd if="$NVMEV_NS" of=/tmp/soak.rd bs=4096 count=1 iflag=direct,skip_bytes \
                skip="$(offset 1)" 2>/dev/null
            [ $i -gt 4096 ] || cmp -s /tmp/soak.blk /tmp/soak.rd || why="$why; cycle 1's block is not there"
        fi
        block $i
        /usr/bin/dd if=/tmp/soak.blk of="$NVMEV_NS" bs=4096 count=1 oflag=direct,seek_bytes \
            seek="$(offset $i)" 2>/dev/null || why="$why; write failed"
        nvmev_unload >/tmp/soak.unload 2>&1 || why="$why; unload: $(tail -n 1 /tmp/soak.unload)"
        left=$(nvmev_gone) || why="$why; $left"
    fi
    if [ -n "$why" ]; then
        fails=$((fails + 1))
        t_fail "$P/cycle-$i" "$why"
        grep -q '^nvmev ' /proc/modules && rmmod nvmev
        [ $fails -lt 5 ] || break
    fi
    if [ $((i % 50)) -eq 0 ]; then
        t_log "cycle $i: $(awk -v a="$start" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.0f s", b - a }'), MemFree $(awk '/MemFree/ { print $2 }' /proc/meminfo) kB"
    fi
    i=$((i + 1))
done
i=$((i - 1))
t_eq $P/cycles-without-failure "$i" "$((i - fails))"
t_log "soak: $i cycles in $(awk -v a="$start" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.0f s", b - a }'); MemFree $MEMFREE0 -> $(awk '/MemFree/ { print $2 }' /proc/meminfo) kB"
t_check $P/nothing-left nvmev_gone
t_dmesg_clean $P/dmesg-clean
exit 0
