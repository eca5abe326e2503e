//! The drop guard that observes one call: it holds the span, counts the call in flight, and on
//! drop records how the call ended (ok, error, panic or cancelled) on the span and the metrics.

use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tracing::{Level, Span};

use crate::event::EventSite;
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
        let start = metrics.measures_time().then(quanta::Instant::now);
        Guard {
            site,
            metrics,
            span,
            start,
            state: State::Running,
            entered: false,
            is_async,
        }
    }

    /// The call's span.
    #[inline]
    pub fn span(&self) -> &Span {
        &self.span
    }

    /// For a function returning a future: the synchronous part is over, the call goes on in
    /// the returned future.
    #[inline]
    pub fn into_async(mut self) -> Guard {
        self.exit();
        self.is_async = true;
        self
    }

    /// Polls `inner` inside the call's span.
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

    #[inline]
    fn enter(&mut self) {
        if !self.entered {
            self.span
                .with_subscriber(|(id, dispatch)| dispatch.enter(id));
            self.entered = true;
        }
    }

    #[inline]
    fn exit(&mut self) {
        if self.entered {
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

    /// Error status and `error.type` on the span, and one `exception` event inside it.
    #[cold]
    fn record_failure(&self, error_type: &'static str, message: &dyn Display) {
        let info = &self.site.info;
        let exception = *self.site.exception.get_or_init(|| {
            EventSite::new(
                info,
                "exception",
                Level::ERROR,
                &["message", "exception.type", "exception.message"],
            )
        });
        let event_enabled = exception.enabled();
        if self.span.is_disabled() && !event_enabled {
            return;
        }
        let text = message.to_string();
        self.span.record("otel.status_code", "ERROR");
        self.span.record("otel.status_description", text.as_str());
        self.span.record("error.type", error_type);
        if event_enabled {
            exception.emit(
                self.span.id().as_ref(),
                [&format_args!("exception"), &error_type, &text.as_str()],
            );
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let (result, error_type) = match self.state {
            State::Ok => (CallResult::Ok, ""),
            State::Failed(error_type) => (CallResult::Error, error_type),
            State::Panicked => (CallResult::Panic, "panic"),
            State::Running if std::thread::panicking() => {
                self.record_panic();
                (CallResult::Panic, "panic")
            }
            State::Running if self.is_async => {
                self.span.record("cancelled", true);
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
