//! observe next to the peer crates users compare it with, in one run (compare within a group,
//! as ratios; see `BENCHMARKS.md`).
//!
//! - `peers/metrics`: counter + duration histogram. `floor`, the hand-written optimum
//!   (children cached in statics, `quanta` TSC clock), `#[observe(counter, histogram)]`,
//!   `#[autometrics]` 3.0 (its default setup, `prometheus-exporter`, which records through
//!   `prometheus-client`; or its tikv `prometheus` 0.14 backend with
//!   `--features autometrics-prometheus`).
//! - `peers/span/none`: span only, no subscriber: `#[observe]`, `#[tracing::instrument]`,
//!   `#[fastrace::trace]` outside any trace.
//! - `peers/span/registry`: the same into `tracing_subscriber::registry()`.
//! - `peers/otlp`: one root span per call exported through the OpenTelemetry SDK (batch
//!   processor, an exporter that discards): `#[tracing::instrument]` with a default
//!   tracing-opentelemetry layer against `#[observe]` with `observe::otel_layer_with_processor`
//!   (as `init()` sets it up) and with `observe::otel_layer` (the provider's tracer); fastrace
//!   with a root span per call and a reporter that discards.
//! - `peers/contention`: two threads calling the same function, per call.

use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use autometrics::autometrics;
use criterion::{criterion_group, criterion_main, Criterion};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{BatchSpanProcessor, SdkTracerProvider, SpanData, SpanExporter};
use opentelemetry_sdk::Resource;
use tracing_subscriber::layer::SubscriberExt;

#[path = "../../benches/common/mod.rs"]
mod common;
use common::{floor, hand_optimal, observed, span_observe, span_tracing};

#[autometrics]
#[inline(never)]
fn autometricsed(x: u64) -> u64 {
    floor(x)
}

#[fastrace::trace]
#[inline(never)]
fn span_fastrace(x: u64) -> u64 {
    floor(x)
}

/// An exporter that discards every span (the SDK still builds and batches them).
#[derive(Debug)]
struct Discard;

impl SpanExporter for Discard {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        black_box(batch);
        Ok(())
    }
}

/// A fastrace reporter that discards every span.
struct DiscardReporter;

impl fastrace::collector::Reporter for DiscardReporter {
    fn report(&mut self, spans: Vec<fastrace::collector::SpanRecord>) {
        black_box(spans);
    }
}

fn metrics(c: &mut Criterion) {
    let mut group = c.benchmark_group("peers/metrics");
    group.bench_function("floor", |b| b.iter(|| floor(black_box(7))));
    group.bench_function("hand_optimal", |b| b.iter(|| hand_optimal(black_box(7))));
    group.bench_function("observe", |b| b.iter(|| observed(black_box(7))));
    let backend = if cfg!(feature = "autometrics-prometheus") {
        "autometrics_prometheus"
    } else {
        "autometrics_default"
    };
    group.bench_function(backend, |b| b.iter(|| autometricsed(black_box(7))));
    group.finish();
}

fn spans(c: &mut Criterion) {
    let mut group = c.benchmark_group("peers/span/none");
    group.bench_function("floor", |b| b.iter(|| floor(black_box(7))));
    group.bench_function("observe", |b| b.iter(|| span_observe(black_box(7))));
    group.bench_function("tracing_instrument", |b| {
        b.iter(|| span_tracing(black_box(7)))
    });
    group.bench_function("fastrace", |b| b.iter(|| span_fastrace(black_box(7))));
    group.finish();

    let mut group = c.benchmark_group("peers/span/registry");
    tracing::subscriber::with_default(tracing_subscriber::registry(), || {
        common::warm_registry();
        group.bench_function("observe", |b| b.iter(|| span_observe(black_box(7))));
        group.bench_function("tracing_instrument", |b| {
            b.iter(|| span_tracing(black_box(7)))
        });
    });
    group.finish();
}

fn otlp(c: &mut Criterion) {
    let mut group = c.benchmark_group("peers/otlp");
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(Discard)
        .build();
    let tracing_pair = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("bench")));
    tracing::subscriber::with_default(tracing_pair, || {
        group.bench_function("tracing_instrument_default_layer", |b| {
            b.iter(|| span_tracing(black_box(7)))
        });
    });
    // observe as `init()` sets it up: its layer hands each span to the same kind of batch
    // processor over the same exporter.
    let (observe_provider, observe_layer) = observe::otel_layer_with_processor(
        BatchSpanProcessor::builder(Discard).build(),
        Resource::builder_empty().build(),
        observe::Sampler::ParentBasedAlwaysOn,
    );
    let observe_pair = tracing_subscriber::registry().with(observe_layer);
    tracing::subscriber::with_default(observe_pair, || {
        group.bench_function("observe", |b| b.iter(|| span_observe(black_box(7))));
    });
    let _ = observe_provider.shutdown();
    // observe over the application's provider: spans start through its tracer.
    let observe_pair = tracing_subscriber::registry().with(observe::otel_layer(&provider));
    tracing::subscriber::with_default(observe_pair, || {
        group.bench_function("observe_provider_tracer", |b| {
            b.iter(|| span_observe(black_box(7)))
        });
    });
    fastrace::set_reporter(DiscardReporter, fastrace::collector::Config::default());
    group.bench_function("fastrace_root_per_call", |b| {
        b.iter(|| {
            let root = fastrace::Span::root("root", fastrace::prelude::SpanContext::random());
            let _parent = root.set_local_parent();
            span_fastrace(black_box(7))
        })
    });
    group.finish();
    fastrace::flush();
    let _ = provider.shutdown();
}

/// Two threads calling `f` at once; the time of one call on one thread.
fn two_threads(f: fn(u64) -> u64, iters: u64) -> Duration {
    let barrier = Barrier::new(2);
    let times: Vec<Duration> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    let start = Instant::now();
                    for i in 0..iters {
                        black_box(f(black_box(i)));
                    }
                    start.elapsed()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    times.into_iter().max().unwrap_or_default()
}

fn contention(c: &mut Criterion) {
    let mut group = c.benchmark_group("peers/contention");
    group.bench_function("hand_optimal_2_threads", |b| {
        b.iter_custom(|iters| two_threads(hand_optimal, iters))
    });
    group.bench_function("observe_2_threads", |b| {
        b.iter_custom(|iters| two_threads(observed, iters))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = metrics, spans, otlp, contention
}
criterion_main!(benches);
