//! Code generation for one function, from the [`Model`] that `model::build` made: nothing here
//! checks or decides, it only renders.
//!
//! Input:
//!     #[observe(counter = "jobs")] fn f(x: u32) -> Result<T, E> { body }
//! Output (sync; `P` is `::observe::__private`):
//!     fn f(x: u32) -> Result<T, E> {
//!         #[distributed_slice(P::CATALOG)] // the static itself is the catalog entry
//!         static SITE: P::Site = P::Site::new(P::SiteInfo { name: "f", …, ..P::SiteInfo::PLAIN });
//!         let mut __observe_slot = P::Slot::new();
//!         let mut __observe_guard = P::Guard::new(&mut __observe_slot, &SITE, kind, || P::Site::span(…));
//!         #[allow(unreachable_code)]
//!         let __observe_ret = {
//!             let __observe_ret: Result<T, E> = '__observe_body: { body, exits rewritten };
//!             match probe(&__observe_ret).err() { Some(e) => guard.fail(type, render(e)), None => guard.ok() }
//!             __observe_ret
//!         };
//!         __observe_ret
//!     }
//! A site without metrics whose span records no values and has no explicit parent calls
//! `P::Guard::begin(&mut __observe_slot, &SITE, kind, marker)` instead (no closure: the runtime
//! makes the span from the site, out of line), which returns a `P::Begun`: a guard whose
//! `ok()` also ends the call out of line.
//! An `async fn` whose body cannot suspend (`suspend.rs`) is expanded the same way, inside its
//! first poll. One that can becomes one future that owns the call's record:
//!     async fn f(x: u32) -> T {
//!         static SITE: P::Site = …;
//!         let mut __observe_guard = P::AsyncCall::<P::Kind<metrics, flow, labels>>::start(&SITE, || span);
//!         __observe_guard.observe(async move { body }, move |__observe_ret, mut __observe_guard| {
//!             match probe(&__observe_ret).err() { … }
//!             __observe_ret
//!         }).await
//!     }
//! A function returning a future hands its guard over the same way (`into_async`) and returns
//! `observe(future, judge)`; `-> !` keeps its body as it is.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Ident, LitStr, Token};

use super::args::{Args, ErrMode, Judge};
use super::item::{has_impl_trait, Func, Shape};
use super::model::Model;
use super::params::Secret;
use super::rewrite::Rewrite;
use super::valid::Metrics;

