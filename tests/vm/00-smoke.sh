#!/bin/sh
# shellcheck shell=dash
# Smoke test: nvmev loads, shows up as an NVMe controller + namespace,
# answers Identify, stores and returns 16 MiB of data, and unloads cleanly.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

t_check smoke/insmod nvmev_load || {
    t_dmesg_clean smoke/dmesg-clean
    exit 0
}
t_log "nvmev controller $NVMEV_CTRL, namespace $NVMEV_NS"
t_check smoke/ctrl-node test -c "$NVMEV_CTRL"
t_check smoke/ns-node test -b "$NVMEV_NS"
t_check smoke/id-ctrl nvme id-ctrl "$NVMEV_CTRL"
t_check smoke/id-ns nvme id-ns "$NVMEV_NS"

smoke_roundtrip() {
    dd if=/dev/urandom of=/tmp/smoke.pattern bs=1M count=16 2>/dev/null ||
        { t_fail smoke/data "cannot create /tmp/smoke.pattern"; return; }
    t_check smoke/write dd if=/tmp/smoke.pattern of="$NVMEV_NS" bs=1M oflag=direct conv=fsync ||
        return
    t_check smoke/read dd if="$NVMEV_NS" of=/tmp/smoke.readback bs=1M count=16 iflag=direct ||
        return
    t_eq smoke/data-matches "$(sha256sum </tmp/smoke.pattern)" "$(sha256sum </tmp/smoke.readback)"
    rm -f /tmp/smoke.pattern /tmp/smoke.readback
}
smoke_roundtrip

ctrl=$NVMEV_CTRL
ns=$NVMEV_NS
t_check smoke/rmmod nvmev_unload
t_expect_fail smoke/ctrl-node-gone test -e "$ctrl"
t_expect_fail smoke/ns-node-gone test -e "$ns"
t_dmesg_clean smoke/dmesg-clean
exit 0
