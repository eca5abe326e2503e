#!/usr/bin/env bash
# Compile time and code size of 300 small annotated functions, for: none,
# `#[tracing::instrument]`, `#[observe]`, `#[observe(counter, histogram)]`, and the peers
# `#[fastrace::trace]` (feature `enable`) and `#[autometrics]` (its tikv `prometheus` 0.14
# backend).
#
# For each variant a binary crate is generated with 300 `#[inline(never)]` functions and a
# `main` calling them all; every variant also has the same four anchor functions (one
# `#[tracing::instrument]`, one `#[observe(counter, histogram, …)]` returning a `Result`, one
# `#[fastrace::trace]`, one `#[autometrics]`), so that each binary links the same runtime
# code and the binaries differ only by the 300 annotations. Reported:
# - build: the median wall time of 3 `cargo build --release` rebuilds of that crate alone
#   (its source touched, dependencies already built), the variants rebuilt in alternation,
#   round by round (`ROUNDS=5` for more rounds);
# - .text: the size of the binary's `.text` section;
# and for each variant the difference to `none`, per function.
#
# Usage: bash benches/compile/measure.sh [functions] (default 300). Needs `size` (binutils).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
n="${1:-300}"
work="${OBSERVE_COMPILE_DIR:-${TMPDIR:-/tmp}/observe-compile}"
mkdir -p "$work"
export CARGO_TARGET_DIR="$work/target"

variants=(none tracing observe observe_metrics fastrace autometrics)

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
  local variant=$1 dir="$work/gen_$1"
  mkdir -p "$dir/src"
  cat > "$dir/Cargo.toml" <<TOML
[package]
name = "gen_$variant"
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

# Every variant is built once first (its dependencies too), then rebuilt in rounds: each round
# rebuilds every variant once, the order rotating from round to round, so that a slow phase of
# a shared machine falls on all variants alike rather than on the one built during it.
rounds="${ROUNDS:-3}"
declare -A build text times
for variant in "${variants[@]}"; do
  generate "$variant"
  cargo build -q --release --manifest-path "$work/gen_$variant/Cargo.toml"
  times[$variant]=""
done
count=${#variants[@]}
for round in $(seq 0 $((rounds - 1))); do
  for k in $(seq 0 $((count - 1))); do
    variant=${variants[$(((k + round) % count))]}
    touch "$work/gen_$variant/src/main.rs"
    start=$(now)
    cargo build -q --release --manifest-path "$work/gen_$variant/Cargo.toml"
    end=$(now)
    times[$variant]+="$(echo "($end - $start) * 1000" | bc -l) "
  done
done

printf '%-16s %10s %12s %14s %14s   %s\n' variant build_ms text_bytes ms_per_fn bytes_per_fn rebuilds_ms
for variant in "${variants[@]}"; do
  sorted=$(printf '%s\n' ${times[$variant]} | sort -g)
  build[$variant]=$(echo "$sorted" | sed -n "$(((rounds + 1) / 2))p")
  text[$variant]=$(size -A "$CARGO_TARGET_DIR/release/gen_$variant" | awk '$1 == ".text" { print $2 }')
  per_ms=$(echo "(${build[$variant]} - ${build[none]}) / $n" | bc -l)
  per_bytes=$(echo "(${text[$variant]} - ${text[none]}) / $n" | bc -l)
  all=$(printf '%.0f ' ${times[$variant]})
  printf '%-16s %10.0f %12d %14.2f %14.0f   %s\n' "$variant" "${build[$variant]}" "${text[$variant]}" "$per_ms" "$per_bytes" "$all"
done
