//! The call of an `async fn`, or of a function that returns a future: one future,
//! [`Observed`], owns the call's record, polls the body inside the call's span and, once the
//! body is ready, judges its output and records how the call ended. Dropped before that, the
//! call was cancelled (or a poll panicked).
//!
//! One future rather than an outer `async` block around an instrumenting wrapper: the record is
//! stored once, nothing else lives across the `await`, and the site's kind is a type (so its
//! checks fold in `poll` as they do in a synchronous function).
//!
//! No pointer into the future leaves inline code, not even on a cold path (a panic, a drop
//! before the end): where one does, the compiler keeps the whole future in memory and copies
//! it whenever it moves, which cost an awaiting metrics-only call 5–8 ns, a quarter of its
//! overhead (`BENCHMARKS.md`). Hence the small [`Suspended`], the scopes' inline drops, and the
//! record passed out of line in registers ([`Words`]).

use std::fmt::Display;
use std::future::Future;
use std::marker::PhantomData;
use std::mem::{ManuallyDrop, MaybeUninit};
use std::pin::Pin;
use std::task::{Context, Poll};

use tracing::field::Value;
use tracing::Span;

use super::metrics_only::{MetricsOnly, MetricsStart};
use super::{finish, Decision, FullCall, Guard, Record, SiteKind, SpanOnly};
use crate::site::Site;

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

/// What an asynchronous call keeps across its `.await`s. A metrics-only call keeps its metric
/// children and its start alone (24 bytes; the rest of its record is only built when it ends),
/// as hand-written code keeps its start time; a call with a span keeps its record boxed, out of
/// the future (one allocation per call, only while a subscriber listens).
pub(crate) enum Suspended {
    Quiet,
    MetricsOnly(MetricsStart),
    /// (`ManuallyDrop`: the record has no drop code of its own, see [`abandoned`].)
    Boxed(ManuallyDrop<Box<Record>>),
}

impl Suspended {
    /// From the record of a call that started synchronously.
    #[inline(always)]
    pub(crate) fn of(call: Record) -> Suspended {
        match call {
            Record::Quiet => Suspended::Quiet,
            Record::MetricsOnly(timed) => Suspended::MetricsOnly(timed.held()),
            call => Suspended::Boxed(ManuallyDrop::new(Box::new(call))),
        }
    }

    /// The call ends before its output was ready (`unwound`: a poll panicked). Leaves `Quiet`.
    #[inline(always)]
    fn abandon(&mut self, unwound: bool) {
        if !matches!(self, Suspended::Quiet) {
            #[allow(unsafe_code)]
            // SAFETY: `Words` is as large as `Suspended` (checked below) and `MaybeUninit` holds any
            // bytes, padding and pointers' provenance included; `abandoned` turns them back.
            let [a, b, c] = unsafe {
                std::mem::transmute::<Suspended, Words>(std::mem::replace(self, Suspended::Quiet))
            };
            abandoned(a, b, c, unwound);
        }
    }
}

/// A [`Suspended`] as three words, passed in registers to the out-of-line end of an abandoned call:
/// a pointer to it would escape, and the compiler would then copy the whole future each time
/// it is moved. (Taking the record apart safely, by its variants, is too much code for the
/// compiler to inline on the unwinding path, where the future's drop runs: the same copy.)
type Words = [MaybeUninit<*const ()>; 3];
const _: () = assert!(std::mem::size_of::<Suspended>() == std::mem::size_of::<Words>());
// The 24 bytes the docs of `Suspended` promise.
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Suspended>() == 24);

#[cold]
#[inline(never)]
fn abandoned(
    a: MaybeUninit<*const ()>,
    b: MaybeUninit<*const ()>,
    c: MaybeUninit<*const ()>,
    unwound: bool,
) {
    #[allow(unsafe_code)]
    // SAFETY: the words of a `Suspended`, moved out of it by `Suspended::abandon`.
    let rec = unsafe { std::mem::transmute::<Words, Suspended>([a, b, c]) };
    match rec {
        Suspended::Quiet => {}
        Suspended::MetricsOnly(held) => held.abandoned(unwound),
        // (A poll of a call with a span that unwinds is recorded by its `SpanScope`.)
        Suspended::Boxed(call) => {
            let mut call: Box<Record> = ManuallyDrop::into_inner(call);
            finish(&mut call, false);
        }
    }
}

/// The record of an asynchronous call before its future exists: made when an `async fn` is
/// first polled (or handed over by a synchronous [`Guard`], for a function returning a future),
/// then moved into [`Observed`].
#[must_use = "the call is recorded when its future ends"]
pub struct AsyncCall<K> {
    rec: Suspended,
    kind: PhantomData<K>,
}

impl<K: StaticKind> AsyncCall<K> {
    /// Starts observing an `async fn` call. The span is only made when something can record it.
    #[inline(always)]
    pub fn start(site: &'static Site, span: impl FnOnce() -> Span) -> AsyncCall<K> {
        AsyncCall::new(match super::start(site, K::KIND) {
            Decision::Quiet => Suspended::Quiet,
            Decision::MetricsOnly(metrics) => Suspended::MetricsOnly(MetricsStart::start(metrics)),
            Decision::SpanOnly => Suspended::of(Record::SpanOnly(ManuallyDrop::new(
                SpanOnly::start(site, span, true),
            ))),
            Decision::Full => Suspended::of(FullCall::start(site, span(), true)),
        })
    }

