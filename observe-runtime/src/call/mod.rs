//! Recording one call of an `#[observe]` function.
//!
//! The state machine, drawn once. What a call records is decided when it starts
//! ([`Decision`], from the call site's kind and who listens), kept as a [`Record`] in the
//! function's frame (or, for an `async fn` between polls, as [`future::Suspended`]) and ended
//! by [`finish`]:
//!
//! ```text
//!             start()                         ends (Guard drop / future ready / future dropped)
//!   Quiet ─────────────────────────────────────────────────────────────▶ nothing
//!   MetricsOnly  metric children + start ── ok / Err / panic / cancel ─▶ metrics
//!   SpanOnly     the span ─────────────────── ok ──────────────────────▶ span closed
//!                    └── Err / panic / cancel: upgrade() ──▶ Full
//!   Full         span, start, flow frame ──── any ending ──────────────▶ span status,
//!                                                                         exception event,
//!                                                                         flow event, metrics
//! ```
//!
//! While it runs, a call is in one [`State`] (`Running`, then `Ok`, `Failed` or `Panicked`);
//! how it ended, with what `tracing` and the metrics need to know, is one [`Ending`], decided
//! in one place for every kind of record. `guard.rs` is the synchronous front (and the judge
//! of an asynchronous call's output), `future.rs` the asynchronous one; `metrics_only.rs`,
//! `span_only.rs` and `full.rs` are the three records that hold something.
//!
//! Why the common paths cost what they do (measured in `BENCHMARKS.md`):
//! - The guard holds a reference to the record, kept in a [`Slot`] of the function's frame;
//!   the guard itself is never borrowed, so the compiler keeps it in registers, and a call that
//!   records nothing folds to the plain function: no store, no drop code.
//! - A span-only call enters, exits and closes its span, inline on success, as
//!   `#[tracing::instrument]` does; it becomes a full record only when it does not simply
//!   succeed ([`upgrade`]).
//! - A metrics-only call skips the span; its success goes straight to one out-of-line call that
//!   records the counter and histogram children resolved once per call site.
//! - What nobody can record is not made: [`start`] reads the cached interests of the site's
//!   span and `exception` callsites and, for a site with metrics, whether the current
//!   dispatcher is the no-op one, in one out-of-line call made only when the level lets
//!   something through (`tracing` keeps the level a dropped subscriber raised).
//! - A synchronous call site without metrics whose span records no values and has no
//!   explicit parent (a plain `#[observe]`) starts with [`Guard::begin`]: inline, only the
//!   level check; the start and the success are one out-of-line call each (`begin_span`,
//!   `end_span_ok`; `begin` and `end_ok` for a flow). Each such function then carries about
//!   70 bytes instead of 350, and compiles about 3 ms faster, for about 12 instructions more
//!   per recorded call (`BENCHMARKS.md`, "Compile time per function: the guard out of line").
//!   A site with metrics keeps its start inline: out of line its metric path cost about 10 %
//!   more.
//! - An `async fn` whose body cannot suspend is observed like a synchronous one, inside its
//!   first poll; one that can is a single future that owns its record (see `future.rs`).

mod full;
pub(crate) mod future;
pub(crate) mod guard;
mod metrics_only;
mod span_only;

use std::fmt::{self, Debug, Display};

use std::mem::ManuallyDrop;
use tracing::field::Value;

use tracing::dispatcher;
use tracing::level_filters::LevelFilter;
use tracing::subscriber::NoSubscriber;
use tracing::Span;

pub(crate) use full::FullCall;
pub use future::{AsyncCall, Kind, Observed, StaticKind};
pub use guard::{Begun, Guard, SiteKind, Slot};
use metrics_only::MetricsOnly;
use span_only::SpanOnly;

use crate::metrics::{CallResult, SiteMetrics};
use crate::site::Site;

/// What one call records. No drop code of its own (the variants that hold something are in
/// `ManuallyDrop`): [`finish`] releases them and leaves `Quiet`.
pub(crate) enum Record {
    Quiet,
    MetricsOnly(MetricsOnly),
    SpanOnly(ManuallyDrop<SpanOnly>),
    Full(ManuallyDrop<FullCall>),
}

/// `error.type` of a synchronous call that left through a `?` the macro could not see.
pub(crate) const UNSEEN_ERROR: &str = "unknown";

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Running,
    Ok,
    Failed,
    Panicked,
}

/// How a call ended, decided once for every kind of record: what the metrics count
/// (`result`, `error_type`) and what a record with a span still has to write.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Ending {
    Ok,
    /// An error the call recorded (its type is kept by the record).
    Failed,
    /// A panic already recorded.
    Panicked,
    /// The call is being dropped during a panic that nothing recorded yet.
    Unwinding,
    /// An asynchronous call dropped before its output was ready.
    Cancelled,
    /// A synchronous call left through a `?` the macro could not see.
    Unseen,
}

impl Ending {
    /// The ending of a call in `state`: `is_async` tells a cancellation from an unseen `?`.
    #[inline]
    pub(crate) fn of(state: State, is_async: bool) -> Ending {
        match state {
            State::Ok => Ending::Ok,
            State::Failed => Ending::Failed,
            State::Panicked => Ending::Panicked,
            State::Running if std::thread::panicking() => Ending::Unwinding,
            State::Running if is_async => Ending::Cancelled,
            State::Running => Ending::Unseen,
        }
    }

