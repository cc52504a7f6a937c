//! Pub/Sub as data (sans-I/O): parsing messages out of frames, and the subscription state with
//! its handlers, pending unsubscriptions and the commands that restore it after a reconnect.
//!
//! Shared by the blocking [`PubSub`](crate::blocking::PubSub) and the async client, which
//! register the same [`Handler`] type and dispatch with the same `dispatch_frame`; the
//! subscription state is generic over the handler so it can be tested with plain values.
//!
//! Messages arrive as arrays on RESP2 and as push frames on RESP3; `parse_frame` turns both
//! into the same [`Message`].

use std::collections::{HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

use bytes::Bytes;

use crate::{Cmd, Error, ErrorKind, FromValue, Result, ToArgs, Value};

/// Argument of the health-check `PING`, so its reply can be recognised and swallowed
/// (redis-py sends `PING redis-py-health-check`).
pub(crate) const HEALTH_CHECK_MESSAGE: &str = "oxredis-health-check";

/// The type of a pub/sub message (redis-py's `message["type"]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// Confirmation of `SUBSCRIBE`; `data` is the number of subscriptions.
    Subscribe,
    /// Confirmation of `UNSUBSCRIBE`; `data` is the number of subscriptions left.
    Unsubscribe,
    /// Confirmation of `PSUBSCRIBE`.
    PSubscribe,
    /// Confirmation of `PUNSUBSCRIBE`.
    PUnsubscribe,
    /// Confirmation of `SSUBSCRIBE` (sharded, Redis 7).
    SSubscribe,
    /// Confirmation of `SUNSUBSCRIBE`.
    SUnsubscribe,
    /// A message published to a subscribed channel.
    Message,
    /// A message published to a channel matching a subscribed pattern.
    PMessage,
    /// A message published to a subscribed shard channel (`SPUBLISH`).
    SMessage,
    /// The reply to [`ping`](crate::blocking::PubSub::ping); `data` is the ping's message.
    Pong,
}

impl MessageKind {
    /// The name redis-py uses (`"subscribe"`, `"pmessage"`...).
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Subscribe => "subscribe",
            MessageKind::Unsubscribe => "unsubscribe",
            MessageKind::PSubscribe => "psubscribe",
            MessageKind::PUnsubscribe => "punsubscribe",
            MessageKind::SSubscribe => "ssubscribe",
            MessageKind::SUnsubscribe => "sunsubscribe",
            MessageKind::Message => "message",
            MessageKind::PMessage => "pmessage",
            MessageKind::SMessage => "smessage",
            MessageKind::Pong => "pong",
        }
    }

    fn from_name(name: &[u8]) -> Option<MessageKind> {
        Some(match name.to_ascii_lowercase().as_slice() {
            b"subscribe" => MessageKind::Subscribe,
            b"unsubscribe" => MessageKind::Unsubscribe,
            b"psubscribe" => MessageKind::PSubscribe,
            b"punsubscribe" => MessageKind::PUnsubscribe,
            b"ssubscribe" => MessageKind::SSubscribe,
            b"sunsubscribe" => MessageKind::SUnsubscribe,
            b"message" => MessageKind::Message,
            b"pmessage" => MessageKind::PMessage,
            b"smessage" => MessageKind::SMessage,
            b"pong" => MessageKind::Pong,
            _ => return None,
        })
    }

    /// Whether this confirms a subscription or unsubscription (filtered by
    /// `ignore_subscribe_messages`).
    pub fn is_subscription_change(self) -> bool {
        !matches!(
            self,
            MessageKind::Message
                | MessageKind::PMessage
                | MessageKind::SMessage
                | MessageKind::Pong
        )
    }

    /// Whether this carries published data (`message`, `pmessage`, `smessage`).
    pub fn is_published(self) -> bool {
        matches!(
            self,
            MessageKind::Message | MessageKind::PMessage | MessageKind::SMessage
        )
    }

    /// Which kind of subscription this message is about, if any.
    pub(crate) fn sub_kind(self) -> Option<SubKind> {
        match self {
            MessageKind::Subscribe | MessageKind::Unsubscribe | MessageKind::Message => {
                Some(SubKind::Channel)
            }
            MessageKind::PSubscribe | MessageKind::PUnsubscribe | MessageKind::PMessage => {
                Some(SubKind::Pattern)
            }
            MessageKind::SSubscribe | MessageKind::SUnsubscribe | MessageKind::SMessage => {
                Some(SubKind::Shard)
            }
            MessageKind::Pong => None,
        }
    }
}

impl std::fmt::Display for MessageKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One pub/sub message with redis-py's fields: `type`, `pattern`, `channel`, `data`.
///
/// Channel and pattern are raw bytes; with `decode_responses` the connection has already
/// checked they are UTF-8, so [`channel_str`](Self::channel_str) succeeds.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Message {
    /// What kind of message this is.
    pub kind: MessageKind,
    /// The channel (for `pmessage`, the channel the message was published to). `None` for
    /// `pong`, and for an unsubscribe-all confirmation when nothing was subscribed.
    pub channel: Option<Bytes>,
    /// The matching pattern, for `pmessage` only.
    pub pattern: Option<Bytes>,
    /// The payload: the published data, the subscription count for confirmations, or the ping
    /// message for `pong`.
    pub data: Value,
}

impl Message {
    /// The channel as text, if there is one and it is UTF-8.
    pub fn channel_str(&self) -> Option<&str> {
        self.channel
            .as_deref()
            .and_then(|b| std::str::from_utf8(b).ok())
    }

