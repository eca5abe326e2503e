//! The synchronous front of a call: a drop guard in the instrumented function's frame, holding
//! a reference to the call's [`Record`] (in a [`Slot`] of the same frame). On drop it ends the
//! call with [`finish`]; the generated code tells it the outcome first ([`Guard::ok`],
//! [`Guard::fail`]).

use std::fmt::Display;
use std::mem::{ManuallyDrop, MaybeUninit};

use tracing::field::Value;
use tracing::Span;

use super::future::{AsyncCall, StaticKind, Suspended};
use super::{
    finish, flow_secrets, flow_started, labels, start, upgrade, Decision, FullCall, Message,
    MetricsOnly, Record, SpanOnly,
};
use crate::redact::Fingerprint;
use crate::site::Site;

/// Observes one call of an `#[observe]` function. With no subscriber listening at any level:
/// nothing at all without metrics (as cheap as an uninstrumented call), only the metrics
/// otherwise (a flow's events have nobody to go to). With a subscriber: the span alone for a
/// call site without metrics and flow (a full live call only if it does not simply succeed),
/// otherwise the live call: span, timing, outcome and flow events.
#[must_use = "the call is recorded when the guard is dropped"]
pub struct Guard<'a> {
    /// Where the call's record lives (in the function's [`Slot`]); `None` for a call that
    /// records nothing. Kept apart from the record so that the guard itself never has its
    /// address taken: the compiler then keeps `call` in a register, and a quiet call
    /// folds to the uninstrumented function (no drop code runs, nothing is stored).
    call: Option<&'a mut Record>,
    /// What the call site declares (a constant where the guard is made, so that the checks
    /// on it fold away): the successful calls of a span-only site end in [`Guard::ok`],
    /// inline, like `#[tracing::instrument]`; those of a metrics-only call go straight to
    /// their metrics.
    kind: SiteKind,
}

/// The guard of a call started out of line by [`Guard::begin`]: a [`Guard`] (every method
/// but [`Begun::ok`] is the guard's) whose success also ends out of line. A type of its own,
/// so that the inline success of [`Guard::ok`] never reaches the function's code (LLVM would
/// work through it, per function, before folding it away; see `BENCHMARKS.md`).
#[must_use = "the call is recorded when the guard is dropped"]
pub struct Begun<'a>(Guard<'a>);

impl<'a> std::ops::Deref for Begun<'a> {
    type Target = Guard<'a>;

    #[inline(always)]
    fn deref(&self) -> &Guard<'a> {
        &self.0
    }
}

impl std::ops::DerefMut for Begun<'_> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Begun<'_> {
    /// [`Guard::fail`] (a method that takes the guard, so not reached through `Deref`).
    #[inline]
    pub fn fail(
        self,
        error_type: &'static str,
        message: Message<'_>,
        secrets: &[Option<&dyn Display>],
        prints: &[Option<Fingerprint>],
    ) {
        self.0.fail(error_type, message, secrets, prints);
    }

    /// [`Guard::into_async`] (a method that takes the guard, so not reached through `Deref`).
    #[inline]
    pub fn into_async<K: StaticKind>(self) -> AsyncCall<K> {
        self.0.into_async()
    }

    /// The call succeeded: it ends here, in one call out of line. The guard is used up, so
    /// that the function's code has no drop of it on this path (LLVM would otherwise work
    /// through the drop, per function, before proving it does nothing; see `BENCHMARKS.md`).
    #[inline(always)]
    pub fn ok(self) {
        let mut guard = ManuallyDrop::new(self);
        if let Some(call) = guard.0.call.take() {
            if guard.0.kind.span_only() {
                end_span_ok(call);
            } else {
                end_ok(call);
            }
        }
    }
}

/// The storage of one call's record, in the instrumented function's frame: written only when
/// the call records something.
pub struct Slot(MaybeUninit<Record>);

impl Slot {
    /// An empty slot (nothing is written).
    #[inline(always)]
    pub const fn new() -> Slot {
        Slot(MaybeUninit::uninit())
    }

    #[inline(always)]
    fn put(&mut self, call: Record, kind: SiteKind) -> Guard<'_> {
        Guard {
            call: Some(self.0.write(call)),
            kind,
        }
    }
}

impl Default for Slot {
    fn default() -> Slot {
        Slot::new()
    }
}

/// What a call site declares, known when the macro expands (a constant, so the checks on it
/// fold away).
#[derive(Clone, Copy, Debug)]
pub struct SiteKind {
    /// Any of `counter`, `histogram`, `errors`, `in_flight`.
    pub metrics: bool,
    /// `flow`, or `slow`: a full record whenever a subscriber listens.
    pub flow: bool,
    /// `labels(...)`, or `slow`: a full record even when no subscriber listens.
    pub labels: bool,
}

impl SiteKind {
    #[inline(always)]
    pub(crate) fn span_only(self) -> bool {
        !self.metrics && !self.flow
    }

    /// Whether a call of this site without a subscriber is a metrics-only (`MetricsOnly`) call.
    #[inline(always)]
    pub(crate) fn may_be_timed(self) -> bool {
        self.metrics && !self.labels
    }
}

