//! The drop guard that observes one call: it holds the span, counts the call in flight, and on
//! drop records how the call ended (ok, error, panic or cancelled) on the span, the metrics and
//! the flow events.

use std::fmt::Display;
use std::mem::{ManuallyDrop, MaybeUninit};
use std::sync::Arc;

use tracing::dispatcher;
use tracing::field::{display, Value};
use tracing::level_filters::LevelFilter;
use tracing::subscriber::NoSubscriber;
use tracing::Span;

use crate::async_call::{AsyncCall, Rec, StaticKind};
use crate::event::MAX_FIELDS;
use crate::flow::{self, Frame};
use crate::metrics::{CallResult, Children, SiteMetrics};
use crate::panic;
use crate::probe::Message;
use crate::redact::{self, Fingerprint};
use crate::site::Site;
use crate::span_call::SpanCall;
use crate::timed::{Ended as State, Timed, UNSEEN_ERROR};

/// What a call records when someone can see it.
/// Kept small (80 bytes): an `async fn`'s future carries it.
pub(crate) struct Live {
    site: &'static Site,
    span: Span,
    start: Option<quanta::Instant>,
    state: State,
    entered: bool,
    is_async: bool,
    extra: Option<Box<Extra>>,
}

/// What only some calls carry, boxed so that the record stays small: allocated for a flow call
/// while someone listens, a call with `labels(...)`, and a failure.
#[derive(Default)]
struct Extra {
    flow: Option<Frame>,
    /// The label set of this call, for a call site with `labels(...)`.
    children: Option<Arc<Children>>,
    error_type: &'static str,
}

/// Whether any `tracing` subscriber could record something (a span or an error event).
#[inline]
pub(crate) fn tracing_enabled() -> bool {
    tracing::level_filters::STATIC_MAX_LEVEL != LevelFilter::OFF
        && LevelFilter::current() != LevelFilter::OFF
}

/// Whether the current dispatcher is not the no-op one.
#[inline]
fn dispatcher_listens() -> bool {
    dispatcher::get_default(|dispatch| !dispatch.is::<NoSubscriber>())
}

/// Observes one call of an `#[observe]` function. With no subscriber listening at any level:
/// nothing at all without metrics (as cheap as an uninstrumented call), only the metrics
/// otherwise (a flow's events have nobody to go to). With a subscriber: the span alone for a
/// call site without metrics and flow (a full live call only if it does not simply succeed),
/// otherwise the live call: span, timing, outcome and flow events.
#[must_use = "the call is recorded when the guard is dropped"]
pub struct Guard<'a> {
    /// Where the call's record lives (in the function's [`Slot`]); `None` for a call that
    /// records nothing. Kept apart from the record so that the guard itself never has its
    /// address taken: the compiler then keeps `call` and `ok` in registers, and a quiet call
    /// folds to the uninstrumented function (no drop code runs, nothing is stored).
    call: Option<&'a mut Call>,
    /// Set by [`Guard::ok`]: one store, whatever the kind of call.
    ok: bool,
    /// What the call site declares (a constant where the guard is made, so that the checks
    /// on it fold away): the successful calls of a span-only site end in [`Guard::ok`],
    /// inline, like `#[tracing::instrument]`; those of a metrics-only call go straight to
    /// their metrics.
    kind: SiteKind,
}

/// The storage of one call's record, in the instrumented function's frame: written only when
/// the call records something.
pub struct Slot(MaybeUninit<Call>);

impl Slot {
    /// An empty slot (nothing is written).
    #[inline(always)]
    pub const fn new() -> Slot {
        Slot(MaybeUninit::uninit())
    }

    #[inline(always)]
    fn put(&mut self, call: Call, kind: SiteKind) -> Guard<'_> {
        Guard {
            call: Some(self.0.write(call)),
            ok: false,
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
    /// `flow`.
    pub flow: bool,
    /// `labels(...)`.
    pub labels: bool,
}

impl SiteKind {
    #[inline(always)]
    fn span_only(self) -> bool {
        !self.metrics && !self.flow
    }

