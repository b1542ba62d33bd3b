#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2317,SC2015,SC2086 # helpers via t_check; t_pass never fails; word lists
# A zone reset is all or nothing, even when a controller reset cuts in:
# a full 128 MiB zone is reset and, a moment later, the controller is
# reset.  Whatever happened to the command, a zone that reports Empty must
# read as zeroes (DLFEAT), and one that is still Full must hold its data.
# Then writes into the zone must read back, and reset-all leaves every
# zone empty and zero.  Three rounds, with the controller reset 150 to
# 450 ms after nvme-cli was started to send the zone reset.  Then a reset
# of all zones of a namespace with 131200 partly written zones.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=zns-race
nv_configfs_mount

ZONE=134217728          # bytes
ZMB=$((ZONE >> 20))
ZSE=0x10 ZSF=0xe0

insmod "$NVMEV_KO" memmap_start=4G memmap_size=2G nr_ctrls=0 cpus=2,3 ||
    { t_fail $P/insmod "insmod failed"; exit 0; }
t_pass $P/insmod
mkdir $NV/zr
nv_mkns zr 1 768M zns zone_size=128M && t_pass $P/ns-enable || t_fail $P/ns-enable "see dmesg"
echo 2,3 >$NV/zr/cpus
echo 1 >$NV/zr/enable
Z=$(nv_wait_dev zr 1) || { t_fail $P/device "no block device"; nv_rmctrl zr; rmmod nvmev; exit 0; }
CTRL=$(echo "${Z#/dev/}" | sed 's/n[0-9]*$//')
echo mq-deadline >/sys/block/${Z#/dev/}/queue/scheduler

zstate() {  # <zslba>: state byte of the zone
    nvme zns report-zones "$Z" -s "$1" -d 1 2>/dev/null | awk '/^SLBA:/ { print $8; exit }'
}
live() {
    local tries=100
    while [ $tries -gt 0 ]; do
        [ "$(cat /sys/class/nvme/$CTRL/state)" = live ] && return 0
        usleep 100000
        tries=$((tries - 1))
    done
    return 1
}
# A zone the test writes through the block device is finished through it
# too (blkzone): from 6.10 the block layer keeps each zone's write pointer
# (zone write plugging) and fails, without a line in the log, a write that
# is not at the pointer it saw last; a passthrough Finish leaves it behind,
# and the next write at the start of that zone after a reset never reaches
# the device.  The resets stay passthrough (the race needs nvme-cli): they
# only reset zones the block layer saw filled, for which it keeps nothing.
sched() { echo mq-deadline >/sys/block/${Z#/dev/}/queue/scheduler; }
# non-zero bytes in zone <n>
nonzero() {
    /usr/bin/dd if="$Z" bs=1M skip=$(($1 * ZMB)) count=$ZMB iflag=direct 2>/dev/null |
        tr -d '\000' | wc -c
}
fill() {  # <zone>: write the whole zone with 0xa5
    sched
    fio --name=fill --filename="$Z" --ioengine=libaio --direct=1 --rw=write --bs=1M \
        --iodepth=4 --offset=$(($1 * ZONE)) --size=$ZONE --zonemode=zbd \
        --buffer_pattern=0xa5 --eta=never >/dev/null
}

# Reads of zone 5 keep the worker busy, so that the zone reset is queued to
# it rather than served by the dispatcher at once.
busy_reads() {
    fio --name=busy --filename="$Z" --ioengine=libaio --direct=1 --rw=randread \
        --bs=4k --iodepth=16 --offset=$((5 * ZONE)) --size=$ZONE --time_based \
        --runtime=600 --eta=never >/dev/null 2>&1 &
    BUSY=$!
    sleep 1
}

round() {  # <zone> <delay us>
    local n=$1 zslba=$(($1 * ZONE / 512)) pid st left
    t_check $P/d$2-fill fill $n || return
    t_eq $P/d$2-full-before $ZSF "$(zstate $zslba)"
    busy_reads
    nvme zns reset-zone "$Z" -s $zslba >/tmp/zr.out 2>&1 &
    pid=$!
    [ "$2" -eq 0 ] || usleep "$2"
    echo 1 >/sys/class/nvme/$CTRL/reset_controller
    wait $pid
    kill $BUSY
    wait $BUSY
    t_log "reset-zone after a controller reset $2 us later: $(tr '\n' ' ' </tmp/zr.out)"
    t_check $P/d$2-ctrl-live live
    st=$(zstate $zslba)
    left=$(nonzero $n)
    case "$st" in
        "$ZSE") t_eq $P/d$2-empty-zone-reads-zeroes 0 "$left" ;;
        "$ZSF") t_eq $P/d$2-full-zone-keeps-data $ZONE "$left" ;;
        *) t_fail $P/d$2-zone-state "state $st after a reset cut short" ;;
    esac
    # the host's retry: reset again, then the zone is empty and zero
    nvme_run nvme zns reset-zone "$Z" -s $zslba
    t_eq $P/d$2-retry-ok 0x0 "$ST"
    t_eq $P/d$2-empty-after-retry $ZSE "$(zstate $zslba)"
    t_eq $P/d$2-zero-after-retry 0 "$(nonzero $n)"
    # new data lands and reads back
    t_log "scheduler after the reset: $(cat /sys/block/${Z#/dev/}/queue/scheduler)"
    sched
    head -c 1048576 /dev/urandom >/tmp/zr.pat
    t_check $P/d$2-write /usr/bin/dd if=/tmp/zr.pat of="$Z" bs=1M seek=$((n * ZMB)) oflag=direct
    t_check $P/d$2-new-data sh -c "/usr/bin/dd if=$Z bs=1M skip=$((n * ZMB)) count=1 iflag=direct 2>/dev/null | cmp -s - /tmp/zr.pat"
    t_eq $P/d$2-rest-of-zone-zero 0 "$(/usr/bin/dd if=$Z bs=1M skip=$((n * ZMB + 1)) count=$((ZMB - 1)) iflag=direct 2>/dev/null | tr -d '\000' | wc -c)"
    # finished, the zone no longer holds one of the 5 active resources
    t_check $P/d$2-finish blkzone finish -o $zslba -c 1 "$Z"
    t_eq $P/d$2-finished $ZSF "$(zstate $zslba)"
}
round 0 150000
round 1 300000
round 2 450000

