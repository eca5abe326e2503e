//! Compile-time questions about the user's types, answered by autoref method resolution.
//!
//! Generated code calls e.g. `(&&Probe(&ret)).__observe_err()`. Method lookup tries the
//! receiver as written first and then one dereference less, so an impl on `&Probe<X>` wins over
//! one on `Probe<X>` when its bounds hold, and the other is the fallback. This is how a return
//! value is known to be a `Result` (also behind aliases such as `io::Result`), and how an error
//! or argument is rendered with `Display` when it has it, else `Debug`, else its type name,
//! without the user adding bounds.

use std::fmt::{self, Debug, Display};

pub use crate::call::Message;

use tracing::field::{debug, DebugValue, DisplayValue, Value};

/// A value under inspection.
pub struct Probe<'a, T: ?Sized>(pub &'a T);

/// The uninhabited error of a function that does not return a `Result`.
#[derive(Debug)]
pub enum Never {}

impl Display for Never {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {}
    }
}

/// Chosen when the return value is a `Result`.
pub trait ResultOutcome<'a, T, E> {
    /// The error, if the call failed.
    fn __observe_err(&self) -> Option<&'a E>;
    /// The value to record as `return`: the `Ok` value.
    fn __observe_ok(&self) -> Option<&'a T>;
}

impl<'a, T, E> ResultOutcome<'a, T, E> for &Probe<'a, Result<T, E>> {
    #[inline]
    fn __observe_err(&self) -> Option<&'a E> {
        self.0.as_ref().err()
    }
    #[inline]
    fn __observe_ok(&self) -> Option<&'a T> {
        self.0.as_ref().ok()
    }
}

/// Chosen for every other return type: the call succeeded (unless `error_if` says otherwise).
pub trait OtherOutcome<'a, T: ?Sized> {
    /// Never an error.
    fn __observe_err(&self) -> Option<&'a Never>;
    /// The whole value.
    fn __observe_ok(&self) -> Option<&'a T>;
}

impl<'a, T: ?Sized> OtherOutcome<'a, T> for Probe<'a, T> {
    #[inline]
    fn __observe_err(&self) -> Option<&'a Never> {
        None
    }
    #[inline]
    fn __observe_ok(&self) -> Option<&'a T> {
        Some(self.0)
    }
}

/// A parameter named in `args(...)` that is a `tracing` value (numbers, `bool`, `str`,
/// `String`, …) is recorded as that value.
pub trait ArgValue<'a, T: ?Sized> {
    /// The value to record.
    fn __observe_arg(&self) -> &'a T;
}

impl<'a, T: ?Sized + Value> ArgValue<'a, T> for &Probe<'a, T> {
    #[inline]
    fn __observe_arg(&self) -> &'a T {
        self.0
    }
}

/// Any other parameter is recorded with its `Debug` output.
pub trait ArgDebug<'a, T: ?Sized + Debug> {
    /// The value to record.
    fn __observe_arg(&self) -> DebugValue<&'a T>;
}

impl<'a, T: ?Sized + Debug> ArgDebug<'a, T> for Probe<'a, T> {
    #[inline]
    fn __observe_arg(&self) -> DebugValue<&'a T> {
        debug(self.0)
    }
}

/// An error (or a value judged failed by `error_if`) to be rendered.
pub struct Render<'a, E>(pub &'a E);

/// `err = "display"` (the default), first choice.
pub trait RenderDisplayFirst<'a> {
    /// Display, else Debug, else the type name.
    fn __observe_render(&self) -> Message<'a>;
}

impl<'a, E: Display> RenderDisplayFirst<'a> for &&Render<'a, E> {
    fn __observe_render(&self) -> Message<'a> {
        Message::Display(self.0)
    }
}

/// `err = "display"`, second choice.
pub trait RenderDebug<'a> {
    /// Debug.
    fn __observe_render(&self) -> Message<'a>;
}

impl<'a, E: Debug> RenderDebug<'a> for &Render<'a, E> {
    fn __observe_render(&self) -> Message<'a> {
        Message::Debug(self.0)
    }
}

/// `err = "debug"`, first choice.
pub trait RenderDebugFirst<'a> {
    /// Debug, else Display, else the type name.
    fn __observe_render_debug(&self) -> Message<'a>;
}

impl<'a, E: Debug> RenderDebugFirst<'a> for &&Render<'a, E> {
    fn __observe_render_debug(&self) -> Message<'a> {
        Message::Debug(self.0)
    }
}

/// `err = "debug"`, second choice.
pub trait RenderDisplay<'a> {
    /// Display.
    fn __observe_render_debug(&self) -> Message<'a>;
}

impl<'a, E: Display> RenderDisplay<'a> for &Render<'a, E> {
    fn __observe_render_debug(&self) -> Message<'a> {
        Message::Display(self.0)
    }
}

