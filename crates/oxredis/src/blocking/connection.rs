//! One blocking connection: a std socket driving the sans-I/O [`ConnState`](crate::conn).

use std::io::Write;

use bytes::BytesMut;
use std::net::{TcpStream, ToSocketAddrs};
#[cfg(unix)]
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use crate::cmd::BlockTime;
use crate::config::{Addr, ConnectionConfig, Protocol};
use crate::conn::{
    check_supported, connect_failed, finish_frame, finish_reply, resolve_failed,
    unix_connect_failed, ConnState, Handshake,
};
use crate::resp::Frame;
use crate::{Cmd, Error, ErrorKind, FromValue, Result, Value};

/// A TLS session over TCP (rustls, the configuration shared per client config).
#[cfg(feature = "tls")]
type TlsStream = rustls::StreamOwned<rustls::ClientConnection, TcpStream>;

enum Stream {
    Tcp(TcpStream),
    #[cfg(unix)]
    Unix(UnixStream),
    /// Boxed: a rustls session is large, and the plain variants stay small.
    #[cfg(feature = "tls")]
    Tls(Box<TlsStream>),
    /// A stream the caller supplied ([`CustomTransport`](crate::transport::CustomTransport)).
    Custom(Box<dyn crate::transport::Transport>),
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stream::Tcp(s) => f.debug_tuple("Tcp").field(s).finish(),
            #[cfg(unix)]
            Stream::Unix(s) => f.debug_tuple("Unix").field(s).finish(),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => f.debug_tuple("Tls").field(&s.sock).finish(),
            Stream::Custom(_) => f.write_str("Custom"),
        }
    }
}

impl Stream {
    /// The TCP socket under a TLS session, for socket options and the liveness probe.
    #[cfg(feature = "tls")]
    fn tls_socket(s: &TlsStream) -> &TcpStream {
        &s.sock
    }

    fn set_read_timeout(&self, t: Option<Duration>) -> std::io::Result<()> {
        match self {
            Stream::Tcp(s) => s.set_read_timeout(t),
            #[cfg(unix)]
            Stream::Unix(s) => s.set_read_timeout(t),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => Self::tls_socket(s).set_read_timeout(t),
            Stream::Custom(s) => s.set_read_timeout(t),
        }
    }

    fn set_write_timeout(&self, t: Option<Duration>) -> std::io::Result<()> {
        match self {
            Stream::Tcp(s) => s.set_write_timeout(t),
            #[cfg(unix)]
            Stream::Unix(s) => s.set_write_timeout(t),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => Self::tls_socket(s).set_write_timeout(t),
            Stream::Custom(s) => s.set_write_timeout(t),
        }
    }

    fn set_nonblocking(&self, on: bool) -> std::io::Result<()> {
        match self {
            Stream::Tcp(s) => s.set_nonblocking(on),
            #[cfg(unix)]
            Stream::Unix(s) => s.set_nonblocking(on),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => Self::tls_socket(s).set_nonblocking(on),
            Stream::Custom(s) => s.set_nonblocking(on),
        }
    }

