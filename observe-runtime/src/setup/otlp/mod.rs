//! OTLP export (grpc or http/protobuf) of traces, metrics and logs.
//!
//! - Traces: observe's span layer ([`spans`]) feeding the SDK's batch span processor.
//! - Metrics: the Prometheus registry, converted and pushed by [`metrics`] (same names and
//!   labels as `/metrics`).
//! - Logs: every event the filter lets through, scrubbed, through the SDK's batch log
//!   processor ([`logs`]).
//!
//! The exporters share a dedicated 1-thread tokio runtime that carries the gRPC channels and
//! HTTP requests, so that any application, synchronous or not, can use them and export still
//! works while the application's own runtime shuts down. The queues are bounded and their
//! drops counted ([`queue`]); shutdown flushes each signal within a bounded time.

mod client;
mod logs;
mod metrics;
mod queue;
pub(crate) mod spans;

use std::sync::Arc;
use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry::KeyValue;
use opentelemetry_otlp::{LogExporter, SpanExporter, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::logs::{BatchLogProcessor, SdkLoggerProvider};
use opentelemetry_sdk::trace::{
    BatchSpanProcessor, Sampler as SdkSampler, SdkTracerProvider, SimpleSpanProcessor,
    SpanProcessor,
};
use opentelemetry_sdk::Resource;
use tracing::Subscriber;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

use super::config::{Config, Protocol, Sampler};
use super::Error;
use client::{OnRuntime, Sender};
use queue::{Admit, Counted, Pending};

/// How long one export may take, and how long shutdown waits for the last spans.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(5);

pub(super) struct Otlp {
    traces: SdkTracerProvider,
    logs: SdkLoggerProvider,
    metrics: metrics::MetricsPush,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Otlp {
    /// Flushes what is pending (bounded in time) and stops the exporters.
    /// The three signals flush side by side, so a slow collector costs one export timeout.
    pub(super) fn shutdown(mut self) {
        let (traces, logs, metrics) = (&self.traces, &self.logs, self.metrics);
        std::thread::scope(|scope| {
            scope.spawn(move || metrics.stop());
            scope.spawn(move || logs.shutdown_with_timeout(EXPORT_TIMEOUT));
            let _ = traces.shutdown_with_timeout(EXPORT_TIMEOUT);
        });
        // The providers have flushed; the runtime only carried the connections. Not waiting
        // for it keeps this safe inside the application's own async context.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// The layer that turns spans into OpenTelemetry spans for the exporter.
pub(super) type TraceLayer<S> = Box<dyn Layer<S> + Send + Sync>;

/// The exporters and the layers that feed them, when an endpoint is configured.
pub(super) fn start<S>(config: &Config) -> Result<Option<(Otlp, TraceLayer<S>)>, Error>
where
    S: Subscriber + for<'a> LookupSpan<'a> + Send + Sync,
{
    let Some(endpoint) = config
        .otlp_endpoint
        .as_deref()
        .filter(|_| !config.sdk_disabled)
    else {
        return Ok(None);
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("observe-otlp")
        .enable_all()
        .build()
        .map_err(|e| Error::InvalidConfig {
            what: "OTLP exporter",
            reason: e.to_string(),
        })?;
    let invalid = |e: String| Error::InvalidVariable {
        name: "OTEL_EXPORTER_OTLP_ENDPOINT",
        value: endpoint.to_owned(),
        reason: e,
    };
    let base = endpoint.trim_end_matches('/');
    let http = OnRuntime::new(runtime.handle().clone());
    let (spans, logs, sender) = {
        let _entered = runtime.enter();
        let (spans, logs) = match config.otlp_protocol {
            Protocol::Grpc => (
                SpanExporter::builder()
                    .with_tonic()
                    .with_endpoint(endpoint)
                    .with_timeout(EXPORT_TIMEOUT)
                    .build(),
                LogExporter::builder()
                    .with_tonic()
                    .with_endpoint(endpoint)
                    .with_timeout(EXPORT_TIMEOUT)
                    .build(),
            ),
            Protocol::HttpProtobuf => (
                SpanExporter::builder()
                    .with_http()
                    .with_http_client(http.clone())
                    .with_endpoint(format!("{base}/v1/traces"))
                    .with_timeout(EXPORT_TIMEOUT)
                    .build(),
                LogExporter::builder()
                    .with_http()
                    .with_http_client(http)
                    .with_endpoint(format!("{base}/v1/logs"))
                    .with_timeout(EXPORT_TIMEOUT)
                    .build(),
            ),
        };
        let sender = Sender::new(endpoint, config.otlp_protocol, runtime.handle());
        (
            spans.map_err(|e| invalid(e.to_string()))?,
            logs.map_err(|e| invalid(e.to_string()))?,
            sender.map_err(invalid)?,
        )
    };
    let pairs = config.resource();
    let resource = Resource::builder_empty()
        .with_service_name(config.service_name.clone())
        .with_attributes(
            pairs
                .iter()
                .filter(|(k, _)| k != "service.name")
                .map(|(k, v)| KeyValue::new(k.clone(), v.clone())),
        )
        .build();
    let (traces, processor) = shared_provider(
        batch_spans(spans, config.span_queue_size),
        resource.clone(),
        sampler(config.sampler),
    );
    let logger_provider = SdkLoggerProvider::builder()
        .with_log_processor(batch_logs(logs, config.log_queue_size))
        .with_resource(resource)
        .build();
    let mut metric_resource = vec![("service.name".to_owned(), config.service_name.clone())];
    metric_resource.extend(pairs.into_iter().filter(|(k, _)| k != "service.name"));
    let metrics = metrics::MetricsPush::start(
        runtime.handle(),
        sender,
        metrics::resource(&metric_resource),
        config.metrics_interval,
    );
    let logger = opentelemetry::logs::LoggerProvider::logger(&logger_provider, "observe");
    let layer = spans::SpanLayer::with_processor(processor, config.sampler)
        .and_then(logs::LogLayer {
            logger,
            exceptions: config.log_lines.exceptions(),
        })
        .boxed();
    Ok(Some((
        Otlp {
            traces,
            logs: logger_provider,
            metrics,
            runtime: Some(runtime),
        },
        layer,
    )))
}

/// The SDK's batch span processor, bounded at `queue` spans with every drop counted.
fn batch_spans<E>(exporter: E, queue: usize) -> Admit<BatchSpanProcessor>
where
    E: opentelemetry_sdk::trace::SpanExporter + 'static,
{
    let pending = Pending::new("traces", queue);
    let config = opentelemetry_sdk::trace::BatchConfigBuilder::default()
        .with_max_queue_size(queue)
        .build();
    let exporter = Counted {
        inner: exporter,
        pending: pending.clone(),
    };
    Admit {
        inner: BatchSpanProcessor::builder(exporter)
            .with_batch_config(config)
            .build(),
        pending,
    }
}

/// The SDK's batch log processor, bounded at `queue` records with every drop counted.
fn batch_logs<E>(exporter: E, queue: usize) -> Admit<BatchLogProcessor>
where
    E: opentelemetry_sdk::logs::LogExporter + 'static,
{
    let pending = Pending::new("logs", queue);
    let config = opentelemetry_sdk::logs::BatchConfigBuilder::default()
        .with_max_queue_size(queue)
        .build();
    let exporter = Counted {
        inner: exporter,
        pending: pending.clone(),
    };
    Admit {
        inner: BatchLogProcessor::builder(exporter)
            .with_batch_config(config)
            .build(),
        pending,
    }
}

/// observe's span layer over a provider the application built: spans start through its tracer
/// (its processors, sampler and ids).
pub(super) fn otel_layer<S>(provider: &SdkTracerProvider) -> impl Layer<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    spans::SpanLayer::with_tracer(provider.tracer("observe"))
}

/// A provider owning `processor` (for flush and shutdown) and the same processor to hand
/// spans to directly. The resource is given to the processor here: the provider cannot reach
/// it behind the shared handle.
fn shared_provider<P: SpanProcessor + 'static>(
    mut processor: P,
    resource: Resource,
    sampler: SdkSampler,
) -> (SdkTracerProvider, Arc<dyn SpanProcessor>) {
    processor.set_resource(&resource);
    let processor: Arc<dyn SpanProcessor> = Arc::new(processor);
    let provider = SdkTracerProvider::builder()
        .with_span_processor(Shared(processor.clone()))
        .with_resource(resource)
        .with_sampler(sampler)
        .build();
    (provider, processor)
}

/// A processor held by the provider and by observe's span layer.
#[derive(Debug)]
struct Shared(Arc<dyn SpanProcessor>);

impl SpanProcessor for Shared {
    fn on_start(&self, span: &mut opentelemetry_sdk::trace::Span, cx: &opentelemetry::Context) {
        self.0.on_start(span, cx);
    }
    fn on_end(&self, span: opentelemetry_sdk::trace::SpanData) {
        self.0.on_end(span);
    }
    fn force_flush(&self) -> opentelemetry_sdk::error::OTelSdkResult {
        self.0.force_flush()
    }
    fn shutdown_with_timeout(&self, timeout: Duration) -> opentelemetry_sdk::error::OTelSdkResult {
        self.0.shutdown_with_timeout(timeout)
    }
}

/// A provider exporting through `exporter` (simple, synchronous export) and observe's span
/// layer feeding it.
pub(super) fn layer_for<S, E>(exporter: E, service_name: &str) -> (SdkTracerProvider, impl Layer<S>)
where
    S: Subscriber + for<'a> LookupSpan<'a> + Send + Sync,
    E: opentelemetry_sdk::trace::SpanExporter + 'static,
{
    processor_layer(
        SimpleSpanProcessor::new(Counted {
            inner: exporter,
            pending: Pending::new("traces", usize::MAX),
        }),
        Resource::builder_empty()
            .with_service_name(service_name.to_owned())
            .build(),
        Sampler::ParentBasedAlwaysOn,
    )
}

/// A provider owning `processor` and observe's span layer handing it each span's data.
pub(super) fn processor_layer<S, P>(
    processor: P,
    resource: Resource,
    sampler_choice: Sampler,
) -> (SdkTracerProvider, impl Layer<S>)
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    P: SpanProcessor + 'static,
{
    let (provider, processor) = shared_provider(processor, resource, sampler(sampler_choice));
    (
        provider,
        spans::SpanLayer::with_processor(processor, sampler_choice),
    )
}

fn sampler(sampler: Sampler) -> SdkSampler {
    match sampler {
        Sampler::AlwaysOn => SdkSampler::AlwaysOn,
        Sampler::AlwaysOff => SdkSampler::AlwaysOff,
        Sampler::TraceIdRatio(ratio) => SdkSampler::TraceIdRatioBased(ratio),
        Sampler::ParentBasedAlwaysOn => SdkSampler::ParentBased(Box::new(SdkSampler::AlwaysOn)),
        Sampler::ParentBasedAlwaysOff => SdkSampler::ParentBased(Box::new(SdkSampler::AlwaysOff)),
        Sampler::ParentBasedTraceIdRatio(ratio) => {
            SdkSampler::ParentBased(Box::new(SdkSampler::TraceIdRatioBased(ratio)))
        }
    }
}
