//! The per-call-site static every `#[observe]` function carries.

use std::sync::OnceLock;

use tracing::Level;

mod callsite;
pub(crate) mod event;
pub(crate) mod interest;
pub(crate) mod span;

use crate::info::SiteInfo;
use crate::metrics::SiteMetrics;
use event::EventCallsite;
use span::{SpanCallsite, SpanSite};

/// The state of one call site: its description and what is resolved on first use.
pub struct Site {
    pub(crate) info: SiteInfo,
    metrics: OnceLock<SiteMetrics>,
    path: OnceLock<&'static str>,
    pub(crate) span_site: OnceLock<SpanSite>,
    pub(crate) span_callsite: OnceLock<&'static SpanCallsite>,
    pub(crate) exception: OnceLock<&'static EventCallsite>,
    return_event: OnceLock<&'static EventCallsite>,
    slow_call: OnceLock<&'static EventCallsite>,
    pub(crate) flow_events: OnceLock<FlowEvents>,
}

/// Fields of `flow_failed`; `flow_completed` has the first six.
const FLOW_END_FIELDS: [&str; 8] = [
    "message",
    "flow",
    "flow_id",
    "steps",
    "last_step",
    "elapsed_ms",
    "error",
    "error_type",
];

/// The event callsites of a flow call site.
pub(crate) struct FlowEvents {
    pub(crate) started: &'static EventCallsite,
    pub(crate) completed: &'static EventCallsite,
    pub(crate) failed: &'static EventCallsite,
}

// Each `Site::new` copies these instead of calling `OnceLock::new` eight times: the compiler
// evaluates a const once, and a const fn call in every function's static (about 0.6 million
// rustc instructions a site; see BENCHMARKS.md, "Compile time per function"). Every use is a
// fresh, empty `OnceLock`, which is what the lint warns about and what is wanted here.
#[allow(clippy::declare_interior_mutable_const)]
impl Site {
    const UNSET_METRICS: OnceLock<SiteMetrics> = OnceLock::new();
    const UNSET_PATH: OnceLock<&'static str> = OnceLock::new();
    const UNSET_SPAN_SITE: OnceLock<SpanSite> = OnceLock::new();
    const UNSET_CALLSITE: OnceLock<&'static SpanCallsite> = OnceLock::new();
    const UNSET_EVENT: OnceLock<&'static EventCallsite> = OnceLock::new();
    const UNSET_FLOW: OnceLock<FlowEvents> = OnceLock::new();
    /// A call site, to be placed in a `static`.
    pub const fn new(info: SiteInfo) -> Site {
        Site {
            info,
            metrics: Site::UNSET_METRICS,
            path: Site::UNSET_PATH,
            span_site: Site::UNSET_SPAN_SITE,
            span_callsite: Site::UNSET_CALLSITE,
            exception: Site::UNSET_EVENT,
            return_event: Site::UNSET_EVENT,
            slow_call: Site::UNSET_EVENT,
            flow_events: Site::UNSET_FLOW,
        }
    }

    /// The exception event of this call site, built on first use.
    pub(crate) fn exception(&'static self) -> &'static EventCallsite {
        self.exception.get_or_init(|| {
            EventCallsite::new(
                &self.info,
                "exception",
                self.info.exception_level,
                &["message", "exception.type", "exception.message"],
            )
        })
    }

    /// `ret(level = …)`: `#[tracing::instrument]`'s `return` event, in the call's `span`.
    #[cold]
    #[inline(never)]
    pub(crate) fn return_event(&'static self, span: &tracing::Span, value: &dyn tracing::Value) {
        let Some(level) = self.info.return_event else {
            return;
        };
        let event = self
            .return_event
            .get_or_init(|| EventCallsite::new(&self.info, "return", level, &["return"]));
        if event.enabled() {
            event.emit(span.id().as_ref(), &[value]);
        }
    }

    /// `slow = "…"`: the WARN `slow_call` event, in the call's span. `flow` is the flow's id
    /// and last step, inside a flow.
    #[cold]
    #[inline(never)]
    pub(crate) fn slow_call(
        &'static self,
        span: Option<&tracing::Id>,
        elapsed: std::time::Duration,
        threshold: std::time::Duration,
        flow: Option<(&dyn tracing::Value, &dyn tracing::Value)>,
    ) {
        let event = self.slow_call.get_or_init(|| {
            EventCallsite::new(
                &self.info,
                "slow_call",
                Level::WARN,
                &[
                    "message",
                    "elapsed_ms",
                    "threshold_ms",
                    "flow_id",
                    "last_step",
                ],
            )
        });
        if !event.enabled() {
            return;
        }
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
        let (elapsed, threshold) = (ms(elapsed), ms(threshold));
        let mut values: [&dyn tracing::Value; 5] = [&"slow_call", &elapsed, &threshold, &"", &""];
        let n = match flow {
            Some((id, last_step)) => {
                values[3] = id;
                values[4] = last_step;
                5
            }
            None => 3,
        };
        event.emit(span, &values[..n]);
    }

    /// The flow events of this call site, built on first use; `None` if it is not a flow.
    pub(crate) fn flow_events(&'static self) -> Option<&'static FlowEvents> {
        let flow = self.info.flow.as_ref()?;
        Some(self.flow_events.get_or_init(|| {
            let event = |name, level, fields| EventCallsite::new(&self.info, name, level, fields);
            FlowEvents {
                started: event("flow_started", Level::INFO, flow.started_fields),
                completed: event("flow_completed", Level::INFO, &FLOW_END_FIELDS[..6]),
                failed: event("flow_failed", Level::ERROR, &FLOW_END_FIELDS),
            }
        }))
    }

    /// Metric handles, resolved (registered and label children looked up) on the first call.
    #[inline]
    pub(crate) fn metrics(&'static self) -> &'static SiteMetrics {
        self.metrics.get_or_init(|| {
            crate::panic::install_hook();
            SiteMetrics::resolve(&self.info)
        })
    }

    /// `code.function.name`: the function's path, from the type name of a marker fn nested in
    /// it (`crate::module::Type::method::__observe_here`), computed once.
    pub(crate) fn function_path(&'static self, marker: &'static str) -> &'static str {
        self.path.get_or_init(|| clean_function_path(marker))
    }
}

/// `a::B<_>::m::{{closure}}::__observe_here` → `a::B::m`.
fn clean_function_path(marker: &str) -> &'static str {
    let path = marker.strip_suffix("::__observe_here").unwrap_or(marker);
    let mut out = String::with_capacity(path.len());
    let mut depth = 0usize;
    for c in path.chars() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    let out = out.replace("::{{closure}}", "");
    // Leaked once per call site, like the call site's own statics.
    Box::leak(out.into_boxed_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_paths_lose_generics_and_closures() {
        assert_eq!(clean_function_path("p::tn::__observe_here"), "p::tn");
        assert_eq!(clean_function_path("p::S<_>::m::__observe_here"), "p::S::m");
        assert_eq!(
            clean_function_path("p::a::{{closure}}::__observe_here"),
            "p::a"
        );
    }
}
