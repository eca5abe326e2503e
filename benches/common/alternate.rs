//! The side-by-side harness: the variants of one group run in alternation, a short batch
//! each, round after round (the order rotating), and each ratio is taken round by round (see
//! `benches/side_by_side.rs`). Shared with `peers/benches/peers_side_by_side.rs`.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Rounds per group: 41, or `ROUNDS` from the environment (more for a noisy machine).
fn rounds() -> usize {
    std::env::var("ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(41)
}
const BATCH_TIME: Duration = Duration::from_millis(4);

pub type Variant = (&'static str, fn(u64) -> u64);

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
pub fn group(name: &str, variants: &[Variant]) {
    let n = calls_per_batch(variants);
    let rounds = rounds();
    let mut times = vec![Vec::with_capacity(rounds); variants.len()];
    for round in 0..rounds {
        for k in 0..variants.len() {
            let i = (k + round) % variants.len();
            times[i].push(batch(variants[i].1, n));
        }
    }
    println!("\n{name} ({rounds} rounds of {n} calls per variant, alternating)");
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
            let mut values: Vec<f64> = (0..rounds).map(f).collect();
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
