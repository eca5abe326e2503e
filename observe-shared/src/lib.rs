//! What `observe-macros` (at compile time) and `observe-runtime` (at run time) must agree on.
//! An implementation detail of the `observe-telemetry` crate: depend on that one.

#![forbid(unsafe_code)]

pub mod keys;

/// Prometheus' default histogram buckets, in seconds (`prometheus::DEFAULT_BUCKETS`): the
/// macro checks an objective's latency against them, the runtime registers them.
pub const DEFAULT_BUCKETS_SECONDS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
