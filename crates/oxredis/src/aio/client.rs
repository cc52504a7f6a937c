//! The async client: `Redis`, a cheap handle over one multiplexed connection.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{broadcast, oneshot};

use crate::commands::options::*;
use crate::config::ConnectionConfig;
use crate::convert::check_utf8;
use crate::reply::ReplyShape;
use crate::resp::Frame;
use crate::retry::{RetryState, Sent};
use crate::{Cmd, Error, ErrorKind, FromValue, Result, ToArgs, Value};

use super::multiplex::{Multiplexer, Payload, Refused, ReplyTo, Request};
use super::Connection;
use crate::cache::ClientCache;
use crate::push::PushRouter;

/// Idle dedicated connections kept for blocking commands; more may be open at once, the extra
/// ones are closed when their command finishes.
const MAX_IDLE_BLOCKING: usize = 4;
/// Push frames kept for a slow receiver of [`Redis::push_receiver`] before the oldest are dropped.
const PUSH_CAPACITY: usize = 1024;

#[derive(Debug)]
struct Inner {
    config: ConnectionConfig,
    /// The shared connection; `None` before first use, replaced when its driver has stopped.
    mux: Mutex<Option<Multiplexer>>,
    /// Held while (re)connecting, so concurrent callers open one connection, not one each.
    connecting: tokio::sync::Mutex<()>,
    /// Idle connections for blocking commands.
    blocking_idle: Mutex<Vec<Connection>>,
    pushes: broadcast::Sender<Value>,
    /// Reply callbacks set on this client (shared by its clones).
    callbacks: crate::callbacks::Callbacks,
    /// Push routing for the client's connections: the handler, the cache, `pushes`.
    router: PushRouter,
}

/// The async Redis client (redis-py's `redis.asyncio.Redis`), for tokio.
///
/// `Send + Sync` and cheap to clone: clones share one multiplexed connection, opened lazily on
/// first use and reopened on the next command after it broke. Commands issued concurrently by
/// many tasks are written together and their replies matched in order (see the
/// [module docs](super)). Every Redis command has a method named as in redis-py, generated from
/// the same command table as the blocking client; each returns a `Send` future.
///
/// # Examples
/// ```no_run
/// # async fn demo() -> oxredis::Result<()> {
/// use oxredis::aio::Redis;
/// let r = Redis::from_url("redis://localhost:6379/0")?;
/// r.set("greeting", "hello").await?;
/// let v: Option<String> = r.get("greeting").await?;
/// assert_eq!(v.as_deref(), Some("hello"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Redis {
    inner: Arc<Inner>,
}

impl Redis {
    /// A client for `config`; nothing is opened until the first command.
    pub fn new(config: ConnectionConfig) -> Redis {
        let (pushes, _) = broadcast::channel(PUSH_CAPACITY);
        let sink = pushes.clone();
        // A send fails only when there is no receiver: then nobody consumed the push.
        let sink: crate::push::PushSink = Arc::new(move |p: &Value| sink.send(p.clone()).is_ok());
        let cache = config.cache.clone().map(ClientCache::new);
        let router = PushRouter::new(config.push_handler.clone(), Some(sink), cache);
        Redis {
            inner: Arc::new(Inner {
                config,
                mux: Mutex::new(None),
                connecting: tokio::sync::Mutex::new(()),
                blocking_idle: Mutex::new(Vec::new()),
                pushes,
                callbacks: crate::callbacks::Callbacks::default(),
                router,
            }),
        }
    }

    /// A client from a URL; see [`ConnectionConfig::from_url`] for the syntax and options.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`] for a bad URL.
    pub fn from_url(url: &str) -> Result<Redis> {
        Ok(Redis::new(ConnectionConfig::from_url(url)?))
    }

    /// A builder for every option: the same [`ClientBuilder`](crate::ClientBuilder) as the
    /// blocking [`Redis::builder`](crate::Redis::builder), finished with
    /// [`build_async`](crate::ClientBuilder::build_async).
    ///
    /// # Examples
    /// ```no_run
    /// use std::time::Duration;
    /// let r = oxredis::aio::Redis::builder()
    ///     .host("127.0.0.1")
    ///     .port(6379)
    ///     .db(1)
    ///     .socket_timeout(Duration::from_secs(5))
    ///     .build_async();
    /// # let _ = r;
    /// ```
    pub fn builder() -> crate::ClientBuilder {
        crate::ClientBuilder::default()
    }

