//! `objective(success = 99.9, latency = "250ms", latency_target = 99)`: parsed here, checked
//! against the function's metrics (a percentage in (0, 100); success needs the counter; a
//! latency needs the histogram and must be one of its bucket bounds, in its unit, or the
//! objective could not be computed exactly), and rendered into the call site's static.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::meta::ParseNestedMeta;
use syn::{Lit, LitStr};

use super::valid::{Errors, Metrics};
use super::values::duration_nanos;

/// The objective as written.
pub(crate) struct Objective {
    pub key: Span,
    pub success: Option<(f64, Span)>,
    /// As written, in nanoseconds, where.
    pub latency: Option<(String, f64, Span)>,
    pub latency_target: Option<(f64, Span)>,
}

/// The objective, checked: the latency in the histogram's unit.
pub(crate) struct Checked {
    pub success: Option<f64>,
    pub latency: Option<(f64, String)>,
    pub latency_target: f64,
}

const NEEDS_A_TARGET: &str =
    "an objective needs `success = <percent>` or `latency = \"<duration>\"` (or both)";

/// Percent of calls faster than `latency` when `latency_target` is not given.
const DEFAULT_LATENCY_TARGET: f64 = 99.0;

pub(crate) fn parse(meta: &ParseNestedMeta<'_>, key: Span) -> syn::Result<Objective> {
    let mut objective = Objective {
        key,
        success: None,
        latency: None,
        latency_target: None,
    };
    let empty = meta.input.fork();
    let content;
    syn::parenthesized!(content in empty);
    if content.is_empty() {
        return Err(syn::Error::new(key, NEEDS_A_TARGET));
    }
    meta.parse_nested_meta(|inner| {
        let name = inner
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        let span = inner.path.get_ident().map_or(key, syn::Ident::span);
        match name.as_str() {
            "success" => set(&mut objective.success, percent(&inner)?, span, "success"),
            "latency_target" => set(
                &mut objective.latency_target,
                percent(&inner)?,
                span,
                "latency_target",
            ),
            "latency" => {
                let lit: LitStr = inner.value()?.parse()?;
                let nanos = duration_nanos(&lit.value()).ok_or_else(|| {
                    syn::Error::new(
                        lit.span(),
                        "expected a duration with a unit, such as `\"250ms\"`, `\"1.5s\"` or `\"800us\"`",
                    )
                })?;
                if objective.latency.is_some() {
                    return Err(syn::Error::new(span, "`latency` is given twice"));
                }
                objective.latency = Some((lit.value(), nanos as f64, lit.span()));
                Ok(())
            }
            _ => Err(syn::Error::new(
                span,
                format!(
                    "unknown objective `{name}`{}\nvalid: success, latency, latency_target",
                    crate::attr::did_you_mean(&name, ["success", "latency", "latency_target"].into_iter())
                ),
            )),
        }
    })?;
    if objective.success.is_none() && objective.latency.is_none() {
        return Err(syn::Error::new(key, NEEDS_A_TARGET));
    }
    Ok(objective)
}

fn set(
    slot: &mut Option<(f64, Span)>,
    value: (f64, Span),
    span: Span,
    key: &str,
) -> syn::Result<()> {
    if slot.is_some() {
        return Err(syn::Error::new(span, format!("`{key}` is given twice")));
    }
    *slot = Some(value);
    Ok(())
}

/// A percentage: a number strictly between 0 and 100.
fn percent(meta: &ParseNestedMeta<'_>) -> syn::Result<(f64, Span)> {
    let lit: Lit = meta.value()?.parse()?;
    let (value, span) = match &lit {
        Lit::Float(f) => (f.base10_parse::<f64>()?, f.span()),
        Lit::Int(i) => (i.base10_parse::<f64>()?, i.span()),
        other => {
            return Err(syn::Error::new(
                other.span(),
                "expected a percentage, such as `99.9`",
            ))
        }
    };
    if !(value > 0.0 && value < 100.0) {
        return Err(syn::Error::new(
            span,
            "a percentage is strictly between 0 and 100 (`99.9` for 99.9 %)",
        ));
    }
    Ok((value, span))
}