impl Drop for Guard<'_> {
    #[inline(always)]
    fn drop(&mut self) {
        if let Some(call) = &mut self.call {
            finish(call, false);
        }
    }
}

/// The span of a guard that records nothing.
static NO_SPAN: std::sync::LazyLock<Span> = std::sync::LazyLock::new(Span::none);

impl<'a> Guard<'a> {
    /// Starts observing a synchronous call, its record kept in `slot`; its span is entered
    /// (and its flow made the current one) until the guard is dropped, by [`Guard::enter`]
    /// for a span-only call. The span is only made when something can record it.
    #[inline(always)]
    pub fn new(
        slot: &'a mut Slot,
        site: &'static Site,
        kind: SiteKind,
        span: impl FnOnce() -> Span,
    ) -> Guard<'a> {
        match start(site, kind) {
            Decision::Quiet => Guard::quiet(kind),
            Decision::MetricsOnly(metrics) => slot.put(
                Record::MetricsOnly(MetricsOnly::start(metrics, false)),
                kind,
            ),
            Decision::SpanOnly => {
                let call = SpanOnly::start(site, span, false);
                slot.put(Record::SpanOnly(ManuallyDrop::new(call)), kind)
            }
            // Entered where it is made, out of line (here the variant it returns is not known).
            Decision::Full => slot.put(FullCall::start(site, span(), false), kind),
        }
    }

    /// Starts observing a synchronous call of a site whose span records no values and has no
    /// explicit parent: everything but the level check out of line, in one call (so that each
    /// such function carries a few instructions, not the guard's code; see `BENCHMARKS.md`,
    /// "Compile time per function"). `marker` is the type name of a fn nested in the
    /// instrumented function. Its span, if made, is entered; the call ends in [`Begun::ok`]
    /// or when the guard is dropped.
    #[inline(always)]
    pub fn begin(
        slot: &'a mut Slot,
        site: &'static Site,
        kind: SiteKind,
        marker: &'static str,
    ) -> Begun<'a> {
        if !kind.metrics && !super::tracing_enabled() {
            return Begun(Guard::quiet(kind));
        }
        let call = if kind.span_only() {
            begin_span(&mut slot.0, site, marker)
        } else {
            begin(&mut slot.0, site, kind, marker)
        };
        Begun(Guard { call, kind })
    }

    /// Enters the span of a span-only synchronous call, in place (a live call's span is
    /// entered where it is made); a no-op for the other kinds, folded away where the guard is
    /// made.
    #[inline(always)]
    pub fn enter(&mut self) {
        if self.kind.span_only() {
            if let Some(Record::SpanOnly(call)) = self.call.as_deref_mut() {
                call.enter();
            }
        }
    }

    /// The guard of a call whose record is `call` (nothing to record if it is quiet).
    #[inline(always)]
    pub(crate) fn of(call: &'a mut Record, kind: SiteKind) -> Guard<'a> {
        Guard {
            call: (!matches!(call, Record::Quiet)).then_some(call),
            kind,
        }
    }

    #[inline(always)]
    fn quiet(kind: SiteKind) -> Guard<'a> {
        Guard { call: None, kind }
    }

    /// The call's span.
    #[inline]
    pub fn span(&self) -> &Span {
        match self.call.as_deref() {
            Some(Record::Full(live)) => &live.span,
            Some(Record::SpanOnly(call)) => &call.span,
            _ => &NO_SPAN,
        }
    }

    /// `ret`: the call's return value, recorded as the span's `return` field, and as
    /// `#[tracing::instrument]`'s `return` event when the call site gives `ret` a level.
    #[inline]
    pub fn record_return(&self, site: &'static Site, value: &dyn Value) {
        let span = self.span();
        span.record("return", value);
        if site.info.return_event.is_some() {
            site.return_event(span, value);
        }
    }

    /// Whether the call's span records anything (`ret(fields(...))` evaluates nothing
    /// otherwise).
    #[inline]
    pub fn is_recording(&self) -> bool {
        !self.span().is_disabled()
    }

    /// A span field of `ret(fields(...))`.
    #[inline]
    pub fn record_field(&self, name: &'static str, value: &dyn Value) {
        self.span().record(name, value);
    }

    /// The values of this call's `labels(...)`, in the order of the call site's label names.
    #[inline]
    pub fn labels(&mut self, values: &[&dyn Display]) {
        if let Some(call) = self.call.as_deref_mut() {
            labels(call, values);
        }
    }

    /// `flow_started`, with the recorded arguments' values in the order of the call site's
    /// `started_fields`.
    #[inline]
    pub fn flow_started(&self, args: &[&dyn Value]) {
        if let Some(call) = self.call.as_deref() {
            flow_started(call, args);
        }
    }

    /// The values of a flow's secret parameters, at the start of the call (see
    /// the flow's `flow_secrets`).
    #[inline]
    pub fn flow_secrets(&mut self, values: &[Option<&dyn Display>]) {
        if let Some(call) = self.call.as_deref_mut() {
            flow_secrets(call, values);
        }
    }

    /// For a function returning a future: the synchronous part is over, the call goes on in
    /// the returned future, which owns its record from now on.
    #[inline]
    pub fn into_async<K: StaticKind>(mut self) -> AsyncCall<K> {
        let Some(call) = self.call.take() else {
            return AsyncCall::new(Suspended::Quiet);
        };
        AsyncCall::new(Suspended::of(
            match std::mem::replace(call, Record::Quiet) {
                Record::SpanOnly(mut call) => {
                    call.exit();
                    call.is_async = true;
                    Record::SpanOnly(call)
                }
                Record::Full(live) => Record::Full(ManuallyDrop::new(
                    ManuallyDrop::into_inner(live).into_async(),
                )),
                call => call,
            },
        ))
    }

    /// The call succeeded. A span-only call ends here, inline (leaves and closes its span),
    /// as `#[tracing::instrument]` does, and a metrics-only call records its metrics here;
    /// any other call ends here out of line. The guard is used up, so that the function's
    /// code has no drop of it on this path (see [`Begun::ok`]).
    #[inline(always)]
    pub fn ok(self) {
        let mut guard = ManuallyDrop::new(self);
        if guard.kind.span_only() {
            if let Some(Record::SpanOnly(span_call)) = guard.call.as_deref_mut() {
                span_call.finish_ok();
                return;
            }
        }
        if guard.kind.may_be_timed() {
            if let Some(Record::MetricsOnly(timed)) = guard.call.as_deref_mut() {
                timed.finish_ok();
                return;
            }
        }
        if let Some(call) = guard.call.take() {
            finish(call, true);
        }
    }

    /// The call failed with an error of type `error_type`. `secrets` are the values of the
    /// call's secret parameters still readable, `prints` the fingerprints of the others: their
    /// text is replaced by `[REDACTED]` in the messages. The call ends here, and the guard is
    /// used up (as by [`Guard::ok`]).
    #[inline]
    pub fn fail(
        self,
        error_type: &'static str,
        message: Message<'_>,
        secrets: &[Option<&dyn Display>],
        prints: &[Option<Fingerprint>],
    ) {
        let mut guard = ManuallyDrop::new(self);
        if let Some(call) = guard.call.take() {
            fail(call, error_type, message, secrets, prints);
        }
    }
}

