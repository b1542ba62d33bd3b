#!/usr/bin/env bash
# Build Debian 12's kernel (linux-source-6.1) with the kernel's own checkers
# on, as a guest kernel for the test suite:
#   KASAN (generic, with vmalloc), lockdep (PROVE_LOCKING), DEBUG_ATOMIC_SLEEP,
#   DEBUG_LIST, DEBUG_OBJECTS, list and refcount checks,
# plus the drivers and file systems the suite uses (as modules, like Debian).
#
#   scripts/kernel/debug-6.1.sh            build once, then reuse
#   scripts/kernel/debug-6.1.sh --force    rebuild
#
# The result is a kernel kit (see scripts/kernel/README.md) in
#   ${NVMEV_CACHE:-~/.cache/nvmev}/kernels/6.1-debug/
# outside the clone, so a machine builds it once (about an hour on 2 cores).
# Run the suite on it with:  NVMEV_KERNELS=6.1-debug ./scripts/test.sh
set -euo pipefail

# shellcheck source=scripts/vm/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../vm/common.sh"

NAME=6.1-debug
KIT="$NVMEV_CACHE/kernels/$NAME"
SRC_TAR=/usr/src/linux-source-6.1.tar.xz
WORK="$NVMEV_CACHE/src/$NAME"
LOCALVERSION=-nvmev-debug

log() { printf 'debug-kernel: %s\n' "$*"; }
die() { log "$*" >&2; exit 1; }

# Options on top of x86_64_defconfig, close to Debian's own where the suite
# depends on it (HZ, preemption, devmem).  y: built in; m: a module the
# suite loads by name (the initramfs takes modules by name from the kit).
fragment() {
    cat <<'CFG'
# CONFIG_LOCALVERSION_AUTO is not set
CONFIG_MODULES=y
CONFIG_MODULE_UNLOAD=y
# CONFIG_MODULE_SIG is not set
CONFIG_MODULE_COMPRESS_NONE=y
CONFIG_PCI=y
CONFIG_PCI_MSI=y
CONFIG_PCI_IOV=y
CONFIG_HOTPLUG_PCI=y
CONFIG_BLK_DEV_NVME=m
CONFIG_NVME_CORE=m
CONFIG_NVME_MULTIPATH=y
# CONFIG_NVME_HWMON is not set
CONFIG_BLK_DEV_ZONED=y
CONFIG_BLK_DEV_NULL_BLK=m
CONFIG_BLK_DEV_RAM=m
CONFIG_BLK_DEV_LOOP=m
CONFIG_NVME_TCP=m
CONFIG_NVME_TARGET=m
CONFIG_NVME_TARGET_TCP=m
CONFIG_NVME_TARGET_LOOP=m
CONFIG_NVME_TARGET_PASSTHRU=y
CONFIG_MQ_IOSCHED_DEADLINE=y
CONFIG_CONFIGFS_FS=m
CONFIG_EXT4_FS=m
CONFIG_F2FS_FS=m
CONFIG_BTRFS_FS=m
CONFIG_XFS_FS=m
CONFIG_ZONEFS_FS=m
CONFIG_CRYPTO_CRC32C=m
CONFIG_CRYPTO_CRC32C_INTEL=m
CONFIG_LIBCRC32C=m
CONFIG_UIO=m
CONFIG_UIO_PCI_GENERIC=m
CONFIG_VFIO=m
CONFIG_VFIO_PCI=m
CONFIG_INTEL_IOMMU=y
CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y
CONFIG_IRQ_REMAP=y
CONFIG_X86_X2APIC=y
CONFIG_DEVMEM=y
CONFIG_STRICT_DEVMEM=y
CONFIG_IO_STRICT_DEVMEM=y
CONFIG_HZ_250=y
CONFIG_PREEMPT_VOLUNTARY=y
CONFIG_PREEMPT_DYNAMIC=y
CONFIG_SCHEDSTATS=y
CONFIG_DEBUG_FS=y
CONFIG_FTRACE=y
CONFIG_BLK_DEV_IO_TRACE=y
CONFIG_DEBUG_INFO_NONE=y
# CONFIG_DEBUG_INFO_BTF is not set
CONFIG_KASAN=y
CONFIG_KASAN_GENERIC=y
CONFIG_KASAN_OUTLINE=y
CONFIG_KASAN_VMALLOC=y
CONFIG_PROVE_LOCKING=y
CONFIG_DEBUG_ATOMIC_SLEEP=y
CONFIG_DEBUG_LIST=y
CONFIG_DEBUG_OBJECTS=y
CONFIG_DEBUG_OBJECTS_FREE=y
CONFIG_DEBUG_OBJECTS_TIMERS=y
CONFIG_DEBUG_OBJECTS_WORK=y
# CONFIG_DEBUG_KOBJECT_RELEASE is not set
# CONFIG_DEBUG_PAGEALLOC is not set
CONFIG_SLUB_DEBUG=y
# CONFIG_PANIC_ON_OOPS is not set
# CONFIG_WERROR is not set
CFG
}

main() {
    local force=0
    [ "${1:-}" != --force ] || force=1
    if [ "$force" = 0 ] && [ -f "$KIT/kver" ] && [ -f "$KIT/vmlinuz" ]; then
        log "already built: $KIT ($(cat "$KIT/kver"))"
        return 0
    fi
    [ -f "$SRC_TAR" ] || die "$SRC_TAR missing: apt-get install linux-source-6.1 (scripts/deps.sh installs it)"
    for tool in gcc make flex bison bc; do
        command -v "$tool" >/dev/null || die "$tool missing: run scripts/deps.sh"
    done
    rm -rf "$WORK" "$KIT"
    mkdir -p "$WORK" "$KIT"
    log "unpacking $SRC_TAR"
    tar -xJf "$SRC_TAR" -C "$WORK" --strip-components=1
    cd "$WORK"
    make -s x86_64_defconfig
    fragment >nvmev-debug.config
    ./scripts/kconfig/merge_config.sh -m .config nvmev-debug.config >/dev/null
    make -s olddefconfig LOCALVERSION="$LOCALVERSION"
    # every option of the fragment must have survived olddefconfig
    local line opt val missing=0
    while read -r line; do
        case $line in
            "# "*" is not set") opt=${line#\# }; opt=${opt%% *}; val=n ;;
            *) opt=${line%%=*}; val=${line#*=} ;;
        esac
        if [ "$val" = n ]; then
            grep -q "^$opt=" .config && { log "warning: $opt is set, wanted off"; missing=1; }
        else
            grep -q "^$opt=$val\$" .config || { log "warning: $opt is not $val"; missing=1; }
        fi
    done < nvmev-debug.config
    [ "$missing" = 0 ] || log "(options above were resolved differently by Kconfig)"
    log "building (nice, -j$(nproc)); this takes a while"
    nice -n 10 make -j"$(nproc)" LOCALVERSION="$LOCALVERSION" bzImage modules >build.log 2>&1 ||
        { tail -n 40 build.log; die "build failed; see $WORK/build.log"; }
    local kver
    kver=$(make -s kernelrelease LOCALVERSION="$LOCALVERSION")
    make -s LOCALVERSION="$LOCALVERSION" INSTALL_MOD_PATH="$KIT/modules" modules_install >/dev/null
    rm -f "$KIT/modules/lib/modules/$kver/build" "$KIT/modules/lib/modules/$kver/source"
    cp arch/x86/boot/bzImage "$KIT/vmlinuz"
    ln -s "$WORK" "$KIT/build"
    echo "$kver" >"$KIT/kver"
    log "built $kver: $KIT"
}

main "$@"
