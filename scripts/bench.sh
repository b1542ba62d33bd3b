#!/usr/bin/env bash
# Benchmark nvmev against null_blk, brd and QEMU's NVMe in one QEMU (TCG) VM,
# and check the fidelity of its timing model.
#
#   scripts/bench.sh [--full] [--out DIR] [options]
#
#   --full            5 repetitions, 8 s runs, fidelity also at 10 and 50 us
#                     (~40 min; default "quick": 3 repetitions of 3 s runs,
#                     2 s for the timing-model runs: ~13 min on 2 host cores)
#   --out DIR         results folder (default build/bench/<timestamp>)
#   --reps N          override the repetitions            (development)
#   --runtime S       override the seconds per fio run    (development)
#   --devs LIST       subset of nvmev,null_blk,brd,qemu_nvme
#   --parts LIST      subset of matrix,idle,bypass,model,presets
#   --smp N           guest CPUs (default 4; at least 4). With 5 or more the
#                     matrix also runs nvmev with cpus=2,3,4 (a second I/O
#                     worker: rows "cpus=2,3,4" of "Throughput at queue
#                     depth"); CPUs 2 to 4 are then isolated
#   --timeout S       VM time limit (default 1500 quick, 5400 full; twice
#                     that with a baseline, 1.5 times with --smp 5 or more)
#   --baseline REF    compare with nvmev.ko built at git revision REF (HEAD~1,
#                     main, a commit id): both modules in one VM, as device
#                     nvmev_base beside nvmev, the matrix and idle parts run
#                     on each build in turn (the model and presets parts stay
#                     on the current build); the report opens with "nvmev
#                     against its baseline". Built once per commit and kernel
#                     in build/baseline/<sha>-<kernel>/ from a git archive
#                     export; the working tree is not touched
#   --baseline-ko F   the same with a module built elsewhere (file F)
#                     With either, the default repetitions are even (quick 4,
#                     full 6), so each build goes first equally often
#   --report-only DIR re-run scripts/bench_report.py on an existing folder
#
# Before/after an I/O path change, in one run (host noise makes two runs
# incomparable):
#   scripts/bench.sh --baseline main --parts matrix,idle
#
# Steps: make (nvmev.ko, tools/sim, tools/nvme-raw), scripts/vm/initramfs.sh, one VM booted with
# scripts/vm/run.sh --qemu-nvme 2G running tests/vm/bench.sh (mode passed as
# nvmev_bench=quick|full on the kernel command line), then
# scripts/bench_report.py writes DIR/results.md and DIR/*.png and prints the
# tables. Raw data: DIR/raw/ (fio JSON and counter snapshots), DIR/vm.log.
set -euo pipefail

# shellcheck source=scripts/vm/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/vm/common.sh"

MODE=quick
OUT=""
REPS=""
RUNTIME=""
DEVS=""
PARTS=""
TIMEOUT=""
REPORT_ONLY=""
BASELINE=""          # --baseline REF
BASELINE_KO=""       # --baseline-ko FILE, or the module built from REF
BASELINE_SHA=""
BASELINE_TMP=""      # an unfinished baseline build, removed on exit
MONITOR=""
SMP=4

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
    exit "${1:-0}"
}

say() { echo "bench: $*"; }

ARGS="$*"            # for host.txt: the loop below consumes them
while [ $# -gt 0 ]; do
    case "$1" in
        --full) MODE=full ;;
        --quick) MODE=quick ;;
        --out) OUT=$2; shift ;;
        --reps) REPS=$2; shift ;;
        --runtime) RUNTIME=$2; shift ;;
        --devs) DEVS=$2; shift ;;
        --parts) PARTS=$2; shift ;;
        --smp) SMP=$2; shift ;;
        --timeout) TIMEOUT=$2; shift ;;
        --report-only) REPORT_ONLY=$2; shift ;;
        --baseline) BASELINE=$2; shift ;;
        --baseline-ko) BASELINE_KO=$2; shift ;;
        -h | --help) usage 0 ;;
        *) echo "bench.sh: unknown argument $1" >&2; usage 2 ;;
    esac
    shift
done

# Python for the report: the first python3 that imports matplotlib (PATH's,
# then Debian's /usr/bin/python3); install python3-matplotlib when none does.
PY=python3
pick_python() {
    local p
    for p in python3 /usr/bin/python3; do
        if command -v "$p" >/dev/null && "$p" -c 'import matplotlib' 2>/dev/null; then
            PY=$p
            return 0
        fi
    done
    return 1
}

ensure_matplotlib() {
    pick_python && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "installing python3-matplotlib (for the plots)"
        if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-matplotlib >/dev/null 2>&1; then
            apt-get update -q >/dev/null 2>&1 || true
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-matplotlib >/dev/null 2>&1 || true
        fi
    fi
    pick_python ||
        say "matplotlib unavailable: plots skipped (apt-get install python3-matplotlib)"
}

