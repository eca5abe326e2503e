//! Redaction: the [`Redact`] trait that `#[derive(Redact)]` implements, the modes, the value
//! scrubber for text the macros cannot see, and the sensitive-name list.

#[cfg(feature = "logs")]
pub(crate) mod fields;
mod hash;
pub use observe_shared::keys;
mod modes;
pub mod scrub;

use std::fmt::{self, Debug, Display};

pub use modes::{write as write_mode, Mode, REDACTED};

/// A type whose `Debug` output hides its sensitive fields. Implemented by `#[derive(Redact)]`,
/// which writes the redacting `Debug` too, so `{:?}`, `{:#?}`, span fields recorded with
/// `Debug`, and any `derive(Debug)` type that contains this one are redacted alike.
pub trait Redact: Debug {
    /// A view of the value for `Display` (and `serde::Serialize` with the `serde` feature):
    /// the same text as the redacting `Debug`.
    fn redacted(&self) -> Redacted<'_, Self> {
        Redacted(self)
    }
}

/// The redacted view of a [`Redact`] value: `Display` (`{:#}` is the pretty form) and, with the
/// `serde` feature, `Serialize` as that text.
pub struct Redacted<'a, T: ?Sized>(&'a T);

impl<T: Redact + ?Sized> Display for Redacted<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Debug::fmt(self.0, f)
    }
}

impl<T: Redact + ?Sized> Debug for Redacted<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Debug::fmt(self.0, f)
    }
}

#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<T: Redact + ?Sized> serde::Serialize for Redacted<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Secret parameter values shorter than this are not searched for in text (too many false
/// matches; such values are still never recorded as parameters).
pub(crate) const MIN_SECRET_CHARS: usize = 4;

/// A fingerprint of a secret parameter's text, taken at the start of a call: an owned value
/// may be moved by the body, so its text cannot be read when the call fails, but where it
/// appears in the error message can still be found by length and hash. No allocation; the
/// generated code takes it only when a subscriber could record the failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    len: usize,
    hash: u64,
}

impl Fingerprint {
    /// The fingerprint of `text`, if it is long enough to be searched for.
    #[inline]
    pub fn of(text: &str) -> Option<Fingerprint> {
        (text.chars().count() >= MIN_SECRET_CHARS).then(|| Fingerprint {
            len: text.len(),
            hash: fnv1a(text.as_bytes()),
        })
    }
}

/// FNV-1a, 64 bits: enough to tell a secret's bytes from other text of the same length.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `text` with every substring matching `print` replaced by `[REDACTED]`.
fn without_print(text: String, print: Fingerprint) -> String {
    if print.len > text.len() {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let end = i + print.len;
        if end <= text.len()
            && text.is_char_boundary(end)
            && fnv1a(&text.as_bytes()[i..end]) == print.hash
        {
            out.push_str(REDACTED);
            i = end;
            continue;
        }
        let c = text[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&text[i..i + c]);
        i += c;
    }
    out
}

/// The text of a failed call's error: the values of its secret parameters (read now, or found
/// by their fingerprints) replaced by `[REDACTED]`, then the scrubber applied.
pub(crate) fn scrub_message(
    message: &dyn Display,
    secrets: &[Option<&dyn Display>],
    prints: &[Option<Fingerprint>],
) -> String {
    let mut text = message.to_string();
    for secret in secrets.iter().flatten() {
        text = without(text, &secret.to_string());
    }
    for print in prints.iter().flatten() {
        text = without_print(text, *print);
    }
    match scrub::scrub(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(scrubbed) => scrubbed,
    }
}

/// `text` with every occurrence of `secret` (when long enough to search for) replaced by
/// `[REDACTED]`.
pub(crate) fn without(text: String, secret: &str) -> String {
    if secret.chars().count() >= MIN_SECRET_CHARS && text.contains(secret) {
        text.replace(secret, REDACTED)
    } else {
        text
    }
}

/// A field or parameter shown as `[REDACTED]`, whatever its type.
pub struct Hidden;

impl Debug for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Display for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// A field or parameter shown through a text [`Mode`].
pub struct Masked<'a, T: ?Sized>(pub Mode, pub &'a T);

impl<T: Display + ?Sized> Debug for Masked<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        modes::write(self.0, &self.1, f)
    }
}

impl<T: Display + ?Sized> Display for Masked<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        modes::write(self.0, &self.1, f)
    }
}

/// `value` shown through `mode`; a text mode needs `Display`.
pub fn masked<T: Display + ?Sized>(mode: Mode, value: &T) -> Masked<'_, T> {
    Masked(mode, value)
}

/// An `Option` shown through `mode`; a text mode needs the inner type to be `Display`.
pub fn masked_option<T: Display>(mode: Mode, value: &Option<T>) -> MaskedOption<'_, T> {
    MaskedOption(mode, value)
}

