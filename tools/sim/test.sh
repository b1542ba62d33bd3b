#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tools/sim/test.sh - build nvmev-sim and check results that can be worked
# out by hand with the nvm model, plus trace replay, phases, job files,
# determinism, JSON, (when ftl/conv.h exists) a conv smoke test and worn
# NAND (refused writes, read errors, --health-every), Flexible Data
# Placement (keys, trace tokens, report, the hot/cold example), and (when
# the zns model is built) exact zns timings and its refusal of workloads
# that are not zoned-legal.
#
# Prints "@@RESULT PASS sim/<name>" or "@@RESULT FAIL sim/<name>: <reason>"
# per check and ends with "<N> passed, <N> failed"; exits non-zero if any
# check failed.

set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SIM=$HERE/build/nvmev-sim
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nvmev-sim-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

passed=0
failed=0

pass() {
	echo "@@RESULT PASS sim/$1"
	passed=$((passed + 1))
}

fail() {
	echo "@@RESULT FAIL sim/$1: $2"
	failed=$((failed + 1))
}

# expect NAME ACTUAL EXPECTED
expect() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "got '$2', expected '$3'"
	fi
}

# jget FILE PYEXPR: evaluate PYEXPR with d = the JSON document in FILE.
# P(n) is phase n (1-based), O(n, op) its per-op summary.
jget() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
def P(n):
    return d["phases"][n - 1]
def O(n, op):
    return P(n)["ops"][op]
v = eval(sys.argv[2])
print(v if not isinstance(v, float) else "%.3f" % v)
EOF
}

# A single-unit nvm device whose reads take exactly read_delay + read_time.
NVM1=(--model nvm --param nr_units=1 --param read_trailing=0
      --param write_trailing=0)

# jcheck NAME FILE PYEXPR MESSAGE: pass iff PYEXPR (see jget) is true.
jcheck() {
	local v
	v=$(jget "$2" "$3" 2>&1)
	if [ "$v" = True ]; then
		pass "$1"
	else
		fail "$1" "$4 ($v)"
	fi
}

conv_tests() {
	local t0 t1

	# Fill, then overwrite the whole 256 MiB device twice at random:
	# GC has to copy valid data, so the overwrite phase has WAF > 1.
	"$SIM" --model conv bs=4k size=256M iodepth=32 --phase=fill rw=write \
		--phase=rand rw=randwrite io_size=512M --json \
		>"$TMP/conv-rand.json"
	jcheck conv-random-waf "$TMP/conv-rand.json" \
		'P(2)["model_stats"]["waf"] > 1.0 and P(2)["model_stats"]["gc_blocks"] > 0 and P(1)["model_stats"]["gc_pages"] == 0' \
		"expected WAF > 1 with GC in the random phase only"

	# Sequential only: a fill and one sequential overwrite.  The device is
	# 16 GiB because the model's GC unit (one block on every plane of a
	# die) fills in stripes across all dies: a stripe of 32 of them spans
	# 192 MiB of LBAs, and only when the free space above the GC threshold
	# exceeds that does a sequential overwrite free whole blocks.
	"$SIM" --model conv bs=128k size=16G iodepth=8 --phase=fill rw=write \
		--phase=seq rw=write io_size=16G --json >"$TMP/conv-seq.json"
	jcheck conv-sequential-waf "$TMP/conv-seq.json" \
		'all(0.99 <= P(n)["model_stats"]["waf"] <= 1.01 for n in (1, 2)) and P(2)["model_stats"]["gc_pages"] == 0' \
		"expected WAF close to 1.0 without GC copies"

	# Exact timings on an idle device (conv.h): a read of an unmapped slot
	# takes fw_read_ns + t_l, t_l = ceil(4096 * 1000 / link_mbps) ns
	# (5000 + 1171 by default); a buffered 4 KiB write fw_write_ns + t_l.
	"$SIM" --model conv size=64M rw=randread number_ios=1000 --json \
		>"$TMP/conv-rd.json"
	"$SIM" --model conv --param fw_write_ns=1000 --param link_mbps=4096 \
		size=64M rw=randwrite number_ios=1000 --json >"$TMP/conv-wr.json"
	expect conv-exact-latency "$(jget "$TMP/conv-rd.json" \
		'(O(1,"read")["lat_ns"]["min"], O(1,"read")["lat_ns"]["max"])') $(jget "$TMP/conv-wr.json" \
		'(O(1,"write")["lat_ns"]["min"], O(1,"write")["lat_ns"]["max"], P(1)["elapsed_ns"])')" \
		"(6171, 6171) (2000, 2000, 2000000)"

	# Parameter mapping: arrays, indexes, presets; the default capacity
	# is the span rounded up to 4 KiB.
	"$SIM" --preset qlc --param read_4k_ns=1,2 --param 'read_page_ns[3]=7' \
		--list-params >"$TMP/conv-lp.txt"
	expect conv-params "$(awk '$1 ~ /^read_(4k|page)_ns$/ || $1 == "cell_bits" { printf "%s=%s ", $1, $2 }' "$TMP/conv-lp.txt")" \
		"cell_bits=4 read_4k_ns=1,2,115000,140000 read_page_ns=90000,110000,130000,7 "
	"$SIM" --model conv size=1000000 number_ios=1 --json >"$TMP/conv-cap.json"
	expect conv-default-capacity "$(jget "$TMP/conv-cap.json" \
		'(d["capacity"], d["params"]["capacity"], d["volatile_cache"])')" \
		"(1003520, 1003520, True)"
	err_case conv-bad-capacity "capacity must be a multiple of 4096" \
		--model conv --capacity 5000 number_ios=1

	# Same arguments, same bytes, with GC in play.
	"$SIM" --model conv bs=4k size=256M iodepth=32 --phase=fill rw=write \
		--phase=rand rw=randwrite io_size=512M --json \
		>"$TMP/conv-rand2.json"
	if cmp -s "$TMP/conv-rand.json" "$TMP/conv-rand2.json"; then
		pass conv-deterministic
	else
		fail conv-deterministic "two identical conv runs differ"
	fi

	# Speed: 10 million 4 KiB random writes on a 64 GiB device.
	t0=$(date +%s%N)
	"$SIM" --model conv --capacity 64G rw=randwrite bs=4k iodepth=32 \
		number_ios=10000000 --json >"$TMP/conv-big.json"
	t1=$(date +%s%N)
	if [ "$(jget "$TMP/conv-big.json" 'O(1,"write")["ops"]')" = 10000000 ] &&
	   [ $(( (t1 - t0) / 1000000 )) -lt 60000 ]; then
		pass conv-speed
		echo "conv-speed: 10M random writes, 64 GiB: $(( (t1 - t0) / 1000000 )) ms"
	else
		fail conv-speed "$(( (t1 - t0) / 1000000 )) ms (limit 60 s)"
	fi
}

