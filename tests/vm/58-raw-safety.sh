#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2317,SC2015,SC2086 # helpers via t_check; t_pass never fails; word lists
# What the kernel's driver never sends, sent through nvme-raw (a userspace
# driver, tools/nvme-raw) to nvmev with the nvme driver unbound:
#  - PRP1 at the kernel image, at a reserved hole above 1 MiB, at nvmev's
#    own BAR and storage: Data Transfer Error (0x4004), nothing touched;
#    PRP1 not dword aligned: PRP Offset Invalid (0x4013);
#  - a 16 KiB read and write whose PRP list holds one bad entry between
#    good ones: refused whole; the good pages of the host buffer and the
#    namespace's data are unchanged;
#  - queue bases at page 0, the kernel image or the BAR: 0x4004; one not
#    page aligned: Invalid Field (0x4002); admin queues at page 0: the
#    controller reports Controller Fatal Status, and a reset recovers it;
#  - doorbells: an SQ tail or CQ head beyond the queue gets an Error
#    event, Invalid Doorbell Write Value (dw0 0x00010100); the next error
#    event waits until the Error Information log is read; a doorbell of a
#    queue that does not exist gets Write to Invalid Doorbell Register
#    (dw0 0x00010000); a deleted and re-created queue starts from a zero
#    doorbell (no stale commands replayed: the read count does not grow);
#  - the nvme driver binds again and the data is intact.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=rawsafe
R=/usr/bin/nvme-raw
T=$T_TMP/rawsafe
mkdir -p "$T"

[ -x "$R" ] || { t_fail $P/present "$R missing"; t_dmesg_clean $P/dmesg-clean; exit 0; }
t_check $P/insmod nvmev_load || { t_dmesg_clean $P/dmesg-clean; exit 0; }
[ -w /proc/sys/vm/compact_unevictable_allowed ] &&
    echo 0 >/proc/sys/vm/compact_unevictable_allowed
