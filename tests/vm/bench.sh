#!/bin/sh
# shellcheck shell=dash
# Benchmarks and fidelity of nvmev (run by scripts/bench.sh, not by the suite).
#
# Kernel command line parameters:
#   nvmev_bench=quick|full     preset (default quick)
#   nvmev_bench_reps=N         repetitions            (quick 3, full 5)
#   nvmev_bench_runtime=S      seconds per fio run    (quick 3 and 2 for the
#                              timing-model runs, full 8)
#   nvmev_bench_devs=a,b       subset of nvmev,null_blk,brd,qemu_nvme
#   nvmev_bench_parts=a,b      subset of matrix,idle,bypass,model,presets
#                              (default all)
#   nvmev_bench_baseline=1     also the device nvmev_base: nvmev loaded from
#                              /lib/modules/nvmev-base.ko, another build
#                              (scripts/bench.sh --baseline REF), on the same
#                              storage. Only one nvmev is loaded at a time, so
#                              each repetition of the matrix and idle parts
#                              runs on one build, swaps modules, runs on the
#                              other (the order alternating: ABBA), then on
#                              the other devices; the model and presets parts
#                              use the current build
#
# With 5 or more guest CPUs (scripts/bench.sh --smp 5) the matrix part also
# runs the QD32 jobs of CPUS3_JOBS on nvmev loaded with cpus=2,3,4 (config
# "cpus3": one dispatcher, two I/O workers; the same parameters and storage),
# on each build, in every repetition; with 4 CPUs they are skipped.
#
# Every fio run writes <tag>.fio.json (fio --output-format=json) and
# <tag>.snap (raw /proc counters before and after the run: /proc/stat,
# /proc/schedstat, the nvmev threads' /proc/<pid>/stat and schedstat, the
# device's /sys/block/<dev>/stat, the nvme lines of /proc/interrupts, the
# io_interrupts line of nvmev's controller stats in configfs when the build
# has one, and "now" from /proc/timer_list); both are sent to the host with
# t_emit. scripts/bench_report.py turns them into tables.
# Word splitting of the space-separated lists ($DEVS, $THREAD_PIDS, fio
# arguments) is intended; DEV_<name> are read through eval (dev_path).
# shellcheck disable=SC2086,SC2034
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

OUT=/tmp/bench
mkdir -p "$OUT"

cmdline_arg() {  # <name> <default>
    local arg cmdline
    read -r cmdline </proc/cmdline
    for arg in $cmdline; do
        case "$arg" in "$1"=*) echo "${arg#*=}"; return 0 ;; esac
    done
    echo "$2"
}

MODE=$(cmdline_arg nvmev_bench quick)
case "$MODE" in
    full) REPS=5; RUNTIME=8; MODEL_RUNTIME=8; FID_DELAYS="10000 50000 100000 1000000"
        FID_IOS=10000
        SPIN0_JOBS="rr4k_qd1 rr4k_qd1_think" ;;
    *) MODE=quick; REPS=3; RUNTIME=3; MODEL_RUNTIME=2; FID_DELAYS="100000 1000000"
        FID_IOS=2000
        SPIN0_JOBS="rr4k_qd1" ;;
esac
REPS=$(cmdline_arg nvmev_bench_reps "$REPS")
RUNTIME=$(cmdline_arg nvmev_bench_runtime "$RUNTIME")
MODEL_RUNTIME=$(cmdline_arg nvmev_bench_runtime "$MODEL_RUNTIME")
DEVS=$(cmdline_arg nvmev_bench_devs "nvmev,null_blk,brd,qemu_nvme" | tr ',' ' ')
PARTS=$(cmdline_arg nvmev_bench_parts "matrix,idle,bypass,model,presets" | tr ',' ' ')
BASELINE=$(cmdline_arg nvmev_bench_baseline 0)
NVMEV_KO_CUR=$NVMEV_KO
NVMEV_KO_BASE=/lib/modules/nvmev-base.ko

REGION=1g                 # every device: offsets 0 .. 1 GiB
FIO_CPUS=0,1              # fio threads (one job: CPU 0 only); nvmev owns CPUs 2 (dispatcher), 3 (I/O worker)
NVMEV_CPUS=2,3            # also nvmev_load's default (tests/vm/lib.sh)
NVMEV_CPUS3=2,3,4         # config "cpus3": a second I/O worker, with 5 or more guest CPUs
CPUS3_JOBS="rr4k_qd32 rr4k_qd32_j2 rr4k_qd32_j4 rw4k_qd32"
CPUS3=""                  # set by setup_devices when the guest has the CPUs
PCT="50:99:99.9"
PCT_FINE="1:5:10:20:30:40:50:60:70:80:90:95:99:99.5:99.9"
ZERO="read_delay=0 read_time=0 read_trailing=0 write_delay=0 write_time=0 write_trailing=0"
SPIN_HUGE=100000000       # 100 s: the dispatcher never sleeps during a run
THINK=5ms                 # think time of the "every I/O finds the dispatcher asleep" job
JOBS="rr4k_qd1 rr4k_qd32 rw4k_qd1 rw4k_qd32 sr128k_qd8 sw128k_qd8 rr4k_qd32_j2 rr4k_qd32_j4 rw4k_qd32_j2 rw4k_qd32_j4 rr4k_qd1_poll rr4k_qd32_poll"

NULL_BLK_ARGS="nr_devices=1 memory_backed=1 gb=1 bs=512 queue_mode=2 irqmode=0 submit_queues=4 poll_queues=1 hw_queue_depth=256 no_sched=1"
BRD_ARGS="rd_nr=1 rd_size=1048576"

has_word() {  # <word> <list...>
    local w=$1
    shift
    for x in "$@"; do [ "$x" = "$w" ] && return 0; done
    return 1
}

