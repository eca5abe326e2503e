//! An application that builds its own subscriber adds observe's layer (`Config::layer`)
//! instead of calling `init()`: its own layers keep working, nothing global is installed, and
//! the returned guard serves `/metrics`.

use observe::{observe, Config, LogFormat};
use tracing_subscriber::layer::SubscriberExt;

mod support;
use support::{http_get, Recording};

#[observe(counter = "own_subscriber_calls")]
fn work() {}

#[test]
fn observes_layer_joins_the_applications_subscriber() {
    let recording = Recording::default();
    let (layer, telemetry) = Config::new()
        .service_name("own-subscriber")
        .metrics_addr(Some("127.0.0.1:0".parse().unwrap()))
        .log_format(LogFormat::Off)
        .layer()
        .unwrap();
    let subscriber = support::subscriber(&recording).with(layer);
    tracing::subscriber::with_default(subscriber, work);

    let global_is_none = tracing::dispatcher::get_default(|dispatch| {
        dispatch.is::<tracing::subscriber::NoSubscriber>()
    });
    assert!(
        global_is_none,
        "Config::layer installed a global subscriber"
    );
    let span = recording.span("work");
    assert!(span.closed, "the application's own layer saw the span");
    let addr = telemetry.metrics_addr().expect("the endpoint listens");
    let metrics = http_get(addr, "GET", "/metrics");
    assert!(metrics.starts_with("HTTP/1.1 200"), "{metrics}");
    assert!(
        metrics.contains(
            r#"own_subscriber_calls_total{function="work",module="own_subscriber",result="ok"} 1"#
        ),
        "{metrics}"
    );
}
