//! Events the runtime emits on behalf of a call site (the `exception` event), with the call
//! site's own target, file and line, so filters on the user's crate see them.
//!
//! `tracing` wants a `&'static` callsite per event; generating one in every annotated function
//! would grow each expansion, so the runtime builds it on first use and keeps it for the life
//! of the process, as the `tracing` macros' statics are.

use std::sync::OnceLock;

use tracing::Level;
use tracing_core::callsite::{Callsite, Identifier};
use tracing_core::field::{Field, FieldSet, Value};
use tracing_core::metadata::{Kind, LevelFilter, Metadata};
use tracing_core::subscriber::Interest;
use tracing_core::{dispatcher, Event};

use crate::interest::CachedInterest;
use crate::site::SiteInfo;

/// The most fields an event of the runtime can have.
pub(crate) const MAX_FIELDS: usize = 32;

pub(crate) struct EventSite {
    meta: OnceLock<Metadata<'static>>,
    fields: OnceLock<Vec<Field>>,
    pub(crate) interest: CachedInterest,
}

impl Callsite for EventSite {
    fn set_interest(&self, interest: Interest) {
        self.interest.set(&interest);
    }

    fn metadata(&self) -> &Metadata<'_> {
        // Set before the callsite is registered, and registration is the only way tracing
        // learns of it.
        self.meta
            .get()
            .expect("event metadata is set before registration")
    }
}

impl EventSite {
    /// A new, registered event callsite at `info`'s location with the given field names
    /// (the first one is `message`).
    pub(crate) fn new(
        info: &'static SiteInfo,
        name: &'static str,
        level: Level,
        fields: &'static [&'static str],
    ) -> &'static EventSite {
        let site: &'static EventSite = Box::leak(Box::new(EventSite {
            meta: OnceLock::new(),
            fields: OnceLock::new(),
            interest: CachedInterest::new(),
        }));
        let field_set = FieldSet::new(fields, Identifier(site));
        let _ = site.fields.set(field_set.iter().collect());
        let _ = site.meta.set(Metadata::new(
            name,
            info.target,
            level,
            Some(info.file),
            Some(info.line),
            Some(info.module),
            field_set,
            Kind::EVENT,
        ));
        tracing_core::callsite::register(site);
        site
    }

    /// Whether an event here would be recorded: the cheap level check first.
    pub(crate) fn enabled(&self) -> bool {
        let meta = self.metadata();
        *meta.level() <= LevelFilter::current()
            && dispatcher::get_default(|dispatch| dispatch.enabled(meta))
    }

    /// Emits the event as a child of `parent` (or of the current span when `None`), with
    /// `values` for the first fields, in order (at most [`MAX_FIELDS`]).
    pub(crate) fn emit(
        &'static self,
        parent: Option<&tracing_core::span::Id>,
        values: &[&dyn Value],
    ) {
        let meta = self.metadata();
        let Some(fields) = self.fields.get() else {
            return;
        };
        let Some(first) = fields.first() else {
            return;
        };
        // `tracing` takes value sets as arrays of up to 32; unused entries carry no value.
        let mut pairs: [(&Field, Option<&dyn Value>); MAX_FIELDS] = [(first, None); MAX_FIELDS];
        for ((pair, field), value) in pairs.iter_mut().zip(fields).zip(values) {
            *pair = (field, Some(*value));
        }
        let value_set = meta.fields().value_set(&pairs);
        dispatcher::get_default(|dispatch| {
            if dispatch.enabled(meta) {
                match parent {
                    // Inside its span while it is dispatched, so that layers reading the current
                    // span (trace ids on log lines) see the span the event belongs to, also
                    // for an async call between two polls.
                    Some(id) => {
                        dispatch.enter(id);
                        dispatch.event(&Event::new_child_of(id.clone(), meta, &value_set));
                        dispatch.exit(id);
                    }
                    None => dispatch.event(&Event::new(meta, &value_set)),
                }
            }
        });
    }
}
