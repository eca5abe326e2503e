//! The full record of a call, made when someone can see it: the span, the start time, the flow
//! frame, and how the call ended, written on the span, the flow events and the metrics.

use std::fmt::Display;
use std::mem::ManuallyDrop;
use std::sync::Arc;

use tracing::field::{display, Value};
use tracing::level_filters::LevelFilter;
use tracing::Span;

use super::{Ending, Message, Record, State, UNSEEN_ERROR};
use crate::flow::{self, Frame};
use crate::metrics::Children;
use crate::panic;
use crate::redact::{self, Fingerprint};
use crate::site::event::MAX_FIELDS;
use crate::site::Site;

/// What a call records when someone can see it. Kept small: an `async fn`'s future carries it
/// (boxed, in [`super::future::Suspended`]) and a synchronous call keeps it in its frame.
pub(crate) struct FullCall {
    pub(super) site: &'static Site,
    pub(super) span: Span,
    pub(super) start: Option<quanta::Instant>,
    pub(super) state: State,
    pub(super) entered: bool,
    pub(super) is_async: bool,
    extra: Option<Box<Extra>>,
}

const _: () = assert!(std::mem::size_of::<FullCall>() <= 80);

/// What only some calls carry, boxed so that the record stays small: allocated for a flow call
/// while someone listens, a call with `labels(...)`, and a failure.
#[derive(Default)]
struct Extra {
    flow: Option<Frame>,
    /// The label set of this call, for a call site with `labels(...)`.
    children: Option<Arc<Children>>,
    error_type: &'static str,
}

impl FullCall {
    /// A live call (returned whole, so that it is built where the caller keeps it), its span
    /// entered if it is synchronous.
    #[inline(never)]
    pub(super) fn start(site: &'static Site, span: Span, is_async: bool) -> Record {
        let metrics = site.metrics();
        metrics.started();
        let flow_name = site.info.flow.as_ref().map(|f| f.name);
        let mut start = None;
        let mut flow = None;
        if metrics.measures_time() || flow_name.is_some() || site.info.slow.is_some() {
            let now = quanta::Instant::now();
            start = Some(now);
            flow = flow_name.map(|name| Frame::new(name, now, span.id()));
        }
        let mut call = Record::Full(ManuallyDrop::new(FullCall::new(
            site, span, is_async, start, flow,
        )));
        if let Record::Full(live) = &mut call {
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
    pub(super) fn new(
        site: &'static Site,
        span: Span,
        is_async: bool,
        start: Option<quanta::Instant>,
        flow: Option<Frame>,
    ) -> FullCall {
        FullCall {
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
    pub(super) fn labels(&mut self, values: &[&dyn Display]) {
        self.extra().children = self.site.metrics().labelled(values);
    }

    /// `flow_started`, with the recorded arguments' values in the order of the call site's
    /// `started_fields`.
    pub(super) fn flow_started(&self, args: &[&dyn Value]) {
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
    pub(super) fn flow_secrets(&mut self, values: &[Option<&dyn Display>]) {
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
    pub(super) fn into_async(mut self) -> FullCall {
        self.exit();
        self.is_async = true;
        self
    }

    /// The call failed with an error of type `error_type`. `secrets` are the values of the
    /// call's secret parameters still readable, `prints` the fingerprints of the others: their
    /// text is replaced by `[REDACTED]` in the messages.
    #[cold]
    pub(super) fn fail(
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
    pub(super) fn enter(&mut self) {
        if super::enter(&self.span, &mut self.entered) {
            if let Some(frame) = self.flow() {
                flow::push(frame);
            }
        }
    }

    /// A poll of the call's future unwound: records the panic while the span is still
    /// entered, then leaves it.
    #[cold]
    pub(super) fn poll_unwound(&mut self) {
        if self.state == State::Running {
            self.record_panic();
        }
        self.exit();
    }

    #[inline]
    pub(super) fn exit(&mut self) {
        if self.entered {
            if let Some(frame) = self.flow_mut() {
                flow::pop(frame);
            }
            super::exit(&self.span, &mut self.entered);
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

impl FullCall {
    /// Records how the call ended, on the span, the flow and the metrics, then releases what
    /// the call held (its span, flow frame and label set). A live call sits in a
    /// `ManuallyDrop`, so that the guard of a quiet call has no drop code at all.
    #[inline(never)]
    pub(super) fn finish_and_release(&mut self) {
        self.finish();
        self.span = Span::none();
        self.extra = None;
    }

    fn finish(&mut self) {
        let ending = Ending::of(self.state, self.is_async);
        // What the span and the flow still need; a failure or a panic recorded itself.
        match ending {
            Ending::Ok if self.flow().is_some() => self.end_flow(None),
            Ending::Unwinding => self.record_panic(),
            Ending::Cancelled => {
                self.span.record("cancelled", true);
                self.end_flow(Some(("cancelled", "cancelled before completion")));
            }
            Ending::Unseen => self.record_failure(
                UNSEEN_ERROR,
                &"returned early through a `?` inside a macro call; the error was not seen",
            ),
            Ending::Ok | Ending::Failed | Ending::Panicked => {}
        }
        let recorded = self.extra.as_ref().map_or(UNSEEN_ERROR, |e| e.error_type);
        let (result, error_type) = ending.result(recorded);
        let ended = crate::metrics::Ended::since(self.start);
        let elapsed = ended.elapsed;
        let metrics = self.site.metrics();
        if let Some(threshold) = self.site.info.slow {
            if elapsed > threshold {
                self.slow_call(elapsed, threshold);
                metrics.slow_call();
            }
        }
        if metrics.is_active() {
            let children = self.extra.as_ref().and_then(|e| e.children.as_deref());
            metrics.finished(children, result, ended, error_type);
        }
        self.exit();
    }

    /// The `slow_call` event, if the span records.
    #[cold]
    fn slow_call(&self, elapsed: std::time::Duration, threshold: std::time::Duration) {
        let parent = self.span.id();
        let flow = self
            .flow()
            .map(|frame| (display(frame.id), frame.last_step));
        let flow = flow
            .as_ref()
            .map(|(id, last)| (id as &dyn Value, last as &dyn Value));
        self.site
            .slow_call(parent.as_ref(), elapsed, threshold, flow);
    }
}