report() {  # <dir>
    "$PY" "$NVMEV_ROOT/scripts/bench_report.py" "$1"
}

if [ -n "$REPORT_ONLY" ]; then
    ensure_matplotlib
    report "$REPORT_ONLY"
    exit $?
fi

case "$SMP" in
    '' | *[!0-9]*) echo "bench.sh: --smp $SMP: not a number" >&2; exit 2 ;;
esac
# nvmev needs CPUs 2 and 3, fio has 0 and 1
[ "$SMP" -ge 4 ] || { echo "bench.sh: --smp $SMP: at least 4" >&2; exit 2; }

if [ -n "$BASELINE" ] && [ -n "$BASELINE_KO" ]; then
    echo "bench.sh: --baseline and --baseline-ko exclude each other" >&2
    exit 2
fi
# The baseline is another build of nvmev: without nvmev there is nothing to
# compare it with.
if { [ -n "$BASELINE" ] || [ -n "$BASELINE_KO" ]; } && [ -n "$DEVS" ] &&
    [[ ",$DEVS," != *,nvmev,* ]]; then
    echo "bench.sh: a baseline needs nvmev among --devs ($DEVS)" >&2
    exit 2
fi
# Checked before anything is built
if [ -n "$BASELINE" ]; then
    BASELINE_SHA=$(git -C "$NVMEV_ROOT" rev-parse --verify --quiet "$BASELINE^{commit}") ||
        { echo "bench.sh: --baseline $BASELINE: no such commit" >&2; exit 2; }
fi
if [ -n "$BASELINE_KO" ] && [ ! -f "$BASELINE_KO" ]; then
    echo "bench.sh: --baseline-ko $BASELINE_KO: no such file" >&2
    exit 2
fi

# shellcheck disable=SC2317 # reached through the EXIT trap only
cleanup() {
    [ -z "$MONITOR" ] || kill "$MONITOR" 2>/dev/null || true
    [ -z "$BASELINE_TMP" ] || rm -rf "$BASELINE_TMP"
}
trap cleanup EXIT

# The module's kernel, from its vermagic: a module for another kernel would
# only fail at insmod, minutes into the VM run.
check_vermagic() {  # <nvmev.ko>
    local vm
    vm=$(modinfo -F vermagic "$1" 2>/dev/null) || { say "$1: not a kernel module"; exit 1; }
    [ "${vm%% *}" = "$KVER" ] || { say "$1 is built for ${vm%% *}, the guest runs $KVER"; exit 1; }
}

# nvmev.ko at git revision $BASELINE, in build/baseline/<sha>-<kernel>/,
# reused by later runs. The sources come from `git archive` into a fresh
# folder: no checkout, so neither the working tree nor the repository's list
# of worktrees (shared with every other worktree) changes, and an
# interrupted build leaves nothing registered anywhere. The folder gets its
# final name only once nvmev.ko is in it.
build_baseline() {
    local dir
    dir="$NVMEV_BUILD_DIR/baseline/$BASELINE_SHA-$KVER"
    BASELINE_KO="$dir/nvmev.ko"
    if [ -f "$BASELINE_KO" ]; then
        say "baseline $BASELINE (${BASELINE_SHA:0:7}): reusing ${BASELINE_KO#"$NVMEV_ROOT"/}"
        return 0
    fi
    say "baseline $BASELINE (${BASELINE_SHA:0:7}): building nvmev.ko from a git archive export"
    mkdir -p "$NVMEV_BUILD_DIR/baseline"
    BASELINE_TMP=$(mktemp -d "$NVMEV_BUILD_DIR/baseline/.tmp-${BASELINE_SHA:0:7}.XXXXXX")
    chmod 755 "$BASELINE_TMP"      # mktemp's 0700 would stay on the final folder
    mkdir "$BASELINE_TMP/src"
    git -C "$NVMEV_ROOT" archive --format=tar "$BASELINE_SHA" | tar -x -C "$BASELINE_TMP/src" ||
        { say "git archive $BASELINE_SHA failed"; exit 1; }
    make -C "$BASELINE_TMP/src" -j"$(nproc)" KDIR="/lib/modules/$KVER/build" \
        >"$OUT/build-baseline.log" 2>&1 ||
        { tail -n 30 "$OUT/build-baseline.log"; say "baseline module build failed"; exit 1; }
    cp "$BASELINE_TMP/src/nvmev.ko" "$BASELINE_TMP/nvmev.ko"
    cp "$OUT/build-baseline.log" "$BASELINE_TMP/build.log"
    rm -rf "$BASELINE_TMP/src"
    # A concurrent run of the same commit may have finished first: its
    # module is as good as ours.
    mv -T "$BASELINE_TMP" "$dir" 2>/dev/null || rm -rf "$BASELINE_TMP"
    BASELINE_TMP=""
}

