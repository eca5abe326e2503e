//! The Prometheus rules file and its `promtool test rules` file. YAML is written by hand: every
//! scalar is a JSON string, which YAML reads as a double-quoted scalar, so nothing needs YAML's
//! own quoting rules.

use std::fmt::Write as _;

use super::{budget, functions, service_name, Function};

/// The windows of the SRE workbook's multi-window, multi-burn-rate alerts: (long, short,
/// burn rate, severity, how long the 30-day budget lasts at that rate).
const BURNS: [(&str, &str, f64, &str, &str); 2] = [
    ("1h", "5m", 14.4, "page", "about 2 days"),
    ("6h", "30m", 6.0, "ticket", "5 days"),
];

/// The windows the objective alerts read (the recording rules make each).
const WINDOWS: [&str; 4] = ["5m", "30m", "1h", "6h"];

fn q(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

fn record(out: &mut String, name: &str, expr: &str) {
    let _ = writeln!(
        out,
        "      - record: {}\n        expr: {}",
        q(name),
        q(expr)
    );
}

/// The base of a calls series' record names: `jobs_completed_total` → `jobs_completed`,
/// `fetch_duration_ms_count` → `fetch_duration_ms`.
fn base(calls: &str) -> &str {
    calls
        .strip_suffix("_total")
        .or_else(|| calls.strip_suffix("_count"))
        .unwrap_or(calls)
}

const BY: &str = "job, function, module";

// Input:  process_job with counter jobs_completed_total, histogram duration_ms,
//         objective(success = 99.9, latency = "250ms")
// Output: groups:
//           - name: "observe:worker:recording"
//             rules:
//               - record: "function:jobs_completed:rate5m"
//                 expr: "sum by (job, function, module, result) (rate(jobs_completed_total{…}[5m]))"
//               …
//           - name: "observe:worker:objectives"
//             rules:
//               - alert: "ErrorBudgetBurn"
//                 expr: "function:jobs_completed:error_ratio_rate1h{…} > (14.4 * 0.001) and …"
//               …
/// The rules file (YAML): recording rules per function and the alerts of each objective.
pub fn prometheus_rules() -> String {
    let service = service_name();
    let functions = functions();
    let mut out = String::from("groups:\n");
    let _ = writeln!(
        out,
        "  - name: {}\n    rules:",
        q(&format!("observe:{service}:recording"))
    );
    let mut any = false;
    for f in &functions {
        any |= recording_rules(&mut out, f);
    }
    if !any {
        out.truncate(out.rfind("  - name:").unwrap_or(out.len()));
        out.push_str("  - name: \"observe:none\"\n    rules: []\n");
    }
    let alerting: Vec<&Function> = functions.iter().filter(|f| f.objective.is_some()).collect();
    if !alerting.is_empty() {
        let _ = writeln!(
            out,
            "  - name: {}\n    rules:",
            q(&format!("observe:{service}:objectives"))
        );
        for f in alerting {
            alerts(&mut out, f);
        }
    }
    out
}

/// Records rate, error ratio and quantiles (and the objective windows); false if none.
fn recording_rules(out: &mut String, f: &Function) -> bool {
    let mut wrote = false;
    let sel = f.selector(false, "");
    if let (Some(calls), Some((all, failed))) = (&f.calls, f.failed(false)) {
        let name = base(calls);
        record(
            out,
            &format!("function:{name}:rate5m"),
            &format!("sum by ({BY}, result) (rate({all}[5m]))"),
        );
        let success = f.objective.and_then(|o| o.success).is_some();
        for window in WINDOWS.iter().filter(|w| success || **w == "5m") {
            record(
                out,
                &format!("function:{name}:error_ratio_rate{window}"),
                &format!(
                    "sum by ({BY}) (rate({failed}[{window}])) / sum by ({BY}) (rate({all}[{window}]))"
                ),
            );
        }
        wrote = true;
    }
    if let Some(h) = &f.histogram {
        for (q, label) in [(0.5, "p50"), (0.95, "p95"), (0.99, "p99")] {
            record(
                out,
                &format!("function:{}:{label}_5m", h.name),
                &format!(
                    "histogram_quantile({q}, sum by ({BY}, le) (rate({}_bucket{sel}[5m])))",
                    h.name
                ),
            );
        }
        if let Some((name, le)) = f.latency_bucket() {
            let fast = f.selector(false, &le);
            for window in WINDOWS {
                record(
                    out,
                    &format!("function:{name}:slow_ratio_rate{window}"),
                    &format!(
                        "1 - (sum by ({BY}) (rate({name}_bucket{fast}[{window}])) / sum by ({BY}) (rate({name}_count{sel}[{window}])))"
                    ),
                );
            }
        }
        wrote = true;
    }
    wrote
}

/// One objective of a function, as its alerts see it.
struct Burn {
    alert: &'static str,
    /// `success` or `latency`.
    kind: &'static str,
    /// The record names without their window: `function:jobs_completed:error_ratio_rate`.
    ratio: String,
    percent: f64,
    /// `99.9% success`, `99% under 250ms`.
    what: String,
}

fn burns(f: &Function) -> Vec<Burn> {
    let Some(objective) = f.objective else {
        return Vec::new();
    };
    let mut burns = Vec::new();
    if let (Some(success), Some(calls)) = (objective.success, &f.calls) {
        burns.push(Burn {
            alert: "ErrorBudgetBurn",
            kind: "success",
            ratio: format!("function:{}:error_ratio_rate", base(calls)),
            percent: success,
            what: format!("{success}% success"),
        });
    }
    if let (Some((_, text)), Some((name, _))) = (objective.latency, f.latency_bucket()) {
        burns.push(Burn {
            alert: "LatencyBudgetBurn",
            kind: "latency",
            ratio: format!("function:{name}:slow_ratio_rate"),
            percent: objective.latency_target,
            what: format!("{}% under {text}", objective.latency_target),
        });
    }
    burns
}

/// The alert's summary and description; `value` is how the ratio is shown (a template in
/// the rules, its expansion in the tests).
fn annotations(
    f: &Function,
    burn: &Burn,
    window: (&str, &str, f64, &str, &str),
    value: &str,
) -> [(&'static str, String); 2] {
    let (long, short, rate, _, lasts) = window;
    let (function, module) = (f.site.function(), f.site.module());
    let what = &burn.what;
    let done = if burn.kind == "success" {
        "failed"
    } else {
        "were slow"
    };
    let allowed = budget(burn.percent) * 100.0;
    [
        (
            "summary",
            format!("{function} ({module}) is burning its {what} budget {rate}× too fast"),
        ),
        (
            "description",
            format!(
                "Over the last {long} and {short}, {value} of the calls of {function} in {module} {done}: more than {rate}× the {allowed}% its {what} objective allows. At this rate the 30-day budget lasts {lasts}."
            ),
        ),
    ]
}

fn alerts(out: &mut String, f: &Function) {
    let sel = f.selector(false, "");
    for burn in burns(f) {
        let allowed = budget(burn.percent);
        for window in BURNS {
            let (long, short, rate, severity, _) = window;
            let ratio = &burn.ratio;
            let _ = writeln!(out, "      - alert: {}", q(burn.alert));
            let _ = writeln!(
                out,
                "        expr: {}",
                q(&format!(
                    "{ratio}{long}{sel} > ({rate} * {allowed}) and {ratio}{short}{sel} > ({rate} * {allowed})"
                ))
            );
            let _ = writeln!(out, "        labels:");
            let _ = writeln!(out, "          severity: {}", q(severity));
            let _ = writeln!(out, "          objective: {}", q(burn.kind));
            let _ = writeln!(out, "          window: {}", q(long));
            let _ = writeln!(out, "        annotations:");
            for (key, text) in annotations(f, &burn, window, "{{ $value | humanizePercentage }}") {
                let _ = writeln!(out, "          {key}: {}", q(&text));
            }
        }
    }
}

/// A `promtool test rules` file for [`prometheus_rules`] written as `rules_file`: for each
/// objective, every call failing (or slow) for eight hours fires the page and the ticket
/// alert; with every call succeeding (and fast) none fires.
pub fn prometheus_rules_test(rules_file: &str) -> String {
    let mut out = format!(
        "rule_files:\n  - {}\nevaluation_interval: 1m\ntests:\n",
        q(rules_file)
    );
    for f in functions().iter().filter(|f| f.objective.is_some()) {
        for burning in [true, false] {
            test_case(&mut out, f, burning);
        }
    }
    if !out.ends_with("tests:\n") {
        return out;
    }
    out.push_str("  []\n");
    out.replace("tests:\n  []\n", "tests: []\n")
}

fn test_case(out: &mut String, f: &Function, burning: bool) {
    let Some(objective) = f.objective else { return };
    let labels = |extra: &str| {
        format!(
            "{{job=\"test\",function=\"{}\",module=\"{}\"{extra}}}",
            super::escape(f.site.function()),
            super::escape(f.site.module())
        )
    };
    let _ = writeln!(out, "  - interval: 1m\n    input_series:");
    let mut series = |name: &str, extra: &str, values: &str| {
        let _ = writeln!(
            out,
            "      - series: {}\n        values: {}",
            q(&format!("{name}{}", labels(extra))),
            q(values)
        );
    };
    // Eight hours of 10 calls a minute: all failed and slow, or all fine.
    let (bad, good) = if burning {
        ("0+10x480", "0+0x480")
    } else {
        ("0+0x480", "0+10x480")
    };
    if let (Some(_), Some(calls)) = (objective.success, &f.calls) {
        series(calls, ",result=\"error\"", bad);
        series(calls, ",result=\"ok\"", good);
    }
    if let (Some((bound, _)), Some((name, _))) = (objective.latency, f.latency_bucket()) {
        series(
            &format!("{name}_bucket"),
            &format!(",result=\"ok\",le=\"{bound}\""),
            good,
        );
        series(&format!("{name}_count"), ",result=\"ok\"", "0+10x480");
    }
    let _ = writeln!(out, "    alert_rule_test:");
    for burn in burns(f) {
        let _ = writeln!(
            out,
            "      - eval_time: 2h\n        alertname: {}",
            q(burn.alert)
        );
        if !burning {
            let _ = writeln!(out, "        exp_alerts: []");
            continue;
        }
        let _ = writeln!(out, "        exp_alerts:");
        for window in BURNS {
            let (long, _, _, severity, _) = window;
            let _ = writeln!(out, "          - exp_labels:");
            for (key, value) in [
                ("job", "test"),
                ("function", f.site.function()),
                ("module", f.site.module()),
                ("severity", severity),
                ("objective", burn.kind),
                ("window", long),
            ] {
                let _ = writeln!(out, "              {key}: {}", q(value));
            }
            let _ = writeln!(out, "            exp_annotations:");
            // Every call failed (or was slow): the ratio is 1.
            for (key, text) in annotations(f, &burn, window, "100%") {
                let _ = writeln!(out, "              {key}: {}", q(&text));
            }
        }
    }
}
