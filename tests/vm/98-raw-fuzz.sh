#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2015,SC2086 # t_pass never fails; word lists
# nvme-raw-fuzz (tools/nvme-raw/fuzz.c) against nvmev with the nvme driver
# unbound: random and malformed commands, PRPs to forbidden memory and
# into guard pages, PRP lists that loop, doorbell abuse, Create/Delete
# queue sequences out of order, CC.EN = 0 and shutdowns with commands in
# flight.  Checks:
#  - the run passes: every command completed (or a Controller Fatal Status
#    that a reset cleared), no guard page, canary or page 0 changed;
#  - a second run with a fatal status armed (fault_cfs "after N") passes,
#    and its summary counts the fatal status the reset cleared;
#  - no kernel WARN/BUG; the nvme driver binds again; data written before
#    the fuzz outside the blocks the fuzzer may write is intact; fio with
#    crc32c verification passes.
# Knobs (kernel command line, run.sh --append): nvmev_fuzz_count=N
# (default 60000 commands), nvmev_fuzz_seed=N (default 1),
# nvmev_fuzz_batch=N (16).  The run's output is sent as raw-fuzz.txt.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=rawfuzz
F=/usr/bin/nvme-raw-fuzz
T=$T_TMP/rawfuzz
mkdir -p "$T"

knob() {  # <name> <default>: nvmev_<name>=N from the kernel command line
    local a v=""
    for a in $(cat /proc/cmdline); do
        case "$a" in "nvmev_$1="*) v=${a#*=} ;; esac
    done
    echo "${v:-$2}"
}
COUNT=$(knob fuzz_count 60000)
SEED=$(knob fuzz_seed 1)
BATCH=$(knob fuzz_batch 16)

[ -x "$F" ] || { t_fail $P/present "$F missing: make -C tools/nvme-raw, rebuild the initramfs"; t_dmesg_clean $P/dmesg-clean; exit 0; }
# the dispatcher polls every 100 us at most while idle (default 4 ms): the
# fuzzer's batches come with pauses, each of which would cost a slow wake-up
t_check $P/insmod nvmev_load idle_max_us=100 || { t_dmesg_clean $P/dmesg-clean; exit 0; }
[ -w /proc/sys/vm/compact_unevictable_allowed ] &&
    echo 0 >/proc/sys/vm/compact_unevictable_allowed
nv_configfs_mount
NS=$NVMEV_NS
BDF=$(basename "$(readlink -f "/sys/class/nvme/${NVMEV_CTRL#/dev/}/device")")
_nvmev_memmap_defaults
tobytes() { echo $(($(echo "$1" | sed 's/G$/*1073741824/; s/M$/*1048576/; s/K$/*1024/'))); }
RSTART=$(tobytes "$NVMEV_MEMMAP_START")
REND=$((RSTART + $(tobytes "$NVMEV_MEMMAP_SIZE")))

# the fuzzer writes blocks 0..16 MiB (its default); 4 MiB at 64 MiB are
# not its to write
head -c 4194304 /dev/urandom >"$T/keep.pat"
/usr/bin/dd if="$T/keep.pat" of="$NS" bs=1M seek=64 count=4 oflag=direct 2>/dev/null
t_check $P/unbind sh -c "echo $BDF >/sys/bus/pci/drivers/nvme/unbind"

# <name> <seconds> <args...>: one run, output in $T/<name>.txt
fuzz() {
    local name=$1 secs=$2 pid
    shift 2
    "$F" --forbid "$(printf '0x%x-0x%x' "$RSTART" "$REND")" "$@" "$BDF" >"$T/$name.txt" 2>&1 &
    pid=$!
    if ! wait_for $pid "$secs"; then
        kill $pid
        wait $pid
        echo "## killed after $secs s" >>"$T/$name.txt"
        WAIT_RC=124
    fi
    sed 's/^/## /' "$T/$name.txt" | grep -v '^##   0x' | head -n 40
    grep '^  0x' "$T/$name.txt" | sed 's/^/##/'
}

# TCG runs 500 to 900 commands a second: allow 4 ms each, at least 5 min
LIMIT=$((COUNT / 250 + 300))
t_log "fuzz: seed $SEED, $COUNT commands, batch $BATCH, limit $LIMIT s"
fuzz run "$LIMIT" --seed "$SEED" --count "$COUNT" --batch "$BATCH"
t_emit "$T/run.txt" raw-fuzz.txt
t_eq $P/fuzz-exit 0 "$WAIT_RC"
t_check $P/fuzz-pass grep -q "^PASS: seed $SEED, " "$T/run.txt"
t_check $P/fuzz-page0-checked grep -q 'page 0 through /dev/mem$' "$T/run.txt"

# a fatal status in the middle of a run: cleared by the fuzzer's reset
echo "after 3000" >"$NV/nvmev0/fault_cfs"
fuzz cfs 300 --seed $((SEED + 1)) --count 6000 --batch 8
echo off >"$NV/nvmev0/fault_cfs"
t_eq $P/cfs-fuzz-exit 0 "$WAIT_RC"
t_check $P/cfs-fuzz-pass grep -q "^PASS: seed $((SEED + 1)), " "$T/cfs.txt"
t_check $P/cfs-counted grep -Eq 'fatal statuses [1-9]' "$T/cfs.txt"

echo "$BDF" >/sys/bus/pci/drivers/nvme/bind
if nvme_wait_device "$NVMEV_MODEL_PATTERN" 20; then
    t_pass $P/rebind
    /usr/bin/dd if="$NVMEV_NS" of="$T/keep.now" bs=1M skip=64 count=4 iflag=direct 2>/dev/null
    if cmp -s "$T/keep.now" "$T/keep.pat"; then
        t_pass $P/data-intact
    else
        t_fail $P/data-intact "4 MiB at 64 MiB differ: $(cmp -l "$T/keep.now" "$T/keep.pat" 2>/dev/null | wc -l) bytes, first at $(cmp "$T/keep.now" "$T/keep.pat" 2>&1 | head -n 1); all zero now: $(is_zero "$T/keep.now" && echo yes || echo no)"
    fi
    t_check $P/fio-verify fio --name=after-fuzz --filename="$NVMEV_NS" --ioengine=libaio \
        --direct=1 --rw=randwrite --bs=4k --iodepth=16 --size=32M --offset=128M \
        --verify=crc32c --do_verify=1 --verify_fatal=1 --verify_dump=0
else
    t_fail $P/rebind "the nvme driver did not come back"
fi
t_check $P/rmmod nvmev_unload
t_dmesg_clean $P/dmesg-clean
rm -rf "$T"
exit 0
