#!/bin/sh
# shellcheck shell=dash
# nvmev-vm-args: --qemu-nvme 1G
#
# Kernel bypass (issue #15) on nvmev and, for comparison, QEMU's own NVMe
# device: the function handed to user space through uio_pci_generic, as
# SPDK-style setups do, and back.  For each device:
#  - 4 MiB of random data written through the block device;
#  - nvme unbound; uio_pci_generic bound through driver_override: the
#    function gets a uio device and the kernel log no warning (nvmev has no
#    INTx pin, so uio_pci_generic registers it without an interrupt and
#    says "No IRQ assigned"; QEMU's has pin A);
#  - nvmev: the INTx Disable bit (command register bit 10) writable
#    through config space and read back, as the PCI core's INTx masking
#    probe (pci_intx_mask_broken()) and uio_pci_generic rely on;
#  - through uio: nvme-raw-identify, and nvme-raw-bench at QD1 and QD32
#    with --verify (random reads of a pattern written first, data in locked
#    pages; random writes on two queue pairs read back, data in hugepages),
#    every figure line with its count, no errors, no SQ Head Pointer behind
#    an earlier one; the command register as it was before the bench;
#  - uio unbound; vfio-pci refused (no IOMMU group; these kernels have no
#    VFIO_NOIOMMU) with the function left without a driver, no warning;
#  - nvme bound again: the 4 MiB read back equal, and the block device
#    usable (a write and read of 1 MiB compared).
# Then the kernel log of the whole script is clean.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=bypass
RI=/usr/bin/nvme-raw-identify
RB=/usr/bin/nvme-raw-bench
T=$T_TMP/bypass
mkdir -p "$T"
t_dmesg_mark

if [ ! -x "$RI" ] || [ ! -x "$RB" ]; then
    t_fail $P/present "$RI or $RB missing: make -C tools/nvme-raw, rebuild the initramfs"
    t_dmesg_clean $P/dmesg-clean
    exit 0
fi
t_pass $P/present

# Pages under DMA are mlock()ed; compaction may still move such pages
# unless told not to.
[ ! -w /proc/sys/vm/compact_unevictable_allowed ] ||
    echo 0 >/proc/sys/vm/compact_unevictable_allowed

t_check $P/modprobe-uio modprobe uio_pci_generic
t_check $P/modprobe-vfio modprobe vfio-pci

# ---------------------------------------------------------------- helpers

D=/sys/bus/pci/devices

