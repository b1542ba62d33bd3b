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
#  2. argument errors and status names.
#  3. end to end through build/fakedev.so, an LD_PRELOAD shim that answers
#     the ioctls with ftl/kv.c over a file (skipped if it was not built).
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
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
