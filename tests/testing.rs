//! `observe::testing`: captures see what ran inside them, redacted as every channel shows it,
//! and nothing of the captures running at the same time (in parallel tests, and on the
//! threads of a multi-threaded runtime).

use std::time::Duration;

use observe::testing::{capture, capture_async};
use observe::{observe, step, Redact};

// `customer` and `api_token` are only ever shown, redacted.
#[allow(dead_code)]
#[derive(Redact)]
struct Job {
    id: u64,
    #[redact(email)]
    customer: String,
    #[redact]
    api_token: String,
}

#[derive(Debug)]
struct JobError(u64);

impl std::fmt::Display for JobError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "job {} failed", self.0)
    }
}

#[observe(
    counter = "testing_jobs",
    histogram = "testing_job_ms",
    errors = "testing_jobs_failed",
    args(job, tag),
    flow
)]
async fn process(job: &Job, tag: u64) -> Result<u64, JobError> {
    tokio::time::sleep(Duration::from_millis(1)).await;
    step!("slept", tag);
    tokio::task::yield_now().await;
    if job.id % 2 == 1 {
        return Err(JobError(job.id));
    }
    Ok(job.id)
}

fn job(id: u64) -> Job {
    Job {
        id,
        customer: "alice@example.com".into(),
        api_token: "tok_live_123".into(),
    }
}

#[test]
fn a_capture_shows_spans_events_and_metrics_redacted() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let (out, captured) = runtime.block_on(capture_async(async {
        let _ = process(&job(3), 7).await;
        process(&job(4), 8).await
    }));
    assert_eq!(out.ok(), Some(4));
    assert_eq!(captured.spans().len(), 2, "{captured:?}");
    let failed = captured.span("process");
    failed.assert_error();
    assert_eq!(failed.field("tag"), Some("7"));
    let shown = failed.field("job").unwrap();
    assert!(
        shown.contains("a***@example.com") && shown.contains("[REDACTED]"),
        "{shown}"
    );
    let messages: Vec<&str> = failed.events().iter().map(|e| e.message()).collect();
    assert_eq!(
        messages,
        ["flow_started", "flow_step", "exception", "flow_failed"]
    );
    assert_eq!(
        failed.events()[2].field("exception.message"),
        Some("job 3 failed")
    );
    assert_eq!(failed.events()[2].level(), tracing::Level::ERROR);
    assert!(!captured.spans()[1].is_error());
    assert_eq!(captured.events().len(), 7);
    assert_eq!(
        captured.counter("testing_jobs_total", &[("result", "ok")]),
        1.0
    );
    assert_eq!(
        captured.counter("testing_jobs_total", &[("result", "error")]),
        1.0
    );
    assert_eq!(captured.counter("testing_jobs_total", &[]), 2.0);
    assert_eq!(
        captured.counter(
            "testing_jobs_failed_total",
            &[("error_type", "testing::JobError")]
        ),
        1.0
    );
    assert_eq!(
        captured.histogram_count("testing_job_ms", &[("function", "process")]),
        2
    );
    captured.assert_no_secret("tok_live_123");
    captured.assert_no_secret("alice@");
}

#[test]
fn parallel_captures_on_a_multi_threaded_runtime_are_isolated() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_time()
        .build()
        .unwrap();
    let results = runtime.block_on(async {
        let tasks: Vec<_> = (0..32u64)
            .map(|tag| {
                tokio::spawn(capture_async(async move {
                    for _ in 0..3 {
                        let _ = process(&job(tag * 2), tag).await;
                    }
                }))
            })
            .collect();
        let mut results = Vec::new();
        for (tag, task) in tasks.into_iter().enumerate() {
            results.push((tag as u64, task.await.unwrap().1));
        }
        results
    });
    for (tag, captured) in results {
        let tag = tag.to_string();
        assert_eq!(captured.spans().len(), 3, "{captured:?}");
        assert!(captured
            .spans()
            .iter()
            .all(|s| s.field("tag") == Some(tag.as_str())));
        let steps: Vec<_> = captured
            .events()
            .iter()
            .filter(|e| e.message() == "flow_step")
            .collect();
        assert_eq!(steps.len(), 3);
        assert!(steps.iter().all(|e| e.field("tag") == Some(tag.as_str())));
        assert_eq!(captured.counter("testing_jobs_total", &[]), 3.0);
    }
}

