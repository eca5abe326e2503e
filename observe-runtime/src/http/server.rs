//! [`ServerLayer`]: the server side of the HTTP edge (see the module documentation).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{HeaderValue, Request, Response};
use tracing::Span;

use super::span;
#[cfg(feature = "otlp")]
use super::TRACEPARENT;
use super::{method, metrics, request_id, REQUEST_ID_HEADER, X_FORWARDED_PROTO};
use crate::redact::scrub::scrub;

type RouteFn = dyn Fn(&http::request::Parts) -> Option<String> + Send + Sync;

/// A `tower::Layer` instrumenting every request of the service it wraps.
#[derive(Clone)]
pub struct ServerLayer {
    config: Arc<Config>,
}

#[derive(Clone)]
struct Config {
    excluded: Vec<String>,
    route: Option<Arc<RouteFn>>,
}

impl Default for ServerLayer {
    fn default() -> ServerLayer {
        ServerLayer::new()
    }
}

impl fmt::Debug for ServerLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerLayer")
            .field("excluded", &self.config.excluded)
            .finish_non_exhaustive()
    }
}

impl ServerLayer {
    /// The layer, with `/metrics`, `/health/live` and `/health/ready` excluded.
    pub fn new() -> ServerLayer {
        crate::catalog::uses_http(true);
        ServerLayer {
            config: Arc::new(Config {
                excluded: ["/metrics", "/health/live", "/health/ready"]
                    .map(String::from)
                    .to_vec(),
                route: None,
            }),
        }
    }

    /// The paths passed through without a span or metrics (replacing the defaults).
    #[must_use]
    pub fn exclude<I, P>(mut self, paths: I) -> ServerLayer
    where
        I: IntoIterator<Item = P>,
        P: Into<String>,
    {
        self.config_mut().excluded = paths.into_iter().map(Into::into).collect();
        self
    }

    /// How a request's route (`http.route`, a template such as `/orders/{id}`) is found, for
    /// a router other than axum's; `None` for a request that matched no route.
    #[must_use]
    pub fn route(
        mut self,
        route: impl Fn(&http::request::Parts) -> Option<String> + Send + Sync + 'static,
    ) -> ServerLayer {
        self.config_mut().route = Some(Arc::new(route));
        self
    }

    fn config_mut(&mut self) -> &mut Config {
        Arc::make_mut(&mut self.config)
    }
}

impl<S> tower_layer::Layer<S> for ServerLayer {
    type Service = Server<S>;

    fn layer(&self, inner: S) -> Server<S> {
        Server {
            inner,
            config: Arc::clone(&self.config),
        }
    }
}

/// The service [`ServerLayer`] makes.
#[derive(Clone)]
pub struct Server<S> {
    inner: S,
    config: Arc<Config>,
}

impl<S: fmt::Debug> fmt::Debug for Server<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<S, B, RB> tower_service::Service<Request<B>> for Server<S>
where
    S: tower_service::Service<Request<B>, Response = Response<RB>>,
    S::Error: fmt::Display,
{
    type Response = Response<RB>;
    type Error = S::Error;
    type Future = ServerFuture<S::Future, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let path = request.uri().path();
        if self.config.excluded.iter().any(|p| p == path) {
            return ServerFuture {
                inner: self.inner.call(request),
                record: None,
                _error: std::marker::PhantomData,
            };
        }
        let mut request = request;
        let route = match &self.config.route {
            Some(route) => {
                let (parts, body) = request.into_parts();
                let found = route(&parts).map(Route::Owned);
                request = Request::from_parts(parts, body);
                found
            }
            None => matched_path(request.extensions()),
        };
        let record = Record::start(&request, route);
        let inner = {
            let _entered = record.span.enter();
            self.inner.call(request)
        };
        ServerFuture {
            inner,
            record: Some(record),
            _error: std::marker::PhantomData,
        }
    }
}

/// What one request records, from its start to its response.
struct Record {
    span: Span,
    start: quanta::Instant,
    method: &'static str,
    route: Route,
    scheme: &'static str,
    /// Given to the response (taken then).
    request_id: Option<HeaderValue>,
    done: bool,
}

