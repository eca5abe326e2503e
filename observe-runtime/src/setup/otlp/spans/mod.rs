//! observe's OpenTelemetry span layer: each `tracing` span becomes an OpenTelemetry span,
//! exported through the SDK's processors and exporters.
//!
//! It maps fields, events, links and status as `tracing-opentelemetry` 0.34 does with the
//! options observe used ([`fields`]), so a collector sees the same spans. What it does not do
//! is what made that path slow: observe builds each span's `SpanData` itself, with ids and
//! sampling decided once when the span starts, and hands it to the batch processor when the
//! span closes; no SDK `Span` and no OpenTelemetry `Context` are made per span, and entering
//! a span pushes its context on a thread-local stack ([`crate::trace_context`]) instead of
//! attaching a `Context`. Code that needs a `Context` builds one from that stack.
//!
//! A span starts (its ids are decided) on its first enter, or earlier when a child, a link or
//! a log line needs them; until then `propagation::Remote::set_parent_of` can still give it a
//! remote parent.

mod fields;
mod state;
mod texts;
#[cfg(feature = "http")]
mod typed;

#[cfg(feature = "http")]
pub(crate) use typed::{exports_here, text_value, with_typed_fields, TypedFields};

use std::any::TypeId;
use std::marker::PhantomData;
use std::sync::Arc;

