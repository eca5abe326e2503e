//! The value scrubber: defence in depth for text the macros cannot see (error messages, log
//! and span field values). Values under sensitive keys (`password=…`, `"token": "…"`,
//! `api_key: …`) and values that look like secrets (`Bearer …` tokens, JWTs, card numbers that
//! pass the Luhn check, `user:pass@` in URLs) become `[REDACTED]`; the rest of the text stays.
//! The patterns are compiled once.

use std::borrow::Cow;
use std::sync::{Arc, LazyLock, PoisonError, RwLock};

use regex::{Captures, Regex};

use super::keys::{self, DEFAULT_SENSITIVE_KEYS};
use super::REDACTED;

/// Secrets recognised by their shape. Word boundaries are ASCII (`(?-u:\b)`), which keeps
/// the whole pattern on the regex crate's fast DFA.
const SECRET_SHAPES: &str = r"(?x)
    (?P<bearer>(?-u:\b)(?i:bearer)\s+)[A-Za-z0-9\-._~+/]{8,}=*
  | (?P<jwt>(?-u:\b)eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)
  | (?P<scheme>(?-u:\b)[A-Za-z][A-Za-z0-9+.-]*://)[^\s/:@]+:[^\s/@]+@
  | (?P<card>(?-u:\b)\d(?:[\ -]?\d){12,18}(?-u:\b))
";

/// `key = value`, `key: value`, `"key": "value"` where the key contains a sensitive word
/// (`{keys}`); the value quoted, or up to a separator. Candidates are confirmed by
/// [`is_sensitive_key`], so `spin: 3` (which contains `pin`) stays.
const KEY_VALUE: &str = r#"(?x)
    (?P<key>"?(?-u:\b)[A-Za-z0-9_.\-]*(?i:{keys})"?\s*[=:]\s*)
    (?P<value>"[^"]*"|'[^']*'|[^\s&,;"'()\[\]{}<>]+)
"#;

static SHAPES: LazyLock<Regex> = LazyLock::new(|| compile(SECRET_SHAPES));
static KEY_VALUES: RwLock<Option<Arc<Regex>>> = RwLock::new(None);

/// The key/value pattern for the current key list, built on first use and after each
/// [`add_sensitive_keys`].
fn key_values() -> Arc<Regex> {
    if let Some(regex) = KEY_VALUES
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
    {
        return Arc::clone(regex);
    }
    let mut slot = KEY_VALUES.write().unwrap_or_else(PoisonError::into_inner);
    let extra = EXTRA_KEYS.read().unwrap_or_else(PoisonError::into_inner);
    let keys = DEFAULT_SENSITIVE_KEYS
        .iter()
        .copied()
        .chain(extra.iter().map(String::as_str))
        .map(|key| {
            // `apikey` matches `api_key`, `api-key`, `apiKey`: a separator may stand anywhere.
            let chars: Vec<String> = key.chars().map(|c| regex::escape(&c.to_string())).collect();
            chars.join("[-_]?")
        })
        .collect::<Vec<_>>()
        .join("|");
    let regex = Arc::new(compile(&KEY_VALUE.replace("{keys}", &keys)));
    *slot = Some(Arc::clone(&regex));
    regex
}

fn compile(pattern: &str) -> Regex {
    // The patterns are constants: a failure here is a bug caught by the tests.
    Regex::new(pattern).expect("scrubber patterns are valid")
}

static EXTRA_KEYS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Adds names to the sensitive-name list (matched like the defaults: case-insensitive, `-`
/// and `_` ignored, also as the last words of a longer name). Applies to the scrubber; the
/// compile-time check of parameter names uses the default list.
pub fn add_sensitive_keys<I, S>(names: I)
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut extra = EXTRA_KEYS.write().unwrap_or_else(PoisonError::into_inner);
    extra.extend(names.into_iter().map(|n| keys::words(n.as_ref()).concat()));
    drop(extra);
    *KEY_VALUES.write().unwrap_or_else(PoisonError::into_inner) = None;
}

/// Whether values under `name` are secrets.
pub fn is_sensitive_key(name: &str) -> bool {
    if keys::is_sensitive_with(name, DEFAULT_SENSITIVE_KEYS.iter().copied()) {
        return true;
    }
    let extra = EXTRA_KEYS.read().unwrap_or_else(PoisonError::into_inner);
    !extra.is_empty() && keys::is_sensitive_with(name, extra.iter().map(String::as_str))
}

/// `text` with every secret it contains replaced by `[REDACTED]`.
pub fn scrub(text: &str) -> Cow<'_, str> {
    let (shapes, key_value) = candidates(text);
    // Shapes first, over the whole text, so that a `key: value` reading of ordinary words
    // ("failed: Bearer …") cannot hide a token; then values under sensitive keys.
    let shaped = if shapes {
        replace(&SHAPES, text)
    } else {
        Cow::Borrowed(text)
    };
    // A redaction adds no `=` or `:` of its own, so the key/value test on `text` holds for
    // the shaped text too.
    if !key_value {
        return shaped;
    }
    let key_values = key_values();
    match shaped {
        Cow::Borrowed(_) => replace(&key_values, text),
        Cow::Owned(shaped) => match replace(&key_values, &shaped) {
            Cow::Borrowed(_) => Cow::Owned(shaped),
            Cow::Owned(both) => Cow::Owned(both),
        },
    }
}

