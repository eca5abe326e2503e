//! One request through an in-process axum router (`Service::call`, its future polled once),
//! side by side (the alternating harness of `benches/side_by_side.rs`): the bare router, and
//! the router behind each server layer. `opentelemetry-instrumentation-tower` with both
//! signals on the SDK (a tracer provider without exporter, a meter provider with an in-memory
//! reader, as its own benchmark sets them up) is the baseline: the ratio printed for each
//! other variant is its overhead over the bare router divided by that one's.
//!
//! - `observe_no_subscriber`: observe's `ServerLayer`, no subscriber (metrics recorded);
//! - `observe_spans_metrics`: the same under a registry with observe's OpenTelemetry layer as
//!   `init()` sets it up (`otel_layer_with_processor`), over a processor that drops the spans
//!   (what a provider without exporter does: spans built, sampled), and metrics;
//! - `observe_spans_metrics_provider`: the same with `otel_layer` over an SDK tracer provider
//!   without exporter (spans started through its tracer);
//! - `tower_http_trace`: `tower-http`'s `TraceLayer` under a registry (spans only);
//! - `observe_registry`: observe's layer under the same registry (spans not exported, and
//!   metrics): what `tracing` itself costs it, beside `tower_http_trace`.
//!
//! Every variant, the bare one too, runs under `tracing::dispatcher::with_default` with its
//! own dispatcher, so that switching costs the same everywhere.
//!
//! `cargo bench -p observe-peers --bench http_edge`

use std::cell::RefCell;
use std::future::Future;
use std::hint::black_box;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::routing::get;
use axum::Router;
use tower::Service;
use tracing::Dispatch;
use tracing_subscriber::layer::SubscriberExt;

#[path = "../../benches/common/alternate.rs"]
mod alternate;

fn routes() -> Router {
    Router::new().route("/users/{id}", get(|| async { "" }))
}

fn request() -> http::Request<Body> {
    http::Request::get("http://example.com/users/123")
        .body(Body::empty())
        .unwrap()
}

/// Calls `service` once and polls its future to the end (the handler is ready at once).
fn once<S>(service: &mut S)
where
    S: Service<http::Request<Body>>,
    S::Future: Future,
{
    let waker = std::task::Waker::noop();
    let mut cx = Context::from_waker(waker);
    let mut future = std::pin::pin!(service.call(request()));
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            let _ = black_box(out);
            return;
        }
    }
}

thread_local! {
    static NO_SUBSCRIBER: Dispatch = Dispatch::none();
    static REGISTRY: Dispatch = Dispatch::new(tracing_subscriber::registry());
    static OBSERVE_SDK: Dispatch = {
        let (provider, layer) = observe::otel_layer_with_processor(
            NoExport,
            opentelemetry_sdk::Resource::builder_empty().build(),
            observe::Sampler::ParentBasedAlwaysOn,
        );
        std::mem::forget(provider);
        Dispatch::new(tracing_subscriber::registry().with(layer))
    };
    static OBSERVE_PROVIDER: Dispatch = {
        let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
        let layer = observe::otel_layer(&provider);
        std::mem::forget(provider);
        Dispatch::new(tracing_subscriber::registry().with(layer))
    };
    static BARE: RefCell<Router> = RefCell::new(routes());
    static OBSERVED: RefCell<Router> =
        RefCell::new(routes().layer(observe::http::ServerLayer::new()));
    static TOWER_HTTP: RefCell<Router> =
        RefCell::new(routes().layer(tower_http::trace::TraceLayer::new_for_http()));
    static OTEL_TOWER: RefCell<Router> = RefCell::new({
        use opentelemetry::global;
        let tracer = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
        global::set_tracer_provider(tracer);
        let reader = opentelemetry_sdk::metrics::PeriodicReader::builder(
            opentelemetry_sdk::metrics::InMemoryMetricExporter::default(),
        )
        .with_interval(std::time::Duration::from_secs(3600))
        .build();
        let meter = opentelemetry_sdk::metrics::SdkMeterProvider::builder()
            .with_reader(reader)
            .build();
        global::set_meter_provider(meter);
        routes().layer(
            opentelemetry_instrumentation_tower::http::server::LayerBuilder::builder()
                .build()
                .unwrap(),
        )
    });
}

/// A processor that drops every span: what a provider without exporter does with them.
#[derive(Debug)]
struct NoExport;

impl opentelemetry_sdk::trace::SpanProcessor for NoExport {
    fn on_start(&self, _: &mut opentelemetry_sdk::trace::Span, _: &opentelemetry::Context) {}
    fn on_end(&self, span: opentelemetry_sdk::trace::SpanData) {
        black_box(span);
    }
    fn force_flush(&self) -> opentelemetry_sdk::error::OTelSdkResult {
        Ok(())
    }
    fn shutdown_with_timeout(
        &self,
        _: std::time::Duration,
    ) -> opentelemetry_sdk::error::OTelSdkResult {
        Ok(())
    }
}

fn run(
    dispatch: &'static std::thread::LocalKey<Dispatch>,
    router: &'static std::thread::LocalKey<RefCell<Router>>,
) {
    dispatch.with(|dispatch| {
        tracing::dispatcher::with_default(dispatch, || {
            router.with(|r| once(&mut *r.borrow_mut()));
        });
    });
}

fn bare(x: u64) -> u64 {
    run(&NO_SUBSCRIBER, &BARE);
    x
}

fn otel_tower_both(x: u64) -> u64 {
    run(&NO_SUBSCRIBER, &OTEL_TOWER);
    x
}

fn observe_no_subscriber(x: u64) -> u64 {
    run(&NO_SUBSCRIBER, &OBSERVED);
    x
}

fn observe_spans_metrics(x: u64) -> u64 {
    run(&OBSERVE_SDK, &OBSERVED);
    x
}

fn observe_spans_metrics_provider(x: u64) -> u64 {
    run(&OBSERVE_PROVIDER, &OBSERVED);
    x
}

fn observe_registry(x: u64) -> u64 {
    run(&REGISTRY, &OBSERVED);
    x
}

fn tower_http_trace(x: u64) -> u64 {
    run(&REGISTRY, &TOWER_HTTP);
    x
}

fn main() {
    let variants: &[alternate::Variant] = &[
        ("bare_router", bare),
        ("otel_instrumentation_tower", otel_tower_both),
        ("observe_no_subscriber", observe_no_subscriber),
        ("observe_spans_metrics", observe_spans_metrics),
        (
            "observe_spans_metrics_provider",
            observe_spans_metrics_provider,
        ),
        ("tower_http_trace", tower_http_trace),
        ("observe_registry", observe_registry),
    ];
    // `PROFILE=<variant> [CALLS=n]`: only that variant, `n` times (for callgrind's
    // `--toggle-collect=http_edge::<variant>`, divided by `n`).
    if let Ok(name) = std::env::var("PROFILE") {
        let calls = std::env::var("CALLS")
            .map_or(Ok(10_000), |n| n.parse())
            .unwrap();
        let (_, f) = variants
            .iter()
            .find(|(n, _)| *n == name)
            .expect("no such variant");
        for i in 0..calls {
            black_box(f(black_box(i)));
        }
        return;
    }
    alternate::group("http/server", variants);
}