NS=$NVMEV_NS
BDF=$(basename "$(readlink -f "/sys/class/nvme/${NVMEV_CTRL#/dev/}/device")")

# ---- addresses
# the kernel image, and a reserved range above 1 MiB below nvmev's region
hexrange() { sed -n "s/^ *\([0-9a-f]*\)-\([0-9a-f]*\) : $1\$/\1/p" /proc/iomem | head -n 1; }
# without /proc/iomem's leading zeros, as the kernel log prints them (a
# debug kernel's text at 0x9600000 is "09600000" there)
KCODE=$(printf '0x%x' "0x$(hexrange 'Kernel code')")
KDATA=$(printf '0x%x' "0x$(hexrange 'Kernel data')")
HOLE=$(awk -F'[- :]+' '/^[0-9a-f]+-[0-9a-f]+ : Reserved$/ {
        s = strtonum("0x" $1); if (s >= 1048576 && s < 4294967296) { printf "0x%x\n", s; exit } }' \
        /proc/iomem 2>/dev/null)
if [ -z "$HOLE" ]; then   # busybox awk has no strtonum
    for h in $(sed -n 's/^\([0-9a-f]*\)-[0-9a-f]* : Reserved$/\1/p' /proc/iomem); do
        if [ $((0x$h)) -ge 1048576 ] && [ $((0x$h)) -lt 4294967296 ]; then
            HOLE=0x$h
            break
        fi
    done
fi
_nvmev_memmap_defaults
BAR=$(printf '0x%x' "$(($(echo "$NVMEV_MEMMAP_START" | sed 's/G$/*1073741824/; s/M$/*1048576/')))")
STORAGE=$(printf '0x%x' $((BAR + 1048576)))
t_log "kernel code $KCODE, kernel data $KDATA, reserved hole $HOLE, BAR $BAR"
[ "$KCODE" != 0x0 ] && t_pass $P/kernel-code-found || t_fail $P/kernel-code-found "no 'Kernel code' in /proc/iomem"
[ -n "$HOLE" ] && t_pass $P/hole-found || { t_fail $P/hole-found "no Reserved range in 1M..4G"; HOLE=0x9fc00000; }

# ---- the data the namespace holds before
head -c 65536 /dev/urandom >"$T/ns.pat"
/usr/bin/dd if="$T/ns.pat" of="$NS" bs=64K count=1 oflag=direct 2>/dev/null
t_check $P/unbind sh -c "echo $BDF >/sys/bus/pci/drivers/nvme/unbind"

# ---- a session through a FIFO: statements one at a time, so that the
# test can read physical addresses and build a PRP list from them
raw_start "$R" "$BDF" "$T"
cmd() {  # <mark> <statement>: run one command, wait for it
    raw_say "echo == $1"
    raw_say "$2"
    raw_sync
}
phys() {  # <buf> <page>: its physical address
    raw_say "print-phys $1 $2"
    raw_sync
    sed -n "s/^$1 phys=\(0x[0-9a-f]*\)\$/\1/p" "$RAW_OUT" | tail -n 1
}
le64() {  # <hex value>: 8 bytes little endian, as printf escapes
    local v=$(($1)) i=0 out=""
    while [ $i -lt 8 ]; do
        out="$out\\$(printf '%03o' $((v & 255)))"
        v=$((v >> 8))
        i=$((i + 1))
    done
    printf '%s' "$out"
}

raw_say "buf id 4k byte=0x5a"
raw_say "buf r 16k byte=0x77"
raw_say "buf w 16k random=3"
raw_say "buf list 4k"
raw_say "ioq-create 1 16"
raw_sync || t_fail $P/session "nvme-raw stopped: $(tail -n 3 "$RAW_OUT")"

# ---- PRP1 at memory the device may not touch
for a in kcode:$KCODE kdata:$KDATA hole:$HOLE bar:$BAR storage:$STORAGE page0:0x0; do
    cmd "id-${a%%:*}" "admin opc=0x06 cdw10=1 data=id prp1=${a#*:}"
    t_eq "$P/identify-prp1-${a%%:*}" 0x4004 "$(raw_status_at "id-${a%%:*}")"
done
cmd id-unaligned "admin opc=0x06 cdw10=1 data=id prp1=$(printf '0x%x' $((KCODE + 2)))"
t_eq $P/identify-prp1-unaligned 0x4013 "$(raw_status_at id-unaligned)"
cmd read-kcode "io 1 opc=0x02 nsid=1 slba=0 blocks=8 data=r prp1=$KCODE"
t_eq $P/read-prp1-kernel 0x4004 "$(raw_status_at read-kcode)"
cmd id-good "admin opc=0x06 cdw10=1 data=id"
t_eq $P/identify-good-buffer 0x0 "$(raw_status_at id-good)"

# ---- a PRP list with one bad entry: PRP1 = r page 0, PRP2 = list of
# [r page 1, kernel code, r page 3]; refused whole, r's pages untouched
R1=$(phys r 1)
R3=$(phys r 3)
LIST=$(phys list 0)
printf "$(le64 "$R1")$(le64 "$KCODE")$(le64 "$R3")" >"$T/list.bin"
raw_say "load list $T/list.bin"
raw_say "fill r byte=0x77"
cmd read-badlist "io 1 opc=0x02 nsid=1 slba=0 blocks=32 data=r prp2=$LIST"
t_eq $P/read-list-bad-entry 0x4004 "$(raw_status_at read-badlist)"
raw_say "buf r77 16k byte=0x77"
cmd cmp-r "cmp r r77"
t_eq $P/read-list-bad-entry-host-untouched "cmp r r77: 16384 bytes equal" "$(raw_line_at cmp-r)"
# the same list for a write: the namespace keeps its data
W1=$(phys w 1)
W3=$(phys w 3)
printf "$(le64 "$W1")$(le64 "$HOLE")$(le64 "$W3")" >"$T/list.bin"
raw_say "load list $T/list.bin"
cmd write-badlist "io 1 opc=0x01 nsid=1 slba=0 blocks=32 data=w prp2=$LIST"
t_eq $P/write-list-bad-entry 0x4004 "$(raw_status_at write-badlist)"
# the list pointer itself at the kernel image
cmd read-listptr "io 1 opc=0x02 nsid=1 slba=0 blocks=32 data=r prp2=$KCODE"
t_eq $P/read-list-pointer-kernel 0x4004 "$(raw_status_at read-listptr)"

# ---- queue bases
for a in page0:0x0 kcode:$KCODE bar:$BAR; do
    cmd "cq-${a%%:*}" "cq-create 3 16 base=${a#*:}"
    t_eq "$P/create-cq-base-${a%%:*}" 0x4004 "$(raw_status_at "cq-${a%%:*}")"
done
cmd cq-unaligned "cq-create 3 16 base=$(printf '0x%x' $((R1 + 512)))"
t_eq $P/create-cq-base-unaligned 0x4002 "$(raw_status_at cq-unaligned)"
cmd sq-kcode "sq-create 3 16 cqid=1 base=$KCODE"
t_eq $P/create-sq-base-kernel 0x4004 "$(raw_status_at sq-kcode)"

# ---- doorbells: Error events, one at a time until the log is read
raw_say "aer"
raw_say "doorbell sq 1 4096"
cmd ev-sq "wait-aer 5000"
t_eq $P/event-sq-tail-beyond "dw0=0x00010100" "$(raw_line_at ev-sq | sed -n 's/^aer status=0x0 \(dw0=0x[0-9a-f]*\) .*/\1/p')"
# the library's next submission rings the right tail again
cmd io-after-bad-tail "io 1 opc=0x02 nsid=1 slba=0 blocks=8 data=r"
t_eq $P/io-after-bad-tail 0x0 "$(raw_status_at io-after-bad-tail)"
raw_say "aer"
raw_say "doorbell cq 1 999"
cmd ev-masked "wait-aer 1000"
case "$(raw_line_at ev-masked)" in
    "aer timeout"*) t_pass $P/event-masked-until-log-read ;;
    *) t_fail $P/event-masked-until-log-read "got '$(raw_line_at ev-masked)'" ;;
