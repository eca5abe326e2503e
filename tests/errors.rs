//! Failure recording: `Err`, `?`, early `return`, `error_if`/`ok_if`, panics, cancellation.

mod support;

use std::fmt;
use std::future::Future;

use observe::observe;
use support::{block_on, record, yield_now, Recording, SpanRec};

#[derive(Debug)]
pub struct AppError(&'static str);

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "app failed: {}", self.0)
    }
}

impl From<std::num::ParseIntError> for AppError {
    fn from(_: std::num::ParseIntError) -> Self {
        AppError("not a number")
    }
}

/// Only `Debug`.
#[derive(Debug)]
pub struct DebugOnly {
    #[allow(dead_code)]
    code: u16,
}

/// Neither `Display` nor `Debug`.
pub struct Opaque;

#[observe]
fn parse(s: &str) -> Result<u32, AppError> {
    let n: u32 = s.parse()?;
    if n == 0 {
        return Err(AppError("zero"));
    }
    Ok(n)
}

#[observe(err = "debug")]
fn debug_mode() -> Result<(), AppError> {
    Err(AppError("shown with Debug"))
}

#[observe]
fn debug_only() -> Result<(), DebugOnly> {
    Err(DebugOnly { code: 7 })
}

#[observe]
fn opaque() -> Result<(), Opaque> {
    Err(Opaque)
}

#[observe]
fn io_alias() -> std::io::Result<()> {
    Err(std::io::Error::other("disk on fire"))
}

#[observe]
fn option_question(v: Option<u8>) -> Option<u8> {
    let x = v?;
    Some(x + 1)
}

fn is_negative(v: &i32) -> bool {
    *v < 0
}

fn is_success(code: &u16) -> bool {
    *code < 400
}

#[observe(error_if = is_negative)]
fn status(v: i32) -> i32 {
    v
}

#[observe(ok_if = is_success)]
fn http(code: u16) -> u16 {
    code
}

#[observe]
fn panics(message: &str) -> u32 {
    panic!("{message}")
}

#[observe]
async fn async_fails() -> Result<(), AppError> {
    yield_now().await;
    Err(AppError("async"))
}

#[observe]
async fn async_question(s: &str) -> Result<u32, AppError> {
    yield_now().await;
    Ok(s.parse::<u32>()?)
}

#[observe]
async fn async_panics() {
    yield_now().await;
    panic!("async boom");
}

#[observe]
async fn never_finishes() {
    std::future::pending::<()>().await;
}

#[observe]
fn question_in_macro(s: &str) -> Result<String, AppError> {
    Ok(format!("{}", s.parse::<u32>()?))
}

fn assert_failed(rec: &Recording, span: &SpanRec, error_type: &str, message: &str) {
    assert_eq!(span.fields["otel.status_code"], "ERROR", "{span:?}");
    assert_eq!(span.fields["otel.status_description"], message);
    assert_eq!(span.fields["error.type"], error_type);
    let events = rec.events_in(span);
    let exceptions: Vec<_> = events
        .iter()
        .filter(|e| e.message() == "exception")
        .collect();
    assert_eq!(
        exceptions.len(),
        1,
        "exactly one exception event: {events:#?}"
    );
    let event = exceptions[0];
    assert_eq!(event.level, "ERROR");
    assert_eq!(event.fields["exception.type"], error_type);
    assert_eq!(event.fields["exception.message"], message);
    assert_eq!(event.target, span.target);
}

#[test]
fn err_sets_status_and_emits_one_exception() {
    let (_, rec) = record(|| parse("0").unwrap_err());
    assert_failed(
        &rec,
        &rec.span("parse"),
        "errors::AppError",
        "app failed: zero",
    );
}

#[test]
fn question_mark_is_recorded_with_the_converted_error() {
    let (_, rec) = record(|| parse("x").unwrap_err());
    assert_failed(
        &rec,
        &rec.span("parse"),
        "errors::AppError",
        "app failed: not a number",
    );
}

#[test]
fn ok_leaves_status_unset() {
    let (out, rec) = record(|| parse("5"));
    assert_eq!(out.unwrap(), 5);
    assert!(!rec.span("parse").fields.contains_key("otel.status_code"));
}

