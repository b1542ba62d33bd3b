#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2317 # helpers that only run through t_check
# Runtime configuration through configfs (docs/configfs.md):
#  1. loads without a reserved region: configfs is there, the pool is empty,
#     enabling a controller or namespace fails with "no reserved region";
#  2. nr_ctrls=0 with a region: no controller, the whole region is free pool;
#  3. three controllers with different namespace sizes, LBA sizes and presets:
#     host identity (serials, sizes, LBA sizes, NGUID/EUI-64/UUID), pool
#     accounting, fio crc32c verification, no data shared between namespaces;
#  4. statistics after exactly 1 MiB of 4 KiB direct writes;
#  5. runtime detach/attach of a namespace (AEN, rescan, fresh storage) and a
#     new namespace on a running controller;
#  6. invalid values (EINVAL + one kernel line), EBUSY while enabled, bad NSID
#     directory names, ENOSPC for a namespace bigger than the pool;
#  7. teardown in another order than creation, three different ways; the pool
#     is whole again; create/verify/destroy once more;
#  8. rmmod leaves nothing behind;
#  9. the module-parameter controller shows up in configfs as nvmev0.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=configfs
CFS=/sys/kernel/config
NV=$CFS/nvmev
DD=/usr/bin/dd    # busybox sh runs its own applets before PATH
MIB=1048576
WAIT=15           # seconds for a controller or namespace to appear
GONE_WAIT=10      # seconds for one to disappear
FIO_COMMON="--ioengine=libaio --direct=1 --verify=crc32c --do_verify=1 --verify_fatal=1 --verify_dump=0"

_nvmev_memmap_defaults   # NVMEV_MEMMAP_START / NVMEV_MEMMAP_SIZE from memmap=
to_bytes() {  # 2G / 2048M / 4096K / bytes -> bytes
    case "$1" in
        *[gG]) echo $((${1%?} << 30)) ;;
        *[mM]) echo $((${1%?} << 20)) ;;
        *[kK]) echo $((${1%?} << 10)) ;;
        *) echo $(($1)) ;;
    esac
}
MEM_START=$(to_bytes "$NVMEV_MEMMAP_START")
POOL_SIZE=$(to_bytes "$NVMEV_MEMMAP_SIZE")

# ---------------------------------------------------------------- helpers

isnum() {
    case "$1" in '' | *[!0-9]*) return 1 ;; esac
    return 0
}

# <a> - <b>, or a string that no expected number equals
sub() {
    if isnum "$1" && isnum "$2"; then
        echo $(($1 - $2))
    else
        echo "not-a-number('$1' - '$2')"
    fi
}

# One attribute value without trailing blanks (sysfs pads serials).
get() {  # <file>
    local v
    v=$(cat "$1" 2>/dev/null) || {
        echo "<unreadable ${1#"$CFS"/}>"
        return 1
    }
    printf '%s\n' "$v" | sed 's/[[:space:]]*$//'
}

# Write an attribute the way a user does; the status is the write's.
put() {  # <value> <file>
    echo "$1" >"$2"
}

t_put() {  # <name> <value> <file>: the write succeeds
    local name=$1
    shift
    t_check "$name" put "$@"
}

# The write fails and the shell's error message matches <regex> ('' = any).
t_put_fails() {  # <name> <regex> <value> <file>
    local name=$1 re=$2
    if put "$3" "$4" 2>"$T_TMP/cf.err"; then
        t_fail "$name" "writing '$3' to ${4#"$NV"/} succeeded"
        return 1
    fi
    if [ -z "$re" ] || grep -qiE "$re" "$T_TMP/cf.err"; then
        t_pass "$name"
        return 0
    fi
    t_fail "$name" "writing '$3' to ${4#"$NV"/} failed without /$re/: $(cat "$T_TMP/cf.err")"
}

kmark() { t_kmsg_mark; }
klog() { t_kmsg_since; }
t_klog() {  # <name> <fixed string>: some kernel line since kmark contains it
    if klog | grep -qF -- "$2"; then
        t_pass "$1"
        return 0
    fi
    t_fail "$1" "no kernel line containing '$2' since the mark; nvmev lines: $(klog | grep -i nvmev | tail -n 3 | tr '\n' '|')"
}

t_klog_once() {  # <name> <fixed string>: exactly one kernel line since kmark contains it
    local n
    n=$(klog | grep -cF -- "$2")
    if [ "$n" -eq 1 ]; then
        t_pass "$1"
        return 0
    fi
    t_fail "$1" "$n kernel lines containing '$2' since the mark (expected 1); nvmev lines: $(klog | grep -i nvmev | tail -n 3 | tr '\n' '|')"
}

t_gt() {  # <name> <value> <exclusive minimum>
    if isnum "$2" && [ "$2" -gt "$3" ]; then
        t_pass "$1"
        return 0
    fi
    t_fail "$1" "expected a number greater than $3, got '$2'"
}

t_ge() {  # <name> <value> <minimum>
    if isnum "$2" && [ "$2" -ge "$3" ]; then
        t_pass "$1"
        return 0
    fi
    t_fail "$1" "expected a number >= $3, got '$2'"
}

# A dependent check cannot run because a device did not appear: fail it.
need() {  # <name> <values...>
    local name=$1 v
    shift
    for v in "$@"; do
        if [ -z "$v" ]; then
            t_fail "$name" "skipped: a controller or namespace it needs did not appear"
            return 1
        fi
    done
    return 0
}

t_found() {  # <name> <value> <what>
    if [ -n "$2" ]; then
        t_log "$3: $2"
        t_pass "$1"
        return 0
    fi
    t_fail "$1" "$3 did not appear within $WAIT s"
}

# ---- pool and stats files

