//! `#[observe(...)]`: parse the keys (`args`, their value syntaxes in `values`), parse the item
//! (`item`, `params`), check both (`valid`) into a typed `model`, and render it (`expand`,
//! which routes the body's exits with `rewrite` and asks `suspend` whether an `async fn` body
//! can suspend; `block` does the same for each method of an `impl` block or trait).

mod args;
mod block;
mod expand;
mod item;
mod model;
mod objective;
mod params;
mod rewrite;
mod site_info;
mod span_closure;
mod suspend;
mod valid;
mod values;

use proc_macro2::TokenStream;

use item::Item;

pub(crate) fn expand(args: TokenStream, input: TokenStream) -> TokenStream {
    let result = syn::parse2::<Item>(input.clone()).and_then(|item| match item {
        Item::Fn(func) => {
            let parsed = args::parse(args)?;
            model::build(&parsed, func, false).map(expand::function)
        }
        Item::Impl(imp) => block::impl_block(&args, imp),
        Item::Trait(tr) => block::trait_block(&args, tr),
    });
    match result {
        Ok(tokens) => tokens,
        // The error, plus the item unchanged: no follow-on errors about a missing function.
        Err(error) => {
            let mut out = error.to_compile_error();
            out.extend(without_redact_attributes(input));
            out
        }
    }
}

/// The item as written, minus the `#[redact]` attributes of its parameters, which only
/// `#[observe]` understands (left in, they would add "cannot find attribute" errors).
fn without_redact_attributes(input: TokenStream) -> TokenStream {
    struct Strip;
    impl syn::visit_mut::VisitMut for Strip {
        fn visit_pat_type_mut(&mut self, pat: &mut syn::PatType) {
            pat.attrs.retain(|a| !a.path().is_ident("redact"));
        }
    }
    match syn::parse2::<syn::Item>(input.clone()) {
        Ok(mut item) => {
            syn::visit_mut::VisitMut::visit_item_mut(&mut Strip, &mut item);
            quote::ToTokens::into_token_stream(item)
        }
        Err(_) => input,
    }
}
