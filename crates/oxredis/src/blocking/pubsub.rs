//! The blocking `PubSub` (redis-py's `PubSub`): a dedicated connection that subscribes,
//! reads messages, checks its health, and reconnects and re-subscribes when it breaks.
//!
//! The message parsing and subscription bookkeeping live in the sans-I/O [`crate::pubsub`]
//! module; this file only does the socket work around them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::config::ConnectionConfig;
use crate::pubsub::{split_names, Message, Session, SubKind};
pub use crate::pubsub::{Handler, HandlerOutput};
use crate::retry::Retry;
use crate::{Cmd, Error, ErrorKind, Result, ToArgs, Value};

use super::{Connection, Redis};

/// Called by [`PubSub::run_in_thread`] with each error (connection lost for good, or a failing
/// handler), and the `PubSub` so it can e.g. close it. The thread keeps running afterwards.
pub type ExceptionHandler = Box<dyn FnMut(Error, &mut PubSub) + Send>;

/// Publish/subscribe on a dedicated connection (redis-py's `PubSub`), from [`Redis::pubsub`].
///
/// Subscriptions go out at once; their confirmations and the published messages are read with
/// [`get_message`](Self::get_message), [`listen`](Self::listen), or handlers run by
/// [`run_in_thread`](Self::run_in_thread). A message for a subscription that has a handler is
/// given to the handler and not returned. Works the same on RESP2 and RESP3.
///
/// When the connection breaks (server restart, `CLIENT KILL`, network cut), the next call
/// reconnects with backoff (see [`set_retry`](Self::set_retry)) and subscribes again to every
/// channel, pattern and shard channel; the confirmations of these re-subscriptions are
/// delivered like the first ones (unless `ignore_subscribe_messages`). Messages published while
/// disconnected are lost (Redis pub/sub is fire-and-forget). An error reaches the caller only
/// when every retry failed.
///
/// With `health_check_interval` set, a connection idle that long is PINGed before the next
/// read; the health-check reply is consumed silently.
///
/// # Examples
/// ```no_run
/// use std::time::Duration;
/// let r = oxredis::Redis::from_url("redis://localhost")?;
/// let mut p = r.pubsub();
/// p.subscribe(["news", "sport"])?;
/// p.psubscribe("news.*")?;
/// r.publish("news", "hello")?;
/// while let Some(m) = p.get_message(Some(Duration::from_millis(100)))? {
///     println!("{} {:?} {:?}", m.kind, m.channel_str(), m.data_str());
/// }
/// # Ok::<(), oxredis::Error>(())
/// ```
pub struct PubSub {
    config: ConnectionConfig,
    conn: Option<Connection>,
    session: Session,
    /// For a cluster's sharded pub/sub: where the shard channels' slot lives now (the
    /// connection settings of its owner), asked before every connection after the first.
    locator: Option<Locator>,
    /// When a command was last written: the connection stamps reads only, and a health check
    /// counts from the last byte read or written.
    last_sent: Instant,
}

/// Finds the node serving a sharded PubSub's slot, refreshing the cluster's map first.
pub(crate) type Locator = Arc<dyn Fn() -> Result<ConnectionConfig> + Send + Sync>;

impl std::fmt::Debug for PubSub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PubSub")
            .field("addr", &self.config.addr)
            .field("connected", &self.conn.is_some())
            .field("channels", &self.session.subs.names(SubKind::Channel))
            .field("patterns", &self.session.subs.names(SubKind::Pattern))
            .field("shard_channels", &self.session.subs.names(SubKind::Shard))
            .finish_non_exhaustive()
    }
}

impl Redis {
    /// A [`PubSub`] on its own connection, made from this client's settings (not taken from
    /// the pool). It connects on first use.
    pub fn pubsub(&self) -> PubSub {
        PubSub::new(self.config().clone())
    }
}

impl PubSub {
    /// A PubSub for `config`; nothing is connected until the first subscription or ping.
    pub fn new(config: ConnectionConfig) -> PubSub {
        PubSub {
            session: Session::new(&config),
            config,
            conn: None,
            locator: None,
            last_sent: Instant::now(),
        }
    }

