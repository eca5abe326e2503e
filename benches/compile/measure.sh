#!/usr/bin/env bash
# The marginal compile time and code size of one more annotated function, for: none,
# `#[tracing::instrument]`, `#[observe]`, `#[observe(counter, histogram)]`, and the peers
# `#[fastrace::trace]` (feature `enable`) and `#[autometrics]` (its tikv `prometheus` 0.14
# backend).
#
# For each variant two binary crates are generated, with SMALL (100) and LARGE (300) small
# `#[inline(never)]` functions and a `main` calling them all; every crate also has the same
# four anchor functions (one `#[tracing::instrument]`, one `#[observe(counter, histogram, …)]`
# returning a `Result`, one `#[fastrace::trace]`, one `#[autometrics]`), so that each binary
# links the same runtime code. Reported per variant and size:
# - build: the median wall time of `ROUNDS` (3) `cargo build --release` rebuilds of that crate
#   alone (its source touched, dependencies already built), all crates rebuilt in
#   alternation, round by round, so that a slow phase of the machine falls on all alike;
# - .text: the size of the binary's `.text` section;
# and the marginal cost: (LARGE − SMALL) / (LARGE − SMALL functions), in ms and bytes per
# function. What every build pays once (the runtime linked, the macro crate loaded, shared
# monomorphizations) cancels out; what each annotated function adds (the proc macro's own
# time included) is what remains.
#
# With `INSTRUCTIONS=1` each crate is also rebuilt once with its `rustc` under callgrind, and
# the marginal rustc instructions per function are reported: exact where wall time on a shared
# machine moves by milliseconds (needs valgrind; about a minute a crate).
#
# Usage: bash benches/compile/measure.sh [small] [large] (default 100 300). Needs `size`.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
small="${1:-100}"
large="${2:-300}"
work="${OBSERVE_COMPILE_DIR:-${TMPDIR:-/tmp}/observe-compile}"
mkdir -p "$work"
export CARGO_TARGET_DIR="$work/target"

# `VARIANTS="none observe"` measures only those.
read -r -a variants <<< "${VARIANTS:-none tracing observe observe_metrics fastrace autometrics}"

attribute() {
  case "$1" in
    none) echo "" ;;
    tracing) echo "#[tracing::instrument]" ;;
    observe) echo "#[observe::observe]" ;;
    observe_metrics) echo "#[observe::observe(counter = \"calls_$2\", histogram = \"duration_$2_ms\")]" ;;
    fastrace) echo "#[fastrace::trace]" ;;
    autometrics) echo "#[autometrics::autometrics]" ;;
  esac
}

generate() {
  local variant=$1 n=$2 dir="$work/gen_$1_$2"
  mkdir -p "$dir/src"
  cat > "$dir/Cargo.toml" <<TOML
[package]
name = "gen_${variant}_$n"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
observe-telemetry = { path = "$root", default-features = false }
tracing = { version = "0.1", default-features = false, features = ["std", "attributes"] }
fastrace = { version = "0.7", features = ["enable"] }
autometrics = { version = "3.0", default-features = false, features = ["prometheus-0_14"] }

[profile.release]
debug = false

[workspace]
TOML
  {
    echo "#![allow(clippy::all)]"
    echo "#![allow(unused_braces)] // fastrace's and autometrics' expansions trip it on one-line bodies"
    echo "#[tracing::instrument]"
    echo "fn anchor_tracing(x: u64) -> u64 { x + 1 }"
    echo "#[observe::observe(counter = \"anchor_calls\", histogram = \"anchor_ms\", errors = \"anchor_failed\", in_flight = \"anchor_in_flight\", flow)]"
    echo "fn anchor_observe(x: u64) -> Result<u64, std::io::Error> { observe::step!(\"one\"); Ok(x + 1) }"
    echo "#[fastrace::trace]"
    echo "fn anchor_fastrace(x: u64) -> u64 { x + 2 }"
    echo "#[autometrics::autometrics]"
    echo "fn anchor_autometrics(x: u64) -> u64 { x + 3 }"
    for i in $(seq 1 "$n"); do
      attribute "$variant" "$i"
      echo "#[inline(never)]"
      echo "pub fn f$i(x: u64) -> u64 { x.wrapping_mul($i).rotate_left(3) }"
    done
    echo "fn main() {"
    echo "    let mut acc = std::hint::black_box(1u64);"
    for i in $(seq 1 "$n"); do
      echo "    acc = acc.wrapping_add(f$i(std::hint::black_box(acc)));"
    done
    echo "    acc = anchor_tracing(acc) + anchor_observe(acc).unwrap_or(0);"
    echo "    acc = acc.wrapping_add(anchor_fastrace(acc)).wrapping_add(anchor_autometrics(acc));"
    echo "    tracing::info!(acc, \"done\");"
    echo "    print!(\"{}{}\", acc, observe::metrics::render().len());"
    echo "}"
  } > "$dir/src/main.rs"
}

