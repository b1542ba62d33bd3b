#!/bin/sh
# shellcheck shell=dash
# Data integrity: fio with crc32c verification (4k QD32 x2 jobs, block sizes
# 512..1M, 1M random writes split at MDTS, sequential 128k, randrw with
# fsync), the first and last LBA, I/O past the end, Compare/Verify/Flush,
# discard and write zeroes (read back as zeroes, neighbours intact),
# unaligned dd, SMART counters, and a 4096-byte LBA load.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=data
# busybox sh runs its own applets before PATH: name the real tools.
DD=/usr/bin/dd
BLKDISCARD=/usr/sbin/blkdiscard
FIO_COMMON="--ioengine=libaio --direct=1 --group_reporting --verify=crc32c --do_verify=1 --verify_fatal=1 --verify_dump=0"

smart() {  # <json key>: one value of the SMART log
    nvme smart-log "$NVMEV_CTRL" -o json 2>/dev/null |
        sed -n "s/^ *\"$1\" *: *\"\{0,1\}\([0-9]*\)\"\{0,1\},\{0,1\} *$/\1/p"
}

qattr() {  # <queue attribute>
    cat "/sys/block/${NVMEV_NS#/dev/}/queue/$1"
}

t_gt() {  # <name> <value> <minimum exclusive>
    if [ -n "$2" ] && [ "$2" -gt "$3" ] 2>/dev/null; then
        t_pass "$1"
        return 0
    fi
    t_fail "$1" "expected a number greater than $3, got '$2'"
}

t_ge() {  # <name> <value> <minimum>
    if [ -n "$2" ] && [ "$2" -ge "$3" ] 2>/dev/null; then
        t_pass "$1"
        return 0
    fi
    t_fail "$1" "expected a number >= $3, got '$2'"
}

# Read <len> bytes at byte offset <off> of the namespace (512-aligned).
rd() {  # <off> <len> <out file>
    $DD if="$NVMEV_NS" of="$3" bs=64K iflag=direct,skip_bytes,count_bytes \
        skip="$1" count="$2" 2>/dev/null && [ "$(wc -c <"$3")" -eq "$2" ]
}

wr() {  # <file> <off>
    $DD if="$1" of="$NVMEV_NS" bs=64K oflag=direct,seek_bytes seek="$2" \
        conv=notrunc 2>/dev/null
}


same() {  # <file> <file>
    [ "$(sha256sum <"$1")" = "$(sha256sum <"$2")" ]
}

rand() {  # <file> <bytes>
    head -c "$2" /dev/urandom >"$1"
}

# Pass iff the command fails and its output matches the regex (e.g. the
# NVMe status nvme-cli prints).
t_fails_with() {  # <name> <extended regex> <cmd...>
    local name=$1 re=$2 out
    shift 2
    if out=$("$@" 2>&1); then
        t_fail "$name" "'$*' succeeded; expected a failure matching /$re/"
        return 1
    fi
    if printf '%s\n' "$out" | grep -qiE "$re"; then
        t_pass "$name"
        return 0
    fi
    t_fail "$name" "'$*' failed without /$re/: $(printf '%s' "$out" | tail -n 2)"
}
LBA_RANGE='LBA Out of Range|\(0x[0-9a-f]?080\)'

fio_job() {  # <result name> <fio args...>
    local name=$1
    shift
    # shellcheck disable=SC2086 # FIO_COMMON is a list of options
    t_check "$name" fio --name="${name##*/}" --filename="$NVMEV_NS" $FIO_COMMON "$@"
}

# ---------------------------------------------------------------- 512 B LBAs

