//! `observe::step!("name", key = value, …)`: one step of the current flow.
//!
//! Input:  `step!("fetched", bytes = n, url = %u)` (or `step!(crate = path, "fetched", …)`)
//! Output: `{ let name = "fetched"; let step = P::Step::record(name);
//!            event!(target: module_path!(), parent: step.parent(), DEBUG, message = "flow_step",
//!                   flow = step.flow(), flow_id = step.flow_id(), step = name,
//!                   step_index = step.index(), elapsed_ms = step.elapsed_ms(),
//!                   bytes = <typed>, url = <scrubbed>) }`
//! A proc macro rather than `macro_rules!`, so that sensitive keys are known at compile time.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, Token};

use crate::fields::FieldSpec;

struct Step {
    /// `crate = path,` first: where the observe facade is, if renamed.
    krate: Option<syn::Path>,
    name: Expr,
    fields: Punctuated<FieldSpec, Token![,]>,
}

impl Parse for Step {
    fn parse(input: ParseStream<'_>) -> syn::Result<Step> {
        if input.is_empty() {
            return Err(input.error(
                "`step!` needs a name: `step!(\"name\")` or `step!(\"name\", key = value, …)`",
            ));
        }
        let krate = if input.parse::<Option<Token![crate]>>()?.is_some() {
            input.parse::<Token![=]>()?;
            let path = input.parse()?;
            input.parse::<Token![,]>()?;
            Some(path)
        } else {
            None
        };
        let name = input.parse()?;
        let fields = if input.parse::<Option<Token![,]>>()?.is_some() {
            Punctuated::parse_terminated(input)?
        } else {
            Punctuated::new()
        };
        Ok(Step {
            krate,
            name,
            fields,
        })
    }
}

pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let step = match syn::parse2::<Step>(input) {
        Ok(step) => step,
        Err(e) => return e.to_compile_error(),
    };
    let krate = step
        .krate
        .as_ref()
        .map_or_else(|| quote!(::observe), quote::ToTokens::to_token_stream);
    let p = quote!(#krate::__private);
    let name = &step.name;
    let fields = step.fields.iter().map(|f| f.render(&p));
    let n = Ident::new("__observe_name", Span::mixed_site());
    let s = Ident::new("__observe_step", Span::mixed_site());
    quote! {{
        #[allow(unused_imports)]
        use #p::{FieldOther as _, FieldText as _, FieldTyped as _};
        let #n: &'static str = #name;
        let #s = #p::Step::record(#n);
        #p::tracing::event!(
            target: ::core::module_path!(),
            parent: #s.parent(),
            #p::tracing::Level::DEBUG,
            message = "flow_step",
            flow = #s.flow(),
            flow_id = #s.flow_id(),
            step = #n,
            step_index = #s.index(),
            elapsed_ms = #s.elapsed_ms(),
            #(#fields,)*
        )
    }}
}
