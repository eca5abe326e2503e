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
    parse_ret, parse_slow, str_or_path,
};
use crate::attr::{did_you_mean, SetOnce};
pub(crate) use crate::fields::FieldSpec;

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
    /// `slow = "250ms"`: the threshold in nanoseconds.
    pub slow: Option<u64>,
    /// `objective(success = 99.9, latency = "250ms", latency_target = 99)`.
    pub objective: Option<super::objective::Objective>,
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
    /// `ret(fields(k = expr, …))`: span fields computed from the `Ok` (or plain) value, bound
    /// as `ret` in each `expr`.
    pub fields: Vec<FieldSpec>,
    /// Whether the whole value is recorded as `return`: always, unless only `fields(...)`
    /// is given.
    pub whole: bool,
}

impl Args {
    /// The span fields of `ret(fields(...))`.
    pub(crate) fn ret_fields(&self) -> &[FieldSpec] {
        self.ret.as_ref().map_or(&[], |r| r.fields.as_slice())
    }

    /// `ret` records the whole value as the span field `return`.
    pub(crate) fn records_return(&self) -> bool {
        self.ret.as_ref().is_some_and(|r| r.whole)
    }
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
    krate: Option<SetOnce<Path>>,
    name: Option<SetOnce<StrOrPath>>,
    level: Option<SetOnce<Level>>,
    target: Option<SetOnce<StrOrPath>>,
    args: Option<SetOnce<Vec<Ident>>>,
    fields: Option<SetOnce<Vec<FieldSpec>>>,
    labels: Option<SetOnce<Vec<Label>>>,
    ret: Option<SetOnce<RetArgs>>,
    err: Option<SetOnce<ErrArgs>>,
    counter: Option<SetOnce<MetricKey>>,
    histogram: Option<SetOnce<MetricKey>>,
    buckets: Option<SetOnce<Buckets>>,
    errors: Option<SetOnce<MetricKey>>,
    in_flight: Option<SetOnce<MetricKey>>,
    judge: Option<SetOnce<Judge>>,
    flow: Option<SetOnce<MetricKey>>,
    slow: Option<SetOnce<u64>>,
    objective: Option<SetOnce<super::objective::Objective>>,
    skip: Option<SetOnce<()>>,
    skipped: Option<SetOnce<Vec<Ident>>>,
    skip_all: Option<SetOnce<()>>,
    parent: Option<SetOnce<Expr>>,
    follows_from: Option<SetOnce<Expr>>,
}

/// `keys!(key, meta, span, { "name" => |key| handler, … })`: runs the handler of `key`
/// (given the key as a `&'static str`), or reports an unknown key with the closest one.
macro_rules! keys {
    ($key:expr, $meta:expr, $span:expr, { $($name:literal => |$k:ident| $handler:expr,)* }) => {{
        const KEYS: &[&str] = &[$($name),*];
        match $key {
            $($name => {
                let $k: &'static str = $name;
                $handler
            })*
            _ => Err(unknown(&$meta, $key, $span, KEYS)),
        }
    }};
}

