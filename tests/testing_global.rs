//! `observe::testing` in a process that installed a global subscriber: captures still see what
//! ran inside them, and the global subscriber keeps what ran outside.

mod support;

use observe::observe;
use observe::testing::capture;

#[observe(counter = "global_capture_calls")]
fn call(n: u32) -> u32 {
    n * 2
}

#[test]
fn a_capture_works_under_a_global_subscriber() {
    let global = support::Recording::default();
    tracing::subscriber::set_global_default(support::subscriber(&global)).unwrap();

    call(1);
    let (out, captured) = capture(|| call(2));
    call(3);

    assert_eq!(out, 4);
    assert_eq!(captured.spans().len(), 1, "{captured:?}");
    assert_eq!(captured.counter("global_capture_calls_total", &[]), 1.0);
    // The global subscriber saw the two calls outside the capture, and not the one inside.
    assert_eq!(global.spans().len(), 2);
}
