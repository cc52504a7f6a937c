//! The async `PubSub` (redis-py's asyncio `PubSub`): a dedicated connection that subscribes,
//! reads messages (one at a time or as a [`futures_core::Stream`]), checks its health, and
//! reconnects and re-subscribes when it breaks.
//!
//! Parsing, routing and the subscription state (including the commands that restore it after a
//! reconnect) are the sans-I/O [`crate::pubsub`] module shared with the blocking
//! [`PubSub`](crate::PubSub); the backoff is [`crate::retry`]. This file only does the socket work.

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use bytes::Bytes;
use tokio::time::Instant;

use crate::config::ConnectionConfig;
use crate::pubsub::{split_names, Handler, HandlerOutput, Message, Session, SubKind};
use crate::retry::Retry;
use crate::{Cmd, Error, ErrorKind, Result, ToArgs, Value};

use super::stream::{unfold_stream, Unfold};
use super::{BoxFuture, Connection, Redis};

/// Publish/subscribe on a dedicated connection (redis-py's asyncio `PubSub`), from
/// [`Redis::pubsub`].
///
/// Subscriptions go out at once; their confirmations and the published messages are read with
/// [`get_message`](Self::get_message), or as a stream with [`on_message`](Self::on_message)
/// (borrowing) or [`into_stream`](Self::into_stream) (owning), or by handlers
/// ([`subscribe_with`](Self::subscribe_with)...) run by [`run_in_task`](Self::run_in_task).
/// A message for a subscription that has a handler is given to the handler and not returned.
/// Works the same on RESP2 and RESP3.
///
/// When the connection breaks (server restart, `CLIENT KILL`, network cut), the next read or
/// command reconnects with backoff (the client's [`ConnectionConfig::retry`], see
/// [`set_retry`](Self::set_retry)) and subscribes again to every channel, pattern and shard
/// channel; the confirmations of these re-subscriptions are delivered like the first ones
/// (unless `ignore_subscribe_messages`). Messages published while disconnected are lost. An
/// error reaches the caller only when every retry failed; the next call tries again.
///
/// With `health_check_interval` set, a connection idle that long is PINGed; the health-check
/// reply is consumed silently.
///
/// # Cancel safety
///
/// The subscribe and unsubscribe methods record the change in this `PubSub` when they are
/// called, before their future is first polled (as redis-py updates its state before sending);
/// the future only sends the command. Dropping it:
/// - before the command was written (never polled, or while reconnecting or waiting the retry
///   backoff): the server has not got it yet. Call the method again (it sends the command
///   again; subscribing twice is harmless), or the next reconnect restores the recorded
///   subscriptions;
/// - while the command was being written: the connection is marked broken, and the next call
///   reconnects and subscribes again to every recorded subscription;
/// - after it was written: the server has it; its confirmation is read by a later
///   [`get_message`](Self::get_message).
///
/// [`get_message`](Self::get_message) and the streams are cancel safe: dropping them while they
/// wait for data loses nothing.
///
/// # Examples
/// ```no_run
/// # async fn demo() -> oxredis::Result<()> {
/// let r = oxredis::aio::Redis::from_url("redis://localhost")?;
/// let mut p = r.pubsub().await?;
/// p.subscribe(["news", "sport"]).await?;
/// p.psubscribe("news.*").await?;
/// let mut messages = p.on_message();
/// while let Some(m) = messages.next().await {
///     let m = m?;
///     println!("{} {:?} {:?}", m.kind, m.channel_str(), m.data_str());
/// }
/// # Ok(()) }
/// ```
pub struct PubSub {
    config: ConnectionConfig,
    conn: Option<Connection>,
    session: Session,
    /// When a byte was last read or written (or the connection opened), for health checks.
    last_activity: Instant,
    /// For a cluster's sharded pub/sub: where the shard channels' slot lives now (the
    /// connection settings of its owner), asked before every connection after the first.
    locator: Option<Locator>,
}

/// Finds the node serving a sharded PubSub's slot, refreshing the cluster's map first.
pub(crate) type Locator =
    std::sync::Arc<dyn Fn() -> BoxFuture<'static, Result<ConnectionConfig>> + Send + Sync>;

