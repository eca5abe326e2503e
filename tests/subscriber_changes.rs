//! Calls made while subscribers come and go: a call that nobody can record takes the cheap path
//! (metrics only, or nothing), and the next subscriber sees the same call sites again.
//!
//! `tracing` keeps the maximum level a subscriber raised after that subscriber is dropped, and
//! caches what each callsite's subscribers want; observe reads both (and, for a site with
//! metrics, the current dispatcher), so these tests run one at a time.

use std::sync::Mutex;

use observe::observe;
use tracing::level_filters::LevelFilter;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;

mod support;
use support::{record, sample, Recording};

/// The tests change process-wide `tracing` state: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

#[derive(Debug)]
struct Boom;

impl std::fmt::Display for Boom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("boom")
    }
}

impl std::error::Error for Boom {}

#[observe(counter = "sc_counted")]
fn counted() {}

#[observe]
fn plain() {}

#[observe]
fn failing() -> Result<(), Boom> {
    Err(Boom)
}

#[observe(counter = "sc_filtered")]
fn filtered(fail: bool) -> Result<(), Boom> {
    if fail {
        Err(Boom)
    } else {
        Ok(())
    }
}

/// A subscriber was set and dropped: nobody listens, but `tracing`'s level says otherwise.
fn a_subscriber_comes_and_goes() {
    tracing::subscriber::with_default(tracing_subscriber::registry(), || {});
}

fn counted_calls(result: &str) -> f64 {
    sample(
        "sc_counted_total",
        &[("function", "counted"), ("result", result)],
    )
    .unwrap_or(0.0)
}

#[test]
fn a_site_called_while_nobody_listens_counts_and_the_next_subscriber_sees_its_span() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    a_subscriber_comes_and_goes();
    let before = counted_calls("ok");
    counted();
    counted();
    plain();
    assert_eq!(
        counted_calls("ok") - before,
        2.0,
        "counted with nobody listening"
    );

    let ((), recording) = record(|| {
        counted();
        plain();
    });
    assert_eq!(counted_calls("ok") - before, 3.0);
    let names: Vec<String> = recording.spans().into_iter().map(|s| s.name).collect();
    assert!(
        names.contains(&"counted".to_string()) && names.contains(&"plain".to_string()),
        "the new subscriber records both spans: {names:?}"
    );
}

#[test]
fn a_failure_is_reported_where_the_span_is_filtered_out_but_errors_are_not() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    a_subscriber_comes_and_goes();
    failing().unwrap_err();

    // Spans (INFO) are filtered out, `exception` events (ERROR) are not.
    let recording = Recording::default();
    let subscriber = support::subscriber(&recording).with(LevelFilter::ERROR);
    tracing::subscriber::with_default(subscriber, || failing().unwrap_err());
    assert!(recording.spans().is_empty(), "{:?}", recording.spans());
    let exceptions = recording.events_named("exception");
    assert_eq!(exceptions.len(), 1, "{:?}", recording.events());
    assert_eq!(
        exceptions[0]
            .fields
            .get("exception.message")
            .map(String::as_str),
        Some("boom")
    );
}

#[test]
fn a_site_whose_span_and_events_are_all_filtered_out_still_counts() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let outcome = |result| {
        sample(
            "sc_filtered_total",
            &[("function", "filtered"), ("result", result)],
        )
        .unwrap_or(0.0)
    };
    let (ok, error) = (outcome("ok"), outcome("error"));
    let recording = Recording::default();
    let subscriber = support::subscriber(&recording)
        .with(Targets::new().with_target("elsewhere", LevelFilter::TRACE));
    tracing::subscriber::with_default(subscriber, || {
        // The first call registers the site's callsites; the next ones know nobody wants them.
        for _ in 0..3 {
            filtered(false).unwrap();
        }
        filtered(true).unwrap_err();
    });
    assert!(recording.spans().is_empty(), "{:?}", recording.spans());
    assert!(recording.events().is_empty(), "{:?}", recording.events());
    assert_eq!(outcome("ok") - ok, 3.0);
    assert_eq!(outcome("error") - error, 1.0);
}
