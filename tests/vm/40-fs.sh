#!/bin/sh
# shellcheck shell=dash
# ext4 on the namespace: mkfs (with discard), 50 files of random sizes,
# checksums across umount/mount, e2fsck, fio verify on a file, fstrim, and
# the file system surviving rmmod/insmod (the emulated power cycle).
# shellcheck source=tests/vm/lib.sh
. /tests/lib.sh

P=fs
MNT=/mnt/nvmev-fs
SUMS=/tmp/fs.sums
# busybox sh runs its own applets before PATH: name the real tools.
FSTRIM=/usr/sbin/fstrim

t_check $P/insmod nvmev_load || {
    t_dmesg_clean $P/dmesg-clean
    exit 0
}
mkdir -p $MNT

fs_mount() {
    mount -t ext4 "$NVMEV_NS" $MNT
}

# Sum every file under the mount point, as paths relative to it.
fs_sums() {
    (cd $MNT && find . -type f -name 'f*' | sort | xargs sha256sum)
}

fs_sums_match() {  # <name>
    local now
    now=$(fs_sums)
    if [ "$now" = "$(cat $SUMS)" ]; then
        t_pass "$1"
        return 0
    fi
    echo "## differences for $1:"
    echo "$now" | diff $SUMS - | head -n 20 | sed 's/^/##   /'
    t_fail "$1" "checksums differ from the ones recorded when the files were written"
}

fs_fsck() {  # <name>: e2fsck -fn must find nothing
    t_check "$1" e2fsck -f -n "$NVMEV_NS"
}

# mkfs.ext4 discards the whole device first (-E discard is the default;
# say it explicitly), so this also exercises a 2 GiB deallocate.
t_check $P/mkfs-ext4-discard mkfs.ext4 -F -q -E discard "$NVMEV_NS" || {
    nvmev_unload
    t_dmesg_clean $P/dmesg-clean
    exit 0
}
t_check $P/mount fs_mount || {
    nvmev_unload
    t_dmesg_clean $P/dmesg-clean
    exit 0
}

rnd() {  # a random number 0..2^32-1
    od -An -N4 -tu4 /dev/urandom | tr -d ' '
}

# 50 files: sizes 0..~4 MiB, odd sizes, and a few large ones.
write_files() {
    local i=0 size r
    while [ $i -lt 50 ]; do
        r=$(rnd)
        case $((i % 10)) in
            0) size=$((r % 4096)) ;;                          # small, odd
            9) size=$((8 * 1048576 + r % 229369)) ;;          # large
            *) size=$((r % 4194304)) ;;
        esac
        [ $i -eq 1 ] && size=0
        head -c $size /dev/urandom >$MNT/f$i || return 1
        i=$((i + 1))
    done
    mkdir -p $MNT/dir/sub && head -c 123457 /dev/urandom >$MNT/dir/sub/f-nested
}
t_check $P/write-50-files write_files
fs_sums >$SUMS
t_log "$(wc -l <$SUMS) files, $(du -sk $MNT | cut -f1) KiB"
t_check $P/sync sync
t_check $P/umount umount $MNT
fs_fsck $P/e2fsck-clean
t_check $P/mount-again fs_mount
echo 3 >/proc/sys/vm/drop_caches
fs_sums_match $P/sums-after-remount

# O_DIRECT I/O on a file, verified
t_check $P/fio-verify-file fio --name=fsfile --filename=$MNT/fio.dat --size=64M \
    --rw=randwrite --bs=16k --iodepth=16 --ioengine=libaio --direct=1 \
    --verify=crc32c --do_verify=1 --verify_fatal=1
rm -f $MNT/fio.dat

# delete some files so there is something to trim
rm -f $MNT/f1[0-9] $MNT/f3*
sed -i -e '/\.\/f1[0-9] *$/d' -e '/\.\/f3[0-9]* *$/d' $SUMS
sync
fstrim_check() {
    local out bytes
    out=$($FSTRIM -v $MNT) || { echo "$out"; return 1; }
    echo "$out"
    # "/mnt/...: 1.9 GiB (2034577408 bytes) trimmed"
    bytes=$(echo "$out" | sed -n 's/.*(\([0-9]*\) bytes) trimmed.*/\1/p')
    [ -n "$bytes" ] && [ "$bytes" -gt 0 ]
}
t_check $P/fstrim fstrim_check
t_log "fstrim: $(tail -n 1 "$_t_output_file")"
echo 3 >/proc/sys/vm/drop_caches
fs_sums_match $P/sums-after-fstrim
t_check $P/umount-2 umount $MNT
fs_fsck $P/e2fsck-clean-after-fstrim

# ---- the file system survives an rmmod/insmod
t_check $P/rmmod nvmev_unload
t_check $P/insmod-again nvmev_load && {
    fs_fsck $P/e2fsck-clean-after-reload
    t_check $P/mount-after-reload fs_mount && {
        fs_sums_match $P/sums-after-reload
        # and it is still writable
        t_check $P/write-after-reload sh -c "head -c 1000000 /dev/urandom >$MNT/f-new && sync"
        t_check $P/umount-3 umount $MNT
        fs_fsck $P/e2fsck-clean-at-end
    }
    t_check $P/rmmod-2 nvmev_unload
}
rm -f $SUMS

t_dmesg_clean $P/dmesg-clean
exit 0
