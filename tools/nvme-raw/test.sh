#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Tests of nvme-raw and nvme-raw-identify against the fake controller
# (--fake, fake.c), no hardware needed:
#  1. what each statement puts into a command, seen by the fake (--trace):
#     every field at any value (PRP1 = 0 goes out as 0), the PRPs of data=
#     (PRP1 only, PRP2 a page, PRP2 a list; raw prp1/prp2 overriding them),
#     queue creation fields and bases;
#  2. data through PRP lists, chained ones too (up to 4 MiB), compared;
#  3. statuses, AERs, timeouts (a hung fake), queue errors, registers;
#  4. parse and usage errors with their exit statuses and messages;
#  5. buffers: patterns (random= against an independent implementation),
#     dump, save, load, cmp;
#  6. nvme-raw-identify.
#
# NVME_RAW and NVME_RAW_IDENTIFY name the binaries; NVME_RAW_SUFFIX is
# appended to the result names (the sanitizer build runs them again).
# Prints "@@RESULT PASS|FAIL tools/nvme-raw/<test>" lines and "<N> passed,
# <N> failed"; exits non-zero on failure.  Run by `make check`.

HERE=$(cd "$(dirname "$0")" && pwd)
NR=${NVME_RAW:-$HERE/build/nvme-raw}
NRI=${NVME_RAW_IDENTIFY:-$HERE/build/nvme-raw-identify}
SFX=${NVME_RAW_SUFFIX:-}
[ -x "$NR" ] || make -s -C "$HERE" >/dev/null || exit 1

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

ok() { echo "@@RESULT PASS tools/nvme-raw/$1$SFX"; pass=$((pass + 1)); }
bad() { echo "@@RESULT FAIL tools/nvme-raw/$1$SFX: $2"; fail=$((fail + 1)); }

# run SCRIPT: nvme-raw --fake --trace on it; sets RC, OUT (stdout), ERR
run() {
	printf '%s\n' "$1" >"$T/script"
	OUT=$("$NR" --fake --trace "$T/script" 2>"$T/err")
	RC=$?
	ERR=$(cat "$T/err")
}

# expect NAME WANT SCRIPT: exit 0 and stdout lines matching WANT (grep -Ex
# patterns, one a line, in this order)
expect() {
	local name=$1 want=$2 line got n
	run "$3"
	if [ $RC -ne 0 ]; then
		bad "$name" "exit $RC: $ERR"
		return
	fi
	got=$OUT
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		n=$(grep -Enx -m1 -- "$line" <<<"$got" | cut -d: -f1)
		if [ -z "$n" ]; then
			bad "$name" "no line [$line] in order in [$(tr '\n' '|' <<<"$OUT")]"
			return
		fi
		got=$(tail -n +$((n + 1)) <<<"$got")
	done <<<"$want"
	ok "$name"
}

# fails NAME RC PATTERN SCRIPT: exit RC and stderr matching PATTERN
fails() {
	local name=$1 want=$2 pat=$3
	run "$4"
	if [ $RC -ne "$want" ]; then
		bad "$name" "exit $RC, want $want: $ERR"
	elif ! grep -q -- "$pat" <<<"$ERR"; then
		bad "$name" "stderr [$ERR] lacks [$pat]"
	else
		ok "$name"
	fi
}

# trace_field OUT N FIELD: FIELD= of the Nth traced command
trace_field() {
	grep '^fake: ' <<<"$1" | sed -n "${2}p" | tr ' ' '\n' |
		sed -n "s/^$3=//p"
}

H='0x[0-9a-f]+'
D='[0-9]+'

# ---- 1. command encoding ----
expect bringup-cc "cc=0x00460001
csts=0x00000001
aqa=0x001f001f" "reg-read cc
reg-read csts
reg-read aqa"
expect every-field \
	"fake: sq0 cid=4660 opc=0x06 flags=0x41 nsid=0x1 cdw2=0x7 cdw3=0x8 mptr=0x9 prp1=0x0 prp2=0x1003 cdw10=0x1 cdw11=0x2 cdw12=0x3 cdw13=0x4 cdw14=0x5 cdw15=0x6
