#!/usr/bin/env bash
# Run the whole nvmev test suite (what CI runs):
#   1. install dependencies      (scripts/deps.sh; skip with NVMEV_SKIP_DEPS=1)
#   2. build nvmev.ko            (make KDIR=/lib/modules/<K>/build)
#   3. unit tests                (make -C tests/unit check,
#                                 tests/nvmevctl-selftest.sh, make -C tools/sim check,
#                                 make -C tools/kv check, make -C tools/nvme-raw check)
#   4. build the initramfs       (scripts/vm/initramfs.sh)
#   5. VM tests                  (tests/vm/NN-*.sh, booted with scripts/vm/run.sh)
# and print every failure, per-group counts and finally "N passed, N failed".
#
# Environment:
#   NVMEV_TESTS="00-smoke 10-admin"  run only these guest scripts
#   NVMEV_SKIP_DEPS=1                do not run scripts/deps.sh
#   NVMEV_KVER=<version>             guest kernel (default: newest installed)
#   NVMEV_VM_TIMEOUT=<seconds>       per-VM time limit (default 1200)
#   V=1                              stream VM consoles live
#
# Guest scripts that share VM settings run in one boot, in name order. A
# script needing other settings declares them with a line such as
#   # nvmev-vm-args: --qemu-nvme 1G --mem 8G
# (options of scripts/vm/run.sh, split on spaces); it then gets its own boot
# together with the scripts that declare the same line.
# Logs: build/logs/ (build, unit tests), build/vm/ (VM consoles and results).
# Exit status 0 iff nothing failed and something passed.
set -euo pipefail

# shellcheck source=scripts/vm/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/vm/common.sh"

LOG_DIR="$NVMEV_BUILD_DIR/logs"
RESULTS="$NVMEV_BUILD_DIR/test-results.txt"   # "PASS <name>" / "FAIL <name>: <reason>"
MODULE_BUILT=1

step() { printf '\n==> %s\n' "$*"; }

record_pass() { echo "PASS $1" >>"$RESULTS"; }
record_fail() { echo "FAIL $1: $(printf '%s' "$2" | tr '\n\r\t' '   ' | cut -c1-400)" >>"$RESULTS"; }

# Append "@@RESULT PASS|FAIL ..." lines from a file to the results.
collect_results() {  # <file>
    tr -d '\r' <"$1" | grep -ao '@@RESULT \(PASS\|FAIL\) .*' |
        sed 's/^@@RESULT //' >>"$RESULTS" || true
}

install_deps() {
    if [ "${NVMEV_SKIP_DEPS:-0}" = 1 ]; then
        step "dependencies: skipped (NVMEV_SKIP_DEPS=1)"
        return
    fi
    step "dependencies"
    "$NVMEV_ROOT/scripts/deps.sh"
}