#[test]
fn err_debug_renders_with_debug() {
    let (_, rec) = record(|| debug_mode().unwrap_err());
    let span = rec.span("debug_mode");
    assert_failed(
        &rec,
        &span,
        "errors::AppError",
        "AppError(\"shown with Debug\")",
    );
}

#[test]
fn errors_without_display_fall_back_to_debug_then_type_name() {
    let (_, rec) = record(|| {
        debug_only().unwrap_err();
        let _ = opaque();
    });
    assert_failed(
        &rec,
        &rec.span("debug_only"),
        "errors::DebugOnly",
        "DebugOnly { code: 7 }",
    );
    assert_failed(
        &rec,
        &rec.span("opaque"),
        "errors::Opaque",
        "errors::Opaque",
    );
}

#[test]
fn result_aliases_are_results() {
    let (_, rec) = record(|| io_alias().unwrap_err());
    assert_failed(
        &rec,
        &rec.span("io_alias"),
        "std::io::error::Error",
        "disk on fire",
    );
}

#[test]
fn none_is_not_an_error() {
    let (out, rec) = record(|| option_question(None));
    assert_eq!(out, None);
    assert_eq!(option_question(Some(1)), Some(2));
    assert!(!rec
        .span("option_question")
        .fields
        .contains_key("otel.status_code"));
}

#[test]
fn error_if_and_ok_if_decide_for_other_types() {
    let (_, rec) = record(|| {
        status(-3);
        http(503);
    });
    assert_failed(&rec, &rec.span("status"), "i32", "-3");
    assert_failed(&rec, &rec.span("http"), "u16", "503");
    let (_, rec) = record(|| {
        status(3);
        http(200);
    });
    assert!(!rec.span("status").fields.contains_key("otel.status_code"));
    assert!(!rec.span("http").fields.contains_key("otel.status_code"));
}

#[test]
fn panic_is_recorded_and_continues_unchanged() {
    let (caught, rec) = record(|| std::panic::catch_unwind(|| panics("kaboom 42")));
    let payload = caught.unwrap_err();
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("kaboom 42")
    );
    assert_failed(&rec, &rec.span("panics"), "panic", "kaboom 42");
    assert!(rec.span("panics").closed);
}

#[test]
fn async_err_and_question_mark() {
    let (_, rec) = record(|| {
        block_on(async_fails()).unwrap_err();
        block_on(async_question("nope")).unwrap_err();
    });
    assert_failed(
        &rec,
        &rec.span("async_fails"),
        "errors::AppError",
        "app failed: async",
    );
    let span = rec.span("async_question");
    assert_failed(&rec, &span, "errors::AppError", "app failed: not a number");
}

#[test]
fn async_panic_is_a_panic_even_when_the_future_is_dropped_later() {
    let (_, rec) = record(|| {
        let mut fut = Box::pin(async_panics());
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            block_on(fut.as_mut());
        }));
        assert!(caught.is_err());
        drop(fut); // no panic in progress any more
    });
    let span = rec.span("async_panics");
    assert_failed(&rec, &span, "panic", "async boom");
    assert!(!span.fields.contains_key("cancelled"));
}

#[test]
fn dropped_future_is_cancelled_without_error_status() {
    let (_, rec) = record(|| {
        let mut fut = Box::pin(never_finishes());
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        drop(fut);
    });
    let span = rec.span("never_finishes");
    assert_eq!(span.fields["cancelled"], "true");
    assert!(!span.fields.contains_key("otel.status_code"));
    assert!(span.closed);
    assert!(rec.events().is_empty());
}

#[test]
fn question_mark_inside_a_macro_is_an_unseen_error() {
    let (_, rec) = record(|| question_in_macro("x").unwrap_err());
    let span = rec.span("question_in_macro");
    assert_eq!(span.fields["error.type"], "unknown");
    assert_eq!(span.fields["otel.status_code"], "ERROR");
    assert_eq!(question_in_macro("4").unwrap(), "4");
}
