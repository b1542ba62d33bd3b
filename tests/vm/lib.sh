# shellcheck shell=dash
# Helpers for guest test scripts (busybox sh, not bash). Source it:
#     . /tests/lib.sh
#
# Every check prints exactly one console line (and mirrors it to the results
# port /dev/ttyS1, which the host reads without kernel log interleaving):
#     @@RESULT PASS <name>
#     @@RESULT FAIL <name>: <reason>
# Names are unique and hierarchical, e.g. smoke/insmod.  Checks return 0 on
# pass and 1 on failure, so a script can stop early:
#     t_check smoke/insmod nvmev_load || exit 0
# Do not use "set -e" in guest scripts, and end with status 0: a non-zero
# exit status is reported as the failure vm/<script>/exit-status.
#
# scripts/test.sh runs every tests/vm/NN-*.sh in name order, all in one VM
# boot. A script that needs a different VM declares it, e.g.
#     # nvmev-vm-args: --qemu-nvme 1G --mem 8G
# (scripts/vm/run.sh options) and gets a boot of its own.
#
# Checks:    t_pass, t_fail, t_check, t_expect_fail, t_eq, t_dmesg_clean
# Output:    t_log, t_emit (send a file to the host)
# Devices:   nvmev_load, nvmev_unload, nvme_find_device

T_RESULTS_PORT=${T_RESULTS_PORT:-/dev/ttyS1}
T_TMP=${TMPDIR:-/tmp}

# ---------------------------------------------------------------- results

# One line, no newlines/tabs, at most 400 characters.
_t_one_line() {
    printf '%s' "$*" | tr '\n\r\t' '   ' | cut -c1-400
}

_t_result() {  # <line>
    echo "$1"
    if [ -c "$T_RESULTS_PORT" ]; then
        echo "$1" >"$T_RESULTS_PORT"
    fi
}

t_log() {  # <message>: informational console line
    echo "## $*"
}

t_pass() {  # <name>
    _t_result "@@RESULT PASS $1"
    return 0
}

t_fail() {  # <name> <reason>
    _t_result "@@RESULT FAIL $1: $(_t_one_line "${2:-no reason given}")"
    return 1
}

# Run a command, capturing its output. Print the last lines on failure.
_t_run() {  # <cmd...>; sets _t_status and _t_output_file
    _t_output_file="$T_TMP/t_check.$$.log"
    "$@" >"$_t_output_file" 2>&1
    _t_status=$?
}

_t_output_tail() {  # <lines>
    tail -n "$1" "$_t_output_file" | tr '\n' '|' | sed 's/|$//; s/|/ | /g'
}

t_check() {  # <name> <cmd...>: pass iff the command exits 0
    local name=$1
    shift
    _t_run "$@"
    if [ "$_t_status" -eq 0 ]; then
        t_pass "$name"
        return 0
    fi
    echo "## output of failed check $name ($*):"
    tail -n 20 "$_t_output_file" | sed 's/^/##   /'
    t_fail "$name" "'$*' exited with status $_t_status: $(_t_output_tail 3)"
}

t_expect_fail() {  # <name> <cmd...>: pass iff the command exits non-zero
    local name=$1
    shift
    _t_run "$@"
    if [ "$_t_status" -ne 0 ]; then
        t_pass "$name"
        return 0
    fi
    t_fail "$name" "'$*' succeeded but was expected to fail: $(_t_output_tail 3)"
}

t_eq() {  # <name> <expected> <actual>
    if [ "$2" = "$3" ]; then
        t_pass "$1"
        return 0
    fi
    t_fail "$1" "expected '$2', got '$3'"
}

# ---------------------------------------------------------------- dmesg

# The whole kernel log: busybox's dmesg reads only the last 16 KiB unless
# told a size, and a long script's warning can be older than that.
t_klog_all() { dmesg -s 1048576; }

# Milliseconds since boot.
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

# Wait for <pid> at most <seconds>; 0 iff it ended (its status in WAIT_RC).
wait_for() {  # <pid> <seconds>
    local tries=$(($2 * 10))
    while kill -0 "$1" 2>/dev/null; do
        tries=$((tries - 1))
        [ $tries -gt 0 ] || return 1
        usleep 100000
    done
    wait "$1"
    # shellcheck disable=SC2034 # read by the scripts
    WAIT_RC=$?
    return 0
}

