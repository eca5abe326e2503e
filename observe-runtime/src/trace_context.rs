//! The trace context of the current span, as an OpenTelemetry exporter sends it: for log lines
//! and for `observe::trace_id()` / `observe::span_id()`.

/// The current trace and span ids, as OTLP exports them (32 and 16 hex digits).
pub(crate) fn current_ids() -> Option<(String, String)> {
    use opentelemetry::trace::TraceContextExt;
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    let span = tracing::Span::current();
    if span.is_disabled() {
        return None;
    }
    let context = span.context();
    let span_context = context.span().span_context().clone();
    span_context.is_valid().then(|| {
        (
            span_context.trace_id().to_string(),
            span_context.span_id().to_string(),
        )
    })
}
