#!/bin/sh
# shellcheck shell=dash
# nvmev-vm-args: --qemu-nvme 1G
#
# nvme-raw (tools/nvme-raw, a userspace NVMe driver) against real
# controllers: QEMU's own NVMe device and nvmev.  For each: refused while
# the nvme driver is bound; unbound, nvme-raw-identify; then one nvme-raw
# script: Identify, I/O queue pairs (one of 256 entries, whose queues span
# pages and need physically contiguous memory), writes and reads whose PRPs
# take every form (PRP1 only, PRP2 a page, PRP2 a list, PRP1 at an offset
# into its page), compared; Invalid Opcode (0x4001) for an unknown admin and
# I/O opcode; an AER that times out while nothing happens and then completes
# with the event the device is made to send (QEMU: temperature above a
# threshold set below it; nvmev: a namespace detached through configfs
# while nvme-raw waits, fed its statements through a FIFO); the controller
# shut down and the nvme driver bound again, which must read the data
# written through the raw path from the block device.
#
# Only behaviour both controllers implement per the specification is
# checked here; PRPs and queue bases pointing at bad memory are for tests
# of nvmev's safety checks.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=nvme-raw
R=/usr/bin/nvme-raw
RI=/usr/bin/nvme-raw-identify
T=$T_TMP/nvme-raw
mkdir -p "$T"
t_dmesg_mark

if [ ! -x "$R" ] || [ ! -x "$RI" ]; then
    t_fail $P/present "$R or $RI missing: make -C tools/nvme-raw, rebuild the initramfs"
    t_dmesg_clean $P/dmesg-clean
    exit 0
fi
t_pass $P/present

# Pages under DMA are mlock()ed; compaction may still move such pages
# unless told not to.
if [ -w /proc/sys/vm/compact_unevictable_allowed ]; then
    echo 0 >/proc/sys/vm/compact_unevictable_allowed
fi

# ---------------------------------------------------------------- helpers

bdf_of() {  # /dev/nvmeX -> its PCI address
    basename "$(readlink -f "/sys/class/nvme/${1#/dev/}/device")"
}

wait_unbound() {  # <bdf>
    local tries=50
    while [ -e "/sys/bus/pci/devices/$1/driver" ] && [ $tries -gt 0 ]; do
        usleep 100000
        tries=$((tries - 1))
    done
    [ ! -e "/sys/bus/pci/devices/$1/driver" ]
}

unbind() {  # <bdf>
    echo "$1" >/sys/bus/pci/drivers/nvme/unbind && wait_unbound "$1"
}

rebind() { nvme_pci_rebind "$1"; }

sha() { sha256sum <"$1" | cut -d' ' -f1; }

# ---------------------------------------------------------------- one device

# The script for one device: data at LBA <slba> (64 KiB) and <slba2> (72 KiB)
make_script() {  # <lba size> <slba> <slba2> <seed> <out dir>
    local lbs=$1 s1=$2 s2=$3 seed=$4 d=$5
    cat <<EOF
echo == identify
identify
echo == identify-ns
identify-ns 1
buf w 64k random=$seed
buf r 64k byte=0xee
buf r3 64k
buf w2 80k random=$((seed + 1))
buf r2 80k byte=0x11
save w $d/w.bin
save w2 $d/w2.bin 0 4k
save w2 $d/w2b.bin 4k 8k
save w2 $d/w2c.bin 12800 60k
ioq-create 1 64
# 64 KiB: PRP2 is a list of 15 entries
echo == write-64k
io 1 opc=0x01 nsid=1 slba=$s1 blocks=$((65536 / lbs)) data=w
echo == read-64k
io 1 opc=0x02 nsid=1 slba=$s1 blocks=$((65536 / lbs)) data=r
echo == cmp-64k
cmp w r
# 4 KiB, PRP1 only; 8 KiB, PRP2 the second page; 60 KiB from 512 bytes
# into a page: a list again
echo == write-4k
io 1 opc=0x01 nsid=1 slba=$s2 blocks=$((4096 / lbs)) data=w2 len=4k
echo == write-8k
io 1 opc=0x01 nsid=1 slba=$((s2 + 4096 / lbs)) blocks=$((8192 / lbs)) data=w2+4k len=8k
echo == write-60k-offset
io 1 opc=0x01 nsid=1 slba=$((s2 + 12288 / lbs)) blocks=$((61440 / lbs)) data=w2+12800 len=60k
# all 72 KiB back in one read, 1 KiB into the buffer's first page
echo == read-72k-offset
io 1 opc=0x02 nsid=1 slba=$s2 blocks=$((73728 / lbs)) data=r2+1k len=72k
echo == cmp-4k
cmp w2 r2+1k 4k
echo == cmp-8k
cmp w2+4k r2+5k 8k
echo == cmp-60k
cmp w2+12800 r2+13k 60k
# a pair of 256 entries: 16 KiB and 4 KiB of contiguous memory
echo == ioq2
ioq-create 2 256
echo == read-q2
io 2 opc=0x02 nsid=1 slba=$s1 blocks=$((65536 / lbs)) data=r3
echo == cmp-q2
cmp w r3
echo == bad-admin-opcode
admin opc=0x3f
echo == bad-io-opcode
io 1 opc=0x7e nsid=1
echo == flush
io 1 opc=0x00 nsid=1
ioq-delete 2
ioq-delete 1
aer
echo == aer-idle
wait-aer 500
EOF
}

# Checks of one script's output
check_output() {  # <prefix> <output> <model pattern>
    local p=$1 o=$2 m
    m=$(raw_line_at identify "$o")
    case "$m" in
        identify\ model=*"$3"*) t_pass "$p/identify" ;;
        *) t_fail "$p/identify" "got '$m'" ;;
    esac
    m=$(raw_line_at identify-ns "$o")
    case "$m" in
        "identify-ns nsid=1 nsze="[1-9]*) t_pass "$p/identify-ns" ;;
        *) t_fail "$p/identify-ns" "got '$m'" ;;
    esac
    for c in write-64k read-64k write-4k write-8k write-60k-offset \
        read-72k-offset read-q2 flush; do
        t_eq "$p/$c" 0x0 "$(raw_status_at $c "$o")"
    done
    t_eq $p/cmp-64k "cmp w r: 65536 bytes equal" "$(raw_line_at cmp-64k "$o")"
    t_eq $p/cmp-4k "cmp w2 r2+1k: 4096 bytes equal" "$(raw_line_at cmp-4k "$o")"
    t_eq $p/cmp-8k "cmp w2+4k r2+5k: 8192 bytes equal" "$(raw_line_at cmp-8k "$o")"
    t_eq $p/cmp-60k "cmp w2+12800 r2+13k: 61440 bytes equal" \
        "$(raw_line_at cmp-60k "$o")"
    t_eq $p/cmp-q2 "cmp w r3: 65536 bytes equal" "$(raw_line_at cmp-q2 "$o")"
    t_eq $p/bad-admin-opcode 0x4001 "$(raw_status_at bad-admin-opcode "$o")"
    t_eq $p/bad-io-opcode 0x4001 "$(raw_status_at bad-io-opcode "$o")"
    case "$(raw_line_at aer-idle "$o")" in
        "aer timeout "*) t_pass $p/aer-idle-timeout ;;
        *) t_fail $p/aer-idle-timeout "got '$(raw_line_at aer-idle "$o")'" ;;
    esac
}