    /// Whether a call of this site without a subscriber is a metrics-only (`Timed`) call.
    #[inline(always)]
    fn may_be_timed(self) -> bool {
        self.metrics && !self.labels
    }
}

/// What one call records. No drop code of its own (the variants that hold something are in
/// `ManuallyDrop`): [`finish`] releases them and leaves `Quiet`.
pub(crate) enum Call {
    Quiet,
    Timed(Timed),
    Span(ManuallyDrop<SpanCall>),
    Live(ManuallyDrop<Live>),
}

impl Drop for Guard<'_> {
    #[inline(always)]
    fn drop(&mut self) {
        if let Some(call) = &mut self.call {
            finish(call, self.ok);
        }
    }
}

/// Records how a call ended: one out-of-line function for every kind of call, so that each
/// instrumented function carries one call here and not the dispatch. Leaves the call `Quiet`.
#[inline(never)]
pub(crate) fn finish(call: &mut Call, ok: bool) {
    if let (Call::Span(span_call), true) = (&mut *call, ok) {
        span_call.finish_ok();
        *call = Call::Quiet;
        return;
    }
    match call {
        Call::Quiet => {}
        Call::Timed(timed) => {
            if ok {
                timed.state = State::Ok;
            }
            timed.finish();
        }
        // (A span-only call that succeeded ended above.)
        Call::Span(_) => {
            if let Some(live) = upgrade(call) {
                live.finish_and_release();
            }
        }
        Call::Live(live) => {
            if ok {
                live.state = State::Ok;
            }
            live.finish_and_release();
        }
    }
    *call = Call::Quiet;
}

/// A span-only call that did not simply succeed becomes a live call, which records how it
/// ended. (Cold: errors, panics and cancellations only.)
#[cold]
#[inline(never)]
pub(crate) fn upgrade(call: &mut Call) -> Option<&mut Live> {
    if let Call::Span(span_call) = call {
        let span = std::mem::replace(&mut span_call.span, Span::none());
        let site = span_call.site;
        let mut live = Live::new(site, span, span_call.is_async, None, None);
        live.entered = span_call.entered;
        *call = Call::Live(ManuallyDrop::new(live));
    }
    match call {
        Call::Live(live) => Some(live),
        _ => None,
    }
}

