#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2317,SC2015,SC2086 # helpers via t_check; t_pass never fails; word lists
# Zoned namespaces (type zns) in the guest:
#  - the I/O command set registers and structures: CAP.CSS, CC.CSS as the
#    host sets it, Identify CNS 05h/06h/07h/1Ch with CSI 02h, the effects
#    log per command set, Feature 19h, descriptor CSI;
#  - every zone state and transition through nvme-cli and blkzone, with the
#    exact status of each refusal: invalid write, boundary, full, read only,
#    offline, too many active / open, invalid transition; implicit close;
#    select-all; report filters and the partial bit; zone capacity below
#    the zone size; Zone Append and its size limit; reset reads back zeroes;
#  - a size that is not a multiple of the zone size;
#  - fio zonemode=zbd with crc32c verify (sequential and random-offset
#    writers, several jobs, at the device's open limit);
#  - f2fs over a conventional namespace plus the zoned one, and btrfs in
#    zoned mode: files, remount, checksums;
#  - a conventional (conv) namespace beside the zoned ones.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=zns
nv_configfs_mount

run() { nvme_run "$@"; }

# State and write pointer of the zone at <zslba>: "0x20 0x200" (nvme-cli's
# State field is the descriptor byte: state << 4)
zone() {  # <dev> <zslba>
    nvme zns report-zones "$1" -s "$2" -d 1 2>/dev/null |
        awk '/^SLBA:/ { print $8, $4; exit }'
}
zstate() { zone "$1" "$2" | cut -d' ' -f1; }
zwp() { zone "$1" "$2" | cut -d' ' -f2; }
t_zone() {  # <name> <dev> <zslba> <state byte> [<wp>]
    local got
    got=$(zone "$2" "$3")
    if [ -n "${5:-}" ]; then
        t_eq "$1" "$4 $5" "$got"
    else
        t_eq "$1" "$4" "${got% *}"
    fi
}
ZSE=0x10 ZSIO=0x20 ZSEO=0x30 ZSC=0x40 ZSRO=0xd0 ZSF=0xe0 ZSO=0xf0

# <name> <expected status> <nvme args...>
st() {
    local name=$1 want=$2
    shift 2
    run "$@"
    t_eq "$name" "$want" "$ST"
}

# Write <nlb> LBAs of random data at <slba> of <dev> (LBA size <bs>)
wr() {  # <dev> <bs> <slba> <nlb>
    head -c $(($2 * $4)) /dev/urandom >/tmp/z.wr
    run nvme write "$1" -s "$3" -c $(($4 - 1)) -z $(($2 * $4)) -d /tmp/z.wr
}
rd() {  # <dev> <bs> <slba> <nlb> <out file>
    rm -f "$5"
    run nvme read "$1" -s "$3" -c $(($4 - 1)) -z $(($2 * $4)) -d "$5"
}

# Report Zones with <zrasf> from <slba> into a buffer for <descs>
# descriptors: prints the header's Number of Zones, then the ZSLBAs of the
# descriptors returned (a ZSLBA of 0 past the first one ends the list)
zmr() {  # <dev> <slba> <zrasf> <descs> [partial]
    local d=$1 slba=$2 opt=$3 n=$4 pr=${5:-0} i=0 out
    nvme io-passthru "$d" --opcode=0x7a --namespace-id="$(cat /sys/block/${d#/dev/}/nsid 2>/dev/null || echo 1)" \
        --cdw10=$((slba & 0xffffffff)) --cdw11=$((slba >> 32)) --cdw12=$(((64 + n * 64) / 4 - 1)) \
        --cdw13=$((opt << 8 | pr << 16)) --data-len=$((64 + n * 64)) -r -b \
        >/tmp/z.zmr 2>/dev/null || { echo "error"; return; }
    out=$(u64 /tmp/z.zmr 0)
    while [ $i -lt "$n" ]; do
        [ "$(u8 /tmp/z.zmr $((64 + i * 64)))" = 0 ] && break  # zone type 0: no entry
        out="$out $(u64 /tmp/z.zmr $((64 + i * 64 + 16)))"
        i=$((i + 1))
    done
    echo "$out"
}
nr_zones() {  # <dev> <zrasf>: matching zones from LBA 0
    zmr "$1" 0 "$2" 1 | cut -d' ' -f1
}

rmmod nvme 2>/dev/null
modprobe nvme
insmod "$NVMEV_KO" memmap_start=4G memmap_size=2G nr_ctrls=0 cpus=2,3 ||
    { t_fail $P/insmod "insmod failed"; exit 0; }
t_pass $P/insmod
t_check $P/features-list-zns grep -q '^types nvm conv zns\( \|$\)' $NV/features