job_args() {  # <job>
    local rnd="--norandommap --randrepeat=0"
    case "$1" in
        rr4k_qd1) echo "--rw=randread --bs=4k --iodepth=1 $rnd --percentile_list=$PCT_FINE" ;;
        rr4k_qd1_think) echo "--rw=randread --bs=4k --iodepth=1 $rnd --thinktime=$THINK --percentile_list=$PCT" ;;
        rr4k_qd32) echo "--rw=randread --bs=4k --iodepth=32 $rnd --percentile_list=$PCT" ;;
        rw4k_qd1) echo "--rw=randwrite --bs=4k --iodepth=1 $rnd --percentile_list=$PCT" ;;
        rw4k_qd32) echo "--rw=randwrite --bs=4k --iodepth=32 $rnd --percentile_list=$PCT" ;;
        sr128k_qd8) echo "--rw=read --bs=128k --iodepth=8 --percentile_list=$PCT" ;;
        sw128k_qd8) echo "--rw=write --bs=128k --iodepth=8 --percentile_list=$PCT" ;;
        sr128k_qd32) echo "--rw=read --bs=128k --iodepth=32 --percentile_list=$PCT" ;;
        sw128k_qd32) echo "--rw=write --bs=128k --iodepth=32 --percentile_list=$PCT" ;;
        rr4k_qd32_j2) echo "--rw=randread --bs=4k --iodepth=32 --numjobs=2 $rnd --percentile_list=$PCT" ;;
        rr4k_qd32_j4) echo "--rw=randread --bs=4k --iodepth=32 --numjobs=4 $rnd --percentile_list=$PCT" ;;
        rw4k_qd32_j2) echo "--rw=randwrite --bs=4k --iodepth=32 --numjobs=2 $rnd --percentile_list=$PCT" ;;
        rw4k_qd32_j4) echo "--rw=randwrite --bs=4k --iodepth=32 --numjobs=4 $rnd --percentile_list=$PCT" ;;
        rr4k_qd1_poll) echo "--rw=randread --bs=4k --iodepth=1 $rnd --ioengine=io_uring --hipri --percentile_list=$PCT_FINE" ;;
        rr4k_qd32_poll) echo "--rw=randread --bs=4k --iodepth=32 $rnd --ioengine=io_uring --hipri --percentile_list=$PCT" ;;
        *) echo "## bench: unknown job $1" >&2; return 1 ;;
    esac
}

# ---------------------------------------------------------------- counters

THREAD_PIDS=""

# PIDs of the nvmev kernel threads (nvmev<N>_disp, nvmev<N>_io<M>).
find_nvmev_threads() {
    local d c
    THREAD_PIDS=""
    for d in /proc/[0-9]*; do
        c=$(cat "$d/comm" 2>/dev/null) || continue
        case "$c" in
            nvmev*_disp | nvmev*_io*) THREAD_PIDS="$THREAD_PIDS ${d#/proc/}" ;;
        esac
    done
    t_log "nvmev threads:$(for p in $THREAD_PIDS; do printf ' %s=%s' "$(cat /proc/"$p"/comm)" "$p"; done)"
}

# snap.sh <file> <label> <block device name|-> [<pid>...]: write one
# snapshot to <file>.<its pid>: "== <label>", then "<path>:<line>" for the
# counters (one grep reads them all within microseconds), between two
# readings of "now". merge_snaps appends the pieces to <file>. A script, not
# a function: fio runs it as exec_prerun/exec_postrun (once per job), so the
# snapshots bracket the I/O phase without fio's start-up and exit. Few
# processes: each fork+exec costs tens of ms under TCG.
# The interrupt counters (the nvme lines of /proc/interrupts, the
# io_interrupts line of every nvmev controller's configfs stats, absent in
# older builds) only around fio runs (labels before and after), read outside
# the window between the "now" readings, so the extra grep adds no CPU time
# to the run's counters and none to the idle windows.
SNAP=$OUT/snap.sh
cat >"$SNAP" <<'SNAP_EOF'
f=$1; label=$2; dev=$3; shift 3
files=""
for p in "$@"; do files="$files /proc/$p/schedstat /proc/$p/stat /proc/$p/comm"; done
[ "$dev" = - ] || files="$files /sys/block/$dev/stat"
irqs() {
    grep -H -e nvme -e '^io_interrupts ' /proc/interrupts /sys/kernel/config/nvmev/*/stats 2>/dev/null
}
{
    echo "== $label"
    [ "$label" != before ] || irqs
    grep -m 1 -H 'now at' /proc/timer_list
    grep -H '' /proc/stat /proc/schedstat $files 2>/dev/null
    grep -m 1 -H 'now at' /proc/timer_list
    [ "$label" != after ] || irqs
} >"$f.$$"
SNAP_EOF

snapshot() {  # <file> <label> [<block device name>]
    sh "$SNAP" "$1" "$2" "${3:--}" $THREAD_PIDS
}

merge_snaps() {  # <file>
    cat "$1".* >>"$1" 2>/dev/null
    rm -f "$1".*
}

# "#BENCH begin|end <tag>" on the results port: scripts/bench.sh follows the
# port live and samples the QEMU threads' host CPU counters at each mark.
host_mark() {  # begin|end <tag>
    [ -c "$T_RESULTS_PORT" ] && echo "#BENCH $1 $2" >"$T_RESULTS_PORT"
    return 0
}

# ---------------------------------------------------------------- devices

DEV_nvmev=""
DEV_null_blk=""
DEV_brd=""
DEV_qemu_nvme=""
DEV_nvmev_base=""
NVMEV_CFG=""
NVMEV_BUILD=""            # the build loaded now: nvmev, nvmev_base or empty

dev_path() { eval "echo \$DEV_$1"; }

# The NVMe controller (nvmeY) behind block device <name> (nvmeXn1), whose
# interrupts are named nvmeYq<N>: with native multipath (Debian's default)
# the one of its path nvmeXcYn1, else its parent device. Nothing for other
# devices.
nvme_ctrl_of() {  # <block device name>
    local p
    for p in /sys/block/"$1"/multipath/nvme*; do
        [ -e "$p" ] || continue
        p=${p##*/}
        p=${p%n*}
        echo "nvme${p##*c}"
        return 0
    done
    p=$(readlink /sys/block/"$1"/device 2>/dev/null) || return 0
    case "${p##*/}" in nvme[0-9]*) echo "${p##*/}" ;; esac
    return 0
}

