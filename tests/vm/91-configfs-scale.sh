#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2317,SC2015 # helpers run through t_check; t_pass never fails
# configfs at scale and under load:
#  - 8 controllers with one namespace each, and one controller with 16
#    namespaces, all visible to the host at once with distinct serials and
#    NGUIDs; every namespace takes a write and reads it back;
#  - the threads are shared: all controllers on cpus=2,3 cost one
#    dispatcher (nvmev2_disp) and one worker (nvmev3_io); a controller on
#    cpus=3,2 adds nvmev3_disp and nvmev2_io, and they go when it goes;
#  - a namespace detached while fio writes to it: the writes fail, nothing
#    hangs, the other namespace of the controller keeps its data, and the
#    namespace comes back when enabled again;
#  - a controller whose serial is already live is refused;
#  - teardown gives the whole pool back and rmmod leaves nothing.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=cfgscale
DD=/usr/bin/dd
nv_configfs_mount

mkns() {  # <ctrl> <nsid> <size> [preset]
    mkdir "$NV/$1/namespaces/$2" &&
        echo "$3" >"$NV/$1/namespaces/$2/size" &&
        echo "${4:-nvm-zero}" >"$NV/$1/namespaces/$2/preset" &&
        echo 1 >"$NV/$1/namespaces/$2/enable"
}

threads() {  # names of the nvmev kernel threads, sorted, one line
    local d c out=""
    for d in /proc/[0-9]*; do
        read -r c <"$d/comm" 2>/dev/null || continue
        case "$c" in nvmev*) out="$out $c" ;; esac
    done
    echo "$out" | tr ' ' '\n' | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//'
}

pool_field() { sed -n "s/^$1 //p" "$NV/pool"; }

