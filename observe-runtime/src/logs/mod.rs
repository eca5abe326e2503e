//! Log lines for `tracing-subscriber`'s `fmt` layer, with the redaction rules applied: JSON
//! for log pipelines ([`json_layer`]), or lines for a person at a terminal ([`pretty_layer`]).
//! `init()` picks pretty when stdout is a terminal and JSON otherwise (`OBSERVE_LOG_FORMAT`
//! decides when set).
//!
//! # The JSON line
//!
//! One object per event, on one line:
//!
//! | key | when | value |
//! |---|---|---|
//! | `timestamp` | always | RFC 3339, UTC, microseconds |
//! | `level` | always | `ERROR`, `WARN`, `INFO`, `DEBUG` or `TRACE` |
//! | `trace_id`, `span_id` | inside a span | 32 and 16 lowercase hex digits, W3C-valid |
//! | `target` | always | the event's target (its module path by default) |
//! | `message` | when the event has one | its text |
//! | `span` | inside a span | the innermost span's name |
//! | each span field | inside a span | the fields of every enclosing span, once |
//! | each event field | always | the event's own fields, typed (numbers, booleans, text) |
//! | `exception.first_recorded_in` | a re-raised error | the span that recorded it first |
//!
//! The fields of the enclosing spans are flattened: an inner span's field wins over an outer
//! one's of the same name, and the event's own field over both, so request context set on an
//! outer span (`request_id`, `job.id`) is on every line inside it. A field named like one of
//! the line's own keys is kept as `fields.<name>`. The span-only attributes stay on the spans
//! and are left out: the code attributes (`code.function.name`, `code.file.path`,
//! `code.line.number`; [`LineOptions::code_attributes`] puts them back) and the span's status
//! (`otel.*`, `error.type`, which the `exception` line gives as `exception.type` and
//! `exception.message`). Text longer than the value budget
//! (2 KiB, [`LineOptions::value_budget`]) is cut at a character boundary and marked
//! `…[truncated, N bytes]`; a `Debug` rendering is stopped at 64 KiB, and one that panics is
//! written as `[Debug panicked]`, so a bad value never takes the logging thread down. Field
//! values pass through the value scrubber: text is scrubbed, values under sensitive keys are
//! `[REDACTED]`, numbers and booleans stay typed. JSON escapes control characters.
//!
//! The ids are the ones OpenTelemetry exports when its layer is installed (an OTLP endpoint
//! configured), else ids of observe's own, given to a span the first time a line is written
//! inside it (its trace's id from its root), so spans that log nothing cost nothing. Lines
//! outside any span carry none.
//!
//! One failure, one ERROR line: see [`ExceptionLogs`].
//!
//! ```
//! use tracing_subscriber::layer::SubscriberExt;
//!
//! let subscriber = tracing_subscriber::registry().with(observe_runtime::logs::json_layer());
//! tracing::subscriber::with_default(subscriber, || {
//!     tracing::info!(user = "bob", password = "hunter2", "signed in");
//! });
//! // {"timestamp":"…","level":"INFO","target":"…","message":"signed in","user":"bob","password":"[REDACTED]"}
//! ```
//!
//! # The pretty line
//!
//! The same content, for reading: time, level, message and the event's own fields first, then
//! the span context, dimmed (`in <span>`, its fields, `target`, the ids). Text is bare when it
//! reads unambiguously and quoted otherwise; control characters are escaped, so one event is
//! one line. Colors only when asked ([`pretty_layer_with`]; `init()` colors a terminal unless
//! `NO_COLOR` is set).
//!
//! ```text
//! 2026-12-02T14:31:07.482913Z ERROR exception exception.type=FetchError exception.message="upstream returned 503"  in fetch job.id=7 target=worker trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7
//! ```

mod exceptions;
mod ids;
mod json;
mod line;
mod pretty;

use std::fmt;

use serde_json::{Map, Value as Json};
use tracing::field::Visit;
use tracing_subscriber::fmt::format::{FormatFields, Writer};
use tracing_subscriber::fmt::FormattedFields;
use tracing_subscriber::registry::LookupSpan;

pub use exceptions::ExceptionLogs;
#[cfg(feature = "otlp")]
pub(crate) use exceptions::{fate, Fate};
pub use json::JsonFormat;
pub use pretty::PrettyFormat;

use crate::redact::fields::{FieldSink, Number, Scrubbing};

/// A `fmt` layer writing scrubbed JSON lines to stdout.
pub fn json_layer<S>() -> tracing_subscriber::fmt::Layer<S, JsonFields, JsonFormat>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    json_layer_with(LineOptions::default())
}

/// [`json_layer`] with options of your choosing.
pub fn json_layer_with<S>(
    options: LineOptions,
) -> tracing_subscriber::fmt::Layer<S, JsonFields, JsonFormat>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    tracing_subscriber::fmt::layer()
        .fmt_fields(JsonFields)
        .event_format(JsonFormat(options))
        .with_ansi(false)
}