status=0x4004 dw0=0x00000000 dw1=0x00000000 sqhd=1 sqid=0 cid=4660 \(Data Transfer Error, DNR\)" \
	"admin opc=0x06 nsid=1 cdw10=1 cdw11=2 cdw12=3 cdw13=4 cdw14=5 cdw15=6 cdw2=7 cdw3=8 mptr=0x9 prp1=0 prp2=0x1003 fuse=1 psdt=1 cid=0x1234"
expect cdw0-and-max-values \
	"fake: sq0 cid=65535 opc=0xff flags=0xc3 nsid=0xffffffff cdw2=0xffffffff cdw3=0x0 mptr=0xffffffffffffffff prp1=0xffffffffffffffff prp2=0x0 cdw10=0xffffffff cdw11=0x0 cdw12=0x0 cdw13=0x0 cdw14=0x0 cdw15=0xffffffff" \
	"admin cdw0=0xffffc3ff nsid=0xffffffff cdw2=0xffffffff mptr=0xffffffffffffffff prp1=0xffffffffffffffff cdw10=0xffffffff cdw15=0xffffffff"
expect io-fields "fake: sq1 cid=1 opc=0x02 flags=0x00 nsid=0x1 cdw2=0x0 cdw3=0x0 mptr=0x0 prp1=$H prp2=0x0 cdw10=0x5 cdw11=0x1 cdw12=0x40000007 cdw13=0x0 cdw14=0x0 cdw15=0x0
status=0x4080 .*LBA Out of Range, DNR.*" \
	"buf a 4k
ioq-create 1 8
io 1 opc=2 nsid=1 slba=0x100000005 cdw12=0x40000000 blocks=8 data=a"

# PRPs of data=: compared with the buffer's own page addresses
run "buf a 64k
print-phys a all
ioq-create 1 8
io 1 opc=1 nsid=1 blocks=8 data=a len=4k
io 1 opc=1 nsid=1 blocks=16 data=a len=8k
io 1 opc=1 nsid=1 blocks=128 data=a
io 1 opc=1 nsid=1 blocks=8 data=a+512 len=4k
io 1 opc=1 nsid=1 blocks=128 data=a prp1=0
io 1 opc=1 nsid=1 blocks=128 data=a prp2=0x5
io 1 opc=1 nsid=1 blocks=1"
p0=$(sed -n 's/^a page=0 phys=//p' <<<"$OUT")
p1=$(sed -n 's/^a page=1 phys=//p' <<<"$OUT")
[ $RC -eq 0 ] && [ -n "$p0" ] && [ "$p1" != "$(printf '0x%x' $((p0 + 4096)))" ] &&
	ok prp-pages-scattered || bad prp-pages-scattered "rc $RC p0 $p0 p1 $p1: $ERR"
# commands 1-3 create the queues
got="$(trace_field "$OUT" 3 prp1) $(trace_field "$OUT" 3 prp2)"
[ "$got" = "$p0 0x0" ] && ok prp-one-page || bad prp-one-page "$got, page 0 $p0"
got="$(trace_field "$OUT" 4 prp1) $(trace_field "$OUT" 4 prp2)"
[ "$got" = "$p0 $p1" ] && ok prp-two-pages || bad prp-two-pages "$got, pages $p0 $p1"
l=$(trace_field "$OUT" 5 prp2)
got="$(trace_field "$OUT" 5 prp1) $l"
[ "$(trace_field "$OUT" 5 prp1)" = "$p0" ] && [ -n "$l" ] && [ "$l" != 0x0 ] &&
	[ "$l" != "$p1" ] && ok prp-list || bad prp-list "$got"
got="$(trace_field "$OUT" 6 prp1) $(trace_field "$OUT" 6 prp2)"
[ "$got" = "$(printf '0x%x' $((p0 + 512))) $p1" ] && ok prp-offset ||
	bad prp-offset "$got, pages $p0 $p1"
got="$(trace_field "$OUT" 7 prp1) $(trace_field "$OUT" 7 prp2)"
[[ $got =~ ^0x0\ 0x[0-9a-f]+$ ]] && [ "$got" != "0x0 0x0" ] &&
	ok prp1-raw-zero || bad prp1-raw-zero "$got"
got="$(trace_field "$OUT" 8 prp1) $(trace_field "$OUT" 8 prp2)"
[ "$got" = "$p0 0x5" ] && ok prp2-raw || bad prp2-raw "$got"
got="$(trace_field "$OUT" 9 prp1) $(trace_field "$OUT" 9 prp2)"
[ "$got" = "0x0 0x0" ] && ok prp-none || bad prp-none "$got"
grep -q "^status=0x4004 .*cid=5 " <<<"$OUT" && ok prp1-zero-status ||
	bad prp1-zero-status "$(grep ^status <<<"$OUT" | tr '\n' '|')"