# Worn NAND (README "Worn NAND"): a small conv device rated for 5 cycles
# written at random until read only.  The job stops at its first refused
# write, the next phase's writer at its first, reads go on and, at
# read_error_ppm 10^6, fail on the worn blocks.
wear_tests() {
	local W=(--model conv --capacity 16M --param nr_channels=2
		 --param pages_per_block=24 --param op_percent=50 bs=4k
		 iodepth=8)
	local RUN=(--param pe_cycles=5 --param read_error_ppm=1000000
		   --phase=fill rw=write --phase=wear rw=randwrite io_size=4G
		   --phase=more rw=randwrite number_ios=100 --job=rd
		   rw=randread number_ios=1000 --health-every 4M)

	"$SIM" "${W[@]}" "${RUN[@]}" --json >"$TMP/wear.json"
	jcheck conv-wear-read-only "$TMP/wear.json" \
		'P(1)["health"]["percent_used"] == 0 and P(1)["health"]["avail_spare"] == 100 and not P(1)["health"]["read_only"] and P(2)["health"]["read_only"] and P(2)["health"]["avail_spare"] == 0 and P(2)["health"]["retired_groups"] > 1 and P(2)["health"]["retired_blocks"] == 2 * P(2)["health"]["retired_groups"] and P(2)["health"]["percent_used"] > 50 and P(2)["refused_writes"] == 1 and O(2,"write")["ops"] < 1048576' \
		"expected read only after the wear phase, one refused write"
	jcheck conv-wear-refused "$TMP/wear.json" \
		'O(3,"write")["ops"] == 0 and P(3)["refused_writes"] == 1 and O(3,"read")["ops"] == 1000 and P(3)["read_errors"] > 0 and P(3)["health"]["read_errors"] == P(3)["read_errors"] and P(3)["model_stats"]["erases"] == 0' \
		"expected refused writes, 1000 reads with errors, no GC"
	jcheck conv-wear-series "$TMP/wear.json" \
		'[r["read_only_event"] for r in P(2)["health_series"]][-1] and not any(r["read_only_event"] for p in d["phases"] for r in p["health_series"][:-1] if p is P(2)) and all(a["percent_used"] <= b["percent_used"] and a["avail_spare"] >= b["avail_spare"] for s in [P(1)["health_series"] + P(2)["health_series"]] for a, b in zip(s, s[1:])) and d["health_every"] == 4194304 and P(1)["health_series"][0]["host_write_bytes"] == 0' \
		"expected rows with Percentage Used rising, spare falling"
	"$SIM" "${W[@]}" "${RUN[@]}" --json >"$TMP/wear2.json"
	if cmp -s "$TMP/wear.json" "$TMP/wear2.json"; then
		pass conv-wear-deterministic
	else
		fail conv-wear-deterministic "two identical runs differ"
	fi
	"$SIM" "${W[@]}" "${RUN[@]}" >"$TMP/wear.txt"
	if grep -q '^  health every 4.00 MiB' "$TMP/wear.txt" &&
	   grep -q ' yes (now)$' "$TMP/wear.txt" &&
	   grep -q 'available spare 0% (threshold 10%), read only yes' \
		"$TMP/wear.txt"; then
		pass conv-wear-table
	else
		fail conv-wear-table "no health table or read-only row"
	fi

	# pe_cycles=0: no wear at all, whatever is written; nvm: no health.
	"$SIM" "${W[@]}" --param pe_cycles=0 rw=randwrite io_size=256M \
		--json >"$TMP/wear0.json"
	expect conv-wear-off "$(jget "$TMP/wear0.json" \
		'(P(1)["health"]["percent_used"], P(1)["health"]["avail_spare"], P(1)["health"]["retired_blocks"], P(1)["refused_writes"], O(1,"write")["ops"], P(1)["health"]["max_erase"] > 5)')" \
		"(0, 100, 0, 0, 65536, True)"
	"$SIM" "${NVM1[@]}" number_ios=10 --json >"$TMP/nvm-h.json"
	expect nvm-no-health "$(jget "$TMP/nvm-h.json" '"health" in P(1)')" \
		False
	"$SIM" --preset qlc --param seed=7 --list-params >"$TMP/wear-lp.txt"
	expect conv-wear-params "$(awk '$1 == "pe_cycles" || $1 == "read_error_ppm" || $1 == "seed" { printf "%s=%s ", $1, $2 }' "$TMP/wear-lp.txt")" \
		"pe_cycles=1000 read_error_ppm=0 seed=7 "
	err_case conv-wear-bad-ppm "read_error_ppm must be 0..1000000" \
		--model conv --param read_error_ppm=1000001 number_ios=1
}