    /// Reads into memory that need not be initialised (`recv(2)` writes to it), so the read
    /// buffer's spare capacity is not zero-filled before every read. Plain sockets only: TLS
    /// reads go through [`read_tls`].
    fn read_uninit(&self, buf: &mut [std::mem::MaybeUninit<u8>]) -> std::io::Result<usize> {
        match self {
            Stream::Tcp(s) => socket2::SockRef::from(s).recv(buf),
            #[cfg(unix)]
            Stream::Unix(s) => socket2::SockRef::from(s).recv(buf),
            #[cfg(feature = "tls")]
            Stream::Tls(_) => Err(std::io::Error::other(
                "internal: a TLS stream cannot be read into uninitialised memory",
            )),
            Stream::Custom(_) => Err(std::io::Error::other(
                "internal: a custom stream cannot be read into uninitialised memory",
            )),
        }
    }

    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            #[cfg(unix)]
            Stream::Unix(s) => s.write(buf),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.write(buf),
            Stream::Custom(s) => s.write(buf),
        }
    }

    /// Sends what a TLS session still holds (rustls may keep encrypted bytes after `write`
    /// returned, and reports a failed send only here); nothing to do for plain sockets.
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.flush(),
            Stream::Custom(s) => s.flush(),
            _ => Ok(()),
        }
    }

    /// Whether the peer has closed the socket or it has failed, without blocking or consuming:
    /// one `recv(MSG_PEEK | MSG_DONTWAIT)` system call. For TLS the TCP socket under the
    /// session is probed: a `close_notify` alert counts as data (not closed; see
    /// [`Connection::peer_closed`] for the second step).
    #[cfg(unix)]
    fn probe(&self) -> Probe {
        let sock = match self {
            // Nothing to peek at without consuming: assumed open; a dead stream fails the
            // next command instead.
            Stream::Custom(_) => return Probe::Quiet,
            Stream::Tcp(s) => socket2::SockRef::from(s),
            Stream::Unix(s) => socket2::SockRef::from(s),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => socket2::SockRef::from(Self::tls_socket(s)),
        };
        let mut probe = [std::mem::MaybeUninit::<u8>::uninit(); 1];
        match sock.recv_with_flags(&mut probe, libc::MSG_PEEK | libc::MSG_DONTWAIT) {
            Ok(0) => Probe::Closed,
            Ok(_) => Probe::Data,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Probe::Quiet,
            Err(_) => Probe::Closed,
        }
    }

    /// Whether the peer has closed the socket or it has failed, without blocking or consuming
    /// (non-blocking mode around a peek: three system calls).
    #[cfg(not(unix))]
    fn probe(&self) -> Probe {
        let s = match self {
            Stream::Custom(_) => return Probe::Quiet,
            Stream::Tcp(s) => s,
            #[cfg(feature = "tls")]
            Stream::Tls(s) => Self::tls_socket(s),
        };
        let mut probe = [0u8; 1];
        if s.set_nonblocking(true).is_err() {
            return Probe::Closed;
        }
        let peeked = s.peek(&mut probe);
        if s.set_nonblocking(false).is_err() {
            return Probe::Closed;
        }
        match peeked {
            Ok(0) => Probe::Closed,
            Ok(_) => Probe::Data,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Probe::Quiet,
            Err(_) => Probe::Closed,
        }
    }
}

/// What the liveness probe saw on the socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Probe {
    /// End of stream or an error.
    Closed,
    /// Nothing to read: open and idle.
    Quiet,
    /// Bytes waiting (over TLS possibly a `close_notify`).
    Data,
}

/// Whether a read failed only because the wait set by `read_frame_timeout` ran out (the socket
/// timeout or non-blocking mode), as opposed to a dead link (e.g. a keepalive `ETIMEDOUT`).
fn is_wait_over(e: &Error) -> bool {
    let io = std::error::Error::source(e).and_then(|s| s.downcast_ref::<std::io::Error>());
    io.is_some_and(|io| {
        io.kind() == std::io::ErrorKind::WouldBlock
            // Windows reports a read timeout as TimedOut.
            || (cfg!(windows) && io.kind() == std::io::ErrorKind::TimedOut)
    })
}

/// Reads up to `size` bytes from `stream` into the spare capacity of `buf` (reserved first)
/// without zero-filling it, and appends what was read; returns the count. The one `unsafe`
/// of the crate: the length is extended over bytes `recv(2)` reported as written.
#[expect(
    unsafe_code,
    reason = "BytesMut::set_len over bytes the kernel initialised; see SAFETY"
)]
fn read_into_spare(stream: &Stream, buf: &mut BytesMut, size: usize) -> std::io::Result<usize> {
    buf.reserve(size);
    let spare = buf.spare_capacity_mut();
    let want = size.min(spare.len());
    let n = stream.read_uninit(&mut spare[..want])?;
    if n > want {
        return Err(std::io::Error::other(
            "recv reported more bytes than asked for",
        ));
    }
    // SAFETY: `recv` wrote `n` bytes at the start of the spare capacity, so
    // `len..len + n` is initialised, and `n <= want <= spare.len()` keeps it within capacity.
    unsafe { buf.set_len(buf.len() + n) };
    Ok(n)
}

