//! RESP3 push frames: where each one goes, decided once for every connection and both clients.
//!
//! # The policy
//! A push frame (`>` in RESP3) is never taken for a command's reply. Each one read on a data
//! connection is routed, in this order:
//! 1. to the client-side cache, when it is on and the push is `invalidate` or
//!    `tracking-redir-broken` (see [`cache`](crate::cache)); the cache applies it before any
//!    later reply of that connection is served;
//! 2. to the user's [`PushHandler`] (redis-py's `push_handler_func`), when one is set, with
//!    every push, invalidations included (after step 1 applied them);
//! 3. for the async client, to the receivers of `aio::Redis::push_receiver`, when there
//!    are any.
//!
//! A push that reaches none of them is **dropped and counted** (per client, read
//! through `Redis::dropped_pushes`): nothing is buffered where nobody could read it, so a flood
//! of pushes nobody asked for cannot grow memory. A [`PubSub`](crate::PubSub) consumes the
//! pushes of its subscriptions (messages, confirmations) itself; any other push it reads goes
//! through the same policy.
//!
//! The handler runs on the thread or task that reads the connection (for the async client, the
//! connection's driver task), between two replies: it must be quick and must not block. A panic
//! in it is caught and the push counted as dropped, so it cannot take the connection down.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::cache::ClientCache;
use crate::Value;

/// A function called with RESP3 push frames (redis-py's `push_handler_func`); see the
/// [module docs](self) for which pushes reach it and when.
///
/// # Examples
/// ```
/// use std::sync::{Arc, Mutex};
/// use oxredis::{PushHandler, Value};
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let log = Arc::clone(&seen);
/// let handler = PushHandler::new(move |push: &Value| log.lock().unwrap().push(push.clone()));
/// let r = oxredis::Redis::builder().protocol(oxredis::Protocol::Resp3).push_handler(handler).build();
/// # let _ = r;
/// ```
#[derive(Clone)]
pub struct PushHandler(Arc<dyn Fn(&Value) + Send + Sync>);

impl PushHandler {
    /// Wraps `f`.
    pub fn new(f: impl Fn(&Value) + Send + Sync + 'static) -> PushHandler {
        PushHandler(Arc::new(f))
    }

    /// Calls the handler; `false` when it panicked.
    fn call(&self, push: &Value) -> bool {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (self.0)(push))).is_ok()
    }
}

impl PartialEq for PushHandler {
    /// The same handler (one `Arc`).
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for PushHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PushHandler")
    }
}

/// A consumer besides the handler (the async client's broadcast channel): returns whether
/// anyone received the push.
pub(crate) type PushSink = Arc<dyn Fn(&Value) -> bool + Send + Sync>;

/// What a client's connections share: the handler, an extra sink, the count of dropped pushes.
#[derive(Default)]
struct Shared {
    handler: Option<PushHandler>,
    sink: Option<PushSink>,
    dropped: AtomicU64,
}

/// Routes push frames per the [module policy](self). Cheap to clone: the clones of one client
/// (one per connection) share the handler, the cache and the drop count.
#[derive(Clone, Default)]
pub(crate) struct PushRouter {
    shared: Arc<Shared>,
    cache: Option<Arc<ClientCache>>,
    /// Whether this connection is the one the cache's invalidations arrive on: when it
    /// closes, invalidations may have been lost, so the cache is flushed.
    tracking: bool,
}

impl std::fmt::Debug for PushRouter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushRouter")
            .field("handler", &self.shared.handler.is_some())
            .field("cache", &self.cache.is_some())
            .field("tracking", &self.tracking)
            .field("dropped", &self.dropped())
            .finish()
    }
}

impl PushRouter {
    /// A router for one client: its handler, an extra sink, its cache (if caching is on).
    pub(crate) fn new(
        handler: Option<PushHandler>,
        sink: Option<PushSink>,
        cache: Option<Arc<ClientCache>>,
    ) -> PushRouter {
        PushRouter {
            shared: Arc::new(Shared {
                handler,
                sink,
                dropped: AtomicU64::new(0),
            }),
            cache,
            tracking: false,
        }
    }

    /// The same router for the connection whose invalidations the cache relies on.
    pub(crate) fn tracking(&self) -> PushRouter {
        PushRouter {
            tracking: true,
            ..self.clone()
        }
    }

    /// The client's cache, when caching is on.
    pub(crate) fn cache(&self) -> Option<&Arc<ClientCache>> {
        self.cache.as_ref()
    }

    /// Pushes that reached no consumer (or whose handler panicked).
    pub(crate) fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    /// Routes one push frame (see the [module policy](self)).
    pub(crate) fn route(&self, push: &Value) {
        let mut consumed = false;
        if let Some(cache) = &self.cache {
            consumed |= cache.on_push(push);
        }
        if let Some(h) = &self.shared.handler {
            consumed = h.call(push);
        }
        if let Some(sink) = &self.shared.sink {
            consumed |= sink(push);
        }
        if !consumed {
            self.shared.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The connection closed or failed: when it carried the cache's invalidations, some may be
    /// lost, so the cache is flushed and stops serving until tracking is set up again.
    pub(crate) fn on_closed(&self) {
        if self.tracking {
            if let Some(cache) = &self.cache {
                cache.tracking_lost();
            }
        }
    }
}

/// The first element of a push frame (`invalidate`, `message`...), lower-cased as servers
/// send it; `None` for anything else.
pub(crate) fn push_kind(push: &Value) -> Option<&[u8]> {
    match push {
        Value::Push(items) => items.first().and_then(Value::as_bytes),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use std::sync::Mutex;

    fn push(kind: &'static str, payload: Value) -> Value {
        Value::Push(vec![
            Value::Bulk(Bytes::from_static(kind.as_bytes())),
            payload,
        ])
    }

    #[test]
    fn pushes_go_to_the_handler_else_are_counted_as_dropped() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let handler = PushHandler::new(move |p: &Value| log.lock().unwrap().push(p.clone()));
        let with = PushRouter::new(Some(handler), None, None);
        with.route(&push("message", Value::Int(1)));
        assert_eq!(*seen.lock().unwrap(), vec![push("message", Value::Int(1))]);
        assert_eq!(with.dropped(), 0);

        let without = PushRouter::new(None, None, None);
        without.route(&push("message", Value::Int(1)));
        without.tracking().route(&push("message", Value::Int(2)));
        assert_eq!(without.dropped(), 2, "clones share the count");
    }

    #[test]
    fn a_panicking_handler_is_contained_and_counted() {
        let r = PushRouter::new(Some(PushHandler::new(|_| panic!("boom"))), None, None);
        r.route(&push("message", Value::Nil));
        assert_eq!(r.dropped(), 1);
    }

    #[test]
    fn a_sink_with_no_receiver_counts_as_dropped() {
        let r = PushRouter::new(None, Some(Arc::new(|_: &Value| false)), None);
        r.route(&push("x", Value::Nil));
        let r2 = PushRouter::new(None, Some(Arc::new(|_: &Value| true)), None);
        r2.route(&push("x", Value::Nil));
        assert_eq!((r.dropped(), r2.dropped()), (1, 0));
    }

    #[test]
    fn push_kind_reads_the_first_element() {
        assert_eq!(
            push_kind(&push("invalidate", Value::Nil)),
            Some(&b"invalidate"[..])
        );
        assert_eq!(push_kind(&Value::Int(1)), None);
    }
}