expect queue-fields \
	"fake: sq0 cid=$D opc=0x05 flags=0x00 nsid=0x0 cdw2=0x0 cdw3=0x0 mptr=0x0 prp1=0x1000 prp2=0x0 cdw10=0xf0003 cdw11=0x50003 cdw12=0x0 cdw13=0x0 cdw14=0x0 cdw15=0x0
status=0x0 .*
fake: sq0 cid=$D opc=0x01 flags=0x00 nsid=0x0 cdw2=0x0 cdw3=0x0 mptr=0x0 prp1=0x2000 prp2=0x0 cdw10=0xf0003 cdw11=0x90005 cdw12=0x0 cdw13=0x0 cdw14=0x0 cdw15=0x0
status=0x4100 .*Completion Queue Invalid, DNR.*
fake: sq0 cid=$D opc=0x04 .* cdw10=0x3 .*
status=0x0 .*" \
	"cq-create 3 16 base=0x1000 iv=5 ien=1
sq-create 3 16 base=0x2000 cqid=9 prio=2
cq-delete 3"
expect queue-defaults \
	"fake: sq0 cid=$D opc=0x05 .* prp2=0x0 cdw10=0x3f0002 cdw11=0x1 .*
fake: sq0 cid=$D opc=0x01 .* prp2=0x0 cdw10=0x3f0002 cdw11=0x20001 .*
status=0x0 .*
fake: sq2 cid=1 opc=0x00 .*
status=0x0 .*sqid=2 .*
status=0x410c .*Invalid Queue Deletion.*
fake: sq0 cid=$D opc=0x00 .* cdw10=0x2 .*
fake: sq0 cid=$D opc=0x04 .* cdw10=0x2 .*" \
	"cq-create 2 64
sq-create 2 64
io 2 opc=0 nsid=1
cq-delete 2
sq-delete 2
cq-delete 2"
# at the end, I/O queues are deleted before the shutdown
expect close-deletes-queues "fake: sq0 cid=$D opc=0x00 .* cdw10=0x1 .*
fake: sq0 cid=$D opc=0x04 .* cdw10=0x1 .*" "ioq-create 1 16"

# ---- 2. data ----
expect data-1m "status=0x0 .*
status=0x0 .*
cmp w r: 1048576 bytes equal" \
	"buf w 1m random=3
buf r 1m
ioq-create 1 32
io 1 opc=1 nsid=1 slba=100 blocks=2048 data=w
io 1 opc=2 nsid=1 slba=100 blocks=2048 data=r
cmp w r"
# 3 MiB + 4 KiB: 768 list entries over two chained list pages
expect data-chained-lists "status=0x0 .*
status=0x0 .*
cmp w\+4k r\+4k: 3145728 bytes equal" \
	"buf w 3076k random=4
buf r 3076k
ioq-create 1 32
io 1 opc=1 nsid=1 blocks=6144 data=w+4k len=3m
io 1 opc=2 nsid=1 blocks=6144 data=r+4k len=3m
cmp w+4k r+4k 3m"
expect data-offsets "cmp w\+12800 r\+1k: 61440 bytes equal" \
	"buf w 80k random=5
buf r 80k
ioq-create 1 32
io 1 opc=1 nsid=1 blocks=120 data=w+12800 len=60k
io 1 opc=2 nsid=1 blocks=120 data=r+1k len=60k
cmp w+12800 r+1k 60k"
fails cmp-differs 1 "w and r differ at byte 0 (0x01, 0x02)" \
	"buf w 4k byte=1
buf r 4k byte=2
cmp w r"
expect contig-queue "status=0x0 .*" \
	"ioq-create 1 1024
io 1 opc=0 nsid=1"

# ---- 3. statuses, events, timeouts, registers ----
expect invalid-opcode "status=0x4001 dw0=0x00000000 dw1=0x00000000 sqhd=1 sqid=0 cid=1 \(Invalid Command Opcode, DNR\)" \
	"admin opc=0x3f
expect-status 0x4001"
fails expect-status-differs 1 "script:2: status 0x4001 Invalid Command Opcode, expected 0x0" \
	"admin opc=0x3f
