//! The metric families observe registers, by name across all call sites: a name asked for again
//! with the same type and labels is shared, one asked for as something else is reported.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use prometheus::core::Collector;
use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts};

use crate::info::SiteInfo;

/// A metric family registered by observe, keyed by name across all call sites.
#[derive(Clone)]
pub(super) enum Family {
    Counter(IntCounterVec, Vec<&'static str>),
    Histogram(HistogramVec, Vec<f64>, Vec<&'static str>),
    Gauge(IntGaugeVec),
}

/// What a call site asks for; compared with what the name is already registered as.
enum Want<'a> {
    Counter(&'a str, Vec<&'static str>),
    Histogram(&'a str, Vec<f64>, Vec<&'static str>),
    Gauge(&'a str),
}

static FAMILIES: Mutex<Option<HashMap<&'static str, Family>>> = Mutex::new(None);

impl Family {
    pub(super) fn counter(
        name: &'static str,
        help: &str,
        labels: Vec<&'static str>,
    ) -> Result<IntCounterVec, String> {
        match Family::obtain(name, Want::Counter(help, labels))? {
            Family::Counter(vec, _) => Ok(vec),
            _ => unreachable!("obtain checks the kind"),
        }
    }

    pub(super) fn histogram(
        name: &'static str,
        help: &str,
        buckets: Vec<f64>,
        labels: Vec<&'static str>,
    ) -> Result<HistogramVec, String> {
        match Family::obtain(name, Want::Histogram(help, buckets, labels))? {
            Family::Histogram(vec, ..) => Ok(vec),
            _ => unreachable!("obtain checks the kind"),
        }
    }

    pub(super) fn gauge(name: &'static str, help: &str) -> Result<IntGaugeVec, String> {
        match Family::obtain(name, Want::Gauge(help))? {
            Family::Gauge(vec) => Ok(vec),
            _ => unreachable!("obtain checks the kind"),
        }
    }

    fn describe(&self) -> String {
        match self {
            Family::Counter(_, labels) => format!("a counter labelled {}", labels.join(", ")),
            Family::Histogram(_, buckets, labels) => {
                format!(
                    "a histogram labelled {} with buckets {buckets:?}",
                    labels.join(", ")
                )
            }
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
                (Family::Histogram(_, have, have_labels), Want::Histogram(_, buckets, labels)) => {
                    have == buckets && have_labels == labels
                }
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
        let (family, collector): (Family, Box<dyn Collector>) = match want {
            Want::Counter(help, labels) => {
                let vec = IntCounterVec::new(Opts::new(name, help), &labels)
                    .map_err(|e| e.to_string())?;
                (Family::Counter(vec.clone(), labels), Box::new(vec))
            }
            Want::Histogram(help, buckets, labels) => {
                let opts = HistogramOpts::new(name, help).buckets(buckets.clone());
                let vec = HistogramVec::new(opts, &labels).map_err(|e| e.to_string())?;
                (
                    Family::Histogram(vec.clone(), buckets, labels),
                    Box::new(vec),
                )
            }
            Want::Gauge(help) => {
                let vec = IntGaugeVec::new(Opts::new(name, help), &["function", "module"])
                    .map_err(|e| e.to_string())?;
                (Family::Gauge(vec.clone()), Box::new(vec))
            }
        };
        super::registry()
            .register(collector)
            .map_err(|e| format!("registering `{name}` failed: {e}"))?;
        families.insert(name, family.clone());
        Ok(family)
    }
}

/// Reports a metric that cannot be used, once per call site and metric; the call site then
/// records everything else but that metric.
pub(super) fn report<T>(info: &SiteInfo, name: &str, family: Result<T, String>) -> Option<T> {
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
