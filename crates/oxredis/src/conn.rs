//! One connection's protocol, without I/O: the write buffer, the read buffer and decoder, the
//! count of replies owed, the push-frame policy, the rules that mark a connection broken, the
//! handshake as a state machine, and the one reply path (normalise, server error, conversion).
//!
//! The blocking [`Connection`](crate::blocking::Connection), the async
//! [`Connection`](crate::aio::Connection) and the async multiplexer hold a [`ConnState`] and only
//! move bytes between it and their socket.

use bytes::BytesMut;

use crate::config::{ConnectionConfig, Protocol};
use crate::convert::check_utf8;
use crate::handshake::{self, Step};
use crate::push::PushRouter;
use crate::reply::{normalize, ReplyShape};
use crate::resp::{Decoder, Frame};
use crate::{Cmd, Error, ErrorKind, FromValue, Result, Value};

/// Smallest read from the socket; the read size grows for big replies and shrinks back.
pub(crate) const MIN_READ: usize = 8 * 1024;
/// Largest read from the socket.
pub(crate) const MAX_READ: usize = 256 * 1024;

/// The protocol state of one connection (see the [module docs](self)).
pub(crate) struct ConnState {
    /// Bytes read from the socket and not decoded yet.
    pub(crate) read_buf: BytesMut,
    write_buf: Vec<u8>,
    decoder: Decoder,
    protocol: Protocol,
    decode_responses: bool,
    /// Set by any I/O error, timeout or protocol error: the reply stream can no longer be
    /// trusted, so the connection must not be reused.
    broken: bool,
    /// Replies owed by the server for commands queued or sent.
    pending: usize,
    /// Where RESP3 push frames go (see [`crate::push`]).
    router: PushRouter,
    read_size: usize,
}

impl std::fmt::Debug for ConnState {
    /// The state without the buffers' bytes: the write buffer may hold a handshake's AUTH.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnState")
            .field("protocol", &self.protocol)
            .field("broken", &self.broken)
            .field("pending", &self.pending)
            .field("buffered_read", &self.read_buf.len())
            .field("buffered_write", &self.write_buf.len())
            .field("router", &self.router)
            .finish_non_exhaustive()
    }
}

impl ConnState {
    /// A fresh state for a connection made with `config`.
    pub(crate) fn new(config: &ConnectionConfig) -> ConnState {
        ConnState {
            read_buf: BytesMut::with_capacity(MIN_READ),
            write_buf: Vec::with_capacity(1024),
            decoder: Decoder::new(config.limits),
            protocol: config.protocol,
            decode_responses: config.decode_responses,
            broken: false,
            pending: 0,
            router: PushRouter::new(config.push_handler.clone(), None, None),
            read_size: MIN_READ,
        }
    }

    /// Routes this connection's push frames with `router` (the client's, shared by its
    /// connections) instead of one of its own.
    pub(crate) fn set_router(&mut self, router: PushRouter) {
        self.router = router;
    }

    /// The push router.
    pub(crate) fn router(&self) -> &PushRouter {
        &self.router
    }

    /// Routes one push frame per the [push policy](crate::push) (for the multiplexer, which
    /// decodes frames itself).
    #[cfg(feature = "tokio")]
    pub(crate) fn route_push(&self, push: &Value) {
        self.router.route(push);
    }

    /// The protocol spoken.
    pub(crate) fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// Whether an error left the connection out of sync.
    pub(crate) fn is_broken(&self) -> bool {
        self.broken
    }

    /// Marks the connection out of sync (an I/O error, an abandoned read...).
    pub(crate) fn mark_broken(&mut self) {
        self.broken = true;
    }

    /// The connection is closed for good (dropped, or its driver stopped): tells the push
    /// router, which flushes the cache when this connection carried its invalidations.
    pub(crate) fn on_closed(&self) {
        self.router.on_closed();
    }

    /// Undoes [`mark_broken`](Self::mark_broken) when the caller knows no byte was lost (a
    /// read that only ran out of time while polling).
    pub(crate) fn unmark_broken(&mut self) {
        self.broken = false;
    }

    /// Marks the connection broken and passes `e` on.
    pub(crate) fn fail(&mut self, e: impl Into<Error>) -> Error {
        self.broken = true;
        e.into()
    }