t_check $P/insmod nvmev_load || {
    t_dmesg_clean $P/dmesg-clean
    exit 0
}
NS_NAME=${NVMEV_NS#/dev/}
LBS=512
BYTES=$(($(cat /sys/block/"$NS_NAME"/size) * 512))
t_eq $P/size-bytes $((2047 * 1024 * 1024)) "$BYTES"
t_eq $P/logical-block-size 512 "$(qattr logical_block_size)"
t_gt $P/discard-max-bytes "$(qattr discard_max_bytes)" 0
t_gt $P/write-zeroes-max-bytes "$(qattr write_zeroes_max_bytes)" 0
t_log "queue: max_hw_sectors_kb=$(qattr max_hw_sectors_kb) discard_granularity=$(qattr discard_granularity) write_cache=$(qattr write_cache)"

W0=$(smart host_write_commands)
R0=$(smart host_read_commands)
DUW0=$(smart data_units_written)
DUR0=$(smart data_units_read)
t_log "SMART before: host_write_commands=$W0 host_read_commands=$R0 data_units_written=$DUW0 data_units_read=$DUR0"

# fio regions (MiB): 0-64 4k random, 64-128 bsrange, 128-192 1M random,
# 192-256 sequential 128k, 256-272 randrw; the rest of the tests use 1 GiB+.
fio_job $P/fio-randwrite-4k-qd32-2jobs --rw=randwrite --bs=4k --iodepth=32 \
    --numjobs=2 --size=32M --offset=0 --offset_increment=32M
fio_job $P/fio-write-bsrange-512-1M --rw=write --bsrange=512-1M --iodepth=16 \
    --size=64M --offset=64M
fio_job $P/fio-randwrite-1M-split --rw=randwrite --bs=1M --iodepth=8 \
    --size=64M --offset=128M
fio_job $P/fio-randwrite-bs-mix --rw=randwrite --bssplit=512/20:4k/40:12k/10:128k/10:768k/20 \
    --iodepth=16 --size=32M --offset=128M
fio_job $P/fio-write-seq-128k --rw=write --bs=128k --iodepth=16 --size=64M --offset=192M
fio_job $P/fio-randrw-fsync --rw=randrw --bs=4k --iodepth=1 --fsync=8 \
    --size=8M --offset=256M

# ---- the first and last LBAs, and nothing beyond
edges() {
    local last=$((BYTES - 512))
    rand /tmp/d.first 1048576
    rand /tmp/d.last 1048576
    t_check $P/edge-write-first-1M wr /tmp/d.first 0 || return
    t_check $P/edge-write-last-1M wr /tmp/d.last $((BYTES - 1048576)) || return
    rd 0 1048576 /tmp/d.rd1 && rd $((BYTES - 1048576)) 1048576 /tmp/d.rd2
    t_check $P/edge-first-1M-matches same /tmp/d.first /tmp/d.rd1
    t_check $P/edge-last-1M-matches same /tmp/d.last /tmp/d.rd2
    # the very first and last LBA on their own, 512-byte commands
    rand /tmp/d.lba 512
    t_check $P/edge-write-last-lba $DD if=/tmp/d.lba of="$NVMEV_NS" bs=512 \
        seek=$((last / 512)) count=1 oflag=direct
    t_check $P/edge-write-first-lba $DD if=/tmp/d.lba of="$NVMEV_NS" bs=512 \
        seek=0 count=1 oflag=direct
    rd "$last" 512 /tmp/d.rl && rd 0 512 /tmp/d.rf
    t_check $P/edge-last-lba-matches same /tmp/d.lba /tmp/d.rl
    t_check $P/edge-first-lba-matches same /tmp/d.lba /tmp/d.rf
    # the LBA before the last one still holds the 1M pattern
    tail -c 1024 /tmp/d.last | head -c 512 >/tmp/d.exp
    rd $((last - 512)) 512 /tmp/d.rl2
    t_check $P/edge-second-last-lba-intact same /tmp/d.exp /tmp/d.rl2
    t_expect_fail $P/edge-write-past-end $DD if=/tmp/d.lba of="$NVMEV_NS" \
        bs=512 seek=$((BYTES / 512)) count=1 oflag=direct
    # passthrough commands check the LBA range themselves
    t_check $P/nvme-read-last-lba nvme read "$NVMEV_NS" -s $((last / 512)) -c 0 \
        -z 512 -d /tmp/d.pt
    t_check $P/nvme-read-last-lba-matches same /tmp/d.lba /tmp/d.pt
    t_fails_with $P/nvme-read-across-end "$LBA_RANGE" nvme read "$NVMEV_NS" \
        -s $((last / 512)) -c 1 -z 1024 -d /tmp/d.pt2
    t_fails_with $P/nvme-read-past-end "$LBA_RANGE" nvme read "$NVMEV_NS" \
        -s $((BYTES / 512)) -c 0 -z 512 -d /tmp/d.pt2
    t_fails_with $P/nvme-write-past-end "$LBA_RANGE" nvme write "$NVMEV_NS" \
        -s $((BYTES / 512)) -c 0 -z 512 -d /tmp/d.lba
    t_fails_with $P/nvme-write-zeroes-across-end "$LBA_RANGE" nvme write-zeroes "$NVMEV_NS" \
        -s $((last / 512)) -c 3
    t_fails_with $P/nvme-dsm-across-end "$LBA_RANGE" nvme dsm "$NVMEV_NS" --ad \
        -s $((last / 512)) -b 4
    # the failed commands changed nothing
    rd "$last" 512 /tmp/d.rl
    t_check $P/edge-last-lba-intact-after-errors same /tmp/d.lba /tmp/d.rl
    rm -f /tmp/d.*
}
edges

# ---- Compare, Verify, Flush through passthrough
compare_verify() {
    local off=$((1024 * 1024 * 1024))
    rand /tmp/c.data 4096
    wr /tmp/c.data $off || { t_fail $P/compare-setup "write failed"; return; }
    t_check $P/nvme-compare-equal nvme compare "$NVMEV_NS" -s $((off / 512)) -c 7 \
        -z 4096 -d /tmp/c.data
    cp /tmp/c.data /tmp/c.diff
    printf 'X' | $DD of=/tmp/c.diff bs=1 seek=4000 conv=notrunc 2>/dev/null
    if cmp -s /tmp/c.data /tmp/c.diff; then
        printf 'Y' | $DD of=/tmp/c.diff bs=1 seek=4000 conv=notrunc 2>/dev/null
    fi
    t_fails_with $P/nvme-compare-different 'Compare Failure|\(0x[0-9a-f]?285\)' \
        nvme compare "$NVMEV_NS" -s $((off / 512)) -c 7 -z 4096 -d /tmp/c.diff
    t_check $P/nvme-verify nvme verify "$NVMEV_NS" -s $((off / 512)) -c 7
    t_fails_with $P/nvme-verify-across-end "$LBA_RANGE" nvme verify "$NVMEV_NS" \
        -s $((BYTES / 512 - 1)) -c 1
    t_check $P/nvme-flush nvme flush "$NVMEV_NS"
    # the data is unchanged by all of that
    rd $off 4096 /tmp/c.rd
    t_check $P/compare-verify-data-intact same /tmp/c.data /tmp/c.rd
    rm -f /tmp/c.*
}
compare_verify

# ---- discard and write zeroes
zeroing() {  # <tag> <cmd: blkdiscard | blkdiscard -z | nvme-wz | nvme-dsm> <base>
    local tag=$1 how=$2 base=$3
    local mid=$((base + 4 * 1024 * 1024)) lbs=$LBS
    # 8 MiB of random data; zero 4 MiB + 5 LBAs from 1 MiB + 3 LBAs
    local zoff=$((base + 1048576 + 3 * lbs)) zlen=$((4 * 1048576 + 5 * lbs))
    rand /tmp/z.pat 8388608
    wr /tmp/z.pat "$base" || { t_fail $P/$tag-setup "write failed"; return; }
    case "$how" in
        blkdiscard) t_check $P/$tag $BLKDISCARD -f -o $zoff -l $zlen "$NVMEV_NS" ;;
        blkdiscard-z) t_check $P/$tag $BLKDISCARD -f -z -o $zoff -l $zlen "$NVMEV_NS" ;;
        nvme-wz) t_check $P/$tag nvme write-zeroes "$NVMEV_NS" -s $((zoff / lbs)) \
            -c $((zlen / lbs - 1)) ;;
        nvme-dsm) t_check $P/$tag nvme dsm "$NVMEV_NS" --ad \
            -s $((zoff / lbs)),$(((mid + 2097152) / lbs)) -b $((zlen / lbs)),$((4096 / lbs)) ;;
    esac
    rd $zoff $zlen /tmp/z.rd
    t_check $P/$tag-reads-zero is_zero /tmp/z.rd
    # the sectors right before and after the range are untouched
    rd "$base" $((zoff - base)) /tmp/z.before
    head -c $((zoff - base)) /tmp/z.pat >/tmp/z.exp
    t_check $P/$tag-before-intact same /tmp/z.exp /tmp/z.before
    rd $((zoff + zlen)) $((base + 8388608 - zoff - zlen)) /tmp/z.after
    tail -c $((base + 8388608 - zoff - zlen)) /tmp/z.pat >/tmp/z.exp
    if [ "$how" = nvme-dsm ]; then
        # the second range (4 KiB at mid + 2 MiB) is zero too
        $DD if=/dev/zero of=/tmp/z.exp bs=4096 count=1 conv=notrunc oflag=seek_bytes \
            seek=$((mid + 2097152 - zoff - zlen)) 2>/dev/null
    fi
    t_check $P/$tag-after-intact same /tmp/z.exp /tmp/z.after
    rm -f /tmp/z.*
}
zeroing discard blkdiscard $((1100 * 1048576))
zeroing write-zeroes blkdiscard-z $((1110 * 1048576))
zeroing nvme-write-zeroes nvme-wz $((1120 * 1048576))
zeroing nvme-dsm-deallocate nvme-dsm $((1130 * 1048576))
# a big discard, larger than one Write Zeroes command's limit
big_discard() {
    local off=$((1200 * 1048576)) len=$((64 * 1048576))
    t_check $P/discard-64M-setup fio --name=fill --filename="$NVMEV_NS" --rw=write --bs=1M \
        --ioengine=libaio --direct=1 --iodepth=4 --offset=$off --size=$len --buffer_pattern=0xa5 || return
    t_check $P/discard-64M $BLKDISCARD -f -o $off -l $len "$NVMEV_NS"
    rd $off $len /tmp/z.big
    t_check $P/discard-64M-reads-zero is_zero /tmp/z.big
    rm -f /tmp/z.big
}
big_discard

