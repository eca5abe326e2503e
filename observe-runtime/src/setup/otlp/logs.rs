//! OTLP export of log records: a `tracing` layer that turns each event into an OpenTelemetry
//! log record, with the same redaction rules as the JSON lines (scrubbed text, `[REDACTED]`
//! under sensitive keys) and the trace context of the enclosing span, emitted through the
//! SDK's logger (batch export). The stock `opentelemetry-appender-tracing` would export user
//! fields unscrubbed, hence this layer.

use std::time::SystemTime;

use opentelemetry::logs::{AnyValue, LogRecord as _, Logger as _, Severity};
use opentelemetry_sdk::logs::{SdkLogRecord, SdkLogger};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

use crate::logs::{fate, ExceptionLogs, Fate};
use crate::redact::fields::{FieldSink, Number, Scrubbing};

/// Exports events as log records through `logger`.
pub(crate) struct LogLayer {
    pub(crate) logger: SdkLogger,
    /// Which frames of one failure export it at ERROR (as in the log lines).
    pub(crate) exceptions: ExceptionLogs,
}

impl<S> Layer<S> for LogLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let meta = event.metadata();
        // The exporter's own warnings (a collector that is down) must not feed the exporter.
        if super::super::QUIET_TARGETS
            .iter()
            .any(|quiet| crate_of(meta.target()) == *quiet)
        {
            return;
        }
        let (level, first_recorded_in) = match fate(self.exceptions, event, ctx.event_span(event)) {
            Fate::Keep => (*meta.level(), None),
            Fate::Demote(first) => (Level::DEBUG, Some(first)),
            Fate::Drop => return,
        };
        let mut record = self.logger.create_log_record();
        let now = SystemTime::now();
        record.set_timestamp(now);
        record.set_observed_timestamp(now);
        record.set_severity_number(severity(level));
        record.set_severity_text(level.as_str());
        record.set_target(meta.target().to_owned());
        let mut fields = Scrubbing(Record(&mut record));
        event.record(&mut fields);
        if let Some(first) = first_recorded_in {
            record.add_attribute("exception.first_recorded_in", first);
        }
        let span_context = ctx
            .event_span(event)
            .and_then(|span| super::spans::started_context(&span));
        if let Some(span_context) = span_context.filter(|c| c.is_valid()) {
            record.set_trace_context(
                span_context.trace_id(),
                span_context.span_id(),
                Some(span_context.trace_flags()),
            );
        }
        self.logger.emit(record);
    }
}

fn crate_of(target: &str) -> &str {
    target.split("::").next().unwrap_or(target)
}

fn severity(level: Level) -> Severity {
    match level {
        Level::TRACE => Severity::Trace,
        Level::DEBUG => Severity::Debug,
        Level::INFO => Severity::Info,
        Level::WARN => Severity::Warn,
        Level::ERROR => Severity::Error,
    }
}

/// Puts `message` in the body, other fields in the attributes.
struct Record<'a>(&'a mut SdkLogRecord);

impl FieldSink for Record<'_> {
    fn text(&mut self, name: &'static str, text: String) {
        if name == "message" {
            self.0.set_body(AnyValue::from(text));
        } else {
            self.0.add_attribute(name, text);
        }
    }
    fn number(&mut self, name: &'static str, value: Number) {
        let value = match value {
            Number::I64(n) => AnyValue::Int(n),
            Number::U64(n) => {
                i64::try_from(n).map_or_else(|_| AnyValue::Double(n as f64), AnyValue::Int)
            }
            Number::F64(n) => AnyValue::Double(n),
        };
        self.0.add_attribute(name, value);
    }
    fn boolean(&mut self, name: &'static str, value: bool) {
        self.0.add_attribute(name, value);
    }
}