expect-status 0"
fails expect-status-none 1 "status none (no command yet), expected 0x0" \
	"expect-status 0"
expect hung-timeout \
	"status=timeout \(no completion for command 1 of SQ 0 on CQ 0 within 50 ms \(CSTS 0x1\)\)" \
	"fake-hang 1
admin opc=0x06 cdw10=1 timeout=50
expect-status timeout"
fails expect-timeout-got-status 1 "status 0x0 Successful Completion, expected timeout" \
	"identify
expect-status timeout"
expect aer-timeout-then-event "aer cid=1
aer timeout \(no completion for an Asynchronous Event Request on CQ 0 within 20 ms \(CSTS 0x1\)\)
aer status=0x0 dw0=0x00040002 type=2 info=0x00 log=0x04 cid=1" \
	"aer
wait-aer 20
expect-status timeout
fake-event 0x00040002
wait-aer 1000
expect-status 0
expect-dw0 0x00040002
expect-dw0 0x40002 mask=0xff0007"
fails expect-dw0-differs 1 "dw0 0x00040002, expected 0x00000001" \
	"aer
fake-event 0x00040002
wait-aer 1000
expect-dw0 1"
expect bad-doorbell-event "aer status=0x0 dw0=0x00010100 type=0 info=0x01 log=0x01 cid=1" \
	"aer
doorbell sq 5 1
wait-aer 1000"
fails wait-aer-none 1 "no Asynchronous Event Request outstanding" "wait-aer 10"
fails doorbell-beyond-bar 1 "SQ tail doorbell of queue 3000 is at 0x6dc0, beyond BAR0 (16384 bytes)" \
	"doorbell sq 3000 1"
expect registers "intms=0x00000005
cap=0x00000020020103ff
0x1004=0x00000007" \
	"reg-write intms 5
reg-read intms
reg-read cap
reg-write 0x1004 7
reg-read 0x1004
expect-reg csts 1 mask=1
expect-reg vs 0x10400
expect-reg cap 0x3ff mask=0xffff
expect-reg 0x1000 0 32"
fails expect-reg-differs 1 "csts is 0x1, expected 0x0 (mask 0xffffffffffffffff)" \
	"expect-reg csts 0"
fails reg-unaligned 1 "not dword aligned" "reg-read 0x2"
expect reset-again "identify model=.*" \
	"ioq-create 1 16
reset aq=2
identify
ioq-create 1 16
disable
reset
identify"
fails ioq-twice 1 "queue 1 already exists" "ioq-create 1 16
ioq-create 1 16"
expect identify-line \
	'identify model="nvme-raw fake controller" serial="FAKE0001" fw="1.0" vid=0xfa4e ver=0x10400 mdts=10 max-transfer=4194304 nn=1
identify-ns nsid=1 nsze=16384 ncap=16384 nuse=16384 lba-size=512' \
	"identify
identify-ns 1"
fails identify-ns-bad 1 "Identify CNS 0: status 0x400b (Invalid Namespace or Format, DNR)" \
	"identify-ns 2"

# ---- 4. parse and usage errors ----
fails unknown-statement 2 "script:2: unknown statement 'frob'" "echo hi
frob"
fails unknown-field 2 "unknown field 'opcode'" "admin opcode=6"
fails missing-opc 2 "opc= is missing" "admin nsid=1"
fails field-range 2 "0x100 is above 0xff" "admin opc=0x100"
fails not-a-number 2 "'x1' is not a number" "admin opc=x1"
fails arg-count 2 "usage: ioq-create QID SIZE" "ioq-create 1"
fails no-buffer 2 "no buffer 'nope'" "admin opc=6 data=nope"
fails len-without-data 2 "len= needs data=NAME" "admin opc=6 len=4k"
fails len-beyond-buffer 2 "do not fit the 4096 byte buffer" \
	"buf a 4k
admin opc=6 data=a len=8k"
fails prp-offset-unaligned 2 "offset not dword aligned" \
	"buf a 8k
admin opc=6 data=a+2 len=4k"
fails blocks-zero 2 "blocks=0: at least 1" "io 1 opc=2 blocks=0"
fails buf-exists 2 "buffer a exists" "buf a 4k
buf a 4k"
fails bad-pattern 2 "expected a pattern, contig or huge" "buf a 4k bytes=3"
out=$("$NR" --fake -c "fake-event 1" 2>&1) && ok fake-statement-with-fake ||
	bad fake-statement-with-fake "$out"
