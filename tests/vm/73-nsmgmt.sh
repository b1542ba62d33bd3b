#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2317 # helpers that only run through t_check
# Namespace Management and Namespace Attachment from the host (nsmgmt.c,
# docs/configfs.md "Namespace Management from the host"), with nvme-cli:
#  1. one configfs controller without namespaces (nr_ctrls=0): Identify
#     OACS bit 3; create-ns returns NSID 1, which configfs shows as
#     a/namespaces/1 and the pool accounts; list-ns --all shows it, list-ns
#     not; list-ctrl; attach-ns makes the block device appear, data written,
#     detach-ns makes it go, attach-ns again reads the same data back;
#  2. errors: NCAP != NSZE, larger than the pool or than its free space,
#     an LBA format not offered, a size not in whole MiB, attach twice,
#     detach of an unattached namespace, a controller list naming no
#     controller of the subsystem, delete / attach of a missing NSID;
#  3. delete of an attached namespace: the device and configfs directory
#     go, the pool gets its space back; a configfs namespace deleted by the
#     host stays in configfs, disabled; rmdir of a controller gives back the
#     storage of the namespaces the host created there; a controller reset
#     while a create runs drops its completion and leaves things consistent;
#  4. two controllers in one subsystem: created through b, attached to c
#     only, it appears on c and not on b; list-ctrl of the namespace shows
#     c; deleted through c, b's configfs directory goes;
#  5. through nvme-raw: CC.EN = 0 while a create runs, its completion is
#     dropped, the next session's commands answer, the namespace exists.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=nsmgmt
DD=/usr/bin/dd    # busybox sh runs its own applets before PATH
MIB=1048576

pool() {  # <key>
    awk -v k="$1" '$1 == k { print $2; f = 1; exit } END { if (!f) print "<no " k ">" }' "$NV/pool" 2>/dev/null
}

# nvme binds to PCI function <bdf> again (its controller node appears)
nvme_pci_rebind_ctrl() {  # <bdf>
    local tries=100
    echo "$1" >/sys/bus/pci/drivers/nvme/bind || return 1
    while [ "$tries" -gt 0 ]; do
        [ -e /sys/bus/pci/devices/"$1"/nvme ] && return 0
        usleep 200000
        tries=$((tries - 1))
    done
    return 1
}

