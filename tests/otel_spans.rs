//! observe's OpenTelemetry span layer against `tracing-opentelemetry` 0.34 (the layer observe
//! used before, with the options it used): the same workload through each, into an in-memory
//! exporter, must give the same spans, with the same names, kinds, parents, statuses,
//! attributes, events and links. Ids and times differ by nature and are compared as relations
//! (same trace as the parent, the right parent, the remote parent's ids).
#![cfg(feature = "otlp")]

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use observe::observe;
use opentelemetry::trace::{SpanId, TraceContextExt as _, TracerProvider as _};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use tracing_subscriber::layer::SubscriberExt;

#[derive(Debug)]
struct Io;

impl fmt::Display for Io {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("disk full")
    }
}

impl std::error::Error for Io {}

#[derive(Debug)]
struct JobError(Io);

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("job failed")
    }
}

impl std::error::Error for JobError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

#[observe]
fn leaf(x: u64) -> u64 {
    x + 1
}

#[observe(args(x))]
fn fails(x: u64) -> Result<u64, JobError> {
    leaf(x);
    Err(JobError(Io))
}

#[observe(flow)]
fn flow_job() -> Result<(), JobError> {
    observe::step!("fetched");
    fails(2).map(|_| ())
}

#[observe]
fn panics() {
    panic!("boom");
}

#[observe]
async fn awaits(x: u64) -> u64 {
    leaf(x)
}

/// Spans of every shape the layer maps.
fn workload() {
    leaf(1);
    let _ = fails(1);
    let _ = flow_job();
    let _ = std::panic::catch_unwind(panics);
    // Not `futures::executor::block_on`: the SDK's simple processor runs its own inside.
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(async {
            awaits(3).await;
            #[cfg(feature = "axum")]
            requests().await;
        });
    let manual = tracing::info_span!(
        "manual",
        otel.name = "renamed",
        otel.kind = "client",
        count = 3u64,
        signed = -4i64,
        flag = true,
        ratio = 0.5,
        text = "t",
        listed = ?vec![1, 2],
        late = tracing::field::Empty,
    );
    {
        let _entered = manual.enter();
        manual.record("late", "recorded");
        tracing::info!(answer = 42, "hello");
        tracing::error!(error = ?"bad input");
        let error = JobError(Io);
        tracing::warn!(cause = &error as &dyn std::error::Error, "with a source");
        let explicit = tracing::info_span!(parent: &manual, "explicit");
        explicit.in_scope(|| leaf(5));
    }
    drop(manual);
    let first = tracing::info_span!("first");
    let second = tracing::info_span!("second");
    second.follows_from(&first);
    drop(first);
    drop(second);
    let status = tracing::info_span!("status", otel.status_code = "ok");
    drop(status);
    let described = tracing::info_span!(
        "described",
        otel.status_code = tracing::field::Empty,
        otel.status_description = tracing::field::Empty
    );
    described.in_scope(|| {
        described.record("otel.status_code", "ERROR");
        described.record("otel.status_description", "went wrong");
    });
    let map = HashMap::from([(
        "traceparent".to_owned(),
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".to_owned(),
    )]);
    let _remote = observe::propagation::extract_map(&map).attach();
    leaf(7);
}

