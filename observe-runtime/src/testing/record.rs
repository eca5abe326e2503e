//! Where captured telemetry goes while a capture runs: the captures active on this thread (a
//! stack, for nested captures), each one's store, and the `tracing` layer that fills them.
//!
//! A capture is active on a thread while its closure runs there, or while its future is polled
//! there (`capture_async` pushes it around each poll), so async code that hops threads stays
//! in its capture, and captures running in parallel on other threads never see each other.
//! Every capture on the stack gets what happens: an inner capture its own records, the outer
//! one everything.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Dispatch, Event, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

use crate::info::SiteInfo;

/// Captures active anywhere in the process: the one load the metric path pays.
static ACTIVE: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static STACK: RefCell<Vec<Arc<Store>>> = const { RefCell::new(Vec::new()) };
}

/// The subscriber every capture records through, made once.
pub(super) static DISPATCH: LazyLock<Dispatch> =
    LazyLock::new(|| Dispatch::new(tracing_subscriber::registry().with(CaptureLayer)));

/// Makes the capture subscriber, once. With a single registered dispatcher, `tracing` asks
/// the calling thread's default about each new callsite, so one first seen outside any capture
/// would be "never" for good; a second registered dispatcher (which wants nothing) makes it
/// ask every dispatcher instead, and callsites seen earlier are asked again.
pub(super) fn ready() {
    static READY: std::sync::Once = std::sync::Once::new();
    static SECOND: LazyLock<Dispatch> =
        LazyLock::new(|| Dispatch::new(tracing::subscriber::NoSubscriber::default()));
    READY.call_once(|| {
        LazyLock::force(&DISPATCH);
        LazyLock::force(&SECOND);
        tracing_core::callsite::rebuild_interest_cache();
    });
}

/// What one capture recorded so far.
#[derive(Default)]
pub(super) struct Store {
    pub(super) data: Mutex<Data>,
}

#[derive(Default)]
pub(super) struct Data {
    pub(super) spans: Vec<SpanData>,
    pub(super) events: Vec<EventData>,
    pub(super) samples: Vec<Sample>,
}

pub(super) struct SpanData {
    /// The index of the first span of its trace in the same capture (its own for a root).
    pub(super) trace: usize,
    pub(super) name: String,
    pub(super) target: String,
    pub(super) level: tracing::Level,
    pub(super) parent: Option<String>,
    pub(super) fields: BTreeMap<String, String>,
    pub(super) started: SystemTime,
    pub(super) opened: Instant,
    /// Set when the span closes.
    pub(super) duration: Option<Duration>,
}

pub(super) struct EventData {
    pub(super) level: tracing::Level,
    pub(super) target: String,
    /// The index of its span in the same capture, if the span was captured.
    pub(super) span: Option<usize>,
    pub(super) fields: BTreeMap<String, String>,
    pub(super) timestamp: SystemTime,
}

/// One increment of an observe metric series.
pub(super) struct Sample {
    pub(super) name: &'static str,
    pub(super) labels: Vec<(String, String)>,
    pub(super) value: f64,
}

