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
    let parsed = args::parse(args.clone())?;
    check_block_args(&parsed)?;
    for item in &mut imp.items {
        let ImplItem::Fn(method) = item else { continue };
        let block = method.block.clone();
        if let Some(tokens) = instrument(
            args,
            &mut method.attrs,
            method.sig.constness.is_some(),
            |attrs| Func {
                attrs,
                vis: method.vis.clone(),
                sig: method.sig.clone(),
                body: Some(Body {
                    brace: block.brace_token,
                    inner_attrs: Vec::new(),
                    stmts: block.stmts,
                }),
            },
        )? {
            *item = ImplItem::Verbatim(tokens);
        }
    }
    Ok(imp.into_token_stream())
}

pub(crate) fn trait_block(args: &TokenStream, mut tr: syn::ItemTrait) -> syn::Result<TokenStream> {
    let parsed = args::parse(args.clone())?;
    check_block_args(&parsed)?;
    for item in &mut tr.items {
        let TraitItem::Fn(method) = item else {
            continue;
        };
        let Some(block) = &method.default else {
            continue;
        };
        let block = block.clone();
        if let Some(tokens) = instrument(
            args,
            &mut method.attrs,
            method.sig.constness.is_some(),
            |attrs| Func {
                attrs,
                vis: syn::Visibility::Inherited,
                sig: method.sig.clone(),
                body: Some(Body {
                    brace: block.brace_token,
                    inner_attrs: Vec::new(),
                    stmts: block.stmts,
                }),
            },
        )? {
            *item = TraitItem::Verbatim(tokens);
        }
    }
    Ok(tr.into_token_stream())
}

fn check_block_args(parsed: &args::Args) -> syn::Result<()> {
    match parsed.skip {
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
    is_const: bool,
    func: impl FnOnce(Vec<Attribute>) -> Func,
) -> syn::Result<Option<TokenStream>> {
    if let Some(own) = attrs.iter().position(is_observe) {
        if is_skip(&attrs[own])? {
            attrs.remove(own);
        }
        return Ok(None);
    }
    if is_const {
        return Ok(None);
    }
    let parsed = args::parse(args.clone())?;
    // syn keeps a method's inner attributes (`#![...]`) with its outer ones.
    let (outer, inner): (Vec<_>, Vec<_>) = attrs
        .iter()
        .cloned()
        .partition(|a| matches!(a.style, syn::AttrStyle::Outer));
    let mut func = func(outer);
    if let Some(body) = &mut func.body {
        body.inner_attrs = inner;
    }
    expand::function(&parsed, func, true).map(Some)
}

fn is_observe(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "observe")
}

/// `#[observe(skip)]` exactly; any other `#[observe(...)]` on the method is its own.
fn is_skip(attr: &Attribute) -> syn::Result<bool> {
    let syn::Meta::List(list) = &attr.meta else {
        return Ok(false);
    };
    let tokens = list.tokens.to_string();
    Ok(tokens.trim() == "skip")
}
