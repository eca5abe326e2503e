//! The metric contract, read back from the real Prometheus registry through
//! `observe::metrics::render()`. Each test uses its own metric names: the registry is shared.

mod support;

use std::future::Future;

use observe::observe;
use support::{block_on, help, sample};

#[derive(Debug)]
struct Boom;

impl std::fmt::Display for Boom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("boom")
    }
}

/// Counts the jobs. More text that is not the summary.
///
/// A second paragraph.
#[observe(counter = "m_jobs", histogram = "m_jobs_duration_seconds")]
fn job(fail: bool) -> Result<(), Boom> {
    if fail {
        Err(Boom)
    } else {
        Ok(())
    }
}

#[observe(counter = "m_already_total")]
fn already_total() {}

#[observe(counter, histogram, errors, in_flight)]
fn defaults(fail: bool) -> Result<(), Boom> {
    if fail {
        Err(Boom)
    } else {
        Ok(())
    }
}

#[observe(histogram = "m_ms", buckets = [1, 5, 50.5])]
fn custom_buckets() {}

#[observe(histogram = "m_unit_milliseconds")]
fn in_ms() {}

#[observe(histogram = "m_unit_us")]
fn in_us() {}

#[observe(histogram = "m_unit_ns")]
fn in_ns() {}

#[observe(errors = "m_failures", counter = "m_attempts")]
fn failing(kind: u8) -> Result<(), Box<dyn std::error::Error>> {
    match kind {
        0 => Ok(()),
        1 => Err("text".into()),
        _ => panic!("kind {kind}"),
    }
}

#[observe(in_flight = "m_in_flight", counter = "m_in_flight_calls")]
fn in_flight_sync(check: impl Fn()) {
    check();
}

#[observe(in_flight = "m_async_in_flight", counter = "m_async_calls")]
async fn in_flight_async() {
    std::future::pending::<()>().await;
}

#[observe(counter = "m_late_drop_calls")]
async fn panics_async_dropped_later() {
    support::yield_now().await;
    panic!("async");
}

#[observe(in_flight = "m_panic_in_flight", counter = "m_panic_calls")]
async fn panics_async() {
    support::yield_now().await;
    panic!("async");
}

#[observe(counter = "m_shared")]
fn shared_a() {}

#[observe(counter = "m_shared")]
fn shared_b() {}

#[observe(name = "renamed_fn", counter = "m_renamed")]
fn original_name() {}

const MODULE: &str = "metrics";

#[test]
fn counter_counts_by_result_and_histogram_observes_in_seconds() {
    job(false).unwrap();
    job(false).unwrap();
    job(true).unwrap_err();
    let labels = |r| [("function", "job"), ("module", MODULE), ("result", r)];
    assert_eq!(sample("m_jobs_total", &labels("ok")), Some(2.0));
    assert_eq!(sample("m_jobs_total", &labels("error")), Some(1.0));
    assert_eq!(
        sample("m_jobs_duration_seconds_count", &labels("ok")),
        Some(2.0)
    );
    assert_eq!(
        sample("m_jobs_duration_seconds_count", &labels("error")),
        Some(1.0)
    );
    let sum = sample("m_jobs_duration_seconds_sum", &labels("ok")).unwrap();
    assert!(sum > 0.0 && sum < 1.0, "seconds, not nanoseconds: {sum}");
    let mut le = labels("ok").to_vec();
    le.push(("le", "0.005"));
    assert_eq!(
        sample("m_jobs_duration_seconds_bucket", &le),
        Some(2.0),
        "default buckets in s"
    );
    assert_eq!(
        sample("m_jobs_total", &labels("panic")),
        None,
        "panic children appear on first panic"
    );
}

#[test]
fn help_is_the_doc_summary_or_a_sentence() {
    job(false).unwrap();
    already_total();
    assert_eq!(
        help("m_jobs_total").as_deref(),
        Some("Counts the jobs. More text that is not the summary.")
    );
    assert_eq!(
        help("m_already_total").as_deref(),
        Some("Finished calls of `already_total` in metrics.")
    );
}

#[test]
fn total_suffix_is_not_doubled() {
    already_total();
    assert!(sample("m_already_total", &[("function", "already_total")]).is_some());
    assert!(sample("m_already_total_total", &[]).is_none());
}

#[test]
fn bare_keys_get_default_names() {
    defaults(false).unwrap();
    defaults(true).unwrap_err();
    let f = ("function", "defaults");
    assert_eq!(
        sample("defaults_calls_total", &[f, ("result", "ok")]),
        Some(1.0)
    );
    assert_eq!(
        sample("defaults_duration_seconds_count", &[f, ("result", "error")]),
        Some(1.0)
    );
    assert_eq!(
        sample(
            "defaults_errors_total",
            &[f, ("error_type", "metrics::Boom")]
        ),
        Some(1.0)
    );
    assert_eq!(sample("defaults_in_flight", &[f]), Some(0.0));
}

