//! What `#[observe]` is applied to: a function (with or without a body), an `impl` block or a
//! trait; and the shape of a function, which decides how its outcome is observed.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::{
    Attribute, Block, FnArg, GenericArgument, Pat, PathArguments, ReturnType, Signature, Stmt,
    Token, Type, TypeParamBound, Visibility,
};

pub(crate) enum Item {
    Fn(Func),
    Impl(syn::ItemImpl),
    Trait(syn::ItemTrait),
}

/// A function as written: outer attributes, signature, and the body split into its inner
/// attributes and statements (so the statements can be moved without the attributes).
pub(crate) struct Func {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub sig: Signature,
    pub body: Option<Body>,
}

pub(crate) struct Body {
    pub brace: syn::token::Brace,
    pub inner_attrs: Vec<Attribute>,
    pub stmts: Vec<Stmt>,
}

impl Parse for Item {
    fn parse(input: ParseStream<'_>) -> syn::Result<Item> {
        let ahead = input.fork();
        ahead.call(Attribute::parse_outer)?;
        ahead.parse::<Visibility>()?;
        ahead.parse::<Option<Token![unsafe]>>()?;
        if ahead.peek(Token![impl]) {
            return input.parse().map(Item::Impl);
        }
        if ahead.peek(Token![trait]) || ahead.peek(Token![auto]) {
            return input.parse().map(Item::Trait);
        }
        let is_fn = ahead.parse::<Option<Token![const]>>().is_ok()
            && ahead.parse::<Option<Token![async]>>().is_ok()
            && ahead.parse::<Option<Token![unsafe]>>().is_ok()
            && ahead.parse::<Option<syn::Abi>>().is_ok()
            && ahead.peek(Token![fn]);
        if !is_fn {
            return Err(ahead.error("#[observe] applies to functions, `impl` blocks and traits"));
        }
        input.parse().map(Item::Fn)
    }
}

impl Parse for Func {
    fn parse(input: ParseStream<'_>) -> syn::Result<Func> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        if input.parse::<Option<Token![;]>>()?.is_some() {
            return Ok(Func {
                attrs,
                vis,
                sig,
                body: None,
            });
        }
        let content;
        let brace = syn::braced!(content in input);
        let inner_attrs = content.call(Attribute::parse_inner)?;
        let stmts = content.call(Block::parse_within)?;
        Ok(Func {
            attrs,
            vis,
            sig,
            body: Some(Body {
                brace,
                inner_attrs,
                stmts,
            }),
        })
    }
}

impl ToTokens for Func {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.extend(self.attrs.iter().map(ToTokens::to_token_stream));
        self.vis.to_tokens(tokens);
        self.sig.to_tokens(tokens);
        match &self.body {
            Some(body) => body.brace.surround(tokens, |inner| {
                inner.extend(body.inner_attrs.iter().map(ToTokens::to_token_stream));
                inner.extend(body.stmts.iter().map(ToTokens::to_token_stream));
            }),
            None => <Token![;]>::default().to_tokens(tokens),
        }
    }
}

/// How a call's outcome is observed.
pub(crate) enum Shape {
    /// A plain function: the value of the body.
    Sync,
    /// `async fn`: the output of its future.
    Async,
    /// A function that returns a future (`impl Future`, `Pin<Box<dyn Future>>`, `BoxFuture`):
    /// the output of the future it returns, which is wrapped (boxed again when it was boxed).
    Future {
        boxed: bool,
        output: Option<Box<Type>>,
    },
    /// `-> !`: there is no outcome but a panic.
    Never,
}

