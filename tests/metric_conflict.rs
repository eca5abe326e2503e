//! A metric name registered twice with different types or label sets: reported once through
//! `tracing`, the conflicting call site stops recording that metric, nothing panics.
//! Own test binary: it installs a global subscriber and registers conflicting metrics.

mod support;

use observe::observe;
use prometheus::{IntGauge, Opts};

#[observe(counter = "conflict_calls", histogram = "conflict_seconds")]
fn first() {}

/// Same name as `first`'s counter, but labelled by `error_type`, not `result`.
#[observe(errors = "conflict_calls", counter = "conflict_other")]
fn second() {}

/// Same name as `first`'s histogram, but a gauge.
#[observe(in_flight = "conflict_seconds")]
fn third() {}

/// A name the application registered itself, with other labels.
#[observe(counter = "app_owned")]
fn fourth() {}

#[test]
fn conflicts_are_reported_once_and_never_panic() {
    let recording = support::Recording::default();
    tracing::subscriber::set_global_default(support::subscriber(&recording)).unwrap();
    let gauge = IntGauge::with_opts(Opts::new("app_owned_total", "owned by the app")).unwrap();
    prometheus::default_registry()
        .register(Box::new(gauge))
        .unwrap();

    for _ in 0..3 {
        first();
        second();
        third();
        fourth();
    }

    let conflicts: Vec<_> = recording
        .events()
        .into_iter()
        .filter(|e| e.target == "observe" && e.message().starts_with("metric conflict"))
        .collect();
    assert_eq!(
        conflicts.len(),
        3,
        "one report per conflicting call site metric: {conflicts:#?}"
    );
    let about = |metric: &str| {
        conflicts
            .iter()
            .filter(|e| e.fields["metric"] == metric)
            .count()
    };
    assert_eq!(about("conflict_calls_total"), 1);
    assert_eq!(about("conflict_seconds"), 1);
    assert_eq!(about("app_owned_total"), 1);
    assert!(conflicts.iter().all(|e| e.level == "ERROR"));

    // The first registration wins and keeps recording; the rest of `second` records too.
    let ok = |f: &'static str| [("function", f), ("result", "ok")];
    assert_eq!(
        support::sample("conflict_calls_total", &ok("first")),
        Some(3.0)
    );
    assert_eq!(
        support::sample("conflict_seconds_count", &ok("first")),
        Some(3.0)
    );
    assert_eq!(
        support::sample("conflict_other_total", &ok("second")),
        Some(3.0)
    );
    assert_eq!(
        support::sample("conflict_seconds", &[("function", "third")]),
        None
    );
    assert_eq!(support::sample("app_owned_total", &[]), Some(0.0));
}
