//! Testing your own instrumentation: run code inside [`capture`] (or [`capture_async`]) and get
//! back what it recorded, spans, events and observe's metric increments, as the channels would
//! show them, redaction included.
//!
//! (The example is on the facade's `observe::testing`.)
//!
//! Captures are isolated: each sees only what ran inside it, on its own thread or, for
//! [`capture_async`], on whichever thread polls its future, so tests that `cargo test` runs in
//! parallel never see each other's records. Inside a capture the thread's default subscriber
//! is the capture's, whatever subscriber the process installed. A capture inside a capture
//! gives the inner one its own records and the outer one everything. Outside any capture, an
//! observe call pays one relaxed atomic load for this feature, and nothing without it.

mod record;

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

pub(crate) use record::{capturing, record_call};
use record::{Active, Store, DISPATCH};

/// Runs `f` and returns its value with what it recorded.
pub fn capture<R>(f: impl FnOnce() -> R) -> (R, Captured) {
    record::ready();
    let store = Arc::new(Store::default());
    let out = {
        let _active = Active::push(std::slice::from_ref(&store));
        tracing::dispatcher::with_default(&DISPATCH, f)
    };
    (out, Captured::from_store(&store))
}

/// Runs `future` to its end and returns its output with what it recorded, on whichever
/// threads polled it.
pub async fn capture_async<F: Future>(future: F) -> (F::Output, Captured) {
    record::ready();
    let store = Arc::new(Store::default());
    // The captures around this one, if it runs inside another capture's closure or future.
    let mut stores = record::stack();
    stores.push(Arc::clone(&store));
    let out = Capturing {
        future: Box::pin(future),
        stores,
    }
    .await;
    (out, Captured::from_store(&store))
}

/// The captures active where it is called, to carry into work that runs elsewhere: a
/// `tokio::spawn`ed task or a spawned thread is not polled inside the capture's future or
/// closure, so it records nothing unless bound (as with `tracing`'s `with_subscriber`).
///
/// (The example is on the facade's `observe::testing`.)
pub fn current() -> CaptureScope {
    CaptureScope {
        stores: record::stack(),
    }
}

/// Captures to make active around other work: see [`current`].
#[derive(Clone)]
pub struct CaptureScope {
    stores: Vec<Arc<Store>>,
}

impl CaptureScope {
    /// Runs `f` with the captures active, on whichever thread calls this.
    pub fn run<R>(&self, f: impl FnOnce() -> R) -> R {
        if self.stores.is_empty() {
            return f();
        }
        let _active = Active::push(&self.stores);
        tracing::dispatcher::with_default(&DISPATCH, f)
    }

    /// `future`, polled with the captures active, on whichever thread polls it.
    pub fn bind<F: Future>(&self, future: F) -> impl Future<Output = F::Output> {
        Capturing {
            future: Box::pin(future),
            stores: self.stores.clone(),
        }
    }
}

impl fmt::Debug for CaptureScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CaptureScope({} captures)", self.stores.len())
    }
}

/// Polls its future with its captures active and the capture subscriber as the default.
struct Capturing<F> {
    future: Pin<Box<F>>,
    stores: Vec<Arc<Store>>,
}

impl<F: Future> Future for Capturing<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = &mut *self;
        let _active = Active::push(&this.stores);
        tracing::dispatcher::with_default(&DISPATCH, || this.future.as_mut().poll(cx))
    }
}

/// What ran inside a capture recorded.
pub struct Captured {
    spans: Vec<CapturedSpan>,
    events: Vec<CapturedEvent>,
    samples: Vec<record::Sample>,
}

/// One span opened inside a capture.
#[derive(Clone)]
pub struct CapturedSpan {
    id: usize,
    trace: usize,
    name: String,
    target: String,
    level: tracing::Level,
    parent: Option<String>,
    fields: BTreeMap<String, String>,
    events: Vec<CapturedEvent>,
    started: SystemTime,
    duration: Option<Duration>,
}

