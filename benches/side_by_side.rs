//! Ratios measured side by side: the variants of one group run in alternation, a short batch
//! each, round after round (the order rotating), so that a slow phase of a shared machine
//! falls on all of them alike. Criterion (`overhead.rs`) measures one variant after the
//! other; on these machines their times drift by ±30 % within a run, which is more than the
//! differences the targets are about. `cargo bench --bench side_by_side [-- <group filter>]`.
//!
//! For each variant: the median and the spread (10th–90th percentile) of its per-round time
//! per call; then, against the group's baseline (its second variant), the difference and the
//! overhead ratio (variant − floor) / (baseline − floor), each taken round by round (both
//! measured within milliseconds of each other), then the median. (Where the baseline costs
//! about as much as the floor, as `#[tracing::instrument]` with no subscriber does, only the
//! difference means something.)
//!
//! The `…/after_a_subscriber` groups repeat three groups once a subscriber has been set and
//! dropped again, as a test or another benchmark in the same process does: `tracing` keeps
//! the maximum level that subscriber raised, so the level alone no longer says that nobody
//! listens.

use std::hint::black_box;
use std::time::{Duration, Instant};

mod common;
use common::{
    async_awaiting, async_hand_awaiting, async_hand_optimal, async_observed,
    async_observed_awaiting, floor, hand_optimal, observed, poll_ready, span_observe, span_tracing,
    warm_registry,
};

const ROUNDS: usize = 41;
const BATCH_TIME: Duration = Duration::from_millis(4);

type Variant = (&'static str, fn(u64) -> u64);

fn async_floor(x: u64) -> u64 {
    poll_ready(async { floor(x) })
}

fn async_hand(x: u64) -> u64 {
    poll_ready(async_hand_optimal(x))
}

fn async_observe(x: u64) -> u64 {
    poll_ready(async_observed(x))
}

fn awaiting_floor(x: u64) -> u64 {
    poll_ready(async_awaiting(x))
}

fn awaiting_hand(x: u64) -> u64 {
    poll_ready(async_hand_awaiting(x))
}

fn awaiting_hand_holding(x: u64) -> u64 {
    poll_ready(common::async_hand_awaiting_holding(x))
}

fn awaiting_observe(x: u64) -> u64 {
    poll_ready(async_observed_awaiting(x))
}

/// Times `n` calls, in nanoseconds per call.
fn batch(f: fn(u64) -> u64, n: u64) -> f64 {
    let start = Instant::now();
    for i in 0..n {
        black_box(f(black_box(i)));
    }
    start.elapsed().as_nanos() as f64 / n as f64
}

/// Calls per batch, so that the slowest variant's batch takes about `BATCH_TIME`.
fn calls_per_batch(variants: &[Variant]) -> u64 {
    for (_, f) in variants {
        batch(*f, 10_000); // warm up: first calls resolve call sites
    }
    let slowest = variants
        .iter()
        .map(|(_, f)| batch(*f, 20_000))
        .fold(0.0, f64::max);
    ((BATCH_TIME.as_nanos() as f64 / slowest) as u64).max(1_000)
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// Runs the variants of one group in alternation and prints their times, and the ratio of
/// each variant's overhead over the floor to that of `baseline` (`variants[1]`).
fn group(name: &str, variants: &[Variant]) {
    let n = calls_per_batch(variants);
    let mut times = vec![Vec::with_capacity(ROUNDS); variants.len()];
    for round in 0..ROUNDS {
        for k in 0..variants.len() {
            let i = (k + round) % variants.len();
            times[i].push(batch(variants[i].1, n));
        }
    }
    println!("\n{name} ({ROUNDS} rounds of {n} calls per variant, alternating)");
    println!(
        "  {:<22} {:>10} {:>22}",
        "variant", "median", "p10 – p90 (ns/call)"
    );
    for ((label, _), t) in variants.iter().zip(&times) {
        let mut sorted = t.clone();
        sorted.sort_by(f64::total_cmp);
        println!(
            "  {:<22} {:>10.2} {:>10.2} – {:<10.2}",
            label,
            quantile(&sorted, 0.5),
            quantile(&sorted, 0.1),
            quantile(&sorted, 0.9)
        );
    }
    let (base_label, _) = variants[1];
    for (v, (label, _)) in variants.iter().enumerate().skip(2) {
        let per_round = |f: &dyn Fn(usize) -> f64| {
            let mut values: Vec<f64> = (0..ROUNDS).map(f).collect();
            values.sort_by(f64::total_cmp);
            values
        };
        let differences = per_round(&|r| times[v][r] - times[1][r]);
        println!(
            "  {label} − {base_label}: median {:+.2} ns, p10 – p90 {:+.2} – {:+.2}",
            quantile(&differences, 0.5),
            quantile(&differences, 0.1),
            quantile(&differences, 0.9)
        );
        let ratios = per_round(&|r| (times[v][r] - times[0][r]) / (times[1][r] - times[0][r]));
        println!(
            "  ratio ({label} − floor) / ({base_label} − floor): median {:.3}, p10 – p90 {:.3} – {:.3}",
            quantile(&ratios, 0.5),
            quantile(&ratios, 0.1),
            quantile(&ratios, 0.9)
        );
    }
}

fn main() {
    let filter = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_default();
    let groups: [(&str, Vec<Variant>); 8] = [
        (
            "metrics",
            vec![
                ("floor", floor),
                ("hand_optimal", hand_optimal),
                ("observe", observed),
            ],
        ),
        (
            "async_metrics",
            vec![
                ("floor", async_floor),
                ("hand_optimal", async_hand),
                ("observe", async_observe),
            ],
        ),
        (
            "async_awaiting_metrics",
            vec![
                ("floor", awaiting_floor),
                ("hand_optimal", awaiting_hand),
                ("observe", awaiting_observe),
                ("hand_holding_80_bytes", awaiting_hand_holding),
            ],
        ),
        (
            "span/none",
            vec![
                ("floor", floor),
                ("tracing_instrument", span_tracing),
                ("observe", span_observe),
            ],
        ),
        (
            "span/registry",
            vec![
                ("floor", floor),
                ("tracing_instrument", span_tracing),
                ("observe", span_observe),
            ],
        ),
        (
            "metrics/after_a_subscriber",
            vec![
                ("floor", floor),
                ("hand_optimal", hand_optimal),
                ("observe", observed),
            ],
        ),
        (
            "async_awaiting_metrics/after_a_subscriber",
            vec![
                ("floor", awaiting_floor),
                ("hand_optimal", awaiting_hand),
                ("observe", awaiting_observe),
            ],
        ),
        (
            "span/none/after_a_subscriber",
            vec![
                ("floor", floor),
                ("tracing_instrument", span_tracing),
                ("observe", span_observe),
            ],
        ),
    ];
    for (name, variants) in &groups {
        if !name.contains(filter.as_str()) {
            continue;
        }
        if name.ends_with("registry") {
            tracing::subscriber::with_default(tracing_subscriber::registry(), || {
                warm_registry();
                group(name, variants)
            });
        } else if name.ends_with("after_a_subscriber") {
            // A subscriber that was set and is gone (a test's or a benchmark's scoped one):
            // `tracing` keeps the maximum level it raised, so only a look at the current
            // dispatcher tells that nobody listens.
            tracing::subscriber::with_default(tracing_subscriber::registry(), || {});
            group(name, variants);
        } else {
            group(name, variants);
        }
    }
}
