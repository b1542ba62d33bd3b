#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2317,SC2086 # helpers via t_check; $DATA is a word list
# nvmev-vm-args: --trixie-fio --qemu trixie --qemu-fdp 1G
# The host-side tools of Flexible Data Placement (FDP) testing, which
# Debian 12 lacks: Debian 13's fio (/usr/bin/fio-trixie, >= 3.34 for
# --fdp=1 with ioengine=io_uring_cmd; scripts/vm/run.sh --trixie-fio) runs
# verified io_uring passthrough I/O on nvmev's /dev/ngXnY, and Debian 13's
# QEMU (--qemu trixie --qemu-fdp) gives a reference FDP controller (serial
# qemu-fdp-0) that answers nvme-cli's FDP commands and fio's --fdp=1.
# Its boot (scripts/test.sh groups the scripts with these nvmev-vm-args:
# 65, 66-fdp-waf, 68-fdp-vs-qemu) sets up both tools on first use
# (scripts/vm/trixie-tools.sh).  Each half is skipped, with a message,
# when its tool is absent (a boot without those arguments).
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=fdptools
FIO=fio-trixie
DATA="--ioengine=io_uring_cmd --cmd_type=nvme --bs=4k --size=1M --verify=crc32c --do_verify=1"

# The generic char device of a block namespace: /dev/nvme1n1 -> /dev/ng1n1
ng_of() { echo "$1" | sed 's|^/dev/nvme|/dev/ng|'; }

# fio 3.34 or newer (x.y as 3.39 -> 3039)
fio_version_ok() {  # <"fio-3.39">
    echo "$1" | awk -F'[-.]' '$1 == "fio" && ($2 * 1000 + $3) >= 3034 { ok = 1 } END { exit !ok }'
}

fio_half() {
    local version ng
    if ! command -v "$FIO" >/dev/null 2>&1; then
        t_log "$P: skipped fio-trixie checks: no $FIO in this initramfs (boot with scripts/vm/run.sh --trixie-fio)"
        return 0
    fi
    version=$("$FIO" --version 2>&1)
    t_log "$P: $FIO --version: $version; guest fio: $(fio --version 2>&1)"
    if fio_version_ok "$version"; then t_pass $P/fio-version; else t_fail $P/fio-version "'$version' is not fio-3.34 or newer"; fi
    t_check $P/nvmev-load nvmev_load || return 0
    ng=$(ng_of "$NVMEV_NS")
    t_check $P/nvmev-ng-node test -c "$ng"
    t_check $P/nvmev-uring-cmd-verify "$FIO" --name=nvmev-write --filename="$ng" --rw=write $DATA
    t_check $P/nvmev-uring-cmd-randwrite "$FIO" --name=nvmev-rand --filename="$ng" --rw=randwrite \
        --iodepth=8 --offset=4M $DATA
    # the default namespace has no FDP: fio --fdp=1 stops at setup (its
    # Reclaim Unit Handle Status is FDP Disabled); 66-fdp-waf runs it on
    # FDP namespaces
    if "$FIO" --name=nvmev-fdp --filename="$ng" --ioengine=io_uring_cmd --cmd_type=nvme \
        --rw=write --bs=4k --size=64k --fdp=1 >/tmp/fdp-nvmev.log 2>&1; then
        t_fail $P/nvmev-fdp-refused "fio --fdp=1 ran on a namespace without FDP"
    else
        t_pass $P/nvmev-fdp-refused
    fi
    t_log "$P: fio --fdp=1 on nvmev without FDP: $(tr '\n' ' ' </tmp/fdp-nvmev.log | cut -c1-300)"
    t_check $P/nvmev-unload nvmev_unload
}

# QEMU's FDP controller, by its serial (run.sh --qemu-fdp)
qemu_fdp_ctrl() {
    local dir
    for dir in /sys/class/nvme/nvme*; do
        [ "$(tr -d ' ' <"$dir/serial" 2>/dev/null)" = qemu-fdp-0 ] && { echo "/dev/${dir##*/}"; return 0; }
    done
    return 1
}

# nvme fdp configs answers with run.sh --qemu-fdp's 8 handles, 2 groups
qemu_fdp_configs() {  # <ctrl>
    nvme fdp configs "$1" -e 1 >/tmp/fdp-configs.txt 2>&1 || { cat /tmp/fdp-configs.txt; return 1; }
    cat /tmp/fdp-configs.txt
    grep -q 'Number of Reclaim Unit Handles: 8' /tmp/fdp-configs.txt &&
        grep -q 'Number of Reclaim Groups: 2' /tmp/fdp-configs.txt
}

qemu_half() {
    local ctrl ns ng
    if ! ctrl=$(qemu_fdp_ctrl); then
        t_log "$P: skipped QEMU FDP checks: no controller with serial qemu-fdp-0 (boot with scripts/vm/run.sh --qemu trixie --qemu-fdp 1G)"
        return 0
    fi
    ns=/dev/$(_nvme_ctrl_namespace "${ctrl#/dev/}") || { t_fail $P/qemu-ns "no namespace on $ctrl"; return 0; }
    t_log "$P: QEMU FDP controller $ctrl, namespace $ns"
    t_check $P/qemu-fdp-configs qemu_fdp_configs "$ctrl"
    t_check $P/qemu-fdp-status nvme fdp status "$ns"
    command -v "$FIO" >/dev/null 2>&1 || return 0
    ng=$(ng_of "$ns")
    t_check $P/qemu-fio-fdp-verify "$FIO" --name=qemu-fdp --filename="$ng" --rw=write --fdp=1 $DATA
}

fio_half
qemu_half
exit 0