# err_exact NAME MESSAGE ARGS...: the run exits with status 2 and prints
# exactly MESSAGE on stderr.
# SLC cache (ftl/conv.h "SLC cache"; exact timings: tests/unit/test_slc.c).
# tlc-970evoplus at 1G caches 14 groups (42 MiB): 32M of sequential writes
# land in it, writes after a fill go to TLC.
slc_tests() {
	"$SIM" --preset tlc-970evoplus --capacity 1G rw=write bs=128k \
		iodepth=32 io_size=32M --json >"$TMP/slc-burst.json"
	"$SIM" --preset tlc-970evoplus --capacity 1G --phase=fill rw=write \
		bs=128k iodepth=32 --phase=post rw=write bs=128k iodepth=32 \
		io_size=256M --json >"$TMP/slc-post.json"
	expect slc-burst-faster "$(python3 -c 'import json, sys
b = json.load(open(sys.argv[1]))["phases"][-1]["ops"]["write"]["mb_per_sec"]
p = json.load(open(sys.argv[2]))["phases"][-1]["ops"]["write"]["mb_per_sec"]
print(b > 1.5 * p, p > 1000)' "$TMP/slc-burst.json" "$TMP/slc-post.json")" \
		"True True"
	"$SIM" --preset qlc --list-params >"$TMP/slc-lp.txt"
	expect slc-qlc-params "$(awk '$1 ~ /^slc_/ { printf "%s=%s ", $1, $2 }' "$TMP/slc-lp.txt")" \
		"slc_cache_pm=140 slc_prog_ns=1900000 slc_read_ns=60000 "
	err_case slc-bad-prog "slc_prog_ns must be 1..prog_ns with an SLC cache" \
		--model conv --param slc_cache_pm=10 --param slc_prog_ns=0 \
		number_ios=1
	err_case slc-with-fdp "slc_cache_pm must be 0 with FDP (fdp_rgs > 0)" \
		--preset conv-fdp --param slc_cache_pm=10 number_ios=1
}

err_exact() {
	local name=$1 msg=$2 rc
	shift 2
	"$SIM" "$@" >"$TMP/err.out" 2>"$TMP/err.txt"
	rc=$?
	expect "$name" "$rc $(cat "$TMP/err.txt")" "2 $msg"
}

