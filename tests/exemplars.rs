//! Exemplars: a call recorded inside a sampled span keeps that span's ids on its counter series
//! and its histogram bucket, and `render_openmetrics()` shows them; the classic text does not
//! change. Own binary: it uses the default registry and observe's OpenTelemetry layer.
#![cfg(feature = "otlp")]

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use observe::observe;
use opentelemetry_sdk::trace::InMemorySpanExporter;
use prometheus::Encoder as _;
use tracing_subscriber::layer::SubscriberExt;

#[observe(counter = "ex_calls", histogram = "ex_duration_ms", buckets = [1.0, 60000.0])]
fn timed(sleep_ms: u64) -> Result<(), String> {
    std::thread::sleep(std::time::Duration::from_millis(sleep_ms));
    Ok(())
}

#[observe(counter = "ex_quiet_calls")]
fn quiet() {}

#[observe(counter = "ex_async_calls")]
async fn root_job() -> u32 {
    tokio::task::yield_now().await;
    inner_job().await
}

#[observe(counter = "ex_inner_calls")]
async fn inner_job() -> u32 {
    tokio::task::yield_now().await;
    7
}

/// The tests share the default registry and compare whole renderings: one at a time, or a
/// call of another test lands between two renderings of one.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs `f` under observe's OpenTelemetry layer and returns the exported spans by name, as
/// `(trace_id, span_id)` in hex.
fn exported(f: impl FnOnce()) -> HashMap<String, (String, String)> {
    let exporter = InMemorySpanExporter::default();
    let (provider, layer) = observe::trace_layer(exporter.clone(), "exemplars-test");
    let subscriber = tracing_subscriber::registry().with(layer);
    tracing::subscriber::with_default(subscriber, f);
    provider.force_flush().unwrap();
    exporter
        .get_finished_spans()
        .unwrap()
        .into_iter()
        .map(|span| {
            let context = span.span_context;
            (
                span.name.into_owned(),
                (
                    context.trace_id().to_string(),
                    context.span_id().to_string(),
                ),
            )
        })
        .collect()
}