/// Requests through observe's `ServerLayer`: under observe's layer its span's fields go
/// typed, not visited (`with_typed_fields`), and must come out as visiting them does.
#[cfg(feature = "axum")]
async fn requests() {
    use axum::routing::get;
    use tower::ServiceExt as _;
    let router = axum::Router::new()
        .route("/users/{id}", get(|| async { "" }))
        .route(
            "/fails",
            get(|| async { http::StatusCode::INTERNAL_SERVER_ERROR }),
        )
        .layer(observe::http::ServerLayer::new());
    for (uri, headers) in [
        (
            "http://shop.example:8080/users/7?page=2&token=tok_1",
            &[
                ("user-agent", "curl/8.5"),
                ("x-forwarded-for", "10.0.0.1, 10.0.0.2"),
                ("x-request-id", "req-1"),
            ][..],
        ),
        ("/fails", &[("x-request-id", "req-2")][..]),
        ("/nowhere", &[("x-request-id", "req-3")][..]),
        // No `traceparent`: the layer continues it through observe's layer only (tested in
        // tests/http.rs and end to end).
    ] {
        let mut request = http::Request::get(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(axum::body::Body::empty()).unwrap();
        let _ = router.clone().oneshot(request).await.unwrap();
    }
}

/// An attribute as compared: its type and text (not how the text is stored), without the
/// values that differ from run to run by nature.
fn attribute(kv: &opentelemetry::KeyValue) -> String {
    use opentelemetry::Value;
    let kind = match &kv.value {
        Value::Bool(_) => "bool",
        Value::I64(_) => "i64",
        Value::F64(_) => "f64",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        _ => "other",
    };
    let text = match kv.key.as_str() {
        "elapsed_ms" | "flow_id" => "…".to_owned(),
        _ => kv.value.to_string(),
    };
    format!("{}={kind}({text})", kv.key)
}

/// One span as compared: everything but ids and times, its parent by name.
type Shape = BTreeMap<&'static str, String>;

fn shapes(spans: &[SpanData]) -> Vec<Shape> {
    let by_id: HashMap<SpanId, &SpanData> = spans
        .iter()
        .map(|s| (s.span_context.span_id(), s))
        .collect();
    let mut shapes: Vec<Shape> = spans
        .iter()
        .map(|span| {
            let parent = match by_id.get(&span.parent_span_id) {
                Some(parent) => {
                    assert_eq!(
                        parent.span_context.trace_id(),
                        span.span_context.trace_id(),
                        "{} is not in its parent's trace",
                        span.name
                    );
                    format!("local {}", parent.name)
                }
                None if span.parent_span_id == SpanId::INVALID => "root".to_owned(),
                None => format!(
                    "remote={} {} trace {}",
                    span.parent_span_is_remote,
                    span.parent_span_id,
                    span.span_context.trace_id()
                ),
            };
            let mut attributes: Vec<String> = span.attributes.iter().map(attribute).collect();
            attributes.sort();
            let events: Vec<String> = span
                .events
                .iter()
                .map(|event| {
                    let mut attributes: Vec<String> =
                        event.attributes.iter().map(attribute).collect();
                    attributes.sort();
                    format!("{} {attributes:?}", event.name)
                })
                .collect();
            let links: Vec<String> = span
                .links
                .iter()
                .map(|link| {
                    by_id
                        .get(&link.span_context.span_id())
                        .map_or("unknown".to_owned(), |s| s.name.to_string())
                })
                .collect();
            BTreeMap::from([
                ("name", span.name.to_string()),
                ("kind", format!("{:?}", span.span_kind)),
                ("parent", parent),
                ("status", format!("{:?}", span.status)),
                ("attributes", format!("{attributes:#?}")),
                ("dropped", span.dropped_attributes_count.to_string()),
                ("events", format!("{events:#?}")),
                ("links", format!("{links:?}")),
                ("sampled", span.span_context.is_sampled().to_string()),
                ("scope", span.instrumentation_scope.name().to_owned()),
            ])
        })
        .collect();
    shapes.sort();
    shapes
}

fn through(layer: impl tracing_subscriber::Layer<tracing_subscriber::Registry> + Send + Sync) {
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), workload);
}

#[test]
fn the_same_spans_as_tracing_opentelemetry() {
    let theirs = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(theirs.clone())
        .build();
    through(
        tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("observe"))
            .with_location(false)
            .with_threads(false)
            .with_tracked_inactivity(false),
    );
    let ours = InMemorySpanExporter::default();
    let (our_provider, layer) = observe::trace_layer(ours.clone(), "equivalence");
    through(layer);
    // The application's own provider: spans start through its tracer.
    let through_tracer = InMemorySpanExporter::default();
    let tracer_provider = SdkTracerProvider::builder()
        .with_simple_exporter(through_tracer.clone())
        .build();
    through(observe::otel_layer(&tracer_provider));

    let theirs = shapes(&theirs.get_finished_spans().unwrap());
    assert!(theirs.len() >= 15, "{} spans", theirs.len());
    let ours_spans = ours.get_finished_spans().unwrap();
    assert_eq!(shapes(&ours_spans), theirs);
    assert_eq!(
        shapes(&through_tracer.get_finished_spans().unwrap()),
        theirs
    );
    // The remote parent's ids, exactly.
    let continued = ours_spans
        .iter()
        .find(|s| s.parent_span_is_remote)
        .expect("a span continuing the remote trace");
    assert_eq!(
        continued.span_context.trace_id().to_string(),
        "0af7651916cd43dd8448eb211c80319c"
    );
    assert_eq!(continued.parent_span_id.to_string(), "b7ad6b7169203331");
    let _ = (
        provider.shutdown(),
        our_provider.shutdown(),
        tracer_provider.shutdown(),
    );
}

