#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2015 # t_pass never fails
# Crash consistency of file systems on an emulated power cut (the
# controller's configfs "power" attribute): what fsync, fdatasync and sync
# promised is still there after the cut, and fsck finds nothing.
#
# For each of ext4, xfs and btrfs, on a conv namespace of its own (a
# volatile write buffer: Identify VWC, so Linux sends Flush and FUA), made
# once with mkfs, POWER_FS_CUTS times (default 5; long runs 50 and more):
#   1. mount; a new directory, made durable with sync;
#   2. crashwork run (tools/crash) in it with a new seed: creates, appends,
#      renames, fsync/fdatasync/sync, each success logged on /tmp (a RAM
#      file system the cut does not touch); unsynced appends, half of them
#      pushed to the device at once (sync_file_range), the rest by the
#      flusher (dirty data expires after 1 s here instead of 30 s), so the
#      device's cache holds data no flush covered yet;
#   3. after 200 ms, "cut [torn] seed=S within=2800": the power goes at a
#      seeded moment within 0.2-3 s of the start; every other cut is torn
#      (each volatile 4 KiB unit survives or not);
#   4. the block device goes away; crashwork stops on I/O errors (else it
#      is killed); the file system is force-unmounted;
#   5. "on": the controller comes back, its namespace's block device with it;
#   6. btrfs only: btrfs check before any mount (a committed transaction
#      plus its log tree must be consistent as they are);
#   7. mount (journal or log replay), crashwork check: every file recorded
#      durable exists under its durable name (either name while a rename
#      was pending), at least as long as recorded, the recorded prefix with
#      the recorded checksum; the previous cut's directory is checked again
#      (what survived one cut must survive the next), then removed;
#   8. umount and fsck: e2fsck -fn, xfs_repair -n, btrfs check.
# A cut passes iff every step does.  SMART Unsafe Shutdowns rises by one
# per cut.  Figures per file system (t_log): cuts, durable records and bytes
# verified, written bytes missing after the cut, and the namespace's
# power_lost_bytes (what the device took back; informational).
#
# The negative control: ext4 on a namespace that acknowledges Flush and FUA
# without making anything durable (ignore_flush=1), with a 64 MiB buffer
# and slow NAND so that much is volatile at the cut, cut 0.5-2 s into the
# run.  The same loop must detect lost fsync'd data (crashwork check fails)
# or a damaged file system (mount or fsck fails) within
# POWER_FS_CONTROL_CUTS cuts (default 4): it proves the loop can fail.
#
# POWER_FS_SEED fixes the seeds (printed; the cut moment is seeded, the
# workload's pace under emulation is not); POWER_FS_TYPES narrows the file
# systems; POWER_FS_SIZE is the namespace size (default 512M).
# POWER_FS_UNPLUG=1 (to debug the loop itself) cuts with a surprise removal
# ("present" 0 at the same seeded moment, then 1) instead: nothing
# acknowledged is lost then, and the control must fail.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=power-fs
T=$T_TMP/power-fs
MNT=/mnt/power-fs
CUTS=${POWER_FS_CUTS:-5}
CONTROL_CUTS=${POWER_FS_CONTROL_CUTS:-4}
SIZE=${POWER_FS_SIZE:-512M}
TYPES=${POWER_FS_TYPES:-ext4 xfs btrfs}
SEED0=${POWER_FS_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
CW=/usr/bin/crashwork
# at most 32 files of 2 MiB a run, writes up to 64 KiB
CW_OPTS="-f 32 -s 2048 -w 64"
UNPLUG=${POWER_FS_UNPLUG:-0}
mkdir -p "$T" "$MNT"

nv_configfs_mount
[ -x $CW ] || { t_fail $P/crashwork "$CW missing: make -C tools/crash, rebuild the initramfs"; exit 0; }
_nvmev_memmap_defaults
insmod "$NVMEV_KO" memmap_start="$NVMEV_MEMMAP_START" memmap_size="$NVMEV_MEMMAP_SIZE" \
    nr_ctrls=0 cpus="$NVMEV_CPUS" || { t_fail $P/insmod "insmod failed"; exit 0; }
t_pass $P/insmod
modprobe xfs
modprobe btrfs
VM=/proc/sys/vm
WB0=$(cat $VM/dirty_writeback_centisecs)
EXP0=$(cat $VM/dirty_expire_centisecs)
echo 50 >$VM/dirty_writeback_centisecs
echo 100 >$VM/dirty_expire_centisecs
t_log "seeds from POWER_FS_SEED=$SEED0, $CUTS cuts per file system, $CONTROL_CUTS for the control"

# ---------------------------------------------------------------- helpers

fs_mkfs() {  # <fs> <dev>
    case $1 in
        ext4) mkfs.ext4 -F -q "$2" ;;
        xfs) mkfs.xfs -f -q "$2" ;;
        btrfs) mkfs.btrfs -f -q "$2" ;;
    esac
}

