//! Prometheus metrics: the registry in use and its text expositions, classic and OpenMetrics
//! (public), the handles of each call site (`site`), the families registered by name across
//! call sites (`families`), and the exemplars of their series (`exemplars`).
//!
//! Every metric a call site records is resolved once, on its first call: the metric family is
//! registered (or found, when another function already registered the same name) and the label
//! children for `function`, `module` and each `result` are looked up and kept. A call then only
//! touches atomics: no allocation, no lock, no label lookup.

pub(crate) mod exemplars;
mod families;
pub(crate) mod model;
mod openmetrics;
mod site;

pub use crate::info::Unit;
pub use site::LABEL_SETS_PER_SITE;
pub(crate) use site::{CallResult, Children, Ended, SiteMetrics};

use std::sync::OnceLock;

use prometheus::{Encoder, IntCounterVec, Opts, Registry, TextEncoder};

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

/// The OpenMetrics 1.0 text exposition of the registry in use, with exemplars: what
/// `/metrics` answers a scraper that accepts `application/openmetrics-text` (Prometheus with
/// `--enable-feature=exemplar-storage`).
///
/// A duration or a call counted inside a sampled span (one the OTLP exporter sends) keeps
/// that span's ids as the exemplar of its histogram bucket or counter series:
/// `duration_ms_bucket{…,le="50.0"} 12 # {trace_id="…",span_id="…"} 43.1 1796221508.675`.
/// Counters are named as OpenMetrics wants (`# TYPE jobs_completed counter`, samples
/// `jobs_completed_total`, and `jobs_completed_created`); the application's own families are
/// rendered too, without exemplars; untyped families are left out.
pub fn render_openmetrics() -> String {
    openmetrics::render(&registry().gather())
}

/// Whether the OpenMetrics text carries a `_created` sample (when the series was created) for
/// every counter and histogram series observe records (default: yes, as OpenMetrics asks).
///
/// Prometheus before 2.50, and later ones without `--enable-feature=created-timestamp-zero-ingestion`,
/// store each `_created` sample as a series of its own (`jobs_completed_created`), one more
/// series per counter or histogram series; turn them off to save those.
pub fn set_created_samples(on: bool) {
    openmetrics::CREATED.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// Content type of [`render_openmetrics`]'s output.
pub const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Counts telemetry the exporters could not deliver:
/// `observe_telemetry_dropped_total{signal, reason}`, in the registry in use.
#[cfg_attr(not(feature = "otlp"), allow(dead_code))]
pub(crate) fn telemetry_dropped(signal: &str, reason: &str, count: u64) {
    static DROPPED: OnceLock<Option<IntCounterVec>> = OnceLock::new();
    let vec = DROPPED.get_or_init(|| {
        let opts = Opts::new(
            "observe_telemetry_dropped_total",
            "Telemetry observe could not deliver, by signal and reason.",
        );
        let vec = IntCounterVec::new(opts, &["signal", "reason"]).ok()?;
        registry().register(Box::new(vec.clone())).ok()?;
        Some(vec)
    });
    if let Some(vec) = vec {
        vec.with_label_values(&[signal, reason]).inc_by(count);
    }
}

/// `observe_build_info{service_name, service_version, deployment_environment_name,
/// observe_version, rustc_version} 1`, registered once in the registry in use (a second call
/// changes nothing): which build is running, to join other series on.
#[cfg_attr(not(feature = "setup"), allow(dead_code))]
pub(crate) fn build_info(service_name: &str, service_version: &str, environment: &str) {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let opts = Opts::new(
            "observe_build_info",
            "The running build: service, version, environment, observe and rustc versions.",
        );
        let labels = [
            "service_name",
            "service_version",
            "deployment_environment_name",
            "observe_version",
            "rustc_version",
        ];
        let Ok(gauge) = prometheus::IntGaugeVec::new(opts, &labels) else {
            return;
        };
        gauge
            .with_label_values(&[
                service_name,
                service_version,
                environment,
                env!("CARGO_PKG_VERSION"),
                env!("OBSERVE_RUSTC_VERSION"),
            ])
            .set(1);
        if let Err(e) = registry().register(Box::new(gauge)) {
            tracing::warn!(target: "observe", error = %e, "observe_build_info was not registered");
        }
    });
}
