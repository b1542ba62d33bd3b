#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Tests of nvmev-kv without a device:
#  1. --dry-run: the exact command dwords of every subcommand, checked
#     against the layout of the NVMe Key Value Command Set (see ftl/kv.h):
#     opcodes Store 01h, Retrieve 02h, List 06h, Delete 10h, Exist 14h; key
#     bytes 0..7 in CDW2-3 and 8..15 in CDW14-15 as little-endian dwords;
#     CDW10 value size or host buffer size; CDW11 bits 7:0 key length,
#     bits 15:8 Store Options (bit 8 only if the key exists, bit 9 only if
#     it does not).
#     fill/verify: the pairs and checksum against ref_fill below, an
#     independent implementation of the algorithm in README.md.
#  2. argument errors and status names.
#  3. end to end through build/fakedev.so, an LD_PRELOAD shim that answers
#     the ioctls with ftl/kv.c over a file (skipped if it was not built),
#     incl. fill / verify / count of 2000 pairs and verify catching a
#     changed, a resized and a deleted value.
#
# Prints "@@RESULT PASS|FAIL tools/kv/<test>" lines and "<N> passed, <N>
# failed"; exits non-zero on failure.  Run by `make -C tools/kv check`.

HERE=$(cd "$(dirname "$0")" && pwd)
B=$HERE/build
KV=$B/nvmev-kv
[ -x "$KV" ] || make -s -C "$HERE" >/dev/null || exit 1

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

ok() { echo "@@RESULT PASS tools/kv/$1"; pass=$((pass + 1)); }
bad() { echo "@@RESULT FAIL tools/kv/$1: $2"; fail=$((fail + 1)); }

# expect NAME EXPECTED-OUTPUT COMMAND...: stdout must equal EXPECTED, exit 0
expect() {
	local name=$1 want=$2 got rc
	shift 2
	got=$("$@" 2>"$T/err")
	rc=$?
	if [ $rc -ne 0 ]; then
		bad "$name" "exit $rc: $(cat "$T/err")"
	elif [ "$got" != "$want" ]; then
		bad "$name" "got [$got] want [$want]"
	else
		ok "$name"
	fi
}

# fails NAME RC PATTERN COMMAND...: exit RC and stderr matching PATTERN
fails() {
	local name=$1 want_rc=$2 pat=$3 rc
	shift 3
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc -ne "$want_rc" ]; then
		bad "$name" "exit $rc, want $want_rc: $(cat "$T/err")"
	elif ! grep -q -- "$pat" "$T/err"; then
		bad "$name" "stderr [$(cat "$T/err")] lacks [$pat]"
	else
		ok "$name"
	fi
}

# cmd OPC NSID CDW2 CDW3 CDW10 CDW11 CDW14 CDW15 DATA_LEN: a dry-run line
cmd() {
	printf 'cmd opcode=0x%02x nsid=%u cdw2=0x%08x cdw3=0x%08x ' "$1" "$2" \
	       "$3" "$4"
	printf 'cdw10=0x%08x cdw11=0x%08x cdw12=0x00000000 ' "$5" "$6"
	printf 'cdw13=0x00000000 cdw14=0x%08x cdw15=0x%08x data_len=%u' \
	       "$7" "$8" "$9"
}

# ref_mix Z: the splitmix64 finalizer, in bash's wrapping 64-bit arithmetic
# (>> is arithmetic there, hence the masks)
ref_mix() {
	local z=$1
	z=$(( (z ^ ((z >> 30) & 0x3ffffffff)) * 0xBF58476D1CE4E5B9 ))
	z=$(( (z ^ ((z >> 27) & 0x1fffffffff)) * 0x94D049BB133111EB ))
	echo $(( z ^ ((z >> 31) & 0x1ffffffff) ))
}

