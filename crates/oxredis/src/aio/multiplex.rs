//! The multiplexer: one connection shared by many tasks, with automatic pipelining.
//!
//! A single driver task owns the socket. Callers hand it [`Request`]s over a channel; whenever
//! the socket is writable the driver drains every queued request into one buffer and writes it
//! in one go, pushing each request's reply slot onto an in-flight queue in the same order.
//! Replies come back in order, so each decoded reply completes the oldest slot. RESP3 push
//! frames are not replies: the connection's push router (the core's [`crate::push`] policy:
//! cache invalidations, the user's handler, `push_receiver`) takes them as they are decoded,
//! before any later reply is handed out.
//!
//! A slot whose receiver was dropped (the caller gave up) still takes its reply, which is then
//! discarded, so the stream stays in sync for everyone else.
//!
//! **Backpressure.** Each multiplexer has a semaphore with `max_queued_requests` permits. A
//! caller takes one before queueing (waiting, never failing, when none is left); the driver
//! gives them back, a batch at a time, as replies complete their slots. Requests queued plus in
//! flight therefore never exceed the cap, however fast callers issue them. The permit is taken
//! with `forget` and returned with `add_permits`, so a request carries nothing extra; a request
//! can only be lost with its permit when the driver has stopped, and the driver then closes the
//! semaphore, which wakes every waiter (they reconnect).
//!
//! **Deadline.** Each request carries its reply allowance (the response deadline, extended by
//! the server-side wait of bounded blocking commands, or none). The driver keeps one timer on
//! the oldest unanswered slot: its allowance counts from the later of when it became the oldest
//! and the last reply frame received for it. Replies come in order, so nothing behind it can be
//! answered first, and a long queue on a busy but healthy connection is not mistaken for a dead
//! one. When the timer expires the connection is deemed dead (e.g. half-open: the peer vanished
//! without a FIN): the driver fails every in-flight request with [`ErrorKind::Timeout`] and
//! every request not yet taken from the queue with [`ErrorKind::Connection`] ("not sent", safe
//! to retry), and stops; the next request opens a new connection.
//!
//! **Failure.** When the connection fails otherwise, every in-flight request gets a copy of
//! the error that ended it, with its kind ([`ErrorKind::Protocol`] for a reply that is not
//! valid RESP, [`ErrorKind::Connection`] for a broken socket); queued requests get "not sent"
//! as above, with that error as their source.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot, Semaphore, TryAcquireError};
use tokio::time::{Instant, Sleep};

use super::connection::Stream;
use crate::config::Protocol;
use crate::conn::{ConnState, MIN_READ};
use crate::resp::Frame;
use crate::{Cmd, Error, ErrorKind, Result, Value};

/// Most requests drained from the queue into one write; bounds the write buffer under a flood.
const MAX_BATCH: usize = 4096;
/// A write buffer grown past this by a big request is freed after the write.
const MAX_KEPT_WRITE_BUF: usize = 1 << 20;

/// What a request sends: one command, or several already packed (pipelines, transactions).
pub(crate) enum Payload {
    /// One command, packed by the driver straight into its write buffer. Boxed: a request
    /// is moved about fifteen times on its way (into the queue, the driver's slot, back with
    /// its reply), and an inline `Cmd` (~100 bytes) made each move a `memcpy` call.
    One(Box<Cmd>),
    /// Several commands packed by the caller, and how many replies they produce.
    Packed(Vec<u8>, usize),
}

impl std::fmt::Debug for Payload {
    /// A command through its own (redacting) Debug; packed bytes only by size, since they may
    /// carry a secret (`CONFIG SET requirepass ...` in a pipeline).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Payload::One(cmd) => f.debug_tuple("One").field(cmd).finish(),
            Payload::Packed(bytes, replies) => f
                .debug_struct("Packed")
                .field("bytes", &bytes.len())
                .field("replies", replies)
                .finish(),
        }
    }
}

/// Where a request's replies go.
#[derive(Debug)]
pub(crate) enum ReplyTo {
    /// The single reply of [`Payload::One`], with the command handed back (the caller may
    /// retry it without having kept a copy).
    One(oneshot::Sender<OneReply>),
    /// Every reply of [`Payload::Packed`], in order.
    Many(oneshot::Sender<Result<Vec<Value>>>),
}