esac
raw_say "buf lg 4k"
cmd errlog "admin opc=0x02 cdw10=0x00ff0001 data=lg len=1k"
t_eq $P/error-log-read 0x0 "$(raw_status_at errlog)"
raw_say "doorbell cq 1 998"
cmd ev-cq "wait-aer 5000"
t_eq $P/event-cq-head-beyond "dw0=0x00010100" "$(raw_line_at ev-cq | sed -n 's/^aer status=0x0 \(dw0=0x[0-9a-f]*\) .*/\1/p')"
cmd errlog2 "admin opc=0x02 cdw10=0x00ff0001 data=lg len=1k"
raw_say "aer"
raw_say "doorbell sq 7 5"
cmd ev-noqueue "wait-aer 5000"
t_eq $P/event-doorbell-of-no-queue "dw0=0x00010000" "$(raw_line_at ev-noqueue | sed -n 's/^aer status=0x0 \(dw0=0x[0-9a-f]*\) .*/\1/p')"

# ---- a deleted queue's doorbell does not outlive it: three reads on
# pair 2, delete, create again (the library may reuse the same memory, so
# stale entries would be valid reads): nothing is fetched before the host
# rings, as the namespace's read count shows
reads() { nv_stat nvmev0/1 read_cmds; }
raw_say "ioq-create 2 16"
for i in 1 2 3; do raw_say "io 2 opc=0x02 nsid=1 slba=0 blocks=8 data=r"; done
raw_say "ioq-delete 2"
raw_sync
N0=$(reads)
raw_say "ioq-create 2 16"
raw_say "sleep 500"
raw_sync
t_eq $P/recreated-queue-replays-nothing "$N0" "$(reads)"
cmd q2-works "io 2 opc=0x02 nsid=1 slba=0 blocks=8 data=r"
t_eq $P/recreated-queue-works 0x0 "$(raw_status_at q2-works)"
t_eq $P/recreated-queue-one-read "$((N0 + 1))" "$(reads)"

# ---- admin queues at page 0: Controller Fatal Status, then a reset heals
raw_say "ioq-delete 2"
raw_say "ioq-delete 1"
raw_say "disable"
raw_say "reg-write aqa 0x001f001f"
raw_say "reg-write asq 0 64"
raw_say "reg-write acq 0 64"
raw_say "reg-write cc 0x00460001"
raw_say "sleep 500"
cmd cfs "reg-read csts"
t_eq $P/admin-queues-page0-fatal "csts=0x2" "$(raw_line_at cfs | sed 's/^csts=0x0*\([0-9a-f]\)$/csts=0x\1/')"
cmd reset-heals "reset"
cmd id-after-reset "admin opc=0x06 cdw10=1 data=id"
t_eq $P/identify-after-fatal-reset 0x0 "$(raw_status_at id-after-reset)"
raw_stop
sed 's/^/## /' "$RAW_OUT" | tail -n 60

# ---- bound again, the data intact, nothing refused in vain
echo "$BDF" >/sys/bus/pci/drivers/nvme/bind
if nvme_wait_device "$NVMEV_MODEL_PATTERN" 20; then
    t_pass $P/rebind
    t_check $P/data-intact sh -c "/usr/bin/dd if=$NVMEV_NS bs=64K count=1 iflag=direct 2>/dev/null | cmp -s - $T/ns.pat"
else
    t_fail $P/rebind "the nvme driver did not come back"
fi
t_check $P/kernel-log-names-refusals sh -c "dmesg -s 1048576 | grep -q 'refused host address $KCODE+4096: reserved memory'"
t_check $P/rmmod nvmev_unload
rm -rf "$T"
t_dmesg_clean $P/dmesg-clean
exit 0
