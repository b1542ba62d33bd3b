#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2015,SC2086 # t_pass never fails; word lists
# nvmev-vm-args: --trixie-fio --qemu trixie --qemu-fdp 1G
# nvmev's FDP and QEMU's (Debian 13's QEMU, hw/nvme: the interface and the
# accounting) side by side, in one guest, through the same nvme-cli 2.3
# commands: an nvmev conv namespace shaped like QEMU's device (2 reclaim
# groups, 8 handles, initially isolated).  What the specification fixes
# must agree: the configuration's shape, the RUH status list (handles and
# reclaim groups of the placement identifiers, decoded with each device's
# RGIF), FDP enabled in feature 1Dh, Set Features 1Dh
# refused with Command Sequence Error, placed writes and RUH Update
# accepted, an update of a placement handle that does not exist refused
# with Invalid Field, HBMW counting the bytes written.  Every output of
# both is sent as build/vm/<boot>.files/fdp-vs-qemu.txt.
# Runs in the boot of 65-fdp-tools (same nvmev-vm-args).
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=fdpvsqemu
OUT=/tmp/fdp-vs-qemu.txt
: >$OUT

qctrl=""
for dir in /sys/class/nvme/nvme*; do
    [ "$(tr -d ' ' <"$dir/serial" 2>/dev/null)" = qemu-fdp-0 ] && qctrl=/dev/${dir##*/}
done
[ -n "$qctrl" ] || { t_fail $P/qemu-device "no QEMU FDP controller (boot with scripts/vm/run.sh --qemu trixie --qemu-fdp 1G)"; exit 0; }
qns=/dev/$(_nvme_ctrl_namespace "${qctrl#/dev/}") || { t_fail $P/qemu-ns "no namespace on $qctrl"; exit 0; }

nv_configfs_mount
insmod "$NVMEV_KO" memmap_start=4G memmap_size=2G nr_ctrls=0 cpus=2,3 ||
    { t_fail $P/insmod "insmod failed"; exit 0; }
mkdir $NV/vq
nv_mkns vq 1 1G conv nr_channels=2 luns_per_channel=2 pages_per_block=48 fdp_rgs=2 fdp_ruhs=8 &&
    t_pass $P/nvmev-ns || { t_fail $P/nvmev-ns "see dmesg"; exit 0; }
echo 1 >$NV/vq/enable
nns=$(nv_wait_dev vq 1) || { t_fail $P/nvmev-dev "no block device"; exit 0; }
nctrl=$(echo "$nns" | sed 's/n[0-9]*$//')
t_log "QEMU $qctrl $qns, nvmev $nctrl $nns"

# <who> <command...>: run it, append "### who: command", the output and
# "### exit N" to $OUT, leave the output in /tmp/fvq.out, return its status
both_run() {
    local who=$1 st
    shift
    "$@" >/tmp/fvq.out 2>&1 </dev/null
    st=$?
    { echo; echo "### $who: $*"; cat /tmp/fvq.out; echo "### exit $st"; } >>$OUT
    return $st
}
jval() { sed -n "s/^ *\"$1\" *: *\"\{0,1\}\([0-9]*\)\"\{0,1\},\{0,1\} *$/\1/p" /tmp/fvq.out | head -n 1; }
pids() { sed -n 's/^ *"pid" *: *\([0-9]*\).*/\1/p' /tmp/fvq.out | tr '\n' ' '; }
# "ph/rg ..." of placement identifiers, with RGIF bits of reclaim group
decode() {  # <pids> <rgif>
    local p out=""
    for p in $1; do
        out="$out$((p & ((1 << (16 - $2)) - 1)))/$((p >> (16 - $2))) "
    done
    echo "$out"
}
ruhids() { sed -n 's/^ *"ruhid" *: *\([0-9]*\).*/\1/p' /tmp/fvq.out | tr '\n' ' '; }

dd if=/dev/urandom of=/tmp/fvq.data bs=4096 count=1 2>/dev/null
for who in qemu nvmev; do
    if [ $who = qemu ]; then c=$qctrl; n=$qns; else c=$nctrl; n=$nns; fi
    both_run $who nvme fdp configs $c -e 1 -o json
    eval "${who}_cfg='$(jval nrg) $(jval nruh)'"
    eval "${who}_rgif=$(($(jval fdpa) & 15))"
    both_run $who nvme fdp configs $c -e 1
    both_run $who nvme fdp usage $c -e 1
    both_run $who nvme fdp status $n -o json
    eval "${who}_pids='$(pids)'"
    eval "${who}_phrg='$(decode "$(pids)" "$(eval echo \$${who}_rgif)")'"
    eval "${who}_ruhids='$(ruhids)'"
    both_run $who nvme get-feature $c -f 0x1d --cdw11=1
    eval "${who}_feat='$(grep -o 'Current value: *0x[0-9a-f]*' /tmp/fvq.out | sed 's/.*: *//')'"
    both_run $who nvme get-feature $c -f 0x1d --cdw11=1 -s 3
    both_run $who nvme set-feature $c -f 0x1d -v 1 --cdw12=1
    eval "${who}_setfeat='$(grep -o '(0x[0-9a-f]*)' /tmp/fvq.out | head -n 1)'"
    both_run $who nvme fdp stats $c -e 1 -o json
    eval "${who}_hbmw0=$(jval hbmw)"
    both_run $who nvme write $n --start-block=0 --block-count=7 --data-size=4096 --data=/tmp/fvq.data \
        --dir-type=2 --dir-spec=1
    eval "${who}_write=$?"
    both_run $who nvme flush $n
    both_run $who nvme fdp stats $c -e 1 -o json
    eval "${who}_hbmw1=$(jval hbmw)"
    both_run $who nvme fdp status $n
    both_run $who nvme fdp update $n -p 0,1
    eval "${who}_update=$?"
    both_run $who nvme fdp update $n -p 8
    eval "${who}_update8='$(grep -o '(0x[0-9a-f]*)' /tmp/fvq.out | head -n 1)'"
    both_run $who nvme fdp set-events $n -p 0 -e -t 0
    both_run $who nvme fdp events $c -e 1 -E
    both_run $who nvme id-ctrl $c
    eval "${who}_ctratt_fdps=$(( $(sed -n 's/^ctratt *: *//p' /tmp/fvq.out) >> 19 & 1 ))"
done

# shellcheck disable=SC2154 # set by eval above
{
    t_eq $P/configs-nrg-nruh "$qemu_cfg" "$nvmev_cfg"
    # RGIF is the device's choice (QEMU: 2 bits for 2 groups, nvmev the
    # fewest, 1): the placement identifiers decoded must agree
    t_eq $P/status-pids-decoded "$qemu_phrg" "$nvmev_phrg"
    t_eq $P/status-ruhids "$qemu_ruhids" "$nvmev_ruhids"
    t_eq $P/feature-1d-enabled "$qemu_feat" "$nvmev_feat"
    t_eq $P/set-feature-1d-seq-error "(0x400c) (0x400c)" "$qemu_setfeat $nvmev_setfeat"
    t_eq $P/placed-write "0 0" "$qemu_write $nvmev_write"
    t_eq $P/hbmw-counts-4k "4096 4096" "$((qemu_hbmw1 - qemu_hbmw0)) $((nvmev_hbmw1 - nvmev_hbmw0))"
    t_eq $P/update "0 0" "$qemu_update $nvmev_update"
    t_eq $P/update-ph8-invalid-field "(0x4002) (0x4002)" "$qemu_update8 $nvmev_update8"
    t_eq $P/ctratt-fdps "1 1" "$qemu_ctratt_fdps $nvmev_ctratt_fdps"
}
t_log "QEMU: configs '$qemu_cfg' RGIF $qemu_rgif pids '$qemu_pids'; nvmev: configs '$nvmev_cfg' RGIF $nvmev_rgif pids '$nvmev_pids'"
t_emit $OUT fdp-vs-qemu.txt

echo 0 >$NV/vq/enable
nv_rmctrl vq
rmmod nvmev && t_pass $P/rmmod || t_fail $P/rmmod "rmmod failed"
exit 0
