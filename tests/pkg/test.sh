#!/usr/bin/env bash
# Host-side test of the packaging (no module is loaded): the Makefile's
# dkms targets and `make install`/`make uninstall`, against the installed
# headers of every kernel in /lib/modules/*/build (Debian 12's 6.1 in CI).
# Everything happens in a temporary directory; the system is not touched:
#   - dkms runs with --sourcetree, --dkmstree and --installtree inside it,
#     --no-depmod, and its module signing key (mok_signing_key,
#     mok_certificate) there too;
#   - `make install` and `make uninstall` get INSTALL_MOD_PATH there and
#     run in a copy of the package's source (what dkms-add copies).
# A last check compares /usr/src, /var/lib/dkms, every kernel's updates/
# directory and modules.dep before and after. Needs root (dkms install does) and
# dkms; re-runs itself with sudo when not root. Ends with "N passed, N failed".
#   tests/pkg/test.sh
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PASSED=0
FAILED=0

result() {  # PASS|FAIL <name> [<reason>]
    if [ "$1" = PASS ]; then
        PASSED=$((PASSED + 1))
        echo "@@RESULT PASS pkg/$2"
    else
        FAILED=$((FAILED + 1))
        echo "@@RESULT FAIL pkg/$2: $(printf '%s' "${3:-}" | tr '\n\r\t' '   ' | cut -c1-300)"
    fi
}

check() {  # <name> <expected> <actual>
    if [ "$2" = "$3" ]; then
        result PASS "$1"
    else
        result FAIL "$1" "expected '$2', got '$3'"
    fi
}

finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
    exit
}

if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        exec sudo "$0" "$@"
    fi
    result FAIL root "dkms install needs root and sudo is missing"
    finish
fi
if ! command -v dkms >/dev/null 2>&1; then
    result FAIL dkms "dkms is not installed (scripts/deps.sh installs it)"
    finish
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/nvmev-pkg.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
LOG=$TMP/log

# The state of the system the test must leave as it was.
system_state() {
    local d
    for d in /usr/src /var/lib/dkms /lib/modules/*/updates /lib/modules/*/modules.dep; do
        [ -e "$d" ] && find "$d" -maxdepth 3 -printf '%p %s %T@\n' 2>/dev/null
    done | sort
}
system_state >"$TMP/state.before"

version=$(sed -n 's/^#define NVMEV_VERSION[[:space:]]*"\(.*\)"/\1/p' "$ROOT/nvmev.h")
conf_version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$ROOT/dkms.conf")
check version/dkms.conf "$version" "$conf_version"

# dkms-check refuses a dkms.conf whose version differs from nvmev.h's
mkdir -p "$TMP/mismatch"
cp "$ROOT/Makefile" "$ROOT/nvmev.h" "$TMP/mismatch/"
sed 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="9.9"/' "$ROOT/dkms.conf" >"$TMP/mismatch/dkms.conf"
if make -s -C "$TMP/mismatch" dkms-check >"$LOG" 2>&1; then
    result FAIL version/mismatch-refused "make dkms-check accepted PACKAGE_VERSION 9.9"
elif grep -q 'PACKAGE_VERSION="9.9"' "$LOG"; then
    result PASS version/mismatch-refused
else
    result FAIL version/mismatch-refused "failed without naming the versions: $(tail -n 1 "$LOG")"
fi