    /// The pattern as text, if there is one and it is UTF-8.
    pub fn pattern_str(&self) -> Option<&str> {
        self.pattern
            .as_deref()
            .and_then(|b| std::str::from_utf8(b).ok())
    }

    /// The payload's bytes when it is a string.
    pub fn data_bytes(&self) -> Option<&[u8]> {
        self.data.as_bytes()
    }

    /// The payload as text when it is a UTF-8 string.
    pub fn data_str(&self) -> Option<&str> {
        self.data_bytes().and_then(|b| std::str::from_utf8(b).ok())
    }

    /// The payload converted to `T` (e.g. `i64` for a confirmation's count).
    ///
    /// # Errors
    /// When the payload does not convert to `T`.
    pub fn data_as<T: FromValue>(&self) -> Result<T> {
        T::from_value(self.data.clone())
    }

    /// The subscription this message is routed by: the pattern for `pmessage`, else the channel.
    pub fn subscription(&self) -> Option<&Bytes> {
        match self.kind {
            MessageKind::PMessage => self.pattern.as_ref(),
            _ => self.channel.as_ref(),
        }
    }
}

/// What one frame read from a pub/sub connection is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Frame {
    /// A pub/sub message or confirmation.
    Message(Message),
    /// The reply to a health-check `PING` (subscribed RESP2 `["pong", msg]`, or a plain bulk
    /// reply): to be consumed silently when one is outstanding.
    HealthCheck,
    /// Anything else: an error reply, or an unrelated reply or push (e.g. invalidation).
    Other(Value),
}

fn bytes_of(v: &Value) -> Option<Bytes> {
    match v {
        Value::Bulk(b) | Value::Simple(b) => Some(b.clone()),
        Value::Verbatim { text, .. } => Some(text.clone()),
        _ => None,
    }
}

/// Classifies one frame read from a pub/sub connection (RESP2 array or RESP3 push alike).
///
/// `PONG`/`["pong", ..]` replies become [`MessageKind::Pong`] messages, except a reply that
/// carries [`HEALTH_CHECK_MESSAGE`], which is [`Frame::HealthCheck`].
pub(crate) fn parse_frame(frame: Value) -> Frame {
    let frame = frame.without_attributes();
    let items = match frame {
        Value::Array(items) | Value::Push(items) => items,
        // Unsubscribed connections (and RESP3) answer PING with a plain reply.
        Value::Simple(ref s) | Value::Bulk(ref s) => {
            if s.as_ref() == HEALTH_CHECK_MESSAGE.as_bytes() {
                return Frame::HealthCheck;
            }
            if s.eq_ignore_ascii_case(b"PONG") {
                return Frame::Message(Message {
                    kind: MessageKind::Pong,
                    channel: None,
                    pattern: None,
                    data: Value::Bulk(Bytes::new()),
                });
            }
            // A bulk reply to `PING message` outside subscribed mode is the message itself.
            return Frame::Message(Message {
                kind: MessageKind::Pong,
                channel: None,
                pattern: None,
                data: frame,
            });
        }
        other => return Frame::Other(other),
    };
    let kind = items
        .first()
        .and_then(Value::as_bytes)
        .and_then(MessageKind::from_name);
    let Some(kind) = kind else {
        return Frame::Other(Value::Array(items));
    };
    let expected = match kind {
        MessageKind::Pong => 2,
        MessageKind::PMessage => 4,
        _ => 3,
    };
    if items.len() != expected {
        return Frame::Other(Value::Array(items));
    }
    let mut it = items.into_iter().skip(1);
    let mut next = || it.next().unwrap_or(Value::Nil);
    match kind {
        MessageKind::Pong => {
            let data = next();
            if data.as_bytes() == Some(HEALTH_CHECK_MESSAGE.as_bytes()) {
                return Frame::HealthCheck;
            }
            Frame::Message(Message {
                kind,
                channel: None,
                pattern: None,
                data,
            })
        }
        MessageKind::PMessage => {
            let pattern = bytes_of(&next());
            let channel = bytes_of(&next());
            Frame::Message(Message {
                kind,
                channel,
                pattern,
                data: next(),
            })
        }
        _ => {
            let channel = bytes_of(&next());
            Frame::Message(Message {
                kind,
                channel,
                pattern: None,
                data: next(),
            })
        }
    }
}

/// The names written by `names` (`"ch"`, `["a", "b"]`, a `Vec`...) as separate byte strings.
pub(crate) fn split_names(names: impl ToArgs) -> Vec<Bytes> {
    let mut cmd = Cmd::empty();
    cmd.arg(names);
    cmd.args().map(Bytes::copy_from_slice).collect()
}

/// Everything an I/O layer does with one frame read from a pub/sub connection, except calling
/// handlers: parses it, updates `subs`, consumes the reply of a health-check `PING` when one is
/// outstanding (`health_checks_pending`), and says where the message goes. `None` when nothing
/// is for the caller (a health-check reply, an ignored confirmation, an unrelated push).
///
/// # Errors
/// An error reply from the server.
pub(crate) fn route_frame<H>(
    subs: &mut Subscriptions<H>,
    frame: Value,
    ignore_subscribe_messages: bool,
    health_checks_pending: &mut usize,
) -> Result<Option<(Message, Route)>> {
    let msg = match parse_frame(frame) {
        Frame::Message(m) => m,
        Frame::HealthCheck if *health_checks_pending > 0 => {
            *health_checks_pending -= 1;
            return Ok(None);
        }
        // Someone pinged with our message themselves: an ordinary pong.
        Frame::HealthCheck => Message {
            kind: MessageKind::Pong,
            channel: None,
            pattern: None,
            data: Value::Bulk(Bytes::from_static(HEALTH_CHECK_MESSAGE.as_bytes())),
        },
        Frame::Other(Value::Error(e)) => return Err(e.into()),
        // Unrelated replies or pushes (e.g. client-side caching invalidations).
        Frame::Other(_) => return Ok(None),
    };
    match subs.on_message(&msg, ignore_subscribe_messages) {
        Route::Ignore => Ok(None),
        route => Ok(Some((msg, route))),
    }
}

