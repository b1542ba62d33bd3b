#!/bin/sh
# shellcheck shell=dash
# Raw commands through nvme admin-passthru / io-passthru: every error status
# the module defines (with DNR), queue management errors, Abort, the data
# commands (Compare, Verify, Write Zeroes, DSM, Flush) checked against the
# data on the device, then a fuzz of 300 admin and 300 I/O commands with
# random opcodes and fields, after which the device must still work.
#
# Statuses are what nvme-cli prints ("NVMe status: ...(0x4001)"), so they
# include DNR (0x4000).  Nothing here deletes or creates the driver's own
# queues (qids 1..N); queue error cases use qid 0 and 0xffff.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

# ---------------------------------------------------------------- helpers

# nvme_run (lib.sh) sets ST, RES and RC; the output is in $T_OUT / $T_ERR
run() { nvme_run "$@"; }

adm() { run nvme admin-passthru "$CTRL" "$@"; }
io() { run nvme io-passthru "$NS" "$@"; }
adm_st() {  # <name> <expected status> <admin-passthru args...>
    local name=$1 want=$2
    shift 2
    adm "$@"
    t_eq "$name" "$want" "$ST"
}
io_st() {  # <name> <expected status> <io-passthru args...>
    local name=$1 want=$2
    shift 2
    io "$@"
    t_eq "$name" "$want" "$ST"
}
st_in() {  # <name> <accepted statuses...>: ST is one of them
    local name=$1 s
    shift
    for s in "$@"; do
        [ "$ST" = "$s" ] && { t_pass "$name"; return 0; }
    done
    t_fail "$name" "expected one of '$*', got '$ST'"
}
sha() { sha256sum <"$1" | cut -d' ' -f1; }

# SLBA as CDW10 / CDW11
lo() { echo $(($1 & 0xffffffff)); }
hi() { echo $((($1 >> 32) & 0xffffffff)); }

# Read <nlb> blocks at <slba> into <file> through the block device (O_DIRECT)
dev_read() { dd if="$NS" of="$3" bs=512 skip="$1" count="$2" iflag=direct 2>/dev/null; }

# ---------------------------------------------------------------- load

