#!/usr/bin/env bash
# Install every Debian package needed to build nvmev and run its test suite
# (QEMU guest kernel + headers, guest userland for the initramfs, build tools).
# Idempotent: when everything is already installed it only runs one dpkg query.
#   scripts/deps.sh                  the Debian 12 packages
#   scripts/deps.sh --trixie-tools   also Debian 13's fio and QEMU for FDP
#                                    testing (scripts/vm/trixie-tools.sh;
#                                    about 50 MiB the first time)
set -euo pipefail

PACKAGES=(
    # build the kernel module
    gcc make bc libelf-dev sparse kmod linux-headers-amd64 linux-source-6.1
    # package it (tests/pkg/test.sh: dkms against the installed headers)
    dkms
    # build the debug guest kernel (scripts/kernel/debug-6.1.sh)
    flex bison libssl-dev
    # the kernel booted in the guest, and the VM itself
    linux-image-amd64 qemu-system-x86 qemu-system-data
    # a Debian 13 chroot for the 6.12 guest kernel (scripts/kernel/trixie-6.12.sh)
    debootstrap
    # initramfs construction and guest userland
    busybox-static cpio gzip xz-utils nvme-cli fio e2fsprogs util-linux
    f2fs-tools btrfs-progs xfsprogs
    # host-side helpers (unit tests, result processing)
    python3
)

log() { printf 'deps: %s\n' "$*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        log "need root to run: $* (run as root or install sudo)" >&2
        exit 1
    fi
}

missing_packages() {
    local pkg status
    for pkg in "${PACKAGES[@]}"; do
        status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
        [ "$status" = "install ok installed" ] || printf '%s\n' "$pkg"
    done
}

apt_failed() {
    log "apt-get failed; last lines of $1:" >&2
    tail -n 30 "$1" >&2
    exit 1
}

main() {
    local trixie_tools=0
    case "${1:-}" in
        "") ;;
        --trixie-tools) trixie_tools=1 ;;
        *) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 2 ;;
    esac
    install_packages
    [ "$trixie_tools" = 0 ] || as_root "$(dirname "${BASH_SOURCE[0]}")/vm/trixie-tools.sh"
}

install_packages() {
    local missing
    mapfile -t missing < <(missing_packages)
    if [ "${#missing[@]}" -eq 0 ]; then
        log "all ${#PACKAGES[@]} packages already installed"
        return 0
    fi
    log "installing: ${missing[*]}"
    local apt_log
    apt_log=$(mktemp /tmp/nvmev-deps.XXXXXX.log)
    log "apt-get update"
    as_root apt-get update -qq >"$apt_log" 2>&1 || apt_failed "$apt_log"
    log "apt-get install (installing linux-image-amd64 can take a few minutes)"
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" \
        >>"$apt_log" 2>&1 || apt_failed "$apt_log"
    rm -f "$apt_log"
    mapfile -t missing < <(missing_packages)
    if [ "${#missing[@]}" -ne 0 ]; then
        log "still missing after install: ${missing[*]}" >&2
        exit 1
    fi
    log "done"
}

main "$@"
