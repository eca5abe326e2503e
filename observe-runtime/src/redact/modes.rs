//! The redaction modes, written straight into a formatter: no allocation, and lengths counted
//! in characters (Unicode scalar values), never bytes.

use std::fmt::{self, Display, Write};

use super::hash;

/// What replaces a whole value.
pub const REDACTED: &str = "[REDACTED]";

/// How a value is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `[REDACTED]`.
    Full,
    /// First 3 characters + `***`; 6 characters or fewer: `[REDACTED]`.
    Partial,
    /// `***` + the last N characters; 2N characters or fewer: `[REDACTED]`.
    Last(usize),
    /// First character of the local part + `***@` + domain; not an email: `[REDACTED]`.
    Email,
    /// `hash:` + 12 hex digits of a keyed HMAC-SHA256.
    Hash,
}

/// Writes `value` as `mode` shows it.
pub fn write(mode: Mode, value: &dyn Display, out: &mut dyn Write) -> fmt::Result {
    match mode {
        Mode::Full => out.write_str(REDACTED),
        Mode::Partial => partial(value, out),
        Mode::Last(n) => last(value, n, out),
        Mode::Email => email(value, out),
        Mode::Hash => hash::write(value, out),
    }
}

fn partial(value: &dyn Display, out: &mut dyn Write) -> fmt::Result {
    let mut shape = Shape::default();
    write!(shape, "{value}")?;
    if shape.chars <= 6 {
        return out.write_str(REDACTED);
    }
    write!(
        Slice {
            out,
            skip: 0,
            take: 3
        },
        "{value}"
    )?;
    out.write_str("***")
}

fn last(value: &dyn Display, n: usize, out: &mut dyn Write) -> fmt::Result {
    let mut shape = Shape::default();
    write!(shape, "{value}")?;
    if shape.chars <= n.saturating_mul(2) {
        return out.write_str(REDACTED);
    }
    out.write_str("***")?;
    write!(
        Slice {
            out,
            skip: shape.chars - n,
            take: n
        },
        "{value}"
    )
}

fn email(value: &dyn Display, out: &mut dyn Write) -> fmt::Result {
    let mut shape = Shape::default();
    write!(shape, "{value}")?;
    let valid = shape.ats == 1
        && shape.chars_before_at > 0
        && shape.dot_after_at
        && !shape.space
        && shape.chars > shape.chars_before_at + 1;
    if !valid {
        return out.write_str(REDACTED);
    }
    write!(
        Slice {
            out,
            skip: 0,
            take: 1
        },
        "{value}"
    )?;
    out.write_str("***@")?;
    write!(
        Slice {
            out,
            skip: shape.chars_before_at + 1,
            take: usize::MAX
        },
        "{value}"
    )
}

/// What a first pass over a value learns: its length and the shape of an email.
#[derive(Default)]
struct Shape {
    chars: usize,
    ats: usize,
    chars_before_at: usize,
    dot_after_at: bool,
    space: bool,
}

impl Write for Shape {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            if c == '@' {
                self.ats += 1;
                self.chars_before_at = self.chars;
            } else if c == '.' && self.ats > 0 {
                self.dot_after_at = true;
            } else if c.is_whitespace() {
                self.space = true;
            }
            self.chars += 1;
        }
        Ok(())
    }
}

/// Passes on `take` characters after skipping `skip`.
struct Slice<'a> {
    out: &'a mut dyn Write,
    skip: usize,
    take: usize,
}

impl Write for Slice<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.take == 0 {
            return Ok(());
        }
        // Byte offsets of the characters to skip and to take in this piece, then one write.
        let mut chars = s.char_indices();
        let mut start = s.len();
        for (i, _) in chars.by_ref() {
            if self.skip == 0 {
                start = i;
                break;
            }
            self.skip -= 1;
        }
        if start == s.len() {
            return Ok(());
        }
        let mut end = s.len();
        let mut taken = 1;
        for (i, _) in chars {
            if taken == self.take {
                end = i;
                break;
            }
            taken += 1;
        }
        self.take -= taken.min(self.take);
        self.out.write_str(&s[start..end])
    }
}
