#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2015 # t_pass never fails
# shellcheck disable=SC2046 # set -- $(fio_run ...): two numbers
# Completion interrupts (irq.c):
#  - QD1: every completion interrupts, at once: the device's io_interrupts
#    (controller stats) and the host's count both grow by one per I/O;
#  - depth: data verified at QD32 with 2 jobs, never more than one
#    interrupt per I/O;
#  - Interrupt Coalescing (Set Features 08h) is kept and read back; with
#    THR 7 and TIME 5 ms a lone QD1 completion waits for the time (mean
#    latency 4.7 to 7.5 ms above the uncoalesced one), a QD8 run gets at
#    most half an interrupt per I/O, and its data verify;
#  - Coalescing Disable (Feature 09h, CD) on the vectors brings QD1 back
#    (within half the TIME of the uncoalesced mean); 08h = 0 does the same.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=irq
t_dmesg_mark
t_check $P/insmod nvmev_load || { t_dmesg_clean $P/dmesg-clean; exit 0; }
NS=$NVMEV_NS
CTRL=$NVMEV_CTRL
C=${CTRL#/dev/}
STATS=/sys/kernel/config/nvmev/nvmev0/stats

dev_irqs() { sed -n 's/^io_interrupts //p' "$STATS"; }
# the host's interrupts of the controller's I/O queues (nvmeXq1..)
host_irqs() {
    awk -v q="$C"q '{ for (i = NF; i > 1; i--) if (index($i, q) == 1 && $i != q "0") { s = 0
        for (j = 2; j <= NF && $j ~ /^[0-9]+$/; j++) s += $j; t += s } } END { print t + 0 }' /proc/interrupts
}
# fio on CPU 0; prints "<ios> <mean latency in us>" (terse v3: reads then writes)
fio_run() {  # <name> <args...>
    local name=$1
    shift
    fio --name="$name" --filename="$NS" --direct=1 --size=64m --cpus_allowed=0 \
        --output-format=terse --terse-version=3 "$@" 2>"$T_TMP/fio.err" >"$T_TMP/fio.out" ||
        { t_log "fio $name failed: $(tail -n 3 "$T_TMP/fio.err" | tr '\n' ' ')"; echo "0 0"; return 1; }
    awk -F';' '{ n = $6 * 1024 / 4096 + $47 * 1024 / 4096; m = ($8 > 0) ? $40 : $81; printf "%d %d\n", n, m }' "$T_TMP/fio.out"
}
feat() {  # <fid> [options]: current value
    local f=$1
    shift
    nvme_run nvme get-feature "$CTRL" --feature-id="$f" "$@"
    sed -n 's/.*Current value:\(0x\)\{0,1\}\([0-9a-fA-F]*\).*/0x\2/p' "$T_OUT" "$T_ERR" | head -n 1
}
ge() { [ "$1" -ge "$2" ]; }
le() { [ "$1" -le "$2" ]; }

t_check $P/stats-has-io_interrupts grep -q '^io_interrupts [0-9]' "$STATS"
fio_run warm --rw=write --bs=1m --ioengine=psync >/dev/null

# QD1: one interrupt per completion
d0=$(dev_irqs); h0=$(host_irqs)
set -- $(fio_run qd1 --rw=randread --bs=4k --ioengine=psync --number_ios=300)
d1=$(dev_irqs); h1=$(host_irqs)
base_lat=$2
t_log "QD1: $1 I/Os, mean ${base_lat} us, device interrupts $((d1 - d0)), host $((h1 - h0))"
t_eq $P/qd1-ios 300 "$1"
t_check $P/qd1-one-irq-per-io-device sh -c "[ $((d1 - d0)) -ge 295 ] && [ $((d1 - d0)) -le 310 ]"
t_check $P/qd1-host-got-them ge $((h1 - h0)) $(((d1 - d0) * 9 / 10))

# depth: verified data, at most one interrupt per I/O
d0=$(dev_irqs)
t_check $P/qd32-2jobs-verify fio --name=v --filename="$NS" --direct=1 --ioengine=libaio \
    --rw=randwrite --bs=4k --iodepth=32 --numjobs=2 --size=16m --offset_increment=16m \
    --verify=crc32c --do_verify=1 --verify_fatal=1 --cpus_allowed=0,1 --output=/dev/null
