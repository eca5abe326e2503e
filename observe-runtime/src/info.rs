//! What a call site is, statically: everything the macro knows about an instrumented
//! function at compile time, placed in the call site's `static`.

use tracing::Level;

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
    /// values given to [`Site::span`](crate::site::Site::span).
    pub span_fields: &'static [&'static str],
    /// `ret`: the span has a `return` field.
    pub records_return: bool,
    /// `#[observe(flow)]`: the flow's name and the fields of its `flow_started` event
    /// (`message`, `flow`, `flow_id`, then the recorded arguments).
    pub flow: Option<FlowInfo>,
    /// `slow = "…"`: a call that takes longer logs `slow_call` (WARN) and is counted in
    /// `observe_slow_calls_total`.
    pub slow: Option<std::time::Duration>,
    /// `objective(...)`: the service-level objective declared on the function.
    pub objective: Option<ObjectiveInfo>,
}

impl SiteInfo {
    /// A plain `#[observe]` site: the macro writes what differs (`..SiteInfo::PLAIN`), so
    /// that each site's static spells out, and the compiler checks, only those fields.
    pub const PLAIN: SiteInfo = SiteInfo {
        name: "",
        module: "",
        target: "",
        file: "",
        line: 0,
        level: Level::INFO,
        exception_level: Level::ERROR,
        return_event: None,
        help: None,
        counter: None,
        histogram: None,
        errors: None,
        in_flight: None,
        labels: &[],
        span_fields: &[],
        records_return: false,
        flow: None,
        slow: None,
        objective: None,
    };
}

/// `objective(success = 99.9, latency = "250ms", latency_target = 99)`, checked by the macro:
/// percentages in (0, 100), a latency that is one of the histogram's bucket bounds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ObjectiveInfo {
    /// Percent of calls that succeed (needs the counter).
    pub success: Option<f64>,
    /// The latency threshold in the histogram's unit, and as written (`"250ms"`).
    pub latency: Option<(f64, &'static str)>,
    /// Percent of calls faster than `latency` (default 99).
    pub latency_target: f64,
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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

    /// The unit's name: `seconds`, `milliseconds`, `microseconds`, `nanoseconds`.
    pub fn word(self) -> &'static str {
        match self {
            Unit::Seconds => "seconds",
            Unit::Milliseconds => "milliseconds",
            Unit::Microseconds => "microseconds",
            Unit::Nanoseconds => "nanoseconds",
        }
    }

    /// Prometheus' default buckets (in seconds) expressed in this unit.
    pub fn default_buckets(self) -> Vec<f64> {
        // Rounded so that e.g. 0.005 s becomes exactly 5 ms, not 5.000000000000001.
        observe_shared::DEFAULT_BUCKETS_SECONDS
            .iter()
            .map(|s| (s * self.per_second() * 1e6).round() / 1e6)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_buckets_are_prometheus_defaults() {
        assert_eq!(
            observe_shared::DEFAULT_BUCKETS_SECONDS,
            *prometheus::DEFAULT_BUCKETS
        );
    }

    #[test]
    fn default_buckets_are_exact_in_every_unit() {
        assert_eq!(Unit::Milliseconds.default_buckets()[0], 5.0);
        assert_eq!(Unit::Microseconds.default_buckets()[10], 10_000_000.0);
        assert_eq!(Unit::Seconds.default_buckets()[0], 0.005);
    }
}
