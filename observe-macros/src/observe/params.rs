//! Parameters that hold secrets: marked with `#[redact]` / `#[redact(mode)]`, or named like a
//! secret (`password`, `api_key`, …; the list of DESIGN.md section 5). Their attributes are
//! taken off the signature (they are not real attributes for rustc); `args(...)` records them
//! redacted, and a failing call scrubs their values out of its error messages.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{FnArg, Ident, Pat, Signature, Type};

use crate::redact::attr::{self as redact_attr, Mode};

pub(crate) struct Secret {
    pub name: Ident,
    mode: Mode,
    option: bool,
    /// A reference or a primitive: still readable when the call ends, whatever the body did.
    readable_at_end: bool,
}

/// Takes the `#[redact]` attributes off the parameters, and lists the secret parameters.
pub(crate) fn take(sig: &mut Signature) -> syn::Result<Vec<Secret>> {
    let mut secrets = Vec::new();
    for input in &mut sig.inputs {
        let FnArg::Typed(typed) = input else { continue };
        let attr = redact_attr::field(&typed.attrs)?;
        let marked = typed
            .attrs
            .iter()
            .find(|a| a.path().is_ident("redact"))
            .cloned();
        typed.attrs.retain(|a| !a.path().is_ident("redact"));
        if let Some(skip) = attr.skip {
            return Err(syn::Error::new(skip, "`skip` is for fields of a `#[redact(all)]` type; a parameter is recorded only if listed in `args(...)`"));
        }
        let Pat::Ident(pat) = &*typed.pat else {
            if let Some(marked) = marked {
                return Err(syn::Error::new_spanned(
                    marked,
                    "`#[redact]` on a destructured parameter has no effect: only named parameters can be recorded",
                ));
            }
            continue;
        };
        let name = pat.ident.clone();
        let mode = match attr.mode {
            Some((mode, _)) => mode,
            None if is_sensitive(&name) => Mode::Full,
            None => continue,
        };
        let option = crate::redact::expand::option_inner(&typed.ty).is_some();
        secrets.push(Secret {
            name,
            mode,
            option,
            readable_at_end: readable_at_end(&typed.ty),
        });
    }
    Ok(secrets)
}

/// Whether a parameter name is on the sensitive list.
pub(crate) fn is_sensitive(name: &Ident) -> bool {
    crate::is_sensitive_name(&name.unraw().to_string())
}

fn readable_at_end(ty: &Type) -> bool {
    const PRIMITIVES: &[&str] = &[
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
        "char", "bool",
    ];
    match ty {
        Type::Reference(r) => r.mutability.is_none(),
        Type::Path(p) => {
            p.qself.is_none()
                && p.path
                    .get_ident()
                    .is_some_and(|i| PRIMITIVES.contains(&i.to_string().as_str()))
        }
        _ => false,
    }
}

impl Secret {
    /// The value recorded for it in span fields and `flow_started`.
    pub(crate) fn recorded(&self, p: &TokenStream) -> TokenStream {
        let name = &self.name;
        let span = name.span();
        let shown = match (&self.mode, self.option) {
            (Mode::Full, false) => quote!(#p::Hidden),
            (Mode::Full, true) => quote!(#p::HiddenOption(&#name)),
            (Mode::With(path), _) => quote_spanned!(path.span()=> #p::Custom(#path(&#name))),
            (mode, option) => {
                let mode = match mode {
                    Mode::Partial => quote!(Partial),
                    Mode::Email => quote!(Email),
                    Mode::Hash => quote!(Hash),
                    Mode::Last(n) => quote!(Last(#n)),
                    Mode::Full | Mode::With(_) => unreachable!("matched above"),
                };
                if option {
                    quote_spanned!(span=> #p::masked_option(#p::RedactMode::#mode, &#name))
                } else {
                    quote_spanned!(span=> #p::masked(#p::RedactMode::#mode, &#name))
                }
            }
        };
        quote!(#p::tracing::field::display(#shown))
    }

    /// Its text at the start of the call, when every parameter can be read.
    pub(crate) fn at_start(&self, p: &TokenStream) -> TokenStream {
        let name = &self.name;
        quote!((&&#p::Probe(&#name)).__observe_secret())
    }

    /// Its fingerprint at the start of the call, when it may be gone when the call ends.
    pub(crate) fn print_at_start(&self, p: &TokenStream) -> Option<TokenStream> {
        let name = &self.name;
        (!self.readable_at_end).then(|| quote!((&&#p::Probe(&#name)).__observe_print()))
    }

    /// Its text for scrubbing a failed call's messages, when it can still be read then.
    pub(crate) fn at_end(&self, p: &TokenStream) -> Option<TokenStream> {
        let name = &self.name;
        self.readable_at_end
            .then(|| quote!((&&#p::Probe(&#name)).__observe_secret()))
    }
}
