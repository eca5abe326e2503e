//! Calls one variant N times, for instruction counts under callgrind (see
//! `benches/instructions.sh`): `cargo bench --bench instructions -- <variant> <N>`, with
//! `REGISTRY=1` to run under `tracing_subscriber::registry()`, `OTEL=1` under observe's
//! OpenTelemetry layer with an SDK provider whose batch exporter discards. Variants: `floor`, `hand`
//! (hand-written optimal metrics), `metric` (`#[observe(counter, histogram)]`), `span`
//! (`#[observe]`), `tracing` (`#[tracing::instrument]`), `async` (`metric` as an `async fn`
//! polled once).
#![allow(clippy::unwrap_used, missing_docs)]

use observe::observe;
use prometheus::{Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts};
use std::hint::black_box;
use std::sync::LazyLock;
use tracing_subscriber::layer::SubscriberExt;

#[inline(never)]
fn floor(x: u64) -> u64 {
    black_box(x).wrapping_mul(3)
}

static HAND: LazyLock<(IntCounter, Histogram)> = LazyLock::new(|| {
    let counter = IntCounterVec::new(
        Opts::new("hand_calls_total", "h"),
        &["function", "module", "result"],
    )
    .unwrap();
    let histogram = HistogramVec::new(
        HistogramOpts::new("hand_seconds", "h"),
        &["function", "module", "result"],
    )
    .unwrap();
    let labels = ["hand_optimal", "overhead", "ok"];
    (
        counter.with_label_values(&labels),
        histogram.with_label_values(&labels),
    )
});

#[inline(never)]
fn hand(x: u64) -> u64 {
    let start = quanta::Instant::now();
    let out = floor(x);
    let (calls, seconds) = &*HAND;
    seconds.observe(start.elapsed().as_secs_f64());
    calls.inc();
    out
}

#[observe(counter = "bench_calls", histogram = "bench_seconds")]
#[inline(never)]
fn observed(x: u64) -> u64 {
    floor(x)
}

#[observe]
#[inline(never)]
fn span_only(x: u64) -> u64 {
    floor(x)
}

#[observe(counter = "bench_async_calls", histogram = "bench_async_seconds")]
#[inline(never)]
async fn async_observed(x: u64) -> u64 {
    floor(x)
}

#[inline(never)]
fn run_async(x: u64) -> u64 {
    use std::future::Future;
    let mut f = std::pin::pin!(async_observed(x));
    match f
        .as_mut()
        .poll(&mut std::task::Context::from_waker(std::task::Waker::noop()))
    {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => unreachable!(),
    }
}

#[tracing::instrument]
#[inline(never)]
fn span_tracing(x: u64) -> u64 {
    floor(x)
}

fn main() {
    let mut a = std::env::args().skip(1);
    let mode = a.next().unwrap();
    let n: u64 = a.next().unwrap().parse().unwrap();
    let f: fn(u64) -> u64 = match mode.as_str() {
        "hand" => hand,
        "metric" => observed,
        "span" => span_only,
        "async" => run_async,
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
    } else {
        run()
    };
    println!("{acc}");
}