set_scheduler_none() {  # <block device path>
    local f="/sys/block/${1#/dev/}/queue/scheduler"
    [ -w "$f" ] && echo none >"$f" 2>/dev/null
    [ -r "$f" ] && t_log "$1 scheduler: $(cat "$f")"
    return 0
}

# Load build <nvmev|nvmev_base> with <params> in place of the nvmev loaded
# now: both are module "nvmev", one at a time. Sets DEV_<build> and finds the
# new threads. cpus=$NVMEV_CPUS unless <params> name other CPUs.
load_build() {  # <build> <config name> <params...>
    local build=$1 cfg=$2 st
    shift 2
    NVMEV_BUILD=""
    NVMEV_CFG=""
    if lsmod | grep -q '^nvmev '; then
        nvmev_unload || return 1
    fi
    [ "$build" = nvmev ] || NVMEV_KO=$NVMEV_KO_BASE
    nvmev_load "$@"
    st=$?
    NVMEV_KO=$NVMEV_KO_CUR
    [ "$st" -eq 0 ] || return 1
    eval "DEV_$build=\$NVMEV_NS"
    NVMEV_BUILD=$build
    NVMEV_CFG=$cfg
    set_scheduler_none "$NVMEV_NS"
    find_nvmev_threads
}

load_nvmev() {  # <config name> <params...>: the current build
    load_build nvmev "$@"
}

# The nvme driver with one poll queue, for polled (io_uring --hipri) runs:
# the submitting CPU then never halts while it waits for a command.
nvme_poll_queue() {
    [ "$(cat /sys/module/nvme/parameters/poll_queues 2>/dev/null)" = 1 ] && return 0
    rmmod nvme 2>/dev/null
    modprobe nvme poll_queues=1 || { t_fail bench/nvme-poll-queues "modprobe nvme poll_queues=1 failed"; return 1; }
}

setup_devices() {
    local d n
    nvme_poll_queue
    # nvmev's controller stats (io_interrupts) are in configfs
    nv_configfs_mount
    n=$(grep -c '^processor' /proc/cpuinfo)
    if [ "$n" -ge 5 ]; then
        CPUS3=$NVMEV_CPUS3
    elif has_word matrix $PARTS && has_word nvmev $DEVS; then
        t_log "the guest has $n CPUs: the runs of nvmev with cpus=$NVMEV_CPUS3 (config cpus3: $CPUS3_JOBS) need 5, skipped"
    fi
    if has_word qemu_nvme $DEVS; then
        if nvme_wait_device "QEMU NVMe" 20 >/dev/null; then
            DEV_qemu_nvme=$NVMEV_NS
            set_scheduler_none "$DEV_qemu_nvme"
        else
            t_log "no QEMU NVMe controller: qemu_nvme skipped"
        fi
        NVMEV_CTRL=""
        NVMEV_NS=""
    fi
    if has_word null_blk $DEVS; then
            if modprobe null_blk $NULL_BLK_ARGS; then
            DEV_null_blk=/dev/nullb0
            set_scheduler_none "$DEV_null_blk"
        else
            t_log "modprobe null_blk failed"
        fi
    fi
    if has_word brd $DEVS; then
            if modprobe brd $BRD_ARGS; then
            DEV_brd=/dev/ram0
        else
            t_log "modprobe brd failed"
        fi
    fi
    if has_word nvmev $DEVS; then
            load_nvmev base $ZERO || t_log "nvmev load failed"
    fi
    # the baseline: loaded in its turn, on the storage nvmev leaves behind
    if [ "$BASELINE" = 1 ] && [ -n "$DEV_nvmev" ]; then
        if [ -f "$NVMEV_KO_BASE" ]; then
            DEV_nvmev_base=$DEV_nvmev
            DEVS=$(echo " $DEVS " | sed 's/ nvmev / nvmev nvmev_base /')
        else
            t_fail bench/baseline-module "$NVMEV_KO_BASE missing: no baseline runs"
        fi
    fi
    ACTIVE=""
    for d in $DEVS; do
        [ -n "$(dev_path "$d")" ] && [ -b "$(dev_path "$d")" ] && ACTIVE="$ACTIVE $d"
    done
    t_log "devices:$(for d in $ACTIVE; do printf ' %s=%s' "$d" "$(dev_path "$d")"; done)"
}

# Write the first 1 GiB of a device (of every device: precondition) so that
# reads hit written data.
precondition_dev() {  # <device name>
    local d=$1 path start
    path=$(dev_path "$d")
    start=$(cut -d' ' -f1 /proc/uptime)
    fio --name=precondition --filename="$path" --ioengine=libaio --direct=1 \
        --rw=write --bs=1m --iodepth=8 --size=$REGION --cpus_allowed=$FIO_CPUS \
        --output-format=terse >/dev/null 2>"$OUT/pre.err" ||
        t_log "precondition $d failed: $(tail -n 2 "$OUT/pre.err")"
    echo "precondition_s.$d=$(awk -v a="$start" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { print b - a }')" >>"$OUT/info.txt"
}

