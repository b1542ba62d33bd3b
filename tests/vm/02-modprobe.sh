#!/bin/sh
# shellcheck shell=dash
# The module where `make install` puts it (/lib/modules/<release>/updates/,
# indexed by depmod; the initramfs links it there) loads by name: modprobe
# with the usual parameters (its dependency configfs resolved) gives the
# device, data written reads back, and rmmod removes it.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=modprobe
K=$(uname -r)
t_check $P/modules-dep grep -q '^updates/nvmev.ko: .*configfs' "/lib/modules/$K/modules.dep"

_nvmev_memmap_defaults
t_log "modprobe nvmev memmap_start=$NVMEV_MEMMAP_START memmap_size=$NVMEV_MEMMAP_SIZE cpus=$NVMEV_CPUS"
if ! t_check $P/load modprobe nvmev memmap_start="$NVMEV_MEMMAP_START" \
    memmap_size="$NVMEV_MEMMAP_SIZE" cpus="$NVMEV_CPUS"; then
    t_dmesg_clean $P/dmesg-clean
    exit 0
fi
t_check $P/module-loaded grep -q '^nvmev ' /proc/modules
# the module loaded is the file installed: the same srcversion
sv=$(modinfo -F srcversion "/lib/modules/$K/updates/nvmev.ko" 2>/dev/null)
t_check $P/srcversion-known test -n "$sv"
t_eq $P/srcversion "$sv" "$(cat /sys/module/nvmev/srcversion 2>/dev/null)"
if t_check $P/device nvme_wait_device "$NVMEV_MODEL_PATTERN"; then
    dd if=/dev/urandom of=/tmp/modprobe.pattern bs=64k count=16 2>/dev/null
    t_check $P/write dd if=/tmp/modprobe.pattern of="$NVMEV_NS" bs=64k oflag=direct conv=fsync
    t_eq $P/data-matches "$(sha256sum </tmp/modprobe.pattern)" \
        "$(dd if="$NVMEV_NS" bs=64k count=16 iflag=direct 2>/dev/null | sha256sum)"
    rm -f /tmp/modprobe.pattern
fi
# rmmod, not busybox's modprobe -r: that also unloads configfs (a
# dependency, in use) and fails for it
t_check $P/rmmod nvmev_unload
t_expect_fail $P/module-gone grep -q '^nvmev ' /proc/modules
t_dmesg_clean $P/dmesg-clean
exit 0
