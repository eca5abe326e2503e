//! The OpenMetrics 1.0 text exposition of gathered families, with exemplars. The `prometheus`
//! crate has no OpenMetrics encoder; this one is small and follows the specification:
//! `# HELP` and `# TYPE` per family, counters named without `_total` with samples ending in it,
//! histogram buckets up to `+Inf` with canonical `le` values, `_created` for the series observe
//! records (it knows when they were made), exemplars within the 128-character label limit, and
//! `# EOF` at the end.
//!
//! Families the application registered itself are rendered the same way, without exemplars
//! or `_created`. Untyped families (only hand-written collectors make them) have no value
//! accessor common to both of `prometheus`'s models (see `model`) and are left out.

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use prometheus::proto::{Metric, MetricFamily, MetricType};

use super::exemplars::{self, Exemplar};
use super::model;

/// Whether `_created` samples are written (see `set_created_samples`).
pub(super) static CREATED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// The longest exemplar label set OpenMetrics allows: names and values, in characters.
const EXEMPLAR_LABELS_MAX: usize = 128;

// Input:  a counter family `jobs_completed_total{function="process_job",result="ok"} 41`
//         whose series has an exemplar
// Output: # HELP jobs_completed Finished calls of `process_job` in worker.
//         # TYPE jobs_completed counter
//         jobs_completed_total{function="process_job",result="ok"} 41 # {trace_id="…",span_id="…"} 1 1796221508.675
//         jobs_completed_created{function="process_job",result="ok"} 1796221400.012
//         …
//         # EOF
pub(super) fn render(families: &[MetricFamily]) -> String {
    let mut out = String::with_capacity(4096);
    for family in families {
        let samples = family.get_metric();
        if samples.is_empty() {
            continue;
        }
        let name = family.name();
        match family.get_field_type() {
            MetricType::COUNTER => {
                let base = name.strip_suffix("_total").unwrap_or(name);
                header(&mut out, base, "counter", family.help());
                for sample in samples {
                    let labels = labels(sample);
                    let series = exemplars::of(name, &pairs(&labels));
                    let exemplar = series.as_ref().and_then(|s| s.get(0));
                    line(
                        &mut out,
                        base,
                        "_total",
                        &labels,
                        None,
                        model::counter(sample),
                        exemplar,
                    );
                    if let Some(series) = &series {
                        created(&mut out, base, &labels, series.created());
                    }
                }
            }
            MetricType::GAUGE => {
                header(&mut out, name, "gauge", family.help());
                for sample in samples {
                    line(
                        &mut out,
                        name,
                        "",
                        &labels(sample),
                        None,
                        model::gauge(sample),
                        None,
                    );
                }
            }
            MetricType::HISTOGRAM => {
                header(&mut out, name, "histogram", family.help());
                for sample in samples {
                    histogram(&mut out, name, sample);
                }
            }
            MetricType::SUMMARY => {
                header(&mut out, name, "summary", family.help());
                for sample in samples {
                    let labels = labels(sample);
                    let summary = sample.get_summary();
                    for quantile in summary.get_quantile() {
                        let q = ("quantile", canonical(quantile.quantile()));
                        line(&mut out, name, "", &labels, Some(q), quantile.value(), None);
                    }
                    line(
                        &mut out,
                        name,
                        "_sum",
                        &labels,
                        None,
                        summary.sample_sum(),
                        None,
                    );
                    let count = summary.sample_count() as f64;
                    line(&mut out, name, "_count", &labels, None, count, None);
                }
            }
            MetricType::UNTYPED => {}
        }
    }
    out.push_str("# EOF\n");
    out
}