out=$("$NR" 0000:00:00.0 -c "fake-event 1" 2>&1)
[ $? -eq 1 ] && ok no-device || bad no-device "$out"
out=$("$NR" 2>&1)
[ $? -eq 2 ] && grep -q "^usage: " <<<"$out" && ok usage || bad usage "$out"
out=$("$NR" --help)
missing=""
for s in buf free fill print-phys dump cmp save load admin io ioq-create \
	ioq-delete cq-create sq-create sq-delete cq-delete doorbell reg-read \
	reg-write expect-reg reset disable shutdown identify identify-ns aer \
	wait-aer expect-status expect-dw0 timeout sleep echo; do
	grep -q "^  $s " <<<"$out" || missing="$missing $s"
done
[ -z "$missing" ] && ok help-lists-statements || bad help-lists-statements "$missing"
out=$("$NR" --fake -c "echo a; echo b  # comment
echo c" 2>&1)
[ "$out" = $'a\nb\nc' ] && ok dash-c || bad dash-c "$out"
out=$(printf 'echo from stdin\n' | "$NR" --fake - 2>&1)
[ "$out" = "from stdin" ] && ok stdin || bad stdin "$out"
out=$("$NR" --fake "$T/nonexistent" 2>&1)
[ $? -eq 2 ] && ok missing-script || bad missing-script "$out"

# ---- 5. buffers ----
# random=SEED: 8-byte word k is splitmix64's finalizer of SEED + (k + 1) *
# 0x9e3779b97f4a7c15, little-endian
mix() {
	local z=$1
	z=$(( (z ^ ((z >> 30) & 0x3ffffffff)) * 0xbf58476d1ce4e5b9 ))
	z=$(( (z ^ ((z >> 27) & 0x1fffffffff)) * 0x94d049bb133111eb ))
	echo $(( z ^ ((z >> 31) & 0x1ffffffff) ))
}
ref=""
for k in 0 1; do
	w=$(mix $((42 + (k + 1) * 0x9e3779b97f4a7c15)))
	for b in 0 1 2 3 4 5 6 7; do
		ref="$ref $(printf '%02x' $(( (w >> (8 * b)) & 0xff )))"
	done
done
expect random-pattern "00000000:$ref" "buf r 16 random=42
dump r 0 16"
expect dump-inc "00000000: 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f
00000010: 10 11 12
00000000: 05 05 ff ff ff" \
	"buf a 4k inc
dump a 0 19
buf b 8k byte=0xff
fill b byte=5 0 2
dump b 0 5"
run "buf a 4k inc
save a $T/a.bin 16 8
buf b 4k
load b $T/a.bin 100
dump b 100 8"
[ $RC -eq 0 ] && [ "$(od -An -tx1 "$T/a.bin" | tr -d ' \n')" = 1011121314151617 ] &&
	grep -qx "00000064: 10 11 12 13 14 15 16 17" <<<"$OUT" && ok save-load ||
	bad save-load "rc $RC: $OUT $ERR"
fails load-too-large 1 "is larger than" "buf a 4k inc
save a $T/big.bin
buf b 4k
load b $T/big.bin 1"
expect free-and-again "cmp a b: 4096 bytes equal" "buf a 4k byte=1
free a
buf a 4k byte=2
buf b 4k byte=2
cmp a b"
expect contig-buffer "a page=1 phys=.*" "buf a 64k contig
print-phys a all"

# ---- 6. nvme-raw-identify ----
out=$("$NRI" --fake 2>&1)
if [ $? -eq 0 ] && grep -qx "model          nvme-raw fake controller" <<<"$out" &&
   grep -qx "mdts           10 (4096 KiB)" <<<"$out" &&
   grep -qx "namespace 1: 2048 blocks of 512 bytes (1 MiB), capacity 2048, used 2048" <<<"$out"; then
	ok identify-tool
else
	bad identify-tool "$out"
fi
out=$("$NRI" 2>&1)
[ $? -eq 2 ] && ok identify-tool-usage || bad identify-tool-usage "$out"
out=$("$NRI" 0000:00:00.0 2>&1)
[ $? -eq 1 ] && ok identify-tool-no-device || bad identify-tool-no-device "$out"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