    #[inline(always)]
    pub(crate) fn new(rec: Suspended) -> AsyncCall<K> {
        AsyncCall {
            rec,
            kind: PhantomData,
        }
    }

    /// The values of this call's `labels(...)` (see [`Guard::labels`]).
    #[inline]
    pub fn labels(&mut self, values: &[&dyn Display]) {
        if let Suspended::Boxed(call) = &mut self.rec {
            super::labels(call, values);
        }
    }

    /// `flow_started` (see [`Guard::flow_started`]).
    #[inline]
    pub fn flow_started(&self, args: &[&dyn Value]) {
        if let Suspended::Boxed(call) = &self.rec {
            super::flow_started(call, args);
        }
    }

    /// The values of a flow's secret parameters (see [`Guard::flow_secrets`]).
    #[inline]
    pub fn flow_secrets(&mut self, values: &[Option<&dyn Display>]) {
        if let Suspended::Boxed(call) = &mut self.rec {
            super::flow_secrets(call, values);
        }
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
            rec: std::mem::replace(&mut self.rec, Suspended::Quiet),
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
        if !matches!(self.rec, Suspended::Quiet) {
            self.rec.abandon(false);
        }
    }
}

pin_project_lite::pin_project! {
    /// The future of an observed asynchronous call (see [`AsyncCall::observe`]).
    #[must_use = "futures do nothing unless polled"]
    pub struct Observed<F, J, K> {
        rec: Suspended,
        judge: J,
        kind: PhantomData<K>,
        #[pin]
        inner: F,
    }

    impl<F, J, K> PinnedDrop for Observed<F, J, K> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if !matches!(this.rec, Suspended::Quiet) {
                this.rec.abandon(false);
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
        let rec = this.rec;
        let polled = match rec {
            Suspended::Boxed(call) => {
                match &mut ***call {
                    Record::SpanOnly(span_call) => span_call.enter(),
                    Record::Full(live) => live.enter(),
                    _ => {}
                }
                let scope = SpanScope(call);
                let polled = this.inner.poll(cx);
                if polled.is_pending() {
                    scope.returned();
                } else {
                    // The output is ready: the call ends inside its span, as a synchronous
                    // one does (its metrics' exemplar is this span), and leaves it then.
                    scope.stays_entered();
                }
                polled
            }
            // Quiet or metrics-only: no span to enter (one test, not a jump table).
            _ => {
                let scope = UnwindScope(rec);
                let polled = this.inner.poll(cx);
                std::mem::forget(scope);
                polled
            }
        };
        let Poll::Ready(output) = polled else {
            return Poll::Pending;
        };
        // (Polled again after that, the call is quiet: nothing is recorded twice.)
        // One call of the judge, whatever the record (it is then inlined).
        let mut here = Record::Quiet;
        let mut boxed = None;
        let call = match std::mem::replace(rec, Suspended::Quiet) {
            Suspended::Quiet => &mut here,
            Suspended::MetricsOnly(held) => {
                here = Record::MetricsOnly(MetricsOnly::resume(held));
                &mut here
            }
            Suspended::Boxed(call) => &mut **boxed.insert(ManuallyDrop::into_inner(call)),
        };
        Poll::Ready((this.judge)(output, Guard::of(call, K::KIND)))
    }
}

/// One poll of a quiet or metrics-only call. Dropped, the poll unwound: that is how a
/// metrics-only call ends.
struct UnwindScope<'a>(&'a mut Suspended);

impl Drop for UnwindScope<'_> {
    /// (Inline, and out of line only in `abandoned`: a pointer to the record passed out of
    /// line would make the compiler copy the whole future on each move, see [`Words`].)
    #[inline(always)]
    fn drop(&mut self) {
        if let Suspended::MetricsOnly(_) = self.0 {
            self.0.abandon(true);
        }
    }
}

/// One poll of a span-only or live call, inside its span (and flow). Dropped, the poll
/// unwound: the panic is recorded here, while the span is still entered (the future itself may
/// be dropped much later, when no panic is in progress); a span-only call becomes a live call
/// for that.
struct SpanScope<'a>(&'a mut Record);

impl SpanScope<'_> {
    /// The poll returned: leave the span.
    #[inline]
    fn returned(self) {
        let mut scope = std::mem::ManuallyDrop::new(self);
        match &mut *scope.0 {
            Record::SpanOnly(call) => call.exit(),
            Record::Full(live) => live.exit(),
            _ => {}
        }
    }
}

impl SpanScope<'_> {
    /// The poll returned the output: the call's end leaves the span.
    #[inline]
    fn stays_entered(self) {
        std::mem::forget(self);
    }
}

impl Drop for SpanScope<'_> {
    #[cold]
    #[inline(never)]
    fn drop(&mut self) {
        if let Some(live) = super::upgrade(self.0) {
            live.poll_unwound();
        }
    }
}
