#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2317,SC2015 # helpers via t_check; t_pass never fails
# nvmev-vm-args: --iommu on
#
# With an Intel IOMMU doing DMA translation and interrupt remapping
# (QEMU q35, intel-iommu,intremap=on; intel_iommu=on): nvmev loads, the
# host gets MSI-X with an interrupt for every I/O queue (not one shared
# vector), fio with crc32c verify passes across a controller reset, and
# the kernel says nothing bad.  59-iommu-pt.sh runs the same with iommu=pt.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=${IOMMU_P:-iommu}

t_check $P/dmar-enabled sh -c "dmesg | grep -q 'DMAR: IOMMU enabled'"
t_check $P/irq-remapping-enabled sh -c "dmesg | grep -q 'Enabled IRQ remapping'"
t_log "iommu: $(dmesg | grep -m1 'Default domain type' | sed 's/^\[[^]]*\] //')"
t_check $P/iommu-groups-exist sh -c "ls /sys/kernel/iommu_groups | grep -q ."
if [ -n "${IOMMU_PT:-}" ]; then
    t_check $P/passthrough-default sh -c "dmesg | grep -q 'Default domain type: Passthrough'"
fi

t_check $P/insmod nvmev_load || { t_dmesg_clean $P/dmesg-clean; exit 0; }
CTRL=${NVMEV_CTRL#/dev/}
BDF=$(basename "$(readlink -f "/sys/class/nvme/$CTRL/device")")
t_log "nvmev at $BDF, iommu group: $(basename "$(readlink -f "/sys/bus/pci/devices/$BDF/iommu_group" 2>/dev/null)" 2>/dev/null)"

# One MSI-X vector per queue: the admin queue and one I/O queue per CPU
CPUS=$(grep -c '^processor' /proc/cpuinfo)
grep "$CTRL"q /proc/interrupts | sed 's/^/## /'
t_eq $P/io-queue-vectors "$CPUS" "$(grep -c "${CTRL}q[1-9]" /proc/interrupts)"
# MSI-X, not MSI: the function's vectors in sysfs say which
t_eq $P/msix-vectors "$((CPUS + 1))" "$(cat /sys/bus/pci/devices/"$BDF"/msi_irqs/* 2>/dev/null | grep -c msix)"
t_log "interrupt chip: $(grep "${CTRL}q1\$" /proc/interrupts | awk '{ print $(NF - 2) }') (not remapped: the domain has no IOMMU unit)"

JOB="--name=iommu --filename=$NVMEV_NS --ioengine=libaio --direct=1 --rw=randwrite
    --bs=4k --iodepth=32 --numjobs=2 --size=64M --offset=0 --offset_increment=64M
    --verify=crc32c --verify_fatal=1 --group_reporting --eta=never"
# shellcheck disable=SC2086
t_check $P/fio-verify fio $JOB --do_verify=1
# interrupts arrived on more than one I/O queue vector
t_check $P/several-vectors-used sh -c "grep '${CTRL}q[1-9]' /proc/interrupts |
    awk '{ n = 0; for (i = 2; i <= NF; i++) if (\$i ~ /^[0-9]+\$/) n += \$i; if (n) used++ }
         END { exit !(used >= 2) }'"
t_check $P/reset sh -c "echo 1 >/sys/class/nvme/$CTRL/reset_controller"
# shellcheck disable=SC2086
t_check $P/fio-verify-after-reset fio $JOB --do_verify=1 --offset=256M
t_check $P/rmmod nvmev_unload
t_dmesg_clean $P/dmesg-clean
exit 0
