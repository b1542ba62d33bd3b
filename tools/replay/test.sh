#!/bin/bash
# nvmev-replay against build/fakedev.so (a namespace in memory): writes
# with and without placement, verification that passes and that catches a
# corrupted read, a failed command, and bad traces.  Prints "N passed, N
# failed" and @@RESULT lines.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
B=$HERE/build
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { echo "@@RESULT PASS replay/$1"; pass=$((pass + 1)); }
bad() { echo "@@RESULT FAIL replay/$1 $2"; fail=$((fail + 1)); }
OPTS=()
check() {  # <name> <expected exit> <trace text> [env...]
    local name=$1 want=$2 text=$3 got
    shift 3
    printf '%s\n' "$text" >"$T/trace"
    env FAKE_DEV=/fake/ns FAKE_LOG="$T/log" "$@" LD_PRELOAD="$B/fakedev.so" \
        "$B/nvmev-replay" --verify "${OPTS[@]}" /fake/ns "$T/trace" >"$T/out" 2>"$T/err"
    got=$?
    if [ "$got" = "$want" ]; then ok "$name"
    else bad "$name" "exit $got, want $want: $(tail -n 2 "$T/err" "$T/out" | tr '\n' ' ')"; fi
}

check write-read-verify 0 "- W 0 64k
- W 4096 8k pid=3
- R 0 64k
- F
- Z 8192 4096
- R 8192 4096
- T 32768 4k"
# the placed write carries DTYPE 2 in CDW12[23:20] and the PID in CDW13[31:16]
if grep -q '^0x1 8 16 0x20000f 0x30000 0$' "$T/log"; then ok placement-fields
else bad placement-fields "$(grep '^0x1 8 ' "$T/log")"; fi
if grep -q '^0x1 0 128 0xf\?7f 0 0$' "$T/log"; then ok unplaced-no-directive
else bad unplaced-no-directive "$(head -n 1 "$T/log")"; fi
# the final read-back covers what was written and zeroed, not the trimmed block
if [ "$(grep -c '^0x2 ' "$T/log")" -ge 3 ]; then ok final-readback
else bad final-readback "$(grep -c '^0x2 ' "$T/log") reads"; fi
check corrupt-read-caught 1 "- W 0 4k
- R 0 4k" FAKE_CORRUPT=1
check failed-write-reported 1 "- W 0 4k
- W 4096 4k" FAKE_FAIL=2
check bad-op 2 "- X 0 4k"
check unaligned 2 "- W 100 4k"
check beyond-end 2 "- W 2M 4k"
check bad-pid 2 "- W 0 4k pid=70000"
check split-large 0 "- W 0 1M
- R 0 1M"
if [ "$(grep -c '^0x1 ' "$T/log")" = 4 ]; then ok split-256k
else bad split-256k "$(grep -c '^0x1 ' "$T/log") writes for 1 MiB"; fi
# ruh/rg make the placement identifier from the configuration's RGIF
OPTS=(--rgif 2)
check ruh-rg 0 "- W 0 4k ruh=3 rg=1
- W 4096 4k ruh=5"
if grep -q '^0x1 0 8 0x200007 0x40030000 0$' "$T/log" &&
   grep -q '^0x1 8 8 0x200007 0x50000 0$' "$T/log"; then ok ruh-rg-pid
else bad ruh-rg-pid "$(head -n 2 "$T/log" | tr '\n' ' ')"; fi
check rg-too-big 2 "- W 0 4k ruh=0 rg=4"
OPTS=()
check rg-without-rgif 2 "- W 0 4k rg=1"
check placement-on-read 2 "- R 0 4k ruh=1"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
