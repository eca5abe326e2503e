//! One span's OpenTelemetry state, from `tracing`'s new span to its close, and where it goes:
//! straight to a span processor as `SpanData` (ids and sampling observe's own), or through
//! the tracer of a provider the application built.

use std::borrow::Cow;
use std::cell::Cell;
use std::sync::Arc;
use std::time::SystemTime;

use opentelemetry::trace::{
    Event, Link, SpanBuilder, SpanContext, SpanKind, Status, TraceContextExt as _, TraceFlags,
    TraceState, Tracer as _,
};
use opentelemetry::{Context, InstrumentationScope, KeyValue};
use opentelemetry_sdk::trace::{
    IdGenerator, RandomIdGenerator, SdkTracer, SpanData, SpanEvents, SpanLimits, SpanLinks,
    SpanProcessor,
};

use crate::setup::Sampler;

/// Where finished spans go.
pub(super) enum Export {
    /// observe builds each span's `SpanData` and hands it to the processor: no SDK `Span`,
    /// no `Context` per span. The processor's `on_start` is not called.
    Processor {
        processor: Arc<dyn SpanProcessor>,
        sampler: Sampler,
        scope: InstrumentationScope,
    },
    /// Spans started through the tracer of a provider the application built (its own
    /// processors, sampler and id generator).
    Tracer(SdkTracer),
}

/// What a span records until it closes.
pub(crate) struct Recording {
    pub(super) name: Cow<'static, str>,
    pub(super) kind: SpanKind,
    pub(super) attributes: Vec<KeyValue>,
    dropped_attributes: u32,
    pub(super) events: Vec<Event>,
    dropped_events: u32,
    pub(super) links: Vec<Link>,
    pub(super) status: Status,
    pub(super) start: SystemTime,
    /// When it was last exited.
    pub(super) end: Option<SystemTime>,
}

/// What a record of fields or an event says of its span: gathered before the span's
/// extensions are locked, so that formatting a value (which may record, or panic) never runs
/// under the lock.
#[derive(Default)]
pub(crate) struct Updates {
    pub(super) name: Option<Cow<'static, str>>,
    pub(super) kind: Option<SpanKind>,
    pub(super) status: Option<Status>,
    pub(super) attributes: Vec<KeyValue>,
}

thread_local! {
    /// An empty vector with room, for the attributes of the next record or event: a record
    /// of a field allocates nothing.
    static SPARE: Cell<Vec<KeyValue>> = const { Cell::new(Vec::new()) };
}

impl Updates {
    /// Updates whose attributes go in this thread's spare vector (given back by
    /// [`Recording::apply`]).
    pub(super) fn reusing() -> Updates {
        Updates {
            attributes: SPARE.try_with(Cell::take).unwrap_or_default(),
            ..Updates::default()
        }
    }

    pub(super) fn with_capacity(attributes: usize) -> Updates {
        Updates {
            attributes: Vec::with_capacity(attributes),
            ..Updates::default()
        }
    }

    /// The SDK's order of statuses (see [`Recording::set_status`]), among these updates.
    pub(super) fn set_status(&mut self, status: Status) {
        if self.status.as_ref().is_none_or(|current| status > *current) {
            self.status = Some(status);
        }
    }
}

/// The SDK's default limits, as a provider applies them.
const LIMITS: SpanLimits = SpanLimits {
    max_events_per_span: 128,
    max_attributes_per_span: 128,
    max_links_per_span: 128,
    max_attributes_per_event: 128,
    max_attributes_per_link: 128,
};

impl Recording {
    /// A new span's recording: named `name` unless `fields` name it, with the attributes of
    /// `fields` (their vector kept).
    pub(super) fn new(name: &'static str, fields: Updates) -> Recording {
        let mut attributes = fields.attributes;
        let limit = LIMITS.max_attributes_per_span as usize;
        let dropped_attributes = attributes.len().saturating_sub(limit) as u32;
        attributes.truncate(limit);
        Recording {
            name: fields.name.unwrap_or(Cow::Borrowed(name)),
            kind: fields.kind.unwrap_or(SpanKind::Internal),
            attributes,
            dropped_attributes,
            events: Vec::new(),
            dropped_events: 0,
            links: Vec::new(),
            status: fields.status.unwrap_or(Status::Unset),
            start: opentelemetry::time::now(),
            end: None,
        }
    }