impl std::fmt::Debug for PubSub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PubSub")
            .field("addr", &self.config.addr)
            .field("connected", &self.is_connected())
            .field("channels", &self.session.subs.names(SubKind::Channel))
            .field("patterns", &self.session.subs.names(SubKind::Pattern))
            .field("shard_channels", &self.session.subs.names(SubKind::Shard))
            .finish_non_exhaustive()
    }
}

impl Redis {
    /// A [`PubSub`] on a connection of its own (never the shared one), opened now with this
    /// client's settings.
    ///
    /// # Errors
    /// As [`Connection::connect`], after the retry policy's attempts.
    pub async fn pubsub(&self) -> Result<PubSub> {
        let mut p = PubSub::new(self.config().clone());
        p.connect_with_retry().await?;
        Ok(p)
    }
}

impl PubSub {
    /// A PubSub for `config`; nothing is connected until the first subscription or ping.
    pub fn new(config: ConnectionConfig) -> PubSub {
        PubSub {
            session: Session::new(&config),
            config,
            conn: None,
            last_activity: Instant::now(),
            locator: None,
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

    /// Changes whether confirmations are returned.
    pub fn set_ignore_subscribe_messages(&mut self, on: bool) {
        self.session.ignore_subscribe_messages = on;
    }

    /// How reconnection after a connection error is retried (default: the client's
    /// [`ConnectionConfig::retry`]).
    pub fn set_retry(&mut self, retry: Retry) {
        self.session.retry = retry;
    }

    /// Subscribes to one or more channels (`"ch"`, `["a", "b"]`, a `Vec`...).
    ///
    /// # Errors
    /// A connection error once every retry failed (the subscription is kept and restored on
    /// the next successful connection).
    ///
    /// # Cancel safety
    /// The subscription is recorded when this is called; dropping the future may leave it not
    /// yet sent: see [`PubSub`]'s `# Cancel safety`.
    pub fn subscribe(
        &mut self,
        channels: impl ToArgs,
    ) -> impl Future<Output = Result<()>> + Send + '_ {
        self.add(SubKind::Channel, split_names(channels))
    }

    /// Subscribes to one or more glob-style patterns (`PSUBSCRIBE`).
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    ///
    /// # Cancel safety
    /// As [`subscribe`](Self::subscribe).
    pub fn psubscribe(
        &mut self,
        patterns: impl ToArgs,
    ) -> impl Future<Output = Result<()>> + Send + '_ {
        self.add(SubKind::Pattern, split_names(patterns))
    }