/// Checks the objective against the function's metrics.
pub(crate) fn check(
    objective: &Objective,
    metrics: &Metrics,
    errors: &mut Errors,
) -> Option<Checked> {
    let mut ok = true;
    if metrics.counter.is_none() && metrics.histogram.is_none() {
        errors.push(
            objective.key,
            "an objective needs a metric to be measured by: add `counter` (for `success`) or `histogram` (for `latency`)",
        );
        return None;
    }
    if let (Some((_, span)), None) = (&objective.success, &metrics.counter) {
        errors.push(
            *span,
            "a `success` objective is measured by the calls counter: add `counter`",
        );
        ok = false;
    }
    if let (Some((_, span)), None) = (&objective.latency_target, &objective.latency) {
        errors.push(*span, "`latency_target` needs a `latency`");
        ok = false;
    }
    let mut latency = None;
    if let Some((text, nanos, span)) = &objective.latency {
        match &metrics.histogram {
            None => {
                errors.push(
                    *span,
                    "a `latency` objective is measured by the duration histogram: add `histogram`",
                );
                ok = false;
            }
            Some((name, unit)) => {
                let per_nano = match *unit {
                    "Seconds" => 1e-9,
                    "Milliseconds" => 1e-6,
                    "Microseconds" => 1e-3,
                    _ => 1.0,
                };
                let in_unit = (nanos * per_nano * 1e6).round() / 1e6;
                let buckets = metrics
                    .buckets
                    .clone()
                    .unwrap_or_else(|| default_buckets(unit));
                if buckets
                    .iter()
                    .any(|b| (b - in_unit).abs() <= f64::EPSILON * b.abs().max(1.0))
                {
                    latency = Some((in_unit, text.clone()));
                } else {
                    errors.push(
                        *span,
                        format_args!(
                            "`{text}` is {in_unit} in the unit of `{name}`, which is not one of its bucket bounds {buckets:?}: the objective could not be computed exactly; pick a bound or add it to `buckets`"
                        ),
                    );
                    ok = false;
                }
            }
        }
    }
    ok.then(|| Checked {
        success: objective.success.map(|(v, _)| v),
        latency,
        latency_target: objective
            .latency_target
            .map_or(DEFAULT_LATENCY_TARGET, |(v, _)| v),
    })
}

/// Prometheus' default buckets (seconds) in `unit`, as the runtime computes them.
fn default_buckets(unit: &str) -> Vec<f64> {
    let per_second = match unit {
        "Seconds" => 1.0,
        "Milliseconds" => 1e3,
        "Microseconds" => 1e6,
        _ => 1e9,
    };
    observe_shared::DEFAULT_BUCKETS_SECONDS
        .iter()
        .map(|s| (s * per_second * 1e6).round() / 1e6)
        .collect()
}

// Input:  objective(success = 99.9, latency = "250ms") on a `_ms` histogram
// Output: Some(ObjectiveInfo { success: Some(99.9), latency: Some((250.0, "250ms")), latency_target: 99.0 })
pub(crate) fn tokens(checked: Option<&Checked>, p: &TokenStream) -> Option<TokenStream> {
    let some = |value: TokenStream| quote!(::core::option::Option::Some(#value));
    let none = quote!(::core::option::Option::None);
    let c = checked?;
    let success = c.success.map_or_else(|| none.clone(), |v| some(quote!(#v)));
    let latency = c
        .latency
        .as_ref()
        .map_or_else(|| none.clone(), |(v, text)| some(quote!((#v, #text))));
    let target = c.latency_target;
    Some(some(quote! {
        #p::ObjectiveInfo { success: #success, latency: #latency, latency_target: #target }
    }))
}
