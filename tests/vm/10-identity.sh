#!/bin/sh
# shellcheck shell=dash
# Identity of the emulated controller: PCI identity, registers, Identify
# (every CNS), log pages (error, SMART with exact counter deltas, firmware
# slot, command effects), features (get/set/stored/rejected, timestamp),
# and what survives a reload (power cycles, counters, data, identifiers).
#
# Exact statuses are taken from nvme-cli's "NVMe status: ...(0x4002)" line;
# they include DNR (0x4000), which every error of this module must carry.
# nvmev-needs: nvme-trace
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

# ---------------------------------------------------------------- helpers

# nvme_run (lib.sh) sets ST, RES and RC; the output is in $T_OUT / $T_ERR
run() { nvme_run "$@"; }

adm() { run nvme admin-passthru "$CTRL" "$@"; }

# <name> <expected status> <admin-passthru args...>
adm_st() {
    local name=$1 want=$2
    shift 2
    adm "$@"
    t_eq "$name" "$want" "$ST"
}

size_of() { wc -c <"$1" | tr -d ' '; }
hex32() { printf '0x%08x' "$1"; }

# "key":value from nvme-cli's pretty-printed JSON (first occurrence)
jget() {
    sed -n "s/^ *\"$2\":\(.*\)\$/\1/p" "$1" | head -n 1 | sed 's/,$//; s/^"\(.*\)"$/\1/'
}

ceil1000() { echo $((($1 + 999) / 1000)); }

# "4G" / "2048M" / bytes -> bytes
to_bytes() {
    case "$1" in
        *[gG]) echo $((${1%?} << 30)) ;;
        *[mM]) echo $((${1%?} << 20)) ;;
        *[kK]) echo $((${1%?} << 10)) ;;
        *) echo $(($1)) ;;
    esac
}

# Get Features through admin-passthru: RES is the value
getf() { adm --opcode=0x0a --cdw10="$1" --cdw11="${2:-0}" --data-len=4096 -r -b; }
setf() { adm --opcode=0x09 --cdw10="$1" --cdw11="$2" --data-len=4096 -w -b; }
# <name> <fid> <expected>: the status of the last setf, or, when the host
# kernel did not let it through (nvme_host_refused_setf), <name> with
# "-refused-by-host" instead: nvmev's answer is checked on kernels that pass
# the command on (6.1), not here.
setf_eq() {
    if nvme_host_refused_setf "$2" "$ST"; then
        t_pass "$1-refused-by-host"
    else
        t_eq "$1" "$3" "$ST"
    fi
}

# "Current value:0x00000157" / "Current value:00000000" from nvme get-feature
feat_value() {
    sed -n 's/.*Current value:\(0x\)\{0,1\}\([0-9a-fA-F]*\).*/0x\2/p' "$T_OUT" "$T_ERR" | head -n 1
}

smart_json() { nvme smart-log "$CTRL" -o json >"$T_TMP/smart.json" 2>&1; }
smart() { jget "$T_TMP/smart.json" "$1"; }

# The event nvme:nvme_setup_cmd was enabled at boot for this script
# ("nvmev-needs: nvme-trace", scripts/vm/guest-init.sh): switching it here
# would live-patch code other vCPUs run, which QEMU's TCG does not survive
# reliably.  Only the recording is switched.
TRACE=/sys/kernel/tracing
trace_start() {
    [ "$(cat "$TRACE/events/nvme/nvme_setup_cmd/enable" 2>/dev/null)" = 1 ] || return 1
    : >"$TRACE/trace"
    echo 1 >"$TRACE/tracing_on"
}
trace_stop() { echo 0 >"$TRACE/tracing_on" 2>/dev/null; }
# "<qid> <cmdid>" of the last traced command whose line contains <text>
trace_find() {
    grep 'nvme_setup_cmd:' "$TRACE/trace" 2>/dev/null | grep -F -- "$1" | tail -n 1 |
        sed -n 's/.* qid=\([0-9]*\), cmdid=\([0-9]*\),.*/\1 \2/p'
}

# ---------------------------------------------------------------- load

