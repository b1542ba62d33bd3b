#!/bin/sh
# shellcheck shell=dash
# Guided tour of nvmev for newcomers (run by scripts/demo.sh): load the
# module, look at the controller with nvme-cli, run fio, put ext4 on it.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

DEMO_FAILED=0

banner() {
    echo
    echo "=================================================================="
    echo "== $*"
    echo "=================================================================="
}

# Show a shell command, run it, report a failure without stopping the tour.
demo_run() {  # <shell command>
    echo "\$ $1"
    if ! sh -c "$1"; then
        echo "!! command failed: $1"
        DEMO_FAILED=$((DEMO_FAILED + 1))
        return 1
    fi
}

banner "1. Load nvmev: it carves an NVMe SSD out of the RAM reserved by memmap="
# shellcheck disable=SC2119 # default parameters
if ! nvmev_load; then
    t_fail demo/load "nvmev_load failed (see above)"
    exit 0
fi
echo "nvmev controller: $NVMEV_CTRL   namespace (block device): $NVMEV_NS"

banner "2. The kernel's NVMe driver sees a PCIe NVMe device"
demo_run "nvme list"
demo_run "nvme id-ctrl $NVMEV_CTRL | head -n 20"
demo_run "nvme smart-log $NVMEV_CTRL"

banner "3. fio: 10 seconds of 4 KiB random reads, queue depth 16"
demo_run "fio --name=randread --filename=$NVMEV_NS --rw=randread --bs=4k \
--iodepth=16 --ioengine=libaio --direct=1 --time_based --runtime=10 \
--group_reporting --eta=never"

banner "4. A file system on the emulated SSD"
mkdir -p /mnt/nvmev
demo_run "mkfs.ext4 -q -F $NVMEV_NS" &&
    demo_run "mount -t ext4 $NVMEV_NS /mnt/nvmev" && {
        demo_run "echo 'hello from nvmev' > /mnt/nvmev/hello.txt && cat /mnt/nvmev/hello.txt"
        demo_run "df -h /mnt/nvmev"
        demo_run "umount /mnt/nvmev"
    }

banner "5. Unload nvmev: the device disappears"
demo_run "rmmod nvmev; sleep 1; nvme list"

if [ "$DEMO_FAILED" -eq 0 ]; then
    t_pass demo/tour
else
    t_fail demo/tour "$DEMO_FAILED demo command(s) failed (see above)"
fi
t_dmesg_clean demo/dmesg-clean
exit 0