pub(crate) fn function(model: Model<'_>) -> TokenStream {
    let Model {
        args,
        func,
        mut body,
        function,
        secrets,
        metrics,
        shape,
        private,
    } = model;
    let gen = Gen {
        args,
        func: &func,
        private: &private,
        function: &function,
        secrets: &secrets,
    };
    let guard = gen.guard(&metrics, &shape);
    // `impl Trait` cannot be written in a `let`; `_` in its place keeps the rest of the type
    // (above all a `Result`'s error type) known where the outcome is probed.
    let ret_ty = infer_impl_trait(func.return_type());
    let inner_attrs = &body.inner_attrs;
    let g = guard_ident();
    let ret = ret_ident();

    let new_body = match shape {
        Shape::Never => {
            let stmts = &body.stmts;
            quote!(#guard #(#stmts)*)
        }
        Shape::Sync => {
            let block = Rewrite::new(&private).block(&mut body.stmts);
            let ty = quote!(: #ret_ty);
            let finish = gen.finish(certainly_not_result(&ret_ty));
            quote! {
                #guard
                #[allow(unreachable_code, clippy::diverging_sub_expression)]
                let #ret = {
                    let #ret #ty = #block;
                    #finish
                    #ret
                };
                #ret
            }
        }
        Shape::Async => {
            let stmts = &body.stmts;
            // Pins the async block's output type, so `?` in it converts errors as in the fn.
            let pin_type = quote_spanned! {ret_ty.span()=>
                if let ::core::option::Option::Some(#ret) = ::core::option::Option::None::<#ret_ty> {
                    #[allow(unreachable_code)]
                    return #ret;
                }
            };
            let judge = gen.judge(certainly_not_result(&ret_ty));
            quote! {
                #guard
                #g.observe(async move { #pin_type #(#stmts)* }, #judge).await
            }
        }
        Shape::Future { boxed, output } => {
            let block = Rewrite::new(&private).block(&mut body.stmts);
            let fut = format_ident!("__observe_future", span = Span::mixed_site());
            let fut_ty = quote!(: #ret_ty);
            let plain = output.as_ref().is_some_and(|t| certainly_not_result(t));
            let judge = gen.judge(plain);
            let kind = gen.kind_type(&metrics);
            let wrapped = quote!(#g.into_async::<#kind>().observe(#fut, #judge));
            let wrapped = if boxed {
                quote!(#private::Box::pin(#wrapped))
            } else {
                wrapped
            };
            quote! {
                #guard
                #[allow(unreachable_code, clippy::diverging_sub_expression)]
                let #ret = {
                    let #fut #fut_ty = #block;
                    #wrapped
                };
                #ret
            }
        }
    };

    let attrs = &func.attrs;
    let vis = &func.vis;
    let sig = &func.sig;
    let mut out = quote!(#(#attrs)* #vis #sig);
    // The body's own braces: lints such as `dead_code` are reported at spans the user's
    // `#[allow]`/`#[expect]` covers.
    body.brace.surround(&mut out, |inner| {
        inner.extend(quote!(#(#inner_attrs)* #new_body));
    });
    out
}

/// `ty` with each `impl Trait` replaced by `_`.
fn infer_impl_trait(mut ty: syn::Type) -> syn::Type {
    struct Infer;
    impl syn::visit_mut::VisitMut for Infer {
        fn visit_type_mut(&mut self, ty: &mut syn::Type) {
            if let syn::Type::ImplTrait(it) = ty {
                *ty = syn::Type::Infer(syn::TypeInfer {
                    underscore_token: Token![_](it.impl_token.span),
                });
                return;
            }
            syn::visit_mut::visit_type_mut(self, ty);
        }
    }
    if has_impl_trait(&ty) {
        syn::visit_mut::VisitMut::visit_type_mut(&mut Infer, &mut ty);
    }
    ty
}

fn guard_ident() -> Ident {
    Ident::new("__observe_guard", Span::mixed_site())
}

fn site_ident() -> Ident {
    Ident::new("__OBSERVE_SITE", Span::mixed_site())
}

fn prints_ident() -> Ident {
    Ident::new("__observe_prints", Span::mixed_site())
}

fn ret_ident() -> Ident {
    Ident::new("__observe_ret", Span::mixed_site())
}

struct Gen<'a> {
    args: &'a Args,
    func: &'a Func,
    private: &'a TokenStream,
    /// The span name and `function` label: a string literal or a constant.
    function: &'a TokenStream,
    secrets: &'a [Secret],
}

impl Gen<'_> {
    /// `static SITE = …; let mut __observe_slot = Slot::new(); let mut __observe_guard =
    /// Guard::new(&mut __observe_slot, &SITE, kind, || Site::span(…));` as statements
    /// of the function body. The call's record is written into the slot (only when the call
    /// records something); the guard holds a reference to it and is never itself borrowed, so
    /// the compiler keeps it in registers and a call that records nothing folds to the plain
    /// function.
    fn guard(&self, metrics: &Metrics, shape: &Shape) -> TokenStream {
        let p = self.private;
        let args = self.args;
        let name = self.function;
        // Unset: `SiteInfo::PLAIN`'s (INFO, and ERROR for failures).
        let level = args.level.as_ref().map(|l| l.tokens(p));
        let exception_level = args.err.level.as_ref().map(|l| l.tokens(p));
        let target = args
            .target
            .as_ref()
            .map_or_else(|| quote!(::core::module_path!()), ToTokens::to_token_stream);
        let help = self.func.doc_summary().map(|d| quote!(#d));
        let counter = metrics.counter.as_ref().map(|c| quote!(#c));
        let errors = metrics.errors.as_ref().map(|c| quote!(#c));
        let in_flight = metrics.in_flight.as_ref().map(|c| quote!(#c));
        let histogram = metrics.histogram.as_ref().map(|(h, unit)| {
            let unit = Ident::new(unit, Span::call_site());
            let buckets = option(metrics.buckets.as_ref().map(|b| quote!(&[#(#b),*])));
            quote!(#p::HistogramInfo { name: #h, unit: #p::Unit::#unit, buckets: #buckets })
        });
        let objective = super::objective::tokens(metrics.objective.as_ref(), p);
        let site = site_ident();

        let arg_values: Vec<TokenStream> = args
            .args
            .iter()
            .map(|arg| {
                if let Some(secret) = self.secrets.iter().find(|s| s.name == *arg) {
                    return secret.recorded(p);
                }
                let value = if arg == "self" {
                    quote_spanned!(arg.span()=> self)
                } else {
                    quote!(#arg)
                };
                quote_spanned!(arg.span()=> (&&#p::Probe(&#value)).__observe_arg())
            })
            .collect();
        let arg_names: Vec<LitStr> = args
            .args
            .iter()
            .map(|arg| LitStr::new(&arg.unraw().to_string(), arg.span()))
            .collect();
        let span_values: Vec<TokenStream> = arg_values
            .iter()
            .cloned()
            .chain(args.fields.iter().map(|f| f.value(p)))
            .chain(
                args.ret_fields()
                    .iter()
                    .map(|_| quote!(#p::tracing::field::Empty)),
            )
            .collect();
        let span_names: Vec<TokenStream> = arg_names
            .iter()
            .map(ToTokens::to_token_stream)
            .chain(args.fields.iter().map(crate::fields::FieldSpec::name_expr))
            .chain(
                args.ret_fields()
                    .iter()
                    .map(crate::fields::FieldSpec::name_expr),
            )
            .collect();
        let records_return = args.records_return();
        let return_event = args
            .ret
            .as_ref()
            .and_then(|r| r.level.as_ref())
            .map(|l| l.tokens(p));
        let uses = (!args.args.is_empty() || !args.fields.is_empty())
            .then(|| {
                quote! {
                    #[allow(unused_imports)]
                    use #p::{ArgDebug as _, ArgValue as _, FieldOther as _, FieldText as _, FieldTyped as _};
                }
            });
        let flow = args.flow.as_ref().map(|flow| {
            let name = flow
                .name
                .as_ref()
                .map_or_else(|| name.clone(), ToTokens::to_token_stream);
            quote! {
                #p::FlowInfo {
                    name: #name,
                    started_fields: &["message", "flow", "flow_id", #(#arg_names),*],
                }
            }
        });
        let g = guard_ident();
        let flow_secrets: Vec<TokenStream> = self.secrets.iter().map(|s| s.at_start(p)).collect();
        let prints: Vec<TokenStream> = self
            .secrets
            .iter()
            .filter_map(|s| s.print_at_start(p))
            .collect();
        let prints = (!prints.is_empty() && !matches!(shape, Shape::Never)).then(|| {
            let name = prints_ident();
            quote! {
                let #name = {
                    #[allow(unused_imports)]
                    use #p::{SecretNoPrint as _, SecretPrint as _};
                    [#(#prints),*]
                };
            }
        });
        let flow_started = args.flow.as_ref().map(|_| {
            let secrets = (!flow_secrets.is_empty()).then(|| {
                quote! {
                    #[allow(unused_imports)]
                    use #p::{SecretOpaque as _, SecretText as _};
                    #g.flow_secrets(&[#(#flow_secrets),*]);
                }
            });
            quote! {
                #g.flow_started(&[#(&#arg_values as &dyn #p::Value),*]);
                #secrets
            }
        });
        let values = quote!(&[#(&#span_values as &dyn #p::Value),*]);
        let span = super::span_closure::tokens(p, &site, args, &values);
        let start = if let Shape::Async = shape {
            let kind = self.kind_type(metrics);
            quote! {
                #[allow(unused_mut)]
                let mut #g = #p::AsyncCall::<#kind>::start(&#site, #span);
            }
        } else if !self.kind(metrics).0 && super::span_closure::is_plain(args, span_values.len()) {
            // (A site with metrics keeps its start inline: out of line, the metric path costs
            // about 10 % more than hand-written code; see BENCHMARKS.md.)
            let slot = Ident::new("__observe_slot", Span::mixed_site());
            let (has_metrics, has_flow, has_labels) = self.kind(metrics);
            let marker = super::span_closure::marker();
            // `mut` only for `fail` and the like: the success path uses the guard up.
            quote! {
                let mut #slot = #p::Slot::new();
                #[allow(unused_mut)]
                let mut #g = #p::Guard::begin(
                    &mut #slot,
                    &#site,
                    #p::SiteKind { metrics: #has_metrics, flow: #has_flow, labels: #has_labels },
                    #marker,
                );
            }
        } else {
            let slot = Ident::new("__observe_slot", Span::mixed_site());
            let (has_metrics, has_flow, has_labels) = self.kind(metrics);
            quote! {
                let mut #slot = #p::Slot::new();
                let mut #g = #p::Guard::new(
                    &mut #slot,
                    &#site,
                    #p::SiteKind { metrics: #has_metrics, flow: #has_flow, labels: #has_labels },
                    #span,
                );
                #g.enter();
            }
        };
        let slow = args
            .slow
            .map(|nanos| quote!(::core::time::Duration::from_nanos(#nanos)));
        let label_names: Vec<String> = args
            .labels
            .iter()
            .map(|l| l.name.unraw().to_string())
            .collect();
        let label_values = args.labels.iter().map(|l| {
            let value = &l.value;
            quote_spanned!(value.span()=> &(#value) as &dyn ::core::fmt::Display)
        });
        let set_labels =
            (!args.labels.is_empty()).then(|| quote!(#g.labels(&[#(#label_values),*]);));
        let some =
            |value: Option<TokenStream>| value.map(|v| quote!(::core::option::Option::Some(#v)));
        let listed = |names: TokenStream, empty: bool| (!empty).then(|| quote!(&[#names]));
        let info = super::site_info::tokens(
            p,
            &[
                ("name", Some(quote!(#name))),
                ("module", Some(quote!(::core::module_path!()))),
                ("target", Some(target)),
                ("file", Some(quote!(::core::file!()))),
                ("line", Some(quote!(::core::line!()))),
                ("level", level),
                ("exception_level", exception_level),
                ("return_event", some(return_event)),
                ("help", some(help)),
                ("counter", some(counter)),
                ("histogram", some(histogram)),
                ("errors", some(errors)),
                ("in_flight", some(in_flight)),
                (
                    "labels",
                    listed(quote!(#(#label_names),*), label_names.is_empty()),
                ),
                (
                    "span_fields",
                    listed(quote!(#(#span_names),*), span_names.is_empty()),
                ),
                ("records_return", records_return.then(|| quote!(true))),
                ("flow", some(flow)),
                ("slow", some(slow)),
                ("objective", objective),
            ],
        );
        quote! {
            #uses
            #[#p::linkme::distributed_slice(#p::CATALOG)]
            #[linkme(crate = #p::linkme)]
            #[allow(clippy::needless_update)] // when a site sets every field
            static #site: #p::Site = #p::Site::new(#info);
            #start
            #set_labels
            #flow_started
            #prints
        }
    }

    /// What the call site declares: whether it has metrics, a flow, `labels(...)`. A `slow`
    /// threshold counts as both: the full record checks it, whether or not a subscriber
    /// listens, so the paths of other call sites pay nothing for it.
    fn kind(&self, metrics: &Metrics) -> (bool, bool, bool) {
        let has_metrics = metrics.counter.is_some()
            || metrics.histogram.is_some()
            || metrics.errors.is_some()
            || metrics.in_flight.is_some();
        (
            has_metrics,
            self.args.flow.is_some() || self.args.slow.is_some(),
            !self.args.labels.is_empty() || self.args.slow.is_some(),
        )
    }

    /// The call site's kind as a type, for an asynchronous call's future.
    fn kind_type(&self, metrics: &Metrics) -> TokenStream {
        let p = self.private;
        let (has_metrics, has_flow, has_labels) = self.kind(metrics);
        quote!(#p::Kind<#has_metrics, #has_flow, #has_labels>)
    }

    /// The closure that records how an asynchronous call ended from its output and returns
    /// the output: `move |__observe_ret, mut __observe_guard| { finish; __observe_ret }`.
    fn judge(&self, plain: bool) -> TokenStream {
        let g = guard_ident();
        let ret = ret_ident();
        let finish = self.finish(plain);
        quote! {
            move |#ret, mut #g| {
                #finish
                #ret
            }
        }
    }

    /// `ret(fields(k = expr, …))`: each `expr` evaluated with the user's `ret` bound to the `Ok`
    /// (or plain) value, only while the span records, and recorded on the span.
    // Input:  ret(fields(status = ret.status))
    // Output: if guard.is_recording() {
    //             if let Some(ret) = (&&Probe(&__observe_ret)).__observe_ok() {
    //                 guard.record_field("status", &(&&&Probe(&(ret.status))).__observe_field());
    //             }
    //         }
    fn ret_fields(&self) -> Option<TokenStream> {
        let fields = self.args.ret_fields();
        if fields.is_empty() {
            return None;
        }
        let p = self.private;
        let g = guard_ident();
        let ret = ret_ident();
        // The name the user's expressions use, so it resolves in their tokens.
        let bound = Ident::new("ret", Span::call_site());
        let records = fields.iter().map(|field| {
            let name = field.name_expr();
            let value = field.value(p);
            quote!(#g.record_field(#name, &#value);)
        });
        Some(quote! {
            #[allow(unused_imports)]
            use #p::{FieldOther as _, FieldText as _, FieldTyped as _};
            if #g.is_recording() {
                if let ::core::option::Option::Some(#bound) = (&&#p::Probe(&#ret)).__observe_ok() {
                    let _ = #bound;
                    #(#records)*
                }
            }
        })
    }

    /// Records the outcome of `__observe_ret` and consumes the guard. `plain`: the return
    /// type is certainly not a `Result` (no probe needed: the call succeeded).
    fn finish(&self, plain: bool) -> TokenStream {
        let p = self.private;
        let g = guard_ident();
        if plain && self.args.judge.is_none() && self.args.ret.is_none() {
            return quote!(#g.ok(););
        }
        let ret = ret_ident();
        let render = match self.args.err.mode {
            ErrMode::Display => quote!(__observe_render),
            ErrMode::Debug => quote!(__observe_render_debug),
        };
        let record_return = self.args.ret.as_ref().filter(|r| r.whole).map(|r| {
            let v = Ident::new("__observe_value", Span::mixed_site());
            let site = site_ident();
            let shown = match r.mode {
                ErrMode::Display => quote!(#p::ScrubDisplay(#v)),
                ErrMode::Debug => quote!(#p::ScrubDebug(#v)),
            };
            quote_spanned! {r.span=>
                if let ::core::option::Option::Some(#v) = (&&#p::Probe(&#ret)).__observe_ok() {
                    #g.record_return(&#site, &#p::tracing::field::display(#shown));
                }
            }
        });
        let ret_fields = self.ret_fields();
        let e = Ident::new("__observe_error", Span::mixed_site());
        let secrets: Vec<TokenStream> = self.secrets.iter().filter_map(|s| s.at_end(p)).collect();
        let prints = self.secrets.iter().any(|s| s.print_at_start(p).is_some());
        let prints = if prints {
            let name = prints_ident();
            quote!(&#name)
        } else {
            quote!(&[])
        };
        let secrets = quote!(&[#(#secrets),*], #prints);
        let decide = match &self.args.judge {
            None => quote! {
                match (&&#p::Probe(&#ret)).__observe_err() {
                    ::core::option::Option::Some(#e) => #g.fail(
                        ::core::any::type_name_of_val(#e),
                        (&&&#p::Render(#e)).#render(),
                        #secrets,
                    ),
                    ::core::option::Option::None => #g.ok(),
                }
            },
            Some(judge) => {
                let failed = match judge {
                    Judge::ErrorIf(path) => quote_spanned!(path.span()=> #path(&#ret)),
                    Judge::OkIf(path) => quote_spanned!(path.span()=> !#path(&#ret)),
                };
                quote! {
                    if #failed {
                        #g.fail(
                            ::core::any::type_name_of_val(&#ret),
                            (&&&#p::Render(&#ret)).#render(),
                            #secrets,
                        )
                    } else {
                        #g.ok()
                    }
                }
            }
        };
        quote! {
            #[allow(unused_imports)]
            use #p::{
                OtherOutcome as _, RenderDebug as _, RenderDebugFirst as _, RenderDisplay as _,
                RenderDisplayFirst as _, RenderName as _, ResultOutcome as _, SecretOpaque as _,
                SecretText as _,
            };
            #record_return
            #ret_fields
            #decide
        }
    }
}

/// A type that cannot be a `Result` whatever aliases are in scope: `()`, a primitive, `String`,
/// or a tuple of those. (Anything else goes through the outcome probe.)
fn certainly_not_result(ty: &syn::Type) -> bool {
    const PLAIN: &[&str] = &[
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
        "f32", "f64", "bool", "char", "String",
    ];
    match ty {
        syn::Type::Tuple(tuple) => tuple.elems.iter().all(certainly_not_result),
        syn::Type::Paren(inner) => certainly_not_result(&inner.elem),
        syn::Type::Path(path) => {
            path.qself.is_none()
                && path.path.leading_colon.is_none()
                && path.path.segments.len() == 1
                && path.path.segments[0].arguments.is_none()
                && PLAIN.contains(&path.path.segments[0].ident.to_string().as_str())
        }
        _ => false,
    }
}

fn option(value: Option<TokenStream>) -> TokenStream {
    match value {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}
