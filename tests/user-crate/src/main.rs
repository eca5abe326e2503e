//! A small service as a user writes it: its own Prometheus metrics next to observe's, its own
//! JSON subscriber, tokio, `#[observe]` on functions, methods and async fns, and redaction.
//! It checks what it produced and exits non-zero when something is missing.

#![deny(warnings, unused_qualifications)]
#![warn(clippy::pedantic)]
// As many services do: the code `#[observe]` generates (its catalog entry too) must build.
#![forbid(unsafe_code)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use observe::{observe, step, Redact};
use prometheus::{IntCounter, Registry};
use tracing_subscriber::layer::SubscriberExt;

#[derive(Debug, thiserror::Error)]
enum JobError {
    #[error("job {0} is empty")]
    Empty(u64),
}

// `customer` and `api_token` are only ever shown, redacted: rustc's dead-code analysis
// ignores derived `Debug` impls, `Redact`'s as `derive(Debug)`'s.
#[derive(Redact, Clone)]
#[allow(dead_code)]
struct Job {
    id: u64,
    #[redact(email)]
    customer: String,
    #[redact]
    api_token: String,
    items: u32,
}

struct Worker {
    name: &'static str,
}

#[observe]
impl Worker {
    async fn fetch(&self, job: &Job) -> Result<u32, JobError> {
        tokio::task::yield_now().await;
        if job.items == 0 {
            return Err(JobError::Empty(job.id));
        }
        Ok(job.items)
    }

    #[observe(skip)]
    fn name(&self) -> &'static str {
        self.name
    }
}

/// Processes one job.
#[observe(
    counter = "user_jobs",
    histogram = "user_job_duration_seconds",
    errors = "user_jobs_failed",
    in_flight = "user_jobs_in_flight",
    args(job),
    fields(worker = %worker.name()),
    flow,
    objective(success = 99.5, latency = "500ms")
)]
async fn process(worker: &Worker, job: Job) -> Result<u32, JobError> {
    let items = worker.fetch(&job).await?;
    step!("fetched", items);
    Ok(items * 2)
}

/// Like `#[tracing::instrument]`: a constant name, an empty field recorded later.
const SPAN_NAME: &str = "user_lookup";

#[observe(name = SPAN_NAME, fields(found), err(Debug), ret(level = "info"), skip(password))]
fn lookup(key: &str, password: &str) -> Result<usize, String> {
    let _ = password;
    tracing::Span::current().record("found", true);
    Ok(key.len())
}

/// Collects what the JSON subscriber writes.
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);

impl Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

