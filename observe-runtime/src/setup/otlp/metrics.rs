//! OTLP export of the Prometheus registry: every family, with the names and labels `/metrics`
//! shows, pushed at a fixed interval and once more at shutdown.
//!
//! Why a bridge and not the SDK's meter: observe records into `prometheus` (cached children,
//! one clock read); recording a second time into OpenTelemetry instruments would double the
//! hot path, and the Rust SDK (0.33) has no way to ingest data aggregated elsewhere (its
//! `ResourceMetrics` cannot be built outside the SDK). So the registry is gathered and
//! converted to the OTLP protobuf messages of `opentelemetry-proto`, cumulative temporality:
//! counters become monotonic sums, gauges gauges, histograms explicit-bucket histograms
//! (Prometheus' cumulative buckets turned into per-bucket counts), summaries summaries.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, InstrumentationScope, KeyValue};
use opentelemetry_proto::tonic::metrics::v1::{
    exemplar, metric::Data, number_data_point::Value, summary_data_point::ValueAtQuantile,
    AggregationTemporality, Exemplar, Gauge, Histogram, HistogramDataPoint, Metric,
    NumberDataPoint, ResourceMetrics, ScopeMetrics, Sum, Summary, SummaryDataPoint,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use prometheus::proto::{self, MetricFamily, MetricType};

use crate::metrics::{exemplars, model};
use tokio::sync::watch;

use super::client::Sender;
use super::EXPORT_TIMEOUT;

/// The periodic push; [`MetricsPush::stop`] sends the last values and waits (bounded) for it.
pub(super) struct MetricsPush {
    stop: watch::Sender<bool>,
    done: std::sync::mpsc::Receiver<()>,
}

impl MetricsPush {
    pub(super) fn start(
        runtime: &tokio::runtime::Handle,
        sender: Sender,
        resource: Resource,
        interval: Duration,
    ) -> MetricsPush {
        let (stop, mut stopped) = watch::channel(false);
        let (finished, done) = std::sync::mpsc::channel();
        let start = unix_nanos(SystemTime::now());
        runtime.spawn(async move {
            let mut ticks =
                tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                let last = tokio::select! {
                    _ = ticks.tick() => false,
                    _ = stopped.changed() => true,
                };
                let request = request(&crate::metrics::registry().gather(), &resource, start);
                let points = points(&request);
                if points > 0 {
                    let sent = tokio::time::timeout(EXPORT_TIMEOUT, sender.metrics(request)).await;
                    if !matches!(sent, Ok(Ok(()))) {
                        crate::metrics::telemetry_dropped("metrics", "export_failed", points);
                    }
                }
                if last {
                    let _ = finished.send(());
                    return;
                }
            }
        });
        MetricsPush { stop, done }
    }

    /// Pushes the current values one last time, waiting at most the export timeout.
    pub(super) fn stop(self) {
        if self.stop.send(true).is_ok() {
            let _ = self
                .done
                .recv_timeout(EXPORT_TIMEOUT + Duration::from_millis(500));
        }
    }
}

