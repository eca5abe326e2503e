//! Telemetry setup for applications (the seeds' `configure_telemetry`): [`init`] for the
//! embedded default, [`Config`] to choose. Libraries annotate and never call this.
//!
//! What `init()` sets up: a global `tracing` subscriber with JSON log lines on stdout (the
//! redacting format of [`crate::logs`]; `OBSERVE_LOG_FORMAT=pretty` for humans) filtered by
//! `RUST_LOG` (default `info`), Prometheus metrics in the registry in use, and an HTTP endpoint
//! on `OBSERVE_METRICS_ADDR` (default `127.0.0.1:9464`) serving `/metrics`, `/health/live` and
//! `/health/ready`. The returned [`Telemetry`] stops the endpoint and flushes on drop.
//!
//! With the `otlp` feature and `OTEL_EXPORTER_OTLP_ENDPOINT` set (and `OTEL_SDK_DISABLED` not
//! `true`), all three signals are exported over OTLP (`grpc` or `http/protobuf`) with the
//! configured resource: spans (with the sampler), metrics (the Prometheus registry, same names
//! and labels as `/metrics`, every `OTEL_METRIC_EXPORT_INTERVAL` and at shutdown) and log
//! records (scrubbed like the JSON lines, with their span's trace context); log lines on stdout
//! carry the exported `trace_id` and `span_id` (without an exporter, ids of observe's own in
//! the same W3C format: see [`crate::logs`]). Export queues are bounded (`OTEL_BSP_MAX_QUEUE_SIZE`,
//! `OTEL_BLRP_MAX_QUEUE_SIZE`); what a slow or absent collector makes them drop is counted in
//! `observe_telemetry_dropped_total{signal, reason}` (`queue_full`, `export_failed`), and
//! dropping [`Telemetry`] flushes the three signals side by side within one export timeout
//! (5 s). Without the feature, an endpoint is an [`Error::Unsupported`] naming the variable
//! rather than silently exporting nothing.

mod config;
mod error;
mod http;
#[cfg(feature = "otlp")]
pub(crate) mod otlp;
#[cfg(feature = "otlp")]
#[cfg_attr(docsrs, doc(cfg(feature = "otlp")))]
pub mod propagation;

use std::net::SocketAddr;

use tracing::Subscriber;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{EnvFilter, Layer};

pub use config::{Config, LogFormat, Protocol, Sampler};
pub use error::Error;

/// The OpenTelemetry layer that exports spans through `exporter`, for an application that
/// builds its own subscriber (instead of [`init`]) or for tests (with an in-memory exporter).
#[cfg(feature = "otlp")]
#[cfg_attr(docsrs, doc(cfg(feature = "otlp")))]
pub fn trace_layer<S, E>(
    exporter: E,
    service_name: &str,
) -> (
    opentelemetry_sdk::trace::SdkTracerProvider,
    impl tracing_subscriber::Layer<S>,
)
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a> + Send + Sync,
    E: opentelemetry_sdk::trace::SpanExporter + 'static,
{
    otlp::layer_for(exporter, service_name)
}

/// observe's OpenTelemetry layer over a tracer provider the application built: spans start
/// through the provider's tracer (its processors, sampler and id generator). The same spans,
/// attributes and events as [`otel_layer_with_processor`], at the SDK's cost per span: prefer
/// that one when the application only needs to choose its processor and exporter.
#[cfg(feature = "otlp")]
#[cfg_attr(docsrs, doc(cfg(feature = "otlp")))]
pub fn otel_layer<S>(
    provider: &opentelemetry_sdk::trace::SdkTracerProvider,
) -> impl tracing_subscriber::Layer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    otlp::otel_layer(provider)
}

/// observe's OpenTelemetry layer handing each span's data straight to `processor` (for example
/// the SDK's `BatchSpanProcessor` over any exporter): the layer `init()` uses. observe decides
/// the ids and the sampling (`sampler`, the SDK's rules) and builds the `SpanData` itself, with
/// no SDK `Span` and no OpenTelemetry `Context` per span; `processor.on_start` is therefore not
/// called. The returned provider owns the processor: flush and shut down through it.
#[cfg(feature = "otlp")]
#[cfg_attr(docsrs, doc(cfg(feature = "otlp")))]
pub fn otel_layer_with_processor<S, P>(
    processor: P,
    resource: opentelemetry_sdk::Resource,
    sampler: Sampler,
) -> (
    opentelemetry_sdk::trace::SdkTracerProvider,
    impl tracing_subscriber::Layer<S>,
)
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    P: opentelemetry_sdk::trace::SpanProcessor + 'static,
{
    otlp::processor_layer(processor, resource, sampler)
}

