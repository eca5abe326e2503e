//! The span of a call site, built by the runtime instead of by `tracing::span!` in every
//! expansion: the macro passes the call site and the values of its recorded arguments and
//! fields, the runtime keeps one registered callsite per site (made on first use, like the
//! statics `span!` would generate) and fills in `code.*` and the empty outcome fields.
//!
//! Why: `span!` with a dozen fields expands (through `tracing`'s recursive field macros) into
//! much code per function, which costs compile time and `.text` in every annotated function;
//! a call into the runtime with a slice of values costs neither.

use tracing::level_filters::{LevelFilter, STATIC_MAX_LEVEL};
use tracing::Span;
use tracing_core::dispatcher;
use tracing_core::field::{Field, Value};
use tracing_core::metadata::{Kind, Metadata};

use super::callsite::RuntimeCallsite;
use super::event::MAX_FIELDS;
use super::interest::CachedInterest;
use super::Site;
use crate::info::SiteInfo;

/// Fields every span has before the call site's own (`code.*`), and after them.
const HEAD: [&str; 3] = ["code.function.name", "code.file.path", "code.line.number"];
const TAIL: [&str; 4] = [
    "otel.status_code",
    "otel.status_description",
    "error.type",
    "cancelled",
];

/// The most recorded arguments and fields a span can carry (`tracing`'s limit of 32 fields,
/// less the fixed ones and `return`).
pub const MAX_SPAN_VALUES: usize = MAX_FIELDS - HEAD.len() - TAIL.len() - 1;

/// The registered callsite of a call site's span: what `tracing` asks about it. Made apart
/// from [`SpanSite`] (which needs the function's path, known where the span is made), so that
/// a call that makes no span can register it too.
pub(crate) type SpanCallsite = RuntimeCallsite;

/// The span callsite of the call site `info`, registered with `tracing`.
fn register_span(info: &'static SiteInfo) -> &'static SpanCallsite {
    let mut names: Vec<&'static str> = HEAD.to_vec();
    names.extend(info.span_fields.iter().take(MAX_SPAN_VALUES));
    names.extend(TAIL);
    if info.records_return {
        names.push("return");
    }
    let names: &'static [&'static str] = Box::leak(names.into_boxed_slice());
    let callsite: &'static SpanCallsite = Box::leak(Box::new(RuntimeCallsite::new()));
    callsite.register(info, info.name, info.level, names, Kind::SPAN);
    callsite
}

/// What making a call site's span takes, resolved once (plain fields: one check per call, the
/// site's `OnceLock`).
pub(crate) struct SpanSite {
    registered: &'static SpanCallsite,
    meta: &'static Metadata<'static>,
    /// `code.*`, then the recorded arguments and fields.
    head: &'static [Field; 3],
    values: &'static [Field],
    /// `code.function.name` and `code.line.number`.
    path: &'static str,
    line: i64,
}

impl SpanSite {
    /// What making the spans of `site` takes, its callsite registered with `tracing`.
    fn new(site: &'static Site, marker: &'static str) -> SpanSite {
        let registered = site.span_callsite();
        let meta = registered.meta();
        let fields: Vec<Field> = meta.fields().iter().collect();
        let (head, values) = fields.split_at(HEAD.len());
        let head: [Field; 3] = [head[0].clone(), head[1].clone(), head[2].clone()];
        SpanSite {
            registered,
            meta,
            head: Box::leak(Box::new(head)),
            values: Box::leak(values.to_vec().into_boxed_slice()),
            path: site.function_path(marker),
            line: i64::from(site.info.line),
        }
    }

    #[inline(always)]
    pub(crate) fn interest(&self) -> &CachedInterest {
        &self.registered.interest
    }

    #[inline]
    fn enabled(&self) -> bool {
        let interest = self.interest();
        if interest.is_never() {
            false
        } else if interest.is_always() {
            true
        } else {
            dispatcher::get_default(|dispatch| dispatch.enabled(self.meta))
        }
    }
}

impl Site {
    /// The call's span, with `values` for the call site's recorded arguments and fields (in
    /// the order of its `span_fields`); a disabled span when no subscriber wants it.
    /// `marker` is the type name of a fn nested in the instrumented function (its path).
    #[inline(never)]
    pub fn span(&'static self, marker: &'static str, values: &[&dyn Value]) -> Span {
        let Some(site) = self.span_site.get() else {
            return self.first_span(marker, values);
        };
        let level = self.info.level;
        if level > STATIC_MAX_LEVEL || level > LevelFilter::current() {
            return Span::none();
        }
        if !values.is_empty() || !site.interest().is_always() {
            return self.span_otherwise(site, values);
        }
        // The common case (no `args`, no `fields`, a subscriber that always wants the span):
        // the `code.*` values alone, with nothing else to call first.
        let pairs: [(&Field, Option<&dyn Value>); 3] = [
            (&site.head[0], Some(&site.path)),
            (&site.head[1], Some(&self.info.file)),
            (&site.head[2], Some(&site.line)),
        ];
        Span::new(site.meta, &site.meta.fields().value_set(&pairs))
    }

