//! `labels(...)`: per-call metric labels, capped per call site with one `other` overflow set.

mod support;

use observe::observe;
use support::sample;

#[derive(Debug)]
struct Boom;

impl std::fmt::Display for Boom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("boom")
    }
}

struct Request {
    method: &'static str,
}

#[observe(counter = "lbl_requests", histogram = "lbl_request_ms", errors = "lbl_failures", labels(method = req.method, tier = tier))]
fn handle(req: &Request, tier: u8, fail: bool) -> Result<(), Boom> {
    if fail {
        Err(Boom)
    } else {
        Ok(())
    }
}

#[observe(counter = "lbl_capped", labels(id = id))]
fn capped(id: usize) {}

#[test]
fn labels_are_added_to_counter_histogram_and_errors() {
    handle(&Request { method: "GET" }, 1, false).unwrap();
    handle(&Request { method: "GET" }, 1, false).unwrap();
    handle(&Request { method: "POST" }, 2, true).unwrap_err();
    let get = [
        ("function", "handle"),
        ("method", "GET"),
        ("tier", "1"),
        ("result", "ok"),
    ];
    assert_eq!(sample("lbl_requests_total", &get), Some(2.0));
    assert_eq!(sample("lbl_request_ms_count", &get), Some(2.0));
    let post = [("method", "POST"), ("tier", "2"), ("result", "error")];
    assert_eq!(sample("lbl_requests_total", &post), Some(1.0));
    let failed = [
        ("method", "POST"),
        ("tier", "2"),
        ("error_type", "labels::Boom"),
    ];
    assert_eq!(sample("lbl_failures_total", &failed), Some(1.0));
    let text = observe::metrics::render();
    assert!(text.contains(r#"lbl_requests_total{function="handle",method="GET",module="labels",result="ok",tier="1"} 2"#), "{text}");
}

#[test]
fn distinct_label_sets_are_capped_and_overflow_into_other() {
    let limit = 100;
    for id in 0..limit + 5 {
        capped(id);
        capped(id);
    }
    for id in 0..limit {
        assert_eq!(
            sample(
                "lbl_capped_total",
                &[("id", &id.to_string()), ("result", "ok")]
            ),
            Some(2.0),
            "{id}"
        );
    }
    assert_eq!(
        sample("lbl_capped_total", &[("id", "100"), ("result", "ok")]),
        None
    );
    assert_eq!(
        sample("lbl_capped_total", &[("id", "other"), ("result", "ok")]),
        Some(10.0)
    );
}
