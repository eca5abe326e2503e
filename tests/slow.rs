//! `#[observe(slow = "…")]`: a call over its threshold logs one WARN `slow_call` in its span
//! and is counted in `observe_slow_calls_total`; a call under it records nothing more.

mod support;

use std::time::Duration;

use observe::testing::capture;
use observe::{observe, step};
use support::sample;

#[observe(slow = "20ms")]
fn maybe_slow(sleep_ms: u64) -> u64 {
    std::thread::sleep(Duration::from_millis(sleep_ms));
    sleep_ms
}

#[observe(
    slow = "1.5ms",
    counter = "slow_counted_calls",
    errors = "slow_counted_errors",
    flow
)]
fn counted(sleep_ms: u64, fail: bool) -> Result<(), String> {
    step!("slept_a_bit");
    std::thread::sleep(Duration::from_millis(sleep_ms));
    if fail {
        return Err("went wrong".into());
    }
    Ok(())
}

#[test]
fn a_slow_call_logs_one_warning_in_its_span() {
    let (_, captured) = capture(|| maybe_slow(40));
    let span = captured.span("maybe_slow");
    let slow: Vec<_> = span
        .events()
        .iter()
        .filter(|e| e.message() == "slow_call")
        .collect();
    assert_eq!(slow.len(), 1, "{captured:?}");
    assert_eq!(slow[0].level(), tracing::Level::WARN);
    assert_eq!(slow[0].field("threshold_ms"), Some("20.0"));
    let elapsed: f64 = slow[0].field("elapsed_ms").unwrap().parse().unwrap();
    assert!(elapsed >= 40.0, "{elapsed}");
    assert_eq!(slow[0].field("flow_id"), None, "not in a flow");
    assert!(!span.is_error(), "a slow call is not a failed one");
}

#[test]
fn a_call_under_its_threshold_records_nothing_more() {
    let (_, captured) = capture(|| maybe_slow(0));
    assert!(captured.events().is_empty(), "{captured:?}");
}

#[test]
fn slow_calls_are_counted_with_their_flow_and_error_type_unchanged() {
    let labels = [("function", "counted"), ("module", "slow")];
    let before = sample("observe_slow_calls_total", &labels).unwrap_or(0.0);
    let (_, captured) = capture(|| {
        counted(0, false).unwrap();
        counted(5, true).unwrap_err();
    });
    let slow: Vec<_> = captured
        .events()
        .iter()
        .filter(|e| e.message() == "slow_call")
        .collect();
    assert_eq!(slow.len(), 1, "{captured:?}");
    let started = captured
        .events()
        .iter()
        .find(|e| e.message() == "flow_started" && e.span_id() == slow[0].span_id())
        .unwrap();
    assert_eq!(slow[0].field("flow_id"), started.field("flow_id"));
    assert_eq!(slow[0].field("last_step"), Some("slept_a_bit"));
    assert_eq!(
        captured.counter(
            "slow_counted_errors_total",
            &[("error_type", "alloc::string::String")]
        ),
        1.0
    );
    // Without a subscriber too: the metrics-only path times the call for its threshold.
    counted(5, false).unwrap();
    counted(0, false).unwrap();
    assert_eq!(
        sample("observe_slow_calls_total", &labels),
        Some(before + 2.0)
    );
}
