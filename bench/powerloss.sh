#!/usr/bin/env bash
# Power-loss harness: appenders write to a loop-mounted file system that is shut down at a random
# moment with `xfs_io -x -c shutdown` (no log flush: what was not yet on the device is gone, as
# in a power cut); the file system is then remounted (log recovery) and every acknowledged round
# is checked. ext4 is mounted with noauto_da_alloc (no implicit flush on replace-by-rename), and
# XFS with defaults.
#   bench/powerloss.sh [CYCLES=10]          (CYCLES per file system and writer)
# First, on each file system, a deliberately broken writer (the same protocol without the file
# fsync and the directory fsync) must be caught losing acknowledged rounds or leaving unreadable
# files; if it is not, the real writer's zeros mean nothing and the script says so.
# Needs root, losetup, mkfs.ext4, mkfs.xfs and xfs_io; installs xfsprogs with apt-get when it is
# missing (POWERLOSS_NO_INSTALL=1 prevents that). Prints CANNOT RUN and exits 3 when the machine
# does not allow it. Bounded; unmounts, detaches and removes everything it made.
source "$(dirname "$0")/common.sh"
cycles="${1:-10}"

cannot() { echo "CANNOT RUN: $*"; exit 3; }
[ "$(id -u)" = 0 ] || cannot "needs root (loop devices, mount)"
for t in losetup mkfs.ext4 mount umount; do
    command -v "$t" >/dev/null || cannot "$t is missing"
done
if ! command -v mkfs.xfs >/dev/null || ! command -v xfs_io >/dev/null; then
    if [ "${POWERLOSS_NO_INSTALL:-0}" != 1 ] && command -v apt-get >/dev/null; then
        echo "installing xfsprogs (mkfs.xfs, xfs_io)..."
        apt-get install -y -q xfsprogs >/dev/null 2>&1 \
            || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q xfsprogs >/dev/null 2>&1; } \
            || true
    fi
    command -v mkfs.xfs >/dev/null && command -v xfs_io >/dev/null \
        || cannot "mkfs.xfs/xfs_io missing (apt-get install -y xfsprogs)"
fi

work="$(mktemp -d "$REPO/bench/target/powerloss.XXXXXX")"
mnt="$work/mnt"
mkdir -p "$mnt"
dev=""
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    mountpoint -q "$mnt" && umount "$mnt" 2>/dev/null
    [ -n "$dev" ] && losetup -d "$dev" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mount_fs() {
    if [ "$1" = ext4 ]; then mount -o noauto_da_alloc "$dev" "$mnt"; else mount "$dev" "$mnt"; fi
}

# cycle FS WRITER N -> appends findings of this cycle to the tallies
cycle() {
    local fs=$1 w=$2 c=$3 root="$mnt/root-$2" k
    local acks=()
    pids=()
    for k in 1 2; do
        local convs=("c$c-solo$k")
        [ "$w" = engine ] && convs+=("c$c-shared")
        local log="$work/acks-$fs-$w-$c-$k.log"
        acks+=("$log")
        "${DRIVER[@]}" append --root "$root" --writer "$w" --tag "c${c}p$k" "${convs[@]}" \
            >"$log" 2>/dev/null &
        pids+=($!)
    done
    sleep "$(rand_delay 1000 4000)"
    # The power cut: the file system stops here; nothing not yet on the device survives.
    xfs_io -x -c shutdown "$mnt"
    for k in "${pids[@]}"; do kill -9 "$k" 2>/dev/null || true; wait "$k" 2>/dev/null || true; done
    pids=()
    umount "$mnt"
    mount_fs "$fs"
    local final=()
    (( c == cycles )) && [ "$w" = engine ] && final=(--final)
    local out
    out="$("${DRIVER[@]}" verify --root "$root" --writer "$w" "${final[@]}" "${acks[@]}" 2>&1)" || true
    local line
    line="$(grep '^VERIFY' <<<"$out" || echo "VERIFY failed: $out")"
    local acked unreadable lost dup gaps left
    acked=$(sed -n 's/.* acked=\([0-9]*\).*/\1/p' <<<"$line")
    unreadable=$(sed -n 's/.* unreadable=\([0-9]*\).*/\1/p' <<<"$line")
    lost=$(sed -n 's/.* lost=\([0-9]*\).*/\1/p' <<<"$line")
    dup=$(sed -n 's/.* duplicated=\([0-9]*\).*/\1/p' <<<"$line")
    gaps=$(sed -n 's/.* gaps=\([0-9]*\).*/\1/p' <<<"$line")
    left=$(sed -n 's/.* leftover_temps=\([0-9]*\).*/\1/p' <<<"$line")
    local bad=$(( ${unreadable:-0} + ${lost:-0} + ${dup:-0} + ${gaps:-0} + ${left:-0} ))
    [ -z "$acked" ] && bad=$((bad + 1))
    tot_acked=$((tot_acked + ${acked:-0}))
    tot_bad=$((tot_bad + bad))
    tot_unreadable=$((tot_unreadable + ${unreadable:-0}))
    tot_lost=$((tot_lost + ${lost:-0}))
    if (( bad > 0 )); then
        bad_cycles=$((bad_cycles + 1))
        if [ "$w" = engine ]; then
            echo "    cycle $c: $line"
            grep '^  ' <<<"$out" | head -5 || true
        fi
    fi
}