    /// Replies owed for commands queued or sent.
    pub(crate) fn pending(&self) -> usize {
        self.pending
    }

    /// Whether the connection can serve another user: not broken, no reply owed.
    pub(crate) fn is_reusable(&self) -> bool {
        !self.broken && self.pending == 0
    }

    /// The error for using a broken connection.
    pub(crate) fn broken_error() -> Error {
        Error::new(
            ErrorKind::Connection,
            "connection is broken after an earlier error or an abandoned request",
        )
    }

    /// `Err` when the connection is broken.
    pub(crate) fn check_usable(&self) -> Result<()> {
        if self.broken {
            Err(Self::broken_error())
        } else {
            Ok(())
        }
    }

    /// Queues `cmd` for the next write; one more reply is owed.
    pub(crate) fn queue(&mut self, cmd: &Cmd) {
        cmd.write_packed(&mut self.write_buf);
        self.pending += 1;
    }

    /// Makes room in the write buffer for `n` more bytes (a whole pipeline queued at once).
    pub(crate) fn reserve_write(&mut self, n: usize) {
        self.write_buf.reserve(n);
    }

    /// The bytes to write.
    pub(crate) fn to_write(&self) -> &[u8] {
        &self.write_buf
    }

    /// Forgets the queued bytes once written (or failed to write).
    pub(crate) fn clear_written(&mut self) {
        self.write_buf.clear();
    }

    /// How many bytes the next socket read should ask for.
    pub(crate) fn read_size(&self) -> usize {
        self.read_size
    }

    /// Records a socket read of `n` bytes into [`read_buf`](Self::read_buf): `n == 0` is the
    /// server closing the connection; the read size follows the reply sizes.
    pub(crate) fn on_read(&mut self, n: usize) -> Result<()> {
        if n == 0 {
            return Err(self.fail(Error::new(
                ErrorKind::Connection,
                "connection closed by server",
            )));
        }
        if n >= self.read_size {
            self.read_size = (self.read_size * 2).min(MAX_READ);
        } else if n < self.read_size / 4 {
            self.read_size = (self.read_size / 2).max(MIN_READ);
        }
        Ok(())
    }

    /// The next whole frame in the read buffer, of any kind, pushes included; `None` until more
    /// bytes arrive. A protocol error breaks the connection: what follows cannot be trusted. A
    /// non-UTF-8 reply under `decode_responses` is a [`ErrorKind::Data`] error for this frame
    /// only: it was read whole, so the connection stays in step.
    pub(crate) fn next_frame(&mut self) -> Result<Option<Value>> {
        let frame = self.decode()?;
        if let Some(v) = &frame {
            self.check_text(v)?;
        }
        Ok(frame)
    }

    /// The next whole frame as decoded, with no text check (the multiplexer checks per
    /// request); a protocol error breaks the connection.
    pub(crate) fn decode(&mut self) -> Result<Option<Value>> {
        match self.decode_frame()? {
            Some(frame) => self.frame_value(frame).map(Some),
            None => Ok(None),
        }
    }

    /// The next whole frame, validated but not yet made a [`Value`] (see
    /// [`Decoder::decode_frame`](crate::resp::Decoder::decode_frame)); a protocol error breaks
    /// the connection.
    pub(crate) fn decode_frame(&mut self) -> Result<Option<Frame>> {
        self.decoder
            .decode_frame(&mut self.read_buf)
            .map_err(|e| self.fail(e))
    }

    /// A frame of this connection made a [`Value`]; a protocol error breaks the connection, as
    /// in [`decode`](Self::decode).
    pub(crate) fn frame_value(&mut self, frame: Frame) -> Result<Value> {
        frame.into_value().map_err(|e| self.fail(e))
    }

    fn check_text(&self, v: &Value) -> Result<()> {
        if self.decode_responses {
            check_utf8(v)?;
        }
        Ok(())
    }