START=$SECONDS
KVER=$(nvmev_kernel_version)
[ -n "$OUT" ] || OUT="$NVMEV_BUILD_DIR/bench/$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$OUT/raw"
OUT=$(cd "$OUT" && pwd)
# ABBA balances the order only over an even number of repetitions
if [ -n "$BASELINE$BASELINE_KO" ] && [ -z "$REPS" ]; then
    [ "$MODE" = full ] && REPS=6 || REPS=4
fi
if [ -z "$TIMEOUT" ]; then
    [ "$MODE" = full ] && TIMEOUT=5400 || TIMEOUT=1500
    # nvmev's share of the matrix and idle parts twice, one more repetition
    [ -z "$BASELINE$BASELINE_KO" ] || TIMEOUT=$((TIMEOUT * 2))
    # the cpus=2,3,4 runs, and TCG slower with more vCPUs than host cores
    [ "$SMP" -lt 5 ] || TIMEOUT=$((TIMEOUT * 3 / 2))
fi

# CPUs 2 and 3 belong to nvmev (cpus=2,3): isolated from the scheduler, as
# recommended for dedicated emulator CPUs (README); the peers' fio runs on
# CPUs 0 and 1 either way. Not nohz_full: with it the idle dispatcher cost
# 7.8% of one CPU over [1 s, 2 s] after the last I/O, against 1.4% without
# (two runs of this bench under TCG, 2026-12-02). With 5 CPUs or more,
# CPU 4 too: nvmev's second I/O worker in the cpus=2,3,4 runs.
ISOL=2,3
[ "$SMP" -lt 5 ] || ISOL=2,3,4
APPEND="nvmev_bench=$MODE isolcpus=$ISOL"
[ -z "$REPS" ] || APPEND+=" nvmev_bench_reps=$REPS"
[ -z "$RUNTIME" ] || APPEND+=" nvmev_bench_runtime=$RUNTIME"
[ -z "$DEVS" ] || APPEND+=" nvmev_bench_devs=$DEVS"
[ -z "$PARTS" ] || APPEND+=" nvmev_bench_parts=$PARTS"
[ -z "$BASELINE$BASELINE_KO" ] || APPEND+=" nvmev_bench_baseline=1"

