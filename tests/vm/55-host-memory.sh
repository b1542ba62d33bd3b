#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2317,SC2015,SC2086 # helpers via t_check; t_pass never fails; word lists
# The device's IOMMU (dma.c): a command that names host memory the device
# may not touch fails with Data Transfer Error (0x4004 with DNR) before
# anything moves, gets an error log entry, and the kernel log says which
# address was refused.  Here through the kernel's own driver: a command
# sent without a buffer carries PRP1 = 0 (and PRP2 = 0), i.e. physical
# page 0, and a transfer of more than two pages takes its PRP list from
# there.  Checked: the status of each, that the namespace's data and
# physical page 0 are unchanged, the error log, and that the device works
# afterwards.  (Addresses the kernel driver never sends, such as the
# kernel image or a reserved hole, are checked with nvme-raw elsewhere.)
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=hostmem
DTE=0x4004

t_check $P/insmod nvmev_load || {
    t_dmesg_clean $P/dmesg-clean
    exit 0
}
NS=$NVMEV_NS
CTRL=$NVMEV_CTRL

adm() { nvme_run nvme admin-passthru "$CTRL" "$@"; }
io() { nvme_run nvme io-passthru "$NS" --namespace-id=1 "$@"; }
sum() { sha256sum | cut -d' ' -f1; }
# LBAs 0..127 (64 KiB) of the namespace
data_sum() {
    /usr/bin/dd if="$NS" bs=64K count=1 iflag=direct 2>/dev/null | sum
}
# Physical page 0 as /dev/mem shows it (x86 lets the first MiB be read)
page0_sum() {
    /usr/bin/dd if=/dev/mem bs=4096 count=1 2>/dev/null | sum
}
# Error Count of the newest Error Information entry
err_count() {
    nvme error-log "$CTRL" -e 1 -o json 2>/dev/null |
        sed -n 's/^ *"error_count":\([0-9]*\).*/\1/p' | head -n 1
}
# the lifetime count (SMART), which the storage keeps across loads: the
# log's entries are not kept, so after a reload of a controller that had
# errors the newest entry is an empty one (Error Count 0, not valid)
smart_errs() {
    nvme smart-log "$CTRL" -o json 2>/dev/null |
        sed -n 's/^ *"num_err_log_entries":"\{0,1\}\([0-9]*\).*/\1/p' | head -n 1
}
err_status() {
    nvme error-log "$CTRL" -e 1 -o json 2>/dev/null |
        sed -n 's/^ *"status_field":\([0-9]*\).*/\1/p' | head -n 1
}

t_check $P/fill-pattern sh -c "head -c 65536 /dev/urandom >/tmp/h.pat &&
    /usr/bin/dd if=/tmp/h.pat of=$NS bs=64K count=1 oflag=direct 2>/dev/null"
DATA=$(data_sum)
t_eq $P/pattern-written "$(sum </tmp/h.pat)" "$DATA"
PAGE0=$(page0_sum)
if [ -n "$(/usr/bin/dd if=/dev/mem bs=4096 count=1 2>/dev/null | tr -d '\000' | head -c 1)" ]; then
    PAGE0_SEEN=1
else
    PAGE0_SEEN=0
    t_log "physical page 0 reads as zeroes through /dev/mem: its check below proves less"
fi
ERRS0=$(smart_errs)
t_check $P/smart-error-count-read test -n "$ERRS0"
t_kmsg_mark

# ---- admin commands that return data, without a buffer
adm --opcode=0x06 --cdw10=1
t_eq $P/identify-ctrl-no-buffer $DTE "$ST"
adm --opcode=0x06 --namespace-id=1 --cdw10=0
t_eq $P/identify-ns-no-buffer $DTE "$ST"
adm --opcode=0x02 --namespace-id=0xffffffff --cdw10=$(((127 << 16) | 0x02))
t_eq $P/get-log-smart-no-buffer $DTE "$ST"
adm --opcode=0x02 --cdw10=$(((1023 << 16) | 0x05))
t_eq $P/get-log-effects-no-buffer $DTE "$ST"
# Set Features Timestamp reads 8 bytes from the host
adm --opcode=0x09 --cdw10=0x0e
t_eq $P/set-timestamp-no-buffer $DTE "$ST"
adm --opcode=0x0a --cdw10=0x0e
t_eq $P/get-timestamp-no-buffer $DTE "$ST"

# ---- I/O without a buffer: 4 KiB (PRP1 only), 8 KiB (PRP2 = page 0),
# 16 KiB and 512 KiB (PRP2 = page 0 read as a PRP list)
for nlb in 8 16 32 1024; do
    io --opcode=0x02 --cdw10=0 --cdw12=$((nlb - 1))
    t_eq $P/read-$((nlb / 2))k-no-buffer $DTE "$ST"
done
io --opcode=0x01 --cdw10=0 --cdw12=7
t_eq $P/write-4k-no-buffer $DTE "$ST"
io --opcode=0x01 --cdw10=16 --cdw12=31
t_eq $P/write-16k-no-buffer $DTE "$ST"
io --opcode=0x05 --cdw10=0 --cdw12=7
t_eq $P/compare-no-buffer $DTE "$ST"
# Deallocate takes its range list from the host
io --opcode=0x09 --cdw10=0 --cdw11=4
t_eq $P/dsm-deallocate-no-buffer $DTE "$ST"
KMSG=$(t_kmsg_since)

# ---- nothing was touched
t_eq $P/namespace-data-unchanged "$DATA" "$(data_sum)"
if [ $PAGE0_SEEN = 1 ]; then
    t_eq $P/page0-unchanged "$PAGE0" "$(page0_sum)"
fi
t_check $P/kernel-log-names-page-0 sh -c "echo '$KMSG' | grep -q 'refused host address 0x0+.*in the first MiB'"

# ---- every refusal is in the error log, with its status
t_eq $P/error-log-counts-each "$((ERRS0 + 14))" "$(err_count)"
t_eq $P/smart-counts-each "$((ERRS0 + 14))" "$(smart_errs)"
t_eq $P/error-log-status $((DTE)) "$(err_status)"

# ---- the device works
t_check $P/fio-verify-after fio --name=after --filename="$NS" --ioengine=libaio \
    --direct=1 --rw=randwrite --bs=4k --iodepth=8 --size=8M --offset=64M \
    --verify=crc32c --do_verify=1 --verify_fatal=1 --eta=never
t_check $P/id-ctrl-after nvme id-ctrl "$CTRL"
t_check $P/rmmod nvmev_unload
rm -f /tmp/h.pat
t_dmesg_clean $P/dmesg-clean
exit 0
