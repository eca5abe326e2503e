//! Texts that repeat, kept once for the life of the program: the SDK's `SpanData` holds a span
//! name as `Cow<'static, str>` and a text attribute as a `&'static str` or an `Arc<str>`, and
//! most names and many values are the same at every call (`GET /users/{id}`, `http`), so
//! borrowing an interned text costs a span nothing where a `String` costs an allocation (made
//! on the application's thread, freed on the exporter's) and an `Arc` two atomic updates.
//!
//! Bounded: at most [`MAX_TEXTS`] texts of at most [`MAX_LEN`] bytes are ever kept; a text
//! past either bound is not interned (its caller keeps an owned copy), so names made from
//! unbounded data cannot grow the program's memory.

use std::cell::Cell;
use std::collections::HashSet;
use std::sync::{PoisonError, RwLock};

const MAX_TEXTS: usize = 16_384;
const MAX_LEN: usize = 256;
const SLOTS: usize = 64;

static INTERNED: RwLock<Option<HashSet<&'static str>>> = RwLock::new(None);

thread_local! {
    /// The texts last found on this thread, by the hash of their text: most lookups end here,
    /// without the lock.
    static RECENT: [Cell<Option<&'static str>>; SLOTS] =
        const { [const { Cell::new(None) }; SLOTS] };
}

/// `text`, interned; `None` past the bounds.
pub(crate) fn intern(text: &str) -> Option<&'static str> {
    let slot = fnv1a(text.as_bytes()) % SLOTS;
    RECENT
        .try_with(|recent| {
            if let Some(found) = recent[slot].get().filter(|found| *found == text) {
                return Some(found);
            }
            let found = intern_shared(text)?;
            recent[slot].set(Some(found));
            Some(found)
        })
        .unwrap_or_else(|_| intern_shared(text))
}

fn intern_shared(text: &str) -> Option<&'static str> {
    if text.len() > MAX_LEN {
        return None;
    }
    let read = INTERNED.read().unwrap_or_else(PoisonError::into_inner);
    if let Some(found) = read.as_ref().and_then(|interned| interned.get(text)) {
        return Some(found);
    }
    drop(read);
    let mut write = INTERNED.write().unwrap_or_else(PoisonError::into_inner);
    let interned = write.get_or_insert_with(HashSet::new);
    if let Some(found) = interned.get(text) {
        return Some(found);
    }
    if interned.len() >= MAX_TEXTS {
        return None;
    }
    let kept: &'static str = Box::leak(Box::from(text));
    interned.insert(kept);
    Some(kept)
}

fn fnv1a(bytes: &[u8]) -> usize {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (hash ^ (hash >> 32)) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_interned_within_bounds() {
        let a = intern("GET /users/{id}").unwrap();
        let b = intern(&String::from("GET /users/{id}")).unwrap();
        assert!(std::ptr::eq(a, b));
        // Another thread finds the same text.
        let c = std::thread::spawn(|| intern("GET /users/{id}"))
            .join()
            .unwrap();
        assert!(std::ptr::eq(a, c.unwrap()));
        assert_eq!(intern(&"x".repeat(MAX_LEN + 1)), None);
        assert_eq!(intern(&"x".repeat(MAX_LEN)).map(str::len), Some(MAX_LEN));
    }
}
