//! `observe::http` from the outside: an axum router (and plain `tower` services) behind the
//! layers, driven in process with `oneshot`, what they record read back with
//! `observe::testing` and the real registry.

use std::convert::Infallible;
use std::future::Future;
use std::task::{Context, Poll};

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use http::{HeaderValue, Request, Response};
use tower::ServiceExt;

fn router() -> Router {
    Router::new()
        .route("/orders/{id}", get(|| async { "order" }))
        .route("/broken", get(|| async { StatusCode::BAD_GATEWAY }))
        .route("/metrics", get(|| async { "metrics" }))
        .route("/pending", get(std::future::pending::<&'static str>))
        .layer(observe::http::ServerLayer::new())
}

fn get_request(uri: &str) -> http::request::Builder {
    Request::get(uri)
}

async fn send(request: Request<axum::body::Body>) -> Response<axum::body::Body> {
    router().oneshot(request).await.unwrap()
}

fn metrics_line(prefix: &str, contains: &[&str]) -> Option<String> {
    observe::metrics::render()
        .lines()
        .find(|l| l.starts_with(prefix) && contains.iter().all(|c| l.contains(c)))
        .map(str::to_owned)
}

#[tokio::test]
async fn a_request_is_one_server_span_with_its_attributes() {
    let (response, captured) = observe::testing::capture_async(send(
        get_request("http://shop.example/orders/42?token=tok_query_1&view=full")
            .header("x-request-id", "req-1")
            .header("user-agent", "curl/8")
            .header("authorization", "Bearer tok_header_1")
            .header("x-forwarded-for", "203.0.113.9, 10.0.0.1")
            .body(axum::body::Body::empty())
            .unwrap(),
    ))
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["x-request-id"],
        "req-1",
        "the request id is returned"
    );
    let span = captured.span("http_request");
    for (key, value) in [
        ("otel.name", "GET /orders/{id}"),
        ("otel.kind", "server"),
        ("http.request.method", "GET"),
        ("http.route", "/orders/{id}"),
        ("url.path", "/orders/42"),
        ("url.query", "token=[REDACTED]&view=full"),
        ("url.scheme", "http"),
        ("http.response.status_code", "200"),
        ("network.protocol.version", "1.1"),
        ("server.address", "shop.example"),
        ("client.address", "203.0.113.9"),
        ("user_agent.original", "curl/8"),
        ("request_id", "req-1"),
    ] {
        assert_eq!(span.field(key), Some(value), "{key}: {span:?}");
    }
    assert!(!span.is_error());
    captured.assert_no_secret("tok_");
    assert!(metrics_line(
        "http_server_request_duration_seconds_count",
        &[
            r#"http_route="/orders/{id}""#,
            r#"http_response_status_code="200""#,
            r#"error_type="""#
        ]
    )
    .is_some());
}

#[tokio::test]
async fn a_5xx_is_an_error_a_404_is_not_and_no_route_is_the_method_alone() {
    let (response, captured) = observe::testing::capture_async(send(
        get_request("/broken")
            .body(axum::body::Body::empty())
            .unwrap(),
    ))
    .await;
    assert_eq!(response.status(), 502);
    let span = captured.span("http_request").assert_error();
    assert_eq!(span.field("error.type"), Some("502"));
    assert!(
        response.headers()["x-request-id"].len() == 32,
        "a request id is made"
    );

    let (response, captured) = observe::testing::capture_async(send(
        get_request("/no/such/path/tok_in_path")
            .body(axum::body::Body::empty())
            .unwrap(),
    ))
    .await;
    assert_eq!(response.status(), 404);
    let span = captured.span("http_request");
    assert!(!span.is_error(), "a 4xx is the client's");
    assert_eq!(
        span.field("otel.name"),
        Some("GET"),
        "no raw path in the span name"
    );
    assert_eq!(span.field("http.route"), None);
    assert!(metrics_line(
        "http_server_request_duration_seconds_count",
        &[r#"http_route="""#, r#"http_response_status_code="404""#]
    )
    .is_some());
    assert!(observe::metrics::render()
        .lines()
        .all(|l| !l.contains("/no/such")));
}

#[tokio::test]
async fn excluded_paths_pass_through_unobserved() {
    let (response, captured) = observe::testing::capture_async(send(
        get_request("/metrics")
            .body(axum::body::Body::empty())
            .unwrap(),
    ))
    .await;
    assert_eq!(response.status(), 200);
    assert!(captured.spans().is_empty(), "{captured:?}");
    assert!(!response.headers().contains_key("x-request-id"));
}

#[tokio::test]
async fn bad_input_is_bounded_and_never_fails_the_request() {
    let long = format!("/orders/{}", "9".repeat(5000));
    let (response, captured) = observe::testing::capture_async(send(
        get_request(&long)
            .header("traceparent", "00-not-a-trace-id-zz")
            .header(
                "user-agent",
                HeaderValue::from_bytes(b"caf\xe9 bot").unwrap(),
            )
            .header("x-request-id", "has spaces")
            .body(axum::body::Body::empty())
            .unwrap(),
    ))
    .await;
    assert_eq!(response.status(), 200);
    let span = captured.span("http_request");
    assert_eq!(
        span.field("user_agent.original"),
        None,
        "not visible ASCII: left out"
    );
    assert!(span.field("url.path").unwrap().len() <= 1024);
    assert_eq!(
        span.field("request_id").unwrap().len(),
        32,
        "an unusable id is replaced"
    );
}

#[tokio::test]
async fn an_abandoned_request_ends_its_span_as_cancelled() {
    let ((), captured) = observe::testing::capture_async(async {
        let mut call = std::pin::pin!(router().oneshot(
            get_request("/pending")
                .body(axum::body::Body::empty())
                .unwrap()
        ));
        let waker = std::task::Waker::noop();
        assert!(call
            .as_mut()
            .poll(&mut Context::from_waker(waker))
            .is_pending());
        // The client goes away: the future is dropped.
    })
    .await;
    let span = captured.span("http_request");
    assert_eq!(span.field("cancelled"), Some("true"));
    assert!(span.is_closed());
    assert!(metrics_line(
        "http_server_request_duration_seconds_count",
        &[r#"http_route="/pending""#, r#"error_type="cancelled""#]
    )
    .is_some());
}

/// A plain `tower` service that fails.
#[derive(Clone)]
struct Failing;

impl tower::Service<Request<()>> for Failing {
    type Response = Response<()>;
    type Error = std::io::Error;
    type Future = std::future::Ready<Result<Response<()>, std::io::Error>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<()>) -> Self::Future {
        std::future::ready(Err(std::io::Error::other("disk on fire, password=hunter2")))
    }
}

#[tokio::test]
async fn a_failed_handler_is_an_error_with_its_type_and_a_route_function() {
    let service = tower::ServiceBuilder::new()
        .layer(observe::http::ServerLayer::new().route(|parts| {
            parts
                .uri
                .path()
                .starts_with("/jobs/")
                .then(|| "/jobs/:id".to_owned())
        }))
        .service(Failing);
    let (result, captured) = observe::testing::capture_async(
        service.oneshot(Request::post("/jobs/7").body(()).unwrap()),
    )
    .await;
    assert!(result.is_err());
    let span = captured.span("http_request").assert_error();
    assert_eq!(span.field("otel.name"), Some("POST /jobs/:id"));
    assert_eq!(span.field("error.type"), Some("std::io::error::Error"));
    assert_eq!(span.field("http.response.status_code"), None);
    captured.assert_no_secret("hunter2");
}

#[tokio::test]
async fn a_client_request_is_a_client_span_with_a_scrubbed_url() {
    let upstream = tower::service_fn(|request: Request<()>| async move {
        let status = if request.uri().path() == "/down" {
            503
        } else {
            200
        };
        Ok::<_, Infallible>(Response::builder().status(status).body(()).unwrap())
    });
    let client = tower::ServiceBuilder::new()
        .layer(observe::http::ClientLayer::new())
        .service(upstream);
    let (response, captured) = observe::testing::capture_async(
        client.clone().oneshot(
            Request::get("http://inventory.internal:8081/items?api_key=tok_k&page=2")
                .body(())
                .unwrap(),
        ),
    )
    .await;
    assert_eq!(response.unwrap().status(), 200);
    let span = captured.span("http_client_request");
    for (key, value) in [
        ("otel.name", "GET"),
        ("otel.kind", "client"),
        ("server.address", "inventory.internal"),
        ("server.port", "8081"),
        (
            "url.full",
            "http://inventory.internal:8081/items?api_key=[REDACTED]&page=2",
        ),
        ("http.response.status_code", "200"),
    ] {
        assert_eq!(span.field(key), Some(value), "{key}: {span:?}");
    }
    captured.assert_no_secret("tok_");

    let (response, captured) = observe::testing::capture_async(
        client.oneshot(
            Request::get("http://inventory.internal/down")
                .body(())
                .unwrap(),
        ),
    )
    .await;
    assert_eq!(response.unwrap().status(), 503);
    let span = captured.span("http_client_request").assert_error();
    assert_eq!(span.field("error.type"), Some("503"));
    assert!(metrics_line(
        "http_client_request_duration_seconds_count",
        &[
            r#"server_address="inventory.internal""#,
            r#"error_type="503""#
        ]
    )
    .is_some());
}
