//! A thread-safe connection pool, optionally blocking when exhausted.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::cache::ClientCache;
use crate::config::ConnectionConfig;
use crate::push::PushRouter;
use crate::{Cmd, Error, ErrorKind, Result};

use super::cache::Tracker;
use super::Connection;

/// A snapshot of a pool's counters ([`ConnectionPool::stats`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PoolStats {
    /// Connections that exist: idle, checked out, or being opened.
    pub open: usize,
    /// Idle connections.
    pub idle: usize,
    /// Threads waiting for a connection to come back (the pool is at `max_connections`).
    pub waiting: usize,
    /// Checkouts that succeeded, since the pool was made.
    pub checkouts: u64,
    /// Checkouts that had to wait for a connection to come back.
    pub waited_checkouts: u64,
    /// Total time checkouts spent waiting for a connection to come back.
    pub wait_time: Duration,
    /// Longest single wait.
    pub max_wait: Duration,
    /// Checkouts that failed with [`ErrorKind::PoolExhausted`].
    pub exhausted: u64,
}

/// Counters kept outside the pool's lock.
#[derive(Debug, Default)]
struct Counters {
    checkouts: AtomicU64,
    waited: AtomicU64,
    wait_nanos: AtomicU64,
    max_wait_nanos: AtomicU64,
    exhausted: AtomicU64,
}

/// Idle connections older than this are probed (a non-blocking peek) before reuse, so a server
/// restart is noticed before a command is written to a dead socket (a write that cannot be
/// re-sent). Younger ones are probed only after a sibling failed (see [`State::generation`]):
/// back-to-back commands skip the probe's system calls, and after 1 ms idle they cost well
/// under 0.1 % of the wait.
const PROBE_AFTER_IDLE: Duration = Duration::from_millis(1);

#[derive(Debug, Default)]
struct State {
    /// Idle connections, each with the generation it was last known good in. Boxed, so a
    /// checkout or return moves a pointer, not the connection's buffers and state.
    idle: Vec<(Box<Connection>, u64)>,
    /// Connections that exist: idle, checked out, or being opened.
    open: usize,
    /// Bumped whenever a connection comes back broken: connections last known good in an
    /// older generation may have died with it (a server restart kills them all), so they are
    /// probed before reuse. After a restart, one command fails, not one per pooled connection.
    generation: u64,
    /// Sentinel-managed pools: the service epoch the idle connections were last swept at.
    sentinel_epoch: u64,
    /// Threads waiting in `get` for a connection to come back: a return wakes one only when
    /// there is one (std's `Condvar::notify_one` makes a system call even with no waiter).
    waiters: usize,
}

impl State {
    /// Whether a waiting thread should be woken after a change.
    fn has_waiters(&self) -> bool {
        self.waiters > 0
    }
}

/// A pool of connections to one server, shared by threads.
///
/// `max_connections` bounds how many exist at once. When they are all in use, checkout waits
/// up to `pool_timeout` (default [`DEFAULT_POOL_TIMEOUT`](crate::config::DEFAULT_POOL_TIMEOUT))
/// for one to come back, as redis-py's `BlockingConnectionPool` and Rust's r2d2/bb8 do, then
/// fails with [`ErrorKind::PoolExhausted`]; with `pool_timeout: None`
/// ([`ClientBuilder::pool_fail_fast`](crate::ClientBuilder::pool_fail_fast)) it
/// fails at once, as redis-py's plain `ConnectionPool` does.
///
/// A connection that saw an I/O error, a timeout or a protocol error is dropped on return,
/// never reused, and its idle siblings are probed before their next use (a restarted server
/// closed them all).
#[derive(Debug)]
pub struct ConnectionPool {
    config: ConnectionConfig,
    state: Mutex<State>,
    returned: Condvar,
    /// Push routing shared by the pool's connections (handler, cache, drop count).
    router: PushRouter,
    /// The invalidation connection, when client-side caching is on.
    tracker: Option<Arc<Tracker>>,
    counters: Counters,
}