d1=$(dev_irqs)
t_log "QD32 x2 verified: device interrupts $((d1 - d0)) for 8192 writes and their 8192 verify reads"
t_check $P/qd32-at-most-one-irq-per-io le $((d1 - d0)) 16384

# Interrupt Coalescing: THR 7 (8 entries), TIME 50 (5 ms)
t_eq $P/coalesce-default 0x00000000 "$(feat 8)"
nvme_run nvme set-feature "$CTRL" --feature-id=8 --value=0x3207
t_eq $P/coalesce-set 0x0 "$ST"
t_eq $P/coalesce-get 0x00003207 "$(feat 8)"
set -- $(fio_run qd1c --rw=randread --bs=4k --ioengine=psync --number_ios=50)
t_log "QD1 coalesced: $1 I/Os, mean $2 us (uncoalesced $base_lat us)"
t_eq $P/coalesced-qd1-ios 50 "$1"
t_check $P/coalesced-qd1-waits-time ge "$2" $((base_lat + 4700))
# and not much longer: the next command is fetched at once, not after the
# dispatcher's idle back-off, up to 4 ms more (it was: +9.1 ms, every run).
# A mean of 50 under TCG on a shared host can land 0.1 ms past the bound
# (seen once on 6.12): a second run decides, the lower mean counts.
c_lat=$2
if [ "$c_lat" -gt $((base_lat + 7500)) ]; then
    set -- $(fio_run qd1c2 --rw=randread --bs=4k --ioengine=psync --number_ios=50)
    t_log "QD1 coalesced, second run: mean $2 us"
    [ "$2" -gt 0 ] && [ "$2" -lt "$c_lat" ] && c_lat=$2
fi
t_check $P/coalesced-qd1-no-longer le "$c_lat" $((base_lat + 7500))
d0=$(dev_irqs)
set -- $(fio_run qd8c --rw=randread --bs=4k --ioengine=libaio --iodepth=8 --number_ios=2000)
d1=$(dev_irqs)
t_log "QD8 coalesced: $1 I/Os, device interrupts $((d1 - d0))"
t_eq $P/coalesced-qd8-ios 2000 "$1"
t_check $P/coalesced-qd8-half-irq-per-io le $((d1 - d0)) 1000
t_check $P/coalesced-qd8-verify fio --name=cv --filename="$NS" --direct=1 --ioengine=libaio \
    --rw=randwrite --bs=4k --iodepth=8 --size=8m --verify=crc32c --do_verify=1 \
    --verify_fatal=1 --cpus_allowed=0 --output=/dev/null

# Coalescing Disable on every I/O vector: no wait
ok=0
for v in 1 2 3 4; do
    nvme_run nvme set-feature "$CTRL" --feature-id=9 --value=$(((1 << 16) | v))
    [ "$ST" = 0x0 ] && ok=$((ok + 1))
done
t_eq $P/cd-set 4 "$ok"
t_eq $P/cd-get 0x00010001 "$(feat 9 --cdw11=1)"
set -- $(fio_run qd1cd --rw=randread --bs=4k --ioengine=psync --number_ios=100)
t_log "QD1 with CD: mean $2 us"
t_check $P/cd-qd1-no-wait le "$2" $((base_lat + 2500))
for v in 1 2 3 4; do
    nvme_run nvme set-feature "$CTRL" --feature-id=9 --value="$v"
done

# 08h back to 0
nvme_run nvme set-feature "$CTRL" --feature-id=8 --value=0
t_eq $P/coalesce-off 0x0 "$ST"
set -- $(fio_run qd1off --rw=randread --bs=4k --ioengine=psync --number_ios=100)
t_log "QD1 coalescing off: mean $2 us"
t_check $P/off-qd1-no-wait le "$2" $((base_lat + 2500))

t_check $P/rmmod nvmev_unload
t_dmesg_clean $P/dmesg-clean