# Before: the nvme driver bound to <ctrl>.  After: bound again, and the
# data written through nvme-raw read back through the block device.
# Leaves the script part's exit status in RAW_RC and the PCI address in BDF.
raw_device() {  # <tag> <ctrl dev> <model pattern> <event statements file>
    local tag=$1 ctrl=$2 model=$3 p=$P/$1 d=$T/$1 ns lbs s1 s2 rc
    mkdir -p "$d"
    ns=/dev/$(_nvme_ctrl_namespace "${ctrl#/dev/}")
    BDF=$(bdf_of "$ctrl")
    lbs=$(cat "/sys/block/${ns#/dev/}/queue/logical_block_size")
    s1=$((1048576 / lbs))
    s2=$((2097152 / lbs))
    t_log "$tag: $ctrl $ns at $BDF, $lbs-byte blocks"

    "$R" "$BDF" -c identify >"$d/bound.out" 2>&1
    rc=$?
    t_eq "$p/refused-while-bound" "1 yes" \
        "$rc $(grep -q "bound to the nvme driver" "$d/bound.out" && echo yes)"
    t_check "$p/unbind" unbind "$BDF" || return 1

    "$RI" "$BDF" >"$d/identify.out" 2>&1
    rc=$?
    t_eq "$p/identify-tool" "0 yes yes" "$rc $(grep -q "^model  *.*$model" \
        "$d/identify.out" && echo yes) $(grep -q '^namespace 1: ' \
        "$d/identify.out" && echo yes)"

    make_script "$lbs" "$s1" "$s2" 7 "$d" >"$d/script"
    cat "$4" >>"$d/script"
    "$R" "$BDF" "$d/script" >"$d/out" 2>"$d/err"
    RAW_RC=$?
    sed 's/^/## /' "$d/out" "$d/err" | head -n 80
    t_eq "$p/script-exit" 0 "$RAW_RC"
    check_output "$p" "$d/out" "$model"
    t_eq "$p/unbound-after" "" "$(ls "/sys/bus/pci/devices/$BDF/driver" 2>/dev/null)"

    ns=$(rebind "$BDF")
    t_check "$p/rebind" [ -n "$ns" ] || return 1
    t_log "$tag: bound again, $ns"
    dd if="$ns" of="$d/back.bin" bs=4096 skip=256 count=16 iflag=direct 2>/dev/null
    t_eq "$p/block-dev-64k" "$(sha "$d/w.bin")" "$(sha "$d/back.bin")"
    dd if="$ns" of="$d/back2.bin" bs=4096 skip=512 count=18 iflag=direct 2>/dev/null
    cat "$d/w2.bin" "$d/w2b.bin" "$d/w2c.bin" >"$d/w2all.bin"
    t_eq "$p/block-dev-72k" "$(sha "$d/w2all.bin")" "$(sha "$d/back2.bin")"
    return 0
}