build_module() {
    if [ ! -f "$NVMEV_ROOT/Makefile" ]; then
        step "module build: skipped (no Makefile)"
        return
    fi
    step "module build (make KDIR=/lib/modules/$KVER/build)"
    local log="$LOG_DIR/module-build.log"
    if make -C "$NVMEV_ROOT" -j"$(nproc)" KDIR="/lib/modules/$KVER/build" >"$log" 2>&1; then
        record_pass build/module
        echo "built:" "$NVMEV_ROOT"/*.ko
        # Compiler warnings are worth seeing even when the build passes.
        grep -E 'warning:' "$log" | head -n 20 || true
    else
        MODULE_BUILT=0
        tail -n 30 "$log"
        record_fail build/module "make failed, see ${log#"$NVMEV_ROOT"/}: $(grep -m1 -E 'error' "$log" || tail -n 1 "$log")"
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

# Host-side tools, no VM needed: nvmevctl against a fake configfs tree, the
# simulator (built here; the initramfs ships it for the VM tests), the KV
# client (its encoding, and end to end through an LD_PRELOAD fake device) and
# the userspace NVMe driver tools (unit tests and a fake controller; built
# here for the VM tests too).
run_tool_tests() {
    local name log status
    for name in nvmevctl-selftest sim kv nvme-raw; do
        log="$LOG_DIR/$name.log"
        status=0
        case $name in
            nvmevctl-selftest)
                step "nvmevctl self test (tests/nvmevctl-selftest.sh)"
                bash "$NVMEV_ROOT/tests/nvmevctl-selftest.sh" >"$log" 2>&1 || status=$? ;;
            sim)
                step "simulator (make -C tools/sim check)"
                make -C "$NVMEV_ROOT/tools/sim" check >"$log" 2>&1 || status=$? ;;
            kv)
                step "KV client (make -C tools/kv check)"
                make -C "$NVMEV_ROOT/tools/kv" check >"$log" 2>&1 || status=$? ;;
            nvme-raw)
                step "userspace NVMe driver (make -C tools/nvme-raw check)"
                make -C "$NVMEV_ROOT/tools/nvme-raw" check >"$log" 2>&1 || status=$? ;;
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

build_initramfs() {
    step "initramfs"
    if "$NVMEV_ROOT/scripts/vm/initramfs.sh" -k "$KVER" -m "$NVMEV_ROOT/nvmev.ko"; then
        return 0
    fi
    record_fail vm/initramfs "scripts/vm/initramfs.sh failed (output above)"
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
        [ -f "$path" ] && basename "$path" .sh
    done
}

vm_args_of() {  # <script name>: its "# nvmev-vm-args:" value, if any
    local path="$NVMEV_ROOT/tests/vm/$1.sh"
    [ -f "$path" ] || return 0
    sed -n 's/^# nvmev-vm-args:[[:space:]]*//p' "$path" | head -n 1
}

# Boot one VM for <names> (comma-separated) and collect its results.
run_vm_group() {  # <boot name> <vm args> <names>
    local name=$1 args=$2 names=$3 status=0 reason
    local runner_log="$LOG_DIR/vm-$name.runner.log"
    local -a extra=()
    [ -z "$args" ] || read -r -a extra <<<"$args"
    step "VM $name: ${names//,/ }${args:+ ($args)}"
    "$NVMEV_ROOT/scripts/vm/run.sh" --name "$name" "${extra[@]}" "$names" 2>&1 |
        tee "$runner_log" || status=$?
    local out="$NVMEV_VM_DIR/$name.out" console="$NVMEV_VM_DIR/$name.log"
    if [ -f "$out" ] && grep -aq '^@@RESULT ' "$out"; then
        collect_results "$out"
    elif [ -f "$console" ]; then
        collect_results "$console"
    fi
    if [ "$status" -ne 0 ]; then
        reason=$(grep -m1 'FAILED after' "$runner_log" | sed 's/^vm [^:]*: //') ||
            reason="scripts/vm/run.sh exited with status $status"
        record_fail "vm/$name/completed" "$reason (console: build/vm/$name.log)"
    fi
}

run_vm_tests() {
    local script args key
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
            run_vm_group suite "" "${members[$key]}"
        else
            run_vm_group "${members[$key]//,/+}" "$args" "${members[$key]}"
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
    # Per group (first component of the result name).
    awk '{ name = $2; sub(/:$/, "", name); split(name, part, "/"); g = part[1]
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
    echo "Total time $((SECONDS / 60)) min $((SECONDS % 60)) s; results in ${RESULTS#"$NVMEV_ROOT"/}"
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}

main() {
    cd "$NVMEV_ROOT"
    install_deps
    KVER=$(nvmev_kernel_version)
    mkdir -p "$LOG_DIR" "$NVMEV_VM_DIR"
    : >"$RESULTS"
    echo "guest kernel: $KVER"
    build_module
    run_unit_tests
    run_tool_tests
    if [ "$MODULE_BUILT" -eq 0 ]; then
        step "VM tests: skipped because the module did not build"
    elif build_initramfs; then
        run_vm_tests
    fi
    print_report
}

main "$@"
