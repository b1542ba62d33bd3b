# shellcheck shell=bash
# Shared helpers for the VM scripts: repository paths and guest kernel choice.
# Source it; it defines functions and variables only.
#
# Guest kernels have names (NVMEV_KERNELS="6.1 6.12"):
#   6.1         Debian 12's installed kernel (/boot/vmlinuz-<K>, /lib/modules/<K>),
#               the newest one with headers; NVMEV_KVER=<K> picks another
#   <release>   an installed kernel by its release string, e.g. 6.1.0-57-amd64
#   <kit>       a kit in $NVMEV_CACHE/kernels/<kit>/: kver, vmlinuz,
#               modules/lib/modules/<kver>/, build (headers) and, when its
#               headers need another compiler, chroot (the root to build in).
#               6.12: scripts/kernel/trixie-6.12.sh (set up on demand);
#               6.1-debug: scripts/kernel/debug-6.1.sh (an hour; by hand)

NVMEV_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NVMEV_BUILD_DIR="${NVMEV_BUILD_DIR:-$NVMEV_ROOT/build}"
NVMEV_VM_DIR="$NVMEV_BUILD_DIR/vm"
# Built or downloaded once per machine, outside the clone: guest kernels.
NVMEV_CACHE="${NVMEV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nvmev}"

