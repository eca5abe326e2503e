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

use tracing_subscriber::registry::{LookupSpan, SpanRef};

/// Errors recorded in a span or below it: type, message, and the span that recorded it first.
#[derive(Default)]
struct Raised(Vec<(String, String, &'static str)>);

/// For an `exception` event of `span`: the span below that first recorded the same error, if
/// one did. Passes the error on to `span`'s parent either way.
pub(super) fn first_recorded_in<S: for<'a> LookupSpan<'a>>(
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
            // A bounded list: a span that sees many distinct errors keeps the first ones.
            if raised.0.len() < 16 {
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