pool() {  # <key>
    awk -v k="$1" '$1 == k { print $2; f = 1; exit } END { if (!f) print "<no " k ">" }' "$NV/pool" 2>/dev/null
}
extent_bytes() {  # <owner>: bytes of its extent, empty if none
    awk -v o="$1" '$1 == "extent" && $4 == o { print $3 }' "$NV/pool" 2>/dev/null
}
extent_count() {
    grep -c '^extent ' "$NV/pool" 2>/dev/null
}
extent_owners() {
    awk '$1 == "extent" { printf "%s ", $4 }' "$NV/pool" 2>/dev/null
}
# Every extent lies inside the region and none overlaps another.
extents_disjoint() {
    local lo=$MEM_START hi=$((MEM_START + POOL_SIZE)) out
    out=$(grep '^extent ' "$NV/pool" | while read -r _ s b o; do
        echo "$((s)) $((s + b)) $o"
    done | sort -n | awk -v lo="$lo" -v hi="$hi" '
        $1 < lo || $2 > hi { print "outside the region: " $0 }
        NR > 1 && $1 < end { print "overlaps " owner ": " $0 }
        { end = $2; owner = $3 }')
    [ -z "$out" ] && return 0
    echo "$out"
    return 1
}

stat_of() {  # <stats file> <key>
    awk -v k="$2" '$1 == k { print $2; f = 1; exit } END { if (!f) print "<no " k ">" }' "$1" 2>/dev/null
}
cmds_total() {  # <stats file>: all I/O command counters (not admin)
    awk '$1 ~ /_cmds$/ && $1 != "admin_cmds" { s += $2; n++ } END { if (n) print s; else print "<no _cmds lines>" }' "$1"
}
hist_total() {  # <stats file>: the sum of the latency_us histogram
    awk '$1 == "latency_us" { for (i = 2; i <= NF; i++) { split($i, a, ":"); s += a[2] } n = 1 }
        END { if (n) print s; else print "<no latency_us line>" }' "$1"
}

# ---- host devices

nvmev_ctrl_count() {  # controllers whose serial starts with NVMEV
    local f n=0
    for f in /sys/class/nvme/*/serial; do
        [ -r "$f" ] && grep -q '^NVMEV' "$f" && n=$((n + 1))
    done
    echo "$n"
}

# The nvme controller (nvmeX) of configfs controller <name>, via its pci.
ctrl_wait() {  # <name>
    local tries=$((WAIT * 5)) pci e
    while [ "$tries" -gt 0 ]; do
        pci=$(cat "$NV/$1/pci" 2>/dev/null)
        if [ -n "$pci" ]; then
            for e in /sys/bus/pci/devices/"$pci"/nvme/nvme*; do
                if [ -e "$e" ] && [ -c "/dev/${e##*/}" ]; then
                    echo "${e##*/}"
                    return 0
                fi
            done
        fi
        usleep 200000
        tries=$((tries - 1))
    done
    return 1
}

# The block device of namespace <nsid> of <nvmeX>: nvmeXnZ, or with native
# multipath the head node nvmeYnZ of the path nvmeYcXnZ.  Z is the host's
# instance number, not the NSID: match the entry's nsid attribute.
ns_dev() {  # <nvmeX> <nsid>
    local e
    for e in /sys/class/nvme/"$1"/nvme*n*; do
        [ -e "$e/nsid" ] || continue
        [ "$(cat "$e/nsid")" = "$2" ] || continue
        echo "${e##*/}" | sed 's/^\(nvme[0-9]*\)c[0-9]*\(n[0-9]*\)$/\1\2/'
        return 0
    done
    return 1
}

ns_wait() {  # <nvmeX> <nsid>: print its block device once usable
    local tries=$((WAIT * 5)) d
    [ -n "$1" ] || return 1
    while [ "$tries" -gt 0 ]; do
        if d=$(ns_dev "$1" "$2") && [ -b "/dev/$d" ] && [ -e "/sys/block/$d/size" ]; then
            echo "$d"
            return 0
        fi
        usleep 200000
        tries=$((tries - 1))
    done
    return 1
}

ns_gone_wait() {  # <nvmeX> <nsid> <old block device>
    local tries=$((GONE_WAIT * 5))
    while [ "$tries" -gt 0 ]; do
        if ! ns_dev "$1" "$2" >/dev/null && [ ! -e "/dev/$3" ]; then
            return 0
        fi
        usleep 200000
        tries=$((tries - 1))
    done
    echo "still there after $GONE_WAIT s: $(ns_dev "$1" "$2") $(ls -d /dev/"$3" 2>/dev/null)"
    return 1
}

nodes_gone_wait() {  # <device names...>: their /dev nodes disappear
    local tries=$((GONE_WAIT * 5)) d left
    while [ "$tries" -gt 0 ]; do
        left=""
        for d in "$@"; do
            [ -n "$d" ] && [ -e "/dev/$d" ] && left="$left /dev/$d"
        done
        [ -z "$left" ] && return 0
        usleep 200000
        tries=$((tries - 1))
    done
    echo "still there after $GONE_WAIT s:$left"
    return 1
}

ns_bytes() {  # <block device>
    local s
    s=$(cat "/sys/block/$1/size" 2>/dev/null)
    if isnum "$s"; then echo $((s * 512)); else echo "<no size for $1>"; fi
}

lbs() {  # <block device>
    get "/sys/block/$1/queue/logical_block_size"
}

# ---- data

rd() {  # <block device> <offset> <length> <out file>
    timeout 60 "$DD" if="/dev/$1" of="$4" bs=64K iflag=direct,skip_bytes,count_bytes \
        skip="$2" count="$3" 2>/dev/null && [ "$(wc -c <"$4")" -eq "$3" ]
}

wr() {  # <block device> <file> <offset>
    timeout 60 "$DD" if="$2" of="/dev/$1" bs=64K oflag=direct,seek_bytes seek="$3" 2>/dev/null
}

is_zero() {  # <file>: not empty, all bytes zero
    [ -s "$1" ] && [ "$(tr -d '\000' <"$1" | head -c 1 | wc -c)" -eq 0 ]
}

same() {  # <file> <file>
    [ "$(sha256sum <"$1")" = "$(sha256sum <"$2")" ]
}

differs() {  # <file> <file>
    [ -s "$2" ] && ! same "$1" "$2"
}

roundtrip() {  # <block device> <offset>: 1 MiB written reads back
    head -c "$MIB" /dev/urandom >"$T_TMP/cf.rt" &&
        wr "$1" "$T_TMP/cf.rt" "$2" &&
        rd "$1" "$2" "$MIB" "$T_TMP/cf.rt2" &&
        same "$T_TMP/cf.rt" "$T_TMP/cf.rt2"
}

zero_at() {  # <block device> <offset>: 1 MiB of zeroes there
    rd "$1" "$2" "$MIB" "$T_TMP/cf.z" && is_zero "$T_TMP/cf.z"
}

# nvme list-ns (run by nvme_run into $T_OUT) lists <nsid>; nvme-cli prints
# "[   0]:0x1".
listed() {  # <nsid>
    grep -Eq "^\[ *[0-9]+\]: *0x0*$(printf '%x' "$1")\$" "$T_OUT"
}

# ---- module state

not_loaded() {
    ! grep -q '^nvmev ' /proc/modules
}

cfs_mount() {  # configfs mounted and /sys/kernel/config/nvmev there
    [ -d "$NV" ] && return 0
    grep -q " $CFS configfs " /proc/mounts || mount -t configfs none "$CFS"
    [ -d "$NV" ]
}

