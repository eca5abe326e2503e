//! One failure, one ERROR line. An error that propagates through `?` is recorded by every
//! observed frame it leaves, so each span shows its status and keeps its `exception` event
//! (traces need them). In the log lines only the frame that recorded it first writes it at
//! ERROR; the frames above write it at DEBUG with `exception.first_recorded_in` naming that
//! span (or not at all when DEBUG is filtered out).
//!
//! "The same error" is an `exception` with the same `exception.type` and `exception.message`
//! recorded earlier by a span below, in the same trace: each span passes what was recorded in
//! it and below to its parent when its own exception is written. Limits: an outer frame that
//! fails with a different error of the same type and text (rare, and then the text does not
//! tell them apart either) is demoted as well; an error converted by `?` into another type or
//! message is a different error and logged at ERROR again; frames without `#[observe]` in
//! between are transparent.

use std::fmt;

use tracing::field::{Field, Visit};
use tracing::Event;
use tracing_subscriber::registry::{LookupSpan, SpanRef};

/// Which `exception` events of one error become ERROR lines (set with
/// [`LineOptions::exception_logs`](super::LineOptions::exception_logs)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExceptionLogs {
    /// Every frame's, at its own level.
    All,
    /// The frame that recorded the error first; the frames that re-raise it through `?` write
    /// it at DEBUG, naming that frame's span in `exception.first_recorded_in`.
    #[default]
    FirstRecorded,
}

/// What becomes of an event in the logs (JSON or pretty lines, OTLP log records).
pub(crate) enum Fate {
    /// Written as it is.
    Keep,
    /// A re-raised exception: written at DEBUG, naming the span that recorded it first.
    Demote(&'static str),
    /// A re-raised exception while DEBUG is filtered out: not written.
    Drop,
}

/// The fate of `event`, inside `span`: only `exception` events of errors a span below
/// recorded first are demoted. Called once per event by each log channel: it is idempotent.
pub(crate) fn fate<S: for<'a> LookupSpan<'a>>(
    which: ExceptionLogs,
    event: &Event<'_>,
    span: Option<SpanRef<'_, S>>,
) -> Fate {
    let fields = event.metadata().fields();
    let (Some(span), Some(_), ExceptionLogs::FirstRecorded) =
        (span, fields.field("exception.type"), which)
    else {
        return Fate::Keep;
    };
    let mut exception = Exception::default();
    event.record(&mut exception);
    match first_recorded_in(&span, &exception.error_type, &exception.message) {
        None => Fate::Keep,
        // Written at DEBUG only when something listens at DEBUG: the process-wide maximum level
        // (inside a subscriber's callback the current dispatcher cannot be asked; with the one
        // subscriber `init()` installs, this is its filter).
        Some(_) if tracing::level_filters::LevelFilter::current() < tracing::Level::DEBUG => {
            Fate::Drop
        }
        Some(first) => Fate::Demote(first),
    }
}

/// The type and message of an `exception` event.
#[derive(Default)]
struct Exception {
    error_type: String,
    message: String,
}

impl Visit for Exception {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "exception.type" => value.clone_into(&mut self.error_type),
            "exception.message" => value.clone_into(&mut self.message),
            _ => {}
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if matches!(field.name(), "exception.type" | "exception.message") {
            self.record_str(field, &format!("{value:?}"));
        }
    }
}

/// Errors recorded in a span or below it: type, message, and the span that recorded it first.
#[derive(Default)]
struct Raised(Vec<(String, String, &'static str)>);

/// For an `exception` event of `span`: the span below that first recorded the same error, if
/// one did. Passes the error on to `span`'s parent either way.
fn first_recorded_in<S: for<'a> LookupSpan<'a>>(
    span: &SpanRef<'_, S>,
    error_type: &str,
    message: &str,
) -> Option<&'static str> {
    let below = span.extensions().get::<Raised>().and_then(|raised| {
        raised
            .0
            .iter()
            .find(|(t, m, _)| t == error_type && m == message)
            .map(|(_, _, first)| *first)
    });
    if let Some(parent) = span.parent() {
        let mut extensions = parent.extensions_mut();
        if extensions.get_mut::<Raised>().is_none() {
            extensions.insert(Raised::default());
        }
        if let Some(raised) = extensions.get_mut::<Raised>() {
            // A bounded list without repeats (each log channel passes the same error on): a
            // span that sees many distinct errors keeps the first ones.
            let known = raised
                .0
                .iter()
                .any(|(t, m, _)| t == error_type && m == message);
            if !known && raised.0.len() < 16 {
                raised.0.push((
                    error_type.to_owned(),
                    message.to_owned(),
                    below.unwrap_or(span.name()),
                ));
            }
        }
    }
    below
}
