//! Calls one variant N times, for instruction counts under callgrind (see
//! `benches/instructions.sh`): `cargo bench --bench instructions -- <variant> <N>`, with
//! `REGISTRY=1` to run under `tracing_subscriber::registry()`, `DROPPED=1` with no subscriber
//! after one was set and dropped, `OTEL=1` under observe's
//! OpenTelemetry layer with an SDK provider whose batch exporter discards. Variants: `floor`, `hand`
//! (hand-written optimal metrics), `metric` (`#[observe(counter, histogram)]`), `span`
//! (`#[observe]`), `tracing` (`#[tracing::instrument]`), `async` (`metric` as an `async fn`
//! polled once), `async_hand` (`hand` as an `async fn` polled once), `awaiting` and
//! `awaiting_hand` (the same two with an `.await` of an opaque ready future in the body). The
//! clock is `quanta`'s mock clock, so that counts are exact.
#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;

use tracing_subscriber::layer::SubscriberExt;

mod common;
use common::{
    async_hand_awaiting, async_hand_optimal, async_observed, async_observed_awaiting, floor,
    hand_optimal, observed, poll_ready, span_observe, span_tracing,
};

#[inline(never)]
fn run_async(x: u64) -> u64 {
    poll_ready(async_observed(x))
}

#[inline(never)]
fn run_async_hand(x: u64) -> u64 {
    poll_ready(async_hand_optimal(x))
}

#[inline(never)]
fn run_awaiting(x: u64) -> u64 {
    poll_ready(async_observed_awaiting(x))
}

#[inline(never)]
fn run_awaiting_hand(x: u64) -> u64 {
    poll_ready(async_hand_awaiting(x))
}

fn main() {
    let mut a = std::env::args().skip(1);
    let mode = a.next().unwrap();
    let n: u64 = a.next().unwrap().parse().unwrap();
    let f: fn(u64) -> u64 = match mode.as_str() {
        "hand" => hand_optimal,
        "metric" => observed,
        "span" => span_observe,
        "async" => run_async,
        "async_hand" => run_async_hand,
        "awaiting" => run_awaiting,
        "awaiting_hand" => run_awaiting_hand,
        "tracing" => span_tracing,
        _ => floor,
    };
    let run = || {
        let mut acc = 0u64;
        for i in 0..n {
            acc = acc.wrapping_add(f(black_box(i)));
        }
        acc
    };
    // Under valgrind quanta cannot use the TSC and would read the OS clock, whose instruction
    // count varies from call to call; a mock clock makes the counts exact (the clock reads are
    // the same in `hand` and `metric`).
    let (clock, _mock) = quanta::Clock::mock();
    let run = || quanta::with_clock(&clock, run);
    let acc = if std::env::var_os("OTEL").is_some() {
        // The OTLP path: observe's layer over an SDK provider whose batch exporter discards.
        let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
            .with_batch_exporter(opentelemetry_sdk::testing::trace::NoopSpanExporter::new())
            .build();
        let subscriber = tracing_subscriber::registry().with(observe::otel_layer(&provider));
        let acc = tracing::subscriber::with_default(subscriber, run);
        let _ = provider.shutdown();
        acc
    } else if std::env::var_os("REGISTRY").is_some() {
        tracing::subscriber::with_default(tracing_subscriber::registry(), run)
    } else if std::env::var_os("DROPPED").is_some() {
        // Nobody listens, but a subscriber was set and dropped first: `tracing` keeps the
        // maximum level it raised.
        tracing::subscriber::with_default(tracing_subscriber::registry(), || {});
        run()
    } else {
        run()
    };
    println!("{acc}");
}
