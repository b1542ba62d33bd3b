#!/usr/bin/env bash
# Run the whole nvmev test suite (what CI runs):
#   1. install dependencies      (scripts/deps.sh; skip with NVMEV_SKIP_DEPS=1)
#   2. unit tests                (make -C tests/unit check, tests/harness-selftest.sh,
#                                 tests/nvmevctl-selftest.sh, make -C tools/sim check,
#                                 make -C tools/kv check, make -C tools/nvme-raw check,
#                                 make -C tools/crash check,
#                                 make -C tools/replay check, tests/pkg/test.sh), once
#   then for each guest kernel (NVMEV_KERNELS, default "6.1 6.12"):
#   3. set up its kit if missing (6.12: scripts/kernel/trixie-6.12.sh)
#   4. build nvmev.ko for it     (into build/<kernel>/nvmev.ko)
#   5. build the initramfs       (scripts/vm/initramfs.sh -K <kernel>)
#   6. VM tests                  (tests/vm/NN-*.sh, booted with scripts/vm/run.sh)
# and print every failure, per-group counts and finally "N passed, N failed".
# Every result of steps 3-6 is named <kernel>/..., e.g. 6.12/smoke/insmod,
# 6.12/build/module; VM logs are build/vm/<kernel>/<group>.log.
#
# Environment:
#   NVMEV_KERNELS="6.1 6.12"         guest kernels, by name (scripts/vm/common.sh):
#                                    6.1 (Debian 12's installed kernel), 6.12
#                                    (Debian 13's, a kit set up on demand),
#                                    6.1-debug (KASAN+lockdep kit, built by
#                                    scripts/kernel/debug-6.1.sh), or an
#                                    installed release such as 6.1.0-57-amd64
#   NVMEV_KVER=<release>             old form of NVMEV_KERNELS=<release>
#   NVMEV_TESTS="00-smoke 10-admin"  run only these guest scripts
#   NVMEV_SKIP_DEPS=1                do not run scripts/deps.sh
#   NVMEV_VM_TIMEOUT=<seconds>       per-VM time limit (default 2400, times 8
#                                    on debug kernels)
#   V=1                              stream VM consoles live
#
# Guest scripts that share VM settings run in one boot, in name order. A
# script needing other settings declares them with a line such as
#   # nvmev-vm-args: --qemu-nvme 1G --mem 8G
# (options of scripts/vm/run.sh, split on spaces); it then gets its own boot
# together with the scripts that declare the same line. A script with the
# line "# nvmev-opt-in: <why>" is left out of the default list and runs only
# when NVMEV_TESTS names it (tests/vm/65-fdp-tools.sh: it downloads Debian
# 13's fio and QEMU).
# Logs: build/logs/ (unit tests; per kernel: build/logs/<kernel>/), build/vm/<kernel>/
# (VM consoles and results).
# Exit status 0 iff nothing failed and something passed.
set -euo pipefail

# shellcheck source=scripts/vm/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/vm/common.sh"

# Every test guest poisons nvmev's request objects (slub_debug P on the
# nvmev_req cache, which also turns Debian's init_on_alloc off for it), so
# a field read before it is set reads 0x6b, not the zero the stock kernel
# hands out: a request's power-loss journal count was never set and hung
# the dispatcher on a debug kernel, and no stock-kernel test could see it.
export NVMEV_VM_APPEND="slub_debug=P,nvmev_req${NVMEV_VM_APPEND:+ $NVMEV_VM_APPEND}"

LOG_DIR="$NVMEV_BUILD_DIR/logs"
RESULTS="$NVMEV_BUILD_DIR/test-results.txt"   # "PASS <name>" / "FAIL <name>: <reason>"
KERNELS=()        # guest kernel names, in order
KERNEL_TIMES=()   # "<name> <seconds>" per kernel, for the report

step() { printf '\n==> %s\n' "$*"; }

record_pass() { echo "PASS $1" >>"$RESULTS"; }
record_fail() { echo "FAIL $1: $(printf '%s' "$2" | tr '\n\r\t' '   ' | cut -c1-400)" >>"$RESULTS"; }