/// The OpenTelemetry `Context` of the current span, for code that uses the OpenTelemetry API
/// inside observe's spans (a span of its own as a child, a propagator of its own): observe's
/// layer does not attach a `Context` on every enter, as `tracing-opentelemetry` does, and
/// `tracing_opentelemetry::OpenTelemetrySpanExt::context` does not see its spans. Without a
/// current span of observe's layer, the thread's current `Context`.
#[cfg(feature = "otlp")]
#[cfg_attr(docsrs, doc(cfg(feature = "otlp")))]
pub fn otel_context() -> opentelemetry::Context {
    crate::trace_context::current_otel_context()
}

/// The current trace id (32 hex digits) as exported over OTLP, inside a span that is exported.
#[cfg(feature = "otlp")]
#[cfg_attr(docsrs, doc(cfg(feature = "otlp")))]
pub fn trace_id() -> Option<String> {
    crate::trace_context::current_ids().map(|(trace, _)| trace)
}

/// The current span id (16 hex digits) as exported over OTLP, inside a span that is exported.
#[cfg(feature = "otlp")]
#[cfg_attr(docsrs, doc(cfg(feature = "otlp")))]
pub fn span_id() -> Option<String> {
    crate::trace_context::current_ids().map(|(_, span)| span)
}

/// Crates of the exporter and the endpoint whose logs stay at `warn` (see `Config::init`).
const QUIET_TARGETS: &[&str] = &[
    "h2",
    "hyper",
    "hyper_util",
    "tonic",
    "tower",
    "opentelemetry",
    "opentelemetry_sdk",
    "opentelemetry_otlp",
];

/// Sets up telemetry from the environment: [`Config::from_env`] then [`Config::init`].
pub fn init() -> Result<Telemetry, Error> {
    Config::from_env()?.init()
}

/// What [`init`] set up; dropping it stops the metrics endpoint and flushes the logs.
#[must_use = "telemetry stops when this guard is dropped"]
pub struct Telemetry {
    server: Option<http::Server>,
    #[cfg(feature = "otlp")]
    otlp: Option<otlp::Otlp>,
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
        #[cfg(feature = "otlp")]
        if let Some(otlp) = self.otlp.take() {
            otlp.shutdown();
        }
        if let Some(server) = self.server.take() {
            server.stop();
        }
        let _ = std::io::Write::flush(&mut std::io::stdout());
    }
}

/// A layer of observe's, for any subscriber built on `tracing_subscriber::registry()`.
pub type BoxedLayer<S> = Box<dyn Layer<S> + Send + Sync>;

impl Config {
    /// Installs the global subscriber and starts the metrics endpoint.
    pub fn init(self) -> Result<Telemetry, Error> {
        type Installed =
            tracing_subscriber::layer::Layered<EnvFilter, tracing_subscriber::Registry>;
        let (filter, layer, telemetry) = self.start::<Installed>()?;
        let subscriber = tracing_subscriber::registry().with(filter).with(layer);
        if tracing::subscriber::set_global_default(subscriber).is_err() {
            // Dropping the telemetry stops the endpoint and the exporters it started.
            return Err(Error::AlreadyInitialized);
        }
        if let Some(addr) = telemetry.metrics_addr() {
            tracing::info!(target: "observe", %addr, service = %telemetry.service_name, "serving /metrics, /health/live and /health/ready");
        }
        Ok(telemetry)
    }