/// Reads up to `size` bytes through a TLS session into `buf`, appending them; returns the
/// count. rustls writes plaintext into initialised memory only, so the bytes read into are
/// zero-filled first (plain sockets skip that, see [`read_into_spare`]). A peer that closes the
/// TCP connection without a TLS `close_notify` is reported as end of stream, as a plain close.
#[cfg(feature = "tls")]
fn read_tls(stream: &mut TlsStream, buf: &mut BytesMut, size: usize) -> std::io::Result<usize> {
    let len = buf.len();
    buf.resize(len + size, 0);
    let res = std::io::Read::read(stream, &mut buf[len..]);
    let n = *res.as_ref().unwrap_or(&0);
    buf.truncate(len + n.min(size));
    match res {
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(0),
        other => other,
    }
}

/// The liveness probe's second step over TLS, when the socket has bytes: one non-blocking read
/// through the session. End of stream (`close_notify`, or a close without it) or an error is
/// closed; plaintext is appended to `buf` for the next read; no whole record yet is open.
#[cfg(feature = "tls")]
fn tls_peer_closed(s: &mut TlsStream, buf: &mut BytesMut) -> bool {
    if s.sock.set_nonblocking(true).is_err() {
        return true;
    }
    let res = read_tls(s, buf, crate::conn::MIN_READ);
    if s.sock.set_nonblocking(false).is_err() {
        return true;
    }
    match res {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
    }
}

/// Reads up to `size` bytes from a caller's stream into `buf` (zero-filled first: `Read` takes
/// initialised memory), appending them; returns the count.
fn read_custom(
    stream: &mut dyn crate::transport::Transport,
    buf: &mut BytesMut,
    size: usize,
) -> std::io::Result<usize> {
    let len = buf.len();
    buf.resize(len + size, 0);
    let res = stream.read(&mut buf[len..]);
    let n = *res.as_ref().unwrap_or(&0);
    buf.truncate(len + n.min(size));
    res
}

/// Reads from any stream into `buf` (see [`read_into_spare`] and [`read_tls`]).
fn read_into(stream: &mut Stream, buf: &mut BytesMut, size: usize) -> std::io::Result<usize> {
    match stream {
        #[cfg(feature = "tls")]
        Stream::Tls(s) => read_tls(s, buf, size),
        Stream::Custom(s) => read_custom(s.as_mut(), buf, size),
        plain => read_into_spare(plain, buf, size),
    }
}

/// Runs the TLS handshake on `tcp` (its timeouts already set) with the configuration shared by
/// `config`'s connections.
#[cfg(feature = "tls")]
fn tls_handshake(
    tcp: TcpStream,
    host: &str,
    tls: &crate::tls::TlsOptions,
) -> Result<Box<TlsStream>> {
    let client_config = crate::tls::client_config(tls)?;
    let name = crate::tls::server_name(tls, host)?;
    let shown = name.to_str().into_owned();
    let session = rustls::ClientConnection::new(client_config, name)
        .map_err(|e| crate::tls::tls_error(Some(&shown), &e))?;
    let mut stream = Box::new(rustls::StreamOwned::new(session, tcp));
    while stream.conn.is_handshaking() {
        stream
            .conn
            .complete_io(&mut stream.sock)
            .map_err(|e| crate::tls::handshake_error(&shown, e))?;
    }
    Ok(stream)
}

/// A single connection to a server, set up (AUTH, SELECT, CLIENT SETNAME, HELLO) and ready.
///
/// Most users go through [`Redis`](crate::Redis) and its pool; a `Connection` is for code that
/// needs one socket to itself. Any I/O error, timeout or protocol error marks it broken: its
/// reply stream can no longer be trusted, and the pool drops it instead of reusing it.
#[derive(Debug)]
pub struct Connection {
    stream: Stream,
    state: ConnState,
    socket_timeout: Option<Duration>,
    /// The read timeout the socket has now, so it is only changed (a system call) when a
    /// command needs another one.
    read_timeout: Option<Duration>,
    last_used: Instant,
    /// For a sentinel-managed client: the service's epoch when this connection was made (a
    /// newer epoch means the primary changed, and this connection must not be reused).
    pub(crate) sentinel_epoch: u64,
    /// The client-side cache epoch in which `CLIENT TRACKING ON REDIRECT` was sent on this
    /// connection (0: never); see [`crate::cache`].
    pub(crate) tracking_epoch: u64,
}