# a new drive: no data, SMART lifetime counters from zero
t_check identity/insmod nvmev_load wipe=1 reset_smart=1 || {
    t_dmesg_clean identity/dmesg-clean
    exit 0
}
CTRL=$NVMEV_CTRL
NS=$NVMEV_NS
CNAME=${CTRL#/dev/}
NSNAME=${NS#/dev/}
t_log "controller $CTRL namespace $NS"

MEM_START=$(to_bytes "$NVMEV_MEMMAP_START")
MEM_SIZE=$(to_bytes "$NVMEV_MEMMAP_SIZE")
STORAGE=$((MEM_SIZE - (1 << 20)))
NR_LBAS=$((STORAGE / 512))
SERIAL=$(printf 'NVMEV%04X%08X' 0 $((MEM_START >> 20)))
SUBNQN="nqn.2026-11.dev.nvmev:$SERIAL"

# ---------------------------------------------------------------- PCI

PCIDEV=$(readlink -f "/sys/class/nvme/$CNAME/device")
t_eq identity/pci/domain 10000 "$(basename "$PCIDEV" | cut -d: -f1)"
t_eq identity/pci/vendor 0x0c51 "$(cat "$PCIDEV/vendor")"
t_eq identity/pci/device 0x0101 "$(cat "$PCIDEV/device")"
t_eq identity/pci/class 0x010802 "$(cat "$PCIDEV/class")"
t_eq identity/sysfs/model "nvmev NVM SSD" "$(sed 's/ *$//' "/sys/class/nvme/$CNAME/model")"
t_eq identity/sysfs/serial "$SERIAL" "$(sed 's/ *$//' "/sys/class/nvme/$CNAME/serial")"
t_eq identity/sysfs/firmware-rev "0.1" "$(sed 's/ *$//' "/sys/class/nvme/$CNAME/firmware_rev")"

# ---------------------------------------------------------------- Identify Controller

IDC=$T_TMP/idctrl.json
if nvme id-ctrl "$CTRL" -o json >"$IDC" 2>&1; then
    t_pass identity/ctrl/id-ctrl
    for kv in vid=3153 ssvid=3153 mdts=7 ver=66560 cntrltype=1 oacs=40 acl=3 aerl=3 \
        frmw=3 lpa=6 elpe=15 npss=0 wctemp=343 cctemp=358 sqes=102 cqes=68 nn=32 oaes=2304 \
        oncs=239 vwc=0 sgls=0 cmic=8 anatt=10 anacap=95 anagrpmax=32 nanagrpid=32 mnan=32; do
        t_eq "identity/ctrl/${kv%%=*}" "${kv#*=}" "$(jget "$IDC" "${kv%%=*}")"
    done
    t_eq identity/ctrl/tnvmcap "$STORAGE" "$(jget "$IDC" tnvmcap)"
    t_eq identity/ctrl/sn "$(printf '%-20s' "$SERIAL")" "$(jget "$IDC" sn)"
    t_eq identity/ctrl/mn "$(printf '%-40s' "nvmev NVM SSD")" "$(jget "$IDC" mn)"
    t_eq identity/ctrl/fr "$(printf '%-8s' "0.1")" "$(jget "$IDC" fr)"
    t_eq identity/ctrl/subnqn "$SUBNQN" "$(jget "$IDC" subnqn)"
    t_eq identity/sysfs/subsysnqn "$SUBNQN" "$(cat "/sys/class/nvme/$CNAME/subsysnqn")"
else
    t_fail identity/ctrl/id-ctrl "$(head -c 200 "$IDC")"
fi

# ---------------------------------------------------------------- Identify Namespace

IDN=$T_TMP/idns.json
if nvme id-ns "$NS" -o json >"$IDN" 2>&1; then
    t_pass identity/ns/id-ns
    for k in nsze ncap nuse; do
        t_eq "identity/ns/$k" "$NR_LBAS" "$(jget "$IDN" $k)"
    done
    t_eq identity/ns/nlbaf 0 "$(jget "$IDN" nlbaf)"
    t_eq identity/ns/flbas 0 "$(jget "$IDN" flbas)"
    t_eq identity/ns/lbaf0-ds 9 "$(jget "$IDN" ds)"
    t_eq identity/ns/lbaf0-ms 0 "$(jget "$IDN" ms)"
    t_eq identity/ns/dlfeat 9 "$(jget "$IDN" dlfeat)"
    t_eq identity/ns/rescap 254 "$(jget "$IDN" rescap)"
    NGUID=$(jget "$IDN" nguid)
    EUI64=$(jget "$IDN" eui64)
    t_check identity/ns/nguid-set sh -c "echo '$NGUID' | grep -Eq '^[0-9a-f]{32}\$' && echo '$NGUID' | grep -q '[1-9a-f]'"
    t_check identity/ns/eui64-set sh -c "echo '$EUI64' | grep -Eq '^[0-9a-f]{16}\$' && echo '$EUI64' | grep -q '[1-9a-f]'"
else
    t_fail identity/ns/id-ns "$(head -c 200 "$IDN")"
fi
t_eq identity/ns/block-size 512 "$(cat "/sys/block/$NSNAME/queue/logical_block_size")"
t_eq identity/ns/block-sectors "$NR_LBAS" "$(cat "/sys/block/$NSNAME/size")"

# Identify NS (CNS 0) for every kind of NSID, through passthru
adm --opcode=0x06 --namespace-id=1 --cdw10=0 --data-len=4096 -r -b
t_eq identity/ns/cns0-nsid1 0x0 "$ST"
t_eq identity/ns/cns0-nsid1-nsze "$NR_LBAS" "$(u64 "$T_OUT" 0)"
for nsid in 2 9 32; do
    adm --opcode=0x06 --namespace-id=$nsid --cdw10=0 --data-len=4096 -r -b
    if [ "$ST" = 0x0 ] && [ "$(size_of "$T_OUT")" = 4096 ] && is_zero "$T_OUT"; then
        t_pass "identity/ns/cns0-inactive-nsid$nsid-zeroes"
    else
        t_fail "identity/ns/cns0-inactive-nsid$nsid-zeroes" "status $ST, $(size_of "$T_OUT") bytes, first: $(hexbytes "$T_OUT" 0 16)"
    fi
done
for nsid in 0 33 0xfffffffe; do
    adm_st "identity/ns/cns0-nsid-$nsid-invalid-ns" 0x400b \
        --opcode=0x06 --namespace-id=$nsid --cdw10=0 --data-len=4096 -r -b
done
# NSID FFFFFFFFh with Namespace Management: the common LBA format, 512 B
adm --opcode=0x06 --namespace-id=0xffffffff --cdw10=0 --data-len=4096 -r -b
t_eq identity/ns/cns0-nsid-all-status 0x0 "$ST"
t_eq identity/ns/cns0-nsid-all-nlbaf-lbaf0 "0 9" "$(u8 "$T_OUT" 25) $(u8 "$T_OUT" 130)"

# CNS 2: active namespace list (NSIDs greater than CDW1.NSID)
adm --opcode=0x06 --namespace-id=0 --cdw10=2 --data-len=4096 -r -b
t_eq identity/cns2/status 0x0 "$ST"
t_eq identity/cns2/list "1 0" "$(u32 "$T_OUT" 0) $(u32 "$T_OUT" 4)"
tail -c +5 "$T_OUT" >"$T_TMP/cns2.rest"
t_check identity/cns2/rest-zero is_zero "$T_TMP/cns2.rest"
adm --opcode=0x06 --namespace-id=1 --cdw10=2 --data-len=4096 -r -b
if [ "$ST" = 0x0 ] && is_zero "$T_OUT"; then
    t_pass identity/cns2/after-nsid1-empty
else
    t_fail identity/cns2/after-nsid1-empty "status $ST, first entry $(u32 "$T_OUT" 0)"
fi
for nsid in 0xfffffffe 0xffffffff; do
    adm_st "identity/cns2/nsid-$nsid-invalid-ns" 0x400b \
        --opcode=0x06 --namespace-id=$nsid --cdw10=2 --data-len=4096 -r -b
done

# CNS 3: namespace identification descriptors
adm --opcode=0x06 --namespace-id=1 --cdw10=3 --data-len=4096 -r -b
t_eq identity/cns3/status 0x0 "$ST"
cp "$T_OUT" "$T_TMP/descs.bin"
D=$T_TMP/descs.bin
t_eq identity/cns3/eui64-header 01080000 "$(hexbytes "$D" 0 4)"
t_eq identity/cns3/eui64 "$EUI64" "$(hexbytes "$D" 4 8)"
t_eq identity/cns3/nguid-header 02100000 "$(hexbytes "$D" 12 4)"
t_eq identity/cns3/nguid "$NGUID" "$(hexbytes "$D" 16 16)"
t_eq identity/cns3/uuid-header 03100000 "$(hexbytes "$D" 32 4)"
UUID=$(hexbytes "$D" 36 16)
t_check identity/cns3/uuid-set sh -c "echo '$UUID' | grep -q '[1-9a-f]'"
t_eq identity/cns3/csi 0401000000 "$(hexbytes "$D" 52 5)"
tail -c +57 "$D" >"$T_TMP/descs.rest"
t_check identity/cns3/rest-zero is_zero "$T_TMP/descs.rest"
if nvme ns-descs "$NS" -o json >"$T_TMP/descs.json" 2>&1; then
    t_eq identity/ns-descs/eui64 "$EUI64" "$(jget "$T_TMP/descs.json" eui64)"
    t_eq identity/ns-descs/nguid "$NGUID" "$(jget "$T_TMP/descs.json" nguid)"
    t_eq identity/ns-descs/csi 0 "$(jget "$T_TMP/descs.json" csi)"
else
    t_fail identity/ns-descs/run "$(head -c 200 "$T_TMP/descs.json")"
fi
for nsid in 0 2 16 17 0xffffffff; do
    adm_st "identity/cns3/nsid-$nsid-invalid-ns" 0x400b \
        --opcode=0x06 --namespace-id=$nsid --cdw10=3 --data-len=4096 -r -b
done

# CNS 5 / 6: I/O command set specific, CSI in CDW11 bits 31:24
adm --opcode=0x06 --namespace-id=1 --cdw10=5 --cdw11=0 --data-len=4096 -r -b
if [ "$ST" = 0x0 ] && is_zero "$T_OUT"; then t_pass identity/cns5/csi0-zeroes; else
    t_fail identity/cns5/csi0-zeroes "status $ST"; fi
adm --opcode=0x06 --namespace-id=0 --cdw10=6 --cdw11=0 --data-len=4096 -r -b
if [ "$ST" = 0x0 ] && is_zero "$T_OUT"; then t_pass identity/cns6/csi0-zeroes; else
    t_fail identity/cns6/csi0-zeroes "status $ST"; fi
# KV (1) and ZNS (2) are offered, but namespace 1 is neither; the ZNS
# controller structure has ZASL 0 (= MDTS), the KV one version 1.0; CSI 3
# does not exist
for csi in 1 2 3; do
    adm_st "identity/cns5/csi$csi-invalid-field" 0x4002 \
        --opcode=0x06 --namespace-id=1 --cdw10=5 --cdw11=$((csi << 24)) --data-len=4096 -r -b
done
adm_st identity/cns6/csi3-invalid-field 0x4002 \
    --opcode=0x06 --namespace-id=0 --cdw10=6 --cdw11=$((3 << 24)) --data-len=4096 -r -b
adm --opcode=0x06 --namespace-id=0 --cdw10=6 --cdw11=$((1 << 24)) --data-len=4096 -r -b
t_eq identity/cns6/csi1-kv-version "0x0 65536" "$ST $(u32 "$T_OUT" 0)"
adm --opcode=0x06 --namespace-id=0 --cdw10=6 --cdw11=$((2 << 24)) --data-len=4096 -r -b
if [ "$ST" = 0x0 ] && is_zero "$T_OUT"; then t_pass identity/cns6/csi2-zasl-0; else
    t_fail identity/cns6/csi2-zasl-0 "status $ST, first bytes $(hexbytes "$T_OUT" 0 4)"; fi

# CNS 8: I/O command set independent identify namespace, NSTAT at byte 14
adm --opcode=0x06 --namespace-id=1 --cdw10=8 --data-len=4096 -r -b
t_eq identity/cns8/status 0x0 "$ST"
t_eq identity/cns8/nstat 1 "$(u8 "$T_OUT" 14)"

# CNS 10h-13h (Namespace Management, nsmgmt.c): allocated NSIDs, an
# allocated namespace, the controllers attached to it, the subsystem's
adm --opcode=0x06 --namespace-id=0 --cdw10=0x10 --data-len=4096 -r -b
t_eq identity/cns10/list "0x0 1 0" "$ST $(u32 "$T_OUT" 0) $(u32 "$T_OUT" 4)"
adm --opcode=0x06 --namespace-id=1 --cdw10=0x11 --data-len=4096 -r -b
t_eq identity/cns11/nsze "0x0 $NR_LBAS" "$ST $(u64 "$T_OUT" 0)"
adm --opcode=0x06 --namespace-id=1 --cdw10=0x12 --data-len=4096 -r -b
t_eq identity/cns12/list "0x0 1 1" "$ST $(u16 "$T_OUT" 0) $(u16 "$T_OUT" 2)"
adm --opcode=0x06 --namespace-id=0 --cdw10=0x13 --data-len=4096 -r -b
t_eq identity/cns13/list "0x0 1 1" "$ST $(u16 "$T_OUT" 0) $(u16 "$T_OUT" 2)"
adm_st identity/cns11/nsid-0-invalid-ns 0x400b \
    --opcode=0x06 --namespace-id=0 --cdw10=0x11 --data-len=4096 -r -b

# Any other CNS: Invalid Field
for cns in 0x04 0x09 0x14 0x15 0x1f 0x20 0xff; do
    adm_st "identity/cns-$cns-invalid-field" 0x4002 \
        --opcode=0x06 --namespace-id=1 --cdw10=$cns --data-len=4096 -r -b
done

# ---------------------------------------------------------------- logs: static pages

# Get Log Page through passthru: <lid> <bytes> [lpo] [nsid]
getlog() {
    local lid=$1 len=$2 lpo=${3:-0} nsid=${4:-0xffffffff}
    adm --opcode=0x02 --namespace-id="$nsid" \
        --cdw10=$((lid | (((len / 4 - 1) & 0xffff) << 16))) \
        --cdw11=$(((len / 4 - 1) >> 16)) \
        --cdw12=$((lpo & 0xffffffff)) --cdw13=$((lpo >> 32)) \
        --data-len="$len" -r -b
}

getlog 2 512
t_eq identity/smart/status 0x0 "$ST"
cp "$T_OUT" "$T_TMP/smart.bin"
S=$T_TMP/smart.bin
t_eq identity/smart/critical-warning 0 "$(u8 "$S" 0)"
t_eq identity/smart/temperature 313 "$(u16 "$S" 1)"
t_eq identity/smart/avail-spare 100 "$(u8 "$S" 3)"
t_eq identity/smart/spare-thresh 10 "$(u8 "$S" 4)"
t_eq identity/smart/percent-used 0 "$(u8 "$S" 5)"
# reset_smart=1 at load: counting starts over with this load
PC_FIRST=$(u64 "$S" 112)
t_eq identity/smart/power-cycles-fresh 1 "$PC_FIRST"
t_eq identity/smart/power-on-hours 0 "$(u64 "$S" 128)"
t_eq identity/smart/unsafe-shutdowns-fresh 0 "$(u64 "$S" 144)"
t_eq identity/smart/media-errors 0 "$(u64 "$S" 160)"
t_eq identity/smart/data-units-written-fresh 0 "$(u64 "$S" 48)"
t_eq identity/smart/host-writes-fresh 0 "$(u64 "$S" 80)"
getlog 2 512 0 0
t_eq identity/smart/nsid0 0x0 "$ST"
for nsid in 1 2 0xfffffffe; do
    getlog 2 512 0 $nsid
    t_eq "identity/smart/nsid-$nsid-invalid-field" 0x4002 "$ST"
done

# Log page offset: dword aligned and inside the page
getlog 2 16 4
t_eq identity/log/lpo4-status 0x0 "$ST"
t_eq identity/log/lpo4-data "$(hexbytes "$S" 4 16)" "$(hexbytes "$T_OUT" 0 16)"
getlog 2 4 508
t_eq identity/log/lpo508-last-dword 0x0 "$ST"
for lpo in 1 2 3 510; do
    getlog 2 16 $lpo
    t_eq "identity/log/lpo$lpo-unaligned-invalid-field" 0x4002 "$ST"
done
for lpo in 512 4096 0x100000000; do
    getlog 2 16 $lpo
    t_eq "identity/log/lpo$lpo-beyond-invalid-field" 0x4002 "$ST"
done
run nvme get-log "$CTRL" --log-id=2 --log-len=512 --lpo=2
t_eq identity/log/get-log-cli-lpo2 0x4002 "$ST"
# the other pages: sizes 1024 (error), 512 (firmware), 4096 (effects)
for l in 1:1024 3:512 5:4096; do
    getlog ${l%:*} 4 $((${l#*:} - 4))
    t_eq "identity/log/lid${l%:*}-last-dword" 0x0 "$ST"
    getlog ${l%:*} 4 ${l#*:}
    t_eq "identity/log/lid${l%:*}-lpo-size-invalid-field" 0x4002 "$ST"
    getlog ${l%:*} 4 6
    t_eq "identity/log/lid${l%:*}-lpo6-invalid-field" 0x4002 "$ST"
done

# Firmware slot log
getlog 3 512
t_eq identity/fwlog/status 0x0 "$ST"
t_eq identity/fwlog/afi 1 "$(u8 "$T_OUT" 0)"
t_eq identity/fwlog/frs1 "0.1     " "$(dd if="$T_OUT" bs=1 skip=8 count=8 2>/dev/null)"
dd if="$T_OUT" of="$T_TMP/fw.rest" bs=16 skip=1 2>/dev/null
t_check identity/fwlog/frs2-7-zero is_zero "$T_TMP/fw.rest"
run nvme fw-log "$CTRL"
t_check identity/fwlog/cli grep -q '^frs1 *: 0x2020202020312e30 (0.1' "$T_OUT"

# Commands supported and effects log: admin 0,1,2,4,5,6,8,9,a,c,19,1a, and
# d,15 with NCC and NIC; I/O 0,2,5,c,d,e,11,12,15,1d plus 1,4,8,9 with LBCC
getlog 5 4096
t_eq identity/effects/status 0x0 "$ST"
od -An -v -tu4 "$T_OUT" | awk '
    function acs(o) { return (o <= 2 || o == 4 || o == 5 || o == 6 || o == 8 ||
                              o == 9 || o == 10 || o == 12 || o == 25 ||
                              o == 26) ? 1 : (o == 13 || o == 21) ? 13 : 0 }
    function iocs(o) { return (o == 0 || o == 2 || o == 5 || o == 12 ||
                               o == 13 || o == 14 || o == 17 || o == 21 ||
                               o == 18 || o == 29) ? 1 :
                              (o == 1 || o == 4 || o == 8 || o == 9) ? 3 : 0 }
    { for (i = 1; i <= NF; i++) {
        if (n < 256) { w = acs(n); what = "acs[" n "]" }
        else if (n < 512) { w = iocs(n - 256); what = "iocs[" n - 256 "]" }
        else { w = 0; what = "dword" n }
        if ($i != w) bad = bad " " what "=" $i
        n++ } }
    END { printf "%d dwords ok%s\n", n, bad }' >"$T_TMP/effects.txt"
t_eq identity/effects/entries "1024 dwords ok" "$(cat "$T_TMP/effects.txt")"

# Changed Namespace List (04h): 1024 NSIDs; nothing changed since the
# driver read it at start-up
getlog 0x04 4096
t_eq identity/log/changed-ns-status 0x0 "$ST"
t_check identity/log/changed-ns-empty is_zero "$T_OUT"

# OCP SMART extended (C0h): physical media units; without an FTL the media
# sees what the host wrote, so after the writes above it is non-zero, and
# nvme-cli's OCP plugin recognises the page by its GUID
/usr/bin/dd if=/dev/urandom of="$NS" bs=4K count=16 oflag=direct 2>/dev/null
getlog 0xc0 512
t_eq identity/log/ocp-c0-status 0x0 "$ST"
t_eq identity/log/ocp-c0-guid c5af1028eabff2a49c4f6f7cc914d5af "$(hexbytes "$T_OUT" 496 16)"
t_eq identity/log/ocp-c0-version 3 "$(u16 "$T_OUT" 494)"
PMUW=$(u64 "$T_OUT" 0)
t_check identity/log/ocp-c0-pmuw-nonzero test "${PMUW:-0}" -ge 65536
nvme_run nvme ocp smart-add-log "$CTRL"
t_check identity/log/ocp-cli-pmuw grep -Eq "Physical media units written.* 0 $PMUW\$" "$T_OUT"
t_log "ocp smart-add-log: $(grep -i 'physical media' "$T_OUT" | tr -s ' \t' ' ')"

# Unsupported log identifiers
for lid in 0x00 0x06 0x07 0x08 0x0d 0x70 0x80 0x81 0xff; do
    getlog $lid 512
    t_eq "identity/log/lid-$lid-invalid-log-page" 0x4109 "$ST"
done

# ---------------------------------------------------------------- SMART counters

# Every I/O so far went through the block layer, so the device must have
# counted exactly what /sys/block/<ns>/stat says.
blkstat() { awk -v f="$1" '{ print $f }' "/sys/block/$NSNAME/stat"; }
smart_json
RD_SECT=$(blkstat 3)
WR_SECT=$(blkstat 7)
t_eq identity/smart/data-units-read-initial "$(ceil1000 "$RD_SECT")" "$(smart data_units_read)"
t_eq identity/smart/host-read-commands-initial "$(blkstat 1)" "$(smart host_read_commands)"
t_eq identity/smart/data-units-written-initial "$(ceil1000 "$WR_SECT")" "$(smart data_units_written)"
HRC=$(smart host_read_commands)
HWC=$(smart host_write_commands)

# 1 MiB as 8 x 128 KiB O_DIRECT writes at 16 MiB, then read back the same
dd if=/dev/urandom of="$T_TMP/w1m" bs=128k count=8 2>/dev/null
t_check identity/smart/workload-write \
    dd if="$T_TMP/w1m" of="$NS" bs=128k count=8 seek=128 oflag=direct
smart_json
t_eq identity/smart/host-write-commands+8 $((HWC + 8)) "$(smart host_write_commands)"
t_eq identity/smart/data-units-written-1MiB "$(ceil1000 $((WR_SECT + 2048)))" "$(smart data_units_written)"
t_eq identity/smart/host-read-commands-unchanged-by-write "$HRC" "$(smart host_read_commands)"
t_check identity/smart/workload-read \
    dd if="$NS" of="$T_TMP/r1m" bs=128k count=8 skip=128 iflag=direct
smart_json
t_eq identity/smart/host-read-commands+8 $((HRC + 8)) "$(smart host_read_commands)"
t_eq identity/smart/data-units-read-1MiB "$(ceil1000 $((RD_SECT + 2048)))" "$(smart data_units_read)"
t_eq identity/smart/workload-data-matches "$(sha256sum <"$T_TMP/w1m")" "$(sha256sum <"$T_TMP/r1m")"
RD_UNITS=$((RD_SECT + 2048))
HRC=$((HRC + 8))
HWC=$((HWC + 8))

# A second megabyte: 4096 units -> 5
t_check identity/smart/workload-write2 \
    dd if="$T_TMP/w1m" of="$NS" bs=128k count=8 seek=136 oflag=direct
HWC=$((HWC + 8))
smart_json
t_eq identity/smart/data-units-written-2MiB "$(ceil1000 $((WR_SECT + 4096)))" "$(smart data_units_written)"

# Compare (matching, 8 blocks): a read command that reads 8 units
head -c 4096 "$T_TMP/w1m" >"$T_TMP/w4k"
run nvme compare "$NS" --start-block=32768 --block-count=7 --data-size=4096 --data="$T_TMP/w4k"
t_eq identity/smart/compare-ok 0x0 "$ST"
smart_json
HRC=$((HRC + 1))
RD_UNITS=$((RD_UNITS + 8))
t_eq identity/smart/compare-host-read-commands+1 "$HRC" "$(smart host_read_commands)"
t_eq identity/smart/compare-data-units-read "$(ceil1000 $RD_UNITS)" "$(smart data_units_read)"
# Verify: a host read command
run nvme verify "$NS" --start-block=32768 --block-count=7
t_eq identity/smart/verify-ok 0x0 "$ST"
smart_json
HRC=$((HRC + 1))
t_eq identity/smart/verify-host-read-commands+1 "$HRC" "$(smart host_read_commands)"
DUW=$(smart data_units_written)
# Write Zeroes: a host write command, writes no data units
run nvme write-zeroes "$NS" --start-block=40000 --block-count=7
t_eq identity/smart/write-zeroes-ok 0x0 "$ST"
smart_json
HWC=$((HWC + 1))
t_eq identity/smart/write-zeroes-host-write-commands+1 "$HWC" "$(smart host_write_commands)"
t_eq identity/smart/write-zeroes-data-units-written-same "$DUW" "$(smart data_units_written)"
# DSM and Flush: neither
run nvme dsm "$NS" --ad --slbs=40000 --blocks=8
t_eq identity/smart/dsm-ok 0x0 "$ST"
run nvme flush "$NS"
t_eq identity/smart/flush-ok 0x0 "$ST"
smart_json
t_eq identity/smart/dsm-flush-counters-same "$HRC $HWC $DUW" \
    "$(smart host_read_commands) $(smart host_write_commands) $(smart data_units_written)"

# Temperature threshold below the current temperature: critical warning bit 1
setf 0x04 300
t_eq identity/smart/temp-over-300 0x0 "$ST"
getlog 2 512
t_eq identity/smart/critical-warning-temperature 2 "$(u8 "$T_OUT" 0)"
setf 0x04 343
getlog 2 512
t_eq identity/smart/critical-warning-cleared 0 "$(u8 "$T_OUT" 0)"

# ---------------------------------------------------------------- error log

smart_json
ERRS=$(smart num_err_log_entries)
run nvme error-log "$CTRL" -e 1 -o json
t_eq identity/errlog/newest-count-matches-smart "$ERRS" "$(jget "$T_OUT" error_count)"

if trace_start; then
    t_pass identity/errlog/tracefs
else
    t_fail identity/errlog/tracefs "cannot enable the nvme:nvme_setup_cmd trace event"
fi

# An admin command that fails: Invalid Opcode, logged with SQ 0 and its CID
adm --opcode=0xc1 --namespace-id=0 --cdw10=0x1234
t_eq identity/errlog/admin-bad-opcode 0x4001 "$ST"
# shellcheck disable=SC2046 # "<qid> <cmdid>"
set -- $(trace_find "cmd=(0xc1 ")
ADM_CID=${2:-?}
ERRS=$((ERRS + 1))
run nvme error-log "$CTRL" -e 1 -o json
E=$T_OUT
t_eq identity/errlog/admin-error-count "$ERRS" "$(jget "$E" error_count)"
t_eq identity/errlog/admin-sqid 0 "$(jget "$E" sqid)"
t_eq identity/errlog/admin-cmdid "$ADM_CID" "$(jget "$E" cmdid)"
t_eq identity/errlog/admin-status $((0x4001)) "$(jget "$E" status_field)"

# An I/O command that fails: LBA Out of Range, logged with its SQ, CID, NSID, LBA
run nvme io-passthru "$NS" --opcode=0x02 --namespace-id=1 --cdw10="$NR_LBAS" --cdw11=0 \
    --cdw12=0 --data-len=512 -r -b
t_eq identity/errlog/io-lba-range 0x4080 "$ST"
# shellcheck disable=SC2046
set -- $(trace_find "nvme_cmd_read slba=$NR_LBAS,")
IO_QID=${1:-?}
IO_CID=${2:-?}
ERRS=$((ERRS + 1))
run nvme error-log "$CTRL" -e 1 -o json
E=$T_OUT
t_eq identity/errlog/io-error-count "$ERRS" "$(jget "$E" error_count)"
t_eq identity/errlog/io-sqid "$IO_QID" "$(jget "$E" sqid)"
t_eq identity/errlog/io-cmdid "$IO_CID" "$(jget "$E" cmdid)"
t_eq identity/errlog/io-status $((0x4080)) "$(jget "$E" status_field)"
t_eq identity/errlog/io-nsid 1 "$(jget "$E" nsid)"
t_eq identity/errlog/io-lba "$NR_LBAS" "$(jget "$E" lba)"
trace_stop

# Every failed command is logged: 18 more (admin and I/O, various statuses)
i=0
while [ $i -lt 6 ]; do
    adm --opcode=0xc2
    adm --opcode=0x06 --cdw10=0x99 --data-len=4096 -r -b
    run nvme io-passthru "$NS" --opcode=0x7f --namespace-id=1
    i=$((i + 1))
done
ERRS=$((ERRS + 18))
smart_json
t_eq identity/errlog/smart-num-entries+20 "$ERRS" "$(smart num_err_log_entries)"
getlog 1 1024
t_eq identity/errlog/raw-status 0x0 "$ST"
L=$T_TMP/errlog.bin
cp "$T_OUT" "$L"
got=""
want=""
i=0
while [ $i -lt 16 ]; do
    got="$got $(u64 "$L" $((i * 64)))"
    want="$want $((ERRS - i))"
    i=$((i + 1))
done
t_eq identity/errlog/16-entries-newest-first "$want" "$got"
# newest three: I/O invalid opcode, identify invalid field, admin invalid opcode;
# the status field is the completion status << 1 (phase 0)
t_eq identity/errlog/raw-status-fields "$((0x4001 << 1)) $((0x4002 << 1)) $((0x4001 << 1))" \
    "$(u16 "$L" 12) $(u16 "$L" 76) $(u16 "$L" 140)"
t_eq identity/errlog/raw-sqids "0 0" "$(u16 "$L" 72) $(u16 "$L" 136)"

# ---------------------------------------------------------------- features

# Number of Queues: the controller grants all 128 pairs (0's based 127)
# whatever the driver asked; the driver uses fewer (queue_count - 1)
QC=$(cat "/sys/class/nvme/$CNAME/queue_count")
t_check identity/feat/07-driver-uses-fewer test "$QC" -ge 2 -a "$QC" -le 129
getf 0x07
t_eq identity/feat/07-num-queues-granted 0x007f007f "$RES"
setf 0x07 0x00010001
setf_eq identity/feat/07-set-after-queues-cmd-seq-error 0x07 0x400c
run nvme get-feature "$CTRL" --feature-id=7
t_eq identity/feat/07-cli 0x007f007f "$(feat_value)"

# Arbitration: stored
run nvme set-feature "$CTRL" --feature-id=1 --value=0x04030201
t_eq identity/feat/01-set 0x0 "$ST"
run nvme get-feature "$CTRL" --feature-id=1
t_eq identity/feat/01-stored 0x04030201 "$(feat_value)"
setf 0x01 0
# Power management: power state 0 only
setf 0x02 0
t_eq identity/feat/02-ps0 0x0 "$ST"
setf 0x02 1
t_eq identity/feat/02-ps1-invalid-field 0x4002 "$ST"
getf 0x02
t_eq identity/feat/02-get "0x0 0x00000000" "$ST $RES"
# Temperature threshold: composite only, over/under stored, default over 343
getf 0x04 0
t_eq identity/feat/04-default-over "$(hex32 343)" "$RES"
run nvme set-feature "$CTRL" --feature-id=4 --value=350
t_eq identity/feat/04-set-over 0x0 "$ST"
getf 0x04 0
t_eq identity/feat/04-over-stored "$(hex32 350)" "$RES"
setf 0x04 $(((1 << 20) | 250))
t_eq identity/feat/04-set-under 0x0 "$ST"
getf 0x04 $((1 << 20))
t_eq identity/feat/04-under-stored "$(hex32 250)" "$RES"
getf 0x04 0
t_eq identity/feat/04-over-unchanged "$(hex32 350)" "$RES"
setf 0x04 $(((1 << 16) | 350))
t_eq identity/feat/04-set-tmpsel1-invalid-field 0x4002 "$ST"
getf 0x04 $((1 << 16))
t_eq identity/feat/04-get-tmpsel1-invalid-field 0x4002 "$ST"
setf 0x04 $(((2 << 20) | 350))
t_eq identity/feat/04-set-thsel2-invalid-field 0x4002 "$ST"
setf 0x04 $((1 << 20))
setf 0x04 343
# Error recovery: TLER stored, DULBE rejected
setf 0x05 10
t_eq identity/feat/05-set-tler 0x0 "$ST"
getf 0x05
t_eq identity/feat/05-tler-stored "$(hex32 10)" "$RES"
setf 0x05 $((1 << 16))
t_eq identity/feat/05-dulbe-invalid-field 0x4002 "$ST"
getf 0x05
t_eq identity/feat/05-unchanged-after-reject "$(hex32 10)" "$RES"
setf 0x05 0
# Volatile write cache: none
getf 0x06
t_eq identity/feat/06-get-invalid-field 0x4002 "$ST"
setf 0x06 0
t_eq identity/feat/06-set-invalid-field 0x4002 "$ST"
run nvme get-feature "$CTRL" --feature-id=6
t_eq identity/feat/06-cli-invalid-field 0x4002 "$ST"
# Interrupt coalescing: stored
setf 0x08 0x0a05
getf 0x08
t_eq identity/feat/08-stored 0x00000a05 "$RES"
setf 0x08 0
# Interrupt vector configuration: vectors 0..128
setf 0x09 $(((1 << 16) | 1))
t_eq identity/feat/09-set-cd-vector1 0x0 "$ST"
getf 0x09 1
t_eq identity/feat/09-vector1-stored 0x00010001 "$RES"
setf 0x09 1
getf 0x09 1
t_eq identity/feat/09-vector1-cleared 0x00000001 "$RES"
getf 0x09 128
t_eq identity/feat/09-vector128 "0x0 0x00000080" "$ST $RES"
getf 0x09 129
t_eq identity/feat/09-get-vector129-invalid-field 0x4002 "$ST"
setf 0x09 129
t_eq identity/feat/09-set-vector129-invalid-field 0x4002 "$ST"
setf 0x09 0xffff
t_eq identity/feat/09-set-vector65535-invalid-field 0x4002 "$ST"
# Write atomicity normal: stored
setf 0x0a 1
getf 0x0a
t_eq identity/feat/0a-stored 0x00000001 "$RES"
setf 0x0a 0
getf 0x0a
t_eq identity/feat/0a-cleared 0x00000000 "$RES"
# Asynchronous event configuration: SMART warnings (bits 7:0), namespace
# attribute notices (bit 8) and ANA change notices (bit 11)
getf 0x0b
AEC=$RES
setf 0x0b 0x1f
t_eq identity/feat/0b-set 0x0 "$ST"
getf 0x0b
t_eq identity/feat/0b-stored 0x0000001f "$RES"
setf 0x0b 0x100
t_eq identity/feat/0b-set-ns-attr 0x0 "$ST"
setf 0x0b 0x800
t_eq identity/feat/0b-set-ana 0x0 "$ST"
for v in 0x200 0x400 0x80000000; do
    setf 0x0b $v
    t_eq "identity/feat/0b-set-$v-invalid-field" 0x4002 "$ST"
done
setf 0x0b "${AEC:-0}"
# Save bit: nothing is saveable
for fid in 0x01 0x04 0x0b 0x0e; do
    setf $((fid | (1 << 31))) 0
    t_eq "identity/feat/$fid-save-not-saveable" 0x410d "$ST"
done
run nvme set-feature "$CTRL" --feature-id=1 --value=0 --save
t_eq identity/feat/cli-save-not-saveable 0x410d "$ST"
# Anything else
for fid in 0x00 0x03 0x0c 0x0d 0x0f 0x10 0x11 0x12 0x13 0x16 0x17 0x1d 0x7d 0x78 0x80 0x82 0x84 0xc0 0xff; do
    getf $fid
    t_eq "identity/feat/$fid-get-invalid-field" 0x4002 "$ST"
    setf $fid 0
    setf_eq "identity/feat/$fid-set-invalid-field" $fid 0x4002
done

# ---------------------------------------------------------------- timestamp

# <file> -> milliseconds (bytes 0..5), attributes (byte 6), byte 7
ts_ms() { echo $(($(u32 "$1" 0) + ($(u16 "$1" 4) << 32))); }
getf 0x0e
cp "$T_OUT" "$T_TMP/ts0"
NOW_MS=$(($(date +%s) * 1000))
t_eq identity/ts/get 0x0 "$ST"
D0=$(($(ts_ms "$T_TMP/ts0") - NOW_MS))
# the kernel driver sets the timestamp to the wall clock when it starts
if [ $D0 -gt -15000 ] && [ $D0 -lt 15000 ]; then
    t_pass identity/ts/set-by-driver-near-wall-clock
else
    t_fail identity/ts/set-by-driver-near-wall-clock "device $(ts_ms "$T_TMP/ts0") ms, wall clock $NOW_MS ms"
fi
t_eq identity/ts/attributes-origin-host 2 "$(u8 "$T_TMP/ts0" 6)"
TS=1700000000000
run nvme set-feature "$CTRL" --feature-id=0x0e --value=$TS
t_eq identity/ts/set 0x0 "$ST"
getf 0x0e
cp "$T_OUT" "$T_TMP/ts1"
D1=$(($(ts_ms "$T_TMP/ts1") - TS))
if [ $D1 -ge 0 ] && [ $D1 -lt 5000 ]; then
    t_pass identity/ts/get-after-set
else
    t_fail identity/ts/get-after-set "set $TS, got $(ts_ms "$T_TMP/ts1") (delta $D1 ms)"
fi
t_eq identity/ts/attributes-after-set 2 "$(u8 "$T_TMP/ts1" 6)"
t_eq identity/ts/reserved-byte7 0 "$(u8 "$T_TMP/ts1" 7)"
sleep 2
getf 0x0e
D2=$(($(ts_ms "$T_OUT") - $(ts_ms "$T_TMP/ts1")))
if [ $D2 -ge 1900 ] && [ $D2 -lt 8000 ]; then
    t_pass identity/ts/counts-milliseconds
else
    t_fail identity/ts/counts-milliseconds "advanced $D2 ms over a 2 s sleep"
fi
# put the wall clock back
run nvme set-feature "$CTRL" --feature-id=0x0e --value=$(($(date +%s) * 1000))

# ---------------------------------------------------------------- reload

smart_json
SM_HWC=$(smart host_write_commands)
SM_DUW=$(smart data_units_written)
SM_ERR=$(smart num_err_log_entries)
t_check identity/reload/rmmod nvmev_unload
t_check identity/reload/insmod nvmev_load || {
    t_dmesg_clean identity/dmesg-clean
    exit 0
}
CTRL=$NVMEV_CTRL
NS=$NVMEV_NS
smart_json
t_eq identity/reload/power-cycles $((PC_FIRST + 1)) "$(smart power_cycles)"
t_eq identity/reload/unsafe-shutdowns 0 "$(smart unsafe_shutdowns)"
t_eq identity/reload/host-write-commands-kept "$SM_HWC" "$(smart host_write_commands)"
t_eq identity/reload/data-units-written-kept "$SM_DUW" "$(smart data_units_written)"
t_eq identity/reload/err-log-entries-kept "$SM_ERR" "$(smart num_err_log_entries)"
dd if="$NS" of="$T_TMP/r1m" bs=128k count=8 skip=128 iflag=direct 2>/dev/null
t_eq identity/reload/data-kept "$(sha256sum <"$T_TMP/w1m")" "$(sha256sum <"$T_TMP/r1m")"
nvme id-ns "$NS" -o json >"$IDN" 2>&1
t_eq identity/reload/nguid-stable "$NGUID" "$(jget "$IDN" nguid)"
t_eq identity/reload/eui64-stable "$EUI64" "$(jget "$IDN" eui64)"
t_eq identity/reload/serial-stable "$SERIAL" "$(sed 's/ *$//' "/sys/class/nvme/${CTRL#/dev/}/serial")"

# wipe=1: the data is gone, the lifetime counters stay (as after a format)
t_check identity/wipe/rmmod nvmev_unload
t_check identity/wipe/insmod nvmev_load wipe=1 || {
    t_dmesg_clean identity/dmesg-clean
    exit 0
}
CTRL=$NVMEV_CTRL
NS=$NVMEV_NS
dd if="$NS" of="$T_TMP/r1m" bs=128k count=8 skip=128 iflag=direct 2>/dev/null
t_check identity/wipe/data-erased is_zero "$T_TMP/r1m"
smart_json
t_eq identity/wipe/power-cycles-kept $((PC_FIRST + 2)) "$(smart power_cycles)"
t_eq identity/wipe/host-write-commands-kept "$SM_HWC" "$(smart host_write_commands)"

# 4 KiB logical blocks
t_check identity/lba4k/rmmod nvmev_unload
t_check identity/lba4k/insmod nvmev_load wipe=1 lba_size=4096 || {
    t_dmesg_clean identity/dmesg-clean
    exit 0
}
CTRL=$NVMEV_CTRL
NS=$NVMEV_NS
nvme id-ns "$NS" -o json >"$IDN" 2>&1
t_eq identity/lba4k/ds 12 "$(jget "$IDN" ds)"
t_eq identity/lba4k/nsze $((STORAGE / 4096)) "$(jget "$IDN" nsze)"
t_eq identity/lba4k/ncap $((STORAGE / 4096)) "$(jget "$IDN" ncap)"
t_eq identity/lba4k/nuse $((STORAGE / 4096)) "$(jget "$IDN" nuse)"
t_eq identity/lba4k/block-size 4096 "$(cat "/sys/block/${NS#/dev/}/queue/logical_block_size")"
nvme id-ctrl "$CTRL" -o json >"$IDC" 2>&1
t_eq identity/lba4k/tnvmcap "$STORAGE" "$(jget "$IDC" tnvmcap)"

# ---------------------------------------------------------------- registers

# BAR0 is mapped only while the nvme driver does not own it (IO_STRICT_DEVMEM):
# unbind the driver, read CAP and VS through /dev/mem, then unload.
PCIDEV=$(readlink -f "/sys/class/nvme/${CTRL#/dev/}/device")
BAR0=$(awk 'NR == 1 { print $1 }' "$PCIDEV/resource")
if echo "${PCIDEV##*/}" >/sys/bus/pci/drivers/nvme/unbind; then
    t_pass identity/regs/unbind-driver
    CAP=$(devmem $((BAR0)) 64)
    VS=$(devmem $((BAR0 + 8)) 32)
    t_log "CAP $CAP VS $VS"
    t_eq identity/regs/cap-mqes 1023 $((CAP & 0xffff))
    t_eq identity/regs/cap-cqr 1 $(((CAP >> 16) & 1))
    t_eq identity/regs/cap-ams 0 $(((CAP >> 17) & 3))
    t_eq identity/regs/cap-to 20 $(((CAP >> 24) & 0xff))
    t_eq identity/regs/cap-dstrd 0 $(((CAP >> 32) & 0xf))
    t_eq identity/regs/cap-nssrs 0 $(((CAP >> 36) & 1))
    t_eq identity/regs/cap-css-nvm-and-iocs 0x41 "$(printf '0x%x' $(((CAP >> 37) & 0xff)))"
    t_eq identity/regs/cap-mpsmin 0 $(((CAP >> 48) & 0xf))
    t_eq identity/regs/cap-mpsmax 0 $(((CAP >> 52) & 0xf))
    t_eq identity/regs/vs 0x00010400 "$(hex32 "$VS")"
else
    t_fail identity/regs/unbind-driver "cannot unbind ${PCIDEV##*/} from nvme"
fi

t_check identity/rmmod nvmev_unload
trace_stop
rm -f "$T_TMP"/id.* "$T_TMP"/w1m "$T_TMP"/r1m "$T_TMP"/w4k "$T_TMP"/*.bin "$T_TMP"/*.json \
    "$T_TMP"/ts0 "$T_TMP"/ts1 "$T_TMP"/*.rest "$T_TMP"/effects.txt
t_dmesg_clean identity/dmesg-clean
exit 0