/// A `fmt` layer writing scrubbed human-readable lines to stdout, without colors.
pub fn pretty_layer<S>() -> tracing_subscriber::fmt::Layer<S, JsonFields, PrettyFormat>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    pretty_layer_with(LineOptions::default(), false)
}

/// [`pretty_layer`] with options of your choosing, and colors (ANSI escapes) when `colors`.
pub fn pretty_layer_with<S>(
    options: LineOptions,
    colors: bool,
) -> tracing_subscriber::fmt::Layer<S, JsonFields, PrettyFormat>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    tracing_subscriber::fmt::layer()
        .fmt_fields(JsonFields)
        .event_format(PrettyFormat {
            options,
            ansi: colors,
        })
        .with_ansi(false)
}

/// The default value budget: text fields longer than this many bytes are truncated.
pub const DEFAULT_VALUE_BUDGET: usize = 2048;

/// What goes on a log line, in either format.
#[derive(Clone, Copy, Debug)]
pub struct LineOptions {
    code_attributes: bool,
    value_budget: usize,
    exception_logs: ExceptionLogs,
}

impl Default for LineOptions {
    fn default() -> LineOptions {
        LineOptions {
            code_attributes: false,
            value_budget: DEFAULT_VALUE_BUDGET,
            exception_logs: ExceptionLogs::FirstRecorded,
        }
    }
}

impl LineOptions {
    /// The defaults: no code attributes, a 2 KiB value budget, one ERROR line per failure.
    pub fn new() -> LineOptions {
        LineOptions::default()
    }

    /// Whether lines carry their spans' `code.*` attributes (default: no).
    #[must_use]
    pub fn code_attributes(mut self, on: bool) -> LineOptions {
        self.code_attributes = on;
        self
    }

    /// Text fields longer than `bytes` are cut there (at a character boundary) and marked
    /// `…[truncated, N bytes]`, N the original length (default 2048).
    #[must_use]
    pub fn value_budget(mut self, bytes: usize) -> LineOptions {
        self.value_budget = bytes;
        self
    }

    /// One failure, one ERROR line (default [`ExceptionLogs::FirstRecorded`]): spans keep
    /// every frame's `exception` event; only the logs change (lines and OTLP log records).
    #[must_use]
    pub fn exception_logs(mut self, which: ExceptionLogs) -> LineOptions {
        self.exception_logs = which;
        self
    }

    #[cfg(feature = "otlp")]
    pub(crate) fn exceptions(&self) -> ExceptionLogs {
        self.exception_logs
    }

    fn budgeted(&self, value: Json) -> Json {
        match value {
            Json::String(text) if text.len() > self.value_budget => {
                let mut cut = self.value_budget;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                let length = match text.strip_suffix(crate::redact::fields::CUT_MARKER) {
                    Some(_) => format!("over {}", crate::redact::fields::DEBUG_LIMIT),
                    None => text.len().to_string(),
                };
                Json::String(format!("{}…[truncated, {length} bytes]", &text[..cut]))
            }
            other => other,
        }
    }
}

/// Formats span fields as a scrubbed JSON object, stored with each span.
#[derive(Clone, Copy, Debug, Default)]
pub struct JsonFields;

impl<'writer> FormatFields<'writer> for JsonFields {
    fn format_fields<R: tracing_subscriber::field::RecordFields>(
        &self,
        mut writer: Writer<'writer>,
        fields: R,
    ) -> fmt::Result {
        let object = json_fields(|visitor| fields.record(visitor));
        writer.write_str(&Json::Object(object).to_string())
    }

    fn add_fields(
        &self,
        current: &'writer mut FormattedFields<Self>,
        fields: &tracing::span::Record<'_>,
    ) -> fmt::Result {
        let mut object = parse_object(&current.fields);
        object.extend(json_fields(|visitor| fields.record(visitor)));
        current.fields = Json::Object(object).to_string();
        Ok(())
    }
}

fn parse_object(text: &str) -> Map<String, Json> {
    match serde_json::from_str(text) {
        Ok(Json::Object(object)) => object,
        _ => Map::new(),
    }
}

/// Collects fields as JSON values.
#[derive(Default)]
struct JsonVisitor(Map<String, Json>);

impl FieldSink for JsonVisitor {
    fn text(&mut self, name: &'static str, text: String) {
        self.0.insert(name.to_owned(), Json::String(text));
    }
    fn number(&mut self, name: &'static str, value: Number) {
        let json = match value {
            Number::I64(n) => Json::from(n),
            Number::U64(n) => Json::from(n),
            Number::F64(n) => serde_json::Number::from_f64(n).map_or(Json::Null, Json::Number),
        };
        self.0.insert(name.to_owned(), json);
    }
    fn boolean(&mut self, name: &'static str, value: bool) {
        self.0.insert(name.to_owned(), Json::Bool(value));
    }
}

/// The scrubbed fields of `fields`, as a JSON object.
fn json_fields(fields: impl FnOnce(&mut dyn Visit)) -> Map<String, Json> {
    let mut visitor = Scrubbing(JsonVisitor::default());
    fields(&mut visitor);
    visitor.0 .0
}
