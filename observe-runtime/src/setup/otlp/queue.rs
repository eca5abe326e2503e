//! Bounded export queues whose drops are counted.
//!
//! The SDK's batch processors drop what does not fit their queue, but only log the first drop
//! and a total at shutdown. observe counts every drop as it happens, in
//! `observe_telemetry_dropped_total{signal, reason="queue_full"}`: a processor in front of the
//! SDK's admits an item only while fewer than the queue's size are pending (handed to the
//! processor and not yet taken by the exporter). The SDK's queue holds a subset of the pending
//! items, so it never overflows itself, and every item is either exported (or counted as
//! `export_failed`) or counted here. One atomic add per span or log record; no lock.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use opentelemetry::{Context, InstrumentationScope};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::logs::{LogBatch, LogExporter, LogProcessor, SdkLogRecord};
use opentelemetry_sdk::trace::{Span, SpanData, SpanExporter, SpanProcessor};
use opentelemetry_sdk::Resource;

/// The count of items between admission and export, shared by the processor and exporter.
#[derive(Debug)]
pub(crate) struct Pending {
    count: AtomicUsize,
    capacity: usize,
    signal: &'static str,
}

impl Pending {
    pub(crate) fn new(signal: &'static str, capacity: usize) -> Arc<Pending> {
        Arc::new(Pending {
            count: AtomicUsize::new(0),
            capacity,
            signal,
        })
    }

    /// Whether one more item fits; counts it as dropped when it does not.
    fn admit(&self) -> bool {
        if self.count.fetch_add(1, Ordering::AcqRel) < self.capacity {
            return true;
        }
        self.count.fetch_sub(1, Ordering::AcqRel);
        crate::metrics::telemetry_dropped(self.signal, "queue_full", 1);
        false
    }

    /// `export` carries `n` items that reached the exporter: they are no longer pending, and
    /// they count as dropped if the export fails.
    fn track(
        self: &Arc<Self>,
        n: usize,
        export: impl std::future::Future<Output = OTelSdkResult> + Send,
    ) -> impl std::future::Future<Output = OTelSdkResult> + Send {
        let _ = self
            .count
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |c| {
                Some(c.saturating_sub(n))
            });
        let pending = Arc::clone(self);
        async move {
            let result = export.await;
            if result.is_err() {
                crate::metrics::telemetry_dropped(pending.signal, "export_failed", n as u64);
            }
            result
        }
    }
}

/// A processor that admits items into `P` within the bound of [`Pending`].
#[derive(Debug)]
pub(crate) struct Admit<P> {
    pub(crate) inner: P,
    pub(crate) pending: Arc<Pending>,
}

/// An exporter that tells [`Pending`] what it took and what it failed to deliver.
#[derive(Debug)]
pub(crate) struct Counted<E> {
    pub(crate) inner: E,
    pub(crate) pending: Arc<Pending>,
}

impl<P: SpanProcessor> SpanProcessor for Admit<P> {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, span: SpanData) {
        if !span.span_context.is_sampled() || self.pending.admit() {
            self.inner.on_end(span);
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

impl<E: SpanExporter> SpanExporter for Counted<E> {
    fn export(
        &self,
        batch: Vec<SpanData>,
    ) -> impl std::future::Future<Output = OTelSdkResult> + Send {
        let n = batch.len();
        self.pending.track(n, self.inner.export(batch))
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

impl<P: LogProcessor> LogProcessor for Admit<P> {
    fn emit(&self, record: &mut SdkLogRecord, scope: &InstrumentationScope) {
        if self.pending.admit() {
            self.inner.emit(record, scope);
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

impl<E: LogExporter> LogExporter for Counted<E> {
    fn export(
        &self,
        batch: LogBatch<'_>,
    ) -> impl std::future::Future<Output = OTelSdkResult> + Send {
        let n = batch.iter().count();
        self.pending.track(n, self.inner.export(batch))
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU64;
    use std::sync::{mpsc, Mutex};

    use opentelemetry::trace::{Span as _, Tracer as _, TracerProvider as _};
    use opentelemetry_sdk::trace::SdkTracerProvider;

    use super::*;

    /// A collector that hangs until the gate opens.
    #[derive(Debug)]
    struct Slow {
        gate: Mutex<mpsc::Receiver<()>>,
        exported: Arc<AtomicU64>,
    }

    impl SpanExporter for Slow {
        async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
            let _ = self.gate.lock().unwrap().recv();
            self.exported
                .fetch_add(batch.len() as u64, Ordering::SeqCst);
            Ok(())
        }
    }

    fn dropped(reason: &str) -> u64 {
        crate::metrics::registry()
            .gather()
            .iter()
            .filter(|f| f.name() == "observe_telemetry_dropped_total")
            .flat_map(|f| f.get_metric())
            .filter(|m| {
                let labels: Vec<_> = m
                    .get_label()
                    .iter()
                    .map(|l| (l.name(), l.value()))
                    .collect();
                labels.contains(&("signal", "traces")) && labels.contains(&("reason", reason))
            })
            .map(|m| crate::metrics::model::counter(m) as u64)
            .sum()
    }

    #[test]
    fn a_full_queue_drops_without_blocking_and_counts_every_drop() {
        let exported = Arc::new(AtomicU64::new(0));
        let (open, gate) = mpsc::channel();
        let slow = Slow {
            gate: Mutex::new(gate),
            exported: exported.clone(),
        };
        let provider = SdkTracerProvider::builder()
            .with_span_processor(super::super::batch_spans(slow, 8))
            .build();
        let tracer = provider.tracer("test");
        let before = dropped("queue_full");
        // The exporter hangs: every span past the bound is dropped at once, none waits.
        for _ in 0..200 {
            tracer.start("work").end();
        }
        let dropped_now = dropped("queue_full") - before;
        assert!(dropped_now >= 200 - 2 * 8, "only {dropped_now} dropped");
        drop(open);
        provider.shutdown().unwrap();
        assert_eq!(exported.load(Ordering::SeqCst) + dropped_now, 200);
    }
}