    /// The first span of the call site: resolves its callsite, whatever the level. That
    /// installs the panic hook (once), which keeps panic messages for the failure record of a
    /// call whose span is disabled too.
    #[cold]
    #[inline(never)]
    fn first_span(&'static self, marker: &'static str, values: &[&dyn Value]) -> Span {
        let _ = self.span_site.get_or_init(|| SpanSite::new(self, marker));
        self.span(marker, values)
    }

    /// The registered callsite of this site's span (made once). Making it also makes the
    /// `exception` event's callsite, so that [`Site::unwanted`] can tell from then on, and
    /// installs the panic hook (once), which keeps panic messages for the failure record of a
    /// call whose span is disabled too.
    fn span_callsite(&'static self) -> &'static SpanCallsite {
        self.span_callsite.get_or_init(|| {
            crate::panic::install_hook();
            let _ = self.exception();
            register_span(&self.info)
        })
    }

    /// Registers the callsites of this site's span and `exception` event, for a call that
    /// makes no span: from then on `tracing` tells them, and [`Site::unwanted`] can tell,
    /// whether any subscriber wants them.
    #[cold]
    #[inline(never)]
    pub(crate) fn register_callsites(&'static self) {
        let _ = self.span_callsite();
    }

    /// Whether, as `tracing` last told their callsites, no subscriber wants this site's span
    /// nor its `exception` event (`false` until they are registered). Then a call of a site
    /// without a flow has nothing to record but its metrics, without asking anyone, as
    /// `tracing`'s own macros tell from their statics.
    #[inline(always)]
    pub(crate) fn unwanted(&self) -> bool {
        self.span_callsite
            .get()
            .is_some_and(|span| span.interest.is_never())
            && self
                .exception
                .get()
                .is_some_and(|event| event.callsite.interest.is_never())
    }

    /// [`Site::span`] with an explicit parent (`parent = …`): `None` makes a root span.
    #[inline(never)]
    pub fn span_child_of(
        &'static self,
        marker: &'static str,
        values: &[&dyn Value],
        parent: Option<tracing::Id>,
    ) -> Span {
        let site = self.span_site.get_or_init(|| SpanSite::new(self, marker));
        let level = self.info.level;
        if level > STATIC_MAX_LEVEL || level > LevelFilter::current() || !site.enabled() {
            return Span::none();
        }
        let head: [&dyn Value; 3] = [&site.path, &self.info.file, &site.line];
        let values = values.get(..MAX_SPAN_VALUES).unwrap_or(values);
        let parent = Some(parent);
        match head.len() + values.len() {
            0..=8 => span_with::<8>(site, head, values, parent),
            9..=16 => span_with::<16>(site, head, values, parent),
            _ => span_with::<MAX_FIELDS>(site, head, values, parent),
        }
    }

    /// A span with recorded values, or one the subscriber is to be asked about.
    #[inline(never)]
    fn span_otherwise(&'static self, site: &'static SpanSite, values: &[&dyn Value]) -> Span {
        if !site.enabled() {
            return Span::none();
        }
        let head: [&dyn Value; 3] = [&site.path, &self.info.file, &site.line];
        let values = values.get(..MAX_SPAN_VALUES).unwrap_or(values);
        // Value sets are arrays of at most 32: the smallest that holds the given values (the
        // fields left out stay empty).
        match head.len() + values.len() {
            0..=8 => span_with::<8>(site, head, values, None),
            9..=16 => span_with::<16>(site, head, values, None),
            _ => span_with::<MAX_FIELDS>(site, head, values, None),
        }
    }
}

/// A span with the `code.*` values and `values` for the first recorded fields; the others
/// stay empty (a pair without a value is skipped by every visitor). `parent`: the explicit
/// parent, if one was given (`Some(None)`: a root).
#[inline(never)]
fn span_with<const N: usize>(
    site: &'static SpanSite,
    head: [&dyn Value; 3],
    values: &[&dyn Value],
    parent: Option<Option<tracing::Id>>,
) -> Span {
    let fields = site.head.iter().chain(site.values);
    let given = head.iter().chain(values).copied();
    let mut pairs: [(&Field, Option<&dyn Value>); N] = [(&site.head[0], None); N];
    for ((pair, field), value) in pairs.iter_mut().zip(fields).zip(given) {
        *pair = (field, Some(value));
    }
    let values = site.meta.fields().value_set(&pairs);
    match parent {
        None => Span::new(site.meta, &values),
        Some(parent) => Span::child_of(parent, site.meta, &values),
    }
}
