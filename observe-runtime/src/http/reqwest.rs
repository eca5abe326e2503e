//! [`ReqwestMiddleware`]: the client side of the HTTP edge for `reqwest-middleware` (feature
//! `reqwest`), recording what [`ClientLayer`](super::ClientLayer) records.

use tracing::Instrument as _;

use super::client::ClientCall;

/// A `reqwest_middleware::Middleware` instrumenting every request of the client it is added
/// to: a span of kind client named `{method}`, `traceparent` injected, `url.full` scrubbed,
/// a 5xx or a transport failure as an error (`error.type` `connect`, `timeout`, `request`,
/// `body`, `decode`, `redirect` or `middleware`), and `http_client_request_duration_seconds`.
///
/// ```no_run
/// let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
///     .with(observe_runtime::http::ReqwestMiddleware::new())
///     .build();
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ReqwestMiddleware;

impl Default for ReqwestMiddleware {
    fn default() -> ReqwestMiddleware {
        ReqwestMiddleware::new()
    }
}

impl ReqwestMiddleware {
    /// The middleware.
    pub fn new() -> ReqwestMiddleware {
        crate::catalog::uses_http(false);
        ReqwestMiddleware
    }
}

#[async_trait::async_trait]
impl reqwest_middleware::Middleware for ReqwestMiddleware {
    async fn handle(
        &self,
        mut request: reqwest::Request,
        extensions: &mut http::Extensions,
        next: reqwest_middleware::Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        // A URL reqwest accepted is a valid URI but for exotic forms; those are recorded
        // without their URL.
        let uri: http::Uri = request.url().as_str().parse().unwrap_or_default();
        let method = request.method().clone();
        let call = ClientCall::start(&method, &uri, request.headers_mut());
        let result = next
            .run(request, extensions)
            .instrument(call.span.clone())
            .await;
        call.finish(match &result {
            Ok(response) => Ok(response.status()),
            Err(error) => Err((kind(error), error.to_string())),
        });
        result
    }
}

/// `error.type` of a failed request.
fn kind(error: &reqwest_middleware::Error) -> &'static str {
    match error {
        reqwest_middleware::Error::Middleware(_) => "middleware",
        reqwest_middleware::Error::Reqwest(e) if e.is_connect() => "connect",
        reqwest_middleware::Error::Reqwest(e) if e.is_timeout() => "timeout",
        reqwest_middleware::Error::Reqwest(e) if e.is_redirect() => "redirect",
        reqwest_middleware::Error::Reqwest(e) if e.is_body() => "body",
        reqwest_middleware::Error::Reqwest(e) if e.is_decode() => "decode",
        reqwest_middleware::Error::Reqwest(_) => "request",
    }
}
