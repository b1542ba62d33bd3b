#!/usr/bin/env bash
# Build the guest initramfs (cpio.gz) used by scripts/vm/run.sh.
#
#   scripts/vm/initramfs.sh [-o OUTPUT] [-K KERNEL | -k KVER] [-m NVMEV_KO] [-b BASE_KO]
#
# -K KERNEL: a kernel name as in scripts/vm/common.sh (6.1, 6.12, 6.1-debug,
# an installed release); -k KVER: an installed kernel by release (as before).
# Default: the default installed kernel. The modules come from that kernel
# (its kit's module tree for a kit).
#
# Contents: busybox (all applets), nvme-cli, fio, e2fsprogs, util-linux block
# tools, GNU dd, f2fs-tools, btrfs-progs and xfsprogs (mkfs.xfs, xfs_repair)
# with their shared libraries; the kernel modules the tests
# need (plus dependencies, depmod'ed for busybox modprobe); nvmev.ko at
# /lib/modules/nvmev.ko when it exists (and linked as
# /lib/modules/<release>/updates/nvmev.ko, in modules.dep); with -b, a second build of nvmev
# (another revision, for scripts/bench.sh --baseline) at
# /lib/modules/nvmev-base.ko; tests/vm/ at /tests;
# scripts/nvmevctl at /usr/bin/nvmevctl; nvmev-sim, nvmev-kv, nvme-raw,
# nvme-raw-identify, nvme-raw-bench, nvme-raw-fuzz, nvmev-replay and
# crashwork when built;
# and scripts/vm/guest-init.sh as
# /init.  Always rebuilt from scratch (a few seconds), so it can never be
# stale.
set -euo pipefail

# shellcheck source=scripts/vm/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Host binaries copied with their libraries (looked up in PATH + sbin dirs).
GUEST_BINARIES=(
    nvme fio dd
    mke2fs mkfs.ext4 e2fsck fsck.ext4 tune2fs dumpe2fs debugfs resize2fs
    blkdiscard blkzone blockdev lsblk losetup wipefs fstrim
    mkfs.f2fs fsck.f2fs mkfs.btrfs btrfs
    mkfs.xfs xfs_repair
)
# Modules loaded by /init at boot (with dependencies).
BOOT_MODULES=(configfs crc32c_generic ext4 nvme)
# Modules shipped but loaded by the tests themselves, with their own params.
# uio_pci_generic and vfio-pci: 99-bypass binds them to NVMe functions.
TEST_MODULES=(null_blk brd loop f2fs btrfs xfs zonefs uio_pci_generic vfio-pci)
# Shipped when the kernel has them (a note otherwise): NVMe over Fabrics,
# the kernel's target and its TCP host (62-fabrics; the debug kernel kit
# built before they were in its configuration has none).
OPTIONAL_TEST_MODULES=(nvmet nvmet-tcp nvme-fabrics nvme-tcp)

OUTPUT=""
KERNEL=""
KVER=""
MODROOT=/     # the modules are under $MODROOT/lib/modules/$KVER
NVMEV_KO="${NVMEV_KO:-$NVMEV_ROOT/nvmev.ko}"
BASE_KO=""
STAGE=""

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
    exit "${1:-0}"
}

die() { echo "initramfs: $*" >&2; exit 1; }

cleanup() { [ -z "$STAGE" ] || rm -rf "$STAGE"; }

parse_args() {
    while getopts "o:K:k:m:b:h" opt; do
        case "$opt" in
            o) OUTPUT=$OPTARG ;;
            K) KERNEL=$OPTARG ;;
            k) KERNEL=$OPTARG ;;   # an installed release is a kernel name too
            m) NVMEV_KO=$OPTARG ;;
            b) BASE_KO=$OPTARG ;;
            h) usage 0 ;;
            *) usage 2 ;;
        esac
    done
    nvmev_kernel_resolve "$KERNEL" || die "no kernel ${KERNEL:-(default)}"
    KVER=$NVMEV_K_KVER
    MODROOT=$NVMEV_K_MODROOT
    [ -n "$OUTPUT" ] || OUTPUT=$(nvmev_initramfs_path "$KVER")
}

# Copy a host file to the same path inside the stage, dereferencing symlinks.
# An existing entry (e.g. a busybox applet symlink) is replaced, never
# written through.
stage_file() {  # <absolute host path> [<path inside stage>]
    local src=$1 dst="$STAGE${2:-$1}"
    mkdir -p "$(dirname "$dst")"
    rm -f "$dst"
    cp -L "$src" "$dst"
}

