#!/usr/bin/env bash
# Multi-process contention: PROCS processes append ROUNDS rounds each to ONE conversation through
# the engine (the store's cross-process lock), all at once. Afterwards the conversation must hold
# exactly PROCS x ROUNDS rounds, numbered 1..N without gaps, each acknowledged round exactly once.
#   bench/contention.sh [PROCS=8] [ROUNDS=50]
# Bounded: the appenders are killed after CONTENTION_TIMEOUT (300) seconds; scratch is removed.
source "$(dirname "$0")/common.sh"
procs="${1:-8}"
rounds="${2:-50}"
limit="${CONTENTION_TIMEOUT:-300}"
work="$(mktemp -d "$REPO/bench/target/contention.XXXXXX")"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "contention: $procs processes x $rounds rounds on one conversation ($(date -u +%FT%TZ))"
started=$SECONDS
for ((k = 1; k <= procs; k++)); do
    timeout -s KILL "$limit" "${DRIVER[@]}" append --root "$work/root" --writer engine \
        --tag "p$k" --count "$rounds" contended >"$work/acks-$k.log" 2>"$work/err-$k.log" &
    pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
pids=()
elapsed=$((SECONDS - started))
if (( failed > 0 )); then
    echo "  $failed appender(s) failed:"
    cat "$work"/err-*.log | grep -v '^$' | head -10 | sed 's/^/    /'
fi
rc=0
"${DRIVER[@]}" verify --root "$work/root" --writer engine --exact --final "$work"/acks-*.log \
    | sed 's/^/  /' || rc=$?
echo "  expected $((procs * rounds)) rounds; appenders took ${elapsed} s"
if (( rc == 0 && failed == 0 )); then
    echo "RESULT: clean: no lost, duplicated or out-of-order round; exact total."
else
    echo "RESULT: FINDINGS (see above)."
    exit 1
fi