#[test]
fn buckets_and_units() {
    custom_buckets();
    in_ms();
    in_us();
    in_ns();
    let bucket = |metric: &str, le: &str| sample(metric, &[("le", le), ("result", "ok")]);
    assert_eq!(bucket("m_ms_bucket", "1"), Some(1.0));
    assert_eq!(bucket("m_ms_bucket", "50.5"), Some(1.0));
    assert_eq!(
        bucket("m_ms_bucket", "5000"),
        None,
        "only the given buckets"
    );
    assert_eq!(bucket("m_unit_milliseconds_bucket", "5"), Some(1.0));
    assert_eq!(bucket("m_unit_milliseconds_bucket", "10000"), Some(1.0));
    assert_eq!(bucket("m_unit_us_bucket", "5000"), Some(1.0));
    assert_eq!(bucket("m_unit_ns_bucket", "5000000"), Some(1.0));
    let ns = sample("m_unit_ns_sum", &[("result", "ok")]).unwrap();
    let s = sample("m_ms_sum", &[("result", "ok")]).unwrap();
    assert!(ns >= 1.0 && s < 1000.0, "ns sum {ns}, ms sum {s}");
}

#[test]
fn errors_counter_by_error_type_includes_panics() {
    failing(0).unwrap();
    failing(1).unwrap_err();
    failing(1).unwrap_err();
    assert!(std::panic::catch_unwind(|| failing(2)).is_err());
    let f = ("function", "failing");
    let boxed = std::any::type_name::<Box<dyn std::error::Error>>();
    assert_eq!(
        sample("m_failures_total", &[f, ("error_type", boxed)]),
        Some(2.0)
    );
    assert_eq!(
        sample("m_failures_total", &[f, ("error_type", "panic")]),
        Some(1.0)
    );
    assert_eq!(
        sample("m_attempts_total", &[f, ("result", "panic")]),
        Some(1.0)
    );
    assert_eq!(
        sample("m_attempts_total", &[f, ("result", "ok")]),
        Some(1.0)
    );
}

#[test]
fn in_flight_counts_running_calls_and_returns_to_zero() {
    in_flight_sync(|| {
        assert_eq!(
            sample("m_in_flight", &[("function", "in_flight_sync")]),
            Some(1.0)
        )
    });
    assert_eq!(
        sample("m_in_flight", &[("function", "in_flight_sync")]),
        Some(0.0)
    );
    let caught = std::panic::catch_unwind(|| in_flight_sync(|| panic!("inside")));
    assert!(caught.is_err());
    assert_eq!(
        sample("m_in_flight", &[("function", "in_flight_sync")]),
        Some(0.0)
    );
    assert_eq!(
        sample("m_in_flight_calls_total", &[("result", "panic")]),
        Some(1.0)
    );
}

#[test]
fn in_flight_returns_to_zero_after_cancellation() {
    let mut fut = Box::pin(in_flight_async());
    let waker = std::task::Waker::noop();
    assert!(fut
        .as_mut()
        .poll(&mut std::task::Context::from_waker(waker))
        .is_pending());
    assert_eq!(sample("m_async_in_flight", &[]), Some(1.0));
    drop(fut);
    assert_eq!(sample("m_async_in_flight", &[]), Some(0.0));
    assert_eq!(
        sample("m_async_calls_total", &[("result", "cancelled")]),
        Some(1.0)
    );
}

#[test]
fn in_flight_returns_to_zero_after_an_async_panic() {
    let caught = std::panic::catch_unwind(|| block_on(panics_async()));
    assert!(caught.is_err());
    assert_eq!(sample("m_panic_in_flight", &[]), Some(0.0));
    assert_eq!(
        sample("m_panic_calls_total", &[("result", "panic")]),
        Some(1.0)
    );
}

#[test]
fn an_async_panic_counts_as_a_panic_even_when_the_future_is_dropped_later() {
    let mut fut = Box::pin(panics_async_dropped_later());
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        block_on(fut.as_mut());
    }));
    assert!(caught.is_err());
    drop(fut); // no panic in progress any more: the poll that unwound recorded it
    assert_eq!(
        sample("m_late_drop_calls_total", &[("result", "panic")]),
        Some(1.0)
    );
    assert_eq!(
        sample("m_late_drop_calls_total", &[("result", "cancelled")]),
        None
    );
}

#[test]
fn functions_share_a_metric_by_name() {
    shared_a();
    shared_b();
    shared_b();
    assert_eq!(
        sample(
            "m_shared_total",
            &[("function", "shared_a"), ("result", "ok")]
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            "m_shared_total",
            &[("function", "shared_b"), ("result", "ok")]
        ),
        Some(2.0)
    );
}

#[test]
fn name_sets_the_function_label() {
    original_name();
    assert_eq!(
        sample(
            "m_renamed_total",
            &[("function", "renamed_fn"), ("result", "ok")]
        ),
        Some(1.0)
    );
}

#[test]
fn render_is_the_text_exposition() {
    already_total();
    let text = observe::metrics::render();
    assert!(text.contains("# TYPE m_already_total counter"));
    assert_eq!(
        observe::metrics::CONTENT_TYPE,
        "text/plain; version=0.0.4; charset=utf-8"
    );
}
