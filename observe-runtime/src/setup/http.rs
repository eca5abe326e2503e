//! The metrics endpoint: `/metrics` (Prometheus text exposition), `/health/live` and
//! `/health/ready` (the checks of [`crate::health`]), served by hyper on a thread of its own, so it works the same for
//! synchronous and asynchronous applications and never competes with the application's runtime.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::CONTENT_TYPE;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::sync::oneshot;

use super::Error;

/// How long a request may take before the endpoint drops its connection.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

pub(super) struct Server {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    pub(super) fn start(addr: SocketAddr) -> Result<Server, Error> {
        let bind = |source| Error::Bind { addr, source };
        let listener = std::net::TcpListener::bind(addr).map_err(bind)?;
        listener.set_nonblocking(true).map_err(bind)?;
        let local = listener.local_addr().map_err(bind)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(bind)?;
        let (shutdown, stop) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("observe-metrics".into())
            .spawn(move || {
                runtime.block_on(serve(listener, stop));
                // A readiness check still blocking (past its timeout) does not hold up the
                // shutdown.
                runtime.shutdown_background();
            })
            .map_err(bind)?;
        Ok(Server {
            addr: local,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    pub(super) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections and waits for the server thread.
    pub(super) fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(listener: std::net::TcpListener, mut stop: oneshot::Receiver<()>) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                tokio::spawn(async move {
                    let connection = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service_fn(respond));
                    let _ = tokio::time::timeout(REQUEST_TIMEOUT, connection).await;
                });
            }
        }
    }
}

async fn respond(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let (status, content_type, body) = match (request.method(), request.uri().path()) {
        (&Method::GET, "/metrics") if wants_openmetrics(&request) => (
            StatusCode::OK,
            crate::metrics::OPENMETRICS_CONTENT_TYPE,
            crate::metrics::render_openmetrics(),
        ),
        (&Method::GET, "/metrics") => (
            StatusCode::OK,
            crate::metrics::CONTENT_TYPE,
            crate::metrics::render(),
        ),
        (&Method::GET, "/health/live") => (
            StatusCode::OK,
            "text/plain; charset=utf-8",
            "ok\n".to_owned(),
        ),
        (&Method::GET, "/health/ready") => {
            let report = crate::health::report().await;
            let status = StatusCode::from_u16(report.status_code())
                .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            (status, "application/json", report.to_json())
        }
        (&Method::GET, _) => (
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "not found\n".to_owned(),
        ),
        _ => (
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain; charset=utf-8",
            "method not allowed\n".to_owned(),
        ),
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    if let Ok(value) = content_type.parse() {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    Ok(response)
}

/// Whether the scraper prefers OpenMetrics text to the classic format: its `Accept` header
/// gives `application/openmetrics-text` a quality above zero and at least that of
/// `text/plain` (Prometheus with exemplar storage asks for it first). Anything else,
/// including a header that does not parse, gets the classic format.
fn wants_openmetrics(request: &Request<Incoming>) -> bool {
    request
        .headers()
        .get_all(hyper::header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(prefers_openmetrics)
}

fn prefers_openmetrics(accept: &str) -> bool {
    let (mut openmetrics, mut plain) = (0.0_f64, 0.0_f64);
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or_default().to_ascii_lowercase();
        let quality = parts
            .filter_map(|p| p.strip_prefix("q="))
            .find_map(|q| q.parse::<f64>().ok())
            .unwrap_or(1.0);
        match media.as_str() {
            "application/openmetrics-text" => openmetrics = openmetrics.max(quality),
            "text/plain" => plain = plain.max(quality),
            _ => {}
        }
    }
    openmetrics > 0.0 && openmetrics >= plain
}

#[cfg(test)]
mod tests {
    use super::prefers_openmetrics;

    #[test]
    fn negotiation() {
        // What Prometheus sends with exemplar storage on, and without.
        assert!(prefers_openmetrics("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"));
        assert!(!prefers_openmetrics(
            "text/plain;version=0.0.4;q=1,*/*;q=0.1"
        ));
        assert!(!prefers_openmetrics("*/*"));
        assert!(!prefers_openmetrics(""));
        assert!(!prefers_openmetrics("application/openmetrics-text;q=0"));
        assert!(!prefers_openmetrics(
            "application/openmetrics-text;q=0.2, text/plain"
        ));
        assert!(!prefers_openmetrics("application/x-unknown, ;;;q=zz"));
        assert!(prefers_openmetrics("Application/OpenMetrics-Text"));
    }
}
