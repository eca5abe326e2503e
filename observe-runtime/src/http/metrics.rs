//! The HTTP metrics, registered once in observe's registry. A name the application already
//! registered otherwise is reported once (ERROR, target `observe`) and not recorded.

use std::sync::OnceLock;

use prometheus::{HistogramOpts, HistogramVec, IntGaugeVec, Opts};

/// OpenTelemetry's buckets for HTTP durations, in seconds.
pub(super) const BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

pub(super) struct ServerMetrics {
    pub(super) duration: Option<HistogramVec>,
    active: Option<IntGaugeVec>,
    /// `http_server_active_requests` children of GET, POST… (and `_OTHER`) × http, https:
    /// looked up once each, not per request.
    active_children: [[OnceLock<prometheus::IntGauge>; 2]; 10],
}

impl ServerMetrics {
    pub(super) fn active_child(
        &self,
        method: &'static str,
        scheme: &'static str,
    ) -> Option<&prometheus::IntGauge> {
        let vec = self.active.as_ref()?;
        let m = METHODS
            .iter()
            .position(|m| *m == method)
            .unwrap_or(METHODS.len() - 1);
        let s = usize::from(scheme == "https");
        Some(self.active_children[m][s].get_or_init(|| vec.with_label_values(&[method, scheme])))
    }
}

/// The methods `super::method` names, `_OTHER` last.
const METHODS: [&str; 10] = [
    "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "CONNECT", "TRACE", "_OTHER",
];

pub(super) struct ClientMetrics {
    pub(super) duration: Option<HistogramVec>,
}

fn register<C: prometheus::core::Collector + Clone + 'static>(
    name: &str,
    made: prometheus::Result<C>,
) -> Option<C> {
    let collector = made.ok()?;
    match crate::metrics::registry().register(Box::new(collector.clone())) {
        Ok(()) => Some(collector),
        Err(error) => {
            tracing::error!(target: "observe", metric = name, %error, "metric conflict: `{name}` is not recorded");
            None
        }
    }
}

fn histogram(name: &str, help: &str, labels: &[&str]) -> Option<HistogramVec> {
    let opts = HistogramOpts::new(name, help).buckets(BUCKETS.to_vec());
    register(name, HistogramVec::new(opts, labels))
}

pub(super) fn server() -> &'static ServerMetrics {
    static METRICS: OnceLock<ServerMetrics> = OnceLock::new();
    METRICS.get_or_init(|| ServerMetrics {
        duration: histogram(
            "http_server_request_duration_seconds",
            "Duration of HTTP server requests.",
            &[
                "http_request_method",
                "http_route",
                "http_response_status_code",
                "url_scheme",
                "error_type",
            ],
        ),
        active: register(
            "http_server_active_requests",
            IntGaugeVec::new(
                Opts::new(
                    "http_server_active_requests",
                    "Number of active HTTP server requests.",
                ),
                &["http_request_method", "url_scheme"],
            ),
        ),
        active_children: Default::default(),
    })
}

pub(super) fn client() -> &'static ClientMetrics {
    static METRICS: OnceLock<ClientMetrics> = OnceLock::new();
    METRICS.get_or_init(|| ClientMetrics {
        duration: histogram(
            "http_client_request_duration_seconds",
            "Duration of HTTP client requests.",
            &[
                "http_request_method",
                "server_address",
                "http_response_status_code",
                "error_type",
            ],
        ),
    })
}
