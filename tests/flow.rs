//! Flow-step logging: `#[observe(flow)]` and `observe::step!`.

mod support;

use std::collections::HashSet;
use std::future::Future;

use observe::testing::{capture, capture_async, current, Captured, CapturedEvent};
use observe::{observe, step};
use support::{block_on, yield_now};

#[derive(Debug)]
struct FetchError(&'static str);

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "fetch failed: {}", self.0)
    }
}

/// A helper that knows nothing about flows.
fn helper_step(n: usize) {
    step!("helper", n);
}

async fn async_helper() {
    yield_now().await;
    step!("async_helper");
}

#[observe(flow, args(job_id), counter = "flow_jobs")]
fn sync_flow(job_id: u64, fail_at: Option<&str>) -> Result<u64, FetchError> {
    step!("fetched", bytes = 42, source = %"cache");
    if fail_at == Some("fetched") {
        return Err(FetchError("after fetch"));
    }
    helper_step(3);
    step!("stored");
    Ok(job_id)
}

#[observe(flow = "ingest")]
async fn async_flow(fail: bool) -> Result<(), FetchError> {
    step!("first");
    yield_now().await;
    async_helper().await;
    if fail {
        return Err(FetchError("async"));
    }
    step!("last");
    Ok(())
}

#[observe(flow)]
fn panicking_flow() {
    step!("before_panic");
    panic!("flow exploded");
}

#[observe(flow)]
async fn cancelled_flow() {
    step!("waiting");
    std::future::pending::<()>().await;
}

#[observe(flow)]
fn empty_flow() {}

#[observe(flow = "outer")]
fn outer_flow() {
    step!("outer_1");
    inner_flow();
    step!("outer_2");
}

#[observe(flow = "inner")]
fn inner_flow() {
    step!("inner_1");
    step!("inner_2");
}

#[observe(flow)]
async fn interleaved(tag: &'static str) {
    for i in 0..3 {
        step!("tick", tag, i);
        yield_now().await;
    }
}

fn field<'a>(event: &'a CapturedEvent, name: &str) -> &'a str {
    event.field(name).unwrap_or("<absent>")
}

fn flow_events<'a>(captured: &'a Captured, message: &str) -> Vec<&'a CapturedEvent> {
    captured
        .events()
        .iter()
        .filter(|e| e.message() == message)
        .collect()
}

fn assert_flow_id(id: &str) {
    assert_eq!(id.len(), 16, "{id}");
    assert!(
        id.chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
        "{id}"
    );
}

#[test]
fn a_completed_flow_logs_start_steps_and_completion() {
    let (out, captured) = capture(|| sync_flow(7, None));
    assert_eq!(out.unwrap(), 7);
    let span = captured.span("sync_flow");

    let started = &flow_events(&captured, "flow_started")[0];
    assert_eq!(started.level(), tracing::Level::INFO);
    assert_eq!(field(started, "flow"), "sync_flow");
    assert_eq!(
        field(started, "job_id"),
        "7",
        "recorded args are on flow_started"
    );
    assert_eq!(span.events()[0].message(), "flow_started", "{captured:?}");
    assert_eq!(started.target(), "flow");
    let flow_id = field(started, "flow_id").to_owned();
    assert_flow_id(&flow_id);

    let steps = flow_events(&captured, "flow_step");
    let names: Vec<_> = steps.iter().map(|e| field(e, "step")).collect();
    assert_eq!(names, ["fetched", "helper", "stored"]);
    for (i, step) in steps.iter().enumerate() {
        assert_eq!(step.level(), tracing::Level::DEBUG);
        assert_eq!(field(step, "flow"), "sync_flow");
        assert_eq!(field(step, "flow_id"), flow_id);
        assert_eq!(field(step, "step_index"), (i + 1).to_string());
        assert!(field(step, "elapsed_ms").parse::<f64>().unwrap() >= 0.0);
    }
    let in_span: Vec<_> = flow_events(&captured, "flow_step")
        .iter()
        .filter(|step| {
            span.events()
                .iter()
                .any(|e| e.field("step") == step.field("step"))
        })
        .map(|e| field(e, "step"))
        .collect();
    assert_eq!(in_span, names, "steps are events of the flow's span");
    assert_eq!(field(steps[0], "bytes"), "42");
    assert_eq!(field(steps[0], "source"), "cache");
    assert_eq!(field(steps[1], "n"), "3");

    let completed = &flow_events(&captured, "flow_completed")[0];
    assert_eq!(completed.level(), tracing::Level::INFO);
    assert_eq!(field(completed, "flow_id"), flow_id);
    assert_eq!(field(completed, "steps"), "3");
    assert_eq!(field(completed, "last_step"), "stored");
    assert!(field(completed, "elapsed_ms").parse::<f64>().is_ok());
    assert!(flow_events(&captured, "flow_failed").is_empty());
}