fn connect_tcp(host: &str, port: u16, config: &ConnectionConfig) -> Result<TcpStream> {
    let addrs = (host, port)
        .to_socket_addrs()
        .map_err(|e| resolve_failed(host, port, e))?;
    let mut last_err = None;
    for addr in addrs {
        let attempt = match config.connect_timeout {
            Some(t) => TcpStream::connect_timeout(&addr, t),
            None => TcpStream::connect(addr),
        };
        match attempt {
            Ok(stream) => return Ok(stream),
            Err(e) => last_err = Some(e),
        }
    }
    Err(connect_failed(host, port, last_err))
}

impl Connection {
    /// Connects and runs the handshake.
    ///
    /// # Errors
    /// [`ErrorKind::Connection`] or [`ErrorKind::Timeout`] when the socket cannot be opened or
    /// the TLS handshake fails (see [`Error::tls_failure`]), [`ErrorKind::Authentication`] for
    /// bad credentials, [`ErrorKind::InvalidConfig`] for unreadable TLS files,
    /// [`ErrorKind::Unsupported`] for TLS in a build without the `tls` feature or a server that
    /// refuses RESP3.
    pub fn connect(config: &ConnectionConfig) -> Result<Connection> {
        Connection::connect_routed(config, None)
    }

    /// [`connect`](Self::connect), routing push frames with the client's `router` (shared by
    /// its connections) instead of one of the connection's own.
    pub(crate) fn connect_routed(
        config: &ConnectionConfig,
        router: Option<crate::push::PushRouter>,
    ) -> Result<Connection> {
        if let Some(target) = &config.sentinel {
            // The address comes from the sentinels, every time.
            let mut conn = super::sentinel::connect(config, target)?;
            if let Some(router) = router {
                conn.state.set_router(router);
            }
            return Ok(conn);
        }
        check_supported(config)?;
        let stream = match (&config.transport, &config.addr) {
            (Some(transport), _) => Stream::Custom(transport.open_blocking()?),
            (None, Addr::Tcp { host, port }) => {
                let s = connect_tcp(host, *port, config)?;
                s.set_nodelay(true)?;
                if let Some(keepalive) = config.keepalive {
                    socket2::SockRef::from(&s).set_tcp_keepalive(&keepalive.to_socket2())?;
                }
                match &config.tls {
                    #[cfg(feature = "tls")]
                    Some(tls) => {
                        // The handshake is bounded like the connect, else like a reply.
                        let limit = config.connect_timeout.or(config.socket_timeout);
                        s.set_read_timeout(limit)?;
                        s.set_write_timeout(limit)?;
                        Stream::Tls(tls_handshake(s, host, tls)?)
                    }
                    _ => Stream::Tcp(s),
                }
            }
            #[cfg(unix)]
            (None, Addr::Unix(path)) => {
                Stream::Unix(UnixStream::connect(path).map_err(|e| unix_connect_failed(path, e))?)
            }
            #[cfg(not(unix))]
            (None, Addr::Unix(_)) => return Err(crate::conn::unix_unsupported()),
        };
        stream.set_read_timeout(config.socket_timeout)?;
        stream.set_write_timeout(config.socket_timeout)?;
        let mut conn = Connection {
            stream,
            state: ConnState::new(config),
            socket_timeout: config.socket_timeout,
            read_timeout: config.socket_timeout,
            last_used: Instant::now(),
            sentinel_epoch: 0,
            tracking_epoch: 0,
        };
        if let Some(router) = router {
            conn.state.set_router(router);
        }
        // The handshake is pipelined: one write, then every reply.
        let mut handshake = Handshake::start(config, &mut conn.state)?;
        if !handshake.is_done() {
            conn.flush()?;
            loop {
                let reply = conn.read_reply()?;
                if let Some(done) = handshake.on_reply(reply) {
                    done?;
                    break;
                }
            }
        }
        Ok(conn)
    }

    /// The protocol this connection speaks.
    pub fn protocol(&self) -> Protocol {
        self.state.protocol()
    }

    /// Whether an error left this connection out of sync; a broken connection is never reused.
    pub fn is_broken(&self) -> bool {
        self.state.is_broken()
    }

    /// Marks the connection unusable (e.g. a caller gave up half-way through reading replies).
    pub fn mark_broken(&mut self) {
        self.state.mark_broken();
    }

    /// How long since the last command.
    pub fn idle_for(&self) -> Duration {
        self.last_used.elapsed()
    }

