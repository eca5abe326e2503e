//! Exemplars: the trace a metric's value came from. A call recorded inside a *sampled* span
//! (one the OTLP exporter sends) keeps that span's ids, the value and the time in one slot per
//! histogram bucket (one per counter series), overwritten lock-free and without allocation;
//! the OpenMetrics text and the OTLP export read them back.
//!
//! "Sampled" is the tracer's decision: the current OpenTelemetry context's span is sampled
//! and local, so an exemplar never points at a trace that was not exported. With no
//! OpenTelemetry layer of observe's installed, a call pays one relaxed load.

use std::collections::HashMap;
use std::sync::atomic::{fence, AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

/// Set when observe's OpenTelemetry layer is built: before that no span can be sampled.
static ON: AtomicBool = AtomicBool::new(false);

/// Called where observe builds an OpenTelemetry layer.
#[cfg_attr(not(feature = "otlp"), allow(dead_code))]
pub(crate) fn enable() {
    ON.store(true, Ordering::Relaxed);
}

/// The trace and span ids of the current sampled span, if there is one.
#[inline(always)]
pub(crate) fn sampled_span() -> Option<(u128, u64)> {
    if !ON.load(Ordering::Relaxed) {
        return None;
    }
    current_sampled()
}

/// The innermost span observe's layer entered on this thread; without one, a span of the
/// OpenTelemetry API made current by the application.
#[cfg(feature = "otlp")]
fn current_sampled() -> Option<(u128, u64)> {
    use opentelemetry::trace::TraceContextExt as _;
    let innermost = crate::trace_context::innermost();
    if innermost.entered {
        return innermost.sampled;
    }
    opentelemetry::Context::map_current(|cx| {
        if !cx.has_active_span() {
            return None;
        }
        let span = cx.span();
        let context = span.span_context();
        (context.is_sampled() && !context.is_remote()).then(|| {
            (
                u128::from_be_bytes(context.trace_id().to_bytes()),
                u64::from_be_bytes(context.span_id().to_bytes()),
            )
        })
    })
}

#[cfg(not(feature = "otlp"))]
fn current_sampled() -> Option<(u128, u64)> {
    None
}

/// One exemplar, read back.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Exemplar {
    /// The trace id (its 32 hex digits are `{:032x}`).
    pub(crate) trace_id: u128,
    /// The span id (`{:016x}`).
    pub(crate) span_id: u64,
    /// The value recorded (a duration in the histogram's unit; 1 for a counter).
    pub(crate) value: f64,
    /// When it was recorded.
    pub(crate) time: SystemTime,
}

/// One exemplar's storage: a sequence lock. A writer that finds it being written skips (the
/// other writer's exemplar is as good), so writers never wait; a reader retries a few times.
#[derive(Default)]
struct Slot {
    /// Odd while written; zero until the first write.
    seq: AtomicU64,
    trace_high: AtomicU64,
    trace_low: AtomicU64,
    span: AtomicU64,
    value: AtomicU64,
    /// Nanoseconds since [`anchor`]'s instant.
    nanos: AtomicU64,
}

impl Slot {
    /// Writes the exemplar unless the one kept is younger than [`REFRESH`]: a busy series pays
    /// for two relaxed loads, not a write, on almost every call, and a scrape (seconds apart)
    /// still finds a recent exemplar in every bucket that saw calls.
    #[inline]
    fn offer(&self, span: (u128, u64), value: f64, nanos: u64) {
        let kept = self.nanos.load(Ordering::Relaxed);
        if self.seq.load(Ordering::Relaxed) != 0 && nanos.wrapping_sub(kept) < REFRESH_NANOS {
            return;
        }
        self.write(span, value, nanos);
    }