/// Records a failure on the call and ends it (out of line: each instrumented function carries
/// one call).
#[inline(never)]
fn fail(
    call: &mut Record,
    error_type: &'static str,
    message: Message<'_>,
    secrets: &[Option<&dyn Display>],
    prints: &[Option<Fingerprint>],
) {
    match call {
        Record::Quiet => {}
        Record::MetricsOnly(timed) => timed.fail(error_type),
        Record::SpanOnly(_) => {
            if let Some(live) = upgrade(call) {
                live.fail(error_type, message, secrets, prints);
            }
        }
        Record::Full(live) => live.fail(error_type, message, secrets, prints),
    }
    finish(call, false);
}

/// The start of a call made by [`Guard::begin`]: its record written into `slot` (and its span
/// entered), or `None` if it records nothing.
#[inline(never)]
fn begin<'a>(
    slot: &'a mut MaybeUninit<Record>,
    site: &'static Site,
    kind: SiteKind,
    marker: &'static str,
) -> Option<&'a mut Record> {
    let span = || site.span(marker, &[]);
    let record = match start(site, kind) {
        Decision::Quiet => return None,
        Decision::MetricsOnly(metrics) => Record::MetricsOnly(MetricsOnly::start(metrics, false)),
        Decision::SpanOnly => {
            // Written in place, then entered there.
            let call = slot.write(Record::SpanOnly(ManuallyDrop::new(SpanOnly::start(
                site, span, false,
            ))));
            if let Record::SpanOnly(span_call) = call {
                span_call.enter();
            }
            return Some(call);
        }
        Decision::Full => FullCall::start(site, span(), false),
    };
    Some(slot.write(record))
}

/// The success of a call made by [`Guard::begin`], whatever its record.
#[inline(never)]
fn end_ok(call: &mut Record) {
    match call {
        Record::SpanOnly(span_call) => span_call.finish_ok(),
        _ => finish(call, true),
    }
}

/// The start of a call made by [`Guard::begin`] for a span-only site: its span, made and
/// entered in place.
#[inline(never)]
fn begin_span<'a>(
    slot: &'a mut MaybeUninit<Record>,
    site: &'static Site,
    marker: &'static str,
) -> Option<&'a mut Record> {
    if site.unwanted() {
        return None;
    }
    let call = slot.write(Record::SpanOnly(ManuallyDrop::new(SpanOnly {
        site,
        span: site.span(marker, &[]),
        entered: false,
        is_async: false,
    })));
    if let Record::SpanOnly(span_call) = call {
        span_call.enter();
    }
    Some(call)
}

/// The success of a span-only call made by [`Guard::begin`].
#[inline(never)]
fn end_span_ok(call: &mut Record) {
    if let Record::SpanOnly(span_call) = call {
        span_call.finish_ok();
    }
}