    /// The next reply in the read buffer; RESP3 push frames met on the way are routed per the
    /// [push policy](crate::push) (cache invalidations applied, the handler called) before the
    /// reply is returned. An error reply is a [`Value::Error`], not `Err`.
    #[cfg_attr(
        not(feature = "tokio"),
        expect(dead_code, reason = "the blocking client reads replies as frames")
    )]
    pub(crate) fn next_reply(&mut self) -> Result<Option<Value>> {
        match self.next_reply_frame()? {
            Some(frame) => self.frame_value(frame).map(Some),
            None => Ok(None),
        }
    }

    /// [`next_reply`](Self::next_reply) as a [`Frame`], so a typed conversion can read it
    /// without the [`Value`] tree ([`finish_frame`]). Under `decode_responses` the frame is
    /// decoded here to check its text.
    pub(crate) fn next_reply_frame(&mut self) -> Result<Option<Frame>> {
        while let Some(frame) = self.decode_frame()? {
            if self.protocol == Protocol::Resp3 && frame.is_push() {
                let push = self.frame_value(frame)?;
                self.router.route(&push);
                continue;
            }
            self.pending = self.pending.saturating_sub(1);
            if self.decode_responses {
                let v = self.frame_value(frame)?;
                check_utf8(&v)?;
                return Ok(Some(Frame::from_value(v)));
            }
            return Ok(Some(frame));
        }
        Ok(None)
    }

    /// Whether undecoded bytes are buffered.
    pub(crate) fn has_buffered_bytes(&self) -> bool {
        !self.read_buf.is_empty()
    }
}

/// The error for a host name that could not be resolved.
pub(crate) fn resolve_failed(host: &str, port: u16, e: std::io::Error) -> Error {
    Error::with_source(
        ErrorKind::Connection,
        format!("cannot resolve {host}:{port}"),
        e,
    )
}

/// The error after every address of `host:port` refused or timed out (`last` is the last
/// attempt's error, `None` when the name resolved to no address). Unsent by nature.
pub(crate) fn connect_failed(host: &str, port: u16, last: Option<std::io::Error>) -> Error {
    match last {
        Some(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ) =>
        {
            Error::with_source(
                ErrorKind::Timeout,
                format!("timed out connecting to {host}:{port}"),
                e,
            )
        }
        Some(e) => Error::with_source(
            ErrorKind::Connection,
            format!("cannot connect to {host}:{port}"),
            e,
        ),
        None => Error::new(
            ErrorKind::Connection,
            format!("{host}:{port} resolved to no address"),
        ),
    }
}

/// The error for a unix socket that could not be opened.
pub(crate) fn unix_connect_failed(path: &std::path::Path, e: std::io::Error) -> Error {
    Error::with_source(
        ErrorKind::Connection,
        format!("cannot connect to unix socket {}", path.display()),
        e,
    )
}

/// Refuses what this build cannot connect to (TLS without the `tls` feature, TLS over a unix
/// socket) before any socket is opened.
pub(crate) fn check_supported(config: &ConnectionConfig) -> Result<()> {
    if config.tls.is_some() {
        if cfg!(not(feature = "tls")) {
            return Err(Error::new(
                ErrorKind::Unsupported,
                "TLS (rediss://) needs oxredis built with its `tls` feature",
            ));
        }
        if matches!(config.addr, crate::config::Addr::Unix(_)) {
            return Err(Error::new(
                ErrorKind::InvalidConfig,
                "TLS is for TCP connections; a unix socket is always plain (turn TLS off)",
            ));
        }
    }
    if cfg!(not(unix)) && matches!(config.addr, crate::config::Addr::Unix(_)) {
        return Err(unix_unsupported());
    }
    Ok(())
}

/// The error for a unix socket address on a platform without them.
pub(crate) fn unix_unsupported() -> Error {
    Error::new(
        ErrorKind::Unsupported,
        "unix sockets are not available on this platform",
    )
}

/// [`finish_reply`] and the conversion to `T` of a reply still in its [`Frame`]: with the
/// `Plain` shape (which normalises nothing), a bulk-string reply and a `Vec` of a flat array
/// reply are read straight from the frame, everything else goes through the [`Value`] as
/// usual; the result is the same either way.
///
/// # Errors
/// As [`finish_reply`], plus a failed conversion.
pub(crate) fn finish_frame<T: FromValue>(shape: ReplyShape, frame: Frame) -> Result<T> {
    if shape == ReplyShape::Plain {
        if let Some((payload, bytes)) = frame.as_bulk() {
            return T::from_bulk(payload, bytes);
        }
        if let Some(converted) = T::from_flat_frame(&frame) {
            return converted;
        }
    }
    T::from_value(finish_reply(shape, frame.into_value()?)?)
}

