#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Tests of nvme-raw-fuzz against the fake controller (--fake), no hardware:
#  1. a run passes, with every category of the mix and statuses of each
#     kind it aims at (invalid opcode, PRP offset, data transfer error,
#     queue errors);
#  2. the same seed gives the same trace (every command and status), a
#     different seed another one; every command of the trace has its
#     completion line;
#  3. the checks fail when they should: the fake made to write past a
#     read's data (--fake-oob) fails the run on a guard page, exit 1; a
#     fake that stops fetching (--fake-hang) fails it on the first command
#     left without a completion;
#  4. usage errors exit 2.
#
# NVME_RAW_FUZZ names the binary; NVME_RAW_SUFFIX is appended to the
# result names.  Prints "@@RESULT PASS|FAIL tools/nvme-raw/fuzz-<test>"
# lines and "<N> passed, <N> failed"; exits non-zero on failure.

HERE=$(cd "$(dirname "$0")" && pwd)
F=${NVME_RAW_FUZZ:-$HERE/build/nvme-raw-fuzz}
SFX=${NVME_RAW_SUFFIX:-}
[ -x "$F" ] || make -s -C "$HERE" >/dev/null || exit 1

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { echo "@@RESULT PASS tools/nvme-raw/fuzz-$1$SFX"; pass=$((pass + 1)); }
bad() { echo "@@RESULT FAIL tools/nvme-raw/fuzz-$1$SFX: $2"; fail=$((fail + 1)); }

# ---- 1. a run
"$F" --fake --seed 7 --count 4000 >"$T/run" 2>"$T/err"
rc=$?
if [ $rc -eq 0 ] && grep -q '^PASS: seed 7, ' "$T/run" && [ ! -s "$T/err" ]; then
	ok pass
else
	bad pass "exit $rc: $(tail -n 2 "$T/run" "$T/err" | tr '\n' ' ')"
fi
line=$(grep '^batches by category:' "$T/run")
missing=""
for c in io prp io-random admin-random doorbell queues reset; do
	n=$(sed -n "s/.* $c \([0-9]*\).*/\1/p" <<<"$line")
	[ "${n:-0}" -gt 0 ] || missing="$missing $c"
done
[ -z "$missing" ] && ok every-category || bad every-category "no batch of:$missing [$line]"
missing=""
for s in 0x0000 0x4001 0x4004 0x4013 0x4080 0x4100 0x4101 0x4102 0x410c; do
	grep -q "^  $s " "$T/run" || missing="$missing $s"
done
[ -z "$missing" ] && ok statuses || bad statuses "no status$missing"
n=$(sed -n 's/^nvme-raw-fuzz: seed 7, \([0-9]*\) commands in .*/\1/p' "$T/run")
[ "${n:-0}" -ge 4000 ] && ok count || bad count "ran ${n:-?} commands, asked 4000"

# ---- 2. reproducible
trace() {  # <seed> <file>: the trace without the timing line
	"$F" --fake --seed "$1" --count 1500 --batch 8 --trace 2>&1 |
		grep -v 'commands/s$' >"$2"
}
trace 11 "$T/a"
trace 11 "$T/b"
trace 12 "$T/c"
if cmp -s "$T/a" "$T/b" && [ "$(grep -c '^cmd ' "$T/a")" -ge 1500 ]; then
	ok same-seed-same-trace
else
	bad same-seed-same-trace "$(diff "$T/a" "$T/b" | head -n 3 | tr '\n' ' ')"
fi
cmp -s "$T/a" "$T/c" && bad other-seed-other-trace "seeds 11 and 12 gave one trace" ||
	ok other-seed-other-trace
# every command has a completion line (or is an AER left open)
cmds=$(sed -n 's/^cmd \([0-9]*\) .*/\1/p' "$T/a" | sort -n | uniq)
done_=$(sed -n 's/^done \([0-9]*\) .*/\1/p' "$T/a" | sort -n | uniq)
dropped=$(sed -n 's/.*commands dropped by a reset \([0-9]*\),.*/\1/p' "$T/a")
n1=$(wc -l <<<"$cmds")
n2=$(wc -l <<<"$done_")
if [ "$n1" -eq "$n2" ] && [ -z "$(comm -13 <(echo "$cmds") <(echo "$done_"))" ]; then
	ok every-command-completes
else
	bad every-command-completes "$n1 commands, $n2 completions, $dropped dropped"
fi

# ---- 3. the checks catch a device writing past a buffer
for every in 1 7; do
	"$F" --fake --seed 3 --count 20000 --fake-oob $every >"$T/oob" 2>&1
	rc=$?
	if [ $rc -eq 1 ] && grep -q '^FAIL: seed 3: guard page [0-9]* of area [0-9]* at 0x[0-9a-f]* changed: byte 0 is 0xee' "$T/oob" &&
		! grep -q '^PASS' "$T/oob"; then
		ok "oob-caught-$every"
	else
		bad "oob-caught-$every" "exit $rc: $(grep -m1 -E '^(PASS|FAIL)' "$T/oob")"
	fi
done

# ---- and a command that never completes (the fake stops fetching)
"$F" --fake --seed 3 --count 5000 --fake-hang 1000 --timeout 200 >"$T/hang" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -Eq '^FAIL: seed 3: [0-9]+ command\(s\) without a completion after 200 ms and no CSTS.CFS .* 1000\(q' "$T/hang"; then
	ok lost-command-caught
else
	bad lost-command-caught "exit $rc: $(grep -m1 -E '^(PASS|FAIL)' "$T/hang")"
fi

# ---- 4. usage
for args in "--fake --batch 0" "--fake --batch 65" "--fake --lbas 5" "--fake --forbid 9-3" \
	"--fake 0000:00:04.0" "" "--fake --seed x"; do
	# shellcheck disable=SC2086 # word lists
	"$F" $args >/dev/null 2>"$T/u"
	rc=$?
	[ $rc -eq 2 ] && grep -q '^usage:' "$T/u" && ok "usage-${args// /_}" ||
		bad "usage-${args// /_}" "exit $rc"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
