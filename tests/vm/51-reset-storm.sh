#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2317,SC2015,SC2086,SC2046 # helpers via t_check; t_pass never fails; word lists
# Storms:
#  - 30 controller resets in 30 s while two fio jobs write with crc32c
#    verify headers at queue depth 32 on every queue they use, then a
#    verify pass over everything written (a lost acknowledged write reads
#    back as zeroes: the region is zeroed first).  Queues are deleted and
#    created under load each time (the Delete CQ path of the reset);
#  - PCI remove and rescan of the function (sysfs), idle and under I/O:
#    the device goes, comes back at the same address with BAR0 claimed,
#    the nvme driver binds again and the data is intact;
#  - rmmod while the function is removed, then a reload that finds the data.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=storm
BLKDISCARD=/usr/sbin/blkdiscard
RESET_LIMIT=60

t_check $P/insmod nvmev_load || {
    t_dmesg_clean $P/dmesg-clean
    exit 0
}
CTRL=${NVMEV_CTRL#/dev/}

HUNG=0
do_reset() {  # one reset through sysfs; fails if it errors or hangs
    local pid
    sh -c "echo 1 >/sys/class/nvme/$CTRL/reset_controller" &
    pid=$!
    if ! wait_for $pid $RESET_LIMIT; then
        HUNG=1
        return 1
    fi
    [ "$WAIT_RC" -eq 0 ]
}

ctrl_live() {
    local tries=100
    while [ $tries -gt 0 ]; do
        [ "$(cat /sys/class/nvme/"$CTRL"/state 2>/dev/null)" = live ] && return 0
        usleep 100000
        tries=$((tries - 1))
    done
    return 1
}

finish() {
    if [ $HUNG -eq 1 ]; then
        t_fail $P/rmmod "skipped: a reset or removal hung"
    else
        grep -q '^nvmev ' /proc/modules && t_check $P/rmmod nvmev_unload
    fi
    t_dmesg_clean $P/dmesg-clean
    exit 0
}

# ---- 30 resets in 30 s under verified writes
# The writers run in chunks (two jobs of 32 MiB each, random 4 KiB writes
# with crc32c headers at queue depth 32, a seed of their own) until the
# resets are over, so that the writes cover the whole storm and no more;
# then every chunk written is verified.

CHUNK=64                # MiB: 2 jobs x 32 MiB
MAX_CHUNKS=24           # 1.5 GiB
SEED=$(($(od -An -N4 -tu4 /dev/urandom | tr -d ' ') + 1))
chunk_job() {  # <n>: the fio options of chunk n
    echo "--name=storm$1 --filename=$NVMEV_NS --ioengine=libaio --direct=1
        --rw=randwrite --bs=4k --iodepth=32 --numjobs=2 --size=$((CHUNK / 2))M
        --offset=$(($1 * CHUNK))M --offset_increment=$((CHUNK / 2))M
        --randseed=$((SEED + $1)) --verify=crc32c --verify_fatal=1
        --verify_dump=0 --group_reporting --eta=never"
}
writer() {
    local n=0
    while [ ! -e /tmp/s.stop ] && [ $n -lt $MAX_CHUNKS ]; do
        fio $(chunk_job $n) --do_verify=0 >/tmp/s.fio.$n.log 2>&1 ||
            echo "chunk $n: fio exited with $?" >>/tmp/s.fail
        echo $n >>/tmp/s.chunks
        n=$((n + 1))
    done
}

reset_storm() {
    local i pid during=0 start took slow=0 t0 n
    rm -f /tmp/s.stop /tmp/s.fail /tmp/s.chunks
    t_check $P/zero-region $BLKDISCARD -f -z -o 0 -l $((MAX_CHUNKS * CHUNK * 1048576)) "$NVMEV_NS" || return
    writer &
    pid=$!
    sleep 1
    t0=$(now_ms)
    i=1
    while [ $i -le 30 ]; do
        start=$(now_ms)
        kill -0 $pid 2>/dev/null && during=$((during + 1))
        if ! do_reset; then
            t_fail $P/reset-$i "reset $i failed or hung (state $(cat /sys/class/nvme/"$CTRL"/state))"
            [ $HUNG -eq 1 ] && return
        fi
        took=$(($(now_ms) - start))
        [ $took -le 1000 ] || slow=$((slow + 1))
        [ $took -ge 1000 ] || usleep $(((1000 - took) * 1000))
        i=$((i + 1))
    done
    touch /tmp/s.stop
    t_log "30 resets in $(($(now_ms) - t0)) ms; $slow took over a second"
    t_eq $P/30-resets-during-writes 30 $during
    if ! wait_for $pid 600; then
        kill $pid
        t_fail $P/fio-writes "the writers did not stop within 600 s after the resets"
        return
    fi
    t_log "chunks written: $(wc -l </tmp/s.chunks) of $CHUNK MiB"
    if [ ! -s /tmp/s.fail ]; then
        t_pass $P/fio-writes-no-errors
    else
        t_fail $P/fio-writes-no-errors "$(head -n 3 /tmp/s.fail)"
    fi
    t_check $P/ctrl-live-after-storm ctrl_live
    # every acknowledged write is there
    local bad=""
    for n in $(cat /tmp/s.chunks); do
        fio $(chunk_job "$n") --do_verify=1 --verify_only >/tmp/s.verify.log 2>&1 ||
            bad="$bad $n"
    done
    [ -z "$bad" ] && t_pass $P/verify-everything-written ||
        t_fail $P/verify-everything-written "chunks failing verification:$bad ($(grep -m1 -i 'bad\|err' /tmp/s.verify.log))"
    rm -f /tmp/s.fio.* /tmp/s.verify.log /tmp/s.stop /tmp/s.chunks /tmp/s.fail
}
reset_storm
[ $HUNG -eq 1 ] && finish

# ---- PCI remove and rescan

BDF=$(nvmev_pci_devs)
PCI=/sys/bus/pci/devices/$BDF
pattern_at() {  # <byte offset>: write 1 MiB of random data there, keep it
    head -c 1048576 /dev/urandom >/tmp/s.pat.$1 &&
        /usr/bin/dd if=/tmp/s.pat.$1 of="$NVMEV_NS" bs=64K oflag=direct,seek_bytes seek="$1" 2>/dev/null
}
pattern_ok() {  # <byte offset>
    /usr/bin/dd if="$NVMEV_NS" of=/tmp/s.rd bs=64K iflag=direct,skip_bytes,count_bytes \
        skip="$1" count=1048576 2>/dev/null &&
        cmp -s /tmp/s.pat.$1 /tmp/s.rd
}
gone() {  # the function and its nvme devices are gone
    local tries=100
    while [ $tries -gt 0 ]; do
        [ ! -e "$PCI" ] && [ ! -e "$NVMEV_CTRL" ] && return 0
        usleep 100000
        tries=$((tries - 1))
    done
    return 1
}
back() {  # rescan; the function comes back and nvme binds
    echo 1 >/sys/bus/pci/rescan && [ -e "$PCI" ] &&
        nvme_wait_device "$NVMEV_MODEL_PATTERN" 30 && CTRL=${NVMEV_CTRL#/dev/} &&
        ctrl_live
}
remove() {
    sh -c "echo 1 >$PCI/remove" &
    local pid=$!
    wait_for $pid 60 || { HUNG=1; return 1; }
    [ "$WAIT_RC" -eq 0 ] && gone
}

if [ -z "$BDF" ] || [ ! -e "$PCI" ]; then
    t_fail $P/pci-function "no nvmev PCI function found"
    finish
fi
t_check $P/pattern-before-remove pattern_at $((1600 * 1048576))
t_check $P/remove-idle remove || { [ $HUNG -eq 1 ] && finish; }
t_check $P/bar-unclaimed-while-removed sh -c "! grep -q '$BDF' /proc/iomem"
t_check $P/configfs-keeps-address grep -qx "$BDF" /sys/kernel/config/nvmev/nvmev0/pci
t_check $P/rescan-idle back
t_check $P/bar-claimed-again grep -q "$BDF" /proc/iomem
t_check $P/same-address test -e "$PCI"
t_check $P/data-after-rescan pattern_ok $((1600 * 1048576))
t_check $P/io-after-rescan fio --name=after --filename="$NVMEV_NS" --allow_file_create=0 --ioengine=libaio \
    --direct=1 --rw=randwrite --bs=4k --iodepth=16 --size=16M --offset=1700M \
    --verify=crc32c --do_verify=1 --verify_fatal=1 --eta=never

# under I/O: the writes in flight fail (the device is gone), the rest stays
t_check $P/pattern-before-busy-remove pattern_at $((1650 * 1048576))
# (--allow_file_create=0: a job that opens the device after it is gone
# would make /dev/nvme0n1 a regular file, and devtmpfs could then never
# put the node back; seen on the debug kernel, where a job started late)
WRITES0=$(awk '{ print $5 }' /sys/block/${NVMEV_NS#/dev/}/stat)
fio --name=busy --filename="$NVMEV_NS" --ioengine=libaio --direct=1 --rw=randwrite \
    --bs=4k --iodepth=32 --numjobs=2 --size=64M --offset=0 --time_based --runtime=600 \
    --allow_file_create=0 --eta=never --output=/tmp/s.busy.log &
FIO=$!
# the device is removed once writes flow (at least 2 s, at most 60 s)
sleep 2
tries=580
while [ $tries -gt 0 ] &&
    [ $(($(awk '{ print $5 }' /sys/block/${NVMEV_NS#/dev/}/stat) - WRITES0)) -lt 256 ]; do
    usleep 100000
    tries=$((tries - 1))
done
if kill -0 $FIO 2>/dev/null; then
    t_pass $P/fio-running-at-remove
else
    t_fail $P/fio-running-at-remove "fio ended early: $(tail -n 3 /tmp/s.busy.log)"
fi
t_check $P/remove-under-io remove || { [ $HUNG -eq 1 ] && finish; }
if wait_for $FIO 60; then
    t_pass $P/fio-ends-after-remove
else
    kill -9 $FIO
    t_fail $P/fio-ends-after-remove "fio still running 60 s after the device was removed"
fi
t_check $P/node-not-a-file sh -c "[ ! -f $NVMEV_NS ]"
t_check $P/rescan-after-busy-remove back
t_check $P/data-after-busy-remove pattern_ok $((1650 * 1048576))
t_check $P/earlier-data-still-there pattern_ok $((1600 * 1048576))
t_check $P/io-after-busy-rescan fio --name=after2 --filename="$NVMEV_NS" --allow_file_create=0 --ioengine=libaio \
    --direct=1 --rw=randwrite --bs=4k --iodepth=16 --size=16M --offset=1700M \
    --verify=crc32c --do_verify=1 --verify_fatal=1 --eta=never

# ---- unload while removed, then reload: the data is kept
t_check $P/remove-before-rmmod remove || { [ $HUNG -eq 1 ] && finish; }
t_check $P/rmmod-while-removed rmmod nvmev
t_check $P/nothing-left-after-rmmod nvmev_gone
if t_check $P/reload nvmev_load; then
    t_check $P/data-after-reload pattern_ok $((1650 * 1048576))
    t_check $P/rmmod-after-reload nvmev_unload
fi
rm -f /tmp/s.*
t_dmesg_clean $P/dmesg-clean
exit 0
