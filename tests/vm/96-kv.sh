#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2317,SC2015,SC2086 # helpers via t_check; t_pass never fails; word lists
# Key-value namespaces (type kv, NVMe Key Value command set, CSI 01h):
#  - the host sees the namespace as the generic char device /dev/ngXnY
#    only (Linux has no KV block driver), with the KV Identify structures,
#    CSI 01h in the descriptors, the command set vector and effects;
#  - nvmev-kv (tools/kv) stores, retrieves, lists, checks and deletes;
#    every error status of the command set is provoked on purpose;
#  - 100,000 small pairs stored and read back with a checksum, listed, and
#    still there after rmmod + insmod (the store lives in the reserved
#    region); wipe=1 starts a new store;
#  - a full store answers Capacity Exceeded and keeps what it holds.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=kv
KV=/usr/bin/nvmev-kv
nv_configfs_mount
run() { nvme_run "$@"; }

# status of the last nvmev-kv call: "0x0" or "0x4087"
kvrun() {
    "$KV" "$@" >/tmp/kv.out 2>/tmp/kv.err
    KRC=$?
    KST=$(sed -n 's/.*status \(0x[0-9a-f]*\).*/\1/p' /tmp/kv.err | head -n 1)
    [ -n "$KST" ] || KST=$([ $KRC = 0 ] && echo 0x0 || echo "rc=$KRC: $(head -c 120 /tmp/kv.err)")
}
kv_st() {  # <name> <expected status> <nvmev-kv args...>
    local name=$1 want=$2
    shift 2
    kvrun "$@"
    t_eq "$name" "$want" "$KST"
}
field() {  # <file> <word before the value>: the value after it
    sed -n "s/.* $2 \\([^ ,]*\\).*/\\1/p" "$1" | head -n 1
}

[ -x "$KV" ] || { t_fail $P/client "$KV is missing (make -C tools/kv)"; exit 0; }

# ---- nvmev0 with the kv preset on 256 MiB of the reserved region
LOAD="memmap_start=4G memmap_size=256M cpus=2,3 preset=kv"
t_kmsg_mark
# shellcheck disable=SC2086 # LOAD is a list of parameters
insmod "$NVMEV_KO" $LOAD || { t_fail $P/insmod "insmod failed: $(dmesg | tail -n 3)"; exit 0; }
t_pass $P/insmod
t_check $P/features-list-kv grep -q '^types .*\<kv\>' $NV/features
i=0
while [ $i -lt 50 ] && [ ! -c /dev/ng0n1 ]; do usleep 200000; i=$((i + 1)); done
NG=/dev/ng0n1
CTRL=/dev/nvme0
t_check $P/char-device test -c $NG
t_check $P/no-block-device sh -c "! ls /dev/nvme0n* 2>/dev/null | grep -q ."
t_kmsg_since | grep -q 'block device for nsid 1 not supported (csi 1)' &&
    t_pass $P/host-says-csi-1 || t_fail $P/host-says-csi-1 "no such kernel message"
export NVMEV_KV_DEV=$NG

adm() { run nvme admin-passthru "$CTRL" "$@"; }
adm --opcode=0x06 --namespace-id=1 --cdw10=5 --cdw11=$((1 << 24)) --data-len=4096 -r -b
cp "$T_OUT" /tmp/kv.id
t_eq $P/id-ns/status 0x0 "$ST"
t_eq $P/id-ns/kvkml 16 "$(u16 /tmp/kv.id 72)"
t_eq $P/id-ns/kvvml 524288 "$(u32 /tmp/kv.id 76)"
MAXKEYS=$(u32 /tmp/kv.id 80)
t_log "KV identify: NSZE $(u64 /tmp/kv.id 0), max keys $MAXKEYS"
t_check $P/id-ns/kvmnk-set test "$MAXKEYS" -gt 100000
t_eq $P/id-ns/nkvf-one-format 0 "$(u8 /tmp/kv.id 25)"
adm --opcode=0x06 --namespace-id=0 --cdw10=6 --cdw11=$((1 << 24)) --data-len=4096 -r -b
t_eq $P/id-ctrl-version 65536 "$(u32 "$T_OUT" 0)"
adm --opcode=0x06 --namespace-id=1 --cdw10=0 --data-len=4096 -r -b
t_eq $P/id-ns-nvm-invalid-command-set 0x402c "$ST"
adm --opcode=0x06 --namespace-id=1 --cdw10=5 --cdw11=0 --data-len=4096 -r -b
t_eq $P/id-ns-csi0-invalid-command-set 0x402c "$ST"
adm --opcode=0x06 --namespace-id=1 --cdw10=3 --data-len=4096 -r -b
t_eq $P/descs-csi-1 0401000001 "$(hexbytes "$T_OUT" 52 5)"
adm --opcode=0x06 --namespace-id=0 --cdw10=$((0x1c | $(cat /sys/class/nvme/nvme0/cntlid) << 16)) --data-len=4096 -r -b
t_eq $P/cns1c-vector-nvm-kv-zns 7 "$(u64 "$T_OUT" 0)"
adm --opcode=0x06 --namespace-id=0 --cdw10=7 --cdw11=$((1 << 24)) --data-len=4096 -r -b
t_eq $P/cns7-csi1-list "1 0" "$(u32 "$T_OUT" 0) $(u32 "$T_OUT" 4)"
adm --opcode=0x02 --namespace-id=0 --cdw10=$((5 | 1023 << 16)) --cdw14=$((1 << 24)) --data-len=4096 -r -b
E="$T_OUT"
t_eq $P/effects-csi1 "3 1 1 3 1 0 1" "$(for op in 1 2 6 16 20 5 0; do printf '%s ' "$(u32 "$E" $((1024 + op * 4)))"; done | sed 's/ $//')"

