//! `ret(fields(k = expr, …))`: span fields computed from the `Ok` (or plain) value, with the
//! redaction rules of every other field, evaluated only when the span records.

use std::sync::atomic::{AtomicUsize, Ordering};

use observe::observe;
use observe::testing::capture;

struct Response {
    status: u16,
    items: Vec<u32>,
    session_token: String,
}

#[observe(ret(fields(status = ret.status, items = ret.items.len(), header = %ret.session_token)))]
fn fetch(fail: bool) -> Result<Response, String> {
    if fail {
        return Err("unreachable host".into());
    }
    Ok(Response {
        status: 200,
        items: vec![1, 2, 3],
        session_token: "Bearer abc.def.ghi".into(),
    })
}

static EVALUATED: AtomicUsize = AtomicUsize::new(0);

fn counted(n: &u32) -> u32 {
    EVALUATED.fetch_add(1, Ordering::Relaxed);
    *n
}

#[observe(ret(fields(doubled = counted(ret) * 2)))]
fn plain(n: u32) -> u32 {
    n
}

#[observe(ret(Debug, fields(len = ret.len())))]
async fn both(s: &'static str) -> &'static str {
    tokio::task::yield_now().await;
    s
}

#[test]
fn fields_come_from_the_ok_value() {
    let (_, captured) = capture(|| fetch(false).unwrap());
    let span = captured.span("fetch");
    assert_eq!(span.field("status"), Some("200"));
    assert_eq!(span.field("items"), Some("3"));
    // A secret-looking value is scrubbed, as in every other field.
    let auth = span.field("header").unwrap();
    assert!(
        auth.starts_with("Bearer ") && !auth.contains("abc"),
        "{auth}"
    );
    // Only the fields: the whole value is not recorded unless asked for.
    assert_eq!(span.field("return"), None);
    captured.assert_no_secret("abc.def");
}

#[test]
fn an_error_records_no_ret_field() {
    let (_, captured) = capture(|| fetch(true).is_err());
    let span = captured.span("fetch").assert_error();
    assert_eq!(span.field("status"), None, "{span:?}");
}

#[test]
fn plain_values_and_nothing_evaluated_without_a_subscriber() {
    let (_, captured) = capture(|| plain(21));
    assert_eq!(captured.span("plain").field("doubled"), Some("42"));
    let before = EVALUATED.load(Ordering::Relaxed);
    assert_eq!(plain(5), 5);
    assert_eq!(EVALUATED.load(Ordering::Relaxed), before, "nobody listens");
}

#[test]
fn with_the_whole_value_on_an_async_fn() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let (_, captured) = runtime.block_on(observe::testing::capture_async(both("abcd")));
    let span = captured.span("both");
    assert_eq!(span.field("len"), Some("4"));
    assert_eq!(span.field("return"), Some("\"abcd\""));
}