/// What a message handler may return: nothing, or a `Result` whose error is reported like a
/// panic would be (from `get_message`, or to the worker's exception handler).
pub trait HandlerOutput {
    /// The outcome as a `Result`.
    fn into_result(self) -> Result<()>;
}

impl HandlerOutput for () {
    fn into_result(self) -> Result<()> {
        Ok(())
    }
}

impl HandlerOutput for Result<()> {
    fn into_result(self) -> Result<()> {
        self
    }
}

type HandlerFn = dyn FnMut(Message) -> Result<()> + Send;

/// A registered message handler (redis-py's `subscribe(**{"ch": handler})`), the same type for
/// the blocking and async `PubSub`; shared when one handler serves several channels.
#[derive(Clone)]
pub struct Handler(Arc<Mutex<HandlerFn>>);

impl std::fmt::Debug for Handler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Handler(..)")
    }
}

impl Handler {
    /// Wraps a closure taking each [`Message`] and returning `()` or `Result<()>`.
    pub fn new<F, R>(mut f: F) -> Handler
    where
        F: FnMut(Message) -> R + Send + 'static,
        R: HandlerOutput,
    {
        Handler(Arc::new(Mutex::new(move |m| f(m).into_result())))
    }

    /// Calls the handler; a panic inside it becomes an error instead of unwinding further.
    ///
    /// # Errors
    /// The handler's error, or [`ErrorKind::Data`] when it panicked.
    pub(crate) fn call(&self, msg: Message) -> Result<()> {
        let channel =
            String::from_utf8_lossy(msg.subscription().map_or(&b""[..], |c| c)).into_owned();
        // A handler that panicked before is still called: its state is the user's business.
        let mut f = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match catch_unwind(AssertUnwindSafe(|| f(msg))) {
            Ok(res) => res,
            Err(payload) => {
                let why = payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                Err(Error::new(
                    ErrorKind::Data,
                    format!("pub/sub handler for {channel:?} panicked: {why}"),
                ))
            }
        }
    }
}

/// [`route_frame`] plus the handler call, for both I/O layers: a message for a subscription
/// with a [`Handler`] is given to it and `None` returned; other messages are returned.
///
/// # Errors
/// An error reply from the server; the handler's error or panic.
pub(crate) fn dispatch_frame(
    subs: &mut Subscriptions<Handler>,
    frame: Value,
    ignore_subscribe_messages: bool,
    health_checks_pending: &mut usize,
) -> Result<Option<Message>> {
    let routed = route_frame(
        subs,
        frame,
        ignore_subscribe_messages,
        health_checks_pending,
    )?;
    match routed {
        None => Ok(None),
        Some((msg, Route::Handler)) => match subs.handler_mut(&msg).cloned() {
            Some(h) => h.call(msg).map(|()| None),
            None => Ok(Some(msg)),
        },
        Some((msg, _)) => Ok(Some(msg)),
    }
}

/// The decisions of a pub/sub session, shared by the blocking and async [`PubSub`]s: what
/// to send after (re)connecting, when a health check is due and how long a read may wait,
/// whether to retry after an error, and where each frame goes. The drivers own the connection
/// and the clock and only carry these out.
///
/// [`PubSub`]: crate::PubSub
#[derive(Debug)]
pub(crate) struct Session {
    /// The subscriptions, with their handlers.
    pub(crate) subs: Subscriptions<Handler>,
    /// redis-py's `ignore_subscribe_messages`.
    pub(crate) ignore_subscribe_messages: bool,
    /// How reconnecting after a connection error is retried.
    pub(crate) retry: crate::retry::Retry,
    /// PINGs sent with `health_check_interval`; their replies are not messages.
    health_check_interval: Option<std::time::Duration>,
    /// Health-check PINGs sent whose reply has not been read yet.
    health_checks_pending: usize,
    /// Where pushes that are not pub/sub traffic go (the [push policy](crate::push)).
    router: crate::push::PushRouter,
    /// A cluster's sharded pub/sub: the shard channels follow their slot to its owner.
    follows_slot: bool,
    /// Whether a connection was opened before (a later one may go to another node).
    connected_before: bool,
    /// The server told this connection its shard channels live elsewhere now (an
    /// `sunsubscribe` nobody asked for, or `MOVED`): drop it and connect to the new owner.
    moved: bool,
}

impl Session {
    /// A session with nothing subscribed, for connections made with `config`.
    pub(crate) fn new(config: &crate::ConnectionConfig) -> Session {
        Session {
            subs: Subscriptions::new(),
            ignore_subscribe_messages: false,
            retry: config.retry,
            health_check_interval: config.health_check_interval,
            health_checks_pending: 0,
            router: crate::push::PushRouter::new(config.push_handler.clone(), None, None),
            follows_slot: false,
            connected_before: false,
            moved: false,
        }
    }