#[test]
fn an_error_ends_the_flow_as_failed_with_the_last_step() {
    let (_, captured) = capture(|| sync_flow(1, Some("fetched")).unwrap_err());
    let failed = &flow_events(&captured, "flow_failed")[0];
    assert_eq!(failed.level(), tracing::Level::ERROR);
    assert_eq!(field(failed, "steps"), "1");
    assert_eq!(field(failed, "last_step"), "fetched");
    assert_eq!(field(failed, "error"), "fetch failed: after fetch");
    assert_eq!(field(failed, "error_type"), "flow::FetchError");
    assert!(field(failed, "elapsed_ms").parse::<f64>().is_ok());
    assert!(flow_events(&captured, "flow_completed").is_empty());
    assert_eq!(
        flow_events(&captured, "exception").len(),
        1,
        "the exception event is still there"
    );
}

#[test]
fn a_panic_ends_the_flow_as_failed_and_continues() {
    let (caught, captured) = capture(|| std::panic::catch_unwind(panicking_flow));
    assert!(caught.is_err());
    let failed = &flow_events(&captured, "flow_failed")[0];
    assert_eq!(field(failed, "error_type"), "panic");
    assert_eq!(field(failed, "error"), "flow exploded");
    assert_eq!(field(failed, "last_step"), "before_panic");
    assert_eq!(field(failed, "steps"), "1");
}

#[test]
fn a_dropped_future_ends_the_flow_as_cancelled() {
    let (_, captured) = capture(|| {
        let mut fut = Box::pin(cancelled_flow());
        let waker = std::task::Waker::noop();
        assert!(fut
            .as_mut()
            .poll(&mut std::task::Context::from_waker(waker))
            .is_pending());
    });
    let failed = &flow_events(&captured, "flow_failed")[0];
    assert_eq!(field(failed, "error_type"), "cancelled");
    assert_eq!(field(failed, "last_step"), "waiting");
    assert_eq!(field(failed, "steps"), "1");
}

#[test]
fn a_flow_without_steps_says_so() {
    let (_, captured) = capture(empty_flow);
    let completed = &flow_events(&captured, "flow_completed")[0];
    assert_eq!(field(completed, "steps"), "0");
    assert_eq!(field(completed, "last_step"), "none");
}

#[test]
fn async_flows_count_steps_across_awaits_and_helpers() {
    let (_, captured) = capture(|| {
        block_on(async_flow(false)).unwrap();
        block_on(async_flow(true)).unwrap_err();
    });
    let completed = &flow_events(&captured, "flow_completed")[0];
    assert_eq!(field(completed, "flow"), "ingest");
    assert_eq!(field(completed, "steps"), "3");
    assert_eq!(field(completed, "last_step"), "last");
    let failed = &flow_events(&captured, "flow_failed")[0];
    assert_eq!(field(failed, "steps"), "2");
    assert_eq!(field(failed, "last_step"), "async_helper");
    let ids: HashSet<_> = flow_events(&captured, "flow_step")
        .iter()
        .map(|e| field(e, "flow_id").to_owned())
        .collect();
    assert_eq!(ids.len(), 2, "one id per call");
}

#[test]
fn nested_flows_own_their_steps_and_the_outer_resumes() {
    let (_, captured) = capture(outer_flow);
    let steps = flow_events(&captured, "flow_step");
    let by_step = |name: &str| steps.iter().find(|e| field(e, "step") == name).unwrap();
    assert_eq!(field(by_step("outer_1"), "flow"), "outer");
    assert_eq!(field(by_step("inner_1"), "flow"), "inner");
    assert_eq!(field(by_step("inner_2"), "step_index"), "2");
    assert_eq!(field(by_step("outer_2"), "flow"), "outer");
    assert_eq!(field(by_step("outer_2"), "step_index"), "2");
    let completed = flow_events(&captured, "flow_completed");
    let outer = completed
        .iter()
        .find(|e| field(e, "flow") == "outer")
        .unwrap();
    let inner = completed
        .iter()
        .find(|e| field(e, "flow") == "inner")
        .unwrap();
    assert_eq!(
        (field(outer, "steps"), field(outer, "last_step")),
        ("2", "outer_2")
    );
    assert_eq!(
        (field(inner, "steps"), field(inner, "last_step")),
        ("2", "inner_2")
    );
    assert_ne!(field(outer, "flow_id"), field(inner, "flow_id"));
}

