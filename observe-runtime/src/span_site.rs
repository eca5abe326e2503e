//! The span of a call site, built by the runtime instead of by `tracing::span!` in every
//! expansion: the macro passes the call site and the values of its recorded arguments and
//! fields, the runtime keeps one registered callsite per site (made on first use, like the
//! statics `span!` would generate) and fills in `code.*` and the empty outcome fields.
//!
//! Why: `span!` with a dozen fields expands (through `tracing`'s recursive field macros) into
//! much code per function, which costs compile time and `.text` in every annotated function;
//! a call into the runtime with a slice of values costs neither.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

use tracing::level_filters::{LevelFilter, STATIC_MAX_LEVEL};
use tracing::Span;
use tracing_core::callsite::{Callsite, Identifier};
use tracing_core::dispatcher;
use tracing_core::field::{Field, FieldSet, Value};
use tracing_core::metadata::{Kind, Metadata};
use tracing_core::subscriber::Interest;

use crate::event::MAX_FIELDS;
use crate::site::Site;

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

const NEVER: u8 = 0;
const SOMETIMES: u8 = 1;
const ALWAYS: u8 = 2;

pub(crate) struct SpanSite {
    meta: OnceLock<Metadata<'static>>,
    fields: OnceLock<Vec<Field>>,
    interest: AtomicU8,
    /// `code.function.name` and `code.line.number`, computed once.
    path: &'static str,
    line: i64,
}

impl Callsite for SpanSite {
    fn set_interest(&self, interest: Interest) {
        let value = if interest.is_never() {
            NEVER
        } else if interest.is_always() {
            ALWAYS
        } else {
            SOMETIMES
        };
        self.interest.store(value, Ordering::Release);
    }

    fn metadata(&self) -> &Metadata<'_> {
        self.meta
            .get()
            .expect("span metadata is set before registration")
    }
}

impl SpanSite {
    /// The registered span callsite of `site`.
    fn new(site: &'static Site, marker: &'static str) -> &'static SpanSite {
        let info = &site.info;
        let mut names: Vec<&'static str> = HEAD.to_vec();
        names.extend(info.span_fields.iter().take(MAX_SPAN_VALUES));
        names.extend(TAIL);
        if info.records_return {
            names.push("return");
        }
        let names: &'static [&'static str] = Box::leak(names.into_boxed_slice());
        let span_site: &'static SpanSite = Box::leak(Box::new(SpanSite {
            meta: OnceLock::new(),
            fields: OnceLock::new(),
            interest: AtomicU8::new(SOMETIMES),
            path: site.function_path(marker),
            line: i64::from(info.line),
        }));
        let field_set = FieldSet::new(names, Identifier(span_site));
        let _ = span_site.fields.set(field_set.iter().collect());
        let _ = span_site.meta.set(Metadata::new(
            info.name,
            info.target,
            info.level,
            Some(info.file),
            Some(info.line),
            Some(info.module),
            field_set,
            Kind::SPAN,
        ));
        tracing_core::callsite::register(span_site);
        span_site
    }

    fn enabled(&self) -> bool {
        match self.interest.load(Ordering::Acquire) {
            NEVER => false,
            ALWAYS => true,
            _ => {
                let meta = self.metadata();
                dispatcher::get_default(|dispatch| dispatch.enabled(meta))
            }
        }
    }
}

impl Site {
    /// The call's span, with `values` for the call site's recorded arguments and fields (in
    /// the order of its `span_fields`); a disabled span when no subscriber wants it.
    /// `marker` is the type name of a fn nested in the instrumented function (its path).
    #[inline(never)]
    pub fn span(&'static self, marker: &'static str, values: &[&dyn Value]) -> Span {
        let level = self.info.level;
        if level > STATIC_MAX_LEVEL || level > LevelFilter::current() {
            return Span::none();
        }
        let site = *self.span_site.get_or_init(|| SpanSite::new(self, marker));
        if !site.enabled() {
            return Span::none();
        }
        let (Some(meta), Some(fields)) = (site.meta.get(), site.fields.get()) else {
            return Span::none();
        };
        let head: [&dyn Value; 3] = [&site.path, &self.info.file, &site.line];
        let values = values.get(..MAX_SPAN_VALUES).unwrap_or(values);
        let given = head.iter().chain(values).copied();
        // Value sets are arrays of at most 32: the smallest that holds the given values (the
        // fields left out stay empty).
        match head.len() + values.len() {
            0..=4 => new_span::<4>(meta, fields, given),
            5..=8 => new_span::<8>(meta, fields, given),
            9..=16 => new_span::<16>(meta, fields, given),
            _ => new_span::<MAX_FIELDS>(meta, fields, given),
        }
    }
}

/// A span with `values` for the first of `fields`; the others stay empty (a pair without a
/// value is skipped by every visitor).
#[inline(always)]
fn new_span<'a, const N: usize>(
    meta: &'static Metadata<'static>,
    fields: &'a [Field],
    values: impl Iterator<Item = &'a dyn Value>,
) -> Span {
    let mut pairs: [(&Field, Option<&dyn Value>); N] = [(&fields[0], None); N];
    for ((pair, field), value) in pairs.iter_mut().zip(fields).zip(values) {
        *pair = (field, Some(value));
    }
    Span::new(meta, &meta.fields().value_set(&pairs))
}
