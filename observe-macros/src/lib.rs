//! Procedural macros of [`observe-telemetry`](https://docs.rs/observe-telemetry). Use them through the facade crate:
//! `use observe::observe;`. The documentation lives on the re-exports there.

mod attr;
mod fields;
mod observe;
mod redact;
mod step;

use observe_shared::keys;
use proc_macro::TokenStream;

/// Instruments a function, an `impl` block or a trait. See the `observe` crate.
#[proc_macro_attribute]
pub fn observe(args: TokenStream, item: TokenStream) -> TokenStream {
    observe::expand(args.into(), item.into()).into()
}

/// Writes a redacting `Debug` and implements `observe::Redact`. See the `observe` crate.
#[proc_macro_derive(Redact, attributes(redact))]
pub fn derive_redact(input: TokenStream) -> TokenStream {
    redact::derive(input.into()).into()
}

/// Records a step of the current flow. See the `observe` crate.
#[proc_macro]
pub fn step(input: TokenStream) -> TokenStream {
    step::expand(input.into()).into()
}

/// Whether a parameter, field or label name is on the sensitive list.
fn is_sensitive_name(name: &str) -> bool {
    keys::is_sensitive_with(name, keys::DEFAULT_SENSITIVE_KEYS.iter().copied())
}
