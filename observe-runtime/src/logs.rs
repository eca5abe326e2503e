//! JSON log lines for `tracing-subscriber`'s `fmt` layer, with the redaction rules applied.
//!
//! One line per event:
//! `{"timestamp":…,"level":"INFO","target":…,"message":…,<event fields>,"span":{"name":…,<fields>},"spans":[{…},…]}`.
//! `span` is the innermost enclosing span and `spans` all of them, outermost first, each with
//! its fields, so request context set on an outer span is on every line inside it. Field
//! values pass through the value scrubber: text is scrubbed, values under sensitive keys are
//! `[REDACTED]`, numbers and booleans stay typed.
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
    tracing_subscriber::fmt::layer()
        .fmt_fields(JsonFields)
        .event_format(JsonFormat)
}

/// Formats events as JSON lines (see the module documentation).
#[derive(Clone, Copy, Debug, Default)]
pub struct JsonFormat;

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
        if let Some((trace_id, span_id)) = crate::trace_context::current_ids() {
            line.insert("trace_id".into(), Json::String(trace_id));
            line.insert("span_id".into(), Json::String(span_id));
        }
        line.insert("target".into(), Json::String(meta.target().to_owned()));
        let mut fields = json_fields(|visitor| event.record(visitor));
        if let Some(message) = fields.remove("message") {
            line.insert("message".into(), message);
        }
        line.extend(fields);
        if let Some(scope) = ctx.event_scope() {
            let spans: Vec<Json> = scope
                .from_root()
                .map(|span| {
                    let mut object = span
                        .extensions()
                        .get::<FormattedFields<N>>()
                        .map(|f| parse_object(&f.fields))
                        .unwrap_or_default();
                    object.insert("name".into(), Json::String(span.name().to_owned()));
                    Json::Object(object)
                })
                .collect();
            if let Some(current) = spans.last() {
                line.insert("span".into(), current.clone());
            }
            line.insert("spans".into(), Json::Array(spans));
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
