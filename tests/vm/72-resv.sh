#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2317 # helpers that only run through t_check
# Reservations (docs/reservations.md), on one configfs controller with one
# NVM namespace, through nvme-cli 2.3 (resv-register, -acquire, -release,
# -report) and passthrough:
#  1. Identify: ONCS bit 5, RESCAP FEh (types 1 to 6, IEKEY, no PTPL);
#  2. Host Identifier (feature 81h): zero at first, set and read back in 64
#     and 128 bits, the other size is Host Identifier Inconsistent Format,
#     a change while registered is Command Sequence Error;
#  3. Register, Acquire, Release, Report with every refusal the one host can
#     meet: wrong keys (Reservation Conflict, 0x4083), bad actions and types
#     (Invalid Field), a holder asking for another type, CPTPL, the
#     generation counter, both report formats, NUMD honoured;
#  4. the holder's writes and reads go through and read back under every
#     type it takes (preempting itself);
#  5. a controller reset keeps the registrations; disabling and enabling
#     the namespace clears them.
# A second host (writes refused, reads by type) needs a second controller
# on the same namespace: as_host() below sets a controller's host and
# every helper takes the controller, for that test to come.  The rule of
# each type for registrants and others is checked by tests/unit/test_resv.c.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=resv
DD=/usr/bin/dd
NV=/sys/kernel/config/nvmev
T=$T_TMP/resv
mkdir -p "$T"

# unload whatever is left, so that the next script starts clean
bail() {
    [ -d "$NV/r0" ] && echo 0 >"$NV/r0/enable" && nv_rmctrl r0
    rmmod nvmev
    exit 0
}

_nvmev_memmap_defaults
t_check $P/load insmod "$NVMEV_KO" memmap_start="$NVMEV_MEMMAP_START" \
    memmap_size="$NVMEV_MEMMAP_SIZE" nr_ctrls=0 || exit 0
