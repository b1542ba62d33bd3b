#!/usr/bin/env bash
# Self test of the suite's own harness, scripts/test.sh: its functions are
# sourced (under its set -euo pipefail) and run against a stub VM runner in
# a temporary tree; no module, no VM.  Checks that a boot's results are
# collected under the kernel's name, that a clean console and a console
# with a kernel report are told apart without ending the suite, that a
# failed boot is a failure, and the final report.  Ends with
# "N passed, N failed".
#   tests/harness-selftest.sh

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/harness-selftest.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
PASSED=0
FAILED=0

check() {  # <name> <expected> <actual>
    local n=harness-selftest/$1
    if [ "$2" = "$3" ]; then
        PASSED=$((PASSED + 1))
        echo "@@RESULT PASS $n"
    else
        FAILED=$((FAILED + 1))
        echo "@@RESULT FAIL $n: expected '$2', got '$3'" | tr '\n' ' ' | cut -c1-400
        echo
    fi
}

# The stub of scripts/vm/run.sh: writes the results and the console that
# the boot named by --name ($STUB_<boot>) is set up to produce.
mkdir -p "$TMP/root/scripts/vm"
cat >"$TMP/root/scripts/vm/run.sh" <<'EOF'
#!/usr/bin/env bash
name=
while [ $# -gt 1 ]; do
    case $1 in --name) name=$2; shift 2 ;; --*) shift 2 ;; *) shift ;; esac
done
mkdir -p "$(dirname "$VM_DIR/$name")"
case ${name#*/} in
    clean)
        printf '@@RESULT PASS smoke/insmod\n@@RESULT FAIL smoke/io: status 0x4004\n' >"$VM_DIR/$name.out"
        printf '[    1.0] nvmev: controller ready\r\n@@RESULT PASS smoke/insmod\r\n' >"$VM_DIR/$name.log" ;;
    report)
        printf '@@RESULT PASS kasan/insmod\n' >"$VM_DIR/$name.out"
        printf '[    2.0] BUG: KASAN: slab-use-after-free in nvmev_io_worker\r\n' >"$VM_DIR/$name.log" ;;
    clock)
        printf '@@RESULT PASS clock/insmod\n' >"$VM_DIR/$name.out"
        printf '[    6.6] sched_clock: Marking stable (6636142825, 33417033)\r\n' >"$VM_DIR/$name.log" ;;
    timeout)
        printf '[    3.0] booting\r\n@@RESULT PASS late/insmod\r\n' >"$VM_DIR/$name.log"
        echo "vm $name: FAILED after 1800 s (time limit)"
        exit 1 ;;
esac
exit 0
EOF
chmod +x "$TMP/root/scripts/vm/run.sh"

# Each step runs in a subshell of the sourced harness: "exit" there is the
# harness ending the whole suite, which is what these checks catch.
harness() {  # <bash code run after sourcing scripts/test.sh>
    (
        # shellcheck source=scripts/test.sh
        source "$ROOT/scripts/test.sh"
        NVMEV_ROOT=$TMP/root
        NVMEV_VM_DIR=$TMP/vm
        LOG_DIR=$TMP/logs
        RESULTS=$TMP/results.txt
        NVMEV_K_SLOWDOWN=1
        export VM_DIR=$NVMEV_VM_DIR
        mkdir -p "$LOG_DIR/k1" "$NVMEV_VM_DIR"
        eval "$1"
        echo "harness-alive"
    ) >"$TMP/out" 2>&1
    echo $?
}

: >"$TMP/results.txt"
check clean-boot-survives "0" "$(harness 'run_vm_group k1 clean "" a,b')"
check clean-boot-alive "1" "$(grep -c '^harness-alive$' "$TMP/out")"
check clean-boot-results "PASS k1/smoke/insmod|FAIL k1/smoke/io: status 0x4004|PASS k1/vm/clean/console-clean|PASS k1/vm/clean/no-clock-patching" \
    "$(paste -sd'|' "$TMP/results.txt")"

: >"$TMP/results.txt"
check report-boot-survives "0" "$(harness 'run_vm_group k1 report "" a')"
check report-boot-console-fails "1" \
    "$(grep -c '^FAIL k1/vm/report/console-clean: kernel reports in build/vm/k1/report.log: .*BUG: KASAN: slab-use-after-free' "$TMP/results.txt")"
check report-boot-results "1" "$(grep -c '^PASS k1/kasan/insmod$' "$TMP/results.txt")"

