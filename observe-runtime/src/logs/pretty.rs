//! The line for a person at a terminal: time, level, message and the message's own fields
//! first; then, dimmed, the span it was written in, that span's context, the target and the
//! ids. Values are quoted when they contain spaces, quotes or `=`, and control characters are
//! escaped, so one event stays one line.

use std::fmt::{self, Write as _};

use serde_json::Value as Json;
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::{FormatEvent, FormatFields, Writer};
use tracing_subscriber::fmt::time::{FormatTime, SystemTime};
use tracing_subscriber::fmt::FmtContext;
use tracing_subscriber::registry::LookupSpan;

use super::line::Line;
use super::LineOptions;

/// Formats events as human-readable lines (see the module documentation of `observe::logs`).
#[derive(Clone, Copy, Debug, Default)]
pub struct PrettyFormat {
    pub(super) options: LineOptions,
    pub(super) ansi: bool,
}

const DIM: &str = "\x1b[2m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

fn level_color(level: &str) -> &'static str {
    match level {
        "ERROR" => "\x1b[31m",
        "WARN" => "\x1b[33m",
        "INFO" => "\x1b[32m",
        "DEBUG" => "\x1b[34m",
        _ => "\x1b[35m",
    }
}

// Input:  an event `info!(items = 3, "fetched")` inside `process_job{job.id=7}`
// Output: 2026-12-02T14:31:07.482913Z  INFO fetched items=3  in process_job job.id=7
//         target=worker trace_id=… span_id=…          (one line; the part from `in` dimmed)
impl<S, N> FormatEvent<S, N> for PrettyFormat
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
        let Some(line) = Line::of(&self.options, ctx, event) else {
            return Ok(());
        };
        let mut out = String::with_capacity(160);
        let style = |out: &mut String, code: &str| {
            if self.ansi {
                out.push_str(code);
            }
        };
        style(&mut out, DIM);
        if SystemTime.format_time(&mut Writer::new(&mut out)).is_err() {
            out.push('-');
        }
        style(&mut out, RESET);
        out.push(' ');
        style(&mut out, level_color(line.level));
        let _ = write!(out, "{:>5}", line.level);
        style(&mut out, RESET);
        out.push(' ');
        if let Some(message) = &line.message {
            style(&mut out, BOLD);
            match message {
                Json::String(text) => escape_controls(&mut out, text),
                other => value(&mut out, other),
            }
            style(&mut out, RESET);
        }
        for (key, field) in &line.fields {
            pair(&mut out, key, field);
        }
        let mut tail = String::with_capacity(120);
        if let Some(span) = line.span {
            tail.push_str("in ");
            tail.push_str(span);
        }
        for (key, field) in &line.context {
            pair(&mut tail, key, field);
        }
        pair(&mut tail, "target", &Json::String(line.target.into()));
        if let Some((trace_id, span_id)) = &line.ids {
            let _ = write!(tail, " trace_id={trace_id} span_id={span_id}");
        }
        out.push_str("  ");
        style(&mut out, DIM);
        out.push_str(&tail);
        style(&mut out, RESET);
        writer.write_str(&out)?;
        writer.write_char('\n')
    }
}

fn pair(out: &mut String, key: &str, field: &Json) {
    if !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
    escape_controls(out, key);
    out.push('=');
    value(out, field);
}

/// A value: numbers and booleans as they are, text bare when it reads unambiguously and
/// quoted (JSON string escapes) otherwise.
fn value(out: &mut String, field: &Json) {
    match field {
        Json::String(text) => {
            let bare = !text.is_empty()
                && !text
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '=' | '\\'));
            if bare {
                out.push_str(text);
            } else {
                out.push_str(&Json::String(text.clone()).to_string());
            }
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Text as it is, but control characters (a newline, an escape sequence) escaped.
fn escape_controls(out: &mut String, text: &str) {
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
}
