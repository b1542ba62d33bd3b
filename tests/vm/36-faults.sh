#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2015 # t_pass never fails
# Fault injection (docs/faults.md), every kind seen from the host:
#  - command errors by rule: op, LBA range, status, once / count / every
#    Nth / probability with a seed (same seed, same failures); retryable
#    statuses are retried by the host (dd succeeds), DNR ones are not;
#    each lands in the Error Information log with its LBA, and in the
#    fault counters of the controller and namespace statistics;
#  - an Unrecovered Read Error rule leaves a bad sector: reads fail after
#    the rule is spent, until the LBAs are written; "bad lba=" marks at
#    once; SMART Media Errors counts them;
#  - admin command errors;
#  - a write-protected namespace: 0x4020 and a read-only block device;
#  - added latency, fixed and as spikes (fio's mean and max);
#  - a lost command: the host times out, aborts, resets, and the I/O
#    completes with its data; an abortable one ends with the Abort;
#  - Controller Fatal Status after N commands and on demand, under a fio
#    verify: the host resets the controller and the data verifies;
#  - health: temperature, spare, read-only media in SMART, the SMART event
#    the host enabled (its trace), read-only media refusing writes;
#  - surprise removal under I/O, and the function's return with its data;
#  - ext4 mounted errors=remount-ro stops changes on a write fault;
#    remounted after the fault is cleared, fsck is clean.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=faults
T=$T_TMP/faults
mkdir -p "$T"
run() { nvme_run "$@"; }

nv_configfs_mount
t_check $P/insmod nvmev_load || { t_dmesg_clean $P/dmesg-clean; exit 0; }
NS=$NVMEV_NS
CTRL=$NVMEV_CTRL
C=$NV/nvmev0
N=$C/namespaces/1
BS=$(cat "/sys/block/${NS#/dev/}/queue/logical_block_size")

read_st() {  # <slba> [nlb]: status of an nvme-cli Read into $T/r
    rm -f "$T/r"
    run nvme read "$NS" -s "$1" -c $((${2:-1} - 1)) -z $((${2:-1} * BS)) -d "$T/r"
    echo "$ST"
}
write_st() {  # <slba> <file> <nlb>
    run nvme write "$NS" -s "$1" -c $(($3 - 1)) -z $(($3 * BS)) -d "$2"
    echo "$ST"
}
cstat() { sed -n "s/^$1 //p" "$C/stats"; }
rfield() {  # <faults file> <field>: of its first rule, e.g. fired
    sed -n "s/^[0-9]*: .* $2=\([0-9]*\).*/\1/p" "$1" | head -n 1
}
smart() {  # <json field>
    run nvme smart-log "$CTRL" -o json
    sed -n "s/.*\"$1\" *: *\"\{0,1\}\([0-9]*\).*/\1/p" "$T_OUT" | head -n 1
}

head -c $((64 * BS)) /dev/urandom >"$T/pat"
/usr/bin/dd if="$T/pat" of="$NS" bs="$BS" seek=100 count=64 oflag=direct 2>/dev/null

# ---- rules: syntax
t_expect_fail $P/refuse-no-status sh -c "echo 'op=read' >$N/faults"
t_expect_fail $P/refuse-bad-op sh -c "echo 'op=frobnicate status=0x6' >$N/faults"
t_expect_fail $P/refuse-admin-on-ns sh -c "echo 'op=admin status=0x6' >$N/faults"
t_expect_fail $P/refuse-bad-lba sh -c "echo 'op=read lba=9-3 status=0x6' >$N/faults"
t_expect_fail $P/refuse-bad-prob sh -c "echo 'op=read prob=120% status=0x6' >$N/faults"

