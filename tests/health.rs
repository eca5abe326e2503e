//! `/health/ready` with real checks on the real endpoint: one that passes, one that fails with
//! a secret in its error, one that hangs past its timeout, one that panics and one that blocks.
//! Own binary: it installs the global subscriber.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use observe::health::{self, State};
use observe::Config;

mod support;
use support::http_get as get;

static RUNS: AtomicUsize = AtomicUsize::new(0);

fn body(response: &str) -> &str {
    response.split("\r\n\r\n").nth(1).unwrap_or_default()
}

#[test]
fn readiness_answers_with_each_check_and_never_blocks_the_endpoint() {
    let telemetry = Config::new()
        .metrics_addr(Some("127.0.0.1:0".parse().unwrap()))
        .init()
        .unwrap();
    let addr = telemetry.metrics_addr().unwrap();
    health::set_timeout(Duration::from_millis(300));
    health::set_cache(Duration::ZERO);

    // Nothing registered: ready.
    let empty = get(addr, "GET", "/health/ready");
    assert!(empty.starts_with("HTTP/1.1 200"), "{empty}");
    assert_eq!(body(&empty), r#"{"status":"ready","checks":{}}"#);

    health::readiness("database", || async {
        RUNS.fetch_add(1, Ordering::Relaxed);
        tokio::task::yield_now().await;
        Ok::<(), std::io::Error>(())
    });
    let ready = get(addr, "GET", "/health/ready");
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
    assert!(ready
        .to_ascii_lowercase()
        .contains("content-type: application/json"));
    assert_eq!(
        body(&ready),
        r#"{"status":"ready","checks":{"database":"ok"}}"#
    );

    health::readiness("cache", || async {
        Err::<(), _>("connect to redis://admin:hunter2@cache:6379 refused")
    });
    health::readiness("queue", || async {
        std::future::pending::<Result<(), String>>().await
    });
    // The default hook prints this panic, with a backtrace under RUST_BACKTRACE; resolving
    // its symbols can outlast the timeout on a cold machine, and the check then reads
    // `timeout`. The check's own panic is kept quiet; every other panic prints as before.
    let print = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.payload().downcast_ref::<&str>() != Some(&"check exploded") {
            print(info);
        }
    }));
    health::readiness("flaky", || -> Result<(), String> {
        panic!("check exploded")
    });
    health::readiness("disk", || -> Result<(), String> {
        std::thread::sleep(Duration::from_secs(2));
        Ok(())
    });
    let failing = get(addr, "GET", "/health/ready");
    assert!(failing.starts_with("HTTP/1.1 503"), "{failing}");
    let json: serde_json::Value = serde_json::from_str(body(&failing)).unwrap();
    assert_eq!(json["status"], "not_ready");
    assert_eq!(json["checks"]["database"], "ok");
    assert_eq!(json["checks"]["queue"], "timeout");
    assert_eq!(json["checks"]["flaky"], "panicked");
    assert_eq!(json["checks"]["disk"], "timeout");
    let cache = json["checks"]["cache"].as_str().unwrap();
    assert!(cache.starts_with("error: connect to redis://"), "{cache}");
    assert!(!cache.contains("hunter2"), "{cache}");

    // The endpoint kept serving, and serves still while the blocking check runs on.
    assert!(get(addr, "GET", "/metrics").starts_with("HTTP/1.1 200"));
    assert!(get(addr, "GET", "/health/live").starts_with("HTTP/1.1 200"));
    let again = get(addr, "GET", "/health/ready");
    let json: serde_json::Value = serde_json::from_str(body(&again)).unwrap();
    assert_eq!(
        json["checks"]["disk"], "timeout",
        "still running, not started twice"
    );

    // The report, for an application's own server.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let report = runtime.block_on(health::report());
    assert_eq!(report.status_code(), 503);
    assert_eq!(report.checks()[0], ("database".to_owned(), State::Ok));

    // Cached: a probe inside the interval reuses the last run.
    health::set_cache(Duration::from_secs(60));
    let before = RUNS.load(Ordering::Relaxed);
    get(addr, "GET", "/health/ready");
    get(addr, "GET", "/health/ready");
    assert_eq!(RUNS.load(Ordering::Relaxed), before + 1);
    drop(telemetry);
}