/// What a call that starts records: with no subscriber listening at any level, nothing at all
/// without metrics (as cheap as an uninstrumented call) and only the metrics otherwise (a
/// flow's events have nobody to go to); with a subscriber, the span alone for a call site
/// without metrics and flow (a full live call only if it does not simply succeed), otherwise
/// the live call: span, timing, outcome and flow events. (Not generic, so that a call site
/// instantiates nothing more for it; folded where the record is built.)
pub(crate) enum Start {
    Quiet,
    Timed(&'static SiteMetrics),
    Span,
    Live,
}

#[inline(always)]
pub(crate) fn start(site: &'static Site, kind: SiteKind) -> Start {
    if !tracing_enabled() || nobody_wants(site, kind) {
        return metrics_only(site, kind);
    }
    if kind.span_only() {
        return Start::Span;
    }
    Start::Live
}

/// Whether no subscriber can record a call of `site`, though the level lets something through
/// (out of line, and a plain answer, so that each call site keeps only the branches its kind
/// can take).
///
/// - A site without a flow whose span and `exception` event `tracing` has said nobody wants
///   (filtered out, or no subscriber when they were registered): as `tracing`'s own macros
///   tell from their statics.
/// - A site with metrics also looks at the current dispatcher: once a subscriber has come and
///   gone (a test's or a benchmark's scoped one), `tracing` keeps the maximum level it raised
///   and the cached interests of the callsites it saw, so neither tells that nobody listens.
///   Its callsites are then registered, if they were not, so that the next calls can tell
///   from them. (A span-only site does not look: its span then costs about what the look
///   would, as with `#[tracing::instrument]`.)
#[inline(never)]
fn nobody_wants(site: &'static Site, kind: SiteKind) -> bool {
    if !kind.flow && site.unwanted() {
        return true;
    }
    if !kind.metrics || dispatcher_listens() {
        return false;
    }
    if site.span_callsite.get().is_none() {
        site.register_callsites();
    }
    true
}

/// A call that nobody but the metrics can record.
#[inline(always)]
fn metrics_only(site: &'static Site, kind: SiteKind) -> Start {
    if !kind.metrics {
        return Start::Quiet;
    }
    let metrics = site.metrics();
    if !metrics.is_active() {
        return Start::Quiet;
    }
    if !kind.labels {
        return Start::Timed(metrics);
    }
    Start::Live
}

/// The values of a call's `labels(...)` (see [`Guard::labels`]).
#[inline]
pub(crate) fn labels(call: &mut Call, values: &[&dyn Display]) {
    if let Call::Live(live) = call {
        live.labels(values);
    }
}

/// `flow_started` (see [`Guard::flow_started`]).
#[inline]
pub(crate) fn flow_started(call: &Call, args: &[&dyn Value]) {
    if let Call::Live(live) = call {
        live.flow_started(args);
    }
}

/// The values of a flow's secret parameters (see [`Guard::flow_secrets`]).
#[inline]
pub(crate) fn flow_secrets(call: &mut Call, values: &[Option<&dyn Display>]) {
    if let Call::Live(live) = call {
        live.flow_secrets(values);
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
            Start::Quiet => Guard::quiet(kind),
            Start::Timed(metrics) => slot.put(Call::Timed(Timed::start(metrics, false)), kind),
            Start::Span => {
                let call = SpanCall::start(site, span, false);
                slot.put(Call::Span(ManuallyDrop::new(call)), kind)
            }
            // Entered where it is made, out of line (here the variant it returns is not known).
            Start::Live => slot.put(Live::start(site, span(), false), kind),
        }
    }

    /// Enters the span of a span-only synchronous call, in place (a live call's span is
    /// entered where it is made); a no-op for the other kinds, folded away where the guard is
    /// made.
    #[inline(always)]
    pub fn enter(&mut self) {
        if self.kind.span_only() {
            if let Some(Call::Span(call)) = self.call.as_deref_mut() {
                call.enter();
            }
        }
    }

    /// The guard of a call whose record is `call` (nothing to record if it is quiet).
    #[inline(always)]
    pub(crate) fn of(call: &'a mut Call, kind: SiteKind) -> Guard<'a> {
        Guard {
            call: (!matches!(call, Call::Quiet)).then_some(call),
            ok: false,
            kind,
        }
    }

    #[inline(always)]
    fn quiet(kind: SiteKind) -> Guard<'a> {
        Guard {
            call: None,
            ok: false,
            kind,
        }
    }

    /// The call's span.
    #[inline]
    pub fn span(&self) -> &Span {
        match self.call.as_deref() {
            Some(Call::Live(live)) => &live.span,
            Some(Call::Span(call)) => &call.span,
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
            return AsyncCall::new(Rec::Quiet);
        };
        AsyncCall::new(Rec::of(match std::mem::replace(call, Call::Quiet) {
            Call::Span(mut call) => {
                call.exit();
                call.is_async = true;
                Call::Span(call)
            }
            Call::Live(live) => Call::Live(ManuallyDrop::new(
                ManuallyDrop::into_inner(live).into_async(),
            )),
            call => call,
        }))
    }

    /// The call succeeded. A span-only call ends here, inline (leaves and closes its span),
    /// as `#[tracing::instrument]` does, and a metrics-only call records its metrics here;
    /// any other call ends when the guard is dropped.
    #[inline(always)]
    pub fn ok(&mut self) {
        if self.kind.span_only() {
            if let Some(Call::Span(span_call)) = self.call.as_deref_mut() {
                span_call.finish_ok();
                self.call = None;
                return;
            }
        }
        if self.kind.may_be_timed() {
            if let Some(Call::Timed(timed)) = self.call.as_deref_mut() {
                timed.finish_ok();
                self.call = None;
                return;
            }
        }
        self.ok = true;
    }

