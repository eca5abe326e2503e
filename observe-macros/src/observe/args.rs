//! Parsing `#[observe(...)]`: every key, and duplicate/unknown-key errors. The value syntaxes
//! live in `values.rs`; rules that relate keys to each other or to the function, in `valid.rs`.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Expr, Ident, Lit, LitStr, Path, Token};

use super::values::{
    check_non_empty, flag, judge_path, named, parse_buckets, parse_err, parse_level, parse_list,
    parse_ret, str_or_path,
};
use crate::attr::{did_you_mean, Once};
pub(crate) use crate::fields::FieldSpec;

/// Every key `#[observe(...)]` accepts, for suggestions.
pub(crate) const KEYS: &[&str] = &[
    "name",
    "level",
    "target",
    "args",
    "fields",
    "ret",
    "err",
    "counter",
    "histogram",
    "buckets",
    "errors",
    "in_flight",
    "labels",
    "error_if",
    "ok_if",
    "flow",
    "crate",
    "skip",
    "skip_all",
    "parent",
    "follows_from",
];

pub(crate) struct Args {
    pub krate: Option<Path>,
    pub name: Option<StrOrPath>,
    pub level: Option<Level>,
    pub target: Option<StrOrPath>,
    pub args: Vec<Ident>,
    pub fields: Vec<FieldSpec>,
    pub labels: Vec<Label>,
    pub ret: Option<RetArgs>,
    pub err: ErrArgs,
    pub counter: Option<MetricKey>,
    pub histogram: Option<MetricKey>,
    pub buckets: Option<Buckets>,
    pub errors: Option<MetricKey>,
    pub in_flight: Option<MetricKey>,
    pub judge: Option<Judge>,
    pub flow: Option<MetricKey>,
    /// Bare `skip`: opts a method out of its block's `#[observe]`.
    pub skip: Option<Span>,
    /// `#[tracing::instrument]`'s `skip(a, b)`: checked, otherwise redundant (nothing is
    /// recorded unless named in `args`).
    pub skipped: Vec<Ident>,
    /// `parent = expr`: the span's explicit parent (`None` for a root).
    pub parent: Option<Expr>,
    /// `follows_from = expr`: spans the call's span follows from.
    pub follows_from: Option<Expr>,
}

/// A `name` or `target`: a string literal, or (as `#[tracing::instrument]` takes it) a
/// constant.
pub(crate) enum StrOrPath {
    Str(LitStr),
    Path(Path),
}

impl StrOrPath {
    /// The literal's value; `None` for a constant, known only to the compiler.
    pub(crate) fn literal(&self) -> Option<String> {
        match self {
            StrOrPath::Str(lit) => Some(lit.value()),
            StrOrPath::Path(_) => None,
        }
    }
}

impl ToTokens for StrOrPath {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            StrOrPath::Str(lit) => lit.to_tokens(tokens),
            StrOrPath::Path(path) => path.to_tokens(tokens),
        }
    }
}

/// A level: one of the five names (any case, or 1–5 as `tracing` numbers them), or a path to
/// a `tracing::Level` such as `Level::DEBUG`.
pub(crate) enum Level {
    /// `TRACE` … `ERROR`.
    Named(Ident),
    Path(Path),
}

impl Level {
    /// The level as an expression; `p` is the path to `__private`.
    pub(crate) fn tokens(&self, p: &TokenStream) -> TokenStream {
        match self {
            Level::Named(name) => quote::quote!(#p::tracing::Level::#name),
            Level::Path(path) => path.to_token_stream(),
        }
    }
}

/// `err`, `err = "debug"`, `err(Debug, level = "warn")`: how the error is rendered in
/// `exception.message`, and the level of the `exception` event (default ERROR).
#[derive(Default)]
pub(crate) struct ErrArgs {
    pub mode: ErrMode,
    pub level: Option<Level>,
}

/// `ret`, `ret(Display)`, `ret(level = "info")`: the `return` span field and its format; with
/// a level, also `#[tracing::instrument]`'s `return` event at that level.
pub(crate) struct RetArgs {
    pub span: Span,
    pub mode: ErrMode,
    pub level: Option<Level>,
}

/// `name = expr` in `labels(...)`: an extra metric label, its value the `Display` of `expr`
/// evaluated at the start of each call.
pub(crate) struct Label {
    pub name: Ident,
    pub value: Expr,
}

impl Label {
    fn parse(input: ParseStream<'_>) -> syn::Result<Label> {
        let name = Ident::parse_any(input)?;
        input.parse::<Token![=]>()?;
        Ok(Label {
            name,
            value: input.parse()?,
        })
    }
}

/// `counter`, `counter = "name"`: the key's span (for errors) and the name if given.
pub(crate) struct MetricKey {
    pub key: Span,
    pub name: Option<LitStr>,
}

pub(crate) struct Buckets {
    pub key: Span,
    pub values: Vec<(f64, Span)>,
}

/// How a value is formatted: `Display` (the default for errors) or `Debug`.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum ErrMode {
    #[default]
    Display,
    Debug,
}

