//! Rules across the whole type: what makes `#[derive(Redact)]` a compile error.

use syn::{Data, DeriveInput};

use super::attr::Model;

pub(crate) fn check(input: &DeriveInput, model: &Model) -> syn::Result<()> {
    let mut errors: Option<syn::Error> = None;
    let mut push = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };
    let mut redacts = false;
    for field in model.fields.iter().flatten() {
        if let (Some(skip), None) = (field.skip, model.all) {
            push(syn::Error::new(
                skip,
                "`skip` only makes sense with `#[redact(all)]` on the type",
            ));
        }
        if field.mode.is_some() || (model.all.is_some() && field.skip.is_none()) {
            redacts = true;
        }
    }
    let has_fields = match &input.data {
        Data::Struct(s) => !s.fields.is_empty(),
        Data::Enum(e) => e.variants.iter().any(|v| !v.fields.is_empty()),
        Data::Union(_) => true,
    };
    if !redacts {
        let why = if has_fields {
            "mark sensitive fields with `#[redact]` (or a mode), or the type with `#[redact(all)]`; otherwise use `#[derive(Debug)]`"
        } else {
            "it has no fields; use `#[derive(Debug)]`"
        };
        push(syn::Error::new(
            input.ident.span(),
            format!("#[derive(Redact)] on a type that redacts nothing: {why}"),
        ));
    }
    errors.map_or(Ok(()), Err)
}
