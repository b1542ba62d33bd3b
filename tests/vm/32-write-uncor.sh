#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2015 # t_pass never fails
# Write Uncorrectable (NVM opcode 04h), through nvme-cli and the block
# device:
#  - Identify Controller's ONCS offers it (bit 1);
#  - on an nvm namespace, LBAs 8-15 marked: Read, Compare and Verify of any
#    of them fail with Unrecovered Read Error (0x4281), a direct read
#    through the block device gets EIO, the Error Information log has the
#    entry; LBAs 0-7 and 16- read back what was written;
#  - Write (8-11), Write Zeroes (12-13) and Deallocate (14-15) make them
#    readable again, with the data written or zeroes;
#  - beyond the namespace: LBA Out of Range (0x4080);
#  - a conv namespace (an FTL) behaves the same;
#  - a zoned namespace: at the write pointer it is a write (the pointer
#    moves: a Write right after it succeeds), elsewhere Zone Invalid Write
#    (0x41bc); a zone reset makes the zone read as zeroes.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=uncor
T=$T_TMP/uncor
mkdir -p "$T"
run() { nvme_run "$@"; }

t_check $P/insmod nvmev_load || { t_dmesg_clean $P/dmesg-clean; exit 0; }
NS=$NVMEV_NS
CTRL=$NVMEV_CTRL
BS=$(cat "/sys/block/${NS#/dev/}/queue/logical_block_size")

run nvme id-ctrl "$CTRL" -o json
ONCS=$(sed -n 's/.*"oncs" *: *\([0-9]*\).*/\1/p' "$T_OUT")
t_check $P/oncs-write-uncorrectable test $((${ONCS:-0} & 2)) -eq 2

# 32 LBAs of known data, then LBAs 8-15 marked
head -c $((32 * BS)) /dev/urandom >"$T/pat"
/usr/bin/dd if="$T/pat" of="$NS" bs="$BS" count=32 oflag=direct 2>/dev/null
run nvme write-uncor "$NS" -s 8 -c 7
t_eq $P/write-uncor 0x0 "$ST"

# (nvme-cli writes the data into the file without truncating it)
read_st() {  # <slba> <nlb>: status of an nvme-cli Read of <nlb> LBAs into $T/r
    rm -f "$T/r"
    run nvme read "$NS" -s "$1" -c $(($2 - 1)) -z $(($2 * BS)) -d "$T/r"
    echo "$ST"
}
lbas() {  # <file> <slba> <nlb>: those LBAs of a file
    /usr/bin/dd if="$1" bs="$BS" skip="$2" count="$3" 2>/dev/null
}
t_eq $P/read-first-marked 0x4281 "$(read_st 8 1)"
t_eq $P/read-last-marked 0x4281 "$(read_st 15 1)"
t_eq $P/read-spanning 0x4281 "$(read_st 4 8)"
t_eq $P/read-before 0x0 "$(read_st 0 8)"
lbas "$T/pat" 0 8 >"$T/want"
t_check $P/data-before cmp -s "$T/want" "$T/r"
t_eq $P/read-after 0x0 "$(read_st 16 16)"
lbas "$T/pat" 16 16 >"$T/want"
t_check $P/data-after cmp -s "$T/want" "$T/r"
lbas "$T/pat" 8 1 >"$T/one"
run nvme compare "$NS" -s 8 -c 0 -z "$BS" -d "$T/one"
t_eq $P/compare-marked 0x4281 "$ST"
run nvme verify "$NS" -s 12 -c 0
t_eq $P/verify-marked 0x4281 "$ST"
run nvme verify "$NS" -s 0 -c 7
t_eq $P/verify-unmarked 0x0 "$ST"
t_expect_fail $P/block-read-eio /usr/bin/dd if="$NS" of=/dev/null bs="$BS" skip=9 count=1 iflag=direct
# the newest Error Information entry: that read, its status and LBA
run nvme error-log "$CTRL" -e 1 -o json
t_check $P/error-log-status grep -q '"status_field" *: *17025' "$T_OUT"
t_check $P/error-log-lba grep -q '"lba" *: *9[,}]' "$T_OUT"