/// The lines of the OpenMetrics text that start with `prefix`.
fn lines_starting(text: &str, prefix: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with(prefix))
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_sampled_call_is_the_exemplar_of_its_series_and_its_bucket() {
    let _serial = one_at_a_time();
    let spans = exported(|| timed(3).unwrap());
    let (trace, span) = &spans["timed"];
    let text = observe::metrics::render_openmetrics();
    assert!(text.ends_with("# EOF\n"), "{text}");

    let exemplar = format!(r#" # {{trace_id="{trace}",span_id="{span}"}} "#);
    assert!(text.contains("# TYPE ex_calls counter\n"), "{text}");
    let ok = lines_starting(&text, "ex_calls_total{");
    let ok: Vec<_> = ok.iter().filter(|l| l.contains(r#"result="ok""#)).collect();
    assert_eq!(ok.len(), 1, "{text}");
    assert!(
        ok[0].contains(&format!(" 1{exemplar}1 ")),
        "the counter's exemplar is the call: {}",
        ok[0]
    );
    assert_eq!(
        lines_starting(&text, "ex_calls_created{").len(),
        2,
        "ok and error series have a creation time: {text}"
    );

    // 3 ms falls in the 60000 bucket, not the 1 ms one; +Inf has none of its own.
    let buckets = lines_starting(&text, "ex_duration_ms_bucket{");
    let bucket = |le: &str| {
        buckets
            .iter()
            .find(|l| l.contains(r#"result="ok""#) && l.contains(&format!(r#"le="{le}""#)))
            .unwrap_or_else(|| panic!("no le={le}: {text}"))
            .clone()
    };
    assert!(!bucket("1.0").contains(" # "), "{}", bucket("1.0"));
    let kept = bucket("60000.0");
    assert!(kept.contains(&exemplar), "{kept}");
    let value: f64 = kept
        .split(&exemplar)
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (3.0..1000.0).contains(&value),
        "the exemplar's value is the duration: {value}"
    );
    assert!(!bucket("+Inf").contains(" # "));
    assert!(text.contains("# TYPE ex_duration_ms histogram\n"));

    // The classic format is unchanged: what the prometheus crate's own encoder writes.
    let mut classic = Vec::new();
    prometheus::TextEncoder::new()
        .encode(&observe::metrics::registry().gather(), &mut classic)
        .unwrap();
    assert_eq!(
        observe::metrics::render(),
        String::from_utf8(classic).unwrap()
    );
    assert!(!observe::metrics::render().contains("trace_id"));
}

#[test]
fn an_async_call_is_its_own_exemplar_even_at_the_root() {
    let _serial = one_at_a_time();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let spans = exported(|| assert_eq!(runtime.block_on(root_job()), 7));
    let text = observe::metrics::render_openmetrics();
    for (function, counter) in [
        ("root_job", "ex_async_calls"),
        ("inner_job", "ex_inner_calls"),
    ] {
        let (trace, span) = &spans[function];
        let line = lines_starting(&text, &format!("{counter}_total{{"))
            .into_iter()
            .find(|l| l.contains(r#"result="ok""#))
            .unwrap();
        assert!(
            line.contains(&format!(r#"# {{trace_id="{trace}",span_id="{span}"}} 1 "#)),
            "{function}'s own span is the exemplar: {line}"
        );
    }
    assert_eq!(spans["root_job"].0, spans["inner_job"].0, "one trace");
}

#[test]
fn no_exemplar_without_a_sampled_span() {
    let _serial = one_at_a_time();
    // No subscriber: no span at all.
    quiet();
    // Inside a span whose trace the caller chose not to sample (`traceparent` flags 00).
    let mut headers = http::HeaderMap::new();
    headers.insert(
        "traceparent",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"
            .parse()
            .unwrap(),
    );
    let spans = exported(|| {
        let _remote = observe::propagation::extract_headers(&headers).attach();
        quiet();
    });
    assert!(
        spans.is_empty(),
        "an unsampled span is not exported: {spans:?}"
    );
    let text = observe::metrics::render_openmetrics();
    let lines = lines_starting(&text, "ex_quiet_calls_total{");
    assert!(!lines.is_empty(), "{text}");
    assert!(lines.iter().all(|l| !l.contains(" # ")), "{lines:?}");
}

#[test]
fn the_applications_own_metrics_are_rendered_without_exemplars() {
    let _serial = one_at_a_time();
    let own = prometheus::IntCounter::new("ex_app_jobs", "Jobs the app counts itself.").unwrap();
    let sized = prometheus::Histogram::with_opts(
        prometheus::HistogramOpts::new("ex_app_size_bytes", "Sizes \"quoted\"\nand two lines.")
            .buckets(vec![10.0, 100.0]),
    )
    .unwrap();
    let gauge = prometheus::IntGauge::new("ex_app_queue", "Queue depth.").unwrap();
    let registry = observe::metrics::registry();
    registry.register(Box::new(own.clone())).unwrap();
    registry.register(Box::new(sized.clone())).unwrap();
    registry.register(Box::new(gauge.clone())).unwrap();
    own.inc_by(3);
    sized.observe(42.0);
    gauge.set(-2);
    let _ = exported(|| {
        own.inc();
        sized.observe(7.0);
    });
    let text = observe::metrics::render_openmetrics();
    assert!(
        text.contains("# HELP ex_app_jobs Jobs the app counts itself.\n# TYPE ex_app_jobs counter\nex_app_jobs_total 4\n"),
        "{text}"
    );
    assert!(!text.contains("ex_app_jobs_created"), "{text}");
    assert!(text.contains(
        "# HELP ex_app_size_bytes Sizes \\\"quoted\\\"\\nand two lines.\n# TYPE ex_app_size_bytes histogram\n\
         ex_app_size_bytes_bucket{le=\"10.0\"} 1\nex_app_size_bytes_bucket{le=\"100.0\"} 2\n\
         ex_app_size_bytes_bucket{le=\"+Inf\"} 2\nex_app_size_bytes_count 2\nex_app_size_bytes_sum 49\n"
    ), "{text}");
    assert!(text.contains(
        "# HELP ex_app_queue Queue depth.\n# TYPE ex_app_queue gauge\nex_app_queue -2\n"
    ));
}