/// An `Option` field: `Some(…)` with the inner value shown through the mode, or `None`.
pub struct MaskedOption<'a, T>(pub Mode, pub &'a Option<T>);

impl<T: Display> Debug for MaskedOption<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Some(value) => f.debug_tuple("Some").field(&Masked(self.0, value)).finish(),
            None => f.write_str("None"),
        }
    }
}

impl<T: Display> Display for MaskedOption<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Debug::fmt(self, f)
    }
}

/// An `Option` field redacted whole: `Some([REDACTED])` or `None`.
pub struct HiddenOption<'a, T>(pub &'a Option<T>);

impl<T> Debug for HiddenOption<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(_) => f.debug_tuple("Some").field(&Hidden).finish(),
            None => f.write_str("None"),
        }
    }
}

impl<T> Display for HiddenOption<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Debug::fmt(self, f)
    }
}

/// The text a `with = path` function made, shown as it is.
pub struct Custom(pub String);

impl Debug for Custom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Display for Custom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(mode: Mode, value: &str) -> String {
        Masked(mode, value).to_string()
    }

    #[test]
    fn modes_have_the_exact_outputs_of_the_design() {
        assert_eq!(show(Mode::Full, "hunter2"), "[REDACTED]");
        assert_eq!(show(Mode::Partial, "abcdefg"), "abc***");
        assert_eq!(show(Mode::Partial, "abcdef"), "[REDACTED]");
        assert_eq!(show(Mode::Last(4), "4111111111111111"), "***1111");
        assert_eq!(show(Mode::Last(4), "12345678"), "[REDACTED]");
        assert_eq!(show(Mode::Last(4), "123456789"), "***6789");
        assert_eq!(show(Mode::Email, "alice@example.com"), "a***@example.com");
        assert_eq!(show(Mode::Email, "not an email"), "[REDACTED]");
        assert_eq!(show(Mode::Email, "@example.com"), "[REDACTED]");
        assert_eq!(show(Mode::Email, "a@b@c.com"), "[REDACTED]");
        assert_eq!(show(Mode::Email, "alice@localhost"), "[REDACTED]");
    }

    #[test]
    fn lengths_are_characters_not_bytes() {
        assert_eq!(show(Mode::Partial, "ééééééé"), "ééé***");
        assert_eq!(show(Mode::Partial, "éééééé"), "[REDACTED]");
        assert_eq!(show(Mode::Last(2), "日本語のテキスト"), "***スト");
        assert_eq!(show(Mode::Email, "ñandú@correo.es"), "ñ***@correo.es");
    }

    #[test]
    fn hash_is_stable_within_the_process_and_hides_the_value() {
        let a = show(Mode::Hash, "alice@example.com");
        assert_eq!(a, show(Mode::Hash, "alice@example.com"));
        assert_ne!(a, show(Mode::Hash, "bob@example.com"));
        assert!(a.starts_with("hash:") && a.len() == 17, "{a}");
        assert!(a[5..]
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    }

    #[test]
    fn options_keep_some_and_none() {
        assert_eq!(
            format!("{:?}", MaskedOption(Mode::Partial, &Some("abcdefgh"))),
            "Some(abc***)"
        );
        assert_eq!(
            format!("{:?}", MaskedOption::<&str>(Mode::Partial, &None)),
            "None"
        );
        assert_eq!(format!("{:?}", HiddenOption(&Some(3))), "Some([REDACTED])");
    }

    #[test]
    fn fingerprints_find_the_secret_again() {
        let print = Fingerprint {
            len: "s3cr3t-pw".len(),
            hash: fnv1a(b"s3cr3t-pw"),
        };
        assert_eq!(
            without_print("bad s3cr3t-pw, again s3cr3t-pw!".into(), print),
            "bad [REDACTED], again [REDACTED]!"
        );
        assert_eq!(without_print("nothing here".into(), print), "nothing here");
        let unicode = Fingerprint {
            len: "pässwörd".len(),
            hash: fnv1a("pässwörd".as_bytes()),
        };
        assert_eq!(
            without_print("é pässwörd ü".into(), unicode),
            "é [REDACTED] ü"
        );
    }

    #[test]
    fn sensitive_names() {
        let keys = || keys::DEFAULT_SENSITIVE_KEYS.iter().copied();
        for name in [
            "password",
            "db_password",
            "X-Api-Key",
            "x_api_key",
            "githubToken",
            "PIN",
            "set-cookie",
        ] {
            assert!(keys::is_sensitive_with(name, keys()), "{name}");
        }
        for name in ["shipping", "tokens_used", "user", "author", "spinner", "id"] {
            assert!(!keys::is_sensitive_with(name, keys()), "{name}");
        }
    }
}