/// Last choice in both modes: the type name.
pub trait RenderName<'a> {
    /// The type name.
    fn __observe_render(&self) -> Message<'a>;
    /// The type name.
    fn __observe_render_debug(&self) -> Message<'a>;
}

impl<'a, E> RenderName<'a> for Render<'a, E> {
    fn __observe_render(&self) -> Message<'a> {
        Message::TypeName(std::any::type_name::<E>())
    }
    fn __observe_render_debug(&self) -> Message<'a> {
        Message::TypeName(std::any::type_name::<E>())
    }
}

/// The text of a secret parameter, to scrub it out of a failed call's messages: its `Display`
/// output when it has one.
pub trait SecretText<'a> {
    /// The value as text.
    fn __observe_secret(&self) -> Option<&'a dyn Display>;
}

impl<'a, T: Display> SecretText<'a> for &Probe<'a, T> {
    #[inline]
    fn __observe_secret(&self) -> Option<&'a dyn Display> {
        Some(self.0)
    }
}

/// A secret parameter without `Display`: nothing to scrub by value.
pub trait SecretOpaque<'a> {
    /// Nothing.
    fn __observe_secret(&self) -> Option<&'a dyn Display>;
}

impl<'a, T: ?Sized> SecretOpaque<'a> for Probe<'a, T> {
    #[inline]
    fn __observe_secret(&self) -> Option<&'a dyn Display> {
        None
    }
}

/// A `%value` field: its `Display` text, scrubbed when (and only when) it is formatted.
pub struct ScrubDisplay<'a, T: ?Sized>(pub &'a T);

impl<T: Display + ?Sized> Display for ScrubDisplay<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::flow::scrub_field(&self.0.to_string()))
    }
}

/// A `?value` field: its `Debug` text, scrubbed when it is formatted.
pub struct ScrubDebug<'a, T: ?Sized>(pub &'a T);

impl<T: Debug + ?Sized> Display for ScrubDebug<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::flow::scrub_field(&format!("{:?}", self.0)))
    }
}

/// Numbers, `bool` and `char`: recorded as they are (no text, no secret shape to scrub).
pub trait Primitive: Value {}

macro_rules! primitive {
    ($($t:ty),*) => { $(impl Primitive for $t {})* };
}
primitive!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32, f64, bool);

/// A plain field value that is a number or `bool`: typed.
pub trait FieldTyped<'a, T: ?Sized> {
    /// The value.
    fn __observe_field(&self) -> &'a T;
}

impl<'a, T: Primitive> FieldTyped<'a, T> for &&Probe<'a, T> {
    #[inline]
    fn __observe_field(&self) -> &'a T {
        self.0
    }
}

/// A plain field value that is text (`&str`, `String`, …): scrubbed when formatted.
pub trait FieldText<'a> {
    /// The scrubbed text.
    fn __observe_field(&self) -> DisplayValue<ScrubDisplay<'a, str>>;
}

impl<'a, T: AsRef<str> + ?Sized> FieldText<'a> for &Probe<'a, T> {
    #[inline]
    fn __observe_field(&self) -> DisplayValue<ScrubDisplay<'a, str>> {
        tracing::field::display(ScrubDisplay(self.0.as_ref()))
    }
}

/// Any other `tracing` value (`Option`s, values made with `display`/`debug`, errors): as it is.
pub trait FieldOther<'a, T: ?Sized> {
    /// The value.
    fn __observe_field(&self) -> &'a T;
}

impl<'a, T: Value + ?Sized> FieldOther<'a, T> for Probe<'a, T> {
    #[inline]
    fn __observe_field(&self) -> &'a T {
        self.0
    }
}

/// The fingerprint of a secret parameter that may be moved by the body: text (`String`,
/// `&str`, …) is fingerprinted at the start of the call.
pub trait SecretPrint {
    /// The fingerprint, when someone could record a failure.
    fn __observe_print(&self) -> Option<crate::redact::Fingerprint>;
}

impl<T: AsRef<str> + ?Sized> SecretPrint for &Probe<'_, T> {
    #[inline]
    fn __observe_print(&self) -> Option<crate::redact::Fingerprint> {
        if !crate::call::tracing_enabled() {
            return None;
        }
        crate::redact::Fingerprint::of(self.0.as_ref())
    }
}

/// Other owned values: no fingerprint (the pattern scrubber still applies).
pub trait SecretNoPrint {
    /// Nothing.
    fn __observe_print(&self) -> Option<crate::redact::Fingerprint>;
}

impl<T: ?Sized> SecretNoPrint for Probe<'_, T> {
    #[inline]
    fn __observe_print(&self) -> Option<crate::redact::Fingerprint> {
        None
    }
}