/// The OTLP request for `families` (all of one resource and one scope, `observe`).
pub(crate) fn request(
    families: &[MetricFamily],
    resource: &Resource,
    start_unix_nanos: u64,
) -> ExportMetricsServiceRequest {
    let now = unix_nanos(SystemTime::now());
    let times = Times {
        start: start_unix_nanos,
        now,
    };
    ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            resource: Some(resource.clone()),
            scope_metrics: vec![ScopeMetrics {
                scope: Some(InstrumentationScope {
                    name: "observe".into(),
                    version: env!("CARGO_PKG_VERSION").into(),
                    ..Default::default()
                }),
                metrics: families.iter().filter_map(|f| metric(f, times)).collect(),
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    }
}

/// How many data points `request` carries (what a failed export loses).
pub(crate) fn points(request: &ExportMetricsServiceRequest) -> u64 {
    let count = |metric: &Metric| match &metric.data {
        Some(Data::Sum(s)) => s.data_points.len(),
        Some(Data::Gauge(g)) => g.data_points.len(),
        Some(Data::Histogram(h)) => h.data_points.len(),
        Some(Data::Summary(s)) => s.data_points.len(),
        Some(Data::ExponentialHistogram(h)) => h.data_points.len(),
        None => 0,
    };
    request
        .resource_metrics
        .iter()
        .flat_map(|r| &r.scope_metrics)
        .flat_map(|s| &s.metrics)
        .map(count)
        .sum::<usize>() as u64
}

#[derive(Clone, Copy)]
struct Times {
    start: u64,
    now: u64,
}

const CUMULATIVE: i32 = AggregationTemporality::Cumulative as i32;

fn metric(family: &MetricFamily, times: Times) -> Option<Metric> {
    let samples = family.get_metric();
    if samples.is_empty() {
        return None;
    }
    let number = |sample: &proto::Metric, value: f64| NumberDataPoint {
        attributes: attributes(sample),
        start_time_unix_nano: times.start,
        time_unix_nano: times.now,
        value: Some(Value::AsDouble(value)),
        ..Default::default()
    };
    let data = match family.get_field_type() {
        MetricType::COUNTER => Data::Sum(Sum {
            data_points: samples
                .iter()
                .map(|s| {
                    let mut point = number(s, model::counter(s));
                    point.exemplars = series_of(family, s)
                        .and_then(|series| series.get(0))
                        .map(otlp_exemplar)
                        .into_iter()
                        .collect();
                    point
                })
                .collect(),
            aggregation_temporality: CUMULATIVE,
            is_monotonic: true,
        }),
        MetricType::GAUGE => Data::Gauge(Gauge {
            data_points: samples.iter().map(|s| number(s, model::gauge(s))).collect(),
        }),
        // Untyped families (only hand-written collectors make them) have no value accessor
        // common to both `prometheus::proto` models: see `metrics::model`.
        MetricType::UNTYPED => return None,
        MetricType::HISTOGRAM => Data::Histogram(Histogram {
            data_points: samples
                .iter()
                .map(|s| histogram(s, times, series_of(family, s)))
                .collect(),
            aggregation_temporality: CUMULATIVE,
        }),
        MetricType::SUMMARY => Data::Summary(Summary {
            data_points: samples.iter().map(|s| summary(s, times)).collect(),
        }),
    };
    Some(Metric {
        name: family.name().to_owned(),
        description: family.help().to_owned(),
        data: Some(data),
        ..Default::default()
    })
}

/// Prometheus buckets are cumulative and end with `+Inf` implicitly; OTLP wants the count of
/// each bucket, one more count than bounds.
fn histogram(
    sample: &proto::Metric,
    times: Times,
    series: Option<std::sync::Arc<exemplars::SeriesExemplars>>,
) -> HistogramDataPoint {
    let h = sample.get_histogram();
    let mut explicit_bounds = Vec::new();
    let mut bucket_counts = Vec::new();
    let mut below = 0;
    for bucket in h.get_bucket() {
        if bucket.upper_bound().is_infinite() {
            continue;
        }
        explicit_bounds.push(bucket.upper_bound());
        bucket_counts.push(bucket.cumulative_count().saturating_sub(below));
        below = bucket.cumulative_count();
    }
    bucket_counts.push(h.get_sample_count().saturating_sub(below));
    HistogramDataPoint {
        attributes: attributes(sample),
        start_time_unix_nano: times.start,
        time_unix_nano: times.now,
        count: h.get_sample_count(),
        sum: Some(h.get_sample_sum()),
        exemplars: series
            .map(|series| {
                (0..=explicit_bounds.len())
                    .filter_map(|bucket| series.get(bucket))
                    .map(otlp_exemplar)
                    .collect()
            })
            .unwrap_or_default(),
        bucket_counts,
        explicit_bounds,
        ..Default::default()
    }
}

/// The exemplars of a series observe records (none for the application's own families).
fn series_of(
    family: &MetricFamily,
    sample: &proto::Metric,
) -> Option<std::sync::Arc<exemplars::SeriesExemplars>> {
    let labels: Vec<(&str, &str)> = sample
        .get_label()
        .iter()
        .map(|label| (label.name(), label.value()))
        .collect();
    exemplars::of(family.name(), &labels)
}

fn otlp_exemplar(kept: exemplars::Exemplar) -> Exemplar {
    Exemplar {
        filtered_attributes: Vec::new(),
        time_unix_nano: unix_nanos(kept.time),
        span_id: kept.span_id.to_be_bytes().to_vec(),
        trace_id: kept.trace_id.to_be_bytes().to_vec(),
        value: Some(exemplar::Value::AsDouble(kept.value)),
    }
}

fn summary(sample: &proto::Metric, times: Times) -> SummaryDataPoint {
    let s = sample.get_summary();
    SummaryDataPoint {
        attributes: attributes(sample),
        start_time_unix_nano: times.start,
        time_unix_nano: times.now,
        count: s.sample_count(),
        sum: s.sample_sum(),
        quantile_values: s
            .get_quantile()
            .iter()
            .map(|q| ValueAtQuantile {
                quantile: q.quantile(),
                value: q.value(),
            })
            .collect(),
        ..Default::default()
    }
}

fn attributes(sample: &proto::Metric) -> Vec<KeyValue> {
    sample
        .get_label()
        .iter()
        .map(|label| string(label.name(), label.value()))
        .collect()
}

/// The resource of every export, as OTLP attributes.
pub(super) fn resource(pairs: &[(String, String)]) -> Resource {
    Resource {
        attributes: pairs.iter().map(|(k, v)| string(k, v)).collect(),
        ..Default::default()
    }
}

fn string(key: &str, value: &str) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(value.to_owned())),
        }),
        ..Default::default()
    }
}

