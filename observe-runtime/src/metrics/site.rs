//! The metric handles of one call site: its families' label children, resolved on the first
//! call, and what a call records into them.

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::time::Duration;

use prometheus::{Histogram, HistogramVec, IntCounter, IntCounterVec, IntGauge};

use super::exemplars::{self, SeriesExemplars};
use super::families::{report, Family};
use crate::info::SiteInfo;

/// `result` label values, indexed by [`CallResult`].
const RESULTS: [&str; 4] = ["ok", "error", "panic", "cancelled"];

/// Distinct `labels(...)` value sets one call site records; later sets go to one `other` set.
pub const LABEL_SETS_PER_SITE: usize = 100;

/// The value of every extra label of the overflow set.
const OVERFLOW: &str = "other";

/// When a timed call ended and how long it took (an untimed call: zero, no end).
#[derive(Clone, Copy)]
pub(crate) struct Ended {
    pub(crate) elapsed: Duration,
    /// The clock read that ended the call, kept for its exemplar's time.
    at: Option<quanta::Instant>,
}

impl Ended {
    /// Now, for a call that started at `start` (one clock read, as `start.elapsed()`).
    #[inline(always)]
    pub(crate) fn since(start: Option<quanta::Instant>) -> Ended {
        match start {
            Some(start) => {
                let now = quanta::Instant::now();
                Ended {
                    elapsed: now - start,
                    at: Some(now),
                }
            }
            None => Ended {
                elapsed: Duration::ZERO,
                at: None,
            },
        }
    }
}

/// How a call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CallResult {
    Ok = 0,
    Error = 1,
    Panic = 2,
    Cancelled = 3,
}

impl CallResult {
    /// The `result` label value.
    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
    pub(crate) fn label(self) -> &'static str {
        RESULTS[self as usize]
    }
}

/// Label children of one metric for one label set, one per `result`. `ok` and `error` exist
/// from the first call (so queries on them start from zero); `panic` and `cancelled` appear when
/// they first happen, which keeps the series count of a function that never panics down.
struct ByResult<T> {
    ok: T,
    error: T,
    /// `panic` and `cancelled`.
    rare: [OnceLock<T>; 2],
    make: Box<dyn Fn(&str) -> T + Send + Sync>,
}

impl<T> ByResult<T> {
    fn new(make: impl Fn(&str) -> T + Send + Sync + 'static) -> ByResult<T> {
        ByResult {
            ok: make(RESULTS[CallResult::Ok as usize]),
            error: make(RESULTS[CallResult::Error as usize]),
            rare: [OnceLock::new(), OnceLock::new()],
            make: Box::new(make),
        }
    }

    #[inline]
    fn get(&self, result: CallResult) -> &T {
        match result {
            CallResult::Ok => &self.ok,
            CallResult::Error => &self.error,
            CallResult::Panic | CallResult::Cancelled => {
                let i = result as usize;
                self.rare[i - 2].get_or_init(|| (self.make)(RESULTS[i]))
            }
        }
    }
}

/// A family of a call site: the vector, and what exemplar storage needs to name its series.
#[derive(Clone)]
struct Named<V> {
    vec: V,
    name: &'static str,
    /// Label names, the last one `result` (or `error_type`).
    labels: Arc<[&'static str]>,
    /// A histogram's bucket bounds (empty for a counter).
    bounds: Arc<[f64]>,
}

/// The metric families of a call site, registered once.
#[derive(Clone, Default)]
struct Families {
    calls: Option<Named<IntCounterVec>>,
    durations: Option<Named<HistogramVec>>,
    errors: Option<IntCounterVec>,
}

/// A label child and the exemplars of its series.
struct Series<T> {
    metric: T,
    exemplars: Arc<SeriesExemplars>,
}

impl<V: Clone + Send + Sync + 'static> Named<V> {
    /// The children of one label set (`values`, then the result), each with its exemplars.
    fn by_result<T: 'static>(
        &self,
        values: &Arc<[String]>,
        child: fn(&V, &[&str]) -> T,
    ) -> ByResult<Series<T>> {
        let values = Arc::clone(values);
        let family = self.clone();
        ByResult::new(move |result| {
            let mut labels: Vec<&str> = values.iter().map(String::as_str).collect();
            labels.push(result);
            let pairs: Vec<(&str, &str)> = family
                .labels
                .iter()
                .copied()
                .zip(labels.iter().copied())
                .collect();
            Series {
                metric: child(&family.vec, &labels),
                exemplars: exemplars::series(family.name, &pairs, &family.bounds),
            }
        })
    }
}

/// The children of a call site's metrics for one label set: `function`, `module`, then the
/// values of `labels(...)`.
pub(crate) struct Children {
    calls: Option<ByResult<Series<IntCounter>>>,
    durations: Option<ByResult<Series<Histogram>>>,
    errors: Option<ErrorCounter>,
    /// The label values (`function`, `module`, then `labels(...)`), for captures.
    #[cfg(feature = "testing")]
    values: Arc<[String]>,
}

