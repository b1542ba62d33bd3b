#!/bin/sh
# shellcheck shell=dash
# Module parameters: every bad value makes insmod fail with exactly one
# "nvmev: " line in the kernel log (per load attempt: busybox insmod makes
# two) that names the problem, and leaves
# nothing behind (module, /proc/iomem claim, PCI domain 10000, /dev/nvme*
# node, slab cache). Then valid loads work: a sub-range of the reserved RAM,
# the defaults, and a second insmod while loaded fails without harm.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=params
KO=$NVMEV_KO
GOOD_REGION="memmap_start=4G memmap_size=2G"
GOOD_CPUS="cpus=2,3"

dev_nodes() {
    echo /dev/nvme*
}

kmark() { t_kmsg_mark; }

# Lines starting with "nvmev: " since kmark, without the timestamps and
# without the kernel's one-time taint notices.
nvmev_lines() {
    t_kmsg_since | grep '^nvmev: ' |
        grep -vE 'taints kernel|module verification failed'
}

bad() {  # <tag> <keyword regex> <insmod params...>
    local tag=$1 kw=$2 lines n distinct nd
    shift 2
    kmark
    # shellcheck disable=SC2068 # the params are separate words
    if insmod "$KO" $@ >/tmp/pa.out 2>&1; then
        t_fail "$P/$tag/insmod-fails" "insmod $* succeeded"
        nvmev_unload >/dev/null 2>&1 || rmmod nvmev
        return
    fi
    t_pass "$P/$tag/insmod-fails"
    lines=$(nvmev_lines)
    n=$(printf '%s\n' "$lines" | grep -c '^nvmev: ')
    distinct=$(printf '%s\n' "$lines" | grep '^nvmev: ' | sort -u)
    nd=$(printf '%s\n' "$distinct" | grep -c '^nvmev: ')
    echo "## $tag ($*): $distinct"
    # busybox insmod calls finit_module and, when that fails, init_module
    # too: each attempt may print the (same) one line.
    if [ "$nd" -eq 1 ] && [ "$n" -le 2 ]; then
        t_pass "$P/$tag/one-error-line"
    else
        t_fail "$P/$tag/one-error-line" "$nd different lines ($n in all, busybox insmod tries twice) starting with 'nvmev: ': $(printf '%s\n' "$lines" | tr '\n' '|')"
    fi
    if printf '%s' "$lines" | grep -qiE "$kw"; then
        t_pass "$P/$tag/message-names-problem"
    else
        t_fail "$P/$tag/message-names-problem" "no /$kw/ in: $lines"
    fi
    t_check "$P/$tag/nothing-left" nvmev_gone
}

NVMEV_DEV_BEFORE=$(dev_nodes)
t_check $P/not-loaded-at-start nvmev_gone || rmmod nvmev 2>/dev/null