say "results: $OUT"
{
    echo "command=scripts/bench.sh $ARGS"
    echo "mode=$MODE"
    echo "append=$APPEND"
    echo "smp=$SMP"
    echo "date_utc=$(date -u '+%Y-%m-%d %H:%M:%S')"
    echo "git=$(git -C "$NVMEV_ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$NVMEV_ROOT" diff --quiet HEAD -- '*.c' '*.h' 2>/dev/null || echo '+dirty')"
    echo "host_nproc=$(nproc)"
    echo "host_cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    echo "host_kernel=$(uname -r)"
    echo "qemu=$(qemu-system-x86_64 --version | head -n 1)"
    echo "other_qemu_at_start=$(pgrep -c qemu-system || true)"
    echo "loadavg_at_start=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/host.txt"

ensure_matplotlib

say "building nvmev.ko (make KDIR=/lib/modules/$KVER/build)"
make -C "$NVMEV_ROOT" -j"$(nproc)" KDIR="/lib/modules/$KVER/build" >"$OUT/build.log" 2>&1 ||
    { tail -n 30 "$OUT/build.log"; say "module build failed"; exit 1; }
say "building nvmev-sim (the models in userspace: expected figures of the presets)"
make -C "$NVMEV_ROOT/tools/sim" >>"$OUT/build.log" 2>&1 ||
    { tail -n 30 "$OUT/build.log"; say "nvmev-sim build failed"; exit 1; }
say "building nvme-raw-bench (the bypass part: a userspace driver through uio_pci_generic)"
make -C "$NVMEV_ROOT/tools/nvme-raw" >>"$OUT/build.log" 2>&1 ||
    { tail -n 30 "$OUT/build.log"; say "nvme-raw build failed"; exit 1; }

INITRAMFS_ARGS=(-k "$KVER" -m "$NVMEV_ROOT/nvmev.ko")
if [ -n "$BASELINE$BASELINE_KO" ]; then
    [ -z "$BASELINE" ] || build_baseline
    BASELINE_KO=$(realpath "$BASELINE_KO")
    check_vermagic "$BASELINE_KO"
    # srcversion: a digest of the module's sources; equal ones mean the two
    # builds compare the same code (an A/A run: every difference is noise)
    {
        echo "baseline_ref=$BASELINE"
        echo "baseline_sha=$BASELINE_SHA"
        echo "baseline_ko=$BASELINE_KO"
        echo "baseline_srcversion=$(modinfo -F srcversion "$BASELINE_KO" 2>/dev/null)"
        echo "nvmev_srcversion=$(modinfo -F srcversion "$NVMEV_ROOT/nvmev.ko" 2>/dev/null)"
    } >>"$OUT/host.txt"
    INITRAMFS_ARGS+=(-b "$BASELINE_KO")
fi

INITRD="$NVMEV_BUILD_DIR/bench/initramfs-$KVER.cpio.gz"
say "building the initramfs"
"$NVMEV_ROOT/scripts/vm/initramfs.sh" "${INITRAMFS_ARGS[@]}" -o "$INITRD" >"$OUT/initramfs.log" 2>&1 ||
    { tail -n 30 "$OUT/initramfs.log"; say "initramfs build failed"; exit 1; }

# Host load while the VM runs: other QEMUs share the 2 host cores.
(
    while sleep 15; do
        echo "$(date -u +%H:%M:%S) qemu=$(pgrep -c qemu-system || true) loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
    done
) >"$OUT/host-load.txt" 2>/dev/null &
MONITOR=$!

# Follow the VM's results port live; at each "#BENCH begin|end <tag>" mark
# of the guest, record the host CPU counters (schedstat: run ns, runnable-
# but-waiting ns) of every thread of our QEMU: vCPU threads are "CPU n/TCG".
host_probe() {  # <run.sh pid>
    local qpid="" line t comm run wait rest
    tail -n +1 -F -s 0.2 --pid="$1" "$NVMEV_VM_DIR/bench.out" 2>/dev/null |
        grep --line-buffered -a '^#BENCH ' | while IFS= read -r line; do
            line=${line%$'\r'}
            if [ -z "$qpid" ] || [ ! -d "/proc/$qpid" ]; then
                qpid=$(pgrep -n -f "^qemu-system-x86_64 .*-initrd $INITRD" || true)
                [ -n "$qpid" ] || continue
            fi
            printf '%s %s' "$EPOCHREALTIME" "${line#\#BENCH }"
            for t in /proc/"$qpid"/task/*; do
                # a thread may end between the glob and the read
                { read -r comm <"$t/comm"; } 2>/dev/null || continue
                { read -r run wait rest <"$t/schedstat"; } 2>/dev/null || continue
                printf ' %s:%s:%s' "${comm// /_}" "$run" "$wait"
            done
            echo " qemu_processes=$(pgrep -c qemu-system || true)"
        done
}

say "booting the VM ($MODE; $SMP CPUs; $APPEND; timeout ${TIMEOUT}s; console build/vm/bench.log)"
VM_START=$SECONDS
VM_STATUS=0
rm -f "$NVMEV_VM_DIR/bench.out"
"$NVMEV_ROOT/scripts/vm/run.sh" --name bench --initrd "$INITRD" --qemu-nvme 2G \
    --smp "$SMP" --timeout "$TIMEOUT" --append "$APPEND" --qemu-args "-name nvmev-bench,debug-threads=on" bench &
RUN_PID=$!
host_probe "$RUN_PID" >"$OUT/host-probe.txt" &
PROBE_PID=$!
wait "$RUN_PID" || VM_STATUS=$?
VM_SECONDS=$((SECONDS - VM_START))
wait "$PROBE_PID" 2>/dev/null || true
kill "$MONITOR" 2>/dev/null || true

rm -f "$NVMEV_VM_DIR/bench.qemu-nvme.img"
cp "$NVMEV_VM_DIR/bench.log" "$OUT/vm.log" 2>/dev/null || true
if [ -d "$NVMEV_VM_DIR/bench.files" ]; then
    cp "$NVMEV_VM_DIR/bench.files/"* "$OUT/raw/" 2>/dev/null || true
fi
{
    echo "vm_status=$VM_STATUS"
    echo "vm_seconds=$VM_SECONDS"
    echo "other_qemu_at_end=$(pgrep -c qemu-system || true)"
    echo "loadavg_at_end=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "max_qemu_during_incl_this=$(awk -F'qemu=' 'NF > 1 { split($2, a, " "); if (a[1] > m) m = a[1] } END { print m + 0 }' "$OUT/host-load.txt")"
} >>"$OUT/host.txt"
if [ "$VM_STATUS" -ne 0 ]; then
    say "WARNING: the VM did not finish cleanly (status $VM_STATUS); the report covers what it emitted"
fi
grep -a '@@RESULT FAIL' "$OUT/vm.log" 2>/dev/null | sed 's/^/bench: guest: /' || true

report "$OUT" || { say "report failed"; exit 1; }
echo "total_seconds=$((SECONDS - START))" >>"$OUT/host.txt"
say "done in $((SECONDS - START))s (VM ${VM_SECONDS}s); results: ${OUT#"$NVMEV_ROOT"/}/results.md"
exit "$VM_STATUS"
