//! W3C trace context (`traceparent`, `tracestate`) and baggage across services: inject the
//! current span's context into outgoing headers or a string map, extract an incoming one and
//! continue its trace.
//!
//! ```no_run
//! # fn handler() {}
//! # let incoming = http::HeaderMap::new();
//! // Server: calls made while the guard lives continue the caller's trace.
//! let _remote = observe_runtime::setup::propagation::extract_headers(&incoming).attach();
//! handler(); // an #[observe] function: its span is a child of the caller's span
//!
//! // Client, inside an #[observe] function:
//! let mut outgoing = http::HeaderMap::new();
//! observe_runtime::setup::propagation::inject_headers(&mut outgoing);
//! ```

use std::collections::HashMap;
use std::sync::LazyLock;

use http::{HeaderMap, HeaderName, HeaderValue};
use opentelemetry::propagation::{
    Extractor, Injector, TextMapCompositePropagator, TextMapPropagator,
};
use opentelemetry::{Context, ContextGuard};
use opentelemetry_sdk::propagation::{BaggagePropagator, TraceContextPropagator};

static PROPAGATOR: LazyLock<TextMapCompositePropagator> = LazyLock::new(|| {
    TextMapCompositePropagator::new(vec![
        Box::new(TraceContextPropagator::new()),
        Box::new(BaggagePropagator::new()),
    ])
});

/// The OpenTelemetry context of the current span (empty without observe's layer, unless a
/// remote context is attached).
fn current() -> Context {
    crate::trace_context::current_otel_context()
}

/// Writes the current span's `traceparent` (and `tracestate`, `baggage`) into `headers`.
pub fn inject_headers(headers: &mut HeaderMap) {
    PROPAGATOR.inject_context(&current(), &mut HeaderInjector(headers));
}

/// Writes the current span's `traceparent` (and `tracestate`, `baggage`) into `map`.
pub fn inject_map(map: &mut HashMap<String, String>) {
    PROPAGATOR.inject_context(&current(), map);
}

/// The remote context carried by incoming `headers`.
pub fn extract_headers(headers: &HeaderMap) -> Remote {
    // From an empty context: what is returned is only what was received.
    Remote(PROPAGATOR.extract_with_context(&Context::new(), &HeaderExtractor(headers)))
}

/// The remote context carried by `map`.
pub fn extract_map(map: &HashMap<String, String>) -> Remote {
    Remote(PROPAGATOR.extract_with_context(&Context::new(), map))
}

/// A context received from another service.
#[derive(Debug, Clone)]
pub struct Remote(Context);

impl Remote {
    /// Makes it the parent of spans started without a parent while the guard lives (on this
    /// thread): an `#[observe]` function called then continues the remote trace.
    pub fn attach(self) -> ContextGuard {
        self.0.attach()
    }

    /// Makes it the parent of `span` (before the span is entered for the first time).
    pub fn set_parent_of(&self, span: &tracing::Span) {
        use opentelemetry::trace::TraceContextExt;
        let context = self.0.span().span_context().clone();
        super::otlp::spans::SetParent::apply(span, context);
    }

    /// Whether a valid `traceparent` was received.
    pub fn is_valid(&self) -> bool {
        use opentelemetry::trace::TraceContextExt;
        self.0.span().span_context().is_valid()
    }
}

struct HeaderInjector<'a>(&'a mut HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(key.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

struct HeaderExtractor<'a>(&'a HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(HeaderName::as_str).collect()
    }
}