# Remove every controller and namespace directory we can (rmdir of enabled
# ones detaches them); user directories pin the module.
teardown() {
    local c n
    for c in "$NV"/*/ "$NV"/subsystems/*/; do
        [ -d "$c" ] || continue
        for n in "$c"namespaces/*/; do
            [ -d "$n" ] && rmdir "$n" 2>/dev/null
        done
        rmdir "$c" 2>/dev/null
    done
}

unload_quietly() {
    teardown
    grep -q '^nvmev ' /proc/modules && rmmod nvmev 2>/dev/null
    return 0
}

finish() {
    unload_quietly
    rm -f "$T_TMP"/cf.*
    t_dmesg_clean $P/dmesg-clean
    exit 0
}

load() {  # <name> <insmod params...>: insmod, configfs mounted
    local name=$1
    shift
    t_log "insmod $NVMEV_KO $*"
    t_check "$name/insmod" insmod "$NVMEV_KO" "$@" || return 1
    t_check "$name/configfs-dir" cfs_mount
}

# ================================================================ 0. start

NVMEV_DEV_BEFORE=$(echo /dev/nvme*)
if ! not_loaded; then
    t_log "nvmev is loaded at the start: unloading it"
    unload_quietly
    NVMEV_DEV_BEFORE=$(echo /dev/nvme*)
fi
t_check $P/start/not-loaded not_loaded || finish
NVMEV_CTRLS_BEFORE=$(nvmev_ctrl_count)

# ================================================================ 1. no region

# Without memmap_start/memmap_size: configfs works but nothing can be enabled.
# cpus is set on the controller so that the region is the only thing missing
# (plain insmod has no cpus default either).
no_region() {  # <tag> <insmod params...>
    local T=$P/noregion/$1 c=$NV/r0
    shift
    load "$T" "$@" || {
        unload_quietly
        return
    }
    t_log "$NV: $(cd "$NV" && echo *)"
    t_eq "$T/pool-start" 0x0 "$(pool start)"
    t_eq "$T/pool-size" 0 "$(pool size)"
    t_eq "$T/pool-free" 0 "$(pool free)"
    t_eq "$T/pool-largest-free" 0 "$(pool largest_free)"
    t_eq "$T/pool-no-extents" 0 "$(extent_count)"
    t_eq "$T/no-pci-function" "" "$(nvmev_pci_devs)"
    if t_check "$T/mkdir-ctrl" mkdir "$c"; then
        t_put "$T/ctrl-cpus" 2,3 "$c/cpus"
        kmark
        t_put_fails "$T/ctrl-enable-fails" '' 1 "$c/enable"
        t_klog "$T/ctrl-enable-dmesg" "no reserved region"
        t_eq "$T/ctrl-enable-reads-0" 0 "$(get "$c/enable")"
        t_eq "$T/ctrl-pci-empty" "" "$(get "$c/pci")"
        if t_check "$T/mkdir-ns" mkdir "$c/namespaces/1"; then
            t_put "$T/ns-size" 16M "$c/namespaces/1/size"
            kmark
            t_put_fails "$T/ns-enable-fails" '' 1 "$c/namespaces/1/enable"
            t_klog "$T/ns-enable-dmesg" "no reserved region"
            t_eq "$T/ns-enable-reads-0" 0 "$(get "$c/namespaces/1/enable")"
            t_check "$T/rmdir-ns" rmdir "$c/namespaces/1"
        fi
        t_check "$T/rmdir-ctrl" rmdir "$c"
    fi
    t_eq "$T/no-pci-function-after" "" "$(nvmev_pci_devs)"
    teardown
    t_check "$T/rmmod" rmmod nvmev
    t_check "$T/nothing-left" nvmev_gone || unload_quietly
}
no_region nr-ctrls-0 nr_ctrls=0
no_region no-params

# ================================================================ 2. pool

load $P/pool memmap_start="$NVMEV_MEMMAP_START" memmap_size="$NVMEV_MEMMAP_SIZE" \
    nr_ctrls=0 cpus="$NVMEV_CPUS" || finish
# a controller made by mistake would have shown up by now
sleep 3
t_eq $P/pool/no-host-controller "$NVMEV_CTRLS_BEFORE" "$(nvmev_ctrl_count)"
t_eq $P/pool/no-pci-function "" "$(nvmev_pci_devs)"
t_eq $P/pool/no-ctrl-dirs "subsystems/ " "$(cd "$NV" && for d in */; do [ -d "$d" ] && printf '%s ' "$d"; done)"
t_eq $P/pool/start "$(printf '0x%x' "$MEM_START")" "$(pool start)"
t_eq $P/pool/size "$POOL_SIZE" "$(pool size)"
t_eq $P/pool/free-equals-size "$POOL_SIZE" "$(pool free)"
t_eq $P/pool/largest-free-equals-size "$POOL_SIZE" "$(pool largest_free)"
t_eq $P/pool/no-extents 0 "$(extent_count)"
t_check $P/pool/features-nvm grep -qw nvm "$NV/features"
t_log "features: $(tr '\n' ' ' <"$NV/features")"

# ================================================================ 3. create

# c0: ns1 64M/512 nvm-zero, later ns3 16M;  c1: ns1 96M/4096, ns2 32M/512;
# c2: ns1 128M/512 optane, own serial and model.
C2_SERIAL=NVMEVCFSTEST2
C2_MODEL="nvmev configfs test"

has_preset() {  # <name> <presets file>: a line "<name> nvm <description>"
    awk -v n="$1" '$1 == n && $2 == "nvm" && NF > 2 { f = 1 } END { exit !f }' "$2"
}

mk_ns() {  # <ctrl> <nsid> <size> <lba_size> [<preset>]
    local d=$NV/$1/namespaces/$2 T=$P/create/$1/ns$2
    t_check "$T/mkdir" mkdir "$d" || return 1
    [ -z "${5:-}" ] || t_put "$T/preset" "$5" "$d/preset"
    t_put "$T/size" "$3" "$d/size"
    t_put "$T/lba-size" "$4" "$d/lba_size"
    t_put "$T/enable" 1 "$d/enable"
}