# ref_fill KEYS MIN MAX SEED PREFIX: "fill: KEYS keys, TOTAL bytes,
# checksum 0x..." computed as README.md describes fill's pairs (text
# prefixes only)
ref_fill() {
	local keys=$1 min=$2 seed=$4 prefix=$5 i j n s w r len k
	local h=$((0xcbf29ce484222325)) total=0 span=$(($3 - $2 + 1))
	for ((i = 0; i < keys; i++)); do
		printf -v k '%s%08x' "$prefix" "$i"
		for ((j = 0; j < ${#k}; j++)); do
			printf -v n '%d' "'${k:j:1}"
			h=$(( (h ^ n) * 0x100000001b3 ))
		done
		s=$(ref_mix $(( $(ref_mix "$seed") + i )))
		s=$((s + 0x9E3779B97F4A7C15))
		r=$(ref_mix $s)
		# r % span, r unsigned
		len=$(( min + ((((r >> 1) & 0x7fffffffffffffff) % span) * 2 +
			       (r & 1)) % span ))
		for ((n = 0; n < len; n++)); do
			if ((n % 8 == 0)); then
				s=$((s + 0x9E3779B97F4A7C15))
				w=$(ref_mix $s)
			fi
			h=$(( (h ^ ((w >> (8 * (n % 8))) & 0xff)) * 0x100000001b3 ))
		done
		total=$((total + len))
	done
	printf 'fill: %d keys, %d bytes, checksum 0x%016x\n' "$keys" "$total" "$h"
}

D="$KV --dry-run"
printf hello >"$T/hello"
: >"$T/empty"

# ---- 1. encoding ----
# "abcd" = 61 62 63 64: CDW2 = 0x64636261, KL 4; value "hello": 5 bytes
expect store-text "$(cmd 0x01 1 0x64636261 0 5 0x004 0 0 5)" \
	$D put abcd "$T/hello"
expect store-stdin "$(cmd 0x01 1 0x64636261 0 5 0x004 0 0 5)" \
	bash -c "printf hello | $D put abcd"
expect store-stdin-dash "$(cmd 0x01 1 0x64636261 0 5 0x004 0 0 5)" \
	bash -c "printf hello | $D put abcd -"
# 16 bytes: "0123" "4567" "89ab" "cdef" in CDW2, CDW3, CDW14, CDW15
expect store-key16 \
	"$(cmd 0x01 1 0x33323130 0x37363534 5 0x010 0x62613938 0x66656463 5)" \
	$D put 0123456789abcdef "$T/hello"
# 9 bytes: the ninth byte is CDW14 bits 7:0
expect store-key9 "$(cmd 0x01 1 0x34333231 0x38373635 5 0x009 0x39 0 5)" \
	$D put 123456789 "$T/hello"
# hex key 00 ff 10: byte 0 is CDW2 bits 7:0
expect store-hex "$(cmd 0x01 1 0x0010ff00 0 5 0x003 0 0 5)" \
	$D put 0x00ff10 "$T/hello"
expect store-hex-upper "$(cmd 0x01 1 0x0000cdab 0 5 0x002 0 0 5)" \
	$D put 0XABCD "$T/hello"
expect store-hex16 \
	"$(cmd 0x01 1 0x03020100 0x07060504 5 0x010 0x0b0a0908 0x0f0e0d0c 5)" \
	$D put 0x000102030405060708090a0b0c0d0e0f "$T/hello"
expect store-empty "$(cmd 0x01 1 0x6b 0 0 0x001 0 0 0)" \
	$D put k "$T/empty"
# Store Options: bit 8 only if the key exists, bit 9 only if it does not
expect store-if-exists "$(cmd 0x01 1 0x6b 0 5 0x101 0 0 5)" \
	$D --if-exists put k "$T/hello"
expect store-if-not-exists "$(cmd 0x01 1 0x6b 0 5 0x201 0 0 5)" \
	$D put --if-not-exists k "$T/hello"
expect store-both-options "$(cmd 0x01 1 0x6b 0 5 0x301 0 0 5)" \
	$D --if-exists --if-not-exists put k "$T/hello"
expect store-nsid "$(cmd 0x01 7 0x6b 0 5 0x001 0 0 5)" \
	$D -n 7 put k "$T/hello"
# key length override, for testing a device
expect store-kl0 "$(cmd 0x01 1 0x6b 0 5 0x000 0 0 5)" \
	$D --kl 0 put k "$T/hello"
expect store-kl17 "$(cmd 0x01 1 0x6b 0 5 0x011 0 0 5)" \
	$D --kl 17 put k "$T/hello"
# Retrieve: CDW10 = host buffer size (default 64 KiB)
expect retrieve "$(cmd 0x02 1 0x34333231 0 0x10000 0x004 0 0 65536)" \
	$D get 1234
expect retrieve-buf "$(cmd 0x02 1 0x34333231 0 100 0x004 0 0 100)" \
	$D -b 100 get 1234
expect retrieve-out "$(cmd 0x02 1 0x6b 0 0x10000 0x001 0 0 65536)" \
	$D get k -o "$T/out.bin"
# Delete and Exist: no data, CDW10 0
expect delete "$(cmd 0x10 1 0x34333231 0x35 0 0x005 0 0 0)" \
	$D del 12345
expect exist "$(cmd 0x14 1 0x34333231 0x35 0 0x005 0 0 0)" \
	$D exists 12345
# List: start key in the key fields, KL 0 = from the start
expect list-all "$(cmd 0x06 1 0 0 0x10000 0 0 0 65536)" $D list
expect list-start "$(cmd 0x06 1 0x00636261 0 0x10000 0x003 0 0 65536)" \
	$D list abc
expect list-buf "$(cmd 0x06 1 0x00636261 0 4096 0x003 0 0 4096)" \
	$D -b 4096 list abc
expect list-hex-start "$(cmd 0x06 1 0x0000ff00 0 0x10000 0x002 0 0 65536)" \
	$D list 0x00ff
# bench: the preload stores "bench%08x" (13 bytes), then the mix
expect bench-dry "$(cmd 0x01 1 0x636e6562 0x30303068 8 0x00d 0x30303030 \
		    0x30 8)
$(cmd 0x01 1 0x636e6562 0x30303068 8 0x00d 0x30303030 0x31 8)" \
	bash -c "$D bench --ops 0 --keys 2 --size 8 | grep ^cmd"
# fill: Store of "k" + 8 hex digits ("k000" "0000" "0"), KL 9
expect fill-dry "$(cmd 0x01 1 0x3030306b 0x30303030 8 0x009 0x30 0 8)" \
	bash -c "$D fill --keys 1 --size 8 | grep ^cmd"
# with seed 1 the lengths in [0, 20] of indexes 0 and 1 are 8 and 17;
# prefix ff 00, KL 10; Store Option bit 1
expect fill-dry-options \
	"$(cmd 0x01 1 0x303000ff 0x30303030 8 0x20a 0x3030 0 8)
$(cmd 0x01 1 0x303000ff 0x30303030 17 0x20a 0x3130 0 17)" \
	bash -c "$D fill --keys 2 --min-size 0 --max-size 20 --prefix 0xff00 \
		 --if-not-exists | grep ^cmd"
# verify: Retrieve with a host buffer of the expected length
expect verify-dry "$(cmd 0x02 1 0x3030306b 0x30303030 8 0x009 0x30 0 8)
$(cmd 0x02 1 0x3030306b 0x30303030 17 0x009 0x31 0 17)" \
	$D verify --keys 2 --min-size 0 --max-size 20
expect count-dry "$(cmd 0x06 1 0x6b 0 0x10000 0x001 0 0 65536)" $D count k
expect fill-none "fill: 0 keys, 0 bytes, checksum 0xcbf29ce484222325" \
	bash -c "$D fill --keys 0 |
		 sed -n 's/^\(fill: .*\), [0-9]* ops\/s$/\1/p'"
# the pairs and checksum as README.md defines them
for args in "12 64 64 1 k" "9 0 40 7 ab" "5 1 17 0 12345678" \
	    "3 16 16 0xffffffffffffffff k"; do
	set -- $args
	expect "fill-checksum-$1-$2-$3-$4-$5" "$(ref_fill "$@")" \
		bash -c "$D fill --keys $1 --min-size $2 --max-size $3 \
			 --seed $4 --prefix $5 |
		 sed -n 's/^\(fill: .*\), [0-9]* ops\/s$/\1/p'"
done
expect fill-checksum-default "$(ref_fill 10 64 64 1 k)" \
	bash -c "$D fill --keys 10 |
		 sed -n 's/^\(fill: .*\), [0-9]* ops\/s$/\1/p'"
expect fill-checksum-size "$(ref_fill 10 100 100 1 k)" \
	bash -c "$D fill --keys 10 --size 100 |
		 sed -n 's/^\(fill: .*\), [0-9]* ops\/s$/\1/p'"

# ---- 2. arguments and statuses ----
fails key-too-long 2 "longer than 16 bytes" $D put 0123456789abcdefg "$T/hello"
fails hex-too-long 2 "longer than 16 bytes" \
	$D put 0x000102030405060708090a0b0c0d0e0f10 "$T/hello"
fails hex-odd 2 "odd number" $D put 0x123 "$T/hello"
fails hex-digit 2 "not a hex digit" $D put 0x12zz "$T/hello"
fails no-command 2 "usage" $KV
fails unknown-command 2 "unknown command" $D frob
fails get-args 2 "wrong number" $D get
fails put-args 2 "wrong number" $D put a b c
fails kl-range 2 "--kl" $D --kl 256 put k "$T/hello"
fails missing-file 2 "No such file" $D put k "$T/nonexistent"
fails no-device 2 "$T/nodev" $KV -d "$T/nodev" get k
fails list-all-buf 2 "at least 44" $D list -a -b 43
fails count-buf 2 "count: --buf must be at least 44" $D count -b 43
fails fill-no-keys 2 "fill: --keys N is required" $D fill --size 8
fails verify-no-keys 2 "verify: --keys N is required" $D verify
fails fill-args 2 "wrong number" $D fill --keys 1 x
fails fill-size-and-range 2 "not both" \
	$D fill --keys 1 --size 8 --min-size 1 --max-size 9
fails fill-half-range 2 "go together" $D fill --keys 1 --max-size 9
fails fill-range-order 2 "above --max-size" \
	$D verify --keys 1 --min-size 10 --max-size 9
fails fill-prefix-long 2 "longer than 8 bytes" $D fill --keys 1 --prefix abcdefghi
expect status-not-exist "KV Key Does Not Exist" $KV status 0x4087
expect status-exists "KV Key Exists" $KV status 0x89
expect status-capacity "Capacity Exceeded" $KV status 0x81
expect status-value-size "Invalid Value Size" $KV status 0x85
expect status-key-size "Invalid Key Size" $KV status 0x4086
expect status-unrecovered "Unrecovered Error" $KV status 0x88
expect status-field "Invalid Field in Command" $KV status 2
expect status-success "Successful Completion" $KV status 0
expect status-unknown "Unknown Status" $KV status 0x1ff
expect help "usage: nvmev-kv [options] COMMAND [ARGS]" \
	bash -c "$KV --help | head -1"

# ---- 3. end to end through the shim ----
if [ ! -f "$B/fakedev.so" ]; then
	echo "fake device: skipped (build/fakedev.so not built)"
else
	touch "$T/ng0n1"
	export FAKE_KV_REGION=$T/region NVMEV_KV_DEV=$T/ng0n1
	F="env LD_PRELOAD=$B/fakedev.so $KV"

	expect e2e-put-get "hello" bash -c "$F put greeting $T/hello && \
		$F get greeting"
	head -c 300000 /dev/urandom >"$T/big"
	if $F put big "$T/big" && $F get big -o "$T/big.out" &&
	   cmp -s "$T/big" "$T/big.out"; then
		ok e2e-large-value	# retried with the full size
	else
		bad e2e-large-value "300000 random bytes did not come back"
	fi
	expect e2e-short-buffer "hel" $F -b 3 get greeting
	fails e2e-short-buffer-note 0 "value is 5 bytes, 3 shown" \
		$F -b 3 get greeting
	expect e2e-empty-value "" bash -c "$F put e $T/empty && $F get e"
	expect e2e-exists "" $F exists greeting
	fails e2e-not-exists 1 "KV Key Does Not Exist" $F exists nothing
	fails e2e-if-not-exists 1 "KV Key Exists" \
		$F --if-not-exists put greeting "$T/hello"
	fails e2e-if-exists 1 "KV Key Does Not Exist" \
		$F --if-exists put nothing "$T/hello"
	expect e2e-if-exists-ok "hello" bash -c "$F --if-exists put e \
		$T/hello && $F get e"
	fails e2e-kl0 1 "Invalid Key Size" $F --kl 0 put k "$T/hello"
	fails e2e-kl17 1 "Invalid Key Size" $F --kl 17 get k
	head -c 524289 /dev/zero >"$T/toobig"
	fails e2e-value-too-big 1 "Invalid Value Size" $F put k "$T/toobig"
	head -c 524288 /dev/zero >"$T/max"
	expect e2e-value-max "" $F put max "$T/max"
	expect e2e-del "" $F del max
	fails e2e-del-again 1 "KV Key Does Not Exist" $F del max
	expect e2e-list "0x00
big
e
greeting
zz" bash -c "$F put zz $T/hello && $F put 0x00 $T/hello && $F list"
	expect e2e-list-start "e
greeting
zz" $F list c
	expect e2e-list-start-hex "big
e
greeting
zz" $F list 0x6200
	$F bench --ops 0 --keys 300 --size 16 >/dev/null
	n=$($F list -a -b 44 | wc -l)
	[ "$n" = 305 ] && ok e2e-list-paging || bad e2e-list-paging "$n keys"
	# 100 bytes: the header, "\0" (4 bytes), five 13-byte bench keys (16)
	n=$($F list -b 100 | wc -l)
	[ "$n" = 6 ] && ok e2e-list-one-page || bad e2e-list-one-page "$n keys"
	out=$($F bench --ops 3000 --keys 100 --size 512 -t 2 2>&1)
	if [ $? -eq 0 ] && grep -q "errors 0" <<<"$out" &&
	   grep -q "p99.9" <<<"$out"; then
		ok e2e-bench
	else
		bad e2e-bench "$out"
	fi
	out=$($F bench --ops 100 --keys 5000 --no-preload --write 0 2>&1)
	[ $? -eq 1 ] && grep -q "errors" <<<"$out" && ok e2e-bench-missing ||
		bad e2e-bench-missing "$out"

	# fill / verify / count: 2000 pairs of 0..1500 bytes in a new store
	export FAKE_KV_REGION=$T/region-fill FAKE_KV_SIZE=$((16 << 20))
	A="--keys 2000 --min-size 0 --max-size 1500 --seed 42"
	fill=$($F fill $A 2>"$T/err")
	rc=$?
	echo "  $fill"
	if [ $rc -eq 0 ] && [[ $fill =~ ^fill:\ 2000\ keys,\ [0-9]+\ bytes,\ checksum\ 0x[0-9a-f]{16},\ [0-9]+\ ops/s$ ]]; then
		ok e2e-fill
	else
		bad e2e-fill "exit $rc [$fill] $(cat "$T/err")"
	fi
	sum=${fill%, * ops/s}		# "fill: 2000 keys, T bytes, checksum C"
	sum=${sum#fill: }
	expect e2e-verify "verify: $sum, 0 mismatches, 0 errors" $F verify $A
	expect e2e-verify-part "verify: 1000 keys, $(
		$D fill --keys 1000 --min-size 0 --max-size 1500 --seed 42 |
		sed -n 's/^fill: 1000 keys, \(.*\), [0-9]* ops\/s$/\1/p'), 0 mismatches, 0 errors" \
		$F verify --keys 1000 --min-size 0 --max-size 1500 --seed 42
	expect e2e-count "count: 2000" $F count
	expect e2e-count-paged "count: 2000" $F -b 44 count
	expect e2e-count-start "count: 208" $F count k00000700	# 0x700..0x7cf
	fails e2e-fill-if-not-exists 1 "2000 of 2000 stores failed" \
		$F --if-not-exists fill $A
	grep -q "k00000000: KV Key Exists" "$T/err" &&
		ok e2e-fill-if-not-exists-status ||
		bad e2e-fill-if-not-exists-status "$(cat "$T/err")"
	out=$($F verify --keys 2000 --min-size 0 --max-size 1500 --seed 43 \
	      2>/dev/null)
	rc=$?
	[ $rc -eq 1 ] && [[ $out =~ \ [1-9][0-9]*\ mismatches,\ 0\ errors$ ]] &&
		ok e2e-verify-other-seed ||
		bad e2e-verify-other-seed "exit $rc [$out]"

	# one byte in the middle of one value changed
	$F get k00000064 -o "$T/v"
	len=$(wc -c <"$T/v")
	mid=$((len / 2))
	b=$(od -An -tu1 -j$mid -N1 "$T/v" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 0x5a)))" |
		dd of="$T/v" bs=1 seek=$mid conv=notrunc status=none
	$F put k00000064 "$T/v"
	out=$($F verify $A 2>"$T/err")
	rc=$?
	echo "  $out (exit $rc)"
	[ $rc -eq 1 ] && [[ $out == "verify: 2000 keys, "*", 1 mismatches, 0 errors" ]] &&
	   [ "$out" != "verify: $sum, 1 mismatches, 0 errors" ] &&
	   grep -q "verify: k00000064: differs at byte $mid of $len" "$T/err" &&
		ok e2e-verify-changed ||
		bad e2e-verify-changed "exit $rc [$out] $(cat "$T/err")"
	# fill again repairs it
	$F fill $A >/dev/null
	expect e2e-verify-refilled "verify: $sum, 0 mismatches, 0 errors" \
		$F verify $A

	# another value of another length
	len=$($F get k00000065 | wc -c)
	$F put k00000065 "$T/hello"
	out=$($F verify $A 2>"$T/err")
	rc=$?
	echo "  $out (exit $rc)"
	[ $rc -eq 1 ] && [[ $out == "verify: 2000 keys, "*", 1 mismatches, 0 errors" ]] &&
	   grep -q "verify: k00000065: value size 5, expected $len" "$T/err" &&
		ok e2e-verify-resized ||
		bad e2e-verify-resized "exit $rc [$out] $(cat "$T/err")"
	$F fill $A >/dev/null

	# one key deleted
	$F del k00000066
	out=$($F verify $A 2>"$T/err")
	rc=$?
	echo "  $out (exit $rc)"
	[ $rc -eq 1 ] && [[ $out == "verify: 2000 keys, "*", 0 mismatches, 1 errors" ]] &&
	   grep -q "verify: k00000066: KV Key Does Not Exist" "$T/err" &&
		ok e2e-verify-deleted ||
		bad e2e-verify-deleted "exit $rc [$out] $(cat "$T/err")"
	expect e2e-count-deleted "count: 1999" $F count
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