# ---------------------------------------------------------------- QEMU's NVMe

# Asynchronous Event Configuration: SMART temperature warnings (bit 1);
# an over-temperature threshold of 256 K, below the device's 323 K, sends
# SMART / Health Status, Temperature Threshold, log page 02h.
cat >"$T/qemu-event" <<'EOF'
echo == qemu-aec
admin opc=0x09 cdw10=0x0b cdw11=0x2
echo == qemu-threshold
admin opc=0x09 cdw10=0x04 cdw11=0x100
echo == qemu-event
wait-aer 10000
echo == qemu-smart-log
buf lg 4k
admin opc=0x02 nsid=0xffffffff cdw10=0x007f0002 data=lg len=512
echo == qemu-threshold-back
admin opc=0x09 cdw10=0x04 cdw11=0x157
EOF
if nvme_find_device "QEMU NVMe"; then
    QCTRL=$NVMEV_CTRL
    if raw_device qemu "$QCTRL" "QEMU NVMe Ctrl" "$T/qemu-event"; then
        o=$T/qemu/out
        t_eq $P/qemu/aec 0x0 "$(raw_status_at qemu-aec "$o")"
        t_eq $P/qemu/threshold 0x0 "$(raw_status_at qemu-threshold "$o")"
        t_eq $P/qemu/event "aer status=0x0 dw0=0x00020101 type=1 info=0x01 log=0x02" \
            "$(raw_line_at qemu-event "$o" | sed 's/ cid=.*//')"
        t_eq $P/qemu/smart-log 0x0 "$(raw_status_at qemu-smart-log "$o")"
        t_eq $P/qemu/threshold-back 0x0 "$(raw_status_at qemu-threshold-back "$o")"
    fi
else
    t_fail $P/qemu/found "no QEMU NVMe controller with a namespace"
fi

# ---------------------------------------------------------------- nvmev

: >"$T/none"
t_check $P/nvmev/insmod nvmev_load wipe=1 || {
    t_dmesg_clean $P/dmesg-clean
    exit 0
}
if raw_device nvmev "$NVMEV_CTRL" "nvmev" "$T/none"; then
    # Namespace Attribute Notices (AEC bit 8); namespace 1 detached while
    # nvme-raw waits: Notice (2), Namespace Attribute Changed (0), log
    # page 04h, which then lists NSID 1.  Statements go through a FIFO so
    # the detach comes after the AER is posted.
    t_check $P/nvmev/unbind-again unbind "$BDF"
    d=$T/nvmev
    rm -f "$d/fifo"
    mkfifo "$d/fifo"
    "$R" "$BDF" "$d/fifo" >"$d/aen.out" 2>&1 &
    pid=$!
    exec 3>"$d/fifo"
    cat >&3 <<'EOF'
echo == nvmev-aec
admin opc=0x09 cdw10=0x0b cdw11=0x100
aer
echo ready
EOF
    tries=100
    while ! grep -q '^ready$' "$d/aen.out" && [ $tries -gt 0 ]; do
        usleep 100000
        tries=$((tries - 1))
    done
    echo 0 >$NV/nvmev0/namespaces/1/enable
    cat >&3 <<'EOF'
echo == nvmev-event
wait-aer 10000
echo == nvmev-changed-log
buf lg 4k
admin opc=0x02 cdw10=0x03ff0004 data=lg
dump lg 0 8
EOF
    exec 3>&-
    wait $pid
    t_eq $P/nvmev/aen-exit 0 "$?"
    sed 's/^/## /' "$d/aen.out"
    t_eq $P/nvmev/aec 0x0 "$(raw_status_at nvmev-aec "$d/aen.out")"
    t_eq $P/nvmev/event "aer status=0x0 dw0=0x00040002 type=2 info=0x00 log=0x04" \
        "$(raw_line_at nvmev-event "$d/aen.out" | sed 's/ cid=.*//')"
    t_eq $P/nvmev/changed-log 0x0 "$(raw_status_at nvmev-changed-log "$d/aen.out")"
    t_eq $P/nvmev/changed-log-nsid1 "00000000: 01 00 00 00 00 00 00 00" \
        "$(grep '^00000000:' "$d/aen.out")"
    echo 1 >$NV/nvmev0/namespaces/1/enable
fi
t_check $P/nvmev/rmmod nvmev_unload
rm -rf "$T"
t_dmesg_clean $P/dmesg-clean
exit 0
