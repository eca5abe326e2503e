//! A `tracing` layer that records every span and event, for assertions from the outside.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

#[derive(Clone, Debug, Default)]
pub struct SpanRec {
    pub id: u64,
    pub name: String,
    pub target: String,
    pub level: String,
    pub parent: Option<u64>,
    pub fields: BTreeMap<String, String>,
    pub closed: bool,
    /// Ids of the spans this one follows from.
    pub follows: Vec<u64>,
}

#[derive(Clone, Debug, Default)]
pub struct EventRec {
    pub level: String,
    pub target: String,
    pub span: Option<u64>,
    pub fields: BTreeMap<String, String>,
}

impl EventRec {
    pub fn message(&self) -> &str {
        self.fields.get("message").map_or("", String::as_str)
    }
}

#[derive(Default)]
struct Data {
    spans: Vec<SpanRec>,
    events: Vec<EventRec>,
}

impl Data {
    /// The span with this id that is not closed yet (ids are reused after close).
    fn open_span(&mut self, id: &Id) -> Option<&mut SpanRec> {
        self.spans
            .iter_mut()
            .rev()
            .find(|s| s.id == id.into_u64() && !s.closed)
    }
}

#[derive(Clone, Default)]
pub struct Recording(Arc<Mutex<Data>>);

impl Recording {
    pub fn spans(&self) -> Vec<SpanRec> {
        self.0.lock().unwrap().spans.clone()
    }

    pub fn events(&self) -> Vec<EventRec> {
        self.0.lock().unwrap().events.clone()
    }

    /// The only span named `name`; fails the test if there is not exactly one.
    pub fn span(&self, name: &str) -> SpanRec {
        let found: Vec<_> = self
            .spans()
            .into_iter()
            .filter(|s| s.name == name)
            .collect();
        assert_eq!(found.len(), 1, "expected one span `{name}`, got {found:#?}");
        found.into_iter().next().unwrap()
    }

    pub fn events_in(&self, span: &SpanRec) -> Vec<EventRec> {
        self.events()
            .into_iter()
            .filter(|e| e.span == Some(span.id))
            .collect()
    }

    pub fn events_named(&self, message: &str) -> Vec<EventRec> {
        self.events()
            .into_iter()
            .filter(|e| e.message() == message)
            .collect()
    }
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        let _ = self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

struct RecordingLayer(Recording);

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for RecordingLayer {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        let parent = ctx
            .span(id)
            .and_then(|s| s.parent())
            .map(|p| p.id().into_u64());
        let meta = attrs.metadata();
        self.0 .0.lock().unwrap().spans.push(SpanRec {
            id: id.into_u64(),
            name: meta.name().to_owned(),
            target: meta.target().to_owned(),
            level: meta.level().to_string(),
            parent,
            fields,
            closed: false,
            follows: Vec::new(),
        });
    }

    fn on_follows_from(&self, id: &Id, cause: &Id, _: Context<'_, S>) {
        let mut data = self.0 .0.lock().unwrap();
        if let Some(span) = data.open_span(id) {
            span.follows.push(cause.into_u64());
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        let mut data = self.0 .0.lock().unwrap();
        if let Some(span) = data.open_span(id) {
            values.record(&mut Fields(&mut span.fields));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let span = ctx.event_span(event).map(|s| s.id().into_u64());
        let meta = event.metadata();
        self.0 .0.lock().unwrap().events.push(EventRec {
            level: meta.level().to_string(),
            target: meta.target().to_owned(),
            span,
            fields,
        });
    }

    fn on_close(&self, id: Id, _: Context<'_, S>) {
        let mut data = self.0 .0.lock().unwrap();
        if let Some(span) = data.open_span(&id) {
            span.closed = true;
        }
    }
}

/// Runs `f` with a recording subscriber as this thread's default.
pub fn record<T>(f: impl FnOnce() -> T) -> (T, Recording) {
    let recording = Recording::default();
    let subscriber = tracing_subscriber::registry().with(RecordingLayer(recording.clone()));
    let out = tracing::subscriber::with_default(subscriber, f);
    (out, recording)
}

/// A subscriber recording into `recording`, for code that installs it itself.
pub fn subscriber(recording: &Recording) -> impl Subscriber + for<'a> LookupSpan<'a> + Send + Sync {
    tracing_subscriber::registry().with(RecordingLayer(recording.clone()))
}

/// Polls a future to completion on this thread (no executor needed for these tests).
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    futures::executor::block_on(f)
}

/// The value of the sample of `metric` whose labels include all of `labels`, from
/// `observe::metrics::render()`.
pub fn sample(metric: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let text = observe::metrics::render();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            let (name, rest) = series.split_once('{').unwrap_or((series, ""));
            (name == metric).then_some((rest, value))
        })
        .find(|(rest, _)| {
            labels
                .iter()
                .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\"")))
        })
        .map(|(_, value)| value.parse().unwrap())
}

/// The HELP line of `metric`.
pub fn help(metric: &str) -> Option<String> {
    let prefix = format!("# HELP {metric} ");
    observe::metrics::render()
        .lines()
        .find_map(|l| l.strip_prefix(&prefix).map(str::to_owned))
}

/// Returns `Pending` once (waking itself), so the caller is polled again.
pub async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            std::task::Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    })
    .await;
}

/// A plain HTTP/1.1 request; returns the status line, headers and body as text.
pub fn http_get(addr: std::net::SocketAddr, method: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let timeout = std::time::Duration::from_secs(5);
    let mut stream = std::net::TcpStream::connect_timeout(&addr, timeout).unwrap();
    stream.set_read_timeout(Some(timeout)).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response).unwrap();
    response
}

/// Bytes written by a `fmt` layer, shared with the test (`with_writer(move || buffer.clone())`).
#[derive(Clone, Default)]
pub struct Buffer(pub Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
