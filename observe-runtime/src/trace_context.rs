//! The trace context of the current span, as an OpenTelemetry exporter sends it: for log lines,
//! exemplars, propagation and `observe::trace_id()` / `observe::span_id()`.
//!
//! observe's OpenTelemetry layer keeps, per thread, the contexts of the spans entered there (a
//! small stack pushed on enter, popped on exit). That replaces activating an OpenTelemetry
//! `Context` on every enter: reading the current ids is one thread-local access, and nothing
//! is allocated. Code that needs an OpenTelemetry `Context` gets one built on demand
//! ([`current_otel_context`]).

use std::cell::{Cell, RefCell};

use opentelemetry::trace::{SpanContext, TraceContextExt as _};

thread_local! {
    /// The entered spans of this thread that observe's layer exports: (span id in `tracing`,
    /// its OpenTelemetry context), innermost last.
    static ENTERED: RefCell<Vec<(u64, SpanContext)>> = const { RefCell::new(Vec::new()) };
    /// The ids of the innermost one, copied for exemplars: a plain value without a
    /// destructor, so reading it on every metric-recording call is one load.
    static INNERMOST: Cell<Innermost> = const { Cell::new(Innermost::NONE) };
}

/// The ids of the innermost entered span, when it is sampled and local (an exemplar's trace).
#[derive(Clone, Copy)]
pub(crate) struct Innermost {
    /// Whether a span of observe's layer is entered on this thread.
    pub(crate) entered: bool,
    /// Its trace and span ids, when it is sampled (and so exported).
    pub(crate) sampled: Option<(u128, u64)>,
}

impl Innermost {
    const NONE: Innermost = Innermost {
        entered: false,
        sampled: None,
    };

    fn of(entered: &[(u64, SpanContext)]) -> Innermost {
        entered
            .last()
            .map_or(Innermost::NONE, |(_, context)| Innermost {
                entered: true,
                sampled: (context.is_sampled() && !context.is_remote()).then(|| {
                    (
                        u128::from_be_bytes(context.trace_id().to_bytes()),
                        u64::from_be_bytes(context.span_id().to_bytes()),
                    )
                }),
            })
    }
}

/// The innermost entered span of observe's layer on this thread, as exemplars read it.
#[inline]
pub(crate) fn innermost() -> Innermost {
    INNERMOST.with(Cell::get)
}

/// `span` (its `tracing` id) was entered with `context`.
pub(crate) fn push(span: u64, context: SpanContext) {
    ENTERED.with(|entered| {
        let mut entered = entered.borrow_mut();
        entered.push((span, context));
        INNERMOST.with(|innermost| innermost.set(Innermost::of(&entered)));
    });
}

/// `span` was exited: its innermost entry goes (spans exit in order; a span entered twice
/// leaves its outer entry in place).
pub(crate) fn pop(span: u64) {
    ENTERED.with(|entered| {
        let mut entered = entered.borrow_mut();
        if let Some(at) = entered.iter().rposition(|(id, _)| *id == span) {
            entered.remove(at);
        }
        INNERMOST.with(|innermost| innermost.set(Innermost::of(&entered)));
    });
}

/// `f` of the innermost entered span's context, if any.
#[inline]
pub(crate) fn with_current<T>(f: impl FnOnce(&SpanContext) -> T) -> Option<T> {
    ENTERED
        .try_with(|entered| entered.borrow().last().map(|(_, context)| f(context)))
        .ok()
        .flatten()
}

/// The current trace and span ids, as OTLP exports them (32 and 16 hex digits).
pub(crate) fn current_ids() -> Option<(String, String)> {
    with_current(|context| {
        context.is_valid().then(|| {
            (
                context.trace_id().to_string(),
                context.span_id().to_string(),
            )
        })
    })
    .flatten()
}

/// The OpenTelemetry context of the current span: observe's innermost entered span, else the
/// thread's current OpenTelemetry context (a remote parent attached by
/// `propagation::Remote::attach`, or a span of the OpenTelemetry API).
pub(crate) fn current_otel_context() -> opentelemetry::Context {
    with_current(|context| opentelemetry::Context::new().with_remote_span_context(context.clone()))
        .unwrap_or_else(opentelemetry::Context::current)
}