    fn write(&self, (trace, span): (u128, u64), value: f64, nanos: u64) {
        let seq = self.seq.load(Ordering::Relaxed);
        if seq & 1 == 1
            || self
                .seq
                .compare_exchange(seq, seq + 1, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        self.trace_high
            .store((trace >> 64) as u64, Ordering::Relaxed);
        self.trace_low.store(trace as u64, Ordering::Relaxed);
        self.span.store(span, Ordering::Relaxed);
        self.value.store(value.to_bits(), Ordering::Relaxed);
        self.nanos.store(nanos, Ordering::Relaxed);
        self.seq.store(seq + 2, Ordering::Release);
    }

    fn read(&self) -> Option<Exemplar> {
        for _ in 0..16 {
            let before = self.seq.load(Ordering::Acquire);
            if before == 0 {
                return None;
            }
            if before & 1 == 1 {
                std::hint::spin_loop();
                continue;
            }
            let trace = (u128::from(self.trace_high.load(Ordering::Relaxed)) << 64)
                | u128::from(self.trace_low.load(Ordering::Relaxed));
            let span = self.span.load(Ordering::Relaxed);
            let value = f64::from_bits(self.value.load(Ordering::Relaxed));
            let nanos = self.nanos.load(Ordering::Relaxed);
            fence(Ordering::Acquire);
            if self.seq.load(Ordering::Relaxed) == before {
                return Some(Exemplar {
                    trace_id: trace,
                    span_id: span,
                    value,
                    time: anchor().1 + Duration::from_nanos(nanos),
                });
            }
        }
        None
    }
}

/// How long a bucket's exemplar is kept before a newer call replaces it.
pub(crate) const REFRESH: Duration = Duration::from_millis(10);
const REFRESH_NANOS: u64 = REFRESH.as_nanos() as u64;

/// `at` as the offset exemplars keep: nanoseconds since the process' anchor instant.
#[inline]
pub(crate) fn since_anchor(at: quanta::Instant) -> u64 {
    u64::try_from(at.saturating_duration_since(anchor().0).as_nanos()).unwrap_or(u64::MAX)
}

/// A process-wide pair of clocks read once: exemplar times are kept as offsets from the
/// instant (one cheap clock read per exemplar) and shown as wall-clock times.
fn anchor() -> &'static (quanta::Instant, SystemTime) {
    static ANCHOR: OnceLock<(quanta::Instant, SystemTime)> = OnceLock::new();
    ANCHOR.get_or_init(|| (quanta::Instant::now(), SystemTime::now()))
}

/// The exemplars of one series: one slot per bucket of a histogram (the last for `+Inf`), or
/// one for a counter; and when the series was created (OpenMetrics' `_created`).
pub(crate) struct SeriesExemplars {
    /// Upper bounds of the histogram's buckets, without `+Inf` (empty for a counter).
    bounds: Box<[f64]>,
    slots: Box<[Slot]>,
    created: SystemTime,
}

impl SeriesExemplars {
    fn new(bounds: &[f64]) -> SeriesExemplars {
        SeriesExemplars {
            bounds: bounds.into(),
            slots: (0..=bounds.len()).map(|_| Slot::default()).collect(),
            created: SystemTime::now(),
        }
    }

    /// Keeps `value`, recorded in `span` at `at` ([`since_anchor`]), as the exemplar of the
    /// bucket it falls in, unless that bucket's exemplar is younger than [`REFRESH`].
    #[inline]
    pub(crate) fn record(&self, span: (u128, u64), value: f64, at: u64) {
        let bucket = self
            .bounds
            .iter()
            .position(|bound| value <= *bound)
            .unwrap_or(self.bounds.len());
        if let Some(slot) = self.slots.get(bucket) {
            slot.offer(span, value, at);
        }
    }

    /// The exemplar of bucket `index` (of the series, for a counter).
    pub(crate) fn get(&self, index: usize) -> Option<Exemplar> {
        self.slots.get(index).and_then(Slot::read)
    }

    /// The exemplar of the bucket whose upper bound is `bound` (`+Inf` for the last).
    pub(crate) fn bucket(&self, bound: f64) -> Option<Exemplar> {
        let index = if bound.is_infinite() {
            Some(self.bounds.len())
        } else {
            self.bounds.iter().position(|b| *b == bound)
        };
        index.and_then(|i| self.get(i))
    }