    /// A PubSub whose shard channels follow their slot in a cluster: `locator` gives the
    /// settings of the slot's owner after the connection broke or the slot moved away.
    pub(crate) fn following_slot(config: ConnectionConfig, locator: Locator) -> PubSub {
        let mut p = PubSub::new(config);
        p.session.follow_slot();
        p.locator = Some(locator);
        p
    }

    /// Do not return subscribe/unsubscribe confirmations (redis-py's
    /// `ignore_subscribe_messages=True`); `pong` replies are still returned.
    pub fn ignore_subscribe_messages(mut self, on: bool) -> PubSub {
        self.session.ignore_subscribe_messages = on;
        self
    }

    /// Changes whether confirmations are returned; see
    /// [`ignore_subscribe_messages`](Self::ignore_subscribe_messages).
    pub fn set_ignore_subscribe_messages(&mut self, on: bool) {
        self.session.ignore_subscribe_messages = on;
    }

    /// How reconnection after a connection error is retried (default: the client's
    /// [`ConnectionConfig::retry`]).
    pub fn set_retry(&mut self, retry: Retry) {
        self.session.retry = retry;
    }

    /// Subscribes to one or more channels (`"ch"`, `["a", "b"]`, a `Vec`...), without handlers:
    /// their messages are returned by [`get_message`](Self::get_message).
    ///
    /// # Errors
    /// A connection error once every retry failed (the subscription is kept and restored on
    /// the next successful connection).
    pub fn subscribe(&mut self, channels: impl ToArgs) -> Result<()> {
        self.add(SubKind::Channel, channels, None)
    }

    /// Subscribes to `channels` with a handler called for each of their messages. The handler
    /// returns `()` or `Result<()>`; an `Err` or a panic is reported as an error of the read
    /// that dispatched the message.
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    pub fn subscribe_with<F, R>(&mut self, channels: impl ToArgs, handler: F) -> Result<()>
    where
        F: FnMut(Message) -> R + Send + 'static,
        R: HandlerOutput,
    {
        self.add(SubKind::Channel, channels, Some(Handler::new(handler)))
    }

    /// Subscribes to one or more glob-style patterns (`PSUBSCRIBE`).
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    pub fn psubscribe(&mut self, patterns: impl ToArgs) -> Result<()> {
        self.add(SubKind::Pattern, patterns, None)
    }

    /// Subscribes to patterns with a handler; see [`subscribe_with`](Self::subscribe_with).
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    pub fn psubscribe_with<F, R>(&mut self, patterns: impl ToArgs, handler: F) -> Result<()>
    where
        F: FnMut(Message) -> R + Send + 'static,
        R: HandlerOutput,
    {
        self.add(SubKind::Pattern, patterns, Some(Handler::new(handler)))
    }

    /// Subscribes to one or more shard channels (`SSUBSCRIBE`, Redis 7).
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    pub fn ssubscribe(&mut self, shard_channels: impl ToArgs) -> Result<()> {
        self.add(SubKind::Shard, shard_channels, None)
    }

    /// Subscribes to shard channels with a handler; see [`subscribe_with`](Self::subscribe_with).
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    pub fn ssubscribe_with<F, R>(&mut self, shard_channels: impl ToArgs, handler: F) -> Result<()>
    where
        F: FnMut(Message) -> R + Send + 'static,
        R: HandlerOutput,
    {
        self.add(SubKind::Shard, shard_channels, Some(Handler::new(handler)))
    }

    /// Unsubscribes from channels; an empty list (e.g. `Vec::<&str>::new()`) means all, as
    /// `unsubscribe()` without arguments in redis-py. See also
    /// [`unsubscribe_all`](Self::unsubscribe_all).
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    pub fn unsubscribe(&mut self, channels: impl ToArgs) -> Result<()> {
        self.remove(SubKind::Channel, split_names(channels))
    }

    /// Unsubscribes from every channel.
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    pub fn unsubscribe_all(&mut self) -> Result<()> {
        self.remove(SubKind::Channel, Vec::new())
    }

    /// Unsubscribes from patterns; an empty list means all.
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    pub fn punsubscribe(&mut self, patterns: impl ToArgs) -> Result<()> {
        self.remove(SubKind::Pattern, split_names(patterns))
    }

