//! The one way the runtime makes a `tracing` callsite, for a call site's span and for each of
//! its events: `tracing` wants a `&'static` callsite with its metadata, and generating one in
//! every annotated function (as `span!` and `event!` do) would grow each expansion, so the
//! runtime builds it on first use and keeps it for the life of the process, as the macros'
//! statics are kept.

use std::sync::OnceLock;

use tracing::Level;
use tracing_core::callsite::{Callsite, Identifier};
use tracing_core::field::FieldSet;
use tracing_core::metadata::{Kind, Metadata};
use tracing_core::subscriber::Interest;

use super::interest::CachedInterest;
use crate::info::SiteInfo;

/// A callsite of the runtime: its metadata (set once, before it is registered) and what
/// `tracing` last said about it.
pub(crate) struct RuntimeCallsite {
    meta: OnceLock<Metadata<'static>>,
    pub(crate) interest: CachedInterest,
}

impl Callsite for RuntimeCallsite {
    fn set_interest(&self, interest: Interest) {
        self.interest.set(&interest);
    }

    fn metadata(&self) -> &Metadata<'_> {
        // Set before the callsite is registered, and registration is the only way tracing
        // learns of it.
        self.meta
            .get()
            .expect("callsite metadata is set before registration")
    }
}

impl RuntimeCallsite {
    pub(crate) const fn new() -> RuntimeCallsite {
        RuntimeCallsite {
            meta: OnceLock::new(),
            interest: CachedInterest::new(),
        }
    }

    /// Gives this callsite (which lives for the rest of the process) the metadata of `name` at
    /// `info`'s location, and registers it with `tracing`.
    pub(crate) fn register(
        &'static self,
        info: &'static SiteInfo,
        name: &'static str,
        level: Level,
        fields: &'static [&'static str],
        kind: Kind,
    ) {
        let field_set = FieldSet::new(fields, Identifier(self));
        let _ = self.meta.set(Metadata::new(
            name,
            info.target,
            level,
            Some(info.file),
            Some(info.line),
            Some(info.module),
            field_set,
            kind,
        ));
        tracing_core::callsite::register(self);
    }

    /// The metadata (the callsite is registered).
    pub(crate) fn meta(&'static self) -> &'static Metadata<'static> {
        self.meta
            .get()
            .expect("callsite metadata is set before registration")
    }
}