# written again: Write, Write Zeroes, Deallocate
head -c $((4 * BS)) /dev/urandom >"$T/new"
/usr/bin/dd if="$T/new" of="$NS" bs="$BS" seek=8 count=4 oflag=direct 2>/dev/null
t_eq $P/read-rewritten 0x0 "$(read_st 8 4)"
t_check $P/data-rewritten cmp -s "$T/new" "$T/r"
t_eq $P/still-marked 0x4281 "$(read_st 12 4)"
run nvme write-zeroes "$NS" -s 12 -c 1
t_eq $P/write-zeroes 0x0 "$ST"
t_eq $P/read-zeroed 0x0 "$(read_st 12 2)"
t_check $P/data-zeroed is_zero "$T/r"
run nvme dsm "$NS" -n 1 --ad -s 14 -b 2
t_eq $P/deallocate 0x0 "$ST"
t_eq $P/read-deallocated 0x0 "$(read_st 14 2)"
t_check $P/data-deallocated is_zero "$T/r"
NLBAS=$(($(blockdev --getsize64 "$NS") / BS))
run nvme write-uncor "$NS" -s $((NLBAS - 4)) -c 7
t_eq $P/beyond-the-end 0x4080 "$ST"
t_check $P/rmmod nvmev_unload

# ---- conv and zns namespaces
nv_configfs_mount
t_check $P/insmod-pool insmod "$NVMEV_KO" memmap_start=4G memmap_size=1G nr_ctrls=0 cpus=2,3
mkdir "$NV/u"
nv_mkns u 1 64M conv && nv_mkns u 2 64M zns zone_size=4M &&
    t_pass $P/conv-zns-ns || t_fail $P/conv-zns-ns "see dmesg"
echo 1 >"$NV/u/enable"
C=$(nv_wait_dev u 1) && Z=$(nv_wait_dev u 2) || t_fail $P/conv-zns-devices "no block devices"
ZBS=$(cat "/sys/block/${Z#/dev/}/queue/logical_block_size")

head -c 8192 /dev/urandom >"$T/c"
/usr/bin/dd if="$T/c" of="$C" bs=4096 count=2 oflag=direct 2>/dev/null
run nvme write-uncor "$C" -s 0 -c 7
t_eq $P/conv-write-uncor 0x0 "$ST"
t_expect_fail $P/conv-read-eio /usr/bin/dd if="$C" of=/dev/null bs=4096 count=1 iflag=direct
/usr/bin/dd if="$T/c" of="$C" bs=4096 count=2 oflag=direct 2>/dev/null
t_check $P/conv-rewritten sh -c "/usr/bin/dd if=$C bs=4096 count=2 iflag=direct 2>/dev/null | cmp -s - $T/c"

run nvme write-uncor "$Z" -s 0 -c 7
t_eq $P/zns-at-write-pointer 0x0 "$ST"
run nvme write-uncor "$Z" -s 100 -c 0
t_eq $P/zns-not-at-write-pointer 0x41bc "$ST"
head -c $((8 * ZBS)) /dev/urandom >"$T/z"
run nvme write "$Z" -s 8 -c 7 -z $((8 * ZBS)) -d "$T/z"
t_eq $P/zns-write-pointer-moved 0x0 "$ST"
rm -f "$T/r"
run nvme read "$Z" -s 0 -c 0 -z "$ZBS" -d "$T/r"
t_eq $P/zns-read-marked 0x4281 "$ST"
run nvme zns reset-zone "$Z" -s 0
t_eq $P/zns-reset 0x0 "$ST"
rm -f "$T/r"
run nvme read "$Z" -s 0 -c 15 -z $((16 * ZBS)) -d "$T/r"
t_eq $P/zns-read-after-reset 0x0 "$ST"
t_check $P/zns-zeroes-after-reset is_zero "$T/r"

nv_rmctrl u
t_check $P/rmmod-pool rmmod nvmev
rm -rf "$T"
t_dmesg_clean $P/dmesg-clean
exit 0