    /// Unsubscribes from every pattern.
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    pub fn punsubscribe_all(&mut self) -> Result<()> {
        self.remove(SubKind::Pattern, Vec::new())
    }

    /// Unsubscribes from shard channels; an empty list means all.
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    pub fn sunsubscribe(&mut self, shard_channels: impl ToArgs) -> Result<()> {
        self.remove(SubKind::Shard, split_names(shard_channels))
    }

    /// Unsubscribes from every shard channel.
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    pub fn sunsubscribe_all(&mut self) -> Result<()> {
        self.remove(SubKind::Shard, Vec::new())
    }

    /// Sends `PING`; the reply arrives as a `pong` message with empty data.
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    pub fn ping(&mut self) -> Result<()> {
        self.send(Cmd::new("PING"), false)
    }

    /// Sends `PING message`; the reply arrives as a `pong` message carrying `message`.
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    pub fn ping_with(&mut self, message: impl ToArgs) -> Result<()> {
        let mut cmd = Cmd::new("PING");
        cmd.arg(message);
        self.send(cmd, false)
    }

    /// Sends a health-check `PING` if the connection has been idle for at least
    /// `health_check_interval` (nothing when it is not set); its reply is consumed silently by
    /// the next read. Reads call this themselves.
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    pub fn check_health(&mut self) -> Result<()> {
        let Some(idle) = self.idle() else {
            return Ok(());
        };
        if let Some(ping) = self.session.health_check(idle) {
            let conn = self.connected()?;
            conn.queue(&ping);
            conn.flush()?;
            self.last_sent = Instant::now();
        }
        Ok(())
    }

    /// How long the live connection has been quiet (no byte read or written); `None` without
    /// one.
    fn idle(&self) -> Option<Duration> {
        let conn = self.conn.as_ref().filter(|c| !c.is_broken())?;
        Some(conn.idle_for().min(self.last_sent.elapsed()))
    }

    /// Connects now if there is no usable connection (restoring every subscription), with the
    /// usual retries; does nothing on a live one. Every call connects on its own: this is
    /// redis-py's asyncio `PubSub.connect()`, to find out early that the server is away.
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    pub fn connect(&mut self) -> Result<()> {
        let mut failures = 0;
        loop {
            match self.ensure_connected() {
                Ok(_) => return Ok(()),
                Err(e) => self.after_error(e, &mut failures)?,
            }
        }
    }

    /// Whether anything is subscribed (redis-py's `subscribed`), including subscriptions whose
    /// unsubscribe confirmation has not been read yet.
    pub fn is_subscribed(&self) -> bool {
        self.session.subs.is_subscribed()
    }

    /// Subscribed channels.
    pub fn channels(&self) -> Vec<Bytes> {
        self.session.subs.names(SubKind::Channel)
    }

    /// Subscribed patterns.
    pub fn patterns(&self) -> Vec<Bytes> {
        self.session.subs.names(SubKind::Pattern)
    }

    /// Subscribed shard channels.
    pub fn shard_channels(&self) -> Vec<Bytes> {
        self.session.subs.names(SubKind::Shard)
    }

    /// Whether a connection is currently open.
    pub fn is_connected(&self) -> bool {
        self.conn.as_ref().is_some_and(|c| !c.is_broken())
    }

    /// Drops the connection but keeps the subscriptions (redis-py's `ClusterPubSub.disconnect()`):
    /// the next call connects again, to the slot's current owner for shard channels, and
    /// subscribes to everything anew. Messages published meanwhile are lost.
    pub fn disconnect(&mut self) {
        self.conn = None;
    }

    /// Closes the connection and forgets every subscription (redis-py's `close()`/`reset()`).
    /// The PubSub can be used again afterwards.
    pub fn close(&mut self) {
        self.conn = None;
        self.session.clear();
    }

