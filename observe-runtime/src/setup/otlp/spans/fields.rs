//! `tracing` fields as OpenTelemetry span attributes and span events, with the mapping of
//! `tracing-opentelemetry` 0.34 (its defaults), so that switching layers changes nothing a
//! collector sees:
//! - span fields: `otel.name`, `otel.kind`, `otel.status_code`, `otel.status_description` set
//!   the name, kind and status; every other field is an attribute (integers and floats typed,
//!   other values as text, unsigned integers as their `Debug` text as there);
//! - events: `message` is the event's name, an `error` field of an event without a message
//!   makes it an `exception` event and the span's status an error; a `dyn Error` value adds
//!   `exception.message` and `exception.stacktrace` (its source chain).

use std::borrow::Cow;
use std::fmt;

use opentelemetry::trace::{Event, SpanKind, Status};
use opentelemetry::{Array, Key, KeyValue, StringValue, Value};
use tracing::field::{Field, Visit};

use super::state::Updates;
use super::texts;

const SPAN_NAME_FIELD: &str = "otel.name";
const SPAN_KIND_FIELD: &str = "otel.kind";
const SPAN_STATUS_CODE_FIELD: &str = "otel.status_code";
const SPAN_STATUS_DESCRIPTION_FIELD: &str = "otel.status_description";
const EXCEPTION_EVENT: &str = "exception";
const EXCEPTION_MESSAGE: &str = "exception.message";
const EXCEPTION_STACKTRACE: &str = "exception.stacktrace";

/// Records span fields into `Updates`; `site` is the span's metadata (for [`texts`]).
pub(super) struct SpanFields<'a>(pub(super) &'a mut Updates, pub(super) *const ());

/// A special field's value: text as recorded, or a value to format.
enum Text<'a> {
    Str(&'a str),
    Debug(&'a dyn fmt::Debug),
}

impl Text<'_> {
    fn owned(&self) -> String {
        match self {
            Text::Str(text) => (*text).to_owned(),
            Text::Debug(value) => format!("{value:?}"),
        }
    }

    /// Calls `f` with the text, formatting a value only when it is not text already.
    fn with<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        match self {
            Text::Str(text) => f(text),
            Text::Debug(_) => f(&self.owned()),
        }
    }
}

impl SpanFields<'_> {
    fn special(&mut self, name: &str, text: &Text<'_>) -> bool {
        // Most fields are attributes: one comparison sends them on.
        if !name.starts_with("otel.") {
            return false;
        }
        match name {
            SPAN_NAME_FIELD => {
                self.0.name = Some(match text {
                    Text::Str(text) => texts::span_name(text),
                    Text::Debug(value) => texts::span_name_debug(*value),
                });
            }
            SPAN_KIND_FIELD => {
                if let Some(kind) = text.with(span_kind) {
                    self.0.kind = Some(kind);
                }
            }
            SPAN_STATUS_CODE_FIELD => self.0.set_status(text.with(status)),
            SPAN_STATUS_DESCRIPTION_FIELD => self.0.set_status(Status::error(text.owned())),
            _ => return false,
        }
        true
    }
}

