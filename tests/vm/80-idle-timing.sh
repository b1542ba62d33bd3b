#!/bin/sh
# shellcheck shell=dash
# Idle cost and timing fidelity.
#  (a) after I/O stops the nvmev threads (nvmev<cpu>_disp, nvmev<cpu>_io)
#      sleep: over 2 s from 0.2 s after the last I/O the workers do not wake
#      at all and the dispatcher wakes at most once per idle_max_us (plus
#      slack), i.e. it polls and sleeps instead of spinning; their CPU use
#      is printed (utime+stime and schedstat; the first 100 ms too) and,
#      measured by schedstat (ns), must stay under 5% of one CPU.  Under
#      TCG one wake-up of a kernel thread costs ~200 us of emulated kernel
#      code (on bare metal a few us), so CPU use is 250 wake-ups/s x that;
#      with idle_max_us=20000 the dispatcher must wake at most a third as
#      often (the CPU share is printed: the cost of one wake-up swings
#      with the host);
#  (b) QD1 4k random-read latency with the default idle_spin_us and with
#      idle_spin_us=0 (printed only);
#  (c) the difference method: with every timing parameter 0 and then with
#      read_delay=500000 and write_delay=500000, QD1 4k latencies must
#      differ by 500 us.  Polled (io_uring --hipri on the nvme driver's
#      poll queue: the submitting CPU never halts), the 1st percentile and
#      the median must differ by 500 us +-10% (fio's io_uring clat starts
#      after the submitting syscall, so its min is not trustworthy).
#      Interrupt-driven (psync), the delayed
#      run also carries the guest's wake-up from idle on every completion,
#      which the base run (completed before the guest's CPU halts) does
#      not have: under TCG a host scheduling delay of 30-70 us even for the
#      fastest I/O, +190 us in the mean on 6.12.  So psync asserts "never
#      early" (the fastest I/O with the delay takes >= 500 us), a difference
#      of the fastest I/Os of -10% to +30% and of the means of -10% to
#      +60%, the latter only when the run is quiet
#      (base mean < 1.5 x base median) or nvmev_strict_timing=1 is on the
#      kernel command line.  The namespace's own fetch-to-completion mean
#      (its stats, <op>_lat_ns / <op>_cmds) must be at least the delay and
#      below three times it.
# Interrupt-driven fio uses psync (clat covers the whole I/O; libaio's clat
# starts after io_submit returns, so a slow syscall can make it start after
# the completion); all fio runs on CPUs 0-1, away from nvmev's CPUs 2-3.  Figures go to the
# log as "## " lines and to the host as the file idle-timing.txt.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=idle
FIGURES=/tmp/it.figures
: >$FIGURES
FIO_CPUS=0-1
ZERO_TIMING="read_delay=0 read_time=0 read_trailing=0 write_delay=0 write_time=0 write_trailing=0"
DELAY_NS=500000

figure() {  # <text>: log a figure and keep it for the emitted file
    t_log "$*"
    echo "$*" >>$FIGURES
}

# PIDs of the nvmev kernel threads
nvmev_pids() {
    local d c
    for d in /proc/[0-9]*; do
        read -r c <"$d/comm" 2>/dev/null || continue
        case "$c" in nvmev*_disp | nvmev*_io*) echo "${d#/proc/}" ;; esac
    done
}

# One sample, from a single awk run so that it is quick even under TCG:
# "<utime+stime ticks> <schedstat run ns> <uptime ms>" summed over $PIDS.
cpu_sample() {
    local files="" pid
    for pid in $PIDS; do
        files="$files /proc/$pid/stat /proc/$pid/schedstat"
    done
    # shellcheck disable=SC2086 # a list of files
    awk 'FILENAME ~ /schedstat$/ { ns += $1; next }
         FILENAME ~ /stat$/ { ticks += $14 + $15; next }
         FILENAME == "/proc/uptime" { ms = $1 * 1000 }
         END { printf "%.0f %.0f %.0f\n", ticks, ns, ms }' $files /proc/uptime
}