/// Whether `text` may hold a secret of some shape, and a `key: value` pair: what each pattern
/// cannot match without (`bearer`, `eyJ`, `://`, 13 digits; `=` or `:`), found in one pass
/// over the bytes, so that most text (a path, a word, a number) skips the regexes.
/// Conservative for text that is not ASCII (`\d` and `\s` are Unicode there).
fn candidates(text: &str) -> (bool, bool) {
    let bytes = text.as_bytes();
    let mut digits = 0;
    let (mut separator, mut slash, mut b, mut j) = (false, false, false, false);
    for &byte in bytes {
        match byte {
            b'0'..=b'9' => digits += 1,
            b'=' | b':' => separator = true,
            b'/' => slash = true,
            b'b' | b'B' => b = true,
            b'J' => j = true,
            0x80.. => return (true, true),
            _ => {}
        }
    }
    let shapes = digits >= 13
        || (separator && slash && text.contains("://"))
        || (j && text.contains("eyJ"))
        || (b && bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"bearer")));
    (shapes, separator)
}

fn replace<'t>(pattern: &Regex, text: &'t str) -> Cow<'t, str> {
    let mut changed = false;
    let out = pattern.replace_all(text, |caps: &Captures<'_>| {
        let rest = &text[caps.get(0).map_or(text.len(), |m| m.end())..];
        let (replacement, redacted) = replacement(caps, rest);
        changed |= redacted;
        replacement
    });
    if changed {
        out
    } else {
        Cow::Borrowed(text)
    }
}

/// What one match becomes, and whether anything was redacted. `rest` is the text after it.
fn replacement(caps: &Captures<'_>, rest: &str) -> (String, bool) {
    let whole = &caps[0];
    if let Some(prefix) = caps.name("bearer") {
        return (format!("{}{REDACTED}", prefix.as_str()), true);
    }
    if caps.name("jwt").is_some() {
        return (REDACTED.to_owned(), true);
    }
    if let Some(scheme) = caps.name("scheme") {
        return (format!("{}{REDACTED}@", scheme.as_str()), true);
    }
    if caps.name("card").is_some() {
        return if luhn(whole) {
            (REDACTED.to_owned(), true)
        } else {
            (whole.to_owned(), false)
        };
    }
    let (Some(key), Some(value)) = (caps.name("key"), caps.name("value")) else {
        return (whole.to_owned(), false);
    };
    let name = key
        .as_str()
        .trim_end_matches([' ', '\t', '=', ':'])
        .trim_matches('"');
    let value = value.as_str();
    // `Authorization: Bearer [REDACTED]`: the secret after the scheme is already gone.
    let already = rest
        .strip_prefix(' ')
        .is_some_and(|r| r.starts_with(REDACTED));
    if !is_sensitive_key(name) || value == REDACTED || already {
        return (whole.to_owned(), false);
    }
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'');
    let redacted = match quote {
        Some(q) => format!("{}{q}{REDACTED}{q}", key.as_str()),
        None => format!("{}{REDACTED}", key.as_str()),
    };
    (redacted, true)
}