    /// What [`Config::init`] sets up, for an application that builds its own subscriber: one
    /// layer (the log lines of `log_format`, OTLP export of spans and logs when an endpoint is
    /// configured) filtered by `RUST_LOG` on its own, so the application's other layers keep
    /// their filters; and the [`Telemetry`] guard (metrics endpoint, exporters, flush on
    /// drop). `LogFormat::Off` leaves the log lines to the application's own layer.
    ///
    /// ```no_run
    /// use tracing_subscriber::layer::SubscriberExt;
    ///
    /// let (layer, _telemetry) = observe_runtime::setup::Config::from_env()?.layer()?;
    /// let subscriber = tracing_subscriber::registry().with(layer);
    /// tracing::subscriber::set_global_default(subscriber).expect("no other subscriber");
    /// # Ok::<(), observe_runtime::setup::Error>(())
    /// ```
    pub fn layer<S>(self) -> Result<(BoxedLayer<S>, Telemetry), Error>
    where
        S: Subscriber + for<'a> LookupSpan<'a> + Send + Sync,
    {
        let (filter, layer, telemetry) = self.start::<S>()?;
        Ok((layer.with_filter(filter).boxed(), telemetry))
    }

    /// The filter from `RUST_LOG`, the layer, and the started endpoint and exporters.
    fn start<S>(self) -> Result<(EnvFilter, BoxedLayer<S>, Telemetry), Error>
    where
        S: Subscriber + for<'a> LookupSpan<'a> + Send + Sync,
    {
        #[cfg(not(feature = "otlp"))]
        if self.otlp_endpoint.is_some() && !self.sdk_disabled {
            return Err(Error::Unsupported {
                what: "OTLP export (enable observe's `otlp` feature)",
                variable: Some("OTEL_EXPORTER_OTLP_ENDPOINT"),
            });
        }
        if let Some(registry) = self.registry.clone() {
            crate::metrics::set_registry(registry).map_err(|_| Error::InvalidConfig {
                what: "registry",
                reason: "metrics were already registered in another registry; set it before the first instrumented call".into(),
            })?;
        }
        let directives = self.log_filter.clone().unwrap_or_else(|| "info".into());
        let mut filter = EnvFilter::try_new(&directives).map_err(|e| Error::InvalidVariable {
            name: "RUST_LOG",
            value: directives.clone(),
            reason: e.to_string(),
        })?;
        // The exporter's own machinery (HTTP/2, gRPC) logs about every export: at debug level
        // that is telemetry about telemetry. Kept at `warn` unless `RUST_LOG` names it.
        for quiet in QUIET_TARGETS {
            if !directives.contains(quiet) {
                if let Ok(directive) = format!("{quiet}=warn").parse() {
                    filter = filter.add_directive(directive);
                }
            }
        }
        // The format follows the reader: a person at a terminal, or a pipeline reading a pipe.
        let terminal = std::io::IsTerminal::is_terminal(&std::io::stdout());
        let colors = terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        let logs: Option<BoxedLayer<S>> = match self.log_format {
            LogFormat::Json => Some(crate::logs::json_layer_with(self.log_lines).boxed()),
            LogFormat::Auto if !terminal => {
                Some(crate::logs::json_layer_with(self.log_lines).boxed())
            }
            LogFormat::Pretty | LogFormat::Auto => {
                Some(crate::logs::pretty_layer_with(self.log_lines, colors).boxed())
            }
            LogFormat::Off => None,
        };
        // The endpoint first: if it cannot listen, nothing else has been started yet.
        let server = self.metrics_addr.map(http::Server::start).transpose()?;
        #[cfg(feature = "otlp")]
        let (otlp, traces) = match otlp::start(&self) {
            Ok(Some((otlp, layer))) => (Some(otlp), Some(layer)),
            Ok(None) => (None, None),
            Err(error) => {
                if let Some(server) = server {
                    server.stop();
                }
                return Err(error);
            }
        };
        #[cfg(not(feature = "otlp"))]
        let traces: Option<BoxedLayer<S>> = None;
        let layer = Layer::and_then(traces, logs).boxed();
        // Once everything started: a configuration that failed registers nothing.
        crate::metrics::build_info(
            &self.service_name,
            self.service_version
                .as_deref()
                .or(self.default_version.as_deref())
                .unwrap_or("unknown"),
            self.environment.as_deref().unwrap_or("unknown"),
        );
        Ok((
            filter,
            layer,
            Telemetry {
                server,
                #[cfg(feature = "otlp")]
                otlp,
                service_name: self.service_name,
            },
        ))
    }
}