# Append "@@RESULT PASS|FAIL ..." lines from a file to the results, with
# <prefix> (e.g. "6.12/") before each name.
collect_results() {  # <file> [<prefix>]
    tr -d '\r' <"$1" | grep -ao '@@RESULT \(PASS\|FAIL\) .*' |
        sed "s|^@@RESULT \\([A-Z]*\\) |\\1 ${2:-}|" >>"$RESULTS" || true
}

install_deps() {
    if [ "${NVMEV_SKIP_DEPS:-0}" = 1 ]; then
        step "dependencies: skipped (NVMEV_SKIP_DEPS=1)"
        return
    fi
    step "dependencies"
    "$NVMEV_ROOT/scripts/deps.sh"
}

# Set up kernel <name>'s kit when a script can do it unattended (6.12);
# sets the NVMEV_K_* variables (scripts/vm/common.sh).
prepare_kernel() {  # <name>
    local name=$1 script log="$LOG_DIR/$1/kit.log" why
    if nvmev_kernel_resolve "$name" 2>/dev/null; then
        return 0
    fi
    if [ "$name" = 6.12 ] && script=$(nvmev_kit_script "$name"); then
        step "kernel $name: setting up its kit (${script#"$NVMEV_ROOT"/}; log: ${log#"$NVMEV_ROOT"/})"
        local start=$SECONDS
        if "$script" >"$log" 2>&1; then
            cat "$log"
            echo "kit set up in $((SECONDS - start)) s"
        else
            tail -n 20 "$log"
            record_fail "$name/kit" "${script#"$NVMEV_ROOT"/} failed: $(tail -n 1 "$log")"
            return 1
        fi
    fi
    # not in a $(...) subshell: the NVMEV_K_* it sets are what the module
    # build and the VMs use (a subshell left those of the kernel before,
    # and a fresh machine built the 6.12 module against 6.1's headers)
    if nvmev_kernel_resolve "$name" 2>"$log.resolve"; then
        return 0
    fi
    why=$(cat "$log.resolve")
    echo "$why"
    record_fail "$name/kit" "$why"
    return 1
}

build_module() {  # <kernel name>: sets MODULE_KO, or returns 1
    local name=$1 dir="$NVMEV_BUILD_DIR/$1" log="$LOG_DIR/$1/module-build.log"
    MODULE_KO="$dir/nvmev.ko"
    if [ ! -f "$NVMEV_ROOT/Makefile" ]; then
        step "module build: skipped (no Makefile)"
        return 0
    fi
    step "kernel $name: module build (against $NVMEV_K_BUILD${NVMEV_K_CHROOT:+, in the chroot $NVMEV_K_CHROOT})"
    if nvmev_build_module "$dir" >"$log" 2>&1; then
        record_pass "$name/build/module"
        echo "built: ${MODULE_KO#"$NVMEV_ROOT"/}"
        # Compiler warnings are worth seeing even when the build passes.
        grep -E 'warning:' "$log" | head -n 20 || true
    else
        tail -n 30 "$log"
        record_fail "$name/build/module" "make failed, see ${log#"$NVMEV_ROOT"/}: $(grep -m1 -E 'error' "$log" || tail -n 1 "$log")"
        return 1
    fi
}

run_unit_tests() {
    if [ ! -f "$NVMEV_ROOT/tests/unit/Makefile" ]; then
        step "unit tests: skipped (no tests/unit/Makefile)"
        return
    fi
    step "unit tests (make -C tests/unit check)"
    local log="$LOG_DIR/unit.log" status=0 results
    make -C "$NVMEV_ROOT/tests/unit" check >"$log" 2>&1 || status=$?
    results=$(grep -c '@@RESULT \(PASS\|FAIL\)' "$log" || true)
    if [ "$results" -gt 0 ]; then
        collect_results "$log"
    else
        record_summary_counts unit "$log"
    fi
    echo "unit tests: $results result lines, make exit status $status (log: ${log#"$NVMEV_ROOT"/})"
    if [ "$status" -ne 0 ]; then
        tail -n 30 "$log"
        if ! grep -q '@@RESULT FAIL' "$log"; then
            record_fail unit/make-check "make -C tests/unit check exited with status $status, see ${log#"$NVMEV_ROOT"/}"
        fi
    fi
}

