//! The value syntaxes of `#[observe(...)]`'s keys: `key`, `key = "…"`, `key = CONSTANT`,
//! `key(…)`, levels, `err(…)`/`ret(…)` and bucket lists. Which key takes which is `args.rs`.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::parse::ParseStream;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprArray, Ident, Lit, LitStr, Path, Token};

use super::args::{Buckets, ErrArgs, ErrMode, FieldSpec, Level, MetricKey, RetArgs, StrOrPath};
use crate::attr::{closest, did_you_mean, SetOnce};

/// A key that takes no value, such as `ret`.
pub(super) fn flag(meta: &ParseNestedMeta<'_>, key: &str) -> syn::Result<()> {
    if meta.input.peek(Token![=]) || meta.input.peek(syn::token::Paren) {
        return Err(meta.error(format!("`{key}` takes no value")));
    }
    Ok(())
}

/// `key` or `key = "name"`.
pub(super) fn named(meta: &ParseNestedMeta<'_>, key: Span, what: &str) -> syn::Result<MetricKey> {
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

/// `key = "text"` (not empty) or `key = CONSTANT`.
pub(super) fn str_or_path(meta: &ParseNestedMeta<'_>, key: &str) -> syn::Result<StrOrPath> {
    let value = meta.value()?;
    if value.peek(LitStr) {
        let lit: LitStr = value.parse()?;
        check_non_empty(&lit, key)?;
        return Ok(StrOrPath::Str(lit));
    }
    value.parse::<Path>().map(StrOrPath::Path).map_err(|_| {
        value.error(format!(
            "`{key}` is a string literal or a constant: `{key} = \"…\"` or `{key} = NAME`"
        ))
    })
}

pub(super) fn check_non_empty(lit: &LitStr, key: &str) -> syn::Result<()> {
    if lit.value().trim().is_empty() {
        return Err(syn::Error::new(
            lit.span(),
            format!("`{key}` must not be empty"),
        ));
    }
    Ok(())
}

/// `error_if = path` / `ok_if = path`.
pub(super) fn judge_path(meta: &ParseNestedMeta<'_>, key: &str) -> syn::Result<Path> {
    let value = meta.value()?;
    value.parse::<Path>().map_err(|_| {
        value.error(format!(
            "`{key}` takes the path of a `fn(&ReturnType) -> bool`, e.g. `{key} = is_failure`"
        ))
    })
}

pub(super) fn parse_list<T>(
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

const LEVEL_HELP: &str = "levels are \"trace\", \"debug\", \"info\", \"warn\" and \"error\", a number 1-5, or a path such as `Level::DEBUG`";

/// `"debug"`, `debug`, `2` or `Level::DEBUG` (after `level =`).
pub(super) fn parse_level(input: ParseStream<'_>) -> syn::Result<Level> {
    let (text, span) = if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        (lit.value(), lit.span())
    } else if input.peek(syn::LitInt) {
        let int: syn::LitInt = input.parse()?;
        match int.base10_parse::<u8>() {
            Ok(n @ 1..=5) => (LEVELS[usize::from(n) - 1].to_owned(), int.span()),
            _ => {
                return Err(syn::Error::new(
                    int.span(),
                    format!("unknown level `{int}`: {LEVEL_HELP}"),
                ))
            }
        }
    } else if input.peek(Ident::peek_any) {
        let path: Path = input.parse()?;
        let Some(ident) = path.get_ident() else {
            // `Level::DEBUG`, `tracing::Level::INFO`: a `tracing::Level`, as
            // `#[tracing::instrument]` takes it.
            return Ok(Level::Path(path));
        };
        let text = ident.to_string();
        let lower = text.to_ascii_lowercase();
        if !LEVELS.contains(&lower.as_str()) {
            // A constant such as `MY_LEVEL`, unless it looks like a misspelt level name.
            if let Some(close) = closest(&lower, LEVELS) {
                return Err(syn::Error::new(
                    ident.span(),
                    format!("unknown level `{text}`: {LEVEL_HELP}; did you mean `{close}`?"),
                ));
            }
            return Ok(Level::Path(path));
        }
        (text, ident.span())
    } else {
        return Err(input.error(format!("`level`: {LEVEL_HELP}")));
    };
    let lower = text.to_ascii_lowercase();
    if !LEVELS.contains(&lower.as_str()) {
        return Err(syn::Error::new(
            span,
            format!(
                "unknown level `{text}`: {LEVEL_HELP}{}",
                did_you_mean(&lower, LEVELS)
            ),
        ));
    }
    Ok(Level::Named(Ident::new(&lower.to_ascii_uppercase(), span)))
}

/// `Display`/`Debug` as `#[tracing::instrument]` writes them, or `"display"`/`"debug"`.
fn format_mode(text: &str) -> Option<ErrMode> {
    match text {
        "display" | "Display" => Some(ErrMode::Display),
        "debug" | "Debug" => Some(ErrMode::Debug),
        _ => None,
    }
}

/// `(Display | Debug, level = …)`, in either order, both optional; for `ret`, also
/// `fields(...)`.
fn event_args(
    meta: &ParseNestedMeta<'_>,
    key: &str,
    takes_fields: bool,
) -> syn::Result<(Option<ErrMode>, Option<Level>, Vec<FieldSpec>)> {
    let mut mode: Option<SetOnce<ErrMode>> = None;
    let mut level: Option<SetOnce<Level>> = None;
    let mut fields: Option<SetOnce<Vec<FieldSpec>>> = None;
    if meta.input.peek(syn::token::Paren) {
        meta.parse_nested_meta(|inner| {
            let ident = inner.path.get_ident().map(ToString::to_string);
            let span = inner.path.span();
            match ident.as_deref() {
                Some("level") => level
                    .get_or_insert_with(|| SetOnce::new("level"))
                    .set(span, parse_level(inner.value()?)?),
                Some("fields") if takes_fields => fields
                    .get_or_insert_with(|| SetOnce::new("fields"))
                    .set(span, parse_list(&inner, FieldSpec::parse_span_field)?),
                Some(text) if format_mode(text).is_some() => mode
                    .get_or_insert_with(|| SetOnce::new("Display/Debug"))
                    .set(span, format_mode(text).unwrap_or_default()),
                _ if takes_fields => Err(inner.error(format!(
                    "`{key}(…)` takes `Display` or `Debug`, `level = …` and `fields(…)`"
                ))),
                _ => Err(inner.error(format!(
                    "`{key}(…)` takes `Display` or `Debug`, and `level = …`"
                ))),
            }
        })?;
    }
    Ok((
        mode.and_then(SetOnce::take),
        level.and_then(SetOnce::take),
        fields.and_then(SetOnce::take).unwrap_or_default(),
    ))
}

/// `err`, `err = "debug"`, `err(Debug)`, `err(level = "warn")`, `err(Debug, level = …)`.
pub(super) fn parse_err(meta: &ParseNestedMeta<'_>) -> syn::Result<ErrArgs> {
    if meta.input.peek(Token![=]) {
        let lit: LitStr = meta.value()?.parse()?;
        return match format_mode(&lit.value()) {
            Some(mode) => Ok(ErrArgs { mode, level: None }),
            None => Err(syn::Error::new(
                lit.span(),
                format!("`err` is \"display\" or \"debug\", not \"{}\"", lit.value()),
            )),
        };
    }
    let (mode, level, _) = event_args(meta, "err", false)?;
    Ok(ErrArgs {
        mode: mode.unwrap_or_default(),
        level,
    })
}

/// `ret`, `ret(Display)`, `ret(Debug)`, `ret(level = …)`.
pub(super) fn parse_ret(meta: &ParseNestedMeta<'_>, span: Span) -> syn::Result<RetArgs> {
    if meta.input.peek(Token![=]) {
        return Err(meta.error(
            "`ret` takes no value: `ret`, `ret(Display)`, `ret(Debug)` or `ret(level = \"info\")`",
        ));
    }
    let (mode, level, fields) = event_args(meta, "ret", true)?;
    for field in &fields {
        if field.is_empty_field() {
            return Err(syn::Error::new_spanned(
                &field.name_tokens,
                format!(
                    "a field of `ret(fields(...))` needs a value computed from `ret`: `{} = ret.…`",
                    field.name
                ),
            ));
        }
    }
    Ok(RetArgs {
        span,
        whole: fields.is_empty() || mode.is_some() || level.is_some(),
        // `return` is recorded with `Debug` unless told otherwise, as tracing does.
        mode: mode.unwrap_or(ErrMode::Debug),
        level,
        fields,
    })
}

pub(super) fn parse_buckets(meta: &ParseNestedMeta<'_>, key: Span) -> syn::Result<Buckets> {
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

/// `slow = "250ms"`: a threshold as a literal with a unit (`ns`, `us`, `ms`, `s`; a decimal
/// number, `1.5s`), turned into whole nanoseconds at compile time.
pub(crate) fn parse_slow(meta: &ParseNestedMeta<'_>) -> syn::Result<u64> {
    let lit: LitStr = meta.value()?.parse()?;
    duration_nanos(&lit.value()).ok_or_else(|| {
        syn::Error::new(
            lit.span(),
            "expected a duration with a unit, such as `\"250ms\"`, `\"1.5s\"`, `\"800us\"` or `\"50ns\"`",
        )
    })
}

/// A duration with a unit (`"250ms"`, `"1.5s"`, `"800us"`, `"50ns"`) in nanoseconds.
pub(crate) fn duration_nanos(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let per_unit = match unit {
        "ns" => 1.0,
        "us" | "µs" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        _ => return None,
    };
    let number = number.trim();
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let nanos = number.parse::<f64>().ok()? * per_unit;
    // Under a nanosecond is no threshold; a year is a typo.
    (1.0..=3.2e16)
        .contains(&nanos)
        .then(|| nanos.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::duration_nanos;

    #[test]
    fn slow_thresholds_read_as_nanoseconds() {
        assert_eq!(duration_nanos("250ms"), Some(250_000_000));
        assert_eq!(duration_nanos("1.5s"), Some(1_500_000_000));
        assert_eq!(duration_nanos("800us"), Some(800_000));
        assert_eq!(duration_nanos(" 50 ns "), Some(50));
        for bad in ["", "ms", "fast", "-5ms", "5", "5m", "1e3ms", "0ms", "0.1ns"] {
            assert_eq!(duration_nanos(bad), None, "{bad}");
        }
    }
}
