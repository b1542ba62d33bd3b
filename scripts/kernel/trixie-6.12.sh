#!/usr/bin/env bash
# Set up Debian 13's kernel (6.12) as a guest kernel kit for the test suite:
#   a Debian 13 (trixie) chroot to build nvmev.ko in (its headers need
#   gcc-14, which Debian 12 does not have), and the kit `6.12`:
#     kver      the release string, e.g. 6.12.48+deb13-amd64
#     vmlinuz   the kernel image (from linux-image-<kver>)
#     modules/  its modules, modules/lib/modules/<kver>/ (depmod'ed)
#     build     -> <chroot>/usr/src/linux-headers-<kver> (only valid in the chroot)
#     chroot    the chroot's path: nvmev.ko for this kit is built inside it
#
#   scripts/kernel/trixie-6.12.sh            set up once, then reuse (~1 s)
#   scripts/kernel/trixie-6.12.sh --force    download and set up again
#
# Both live outside the clone, in ${NVMEV_CACHE:-~/.cache/nvmev}/
# (chroot/trixie/, kernels/6.12/), so a machine sets them up once. The
# packages come from the Debian mirror apt is configured with
# (NVMEV_DEBIAN_MIRROR=<url> to choose another). Needs root and debootstrap
# (scripts/deps.sh installs it). The guest userland stays Debian 12's.
# Run the suite on it with:  NVMEV_KERNELS=6.12 ./scripts/test.sh
set -euo pipefail

# shellcheck source=scripts/vm/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../vm/common.sh"

NAME=6.12
SUITE=trixie
KIT="$NVMEV_CACHE/kernels/$NAME"
CHROOT="$NVMEV_CACHE/chroot/$SUITE"
# what debootstrap adds to minbase: a kernel module build (W=1 needs perl)
INCLUDE=gcc-14,make,libc6-dev,libelf-dev,bc,flex,bison,kmod,dwarves,perl,xz-utils
# the kernel packages, by their unversioned names; apt resolves the version
META_IMAGE=linux-image-amd64
META_HEADERS=linux-headers-amd64

log() { printf 'trixie-6.12: %s\n' "$*"; }
die() { log "$*" >&2; exit 1; }

# The Debian archive apt already uses (its main suite, not -security):
# the same registry, another suite.
debian_mirror() {
    if [ -n "${NVMEV_DEBIAN_MIRROR:-}" ]; then
        echo "$NVMEV_DEBIAN_MIRROR"
        return
    fi
    local uri
    # shellcheck disable=SC2016 # $(...) are apt's own format fields
    uri=$(apt-get indextargets --format '$(REPO_URI) $(ORIGIN) $(RELEASE)' 2>/dev/null |
        awk '$2 == "Debian" && $3 !~ /-(security|updates|backports)$/ { print $1; exit }')
    if [ -z "$uri" ]; then
        # no apt lists yet: the first plain Debian URI in the sources files
        uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
            grep -oE '(https?|file)://[^ ]*/debian/?( |$)' | head -n 1 | tr -d ' ') || true
    fi
    [ -n "$uri" ] || die "no Debian mirror found in the apt configuration; set NVMEV_DEBIAN_MIRROR=<url>"
    echo "${uri%/}"
}

# Device nodes a compiler needs (/dev/null above all), made in place so that
# no bind mount can be left behind.
ensure_devices() {  # <root>
    local node major minor
    for node in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9; do
        IFS=: read -r node major minor <<<"$node"
        [ -c "$1/dev/$node" ] || { rm -f "$1/dev/$node"; mknod -m 666 "$1/dev/$node" c "$major" "$minor"; }
    done
}

# debootstrap into a temporary directory and rename it when complete, so an
# interrupted run leaves nothing that looks usable.
make_chroot() {
    local mirror=$1 tmp="$CHROOT.tmp" start=$SECONDS
    command -v debootstrap >/dev/null || die "debootstrap missing: run scripts/deps.sh"
    rm -rf "$tmp"
    mkdir -p "$(dirname "$CHROOT")"
    log "debootstrap $SUITE from $mirror (a few minutes; log: $tmp.log)"
    if ! debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$tmp" "$mirror" >"$tmp.log" 2>&1; then
        tail -n 20 "$tmp.log" >&2
        rm -rf "$tmp"
        die "debootstrap failed; see $tmp.log"
    fi
    echo "deb $mirror $SUITE main" >"$tmp/etc/apt/sources.list"
    ensure_devices "$tmp"
    rm -rf "$CHROOT"
    mv "$tmp" "$CHROOT"
    rm -f "$tmp.log"
    log "chroot ready in $((SECONDS - start)) s: $CHROOT"
}

