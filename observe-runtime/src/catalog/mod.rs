//! Every `#[observe]` call site of the binary, known from its start whether or not it has been
//! called, in this crate and in its dependencies: each call site's static is itself an entry
//! of a link-time list (`linkme`), which costs calls nothing.
//!
//! [`sites`] lists them; [`conflicts`] names the metrics two call sites declare differently
//! (the registry keeps the first; the dashboards and rules leave the others out).

mod conflicts;

pub use conflicts::{conflicts, Conflict};

use crate::info::{ObjectiveInfo, SiteInfo, Unit};

/// The link-time list every call site adds itself to (`#[observe]` generates the entry).
#[doc(hidden)]
#[allow(unsafe_code)] // linkme's declaration: `link_section` statics, checked by linkme.
#[linkme::distributed_slice]
pub static CATALOG: [crate::site::Site];

/// One instrumented function, as the macro described it.
#[derive(Clone, Copy)]
pub struct Site {
    info: &'static SiteInfo,
}

/// A call site's duration histogram.
#[derive(Clone, Debug, PartialEq)]
pub struct Histogram {
    /// The metric name (ending in its unit).
    pub name: &'static str,
    /// The unit of its values.
    pub unit: Unit,
    /// Its bucket bounds, in `unit` (the defaults when `buckets = [...]` is not given).
    pub buckets: Vec<f64>,
}

/// A call site's objective (see `#[observe(objective(...))]`).
pub type Objective = ObjectiveInfo;

impl Site {
    /// The span name and `function` label.
    pub fn function(&self) -> &'static str {
        self.info.name
    }

    /// The `module` label (`module_path!()` of the function).
    pub fn module(&self) -> &'static str {
        self.info.module
    }

    /// Where the function is defined.
    pub fn location(&self) -> (&'static str, u32) {
        (self.info.file, self.info.line)
    }

    /// The first line of the function's documentation (the metrics' HELP text).
    pub fn help(&self) -> Option<&'static str> {
        self.info.help
    }

    /// The calls counter (with `_total`), labelled `function`, `module`, the `labels(...)`,
    /// `result`.
    pub fn counter(&self) -> Option<&'static str> {
        self.info.counter
    }

    /// The duration histogram, labelled as the counter.
    pub fn histogram(&self) -> Option<Histogram> {
        self.info.histogram.as_ref().map(|h| Histogram {
            name: h.name,
            unit: h.unit,
            buckets: h
                .buckets
                .map_or_else(|| h.unit.default_buckets(), <[f64]>::to_vec),
        })
    }

    /// The failed-calls counter (with `_total`), labelled `function`, `module`, the
    /// `labels(...)`, `error_type`.
    pub fn errors(&self) -> Option<&'static str> {
        self.info.errors
    }

    /// The in-flight gauge, labelled `function`, `module`.
    pub fn in_flight(&self) -> Option<&'static str> {
        self.info.in_flight
    }

    /// The `labels(...)` names.
    pub fn labels(&self) -> &'static [&'static str] {
        self.info.labels
    }

    /// The objective declared with `objective(...)`.
    pub fn objective(&self) -> Option<Objective> {
        self.info.objective
    }
}

impl std::fmt::Debug for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Site")
            .field("function", &self.function())
            .field("module", &self.module())
            .field("counter", &self.counter())
            .field("histogram", &self.histogram())
            .field("errors", &self.errors())
            .field("in_flight", &self.in_flight())
            .field("labels", &self.labels())
            .field("objective", &self.objective())
            .finish()
    }
}

/// Whether the binary built an HTTP `ServerLayer` / `ClientLayer` (feature `http`): the
/// dashboard then has a row for the HTTP edge. (Set when a layer is made, so a dashboard
/// written before the router is built does not know of it.)
static HTTP_SERVER: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
static HTTP_CLIENT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

#[cfg_attr(not(feature = "http"), allow(dead_code))]
pub(crate) fn uses_http(server: bool) {
    let flag = if server { &HTTP_SERVER } else { &HTTP_CLIENT };
    flag.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// `(server, client)`: which HTTP layers the binary made.
#[cfg_attr(not(feature = "setup"), allow(dead_code))]
pub(crate) fn http_edge() -> (bool, bool) {
    (
        HTTP_SERVER.load(std::sync::atomic::Ordering::Relaxed),
        HTTP_CLIENT.load(std::sync::atomic::Ordering::Relaxed),
    )
}

/// Every `#[observe]` function linked into the binary, by module then function.
pub fn sites() -> Vec<Site> {
    let mut sites: Vec<Site> = CATALOG
        .iter()
        .map(|site| Site { info: &site.info })
        .collect();
    sites.sort_by_key(|s| (s.info.module, s.info.name, s.info.line));
    sites
}
