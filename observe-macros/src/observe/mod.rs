//! `#[observe(...)]`: parse the keys (`args`), parse the item (`item`), check both (`valid`),
//! route the body's exits (`rewrite`) and generate the instrumented function (`expand`).

mod args;
mod block;
mod expand;
mod item;
mod params;
mod rewrite;
mod valid;

use proc_macro2::TokenStream;

use item::Item;

pub(crate) fn expand(args: TokenStream, input: TokenStream) -> TokenStream {
    let result = syn::parse2::<Item>(input.clone()).and_then(|item| match item {
        Item::Fn(func) => {
            let parsed = args::parse(args)?;
            expand::function(&parsed, func, false)
        }
        Item::Impl(imp) => block::impl_block(&args, imp),
        Item::Trait(tr) => block::trait_block(&args, tr),
    });
    match result {
        Ok(tokens) => tokens,
        // The error, plus the item unchanged: no follow-on errors about a missing function.
        Err(error) => {
            let mut out = error.to_compile_error();
            out.extend(input);
            out
        }
    }
}
