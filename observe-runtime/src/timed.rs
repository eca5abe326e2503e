//! The metrics-only call: what a guard records when no `tracing` subscriber listens and the
//! call site has metrics but no flow and no `labels(...)`. Nothing but the call's metric
//! children, one clock read at each end, and how the call ended: as close to hand-written
//! `prometheus` code as a guard gets (see `BENCHMARKS.md`).

use std::time::Duration;

use crate::metrics::{CallResult, SiteMetrics};

/// `error.type` of a synchronous call that left through a `?` the macro could not see.
pub(crate) const UNSEEN_ERROR: &str = "unknown";

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ended {
    Running,
    Ok,
    Failed,
    Panicked,
}

pub(crate) struct Timed {
    metrics: &'static SiteMetrics,
    start: Option<quanta::Instant>,
    error_type: &'static str,
    pub(crate) state: Ended,
    pub(crate) is_async: bool,
}

impl Timed {
    #[inline(always)]
    pub(crate) fn start(metrics: &'static SiteMetrics, is_async: bool) -> Timed {
        metrics.started();
        Timed {
            metrics,
            start: metrics.measures_time().then(quanta::Instant::now),
            error_type: "",
            state: Ended::Running,
            is_async,
        }
    }

    #[inline(always)]
    pub(crate) fn fail(&mut self, error_type: &'static str) {
        self.error_type = error_type;
        self.state = Ended::Failed;
    }

    /// A poll of the call's future unwound.
    #[cold]
    pub(crate) fn panicked(&mut self) {
        self.state = Ended::Panicked;
    }

    /// The call succeeded (the common case, out of line: one call from each function).
    #[inline(never)]
    pub(crate) fn finish_ok(&self) {
        let elapsed = self.start.map_or(Duration::ZERO, |start| start.elapsed());
        self.metrics.finished(None, CallResult::Ok, elapsed, "");
    }

    #[inline(always)]
    pub(crate) fn finish(&mut self) {
        let elapsed = self.start.map_or(Duration::ZERO, |start| start.elapsed());
        if self.state == Ended::Ok {
            self.metrics.finished(None, CallResult::Ok, elapsed, "");
        } else {
            self.finish_otherwise(elapsed);
        }
    }

    #[cold]
    #[inline(never)]
    fn finish_otherwise(&mut self, elapsed: Duration) {
        let (result, error_type) = match self.state {
            Ended::Ok => (CallResult::Ok, ""),
            Ended::Failed => (CallResult::Error, self.error_type),
            Ended::Panicked => (CallResult::Panic, "panic"),
            Ended::Running if std::thread::panicking() => (CallResult::Panic, "panic"),
            Ended::Running if self.is_async => (CallResult::Cancelled, ""),
            Ended::Running => (CallResult::Error, UNSEEN_ERROR),
        };
        self.metrics.finished(None, result, elapsed, error_type);
    }
}
