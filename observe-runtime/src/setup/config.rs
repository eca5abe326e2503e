//! [`Config`]: what telemetry to set up, from code and from the standard variables.

use std::net::SocketAddr;
use std::time::Duration;

use prometheus::Registry;

use super::Error;

/// The default address of the metrics endpoint.
pub const DEFAULT_METRICS_ADDR: &str = "127.0.0.1:9464";

/// Telemetry settings. [`Config::from_env`] reads the standard variables; the builder methods
/// override them.
#[derive(Clone, Debug)]
pub struct Config {
    pub(super) service_name: String,
    pub(super) service_version: Option<String>,
    /// The application's own version (`observe::init!()` passes its `CARGO_PKG_VERSION`),
    /// used when none is configured.
    pub(super) default_version: Option<String>,
    pub(super) environment: Option<String>,
    pub(super) resource: Vec<(String, String)>,
    pub(super) otlp_endpoint: Option<String>,
    pub(super) otlp_protocol: Protocol,
    pub(super) sampler: Sampler,
    pub(super) sdk_disabled: bool,
    pub(super) log_format: LogFormat,
    pub(super) log_lines: crate::logs::LineOptions,
    pub(super) log_filter: Option<String>,
    pub(super) metrics_addr: Option<SocketAddr>,
    pub(super) registry: Option<Registry>,
    pub(super) metrics_interval: Duration,
    pub(super) span_queue_size: usize,
    pub(super) log_queue_size: usize,
}

/// The default interval of the OTLP metrics push (`OTEL_METRIC_EXPORT_INTERVAL`).
pub const DEFAULT_METRICS_INTERVAL: Duration = Duration::from_secs(60);

/// The default bound of the span and log export queues (`OTEL_BSP_MAX_QUEUE_SIZE`,
/// `OTEL_BLRP_MAX_QUEUE_SIZE`).
pub const DEFAULT_QUEUE_SIZE: usize = 2048;

/// OTLP transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// `grpc`
    Grpc,
    /// `http/protobuf`
    HttpProtobuf,
}

/// Trace sampling (`OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Sampler {
    /// `always_on`
    AlwaysOn,
    /// `always_off`
    AlwaysOff,
    /// `traceidratio` with its ratio.
    TraceIdRatio(f64),
    /// `parentbased_always_on` (the default)
    ParentBasedAlwaysOn,
    /// `parentbased_always_off`
    ParentBasedAlwaysOff,
    /// `parentbased_traceidratio` with its ratio.
    ParentBasedTraceIdRatio(f64),
}

/// How log lines look on stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Pretty when stdout is a terminal (colored unless `NO_COLOR` is set), JSON otherwise
    /// (`auto`, the default): the format follows the reader.
    Auto,
    /// One JSON object per line, redacted (`observe::logs`).
    Json,
    /// Lines for a person: time, level, message and its fields first, the span context after
    /// (`observe::logs::pretty_layer`).
    Pretty,
    /// No log lines on stdout (an application with its own output layer; `off`).
    Off,
}

impl Default for Config {
    fn default() -> Config {
        Config::new()
    }
}