    /// The connection settings.
    pub fn config(&self) -> &ConnectionConfig {
        &self.inner.config
    }

    /// RESP3 push frames that arrive on the shared connection (e.g. client-side caching
    /// invalidations), as well as going to the [`PushHandler`](crate::PushHandler) if one is
    /// set (see the [push policy](crate::push)). A receiver sees pushes that arrive after it
    /// was made; a slow one loses the oldest (past 1,024 unread).
    pub fn push_receiver(&self) -> broadcast::Receiver<Value> {
        self.inner.pushes.subscribe()
    }

    /// RESP3 push frames that reached no consumer on this client's connections (see the
    /// [push policy](crate::push)).
    pub fn dropped_pushes(&self) -> u64 {
        self.inner.router.dropped()
    }

    /// The client-side cache (redis-py's `get_cache()`), when caching is on
    /// ([`ClientBuilder::cache_config`](crate::ClientBuilder::cache_config)): its counters,
    /// `size()`, `clear()`.
    pub fn cache(&self) -> Option<&Arc<ClientCache>> {
        self.inner.router.cache()
    }

    /// Waits until every invalidation the server sent before this call has been applied to the
    /// cache: one PING round trip on the shared connection, which carries the invalidations in
    /// order with the replies. After another client's write has returned, a `sync_cache()`
    /// guarantees the next read sees it. Does nothing without a cache.
    ///
    /// # Errors
    /// A connection error or timeout of the PING.
    pub async fn sync_cache(&self) -> Result<()> {
        if self.cache().is_none() {
            return Ok(());
        }
        self.request(Cmd::new("PING")).await.map(drop)
    }

    /// Opens a dedicated connection with this client's settings, for code that needs a socket
    /// of its own.
    ///
    /// # Errors
    /// As [`Connection::connect`].
    pub async fn get_connection(&self) -> Result<Connection> {
        Connection::connect(&self.inner.config).await
    }

    /// Runs any command given as its words and arguments, e.g. `("OBJECT", "ENCODING", "k")`.
    ///
    /// Commands that would corrupt the shared connection (`SELECT`, `SUBSCRIBE`, `MULTI`,
    /// `CLIENT REPLY OFF`...) are refused, see [`request`](Self::request).
    ///
    /// # Errors
    /// A connection error, the server's error reply, or a failed conversion;
    /// [`ErrorKind::Data`] for a refused command.
    pub async fn execute_command<T: FromValue>(&self, args: impl ToArgs) -> Result<T> {
        let mut cmd = Cmd::empty();
        cmd.arg(args);
        self.run(cmd).await
    }

    /// Runs a prepared command and converts its reply.
    ///
    /// # Errors
    /// A connection error, the server's error reply, or a failed conversion.
    ///
    /// After a failure the command is retried per the client's [`Retry`](crate::retry::Retry)
    /// policy, with the same rules as the blocking client (`RetryState`): a command never
    /// sent, a read-only command after a connection error, and any command the server refused
    /// with `LOADING`; never a write that may have run, never a timeout after sending.
    pub async fn run<T: FromValue>(&self, cmd: Cmd) -> Result<T> {
        let span = crate::trace::Span::command(&cmd, &self.inner.config);
        span.instrument(self.run_untraced(cmd)).await
    }

    /// [`run`](Self::run) without its span.
    async fn run_untraced<T: FromValue>(&self, cmd: Cmd) -> Result<T> {
        if let Some(callback) = self.inner.callbacks.for_cmd(&cmd) {
            let reply = Box::pin(self.run_command::<Value>(cmd)).await?;
            return T::from_value(callback(reply)?);
        }
        self.run_command(cmd).await
    }

