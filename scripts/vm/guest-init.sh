#!/bin/sh
# shellcheck shell=dash
# /init of the nvmev test initramfs (busybox sh; built by scripts/vm/initramfs.sh).
#
# Kernel command line parameters read here:
#   nvmev_run=suite          run every /tests/[0-9][0-9]-*.sh in order
#   nvmev_run=a,b            run /tests/a.sh then /tests/b.sh (".sh" optional)
#   nvmev_shell=1            open an interactive shell on the console instead
# Results are the @@RESULT lines printed by the scripts (tests/vm/lib.sh).
# The console ends with @@NVMEV-DONE, then the VM powers off.

PATH=/usr/sbin:/usr/bin:/sbin:/bin
HOME=/root
TERM=dumb
export PATH HOME TERM

say() { echo "nvmev-init: $*"; }

mount_filesystems() {
    mount -t proc proc /proc
    mount -t sysfs sysfs /sys
    mount -t devtmpfs devtmpfs /dev
    mkdir -p /dev/pts /dev/shm
    mount -t devpts devpts /dev/pts
    mount -t tmpfs tmpfs /dev/shm
    mount -t tmpfs tmpfs /tmp
    mount -t tmpfs tmpfs /run
    if [ -d /sys/kernel/debug ]; then
        mount -t debugfs debugfs /sys/kernel/debug
    fi
}

# The second serial port carries clean result lines and emitted files to the
# host (scripts/vm/run.sh writes it to build/vm/<name>.out).
setup_results_port() {
    if [ -c /dev/ttyS1 ]; then
        stty -F /dev/ttyS1 raw -echo
    else
        say "warning: /dev/ttyS1 missing; results only on the console"
    fi
}

load_boot_modules() {
    while read -r module; do
        modprobe "$module" || t_fail "boot/modprobe-$module" "modprobe $module failed"
    done </etc/nvmev/boot-modules
    if [ -d /sys/kernel/config ]; then
        mount -t configfs configfs /sys/kernel/config
    fi
}

# A script with the line "# nvmev-needs: nvme-trace" gets the event
# nvme:nvme_setup_cmd enabled here, before any NVMe device works, with
# recording off (tests turn tracing_on on and off around what they trace).
# Enabling an event live-patches the code where it fires (a static key),
# and QEMU's multi-threaded TCG can run another vCPU into the half-patched
# code: a guest stuck for good, seen once when 10-identity switched the
# event off again after its commands.  Nothing runs that code yet here,
# and it is never patched back.
arm_nvme_trace() {  # <script paths>
    local tr=/sys/kernel/tracing
    # shellcheck disable=SC2086 # a list of paths
    grep -qs '^# nvmev-needs: nvme-trace' $1 || return 0
    [ -e $tr/trace ] || mount -t tracefs nodev $tr 2>/dev/null
    if ! { echo 0 >$tr/tracing_on && echo 1 >$tr/events/nvme/nvme_setup_cmd/enable; }; then
        say "warning: cannot enable the trace event nvme:nvme_setup_cmd"
    fi
    : >$tr/trace
}

cmdline_value() {  # <parameter name>: print its value from /proc/cmdline
    read -r cmdline </proc/cmdline
    for arg in $cmdline; do
        case "$arg" in
            "$1"=*) echo "${arg#*=}"; return 0 ;;
        esac
    done
    return 1
}

# Print the script paths for an nvmev_run value, one per line.
scripts_for() {  # <nvmev_run value>
    if [ "$1" = suite ]; then
        for path in /tests/[0-9][0-9]-*.sh; do
            [ -f "$path" ] && echo "$path"
        done
        return 0
    fi
    echo "$1" | tr ',' '\n' | while read -r name; do
        [ -n "$name" ] || continue
        echo "/tests/${name%.sh}.sh"
    done
}

run_script() {  # <path>
    name=$(basename "$1" .sh)
    if [ ! -f "$1" ]; then
        t_fail "vm/$name/exists" "$1 is not in the initramfs (available: $(cd /tests && echo *.sh))"
        return
    fi
    echo "@@SCRIPT-BEGIN $name"
    (cd /tmp && sh "$1")
    status=$?
    echo "@@SCRIPT-END $name status=$status"
    if [ "$status" -ne 0 ]; then
        t_fail "vm/$name/exit-status" "$1 exited with status $status (guest scripts must end with status 0; see the console log)"
    fi
}

finish() {
    echo "@@NVMEV-DONE"
    if [ -c /dev/ttyS1 ]; then
        echo "@@NVMEV-DONE" >/dev/ttyS1
    fi
    sync
    poweroff -f
    sleep 5
    say "poweroff -f did not stop the VM"
}

main() {
    mount_filesystems
    setup_results_port
    # shellcheck source=tests/vm/lib.sh
    . /tests/lib.sh
    load_boot_modules
    say "kernel $(uname -r), $(nproc) cpus, $(awk '/MemTotal/ {print $2 " kB"}' /proc/meminfo)"

    if [ "$(cmdline_value nvmev_shell)" = 1 ]; then
        say "nvmev_shell=1: interactive shell; 'poweroff -f' to quit"
        setsid cttyhack sh -l
        finish
    fi

    run=$(cmdline_value nvmev_run) || run=""
    if [ -z "$run" ]; then
        t_fail "vm/nvmev_run" "no nvmev_run=<name> on the kernel command line"
    else
        arm_nvme_trace "$(scripts_for "$run")"
        for path in $(scripts_for "$run"); do
            run_script "$path"
        done
    fi
    finish
}

main