# Host-side tools, no VM needed: this harness against a stub VM runner, nvmevctl against a fake configfs tree, the
# simulator (built here; the initramfs ships it for the VM tests), the KV
# client (its encoding, and end to end through an LD_PRELOAD fake device),
# the userspace NVMe driver tools (unit tests and a fake controller; built
# here for the VM tests too) and crashwork (the crash-consistency workload of
# tests/vm/39-power-fs.sh, built here for it; checked on a host directory)
# and the packaging (dkms and make install against the host's kernel
# headers, in a temporary directory).
run_tool_tests() {
    local name log status
    for name in harness-selftest nvmevctl-selftest sim calib kv nvme-raw crash replay pkg; do
        log="$LOG_DIR/$name.log"
        status=0
        case $name in
            harness-selftest)
                step "the suite's harness (tests/harness-selftest.sh)"
                bash "$NVMEV_ROOT/tests/harness-selftest.sh" >"$log" 2>&1 || status=$? ;;
            nvmevctl-selftest)
                step "nvmevctl self test (tests/nvmevctl-selftest.sh)"
                bash "$NVMEV_ROOT/tests/nvmevctl-selftest.sh" >"$log" 2>&1 || status=$? ;;
            sim)
                step "simulator (make -C tools/sim check)"
                make -C "$NVMEV_ROOT/tools/sim" check >"$log" 2>&1 || status=$? ;;
            calib)
                step "presets against their drives' datasheets (make -C tools/calib check)"
                make -C "$NVMEV_ROOT/tools/calib" check >"$log" 2>&1 || status=$? ;;
            kv)
                step "KV client (make -C tools/kv check)"
                make -C "$NVMEV_ROOT/tools/kv" check >"$log" 2>&1 || status=$? ;;
            nvme-raw)
                step "userspace NVMe driver (make -C tools/nvme-raw check)"
                make -C "$NVMEV_ROOT/tools/nvme-raw" check >"$log" 2>&1 || status=$? ;;
            crash)
                step "crash-consistency workload (make -C tools/crash check)"
                make -C "$NVMEV_ROOT/tools/crash" check >"$log" 2>&1 || status=$? ;;
            replay)
                step "trace replay with placement (make -C tools/replay check)"
                make -C "$NVMEV_ROOT/tools/replay" check >"$log" 2>&1 || status=$? ;;
            pkg)
                step "packaging: dkms and make install in a sandbox (tests/pkg/test.sh)"
                bash "$NVMEV_ROOT/tests/pkg/test.sh" >"$log" 2>&1 || status=$? ;;
        esac
        collect_results "$log"
        tail -n 1 "$log"
        if [ "$status" -ne 0 ] && ! grep -q '@@RESULT FAIL' "$log"; then
            record_fail "$name/run" "exit status $status, see ${log#"$NVMEV_ROOT"/}"
        fi
    done
}

