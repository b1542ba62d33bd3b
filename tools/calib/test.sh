#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tools/calib/test.sh - check tools/calib/calibrate itself with drive files
# in a temporary directory, on the exact-timing preset nvm-slow (ftl/presets.c:
# reads of exactly read_delay = 100 us, no per-unit time, 4 units; so a QD1
# 4 KiB random read takes 100 us + host_ns and gives exactly 10,000 IOPS with
# host_ns 0), then run "calibrate --check --check-docs" on the real drive
# files (tools/calib/drives/*.conf) and docs/presets.md.
#
# Prints "@@RESULT PASS calib/<name>" or "@@RESULT FAIL calib/<name>: <reason>"
# per check and ends with "<N> passed, <N> failed"; exits non-zero if any
# check failed.

set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CAL=$HERE/calibrate
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nvmev-calib-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

passed=0
failed=0

pass() {
	echo "@@RESULT PASS calib/$1"
	passed=$((passed + 1))
}

fail() {
	echo "@@RESULT FAIL calib/$1: $2"
	failed=$((failed + 1))
}

# drive DIR NAME [LINES...]: a drive file for preset nvm-slow named NAME.conf
# (the preset line says nvm-slow unless NAME is nvm-slow: for the name check)
# with the header and then LINES.
drive() {
	local dir=$1 name=$2
	shift 2
	mkdir -p "$dir"
	{
		echo "# test drive"
		echo "preset    nvm-slow"
		echo "drive     a test drive with exact timing"
		echo "source    ftl/presets.c, nvm-slow"
		echo "capacity  64M"
		printf '%s\n' "$@"
	} >"$dir/$name.conf"
}

# run NAME ARGS...: calibrate ARGS, output in $TMP/NAME.out, status in $rc
run() {
	local name=$1
	shift
	"$CAL" "$@" >"$TMP/$name.out" 2>&1
	rc=$?
}

# row_field FILE PRESET ROW: the table line of that row
row_field() {
	awk -v p="$2" -v r="$3" '$1 == p && $2 == r { print }' "$1"
}

RR="rw=randread bs=4k iodepth=1 number_ios=2000"

# 1. An exact match: 10,000 IOPS at QD1, 100 us mean latency; plus a row
# 9.9% off either way, both within.
drive "$TMP/match" nvm-slow "host_ns 0" \
	"row rr-qd1 10000 IOPS none $RR | 10,000 IOPS (QD1)" \
	"row lat 100 us fill $RR | 100 us mean latency" \
	"row near 9100 IOPS none $RR | 9,100 IOPS: +9.9%" \
	"row below 11100 IOPS none $RR | 11,100 IOPS: -9.9%"
run match --check --drives "$TMP/match"
if [ "$rc" = 0 ] &&
   row_field "$TMP/match.out" nvm-slow rr-qd1 | grep -q '10,000 IOPS *10,000 IOPS *+0.0% *pass$' &&
   row_field "$TMP/match.out" nvm-slow lat | grep -q '100.0 us *100.0 us *+0.0% *pass$' &&
   row_field "$TMP/match.out" nvm-slow near | grep -q '+9.9% *pass$' &&
   row_field "$TMP/match.out" nvm-slow below | grep -q -- '-9.9% *pass$' &&
   grep -q 'enforced 4 passed, 0 failed, 0 errors; open (not enforced) 0' "$TMP/match.out"; then
	pass match
else
	fail match "exit $rc, expected 0 and four passing rows at 10,000 IOPS / 100 us: $(tr '\n' '~' <"$TMP/match.out")"
fi

# 2. host_ns is added to every I/O: 100 us + 25 us at QD1 = 8,000 IOPS.
drive "$TMP/host" nvm-slow "host_ns 25000" \
	"row rr-qd1 8000 IOPS none $RR | 8,000 IOPS (QD1, with host time)"
run host --check --drives "$TMP/host"
if [ "$rc" = 0 ] &&
   row_field "$TMP/host.out" nvm-slow rr-qd1 | grep -q '8,000 IOPS *8,000 IOPS *+0.0% *pass$'; then
	pass host-ns
else
	fail host-ns "exit $rc: $(tr '\n' '~' <"$TMP/host.out")"
fi

# 3. 11% off either way fails --check with exit status 1 (10,000 against
# 11,236: -11.0%; against 9,009: +11.0%); without --check the table is
# printed and the status is 0.
drive "$TMP/off" nvm-slow "host_ns 0" \
	"row low 11236 IOPS none $RR | 11,236 IOPS" \
	"row high 9009 IOPS none $RR | 9,009 IOPS" \
	"row ok 10000 IOPS none $RR | 10,000 IOPS"