finish() {
    for c in a b c d; do
        [ -d "$NV/$c" ] && echo 0 >"$NV/$c/enable" 2>/dev/null
    done
    for c in a b c d; do
        [ -d "$NV/$c" ] || continue
        for n in "$NV/$c"/namespaces/*; do
            [ -d "$n" ] && rmdir "$n" 2>/dev/null
        done
        rmdir "$NV/$c" 2>/dev/null
    done
    [ -d "$NV/subsystems/s" ] && rmdir "$NV/subsystems/s"
    t_check $P/unload rmmod nvmev
    t_check $P/nothing-left nvmev_gone
    t_dmesg_clean $P/dmesg-clean
    exit 0
}

nv_configfs_mount
_nvmev_memmap_defaults
t_check $P/insmod insmod "$NVMEV_KO" memmap_start="$NVMEV_MEMMAP_START" \
    memmap_size="$NVMEV_MEMMAP_SIZE" nr_ctrls=0 cpus="$NVMEV_CPUS" || exit 0
SIZE=$(pool size)

# ================================================================ 1. one controller

mkdir "$NV/a" && echo 1 >"$NV/a/enable"
A=$(nv_wait_cdev a)
t_check $P/a/controller [ -n "$A" ] || finish
CA=$(cat /sys/class/nvme/"${A#/dev/}"/cntlid)
FREE0=$(pool free)
t_eq $P/a/pool-free "$((SIZE - MIB))" "$FREE0"

nvme_run nvme id-ctrl "$A" -o json
OACS=$(sed -n 's/^ *"oacs" *: *\([0-9]*\).*/\1/p' "$T_OUT")
t_eq $P/a/oacs-ns-mgmt 8 $((${OACS:-0} & 8))
UNVM=$(sed -n 's/^ *"unvmcap" *: *"\{0,1\}\([0-9]*\).*/\1/p' "$T_OUT")
t_eq $P/a/unvmcap "$FREE0" "$UNVM"

# 8 MiB of 512-byte blocks
nvme_run nvme create-ns "$A" -s 16384 -c 16384 -f 0
t_eq $P/create/status 0x0 "$ST"
t_eq $P/create/nsid 1 "$(sed -n 's/.*created nsid:\([0-9]*\).*/\1/p' "$T_OUT" "$T_ERR" | head -n 1)"
t_check $P/create/configfs-dir [ -d "$NV/a/namespaces/1" ]
t_eq $P/create/configfs-enable 1 "$(cat "$NV/a/namespaces/1/enable" 2>/dev/null)"
t_eq $P/create/pool-free "$((FREE0 - 8 * MIB))" "$(pool free)"
t_check $P/create/pool-extent grep -q " $((8 * MIB)) a/1\$" "$NV/pool"
t_check $P/create/not-attached nv_wait_no_dev a 1

nvme_run nvme list-ns "$A" --all
t_check $P/list-ns-all grep -q ':0x1$' "$T_OUT"
nvme_run nvme list-ns "$A"
t_expect_fail $P/list-ns-active-not grep -q ':0x1$' "$T_OUT"
# Identify CNS 11h: the allocated namespace's data (NSZE)
nvme_run nvme admin-passthru "$A" --opcode=0x06 --cdw10=0x11 --namespace-id=1 --data-len=4096 -r -b
t_eq $P/cns11/status 0x0 "$ST"
t_eq $P/cns11/nsze 16384 "$(u64 "$T_OUT" 0)"
nvme_run nvme admin-passthru "$A" --opcode=0x06 --cdw10=0x11 --namespace-id=2 --data-len=4096 -r -b
t_check $P/cns11/unallocated-zeroes is_zero "$T_OUT"
# CNS 13h: the subsystem's controllers; 12h: those the namespace is attached to
nvme_run nvme admin-passthru "$A" --opcode=0x06 --cdw10=0x13 --data-len=4096 -r -b
t_eq $P/cns13/list "1 $CA" "$(u16 "$T_OUT" 0) $(u16 "$T_OUT" 2)"
nvme_run nvme admin-passthru "$A" --opcode=0x06 --cdw10=0x12 --namespace-id=1 --data-len=4096 -r -b
t_eq $P/cns12/none 0 "$(u16 "$T_OUT" 0)"

nvme_run nvme attach-ns "$A" -n 1 -c "$CA"
t_eq $P/attach/status 0x0 "$ST"
D=$(nv_wait_dev a 1)
t_check $P/attach/device [ -n "$D" ]
t_eq $P/attach/size $((8 * MIB)) "$(blockdev --getsize64 "$D" 2>/dev/null)"
nvme_run nvme admin-passthru "$A" --opcode=0x06 --cdw10=0x12 --namespace-id=1 --data-len=4096 -r -b
t_eq $P/cns12/attached "1 $CA" "$(u16 "$T_OUT" 0) $(u16 "$T_OUT" 2)"
$DD if=/dev/urandom of="$T_TMP/data" bs=1M count=2 2>/dev/null
t_check $P/attach/write $DD if="$T_TMP/data" of="$D" bs=1M oflag=direct
nvme_run nvme detach-ns "$A" -n 1 -c "$CA"
t_eq $P/detach/status 0x0 "$ST"
t_check $P/detach/device-gone nv_wait_no_dev a 1
nvme_run nvme list-ns "$A" --all
t_check $P/detach/still-allocated grep -q ':0x1$' "$T_OUT"
nvme_run nvme attach-ns "$A" -n 1 -c "$CA"
t_eq $P/reattach/status 0x0 "$ST"
D=$(nv_wait_dev a 1)
t_check $P/reattach/device [ -n "$D" ]
$DD if="$D" of="$T_TMP/back" bs=1M count=2 iflag=direct 2>/dev/null
t_check $P/reattach/same-data cmp "$T_TMP/data" "$T_TMP/back"

# ================================================================ 2. errors

nvme_run nvme create-ns "$A" -s 16384 -c 8192 -f 0
t_eq $P/err/ncap-not-nsze 0x411b "$ST"
nvme_run nvme create-ns "$A" -s $((SIZE / 512 + 2048)) -c $((SIZE / 512 + 2048)) -f 0
t_eq $P/err/larger-than-pool 0x4115 "$ST"
nvme_run nvme create-ns "$A" -s $((SIZE / 512 - 2048)) -c $((SIZE / 512 - 2048)) -f 0
t_eq $P/err/larger-than-free 0x4115 "$ST"
nvme_run nvme create-ns "$A" -s 16384 -c 16384 -f 1
t_eq $P/err/flbas-1 0x410a "$ST"
nvme_run nvme create-ns "$A" -s 1000 -c 1000 -f 0
t_eq $P/err/not-whole-mib 0x4002 "$ST"
nvme_run nvme create-ns "$A" -s 16384 -c 16384 -f 0 --anagrp-id=33
t_eq $P/err/anagrpid-invalid 0x4124 "$ST"
t_eq $P/err/pool-unchanged "$((FREE0 - 8 * MIB))" "$(pool free)"
nvme_run nvme attach-ns "$A" -n 1 -c "$CA"
t_eq $P/err/attach-twice 0x4118 "$ST"
nvme_run nvme create-ns "$A" -s 4096 -c 4096 -f 0 --anagrp-id=3
t_eq $P/create2/nsid 2 "$(sed -n 's/.*created nsid:\([0-9]*\).*/\1/p' "$T_OUT" "$T_ERR" | head -n 1)"
t_eq $P/create2/anagrpid 3 "$(cat "$NV/a/namespaces/2/anagrpid" 2>/dev/null)"
nvme_run nvme detach-ns "$A" -n 2 -c "$CA"
t_eq $P/err/detach-unattached 0x411a "$ST"
nvme_run nvme attach-ns "$A" -n 2 -c 99
t_eq $P/err/ctrl-list-invalid 0x411c "$ST"
nvme_run nvme attach-ns "$A" -n 2 -c "$CA,$CA"
t_eq $P/err/ctrl-list-duplicate 0x411c "$ST"
nvme_run nvme delete-ns "$A" -n 9
t_eq $P/err/delete-missing 0x400b "$ST"
nvme_run nvme attach-ns "$A" -n 9 -c "$CA"
t_eq $P/err/attach-missing 0x400b "$ST"
t_check $P/err/still-readable cmp "$T_TMP/data" "$T_TMP/back"

# ================================================================ 3. delete

nvme_run nvme delete-ns "$A" -n 1
t_eq $P/delete/status 0x0 "$ST"
t_check $P/delete/device-gone nv_wait_no_dev a 1
t_expect_fail $P/delete/configfs-dir-gone [ -d "$NV/a/namespaces/1" ]
nvme_run nvme delete-ns "$A" -n 2
t_eq $P/delete2/status 0x0 "$ST"
t_eq $P/delete/pool-free-back "$FREE0" "$(pool free)"
nvme_run nvme list-ns "$A" --all
t_expect_fail $P/delete/list-empty grep -q ':0x' "$T_OUT"

# a namespace made through configfs: the host deletes it, configfs keeps it
nv_mkns a 5 4M optane
D=$(nv_wait_dev a 5)
t_check $P/cfgns/device [ -n "$D" ]
nvme_run nvme delete-ns "$A" -n 5
t_eq $P/cfgns/delete 0x0 "$ST"
t_check $P/cfgns/device-gone nv_wait_no_dev a 5
t_eq $P/cfgns/configfs-disabled 0 "$(cat "$NV/a/namespaces/5/enable" 2>/dev/null)"
t_eq $P/cfgns/pool-free-back "$FREE0" "$(pool free)"
rmdir "$NV/a/namespaces/5"

# the host deletes a configfs namespace while its directory is removed:
# whichever comes first, the other finds it gone (the delete no longer
# touches the namespace after dropping the lock it was found under)
race_ok=0
for i in 1 2 3 4 5 6 7 8; do
    nv_mkns a 5 4M optane
    nv_wait_dev a 5 >/dev/null
    nvme delete-ns "$A" -n 5 >/dev/null 2>&1 &
    usleep $((i * 2000))
    rmdir "$NV/a/namespaces/5" 2>/dev/null
    wait
    [ -d "$NV/a/namespaces/5" ] && rmdir "$NV/a/namespaces/5"
    [ ! -d "$NV/a/namespaces/5" ] && [ "$(pool free)" = "$FREE0" ] &&
        race_ok=$((race_ok + 1))
done
t_eq $P/cfgns/delete-vs-rmdir 8 $race_ok
nv_wait_no_dev a 5 && t_pass $P/cfgns/delete-vs-rmdir-no-dev ||
    t_fail $P/cfgns/delete-vs-rmdir-no-dev "namespace 5 still has a block device"

# a controller reset while a create runs (zeroing most of the pool): the
# work finishes, its completion is dropped, the controller answers after
# the reset, and the pool holds the namespace exactly when it was created
BIG=$(((FREE0 / MIB - 64) * 2048))
nvme create-ns "$A" -s $BIG -c $BIG -f 0 >"$T_TMP/big.out" 2>&1 &
BIGPID=$!
usleep 300000
echo 1 >/sys/class/nvme/"${A#/dev/}"/reset_controller
wait $BIGPID
nvme_run nvme list-ns "$A" --all
t_eq $P/reset/list-ns-after 0x0 "$ST"
if grep -q ':0x1$' "$T_OUT"; then
    t_log "reset: namespace 1 was created ($(tr '\n' ' ' <"$T_TMP/big.out"))"
    t_eq $P/reset/pool-holds-it "$((FREE0 - BIG * 512))" "$(pool free)"
    nvme_run nvme delete-ns "$A" -n 1
    t_eq $P/reset/delete 0x0 "$ST"
else
    t_log "reset: the reset came before the create ($(tr '\n' ' ' <"$T_TMP/big.out"))"
fi
t_eq $P/reset/pool-free-back "$FREE0" "$(pool free)"
nvme_run nvme id-ctrl "$A"
t_eq $P/reset/id-ctrl 0x0 "$ST"

# rmdir of a controller with a namespace the host created there
nvme_run nvme create-ns "$A" -s 8192 -c 8192 -f 0
t_eq $P/rmdir/create 0x0 "$ST"
echo 0 >"$NV/a/enable"
t_check $P/rmdir/ctrl rmdir "$NV/a"
t_eq $P/rmdir/pool-whole "$SIZE" "$(pool free)"

# ================================================================ 4. two controllers

mkdir "$NV/subsystems/s" "$NV/b" "$NV/c"
echo s >"$NV/b/subsys"
echo s >"$NV/c/subsys"
echo 1 >"$NV/b/enable"
echo 1 >"$NV/c/enable"
B=$(nv_wait_cdev b)
C=$(nv_wait_cdev c)
t_check $P/two/controller-b [ -n "$B" ] || finish
t_check $P/two/controller-c [ -n "$C" ] || finish
CC=$(cat /sys/class/nvme/"${C#/dev/}"/cntlid)
CB=$(cat /sys/class/nvme/"${B#/dev/}"/cntlid)
nvme_run nvme admin-passthru "$B" --opcode=0x06 --cdw10=0x13 --data-len=4096 -r -b
t_eq $P/two/cns13 "2 $(printf '%s\n' "$CB" "$CC" | sort -n | tr '\n' ' ')" \
    "$(u16 "$T_OUT" 0) $(u16 "$T_OUT" 2) $(u16 "$T_OUT" 4) "
nvme_run nvme create-ns "$B" -s 8192 -c 8192 -f 0
t_eq $P/two/create 0x0 "$ST"
N=$(sed -n 's/.*created nsid:\([0-9]*\).*/\1/p' "$T_OUT" "$T_ERR" | head -n 1)
t_check $P/two/configfs-on-b [ -d "$NV/b/namespaces/${N:-none}" ]
nvme_run nvme attach-ns "$B" -n "${N:-1}" -c "$CC"
t_eq $P/two/attach-c 0x0 "$ST"
D=$(nv_wait_dev c "${N:-1}")
t_check $P/two/device-on-c [ -n "$D" ]
t_expect_fail $P/two/not-on-b nv_ns_dev b "${N:-1}"
nvme_run nvme admin-passthru "$B" --opcode=0x06 --cdw10=0x12 --namespace-id="${N:-1}" --data-len=4096 -r -b
t_eq $P/two/cns12 "1 $CC" "$(u16 "$T_OUT" 0) $(u16 "$T_OUT" 2)"
nvme_run nvme delete-ns "$C" -n "${N:-1}"
t_eq $P/two/delete-through-c 0x0 "$ST"
t_check $P/two/device-gone nv_wait_no_dev c "${N:-1}"
t_expect_fail $P/two/configfs-gone [ -d "$NV/b/namespaces/${N:-none}" ]
t_eq $P/two/pool-free "$((SIZE - 2 * MIB))" "$(pool free)"
# rmdir of the controller that created a namespace attached to the other:
# the namespace goes, and the controller leaves the subsystem cleanly
nvme_run nvme create-ns "$B" -s 8192 -c 8192 -f 0
N2=$(sed -n 's/.*created nsid:\([0-9]*\).*/\1/p' "$T_OUT" "$T_ERR" | head -n 1)
nvme_run nvme attach-ns "$B" -n "${N2:-1}" -c "$CC"
t_eq $P/two/attach-c-2 0x0 "$ST"
t_check $P/two/device-on-c-2 nv_wait_dev c "${N2:-1}"
echo 0 >"$NV/b/enable"
t_kmsg_mark
t_check $P/two/rmdir-b rmdir "$NV/b"
t_check $P/two/rmdir-b-ns-gone nv_wait_no_dev c "${N2:-1}"
t_eq $P/two/rmdir-b-left-subsys "c" "$(cut -d' ' -f1 "$NV/subsystems/s/controllers")"
t_eq $P/two/rmdir-b-no-complaint "" "$(t_kmsg_since | grep 'subsys=')"
t_eq $P/two/rmdir-b-pool-free "$((SIZE - MIB))" "$(pool free)"

# ================================================================ 5. CC.EN = 0 while a create runs

# nvme-raw (the nvme driver unbound): a create that takes seconds (zeroing
# most of the pool) times out on the host's side, the host disables and
# enables the controller; the work finishes, its completion is dropped
# (not posted on the new admin queue), the next commands answer, and the
# namespace it made exists
R=/usr/bin/nvme-raw
le64() {  # <value>: 8 bytes, little endian
    local i=0
    while [ $i -lt 8 ]; do
        # shellcheck disable=SC2059 # the format is the octal escape
        printf "\\$(printf %03o $((($1 >> (8 * i)) & 255)))"
        i=$((i + 1))
    done
}
mkdir "$NV/d" && echo 1 >"$NV/d/enable"
DC=$(nv_wait_cdev d)
t_check $P/raw/controller [ -n "$DC" ] || finish
BDF=$(cat "$NV/d/pci")
FREE1=$(pool free)
BIG=$(((FREE1 / MIB - 64) * 2048))
{ le64 $BIG; le64 $BIG; } >"$T_TMP/create.bin"
$DD if=/dev/zero bs=4080 count=1 >>"$T_TMP/create.bin" 2>/dev/null
[ -w /proc/sys/vm/compact_unevictable_allowed ] &&
    echo 0 >/proc/sys/vm/compact_unevictable_allowed
t_check $P/raw/unbind sh -c "echo $BDF >/sys/bus/pci/drivers/nvme/unbind"
cat >"$T_TMP/raw.txt" <<EOS
buf c 4k
load c $T_TMP/create.bin
buf l 4k
timeout 300
echo == create
admin opc=0x0d cdw10=0 data=c
timeout 60000
echo == reset
reset
echo == identify
admin opc=0x06 cdw10=1 data=l
echo == list
admin opc=0x06 cdw10=0x10 nsid=0 data=l
save l $T_TMP/list.bin
echo == delete
admin opc=0x0d cdw10=1 nsid=1
echo == end
EOS
"$R" "$BDF" "$T_TMP/raw.txt" >"$T_TMP/raw.out" 2>&1
t_log "nvme-raw: $(tr '\n' ' ' <"$T_TMP/raw.out" | head -c 300)"
t_eq $P/raw/create-timed-out timeout "$(raw_status_at create "$T_TMP/raw.out" | sed 's/.*timeout.*/timeout/')"
t_eq $P/raw/identify-after-reset 0x0 "$(raw_status_at identify "$T_TMP/raw.out")"
# its own completion: the first of the new session (SQ head 1), dword 0
# zero; the create's (dword 0 = NSID 1) never reaches the new queue
t_eq $P/raw/identify-own-cqe "dw0=0x00000000 sqhd=1" \
    "$(awk '$0 == "== identify" { getline; print $2, $4; exit }' "$T_TMP/raw.out")"
t_eq $P/raw/list 0x0 "$(raw_status_at list "$T_TMP/raw.out")"
t_eq $P/raw/created-nsid "1 0" "$(u32 "$T_TMP/list.bin" 0) $(u32 "$T_TMP/list.bin" 4)"
t_eq $P/raw/delete 0x0 "$(raw_status_at delete "$T_TMP/raw.out")"
t_eq $P/raw/pool-free-back "$FREE1" "$(pool free)"
t_check $P/raw/rebind nvme_pci_rebind_ctrl "$BDF"

finish