t_check passthru/insmod nvmev_load wipe=1 || {
    t_dmesg_clean passthru/dmesg-clean
    exit 0
}
CTRL=$NVMEV_CTRL
NS=$NVMEV_NS
CNAME=${CTRL#/dev/}
t_log "controller $CTRL namespace $NS"
NLB=$(cat "/sys/block/${NS#/dev/}/size")		# 512-byte LBAs
QC=$(cat "/sys/class/nvme/$CNAME/queue_count")	# admin + driver's I/O queues
NQ=$((QC - 1))
adm --opcode=0x0a --cdw10=7
GRANTED_SQ=$(((RES & 0xffff) + 1))
GRANTED_CQ=$(((RES >> 16) + 1))
t_log "$NLB LBAs, driver uses I/O queues 1..$NQ, granted $GRANTED_SQ SQs / $GRANTED_CQ CQs"

# ---------------------------------------------------------------- admin opcodes

for op in 0x03 0x07 0x0b 0x0e 0x0f 0x10 0x11 0x12 0x13 0x14 0x18 \
    0x1c 0x1d 0x1e 0x20 0x21 0x24 0x3f 0x7c 0x7f 0x80 0x81 0x82 0x84 0x86 \
    0xc0 0xc1 0xc8 0xfe 0xff; do
    adm_st "passthru/admin/bad-opcode-$op" 0x4001 --opcode=$op
done
# Directive Send / Receive (FDP's Data Placement directive, docs/fdp.md):
# Receive's Identify Return Parameters only; Send has nothing to enable
adm_st passthru/admin/dir-recv-identify 0x0 --opcode=0x1a --namespace-id=1 \
    --cdw10=1023 --cdw11=0x0001 --data-len=4096 -r
adm_st passthru/admin/dir-recv-streams-invalid-field 0x4002 --opcode=0x1a --namespace-id=1 \
    --cdw10=1023 --cdw11=0x0101 --data-len=4096 -r
adm_st passthru/admin/dir-send-invalid-field 0x4002 --opcode=0x19 --namespace-id=1 \
    --cdw11=0x0001 --cdw12=$(((1 << 8) | 1))
adm_st passthru/admin/dir-recv-nsid0-invalid-ns 0x400b --opcode=0x1a --namespace-id=0 \
    --cdw10=1023 --cdw11=0x0001 --data-len=4096 -r
# with a data buffer (opcode bits 1:0 = 01, host to controller) and every
# field set: still Invalid Opcode
adm_st passthru/admin/bad-opcode-0x11-with-data 0x4001 --opcode=0x11 --namespace-id=1 \
    --cdw10=0xffffffff --cdw11=0xffffffff --cdw12=1 --cdw13=2 --cdw14=3 --cdw15=4 \
    --data-len=4096 -w
# Namespace Management and Attachment (nsmgmt.c): a select that does not
# exist is Invalid Field
adm_st passthru/admin/ns-mgmt-bad-sel 0x4002 --opcode=0x0d --namespace-id=1 \
    --cdw10=0xf --data-len=4096 -w
adm_st passthru/admin/ns-attach-bad-sel 0x4002 --opcode=0x15 --namespace-id=1 \
    --cdw10=0xf --data-len=4096 -w
adm_st passthru/admin/bad-opcode-0x80-format 0x4001 --opcode=0x80 --namespace-id=1 --cdw10=0
adm_st passthru/admin/bad-opcode-0x84-sanitize 0x4001 --opcode=0x84 --cdw10=2

# Abort: completes, never aborts (CDW0 bit 0 = 1)
adm --opcode=0x08 --cdw10=$((0xffff << 16))
t_eq passthru/admin/abort "0x0 0x00000001" "$ST $RES"
adm --opcode=0x08 --cdw10=$(((12 << 16) | 1))
t_eq passthru/admin/abort-io-sq "0x0 0x00000001" "$ST $RES"

# ---------------------------------------------------------------- queue management

# Delete: qid 0 (admin), never-created and out-of-range qids
for qid in 0 0xffff; do
    adm_st "passthru/admin/delete-sq-qid$qid-invalid-qid" 0x4101 --opcode=0x00 --cdw10=$qid
    adm_st "passthru/admin/delete-cq-qid$qid-invalid-qid" 0x4101 --opcode=0x04 --cdw10=$qid
done
if [ "$GRANTED_SQ" -lt 100 ]; then
    adm_st passthru/admin/delete-sq-qid100-invalid-qid 0x4101 --opcode=0x00 --cdw10=100
    adm_st passthru/admin/delete-cq-qid100-invalid-qid 0x4101 --opcode=0x04 --cdw10=100
fi
# A CQ that still has its SQ: refused, the queue stays
adm_st passthru/admin/delete-cq1-with-sq-invalid-deletion 0x410c --opcode=0x04 --cdw10=1
adm_st passthru/admin/delete-cq$NQ-with-sq-invalid-deletion 0x410c --opcode=0x04 --cdw10=$NQ

# Create CQ: CDW10 = QSIZE << 16 | QID, CDW11 = IV << 16 | IEN << 1 | PC
cq() {  # <qid> <qsize> <cdw11>
    adm --opcode=0x05 --cdw10=$((($2 << 16) | $1)) --cdw11="$3" --data-len=4096 -w
}
# Create SQ: CDW10 = QSIZE << 16 | QID, CDW11 = CQID << 16 | PC
sq() {  # <qid> <qsize> <cqid>
    adm --opcode=0x01 --cdw10=$((($2 << 16) | $1)) --cdw11=$((($3 << 16) | 1)) --data-len=4096 -w
}
cq 0 15 1
t_eq passthru/admin/create-cq-qid0-invalid-qid 0x4101 "$ST"
cq 1 15 1
t_eq passthru/admin/create-cq-qid1-exists-invalid-qid 0x4101 "$ST"
cq 0xffff 15 1
t_eq passthru/admin/create-cq-qid65535-invalid-qid 0x4101 "$ST"
sq 0 15 1
t_eq passthru/admin/create-sq-qid0-invalid-qid 0x4101 "$ST"
sq 1 15 1
t_eq passthru/admin/create-sq-qid1-exists-invalid-qid 0x4101 "$ST"
sq 0xffff 15 1
t_eq passthru/admin/create-sq-qid65535-invalid-qid 0x4101 "$ST"

# Size, vector and CQ checks need a free qid inside the granted range. When
# the controller granted exactly what the driver uses there is none: then
# the command must still fail, and Invalid Queue Identifier is also right.
cleanup_queue() {  # a create that should have failed succeeded: undo it
    adm --opcode="$1" --cdw10="$2"
}
if [ "$GRANTED_CQ" -gt "$NQ" ]; then
    FREE_CQ=$((NQ + 1))
    ALSO=""
else
    FREE_CQ=$NQ
    ALSO=0x4101
    t_log "no free CQ id (granted $GRANTED_CQ, used $NQ): queue size/vector errors may report Invalid Queue Identifier"
fi
for qsize in 0 1024 0xffff; do
    cq $FREE_CQ $qsize 1
    st_in "passthru/admin/create-cq-qsize$qsize-invalid-size" 0x4102 $ALSO
    [ "$ST" = 0x0 ] && cleanup_queue 0x04 $FREE_CQ
done
for iv in 129 0xffff; do
    cq $FREE_CQ 15 $(((iv << 16) | 3))
    st_in "passthru/admin/create-cq-vector$iv-invalid-vector" 0x4108 $ALSO
    [ "$ST" = 0x0 ] && cleanup_queue 0x04 $FREE_CQ
done
if [ "$GRANTED_SQ" -gt "$NQ" ]; then
    FREE_SQ=$((NQ + 1))
    ALSO=""
else
    FREE_SQ=$NQ
    ALSO=0x4101
    t_log "no free SQ id (granted $GRANTED_SQ, used $NQ): SQ errors may report Invalid Queue Identifier"
fi
for cqid in 0 0xffff; do
    sq $FREE_SQ 15 $cqid
    st_in "passthru/admin/create-sq-cq$cqid-cq-invalid" 0x4100 $ALSO
    [ "$ST" = 0x0 ] && cleanup_queue 0x00 $FREE_SQ
done
if [ "$GRANTED_CQ" -gt "$NQ" ]; then
    # a CQ id that was never created, inside the granted range
    sq $FREE_SQ 15 $FREE_CQ
    st_in passthru/admin/create-sq-missing-cq-cq-invalid 0x4100 $ALSO
    [ "$ST" = 0x0 ] && cleanup_queue 0x00 $FREE_SQ
fi
for qsize in 0 1024; do
    sq $FREE_SQ $qsize 1
    st_in "passthru/admin/create-sq-qsize$qsize-invalid-size" 0x4102 $ALSO
    [ "$ST" = 0x0 ] && cleanup_queue 0x00 $FREE_SQ
done
# the driver's queues are all still there and work
t_check passthru/admin/queues-intact dd if="$NS" of=/dev/null bs=4k count=256 iflag=direct

# ---------------------------------------------------------------- I/O errors

LAST=$((NLB - 1))
# LBA Out of Range
io_st passthru/io/read-slba-end-lba-range 0x4080 --opcode=0x02 --namespace-id=1 \
    --cdw10="$(lo "$NLB")" --cdw11="$(hi "$NLB")" --cdw12=0 --data-len=512 -r -b
io_st passthru/io/read-crossing-end-lba-range 0x4080 --opcode=0x02 --namespace-id=1 \
    --cdw10="$(lo $LAST)" --cdw11="$(hi $LAST)" --cdw12=1 --data-len=1024 -r -b
io_st passthru/io/read-slba-max-lba-range 0x4080 --opcode=0x02 --namespace-id=1 \
    --cdw10=0xffffffff --cdw11=0xffffffff --cdw12=0 --data-len=512 -r -b
io_st passthru/io/read-last-lba-ok 0x0 --opcode=0x02 --namespace-id=1 \
    --cdw10="$(lo $LAST)" --cdw11="$(hi $LAST)" --cdw12=0 --data-len=512 -r -b
io_st passthru/io/write-slba-end-lba-range 0x4080 --opcode=0x01 --namespace-id=1 \
    --cdw10="$(lo "$NLB")" --cdw11="$(hi "$NLB")" --cdw12=0 --data-len=512 -w
io_st passthru/io/write-crossing-end-lba-range 0x4080 --opcode=0x01 --namespace-id=1 \
    --cdw10="$(lo $LAST)" --cdw11="$(hi $LAST)" --cdw12=7 --data-len=4096 -w
io_st passthru/io/compare-slba-end-lba-range 0x4080 --opcode=0x05 --namespace-id=1 \
    --cdw10="$(lo "$NLB")" --cdw11="$(hi "$NLB")" --cdw12=0 --data-len=512 -w
io_st passthru/io/write-zeroes-slba-end-lba-range 0x4080 --opcode=0x08 --namespace-id=1 \
    --cdw10="$(lo "$NLB")" --cdw11="$(hi "$NLB")" --cdw12=0
io_st passthru/io/write-zeroes-crossing-end-lba-range 0x4080 --opcode=0x08 --namespace-id=1 \
    --cdw10="$(lo $((NLB - 8)))" --cdw11="$(hi $((NLB - 8)))" --cdw12=15
io_st passthru/io/verify-slba-end-lba-range 0x4080 --opcode=0x0c --namespace-id=1 \
    --cdw10="$(lo "$NLB")" --cdw11="$(hi "$NLB")" --cdw12=0
io_st passthru/io/verify-crossing-end-lba-range 0x4080 --opcode=0x0c --namespace-id=1 \
    --cdw10="$(lo $((NLB - 1)))" --cdw11="$(hi $((NLB - 1)))" --cdw12=0xffff
run nvme dsm "$NS" --ad --slbs=$((NLB - 1)) --blocks=2
t_eq passthru/io/dsm-crossing-end-lba-range 0x4080 "$ST"
run nvme dsm "$NS" --ad --slbs=0,"$NLB" --blocks=1,1
t_eq passthru/io/dsm-second-range-beyond-lba-range 0x4080 "$ST"
run nvme write-zeroes "$NS" --start-block="$NLB" --block-count=0
t_eq passthru/io/write-zeroes-cli-lba-range 0x4080 "$ST"

# Invalid Namespace for I/O cannot be reached from user space: Linux
# refuses an I/O passthru whose NSID differs from the namespace node's
# (EINVAL, "nsid (2) in cmd does not match nsid (1) of namespace").

# Transfers over MDTS (512 KiB): 1025 blocks. Only commands that read host
# memory are used, so a controller that ignored the limit could not
# scribble over host memory; the target range is scratch space.
SCRATCH=$((1 << 20))	# LBA of 512 MiB
io_st passthru/io/write-1025-blocks-invalid-field 0x4002 --opcode=0x01 --namespace-id=1 \
    --cdw10=$SCRATCH --cdw12=1024 --data-len=4096 -w
io_st passthru/io/compare-1025-blocks-invalid-field 0x4002 --opcode=0x05 --namespace-id=1 \
    --cdw10=$SCRATCH --cdw12=1024 --data-len=4096 -w
io_st passthru/io/write-0xffff-blocks-invalid-field 0x4002 --opcode=0x01 --namespace-id=1 \
    --cdw10=$SCRATCH --cdw12=0xffff --data-len=4096 -w
io_st passthru/io/read-512-blocks-ok 0x0 --opcode=0x02 --namespace-id=1 \
    --cdw10=$SCRATCH --cdw12=511 --data-len=262144 -r -b

# Invalid Opcode
for op in 0x03 0x06 0x07 0x0a 0x0b 0x0f 0x10 0x14 0x19 \
    0x7c 0x7f 0x80 0x81 0x82 0xc0 0xfe 0xff; do
    io_st "passthru/io/bad-opcode-$op" 0x4001 --opcode=$op --namespace-id=1
done
# I/O Management Receive / Send on a namespace without FDP: No Action
# succeeds, the FDP operations are FDP Disabled (29h)
io_st passthru/io/io-mgmt-recv-no-action 0x0 --opcode=0x12 --namespace-id=1 --cdw11=3 \
    --data-len=16 -r
io_st passthru/io/io-mgmt-recv-ruhs-fdp-disabled 0x4029 --opcode=0x12 --namespace-id=1 \
    --cdw10=1 --cdw11=3 --data-len=16 -r
io_st passthru/io/io-mgmt-send-update-fdp-disabled 0x4029 --opcode=0x1d --namespace-id=1 \
    --cdw10=1 --data-len=2 -w

# ---------------------------------------------------------------- data commands

# Compare: 4 KiB at LBA 4096
dd if=/dev/urandom of="$T_TMP/c4k" bs=4096 count=1 2>/dev/null
io_st passthru/io/write-4k 0x0 --opcode=0x01 --namespace-id=1 --cdw10=4096 --cdw12=7 \
    --data-len=4096 -w -i "$T_TMP/c4k"
io_st passthru/io/read-4k 0x0 --opcode=0x02 --namespace-id=1 --cdw10=4096 --cdw12=7 \
    --data-len=4096 -r -b
t_eq passthru/io/read-4k-matches "$(sha "$T_TMP/c4k")" "$(sha "$T_OUT")"
io_st passthru/io/compare-match 0x0 --opcode=0x05 --namespace-id=1 --cdw10=4096 --cdw12=7 \
    --data-len=4096 -w -i "$T_TMP/c4k"
# one byte differs, in the last block
{ head -c 4000 "$T_TMP/c4k"; printf 'X'; tail -c 95 "$T_TMP/c4k"; } >"$T_TMP/c4k.bad"
if cmp -s "$T_TMP/c4k" "$T_TMP/c4k.bad"; then	# the random byte was 'X'
    { head -c 4000 "$T_TMP/c4k"; printf 'Y'; tail -c 95 "$T_TMP/c4k"; } >"$T_TMP/c4k.bad"
fi
io_st passthru/io/compare-mismatch-compare-failure 0x4285 --opcode=0x05 --namespace-id=1 \
    --cdw10=4096 --cdw12=7 --data-len=4096 -w -i "$T_TMP/c4k.bad"
io_st passthru/io/compare-first-block-only-match 0x0 --opcode=0x05 --namespace-id=1 \
    --cdw10=4096 --cdw12=0 --data-len=512 -w -i "$T_TMP/c4k.bad"
run nvme compare "$NS" --start-block=4096 --block-count=7 --data-size=4096 --data="$T_TMP/c4k"
t_eq passthru/io/compare-cli-match 0x0 "$ST"
run nvme compare "$NS" --start-block=4096 --block-count=7 --data-size=4096 --data="$T_TMP/c4k.bad"
t_eq passthru/io/compare-cli-mismatch 0x4285 "$ST"
dev_read 4096 8 "$T_TMP/c4k.now"
t_eq passthru/io/compare-leaves-data "$(sha "$T_TMP/c4k")" "$(sha "$T_TMP/c4k.now")"

# Verify
run nvme verify "$NS" --start-block=4096 --block-count=7
t_eq passthru/io/verify-cli 0x0 "$ST"
io_st passthru/io/verify-64k 0x0 --opcode=0x0c --namespace-id=1 --cdw10=0 --cdw12=127
io_st passthru/io/verify-last-lba 0x0 --opcode=0x0c --namespace-id=1 \
    --cdw10="$(lo $LAST)" --cdw11="$(hi $LAST)" --cdw12=0

# Write Zeroes: 64 KiB of random data at LBA 8192, zero 8200..8215 and,
# with DEAC, 8240..8247; everything else must stay
dd if=/dev/urandom of="$T_TMP/wz" bs=64k count=1 2>/dev/null
t_check passthru/io/wz-write dd if="$T_TMP/wz" of="$NS" bs=64k seek=$((8192 / 128)) oflag=direct
dev_read 8192 128 "$T_TMP/wz.now"
t_eq passthru/io/wz-written "$(sha "$T_TMP/wz")" "$(sha "$T_TMP/wz.now")"
run nvme write-zeroes "$NS" --start-block=8200 --block-count=15
t_eq passthru/io/write-zeroes 0x0 "$ST"
run nvme write-zeroes "$NS" --start-block=8240 --block-count=7 --deac
t_eq passthru/io/write-zeroes-deac 0x0 "$ST"
{
    dd if="$T_TMP/wz" bs=512 count=8 2>/dev/null
    head -c $((16 * 512)) /dev/zero
    dd if="$T_TMP/wz" bs=512 skip=24 count=24 2>/dev/null
    head -c $((8 * 512)) /dev/zero
    dd if="$T_TMP/wz" bs=512 skip=56 2>/dev/null
} >"$T_TMP/wz.want"
dev_read 8192 128 "$T_TMP/wz.now"
t_eq passthru/io/write-zeroes-reads-zeroes "$(sha "$T_TMP/wz.want")" "$(sha "$T_TMP/wz.now")"

# DSM: deallocate two ranges of 64 KiB at LBA 12288; hints alone change nothing
dd if=/dev/urandom of="$T_TMP/dsm" bs=64k count=1 2>/dev/null
t_check passthru/io/dsm-write dd if="$T_TMP/dsm" of="$NS" bs=64k seek=$((12288 / 128)) oflag=direct
run nvme dsm "$NS" --idr --idw --slbs=12288 --blocks=128
t_eq passthru/io/dsm-hints-only 0x0 "$ST"
dev_read 12288 128 "$T_TMP/dsm.now"
t_eq passthru/io/dsm-hints-keep-data "$(sha "$T_TMP/dsm")" "$(sha "$T_TMP/dsm.now")"
run nvme dsm "$NS" --ad --slbs=12296,12320 --blocks=8,16
t_eq passthru/io/dsm-deallocate 0x0 "$ST"
{
    dd if="$T_TMP/dsm" bs=512 count=8 2>/dev/null
    head -c $((8 * 512)) /dev/zero
    dd if="$T_TMP/dsm" bs=512 skip=16 count=16 2>/dev/null
    head -c $((16 * 512)) /dev/zero
    dd if="$T_TMP/dsm" bs=512 skip=48 2>/dev/null
} >"$T_TMP/dsm.want"
dev_read 12288 128 "$T_TMP/dsm.now"
t_eq passthru/io/dsm-deallocated-reads-zeroes "$(sha "$T_TMP/dsm.want")" "$(sha "$T_TMP/dsm.now")"

# Flush
run nvme flush "$NS"
t_eq passthru/io/flush-cli 0x0 "$ST"
io_st passthru/io/flush 0x0 --opcode=0x00 --namespace-id=1

# ---------------------------------------------------------------- fuzz

SEED=${NVMEV_FUZZ_SEED:-$(od -An -tu4 -N4 /dev/urandom | tr -d ' ')}
t_log "fuzz seed $SEED at $(cut -d' ' -f1 /proc/uptime) s (NVMEV_FUZZ_SEED=$SEED reproduces)"
FUZZ_N=${NVMEV_FUZZ_N:-300}

# Linux passes neither a non-zero FLAGS byte (fused / SGL bits: the ioctl
# fails with EINVAL) nor, for I/O, an NSID other than the node's, so FLAGS
# is 0 and I/O goes to NSID 1.
#
# One command per line: op nsid cdw10..cdw15 data-len dir
#   dir: r (host reads), w (host writes), n (no data)
# Admin: no AER (0x0c); create/delete only with qids above any real queue;
# Get Log Page length capped to the 4 KiB buffer; bidirectional opcodes
# (bits 1:0 = 11, none implemented) without data.
awk -v seed="$SEED" -v n="$FUZZ_N" 'BEGIN {
    srand(seed)
    split("0 1 2 4 5 6 8 9 10", sup, " ")
    split("0 1 2 3 5 6 8", cns, " ")
    split("1 2 3 5", lid, " ")
    split("1 2 4 5 6 7 8 9 10 11 14", fid, " ")
    for (i = 0; i < n; i++) {
        # half of them implemented opcodes, so their field checks get fuzzed
        if (rand() < 0.5) op = sup[1 + int(rand() * 9)]
        else do op = int(rand() * 256); while (op == 12)
        for (k = 10; k <= 15; k++) c[k] = int(rand() * 4294967296)
        if (op == 0 || op == 1 || op == 4 || op == 5)
            c[10] = c[10] - c[10] % 65536 + 200 + int(rand() * 65336)
        if (op == 6 && rand() < 0.7)
            c[10] = c[10] - c[10] % 256 + cns[1 + int(rand() * 7)]
        if (op == 6 && rand() < 0.5)
            c[11] = c[11] % 16777216
        if (op == 2) {
            if (rand() < 0.7) c[10] = c[10] - c[10] % 256 + lid[1 + int(rand() * 4)]
            c[10] = c[10] % 65536 + int(rand() * 1024) * 65536
            c[11] = c[11] - c[11] % 65536
            if (rand() < 0.7) { c[12] = int(rand() * 1024) * 4; c[13] = 0 }
            if (rand() < 0.5) c[14] = 0
        }
        if ((op == 9 || op == 10) && rand() < 0.7)
            c[10] = (rand() < 0.2 ? c[10] - c[10] % 256 : 0) + fid[1 + int(rand() * 11)]
        r = rand()
        nsid = r < 0.3 ? 0 : r < 0.5 ? 1 : r < 0.6 ? 2 : r < 0.8 ? 4294967295 : int(rand() * 4294967296)
        d = op % 4
        dir = d == 1 ? "w" : d == 3 ? "n" : "r"
        printf "%d %.0f %.0f %.0f %.0f %.0f %.0f %.0f %d %s\n", op, nsid, c[10], c[11], c[12], c[13], c[14], c[15], dir == "n" ? 0 : 4096, dir
    }
}' >"$T_TMP/fuzz-admin.txt"