in_chroot() { chroot "$CHROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C "$@"; }

# The versioned package a metapackage depends on, e.g. linux-image-6.12.48+deb13-amd64.
versioned_package() {  # <metapackage> <prefix>
    in_chroot apt-cache depends "$1" | awk -v p="$2" '$1 == "Depends:" && index($2, p) == 1 { print $2; exit }'
}

# Download the kernel image and headers into the chroot's /root/debs and
# unpack them: the headers into the chroot itself (their symlinks point at
# the -common package and linux-kbuild there), the image into the kit.
make_kit() {
    local image headers kver pkgs deb tmp="$KIT.tmp" start=$SECONDS
    log "apt-get update in the chroot"
    in_chroot apt-get update -qq >/dev/null || die "apt-get update failed in $CHROOT"
    image=$(versioned_package "$META_IMAGE" linux-image-6.12) || true
    headers=$(versioned_package "$META_HEADERS" linux-headers-6.12) || true
    if [ -z "$image" ] || [ -z "$headers" ]; then
        die "$SUITE has no linux-image-6.12*/linux-headers-6.12* behind $META_IMAGE/$META_HEADERS"
    fi
    kver=${image#linux-image-}
    # headers-<kver> depends on headers-<ver>-common and linux-kbuild-6.12*
    mapfile -t pkgs < <(in_chroot apt-cache depends "$headers" |
        awk '$1 == "Depends:" && ($2 ~ /^linux-headers-6\.12.*-common$/ || $2 ~ /^linux-kbuild-6\.12/) { print $2 }' | sort -u)
    [ "${#pkgs[@]}" -eq 2 ] || die "unexpected dependencies of $headers: ${pkgs[*]:-none}"
    log "downloading $image $headers ${pkgs[*]}"
    rm -rf "$CHROOT/root/debs"
    mkdir -p "$CHROOT/root/debs"
    in_chroot sh -c "cd /root/debs && apt-get download -qq -o APT::Sandbox::User=root $image $headers ${pkgs[*]}" ||
        die "apt-get download failed in $CHROOT"
    for deb in "$CHROOT"/root/debs/linux-{headers,kbuild}-*.deb; do
        dpkg -x "$deb" "$CHROOT"
    done
    [ -f "$CHROOT/usr/src/linux-headers-$kver/Makefile" ] || die "no /usr/src/linux-headers-$kver in $CHROOT after unpacking"

    rm -rf "$tmp"
    mkdir -p "$tmp/unpacked"
    dpkg -x "$CHROOT"/root/debs/"$image"_*.deb "$tmp/unpacked"
    # trixie ships modules under /usr/lib/modules; the kit keeps lib/modules
    local moddir
    for moddir in "$tmp/unpacked/usr/lib/modules/$kver" "$tmp/unpacked/lib/modules/$kver"; do
        [ -d "$moddir" ] && break
    done
    [ -d "$moddir" ] || die "$image has no lib/modules/$kver"
    mkdir -p "$tmp/modules/lib/modules"
    mv "$moddir" "$tmp/modules/lib/modules/$kver"
    cp "$tmp/unpacked/boot/vmlinuz-$kver" "$tmp/vmlinuz"
    rm -rf "$tmp/unpacked" "$CHROOT/root/debs"
    # the package's postinst would run depmod; the initramfs needs modules.dep
    depmod -b "$tmp/modules" "$kver" || die "depmod -b $tmp/modules $kver failed"
    ln -s "$CHROOT/usr/src/linux-headers-$kver" "$tmp/build"
    echo "$CHROOT" >"$tmp/chroot"
    echo "$kver" >"$tmp/kver"
    rm -rf "$KIT"
    mv "$tmp" "$KIT"
    log "kit ready in $((SECONDS - start)) s: $KIT ($kver)"
}

kit_complete() {
    [ -f "$KIT/kver" ] && [ -f "$KIT/vmlinuz" ] && [ -f "$KIT/chroot" ] &&
        [ -d "$KIT/modules/lib/modules/$(cat "$KIT/kver")" ] && [ -f "$KIT/build/Makefile" ]
}

main() {
    local force=0
    case "${1:-}" in
        "") ;;
        --force) force=1 ;;
        *) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 2 ;;
    esac
    [ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot)"
    if [ "$force" = 0 ] && kit_complete && [ -x "$CHROOT/usr/bin/gcc-14" ]; then
        ensure_devices "$CHROOT"
        log "already set up: $KIT ($(cat "$KIT/kver"))"
        return 0
    fi
    if [ "$force" = 1 ] || [ ! -x "$CHROOT/usr/bin/gcc-14" ]; then
        make_chroot "$(debian_mirror)"
    fi
    ensure_devices "$CHROOT"
    make_kit
}

main "$@"
