#!/usr/bin/env bash
# Instructions per call of each variant of benches/instructions.rs, under callgrind: only
# the instructions executed inside the variant's function (and what it calls) are counted
# (`--toggle-collect`), divided by the number of calls, so start-up does not count. Stable
# where wall-clock timings on a shared machine are not. The clock is quanta's mock clock (under
# valgrind quanta could not use the TSC, and the OS clock's instruction count varies): the same
# clock reads for `hand` and `metric`.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200000}
# FEATURES=testing counts the same calls in a build with `observe::testing` compiled in (and
# no capture active): what the feature costs a call.
bin=$(cargo bench --bench instructions --no-run --message-format=json ${FEATURES:+--features "$FEATURES"} 2>/dev/null \
  | python3 -c 'import json,sys; print([m["executable"] for m in map(json.loads, sys.stdin) if m.get("executable") and "instructions" in m["executable"]][-1])')
count() {
  local function=$1
  shift
  valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect="$function" "$@" 2>&1 \
    | awk '/Collected/ { print $NF }'
}
function_of() {
  case "$1" in
    floor) echo "instructions::common::floor" ;;
    hand) echo "instructions::common::hand_optimal" ;;
    metric) echo "instructions::common::observed" ;;
    span) echo "instructions::common::span_observe" ;;
    tracing) echo "instructions::common::span_tracing" ;;
    async) echo "instructions::run_async" ;;
    async_hand) echo "instructions::run_async_hand" ;;
    awaiting) echo "instructions::run_awaiting" ;;
    awaiting_hand) echo "instructions::run_awaiting_hand" ;;
  esac
}
printf '%-10s %-10s %s\n' variant subscriber instructions_per_call
# `dropped`: no subscriber, but one was set and dropped first (`tracing` keeps its level).
for subscriber in none registry dropped; do
  for variant in floor hand metric span tracing async_hand async awaiting_hand awaiting; do
    unset REGISTRY DROPPED
    if [ "$subscriber" = registry ]; then export REGISTRY=1; fi
    if [ "$subscriber" = dropped ]; then export DROPPED=1; fi
    total=$(count "$(function_of "$variant")" "$bin" "$variant" "$n")
    printf '%-10s %-10s %d\n' "$variant" "$subscriber" $(( total / n ))
  done
done
