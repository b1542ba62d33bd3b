#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2015 # t_pass never fails
# Power loss (power.c, docs/power-loss.md), at the block level:
#  - a conv namespace (its write buffer is a volatile write cache: Identify
#    VWC, Feature 06h) and Identify's promise of 4 KiB atomic writes;
#  - write A, flush, write B, cut: A reads back, B is gone (the old data);
#    the device vanishes at the cut and returns with "on"; SMART counts an
#    unsafe shutdown and a power cycle;
#  - a FUA write survives; a write the NAND has programmed survives (more
#    data pushed it out of the buffer); with the cache disabled (Feature
#    06h) nothing acknowledged is lost;
#  - a torn cut (seeded) keeps some 4 KiB units of the volatile writes and
#    loses others, never splitting a unit;
#  - a Flush after a controller reset covers what the model had pending;
#  - a cut at a later moment ("in="), refused requests, and the negative
#    control: a namespace that ignores Flush loses flushed data;
#  - an nvm namespace with cache_kib behaves the same; without a cache
#    (the default) nothing is lost, nor with power-loss protection (plp);
#  - a zoned namespace loses the end of a zone's data: flushed, FUA and
#    programmed data stay, the write pointer goes back (the old one refuses
#    a write, the new one takes it), open zones come back closed or empty;
#    torn keeps a prefix; Flush of every namespace (NSID FFFFFFFFh, sent
#    by nvme-raw) holds;
#    told to ignore Flush it loses a FUA Zone Append and flushed data.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=power
T=$T_TMP/power
mkdir -p "$T"
run() { nvme_run "$@"; }

nv_configfs_mount
t_check $P/insmod insmod "$NVMEV_KO" memmap_start=4G memmap_size=1G nr_ctrls=0 cpus=2,3 ||
    { t_dmesg_clean $P/dmesg-clean; exit 0; }
C=$NV/p
mkdir "$C"
nv_mkns p 1 128M conv lba_size=512 &&
    nv_mkns p 2 64M optane lba_size=512 cache_kib=1024 nr_io_units=1 write_time=400000000 &&
    nv_mkns p 3 64M optane lba_size=512 &&
    nv_mkns p 4 32M conv lba_size=512 plp=1 &&
    nv_mkns p 5 32M conv lba_size=512 prog_ns=4000000000 &&
    t_pass $P/namespaces || t_fail $P/namespaces "see dmesg"
echo 1 >"$C/enable"

devs() {  # sets D1 D2 D3 CTRL once the namespaces are there
    [ "$C" = "$NV/zp" ] && { zdev; return; }
    D1=$(nv_wait_dev p 1 30) && D2=$(nv_wait_dev p 2 30) && D3=$(nv_wait_dev p 3 30) &&
        D4=$(nv_wait_dev p 4 30) && D5=$(nv_wait_dev p 5 30) || return 1
    CTRL=$(echo "$D1" | sed 's/n[0-9]*$//')
}
t_check $P/devices devs
st() { nv_stat "p/$1" "$2"; }
smart() {  # <json field>
    run nvme smart-log "$CTRL" -o json
    sed -n "s/.*\"$1\" *: *\"\{0,1\}\([0-9]*\).*/\1/p" "$T_OUT" | head -n 1
}
wr() {  # <dev> <file> <offset in 4 KiB blocks> [dd flags]: direct write
    /usr/bin/dd if="$2" of="$1" bs=4096 seek="$3" oflag=direct conv=notrunc 2>/dev/null
}
rd() {  # <dev> <offset in 4 KiB blocks> <blocks> <out file>
    /usr/bin/dd if="$1" of="$4" bs=4096 skip="$2" count="$3" iflag=direct 2>/dev/null
}
pw_cut() {  # [words]: cut the power, wait for the devices to go
    local i=0
    echo "cut $*" >"$C/power" || return 1
    while [ -b "$D1" ] && [ $i -lt 100 ]; do usleep 100000; i=$((i + 1)); done
    [ ! -b "$D1" ] && [ "$(cat "$C/power")" = off ]
}
pw_on() {
    echo on >"$C/power" && devs
}