    pub(super) fn apply(&mut self, updates: Updates) {
        if let Some(name) = updates.name {
            self.name = name;
        }
        if let Some(kind) = updates.kind {
            self.kind = kind;
        }
        if let Some(status) = updates.status {
            self.set_status(status);
        }
        let mut attributes = updates.attributes;
        for attribute in attributes.drain(..) {
            self.attribute(attribute);
        }
        if attributes.capacity() <= 32 {
            let _ = SPARE.try_with(|spare| spare.set(attributes));
        }
    }

    pub(super) fn attribute(&mut self, attribute: KeyValue) {
        if self.attributes.len() < LIMITS.max_attributes_per_span as usize {
            self.attributes.push(attribute);
        } else {
            self.dropped_attributes += 1;
        }
    }

    pub(super) fn event(&mut self, mut event: Event) {
        if self.events.len() < LIMITS.max_events_per_span as usize {
            let limit = LIMITS.max_attributes_per_event as usize;
            event.dropped_attributes_count = event.attributes.len().saturating_sub(limit) as u32;
            event.attributes.truncate(limit);
            self.events.push(event);
        } else {
            self.dropped_events += 1;
        }
    }

    pub(super) fn link(&mut self, context: SpanContext) {
        if self.links.len() < LIMITS.max_links_per_span as usize {
            self.links.push(Link::with_context(context));
        }
    }

    /// The SDK's rule: Ok over Error over Unset, a later error text over an empty one.
    pub(super) fn set_status(&mut self, status: Status) {
        if status > self.status {
            self.status = status;
        }
    }
}

/// Once started: the span's context (ids and sampling decided).
enum Started {
    Own(SpanContext),
    Sdk(Box<opentelemetry_sdk::trace::Span>),
}

/// A span's state, kept in its extensions.
pub(crate) struct OtelSpan {
    /// Its parent's context, when it has one.
    parent: Option<SpanContext>,
    started: Option<Started>,
    /// `None` once started and not sampled: nothing more to record.
    pub(super) recording: Option<Recording>,
}

impl OtelSpan {
    pub(super) fn new(parent: Option<SpanContext>, recording: Recording) -> OtelSpan {
        OtelSpan {
            parent,
            started: None,
            recording: Some(recording),
        }
    }

    /// Its context, if it has started (for log lines and children).
    pub(crate) fn context(&self) -> Option<&SpanContext> {
        match self.started.as_ref()? {
            Started::Own(context) => Some(context),
            Started::Sdk(span) => Some(opentelemetry::trace::Span::span_context(&**span)),
        }
    }

    /// Continues `parent`'s trace, if the span has not started yet (its ids unknown to all).
    pub(super) fn set_parent(&mut self, parent: SpanContext) -> bool {
        if self.started.is_some() {
            return false;
        }
        self.parent = Some(parent).filter(SpanContext::is_valid);
        true
    }

    /// Starts it (ids and sampling decided) if it has not started: on first enter, when a
    /// child, a link or a log line needs its context, or at close.
    pub(super) fn start(&mut self, export: &Export) -> &SpanContext {
        if self.started.is_none() {
            self.started = Some(match export {
                Export::Processor { sampler, .. } => {
                    let context = own_context(self.parent.as_ref(), *sampler);
                    if !context.is_sampled() {
                        self.recording = None;
                    }
                    Started::Own(context)
                }
                Export::Tracer(tracer) => Started::Sdk(Box::new(self.start_sdk(tracer))),
            });
        }
        self.context().expect("started above")
    }