    /// Makes this the session of a cluster's sharded pub/sub, whose shard channels follow
    /// their slot: a server that stops serving the slot (after a migration it sends an
    /// `sunsubscribe` for each of the slot's channels; a failover kills the connection) is
    /// left, and every later connection goes where the slot map then says (the driver asks
    /// its locator, see [`locate_before_connect`](Self::locate_before_connect)).
    pub(crate) fn follow_slot(&mut self) {
        self.follows_slot = true;
    }

    /// Before opening a connection: whether to ask where the slot lives now (a following
    /// session that was connected before: the connection broke or the slot moved).
    pub(crate) fn locate_before_connect(&self) -> bool {
        self.follows_slot && self.connected_before
    }

    /// After a frame was handled: whether the connection must be dropped because its node no
    /// longer serves the shard channels (the next use connects to the new owner and
    /// subscribes again). Reading it clears it.
    pub(crate) fn take_moved(&mut self) -> bool {
        std::mem::take(&mut self.moved)
    }

    /// A new connection is open: the commands that restore every subscription on it.
    pub(crate) fn on_connected(&mut self) -> Vec<Cmd> {
        self.health_checks_pending = 0;
        self.connected_before = true;
        self.subs.resubscribe_commands()
    }

    /// Forgets every subscription (after `close()`).
    pub(crate) fn clear(&mut self) {
        self.subs.clear();
        self.health_checks_pending = 0;
    }

    /// After a failed attempt (the connection is dropped): the wait before reconnecting, for a
    /// connection error or a timeout while retries last; the error otherwise (a failed
    /// authentication would fail again).
    /// A following session also retries [`ErrorKind::ClusterDown`] (the slot has no owner in
    /// the map yet, during a failover).
    pub(crate) fn after_error(&self, e: Error, failures: &mut u32) -> Result<std::time::Duration> {
        let cluster_down = self.follows_slot && e.kind() == ErrorKind::ClusterDown;
        if !cluster_down && !matches!(e.kind(), ErrorKind::Connection | ErrorKind::Timeout) {
            return Err(e);
        }
        *failures += 1;
        self.retry.next_delay(*failures).ok_or(e)
    }

    /// The health-check PING to send when the connection has been quiet (no byte read or
    /// written) for `idle`; `None` when none is due.
    pub(crate) fn health_check(&mut self, idle: std::time::Duration) -> Option<Cmd> {
        let due = self.health_check_interval.is_some_and(|i| idle >= i);
        if !due {
            return None;
        }
        self.health_checks_pending += 1;
        let mut cmd = Cmd::new("PING");
        cmd.arg(HEALTH_CHECK_MESSAGE);
        Some(cmd)
    }

    /// How long one read may wait: until the caller's time is `left` (`None`: no limit), but
    /// no longer than until the next health check is due, given the connection has been quiet
    /// for `idle`.
    pub(crate) fn read_wait(
        &self,
        left: Option<std::time::Duration>,
        idle: std::time::Duration,
    ) -> Option<std::time::Duration> {
        let until_check = self.health_check_interval.map(|i| {
            i.saturating_sub(idle)
                .max(std::time::Duration::from_millis(1))
        });
        match (left, until_check) {
            (Some(l), Some(c)) => Some(l.min(c)),
            (l, c) => l.or(c),
        }
    }

    /// Where a frame goes: its handler (`Ok(None)`), the caller (`Ok(Some)`), or nowhere (a
    /// health-check reply, an ignored confirmation: `Ok(None)`).
    ///
    /// # Errors
    /// An error reply from the server; the handler's error or panic.
    pub(crate) fn handle_frame(&mut self, frame: Value) -> Result<Option<Message>> {
        if matches!(frame, Value::Push(_)) && !is_pubsub_push(&frame) {
            // Not ours (e.g. a cache invalidation): the push policy's, not dropped silently.
            self.router.route(&frame);
            return Ok(None);
        }
        if self.follows_slot && self.slot_left(&frame) {
            // Not the caller's doing: the subscriptions stay and move with their slot.
            self.moved = true;
            return Ok(None);
        }
        dispatch_frame(
            &mut self.subs,
            frame,
            self.ignore_subscribe_messages,
            &mut self.health_checks_pending,
        )
    }
}

impl Session {
    /// Whether `frame` says this connection's node no longer serves the shard channels: an
    /// `sunsubscribe` for a shard channel still subscribed and not being unsubscribed (the
    /// server's own, when the slot migrates away), or a `MOVED` reply (an `SSUBSCRIBE` sent
    /// to a node that does not own the slot).
    fn slot_left(&self, frame: &Value) -> bool {
        match parse_frame(frame.clone()) {
            Frame::Message(m) if m.kind == MessageKind::SUnsubscribe => m
                .channel
                .as_ref()
                .is_some_and(|c| self.subs.held(SubKind::Shard, c)),
            Frame::Other(Value::Error(e)) => e.kind() == ErrorKind::Moved,
            _ => false,
        }
    }
}

/// Whether a push frame is pub/sub traffic (a message or a (un)subscribe confirmation).
fn is_pubsub_push(frame: &Value) -> bool {
    const KINDS: [&[u8]; 10] = [
        b"message",
        b"pmessage",
        b"smessage",
        b"subscribe",
        b"psubscribe",
        b"ssubscribe",
        b"unsubscribe",
        b"punsubscribe",
        b"sunsubscribe",
        b"pong",
    ];
    crate::push::push_kind(frame).is_some_and(|k| KINDS.iter().any(|c| k.eq_ignore_ascii_case(c)))
}