impl Config {
    /// The defaults, without reading the environment: service name from the executable, JSON
    /// logs at `info`, no metrics endpoint, no OTLP.
    pub fn new() -> Config {
        let exe = std::env::current_exe()
            .ok()
            .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "unknown".into());
        Config {
            service_name: format!("unknown_service:{exe}"),
            service_version: None,
            default_version: None,
            environment: None,
            resource: Vec::new(),
            otlp_endpoint: None,
            otlp_protocol: Protocol::Grpc,
            sampler: Sampler::ParentBasedAlwaysOn,
            sdk_disabled: false,
            log_format: LogFormat::Auto,
            log_lines: crate::logs::LineOptions::new(),
            log_filter: None,
            metrics_addr: None,
            registry: None,
            metrics_interval: DEFAULT_METRICS_INTERVAL,
            span_queue_size: DEFAULT_QUEUE_SIZE,
            log_queue_size: DEFAULT_QUEUE_SIZE,
        }
    }

    /// The defaults of `init()`, then the variables: `OTEL_SERVICE_NAME`,
    /// `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_PROTOCOL`,
    /// `OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`, `OTEL_SDK_DISABLED`, `RUST_LOG`,
    /// `OBSERVE_METRICS_ADDR` (default `127.0.0.1:9464`; `off` for none) and
    /// `OBSERVE_LOG_FORMAT` (`json`, `pretty` or `off`), and for OTLP export
    /// `OTEL_METRIC_EXPORT_INTERVAL` (milliseconds, default 60000), `OTEL_BSP_MAX_QUEUE_SIZE`
    /// and `OTEL_BLRP_MAX_QUEUE_SIZE` (default 2048). An invalid value is an error naming it.
    pub fn from_env() -> Result<Config, Error> {
        Config::from_vars(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// [`Config::from_env`] over any source of variables (for tests and embedding).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Config, Error> {
        let mut config = Config::new();
        config.metrics_addr = Some(parse_addr("OBSERVE_METRICS_ADDR", DEFAULT_METRICS_ADDR)?);
        if let Some(attributes) = var("OTEL_RESOURCE_ATTRIBUTES") {
            for (key, value) in parse_resource(&attributes)? {
                match key.as_str() {
                    "service.name" => config.service_name = value,
                    "service.version" => config.service_version = Some(value),
                    "deployment.environment.name" | "deployment.environment" => {
                        config.environment = Some(value)
                    }
                    _ => config.resource.push((key, value)),
                }
            }
        }
        if let Some(name) = var("OTEL_SERVICE_NAME") {
            config.service_name = name;
        }
        if let Some(endpoint) = var("OTEL_EXPORTER_OTLP_ENDPOINT") {
            config.otlp_endpoint = Some(check_endpoint("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint)?);
        }
        if let Some(protocol) = var("OTEL_EXPORTER_OTLP_PROTOCOL") {
            config.otlp_protocol = match protocol.trim() {
                "grpc" => Protocol::Grpc,
                "http/protobuf" => Protocol::HttpProtobuf,
                _ => {
                    return Err(invalid(
                        "OTEL_EXPORTER_OTLP_PROTOCOL",
                        &protocol,
                        "expected grpc or http/protobuf",
                    ))
                }
            };
        }
        let ratio = match var("OTEL_TRACES_SAMPLER_ARG") {
            Some(arg) => match arg.trim().parse::<f64>() {
                Ok(r) if (0.0..=1.0).contains(&r) => Some(r),
                _ => {
                    return Err(invalid(
                        "OTEL_TRACES_SAMPLER_ARG",
                        &arg,
                        "expected a ratio between 0 and 1",
                    ))
                }
            },
            None => None,
        };
        if let Some(sampler) = var("OTEL_TRACES_SAMPLER") {
            config.sampler = match sampler.trim() {
                "always_on" => Sampler::AlwaysOn,
                "always_off" => Sampler::AlwaysOff,
                "traceidratio" => Sampler::TraceIdRatio(ratio.unwrap_or(1.0)),
                "parentbased_always_on" => Sampler::ParentBasedAlwaysOn,
                "parentbased_always_off" => Sampler::ParentBasedAlwaysOff,
                "parentbased_traceidratio" => Sampler::ParentBasedTraceIdRatio(ratio.unwrap_or(1.0)),
                _ => return Err(invalid(
                    "OTEL_TRACES_SAMPLER",
                    &sampler,
                    "expected always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off or parentbased_traceidratio",
                )),
            };
        }
        if let Some(disabled) = var("OTEL_SDK_DISABLED") {
            config.sdk_disabled = match disabled.trim().to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => {
                    return Err(invalid(
                        "OTEL_SDK_DISABLED",
                        &disabled,
                        "expected true or false",
                    ))
                }
            };
        }
        config.log_filter = var("RUST_LOG");
        if let Some(format) = var("OBSERVE_LOG_FORMAT") {
            config.log_format = match format.trim() {
                "auto" => LogFormat::Auto,
                "json" => LogFormat::Json,
                "pretty" => LogFormat::Pretty,
                "off" | "none" => LogFormat::Off,
                _ => {
                    return Err(invalid(
                        "OBSERVE_LOG_FORMAT",
                        &format,
                        "expected auto, json, pretty or off",
                    ))
                }
            };
        }
        if let Some(ms) = var("OTEL_METRIC_EXPORT_INTERVAL") {
            config.metrics_interval =
                Duration::from_millis(positive("OTEL_METRIC_EXPORT_INTERVAL", &ms)?);
        }
        if let Some(size) = var("OTEL_BSP_MAX_QUEUE_SIZE") {
            config.span_queue_size = positive("OTEL_BSP_MAX_QUEUE_SIZE", &size)? as usize;
        }
        if let Some(size) = var("OTEL_BLRP_MAX_QUEUE_SIZE") {
            config.log_queue_size = positive("OTEL_BLRP_MAX_QUEUE_SIZE", &size)? as usize;
        }
        if let Some(addr) = var("OBSERVE_METRICS_ADDR") {
            config.metrics_addr = match addr.trim() {
                "off" | "none" => None,
                other => Some(parse_addr("OBSERVE_METRICS_ADDR", other)?),
            };
        }
        Ok(config)
    }

    /// `service.name`.
    pub fn service_name(mut self, name: impl Into<String>) -> Config {
        self.service_name = name.into();
        self
    }

    /// `service.version`.
    pub fn service_version(mut self, version: impl Into<String>) -> Config {
        self.service_version = Some(version.into());
        self
    }

    /// The version to use when none is configured (by [`Config::service_version`] or
    /// `service.version` in `OTEL_RESOURCE_ATTRIBUTES`): what
    /// `observe::init!()` sets to the application's `CARGO_PKG_VERSION`.
    pub fn default_service_version(mut self, version: impl Into<String>) -> Config {
        self.default_version = Some(version.into());
        self
    }

    /// `deployment.environment.name`.
    pub fn environment(mut self, environment: impl Into<String>) -> Config {
        self.environment = Some(environment.into());
        self
    }

    /// The OTLP endpoint (`http://host:port`).
    pub fn otlp_endpoint(mut self, endpoint: impl Into<String>) -> Result<Config, Error> {
        let endpoint = endpoint.into();
        self.otlp_endpoint = Some(check_endpoint("otlp_endpoint", &endpoint).map_err(
            |e| match e {
                Error::InvalidVariable { reason, .. } => Error::InvalidConfig {
                    what: "OTLP endpoint",
                    reason,
                },
                other => other,
            },
        )?);
        Ok(self)
    }

    /// The OTLP transport.
    pub fn otlp_protocol(mut self, protocol: Protocol) -> Config {
        self.otlp_protocol = protocol;
        self
    }

    /// Trace sampling.
    pub fn sampler(mut self, sampler: Sampler) -> Config {
        self.sampler = sampler;
        self
    }

    /// JSON or pretty log lines, or pretty on a terminal and JSON otherwise (the default).
    pub fn log_format(mut self, format: LogFormat) -> Config {
        self.log_format = format;
        self
    }

    /// What goes on a log line, JSON or pretty: code attributes, value budget, and which
    /// frames of a failure write it at ERROR, also for OTLP log records (see
    /// [`LineOptions`](crate::logs::LineOptions)).
    pub fn log_lines(mut self, options: crate::logs::LineOptions) -> Config {
        self.log_lines = options;
        self
    }

    /// `RUST_LOG`-style filter directives (default `info`).
    pub fn log_filter(mut self, directives: impl Into<String>) -> Config {
        self.log_filter = Some(directives.into());
        self
    }

    /// Serve `/metrics`, `/health/live` and `/health/ready` here (`None`: no endpoint).
    pub fn metrics_addr(mut self, addr: Option<SocketAddr>) -> Config {
        self.metrics_addr = addr;
        self
    }

    /// Register `#[observe]` metrics in this registry instead of the default one.
    pub fn registry(mut self, registry: Registry) -> Config {
        self.registry = Some(registry);
        self
    }

    /// How often metrics are pushed over OTLP (they are also pushed once at shutdown).
    pub fn metrics_export_interval(mut self, interval: Duration) -> Config {
        self.metrics_interval = interval.max(Duration::from_millis(1));
        self
    }

    /// Bounds of the span and log export queues: what does not fit while the collector is
    /// slow or down is dropped and counted in `observe_telemetry_dropped_total`.
    pub fn export_queue_sizes(mut self, spans: usize, logs: usize) -> Config {
        self.span_queue_size = spans.max(1);
        self.log_queue_size = logs.max(1);
        self
    }

    /// The configured sampler.
    pub fn configured_sampler(&self) -> Sampler {
        self.sampler
    }

    /// The configured OTLP endpoint and protocol.
    pub fn configured_otlp(&self) -> Option<(&str, Protocol)> {
        self.otlp_endpoint
            .as_deref()
            .map(|e| (e, self.otlp_protocol))
    }

    /// The resource attributes: `service.name`, `service.version`,
    /// `deployment.environment.name`, then the others of `OTEL_RESOURCE_ATTRIBUTES`.
    pub fn resource(&self) -> Vec<(String, String)> {
        let mut out = vec![("service.name".to_owned(), self.service_name.clone())];
        if let Some(version) = self
            .service_version
            .as_ref()
            .or(self.default_version.as_ref())
        {
            out.push(("service.version".into(), version.clone()));
        }
        if let Some(environment) = &self.environment {
            out.push(("deployment.environment.name".into(), environment.clone()));
        }
        out.extend(self.resource.iter().cloned());
        out
    }
}

fn invalid(name: &'static str, value: &str, reason: &str) -> Error {
    Error::InvalidVariable {
        name,
        value: value.to_owned(),
        reason: reason.to_owned(),
    }
}

fn positive(name: &'static str, text: &str) -> Result<u64, Error> {
    match text.trim().parse::<u32>() {
        Ok(n) if n > 0 => Ok(u64::from(n)),
        _ => Err(invalid(name, text, "expected a positive whole number")),
    }
}

fn parse_addr(name: &'static str, text: &str) -> Result<SocketAddr, Error> {
    text.trim()
        .parse()
        .map_err(|_| invalid(name, text, "expected ip:port, e.g. 127.0.0.1:9464 (or off)"))
}

/// `key=value,key=value`, values percent-decoded (W3C baggage octets, as the spec says).
fn parse_resource(text: &str) -> Result<Vec<(String, String)>, Error> {
    text.split(',')
        .filter(|pair| !pair.trim().is_empty())
        .map(|pair| {
            let (key, value) = pair
                .split_once('=')
                .filter(|(k, _)| !k.trim().is_empty())
                .ok_or_else(|| {
                    invalid(
                        "OTEL_RESOURCE_ATTRIBUTES",
                        text,
                        &format!("`{pair}` is not key=value"),
                    )
                })?;
            let value = percent_decode(value.trim()).ok_or_else(|| {
                invalid(
                    "OTEL_RESOURCE_ATTRIBUTES",
                    text,
                    &format!("`{pair}` has a bad %-escape"),
                )
            })?;
            Ok((key.trim().to_owned(), value))
        })
        .collect()
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn check_endpoint(name: &'static str, endpoint: &str) -> Result<String, Error> {
    let trimmed = endpoint.trim();
    let rest = trimmed
        .strip_prefix("http://")
        .or_else(|| trimmed.strip_prefix("https://"))
        .ok_or_else(|| invalid(name, endpoint, "expected an http:// or https:// URL"))?;
    if rest.is_empty() || rest.starts_with('/') || rest.contains(char::is_whitespace) {
        return Err(invalid(name, endpoint, "the URL has no host"));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn reads_the_standard_variables() {
        let config = Config::from_vars(vars(&[
            ("OTEL_SERVICE_NAME", "worker"),
            (
                "OTEL_RESOURCE_ATTRIBUTES",
                "service.version=1.2.3,deployment.environment.name=prod,team=a%20b",
            ),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "0.25"),
            ("OBSERVE_METRICS_ADDR", "127.0.0.1:9000"),
            ("OBSERVE_LOG_FORMAT", "pretty"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "1500"),
            ("OTEL_BSP_MAX_QUEUE_SIZE", "64"),
            ("OTEL_BLRP_MAX_QUEUE_SIZE", "32"),
        ]))
        .unwrap();
        assert_eq!(config.service_name, "worker");
        assert_eq!(
            config.configured_otlp(),
            Some(("http://127.0.0.1:4317", Protocol::HttpProtobuf))
        );
        assert_eq!(config.sampler, Sampler::ParentBasedTraceIdRatio(0.25));
        assert_eq!(config.metrics_addr, Some("127.0.0.1:9000".parse().unwrap()));
        assert_eq!(config.log_format, LogFormat::Pretty);
        assert_eq!(config.metrics_interval, Duration::from_millis(1500));
        assert_eq!((config.span_queue_size, config.log_queue_size), (64, 32));
        let resource = config.resource();
        assert!(resource.contains(&("service.version".into(), "1.2.3".into())));
        assert!(resource.contains(&("deployment.environment.name".into(), "prod".into())));
        assert!(resource.contains(&("team".into(), "a b".into())));
    }

    #[test]
    fn defaults() {
        let config = Config::from_vars(|_| None).unwrap();
        assert_eq!(
            config.metrics_addr,
            Some(DEFAULT_METRICS_ADDR.parse().unwrap())
        );
        assert_eq!(config.log_format, LogFormat::Auto);
        assert!(config.service_name.starts_with("unknown_service:"));
        let off = Config::from_vars(vars(&[("OBSERVE_METRICS_ADDR", "off")])).unwrap();
        assert_eq!(off.metrics_addr, None);
    }

    #[test]
    fn invalid_values_name_their_variable() {
        for (name, value) in [
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4317"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
            ("OTEL_TRACES_SAMPLER", "sometimes"),
            ("OTEL_TRACES_SAMPLER_ARG", "2"),
            ("OTEL_SDK_DISABLED", "yes"),
            ("OTEL_RESOURCE_ATTRIBUTES", "service.name"),
            ("OBSERVE_METRICS_ADDR", "localhost"),
            ("OBSERVE_LOG_FORMAT", "xml"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "0"),
            ("OTEL_BSP_MAX_QUEUE_SIZE", "-5"),
            ("OTEL_BLRP_MAX_QUEUE_SIZE", "many"),
        ] {
            let error = Config::from_vars(vars(&[(name, value)])).unwrap_err();
            assert!(error.to_string().starts_with(name), "{error}");
        }
    }
}