    /// Whether the server closed this idle connection (a cheap non-blocking peek). Over TLS,
    /// bytes waiting on the socket are read through the session without blocking (a
    /// `close_notify` alert is the close; anything else is kept for the next read).
    pub fn peer_closed(&mut self) -> bool {
        if self.state.has_buffered_bytes() {
            return false;
        }
        let probe = self.stream.probe();
        #[cfg(feature = "tls")]
        if let (Stream::Tls(s), Probe::Data) = (&mut self.stream, probe) {
            return tls_peer_closed(s, &mut self.state.read_buf);
        }
        probe == Probe::Closed
    }

    /// Changes the read timeout (`None`: wait forever) until [`restore_timeout`](Self::restore_timeout).
    ///
    /// # Errors
    /// If the socket option cannot be set.
    pub fn set_read_timeout(&mut self, timeout: Option<Duration>) -> Result<()> {
        if timeout == self.read_timeout {
            return Ok(());
        }
        self.stream
            .set_read_timeout(timeout)
            .map_err(|e| self.state.fail(e))?;
        self.read_timeout = timeout;
        Ok(())
    }

    /// Sets the read timeout for replies to commands that the server may hold for `block`
    /// (see [`BlockTime::reply_deadline`]); no system call when it is already right.
    ///
    /// # Errors
    /// If the socket option cannot be set.
    pub(crate) fn expect_reply_within(&mut self, block: BlockTime) -> Result<()> {
        self.set_read_timeout(block.reply_deadline(self.socket_timeout))
    }

    /// Puts back the configured socket timeout.
    ///
    /// # Errors
    /// If the socket option cannot be set.
    pub fn restore_timeout(&mut self) -> Result<()> {
        self.set_read_timeout(self.socket_timeout)
    }

    /// Makes room in the write buffer for `n` more bytes before queueing many commands.
    pub(crate) fn reserve_write(&mut self, n: usize) {
        self.state.reserve_write(n);
    }

    /// Queues a command in the write buffer; [`flush`](Self::flush) sends it.
    pub fn queue(&mut self, cmd: &Cmd) {
        self.state.queue(cmd);
    }

    /// Replies still owed by the server for commands already queued or sent.
    pub fn pending_replies(&self) -> usize {
        self.state.pending()
    }

    /// Whether the connection can be handed to another user: not broken, no reply outstanding.
    pub fn is_reusable(&self) -> bool {
        self.state.is_reusable()
    }

