# Sourced by the bench/*.sh scripts: builds the bench jar once and sets up the driver command.
# BENCH_SKIP_BUILD=1 skips the build (when a script runs right after another).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    ./mvnw -B -q -DskipTests package -pl bench -am
fi
# BENCH_CP may point at a copy of the classes and jars, so that a long run is not disturbed by a
# rebuild of the work tree.
BENCH_CP="${BENCH_CP:-$REPO/bench/target/classes:$REPO/bench/target/lib/*}"
# Short-lived drivers: fast start-up matters more than peak speed.
DRIVER=(java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -cp "$BENCH_CP"
        dev.palimpsest.bench.ReliabilityDriver)

# A random delay in seconds between $1 and $2 (milliseconds), for `sleep`.
rand_delay() {
    local lo=$1 hi=$2
    local ms=$(( lo + (RANDOM * 32768 + RANDOM) % (hi - lo + 1) ))
    printf '%d.%03d' $((ms / 1000)) $((ms % 1000))
}