# Flexible Data Placement (README "Flexible Data Placement"): the job keys
# ruh= and rg=, the trace tokens, --log, the FDP Statistics figures and
# the hot/cold experiment of examples/fdp-hotcold-*.job.
fdp_tests() {
	local TDC=(--preset tlc-dc-fdp --capacity 2733M) v out

	# (a) placement keys are checked against the configuration
	err_exact fdp-key-off \
		"nvmev-sim: job 'job1': ruh=1 needs fdp_rgs > 0 (Flexible Data Placement is off)" \
		--model conv size=64M number_ios=1 ruh=1
	err_exact fdp-key-off-rg \
		"nvmev-sim: job 'w': rg=1 needs fdp_rgs > 0 (Flexible Data Placement is off)" \
		--preset conv size=64M --phase=w rw=write number_ios=1 rg=1
	err_exact fdp-key-no-model \
		"nvmev-sim: job 'job1': ruh=2 needs a model with Flexible Data Placement (conv with fdp_rgs > 0), not nvm" \
		--model nvm number_ios=1 ruh=2
	err_exact fdp-key-ruh-range \
		"nvmev-sim: job 'job1': ruh=4 is out of range: handles 0..3 (fdp_ruhs=4)" \
		"${TDC[@]}" number_ios=1 ruh=4
	err_exact fdp-key-rg-range \
		"nvmev-sim: job 'job1': rg=2 is out of range: reclaim groups 0..1 (fdp_rgs=2)" \
		"${TDC[@]}" number_ios=1 rg=2
	err_exact fdp-key-param-range \
		"nvmev-sim: job 'job1': ruh=2 is out of range: handles 0..1 (fdp_ruhs=2)" \
		--preset conv-fdp --param fdp_ruhs=2 --capacity 1352M \
		number_ios=1 ruh=2
	err_exact fdp-key-bad "nvmev-sim: job 'job1': bad value for rg: '-1'" \
		"${TDC[@]}" number_ios=1 rg=-1

	# (b) trace tokens: placed writes reach the model (each handle's RU
	# shrinks by what it was given, padding of the flush included),
	# --log writes them back and replays identically, and unplaced lines
	# log as before.
	cat >"$TMP/fdp.trace" <<'EOF'
# placed writes
-  W 0      16k
-  W 16k    16k ruh=1
-  W 32k    16k rg=1 ruh=2
-  R 0      4k
-  F
-  W 48k    4k  ruh=0 rg=1
EOF
	"$SIM" "${TDC[@]}" --trace "$TMP/fdp.trace" --log "$TMP/fdp.log" \
		>"$TMP/fdp.txt"
	expect fdp-trace-log "$(cut -d'#' -f1 "$TMP/fdp.log" | tr '\n' '|')" \
		"0 W 0 16384 |14344 W 16384 16384 ruh=1 rg=0 |28688 W 32768 16384 ruh=2 rg=1 |43032 R 0 4096 |63618 F 0 0 |2229490 W 49152 4096 ruh=0 rg=1 |"
	expect fdp-trace-report "$(grep -e '^  fdp' -e '^ *r[ug]h* [0-9]' -e '^flexible' "$TMP/fdp.txt" | tr '\n' '|')" \
		"flexible data placement: 2 reclaim groups, 4 handles, reclaim unit 75497472 bytes, erase block 1572864 bytes|  fdp:       HBMW 53248, MBMW 294912, MBE 0 (bytes: host written, media written, media erased)|  fdp RU available at the end (bytes each handle can still write into its reclaim unit; RU 75497472 bytes):|                ruh 0        ruh 1        ruh 2        ruh 3|    rg 0       75399168     75399168     75497472     75497472|    rg 1       75493376     75497472     75399168     75497472|"
	"$SIM" "${TDC[@]}" --trace "$TMP/fdp.log" --log "$TMP/fdp2.log" \
		>"$TMP/fdp2.txt"
	if cmp -s "$TMP/fdp.txt" "$TMP/fdp2.txt" &&
	   cmp -s "$TMP/fdp.log" "$TMP/fdp2.log"; then
		pass fdp-trace-replay-log
	else
		fail fdp-trace-replay-log "replaying the --log output differs"
	fi
	# the job's keys place the W lines without tokens
	"$SIM" "${TDC[@]}" --trace "$TMP/fdp.trace" ruh=3 rg=1 \
		--log "$TMP/fdp3.log" >/dev/null
	expect fdp-trace-default "$(awk '$2 == "W" { printf "%s/%s ", $5, $6 }' "$TMP/fdp3.log")" \
		"ruh=3/rg=1 ruh=1/rg=1 ruh=2/rg=1 ruh=0/rg=1 "
	"$SIM" --preset conv-fdp --capacity 1352M rw=randwrite number_ios=100 \
		--log "$TMP/fdp0.log" >/dev/null
	expect fdp-log-unplaced "$(grep -c 'ru\(h\|g\)=' "$TMP/fdp0.log")" 0
	# writes without placement: the device picks the reclaim group with
	# the most free space, so a fill spreads over both groups of tlc-dc-fdp
	# and overwrites find GC victims; everything placed in RG 0 (rg=0)
	# spills into RG 1 once RG 0 holds its share (WAF 518 when it packed
	# RG 0 full)
	waf2() {  # <extra keys...>: phase 2 WAF of fill + 1 GiB random writes
		"$SIM" --preset tlc-dc-fdp --capacity 2800M --phase rw=write \
			bs=1m "$@" --phase rw=randwrite bs=4k io_size=1G "$@" |
			awk '/^phase 2/ { p = 1 } p && /WAF/ { print $NF; exit }'
	}
	w_any=$(waf2)
	w_rg0=$(waf2 rg=0)
	echo "fdp-2rg-spread: phase 2 WAF unplaced $w_any, all in rg 0 $w_rg0"
	expect fdp-2rg-spread "$(awk -v a="$w_any" -v b="$w_rg0" \
		'BEGIN { print (a < 1.5 && b < 1.5) ? "spread" : "packed" }')" spread
	for v in "- R 0 4k ruh=1|ruh= is for W lines only (placement of a write)" \
		 "- F rg=1|rg= is for W lines only (placement of a write)" \
		 "- Z 0 4k ruh=1|ruh= is for W lines only (placement of a write)" \
		 "- W 0 4k ruh=4|ruh=4 is out of range: handles 0..3 (fdp_ruhs=4)" \
		 "- W 0 4k rg=2|rg=2 is out of range: reclaim groups 0..1 (fdp_rgs=2)" \
		 "- W 0 4k ruh=1 ruh=1|ruh= given twice" \
		 "- W 0 4k ruh=x|bad value in 'ruh=x' (0..65534)" \
		 "- W 0 ruh=1 4k|expected '<time_ns|-> <R|W|T|F|Z> <offset> <len>'"; do
		printf '0 W 0 4k\n%s\n' "${v%%|*}" >"$TMP/fdpbad.trace"
		out=$("$SIM" "${TDC[@]}" --trace "$TMP/fdpbad.trace" 2>&1 \
			>/dev/null)
		[ "$out" = "nvmev-sim: $TMP/fdpbad.trace:2: ${v#*|}" ] ||
			break
		v=ok
	done
	expect fdp-trace-errors "$v" ok
	printf -- '- W 0 4k ruh=1\n' >"$TMP/fdpoff.trace"
	err_exact fdp-trace-off \
		"nvmev-sim: $TMP/fdpoff.trace:1: ruh=1 needs fdp_rgs > 0 (Flexible Data Placement is off)" \
		--model conv --trace "$TMP/fdpoff.trace"

	# FDP off: no FDP output at all
	"$SIM" --model conv size=64M rw=randwrite number_ios=100 --json \
		>"$TMP/fdpoff.json"
	expect fdp-off-json "$(jget "$TMP/fdpoff.json" \
		'("fdp" in d, "fdp" in P(1), "fdp_total" in P(1))')" \
		"(False, False, False)"

	# (c) hot/cold: a cold job rewriting everything above 128 MiB once,
	# sequentially, alongside a hot job of 2 GiB of random 4 KiB writes
	# to the first 128 MiB, after a fill; the hot job in the cold job's
	# handle (mixed) or in its own (separated).  Both presets as shipped,
	# near their minimum capacity (conv-fdp 1350 MiB, tlc-dc-fdp 2732.8
	# MiB); tlc-dc-fdp's jobs place everything in RG 0 (ruh=0 names RG 0),
	# which spills into RG 1 once it holds its share.
	local conv=(--preset conv-fdp --capacity 1352M)
	local tlc=(--preset tlc-dc-fdp --capacity 2800M)
	local figs="" m s dev
	for dev in conv tlc; do
		local -n args=$dev
		for v in mixed separated; do
			"$SIM" "${args[@]}" "$HERE/examples/fdp-hotcold-$v.job" \
				--json >"$TMP/hc-$dev-$v.json"
		done
		m=$(jget "$TMP/hc-$dev-mixed.json" 'P(2)["model_stats"]["waf"]')
		s=$(jget "$TMP/hc-$dev-separated.json" \
			'P(2)["model_stats"]["waf"]')
		figs="$figs $dev $m $s"
		echo "fdp-hotcold ${args[1]}: WAF of phase 2 mixed $m, separated $s"
		# same host bytes; FDP figures = the counters; GC traffic
		# (WAF - 1) separated below a quarter of mixed
		jcheck fdp-hotcold-$dev "$TMP/hc-$dev-mixed.json" \
			"(lambda s: P(2)['fdp']['hbmw'] == P(2)['model_stats']['host_write_bytes'] == s['model_stats']['host_write_bytes'] == s['fdp']['hbmw'] and all(p['fdp']['mbmw'] == p['model_stats']['media_write_bytes'] and p['fdp']['mbe'] == p['model_stats']['erases'] * d['fdp']['block_bytes'] for p in (P(2), s)) and (s['model_stats']['waf'] - 1) * 4 < P(2)['model_stats']['waf'] - 1)(json.load(open('$TMP/hc-$dev-separated.json'))['phases'][1])" \
			"separated WAF $s not clearly below mixed $m"
		unset -n args
	done
	expect fdp-hotcold-figures "$figs" " conv 8.844 1.021 tlc 1.317 1.003"
}