precondition() {
    local d
    for d in $ACTIVE; do
        # nvmev_base is nvmev's storage under the other build
        [ "$d" = nvmev_base ] || precondition_dev "$d"
    done
    # checked after each reload of nvmev: the other build, or cpus3
    if [ -n "$DEV_nvmev_base" ] || { [ -n "$CPUS3" ] && [ -n "$DEV_nvmev" ]; }; then
        write_marker
    fi
}

# ---------------------------------------------------------------- two builds

# Both builds of nvmev share the storage: the same memmap region, loaded
# without wipe, keeps its data across loads. A marker of 1 MiB of random data
# just past the region the jobs write shows whether it did after a swap.
MARK_MB=1024
MARK_SUM=""
SWAPS=$OUT/swaps.txt

read_marker() {  # of the build loaded now
    dd if="$(dev_path "$NVMEV_BUILD")" bs=1M count=1 skip=$MARK_MB iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1
}

write_marker() {  # through the build loaded now
    local path
    path=$(dev_path "$NVMEV_BUILD")
    MARK_SUM=""
    [ "$(blockdev --getsize64 "$path")" -ge $(((MARK_MB + 1) * 1048576)) ] ||
        { t_log "nvmev too small for the data marker: not checked across swaps"; return 0; }
    dd if=/dev/urandom of="$path" bs=1M count=1 seek=$MARK_MB iflag=fullblock oflag=direct 2>/dev/null &&
        MARK_SUM=$(read_marker)
}

# The order of the builds in repetition <rep>: the current one first in odd
# repetitions, the baseline first in even ones (ABBA), so a drift of the
# host weighs on both alike; a repetition starts with the build the one
# before it ended with, so it costs one swap.
build_order() {  # <rep>
    if [ $(($1 % 2)) -eq 1 ]; then echo "nvmev nvmev_base"; else echo "nvmev_base nvmev"; fi
}

# Build <nvmev|nvmev_base> loaded with the matrix's parameters in config
# <cfg> (default base; cpus3: <params> cpus=2,3,4), its storage as the last
# load left it (else written again). A build that does not load in config
# base leaves ACTIVE, once; in another config only that config's runs of
# this repetition are left out. One line per load in swaps.txt.
use_build() {  # <build> <rep> [<cfg> <params...>]
    local b=$1 rep=$2 cfg=${3:-base} start kept=yes size
    shift 2
    [ $# -eq 0 ] || shift
    [ "$NVMEV_BUILD" = "$b" ] && [ "$NVMEV_CFG" = "$cfg" ] && return 0
    start=$(cut -d' ' -f1 /proc/uptime)
    if ! load_build "$b" "$cfg" $ZERO "$@"; then
        if [ "$cfg" = base ]; then
            t_fail "bench/load-$b" "r$rep: loading $b failed: its runs are left out from here on"
            ACTIVE=$(for d in $ACTIVE; do [ "$d" = "$b" ] || printf ' %s' "$d"; done)
        else
            t_fail "bench/load-$b-$cfg" "r$rep: loading $b with $* failed: its $cfg runs of r$rep are left out"
        fi
        echo "r$rep $b cfg=$cfg load=failed" >>"$SWAPS"
        return 1
    fi
    size=$(blockdev --getsize64 "$NVMEV_NS")
    if [ -n "$MARK_SUM" ] && [ "$(read_marker)" != "$MARK_SUM" ]; then
        kept=no
        t_log "r$rep: $b ($cfg) did not find the data the last load left: writing $REGION again"
        precondition_dev "$b"
        write_marker
    fi
    echo "r$rep $b cfg=$cfg load_s=$(awk -v a="$start" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { print b - a }') bytes=$size data_kept=$kept" >>"$SWAPS"
}

write_info() {
    local f=$OUT/info.txt p
    {
        echo "mode=$MODE"
        echo "reps=$REPS"
        echo "runtime_s=$RUNTIME"
        echo "model_runtime_s=$MODEL_RUNTIME"
        echo "region=$REGION"
        echo "fio_cpus=$FIO_CPUS"
        echo "nvmev_cpus=$NVMEV_CPUS"
        if [ -n "$CPUS3" ]; then
            echo "nvmev_cpus3=$CPUS3"
            echo "cpus3_jobs=$CPUS3_JOBS"
        fi
        echo "think=$THINK"
        echo "spin_huge_us=$SPIN_HUGE"
        echo "fid_delays_ns=$FID_DELAYS"
        echo "null_blk_args=$NULL_BLK_ARGS"
        echo "brd_args=$BRD_ARGS"
        echo "nvmev_params=$ZERO"
        if [ -n "$DEV_nvmev_base" ]; then
            echo "baseline_ko=$NVMEV_KO_BASE"
            echo "ko_md5.nvmev=$(md5sum <"$NVMEV_KO_CUR" | cut -d' ' -f1)"
            echo "ko_md5.nvmev_base=$(md5sum <"$NVMEV_KO_BASE" | cut -d' ' -f1)"
        fi
        echo "kernel=$(uname -r)"
        echo "fio=$(fio --version)"
        echo "ncpus=$(grep -c '^processor' /proc/cpuinfo)"
        echo "cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
        echo "mem_total_kb=$(awk '/MemTotal/ { print $2 }' /proc/meminfo)"
        echo "nvme_irqs=$(grep nvme /proc/interrupts | awk '{ print $NF }' | tr '\n' ' ')"
        echo "cmdline=$(cat /proc/cmdline)"
        echo "devices=$ACTIVE"
        for d in $ACTIVE; do
            p=$(dev_path "$d")
            echo "dev.$d=$p"
            echo "dev_bytes.$d=$(blockdev --getsize64 "$p" 2>/dev/null)"
            echo "dev_lbs.$d=$(blockdev --getss "$p" 2>/dev/null)"
            echo "dev_sched.$d=$(cat /sys/block/"${p#/dev/}"/queue/scheduler 2>/dev/null)"
            echo "dev_nr_hw_queues.$d=$(find /sys/block/"${p#/dev/}"/mq -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
        done
        for p in /sys/module/null_blk/parameters/*; do
            [ -r "$p" ] && echo "null_blk.${p##*/}=$(cat "$p")"
        done
    } >"$f"
}

# ---------------------------------------------------------------- runs

SEQ=0

# One fio run; emits <tag>.fio.json and <tag>.snap.
run_fio() {  # <set> <rep> <job> <dev>
    local set=$1 rep=$2 job=$3 dev=$4 path tag args snap cfg="" cpus ctrl=""
    path=$(dev_path "$dev")
    case "$dev" in
        nvmev | nvmev_base)
            # never a run labelled with the build that is not loaded
            [ "$dev" = "$NVMEV_BUILD" ] || { t_log "run_fio $job: $dev is not loaded"; return 1; }
            cfg=$NVMEV_CFG ;;
    esac
    SEQ=$((SEQ + 1))
    tag="$set-r$rep-$job-$dev${cfg:+-$cfg}"
    RUN_S=$RUNTIME
    [ "$set" != model ] || RUN_S=$MODEL_RUNTIME
    args=$(job_args "$job") || return 1
    case "${path#/dev/}" in nvme*) ctrl=$(nvme_ctrl_of "${path#/dev/}") ;; esac
    cpus=0
    case "$args" in *--numjobs=*) cpus=$FIO_CPUS ;; esac
    snap=$OUT/$tag.snap
    rm -f "$snap"
    {
        echo "set=$set"
        echo "rep=$rep"
        echo "job=$job"
        echo "dev=$dev"
        echo "cfg=$cfg"
        echo "seq=$SEQ"
        echo "path=$path"
        echo "nvme_ctrl=$ctrl"
        echo "args=$args"
        [ -z "$cfg" ] || echo "nvmev_params=$(cd /sys/module/nvmev/parameters && grep -H '' ./* | sed 's|^\./||' | tr '\n' ' ')"
    } >"$snap"
    host_mark begin "$tag"
    fio --name="$job" --filename="$path" --ioengine=libaio --direct=1 \
        --time_based --runtime="$RUN_S" --offset=0 --size=$REGION \
        --group_reporting --cpus_allowed=$cpus --eta=never \
        --exec_prerun="sh $SNAP $snap before ${path#/dev/} $THREAD_PIDS" \
        --exec_postrun="sh $SNAP $snap after ${path#/dev/} $THREAD_PIDS" \
        --output-format=json --output="$OUT/$tag.fio.json" $args 2>"$OUT/$tag.err"
    echo "fio_status=$?" >>"$snap"
    host_mark end "$tag"
    merge_snaps "$snap"
    [ ! -s "$OUT/$tag.err" ] || t_log "$tag fio stderr: $(tail -n 3 "$OUT/$tag.err" | tr '\n' ' ')"
    t_log "$tag done"
    t_emit "$OUT/$tag.fio.json" "$tag.fio.json"
    t_emit "$snap" "$tag.snap"
    rm -f "$OUT/$tag.fio.json" "$snap" "$OUT/$tag.err"
}