# A marker in the kernel log, so t_dmesg_clean only looks at what this
# script caused. Call t_dmesg_mark again to start a new window.
t_dmesg_mark() {
    T_DMESG_MARK="nvmev-test-mark:$$:$(cut -d' ' -f1 /proc/uptime)"
    echo "$T_DMESG_MARK" >/dev/kmsg 2>/dev/null || true
}

# Kernel log since the mark (all of it if the mark scrolled out).
t_dmesg_since_mark() {
    t_klog_all | awk -v mark="$T_DMESG_MARK" '
        { line[NR] = $0 }
        index($0, mark) { start = NR }
        END { for (i = start + 1; i <= NR; i++) print line[i] }'
}

# A second, short-lived mark for "what did the kernel say since this step":
# t_kmsg_mark before the step, t_kmsg_since after it (timestamps removed).
# Each echo opens /dev/kmsg anew, so its per-open rate limit never applies.
T_KMSG_N=0
t_kmsg_mark() {
    T_KMSG_N=$((T_KMSG_N + 1))
    T_KMSG_MARK="nvmev-step-mark:$$:$T_KMSG_N"
    echo "$T_KMSG_MARK" >/dev/kmsg
}

t_kmsg_since() {
    t_klog_all | awk -v m="$T_KMSG_MARK" 'f { print } index($0, m) { f = 1 }' |
        sed 's/^\[[^]]*\] //'
}

T_DMESG_BAD='WARNING:|BUG:|Oops|Call Trace|general protection'

t_dmesg_clean() {  # <name>: fail on kernel warnings/oopses since the mark
    local bad
    bad=$(t_dmesg_since_mark | grep -E "$T_DMESG_BAD")
    if [ -z "$bad" ]; then
        t_pass "$1"
        return 0
    fi
    echo "## kernel log problems for $1 (first 20 lines):"
    echo "$bad" | head -n 20 | sed 's/^/##   /'
    t_fail "$1" "$(echo "$bad" | wc -l) bad kernel log lines, first: $(echo "$bad" | head -n 1)"
}

# ---------------------------------------------------------------- files

# Send a file to the host over the results port. The host extracts it to
# build/vm/<vm name>.files/<name>. Text files are sent as they are (a missing
# final newline is added); anything else is base64-encoded.
t_emit() {  # <file> <name>
    local file=$1 name=$2 mode=text
    if [ ! -r "$file" ]; then
        echo "## t_emit: cannot read $file"
        return 1
    fi
    if [ ! -c "$T_RESULTS_PORT" ]; then
        echo "## t_emit: no results port $T_RESULTS_PORT; $name not sent"
        return 1
    fi
    if [ "$(tr -d '\11\12\15\40-\176' <"$file" | head -c 1 | wc -c)" -ne 0 ] ||
        grep -q '^@@' "$file"; then
        mode=base64
    fi
    {
        echo "@@EMIT-BEGIN $name $mode"
        if [ "$mode" = text ]; then
            cat "$file"
            [ -z "$(tail -c 1 "$file")" ] || echo
        else
            base64 "$file"
        fi
        echo "@@EMIT-END $name"
    } >"$T_RESULTS_PORT"
}

# ---------------------------------------------------------------- devices

NVMEV_KO=${NVMEV_KO:-/lib/modules/nvmev.ko}
NVMEV_MODEL_PATTERN=${NVMEV_MODEL_PATTERN:-nvmev}
NVMEV_CPUS=${NVMEV_CPUS:-2,3}
NVMEV_WAIT_SECONDS=${NVMEV_WAIT_SECONDS:-10}