    /// Writes the buffered commands in one write.
    ///
    /// # Errors
    /// A connection or timeout error; the connection is then broken. When not a byte was
    /// written, the error says so ([`Error::is_unsent`]).
    pub fn flush(&mut self) -> Result<()> {
        self.state.check_usable()?;
        let mut written = 0;
        let buf = self.state.to_write();
        let res = loop {
            if written == buf.len() {
                break Ok(());
            }
            match self.stream.write(&buf[written..]) {
                Ok(0) => {
                    break Err(Error::new(
                        ErrorKind::Connection,
                        "connection closed while writing",
                    ))
                }
                Ok(n) => written += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e.into()),
            }
        };
        let res = res.and_then(|()| self.stream.flush().map_err(Error::from));
        self.state.clear_written();
        // No activity stamp here: the read of the reply stamps it (`fill`), a moment later. A
        // flush never followed by a read leaves the older stamp, which only makes the pool
        // probe the connection sooner.
        res.map_err(|e| {
            let e = self.state.fail(e);
            if written == 0 {
                e.mark_unsent()
            } else {
                e
            }
        })
    }

    /// Reads the next reply, setting push frames aside. An error reply is returned as
    /// [`Value::Error`], not as `Err`.
    ///
    /// # Errors
    /// A connection, timeout or protocol error; the connection is then broken.
    pub fn read_reply(&mut self) -> Result<Value> {
        let frame = self.read_reply_frame()?;
        self.state.frame_value(frame)
    }

    /// [`read_reply`](Self::read_reply), the reply still in its [`Frame`].
    fn read_reply_frame(&mut self) -> Result<Frame> {
        self.state.check_usable()?;
        loop {
            if let Some(reply) = self.state.next_reply_frame()? {
                return Ok(reply);
            }
            self.fill()?;
        }
    }

    /// RESP3 push frames read on this connection that reached no consumer (no
    /// [`PushHandler`](crate::PushHandler) set, or it panicked): they are dropped, not kept;
    /// see the [push policy](crate::push).
    pub fn dropped_pushes(&self) -> u64 {
        self.state.router().dropped()
    }

    /// Reads the next frame of any kind, push frames included.
    ///
    /// # Errors
    /// A connection, timeout or protocol error; the connection is then broken.
    pub fn read_frame(&mut self) -> Result<Value> {
        self.state.check_usable()?;
        loop {
            if let Some(v) = self.state.next_frame()? {
                return Ok(v);
            }
            self.fill()?;
        }
    }

    /// Reads the next frame of any kind if one arrives within `timeout` (`None`: no limit, not
    /// even the configured socket timeout). `Ok(None)` when the time is up: unlike the other
    /// reads, a timeout here does NOT break the connection. Bytes of a partly received frame stay
    /// in the read buffer (the decoder resumes), so waiting again later loses nothing. Used to
    /// wait for pub/sub messages, where silence is normal.
    ///
    /// # Errors
    /// A connection or protocol error; the connection is then broken.
    pub fn read_frame_timeout(&mut self, timeout: Option<Duration>) -> Result<Option<Value>> {
        self.state.check_usable()?;
        // A wait too long to represent is no deadline at all.
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        let res = self.read_frame_until(deadline);
        // Put the socket back in its normal mode whatever happened.
        let restored = self
            .stream
            .set_nonblocking(false)
            .and_then(|()| self.stream.set_read_timeout(self.read_timeout));
        let res = res?;
        restored.map_err(|e| self.state.fail(e))?;
        Ok(res)
    }

    /// Whether bytes of a reply are waiting to be read, now or within `timeout` (`None`: no
    /// limit): redis-py's `Connection.can_read(timeout)`. What arrives stays in the read buffer
    /// for the next read; a wait that ends with nothing does not break the connection.
    ///
    /// # Errors
    /// A connection error (the server closed the connection, a reset); the connection is then
    /// broken.
    pub fn can_read(&mut self, timeout: Option<Duration>) -> Result<bool> {
        self.state.check_usable()?;
        if self.state.has_buffered_bytes() {
            return Ok(true);
        }
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        let res = self.wait_readable(deadline);
        let restored = self
            .stream
            .set_nonblocking(false)
            .and_then(|()| self.stream.set_read_timeout(self.read_timeout));
        let res = res?;
        restored.map_err(|e| self.state.fail(e))?;
        Ok(res)
    }

    /// One read with `deadline` (see [`can_read`](Self::can_read)).
    fn wait_readable(&mut self, deadline: Option<Instant>) -> Result<bool> {
        self.set_deadline(deadline)?;
        match self.fill() {
            Ok(()) => Ok(self.state.has_buffered_bytes()),
            Err(e) if is_wait_over(&e) => {
                // `fill` marked the connection broken, but no byte was lost: undo that.
                self.state.unmark_broken();
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Sets the socket up for a read that must end by `deadline` (`None`: no limit).
    fn set_deadline(&mut self, deadline: Option<Instant>) -> Result<()> {
        let set = match deadline {
            None => self.stream.set_read_timeout(None),
            Some(d) => match d.checked_duration_since(Instant::now()) {
                // A zero read timeout is invalid: poll without blocking instead.
                Some(left) if !left.is_zero() => self.stream.set_read_timeout(Some(left)),
                _ => self.stream.set_nonblocking(true),
            },
        };
        set.map_err(|e| self.state.fail(e))
    }

    fn read_frame_until(&mut self, deadline: Option<Instant>) -> Result<Option<Value>> {
        loop {
            if let Some(v) = self.state.next_frame()? {
                return Ok(Some(v));
            }
            self.set_deadline(deadline)?;
            match self.fill() {
                Ok(()) => {}
                Err(e) if is_wait_over(&e) => {
                    // `fill` marked the connection broken, but no byte was lost: undo that.
                    self.state.unmark_broken();
                    return Ok(None);
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads more bytes from the socket into the read buffer.
    fn fill(&mut self) -> Result<()> {
        let size = self.state.read_size();
        let n = match read_into(&mut self.stream, &mut self.state.read_buf, size) {
            Ok(n) => n,
            // A signal, not end of stream: the caller's loop simply reads again.
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => return Ok(()),
            Err(e) => return Err(self.state.fail(e)),
        };
        // Activity is stamped per read, not per reply: one clock read serves a whole batch.
        self.last_used = Instant::now();
        self.state.on_read(n)
    }

    /// Sends one command and reads its reply, normalised per its declaration; an error reply
    /// is returned as `Err`.
    ///
    /// # Errors
    /// As [`read_reply`](Self::read_reply), plus the server's error reply.
    pub fn request(&mut self, cmd: &Cmd) -> Result<Value> {
        cmd.check_encoded()?;
        self.send(cmd)?;
        let reply = self.read_reply();
        self.after_command(cmd);
        finish_reply(cmd.reply_shape(), reply?)
    }

    /// With client-side caching, drops the cache entries `cmd` (sent on this connection) may
    /// have changed, once its reply came or it failed after sending (see
    /// [`ClientCache::after_command`](crate::cache::ClientCache)).
    pub(crate) fn after_command(&self, cmd: &Cmd) {
        if let Some(cache) = self.cache() {
            cache.after_command(cmd);
        }
    }

    /// The client-side cache of the client this connection belongs to, when caching is on.
    pub(crate) fn cache(&self) -> Option<&std::sync::Arc<crate::cache::ClientCache>> {
        self.state.router().cache()
    }

    /// Sends one command and returns its reply as read (not normalised; an error reply is a
    /// [`Value::Error`]), for the cache, which stores replies as read.
    ///
    /// # Errors
    /// As [`read_reply`](Self::read_reply).
    pub(crate) fn request_raw(&mut self, cmd: &Cmd) -> Result<Value> {
        self.send(cmd)?;
        self.read_reply()
    }

    /// Writes one command, with the read timeout its blocking time needs for the reply.
    fn send(&mut self, cmd: &Cmd) -> Result<()> {
        self.expect_reply_within(cmd.block_time())?;
        self.queue(cmd);
        self.flush()
    }

    /// [`request_raw`](Self::request_raw), with `before` (if any) sent first in the same write
    /// (the cache's `CLIENT CACHING yes` in opt-in mode). Returns whether `before` succeeded
    /// (`true` without one) and `cmd`'s reply as read.
    ///
    /// # Errors
    /// As [`read_reply`](Self::read_reply).
    pub(crate) fn request_raw_after(
        &mut self,
        before: Option<&Cmd>,
        cmd: &Cmd,
    ) -> Result<(bool, Value)> {
        let Some(before) = before else {
            return self.request_raw(cmd).map(|v| (true, v));
        };
        self.expect_reply_within(cmd.block_time())?;
        self.queue(before);
        self.queue(cmd);
        self.flush()?;
        let first = self.read_reply()?;
        let reply = self.read_reply()?;
        Ok((!matches!(first, Value::Error(_)), reply))
    }

    /// Tells the push router this connection is closed for good (see
    /// [`ConnState::on_closed`]).
    pub(crate) fn closed(&self) {
        self.state.on_closed();
    }

    /// Sends one command and converts its reply to `T`.
    ///
    /// # Errors
    /// As [`request`](Self::request), plus a failed conversion.
    pub fn execute<T: FromValue>(&mut self, cmd: &Cmd) -> Result<T> {
        cmd.check_encoded()?;
        self.send(cmd)?;
        // A `Vec` of a flat array reply is read straight from the frame.
        let frame = self.read_reply_frame();
        self.after_command(cmd);
        finish_frame(cmd.reply_shape(), frame?)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn reads_append_to_the_buffer_without_touching_what_is_there() {
        let (a, mut b) = UnixStream::pair().unwrap();
        let stream = Stream::Unix(a);
        let mut buf = BytesMut::from(&b"kept"[..]);
        b.write_all(b"+OK\r\n").unwrap();
        let n = read_into_spare(&stream, &mut buf, 3).unwrap();
        assert_eq!(n, 3, "at most `size` bytes");
        assert_eq!(&buf[..], b"kept+OK");
        let n = read_into_spare(&stream, &mut buf, 8192).unwrap();
        assert_eq!(n, 2);
        assert_eq!(&buf[..], b"kept+OK\r\n");
        drop(b);
        assert_eq!(
            read_into_spare(&stream, &mut buf, 8192).unwrap(),
            0,
            "end of stream"
        );
        assert_eq!(&buf[..], b"kept+OK\r\n");
    }
}