impl Children {
    fn new(families: &Families, values: Arc<[String]>) -> Children {
        Children {
            #[cfg(feature = "testing")]
            values: Arc::clone(&values),
            calls: families
                .calls
                .as_ref()
                .map(|f| f.by_result(&values, |vec, l| vec.with_label_values(l))),
            durations: families
                .durations
                .as_ref()
                .map(|f| f.by_result(&values, |vec, l| vec.with_label_values(l))),
            errors: families.errors.clone().map(|vec| ErrorCounter {
                vec,
                values,
                first: OnceLock::new(),
            }),
        }
    }
}

impl Children {
    /// Keeps this call as the exemplar of its counter series and of its duration's bucket.
    #[cold]
    #[inline(never)]
    fn exemplars(&self, result: CallResult, span: (u128, u64), ended: Ended, per_second: f64) {
        // The call's own end when it was timed; else one more clock read.
        let at = exemplars::since_anchor(ended.at.unwrap_or_else(quanta::Instant::now));
        if let Some(calls) = &self.calls {
            calls.get(result).exemplars.record(span, 1.0, at);
        }
        if let Some(durations) = &self.durations {
            let duration = ended.elapsed.as_secs_f64() * per_second;
            durations.get(result).exemplars.record(span, duration, at);
        }
    }
}

/// A call site with `labels(...)`: its label sets, looked up per call.
struct Labelled {
    families: Families,
    function: &'static str,
    module: &'static str,
    sets: RwLock<HashMap<Vec<String>, Arc<Children>>>,
    overflow: OnceLock<Arc<Children>>,
}

impl Labelled {
    fn children(&self, values: &[&dyn Display]) -> Arc<Children> {
        let key: Vec<String> = values.iter().map(ToString::to_string).collect();
        if let Some(found) = self
            .sets
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            return Arc::clone(found);
        }
        let mut sets = self.sets.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = sets.get(&key) {
            return Arc::clone(found);
        }
        if sets.len() >= LABEL_SETS_PER_SITE {
            let extra = key.len();
            return Arc::clone(
                self.overflow
                    .get_or_init(|| self.make(vec![OVERFLOW.to_owned(); extra])),
            );
        }
        let children = self.make(key.clone());
        sets.insert(key, Arc::clone(&children));
        children
    }

    fn make(&self, extra: Vec<String>) -> Arc<Children> {
        let mut values = vec![self.function.to_owned(), self.module.to_owned()];
        values.extend(extra);
        Arc::new(Children::new(&self.families, values.into()))
    }
}

/// Handles of one call site.
pub(crate) struct SiteMetrics {
    /// The call site, for captures.
    #[cfg(feature = "testing")]
    info: &'static SiteInfo,
    /// The one label set of a call site without `labels(...)`.
    base: Option<Children>,
    labelled: Option<Labelled>,
    /// Units of the histogram per second.
    per_second: f64,
    /// Whether a call's duration is recorded (a histogram with or without labels).
    measures_time: bool,
    in_flight: Option<IntGauge>,
    /// `slow = "…"`: this call site's `observe_slow_calls_total` child. (Counted by the full
    /// record, which a call site with a threshold always takes: the metrics-only path pays
    /// nothing for the feature.)
    slow: Option<IntCounter>,
    active: bool,
}

impl SiteMetrics {
    pub(crate) fn resolve(info: &'static SiteInfo) -> SiteMetrics {
        let help = |what: &str| match info.help {
            Some(doc) => doc.to_owned(),
            None => format!("{what} of `{}` in {}.", info.name, info.module),
        };
        let with = |last: &'static str| -> Vec<&'static str> {
            let mut labels = vec!["function", "module"];
            labels.extend(info.labels);
            labels.push(last);
            labels
        };
        let calls = info.counter.and_then(|name| {
            let vec = report(
                info,
                name,
                Family::counter(name, &help("Finished calls"), with("result")),
            )?;
            Some(Named {
                vec,
                name,
                labels: with("result").into(),
                bounds: Arc::new([]),
            })
        });
        let durations = info.histogram.as_ref().and_then(|h| {
            let buckets = h
                .buckets
                .map_or_else(|| h.unit.default_buckets(), <[f64]>::to_vec);
            let what = format!("Duration in {}", h.unit.word());
            let vec = report(
                info,
                h.name,
                Family::histogram(h.name, &help(&what), buckets.clone(), with("result")),
            )?;
            Some(Named {
                vec,
                name: h.name,
                labels: with("result").into(),
                bounds: buckets.into(),
            })
        });
        let errors = info.errors.and_then(|name| {
            report(
                info,
                name,
                Family::counter(name, &help("Failed calls"), with("error_type")),
            )
        });
        let families = Families {
            calls,
            durations,
            errors,
        };
        let in_flight = info.in_flight.and_then(|name| {
            let vec = report(info, name, Family::gauge(name, &help("Calls in progress")))?;
            Some(vec.with_label_values(&[info.name, info.module]))
        });
        let active = families.calls.is_some()
            || families.durations.is_some()
            || families.errors.is_some()
            || in_flight.is_some();
        let (base, labelled) = if info.labels.is_empty() {
            let values: Arc<[String]> = vec![info.name.to_owned(), info.module.to_owned()].into();
            (Some(Children::new(&families, values)), None)
        } else {
            let labelled = Labelled {
                families,
                function: info.name,
                module: info.module,
                sets: RwLock::new(HashMap::new()),
                overflow: OnceLock::new(),
            };
            (None, Some(labelled))
        };
        let per_second = info.histogram.as_ref().map_or(1.0, |h| h.unit.per_second());
        // Counted only for a call site that records metrics (without them a call nobody
        // listens to is not timed at all).
        let slow = info.slow.filter(|_| active).and_then(|_| slow_calls(info));
        let measures_time = base.as_ref().is_some_and(|c| c.durations.is_some())
            || labelled
                .as_ref()
                .is_some_and(|l| l.families.durations.is_some());
        SiteMetrics {
            #[cfg(feature = "testing")]
            info,
            base,
            labelled,
            per_second,
            measures_time,
            in_flight,
            slow,
            active,
        }
    }

