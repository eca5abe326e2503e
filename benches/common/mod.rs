//! The functions every benchmark compares, defined once: the floor (no instrumentation), the
//! hand-written optimum (counter and histogram children cached in statics, one `quanta` TSC
//! clock read at each end), and the same function under `#[observe(counter, histogram)]`,
//! `#[observe]` and `#[tracing::instrument]`, sync and async. Included by `overhead.rs`,
//! `instructions.rs` and `peers/benches/peers.rs` (`mod common;`).
#![allow(dead_code)]

use std::future::Future;
use std::hint::black_box;
use std::sync::LazyLock;
use std::task::{Context, Poll, Waker};

use observe::observe;
use prometheus::{Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts};

/// The function every variant wraps.
#[inline(never)]
pub fn floor(x: u64) -> u64 {
    black_box(x).wrapping_mul(3)
}

/// The hand-written optimum's label children, looked up once.
static HAND: LazyLock<(IntCounter, Histogram)> = LazyLock::new(|| {
    let labels = ["function", "module", "result"];
    let counter = IntCounterVec::new(Opts::new("hand_calls_total", "h"), &labels).unwrap();
    let histogram = HistogramVec::new(HistogramOpts::new("hand_seconds", "h"), &labels).unwrap();
    let values = ["hand_optimal", "bench", "ok"];
    (
        counter.with_label_values(&values),
        histogram.with_label_values(&values),
    )
});

/// Counter + duration histogram written by hand, as cheaply as `prometheus` allows.
#[inline(always)]
fn hand_written(x: u64) -> u64 {
    let start = quanta::Instant::now();
    let out = floor(x);
    hand_record(start);
    out
}

#[inline(always)]
fn hand_record(start: quanta::Instant) {
    let (calls, seconds) = &*HAND;
    seconds.observe(start.elapsed().as_secs_f64());
    calls.inc();
}

#[inline(never)]
pub fn hand_optimal(x: u64) -> u64 {
    hand_written(x)
}

#[inline(never)]
pub async fn async_hand_optimal(x: u64) -> u64 {
    hand_written(x)
}

/// A future ready at its first poll but opaque to the optimizer, as an I/O future is: the code
/// around its `.await` must keep what it holds across it (the hand-written start time, observe's
/// record of the call).
pub struct Ready(u64);

impl Future for Ready {
    type Output = u64;

    #[inline(never)]
    fn poll(self: std::pin::Pin<&mut Self>, _: &mut Context<'_>) -> Poll<u64> {
        Poll::Ready(floor(self.0))
    }
}

/// The floor of the awaiting variants.
#[inline(never)]
pub async fn async_awaiting(x: u64) -> u64 {
    Ready(x).await
}

/// `async_hand_optimal` with an `.await` in its body.
#[inline(never)]
pub async fn async_hand_awaiting(x: u64) -> u64 {
    let start = quanta::Instant::now();
    let out = Ready(x).await;
    hand_record(start);
    out
}

/// `async_hand_awaiting` also holding 80 bytes (the size of observe's record of a call) across
/// its `.await`, where the compiler cannot keep them in registers: what holding a record there
/// costs by itself.
#[inline(never)]
pub async fn async_hand_awaiting_holding(x: u64) -> u64 {
    let start = quanta::Instant::now();
    let held = [x; 10];
    let out = Ready(x).await;
    std::hint::black_box(&held);
    hand_record(start);
    out
}

/// `async_observed` with an `.await` in its body: polled inside the call's future.
#[observe(counter = "bench_awaiting_calls", histogram = "bench_awaiting_seconds")]
#[inline(never)]
pub async fn async_observed_awaiting(x: u64) -> u64 {
    Ready(x).await
}

#[observe(counter = "bench_calls", histogram = "bench_seconds")]
#[inline(never)]
pub fn observed(x: u64) -> u64 {
    floor(x)
}

#[observe(counter = "bench_async_calls", histogram = "bench_async_seconds")]
#[inline(never)]
pub async fn async_observed(x: u64) -> u64 {
    floor(x)
}

#[observe]
#[inline(never)]
pub fn span_observe(x: u64) -> u64 {
    floor(x)
}

#[tracing::instrument]
#[inline(never)]
pub fn span_tracing(x: u64) -> u64 {
    floor(x)
}

/// Moves the first growth steps of the current subscriber's span store out of the measurement.
/// `tracing_subscriber`'s `Registry` grows its slab of span slots in steps, each page twice the
/// last (about 1.5 GB after ten million spans here), and calls during a step cost up to ten
/// times more, for observe and `#[tracing::instrument]` alike. The early steps come every few
/// million spans and fell on whichever variant ran first; later steps still land on one
/// variant of a criterion group now and then (its confidence interval then spans 100 ns to
/// 1 µs), which is why `side_by_side` alternates short batches.
pub fn warm_registry() {
    for _ in 0..16_000_000u32 {
        tracing::info_span!("warm_up").in_scope(|| {});
    }
}

/// Polls a future that is ready at once, with no executor.
pub fn poll_ready<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => unreachable!("the benchmarked futures are ready at once"),
    }
}