fn histogram(out: &mut String, name: &str, sample: &Metric) {
    let labels = labels(sample);
    let series = exemplars::of(name, &pairs(&labels));
    let h = sample.get_histogram();
    let mut infinite = false;
    for bucket in h.get_bucket() {
        let bound = bucket.upper_bound();
        infinite |= bound.is_infinite();
        let exemplar = series.as_ref().and_then(|s| s.bucket(bound));
        let le = Some(("le", canonical(bound)));
        let count = bucket.cumulative_count() as f64;
        line(out, name, "_bucket", &labels, le, count, exemplar);
    }
    let count = h.get_sample_count() as f64;
    if !infinite {
        let exemplar = series.as_ref().and_then(|s| s.bucket(f64::INFINITY));
        let le = Some(("le", "+Inf".to_owned()));
        line(out, name, "_bucket", &labels, le, count, exemplar);
    }
    line(out, name, "_count", &labels, None, count, None);
    line(out, name, "_sum", &labels, None, h.get_sample_sum(), None);
    if let Some(series) = &series {
        created(out, name, &labels, series.created());
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    if !help.is_empty() {
        let _ = writeln!(out, "# HELP {name} {}", escape(help));
    }
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn labels(sample: &Metric) -> Vec<(String, String)> {
    sample
        .get_label()
        .iter()
        .map(|l| (l.name().to_owned(), l.value().to_owned()))
        .collect()
}

fn pairs(labels: &[(String, String)]) -> Vec<(&str, &str)> {
    labels
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn created(out: &mut String, name: &str, labels: &[(String, String)], when: SystemTime) {
    if !CREATED.load(std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    let _ = write!(out, "{name}_created");
    label_set(out, labels, None);
    let _ = writeln!(out, " {}", seconds(when));
}

fn line(
    out: &mut String,
    name: &str,
    suffix: &str,
    labels: &[(String, String)],
    extra: Option<(&str, String)>,
    value: f64,
    exemplar: Option<Exemplar>,
) {
    let _ = write!(out, "{name}{suffix}");
    label_set(out, labels, extra);
    let _ = write!(out, " {}", number(value));
    if let Some(exemplar) = exemplar {
        write_exemplar(out, &exemplar);
    }
    out.push('\n');
}

fn label_set(out: &mut String, labels: &[(String, String)], extra: Option<(&str, String)>) {
    if labels.is_empty() && extra.is_none() {
        return;
    }
    out.push('{');
    let mut first = true;
    let all = labels
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain(extra.as_ref().map(|(k, v)| (*k, v.as_str())));
    for (key, value) in all {
        if !first {
            out.push(',');
        }
        first = false;
        let _ = write!(out, "{key}=\"{}\"", escape(value));
    }
    out.push('}');
}

/// ` # {trace_id="…",span_id="…"} value timestamp`: `span_id` goes first, then the whole
/// exemplar, if the label set would pass OpenMetrics' limit.
fn write_exemplar(out: &mut String, exemplar: &Exemplar) {
    let trace = format!("{:032x}", exemplar.trace_id);
    let span = format!("{:016x}", exemplar.span_id);
    let set = fit(vec![
        ("trace_id", trace.as_str()),
        ("span_id", span.as_str()),
    ]);
    if set.is_empty() {
        return;
    }
    out.push_str(" # {");
    for (i, (key, value)) in set.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{key}=\"{value}\"");
    }
    let _ = write!(
        out,
        "}} {} {}",
        number(exemplar.value),
        seconds(exemplar.time)
    );
}

/// The label set, its last labels dropped until it is within OpenMetrics' limit.
fn fit<'a>(mut set: Vec<(&'a str, &'a str)>) -> Vec<(&'a str, &'a str)> {
    while exemplar_length(&set) > EXEMPLAR_LABELS_MAX {
        set.pop();
    }
    set
}

fn exemplar_length(set: &[(&str, &str)]) -> usize {
    set.iter()
        .map(|(k, v)| k.chars().count() + v.chars().count())
        .sum()
}

/// Label values and HELP text: backslash, double quote and line feed escaped.
fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['\\', '"', '\n']) {
        return text.into();
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            '"' => escaped.push_str("\\\""),
            '\n' => escaped.push_str("\\n"),
            other => escaped.push(other),
        }
    }
    escaped.into()
}

fn number(value: f64) -> String {
    if value.is_nan() {
        "NaN".into()
    } else if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{value}")
    }
}

/// The canonical form OpenMetrics asks of `le` and `quantile` values: `1.0`, not `1`.
fn canonical(value: f64) -> String {
    if value.is_finite() && value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.1}")
    } else {
        number(value)
    }
}

/// Unix seconds, to the millisecond.
fn seconds(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    format!("{}.{:03}", since.as_secs(), since.subsec_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_samples_can_be_left_out() {
        let registry = prometheus::Registry::new();
        let calls = prometheus::IntCounterVec::new(
            prometheus::Opts::new("om_created_total", "calls"),
            &["result"],
        )
        .unwrap();
        registry.register(Box::new(calls.clone())).unwrap();
        calls.with_label_values(&["ok"]).inc();
        let _ = exemplars::series("om_created_total", &[("result", "ok")], &[]);
        let text = render(&registry.gather());
        assert!(
            text.contains("om_created_created{result=\"ok\"} 1"),
            "{text}"
        );
        CREATED.store(false, std::sync::atomic::Ordering::Relaxed);
        let without = render(&registry.gather());
        CREATED.store(true, std::sync::atomic::Ordering::Relaxed);
        assert_eq!(
            without,
            "# HELP om_created calls\n# TYPE om_created counter\nom_created_total{result=\"ok\"} 1\n# EOF\n"
        );
    }

    #[test]
    fn numbers_and_escapes() {
        assert_eq!(canonical(1.0), "1.0");
        assert_eq!(canonical(0.005), "0.005");
        assert_eq!(canonical(f64::INFINITY), "+Inf");
        assert_eq!(number(41.0), "41");
        assert_eq!(number(f64::NEG_INFINITY), "-Inf");
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn an_exemplar_over_the_limit_drops_span_id_then_itself() {
        let exemplar = Exemplar {
            trace_id: 1,
            span_id: 2,
            value: 0.5,
            time: UNIX_EPOCH + std::time::Duration::from_millis(1_500),
        };
        let mut out = String::new();
        write_exemplar(&mut out, &exemplar);
        assert_eq!(
            out,
            " # {trace_id=\"00000000000000000000000000000001\",span_id=\"0000000000000002\"} 0.5 1.500"
        );
        assert_eq!(
            exemplar_length(&[("trace_id", &"0".repeat(32)), ("span_id", &"0".repeat(16))]),
            63
        );
        let long = "x".repeat(130);
        assert_eq!(
            fit(vec![("trace_id", "t"), ("span_id", long.as_str())]),
            [("trace_id", "t")]
        );
        assert!(fit(vec![("trace_id", long.as_str())]).is_empty());
    }
}