# I/O: no Write / Write Uncorrectable / Write Zeroes / DSM; Read and Compare move at most the
# 64 KiB buffer; SLBAs in range, near the end, or anywhere.
awk -v seed="$((SEED + 1))" -v n="$FUZZ_N" -v nlb="$NLB" 'BEGIN {
    srand(seed)
    split("0 2 5 12", sup, " ")
    for (i = 0; i < n; i++) {
        if (rand() < 0.5) op = sup[1 + int(rand() * 4)]
        else do op = int(rand() * 256); while (op == 1 || op == 4 || op == 8 || op == 9)
        r = rand()
        if (r < 0.5) { c10 = int(rand() * nlb); c11 = 0 }
        else if (r < 0.75) { c10 = nlb - int(rand() * 256); c11 = 0 }
        else { c10 = int(rand() * 4294967296); c11 = int(rand() * 4294967296) }
        c12 = int(rand() * 4294967296)
        if (op == 2 || op == 5)
            c12 = c12 - c12 % 65536 + int(rand() * 128)
        else if (rand() < 0.5)
            c12 = c12 - c12 % 65536 + int(rand() * 2048)
        c13 = int(rand() * 4294967296); c14 = int(rand() * 4294967296); c15 = int(rand() * 4294967296)
        d = op % 4
        dir = d == 1 ? "w" : d == 3 ? "n" : "r"
        printf "%d 1 %.0f %.0f %.0f %.0f %.0f %.0f %d %s\n", op, c10, c11, c12, c13, c14, c15, dir == "n" ? 0 : 65536, dir
    }
}' >"$T_TMP/fuzz-io.txt"