zns_tests() {
	local ZNS=(--preset zns --capacity 256M bs=4k iodepth=1)

	# Preset zns on 256 MiB: 16 zones of 16 MiB (the largest power of
	# two <= capacity / 16), each striped over 4 dies, on the NAND of
	# CONV_PARAMS_DEFAULT_INIT (2 planes, 16 KiB pages, 3-page one-shot,
	# TLC): a program unit is P = 2 * 3 * 4 = 24 slots of 4 KiB.
	# Phase 1 writes zones 0-2 in order at QD1, 12288 writes and one
	# flush at the end, which completes when the last program ends, so
	# phase 2 finds the NAND idle.  Each zone's last PU (4096 = 170 * 24
	# + 16 slots) is padded when the zone fills: media writes are 3 zones
	# * 171 PUs * 96 KiB = 50429952 bytes.  The first write goes into the
	# empty buffer: fw_write_ns + t_link = 4000 + 1171 ns, t_link =
	# ceil(4096 * 1000 / 3500).
	# Phase 2 reads 4 KiB at random over zones 0-3 at QD1 (zns_timing.h
	# "Reads"): a slot on the NAND takes fw_read_ns + tR + t_ch + t_link
	# = 5000 + read_4k_ns[y] + 5120 + 1171 ns (t_ch = ceil(4096 * 1000 /
	# 800)), y the page type of slot i = o % 24 of its PU (o the slot's
	# offset in its zone): page w = (i / 4) % 3 of the one-shot unit,
	# and with cell_bits = oneshot_pages = 3 the type is w, so 61291,
	# 71291 or 81291 ns (read_4k_ns 50, 60, 70 us); a slot of the
	# unwritten zone 3 takes fw_read_ns + t_link = 6171 ns.
	"$SIM" "${ZNS[@]}" --phase=fill rw=write size=48M flush_every=12288 \
		--phase=read rw=randread size=64M number_ios=3000 --json \
		--log "$TMP/zns.log" >"$TMP/zns.json"
	expect zns-fill "$(jget "$TMP/zns.json" \
		'(O(1,"write")["ops"], O(1,"flush")["ops"], O(1,"write")["lat_ns"]["min"], P(1)["model_stats"]["media_write_bytes"], d["params"]["zone_size"])')" \
		"(12288, 1, 5171, 50429952, 16777216)"
	expect zns-fill-order "$(awk '$2 == "W" { if ($3 != n * 4096) bad++
		n++ } END { printf "%d/%d", bad, n }' "$TMP/zns.log")" \
		"0/12288"
	expect zns-read-latency "$(awk '$2 == "R" {
		s = $3 / 4096; o = s % 4096; i = o % 24
		want = s >= 3 * 4096 ? 6171 : 61291 + 10000 * (int(i / 4) % 3)
		if ($11 != want) bad++; n++; seen[$11]++ }
		END { printf "%d/%d", bad, n
		      k = split("6171 61291 71291 81291", l, " ")
		      for (v = 1; v <= k; v++)
			if (l[v] in seen) printf " %s", l[v] }' \
		"$TMP/zns.log")" \
		"0/3000 6171 61291 71291 81291"
	expect zns-read-summary "$(jget "$TMP/zns.json" \
		'(O(2,"read")["lat_ns"]["min"], O(2,"read")["lat_ns"]["max"], P(2)["model_stats"]["media_read_bytes"] % 4096)')" \
		"(6171, 81291, 0)"

	# What the model cannot take is refused with a non-zero exit.
	err_case zns-randwrite "rw=randwrite is refused on model zns" \
		"${ZNS[@]}" rw=randwrite number_ios=10
	err_case zns-randrw "rw=randrw is refused on model zns" \
		"${ZNS[@]}" rw=randrw number_ios=10
	err_case zns-trim "rw=trim is refused on model zns" \
		"${ZNS[@]}" rw=trim number_ios=10
	err_case zns-write-offset "must start at a zone start" \
		"${ZNS[@]}" rw=write offset=4k number_ios=10
	err_case zns-write-again "Zone Is Full" \
		"${ZNS[@]}" rw=write size=16M io_size=17M
	printf -- '- W 0 4096\n- W 8192 4096\n' >"$TMP/zns-gap.trace"
	err_case zns-trace-gap "Zone Invalid Write" \
		"${ZNS[@]}" --trace "$TMP/zns-gap.trace"

	# Parameters: the presets' zone geometry, --param, automatic sizes.
	"$SIM" --preset zn540 --capacity 8G rw=read number_ios=1 --json \
		>"$TMP/zn540.json"
	expect zns-zn540 "$(jget "$TMP/zn540.json" \
		'[d["params"][k] for k in ("zone_size", "zone_cap", "stripe_dies", "max_open", "fw_read_ns", "link_mbps")]')" \
		"[2147483648, 1129316352, 0, 3, 20000, 3050]"
	"$SIM" --model zns --param zone_size=8M --param zone_cap=6M \
		--param max_active=4 size=64M rw=read number_ios=1 --json \
		>"$TMP/zns-p.json"
	expect zns-param "$(jget "$TMP/zns-p.json" \
		'[d["params"][k] for k in ("capacity", "zone_size", "zone_cap", "max_open", "max_active")]')" \
		"[67108864, 8388608, 6291456, 4, 4]"
	"$SIM" --preset zns-small --list-params >"$TMP/zns-lp.txt"
	expect zns-list-params "$(awk '$1 ~ /^(zone_size|stripe_dies|buffer_kib)$/ { printf "%s=%s ", $1, $2 }' "$TMP/zns-lp.txt")" \
		"zone_size=16777216 stripe_dies=4 buffer_kib=4096 "

	# The documented example runs, and its log replays to the same result.
	"$SIM" --preset zns --capacity 256M --phase rw=write bs=128k \
		iodepth=8 size=32M --phase rw=randread bs=4k iodepth=1 \
		size=32M number_ios=2000 --json --log "$TMP/zns-ex.log" \
		>"$TMP/zns-ex.json"
	jcheck zns-example "$TMP/zns-ex.json" \
		'O(1,"write")["ops"] == 256 and O(2,"read")["ops"] == 2000 and O(2,"read")["lat_ns"]["p50"] >= 61291' \
		"expected 256 writes, 2000 reads of at least 61.291 us"
	"$SIM" --preset zns --capacity 256M --trace "$TMP/zns-ex.log" \
		iodepth=8 --json >"$TMP/zns-ex2.json"
	expect zns-replay "$(jget "$TMP/zns-ex2.json" \
		'(O(1,"write")["ops"], O(1,"read")["ops"])')" "(256, 2000)"
}

