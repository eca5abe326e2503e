//! Failure recording: `Err`, `?`, early `return`, `error_if`/`ok_if`, panics, cancellation.

mod support;

use std::fmt;
use std::future::Future;

use observe::observe;
use observe::testing::{capture, CapturedSpan};
use support::{block_on, yield_now};

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

fn assert_failed(span: &CapturedSpan, error_type: &str, message: &str) {
    span.assert_error();
    assert_eq!(span.status_description(), Some(message), "{span:?}");
    assert_eq!(span.field("error.type"), Some(error_type), "{span:?}");
    let exceptions: Vec<_> = span
        .events()
        .iter()
        .filter(|e| e.message() == "exception")
        .collect();
    assert_eq!(exceptions.len(), 1, "exactly one exception event: {span:?}");
    let event = exceptions[0];
    assert_eq!(event.level(), tracing::Level::ERROR);
    assert_eq!(event.field("exception.type"), Some(error_type));
    assert_eq!(event.field("exception.message"), Some(message));
    assert_eq!(event.target(), span.target());
}

#[test]
fn err_sets_status_and_emits_one_exception() {
    let (_, captured) = capture(|| parse("0").unwrap_err());
    assert_failed(
        captured.span("parse"),
        "errors::AppError",
        "app failed: zero",
    );
}

#[test]
fn question_mark_is_recorded_with_the_converted_error() {
    let (_, captured) = capture(|| parse("x").unwrap_err());
    assert_failed(
        captured.span("parse"),
        "errors::AppError",
        "app failed: not a number",
    );
}

#[test]
fn ok_leaves_status_unset() {
    let (out, captured) = capture(|| parse("5"));
    assert_eq!(out.unwrap(), 5);
    assert!(!captured.span("parse").is_error(), "{captured:?}");
}

#[test]
fn err_debug_renders_with_debug() {
    let (_, captured) = capture(|| debug_mode().unwrap_err());
    let span = captured.span("debug_mode");
    assert_failed(span, "errors::AppError", "AppError(\"shown with Debug\")");
}

#[test]
fn errors_without_display_fall_back_to_debug_then_type_name() {
    let (_, captured) = capture(|| {
        debug_only().unwrap_err();
        let _ = opaque();
    });
    assert_failed(
        captured.span("debug_only"),
        "errors::DebugOnly",
        "DebugOnly { code: 7 }",
    );
    assert_failed(captured.span("opaque"), "errors::Opaque", "errors::Opaque");
}

#[test]
fn result_aliases_are_results() {
    let (_, captured) = capture(|| io_alias().unwrap_err());
    assert_failed(
        captured.span("io_alias"),
        "std::io::error::Error",
        "disk on fire",
    );
}

#[test]
fn none_is_not_an_error() {
    let (out, captured) = capture(|| option_question(None));
    assert_eq!(out, None);
    assert_eq!(option_question(Some(1)), Some(2));
    assert!(!captured.span("option_question").is_error(), "{captured:?}");
}

#[test]
fn error_if_and_ok_if_decide_for_other_types() {
    let (_, captured) = capture(|| {
        status(-3);
        http(503);
    });
    assert_failed(captured.span("status"), "i32", "-3");
    assert_failed(captured.span("http"), "u16", "503");
    let (_, captured) = capture(|| {
        status(3);
        http(200);
    });
    assert!(!captured.span("status").is_error(), "{captured:?}");
    assert!(!captured.span("http").is_error(), "{captured:?}");
}

#[test]
fn panic_is_recorded_and_continues_unchanged() {
    let (caught, captured) = capture(|| std::panic::catch_unwind(|| panics("kaboom 42")));
    let payload = caught.unwrap_err();
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("kaboom 42")
    );
    assert_failed(captured.span("panics"), "panic", "kaboom 42");
    assert!(captured.span("panics").is_closed());
}

#[test]
fn async_err_and_question_mark() {
    let (_, captured) = capture(|| {
        block_on(async_fails()).unwrap_err();
        block_on(async_question("nope")).unwrap_err();
    });
    assert_failed(
        captured.span("async_fails"),
        "errors::AppError",
        "app failed: async",
    );
    let span = captured.span("async_question");
    assert_failed(span, "errors::AppError", "app failed: not a number");
}

#[test]
fn async_panic_is_a_panic_even_when_the_future_is_dropped_later() {
    let (_, captured) = capture(|| {
        let mut fut = Box::pin(async_panics());
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            block_on(fut.as_mut());
        }));
        assert!(caught.is_err());
        drop(fut); // no panic in progress any more
    });
    let span = captured.span("async_panics");
    assert_failed(span, "panic", "async boom");
    assert_eq!(span.field("cancelled"), None);
}

#[test]
fn dropped_future_is_cancelled_without_error_status() {
    let (_, captured) = capture(|| {
        let mut fut = Box::pin(never_finishes());
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        drop(fut);
    });
    let span = captured.span("never_finishes");
    assert_eq!(span.field("cancelled"), Some("true"));
    assert!(!span.is_error(), "{span:?}");
    assert!(span.is_closed());
    assert!(captured.events().is_empty());
}

#[test]
fn question_mark_inside_a_macro_is_an_unseen_error() {
    let (_, captured) = capture(|| question_in_macro("x").unwrap_err());
    let span = captured.span("question_in_macro");
    assert_eq!(span.field("error.type"), Some("unknown"));
    span.assert_error();
    assert_eq!(question_in_macro("4").unwrap(), "4");
}