# <admin|io> <list>: run every line, check each completion. Only shell
# builtins besides nvme itself: forks are slow under TCG.
fuzz() {
    local kind=$1 list=$2 dev supported op nsid c10 c11 c12 c13 c14 c15 dlen dir
    local count=0 nostatus=0 nodnr=0 wrong=0 okcount=0 refused=0 first="" dopt rc msg st line
    if [ "$kind" = admin ]; then
        dev=$CTRL
        supported=" 0 1 2 4 5 6 8 9 10 13 21 25 26 "
    else
        dev=$NS
        supported=" 0 1 2 4 5 8 9 12 13 14 17 18 21 29 "
    fi
    while read -r op nsid c10 c11 c12 c13 c14 c15 dlen dir; do
        case $dir in
            r) dopt="-r" ;;
            w) dopt="-w" ;;
            *) dopt="" ;;
        esac
        # shellcheck disable=SC2086 # $dopt is one option or none
        nvme "$kind-passthru" "$dev" --opcode="$op" --namespace-id="$nsid" \
            --cdw10="$c10" --cdw11="$c11" --cdw12="$c12" --cdw13="$c13" --cdw14="$c14" \
            --cdw15="$c15" --data-len="$dlen" $dopt -b --timeout=15000 \
            </dev/null >/dev/null 2>"$T_ERR"
        rc=$?
        msg=""
        IFS= read -r msg <"$T_ERR"
        case $msg in
            "NVMe status:"*"(0x"*")") st=${msg##*\(}; st=${st%\)} ;;
            *" is Success and result: "*) st=0x0 ;;
            *) st="rc=$rc: $msg" ;;
        esac
        count=$((count + 1))
        line="$kind op=$op nsid=$nsid cdw10-15=$c10,$c11,$c12,$c13,$c14,$c15 dlen=$dlen -> $st"
        case $st in
            0x0)
                okcount=$((okcount + 1))
                case "$supported" in *" $op "*) ;; *)
                    wrong=$((wrong + 1))
                    first="${first:-$line}" ;;
                esac
                ;;
            0x*)
                if [ $((st & 0x4000)) -eq 0 ]; then
                    nodnr=$((nodnr + 1))
                    first="${first:-$line}"
                fi
                case "$supported" in *" $op "*) ;; *)
                    if [ $((st)) -ne $((0x4001)) ]; then
                        wrong=$((wrong + 1))
                        first="${first:-$line}"
                    fi
                    ;;
                esac
                ;;
            *)
                # Set Features of a driver-managed feature never reaches
                # the device on 6.12 (lib.sh): no completion to check
                if [ "$kind" = admin ] && [ "$op" = 9 ] && nvme_host_refused_setf "$c10" "$st"; then
                    refused=$((refused + 1))
                else
                    nostatus=$((nostatus + 1))
                    first="${first:-$line}"
                fi
                ;;
        esac
    done <"$list"
    t_log "fuzz $kind: $count commands, $okcount succeeded, $refused refused by the host kernel"
    [ -n "$first" ] && t_log "fuzz $kind: first problem: $first"
    t_eq "passthru/fuzz/$kind/count" "$FUZZ_N" "$count"
    t_eq "passthru/fuzz/$kind/all-completed" 0 "$nostatus"
    t_eq "passthru/fuzz/$kind/errors-have-dnr" 0 "$nodnr"
    t_eq "passthru/fuzz/$kind/unsupported-opcodes-invalid-opcode" 0 "$wrong"
}
fuzz admin "$T_TMP/fuzz-admin.txt"
fuzz io "$T_TMP/fuzz-io.txt"

