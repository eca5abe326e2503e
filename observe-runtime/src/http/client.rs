//! [`ClientLayer`]: the client side of the HTTP edge (see the module documentation).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{Request, Response};
use tracing::field::Empty;
use tracing::Span;

use super::{metrics, scrub_url};
use crate::redact::scrub::scrub;

/// A `tower::Layer` instrumenting every request a `tower` HTTP client sends (hyper-util's
/// client, or any `Service<http::Request<B>>`).
#[derive(Clone, Copy, Debug)]
pub struct ClientLayer;

impl Default for ClientLayer {
    fn default() -> ClientLayer {
        ClientLayer::new()
    }
}

impl ClientLayer {
    /// The layer.
    pub fn new() -> ClientLayer {
        crate::catalog::uses_http(false);
        ClientLayer
    }
}

impl<S> tower_layer::Layer<S> for ClientLayer {
    type Service = Client<S>;

    fn layer(&self, inner: S) -> Client<S> {
        Client { inner }
    }
}

/// The service [`ClientLayer`] makes.
#[derive(Clone, Debug)]
pub struct Client<S> {
    inner: S,
}

impl<S, B, RB> tower_service::Service<Request<B>> for Client<S>
where
    S: tower_service::Service<Request<B>, Response = Response<RB>>,
    S::Error: fmt::Display,
{
    type Response = Response<RB>;
    type Error = S::Error;
    type Future = ClientFuture<S::Future, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let (method, uri) = (request.method().clone(), request.uri().clone());
        let call = ClientCall::start(&method, &uri, request.headers_mut());
        let inner = {
            let _entered = call.span.enter();
            self.inner.call(request)
        };
        ClientFuture {
            inner,
            call,
            _error: std::marker::PhantomData,
        }
    }
}

/// One outgoing request: its span, and what its metric is labelled with.
pub(super) struct ClientCall {
    pub(super) span: Span,
    method: &'static str,
    host: String,
    start: quanta::Instant,
}

impl ClientCall {
    /// The span of a request to `uri`, its `traceparent` written into `headers`.
    pub(super) fn start(
        method: &http::Method,
        uri: &http::Uri,
        headers: &mut http::HeaderMap,
    ) -> ClientCall {
        let method = super::method(method);
        let host = uri.host().unwrap_or_default().to_owned();
        let port = uri.port_u16().or(match uri.scheme_str() {
            Some("https") => Some(443),
            Some("http") => Some(80),
            _ => None,
        });
        let span = tracing::info_span!(
            target: "observe::http",
            "http_client_request",
            otel.name = method,
            otel.kind = "client",
            otel.status_code = Empty,
            otel.status_description = Empty,
            http.request.method = method,
            server.address = host.as_str(),
            server.port = port.map(i64::from),
            url.full = %scrub_url(uri),
            http.response.status_code = Empty,
            error.type = Empty,
        );
        #[cfg(feature = "otlp")]
        if !span.is_disabled() {
            let _entered = span.enter();
            crate::setup::propagation::inject_headers(headers);
        }
        #[cfg(not(feature = "otlp"))]
        let _ = headers;
        ClientCall {
            span,
            method,
            host,
            start: quanta::Instant::now(),
        }
    }

    /// The request ended: with a response's status, or failed before one (its error's type
    /// and text).
    pub(super) fn finish(&self, outcome: Result<http::StatusCode, (&str, String)>) {
        let (status, error_type) = match outcome {
            Ok(status) => {
                self.span
                    .record("http.response.status_code", i64::from(status.as_u16()));
                let code = status.as_str().to_owned();
                if status.is_server_error() {
                    self.span.record("otel.status_code", "ERROR");
                    self.span.record("error.type", code.as_str());
                    (code.clone(), code)
                } else {
                    (code, String::new())
                }
            }
            Err((error_type, text)) => {
                self.span.record("otel.status_code", "ERROR");
                self.span
                    .record("otel.status_description", scrub(&text).as_ref());
                self.span.record("error.type", error_type);
                (String::new(), error_type.to_owned())
            }
        };
        if let Some(duration) = &metrics::client().duration {
            duration
                .with_label_values(&[self.method, self.host.as_str(), &status, &error_type])
                .observe(self.start.elapsed().as_secs_f64());
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`Client`].
    pub struct ClientFuture<F, E> {
        #[pin]
        inner: F,
        call: ClientCall,
        _error: std::marker::PhantomData<fn() -> E>,
    }
}

impl<F, RB, E> Future for ClientFuture<F, E>
where
    F: Future<Output = Result<Response<RB>, E>>,
    E: fmt::Display,
{
    type Output = Result<Response<RB>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let polled = {
            let _entered = this.call.span.enter();
            this.inner.poll(cx)
        };
        let Poll::Ready(result) = polled else {
            return Poll::Pending;
        };
        this.call.finish(match &result {
            Ok(response) => Ok(response.status()),
            Err(error) => Err((super::error_type::<E>(), error.to_string())),
        });
        Poll::Ready(result)
    }
}