# ---- unaligned and odd sizes
unaligned() {
    local base=$((1300 * 1048576))
    rand /tmp/u.pat 1048576
    wr /tmp/u.pat $base || { t_fail $P/unaligned-setup "write failed"; return; }
    # O_DIRECT, 7 sectors at sector 13
    rand /tmp/u.7 3584
    t_check $P/dd-direct-7-sectors $DD if=/tmp/u.7 of="$NVMEV_NS" bs=512 \
        seek=$((base / 512 + 13)) count=7 oflag=direct
    # buffered, 1000 bytes at byte 777 (read-modify-write in the page cache)
    rand /tmp/u.1000 1000
    t_check $P/dd-buffered-1000-bytes-at-777 $DD if=/tmp/u.1000 of="$NVMEV_NS" bs=1000 \
        oflag=seek_bytes seek=$((base + 777)) count=1 conv=notrunc,fsync
    # expected image
    $DD if=/tmp/u.7 of=/tmp/u.pat bs=512 seek=13 count=7 conv=notrunc 2>/dev/null
    $DD if=/tmp/u.1000 of=/tmp/u.pat bs=1000 oflag=seek_bytes seek=777 count=1 \
        conv=notrunc 2>/dev/null
    echo 3 >/proc/sys/vm/drop_caches
    rd $base 1048576 /tmp/u.rd
    t_check $P/unaligned-data-matches same /tmp/u.pat /tmp/u.rd
    # buffered odd-sized read back
    $DD if="$NVMEV_NS" of=/tmp/u.br bs=999 iflag=skip_bytes skip=$((base + 777)) count=1 2>/dev/null
    head -c 999 /tmp/u.1000 >/tmp/u.exp
    t_check $P/dd-buffered-read-999-bytes same /tmp/u.exp /tmp/u.br
    rm -f /tmp/u.*
}
unaligned

