#!/usr/bin/env bash
# Kill-9 loop: KILL9_APPENDERS (3) appender processes run all the time; each cycle, one of them,
# picked at random, is killed with SIGKILL at a random moment and replaced by a new one. Every
# acknowledged round must survive, every file must stay readable, no round may be duplicated or
# skipped, and once each conversation is written again no temp file may be left.
#   bench/kill9-loop.sh [CYCLES=1000] [WRITER=engine]
# Each appender appends round-robin to a conversation shared by all of them and to its own one.
# WRITER=in-place runs a deliberately broken writer (it rewrites its file in place, without a
# rename; it shares nothing). Before the real run, the loop proves that it catches that writer
# (up to KILL9_PROOF_CYCLES=100 kills; 0 skips the proof).
# Verified every KILL9_VERIFY_EVERY (50) kills while the others keep appending, and at the end
# with every appender stopped. Bounded: a kill every 0.2-0.8 s; the scratch directory is removed.
source "$(dirname "$0")/common.sh"
cycles="${1:-1000}"
writer="${2:-engine}"
appenders="${KILL9_APPENDERS:-3}"
verify_every="${KILL9_VERIFY_EVERY:-50}"
proof_cycles="${KILL9_PROOF_CYCLES:-100}"

work="$(mktemp -d "$REPO/bench/target/kill9.XXXXXX")"
declare -a pids=()
cleanup() {
    for p in "${pids[@]}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NAME WRITER SLOT TAG: starts appender SLOT, recording its pid
start() {
    local name=$1 w=$2 k=$3 tag=$4
    local convs=("solo-$k")
    [ "$w" = engine ] && convs+=("shared")
    "${DRIVER[@]}" append --root "$work/$name" --writer "$w" --tag "$tag" "${convs[@]}" \
        >>"$work/$name-acks/p$k.log" 2>>"$work/$name-stderr.log" &
    pids[$k]=$!
}

# verify NAME WRITER [--final]: returns 1 and prints the findings if there are any
verify() {
    local name=$1 w=$2
    shift 2
    verifications=$((verifications + 1))
    if ! "${DRIVER[@]}" verify --root "$work/$name" --writer "$w" "$@" "$work/$name-acks"/*.log \
            >"$work/$name-verify.txt" 2>&1; then
        echo "  after $cycle kills: findings:"
        sed 's/^/    /' "$work/$name-verify.txt" | head -12
        return 1
    fi
}

# run_loop NAME WRITER KILLS STOP_AT_FIRST_FINDING -> prints a summary, sets found_any
run_loop() {
    local name=$1 w=$2 n=$3 stop_early=$4 k
    mkdir -p "$work/$name" "$work/$name-acks"
    found_any=0 failures=0 verifications=0 cycle=0
    local started=$SECONDS
    for ((k = 1; k <= appenders; k++)); do start "$name" "$w" "$k" "c0p$k"; done
    for ((cycle = 1; cycle <= n; cycle++)); do
        sleep "$(rand_delay 200 800)"
        k=$(( RANDOM % appenders + 1 ))
        if kill -0 "${pids[$k]}" 2>/dev/null; then
            kill -9 "${pids[$k]}" 2>/dev/null || true
            wait "${pids[$k]}" 2>/dev/null || true
        else
            # It exited before the kill: an appender failed on its own.
            wait "${pids[$k]}" 2>/dev/null || failures=$((failures + 1))
        fi
        start "$name" "$w" "$k" "c${cycle}p$k"
        if (( cycle % verify_every == 0 )) || [ "$stop_early" = 1 ]; then
            if ! verify "$name" "$w"; then
                found_any=1
                [ "$stop_early" = 1 ] && break
            fi
        fi
        if (( cycle % 100 == 0 )); then
            echo "  ... $cycle kills, $((SECONDS - started)) s"
        fi
    done
    for ((k = 1; k <= appenders; k++)); do
        kill -9 "${pids[$k]}" 2>/dev/null || true
        wait "${pids[$k]}" 2>/dev/null || true
        pids[$k]=""
    done
    if [ "$found_any" = 0 ] || [ "$stop_early" != 1 ]; then
        local final=()
        [ "$w" = engine ] && final=(--final)
        verify "$name" "$w" "${final[@]}" || found_any=1
    fi
    local acked
    acked=$(cat "$work/$name-acks"/*.log 2>/dev/null | grep -c '^ACK' || true)
    echo "  $name: writer=$w kills=$((cycle > n ? n : cycle)) appenders=$appenders" \
         "acknowledged rounds=$acked verifications=$verifications" \
         "appender failures=$failures time=$((SECONDS - started)) s"
    grep '^VERIFY' "$work/$name-verify.txt" | sed 's/^/  last: /' || true
    if (( failures > 0 )); then
        echo "  appender errors (first lines):"
        grep -v '^$' "$work/$name-stderr.log" | head -5 | sed 's/^/    /'
        found_any=1
    fi
}

echo "kill-9 loop: $cycles kills among $appenders appenders, writer $writer ($(date -u +%FT%TZ))"
if [ "$writer" = engine ] && (( proof_cycles > 0 )); then
    echo "proof: does the loop catch a writer that rewrites its file in place?"
    run_loop proof in-place "$proof_cycles" 1
    if [ "$found_any" = 1 ]; then
        echo "  -> yes: the broken writer was caught."
    else
        echo "  -> NO: the loop did not catch the broken writer in $proof_cycles kills;" \
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