#[test]
fn interleaved_flows_in_one_task_keep_their_own_steps() {
    let (_, captured) =
        capture(|| block_on(async { futures::join!(interleaved("a"), interleaved("b")) }));
    let steps = flow_events(&captured, "flow_step");
    assert_eq!(steps.len(), 6);
    let mut ids_by_tag = std::collections::HashMap::new();
    for step in &steps {
        let id = field(step, "flow_id").to_owned();
        let tag = field(step, "tag").to_owned();
        assert_eq!(
            ids_by_tag.entry(tag.clone()).or_insert_with(|| id.clone()),
            &id,
            "{tag}"
        );
        assert_eq!(
            field(step, "step_index"),
            (field(step, "i").parse::<u32>().unwrap() + 1).to_string()
        );
    }
    assert_eq!(ids_by_tag.len(), 2);
    for completed in flow_events(&captured, "flow_completed") {
        assert_eq!(field(completed, "steps"), "3");
    }
}

#[test]
fn a_flow_moved_to_another_thread_keeps_counting() {
    // capture_async's future is polled once here and to its end on another thread.
    let mut fut = Box::pin(capture_async(async_flow(false)));
    fn poll<F: Future>(fut: &mut std::pin::Pin<Box<F>>) -> std::task::Poll<F::Output> {
        let waker = std::task::Waker::noop();
        fut.as_mut()
            .poll(&mut std::task::Context::from_waker(waker))
    }
    assert!(poll(&mut fut).is_pending());
    let (out, captured) = std::thread::spawn(move || loop {
        if let std::task::Poll::Ready(done) = poll(&mut fut) {
            break done;
        }
    })
    .join()
    .unwrap();
    out.unwrap();
    let completed = flow_events(&captured, "flow_completed")[0];
    assert_eq!(field(completed, "steps"), "3");
    assert_eq!(field(completed, "last_step"), "last");
    let ids: HashSet<_> = flow_events(&captured, "flow_step")
        .iter()
        .map(|e| field(e, "flow_id"))
        .collect();
    assert_eq!(ids.len(), 1);
}

#[test]
fn flows_on_a_multi_threaded_runtime() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let ((), captured) = runtime.block_on(capture_async(async {
        let tasks: Vec<_> = (0..16)
            .map(|_| tokio::spawn(current().bind(async_flow(false))))
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
    }));
    let completed = flow_events(&captured, "flow_completed");
    assert_eq!(completed.len(), 16);
    for event in &completed {
        assert_eq!(field(event, "steps"), "3");
    }
    let ids: HashSet<_> = completed.iter().map(|e| field(e, "flow_id")).collect();
    assert_eq!(ids.len(), 16);
    let steps = flow_events(&captured, "flow_step");
    for id in &ids {
        assert_eq!(
            steps.iter().filter(|e| field(e, "flow_id") == *id).count(),
            3,
            "{id}"
        );
    }
}

#[test]
fn flow_ids_are_unique_across_concurrent_calls() {
    let ((), captured) = capture(|| {
        std::thread::scope(|scope| {
            for _ in 0..4 {
                let capturing = current();
                scope.spawn(move || {
                    capturing.run(|| {
                        for _ in 0..250 {
                            empty_flow();
                        }
                    });
                });
            }
        });
    });
    let ids: HashSet<_> = flow_events(&captured, "flow_started")
        .iter()
        .map(|e| field(e, "flow_id"))
        .collect();
    assert_eq!(ids.len(), 1000);
    ids.iter().for_each(|id| assert_flow_id(id));
}

#[test]
fn a_step_outside_any_flow_logs_without_a_flow_id() {
    let (_, captured) = capture(|| {
        step!("lonely", answer = 42);
        helper_step(1);
    });
    let steps = flow_events(&captured, "flow_step");
    assert_eq!(steps.len(), 2);
    assert_eq!(field(steps[0], "step"), "lonely");
    assert_eq!(field(steps[0], "answer"), "42");
    assert_eq!(field(steps[0], "flow_id"), "<absent>");
    assert_eq!(field(steps[0], "flow"), "<absent>");
    // And without any subscriber at all.
    step!("nobody listens");
}

#[test]
fn flow_combines_with_methods_and_future_returning_functions() {
    struct Worker;
    impl Worker {
        #[observe(flow, histogram = "flow_worker_ms", ret)]
        fn run(&self) -> u8 {
            step!("working");
            5
        }
    }

    #[observe(flow)]
    fn boxed() -> std::pin::Pin<Box<dyn Future<Output = u8> + Send>> {
        Box::pin(async {
            step!("in_future");
            yield_now().await;
            step!("done");
            6
        })
    }

    let (_, captured) = capture(|| {
        assert_eq!(Worker.run(), 5);
        assert_eq!(block_on(boxed()), 6);
    });
    let completed = flow_events(&captured, "flow_completed");
    let run = completed
        .iter()
        .find(|e| field(e, "flow") == "run")
        .unwrap();
    assert_eq!(field(run, "last_step"), "working");
    let boxed = completed
        .iter()
        .find(|e| field(e, "flow") == "boxed")
        .unwrap();
    assert_eq!(
        (field(boxed, "steps"), field(boxed, "last_step")),
        ("2", "done")
    );
}
