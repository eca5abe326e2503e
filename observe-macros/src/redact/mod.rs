//! `#[derive(Redact)]`: parse the `#[redact]` attributes (`attr`), check them (`valid`), and
//! write a redacting `Debug` plus the `Redact` impl (`expand`).

pub(crate) mod attr;
pub(crate) mod expand;
mod valid;

use proc_macro2::TokenStream;

pub(crate) fn derive(input: TokenStream) -> TokenStream {
    let input = match syn::parse2::<syn::DeriveInput>(input) {
        Ok(input) => input,
        Err(error) => return error.into_compile_error(),
    };
    let result = attr::Model::parse(&input).and_then(|model| {
        valid::check(&input, &model)?;
        Ok(expand::expand(&input, &model))
    });
    match result {
        Ok(tokens) => tokens,
        // The error, plus impls that show nothing, so that uses of the type's `Debug` and
        // `Redact` elsewhere do not add errors of their own.
        Err(error) => {
            let mut out = error.into_compile_error();
            out.extend(expand::fallback(&input));
            out
        }
    }
}
