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

# statements one at a time through a FIFO, as 58-raw-safety.sh does
trap '' PIPE
mkfifo "$T/fifo"
"$R" "$BDF" "$T/fifo" >"$T/out" 2>&1 &
RAW=$!
exec 3>"$T/fifo"
MARK=0
say() { echo "$*" >&3; }
seen() { grep -q "^== $1\$" "$T/out"; }
wait_mark() {  # <mark> <seconds>
    local tries=$(($2 * 10))
    while ! seen "$1" && [ $tries -gt 0 ]; do
        kill -0 $RAW 2>/dev/null || return 1
        usleep 100000
        tries=$((tries - 1))
    done
    seen "$1"
}
sync_raw() {
    MARK=$((MARK + 1))
    say "echo == sync$MARK"
    wait_mark "sync$MARK" 60
}
status_at() {
    awk -v m="== $1" '$0 == m { f = 1; next }
        f && /^status=/ { sub(/^status=/, ""); print $1; exit }' "$T/out"
}

say "buf r 4k"
say "ioq-create 1 16"
sync_raw || t_fail $P/session "nvme-raw stopped: $(tail -n 3 "$T/out")"

# ---- two reads in flight for 3 s, then Delete SQ
say "timeout 100"
say "io 1 opc=0x02 nsid=1 slba=0 blocks=1 data=r"
say "io 1 opc=0x02 nsid=1 slba=8 blocks=1 data=r"
say "timeout 20000"
say "echo == delete"
say "sq-delete 1"
say "echo == deleted"
wait_mark delete 30 || t_fail $P/delete-sent "$(tail -n 3 "$T/out")"
T0=$(now_ms)
# the other controller, on the same dispatcher, while the Delete SQ waits
/usr/bin/dd if="$F" of=/dev/null bs=4k count=1 iflag=direct 2>/dev/null
T1=$(now_ms)
PENDING=1
seen deleted && PENDING=0
wait_mark deleted 30
T2=$(now_ms)
t_log "Delete SQ with 2 reads in flight (read_delay 3 s): the other controller's read took $((T1 - T0)) ms; Delete SQ completed after $((T2 - T0)) ms"
t_eq $P/delete-sq-status 0x0 "$(status_at delete)"
t_check $P/other-ctrl-served-meanwhile test "$PENDING" -eq 1 -a $((T1 - T0)) -lt 1000
t_check $P/delete-waits-for-inflight test $((T2 - T0)) -ge 1500

# ---- deleting twice; Delete CQ while the Delete SQ is held
say "ioq-create 2 16"
say "timeout 100"
say "io 2 opc=0x02 nsid=1 slba=0 blocks=1 data=r"
say "sq-delete 2"
say "echo == again"
say "sq-delete 2"
say "echo == cq-early"
say "cq-delete 2"
say "sleep 4000"
say "timeout 5000"
say "echo == cq-late"
say "cq-delete 2"
sync_raw
t_eq $P/delete-twice-invalid-qid 0x4101 "$(status_at again)"
t_eq $P/delete-cq-while-held 0x410c "$(status_at cq-early)"
t_eq $P/delete-cq-after 0x0 "$(status_at cq-late)"

# ---- a reset drops a held Delete SQ
say "timeout 100"
say "io 1 opc=0x02 nsid=1 slba=0 blocks=1 data=r"
say "sq-delete 1"
say "timeout 20000"
say "reset"
say "echo == recreate"
say "ioq-create 1 16"
say "echo == read"
say "io 1 opc=0x02 nsid=1 slba=16 blocks=1 data=r"
sync_raw
t_check $P/recreated-after-reset seen recreate
t_eq $P/read-after-reset 0x0 "$(status_at read)"
say "ioq-delete 1"
exec 3>&-
wait $RAW
sed 's/^/## /' "$T/out" | tail -n 40

echo "$BDF" >/sys/bus/pci/drivers/nvme/bind
t_check $P/rebind nv_wait_dev slow 1
nv_rmctrl slow fast
t_check $P/rmmod rmmod nvmev
rm -rf "$T"
t_dmesg_clean $P/dmesg-clean
exit 0
