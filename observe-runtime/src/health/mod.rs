//! Readiness checks: [`readiness`] registers one, `/health/ready` (served by `init()`'s
//! endpoint, or [`report`] from the application's own server) runs them all at once, each
//! bounded by a timeout, and answers 200 or 503 with each check's state.
//!
//! A check is a closure returning a future of `Result<(), E>` or, for blocking code, a
//! `Result<(), E>` (run on tokio's blocking threads), with `E: Display`. Its error text is
//! scrubbed of secret-looking values before it is shown. A check that does not answer within
//! the timeout (default 1 s, [`set_timeout`]) is `timeout`; one that panics is `panicked`;
//! neither holds up the endpoint, which keeps serving `/metrics`. A hung check is not started
//! again while it still runs. Results are reused for [`set_cache`]'s interval (default 1 s),
//! so a load balancer's probes do not each reach the database; probes that arrive while the
//! checks run wait for that run.
//!
//! An asynchronous check runs on the tokio runtime it was registered from (where its
//! connection pool lives), or on the endpoint's own runtime if registered outside one.

mod run;

use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

pub use run::{report, Report, State};

type BoxFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

/// A check, ready to run (made by [`Check`]).
#[doc(hidden)]
pub struct Body(Kind);

enum Kind {
    Async(Box<dyn Fn() -> BoxFuture + Send + Sync>),
    Blocking(Arc<dyn Fn() -> Result<(), String> + Send + Sync>),
}

struct Registered {
    name: String,
    body: Body,
    runtime: Option<tokio::runtime::Handle>,
    /// Set while a run of this check has not ended (a hung blocking check cannot be stopped).
    running: Arc<AtomicBool>,
}

static CHECKS: RwLock<Vec<Arc<Registered>>> = RwLock::new(Vec::new());
static TIMEOUT_MS: AtomicU64 = AtomicU64::new(1000);
static CACHE_MS: AtomicU64 = AtomicU64::new(1000);

/// Registers a readiness check named `name` (a second check of the same name replaces the
/// first).
///
/// (The example is on the facade's `observe::health`.)
pub fn readiness<M>(name: impl Into<String>, check: impl Check<M>) {
    let registered = Arc::new(Registered {
        name: name.into(),
        body: check.into_body(),
        runtime: tokio::runtime::Handle::try_current().ok(),
        running: Arc::new(AtomicBool::new(false)),
    });
    let mut checks = CHECKS.write().unwrap_or_else(PoisonError::into_inner);
    checks.retain(|c| c.name != registered.name);
    checks.push(registered);
    run::forget_cached();
}

/// How long each check may take before it counts as `timeout` (default 1 s).
pub fn set_timeout(timeout: Duration) {
    TIMEOUT_MS.store(millis(timeout).max(1), Ordering::Relaxed);
}

/// How long a report is reused (default 1 s; zero runs the checks on every request).
pub fn set_cache(interval: Duration) {
    CACHE_MS.store(millis(interval), Ordering::Relaxed);
    run::forget_cached();
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Something [`readiness`] can run: a closure returning a future of `Result<(), E>`, or one
/// returning `Result<(), E>` directly. (`M` tells the two apart; it is inferred.)
pub trait Check<M>: Send + Sync + 'static {
    #[doc(hidden)]
    fn into_body(self) -> Body;
}

/// [`Check`]'s marker for asynchronous checks.
pub struct AsyncCheck<Fut>(std::marker::PhantomData<Fut>);
/// [`Check`]'s marker for blocking checks.
pub struct BlockingCheck<E>(std::marker::PhantomData<E>);

impl<F, Fut, E> Check<AsyncCheck<Fut>> for F
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: Display,
{
    fn into_body(self) -> Body {
        Body(Kind::Async(Box::new(move || {
            let future = self();
            Box::pin(async move { future.await.map_err(|e| e.to_string()) })
        })))
    }
}

impl<F, E> Check<BlockingCheck<E>> for F
where
    F: Fn() -> Result<(), E> + Send + Sync + 'static,
    E: Display,
{
    fn into_body(self) -> Body {
        Body(Kind::Blocking(Arc::new(move || {
            self().map_err(|e| e.to_string())
        })))
    }
}