/// A reply to a [`Payload::One`] request, still in its frame (the caller's conversion reads a
/// bulk string or a flat array straight from it), and the command itself, given back.
pub(crate) type OneReply = (Result<Frame>, Option<Box<Cmd>>);

impl Request {
    /// Fails a request that never reached the socket, giving its command back.
    fn fail(self, e: Error) {
        match (self.reply, self.payload) {
            (ReplyTo::One(tx), Payload::One(cmd)) => drop(tx.send((Err(e), Some(cmd)))),
            (ReplyTo::One(tx), Payload::Packed(..)) => drop(tx.send((Err(e), None))),
            (ReplyTo::Many(tx), _) => drop(tx.send(Err(e))),
        }
    }
}

/// One unit of work for the driver.
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) payload: Payload,
    pub(crate) reply: ReplyTo,
    /// How long the server may take to answer once this is the oldest request in flight;
    /// `None`: no limit (no `socket_timeout`, or a command that may block forever).
    pub(crate) allowance: Option<Duration>,
    /// For a cacheable read: stores its reply in the client-side cache as soon as it is
    /// decoded, in the driver (no wait for the caller's task to be scheduled, so the window in
    /// which other tasks miss the same key stays one round trip).
    pub(crate) ticket: Option<Box<crate::cache::Ticket>>,
}

/// Where a reply slot's replies go.
enum SlotReply {
    One(oneshot::Sender<OneReply>, Option<Box<Cmd>>),
    Many {
        tx: oneshot::Sender<Result<Vec<Value>>>,
        got: Vec<Value>,
        want: usize,
    },
}

/// A reply slot waiting in the in-flight queue.
struct Slot {
    reply: SlotReply,
    allowance: Option<Duration>,
    ticket: Option<Box<crate::cache::Ticket>>,
    /// The ticket's opt-in command (`CLIENT CACHING yes`) was written before the command, and
    /// its reply, which goes to nobody, is still to come.
    opt_in_pending: bool,
}

impl Slot {
    fn fail(self, e: Error) {
        match self.reply {
            SlotReply::One(tx, cmd) => drop(tx.send((Err(e), cmd))),
            SlotReply::Many { tx, .. } => drop(tx.send(Err(e))),
        }
    }
}

/// Why the driver stopped.
enum Stop {
    /// Every handle is gone and nothing is in flight.
    Done,
    /// The connection failed (I/O or protocol error, closed by the server).
    Failed(Error),
    /// The oldest request got no reply within its allowance.
    Unanswered(Duration),
}

/// The callers' side: a handle to the driver task.
#[derive(Debug, Clone)]
pub(crate) struct Multiplexer {
    tx: mpsc::UnboundedSender<Request>,
    /// One permit per request queued or in flight; see the module docs.
    permits: Arc<Semaphore>,
    cap: usize,
    /// The sentinel epoch of the connection (see `Connection::sentinel_epoch`).
    pub(crate) sentinel_epoch: u64,
    /// The client-side cache epoch in which tracking was turned on for this connection (0:
    /// no caching).
    pub(crate) epoch: u64,
}

/// Why [`Multiplexer::try_send`] gave a request back.
pub(crate) enum Refused {
    /// The cap of queued requests is reached: wait with [`Multiplexer::send_waiting`].
    Full(Request),
    /// The driver has stopped; the request was never sent.
    Closed(Request),
}

impl Multiplexer {
    /// Takes over a connected, handshaken connection and spawns its driver task, which admits
    /// at most `max_queued` requests queued or in flight.
    pub(crate) fn spawn(conn: super::Connection, max_queued: usize, epoch: u64) -> Multiplexer {
        let sentinel_epoch = conn.sentinel_epoch;
        let (stream, state) = conn.into_parts();
        let (tx, rx) = mpsc::unbounded_channel();
        let cap = max_queued.clamp(1, Semaphore::MAX_PERMITS);
        let permits = Arc::new(Semaphore::new(cap));
        let driver = Driver {
            rx,
            inflight: VecDeque::new(),
            front_since: Instant::now(),
            permits: Arc::clone(&permits),
            released: 0,
            resp3: state.protocol() == Protocol::Resp3,
            state,
            write_buf: Vec::with_capacity(MIN_READ),
        };
        tokio::spawn(driver.run(stream));
        Multiplexer {
            tx,
            permits,
            cap,
            sentinel_epoch,
            epoch,
        }
    }