# ---- count=2, a retryable status: nvme-cli (no retries) sees it twice
echo "op=read lba=100-107 status=internal count=2" >"$N/faults"
t_eq $P/count-first 0x6 "$(read_st 100)"
t_eq $P/count-second 0x6 "$(read_st 104)"
t_eq $P/count-then-ok 0x0 "$(read_st 100)"
t_eq $P/count-outside-range 0x0 "$(read_st 108)"
t_eq $P/count-fired 2 "$(rfield "$N/faults" fired)"
run nvme error-log "$CTRL" -e 1 -o json
t_check $P/error-log-status grep -q '"status_field" *: *6[,}]' "$T_OUT"
t_check $P/error-log-lba grep -q '"lba" *: *104[,}]' "$T_OUT"
t_eq $P/ns-fault-errors 2 "$(nv_stat nvmev0/1 fault_errors)"
t_eq $P/ctrl-fault-errors 2 "$(cstat fault_errors)"
LAST=$(nv_stat nvmev0/1 fault_last_ms)
NOW=$(now_ms)
t_check $P/fault-last-ms test "$LAST" -gt 0 -a "$LAST" -le "$NOW"
echo clear >"$N/faults"
t_eq $P/clear "" "$(cat "$N/faults")"

# ---- retried by the host: 2 failures without DNR, dd still reads
echo "op=read lba=110 status=internal count=2" >"$N/faults"
t_check $P/host-retries /usr/bin/dd if="$NS" of="$T/r" bs="$BS" skip=110 count=1 iflag=direct
lbas() { /usr/bin/dd if="$T/pat" bs="$BS" skip="$1" count="$2" 2>/dev/null; }
lbas 10 1 >"$T/want"
t_check $P/host-retried-data cmp -s "$T/want" "$T/r"
t_eq $P/host-retries-fired 2 "$(rfield "$N/faults" fired)"
echo clear >"$N/faults"
# DNR: one attempt, EIO
echo "op=read lba=111 status=internal dnr=1" >"$N/faults"
t_expect_fail $P/dnr-eio /usr/bin/dd if="$NS" of=/dev/null bs="$BS" skip=111 count=1 iflag=direct
t_eq $P/dnr-not-retried 1 "$(rfield "$N/faults" matched)"
echo clear >"$N/faults"

# ---- every 3rd write fails with Write Fault (0x4280 with DNR)
echo "op=write status=write-fault every=3" >"$N/faults"
S=""
for i in 1 2 3 4 5 6; do S="$S $(write_st 200 "$T/pat" 1)"; done
t_eq $P/every-3rd " 0x0 0x0 0x4280 0x0 0x0 0x4280" "$S"
echo clear >"$N/faults"

# ---- fio with --continue_on_error sees exactly the injected errors (DNR)
echo "op=read status=internal dnr=1 prob=10% seed=5" >"$N/faults"
fio --name=coe --filename="$NS" --direct=1 --ioengine=psync --rw=randread \
    --bs=4k --size=8m --number_ios=200 --continue_on_error=all \
    --output="$T/coe.fio" >/dev/null 2>&1
ERRS=$(sed -n 's/.*errors *: total=\([0-9]*\).*/\1/p' "$T/coe.fio")
FIRED=$(rfield "$N/faults" fired)
t_log "fio continue_on_error: $ERRS errors, the rule fired $FIRED times"
t_check $P/fio-some-errors test "${FIRED:-0}" -ge 5
t_eq $P/fio-errors-are-injected "$FIRED" "$ERRS"
echo clear >"$N/faults"

# ---- probability with a seed: about half, the same pattern twice
pattern() {
    echo "op=read lba=300-301 status=internal prob=50% seed=42" >"$N/faults"
    S=""
    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        [ "$(read_st 300)" = 0x0 ] && S="${S}." || S="${S}x"
    done
    echo clear >"$N/faults"
    echo "$S"
}
A=$(pattern)
B=$(pattern)
t_log "prob=50% seed=42: $A"
t_eq $P/prob-same-seed-same-failures "$A" "$B"
FAILS=$(echo "$A" | tr -cd x | wc -c)
t_check $P/prob-about-half test "$FAILS" -ge 4 -a "$FAILS" -le 16