static CHECKS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The HTTP edge in a user's own axum (its version resolved here, not by observe's lock file):
/// the route comes from axum's `MatchedPath`, the request id is returned.
async fn check_http(failures: &mut Vec<String>) {
    use tower::ServiceExt as _;
    let app = axum::Router::new()
        .route("/orders/{id}", axum::routing::get(|| async { "order" }))
        .layer(observe::http::ServerLayer::new());
    let request = axum::http::Request::get("/orders/7")
        .body(axum::body::Body::empty())
        .expect("a request");
    let response = app.oneshot(request).await.expect("infallible");
    check(
        response.status() == 200 && response.headers().contains_key("x-request-id"),
        "the HTTP layer answers with a request id",
        failures,
    );
    check(
        observe::metrics::render().contains(r#"http_route="/orders/{id}""#),
        "the HTTP metrics carry axum's route",
        failures,
    );
}

/// The catalog lists this crate's functions, called or not, and the dashboards use them.
fn check_catalog(failures: &mut Vec<String>) {
    let sites = observe::catalog::sites();
    check(
        sites.iter().any(|s| {
            s.function() == "process"
                && s.objective()
                    .is_some_and(|o| o.latency == Some((0.5, "500ms")))
        }),
        "the catalog lists `process` with its objective",
        failures,
    );
    // A dependency's functions (the library part of this package), called or not.
    check(
        observe_user_crate::price(2) == 6
            && sites
                .iter()
                .any(|s| s.function() == "refund" && s.module() == "observe_user_crate"),
        "the catalog lists a dependency's never-called function",
        failures,
    );
    check(
        observe::dashboards::prometheus_rules().contains("ErrorBudgetBurn")
            && observe::dashboards::grafana().contains("process (observe_user_crate)"),
        "the rules and the dashboard cover `process`",
        failures,
    );
}

/// What observe's span layer handed the application's processor.
fn check_spans(
    exported: &opentelemetry_sdk::trace::InMemorySpanExporter,
    failures: &mut Vec<String>,
) {
    let spans = exported.get_finished_spans().unwrap_or_default();
    let jobs: Vec<_> = spans.iter().filter(|s| s.name == "process").collect();
    check(jobs.len() == 2, "two process spans exported", failures);
    check(
        jobs.iter().any(|s| {
            format!("{:?}", s.status).starts_with("Error")
                && s.events.iter().any(|e| e.name == "exception")
                && s.attributes.iter().any(|kv| {
                    kv.key.as_str() == "error.type"
                        && kv.value.as_str() == "observe_user_crate::JobError"
                })
        }),
        "the failed job's span has its error status, error.type and exception",
        failures,
    );
    check(
        jobs.iter().any(|p| {
            spans.iter().any(|child| {
                child.parent_span_id == p.span_context.span_id()
                    && child.span_context.trace_id() == p.span_context.trace_id()
            })
        }),
        "a process span has children in its trace",
        failures,
    );
    let text = format!("{spans:?}");
    for secret in ["tok_live_123", "alice@example.com", "hunter2"] {
        check(
            !text.contains(secret),
            &format!("`{secret}` is not in the exported spans"),
            failures,
        );
    }
}

fn check(ok: bool, what: &str, failures: &mut Vec<String>) {
    CHECKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if !ok {
        failures.push(what.to_owned());
    }
}

/// The service's own JSON subscriber (tracing-subscriber's, not observe's), with observe's
/// span layer feeding a processor of the service's choosing.
fn subscriber(
    lines: &Lines,
    exported: &opentelemetry_sdk::trace::InMemorySpanExporter,
) -> (
    opentelemetry_sdk::trace::SdkTracerProvider,
    impl tracing::Subscriber + Send + Sync,
) {
    let writer = lines.clone();
    let (tracer_provider, spans) = observe::otel_layer_with_processor(
        opentelemetry_sdk::trace::SimpleSpanProcessor::new(exported.clone()),
        opentelemetry_sdk::Resource::builder()
            .with_service_name("user-crate")
            .build(),
        observe::Sampler::ParentBasedAlwaysOn,
    );
    let subscriber = tracing_subscriber::registry()
        .with(tracing_subscriber::EnvFilter::new("debug"))
        .with(
            tracing_subscriber::fmt::layer()
                .json()
                .with_writer(move || writer.clone()),
        )
        .with(spans);
    (tracer_provider, subscriber)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // The service's own metric, in the default registry observe uses too.
    let own = IntCounter::new(
        "user_requests_total",
        "Requests the service counted itself.",
    )
    .expect("a valid metric");
    prometheus::default_registry()
        .register(Box::new(own.clone()))
        .expect("registered");
    own.inc();

    let lines = Lines::default();
    let exported = opentelemetry_sdk::trace::InMemorySpanExporter::default();
    let (tracer_provider, subscriber) = subscriber(&lines, &exported);
    tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");

    let worker = Worker { name: "w1" };
    let job = Job {
        id: 7,
        customer: "alice@example.com".into(),
        api_token: "tok_live_123".into(),
        items: 3,
    };
    let empty = Job {
        id: 8,
        items: 0,
        ..job.clone()
    };
    let mut failures = Vec::new();
    check(
        process(&worker, job).await.ok() == Some(6),
        "a job is processed",
        &mut failures,
    );
    check(
        process(&worker, empty).await.is_err(),
        "an empty job fails",
        &mut failures,
    );
    check(
        lookup("abc", "hunter2") == Ok(3),
        "lookup returns",
        &mut failures,
    );

    let text = observe::metrics::render();
    for expected in [
        "user_requests_total 1",
        "user_jobs_total{function=\"process\",module=\"observe_user_crate\",result=\"ok\"} 1",
        "user_jobs_total{function=\"process\",module=\"observe_user_crate\",result=\"error\"} 1",
        "user_job_duration_seconds_count{function=\"process\",module=\"observe_user_crate\",result=\"ok\"} 1",
        "user_jobs_failed_total{error_type=\"observe_user_crate::JobError\",function=\"process\",module=\"observe_user_crate\"} 1",
    ] {
        check(text.contains(expected), &format!("/metrics has `{expected}`"), &mut failures);
    }
    // The application's own registry is its business; observe's render reads the one in use.
    check(
        Registry::new().gather().is_empty(),
        "a fresh registry is empty",
        &mut failures,
    );

    let logs = String::from_utf8(lines.0.lock().unwrap().clone()).expect("utf-8 log lines");
    for expected in [
        "flow_started",
        "flow_step",
        "flow_completed",
        "flow_failed",
        "exception",
        "a***@example.com",
        "user_lookup",
    ] {
        check(
            logs.contains(expected),
            &format!("the logs have `{expected}`"),
            &mut failures,
        );
    }
    for secret in ["tok_live_123", "alice@example.com", "hunter2"] {
        check(
            !logs.contains(secret) && !text.contains(secret),
            &format!("`{secret}` never appears"),
            &mut failures,
        );
    }

    check_catalog(&mut failures);
    check_http(&mut failures).await;
    check_spans(&exported, &mut failures);
    let _ = tracer_provider.shutdown();

    for failure in &failures {
        eprintln!("user-crate: FAILED: {failure}");
    }
    let checks = CHECKS.load(std::sync::atomic::Ordering::Relaxed);
    println!(
        "user-crate: {} passed, {} failed",
        checks - failures.len(),
        failures.len()
    );
    if !failures.is_empty() {
        std::process::exit(1);
    }
}