impl Visit for SpanFields<'_> {
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.attributes.push(KeyValue::new(field.name(), value));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.attributes.push(KeyValue::new(field.name(), value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.attributes.push(KeyValue::new(field.name(), value));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if !self.special(field.name(), &Text::Str(value)) {
            let value = texts::shared(texts::key(self.1, field.index()), value);
            self.0.attributes.push(KeyValue::new(field.name(), value));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if !self.special(field.name(), &Text::Debug(value)) {
            let value = texts::shared_debug(texts::key(self.1, field.index()), value);
            self.0.attributes.push(KeyValue::new(field.name(), value));
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        let (message, chain) = error_text(value);
        self.0
            .attributes
            .push(KeyValue::new(EXCEPTION_MESSAGE, message.clone()));
        self.0.attributes.push(KeyValue::new(
            EXCEPTION_STACKTRACE,
            Value::Array(chain.clone().into()),
        ));
        self.0.attributes.push(KeyValue::new(field.name(), message));
        self.0.attributes.push(KeyValue::new(
            Key::new(format!("{}.chain", field.name())),
            Value::Array(chain.into()),
        ));
    }
}

/// Records an event's fields into a span event; what it says of the span (status, exception
/// attributes) goes to `span`.
pub(super) struct EventFields<'a> {
    pub(super) event: &'a mut Event,
    pub(super) span: &'a mut Updates,
    /// The event's metadata (for [`texts`]).
    pub(super) site: *const (),
}

impl EventFields<'_> {
    fn push(&mut self, attribute: KeyValue) {
        self.event.attributes.push(attribute);
    }

    /// Whether `field` is an `error` on an event without a message (so far).
    fn is_error(&self, field: &Field) -> bool {
        field.name() == "error" && self.event.name.is_empty()
    }

    /// The event is the span's failure, with `debug` as its text.
    fn error(&mut self, debug: String) {
        self.span.set_status(Status::error(debug.clone()));
        self.event.name = Cow::Borrowed(EXCEPTION_EVENT);
        self.push(KeyValue::new(EXCEPTION_MESSAGE, debug));
    }
}

impl Visit for EventFields<'_> {
    fn record_bool(&mut self, field: &Field, value: bool) {
        match field.name() {
            "message" => self.event.name = value.to_string().into(),
            name => self.push(KeyValue::new(name, value)),
        }
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        match field.name() {
            "message" => self.event.name = value.to_string().into(),
            name => self.push(KeyValue::new(name, value)),
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        match field.name() {
            "message" => self.event.name = value.to_string().into(),
            name => self.push(KeyValue::new(name, value)),
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "message" => self.event.name = value.to_owned().into(),
            _ if self.is_error(field) => self.error(format!("{value:?}")),
            name => {
                let value = texts::shared(texts::key(self.site, field.index()), value);
                self.push(KeyValue::new(name, value));
            }
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        match field.name() {
            "message" => self.event.name = format!("{value:?}").into(),
            _ if self.is_error(field) => self.error(format!("{value:?}")),
            name => {
                let value = texts::shared_debug(texts::key(self.site, field.index()), value);
                self.push(KeyValue::new(name, value));
            }
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        let (message, chain) = error_text(value);
        self.push(KeyValue::new(EXCEPTION_MESSAGE, message.clone()));
        self.push(KeyValue::new(
            EXCEPTION_STACKTRACE,
            Value::Array(chain.clone().into()),
        ));
        self.span
            .attributes
            .push(KeyValue::new(EXCEPTION_MESSAGE, message.clone()));
        self.span.attributes.push(KeyValue::new(
            EXCEPTION_STACKTRACE,
            Value::Array(chain.clone().into()),
        ));
        self.push(KeyValue::new(field.name(), message));
        self.push(KeyValue::new(
            Key::new(format!("{}.chain", field.name())),
            Value::Array(chain.into()),
        ));
    }
}

/// An error's text and the text of its sources.
fn error_text(error: &(dyn std::error::Error + 'static)) -> (String, Vec<StringValue>) {
    let mut chain = Vec::new();
    let mut next = error.source();
    while let Some(source) = next {
        chain.push(source.to_string().into());
        next = source.source();
    }
    (error.to_string(), chain)
}

fn span_kind(text: &str) -> Option<SpanKind> {
    [
        ("server", SpanKind::Server),
        ("client", SpanKind::Client),
        ("producer", SpanKind::Producer),
        ("consumer", SpanKind::Consumer),
        ("internal", SpanKind::Internal),
    ]
    .into_iter()
    .find(|(name, _)| text.eq_ignore_ascii_case(name))
    .map(|(_, kind)| kind)
}

fn status(text: &str) -> Status {
    if text.eq_ignore_ascii_case("ok") {
        Status::Ok
    } else if text.eq_ignore_ascii_case("error") {
        Status::error("")
    } else {
        Status::Unset
    }
}

// `Array` is named so that a change of its variants in `opentelemetry` is a compile error here.
const _: fn(Vec<StringValue>) -> Array = Array::String;