create() {
    local c presets=$T_TMP/cf.presets
    for c in c0 c1 c2; do
        t_check $P/create/$c/mkdir mkdir "$NV/$c"
    done
    # defaults
    # the insmod cpus= is every controller's default; "2,3" may read "2-3"
    t_eq $P/create/c0/cpus-default "$NVMEV_CPUS" \
        "$(get "$NV/c0/cpus" | sed 's/^\([0-9]*\)-\([0-9]*\)$/\1,\2/')"
    t_eq $P/create/c0/enable-default 0 "$(get "$NV/c0/enable")"
    t_eq $P/create/c0/pci-empty-while-disabled "" "$(get "$NV/c0/pci")"
    case "$(get "$NV/c0/serial")" in
        NVMEV?*) t_pass $P/create/c0/serial-default ;;
        *) t_fail $P/create/c0/serial-default "expected NVMEV..., got '$(get "$NV/c0/serial")'" ;;
    esac
    mk_ns c0 1 64M 512 nvm-zero
    # the presets named in docs/configfs.md, as "<name> <type> <description>"
    cat "$NV/c0/namespaces/1/presets" >"$presets" 2>/dev/null
    for c in optane nvm-zero nvm-slow; do
        t_check $P/create/presets-list-$c has_preset "$c" "$presets"
    done
    t_eq $P/create/c0/ns1/preset-reads-back nvm-zero "$(get "$NV/c0/namespaces/1/preset")"
    # "Zero-latency": the preset's delays are 0
    t_eq $P/create/c0/ns1/nvm-zero-read-delay 0 "$(get "$NV/c0/namespaces/1/read_delay")"
    t_eq $P/create/c0/ns1/nvm-zero-write-time 0 "$(get "$NV/c0/namespaces/1/write_time")"
    t_eq $P/create/c0/ns1/nvm-zero-cmd-read-ns 0 "$(get "$NV/c0/namespaces/1/cmd_read_ns")"

    mk_ns c1 1 96M 4096
    t_eq $P/create/c1/ns1/preset-default optane "$(get "$NV/c1/namespaces/1/preset")"
    t_eq $P/create/c1/ns1/type-default nvm "$(get "$NV/c1/namespaces/1/type")"
    t_eq $P/create/c1/ns1/size-reads-bytes $((96 * MIB)) "$(get "$NV/c1/namespaces/1/size")"
    mk_ns c1 2 32M 512

    t_put $P/create/c2/serial "$C2_SERIAL" "$NV/c2/serial"
    t_put $P/create/c2/model "$C2_MODEL" "$NV/c2/model"
    t_check $P/create/c2/ns1/mkdir mkdir "$NV/c2/namespaces/1"
    t_put $P/create/c2/ns1/preset optane "$NV/c2/namespaces/1/preset"
    # the optane preset = NVMeVirt defaults (the module parameters' defaults)
    # plus the P5800X controller's command rate (ftl/nvm.h)
    t_eq $P/create/c2/ns1/optane-read-delay 2000 "$(get "$NV/c2/namespaces/1/read_delay")"
    t_eq $P/create/c2/ns1/optane-read-time 3500 "$(get "$NV/c2/namespaces/1/read_time")"
    t_eq $P/create/c2/ns1/optane-write-trailing 7000 "$(get "$NV/c2/namespaces/1/write_trailing")"
    t_eq $P/create/c2/ns1/optane-nr-io-units 16 "$(get "$NV/c2/namespaces/1/nr_io_units")"
    t_eq $P/create/c2/ns1/optane-io-unit-shift 12 "$(get "$NV/c2/namespaces/1/io_unit_shift")"
    t_eq $P/create/c2/ns1/optane-cmd-read-ns 667 "$(get "$NV/c2/namespaces/1/cmd_read_ns")"
    t_eq $P/create/c2/ns1/optane-cmd-write-ns 741 "$(get "$NV/c2/namespaces/1/cmd_write_ns")"
    # a parameter written after the preset overrides it, the others stay
    t_put $P/create/c2/ns1/write-delay-override 1000 "$NV/c2/namespaces/1/write_delay"
    t_eq $P/create/c2/ns1/write-delay-reads-back 1000 "$(get "$NV/c2/namespaces/1/write_delay")"
    t_eq $P/create/c2/ns1/read-delay-kept 2000 "$(get "$NV/c2/namespaces/1/read_delay")"
    t_put $P/create/c2/ns1/size 128M "$NV/c2/namespaces/1/size"
    t_put $P/create/c2/ns1/lba-size 512 "$NV/c2/namespaces/1/lba_size"
    t_put $P/create/c2/ns1/enable 1 "$NV/c2/namespaces/1/enable"

    # namespaces enabled before their controllers: storage is taken already
    t_eq $P/create/pool/ns-storage-before-ctrl-enable $((POOL_SIZE - 320 * MIB)) "$(pool free)"

    for c in c0 c1 c2; do
        t_put $P/create/$c/enable 1 "$NV/$c/enable"
    done
    for c in c0 c1 c2; do
        t_eq $P/create/$c/enable-reads-1 1 "$(get "$NV/$c/enable")"
    done

    # pool accounting: 1 MiB per controller plus the namespaces
    t_eq $P/create/pool/free $((POOL_SIZE - 323 * MIB)) "$(pool free)"
    t_eq $P/create/pool/extent-count 7 "$(extent_count)"
    t_eq $P/create/pool/extent-c0 $MIB "$(extent_bytes c0)"
    t_eq $P/create/pool/extent-c0-1 $((64 * MIB)) "$(extent_bytes c0/1)"
    t_eq $P/create/pool/extent-c1 $MIB "$(extent_bytes c1)"
    t_eq $P/create/pool/extent-c1-1 $((96 * MIB)) "$(extent_bytes c1/1)"
    t_eq $P/create/pool/extent-c1-2 $((32 * MIB)) "$(extent_bytes c1/2)"
    t_eq $P/create/pool/extent-c2 $MIB "$(extent_bytes c2)"
    t_eq $P/create/pool/extent-c2-1 $((128 * MIB)) "$(extent_bytes c2/1)"
    t_check $P/create/pool/extents-disjoint-inside-region extents_disjoint
}
create
t_log "pool after create: $(tr '\n' '|' <"$NV/pool")"

# ---- the host sees them
C0=$(ctrl_wait c0) || C0=""
t_found $P/host/c0/controller "$C0" "c0 controller"
C1=$(ctrl_wait c1) || C1=""
t_found $P/host/c1/controller "$C1" "c1 controller"
C2=$(ctrl_wait c2) || C2=""
t_found $P/host/c2/controller "$C2" "c2 controller"
N01=$(ns_wait "$C0" 1) || N01=""
t_found $P/host/c0/ns1 "$N01" "c0 namespace 1"
N11=$(ns_wait "$C1" 1) || N11=""
t_found $P/host/c1/ns1 "$N11" "c1 namespace 1"
N12=$(ns_wait "$C1" 2) || N12=""
t_found $P/host/c1/ns2 "$N12" "c1 namespace 2"
N21=$(ns_wait "$C2" 1) || N21=""
t_found $P/host/c2/ns1 "$N21" "c2 namespace 1"

host_identity() {
    local T=$P/host c dev pci pcis="" serials=""
    for c in c0 c1 c2; do
        case $c in
            c0) dev=$C0 ;;
            c1) dev=$C1 ;;
            c2) dev=$C2 ;;
        esac
        pci=$(get "$NV/$c/pci")
        pcis="$pcis$pci
"
        # its own PCI domain, 10000 and up
        case "$pci" in
            1????:*) t_pass "$T/$c/pci-domain" ;;
            *) t_fail "$T/$c/pci-domain" "expected a 1xxxx: domain, got '$pci'" ;;
        esac
        need "$T/$c/serial-matches-configfs" "$dev" || continue
        t_eq "$T/$c/serial-matches-configfs" "$(get "$NV/$c/serial")" \
            "$(get "/sys/class/nvme/$dev/serial")"
        serials="$serials$(get "/sys/class/nvme/$dev/serial")