    fn start_sdk(&mut self, tracer: &SdkTracer) -> opentelemetry_sdk::trace::Span {
        use opentelemetry::trace::Span as _;
        let parent = self.parent.clone().map_or_else(Context::new, |parent| {
            Context::new().with_remote_span_context(parent)
        });
        let recording = self.recording.as_mut().expect("recording until started");
        let builder = SpanBuilder::from_name(recording.name.clone())
            .with_kind(recording.kind.clone())
            .with_start_time(recording.start)
            .with_attributes(std::mem::take(&mut recording.attributes))
            .with_events(std::mem::take(&mut recording.events))
            .with_links(std::mem::take(&mut recording.links));
        // The span's extensions are held: what the SDK's processors log must not reach the
        // layer again.
        let none = tracing::Dispatch::none();
        let span = tracing::dispatcher::with_default(&none, || {
            tracer.build_with_context(builder, &parent)
        });
        if !span.is_recording() {
            self.recording = None;
        }
        span
    }

    /// The span closed at `end` (or its last exit): hands it to the exporter.
    pub(super) fn finish(mut self, export: &Export) {
        self.start(export);
        let Some(recording) = self.recording.take() else {
            return;
        };
        let end = recording.end.unwrap_or_else(opentelemetry::time::now);
        match (self.started.take(), export) {
            (
                Some(Started::Own(span_context)),
                Export::Processor {
                    processor, scope, ..
                },
            ) => {
                let parent = self.parent.as_ref();
                let mut events = SpanEvents::default();
                events.events = recording.events;
                events.dropped_count = recording.dropped_events;
                let mut links = SpanLinks::default();
                links.links = recording.links;
                processor.on_end(SpanData {
                    span_context,
                    parent_span_id: parent
                        .map_or(opentelemetry::trace::SpanId::INVALID, |p| p.span_id()),
                    parent_span_is_remote: parent.is_some_and(SpanContext::is_remote),
                    span_kind: recording.kind,
                    name: recording.name,
                    start_time: recording.start,
                    end_time: end,
                    attributes: recording.attributes,
                    dropped_attributes_count: recording.dropped_attributes,
                    events,
                    links,
                    status: recording.status,
                    instrumentation_scope: scope.clone(),
                });
            }
            (Some(Started::Sdk(mut span)), _) => {
                use opentelemetry::trace::Span as _;
                span.update_name(recording.name);
                span.set_attributes(recording.attributes);
                for event in recording.events {
                    span.add_event_with_timestamp(event.name, event.timestamp, event.attributes);
                }
                for link in recording.links {
                    span.add_link(link.span_context, link.attributes);
                }
                span.set_status(recording.status);
                span.end_with_timestamp(end);
            }
            _ => {}
        }
    }
}

/// A new span's context under `parent`, sampled as `sampler` decides (the SDK's samplers'
/// rules, without building a `Context` to ask them).
fn own_context(parent: Option<&SpanContext>, sampler: Sampler) -> SpanContext {
    let ids = RandomIdGenerator::default();
    let trace_id = parent.map_or_else(|| ids.new_trace_id(), SpanContext::trace_id);
    let by_ratio = |ratio: f64| {
        if ratio >= 1.0 {
            return true;
        }
        let bound = (ratio.max(0.0) * (1u64 << 63) as f64) as u64;
        let low = u64::from_be_bytes(trace_id.to_bytes()[8..].try_into().expect("8 bytes"));
        (low >> 1) < bound
    };
    let parent_sampled = parent.map(SpanContext::is_sampled);
    let sampled = match (sampler, parent_sampled) {
        (Sampler::AlwaysOn, _) => true,
        (Sampler::AlwaysOff, _) => false,
        (Sampler::TraceIdRatio(ratio), _) => by_ratio(ratio),
        (
            Sampler::ParentBasedAlwaysOn
            | Sampler::ParentBasedAlwaysOff
            | Sampler::ParentBasedTraceIdRatio(_),
            Some(sampled),
        ) => sampled,
        (Sampler::ParentBasedAlwaysOn, None) => true,
        (Sampler::ParentBasedAlwaysOff, None) => false,
        (Sampler::ParentBasedTraceIdRatio(ratio), None) => by_ratio(ratio),
    };
    let flags = parent.map_or(TraceFlags::default(), SpanContext::trace_flags);
    SpanContext::new(
        trace_id,
        ids.new_span_id(),
        flags.with_sampled(sampled),
        false,
        parent.map_or_else(TraceState::default, |p| p.trace_state().clone()),
    )
}