impl Store {
    fn data(&self) -> std::sync::MutexGuard<'_, Data> {
        self.data.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Whether any capture is active (one relaxed load).
#[inline(always)]
pub(crate) fn capturing() -> bool {
    ACTIVE.load(Ordering::Relaxed) != 0
}

/// The captures active on this thread, innermost last.
pub(super) fn stack() -> Vec<Arc<Store>> {
    STACK.with(|stack| stack.borrow().clone())
}

/// Makes `stores` active on this thread until dropped (also when unwinding).
pub(super) struct Active {
    count: usize,
}

impl Active {
    pub(super) fn push(stores: &[Arc<Store>]) -> Active {
        STACK.with(|stack| stack.borrow_mut().extend(stores.iter().cloned()));
        ACTIVE.fetch_add(stores.len(), Ordering::Relaxed);
        Active {
            count: stores.len(),
        }
    }
}

impl Drop for Active {
    fn drop(&mut self) {
        STACK.with(|stack| {
            let mut stack = stack.borrow_mut();
            let keep = stack.len().saturating_sub(self.count);
            stack.truncate(keep);
        });
        ACTIVE.fetch_sub(self.count, Ordering::Relaxed);
    }
}

/// A finished call of `info`'s call site, as its metrics count it: `labels` are the values of
/// `function`, `module` and its `labels(...)`, `result` and `error_type` what it ended with.
#[cold]
#[inline(never)]
pub(crate) fn record_call(info: &SiteInfo, values: &[String], result: &str, error_type: &str) {
    let stores = stack();
    if stores.is_empty() {
        return;
    }
    let mut base: Vec<(String, String)> = ["function", "module"]
        .iter()
        .chain(info.labels)
        .map(|name| (*name).to_owned())
        .zip(values.iter().cloned())
        .collect();
    let mut samples = Vec::new();
    if !error_type.is_empty() {
        if let Some(errors) = info.errors {
            let mut labels = base.clone();
            labels.push(("error_type".into(), error_type.to_owned()));
            samples.push((errors, labels));
        }
    }
    base.push(("result".into(), result.to_owned()));
    if let Some(counter) = info.counter {
        samples.push((counter, base.clone()));
    }
    if let Some(histogram) = &info.histogram {
        samples.push((histogram.name, base));
    }
    for store in &stores {
        let mut data = store.data();
        for (name, labels) in &samples {
            data.samples.push(Sample {
                name,
                labels: labels.clone(),
                value: 1.0,
            });
        }
    }
}

/// Which capture holds a span, and at which index: kept in the span's extensions.
struct Owners(Vec<(Arc<Store>, usize)>);

struct CaptureLayer;

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for CaptureLayer {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let stores = stack();
        let Some(span) = ctx.span(id) else { return };
        if stores.is_empty() {
            return;
        }
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        let meta = attrs.metadata();
        let parent = span.parent();
        let parent_extensions = parent.as_ref().map(|p| p.extensions());
        let parent_owners = parent_extensions.as_ref().and_then(|e| e.get::<Owners>());
        let parent = parent.as_ref().map(|p| p.name().to_owned());
        let (started, opened) = (SystemTime::now(), Instant::now());
        let mut owners = Vec::with_capacity(stores.len());
        for store in stores {
            let index = {
                let mut data = store.data();
                let index = data.spans.len();
                let trace = parent_owners
                    .and_then(|owners| owners.index_in(&store))
                    .and_then(|parent| data.spans.get(parent))
                    .map_or(index, |parent| parent.trace);
                data.spans.push(SpanData {
                    trace,
                    name: meta.name().to_owned(),
                    target: meta.target().to_owned(),
                    level: *meta.level(),
                    parent: parent.clone(),
                    fields: fields.clone(),
                    started,
                    opened,
                    duration: None,
                });
                index
            };
            owners.push((store, index));
        }
        drop(parent_extensions);
        span.extensions_mut().insert(Owners(owners));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let extensions = span.extensions();
        let Some(Owners(owners)) = extensions.get::<Owners>() else {
            return;
        };
        let mut fields = BTreeMap::new();
        values.record(&mut Fields(&mut fields));
        for (store, index) in owners {
            if let Some(span) = store.data().spans.get_mut(*index) {
                span.fields.extend(fields.clone());
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let stores = stack();
        if stores.is_empty() {
            return;
        }
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let meta = event.metadata();
        let span = ctx.event_span(event);
        let extensions = span.as_ref().map(|s| s.extensions());
        let owners = extensions.as_ref().and_then(|e| e.get::<Owners>());
        let timestamp = SystemTime::now();
        for store in stores {
            let index = owners.and_then(|owners| owners.index_in(&store));
            store.data().events.push(EventData {
                level: *meta.level(),
                target: meta.target().to_owned(),
                span: index,
                fields: fields.clone(),
                timestamp,
            });
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let extensions = span.extensions();
        let Some(Owners(owners)) = extensions.get::<Owners>() else {
            return;
        };
        for (store, index) in owners {
            if let Some(span) = store.data().spans.get_mut(*index) {
                span.duration = Some(span.opened.elapsed());
            }
        }
    }
}

impl Owners {
    /// The span's index in `store`, if that capture holds it.
    fn index_in(&self, store: &Arc<Store>) -> Option<usize> {
        self.0
            .iter()
            .find(|(owner, _)| Arc::ptr_eq(owner, store))
            .map(|(_, index)| *index)
    }
}

/// Field values as the channels show them: text as it is, everything else with `Debug` (which
/// for observe's recorded values is their redacted, scrubbed text).
struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = self.0.insert(field.name().to_owned(), value.to_owned());
    }
}