    /// Whether the driver has stopped (the connection died); a new one is then needed.
    pub(crate) fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// Requests queued or in flight (permits in use).
    pub(crate) fn queued(&self) -> usize {
        self.cap.saturating_sub(self.permits.available_permits())
    }

    /// Queues a request if the cap allows it, without waiting.
    pub(crate) fn try_send(&self, req: Request) -> std::result::Result<(), Refused> {
        match self.permits.try_acquire() {
            Ok(permit) => {
                // Given back by the driver when the request's slot completes.
                permit.forget();
                self.tx.send(req).map_err(|e| Refused::Closed(e.0))
            }
            Err(TryAcquireError::NoPermits) => Err(Refused::Full(req)),
            Err(TryAcquireError::Closed) => Err(Refused::Closed(req)),
        }
    }

    /// Waits for room under the cap, then queues the request; gives it back when the driver
    /// has stopped, so it was never sent. Dropping the future while it waits queues nothing.
    pub(crate) async fn send_waiting(&self, req: Request) -> std::result::Result<(), Request> {
        match self.permits.acquire().await {
            Ok(permit) => {
                permit.forget();
                self.tx.send(req).map_err(|e| e.0)
            }
            Err(_) => Err(req),
        }
    }
}

struct Driver {
    rx: mpsc::UnboundedReceiver<Request>,
    inflight: VecDeque<Slot>,
    /// When the oldest slot's allowance started counting: when it became the oldest, or when
    /// the last reply frame for it (a pipeline's) arrived.
    front_since: Instant,
    permits: Arc<Semaphore>,
    /// Permits of completed slots not yet given back (returned once per read).
    released: usize,
    /// The read side of the connection's protocol state (read buffer, decoder, read size);
    /// the driver keeps its own write buffer and reply slots.
    state: ConnState,
    write_buf: Vec<u8>,
    resp3: bool,
}

/// Writes some of `buf`, or flushes the writer when `buf` is empty (`None`).
async fn write_or_flush<W: AsyncWrite + Unpin>(
    writer: &mut W,
    buf: &[u8],
) -> std::io::Result<Option<usize>> {
    if buf.is_empty() {
        writer.flush().await.map(|()| None)
    } else {
        writer.write(buf).await.map(Some)
    }
}

impl Driver {
    async fn run(mut self, stream: Stream) {
        let stop = match stream {
            Stream::Tcp(mut s) => {
                let (r, w) = s.split();
                self.pump(r, w, false).await
            }
            #[cfg(unix)]
            Stream::Unix(mut s) => {
                let (r, w) = s.split();
                self.pump(r, w, false).await
            }
            #[cfg(feature = "tls")]
            Stream::Tls(s) => {
                // One session both reads and writes: tokio's split shares it behind a lock
                // taken per poll.
                let (r, w) = tokio::io::split(*s);
                self.pump(r, w, true).await
            }
            Stream::Custom(s) => {
                // A caller's stream may buffer writes, so it is flushed as a TLS session is.
                let (r, w) = tokio::io::split(s);
                self.pump(r, w, true).await
            }
        };
        // Stop taking requests, then wake the callers waiting for room (they find the driver
        // stopped and reconnect), then fail everything in flight or still queued. Nothing is
        // re-sent: the server may or may not have run what was in flight.
        // First, before any caller can see the driver stopped (and open a new connection,
        // which sets the cache up again): a cache relying on this connection's invalidations
        // flushes and stops serving.
        self.state.on_closed();
        self.rx.close();
        self.permits.close();
        // What ended the connection, as the in-flight requests see it: the failure itself,
        // kind included (a malformed reply stays `Protocol`), not wrapped in another error;
        // only a socket timeout (e.g. keepalive gave up) is the connection error it always was
        // here, so the retry rules for in-flight reads do not change.
        let cause = match stop {
            Stop::Done => Error::new(ErrorKind::Connection, "connection closed"),
            Stop::Failed(e) if e.kind() == ErrorKind::Timeout => {
                Error::with_source(ErrorKind::Connection, "the connection failed", e)
            }
            Stop::Failed(e) => e,
            Stop::Unanswered(after) => Error::new(
                ErrorKind::Timeout,
                format!(
                    "the connection stopped answering (no reply within {after:?}) and was \
                     replaced; the command may or may not have run"
                ),
            ),
        };
        for slot in self.inflight.drain(..) {
            slot.fail(cause.duplicate());
        }
        // Requests never written are a connection error whatever the cause, with the cause as
        // their source: nothing ran, so they are safe to retry.
        let cause = Arc::new(cause);
        while let Ok(req) = self.rx.try_recv() {
            req.fail(
                Error::with_source(
                    ErrorKind::Connection,
                    "not sent (safe to retry): the connection failed",
                    Arc::clone(&cause),
                )
                .mark_unsent(),
            );
        }
    }