: >"$TMP/results.txt"
check failed-boot-survives "0" "$(harness 'run_vm_group k1 timeout "" a')"
check failed-boot-results-from-console "1" "$(grep -c '^PASS k1/late/insmod$' "$TMP/results.txt")"
check failed-boot-is-a-failure "1" \
    "$(grep -c '^FAIL k1/vm/timeout/completed: FAILED after 1800 s' "$TMP/results.txt")"

# a boot that live-patched sched_clock (6.12 under TCG without
# tsc=unstable) fails, a clean one passes
: >"$TMP/results.txt"
check clock-boot-survives "0" "$(harness 'run_vm_group k1 clock "" a')"
check clock-boot-fails "1" \
    "$(grep -c '^FAIL k1/vm/clock/no-clock-patching: the guest live-patched sched_clock .*Marking stable' "$TMP/results.txt")"
check clock-boot-console-clean "1" "$(grep -c '^PASS k1/vm/clock/console-clean$' "$TMP/results.txt")"
: >"$TMP/results.txt"
harness 'run_vm_group k1 clean "" a' >/dev/null
check clean-boot-no-clock-patching "1" "$(grep -c '^PASS k1/vm/clean/no-clock-patching$' "$TMP/results.txt")"

# no console at all (the VM never started): nothing about the console
: >"$TMP/results.txt"
# shellcheck disable=SC2016 # expanded by the harness
check no-console-survives "0" "$(harness 'check_console k1 none "$NVMEV_VM_DIR/k1/none.log"')"
check no-console-nothing "0" "$(wc -l <"$TMP/results.txt")"

# A kit set up on demand (6.12 on a fresh machine): the kernel's settings
# after it are the kit's, not those of the kernel before
printf '#!/bin/sh\ntouch "%s/kit-6.12"\necho kit made\n' "$TMP" >"$TMP/root/kit.sh"
chmod +x "$TMP/root/kit.sh"
# shellcheck disable=SC2016 # expanded by the harness
kit_code='nvmev_kit_script() { echo "$NVMEV_ROOT/kit.sh"; }
    nvmev_kernel_resolve() {
        [ -f "$TMP/kit-$1" ] || { echo "kernel $1: no such kit" >&2; return 1; }
        NVMEV_K_KVER=kver-$1
    }
    NVMEV_K_KVER=kver-6.1
    mkdir -p "$LOG_DIR/$K"
    if prepare_kernel "$K"; then echo "resolved $NVMEV_K_KVER"; fi'
: >"$TMP/results.txt"
check kit-made-survives "0" "$(harness "K=6.12; $kit_code")"
check kit-made-settings-are-its-own "resolved kver-6.12" "$(grep '^resolved ' "$TMP/out")"
check kit-made-no-failure "0" "$(wc -l <"$TMP/results.txt")"
check kit-missing-survives "0" "$(harness "K=6.99; $kit_code")"
check kit-missing-is-a-failure "1" "$(grep -c '^FAIL 6.99/kit: kernel 6.99: no such kit$' "$TMP/results.txt")"

# a script marked "# nvmev-opt-in:" runs only when NVMEV_TESTS names it
mkdir -p "$TMP/root/tests/vm"
printf '#!/bin/sh\n' >"$TMP/root/tests/vm/00-a.sh"
printf '#!/bin/sh\n# nvmev-opt-in: needs more\n' >"$TMP/root/tests/vm/01-b.sh"
check opt-in-left-out "00-a" "$(harness 'NVMEV_TESTS= selected_scripts' >/dev/null; grep -v '^harness-alive$' "$TMP/out" | paste -sd' ')"
check opt-in-named "01-b 00-a" "$(harness 'NVMEV_TESTS="01-b 00-a" selected_scripts' >/dev/null; grep -v '^harness-alive$' "$TMP/out" | paste -sd' ')"

# the report: counts per group and the last line; its status says failed
printf 'PASS k1/a/x\nPASS k1/a/y\nFAIL k1/b/z: why\nPASS unit/u\n' >"$TMP/results.txt"
check report-status "1" "$(harness 'KERNELS=(k1); print_report')"
check report-last-line "3 passed, 1 failed" "$(grep -v '^harness-alive$' "$TMP/out" | tail -n 1)"
check report-lists-failure "1" "$(grep -c '^  FAIL k1/b/z: why$' "$TMP/out")"
check report-group-counts "1" "$(grep -c '^  k1/a  *2 passed, 0 failed$' "$TMP/out")"
printf 'PASS k1/a/x\n' >"$TMP/results.txt"
check report-status-all-passed "0" "$(harness 'KERNELS=(k1); print_report')"