/// One event emitted inside a capture.
#[derive(Clone)]
pub struct CapturedEvent {
    level: tracing::Level,
    target: String,
    span: Option<usize>,
    fields: BTreeMap<String, String>,
    timestamp: SystemTime,
}

impl Captured {
    fn from_store(store: &Store) -> Captured {
        let data = std::mem::take(&mut *store.data.lock().unwrap_or_else(|e| e.into_inner()));
        let events: Vec<CapturedEvent> = data
            .events
            .into_iter()
            .map(|e| CapturedEvent {
                level: e.level,
                target: e.target,
                span: e.span,
                fields: e.fields,
                timestamp: e.timestamp,
            })
            .collect();
        let spans = data
            .spans
            .into_iter()
            .enumerate()
            .map(|(id, s)| CapturedSpan {
                id,
                trace: s.trace,
                events: events
                    .iter()
                    .filter(|e| e.span == Some(id))
                    .cloned()
                    .collect(),
                name: s.name,
                target: s.target,
                level: s.level,
                parent: s.parent,
                fields: s.fields,
                started: s.started,
                duration: s.duration,
            })
            .collect();
        Captured {
            spans,
            events,
            samples: data.samples,
        }
    }

    /// Every span opened inside the capture, in the order they were opened.
    pub fn spans(&self) -> &[CapturedSpan] {
        &self.spans
    }

    /// The first span named `name`.
    ///
    /// # Panics
    ///
    /// When there is none, with the names of the spans that were captured.
    #[track_caller]
    pub fn span(&self, name: &str) -> &CapturedSpan {
        self.spans
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| {
                let names: Vec<&str> = self.spans.iter().map(|s| s.name.as_str()).collect();
                panic!("no span named `{name}` was captured; captured spans: {names:?}")
            })
    }

    /// Every event emitted inside the capture, in order.
    pub fn events(&self) -> &[CapturedEvent] {
        &self.events
    }

    /// What observe's call sites inside the capture added to the counter `name` (its full name,
    /// `_total` included), over the series whose labels include `labels`.
    pub fn counter(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.matching(name, labels).map(|s| s.value).sum()
    }

    /// How many observations observe's call sites inside the capture added to the histogram
    /// `name`, over the series whose labels include `labels`.
    pub fn histogram_count(&self, name: &str, labels: &[(&str, &str)]) -> u64 {
        self.matching(name, labels).count() as u64
    }

    fn matching<'a>(
        &'a self,
        name: &'a str,
        labels: &'a [(&str, &str)],
    ) -> impl Iterator<Item = &'a record::Sample> + 'a {
        self.samples.iter().filter(move |s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.iter().any(|(sk, sv)| sk == k && sv == v))
        })
    }

    /// Panics, listing where, if `secret` appears in any captured span field, event field or
    /// metric label.
    #[track_caller]
    pub fn assert_no_secret(&self, secret: &str) {
        let mut found = Vec::new();
        for span in &self.spans {
            for (key, value) in &span.fields {
                if value.contains(secret) {
                    found.push(format!("span `{}` field `{key}` = {value:?}", span.name));
                }
            }
        }
        for event in &self.events {
            for (key, value) in &event.fields {
                if value.contains(secret) {
                    found.push(format!(
                        "event `{}` field `{key}` = {value:?}",
                        event.message()
                    ));
                }
            }
        }
        for sample in &self.samples {
            for (key, value) in &sample.labels {
                if value.contains(secret) {
                    found.push(format!(
                        "metric `{}` label `{key}` = {value:?}",
                        sample.name
                    ));
                }
            }
        }
        assert!(
            found.is_empty(),
            "`{secret}` was recorded:\n  {}",
            found.join("\n  ")
        );
    }
}

impl CapturedSpan {
    /// The span's id in this capture: spans count from 0 in the order they were opened, so
    /// ids are the same on every run.
    pub fn id(&self) -> usize {
        self.id
    }

