//! Per call, the metric path allocates nothing once the call site is resolved (first call).
//! A counting global allocator makes this a deterministic count, not a timing. Own binary: the
//! allocator is global. Counting is per thread, so the test harness' threads do not interfere.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use std::future::Future;

use observe::observe;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; only counts.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> usize {
    // OpenTelemetry's current-context stack is a thread-local, made on its first use in a
    // thread (once exemplars are on, a call looks at it): made here, not counted as a call's.
    #[cfg(feature = "otlp")]
    opentelemetry::Context::map_current(|_| ());
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

#[observe(
    counter = "alloc_calls",
    histogram = "alloc_seconds",
    errors = "alloc_errors",
    in_flight = "alloc_in_flight"
)]
fn work(x: u64) -> Result<u64, &'static str> {
    if x == 0 {
        Err("zero")
    } else {
        Ok(x * 2)
    }
}

#[observe(flow, counter = "alloc_flow_calls", args(x))]
fn flow_of_five(x: u64) -> Result<u64, &'static str> {
    observe::step!("one", x);
    observe::step!("two");
    observe::step!("three");
    observe::step!("four");
    observe::step!("five");
    if x == 0 {
        Err("zero")
    } else {
        Ok(x)
    }
}

#[test]
fn a_flow_allocates_nothing_when_nobody_listens() {
    let _ = flow_of_five(1);
    let _ = flow_of_five(0);
    let n = allocations_during(|| {
        for i in 0..1000 {
            let _ = flow_of_five(i);
        }
    });
    assert_eq!(n, 0, "allocations in flows");
}

#[observe(counter = "alloc_async_calls", histogram = "alloc_async_ms")]
async fn work_async(x: u64) -> u64 {
    x + 1
}

/// Ready at once, but through an `.await`: the call's future holds its record.
#[observe(counter = "alloc_awaiting_calls", histogram = "alloc_awaiting_ms")]
async fn work_awaiting(x: u64) -> u64 {
    std::future::ready(x + 1).await
}

#[test]
fn metric_path_allocates_nothing_after_the_first_call() {
    // First calls resolve the call site: registration and label children allocate, once.
    let _ = work(1);
    let _ = work(0);
    let _ = futures::executor::block_on(work_async(1));
    let _ = futures::executor::block_on(work_awaiting(1));

    let ok = allocations_during(|| {
        for i in 1..1000 {
            assert_eq!(work(i), Ok(i * 2));
        }
    });
    assert_eq!(ok, 0, "allocations on the success path");

    let err = allocations_during(|| {
        for _ in 0..1000 {
            assert!(work(0).is_err());
        }
    });
    assert_eq!(err, 0, "allocations on the error path without a subscriber");

    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let asynchronous = allocations_during(|| {
        for i in 0..1000 {
            let mut fut = std::pin::pin!(work_async(i));
            assert_eq!(fut.as_mut().poll(&mut cx), std::task::Poll::Ready(i + 1));
            let mut fut = std::pin::pin!(work_awaiting(i));
            assert_eq!(fut.as_mut().poll(&mut cx), std::task::Poll::Ready(i + 1));
        }
    });
    assert_eq!(asynchronous, 0, "allocations in async calls");

    let text = observe::metrics::render();
    assert!(
        text.contains("alloc_calls_total{function=\"work\",module=\"alloc\",result=\"ok\"} 1000"),
        "{text}"
    );
    assert!(
        text.contains("alloc_awaiting_calls_total{function=\"work_awaiting\",module=\"alloc\",result=\"ok\"} 1001"),
        "{text}"
    );
}

#[observe(counter = "alloc_traced_calls", histogram = "alloc_traced_seconds")]
fn traced(x: u64) -> u64 {
    x + 1
}

#[observe(
    counter = "alloc_traced_async_calls",
    histogram = "alloc_traced_async_ms"
)]
async fn traced_awaiting(x: u64) -> u64 {
    std::future::ready(x + 1).await
}

#[test]
#[cfg(feature = "otlp")]
fn keeping_exemplars_allocates_nothing() {
    use opentelemetry::trace::{Span as _, TraceContextExt as _, Tracer as _, TracerProvider as _};
    // Building observe's OpenTelemetry layer turns exemplars on; a span started through the
    // OpenTelemetry API and made current is a sampled local span, as the layer's are.
    let (_provider, _layer) = observe::trace_layer::<tracing_subscriber::Registry, _>(
        opentelemetry_sdk::trace::InMemorySpanExporter::default(),
        "alloc-test",
    );
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
    let span = provider.tracer("alloc-test").start("request");
    let trace_id = span.span_context().trace_id().to_string();
    let _current = opentelemetry::Context::current_with_span(span).attach();
    let _ = traced(1);
    let _ = futures::executor::block_on(traced_awaiting(1));
    let n = allocations_during(|| {
        for i in 1..1000 {
            assert_eq!(traced(i), i + 1);
            let _ = futures::executor::block_on(traced_awaiting(i));
        }
    });
    assert_eq!(n, 0, "allocations while keeping exemplars");
    let text = observe::metrics::render_openmetrics();
    let kept = text
        .lines()
        .filter(|l| {
            (l.starts_with("alloc_traced_calls_total{")
                || l.starts_with("alloc_traced_async_ms_bucket{"))
                && l.contains(" # {")
        })
        .collect::<Vec<_>>();
    assert!(
        kept.len() == 2
            && kept
                .iter()
                .all(|l| l.contains(&format!(r#"trace_id="{trace_id}""#))),
        "the counter and the bucket kept the current span's trace: {kept:?}"
    );
}

#[test]
fn counting_allocator_sees_allocations() {
    // Guards against a test that cannot fail: the counter does count.
    let n = allocations_during(|| drop(std::hint::black_box(vec![1u8; 16])));
    assert_eq!(n, 1);
}