    /// The `result` label and `error_type` of the metrics; `error_type` is the recorded error's
    /// type, for [`Ending::Failed`].
    #[inline]
    pub(crate) fn result(self, error_type: &'static str) -> (CallResult, &'static str) {
        match self {
            Ending::Ok => (CallResult::Ok, ""),
            Ending::Failed => (CallResult::Error, error_type),
            Ending::Panicked | Ending::Unwinding => (CallResult::Panic, "panic"),
            Ending::Cancelled => (CallResult::Cancelled, ""),
            Ending::Unseen => (CallResult::Error, UNSEEN_ERROR),
        }
    }
}

/// How an error is turned into `exception.message`.
pub enum Message<'a> {
    /// With its `Display` impl.
    Display(&'a dyn Display),
    /// With its `Debug` impl.
    Debug(&'a dyn Debug),
    /// It has neither: the message is its type name.
    TypeName(&'static str),
}

impl Display for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Message::Display(e) => Display::fmt(e, f),
            Message::Debug(e) => Debug::fmt(e, f),
            Message::TypeName(name) => f.write_str(name),
        }
    }
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

/// Enters `span` unless `entered` says it is (the span-only and full records share it).
#[inline]
pub(crate) fn enter(span: &Span, entered: &mut bool) -> bool {
    if *entered {
        return false;
    }
    span.with_subscriber(|(id, dispatch)| dispatch.enter(id));
    *entered = true;
    true
}

/// Leaves `span` if `entered` says it is entered.
#[inline]
pub(crate) fn exit(span: &Span, entered: &mut bool) -> bool {
    if !*entered {
        return false;
    }
    span.with_subscriber(|(id, dispatch)| dispatch.exit(id));
    *entered = false;
    true
}

/// Records how a call ended: one out-of-line function for every kind of call, so that each
/// instrumented function carries one call here and not the dispatch. Leaves the call `Quiet`.
#[inline(never)]
pub(crate) fn finish(call: &mut Record, ok: bool) {
    match call {
        Record::Quiet => {}
        // A metrics-only or span-only call that succeeded ended in `Guard::ok`, inline.
        Record::MetricsOnly(metrics_only) => {
            debug_assert!(!ok, "a metrics-only success ends in Guard::ok");
            metrics_only.finish();
        }
        Record::SpanOnly(_) => {
            debug_assert!(!ok, "a span-only success ends in Guard::ok");
            if let Some(full) = upgrade(call) {
                full.finish_and_release();
            }
        }
        Record::Full(full) => {
            if ok {
                full.state = State::Ok;
            }
            full.finish_and_release();
        }
    }
    *call = Record::Quiet;
}

/// A span-only call that did not simply succeed becomes a live call, which records how it
/// ended. (Cold: errors, panics and cancellations only.)
#[cold]
#[inline(never)]
pub(crate) fn upgrade(call: &mut Record) -> Option<&mut FullCall> {
    if let Record::SpanOnly(span_call) = call {
        let span = std::mem::replace(&mut span_call.span, Span::none());
        let site = span_call.site;
        let mut live = FullCall::new(site, span, span_call.is_async, None, None);
        live.entered = span_call.entered;
        *call = Record::Full(ManuallyDrop::new(live));
    }
    match call {
        Record::Full(live) => Some(live),
        _ => None,
    }
}

/// What a call that starts records: with no subscriber listening at any level, nothing at all
/// without metrics (as cheap as an uninstrumented call) and only the metrics otherwise (a
/// flow's events have nobody to go to); with a subscriber, the span alone for a call site
/// without metrics and flow (a full live call only if it does not simply succeed), otherwise
/// the live call: span, timing, outcome and flow events. (Not generic, so that a call site
/// instantiates nothing more for it; folded where the record is built.)
pub(crate) enum Decision {
    Quiet,
    MetricsOnly(&'static SiteMetrics),
    SpanOnly,
    Full,
}

#[inline(always)]
pub(crate) fn start(site: &'static Site, kind: SiteKind) -> Decision {
    if !tracing_enabled() || nobody_wants(site, kind) {
        return without_subscriber(site, kind);
    }
    if kind.span_only() {
        return Decision::SpanOnly;
    }
    Decision::Full
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
fn without_subscriber(site: &'static Site, kind: SiteKind) -> Decision {
    if !kind.metrics {
        return Decision::Quiet;
    }
    let metrics = site.metrics();
    if !metrics.is_active() {
        return Decision::Quiet;
    }
    if !kind.labels {
        return Decision::MetricsOnly(metrics);
    }
    Decision::Full
}

/// The values of a call's `labels(...)` (see [`Guard::labels`]).
#[inline]
pub(crate) fn labels(call: &mut Record, values: &[&dyn Display]) {
    if let Record::Full(live) = call {
        live.labels(values);
    }
}

/// `flow_started` (see [`Guard::flow_started`]).
#[inline]
pub(crate) fn flow_started(call: &Record, args: &[&dyn Value]) {
    if let Record::Full(live) = call {
        live.flow_started(args);
    }
}

/// The values of a flow's secret parameters (see [`Guard::flow_secrets`]).
#[inline]
pub(crate) fn flow_secrets(call: &mut Record, values: &[Option<&dyn Display>]) {
    if let Record::Full(live) = call {
        live.flow_secrets(values);
    }
}
