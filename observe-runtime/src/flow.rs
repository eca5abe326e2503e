//! Flows: a call of a `#[observe(flow)]` function with a fresh `flow_id`, and the steps
//! recorded inside it by `observe::step!`.
//!
//! While a flow's call runs on a thread (the whole call for a synchronous function, each poll
//! for a future) its frame is on top of that thread's flow stack, so a step anywhere below it
//! (helpers, other modules, across `.await`) finds it with no lock and no allocation. Frames
//! are copied back into the call's guard when the poll ends; two flows interleaved in one task
//! (`join!`) or a task moving between threads each find their own frame. Nested flows push on
//! top: steps belong to the innermost.

use std::cell::RefCell;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use tracing::field::{display, DisplayValue};
use tracing_core::span::Id;

/// `last_step` of a flow that ended before its first step.
pub(crate) const NO_STEP: &str = "none";

/// The state of one flow call.
#[derive(Clone)]
pub(crate) struct Frame {
    pub(crate) name: &'static str,
    pub(crate) id: FlowId,
    pub(crate) steps: u32,
    pub(crate) last_step: &'static str,
    pub(crate) start: quanta::Instant,
    pub(crate) span: Option<Id>,
    /// The text of the flow's secret parameters, captured when steps can be recorded, so that
    /// step values that contain them are scrubbed.
    pub(crate) secrets: Option<Arc<[String]>>,
}

impl Frame {
    pub(crate) fn new(name: &'static str, start: quanta::Instant, span: Option<Id>) -> Frame {
        Frame {
            name,
            id: FlowId::next(),
            steps: 0,
            last_step: NO_STEP,
            start,
            span,
            secrets: None,
        }
    }

    pub(crate) fn elapsed_ms(&self) -> f64 {
        millis(self.start)
    }
}

fn millis(start: quanta::Instant) -> f64 {
    let micros = start.elapsed().as_micros();
    // Microsecond precision is plenty for log lines and keeps the numbers short.
    (micros as f64) / 1000.0
}

/// A flow id: 16 lowercase hex digits, unique within the process and unpredictable across
/// processes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct FlowId(u64);

impl FlowId {
    /// A new id: a process-wide counter (no lock, never repeats) scrambled by a bijective
    /// mix with a per-process random key.
    fn next() -> FlowId {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        static KEY: OnceLock<u64> = OnceLock::new();
        let key = *KEY.get_or_init(|| RandomState::new().hash_one(std::process::id()));
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        FlowId(splitmix64(n ^ key))
    }
}

/// A bijection on u64 (the splitmix64 finalizer): distinct inputs give distinct ids.
pub(crate) fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl fmt::Display for FlowId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl fmt::Debug for FlowId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

thread_local! {
    static STACK: RefCell<Vec<Frame>> = const { RefCell::new(Vec::new()) };
}

/// Puts `frame` on top of this thread's flow stack.
pub(crate) fn push(frame: &Frame) {
    let _ = STACK.try_with(|stack| stack.borrow_mut().push(frame.clone()));
}

/// Takes the frame of flow `id` off this thread's stack (normally the top one) and writes
/// its progress back into `frame`.
pub(crate) fn pop(frame: &mut Frame) {
    let _ = STACK.try_with(|stack| {
        let mut stack = stack.borrow_mut();
        if let Some(i) = stack.iter().rposition(|f| f.id == frame.id) {
            let current = stack.remove(i);
            frame.steps = current.steps;
            frame.last_step = current.last_step;
        }
    });
}

/// Sets the secrets of flow `frame` on this thread's stack, if its frame is there.
pub(crate) fn set_secrets(frame: &Frame) {
    let _ = STACK.try_with(|stack| {
        if let Some(current) = stack
            .borrow_mut()
            .iter_mut()
            .rev()
            .find(|f| f.id == frame.id)
        {
            current.secrets.clone_from(&frame.secrets);
        }
    });
}

/// A recorded field value: the current flow's secret parameter values replaced, then the
/// scrubber applied.
pub(crate) fn scrub_field(text: &str) -> String {
    let mut text = text.to_owned();
    if let Some(secrets) = current_secrets() {
        for secret in secrets.iter() {
            text = crate::redact::without(text, secret);
        }
    }
    crate::redact::scrub::scrub(&text).into_owned()
}

/// The secrets of this thread's innermost flow.
pub(crate) fn current_secrets() -> Option<Arc<[String]>> {
    STACK
        .try_with(|stack| stack.borrow().last().and_then(|f| f.secrets.clone()))
        .ok()
        .flatten()
}

/// Progress of flow `id` while its frame is on this thread's stack.
pub(crate) fn read(frame: &mut Frame) {
    let _ = STACK.try_with(|stack| {
        if let Some(current) = stack.borrow().iter().rev().find(|f| f.id == frame.id) {
            frame.steps = current.steps;
            frame.last_step = current.last_step;
        }
    });
}

/// One `step!`: counted in the innermost flow of this thread, if there is one.
pub struct Step {
    flow: Option<(&'static str, FlowId, u32, quanta::Instant, Option<Id>)>,
}

impl Step {
    /// Records step `name` in the current flow.
    pub fn record(name: &'static str) -> Step {
        let flow = STACK
            .try_with(|stack| {
                let mut stack = stack.borrow_mut();
                let frame = stack.last_mut()?;
                frame.steps += 1;
                frame.last_step = name;
                Some((
                    frame.name,
                    frame.id,
                    frame.steps,
                    frame.start,
                    frame.span.clone(),
                ))
            })
            .ok()
            .flatten();
        Step { flow }
    }

    /// The flow's span (the event's parent), else the current span.
    pub fn parent(&self) -> Option<Id> {
        match &self.flow {
            Some((.., Some(span))) => Some(span.clone()),
            _ => tracing::Span::current().id(),
        }
    }

    /// `flow`: the flow's name; absent outside a flow.
    pub fn flow(&self) -> Option<&'static str> {
        self.flow.as_ref().map(|f| f.0)
    }

    /// `flow_id`; absent outside a flow.
    pub fn flow_id(&self) -> Option<DisplayValue<FlowId>> {
        self.flow.as_ref().map(|f| display(f.1))
    }

    /// `step_index`: 1 for the first step of the flow.
    pub fn index(&self) -> Option<u32> {
        self.flow.as_ref().map(|f| f.2)
    }

    /// `elapsed_ms`: since the flow started (read only when the event is recorded).
    pub fn elapsed_ms(&self) -> Option<f64> {
        self.flow.as_ref().map(|f| millis(f.3))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_ids_are_16_lowercase_hex_and_distinct() {
        let ids: std::collections::HashSet<String> =
            (0..10_000).map(|_| FlowId::next().to_string()).collect();
        assert_eq!(ids.len(), 10_000);
        for id in ids.iter().take(100) {
            assert_eq!(id.len(), 16);
            assert!(
                id.chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
                "{id}"
            );
        }
    }
}
