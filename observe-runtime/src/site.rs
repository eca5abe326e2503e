//! The per-call-site static every `#[observe]` function carries.

use std::sync::OnceLock;

use tracing::Level;

use crate::event::EventSite;
use crate::metrics::SiteMetrics;
use crate::span_site::{Registered, SpanSite};

/// What the macro knows about an instrumented function at compile time.
pub struct SiteInfo {
    /// Span name and `function` label.
    pub name: &'static str,
    /// `module_path!()` of the function: the `module` label.
    pub module: &'static str,
    /// Target of the span and of its events.
    pub target: &'static str,
    /// `file!()`.
    pub file: &'static str,
    /// `line!()`.
    pub line: u32,
    /// Level of the span and of the flow events.
    pub level: Level,
    /// Level of the `exception` event (`err(level = …)`; default ERROR).
    pub exception_level: Level,
    /// `ret(level = …)`: the level of the `return` event (none without a level).
    pub return_event: Option<Level>,
    /// HELP text: the function's doc summary, if it has one.
    pub help: Option<&'static str>,
    /// Full name of the calls counter (with `_total`).
    pub counter: Option<&'static str>,
    /// The duration histogram.
    pub histogram: Option<HistogramInfo>,
    /// Full name of the failed-calls counter (with `_total`).
    pub errors: Option<&'static str>,
    /// Name of the in-flight gauge.
    pub in_flight: Option<&'static str>,
    /// Names of the `labels(...)` of the counter, histogram and errors counter.
    pub labels: &'static [&'static str],
    /// Names of the span's recorded arguments (`args`) then `fields`, in the order of the
    /// values given to [`Site::span`].
    pub span_fields: &'static [&'static str],
    /// `ret`: the span has a `return` field.
    pub records_return: bool,
    /// `#[observe(flow)]`: the flow's name and the fields of its `flow_started` event
    /// (`message`, `flow`, `flow_id`, then the recorded arguments).
    pub flow: Option<FlowInfo>,
}

/// What a flow call site knows at compile time.
pub struct FlowInfo {
    /// The flow's name (`flow = "…"`, default: the function's name).
    pub name: &'static str,
    /// Field names of `flow_started`.
    pub started_fields: &'static [&'static str],
}

/// A duration histogram: its name, unit and buckets (in that unit).
pub struct HistogramInfo {
    /// Metric name, ending in a unit suffix.
    pub name: &'static str,
    /// Unit taken from the name's suffix.
    pub unit: Unit,
    /// Buckets given by `buckets = [...]`; Prometheus' defaults in `unit` when absent.
    pub buckets: Option<&'static [f64]>,
}

/// Unit of a duration histogram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// `_seconds`
    Seconds,
    /// `_milliseconds`, `_ms`
    Milliseconds,
    /// `_microseconds`, `_us`
    Microseconds,
    /// `_nanoseconds`, `_ns`
    Nanoseconds,
}

impl Unit {
    /// How many of this unit make one second.
    pub(crate) fn per_second(self) -> f64 {
        match self {
            Unit::Seconds => 1.0,
            Unit::Milliseconds => 1e3,
            Unit::Microseconds => 1e6,
            Unit::Nanoseconds => 1e9,
        }
    }

    pub(crate) fn word(self) -> &'static str {
        match self {
            Unit::Seconds => "seconds",
            Unit::Milliseconds => "milliseconds",
            Unit::Microseconds => "microseconds",
            Unit::Nanoseconds => "nanoseconds",
        }
    }

    /// Prometheus' default buckets (in seconds) expressed in this unit.
    pub(crate) fn default_buckets(self) -> Vec<f64> {
        // Rounded so that e.g. 0.005 s becomes exactly 5 ms, not 5.000000000000001.
        prometheus::DEFAULT_BUCKETS
            .iter()
            .map(|s| (s * self.per_second() * 1e6).round() / 1e6)
            .collect()
    }
}

/// The state of one call site: its description and what is resolved on first use.
pub struct Site {
    pub(crate) info: SiteInfo,
    metrics: OnceLock<SiteMetrics>,
    path: OnceLock<&'static str>,
    pub(crate) span_site: OnceLock<SpanSite>,
    pub(crate) span_callsite: OnceLock<&'static Registered>,
    pub(crate) exception: OnceLock<&'static EventSite>,
    return_event: OnceLock<&'static EventSite>,
    pub(crate) flow_events: OnceLock<FlowEvents>,
}

