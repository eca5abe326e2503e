//! Fields written in `tracing` syntax (`k = v`, `k = %v`, `k = ?v`, `a.b = v`, `"lit" = v`, `k`),
//! in `#[observe(fields(...))]` and `observe::step!`. They are emitted with the redaction rules
//! of every other channel: a key on the sensitive list records `[REDACTED]` (decided here, at
//! compile time), `%`/`?` values and strings pass through the scrubber when they are formatted,
//! and numbers and booleans stay typed.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Ident, LitStr, Token};

pub(crate) enum Sigil {
    Display,
    Debug,
}

pub(crate) struct FieldSpec {
    /// The dotted name, for checks and the sensitive list.
    pub name: String,
    /// The name as written, to underline all of it in errors.
    pub name_tokens: TokenStream,
    /// The name as `tracing` macros take it (a string literal for dotted names and keywords).
    key: TokenStream,
    sigil: Option<Sigil>,
    /// `None` for the shorthand `k`, which records the local `k`.
    value: Option<Expr>,
    span: Span,
}

impl Parse for FieldSpec {
    fn parse(input: ParseStream<'_>) -> syn::Result<FieldSpec> {
        let (name, span, name_tokens, key) = if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            (
                lit.value(),
                lit.span(),
                lit.to_token_stream(),
                lit.to_token_stream(),
            )
        } else {
            let parts = Punctuated::<Ident, Token![.]>::parse_separated_nonempty_with(
                input,
                Ident::parse_any,
            )?;
            let name = parts
                .iter()
                .map(|i| i.unraw().to_string())
                .collect::<Vec<_>>()
                .join(".");
            let span = parts.span();
            // Keywords such as `type` are not idents to tracing's macros: use a string name.
            let key = if parts.len() == 1 && !is_keyword(&name) {
                parts.to_token_stream()
            } else {
                LitStr::new(&name, span).to_token_stream()
            };
            (name, span, parts.to_token_stream(), key)
        };
        let (sigil, value) = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            let sigil = if input.parse::<Option<Token![%]>>()?.is_some() {
                Some(Sigil::Display)
            } else if input.parse::<Option<Token![?]>>()?.is_some() {
                Some(Sigil::Debug)
            } else {
                None
            };
            (sigil, Some(input.parse()?))
        } else if name.contains('.')
            || is_keyword(&name)
            || name_tokens.to_string().starts_with('"')
        {
            return Err(syn::Error::new_spanned(
                name_tokens,
                format!("field `{name}` needs a value: `{name} = …`"),
            ));
        } else {
            (None, None)
        };
        Ok(FieldSpec {
            name,
            name_tokens,
            key,
            sigil,
            value,
            span,
        })
    }
}

impl FieldSpec {
    /// `key = value` for a `tracing` macro, with the redaction rules applied.
    pub(crate) fn render(&self, p: &TokenStream) -> TokenStream {
        let key = &self.key;
        let value = self.value(p);
        quote!(#key = #value)
    }

    /// The value alone (something implementing `tracing::Value`), with the redaction rules
    /// applied.
    pub(crate) fn value(&self, p: &TokenStream) -> TokenStream {
        if crate::is_sensitive_name(&self.name) {
            return quote!(#p::tracing::field::display(#p::Hidden));
        }
        let value = match &self.value {
            Some(value) => value.to_token_stream(),
            None => Ident::new(&self.name, self.span).to_token_stream(),
        };
        let span = value.span();
        match self.sigil {
            Some(Sigil::Display) => {
                quote_spanned!(span=> #p::tracing::field::display(#p::ScrubDisplay(&(#value))))
            }
            Some(Sigil::Debug) => {
                quote_spanned!(span=> #p::tracing::field::display(#p::ScrubDebug(&(#value))))
            }
            None => quote_spanned!(span=> (&&&#p::Probe(&(#value))).__observe_field()),
        }
    }
}

fn is_keyword(name: &str) -> bool {
    syn::parse_str::<Ident>(name).is_err()
}
