//! The drop guard that observes one call: it holds the span, counts the call in flight, and on
//! drop records how the call ended (ok, error, panic or cancelled) on the span, the metrics and
//! the flow events.

use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tracing::field::{display, Value};
use tracing::Span;

use crate::event::MAX_FIELDS;
use crate::flow::{self, Frame};
use crate::metrics::{CallResult, SiteMetrics};
use crate::panic;
use crate::probe::Message;
use crate::site::Site;

/// `error.type` of a synchronous call that left through a `?` the macro could not see (one
/// inside another macro's arguments).
const UNSEEN_ERROR: &str = "unknown";

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Running,
    Ok,
    Failed(&'static str),
    Panicked,
}

/// Observes one call of an `#[observe]` function.
#[must_use = "the call is recorded when the guard is dropped"]
pub struct Guard {
    site: &'static Site,
    metrics: &'static SiteMetrics,
    span: Span,
    start: Option<quanta::Instant>,
    state: State,
    entered: bool,
    is_async: bool,
    flow: Option<Frame>,
}

impl Guard {
    /// Starts observing a synchronous call and enters its span until the guard is dropped.
    #[inline]
    pub fn new(site: &'static Site, span: Span) -> Guard {
        let mut guard = Guard::start(site, span, false);
        guard.enter();
        guard
    }

    /// Starts observing an `async fn` call; its span is entered on each poll by
    /// [`Guard::instrument`]. Dropped unfinished and not panicking, the call was cancelled.
    #[inline]
    pub fn new_async(site: &'static Site, span: Span) -> Guard {
        Guard::start(site, span, true)
    }

    #[inline]
    fn start(site: &'static Site, span: Span, is_async: bool) -> Guard {
        let metrics = site.metrics();
        metrics.started();
        let flow_name = site.info.flow.as_ref().map(|f| f.name);
        let start = (metrics.measures_time() || flow_name.is_some()).then(quanta::Instant::now);
        let flow = flow_name
            .zip(start)
            .map(|(name, start)| Frame::new(name, start, span.id()));
        Guard {
            site,
            metrics,
            span,
            start,
            state: State::Running,
            entered: false,
            is_async,
            flow,
        }
    }

    /// The call's span.
    #[inline]
    pub fn span(&self) -> &Span {
        &self.span
    }

    /// `flow_started`, with the recorded arguments' values in the order of the call site's
    /// `started_fields`.
    pub fn flow_started(&self, args: &[&dyn Value]) {
        let (Some(frame), Some(events)) = (&self.flow, self.site.flow_events()) else {
            return;
        };
        if !events.started.enabled() {
            return;
        }
        let id = display(frame.id);
        let mut values: [&dyn Value; MAX_FIELDS] = [&""; MAX_FIELDS];
        values[0] = &"flow_started";
        values[1] = &frame.name;
        values[2] = &id;
        let n = 3 + args.len().min(MAX_FIELDS - 3);
        values[3..n].copy_from_slice(&args[..n - 3]);
        events.started.emit(self.span.id().as_ref(), &values[..n]);
    }

    /// For a function returning a future: the synchronous part is over, the call goes on in
    /// the returned future.
    #[inline]
    pub fn into_async(mut self) -> Guard {
        self.exit();
        self.is_async = true;
        self
    }