impl Func {
    pub(crate) fn shape(&self) -> Shape {
        if self.sig.asyncness.is_some() {
            return Shape::Async;
        }
        let ReturnType::Type(_, ty) = &self.sig.output else {
            return Shape::Sync;
        };
        match &**ty {
            Type::Never(_) => Shape::Never,
            // (The returned future is wrapped, not replaced: it stays `Unpin` if it was.)
            Type::ImplTrait(it) => match it.bounds.iter().find_map(future_output) {
                Some(output) => Shape::Future {
                    boxed: false,
                    output: output.map(Box::new),
                },
                None => Shape::Sync,
            },
            Type::Path(p) => match boxed_future_output(&p.path) {
                Some(output) => Shape::Future {
                    boxed: true,
                    output: output.map(Box::new),
                },
                None => Shape::Sync,
            },
            _ => Shape::Sync,
        }
    }

    /// The declared return type, `()` when there is none.
    pub(crate) fn return_type(&self) -> Type {
        match &self.sig.output {
            ReturnType::Type(_, ty) => (**ty).clone(),
            ReturnType::Default => syn::parse_quote!(()),
        }
    }

    /// The names of the parameters that have one (`self` included), with their spans.
    pub(crate) fn param_names(&self) -> Vec<syn::Ident> {
        self.sig
            .inputs
            .iter()
            .filter_map(|arg| match arg {
                FnArg::Receiver(r) => Some(syn::Ident::new("self", r.self_token.span)),
                FnArg::Typed(t) => match &*t.pat {
                    Pat::Ident(p) => Some(p.ident.clone()),
                    _ => None,
                },
            })
            .collect()
    }

    /// The first paragraph of the doc comment, on one line.
    pub(crate) fn doc_summary(&self) -> Option<String> {
        let mut lines = Vec::new();
        for attr in &self.attrs {
            let syn::Meta::NameValue(nv) = &attr.meta else {
                continue;
            };
            if !nv.path.is_ident("doc") {
                continue;
            }
            let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &nv.value
            else {
                continue;
            };
            let value = s.value();
            let line = value.trim();
            if line.is_empty() {
                if lines.is_empty() {
                    continue;
                }
                break;
            }
            lines.push(line.to_owned());
        }
        (!lines.is_empty()).then(|| lines.join(" "))
    }
}

/// Whether a type mentions `impl Trait` anywhere (it then cannot be written in a `let`).
pub(crate) fn has_impl_trait(ty: &Type) -> bool {
    fn scan(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|tt| match tt {
            proc_macro2::TokenTree::Ident(i) => i == "impl",
            proc_macro2::TokenTree::Group(g) => scan(g.stream()),
            _ => false,
        })
    }
    scan(ty.to_token_stream())
}

/// `Future<Output = X>` → `Some(Some(X))`; `Future` without `Output` → `Some(None)`.
fn future_output(bound: &TypeParamBound) -> Option<Option<Type>> {
    let TypeParamBound::Trait(t) = bound else {
        return None;
    };
    let last = t.path.segments.last()?;
    if last.ident != "Future" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return Some(None);
    };
    Some(args.args.iter().find_map(|arg| match arg {
        GenericArgument::AssocType(a) if a.ident == "Output" => Some(a.ty.clone()),
        _ => None,
    }))
}

/// `Pin<Box<dyn Future<Output = X> + …>>`, `BoxFuture<'a, X>`, `LocalBoxFuture<'a, X>`.
fn boxed_future_output(path: &syn::Path) -> Option<Option<Type>> {
    let last = path.segments.last()?;
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let types = || {
        args.args.iter().filter_map(|a| match a {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        })
    };
    if last.ident == "BoxFuture" || last.ident == "LocalBoxFuture" {
        return Some(types().next().cloned());
    }
    if last.ident != "Pin" {
        return None;
    }
    let Type::Path(boxed) = types().next()? else {
        return None;
    };
    let boxed = boxed.path.segments.last()?;
    if boxed.ident != "Box" {
        return None;
    }
    let PathArguments::AngleBracketed(inner) = &boxed.arguments else {
        return None;
    };
    let Some(GenericArgument::Type(Type::TraitObject(obj))) = inner.args.first() else {
        return None;
    };
    obj.bounds.iter().find_map(future_output)
}