# Fallback for output without @@RESULT lines: a summary "N passed, M failed".
record_summary_counts() {  # <group> <log>
    local summary passed failed i
    summary=$(grep -oE '[0-9]+ passed, [0-9]+ failed' "$2" | tail -n 1) || return 0
    passed=${summary%% passed*}
    failed=${summary#*, }; failed=${failed%% failed}
    for ((i = 1; i <= passed; i++)); do record_pass "$1/unnamed-$i"; done
    for ((i = 1; i <= failed; i++)); do
        record_fail "$1/unnamed-failure-$i" "see ${2#"$NVMEV_ROOT"/}"
    done
}

build_initramfs() {  # <kernel name>
    step "kernel $1: initramfs"
    if "$NVMEV_ROOT/scripts/vm/initramfs.sh" -K "$1" -m "$MODULE_KO"; then
        return 0
    fi
    record_fail "$1/vm/initramfs" "scripts/vm/initramfs.sh failed (output above)"
    return 1
}

# The guest scripts to run, as names without .sh, in order.
selected_scripts() {
    local name path
    if [ -n "${NVMEV_TESTS:-}" ]; then
        for name in $NVMEV_TESTS; do
            echo "${name%.sh}"
        done
        return
    fi
    for path in "$NVMEV_ROOT"/tests/vm/[0-9][0-9]-*.sh; do
        [ -f "$path" ] || continue
        grep -q '^# nvmev-opt-in:' "$path" || basename "$path" .sh
    done
}

vm_args_of() {  # <script name>: its "# nvmev-vm-args:" value, if any
    local path="$NVMEV_ROOT/tests/vm/$1.sh"
    [ -f "$path" ] || return 0
    sed -n 's/^# nvmev-vm-args:[[:space:]]*//p' "$path" | head -n 1
}

# Boot one VM of kernel <kernel> for <names> (comma-separated) and collect
# its results, as <kernel>/<result name>.
run_vm_group() {  # <kernel> <boot name> <vm args> <names>
    local kernel=$1 name=$2 args=$3 names=$4 status=0 reason
    local runner_log="$LOG_DIR/$kernel/vm-$name.runner.log"
    # 2400 s: one boot runs the whole suite (about 26 min alone on 2 cores
    # with the power-loss tests), and another VM or a build on the same
    # host can add a third again
    local timeout=$((${NVMEV_VM_TIMEOUT:-2400} * NVMEV_K_SLOWDOWN))
    local -a extra=()
    [ -z "$args" ] || read -r -a extra <<<"$args"
    step "VM $kernel/$name: ${names//,/ }${args:+ ($args)}"
    "$NVMEV_ROOT/scripts/vm/run.sh" --kernel "$kernel" --name "$kernel/$name" \
        --timeout "$timeout" "${extra[@]}" "$names" 2>&1 | tee "$runner_log" || status=$?
    local out="$NVMEV_VM_DIR/$kernel/$name.out" console="$NVMEV_VM_DIR/$kernel/$name.log"
    if [ -f "$out" ] && grep -aq '^@@RESULT ' "$out"; then
        collect_results "$out" "$kernel/"
    elif [ -f "$console" ]; then
        collect_results "$console" "$kernel/"
    fi
    if [ "$status" -ne 0 ]; then
        reason=$(grep -m1 'FAILED after' "$runner_log" | sed 's/^vm [^:]*: //') ||
            reason="scripts/vm/run.sh exited with status $status"
        record_fail "$kernel/vm/$name/completed" "$reason (console: build/vm/$kernel/$name.log)"
    fi
    check_console "$kernel" "$name" "$console"
}

# A kernel report anywhere in a boot's console (during boot, between
# scripts, one that scrolled out of the guest's log buffer) is a failure
# of that boot: each script's t_dmesg_clean only sees its own window.
KERNEL_REPORTS='BUG:|WARNING:|KASAN|Oops|Call Trace|general protection|possible circular locking|possible recursive locking|inconsistent lock state|sleeping function called'
CLOCK_PATCHING='sched_clock: Marking (un)?stable'
check_console() {  # <kernel> <boot name> <console log>
    local bad
    [ -f "$3" ] || return 0
    # grep finds nothing in a clean console: not a failure of the pipeline
    # (set -e and pipefail would end the whole suite here)
    bad=$(tr -d '\r' <"$3" | { grep -aE "$KERNEL_REPORTS" || true; } | head -n 3)
    if [ -z "$bad" ]; then
        record_pass "$1/vm/$2/console-clean"
    else
        record_fail "$1/vm/$2/console-clean" "kernel reports in build/vm/$1/$2.log: $bad"
    fi
    # A guest that switches sched_clock between stable and unstable
    # live-patches code that every vCPU's timer interrupt runs, and
    # multi-threaded TCG can execute the half-patched int3 (README, Guest
    # kernels): such a boot is not the setting the suite means to test.
    bad=$(tr -d '\r' <"$3" | { grep -aE "$CLOCK_PATCHING" || true; } | head -n 1)
    if [ -z "$bad" ]; then
        record_pass "$1/vm/$2/no-clock-patching"
    else
        record_fail "$1/vm/$2/no-clock-patching" \
            "the guest live-patched sched_clock (boot it with tsc=unstable, scripts/vm/common.sh): $bad"
    fi
}

run_vm_tests() {  # <kernel>
    local kernel=$1 script args key
    local -a order=()
    declare -A members=()
    for script in $(selected_scripts); do
        args=$(vm_args_of "$script")
        key="args:$args"
        if [ -z "${members[$key]+set}" ]; then
            order+=("$key")
            members[$key]=$script
        else
            members[$key]+=",$script"
        fi
    done
    if [ "${#order[@]}" -eq 0 ]; then
        step "VM tests: none selected"
        return
    fi
    for key in "${order[@]}"; do
        args=${key#args:}
        if [ -z "$args" ]; then
            run_vm_group "$kernel" suite "" "${members[$key]}"
        else
            run_vm_group "$kernel" "${members[$key]//,/+}" "$args" "${members[$key]}"
        fi
    done
}

print_report() {
    local passed failed duplicates
    step "results"
    duplicates=$(awk '{ name = $2; sub(/:$/, "", name); print name }' "$RESULTS" | sort | uniq -d)
    if [ -n "$duplicates" ]; then
        record_fail harness/unique-names "result names reported more than once: $(echo "$duplicates" | tr '\n' ' ')"
    fi
    # Per group: the first component of the result name, the first two for
    # per-kernel results (6.12/smoke).
    awk -v kernels=" ${KERNELS[*]} " '{ name = $2; sub(/:$/, "", name); split(name, part, "/"); g = part[1]
           if (index(kernels, " " g " ") && (2 in part)) g = g "/" part[2]
           if (!(g in seen)) { seen[g] = 1; order[++n] = g }
           if ($1 == "PASS") pass[g]++; else fail[g]++ }
         END { for (i = 1; i <= n; i++)
                 printf "  %-20s %4d passed, %d failed\n", order[i], pass[order[i]], fail[order[i]] }' "$RESULTS"
    if grep -q '^FAIL ' "$RESULTS"; then
        echo
        echo "Failures:"
        grep '^FAIL ' "$RESULTS" | sed 's/^/  /'
    fi
    passed=$(grep -c '^PASS ' "$RESULTS" || true)
    failed=$(grep -c '^FAIL ' "$RESULTS" || true)
    echo
    local entry kernel seconds
    for entry in "${KERNEL_TIMES[@]}"; do
        read -r kernel seconds <<<"$entry"
        printf 'Kernel %s: %d min %d s\n' "$kernel" $((seconds / 60)) $((seconds % 60))
    done
    echo "Total time $((SECONDS / 60)) min $((SECONDS % 60)) s; results in ${RESULTS#"$NVMEV_ROOT"/}"
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}

# Everything that runs per kernel: kit, module, initramfs, VM tests.
run_kernel() {  # <name>
    local name=$1 start=$SECONDS
    mkdir -p "$LOG_DIR/$name"
    step "kernel $name"
    if prepare_kernel "$name"; then
        echo "kernel $name: $NVMEV_K_KVER ($NVMEV_K_IMAGE)"
        if ! build_module "$name"; then
            step "kernel $name: VM tests skipped because the module did not build"
        elif build_initramfs "$name"; then
            run_vm_tests "$name"
        fi
    fi
    KERNEL_TIMES+=("$name $((SECONDS - start))")
}

main() {
    cd "$NVMEV_ROOT"
    install_deps
    read -r -a KERNELS <<<"$(nvmev_kernel_names)"
    mkdir -p "$LOG_DIR" "$NVMEV_VM_DIR"
    : >"$RESULTS"
    echo "guest kernels: ${KERNELS[*]}"
    run_unit_tests
    run_tool_tests
    local kernel
    for kernel in "${KERNELS[@]}"; do
        run_kernel "$kernel"
    done
    print_report
}

# tests/harness-selftest.sh sources this file for its functions
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    main "$@"
fi