# Mirror the host's merged-/usr layout (/bin -> usr/bin, ...) so copied paths
# stay valid, and create the mount points /init needs.
make_layout() {
    local dir
    mkdir -p "$STAGE"/usr/{bin,sbin,lib,lib64}
    for dir in bin sbin lib lib64; do
        if [ -L "/$dir" ]; then
            ln -s "$(readlink "/$dir")" "$STAGE/$dir"
        else
            mkdir -p "$STAGE/$dir"
        fi
    done
    mkdir -p "$STAGE"/{dev,proc,sys,tmp,run,root,etc/nvmev,mnt}
    ln -s /proc/mounts "$STAGE/etc/mtab"
    [ ! -e /etc/mke2fs.conf ] || stage_file /etc/mke2fs.conf
}

install_busybox() {
    local busybox applet
    busybox=$(command -v busybox) || die "busybox not found (apt-get install busybox-static)"
    [[ "$(ldd "$busybox" 2>&1 || true)" == *"not a dynamic"* ]] ||
        die "$busybox is not static (apt-get install busybox-static)"
    stage_file "$busybox" /usr/bin/busybox
    for applet in $("$busybox" --list); do
        [ "$applet" = busybox ] || ln -sf busybox "$STAGE/usr/bin/$applet"
    done
}

find_host_binary() {  # <name>
    PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" command -v "$1" ||
        die "host binary '$1' not found; run ./scripts/deps.sh"
}

# Print the shared libraries (and the dynamic loader) an ELF binary needs.
shared_libraries() {  # <binary>
    local out
    out=$(ldd "$1" 2>&1) || return 0          # static binary
    if grep -q 'not found' <<<"$out"; then
        die "$1: missing libraries: $(grep 'not found' <<<"$out" | tr -s ' \t\n' ' ')"
    fi
    awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$out"
}

install_binaries() {
    local name path lib
    declare -A seen_libs=()
    for name in "${GUEST_BINARIES[@]}"; do
        path=$(find_host_binary "$name")
        stage_file "$path"
        for lib in $(shared_libraries "$path"); do
            [ -n "${seen_libs[$lib]:-}" ] && continue
            seen_libs[$lib]=1
            stage_file "$lib"
        done
    done
}

# Module files (dependencies first) for the given module names.
module_files() {  # <module>...
    local mod
    for mod in "$@"; do
        modprobe -d "$MODROOT" -S "$KVER" --show-depends "$mod" ||
            die "modprobe --show-depends $mod failed for kernel $KVER (modules in $MODROOT)"
    done | awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++'
}

# Copy one module into the stage at its path below the module root,
# decompressing .ko.{xz,zst,gz}: busybox insmod/modprobe only read plain .ko
# files.
stage_module() {  # <host module path>
    local src=$1 dst
    dst="$STAGE${src#"${MODROOT%/}"}"
    dst="${dst%.xz}"; dst="${dst%.zst}"; dst="${dst%.gz}"
    mkdir -p "$(dirname "$dst")"
    case "$src" in
        *.ko.xz) xz -dc "$src" >"$dst" ;;
        *.ko.zst) zstd -qdc "$src" >"$dst" ;;
        *.ko.gz) gzip -dc "$src" >"$dst" ;;
        *.ko) cp "$src" "$dst" ;;
        *) die "unexpected module file $src" ;;
    esac
}

install_modules() {
    local moddir="${MODROOT%/}/lib/modules/$KVER" file mod optional=()
    for mod in "${OPTIONAL_TEST_MODULES[@]}"; do
        if modprobe -d "$MODROOT" -S "$KVER" --show-depends "$mod" >/dev/null 2>&1; then
            optional+=("$mod")
        else
            echo "initramfs: note: kernel $KVER has no module $mod (tests that need it say so)"
        fi
    done
    for file in $(module_files "${BOOT_MODULES[@]}" "${TEST_MODULES[@]}" "${optional[@]}"); do
        stage_module "$file"
    done
    for file in modules.order modules.builtin modules.builtin.modinfo; do
        [ ! -e "$moddir/$file" ] || stage_file "$moddir/$file" "/lib/modules/$KVER/$file"
    done
    depmod -b "$STAGE" "$KVER" || die "depmod -b $STAGE $KVER failed"
    for mod in "${BOOT_MODULES[@]}"; do echo "$mod"; done >"$STAGE/etc/nvmev/boot-modules"
}