    /// The call failed with an error of type `error_type`. `secrets` are the values of the
    /// call's secret parameters still readable, `prints` the fingerprints of the others: their
    /// text is replaced by `[REDACTED]` in the messages.
    #[inline]
    pub fn fail(
        &mut self,
        error_type: &'static str,
        message: Message<'_>,
        secrets: &[Option<&dyn Display>],
        prints: &[Option<Fingerprint>],
    ) {
        if let Some(call) = self.call.as_deref_mut() {
            fail(call, error_type, message, secrets, prints);
        }
    }
}

/// Records a failure on the call (out of line: each instrumented function carries one call).
#[inline(never)]
fn fail(
    call: &mut Call,
    error_type: &'static str,
    message: Message<'_>,
    secrets: &[Option<&dyn Display>],
    prints: &[Option<Fingerprint>],
) {
    match call {
        Call::Quiet => {}
        Call::Timed(timed) => timed.fail(error_type),
        Call::Span(_) => {
            if let Some(live) = upgrade(call) {
                live.fail(error_type, message, secrets, prints);
            }
        }
        Call::Live(live) => live.fail(error_type, message, secrets, prints),
    }
}

impl Live {
    /// A live call (returned whole, so that it is built where the caller keeps it), its span
    /// entered if it is synchronous.
    #[inline(never)]
    pub(crate) fn start(site: &'static Site, span: Span, is_async: bool) -> Call {
        let metrics = site.metrics();
        metrics.started();
        let flow_name = site.info.flow.as_ref().map(|f| f.name);
        let mut start = None;
        let mut flow = None;
        if metrics.measures_time() || flow_name.is_some() {
            let now = quanta::Instant::now();
            start = Some(now);
            flow = flow_name.map(|name| Frame::new(name, now, span.id()));
        }
        let mut call = Call::Live(ManuallyDrop::new(Live::new(
            site, span, is_async, start, flow,
        )));
        if let Call::Live(live) = &mut call {
            if !is_async {
                // A synchronous call runs inside its span from here on; an asynchronous one
                // only while its future is polled.
                live.enter();
            }
        }
        call
    }

    /// A live call, its span not entered yet.
    #[inline(always)]
    fn new(
        site: &'static Site,
        span: Span,
        is_async: bool,
        start: Option<quanta::Instant>,
        flow: Option<Frame>,
    ) -> Live {
        Live {
            site,
            span,
            start,
            state: State::Running,
            entered: false,
            is_async,
            extra: flow.map(|flow| {
                Box::new(Extra {
                    flow: Some(flow),
                    ..Extra::default()
                })
            }),
        }
    }