# Idle cost: one short burst of direct reads on <dev>, then counters at
# t0 (burst done), t0+100 ms, t0+1 s and t0+2 s.
measure_idle() {  # <rep> <dev>
    local rep=$1 dev=$2 path snap t0 t1 left
    path=$(dev_path "$dev")
    snap=$OUT/idle-r$rep-$dev.snap
    { echo "set=idle"; echo "rep=$rep"; echo "dev=$dev"; echo "cfg=$NVMEV_CFG"; } >"$snap"
    dd if="$path" of=/dev/null bs=4k count=256 iflag=direct 2>/dev/null
    snapshot "$snap" t0 "${path#/dev/}"
    host_mark begin "idle-r$rep-$dev"
    usleep 100000
    snapshot "$snap" t100ms "${path#/dev/}"
    merge_snaps "$snap"
    # "/proc/timer_list:now at <ns> nsecs": t0 is the earliest reading
    t0=$(awk '/now at/ && (m == "" || $3 < m) { m = $3 } END { print m }' "$snap")
    t1=$(awk '/now at/ && $3 > m { m = $3 } END { print m }' "$snap")
    left=$(( (1000000000 - (t1 - t0)) / 1000 ))
    [ "$left" -le 0 ] || usleep "$left"
    snapshot "$snap" t1s "${path#/dev/}"
    usleep 1000000
    snapshot "$snap" t2s "${path#/dev/}"
    host_mark end "idle-r$rep-$dev"
    merge_snaps "$snap"
    t_emit "$snap" "idle-r$rep-$dev.snap"
    rm -f "$snap"
}

# ---------------------------------------------------------------- bypass

# Kernel bypass (part "bypass"): on nvmev and QEMU's NVMe, 4 KiB random
# reads at QD1 and QD32 through the kernel (fio libaio; fio io_uring
# polled, --hipri on the nvme driver's poll queue) and around it:
# nvme-raw-bench (tools/nvme-raw; polled, interrupts off) on the function
# unbound from nvme and bound to uio_pci_generic, on CPU 0 as fio, over
# the same 1 GiB, for the same time, in the same repetition; then nvme
# bound again.
BYPASS_JOBS="rr4k_qd1 rr4k_qd32 rr4k_qd1_poll rr4k_qd32_poll"

