//! What `observe-macros` (at compile time) and `observe-runtime` (at run time) must agree on.
//! An implementation detail of the `observe-telemetry` crate: depend on that one.

#![forbid(unsafe_code)]

pub mod keys;