    /// Subscribes to one or more shard channels (`SSUBSCRIBE`, Redis 7).
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    ///
    /// # Cancel safety
    /// As [`subscribe`](Self::subscribe).
    pub fn ssubscribe(
        &mut self,
        shard_channels: impl ToArgs,
    ) -> impl Future<Output = Result<()>> + Send + '_ {
        self.add(SubKind::Shard, split_names(shard_channels))
    }

    /// Subscribes to `channels` with a handler called for each of their messages (the same
    /// [`Handler`] as the blocking [`PubSub::subscribe_with`](crate::PubSub::subscribe_with)).
    /// The handler returns `()` or `Result<()>`; an `Err` or a panic is reported as an error of
    /// the read that dispatched the message. Handlers run inline in the reading task, so they
    /// should be quick and must not block.
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    pub fn subscribe_with<F, R>(
        &mut self,
        channels: impl ToArgs,
        handler: F,
    ) -> impl Future<Output = Result<()>> + Send + '_
    where
        F: FnMut(Message) -> R + Send + 'static,
        R: HandlerOutput,
    {
        self.add_with(
            SubKind::Channel,
            split_names(channels),
            Some(Handler::new(handler)),
        )
    }

    /// Subscribes to patterns with a handler; see [`subscribe_with`](Self::subscribe_with).
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    pub fn psubscribe_with<F, R>(
        &mut self,
        patterns: impl ToArgs,
        handler: F,
    ) -> impl Future<Output = Result<()>> + Send + '_
    where
        F: FnMut(Message) -> R + Send + 'static,
        R: HandlerOutput,
    {
        self.add_with(
            SubKind::Pattern,
            split_names(patterns),
            Some(Handler::new(handler)),
        )
    }

    /// Subscribes to shard channels with a handler; see [`subscribe_with`](Self::subscribe_with).
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    pub fn ssubscribe_with<F, R>(
        &mut self,
        shard_channels: impl ToArgs,
        handler: F,
    ) -> impl Future<Output = Result<()>> + Send + '_
    where
        F: FnMut(Message) -> R + Send + 'static,
        R: HandlerOutput,
    {
        self.add_with(
            SubKind::Shard,
            split_names(shard_channels),
            Some(Handler::new(handler)),
        )
    }

    /// Unsubscribes from channels; an empty list means all.
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    ///
    /// # Cancel safety
    /// As [`subscribe`](Self::subscribe).
    pub fn unsubscribe(
        &mut self,
        channels: impl ToArgs,
    ) -> impl Future<Output = Result<()>> + Send + '_ {
        self.remove(SubKind::Channel, split_names(channels))
    }

    /// Unsubscribes from every channel.
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    ///
    /// # Cancel safety
    /// As [`subscribe`](Self::subscribe).
    pub async fn unsubscribe_all(&mut self) -> Result<()> {
        self.remove(SubKind::Channel, Vec::new()).await
    }

    /// Unsubscribes from patterns; an empty list means all.
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    ///
    /// # Cancel safety
    /// As [`subscribe`](Self::subscribe).
    pub fn punsubscribe(
        &mut self,
        patterns: impl ToArgs,
    ) -> impl Future<Output = Result<()>> + Send + '_ {
        self.remove(SubKind::Pattern, split_names(patterns))
    }

    /// Unsubscribes from every pattern.
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    ///
    /// # Cancel safety
    /// As [`subscribe`](Self::subscribe).
    pub async fn punsubscribe_all(&mut self) -> Result<()> {
        self.remove(SubKind::Pattern, Vec::new()).await
    }

    /// Unsubscribes from shard channels; an empty list means all.
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    ///
    /// # Cancel safety
    /// As [`subscribe`](Self::subscribe).
    pub fn sunsubscribe(
        &mut self,
        shard_channels: impl ToArgs,
    ) -> impl Future<Output = Result<()>> + Send + '_ {
        self.remove(SubKind::Shard, split_names(shard_channels))
    }

    /// Unsubscribes from every shard channel.
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    ///
    /// # Cancel safety
    /// As [`subscribe`](Self::subscribe).
    pub async fn sunsubscribe_all(&mut self) -> Result<()> {
        self.remove(SubKind::Shard, Vec::new()).await
    }

    /// Sends `PING`; the reply arrives as a `pong` message with empty data.
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    pub async fn ping(&mut self) -> Result<()> {
        self.send(Cmd::new("PING"), false).await
    }

    /// Sends `PING message`; the reply arrives as a `pong` message carrying `message`.
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    pub fn ping_with(
        &mut self,
        message: impl ToArgs,
    ) -> impl Future<Output = Result<()>> + Send + '_ {
        let mut cmd = Cmd::new("PING");
        cmd.arg(message);
        self.send(cmd, false)
    }

    /// Connects now if there is no usable connection (restoring every subscription), with the
    /// usual retries; does nothing on a live one. Every call connects on its own: this is
    /// redis-py's `PubSub.connect()`, to find out early that the server is away.
    ///
    /// # Errors
    /// As [`subscribe`](Self::subscribe).
    pub async fn connect(&mut self) -> Result<()> {
        let mut failures = 0;
        loop {
            match self.ensure_connected().await {
                Ok(_) => return Ok(()),
                Err(e) => self.after_error(e, &mut failures).await?,
            }
        }
    }

    /// Whether anything is subscribed, including subscriptions whose unsubscribe confirmation
    /// has not been read yet.
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

    /// Closes the connection and forgets every subscription (redis-py's `aclose()`); the
    /// PubSub can be used again afterwards.
    pub fn close(&mut self) {
        self.conn = None;
        self.session.clear();
    }

    /// The next message, waiting up to `timeout` (`None`: until one arrives). Returns `None`
    /// when the time is up, when nothing is subscribed and nothing is connected, or when the
    /// frame read was consumed internally (a message given to its handler, a health-check
    /// reply, an ignored confirmation). Cancel safe: dropping the future while it waits for
    /// data loses nothing.
    ///
    /// # Errors
    /// A connection error after every reconnect attempt failed; an error returned (or panic
    /// raised) by a handler; an error reply.
    pub async fn get_message(&mut self, timeout: Option<Duration>) -> Result<Option<Message>> {
        if self.conn.is_none() && !self.session.subs.is_subscribed() {
            return Ok(None);
        }
        // A wait too long to represent is no deadline at all.
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        let Some(frame) = self.read_frame(deadline).await? else {
            return Ok(None);
        };
        let handled = self.session.handle_frame(frame);
        if self.session.take_moved() {
            // The node no longer serves the shard channels: the next use goes to the new owner.
            self.conn = None;
        }
        handled
    }

    /// The next message for the caller, skipping what is consumed internally; `None` once
    /// nothing is subscribed any more (as redis-py's `listen()`).
    async fn listen_next(&mut self) -> Option<Result<Message>> {
        loop {
            if !self.is_subscribed() {
                return None;
            }
            match self.get_message(None).await {
                Ok(Some(m)) => return Some(Ok(m)),
                Ok(None) => {}
                Err(e) => return Some(Err(e)),
            }
        }
    }

    /// The messages as a stream borrowing this PubSub (redis-py's `listen()`): it yields every
    /// message as it arrives, an `Err` when reconnecting failed (polling again retries), and
    /// ends once nothing is subscribed any more. Drop it to change subscriptions.
    pub fn on_message(&mut self) -> MessageStream<'_> {
        MessageStream {
            inner: Unfold::new(self, borrowed_step),
        }
    }

    /// As [`on_message`](Self::on_message), owning the PubSub (e.g. to hand it to a task).
    pub fn into_stream(self) -> PubSubStream {
        PubSubStream {
            inner: Unfold::new(self, owned_step),
        }
    }

    /// Reads messages in a new tokio task until [`PubSubWorker::stop`], giving each to its
    /// handler: the async counterpart of the blocking
    /// [`run_in_thread`](crate::PubSub::run_in_thread), with the same rules. Every
    /// subscription must have a handler. Errors go to `exception_handler`; without one, the
    /// first error ends the task and is returned by [`PubSubWorker::join`]. No `sleep_time`:
    /// `stop` interrupts the wait for a message at once.
    ///
    /// Must be called within a tokio runtime.
    ///
    /// # Errors
    /// [`ErrorKind::Data`] if a subscription has no handler (the PubSub is dropped).
    pub fn run_in_task(self, exception_handler: Option<ExceptionHandler>) -> Result<PubSubWorker> {
        self.session.subs.require_handlers()?;
        let (stop, mut stopped) = watch::channel(false);
        let mut pubsub = self;
        let mut handler = exception_handler;
        let task = tokio::spawn(async move {
            loop {
                let step = async {
                    if let Err(e) = pubsub.get_message(None).await {
                        match handler.as_mut() {
                            Some(h) => h(e, &mut pubsub),
                            None => return Err(e),
                        }
                    }
                    if !pubsub.is_connected() {
                        // Nothing subscribed, or the server is unreachable (the retries were
                        // spent): wait instead of spinning.
                        tokio::time::sleep(WORKER_IDLE).await;
                    }
                    Ok(())
                };
                tokio::select! {
                    biased;
                    _ = stopped.wait_for(|s| *s) => break,
                    res = step => res?,
                }
            }
            Ok(pubsub)
        });
        Ok(PubSubWorker {
            stop,
            task: Some(task),
        })
    }

    fn add(
        &mut self,
        kind: SubKind,
        names: Vec<Bytes>,
    ) -> impl Future<Output = Result<()>> + Send + '_ {
        self.add_with(kind, names, None)
    }

    fn add_with(
        &mut self,
        kind: SubKind,
        names: Vec<Bytes>,
        handler: Option<Handler>,
    ) -> impl Future<Output = Result<()>> + Send + '_ {
        let names = names.into_iter().map(|n| (n, handler.clone())).collect();
        let cmd = self.session.subs.subscribe(kind, names);
        async move {
            match cmd {
                Some(cmd) => self.send(cmd, true).await,
                None => Ok(()),
            }
        }
    }

    fn remove(
        &mut self,
        kind: SubKind,
        names: Vec<Bytes>,
    ) -> impl Future<Output = Result<()>> + Send + '_ {
        let cmd = self.session.subs.unsubscribe(kind, names);
        self.send(cmd, true)
    }

    async fn connect_with_retry(&mut self) -> Result<()> {
        let mut failures = 0;
        loop {
            match self.ensure_connected().await {
                Ok(_) => return Ok(()),
                Err(e) => self.after_error(e, &mut failures).await?,
            }
        }
    }

    /// Connects if there is no usable connection, sending the commands that restore every
    /// subscription. `true` when a new connection was made.
    async fn ensure_connected(&mut self) -> Result<bool> {
        if self.is_connected() {
            return Ok(false);
        }
        self.conn = None;
        if self.session.locate_before_connect() {
            if let Some(locate) = &self.locator {
                self.config = locate().await?;
            }
        }
        let mut conn = Connection::connect(&self.config).await?;
        self.last_activity = Instant::now();
        let cmds = self.session.on_connected();
        if !cmds.is_empty() {
            for cmd in &cmds {
                conn.queue(cmd);
            }
            conn.flush().await?;
        }
        self.conn = Some(conn);
        Ok(true)
    }

    fn connected(&mut self) -> Result<&mut Connection> {
        self.conn
            .as_mut()
            .ok_or_else(|| Error::new(ErrorKind::Connection, "pub/sub connection not open"))
    }

    /// After a failed attempt: drops the connection and, for [`ErrorKind::Connection`] and
    /// [`ErrorKind::Timeout`] (not a failed authentication: retrying would not help),
    /// waits the backoff before the next attempt, or gives up with the error.
    async fn after_error(&mut self, e: Error, failures: &mut u32) -> Result<()> {
        if !self.is_connected() {
            self.conn = None;
        }
        let wait = self.session.after_error(e, failures)?;
        self.conn = None;
        tokio::time::sleep(wait).await;
        Ok(())
    }

    /// Sends `cmd`, reconnecting if needed. `restored_by_reconnect`: a fresh connection already
    /// reflects the command (it re-subscribes to the current state), so it is not sent again.
    async fn send(&mut self, cmd: Cmd, restored_by_reconnect: bool) -> Result<()> {
        let mut failures = 0;
        loop {
            let attempt = async {
                let fresh = self.ensure_connected().await?;
                if fresh && restored_by_reconnect {
                    return Ok(());
                }
                let conn = self.connected()?;
                conn.queue(&cmd);
                conn.flush().await?;
                self.last_activity = Instant::now();
                Ok(())
            }
            .await;
            match attempt {
                Ok(()) => return Ok(()),
                Err(e) => self.after_error(e, &mut failures).await?,
            }
        }
    }

    /// Sends a health-check `PING` if the connection has been idle for at least
    /// `health_check_interval` (nothing when it is not set, or not connected); its reply is
    /// consumed silently by the next read. Reads call this themselves.
    ///
    /// # Errors
    /// A connection error while sending.
    pub async fn check_health(&mut self) -> Result<()> {
        if !self.is_connected() {
            return Ok(());
        }
        if let Some(ping) = self.session.health_check(self.last_activity.elapsed()) {
            let conn = self.connected()?;
            conn.queue(&ping);
            conn.flush().await?;
            self.last_activity = Instant::now();
        }
        Ok(())
    }

    /// Reads one frame before `deadline`, health-checking and reconnecting as needed.
    async fn read_frame(&mut self, deadline: Option<Instant>) -> Result<Option<Value>> {
        let mut failures = 0;
        loop {
            match self.try_read_frame(deadline).await {
                Ok(frame) => return Ok(frame),
                Err(e) => self.after_error(e, &mut failures).await?,
            }
        }
    }

    async fn try_read_frame(&mut self, deadline: Option<Instant>) -> Result<Option<Value>> {
        loop {
            self.ensure_connected().await?;
            self.check_health().await?;
            let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            // Wake up when a health check is due, to PING a quiet connection.
            let wait = self.session.read_wait(left, self.last_activity.elapsed());
            let wake = wait.and_then(|w| Instant::now().checked_add(w));
            let conn = self.connected()?;
            if let Some(frame) = conn.read_frame_until(wake).await? {
                self.last_activity = Instant::now();
                return Ok(Some(frame));
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok(None);
            }
        }
    }
}

