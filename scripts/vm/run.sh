#!/usr/bin/env bash
# Boot one QEMU (TCG) VM that runs guest test scripts from tests/vm/.
#
#   scripts/vm/run.sh [options] <run>
#
# <run> is passed as nvmev_run=<run>: "suite" (every tests/vm/NN-*.sh in
# order) or a comma-separated list of script names ("00-smoke,10-admin").
#
# Options (environment variable in brackets):
#   --kernel NAME      guest kernel: 6.1, 6.12, 6.1-debug, an installed release
#                      (see scripts/vm/common.sh) [NVMEV_KERNEL; default: the
#                      installed Debian kernel, or NVMEV_KVER]
#   --name NAME        log name (default: <run> with commas replaced by "+");
#                      may contain a "/" (scripts/test.sh: <kernel>/<group>)
#   --initrd FILE      initramfs (default: build/vm/initramfs-<K>.cpio.gz)
#   --mem SIZE         guest RAM [NVMEV_VM_MEM, 6G]
#   --memmap SPEC      reserved RAM for nvmev, size$start [NVMEV_VM_MEMMAP, 2G$4G]
#   --smp N            guest CPUs [NVMEV_VM_SMP, 4]
#   --append ARGS      extra kernel command line [NVMEV_VM_APPEND]
#   --qemu-args ARGS   extra QEMU arguments, split on spaces [NVMEV_VM_QEMU_ARGS];
#                      may be given more than once (the arguments add up)
#   --qemu WHICH       the QEMU to boot with [NVMEV_QEMU]: host (Debian 12's
#                      7.2, the default) or trixie (Debian 13's 10.0 from the
#                      trixie chroot, which has NVMe FDP: nvme-subsys fdp=on;
#                      set up on demand by scripts/vm/trixie-tools.sh)
#   --trixie-fio       append Debian 13's fio (3.39, FDP-capable) to the
#                      initramfs as /usr/bin/fio-trixie (the guest's fio stays
#                      3.33) [NVMEV_VM_TRIXIE_FIO=1; set up on demand by
#                      scripts/vm/trixie-tools.sh]
#   --qemu-nvme SIZE   also attach QEMU's own NVMe controller backed by a
#                      fresh sparse file build/vm/<name>.qemu-nvme.img
#   --qemu-fdp SIZE    (with --qemu trixie) also attach QEMU's own NVMe
#                      controller with Flexible Data Placement: subsystem
#                      nqn=qemu-fdp (fdp=on, 8 reclaim unit handles, 2
#                      reclaim groups, 96M reclaim units), controller serial
#                      qemu-fdp-0, namespace 1 with every handle, backed by
#                      a fresh sparse file build/vm/<name>.qemu-fdp.img
#   --iommu MODE       a q35 machine with an Intel IOMMU doing interrupt
#                      remapping; MODE "on" boots with intel_iommu=on, "pt"
#                      adds iommu=pt (passthrough for DMA)
#   --timeout SECONDS  kill the VM after this long [NVMEV_VM_TIMEOUT, 1200]
#                      (a boot silent for NVMEV_VM_BOOT_STALL seconds, 90 x
#                      the kernel's slowdown, before /init is started again,
#                      three boots in all)
#   --shell            interactive shell on this terminal instead of tests
# V=1 streams the console live to stdout.
#
# Files: build/vm/<name>.log (console, ttyS0), build/vm/<name>.out (results
# port, ttyS1), build/vm/<name>.files/ (files sent with t_emit),
# build/vm/<name>.qemu.log (QEMU's own stderr), build/vm/<name>.log.stalledN
# (the console of a boot that stalled before /init and was started again).
# Exit status 0 iff the guest printed @@NVMEV-DONE.
set -euo pipefail

# shellcheck source=scripts/vm/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

