//! Runtime of [`observe-telemetry`](https://docs.rs/observe-telemetry): what the code generated
//! by `#[observe]` calls.
//!
//! Users depend on the `observe-telemetry` facade, never on this crate directly. Everything the
//! macros reach is under [`__private`]; the supported API is re-exported by the facade.
//!
//! The modules, in dependency order (each uses only the ones before it):
//!
//! | module | what it is |
//! |---|---|
//! | `info` | what a call site is, statically: the `SiteInfo` in its `static` |
//! | `testing` | captures of what code recorded, for users' tests (feature `testing`) |
//! | [`redact`] | the `Redact` trait and modes, the value scrubber, field scrubbing for the logs |
//! | [`metrics`] | the registry and its exposition, each call site's handles, the families |
//! | `panic` | the panic hook that keeps panic messages for failure records |
//! | `site` | the per-function `static` and its `tracing` callsites (span, events, interest) |
//! | `flow` | flow ids, frames and steps |
//! | `call` | recording one call: the state machine, the guard, the future, the records |
//! | `macro_support` | what generated code asks about the user's types; `?` routing |
//! | `trace_context` | the entered spans' OpenTelemetry contexts, per thread (ids, exemplars, propagation) |
//! | `logs` | JSON log lines (feature `logs`) |
//! | `setup` | `init()`, `Config`, the HTTP endpoint, OTLP export (features `setup`, `otlp`) |

#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod call;
pub mod catalog;
#[cfg(feature = "setup")]
#[cfg_attr(docsrs, doc(cfg(feature = "setup")))]
pub mod dashboards;
mod flow;
#[cfg(feature = "setup")]
#[cfg_attr(docsrs, doc(cfg(feature = "setup")))]
pub mod health;
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub mod http;
mod info;
#[cfg(any(feature = "http", feature = "otlp"))]
mod intern;
#[cfg(feature = "logs")]
#[cfg_attr(docsrs, doc(cfg(feature = "logs")))]
pub mod logs;
mod macro_support;
pub mod metrics;
mod panic;
pub mod redact;
#[cfg(feature = "setup")]
#[cfg_attr(docsrs, doc(cfg(feature = "setup")))]
pub mod setup;
mod site;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
#[cfg(feature = "otlp")]
mod trace_context;

/// Items used by the code `#[observe]` generates. Not a public API: names may change in any
/// release.
#[doc(hidden)]
pub mod __private {
    pub use crate::call::{AsyncCall, Begun, Guard, Kind, Observed, SiteKind, Slot, StaticKind};
    pub use crate::catalog::CATALOG;
    pub use crate::flow::{FlowId, Step};
    pub use crate::info::{FlowInfo, HistogramInfo, ObjectiveInfo, SiteInfo, Unit};
    pub use crate::macro_support::probe::{
        ArgDebug, ArgValue, FieldOther, FieldText, FieldTyped, Message, Never, OtherOutcome, Probe,
        Render, RenderDebug, RenderDebugFirst, RenderDisplay, RenderDisplayFirst, RenderName,
        ResultOutcome, ScrubDebug, ScrubDisplay, SecretNoPrint, SecretOpaque, SecretPrint,
        SecretText,
    };
    pub use crate::macro_support::question_mark::{Branch, FromResidual};
    pub use crate::redact::{
        masked, masked_option, Custom, Fingerprint, Hidden, HiddenOption, Masked, MaskedOption,
        Mode as RedactMode,
    };
    pub use crate::site::Site;
    pub use ::core::ops::ControlFlow;
    pub use ::linkme;
    pub use ::std::boxed::Box;
    pub use ::tracing;
    pub use ::tracing::field::Value;
}
