//! What `tracing` last said about a callsite of the runtime (a span's or an event's), kept so
//! that a call can tell without asking anyone that no subscriber wants it, as the statics of
//! `tracing`'s own macros do.

use std::sync::atomic::{AtomicU8, Ordering};

use tracing_core::subscriber::Interest;

const NEVER: u8 = 0;
const SOMETIMES: u8 = 1;
const ALWAYS: u8 = 2;

/// A callsite's cached [`Interest`]: "sometimes" (ask the subscriber) until `tracing` says
/// otherwise, which it does when the callsite is registered and whenever a subscriber is.
pub(crate) struct CachedInterest(AtomicU8);

impl CachedInterest {
    pub(crate) const fn new() -> CachedInterest {
        CachedInterest(AtomicU8::new(SOMETIMES))
    }

    pub(crate) fn set(&self, interest: &Interest) {
        let value = if interest.is_never() {
            NEVER
        } else if interest.is_always() {
            ALWAYS
        } else {
            SOMETIMES
        };
        self.0.store(value, Ordering::Release);
    }

    #[inline(always)]
    pub(crate) fn is_never(&self) -> bool {
        self.0.load(Ordering::Acquire) == NEVER
    }

    #[inline(always)]
    pub(crate) fn is_always(&self) -> bool {
        self.0.load(Ordering::Acquire) == ALWAYS
    }
}