run off --check --drives "$TMP/off"
off_rc=$rc
run off-nocheck --drives "$TMP/off"
if [ "$off_rc" = 1 ] && [ "$rc" = 0 ] &&
   row_field "$TMP/off.out" nvm-slow low | grep -q -- '-11.0% *FAIL$' &&
   row_field "$TMP/off.out" nvm-slow high | grep -q '+11.0% *FAIL$' &&
   grep -q 'enforced 1 passed, 2 failed' "$TMP/off.out" &&
   grep -q 'low: FAIL: -11.0% is outside +-10%' "$TMP/off.out"; then
	pass off-by-11-fails
else
	fail off-by-11-fails "expected exit 1 with --check, 0 without, rows low and high FAIL: $(tr '\n' '~' <"$TMP/off.out")"
fi

# 4. Open rows: computed, printed, not enforced; one that comes within is
# reported so that its line can go.
drive "$TMP/open" nvm-slow "host_ns 0" \
	"row low 11236 IOPS none $RR | 11,236 IOPS" \
	"row ok 10000 IOPS none $RR | 10,000 IOPS" \
	"open low the mechanism is missing" \
	"open ok it was missing"
run open --check --drives "$TMP/open"
if [ "$rc" = 0 ] &&
   row_field "$TMP/open.out" nvm-slow low | grep -q -- '-11.0% *open$' &&
   row_field "$TMP/open.out" nvm-slow ok | grep -q '+0.0% *open, now within$' &&
   grep -q 'enforced 0 passed, 0 failed, 0 errors; open (not enforced) 2, of them 1 now within' "$TMP/open.out" &&
   grep -q "ok: open row now within +-10%: remove its 'open' line" "$TMP/open.out"; then
	pass open-not-enforced
else
	fail open-not-enforced "exit $rc: $(tr '\n' '~' <"$TMP/open.out")"
fi

# 5. Malformed files are refused (exit 2) naming file and line, before any
# run.
# bad NAME "expected message" LINES...
bad() {
	local name=$1 msg=$2
	shift 2
	rm -rf "$TMP/bad"
	drive "$TMP/bad" nvm-slow "$@"
	run "bad-$name" --check --drives "$TMP/bad"
	if [ "$rc" = 2 ] && grep -qF -- "$msg" "$TMP/bad-$name.out"; then
		pass "malformed-$name"
	else
		fail "malformed-$name" "exit $rc (expected 2) and '$msg': $(tr '\n' '~' <"$TMP/bad-$name.out")"
	fi
}
F="$TMP/bad/nvm-slow.conf"
bad unit "$F:7: row r: unit 'kIOPS' is not one of MB/s, IOPS, us" \
	"host_ns 0" "row r 10 kIOPS none $RR | x"
bad no-figure "$F:7: row: '| <the figure as the source states it>' missing" \
	"host_ns 0" "row r 10000 IOPS none $RR"
bad target "$F:7: row r: target '10,000' is not a positive number" \
	"host_ns 0" "row r 10,000 IOPS none $RR | x"
bad precondition "$F:7: row r: precondition 'full' is not one of none, fill, steady" \
	"host_ns 0" "row r 10000 IOPS full $RR | x"
bad key "$F:7: row r: workload key 'iodepth' is not key=value" \
	"host_ns 0" "row r 10000 IOPS none rw=randread iodepth | x"
bad unknown-line "$F:7: unknown line 'rows'" \
	"host_ns 0" "rows r 10000 IOPS none $RR | x"
bad open-unknown-row "$F:8: open: no row 'q' in this file" \
	"host_ns 0" "row r 10000 IOPS none $RR | x" "open q reason"
bad duplicate "$F:7: 'host_ns' given twice (first on line 6)" \
	"host_ns 0" "host_ns 5"
bad missing-host "$F: 'host_ns' line missing" \
	"row r 10000 IOPS none $RR | x"
rm -rf "$TMP/bad"
drive "$TMP/bad" other "host_ns 0" "row r 10000 IOPS none $RR | x"
run bad-name --check --drives "$TMP/bad"
if [ "$rc" = 2 ] && grep -qF "$TMP/bad/other.conf:2: preset 'nvm-slow' in a file named other.conf" "$TMP/bad-name.out"; then
	pass malformed-file-name
else
	fail malformed-file-name "exit $rc: $(tr '\n' '~' <"$TMP/bad-name.out")"
fi

# A file without rows (a preset no drive's figures exist for) is accepted
# and shown as such.
drive "$TMP/norows" nvm-slow "host_ns 0"
run norows --check --drives "$TMP/norows"
if [ "$rc" = 0 ] && grep -q '^nvm-slow  -  *no rows (drive: a test drive with exact timing)' "$TMP/norows.out" &&
   grep -q '0 rows of 1 drive file (1 without rows)' "$TMP/norows.out"; then
	pass no-rows
else
	fail no-rows "exit $rc: $(tr '\n' '~' <"$TMP/norows.out")"
fi

# 6. No drive files: said, and not a pass.
mkdir -p "$TMP/empty"
run empty --check --drives "$TMP/empty"
if [ "$rc" = 1 ] && grep -q 'no drive files' "$TMP/empty.out"; then
	pass no-drive-files