/// How long the worker of [`PubSub::run_in_task`] waits before reading again when it has no
/// connection (nothing subscribed, or reconnecting failed).
const WORKER_IDLE: Duration = Duration::from_millis(100);

/// Called by [`PubSub::run_in_task`] with each error (connection lost for good, or a failing
/// handler), and the `PubSub` so it can e.g. close it. The task keeps running afterwards. The
/// async counterpart of the blocking [`ExceptionHandler`](crate::blocking::ExceptionHandler).
pub type ExceptionHandler = Box<dyn FnMut(Error, &mut PubSub) + Send>;

/// The task started by [`PubSub::run_in_task`] (the async `PubSubWorkerThread`), with the
/// methods of the blocking [`PubSubWorker`](crate::blocking::PubSubWorker). Dropping it stops
/// the task.
#[derive(Debug)]
pub struct PubSubWorker {
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<Result<PubSub>>>,
}

impl PubSubWorker {
    /// Asks the task to stop; it does at its next await, without waiting for a message.
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }

    /// Whether the task is still running.
    pub fn is_running(&self) -> bool {
        self.task.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Stops the task, waits for it, and gives the `PubSub` back (its subscriptions kept; call
    /// [`PubSub::close`] or the `unsubscribe` methods to end them).
    ///
    /// # Errors
    /// The error that ended the task when there was no exception handler; an error if the task
    /// panicked (e.g. in the exception handler).
    pub async fn join(mut self) -> Result<PubSub> {
        self.stop();
        let Some(task) = self.task.take() else {
            return Err(Error::new(ErrorKind::Data, "pub/sub task already joined"));
        };
        task.await.unwrap_or_else(|_| {
            Err(Error::new(
                ErrorKind::Data,
                "pub/sub task panicked (in the exception handler?)",
            ))
        })
    }
}

impl Drop for PubSubWorker {
    fn drop(&mut self) {
        self.stop();
    }
}

fn owned_step(mut p: PubSub) -> BoxFuture<'static, (Option<Result<Message>>, PubSub)> {
    Box::pin(async move { (p.listen_next().await, p) })
}

fn borrowed_step(p: &mut PubSub) -> BoxFuture<'_, (Option<Result<Message>>, &mut PubSub)> {
    Box::pin(async move { (p.listen_next().await, p) })
}

/// The messages of a [`PubSub`] it owns, as a [`futures_core::Stream`]; see
/// [`PubSub::into_stream`].
pub struct PubSubStream {
    inner: Unfold<'static, PubSub, Result<Message>>,
}

unfold_stream!(PubSubStream => Result<Message>);

impl PubSubStream {
    /// The PubSub back, e.g. to change subscriptions; `None` only when a read was abandoned
    /// half-way (a `next()` future dropped before completing).
    pub fn into_inner(self) -> Option<PubSub> {
        self.inner.into_state()
    }
}

/// The messages of a borrowed [`PubSub`], as a [`futures_core::Stream`]; see
/// [`PubSub::on_message`].
pub struct MessageStream<'a> {
    inner: Unfold<'a, &'a mut PubSub, Result<Message>>,
}

unfold_stream!(MessageStream<'a> => Result<Message>);