fs_fsck() {  # <fs> <dev>: read-only, non-zero if anything is wrong
    case $1 in
        ext4) e2fsck -fn "$2" ;;
        xfs) xfs_repair -n "$2" ;;
        btrfs) btrfs check "$2" ;;
    esac
}

# /dev/nvmeX of configfs controller <ctrl>
ctrl_dev() {
    local pci e
    pci=$(cat "$NV/$1/pci" 2>/dev/null) || return 1
    for e in /sys/bus/pci/devices/"$pci"/nvme/nvme*; do
        [ -e "$e" ] && echo "/dev/${e##*/}" && return 0
    done
    return 1
}

unsafe_shutdowns() {  # <ctrl>
    local d
    d=$(ctrl_dev "$1") || { echo "?"; return; }
    nvme_run nvme smart-log "$d" -o json
    sed -n 's/.*"unsafe_shutdowns" *: *"\{0,1\}\([0-9]*\).*/\1/p' "$T_OUT" | head -n 1
}

# <ctrl> <size> [attr=value...]: controller with a conv namespace 1; its
# block device in DEV
make_ctrl() {
    local c=$1 s=$2
    shift 2
    mkdir "$NV/$c" && nv_mkns "$c" 1 "$s" conv "$@" && echo 1 >"$NV/$c/enable" &&
        DEV=$(nv_wait_dev "$c" 1 30)
}

# a number out of crashwork check's summary line: <file> <word after it>
summary_num() {
    sed -n "s/^crashwork check: .* \([0-9]*\) $2.*/\1/p" "$1" | tail -n 1
}

# The power of <ctrl>: cut as <how> says, read (on/off), on.
power_cut() {  # <ctrl> <how>
    local ms
    if [ "$UNPLUG" = 1 ]; then
        ms=$(echo "$2" | sed -n 's/.*seed=\([0-9]*\) within=\([0-9]*\).*/\1 % \2/p')
        # shellcheck disable=SC2016 # $1 is the inner shell's
        sh -c 'usleep $(($2 * 1000)); echo 0 >"$1"' - "$NV/$1/present" "$((ms))" &
        return 0
    fi
    echo "$2" >"$NV/$1/power"
}
power_state() {  # <ctrl>
    if [ "$UNPLUG" = 1 ]; then
        [ "$(cat "$NV/$1/present")" = 0 ] && echo off || echo on
        return
    fi
    cat "$NV/$1/power"
}
power_on() {  # <ctrl>
    if [ "$UNPLUG" = 1 ]; then
        wait  # the background cut
        echo 1 >"$NV/$1/present"
        return
    fi
    echo on >"$NV/$1/power"
}

# ---------------------------------------------------------------- one cut

