//! JSON log lines for `tracing-subscriber`'s `fmt` layer, with the redaction rules applied.
//!
//! One line per event:
//! `{"timestamp":…,"level":"INFO","target":…,"message":…,"trace_id":…,"span_id":…,"span":<innermost span's name>,<span fields>,<event fields>}`.
//! The fields of every enclosing span are on the line once, flattened (an inner span's field
//! wins over an outer one's of the same name, and the event's own fields over both), so request
//! context set on an outer span is on every line inside it. The span-only code attributes
//! (`code.function.name`, `code.file.path`, `code.line.number`) stay on the spans and are left
//! out ([`JsonFormat::code_attributes`] puts them back). Text longer than the value budget
//! (2 KiB, [`JsonFormat::value_budget`]) is cut at a character boundary and marked
//! `…[truncated, N bytes]`. Field values pass through the value scrubber: text is scrubbed,
//! values under sensitive keys are `[REDACTED]`, numbers and booleans stay typed.
//!
//! A line inside a span carries `trace_id` (32 hex digits) and `span_id` (16), W3C-valid, with
//! or without an exporter: the ids OpenTelemetry exports when its layer is installed (an OTLP
//! endpoint configured), else ids of observe's own, given to a span the first time a line is
//! written inside it (its trace's id from its root), so spans that log nothing cost nothing.
//! Lines outside any span carry none.
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

mod exceptions;

use std::fmt;

use serde_json::{Map, Value as Json};
use tracing::field::Visit;
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::{FormatEvent, FormatFields, Writer};
use tracing_subscriber::fmt::time::{FormatTime, SystemTime};
use tracing_subscriber::fmt::{FmtContext, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

use crate::redact::fields::{FieldSink, Number, Scrubbing};

/// A `fmt` layer writing scrubbed JSON lines to stdout.
pub fn json_layer<S>() -> tracing_subscriber::fmt::Layer<S, JsonFields, JsonFormat>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    json_layer_with(JsonFormat::default())
}

/// [`json_layer`] with a format of your choosing.
pub fn json_layer_with<S>(
    format: JsonFormat,
) -> tracing_subscriber::fmt::Layer<S, JsonFields, JsonFormat>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    tracing_subscriber::fmt::layer()
        .fmt_fields(JsonFields)
        .event_format(format)
}

/// The default value budget: text fields longer than this many bytes are truncated.
pub const DEFAULT_VALUE_BUDGET: usize = 2048;

/// Formats events as JSON lines (see the module documentation).
#[derive(Clone, Copy, Debug)]
pub struct JsonFormat {
    code_attributes: bool,
    value_budget: usize,
    exception_logs: ExceptionLogs,
}

/// Which `exception` events of one error become ERROR lines (see [`JsonFormat::exception_logs`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExceptionLogs {
    /// Every frame's, at its own level.
    All,
    /// The frame that recorded the error first; the frames that re-raise it through `?` write
    /// it at DEBUG, naming that frame's span in `exception.first_recorded_in`.
    #[default]
    FirstRecorded,
}

impl Default for JsonFormat {
    fn default() -> JsonFormat {
        JsonFormat {
            code_attributes: false,
            value_budget: DEFAULT_VALUE_BUDGET,
            exception_logs: ExceptionLogs::FirstRecorded,
        }
    }
}

impl JsonFormat {
    /// The default format: no code attributes, a 2 KiB value budget.
    pub fn new() -> JsonFormat {
        JsonFormat::default()
    }

    /// Whether lines carry their spans' `code.*` attributes (default: no).
    #[must_use]
    pub fn code_attributes(mut self, on: bool) -> JsonFormat {
        self.code_attributes = on;
        self
    }

    /// Text fields longer than `bytes` are cut there (at a character boundary) and marked
    /// `…[truncated, N bytes]`, N the original length (default 2048).
    #[must_use]
    pub fn value_budget(mut self, bytes: usize) -> JsonFormat {
        self.value_budget = bytes;
        self
    }

    /// One failure, one ERROR line (default [`ExceptionLogs::FirstRecorded`]): spans keep
    /// every frame's `exception` event; only the log lines change.
    #[must_use]
    pub fn exception_logs(mut self, which: ExceptionLogs) -> JsonFormat {
        self.exception_logs = which;
        self
    }

    fn budgeted(&self, value: Json) -> Json {
        match value {
            Json::String(text) if text.len() > self.value_budget => {
                let mut cut = self.value_budget;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                Json::String(format!(
                    "{}…[truncated, {} bytes]",
                    &text[..cut],
                    text.len()
                ))
            }
            other => other,
        }
    }
}

/// A field named like a key of the line itself is kept as `fields.<name>`, not dropped.
fn own_key(key: String) -> String {
    if LINE_KEYS.contains(&key.as_str()) {
        format!("fields.{key}")
    } else {
        key
    }
}

/// Keys of the line itself, which fields do not replace.
const LINE_KEYS: [&str; 7] = [
    "timestamp",
    "level",
    "target",
    "message",
    "trace_id",
    "span_id",
    "span",
];

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

