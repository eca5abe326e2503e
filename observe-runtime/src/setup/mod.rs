//! Telemetry setup for applications (the seeds' `configure_telemetry`): [`init`] for the
//! embedded default, [`Config`] to choose. Libraries annotate and never call this.
//!
//! What `init()` sets up: a global `tracing` subscriber with JSON log lines on stdout (the
//! redacting format of [`crate::logs`]; `OBSERVE_LOG_FORMAT=pretty` for humans) filtered by
//! `RUST_LOG` (default `info`), Prometheus metrics in the registry in use, and an HTTP endpoint
//! on `OBSERVE_METRICS_ADDR` (default `127.0.0.1:9464`) serving `/metrics`, `/health/live` and
//! `/health/ready`. The returned [`Telemetry`] stops the endpoint and flushes on drop.
//!
//! OTLP export (traces, metrics, logs) is not part of this version: with
//! `OTEL_EXPORTER_OTLP_ENDPOINT` set (and `OTEL_SDK_DISABLED` not `true`), `init()` returns
//! [`Error::Unsupported`] naming the variable rather than silently exporting nothing.

mod config;
mod error;
mod http;

use std::net::SocketAddr;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{EnvFilter, Layer};

pub use config::{Config, LogFormat, Protocol, Sampler};
pub use error::Error;

/// Sets up telemetry from the environment: [`Config::from_env`] then [`Config::init`].
pub fn init() -> Result<Telemetry, Error> {
    Config::from_env()?.init()
}

/// What [`init`] set up; dropping it stops the metrics endpoint and flushes the logs.
#[must_use = "telemetry stops when this guard is dropped"]
pub struct Telemetry {
    server: Option<http::Server>,
    service_name: String,
}

impl std::fmt::Debug for Telemetry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Telemetry")
            .field("service_name", &self.service_name)
            .field("metrics_addr", &self.metrics_addr())
            .finish()
    }
}

impl Telemetry {
    /// The address the metrics endpoint listens on, if there is one (with port 0 in the
    /// configuration, the port the system chose).
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.server.as_ref().map(http::Server::addr)
    }

    /// The `service.name` in use.
    pub fn service_name(&self) -> &str {
        &self.service_name
    }
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.stop();
        }
        let _ = std::io::Write::flush(&mut std::io::stdout());
    }
}

impl Config {
    /// Installs the global subscriber and starts the metrics endpoint.
    pub fn init(self) -> Result<Telemetry, Error> {
        if self.otlp_endpoint.is_some() && !self.sdk_disabled {
            return Err(Error::Unsupported {
                what: "OTLP export",
                variable: Some("OTEL_EXPORTER_OTLP_ENDPOINT"),
            });
        }
        if let Some(registry) = self.registry.clone() {
            crate::metrics::set_registry(registry).map_err(|_| Error::InvalidConfig {
                what: "registry",
                reason: "metrics were already registered in another registry; set it before the first instrumented call".into(),
            })?;
        }
        let filter = match &self.log_filter {
            Some(directives) => {
                EnvFilter::try_new(directives).map_err(|e| Error::InvalidVariable {
                    name: "RUST_LOG",
                    value: directives.clone(),
                    reason: e.to_string(),
                })?
            }
            None => EnvFilter::new("info"),
        };
        let logs = match self.log_format {
            LogFormat::Json => crate::logs::json_layer().boxed(),
            LogFormat::Pretty => tracing_subscriber::fmt::layer().boxed(),
        };
        // The endpoint first: if it cannot listen, nothing global has been changed yet.
        let server = self.metrics_addr.map(http::Server::start).transpose()?;
        let subscriber = tracing_subscriber::registry().with(filter).with(logs);
        if tracing::subscriber::set_global_default(subscriber).is_err() {
            if let Some(server) = server {
                server.stop();
            }
            return Err(Error::AlreadyInitialized);
        }
        if let Some(server) = &server {
            tracing::info!(target: "observe", addr = %server.addr(), service = %self.service_name, "serving /metrics, /health/live and /health/ready");
        }
        Ok(Telemetry {
            server,
            service_name: self.service_name,
        })
    }
}
