//! `observe::http::ReqwestMiddleware` against a real server on loopback: the client span, the
//! scrubbed URL, a 5xx and a refused connection as errors.

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;

async fn serve() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new()
        .route("/items", get(|| async { "3" }))
        .route("/down", get(|| async { StatusCode::SERVICE_UNAVAILABLE }));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

fn client() -> reqwest_middleware::ClientWithMiddleware {
    reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(observe::http::ReqwestMiddleware::new())
        .build()
}

#[tokio::test]
async fn requests_through_reqwest_middleware_are_client_spans() {
    let addr = serve().await;
    let client = client();
    let (response, captured) = observe::testing::capture_async(
        client
            .get(format!("http://{addr}/items?token=tok_secret&page=2"))
            .send(),
    )
    .await;
    assert_eq!(response.unwrap().status(), 200);
    let span = captured.span("http_client_request");
    assert_eq!(span.field("otel.kind"), Some("client"));
    assert_eq!(span.field("otel.name"), Some("GET"));
    assert_eq!(span.field("server.address"), Some("127.0.0.1"));
    assert_eq!(
        span.field("url.full"),
        Some(format!("http://{addr}/items?token=[REDACTED]&page=2").as_str())
    );
    assert_eq!(span.field("http.response.status_code"), Some("200"));
    captured.assert_no_secret("tok_");

    let (response, captured) =
        observe::testing::capture_async(client.get(format!("http://{addr}/down")).send()).await;
    assert_eq!(response.unwrap().status(), 503);
    let span = captured.span("http_client_request").assert_error();
    assert_eq!(span.field("error.type"), Some("503"));
}

#[tokio::test]
async fn a_refused_connection_is_an_error_of_type_connect() {
    // A port nothing listens on: bound, then closed.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let (result, captured) =
        observe::testing::capture_async(client().get(format!("http://{closed}/items")).send())
            .await;
    assert!(result.is_err());
    let span = captured.span("http_client_request").assert_error();
    assert_eq!(span.field("error.type"), Some("connect"));
    assert_eq!(span.field("http.response.status_code"), None);
}