/// The reply path shared by every surface: normalise `reply` per its declared `shape`, then turn
/// a server error into `Err`.
///
/// # Errors
/// The server's error reply, or a reply that does not fit its shape.
pub(crate) fn finish_reply(shape: ReplyShape, reply: Value) -> Result<Value> {
    match normalize(shape, reply)? {
        Value::Error(e) => Err(e.into()),
        v => Ok(v),
    }
}

/// The connection handshake as a state machine: [`start`](Self::start) queues its commands
/// (HELLO/AUTH, SELECT, CLIENT SETNAME, CLIENT SETINFO) in one batch; the driver writes them,
/// then feeds each reply to [`on_reply`](Self::on_reply) until it says the handshake is over.
#[derive(Debug)]
pub(crate) struct Handshake {
    steps: Vec<Step>,
    next: usize,
    first_err: Option<Error>,
}

impl Handshake {
    /// Queues the handshake for `config` on `state`.
    ///
    /// # Errors
    /// The credential provider's error; nothing is queued then.
    pub(crate) fn start(config: &ConnectionConfig, state: &mut ConnState) -> Result<Handshake> {
        let steps = handshake::commands(config)?
            .into_iter()
            .map(|(step, cmd)| {
                state.queue(&cmd);
                step
            })
            .collect();
        Ok(Handshake {
            steps,
            next: 0,
            first_err: None,
        })
    }

    /// Whether there is nothing (left) to send or read.
    pub(crate) fn is_done(&self) -> bool {
        self.next >= self.steps.len()
    }