# ---- the client, one command at a time
printf 'hello, world' >/tmp/kv.v1
kv_st $P/put 0x0 put greeting /tmp/kv.v1
kvrun get greeting -o /tmp/kv.r1
t_check $P/get-same-value cmp /tmp/kv.v1 /tmp/kv.r1
kv_st $P/exists 0x0 exists greeting
kv_st $P/exists-missing 0x4087 exists nothing
kv_st $P/get-missing 0x4087 get nothing
kv_st $P/put-if-not-exists-existing 0x4089 put --if-not-exists greeting /tmp/kv.v1
kv_st $P/put-if-exists-missing 0x4087 put --if-exists nothing /tmp/kv.v1
printf 'HELLO' >/tmp/kv.v2
kv_st $P/put-if-exists-overwrites 0x0 put --if-exists greeting /tmp/kv.v2
kvrun get greeting -o /tmp/kv.r2
t_check $P/overwritten-value cmp /tmp/kv.v2 /tmp/kv.r2
kv_st $P/put-if-not-exists-new 0x0 put --if-not-exists 0x00ff10 /tmp/kv.v1
kv_st $P/key-length-0 0x4086 put --kl 0 a /tmp/kv.v1
kv_st $P/key-length-17 0x4086 put --kl 17 a /tmp/kv.v1
kv_st $P/key-16-bytes 0x0 put 0123456789abcdef /tmp/kv.v1
kv_st $P/both-options-invalid-field 0x4002 put --if-exists --if-not-exists greeting /tmp/kv.v1
# Retrieve with a short buffer: the completion still reports the full size
kvrun get greeting -b 2 -o /tmp/kv.r3
t_eq $P/get-short-buffer "HE" "$(cat /tmp/kv.r3)"
: >/tmp/kv.empty
kv_st $P/put-empty-value 0x0 put empty /tmp/kv.empty
kvrun get empty -o /tmp/kv.r4
t_check $P/get-empty-value sh -c "[ $KRC = 0 ] && [ ! -s /tmp/kv.r4 ]"
kvrun list
t_eq $P/list-order "0x00ff10 0123456789abcdef empty greeting" "$(tr '\n' ' ' </tmp/kv.out | sed 's/ $//')"
kvrun list f
t_eq $P/list-from-start-key "greeting" "$(tr '\n' ' ' </tmp/kv.out | sed 's/ $//')"
kv_st $P/delete 0x0 del empty
kv_st $P/delete-missing 0x4087 del empty
kv_st $P/deleted-gone 0x4087 get empty
# a List buffer below 4 bytes, and an opcode the KV command set lacks
run nvme io-passthru $NG --opcode=0x06 --namespace-id=1 --cdw10=2 --data-len=4096 -r -b
t_eq $P/list-buffer-below-4-invalid-field 0x4002 "$ST"
run nvme io-passthru $NG --opcode=0x08 --namespace-id=1
t_eq $P/nvm-write-zeroes-invalid-opcode 0x4001 "$ST"
run nvme io-passthru $NG --opcode=0x00 --namespace-id=1
t_eq $P/flush 0x0 "$ST"
# Unrecovered Error (88h) needs failing media: not reachable yet

# ---- 100,000 small pairs, checked by content
for k in greeting 0x00ff10 0123456789abcdef; do "$KV" del $k >/dev/null 2>&1; done
ARGS="--keys 100000 --min-size 1 --max-size 200 --seed 7"
kvrun fill $ARGS
t_eq $P/fill-100k 0x0 "$KST"
SUM=$(field /tmp/kv.out checksum)
t_log "$(cat /tmp/kv.out)"
kvrun verify $ARGS
t_log "$(cat /tmp/kv.out)"
t_eq $P/verify-100k "0x0 $SUM 0" "$KST $(field /tmp/kv.out checksum) $(sed -n 's/.* \([0-9]*\) mismatches.*/\1/p' /tmp/kv.out)"
kvrun count
t_eq $P/count-100k "count: 100000" "$(cat /tmp/kv.out)"
t_eq $P/stats-keys 100000 "$(sed -n 's/^kv_keys //p' $NV/nvmev0/namespaces/1/stats)"
kvrun bench --ops 4000 --keys 1000 --size 4096 --write 50 --seed 3
t_log "$(grep -E 'ops/s' /tmp/kv.out | tr -s ' ' | head -n 3 | tr '\n' '|')"
t_eq $P/bench-no-errors 0x0 "$KST"