# Every NVM, conv and zns preset of the shared table (ftl/presets.c) is a
# preset of the sim's model of that name, in table order, and the sim has
# no others.
preset_tests() {
	local m want got

	for m in nvm conv zns; do
		"$SIM" --model $m --list-params >"$TMP/pl.txt" 2>/dev/null ||
			continue
		want=$(awk -v m=$m '/\.name = "/ {
			match($0, /"[^"]*"/)
			n = substr($0, RSTART + 1, RLENGTH - 2) }
			/\.type = FTL_PRESET_/ { t = $3; sub(/,$/, "", t)
			sub(/FTL_PRESET_/, "", t)
			if (tolower(t) == m) printf "%s ", n }' \
			"$HERE/../../ftl/presets.c")
		got=$(awk '/presets \(--preset\)/ { p = 1; next }
			p { printf "%s ", $1 }' "$TMP/pl.txt")
		expect presets-$m "$got" "$want"
	done
}

# ------------------------------------------------------------------ build

if make -s -C "$HERE" >"$TMP/build.log" 2>&1 && [ -x "$SIM" ]; then
	pass build
else
	fail build "make -C tools/sim failed: $(tail -3 "$TMP/build.log" |
		tr '\n' ' ')"
	echo "$passed passed, $failed failed"
	exit 1
fi

# --------------------------------------------------- exact nvm results

# QD1, 1 us per read: 1000 reads take 1 ms -> 1,000,000 IOPS, p50 1 us.
"$SIM" "${NVM1[@]}" --param read_delay=1000 --param read_time=0 \
	rw=randread bs=4k iodepth=1 number_ios=1000 >"$TMP/qd1.txt" &&
"$SIM" "${NVM1[@]}" --param read_delay=1000 --param read_time=0 \
	rw=randread bs=4k iodepth=1 number_ios=1000 --json >"$TMP/qd1.json"
row=$(awk '$1 == "read"' "$TMP/qd1.txt" | tr -s ' ')
expect qd1-table "$row" " read 1000 1000000 4096.00 1.000 1.000 1.000 1.000 1.000 1.000"
expect qd1-json "$(jget "$TMP/qd1.json" \
	'(P(1)["elapsed_ns"], O(1,"read")["iops"], O(1,"read")["lat_ns"]["p50"])')" \
	"(1000000, 1000000.0, 1000)"

# QD4 on one unit, delay 1 us + 1 us transfer: the first four complete at
# 2, 3, 4, 5 us; after that command k is fetched when k-4 completes,
# ((k-3) us) and completes at (k+1) us, so its latency is 4 us, and 1000
# reads end at 1001 us: 1000 / 1001 us = 999000.999 IOPS.
"$SIM" "${NVM1[@]}" --param read_delay=1000 --param read_time=1000 \
	rw=randread bs=4k iodepth=4 number_ios=1000 --json >"$TMP/qd4.json"
expect qd4-unit-bound "$(jget "$TMP/qd4.json" \
	'(P(1)["elapsed_ns"], O(1,"read")["iops"], O(1,"read")["lat_ns"])')" \
	"(1001000, 999000.999, {'min': 2000, 'mean': 3998.0, 'p50': 4000, 'p90': 4000, 'p99': 4000, 'p99_9': 4000, 'p99_99': 5000, 'max': 5000})"

# 8 KiB reads on one 4 KiB unit: two 1 us chunks, QD1: 2 us each, so 500
# reads take 1 ms and move 4,096,000 bytes: 4096 MB/s.
"$SIM" "${NVM1[@]}" --param read_delay=0 --param read_time=1000 \
	rw=read bs=8k number_ios=500 --json >"$TMP/bw.json"
