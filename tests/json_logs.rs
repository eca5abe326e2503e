//! `observe::logs::json_layer()`: JSON lines with the fields of enclosing spans and the
//! redaction rules applied to every value.

// Fields read only through the derived, redacting `Debug` are "never read" to rustc, as
// with `derive(Debug)` (both impls are `#[automatically_derived]`).
#![allow(dead_code)]

mod support;

use observe::{observe, step, Redact};
use serde_json::Value;
use support::Buffer;
use tracing_subscriber::layer::SubscriberExt;

fn lines(f: impl FnOnce()) -> Vec<Value> {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let layer = observe::logs::json_layer().with_writer(move || writer.clone());
    let subscriber = tracing_subscriber::registry().with(layer);
    tracing::subscriber::with_default(subscriber, f);
    let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[derive(Redact)]
struct Customer {
    id: u32,
    #[redact(email)]
    email: String,
}

#[observe(args(customer), flow, fields(request_id = "req-1"))]
fn checkout(customer: &Customer, card: &str) -> Result<(), String> {
    step!("charged", amount = 12, gateway = %"https://u:secretpass@pay.example/");
    Err(format!("card {card} declined"))
}

#[test]
fn lines_are_json_with_span_context_and_no_secrets() {
    let customer = Customer {
        id: 1,
        email: "erin@example.com".into(),
    };
    let lines = lines(|| {
        let outer =
            tracing::info_span!("request", request_id = "req-42", token = "tok_outer_secret");
        let _entered = outer.enter();
        tracing::info!(
            password = "hunter2",
            user = "bob",
            "signed in with Bearer abcdefghijklmnop"
        );
        let _ = checkout(&customer, "4111111111111111");
    });
    let signed_in = &lines[0];
    assert_eq!(signed_in["level"], "INFO");
    assert_eq!(signed_in["target"], "json_logs");
    assert_eq!(signed_in["message"], "signed in with Bearer [REDACTED]");
    assert_eq!(signed_in["password"], "[REDACTED]");
    assert_eq!(signed_in["user"], "bob");
    assert_eq!(signed_in["span"], "request");
    assert_eq!(signed_in["request_id"], "req-42");
    assert_eq!(signed_in["token"], "[REDACTED]");
    assert!(
        signed_in.get("spans").is_none(),
        "no second copy of the spans"
    );
    assert!(signed_in["timestamp"].as_str().unwrap().ends_with('Z'));

    let step = lines.iter().find(|l| l["message"] == "flow_step").unwrap();
    assert_eq!(step["amount"], 12, "numbers stay numbers");
    assert_eq!(step["gateway"], "https://[REDACTED]@pay.example/");
    assert_eq!(
        step["token"], "[REDACTED]",
        "outer span context on every line, flattened"
    );
    assert_eq!(step["request_id"], "req-1", "the inner span's field wins");
    assert_eq!(step["span"], "checkout");
    assert_eq!(
        step["customer"],
        "Customer { id: 1, email: e***@example.com }"
    );
    let keys: Vec<&str> = step
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert!(
        !keys.iter().any(|k| k.starts_with("code.")),
        "code attributes stay on the spans: {keys:?}"
    );

    let exception = lines.iter().find(|l| l["message"] == "exception").unwrap();
    assert_eq!(exception["exception.message"], "card [REDACTED] declined");
    let all = lines.iter().map(Value::to_string).collect::<String>();
    for secret in [
        "hunter2",
        "abcdefghijklmnop",
        "tok_outer_secret",
        "secretpass",
        "erin@",
        "4111111111111111",
    ] {
        assert!(!all.contains(secret), "{secret} leaked: {all}");
    }
}

fn hex_id(line: &Value, key: &str, digits: usize) -> String {
    let id = line[key]
        .as_str()
        .unwrap_or_else(|| panic!("no {key}: {line}"));
    assert_eq!(id.len(), digits, "{line}");
    assert!(
        id.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
        "{line}"
    );
    assert!(
        id.chars().any(|c| c != '0'),
        "all-zero {key} is invalid: {line}"
    );
    id.to_owned()
}

#[test]
fn lines_in_a_span_carry_w3c_ids_without_an_exporter() {
    let lines = lines(|| {
        tracing::info!("before any span");
        let outer = tracing::info_span!("request");
        let _outer = outer.enter();
        tracing::info!("in the request");
        tracing::info_span!("db").in_scope(|| tracing::info!("in the query"));
        tracing::info!("in the request again");
        drop(_outer);
        tracing::info_span!("other_request").in_scope(|| tracing::info!("elsewhere"));
    });
    assert!(lines[0].get("trace_id").is_none() && lines[0].get("span_id").is_none());
    let trace = hex_id(&lines[1], "trace_id", 32);
    let request = hex_id(&lines[1], "span_id", 16);
    assert_eq!(
        hex_id(&lines[2], "trace_id", 32),
        trace,
        "a child keeps its trace"
    );
    assert_ne!(hex_id(&lines[2], "span_id", 16), request);
    assert_eq!(
        hex_id(&lines[3], "span_id", 16),
        request,
        "a span keeps its id"
    );
    assert_ne!(
        hex_id(&lines[4], "trace_id", 32),
        trace,
        "a new root, a new trace"
    );
}

fn lines_with(format: observe::logs::LineOptions, f: impl FnOnce()) -> Vec<Value> {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let layer = observe::logs::json_layer_with(format).with_writer(move || writer.clone());
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), f);
    let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[observe(fields(tenant = "inner"))]