impl Record {
    fn start<B>(parts: &Request<B>, route: Option<Route>) -> Record {
        let method = method(parts.method());
        let scheme = scheme(parts);
        let request_id = request_id(parts.headers());
        let span = span::server(
            parts,
            method,
            scheme,
            route.as_ref().map(Route::as_str),
            &request_id,
        );
        #[cfg(feature = "otlp")]
        if !span.is_disabled() && parts.headers().contains_key(&TRACEPARENT) {
            // A malformed `traceparent` is no context: the request starts a new trace.
            let remote = crate::setup::propagation::extract_headers(parts.headers());
            if remote.is_valid() {
                remote.set_parent_of(&span);
            }
        }
        if let Some(active) = metrics::server().active_child(method, scheme) {
            active.inc();
        }
        Record {
            span,
            start: quanta::Instant::now(),
            method,
            route: route.unwrap_or(Route::None),
            scheme,
            request_id: Some(request_id),
            done: false,
        }
    }

    /// The request ended: with a response's status, or with no response (`status` 0) and the
    /// failure's type.
    fn finish(&mut self, status: u16, error_type: &str) {
        self.done = true;
        let metrics = metrics::server();
        if let Some(active) = metrics.active_child(self.method, self.scheme) {
            active.dec();
        }
        metrics.observe_duration(
            metrics::DurationLabels {
                method: self.method,
                route: self.route.as_str(),
                status,
                scheme: self.scheme,
                error_type,
            },
            self.start.elapsed().as_secs_f64(),
        );
    }
}

impl Drop for Record {
    /// Dropped before its response: the client went away (or the server shut down).
    fn drop(&mut self) {
        if !self.done {
            self.span.record("cancelled", true);
            self.finish(0, "cancelled");
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`Server`].
    pub struct ServerFuture<F, E> {
        #[pin]
        inner: F,
        record: Option<Record>,
        _error: std::marker::PhantomData<fn() -> E>,
    }
}

impl<F, RB, E> Future for ServerFuture<F, E>
where
    F: Future<Output = Result<Response<RB>, E>>,
    E: fmt::Display,
{
    type Output = Result<Response<RB>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Some(record) = this.record.as_mut() else {
            return this.inner.poll(cx);
        };
        let polled = {
            let _entered = record.span.enter();
            this.inner.poll(cx)
        };
        let Poll::Ready(result) = polled else {
            return Poll::Pending;
        };
        let result = match result {
            Ok(mut response) => {
                let status = response.status();
                record
                    .span
                    .record("http.response.status_code", i64::from(status.as_u16()));
                let error_type = if status.is_server_error() {
                    record.span.record("otel.status_code", "ERROR");
                    record.span.record("error.type", status.as_str());
                    status.as_str()
                } else {
                    ""
                };
                if let Some(request_id) = record.request_id.take() {
                    response.headers_mut().insert(REQUEST_ID_HEADER, request_id);
                }
                record.finish(status.as_u16(), error_type);
                Ok(response)
            }
            Err(error) => {
                let error_type = super::error_type::<E>();
                record.span.record("otel.status_code", "ERROR");
                record.span.record(
                    "otel.status_description",
                    scrub(&error.to_string()).as_ref(),
                );
                record.span.record("error.type", error_type);
                record.finish(0, error_type);
                Err(error)
            }
        };
        *this.record = None;
        Poll::Ready(result)
    }
}

/// `url.scheme`: the URI's, else `X-Forwarded-Proto`'s (`http` or `https`), else `http`.
fn scheme<B>(parts: &Request<B>) -> &'static str {
    let forwarded = parts
        .headers()
        .get(&X_FORWARDED_PROTO)
        .and_then(|v| v.to_str().ok());
    match parts.uri().scheme_str().or(forwarded) {
        Some(s) if s.eq_ignore_ascii_case("https") => "https",
        _ => "http",
    }
}

/// A request's route: axum's `MatchedPath` (a reference count, not a copy) or the route
/// function's answer.
enum Route {
    None,
    Owned(String),
    #[cfg(feature = "axum")]
    Matched(axum::extract::MatchedPath),
}

impl Route {
    fn as_str(&self) -> &str {
        match self {
            Route::None => "",
            Route::Owned(route) => route,
            #[cfg(feature = "axum")]
            Route::Matched(path) => path.as_str(),
        }
    }
}

/// axum's `MatchedPath`, with the `axum` feature.
fn matched_path(extensions: &http::Extensions) -> Option<Route> {
    #[cfg(feature = "axum")]
    if let Some(path) = extensions.get::<axum::extract::MatchedPath>() {
        return Some(Route::Matched(path.clone()));
    }
    let _ = extensions;
    None
}