impl ConnectionPool {
    /// A pool for `config`; no connection is opened until the first checkout.
    pub fn new(config: ConnectionConfig) -> Arc<ConnectionPool> {
        let cache = config.cache.clone().map(ClientCache::new);
        let router = PushRouter::new(config.push_handler.clone(), None, cache.clone());
        let tracker = cache.map(|c| Tracker::new(config.clone(), &router, c));
        Arc::new(ConnectionPool {
            config,
            state: Mutex::new(State::default()),
            returned: Condvar::new(),
            router,
            tracker,
            counters: Counters::default(),
        })
    }

    /// The client-side cache, when caching is on.
    pub(crate) fn cache(&self) -> Option<&Arc<ClientCache>> {
        self.router.cache()
    }

    /// The invalidation connection's owner, when caching is on.
    pub(crate) fn tracker(&self) -> Option<&Arc<Tracker>> {
        self.tracker.as_ref()
    }

    /// Whether `cmd` goes through the client-side cache: the tracker and the cache when
    /// caching is on, the cache keeps `cmd` and the invalidation connection is up (started
    /// here on first use). `None` runs it uncached: no cache, a command it does not keep, or
    /// no invalidation connection (the server is down?), in which case the next cacheable
    /// command tries again.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`] when caching cannot work on this pool (not RESP3).
    pub(crate) fn cache_route(
        &self,
        cmd: &Cmd,
    ) -> Result<Option<(&Arc<Tracker>, &Arc<ClientCache>)>> {
        let (Some(tracker), Some(cache)) = (self.tracker(), self.cache()) else {
            return Ok(None);
        };
        if !cache.wants(cmd) {
            return Ok(None);
        }
        match tracker.ensure_started() {
            Ok(()) => Ok(Some((tracker, cache))),
            Err(e) if e.kind() == ErrorKind::InvalidConfig => Err(e),
            Err(_) => Ok(None),
        }
    }

    /// Waits until every invalidation the server sent before this call has been applied to the
    /// cache (one PING round trip on the invalidation connection); nothing without a cache.
    ///
    /// # Errors
    /// [`ErrorKind::Timeout`] when the invalidation connection does not answer within the
    /// socket timeout (10 s without one); [`ErrorKind::InvalidConfig`] when not RESP3.
    pub(crate) fn sync_cache(&self) -> Result<()> {
        match self.tracker() {
            Some(t) => t.sync(
                self.config
                    .socket_timeout
                    .unwrap_or(Duration::from_secs(10)),
            ),
            None => Ok(()),
        }
    }

    /// Push frames read on the pool's connections that reached no consumer (see the
    /// [push policy](crate::push)).
    pub fn dropped_pushes(&self) -> u64 {
        self.router.dropped()
    }

    /// The pool's counters: connections open, idle and waited for, checkouts and the time
    /// they waited.
    pub fn stats(&self) -> PoolStats {
        let (open, idle, waiting) = {
            let s = self.lock();
            (s.open, s.idle.len(), s.waiters)
        };
        let c = &self.counters;
        PoolStats {
            open,
            idle,
            waiting,
            checkouts: c.checkouts.load(Ordering::Relaxed),
            waited_checkouts: c.waited.load(Ordering::Relaxed),
            wait_time: Duration::from_nanos(c.wait_nanos.load(Ordering::Relaxed)),
            max_wait: Duration::from_nanos(c.max_wait_nanos.load(Ordering::Relaxed)),
            exhausted: c.exhausted.load(Ordering::Relaxed),
        }
    }

