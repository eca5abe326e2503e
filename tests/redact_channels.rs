//! Redaction on every channel `#[observe]` writes to: span fields, flow events, step fields,
//! exception messages, status descriptions and `flow_failed` errors.

// Fields read only through the derived, redacting `Debug` are "never read" to rustc, as
// with `derive(Debug)` (both impls are `#[automatically_derived]`).
#![allow(dead_code)]

mod support;

use observe::{observe, step, Redact};
use support::{record, Recording};

#[derive(Redact, Clone)]
pub struct Job {
    pub id: u64,
    #[redact(email)]
    pub customer: String,
    #[redact]
    pub api_token: String,
}

#[observe(args(user, password, email, card, token, job, pin), flow)]
fn login(
    user: &str,
    password: &str,
    #[redact(email)] email: &str,
    #[redact(last = 4)] card: String,
    token: Option<String>,
    job: &Job,
    #[redact] pin: u32,
) -> Result<(), String> {
    step!("checked", api_key = "k-live-123", note = %format!("sent Bearer {password}"), attempts = 3, who = user);
    let _ = (&card, &token, job, pin);
    Err(format!(
        "login failed for {user} with password {password}, pin {pin}, mail {email}"
    ))
}

#[observe(fields(session_id = "s-4242", request = %"GET /?token=abc123", size = 12))]
fn with_fields() {}

#[observe]
fn leaks_in_error(url: &str) -> Result<(), String> {
    Err(format!(
        "cannot reach {url}: Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghij"
    ))
}

fn job() -> Job {
    Job {
        id: 9,
        customer: "carol@example.org".into(),
        api_token: "tok_9f8e7d".into(),
    }
}

fn everything(rec: &Recording) -> String {
    format!("{:?}{:?}", rec.spans(), rec.events())
}

#[test]
fn secret_parameters_are_recorded_redacted() {
    let (_, rec) = record(|| {
        login(
            "bob",
            "hunter22",
            "bob@corp.example",
            "4111111111111111".into(),
            Some("tok_abc".into()),
            &job(),
            1234,
        )
    });
    let span = rec.span("login");
    assert_eq!(span.fields["user"], "bob");
    assert_eq!(
        span.fields["password"], "[REDACTED]",
        "sensitive name, unmarked"
    );
    assert_eq!(span.fields["email"], "b***@corp.example");
    assert_eq!(span.fields["card"], "***1111");
    assert_eq!(span.fields["token"], "Some([REDACTED])");
    assert_eq!(span.fields["pin"], "[REDACTED]");
    assert_eq!(
        span.fields["job"],
        "Job { id: 9, customer: c***@example.org, api_token: [REDACTED] }"
    );
    let started = &rec.events_named("flow_started")[0];
    assert_eq!(started.fields["password"], "[REDACTED]");
    assert_eq!(started.fields["email"], "b***@corp.example");
}

#[test]
fn a_failed_call_scrubs_its_secret_parameters_from_its_messages() {
    let (_, rec) = record(|| {
        login(
            "bob",
            "hunter22",
            "bob@corp.example",
            "4111111111111111".into(),
            None,
            &job(),
            1234,
        )
    });
    let expected = "login failed for bob with password [REDACTED], pin [REDACTED], mail [REDACTED]";
    let span = rec.span("login");
    assert_eq!(span.fields["otel.status_description"], expected);
    assert_eq!(
        rec.events_named("exception")[0].fields["exception.message"],
        expected
    );
    assert_eq!(rec.events_named("flow_failed")[0].fields["error"], expected);
}

#[test]
fn step_fields_follow_the_rules() {
    let (_, rec) = record(|| {
        login(
            "bob",
            "hunter22",
            "b@c.de",
            "4111111111111111".into(),
            None,
            &job(),
            1234,
        )
    });
    let step = &rec.events_named("flow_step")[0];
    assert_eq!(step.fields["api_key"], "[REDACTED]", "sensitive key");
    assert_eq!(
        step.fields["note"], "sent Bearer [REDACTED]",
        "scrubbed text"
    );
    assert_eq!(step.fields["attempts"], "3");
    assert_eq!(step.fields["who"], "bob");
}

#[test]
fn span_fields_follow_the_rules() {
    let (_, rec) = record(with_fields);
    let span = rec.span("with_fields");
    assert_eq!(span.fields["session_id"], "[REDACTED]");
    assert_eq!(span.fields["request"], "GET /?token=[REDACTED]");
    assert_eq!(span.fields["size"], "12");
}

#[test]
fn error_messages_pass_through_the_scrubber() {
    let (_, rec) = record(|| leaks_in_error("https://admin:pa55word@10.0.0.1/"));
    let message = &rec.events_named("exception")[0].fields["exception.message"];
    assert_eq!(
        message,
        "cannot reach https://[REDACTED]@10.0.0.1/: Authorization: Bearer [REDACTED]"
    );
}

#[test]
fn no_secret_anywhere() {
    let (_, rec) = record(|| {
        let _ = login(
            "bob",
            "hunter22",
            "bob@corp.example",
            "4111111111111111".into(),
            Some("tok_abc".into()),
            &job(),
            987_654,
        );
        with_fields();
        let _ = leaks_in_error("https://admin:pa55word@h/");
    });
    let all = everything(&rec);
    for secret in [
        "hunter22",
        "bob@corp",
        "4111111111111111",
        "tok_abc",
        "tok_9f8e7d",
        "carol@",
        "987654",
        "k-live-123",
        "s-4242",
        "abc123",
        "pa55word",
        "eyJhbGci",
    ] {
        assert!(!all.contains(secret), "{secret} leaked: {all}");
    }
}

fn consume(secret: String) -> String {
    format!("rejected secret {secret}")
}

/// Owned secret parameters may be moved by the body: they are found again by fingerprint.
#[observe]
fn owned(user: String, password: String, #[redact] otp: String) -> Result<(), String> {
    let message = consume(password);
    Err(format!("{message} and code {otp} for {user}"))
}

#[test]
fn owned_secret_parameters_moved_by_the_body_are_scrubbed_too() {
    let (_, rec) = record(|| owned("bob".into(), "s3cr3t-Pw!".into(), "918273".into()));
    let message = &rec.events_named("exception")[0].fields["exception.message"];
    assert_eq!(
        message,
        "rejected secret [REDACTED] and code [REDACTED] for bob"
    );
    assert_eq!(
        rec.span("owned").fields["otel.status_description"],
        *message
    );
}
