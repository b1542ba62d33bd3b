#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host tests of crashwork (no VM, no device): a run killed after a second
# checks clean; the same seed gives the same files; and check really fails
# (on a run of 2000 operations that ended by itself) on what a crash may do
# wrong: a flipped byte in a durable prefix, a file
# cut below its durable length, a missing file, both names of a pending
# rename, an old name back after a durable rename, a damaged log.
#
# CRASHWORK names the binary; CRASHWORK_SUFFIX is appended to the result
# names (the sanitizer build runs them again).  Prints "@@RESULT PASS|FAIL
# tools/crash/<test>" lines and "<N> passed, <N> failed"; exits non-zero on
# failure.  Run by `make check`.

HERE=$(cd "$(dirname "$0")" && pwd)
CW=${CRASHWORK:-$HERE/build/crashwork}
SFX=${CRASHWORK_SUFFIX:-}
[ -x "$CW" ] || make -s -C "$HERE" >/dev/null || exit 1

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

ok() { echo "@@RESULT PASS tools/crash/$1$SFX"; pass=$((pass + 1)); }
bad() { echo "@@RESULT FAIL tools/crash/$1$SFX: $2"; fail=$((fail + 1)); }

# check NAME WANT-STATUS [grep -E pattern the output must match]: runs
# crashwork check on $T/d with $T/log (or $LOG)
check() {
	local out rc
	out=$("$CW" check "$T/d" "${LOG:-$T/log}" 2>&1)
	rc=$?
	if [ $rc -ne "$2" ]; then
		bad "$1" "exit $rc, not $2: $(tr '\n' '|' <<<"$out")"
	elif [ -n "${3:-}" ] && ! grep -Eq -- "$3" <<<"$out"; then
		bad "$1" "no line matching [$3] in [$(tr '\n' '|' <<<"$out")]"
	else
		ok "$1"
	fi
}

# a fresh copy of the killed run's files and log in $T/d, $T/log
restore() {
	rm -rf "$T/d" && cp -a "$T/orig" "$T/d" && cp "$T/orig.log" "$T/log"
}

# ---- a run killed after a second checks clean; a kill loses no written
# byte (the page cache has them)
mkdir "$T/d"
"$CW" run "$T/d" "$T/log" 12345 &
pid=$!
sleep 1
kill -9 $pid
wait $pid 2>/dev/null
summary=$("$CW" check "$T/d" "$T/log")
rc=$?
echo "$summary"
files=$(sed -n 's/^crashwork check: \([0-9]*\) files.*/\1/p' <<<"$summary")
renames=$(grep -c '^C ' "$T/log")
if [ $rc -eq 0 ] && [ "${files:-0}" -ge 2 ] && [ "$renames" -ge 1 ] &&
   grep -q '^S$' "$T/log" && grep -q ', 0 failures$' <<<"$summary" &&
   grep -q ' 0 written bytes missing,' <<<"$summary"; then
	ok killed-run-checks-clean
else
	bad killed-run-checks-clean "exit $rc, $renames renames: $summary"
fi

# the damage tests: a run that ended by itself (no rename left pending)
mkdir "$T/orig"
"$CW" run "$T/orig" "$T/orig.log" 777 2000 2>/dev/null ||
	bad run-ops "crashwork run ... 2000 exited with status $?"

# the id and names of a durable file with at least 64 bytes, and of one
# renamed durably
id=$(awk '$1 == "D" && $4 >= 64 { print $2; exit }' "$T/orig.log")
name=$(awk -v id="$id" '$1 == "D" && $2 == id { n = $3 } $1 == "C" && $2 == id { n = $3 } END { print n }' "$T/orig.log")
len=$(awk -v id="$id" '$1 == "D" && $2 == id { n = $4 } END { print n }' "$T/orig.log")
# the last rename of the log: no later record names that file
rline=$(grep -n '^R ' "$T/orig.log" | tail -n 1 | cut -d: -f1)
read -r _ rid rold rname <<<"$(sed -n "${rline}p" "$T/orig.log")"
# a second durable file, not the first one
other=$(awk -v id="$id" '$1 == "C" && $2 != id { n[$2] = $3 } END { for (i in n) { print n[i]; exit } }' "$T/orig.log")
echo "file $id: $name, $len bytes durable; renamed last: $rold -> $rname (file $rid); other: $other"