/// `error_if = path` or `ok_if = path`.
pub(crate) enum Judge {
    ErrorIf(Path),
    OkIf(Path),
}

#[derive(Default)]
struct Slots {
    krate: Option<Once<Path>>,
    name: Option<Once<StrOrPath>>,
    level: Option<Once<Level>>,
    target: Option<Once<StrOrPath>>,
    args: Option<Once<Vec<Ident>>>,
    fields: Option<Once<Vec<FieldSpec>>>,
    labels: Option<Once<Vec<Label>>>,
    ret: Option<Once<RetArgs>>,
    err: Option<Once<ErrArgs>>,
    counter: Option<Once<MetricKey>>,
    histogram: Option<Once<MetricKey>>,
    buckets: Option<Once<Buckets>>,
    errors: Option<Once<MetricKey>>,
    in_flight: Option<Once<MetricKey>>,
    judge: Option<Once<Judge>>,
    flow: Option<Once<MetricKey>>,
    skip: Option<Once<()>>,
    skipped: Option<Once<Vec<Ident>>>,
    skip_all: Option<Once<()>>,
    parent: Option<Once<Expr>>,
    follows_from: Option<Once<Expr>>,
}

/// The slot for `key`, created on first use so that `Once` knows its key's name.
fn slot<'a, T>(slot: &'a mut Option<Once<T>>, key: &'static str) -> &'a mut Once<T> {
    slot.get_or_insert_with(|| Once::new(key))
}