#[test]
fn a_remote_parent_given_before_the_first_enter_is_the_parent() {
    let exporter = InMemorySpanExporter::default();
    let (provider, layer) = observe::trace_layer(exporter.clone(), "reparent");
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        let span = tracing::info_span!("server");
        let map = HashMap::from([(
            "traceparent".to_owned(),
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_owned(),
        )]);
        observe::propagation::extract_map(&map).set_parent_of(&span);
        span.in_scope(|| {
            leaf(1);
            // The ids observe hands out are the exported ones.
            assert_eq!(
                observe::trace_id().as_deref(),
                Some("4bf92f3577b34da6a3ce929d0e0e4736")
            );
            assert_eq!(
                observe::otel_context()
                    .span()
                    .span_context()
                    .trace_id()
                    .to_string(),
                "4bf92f3577b34da6a3ce929d0e0e4736"
            );
            let mut injected = HashMap::new();
            observe::propagation::inject_map(&mut injected);
            let traceparent = &injected["traceparent"];
            assert!(
                traceparent.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-")
                    && traceparent.ends_with("-01")
                    && !traceparent.contains("00f067aa0ba902b7"),
                "{traceparent}"
            );
        });
        // Too late once entered: the span keeps its trace.
        let other = HashMap::from([(
            "traceparent".to_owned(),
            "00-11111111111111111111111111111111-2222222222222222-01".to_owned(),
        )]);
        observe::propagation::extract_map(&other).set_parent_of(&span);
    });
    let spans = exporter.get_finished_spans().unwrap();
    let server = spans.iter().find(|s| s.name == "server").unwrap();
    let leaf = spans.iter().find(|s| s.name == "leaf").unwrap();
    assert_eq!(
        server.span_context.trace_id().to_string(),
        "4bf92f3577b34da6a3ce929d0e0e4736"
    );
    assert_eq!(server.parent_span_id.to_string(), "00f067aa0ba902b7");
    assert!(server.parent_span_is_remote);
    assert_eq!(leaf.parent_span_id, server.span_context.span_id());
    assert_eq!(leaf.span_context.trace_id(), server.span_context.trace_id());
    let _ = provider.shutdown();
}

#[test]
fn an_unsampled_parent_exports_nothing_below_it_and_still_propagates() {
    let exporter = InMemorySpanExporter::default();
    let (provider, layer) = observe::trace_layer(exporter.clone(), "unsampled");
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        let map = HashMap::from([(
            "traceparent".to_owned(),
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00".to_owned(),
        )]);
        let _remote = observe::propagation::extract_map(&map).attach();
        let span = tracing::info_span!("unsampled");
        span.in_scope(|| {
            leaf(1);
            let mut injected = HashMap::new();
            observe::propagation::inject_map(&mut injected);
            assert!(injected["traceparent"].ends_with("-00"), "{injected:?}");
            assert!(opentelemetry::Context::current()
                .span()
                .span_context()
                .is_valid());
        });
    });
    assert_eq!(exporter.get_finished_spans().unwrap().len(), 0);
    let _ = provider.shutdown();
}

/// A value whose `Debug` records an event itself.
struct Noisy;

impl fmt::Debug for Noisy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        tracing::info!("formatting");
        f.write_str("noisy")
    }
}

/// A value whose `Debug` panics.
struct Broken;

impl fmt::Debug for Broken {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("no Debug today")
    }
}

#[test]
fn a_value_that_records_or_panics_while_formatted_neither_hangs_nor_stops_the_layer() {
    let exporter = InMemorySpanExporter::default();
    let (provider, layer) = observe::trace_layer(exporter.clone(), "reentrant");
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        let span = tracing::info_span!("outer", late = tracing::field::Empty);
        span.in_scope(|| {
            tracing::info!(value = ?Noisy, "first");
            span.record("late", tracing::field::debug(&Noisy));
            let _ = std::panic::catch_unwind(|| tracing::info!(value = ?Broken, "broken"));
            tracing::info!("after");
        });
    });
    let spans = exporter.get_finished_spans().unwrap();
    let outer = spans.iter().find(|s| s.name == "outer").unwrap();
    let names: Vec<&str> = outer.events.iter().map(|e| e.name.as_ref()).collect();
    assert!(
        names.contains(&"first") && names.contains(&"after"),
        "{names:?}"
    );
    assert!(
        outer
            .attributes
            .iter()
            .any(|kv| kv.key.as_str() == "late" && kv.value.as_str() == "noisy"),
        "{:?}",
        outer.attributes
    );
    let _ = provider.shutdown();
}