    /// Judges the next reply. `Some` once every reply is in: `Ok` or the first step's error.
    pub(crate) fn on_reply(&mut self, reply: Value) -> Option<Result<()>> {
        if let Some(step) = self.steps.get(self.next) {
            if let Err(e) = handshake::check(*step, reply) {
                self.first_err.get_or_insert(e);
            }
            self.next += 1;
        }
        if !self.is_done() {
            return None;
        }
        Some(match self.first_err.take() {
            Some(e) => Err(e),
            None => Ok(()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ServerError;

    fn state(protocol: Protocol) -> ConnState {
        let mut config = ConnectionConfig::tcp("h", 1);
        config.protocol = protocol;
        ConnState::new(&config)
    }

    #[test]
    fn replies_are_counted_and_pushes_routed_to_the_handler_never_taken_for_replies() {
        use std::sync::{Arc, Mutex};
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let mut config = ConnectionConfig::tcp("h", 1);
        config.protocol = Protocol::Resp3;
        config.push_handler = Some(crate::PushHandler::new(move |p: &Value| {
            log.lock().unwrap().push(p.clone())
        }));
        let mut s = ConnState::new(&config);
        s.queue(&Cmd::new("GET k"));
        assert_eq!((s.pending(), s.is_reusable()), (1, false));
        s.read_buf.extend_from_slice(
            b">2\r\n+invalidate\r\n:1\r\n$1\r\nv\r\n>2\r\n+invalidate\r\n:2\r\n",
        );
        assert_eq!(
            s.next_reply().unwrap(),
            Some(Value::Bulk(bytes::Bytes::from_static(b"v")))
        );
        assert_eq!((s.pending(), s.is_reusable()), (0, true));
        assert_eq!(s.next_reply().unwrap(), None, "a push is no reply");
        let number = |v: &Value| match v {
            Value::Push(items) => items.get(1).cloned(),
            _ => None,
        };
        let seen: Vec<_> = seen.lock().unwrap().iter().map(number).collect();
        assert_eq!(seen, vec![Some(Value::Int(1)), Some(Value::Int(2))]);
        assert_eq!(s.router().dropped(), 0);

        // Without a handler they are dropped and counted, not buffered.
        let mut s = state(Protocol::Resp3);
        s.queue(&Cmd::new("GET k"));
        s.read_buf
            .extend_from_slice(b">2\r\n+invalidate\r\n:1\r\n>1\r\n+x\r\n:5\r\n");
        assert_eq!(s.next_reply().unwrap(), Some(Value::Int(5)));
        assert_eq!(s.router().dropped(), 2);
    }

    #[test]
    fn protocol_errors_and_closed_sockets_break_the_connection() {
        let mut s = state(Protocol::Resp2);
        s.read_buf.extend_from_slice(b"?bogus\r\n");
        assert_eq!(s.next_frame().unwrap_err().kind(), ErrorKind::Protocol);
        assert!(s.is_broken());
        assert_eq!(s.check_usable().unwrap_err().kind(), ErrorKind::Connection);
        let mut s = state(Protocol::Resp2);
        assert_eq!(s.on_read(0).unwrap_err().kind(), ErrorKind::Connection);
        assert!(s.is_broken());
    }

    #[test]
    fn a_non_utf8_reply_fails_alone_under_decode_responses() {
        let mut config = ConnectionConfig::tcp("h", 1);
        config.decode_responses = true;
        let mut s = ConnState::new(&config);
        s.queue(&Cmd::new("GET a"));
        s.queue(&Cmd::new("GET b"));
        s.read_buf.extend_from_slice(b"$1\r\n\xff\r\n$2\r\nok\r\n");
        assert_eq!(s.next_reply().unwrap_err().kind(), ErrorKind::Data);
        assert!(!s.is_broken());
        assert_eq!(
            s.next_reply().unwrap(),
            Some(Value::Bulk(bytes::Bytes::from_static(b"ok")))
        );
        assert!(s.is_reusable());
    }

    #[test]
    fn debug_never_shows_queued_bytes() {
        let mut config = ConnectionConfig::tcp("h", 1);
        config.password = Some("hunter2".into());
        let mut s = ConnState::new(&config);
        let _ = Handshake::start(&config, &mut s).unwrap();
        assert!(s.to_write().windows(7).any(|w| w == b"hunter2"));
        let shown = format!("{s:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("pending: "), "{shown}");
    }

    #[test]
    fn read_size_follows_reply_sizes() {
        let mut s = state(Protocol::Resp2);
        s.on_read(MIN_READ).unwrap();
        assert_eq!(s.read_size(), 2 * MIN_READ);
        for _ in 0..10 {
            s.on_read(MAX_READ).unwrap();
        }
        assert_eq!(s.read_size(), MAX_READ);
        for _ in 0..10 {
            s.on_read(1).unwrap();
        }
        assert_eq!(s.read_size(), MIN_READ);
    }

    #[test]
    fn reply_path_normalises_and_raises_server_errors() {
        let e = finish_reply(
            ReplyShape::Plain,
            Value::Error(ServerError::from_line(b"WRONGTYPE Operation")),
        )
        .unwrap_err();
        assert_eq!(e.code(), Some("WRONGTYPE"));
        assert_eq!(
            finish_reply(ReplyShape::Plain, Value::Int(3)).unwrap(),
            Value::Int(3)
        );
    }

    #[test]
    fn handshake_queues_its_commands_and_keeps_the_first_error() {
        let mut config = ConnectionConfig::tcp("h", 1);
        config.password = Some("p".into());
        config.db = 2;
        config.lib_name = None;
        config.lib_version = None;
        let mut s = ConnState::new(&config);
        let mut hs = Handshake::start(&config, &mut s).unwrap();
        assert_eq!(s.pending(), 2, "AUTH and SELECT");
        assert!(s.to_write().starts_with(b"*2\r\n$4\r\nAUTH\r\n"));
        assert!(!hs.is_done());
        let wrongpass = Value::Error(ServerError::from_line(b"WRONGPASS invalid"));
        assert!(hs.on_reply(wrongpass).is_none(), "one reply still owed");
        let done = hs.on_reply(Value::Simple("OK".into())).unwrap();
        assert_eq!(done.unwrap_err().kind(), ErrorKind::Authentication);
        let plain = ConnectionConfig {
            lib_name: None,
            lib_version: None,
            ..ConnectionConfig::tcp("h", 1)
        };
        let mut s = ConnState::new(&plain);
        assert!(Handshake::start(&plain, &mut s).unwrap().is_done());
    }
}