    /// Registers a conversion for `command`'s replies on this client and its clones (redis-py's
    /// `set_response_callback`); see the blocking
    /// [`Redis::set_response_callback`](crate::Redis::set_response_callback).
    pub fn set_response_callback(
        &self,
        command: &str,
        callback: impl Fn(Value) -> Result<Value> + Send + Sync + 'static,
    ) {
        self.inner.callbacks.set(command, Some(Arc::new(callback)));
    }

    /// The reply callbacks, for pipelines.
    pub(crate) fn callbacks(&self) -> &crate::callbacks::Callbacks {
        &self.inner.callbacks
    }

    /// Removes the callback of `command`.
    pub fn remove_response_callback(&self, command: &str) {
        self.inner.callbacks.set(command, None);
    }

    /// [`run`](Self::run) without the span and the reply callbacks.
    async fn run_command<T: FromValue>(&self, cmd: Cmd) -> Result<T> {
        let shape = cmd.reply_shape();
        // The command comes back with its reply, so a retry needs no copy made in advance.
        let frame = match self.request_keeping(cmd).await {
            (Ok(frame), _) => frame,
            // Boxed: the retry loop's state stays out of every command's future.
            (Err(e), Some(cmd)) => Box::pin(self.retry_request(cmd, e)).await?,
            (Err(e), None) => return Err(e),
        };
        crate::conn::finish_frame(shape, frame)
    }

    /// The retry loop of [`run`](Self::run) after its first attempt failed with `err`.
    async fn retry_request(&self, cmd: Cmd, mut err: Error) -> Result<Frame> {
        let idempotent = cmd.is_read_only();
        let mut state = RetryState::new(self.inner.config.retry);
        let mut cmd = cmd;
        loop {
            let sent = Sent::of(&err);
            match state.on_error(&err, sent, idempotent) {
                Some(wait) => tokio::time::sleep(wait).await,
                None => return Err(err),
            }
            match self.request_keeping(cmd).await {
                (Ok(v), _) => return Ok(v),
                (Err(e), Some(back)) => {
                    err = e;
                    cmd = back;
                }
                (Err(e), None) => return Err(e),
            }
        }
    }

    /// Runs a prepared command and returns its normalised reply; an error reply is `Err`.
    ///
    /// A command that would corrupt the shared connection (or the reused connections of
    /// blocking commands) is refused before anything is sent (`Cmd::check_shared_connection`):
    /// the `SUBSCRIBE` family (use [`pubsub`](Self::pubsub)), `MONITOR`, `MULTI`/`EXEC`/
    /// `DISCARD`/`WATCH`/`UNWATCH` ([`pipeline`](Self::pipeline)), `SELECT`/`AUTH`/`HELLO 3`
    /// (the [`ConnectionConfig`] settings), `CLIENT REPLY OFF|SKIP`, `RESET`, `QUIT`, and the
    /// replication commands. A connection of your own ([`get_connection`](Self::get_connection))
    /// takes any of them.
    ///
    /// # Errors
    /// A connection error, a timeout (the connection stopped answering: see the
    /// [module docs](super)), or the server's error reply; [`ErrorKind::Data`] for a refused
    /// command.
    pub async fn request(&self, cmd: Cmd) -> Result<Value> {
        let shape = cmd.reply_shape();
        crate::conn::finish_frame(shape, self.request_keeping(cmd).await.0?)
    }

