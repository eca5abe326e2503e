//! The span-only call: a call site without metrics and without a flow, while a subscriber
//! listens. Its success path is the span and nothing else (enter, exit, close), as cheap as
//! `#[tracing::instrument]`; any other ending (an error, a panic, a cancellation) turns it
//! into a full live call first, which records the outcome (`guard::upgrade`).

use tracing::Span;

use crate::site::Site;

pub(crate) struct SpanCall {
    pub(crate) site: &'static Site,
    pub(crate) span: Span,
    pub(crate) entered: bool,
    pub(crate) is_async: bool,
}

impl SpanCall {
    #[inline(always)]
    pub(crate) fn start(
        site: &'static Site,
        span: impl FnOnce() -> Span,
        is_async: bool,
    ) -> SpanCall {
        // (`Site::span` has installed the panic hook, which keeps panic messages for the
        // failure record.)
        SpanCall {
            site,
            span: span(),
            entered: false,
            is_async,
        }
    }

    #[inline]
    pub(crate) fn enter(&mut self) {
        if !self.entered {
            self.span
                .with_subscriber(|(id, dispatch)| dispatch.enter(id));
            self.entered = true;
        }
    }

    #[inline]
    pub(crate) fn exit(&mut self) {
        if self.entered {
            self.span
                .with_subscriber(|(id, dispatch)| dispatch.exit(id));
            self.entered = false;
        }
    }

    /// The call succeeded: leave and close the span.
    #[inline(always)]
    pub(crate) fn finish_ok(&mut self) {
        self.exit();
        // Dropped in place (the old span closes), not moved out first.
        self.span = Span::none();
    }
}
