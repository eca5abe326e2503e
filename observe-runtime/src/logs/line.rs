//! What one log line says, whatever its format: the level, the ids, the message, the event's
//! own fields and its spans' context, flattened once, scrubbed and within the value budget.

use serde_json::{Map, Value as Json};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::FormatFields;
use tracing_subscriber::fmt::{FmtContext, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

use super::exceptions::{fate, Fate};
use super::ids::LogIds;
use super::{json_fields, parse_object, LineOptions};

/// The content of a line, in the order a reader wants it.
pub(super) struct Line {
    pub(super) level: &'static str,
    pub(super) target: &'static str,
    /// `(trace_id, span_id)` inside a span.
    pub(super) ids: Option<(String, String)>,
    pub(super) message: Option<Json>,
    /// The event's own fields (not `message`).
    pub(super) fields: Map<String, Json>,
    /// The innermost span's name.
    pub(super) span: Option<&'static str>,
    /// The enclosing spans' fields that the event does not set, innermost winning.
    pub(super) context: Map<String, Json>,
}

impl Line {
    /// The line for `event`, or `None` when it is not to be written (a re-raised exception
    /// while DEBUG is filtered out).
    pub(super) fn of<S, N>(
        options: &LineOptions,
        ctx: &FmtContext<'_, S, N>,
        event: &Event<'_>,
    ) -> Option<Line>
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
        N: for<'w> FormatFields<'w> + 'static,
    {
        let meta = event.metadata();
        let mut fields = json_fields(|visitor| event.record(visitor));
        let mut level = meta.level().as_str();
        match fate(options.exception_logs, event, ctx.parent_span()) {
            Fate::Keep => {}
            Fate::Drop => return None,
            Fate::Demote(first) => {
                level = "DEBUG";
                fields.insert(
                    "exception.first_recorded_in".into(),
                    Json::String(first.to_owned()),
                );
            }
        }
        let message = fields.shift_remove("message").map(|m| options.budgeted(m));
        #[cfg(feature = "otlp")]
        let exported = crate::trace_context::current_ids();
        #[cfg(not(feature = "otlp"))]
        let exported = None;
        let ids = exported.or_else(|| ctx.event_scope().and_then(LogIds::of).map(LogIds::to_hex));
        let mut context = Map::new();
        let mut span = None;
        if let Some(scope) = ctx.event_scope() {
            for entered in scope.from_root() {
                if let Some(formatted) = entered.extensions().get::<FormattedFields<N>>() {
                    for (key, value) in parse_object(&formatted.fields) {
                        if !span_only(&key, options.code_attributes) {
                            context.insert(key, value);
                        }
                    }
                }
                span = Some(entered.name());
            }
        }
        context.retain(|key, _| !fields.contains_key(key));
        let own = |map: Map<String, Json>| {
            map.into_iter()
                .map(|(key, value)| (own_key(key), options.budgeted(value)))
                .collect()
        };
        Some(Line {
            level,
            target: meta.target(),
            ids,
            message,
            fields: own(fields),
            span,
            context: own(context),
        })
    }
}

/// Attributes that describe the span, not the request, and so stay off the lines: where the
/// code is (`code.*`, unless asked for) and how the span ended (`otel.status_code`,
/// `otel.status_description`, `error.type`, which the `exception` line says as
/// `exception.type` and `exception.message`).
fn span_only(key: &str, code_attributes: bool) -> bool {
    (key.starts_with("code.") && !code_attributes)
        || key.starts_with("otel.")
        || key == "error.type"
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