RUN=""
KERNEL_NAME="${NVMEV_KERNEL:-}"
NAME=""
INITRD=""
MEM="${NVMEV_VM_MEM:-6G}"
MEMMAP="${NVMEV_VM_MEMMAP:-2G\$4G}"
SMP="${NVMEV_VM_SMP:-4}"
APPEND="${NVMEV_VM_APPEND:-}"
QEMU_EXTRA="${NVMEV_VM_QEMU_ARGS:-}"
QEMU_WHICH="${NVMEV_QEMU:-host}"
TRIXIE_FIO="${NVMEV_VM_TRIXIE_FIO:-0}"
QEMU_NVME_SIZE=""
QEMU_FDP_SIZE=""
IOMMU=""
TIMEOUT="${NVMEV_VM_TIMEOUT:-1200}"
SHELL_MODE=0

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
    exit "${1:-0}"
}

say() { echo "vm ${NAME:-?}: $*"; }

parse_args() {
    while [ $# -gt 0 ]; do
        case "$1" in
            --kernel) KERNEL_NAME=$2; shift ;;
            --name) NAME=$2; shift ;;
            --initrd) INITRD=$2; shift ;;
            --mem) MEM=$2; shift ;;
            --memmap) MEMMAP=$2; shift ;;
            --smp) SMP=$2; shift ;;
            --append) APPEND=$2; shift ;;
            --qemu-args) QEMU_EXTRA+="${QEMU_EXTRA:+ }$2"; shift ;;
            --qemu) QEMU_WHICH=$2; shift ;;
            --trixie-fio) TRIXIE_FIO=1 ;;
            --qemu-nvme) QEMU_NVME_SIZE=$2; shift ;;
            --qemu-fdp) QEMU_FDP_SIZE=$2; shift ;;
            --iommu) IOMMU=$2; shift ;;
            --timeout) TIMEOUT=$2; shift ;;
            --shell) SHELL_MODE=1 ;;
            -h | --help) usage 0 ;;
            -*) echo "run.sh: unknown option $1" >&2; usage 2 ;;
            *) [ -z "$RUN" ] || usage 2; RUN=$1 ;;
        esac
        shift
    done
    if [ -z "$RUN" ] && [ "$SHELL_MODE" -eq 0 ]; then
        echo "run.sh: which tests? e.g. scripts/vm/run.sh suite" >&2
        usage 2
    fi
    [ -n "$NAME" ] || NAME=${RUN:-shell}
    NAME=${NAME//,/+}
}

prepare() {
    nvmev_kernel_resolve "$KERNEL_NAME" || exit 1
    KVER=$NVMEV_K_KVER
    KERNEL=$NVMEV_K_IMAGE
    [ -n "$INITRD" ] || INITRD=$(nvmev_initramfs_path "$KVER")
    [ -r "$KERNEL" ] || { say "cannot read $KERNEL (run as root?)"; exit 1; }
    [ -f "$INITRD" ] || { say "no initramfs $INITRD; build it: scripts/vm/initramfs.sh"; exit 1; }
    mkdir -p "$NVMEV_VM_DIR"
    LOG="$NVMEV_VM_DIR/$NAME.log"
    OUT="$NVMEV_VM_DIR/$NAME.out"
    QEMU_LOG="$NVMEV_VM_DIR/$NAME.qemu.log"
    FILES_DIR="$NVMEV_VM_DIR/$NAME.files"
    mkdir -p "$(dirname "$LOG")"
    rm -rf "$LOG" "$LOG".stalled* "$OUT" "$QEMU_LOG" "$FILES_DIR"
    prepare_trixie_tools
    nvmev_qemu_command "$QEMU_WHICH" || exit 1
}