else
	fail no-drive-files "exit $rc (expected 1): $(tr '\n' '~' <"$TMP/empty.out")"
fi

# 7. The preconditions as nvmev-sim phases (--verbose): fill is one 128 KiB
# QD32 sequential write of the capacity, steady adds 4 KiB random writes of
# twice the capacity; on a zoned preset whose zone capacity is below the
# zone size (zn540: 2 GiB zones of 1077 MiB, so 2 zones in 4G) each zone
# is written in a phase of its own. A row that nvmev-sim refuses is an
# error (exit 1).
drive "$TMP/pre" nvm-slow "host_ns 0" \
	"row s 10000 IOPS steady $RR | x"
run pre --check --verbose --drives "$TMP/pre"
cat >"$TMP/zn540.conf" <<EOF
preset zn540
drive test
source test
capacity 4G
host_ns 0
row seqread 1 MB/s fill rw=read bs=128k iodepth=32 io_size=256M | x
open seqread not a real figure
EOF
mkdir -p "$TMP/zoned"
mv "$TMP/zn540.conf" "$TMP/zoned/"
run zoned --check --verbose --drives "$TMP/zoned"
drive "$TMP/err" nvm-slow "host_ns 0" "row r 10000 IOPS none $RR nosuchkey=1 | x"
run err --check --drives "$TMP/err"
err_rc=$rc
if grep -q -- '--phase=fill rw=write bs=128k iodepth=32 --phase=steady rw=randwrite bs=4k iodepth=32 io_size=134217728 --phase=s rw=randread' "$TMP/pre.out" &&
   row_field "$TMP/pre.out" nvm-slow s | grep -q 'pass$' &&
   grep -q -- '--phase=fill-z0 rw=write bs=128k iodepth=32 offset=0 size=1129316352 --phase=fill-z1 rw=write bs=128k iodepth=32 offset=2147483648 size=1129316352 --phase=seqread' "$TMP/zoned.out" &&
   row_field "$TMP/zoned.out" zn540 seqread | grep -q ' open$' &&
   [ "$err_rc" = 1 ] && grep -q 'nvm-slow r: error: nvmev-sim exit status' "$TMP/err.out"; then
	pass preconditions
else
	fail preconditions "$(tr '\n' '~' <"$TMP/pre.out") / $(tr '\n' '~' <"$TMP/zoned.out") / exit $err_rc: $(tr '\n' '~' <"$TMP/err.out")"
fi

# 8. --markdown rewrites the table between the markers, and only that;
# --check-docs tells a current table from a stale one.
{
	echo "# before"
	grep -F '<!-- calibrate: begin' "$CAL" | sed 's/^BEGIN_MARK = "\(.*\)"$/\1/'
	echo "old"
	grep -F '<!-- calibrate: end' "$CAL" | sed 's/^END_MARK = "\(.*\)"$/\1/'
	echo "after"
} >"$TMP/docs.md"
run md --markdown --docs "$TMP/docs.md" --drives "$TMP/open"
md_rc=$rc
run md-current --check-docs --docs "$TMP/docs.md" --drives "$TMP/open"
cur_rc=$rc
run md-stale --check-docs --docs "$TMP/docs.md" --drives "$TMP/match"
# shellcheck disable=SC2016 # the backquotes are markdown, not expansions
if [ "$md_rc" = 0 ] && [ "$cur_rc" = 0 ] && [ "$rc" = 1 ] &&
   [ "$(head -n 1 "$TMP/docs.md")" = "# before" ] &&
   [ "$(tail -n 1 "$TMP/docs.md")" = "after" ] &&
   ! grep -qx old "$TMP/docs.md" &&
   grep -qF '| low | 11,236 IOPS | none | `rw=randread bs=4k iodepth=1 number_ios=2000` | 11,236 IOPS | 10,000 IOPS | -11.0% | open |' "$TMP/docs.md" &&
   grep -qF -- '- open `low`: the mechanism is missing' "$TMP/docs.md" &&
   grep -q 'generated table is current' "$TMP/md-current.out" &&
   grep -q 'generated table is stale' "$TMP/md-stale.out"; then
	pass markdown
else
	fail markdown "exits $md_rc $cur_rc $rc: $(tr '\n' '~' <"$TMP/docs.md")"
fi

# 9. The real drive files against their datasheets, and docs/presets.md's
# table against this run.
run real --check --check-docs
cat "$TMP/real.out"
if grep -q 'no drive files' "$TMP/real.out"; then
	fail drives "no drive files in tools/calib/drives"
elif grep -qE 'enforced [0-9]+ passed, 0 failed, 0 errors' "$TMP/real.out"; then
	pass drives
else
	fail drives "rows outside +-10% or in error (table above)"
fi
if grep -q 'generated table is current' "$TMP/real.out"; then
	pass docs-table
else
	fail docs-table "docs/presets.md's table is not what calibrate gives now: run tools/calib/calibrate --markdown"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
