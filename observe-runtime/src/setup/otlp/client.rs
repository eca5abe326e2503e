//! Transport for the exporters: the HTTP client the SDK's exporters use, and the sender of the
//! metrics bridge (gRPC through `tonic`, or protobuf over HTTP through `hyper`).

use bytes::Bytes;
use opentelemetry_http::hyper::HyperClient;
use opentelemetry_http::{HttpClient, HttpError};
use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_client::MetricsServiceClient;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use prost::Message as _;

use super::EXPORT_TIMEOUT;

/// An HTTP client whose requests run on the exporter's runtime. The SDK's batch threads poll
/// exports with a plain executor; hyper needs tokio's timer and reactor, which the spawned
/// task has, and a join handle can be awaited from any executor.
#[derive(Debug, Clone)]
pub(super) struct OnRuntime {
    runtime: tokio::runtime::Handle,
    client: HyperClient,
}

impl OnRuntime {
    pub(super) fn new(runtime: tokio::runtime::Handle) -> OnRuntime {
        OnRuntime {
            runtime,
            client: HyperClient::with_default_connector(EXPORT_TIMEOUT, None),
        }
    }
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

/// Where the metrics bridge sends its requests.
pub(super) enum Sender {
    Grpc(MetricsServiceClient<tonic::transport::Channel>),
    Http { client: Box<OnRuntime>, url: String },
}

impl Sender {
    /// A sender for `endpoint`; for gRPC, call it inside the exporter's runtime (the channel
    /// connects lazily, on that runtime).
    pub(super) fn new(
        endpoint: &str,
        protocol: super::Protocol,
        runtime: &tokio::runtime::Handle,
    ) -> Result<Sender, String> {
        match protocol {
            super::Protocol::Grpc => {
                let channel = tonic::transport::Channel::from_shared(endpoint.to_owned())
                    .map_err(|e| e.to_string())?
                    .connect_timeout(EXPORT_TIMEOUT)
                    .timeout(EXPORT_TIMEOUT)
                    .connect_lazy();
                Ok(Sender::Grpc(MetricsServiceClient::new(channel)))
            }
            super::Protocol::HttpProtobuf => Ok(Sender::Http {
                client: Box::new(OnRuntime::new(runtime.clone())),
                url: format!("{}/v1/metrics", endpoint.trim_end_matches('/')),
            }),
        }
    }

    /// Sends one request; any failure (transport, status) is an error.
    pub(super) async fn metrics(&self, request: ExportMetricsServiceRequest) -> Result<(), String> {
        match self {
            Sender::Grpc(client) => client
                .clone()
                .export(request)
                .await
                .map(drop)
                .map_err(|status| status.to_string()),
            Sender::Http { client, url } => {
                let request = http::Request::post(url)
                    .header(http::header::CONTENT_TYPE, "application/x-protobuf")
                    .body(Bytes::from(request.encode_to_vec()))
                    .map_err(|e| e.to_string())?;
                let response = client
                    .send_bytes(request)
                    .await
                    .map_err(|e| e.to_string())?;
                if response.status().is_success() {
                    Ok(())
                } else {
                    Err(format!("HTTP {}", response.status()))
                }
            }
        }
    }
}