bypass_bind() {  # <bdf> <driver>: through driver_override
    local tries=50
    echo "$2" >"/sys/bus/pci/devices/$1/driver_override" &&
        echo "$1" >"/sys/bus/pci/drivers/$2/bind" || return 1
    while [ ! -e "/sys/bus/pci/devices/$1/driver" ] && [ $tries -gt 0 ]; do
        usleep 100000
        tries=$((tries - 1))
    done
    [ -e "/sys/bus/pci/devices/$1/driver" ]
}

bypass_unbind() {  # <bdf>
    local tries=50 drv
    drv=$(basename "$(readlink -f "/sys/bus/pci/devices/$1/driver")")
    echo "$1" >"/sys/bus/pci/drivers/$drv/unbind"
    while [ -e "/sys/bus/pci/devices/$1/driver" ] && [ $tries -gt 0 ]; do
        usleep 100000
        tries=$((tries - 1))
    done
    echo >"/sys/bus/pci/devices/$1/driver_override"
    [ ! -e "/sys/bus/pci/devices/$1/driver" ]
}

# nvme-raw-bench on <dev> at QD1 and QD32 for $RUNTIME s each; emits
# bypass-r<rep>-raw-<dev>.txt ("nvr-bench ..." lines) and sets DEV_<dev>
# to the block device nvme gives the function again.
bypass_raw() {  # <rep> <dev>
    local rep=$1 dev=$2 path ctrl bdf tag e ns tries=100
    path=$(dev_path "$dev")
    ctrl=$(nvme_ctrl_of "${path#/dev/}")
    bdf=$(basename "$(readlink -f "/sys/class/nvme/$ctrl/device")")
    tag="bypass-r$rep-raw-$dev"
    if ! bypass_unbind "$bdf" || ! bypass_bind "$bdf" uio_pci_generic; then
        t_fail "bench/bypass-uio-$dev" "r$rep: $bdf not handed to uio_pci_generic"
        return 1
    fi
    host_mark begin "$tag"
    taskset 1 nvme-raw-bench "$bdf" --qd 1,32 --time "$RUNTIME" --range $REGION \
        >"$OUT/$tag.txt" 2>&1 || t_log "$tag: nvme-raw-bench failed: $(tail -n 2 "$OUT/$tag.txt")"
    host_mark end "$tag"
    t_emit "$OUT/$tag.txt" "$tag.txt"
    t_log "$tag done"
    rm -f "$OUT/$tag.txt"
    if ! bypass_unbind "$bdf" || ! echo "$bdf" >/sys/bus/pci/drivers/nvme/bind; then
        t_fail "bench/bypass-rebind-$dev" "r$rep: nvme did not take $bdf back"
        return 1
    fi
    while [ $tries -gt 0 ]; do
        for e in /sys/bus/pci/devices/"$bdf"/nvme/nvme*; do
            [ -e "$e" ] || continue
            ns=$(_nvme_ctrl_namespace "${e##*/}") || continue
            if [ -b "/dev/$ns" ]; then
                eval "DEV_$dev=/dev/\$ns"
                set_scheduler_none "/dev/$ns"
                return 0
            fi
        done
        usleep 200000
        tries=$((tries - 1))
    done
    t_fail "bench/bypass-rebind-$dev" "r$rep: no block device after nvme bound $bdf again"
    ACTIVE=$(for d in $ACTIVE; do [ "$d" = "$dev" ] || printf ' %s' "$d"; done)
    return 1
}

measure_bypass() {
    local rep=1 d job
    if ! modprobe uio_pci_generic || ! command -v nvme-raw-bench >/dev/null; then
        t_fail bench/bypass "uio_pci_generic or nvme-raw-bench missing: part bypass skipped"
        return
    fi
    # DMA pages are mlock()ed; compaction must not move them
    echo 0 >/proc/sys/vm/compact_unevictable_allowed 2>/dev/null
    while [ "$rep" -le "$REPS" ]; do
        for d in nvmev qemu_nvme; do
            has_word "$d" $ACTIVE || continue
            if [ "$d" = nvmev ]; then use_build nvmev "$rep" || continue; fi
            for job in $BYPASS_JOBS; do
                run_fio bypass "$rep" "$job" "$d"
            done
            bypass_raw "$rep" "$d"
        done
        rep=$((rep + 1))
    done
}

# ---------------------------------------------------------------- main

t_log "bench: mode=$MODE reps=$REPS runtime=${RUNTIME}s devices=$DEVS parts=$PARTS"
setup_devices
write_info
precondition
t_emit "$OUT/info.txt" info.txt

# One repetition's matrix, then its idle cost, on <devices> (at most one
# build of nvmev: loaded first if it is not; one that failed to load before
# is left out). With CPUS3, the nvmev build's cpus3 runs come first, so that
# the matrix, the idle cost and the other devices' runs find nvmev loaded
# as without them (config base).
bench_devices() {  # <rep> <devices...>
    local rep=$1 devs="" job d
    shift
    if has_word matrix $PARTS && [ -n "$CPUS3" ]; then
        for d in "$@"; do
            case "$d" in nvmev | nvmev_base) ;; *) continue ;; esac
            if ! has_word "$d" $ACTIVE || ! use_build "$d" "$rep" cpus3 cpus=$CPUS3; then continue; fi
            for job in $CPUS3_JOBS; do
                run_fio matrix "$rep" "$job" "$d"
            done
        done
    fi
    for d in "$@"; do
        case "$d" in
            nvmev | nvmev_base)
                if ! has_word "$d" $ACTIVE || ! use_build "$d" "$rep"; then continue; fi ;;
        esac
        devs="$devs $d"
    done
    if has_word matrix $PARTS; then
        for job in $JOBS; do
            for d in $devs; do
                # brd has no poll queues (io_uring --hipri fails)
                case "$job.$d" in *_poll.brd) continue ;; esac
                run_fio matrix "$rep" "$job" "$d"
            done
        done
    fi
    if has_word idle $PARTS; then
        for d in nvmev nvmev_base null_blk; do
            has_word "$d" $devs && measure_idle "$rep" "$d"
        done
    fi
}

