#!/bin/sh
# shellcheck shell=dash
# What the power-loss journal costs on the write path (docs/power-loss.md).
# A benchmark, not a test: run it with
#   ./scripts/vm/initramfs.sh -K 6.1 &&
#   ./scripts/vm/run.sh --kernel 6.1 --name bench-power --timeout 1500 bench-power.sh
# and read the table in build/vm/bench-power.log ("## power:" lines).
#
# One controller, two conv namespaces of the same preset and size: ns 1
# keeps the journal (a volatile cache that a cut can lose), ns 2 has
# power-loss protection (plp=1: no journal). Each repetition runs every job
# on both, the order alternating, in one VM: 4 KiB random writes at QD1 and
# QD16, 128 KiB sequential writes at QD8. Reported: IOPS (mean, min, max
# over the repetitions) and the ratio journal / no journal.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

REPS=${BENCH_POWER_REPS:-4}
RUNTIME=${BENCH_POWER_RUNTIME:-8}
OUT=/tmp/bench-power
mkdir -p "$OUT"
nv_configfs_mount
insmod "$NVMEV_KO" memmap_start=4G memmap_size=2G nr_ctrls=0 cpus=2,3 || exit 1
mkdir "$NV/b"
nv_mkns b 1 512M conv && nv_mkns b 2 512M conv plp=1 || exit 1
echo 1 >"$NV/b/enable"
D1=$(nv_wait_dev b 1 30) && D2=$(nv_wait_dev b 2 30) || exit 1

JOBS="rw4k_qd1 rw4k_qd16 sw128k_qd8"
job_args() {
    case "$1" in
        rw4k_qd1) echo "--rw=randwrite --bs=4k --iodepth=1" ;;
        rw4k_qd16) echo "--rw=randwrite --bs=4k --iodepth=16" ;;
        sw128k_qd8) echo "--rw=write --bs=128k --iodepth=8" ;;
    esac
}
one() {  # <job> <dev> <tag>: IOPS into $OUT/<tag>
    # shellcheck disable=SC2046 # job_args is a list of words
    fio --name="$1" --filename="$2" --direct=1 --ioengine=libaio \
        $(job_args "$1") --size=256m --time_based --runtime="$RUNTIME" \
        --output-format=terse --terse-version=3 2>/dev/null |
        awk -F';' '{ print $49 }' >"$OUT/$3"
}
r=1
while [ $r -le "$REPS" ]; do
    for j in $JOBS; do
        if [ $((r % 2)) = 1 ]; then
            one "$j" "$D1" "$j.journal.$r"; one "$j" "$D2" "$j.plp.$r"
        else
            one "$j" "$D2" "$j.plp.$r"; one "$j" "$D1" "$j.journal.$r"
        fi
    done
    r=$((r + 1))
done
t_log "power: $REPS repetitions of ${RUNTIME} s, write IOPS"
t_log "power: job          journal (mean min max)      plp (mean min max)          ratio"
for j in $JOBS; do
    # shellcheck disable=SC2012
    a=$(cat "$OUT/$j".journal.* | awk '{ s += $1; if (NR == 1 || $1 < mn) mn = $1; if ($1 > mx) mx = $1 }
        END { printf "%d %d %d", s / NR, mn, mx }')
    b=$(cat "$OUT/$j".plp.* | awk '{ s += $1; if (NR == 1 || $1 < mn) mn = $1; if ($1 > mx) mx = $1 }
        END { printf "%d %d %d", s / NR, mn, mx }')
    t_log "$(echo "$j $a $b" | awk '{ printf "power: %-12s %8d %8d %8d    %8d %8d %8d    %.2f", $1, $2, $3, $4, $5, $6, $7, ($5 ? $2 / $5 : 0) }')"
done
t_log "power: journal overflows $(nv_stat b/1 power_journal_overflows), volatile now $(nv_stat b/1 volatile_bytes) bytes"
nv_rmctrl b
rmmod nvmev
t_pass bench-power/ran