nv_configfs_mount
mkdir "$NV/r0" && echo "$NVMEV_CPUS" >"$NV/r0/cpus"
t_check $P/ns nv_mkns r0 1 256M optane || bail
echo 1 >"$NV/r0/enable"
NS=$(nv_wait_dev r0 1)
t_check $P/dev test -b "$NS" || bail
PCI=$(cat "$NV/r0/pci")
for e in /sys/bus/pci/devices/"$PCI"/nvme/nvme*; do C=/dev/${e##*/}; done
CNTLID=$(cat "/sys/class/nvme/${C#/dev/}/cntlid")
t_log "controller $C (cntlid $CNTLID), namespace $NS"

# ---------------------------------------------------------------- helpers

# <ctrl> <16 hex digits or 32 with EXHID>: set the Host Identifier
as_host() {
    local ext=0 len=8
    [ ${#2} -eq 32 ] && ext=1 len=16
    # shellcheck disable=SC2059 # the escapes are the format
    printf "$(echo "$2" | sed 's/../\\x&/g')" >"$T/hostid"
    nvme_run nvme set-feature "$1" -f 0x81 -v $ext -l $len -d "$T/hostid"
}
# <ctrl> <exhid>: the Host Identifier as hex, in $T/gethostid
get_host() {
    nvme_run nvme admin-passthru "$1" --opcode=0x0a --cdw10=0x81 --cdw11="$2" \
        --data-len=$((8 << $2)) -r -b
    cp "$T_OUT" "$T/gethostid"
}
reg() { nvme_run nvme resv-register "$@"; }      # <ns> -n 1 --crkey --nrkey --rrega ...
acq() { nvme_run nvme resv-acquire "$@"; }
rel() { nvme_run nvme resv-release "$@"; }
# <ns> [--eds]: the report, raw, in $T/rpt
rpt() {
    nvme_run nvme resv-report "$@" -n 1 -b
    cp "$T_OUT" "$T/rpt"
}
# gen rtype regctl of the last report
hdr() { echo "$(u32 "$T/rpt" 0) $(u8 "$T/rpt" 4) $(u16 "$T/rpt" 5)"; }
# the first registrant: cntlid rcsts hostid rkey
ent() { echo "$(u16 "$T/rpt" 24) $(u8 "$T/rpt" 26) $(hexbytes "$T/rpt" 32 8) $(u64 "$T/rpt" 40)"; }
ent_ext() { echo "$(u16 "$T/rpt" 64) $(u8 "$T/rpt" 66) $(hexbytes "$T/rpt" 80 16) $(u64 "$T/rpt" 72)"; }
# <name> <lba>: write 64 KiB of a pattern at <lba> (512 B blocks) and read it back
rw_ok() {
    awk -v s="$1" 'BEGIN { for (i = 0; i < 1024; i++) printf "%-63s\n", s i }' >"$T/w"
    $DD if="$T/w" of="$NS" bs=64k seek=$(($2 / 128)) count=1 oflag=direct 2>/dev/null &&
        $DD if="$NS" of="$T/r" bs=64k skip=$(($2 / 128)) count=1 iflag=direct 2>/dev/null &&
        cmp "$T/w" "$T/r"
}

# ---------------------------------------------------------------- identify

nvme id-ctrl "$C" -o json >"$T/idc" 2>&1
ONCS=$(sed -n 's/.*"oncs" *: *\([0-9]*\).*/\1/p' "$T/idc")
t_eq $P/oncs-reservations 32 $((${ONCS:-0} & 32))
nvme id-ns "$NS" -o json >"$T/idn" 2>&1
t_eq $P/rescap 254 "$(sed -n 's/.*"rescap" *: *\([0-9]*\).*/\1/p' "$T/idn")"

# ---------------------------------------------------------------- host identifier

get_host "$C" 0
t_eq $P/hostid/initial-zero "0x0 0000000000000000" "$ST $(hexbytes "$T/gethostid" 0 8)"
rpt "$NS"
t_eq $P/report/empty "0x0 0 0 0" "$ST $(hdr)"
A=a1a2a3a4a5a6a7a8
as_host "$C" $A
t_eq $P/hostid/set-a 0x0 "$ST"
get_host "$C" 0
t_eq $P/hostid/get-a "0x0 $A" "$ST $(hexbytes "$T/gethostid" 0 8)"
get_host "$C" 1
t_eq $P/hostid/get-128-of-64-inconsistent 0x4018 "$ST"

# ---------------------------------------------------------------- register

reg "$NS" -n 1 --nrkey=1 --rrega=0
t_eq $P/register/a-key1 0x0 "$ST"
rpt "$NS"
t_eq $P/report/one-registrant "0x0 1 0 1" "$ST $(hdr)"
t_eq $P/report/entry "$CNTLID 0 $A 1" "$(ent)"
as_host "$C" b1b2b3b4b5b6b7b8
t_eq $P/hostid/change-while-registered-seq-error 0x400c "$ST"
as_host "$C" $A
t_eq $P/hostid/same-while-registered 0x0 "$ST"
reg "$NS" -n 1 --nrkey=2 --rrega=0
t_eq $P/register/again-other-key-conflict 0x4083 "$ST"
reg "$NS" -n 1 --nrkey=1 --rrega=0
t_eq $P/register/again-same-key 0x0 "$ST"
reg "$NS" -n 1 --crkey=1 --nrkey=3 --rrega=3
t_eq $P/register/rrega-3-invalid 0x4002 "$ST"
reg "$NS" -n 1 --crkey=1 --nrkey=3 --rrega=2 --cptpl=3
t_eq $P/register/cptpl-persist-invalid 0x4002 "$ST"
reg "$NS" -n 1 --crkey=1 --nrkey=3 --rrega=2 --cptpl=1
t_eq $P/register/cptpl-1-invalid 0x4002 "$ST"
reg "$NS" -n 1 --crkey=9 --nrkey=3 --rrega=2
t_eq $P/register/replace-wrong-key-conflict 0x4083 "$ST"
reg "$NS" -n 1 --crkey=1 --nrkey=3 --rrega=2 --cptpl=2
t_eq $P/register/replace 0x0 "$ST"
reg "$NS" -n 1 --crkey=77 --nrkey=1 --rrega=2 --iekey
t_eq $P/register/replace-iekey 0x0 "$ST"
rpt "$NS"
t_eq $P/report/after-replace "0x0 4 0 1" "$ST $(hdr)"
t_eq $P/report/entry-key1 "$CNTLID 0 $A 1" "$(ent)"

# ---------------------------------------------------------------- acquire

acq "$NS" -n 1 --crkey=5 --rtype=1 --racqa=0
t_eq $P/acquire/wrong-key-conflict 0x4083 "$ST"
for rt in 0 7; do
    acq "$NS" -n 1 --crkey=1 --rtype=$rt --racqa=0
    t_eq $P/acquire/rtype-$rt-invalid 0x4002 "$ST"
done
acq "$NS" -n 1 --crkey=1 --rtype=1 --racqa=3
t_eq $P/acquire/racqa-3-invalid 0x4002 "$ST"
acq "$NS" -n 1 --crkey=1 --rtype=1 --racqa=0
t_eq $P/acquire/we 0x0 "$ST"
rpt "$NS"
t_eq $P/report/we-held "0x0 4 1 1" "$ST $(hdr)"
t_eq $P/report/we-holder "$CNTLID 1 $A 1" "$(ent)"
t_check $P/io/we-holder-writes-reads rw_ok we 2048
acq "$NS" -n 1 --crkey=1 --rtype=1 --racqa=0
t_eq $P/acquire/we-again 0x0 "$ST"
acq "$NS" -n 1 --crkey=1 --rtype=2 --racqa=0
t_eq $P/acquire/other-type-conflict 0x4083 "$ST"
# preempt itself: another type, still registered
acq "$NS" -n 1 --crkey=1 --prkey=1 --rtype=2 --racqa=1
t_eq $P/preempt/self-to-ea 0x0 "$ST"
rpt "$NS"
t_eq $P/report/ea-held "0x0 5 2 1" "$ST $(hdr)"
t_check $P/io/ea-holder-writes-reads rw_ok ea 4096
acq "$NS" -n 1 --crkey=1 --prkey=0 --rtype=4 --racqa=1
t_eq $P/preempt/prkey-0-not-holder-invalid 0x4002 "$ST"
acq "$NS" -n 1 --crkey=1 --prkey=8 --rtype=4 --racqa=1
t_eq $P/preempt/no-such-key-conflict 0x4083 "$ST"
acq "$NS" -n 1 --crkey=1 --prkey=1 --rtype=4 --racqa=2
t_eq $P/preempt-abort/self-to-ea-ro 0x0 "$ST"
rpt "$NS"
t_eq $P/report/ea-ro-held "0x0 6 4 1" "$ST $(hdr)"
t_check $P/io/ea-ro-holder-writes-reads rw_ok earo 8192

# ---------------------------------------------------------------- reset keeps it

nvme reset "$C" >/dev/null 2>&1
usleep 500000
NS=$(nv_wait_dev r0 1)
rpt "$NS"
t_eq $P/reset/kept "0x0 6 4 1" "$ST $(hdr)"

# ---------------------------------------------------------------- release

rel "$NS" -n 1 --crkey=1 --rtype=1 --rrela=0
t_eq $P/release/wrong-type-invalid 0x4002 "$ST"
rel "$NS" -n 1 --crkey=2 --rtype=4 --rrela=0
t_eq $P/release/wrong-key-conflict 0x4083 "$ST"
rel "$NS" -n 1 --crkey=1 --rtype=4 --rrela=2
t_eq $P/release/rrela-2-invalid 0x4002 "$ST"
rel "$NS" -n 1 --crkey=1 --rtype=4 --rrela=0
t_eq $P/release/ok 0x0 "$ST"
rpt "$NS"
t_eq $P/report/released "0x0 6 0 1" "$ST $(hdr)"
t_eq $P/report/released-entry "$CNTLID 0 $A 1" "$(ent)"
rel "$NS" -n 1 --crkey=1 --rtype=4 --rrela=0
t_eq $P/release/nothing-held 0x0 "$ST"

# extended format; NUMD honoured (32 bytes: nothing of the host id after)
rpt "$NS" --eds
t_eq $P/report/eds "0x0 6 0 1" "$ST $(hdr)"
t_eq $P/report/eds-entry "$CNTLID 0 ${A}0000000000000000 1" "$(ent_ext)"
nvme_run nvme io-passthru "$NS" --opcode=0x0e --namespace-id=1 --cdw10=7 \
    --data-len=4096 -r -b
cp "$T_OUT" "$T/rpt"
t_eq $P/report/numd-7 "0x0 6 0 1 $CNTLID" "$ST $(hdr) $(u16 "$T/rpt" 24)"
t_check $P/report/numd-7-no-more sh -c "[ \"\$(hexbytes $T/rpt 32 4064 | tr -d 0)\" = '' ]"

# ---------------------------------------------------------------- unregister

reg "$NS" -n 1 --crkey=2 --rrega=1
t_eq $P/unregister/wrong-key-conflict 0x4083 "$ST"
reg "$NS" -n 1 --crkey=2 --rrega=1 --iekey
t_eq $P/unregister/iekey 0x0 "$ST"
rpt "$NS"
t_eq $P/report/unregistered "0x0 7 0 0" "$ST $(hdr)"
reg "$NS" -n 1 --crkey=1 --rrega=1
t_eq $P/unregister/not-registered-conflict 0x4083 "$ST"
acq "$NS" -n 1 --crkey=1 --rtype=1 --racqa=0
t_eq $P/acquire/not-registered-conflict 0x4083 "$ST"

# ---------------------------------------------------------------- 128-bit host id

B=b1b2b3b4b5b6b7b8c1c2c3c4c5c6c7c8
as_host "$C" $B
t_eq $P/hostid/set-128 0x0 "$ST"
get_host "$C" 1
t_eq $P/hostid/get-128 "0x0 $B" "$ST $(hexbytes "$T/gethostid" 0 16)"
get_host "$C" 0
t_eq $P/hostid/get-64-of-128-inconsistent 0x4018 "$ST"
reg "$NS" -n 1 --nrkey=0x1122334455667788 --rrega=0
t_eq $P/register/b-128 0x0 "$ST"
rpt "$NS"
t_eq $P/report/128-needs-eds 0x4018 "$ST"
rpt "$NS" --eds
t_eq $P/report/eds-128 "0x0 8 0 1 $CNTLID 0 $B 1234605616436508552" "$ST $(hdr) $(ent_ext)"

# ---------------------------------------------------------------- clear

acq "$NS" -n 1 --crkey=0x1122334455667788 --rtype=6 --racqa=0
t_eq $P/acquire/ea-all-registrants 0x0 "$ST"
t_check $P/io/ea-ar-holder-writes-reads rw_ok eaar 16384
rel "$NS" -n 1 --crkey=1 --rrela=1
t_eq $P/clear/wrong-key-conflict 0x4083 "$ST"
rel "$NS" -n 1 --crkey=0x1122334455667788 --rrela=1
t_eq $P/clear/ok 0x0 "$ST"
rpt "$NS" --eds
t_eq $P/report/cleared "0x0 9 0 0" "$ST $(hdr)"

# ---------------------------------------------------------------- volatile

reg "$NS" -n 1 --nrkey=5 --rrega=0
acq "$NS" -n 1 --crkey=5 --rtype=2 --racqa=0
t_eq $P/volatile/held 0x0 "$ST"
echo 0 >"$NV/r0/namespaces/1/enable"
echo 1 >"$NV/r0/namespaces/1/enable"
NS=$(nv_wait_dev r0 1)
rpt "$NS" --eds
t_eq $P/volatile/empty-after-disable-enable "0x0 0 0 0" "$ST $(hdr)"
t_check $P/io/after-enable rw_ok again 2048

# ---------------------------------------------------------------- teardown

echo 0 >"$NV/r0/enable"
nv_rmctrl r0
t_check $P/unload rmmod nvmev
t_dmesg_clean $P/dmesg-clean
exit 0