# ---- Unrecovered Read Error: a bad sector until rewritten
MEDIA0=$(smart media_errors)
echo "op=read lba=120-123 status=read-error once" >"$N/faults"
t_eq $P/ure-first 0x4281 "$(read_st 120 2)"
t_eq $P/ure-rule-spent 1 "$(rfield "$N/faults" fired)"
t_eq $P/ure-stays-bad 0x4281 "$(read_st 121)"
t_eq $P/ure-only-read-lbas 0x0 "$(read_st 122 2)"
t_expect_fail $P/ure-dd-eio /usr/bin/dd if="$NS" of=/dev/null bs="$BS" skip=120 count=1 iflag=direct
t_check $P/ure-media-errors test "$(smart media_errors)" -gt "$MEDIA0"
t_check $P/ure-bad-count grep -q '^bad_lbas 2$' "$N/faults"
lbas 20 2 >"$T/two"
t_eq $P/ure-rewrite 0x0 "$(write_st 120 "$T/two" 2)"
t_eq $P/ure-rewritten-reads 0x0 "$(read_st 120 2)"
t_check $P/ure-rewritten-data cmp -s "$T/two" "$T/r"
echo clear >"$N/faults"
echo "bad lba=130-133" >"$N/faults"
t_eq $P/bad-range 0x4281 "$(read_st 133)"
run nvme dsm "$NS" -n 1 --ad -s 130 -b 4
t_eq $P/bad-range-deallocated 0x0 "$(read_st 130 4)"
t_check $P/bad-range-zeroes is_zero "$T/r"
t_expect_fail $P/bad-beyond sh -c "echo 'bad lba=999999999999' >$N/faults"

# ---- admin command error
echo "op=admin:0x06 status=internal once" >"$C/faults"
run nvme id-ctrl "$CTRL"
t_eq $P/admin-error 0x6 "$ST"
run nvme id-ctrl "$CTRL"
t_eq $P/admin-once 0x0 "$ST"
echo clear >"$C/faults"