# Wake-ups (voluntary context switches) of the threads whose names match
# <pattern>, summed
wakeups() {  # <pattern>
    local pid n c total=0
    for pid in $PIDS; do
        read -r c <"/proc/$pid/comm" 2>/dev/null || continue
        case "$c" in $1) ;; *) continue ;; esac
        n=$(sed -n 's/^voluntary_ctxt_switches:[^0-9]*\([0-9]*\)/\1/p' "/proc/$pid/status")
        total=$((total + ${n:-0}))
    done
    echo $total
}

# CPU percent of one CPU between two samples (USER_HZ is 100 on x86)
pct_ticks() {  # <sample0> <sample1>
    echo "$1 $2" | awk '{ printf "%.2f\n", ($4 - $1) * 10 * 100 / ($6 - $3) }'
}
pct_ns() {
    echo "$1 $2" | awk '{ printf "%.2f\n", ($5 - $2) / 1e6 * 100 / ($6 - $3) }'
}
ms_between() {
    echo "$1 $2" | awk '{ print $6 - $3 }'
}

# One completion-latency statistic (us) of one direction from fio JSON:
# mean, min, or a percentile key such as 50.000000.
clat() {  # <json file> <read|write> <mean|min|percentile>
    local key=$3
    [ "$key" = median ] && key=50.000000
    awk -v sec="\"$2\" : {" -v key="\"$key\" :" '
        index($0, sec) { insec = 1; next }
        insec && index($0, "\"clat_ns\" : {") { inclat = 1; next }
        inclat && index($0, key) {
            gsub(/[",]/, ""); split($0, a, ":"); printf "%.1f\n", a[2] / 1000; exit }' "$1"
}

clat_summary() {  # <json file> <read|write>
    echo "mean $(clat "$1" "$2" mean), min $(clat "$1" "$2" min), p1 $(clat "$1" "$2" 1.000000), median $(clat "$1" "$2" median), p99 $(clat "$1" "$2" 99.000000) us"
}

# <name> <randread|randwrite> <seconds> [poll]: fio JSON in /tmp/it.<name>.json;
# interrupt-driven psync, or polled io_uring with "poll"
qd1() {
    local engine="--ioengine=psync"
    [ "$4" != poll ] || engine="--ioengine=io_uring --hipri"
    # shellcheck disable=SC2086 # $engine is a list of options
    fio --name="$1" --filename="$NVMEV_NS" --rw="$2" --bs=4k --iodepth=1 \
        $engine --direct=1 --size=1G --offset=0 --norandommap \
        --randrepeat=0 --time_based --runtime="$3" --cpus_allowed=$FIO_CPUS \
        --eta=never --output-format=json --output=/tmp/it."$1".json
}

in_range() {  # <value> <expected> <tolerance fraction>
    echo "$1 $2 $3" | awk '{ exit !($1 >= $2 * (1 - $3) && $1 <= $2 * (1 + $3)) }'
}

reload() {  # <params...>
    nvmev_unload >/tmp/it.load.log 2>&1 && nvmev_load "$@" >/tmp/it.load.log 2>&1 && {
        PIDS=$(nvmev_pids)
        return 0
    }
    cat /tmp/it.load.log
    return 1
}

finish() {
    t_check $P/rmmod nvmev_unload
    t_emit $FIGURES idle-timing.txt
    rm -f /tmp/it.*
    t_dmesg_clean $P/dmesg-clean
    exit 0
}

# one poll queue for the polled fidelity runs (io_uring --hipri)
if [ "$(cat /sys/module/nvme/parameters/poll_queues 2>/dev/null)" != 1 ]; then
    rmmod nvme 2>/dev/null
    t_check $P/nvme-poll-queue modprobe nvme poll_queues=1
fi
t_check $P/insmod nvmev_load || {
    t_dmesg_clean $P/dmesg-clean
    exit 0
}
PIDS=$(nvmev_pids)
t_log "nvmev threads: $(for p in $PIDS; do printf '%s=%s ' "$(cat /proc/"$p"/comm)" "$p"; done)"
t_check $P/threads-found test -n "$PIDS"

# ---- (a) idle CPU after I/O
idle_cpu() {  # <idle_max_us>: sets IDLE_PCT and IDLE_RATE
    local s0 s1 s2 s3 d2 d3 w2 w3 ms rate max ticks_pct ns_pct
    # 5 s of mixed I/O
    fio --name=busy --filename="$NVMEV_NS" --rw=randrw --bs=4k --iodepth=8 \
        --ioengine=libaio --direct=1 --size=256M --time_based --runtime=5 \
        --cpus_allowed=$FIO_CPUS --eta=never --output=/tmp/it.busy.log ||
        { t_fail $P/idle-fio "fio failed: $(tail -n 3 /tmp/it.busy.log)"; return; }
    s0=$(cpu_sample)
    usleep 100000
    s1=$(cpu_sample)
    usleep 100000
    s2=$(cpu_sample)
    d2=$(wakeups 'nvmev*_disp')
    w2=$(wakeups 'nvmev*_io')
    sleep 2
    s3=$(cpu_sample)
    d3=$(wakeups 'nvmev*_disp')
    w3=$(wakeups 'nvmev*_io')
    ms=$(ms_between "$s2" "$s3")
    rate=$(((d3 - d2) * 1000 / ms))
    ticks_pct=$(pct_ticks "$s2" "$s3")
    ns_pct=$(pct_ns "$s2" "$s3")
    IDLE_PCT=$ns_pct
    IDLE_RATE=$rate
    figure "idle (idle_max_us=$1): first $(ms_between "$s0" "$s1") ms after fio: nvmev threads $(pct_ticks "$s0" "$s1")% of one CPU (utime+stime), $(pct_ns "$s0" "$s1")% (schedstat)"
    figure "idle (idle_max_us=$1): $ms ms from $(ms_between "$s0" "$s2") ms after fio: nvmev threads $ticks_pct% of one CPU (utime+stime), $ns_pct% (schedstat); dispatcher wake-ups $rate/s, worker wake-ups $((w3 - w2))"
    # one wake-up per interval, with up to 25% timer slack, and a margin
    max=$((1000000 / $1 * 5 / 4 + 10))
    t_check $P/idle-$1-dispatcher-sleeps test "$rate" -le "$max"
    t_eq $P/idle-$1-workers-asleep 0 $((w3 - w2))
    if echo "$ns_pct" | awk '{ exit !($1 < 5) }'; then
        t_pass $P/idle-$1-cpu-below-5pct
    else
        t_fail $P/idle-$1-cpu-below-5pct "nvmev threads used $ns_pct% of one CPU over $ms ms while idle (utime+stime: $ticks_pct%)"
    fi
}
idle_cpu 4000
IDLE_DEFAULT=$IDLE_PCT
RATE_DEFAULT=$IDLE_RATE
if t_check $P/idle-reload-max-20ms reload idle_max_us=20000; then
    idle_cpu 20000
    # The cost is wake-ups x the cost of one, and under TCG the cost of
    # one swings with the host (56 and 246 us of schedstat time per
    # wake-up in one run: 1.32% at 4 ms, 1.18% at 20 ms), so the share is
    # printed and the wake-ups are asserted: at most a third as many.
    figure "idle: idle_max_us=20000 uses $IDLE_PCT% of one CPU against $IDLE_DEFAULT% at the default; $IDLE_RATE against $RATE_DEFAULT dispatcher wake-ups/s"
    t_check $P/idle-20ms-wakes-a-third-or-less test $((IDLE_RATE * 3)) -le "$RATE_DEFAULT"
    t_check $P/idle-reload-default reload || finish
fi

# ---- (b) wake-up: default idle_spin_us vs 0
wake() {
    if t_check $P/wake-qd1-default qd1 wake-default randread 5; then
        figure "wake: QD1 4k randread, idle_spin_us=1000 (default): $(clat_summary /tmp/it.wake-default.json read)"
    fi
    t_check $P/wake-reload-idle-spin-0 reload idle_spin_us=0 || return 1
    if t_check $P/wake-qd1-idle-spin-0 qd1 wake-nospin randread 5; then
        figure "wake: QD1 4k randread, idle_spin_us=0: $(clat_summary /tmp/it.wake-nospin.json read)"
    fi
    # idle cost when it always sleeps (informational)
    local s0 s1
    sleep 1
    s0=$(cpu_sample)
    sleep 2
    s1=$(cpu_sample)
    figure "wake: idle with idle_spin_us=0: $(pct_ticks "$s0" "$s1")% of one CPU (utime+stime), $(pct_ns "$s0" "$s1")% (schedstat)"
}
wake || finish

# ---- (c) timing fidelity, difference method
STRICT=0
grep -qw nvmev_strict_timing=1 /proc/cmdline && STRICT=1

# <name> <direction> <base json> <delay json>: interrupt-driven
check_delta() {
    local name=$1 dir=$2 bmean dmean dmean_d bmin dmin dmin_d bmed dmed e=$((DELAY_NS / 1000))
    bmean=$(clat "$3" "$dir" mean)
    dmean=$(clat "$4" "$dir" mean)
    bmed=$(clat "$3" "$dir" median)
    dmed=$(clat "$4" "$dir" median)
    bmin=$(clat "$3" "$dir" min)
    dmin=$(clat "$4" "$dir" min)
    dmean_d=$(echo "$bmean $dmean" | awk '{ printf "%.1f\n", $2 - $1 }')
    dmin_d=$(echo "$bmin $dmin" | awk '{ printf "%.1f\n", $2 - $1 }')
    figure "fidelity: QD1 4k $dir, all timing 0: $(clat_summary "$3" "$dir")"
    figure "fidelity: QD1 4k $dir, ${dir}_delay=$DELAY_NS: $(clat_summary "$4" "$dir")"
    figure "fidelity: $dir difference (expected $e us; min -10% to +30%, mean -10% to +60%): mean $dmean_d us, min $dmin_d us, p1 $(echo "$(clat "$3" "$dir" 1.000000) $(clat "$4" "$dir" 1.000000)" | awk '{ printf "%.1f", $2 - $1 }') us, median $(echo "$bmed $dmed" | awk '{ printf "%.1f", $2 - $1 }') us"
    never_early "$name" "$dir" "$dmin"
    # even the fastest delayed I/O carries the guest's wake-up (30-70 us
    # seen in CI): -10% to +30%
    if echo "$dmin_d $e" | awk '{ exit !($1 >= $2 * 0.9 && $1 <= $2 * 1.3) }'; then
        t_pass "$P/$name-min-difference"
    else
        t_fail "$P/$name-min-difference" "fastest $dir went from $bmin to $dmin us: +$dmin_d us, expected +$e us -10% to +30%"
    fi
    # the mean of the delayed run also carries the guest's wake-up from
    # idle on every completion, which the base run does not have: about
    # nothing on 6.1, about 190 us on 6.12 (quiet host, 2026-12-06; its
    # device-side mean was +3%); above the delay it may exceed 10% by 60%
    # unless nvmev_strict_timing=1
    local hi=0.6
    [ $STRICT -eq 0 ] || hi=0.1
    if echo "$dmean_d $e $hi" | awk '{ exit !($1 >= $2 * 0.9 && $1 <= $2 * (1 + $3)) }'; then
        t_pass "$P/$name-mean-difference"
    elif [ $STRICT -eq 1 ] || echo "$bmean $bmed" | awk '{ exit !($1 < 1.5 * $2) }'; then
        t_fail "$P/$name-mean-difference" "mean latency went from $bmean to $dmean us: +$dmean_d us, expected +$e us -10% to +$(echo "$hi" | awk '{ print $1 * 100 }')%"
    else
        figure "fidelity: $dir mean difference not asserted: the host is too noisy (base mean $bmean us vs median $bmed us; boot with nvmev_strict_timing=1 to assert anyway)"
    fi
}

never_early() {  # <name> <direction> <fastest delayed us>
    local e=$((DELAY_NS / 1000))
    if echo "$3 $e" | awk '{ exit !($1 >= $2) }'; then
        t_pass "$P/$1-never-early"
    else
        t_fail "$P/$1-never-early" "fastest $2 with ${2}_delay=$DELAY_NS took $3 us (< $e us)"
    fi
}

# <name> <direction> <base json> <delay json>: polled, so no halted CPU
# waits for the completion's interrupt.  fio's io_uring clat starts when
# the submitting syscall returns, so an I/O whose submission was held up
# (the vCPU preempted by the host) looks fast: the min is printed, the
# median and the 1st percentile are asserted.
check_delta_polled() {
    local name=$1 dir=$2 d1 d50 e=$((DELAY_NS / 1000))
    d1=$(echo "$(clat "$3" "$dir" 1.000000) $(clat "$4" "$dir" 1.000000)" | awk '{ printf "%.1f", $2 - $1 }')
    d50=$(echo "$(clat "$3" "$dir" median) $(clat "$4" "$dir" median)" | awk '{ printf "%.1f", $2 - $1 }')
    figure "fidelity: polled QD1 4k $dir, all timing 0: $(clat_summary "$3" "$dir")"
    figure "fidelity: polled QD1 4k $dir, ${dir}_delay=$DELAY_NS: $(clat_summary "$4" "$dir")"
    figure "fidelity: polled $dir difference (expected $e us, p1 and median +-10%): p1 $d1 us, median $d50 us, min $(echo "$(clat "$3" "$dir" min) $(clat "$4" "$dir" min)" | awk '{ printf "%.1f", $2 - $1 }') us, mean $(echo "$(clat "$3" "$dir" mean) $(clat "$4" "$dir" mean)" | awk '{ printf "%.1f", $2 - $1 }') us"
    if in_range "$d1" $e 0.1; then
        t_pass "$P/$name-p1-difference"
    else
        t_fail "$P/$name-p1-difference" "polled: 1st percentile of $dir latency moved by $d1 us, expected +$e us +-10%"
    fi
    if in_range "$d50" $e 0.1; then
        t_pass "$P/$name-median-difference"
    else
        t_fail "$P/$name-median-difference" "polled: median $dir latency moved by $d50 us, expected +$e us +-10%"
    fi
}

fidelity() {
    # shellcheck disable=SC2086 # ZERO_TIMING is a list of parameters
    t_check $P/fidelity-reload-zero reload $ZERO_TIMING || return
    t_check $P/fidelity-base-read qd1 base-read randread 5 || return
    t_check $P/fidelity-base-write qd1 base-write randwrite 5 || return
    t_check $P/fidelity-base-read-polled qd1 base-read-poll randread 4 poll || return
    t_check $P/fidelity-base-write-polled qd1 base-write-poll randwrite 4 poll || return
    # shellcheck disable=SC2086
    t_check $P/fidelity-reload-delay reload $ZERO_TIMING read_delay=$DELAY_NS write_delay=$DELAY_NS ||
        return
    t_check $P/fidelity-delay-read qd1 delay-read randread 5 || return
    t_check $P/fidelity-delay-write qd1 delay-write randwrite 5 || return
    t_check $P/fidelity-delay-read-polled qd1 delay-read-poll randread 4 poll || return
    t_check $P/fidelity-delay-write-polled qd1 delay-write-poll randwrite 4 poll || return
    check_delta read-delay-500us read /tmp/it.base-read.json /tmp/it.delay-read.json
    check_delta write-delay-500us write /tmp/it.base-write.json /tmp/it.delay-write.json
    check_delta_polled polled-read-delay-500us read /tmp/it.base-read-poll.json /tmp/it.delay-read-poll.json
    check_delta_polled polled-write-delay-500us write /tmp/it.base-write-poll.json /tmp/it.delay-write-poll.json
    device_side read
    device_side write
}

# The namespace's own fetch-to-completion times (<op>_lat_ns / <op>_cmds in
# its stats, counted since the reload): the mean is never below the delay,
# and host delays alone cannot triple it.
device_side() {  # <read|write>
    local st=$NV/nvmev0/namespaces/1/stats n t mean
    nv_configfs_mount
    n=$(sed -n "s/^$1_cmds //p" "$st")
    t=$(sed -n "s/^$1_lat_ns //p" "$st")
    mean=$(echo "${t:-0} ${n:-0}" | awk '{ if ($2 > 0) printf "%d", $1 / $2; else print 0 }')
    figure "fidelity: device-side mean $1 latency ${mean} ns over ${n:-0} commands (${1}_delay=$DELAY_NS)"
    t_check "$P/$1-device-side-mean" test "${n:-0}" -gt 0 -a "$mean" -ge "$DELAY_NS" -a "$mean" -lt $((DELAY_NS * 3))
}
fidelity
finish