    /// [`request`](Self::request), giving the command back with the result (`None` only when
    /// the driver vanished with it), so a retry costs no copy made in advance.
    async fn request_keeping(&self, cmd: Cmd) -> (Result<Frame>, Option<Cmd>) {
        if let Err(e) = cmd.check_shared_connection() {
            return (Err(e), Some(cmd));
        }
        if cmd.is_blocking() {
            // Boxed: the cold paths' (large) states stay out of every command's future.
            let result = Box::pin(self.blocking_request(&cmd)).await;
            return (
                result.and_then(|v| self.checked(Frame::from_value(v))),
                Some(cmd),
            );
        }
        let mut ticket = None;
        if let Some(cache) = self.cache() {
            if cache.wants(&cmd) {
                if let Some(v) = cache.get(&cmd, std::time::Instant::now()) {
                    // Stored as decoded: the text check is the caller's, as for any reply.
                    return (self.checked(Frame::from_value(v)), Some(cmd));
                }
                match self.tracking_epoch().await {
                    Ok(epoch) => ticket = cache.begin(&cmd, epoch).map(Box::new),
                    Err(e) => return (Err(e.mark_unsent()), Some(cmd)),
                }
            }
        }
        // WAIT and WAITAOF are not flagged BLOCKING: the server holds them (and so the
        // shared connection) up to their timeout, which extends the deadline.
        let allowance = cmd
            .block_time()
            .reply_deadline(self.inner.config.socket_timeout);
        let (tx, rx) = oneshot::channel();
        let submitted = self
            .submit(Request {
                payload: Payload::One(Box::new(cmd)),
                reply: ReplyTo::One(tx),
                allowance,
                ticket,
            })
            .await;
        if let Err((e, req)) = submitted {
            let cmd = match req.payload {
                Payload::One(cmd) => Some(*cmd),
                Payload::Packed(..) => None,
            };
            return (Err(e), cmd);
        }
        // No timer here: the driver enforces the deadline, and replaces a connection that
        // stopped answering. A dropped receiver (the caller gave up) is fine: the late reply is
        // still read, in order, and discarded, so the shared connection stays in sync.
        let (reply, cmd) = rx.await.unwrap_or_else(|_| (Err(driver_gone()), None));
        let cmd = cmd.map(|cmd| *cmd);
        (reply.and_then(|frame| self.checked(frame)), cmd)
    }

    /// A reply as read: a server error reply made `Err` here, before the retry loop decides
    /// (`LOADING`, `BUSY`... are retried), and the reply checked to be text under
    /// `decode_responses` (the reply is then made a [`Value`] here, as the check needs one).
    fn checked(&self, frame: Frame) -> Result<Frame> {
        if frame.is_error() {
            return crate::conn::finish_reply(ReplyShape::Plain, frame.into_value()?)
                .map(Frame::from_value);
        }
        if !self.inner.config.decode_responses {
            return Ok(frame);
        }
        let v = frame.into_value()?;
        check_utf8(&v)?;
        Ok(Frame::from_value(v))
    }

    /// Sends several packed commands as one unit on the shared connection and returns their
    /// raw replies (error replies included as [`Value::Error`]), for pipelines and
    /// transactions built on this client. `allowance` is the deadline for the replies once
    /// the batch is the oldest request in flight.
    pub(crate) async fn request_packed(
        &self,
        packed: Vec<u8>,
        count: usize,
        allowance: Option<Duration>,
    ) -> Result<Vec<Value>> {
        let (tx, rx) = oneshot::channel();
        self.submit(Request {
            payload: Payload::Packed(packed, count),
            reply: ReplyTo::Many(tx),
            allowance,
            ticket: None,
        })
        .await
        .map_err(|(e, _)| e)?;
        rx.await.unwrap_or_else(|_| Err(driver_gone()))
    }

    /// Requests queued or in flight on the shared connection (at most
    /// [`ConnectionConfig::max_queued_requests`]); for tests and diagnostics.
    #[doc(hidden)]
    pub fn queued_requests(&self) -> usize {
        self.mux().as_ref().map_or(0, Multiplexer::queued)
    }

    fn mux(&self) -> MutexGuard<'_, Option<Multiplexer>> {
        // Every update under this lock is a single assignment, so a poisoned lock is consistent.
        self.inner.mux.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Hands a request to the shared connection, (re)connecting first when there is none.
    /// When `max_queued_requests` are already queued or in flight, waits for room (never
    /// fails for that). A request is only re-submitted when the driver refused it, i.e. it
    /// was never sent.
    async fn submit(&self, req: Request) -> std::result::Result<(), (Error, Request)> {
        let mut req = req;
        for _ in 0..2 {
            // Fast path under the lock, no await: room under the cap, queued at once.
            let full = match self.mux().as_ref() {
                None => None,
                // A connection to a replaced primary takes no new request.
                Some(m) if self.is_stale(m.sentinel_epoch) => None,
                Some(m) => match m.try_send(req) {
                    Ok(()) => return Ok(()),
                    Err(Refused::Full(r)) => {
                        req = r;
                        Some(m.clone())
                    }
                    Err(Refused::Closed(r)) => {
                        req = r;
                        None
                    }
                },
            };
            if let Some(m) = full {
                // Wait for room on that connection, the lock released. Refused only when its
                // driver stopped meanwhile: then reconnect like any closed one.
                match m.send_waiting(req).await {
                    Ok(()) => return Ok(()),
                    Err(r) => req = r,
                }
            }
            if let Err(e) = Box::pin(self.reconnect()).await {
                return Err((e.mark_unsent(), req));
            }
        }
        Err((
            Error::new(
                ErrorKind::Connection,
                "not sent (safe to retry): the connection closed again as soon as it was opened",
            )
            .mark_unsent(),
            req,
        ))
    }

