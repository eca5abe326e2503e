//! Running the registered checks: all at once, each within the timeout, the report reused for
//! the cache interval.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use super::{Kind, Registered, CACHE_MS, CHECKS, TIMEOUT_MS};

/// The last report and when it was made.
static CACHED: Mutex<Option<(Instant, Report)>> = Mutex::const_new(None);
/// Set when a check or the cache interval changed, so a cached report is not reused.
static STALE: AtomicBool = AtomicBool::new(false);

pub(super) fn forget_cached() {
    STALE.store(true, Ordering::Relaxed);
}

/// What the readiness checks answered.
#[derive(Clone, Debug)]
pub struct Report {
    checks: Vec<(String, State)>,
}

/// How one check ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    /// It passed.
    Ok,
    /// Its error, scrubbed of secret-looking values.
    Failed(String),
    /// It did not answer within the timeout (or its previous run still has not).
    Timeout,
    /// It panicked.
    Panicked,
}

impl Report {
    /// Whether every check passed (and so `/health/ready` answers 200).
    pub fn is_ready(&self) -> bool {
        self.checks.iter().all(|(_, state)| *state == State::Ok)
    }

    /// 200 when ready, else 503.
    pub fn status_code(&self) -> u16 {
        if self.is_ready() {
            200
        } else {
            503
        }
    }

    /// Each check's name and state, in the order they were registered.
    pub fn checks(&self) -> &[(String, State)] {
        &self.checks
    }

    /// `{"status":"ready","checks":{"database":"ok"}}`, or `"not_ready"` with each failing
    /// check's `"timeout"`, `"panicked"` or `"error: <message>"`.
    pub fn to_json(&self) -> String {
        let status = if self.is_ready() {
            "ready"
        } else {
            "not_ready"
        };
        let mut out = format!("{{\"status\":\"{status}\",\"checks\":{{");
        for (i, (name, state)) in self.checks.iter().enumerate() {
            let shown = match state {
                State::Ok => "ok".to_owned(),
                State::Failed(error) => format!("error: {error}"),
                State::Timeout => "timeout".to_owned(),
                State::Panicked => "panicked".to_owned(),
            };
            let comma = if i == 0 { "" } else { "," };
            let _ = write!(out, "{comma}{}:{}", json_string(name), json_string(&shown));
        }
        out.push_str("}}");
        out
    }
}

fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Runs the registered checks (or reuses a report younger than the cache interval). Call it
/// from inside a tokio runtime, for an application serving readiness from its own server.
pub async fn report() -> Report {
    let cache = Duration::from_millis(CACHE_MS.load(Ordering::Relaxed));
    let mut cached = CACHED.lock().await;
    let stale = STALE.swap(false, Ordering::Relaxed);
    if let Some((at, report)) = cached.as_ref() {
        if !stale && at.elapsed() < cache {
            return report.clone();
        }
    }
    let report = run_all().await;
    *cached = Some((Instant::now(), report.clone()));
    report
}

async fn run_all() -> Report {
    let checks: Vec<Arc<Registered>> = CHECKS
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let timeout = Duration::from_millis(TIMEOUT_MS.load(Ordering::Relaxed));
    let deadline = tokio::time::Instant::now() + timeout;
    // Everything starts first, so the checks run side by side; then each is awaited until
    // the one deadline.
    let started: Vec<_> = checks.iter().map(|check| start(check)).collect();
    let mut states = Vec::with_capacity(checks.len());
    for (check, task) in checks.iter().zip(started) {
        let state = match task {
            None => State::Timeout,
            Some(mut task) => match tokio::time::timeout_at(deadline, &mut task).await {
                Ok(Ok(Ok(()))) => State::Ok,
                Ok(Ok(Err(error))) => {
                    State::Failed(crate::redact::scrub::scrub(&error).into_owned())
                }
                Ok(Err(join)) if join.is_panic() => State::Panicked,
                Ok(Err(_)) => State::Timeout,
                Err(_) => {
                    // An asynchronous check stops here; a blocking one runs on, and is not
                    // started again until it ends.
                    task.abort();
                    State::Timeout
                }
            },
        };
        states.push((check.name.clone(), state));
    }
    Report { checks: states }
}

/// Clears a check's running flag when its run ends, however it ends (returned, panicked,
/// aborted).
struct Running(Arc<AtomicBool>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

type Task = tokio::task::JoinHandle<Result<(), String>>;

/// Starts one run of `check`; `None` if its previous run has not ended.
fn start(check: &Registered) -> Option<Task> {
    if check.running.swap(true, Ordering::AcqRel) {
        return None;
    }
    let running = Running(Arc::clone(&check.running));
    let handle = check
        .runtime
        .clone()
        .unwrap_or_else(tokio::runtime::Handle::current);
    Some(match &check.body.0 {
        Kind::Async(make) => {
            let future = make();
            handle.spawn(async move {
                let _running = running;
                future.await
            })
        }
        Kind::Blocking(body) => {
            let body = Arc::clone(body);
            handle.spawn_blocking(move || {
                let _running = running;
                body()
            })
        }
    })
}