    /// The next message, waiting up to `timeout` (`None`: until one arrives). Returns `None`
    /// when the time is up, when nothing is subscribed and nothing is expected, or when the
    /// frame read was consumed internally: a message given to its handler, a health-check
    /// reply, or an ignored confirmation (as redis-py's `get_message`). With a zero timeout it
    /// only returns what has already arrived.
    ///
    /// # Errors
    /// A connection error after every reconnect attempt failed; an error returned (or panic
    /// raised) by a handler; an error reply from the server.
    pub fn get_message(&mut self, timeout: Option<Duration>) -> Result<Option<Message>> {
        if self.conn.is_none() && !self.session.subs.is_subscribed() {
            // Nothing subscribed and no reply owed: nothing can arrive.
            return Ok(None);
        }
        // A wait too long to represent is no deadline at all.
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        let Some(frame) = self.read_frame(deadline)? else {
            return Ok(None);
        };
        self.handle_frame(frame)
    }

    /// Every message as it arrives (blocking), skipping what handlers consume; the iterator
    /// ends once nothing is subscribed any more (redis-py's `listen()`). Yields an error when
    /// reconnecting failed; the next call tries again.
    pub fn listen(&mut self) -> Listen<'_> {
        Listen { pubsub: self }
    }

    /// Reads messages in a new thread until [`PubSubWorker::stop`], giving each to its handler
    /// (redis-py's `run_in_thread`). Every subscription must have a handler. Each wait for a
    /// message lasts at most `sleep_time`, which bounds how quickly `stop` takes effect.
    /// Errors go to `exception_handler`; without one, the first error ends the thread and is
    /// returned by [`PubSubWorker::join`].
    ///
    /// # Errors
    /// [`ErrorKind::Data`] if a subscription has no handler (the PubSub is dropped), or if the
    /// thread cannot be spawned.
    pub fn run_in_thread(
        self,
        sleep_time: Duration,
        exception_handler: Option<ExceptionHandler>,
    ) -> Result<PubSubWorker> {
        self.session.subs.require_handlers()?;
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = Arc::clone(&stop);
        let mut pubsub = self;
        let mut handler = exception_handler;
        let thread = std::thread::Builder::new()
            .name("oxredis-pubsub".into())
            .spawn(move || {
                // Never wait zero: that would spin.
                let wait = sleep_time.max(Duration::from_millis(1));
                while !stop2.load(Ordering::SeqCst) {
                    if let Err(e) = pubsub.get_message(Some(wait)) {
                        match handler.as_mut() {
                            Some(h) => h(e, &mut pubsub),
                            None => return Err(e),
                        }
                    }
                    if !pubsub.is_connected() {
                        // Nothing subscribed, or the server is unreachable (the retries
                        // were spent): wait instead of spinning.
                        std::thread::sleep(wait);
                    }
                }
                Ok(pubsub)
            })
            .map_err(|e| Error::with_source(ErrorKind::Data, "cannot spawn pub/sub thread", e))?;
        Ok(PubSubWorker {
            stop,
            thread: Some(thread),
        })
    }

    fn add(&mut self, kind: SubKind, names: impl ToArgs, handler: Option<Handler>) -> Result<()> {
        let names: Vec<(Bytes, Option<Handler>)> = split_names(names)
            .into_iter()
            .map(|n| (n, handler.clone()))
            .collect();
        match self.session.subs.subscribe(kind, names) {
            Some(cmd) => self.send(cmd, true),
            None => Ok(()),
        }
    }

    fn remove(&mut self, kind: SubKind, names: Vec<Bytes>) -> Result<()> {
        let cmd = self.session.subs.unsubscribe(kind, names);
        self.send(cmd, true)
    }

    /// The open connection, connecting (and restoring subscriptions) first if needed.
    fn connected(&mut self) -> Result<&mut Connection> {
        self.ensure_connected()?;
        self.conn
            .as_mut()
            .ok_or_else(|| Error::new(ErrorKind::Connection, "pub/sub connection not open"))
    }

    /// Connects if there is no usable connection, sending the commands that restore every
    /// subscription. `true` when a new connection was made.
    fn ensure_connected(&mut self) -> Result<bool> {
        if self.is_connected() {
            return Ok(false);
        }
        self.conn = None;
        if self.session.locate_before_connect() {
            if let Some(locate) = &self.locator {
                self.config = locate()?;
            }
        }
        let mut conn = Connection::connect(&self.config)?;
        let cmds = self.session.on_connected();
        if !cmds.is_empty() {
            for cmd in &cmds {
                conn.queue(cmd);
            }
            conn.flush()?;
        }
        self.conn = Some(conn);
        Ok(true)
    }

    /// After a failed attempt: drops a broken connection and, for [`ErrorKind::Connection`] and
    /// [`ErrorKind::Timeout`] (not a failed authentication: retrying would not help), waits the
    /// backoff before the next attempt, or gives up with the error when retries are spent.
    fn after_error(&mut self, e: Error, failures: &mut u32) -> Result<()> {
        if !self.is_connected() {
            self.conn = None;
        }
        let wait = self.session.after_error(e, failures)?;
        self.conn = None;
        std::thread::sleep(wait);
        Ok(())
    }

    /// Sends `cmd`, reconnecting if needed. `restored_by_reconnect`: a fresh connection already
    /// reflects the command (it re-subscribes to the current state), so it is not sent again.
    fn send(&mut self, cmd: Cmd, restored_by_reconnect: bool) -> Result<()> {
        let mut failures = 0;
        loop {
            let attempt = self.ensure_connected().and_then(|fresh| {
                if fresh && restored_by_reconnect {
                    return Ok(());
                }
                let conn = self.connected()?;
                conn.queue(&cmd);
                conn.flush()
            });
            match attempt {
                Ok(()) => {
                    self.last_sent = Instant::now();
                    return Ok(());
                }
                Err(e) => self.after_error(e, &mut failures)?,
            }
        }
    }

    /// Reads one frame before `deadline`, health-checking and reconnecting as needed.
    fn read_frame(&mut self, deadline: Option<Instant>) -> Result<Option<Value>> {
        let mut failures = 0;
        loop {
            match self.try_read_frame(deadline) {
                Ok(frame) => return Ok(frame),
                Err(e) => self.after_error(e, &mut failures)?,
            }
        }
    }

    fn try_read_frame(&mut self, deadline: Option<Instant>) -> Result<Option<Value>> {
        loop {
            self.ensure_connected()?;
            self.check_health()?;
            let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            let idle = self.idle().unwrap_or_default();
            // Wake up when a health check is due, to PING a quiet connection.
            let wait = self.session.read_wait(left, idle);
            let conn = self.connected()?;
            if let Some(frame) = conn.read_frame_timeout(wait)? {
                return Ok(Some(frame));
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok(None);
            }
        }
    }

    fn handle_frame(&mut self, frame: Value) -> Result<Option<Message>> {
        let handled = self.session.handle_frame(frame);
        if self.session.take_moved() {
            // The node no longer serves the shard channels: the next use goes to the new owner.
            self.conn = None;
        }
        handled
    }
}