# reset-all (select all) leaves every zone empty and zero
t_check $P/fill-zone-5 fill 5
nvme_run nvme zns reset-zone "$Z" -a
t_eq $P/reset-all 0x0 "$ST"
for n in 0 1 2 3 4 5; do
    t_eq $P/reset-all-zone$n-empty $ZSE "$(zstate $((n * ZONE / 512)))"
    t_eq $P/reset-all-zone$n-zero 0 "$(nonzero $n)"
done

# Finish: the LBAs it skips read as zeroes, the data before them stays
head -c 1048576 /dev/urandom >/tmp/zr.pat
t_check $P/finish-write /usr/bin/dd if=/tmp/zr.pat of="$Z" bs=1M oflag=direct
t_check $P/finish blkzone finish -o 0 -c 1 "$Z"
t_eq $P/finished $ZSF "$(zstate 0)"
t_check $P/finish-keeps-data sh -c "/usr/bin/dd if=$Z bs=1M count=1 iflag=direct 2>/dev/null | cmp -s - /tmp/zr.pat"
t_eq $P/finish-rest-zero 0 "$(/usr/bin/dd if=$Z bs=1M skip=1 count=$((ZMB - 1)) iflag=direct 2>/dev/null | tr -d '\000' | wc -c)"
# a read across the data's end: data, then zeroes, in one command.
# 256 KiB: a 512 KiB user buffer in 128 separate pages is more than the
# nvme driver's 127 segments, and the ioctl fails with EINVAL whenever
# the buffer's pages happen not to be contiguous.
nvme_run nvme read "$Z" -s 1792 -c 511 -z 262144 -d /tmp/zr.rd
t_eq $P/read-across-data-end 0x0 "$ST"
/usr/bin/dd if=/tmp/zr.pat of=/tmp/zr.exp bs=128K skip=7 count=1 2>/dev/null
t_check $P/read-across-data-end-head sh -c "head -c 131072 /tmp/zr.rd | cmp -s - /tmp/zr.exp"
t_eq $P/read-across-data-end-tail 0 "$(tail -c 131072 /tmp/zr.rd | tr -d '\000' | wc -c)"

nv_rmctrl zr

# ---- a reset of every zone with more written ranges than a list could
# hold: 131200 zones of 8 KiB with one 4 KiB block each (the old zeroing
# list grew with krealloc() to an order-11 request here, a kernel WARN)
mkdir $NV/zm
nv_mkns zm 1 1100M zns lba_size=4096 zone_size=8K max_open=0 max_active=0 &&
    t_pass $P/many-zones-enable || t_fail $P/many-zones-enable "see dmesg"
echo 2,3 >$NV/zm/cpus
echo 1 >$NV/zm/enable
if M=$(nv_wait_dev zm 1); then
    # (fio's strided zones go on to the end of the device whatever --size
    # says, and fail there: the count of writes is what stops it)
    t_check $P/many-zones-write fio --name=many --filename="$M" --ioengine=libaio \
        --direct=1 --rw=write --bs=4k --iodepth=32 --offset=0 --number_ios=131200 \
        --zonemode=strided --zonerange=8k --zonesize=4k --buffer_pattern=0x5a --eta=never
    t_eq $P/many-zones-open 131200 "$(nv_stat zm/1 zones_active)"
    nvme_run nvme zns reset-zone "$M" -a
    t_eq $P/many-zones-reset-all 0x0 "$ST"
    t_eq $P/many-zones-none-active 0 "$(nv_stat zm/1 zones_active)"
    t_eq $P/many-zones-read-zeroes 0 "$(/usr/bin/dd if=$M bs=1M count=16 iflag=direct 2>/dev/null | tr -d '\000' | wc -c)"
else
    t_fail $P/many-zones-device "no block device"
fi
nv_rmctrl zm
t_check $P/rmmod rmmod nvmev
rm -f /tmp/zr.*
t_dmesg_clean $P/dmesg-clean
exit 0
