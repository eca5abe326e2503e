//! Routes every exit of a synchronous body through one point, without a closure.
//!
//! Input:  `{ let x = f()?; if x { return a; } b }`
//! Output: `'__observe_body: { let x = match Branch(f()) { Continue(v) => v,
//!          Break(r) => break '__observe_body FromResidual(r) }; if x { break '__observe_body a; } b }`
//!
//! Closures, async blocks and nested items have their own `return` and `?` and are left alone;
//! so are macro arguments, which are not parsed (the guard reports such an exit as an unseen
//! error). The label is hygienic: the user's code cannot name it.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Lifetime, Stmt};

pub(crate) struct Rewrite<'a> {
    label: Lifetime,
    private: &'a TokenStream,
    rewrote: bool,
}

impl<'a> Rewrite<'a> {
    pub(crate) fn new(private: &'a TokenStream) -> Rewrite<'a> {
        Rewrite {
            label: Lifetime::new("'__observe_body", Span::mixed_site()),
            private,
            rewrote: false,
        }
    }

    /// The statements as one labelled block expression (a plain block when nothing exits early).
    pub(crate) fn block(mut self, stmts: &mut [Stmt]) -> TokenStream {
        for stmt in stmts.iter_mut() {
            self.visit_stmt_mut(stmt);
        }
        let label = &self.label;
        if self.rewrote {
            quote!(#label: { #(#stmts)* })
        } else {
            quote!({ #(#stmts)* })
        }
    }
}

impl VisitMut for Rewrite<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            Expr::Closure(_) | Expr::Async(_) | Expr::Const(_) => {}
            Expr::Return(ret) => {
                if let Some(value) = &mut ret.expr {
                    self.visit_expr_mut(value);
                }
                let label = &self.label;
                let value = ret.expr.as_ref().map(|v| quote!(#v));
                let span = ret.return_token.span;
                self.rewrote = true;
                *expr = Expr::Verbatim(quote_spanned!(span=> break #label #value));
            }
            Expr::Try(try_expr) => {
                self.visit_expr_mut(&mut try_expr.expr);
                let inner = &try_expr.expr;
                let label = &self.label;
                let span = try_expr.question_token.span();
                // Errors about `?` (wrong operand, wrong return type) should point at the `?`.
                let private = &crate::attr::respan(self.private.clone(), span);
                let v = syn::Ident::new("__observe_value", Span::mixed_site());
                let r = syn::Ident::new("__observe_residual", Span::mixed_site());
                self.rewrote = true;
                // The `match` and its braces carry the macro's own span, so that lints on
                // statements (`Err(e)?;` is not an "unnecessary semicolon after a match") see
                // generated code; the call and the arms carry the `?`, where type errors belong.
                let scrutinee = quote_spanned!(span=> #private::Branch::__observe_branch(#inner));
                let arms = quote_spanned! {span=>
                    #private::ControlFlow::Continue(#v) => #v,
                    #private::ControlFlow::Break(#r) => {
                        break #label #private::FromResidual::__observe_from_residual(#r)
                    }
                };
                *expr = Expr::Verbatim(quote!(match #scrutinee { #arms }));
            }
            _ => visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}
