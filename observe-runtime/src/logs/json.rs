//! The JSON line: one object per event, for log pipelines.

use std::fmt;

use serde_json::{Map, Value as Json};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::{FormatEvent, FormatFields, Writer};
use tracing_subscriber::fmt::time::{FormatTime, SystemTime};
use tracing_subscriber::fmt::FmtContext;
use tracing_subscriber::registry::LookupSpan;

use super::line::Line;
use super::LineOptions;

/// Formats events as JSON lines (the keys are listed in the module documentation).
#[derive(Clone, Copy, Debug, Default)]
pub struct JsonFormat(pub(super) LineOptions);

// Input:  an event `info!(items = 3, "fetched")` inside `process_job{job.id=7}`
// Output: {"timestamp":"…","level":"INFO","trace_id":"…","span_id":"…","target":"worker",
//          "message":"fetched","span":"process_job","job.id":7,"items":3}
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
        let Some(line) = Line::of(&self.0, ctx, event) else {
            return Ok(());
        };
        let mut object = Map::new();
        let mut timestamp = String::new();
        if SystemTime
            .format_time(&mut Writer::new(&mut timestamp))
            .is_ok()
        {
            object.insert("timestamp".into(), Json::String(timestamp));
        }
        object.insert("level".into(), Json::String(line.level.into()));
        if let Some((trace_id, span_id)) = line.ids {
            object.insert("trace_id".into(), Json::String(trace_id));
            object.insert("span_id".into(), Json::String(span_id));
        }
        object.insert("target".into(), Json::String(line.target.into()));
        if let Some(message) = line.message {
            object.insert("message".into(), message);
        }
        if let Some(span) = line.span {
            object.insert("span".into(), Json::String(span.into()));
        }
        object.extend(line.context);
        object.extend(line.fields);
        writeln!(writer, "{}", Json::Object(object))
    }
}
