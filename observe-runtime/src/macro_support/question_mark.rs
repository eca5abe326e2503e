//! The `?` operator, spelled out, for the body of a synchronous `#[observe]` function.
//!
//! `expr?` in such a body becomes
//! `match Branch::__observe_branch(expr) { Continue(v) => v, Break(r) => break 'body FromResidual::__observe_from_residual(r) }`,
//! so that an early error exit still passes the one point where the outcome is recorded,
//! without wrapping the body in a closure. The traits mirror the unstable `Try` and
//! `FromResidual` for every type `?` works on in stable Rust.

use std::convert::Infallible;
use std::ops::ControlFlow;
use std::task::Poll;

/// Splits a value into the one `?` continues with or the residual it returns early with.
#[diagnostic::on_unimplemented(
    message = "the `?` operator can only be applied to values that implement `Try`",
    label = "the `?` operator cannot be applied to type `{Self}`"
)]
pub trait Branch {
    /// What `expr?` evaluates to.
    type Output;
    /// What the function returns early with.
    type Residual;
    /// `Continue(output)` or `Break(residual)`.
    fn __observe_branch(self) -> ControlFlow<Self::Residual, Self::Output>;
}

/// Builds the early return value from a residual (with `From` for errors).
#[diagnostic::on_unimplemented(
    message = "the `?` operator can only be used in a function that returns `Result` or `Option` (or another type that implements `FromResidual`)",
    label = "this function should return `Result` or `Option` to accept `?`"
)]
pub trait FromResidual<R> {
    /// The early return value.
    fn __observe_from_residual(residual: R) -> Self;
}

impl<T, E> Branch for Result<T, E> {
    type Output = T;
    type Residual = Result<Infallible, E>;
    #[inline]
    fn __observe_branch(self) -> ControlFlow<Self::Residual, T> {
        match self {
            Ok(v) => ControlFlow::Continue(v),
            Err(e) => ControlFlow::Break(Err(e)),
        }
    }
}

impl<T> Branch for Option<T> {
    type Output = T;
    type Residual = Option<Infallible>;
    #[inline]
    fn __observe_branch(self) -> ControlFlow<Self::Residual, T> {
        match self {
            Some(v) => ControlFlow::Continue(v),
            None => ControlFlow::Break(None),
        }
    }
}

impl<B, C> Branch for ControlFlow<B, C> {
    type Output = C;
    type Residual = ControlFlow<B, Infallible>;
    #[inline]
    fn __observe_branch(self) -> ControlFlow<Self::Residual, C> {
        match self {
            ControlFlow::Continue(c) => ControlFlow::Continue(c),
            ControlFlow::Break(b) => ControlFlow::Break(ControlFlow::Break(b)),
        }
    }
}

impl<T, E> Branch for Poll<Result<T, E>> {
    type Output = Poll<T>;
    type Residual = Result<Infallible, E>;
    #[inline]
    fn __observe_branch(self) -> ControlFlow<Self::Residual, Poll<T>> {
        match self {
            Poll::Ready(Ok(v)) => ControlFlow::Continue(Poll::Ready(v)),
            Poll::Ready(Err(e)) => ControlFlow::Break(Err(e)),
            Poll::Pending => ControlFlow::Continue(Poll::Pending),
        }
    }
}

impl<T, E> Branch for Poll<Option<Result<T, E>>> {
    type Output = Poll<Option<T>>;
    type Residual = Result<Infallible, E>;
    #[inline]
    fn __observe_branch(self) -> ControlFlow<Self::Residual, Poll<Option<T>>> {
        match self {
            Poll::Ready(Some(Ok(v))) => ControlFlow::Continue(Poll::Ready(Some(v))),
            Poll::Ready(Some(Err(e))) => ControlFlow::Break(Err(e)),
            Poll::Ready(None) => ControlFlow::Continue(Poll::Ready(None)),
            Poll::Pending => ControlFlow::Continue(Poll::Pending),
        }
    }
}

impl<T, E, F: From<E>> FromResidual<Result<Infallible, E>> for Result<T, F> {
    #[inline]
    fn __observe_from_residual(residual: Result<Infallible, E>) -> Self {
        match residual {
            Err(e) => Err(From::from(e)),
            Ok(never) => match never {},
        }
    }
}

impl<T> FromResidual<Option<Infallible>> for Option<T> {
    #[inline]
    fn __observe_from_residual(_: Option<Infallible>) -> Self {
        None
    }
}

impl<B, C> FromResidual<ControlFlow<B, Infallible>> for ControlFlow<B, C> {
    #[inline]
    fn __observe_from_residual(residual: ControlFlow<B, Infallible>) -> Self {
        match residual {
            ControlFlow::Break(b) => ControlFlow::Break(b),
            ControlFlow::Continue(never) => match never {},
        }
    }
}

impl<T, E, F: From<E>> FromResidual<Result<Infallible, E>> for Poll<Result<T, F>> {
    #[inline]
    fn __observe_from_residual(residual: Result<Infallible, E>) -> Self {
        Poll::Ready(FromResidual::__observe_from_residual(residual))
    }
}

impl<T, E, F: From<E>> FromResidual<Result<Infallible, E>> for Poll<Option<Result<T, F>>> {
    #[inline]
    fn __observe_from_residual(residual: Result<Infallible, E>) -> Self {
        Poll::Ready(Some(FromResidual::__observe_from_residual(residual)))
    }
}
