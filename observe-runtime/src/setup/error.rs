//! What can go wrong while setting telemetry up. Each error names what to fix.

use std::fmt;
use std::net::SocketAddr;

/// An error of [`super::init`] or [`super::Config`].
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// An environment variable has a value that cannot be used.
    InvalidVariable {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// A configuration value cannot be used.
    InvalidConfig {
        /// What was configured.
        what: &'static str,
        /// Why it cannot be used.
        reason: String,
    },
    /// A global subscriber is already installed (`init()` called twice, or the application
    /// set its own: add observe's layers to it instead).
    AlreadyInitialized,
    /// The metrics endpoint cannot listen on its address.
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The system's error.
        source: std::io::Error,
    },
    /// Something this version of observe does not do yet.
    Unsupported {
        /// What was asked for.
        what: &'static str,
        /// The variable that asked for it, if one did.
        variable: Option<&'static str>,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidVariable { name, value, reason } => write!(f, "{name}={value:?} is invalid: {reason}"),
            Error::InvalidConfig { what, reason } => write!(f, "invalid {what}: {reason}"),
            Error::AlreadyInitialized => f.write_str(
                "telemetry is already initialized (a global tracing subscriber is installed); call init() once, or add observe's layers to your own subscriber",
            ),
            Error::Bind { addr, source } => write!(f, "cannot serve metrics on {addr} (OBSERVE_METRICS_ADDR): {source}"),
            Error::Unsupported { what, variable: Some(variable) } => {
                write!(f, "{what} is not supported by this version of observe (unset {variable})")
            }
            Error::Unsupported { what, variable: None } => write!(f, "{what} is not supported by this version of observe"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Bind { source, .. } => Some(source),
            _ => None,
        }
    }
}