if has_word matrix $PARTS || has_word idle $PARTS; then
    others=$(for d in $ACTIVE; do case "$d" in nvmev*) ;; *) printf ' %s' "$d" ;; esac; done)
    rep=1
    while [ "$rep" -le "$REPS" ]; do
        if has_word nvmev_base $ACTIVE; then
            # the two builds back to back, under the same conditions (no
            # other device between their jobs), then the other devices
            order=$(build_order "$rep")
            bench_devices "$rep" "${order% *}"
            bench_devices "$rep" "${order#* }"
            [ -z "$others" ] || bench_devices "$rep" $others
        else
            bench_devices "$rep" $ACTIVE
        fi
        rep=$((rep + 1))
    done
    [ ! -f "$SWAPS" ] || t_emit "$SWAPS" swaps.txt
fi

if has_word bypass $PARTS; then
    measure_bypass
fi

# Timing model: wake cost (idle_spin_us), latency with interrupts
# (read/write_delay; what an application sees) and bandwidth (read/write_time
# with one I/O unit), configurations interleaved.
if has_word model $PARTS && has_word nvmev $ACTIVE; then
    rep=1
    while [ "$rep" -le "$REPS" ]; do
            load_nvmev base $ZERO && for job in rr4k_qd1 rw4k_qd1 rr4k_qd1_think; do
            run_fio model "$rep" "$job" nvmev
        done
            load_nvmev spin0 $ZERO idle_spin_us=0 && for job in $SPIN0_JOBS; do
            run_fio model "$rep" "$job" nvmev
        done
            load_nvmev spinhuge $ZERO idle_spin_us=$SPIN_HUGE && for job in rr4k_qd1 rr4k_qd1_think; do
            run_fio model "$rep" "$job" nvmev
        done
        for x in $FID_DELAYS; do
            load_nvmev "d$x" read_delay="$x" write_delay="$x" read_time=0 \
                read_trailing=0 write_time=0 write_trailing=0 &&
                for job in rr4k_qd1 rw4k_qd1; do
                    run_fio model "$rep" "$job" nvmev
                done
        done
        load_nvmev bw read_delay=0 read_time=40000 read_trailing=0 write_delay=0 \
            write_time=40000 write_trailing=0 nr_io_units=1 io_unit_shift=12 &&
            for job in sr128k_qd32 sw128k_qd32; do
                run_fio model "$rep" "$job" nvmev
            done
        rep=$((rep + 1))
    done
fi

# ---------------------------------------------------------------- presets

# Fidelity of every preset: one configfs controller with a zero-latency
# namespace (nsid 1), nvm namespaces with read_delay = write_delay = X for
# every X in FID_DELAYS, and one namespace per block preset; key-value presets
# on controllers of their own (kv, then kv-zero). Per repetition and
# namespace: a sequential fill of the first 32 MiB (flushed, then 1 s of
# quiet), FID_IOS QD1 4 KiB random reads of it and FID_IOS QD1 4 KiB writes
# (random over the second 32 MiB; sequential at the write pointer on zoned
# namespaces). The submitting CPU never halts during a measured command:
# block I/O is polled (io_uring --hipri on the nvme driver's poll queue),
# KV commands run with nvmev-kv bench --spin. Waking a halted vCPU costs
# about 100 us under TCG, which would swamp short modelled times; on bare
# metal that wake-up is a few us. scripts/bench_report.py replays the same
# commands through nvmev-sim for the expected figures.
FID_PRESETS="optane nvm-slow conv mlc-970pro tlc-dc qlc zns"
# plus nvm namespaces with read_delay = write_delay = X ns (named dX)

fid_names() { echo "nvm-zero $(for x in $FID_DELAYS; do printf 'd%s ' "$x"; done)$FID_PRESETS"; }

fid_mkns() {  # <nsid> <name>
    case "$2" in
        d[0-9]*) nv_mkns fid "$1" 64M nvm-zero "read_delay=${2#d}" "write_delay=${2#d}" ;;
        *) nv_mkns fid "$1" "$(fid_size "$2")" "$2" ;;
    esac
}

fid_size() {  # <preset>
    case "$1" in
        conv | mlc-970pro | tlc-dc | qlc) echo 128M ;;
        zns) echo 256M ;;
        *) echo 64M ;;
    esac
}

# 10% trimmed mean of sorted numbers on stdin: the mean without the lowest
# and the highest tenth (host scheduling adds multi-ms delays to a few
# commands; the cut sits inside the modes of a multi-modal NAND read
# distribution, which percentile-based means would straddle).
trimmed_mean() {
    awk '{ v[NR] = $1 } END { lo = int(NR / 10); hi = NR - lo; s = 0
        for (i = lo + 1; i <= hi; i++) s += v[i]
        if (hi > lo) printf "%.0f\n", s / (hi - lo); else print "" }'
}