# ---- persistence across rmmod + insmod
t_check $P/rmmod rmmod nvmev
t_kmsg_mark
# shellcheck disable=SC2086
insmod "$NVMEV_KO" $LOAD && t_pass $P/reload || t_fail $P/reload "insmod failed"
i=0
while [ $i -lt 50 ] && [ ! -c $NG ]; do usleep 200000; i=$((i + 1)); done
t_kmsg_since | grep -q 'key-value store kept: 101000 keys' && t_pass $P/reload-says-kept ||
    t_fail $P/reload-says-kept "$(t_kmsg_since | grep -i 'kv\|key-value' | head -n 2)"
kvrun verify $ARGS
t_eq $P/reload-verify-100k "0x0 $SUM 0" "$KST $(field /tmp/kv.out checksum) $(sed -n 's/.* \([0-9]*\) mismatches.*/\1/p' /tmp/kv.out)"
t_check $P/rmmod-again rmmod nvmev
# shellcheck disable=SC2086
insmod "$NVMEV_KO" $LOAD wipe=1 && t_pass $P/reload-wipe || t_fail $P/reload-wipe "insmod failed"
i=0
while [ $i -lt 50 ] && [ ! -c $NG ]; do usleep 200000; i=$((i + 1)); done
kvrun count
t_eq $P/wipe-empty-store "count: 0" "$(cat /tmp/kv.out)"
t_check $P/rmmod-wiped rmmod nvmev

# ---- a small store through configfs: value limit and a full device
insmod "$NVMEV_KO" memmap_start=4G memmap_size=256M nr_ctrls=0 cpus=2,3 ||
    { t_fail $P/insmod-pool "insmod failed"; exit 0; }
mkdir $NV/kvs
nv_mkns kvs 1 1M kv-zero kv_max_value=4096 kv_bytes_per_key=4096 &&
    echo 1 >$NV/kvs/enable && t_pass $P/small-enable || t_fail $P/small-enable "see dmesg"
S=$(nv_wait_ng kvs) || t_fail $P/small-device "no char device"
export NVMEV_KV_DEV=$S
head -c 4097 /dev/urandom >/tmp/kv.big
kv_st $P/value-above-limit 0x4085 put big /tmp/kv.big
head -c 4096 /dev/urandom >/tmp/kv.v4k
kv_st $P/value-at-limit 0x0 put v4k /tmp/kv.v4k
"$KV" del v4k >/dev/null 2>&1
# 1 MiB with one key slot per 4 KiB: 256 keys at most, values in the rest
kvrun fill --keys 1000 --size 2048 --seed 1
t_eq $P/full-capacity-exceeded 0x4081 "$KST"
kvrun count
N=$(sed -n 's/^count: //p' /tmp/kv.out)
t_log "the full 1 MiB store holds $N keys of 2 KiB"
t_check $P/full-holds-some test "${N:-0}" -gt 100
kvrun verify --keys "$N" --size 2048 --seed 1
t_eq $P/full-earlier-intact "0x0 0" "$KST $(sed -n 's/.* \([0-9]*\) mismatches.*/\1/p' /tmp/kv.out)"
# deleting frees the space: the store takes as many again
i=0
while [ $i -lt 20 ]; do
    "$KV" del "k$(printf '%08x' $i)" >/dev/null 2>&1
    i=$((i + 1))
done
kvrun count
t_eq $P/delete-frees-keys $((N - 20)) "$(sed -n 's/^count: //p' /tmp/kv.out)"
kvrun fill --keys 20 --size 2048 --seed 1
t_eq $P/refill-after-delete 0x0 "$KST"
kvrun verify --keys "$N" --size 2048 --seed 1
t_eq $P/refill-intact "0x0 0" "$KST $(sed -n 's/.* \([0-9]*\) mismatches.*/\1/p' /tmp/kv.out)"
nv_rmctrl kvs
# nvmevctl names the char device of a key-value namespace
nvmevctl create --name kvc --preset kv-zero --size 8M >/tmp/kv.ctl 2>&1
t_check $P/nvmevctl-shows-char-device grep -q 'ns 1: /dev/ng[0-9]*n1 ' /tmp/kv.ctl
nvmevctl destroy kvc >/dev/null 2>&1
t_check $P/rmmod-pool rmmod nvmev
rm -f /tmp/kv.*
t_dmesg_clean $P/dmesg-clean
exit 0