# Reserved memory from the kernel's memmap=<size>$<start> (run.sh default
# 2G$4G) unless NVMEV_MEMMAP_SIZE / NVMEV_MEMMAP_START are already set.
_nvmev_memmap_defaults() {
    local arg cmdline memmap=""
    read -r cmdline </proc/cmdline
    for arg in $cmdline; do
        case "$arg" in
            memmap=*\$*) memmap=${arg#memmap=} ;;
        esac
    done
    NVMEV_MEMMAP_SIZE=${NVMEV_MEMMAP_SIZE:-${memmap%\$*}}
    NVMEV_MEMMAP_START=${NVMEV_MEMMAP_START:-${memmap#*\$}}
    NVMEV_MEMMAP_SIZE=${NVMEV_MEMMAP_SIZE:-2G}
    NVMEV_MEMMAP_START=${NVMEV_MEMMAP_START:-4G}
}

# The block device of namespace 1 of controller <nvmeX>: nvmeXn1, or with
# native multipath (Debian's default) the head node nvmeYn1 of path nvmeYcXn1.
# Namespace 1 by its NSID (sysfs nsid), not by the name's n1: names number
# namespaces in the order the host found them.
_nvme_ctrl_namespace() {  # <ctrl name>
    local entry name
    for entry in /sys/class/nvme/"$1"/nvme*n[0-9]*; do
        [ -e "$entry" ] || continue
        if [ -r "$entry/nsid" ]; then
            [ "$(cat "$entry/nsid")" = 1 ] || continue
        else
            case $entry in *n1) ;; *) continue ;; esac
        fi
        name=${entry##*/}
        echo "$name" | sed 's/^\(nvme[0-9]*\)c[0-9]*\(n[0-9]*\)$/\1\2/'
        return 0
    done
    return 1
}

# Find a controller whose model matches <pattern> (case-insensitive) and
# whose namespace 1 has a device node. Sets and exports NVMEV_CTRL and
# NVMEV_NS (e.g. /dev/nvme1, /dev/nvme1n1). Never assumes nvme0: QEMU's own
# NVMe device may be present too.
nvme_find_device() {  # <model pattern>
    local dir ctrl ns
    for dir in /sys/class/nvme/nvme*; do
        [ -r "$dir/model" ] || continue
        grep -qi -- "$1" "$dir/model" || continue
        ctrl=${dir##*/}
        ns=$(_nvme_ctrl_namespace "$ctrl") || continue
        if [ ! -c "/dev/$ctrl" ] || [ ! -b "/dev/$ns" ]; then
            continue
        fi
        NVMEV_CTRL=/dev/$ctrl
        NVMEV_NS=/dev/$ns
        export NVMEV_CTRL NVMEV_NS
        return 0
    done
    return 1
}

# Bind the nvme driver to PCI function <bdf> again and print the block
# device of its namespace 1 once it is there (20 s); 1 if it does not come.
nvme_pci_rebind() {  # <bdf>
    local tries=100 e ns
    echo "$1" >/sys/bus/pci/drivers/nvme/bind || return 1
    while [ $tries -gt 0 ]; do
        for e in /sys/bus/pci/devices/"$1"/nvme/nvme*; do
            [ -e "$e" ] || continue
            ns=$(_nvme_ctrl_namespace "${e##*/}") || continue
            [ -b "/dev/$ns" ] && echo "/dev/$ns" && return 0
        done
        usleep 200000
        tries=$((tries - 1))
    done
    return 1
}

nvme_wait_device() {  # <model pattern> [seconds]
    local tries=$((${2:-$NVMEV_WAIT_SECONDS} * 5))
    while [ "$tries" -gt 0 ]; do
        nvme_find_device "$1" && return 0
        usleep 200000
        tries=$((tries - 1))
    done
    echo "## no NVMe controller with model matching '$1' and a namespace node after ${2:-$NVMEV_WAIT_SECONDS} s"
    echo "## controllers: $(cat /sys/class/nvme/*/model 2>/dev/null | tr -s ' \n' ' ')"
    return 1
}

_nvmev_has_param() {  # <key> <params...>
    local key=$1 arg
    shift
    for arg in "$@"; do
        case "$arg" in "$key"=*) return 0 ;; esac
    done
    return 1
}

# insmod nvmev with default memmap_start/memmap_size/cpus (each replaced when
# given in the arguments), then wait for its controller and namespace.
# ---------------------------------------------------------------- nvme-cli

# Run an nvme-cli command; sets RC (exit code), ST (0x0 on success, the
# printed status such as 0x4002 on an NVMe error, "rc=N: <message>"
# otherwise) and RES (command dword 0 as printed by the passthru
# commands).  The command's stdout and stderr stay in $T_OUT and $T_ERR.
T_OUT=$T_TMP/nvme.out
T_ERR=$T_TMP/nvme.err
nvme_run() {
    "$@" >"$T_OUT" 2>"$T_ERR" </dev/null
    RC=$?
    RES=$(sed -n 's/.* is Success and result: \(0x[0-9a-fA-F]*\).*/\1/p' "$T_ERR" | tail -n 1)
    ST=$(cat "$T_ERR" "$T_OUT" 2>/dev/null |
        sed -n 's/^NVMe status: .*(\(0x[0-9a-fA-F]*\))$/\1/p' | head -n 1)
    if [ -z "$ST" ]; then
        if [ "$RC" -eq 0 ]; then
            ST=0x0
        else
            ST="rc=$RC: $(head -c 160 "$T_ERR" | tr '\n' ' ')"
        fi
    fi
}

# Linux 6.12 refuses Set Features passthrough of the features its nvme
# driver manages itself, with EACCES before the command reaches the device
# (drivers/nvme/host/ioctl.c, nvme_cmd_allowed()): Number of Queues (07h),
# Autonomous Power State Transition (0Ch), Host Memory Buffer (0Dh), Keep
# Alive Timer (0Fh) and Host Behavior Support (16h); 6.1 passes them on.
# Succeeds iff <status> (ST of nvme_run, or the fuzzer's) is that refusal
# for a Set Features of <fid> (cdw10, only its low byte counts): then the
# device's answer cannot be observed on this kernel.
nvme_host_refused_setf() {  # <fid or cdw10> <status>
    case $(($1 & 0xff)) in
        7 | 12 | 13 | 15 | 22) ;;
        *) return 1 ;;
    esac
    case $2 in
        "rc="*"Permission denied"*) return 0 ;;
    esac
    return 1
}

