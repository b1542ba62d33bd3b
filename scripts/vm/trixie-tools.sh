#!/usr/bin/env bash
# Set up Debian 13's fio and QEMU, which Flexible Data Placement (FDP)
# testing needs and Debian 12 lacks (fio >= 3.34 for --fdp=1 with
# ioengine=io_uring_cmd; QEMU >= 8.0 for its FDP NVMe subsystem):
#   - installs fio and qemu-system-x86 into the Debian 13 (trixie) chroot
#     that scripts/kernel/trixie-6.12.sh makes (run first when the chroot is
#     missing: it also sets up the 6.12 kit), about 50 MiB of packages;
#   - packs an initramfs overlay, fio-trixie.cpio.gz: trixie's fio with its
#     own dynamic loader and libraries under /opt/trixie and the wrapper
#     /usr/bin/fio-trixie, so it never mixes with the guest's Debian 12
#     libraries or its fio 3.33. scripts/vm/run.sh --trixie-fio appends it
#     to the guest's initramfs (the kernel unpacks concatenated archives).
#
#   scripts/vm/trixie-tools.sh           set up once, then reuse (~1 s)
#   scripts/vm/trixie-tools.sh --force   install and pack again
#   scripts/vm/trixie-tools.sh --print   print the fio and QEMU versions
#
# Lives in ${NVMEV_CACHE:-~/.cache/nvmev}/: chroot/trixie/ (the packages)
# and trixie-tools/ (the overlay). Needs root (chroot). scripts/vm/run.sh
# calls it when --trixie-fio or --qemu trixie needs it; scripts/deps.sh
# --trixie-tools runs it after the Debian 12 packages.
set -euo pipefail

# shellcheck source=scripts/vm/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

CHROOT=$NVMEV_TRIXIE_CHROOT
OUT_DIR="$NVMEV_CACHE/trixie-tools"
OVERLAY="$OUT_DIR/fio-trixie.cpio.gz"
PACKAGES=(fio qemu-system-x86)
# inside the guest: the loader, fio and every library it needs
PREFIX=/opt/trixie

log() { printf 'trixie-tools: %s\n' "$*"; }
die() { log "$*" >&2; exit 1; }