# mount, crashwork run, the cut, power on, check, fsck: on <fs> of <ctrl>,
# iteration <i>, workload seed <seed>, "<cut command>".  Status 0 pass, 1
# fail (WHY says why), 2 fail and the device is not back (stop the loop).
# Sets DETECTED (crashwork check or fsck found loss or damage), CW_END (how
# crashwork ended) and the figures RECORDS, VERIFIED, MISSING.
cut_once() {
    local fs=$1 c=$2 i=$3 seed=$4 how=$5 dir pid n prev
    dir=$MNT/i$i
    prev=$MNT/i$((i - 1))
    WHY=""
    DETECTED=0
    RECORDS=0
    VERIFIED=0
    MISSING=0
    CW_END=""
    rm -f "$T/check.out" "$T/check-prev.out" "$T/fsck.out"
    mount -t "$fs" "$DEV" $MNT || { WHY="mount before the cut failed"; return 1; }
    mkdir "$dir" && sync
    rm -f "$T/log.$i"
    # shellcheck disable=SC2086 # CW_OPTS is a list of words
    $CW run $CW_OPTS "$dir" "$T/log.$i" "$seed" 2>"$T/run.err" &
    pid=$!
    usleep "${CUT_AFTER_US:-200000}"
    if ! power_cut "$c" "$how"; then
        WHY="'$how' refused"
        kill -9 $pid
        wait $pid
        umount $MNT
        return 1
    fi
    # the device goes at the cut (at most 2.8 s from now), then its node
    n=0
    while { [ "$(power_state "$c")" != off ] || [ -b "$DEV" ]; } && [ $n -lt 300 ]; do
        usleep 100000
        n=$((n + 1))
    done
    [ "$(power_state "$c")" = off ] || WHY="power still reads $(power_state "$c") 30 s after '$how'"
    [ -b "$DEV" ] && WHY="${WHY:+$WHY; }$DEV still there 30 s after '$how'"
    if wait_for $pid 30; then
        CW_END="exit $WAIT_RC: $(tail -n 1 "$T/run.err")"
    else
        kill -9 $pid
        wait $pid
        CW_END="killed"
    fi
    if umount $MNT 2>/dev/null; then
        :
    elif umount -f $MNT 2>/dev/null; then
        CW_END="$CW_END; umount -f"
    else
        umount -l $MNT || WHY="${WHY:+$WHY; }umount -l failed"
        CW_END="$CW_END; umount -l"
    fi
    [ -z "$WHY" ] || { power_on "$c"; DEV=$(nv_wait_dev "$c" 1 60); return 1; }

    power_on "$c" || { WHY="power on refused"; return 2; }
    DEV=$(nv_wait_dev "$c" 1 60) || { WHY="no block device 60 s after power on"; return 2; }

    if [ "$fs" = btrfs ] && ! btrfs check "$DEV" >"$T/fsck.out" 2>&1; then
        WHY="btrfs check before mount: $(tail -n 3 "$T/fsck.out" | tr '\n' ' ')"
        DETECTED=1
    fi
    if ! mount -t "$fs" "$DEV" $MNT 2>"$T/mount.err"; then
        WHY="${WHY:+$WHY; }mount after the cut failed: $(head -c 200 "$T/mount.err")"
        DETECTED=1
        return 1
    fi
    if ! $CW check "$dir" "$T/log.$i" >"$T/check.out" 2>&1; then
        WHY="${WHY:+$WHY; }crashwork check: $(grep -c '^FAIL' "$T/check.out") failures, first: $(grep -m 1 -v '^crashwork check:' "$T/check.out")"
        ls -ln "$dir" >>"$T/check.out"
        DETECTED=1
    fi
    RECORDS=$(summary_num "$T/check.out" 'durable records')
    VERIFIED=$(summary_num "$T/check.out" 'bytes verified')
    MISSING=$(summary_num "$T/check.out" 'written bytes missing')
    if [ -d "$prev" ] && [ -f "$T/log.$((i - 1))" ]; then
        if ! $CW check "$prev" "$T/log.$((i - 1))" >"$T/check-prev.out" 2>&1; then
            WHY="${WHY:+$WHY; }previous cut's files: $(grep -m 1 -v '^crashwork check:' "$T/check-prev.out")"
            DETECTED=1
        fi
        rm -rf "$prev"
    fi
    rm -f "$T/log.$((i - 1))"
    umount $MNT || WHY="${WHY:+$WHY; }umount after the check failed"
    if ! fs_fsck "$fs" "$DEV" >"$T/fsck.out" 2>&1; then
        WHY="${WHY:+$WHY; }fsck: $(tail -n 3 "$T/fsck.out" | tr '\n' ' ')"
        DETECTED=1
    fi
    [ -z "$WHY" ]
}

# ---------------------------------------------------------------- the loops