impl<S, N> FormatEvent<S, N> for JsonFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'w> FormatFields<'w> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        let mut line = Map::new();
        let mut timestamp = String::new();
        if SystemTime
            .format_time(&mut Writer::new(&mut timestamp))
            .is_ok()
        {
            line.insert("timestamp".into(), Json::String(timestamp));
        }
        line.insert("level".into(), Json::String(meta.level().to_string()));
        #[cfg(feature = "otlp")]
        let exported = crate::trace_context::current_ids();
        #[cfg(not(feature = "otlp"))]
        let exported = None;
        let ids = exported.or_else(|| ctx.event_scope().and_then(LogIds::of).map(LogIds::to_hex));
        if let Some((trace_id, span_id)) = ids {
            line.insert("trace_id".into(), Json::String(trace_id));
            line.insert("span_id".into(), Json::String(span_id));
        }
        line.insert("target".into(), Json::String(meta.target().to_owned()));
        let mut fields = json_fields(|visitor| event.record(visitor));
        if self.exception_logs == ExceptionLogs::FirstRecorded
            && fields.get("message").and_then(Json::as_str) == Some("exception")
        {
            let text = |key: &str| fields.get(key).and_then(Json::as_str).unwrap_or_default();
            let first = ctx.event_scope().and_then(|mut scope| {
                let span = scope.next()?;
                exceptions::first_recorded_in(
                    &span,
                    text("exception.type"),
                    text("exception.message"),
                )
            });
            if let Some(first) = first {
                // Written at DEBUG only when something listens at DEBUG: the process-wide
                // maximum level (inside a subscriber's callback the current dispatcher cannot be
                // asked; with the one subscriber `init()` installs, this is its filter).
                if tracing::level_filters::LevelFilter::current() < tracing::Level::DEBUG {
                    return Ok(());
                }
                line.insert("level".into(), Json::String("DEBUG".into()));
                fields.insert(
                    "exception.first_recorded_in".into(),
                    Json::String(first.to_owned()),
                );
            }
        }
        if let Some(message) = fields.remove("message") {
            line.insert("message".into(), self.budgeted(message));
        }
        if let Some(scope) = ctx.event_scope() {
            let mut context = Map::new();
            let mut innermost = None;
            for span in scope.from_root() {
                if let Some(formatted) = span.extensions().get::<FormattedFields<N>>() {
                    for (key, value) in parse_object(&formatted.fields) {
                        if self.code_attributes || !key.starts_with("code.") {
                            context.insert(key, value);
                        }
                    }
                }
                innermost = Some(span.name());
            }
            if let Some(name) = innermost {
                line.insert("span".into(), Json::String(name.to_owned()));
            }
            for (key, value) in context {
                if !fields.contains_key(&key) {
                    line.insert(own_key(key), self.budgeted(value));
                }
            }
        }
        for (key, value) in fields {
            line.insert(own_key(key), self.budgeted(value));
        }
        writeln!(writer, "{}", Json::Object(line))
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

/// The ids of a span's log lines when no OpenTelemetry layer gives it any: kept in the span's
/// extensions once given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct LogIds {
    trace: u128,
    span: u64,
}

impl LogIds {
    /// The ids of the innermost span of `scope`, giving ids to the spans of the scope that
    /// have none yet, from the root down (a child takes its parent's trace id).
    fn of<S: for<'a> LookupSpan<'a>>(
        scope: tracing_subscriber::registry::Scope<'_, S>,
    ) -> Option<LogIds> {
        let mut innermost: Option<LogIds> = None;
        for span in scope.from_root() {
            // A read lock on the common path: ids are given once per span, read on every line.
            let given = span.extensions().get::<LogIds>().copied();
            let ids = given.unwrap_or_else(|| {
                let ids = LogIds {
                    trace: innermost.map_or_else(new_trace_id, |parent| parent.trace),
                    span: nonzero(next_id),
                };
                span.extensions_mut().insert(ids);
                ids
            });
            innermost = Some(ids);
        }
        innermost
    }

    fn to_hex(self) -> (String, String) {
        (
            format!("{:032x}", self.trace),
            format!("{:016x}", self.span),
        )
    }
}

/// A process-wide counter scrambled by a bijective mix with a per-process random key: ids that
/// never repeat within the process and are unpredictable across processes.
fn next_id() -> u64 {
    use std::hash::BuildHasher;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static KEY: OnceLock<u64> = OnceLock::new();
    let key = *KEY.get_or_init(|| {
        std::collections::hash_map::RandomState::new().hash_one(std::process::id())
    });
    crate::flow::splitmix64(COUNTER.fetch_add(1, Ordering::Relaxed) ^ key)
}

/// W3C trace context: an all-zero id is invalid.
fn nonzero(next: fn() -> u64) -> u64 {
    loop {
        let id = next();
        if id != 0 {
            return id;
        }
    }
}

fn new_trace_id() -> u128 {
    (u128::from(nonzero(next_id)) << 64) | u128::from(next_id())
}
