#!/usr/bin/env bash
# A guided tour for newcomers: install dependencies, build nvmev.ko, build
# the initramfs, then boot a VM that runs tests/vm/demo.sh and stream its
# console here (kernel messages quieted). Takes about a minute.
# Environment: NVMEV_SKIP_DEPS=1 skips the dependency step; NVMEV_KVER picks
# the guest kernel; NVMEV_VM_* variables as in scripts/vm/run.sh.
set -euo pipefail

# shellcheck source=scripts/vm/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/vm/common.sh"
cd "$NVMEV_ROOT"

step() { printf '\n==> %s\n' "$*"; }

if [ "${NVMEV_SKIP_DEPS:-0}" != 1 ]; then
    step "dependencies"
    ./scripts/deps.sh
fi
KVER=$(nvmev_kernel_version)
mkdir -p "$NVMEV_BUILD_DIR/logs"

step "building nvmev.ko for kernel $KVER"
if ! make -j"$(nproc)" KDIR="/lib/modules/$KVER/build" >"$NVMEV_BUILD_DIR/logs/module-build.log" 2>&1; then
    tail -n 30 "$NVMEV_BUILD_DIR/logs/module-build.log"
    echo "demo: the module does not build (log: build/logs/module-build.log)" >&2
    exit 1
fi

step "building the initramfs"
./scripts/vm/initramfs.sh -k "$KVER" -m "$NVMEV_ROOT/nvmev.ko"

step "booting the demo VM (QEMU without KVM: boot takes ~20 s)"
V=1 exec ./scripts/vm/run.sh --name demo --timeout "${NVMEV_VM_TIMEOUT:-600}" \
    --append "quiet loglevel=3" demo
