//! The span-only call: a call site without metrics and without a flow, while a subscriber
//! listens. Its success path is the span and nothing else (enter, exit, close), as cheap as
//! `#[tracing::instrument]`; any other ending (an error, a panic, a cancellation) turns it
//! into a full live call first, which records the outcome (`guard::upgrade`).

use tracing::Span;

use crate::site::Site;

pub(crate) struct SpanOnly {
    pub(crate) site: &'static Site,
    pub(crate) span: Span,
    pub(crate) entered: bool,
    pub(crate) is_async: bool,
}

impl SpanOnly {
    #[inline(always)]
    pub(crate) fn start(
        site: &'static Site,
        span: impl FnOnce() -> Span,
        is_async: bool,
    ) -> SpanOnly {
        // (`Site::span` has installed the panic hook, which keeps panic messages for the
        // failure record.)
        SpanOnly {
            site,
            span: span(),
            entered: false,
            is_async,
        }
    }

    #[inline]
    pub(crate) fn enter(&mut self) {
        super::enter(&self.span, &mut self.entered);
    }

    #[inline]
    pub(crate) fn exit(&mut self) {
        super::exit(&self.span, &mut self.entered);
    }

    /// The call succeeded: leave and close the span.
    #[inline(always)]
    pub(crate) fn finish_ok(&mut self) {
        self.exit();
        // Dropped in place (the old span closes), not moved out first.
        self.span = Span::none();
    }
}
