#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2015 # t_pass never fails
# Delete SQ with commands in flight, through nvme-raw (a userspace driver,
# tools/nvme-raw) on a controller whose reads take 3 s, while a second
# controller shares its dispatcher CPU:
#  - the Delete SQ completes (0x0) only once the reads in flight have, and
#    meanwhile the dispatcher keeps serving: a read on the other
#    controller completes in well under a second (before, Delete SQ slept
#    on the dispatcher thread until the reads were done, stalling every
#    controller on that CPU);
#  - a second Delete SQ of a queue already being deleted: Invalid Queue
#    Identifier (0x4101);
#  - Delete CQ of its CQ while the Delete SQ is held: Invalid Queue
#    Deletion (0x410c); once it completed, 0x0;
#  - a reset while a Delete SQ is held drops it cleanly: the controller
#    comes back, the queue pair can be made again and a read works;
#  - the nvme driver binds again.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=delsq
R=/usr/bin/nvme-raw
T=$T_TMP/delsq
mkdir -p "$T"
DELAY_NS=3000000000

[ -x "$R" ] || { t_fail $P/present "$R missing"; t_dmesg_clean $P/dmesg-clean; exit 0; }
nv_configfs_mount
t_check $P/insmod insmod "$NVMEV_KO" memmap_start=4G memmap_size=2G nr_ctrls=0 cpus=2,3 ||
    { t_dmesg_clean $P/dmesg-clean; exit 0; }
[ -w /proc/sys/vm/compact_unevictable_allowed ] &&
    echo 0 >/proc/sys/vm/compact_unevictable_allowed
mkdir "$NV/slow" "$NV/fast"
t_check $P/slow-ns nv_mkns slow 1 64M nvm-zero read_delay=$DELAY_NS
t_check $P/fast-ns nv_mkns fast 1 64M nvm-zero
echo 1 >"$NV/slow/enable"
echo 1 >"$NV/fast/enable"
S=$(nv_wait_dev slow 1) && F=$(nv_wait_dev fast 1) ||
    { t_fail $P/devices "no block devices"; nv_rmctrl slow fast; rmmod nvmev; exit 0; }
t_eq $P/same-dispatcher-cpu "$(cat "$NV/slow/cpus")" "$(cat "$NV/fast/cpus")"
SCTRL=${S#/dev/}
SCTRL=${SCTRL%n*}
BDF=$(basename "$(readlink -f "/sys/class/nvme/$SCTRL/device")")
t_check $P/unbind sh -c "echo $BDF >/sys/bus/pci/drivers/nvme/unbind"

# statements one at a time through a FIFO (lib.sh raw_*)
raw_start "$R" "$BDF" "$T"

raw_say "buf r 4k"
raw_say "ioq-create 1 16"
raw_sync || t_fail $P/session "nvme-raw stopped: $(tail -n 3 "$RAW_OUT")"

# ---- two reads in flight for 3 s, then Delete SQ
raw_say "timeout 100"
raw_say "io 1 opc=0x02 nsid=1 slba=0 blocks=1 data=r"
raw_say "io 1 opc=0x02 nsid=1 slba=8 blocks=1 data=r"
raw_say "timeout 20000"
raw_say "echo == delete"
raw_say "sq-delete 1"
raw_say "echo == deleted"
raw_wait_mark delete 30 || t_fail $P/delete-sent "$(tail -n 3 "$RAW_OUT")"
T0=$(now_ms)
# the other controller, on the same dispatcher, while the Delete SQ waits
/usr/bin/dd if="$F" of=/dev/null bs=4k count=1 iflag=direct 2>/dev/null
T1=$(now_ms)
PENDING=1
raw_seen deleted && PENDING=0
raw_wait_mark deleted 30
T2=$(now_ms)
t_log "Delete SQ with 2 reads in flight (read_delay 3 s): the other controller's read took $((T1 - T0)) ms; Delete SQ completed after $((T2 - T0)) ms"
t_eq $P/delete-sq-status 0x0 "$(raw_status_at delete)"
# the read done while the Delete SQ was still held (its reads take 3 s): the
# dispatcher kept serving; no bound in ms, which a slow (debug) kernel breaks
t_check $P/other-ctrl-served-meanwhile test "$PENDING" -eq 1
t_check $P/delete-waits-for-inflight test $((T2 - T0)) -ge 1500

# ---- deleting twice; Delete CQ while the Delete SQ is held
raw_say "ioq-create 2 16"
raw_say "timeout 100"
raw_say "io 2 opc=0x02 nsid=1 slba=0 blocks=1 data=r"
raw_say "sq-delete 2"
raw_say "echo == again"
raw_say "sq-delete 2"
raw_say "echo == cq-early"
raw_say "cq-delete 2"
raw_say "sleep 4000"
raw_say "timeout 5000"
raw_say "echo == cq-late"
raw_say "cq-delete 2"
raw_sync
t_eq $P/delete-twice-invalid-qid 0x4101 "$(raw_status_at again)"
t_eq $P/delete-cq-while-held 0x410c "$(raw_status_at cq-early)"
t_eq $P/delete-cq-after 0x0 "$(raw_status_at cq-late)"

# ---- a reset drops a held Delete SQ
raw_say "timeout 100"
raw_say "io 1 opc=0x02 nsid=1 slba=0 blocks=1 data=r"
raw_say "sq-delete 1"
raw_say "timeout 20000"
raw_say "reset"
raw_say "echo == recreate"
raw_say "ioq-create 1 16"
raw_say "echo == read"
raw_say "io 1 opc=0x02 nsid=1 slba=16 blocks=1 data=r"
raw_sync
t_check $P/recreated-after-reset raw_seen recreate
t_eq $P/read-after-reset 0x0 "$(raw_status_at read)"
raw_say "ioq-delete 1"
raw_stop
sed 's/^/## /' "$RAW_OUT" | tail -n 40

echo "$BDF" >/sys/bus/pci/drivers/nvme/bind
t_check $P/rebind nv_wait_dev slow 1
nv_rmctrl slow fast
t_check $P/rmmod rmmod nvmev
rm -rf "$T"
t_dmesg_clean $P/dmesg-clean
exit 0
