# shellcheck shell=bash
# Shared helpers for the VM scripts: repository paths and guest kernel choice.
# Source it; it defines functions and variables only.

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