# Print the guest kernel version: $NVMEV_KVER if set, else the newest
# /lib/modules/* that has both headers (build/) and /boot/vmlinuz-<version>.
# Never the running kernel: the host kernel is not the one we boot.
nvmev_kernel_version() {
    if [ -n "${NVMEV_KVER:-}" ]; then
        if [ ! -e "/boot/vmlinuz-$NVMEV_KVER" ] || [ ! -d "/lib/modules/$NVMEV_KVER" ]; then
            echo "NVMEV_KVER=$NVMEV_KVER: /boot/vmlinuz-$NVMEV_KVER or /lib/modules/$NVMEV_KVER missing" >&2
            return 1
        fi
        echo "$NVMEV_KVER"
        return 0
    fi
    local dir kver found=""
    for dir in /lib/modules/*/; do
        kver=$(basename "$dir")
        if [ -d "$dir/build" ] && [ -e "/boot/vmlinuz-$kver" ]; then
            found+="$kver"$'\n'
        fi
    done
    if [ -z "$found" ]; then
        echo "no kernel with both /lib/modules/<K>/build and /boot/vmlinuz-<K>; run ./scripts/deps.sh" >&2
        return 1
    fi
    printf '%s' "$found" | sort -V | tail -n 1
}

nvmev_initramfs_path() {  # <kver>
    echo "$NVMEV_VM_DIR/initramfs-$1.cpio.gz"
}

# The kernels scripts/test.sh runs on: the first is the default kernel.
NVMEV_DEFAULT_KERNELS="6.1 6.12"

nvmev_kernel_names() {  # print NVMEV_KERNELS, else NVMEV_KVER, else the default
    if [ -n "${NVMEV_KERNELS:-}" ]; then
        echo "$NVMEV_KERNELS"
    elif [ -n "${NVMEV_KVER:-}" ]; then
        echo "$NVMEV_KVER"       # before NVMEV_KERNELS, this chose the one kernel
    else
        echo "$NVMEV_DEFAULT_KERNELS"
    fi
}

# The script that sets up kit <name>, if there is one.
nvmev_kit_script() {  # <name>
    case $1 in
        6.12) echo "$NVMEV_ROOT/scripts/kernel/trixie-6.12.sh" ;;
        6.1-debug) echo "$NVMEV_ROOT/scripts/kernel/debug-6.1.sh" ;;
        *) return 1 ;;
    esac
}

# Resolve a kernel name (see the top of this file; "" = the default
# installed kernel, as before kernels had names) and set:
#   NVMEV_K_NAME     the name
#   NVMEV_K_KVER     release string (uname -r in the guest)
#   NVMEV_K_IMAGE    kernel image to boot
#   NVMEV_K_MODROOT  root the modules are under (<root>/lib/modules/<kver>),
#                    for modprobe -d / depmod -b
#   NVMEV_K_BUILD    the tree to build external modules against
#   NVMEV_K_CHROOT   "" or the root to build in (NVMEV_K_BUILD is inside it)
#   NVMEV_K_SLOWDOWN how much slower the guest runs than a plain kernel
#                    (debug kernels: 8), to scale time limits
#   NVMEV_K_APPEND   guest kernel parameters this kernel needs in our VMs
# Prints one line and returns 1 when the kernel is not there.
# shellcheck disable=SC2034 # the NVMEV_K_* variables are for the caller
nvmev_kernel_resolve() {  # <name>
    local name=$1 kit kver script
    NVMEV_K_NAME=$name NVMEV_K_CHROOT="" NVMEV_K_SLOWDOWN=1 NVMEV_K_APPEND=""
    if [ -z "$name" ] || [ "$name" = 6.1 ] || [ -e "/boot/vmlinuz-$name" ]; then
        if [ -z "$name" ] || [ "$name" = 6.1 ]; then
            kver=$(nvmev_kernel_version) || return 1
            [ -n "$name" ] || NVMEV_K_NAME=6.1
        else
            kver=$name
        fi
        NVMEV_K_KVER=$kver
        NVMEV_K_IMAGE="/boot/vmlinuz-$kver"
        NVMEV_K_MODROOT=/
        NVMEV_K_BUILD="/lib/modules/$kver/build"
        [ -d "/lib/modules/$kver" ] || { echo "kernel $name: /lib/modules/$kver missing" >&2; return 1; }
        return 0
    fi
    kit="$NVMEV_CACHE/kernels/$name"
    if [ ! -f "$kit/kver" ] || [ ! -f "$kit/vmlinuz" ]; then
        local how="no such kit (kernels: 6.1, an installed release, or a kit in $NVMEV_CACHE/kernels/)"
        ! script=$(nvmev_kit_script "$name") || how="set it up with ${script#"$NVMEV_ROOT"/}"
        echo "kernel $name: $kit is missing or incomplete; $how" >&2
        return 1
    fi
    kver=$(cat "$kit/kver")
    NVMEV_K_KVER=$kver
    NVMEV_K_IMAGE="$kit/vmlinuz"
    NVMEV_K_MODROOT="$kit/modules"
    NVMEV_K_BUILD="$kit/build"
    [ ! -f "$kit/chroot" ] || NVMEV_K_CHROOT=$(cat "$kit/chroot")
    # KASAN + lockdep under TCG: boot 94 s instead of 8, 00-smoke 41 s instead of 5
    case $kver in *debug*) NVMEV_K_SLOWDOWN=8 ;; esac
    # 6.12 keeps the TSC under TCG (6.1 finds the vCPUs' TSCs unsynchronized
    # at boot and uses the HPET) and, late in boot, marks sched_clock
    # stable: it live-patches the sched_clock_stable static key while the
    # other vCPUs take timer interrupts through sched_clock_cpu(), and
    # multi-threaded TCG can execute the half-patched int3 there: "Oops:
    # int3" in interrupt, a panic 6 s into the boot (once in CI). A
    # watchdog verdict "TSC unstable" later patches the same key back.
    # tsc=unstable makes 6.12 boot like 6.1: the key is never switched.
    [ "$name" != 6.12 ] || NVMEV_K_APPEND="tsc=unstable"
    if [ ! -d "$NVMEV_K_MODROOT/lib/modules/$kver" ]; then
        echo "kernel $name: $NVMEV_K_MODROOT/lib/modules/$kver missing" >&2
        return 1
    fi
}

# Build nvmev.ko for the resolved kernel (nvmev_kernel_resolve) from a copy
# of the source in <dir>/src, so kernels never share object files, and
# leave it at <dir>/nvmev.ko. For a kit with a chroot the copy is made and
# built inside the chroot (plain chroot, no mounts to leave behind) and
# then removed. Extra arguments go to make (e.g. W=1).
nvmev_build_module() {  # <dir> [make args...]
    local dir=$1 src status=0
    shift
    rm -f "$dir/nvmev.ko"
    mkdir -p "$dir"
    if [ -n "$NVMEV_K_CHROOT" ]; then
        [ -d "$NVMEV_K_CHROOT" ] || { echo "chroot $NVMEV_K_CHROOT missing" >&2; return 1; }
        src=$(mktemp -d "$NVMEV_K_CHROOT/tmp/nvmev-src.XXXXXX")
    else
        src="$dir/src"
        rm -rf "$src"
        mkdir -p "$src"
    fi
    tar -C "$NVMEV_ROOT" --exclude=./build --exclude=./.git -cf - . | tar -C "$src" -xf -
    if [ -n "$NVMEV_K_CHROOT" ]; then
        local build
        build=$(readlink -f "$NVMEV_K_BUILD")
        chroot "$NVMEV_K_CHROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C \
            make -C "${src#"$NVMEV_K_CHROOT"}" -j"$(nproc)" KDIR="${build#"$NVMEV_K_CHROOT"}" "$@" || status=$?
    else
        make -C "$src" -j"$(nproc)" KDIR="$NVMEV_K_BUILD" "$@" || status=$?
    fi
    [ "$status" -ne 0 ] || cp "$src/nvmev.ko" "$dir/nvmev.ko" || status=$?
    [ -z "$NVMEV_K_CHROOT" ] || rm -rf "$src"
    return "$status"
}

# Debian 13 userland run on this Debian 12 host without entering the chroot
# (scripts/vm/trixie-tools.sh installs fio and QEMU there): the chroot's own
# dynamic loader, its libraries only (--inhibit-cache: never the host's
# ld.so.cache), so a trixie binary never picks up a Debian 12 library.
NVMEV_TRIXIE_CHROOT="$NVMEV_CACHE/chroot/trixie"

nvmev_trixie_run() {  # <binary in the chroot, full host path> [args...] | --list <binary>
    local lib="$NVMEV_TRIXIE_CHROOT/usr/lib/x86_64-linux-gnu"
    # ceph: librados's RUNPATH, which would otherwise be looked up on the host
    "$NVMEV_TRIXIE_CHROOT/usr/lib64/ld-linux-x86-64.so.2" --inhibit-cache \
        --library-path "$lib:$lib/ceph" "$@"
}

# Set NVMEV_QEMU_CMD to the command that runs QEMU <which>: "host" (Debian
# 12's, 7.2) or "trixie" (Debian 13's from the chroot, 10.0, which has FDP).
# For trixie: its own firmware (-L, looked up before QEMU's built-in paths,
# which are the host's) and modules (QEMU_MODULE_DIR).
# shellcheck disable=SC2034 # NVMEV_QEMU_CMD is for the caller
nvmev_qemu_command() {  # <host|trixie>
    local root=$NVMEV_TRIXIE_CHROOT dir
    case $1 in
        host | "")
            command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86_64 missing; run scripts/deps.sh" >&2; return 1; }
            NVMEV_QEMU_CMD=(qemu-system-x86_64) ;;
        trixie)
            if [ ! -x "$root/usr/bin/qemu-system-x86_64" ]; then
                echo "no Debian 13 QEMU in $root; set it up: scripts/vm/trixie-tools.sh" >&2
                return 1
            fi
            NVMEV_QEMU_CMD=(env "QEMU_MODULE_DIR=$root/usr/lib/x86_64-linux-gnu/qemu"
                "$root/usr/lib64/ld-linux-x86-64.so.2" --inhibit-cache
                --library-path "$root/usr/lib/x86_64-linux-gnu"
                "$root/usr/bin/qemu-system-x86_64")
            for dir in "$root/usr/share/qemu" "$root/usr/share/seabios" "$root/usr/lib/ipxe/qemu"; do
                [ ! -d "$dir" ] || NVMEV_QEMU_CMD+=(-L "$dir")
            done ;;
        *) echo "QEMU $1: use host or trixie" >&2; return 1 ;;
    esac
}