    /// Records a checkout's outcome and, when it waited (`since`), the time it waited.
    fn count_checkout<T>(&self, res: Result<T>, since: Option<Instant>) -> Result<T> {
        let c = &self.counters;
        match &res {
            Ok(_) => {
                c.checkouts.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) if e.kind() == ErrorKind::PoolExhausted => {
                c.exhausted.fetch_add(1, Ordering::Relaxed);
            }
            Err(_) => {}
        }
        if let Some(since) = since {
            let nanos = u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX);
            c.waited.fetch_add(1, Ordering::Relaxed);
            c.wait_nanos.fetch_add(nanos, Ordering::Relaxed);
            c.max_wait_nanos.fetch_max(nanos, Ordering::Relaxed);
        }
        res
    }

    /// The settings connections are made with.
    pub fn config(&self) -> &ConnectionConfig {
        &self.config
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave `State` inconsistent (every update is a
        // single push/pop or counter change), so a poisoned lock is safe to keep using.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Number of connections that exist (idle or in use).
    pub fn open_connections(&self) -> usize {
        self.lock().open
    }

    /// Number of idle connections.
    pub fn idle_connections(&self) -> usize {
        self.lock().idle.len()
    }

    /// Drops every idle connection (connections in use are dropped when returned if broken).
    pub fn disconnect(&self) {
        let mut state = self.lock();
        let n = state.idle.len();
        state.idle.clear();
        state.generation += 1;
        state.open -= n;
        let wake = state.has_waiters();
        drop(state);
        if wake {
            self.returned.notify_all();
        }
    }

    /// Takes a connection out of the pool, opening one if needed.
    ///
    /// # Errors
    /// [`ErrorKind::PoolExhausted`] when `max_connections` are in use (after `pool_timeout`
    /// when set), or the error of opening a new connection.
    pub fn get(self: &Arc<Self>) -> Result<PooledConnection> {
        let mut waited = None;
        let res = self.checkout(&mut waited);
        self.count_checkout(res, waited)
    }

    /// [`get`](Self::get); `waited` is set to when it first had to wait.
    fn checkout(self: &Arc<Self>, waited: &mut Option<Instant>) -> Result<PooledConnection> {
        // `None`: fail at once; `Some(None)`: a wait too long to represent, so no deadline.
        let deadline = self
            .config
            .pool_timeout
            .map(|t| Instant::now().checked_add(t));
        let mut state = self.lock();
        loop {
            if let Some(target) = &self.config.sentinel {
                let epoch = target.epoch();
                if epoch != state.sentinel_epoch {
                    // The primary changed: every idle connection made before goes now, not
                    // only those popped (the others would linger, open to the old primary).
                    state.sentinel_epoch = epoch;
                    let before = state.idle.len();
                    state
                        .idle
                        .retain(|(c, _)| !target.is_stale(c.sentinel_epoch));
                    state.open -= before - state.idle.len();
                }
            }
            if let Some((conn, known_good)) = state.idle.pop() {
                let suspect = known_good < state.generation;
                drop(state);
                match self.revalidate(conn, suspect) {
                    Some(conn) => return Ok(self.wrap(conn)),
                    None => {
                        state = self.lock();
                        state.open -= 1;
                        continue;
                    }
                }
            }
            if state.open < self.config.max_connections {
                state.open += 1;
                drop(state);
                return match Connection::connect_routed(&self.config, Some(self.router.clone())) {
                    Ok(conn) => Ok(self.wrap(Box::new(conn))),
                    Err(e) => {
                        self.release_slot();
                        Err(e)
                    }
                };
            }
            let Some(deadline) = deadline else {
                return Err(Error::new(
                    ErrorKind::PoolExhausted,
                    format!(
                        "too many connections: all {} in use",
                        self.config.max_connections
                    ),
                ));
            };
            let Some(deadline) = deadline else {
                waited.get_or_insert_with(Instant::now);
                state.waiters += 1;
                state = self.returned.wait(state).unwrap_or_else(|p| p.into_inner());
                state.waiters -= 1;
                continue;
            };
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::new(
                    ErrorKind::PoolExhausted,
                    format!(
                        "no connection available: all {} in use for {:?}",
                        self.config.max_connections,
                        self.config.pool_timeout.unwrap_or_default()
                    ),
                ));
            }
            waited.get_or_insert(now);
            state.waiters += 1;
            state = self
                .returned
                .wait_timeout(state, deadline - now)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
            state.waiters -= 1;
        }
    }

    /// Checks an idle connection before reuse: a cheap liveness probe after a short idle time
    /// or when a sibling failed since it was last good (`suspect`), and a PING after
    /// `health_check_interval`. `None` means it is dead and was dropped.
    fn revalidate(&self, mut conn: Box<Connection>, suspect: bool) -> Option<Box<Connection>> {
        if self.is_stale(&conn) {
            return None;
        }
        let idle = conn.idle_for();
        if (suspect || idle >= PROBE_AFTER_IDLE) && conn.peer_closed() {
            return None;
        }
        if let Some(interval) = self.config.health_check_interval {
            if idle >= interval {
                let ok = conn
                    .request(&Cmd::new("PING"))
                    .is_ok_and(|v| v.as_bytes() == Some(b"PONG"));
                if !ok {
                    return None;
                }
            }
        }
        Some(conn)
    }

    fn wrap(self: &Arc<Self>, conn: Box<Connection>) -> PooledConnection {
        PooledConnection {
            conn: Some(conn),
            pool: Arc::clone(self),
        }
    }

    /// Whether a sentinel-managed connection was made before the primary changed: it may
    /// point at a demoted primary, so it is dropped instead of reused.
    fn is_stale(&self, conn: &Connection) -> bool {
        self.config
            .sentinel
            .as_ref()
            .is_some_and(|t| t.is_stale(conn.sentinel_epoch))
    }

    fn put_back(&self, conn: Box<Connection>) {
        let stale = self.is_stale(&conn);
        let mut state = self.lock();
        if conn.is_reusable() && !stale {
            let generation = state.generation;
            state.idle.push((conn, generation));
        } else {
            state.open -= 1;
            if conn.is_broken() {
                state.generation += 1;
            }
        }
        let wake = state.has_waiters();
        drop(state);
        if wake {
            self.returned.notify_one();
        }
    }

    /// Gives up a slot of `max_connections` (a connection closed or detached, or one that
    /// failed to open), waking a waiter that can now open one.
    fn release_slot(&self) {
        let mut state = self.lock();
        state.open -= 1;
        let wake = state.has_waiters();
        drop(state);
        if wake {
            self.returned.notify_one();
        }
    }
}