# ---------------------------------------------------------------- still healthy

t_eq passthru/after-fuzz/ctrl-live live "$(cat "/sys/class/nvme/$CNAME/state")"
dd if=/dev/urandom of="$T_TMP/big" bs=1M count=4 2>/dev/null
t_check passthru/after-fuzz/write-4m dd if="$T_TMP/big" of="$NS" bs=1M seek=64 oflag=direct
t_check passthru/after-fuzz/read-4m dd if="$NS" of="$T_TMP/big.now" bs=1M skip=64 count=4 iflag=direct
t_eq passthru/after-fuzz/data-matches "$(sha "$T_TMP/big")" "$(sha "$T_TMP/big.now")"
i=0
bad=""
while [ $i -lt 16 ]; do
    dd if="$T_TMP/big" of="$T_TMP/big.part" bs=256k skip=$i count=1 2>/dev/null
    run nvme compare "$NS" --start-block=$((131072 + i * 512)) --block-count=511 \
        --data-size=262144 --data="$T_TMP/big.part"
    [ "$ST" = 0x0 ] || bad="$bad part$i:$ST"
    i=$((i + 1))
done
t_eq passthru/after-fuzz/compare-4m "" "$bad"
run nvme id-ctrl "$CTRL"
t_eq passthru/after-fuzz/id-ctrl 0x0 "$ST"
run nvme smart-log "$CTRL" -o json
NERR=$(sed -n 's/^ *"num_err_log_entries":"\([0-9]*\)".*/\1/p' "$T_OUT")
run nvme error-log "$CTRL" -e 1 -o json
t_eq passthru/after-fuzz/errlog-consistent "$NERR" \
    "$(sed -n 's/^ *"error_count":\([0-9]*\).*/\1/p' "$T_OUT" | head -n 1)"
problems=$(t_dmesg_since_mark | grep -Ei 'timeout|resetting|reset controller|I/O error|disabl|nvmev.*(warn|err)' | head -n 3)
t_eq passthru/after-fuzz/no-timeouts-or-resets "" "$problems"

t_check passthru/rmmod nvmev_unload
rm -f "$T_TMP"/pt.* "$T_TMP"/c4k* "$T_TMP"/wz* "$T_TMP"/dsm* "$T_TMP"/big* "$T_TMP"/fuzz-*.txt
t_dmesg_clean passthru/dmesg-clean
exit 0