REGION_KW='memmap|reserv|System RAM|iomem'
# the region
bad no-memmap-start memmap_start "memmap_size=2G $GOOD_CPUS"
bad no-memmap-size memmap_size "memmap_start=4G $GOOD_CPUS"
bad memmap-size-0 memmap_size "memmap_start=4G memmap_size=0 $GOOD_CPUS"
bad memmap-start-0 memmap_start "memmap_start=0 memmap_size=2G $GOOD_CPUS"
bad memmap-start-xyz memmap_start "memmap_start=xyz memmap_size=2G $GOOD_CPUS"
bad memmap-size-2GB memmap_size "memmap_start=4G memmap_size=2GB $GOOD_CPUS"
bad memmap-size-3G-beyond-reserved "$REGION_KW" "memmap_start=4G memmap_size=3G $GOOD_CPUS"
bad memmap-4097M-2G-beyond-reserved "$REGION_KW" "memmap_start=4097M memmap_size=2G $GOOD_CPUS"
bad memmap-start-1G-system-ram "$REGION_KW" "memmap_start=1G memmap_size=2G $GOOD_CPUS"
bad memmap-start-3G-straddles "$REGION_KW" "memmap_start=3G memmap_size=2G $GOOD_CPUS"
bad memmap-start-misaligned '1M|align' "memmap_start=4194816K memmap_size=1G $GOOD_CPUS"
bad memmap-size-misaligned '1M|align' "memmap_start=4G memmap_size=1048577K $GOOD_CPUS"
bad memmap-start-64T "$REGION_KW|physical" "memmap_start=64T memmap_size=2G $GOOD_CPUS"
bad memmap-wraps-around "$REGION_KW|physical" "memmap_start=16777215T memmap_size=2T $GOOD_CPUS"
bad memmap-size-1M-too-small 'memmap_size|small' "memmap_start=4G memmap_size=1M $GOOD_CPUS"
# the CPUs
bad no-cpus cpus "$GOOD_REGION"
bad cpus-empty cpus "$GOOD_REGION cpus="
bad cpus-one 'cpus|two' "$GOOD_REGION cpus=2"
bad cpus-duplicate 'cpus|twice|duplicate' "$GOOD_REGION cpus=2,2"
bad cpus-overlapping-ranges 'cpus|twice|duplicate' "$GOOD_REGION cpus=1-3,2"
bad cpus-offline 'cpus|online' "$GOOD_REGION cpus=2,9"
bad cpus-huge 'cpus|online' "$GOOD_REGION cpus=2,4294967298"
bad cpus-letters cpus "$GOOD_REGION cpus=a,b"
bad cpus-reversed-range cpus "$GOOD_REGION cpus=3-2"
bad cpus-trailing-garbage cpus "$GOOD_REGION cpus=2,3x"
# the layout and the model
bad lba-size-1000 lba_size "$GOOD_REGION $GOOD_CPUS lba_size=1000"
bad lba-size-0 lba_size "$GOOD_REGION $GOOD_CPUS lba_size=0"
bad lba-size-abc lba_size "$GOOD_REGION $GOOD_CPUS lba_size=abc"
bad nr-io-units-0 nr_io_units "$GOOD_REGION $GOOD_CPUS nr_io_units=0"
bad nr-io-units-1000000 nr_io_units "$GOOD_REGION $GOOD_CPUS nr_io_units=1000000"
bad io-unit-shift-30 io_unit_shift "$GOOD_REGION $GOOD_CPUS io_unit_shift=30"
bad read-delay-negative read_delay "$GOOD_REGION $GOOD_CPUS read_delay=-1"
bad wipe-maybe wipe "$GOOD_REGION $GOOD_CPUS wipe=maybe"
bad idle-max-us-50 idle_max_us "$GOOD_REGION $GOOD_CPUS idle_max_us=50"
bad preset-nope 'preset|optane' "$GOOD_REGION $GOOD_CPUS preset=nope"

# ---- valid loads after all the failures
# a sub-range of the reserved RAM, 1M-aligned but not at its start
t_check $P/subrange-4097M-1G-insmod nvmev_load memmap_start=4097M memmap_size=1G &&
    {
        t_eq $P/subrange-size-bytes $((1023 * 1048576)) \
            "$(($(cat /sys/block/"${NVMEV_NS#/dev/}"/size) * 512))"
        t_check $P/subrange-rmmod nvmev_unload
        t_check $P/subrange-nothing-left nvmev_gone
    }

roundtrip() {
    head -c 1048576 /dev/urandom >/tmp/pa.pat &&
        /usr/bin/dd if=/tmp/pa.pat of="$NVMEV_NS" bs=64K oflag=direct 2>/dev/null &&
        /usr/bin/dd if="$NVMEV_NS" of=/tmp/pa.rd bs=64K count=16 iflag=direct 2>/dev/null &&
        [ "$(sha256sum </tmp/pa.pat)" = "$(sha256sum </tmp/pa.rd)" ]
}

if t_check $P/valid-insmod nvmev_load; then
    t_check $P/valid-roundtrip roundtrip
    kmark
    # shellcheck disable=SC2086
    t_expect_fail $P/second-insmod-fails insmod "$KO" $GOOD_REGION $GOOD_CPUS
    n=$(nvmev_lines | grep -vci 'already' )
    t_log "second insmod: $(tail -n 1 "$_t_output_file") / kernel: $(nvmev_lines | tr '\n' ' ')"
    t_eq $P/second-insmod-no-nvmev-errors 0 "$n"
    t_check $P/roundtrip-after-second-insmod roundtrip
    t_check $P/ctrl-still-live sh -c "[ \"\$(cat /sys/class/nvme/${NVMEV_CTRL#/dev/}/state)\" = live ]"
    t_check $P/valid-rmmod nvmev_unload
    t_check $P/valid-nothing-left nvmev_gone
fi
rm -f /tmp/pa.*

t_dmesg_clean $P/dmesg-clean
exit 0
