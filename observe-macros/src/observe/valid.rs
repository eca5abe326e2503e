//! Rules between keys, and between keys and the function: everything that makes
//! `#[observe(...)]` a compile error rather than a surprise at run time.

use proc_macro2::Span;
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::Ident;

use super::args::{Args, MetricKey};
use super::item::Func;
use crate::attr::did_you_mean;

/// The error for a function without a body.
pub(crate) const NO_BODY: &str = "#[observe] needs a function body: put it on the implementations of this method, or give the trait method a default body";

/// Span fields the macro writes itself; `fields(...)` and `args(...)` may not reuse them.
const RESERVED_FIELDS: &[&str] = &[
    "code.function.name",
    "code.file.path",
    "code.line.number",
    "otel.status_code",
    "otel.status_description",
    "error.type",
    "cancelled",
    "return",
];

/// A span has `code.*` (3), the outcome fields (4) and `return`, in at most 32 fields.
/// (`flow_started`, with `message`, `flow`, `flow_id` and the arguments, fits as well.)
const MAX_SPAN_VALUES: usize = 24;

/// Histogram unit suffixes and the runtime unit each selects.
pub(crate) const UNITS: &[(&str, &str)] = &[
    ("_seconds", "Seconds"),
    ("_milliseconds", "Milliseconds"),
    ("_ms", "Milliseconds"),
    ("_microseconds", "Microseconds"),
    ("_us", "Microseconds"),
    ("_nanoseconds", "Nanoseconds"),
    ("_ns", "Nanoseconds"),
];

/// Metric names as registered, after defaults and the `_total` suffix.
pub(crate) struct Metrics {
    pub counter: Option<String>,
    pub histogram: Option<(String, &'static str)>,
    pub buckets: Option<Vec<f64>>,
    pub errors: Option<String>,
    pub in_flight: Option<String>,
    /// `objective(...)`, checked against the metrics above.
    pub objective: Option<super::objective::Checked>,
}

/// Collects every error, so that one build shows all mistakes of an attribute.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push_error(syn::Error::new(span, message));
    }

    pub(crate) fn push_spanned(
        &mut self,
        tokens: impl quote::ToTokens,
        message: impl std::fmt::Display,
    ) {
        self.push_error(syn::Error::new_spanned(tokens, message));
    }

    fn push_error(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub(crate) fn finish<T>(self, value: T) -> syn::Result<T> {
        self.0.map_or(Ok(value), Err)
    }
}

pub(crate) fn check(
    args: &Args,
    func: &Func,
    function: Option<&str>,
    in_block: bool,
    secrets: &[Ident],
) -> syn::Result<Metrics> {
    let mut errors = Errors::default();
    check_function(func, &mut errors);
    if let (Some(span), false) = (args.skip, in_block) {
        errors.push(span, "`skip` opts a method out of an `#[observe]` on its `impl` block or trait; it has no meaning here");
    }
    check_fields(args, func, &mut errors);
    check_skipped(args, func, &mut errors);
    check_labels(args, secrets, &mut errors);
    if args.args.len() + args.fields.len() + args.ret_fields().len() > MAX_SPAN_VALUES {
        let extra = args
            .args
            .get(MAX_SPAN_VALUES)
            .map(syn::Ident::span)
            .or_else(|| {
                let skip = MAX_SPAN_VALUES.saturating_sub(args.args.len());
                args.fields
                    .iter()
                    .chain(args.ret_fields())
                    .nth(skip)
                    .map(|f| syn::spanned::Spanned::span(&f.name_tokens))
            })
            .unwrap_or_else(proc_macro2::Span::call_site);
        errors.push(
            extra,
            format_args!("a span records at most {MAX_SPAN_VALUES} `args` and `fields` together"),
        );
    }
    let mut metrics = check_metrics(args, function, &mut errors);
    if let Some(objective) = &args.objective {
        metrics.objective = super::objective::check(objective, &metrics, &mut errors);
    }
    errors.finish(metrics)
}

fn check_function(func: &Func, errors: &mut Errors) {
    if let Some(constness) = &func.sig.constness {
        errors.push(
            constness.span,
            "#[observe] cannot instrument a `const fn`: recording spans and metrics is not possible in const evaluation",
        );
    }
    if func.body.is_none() {
        errors.push(func.sig.ident.span(), NO_BODY);
    }
}

