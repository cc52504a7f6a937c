//! A minimal boxed "unfold" stream: state plus an async step function, so the public streams
//! ([`ScanStream`](super::ScanStream), [`PubSubStream`](super::PubSubStream),
//! [`MessageStream`](super::MessageStream)) are written as plain `async` code and still
//! implement [`futures_core::Stream`] without a `futures-util` dependency.

use std::task::{Context, Poll};

use super::BoxFuture;

/// One step: consumes the state and gives it back with the next item, or `None` at the end.
pub(crate) type Step<'a, S, T> = fn(S) -> BoxFuture<'a, (Option<T>, S)>;

pub(crate) struct Unfold<'a, S, T> {
    /// The state between items; `None` while a step is running.
    state: Option<S>,
    step: Step<'a, S, T>,
    running: Option<BoxFuture<'a, (Option<T>, S)>>,
    done: bool,
}

impl<'a, S, T> Unfold<'a, S, T> {
    pub(crate) fn new(state: S, step: Step<'a, S, T>) -> Self {
        Unfold {
            state: Some(state),
            step,
            running: None,
            done: false,
        }
    }

    /// The state, when no step is in progress.
    pub(crate) fn state(&self) -> Option<&S> {
        self.state.as_ref()
    }

    /// The state, unless a step was abandoned half-way (its future dropped).
    pub(crate) fn into_state(self) -> Option<S> {
        self.state
    }

    pub(crate) fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        if self.done {
            return Poll::Ready(None);
        }
        if self.running.is_none() {
            let Some(state) = self.state.take() else {
                return Poll::Ready(None);
            };
            self.running = Some((self.step)(state));
        }
        let Some(fut) = self.running.as_mut() else {
            return Poll::Ready(None);
        };
        match fut.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready((item, state)) => {
                self.running = None;
                self.state = Some(state);
                self.done = item.is_none();
                Poll::Ready(item)
            }
        }
    }

    pub(crate) async fn next(&mut self) -> Option<T> {
        std::future::poll_fn(|cx| self.poll_next(cx)).await
    }
}

/// Implements `Debug`, `Stream` and an inherent `next()` for a wrapper struct whose field
/// `inner` is an [`Unfold`].
macro_rules! unfold_stream {
    ($ty:ident $(<$($g:tt),+>)? => $item:ty $(where $($bounds:tt)+)?) => {
        impl $(<$($g),+>)? ::std::fmt::Debug for $ty $(<$($g),+>)? {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($ty))
                    .field("reading", &self.inner.state().is_none())
                    .finish_non_exhaustive()
            }
        }

        impl $(<$($g),+>)? ::futures_core::Stream for $ty $(<$($g),+>)? $(where $($bounds)+)? {
            type Item = $item;

            fn poll_next(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<Option<$item>> {
                self.get_mut().inner.poll_next(cx)
            }
        }

        impl $(<$($g),+>)? $ty $(<$($g),+>)? $(where $($bounds)+)? {
            /// The next item, or `None` at the end (the same as `StreamExt::next`, without
            /// needing `futures-util`).
            pub async fn next(&mut self) -> Option<$item> {
                self.inner.next().await
            }
        }
    };
}
pub(crate) use unfold_stream;