use opentelemetry::trace::{Event, SpanContext, TraceContextExt as _};
use opentelemetry::{InstrumentationScope, KeyValue, Value};
use opentelemetry_sdk::trace::{SdkTracer, SpanProcessor};
use tracing::span::{Attributes, Id, Record};
use tracing::{Dispatch, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::{LookupSpan, SpanRef};
use tracing_subscriber::Layer;

use crate::setup::Sampler;
use fields::{EventFields, SpanFields};
pub(crate) use state::OtelSpan;
use state::{Export, Recording, Updates};

/// The context of `span` if observe's layer exports it and it has started.
pub(crate) fn started_context<S>(span: &SpanRef<'_, S>) -> Option<SpanContext>
where
    S: for<'a> LookupSpan<'a>,
{
    span.extensions().get::<OtelSpan>()?.context().cloned()
}

/// Records `event` as a span event of `span`.
fn record_event<S>(span: &SpanRef<'_, S>, event: &tracing::Event<'_>)
where
    S: for<'a> LookupSpan<'a>,
{
    if !recording(span) {
        return;
    }
    let meta = event.metadata();
    let mut otel_event = Event::new(
        "",
        opentelemetry::time::now(),
        vec![
            KeyValue::new("level", meta.level().as_str()),
            KeyValue::new("target", Value::from(meta.target())),
        ],
        0,
    );
    let mut updates = Updates::reusing();
    if *meta.level() == tracing::Level::ERROR {
        updates.set_status(opentelemetry::trace::Status::error(""));
    }
    event.record(&mut EventFields {
        event: &mut otel_event,
        span: &mut updates,
        site: site(meta),
    });
    if otel_event.name.is_empty() {
        otel_event.name = meta.name().into();
    }
    let mut extensions = span.extensions_mut();
    if let Some(recording) = extensions
        .get_mut::<OtelSpan>()
        .and_then(|otel| otel.recording.as_mut())
    {
        recording.apply(updates);
        recording.event(otel_event);
    }
}

/// Whether `span` is exported and still records (not started unsampled): else its fields and
/// events are not even formatted.
fn recording<S>(span: &SpanRef<'_, S>) -> bool
where
    S: for<'a> LookupSpan<'a>,
{
    span.extensions()
        .get::<OtelSpan>()
        .is_some_and(|otel| otel.recording.is_some())
}

/// A call site's identity: its metadata's address.
fn site(meta: &'static tracing::Metadata<'static>) -> *const () {
    (meta as *const tracing::Metadata<'static>).cast()
}

/// The fields observe's HTTP layers gave for a span of `meta`'s call site, if any.
fn typed_fields(meta: &'static tracing::Metadata<'static>) -> Option<Updates> {
    #[cfg(feature = "http")]
    return typed::take(meta);
    #[cfg(not(feature = "http"))]
    {
        let _ = meta;
        None
    }
}

/// The layer. `S` is the subscriber it is layered on (for [`SetParent`]).
pub(crate) struct SpanLayer<S> {
    export: Export,
    set_parent: SetParent,
    _subscriber: PhantomData<fn(S)>,
}

/// Reaches the layer from a `Dispatch` (as `tracing-opentelemetry`'s `WithContext` does):
/// gives a span that has not started a remote parent.
pub(crate) struct SetParent(fn(&Dispatch, &Id, SpanContext));

impl SetParent {
    /// Makes `parent` the parent of `span`, if observe's layer exports it and it has not
    /// started.
    pub(crate) fn apply(span: &tracing::Span, parent: SpanContext) {
        span.with_subscriber(|(id, dispatch)| {
            if let Some(set) = dispatch.downcast_ref::<SetParent>() {
                (set.0)(dispatch, id, parent);
            }
        });
    }
}

impl<S> SpanLayer<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    /// A layer handing spans to `processor`, sampled by `sampler`.
    pub(crate) fn with_processor(processor: Arc<dyn SpanProcessor>, sampler: Sampler) -> Self {
        Self::new(Export::Processor {
            processor,
            sampler,
            scope: InstrumentationScope::builder("observe").build(),
        })
    }

    /// A layer starting spans through `tracer`.
    pub(crate) fn with_tracer(tracer: SdkTracer) -> Self {
        Self::new(Export::Tracer(tracer))
    }

    fn new(export: Export) -> Self {
        // From now on a span can be sampled: calls look for one to keep as their exemplar.
        crate::metrics::exemplars::enable();
        SpanLayer {
            export,
            set_parent: SetParent(Self::set_parent),
            _subscriber: PhantomData,
        }
    }

    fn set_parent(dispatch: &Dispatch, id: &Id, parent: SpanContext) {
        let Some(subscriber) = dispatch.downcast_ref::<S>() else {
            return;
        };
        if let Some(span) = subscriber.span(id) {
            if let Some(otel) = span.extensions_mut().get_mut::<OtelSpan>() {
                otel.set_parent(parent);
            }
        }
    }

    /// The started context of `span`, starting it if needed.
    fn context_of(&self, span: &SpanRef<'_, S>) -> Option<SpanContext> {
        let mut extensions = span.extensions_mut();
        let otel = extensions.get_mut::<OtelSpan>()?;
        Some(otel.start(&self.export).clone())
    }

    /// The parent of a new span: its explicit parent, else the current span, else the
    /// current OpenTelemetry context (a remote parent attached by the application).
    fn parent(&self, attrs: &Attributes<'_>, ctx: &Context<'_, S>) -> Option<SpanContext> {
        if let Some(parent) = attrs.parent() {
            return ctx.span(parent).and_then(|span| self.context_of(&span));
        }
        if !attrs.is_contextual() {
            return None;
        }
        if let Some(context) = ctx.lookup_current().and_then(|span| self.context_of(&span)) {
            return Some(context);
        }
        opentelemetry::Context::map_current(|cx| {
            let context = cx.span().span_context().clone();
            context.is_valid().then_some(context)
        })
    }
}

impl<S> Layer<S> for SpanLayer<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let parent = self.parent(attrs, &ctx);
        let meta = attrs.metadata();
        let fields = typed_fields(meta).unwrap_or_else(|| {
            // Room for every field, those recorded later too.
            let mut fields = Updates::with_capacity(attrs.fields().len() + 1);
            fields
                .attributes
                .push(KeyValue::new("target", Value::from(meta.target())));
            attrs.record(&mut SpanFields(&mut fields, site(meta)));
            fields
        });
        let recording = Recording::new(meta.name(), fields);
        span.extensions_mut()
            .insert(OtelSpan::new(parent, recording));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        if !recording(&span) {
            return;
        }
        let mut updates = Updates::reusing();
        values.record(&mut SpanFields(&mut updates, site(span.metadata())));
        let mut extensions = span.extensions_mut();
        if let Some(recording) = extensions
            .get_mut::<OtelSpan>()
            .and_then(|otel| otel.recording.as_mut())
        {
            recording.apply(updates);
        }
    }

    fn on_follows_from(&self, id: &Id, follows: &Id, ctx: Context<'_, S>) {
        let (Some(span), Some(follows)) = (ctx.span(id), ctx.span(follows)) else {
            return;
        };
        let Some(context) = self.context_of(&follows) else {
            return;
        };
        let mut extensions = span.extensions_mut();
        if let Some(recording) = extensions
            .get_mut::<OtelSpan>()
            .and_then(|otel| otel.recording.as_mut())
        {
            recording.link(context);
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.event_span(event) else {
            return;
        };
        record_event(&span, event);
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        if let Some(context) = ctx.span(id).and_then(|span| self.context_of(&span)) {
            crate::trace_context::push(id.into_u64(), context);
        }
    }

    fn on_exit(&self, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        if let Some(otel) = extensions.get_mut::<OtelSpan>() {
            if let Some(recording) = otel.recording.as_mut() {
                recording.end = Some(opentelemetry::time::now());
            }
            crate::trace_context::pop(id.into_u64());
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let otel = span.extensions_mut().remove::<OtelSpan>();
        // Exported without holding the span's extensions: the exporter may log.
        if let Some(otel) = otel {
            otel.finish(&self.export);
        }
    }

    // SAFETY: each pointer returned is to a value of the type asked for, borrowed from `self`,
    // as `Layer::downcast_raw` requires.
    #[allow(unsafe_code)]
    unsafe fn downcast_raw(&self, id: TypeId) -> Option<*const ()> {
        if id == TypeId::of::<Self>() {
            Some(self as *const Self as *const ())
        } else if id == TypeId::of::<SetParent>() {
            Some(&self.set_parent as *const SetParent as *const ())
        } else {
            None
        }
    }
}
