//! Helpers shared by the attribute parsers: set-once slots, "did you mean" suggestions and
//! `crate = path`.

use proc_macro2::{Span, TokenStream, TokenTree};

/// A key that may be given at most once; the second occurrence is an error on its own token.
pub(crate) struct SetOnce<T> {
    key: &'static str,
    value: Option<(Span, T)>,
}

impl<T> SetOnce<T> {
    pub(crate) const fn new(key: &'static str) -> SetOnce<T> {
        SetOnce { key, value: None }
    }

    pub(crate) fn set(&mut self, span: Span, value: T) -> syn::Result<()> {
        if self.value.is_some() {
            return Err(syn::Error::new(
                span,
                format!("duplicate key `{}`", self.key),
            ));
        }
        self.value = Some((span, value));
        Ok(())
    }

    pub(crate) fn span(&self) -> Option<Span> {
        self.value.as_ref().map(|(s, _)| *s)
    }

    pub(crate) fn take(self) -> Option<T> {
        self.value.map(|(_, v)| v)
    }
}

/// The candidate closest to `word`, if any is close enough to be what was meant.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// `"; did you mean `x`?"` or nothing.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    closest(word, candidates).map_or_else(String::new, |c| format!("; did you mean `{c}`?"))
}

/// `tokens` with every span set to `span`, so that errors about them point there.
pub(crate) fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let TokenTree::Group(g) = &tt {
                let mut group = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                tt = TokenTree::Group(group);
            } else {
                tt.set_span(span);
            }
            tt
        })
        .collect()
}

/// `crate = path` or `crate = "path"`: where the observe facade is, if renamed.
pub(crate) fn crate_path(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<syn::Path> {
    let input = meta.value()?;
    let path = if input.peek(syn::LitStr) {
        input.parse::<syn::LitStr>()?.parse()
    } else {
        input.parse()
    };
    path.map_err(|_| {
        input.error("`crate` takes the path of the observe facade, e.g. `crate = ::observe`")
    })
}
