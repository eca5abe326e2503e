//! Prometheus metrics: the registry in use, its text exposition, and the per-call-site handles.
//!
//! Every metric a call site records is resolved once, on its first call: the metric family is
//! registered (or found, when another function already registered the same name) and the label
//! children for `function`, `module` and each `result` are looked up and kept. A call then only
//! touches atomics: no allocation, no lock, no label lookup.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use prometheus::core::Collector;
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

use crate::site::SiteInfo;

static REGISTRY: OnceLock<Registry> = OnceLock::new();

/// The registry `#[observe]` metrics are registered in: the one given to [`set_registry`],
/// else `prometheus::default_registry()`.
pub fn registry() -> &'static Registry {
    REGISTRY.get_or_init(|| prometheus::default_registry().clone())
}

/// Makes `#[observe]` register its metrics in `registry` instead of the default registry.
///
/// Call it before the first instrumented call; once a metric has been registered the registry
/// can no longer change, and the registry passed in is returned as the error.
pub fn set_registry(registry: Registry) -> Result<(), Registry> {
    REGISTRY.set(registry)
}

/// The Prometheus text exposition (format 0.0.4) of the registry in use.
pub fn render() -> String {
    let mut out = Vec::new();
    // Encoding into a Vec only fails on invalid metric families, which registration prevents.
    if let Err(e) = TextEncoder::new().encode(&registry().gather(), &mut out) {
        tracing::error!(target: "observe", error = %e, "encoding the metrics failed");
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Content type of [`render`]'s output.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// `result` label values, indexed by [`CallResult`].
const RESULTS: [&str; 4] = ["ok", "error", "panic", "cancelled"];

/// How a call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CallResult {
    Ok = 0,
    Error = 1,
    Panic = 2,
    Cancelled = 3,
}

/// Label children of one metric of one call site, one per `result`. `ok` and `error` exist
/// from the first call (so queries on them start from zero); `panic` and `cancelled` appear when
/// they first happen, which keeps the series count of a function that never panics down.
struct ByResult<T> {
    children: [OnceLock<T>; 4],
    make: Box<dyn Fn(&str) -> T + Send + Sync>,
}

impl<T> ByResult<T> {
    fn new(make: impl Fn(&str) -> T + Send + Sync + 'static) -> ByResult<T> {
        let children = [
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
        ];
        for result in [CallResult::Ok, CallResult::Error] {
            let _ = children[result as usize].set(make(RESULTS[result as usize]));
        }
        ByResult {
            children,
            make: Box::new(make),
        }
    }

    #[inline]
    fn get(&self, result: CallResult) -> &T {
        let i = result as usize;
        self.children[i].get_or_init(|| (self.make)(RESULTS[i]))
    }
}

/// Handles of one call site.
pub(crate) struct SiteMetrics {
    calls: Option<ByResult<IntCounter>>,
    durations: Option<(ByResult<Histogram>, f64)>,
    errors: Option<ErrorCounter>,
    in_flight: Option<IntGauge>,
}

impl SiteMetrics {
    pub(crate) fn resolve(info: &'static SiteInfo) -> SiteMetrics {
        let help = |what: &str| match info.help {
            Some(doc) => doc.to_owned(),
            None => format!("{what} of `{}` in {}.", info.name, info.module),
        };
        let calls = info.counter.and_then(|name| {
            let family = Family::counter(name, &help("Finished calls"), &RESULT_LABELS);
            let vec = report(info, name, family)?;
            Some(ByResult::new(move |r| {
                vec.with_label_values(&[info.name, info.module, r])
            }))
        });
        let durations = info.histogram.as_ref().and_then(|h| {
            let buckets = h
                .buckets
                .map_or_else(|| h.unit.default_buckets(), <[f64]>::to_vec);
            let what = format!("Duration in {}", h.unit.word());
            let vec = report(
                info,
                h.name,
                Family::histogram(h.name, &help(&what), buckets),
            )?;
            let children =
                ByResult::new(move |r| vec.with_label_values(&[info.name, info.module, r]));
            Some((children, h.unit.per_second()))
        });
        let errors = info.errors.and_then(|name| {
            let family = Family::counter(name, &help("Failed calls"), &ERROR_LABELS);
            let vec = report(info, name, family)?;
            Some(ErrorCounter::new(vec, info))
        });
        let in_flight = info.in_flight.and_then(|name| {
            let vec = report(info, name, Family::gauge(name, &help("Calls in progress")))?;
            Some(vec.with_label_values(&[info.name, info.module]))
        });
        SiteMetrics {
            calls,
            durations,
            errors,
            in_flight,
        }
    }

    /// Whether this call site records any metric.
    #[inline]
    pub(crate) fn is_active(&self) -> bool {
        self.calls.is_some()
            || self.durations.is_some()
            || self.errors.is_some()
            || self.in_flight.is_some()
    }

    #[inline]
    pub(crate) fn measures_time(&self) -> bool {
        self.durations.is_some()
    }

    #[inline]
    pub(crate) fn started(&self) {
        if let Some(gauge) = &self.in_flight {
            gauge.inc();
        }
    }

    /// Records a finished call. `error_type` is set for errors and panics.
    #[inline]
    pub(crate) fn finished(&self, result: CallResult, elapsed_ns: u64, error_type: &'static str) {
        if let Some(gauge) = &self.in_flight {
            gauge.dec();
        }
        if let Some(calls) = &self.calls {
            calls.get(result).inc();
        }
        if let Some((durations, per_second)) = &self.durations {
            durations
                .get(result)
                .observe(elapsed_ns as f64 * (per_second / 1e9));
        }
        if let (Some(errors), CallResult::Error | CallResult::Panic) = (&self.errors, result) {
            errors.inc(error_type);
        }
    }
}

const RESULT_LABELS: [&str; 3] = ["function", "module", "result"];
const ERROR_LABELS: [&str; 3] = ["function", "module", "error_type"];

/// The `errors` counter: the child for the first error type seen and for panics are kept; other
/// error types (several `Err` types from one generic function) are looked up, on the error path.
struct ErrorCounter {
    vec: IntCounterVec,
    info: &'static SiteInfo,
    first: OnceLock<(&'static str, IntCounter)>,
}

impl ErrorCounter {
    fn new(vec: IntCounterVec, info: &'static SiteInfo) -> ErrorCounter {
        ErrorCounter {
            vec,
            info,
            first: OnceLock::new(),
        }
    }

    fn inc(&self, error_type: &'static str) {
        let child = |t: &str| {
            self.vec
                .with_label_values(&[self.info.name, self.info.module, t])
        };
        let (cached, counter) = self.first.get_or_init(|| (error_type, child(error_type)));
        if *cached == error_type {
            counter.inc();
        } else {
            child(error_type).inc();
        }
    }
}

/// A metric family registered by observe, keyed by name across all call sites.
#[derive(Clone)]
enum Family {
    Counter(IntCounterVec, &'static [&'static str; 3]),
    Histogram(HistogramVec, Vec<f64>),
    Gauge(IntGaugeVec),
}

/// What a call site asks for; compared with what the name is already registered as.
enum Want<'a> {
    Counter(&'a str, &'static [&'static str; 3]),
    Histogram(&'a str, Vec<f64>),
    Gauge(&'a str),
}

static FAMILIES: Mutex<Option<HashMap<&'static str, Family>>> = Mutex::new(None);

impl Family {
    fn counter(
        name: &'static str,
        help: &str,
        labels: &'static [&'static str; 3],
    ) -> Result<IntCounterVec, String> {
        match Family::obtain(name, Want::Counter(help, labels))? {
            Family::Counter(vec, _) => Ok(vec),
            _ => unreachable!("obtain checks the kind"),
        }
    }

    fn histogram(
        name: &'static str,
        help: &str,
        buckets: Vec<f64>,
    ) -> Result<HistogramVec, String> {
        match Family::obtain(name, Want::Histogram(help, buckets))? {
            Family::Histogram(vec, _) => Ok(vec),
            _ => unreachable!("obtain checks the kind"),
        }
    }

    fn gauge(name: &'static str, help: &str) -> Result<IntGaugeVec, String> {
        match Family::obtain(name, Want::Gauge(help))? {
            Family::Gauge(vec) => Ok(vec),
            _ => unreachable!("obtain checks the kind"),
        }
    }

    fn describe(&self) -> String {
        match self {
            Family::Counter(_, labels) => format!("a counter labelled {}", labels.join(", ")),
            Family::Histogram(_, buckets) => format!("a histogram with buckets {buckets:?}"),
            Family::Gauge(_) => "a gauge labelled function, module".to_owned(),
        }
    }

    /// The family registered under `name`, registering it on first use. Runs once per call site
    /// and metric, so the lock is never on a call's path.
    fn obtain(name: &'static str, want: Want<'_>) -> Result<Family, String> {
        let mut families = FAMILIES.lock().unwrap_or_else(PoisonError::into_inner);
        let families = families.get_or_insert_with(HashMap::new);
        if let Some(existing) = families.get(name) {
            let same = match (existing, &want) {
                (Family::Counter(_, have), Want::Counter(_, labels)) => have == labels,
                (Family::Histogram(_, have), Want::Histogram(_, buckets)) => have == buckets,
                (Family::Gauge(_), Want::Gauge(_)) => true,
                _ => false,
            };
            return if same {
                Ok(existing.clone())
            } else {
                Err(format!(
                    "`{name}` is already registered as {}",
                    existing.describe()
                ))
            };
        }
        let function_module = &RESULT_LABELS[..2];
        let (family, collector): (Family, Box<dyn Collector>) = match want {
            Want::Counter(help, labels) => {
                let vec =
                    IntCounterVec::new(Opts::new(name, help), labels).map_err(|e| e.to_string())?;
                (Family::Counter(vec.clone(), labels), Box::new(vec))
            }
            Want::Histogram(help, buckets) => {
                let opts = HistogramOpts::new(name, help).buckets(buckets.clone());
                let vec = HistogramVec::new(opts, &RESULT_LABELS).map_err(|e| e.to_string())?;
                (Family::Histogram(vec.clone(), buckets), Box::new(vec))
            }
            Want::Gauge(help) => {
                let vec = IntGaugeVec::new(Opts::new(name, help), function_module)
                    .map_err(|e| e.to_string())?;
                (Family::Gauge(vec.clone()), Box::new(vec))
            }
        };
        registry()
            .register(collector)
            .map_err(|e| format!("registering `{name}` failed: {e}"))?;
        families.insert(name, family.clone());
        Ok(family)
    }
}

/// Reports a metric that cannot be used, once per call site and metric; the call site then
/// records everything else but that metric.
fn report<T>(info: &SiteInfo, name: &str, family: Result<T, String>) -> Option<T> {
    family
        .map_err(|reason| {
            tracing::error!(
                target: "observe",
                metric = name,
                function = info.name,
                module = info.module,
                "metric conflict: {reason}; `{}` does not record `{name}`",
                info.name,
            );
        })
        .ok()
}