pub(super) fn unix_nanos(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use prometheus::{Histogram, HistogramOpts, IntCounterVec, Opts, Registry};

    use super::*;

    #[test]
    fn converts_counters_and_histograms_with_their_labels() {
        let registry = Registry::new();
        let calls = IntCounterVec::new(Opts::new("calls_total", "calls"), &["result"]).unwrap();
        registry.register(Box::new(calls.clone())).unwrap();
        calls.with_label_values(&["ok"]).inc_by(3);
        calls.with_label_values(&["error"]).inc();
        let hist =
            Histogram::with_opts(HistogramOpts::new("took_ms", "t").buckets(vec![1.0, 10.0]))
                .unwrap();
        registry.register(Box::new(hist.clone())).unwrap();
        for v in [0.5, 5.0, 5.0, 50.0] {
            hist.observe(v);
        }
        let request = request(&registry.gather(), &Resource::default(), 7);
        assert_eq!(points(&request), 3);
        let metrics = &request.resource_metrics[0].scope_metrics[0].metrics;
        let Some(Data::Sum(sum)) = &metrics[0].data else {
            panic!("{metrics:?}")
        };
        assert_eq!(metrics[0].name, "calls_total");
        assert!(sum.is_monotonic);
        let ok = sum
            .data_points
            .iter()
            .find(|p| format!("{:?}", p.attributes).contains("\"ok\""))
            .unwrap();
        assert_eq!(ok.value, Some(Value::AsDouble(3.0)));
        assert_eq!(ok.start_time_unix_nano, 7);
        let Some(Data::Histogram(h)) = &metrics[1].data else {
            panic!("{metrics:?}")
        };
        let point = &h.data_points[0];
        assert_eq!(point.explicit_bounds, [1.0, 10.0]);
        assert_eq!(point.bucket_counts, [1, 2, 1]);
        assert_eq!((point.count, point.sum), (4, Some(60.5)));
        assert!(point.exemplars.is_empty(), "not a series observe records");
    }

    #[test]
    fn exemplars_ride_on_sums_and_histogram_points() {
        let registry = Registry::new();
        let calls = IntCounterVec::new(Opts::new("ex_otlp_total", "calls"), &["result"]).unwrap();
        registry.register(Box::new(calls.clone())).unwrap();
        calls.with_label_values(&["ok"]).inc();
        let hist =
            Histogram::with_opts(HistogramOpts::new("ex_otlp_ms", "t").buckets(vec![1.0, 10.0]))
                .unwrap();
        registry.register(Box::new(hist.clone())).unwrap();
        hist.observe(5.0);
        // What a call inside a sampled span leaves on the two series.
        let at = exemplars::since_anchor(quanta::Instant::now());
        exemplars::series("ex_otlp_total", &[("result", "ok")], &[]).record((0xab, 0xcd), 1.0, at);
        exemplars::series("ex_otlp_ms", &[], &[1.0, 10.0]).record((0xab, 0xcd), 5.0, at);
        let request = request(&registry.gather(), &Resource::default(), 7);
        let metrics = &request.resource_metrics[0].scope_metrics[0].metrics;
        let named = |name: &str| metrics.iter().find(|m| m.name == name).unwrap();
        let Some(Data::Sum(sum)) = &named("ex_otlp_total").data else {
            panic!("{metrics:?}")
        };
        let kept = &sum.data_points[0].exemplars;
        assert_eq!(kept.len(), 1, "{kept:?}");
        let mut trace = [0u8; 16];
        trace[15] = 0xab;
        assert_eq!(kept[0].trace_id, trace);
        assert_eq!(kept[0].span_id, [0, 0, 0, 0, 0, 0, 0, 0xcd]);
        assert_eq!(kept[0].value, Some(exemplar::Value::AsDouble(1.0)));
        assert!(kept[0].time_unix_nano > 0);
        let Some(Data::Histogram(h)) = &named("ex_otlp_ms").data else {
            panic!("{metrics:?}")
        };
        let kept = &h.data_points[0].exemplars;
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].value, Some(exemplar::Value::AsDouble(5.0)));
    }
}