expect bandwidth "$(jget "$TMP/bw.json" \
	'(P(1)["elapsed_ns"], O(1,"read")["bytes"], O(1,"read")["mb_per_sec"], O(1,"read")["lat_ns"]["max"])')" \
	"(1000000, 4096000, 4096.0, 2000)"

# Host overhead is paid between submission and fetch: 1.5 us per read.
"$SIM" "${NVM1[@]}" --param read_delay=1000 --param read_time=0 \
	--host-overhead-ns 500 number_ios=1000 --json >"$TMP/ovh.json"
expect host-overhead "$(jget "$TMP/ovh.json" \
	'(P(1)["elapsed_ns"], O(1,"read")["lat_ns"]["p50"])')" "(1500000, 1500)"

# Think time: 1 us between a completion and the next submission; the
# phase ends at the last completion: 1000 * 1 us + 999 * 1 us.
"$SIM" "${NVM1[@]}" --param read_delay=1000 --param read_time=0 \
	thinktime=1us number_ios=1000 --json >"$TMP/think.json"
expect thinktime "$(jget "$TMP/think.json" \
	'(P(1)["elapsed_ns"], O(1,"read")["lat_ns"]["max"])')" "(1999000, 1000)"

# runtime: commands are issued while the virtual clock is below 1 ms:
# at 0, 1, ..., 999 us with 1 us reads.
"$SIM" "${NVM1[@]}" --param read_delay=1000 --param read_time=0 \
	runtime=1ms --json >"$TMP/runtime.json"
expect runtime "$(jget "$TMP/runtime.json" \
	'(P(1)["elapsed_ns"], O(1,"read")["ops"])')" "(1000000, 1000)"

# Two concurrent jobs at QD1 on one unit with 1 us transfers: the unit is
# the bottleneck, 2000 reads in 2000 us + 1 us of delay.
"$SIM" "${NVM1[@]}" --param read_delay=1000 --param read_time=1000 \
	number_ios=1000 numjobs=2 --json >"$TMP/jobs.json"
expect numjobs "$(jget "$TMP/jobs.json" \
	'(P(1)["jobs"], P(1)["elapsed_ns"], O(1,"read")["ops"])')" \
	"(2, 2001000, 2000)"

# flush_every=10 with 1000 writes gives exactly 100 flushes, fua marks
# every write.
"$SIM" "${NVM1[@]}" rw=randwrite fua=1 flush_every=10 number_ios=1000 \
	--json --log "$TMP/flush.log" >"$TMP/flush.json"
expect flush-every "$(jget "$TMP/flush.json" \
	'(O(1,"write")["ops"], O(1,"flush")["ops"])')/$(grep -c ' W .* fua$' \
	"$TMP/flush.log")/$(grep -c ' F ' "$TMP/flush.log")" "(1000, 100)/1000/100"

# rwmixread=70 over 100000 random commands: the read share is near 70 %,
# and random offsets are bs-aligned and inside [offset, offset + size).
"$SIM" rw=randrw rwmixread=70 bs=4k offset=1M size=4M number_ios=100000 \
	iodepth=16 --json --log "$TMP/mix.log" >"$TMP/mix.json"
reads=$(jget "$TMP/mix.json" 'O(1,"read")["ops"]')
if [ "$reads" -gt 69000 ] && [ "$reads" -lt 71000 ]; then
	pass rwmixread
else
	fail rwmixread "$reads reads of 100000, expected about 70000"
fi
bad=$(awk '$2 != "F" && ($3 % 4096 || $3 < 1048576 || $3 + $4 > 5242880)' \
	"$TMP/mix.log" | wc -l)
expect random-offsets-in-span "$bad" 0

# Sequential writes cover the span in order and wrap.
"$SIM" rw=write bs=4k size=16k number_ios=6 --log "$TMP/seq.log" >/dev/null
expect sequential-wrap "$(awk '{ printf "%s ", $3 }' "$TMP/seq.log")" \
	"0 4096 8192 12288 0 4096 "

# ------------------------------------------------------------------ trace

cat >"$TMP/a.trace" <<'EOF'
# time  op offset len
0       R  0      4k
0       R  8192   4096
-       R  0      4096     # waits for a free slot, then for the unit
5000    R  4096   4096
EOF
# QD2, one unit, 1 us per read: completions at 1, 2, 3 and 6 us,
# latencies 1, 2, 2 (fetched at 1 us, unit busy until 2 us) and 1 us.
"$SIM" "${NVM1[@]}" --param read_delay=0 --param read_time=1000 \
	--trace "$TMP/a.trace" iodepth=2 --json --log "$TMP/a.log" \
	>"$TMP/a.json"
expect trace-completions "$(awk '{ printf "%s-%s ", $9, $11 }' "$TMP/a.log")" \
	"1000-1000 2000-2000 3000-2000 6000-1000 "
expect trace-summary "$(jget "$TMP/a.json" \
	'(P(1)["end_ns"], O(1,"read")["lat_ns"]["p50"], O(1,"read")["lat_ns"]["mean"])')" \
	"(6000, 1000, 1500.0)"

# Mixed ops in a trace at QD1; the log of a run replays to the same result.
cat >"$TMP/b.trace" <<'EOF'
0 R 0 4096
- R 4096 4096
5000 W 0 8k
- F
10000 T 0 1M
EOF
TR=(--param read_delay=1000 --param read_time=0 --param read_trailing=0
    --param write_delay=500 --param write_time=0 --param write_trailing=0)
"$SIM" "${TR[@]}" --trace "$TMP/b.trace" --json --log "$TMP/b.log" \
	>"$TMP/b.json"
