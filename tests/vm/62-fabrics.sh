#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2317,SC2015,SC2086 # helpers via t_check; t_pass never fails; word lists
# nvmev namespaces exported through the kernel's NVMe target (nvmet) over
# NVMe/TCP on the guest's loopback, and used through the kernel's NVMe/TCP
# host (docs/fabrics.md):
#  - a conventional namespace with the block-device backend: the fabric
#    controller (transport tcp) and its namespace of the same size, fio
#    crc32c verification over the fabric (several block sizes, QD 8 and
#    16), data written on one side read back on the other, nvmev's
#    namespace statistics counting the fabric's bytes, disconnect, the
#    target taken down and its modules unloaded;
#  - a zoned namespace exported as zoned: host-managed on the fabric side,
#    the same zones, the same zone report, a write over the fabric moving
#    the write pointer nvmev reports, a reset over the fabric, fio
#    zonemode=zbd with verification over the fabric;
#  - the passthru target (kernels with CONFIG_NVME_TARGET_PASSTHRU, e.g.
#    Debian 13's 6.12; Debian 12's 6.1 has none and the part says it is
#    skipped): an nvmev controller exported whole; Identify Controller over
#    the fabric has nvmev's model, serial, firmware and version with the
#    fields nvmet rewrites (drivers/nvme/target/passthru.c,
#    nvmet_passthru_override_id_ctrl) rewritten; write, read and Compare
#    over it.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=fabrics
T=$T_TMP/fab
mkdir -p $T
NVMET=/sys/kernel/config/nvmet
NQN_CONV=nqn.2026-12.io.nvmev:fabrics-conv
NQN_ZNS=nqn.2026-12.io.nvmev:fabrics-zns
NQN_PT=nqn.2026-12.io.nvmev:fabrics-passthru
HOSTID=5c0e2f4a-8e3b-4c59-9d0e-6a1f0b7c2d13
HOSTNQN=nqn.2014-08.org.nvmexpress:uuid:$HOSTID
DD=/usr/bin/dd
FIO_COMMON="--ioengine=libaio --direct=1 --verify=crc32c --do_verify=1 --verify_fatal=1 --verify_dump=0"

nv_configfs_mount
run() { nvme_run "$@"; }
sha() { md5sum <"$1" | cut -d' ' -f1; }

# The connected TCP controller of subsystem <nqn> (nvmeX), if any.
fab_ctrl() {  # <nqn>
    local d
    for d in /sys/class/nvme/nvme*; do
        [ -r "$d/transport" ] || continue
        [ "$(cat "$d/transport")" = tcp ] || continue
        [ "$(cat "$d/subsysnqn" 2>/dev/null)" = "$1" ] || continue
        echo "${d##*/}"
        return 0
    done
    return 1
}

# The block device of namespace <nsid> of fabric controller <ctrl> (20 s).
fab_ns() {  # <ctrl> <nsid>
    local tries=100 e n
    while [ $tries -gt 0 ]; do
        for e in /sys/class/nvme/"$1"/nvme*n*; do
            [ "$(cat "$e/nsid" 2>/dev/null)" = "$2" ] || continue
            n=$(echo "${e##*/}" | sed 's/^\(nvme[0-9]*\)c[0-9]*\(n[0-9]*\)$/\1\2/')
            [ -b "/dev/$n" ] && echo "/dev/$n" && return 0
        done
        usleep 200000
        tries=$((tries - 1))
    done
    return 1
}

# Connect to <nqn> on 127.0.0.1:4420 and wait (20 s) for its controller
# and namespace 1; sets FC (nvmeX) and FN (/dev/nvmeYn1).
fab_connect() {  # <name> <nqn>
    local tries=100
    FC="" FN=""
    run nvme connect -t tcp -a 127.0.0.1 -s 4420 -n "$2" --hostnqn="$HOSTNQN" --hostid="$HOSTID"
    t_eq "$1/connect" 0x0 "$ST" || return 1
    while [ $tries -gt 0 ] && ! FC=$(fab_ctrl "$2"); do
        usleep 200000
        tries=$((tries - 1))
    done
    # by NSID: a block device's nvmeXnY names the order the host found
    # the namespaces in, not their NSIDs
    if [ $tries -eq 0 ] || ! FN=$(fab_ns "$FC" 1); then
        t_fail "$1/namespace" "no controller of $2 with a block device of namespace 1 after 20 s (controller: ${FC:-none})"
        return 1
    fi
    t_pass "$1/namespace"
    t_log "$2: controller $FC ($(cat /sys/class/nvme/$FC/address)), namespace $FN"
}