    /// When the series was created.
    pub(crate) fn created(&self) -> SystemTime {
        self.created
    }
}

/// A series: its family's name and its label pairs, sorted by name.
type SeriesKey = (String, Vec<(String, String)>);

fn index() -> &'static RwLock<HashMap<SeriesKey, Arc<SeriesExemplars>>> {
    static INDEX: OnceLock<RwLock<HashMap<SeriesKey, Arc<SeriesExemplars>>>> = OnceLock::new();
    INDEX.get_or_init(Default::default)
}

fn key(name: &str, labels: &[(&str, &str)]) -> SeriesKey {
    let mut pairs: Vec<(String, String)> = labels
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    pairs.sort();
    (name.to_owned(), pairs)
}

/// The exemplar storage of a series observe records, made when its label child is (once, not
/// per call); `bounds` are a histogram's bucket bounds, empty for a counter.
pub(crate) fn series(name: &str, labels: &[(&str, &str)], bounds: &[f64]) -> Arc<SeriesExemplars> {
    let mut index = index().write().unwrap_or_else(PoisonError::into_inner);
    Arc::clone(
        index
            .entry(key(name, labels))
            .or_insert_with(|| Arc::new(SeriesExemplars::new(bounds))),
    )
}

/// The exemplars of the series `name{labels}`, if observe records it (metrics registered by
/// the application itself have none).
pub(crate) fn of(name: &str, labels: &[(&str, &str)]) -> Option<Arc<SeriesExemplars>> {
    index()
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key(name, labels))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> u64 {
        since_anchor(quanta::Instant::now())
    }

    #[test]
    fn a_value_lands_in_its_bucket_and_reads_back() {
        let series = SeriesExemplars::new(&[1.0, 5.0]);
        assert_eq!(series.get(0), None, "nothing recorded yet");
        let t = now();
        series.record((7, 9), 3.0, t);
        series.record((8, 10), 100.0, t);
        let middle = series.bucket(5.0).unwrap();
        assert_eq!((middle.trace_id, middle.span_id, middle.value), (7, 9, 3.0));
        let last = series.bucket(f64::INFINITY).unwrap();
        assert_eq!((last.trace_id, last.value), (8, 100.0));
        assert_eq!(series.bucket(1.0), None);
        let age = SystemTime::now()
            .duration_since(middle.time)
            .unwrap_or_default();
        assert!(age < Duration::from_secs(5), "{age:?}");
        series.record((11, 12), 4.0, t + 1);
        assert_eq!(
            series.bucket(5.0).unwrap().trace_id,
            7,
            "kept while younger than REFRESH"
        );
        series.record((11, 12), 4.0, t + REFRESH_NANOS);
        assert_eq!(
            series.bucket(5.0).unwrap().trace_id,
            11,
            "replaced after REFRESH"
        );
    }

    #[test]
    fn concurrent_writers_never_tear_an_exemplar() {
        let slot = Arc::new(Slot::default());
        let writers: Vec<_> = (1..=4u64)
            .map(|n| {
                let slot = Arc::clone(&slot);
                std::thread::spawn(move || {
                    for i in 0..20_000 {
                        // Every field derived from n: a torn read mixes two writers.
                        slot.write((u128::from(n) << 64 | u128::from(n), n), n as f64, i);
                    }
                })
            })
            .collect();
        let check = |e: Exemplar| {
            let n = e.span_id;
            assert_eq!(e.trace_id, u128::from(n) << 64 | u128::from(n));
            assert_eq!(e.value, n as f64);
        };
        while !writers.iter().all(std::thread::JoinHandle::is_finished) {
            if let Some(e) = slot.read() {
                check(e);
            }
        }
        for writer in writers {
            writer.join().unwrap();
        }
        check(slot.read().expect("written"));
    }
}