expect trace-ops "$(jget "$TMP/b.json" \
	'(P(1)["end_ns"], [O(1,k)["ops"] for k in ("read","write","trim","flush")], O(1,"write")["lat_ns"]["max"])')" \
	"(10000, [2, 1, 1, 1], 500)"
"$SIM" "${TR[@]}" --trace "$TMP/b.log" --json >"$TMP/b2.json"
if cmp -s "$TMP/b.json" "$TMP/b2.json"; then
	pass trace-replay-log
else
	fail trace-replay-log "replaying --log output gave a different result"
fi

# ----------------------------------------------------------------- phases

# Phase 2 starts where phase 1 ended: 4096 writes of 1 us, then 100 more.
"$SIM" "${NVM1[@]}" --param write_delay=1000 --param write_time=0 bs=4k \
	size=16M --phase=fill rw=write --phase=over rw=randwrite \
	number_ios=100 --json >"$TMP/ph.json"
expect phases "$(jget "$TMP/ph.json" \
	'[(p["name"], p["start_ns"], p["end_ns"]) for p in d["phases"]]')" \
	"[('fill', 0, 4096000), ('over', 4096000, 4196000)]"

# The same workload from a job file gives the same output, and --job runs
# a job alongside the one before it.
cat >"$TMP/ph.ini" <<'EOF'
; phases from a file
[global]
bs=4k
size=16M

[fill]
rw=write
[over]
rw=randwrite
number_ios=100
EOF
"$SIM" "${NVM1[@]}" --param write_delay=1000 --param write_time=0 \
	"$TMP/ph.ini" --json >"$TMP/ph2.json"
if cmp -s "$TMP/ph.json" "$TMP/ph2.json"; then
	pass job-file
else
	fail job-file "job file and --phase options differ"
fi
"$SIM" "${NVM1[@]}" --param read_delay=1000 --param read_time=1000 \
	number_ios=1000 --job=a --job=b --json >"$TMP/conc.json"
expect concurrent-jobs "$(jget "$TMP/conc.json" \
	'(len(d["phases"]), P(1)["name"], P(1)["elapsed_ns"])')" \
	"(1, 'a+b', 2001000)"

# ----------------------------------------------------- output properties

MIX=(--model nvm bs=4k size=64M iodepth=16 --phase=fill rw=write
     --phase=mix rw=randrw rwmixread=60 trim_ratio=5 flush_every=32
     number_ios=20000 --job=rd rw=randread numjobs=3 iodepth=4 runtime=2ms)
"$SIM" "${MIX[@]}" >"$TMP/d1.txt" 2>&1
"$SIM" "${MIX[@]}" >"$TMP/d2.txt" 2>&1
"$SIM" "${MIX[@]}" --json >"$TMP/d1.json" 2>&1
"$SIM" "${MIX[@]}" --json >"$TMP/d2.json" 2>&1
if cmp -s "$TMP/d1.txt" "$TMP/d2.txt" && cmp -s "$TMP/d1.json" "$TMP/d2.json"
then
	pass deterministic
else
	fail deterministic "two identical runs printed different output"
fi
"$SIM" seed=2 "${MIX[@]}" >"$TMP/d3.txt" 2>&1
if ! cmp -s "$TMP/d1.txt" "$TMP/d3.txt"; then
	pass seed-changes-stream
else
	fail seed-changes-stream "seed=2 gave the same output as seed=1"
fi

if python3 -m json.tool "$TMP/d1.json" >/dev/null 2>"$TMP/jt.err"; then
	pass json-valid
else
	fail json-valid "$(head -1 "$TMP/jt.err")"
fi

# --timing goes to stderr only.
"$SIM" "${MIX[@]}" --timing >"$TMP/d4.txt" 2>"$TMP/d4.err"
if cmp -s "$TMP/d1.txt" "$TMP/d4.txt" && grep -q '^timing:' "$TMP/d4.err"
then
	pass timing-stderr
else
	fail timing-stderr "--timing changed stdout or printed nothing"
fi

# ------------------------------------------------------------------ errors

err_case() {
	local name=$1 pattern=$2
	shift 2
	if "$SIM" "$@" >"$TMP/err.out" 2>"$TMP/err.txt"; then
		fail "$name" "exit status 0"
	elif ! grep -q -- "$pattern" "$TMP/err.txt"; then
		fail "$name" "message: $(head -1 "$TMP/err.txt")"
	else
		pass "$name"
	fi
}
err_case err-unknown-key "unknown workload key 'bogus'" bogus=1
err_case err-bad-value "bad value for rw" rw=sideways
err_case err-bad-param "has no parameter 'nope'" --param nope=1
err_case err-model-init "rejected its parameters" --param nr_units=0
err_case err-capacity "beyond the capacity" --capacity 1M size=2M
printf '0 R 0\n' >"$TMP/bad.trace"
err_case err-trace-line "bad.trace:1:" --trace "$TMP/bad.trace"

"$SIM" --model nvm --list-params >"$TMP/lp.txt"
expect list-params "$(awk '$1 == "read_delay" || $1 == "nr_units" { printf "%s=%s ", $1, $2 }' "$TMP/lp.txt")" \
	"read_delay=2000 nr_units=16 "

# -------------------------------------------------------------------- conv

if "$SIM" --model conv --list-params >/dev/null 2>&1; then
	conv_tests
	wear_tests
	slc_tests
	fdp_tests
else
	echo "conv: skipped (built without ftl/conv.h and ftl/conv.c)"
fi

# --------------------------------------------------------------------- zns

if "$SIM" --model zns --list-params >/dev/null 2>&1; then
	zns_tests
else
	echo "zns: skipped (built without ftl/zns_timing.[ch] and ftl/zns.[ch])"
fi
preset_tests

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