nvmev_load() {  # [param=value...]
    local defaults="" key value
    if [ ! -f "$NVMEV_KO" ]; then
        echo "## $NVMEV_KO is missing: build the module (make) and rebuild the initramfs"
        return 1
    fi
    _nvmev_memmap_defaults
    for key in memmap_start memmap_size cpus; do
        _nvmev_has_param "$key" "$@" && continue
        case "$key" in
            memmap_start) value=$NVMEV_MEMMAP_START ;;
            memmap_size) value=$NVMEV_MEMMAP_SIZE ;;
            cpus) value=$NVMEV_CPUS ;;
        esac
        defaults="$defaults $key=$value"
    done
    echo "## insmod $NVMEV_KO$defaults $*"
    # shellcheck disable=SC2086 # $defaults is a list of key=value words
    if ! insmod "$NVMEV_KO" $defaults "$@"; then
        echo "## insmod nvmev failed; last kernel messages:"
        dmesg | tail -n 20 | sed 's/^/##   /'
        return 1
    fi
    nvme_wait_device "$NVMEV_MODEL_PATTERN"
}

# PCI functions in the virtual domains nvmev creates (10000 and up).
nvmev_pci_devs() {
    local d out=""
    for d in /sys/bus/pci/devices/1????:*; do
        [ -e "$d" ] && out="$out ${d##*/}"
    done
    echo "${out# }"
}

# Nothing of nvmev is left: module, /proc/iomem claims, PCI functions, slab
# cache, configfs directory and, when NVMEV_DEV_BEFORE holds the output of
# "echo /dev/nvme*" from before, no new device node.  Prints what is left.
nvmev_gone() {
    local left=""
    grep -q '^nvmev ' /proc/modules && left="$left module loaded;"
    grep -qi nvmev /proc/iomem &&
        left="$left /proc/iomem: $(grep -i nvmev /proc/iomem | tr -s ' \n' ' ');"
    [ -z "$(nvmev_pci_devs)" ] || left="$left PCI: $(nvmev_pci_devs);"
    grep -q '^nvmev' /proc/slabinfo &&
        left="$left slab $(grep '^nvmev' /proc/slabinfo | cut -d' ' -f1);"
    [ -e /sys/kernel/config/nvmev ] && left="$left configfs nvmev;"
    if [ -n "${NVMEV_DEV_BEFORE+set}" ] && [ "$(echo /dev/nvme*)" != "$NVMEV_DEV_BEFORE" ]; then
        left="$left /dev nodes now: $(echo /dev/nvme*);"
    fi
    [ -z "$left" ] && return 0
    echo "left behind:$left"
    return 1
}

