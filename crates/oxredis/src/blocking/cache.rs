//! The blocking client's invalidation connection: one RESP3 connection per client, read by a
//! background thread, that every pooled connection redirects its invalidations to (see
//! [`crate::cache`] for why). The decisions (what an invalidation does, when the cache flushes)
//! are the core's; this only keeps the socket read.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use crate::cache::{ClientCache, ReaderState};
use crate::config::{ConnectionConfig, Protocol};
use crate::push::PushRouter;
use crate::{Cmd, Error, ErrorKind, Result, Value};

use super::Connection;

/// How long one read of the invalidation connection waits before the thread looks for work
/// (a `sync_cache` barrier, a health check, the client gone). It bounds the extra latency of
/// [`Tracker::sync`].
const POLL: Duration = Duration::from_millis(5);
/// A quiet invalidation connection is PINGed this often, so a dead one is noticed (and the
/// cache flushed) even without traffic.
const HEALTH_CHECK: Duration = Duration::from_secs(1);
/// Longest wait between reconnect attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(1);

#[derive(Debug, Default)]
struct Barriers {
    started: bool,
    /// `sync` calls made; the thread sends a PING for the newest.
    requested: u64,
    /// The newest request whose PING reply has been read.
    done: u64,
}

/// The invalidation connection's owner (see the [module docs](self)).
#[derive(Debug)]
pub(crate) struct Tracker {
    config: ConnectionConfig,
    /// The client's router, marked as the tracking connection's.
    router: PushRouter,
    cache: Arc<ClientCache>,
    barriers: Mutex<Barriers>,
    reached: Condvar,
}

impl Tracker {
    /// A tracker for a client whose `router` holds `cache`; nothing is opened yet.
    pub(crate) fn new(
        config: ConnectionConfig,
        router: &PushRouter,
        cache: Arc<ClientCache>,
    ) -> Arc<Tracker> {
        Arc::new(Tracker {
            config,
            router: router.tracking(),
            cache,
            barriers: Mutex::new(Barriers::default()),
            reached: Condvar::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Barriers> {
        self.barriers.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Opens the invalidation connection (in the calling thread, so the first cacheable
    /// command is already cached) and starts its reader thread, once.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`] when the client is not RESP3; the connection's error.
    pub(crate) fn ensure_started(self: &Arc<Self>) -> Result<()> {
        let mut b = self.lock();
        if b.started {
            return Ok(());
        }
        if self.config.protocol != Protocol::Resp3 {
            return Err(Error::new(
                ErrorKind::InvalidConfig,
                "client-side caching needs RESP3 (protocol=3)",
            ));
        }
        let conn = self.open()?;
        let weak = Arc::downgrade(self);
        std::thread::Builder::new()
            .name("oxredis-invalidations".into())
            .spawn(move || run(&weak, Some(conn)))
            .map_err(|e| Error::with_source(ErrorKind::Connection, "cannot start thread", e))?;
        b.started = true;
        Ok(())
    }

    /// Connects, learns the connection's id and tells the cache invalidations now arrive.
    fn open(&self) -> Result<Connection> {
        let mut conn = Connection::connect_routed(&self.config, Some(self.router.clone()))?;
        let id: i64 = conn.execute(&Cmd::new("CLIENT ID"))?;
        self.cache.tracking_ready(Some(id));
        Ok(conn)
    }

    /// Makes `conn` redirect its invalidations to the current invalidation connection (once
    /// per epoch) and returns the epoch its reads are tracked in; `None` when the cache is
    /// down or the command failed (the read is then not cached).
    pub(crate) fn prepare(&self, conn: &mut Connection) -> Option<u64> {
        let (epoch, redirect) = self.cache.tracking_target()?;
        if conn.tracking_epoch == epoch {
            return Some(epoch);
        }
        conn.request(&self.cache.tracking_command(Some(redirect)))
            .ok()?;
        conn.tracking_epoch = epoch;
        Some(epoch)
    }

    /// Waits until one PING round trip on the invalidation connection has completed, so every
    /// invalidation the server sent before this call has been applied.
    ///
    /// # Errors
    /// [`ErrorKind::Timeout`] after `timeout`.
    pub(crate) fn sync(self: &Arc<Self>, timeout: Duration) -> Result<()> {
        self.ensure_started()?;
        let deadline = Instant::now().checked_add(timeout);
        let mut b = self.lock();
        b.requested += 1;
        let target = b.requested;
        while b.done < target {
            let left = match deadline {
                Some(d) => d.saturating_duration_since(Instant::now()),
                None => Duration::from_secs(3600),
            };
            if left.is_zero() {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    "the invalidation connection did not answer in time",
                ));
            }
            b = self
                .reached
                .wait_timeout(b, left)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
        Ok(())
    }
}

/// The reader thread: reads the invalidation connection until the client is gone, routing
/// pushes through the core and reconnecting (with the cache flushed) after a failure; when to
/// PING is the core's [`ReaderState`].
fn run(tracker: &Weak<Tracker>, mut conn: Option<Connection>) {
    let mut state = ReaderState::default();
    let mut failures = 0u32;
    loop {
        let Some(t) = tracker.upgrade() else {
            if let Some(c) = &conn {
                c.closed();
            }
            return;
        };
        let Some(c) = conn.as_mut() else {
            match t.open() {
                Ok(c) => {
                    conn = Some(c);
                    failures = 0;
                }
                Err(_) => {
                    failures = failures.saturating_add(1);
                    drop(t);
                    let wait = Duration::from_millis(20)
                        .saturating_mul(failures)
                        .min(MAX_BACKOFF);
                    std::thread::sleep(wait);
                }
            }
            continue;
        };
        if t.config
            .sentinel
            .as_ref()
            .is_some_and(|s| s.is_stale(c.sentinel_epoch))
        {
            // The sentinels named another primary: the reads go there now, and this server's
            // invalidations no longer cover them. Reconnect (to the new primary) with the
            // cache flushed, as after a lost connection.
            c.closed();
            conn = None;
            state.on_lost();
            continue;
        }
        let requested = t.lock().requested;
        let res = match state.next_ping(requested, c.idle_for(), HEALTH_CHECK) {
            Some(ping) => {
                c.queue(&ping);
                c.flush().map(|()| None)
            }
            None => c.read_frame_timeout(Some(POLL)),
        };
        match res {
            Ok(None) => {}
            Ok(Some(frame @ Value::Push(_))) => t.router.route(&frame),
            Ok(Some(_pong)) => {
                if let Some(target) = state.on_reply() {
                    let mut b = t.lock();
                    b.done = b.done.max(target);
                    drop(b);
                    t.reached.notify_all();
                }
            }
            Err(_) => {
                // Invalidations may have been lost: the core flushes the cache and stops
                // serving from it until the new connection is up.
                c.closed();
                conn = None;
                state.on_lost();
            }
        }
    }
}
