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

#[path = "common/alternate.rs"]
mod alternate;
mod common;
use alternate::{group, Variant};
use common::{
    async_awaiting, async_hand_awaiting, async_hand_optimal, async_observed,
    async_observed_awaiting, floor, hand_optimal, observed, poll_ready, span_observe, span_tracing,
    warm_registry,
};

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

/// Runs `f` with exemplars on (observe's OpenTelemetry layer built, as `init()` does with an
/// OTLP endpoint), inside a sampled local span when `sampled`: each call then keeps its
/// exemplar; without one each call only finds that no sampled span is current.
fn exemplars_on(sampled: bool, f: impl FnOnce()) {
    use opentelemetry::trace::{TraceContextExt as _, Tracer as _, TracerProvider as _};
    let (_provider, _layer) = observe::trace_layer::<tracing_subscriber::Registry, _>(
        opentelemetry_sdk::trace::InMemorySpanExporter::default(),
        "bench",
    );
    if !sampled {
        return f();
    }
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
    let span = provider.tracer("bench").start("request");
    let _current = opentelemetry::Context::current_with_span(span).attach();
    f();
}

fn main() {
    let filter = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_default();
    let groups: [(&str, Vec<Variant>); 10] = [
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
        // Last: once observe's OpenTelemetry layer is built, every call looks for a sampled
        // span to keep as its exemplar (these two groups turn that on).
        (
            "metrics/exemplars_on",
            vec![
                ("floor", floor),
                ("hand_optimal", hand_optimal),
                ("observe", observed),
            ],
        ),
        (
            "metrics/exemplars_on/sampled_span",
            vec![
                ("floor", floor),
                ("hand_optimal", hand_optimal),
                ("observe", observed),
            ],
        ),
    ];
    for (name, variants) in &groups {
        if !name.contains(filter.as_str()) {
            continue;
        }
        if name.contains("exemplars_on") {
            exemplars_on(name.ends_with("sampled_span"), || group(name, variants));
        } else if name.ends_with("registry") {
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
