//! With the `serde` feature, the redacted view serializes as its (redacted) text.

// Fields read only through the derived, redacting `Debug` are "never read" to rustc, as
// with `derive(Debug)` (both impls are `#[automatically_derived]`).
#![allow(dead_code)]
#![cfg(feature = "serde")]

use observe::Redact;

#[derive(Redact)]
struct Job {
    id: u64,
    #[redact(email)]
    customer: String,
    #[redact]
    api_token: String,
}

#[derive(serde::Serialize)]
struct Log<'a> {
    event: &'a str,
    job: observe::Redacted<'a, Job>,
}

#[test]
fn the_redacted_view_serializes_as_redacted_text() {
    let job = Job {
        id: 3,
        customer: "dave@example.net".into(),
        api_token: "tok_xyz_123".into(),
    };
    let json = serde_json::to_string(&Log {
        event: "started",
        job: job.redacted(),
    })
    .unwrap();
    assert_eq!(
        json,
        r#"{"event":"started","job":"Job { id: 3, customer: d***@example.net, api_token: [REDACTED] }"}"#
    );
    assert!(!json.contains("tok_xyz_123"));
}