#[observe(counter = "testing_sync_calls")]
fn sync_call(n: u32) -> u32 {
    n + 1
}

#[test]
fn nested_captures_give_the_inner_one_its_own_records() {
    let ((inner_out, inner), outer) = capture(|| {
        sync_call(1);
        capture(|| sync_call(2))
    });
    assert_eq!(inner_out, 3);
    assert_eq!(inner.spans().len(), 1);
    assert_eq!(outer.spans().len(), 2);
    assert_eq!(inner.counter("testing_sync_calls_total", &[]), 1.0);
    assert_eq!(outer.counter("testing_sync_calls_total", &[]), 2.0);
}

#[test]
fn a_capture_that_panics_unwinds_and_leaves_no_capture_behind() {
    let unwound = std::panic::catch_unwind(|| capture(|| panic!("inside")));
    assert!(unwound.is_err());
    // The next capture on this thread starts empty, and nothing outside a capture is kept.
    sync_call(0);
    let ((), captured) = capture(|| {});
    assert!(captured.spans().is_empty() && captured.events().is_empty());
    assert_eq!(captured.counter("testing_sync_calls_total", &[]), 0.0);
}

#[test]
fn a_missing_span_lists_what_was_captured() {
    let (_, captured) = capture(|| sync_call(5));
    let message = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = captured.span("nope");
    }))
    .unwrap_err();
    let text = message.downcast_ref::<String>().unwrap();
    assert!(
        text.contains("no span named `nope`") && text.contains("sync_call"),
        "{text}"
    );
}

#[test]
fn debug_is_stable_and_has_no_timings() {
    let render = || format!("{:?}", capture(|| sync_call(5)).1);
    let first = render();
    assert_eq!(first, render());
    assert!(first.contains("span #0 INFO sync_call"), "{first}");
    assert!(!first.contains("elapsed"), "{first}");
}

#[observe]
fn outer_call() -> u32 {
    sync_call(1) + sync_call(2)
}

#[test]
fn ids_count_per_capture_and_children_share_their_root_trace() {
    let (_, first) = capture(|| {
        outer_call();
        sync_call(3)
    });
    let ids: Vec<(usize, usize)> = first
        .spans()
        .iter()
        .map(|s| (s.id(), s.trace_id()))
        .collect();
    // outer_call (root), its two children, then a second root.
    assert_eq!(ids, [(0, 0), (1, 0), (2, 0), (3, 3)], "{first:?}");
    assert_eq!(first.spans()[1].parent(), Some("outer_call"));
    // A second capture counts from 0 again, and its text is the same.
    let (_, second) = capture(|| {
        outer_call();
        sync_call(3)
    });
    assert_eq!(format!("{first:?}"), format!("{second:?}"));
    assert!(format!("{first:?}").contains("span #1 (trace #0) INFO sync_call"));
}

#[test]
fn timings_are_there_for_whoever_asks() {
    let before = std::time::SystemTime::now();
    let (_, captured) = capture(|| {
        let span = tracing::info_span!("still_open");
        let _entered = span.enter();
        tracing::info!("inside");
        std::mem::forget(span.clone());
        sync_call(1)
    });
    let call = captured.span("sync_call");
    assert!(call.is_closed());
    assert!(call.duration().is_some());
    assert!(call.started_at() >= before);
    let open = captured.span("still_open");
    assert!(captured.events()[0].timestamp() >= open.started_at());
    assert!(call.started_at() >= captured.events()[0].timestamp());
    assert!(
        !open.is_closed() && open.duration().is_none(),
        "{captured:?}"
    );
}

#[observe]
fn fails() -> Result<(), JobError> {
    Err(JobError(7))
}

#[test]
fn status_description_is_the_failure_text() {
    let (_, captured) = capture(|| {
        let _ = fails();
        sync_call(1)
    });
    let failed = captured.span("fails").assert_error();
    assert_eq!(failed.status_description(), Some("job 7 failed"));
    assert_eq!(captured.span("sync_call").status_description(), None);
}