fn check_fields(args: &Args, func: &Func, errors: &mut Errors) {
    let params = func.param_names();
    let param_names: Vec<String> = params.iter().map(|p| p.unraw().to_string()).collect();
    let mut seen: Vec<String> = Vec::new();
    for arg in &args.args {
        let name = arg.unraw().to_string();
        if !param_names.contains(&name) {
            let known = if param_names.is_empty() {
                "this function has no named parameters".to_owned()
            } else {
                format!("parameters: {}", param_names.join(", "))
            };
            errors.push(
                arg.span(),
                format_args!(
                    "`args` names `{name}`, which is not a parameter of this function{} ({known})",
                    did_you_mean(&name, param_names.iter().map(String::as_str)),
                ),
            );
        } else if seen.contains(&name) {
            errors.push(
                arg.span(),
                format_args!("`{name}` is listed twice in `args`"),
            );
        }
        seen.push(name);
    }
    for field in args.fields.iter().chain(args.ret_fields()) {
        if RESERVED_FIELDS.contains(&field.name.as_str()) {
            errors.push_spanned(
                &field.name_tokens,
                format_args!(
                    "the span field `{}` is written by #[observe] itself",
                    field.name
                ),
            );
        } else if seen.contains(&field.name) {
            errors.push_spanned(
                &field.name_tokens,
                format_args!("the span field `{}` is recorded twice", field.name),
            );
        }
        seen.push(field.name.clone());
    }
}

/// `skip(a, b)` (`#[tracing::instrument]`'s) must name parameters, as tracing checks, and
/// cannot name one that `args` records.
fn check_skipped(args: &Args, func: &Func, errors: &mut Errors) {
    let params: Vec<String> = func
        .param_names()
        .iter()
        .map(|p| p.unraw().to_string())
        .collect();
    let mut seen: Vec<String> = Vec::new();
    for skipped in &args.skipped {
        let name = skipped.unraw().to_string();
        if !params.contains(&name) {
            errors.push(
                skipped.span(),
                format_args!(
                    "`skip` names `{name}`, which is not a parameter of this function{}",
                    did_you_mean(&name, params.iter().map(String::as_str)),
                ),
            );
        } else if seen.contains(&name) {
            errors.push(skipped.span(), format_args!("`{name}` is skipped twice"));
        } else if args.args.iter().any(|a| a.unraw() == name) {
            errors.push(
                skipped.span(),
                format_args!("`{name}` is both recorded (`args`) and skipped (`skip`)"),
            );
        }
        seen.push(name);
    }
}

/// Label names Prometheus or observe itself uses.
const RESERVED_LABELS: &[&str] = &[
    "function",
    "module",
    "result",
    "error_type",
    "le",
    "quantile",
];

fn check_labels(args: &Args, secrets: &[Ident], errors: &mut Errors) {
    if args.labels.is_empty() {
        return;
    }
    if args.counter.is_none() && args.histogram.is_none() && args.errors.is_none() {
        errors.push(
            args.labels[0].name.span(),
            "`labels` apply to `counter`, `histogram` and `errors`; this function has none of them",
        );
    }
    let mut seen: Vec<String> = Vec::new();
    for label in &args.labels {
        let name = label.name.unraw().to_string();
        let span = label.name.span();
        if name.starts_with("__") {
            errors.push(
                span,
                format_args!("label `{name}`: names starting with `__` are reserved by Prometheus"),
            );
        } else if RESERVED_LABELS.contains(&name.as_str()) {
            errors.push(
                span,
                format_args!("label `{name}` is set by observe or Prometheus itself"),
            );
        } else if seen.contains(&name) {
            errors.push(span, format_args!("label `{name}` is given twice"));
        } else if super::params::is_sensitive(&label.name) {
            errors.push(
                span,
                format_args!(
                    "label `{name}` is a sensitive name: a secret can never be a metric label"
                ),
            );
        }
        seen.push(name);
        if let Some(secret) = mentioned(label.value.to_token_stream(), secrets) {
            errors.push(
                secret.span(),
                format_args!("`{secret}` is a secret parameter (`#[redact]` or a sensitive name): it can never be a metric label"),
            );
        }
    }
}

/// The first secret `tokens` use, as an ident or captured in a format string (`"{pin}"`),
/// with the span where it is used.
fn mentioned(tokens: proc_macro2::TokenStream, secrets: &[Ident]) -> Option<Ident> {
    tokens.into_iter().find_map(|tt| match tt {
        proc_macro2::TokenTree::Ident(i) if secrets.contains(&i) => Some(i),
        proc_macro2::TokenTree::Group(g) => mentioned(g.stream(), secrets),
        proc_macro2::TokenTree::Literal(lit) => {
            let text = lit.to_string();
            secrets
                .iter()
                .find(|s| text.contains(&format!("{{{s}}}")) || text.contains(&format!("{{{s}:")))
                .map(|s| Ident::new(&s.to_string(), lit.span()))
        }
        _ => None,
    })
}