# --qemu trixie and --trixie-fio need Debian 13's packages in the trixie
# chroot (scripts/vm/trixie-tools.sh: about 50 MiB the first time, ~1 s
# after); --trixie-fio boots an initramfs that is the usual one with the
# fio overlay appended (build/vm/<name>.initrd.cpio.gz): Linux unpacks
# concatenated archives in order.
prepare_trixie_tools() {
    case "$TRIXIE_FIO" in 0 | 1) ;; *) say "NVMEV_VM_TRIXIE_FIO=$TRIXIE_FIO: use 0 or 1"; exit 2 ;; esac
    case "$QEMU_WHICH" in
        host | trixie) ;;
        *) say "--qemu $QEMU_WHICH: use host or trixie"; exit 2 ;;
    esac
    [ "$TRIXIE_FIO" = 1 ] || [ "$QEMU_WHICH" = trixie ] || return 0
    local tools="$NVMEV_ROOT/scripts/vm/trixie-tools.sh"
    "$tools" >"$NVMEV_VM_DIR/$NAME.trixie-tools.log" 2>&1 || {
        cat "$NVMEV_VM_DIR/$NAME.trixie-tools.log"
        say "${tools#"$NVMEV_ROOT"/} failed (needed by --qemu trixie / --trixie-fio)"
        exit 1
    }
    tail -n 1 "$NVMEV_VM_DIR/$NAME.trixie-tools.log"
    [ "$TRIXIE_FIO" = 1 ] || return 0
    local overlay="$NVMEV_CACHE/trixie-tools/fio-trixie.cpio.gz" combined="$NVMEV_VM_DIR/$NAME.initrd.cpio.gz"
    [ -f "$overlay" ] || { say "no $overlay after ${tools#"$NVMEV_ROOT"/}"; exit 1; }
    cat "$INITRD" "$overlay" >"$combined.tmp"
    mv "$combined.tmp" "$combined"
    INITRD=$combined
}

qemu_command() {
    # slab_nomerge: nvmev's slab cache is its own, so "nothing left after
    # rmmod" sees nvmev's cache, never a cache merged into it by modules
    # loaded later (xfs, btrfs), which outlives the rmmod under its name
    local cmdline="console=ttyS0 memmap=$MEMMAP panic=-1 slab_nomerge"
    if [ "$SHELL_MODE" -eq 1 ]; then
        cmdline+=" nvmev_shell=1"
    else
        cmdline+=" nvmev_run=$RUN"
    fi
    case "$IOMMU" in
        "") ;;
        # no_timer_check: under TCG on a loaded host the IO-APIC timer
        # check through interrupt remapping can fail and panic the boot
        # ("timer doesn't work through Interrupt-remapped IO-APIC")
        on) cmdline+=" intel_iommu=on no_timer_check" ;;
        pt) cmdline+=" intel_iommu=on iommu=pt no_timer_check" ;;
        *) say "--iommu $IOMMU: use on or pt"; exit 2 ;;
    esac
    [ -z "$NVMEV_K_APPEND" ] || cmdline+=" $NVMEV_K_APPEND"
    [ -z "$APPEND" ] || cmdline+=" $APPEND"
    # shellcheck disable=SC2054 # commas are part of QEMU option values
    QEMU=("${NVMEV_QEMU_CMD[@]}"
        -accel tcg,thread=multi -cpu max -smp "$SMP" -m "$MEM"
        -kernel "$KERNEL" -initrd "$INITRD" -append "$cmdline"
        -display none -no-reboot -monitor none -nic none)
    if [ "$SHELL_MODE" -eq 1 ]; then
        QEMU+=(-serial stdio -serial "file:$OUT")
    else
        QEMU+=(-serial "file:$LOG" -serial "file:$OUT")
    fi
    if [ -n "$IOMMU" ]; then
        # interrupt remapping needs the split irqchip (KVM's word; TCG
        # accepts it)
        QEMU+=(-machine q35,kernel-irqchip=split -device intel-iommu,intremap=on)
    fi
    if [ -n "$QEMU_NVME_SIZE" ]; then
        local image="$NVMEV_VM_DIR/$NAME.qemu-nvme.img"
        rm -f "$image"
        truncate -s "$QEMU_NVME_SIZE" "$image"
        QEMU+=(-drive "file=$image,if=none,id=qemunvme,format=raw,cache=unsafe"
            -device "nvme,drive=qemunvme,serial=qemu-nvme-0")
    fi
    if [ -n "$QEMU_FDP_SIZE" ]; then
        # QEMU 8.0 and later (hw/nvme: nvme-subsys fdp.*, nvme-ns fdp.ruhs)
        [ "$QEMU_WHICH" = trixie ] ||
            { say "--qemu-fdp needs a QEMU with FDP (8.0+): add --qemu trixie (this QEMU: $QEMU_WHICH)"; exit 2; }
        local fdp_image="$NVMEV_VM_DIR/$NAME.qemu-fdp.img"
        rm -f "$fdp_image"
        truncate -s "$QEMU_FDP_SIZE" "$fdp_image"
        QEMU+=(-device "nvme-subsys,id=qfdpsubsys,nqn=qemu-fdp,fdp=on,fdp.nruh=8,fdp.nrg=2,fdp.runs=96M"
            -device "nvme,id=qfdp,serial=qemu-fdp-0,subsys=qfdpsubsys"
            -drive "file=$fdp_image,if=none,id=qfdpdrive,format=raw,cache=unsafe"
            -device "nvme-ns,drive=qfdpdrive,bus=qfdp,nsid=1,fdp.ruhs=0-7")
    fi
    if [ -n "$QEMU_EXTRA" ]; then
        local -a extra
        read -r -a extra <<<"$QEMU_EXTRA"
        QEMU+=("${extra[@]}")
    fi
}