/// The three kinds of subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum SubKind {
    /// `SUBSCRIBE` channels.
    Channel,
    /// `PSUBSCRIBE` patterns.
    Pattern,
    /// `SSUBSCRIBE` shard channels.
    Shard,
}

impl SubKind {
    /// All kinds, in the order they are restored after a reconnect.
    pub(crate) const ALL: [SubKind; 3] = [SubKind::Channel, SubKind::Pattern, SubKind::Shard];

    /// The subscribe command.
    pub(crate) fn subscribe_command(self) -> &'static str {
        match self {
            SubKind::Channel => "SUBSCRIBE",
            SubKind::Pattern => "PSUBSCRIBE",
            SubKind::Shard => "SSUBSCRIBE",
        }
    }

    /// The unsubscribe command.
    pub(crate) fn unsubscribe_command(self) -> &'static str {
        match self {
            SubKind::Channel => "UNSUBSCRIBE",
            SubKind::Pattern => "PUNSUBSCRIBE",
            SubKind::Shard => "SUNSUBSCRIBE",
        }
    }

    fn index(self) -> usize {
        match self {
            SubKind::Channel => 0,
            SubKind::Pattern => 1,
            SubKind::Shard => 2,
        }
    }
}

#[derive(Debug)]
struct Table<H> {
    /// Every subscription asked for (confirmed or not), with its handler if any, and a
    /// sequence number so re-subscription keeps the order they were made in.
    subs: HashMap<Bytes, (u64, Option<H>)>,
    /// Subscriptions asked to end whose confirmation has not arrived yet; they stay in `subs`
    /// until then, as in redis-py.
    pending_unsub: HashSet<Bytes>,
}

impl<H> Default for Table<H> {
    fn default() -> Self {
        Table {
            subs: HashMap::new(),
            pending_unsub: HashSet::new(),
        }
    }
}

/// Subscription state of one pub/sub connection, generic over the handler type `H`.
///
/// The I/O layer calls [`subscribe`](Self::subscribe) / [`unsubscribe`](Self::unsubscribe)
/// to get the command to send, [`on_message`](Self::on_message) for every message read, and
/// [`resubscribe_commands`](Self::resubscribe_commands) after a reconnect.
#[derive(Debug)]
pub(crate) struct Subscriptions<H> {
    tables: [Table<H>; 3],
    next_seq: u64,
}

impl<H> Default for Subscriptions<H> {
    fn default() -> Self {
        Subscriptions {
            tables: [Table::default(), Table::default(), Table::default()],
            next_seq: 0,
        }
    }
}

/// What the I/O layer should do with a message after [`Subscriptions::on_message`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// Call the subscription's handler (fetch it with [`Subscriptions::handler_mut`]); the
    /// caller of `get_message` sees nothing.
    Handler,
    /// Return the message to the caller.
    Deliver,
    /// A confirmation the caller asked not to see (`ignore_subscribe_messages`).
    Ignore,
}

