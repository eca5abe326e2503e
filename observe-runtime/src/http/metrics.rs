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

/// A request's labels on `http_server_request_duration_seconds`.
#[derive(Clone, Copy, PartialEq)]
pub(super) struct DurationLabels<'a> {
    pub(super) method: &'static str,
    pub(super) route: &'a str,
    pub(super) status: u16,
    pub(super) scheme: &'static str,
    pub(super) error_type: &'a str,
}

impl ServerMetrics {
    /// Records one request's duration. The series is found in a small table per thread
    /// (the labels compared, their texts interned), so a request hashes no label and takes
    /// no lock; the vector's own lookup runs only on a miss.
    pub(super) fn observe_duration(&self, labels: DurationLabels<'_>, seconds: f64) {
        const SLOTS: usize = 16;
        type Slot = Option<(DurationLabels<'static>, prometheus::Histogram)>;
        thread_local! {
            static SERIES: std::cell::RefCell<[Slot; SLOTS]> =
                const { std::cell::RefCell::new([const { None }; SLOTS]) };
        }
        let Some(duration) = &self.duration else {
            return;
        };
        let slot =
            (labels.route.len() * 31 + usize::from(labels.status) + labels.method.len()) % SLOTS;
        let found = SERIES.try_with(|series| {
            let mut series = series.try_borrow_mut().ok()?;
            if let Some((at, histogram)) = &series[slot] {
                if *at == labels {
                    histogram.observe(seconds);
                    return Some(());
                }
            }
            let kept = DurationLabels {
                route: crate::intern::intern(labels.route)?,
                error_type: crate::intern::intern(labels.error_type)?,
                ..labels
            };
            let histogram = kept.series(duration);
            histogram.observe(seconds);
            series[slot] = Some((kept, histogram));
            Some(())
        });
        if found.ok().flatten().is_none() {
            labels.series(duration).observe(seconds);
        }
    }

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
impl DurationLabels<'_> {
    /// The series of these labels (the vector's own lookup: hashed, under its lock).
    fn series(&self, duration: &HistogramVec) -> prometheus::Histogram {
        let status = http::StatusCode::from_u16(self.status)
            .ok()
            .filter(|_| self.status != 0);
        duration.with_label_values(&[
            self.method,
            self.route,
            status.as_ref().map_or("", http::StatusCode::as_str),
            self.scheme,
            self.error_type,
        ])
    }
}

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