    /// Whether this call site records any metric.
    #[inline]
    pub(crate) fn is_active(&self) -> bool {
        self.active
    }

    #[inline]
    pub(crate) fn measures_time(&self) -> bool {
        self.measures_time
    }

    /// A call slower than its site's `slow` threshold ended.
    pub(crate) fn slow_call(&self) {
        if let Some(slow) = &self.slow {
            slow.inc();
        }
    }

    /// The children for this call's `labels(...)` values (`None` without `labels`).
    pub(crate) fn labelled(&self, values: &[&dyn Display]) -> Option<Arc<Children>> {
        self.labelled.as_ref().map(|l| l.children(values))
    }

    #[inline]
    pub(crate) fn started(&self) {
        if let Some(gauge) = &self.in_flight {
            gauge.inc();
        }
    }

    /// Records a finished call. `error_type` is set for errors and panics; `children` are the
    /// call's label set when the call site has `labels(...)`.
    #[inline(always)]
    pub(crate) fn finished(
        &self,
        children: Option<&Children>,
        result: CallResult,
        ended: Ended,
        error_type: &'static str,
    ) {
        let elapsed = ended.elapsed;
        if let Some(gauge) = &self.in_flight {
            gauge.dec();
        }
        let Some(children) = children.or(self.base.as_ref()) else {
            return;
        };
        if let Some(calls) = &children.calls {
            calls.get(result).metric.inc();
        }
        if let Some(durations) = &children.durations {
            durations
                .get(result)
                .metric
                .observe(elapsed.as_secs_f64() * self.per_second);
        }
        // One relaxed load unless an OpenTelemetry layer is installed; then one look at the
        // current context.
        if let Some(span) = exemplars::sampled_span() {
            children.exemplars(result, span, ended, self.per_second);
        }
        if let (Some(errors), CallResult::Error | CallResult::Panic) = (&children.errors, result) {
            errors.inc(error_type);
        }

        #[cfg(feature = "testing")]
        if crate::testing::capturing() {
            let error_type = match result {
                CallResult::Error | CallResult::Panic => error_type,
                _ => "",
            };
            crate::testing::record_call(self.info, &children.values, result.label(), error_type);
        }
    }
}

/// The `errors` counter: the child for the first error type seen is kept; other error types
/// (several `Err` types from one generic function, or panics) are looked up, on the error path.
struct ErrorCounter {
    vec: IntCounterVec,
    values: Arc<[String]>,
    first: OnceLock<(&'static str, IntCounter)>,
}

impl ErrorCounter {
    fn inc(&self, error_type: &'static str) {
        let child = |t: &str| {
            let mut labels: Vec<&str> = self.values.iter().map(String::as_str).collect();
            labels.push(t);
            self.vec.with_label_values(&labels)
        };
        let (cached, counter) = self.first.get_or_init(|| (error_type, child(error_type)));
        if *cached == error_type {
            counter.inc();
        } else {
            child(error_type).inc();
        }
    }
}

/// `observe_slow_calls_total{function, module}`: calls of `slow = "…"` sites that took longer
/// than their threshold; one family for every such site, so one alert covers them all.
fn slow_calls(info: &SiteInfo) -> Option<IntCounter> {
    const NAME: &str = "observe_slow_calls_total";
    let vec = report(
        info,
        NAME,
        Family::counter(
            NAME,
            "Calls slower than their `slow` threshold.",
            vec!["function", "module"],
        ),
    )?;
    Some(vec.with_label_values(&[info.name, info.module]))
}
