//! `#[observe(...)]` on an `impl` block or a trait: every method with a body is instrumented
//! with the block's keys. A method that carries its own `#[observe(...)]` keeps it (and is
//! expanded by it); `#[observe(skip)]` opts a method out. `const fn` methods and trait methods
//! without a default body are left as they are.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{Attribute, ImplItem, TraitItem};

use super::args;
use super::expand;
use super::item::{Body, Func};

pub(crate) fn impl_block(args: &TokenStream, mut imp: syn::ItemImpl) -> syn::Result<TokenStream> {
    check_block_args(args)?;
    for item in &mut imp.items {
        let ImplItem::Fn(method) = item else {
            continue;
        };
        let block = method.block.clone();
        let vis = method.vis.clone();
        if let Some(tokens) = instrument(args, &mut method.attrs, vis, &method.sig, block)? {
            *item = ImplItem::Verbatim(tokens);
        }
    }
    Ok(imp.into_token_stream())
}

pub(crate) fn trait_block(args: &TokenStream, mut tr: syn::ItemTrait) -> syn::Result<TokenStream> {
    check_block_args(args)?;
    for item in &mut tr.items {
        let TraitItem::Fn(method) = item else {
            continue;
        };
        let Some(block) = method.default.clone() else {
            continue;
        };
        let vis = syn::Visibility::Inherited;
        if let Some(tokens) = instrument(args, &mut method.attrs, vis, &method.sig, block)? {
            *item = TraitItem::Verbatim(tokens);
        }
    }
    Ok(tr.into_token_stream())
}

fn check_block_args(args: &TokenStream) -> syn::Result<()> {
    match args::parse(args.clone())?.skip {
        Some(span) => Err(syn::Error::new(
            span,
            "`skip` belongs on a method, not on the block",
        )),
        None => Ok(()),
    }
}

/// The instrumented method, or `None` when it is left as it is (its `#[observe(skip)]` removed).
fn instrument(
    args: &TokenStream,
    attrs: &mut Vec<Attribute>,
    vis: syn::Visibility,
    sig: &syn::Signature,
    block: syn::Block,
) -> syn::Result<Option<TokenStream>> {
    if let Some(own) = attrs.iter().position(is_observe) {
        if is_skip(&attrs[own]) {
            attrs.remove(own);
        }
        return Ok(None);
    }
    if sig.constness.is_some() {
        return Ok(None);
    }
    let parsed = args::parse(args.clone())?;
    // syn keeps a method's inner attributes (`#![...]`) with its outer ones.
    let (outer, inner): (Vec<_>, Vec<_>) = attrs
        .iter()
        .cloned()
        .partition(|a| matches!(a.style, syn::AttrStyle::Outer));
    let body = Body {
        brace: block.brace_token,
        inner_attrs: inner,
        stmts: block.stmts,
    };
    let func = Func {
        attrs: outer,
        vis,
        sig: sig.clone(),
        body: Some(body),
    };
    super::model::build(&parsed, func, true)
        .map(expand::function)
        .map(Some)
}

fn is_observe(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "observe")
}

/// `#[observe(skip)]` exactly; any other `#[observe(...)]` on the method is its own.
fn is_skip(attr: &Attribute) -> bool {
    matches!(&attr.meta, syn::Meta::List(list) if list.tokens.to_string().trim() == "skip")
}
