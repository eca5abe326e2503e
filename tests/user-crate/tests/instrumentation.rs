//! A user's own tests of their instrumentation, on `observe::testing`, run in parallel by
//! `cargo test` (with a multi-threaded runtime in some of them).
#![deny(warnings)]
#![warn(clippy::pedantic)]
// `Captured::counter` is an `f64` (DESIGN.md section 9); the counts compared are whole numbers,
// exact in an `f64`.
#![allow(clippy::float_cmp)]

use std::time::Duration;

use observe::testing::{capture, capture_async};
use observe::{observe, step, Redact};

#[derive(Redact, Clone)]
pub struct Order {
    pub id: u64,
    #[redact(email)]
    pub customer: String,
    #[redact]
    pub card: String,
}

#[derive(Debug, thiserror::Error)]
#[error("order {0} was refused")]
pub struct Refused(u64);

pub struct Receipt {
    pub status: u16,
    pub lines: Vec<u32>,
}

#[observe(
    counter = "shop_orders",
    errors = "shop_orders_failed",
    args(order),
    ret(fields(status = ret.status, lines = ret.lines.len())),
    slow = "5ms",
    flow
)]
async fn place(order: &Order, wait_ms: u64) -> Result<Receipt, Refused> {
    tokio::time::sleep(Duration::from_millis(wait_ms)).await;
    step!("charged");
    if order.id % 2 == 1 {
        return Err(Refused(order.id));
    }
    Ok(Receipt {
        status: 201,
        lines: vec![1, 2],
    })
}

fn order(id: u64) -> Order {
    Order {
        id,
        customer: "bob@example.com".into(),
        card: "4111 1111 1111 1111".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_orders_are_captured_apart() {
    let tasks: Vec<_> = (0..16u64)
        .map(|id| {
            tokio::spawn(async move {
                let (result, captured) = capture_async(place(&order(id), 0)).await;
                (id, result.is_ok(), captured)
            })
        })
        .collect();
    for task in tasks {
        let (id, ok, captured) = task.await.unwrap();
        assert_eq!(ok, id % 2 == 0);
        assert_eq!(captured.spans().len(), 1, "{captured:?}");
        let span = captured.span("place");
        assert_eq!(span.is_error(), !ok);
        assert!(span.field("order").unwrap().contains(&format!("id: {id}")));
        let result = if ok { "ok" } else { "error" };
        assert_eq!(
            captured.counter("shop_orders_total", &[("result", result)]),
            1.0
        );
        captured.assert_no_secret("bob@example.com");
        // The whole number: four digits alone can occur in a random hex flow id.
        captured.assert_no_secret("4111 1111 1111 1111");
    }
}

#[test]
fn return_fields_and_slow_calls() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let (_, captured) = runtime.block_on(capture_async(place(&order(2), 20)));
    let span = captured.span("place");
    assert_eq!(span.field("status"), Some("201"));
    assert_eq!(span.field("lines"), Some("2"));
    let slow = span
        .events()
        .iter()
        .find(|e| e.message() == "slow_call")
        .unwrap_or_else(|| panic!("no slow_call: {captured:?}"));
    assert_eq!(slow.level(), tracing::Level::WARN);
    assert_eq!(slow.field("last_step"), Some("charged"));
}

#[observe]
fn sync_lookup(key: &str) -> Option<usize> {
    (!key.is_empty()).then_some(key.len())
}

#[test]
fn a_sync_capture() {
    let (found, captured) = capture(|| sync_lookup("abc"));
    assert_eq!(found, Some(3));
    assert!(!captured.span("sync_lookup").is_error());
    assert!(format!("{captured:?}").starts_with("Captured {"));
}