fn inner_call() {
    tracing::info!(
        level_of = 3,
        span = "an event field named like a line key",
        "inside"
    );
}

#[test]
fn context_is_flattened_innermost_winning_and_long_values_are_cut() {
    let long = "x".repeat(3000) + "é";
    let lines = lines(|| {
        tracing::info_span!("outer", tenant = "outer", shard = 7).in_scope(inner_call);
        tracing::info!(blob = %long, "big");
    });
    let inside = &lines[0];
    assert_eq!(inside["tenant"], "inner", "the inner span wins");
    assert_eq!(inside["shard"], 7, "outer fields are kept");
    assert_eq!(inside["span"], "inner_call");
    assert_eq!(
        inside["fields.span"],
        "an event field named like a line key"
    );
    let blob = lines[1]["blob"].as_str().unwrap();
    assert!(
        blob.starts_with("xxx") && blob.ends_with("…[truncated, 3002 bytes]"),
        "{blob}"
    );
    assert_eq!(blob.len(), 2048 + "…[truncated, 3002 bytes]".len());

    // Configurable: code attributes back on, a smaller budget.
    let format = observe::logs::LineOptions::new()
        .code_attributes(true)
        .value_budget(5);
    let lines = lines_with(format, || {
        tracing::info_span!("outer", tenant = "outer").in_scope(inner_call);
    });
    assert_eq!(
        lines[0]["code.function.name"],
        "json_…[truncated, 21 bytes]"
    );
    assert!(lines[0]["code.line.number"].is_number());
    assert_eq!(lines[0]["fields.span"], "an ev…[truncated, 36 bytes]");
}

#[observe]
fn failing_leaf() -> Result<(), String> {
    Err("disk full".into())
}

#[observe]
fn middle() -> Result<(), String> {
    failing_leaf()?;
    Ok(())
}

#[observe]
fn top(replace: bool) -> Result<(), String> {
    if replace {
        return middle().map_err(|_| "could not save".to_owned());
    }
    middle()
}

fn exceptions(lines: &[Value]) -> Vec<(String, String)> {
    lines
        .iter()
        .filter(|l| l["message"] == "exception")
        .map(|l| {
            let first = l["exception.first_recorded_in"].as_str().unwrap_or("-");
            (
                l["level"].as_str().unwrap().to_owned(),
                format!("{}<{first}", l["span"].as_str().unwrap()),
            )
        })
        .collect()
}

#[test]
fn one_failure_is_one_error_line() {
    let all = lines(|| drop(top(false)));
    assert_eq!(
        exceptions(&all),
        [
            ("ERROR".to_owned(), "failing_leaf<-".to_owned()),
            ("DEBUG".to_owned(), "middle<failing_leaf".to_owned()),
            ("DEBUG".to_owned(), "top<failing_leaf".to_owned()),
        ]
    );
    // A different error on the way up is a new failure.
    let replaced = lines(|| drop(top(true)));
    assert_eq!(
        exceptions(&replaced)[2],
        ("ERROR".to_owned(), "top<-".to_owned())
    );

    // Configurable: every frame's.
    let every = lines_with(
        observe::logs::LineOptions::new().exception_logs(observe::logs::ExceptionLogs::All),
        || drop(top(false)),
    );
    assert!(exceptions(&every).iter().all(|(level, _)| level == "ERROR"));
    assert_eq!(exceptions(&every).len(), 3);
}
