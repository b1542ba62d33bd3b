#!/bin/sh
# shellcheck shell=dash
# Reference answers of QEMU's own FDP controller (Debian 13's QEMU 10.0) to
# nvme-cli 2.3's FDP commands, including invalid placement identifiers and
# feature values, for the engineers writing nvmev's FDP. Not a test:
#   scripts/vm/run.sh --qemu trixie --qemu-fdp 1G --name fdp-qemu-ref fdp-qemu-ref
# sends build/vm/fdp-qemu-ref.files/qemu-fdp.txt (committed as
# tests/vm/ref/qemu-fdp/qemu-fdp.txt). Every command is shown as run, then
# its output, then "### exit <status>".
# QEMU's device: nvme-subsys fdp=on,fdp.nruh=8,fdp.nrg=2,fdp.runs=96M;
# nvme-ns nsid=1,fdp.ruhs=0-7 (scripts/vm/run.sh --qemu-fdp).
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

OUT=/tmp/qemu-fdp.txt
: >"$OUT"

ref() {  # <command...>
    { echo; echo "### $*"; } >>"$OUT"
    "$@" >>"$OUT" 2>&1 </dev/null
    echo "### exit $?" >>"$OUT"
}

ctrl=""
for dir in /sys/class/nvme/nvme*; do
    [ "$(tr -d ' ' <"$dir/serial" 2>/dev/null)" = qemu-fdp-0 ] && ctrl=/dev/${dir##*/}
done
if [ -z "$ctrl" ]; then
    t_fail fdpref/device "no controller with serial qemu-fdp-0 (boot with --qemu trixie --qemu-fdp 1G)"
    exit 0
fi
ns=/dev/$(_nvme_ctrl_namespace "${ctrl#/dev/}")
t_pass fdpref/device
{
    echo "# QEMU FDP reference: controller $ctrl, namespace $ns, guest kernel $(uname -r), $(nvme version | head -n 1)"
    echo "# controllers: $(for d in /sys/class/nvme/nvme*; do printf '%s=%s/%s ' "${d##*/}" "$(tr -d ' ' <"$d/model")" "$(tr -d ' ' <"$d/serial")"; done)"
} >>"$OUT"

# identify: CTRATT bit 19 (FDPS), ENDGIDMAX; ENDGID of the namespace
ref nvme id-ctrl "$ctrl" -H
ref nvme id-ns "$ns" -H
ref nvme id-ctrl "$ctrl" -o json
ref nvme id-ns "$ns" -o json
# FDP feature (1Dh) per endurance group (cdw11), valid and invalid groups
ref nvme get-feature "$ctrl" -f 0x1d --cdw11=1 -H
ref nvme get-feature "$ctrl" -f 0x1d --cdw11=0 -H
ref nvme get-feature "$ctrl" -f 0x1d --cdw11=2 -H
ref nvme get-feature "$ctrl" -f 0x1d --cdw11=1 -s 1
ref nvme get-feature "$ctrl" -f 0x1d --cdw11=1 -s 2
ref nvme get-feature "$ctrl" -f 0x1d --cdw11=1 -s 3
# FDP events feature (1Eh): cdw11 = placement handle << 16 | endurance group
ref nvme get-feature "$ctrl" -f 0x1e --cdw11=0x00000001 -l 512 -H -n 1
ref nvme get-feature "$ctrl" -f 0x1e --cdw11=0x00080001 -l 512 -H -n 1
# Set Features FDP: cdw11 endurance group, cdw12 bit 0 FDPE, bits 15:8 config index
ref nvme set-feature "$ctrl" -f 0x1d -v 1 --cdw12=0x1
ref nvme set-feature "$ctrl" -f 0x1d -v 1 --cdw12=0x0
ref nvme set-feature "$ctrl" -f 0x1d -v 1 --cdw12=0x101
ref nvme set-feature "$ctrl" -f 0x1d -v 2 --cdw12=0x1
# directives: identify's return parameters, streams, data placement
ref nvme dir-receive "$ns" --dir-type=0 --dir-oper=1 -H
ref nvme dir-receive "$ns" --dir-type=1 --dir-oper=1 -H
ref nvme dir-receive "$ns" --dir-type=2 --dir-oper=1 -H
# logs before any write
ref nvme fdp configs "$ctrl" -e 1
ref nvme fdp configs "$ctrl" -e 1 -o json
ref nvme fdp configs "$ctrl" -e 2
ref nvme fdp usage "$ctrl" -e 1
ref nvme fdp usage "$ctrl" -e 1 -o json
ref nvme fdp stats "$ctrl" -e 1 -o json
ref nvme fdp events "$ctrl" -e 1
ref nvme fdp events "$ctrl" -e 1 -E
ref nvme fdp status "$ns"
ref nvme fdp status "$ns" -o json
# writes with placement (dtype 2, dspec = PID: reclaim group in the top
# RGIF bits, placement handle below); PH 8, 0xff and RG 1 / 3 probe limits
dd if=/dev/urandom of=/tmp/blk bs=4096 count=2 2>/dev/null
for spec in 0 1 7 8 255 0x8000 0x8001 0x4000 0xc000; do
    ref nvme write "$ns" --start-block=0 --block-count=1 --data-size=8192 --data=/tmp/blk --dir-type=2 --dir-spec=$spec
done
ref nvme write "$ns" --start-block=8 --block-count=1 --data-size=8192 --data=/tmp/blk --dir-type=1 --dir-spec=1
ref nvme write "$ns" --start-block=8 --block-count=1 --data-size=8192 --data=/tmp/blk --dir-type=3 --dir-spec=1
ref nvme fdp status "$ns" -o json
ref nvme fdp usage "$ctrl" -e 1 -o json
ref nvme fdp stats "$ctrl" -e 1 -o json
# reclaim unit handle update, valid and invalid PIDs; events
ref nvme fdp update "$ns" -p 0,1
ref nvme fdp update "$ns" -p 8
ref nvme fdp update "$ns" -p 0x8000
ref nvme fdp update "$ns" -p 0x4000
ref nvme fdp status "$ns" -o json
ref nvme fdp set-events "$ns" -p 0 -e -t 0,1,2,3,0x80,0x81
ref nvme fdp set-events "$ns" -p 8 -e -t 0
ref nvme get-feature "$ctrl" -f 0x1e --cdw11=0x00000001 -l 512 -H -n 1
ref nvme fdp update "$ns" -p 0
ref nvme fdp events "$ctrl" -e 1
ref nvme fdp events "$ctrl" -e 1 -E
ref nvme fdp events "$ctrl" -e 1 -o json
ref nvme fdp events "$ctrl" -e 1 -E -o json
ref nvme fdp stats "$ctrl" -e 1
# raw log pages: FDP configurations (20h), RUH usage (21h), statistics
# (22h), events (23h); the log specific id is the endurance group
ref nvme get-log "$ctrl" --log-id=0x20 --log-len=64 --lsi=1
ref nvme get-log "$ctrl" --log-id=0x21 --log-len=64 --lsi=1
ref nvme get-log "$ctrl" --log-id=0x22 --log-len=64 --lsi=1
ref nvme get-log "$ctrl" --log-id=0x20 --log-len=64 --lsi=2
# FDP disabled: what the logs and a placement write answer then
ref nvme set-feature "$ctrl" -f 0x1d -v 1 --cdw12=0x0
ref nvme get-feature "$ctrl" -f 0x1d --cdw11=1 -H
ref nvme fdp status "$ns"
ref nvme write "$ns" --start-block=0 --block-count=1 --data-size=8192 --data=/tmp/blk --dir-type=2 --dir-spec=1
t_emit "$OUT" qemu-fdp.txt && t_pass fdpref/emitted
exit 0