# ---- SMART counters went up by at least what fio alone wrote and read
W1=$(smart host_write_commands)
R1=$(smart host_read_commands)
DUW1=$(smart data_units_written)
DUR1=$(smart data_units_read)
t_log "SMART after: host_write_commands=$W1 host_read_commands=$R1 data_units_written=$DUW1 data_units_read=$DUR1"
# 4k job alone: 16384 writes and 16384 verify reads; ~300 MiB written in all
t_ge $P/smart-host-write-commands-increase "$((W1 - W0))" 16384
t_ge $P/smart-host-read-commands-increase "$((R1 - R0))" 16384
# data units are thousands of 512-byte units: 280 MiB = 573440 units
t_ge $P/smart-data-units-written-increase "$((DUW1 - DUW0))" 573
t_ge $P/smart-data-units-read-increase "$((DUR1 - DUR0))" 573

t_check $P/rmmod nvmev_unload

# ---------------------------------------------------------------- 4 KiB LBAs

lba4k() {
    t_check $P/4k/insmod nvmev_load lba_size=4096 || return
    t_eq $P/4k/logical-block-size 4096 "$(qattr logical_block_size)"
    LBS=4096
    t_eq $P/4k/size-bytes $((2047 * 1024 * 1024)) \
        "$(($(cat /sys/block/"${NVMEV_NS#/dev/}"/size) * 512))"
    t_eq $P/4k/id-ns-lbads "12" \
        "$(nvme id-ns "$NVMEV_NS" | sed -n 's/^lbaf *0 *: .*lbads:\([0-9]*\).*/\1/p')"
    fio_job $P/4k/fio-randwrite-4k-qd32 --rw=randwrite --bs=4k --iodepth=32 \
        --numjobs=2 --size=16M --offset=0 --offset_increment=16M
    fio_job $P/4k/fio-write-bsrange-4k-1M --rw=write --bsrange=4k-1M --iodepth=8 \
        --size=32M --offset=32M
    t_expect_fail $P/4k/dd-direct-512-rejected $DD if=/dev/zero of="$NVMEV_NS" bs=512 \
        count=1 oflag=direct
    zeroing 4k/discard blkdiscard $((100 * 1048576))
    zeroing 4k/write-zeroes blkdiscard-z $((120 * 1048576))
    local last=$((BYTES - 4096))
    rand /tmp/l.lba 4096
    t_check $P/4k/write-last-lba $DD if=/tmp/l.lba of="$NVMEV_NS" bs=4096 \
        seek=$((last / 4096)) count=1 oflag=direct
    rd $last 4096 /tmp/l.rd
    t_check $P/4k/last-lba-matches same /tmp/l.lba /tmp/l.rd
    t_fails_with $P/4k/nvme-read-past-end "$LBA_RANGE" nvme read "$NVMEV_NS" \
        -s $((BYTES / 4096)) -c 0 -z 4096 -d /tmp/l.pt
    rm -f /tmp/l.*
    t_check $P/4k/rmmod nvmev_unload
}
# the 512-byte layout of the other tests needs a format after this one
lba4k

t_dmesg_clean $P/dmesg-clean
exit 0
