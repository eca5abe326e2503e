//! The typed model of one instrumented function: what `valid` checked and what was worked out
//! from the keys and the item, which is all `expand` needs to render it.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::ext::IdentExt;
use syn::{Ident, LitStr};

use super::args::Args;
use super::item::{Body, Func, Shape};
use super::params::{self, Secret};
use super::suspend;
use super::valid::{self, Metrics};

pub(crate) struct Model<'a> {
    pub args: &'a Args,
    /// The function, its body taken out.
    pub func: Func,
    pub body: Body,
    /// The span name and `function` label as written: a string literal or a constant.
    pub function: TokenStream,
    /// Parameters marked `#[redact]` or named like a secret (their attributes removed).
    pub secrets: Vec<Secret>,
    /// Metric names as registered.
    pub metrics: Metrics,
    /// How the outcome is observed; an `async fn` whose body cannot suspend is `Sync`.
    pub shape: Shape,
    /// `::observe::__private`, or the same under `crate = path`.
    pub private: TokenStream,
}

/// Checks `args` against `func` (every mistake at once) and builds the model.
pub(crate) fn build(args: &Args, mut func: Func, in_block: bool) -> syn::Result<Model<'_>> {
    // A literal name is known here (metric names default to it), a constant only to the
    // compiler.
    let (literal, function) = match &args.name {
        None => {
            let name = func.sig.ident.unraw().to_string();
            let tokens = LitStr::new(&name, func.sig.ident.span()).to_token_stream();
            (Some(name), tokens)
        }
        Some(name) => (name.literal(), name.to_token_stream()),
    };
    let secrets = params::take(&mut func.sig)?;
    let secret_names: Vec<Ident> = secrets.iter().map(|s| s.name.clone()).collect();
    let metrics = valid::check(args, &func, literal.as_deref(), in_block, &secret_names)?;
    let body = func
        .body
        .take()
        .ok_or_else(|| syn::Error::new(func.sig.ident.span(), valid::NO_BODY))?;
    let shape = match func.shape() {
        // Runs to its end in the first poll: observed like a synchronous body, in that poll.
        Shape::Async if !suspend::may_suspend(&body.stmts) => Shape::Sync,
        shape => shape,
    };
    let krate = args
        .krate
        .as_ref()
        .map_or_else(|| quote!(::observe), ToTokens::to_token_stream);
    Ok(Model {
        args,
        func,
        body,
        function,
        secrets,
        metrics,
        shape,
        private: quote!(#krate::__private),
    })
}
