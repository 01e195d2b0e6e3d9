#!/usr/bin/env bash
# Kill-9 loop: concurrent appender processes are killed with SIGKILL at random moments, over and
# over; every acknowledged round must survive, every file must stay readable, no round may be
# duplicated, and no temp file may be left once each conversation is written again.
#   bench/kill9-loop.sh [CYCLES=1000] [WRITER=engine]
# WRITER=in-place runs a deliberately broken writer (rewrites its file in place) to show that
# the loop catches torn files. Before the real run, the loop proves that on its own (up to
# KILL9_PROOF_CYCLES=30 cycles; KILL9_PROOF_CYCLES=0 skips it).
# KILL9_APPENDERS (3) processes per cycle: each appends round-robin to the shared conversation
# and its own one; KILL9_VERIFY_EVERY (10) cycles between verifications (losses are cumulative,
# so a later verification still sees them); the last cycle is always verified.
# Bounded: each cycle lasts at most ~3 s plus a verification; the scratch directory is removed.
source "$(dirname "$0")/common.sh"
cycles="${1:-1000}"
writer="${2:-engine}"
appenders="${KILL9_APPENDERS:-3}"
verify_every="${KILL9_VERIFY_EVERY:-10}"
proof_cycles="${KILL9_PROOF_CYCLES:-30}"

work="$(mktemp -d "$REPO/bench/target/kill9.XXXXXX")"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

# run_loop NAME WRITER CYCLES STOP_AT_FIRST_FINDING -> prints a summary, sets found_any
run_loop() {
    local name=$1 w=$2 n=$3 stop_early=$4
    local root="$work/$name" acks="$work/$name-acks" failures=0 verifications=0 cycle
    mkdir -p "$root" "$acks"
    found_any=0
    local started=$SECONDS
    for ((cycle = 1; cycle <= n; cycle++)); do
        pids=()
        for ((k = 1; k <= appenders; k++)); do
            local convs=("solo-$k")
            # The broken writer takes no lock: only the engine shares a conversation.
            [ "$w" = engine ] && convs+=("shared")
            "${DRIVER[@]}" append --root "$root" --writer "$w" --tag "c${cycle}p$k" "${convs[@]}" \
                >>"$acks/p$k.log" 2>>"$work/$name-stderr.log" &
            pids+=($!)
        done
        sleep "$(rand_delay 800 3000)"
        for p in "${pids[@]}"; do
            if kill -0 "$p" 2>/dev/null; then
                kill -9 "$p" 2>/dev/null || true
                wait "$p" 2>/dev/null || true
            else
                # Exited before the kill: an appender failed on its own.
                wait "$p" 2>/dev/null || failures=$((failures + 1))
            fi
        done
        pids=()
        if (( cycle % verify_every == 0 || cycle == n )) || [ "$stop_early" = 1 ]; then
            local final=()
            (( cycle == n )) && [ "$w" = engine ] && final=(--final)
            verifications=$((verifications + 1))
            if ! "${DRIVER[@]}" verify --root "$root" --writer "$w" "${final[@]}" "$acks"/*.log \
                    >"$work/$name-verify.txt" 2>&1; then
                found_any=1
                echo "  cycle $cycle: findings:"
                sed 's/^/    /' "$work/$name-verify.txt" | head -12
                [ "$stop_early" = 1 ] && break
            fi
        fi
    done
    local acked
    acked=$(cat "$acks"/*.log 2>/dev/null | grep -c '^ACK' || true)
    echo "  $name: writer=$w cycles=$((cycle > n ? n : cycle)) appenders/cycle=$appenders" \
         "acknowledged rounds=$acked verifications=$verifications appender failures=$failures" \
         "time=$((SECONDS - started)) s"
    grep '^VERIFY' "$work/$name-verify.txt" | sed 's/^/  last: /' || true
    if (( failures > 0 )); then
        echo "  appender errors (first lines):"
        grep -v '^$' "$work/$name-stderr.log" | head -5 | sed 's/^/    /'
        found_any=1
    fi
}

echo "kill-9 loop: $cycles cycles of $appenders appenders, writer $writer ($(date -u +%FT%TZ))"
if [ "$writer" = engine ] && (( proof_cycles > 0 )); then
    echo "proof: can the loop catch a writer that rewrites its file in place?"
    run_loop proof in-place "$proof_cycles" 1
    if [ "$found_any" = 1 ]; then
        echo "  -> yes: the broken writer was caught."
    else
        echo "  -> NO: the loop did not catch the broken writer in $proof_cycles cycles;" \
             "its zeros below are weak evidence."
    fi
fi
run_loop run "$writer" "$cycles" 0
if [ "$found_any" = 0 ]; then
    echo "RESULT: clean: no unreadable file, no lost or duplicated acknowledged round, no gap," \
         "no leftover temp file."
else
    echo "RESULT: FINDINGS (see above)."
    exit 1
fi
