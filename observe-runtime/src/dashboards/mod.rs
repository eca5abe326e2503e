//! Dashboards and alert rules written from the catalog: what teams otherwise draw by hand.
//!
//! [`grafana`] is a Grafana dashboard (JSON) with a RED row per instrumented function: calls
//! per second by `result`, the error ratio, p50/p95/p99 in the histogram's own unit, the
//! in-flight gauge, errors by `error_type`, and the error budget left for each objective;
//! `datasource` and `job` are dashboard variables. [`prometheus_rules`] is a Prometheus rules
//! file (YAML): recording rules per function (call rate, error ratio, latency quantiles) and,
//! for each objective, the SRE workbook's multi-window, multi-burn-rate alerts (1h and 5m at
//! 14.4×, paging; 6h and 30m at 6×, a ticket). [`prometheus_rules_test`] is a `promtool test
//! rules` file that proves each alert fires when its budget burns.
//!
//! A call counts as failed when its `result` is `error` or `panic` (a cancelled call, whose
//! caller went away, does not). A function without a counter is counted by its histogram's
//! `_count`. A metric that two functions declare differently ([`crate::catalog::conflicts`])
//! is left out of the second function's panels and rules. The HTTP edge gets its rows when the
//! binary has made an `observe::http` layer (write the dashboard after building the router).

mod grafana;
mod rules;

pub use grafana::grafana;
pub use rules::{prometheus_rules, prometheus_rules_test};

use crate::catalog::{self, Histogram, Objective, Site};

/// One function as the dashboards see it: the metrics that stand (conflicting declarations
/// left out).
struct Function {
    site: Site,
    /// The series counting calls by `result`: the counter, else the histogram's `_count`.
    calls: Option<String>,
    histogram: Option<Histogram>,
    errors: Option<&'static str>,
    in_flight: Option<&'static str>,
    objective: Option<Objective>,
}

impl Function {
    /// `{job=~"$job",function="…",module="…"<extra>}` (the `job` matcher only in Grafana).
    fn selector(&self, job: bool, extra: &str) -> String {
        let job = if job { "job=~\"$job\"," } else { "" };
        format!(
            "{{{job}function=\"{}\",module=\"{}\"{extra}}}",
            escape(self.site.function()),
            escape(self.site.module())
        )
    }

    fn title(&self) -> String {
        format!("{} ({})", self.site.function(), self.site.module())
    }

    /// The calls series (counter or histogram count) and the selector of its failed calls.
    fn failed(&self, job: bool) -> Option<(String, String)> {
        let calls = self.calls.as_ref()?;
        Some((
            format!("{calls}{}", self.selector(job, "")),
            format!("{calls}{}", self.selector(job, ",result=~\"error|panic\"")),
        ))
    }

    /// The `le` matcher of the latency objective's bucket: both spellings Prometheus may have
    /// stored (`250` from the classic text, `250.0` from OpenMetrics).
    fn latency_bucket(&self) -> Option<(String, String)> {
        let histogram = self.histogram.as_ref()?;
        let (bound, _) = self.objective?.latency?;
        let classic = format!("{bound}");
        let canonical = if bound.fract() == 0.0 {
            format!("{bound:.1}")
        } else {
            classic.clone()
        };
        Some((
            histogram.name.to_owned(),
            format!(",le=~\"{classic}|{canonical}\""),
        ))
    }
}

/// The functions with metrics, in catalog order.
fn functions() -> Vec<Function> {
    let conflicts = catalog::conflicts();
    let skip = |site: &Site, metric: &str| {
        let who = format!("{}::{}", site.module(), site.function());
        conflicts
            .iter()
            .any(|c| c.metric == metric && c.other == who)
    };
    catalog::sites()
        .into_iter()
        .filter_map(|site| {
            let histogram = site.histogram().filter(|h| !skip(&site, h.name));
            let counter = site.counter().filter(|c| !skip(&site, c));
            let calls = counter
                .map(str::to_owned)
                .or_else(|| histogram.as_ref().map(|h| format!("{}_count", h.name)));
            let function = Function {
                calls,
                histogram,
                errors: site.errors().filter(|e| !skip(&site, e)),
                in_flight: site.in_flight().filter(|g| !skip(&site, g)),
                objective: site.objective(),
                site,
            };
            (function.calls.is_some() || function.in_flight.is_some()).then_some(function)
        })
        .collect()
}

/// The name of the service the dashboards are for: `OTEL_SERVICE_NAME`, else the executable.
fn service_name() -> String {
    std::env::var("OTEL_SERVICE_NAME")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| {
            std::env::current_exe()
                .ok()
                .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        })
        .unwrap_or_else(|| "service".into())
}

/// A PromQL label value: backslashes and double quotes escaped.
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The error budget of a percentage objective: `99.9` → `0.001`.
fn budget(percent: f64) -> f64 {
    ((100.0 - percent) / 100.0 * 1e9).round() / 1e9
}
