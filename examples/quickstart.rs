//! A small tour of `#[observe]`: spans, exception events and flow steps printed as JSON lines
//! by a `tracing` subscriber, then the Prometheus text exposition of the metrics.
//!
//! Run: `cargo run --example quickstart`

use std::fmt;

use observe::{observe, step};

#[derive(Debug)]
struct Order {
    id: u64,
    items: u32,
}

#[derive(Debug)]
enum OrderError {
    Empty(u64),
    Invalid(std::num::ParseIntError),
}

impl fmt::Display for OrderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrderError::Empty(id) => write!(f, "order {id} has no items"),
            OrderError::Invalid(e) => write!(f, "invalid order id: {e}"),
        }
    }
}

impl From<std::num::ParseIntError> for OrderError {
    fn from(e: std::num::ParseIntError) -> Self {
        OrderError::Invalid(e)
    }
}

/// Parses an order id.
#[observe(counter = "order_parses", args(raw), level = "debug")]
fn parse_id(raw: &str) -> Result<u64, OrderError> {
    Ok(raw.trim().parse()?)
}

/// Checks and prices one order.
#[observe(
    counter = "orders_processed",
    histogram = "order_duration_ms",
    errors = "orders_failed",
    in_flight = "orders_in_flight",
    args(order),
    flow
)]
async fn process(order: Order) -> Result<u64, OrderError> {
    step!("validated", items = order.items);
    let cents = price(&order).await?;
    step!("priced", cents);
    Ok(cents)
}

/// Steps in helpers belong to the caller's flow.
async fn price(order: &Order) -> Result<u64, OrderError> {
    tokio::time::sleep(std::time::Duration::from_millis(u64::from(order.items))).await;
    if order.items == 0 {
        return Err(OrderError::Empty(order.id));
    }
    step!("looked_up_prices");
    Ok(u64::from(order.items) * 250)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_max_level(tracing::Level::DEBUG)
        .with_target(false)
        .without_time()
        .init();

    for raw in ["7", "8", "x"] {
        let Ok(id) = parse_id(raw) else { continue };
        let items = if id == 8 { 0 } else { 3 };
        match process(Order { id, items }).await {
            Ok(cents) => println!("order {id}: {cents} cents"),
            Err(e) => println!("order {id}: {e}"),
        }
    }

    println!("\n{}", observe::metrics::render());
}