fn check_metrics(args: &Args, function: Option<&str>, errors: &mut Errors) -> Metrics {
    let mut name = |key: &Option<MetricKey>, default: &str, kind: Kind| -> Option<String> {
        let key = key.as_ref()?;
        let (name, span, given) = match (&key.name, function) {
            (Some(lit), _) => (lit.value(), lit.span(), true),
            (None, Some(function)) => (format!("{function}_{default}"), key.key, false),
            (None, None) => {
                errors.push(
                    key.key,
                    format_args!("the metric name defaults to `<name>_{default}`, but `name` is a constant here; give the metric a name: `= \"…\"`"),
                );
                return None;
            }
        };
        match metric_name_problem(&name, kind) {
            None => Some(name),
            Some(problem) if given => {
                errors.push(
                    span,
                    format_args!("invalid metric name `{name}`: {problem}"),
                );
                None
            }
            Some(problem) => {
                errors.push(
                    span,
                    format_args!("the default metric name `{name}` is invalid ({problem}); give a name: `= \"…\"`"),
                );
                None
            }
        }
    };
    let counter = name(&args.counter, "calls", Kind::Counter).map(with_total);
    let errors_name = name(&args.errors, "errors", Kind::Counter).map(with_total);
    let in_flight = name(&args.in_flight, "in_flight", Kind::Gauge);
    let histogram = name(&args.histogram, "duration_seconds", Kind::Histogram).and_then(|h| {
        match UNITS.iter().find(|(suffix, _)| h.ends_with(suffix)) {
            Some((_, unit)) => Some((h, *unit)),
            None => {
                let span = args.histogram.as_ref().map(|k| k.name.as_ref().map_or(k.key, |l| l.span()));
                errors.push(
                    span.unwrap_or_else(Span::call_site),
                    format_args!(
                        "histogram `{h}` has no unit suffix; end its name with one of {} (e.g. `{h}_seconds`)",
                        UNITS.iter().map(|(s, _)| format!("`{s}`")).collect::<Vec<_>>().join(", ")
                    ),
                );
                None
            }
        }
    });

    let mut buckets = None;
    if let Some(b) = &args.buckets {
        if args.histogram.is_none() {
            errors.push(b.key, "`buckets` needs a `histogram` to apply to");
        }
        let mut ok = true;
        let mut previous: Option<f64> = None;
        for (value, span) in &b.values {
            if !value.is_finite() {
                errors.push(*span, "buckets must be finite");
                ok = false;
            } else if *value <= 0.0 {
                errors.push(*span, "buckets must be positive");
                ok = false;
            } else if previous.is_some_and(|p| *value <= p) {
                errors.push(*span, "buckets must be strictly increasing");
                ok = false;
            }
            previous = Some(*value);
        }
        if ok {
            buckets = Some(b.values.iter().map(|(v, _)| *v).collect());
        }
    }

    let names = [
        &counter,
        &errors_name,
        &in_flight,
        &histogram.as_ref().map(|h| h.0.clone()),
    ];
    for (i, a) in names.iter().enumerate() {
        for b in &names[i + 1..] {
            if let (Some(a), Some(b)) = (a, b) {
                if a == b {
                    let span = args
                        .errors
                        .as_ref()
                        .or(args.in_flight.as_ref())
                        .map_or_else(Span::call_site, |k| k.key);
                    errors.push(
                        span,
                        format_args!(
                            "metric `{a}` is used for two different metrics of this function"
                        ),
                    );
                }
            }
        }
    }

    Metrics {
        counter,
        histogram,
        buckets,
        errors: errors_name,
        in_flight,
        objective: None,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Counter,
    Histogram,
    Gauge,
}

fn with_total(name: String) -> String {
    if name.ends_with("_total") {
        name
    } else {
        name + "_total"
    }
}

/// Why `name` is not a valid Prometheus metric name for a metric of `kind`, if it is not.
fn metric_name_problem(name: &str, kind: Kind) -> Option<String> {
    let mut chars = name.chars();
    match chars.next() {
        None => return Some("it is empty".into()),
        Some(c) if !(c.is_ascii_alphabetic() || c == '_' || c == ':') => {
            return Some(format!(
                "it starts with `{c}`; names match `[a-zA-Z_:][a-zA-Z0-9_:]*`"
            ));
        }
        _ => {}
    }
    if let Some(c) = chars.find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == ':')) {
        return Some(format!(
            "`{c}` is not allowed; names match `[a-zA-Z_:][a-zA-Z0-9_:]*`"
        ));
    }
    if name.starts_with("__") {
        return Some("names starting with `__` are reserved by Prometheus".into());
    }
    if let Some(suffix) = ["_bucket", "_sum", "_count"]
        .iter()
        .find(|s| name.ends_with(**s))
    {
        return Some(format!(
            "the suffix `{suffix}` is reserved for histogram series"
        ));
    }
    if kind != Kind::Counter && name.ends_with("_total") {
        return Some("the suffix `_total` is reserved for counters".into());
    }
    None
}
