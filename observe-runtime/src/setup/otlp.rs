//! Trace export over OTLP (grpc or http/protobuf) through tracing-opentelemetry and the
//! OpenTelemetry SDK: batch export on the SDK's own thread, a dedicated small tokio runtime for
//! the gRPC channel (so that any application, synchronous or not, can use it, and export still
//! works while the application's own runtime shuts down), and a bounded flush on shutdown.

use std::time::Duration;

use bytes::Bytes;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry::KeyValue;
use opentelemetry_http::hyper::HyperClient;
use opentelemetry_http::{HttpClient, HttpError};
use opentelemetry_otlp::{SpanExporter, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::trace::{Sampler as SdkSampler, SdkTracerProvider};
use opentelemetry_sdk::Resource;
use tracing::Subscriber;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

use super::config::{Config, Protocol, Sampler};
use super::Error;

/// How long one export may take, and how long shutdown waits for the last spans.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(5);

pub(super) struct Otlp {
    provider: SdkTracerProvider,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Otlp {
    /// Flushes what is pending (bounded in time) and stops the exporter.
    pub(super) fn shutdown(mut self) {
        let _ = self.provider.shutdown_with_timeout(EXPORT_TIMEOUT);
        // The provider has flushed; the runtime only carried the gRPC channel. Not waiting
        // for it keeps this safe inside the application's own async context.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// The layer that turns spans into OpenTelemetry spans for the exporter.
pub(super) type TraceLayer<S> = Box<dyn Layer<S> + Send + Sync>;

/// The exporter and the layer that feeds it, when an endpoint is configured.
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
    let exporter = {
        let _entered = runtime.enter();
        let built = match config.otlp_protocol {
            Protocol::Grpc => SpanExporter::builder()
                .with_tonic()
                .with_endpoint(endpoint)
                .with_timeout(EXPORT_TIMEOUT)
                .build(),
            Protocol::HttpProtobuf => SpanExporter::builder()
                .with_http()
                .with_http_client(OnRuntime {
                    runtime: runtime.handle().clone(),
                    client: HyperClient::with_default_connector(EXPORT_TIMEOUT, None),
                })
                .with_endpoint(format!("{}/v1/traces", endpoint.trim_end_matches('/')))
                .with_timeout(EXPORT_TIMEOUT)
                .build(),
        };
        built.map_err(|e| Error::InvalidVariable {
            name: "OTEL_EXPORTER_OTLP_ENDPOINT",
            value: endpoint.to_owned(),
            reason: e.to_string(),
        })?
    };
    let attributes: Vec<KeyValue> = config
        .resource()
        .into_iter()
        .filter(|(k, _)| k != "service.name")
        .map(|(k, v)| KeyValue::new(k, v))
        .collect();
    let resource = Resource::builder_empty()
        .with_service_name(config.service_name.clone())
        .with_attributes(attributes)
        .build();
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(Counting(exporter))
        .with_resource(resource)
        .with_sampler(sampler(config.sampler))
        .build();
    let layer = otel_layer(&provider).boxed();
    Ok(Some((
        Otlp {
            provider,
            runtime: Some(runtime),
        },
        layer,
    )))
}

/// The tracing-opentelemetry layer for `provider`. observe records `code.*` itself; thread ids
/// and busy/idle times are noise (and cost) here.
fn otel_layer<S>(provider: &SdkTracerProvider) -> impl Layer<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("observe"))
        .with_location(false)
        .with_threads(false)
        .with_tracked_inactivity(false)
}

/// A provider exporting through `exporter` (simple, synchronous export) and its layer.
pub(super) fn layer_for<S, E>(exporter: E, service_name: &str) -> (SdkTracerProvider, impl Layer<S>)
where
    S: Subscriber + for<'a> LookupSpan<'a> + Send + Sync,
    E: opentelemetry_sdk::trace::SpanExporter + 'static,
{
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(Counting(exporter))
        .with_resource(
            Resource::builder_empty()
                .with_service_name(service_name.to_owned())
                .build(),
        )
        .build();
    let layer = otel_layer(&provider);
    (provider, layer)
}

/// An HTTP client whose requests run on the exporter's runtime. The SDK's batch thread polls
/// exports with a plain executor; hyper needs tokio's timer and reactor, which the spawned
/// task has, and a join handle can be awaited from any executor.
#[derive(Debug)]
struct OnRuntime {
    runtime: tokio::runtime::Handle,
    client: HyperClient,
}

#[async_trait::async_trait]
impl HttpClient for OnRuntime {
    async fn send_bytes(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, HttpError> {
        let client = self.client.clone();
        match self
            .runtime
            .spawn(async move { client.send_bytes(request).await })
            .await
        {
            Ok(response) => response,
            Err(join) => Err(Box::new(join)),
        }
    }
}

/// An exporter that counts the spans it could not deliver in
/// `observe_telemetry_dropped_total{signal="traces",reason="export_failed"}`. (Spans dropped
/// because the SDK's bounded queue was full are reported by the SDK's own warning log.)
#[derive(Debug)]
struct Counting<E>(E);

impl<E: opentelemetry_sdk::trace::SpanExporter> opentelemetry_sdk::trace::SpanExporter
    for Counting<E>
{
    fn export(
        &self,
        batch: Vec<opentelemetry_sdk::trace::SpanData>,
    ) -> impl std::future::Future<Output = opentelemetry_sdk::error::OTelSdkResult> + Send {
        let spans = batch.len() as u64;
        let export = self.0.export(batch);
        async move {
            let result = export.await;
            if result.is_err() {
                crate::metrics::telemetry_dropped("traces", "export_failed", spans);
            }
            result
        }
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> opentelemetry_sdk::error::OTelSdkResult {
        self.0.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> opentelemetry_sdk::error::OTelSdkResult {
        self.0.force_flush()
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.0.set_resource(resource);
    }
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

/// The current trace and span ids, as OTLP exports them (32 and 16 hex digits).
pub fn current_ids() -> Option<(String, String)> {
    use opentelemetry::trace::TraceContextExt;
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    let span = tracing::Span::current();
    if span.is_disabled() {
        return None;
    }
    let context = span.context();
    let span_context = context.span().span_context().clone();
    span_context.is_valid().then(|| {
        (
            span_context.trace_id().to_string(),
            span_context.span_id().to_string(),
        )
    })
}