# ---- controller zc: a large zoned namespace for fio and file systems, a
# conventional one beside it, a small one with limits for the state
# machine, and one whose size is not a multiple of its zone size
mkdir $NV/zc
t_kmsg_mark
nv_mkns zc 1 1G zns && t_pass $P/ns1-enable || t_fail $P/ns1-enable "see dmesg"
nv_mkns zc 2 256M conv && t_pass $P/ns2-conv-enable || t_fail $P/ns2-conv-enable "see dmesg"
nv_mkns zc 3 64M zns lba_size=4096 zone_size=4M zone_cap=3M max_open=3 max_active=4 &&
    t_pass $P/ns3-enable || t_fail $P/ns3-enable "see dmesg"
nv_mkns zc 4 100M zns zone_size=8M && t_pass $P/ns4-enable || t_fail $P/ns4-enable "see dmesg"
nv_mkns zc 5 512M zns zone_size=8M && t_pass $P/ns5-enable || t_fail $P/ns5-enable "see dmesg"
# timing: one die per zone, an erase of 400 ms / a program of 300 ms
nv_mkns zc 6 16M zns zone_size=1M stripe_dies=1 erase_ns=400000000 &&
    t_pass $P/ns6-enable || t_fail $P/ns6-enable "see dmesg"
nv_mkns zc 7 16M zns zone_size=1M stripe_dies=1 prog_ns=300000000 &&
    t_pass $P/ns7-enable || t_fail $P/ns7-enable "see dmesg"
KMSG=$(t_kmsg_since)
t_check $P/tail-stated-in-dmesg sh -c "echo '$KMSG' | grep -q 'zc/4: 12 zones of 8 MiB; the last 4096 KiB are not a whole zone and stay unused'"
echo 1 >$NV/zc/enable
Z=$(nv_wait_dev zc 1) || t_fail $P/ns1-device "no block device"
C=$(nv_wait_dev zc 2) || t_fail $P/ns2-device "no block device"
S=$(nv_wait_dev zc 3) || t_fail $P/ns3-device "no block device"
T=$(nv_wait_dev zc 4) || t_fail $P/ns4-device "no block device"
F=$(nv_wait_dev zc 5) || t_fail $P/ns5-device "no block device"
E=$(nv_wait_dev zc 6) || t_fail $P/ns6-device "no block device"
G=$(nv_wait_dev zc 7) || t_fail $P/ns7-device "no block device"
CTRL=/dev/$(echo "${Z#/dev/}" | sed 's/n[0-9]*$//')
# Linux 6.1 leaves a zoned NVMe namespace without an I/O scheduler; writes
# queued deeper than one per zone need mq-deadline's zone write locking,
# as on any ZNS drive
for d in "$Z" "$S" "$T" "$F"; do
    echo mq-deadline >"/sys/block/${d#/dev/}/queue/scheduler"
done
modprobe crc32_generic
modprobe f2fs
modprobe btrfs
t_log "zoned $Z (1G), conventional $C, small zoned $S (4K LBAs), tail $T, f2fs zones $F; controller $CTRL"

# ---- registers and identify
# (CAP.CSS is checked in 10-identity; zoned block devices exist only when
# the host set CC.CSS to all I/O command sets)
t_eq $P/block-zoned host-managed "$(cat /sys/block/${Z#/dev/}/queue/zoned)"
t_eq $P/block-conv-not-zoned none "$(cat /sys/block/${C#/dev/}/queue/zoned)"
t_eq $P/block-nr-zones 16 "$(cat /sys/block/${Z#/dev/}/queue/nr_zones)"
t_eq $P/block-zone-sectors 131072 "$(cat /sys/block/${Z#/dev/}/queue/chunk_sectors)"
t_eq $P/block-max-open 14 "$(cat /sys/block/${Z#/dev/}/queue/max_open_zones)"
t_eq $P/block-max-active 14 "$(cat /sys/block/${Z#/dev/}/queue/max_active_zones)"
t_eq $P/block-small-max-open 3 "$(cat /sys/block/${S#/dev/}/queue/max_open_zones)"
t_eq $P/block-small-max-active 4 "$(cat /sys/block/${S#/dev/}/queue/max_active_zones)"
t_eq $P/block-append-max 524288 "$(cat /sys/block/${Z#/dev/}/queue/zone_append_max_bytes)"

