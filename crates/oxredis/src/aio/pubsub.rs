//! The async `PubSub` (redis-py's asyncio `PubSub`): a dedicated connection that subscribes,
//! reads messages (one at a time or as a [`futures_core::Stream`]), checks its health, and
//! reconnects and re-subscribes when it breaks.
//!
//! Parsing, routing and the subscription state (including the commands that restore it after a
//! reconnect) are the sans-I/O [`crate::pubsub`] module shared with the blocking
//! [`PubSub`](crate::PubSub); the backoff is [`crate::retry`]. This file only does the socket work.

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;

use crate::config::ConnectionConfig;
use crate::pubsub::HEALTH_CHECK_MESSAGE;
use crate::pubsub::{route_frame, split_names, Message, SubKind, Subscriptions};
use crate::retry::Retry;
use crate::{Cmd, Error, ErrorKind, Result, ToArgs, Value};

use super::stream::{unfold_stream, Unfold};
use super::{BoxFuture, Connection, Redis};

/// Publish/subscribe on a dedicated connection (redis-py's asyncio `PubSub`), from
/// [`Redis::pubsub`].
///
/// Subscriptions go out at once; their confirmations and the published messages are read with
/// [`get_message`](Self::get_message), or as a stream with [`on_message`](Self::on_message)
/// (borrowing) or [`into_stream`](Self::into_stream) (owning). Works the same on RESP2 and RESP3.
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
    subs: Subscriptions<()>,
    ignore_subscribe_messages: bool,
    retry: Retry,
    /// Health-check PINGs sent whose reply has not been read yet.
    health_checks_pending: usize,
    /// When a frame last arrived (or the connection was opened), for health checks.
    last_read: Instant,
}

impl std::fmt::Debug for PubSub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PubSub")
            .field("addr", &self.config.addr)
            .field("connected", &self.is_connected())
            .field("channels", &self.subs.names(SubKind::Channel))
            .field("patterns", &self.subs.names(SubKind::Pattern))
            .field("shard_channels", &self.subs.names(SubKind::Shard))
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
            retry: config.retry,
            config,
            conn: None,
            subs: Subscriptions::new(),
            ignore_subscribe_messages: false,
            health_checks_pending: 0,
            last_read: Instant::now(),
        }
    }

    /// Do not return subscribe/unsubscribe confirmations (redis-py's
    /// `ignore_subscribe_messages=True`); `pong` replies are still returned.
    pub fn ignore_subscribe_messages(mut self, on: bool) -> PubSub {
        self.ignore_subscribe_messages = on;
        self
    }

    /// Changes whether confirmations are returned.
    pub fn set_ignore_subscribe_messages(&mut self, on: bool) {
        self.ignore_subscribe_messages = on;
    }

    /// How reconnection after a connection error is retried (default: the client's
    /// [`ConnectionConfig::retry`]).
    pub fn set_retry(&mut self, retry: Retry) {
        self.retry = retry;
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

    /// Whether anything is subscribed, including subscriptions whose unsubscribe confirmation
    /// has not been read yet.
    pub fn is_subscribed(&self) -> bool {
        self.subs.is_subscribed()
    }

    /// Subscribed channels.
    pub fn channels(&self) -> Vec<Bytes> {
        self.subs.names(SubKind::Channel)
    }

    /// Subscribed patterns.
    pub fn patterns(&self) -> Vec<Bytes> {
        self.subs.names(SubKind::Pattern)
    }

    /// Subscribed shard channels.
    pub fn shard_channels(&self) -> Vec<Bytes> {
        self.subs.names(SubKind::Shard)
    }

    /// Whether a connection is currently open.
    pub fn is_connected(&self) -> bool {
        self.conn.as_ref().is_some_and(|c| !c.is_broken())
    }

    /// Closes the connection and forgets every subscription (redis-py's `aclose()`); the
    /// PubSub can be used again afterwards.
    pub fn close(&mut self) {
        self.conn = None;
        self.subs.clear();
        self.health_checks_pending = 0;
    }

    /// The next message, waiting up to `timeout` (`None`: until one arrives). Returns `None`
    /// when the time is up, when nothing is subscribed and nothing is connected, or when the
    /// frame read was consumed internally (a health-check reply, an ignored confirmation).
    /// Cancel safe: dropping the future while it waits for data loses nothing.
    ///
    /// # Errors
    /// A connection error after every reconnect attempt failed; an error reply.
    pub async fn get_message(&mut self, timeout: Option<Duration>) -> Result<Option<Message>> {
        if self.conn.is_none() && !self.subs.is_subscribed() {
            return Ok(None);
        }
        // A wait too long to represent is no deadline at all.
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        let Some(frame) = self.read_frame(deadline).await? else {
            return Ok(None);
        };
        route_frame(
            &mut self.subs,
            frame,
            self.ignore_subscribe_messages,
            &mut self.health_checks_pending,
        )
        .map(|routed| routed.map(|(msg, _)| msg))
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

    fn add(
        &mut self,
        kind: SubKind,
        names: Vec<Bytes>,
    ) -> impl Future<Output = Result<()>> + Send + '_ {
        let names = names.into_iter().map(|n| (n, None)).collect();
        let cmd = self.subs.subscribe(kind, names);
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
        let cmd = self.subs.unsubscribe(kind, names);
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
        let mut conn = Connection::connect(&self.config).await?;
        self.health_checks_pending = 0;
        self.last_read = Instant::now();
        let cmds = self.subs.resubscribe_commands();
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

    /// After a failed attempt: drops the connection and, for connection errors and timeouts,
    /// waits the backoff before the next attempt, or gives up with the error.
    async fn after_error(&mut self, e: Error, failures: &mut u32) -> Result<()> {
        if !self.is_connected() {
            self.conn = None;
        }
        if !(e.is_connection_error() || e.is_timeout()) {
            return Err(e);
        }
        self.conn = None;
        *failures += 1;
        match self.retry.next_delay(*failures) {
            Some(wait) => {
                tokio::time::sleep(wait).await;
                Ok(())
            }
            None => Err(e),
        }
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
                conn.flush().await
            }
            .await;
            match attempt {
                Ok(()) => return Ok(()),
                Err(e) => self.after_error(e, &mut failures).await?,
            }
        }
    }

    /// Sends a health-check `PING` when the connection has been idle for the
    /// `health_check_interval`.
    async fn check_health(&mut self) -> Result<()> {
        let Some(interval) = self.config.health_check_interval else {
            return Ok(());
        };
        if self.is_connected() && self.last_read.elapsed() >= interval {
            let mut cmd = Cmd::new("PING");
            cmd.arg(HEALTH_CHECK_MESSAGE);
            let conn = self.connected()?;
            conn.queue(&cmd);
            conn.flush().await?;
            self.health_checks_pending += 1;
            // Not again until this interval passes without a frame.
            self.last_read = Instant::now();
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
        let interval = self.config.health_check_interval;
        loop {
            self.ensure_connected().await?;
            self.check_health().await?;
            // Wake up at the health-check interval to PING an idle connection.
            let wake = match (deadline, interval.map(|i| self.last_read + i)) {
                (Some(d), Some(h)) => Some(d.min(h)),
                (d, h) => d.or(h),
            };
            let conn = self.connected()?;
            if let Some(frame) = conn.read_frame_until(wake).await? {
                self.last_read = Instant::now();
                return Ok(Some(frame));
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok(None);
            }
        }
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
