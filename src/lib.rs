//! placeholder docs
pub use observe_macros::observe;

/// Prometheus metrics recorded by `#[observe]`.
pub mod metrics {
    pub use observe_runtime::metrics::{registry, render, set_registry, CONTENT_TYPE};
}

#[doc(hidden)]
pub mod __private {
    pub use observe_runtime::__private::*;
}
