//! The call of an `async fn`, or of a function that returns a future: one future,
//! [`Observed`], owns the call's record, polls the body inside the call's span and, once the
//! body is ready, judges its output and records how the call ended. Dropped before that, the
//! call was cancelled (or a poll panicked).
//!
//! One future rather than an outer `async` block around an instrumenting wrapper: the record is
//! stored once, nothing else lives across the `await`, and the site's kind is a type (so its
//! checks fold in `poll` as they do in a synchronous function).

use std::fmt::Display;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use tracing::field::Value;
use tracing::Span;

use crate::guard::{self, finish, Call, Guard, SiteKind};
use crate::site::Site;
use crate::timed::Ended as State;

/// A call site's [`SiteKind`] as a type: `Kind<metrics, flow, labels>`.
pub struct Kind<const METRICS: bool, const FLOW: bool, const LABELS: bool>;

/// A [`SiteKind`] known from a type.
pub trait StaticKind {
    /// The kind.
    const KIND: SiteKind;
}

impl<const METRICS: bool, const FLOW: bool, const LABELS: bool> StaticKind
    for Kind<METRICS, FLOW, LABELS>
{
    const KIND: SiteKind = SiteKind {
        metrics: METRICS,
        flow: FLOW,
        labels: LABELS,
    };
}

/// The record of an asynchronous call before its future exists: made when an `async fn` is
/// first polled (or handed over by a synchronous [`Guard`], for a function returning a future),
/// then moved into [`Observed`].
#[must_use = "the call is recorded when its future ends"]
pub struct AsyncCall<K> {
    call: Call,
    kind: PhantomData<K>,
}

impl<K: StaticKind> AsyncCall<K> {
    /// Starts observing an `async fn` call. The span is only made when something can record it.
    #[inline(always)]
    pub fn start(site: &'static Site, span: impl FnOnce() -> Span) -> AsyncCall<K> {
        guard::begin(
            site,
            K::KIND,
            span,
            true,
            || AsyncCall::new(Call::Quiet),
            AsyncCall::new,
        )
    }

    #[inline(always)]
    pub(crate) fn new(call: Call) -> AsyncCall<K> {
        AsyncCall {
            call,
            kind: PhantomData,
        }
    }

    /// The values of this call's `labels(...)` (see [`Guard::labels`]).
    #[inline]
    pub fn labels(&mut self, values: &[&dyn Display]) {
        guard::labels(&mut self.call, values);
    }

    /// `flow_started` (see [`Guard::flow_started`]).
    #[inline]
    pub fn flow_started(&self, args: &[&dyn Value]) {
        guard::flow_started(&self.call, args);
    }

    /// The values of a flow's secret parameters (see [`Guard::flow_secrets`]).
    #[inline]
    pub fn flow_secrets(&mut self, values: &[Option<&dyn Display>]) {
        guard::flow_secrets(&mut self.call, values);
    }

    /// The future of the call: polls `inner` inside the call's span; `judge` records how the
    /// call ended from its output, through the [`Guard`] it is given, and returns the output.
    #[inline(always)]
    pub fn observe<F, J>(mut self, inner: F, judge: J) -> Observed<F, J, K>
    where
        F: Future,
        J: Fn(F::Output, Guard<'_>) -> F::Output,
    {
        Observed {
            call: std::mem::replace(&mut self.call, Call::Quiet),
            judge,
            kind: PhantomData,
            inner,
        }
    }
}

impl<K> Drop for AsyncCall<K> {
    /// Dropped before its future was made: the start of the call panicked.
    #[inline]
    fn drop(&mut self) {
        if !matches!(self.call, Call::Quiet) {
            finish(&mut self.call, false);
        }
    }
}

pin_project_lite::pin_project! {
    /// The future of an observed asynchronous call (see [`AsyncCall::observe`]).
    #[must_use = "futures do nothing unless polled"]
    pub struct Observed<F, J, K> {
        call: Call,
        judge: J,
        kind: PhantomData<K>,
        #[pin]
        inner: F,
    }

    impl<F, J, K> PinnedDrop for Observed<F, J, K> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if !matches!(this.call, Call::Quiet) {
                finish(this.call, false);
            }
        }
    }
}

impl<F, J, K> Future for Observed<F, J, K>
where
    F: Future,
    J: Fn(F::Output, Guard<'_>) -> F::Output,
    K: StaticKind,
{
    type Output = F::Output;

    /// Each scope below only acts on its drop, when the poll unwinds; a poll that returns
    /// forgets it, after leaving the span explicitly.
    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let call = this.call;
        let polled = match call {
            Call::Span(span_call) => {
                span_call.enter();
                let scope = SpanScope(call);
                let polled = this.inner.poll(cx);
                scope.returned();
                polled
            }
            Call::Live(live) => {
                live.enter();
                let scope = SpanScope(call);
                let polled = this.inner.poll(cx);
                scope.returned();
                polled
            }
            // Quiet or metrics-only: no span to enter (one test, not a jump table).
            _ => {
                let scope = UnwindScope(call);
                let polled = this.inner.poll(cx);
                std::mem::forget(scope);
                polled
            }
        };
        let Poll::Ready(output) = polled else {
            return Poll::Pending;
        };
        // (Polled again after that, the call is quiet: nothing is recorded twice.)
        let output = (this.judge)(output, Guard::of(call, K::KIND));
        *call = Call::Quiet;
        Poll::Ready(output)
    }
}

/// One poll of a quiet or metrics-only call. Dropped, the poll unwound: that is a
/// metrics-only call's outcome.
struct UnwindScope<'a>(&'a mut Call);

impl Drop for UnwindScope<'_> {
    #[cold]
    fn drop(&mut self) {
        if let Call::Timed(timed) = &mut *self.0 {
            if timed.state == State::Running {
                timed.panicked();
            }
        }
    }
}

/// One poll of a span-only or live call, inside its span (and flow). Dropped, the poll
/// unwound: the panic is recorded here, while the span is still entered (the future itself may
/// be dropped much later, when no panic is in progress); a span-only call becomes a live call
/// for that.
struct SpanScope<'a>(&'a mut Call);

impl SpanScope<'_> {
    /// The poll returned: leave the span.
    #[inline]
    fn returned(self) {
        let mut scope = std::mem::ManuallyDrop::new(self);
        match &mut *scope.0 {
            Call::Span(call) => call.exit(),
            Call::Live(live) => live.exit(),
            _ => {}
        }
    }
}

impl Drop for SpanScope<'_> {
    #[cold]
    #[inline(never)]
    fn drop(&mut self) {
        if let Some(live) = guard::upgrade(self.0) {
            live.poll_unwound();
        }
    }
}