adm() { run nvme admin-passthru "$CTRL" "$@"; }
# Identify CNS 05h CSI 02h of namespace 1: ZOC 0, OZCS 1 (read across
# zones), MAR 13, MOR 13, LBAFE0 ZSZE 0x20000 (64 MiB of 512 B)
adm --opcode=0x06 --namespace-id=1 --cdw10=5 --cdw11=$((2 << 24)) --data-len=4096 -r -b
cp "$T_OUT" /tmp/z.idns
t_eq $P/id-ns/status 0x0 "$ST"
t_eq $P/id-ns/zoc 0 "$(u16 /tmp/z.idns 0)"
t_eq $P/id-ns/ozcs-razb 1 "$(u16 /tmp/z.idns 2)"
t_eq $P/id-ns/mar 13 "$(u32 /tmp/z.idns 4)"
t_eq $P/id-ns/mor 13 "$(u32 /tmp/z.idns 8)"
t_eq $P/id-ns/rrl-frl 0 "$(u64 /tmp/z.idns 12)"
t_eq $P/id-ns/zsze $((64 << 11)) "$(u64 /tmp/z.idns 2816)"
t_eq $P/id-ns/zdes 0 "$(u8 /tmp/z.idns 2824)"
adm --opcode=0x06 --namespace-id=3 --cdw10=5 --cdw11=$((2 << 24)) --data-len=4096 -r -b
t_eq $P/id-ns3/mar-mor "3 2 1024" "$(u32 "$T_OUT" 4) $(u32 "$T_OUT" 8) $(u64 "$T_OUT" 2816)"
# the conventional namespace is not zoned; an unknown CSI is refused
adm --opcode=0x06 --namespace-id=2 --cdw10=5 --cdw11=$((2 << 24)) --data-len=4096 -r -b
t_eq $P/id-ns/conv-csi2-invalid-field 0x4002 "$ST"
adm --opcode=0x06 --namespace-id=1 --cdw10=5 --cdw11=$((3 << 24)) --data-len=4096 -r -b
t_eq $P/id-ns/csi3-invalid-field 0x4002 "$ST"
# the NVM structure (CSI 0) of a zoned namespace: zeroes, as for NVM
adm --opcode=0x06 --namespace-id=1 --cdw10=5 --cdw11=0 --data-len=4096 -r -b
if [ "$ST" = 0x0 ] && is_zero "$T_OUT"; then t_pass $P/id-ns/csi0-zeroes; else
    t_fail $P/id-ns/csi0-zeroes "status $ST"; fi
# NVM identify of the zoned namespace with a tail: NSZE = 12 zones
run nvme id-ns "$T" -o json
t_eq $P/tail-nsze $((12 * 8 << 11)) "$(sed -n 's/^ *"nsze" *: *\([0-9]*\).*/\1/p' "$T_OUT")"
t_eq $P/tail-block-size $((96 << 20)) "$(blockdev --getsize64 "$T")"
# CNS 06h CSI 02h: ZASL 0 (Zone Append up to MDTS)
run nvme zns id-ctrl "$CTRL"
t_eq $P/id-ctrl-zasl 0 "$(sed -n 's/^zasl *: *\([0-9]*\).*/\1/p' "$T_OUT")"
# CNS 03h: each namespace names its command set
for n in 1 2 3; do
    adm --opcode=0x06 --namespace-id=$n --cdw10=3 --data-len=4096 -r -b
    want=02
    [ $n = 2 ] && want=00
    t_eq $P/descs-csi-ns$n "04010000$want" "$(hexbytes "$T_OUT" 52 5)"
