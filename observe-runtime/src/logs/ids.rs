//! The ids of a log line written inside a span: W3C-valid `trace_id` and `span_id`, given to a
//! span the first time a line is written inside it when no OpenTelemetry layer gives it any.

use tracing_subscriber::registry::{LookupSpan, Scope};

/// The ids of a span's log lines when no OpenTelemetry layer gives it any: kept in the span's
/// extensions once given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct LogIds {
    trace: u128,
    span: u64,
}

impl LogIds {
    /// The ids of the innermost span of `scope`, giving ids to the spans of the scope that
    /// have none yet, from the root down (a child takes its parent's trace id).
    pub(super) fn of<S: for<'a> LookupSpan<'a>>(scope: Scope<'_, S>) -> Option<LogIds> {
        let mut innermost: Option<LogIds> = None;
        for span in scope.from_root() {
            // A read lock on the common path: ids are given once per span, read on every line.
            let given = span.extensions().get::<LogIds>().copied();
            let ids = given.unwrap_or_else(|| {
                let ids = LogIds {
                    trace: innermost.map_or_else(new_trace_id, |parent| parent.trace),
                    span: nonzero(next_id),
                };
                span.extensions_mut().insert(ids);
                ids
            });
            innermost = Some(ids);
        }
        innermost
    }

    pub(super) fn to_hex(self) -> (String, String) {
        (
            format!("{:032x}", self.trace),
            format!("{:016x}", self.span),
        )
    }
}

/// A process-wide counter scrambled by a bijective mix with a per-process random key: ids that
/// never repeat within the process and are unpredictable across processes.
fn next_id() -> u64 {
    use std::hash::BuildHasher;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static KEY: OnceLock<u64> = OnceLock::new();
    let key = *KEY.get_or_init(|| {
        std::collections::hash_map::RandomState::new().hash_one(std::process::id())
    });
    crate::flow::splitmix64(COUNTER.fetch_add(1, Ordering::Relaxed) ^ key)
}

/// W3C trace context: an all-zero id is invalid.
fn nonzero(next: fn() -> u64) -> u64 {
    loop {
        let id = next();
        if id != 0 {
            return id;
        }
    }
}

fn new_trace_id() -> u128 {
    (u128::from(nonzero(next_id)) << 64) | u128::from(next_id())
}