"
    done
    t_eq "$T/pci-addresses-distinct" 3 "$(printf '%s' "$pcis" | grep . | sort -u | wc -l)"
    if need "$T/serials-distinct" "$C0" "$C1" "$C2"; then
        t_eq "$T/serials-distinct" 3 "$(printf '%s' "$serials" | grep . | sort -u | wc -l)"
    fi
    if need "$T/c2/custom-serial" "$C2"; then
        t_eq "$T/c2/custom-serial" "$C2_SERIAL" "$(get "/sys/class/nvme/$C2/serial")"
        t_eq "$T/c2/custom-model" "$C2_MODEL" "$(get "/sys/class/nvme/$C2/model")"
        nvme_run nvme id-ctrl "/dev/$C2"
        t_eq "$T/c2/id-ctrl-sn" "$C2_SERIAL" "$(sed -n 's/^sn *: *\(.*[^ ]\) *$/\1/p' "$T_OUT")"
    fi
    # controllers with the same cpus share one dispatcher and one worker
    # (NVMEV_CPUS is "<dispatcher>,<worker>")
    cat /proc/[0-9]*/comm >"$T_TMP/cf.comm" 2>/dev/null
    t_eq "$T/one-shared-dispatcher-thread" 1 \
        "$(grep -cx "nvmev${NVMEV_CPUS%%,*}_disp" "$T_TMP/cf.comm")"
    t_eq "$T/one-shared-worker-thread" 1 \
        "$(grep -cx "nvmev${NVMEV_CPUS##*,}_io" "$T_TMP/cf.comm")"
}
host_identity

ns_layout() {  # <tag> <block device> <bytes> <lba size>
    need "$P/host/$1/size" "$2" || return
    t_eq "$P/host/$1/size" "$3" "$(ns_bytes "$2")"
    t_eq "$P/host/$1/logical-block-size" "$4" "$(lbs "$2")"
}
ns_layout c0/ns1 "$N01" $((64 * MIB)) 512
ns_layout c1/ns1 "$N11" $((96 * MIB)) 4096
ns_layout c1/ns2 "$N12" $((32 * MIB)) 512
ns_layout c2/ns1 "$N21" $((128 * MIB)) 512

# <name> <sysfs attribute> <block devices...>: present, not zero, distinct
distinct_ids() {
    local name=$1 attr=$2 d v all="" bad=""
    shift 2
    need "$name" "$@" || return
    for d in "$@"; do
        v=$(cat "/sys/block/$d/$attr" 2>/dev/null)
        if [ -z "$v" ] || [ -n "$(printf '%s' "$v" | tr -d '0-9a-fA-F :-')" ]; then
            bad="$bad $d:'$v'"
        elif [ -z "$(printf '%s' "$v" | tr -d '0 :-')" ]; then
            bad="$bad $d:zero"
        fi
        all="$all$v
"
    done
    if [ -n "$bad" ]; then
        t_fail "$name" "missing or invalid $attr:$bad"
        return
    fi
    t_eq "$name" $# "$(printf '%s' "$all" | sort -u | wc -l)"
}
distinct_ids $P/host/nguids-distinct nguid "$N01" "$N11" "$N12" "$N21"
distinct_ids $P/host/euis-distinct eui "$N01" "$N11" "$N12" "$N21"
distinct_ids $P/host/uuids-distinct uuid "$N01" "$N11" "$N12" "$N21"