now() { date +%s.%N; }

# Every crate is built once first (its dependencies too), then rebuilt in rounds: each round
# rebuilds every crate once, the order rotating from round to round.
rounds="${ROUNDS:-3}"
declare -A times
crates=()
for variant in "${variants[@]}"; do
  for n in "$small" "$large"; do
    generate "$variant" "$n"
    crates+=("${variant}_$n")
  done
done
for crate in "${crates[@]}"; do
  cargo build -q --release --manifest-path "$work/gen_$crate/Cargo.toml"
  times[$crate]=""
done
count=${#crates[@]}
for round in $(seq 0 $((rounds - 1))); do
  for k in $(seq 0 $((count - 1))); do
    crate=${crates[$(((k + round) % count))]}
    touch "$work/gen_$crate/src/main.rs"
    start=$(now)
    cargo build -q --release --manifest-path "$work/gen_$crate/Cargo.toml"
    end=$(now)
    times[$crate]+="$(echo "($end - $start) * 1000" | bc -l) "
  done
done

median() { printf '%s\n' $1 | sort -g | sed -n "$(((rounds + 1) / 2))p"; }
text_of() { size -A "$CARGO_TARGET_DIR/release/gen_$1" | awk '$1 == ".text" { print $2 }'; }
printf '%-16s %12s %12s %14s %14s %14s\n' variant "ms_$small" "ms_$large" "text_$small" "text_$large" ""
printf '%-16s %12s %12s %14s %14s   %s\n' "" "" "" "" "" "marginal per function"
for variant in "${variants[@]}"; do
  ms_small=$(median "${times[${variant}_$small]}")
  ms_large=$(median "${times[${variant}_$large]}")
  text_small=$(text_of "${variant}_$small")
  text_large=$(text_of "${variant}_$large")
  per_ms=$(echo "($ms_large - $ms_small) / ($large - $small)" | bc -l)
  per_bytes=$(echo "($text_large - $text_small) / ($large - $small)" | bc -l)
  printf '%-16s %12.0f %12.0f %14d %14d   %.2f ms, %.0f B\n' "$variant" "$ms_small" "$ms_large" "$text_small" "$text_large" "$per_ms" "$per_bytes"
done

if [ -n "${INSTRUCTIONS:-}" ]; then
  # The workspace crate's rustc only (its dependencies are built already).
  wrapper="$work/count-rustc.sh"
  cat > "$wrapper" <<'SH'
#!/usr/bin/env bash
exec valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2> >(awk '/Collected/ { print $NF }' > "$COUNT_TO")
SH
  chmod +x "$wrapper"
  declare -A counts
  for crate in "${crates[@]}"; do
    touch "$work/gen_$crate/src/main.rs"
    COUNT_TO="$work/count_$crate" RUSTC_WORKSPACE_WRAPPER="$wrapper" \
      cargo build -q --release --manifest-path "$work/gen_$crate/Cargo.toml"
    sleep 1 # the wrapper's awk writes after rustc exits
    counts[$crate]=$(cat "$work/count_$crate")
  done
  printf '\n%-16s %16s %16s   %s\n' variant "rustc_$small" "rustc_$large" "rustc instructions per function"
  for variant in "${variants[@]}"; do
    a=${counts[${variant}_$small]}
    b=${counts[${variant}_$large]}
    printf '%-16s %16d %16d   %.1f M\n' "$variant" "$a" "$b" "$(echo "($b - $a) / ($large - $small) / 1000000" | bc -l)"
  done
fi
