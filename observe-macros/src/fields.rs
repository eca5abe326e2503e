//! Fields written in `tracing` syntax, in `#[observe(fields(...))]` and `observe::step!`:
//! `k = v`, `k = %v`, `k = ?v`, `%k`, `?k`, `a.b = v`, `"lit" = v`, `{CONST} = v` and a bare
//! `k`. A bare name means what it means in the `tracing` macro it mirrors: in `fields(...)`
//! (`#[tracing::instrument]`) an empty field to `record` later, in `step!` (`tracing::event!`)
//! the local variable `k`.
//!
//! They are emitted with the redaction rules of every other channel: a key on the sensitive
//! list records `[REDACTED]` (decided here, at compile time; a braced constant name is not
//! known here, so its value is only scrubbed), `%`/`?` values and strings pass through the
//! scrubber when they are formatted, and numbers and booleans stay typed.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Ident, LitStr, Token};

#[derive(Clone, Copy)]
pub(crate) enum Sigil {
    Display,
    Debug,
}

pub(crate) struct FieldSpec {
    /// The dotted name, for checks and the sensitive list (for a braced name, its tokens).
    pub name: String,
    /// The name as written, to underline all of it in errors.
    pub name_tokens: TokenStream,
    /// `{expr}`: a name only the compiler knows.
    pub braced: Option<Expr>,
    /// The name as `tracing` macros take it (a string literal for dotted names and keywords).
    key: TokenStream,
    sigil: Option<Sigil>,
    value: Value,
    span: Span,
}

enum Value {
    Given(Expr),
    /// `k` or `%k` in `step!`, `%k` in `fields(...)`: the local `k`.
    Local,
    /// `k` in `fields(...)`: `tracing::field::Empty`.
    Empty,
}

impl Parse for FieldSpec {
    /// A field of `step!` (a bare name is the local variable).
    fn parse(input: ParseStream<'_>) -> syn::Result<FieldSpec> {
        FieldSpec::parse_with(input, false)
    }
}

impl FieldSpec {
    /// A field of `fields(...)` (a bare name is an empty field).
    pub(crate) fn parse_span_field(input: ParseStream<'_>) -> syn::Result<FieldSpec> {
        FieldSpec::parse_with(input, true)
    }

    fn parse_with(input: ParseStream<'_>, bare_is_empty: bool) -> syn::Result<FieldSpec> {
        let mut sigil = parse_sigil(input)?;
        let leading_sigil = sigil.is_some();
        let mut braced = None;
        let (name, span, name_tokens, key) = if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            let tokens = lit.to_token_stream();
            (lit.value(), lit.span(), tokens.clone(), tokens)
        } else if input.peek(syn::token::Brace) {
            let content;
            let brace = syn::braced!(content in input);
            let expr: Expr = content.parse()?;
            let mut tokens = TokenStream::new();
            brace.surround(&mut tokens, |t| expr.to_tokens(t));
            let text = tokens.to_string();
            braced = Some(expr);
            (text, brace.span.join(), tokens.clone(), tokens)
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
        let local_allowed = braced.is_none()
            && !name.contains('.')
            && !is_keyword(&name)
            && !name_tokens.to_string().starts_with('"');
        let value = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            if let Some(s) = parse_sigil(input)? {
                sigil = Some(s);
            }
            Value::Given(input.parse()?)
        } else if leading_sigil && local_allowed {
            Value::Local
        } else if bare_is_empty && !leading_sigil {
            Value::Empty
        } else if local_allowed {
            Value::Local
        } else {
            return Err(syn::Error::new_spanned(
                name_tokens,
                format!("field `{name}` needs a value: `{name} = …`"),
            ));
        };
        Ok(FieldSpec {
            name,
            name_tokens,
            braced,
            key,
            sigil,
            value,
            span,
        })
    }

    /// `key = value` for a `tracing` macro, with the redaction rules applied.
    pub(crate) fn render(&self, p: &TokenStream) -> TokenStream {
        let key = &self.key;
        let value = self.value(p);
        quote!(#key = #value)
    }

    /// A bare `k` of `fields(...)`: an empty field, no value.
    pub(crate) fn is_empty_field(&self) -> bool {
        matches!(self.value, Value::Empty)
    }

    /// The field's name as a `&'static str` expression.
    pub(crate) fn name_expr(&self) -> TokenStream {
        match &self.braced {
            Some(expr) => expr.to_token_stream(),
            None => LitStr::new(&self.name, Span::call_site()).to_token_stream(),
        }
    }

    /// The value alone (something implementing `tracing::Value`), with the redaction rules
    /// applied.
    pub(crate) fn value(&self, p: &TokenStream) -> TokenStream {
        if self.braced.is_none() && crate::is_sensitive_name(&self.name) {
            return quote!(#p::tracing::field::display(#p::Hidden));
        }
        let value = match &self.value {
            Value::Given(value) => value.to_token_stream(),
            Value::Local => Ident::new(&self.name, self.span).to_token_stream(),
            Value::Empty => return quote!(#p::tracing::field::Empty),
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

fn parse_sigil(input: ParseStream<'_>) -> syn::Result<Option<Sigil>> {
    if input.parse::<Option<Token![%]>>()?.is_some() {
        Ok(Some(Sigil::Display))
    } else if input.parse::<Option<Token![?]>>()?.is_some() {
        Ok(Some(Sigil::Debug))
    } else {
        Ok(None)
    }
}

fn is_keyword(name: &str) -> bool {
    syn::parse_str::<Ident>(name).is_err()
}