/// Fields of `flow_failed`; `flow_completed` has the first six.
const FLOW_END_FIELDS: [&str; 8] = [
    "message",
    "flow",
    "flow_id",
    "steps",
    "last_step",
    "elapsed_ms",
    "error",
    "error_type",
];

/// The event callsites of a flow call site.
pub(crate) struct FlowEvents {
    pub(crate) started: &'static EventSite,
    pub(crate) completed: &'static EventSite,
    pub(crate) failed: &'static EventSite,
}

impl Site {
    /// A call site, to be placed in a `static`.
    pub const fn new(info: SiteInfo) -> Site {
        Site {
            info,
            metrics: OnceLock::new(),
            path: OnceLock::new(),
            span_site: OnceLock::new(),
            span_callsite: OnceLock::new(),
            exception: OnceLock::new(),
            return_event: OnceLock::new(),
            flow_events: OnceLock::new(),
        }
    }

    /// The exception event of this call site, built on first use.
    pub(crate) fn exception(&'static self) -> &'static EventSite {
        self.exception.get_or_init(|| {
            EventSite::new(
                &self.info,
                "exception",
                self.info.exception_level,
                &["message", "exception.type", "exception.message"],
            )
        })
    }

    /// `ret(level = …)`: `#[tracing::instrument]`'s `return` event, in the call's `span`.
    #[cold]
    #[inline(never)]
    pub(crate) fn return_event(&'static self, span: &tracing::Span, value: &dyn tracing::Value) {
        let Some(level) = self.info.return_event else {
            return;
        };
        let event = self
            .return_event
            .get_or_init(|| EventSite::new(&self.info, "return", level, &["return"]));
        if event.enabled() {
            event.emit(span.id().as_ref(), &[value]);
        }
    }

    /// The flow events of this call site, built on first use; `None` if it is not a flow.
    pub(crate) fn flow_events(&'static self) -> Option<&'static FlowEvents> {
        let flow = self.info.flow.as_ref()?;
        Some(self.flow_events.get_or_init(|| {
            let event = |name, level, fields| EventSite::new(&self.info, name, level, fields);
            FlowEvents {
                started: event("flow_started", Level::INFO, flow.started_fields),
                completed: event("flow_completed", Level::INFO, &FLOW_END_FIELDS[..6]),
                failed: event("flow_failed", Level::ERROR, &FLOW_END_FIELDS),
            }
        }))
    }

    /// Metric handles, resolved (registered and label children looked up) on the first call.
    #[inline]
    pub(crate) fn metrics(&'static self) -> &'static SiteMetrics {
        self.metrics.get_or_init(|| {
            crate::panic::install_hook();
            SiteMetrics::resolve(&self.info)
        })
    }

    /// `code.function.name`: the function's path, from the type name of a marker fn nested in
    /// it (`crate::module::Type::method::__observe_here`), computed once.
    pub(crate) fn function_path(&'static self, marker: &'static str) -> &'static str {
        self.path.get_or_init(|| clean_function_path(marker))
    }
}

/// `a::B<_>::m::{{closure}}::__observe_here` → `a::B::m`.
fn clean_function_path(marker: &str) -> &'static str {
    let path = marker.strip_suffix("::__observe_here").unwrap_or(marker);
    let mut out = String::with_capacity(path.len());
    let mut depth = 0usize;
    for c in path.chars() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    let out = out.replace("::{{closure}}", "");
    // Leaked once per call site, like the call site's own statics.
    Box::leak(out.into_boxed_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_paths_lose_generics_and_closures() {
        assert_eq!(clean_function_path("p::tn::__observe_here"), "p::tn");
        assert_eq!(clean_function_path("p::S<_>::m::__observe_here"), "p::S::m");
        assert_eq!(
            clean_function_path("p::a::{{closure}}::__observe_here"),
            "p::a"
        );
    }

    #[test]
    fn default_buckets_are_exact_in_every_unit() {
        assert_eq!(Unit::Milliseconds.default_buckets()[0], 5.0);
        assert_eq!(Unit::Microseconds.default_buckets()[10], 10_000_000.0);
        assert_eq!(Unit::Seconds.default_buckets()[0], 0.005);
    }
}
