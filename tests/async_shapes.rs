//! An `async fn` whose body cannot suspend is observed like a synchronous body, inside its
//! first poll; one that can (an `.await`, or a macro that might await) is polled inside the
//! call's future. Both record the same things; these tests pin what each shape must get right,
//! and that the choice between them errs towards the future.

mod support;

use std::fmt;
use std::future::Future;
use std::task::{Context, Waker};

use observe::observe;
use observe::testing::{capture, Captured, CapturedEvent};
use support::{block_on, sample};

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

#[observe(counter = "shape_ready_calls", histogram = "shape_ready_ms")]
async fn ready_ok(x: u32) -> u32 {
    tracing::info!("inside");
    x + 1
}

#[observe(counter = "shape_question_calls")]
async fn ready_question(s: &str) -> Result<u32, AppError> {
    let n = s.parse::<u32>()?;
    if n == 0 {
        return Err(AppError("zero"));
    }
    Ok(n)
}

#[observe(counter = "shape_panic_calls")]
async fn ready_panics() {
    panic!("no await, still observed");
}

#[observe(flow)]
async fn ready_flow() {
    observe::step!("one");
    observe::step!("two");
}

/// Awaits through a macro: no `await` in the body's own tokens.
macro_rules! wait {
    ($future:expr) => {
        $future.await
    };
}

#[observe]
async fn awaits_in_a_macro() {
    wait!(std::future::pending::<()>());
}

/// A `?` inside a macro's arguments: seen in the future's output, not lost as an early exit.
#[observe]
async fn question_in_format(s: &str) -> Result<String, AppError> {
    Ok(format!("{}", s.parse::<u32>()?))
}

/// A future promised to be `Unpin`: the returned future is wrapped, and stays `Unpin`.
#[observe(counter = "shape_unpin_calls")]
fn unpin_future(s: &'static str) -> impl Future<Output = Result<u32, AppError>> + Unpin {
    std::future::ready(s.parse::<u32>().map_err(AppError::from))
}

fn events_named<'a>(captured: &'a Captured, message: &str) -> Vec<&'a CapturedEvent> {
    captured
        .events()
        .iter()
        .filter(|e| e.message() == message)
        .collect()
}

#[test]
fn a_body_without_await_records_its_span_and_metrics() {
    let (out, captured) = capture(|| {
        let out = block_on(ready_ok(1));
        tracing::info!("after");
        out
    });
    assert_eq!(out, 2);
    let span = captured.span("ready_ok");
    assert!(span.is_closed());
    assert!(!span.is_error(), "{span:?}");
    assert_eq!(
        events_named(&captured, "inside")[0].span_id(),
        Some(span.id())
    );
    assert_eq!(
        events_named(&captured, "after")[0].span_id(),
        None,
        "the span was left"
    );
    assert_eq!(
        sample("shape_ready_calls_total", &[("result", "ok")]),
        Some(1.0)
    );
    assert_eq!(
        sample(
            "shape_ready_ms_count",
            &[("function", "ready_ok"), ("result", "ok")]
        ),
        Some(1.0)
    );
}

#[test]
fn a_body_without_await_records_errors_from_question_mark_and_return() {
    let (_, captured) = capture(|| {
        assert!(block_on(ready_question("x")).is_err());
        assert!(block_on(ready_question("0")).is_err());
        assert_eq!(block_on(ready_question("7")).unwrap(), 7);
    });
    let spans: Vec<_> = captured
        .spans()
        .iter()
        .filter(|s| s.name() == "ready_question")
        .collect();
    assert_eq!(spans.len(), 3);
    assert_eq!(spans[0].field("otel.status_code").unwrap(), "ERROR");
    assert_eq!(
        spans[0].field("error.type").unwrap(),
        "async_shapes::AppError"
    );
    assert_eq!(
        spans[0].field("otel.status_description").unwrap(),
        "app failed: not a number"
    );
    assert_eq!(
        spans[1].field("otel.status_description").unwrap(),
        "app failed: zero"
    );
    assert!(!spans[2].is_error(), "{captured:?}");
    assert_eq!(
        sample("shape_question_calls_total", &[("result", "error")]),
        Some(2.0)
    );
}

#[test]
fn a_body_without_await_records_a_panic() {
    let caught = std::panic::catch_unwind(|| block_on(ready_panics()));
    assert!(caught.is_err());
    assert_eq!(
        sample("shape_panic_calls_total", &[("result", "panic")]),
        Some(1.0)
    );
}

#[test]
fn a_body_without_await_keeps_its_flow() {
    let (_, captured) = capture(|| block_on(ready_flow()));
    let steps: Vec<_> = captured
        .events()
        .iter()
        .filter(|e| e.message() == "flow_step")
        .collect();
    assert_eq!(steps.len(), 2);
    assert_eq!(events_named(&captured, "flow_completed").len(), 1);
    assert_eq!(
        steps[0].field("flow_id").unwrap(),
        events_named(&captured, "flow_completed")[0]
            .field("flow_id")
            .unwrap()
    );
}

#[test]
fn a_macro_that_awaits_makes_the_call_a_future_that_can_be_cancelled() {
    let (_, captured) = capture(|| {
        let mut fut = Box::pin(awaits_in_a_macro());
        let mut cx = Context::from_waker(Waker::noop());
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        tracing::info!("between polls");
        drop(fut);
    });
    let span = captured.span("awaits_in_a_macro");
    assert_eq!(events_named(&captured, "between polls")[0].span_id(), None);
    assert_eq!(span.field("cancelled").unwrap(), "true");
    assert!(!span.is_error(), "{span:?}");
    assert!(span.is_closed());
}

#[test]
fn a_question_mark_in_a_macro_of_an_async_fn_is_seen() {
    let (_, captured) = capture(|| assert!(block_on(question_in_format("x")).is_err()));
    let span = captured.span("question_in_format");
    assert_eq!(span.field("error.type").unwrap(), "async_shapes::AppError");
    assert_eq!(
        span.field("otel.status_description").unwrap(),
        "app failed: not a number"
    );
}

#[test]
fn a_future_promised_unpin_is_observed_until_it_ends_and_stays_unpin() {
    fn unpin<T: Unpin>(future: T) -> T {
        future
    }
    let (_, captured) = capture(|| {
        let mut fut = unpin(unpin_future("x"));
        tracing::info!("made");
        let mut cx = Context::from_waker(Waker::noop());
        let polled = std::pin::Pin::new(&mut fut).poll(&mut cx);
        assert!(matches!(polled, std::task::Poll::Ready(Err(_))));
    });
    let span = captured.span("unpin_future");
    assert_eq!(
        events_named(&captured, "made")[0].span_id(),
        None,
        "left between calls"
    );
    assert_eq!(span.field("error.type").unwrap(), "async_shapes::AppError");
    assert!(span.is_closed());
    assert_eq!(
        sample("shape_unpin_calls_total", &[("result", "error")]),
        Some(1.0)
    );
}