fid_fio() {  # <tag> <dev> <nsid> <fio args...>
    local tag=$1 dev=$2 st=$NV/fid/namespaces/$3/stats
    shift 3
    { echo "== before"; cat "$st"; } >"$OUT/$tag.nsstats"
    fio --name=fid --filename="$dev" --ioengine=io_uring --hipri --direct=1 --bs=4k \
        --iodepth=1 --number_ios=$FID_IOS --cpus_allowed=0 \
        --write_lat_log="$OUT/$tag" --log_avg_msec=0 \
        --output-format=json --output="$OUT/$tag.fio.json" "$@" 2>"$OUT/$tag.err"
    { echo "== after"; cat "$st"; } >>"$OUT/$tag.nsstats"
    # the mean of the middle 80% of the completion latencies (ns)
    echo "trimmed_clat_ns $(cut -d, -f2 "$OUT/${tag}_clat.1.log" | sort -n | trimmed_mean)" >>"$OUT/$tag.nsstats"
    rm -f "$OUT/${tag}"_*lat.1.log
    [ ! -s "$OUT/$tag.err" ] || t_log "$tag fio stderr: $(tail -n 3 "$OUT/$tag.err" | tr '\n' ' ')"
    t_emit "$OUT/$tag.fio.json" "$tag.fio.json"
    t_emit "$OUT/$tag.nsstats" "$tag.nsstats"
    rm -f "$OUT/$tag.fio.json" "$OUT/$tag.err" "$OUT/$tag.nsstats"
}

fid_fill() {  # <dev> <preset>
    local zoned=""
    [ "$2" != zns ] || zoned="--zonemode=zbd"
    fio --name=fill --filename="$1" --ioengine=libaio --direct=1 --rw=write --bs=128k \
        --iodepth=1 --offset=0 --size=32M $zoned --output-format=terse >/dev/null 2>&1 ||
        t_log "presets: fill of $1 ($2) failed"
    nvme flush "$1" >/dev/null 2>&1 || t_log "presets: flush of $1 failed"
    usleep 1000000
}

measure_presets() {
    local n dev p rep tag ng ctl a f v
    lsmod | grep -q '^nvmev ' && nvmev_unload
    NVMEV_BUILD=""
    insmod "$NVMEV_KO" memmap_start=4G memmap_size=2G nr_ctrls=0 cpus=$NVMEV_CPUS ||
        { t_fail bench/presets-insmod "insmod failed"; return; }
    nv_configfs_mount
    mkdir "$NV/fid" "$NV/fkv" "$NV/fkz"
    n=1
    for p in $(fid_names); do
        fid_mkns $n $p || t_log "presets: $p refused"
        n=$((n + 1))
    done
    nv_mkns fkv 1 64M kv && nv_mkns fkz 1 64M kv-zero || t_log "presets: kv refused"
    for ctl in fid fkv fkz; do echo 1 >"$NV/$ctl/enable"; done
    {
        echo "ios=$FID_IOS"
        n=1
        for p in $(fid_names); do
            a=$NV/fid/namespaces/$n
            echo "ns.$p=$n $(fid_size $p)"
            for f in "$a"/*; do
                [ -f "$f" ] && [ -r "$f" ] || continue
                case "${f##*/}" in
                    stats | presets | enable | preset | fault_* | smart*) continue ;;
                esac
                v=$(head -c 200 "$f" 2>/dev/null | head -n 1)
                echo "attr.$p.${f##*/}=$v"
            done
            n=$((n + 1))
        done
        for f in "$NV"/fkv/namespaces/1/*; do
            case "${f##*/}" in stats | presets | enable | preset | fault_*) continue ;; esac
            [ -f "$f" ] && echo "attr.kv.${f##*/}=$(head -n 1 "$f" 2>/dev/null)"
        done
    } >"$OUT/presets.txt"
    t_emit "$OUT/presets.txt" presets.txt
    rep=1
    while [ "$rep" -le "$REPS" ]; do
        n=1
        for p in $(fid_names); do
            dev=$(nv_wait_dev fid $n 30) || { t_log "presets: no device for $p"; n=$((n + 1)); continue; }
            [ "$rep" -gt 1 ] || fid_fill "$dev" "$p"
            fid_fio "presets-r$rep-$p-read" "$dev" $n --rw=randread --offset=0 --size=32M \
                --norandommap --randrepeat=0
            if [ "$p" = zns ]; then
                fid_fio "presets-r$rep-$p-write" "$dev" $n --rw=write --zonemode=zbd \
                    --offset=32M --size=128M
            else
                fid_fio "presets-r$rep-$p-write" "$dev" $n --rw=randwrite --offset=32M \
                    --size=32M --norandommap --randrepeat=0
            fi
            t_log "presets r$rep $p done"
            n=$((n + 1))
        done
        for p in kv kv-zero; do
            ctl=fkv
            [ "$p" = kv ] || ctl=fkz
            ng=$(nv_wait_ng $ctl) || { t_log "presets: no KV device for $p"; continue; }
            tag="presets-r$rep-$p"
            { echo "== before"; cat "$NV/$ctl/namespaces/1/stats"; } >"$OUT/$tag.nsstats"
            nvmev-kv -d "$ng" bench --ops $FID_IOS --keys 256 --size 4096 --write 50 \
                --spin --cpu 0 --seed "$rep" >"$OUT/$tag.txt" 2>&1 ||
                t_log "presets: nvmev-kv bench on $p failed: $(tail -n 2 "$OUT/$tag.txt")"
            { echo "== after"; cat "$NV/$ctl/namespaces/1/stats"; } >>"$OUT/$tag.nsstats"
            t_emit "$OUT/$tag.txt" "$tag.txt"
            t_emit "$OUT/$tag.nsstats" "$tag.nsstats"
            rm -f "$OUT/$tag.txt" "$OUT/$tag.nsstats"
        done
        rep=$((rep + 1))
    done
    nv_rmctrl fid fkv fkz
    rmmod nvmev
}

if has_word presets $PARTS; then
    measure_presets
fi

lsmod | grep -q '^nvmev ' && nvmev_unload
t_pass bench/complete
exit 0
