//! What `#[observe]` costs per call, next to the hand-written code it replaces, in one run.
//!
//! Groups (each bench id names its variant; compare within a group, as ratios):
//! - `metrics`: counter + duration histogram. `floor` is the uninstrumented function,
//!   `hand_optimal` caches label children in statics and reads a TSC clock once,
//!   `hand_naive` looks the children up on every call (`with_label_values`), `observe` is
//!   `#[observe(counter, histogram)]`.
//! - `span/<subscriber>`: span only, `#[observe]` against `#[tracing::instrument]`, with no
//!   subscriber and with a plain `tracing_subscriber::registry()`.
//! - `flow/<subscriber>`: a flow of 5 steps against the same function without `flow`.
//! - `async`: a ready future polled directly, so no executor cost: the floor, the hand-written
//!   optimum as an `async fn`, `#[observe]` with nothing listening (`quiet`), a counter alone,
//!   and `#[observe(counter, histogram)]`, each on an `async fn` whose body does not await
//!   (observed like a synchronous body); then `awaiting/…`: the floor, the hand-written optimum
//!   and observe with an `.await` of an opaque ready future in the body (polled inside the
//!   call's future).

use std::hint::black_box;
use std::sync::LazyLock;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use observe::{observe, step};
use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, Opts};

mod common;
use common::{
    async_awaiting, async_hand_awaiting, async_hand_optimal, async_observed,
    async_observed_awaiting, floor, hand_optimal, observed, poll_ready, span_observe, span_tracing,
    warm_registry,
};

static NAIVE: LazyLock<(IntCounterVec, HistogramVec)> = LazyLock::new(|| {
    let counter = IntCounterVec::new(
        Opts::new("naive_calls_total", "h"),
        &["function", "module", "result"],
    )
    .unwrap();
    let histogram = HistogramVec::new(
        HistogramOpts::new("naive_seconds", "h"),
        &["function", "module", "result"],
    )
    .unwrap();
    prometheus::register(Box::new(counter.clone())).unwrap();
    prometheus::register(Box::new(histogram.clone())).unwrap();
    (counter, histogram)
});

#[inline(never)]
fn hand_naive(x: u64) -> u64 {
    let start = std::time::Instant::now();
    let out = floor(x);
    let labels = ["hand_naive", "overhead", "ok"];
    NAIVE
        .1
        .with_label_values(&labels)
        .observe(start.elapsed().as_secs_f64());
    NAIVE.0.with_label_values(&labels).inc();
    out
}

#[observe(flow)]
#[inline(never)]
fn five_steps(x: u64) -> u64 {
    step!("one");
    step!("two");
    step!("three");
    step!("four");
    step!("five");
    floor(x)
}

#[inline(never)]
async fn async_floor(x: u64) -> u64 {
    floor(x)
}

#[observe]
#[inline(never)]
async fn async_quiet(x: u64) -> u64 {
    floor(x)
}

#[observe(counter = "bench_async_only_calls")]
#[inline(never)]
async fn async_counter(x: u64) -> u64 {
    floor(x)
}

fn with_subscriber(name: &str, f: impl FnOnce()) {
    match name {
        "none" => f(),
        _ => tracing::subscriber::with_default(tracing_subscriber::registry(), || {
            warm_registry();
            f();
        }),
    }
}

fn metrics(c: &mut Criterion) {
    let mut group = c.benchmark_group("metrics");
    group.bench_function("floor", |b| b.iter(|| floor(black_box(7))));
    group.bench_function("hand_optimal", |b| b.iter(|| hand_optimal(black_box(7))));
    group.bench_function("hand_naive", |b| b.iter(|| hand_naive(black_box(7))));
    group.bench_function("observe", |b| b.iter(|| observed(black_box(7))));
    group.finish();
}

fn spans(c: &mut Criterion) {
    for subscriber in ["none", "registry"] {
        let mut group = c.benchmark_group(format!("span/{subscriber}"));
        with_subscriber(subscriber, || {
            group.bench_function("floor", |b| b.iter(|| floor(black_box(7))));
            group.bench_function("observe", |b| b.iter(|| span_observe(black_box(7))));
            group.bench_function("tracing_instrument", |b| {
                b.iter(|| span_tracing(black_box(7)))
            });
        });
        group.finish();
    }
}

fn flows(c: &mut Criterion) {
    for subscriber in ["none", "registry"] {
        let mut group = c.benchmark_group(format!("flow/{subscriber}"));
        with_subscriber(subscriber, || {
            group.bench_function("without_flow", |b| b.iter(|| span_observe(black_box(7))));
            group.bench_function("flow_5_steps", |b| b.iter(|| five_steps(black_box(7))));
        });
        group.finish();
    }
}

fn asynchronous(c: &mut Criterion) {
    let mut group = c.benchmark_group("async");
    group.bench_function("floor", |b| {
        b.iter(|| poll_ready(async_floor(black_box(7))))
    });
    group.bench_function("hand_optimal", |b| {
        b.iter(|| poll_ready(async_hand_optimal(black_box(7))))
    });
    group.bench_function("quiet", |b| {
        b.iter(|| poll_ready(async_quiet(black_box(7))))
    });
    group.bench_function("counter", |b| {
        b.iter(|| poll_ready(async_counter(black_box(7))))
    });
    group.bench_function("observe", |b| {
        b.iter(|| poll_ready(async_observed(black_box(7))))
    });
    group.bench_function("awaiting/floor", |b| {
        b.iter(|| poll_ready(async_awaiting(black_box(7))))
    });
    group.bench_function("awaiting/hand_optimal", |b| {
        b.iter(|| poll_ready(async_hand_awaiting(black_box(7))))
    });
    group.bench_function("awaiting/observe", |b| {
        b.iter(|| poll_ready(async_observed_awaiting(black_box(7))))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = metrics, spans, flows, asynchronous
}
criterion_main!(benches);
