//! The call site's `SiteInfo` literal.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::Ident;

// Input:  the fields of `SiteInfo` that this site sets (`None`: the default)
// Output: SiteInfo { name: "f", line: line!(), …, ..SiteInfo::PLAIN }
//
// Only the fields that differ from the plain site are written: each one written is a field the
// compiler checks in every function's static (about 1.5 million rustc instructions a site for
// the full literal; see BENCHMARKS.md, "Compile time per function").
pub(super) fn tokens(p: &TokenStream, fields: &[(&str, Option<TokenStream>)]) -> TokenStream {
    let set = fields.iter().filter_map(|(name, value)| {
        let name = Ident::new(name, Span::call_site());
        value.as_ref().map(|value| quote!(#name: #value,))
    });
    quote!(#p::SiteInfo { #(#set)* ..#p::SiteInfo::PLAIN })
}
