//! Telemetry the exporter cannot deliver is counted, never raised into the program.
#![cfg(feature = "otlp")]

use observe::observe;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use tracing_subscriber::layer::SubscriberExt;

/// A collector that is always down.
#[derive(Debug)]
struct Down;

impl SpanExporter for Down {
    async fn export(&self, _batch: Vec<SpanData>) -> OTelSdkResult {
        Err(OTelSdkError::InternalFailure("connection refused".into()))
    }
}

#[observe]
fn work(n: u32) -> u32 {
    n + 1
}

#[test]
fn spans_that_cannot_be_exported_are_counted() {
    let (_provider, layer) = observe::trace_layer(Down, "down");
    let subscriber = tracing_subscriber::registry().with(layer);
    let out = tracing::subscriber::with_default(subscriber, || (0..3).map(work).sum::<u32>());
    assert_eq!(out, 6, "the program is not affected");
    let text = observe::metrics::render();
    assert!(
        text.contains(
            r#"observe_telemetry_dropped_total{reason="export_failed",signal="traces"} 3"#
        ),
        "{text}"
    );
}