mapfile -t KERNELS < <(for d in /lib/modules/*/build/include; do
    [ -d "$d" ] && basename "$(dirname "$(dirname "$d")")"; done)
if [ "${#KERNELS[@]}" -eq 0 ]; then
    result FAIL headers "no kernel headers in /lib/modules/*/build"
    finish
fi
echo "kernels with headers: ${KERNELS[*]}"

# The dkms sandbox, through the Makefile's targets.
SRC=$TMP/src
mkdir -p "$SRC" "$TMP/dkms" "$TMP/inst"
for k in "${KERNELS[@]}"; do mkdir -p "$TMP/inst/$k"; done   # dkms install wants it
DKMS_VARS=(DKMS_SOURCE_TREE="$SRC"
    DKMS_ARGS="--dkmstree $TMP/dkms --installtree $TMP/inst --no-depmod"
    DKMS_KERNELS="${KERNELS[*]}")
export mok_signing_key=$TMP/mok.key mok_certificate=$TMP/mok.pub
dkms_status() {  # <kernel>: the state dkms reports ("added", "installed"...)
    dkms --sourcetree "$SRC" --dkmstree "$TMP/dkms" --installtree "$TMP/inst" \
        status -m nvmev -v "$version" -k "$1" 2>/dev/null |
        sed -n 's/.*: *\([a-z]*\).*/\1/p' | head -n 1
}
mk() {  # <target>: make in the repository with the sandbox's variables
    echo "==> make $1"
    make -C "$ROOT" "${DKMS_VARS[@]}" "$1" >"$LOG" 2>&1
    local status=$?
    cat "$LOG"
    return $status
}

if mk dkms-add; then result PASS dkms/add; else result FAIL dkms/add "$(tail -n 1 "$LOG")"; fi
check dkms/add-status added "$(dkms_status "${KERNELS[0]}")"

# What was copied: the build files, every source Kbuild names, nothing else
pkg=$SRC/nvmev-$version
extra=$(cd "$pkg" 2>/dev/null && find . -type f | sed 's|^\./||' |
    grep -vxE 'Makefile|Kbuild|Kconfig|dkms.conf|[a-z_]+\.[ch]|ftl/[a-z_]+\.[ch]' | tr '\n' ' ')
check dkms/source-only-build-files "" "$extra"
# nvmev-y of Kbuild: its first line and the tab-indented ones after it
kbuild_objects() {
    sed -n -e 's/^nvmev-y :=//p' -e 's/^\t//p' "$ROOT/Kbuild" | sed 's/\\//g' |
        tr -s '[:blank:]' '\n' | grep '\.o$'
}
missing=""
for obj in $(kbuild_objects); do
    [ -f "$pkg/${obj%.o}.c" ] || missing+="${obj%.o}.c "
done
check dkms/source-has-kbuild-objects "" "$missing"
nobjs=$(kbuild_objects | wc -l)
if [ "$nobjs" -gt 10 ]; then
    result PASS dkms/kbuild-objects-read
else
    result FAIL dkms/kbuild-objects-read "only $nobjs objects read from Kbuild"
fi

start=$SECONDS
if mk dkms-build; then result PASS dkms/build; else result FAIL dkms/build "$(grep -m1 -i error "$LOG")"; fi
echo "dkms build: $((SECONDS - start)) s"
if mk dkms-install; then result PASS dkms/install; else result FAIL dkms/install "$(tail -n 1 "$LOG")"; fi
for k in "${KERNELS[@]}"; do
    check "dkms/$k/status" installed "$(dkms_status "$k")"
    ko=$TMP/inst/$k/updates/dkms/nvmev.ko
    if [ -f "$ko" ]; then
        check "dkms/$k/vermagic" "$k" "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)"
        check "dkms/$k/version" "$version" "$(modinfo -F version "$ko")"
    else
        result FAIL "dkms/$k/installed-file" "no $ko: $(find "$TMP/inst" -name 'nvmev.ko*' | tr '\n' ' ')"
    fi
done

if mk dkms-remove; then result PASS dkms/remove; else result FAIL dkms/remove "$(tail -n 1 "$LOG")"; fi
check dkms/removed-status "" "$(dkms_status "${KERNELS[0]}")"
check dkms/removed-files "" "$(find "$TMP/inst" "$SRC" -name 'nvmev*' | tr '\n' ' ')"

# make install / uninstall, in a copy of the package's source
tree=$TMP/tree
mkdir -p "$tree"
if make -s -C "$ROOT" DKMS_SOURCE_TREE="$TMP/copy" dkms-source >"$LOG" 2>&1; then
    cp -r "$TMP/copy/nvmev-$version/." "$tree/"
else
    result FAIL install/copy "make dkms-source: $(tail -n 1 "$LOG")"
fi
for k in "${KERNELS[@]}"; do
    inst=$TMP/root-$k
    echo "==> make install KDIR=/lib/modules/$k/build INSTALL_MOD_PATH=$inst"
    if make -C "$tree" KDIR="/lib/modules/$k/build" INSTALL_MOD_PATH="$inst" install >"$LOG" 2>&1; then
        result PASS "install/$k/make-install"
    else
        result FAIL "install/$k/make-install" "$(grep -m1 -i error "$LOG" || tail -n 1 "$LOG")"
    fi
    tail -n 5 "$LOG"
    # under the release the module's vermagic names (Debian's headers
    # say 6.1.192 to `make kernelrelease` for 6.1.0-57-amd64)
    check "install/$k/path" "$inst/lib/modules/$k/updates/nvmev.ko" \
        "$(find "$inst" -name 'nvmev.ko*' | tr '\n' ' ' | sed 's/ $//')"
    ko=$inst/lib/modules/$k/updates/nvmev.ko
    check "install/$k/vermagic" "$k" "$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)"
    check "install/$k/version" "$version" "$(modinfo -F version "$ko" 2>/dev/null)"
    if make -C "$tree" KDIR="/lib/modules/$k/build" INSTALL_MOD_PATH="$inst" uninstall >"$LOG" 2>&1; then
        result PASS "install/$k/make-uninstall"
    else
        result FAIL "install/$k/make-uninstall" "$(tail -n 1 "$LOG")"
    fi
    check "install/$k/uninstalled" "" "$(find "$inst" -name 'nvmev*' | tr '\n' ' ')"
done

system_state >"$TMP/state.after"
check system-untouched "" "$(diff "$TMP/state.before" "$TMP/state.after" | grep '^[<>]' | head -n 5 | tr '\n' ' ')"
finish