# ---- write protection
echo 1 >"$N/write_protect"
t_eq $P/wp-write 0x4020 "$(write_st 200 "$T/pat" 1)"
t_eq $P/wp-read 0x0 "$(read_st 200)"
run nvme id-ns "$NS" -o json
t_check $P/wp-nsattr grep -q '"nsattr" *: *1[,}]' "$T_OUT"
i=0
while [ "$(cat "/sys/block/${NS#/dev/}/ro")" != 1 ] && [ $i -lt 50 ]; do usleep 100000; i=$((i + 1)); done
t_eq $P/wp-block-ro 1 "$(cat "/sys/block/${NS#/dev/}/ro")"
echo 0 >"$N/write_protect"
i=0
while [ "$(cat "/sys/block/${NS#/dev/}/ro")" != 0 ] && [ $i -lt 50 ]; do usleep 100000; i=$((i + 1)); done
t_eq $P/wp-off-block-rw 0 "$(cat "/sys/block/${NS#/dev/}/ro")"
t_eq $P/wp-off-write 0x0 "$(write_st 200 "$T/pat" 1)"

# ---- health: temperature, spare, read-only media; the SMART event
# before any reset: a reset makes Linux set Feature 0Bh to its own choice
mount -t tracefs none /sys/kernel/tracing 2>/dev/null
TR=/sys/kernel/tracing
echo 1 >"$TR/events/nvme/nvme_async_event/enable" 2>/dev/null
echo >"$TR/trace" 2>/dev/null
echo 1 >"$TR/tracing_on" 2>/dev/null	# 10-identity leaves it off
run nvme set-feature "$CTRL" -f 0x0b -v 0x1f
t_eq $P/aen-enable 0x0 "$ST"
echo 80 >"$C/temperature"
i=0
while ! grep -q 'NVME_AEN=0x020101' "$TR/trace" 2>/dev/null && [ $i -lt 50 ]; do usleep 100000; i=$((i + 1)); done
t_check $P/smart-event-temperature grep -q 'NVME_AEN=0x020101' "$TR/trace"
t_eq $P/smart-temp-warning 2 "$(smart critical_warning)"
t_eq $P/smart-temperature 353 "$(smart temperature)"
echo 40 >"$C/temperature"
echo 5 >"$C/avail_spare"
i=0
while ! grep -q 'NVME_AEN=0x020201' "$TR/trace" 2>/dev/null && [ $i -lt 50 ]; do usleep 100000; i=$((i + 1)); done
t_check $P/smart-event-spare grep -q 'NVME_AEN=0x020201' "$TR/trace"
t_eq $P/smart-spare-warning 1 "$(smart critical_warning)"
t_eq $P/smart-avail-spare 5 "$(smart avail_spare)"
echo 100 >"$C/avail_spare"
echo 1 >"$C/media_ro"
t_eq $P/media-ro-warning 8 "$(smart critical_warning)"
t_eq $P/media-ro-write 0x4020 "$(write_st 200 "$T/pat" 1)"
t_eq $P/media-ro-read 0x0 "$(read_st 200)"
echo 0 >"$C/media_ro"
t_eq $P/media-rw-again 0x0 "$(write_st 200 "$T/pat" 1)"
t_eq $P/health-clear 0 "$(smart critical_warning)"
echo 0 >"$TR/events/nvme/nvme_async_event/enable" 2>/dev/null

# ---- latency: fixed, then spikes
fio_lat() {  # <args>: "<mean us> <max us>" of reads (terse v3)
    fio --name=lat --filename="$NS" --direct=1 --size=16m --ioengine=psync \
        --rw=randread --bs=4k --output-format=terse --terse-version=3 "$@" \
        2>/dev/null | awk -F';' '{ printf "%d %d\n", $40, $39 }'
}
set -- $(fio_lat --number_ios=40)
BASE=$1
echo "op=read delay=20ms" >"$N/faults"
set -- $(fio_lat --number_ios=40)
t_log "read latency: base mean $BASE us; with delay=20ms mean $1 us"
t_check $P/delay-fixed test "$1" -ge $((BASE + 19000))
echo clear >"$N/faults"
echo "op=read delay=100ms prob=5% seed=3" >"$N/faults"
set -- $(fio_lat --number_ios=200)
SPIKES=$(rfield "$N/faults" fired)
t_log "spikes: $SPIKES of 200 reads, mean $1 us, max $2 us"
t_check $P/spikes-some test "$SPIKES" -ge 2 -a "$SPIKES" -le 30
t_check $P/spikes-max test "$2" -ge 100000
t_check $P/spikes-mean test "$1" -lt 50000
echo clear >"$N/faults"

# ---- lost commands: timeout, Abort, reset; then an abortable one
QT=/sys/block/${NS#/dev/}/queue/io_timeout
echo 3000 >"$QT"
t_kmsg_mark
echo "op=read lba=140 lose once" >"$N/faults"
t_check $P/lost-read-completes /usr/bin/dd if="$NS" of="$T/r" bs="$BS" skip=140 count=1 iflag=direct
lbas 40 1 >"$T/want"
t_check $P/lost-read-data cmp -s "$T/want" "$T/r"
t_kmsg_since >"$T/k"
t_check $P/lost-aborted grep -q 'timeout, aborting' "$T/k"
t_check $P/lost-reset grep -q 'timeout, reset controller' "$T/k"
t_eq $P/lost-counted 1 "$(nv_stat nvmev0/1 fault_lost)"
echo clear >"$N/faults"
NS_AGAIN=$NS
nvme_wait_device "$NVMEV_MODEL_PATTERN" 30 >/dev/null
NS=$NVMEV_NS
QT=/sys/block/${NS#/dev/}/queue/io_timeout
echo 3000 >"$QT"
t_eq $P/lost-same-device "$NS_AGAIN" "$NS"
t_kmsg_mark
echo "op=read lba=141 abortable once" >"$N/faults"
t_check $P/abortable-completes /usr/bin/dd if="$NS" of="$T/r" bs="$BS" skip=141 count=1 iflag=direct
lbas 41 1 >"$T/want"
t_check $P/abortable-data cmp -s "$T/want" "$T/r"
t_kmsg_since >"$T/k"
t_check $P/abortable-aborted grep -q 'timeout, aborting' "$T/k"
t_expect_fail $P/abortable-no-reset grep -q 'reset controller' "$T/k"
echo clear >"$N/faults"

# ---- Controller Fatal Status: after N commands, then now, under verify
verify_job() {  # <name>: fio writes and verifies 8 MiB
    fio --name="$1" --filename="$NS" --direct=1 --ioengine=libaio --iodepth=8 \
        --rw=randwrite --bs=4k --size=8m --offset=32m --verify=crc32c \
        --do_verify=1 --output="$T/$1.fio" >/dev/null 2>&1
}
t_kmsg_mark
echo "after 50" >"$C/fault_cfs"
t_eq $P/cfs-armed "after 50" "$(cat "$C/fault_cfs")"
t_check $P/cfs-after-verify verify_job cfs1
t_kmsg_since >"$T/k"
t_check $P/cfs-after-reset grep -q 'controller is down; will reset' "$T/k"
t_eq $P/cfs-spent off "$(cat "$C/fault_cfs")"
nvme_wait_device "$NVMEV_MODEL_PATTERN" 30 >/dev/null && NS=$NVMEV_NS
echo 3000 >"/sys/block/${NS#/dev/}/queue/io_timeout"
t_kmsg_mark
verify_job cfs2 &
JOB=$!
sleep 1
echo now >"$C/fault_cfs"
wait_for $JOB 90
t_check $P/cfs-now-verify wait $JOB
t_kmsg_since >"$T/k"
t_check $P/cfs-now-reset grep -q 'controller is down; will reset' "$T/k"

# ---- surprise removal under I/O, and the return
# (fio must not make a regular file of the vanished /dev node: then the
# returning namespace would find its name taken)
fio --name=unplug --filename="$NS" --direct=1 --ioengine=libaio --iodepth=8 \
    --rw=randread --bs=4k --size=32m --time_based --runtime=30 \
    --allow_file_create=0 --output="$T/unplug.fio" >/dev/null 2>&1 &
JOB=$!
sleep 2
echo 0 >"$C/present"
i=0
while [ -b "$NS" ] && [ $i -lt 100 ]; do usleep 100000; i=$((i + 1)); done
t_check $P/unplug-device-gone test ! -b "$NS"
t_eq $P/unplug-present 0 "$(cat "$C/present")"
wait_for $JOB 60
t_expect_fail $P/unplug-io-failed wait $JOB
t_check $P/unplug-no-stray-file test ! -e "$NS"
echo 1 >"$C/present"
t_check $P/unplug-back nvme_wait_device "$NVMEV_MODEL_PATTERN" 30
NS=$NVMEV_NS
CTRL=$NVMEV_CTRL
rm -f "$T/r"
/usr/bin/dd if="$NS" of="$T/r" bs="$BS" skip=100 count=20 iflag=direct 2>/dev/null
lbas 0 20 >"$T/want"
t_check $P/unplug-data-kept cmp -s "$T/want" "$T/r"

# ---- ext4 goes read only on a write fault; clean after recovery
t_check $P/mkfs mkfs.ext4 -q -F "$NS"
mkdir -p /mnt/f
t_check $P/mount mount -o errors=remount-ro "$NS" /mnt/f
head -c 1048576 /dev/urandom >/mnt/f/a && sync
t_kmsg_mark
echo "op=write status=write-fault" >"$N/faults"
head -c 1048576 /dev/urandom >/mnt/f/b 2>/dev/null
sync 2>/dev/null
# 6.1's ext4 stops every change ("Remounting filesystem read-only") but
# leaves the mount flags as they were
i=0
while ! t_kmsg_since | grep -q 'Remounting filesystem read-only' && [ $i -lt 100 ]; do
    touch /mnt/f/c 2>/dev/null; sync 2>/dev/null; usleep 100000; i=$((i + 1))
done
t_kmsg_since >"$T/k"
t_check $P/ext4-read-only grep -q 'Remounting filesystem read-only' "$T/k"
t_expect_fail $P/ext4-refuses-changes touch /mnt/f/d
umount /mnt/f
echo clear >"$N/faults"
t_check $P/ext4-remount mount "$NS" /mnt/f
t_check $P/ext4-old-file test -s /mnt/f/a
umount /mnt/f
t_check $P/ext4-fsck-clean e2fsck -fn "$NS"

t_check $P/rmmod nvmev_unload
rm -rf "$T"
t_dmesg_clean $P/dmesg-clean
exit 0