# ---- what the host is told
run nvme id-ctrl "$CTRL" -o json
t_check $P/id-vwc grep -q '"vwc" *: *7[,}]' "$T_OUT"
run nvme id-ns "$D1" -o json
t_check $P/id-nsfeat-atomics sh -c "sed -n 's/.*\"nsfeat\" *: *\([0-9]*\).*/\1/p' $T_OUT | awk '{ exit !(int(\$1 / 2) % 2) }'"
t_check $P/id-nawupf grep -q '"nawupf" *: *7[,}]' "$T_OUT"
t_check $P/id-nabspf grep -q '"nabspf" *: *7[,}]' "$T_OUT"
t_eq $P/write-cache-sysfs "write back" "$(cat "/sys/block/${D1#/dev/}/queue/write_cache")"

# ---- A flushed, B volatile, cut
head -c 1048576 /dev/urandom >"$T/A"
head -c 16384 /dev/urandom >"$T/B"
head -c 8192 /dev/urandom >"$T/F"
wr "$D1" "$T/A" 0
run nvme flush "$D1" -n 1
t_eq $P/flush-status 0x0 "$ST"
# (FUA first: it pads the open program unit, which would make B durable)
run nvme write "$D1" -s 16000 -c 15 -z 8192 -d "$T/F" --force-unit-access
t_eq $P/fua-write 0x0 "$ST"
wr "$D1" "$T/B" 1000
t_check $P/volatile-before-cut test "$(st 1 volatile_writes)" -ge 1
US0=$(smart unsafe_shutdowns)
PC0=$(smart power_cycles)
t_check $P/cut pw_cut
t_eq $P/present-after-cut 0 "$(cat "$C/present")"
t_expect_fail $P/cut-twice-refused sh -c "echo cut >$C/power"
t_expect_fail $P/present-while-off-refused sh -c "echo 1 >$C/present"
t_check $P/on pw_on
t_eq $P/power-on on "$(cat "$C/power")"
rd "$D1" 0 256 "$T/r"
t_check $P/flushed-survives cmp -s "$T/A" "$T/r"
rd "$D1" 1000 4 "$T/r"
head -c 16384 /dev/zero >"$T/z16"
t_check $P/volatile-lost cmp -s "$T/z16" "$T/r"
rd "$D1" 2000 2 "$T/r"
t_check $P/fua-survives cmp -s "$T/F" "$T/r"
t_check $P/lost-counted test "$(st 1 power_lost_writes)" -ge 1
t_eq $P/lost-bytes 16384 "$(st 1 power_lost_bytes)"
t_eq $P/smart-unsafe-shutdowns $((US0 + 1)) "$(smart unsafe_shutdowns)"
t_eq $P/smart-power-cycles $((PC0 + 1)) "$(smart power_cycles)"
t_eq $P/no-overflow 0 "$(st 1 power_journal_overflows)"

# ---- programmed data survives: 4 MiB more pushes B2 out of the buffer
head -c 262144 /dev/urandom >"$T/B2"
wr "$D1" "$T/B2" 3000
head -c 4194304 /dev/urandom >"$T/push"
wr "$D1" "$T/push" 8192
sleep 1
t_check $P/cut-2 pw_cut
t_check $P/on-2 pw_on
rd "$D1" 3000 64 "$T/r"
t_check $P/programmed-survives cmp -s "$T/B2" "$T/r"

# ---- cache disabled with Feature 06h: nothing acknowledged is lost
run nvme set-feature "$CTRL" -f 6 -v 0
t_eq $P/wce-off 0x0 "$ST"
head -c 65536 /dev/urandom >"$T/W"
wr "$D1" "$T/W" 5000
t_eq $P/wce-off-nothing-volatile 0 "$(st 1 volatile_writes)"
t_check $P/cut-3 pw_cut
t_check $P/on-3 pw_on
rd "$D1" 5000 16 "$T/r"
t_check $P/wce-off-survives cmp -s "$T/W" "$T/r"
run nvme get-feature "$CTRL" -f 6
t_check $P/wce-back-on grep -q 'Current value *: *0x0*1$' "$T_OUT"

# ---- torn: 11 writes of 8 KiB over flushed data (22 units, less than a
# program unit of the conv preset's 24 slots): each 4 KiB unit all old or
# all new; some kept, some lost
head -c 90112 /dev/urandom >"$T/old"
wr "$D1" "$T/old" 6000
run nvme flush "$D1" -n 1
head -c 90112 /dev/urandom >"$T/new"
i=0
while [ $i -lt 11 ]; do
    /usr/bin/dd if="$T/new" of="$D1" bs=8192 skip=$i seek=$((6000 / 2 + i)) count=1 \
        oflag=direct conv=notrunc 2>/dev/null
    i=$((i + 1))
done
t_eq $P/torn-volatile 11 "$(st 1 volatile_writes)"
KEPT0=$(st 1 power_torn_kept)
t_check $P/cut-torn pw_cut torn seed=7
t_check $P/on-torn pw_on
rd "$D1" 6000 22 "$T/r"
# per 4 KiB unit: o (old), n (new) or x (a mix: a split unit)
cmp_units() {
    local u=0 a b c
    while [ $u -lt 22 ]; do
        a=$(/usr/bin/dd if="$T/r" bs=4096 skip=$u count=1 2>/dev/null | md5sum)
        b=$(/usr/bin/dd if="$T/old" bs=4096 skip=$u count=1 2>/dev/null | md5sum)
        c=$(/usr/bin/dd if="$T/new" bs=4096 skip=$u count=1 2>/dev/null | md5sum)
        if [ "$a" = "$b" ]; then printf o; elif [ "$a" = "$c" ]; then printf n; else printf x; fi
        u=$((u + 1))
    done
}
U=$(cmp_units)
t_log "torn units (o old, n new): $U"
t_check $P/torn-never-split sh -c "! echo $U | grep -q x"
t_check $P/torn-some-kept sh -c "echo $U | grep -q n"
t_check $P/torn-some-lost sh -c "echo $U | grep -q o"
t_check $P/torn-kept-counted test "$(st 1 power_torn_kept)" -gt "$KEPT0"

# ---- Flush; the nvm cache; no cache, nothing lost
head -c 131072 /dev/urandom >"$T/N1"
head -c 16384 /dev/urandom >"$T/N2s"
head -c 131072 /dev/urandom >"$T/N3"
wr "$D1" "$T/N1" 7000
wr "$D2" "$T/N2s" 100
# (Linux never sends Flush with NSID FFFFFFFFh: each namespace is flushed
# here; the zoned part below sends one with nvme-raw)
run nvme flush "$D1" -n 1
t_eq $P/flush-conv-status 0x0 "$ST"
run nvme flush "$D2" -n 2
t_eq $P/flush-nvm-status 0x0 "$ST"
# ns 2's media takes 400 ms per 4 KiB: its cache holds N3 for 12.8 s, and
# the cut comes well within the 400 ms of its first unit (a debug kernel
# took over 100 ms)
wr "$D3" "$T/N3" 200
wr "$D4" "$T/B" 10
wr "$D2" "$T/N3" 200
t_check $P/cut-4 pw_cut
t_eq $P/nvm-cache-lost-bytes 131072 "$(st 2 power_lost_bytes)"
t_eq $P/nvm-no-cache-nothing-lost 0 "$(st 3 power_lost_bytes)"
t_eq $P/plp-nothing-lost 0 "$(st 4 power_lost_bytes)"
t_check $P/on-4 pw_on
rd "$D1" 7000 32 "$T/r"
t_check $P/flush-conv cmp -s "$T/N1" "$T/r"
rd "$D2" 100 4 "$T/r"
t_check $P/flush-nvm cmp -s "$T/N2s" "$T/r"
rd "$D2" 200 32 "$T/r"
head -c 131072 /dev/zero >"$T/z128"
t_check $P/nvm-cache-lost cmp -s "$T/z128" "$T/r"
rd "$D3" 200 32 "$T/r"
t_check $P/nvm-no-cache-survives cmp -s "$T/N3" "$T/r"
rd "$D4" 10 4 "$T/r"
t_check $P/plp-survives cmp -s "$T/B" "$T/r"

# ---- a cut later; requests refused
t_expect_fail $P/refuse-garbage sh -c "echo 'cut soon' >$C/power"
t_expect_fail $P/refuse-two sh -c "echo 'cut on' >$C/power"
echo "cut in=300" >"$C/power"
t_check $P/later-not-yet test -b "$D1"
i=0
while [ -b "$D1" ] && [ $i -lt 100 ]; do usleep 100000; i=$((i + 1)); done
t_check $P/later-cut test ! -b "$D1"
t_eq $P/later-off off "$(cat "$C/power")"
t_check $P/on-5 pw_on
echo "cut in=60000" >"$C/power"
echo cancel >"$C/power"
t_eq $P/cancel-stays-on on "$(cat "$C/power")"

# ---- a controller reset forgets the model's pending programs: a Flush
# after it covers them (ns 5's NAND takes 4 s per program; 96 KiB fill
# one program unit, programmed at once)
head -c 98304 /dev/urandom >"$T/S"
wr "$D5" "$T/S" 0
t_check $P/slow-program-volatile test "$(st 5 volatile_writes)" -ge 1
run nvme reset "$CTRL"
t_eq $P/reset 0x0 "$ST"
run nvme flush "$D5" -n 5
t_eq $P/reset-flush-status 0x0 "$ST"
t_eq $P/reset-flush-nothing-volatile 0 "$(st 5 volatile_writes)"
t_check $P/cut-8 pw_cut
t_check $P/on-8 pw_on
rd "$D5" 0 24 "$T/r"
t_check $P/reset-flush-survives cmp -s "$T/S" "$T/r"

# ---- the negative control: Flush ignored, flushed data lost
echo 1 >"$C/namespaces/1/ignore_flush"
head -c 16384 /dev/urandom >"$T/L"
wr "$D1" "$T/L" 12000
run nvme flush "$D1" -n 1
t_eq $P/ignored-flush-status 0x0 "$ST"
t_eq $P/ignored-flush-still-volatile 4 "$(st 1 volatile_writes)"
t_check $P/cut-6 pw_cut
t_check $P/on-6 pw_on
rd "$D1" 12000 4 "$T/r"
t_check $P/ignore-flush-loses cmp -s "$T/z16" "$T/r"
echo 0 >"$C/namespaces/1/ignore_flush"

# ---- unload while off: the next load counts the unsafe shutdown
t_check $P/cut-7 pw_cut
echo 0 >"$C/enable"
echo 1 >"$C/enable"
t_check $P/back-after-reenable devs
t_eq $P/power-on-after-reenable on "$(cat "$C/power")"

nv_rmctrl p

# ---- a zoned namespace: what a zone loses is the end of its data (its
# write pointer goes back); 16 zones of 4 MiB, 4 KiB LBAs, program units
# of 24 LBAs (96 KiB), a 4 MiB write buffer
mkdir "$NV/zp"
# (ns 2: programs of 4 s, so one is still running at the cut)
nv_mkns zp 1 64M zns lba_size=4096 zone_size=4M &&
    nv_mkns zp 2 16M zns lba_size=4096 zone_size=1M prog_ns=4000000000 &&
    t_pass $P/zns-namespace || t_fail $P/zns-namespace "see dmesg"
echo 1 >"$NV/zp/enable"
C=$NV/zp
zdev() {
    D1=$(nv_wait_dev zp 1 30) && D6=$(nv_wait_dev zp 2 30) &&
        CTRL=$(echo "$D1" | sed 's/n[0-9]*$//')
}
t_check $P/zns-device zdev
zone() {  # <zslba> [dev]: "<state byte> <wp>" (state << 4, as nvme-cli prints it)
    nvme zns report-zones "${2:-$D1}" -s "$1" -d 1 2>/dev/null | awk '/^SLBA:/ { print $8, $4; exit }'
}
zrd() {  # <slba> <LBAs>: read into $T/r
    rm -f "$T/r"
    run nvme read "$D1" -s "$1" -c $(($2 - 1)) -z $(($2 * 4096)) -d "$T/r"
}
zwr() {  # <slba> <file> [options]
    local slba=$1 f=$2 n
    n=$(($(wc -c <"$f") / 4096))
    shift 2
    run nvme write "$D1" -s "$slba" -c $((n - 1)) -z $((n * 4096)) -d "$f" "$@"
}
t_eq $P/zns-vwc-sysfs "write back" "$(cat "/sys/block/${D1#/dev/}/queue/write_cache")"
head -c 65536 /dev/urandom >"$T/ZA"
head -c 16384 /dev/urandom >"$T/ZB"
head -c 16384 /dev/urandom >"$T/ZC"
head -c 1048576 /dev/urandom >"$T/ZP"
zwr 0 "$T/ZA"                       # zone 0: A, flushed
t_eq $P/zns-write-a 0x0 "$ST"
run nvme flush "$D1" -n 1
t_eq $P/zns-flush 0x0 "$ST"
zwr 16 "$T/ZB"                      # then B: volatile
zwr 1024 "$T/F" --force-unit-access # zone 1: FUA
t_eq $P/zns-fua 0x0 "$ST"
zwr 2048 "$T/ZC"                    # zone 2: C, volatile
# zone 3: 1 MiB = 10 whole program units, programmed at once, and 16 LBAs
# left in the open unit
/usr/bin/dd if="$T/ZP" of="$D1" bs=131072 seek=$((3072 / 32)) oflag=direct 2>/dev/null
t_eq $P/zns-wp-before "0x20 0xd00" "$(zone 3072)"
sleep 1
# ns 2: one whole program unit, programmed at once, for 4 s: acknowledged
# before its program ends, so lost
head -c 98304 /dev/urandom >"$T/ZS"
/usr/bin/dd if="$T/ZS" of="$D6" bs=98304 oflag=direct 2>/dev/null
t_check $P/zns-cut pw_cut
t_eq $P/zns-lost-bytes $((16384 + 16384 + 65536)) "$(nv_stat zp/1 power_lost_bytes)"
t_eq $P/zns-lost-zones 3 "$(nv_stat zp/1 power_lost_writes)"
t_eq $P/zns-program-running-lost-bytes 98304 "$(nv_stat zp/2 power_lost_bytes)"
t_check $P/zns-on pw_on
t_eq $P/zns-program-running-lost "0x10 0" "$(zone 0 "$D6")"
t_eq $P/zns-zone0-back-to-flushed "0x40 0x10" "$(zone 0)"
zrd 0 20
cat "$T/ZA" "$T/z16" >"$T/ZAz"
t_check $P/zns-flushed-survives-lost-reads-zero cmp -s "$T/ZAz" "$T/r"
t_eq $P/zns-zone1-fua-kept "0x40 0x402" "$(zone 1024)"
zrd 1024 2
t_check $P/zns-fua-survives cmp -s "$T/F" "$T/r"
t_eq $P/zns-zone2-empty "0x10 0x800" "$(zone 2048)"
t_eq $P/zns-zone3-programmed-kept "0x40 0xcf0" "$(zone 3072)"
rm -f "$T/r"
/usr/bin/dd if="$D1" of="$T/r" bs=4096 skip=3072 count=240 iflag=direct 2>/dev/null
head -c 983040 "$T/ZP" >"$T/ZP.k"
t_check $P/zns-programmed-survives cmp -s "$T/ZP.k" "$T/r"
# the host writes on at the new write pointer, not at the old one
zwr 20 "$T/ZB"
t_eq $P/zns-old-wp-invalid 0x41bc "$ST"
zwr 16 "$T/ZB"
t_eq $P/zns-new-wp-writes 0x0 "$ST"
t_eq $P/zns-zone0-reopened "0x20 0x14" "$(zone 0)"
run nvme flush "$D1" -n 1

# torn: 22 single-LBA writes into empty zone 4; a seeded prefix of them
# survives, the rest is gone: the data has no holes
i=0
: >"$T/Zt"
while [ $i -lt 22 ]; do
    head -c 4096 /dev/urandom >"$T/Zt1"
    cat "$T/Zt1" >>"$T/Zt"
    zwr $((4096 + i)) "$T/Zt1"
    i=$((i + 1))
done
KEPT0=$(nv_stat zp/1 power_torn_kept)
t_check $P/zns-cut-torn pw_cut torn seed=11
t_check $P/zns-on-torn pw_on
KEPT=$(($(nv_stat zp/1 power_torn_kept) - KEPT0))
WP=$(zone 4096)
t_log "torn zone 4: $KEPT of 22 LBAs kept, zone $WP"
if [ "$KEPT" -eq 0 ]; then
    t_eq $P/zns-torn-wp "0x10 0x1000" "$WP"
else
    t_eq $P/zns-torn-wp "0x40 $(printf '0x%x' $((4096 + KEPT)))" "$WP"
fi
zrd 4096 22
head -c $((KEPT * 4096)) "$T/Zt" >"$T/Ztk"
head -c $(((22 - KEPT) * 4096)) /dev/zero >>"$T/Ztk"
t_check $P/zns-torn-prefix cmp -s "$T/Ztk" "$T/r"
# Flush of every namespace (NSID FFFFFFFFh), which Linux never sends (its
# passthrough refuses an NSID not the namespace's): nvme-raw, the userspace
# driver, writes zone 8, flushes all, writes zone 9 and waits; the cut
# comes while it waits
zraw() {
    local bdf i=0
    bdf=$(basename "$(readlink -f "/sys/class/nvme/${CTRL#/dev/}/device")")
    echo "$bdf" >/sys/bus/pci/drivers/nvme/unbind || return 1
    printf '%s\n' "buf w 32k random=5" "ioq-create 1 16" \
        "io 1 opc=0x01 nsid=1 slba=8192 blocks=4 data=w" "expect-status 0" \
        "io 1 opc=0x00 nsid=0xffffffff" "expect-status 0" \
        "io 1 opc=0x01 nsid=1 slba=9216 blocks=4 data=w+16k" "expect-status 0" \
        "save w $T/Zraw" "echo raw-ready" "sleep 30000" >"$T/raw.script"
    nvme-raw "$bdf" "$T/raw.script" >"$T/raw.out" 2>&1 &
    RAW=$!
    while ! grep -q raw-ready "$T/raw.out" && kill -0 $RAW 2>/dev/null && [ $i -lt 100 ]; do
        usleep 100000
        i=$((i + 1))
    done
    grep -q raw-ready "$T/raw.out" || { cat "$T/raw.out"; return 1; }
}
if command -v nvme-raw >/dev/null; then
    t_check $P/zns-raw-flush-all zraw
    t_check $P/zns-cut-flush-all pw_cut
    kill "$RAW" 2>/dev/null
    wait "$RAW" 2>/dev/null
    t_check $P/zns-on-flush-all pw_on
    t_eq $P/zns-flush-all-kept "0x40 0x2004" "$(zone 8192)"
    zrd 8192 4
    head -c 16384 "$T/Zraw" >"$T/Zraw.a"
    t_check $P/zns-flush-all-data cmp -s "$T/Zraw.a" "$T/r"
    t_eq $P/zns-after-flush-all-lost "0x10 0x2400" "$(zone 9216)"
else
    t_fail $P/zns-raw-flush-all "nvme-raw is not in the initramfs (make -C tools/nvme-raw)"
fi

# the negative control for zones: told to ignore Flush, the namespace
# loses a FUA Zone Append and a flushed write
echo 1 >"$C/namespaces/1/ignore_flush"
run nvme zns zone-append "$D1" -s 5120 -z 8192 -d "$T/F" --force-unit-access
t_eq $P/zns-ignored-fua-append 0x0 "$ST"
zwr 6144 "$T/ZB"
run nvme flush "$D1" -n 1
t_check $P/zns-cut-ignored pw_cut
t_check $P/zns-on-ignored pw_on
t_eq $P/zns-ignored-fua-append-lost "0x10 0x1400" "$(zone 5120)"
t_eq $P/zns-ignored-flush-lost "0x10 0x1800" "$(zone 6144)"
echo 0 >"$C/namespaces/1/ignore_flush"
nv_rmctrl zp
t_check $P/rmmod rmmod nvmev

# ---- nvmev0 unloaded while the power is off: the next load counts the
# unsafe shutdown and keeps what was durable
t_check $P/load0 nvmev_load preset=conv wipe=1
N0=$NVMEV_NS
CTRL=$NVMEV_CTRL
US0=$(smart unsafe_shutdowns)
wr "$N0" "$T/A" 0
run nvme flush "$N0" -n 1
wr "$N0" "$T/B" 1000
echo cut >"$NV/nvmev0/power"
i=0
while [ -b "$N0" ] && [ $i -lt 100 ]; do usleep 100000; i=$((i + 1)); done
t_check $P/load0-cut test ! -b "$N0"
t_check $P/unload-while-off rmmod nvmev
t_check $P/load0-again nvmev_load preset=conv
N0=$NVMEV_NS
CTRL=$NVMEV_CTRL
t_eq $P/reload-unsafe-shutdowns $((US0 + 1)) "$(smart unsafe_shutdowns)"
rd "$N0" 0 256 "$T/r"
t_check $P/reload-flushed-kept cmp -s "$T/A" "$T/r"
rd "$N0" 1000 4 "$T/r"
t_check $P/reload-volatile-lost cmp -s "$T/z16" "$T/r"
t_check $P/unload0 nvmev_unload
t_dmesg_clean $P/dmesg-clean
