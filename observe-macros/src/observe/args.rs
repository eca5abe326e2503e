//! Parsing `#[observe(...)]`: every key, its value syntax, and duplicate/unknown-key errors.
//! Rules that relate keys to each other or to the function live in `valid.rs`.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprArray, Ident, Lit, LitStr, Path, Token};

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
];

pub(crate) struct Args {
    pub krate: Option<Path>,
    pub name: Option<LitStr>,
    pub level: Option<Ident>,
    pub target: Option<LitStr>,
    pub args: Vec<Ident>,
    pub fields: Vec<FieldSpec>,
    pub labels: Vec<Label>,
    pub ret: Option<Span>,
    pub err: ErrMode,
    pub counter: Option<MetricKey>,
    pub histogram: Option<MetricKey>,
    pub buckets: Option<Buckets>,
    pub errors: Option<MetricKey>,
    pub in_flight: Option<MetricKey>,
    pub judge: Option<Judge>,
    pub flow: Option<MetricKey>,
    pub skip: Option<Span>,
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

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrMode {
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
    name: Option<Once<LitStr>>,
    level: Option<Once<Ident>>,
    target: Option<Once<LitStr>>,
    args: Option<Once<Vec<Ident>>>,
    fields: Option<Once<Vec<FieldSpec>>>,
    labels: Option<Once<Vec<Label>>>,
    ret: Option<Once<()>>,
    err: Option<Once<ErrMode>>,
    counter: Option<Once<MetricKey>>,
    histogram: Option<Once<MetricKey>>,
    buckets: Option<Once<Buckets>>,
    errors: Option<Once<MetricKey>>,
    in_flight: Option<Once<MetricKey>>,
    judge: Option<Once<Judge>>,
    flow: Option<Once<MetricKey>>,
    skip: Option<Once<()>>,
}

/// The slot for `key`, created on first use so that `Once` knows its key's name.
fn slot<'a, T>(slot: &'a mut Option<Once<T>>, key: &'static str) -> &'a mut Once<T> {
    slot.get_or_insert_with(|| Once::new(key))
}

pub(crate) fn parse(tokens: TokenStream) -> syn::Result<Args> {
    let mut s = Slots::default();
    let parser = syn::meta::parser(|meta| {
        let ident = meta.path.get_ident().map(|i| i.unraw().to_string());
        let key = ident.as_deref().unwrap_or_default();
        let span = meta.path.span();
        match key {
            "name" => slot(&mut s.name, "name").set(span, non_empty(&meta, "name")?),
            "level" => slot(&mut s.level, "level").set(span, parse_level(&meta)?),
            "target" => slot(&mut s.target, "target").set(span, non_empty(&meta, "target")?),
            "args" => slot(&mut s.args, "args").set(span, parse_list(&meta, Ident::parse_any)?),
            "fields" => {
                slot(&mut s.fields, "fields").set(span, parse_list(&meta, FieldSpec::parse)?)
            }
            "labels" => slot(&mut s.labels, "labels").set(span, parse_list(&meta, Label::parse)?),
            "ret" => slot(&mut s.ret, "ret").set(span, flag(&meta, "ret")?),
            "err" => slot(&mut s.err, "err").set(span, parse_err_mode(&meta)?),
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
            "crate" => slot(&mut s.krate, "crate").set(span, parse_crate(&meta)?),
            "skip" => slot(&mut s.skip, "skip").set(span, flag(&meta, "skip")?),
            _ => Err(unknown(&meta, key, span)),
        }
    });
    parser.parse2(tokens)?;
    Ok(Args {
        krate: s.krate.and_then(Once::take),
        name: s.name.and_then(Once::take),
        level: s.level.and_then(Once::take),
        target: s.target.and_then(Once::take),
        args: s.args.and_then(Once::take).unwrap_or_default(),
        fields: s.fields.and_then(Once::take).unwrap_or_default(),
        labels: s.labels.and_then(Once::take).unwrap_or_default(),
        ret: s.ret.as_ref().and_then(Once::span),
        err: s.err.and_then(Once::take).unwrap_or(ErrMode::Display),
        counter: s.counter.and_then(Once::take),
        histogram: s.histogram.and_then(Once::take),
        buckets: s.buckets.and_then(Once::take),
        errors: s.errors.and_then(Once::take),
        in_flight: s.in_flight.and_then(Once::take),
        judge: s.judge.and_then(Once::take),
        flow: s.flow.and_then(Once::take),
        skip: s.skip.as_ref().and_then(Once::span),
    })
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

/// A key that takes no value, such as `ret`.
fn flag(meta: &ParseNestedMeta<'_>, key: &str) -> syn::Result<()> {
    if meta.input.peek(Token![=]) || meta.input.peek(syn::token::Paren) {
        return Err(meta.error(format!("`{key}` takes no value")));
    }
    Ok(())
}

fn metric(meta: &ParseNestedMeta<'_>, key: Span) -> syn::Result<MetricKey> {
    named(meta, key, "a metric name")
}

/// `key` or `key = "name"`.
fn named(meta: &ParseNestedMeta<'_>, key: Span, what: &str) -> syn::Result<MetricKey> {
    let name = if meta.input.peek(Token![=]) {
        let value = meta.value()?;
        if !value.peek(Lit) {
            return Err(value.error(format!("{what} is a string literal: `= \"…\"`")));
        }
        match value.parse::<Lit>()? {
            Lit::Str(s) => Some(s),
            other => {
                return Err(syn::Error::new_spanned(
                    other,
                    format!("{what} is a string literal: `= \"…\"`"),
                ))
            }
        }
    } else if meta.input.peek(syn::token::Paren) {
        return Err(meta.error("expected `= \"name\"` or nothing"));
    } else {
        None
    };
    Ok(MetricKey { key, name })
}

/// A string value that must not be empty.
fn non_empty(meta: &ParseNestedMeta<'_>, key: &str) -> syn::Result<LitStr> {
    let value = meta.value()?;
    if !value.peek(LitStr) {
        return Err(value.error(format!("`{key}` is a string literal: `{key} = \"…\"`")));
    }
    let lit: LitStr = value.parse()?;
    if lit.value().trim().is_empty() {
        return Err(syn::Error::new(
            lit.span(),
            format!("`{key}` must not be empty"),
        ));
    }
    Ok(lit)
}

/// `error_if = path` / `ok_if = path`.
fn judge_path(meta: &ParseNestedMeta<'_>, key: &str) -> syn::Result<Path> {
    let value = meta.value()?;
    value.parse::<Path>().map_err(|_| {
        value.error(format!(
            "`{key}` takes the path of a `fn(&ReturnType) -> bool`, e.g. `{key} = is_failure`"
        ))
    })
}

fn parse_list<T>(
    meta: &ParseNestedMeta<'_>,
    item: fn(ParseStream<'_>) -> syn::Result<T>,
) -> syn::Result<Vec<T>> {
    if !meta.input.peek(syn::token::Paren) {
        let key = meta
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        return Err(meta.error(format!("`{key}` takes a list in parentheses: `{key}(…)`")));
    }
    let content;
    syn::parenthesized!(content in meta.input);
    Ok(
        Punctuated::<T, Token![,]>::parse_terminated_with(&content, item)?
            .into_iter()
            .collect(),
    )
}

const LEVELS: [&str; 5] = ["trace", "debug", "info", "warn", "error"];

fn parse_level(meta: &ParseNestedMeta<'_>) -> syn::Result<Ident> {
    let input = meta.value()?;
    let (text, span) = if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        (lit.value(), lit.span())
    } else if input.peek(Ident::peek_any) {
        let ident = Ident::parse_any(input)?;
        (ident.to_string(), ident.span())
    } else {
        return Err(
            input.error("`level` is one of \"trace\", \"debug\", \"info\", \"warn\" and \"error\"")
        );
    };
    let lower = text.to_ascii_lowercase();
    if !LEVELS.contains(&lower.as_str()) {
        return Err(syn::Error::new(
            span,
            format!(
                "unknown level `{text}`: levels are \"trace\", \"debug\", \"info\", \"warn\" and \"error\"{}",
                did_you_mean(&lower, LEVELS)
            ),
        ));
    }
    Ok(Ident::new(&lower.to_ascii_uppercase(), span))
}

fn parse_err_mode(meta: &ParseNestedMeta<'_>) -> syn::Result<ErrMode> {
    let lit: LitStr = meta.value()?.parse()?;
    match lit.value().as_str() {
        "display" | "Display" => Ok(ErrMode::Display),
        "debug" | "Debug" => Ok(ErrMode::Debug),
        other => Err(syn::Error::new(
            lit.span(),
            format!("`err` is \"display\" or \"debug\", not \"{other}\""),
        )),
    }
}

fn parse_crate(meta: &ParseNestedMeta<'_>) -> syn::Result<Path> {
    let input = meta.value()?;
    let path = if input.peek(LitStr) {
        input.parse::<LitStr>()?.parse()
    } else {
        input.parse()
    };
    path.map_err(|_| {
        input.error("`crate` takes the path of the observe facade, e.g. `crate = ::observe`")
    })
}

fn parse_buckets(meta: &ParseNestedMeta<'_>, key: Span) -> syn::Result<Buckets> {
    let array: ExprArray = meta.value()?.parse()?;
    let mut values = Vec::with_capacity(array.elems.len());
    for elem in &array.elems {
        let value = match elem {
            Expr::Lit(syn::ExprLit {
                lit: Lit::Float(f), ..
            }) => f.base10_parse::<f64>()?,
            Expr::Lit(syn::ExprLit {
                lit: Lit::Int(i), ..
            }) => i.base10_parse::<f64>()?,
            Expr::Unary(syn::ExprUnary {
                op: syn::UnOp::Neg(_),
                ..
            }) => {
                return Err(syn::Error::new_spanned(elem, "buckets must be positive"));
            }
            _ => {
                return Err(syn::Error::new_spanned(
                    elem,
                    "a bucket is a number literal",
                ))
            }
        };
        values.push((value, elem.span()));
    }
    if values.is_empty() {
        return Err(syn::Error::new_spanned(
            array,
            "`buckets` needs at least one bucket",
        ));
    }
    Ok(Buckets { key, values })
}
