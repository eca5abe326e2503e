//! The redaction rules applied to the fields of a `tracing` event or span, for every log
//! channel (the JSON lines and the OTLP log records): text is scrubbed, any value under a
//! sensitive key becomes `[REDACTED]`, numbers and booleans stay typed.

use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};

use super::scrub::{is_sensitive_key, scrub};
use super::REDACTED;

/// Where [`Scrubbing`] puts field values, once the redaction rules are applied.
pub(crate) trait FieldSink {
    fn text(&mut self, name: &'static str, text: String);
    fn number(&mut self, name: &'static str, value: Number);
    fn boolean(&mut self, name: &'static str, value: bool);
}

/// A typed number of a field.
#[derive(Clone, Copy)]
pub(crate) enum Number {
    I64(i64),
    U64(u64),
    F64(f64),
}

/// Visits fields with the redaction rules: text is scrubbed, any value under a sensitive key
/// (other than `message`) becomes `[REDACTED]`, numbers and booleans stay typed.
pub(crate) struct Scrubbing<T>(pub(crate) T);

impl<T: FieldSink> Scrubbing<T> {
    fn hidden(field: &Field) -> bool {
        field.name() != "message" && is_sensitive_key(field.name())
    }

    fn text(&mut self, field: &Field, text: &str) {
        let text = if Self::hidden(field) {
            REDACTED.to_owned()
        } else {
            scrub(text).into_owned()
        };
        self.0.text(field.name(), text);
    }

    fn number(&mut self, field: &Field, value: Number) {
        if Self::hidden(field) {
            self.0.text(field.name(), REDACTED.to_owned());
        } else {
            self.0.number(field.name(), value);
        }
    }
}

impl<T: FieldSink> Visit for Scrubbing<T> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.number(field, Number::F64(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.number(field, Number::I64(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.number(field, Number::U64(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        if Self::hidden(field) {
            self.0.text(field.name(), REDACTED.to_owned());
        } else {
            self.0.boolean(field.name(), value);
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.text(field, value);
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.text(field, &bounded(|out| write!(out, "{value}"), "Display"));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.text(field, &bounded(|out| write!(out, "{value:?}"), "Debug"));
    }
}

/// How much of one value's `Debug` or `Display` rendering is kept: formatting stops there.
pub(crate) const DEBUG_LIMIT: usize = 64 * 1024;

/// The end of a rendering stopped at [`DEBUG_LIMIT`].
pub(crate) const CUT_MARKER: &str = "…[truncated]";

/// A value's rendering, stopped at [`DEBUG_LIMIT`] (one that writes without end ends), and
/// `[<trait> panicked]` for one that panics: a bad value never takes the caller down.
fn bounded(render: impl FnOnce(&mut Limited) -> fmt::Result, which: &str) -> String {
    let mut out = Limited::default();
    // A failing rendering keeps what it wrote; only a panic loses it.
    let rendered =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| render(&mut out).is_ok()));
    match rendered {
        Err(_) => format!("[{which} panicked]"),
        Ok(_) if out.full => out.text + CUT_MARKER,
        Ok(_) => out.text,
    }
}

/// A `String` that refuses to grow past [`DEBUG_LIMIT`], ending the formatting there.
#[derive(Default)]
struct Limited {
    text: String,
    full: bool,
}

impl fmt::Write for Limited {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = DEBUG_LIMIT - self.text.len();
        if s.len() <= room {
            self.text.push_str(s);
            return Ok(());
        }
        let mut cut = room;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        self.text.push_str(&s[..cut]);
        self.full = true;
        Err(fmt::Error)
    }
}