# ---- data: one fio run over every namespace, one job each
fio_all() {
    local args="" jobs="" pair job dev st
    for pair in c0n1:$N01 c1n1:$N11 c1n2:$N12 c2n1:$N21; do
        job=${pair%%:*}
        dev=${pair#*:}
        if [ -n "$dev" ]; then
            args="$args --name=$job --filename=/dev/$dev"
            jobs="$jobs $job"
        else
            t_fail "$P/data/fio-verify-$job" "skipped: the namespace did not appear"
        fi
    done
    [ -n "$jobs" ] || return
    # shellcheck disable=SC2086 # option lists
    timeout 240 fio $FIO_COMMON --rw=randwrite --bs=64k --iodepth=8 --size=16M \
        $args >"$T_TMP/cf.fio" 2>&1
    st=$?
    if [ "$st" -ne 0 ]; then
        echo "## fio output:"
        tail -n 30 "$T_TMP/cf.fio" | sed 's/^/##   /'
    fi
    t_eq $P/data/fio-exit-status 0 "$st"
    for job in $jobs; do
        if grep -q "^$job: (groupid=[0-9]*, jobs=1): err= *0:" "$T_TMP/cf.fio"; then
            t_pass "$P/data/fio-verify-$job"
        else
            t_fail "$P/data/fio-verify-$job" "no 'err= 0' line for job $job: $(grep -E "^$job:|verify|error" "$T_TMP/cf.fio" | head -n 3)"
        fi
    done
}
fio_all

# A pattern written to c1 ns2 shows up nowhere else; fresh storage is zero.
XOFF=$((20 * MIB))
isolation() {
    local T=$P/data/isolation pair tag dev
    need "$T/c1n2-write" "$N12" || return
    head -c "$MIB" /dev/urandom >"$T_TMP/cf.pat"
    t_check "$T/c1n2-write" wr "$N12" "$T_TMP/cf.pat" $XOFF || return
    rd "$N12" $XOFF $MIB "$T_TMP/cf.rd"
    t_check "$T/c1n2-reads-back" same "$T_TMP/cf.pat" "$T_TMP/cf.rd"
    for pair in c1n1:$N11 c0n1:$N01 c2n1:$N21; do
        tag=${pair%%:*}
        dev=${pair#*:}
        need "$T/$tag-differs" "$dev" || continue
        rm -f "$T_TMP/cf.rd"
        rd "$dev" $XOFF $MIB "$T_TMP/cf.rd"
        t_check "$T/$tag-differs" differs "$T_TMP/cf.pat" "$T_TMP/cf.rd"
        t_check "$T/$tag-still-zero" is_zero "$T_TMP/cf.rd"
    done
}
isolation

# ================================================================ 4. stats

stats() {
    local T=$P/stats S=$NV/c0/namespaces/1/stats CS=$NV/c0/stats
    local b0 wc0 cb0 cc0 st=$T_TMP/cf.st cst=$T_TMP/cf.cst cmds
    need "$T/dd-1MiB" "$N01" || return
    cat "$S" >"$st"
    cat "$CS" >"$cst"
    t_log "c0/1 stats before: $(tr '\n' '|' <"$st")"
    b0=$(stat_of "$st" write_bytes)
    wc0=$(stat_of "$st" write_cmds)
    cb0=$(stat_of "$cst" write_bytes)
    cc0=$(stat_of "$cst" write_cmds)
    # 256 direct 4 KiB writes at 32 MiB: one command each
    head -c "$MIB" /dev/urandom >"$T_TMP/cf.stpat"
    t_check "$T/dd-1MiB" timeout 60 "$DD" if="$T_TMP/cf.stpat" of="/dev/$N01" bs=4K count=256 \
        seek=$((32 * MIB / 4096)) oflag=direct
    cat "$S" >"$st"
    cat "$CS" >"$cst"
    t_log "c0/1 stats after: $(tr '\n' '|' <"$st")"
    t_log "c0 stats after: $(tr '\n' '|' <"$cst")"
    t_eq "$T/ns/write-bytes-delta" $MIB "$(sub "$(stat_of "$st" write_bytes)" "$b0")"
    t_eq "$T/ns/write-cmds-delta" 256 "$(sub "$(stat_of "$st" write_cmds)" "$wc0")"
    t_eq "$T/ns/inflight" 0 "$(stat_of "$st" inflight)"
    t_eq "$T/ns/errors" 0 "$(stat_of "$st" errors)"
    # fio wrote and verified 16 MiB, then dd wrote 1 MiB
    t_ge "$T/ns/read-bytes-at-least-fio" "$(stat_of "$st" read_bytes)" $((16 * MIB))
    t_ge "$T/ns/write-bytes-at-least-fio-dd" "$(stat_of "$st" write_bytes)" $((17 * MIB))
    cmds=$(cmds_total "$st")
    t_gt "$T/ns/commands-counted" "$cmds" 0
    t_eq "$T/ns/latency-histogram-total" "$cmds" "$(hist_total "$st")"
    # the controller: the same, summed over its queues (only ns1 so far)
    t_gt "$T/ctrl/admin-cmds" "$(stat_of "$cst" admin_cmds)" 0
    t_eq "$T/ctrl/write-bytes-delta" $MIB "$(sub "$(stat_of "$cst" write_bytes)" "$cb0")"
    t_eq "$T/ctrl/write-cmds-delta" 256 "$(sub "$(stat_of "$cst" write_cmds)" "$cc0")"
    t_eq "$T/ctrl/inflight" 0 "$(stat_of "$cst" inflight)"
    cmds=$(cmds_total "$cst")
    t_gt "$T/ctrl/commands-counted" "$cmds" 0
    t_eq "$T/ctrl/latency-histogram-total" "$cmds" "$(hist_total "$cst")"
}
stats

# ================================================================ 5. runtime

runtime_ns2() {
    local T=$P/runtime/c1-ns2 d=$NV/c1/namespaces/2 old=$N12 free0
    need "$T/disable" "$C1" "$N11" "$N12" || return
    free0=$(pool free)
    t_put "$T/disable" 0 "$d/enable" || return
    t_check "$T/host-device-gone" ns_gone_wait "$C1" 2 "$old"
    t_eq "$T/enable-reads-0" 0 "$(get "$d/enable")"
    t_eq "$T/storage-freed" "" "$(extent_bytes c1/2)"
    t_eq "$T/pool-free-grows" $((32 * MIB)) "$(sub "$(pool free)" "$free0")"
    t_check "$T/ns1-still-works" roundtrip "$N11" $((40 * MIB))
    nvme_run nvme list-ns "/dev/$C1"
    t_eq "$T/list-ns-status" 0x0 "$ST"
    t_check "$T/list-ns-has-1" listed 1
    t_expect_fail "$T/list-ns-without-2" listed 2
    t_put "$T/enable-again" 1 "$d/enable" || return
    N12=$(ns_wait "$C1" 2) || N12=""
    t_found "$T/host-device-back" "$N12" "c1 namespace 2 again"
    need "$T/back-size" "$N12" || return
    t_eq "$T/back-size" $((32 * MIB)) "$(ns_bytes "$N12")"
    t_eq "$T/back-logical-block-size" 512 "$(lbs "$N12")"
    # fresh storage: neither the pattern nor fio's data is there any more
    t_check "$T/back-pattern-gone" zero_at "$N12" $XOFF
    t_check "$T/back-fio-data-gone" zero_at "$N12" 0
    nvme_run nvme list-ns "/dev/$C1"
    t_check "$T/list-ns-has-2-again" listed 2
    t_check "$T/back-roundtrip" roundtrip "$N12" $MIB
}
runtime_ns2

runtime_ns3() {
    local T=$P/runtime/c0-ns3 d=$NV/c0/namespaces/3
    need "$T/mkdir" "$C0" || return
    t_check "$T/mkdir" mkdir "$d" || return
    t_eq "$T/type-default" nvm "$(get "$d/type")"
    t_eq "$T/lba-size-default" 512 "$(get "$d/lba_size")"
    t_eq "$T/preset-default" optane "$(get "$d/preset")"
    t_put "$T/size" 16M "$d/size"
    kmark
    t_put "$T/enable" 1 "$d/enable" || return
    N03=$(ns_wait "$C0" 3) || N03=""
    t_found "$T/host-device" "$N03" "c0 namespace 3"
    t_klog "$T/dmesg-rescan" " $C0: rescanning namespaces"
    t_eq "$T/extent" $((16 * MIB)) "$(extent_bytes c0/3)"
    need "$T/host-size" "$N03" || return
    t_eq "$T/host-size" $((16 * MIB)) "$(ns_bytes "$N03")"
    t_check "$T/fresh-zero" zero_at "$N03" 0
    t_check "$T/roundtrip" roundtrip "$N03" $MIB
    nvme_run nvme list-ns "/dev/$C0"
    t_check "$T/list-ns-has-3" listed 3
    t_check "$T/ns1-still-there" test -b "/dev/$N01"
}
N03=""
runtime_ns3

# lib.sh's nvme_find_device takes namespace 1 by NSID, not by the name
# n1: a controller whose namespace 2 came first names it nvmeXn1.
runtime_nsid_order() {
    local T=$P/runtime/c3-nsid-order c3 n1 n2
    t_check "$T/mkdir" mkdir "$NV/c3" || return
    mk_ns c3 2 16M 512 || return
    t_put "$T/enable" 1 "$NV/c3/enable" || return
    c3=$(ctrl_wait c3) || c3=""
    n2=$(ns_wait "$c3" 2) || n2=""
    need "$T/ns2" "$n2" || return
    mk_ns c3 1 16M 512 || return
    n1=$(ns_wait "$c3" 1) || n1=""
    need "$T/ns1" "$n1" || return
    t_log "c3: namespace 1 is $n1, namespace 2 is $n2"
    t_eq "$T/lib-finds-nsid-1" "$n1" "$(_nvme_ctrl_namespace "$c3")"
}
runtime_nsid_order
# c3 goes again: the sections below count controllers and the pool
put 0 "$NV/c3/enable" 2>/dev/null
rmdir "$NV"/c3/namespaces/* "$NV/c3" 2>/dev/null
t_check $P/runtime/c3-nsid-order/removed test ! -e "$NV/c3"

# ================================================================ 6. invalid

# EINVAL, exactly one kernel line "nvmev: <owner>: <attr>=<value>: ...", and
# the value stays what it was.
einval() {  # <tag> <owner> <attr> <value> <file>
    local before
    before=$(get "$5")
    kmark
    t_put_fails "$1/einval" 'Invalid argument' "$4" "$5"
    t_klog_once "$1/dmesg" "nvmev: $2: $3=$4:"
    t_eq "$1/unchanged" "$before" "$(get "$5")"
}

# EBUSY while enabled, the value stays.
ebusy() {  # <tag> <value> <file>
    local before
    before=$(get "$3")
    t_put_fails "$1/ebusy" 'busy' "$2" "$3"
    t_eq "$1/unchanged" "$before" "$(get "$3")"
}

invalid() {
    local T=$P/invalid c=$NV/cx n=$NV/cx/namespaces/1 t name free0
    t_check "$T/mkdir-ctrl" mkdir "$c" || return
    t_check "$T/mkdir-ns" mkdir "$n" || return
    # valid values are accepted (so the failures below mean something)
    t_put "$T/ns/type-nvm" nvm "$n/type"
    t_put "$T/ns/lba-size-4096" 4096 "$n/lba_size"
    t_put "$T/ns/size-1500K" 1500K "$n/size"
    t_eq "$T/ns/size-rounded-down-to-MiB" $MIB "$(get "$n/size")"
    t_put "$T/ns/size-1G" 1G "$n/size"
    t_eq "$T/ns/size-1G-bytes" $((1024 * MIB)) "$(get "$n/size")"
    t_put "$T/ns/preset-nvm-slow" nvm-slow "$n/preset"
    t_put "$T/ctrl/cpus-3-2" 3,2 "$c/cpus"
    t_eq "$T/ctrl/cpus-reads-back" 3,2 "$(get "$c/cpus")"
    t_put "$T/ctrl/cpus-2-3" 2,3 "$c/cpus"

    einval "$T/ns/type-foo" cx/1 type foo "$n/type"
    # the first type this build does not support (conv while only nvm is built)
    for t in conv zns kv; do
        if ! grep -qw "$t" "$NV/features"; then
            einval "$T/ns/type-$t-unsupported" cx/1 type "$t" "$n/type"
            break
        fi
    done
    einval "$T/ns/lba-size-1000" cx/1 lba_size 1000 "$n/lba_size"
    einval "$T/ns/size-abc" cx/1 size abc "$n/size"
    einval "$T/ns/size-0" cx/1 size 0 "$n/size"
    einval "$T/ns/preset-nope" cx/1 preset nope "$n/preset"
    einval "$T/ns/enable-2" cx/1 enable 2 "$n/enable"
    einval "$T/ctrl/cpus-99" cx cpus 99 "$c/cpus"
    einval "$T/ctrl/cpus-2-99-offline" cx cpus 2,99 "$c/cpus"
    einval "$T/ctrl/cpus-2-only-one" cx cpus 2 "$c/cpus"
    einval "$T/ctrl/cpus-2-2-duplicate" cx cpus 2,2 "$c/cpus"
    einval "$T/ctrl/enable-2" cx enable 2 "$c/enable"

    # NSID directory names are 1..32
    for name in 0 33 abc; do
        t_expect_fail "$T/mkdir-ns-$name" mkdir "$c/namespaces/$name"
        t_expect_fail "$T/mkdir-ns-$name-absent" test -e "$c/namespaces/$name"
    done
    t_check "$T/mkdir-ns-32" mkdir "$c/namespaces/32" && t_check "$T/rmdir-ns-32" rmdir "$c/namespaces/32"

    # configfs: a controller with namespace directories cannot go
    t_expect_fail "$T/rmdir-ctrl-with-ns" rmdir "$c"
    t_check "$T/ctrl-still-there" test -d "$c/namespaces/1"

    # a namespace larger than the pool: size is accepted, enable is not
    t_put "$T/nospc/size-4G" 4G "$n/size"
    free0=$(pool free)
    kmark
    t_put_fails "$T/nospc/enable-enospc" 'No space left' 1 "$n/enable"
    # the line's wording is not fixed beyond "how much is needed, how much
    # is free and the largest free extent"
    if klog | grep -i 'nvmev' | grep -qi 'free'; then
        t_pass "$T/nospc/dmesg-free"
    else
        t_fail "$T/nospc/dmesg-free" "no nvmev kernel line saying what is free: $(klog | grep -i nvmev | tail -n 2 | tr '\n' '|')"
    fi
    t_eq "$T/nospc/enable-reads-0" 0 "$(get "$n/enable")"
    t_eq "$T/nospc/pool-free-unchanged" "$free0" "$(pool free)"
    t_eq "$T/nospc/no-extent" "" "$(extent_bytes cx/1)"
    t_check "$T/rmdir-ns" rmdir "$n"
    t_check "$T/rmdir-ctrl" rmdir "$c"

    # enabled: identity, cpus and every namespace attribute but enable are
    # busy (each value differs from the current one: a no-op write might
    # legitimately be accepted)
    ebusy "$T/busy/c2-serial" NVMEVOTHER "$NV/c2/serial"
    ebusy "$T/busy/c2-model" "other model" "$NV/c2/model"
    ebusy "$T/busy/c2-firmware" 9.9 "$NV/c2/firmware"
    ebusy "$T/busy/c0-cpus" 3,2 "$NV/c0/cpus"
    ebusy "$T/busy/c0-ns1-size" 32M "$NV/c0/namespaces/1/size"
    ebusy "$T/busy/c0-ns1-lba-size" 4096 "$NV/c0/namespaces/1/lba_size"
    ebusy "$T/busy/c0-ns1-preset" optane "$NV/c0/namespaces/1/preset"
    ebusy "$T/busy/c0-ns1-read-delay" 5 "$NV/c0/namespaces/1/read_delay"
    if need "$T/busy/c0-ns1-still-works" "$N01"; then
        t_check "$T/busy/c0-ns1-still-works" roundtrip "$N01" $((48 * MIB))
    fi
}
invalid

# ================================================================ 7. destroy

# c1: controller disabled first, then its namespaces (disabled, and enabled)
destroy_c1() {
    local T=$P/destroy/c1 d=$NV/c1
    t_put "$T/ctrl-disable" 0 "$d/enable"
    if need "$T/host-nodes-gone" "$C1" "$N11" "$N12"; then
        t_check "$T/host-nodes-gone" nodes_gone_wait "$C1" "$N11" "$N12"
    fi
    t_eq "$T/pci-empty" "" "$(get "$d/pci")"
    t_put "$T/ns1-disable" 0 "$d/namespaces/1/enable"
    t_check "$T/rmdir-ns1" rmdir "$d/namespaces/1"
    t_check "$T/rmdir-ns2-enabled" rmdir "$d/namespaces/2"
    t_check "$T/rmdir-ctrl" rmdir "$d"
    t_eq "$T/no-extents" "" "$(extent_owners | tr ' ' '\n' | grep '^c1\(/\|$\)')"
}
# c0: namespaces removed while everything is enabled (the host sees them
# go), then the enabled controller
destroy_c0() {
    local T=$P/destroy/c0 d=$NV/c0
    t_check "$T/rmdir-ns3-enabled" rmdir "$d/namespaces/3"
    t_check "$T/rmdir-ns1-enabled" rmdir "$d/namespaces/1"
    if need "$T/host-ns-gone" "$C0" "$N01"; then
        t_check "$T/host-ns-gone" nodes_gone_wait "$N01" "$N03"
        t_check "$T/host-ctrl-stays" test -c "/dev/$C0"
    fi
    t_check "$T/rmdir-ctrl-enabled" rmdir "$d"
    if need "$T/host-ctrl-gone" "$C0"; then
        t_check "$T/host-ctrl-gone" nodes_gone_wait "$C0"
    fi
    t_eq "$T/no-extents" "" "$(extent_owners | tr ' ' '\n' | grep '^c0\(/\|$\)')"
}
# c2: namespace disabled, removed; controller disabled, removed
destroy_c2() {
    local T=$P/destroy/c2 d=$NV/c2
    t_put "$T/ns1-disable" 0 "$d/namespaces/1/enable"
    if need "$T/host-ns-gone" "$C2" "$N21"; then
        t_check "$T/host-ns-gone" ns_gone_wait "$C2" 1 "$N21"
    fi
    t_check "$T/rmdir-ns1" rmdir "$d/namespaces/1"
    t_put "$T/ctrl-disable" 0 "$d/enable"
    if need "$T/host-ctrl-gone" "$C2"; then
        t_check "$T/host-ctrl-gone" nodes_gone_wait "$C2"
    fi
    t_eq "$T/pci-empty" "" "$(get "$d/pci")"
    t_check "$T/rmdir-ctrl" rmdir "$d"
}
destroy_c1
destroy_c0
destroy_c2

pool_whole() {  # <tag>
    t_eq "$1/free-equals-size" "$POOL_SIZE" "$(pool free)"
    t_eq "$1/largest-free-equals-size" "$POOL_SIZE" "$(pool largest_free)"
    t_eq "$1/no-extents" 0 "$(extent_count)"
    t_eq "$1/no-pci-function" "" "$(nvmev_pci_devs)"
    t_eq "$1/no-host-controller" "$NVMEV_CTRLS_BEFORE" "$(nvmev_ctrl_count)"
}
pool_whole $P/destroy/pool
t_log "pool after destroy: $(tr '\n' '|' <"$NV/pool")"

# ---- once more: the freed space is reused
again() {
    local T=$P/again D0 D1 ND0 ND1 st
    t_check "$T/mkdir" mkdir "$NV/d0" "$NV/d0/namespaces/1" "$NV/d1" "$NV/d1/namespaces/1" ||
        return
    t_put "$T/d0-size" 32M "$NV/d0/namespaces/1/size"
    t_put "$T/d1-preset" nvm-zero "$NV/d1/namespaces/1/preset"
    t_put "$T/d1-size" 16M "$NV/d1/namespaces/1/size"
    t_put "$T/d1-lba-size" 4096 "$NV/d1/namespaces/1/lba_size"
    # controllers first, namespaces attached afterwards
    t_put "$T/d0-enable" 1 "$NV/d0/enable"
    t_put "$T/d1-enable" 1 "$NV/d1/enable"
    t_put "$T/d0-ns-enable" 1 "$NV/d0/namespaces/1/enable"
    t_put "$T/d1-ns-enable" 1 "$NV/d1/namespaces/1/enable"
    t_eq "$T/pool-free" $((POOL_SIZE - 50 * MIB)) "$(pool free)"
    t_check "$T/extents-disjoint" extents_disjoint
    D0=$(ctrl_wait d0) || D0=""
    t_found "$T/d0-controller" "$D0" "d0 controller"
    D1=$(ctrl_wait d1) || D1=""
    t_found "$T/d1-controller" "$D1" "d1 controller"
    ND0=$(ns_wait "$D0" 1) || ND0=""
    t_found "$T/d0-ns1" "$ND0" "d0 namespace 1"
    ND1=$(ns_wait "$D1" 1) || ND1=""
    t_found "$T/d1-ns1" "$ND1" "d1 namespace 1"
    if need "$T/d0-host-size" "$ND0"; then
        t_eq "$T/d0-host-size" $((32 * MIB)) "$(ns_bytes "$ND0")"
        t_check "$T/d0-fresh-zero" zero_at "$ND0" 0
    fi
    if need "$T/d1-fio-verify" "$ND1"; then
        t_eq "$T/d1-logical-block-size" 4096 "$(lbs "$ND1")"
        # shellcheck disable=SC2086 # option list
        timeout 120 fio $FIO_COMMON --name=again --filename="/dev/$ND1" --rw=randwrite \
            --bs=16k --iodepth=8 --size=8M >"$T_TMP/cf.fio" 2>&1
        st=$?
        [ "$st" -eq 0 ] || tail -n 20 "$T_TMP/cf.fio" | sed 's/^/##   /'
        t_eq "$T/d1-fio-verify" 0 "$st"
    fi
    t_check "$T/rmdir-enabled" rmdir "$NV/d1/namespaces/1" "$NV/d1" "$NV/d0/namespaces/1" "$NV/d0"
    t_check "$T/host-nodes-gone" nodes_gone_wait "$D0" "$D1" "$ND0" "$ND1"
    pool_whole "$T/pool"
}
again

# ================================================================ 8. rmmod

teardown
t_check $P/rmmod/rmmod rmmod nvmev
t_check $P/rmmod/nothing-left nvmev_gone || unload_quietly

# ================================================================ 9. module parameters

params_mode() {
    local T=$P/params c=$NV/nvmev0 pci
    load "$T" memmap_start="$NVMEV_MEMMAP_START" memmap_size="$NVMEV_MEMMAP_SIZE" \
        cpus="$NVMEV_CPUS" || {
        unload_quietly
        return
    }
    t_check "$T/host-device" nvme_wait_device "$NVMEV_MODEL_PATTERN" "$WAIT"
    t_check "$T/nvmev0-dir" test -d "$c"
    t_eq "$T/nvmev0-enable" 1 "$(get "$c/enable")"
    t_check "$T/nvmev0-ns1-dir" test -d "$c/namespaces/1"
    t_eq "$T/nvmev0-ns1-enable" 1 "$(get "$c/namespaces/1/enable")"
    pci=$(get "$c/pci")
    t_check "$T/nvmev0-pci-is-the-device" test -e "/sys/bus/pci/devices/$pci/nvme/${NVMEV_CTRL#/dev/}"
    t_eq "$T/extent-nvmev0" $MIB "$(extent_bytes nvmev0)"
    t_eq "$T/extent-nvmev0-1" $((POOL_SIZE - MIB)) "$(extent_bytes nvmev0/1)"
    t_eq "$T/extent-count" 2 "$(extent_count)"
    t_check "$T/rmmod" nvmev_unload
    t_check "$T/nothing-left" nvmev_gone
}
params_mode

unload_quietly
rm -f "$T_TMP"/cf.*
t_dmesg_clean $P/dmesg-clean
exit 0
