#!/bin/sh
# shellcheck shell=dash
# Controller resets: 5 resets (sysfs reset_controller) while fio writes
# flat out with 2 jobs at queue depth 32, then every block fio wrote is verified in a
# separate pass (a lost acknowledged write reads back as zeroes, because the
# region is zeroed first); 10 resets in a row with no I/O; nvme reset
# (ioctl); a reset during a whole-namespace deallocate; the device works and
# nvme list shows it afterwards.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=reset
BLKDISCARD=/usr/sbin/blkdiscard    # not busybox's applet: it has no -z
RESET_LIMIT=60                      # seconds one reset may take

t_check $P/insmod nvmev_load || {
    t_dmesg_clean $P/dmesg-clean
    exit 0
}
CTRL=${NVMEV_CTRL#/dev/}
RESET_ATTR=/sys/class/nvme/$CTRL/reset_controller

HUNG=0
# One reset through sysfs; sets RESET_MS. Fails if it errors or hangs.
do_reset() {
    local start pid
    start=$(now_ms)
    sh -c "echo 1 >$RESET_ATTR" &
    pid=$!
    if ! wait_for $pid $RESET_LIMIT; then
        HUNG=1
        echo "## reset did not finish within $RESET_LIMIT s; controller state: $(cat /sys/class/nvme/"$CTRL"/state)"
        return 1
    fi
    RESET_MS=$(($(now_ms) - start))
    [ "$WAIT_RC" -eq 0 ]
}

ctrl_live() {
    local tries=50
    while [ $tries -gt 0 ]; do
        [ "$(cat /sys/class/nvme/"$CTRL"/state)" = live ] && return 0
        usleep 100000
        tries=$((tries - 1))
    done
    echo "state: $(cat /sys/class/nvme/"$CTRL"/state)"
    return 1
}

roundtrip() {  # <byte offset>
    head -c 1048576 /dev/urandom >/tmp/r.pat &&
        /usr/bin/dd if=/tmp/r.pat of="$NVMEV_NS" bs=64K oflag=direct,seek_bytes seek="$1" 2>/dev/null &&
        /usr/bin/dd if="$NVMEV_NS" of=/tmp/r.rd bs=64K iflag=direct,skip_bytes,count_bytes \
            skip="$1" count=1048576 2>/dev/null &&
        [ "$(sha256sum </tmp/r.pat)" = "$(sha256sum </tmp/r.rd)" ]
}

finish() {
    if [ $HUNG -eq 1 ]; then
        # rmmod would hang too; leave the module for the console log.
        t_fail $P/rmmod "skipped: a reset hung"
    else
        t_check $P/rmmod nvmev_unload
    fi
    t_dmesg_clean $P/dmesg-clean
    exit 0
}

io_errors() {  # kernel I/O errors / timeouts / aborts since the mark
    t_dmesg_since_mark | grep -iE 'I/O error|timeout|abort|reset failed|failure|disabling|removing' |
        grep -v 'nvmev-test-mark'
}

# ---- 5 resets during I/O

JOB_REGION=128M     # per job; 2 jobs: bytes 0..256M
SEED=$(($(od -An -N4 -tu4 /dev/urandom | tr -d ' ') + 1))
FIO_JOB="--name=resetwrite --filename=$NVMEV_NS --ioengine=libaio --direct=1
    --rw=randwrite --bs=4k --iodepth=32 --numjobs=2 --size=$JOB_REGION
    --offset=0 --offset_increment=$JOB_REGION --randseed=$SEED
    --verify=crc32c --verify_fatal=1 --verify_dump=0 --group_reporting"

resets_during_io() {
    local i pid during=0 times="" fio_rc
    # zero the region, so a lost write cannot read back as an older copy
    t_check $P/zero-region $BLKDISCARD -f -z -o 0 -l $((2 * 128 * 1048576)) "$NVMEV_NS" || return
    # shellcheck disable=SC2086 # FIO_JOB is a list of options
    fio $FIO_JOB --do_verify=0 --eta=never --output=/tmp/r.fio-write.log &
    pid=$!
    sleep 1
    i=1
    while [ $i -le 5 ]; do
        kill -0 $pid 2>/dev/null && during=$((during + 1))
        if ! do_reset; then
            t_fail $P/io-reset-$i "reset $i failed or hung (state $(cat /sys/class/nvme/"$CTRL"/state))"
            [ $HUNG -eq 1 ] && return
        fi
        times="$times ${RESET_MS}ms"
        kill -0 $pid 2>/dev/null || during=$((during - 1))
        usleep $((50000 + $(od -An -N4 -tu4 /dev/urandom | tr -d ' ') % 450000))
        i=$((i + 1))
    done
    t_log "resets during I/O took:$times"
    t_eq $P/5-resets-while-fio-runs 5 $during
    if ! wait_for $pid 300; then
        kill $pid
        t_fail $P/fio-write-phase "fio did not finish within 300 s after the resets"
        return
    fi
    fio_rc=$WAIT_RC
    if [ $fio_rc -eq 0 ]; then
        t_pass $P/fio-write-phase-no-errors
    else
        echo "## fio write phase:"
        tail -n 30 /tmp/r.fio-write.log | sed 's/^/##   /'
        t_fail $P/fio-write-phase-no-errors "fio exited with status $fio_rc: $(grep -m1 -i err /tmp/r.fio-write.log)"
    fi
    t_check $P/ctrl-live-after-io-resets ctrl_live
    # every acknowledged write is there
    # shellcheck disable=SC2086
    t_check $P/fio-verify-after-resets fio $FIO_JOB --do_verify=1 --verify_only
    local errs
    errs=$(io_errors)
    if [ -z "$errs" ]; then
        t_pass $P/no-io-errors-in-kernel-log
    else
        echo "$errs" | head -n 20 | sed 's/^/##   /'
        t_fail $P/no-io-errors-in-kernel-log "$(echo "$errs" | wc -l) lines, first: $(echo "$errs" | head -n 1)"
    fi
    rm -f /tmp/r.fio-write.log
}
resets_during_io
[ $HUNG -eq 1 ] && finish

# ---- a reset while a deallocate of the whole namespace is running (the
# longest single command there is: it zeroes 2 GiB)
reset_during_deallocate() {
    local pid rd_pid rd_ms t0 d_ms d2_ms
    # How long one takes depends on the kernel's memset under TCG (2.6 s on
    # 6.1, under 0.4 s seen on 6.12): time two, then reset a third of the
    # way into the next by the faster (one slowed by the host, 1350 ms
    # against ~400, put the reset after the next had ended)
    t0=$(now_ms)
    t_check $P/dealloc-timed $BLKDISCARD -f "$NVMEV_NS" || return
    d_ms=$(($(now_ms) - t0))
    t0=$(now_ms)
    $BLKDISCARD -f "$NVMEV_NS" || return
    d2_ms=$(($(now_ms) - t0))
    t_log "two whole-namespace deallocates took $d_ms and $d2_ms ms"
    [ "$d2_ms" -lt "$d_ms" ] && d_ms=$d2_ms
    t_check $P/dealloc-fill fio --name=fill --filename="$NVMEV_NS" --rw=write --bs=1M \
        --ioengine=libaio --direct=1 --iodepth=4 --size=32M --offset=1G \
        --buffer_pattern=0xa5 --eta=never || return
    $BLKDISCARD -f "$NVMEV_NS" >/tmp/r.discard.log 2>&1 &
    pid=$!
    usleep $((d_ms * 1000 / 4))
    # how long a 4k read waits behind it (informational)
    sh -c "t0=\$(cut -d' ' -f1 /proc/uptime)
        /usr/bin/dd if=$NVMEV_NS of=/dev/null bs=4k count=1 skip=1000 iflag=direct 2>/dev/null
        echo \$t0 \$(cut -d' ' -f1 /proc/uptime) >/tmp/r.read-time" &
    rd_pid=$!
    usleep $((d_ms * 1000 / 12))
    if kill -0 $pid 2>/dev/null; then
        t_pass $P/dealloc-still-running-at-reset
    else
        t_fail $P/dealloc-still-running-at-reset "the deallocate finished within $((d_ms / 3)) ms (a third of the timed one); the reset did not overlap it"
    fi
    if do_reset; then
        t_pass $P/dealloc-reset
    else
        t_fail $P/dealloc-reset "reset during deallocate failed or hung"
        [ $HUNG -eq 1 ] && return
    fi
    wait_for $rd_pid 120
    rd_ms=$(awk '{ printf "%d", ($2 - $1) * 1000 }' /tmp/r.read-time 2>/dev/null)
    t_log "reset during a whole-namespace deallocate took ${RESET_MS} ms; a 4k read issued during the deallocate took ${rd_ms:-?} ms"
    if wait_for $pid 120 && [ "$WAIT_RC" -eq 0 ]; then
        t_pass $P/dealloc-completes
    else
        t_fail $P/dealloc-completes "blkdiscard: $(cat /tmp/r.discard.log)"
    fi
    t_check $P/dealloc-ctrl-live ctrl_live
    t_check $P/dealloc-reads-zero sh -c "/usr/bin/dd if=$NVMEV_NS bs=1M skip=1024 count=32 iflag=direct 2>/dev/null | tr -d '\\000' | wc -c | grep -qx 0"
}
reset_during_deallocate
[ $HUNG -eq 1 ] && finish

# ---- 10 resets in a row, no I/O

idle_resets() {
    local i ok=0 times=""
    for i in 1 2 3 4 5 6 7 8 9 10; do
        if do_reset; then
            ok=$((ok + 1))
            times="$times ${RESET_MS}ms"
        else
            [ $HUNG -eq 1 ] && break
        fi
    done
    t_log "idle resets took:$times"
    t_eq $P/10-idle-resets 10 $ok
}
idle_resets
[ $HUNG -eq 1 ] && finish
t_check $P/ctrl-live-after-idle-resets ctrl_live
t_check $P/nvme-reset-ioctl nvme reset "$NVMEV_CTRL"
t_check $P/ctrl-live-after-ioctl-reset ctrl_live
t_check $P/nvme-list-shows-device sh -c "nvme list | grep -i 'nvmev NVM SSD' | grep -q '$NVMEV_NS'"
t_check $P/id-ctrl-after-resets nvme id-ctrl "$NVMEV_CTRL"
t_check $P/roundtrip-after-resets roundtrip $((512 * 1048576))
t_check $P/fio-verify-after-resets-again fio --name=after --filename="$NVMEV_NS" \
    --ioengine=libaio --direct=1 --rw=randwrite --bs=4k --iodepth=16 --size=16M \
    --offset=256M --verify=crc32c --do_verify=1 --verify_fatal=1
rm -f /tmp/r.*
finish