/// The Luhn check over the digits of `candidate` (13 to 19 of them).
fn luhn(candidate: &str) -> bool {
    let digits: Vec<u32> = candidate.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                *d
            }
        })
        .sum();
    sum % 10 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_by_shape() {
        assert_eq!(
            scrub("auth failed: Bearer abcdef123456.xyz"),
            "auth failed: Bearer [REDACTED]"
        );
        let jwt =
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert_eq!(
            scrub(&format!("token {jwt} rejected")),
            "token [REDACTED] rejected"
        );
        assert_eq!(
            scrub("card 4111 1111 1111 1111 declined"),
            "card [REDACTED] declined"
        );
        assert_eq!(scrub("card 4111-1111-1111-1111"), "card [REDACTED]");
        assert_eq!(
            scrub("order 4111111111111112 failed"),
            "order 4111111111111112 failed"
        );
        assert_eq!(
            scrub("connect postgres://app:s3cr3t@db:5432/x"),
            "connect postgres://[REDACTED]@db:5432/x"
        );
    }

    #[test]
    fn values_under_sensitive_keys() {
        assert_eq!(
            scrub("GET /x?api_key=abc123&page=2"),
            "GET /x?api_key=[REDACTED]&page=2"
        );
        assert_eq!(
            scrub("token=abc password: hunter2 user=bob"),
            "token=[REDACTED] password: [REDACTED] user=bob"
        );
        assert_eq!(
            scrub(r#"{"password": "p@ss w0rd", "user": "bob"}"#),
            r#"{"password": "[REDACTED]", "user": "bob"}"#
        );
        assert_eq!(scrub("X-Api-Key: k-123"), "X-Api-Key: [REDACTED]");
        assert_eq!(scrub("url=https://u:p@h/"), "url=https://[REDACTED]@h/");
    }

    #[test]
    fn words_that_contain_a_key_are_not_keys() {
        assert_eq!(
            scrub("spin: 3, tokens_used=5, authors=2"),
            "spin: 3, tokens_used=5, authors=2"
        );
        assert_eq!(
            scrub("apiKey=abc db-password=x"),
            "apiKey=[REDACTED] db-password=[REDACTED]"
        );
    }

    #[test]
    fn the_prefilter_misses_no_pattern() {
        // Each shortest form of each pattern, alone and inside other text: the prefilter
        // must let every one reach its regex.
        for secret in [
            "Bearer abcdefgh",
            "BEARER\tabcdefgh",
            "eyJa.b.",
            "x://u:p@",
            "4111111111111111",
            "4111 1111 1111 1111",
            "token=v",
            "pin:1",
            "\"secret\": \"s\"",
        ] {
            for text in [secret.to_owned(), format!("at /a/b {secret} end")] {
                assert!(
                    matches!(scrub(&text), Cow::Owned(_)),
                    "{text:?} passed the prefilter unscrubbed"
                );
            }
        }
        for ordinary in ["/users/123", "GET", "order 42 shipped", "bear", "eyj.a.b"] {
            assert_eq!(candidates(ordinary), (false, false), "{ordinary:?}");
        }
        // Not ASCII: the regexes decide (Unicode digits and spaces).
        assert_eq!(candidates("café"), (true, true));
    }

    #[test]
    fn ordinary_text_is_kept_and_not_copied() {
        let text = "connection refused: timeout after 30s (host=db-1, attempt 3 of 5)";
        assert!(matches!(scrub(text), Cow::Borrowed(t) if t == text));
    }

    #[test]
    fn extra_keys() {
        assert_eq!(scrub("tenant_pepper=xyz"), "tenant_pepper=xyz");
        add_sensitive_keys(["pepper"]);
        assert_eq!(scrub("tenant_pepper=xyz"), "tenant_pepper=[REDACTED]");
    }
}