in_chroot() { chroot "$CHROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C "$@"; }

packages_installed() {
    local pkg status
    for pkg in "${PACKAGES[@]}"; do
        # shellcheck disable=SC2016 # ${Status} is dpkg-query's own field
        status=$(in_chroot dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) || return 1
        [ "$status" = "install ok installed" ] || return 1
    done
}

ensure_chroot() {
    [ -x "$CHROOT/usr/bin/gcc-14" ] && return 0
    local script="$NVMEV_ROOT/scripts/kernel/trixie-6.12.sh"
    log "no trixie chroot at $CHROOT: setting it up with ${script#"$NVMEV_ROOT"/}"
    "$script" || die "${script#"$NVMEV_ROOT"/} failed; the trixie tools need its chroot"
}

install_packages() {
    local start=$SECONDS apt_log="$OUT_DIR/apt.log" size
    mkdir -p "$OUT_DIR"
    log "apt-get update in the chroot"
    in_chroot apt-get update -qq >"$apt_log" 2>&1 || { tail -n 20 "$apt_log" >&2; die "apt-get update failed in $CHROOT (log: $apt_log)"; }
    size=$(in_chroot apt-get install -qq --print-uris --no-install-recommends "${PACKAGES[@]}" |
        awk '{ s += $3 } END { printf "%.1f MiB", s / 1048576 }')
    log "installing ${PACKAGES[*]} in the chroot (downloads $size)"
    in_chroot env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        -o APT::Sandbox::User=root "${PACKAGES[@]}" >>"$apt_log" 2>&1 ||
        { tail -n 20 "$apt_log" >&2; die "apt-get install ${PACKAGES[*]} failed in $CHROOT (log: $apt_log)"; }
    packages_installed || die "${PACKAGES[*]} still not installed in $CHROOT after apt-get (log: $apt_log)"
    log "installed in $((SECONDS - start)) s"
}

# The libraries trixie's fio needs, as paths in the chroot, resolved by the
# chroot's own loader: never the host's cache or directories.
fio_libraries() {
    local out
    out=$(nvmev_trixie_run --list "$CHROOT/usr/bin/fio" 2>&1) ||
        die "the chroot's loader cannot list fio's libraries: $out"
    if grep -q 'not found' <<<"$out"; then
        die "fio in $CHROOT: missing libraries: $(grep 'not found' <<<"$out" | tr -s ' \t\n' ' ')"
    fi
    awk '$2 == "=>" && $3 ~ /^\// { print $3 }' <<<"$out"
}

pack_overlay() {
    local stage tmp="$OVERLAY.tmp" lib version
    version=$(nvmev_trixie_run "$CHROOT/usr/bin/fio" --version) || die "trixie's fio does not run on this host"
    mkdir -p "$OUT_DIR"
    stage=$(mktemp -d "$OUT_DIR/stage.XXXXXX")
    mkdir -p "$stage$PREFIX/lib" "$stage$PREFIX/usr/bin" "$stage/usr/bin"
    cp -L "$CHROOT/usr/lib64/ld-linux-x86-64.so.2" "$stage$PREFIX/lib/"
    local -a libs
    mapfile -t libs < <(fio_libraries)
    [ "${#libs[@]}" -gt 0 ] || die "found no libraries of $CHROOT/usr/bin/fio"
    for lib in "${libs[@]}"; do
        case $lib in
            "$CHROOT"/*) cp -L "$lib" "$stage$PREFIX/lib/" ;;
            *) die "fio's library $lib resolved outside the chroot" ;;
        esac
    done
    cp -L "$CHROOT/usr/bin/fio" "$stage$PREFIX/usr/bin/fio"
    cat >"$stage/usr/bin/fio-trixie" <<EOF
#!/bin/sh
# $version from Debian 13, with its own loader and libraries
# (scripts/vm/trixie-tools.sh); the guest's fio stays Debian 12's.
exec $PREFIX/lib/ld-linux-x86-64.so.2 --inhibit-cache --library-path $PREFIX/lib $PREFIX/usr/bin/fio "\$@"
EOF
    chmod 755 "$stage/usr/bin/fio-trixie"
    echo "$version" >"$stage$PREFIX/fio-version"
    find "$stage" -exec touch -h -d @0 {} +
    (cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
        cpio --null --create --format=newc --reproducible --owner=0:0 --quiet) |
        gzip -n -1 >"$tmp"
    rm -rf "$stage"
    mv "$tmp" "$OVERLAY"
    echo "$version" >"$OUT_DIR/fio-version"
    log "overlay: $OVERLAY ($(du -h "$OVERLAY" | cut -f1), $version)"
}

print_versions() {
    echo "fio:  $(nvmev_trixie_run "$CHROOT/usr/bin/fio" --version)"
    echo "qemu: $(nvmev_trixie_run "$CHROOT/usr/bin/qemu-system-x86_64" --version | head -n 1)"
    echo "overlay: $OVERLAY"
}

main() {
    local force=0
    case "${1:-}" in
        "") ;;
        --force) force=1 ;;
        --print) print_versions; exit 0 ;;
        *) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 2 ;;
    esac
    [ "$(id -u)" -eq 0 ] || die "needs root (chroot, apt-get in the chroot)"
    ensure_chroot
    if [ "$force" = 1 ] || ! packages_installed; then
        install_packages
    fi
    if [ "$force" = 1 ] || [ ! -f "$OVERLAY" ] || [ "$OVERLAY" -ot "$CHROOT/usr/bin/fio" ] ||
        [ "$(cat "$OUT_DIR/fio-version" 2>/dev/null)" != "$(nvmev_trixie_run "$CHROOT/usr/bin/fio" --version)" ]; then
        pack_overlay
    else
        log "already set up: $OVERLAY ($(cat "$OUT_DIR/fio-version"))"
    fi
}

main "$@"
