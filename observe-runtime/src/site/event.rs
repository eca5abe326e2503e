//! Events the runtime emits on behalf of a call site (`exception`, the flow events,
//! `return`), with the call site's own target, file and line, so filters on the user's crate
//! see them.

use std::sync::OnceLock;

use tracing::Level;
use tracing_core::field::{Field, Value};
use tracing_core::metadata::{Kind, LevelFilter, Metadata};
use tracing_core::{dispatcher, Event};

use super::callsite::RuntimeCallsite;
use crate::info::SiteInfo;

/// The most fields an event of the runtime can have.
pub(crate) const MAX_FIELDS: usize = 32;

pub(crate) struct EventCallsite {
    pub(crate) callsite: RuntimeCallsite,
    fields: OnceLock<Vec<Field>>,
}

impl EventCallsite {
    /// A new, registered event callsite at `info`'s location with the given field names
    /// (the first one is `message`).
    pub(crate) fn new(
        info: &'static SiteInfo,
        name: &'static str,
        level: Level,
        fields: &'static [&'static str],
    ) -> &'static EventCallsite {
        let site: &'static EventCallsite = Box::leak(Box::new(EventCallsite {
            callsite: RuntimeCallsite::new(),
            fields: OnceLock::new(),
        }));
        site.callsite
            .register(info, name, level, fields, Kind::EVENT);
        let _ = site
            .fields
            .set(site.callsite.meta().fields().iter().collect());
        site
    }

    fn metadata(&'static self) -> &'static Metadata<'static> {
        self.callsite.meta()
    }

    /// Whether an event here would be recorded: the cheap level check first.
    pub(crate) fn enabled(&'static self) -> bool {
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