# scripts/vm/run.sh's boot watchdog, against a stub QEMU: a boot whose
# console stops before /init is started again (three boots at most); one
# that hangs after /init is not.  The stub reads what boot N does from
# $RS/boot<N>: "stall", "hang" or (anything else) complete.
RS=$TMP/rs
mkdir -p "$RS/scripts/vm" "$RS/bin" "$RS/vm"
cp "$ROOT/scripts/vm/run.sh" "$RS/scripts/vm/run.sh"
{
    echo "NVMEV_ROOT=$RS"
    echo "NVMEV_VM_DIR=$RS/vm"
    echo "nvmev_kernel_resolve() {"
    echo "    NVMEV_K_NAME=stub NVMEV_K_KVER=stub NVMEV_K_IMAGE=$RS/vmlinuz"
    echo "    NVMEV_K_SLOWDOWN=1 NVMEV_K_APPEND=''"
    echo "}"
    echo "nvmev_initramfs_path() { echo $RS/initrd; }"
    echo "nvmev_qemu_command() { NVMEV_QEMU_CMD=(qemu-system-x86_64); }"
} >"$RS/scripts/vm/common.sh"
{
    echo '#!/usr/bin/env bash'
    echo 'log=""'
    echo 'while [ $# -gt 0 ]; do'
    echo '    if [ "$1" = -serial ] && [ -z "$log" ]; then log=${2#file:}; fi'
    echo '    shift'
    echo 'done'
    echo 'n=$(($(cat "$RS/boots" 2>/dev/null || echo 0) + 1))'
    echo 'echo "$n" >"$RS/boots"'
    echo 'printf "[    1.0] pnp: PnP ACPI: found 7 devices\r\n" >"$log"'
    echo 'case $(cat "$RS/boot$n" 2>/dev/null) in'
    echo '    stall) exec sleep 30 ;;'
    echo '    hang) printf "[    7.0] Run /init as init process\r\n" >>"$log"; exec sleep 30 ;;'
    echo '    *) printf "[    7.0] Run /init as init process\r\n@@NVMEV-DONE\r\n" >>"$log" ;;'
    echo 'esac'
} >"$RS/bin/qemu-system-x86_64"
chmod +x "$RS/bin/qemu-system-x86_64"
: >"$RS/vmlinuz"
: >"$RS/initrd"
runvm() {  # <what boots 1, 2, ... do>: run.sh's output, then "status N"
    local n=1 b
    rm -f "$RS/boots" "$RS"/boot[0-9]*
    for b in "$@"; do
        echo "$b" >"$RS/boot$n"
        n=$((n + 1))
    done
    RS=$RS PATH="$RS/bin:$PATH" NVMEV_VM_BOOT_STALL=2 \
        "$RS/scripts/vm/run.sh" --kernel stub --name w --timeout 6 a 2>&1
    echo "status $?"
}
out=$(runvm stall done)
check stall-then-boot-passes "status 0" "$(echo "$out" | tail -n 1)"
check stall-then-boot-two-boots "2" "$(cat "$RS/boots")"
check stall-said "1" "$(echo "$out" | grep -c 'boot 1 of 3 stalled before /init: no console output for 2s after: \[    1.0\] pnp: PnP ACPI: found 7 devices')"
check stall-console-kept "1" "$(grep -c 'pnp: PnP ACPI' "$RS/vm/w.log.stalled1")"
out=$(runvm stall stall stall done)
check three-stalls-fail "status 1" "$(echo "$out" | tail -n 1)"
check three-stalls-three-boots "3" "$(cat "$RS/boots")"
check three-stalls-reason "1" "$(echo "$out" | grep -c 'FAILED after .*every boot (3) stalled before /init')"
out=$(runvm hang done)
check hang-after-init-fails "status 1" "$(echo "$out" | tail -n 1)"
check hang-after-init-one-boot "1" "$(cat "$RS/boots")"
check hang-after-init-timed-out "1" "$(echo "$out" | grep -c 'FAILED after .*timed out after 6s')"
out=$(runvm done)
check plain-boot-passes "status 0" "$(echo "$out" | tail -n 1)"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