# rmmod nvmev and wait until its device nodes are gone.
nvmev_unload() {
    local tries=$((NVMEV_WAIT_SECONDS * 5)) left node
    if ! rmmod nvmev; then
        echo "## rmmod nvmev failed; last kernel messages:"
        dmesg | tail -n 20 | sed 's/^/##   /'
        return 1
    fi
    while [ "$tries" -gt 0 ]; do
        left=""
        for node in ${NVMEV_CTRL:-} ${NVMEV_NS:-}; do
            [ -e "$node" ] && left="$left $node"
        done
        [ -z "$left" ] && ! nvme_find_device "$NVMEV_MODEL_PATTERN" && return 0
        usleep 200000
        tries=$((tries - 1))
    done
    echo "## device nodes still present ${NVMEV_WAIT_SECONDS} s after rmmod nvmev:$left"
    return 1
}

# ---------------------------------------------------------------- raw data

# Numbers out of binary data: <file> <offset> -> unsigned decimal (little endian)
u8() { od -An -v -tu1 -j "$2" -N 1 "$1" | tr -d ' \n'; }
u16() { od -An -v -tu2 -j "$2" -N 2 "$1" | tr -d ' \n'; }
u32() { od -An -v -tu4 -j "$2" -N 4 "$1" | tr -d ' \n'; }
u64() { od -An -v -tu8 -j "$2" -N 8 "$1" | tr -d ' \n'; }
hexbytes() { od -An -v -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n'; }  # <file> <off> <len>
is_zero() { [ -s "$1" ] && [ -z "$(tr -d '\000' <"$1" | head -c 1)" ]; }  # non-empty, all zero

# ---------------------------------------------------------------- nvme-raw

# One nvme-raw (tools/nvme-raw) session fed statement by statement through
# a FIFO on fd 3, so that a test can act between statements; its output in
# $RAW_OUT, "echo == <mark>" statements placing marks in it.
raw_start() {  # <nvme-raw> <bdf> <dir>
    # a nvme-raw that stops must fail checks, not kill the script with
    # SIGPIPE before it binds the driver again and unloads
    trap '' PIPE
    rm -f "$3/fifo"
    mkfifo "$3/fifo"
    RAW_OUT=$3/out
    "$1" "$2" "$3/fifo" >"$RAW_OUT" 2>&1 &
    RAW=$!
    RAW_MARK=0
    exec 3>"$3/fifo"
}
raw_say() { echo "$*" >&3; }
raw_seen() { grep -q "^== $1\$" "$RAW_OUT"; }
raw_wait_mark() {  # <mark> <seconds>: until the session printed "== <mark>"
    local tries=$(($2 * 10))
    while ! raw_seen "$1" && [ $tries -gt 0 ]; do
        kill -0 "$RAW" 2>/dev/null || return 1
        usleep 100000
        tries=$((tries - 1))
    done
    raw_seen "$1"
}
raw_sync() {  # until everything said so far has run
    RAW_MARK=$((RAW_MARK + 1))
    raw_say "echo == sync$RAW_MARK"
    raw_wait_mark "sync$RAW_MARK" 60
}
raw_stop() {  # close the FIFO and wait for the session: its exit status
    exec 3>&-
    wait "$RAW"
}
# The status printed for the command after "echo == <mark>" (an AER: its line)
raw_status_at() {  # <mark> [output, default $RAW_OUT]
    awk -v m="== $1" '$0 == m { f = 1; next }
        f && /^status=/ { sub(/^status=/, ""); print $1; exit }
        f && /^aer / { print; exit }' "${2:-$RAW_OUT}"
}
# The line printed after "echo == <mark>"
raw_line_at() {  # <mark> [output, default $RAW_OUT]
    awk -v m="== $1" '$0 == m { getline; print; exit }' "${2:-$RAW_OUT}"
}

# ---------------------------------------------------------------- configfs

NV=/sys/kernel/config/nvmev

nv_configfs_mount() {
    [ -d /sys/kernel/config ] && ! grep -q ' /sys/kernel/config ' /proc/mounts &&
        mount -t configfs none /sys/kernel/config
    return 0
}

# Block device of namespace <nsid> of configfs controller <name>.
nv_ns_dev() {  # <ctrl> <nsid>
    local pci ctrl="" e n
    pci=$(cat "$NV/$1/pci" 2>/dev/null)
    [ -n "$pci" ] || return 1
    for e in /sys/bus/pci/devices/"$pci"/nvme/nvme*; do
        [ -e "$e" ] && ctrl=${e##*/}
    done
    [ -n "$ctrl" ] || return 1
    for e in /sys/class/nvme/"$ctrl"/nvme*n*; do
        [ -e "$e/nsid" ] || continue
        [ "$(cat "$e/nsid")" = "$2" ] || continue
        n=$(echo "${e##*/}" | sed 's/^\(nvme[0-9]*\)c[0-9]*\(n[0-9]*\)$/\1\2/')
        [ -b "/dev/$n" ] && echo "/dev/$n" && return 0
    done
    return 1
}

nv_wait_dev() {  # <ctrl> <nsid> [seconds]: print the block device once it is there
    local tries=$((${3:-20} * 5))
    while [ $tries -gt 0 ]; do
        nv_ns_dev "$1" "$2" && return 0
        usleep 200000
        tries=$((tries - 1))
    done
    return 1
}

# The controller node /dev/nvmeX of configfs controller <name> (its
# current instance), once it is there.
nv_wait_cdev() {  # <ctrl> [seconds]
    local tries=$((${2:-20} * 5)) pci e
    while [ $tries -gt 0 ]; do
        pci=$(cat "$NV/$1/pci" 2>/dev/null)
        for e in /sys/bus/pci/devices/"$pci"/nvme/nvme*; do
            [ -n "$pci" ] && [ -e "$e" ] && [ -c "/dev/${e##*/}" ] &&
                echo "/dev/${e##*/}" && return 0
        done
        usleep 200000
        tries=$((tries - 1))
    done
    return 1
}

# Namespace <nsid> of configfs controller <ctrl> has no block device.
nv_wait_no_dev() {  # <ctrl> <nsid> [seconds]
    local tries=$((${3:-15} * 5))
    while [ "$tries" -gt 0 ]; do
        nv_ns_dev "$1" "$2" >/dev/null || return 0
        usleep 200000
        tries=$((tries - 1))
    done
    return 1
}

# The generic char device (/dev/ngXnY) of the first namespace of configfs
# controller <name>, once it is there (20 s): namespaces of command sets
# without a block driver (KV) have only this.
nv_wait_ng() {  # <ctrl>
    local tries=100 pci e
    while [ $tries -gt 0 ]; do
        pci=$(cat "$NV/$1/pci" 2>/dev/null)
        for e in /sys/bus/pci/devices/"$pci"/nvme/nvme*/ng*n*; do
            [ -e "$e" ] && [ -c "/dev/${e##*/}" ] && echo "/dev/${e##*/}" && return 0
        done
        usleep 200000
        tries=$((tries - 1))
    done
    return 1
}

nv_stat() {  # <ctrl>/<nsid> <key>: a number from the namespace stats (0 if missing)
    local v
    v=$(sed -n "s/^$2 //p" "$NV/${1%/*}/namespaces/${1#*/}/stats" 2>/dev/null)
    echo "${v:-0}"
}

# <ctrl> <nsid> <size> <preset> [attr=value...]: namespace made and enabled
nv_mkns() {
    local c=$1 n=$2 d="$NV/$1/namespaces/$2" kv
    mkdir "$d" && echo "$4" >"$d/preset" && echo "$3" >"$d/size" || return 1
    shift 4
    for kv in "$@"; do
        echo "${kv#*=}" >"$d/${kv%%=*}" || { echo "## $c/$n: ${kv%%=*} refused"; return 1; }
    done
    echo 1 >"$d/enable"
}

# Remove configfs controllers and their namespaces.
nv_rmctrl() {  # <ctrl>...
    local c n
    for c in "$@"; do
        for n in "$NV/$c"/namespaces/*; do
            [ -d "$n" ] && rmdir "$n"
        done
        rmdir "$NV/$c"
    done
}

t_dmesg_mark
