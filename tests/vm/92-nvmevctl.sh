#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2015 # t_pass never fails
# scripts/nvmevctl against the real module: create prints the /dev nodes it
# made, they take data, list shows them, add-ns and rm-ns change the host's
# view, a failing create undoes itself, destroy --all empties the pool.
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=nvmevctl
NV=/sys/kernel/config/nvmev
DD=/usr/bin/dd
CTL=/usr/bin/nvmevctl

t_check $P/installed test -x $CTL || exit 0
insmod "$NVMEV_KO" memmap_start=4G memmap_size=2G nr_ctrls=0 cpus=2,3 ||
    { t_fail $P/insmod "insmod nr_ctrls=0 failed"; exit 0; }

t_check $P/help sh -c "$CTL --help | grep -q 'create \[options\]'"
t_expect_fail $P/unknown-command $CTL frobnicate
t_check $P/presets sh -c "$CTL presets | grep -q '^nvm-slow nvm '"

# create: two namespaces, each 32 MiB of 4 KiB blocks
if $CTL create --name tool0 --namespaces 2 --size 32M --lba-size 4096 \
    --preset nvm-zero >/tmp/ctl.out 2>&1; then
    t_pass $P/create
else
    t_fail $P/create "$(cat /tmp/ctl.out)"
fi
cat /tmp/ctl.out
devs=$(sed -n 's|^  ns [0-9]*: \(/dev/nvme[0-9]*n[0-9]*\) .*|\1|p' /tmp/ctl.out)
t_eq $P/create-prints-two-devices 2 "$(echo "$devs" | grep -c /dev/)"
head -c 1048576 /dev/urandom >/tmp/ctl.pat
ok=1
for d in $devs; do
    [ "$(cat "/sys/block/${d#/dev/}/queue/logical_block_size")" = 4096 ] || ok=0
    $DD if=/tmp/ctl.pat of="$d" bs=64K oflag=direct 2>/dev/null || ok=0
    $DD if="$d" of=/tmp/ctl.rd bs=64K count=16 iflag=direct 2>/dev/null || ok=0
    cmp -s /tmp/ctl.pat /tmp/ctl.rd || ok=0
done
[ $ok = 1 ] && t_pass $P/create-devices-work || t_fail $P/create-devices-work "$devs"

$CTL list >/tmp/ctl.list 2>&1
cat /tmp/ctl.list
t_check $P/list-ctrl grep -q '^tool0: enabled' /tmp/ctl.list
t_eq $P/list-namespaces 2 "$(grep -c '^  ns [12]: enabled, nvm, 32 MiB, 4096 B blocks, preset nvm-zero, /dev/' /tmp/ctl.list)"
t_check $P/stats sh -c "$CTL stats tool0/1 | grep -q '^write_bytes 1048576\$'"

# add-ns and rm-ns
if $CTL add-ns tool0 --size 16M >/tmp/ctl.out 2>&1 && grep -q '^tool0/3$' /tmp/ctl.out; then
    t_pass $P/add-ns
else
    t_fail $P/add-ns "$(cat /tmp/ctl.out)"
fi
t_check $P/add-ns-device sh -c "grep -q '^  ns 3: /dev/nvme' /tmp/ctl.out"
t_check $P/rm-ns $CTL rm-ns tool0 3
t_check $P/rm-ns-gone sh -c "! test -d $NV/tool0/namespaces/3"

# a create that cannot fit undoes itself
free_before=$(sed -n 's/^free //p' $NV/pool)
t_expect_fail $P/create-too-big $CTL create --name big --size 8G --preset nvm-zero
t_check $P/create-too-big-undone sh -c "! test -e $NV/big"
t_eq $P/create-too-big-pool-unchanged "$free_before" "$(sed -n 's/^free //p' $NV/pool)"

t_check $P/destroy-all $CTL destroy --all
t_eq $P/pool-free-after-destroy "$(sed -n 's/^size //p' $NV/pool)" "$(sed -n 's/^free //p' $NV/pool)"
t_check $P/rmmod rmmod nvmev
rm -f /tmp/ctl.*
t_dmesg_clean $P/dmesg-clean
exit 0
