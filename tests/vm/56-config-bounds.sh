#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2317,SC2015,SC2086 # helpers via t_check; t_pass never fails; word lists
# Sizes and offsets from configfs and module parameters are bounded: a size
# that would wrap a sum (2^64 - 4 GiB), overflow a suffix (16E) or exceed
# the reserved region is refused with one line, takes nothing from the
# pool and warns nothing; the pool and the device stay usable.
# Also: ZASL changed while a zoned namespace is enabled (before the
# controller goes live) is what the controller enforces.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=bounds
nv_configfs_mount

pool() { sed -n "s/^$1 //p" $NV/pool; }
extents() { grep -c '^extent ' $NV/pool; }
t_put() {  # <name> <value> <file>: the write succeeds
    if echo "$2" >"$3" 2>/dev/null; then t_pass "$1"; else t_fail "$1" "echo $2 >$3 refused"; fi
}
t_put_fails() {  # <name> <value> <file>
    if echo "$2" >"$3" 2>/dev/null; then t_fail "$1" "echo $2 >$3 accepted"; else t_pass "$1"; fi
}
t_klog() {  # <name> <text>: the kernel said it since the last kmsg mark
    if t_kmsg_since | grep -qF -- "$2"; then t_pass "$1"; else
        t_fail "$1" "no '$2' in: $(t_kmsg_since | tail -n 3)"
    fi
}

# ---- module parameters that memparse() would wrap
for v in 99999999999999999999 16E 17179869184G; do
    t_kmsg_mark
    if insmod "$NVMEV_KO" memmap_start=$v memmap_size=2G cpus=2,3 2>/dev/null; then
        t_fail "$P/memmap_start-$v-refused" "insmod accepted memmap_start=$v"
        rmmod nvmev
    else
        t_pass "$P/memmap_start-$v-refused"
    fi
    t_klog "$P/memmap_start-$v-says-why" "memmap_start=$v is not a size"
done

insmod "$NVMEV_KO" memmap_start=4G memmap_size=2G nr_ctrls=0 cpus=2,3 ||
    { t_fail $P/insmod "insmod failed"; exit 0; }
t_pass $P/insmod
D=$NV/b/namespaces/1
mkdir $NV/b && mkdir $D
# the controller first: its registers are an extent the sums below pass
echo 2,3 >$NV/b/cpus
t_put $P/ctrl-enable 1 $NV/b/enable
FREE=$(pool free)
EXTENTS=$(extents)

# ---- sizes that wrap or exceed the region
t_put_fails $P/size-16E-refused 16E $D/size
t_put_fails $P/size-overflowing-digits-refused 99999999999999999999 $D/size
t_put_fails $P/size-G-overflow-refused 17179869184G $D/size
# 2^64 - 4 GiB: fits in 64 bits, far beyond the region
t_put $P/size-huge-stored 18446744069414584320 $D/size
t_kmsg_mark
t_put_fails $P/size-huge-enable-refused 1 $D/enable
t_klog $P/size-huge-says-why "is larger than the whole reserved region"
t_eq $P/size-huge-pool-untouched "$FREE" "$(pool free)"
t_eq $P/size-huge-no-extent "$EXTENTS" "$(extents)"
t_put $P/size-region-plus-1M 2049M $D/size
t_put_fails $P/size-region-plus-1M-refused 1 $D/enable
t_eq $P/size-region-plus-1M-pool-untouched "$FREE" "$(pool free)"

# ---- zone sizes beyond anything
echo zns >$D/preset
t_put $P/zone-size-8E-stored 8E $D/zone_size
t_put $P/zns-size 64M $D/size
t_kmsg_mark
t_put_fails $P/zone-size-8E-enable-refused 1 $D/enable
t_eq $P/zone-size-8E-pool-untouched "$FREE" "$(pool free)"
t_put_fails $P/zone-size-overflow-refused 16E $D/zone_size

# ---- a sane namespace still works in the same pool
echo nvm >$D/type
t_put $P/sane-size 64M $D/size
t_put $P/sane-enable 1 $D/enable
if DEV=$(nv_wait_dev b 1); then
    t_check $P/sane-io fio --name=b --filename="$DEV" --ioengine=libaio --direct=1 \
        --rw=randwrite --bs=4k --iodepth=8 --size=8M --verify=crc32c \
        --do_verify=1 --verify_fatal=1 --eta=never
else
    t_fail $P/sane-device "no block device"
fi
nv_rmctrl b

# ---- ZASL set after the zoned namespace was enabled, before going live:
# Identify says 8 KiB and 8 KiB is what the controller enforces
mkdir $NV/za
nv_mkns za 1 64M zns zone_size=4M && t_pass $P/zasl-ns-enable ||
    t_fail $P/zasl-ns-enable "see dmesg"
t_put $P/zasl-set-after-ns 1 $NV/za/zasl
echo 2,3 >$NV/za/cpus
echo 1 >$NV/za/enable
if Z=$(nv_wait_dev za 1); then
    echo mq-deadline >/sys/block/${Z#/dev/}/queue/scheduler 2>/dev/null
    t_eq $P/zasl-kernel-limit 8192 "$(cat /sys/block/${Z#/dev/}/queue/zone_append_max_bytes)"
    head -c 16384 /dev/urandom >/tmp/b.16k
    nvme_run nvme zns zone-append "$Z" -s 0 -z 16384 -d /tmp/b.16k
    t_eq $P/zasl-16k-append-refused 0x4002 "$ST"
    nvme_run nvme zns zone-append "$Z" -s 0 -z 8192 -d /tmp/b.16k
    t_eq $P/zasl-8k-append-accepted 0x0 "$ST"
    t_put_fails $P/zasl-fixed-while-live 0 $NV/za/zasl
else
    t_fail $P/zasl-device "no block device"
fi
nv_rmctrl za
t_eq $P/pool-all-free-at-end "$(pool size)" "$(pool free)"
t_check $P/rmmod rmmod nvmev
rm -f /tmp/b.*
t_dmesg_clean $P/dmesg-clean
exit 0
