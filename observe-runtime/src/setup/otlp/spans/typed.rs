//! Fields handed to observe's layer already typed, by observe's own HTTP layers: the layer
//! takes them instead of visiting the span's fields one by one (see [`with_typed_fields`]).

use opentelemetry::{KeyValue, Value};

use super::state::Updates;

/// Fields of the next span that observe's own instrumentation creates on this thread, already
/// as OpenTelemetry attributes (see [`with_typed_fields`]).
pub(crate) struct TypedFields {
    /// The span's call site, by its target and name.
    target: &'static str,
    name: &'static str,
    fields: Updates,
}

impl TypedFields {
    /// The fields of the span `name` of `target`: `span_name` and `kind` as `otel.name` and
    /// `otel.kind` set them, and the attributes `attributes` pushes, exactly what visiting
    /// the span's fields would record (after the `target` attribute, as for every span).
    pub(crate) fn new(
        target: &'static str,
        name: &'static str,
        span_name: std::borrow::Cow<'static, str>,
        kind: opentelemetry::trace::SpanKind,
        attributes: impl FnOnce(&mut Vec<KeyValue>),
    ) -> TypedFields {
        // Room for the attributes and those recorded later (a status, an error type), and
        // no more: 16 attributes of 56 bytes stay under glibc's per-thread cache limit
        // (1 032 bytes), which a larger vector misses on every span (a slower malloc and
        // free).
        let mut fields = Updates::with_capacity(16);
        fields
            .attributes
            .push(KeyValue::new("target", Value::from(target)));
        attributes(&mut fields.attributes);
        fields.name = Some(span_name);
        fields.kind = Some(kind);
        TypedFields {
            target,
            name,
            fields,
        }
    }
}

thread_local! {
    static TYPED: std::cell::Cell<Option<TypedFields>> = const { std::cell::Cell::new(None) };
}

/// Whether the current subscriber has observe's layer (which takes [`TypedFields`]).
pub(crate) fn exports_here() -> bool {
    tracing::dispatcher::get_default(|dispatch| {
        dispatch.downcast_ref::<super::SetParent>().is_some()
    })
}

/// Calls `create`, which creates one span of `fields`' call site, and gives observe's layer
/// `fields` for it: it takes them instead of visiting the span's fields one by one, which
/// is most of what a span with many fields costs it. Other layers see the span's fields as
/// ever. `fields` must say what visiting them would (the HTTP layers' tests check both
/// ways against each other).
pub(crate) fn with_typed_fields<R>(fields: TypedFields, create: impl FnOnce() -> R) -> R {
    let _ = TYPED.try_with(|typed| typed.set(Some(fields)));
    let created = create();
    // Not taken (the span disabled, or filtered out for observe's layer): dropped.
    let _ = TYPED.try_with(std::cell::Cell::take);
    created
}

/// The typed fields given for a span of `meta`'s call site, if any.
pub(super) fn take(meta: &'static tracing::Metadata<'static>) -> Option<Updates> {
    TYPED
        .try_with(|typed| {
            let given = typed.take()?;
            if given.name == meta.name() && given.target == meta.target() {
                Some(given.fields)
            } else {
                // Another span created meanwhile (by a layer): not this one's.
                typed.set(Some(given));
                None
            }
        })
        .ok()
        .flatten()
}

/// `text` as a text attribute of key `key` (one per call site and field: the address of a
/// static), shared with the last equal text of the same key as visited fields are.
pub(crate) fn text_value(key: *const u8, text: &str) -> opentelemetry::StringValue {
    super::texts::shared(key as usize, text)
}
