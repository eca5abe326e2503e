//! Whether the body of an `async fn` can suspend. A body that cannot (no `.await`, no macro
//! that might await) runs to its end in the first poll, so it is observed like a synchronous
//! body, inside that poll: its record never has to live in the future, and the call costs what
//! a synchronous call costs (see BENCHMARKS.md).
//!
//! The test is on tokens, and errs towards "can suspend": any `await` anywhere (closures and
//! async blocks included), and any macro outside a list of std, `tracing` and observe macros
//! that cannot await (`join!`, `select!` and the like await without the word), or any macro
//! whose arguments hold a `?` (an exit the synchronous shape could not see).

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::Stmt;

/// Macros that cannot suspend their caller.
const NEVER_AWAIT: &[&str] = &[
    "assert",
    "assert_eq",
    "assert_ne",
    "concat",
    "debug",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "error",
    "event",
    "format",
    "format_args",
    "info",
    "matches",
    "panic",
    "print",
    "println",
    "eprint",
    "eprintln",
    "step",
    "stringify",
    "todo",
    "trace",
    "unimplemented",
    "unreachable",
    "vec",
    "warn",
    "write",
    "writeln",
];

/// Keywords that can stand before a negation `!(…)`.
const KEYWORDS: &[&str] = &["if", "while", "match", "return", "in", "else", "break"];

/// Whether the statements may suspend (see the module's doc).
pub(crate) fn may_suspend(stmts: &[Stmt]) -> bool {
    let mut tokens = TokenStream::new();
    for stmt in stmts {
        stmt.to_tokens(&mut tokens);
    }
    tokens_may_suspend(tokens)
}

fn tokens_may_suspend(tokens: TokenStream) -> bool {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, token) in tokens.iter().enumerate() {
        match token {
            TokenTree::Ident(ident) if ident == "await" => return true,
            TokenTree::Group(group) => {
                // `name!(…)`; `if !(…)` and `a && !(…)` are negations.
                let bang =
                    i >= 2 && matches!(&tokens[i - 1], TokenTree::Punct(p) if p.as_char() == '!');
                let name = match &tokens[..i.saturating_sub(1)] {
                    [.., TokenTree::Ident(name)] if bang => Some(name.to_string()),
                    _ => None,
                };
                if let Some(name) = name.filter(|n| !KEYWORDS.contains(&n.as_str())) {
                    if !NEVER_AWAIT.contains(&name.as_str()) || has_question_mark(group.stream()) {
                        return true;
                    }
                }
                if tokens_may_suspend(group.stream()) {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

fn has_question_mark(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|token| match token {
        TokenTree::Punct(p) => p.as_char() == '?',
        TokenTree::Group(group) => has_question_mark(group.stream()),
        _ => false,
    })
}