/// The slot for `key`, created on first use so that `SetOnce` knows its key's name.
fn slot<'a, T>(slot: &'a mut Option<SetOnce<T>>, key: &'static str) -> &'a mut SetOnce<T> {
    slot.get_or_insert_with(|| SetOnce::new(key))
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
        // Each key is written once: its arm. `KEYS`, for suggestions, is made from the arms,
        // and each arm's slot is named by its key.
        keys!(key, meta, span, {
            "name" => |k| slot(&mut s.name, k).set(span, str_or_path(&meta, k)?),
            "level" => |k| slot(&mut s.level, k).set(span, parse_level(meta.value()?)?),
            "target" => |k| slot(&mut s.target, k).set(span, str_or_path(&meta, k)?),
            "args" => |k| slot(&mut s.args, k).set(span, parse_list(&meta, Ident::parse_any)?),
            "fields" => |k| slot(&mut s.fields, k)
                .set(span, parse_list(&meta, FieldSpec::parse_span_field)?),
            "labels" => |k| slot(&mut s.labels, k).set(span, parse_list(&meta, Label::parse)?),
            "ret" => |k| slot(&mut s.ret, k).set(span, parse_ret(&meta, span)?),
            "err" => |k| slot(&mut s.err, k).set(span, parse_err(&meta)?),
            "counter" => |k| slot(&mut s.counter, k).set(span, metric(&meta, span)?),
            "histogram" => |k| slot(&mut s.histogram, k).set(span, metric(&meta, span)?),
            "buckets" => |k| slot(&mut s.buckets, k).set(span, parse_buckets(&meta, span)?),
            "errors" => |k| slot(&mut s.errors, k).set(span, metric(&meta, span)?),
            "in_flight" => |k| slot(&mut s.in_flight, k).set(span, metric(&meta, span)?),
            "error_if" => |k| {
                let judge = Judge::ErrorIf(judge_path(&meta, k)?);
                slot(&mut s.judge, k).set(span, judge).map_err(|_| conflict(span))
            },
            "ok_if" => |k| {
                let judge = Judge::OkIf(judge_path(&meta, k)?);
                slot(&mut s.judge, k).set(span, judge).map_err(|_| conflict(span))
            },
            "flow" => |k| slot(&mut s.flow, k).set(span, named(&meta, span, "a flow name")?),
            "slow" => |k| slot(&mut s.slow, k).set(span, parse_slow(&meta)?),
            "objective" => |k| slot(&mut s.objective, k)
                .set(span, super::objective::parse(&meta, span)?),
            "crate" => |k| slot(&mut s.krate, k).set(span, crate::attr::crate_path(&meta)?),
            // `skip(a, b)` is tracing's; a bare `skip` opts a method out of its block.
            "skip" => |k| if meta.input.peek(syn::token::Paren) {
                slot(&mut s.skipped, k).set(span, parse_list(&meta, Ident::parse_any)?)
            } else {
                slot(&mut s.skip, k).set(span, flag(&meta, k)?)
            },
            "skip_all" => |k| slot(&mut s.skip_all, k).set(span, flag(&meta, k)?),
            "parent" => |k| slot(&mut s.parent, k).set(span, meta.value()?.parse()?),
            "follows_from" => |k| slot(&mut s.follows_from, k).set(span, meta.value()?.parse()?),
        })
    });
    parser.parse2(tokens)?;
    if let (Some(all), Some(_)) = (
        s.skip_all.as_ref().and_then(SetOnce::span),
        s.skipped.as_ref().and_then(SetOnce::span),
    ) {
        return Err(syn::Error::new(
            all,
            "`skip_all` and `skip(...)` cannot be combined",
        ));
    }
    Ok(Args {
        krate: s.krate.and_then(SetOnce::take),
        name: s.name.and_then(SetOnce::take),
        level: s.level.and_then(SetOnce::take),
        target: s.target.and_then(SetOnce::take),
        args: s.args.and_then(SetOnce::take).unwrap_or_default(),
        fields: s.fields.and_then(SetOnce::take).unwrap_or_default(),
        labels: s.labels.and_then(SetOnce::take).unwrap_or_default(),
        ret: s.ret.and_then(SetOnce::take),
        err: s.err.and_then(SetOnce::take).unwrap_or_default(),
        counter: s.counter.and_then(SetOnce::take),
        histogram: s.histogram.and_then(SetOnce::take),
        buckets: s.buckets.and_then(SetOnce::take),
        errors: s.errors.and_then(SetOnce::take),
        in_flight: s.in_flight.and_then(SetOnce::take),
        judge: s.judge.and_then(SetOnce::take),
        flow: s.flow.and_then(SetOnce::take),
        slow: s.slow.and_then(SetOnce::take),
        objective: s.objective.and_then(SetOnce::take),
        skip: s.skip.as_ref().and_then(SetOnce::span),
        skipped: s.skipped.and_then(SetOnce::take).unwrap_or_default(),
        parent: s.parent.and_then(SetOnce::take),
        follows_from: s.follows_from.and_then(SetOnce::take),
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

fn unknown(meta: &ParseNestedMeta<'_>, key: &str, span: Span, keys: &[&str]) -> syn::Error {
    let shown = if key.is_empty() {
        meta.path.to_token_stream().to_string()
    } else {
        key.to_owned()
    };
    syn::Error::new(
        span,
        format!(
            "unknown key `{shown}`{}\nvalid keys: {}",
            did_you_mean(&shown, keys.iter().copied()),
            keys.join(", ")
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
