//! The closure that makes a call's span: the runtime calls it only when something records the
//! span.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::Ident;

use super::args::Args;

/// The function's path, from the type name of a function nested in it.
// Output: { fn __observe_here() {} type_name_of_val(&__observe_here) }
pub(super) fn marker() -> TokenStream {
    let here = Ident::new("__observe_here", Span::mixed_site());
    quote! {
        {
            fn #here() {}
            ::core::any::type_name_of_val(&#here)
        }
    }
}

/// Whether the span needs no closure: no explicit parent, no `follows_from`, no values (the
/// runtime then makes it from the call site alone, out of line).
pub(super) fn is_plain(args: &Args, values: usize) -> bool {
    args.parent.is_none() && args.follows_from.is_none() && values == 0
}

// Input:  `parent = p`, `follows_from = causes` (both optional), the span's `values`
// Output: || Site::span(&SITE, { fn __observe_here() {} type_name_of_val(&__observe_here) }, values)
//         (`Site::span_child_of(…, p.into())` with a parent; each cause followed with causes)
pub(super) fn tokens(
    p: &TokenStream,
    site: &Ident,
    args: &Args,
    values: &TokenStream,
) -> TokenStream {
    let marker = marker();
    let made = match &args.parent {
        None => quote!(#p::Site::span(&#site, #marker, #values)),
        Some(parent) => quote_spanned! {parent.span()=>
            #p::Site::span_child_of(
                &#site,
                #marker,
                #values,
                ::core::convert::Into::<::core::option::Option<#p::tracing::Id>>::into(#parent),
            )
        },
    };
    match &args.follows_from {
        None => quote!(|| #made),
        Some(causes) => {
            let s = Ident::new("__observe_span", Span::mixed_site());
            let cause = Ident::new("__observe_cause", Span::mixed_site());
            quote! {
                || {
                    let #s = #made;
                    for #cause in #causes {
                        #s.follows_from(#cause);
                    }
                    #s
                }
            }
        }
    }
}
