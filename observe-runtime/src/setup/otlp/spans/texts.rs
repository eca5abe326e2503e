//! Text attribute values shared between spans: most text a span records is the same at every
//! call of its call site (`code.function.name`, `code.file.path`, a route, a method). Each
//! thread keeps the last text per call site and field in a small direct-mapped table. A value
//! equal to it is shared instead of copied: interned ([`crate::intern`]) from its second
//! occurrence on, so that the span holds a `&'static str` and costs nothing to make or drop;
//! else (the interner full) the same `Arc<str>`. That matters more than the allocation
//! itself: the exporter's thread frees what the application's thread allocated (and drops
//! the reference counts it shares), and on two cores those frees contend on the allocator.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::sync::Arc;

use opentelemetry::StringValue;

const SLOTS: usize = 64;

/// The text last recorded under a slot's key.
enum Text {
    /// Seen once (or not internable: `interning_failed`).
    Shared {
        text: Arc<str>,
        interning_failed: bool,
    },
    Interned(&'static str),
}

/// A slot: the key (call site and field) and its text.
type Slot = Option<(usize, Text)>;

thread_local! {
    static LAST: RefCell<[Slot; SLOTS]> =
        const { RefCell::new([const { None }; SLOTS]) };
    /// Where `Debug` values are written before they are looked up.
    static SCRATCH: RefCell<String> = const { RefCell::new(String::new()) };
}

/// `text` as an attribute value, shared with the last equal text of the same `key` (a call
/// site and field) on this thread.
pub(super) fn shared(key: usize, text: &str) -> StringValue {
    let slot = key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (usize::BITS - SLOTS.trailing_zeros());
    LAST.try_with(|last| {
        let Ok(mut last) = last.try_borrow_mut() else {
            return StringValue::from(text.to_owned());
        };
        let entry = &mut last[slot];
        if let Some((at, last)) = entry {
            if *at == key {
                match last {
                    Text::Interned(interned) if *interned == text => {
                        return StringValue::from(*interned);
                    }
                    Text::Shared {
                        text: shared,
                        interning_failed,
                    } if **shared == *text => {
                        if !*interning_failed {
                            if let Some(interned) = crate::intern::intern(text) {
                                *last = Text::Interned(interned);
                                return StringValue::from(interned);
                            }
                            *interning_failed = true;
                        }
                        return StringValue::from(Arc::clone(shared));
                    }
                    _ => {}
                }
            }
        }
        let shared: Arc<str> = Arc::from(text);
        *entry = Some((
            key,
            Text::Shared {
                text: Arc::clone(&shared),
                interning_failed: false,
            },
        ));
        StringValue::from(shared)
    })
    .unwrap_or_else(|_| StringValue::from(text.to_owned()))
}

/// `value`'s `Debug` text as an attribute value, shared as [`shared`] does.
pub(super) fn shared_debug(key: usize, value: &dyn fmt::Debug) -> StringValue {
    with_debug_text(value, |text| shared(key, text))
}

/// Calls `f` with `value`'s `Debug` text, written in a reused buffer, so that an equal text
/// allocates nothing; a `Debug` that records a span or an event itself gets a buffer of its
/// own.
fn with_debug_text<R>(value: &dyn fmt::Debug, f: impl FnOnce(&str) -> R) -> R {
    let mut f = Some(f);
    let reused = SCRATCH.try_with(|scratch| {
        let mut scratch = scratch.try_borrow_mut().ok()?;
        scratch.clear();
        write!(scratch, "{value:?}").ok()?;
        let out = (f.take()?)(&scratch);
        if scratch.capacity() > 4096 {
            *scratch = String::new();
        }
        Some(out)
    });
    match reused.ok().flatten() {
        Some(out) => out,
        None => (f.take().expect("not called when the buffer failed"))(&format!("{value:?}")),
    }
}

/// A span name set through `otel.name`: interned ([`crate::intern`]) when it can be, so that
/// a name that repeats costs a span no allocation.
pub(super) fn span_name(text: &str) -> Cow<'static, str> {
    crate::intern::intern(text).map_or_else(|| Cow::Owned(text.to_owned()), Cow::Borrowed)
}

/// [`span_name`] for a value recorded with `%` or `?`.
pub(super) fn span_name_debug(value: &dyn fmt::Debug) -> Cow<'static, str> {
    with_debug_text(value, span_name)
}

/// The key of field `index` of the call site whose metadata is at `site`.
pub(super) fn key(site: *const (), index: usize) -> usize {
    (site as usize).wrapping_add(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_texts_are_interned_from_their_second_occurrence() {
        let key = key(std::ptr::null(), 7);
        let first = shared(key, "/users/{id}");
        let second = shared(key, "/users/{id}");
        let third = shared(key, "/users/{id}");
        assert_eq!(first.as_str(), "/users/{id}");
        assert!(std::ptr::eq(second.as_str(), third.as_str()));
        assert!(std::ptr::eq(
            second.as_str(),
            crate::intern::intern("/users/{id}").unwrap()
        ));
        // Another text under the same key starts again.
        assert_eq!(shared(key, "/orders/{id}").as_str(), "/orders/{id}");
    }

    #[test]
    fn span_names_are_interned() {
        let a = span_name("GET /users/{id}");
        assert!(matches!(a, Cow::Borrowed(_)));
        assert!(matches!(span_name(&"x".repeat(1000)), Cow::Owned(_)));
        assert_eq!(
            span_name_debug(&format_args!("{} {}", "POST", "/a")),
            "POST /a"
        );
    }
}