# phase FS WRITER -> prints one summary line
phase() {
    local fs=$1 w=$2 c
    tot_acked=0 tot_bad=0 tot_unreadable=0 tot_lost=0 bad_cycles=0
    for ((c = 1; c <= cycles; c++)); do cycle "$fs" "$w" "$c"; done
    echo "  $fs / $w: $cycles power cuts, $tot_acked acknowledged rounds checked:" \
         "$bad_cycles cycles with findings; unreadable=$tot_unreadable lost=$tot_lost" \
         "(all findings: $tot_bad)"
}

echo "power-loss harness: $cycles cuts per file system and writer ($(date -u +%FT%TZ))"
status=0
for fs in ext4 xfs; do
    img="$work/$fs.img"
    truncate -s 512M "$img"
    if [ "$fs" = ext4 ]; then mkfs.ext4 -q -F "$img"; else mkfs.xfs -q -f "$img"; fi
    dev="$(losetup -f --show "$img")" || cannot "no free loop device (losetup -f)"
    mount_fs "$fs" || cannot "mounting $fs on $dev failed"
    # Does this kernel let xfs_io shut this file system down?
    touch "$mnt/probe"
    if ! xfs_io -x -c shutdown "$mnt" 2>/dev/null; then
        umount "$mnt"; losetup -d "$dev"; dev=""
        echo "  $fs: CANNOT RUN: the shutdown ioctl is not supported here"
        status=3
        continue
    fi
    umount "$mnt"; mount_fs "$fs"
    echo " $fs (loop device $dev):"
    phase "$fs" no-fsync
    if (( tot_bad == 0 )); then
        echo "  -> the broken writer was NOT caught on $fs: the figures below prove nothing."
        status=2
    else
        echo "  -> the broken writer was caught: the harness sees missing fsyncs on $fs."
    fi
    proof_ok=$tot_bad
    phase "$fs" engine
    if (( tot_bad > 0 )); then status=1; fi
    if (( tot_bad == 0 && proof_ok > 0 )); then
        echo "  -> $fs: engine + store clean: every acknowledged round survived every cut."
    fi
    umount "$mnt"; losetup -d "$dev"; dev=""
    rm -f "$img"
done
case $status in
    0) echo "RESULT: clean on every file system, and the broken writer was caught on each." ;;
    1) echo "RESULT: FINDINGS for the real writer (see above)."; exit 1 ;;
    2) echo "RESULT: INCONCLUSIVE: the broken writer was not caught somewhere."; exit 2 ;;
    *) echo "RESULT: PARTIAL: some file system could not be tested."; exit 3 ;;
esac