    /// Polls `inner` inside the call's span (and flow).
    #[inline]
    pub fn instrument<F: Future>(&mut self, inner: F) -> Instrumented<'_, F> {
        Instrumented { guard: self, inner }
    }

    /// The call succeeded.
    #[inline]
    pub fn ok(mut self) {
        self.state = State::Ok;
    }

    /// The call failed with an error of type `error_type`.
    #[cold]
    pub fn fail(mut self, error_type: &'static str, message: Message<'_>) {
        self.record_failure(error_type, &message);
        self.state = State::Failed(error_type);
    }

    /// Enters the span, and makes the flow (if any) the current one of this thread.
    #[inline]
    fn enter(&mut self) {
        if !self.entered {
            self.span
                .with_subscriber(|(id, dispatch)| dispatch.enter(id));
            if let Some(frame) = &self.flow {
                flow::push(frame);
            }
            self.entered = true;
        }
    }

    #[inline]
    fn exit(&mut self) {
        if self.entered {
            if let Some(frame) = &mut self.flow {
                flow::pop(frame);
            }
            self.span
                .with_subscriber(|(id, dispatch)| dispatch.exit(id));
            self.entered = false;
        }
    }

    #[cold]
    fn record_panic(&mut self) {
        let message = panic::take_message();
        let message = message.as_deref().unwrap_or("panicked (message unknown)");
        self.record_failure("panic", &message);
        self.state = State::Panicked;
    }

    /// Error status and `error.type` on the span, one `exception` event inside it, and
    /// `flow_failed` for a flow. The message is only formatted when someone listens.
    #[cold]
    fn record_failure(&mut self, error_type: &'static str, message: &dyn Display) {
        let exception = self.site.exception();
        let event_enabled = exception.enabled();
        let flow_enabled = self.site.flow_events().is_some_and(|e| e.failed.enabled());
        if self.span.is_disabled() && !event_enabled && !flow_enabled {
            return;
        }
        let text = message.to_string();
        self.span.record("otel.status_code", "ERROR");
        self.span.record("otel.status_description", text.as_str());
        self.span.record("error.type", error_type);
        if event_enabled {
            let values: [&dyn Value; 3] = [&"exception", &error_type, &text.as_str()];
            exception.emit(self.span.id().as_ref(), &values);
        }
        self.end_flow(Some((error_type, &text)));
    }

    /// `flow_completed`, or `flow_failed` with `(error_type, error)`.
    #[cold]
    fn end_flow(&mut self, failure: Option<(&'static str, &str)>) {
        let (Some(frame), Some(events)) = (&mut self.flow, self.site.flow_events()) else {
            return;
        };
        let event = if failure.is_some() {
            events.failed
        } else {
            events.completed
        };
        if !event.enabled() {
            return;
        }
        if self.entered {
            flow::read(frame);
        }
        let id = display(frame.id);
        let elapsed = frame.elapsed_ms();
        let parent = self.span.id();
        let (message, error_type, error) = match failure {
            None => ("flow_completed", "", ""),
            Some((error_type, error)) => ("flow_failed", error_type, error),
        };
        let values: [&dyn Value; 8] = [
            &message,
            &frame.name,
            &id,
            &frame.steps,
            &frame.last_step,
            &elapsed,
            &error,
            &error_type,
        ];
        let n = if failure.is_some() { 8 } else { 6 };
        event.emit(parent.as_ref(), &values[..n]);
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let (result, error_type) = match self.state {
            State::Ok => {
                self.end_flow(None);
                (CallResult::Ok, "")
            }
            State::Failed(error_type) => (CallResult::Error, error_type),
            State::Panicked => (CallResult::Panic, "panic"),
            State::Running if std::thread::panicking() => {
                self.record_panic();
                (CallResult::Panic, "panic")
            }
            State::Running if self.is_async => {
                self.span.record("cancelled", true);
                self.end_flow(Some(("cancelled", "cancelled before completion")));
                (CallResult::Cancelled, "")
            }
            State::Running => {
                self.record_failure(
                    UNSEEN_ERROR,
                    &"returned early through a `?` inside a macro call; the error was not seen",
                );
                (CallResult::Error, UNSEEN_ERROR)
            }
        };
        let elapsed = self.start.map_or(0, |start| {
            u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX)
        });
        self.metrics.finished(result, elapsed, error_type);
        self.exit();
    }
}

pin_project_lite::pin_project! {
    /// The body of an `async` call, polled inside the call's span.
    pub struct Instrumented<'g, F> {
        guard: &'g mut Guard,
        #[pin]
        inner: F,
    }
}

impl<F: Future> Future for Instrumented<'_, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let scope = PollScope::enter(this.guard);
        let output = this.inner.poll(cx);
        drop(scope);
        output
    }
}

/// One poll inside the span. A panic unwinding out of the poll is recorded here, while the span
/// is still entered: the future itself may be dropped much later, when no panic is in progress.
struct PollScope<'a>(&'a mut Guard);

impl<'a> PollScope<'a> {
    #[inline]
    fn enter(guard: &'a mut Guard) -> PollScope<'a> {
        guard.enter();
        PollScope(guard)
    }
}

impl Drop for PollScope<'_> {
    #[inline]
    fn drop(&mut self) {
        if self.0.state == State::Running && std::thread::panicking() {
            self.0.record_panic();
        }
        self.0.exit();
    }
}
