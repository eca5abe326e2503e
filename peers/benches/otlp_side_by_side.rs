//! The OTLP span path side by side: one root span per call exported through the OpenTelemetry
//! SDK's batch span processor over an exporter that discards (the SDK still builds and batches
//! every span), one processor shared by all variants as a service has one. The variants
//! alternate, a short batch each, round after round (the harness of
//! `benches/side_by_side.rs`); each runs under its own `tracing` dispatcher, the floor too, so
//! that switching costs the same everywhere. `tracing_instrument_default_layer` is the
//! baseline: the ratio printed for each other variant is its overhead over the floor divided
//! by the baseline's.
//!
//! - `tracing_instrument_default_layer`: `#[tracing::instrument]` with a default
//!   `tracing-opentelemetry` 0.34 layer;
//! - `observe`: `#[observe]` with `observe::otel_layer_with_processor`, as `init()` sets it up;
//! - `observe_provider_tracer`: `#[observe]` with `observe::otel_layer` over the application's
//!   provider (spans started through its tracer).
//!
//! `cargo bench -p observe-peers --bench otlp_side_by_side`

use std::hint::black_box;
use std::sync::{Arc, OnceLock};

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{
    BatchSpanProcessor, SdkTracerProvider, SpanData, SpanExporter, SpanProcessor,
};
use tracing::Dispatch;
use tracing_subscriber::layer::SubscriberExt;

#[path = "../../benches/common/alternate.rs"]
mod alternate;
#[path = "../../benches/common/mod.rs"]
mod common;
use common::{floor, span_observe, span_tracing};

/// An exporter that discards every span.
#[derive(Debug)]
struct Discard;

impl SpanExporter for Discard {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        black_box(batch);
        Ok(())
    }
}

/// The one batch processor every variant feeds (one export thread, as in a service), so
/// that no variant's batch runs while another variant's exporter thread frees its spans.
fn shared() -> &'static Arc<BatchSpanProcessor> {
    static SHARED: OnceLock<Arc<BatchSpanProcessor>> = OnceLock::new();
    SHARED.get_or_init(|| Arc::new(BatchSpanProcessor::builder(Discard).build()))
}

/// [`shared`], as a processor to hand to a provider or to observe.
#[derive(Debug)]
struct Shared;

impl SpanProcessor for Shared {
    fn on_start(&self, span: &mut opentelemetry_sdk::trace::Span, cx: &opentelemetry::Context) {
        shared().on_start(span, cx);
    }
    fn on_end(&self, span: SpanData) {
        shared().on_end(span);
    }
    fn force_flush(&self) -> OTelSdkResult {
        shared().force_flush()
    }
    fn shutdown_with_timeout(&self, timeout: std::time::Duration) -> OTelSdkResult {
        shared().shutdown_with_timeout(timeout)
    }
}

fn batch_provider() -> SdkTracerProvider {
    SdkTracerProvider::builder()
        .with_span_processor(Shared)
        .build()
}

thread_local! {
    static NONE: Dispatch = Dispatch::none();
    static TRACING: Dispatch = {
        let provider = batch_provider();
        let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("bench"));
        std::mem::forget(provider);
        Dispatch::new(tracing_subscriber::registry().with(layer))
    };
    static OBSERVE: Dispatch = {
        let (provider, layer) = observe::otel_layer_with_processor(
            Shared,
            opentelemetry_sdk::Resource::builder_empty().build(),
            observe::Sampler::ParentBasedAlwaysOn,
        );
        std::mem::forget(provider);
        Dispatch::new(tracing_subscriber::registry().with(layer))
    };
    static OBSERVE_PROVIDER: Dispatch = {
        let provider = batch_provider();
        let layer = observe::otel_layer(&provider);
        std::mem::forget(provider);
        Dispatch::new(tracing_subscriber::registry().with(layer))
    };
}

fn under(dispatch: &'static std::thread::LocalKey<Dispatch>, f: fn(u64) -> u64, x: u64) -> u64 {
    dispatch.with(|dispatch| tracing::dispatcher::with_default(dispatch, || f(x)))
}

fn bare(x: u64) -> u64 {
    under(&NONE, floor, x)
}

fn tracing_default_layer(x: u64) -> u64 {
    under(&TRACING, span_tracing, x)
}

fn observe_processor(x: u64) -> u64 {
    under(&OBSERVE, span_observe, x)
}

fn observe_provider_tracer(x: u64) -> u64 {
    under(&OBSERVE_PROVIDER, span_observe, x)
}

fn main() {
    alternate::group(
        "peers/otlp",
        &[
            ("floor", bare),
            ("tracing_instrument_default_layer", tracing_default_layer),
            ("observe", observe_processor),
            ("observe_provider_tracer", observe_provider_tracer),
        ],
    );
}
