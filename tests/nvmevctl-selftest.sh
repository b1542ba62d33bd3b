#!/bin/sh
# Host-side self test of scripts/nvmevctl against a fake configfs tree (plain
# files and directories in a temporary directory; no module, no VM).  Only
# the read-only commands and the argument errors are checked, under every
# shell found of dash, busybox sh and bash.  Ends with "N passed, N failed".
#   tests/nvmevctl-selftest.sh

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CTL=$ROOT/scripts/nvmevctl
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nvmevctl-selftest.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
PASSED=0
FAILED=0

check() {  # <name> <expected> <actual>
    # "@@RESULT" lines are what scripts/test.sh collects; one-word names
    n=nvmevctl-selftest/$(printf '%s' "$1" | tr -c 'A-Za-z0-9_.=-' '-' | tr -s '-' | sed 's/^-//')
    if [ "$2" = "$3" ]; then
        PASSED=$((PASSED + 1))
        echo "@@RESULT PASS $n"
    else
        FAILED=$((FAILED + 1))
        echo "@@RESULT FAIL $n: expected '$2', got '$3'" | tr '\n' ' ' | cut -c1-400
        echo
        printf 'FAIL %s\n--- expected\n%s\n--- got\n%s\n' "$1" "$2" "$3"
    fi
}

# The tree the module would show: ctrl0 enabled and bound (native multipath
# names in sysfs) with namespaces 1 (enabled) and 2 (disabled); ctrl1 new.
make_tree() {
    cfs=$TMP/cfg
    mkdir -p "$cfs/ctrl0/namespaces/1" "$cfs/ctrl0/namespaces/2" "$cfs/ctrl1/namespaces"
    printf '%s\n' 'start 0x100000000' 'size 2147483648' 'free 1878523904' \
        'largest_free 1073741824' 'extent 0x100000000 1048576 ctrl0' >"$cfs/pool"
    echo nvm >"$cfs/features"
    for pair in enable=1 serial=NVMEV0001 pci=10001:00:00.0 cpus=2,3; do
        echo "${pair#*=}" >"$cfs/ctrl0/${pair%%=*}"
    done
    for pair in enable=0 serial=NVMEV0002 pci=; do
        echo "${pair#*=}" >"$cfs/ctrl1/${pair%%=*}"
    done
    printf 'admin_cmds 7\nadmin_errors 0\ninflight 0\n' >"$cfs/ctrl0/stats"
    for ns in 1 2; do
        d=$cfs/ctrl0/namespaces/$ns
        echo nvm >"$d/type"
        echo 512 >"$d/lba_size"
        printf 'inflight 0\nerrors 0\nread_cmds %s\n' "$ns" >"$d/stats"
        printf 'optane nvm Optane-class\nnvm-zero nvm Zero-latency\n' >"$d/presets"
    done
    echo 1 >"$cfs/ctrl0/namespaces/1/enable"
    echo 268435456 >"$cfs/ctrl0/namespaces/1/size"
    echo optane >"$cfs/ctrl0/namespaces/1/preset"
    echo 0 >"$cfs/ctrl0/namespaces/2/enable"
    echo 1073741824 >"$cfs/ctrl0/namespaces/2/size"
    echo nvm-zero >"$cfs/ctrl0/namespaces/2/preset"
    mkdir -p "$TMP/sys/bus/pci/devices/10001:00:00.0/nvme/nvme1" \
        "$TMP/sys/class/nvme/nvme1/nvme0c1n1" "$TMP/sys/class/nvme/nvme1/ng0n1"
    # the host numbers namespaces itself: the entry's nsid attribute tells
    echo 1 >"$TMP/sys/class/nvme/nvme1/nvme0c1n1/nsid"
}

run_suite() {  # <shell command>
    sh=$1
    t="[$sh]"
    ctl() { NVMEV_CONFIGFS=$TMP/cfg NVMEV_SYSFS=$TMP/sys $sh "$CTL" "$@"; }

    out=$(ctl --help); rc=$?
    check "$t --help status" 0 "$rc"
    missing=
    for word in create add-ns rm-ns list destroy stats presets pool help Examples; do
        case $out in *"$word"*) ;; *) missing="$missing $word" ;; esac
    done
    check "$t --help lists every command" "" "$missing"
    check "$t no arguments = --help" "$out" "$(ctl)"
    check "$t help = --help" "$out" "$(ctl help)"

    check "$t list" \
        "ctrl0: enabled, serial NVMEV0001, pci 10001:00:00.0, /dev/nvme1
  ns 1: enabled, nvm, 256 MiB, 512 B blocks, preset optane, /dev/nvme0n1
  ns 2: disabled, nvm, 1024 MiB, 512 B blocks, preset nvm-zero
ctrl1: disabled, serial NVMEV0002
pool: 1791.50 MiB free of 2048 MiB, largest free extent 1024 MiB" "$(ctl list)"

    check "$t pool" "$(cat "$TMP/cfg/pool")" "$(ctl pool)"
    check "$t stats ctrl" "$(cat "$TMP/cfg/ctrl0/stats")" "$(ctl stats ctrl0)"
    check "$t stats ns" "$(cat "$TMP/cfg/ctrl0/namespaces/2/stats")" "$(ctl stats ctrl0/2)"
    check "$t presets" "$(cat "$TMP/cfg/ctrl0/namespaces/1/presets")" "$(ctl presets)"

    err=$(ctl stats nope 2>&1); rc=$?
    check "$t stats of a missing controller" "1: nvmevctl: no controller 'nope' in $TMP/cfg" "$rc: $err"

    err=$(ctl frobnicate 2>&1 >/dev/null); rc=$?
    check "$t unknown command" "2: nvmevctl: unknown command 'frobnicate'" "$rc: ${err%%"$NL"*}"
    err=$(ctl list --bogus 2>&1 >/dev/null); rc=$?
    check "$t extra argument" 2 "$rc"
    err=$(ctl create --namespaces 40 2>&1 >/dev/null); rc=$?
    check "$t bad --namespaces" 2 "$rc"

    err=$(NVMEV_CONFIGFS=$TMP/none $sh "$CTL" list 2>&1); rc=$?
    check "$t missing configfs" \
        "1: nvmevctl: $TMP/none not found: load the module (insmod nvmev.ko ...)" "$rc: $err"
}

NL='
'
make_tree
ran=
for sh in dash "busybox sh" bash; do
    command -v "${sh%% *}" >/dev/null 2>&1 || continue
    run_suite "$sh"
    ran="$ran [$sh]"
done
[ -n "$ran" ] || run_suite sh
[ -z "$ran" ] || echo "shells:$ran"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