    fn extra(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Box::default)
    }

    fn flow(&self) -> Option<&Frame> {
        self.extra.as_ref().and_then(|e| e.flow.as_ref())
    }

    fn flow_mut(&mut self) -> Option<&mut Frame> {
        self.extra.as_mut().and_then(|e| e.flow.as_mut())
    }

    /// The values of this call's `labels(...)`, in the order of the call site's label names.
    fn labels(&mut self, values: &[&dyn Display]) {
        self.extra().children = self.site.metrics().labelled(values);
    }

    /// `flow_started`, with the recorded arguments' values in the order of the call site's
    /// `started_fields`.
    fn flow_started(&self, args: &[&dyn Value]) {
        let (Some(frame), Some(events)) = (self.flow(), self.site.flow_events()) else {
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

    /// The values of a flow's secret parameters, at the start of the call. Kept (as text) only
    /// when `flow_step` events can be recorded, so that step values containing them are
    /// scrubbed; otherwise nothing is formatted.
    fn flow_secrets(&mut self, values: &[Option<&dyn Display>]) {
        let entered = self.entered;
        let Some(frame) = self.flow_mut() else { return };
        if LevelFilter::current() < LevelFilter::DEBUG {
            return;
        }
        let texts: Vec<String> = values
            .iter()
            .flatten()
            .map(ToString::to_string)
            .filter(|t| t.chars().count() >= redact::MIN_SECRET_CHARS)
            .collect();
        if texts.is_empty() {
            return;
        }
        frame.secrets = Some(texts.into());
        if entered {
            flow::set_secrets(frame);
        }
    }

    /// For a function returning a future: the synchronous part is over, the call goes on in
    /// the returned future.
    #[inline]
    fn into_async(mut self) -> Live {
        self.exit();
        self.is_async = true;
        self
    }

    /// The call failed with an error of type `error_type`. `secrets` are the values of the
    /// call's secret parameters still readable, `prints` the fingerprints of the others: their
    /// text is replaced by `[REDACTED]` in the messages.
    #[cold]
    fn fail(
        &mut self,
        error_type: &'static str,
        message: Message<'_>,
        secrets: &[Option<&dyn Display>],
        prints: &[Option<Fingerprint>],
    ) {
        self.record_failure_with(error_type, &message, secrets, prints);
        self.extra().error_type = error_type;
        self.state = State::Failed;
    }

    /// Enters the span, and makes the flow (if any) the current one of this thread.
    #[inline(never)]
    pub(crate) fn enter(&mut self) {
        if !self.entered {
            self.span
                .with_subscriber(|(id, dispatch)| dispatch.enter(id));
            if let Some(frame) = self.flow() {
                flow::push(frame);
            }
            self.entered = true;
        }
    }

    /// A poll of the call's future unwound: records the panic while the span is still
    /// entered, then leaves it.
    #[cold]
    pub(crate) fn poll_unwound(&mut self) {
        if self.state == State::Running {
            self.record_panic();
        }
        self.exit();
    }

    #[inline]
    pub(crate) fn exit(&mut self) {
        if self.entered {
            if let Some(frame) = self.flow_mut() {
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
        self.record_failure_with(error_type, message, &[], &[]);
    }

    #[cold]
    fn record_failure_with(
        &mut self,
        error_type: &'static str,
        message: &dyn Display,
        secrets: &[Option<&dyn Display>],
        prints: &[Option<Fingerprint>],
    ) {
        let exception = self.site.exception();
        let event_enabled = exception.enabled();
        let flow_enabled = self.site.flow_events().is_some_and(|e| e.failed.enabled());
        if self.span.is_disabled() && !event_enabled && !flow_enabled {
            return;
        }
        let text = redact::scrub_message(message, secrets, prints);
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
        let entered = self.entered;
        let site = self.site;
        let parent = self.span.id();
        let (Some(frame), Some(events)) = (self.flow_mut(), site.flow_events()) else {
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
        if entered {
            flow::read(frame);
        }
        let id = display(frame.id);
        let elapsed = frame.elapsed_ms();
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

impl Live {
    /// Records how the call ended, on the span, the flow and the metrics, then releases what
    /// the call held (its span, flow frame and label set). A live call sits in a
    /// `ManuallyDrop`, so that the guard of a quiet call has no drop code at all.
    #[inline(never)]
    fn finish_and_release(&mut self) {
        self.finish();
        self.span = Span::none();
        self.extra = None;
    }

    fn finish(&mut self) {
        let (result, error_type) = match self.state {
            State::Ok => {
                if self.flow().is_some() {
                    self.end_flow(None);
                }
                (CallResult::Ok, "")
            }
            State::Failed => (
                CallResult::Error,
                self.extra.as_ref().map_or(UNSEEN_ERROR, |e| e.error_type),
            ),
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
        let elapsed = self
            .start
            .map_or(std::time::Duration::ZERO, |start| start.elapsed());
        let metrics = self.site.metrics();
        if metrics.is_active() {
            let children = self.extra.as_ref().and_then(|e| e.children.as_deref());
            metrics.finished(children, result, elapsed, error_type);
        }
        self.exit();
    }
}
