#!/usr/bin/env bash
# Runs the benchmarks and appends their tables to bench/target/bench-results.md.
#   bench/run-benchmarks.sh [quick|full] [append|scale|startup|parallel|range|memory|memory-postgres|postgres|server|all ...]
#       [--endpoint URL --model M]   (memory: summarize through an OpenAI-compatible endpoint)
# quick (default) takes about a minute; full (the published figures) a few minutes.
# BENCH_DIR overrides the scratch directory (default bench/target/bench-work, on the same file
# system as the repository); it is deleted at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-quick}"
shift || true
figures=("$@")
[ ${#figures[@]} -eq 0 ] && figures=(all)

# The launcher image (figure 3) and the bench jar with its runtime classpath (target/lib).
./mvnw -B -q -DskipTests package -pl cli,bench -am

work="${BENCH_DIR:-$PWD/bench/target/bench-work}"
results="$PWD/bench/target/bench-results.md"
exec java -Xms256m -Xmx2g -cp "bench/target/classes:bench/target/lib/*" \
    dev.palimpsest.bench.BenchMain "$mode" "$work" "$results" "${figures[@]}"
