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

/// What a metrics-only asynchronous call keeps across its `.await`s: its metric children and
/// its start (the rest of [`Timed`] only matters once the call ends).
#[derive(Clone, Copy)]
pub(crate) struct Held {
    metrics: &'static SiteMetrics,
    start: Option<quanta::Instant>,
}

impl Held {
    #[inline(always)]
    pub(crate) fn start(metrics: &'static SiteMetrics) -> Held {
        metrics.started();
        Held {
            metrics,
            start: metrics.measures_time().then(quanta::Instant::now),
        }
    }

    /// The call ended before its output was ready: it was dropped (cancelled, or during a
    /// panic) or a poll unwound. (Called from the out-of-line end of an abandoned call.)
    #[inline]
    pub(crate) fn abandoned(self, unwound: bool) {
        let elapsed = self.start.map_or(Duration::ZERO, |start| start.elapsed());
        let (result, error_type) = if unwound || std::thread::panicking() {
            (CallResult::Panic, "panic")
        } else {
            (CallResult::Cancelled, "")
        };
        self.metrics.finished(None, result, elapsed, error_type);
    }
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
        let mut timed = Timed::resume(Held::start(metrics));
        timed.is_async = is_async;
        timed
    }

    /// The call resumed from what an asynchronous call kept across its `.await`s.
    #[inline(always)]
    pub(crate) fn resume(held: Held) -> Timed {
        Timed {
            metrics: held.metrics,
            start: held.start,
            error_type: "",
            state: Ended::Running,
            is_async: true,
        }
    }

    /// What an asynchronous call keeps across its `.await`s.
    #[inline(always)]
    pub(crate) fn held(&self) -> Held {
        Held {
            metrics: self.metrics,
            start: self.start,
        }
    }

    #[inline(always)]
    pub(crate) fn fail(&mut self, error_type: &'static str) {
        self.error_type = error_type;
        self.state = Ended::Failed;
    }

    /// The call succeeded (the common case).
    #[inline(always)]
    pub(crate) fn finish_ok(&self) {
        finish_ok(self.metrics, self.start);
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

/// A metrics-only call succeeded (out of line: one call from each function; its parts passed
/// in registers, so that the record itself need not be in memory).
#[inline(never)]
fn finish_ok(metrics: &'static SiteMetrics, start: Option<quanta::Instant>) {
    let elapsed = start.map_or(Duration::ZERO, |start| start.elapsed());
    metrics.finished(None, CallResult::Ok, elapsed, "");
}
