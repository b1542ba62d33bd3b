#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2015 # t_pass never fails
# Every opcode, sent through nvme-raw (tools/nvme-raw, the nvme driver
# unbound) to one controller with a namespace of each I/O command set: NVM
# (nsid 1), ZNS (2) and KV (3).  For each of the 256 I/O opcodes on each
# namespace and each admin opcode, the answer is Invalid Command Opcode
# (0x4001) exactly when the Commands Supported and Effects log (CSI 0, 2
# and 1) does not list the opcode as supported; a supported one is
# answered with something else.  Async Event Request (admin 0Ch) is left
# out: it completes only when an event happens.  Each command carries a
# 4 KiB buffer; what the supported ones do with it (a write of zeroes to
# LBA 0, a key of length 0) does not matter here.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=opcodes
R=/usr/bin/nvme-raw
T=$T_TMP/opcodes
mkdir -p "$T"

t_dmesg_mark
[ -x "$R" ] || { t_fail $P/present "$R missing"; t_dmesg_clean $P/dmesg-clean; exit 0; }
insmod "$NVMEV_KO" memmap_start=4G memmap_size=1G nr_ctrls=0 cpus=2,3 ||
    { t_fail $P/insmod "insmod nr_ctrls=0 failed"; t_dmesg_clean $P/dmesg-clean; exit 0; }
t_pass $P/insmod
nv_configfs_mount
mkdir "$NV/ops" && nv_mkns ops 1 64M optane && nv_mkns ops 2 64M zns zone_size=4M &&
    nv_mkns ops 3 64M kv && echo 1 >"$NV/ops/enable" &&
    t_pass $P/ctrl-enable || t_fail $P/ctrl-enable "see dmesg"
[ -w /proc/sys/vm/compact_unevictable_allowed ] &&
    echo 0 >/proc/sys/vm/compact_unevictable_allowed

BDF=$(basename "$(readlink -f /sys/class/nvme/nvme0/device)")
i=0
while [ $i -lt 50 ] && [ ! -e "/sys/bus/pci/devices/$BDF/driver" ]; do
    usleep 100000
    i=$((i + 1))
done
t_check $P/unbind sh -c "echo $BDF >/sys/bus/pci/drivers/nvme/unbind"

# The script: the three effects logs saved, then every opcode, each after
# an "echo" line naming it.
{
    echo "buf e 4k"
    echo "buf b 4k"
    echo "ioq-create 1 16"
    for csi in 0 2 1; do
        echo "admin opc=0x02 nsid=0 cdw10=$((5 | 1023 << 16)) cdw14=$((csi << 24)) data=e"
        echo "save e $T/effects$csi"
    done
    op=0
    while [ $op -lt 256 ]; do
        [ $op = 12 ] || { echo "echo @@ admin $op"; echo "admin opc=$op nsid=0 data=b"; }
        for ns in 1 2 3; do
            echo "echo @@ io$ns $op"
            echo "io 1 opc=$op nsid=$ns data=b"
        done
        op=$((op + 1))
    done
    echo "ioq-delete 1"
} >"$T/script"
"$R" -t 10000 "$BDF" "$T/script" >"$T/out" 2>&1
t_eq $P/run "0" "$?"
t_log "nvme-raw: $(grep -c '^status=' "$T/out") commands; last lines: $(tail -n 2 "$T/out" | tr '\n' '|')"

# <effects file> <dword offset>: the CSUPP bit of each of 256 opcodes
csupp() { od -An -v -tu4 -j $(($2 * 4)) -N 1024 "$1" | tr -s ' ' '\n' | grep . | awk '{ print NR - 1, $1 % 2 }'; }
# <kind>: the opcodes answered, each with 1 if not Invalid Opcode
answered() {
    awk -v k="$1" '$1 == "@@" { w = ($2 == k) ? $3 : ""; next }
        w != "" && /^status=/ { s = $1; sub(/^status=/, "", s);
            print w, (s == "0x4001" ? 0 : 1); w = "" }' "$T/out"
}
# <name> <kind> <effects file> <dword offset>
agree() {
    local n
    csupp "$3" "$4" >"$T/want.$2"
    answered "$2" >"$T/got.$2"
    [ "$2" = admin ] && sed -i '/^12 /d' "$T/want.$2"
    n=$(wc -l <"$T/got.$2")
    t_eq "$1/answered" "$(wc -l <"$T/want.$2")" "$n"
    t_eq "$1/agree" "" "$(diff "$T/want.$2" "$T/got.$2" | grep '^[<>]' | head -n 6 | tr '\n' ' ')"
    t_log "$1: $(awk '$2 == 1 { printf "%x ", $1 }' "$T/want.$2")supported"
}
if [ -s "$T/effects0" ] && [ -s "$T/effects2" ] && [ -s "$T/effects1" ]; then
    t_pass $P/effects-read
    agree $P/admin admin "$T/effects0" 0
    agree $P/nvm io1 "$T/effects0" 256
    agree $P/zns io2 "$T/effects2" 256
    agree $P/kv io3 "$T/effects1" 256
    # the tables are not empty (a log of zeroes and a device answering
    # Invalid Opcode to everything would agree)
    t_eq $P/nvm-read-supported "2 1" "$(grep '^2 ' "$T/want.io1")"
    t_eq $P/zns-append-supported "125 1" "$(grep '^125 ' "$T/want.io2")"
    t_eq $P/kv-exist-supported "20 1" "$(grep '^20 ' "$T/want.io3")"
    t_eq $P/admin-identify-supported "6 1" "$(grep '^6 ' "$T/want.admin")"
else
    t_fail $P/effects-read "no effects log saved: $(tail -n 3 "$T/out" | tr '\n' ' ')"
fi

echo "$BDF" >/sys/bus/pci/drivers/nvme/bind 2>/dev/null
echo 0 >"$NV/ops/enable"
nv_rmctrl ops
t_check $P/rmmod rmmod nvmev
t_dmesg_clean $P/dmesg-clean
