#!/usr/bin/env bash
# Compile time and code size of 300 small annotated functions, for: none,
# `#[tracing::instrument]`, `#[observe]`, `#[observe(counter, histogram)]`.
#
# For each variant a binary crate is generated with 300 `#[inline(never)]` functions and a
# `main` calling them all; every variant also has the same two anchor functions (one
# `#[tracing::instrument]`, one `#[observe(counter, histogram)]` returning a `Result`), so
# that each binary links the same runtime code and the binaries differ only by the 300
# annotations. Reported:
# - build: the median wall time of 3 `cargo build --release` rebuilds of that crate alone
#   (its source touched, dependencies already built);
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

variants=(none tracing observe observe_metrics)

attribute() {
  case "$1" in
    none) echo "" ;;
    tracing) echo "#[tracing::instrument]" ;;
    observe) echo "#[observe::observe]" ;;
    observe_metrics) echo "#[observe::observe(counter = \"calls_$2\", histogram = \"duration_$2_ms\")]" ;;
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
observe = { path = "$root", default-features = false }
tracing = { version = "0.1", default-features = false, features = ["std", "attributes"] }

[profile.release]
debug = false

[workspace]
TOML
  {
    echo "#![allow(clippy::all)]"
    echo "#[tracing::instrument]"
    echo "fn anchor_tracing(x: u64) -> u64 { x + 1 }"
    echo "#[observe::observe(counter = \"anchor_calls\", histogram = \"anchor_ms\", errors = \"anchor_failed\", in_flight = \"anchor_in_flight\", flow)]"
    echo "fn anchor_observe(x: u64) -> Result<u64, std::io::Error> { observe::step!(\"one\"); Ok(x + 1) }"
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
    echo "    tracing::info!(acc, \"done\");"
    echo "    print!(\"{}{}\", acc, observe::metrics::render().len());"
    echo "}"
  } > "$dir/src/main.rs"
}

now() { date +%s.%N; }

printf '%-16s %10s %12s %14s %14s\n' variant build_ms text_bytes ms_per_fn bytes_per_fn
declare -A build text
for variant in "${variants[@]}"; do
  generate "$variant"
  manifest="$work/gen_$variant/Cargo.toml"
  cargo build -q --release --manifest-path "$manifest"
  times=()
  for _ in 1 2 3; do
    touch "$work/gen_$variant/src/main.rs"
    start=$(now)
    cargo build -q --release --manifest-path "$manifest"
    end=$(now)
    times+=("$(echo "($end - $start) * 1000" | bc -l)")
  done
  build[$variant]=$(printf '%s\n' "${times[@]}" | sort -g | sed -n 2p)
  text[$variant]=$(size -A "$CARGO_TARGET_DIR/release/gen_$variant" | awk '$1 == ".text" { print $2 }')
  per_ms=$(echo "(${build[$variant]} - ${build[none]}) / $n" | bc -l)
  per_bytes=$(echo "(${text[$variant]} - ${text[none]}) / $n" | bc -l)
  printf '%-16s %10.0f %12d %14.2f %14.0f\n' "$variant" "${build[$variant]}" "${text[$variant]}" "$per_ms" "$per_bytes"
done
