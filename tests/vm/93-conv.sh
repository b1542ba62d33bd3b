#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2317,SC2015,SC2086 # helpers via t_check; t_pass never fails; word lists
# The NAND SSD model (type conv) in the guest:
#  - a conv namespace offers a volatile write cache (Identify VWC, Feature
#    06h, the block layer's "write back") and the nvm one beside it does not
#    change that;
#  - fill, then random overwrites of twice the capacity with fio crc32c
#    verify: garbage collection runs, write amplification (OCP log C0h and
#    the namespace stats) rises above 1, and write latency under GC is
#    higher than on the fresh device; trimming everything brings the write
#    amplification of new writes back to about 1;
#  - ext4 on it: files, remount, fsck, checksums;
#  - fidelity: QD1 4 KiB random reads cost the modelled read time (median
#    difference against a zero-latency namespace in the same controller,
#    measured with polled I/O: a halted vCPU takes tens of microseconds to
#    wake under TCG, which would swamp the model), and sequential writes
#    run at the configured host-link limit.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=conv
BLKDISCARD=/usr/sbin/blkdiscard
FIO_VERIFY="--ioengine=libaio --direct=1 --verify=crc32c --do_verify=1 --verify_fatal=1 --verify_dump=0"

nv_configfs_mount

# Numbers out of fio's JSON: the first <key> inside the "read" or "write"
# object (for clat: inside its "clat_ns"), as an integer.
fio_num() {  # <json file> <read|write> <bw|clat_mean|clat_p50>
    awk -v op="\"$2\"" -v want="$3" '
        function num(line) { match(line, /: *[0-9.]+/); return substr(line, RSTART + 1, RLENGTH - 1) + 0 }
        index($0, op) && /\{/ { inop = 1; next }
        !inop { next }
        want == "bw" && /"bw" *:/ { print int(num($0)); exit }
        /"clat_ns" *:/ { inclat = 1; next }
        inclat && want == "clat_mean" && /"mean" *:/ { print int(num($0) / 1000); exit }
        inclat && want == "clat_p50" && /"50.000000" *:/ { print int(num($0) / 1000); exit }
        inclat && want == "clat_p99" && /"99.000000" *:/ { print int(num($0) / 1000); exit }
    ' "$1"
}

# ratio a/b with two decimals (integers in, no floating point in busybox sh)
ratio() { echo "$1 $2" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2; else print 0 }'; }
ge() { echo "$1 $2" | awk '{ exit !($1 >= $2) }'; }

# one polled queue for the fidelity reads (io_uring --hipri)
rmmod nvme 2>/dev/null
modprobe nvme poll_queues=1 || t_fail $P/nvme-poll-queues "modprobe nvme poll_queues=1 failed"
insmod "$NVMEV_KO" memmap_start=4G memmap_size=2G nr_ctrls=0 cpus=2,3 idle_spin_us=2000 ||
    { t_fail $P/insmod "insmod failed"; exit 0; }
t_pass $P/insmod
t_check $P/features-list-conv grep -q '^types nvm conv\( \|$\)' $NV/features

# ---- the GC device: small geometry so that 7% OP really is 7%, and NAND
# slow enough (about 51 MB/s of programs) that GC shows through the buffer
mkdir $NV/nand
GEOM="nr_channels=2 luns_per_channel=2 pages_per_block=48 prog_ns=7500000 buffer_kib=1536"
# shellcheck disable=SC2086 # GEOM is a list of words
nv_mkns nand 1 64M conv $GEOM && t_pass $P/gc-ns-enable || t_fail $P/gc-ns-enable "see dmesg"
nv_mkns nand 2 64M nvm-zero && t_pass $P/zero-ns-enable || t_fail $P/zero-ns-enable "see dmesg"
echo 1 >$NV/nand/enable
G=$(nv_wait_dev nand 1) || t_fail $P/gc-ns-device "no block device"
Z=$(nv_wait_dev nand 2) || t_fail $P/zero-ns-device "no block device"
CTRL=$(echo "${G#/dev/}" | sed 's/n[0-9]*$//')
t_log "conv namespace $G, zero-latency namespace $Z, controller /dev/$CTRL"

# ---- volatile write cache
nvme_run nvme id-ctrl "/dev/$CTRL" -o json
t_eq $P/vwc-identify 7 "$(sed -n 's/^ *"vwc" *: *\([0-9]*\).*/\1/p' "$T_OUT")"
t_eq $P/vwc-block-layer "write back" "$(cat "/sys/block/${G#/dev/}/queue/write_cache")"
feat6() {  # Get Features 06h: current value as 8 hex digits ("%#x" drops 0x for 0)
    nvme_run nvme get-feature "/dev/$CTRL" -f 6
    sed -n 's/.*Current value: *\(0x\)\{0,1\}\([0-9a-fA-F]*\).*/\2/p' "$T_OUT" "$T_ERR" | head -n 1
}
t_eq $P/vwc-feature-enabled 00000001 "$(feat6)"
nvme_run nvme set-feature "/dev/$CTRL" -f 6 -v 0
t_eq $P/vwc-feature-disable 0x0 "$ST"
t_eq $P/vwc-feature-disabled 00000000 "$(feat6)"
nvme_run nvme set-feature "/dev/$CTRL" -f 6 -v 1

# ---- fresh device: trimmed, random writes without GC
$BLKDISCARD "$G"
fio --name=fresh --filename="$G" --rw=randwrite --bs=4k --iodepth=16 --ioengine=libaio \
    --direct=1 --size=64M --io_size=16M --randrepeat=0 --norandommap \
    --output-format=json --output=/tmp/cv.fresh >/dev/null 2>&1
LAT_FRESH=$(fio_num /tmp/cv.fresh write clat_mean)
GC0=$(nv_stat nand/1 gc_blocks)
t_log "fresh: mean write clat ${LAT_FRESH} us, gc_blocks ${GC0}"

# ---- fill, then overwrite twice the capacity with verification
t_check $P/fill fio --name=fill --filename="$G" --rw=write --bs=128k --iodepth=8 \
    --size=64M $FIO_VERIFY
H1=$(nv_stat nand/1 write_bytes)
M1=$(nv_stat nand/1 media_write_bytes)
t_check $P/overwrite-2x-verify fio --name=overwrite --filename="$G" --rw=randwrite --bs=4k \
    --iodepth=16 --size=64M --loops=2 $FIO_VERIFY
fio --name=aged --filename="$G" --rw=randwrite --bs=4k --iodepth=16 --ioengine=libaio \
    --direct=1 --size=64M --io_size=16M --randrepeat=0 --norandommap \
    --output-format=json --output=/tmp/cv.aged >/dev/null 2>&1
LAT_AGED=$(fio_num /tmp/cv.aged write clat_mean)
H3=$(nv_stat nand/1 write_bytes)
M3=$(nv_stat nand/1 media_write_bytes)
WAF_OVER=$(ratio $((M3 - M1)) $((H3 - H1)))
t_log "overwrite: host $((H3 - H1)) B, media $((M3 - M1)) B, WAF $WAF_OVER; mean write clat fresh ${LAT_FRESH} us, aged ${LAT_AGED} us"
t_check $P/gc-ran test "$(nv_stat nand/1 gc_blocks)" -gt "$GC0"
t_check $P/waf-above-1.2 ge "$WAF_OVER" 1.2
t_check $P/latency-rises-under-gc ge "$(ratio "${LAT_AGED:-0}" "${LAT_FRESH:-1}")" 1.5
P99_FRESH=$(fio_num /tmp/cv.fresh write clat_p99)
P99_AGED=$(fio_num /tmp/cv.aged write clat_p99)
t_log "write clat p99: fresh ${P99_FRESH} us, aged ${P99_AGED} us"
t_check $P/p99-rises-under-gc ge "$(ratio "${P99_AGED:-0}" "${P99_FRESH:-1}")" 1.5

# OCP log C0h shows the same media traffic as the stats
nvme_run nvme ocp smart-add-log "/dev/$CTRL"
PMUW=$(sed -n 's/.*Physical media units written[^0-9]*0 \([0-9]*\).*/\1/p' "$T_OUT")
MEDIA=$(($(nv_stat nand/1 media_write_bytes) + $(nv_stat nand/2 write_bytes)))
t_eq $P/ocp-pmuw-equals-media-writes "$MEDIA" "$PMUW"
t_check $P/ocp-waf-above-1 ge "$(ratio "${PMUW:-0}" "$(($(nv_stat nand/1 write_bytes) + $(nv_stat nand/2 write_bytes)))")" 1.2

# ---- trim everything: new writes copy nothing
$BLKDISCARD "$G"
H4=$(nv_stat nand/1 write_bytes)
M4=$(nv_stat nand/1 media_write_bytes)
fio --name=trimmed --filename="$G" --rw=randwrite --bs=4k --iodepth=16 --ioengine=libaio \
    --direct=1 --size=64M --io_size=16M --randrepeat=0 --norandommap \
    --output-format=json --output=/tmp/cv.trim >/dev/null 2>&1
nvme_run nvme flush "/dev/$CTRL" -n 1
H5=$(nv_stat nand/1 write_bytes)
M5=$(nv_stat nand/1 media_write_bytes)
WAF_TRIM=$(ratio $((M5 - M4)) $((H5 - H4)))
t_log "after trim: host $((H5 - H4)) B, media $((M5 - M4)) B, WAF $WAF_TRIM (before: $WAF_OVER)"
t_check $P/trim-lowers-waf ge "$WAF_OVER" "$(echo "$WAF_TRIM" | awk '{ printf "%.2f", $1 + 0.2 }')"
t_check $P/trim-waf-near-1 ge 1.15 "$WAF_TRIM"

# ---- ext4
if mkfs.ext4 -q -F "$G" >/tmp/cv.mkfs 2>&1 && mkdir -p /mnt/cv && mount "$G" /mnt/cv; then
    t_pass $P/ext4-mount
    i=0
    while [ $i -lt 20 ]; do
        head -c $((256 * 1024 + i * 4096)) /dev/urandom >/mnt/cv/f$i
        i=$((i + 1))
    done
    (cd /mnt/cv && sha256sum f* >/tmp/cv.sums)
    umount /mnt/cv
    t_check $P/ext4-fsck e2fsck -fn "$G"
    mount "$G" /mnt/cv && (cd /mnt/cv && sha256sum -c /tmp/cv.sums >/dev/null 2>&1) &&
        t_pass $P/ext4-remount-sums || t_fail $P/ext4-remount-sums "checksums differ after remount"
    umount /mnt/cv
else
    t_fail $P/ext4-mount "$(cat /tmp/cv.mkfs)"
fi

# ---- fidelity: a separate controller, one conv and one zero namespace.
# SLC (one page type) with tR = 400 us; the model's QD1 read of a mapped
# slot: fw_read + tR + channel transfer of 4096 B + link transfer of 4096 B
# (ftl/conv.h), computed from the attributes below.
mkdir $NV/fid
nv_mkns fid 1 64M conv cell_bits=1 "read_4k_ns=400000" "read_page_ns=400000" &&
    nv_mkns fid 2 64M nvm-zero && echo 1 >$NV/fid/enable
F=$(nv_wait_dev fid 1) && FZ=$(nv_wait_dev fid 2) || t_fail $P/fidelity-devices "no block device"
fio --name=prefill --filename="$F" --rw=write --bs=128k --size=16M --ioengine=libaio \
    --direct=1 >/dev/null 2>&1
nvme_run nvme flush "/dev/$(echo "${F#/dev/}" | sed 's/n[0-9]*$//')" -n 1
# three interleaved repetitions; the median of the differences
DIFFS=""
for rep in 1 2 3; do
    for d in "$FZ" "$F"; do
        fio --name=qd1 --filename="$d" --rw=randread --bs=4k --iodepth=1 --ioengine=io_uring \
            --hipri --direct=1 --size=16M --runtime=2 --time_based --output-format=json \
            --output="/tmp/cv.qd1.${d#/dev/}" >/dev/null 2>&1
    done
    P50_Z=$(fio_num "/tmp/cv.qd1.${FZ#/dev/}" read clat_p50)
    P50_C=$(fio_num "/tmp/cv.qd1.${F#/dev/}" read clat_p50)
    DIFFS="$DIFFS $((${P50_C:-0} - ${P50_Z:-0}))"
    t_log "QD1 4k read p50, repetition $rep: conv ${P50_C} us, zero ${P50_Z} us"
done
DIFF=$(echo "$DIFFS" | tr ' ' '\n' | sed '/^$/d' | sort -n | sed -n 2p)
a=$NV/fid/namespaces/1
MODEL_NS=$(($(cat $a/fw_read_ns) + 400000 + (4096000 + $(cat $a/channel_mbps) - 1) / $(cat $a/channel_mbps) + (4096000 + $(cat $a/link_mbps) - 1) / $(cat $a/link_mbps)))
MODEL=$((MODEL_NS / 1000))
t_log "QD1 4k read p50 differences:$DIFFS us; median $DIFF us (model $MODEL_NS ns)"
t_check $P/fidelity-read-within-5pct sh -c "[ ${DIFF:-0} -ge $((MODEL * 95 / 100)) ] && [ ${DIFF:-0} -le $((MODEL * 105 / 100)) ]"

# sequential writes at the link limit: 20 MB/s (4096 B per 204.8 us)
mkdir $NV/bw
nv_mkns bw 1 128M conv link_mbps=20 && echo 1 >$NV/bw/enable
B=$(nv_wait_dev bw 1) || t_fail $P/bandwidth-device "no block device"
fio --name=seqw --filename="$B" --rw=write --bs=128k --iodepth=8 --ioengine=libaio \
    --direct=1 --size=128M --runtime=4 --time_based --output-format=json \
    --output=/tmp/cv.bw >/dev/null 2>&1
BW=$(fio_num /tmp/cv.bw write bw)
MBS=$(echo "$BW" | awk '{ printf "%.1f", $1 * 1024 / 1000000 }')
t_log "sequential write: $MBS MB/s (limit 20.0)"
t_check $P/bandwidth-within-10pct sh -c "echo $MBS | awk '{ exit !(\$1 >= 18 && \$1 <= 22) }'"

# ---- the calibrated drives' mechanisms in the kernel (docs/presets.md):
# mlc-970pro reads on each plane and runs firmware time on 2 cores;
# tlc-970evoplus and qlc take writes into an SLC cache and fold it when
# idle.  Their values read back, bad ones are refused, and data written
# past the cache (128 MiB; the caches are 42 and 140 per mille of 256 MiB)
# then overwritten at random reads back intact.
mkdir $NV/cal
ca=$NV/cal/namespaces
nv_mkns cal 1 256M mlc-970pro && nv_mkns cal 2 256M tlc-970evoplus &&
    nv_mkns cal 3 256M qlc && t_pass $P/cal/enable || t_fail $P/cal/enable "see dmesg"
t_eq $P/cal/970pro-plane-reads 1 "$(cat $ca/1/plane_reads)"
t_eq $P/cal/970pro-fw-cores 2 "$(cat $ca/1/fw_cores)"
t_eq $P/cal/qlc-slc-cache-pm 140 "$(cat $ca/3/slc_cache_pm)"
t_check $P/cal/evoplus-has-slc-cache [ "$(cat $ca/2/slc_cache_pm)" -gt 0 ]
t_eq $P/cal/970pro-no-slc-cache 0 "$(cat $ca/1/slc_cache_pm)"
# refused: a change while enabled; out of range values at enable
t_expect_fail $P/cal/enabled-refuses-change sh -c "echo 0 >$ca/1/plane_reads"
echo 0 >$ca/3/enable
bad_enable() {  # <name> <attribute> <value>: enable refused, then the old value back
    old=$(cat $ca/3/$2)
    echo "$3" >$ca/3/$2
    t_expect_fail $P/cal/$1 sh -c "echo 1 >$ca/3/enable"
    echo "$old" >$ca/3/$2
}
bad_enable plane-reads-2-refused plane_reads 2
bad_enable fw-cores-65-refused fw_cores 65
bad_enable slc-pm-1001-refused slc_cache_pm 1001
bad_enable slc-prog-above-native-refused slc_prog_ns $(($(cat $ca/3/prog_ns) + 1))
t_check $P/cal/qlc-enable-again sh -c "echo 1 >$ca/3/enable"
echo 1 >$NV/cal/enable
for n in 1 2 3; do
    D=$(nv_wait_dev cal $n) || { t_fail $P/cal/ns$n-device "no block device"; continue; }
    fio --name=fill --filename="$D" --rw=write --bs=128k --iodepth=16 --size=128M \
        $FIO_VERIFY --output=/tmp/cv.cal$n >/dev/null 2>&1 &&
        t_pass $P/cal/ns$n-fill-verify || t_fail $P/cal/ns$n-fill-verify "$(tail -n 5 /tmp/cv.cal$n)"
    usleep 300000	# idle: the cache folds
    fio --name=rand --filename="$D" --rw=randwrite --bs=4k --iodepth=16 --size=128M \
        --io_size=32M $FIO_VERIFY --output=/tmp/cv.cal$n >/dev/null 2>&1 &&
        t_pass $P/cal/ns$n-random-verify || t_fail $P/cal/ns$n-random-verify "$(tail -n 5 /tmp/cv.cal$n)"
done

# ---- teardown
nv_rmctrl nand fid bw cal
t_eq $P/pool-free-again "$(sed -n 's/^size //p' $NV/pool)" "$(sed -n 's/^free //p' $NV/pool)"
t_check $P/rmmod rmmod nvmev
rmmod nvme && modprobe nvme
rm -f /tmp/cv.*
t_dmesg_clean $P/dmesg-clean
exit 0