# Disconnect <nqn>: the controller and its block device go away (20 s).
fab_disconnect() {  # <name> <nqn> <ns device>
    local tries=100
    run nvme disconnect -n "$2"
    t_eq "$1/disconnect" 0x0 "$ST"
    while [ $tries -gt 0 ] && { fab_ctrl "$2" >/dev/null || [ -e "$3" ]; }; do
        usleep 200000
        tries=$((tries - 1))
    done
    if [ $tries -gt 0 ]; then
        t_pass "$1/gone"
    else
        t_fail "$1/gone" "after 20 s: controller $(fab_ctrl "$2"), $3 $([ -e "$3" ] && echo exists)"
    fi
}

# A subsystem <nqn> open to any host, linked to port 1.
nvmet_subsys() {  # <nqn>
    mkdir $NVMET/subsystems/$1 &&
        echo 1 >$NVMET/subsystems/$1/attr_allow_any_host
}
nvmet_bdev_ns() {  # <nqn> <block device>: namespace 1 on it, enabled
    local n=$NVMET/subsystems/$1/namespaces/1
    mkdir $n && printf '%s' "$2" >$n/device_path && echo 1 >$n/enable
}
nvmet_link() { ln -s $NVMET/subsystems/$1 $NVMET/ports/1/subsystems/$1; }
nvmet_unlink() { rm $NVMET/ports/1/subsystems/$1; }

# Read <bytes> at byte <offset> of <dev> with O_DIRECT into <file>
rd() {  # <dev> <offset> <bytes> <file>
    $DD if="$1" of="$4" bs=64k iflag=direct,skip_bytes,count_bytes skip="$2" count="$3" 2>/dev/null &&
        [ "$(wc -c <"$4")" -eq "$3" ]
}
wr() {  # <file> <dev> <offset>
    $DD if="$1" of="$2" bs=64k oflag=direct,seek_bytes seek="$3" conv=notrunc 2>/dev/null
}
# <name> <file> <dev> <offset>: what <dev> holds there equals <file>
t_same() {
    local n
    n=$(wc -c <"$2")
    if ! rd "$3" "$4" "$n" $T/back; then
        t_fail "$1" "cannot read $n bytes at $4 of $3"
        return 1
    fi
    t_eq "$1" "$(sha "$2")" "$(sha $T/back)"
}

# ---- set up: loopback, modules, nvmev
t_dmesg_mark
ip link set lo up
ip addr show dev lo | grep -q 'inet 127\.0\.0\.1/' || ip addr add 127.0.0.1/8 dev lo
t_check $P/loopback sh -c "ip addr show dev lo | grep -q 'inet 127.0.0.1/'"
mkdir -p /etc/nvme
echo "$HOSTNQN" >/etc/nvme/hostnqn
echo "$HOSTID" >/etc/nvme/hostid
# a kernel without the target or the TCP host (the debug kit built
# before scripts/kernel/debug-6.1.sh had them) cannot run this at all
for m in nvmet-tcp nvme-tcp; do
    if modprobe $m; then
        t_pass $P/modprobe-$m
        continue
    fi
    if ! grep -qs "/$m\.ko" /lib/modules/"$(uname -r)"/modules.dep /lib/modules/"$(uname -r)"/modules.builtin; then
        t_log "$P: skipped: this kernel ($(uname -r)) has no $m module (CONFIG_NVME_TARGET_TCP / CONFIG_NVME_TCP not set)"
        exit 0
    fi
    t_fail $P/modprobe-$m "modprobe $m failed: $(dmesg | tail -n 1)"
done
t_check $P/nvmet-configfs test -d $NVMET/subsystems

