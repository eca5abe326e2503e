use std::hint::black_box;
use std::sync::LazyLock;
use observe::observe;
use prometheus::{Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts};

#[inline(never)]
fn floor(x: u64) -> u64 { black_box(x).wrapping_mul(3) }

static HAND: LazyLock<(IntCounter, Histogram)> = LazyLock::new(|| {
    let counter = IntCounterVec::new(Opts::new("hand_calls_total", "h"), &["function", "module", "result"]).unwrap();
    let histogram = HistogramVec::new(HistogramOpts::new("hand_seconds", "h"), &["function", "module", "result"]).unwrap();
    let labels = ["hand_optimal", "overhead", "ok"];
    (counter.with_label_values(&labels), histogram.with_label_values(&labels))
});

#[inline(never)]
fn hand(x: u64) -> u64 {
    let start = quanta::Instant::now();
    let out = floor(x);
    let (calls, seconds) = &*HAND;
    seconds.observe(start.elapsed().as_secs_f64());
    calls.inc();
    out
}

#[observe(counter = "bench_calls", histogram = "bench_seconds")]
#[inline(never)]
fn observed(x: u64) -> u64 { floor(x) }

#[observe]
#[inline(never)]
fn span_only(x: u64) -> u64 { floor(x) }

fn main() {
    let mut a = std::env::args().skip(1);
    let mode = a.next().unwrap();
    let n: u64 = a.next().unwrap().parse().unwrap();
    let f: fn(u64) -> u64 = match mode.as_str() { "hand" => hand, "metric" => observed, "span" => span_only, _ => floor };
    let mut acc = 0u64;
    for i in 0..n { acc = acc.wrapping_add(f(black_box(i))); }
    println!("{acc}");
}