    /// Moves a request's bytes into the write buffer and its slot into the in-flight queue.
    fn enqueue(&mut self, req: Request) {
        let mut opt_in_pending = false;
        let (want, one) = match req.payload {
            Payload::One(cmd) => {
                // Opt-in tracking: `CLIENT CACHING yes` right before the read, in the same
                // write, so no other command comes between them.
                if let Some(before) = req.ticket.as_ref().and_then(|t| t.opt_in()) {
                    before.write_packed(&mut self.write_buf);
                    opt_in_pending = true;
                }
                cmd.write_packed(&mut self.write_buf);
                (1, Some(cmd))
            }
            Payload::Packed(bytes, want) => {
                if self.write_buf.is_empty() {
                    self.write_buf = bytes;
                } else {
                    self.write_buf.extend_from_slice(&bytes);
                }
                (want, None)
            }
        };
        let reply = match req.reply {
            // The command rides along and goes back with its reply.
            ReplyTo::One(tx) => SlotReply::One(tx, one),
            // Nothing to wait for: complete at once rather than block the queue.
            ReplyTo::Many(tx) if want == 0 => {
                drop(tx.send(Ok(Vec::new())));
                self.permits.add_permits(1);
                return;
            }
            ReplyTo::Many(tx) => SlotReply::Many {
                tx,
                got: Vec::with_capacity(want),
                want,
            },
        };
        if self.inflight.is_empty() {
            self.front_since = Instant::now();
        }
        self.inflight.push_back(Slot {
            reply,
            allowance: req.allowance,
            ticket: req.ticket,
            opt_in_pending,
        });
    }

    /// When the oldest slot's allowance runs out, if it has one.
    fn front_deadline(&self) -> Option<Instant> {
        let allowance = self.inflight.front()?.allowance?;
        self.front_since.checked_add(allowance)
    }

    /// Makes the timer fire no later than the oldest slot's deadline. It may fire earlier
    /// (armed for a slot answered since): it is then re-armed, so under steady traffic it is
    /// reset about once per allowance, not once per reply.
    fn arm(&self, timer: Pin<&mut Sleep>, armed: &mut Option<Instant>) {
        if let Some(deadline) = self.front_deadline() {
            if armed.is_none_or(|at| at > deadline) {
                timer.reset(deadline);
                *armed = Some(deadline);
            }
        }
    }

    /// Runs until the connection fails, the oldest request goes unanswered past its
    /// allowance, or every handle is gone and nothing is in flight.
    /// `flush`: the writer may keep bytes after a write returned (a TLS session), so it is
    /// flushed after each complete write.
    async fn pump<R, W>(&mut self, mut reader: R, mut writer: W, flush: bool) -> Stop
    where
        R: AsyncRead + Unpin,
        W: AsyncWrite + Unpin,
    {
        match self.pump_inner(&mut reader, &mut writer, flush).await {
            Ok(stop) => stop,
            Err(e) => Stop::Failed(e),
        }
    }