_nvmev_memmap_defaults
insmod "$NVMEV_KO" memmap_start=$NVMEV_MEMMAP_START memmap_size=$NVMEV_MEMMAP_SIZE nr_ctrls=0 \
    cpus=$NVMEV_CPUS || { t_fail $P/insmod "insmod failed: $(dmesg | tail -n 1)"; exit 0; }
t_pass $P/insmod
mkdir $NV/fab
nv_mkns fab 1 256M optane && t_pass $P/ns-conv-enable || t_fail $P/ns-conv-enable "see dmesg"
# 16 zones of 16 MiB, capacity 12 MiB: the zone capacity travels too
nv_mkns fab 2 256M zns zone_size=16M zone_cap=12M && t_pass $P/ns-zns-enable ||
    t_fail $P/ns-zns-enable "see dmesg"
echo 1 >$NV/fab/enable
L=$(nv_wait_dev fab 1) || { t_fail $P/local-conv "no block device"; exit 0; }
LZ=$(nv_wait_dev fab 2) || { t_fail $P/local-zns "no block device"; exit 0; }
echo mq-deadline >/sys/block/${LZ#/dev/}/queue/scheduler
t_log "local: conventional $L, zoned $LZ"

# ---- the target's port: NVMe/TCP on 127.0.0.1:4420
mkdir $NVMET/ports/1 &&
    echo tcp >$NVMET/ports/1/addr_trtype &&
    echo ipv4 >$NVMET/ports/1/addr_adrfam &&
    echo 127.0.0.1 >$NVMET/ports/1/addr_traddr &&
    echo 4420 >$NVMET/ports/1/addr_trsvcid &&
    t_pass $P/port || t_fail $P/port "cannot configure nvmet port 1"

# ---- a conventional namespace over the block-device backend
Q=$P/conv
nvmet_subsys $NQN_CONV && nvmet_bdev_ns $NQN_CONV "$L" && nvmet_link $NQN_CONV &&
    t_pass $Q/export || t_fail $Q/export "nvmet subsystem, namespace or link refused; dmesg: $(dmesg | tail -n 2)"
t_eq $Q/ns-enabled 1 "$(cat $NVMET/subsystems/$NQN_CONV/namespaces/1/enable)"
if fab_connect $Q $NQN_CONV; then
    F=$FN
    t_eq $Q/transport tcp "$(cat /sys/class/nvme/$FC/transport)"
    t_check $Q/address grep -q 'traddr=127.0.0.1,trsvcid=4420' /sys/class/nvme/$FC/address
    t_eq $Q/size "$(blockdev --getsize64 "$L")" "$(blockdev --getsize64 "$F")"
    t_eq $Q/size-256m 268435456 "$(blockdev --getsize64 "$F")"
    t_eq $Q/lba-size "$(blockdev --getss "$L")" "$(blockdev --getss "$F")"
    # the target's own identity, not nvmev's (block-device backend)
    t_eq $Q/model-is-nvmets Linux "$(tr -d ' ' </sys/class/nvme/$FC/model)"

    # fabric writes, local reads (and the other way), counted by nvmev
    head -c 1048576 /dev/urandom >$T/a
    head -c 1048576 /dev/urandom >$T/b
    W0=$(nv_stat fab/1 write_bytes)
    t_check $Q/write-fabric wr $T/a "$F" $((100 << 20))
    t_eq $Q/stats-write-bytes 1048576 $(($(nv_stat fab/1 write_bytes) - W0))
    t_same $Q/fabric-write-local-read $T/a "$L" $((100 << 20))
    t_check $Q/write-local wr $T/b "$L" $((101 << 20))
    R0=$(nv_stat fab/1 read_bytes)
    t_same $Q/local-write-fabric-read $T/b "$F" $((101 << 20))
    t_eq $Q/stats-read-bytes 1048576 $(($(nv_stat fab/1 read_bytes) - R0))

    # fio over the fabric: sequential writes of 4k/32k/128k at QD 8 and
    # random 8k writes at QD 16, each block verified (crc32c)
    W0=$(nv_stat fab/1 write_bytes)
    C0=$(nv_stat fab/1 write_cmds)
    if timeout 400 fio $FIO_COMMON --filename="$F" \
        --name=seq --rw=write --bssplit=4k/40:32k/30:128k/30 --iodepth=8 --offset=0 --size=48M \
        --name=rand --rw=randwrite --bs=8k --iodepth=16 --offset=128M --size=32M \
        >$T/fio.out 2>&1 && ! grep -q 'err=[ ]*[1-9]' $T/fio.out; then
        t_pass $Q/fio-verify
    else
        echo "## fio output:"
        tail -n 30 $T/fio.out | sed 's/^/##   /'
        t_fail $Q/fio-verify "fio failed: $(grep -m1 -E 'verify|err=' $T/fio.out)"
    fi
    t_eq $Q/fio-stats-write-bytes $((80 << 20)) $(($(nv_stat fab/1 write_bytes) - W0))
    t_check $Q/fio-stats-write-cmds test $(($(nv_stat fab/1 write_cmds) - C0)) -gt 0

    fab_disconnect $Q $NQN_CONV "$F"
fi
nvmet_unlink $NQN_CONV && t_pass $Q/unlink || t_fail $Q/unlink "rm of the port link refused"
echo 0 >$NVMET/subsystems/$NQN_CONV/namespaces/1/enable &&
    rmdir $NVMET/subsystems/$NQN_CONV/namespaces/1 && rmdir $NVMET/subsystems/$NQN_CONV &&
    t_pass $Q/teardown || t_fail $Q/teardown "cannot remove the subsystem"

# ---- a zoned namespace
Q=$P/zns
ZS=$((16 << 11))  # zone size in 512-byte sectors (LBAs)
nvmet_subsys $NQN_ZNS && nvmet_bdev_ns $NQN_ZNS "$LZ" && nvmet_link $NQN_ZNS &&
    t_pass $Q/export || t_fail $Q/export "nvmet refused the zoned namespace; dmesg: $(dmesg | tail -n 2)"
if fab_connect $Q $NQN_ZNS; then
    FZ=$FN
    B=/sys/block/${FZ#/dev/}/queue
    LB=/sys/block/${LZ#/dev/}/queue
    t_eq $Q/zoned host-managed "$(cat $B/zoned)"
    t_eq $Q/nr-zones "$(cat $LB/nr_zones)" "$(cat $B/nr_zones)"
    t_eq $Q/nr-zones-16 16 "$(cat $B/nr_zones)"
    t_eq $Q/zone-sectors "$(cat $LB/chunk_sectors)" "$(cat $B/chunk_sectors)"
    t_eq $Q/zone-sectors-16m $ZS "$(cat $B/chunk_sectors)"
    t_eq $Q/size "$(blockdev --getsize64 "$LZ")" "$(blockdev --getsize64 "$FZ")"
    # writes deeper than one per zone: Linux 6.1 needs mq-deadline's zone
    # write locking on the path's request queue (the namespace's node is
    # the multipath head, a bio-based device without a scheduler); 6.10
    # and later plug zone writes in the block layer
    for e in /sys/class/nvme/"$FC"/nvme*c*n*; do
        [ -e "$e" ] && echo mq-deadline >/sys/block/${e##*/}/queue/scheduler
    done

    # zone 2: written over the fabric, seen locally
    Z2=$((2 * ZS))
    head -c 262144 /dev/urandom >$T/z
    t_check $Q/write-fabric wr $T/z "$FZ" $((Z2 * 512))
    # Report Zones: nvme-cli's SLBA, WP, Cap, State and Type of every zone
    nvme zns report-zones "$LZ" >$T/rz.local 2>&1
    nvme zns report-zones "$FZ" >$T/rz.fabric 2>&1
    t_check $Q/report-zones-16 grep -q 'nr_zones: 16' $T/rz.fabric
    t_log "$Q: zones 1 to 3 over the fabric: $(sed -n '3,5p' $T/rz.fabric | tr -s ' ' | tr '\n' '|')"
    t_eq $Q/report-zones-agree "$(sha $T/rz.local)" "$(sha $T/rz.fabric)" ||
        diff $T/rz.local $T/rz.fabric | head -n 10 | sed 's/^/##   /'
    blkzone report "$LZ" >$T/bz.local 2>&1
    blkzone report "$FZ" >$T/bz.fabric 2>&1
    t_eq $Q/blkzone-report-agree "$(sha $T/bz.local)" "$(sha $T/bz.fabric)"
    # WP 512 LBAs in, capacity 12 MiB of 16, implicitly open (nvme-cli
    # prints the descriptor's state byte, state << 4)
    t_eq $Q/local-wp-moved "SLBA: $(printf '%#x' $Z2) WP: $(printf '%#x' $((Z2 + 512))) Cap: 0x6000 State: 0x20" \
        "$(nvme zns report-zones "$LZ" -s $Z2 -d 1 | awk '/^SLBA:/ { print $1, $2, $3, $4, $5, $6, $7, $8; exit }')"
    t_same $Q/fabric-write-local-read $T/z "$LZ" $((Z2 * 512))
    # zone 3: written locally, read over the fabric
    Z3=$((3 * ZS))
    t_check $Q/write-local wr $T/z "$LZ" $((Z3 * 512))
    t_same $Q/local-write-fabric-read $T/z "$FZ" $((Z3 * 512))
    t_eq $Q/fabric-sees-local-wp "WP: $(printf '%#x' $((Z3 + 512)))" \
        "$(nvme zns report-zones "$FZ" -s $Z3 -d 1 | awk '/^SLBA:/ { print $3, $4; exit }')"
    # reset zone 2 over the fabric (through the fabric's block layer,
    # which keeps its write pointers): empty locally, written again
    t_check $Q/reset-fabric blkzone reset -o $Z2 -c 1 "$FZ"
    t_eq $Q/local-reset "WP: $(printf '%#x' $Z2) State: 0x10" \
        "$(nvme zns report-zones "$LZ" -s $Z2 -d 1 | awk '/^SLBA:/ { print $3, $4, $7, $8; exit }')"
    t_check $Q/local-reset-reads-zero sh -c "$DD if=$LZ bs=64k skip=$((Z2 / 128)) count=4 iflag=direct 2>/dev/null | cmp -s -n 262144 - /dev/zero"
    head -c 131072 /dev/urandom >$T/z2
    t_check $Q/write-after-reset wr $T/z2 "$FZ" $((Z2 * 512))
    t_same $Q/write-after-reset-local $T/z2 "$LZ" $((Z2 * 512))

    # fio zonemode=zbd over the fabric: zones 4 to 7, QD 4, verified
    W0=$(nv_stat fab/2 write_bytes)
    if timeout 400 fio $FIO_COMMON --filename="$FZ" --zonemode=zbd --name=zbd --rw=write \
        --bs=64k --iodepth=4 --offset=$((4 * 16))M --size=64M >$T/fio.z 2>&1 &&
        ! grep -q 'err=[ ]*[1-9]' $T/fio.z; then
        t_pass $Q/fio-zbd-verify
    else
        echo "## fio output:"
        tail -n 30 $T/fio.z | sed 's/^/##   /'
        t_fail $Q/fio-zbd-verify "fio failed: $(grep -m1 -E 'verify|err=' $T/fio.z)"
    fi
    # 4 zones of 12 MiB capacity
    t_eq $Q/fio-stats-write-bytes $((48 << 20)) $(($(nv_stat fab/2 write_bytes) - W0))
    t_eq $Q/fio-zones-full "0xe0 0xe0 0xe0 0xe0" \
        "$(nvme zns report-zones "$LZ" -s $((4 * ZS)) -d 4 | awk '/^SLBA:/ { printf "%s ", $8 }' | sed 's/ $//')"

    fab_disconnect $Q $NQN_ZNS "$FZ"
fi
nvmet_unlink $NQN_ZNS && echo 0 >$NVMET/subsystems/$NQN_ZNS/namespaces/1/enable &&
    rmdir $NVMET/subsystems/$NQN_ZNS/namespaces/1 && rmdir $NVMET/subsystems/$NQN_ZNS &&
    t_pass $Q/teardown || t_fail $Q/teardown "cannot remove the subsystem"

# ---- the passthru target: an nvmev controller exported whole
Q=$P/passthru
mkdir $NVMET/subsystems/$NQN_PT
if [ ! -d $NVMET/subsystems/$NQN_PT/passthru ]; then
    t_log "$Q: skipped: this kernel ($(uname -r)) has no nvmet passthru target (CONFIG_NVME_TARGET_PASSTHRU is not set: a subsystem has no passthru directory); Debian 13's 6.12 has it"
    rmdir $NVMET/subsystems/$NQN_PT
else
    mkdir $NV/pt
    nv_mkns pt 1 128M optane && nv_mkns pt 2 64M zns zone_size=16M && echo 1 >$NV/pt/enable
    PL=$(nv_wait_dev pt 1) || t_fail $Q/local "no block device"
    PLZ=$(nv_wait_dev pt 2) || t_fail $Q/local-zns "no block device"
    # its controller's char device (the block device's name is its
    # subsystem's with native multipath, not the controller's)
    PCI=$(cat $NV/pt/pci)
    for e in /sys/bus/pci/devices/"$PCI"/nvme/nvme*; do PC=/dev/${e##*/}; done
    t_log "$Q: exporting $PC ($PL)"
    S=$NVMET/subsystems/$NQN_PT
    # the namespace's EUI-64 and NGUID would be the local one's, and the
    # host refuses a second namespace with the same IDs ("globally
    # duplicate IDs"): clear them on the fabric side
    echo 1 >$S/attr_allow_any_host && printf '%s' "$PC" >$S/passthru/device_path &&
        echo 1 >$S/passthru/clear_ids && echo 1 >$S/passthru/enable && nvmet_link $NQN_PT &&
        t_pass $Q/export || t_fail $Q/export "passthru refused; dmesg: $(dmesg | tail -n 2)"
    # what nvmet forwards on connect, by Identify and later, nvmev answers
    # without an error (nvmet itself refuses some Identify CNS values,
    # e.g. 06h for the NVM command set, with its own "failed cmd" line)
    A0=$(sed -n 's/^admin_cmds //p' $NV/pt/stats)
    E0=$(sed -n 's/^admin_errors //p' $NV/pt/stats)
    if fab_connect $Q $NQN_PT; then
        PF=$FN
        t_eq $Q/transport tcp "$(cat /sys/class/nvme/$FC/transport)"
        for a in model serial firmware_rev; do
            t_eq $Q/sysfs-$a "$(cat /sys/class/nvme/${PC#/dev/}/$a)" "$(cat /sys/class/nvme/$FC/$a)"
        done
        run nvme id-ctrl "/dev/${PC#/dev/}" -o json
        cp $T_OUT $T/idc.local
        run nvme id-ctrl "/dev/$FC" -o json
        t_eq $Q/id-ctrl-status 0x0 "$ST"
        cp $T_OUT $T/idc.fabric
        jv() { sed -n "s/^ *\"$2\" *: *\"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}\$/\1/p" "$1" | head -n 1 | sed 's/ *$//'; }
        # passed through from nvmev
        for f in vid ssvid sn mn fr ieee ver oacs nn vwc lpa elpe npss awun awupf; do
            t_eq $Q/id-ctrl-$f-passed "$(jv $T/idc.local $f)" "$(jv $T/idc.fabric $f)"
        done
        t_check $Q/id-ctrl-mn-nvmev sh -c "echo '$(jv $T/idc.fabric mn)' | grep -q nvmev"
        # rewritten by nvmet: controller ID, subsystem NQN, ACL, fused
        # operations, SGL support, multi-controller bit, response size,
        # reservations
        t_eq $Q/id-ctrl-cntlid "$(cat /sys/class/nvme/$FC/cntlid)" "$(jv $T/idc.fabric cntlid)"
        # ONCS without Reservations (bit 5), which nvmet keeps for itself
        t_eq $Q/id-ctrl-oncs-no-resv $(($(jv $T/idc.local oncs) & ~0x20)) "$(jv $T/idc.fabric oncs)"
        t_eq $Q/id-ctrl-subnqn $NQN_PT "$(jv $T/idc.fabric subnqn)"
        t_eq $Q/id-ctrl-acl 3 "$(jv $T/idc.fabric acl)"
        t_eq $Q/id-ctrl-fuses 0 "$(jv $T/idc.fabric fuses)"
        t_eq $Q/id-ctrl-sgls-bit0 1 $(($(jv $T/idc.fabric sgls) & 1))
        t_eq $Q/id-ctrl-cmic-bit1 2 $(($(jv $T/idc.fabric cmic) & 2))
        t_eq $Q/id-ctrl-iorcsz 1 "$(jv $T/idc.fabric iorcsz)"
        t_eq $Q/id-ctrl-hmpre 0 "$(jv $T/idc.fabric hmpre)"
        t_eq $Q/size "$(blockdev --getsize64 "$PL")" "$(blockdev --getsize64 "$PF")"
        # Identify CNS 06h: nvmet refuses it for the NVM command set itself
        # (the "nvmet_tcp: failed cmd ... opcode 6" line of the connect)
        # and forwards it for ZNS, which nvmev answers
        run nvme admin-passthru "/dev/$FC" --opcode=0x06 --cdw10=6 --cdw11=0 --data-len=4096 -r
        t_eq $Q/id-cns6-nvm-refused-by-nvmet 0x4001 "$ST"
        run nvme admin-passthru "/dev/$FC" --opcode=0x06 --cdw10=6 --cdw11=$((2 << 24)) --data-len=4096 -r -b
        t_eq $Q/id-cns6-zns-forwarded 0x0 "$ST"
        # Get Log Page and Get Features are forwarded too: SMART / Health
        # and the temperature threshold are nvmev's
        run nvme smart-log "/dev/$FC" -o json
        t_eq $Q/smart-log-status 0x0 "$ST"
        cp $T_OUT $T/smart.fabric
        run nvme smart-log "$PC" -o json
        for f in temperature power_cycles critical_warning avail_spare; do
            t_eq $Q/smart-log-$f "$(jv $T_OUT $f)" "$(jv $T/smart.fabric $f)"
        done
        run nvme get-feature "/dev/$FC" -f 4
        t_eq $Q/get-feature-4-status 0x0 "$ST"
        cp $T_OUT $T/feat.fabric
        run nvme get-feature "$PC" -f 4
        t_eq $Q/get-feature-4 "$(cat $T_OUT)" "$(cat $T/feat.fabric)"
        # Identify Namespace: passed through, IDs cleared
        run nvme id-ns "$PF" -o json
        cp $T_OUT $T/idn.fabric
        run nvme id-ns "$PL" -o json
        t_eq $Q/id-ns-nsze "$(jv $T_OUT nsze)" "$(jv $T/idn.fabric nsze)"
        t_eq $Q/id-ns-nguid-cleared 00000000000000000000000000000000 "$(jv $T/idn.fabric nguid)"

        # I/O: write over the fabric, read back on both sides, Compare
        head -c 1048576 /dev/urandom >$T/p
        W0=$(nv_stat pt/1 write_bytes)
        t_check $Q/write-fabric wr $T/p "$PF" $((32 << 20))
        t_eq $Q/stats-write-bytes 1048576 $(($(nv_stat pt/1 write_bytes) - W0))
        t_same $Q/fabric-write-local-read $T/p "$PL" $((32 << 20))
        t_same $Q/fabric-write-fabric-read $T/p "$PF" $((32 << 20))
        head -c 4096 $T/p >$T/p4k
        cp $T/p4k $T/p4k.bad
        printf 'X' | $DD of=$T/p4k.bad bs=1 seek=2000 conv=notrunc 2>/dev/null
        SLBA=$(((32 << 20) / 512))
        C0=$(nv_stat pt/1 compare_cmds)
        run nvme compare "$PF" --start-block=$SLBA --block-count=7 --data-size=4096 --data=$T/p4k
        t_eq $Q/compare-match 0x0 "$ST"
        run nvme compare "$PF" --start-block=$SLBA --block-count=7 --data-size=4096 --data=$T/p4k.bad
        t_eq $Q/compare-mismatch 0x4285 "$ST"
        t_eq $Q/stats-compare-cmds 2 $(($(nv_stat pt/1 compare_cmds) - C0))

        # the zoned namespace through passthru: nvmev's ZNS Identify (CNS
        # 05h/06h with CSI 02h, forwarded), Zone Append's LBA in the
        # completion, Zone Management Send and Receive
        if PFZ=$(fab_ns $FC 2); then
            t_eq $Q/zns-zoned host-managed "$(cat /sys/block/${PFZ#/dev/}/queue/zoned)"
            t_eq $Q/zns-nr-zones "4 4" "$(cat /sys/block/${PLZ#/dev/}/queue/nr_zones) $(cat /sys/block/${PFZ#/dev/}/queue/nr_zones)"
            t_eq $Q/zns-zone-sectors "32768 32768" "$(cat /sys/block/${PLZ#/dev/}/queue/chunk_sectors) $(cat /sys/block/${PFZ#/dev/}/queue/chunk_sectors)"
            head -c 8192 /dev/urandom >$T/app
            app() { sed -n 's/.*appended data to LBA \([0-9a-fA-F]*\).*/\1/p' "$T_OUT" "$T_ERR" | head -n 1; }
            run nvme zns zone-append "$PFZ" -s 32768 -z 8192 -d $T/app
            t_eq $Q/zns-append-lba "0x0 8000" "$ST $(app)"
            run nvme zns zone-append "$PFZ" -s 32768 -z 8192 -d $T/app
            t_eq $Q/zns-append-lba-2 "0x0 8010" "$ST $(app)"
            t_eq $Q/zns-local-wp "WP: 0x8020 State: 0x20" \
                "$(nvme zns report-zones "$PLZ" -s 32768 -d 1 | awk '/^SLBA:/ { print $3, $4, $7, $8; exit }')"
            t_same $Q/zns-append-local-read $T/app "$PLZ" $(((32768 + 16) * 512))
            nvme zns report-zones "$PLZ" >$T/prz.local 2>&1
            nvme zns report-zones "$PFZ" >$T/prz.fabric 2>&1
            t_check $Q/zns-report-4 grep -q 'nr_zones: 4' $T/prz.fabric
            t_eq $Q/zns-report-agree "$(sha $T/prz.local)" "$(sha $T/prz.fabric)"
            run nvme zns reset-zone "$PFZ" -s 32768
            t_eq $Q/zns-reset 0x0 "$ST"
            t_eq $Q/zns-local-reset "WP: 0x8000 State: 0x10" \
                "$(nvme zns report-zones "$PLZ" -s 32768 -d 1 | awk '/^SLBA:/ { print $3, $4, $7, $8; exit }')"
        else
            t_fail $Q/zns-namespace "no block device of namespace 2 on $FC after 20 s"
        fi
        fab_disconnect $Q $NQN_PT "$PF"
        A1=$(sed -n 's/^admin_cmds //p' $NV/pt/stats)
        t_log "$Q: $((A1 - A0)) admin commands reached nvmev through the target"
        t_check $Q/admin-forwarded test $((A1 - A0)) -ge 3
        t_eq $Q/admin-no-errors 0 $(($(sed -n 's/^admin_errors //p' $NV/pt/stats) - E0))
    fi
    nvmet_unlink $NQN_PT && echo 0 >$S/passthru/enable && rmdir $S &&
        t_pass $Q/teardown || t_fail $Q/teardown "cannot remove the passthru subsystem"
fi

# ---- the target, the host modules and nvmev go away
rmdir $NVMET/ports/1 && t_pass $P/port-removed || t_fail $P/port-removed "rmdir of port 1 refused"
t_check $P/rmmod-nvmet rmmod nvmet_tcp nvmet
t_check $P/rmmod-nvme-tcp rmmod nvme_tcp nvme_fabrics
nv_rmctrl fab
[ -d $NV/pt ] && nv_rmctrl pt
t_check $P/rmmod-nvmev rmmod nvmev
t_dmesg_clean $P/dmesg-clean
exit 0
