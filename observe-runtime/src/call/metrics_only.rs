//! The metrics-only call: what a guard records when no `tracing` subscriber listens and the
//! call site has metrics but no flow and no `labels(...)`. Nothing but the call's metric
//! children, one clock read at each end, and how the call ended: as close to hand-written
//! `prometheus` code as a guard gets (see `BENCHMARKS.md`).

use super::{Ending, State};
use crate::metrics::{CallResult, Ended, SiteMetrics};

/// What a metrics-only asynchronous call keeps across its `.await`s: its metric children and
/// its start (the rest of [`MetricsOnly`] only matters once the call ends).
#[derive(Clone, Copy)]
pub(crate) struct MetricsStart {
    metrics: &'static SiteMetrics,
    start: Option<quanta::Instant>,
}

impl MetricsStart {
    #[inline(always)]
    pub(crate) fn start(metrics: &'static SiteMetrics) -> MetricsStart {
        metrics.started();
        MetricsStart {
            metrics,
            start: metrics.measures_time().then(quanta::Instant::now),
        }
    }

    /// The call ended before its output was ready: it was dropped (cancelled, or during a
    /// panic) or a poll unwound. (Called from the out-of-line end of an abandoned call.)
    #[inline]
    pub(crate) fn abandoned(self, unwound: bool) {
        let ended = Ended::since(self.start);
        let ending = if unwound {
            Ending::Panicked
        } else {
            Ending::of(State::Running, true)
        };
        let (result, error_type) = ending.result("");
        self.metrics.finished(None, result, ended, error_type);
    }
}

pub(crate) struct MetricsOnly {
    metrics: &'static SiteMetrics,
    start: Option<quanta::Instant>,
    error_type: &'static str,
    pub(crate) state: State,
    pub(crate) is_async: bool,
}

impl MetricsOnly {
    #[inline(always)]
    pub(crate) fn start(metrics: &'static SiteMetrics, is_async: bool) -> MetricsOnly {
        let mut timed = MetricsOnly::resume(MetricsStart::start(metrics));
        timed.is_async = is_async;
        timed
    }

    /// The call resumed from what an asynchronous call kept across its `.await`s.
    #[inline(always)]
    pub(crate) fn resume(held: MetricsStart) -> MetricsOnly {
        MetricsOnly {
            metrics: held.metrics,
            start: held.start,
            error_type: "",
            state: State::Running,
            is_async: true,
        }
    }

    /// What an asynchronous call keeps across its `.await`s.
    #[inline(always)]
    pub(crate) fn held(&self) -> MetricsStart {
        MetricsStart {
            metrics: self.metrics,
            start: self.start,
        }
    }

    #[inline(always)]
    pub(crate) fn fail(&mut self, error_type: &'static str) {
        self.error_type = error_type;
        self.state = State::Failed;
    }

    /// The call succeeded (the common case).
    #[inline(always)]
    pub(crate) fn finish_ok(&self) {
        finish_ok(self.metrics, self.start);
    }

    /// The call did not simply succeed (a success ends in [`MetricsOnly::finish_ok`]).
    #[inline]
    pub(crate) fn finish(&mut self) {
        let ended = Ended::since(self.start);
        let (result, error_type) = Ending::of(self.state, self.is_async).result(self.error_type);
        self.metrics.finished(None, result, ended, error_type);
    }
}

/// A metrics-only call succeeded (out of line: one call from each function; its parts passed
/// in registers, so that the record itself need not be in memory).
#[inline(never)]
fn finish_ok(metrics: &'static SiteMetrics, start: Option<quanta::Instant>) {
    metrics.finished(None, CallResult::Ok, Ended::since(start), "");
}