impl<H> Subscriptions<H> {
    /// No subscriptions.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    fn table(&self, kind: SubKind) -> &Table<H> {
        &self.tables[kind.index()]
    }

    fn table_mut(&mut self, kind: SubKind) -> &mut Table<H> {
        &mut self.tables[kind.index()]
    }

    /// Records subscriptions (replacing the handler of one already present) and returns the
    /// command to send. `None` when `names` is empty.
    pub(crate) fn subscribe(
        &mut self,
        kind: SubKind,
        names: Vec<(Bytes, Option<H>)>,
    ) -> Option<Cmd> {
        if names.is_empty() {
            return None;
        }
        let mut cmd = Cmd::new(kind.subscribe_command());
        let mut seq = self.next_seq;
        let table = &mut self.tables[kind.index()];
        for (name, handler) in names {
            cmd.arg(&name);
            table.pending_unsub.remove(&name);
            let order = table.subs.get(&name).map_or(seq, |(s, _)| *s);
            table.subs.insert(name, (order, handler));
            seq += 1;
        }
        self.next_seq = seq;
        Some(cmd)
    }

    /// Marks subscriptions as ending and returns the command to send; empty `names` means all
    /// of this kind (the command is then sent without arguments, as redis-py does).
    pub(crate) fn unsubscribe(&mut self, kind: SubKind, names: Vec<Bytes>) -> Cmd {
        let mut cmd = Cmd::new(kind.unsubscribe_command());
        let table = self.table_mut(kind);
        if names.is_empty() {
            let all: Vec<Bytes> = table.subs.keys().cloned().collect();
            table.pending_unsub.extend(all);
        } else {
            for name in names {
                cmd.arg(&name);
                table.pending_unsub.insert(name);
            }
        }
        cmd
    }

    /// Updates the state for a message read from the connection (an unsubscribe confirmation
    /// ends its subscription) and says where the message goes.
    pub(crate) fn on_message(&mut self, msg: &Message, ignore_subscribe_messages: bool) -> Route {
        if matches!(
            msg.kind,
            MessageKind::Unsubscribe | MessageKind::PUnsubscribe | MessageKind::SUnsubscribe
        ) {
            if let (Some(kind), Some(name)) = (msg.kind.sub_kind(), msg.channel.as_ref()) {
                let table = self.table_mut(kind);
                if table.pending_unsub.remove(name) {
                    table.subs.remove(name);
                }
            }
        }
        if msg.kind.is_published() {
            if self.handler_mut(msg).is_some() {
                return Route::Handler;
            }
            return Route::Deliver;
        }
        if msg.kind != MessageKind::Pong && ignore_subscribe_messages {
            return Route::Ignore;
        }
        Route::Deliver
    }

    /// The handler registered for the subscription a published message came through.
    pub(crate) fn handler_mut(&mut self, msg: &Message) -> Option<&mut H> {
        let kind = msg.kind.sub_kind()?;
        let name = msg.subscription()?;
        self.table_mut(kind).subs.get_mut(name)?.1.as_mut()
    }

    /// Commands restoring every subscription on a fresh connection (one per kind that has
    /// any). Subscriptions pending an unsubscribe are dropped instead: the new connection has
    /// none, which is what was asked for.
    pub(crate) fn resubscribe_commands(&mut self) -> Vec<Cmd> {
        let mut out = Vec::new();
        for kind in SubKind::ALL {
            let table = self.table_mut(kind);
            for name in table.pending_unsub.drain() {
                table.subs.remove(&name);
            }
            if table.subs.is_empty() {
                continue;
            }
            let mut names: Vec<(u64, &Bytes)> =
                table.subs.iter().map(|(n, (seq, _))| (*seq, n)).collect();
            names.sort();
            let mut cmd = Cmd::new(kind.subscribe_command());
            for (_, name) in names {
                cmd.arg(name);
            }
            out.push(cmd);
        }
        out
    }

    /// Whether `name` is subscribed as `kind` and no unsubscribe of it was asked for.
    pub(crate) fn held(&self, kind: SubKind, name: &[u8]) -> bool {
        let table = self.table(kind);
        table.subs.contains_key(name) && !table.pending_unsub.contains(name)
    }

    /// Whether anything is subscribed (or awaiting its unsubscribe confirmation), as redis-py's
    /// `PubSub.subscribed`.
    pub(crate) fn is_subscribed(&self) -> bool {
        self.tables.iter().any(|t| !t.subs.is_empty())
    }

    /// The subscriptions of `kind`, sorted.
    pub(crate) fn names(&self, kind: SubKind) -> Vec<Bytes> {
        let mut v: Vec<Bytes> = self.table(kind).subs.keys().cloned().collect();
        v.sort();
        v
    }

    /// The first subscription without a handler, if any (`run_in_thread` refuses to start
    /// then, as redis-py does).
    pub(crate) fn without_handler(&self) -> Option<(SubKind, Bytes)> {
        SubKind::ALL.into_iter().find_map(|kind| {
            let mut names: Vec<&Bytes> = self
                .table(kind)
                .subs
                .iter()
                .filter(|(_, (_, h))| h.is_none())
                .map(|(n, _)| n)
                .collect();
            names.sort();
            names.first().map(|n| (kind, (*n).clone()))
        })
    }

    /// `Ok` when every subscription has a handler, as a background worker (`run_in_thread`,
    /// `run_in_task`) requires; else the error naming the first one without.
    ///
    /// # Errors
    /// [`ErrorKind::Data`] naming a subscription without a handler.
    pub(crate) fn require_handlers(&self) -> Result<()> {
        match self.without_handler() {
            None => Ok(()),
            Some((kind, name)) => Err(Error::new(
                ErrorKind::Data,
                format!(
                    "{} {:?} has no handler registered",
                    match kind {
                        SubKind::Channel => "channel",
                        SubKind::Pattern => "pattern",
                        SubKind::Shard => "shard channel",
                    },
                    String::from_utf8_lossy(&name)
                ),
            )),
        }
    }

    /// Forgets every subscription (after `close`).
    pub(crate) fn clear(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> Value {
        Value::Bulk(Bytes::copy_from_slice(s.as_bytes()))
    }

    fn args(cmd: &Cmd) -> Vec<String> {
        cmd.args()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect()
    }

    #[test]
    fn parses_resp2_and_resp3_alike() {
        let items = vec![b("message"), b("ch"), b("hi")];
        for frame in [Value::Array(items.clone()), Value::Push(items)] {
            let Frame::Message(m) = parse_frame(frame) else {
                panic!("not a message")
            };
            assert_eq!(m.kind, MessageKind::Message);
            assert_eq!(m.channel_str(), Some("ch"));
            assert_eq!(m.pattern, None);
            assert_eq!(m.data_str(), Some("hi"));
        }
        let Frame::Message(m) = parse_frame(Value::Push(vec![
            b("pmessage"),
            b("my-*"),
            b("my-ch"),
            b("x"),
        ])) else {
            panic!()
        };
        assert_eq!(
            (m.kind, m.pattern_str(), m.channel_str(), m.data_str()),
            (
                MessageKind::PMessage,
                Some("my-*"),
                Some("my-ch"),
                Some("x")
            )
        );
        assert_eq!(m.subscription().map(|s| &s[..]), Some(&b"my-*"[..]));
        let Frame::Message(m) =
            parse_frame(Value::Array(vec![b("subscribe"), b("ch"), Value::Int(2)]))
        else {
            panic!()
        };
        assert_eq!(
            (m.kind, m.data_as::<i64>().unwrap()),
            (MessageKind::Subscribe, 2)
        );
        // Unsubscribe-all with nothing subscribed: nil channel.
        let Frame::Message(m) = parse_frame(Value::Array(vec![
            b("unsubscribe"),
            Value::Nil,
            Value::Int(0),
        ])) else {
            panic!()
        };
        assert_eq!((m.kind, m.channel), (MessageKind::Unsubscribe, None));
        let Frame::Message(m) = parse_frame(Value::Array(vec![b("smessage"), b("s"), b("d")]))
        else {
            panic!()
        };
        assert_eq!(m.kind, MessageKind::SMessage);
    }

    #[test]
    fn pongs_and_health_checks() {
        let Frame::Message(m) = parse_frame(Value::Array(vec![b("pong"), b("")])) else {
            panic!()
        };
        assert_eq!((m.kind, m.data_str()), (MessageKind::Pong, Some("")));
        let Frame::Message(m) = parse_frame(Value::Simple(Bytes::from_static(b"PONG"))) else {
            panic!()
        };
        assert_eq!(m.kind, MessageKind::Pong);
        let Frame::Message(m) = parse_frame(b("hello")) else {
            panic!()
        };
        assert_eq!((m.kind, m.data_str()), (MessageKind::Pong, Some("hello")));
        assert_eq!(
            parse_frame(Value::Array(vec![b("pong"), b(HEALTH_CHECK_MESSAGE)])),
            Frame::HealthCheck
        );
        assert_eq!(parse_frame(b(HEALTH_CHECK_MESSAGE)), Frame::HealthCheck);
        assert!(matches!(parse_frame(Value::Int(3)), Frame::Other(_)));
        assert!(matches!(
            parse_frame(Value::Push(vec![b("invalidate"), Value::Nil])),
            Frame::Other(_)
        ));
        assert!(matches!(
            parse_frame(Value::Array(vec![b("message"), b("too-short")])),
            Frame::Other(_)
        ));
    }

    #[test]
    fn state_handlers_and_resubscribe() {
        let mut s: Subscriptions<u32> = Subscriptions::new();
        assert!(!s.is_subscribed());
        let cmd = s
            .subscribe(
                SubKind::Channel,
                vec![(Bytes::from("b"), None), (Bytes::from("a"), Some(1))],
            )
            .unwrap();
        assert_eq!(args(&cmd), ["SUBSCRIBE", "b", "a"]);
        s.subscribe(SubKind::Pattern, vec![(Bytes::from("p*"), Some(2))]);
        s.subscribe(SubKind::Shard, vec![(Bytes::from("s"), None)]);
        assert!(s.is_subscribed());
        assert_eq!(
            s.without_handler(),
            Some((SubKind::Channel, Bytes::from("b")))
        );
        let msg = |kind, ch: &str, pat: Option<&str>| Message {
            kind,
            channel: Some(Bytes::copy_from_slice(ch.as_bytes())),
            pattern: pat.map(|p| Bytes::copy_from_slice(p.as_bytes())),
            data: b("x"),
        };
        let m = msg(MessageKind::Message, "a", None);
        assert_eq!(s.on_message(&m, false), Route::Handler);
        assert_eq!(s.handler_mut(&m).copied(), Some(1));
        assert_eq!(
            s.on_message(&msg(MessageKind::Message, "b", None), false),
            Route::Deliver
        );
        let pm = msg(MessageKind::PMessage, "pq", Some("p*"));
        assert_eq!(s.on_message(&pm, true), Route::Handler);
        assert_eq!(s.handler_mut(&pm).copied(), Some(2));
        assert_eq!(
            s.on_message(&msg(MessageKind::Subscribe, "a", None), true),
            Route::Ignore
        );
        assert_eq!(
            s.on_message(&msg(MessageKind::Subscribe, "a", None), false),
            Route::Deliver
        );

        let cmds: Vec<_> = s.resubscribe_commands().iter().map(args).collect();
        assert_eq!(
            cmds,
            [
                vec!["SUBSCRIBE", "b", "a"],
                vec!["PSUBSCRIBE", "p*"],
                vec!["SSUBSCRIBE", "s"]
            ]
        );

        // Unsubscribe: pending until confirmed.
        let cmd = s.unsubscribe(SubKind::Channel, vec![Bytes::from("b")]);
        assert_eq!(args(&cmd), ["UNSUBSCRIBE", "b"]);
        assert_eq!(s.names(SubKind::Channel).len(), 2);
        s.on_message(&msg(MessageKind::Unsubscribe, "b", None), false);
        assert_eq!(s.names(SubKind::Channel), [Bytes::from("a")]);
        // Unsubscribe all (no arguments); a reconnect before the confirmation drops them.
        let cmd = s.unsubscribe(SubKind::Pattern, vec![]);
        assert_eq!(args(&cmd), ["PUNSUBSCRIBE"]);
        let cmds: Vec<_> = s.resubscribe_commands().iter().map(args).collect();
        assert_eq!(cmds, [vec!["SUBSCRIBE", "a"], vec!["SSUBSCRIBE", "s"]]);
        assert!(s.names(SubKind::Pattern).is_empty());
        s.clear();
        assert!(!s.is_subscribed());
        assert!(s.resubscribe_commands().is_empty());
    }

    #[test]
    fn a_push_that_is_not_pubsub_traffic_goes_to_the_push_handler() {
        use std::sync::{Arc, Mutex};
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let mut config = crate::ConnectionConfig::tcp("h", 1);
        config.push_handler = Some(crate::PushHandler::new(move |p: &Value| {
            log.lock().unwrap().push(p.clone())
        }));
        let mut s = Session::new(&config);
        let b = |t: &'static str| Value::Bulk(Bytes::from_static(t.as_bytes()));
        let inv = Value::Push(vec![b("invalidate"), Value::Array(vec![b("k")])]);
        assert_eq!(s.handle_frame(inv.clone()).unwrap(), None);
        assert_eq!(*seen.lock().unwrap(), vec![inv]);
        // A message of a channel is the session's, not the handler's.
        let msg = s
            .handle_frame(Value::Push(vec![b("message"), b("ch"), b("hi")]))
            .unwrap()
            .unwrap();
        assert_eq!(msg.channel_str(), Some("ch"));
        assert_eq!(seen.lock().unwrap().len(), 1);
    }

    #[test]
    fn a_following_session_leaves_a_node_that_dropped_its_shard_channels() {
        let b = |t: &'static str| Value::Bulk(Bytes::from_static(t.as_bytes()));
        let config = crate::ConnectionConfig::tcp("h", 1);
        let mut s = Session::new(&config);
        s.follow_slot();
        s.subs
            .subscribe(SubKind::Shard, vec![(Bytes::from_static(b"{t}a"), None)]);
        assert!(
            !s.locate_before_connect(),
            "the first connection goes where it was made for"
        );
        assert_eq!(args(&s.on_connected()[0]), ["SSUBSCRIBE", "{t}a"]);
        assert!(
            s.locate_before_connect(),
            "later ones ask where the slot is"
        );
        // The server's own sunsubscribe (the slot migrated): swallowed, subscription kept.
        let sunsub = Value::Push(vec![b("sunsubscribe"), b("{t}a"), Value::Int(0)]);
        assert_eq!(s.handle_frame(sunsub.clone()).unwrap(), None);
        assert!(s.take_moved());
        assert!(!s.take_moved(), "reading the flag clears it");
        assert_eq!(s.subs.names(SubKind::Shard), [Bytes::from_static(b"{t}a")]);
        // MOVED (an SSUBSCRIBE sent to a node that lost the slot): the same.
        let moved = Value::Error(crate::ServerError::from_line(b"MOVED 3 127.0.0.1:7001"));
        assert_eq!(s.handle_frame(moved).unwrap(), None);
        assert!(s.take_moved());
        // An sunsubscribe the caller asked for ends the subscription and is delivered.
        s.subs
            .unsubscribe(SubKind::Shard, vec![Bytes::from_static(b"{t}a")]);
        let msg = s.handle_frame(sunsub).unwrap().unwrap();
        assert_eq!(msg.kind, MessageKind::SUnsubscribe);
        assert!(!s.take_moved());
        assert!(s.subs.names(SubKind::Shard).is_empty());
        // CLUSTERDOWN (the slot has no owner yet) is retried by a following session only.
        let down = || Error::new(ErrorKind::ClusterDown, "slot 3 is not covered");
        let mut failures = 0;
        assert!(s.after_error(down(), &mut failures).is_ok());
        let plain = Session::new(&config);
        assert_eq!(
            plain.after_error(down(), &mut 0).unwrap_err().kind(),
            ErrorKind::ClusterDown
        );
        // A session that does not follow a slot delivers the server's sunsubscribe.
        let mut plain = Session::new(&config);
        plain
            .subs
            .subscribe(SubKind::Shard, vec![(Bytes::from_static(b"{t}a"), None)]);
        let sunsub = Value::Push(vec![b("sunsubscribe"), b("{t}a"), Value::Int(0)]);
        let msg = plain.handle_frame(sunsub).unwrap().unwrap();
        assert_eq!(msg.kind, MessageKind::SUnsubscribe);
        assert!(!plain.take_moved());
    }

    #[test]
    fn session_decides_health_checks_waits_and_retries() {
        use std::time::Duration;
        let ms = Duration::from_millis;
        let mut config = crate::ConnectionConfig::tcp("h", 1);
        config.health_check_interval = Some(ms(100));
        config.retry = crate::retry::Retry::new(crate::retry::Backoff::Constant(ms(5)), 1);
        let mut s = Session::new(&config);
        // Quiet for less than the interval: no PING, and a read waits until it is due.
        assert!(s.health_check(ms(40)).is_none());
        assert_eq!(s.read_wait(None, ms(40)), Some(ms(60)));
        assert_eq!(s.read_wait(Some(ms(10)), ms(40)), Some(ms(10)));
        // Due: a PING whose reply is then swallowed, not returned as a message.
        let ping = s.health_check(ms(100)).unwrap();
        let args: Vec<&[u8]> = ping.args().collect();
        assert_eq!(args, [&b"PING"[..], HEALTH_CHECK_MESSAGE.as_bytes()]);
        let pong = Value::Bulk(Bytes::from_static(HEALTH_CHECK_MESSAGE.as_bytes()));
        assert_eq!(s.handle_frame(pong.clone()).unwrap(), None);
        // Without a pending check, the same reply is the caller's pong.
        let msg = s.handle_frame(pong).unwrap().unwrap();
        assert_eq!(msg.kind, MessageKind::Pong);
        // Reconnecting forgets pending checks and restores subscriptions.
        assert!(s
            .subs
            .subscribe(SubKind::Channel, vec![(Bytes::from_static(b"c"), None)])
            .is_some());
        assert!(s.health_check(ms(500)).is_some());
        let cmds = s.on_connected();
        assert_eq!(cmds.len(), 1);
        // Retries: connection errors and timeouts within the budget, nothing else.
        let mut failures = 0;
        let cut = || Error::new(ErrorKind::Connection, "cut");
        assert_eq!(s.after_error(cut(), &mut failures).unwrap(), ms(5));
        assert_eq!(
            s.after_error(cut(), &mut failures).unwrap_err().kind(),
            ErrorKind::Connection
        );
        let auth = Error::new(ErrorKind::Authentication, "wrong");
        assert!(s.after_error(auth, &mut 0).is_err());
        // No interval: no checks, reads wait as long as asked.
        let s = Session::new(&crate::ConnectionConfig::tcp("h", 1));
        assert_eq!(s.read_wait(None, ms(1)), None);
    }
}