/// The blocking iterator of [`PubSub::listen`].
#[derive(Debug)]
pub struct Listen<'a> {
    pubsub: &'a mut PubSub,
}

impl Iterator for Listen<'_> {
    type Item = Result<Message>;

    fn next(&mut self) -> Option<Result<Message>> {
        loop {
            if !self.pubsub.is_subscribed() {
                return None;
            }
            match self.pubsub.get_message(None) {
                Ok(Some(m)) => return Some(Ok(m)),
                Ok(None) => continue,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// The thread started by [`PubSub::run_in_thread`] (redis-py's `PubSubWorkerThread`).
/// Dropping it stops and joins the thread.
#[derive(Debug)]
pub struct PubSubWorker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Result<PubSub>>>,
}

impl PubSubWorker {
    /// Asks the thread to stop; it does within about `sleep_time`.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    /// Whether the thread is still running.
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Stops the thread, waits for it, and gives the `PubSub` back.
    ///
    /// # Errors
    /// The error that ended the thread when there was no exception handler; an error if the
    /// thread panicked (e.g. in the exception handler).
    pub fn join(mut self) -> Result<PubSub> {
        self.stop();
        let Some(thread) = self.thread.take() else {
            return Err(Error::new(ErrorKind::Data, "pub/sub thread already joined"));
        };
        thread.join().unwrap_or_else(|_| {
            Err(Error::new(
                ErrorKind::Data,
                "pub/sub thread panicked (in the exception handler?)",
            ))
        })
    }
}

impl Drop for PubSubWorker {
    fn drop(&mut self) {
        self.stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
