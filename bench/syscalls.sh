#!/usr/bin/env bash
# Counts the system calls of one operation of each contender of figure 1 (a durable round),
# with strace -c: each contender runs N times and 0 times in its own JVM, and the difference is
# divided by N, so that JVM start-up and set-up cancel out.
#   bench/syscalls.sh [N=1000]   (about a minute)
# Needs strace (apt-get install -y strace). Scratch data under bench/target, removed after.
source "$(dirname "$0")/common.sh"
n="${1:-1000}"
command -v strace >/dev/null || { echo "CANNOT RUN: strace is missing (apt-get install -y strace)"; exit 3; }
work="$(mktemp -d "$REPO/bench/target/syscalls.XXXXXX")"
trap 'rm -rf "$work"' EXIT
calls="fsync fdatasync rename openat close write pwrite64 read pread64 fcntl fchmod statx newfstatat unlink"
count() { # count PREFIX OPS OUTFILE
    strace -f -c -o "$3" java -cp "$BENCH_CP" dev.palimpsest.bench.SyscallProbe \
        "$work/probe" "$1" "$2" >/dev/null
}
printf '| contender (per operation) |'; for c in $calls; do printf ' %s |' "$c"; done; echo
printf '|---|'; for c in $calls; do printf -- '---|'; done; echo
for prefix in "1a" "1b" "1c store-file append of one round, window 48" "1c store-file append of one round, window 4096" "1d" "1e"; do
    count "$prefix" 0 "$work/zero.txt"
    count "$prefix" "$n" "$work/many.txt"
    printf '| %s |' "$prefix"
    for c in $calls; do
        a=$(awk -v s="$c" '$NF==s {print $4}' "$work/zero.txt" | head -1)
        b=$(awk -v s="$c" '$NF==s {print $4}' "$work/many.txt" | head -1)
        awk -v a="${a:-0}" -v b="${b:-0}" -v n="$n" \
            'BEGIN { x = (b - a) / n; if (x < 0.05 && x > -0.05) x = 0; printf " %.1f |", x }'
    done
    echo
done
