//! The main job: an async job processor instrumented with `#[observe]`.
//!
//! `cargo run --example worker [-- --jobs N] [--linger S]`: logs on stdout, Prometheus
//! metrics on `http://127.0.0.1:9464/metrics` (`OBSERVE_METRICS_ADDR`), exits when the jobs are
//! done (after serving metrics for `--linger` more seconds). `--export-dashboards DIR` writes
//! its Grafana dashboard and Prometheus rules (with their `promtool` test) to `DIR` and exits. Some jobs fail on purpose: their
//! flows end with `flow_failed` saying which step was reached. Customer emails and API tokens are
//! marked `#[redact]` and never appear in the output.

use std::fmt;
use std::time::Duration;

use observe::{observe, step, Redact};

/// A job as the queue hands it over.
#[derive(Redact, Clone)]
struct Job {
    id: u64,
    kind: &'static str,
    // Only ever shown redacted, in the `job` argument the spans and logs record (rustc's
    // dead-code analysis ignores derived `Debug` impls, `Redact`'s as `derive(Debug)`'s).
    #[allow(dead_code)]
    #[redact(email)]
    customer: String,
    #[redact]
    api_token: String,
}

#[derive(Debug)]
struct Output {
    id: u64,
    items: usize,
}

#[derive(Debug)]
enum JobError {
    Unreachable { id: u64 },
    Malformed { id: u64, offset: usize },
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobError::Unreachable { id } => write!(f, "job {id}: upstream unreachable"),
            JobError::Malformed { id, offset } => {
                write!(f, "job {id}: malformed payload at byte {offset}")
            }
        }
    }
}

impl std::error::Error for JobError {}

/// Processes one job: fetch, parse, store.
#[observe(
    counter = "jobs_completed",
    histogram = "duration_ms",
    errors = "jobs_failed",
    in_flight = "jobs_in_flight",
    flow,
    args(job),
    labels(kind = job.kind),
    objective(success = 99, latency = "250ms", latency_target = 99)
)]
async fn process_job(job: &Job) -> Result<Output, JobError> {
    let payload = fetch(job).await?;
    step!("fetched", bytes = payload.len());
    let items = parse(job.id, &payload)?;
    step!("parsed", items);
    store(job, items).await;
    step!("stored");
    Ok(Output { id: job.id, items })
}

/// Downloads the job's payload.
#[observe(histogram = "fetch_duration_ms")]
async fn fetch(job: &Job) -> Result<Vec<u8>, JobError> {
    tokio::time::sleep(Duration::from_millis(5 + job.id % 20)).await;
    if job.id % 7 == 3 {
        return Err(JobError::Unreachable { id: job.id });
    }
    Ok(vec![b'x'; 64 + (job.id as usize % 5) * 16])
}

/// Parses the payload into items.
#[observe]
fn parse(id: u64, payload: &[u8]) -> Result<usize, JobError> {
    if id % 5 == 4 {
        return Err(JobError::Malformed {
            id,
            offset: payload.len() / 2,
        });
    }
    Ok(payload.len() / 16)
}

/// Writes the result.
#[observe]
async fn store(job: &Job, items: usize) {
    tokio::time::sleep(Duration::from_millis(2 + items as u64)).await;
    let _ = &job.api_token;
}

fn jobs(n: u64) -> Vec<Job> {
    let kinds = ["invoice", "report", "export"];
    (1..=n)
        .map(|id| Job {
            id,
            kind: kinds[(id % 3) as usize],
            customer: format!("customer{id}@example.com"),
            api_token: format!("tok_{:016x}", id.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        })
        .collect()
}

struct Args {
    jobs: u64,
    linger: u64,
    export_dashboards: Option<std::path::PathBuf>,
}

fn args() -> Result<Args, String> {
    let mut out = Args {
        jobs: 20,
        linger: 0,
        export_dashboards: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| -> Result<u64, String> {
            it.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{name} needs a number"))
        };
        match arg.as_str() {
            "--jobs" => out.jobs = value("--jobs")?,
            "--linger" => out.linger = value("--linger")?,
            "--export-dashboards" => {
                let dir = it.next().ok_or("--export-dashboards needs a directory")?;
                out.export_dashboards = Some(dir.into());
            }
            other => {
                return Err(format!(
                    "unknown argument {other}; usage: worker [--jobs N] [--linger SECONDS] [--export-dashboards DIR]"
                ))
            }
        }
    }
    Ok(out)
}

/// Writes the dashboard and the rules observe generates from this binary's functions.
fn export_dashboards(dir: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        dir.join("grafana-dashboard.json"),
        observe::dashboards::grafana(),
    )?;
    std::fs::write(
        dir.join("prometheus-rules.yml"),
        observe::dashboards::prometheus_rules(),
    )?;
    std::fs::write(
        dir.join("prometheus-rules.test.yml"),
        observe::dashboards::prometheus_rules_test("prometheus-rules.yml"),
    )?;
    for conflict in observe::catalog::conflicts() {
        eprintln!(
            "left out: `{}` of {} ({}; {} keeps it)",
            conflict.metric, conflict.other, conflict.reason, conflict.kept
        );
    }
    println!("wrote {}", dir.display());
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args()?;
    if let Some(dir) = &args.export_dashboards {
        return export_dashboards(dir);
    }
    // `/health/ready` answers 503 naming this check while the job store is unreachable
    // (`WORKER_STORE_DOWN=1` simulates that). Registered before `init!()` starts the endpoint,
    // so that no probe can find the worker ready before its checks exist.
    observe::health::readiness("job_store", || async {
        tokio::task::yield_now().await;
        match std::env::var("WORKER_STORE_DOWN").as_deref() {
            Ok("1") => Err("job store at 127.0.0.1:5432 refused the connection"),
            _ => Ok(()),
        }
    });
    let telemetry = observe::init!()?;
    let mut tasks = tokio::task::JoinSet::new();
    for job in jobs(args.jobs) {
        tasks.spawn(async move { process_job(&job).await });
    }
    let (mut done, mut failed) = (0, 0);
    while let Some(result) = tasks.join_next().await {
        match result? {
            Ok(output) => {
                done += 1;
                tracing::debug!(id = output.id, items = output.items, "job done");
            }
            Err(_) => failed += 1,
        }
    }
    tracing::info!(done, failed, "all jobs processed");
    if args.linger > 0 {
        tracing::info!(seconds = args.linger, addr = ?telemetry.metrics_addr(), "serving metrics before exiting");
        tokio::time::sleep(Duration::from_secs(args.linger)).await;
    }
    Ok(())
}
