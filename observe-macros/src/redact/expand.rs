//! Code generation for `#[derive(Redact)]`. Assumes `valid::check` passed.
//!
//! Input:
//!     #[derive(Redact)]
//!     struct Job { id: u64, #[redact(email)] customer: String, #[redact] api_token: String }
//! Output (`P` is `::observe::__private`):
//!     impl Debug for Job {
//!         fn fmt(&self, f) -> fmt::Result {
//!             match self {
//!                 Self { id: __f0, customer: __f1, api_token: __f2 } => f.debug_struct("Job")
//!                     .field("id", __f0)
//!                     .field("customer", &P::Masked(P::RedactMode::Email, __f1))
//!                     .field("api_token", &P::Hidden)
//!                     .finish(),
//!             }
//!         }
//!     }
//!     impl ::observe::Redact for Job {}
//! Bounds are added like `derive(Debug)` does, but per field: a shown field of a generic type
//! needs `Debug`, a field in a text mode needs `Display`, a hidden one nothing.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, GenericArgument, Ident, PathArguments, Type, WherePredicate};

use super::attr::{FieldAttr, Mode, Model};

pub(crate) fn expand(input: &DeriveInput, model: &Model) -> TokenStream {
    let krate = facade(model.krate.as_ref());
    let p = quote!(#krate::__private);
    let name = &input.ident;
    let params: Vec<Ident> = input
        .generics
        .type_params()
        .map(|t| t.ident.clone())
        .collect();
    let mut bounds = Vec::new();
    let arms: Vec<TokenStream> = match &input.data {
        Data::Struct(s) => {
            vec![arm(
                &p,
                quote!(Self),
                &name.to_string(),
                &s.fields,
                &model.fields[0],
                model.all,
                &params,
                &mut bounds,
            )]
        }
        Data::Enum(e) => e
            .variants
            .iter()
            .zip(&model.fields)
            .map(|(v, attrs)| {
                let ident = &v.ident;
                arm(
                    &p,
                    quote!(Self::#ident),
                    &ident.to_string(),
                    &v.fields,
                    attrs,
                    model.all,
                    &params,
                    &mut bounds,
                )
            })
            .collect(),
        Data::Union(_) => unreachable!("rejected by attr::Model::parse"),
    };
    let mut generics = input.generics.clone();
    generics.make_where_clause().predicates.extend(bounds);
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics ::core::fmt::Debug for #name #ty_generics #where_clause {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self {
                    #(#arms)*
                }
            }
        }

        #[automatically_derived]
        impl #impl_generics #krate::Redact for #name #ty_generics #where_clause {}
    }
}

/// The facade's path: `crate = path` if given, else `::observe`.
fn facade(krate: Option<&syn::Path>) -> TokenStream {
    krate.map_or_else(|| quote!(::observe), ToTokens::to_token_stream)
}

/// What a type whose `#[redact]` attributes are wrong gets beside the error: a `Debug` that
/// shows only `[REDACTED]`, and the `Redact` impl.
// Input:  #[derive(Redact)] struct Job { #[redact(nope)] token: String }
// Output: impl Debug for Job { fn fmt(..) { f.write_str("Job([REDACTED])") } } impl Redact for Job {}
pub(crate) fn fallback(input: &DeriveInput) -> TokenStream {
    if matches!(input.data, Data::Union(_)) {
        return TokenStream::new();
    }
    let krate = facade(super::attr::crate_of(&input.attrs).as_ref());
    let name = &input.ident;
    let shown = format!("{name}([REDACTED])");
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics ::core::fmt::Debug for #name #ty_generics #where_clause {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(#shown)
            }
        }
        #[automatically_derived]
        impl #impl_generics #krate::Redact for #name #ty_generics #where_clause {}
    }
}

#[allow(clippy::too_many_arguments)]
fn arm(
    p: &TokenStream,
    path: TokenStream,
    name: &str,
    fields: &Fields,
    attrs: &[FieldAttr],
    all: Option<Span>,
    params: &[Ident],
    bounds: &mut Vec<WherePredicate>,
) -> TokenStream {
    let bindings: Vec<Ident> = (0..fields.len())
        .map(|i| format_ident!("__f{}", i))
        .collect();
    let values: Vec<TokenStream> = fields
        .iter()
        .zip(attrs)
        .zip(&bindings)
        .map(|((field, attr), binding)| value(p, &field.ty, attr, all, binding, params, bounds))
        .collect();
    match fields {
        Fields::Named(named) => {
            let idents: Vec<&Ident> = named
                .named
                .iter()
                .filter_map(|f| f.ident.as_ref())
                .collect();
            let labels = idents
                .iter()
                .map(|i| i.to_string().trim_start_matches("r#").to_owned());
            quote! {
                #path { #(#idents: #bindings),* } => f.debug_struct(#name)
                    #(.field(#labels, #values))*
                    .finish(),
            }
        }
        Fields::Unnamed(_) => quote! {
            #path(#(#bindings),*) => f.debug_tuple(#name) #(.field(#values))* .finish(),
        },
        Fields::Unit => quote!(#path => f.write_str(#name),),
    }
}

/// How one field is shown, and the bound it needs when its type is generic.
fn value(
    p: &TokenStream,
    ty: &Type,
    attr: &FieldAttr,
    all: Option<Span>,
    binding: &Ident,
    params: &[Ident],
    bounds: &mut Vec<WherePredicate>,
) -> TokenStream {
    let mode = match (&attr.mode, all, attr.skip) {
        (Some((mode, _)), _, _) => Some(mode.clone()),
        (None, Some(_), None) => Some(Mode::Full),
        _ => None,
    };
    let inner = option_inner(ty);
    let generic = |t: &Type| mentions(t.to_token_stream(), params);
    let span = ty.span();
    let text_mode = |m: TokenStream, bounds: &mut Vec<WherePredicate>| {
        let shown = inner.unwrap_or(ty);
        if generic(shown) {
            bounds.push(syn::parse_quote_spanned!(span=> #shown: ::core::fmt::Display));
        }
        // Through functions bounded by `Display`, spanned on the field's type, so that a type
        // without `Display` is an error on the field.
        let binding = Ident::new(&binding.to_string(), span);
        match inner {
            Some(_) => quote_spanned!(span=> &#p::masked_option(#p::RedactMode::#m, #binding)),
            None => quote_spanned!(span=> &#p::masked(#p::RedactMode::#m, #binding)),
        }
    };
    match mode {
        None => {
            if generic(ty) {
                bounds.push(syn::parse_quote_spanned!(span=> #ty: ::core::fmt::Debug));
            }
            quote!(#binding)
        }
        Some(Mode::Full) => match inner {
            Some(_) => quote!(&#p::HiddenOption(#binding)),
            None => quote!(&#p::Hidden),
        },
        Some(Mode::Partial) => text_mode(quote!(Partial), bounds),
        Some(Mode::Email) => text_mode(quote!(Email), bounds),
        Some(Mode::Hash) => text_mode(quote!(Hash), bounds),
        Some(Mode::Last(n)) => text_mode(quote!(Last(#n)), bounds),
        Some(Mode::With(path)) => quote_spanned!(path.span()=> &#p::Custom(#path(#binding))),
    }
}

/// `T` of a field typed `Option<T>` (any path ending in `Option`).
pub(crate) fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(inner) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}

fn mentions(tokens: TokenStream, params: &[Ident]) -> bool {
    tokens.into_iter().any(|tt| match tt {
        TokenTree::Ident(i) => params.contains(&i),
        TokenTree::Group(g) => mentions(g.stream(), params),
        _ => false,
    })
}
