//! Procedural macros of [`observe`](https://docs.rs/observe). Use them through the facade crate:
//! `use observe::observe;`. The documentation lives on the re-exports there.

mod attr;
mod observe;

use proc_macro::TokenStream;

/// Instruments a function, an `impl` block or a trait. See the `observe` crate.
#[proc_macro_attribute]
pub fn observe(args: TokenStream, item: TokenStream) -> TokenStream {
    observe::expand(args.into(), item.into()).into()
}
