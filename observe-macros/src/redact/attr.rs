//! The `#[redact(...)]` attributes of a type and its fields, as a model that keeps the spans of
//! what was written.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Attribute, Data, DeriveInput, Fields, LitInt, Path};

use crate::attr::did_you_mean;

/// Every mode a field attribute accepts, for suggestions.
const FIELD_KEYS: &[&str] = &["partial", "last", "email", "hash", "with", "skip", "all"];

#[derive(Clone)]
pub(crate) enum Mode {
    Full,
    Partial,
    Last(usize),
    Email,
    Hash,
    With(Path),
}

/// What a field's attributes say.
#[derive(Default)]
pub(crate) struct FieldAttr {
    /// The mode and the span of the `#[redact]` that set it.
    pub mode: Option<(Mode, Span)>,
    pub skip: Option<Span>,
}

pub(crate) struct Model {
    /// `#[redact(all)]` on the type.
    pub all: Option<Span>,
    /// `#[redact(crate = path)]` on the type: where the observe facade is.
    pub krate: Option<Path>,
    /// Per variant (one for a struct), per field.
    pub fields: Vec<Vec<FieldAttr>>,
}

impl Model {
    pub(crate) fn parse(input: &DeriveInput) -> syn::Result<Model> {
        let (all, krate) = container(&input.attrs)?;
        let fields = match &input.data {
            Data::Struct(s) => vec![fields(&s.fields)?],
            Data::Enum(e) => e.variants.iter().map(|v| fields(&v.fields)).collect::<syn::Result<_>>()?,
            Data::Union(u) => {
                return Err(syn::Error::new(
                    u.union_token.span,
                    "#[derive(Redact)] does not support unions: which field is live is unknown, so nothing can be shown safely",
                ))
            }
        };
        Ok(Model { all, krate, fields })
    }
}

/// The type's own `#[redact(all)]` and `#[redact(crate = path)]`.
fn container(attrs: &[Attribute]) -> syn::Result<(Option<Span>, Option<Path>)> {
    let mut all = None;
    let mut krate = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("redact")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("all") {
                if all.is_some() {
                    return Err(meta.error("duplicate `all`"));
                }
                all = Some(meta.path.span());
                Ok(())
            } else if meta.path.is_ident("crate") {
                if krate.is_some() {
                    return Err(meta.error("duplicate `crate`"));
                }
                krate = Some(crate::attr::crate_path(&meta)?);
                Ok(())
            } else {
                Err(meta.error("on a type, `#[redact(...)]` takes `all` and `crate = path`; modes go on fields"))
            }
        })?;
    }
    Ok((all, krate))
}

/// The `crate = path` of a type's attributes, if it can be read (for the fallback impls).
pub(crate) fn crate_of(attrs: &[Attribute]) -> Option<Path> {
    container(attrs).ok().and_then(|(_, krate)| krate)
}

fn fields(fields: &Fields) -> syn::Result<Vec<FieldAttr>> {
    fields.iter().map(|f| field(&f.attrs)).collect()
}

/// A field's `#[redact]` attributes. Shared with `#[observe]`, which reads the same attribute on
/// parameters.
pub(crate) fn field(attrs: &[Attribute]) -> syn::Result<FieldAttr> {
    let mut out = FieldAttr::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("redact")) {
        if out.mode.is_some() || out.skip.is_some() {
            return Err(syn::Error::new_spanned(
                attr,
                "duplicate `#[redact]`: give one attribute with one mode",
            ));
        }
        if matches!(attr.meta, syn::Meta::Path(_)) {
            out.mode = Some((Mode::Full, attr.span()));
            continue;
        }
        let mut mode: Option<(Mode, Span, String)> = None;
        attr.parse_nested_meta(|meta| {
            let key = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
            let span = meta.path.span();
            let parsed = match key.as_str() {
                "partial" => Mode::Partial,
                "email" => Mode::Email,
                "hash" => Mode::Hash,
                "last" => {
                    let n: LitInt = meta.value()?.parse()?;
                    let value: usize = n.base10_parse()?;
                    if value == 0 {
                        return Err(syn::Error::new(n.span(), "`last = 0` shows nothing: use `#[redact]` to hide the whole value"));
                    }
                    Mode::Last(value)
                }
                "with" => Mode::With(meta.value()?.parse()?),
                "skip" => {
                    out.skip = Some(span);
                    return Ok(());
                }
                "all" => {
                    return Err(meta.error("`all` goes on the type (`#[redact(all)]` above the struct or enum), not on a field"));
                }
                _ => {
                    return Err(meta.error(format!(
                        "unknown redaction mode `{key}`: modes are partial, last = N, email, hash, with = path (or `#[redact]` alone){}",
                        did_you_mean(&key, FIELD_KEYS.iter().copied())
                    )));
                }
            };
            if let Some((_, _, first)) = &mode {
                return Err(syn::Error::new(
                    span,
                    format!("conflicting redaction modes `{first}` and `{key}`: a field has one mode"),
                ));
            }
            mode = Some((parsed, span, key));
            Ok(())
        })?;
        if let (Some(_), Some(skip)) = (&mode, out.skip) {
            return Err(syn::Error::new(
                skip,
                "`skip` with a mode: a field is either shown or redacted",
            ));
        }
        out.mode = mode.map(|(mode, span, _)| (mode, span));
    }
    Ok(out)
}
