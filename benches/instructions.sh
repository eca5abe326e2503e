#!/usr/bin/env bash
# Instructions per call of each variant of benches/instructions.rs, under callgrind: the
# binary runs N and 2N calls and the difference is divided by N, so start-up cancels out.
# Stable where wall-clock timings on a shared machine are not. Under valgrind quanta cannot
# use the TSC and reads the OS clock: the clock's instructions are the same for `hand` and
# `metric`, and larger than on hardware.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
bin=$(cargo bench --bench instructions --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys; print([m["executable"] for m in map(json.loads, sys.stdin) if m.get("executable") and "instructions" in m["executable"]][-1])')
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 | awk '/Collected/ { print $NF }'
}
printf '%-10s %-10s %s\n' variant subscriber instructions_per_call
for subscriber in none registry; do
  for variant in floor hand metric span tracing async; do
    if [ "$subscriber" = registry ]; then export REGISTRY=1; else unset REGISTRY; fi
    one=$(count "$bin" "$variant" "$n")
    two=$(count "$bin" "$variant" $((2 * n)))
    printf '%-10s %-10s %d\n' "$variant" "$subscriber" $(( (two - one) / n ))
  done
done