K=0  # seeds: SEED0 * 1000 + K, K counting every cut of the run
for fs in $TYPES; do
    c=pw$fs
    Q=$P/$fs
    make_ctrl "$c" "$SIZE" buffer_kib=4096 || { t_fail "$Q"/setup "controller and namespace: see dmesg"; continue; }
    t_eq "$Q"/write-back "write back" "$(cat "/sys/block/${DEV#/dev/}/queue/write_cache")"
    t_check "$Q"/mkfs fs_mkfs "$fs" "$DEV" || { nv_rmctrl "$c"; continue; }
    us0=$(unsafe_shutdowns "$c")
    cuts=0 passed=0 records=0 verified=0 missing=0 start=$(now_ms)
    i=1
    while [ $i -le "$CUTS" ]; do
        K=$((K + 1))
        seed=$((SEED0 * 1000 + K))
        torn=""
        [ $((i % 2)) -eq 0 ] && torn="torn "
        how="cut ${torn}seed=$seed within=2800"
        lost0=$(nv_stat "$c"/1 power_lost_bytes)
        cut_once "$fs" "$c" $i $seed "$how"
        rc=$?
        cuts=$((cuts + 1))
        records=$((records + RECORDS))
        verified=$((verified + VERIFIED))
        missing=$((missing + MISSING))
        t_log "$fs cut $i ($how): crashwork $CW_END; $RECORDS durable records, $VERIFIED bytes verified, $MISSING written bytes missing; the device lost $(($(nv_stat "$c"/1 power_lost_bytes) - lost0)) bytes"
        if [ $rc -eq 0 ]; then
            t_pass "$Q"/cut-$i
            passed=$((passed + 1))
        else
            t_fail "$Q"/cut-$i "$how: $WHY"
            # the evidence, to build/vm/<name>.files/
            [ -f "$T/log.$i" ] && t_emit "$T/log.$i" "$fs-cut$i.crashwork.log"
            [ -f "$T/check.out" ] && t_emit "$T/check.out" "$fs-cut$i.check"
            [ -f "$T/fsck.out" ] && t_emit "$T/fsck.out" "$fs-cut$i.fsck"
            [ $rc -eq 2 ] && break
            # a broken file system: start again from mkfs
            if [ $DETECTED -eq 1 ]; then
                umount $MNT 2>/dev/null
                fs_mkfs "$fs" "$DEV" >/dev/null 2>&1
            fi
        fi
        i=$((i + 1))
    done
    t_eq "$Q"/unsafe-shutdowns $((us0 + cuts)) "$(unsafe_shutdowns "$c")"
    t_log "$fs: $passed of $cuts cuts passed in $((($(now_ms) - start) / 1000)) s; $records durable records and $verified bytes verified; $missing written (unsynced) bytes missing; the device: $(nv_stat "$c"/1 power_cuts) cuts, $(nv_stat "$c"/1 power_lost_writes) writes and $(nv_stat "$c"/1 power_lost_bytes) bytes lost, $(nv_stat "$c"/1 power_torn_kept) torn units kept, $(nv_stat "$c"/1 power_journal_overflows) journal overflows"
    rm -f "$T"/log.*
    t_check "$Q"/rmctrl nv_rmctrl "$c"
done

# ---------------------------------------------------------------- control

# ext4 on a lying device: Flush and FUA make nothing durable. mkfs with an
# honest device, then ignore_flush=1; slow NAND (2 channels x 1 LUN, 20 ms
# programs) behind a 64 MiB buffer, so most of what the workload wrote is
# still volatile when the power goes 0.5-2 s into it.
Q=$P/control
c=pwctl
if [ "$CONTROL_CUTS" -eq 0 ]; then
    t_log "control: skipped (POWER_FS_CONTROL_CUTS=0)"
elif make_ctrl "$c" "$SIZE" buffer_kib=65536 nr_channels=2 luns_per_channel=1 prog_ns=20000000; then
    t_check "$Q"/mkfs fs_mkfs ext4 "$DEV"
    t_check "$Q"/ignore-flush sh -c "echo 1 >$NV/$c/namespaces/1/ignore_flush"
    detected=0
    i=1
    while [ $i -le "$CONTROL_CUTS" ] && [ $detected -eq 0 ]; do
        K=$((K + 1))
        seed=$((SEED0 * 1000 + K))
        how="cut seed=$seed within=1500"
        CUT_AFTER_US=500000 cut_once ext4 "$c" $i $seed "$how"
        rc=$?
        t_log "control cut $i ($how): crashwork $CW_END; device: $(nv_stat "$c"/1 power_lost_bytes) bytes lost so far; ${WHY:-nothing lost}"
        [ $DETECTED -eq 1 ] && detected=$i
        [ $rc -eq 2 ] && break
        i=$((i + 1))
    done
    if [ $detected -gt 0 ]; then
        t_pass "$Q"/loss-detected
        t_log "control: loss detected at cut $detected: $WHY"
    else
        t_fail "$Q"/loss-detected "$((i - 1)) cuts on a device ignoring Flush and FUA and nothing was lost: the loop cannot fail"
    fi
    umount $MNT 2>/dev/null
    t_check "$Q"/rmctrl nv_rmctrl "$c"
else
    t_fail "$Q"/setup "controller and namespace with ignore_flush: see dmesg"
fi

rm -rf "$T"
echo "$WB0" >$VM/dirty_writeback_centisecs
echo "$EXP0" >$VM/dirty_expire_centisecs
t_check $P/rmmod rmmod nvmev
t_dmesg_clean $P/dmesg-clean
exit 0
