//! `#[derive(Redact)]`: parse the `#[redact]` attributes (`attr`), check them (`valid`), and
//! write a redacting `Debug` plus the `Redact` impl (`expand`).

pub(crate) mod attr;
pub(crate) mod expand;
mod valid;

use proc_macro2::TokenStream;

pub(crate) fn derive(input: TokenStream) -> TokenStream {
    let result = syn::parse2::<syn::DeriveInput>(input).and_then(|input| {
        let model = attr::Model::parse(&input)?;
        valid::check(&input, &model)?;
        Ok(expand::expand(&input, &model))
    });
    result.unwrap_or_else(syn::Error::into_compile_error)
}