# ---- check fails on damage
restore
printf '\x5a' | dd of="$T/d/$name" bs=1 seek=$((len / 2)) conv=notrunc status=none
cmp -s "$T/d/$name" "$T/orig/$name" && printf '\xa5' |
	dd of="$T/d/$name" bs=1 seek=$((len / 2)) conv=notrunc status=none
check flipped-byte-fails 1 "^FAIL $name: checksum mismatch"

restore
truncate -s $((len - 1)) "$T/d/$name"
check truncated-fails 1 "^FAIL $name: too short: $len bytes durable .*, has $((len - 1))$"

restore
rm "$T/d/$name"
check missing-fails 1 "^FAIL $name: missing"

restore
rm "$T/d/$name" "$T/d/$other"
check failures-counted 1 ", 2 failures$"

# data beyond the durable length may be anything
restore
head -c 5000 /dev/urandom >>"$T/d/$name"
check garbage-after-durable-passes 0 ", 0 failures$"

# ---- renames
# completed: the old name back is a failure
restore
cp "$T/d/$rname" "$T/d/$rold"
check old-name-back-fails 1 "^FAIL $rname: renamed durably, but the old name $rold is back"

# pending (the log ends with the rename record): either name, not both
restore
head -n "$rline" "$T/orig.log" >"$T/log"
check pending-rename-new-name-passes 0 ", 1 pending renames, .*, 0 failures$"
mv "$T/d/$rname" "$T/d/$rold"
check pending-rename-old-name-passes 0 ", 0 failures$"
cp "$T/d/$rold" "$T/d/$rname"
check pending-rename-both-names-fails 1 "^FAIL $rold: both names of a pending rename exist"
rm "$T/d/$rold" "$T/d/$rname"
check pending-rename-missing-fails 1 "^FAIL $rold or $rname: missing"

# ---- a damaged or inconsistent log
restore
printf 'D 1 x\n' >>"$T/log"
check bad-log-line 2 "cannot parse"
restore
printf 'D %s other.0 1 0\n' "$id" >>"$T/log"
check log-name-conflict 2 "is $name, not other.0"
restore
printf 'C %s f99999.9\n' "$id" >>"$T/log"
check log-completion-without-rename 2 "not pending"
restore
printf 'W 0 f00000.0 1' >>"$T/log"
check log-incomplete-last-line-ignored 0 "incomplete, ignored"

# ---- determinism: same seed and count, same files and log
for s in a b; do
	mkdir "$T/det$s"
	"$CW" run -f 8 -s 256 -w 16 "$T/det$s" "$T/det$s.log" 99 400 2>/dev/null
done
mkdir "$T/detc"
"$CW" run -f 8 -s 256 -w 16 "$T/detc" "$T/detc.log" 100 400 2>/dev/null
sums() { (cd "$1" && sha256sum ./* | sort); }
if [ "$(sums "$T/deta")" = "$(sums "$T/detb")" ] &&
   [ "$(sed 1d "$T/deta.log")" = "$(sed 1d "$T/detb.log")" ] &&
   [ "$(sums "$T/deta")" != "$(sums "$T/detc")" ] &&
   [ "$(ls "$T/deta" | wc -l)" -ge 2 ]; then
	ok same-seed-same-files
else
	bad same-seed-same-files "files or log differ for seed 99, or equal for 100"
fi
out=$("$CW" check "$T/deta" "$T/deta.log")
[ $? -eq 0 ] && ok limits-run-checks-clean || bad limits-run-checks-clean "$out"
big=$(find "$T/deta" -type f -size +256k | head -n 1)
[ -z "$big" ] && ok file-size-limit || bad file-size-limit "$big is over 256 KiB"

# ---- run stops at the first error, with status 2 and a message
out=$("$CW" run /proc "$T/plog" 1 2>&1)
rc=$?
[ $rc -eq 2 ] && grep -q '^crashwork: create /proc/f00000.0: ' <<<"$out" &&
	ok run-stops-on-error || bad run-stops-on-error "exit $rc: $out"
out=$("$CW" run "$T/nonexistent" "$T/plog" 1 2>&1)
[ $? -eq 2 ] && ok run-no-dir || bad run-no-dir "$out"
"$CW" frob >/dev/null 2>&1
[ $? -eq 64 ] && ok usage || bad usage "crashwork frob did not exit 64"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