    async fn pump_inner<R, W>(
        &mut self,
        reader: &mut R,
        writer: &mut W,
        flush: bool,
    ) -> Result<Stop>
    where
        R: AsyncRead + Unpin,
        W: AsyncWrite + Unpin,
    {
        let mut written = 0usize;
        // A complete write still to be flushed (only when `flush`).
        let mut unflushed = false;
        let mut accepting = true;
        let timer = tokio::time::sleep_until(Instant::now());
        tokio::pin!(timer);
        // When the timer is set to fire; `None`: not armed.
        let mut armed: Option<Instant> = None;
        loop {
            if !accepting && self.inflight.is_empty() && self.write_buf.is_empty() {
                return Ok(Stop::Done);
            }
            self.arm(timer.as_mut(), &mut armed);
            let read_size = self.state.read_size();
            let read_buf = &mut self.state.read_buf;
            if read_buf.capacity() - read_buf.len() < MIN_READ {
                read_buf.reserve(read_size);
            }
            let writing = written < self.write_buf.len();
            let flushing = unflushed && !writing;
            tokio::select! {
                biased;
                res = reader.read_buf(&mut self.state.read_buf) => {
                    self.state.on_read(res?)?;
                    self.dispatch()?;
                }
                res = write_or_flush(writer, &self.write_buf[written..]), if writing || flushing => {
                    let Some(n) = res? else {
                        unflushed = false;
                        continue;
                    };
                    if n == 0 {
                        return Err(Error::new(ErrorKind::Connection, "connection closed while writing"));
                    }
                    written += n;
                    if written == self.write_buf.len() {
                        self.write_buf.clear();
                        if self.write_buf.capacity() > MAX_KEPT_WRITE_BUF {
                            // Do not hold on to the memory of one huge pipeline.
                            self.write_buf = Vec::with_capacity(MIN_READ);
                        }
                        written = 0;
                        unflushed = flush;
                        // Requests that queued up during the write go out at once.
                        self.drain_queue();
                    }
                }
                req = self.rx.recv(), if accepting && !writing => {
                    match req {
                        Some(req) => {
                            self.enqueue(req);
                            // Let the tasks that are already runnable (typically the ones
                            // whose replies just arrived) queue their next command first, so
                            // they go out in this write instead of one write each. Measured:
                            // +30-40% on 50 tasks of sequential INCR; yielding only after a
                            // read that woke several callers was worse, and a second writer
                            // task (writer/reader split) was no better, within noise.
                            tokio::task::yield_now().await;
                            self.drain_queue();
                        }
                        None => accepting = false,
                    }
                }
                () = &mut timer, if armed.is_some() => {
                    armed = None;
                    if let Some(deadline) = self.front_deadline() {
                        if deadline <= Instant::now() {
                            let allowance = self
                                .inflight
                                .front()
                                .and_then(|s| s.allowance)
                                .unwrap_or_default();
                            return Ok(Stop::Unanswered(allowance));
                        }
                    }
                }
            }
        }
    }

    /// Moves every request already queued (up to a batch) into the write buffer.
    fn drain_queue(&mut self) {
        let mut n = 0;
        while n < MAX_BATCH {
            match self.rx.try_recv() {
                Ok(req) => self.enqueue(req),
                Err(_) => break,
            }
            n += 1;
        }
    }

    /// Decodes every complete frame in the read buffer and completes the oldest slots.
    fn dispatch(&mut self) -> Result<()> {
        let mut replied = false;
        let res = self.dispatch_frames(&mut replied);
        if replied {
            // The oldest slot (a new one, or a pipeline partly answered) starts its allowance.
            self.front_since = Instant::now();
        }
        if self.released > 0 {
            self.permits.add_permits(self.released);
            self.released = 0;
        }
        res
    }

    fn dispatch_frames(&mut self, replied: &mut bool) -> Result<()> {
        while let Some(frame) = self.state.decode_frame()? {
            if self.resp3 && frame.is_push() {
                let push = self.state.frame_value(frame)?;
                self.state.route_push(&push);
                continue;
            }
            *replied = true;
            let Some(front) = self.inflight.front_mut() else {
                return Err(Error::new(
                    ErrorKind::Protocol,
                    "the server sent a reply nobody asked for",
                ));
            };
            if front.opt_in_pending {
                front.opt_in_pending = false;
                if frame.is_error() {
                    // Not opted in: the read's keys may be untracked, so it is not cached.
                    front.ticket = None;
                }
                continue;
            }
            match &mut front.reply {
                SlotReply::One(..) => {
                    if let Some(Slot {
                        reply: SlotReply::One(tx, cmd),
                        ticket,
                        ..
                    }) = self.inflight.pop_front()
                    {
                        let frame = match ticket {
                            Some(t) => {
                                let v = self.state.frame_value(frame)?;
                                t.complete(&v, std::time::Instant::now());
                                Frame::from_value(v)
                            }
                            None => frame,
                        };
                        // The caller may have given up; the reply is then discarded.
                        let _ = tx.send((Ok(frame), cmd));
                        self.released += 1;
                    }
                }
                SlotReply::Many { got, want, .. } => {
                    got.push(self.state.frame_value(frame)?);
                    if got.len() >= *want {
                        if let Some(Slot {
                            reply: SlotReply::Many { tx, got, .. },
                            ..
                        }) = self.inflight.pop_front()
                        {
                            let _ = tx.send(Ok(got));
                            self.released += 1;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}
