//! `observe::Config::init()`: the metrics endpoint on a real socket, and the errors that name
//! what to fix. Own binary: it installs the global subscriber.

use std::net::TcpStream;
use std::time::Duration;

use observe::{observe, Config, Error};

mod support;
use support::http_get as get;

#[observe(counter = "setup_calls")]
fn work() {}

#[test]
fn init_serves_metrics_and_reports_errors() {
    // Without the `otlp` feature, an OTLP endpoint is an error naming the variable (with it,
    // export is tested end to end against a real collector: tests/e2e/otlp.sh).
    if cfg!(not(feature = "otlp")) {
        let otlp = Config::new()
            .otlp_endpoint("http://127.0.0.1:4317")
            .unwrap()
            .init();
        assert!(matches!(
            otlp,
            Err(Error::Unsupported {
                variable: Some("OTEL_EXPORTER_OTLP_ENDPOINT"),
                ..
            })
        ));
    }
    let bad_filter = Config::new().log_filter("=[broken").init();
    assert!(
        matches!(
            &bad_filter,
            Err(Error::InvalidVariable {
                name: "RUST_LOG",
                ..
            })
        ),
        "{:?}",
        bad_filter.err()
    );

    let telemetry = Config::new()
        .service_name("setup-test")
        .default_service_version("9.9.9")
        .environment("ci")
        .metrics_addr(Some("127.0.0.1:0".parse().unwrap()))
        .init()
        .unwrap();
    let addr = telemetry.metrics_addr().unwrap();
    assert_eq!(telemetry.service_name(), "setup-test");
    work();

    let metrics = get(addr, "GET", "/metrics");
    assert!(metrics.starts_with("HTTP/1.1 200"), "{metrics}");
    assert!(
        metrics
            .to_ascii_lowercase()
            .contains("content-type: text/plain; version=0.0.4; charset=utf-8"),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"setup_calls_total{function="work",module="setup",result="ok"} 1"#),
        "{metrics}"
    );
    let build_info = format!(
        r#"observe_build_info{{deployment_environment_name="ci",observe_version="{}",rustc_version="#,
        env!("CARGO_PKG_VERSION")
    );
    let line = metrics
        .lines()
        .find(|l| l.starts_with(&build_info))
        .unwrap_or_else(|| panic!("no {build_info}: {metrics}"));
    assert!(
        line.ends_with(r#",service_name="setup-test",service_version="9.9.9"} 1"#),
        "{line}"
    );
    let rustc = line.split("rustc_version=\"").nth(1).unwrap();
    assert!(rustc.starts_with(|c: char| c.is_ascii_digit()), "{line}");
    assert!(get(addr, "GET", "/health/live").starts_with("HTTP/1.1 200"));
    assert!(get(addr, "GET", "/health/ready").starts_with("HTTP/1.1 200"));
    assert!(get(addr, "GET", "/nope").starts_with("HTTP/1.1 404"));
    assert!(get(addr, "POST", "/metrics").starts_with("HTTP/1.1 405"));

    // The address is taken: a clear error, and the running setup is untouched.
    let taken = Config::new().metrics_addr(Some(addr)).init();
    assert!(
        matches!(&taken, Err(Error::Bind { .. })),
        "{:?}",
        taken.err()
    );
    assert!(taken
        .unwrap_err()
        .to_string()
        .contains("OBSERVE_METRICS_ADDR"));
    // A second init is an error, not a panic.
    let twice = Config::new().metrics_addr(None).init();
    assert!(matches!(twice, Err(Error::AlreadyInitialized)));

    drop(telemetry);
    assert!(
        TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err(),
        "the endpoint stops with the guard"
    );
}