# A boot whose console stops before /init runs is stuck in the guest
# kernel under TCG, before nvmev or any test: seen on 6.1 with an IOMMU
# after "pnp: PnP ACPI: found 7 devices" (QEMU spinning on every vCPU) and
# on the debug kernel at "Running RCU-tasks wait API self tests".  Such a
# boot is stopped and started again, up to BOOT_TRIES boots in all; a hang
# once /init runs is never retried.  [NVMEV_VM_BOOT_STALL seconds]
BOOT_STALL=${NVMEV_VM_BOOT_STALL:-}
BOOT_TRIES=3

# Watch the console of the QEMU run <pid> until /init runs or QEMU ends:
# status 1 (and QEMU stopped) when it printed nothing for BOOT_STALL s.
watch_boot() {  # <pid>
    local pid=$1 size=-1 now changed=$SECONDS
    while kill -0 "$pid" 2>/dev/null; do
        grep -aq 'Run /init as init process' "$LOG" 2>/dev/null && return 0
        now=$(stat -c %s "$LOG" 2>/dev/null || echo 0)
        if [ "$now" != "$size" ]; then
            size=$now
            changed=$SECONDS
        elif [ $((SECONDS - changed)) -ge "$BOOT_STALL" ]; then
            kill -TERM "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
            return 1
        fi
        sleep 1
    done
    return 0
}

# Run QEMU under a timeout; sets QEMU_STATUS (124 = timed out, 125 = every
# boot stalled before /init).
boot() {
    local pid tail_pid="" try=1 last
    [ -n "$BOOT_STALL" ] || BOOT_STALL=$((90 * NVMEV_K_SLOWDOWN))
    while :; do
        say "booting kernel $NVMEV_K_NAME: $KVER$([ "$QEMU_WHICH" = host ] || echo " under QEMU $QEMU_WHICH") ($SMP cpus, $MEM, memmap=$MEMMAP, timeout ${TIMEOUT}s); console: ${LOG#"$NVMEV_ROOT"/}"
        timeout --signal=TERM --kill-after=10 "$TIMEOUT" "${QEMU[@]}" 2>"$QEMU_LOG" &
        pid=$!
        if [ "${V:-0}" = 1 ]; then
            tail -n +1 -F --pid="$pid" "$LOG" 2>/dev/null &
            tail_pid=$!
        fi
        QEMU_STATUS=0
        if ! watch_boot "$pid"; then
            [ -z "$tail_pid" ] || wait "$tail_pid" || true
            last=$(tr -d '\r' <"$LOG" 2>/dev/null | grep -a . | tail -n 1)
            say "boot $try of $BOOT_TRIES stalled before /init: no console output for ${BOOT_STALL}s after: $last"
            mv -f "$LOG" "$LOG.stalled$try" 2>/dev/null || true
            rm -f "$OUT"
            if [ "$try" -ge "$BOOT_TRIES" ]; then
                mv -f "$LOG.stalled$try" "$LOG" 2>/dev/null || true
                QEMU_STATUS=125
                return
            fi
            try=$((try + 1))
            continue
        fi
        wait "$pid" || QEMU_STATUS=$?
        [ -z "$tail_pid" ] || wait "$tail_pid" || true
        return
    done
}