bdf_of() { basename "$(readlink -f "/sys/class/nvme/${1#/dev/}/device")"; }

driver_of() {  # <bdf>: the bound driver's name, or nothing
    [ -e "$D/$1/driver" ] && basename "$(readlink -f "$D/$1/driver")"
    return 0
}

wait_driver() {  # <bdf> <driver name or empty>: 5 s
    local tries=50
    while [ "$(driver_of "$1")" != "$2" ] && [ $tries -gt 0 ]; do
        usleep 100000
        tries=$((tries - 1))
    done
    [ "$(driver_of "$1")" = "$2" ]
}

unbind_from() {  # <bdf> <driver>
    echo "$1" >"/sys/bus/pci/drivers/$2/unbind" && wait_driver "$1" ""
}

# Bind <driver> through driver_override (no ID table needed)
bind_to() {  # <bdf> <driver>
    echo "$2" >"$D/$1/driver_override" || return 1
    echo "$1" >"/sys/bus/pci/drivers/$2/bind" && wait_driver "$1" "$2"
}

clear_override() { echo >"$D/$1/driver_override"; }

# Bind nvme again and print the block device of namespace 1 (20 s)
rebind_nvme() {  # <bdf>
    clear_override "$1"
    nvme_pci_rebind "$1"
}

sha() { sha256sum | cut -d' ' -f1; }

# The PCI command register (16 bits, hex) through sysfs config
cmd_reg() { od -An -tx2 -j4 -N2 "$D/$1/config" | tr -d ' '; }

cmd_reg_write() {  # <bdf> <value>
    local v=$(($2))
    # shellcheck disable=SC2059 # octal escapes built on purpose
    printf "\\$(printf %o $((v & 0xff)))\\$(printf %o $((v >> 8)))" |
        dd of="$D/$1/config" bs=2 seek=2 count=1 conv=notrunc 2>/dev/null
}

# Kernel log lines of a step that must not be there
klog_bad() { t_kmsg_since | grep -E "$T_DMESG_BAD"; }

# nvr-bench line of <qd> in <file>: "ios=N errors=E verify_errors=V
# sqhd_odd=S" (S: completions whose SQ Head Pointer lay behind one
# reported before, or beyond the tail)
bench_line() {  # <file> <qd>
    grep "^nvr-bench .* qd=$2 " "$1" |
        sed -n 's/.* ios=\([0-9]*\) .* errors=\([0-9]*\) verify=yes verify_errors=\([0-9]*\) sqhd_odd=\([0-9]*\)$/ios=\1 errors=\2 verify_errors=\3 sqhd_odd=\4/p'
}

# ---------------------------------------------------------------- one device

bypass_device() {  # <tag> <ctrl dev> <model pattern>
    local tag=$1 p=$P/$1 d=$T/$1 ns bdf before cmd0 cmd1 st uio sum back
    mkdir -p "$d"
    ns=/dev/$(_nvme_ctrl_namespace "${2#/dev/}")
    bdf=$(bdf_of "$2")
    t_log "$tag: $2 $ns at $bdf"

    # 4 MiB at 32 MiB: beyond the 16 MiB the bench writes
    dd if=/dev/urandom of="$d/data" bs=1M count=4 2>/dev/null
    sum=$(sha <"$d/data")
    t_check "$p/write-data" dd if="$d/data" of="$ns" bs=1M seek=32 oflag=direct \
        conv=notrunc
    t_check "$p/unbind-nvme" unbind_from "$bdf" nvme || return 1

    t_kmsg_mark
    t_check "$p/bind-uio" bind_to "$bdf" uio_pci_generic
    uio=$(ls "$D/$bdf/uio" 2>/dev/null)
    t_check "$p/uio-device" test -n "$uio" -a -e "/sys/class/uio/$uio"
    t_kmsg_since | sed 's/^/## kernel: /'
    t_eq "$p/uio-klog-clean" "" "$(klog_bad)"

    if [ "$tag" = nvmev ]; then
        # the PCI core's INTx masking probe, from user space
        cmd0=$(cmd_reg "$bdf")
        cmd_reg_write "$bdf" $((0x$cmd0 ^ 0x400))
        cmd1=$(cmd_reg "$bdf")
        cmd_reg_write "$bdf" "0x$cmd0"
        t_eq "$p/intx-disable-writable" "$(printf %04x $((0x$cmd0 ^ 0x400)))" "$cmd1"
        t_eq "$p/intx-disable-restored" "$cmd0" "$(cmd_reg "$bdf")"
        t_eq "$p/no-intx-pin" "0x00" "0x$(od -An -tx1 -j61 -N1 "$D/$bdf/config" | tr -d ' ')"
    fi

    "$RI" "$bdf" >"$d/identify.out" 2>&1
    st=$?
    sed 's/^/## /' "$d/identify.out"
    t_eq "$p/identify" "0 yes yes" "$st $(grep -q "^model  *.*$3" "$d/identify.out" &&
        echo yes) $(grep -q '^namespace 1: ' "$d/identify.out" && echo yes)"

    before=$(cmd_reg "$bdf")
    "$RB" "$bdf" --qd 1,32 --ios 2000 --range 16M --verify >"$d/read.out" 2>&1
    st=$?
    sed 's/^/## /' "$d/read.out"
    t_eq "$p/bench-randread-exit" 0 "$st"
    t_eq "$p/bench-randread-qd1" "ios=2000 errors=0 verify_errors=0 sqhd_odd=0" \
        "$(bench_line "$d/read.out" 1)"
    t_eq "$p/bench-randread-qd32" "ios=2000 errors=0 verify_errors=0 sqhd_odd=0" \
        "$(bench_line "$d/read.out" 32)"
    # this run with hugepages reserved: its buffers come from them
    echo 8 >/proc/sys/vm/nr_hugepages
    "$RB" "$bdf" --qd 1,32 --ios 2000 --range 16M --rw randwrite --qpairs 2 \
        --verify --seed 7 >"$d/write.out" 2>&1
    st=$?
    echo 0 >/proc/sys/vm/nr_hugepages
    t_check "$p/bench-randread-locked-pages" grep -q 'data in locked pages$' "$d/read.out"
    t_check "$p/bench-randwrite-hugepages" grep -q 'data in 2 MiB hugepages$' "$d/write.out"
    sed 's/^/## /' "$d/write.out"
    t_eq "$p/bench-randwrite-exit" 0 "$st"
    t_eq "$p/bench-randwrite-qd1" "ios=2000 errors=0 verify_errors=0 sqhd_odd=0" \
        "$(bench_line "$d/write.out" 1)"
    t_eq "$p/bench-randwrite-qd32" "ios=2000 errors=0 verify_errors=0 sqhd_odd=0" \
        "$(bench_line "$d/write.out" 32)"
    t_check "$p/bench-randwrite-read-back" grep -q '^nvme-raw-bench: verified [1-9][0-9]* written blocks$' \
        "$d/write.out"
    t_eq "$p/command-register-restored" "$before" "$(cmd_reg "$bdf")"
    t_eq "$p/still-uio" uio_pci_generic "$(driver_of "$bdf")"

    t_kmsg_mark
    t_check "$p/unbind-uio" unbind_from "$bdf" uio_pci_generic
    clear_override "$bdf"

    # vfio-pci wants an IOMMU group; there is none, and no no-IOMMU mode
    t_eq "$p/no-iommu-group" "" "$(ls -d "$D/$bdf/iommu_group" 2>/dev/null)"
    bind_to "$bdf" vfio-pci 2>"$d/vfio.err"
    st=$?
    t_eq "$p/vfio-refused" "refused driver=" \
        "$([ $st -ne 0 ] && echo refused || echo bound) driver=$(driver_of "$bdf")"
    t_log "$tag: vfio-pci bind: $(cat "$d/vfio.err")"
    t_kmsg_since | sed 's/^/## kernel: /'
    t_eq "$p/vfio-klog-clean" "" "$(klog_bad)"

    ns=$(rebind_nvme "$bdf")
    t_check "$p/rebind-nvme" [ -n "$ns" ] || return 1
    t_log "$tag: nvme bound again: $ns"
    back=$(dd if="$ns" bs=1M skip=32 count=4 iflag=direct 2>/dev/null | sha)
    t_eq "$p/data-intact" "$sum" "$back"
    dd if=/dev/urandom of="$d/data2" bs=1M count=1 2>/dev/null
    dd if="$d/data2" of="$ns" bs=1M seek=40 oflag=direct conv=notrunc 2>/dev/null
    t_eq "$p/block-dev-usable" "$(sha <"$d/data2")" \
        "$(dd if="$ns" bs=1M skip=40 count=1 iflag=direct 2>/dev/null | sha)"
    return 0
}

# ---------------------------------------------------------------- QEMU's NVMe

if nvme_find_device "QEMU NVMe"; then
    bypass_device qemu "$NVMEV_CTRL" "QEMU NVMe Ctrl"
else
    t_fail $P/qemu/found "no QEMU NVMe controller with a namespace"
fi

# ---------------------------------------------------------------- nvmev

if t_check $P/nvmev/insmod nvmev_load wipe=1; then
    bypass_device nvmev "$NVMEV_CTRL" "nvmev"
    t_check $P/nvmev/rmmod nvmev_unload
fi
rm -rf "$T"
t_dmesg_clean $P/dmesg-clean
exit 0