done
# CNS 07h: the active namespaces of one command set
adm --opcode=0x06 --namespace-id=0 --cdw10=7 --cdw11=$((2 << 24)) --data-len=4096 -r -b
t_eq $P/cns7-csi2-list "1 3 4 5 6 7 0" "$(i=0; while [ $i -lt 7 ]; do printf '%s ' "$(u32 "$T_OUT" $((i * 4)))"; i=$((i + 1)); done | sed 's/ $//')"
adm --opcode=0x06 --namespace-id=0 --cdw10=7 --cdw11=0 --data-len=4096 -r -b
t_eq $P/cns7-csi0-list "2 0" "$(u32 "$T_OUT" 0) $(u32 "$T_OUT" 4)"
adm --opcode=0x06 --namespace-id=3 --cdw10=7 --cdw11=$((2 << 24)) --data-len=4096 -r -b
t_eq $P/cns7-csi2-above-3 "4 5 6 7 0" "$(u32 "$T_OUT" 0) $(u32 "$T_OUT" 4) $(u32 "$T_OUT" 8) $(u32 "$T_OUT" 12) $(u32 "$T_OUT" 16)"
# CNS 1Ch: one combination, NVM (bit 0), KV (bit 1) and ZNS (bit 2)
CNTLID=$(cat /sys/class/nvme/${CTRL#/dev/}/cntlid)
adm --opcode=0x06 --namespace-id=0 --cdw10=$((0x1c | CNTLID << 16)) --data-len=4096 -r -b
t_eq $P/cns1c-vector0 "7 0" "$(u64 "$T_OUT" 0) $(u64 "$T_OUT" 8)"
adm --opcode=0x06 --namespace-id=0 --cdw10=$((0x1c | (CNTLID + 7) << 16)) --data-len=4096 -r -b
t_eq $P/cns1c-other-cntid 0x4002 "$ST"
# Feature 19h: index 0 only
adm --opcode=0x0a --cdw10=0x19 --data-len=0
t_eq $P/feat19-get "0x0 0" "$ST $((RES))"
adm --opcode=0x09 --cdw10=0x19 --cdw11=0
t_eq $P/feat19-set-0 0x0 "$ST"
adm --opcode=0x09 --cdw10=0x19 --cdw11=1
t_eq $P/feat19-set-1-rejected 0x412b "$ST"
# effects log: zone commands only with CSI 02h
effects() {  # <csi> -> file $T_OUT
    adm --opcode=0x02 --namespace-id=0 --cdw10=$((5 | 1023 << 16)) --cdw14=$(($1 << 24)) \
        --data-len=4096 -r -b
}
effects 2
t_eq $P/effects-csi2 "0x0 3 1 3 3 1" "$ST $(u32 "$T_OUT" $((1024 + 0x79 * 4))) $(u32 "$T_OUT" $((1024 + 0x7a * 4))) $(u32 "$T_OUT" $((1024 + 0x7d * 4))) $(u32 "$T_OUT" $((1024 + 0x01 * 4))) $(u32 "$T_OUT" $((1024 + 0x02 * 4)))"
effects 0
t_eq $P/effects-csi0 "0x0 0 0 0 3" "$ST $(u32 "$T_OUT" $((1024 + 0x79 * 4))) $(u32 "$T_OUT" $((1024 + 0x7a * 4))) $(u32 "$T_OUT" $((1024 + 0x7d * 4))) $(u32 "$T_OUT" $((1024 + 0x01 * 4)))"
effects 3
t_eq $P/effects-csi3-invalid-field 0x4002 "$ST"
# the Changed Zone List log is not offered (no controller-made zone
# changes are reported): OAES bit 27 clear, log BFh unknown
run nvme id-ctrl "$CTRL" -o json
t_eq $P/oaes-no-zone-changes 0 $(($(sed -n 's/^ *"oaes" *: *\([0-9]*\).*/\1/p' "$T_OUT") >> 27 & 1))
adm --opcode=0x02 --namespace-id=1 --cdw10=$((0xbf | 1023 << 16)) --cdw14=$((2 << 24)) --data-len=4096 -r -b
t_eq $P/changed-zone-log-invalid 0x4109 "$ST"

# ---- the state machine on the small namespace: LBAs of 4 KiB, 16 zones of
# 1024 LBAs with a capacity of 768, at most 3 open and 4 active
B=4096
z() { echo $(($1 * 1024)); }  # zone -> ZSLBA
t_eq $P/small-nr-zones 16 "$(nr_zones "$S" 0)"
t_check $P/small-report-cap sh -c "nvme zns report-zones $S -d 1 | grep -q 'Cap: 0x300 '"
t_zone $P/small-empty "$S" 0 $ZSE 0
wr "$S" $B 0 1
t_eq $P/write-at-wp "$ST" 0x0
t_zone $P/write-implicit-open "$S" 0 $ZSIO 0x1
wr "$S" $B 5 1
t_eq $P/write-not-at-wp-invalid 0x41bc "$ST"
wr "$S" $B 0 1
t_eq $P/write-below-wp-invalid 0x41bc "$ST"
st $P/open-z1 0x0 nvme zns open-zone "$S" -s "$(z 1)"
st $P/open-z2 0x0 nvme zns open-zone "$S" -s "$(z 2)"
t_zone $P/explicit-open "$S" "$(z 1)" $ZSEO "$(printf '0x%x' "$(z 1)")"
# a fourth open: the implicitly opened zone 0 is closed to make room
st $P/open-z3-implicit-close 0x0 nvme zns open-zone "$S" -s "$(z 3)"
t_zone $P/implicitly-closed "$S" 0 $ZSC 0x1
t_eq $P/counters-open-active "3 4" "$(nv_stat zc/3 zones_open) $(nv_stat zc/3 zones_active)"
# four zones active (0 closed, 1-3 open): an empty zone cannot start
st $P/open-too-many-active 0x41bd nvme zns open-zone "$S" -s "$(z 4)"
wr "$S" $B "$(z 4)" 1
t_eq $P/write-too-many-active 0x41bd "$ST"
t_zone $P/refused-stays-empty "$S" "$(z 4)" $ZSE
# three explicitly open and zone 0 closed: writing zone 0 needs an open
# resource and no implicitly opened zone can give one
wr "$S" $B 1 1
t_eq $P/write-too-many-open 0x41be "$ST"
st $P/close-z1 0x0 nvme zns close-zone "$S" -s "$(z 1)"
t_zone $P/closed "$S" "$(z 1)" $ZSC
wr "$S" $B 1 1
t_eq $P/write-closed-reopens "$ST" 0x0
t_zone $P/closed-to-implicit-open "$S" 0 $ZSIO 0x2
st $P/close-empty-invalid 0x41bf nvme zns close-zone "$S" -s "$(z 5)"
st $P/open-not-zslba-invalid-field 0x4002 nvme zns open-zone "$S" -s 7
st $P/open-beyond-lba-range 0x4080 nvme zns open-zone "$S" -s "$(z 16)"
st $P/finish-z2 0x0 nvme zns finish-zone "$S" -s "$(z 2)"
t_zone $P/finished-full "$S" "$(z 2)" $ZSF
wr "$S" $B "$(z 2)" 1
t_eq $P/write-full-zone 0x41b9 "$ST"
st $P/finish-full-noop 0x0 nvme zns finish-zone "$S" -s "$(z 2)"
st $P/open-full-invalid 0x41bf nvme zns open-zone "$S" -s "$(z 2)"
# fill zone 3 to one LBA below its capacity: two more cross the boundary
# (256 KiB a command: nvme-cli's unaligned buffers of 512 KiB sometimes
# need more segments than the host allows, and the ioctl fails)
i=0 fill_st=""
while [ $i -lt 11 ]; do
    wr "$S" $B $(($(z 3) + i * 64)) 64
    fill_st="$fill_st$ST "
    i=$((i + 1))
done
wr "$S" $B $(($(z 3) + 704)) 63
t_eq $P/fill-to-cap-minus-1 "0x0 0x0 0x0 0x0 0x0 0x0 0x0 0x0 0x0 0x0 0x0 0x0" "$fill_st$ST"
wr "$S" $B $(($(z 3) + 767)) 2
t_eq $P/write-across-capacity-boundary 0x41b8 "$ST"
wr "$S" $B $(($(z 3) + 767)) 1
t_zone $P/last-lba-makes-full "$S" "$(z 3)" $ZSF
# reads may cross zones and read the unwritten and beyond-capacity LBAs
rd "$S" $B $(($(z 3) + 1020)) 8 /tmp/z.rd
t_eq $P/read-across-zone-boundary 0x0 "$ST"
rd "$S" $B $(($(z 3) + 768)) 4 /tmp/z.rd
t_check $P/read-beyond-capacity-zeroes is_zero /tmp/z.rd
run nvme zns zone-mgmt-recv "$S" -s 0 -z 1 -l 4096
t_eq $P/extended-report-invalid-field 0x4002 "$ST"

# Zone Append: data lands at the write pointer, its LBA comes back
head -c 8192 /dev/urandom >/tmp/z.app
run nvme zns zone-append "$S" -s "$(z 5)" -z 8192 -d /tmp/z.app
t_eq $P/append-returns-zslba "$(printf '%x' "$(z 5)")" "$(sed -n 's/.*appended data to LBA \([0-9a-fA-F]*\).*/\1/p' "$T_OUT" "$T_ERR" | head -n 1)"
run nvme zns zone-append "$S" -s "$(z 5)" -z 8192 -d /tmp/z.app
t_eq $P/append-returns-wp "$(printf '%x' $(($(z 5) + 2)))" "$(sed -n 's/.*appended data to LBA \([0-9a-fA-F]*\).*/\1/p' "$T_OUT" "$T_ERR" | head -n 1)"
rd "$S" $B $(($(z 5) + 2)) 2 /tmp/z.rd
t_check $P/append-data-read-back cmp /tmp/z.app /tmp/z.rd
run nvme zns zone-append "$S" -s $(($(z 5) + 1)) -z 8192 -d /tmp/z.app
t_eq $P/append-not-zslba-invalid-field 0x4002 "$ST"
run nvme zns zone-append "$S" -s "$(z 2)" -z 8192 -d /tmp/z.app
t_eq $P/append-full-zone 0x41b9 "$ST"

# select all: close, open (closed zones only), finish, reset
st $P/close-all 0x0 nvme zns close-zone "$S" -a
t_eq $P/close-all-states "$ZSC $ZSC $ZSC" "$(zstate "$S" 0) $(zstate "$S" "$(z 1)") $(zstate "$S" "$(z 5)")"
t_eq $P/close-all-counters "0 3" "$(nv_stat zc/3 zones_open) $(nv_stat zc/3 zones_active)"
st $P/open-all-closed 0x0 nvme zns open-zone "$S" -a
t_eq $P/open-all-states "$ZSEO $ZSEO $ZSEO" "$(zstate "$S" 0) $(zstate "$S" "$(z 1)") $(zstate "$S" "$(z 5)")"
# report filters: by state, and the partial bit
t_eq $P/report-filter-full "2 $(z 2) $(z 3)" "$(zmr "$S" 0 5 4)"
t_eq $P/report-filter-exp-open "3 0 $(z 1) $(z 5)" "$(zmr "$S" 0 3 4)"
t_eq $P/report-filter-empty 11 "$(nr_zones "$S" 1)"
t_eq $P/report-filter-imp-open 0 "$(nr_zones "$S" 2)"
t_eq $P/report-filter-closed 0 "$(nr_zones "$S" 4)"
t_eq $P/report-from-zone-4 "12 $(z 4) $(z 5)" "$(zmr "$S" "$(z 4)" 0 2)"
t_eq $P/report-from-inside-zone "11 $(z 4)" "$(zmr "$S" $(($(z 4) + 17)) 1 1)"
t_eq $P/report-partial "2 $(z 4) $(z 6)" "$(zmr "$S" "$(z 4)" 1 2 1)"
t_eq $P/report-header-only "16" "$(zmr "$S" 0 0 0)"
t_eq $P/report-option-8-invalid error "$(zmr "$S" 0 8 1)"
st $P/finish-all 0x0 nvme zns finish-zone "$S" -a
t_eq $P/finish-all-full 5 "$(nr_zones "$S" 5)"
# read only and offline, as the controller reports worn media
echo 6 >$NV/zc/namespaces/3/fault_zone_readonly
t_zone $P/fault-read-only "$S" "$(z 6)" $ZSRO
wr "$S" $B "$(z 6)" 1
t_eq $P/write-read-only 0x41ba "$ST"
rd "$S" $B "$(z 6)" 1 /tmp/z.rd
t_eq $P/read-read-only-ok 0x0 "$ST"
st $P/reset-read-only-invalid 0x41bf nvme zns reset-zone "$S" -s "$(z 6)"
st $P/offline-read-only 0x0 nvme zns offline-zone "$S" -s "$(z 6)"
t_zone $P/offline "$S" "$(z 6)" $ZSO
rd "$S" $B "$(z 6)" 1 /tmp/z.rd
t_eq $P/read-offline 0x41bb "$ST"
wr "$S" $B "$(z 6)" 1
t_eq $P/write-offline 0x41bb "$ST"
st $P/offline-empty-invalid 0x41bf nvme zns offline-zone "$S" -s "$(z 7)"
echo 7 >$NV/zc/namespaces/3/fault_zone_offline
t_zone $P/fault-offline "$S" "$(z 7)" $ZSO
t_expect_fail $P/fault-offline-to-read-only sh -c "echo 7 >$NV/zc/namespaces/3/fault_zone_readonly"
t_expect_fail $P/fault-zone-out-of-range sh -c "echo 16 >$NV/zc/namespaces/3/fault_zone_offline"
echo 8 >$NV/zc/namespaces/3/fault_zone_readonly
st $P/offline-all-read-only 0x0 nvme zns offline-zone "$S" -a
t_zone $P/offline-all "$S" "$(z 8)" $ZSO
t_eq $P/report-filter-offline "3 $(z 6) $(z 7) $(z 8)" "$(zmr "$S" 0 7 4)"
t_eq $P/report-filter-read-only 0 "$(nr_zones "$S" 6)"
# reset: the zone is empty and reads back zeroes
rd "$S" $B "$(z 5)" 4 /tmp/z.before
st $P/reset-z5 0x0 nvme zns reset-zone "$S" -s "$(z 5)"
t_zone $P/reset-empty "$S" "$(z 5)" $ZSE "$(printf '0x%x' "$(z 5)")"
rd "$S" $B "$(z 5)" 4 /tmp/z.rd
t_check $P/reset-reads-zeroes is_zero /tmp/z.rd
t_check $P/reset-data-was-there sh -c "! is_zero /tmp/z.before"
st $P/reset-all 0x0 nvme zns reset-zone "$S" -a
t_eq $P/reset-all-empty 13 "$(nr_zones "$S" 1)"
rd "$S" $B "$(z 3)" 64 /tmp/z.rd
t_check $P/reset-all-reads-zeroes is_zero /tmp/z.rd
t_eq $P/reset-all-counters "0 0" "$(nv_stat zc/3 zones_open) $(nv_stat zc/3 zones_active)"
t_zone $P/reset-all-keeps-offline "$S" "$(z 6)" $ZSO

# ---- timing: reset erases what was written, finish programs the partial
# program unit (ftl/zns_timing.h); elapsed wall time of one nvme-cli call
ms_now() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }
timed() {  # <cmd...>: sets MS to the milliseconds it took
    local t0
    t0=$(ms_now)
    run "$@"
    MS=$(($(ms_now) - t0))
}
# (nvme-cli's own start-up, ~100-200 ms under TCG, is in both halves of
# each comparison, so the differences are asserted: at least 3/4 of the
# modelled time)
timed nvme zns reset-zone "$E" -s 2048
EMPTY=$MS
t_log "reset of an empty zone: $MS ms"
t_eq $P/timing-no-erase-counted 0 "$(nv_stat zc/6 erases)"
dd if=/dev/urandom of="$E" bs=64k count=16 oflag=direct 2>/dev/null
t_eq $P/timing-zone-written "$ZSF" "$(zstate "$E" 0)"
timed nvme zns reset-zone "$E" -s 0
t_log "reset of a written zone (one 400 ms erase): $MS ms"
t_check $P/timing-reset-erases test $((MS - EMPTY)) -ge 300
PLANES=$(cat $NV/zc/namespaces/6/planes_per_lun)
t_eq $P/timing-erases-counted "$PLANES" "$(nv_stat zc/6 erases)"
timed nvme zns finish-zone "$G" -s 2048
EMPTY=$MS
t_log "finish of an empty zone: $MS ms"
echo 1 | dd of="$G" bs=512 count=1 conv=sync oflag=direct 2>/dev/null
timed nvme zns finish-zone "$G" -s 0
t_log "finish of a zone with 512 B buffered (one 300 ms program): $MS ms"
t_check $P/timing-finish-programs test $((MS - EMPTY)) -ge 225

# ---- blkzone on the large namespace (512-byte sectors, 64 MiB zones)
blkz() { blkzone report -o "$1" -c 1 "$Z" | sed -n 's/.*wptr \(0x[0-9a-f]*\).*zcond: *\([0-9]*\).*/\2 \1/p'; }
t_eq $P/blkzone-report-count 16 "$(blkzone report "$Z" | grep -c 'zcond: 1(em)')"
t_check $P/blkzone-open blkzone open -o 0 -c 1 "$Z"
t_eq $P/blkzone-open-state "3 0x000000" "$(blkz 0)"
dd if=/dev/urandom of="$Z" bs=64k count=16 oflag=direct 2>/dev/null
t_eq $P/blkzone-after-1M "3 0x000800" "$(blkz 0)"
t_check $P/blkzone-close blkzone close -o 0 -c 1 "$Z"
t_eq $P/blkzone-closed "4 0x000800" "$(blkz 0)"
t_check $P/blkzone-finish blkzone finish -o 131072 -c 1 "$Z"
t_eq $P/blkzone-finished "14" "$(blkz 131072 | cut -d' ' -f1)"
t_check $P/blkzone-reset-all blkzone reset "$Z"
t_eq $P/blkzone-all-empty 16 "$(blkzone report "$Z" | grep -c 'zcond: 1(em)')"

# ---- Zone Append size limit: a controller with ZASL 1 (8 KiB)
mkdir $NV/za
echo 1 >$NV/za/zasl
nv_mkns za 1 16M zns zone_size=4M && echo 1 >$NV/za/enable
A=$(nv_wait_dev za 1) || t_fail $P/zasl-device "no block device"
t_eq $P/zasl-block-limit 8192 "$(cat /sys/block/${A#/dev/}/queue/zone_append_max_bytes)"
head -c 16384 /dev/urandom >/tmp/z.app
run nvme zns zone-append "$A" -s 0 -z 16384 -d /tmp/z.app
t_eq $P/append-above-zasl-invalid-field 0x4002 "$ST"
run nvme zns zone-append "$A" -s 0 -z 8192 -d /tmp/z.app
t_eq $P/append-at-zasl 0x0 "$ST"
nv_rmctrl za

# ---- fio with zonemode=zbd and verification
FIO="fio --filename=$Z --zonemode=zbd --direct=1 --ioengine=libaio --verify=crc32c --do_verify=1 --verify_fatal=1 --verify_dump=0"
t_check $P/fio-seq-4jobs-verify $FIO --name=seq --rw=write --bs=128k --iodepth=4 \
    --numjobs=4 --offset_increment=256M --size=256M --group_reporting
blkzone reset "$Z"
# random-offset writers at the device's open limit: two jobs of 8 zones
# each write at the write pointers of random zones, 14 zones open at most
t_check $P/fio-rand-open-limit-verify $FIO --name=rnd --rw=randwrite --bs=16k --iodepth=8 \
    --numjobs=2 --offset_increment=512M --size=512M --io_size=384M --max_open_zones=14 \
    --group_reporting
t_log "zone counters after fio: open $(nv_stat zc/1 zones_open), active $(nv_stat zc/1 zones_active), at most $(nv_stat zc/1 zones_open_max) and $(nv_stat zc/1 zones_active_max)"
# 16 zones written at random, 14 at a time: the workload ran at the limit
t_eq $P/fio-ran-at-open-limit "14 14" "$(nv_stat zc/1 zones_open_max) $(nv_stat zc/1 zones_active_max)"
blkzone reset "$Z"

# ---- f2fs: metadata on the conventional namespace, data in the zones (of
# 8 MiB: f2fs needs more sections than 16 zones of 64 MiB give)
if mkfs.f2fs -f -m -c "$F" "$C" >/tmp/z.mkfs 2>&1; then
    t_pass $P/f2fs-mkfs
    mkdir -p /mnt/f2 && mount -t f2fs "$C" /mnt/f2 && t_pass $P/f2fs-mount ||
        t_fail $P/f2fs-mount "$(dmesg | tail -n 3)"
    # more than the conventional namespace holds: data reaches the zones
    i=0
    while [ $i -lt 20 ]; do
        head -c $((16 * 1024 * 1024 + i * 12288)) /dev/urandom >/mnt/f2/f$i
        i=$((i + 1))
    done
    (cd /mnt/f2 && sha256sum f* >/tmp/z.f2sums)
    sync
    t_log "f2fs: zones not empty now $(blkzone report "$F" | grep -vc 'zcond: 1(em)') of 64"
    t_check $P/f2fs-wrote-zones test "$(blkzone report "$F" | grep -vc 'zcond: 1(em)')" -gt 0
    umount /mnt/f2
    mount -t f2fs "$C" /mnt/f2 && (cd /mnt/f2 && sha256sum -c /tmp/z.f2sums >/dev/null 2>&1) &&
        t_pass $P/f2fs-remount-sums || t_fail $P/f2fs-remount-sums "checksums differ after remount"
    umount /mnt/f2
    t_check $P/f2fs-fsck fsck.f2fs "$C"
else
    t_fail $P/f2fs-mkfs "$(tail -n 3 /tmp/z.mkfs)"
fi

# ---- btrfs in zoned mode on the zoned namespace alone
if mkfs.btrfs -f -O zoned "$Z" >/tmp/z.mkfs 2>&1; then
    t_pass $P/btrfs-mkfs
    mkdir -p /mnt/bt && mount -t btrfs "$Z" /mnt/bt && t_pass $P/btrfs-mount ||
        t_fail $P/btrfs-mount "$(dmesg | tail -n 3)"
    i=0
    while [ $i -lt 24 ]; do
        head -c $((512 * 1024 + i * 12288)) /dev/urandom >/mnt/bt/f$i
        i=$((i + 1))
    done
    (cd /mnt/bt && sha256sum f* >/tmp/z.btsums)
    sync
    umount /mnt/bt
    mount -t btrfs "$Z" /mnt/bt && (cd /mnt/bt && sha256sum -c /tmp/z.btsums >/dev/null 2>&1) &&
        t_pass $P/btrfs-remount-sums || t_fail $P/btrfs-remount-sums "checksums differ after remount"
    t_check $P/btrfs-scrub btrfs scrub start -B /mnt/bt
    umount /mnt/bt
else
    t_fail $P/btrfs-mkfs "$(tail -n 3 /tmp/z.mkfs)"
fi

# ---- the conventional namespace beside the zoned ones still works
t_check $P/conv-beside-zoned-verify fio --name=conv --filename="$C" --rw=randwrite --bs=4k \
    --iodepth=8 --ioengine=libaio --direct=1 --size=64M --io_size=16M --verify=crc32c \
    --do_verify=1 --verify_fatal=1

# ---- teardown
nv_rmctrl zc
t_eq $P/pool-free-again "$(sed -n 's/^size //p' $NV/pool)" "$(sed -n 's/^free //p' $NV/pool)"
t_check $P/rmmod rmmod nvmev
rm -f /tmp/z.*
t_dmesg_clean $P/dmesg-clean
exit 0