install_nvmev_module() {
    if [ -f "$NVMEV_KO" ]; then
        stage_file "$NVMEV_KO" /lib/modules/nvmev.ko
        # where `make install` puts it, so `modprobe nvmev` finds it
        # (tests/vm/02-modprobe.sh); a link, the module is 6 MiB
        mkdir -p "$STAGE/lib/modules/$KVER/updates"
        ln -sfn ../../nvmev.ko "$STAGE/lib/modules/$KVER/updates/nvmev.ko"
        echo "initramfs: nvmev module: $NVMEV_KO"
    else
        echo "initramfs: note: $NVMEV_KO not found (run make); guest tests that load nvmev will fail"
    fi
    # Asked for explicitly, so a missing file is an error, not a note: the
    # benchmark would otherwise run without the build it was to compare.
    if [ -n "$BASE_KO" ]; then
        [ -f "$BASE_KO" ] || die "baseline module $BASE_KO not found"
        stage_file "$BASE_KO" /lib/modules/nvmev-base.ko
        echo "initramfs: nvmev baseline module: $BASE_KO"
    fi
}

# tools/<path> at /usr/bin/<its name> with its shared libraries, if built
install_built_tool() {  # <path under tools/>
    local path="$NVMEV_ROOT/tools/$1" lib
    [ -x "$path" ] || return 0
    stage_file "$path" "/usr/bin/${path##*/}"
    for lib in $(shared_libraries "$path"); do
        [ -e "$STAGE$lib" ] || stage_file "$lib"
    done
}

install_tests_and_init() {
    mkdir -p "$STAGE/tests"
    cp -r "$NVMEV_ROOT/tests/vm/." "$STAGE/tests/"
    cp "$NVMEV_ROOT/scripts/nvmevctl" "$STAGE/usr/bin/nvmevctl"
    chmod 755 "$STAGE/usr/bin/nvmevctl"
    # the simulator, when built (make -C tools/sim): the guest compares it
    # with the module on the same workload; it needs only libc
    if [ -x "$NVMEV_ROOT/tools/sim/build/nvmev-sim" ]; then
        stage_file "$NVMEV_ROOT/tools/sim/build/nvmev-sim" /usr/bin/nvmev-sim
    fi
    # the KV client, when built (make -C tools/kv): libc only
    if [ -x "$NVMEV_ROOT/tools/kv/build/nvmev-kv" ]; then
        stage_file "$NVMEV_ROOT/tools/kv/build/nvmev-kv" /usr/bin/nvmev-kv
    fi
    # the userspace NVMe driver tools, when built (make -C tools/nvme-raw)
    install_built_tool nvme-raw/build/nvme-raw
    install_built_tool nvme-raw/build/nvme-raw-identify
    install_built_tool nvme-raw/build/nvme-raw-bench
    install_built_tool nvme-raw/build/nvme-raw-fuzz
    # the trace replayer with placement directives (make -C tools/replay)
    install_built_tool replay/build/nvmev-replay
    # the crash-consistency workload and checker (make -C tools/crash)
    install_built_tool crash/build/crashwork
    cp "$NVMEV_ROOT/scripts/vm/guest-init.sh" "$STAGE/init"
    chmod 755 "$STAGE/init"
    echo "$KVER" >"$STAGE/etc/nvmev/kernel-version"
}

# newc cpio with sorted names, root ownership and fixed mtimes: the same
# inputs give the same archive.
pack() {
    local tmp="$OUTPUT.tmp"
    mkdir -p "$(dirname "$OUTPUT")"
    find "$STAGE" -exec touch -h -d @0 {} +
    (cd "$STAGE" && find . -print0 | LC_ALL=C sort -z |
        cpio --null --create --format=newc --reproducible --owner=0:0 --quiet) |
        gzip -n -1 >"$tmp"
    mv "$tmp" "$OUTPUT"
}

main() {
    parse_args "$@"
    local start=$SECONDS
    mkdir -p "$NVMEV_VM_DIR"
    STAGE=$(mktemp -d "$NVMEV_VM_DIR/initramfs-stage.XXXXXX")
    trap cleanup EXIT
    make_layout
    install_busybox
    install_binaries
    install_nvmev_module   # before install_modules' depmod, which indexes it
    install_modules
    install_tests_and_init
    pack
    echo "initramfs: $OUTPUT ($(du -h "$OUTPUT" | cut -f1), kernel $KVER, $((SECONDS - start)) s)"
}

main "$@"