pub(crate) fn parse(tokens: TokenStream) -> syn::Result<Args> {
    let mut s = Slots::default();
    // `#[tracing::instrument("name")]`: a leading string literal is the name.
    let (leading, tokens) = leading_name(tokens)?;
    if let Some(lit) = leading {
        slot(&mut s.name, "name").set(lit.span(), StrOrPath::Str(lit))?;
    }
    let parser = syn::meta::parser(|meta| {
        let ident = meta.path.get_ident().map(|i| i.unraw().to_string());
        let key = ident.as_deref().unwrap_or_default();
        let span = meta.path.span();
        match key {
            "name" => slot(&mut s.name, "name").set(span, str_or_path(&meta, "name")?),
            "level" => slot(&mut s.level, "level").set(span, parse_level(meta.value()?)?),
            "target" => slot(&mut s.target, "target").set(span, str_or_path(&meta, "target")?),
            "args" => slot(&mut s.args, "args").set(span, parse_list(&meta, Ident::parse_any)?),
            "fields" => slot(&mut s.fields, "fields")
                .set(span, parse_list(&meta, FieldSpec::parse_span_field)?),
            "labels" => slot(&mut s.labels, "labels").set(span, parse_list(&meta, Label::parse)?),
            "ret" => slot(&mut s.ret, "ret").set(span, parse_ret(&meta, span)?),
            "err" => slot(&mut s.err, "err").set(span, parse_err(&meta)?),
            "counter" => slot(&mut s.counter, "counter").set(span, metric(&meta, span)?),
            "histogram" => slot(&mut s.histogram, "histogram").set(span, metric(&meta, span)?),
            "errors" => slot(&mut s.errors, "errors").set(span, metric(&meta, span)?),
            "in_flight" => slot(&mut s.in_flight, "in_flight").set(span, metric(&meta, span)?),
            "buckets" => slot(&mut s.buckets, "buckets").set(span, parse_buckets(&meta, span)?),
            "error_if" => {
                let judge = Judge::ErrorIf(judge_path(&meta, "error_if")?);
                slot(&mut s.judge, "error_if")
                    .set(span, judge)
                    .map_err(|_| conflict(span))
            }
            "ok_if" => {
                let judge = Judge::OkIf(judge_path(&meta, "ok_if")?);
                slot(&mut s.judge, "ok_if")
                    .set(span, judge)
                    .map_err(|_| conflict(span))
            }
            "flow" => slot(&mut s.flow, "flow").set(span, named(&meta, span, "a flow name")?),
            "crate" => slot(&mut s.krate, "crate").set(span, crate::attr::crate_path(&meta)?),
            // `skip(a, b)` is tracing's; a bare `skip` opts a method out of its block.
            "skip" if meta.input.peek(syn::token::Paren) => {
                slot(&mut s.skipped, "skip").set(span, parse_list(&meta, Ident::parse_any)?)
            }
            "skip" => slot(&mut s.skip, "skip").set(span, flag(&meta, "skip")?),
            "skip_all" => slot(&mut s.skip_all, "skip_all").set(span, flag(&meta, "skip_all")?),
            "parent" => slot(&mut s.parent, "parent").set(span, meta.value()?.parse()?),
            "follows_from" => {
                slot(&mut s.follows_from, "follows_from").set(span, meta.value()?.parse()?)
            }
            _ => Err(unknown(&meta, key, span)),
        }
    });
    parser.parse2(tokens)?;
    if let (Some(all), Some(_)) = (
        s.skip_all.as_ref().and_then(Once::span),
        s.skipped.as_ref().and_then(Once::span),
    ) {
        return Err(syn::Error::new(
            all,
            "`skip_all` and `skip(...)` cannot be combined",
        ));
    }
    Ok(Args {
        krate: s.krate.and_then(Once::take),
        name: s.name.and_then(Once::take),
        level: s.level.and_then(Once::take),
        target: s.target.and_then(Once::take),
        args: s.args.and_then(Once::take).unwrap_or_default(),
        fields: s.fields.and_then(Once::take).unwrap_or_default(),
        labels: s.labels.and_then(Once::take).unwrap_or_default(),
        ret: s.ret.and_then(Once::take),
        err: s.err.and_then(Once::take).unwrap_or_default(),
        counter: s.counter.and_then(Once::take),
        histogram: s.histogram.and_then(Once::take),
        buckets: s.buckets.and_then(Once::take),
        errors: s.errors.and_then(Once::take),
        in_flight: s.in_flight.and_then(Once::take),
        judge: s.judge.and_then(Once::take),
        flow: s.flow.and_then(Once::take),
        skip: s.skip.as_ref().and_then(Once::span),
        skipped: s.skipped.and_then(Once::take).unwrap_or_default(),
        parent: s.parent.and_then(Once::take),
        follows_from: s.follows_from.and_then(Once::take),
    })
}

/// Splits a leading string literal (and the comma after it) off the attribute's tokens.
fn leading_name(tokens: TokenStream) -> syn::Result<(Option<LitStr>, TokenStream)> {
    let mut iter = tokens.clone().into_iter();
    let Some(proc_macro2::TokenTree::Literal(lit)) = iter.next() else {
        return Ok((None, tokens));
    };
    let Lit::Str(name) = Lit::new(lit) else {
        return Ok((None, tokens));
    };
    match iter.next() {
        None => {}
        Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == ',' => {}
        Some(other) => return Err(syn::Error::new_spanned(other, "expected `,`")),
    }
    check_non_empty(&name, "name")?;
    Ok((Some(name), iter.collect()))
}

fn unknown(meta: &ParseNestedMeta<'_>, key: &str, span: Span) -> syn::Error {
    let shown = if key.is_empty() {
        meta.path.to_token_stream().to_string()
    } else {
        key.to_owned()
    };
    syn::Error::new(
        span,
        format!(
            "unknown key `{shown}`{}\nvalid keys: {}",
            did_you_mean(&shown, KEYS.iter().copied()),
            KEYS.join(", ")
        ),
    )
}

fn conflict(span: Span) -> syn::Error {
    syn::Error::new(
        span,
        "`error_if` and `ok_if` cannot be combined, and each is allowed once",
    )
}

fn metric(meta: &ParseNestedMeta<'_>, key: Span) -> syn::Result<MetricKey> {
    named(meta, key, "a metric name")
}