destroy() {  # <ctrl>: namespaces, then the controller
    local d
    for d in "$NV/$1"/namespaces/*; do
        [ -d "$d" ] && rmdir "$d"
    done
    rmdir "$NV/$1"
}

head -c 65504 /dev/urandom >/tmp/cs.base
pattern() {  # <file> <tag>: 64 KiB that start with the tag
    { printf '%-32s' "$2"; cat /tmp/cs.base; } >"$1"
}

insmod "$NVMEV_KO" memmap_start=4G memmap_size=2G nr_ctrls=0 cpus=2,3 ||
    { t_fail $P/insmod "insmod nr_ctrls=0 failed"; exit 0; }
t_pass $P/insmod

# ---- 8 controllers, one namespace each
ok=1
i=0
while [ $i -lt 8 ]; do
    mkdir "$NV/s$i" && mkns "s$i" 1 8M && echo 1 >"$NV/s$i/enable" || ok=0
    i=$((i + 1))
done
[ $ok = 1 ] && t_pass $P/eight-ctrls-created || t_fail $P/eight-ctrls-created "mkdir/enable failed"
serials=""
nguids=""
fails=""
i=0
while [ $i -lt 8 ]; do
    if dev=$(nv_wait_dev "s$i" 1); then
        pattern /tmp/cs.pat "s$i"
        $DD if=/tmp/cs.pat of="$dev" bs=64K oflag=direct 2>/dev/null
        $DD if="$dev" of=/tmp/cs.rd bs=64K count=1 iflag=direct 2>/dev/null
        cmp -s /tmp/cs.pat /tmp/cs.rd || fails="$fails s$i:data"
        serials="$serials $(cat "$NV/s$i/serial")"
        nguids="$nguids $(cat "/sys/block/${dev#/dev/}/nguid" 2>/dev/null)"
    else
        fails="$fails s$i:no-device"
    fi
    i=$((i + 1))
done
[ -z "$fails" ] && t_pass $P/eight-ctrls-roundtrip || t_fail $P/eight-ctrls-roundtrip "$fails"
t_eq $P/eight-distinct-serials 8 "$(echo "$serials" | tr ' ' '\n' | sed '/^$/d' | sort -u | wc -l)"
t_eq $P/eight-distinct-nguids 8 "$(echo "$nguids" | tr ' ' '\n' | sed '/^$/d' | sort -u | wc -l)"
t_eq $P/eight-ctrls-two-threads "nvmev2_disp nvmev3_io" "$(threads)"

# ---- 16 namespaces on one controller, added while it runs
mkdir "$NV/many" && mkns many 1 4M && echo 1 >"$NV/many/enable"
nv_wait_dev many 1 >/dev/null && t_pass $P/many-ns1 || t_fail $P/many-ns1 "no device"
n=2
while [ $n -le 16 ]; do
    mkns many $n 4M || t_fail "$P/many-mkns-$n" "mkdir/enable failed"
    n=$((n + 1))
done
fails=""
n=1
while [ $n -le 16 ]; do
    if dev=$(nv_wait_dev many $n 30); then
        pattern /tmp/cs.pat "many-$n"
        $DD if=/tmp/cs.pat of="$dev" bs=64K oflag=direct 2>/dev/null
    else
        fails="$fails ns$n:no-device"
    fi
    n=$((n + 1))
done
n=1
while [ $n -le 16 ]; do
    if dev=$(nv_ns_dev many $n); then
        pattern /tmp/cs.pat "many-$n"
        $DD if="$dev" of=/tmp/cs.rd bs=64K count=1 iflag=direct 2>/dev/null
        cmp -s /tmp/cs.pat /tmp/cs.rd || fails="$fails ns$n:data"
    fi
    n=$((n + 1))
done
[ -z "$fails" ] && t_pass $P/sixteen-ns || t_fail $P/sixteen-ns "$fails"
MANY=$(nv_ns_dev many 1) && MANY_CTRL=$(echo "${MANY#/dev/}" | sed 's/n[0-9]*$//')
nvme_run nvme list-ns "/dev/$MANY_CTRL"
t_eq $P/sixteen-list-ns 16 "$(grep -c '^\[' "$T_OUT")"

# ---- a controller on other CPUs brings its own threads, and takes them away
mkdir "$NV/rev" && echo 3,2 >"$NV/rev/cpus" && mkns rev 1 8M && echo 1 >"$NV/rev/enable"
nv_wait_dev rev 1 >/dev/null && t_pass $P/rev-ctrl || t_fail $P/rev-ctrl "no device"
t_eq $P/rev-threads "nvmev2_disp nvmev2_io nvmev3_disp nvmev3_io" "$(threads)"
destroy rev
t_eq $P/rev-threads-gone "nvmev2_disp nvmev3_io" "$(threads)"

# ---- detach a namespace under I/O
D1=$(nv_ns_dev s0 1)
mkns s0 2 32M
if D2=$(nv_wait_dev s0 2); then
    fio --name=detach --filename="$D2" --rw=randwrite --bs=4k --iodepth=16 \
        --ioengine=libaio --direct=1 --time_based --runtime=20 \
        --output=/tmp/cs.fio >/dev/null 2>&1 &
    FIO=$!
    sleep 2
    echo 0 >"$NV/s0/namespaces/2/enable" && t_pass $P/detach-under-io-write ||
        t_fail $P/detach-under-io-write "echo 0 > enable failed"
    t_check $P/detach-under-io-gone nv_wait_no_dev s0 2
    tries=100
    while kill -0 $FIO 2>/dev/null && [ $tries -gt 0 ]; do
        usleep 200000
        tries=$((tries - 1))
    done
    if kill -0 $FIO 2>/dev/null; then
        t_fail $P/detach-under-io-fio-ends "fio still running 20 s after the detach"
        kill -9 $FIO
    else
        t_pass $P/detach-under-io-fio-ends
    fi
    t_eq $P/detach-under-io-inflight 0 "$(sed -n 's/^inflight //p' "$NV/s0/namespaces/2/stats")"
    pattern /tmp/cs.pat s0
    $DD if="$D1" of=/tmp/cs.rd bs=64K count=1 iflag=direct 2>/dev/null
    t_check $P/detach-under-io-neighbour-intact cmp -s /tmp/cs.pat /tmp/cs.rd
    echo 1 >"$NV/s0/namespaces/2/enable"
    t_check $P/reattach-appears nv_wait_dev s0 2
else
    t_fail $P/detach-under-io "namespace 2 of s0 did not appear"
fi

# ---- a second live controller with the same serial is refused
mkdir "$NV/dup" && mkns dup 1 4M && cat "$NV/s1/serial" >"$NV/dup/serial"
t_expect_fail $P/duplicate-serial-refused sh -c "echo 1 > $NV/dup/enable"
t_check $P/duplicate-serial-message sh -c "dmesg | tail -n 5 | grep -q 'dup: serial=.* is already used by controller s1'"
t_eq $P/duplicate-serial-not-live 0 "$(cat "$NV/dup/enable")"
echo NVMEVDUP >"$NV/dup/serial" && echo 1 >"$NV/dup/enable"
t_check $P/unique-serial-accepted nv_wait_dev dup 1
destroy dup

# ---- teardown
for c in s3 many s0 s7 s1 s6 s2 s5 s4; do
    destroy $c || t_fail "$P/destroy-$c" "rmdir failed"
done
t_eq $P/pool-free-again "$(pool_field size)" "$(pool_field free)"
t_eq $P/pool-no-extents 0 "$(grep -c '^extent' "$NV/pool")"
t_eq $P/no-threads-left "" "$(threads)"
t_check $P/rmmod rmmod nvmev
t_check $P/iomem-clean sh -c "! grep -qi nvmev /proc/iomem"
rm -f /tmp/cs.*
t_dmesg_clean $P/dmesg-clean
exit 0