# Write every @@EMIT-BEGIN/@@EMIT-END block of the results port to FILES_DIR.
extract_emitted_files() {
    [ -f "$OUT" ] && grep -q '^@@EMIT-BEGIN ' "$OUT" || return 0
    mkdir -p "$FILES_DIR"
    tr -d '\r' <"$OUT" | awk -v dir="$FILES_DIR" '
        /^@@EMIT-BEGIN / { name = $2; mode = $3; gsub(/[^A-Za-z0-9._-]/, "_", name)
                           path = dir "/" name; tmp = path (mode == "base64" ? ".b64" : "")
                           printf "" > tmp; inside = 1; next }
        /^@@EMIT-END /   { close(tmp); if (mode == "base64") print tmp; inside = 0; next }
        inside           { print > tmp }' |
        while read -r encoded; do
            base64 -d "$encoded" >"${encoded%.b64}" && rm -f "$encoded"
        done
    say "emitted files: ${FILES_DIR#"$NVMEV_ROOT"/}/"
}

console_tail() {
    echo "---- last 30 lines of ${LOG#"$NVMEV_ROOT"/} ----"
    tr -d '\r' <"$LOG" 2>/dev/null | tail -n 30
    echo "---- end of console log ----"
}

report() {
    local elapsed=$1 reason=""
    if grep -q '@@NVMEV-DONE' "$LOG" "$OUT" 2>/dev/null; then
        say "completed in ${elapsed}s"
        return 0
    fi
    if [ "$QEMU_STATUS" -eq 125 ]; then
        reason="every boot ($BOOT_TRIES) stalled before /init (no console output for ${BOOT_STALL}s; see above)"
    elif [ "$QEMU_STATUS" -eq 124 ] || [ "$QEMU_STATUS" -eq 137 ]; then
        reason="timed out after ${TIMEOUT}s (raise --timeout / NVMEV_VM_TIMEOUT, or look for a hang below)"
    elif grep -q 'Kernel panic' "$LOG" 2>/dev/null; then
        reason="kernel panic: $(grep -m1 'Kernel panic' "$LOG" | tr -d '\r')"
    elif [ ! -s "$LOG" ]; then
        reason="no console output; QEMU exit status $QEMU_STATUS: $(tail -n 5 "$QEMU_LOG" | tr '\n' ' ')"
    else
        reason="VM stopped before @@NVMEV-DONE (QEMU exit status $QEMU_STATUS)"
    fi
    say "FAILED after ${elapsed}s: $reason"
    [ ! -s "$QEMU_LOG" ] || say "qemu stderr: $(tail -n 5 "$QEMU_LOG" | tr '\n' ' ')"
    console_tail
    return 1
}

main() {
    parse_args "$@"
    prepare
    qemu_command
    if [ "$SHELL_MODE" -eq 1 ]; then
        say "interactive shell; type 'poweroff -f' to leave"
        exec "${QEMU[@]}"
    fi
    local start=$SECONDS status=0
    boot
    extract_emitted_files
    report $((SECONDS - start)) || status=1
    return "$status"
}

main "$@"
