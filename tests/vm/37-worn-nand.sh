#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2015 # t_pass never fails
# Worn NAND (ftl/conv.h "Wear", docs/faults.md), seen from the host:
#  - a conv namespace rated for 4 P/E cycles (a small geometry with 25%
#    over-provisioning, so that blocks have room to retire), written until
#    it wears out:
#    SMART Percentage Used climbs, Available Spare falls below its
#    threshold (critical warning bit 0), then the namespace turns read
#    only (bit 3, writes 0x4020, NSATTR, the block device read only);
#    data written before reads back intact; the statistics show the
#    retired blocks;
#  - grown bad blocks injected through configfs retire at once;
#  - reads of data on failing blocks return Unrecovered Read Error at the
#    configured rate (every one at 1000000 ppm), unwritten LBAs never.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=worn
T=$T_TMP/worn
mkdir -p "$T"
run() { nvme_run "$@"; }

nv_configfs_mount
t_check $P/insmod insmod "$NVMEV_KO" memmap_start=4G memmap_size=1G nr_ctrls=0 cpus=2,3 ||
    { t_dmesg_clean $P/dmesg-clean; exit 0; }
mkdir "$NV/w"
nv_mkns w 1 64M conv pe_cycles=4 read_error_ppm=0 \
        nr_channels=2 luns_per_channel=2 pages_per_block=24 op_percent=25 &&
    nv_mkns w 2 64M conv pe_cycles=1 read_error_ppm=1000000 read_error_seed=9 &&
    t_pass $P/namespaces || t_fail $P/namespaces "see dmesg"
echo 1 >"$NV/w/enable"
W=$(nv_wait_dev w 1) && R=$(nv_wait_dev w 2) || t_fail $P/devices "no block devices"
CTRL=$(echo "$W" | sed 's/n[0-9]*$//')
smart() {
    run nvme smart-log "$CTRL" -o json
    sed -n "s/.*\"$1\" *: *\"\{0,1\}\([0-9]*\).*/\1/p" "$T_OUT" | head -n 1
}
st() { nv_stat "w/$1" "$2"; }

t_eq $P/fresh-used 0 "$(smart percent_used)"
t_eq $P/fresh-spare 100 "$(smart avail_spare)"
t_eq $P/fresh-warning 0 "$(smart critical_warning)"

# ---- grown bad blocks
echo 3 >"$NV/w/namespaces/1/fault_bad_blocks"
t_eq $P/bad-blocks-retired 6 "$(st 1 retired_blocks)"
SPARE=$(st 1 avail_spare)
t_check $P/bad-blocks-spare test "$SPARE" -lt 100
t_eq $P/bad-blocks-smart "$SPARE" "$(smart avail_spare)"

# ---- wear it out: 1 MiB of known data, random 4 KiB writes elsewhere
head -c 1048576 /dev/urandom >"$T/keep"
/usr/bin/dd if="$T/keep" of="$W" bs=1M count=1 oflag=direct 2>/dev/null
/usr/bin/dd if=/dev/zero of="$W" bs=1M seek=1 count=63 oflag=direct 2>/dev/null
LAST_USED=0
MONO=yes
LOW_SPARE=no
i=0
while [ "$(st 1 read_only)" = 0 ] && [ $i -lt 80 ]; do
    fio --name=wear --filename="$W" --direct=1 --ioengine=libaio --iodepth=16 \
        --rw=randwrite --bs=4k --offset=1m --size=63m --io_size=8m \
        --randseed=$i --output=/dev/null >/dev/null 2>&1
    i=$((i + 1))
    USED=$(st 1 percent_used)
    SP=$(st 1 avail_spare)
    t_log "after $((i * 8)) MiB: percent_used $USED avail_spare $SP retired_blocks $(st 1 retired_blocks) max_erase $(st 1 max_erase) read_only $(st 1 read_only)"
    [ "$USED" -ge "$LAST_USED" ] || MONO=no
    LAST_USED=$USED
    [ "$SP" -lt 10 ] && [ "$(st 1 read_only)" = 0 ] && LOW_SPARE=yes &&
        WARN_LOW=$(smart critical_warning)
done
t_eq $P/worn-out 1 "$(st 1 read_only)"
t_eq $P/used-grows yes "$MONO"
t_check $P/used-grew test "$(smart percent_used)" -ge 5
t_eq $P/spare-zero 0 "$(smart avail_spare)"
[ "$LOW_SPARE" = yes ] && t_eq $P/spare-below-threshold-warning 1 "$WARN_LOW" ||
    t_log "spare went from above 10% to read only within one step"
t_eq $P/read-only-warning 9 "$(smart critical_warning)"
run nvme write "$W" -s 4096 -c 7 -z 4096 -d "$T/keep"
t_eq $P/read-only-write 0x4020 "$ST"
run nvme id-ns "$W" -o json
t_check $P/read-only-nsattr grep -q '"nsattr" *: *1[,}]' "$T_OUT"
j=0
while [ "$(cat "/sys/block/${W#/dev/}/ro")" != 1 ] && [ $j -lt 50 ]; do usleep 100000; j=$((j + 1)); done
t_eq $P/read-only-block-device 1 "$(cat "/sys/block/${W#/dev/}/ro")"
t_check $P/data-kept sh -c "/usr/bin/dd if=$W bs=1M count=1 iflag=direct 2>/dev/null | cmp -s - $T/keep"
t_check $P/retired-many test "$(st 1 retired_blocks)" -gt 6
t_eq $P/other-ns-writable 0 "$(cat "/sys/block/${R#/dev/}/ro")"

# ---- read errors on failing blocks (pe_cycles=1: data in every block is
#      in its last rated cycle), never on unwritten LBAs
head -c 8192 /dev/urandom >"$T/two"
/usr/bin/dd if="$T/two" of="$R" bs=4096 count=2 oflag=direct 2>/dev/null
/usr/bin/dd if=/dev/zero of="$R" bs=1M count=8 seek=1 oflag=direct 2>/dev/null
RBS=$(cat "/sys/block/${R#/dev/}/queue/logical_block_size")
run nvme read "$R" -s 0 -c $((4096 / RBS - 1)) -z 4096 -d "$T/r"
t_eq $P/read-error 0x4281 "$ST"
t_expect_fail $P/read-error-eio /usr/bin/dd if="$R" of=/dev/null bs=4096 count=1 iflag=direct
run nvme read "$R" -s $((12 * 1048576 / RBS)) -c 0 -z "$RBS" -d "$T/r"
t_eq $P/unwritten-reads 0x0 "$ST"
t_check $P/read-errors-counted test "$(st 2 media_read_errors)" -ge 2
t_check $P/read-errors-smart test "$(smart media_errors)" -ge 2

nv_rmctrl w
t_check $P/rmmod rmmod nvmev
rm -rf "$T"
t_dmesg_clean $P/dmesg-clean
exit 0