/// A connection checked out of a [`ConnectionPool`]; it goes back when dropped, unless broken.
#[derive(Debug)]
pub struct PooledConnection {
    conn: Option<Box<Connection>>,
    pool: Arc<ConnectionPool>,
}

impl PooledConnection {
    /// Keeps the connection out of the pool for good: it is closed when dropped.
    pub fn detach(mut self) -> Connection {
        self.pool.release_slot();
        // `conn` is always Some until drop or detach; take it so Drop does not return it.
        match self.conn.take() {
            Some(c) => *c,
            None => unreachable_connection(),
        }
    }
}

#[expect(
    clippy::panic,
    reason = "conn is Some for the whole life of a PooledConnection"
)]
fn unreachable_connection() -> ! {
    panic!("PooledConnection used after its connection was taken")
}

impl Deref for PooledConnection {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        match &self.conn {
            Some(c) => c,
            None => unreachable_connection(),
        }
    }
}

impl DerefMut for PooledConnection {
    fn deref_mut(&mut self) -> &mut Connection {
        match &mut self.conn {
            Some(c) => c,
            None => unreachable_connection(),
        }
    }
}

impl Drop for PooledConnection {
    fn drop(&mut self) {
        if let Some(mut conn) = self.conn.take() {
            if std::thread::panicking() {
                // A panic mid-command may have left replies unread.
                conn.mark_broken();
            }
            self.pool.put_back(conn);
        }
    }
}
