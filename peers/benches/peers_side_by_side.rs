//! observe against autometrics on the metric path, side by side: the variants alternate, a
//! short batch each, round after round, and the ratio is taken round by round (the harness of
//! `benches/side_by_side.rs`), so that a slow phase of a shared machine falls on both alike.
//! `observe` is the baseline: the ratio printed for autometrics is how many times observe's
//! overhead over the floor autometrics costs. autometrics runs on its default setup, or on
//! its tikv `prometheus` 0.14 backend with `--features autometrics-prometheus`.
//!
//! `cargo bench -p observe-peers --bench peers_side_by_side [--features autometrics-prometheus]`

use autometrics::autometrics;

#[path = "../../benches/common/alternate.rs"]
mod alternate;
#[path = "../../benches/common/mod.rs"]
mod common;
use common::{floor, hand_optimal, observed};

#[autometrics]
#[inline(never)]
fn autometricsed(x: u64) -> u64 {
    floor(x)
}

fn main() {
    let backend = if cfg!(feature = "autometrics-prometheus") {
        "autometrics_prometheus"
    } else {
        "autometrics_default"
    };
    alternate::group(
        "peers/metrics",
        &[
            ("floor", floor),
            ("observe", observed),
            ("hand_optimal", hand_optimal),
            (backend, autometricsed),
        ],
    );
}
