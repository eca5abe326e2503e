//! An axum service instrumented at its HTTP edge with one layer each side.
//!
//! `cargo run --example service --features axum -- [--addr 127.0.0.1:8080] [--serve-for S]
//! [--export-dashboards DIR]`
//!
//! `GET /orders/{id}` looks the order up and asks `GET /inventory/{sku}` of this same service
//! through the instrumented client, so one request is one trace: the server span, the
//! handler's `#[observe]` spans, the client span and the downstream server span. An id over
//! 1000 is 404; an id that is a multiple of 13 is 500 (the inventory fails). `/health/live`
//! and `/health/ready` are served on the same address and left out of the HTTP metrics;
//! `/metrics` is on `OBSERVE_METRICS_ADDR` (default `127.0.0.1:9464`).

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use observe::observe;
use tower::ServiceExt;

type HttpClient =
    observe::http::Client<hyper_util::client::legacy::Client<HttpConnector, Full<Bytes>>>;

#[derive(Clone)]
struct App {
    client: HttpClient,
    /// This service's own address, for the inventory calls.
    base: String,
}

#[derive(Debug)]
enum OrderError {
    /// The inventory answered an error or could not be reached.
    Inventory(String),
}

impl std::fmt::Display for OrderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OrderError::Inventory(why) => write!(f, "inventory unavailable: {why}"),
        }
    }
}

impl std::error::Error for OrderError {}

/// Looks an order up: `None` when there is no such order.
#[observe(counter = "orders_looked_up", histogram = "order_lookup_ms", args(id))]
async fn find_order(app: &App, id: u64) -> Result<Option<String>, OrderError> {
    if id > 1000 {
        return Ok(None);
    }
    let stock = stock_of(app, id).await?;
    tracing::info!(id, in_stock = stock, "order found");
    Ok(Some(format!("{{\"id\":{id},\"in_stock\":{stock}}}")))
}

/// Asks the inventory (this service, through the instrumented client).
#[observe(histogram = "inventory_call_ms", args(sku))]
async fn stock_of(app: &App, sku: u64) -> Result<u64, OrderError> {
    let request = http::Request::get(format!("{}/inventory/{sku}", app.base))
        .body(Full::new(Bytes::new()))
        .map_err(|e| OrderError::Inventory(e.to_string()))?;
    let response = app
        .client
        .clone()
        .oneshot(request)
        .await
        .map_err(|e| OrderError::Inventory(e.to_string()))?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| OrderError::Inventory(e.to_string()))?
        .to_bytes();
    if !status.is_success() {
        return Err(OrderError::Inventory(format!("status {status}")));
    }
    String::from_utf8_lossy(&body)
        .trim()
        .parse()
        .map_err(|_| OrderError::Inventory("not a number".into()))
}

async fn order(State(app): State<App>, Path(id): Path<u64>) -> Response {
    match find_order(&app, id).await {
        Ok(Some(order)) => ([("content-type", "application/json")], order).into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, "no such order\n").into_response(),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{error}\n")).into_response(),
    }
}

/// Counts the stock of `sku`: the store behind it fails for a multiple of 13.
#[observe(args(sku))]
fn count_stock(sku: u64) -> Result<u64, String> {
    if sku % 13 == 0 {
        return Err(format!("stock store timed out for sku {sku}"));
    }
    Ok(sku % 7 + 1)
}

async fn inventory(Path(sku): Path<u64>) -> Response {
    match count_stock(sku) {
        Ok(stock) => format!("{stock}\n").into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "inventory down\n").into_response(),
    }
}

async fn live() -> &'static str {
    "ok\n"
}

async fn ready() -> Response {
    let report = observe::health::report().await;
    let status =
        StatusCode::from_u16(report.status_code()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    (
        status,
        [("content-type", "application/json")],
        report.to_json(),
    )
        .into_response()
}

struct Args {
    addr: SocketAddr,
    serve_for: Option<Duration>,
    export_dashboards: Option<std::path::PathBuf>,
}

fn args() -> Result<Args, String> {
    let mut out = Args {
        addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
        serve_for: None,
        export_dashboards: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let value = it.next().ok_or_else(|| format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--addr" => out.addr = value.parse().map_err(|e| format!("--addr: {e}"))?,
            "--serve-for" => {
                let seconds: f64 = value.parse().map_err(|e| format!("--serve-for: {e}"))?;
                out.serve_for = Some(Duration::from_secs_f64(seconds));
            }
            "--export-dashboards" => out.export_dashboards = Some(value.into()),
            other => {
                return Err(format!(
                "unknown argument {other}; usage: service [--addr HOST:PORT] [--serve-for SECONDS] [--export-dashboards DIR]"
            ))
            }
        }
    }
    Ok(out)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args()?;
    let telemetry = observe::init!()?;
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    let addr = listener.local_addr()?;
    let client = tower::ServiceBuilder::new()
        .layer(observe::http::ClientLayer::new())
        .service(hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build_http());
    let app = App {
        client,
        base: format!("http://{addr}"),
    };
    let router = Router::new()
        .route("/orders/{id}", get(order))
        .route("/inventory/{sku}", get(inventory))
        .route("/health/live", get(live))
        .route("/health/ready", get(ready))
        .with_state(app)
        .layer(observe::http::ServerLayer::new());
    if let Some(dir) = &args.export_dashboards {
        // After the layers are made: the dashboard has its HTTP rows.
        std::fs::create_dir_all(dir)?;
        std::fs::write(
            dir.join("grafana-dashboard.json"),
            observe::dashboards::grafana(),
        )?;
        std::fs::write(
            dir.join("prometheus-rules.yml"),
            observe::dashboards::prometheus_rules(),
        )?;
        return Ok(());
    }
    tracing::info!(%addr, "serving");
    let serve_for = args.serve_for;
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        match serve_for {
            Some(duration) => tokio::time::sleep(duration).await,
            None => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    })
    .await?;
    tracing::info!("stopped");
    // Exports what is left (spans, metrics, logs) before exiting.
    drop(telemetry);
    Ok(())
}