    /// The id of its trace in this capture: the id of the first captured span of the trace (a
    /// span whose parent was opened outside the capture starts one).
    pub fn trace_id(&self) -> usize {
        self.trace
    }

    /// The span's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The span's target.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The span's level.
    pub fn level(&self) -> tracing::Level {
        self.level
    }

    /// The name of the span's parent, if it has one (captured or not).
    pub fn parent(&self) -> Option<&str> {
        self.parent.as_deref()
    }

    /// A field's value as the channels show it (the text of `Debug`, strings as they are).
    pub fn field(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(String::as_str)
    }

    /// Whether the call failed: the span's `otel.status_code` is `ERROR`.
    pub fn is_error(&self) -> bool {
        self.field("otel.status_code") == Some("ERROR")
    }

    /// The failure's description (`otel.status_description`), when the call failed.
    pub fn status_description(&self) -> Option<&str> {
        if self.is_error() {
            self.field("otel.status_description")
        } else {
            None
        }
    }

    /// When the span was opened (wall clock; left out of `Debug`).
    pub fn started_at(&self) -> SystemTime {
        self.started
    }

    /// How long the span was open, once it has closed (left out of `Debug`).
    pub fn duration(&self) -> Option<Duration> {
        self.duration
    }

    /// Whether the span closed inside the capture.
    pub fn is_closed(&self) -> bool {
        self.duration.is_some()
    }

    /// Panics, with the span's fields, unless the span records a failure.
    #[track_caller]
    pub fn assert_error(&self) -> &CapturedSpan {
        assert!(
            self.is_error(),
            "span `{}` has no error status: {self:?}",
            self.name
        );
        self
    }

    /// The events emitted inside this span, in order.
    pub fn events(&self) -> &[CapturedEvent] {
        &self.events
    }
}

impl CapturedEvent {
    /// The event's `message` field (`exception`, `flow_step`, …), or `""`.
    pub fn message(&self) -> &str {
        self.field("message").unwrap_or_default()
    }

    /// The event's level.
    pub fn level(&self) -> tracing::Level {
        self.level
    }

    /// The event's target.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The [`id`](CapturedSpan::id) of the span it was emitted in, if that span was captured.
    pub fn span_id(&self) -> Option<usize> {
        self.span
    }

    /// When the event was emitted (wall clock; left out of `Debug`).
    pub fn timestamp(&self) -> SystemTime {
        self.timestamp
    }

    /// A field's value as the channels show it.
    pub fn field(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(String::as_str)
    }
}

impl fmt::Debug for Captured {
    /// Every span with its fields and events, then the events outside captured spans, then the
    /// metric increments; ids count from 0 in each capture, and there are no timings, so the
    /// text is stable between runs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Captured {{")?;
        for span in &self.spans {
            writeln!(f, "  {span:?}")?;
            for event in &span.events {
                writeln!(f, "    {event:?}")?;
            }
        }
        for event in self.events.iter().filter(|e| e.span.is_none()) {
            writeln!(f, "  {event:?}")?;
        }
        for sample in &self.samples {
            let labels: Vec<String> = sample
                .labels
                .iter()
                .map(|(k, v)| format!("{k}={v:?}"))
                .collect();
            writeln!(
                f,
                "  metric {}{{{}}} +{}",
                sample.name,
                labels.join(","),
                sample.value
            )?;
        }
        write!(f, "}}")
    }
}

impl fmt::Debug for CapturedSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "span #{}", self.id)?;
        if self.trace != self.id {
            write!(f, " (trace #{})", self.trace)?;
        }
        write!(f, " {} {}", self.level, self.name)?;
        if let Some(parent) = &self.parent {
            write!(f, " (in {parent})")?;
        }
        write!(f, " {:?}", self.fields)
    }
}

impl fmt::Debug for CapturedEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "event {} {:?}", self.level, self.fields)
    }
}
