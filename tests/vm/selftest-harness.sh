#!/bin/sh
# shellcheck shell=dash
# Self-test of the VM harness (no nvmev needed): exercises tests/vm/lib.sh,
# the guest userland and kernel modules with null_blk and brd, and, when the
# VM has QEMU's own NVMe controller (run.sh --qemu-nvme 1G), the NVMe device
# lookup. Run it with:  scripts/vm/run.sh --qemu-nvme 1G selftest-harness
# With nvmev_selftest_fail=1 on the kernel command line it also reports one
# deliberate failure (harness/deliberate-failure), to check the host side.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

# Write 16 MiB of random data to <dev>, read it back with O_DIRECT, compare.
roundtrip() {  # <name> <block device>
    if ! { dd if=/dev/urandom of=/tmp/pattern bs=1M count=16 &&
        dd if=/tmp/pattern of="$2" bs=1M oflag=direct conv=fsync &&
        dd if="$2" of=/tmp/readback bs=1M count=16 iflag=direct; } 2>/dev/null; then
        t_fail "$1" "dd to/from $2 failed"
        return 1
    fi
    t_eq "$1" "$(sha256sum </tmp/pattern)" "$(sha256sum </tmp/readback)"
}

# Run a lib.sh check with its output captured instead of reported.
captured() {  # <cmd...>
    # shellcheck disable=SC2034 # read by lib.sh
    (T_RESULTS_PORT=/dev/null; "$@") 2>&1
}

check_reporting() {
    t_pass harness/pass
    t_eq harness/eq same same
    t_expect_fail harness/expect-fail false
    t_eq harness/check-failure-line \
        "@@RESULT FAIL x/y: 'sh -c echo boom; exit 3' exited with status 3: boom" \
        "$(captured t_check x/y sh -c 'echo boom; exit 3' | grep '^@@RESULT')"
    t_eq harness/fail-reason-one-line "@@RESULT FAIL x/z: line1 line2" \
        "$(captured t_fail x/z "line1
line2")"
    t_eq harness/eq-failure-line "@@RESULT FAIL x/e: expected 'a', got 'b'" \
        "$(captured t_eq x/e a b)"
    t_eq harness/expect-fail-failure-line \
        "@@RESULT FAIL x/f: 'true' succeeded but was expected to fail: " \
        "$(captured t_expect_fail x/f true)"
}

check_null_blk() {
    t_check harness/null_blk/modprobe \
        modprobe null_blk nr_devices=1 memory_backed=1 gb=1 bs=4096 || return 0
    t_check harness/null_blk/node test -b /dev/nullb0 || return 0
    roundtrip harness/null_blk/roundtrip /dev/nullb0
    t_check harness/null_blk/fio fio --name=randread --filename=/dev/nullb0 \
        --rw=randread --bs=4k --iodepth=16 --ioengine=libaio --direct=1 \
        --time_based --runtime=2 --output-format=terse
    t_check harness/null_blk/rmmod rmmod null_blk
}

check_brd_ext4() {
    t_check harness/brd/modprobe modprobe brd rd_nr=1 rd_size=65536 || return 0
    roundtrip harness/brd/roundtrip /dev/ram0
    t_check harness/brd/mkfs.ext4 mkfs.ext4 -q -F /dev/ram0 || return 0
    mkdir -p /mnt/brd
    t_check harness/brd/mount mount -t ext4 /dev/ram0 /mnt/brd || return 0
    cp /tmp/pattern /mnt/brd/pattern
    t_eq harness/brd/file "$(sha256sum </tmp/pattern)" "$(sha256sum </mnt/brd/pattern)"
    t_check harness/brd/umount umount /mnt/brd
    t_check harness/brd/e2fsck e2fsck -fn /dev/ram0
    t_check harness/brd/rmmod rmmod brd
}

check_nvme_lookup() {
    t_expect_fail harness/nvme/no-nvmev nvme_find_device nvmev
    if ! grep -q '^QEMU NVMe' /sys/class/nvme/*/model 2>/dev/null; then
        t_log "no QEMU NVMe controller (run.sh --qemu-nvme 1G adds one); lookup checks skipped"
        return 0
    fi
    t_check harness/nvme/find nvme_find_device "QEMU NVMe" || return 0
    t_log "QEMU NVMe: ctrl $NVMEV_CTRL namespace $NVMEV_NS"
    t_check harness/nvme/id-ctrl nvme id-ctrl "$NVMEV_CTRL"
    roundtrip harness/nvme/roundtrip "$NVMEV_NS"
}

check_emit() {
    printf 'line one\nline two\n' >/tmp/emit.txt
    t_check harness/emit-text t_emit /tmp/emit.txt emit.txt
    dd if=/dev/urandom of=/tmp/emit.bin bs=1k count=8 2>/dev/null
    sha256sum </tmp/emit.bin >/tmp/emit.bin.sha256
    t_check harness/emit-binary t_emit /tmp/emit.bin emit.bin
    t_check harness/emit-checksum t_emit /tmp/emit.bin.sha256 emit.bin.sha256
}

check_dmesg() {
    t_dmesg_clean harness/dmesg-clean
    t_dmesg_mark
    echo "WARNING: fake warning from selftest-harness" >/dev/kmsg
    case "$(captured t_dmesg_clean x/d | grep '^@@RESULT')" in
        "@@RESULT FAIL x/d: 1 bad kernel log lines, first: "*"WARNING: fake"*)
            t_pass harness/dmesg-detects-warning ;;
        *) t_fail harness/dmesg-detects-warning "t_dmesg_clean missed an injected WARNING:" ;;
    esac
    t_dmesg_mark
}

check_reporting
check_null_blk
check_brd_ext4
check_nvme_lookup
check_emit
check_dmesg
if grep -q 'nvmev_selftest_fail=1' /proc/cmdline; then
    t_check harness/deliberate-failure sh -c 'echo "this check fails on purpose"; exit 7'
fi
exit 0