    /// Whether a sentinel-managed connection tagged `epoch` was made before the primary
    /// changed (it may point at a demoted primary).
    fn is_stale(&self, epoch: u64) -> bool {
        self.inner
            .config
            .sentinel
            .as_ref()
            .is_some_and(|t| t.is_stale(epoch))
    }

    /// The cache epoch of the shared connection's tracking, connecting first when there is
    /// no live connection (so a client's first read is cached too).
    async fn tracking_epoch(&self) -> Result<u64> {
        if let Some(m) = self.mux().as_ref() {
            if !m.is_closed() {
                return Ok(m.epoch);
            }
        }
        Box::pin(self.reconnect()).await?;
        Ok(self.mux().as_ref().map_or(0, |m| m.epoch))
    }

    async fn reconnect(&self) -> Result<()> {
        let _guard = self.inner.connecting.lock().await;
        if let Some(m) = self.mux().as_ref() {
            if !m.is_closed() && !self.is_stale(m.sentinel_epoch) {
                // Another task reconnected while this one waited.
                return Ok(());
            }
        }
        let config = &self.inner.config;
        let mut epoch = 0;
        let conn = match self.inner.router.cache() {
            None => Connection::connect_routed(config, Some(self.inner.router.clone())).await?,
            Some(cache) => {
                if config.protocol != crate::Protocol::Resp3 {
                    return Err(Error::new(
                        ErrorKind::InvalidConfig,
                        "client-side caching needs RESP3 (protocol=3)",
                    ));
                }
                // This connection carries the invalidations: tracking on it, and when it
                // closes the cache is flushed (the router marked `tracking`).
                let mut conn =
                    Connection::connect_routed(config, Some(self.inner.router.tracking())).await?;
                conn.request(&cache.tracking_command(None)).await?;
                epoch = cache.tracking_ready(None);
                conn
            }
        };
        let mux = Multiplexer::spawn(conn, config.max_queued_requests, epoch);
        *self.mux() = Some(mux);
        Ok(())
    }

    /// Runs a blocking command (BLPOP...) on a dedicated connection, so it never holds up the
    /// shared one. If the caller drops the future, the connection is closed with it.
    async fn blocking_request(&self, cmd: &Cmd) -> Result<Value> {
        let idle = {
            let mut idle = self
                .inner
                .blocking_idle
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            // After a change of primary, none of the idle ones made before stays open to it.
            idle.retain(|c| !self.is_stale(c.sentinel_epoch));
            idle.pop()
        };
        // An idle connection that the server closed (e.g. a restart) is replaced before use.
        let idle = idle.and_then(|mut c| (!c.peer_closed()).then_some(c));
        let mut conn = match idle {
            Some(c) => c,
            None => Connection::connect_routed(&self.inner.config, Some(self.inner.router.clone()))
                .await
                .map_err(Error::mark_unsent)?,
        };
        let res = conn.request_raw(cmd).await;
        if conn.is_reusable() {
            let mut idle = self
                .inner
                .blocking_idle
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if idle.len() < MAX_IDLE_BLOCKING {
                idle.push(conn);
            }
        }
        res
    }

    all_commands!(async_methods);
}

fn driver_gone() -> Error {
    Error::new(
        ErrorKind::Connection,
        "the connection closed before the reply arrived",
    )
}
