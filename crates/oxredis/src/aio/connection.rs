//! One async connection: a tokio socket driving the sans-I/O [`ConnState`](crate::conn). Used
//! on its own for blocking commands and pub/sub, and as the transport the multiplexer takes
//! over.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
#[cfg(unix)]
use tokio::net::UnixStream;

use crate::config::{Addr, ConnectionConfig, Protocol};
use crate::conn::{
    check_supported, connect_failed, finish_reply, resolve_failed, unix_connect_failed, ConnState,
    Handshake,
};
use crate::{Cmd, Error, ErrorKind, FromValue, Result, Value};

/// A TCP or unix socket, or a TLS session over TCP.
pub(crate) enum Stream {
    Tcp(TcpStream),
    #[cfg(unix)]
    Unix(UnixStream),
    /// Boxed: a rustls session is large, and the plain variants stay small.
    #[cfg(feature = "tls")]
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
    /// A stream the caller supplied ([`CustomTransport`](crate::transport::CustomTransport)).
    Custom(Box<dyn crate::transport::AsyncTransport>),
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stream::Tcp(s) => f.debug_tuple("Tcp").field(s).finish(),
            #[cfg(unix)]
            Stream::Unix(s) => f.debug_tuple("Unix").field(s).finish(),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => f.debug_tuple("Tls").field(s.get_ref().0).finish(),
            Stream::Custom(_) => f.write_str("Custom"),
        }
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            #[cfg(unix)]
            Stream::Unix(s) => Pin::new(s).poll_read(cx, buf),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            Stream::Custom(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            #[cfg(unix)]
            Stream::Unix(s) => Pin::new(s).poll_write(cx, buf),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            Stream::Custom(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_flush(cx),
            #[cfg(unix)]
            Stream::Unix(s) => Pin::new(s).poll_flush(cx),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
            Stream::Custom(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            #[cfg(unix)]
            Stream::Unix(s) => Pin::new(s).poll_shutdown(cx),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            Stream::Custom(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// Applies the optional `limit` to an I/O future, turning expiry into a Timeout error.
pub(crate) async fn with_timeout<T>(
    limit: Option<Duration>,
    what: &str,
    fut: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    match limit {
        None => fut.await,
        Some(t) => match tokio::time::timeout(t, fut).await {
            Ok(r) => r,
            Err(_) => Err(Error::new(
                ErrorKind::Timeout,
                format!("timed out after {t:?} {what}"),
            )),
        },
    }
}

async fn connect_tcp(host: &str, port: u16) -> Result<TcpStream> {
    let addrs = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| resolve_failed(host, port, e))?;
    let mut last_err = None;
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(s) => return Ok(s),
            Err(e) => last_err = Some(e),
        }
    }
    Err(connect_failed(host, port, last_err))
}

/// Runs the TLS handshake on `tcp` with the configuration shared by the config's connections.
#[cfg(feature = "tls")]
async fn tls_handshake(tcp: TcpStream, host: &str, tls: &crate::tls::TlsOptions) -> Result<Stream> {
    let client_config = crate::tls::client_config(tls)?;
    let name = crate::tls::server_name(tls, host)?;
    let shown = name.to_str().into_owned();
    let stream = tokio_rustls::TlsConnector::from(client_config)
        .connect(name, tcp)
        .await
        .map_err(|e| crate::tls::handshake_error(&shown, e))?;
    Ok(Stream::Tls(Box::new(stream)))
}

/// Opens the socket, each step bounded by the connect timeout: the TCP connect (or unix
/// socket), then the TLS handshake (bounded by the socket timeout when there is no connect
/// timeout), as the blocking client does.
async fn open_stream(config: &ConnectionConfig) -> Result<Stream> {
    check_supported(config)?;
    let limit = config.connect_timeout;
    if let Some(transport) = &config.transport {
        let open = async { transport.open_async().await };
        return Ok(Stream::Custom(
            with_timeout(limit, "opening the custom transport", open).await?,
        ));
    }
    match &config.addr {
        Addr::Tcp { host, port } => {
            let s = with_timeout(limit, "connecting", connect_tcp(host, *port)).await?;
            s.set_nodelay(true)?;
            if let Some(keepalive) = config.keepalive {
                socket2::SockRef::from(&s).set_tcp_keepalive(&keepalive.to_socket2())?;
            }
            match &config.tls {
                #[cfg(feature = "tls")]
                Some(tls) => {
                    // Bounded like the connect, else like a reply: a peer that never answers
                    // the handshake must not hang the caller.
                    let limit = config.connect_timeout.or(config.socket_timeout);
                    let what = format!("in the TLS handshake with {host}");
                    with_timeout(limit, &what, tls_handshake(s, host, tls)).await
                }
                _ => Ok(Stream::Tcp(s)),
            }
        }
        #[cfg(unix)]
        Addr::Unix(path) => Ok(Stream::Unix(
            with_timeout(limit, "connecting", async {
                UnixStream::connect(path)
                    .await
                    .map_err(|e| unix_connect_failed(path, e))
            })
            .await?,
        )),
        #[cfg(not(unix))]
        Addr::Unix(_) => Err(crate::conn::unix_unsupported()),
    }
}

/// A single async connection to a server, set up (AUTH, SELECT, CLIENT SETNAME, HELLO) and ready.
///
/// The [`Redis`](super::Redis) client multiplexes one of these among all its tasks and opens
/// dedicated ones for blocking commands; use a `Connection` directly when a socket of your own
/// is needed. Any I/O error, timeout or protocol error marks it broken.
///
/// Dropping a future of this type mid-request leaves the connection out of sync; it is then
/// marked broken on the next call (the pending count tells) and must be discarded.
#[derive(Debug)]
pub struct Connection {
    pub(crate) stream: Stream,
    state: ConnState,
    socket_timeout: Option<Duration>,
    /// For a sentinel-managed client: the service's epoch when this connection was made (a
    /// newer epoch means the primary changed, and this connection must not be reused).
    pub(crate) sentinel_epoch: u64,
}

impl Connection {
    /// Connects and runs the handshake (pipelined, one write).
    ///
    /// # Errors
    /// [`ErrorKind::Connection`] or [`ErrorKind::Timeout`] when the socket cannot be opened or
    /// the TLS handshake fails (see [`Error::tls_failure`]), [`ErrorKind::Authentication`] for
    /// bad credentials, [`ErrorKind::InvalidConfig`] for unreadable TLS files,
    /// [`ErrorKind::Unsupported`] for TLS in a build without the `tls` feature or a server that
    /// refuses RESP3.
    pub async fn connect(config: &ConnectionConfig) -> Result<Connection> {
        Connection::connect_routed(config, None).await
    }

    /// [`connect`](Self::connect), routing push frames with the client's `router` (shared by
    /// its connections) instead of one of the connection's own.
    pub(crate) async fn connect_routed(
        config: &ConnectionConfig,
        router: Option<crate::push::PushRouter>,
    ) -> Result<Connection> {
        if let Some(target) = &config.sentinel {
            // The address comes from the sentinels, every time. Boxed: the discovery's state
            // stays out of every plain connect's future.
            let mut conn = Box::pin(super::sentinel::connect(config, target)).await?;
            if let Some(router) = router {
                conn.state.set_router(router);
            }
            return Ok(conn);
        }
        Self::open(config, router).await
    }

    /// Connects to `config.addr` (its `sentinel` target ignored) and runs the handshake.
    pub(crate) async fn connect_direct(config: &ConnectionConfig) -> Result<Connection> {
        Self::open(config, None).await
    }

    /// Opens the socket to `config.addr` and runs the handshake.
    async fn open(
        config: &ConnectionConfig,
        router: Option<crate::push::PushRouter>,
    ) -> Result<Connection> {
        let stream = open_stream(config).await?;
        let mut conn = Connection {
            stream,
            state: ConnState::new(config),
            socket_timeout: config.socket_timeout,
            sentinel_epoch: 0,
        };
        if let Some(router) = router {
            conn.state.set_router(router);
        }
        let mut handshake = Handshake::start(config, &mut conn.state)?;
        if !handshake.is_done() {
            let limit = config.connect_timeout.or(config.socket_timeout);
            with_timeout(limit, "in the connection handshake", async {
                conn.flush().await?;
                loop {
                    let reply = conn.read_reply().await?;
                    if let Some(done) = handshake.on_reply(reply) {
                        return done;
                    }
                }
            })
            .await?;
        }
        Ok(conn)
    }

    /// The protocol this connection speaks.
    pub fn protocol(&self) -> Protocol {
        self.state.protocol()
    }

    /// Whether an error (or an abandoned request) left this connection out of sync.
    pub fn is_broken(&self) -> bool {
        self.state.is_broken()
    }

    /// Whether the connection can be reused: not broken and no reply outstanding.
    pub fn is_reusable(&self) -> bool {
        self.state.is_reusable()
    }

    /// Whether the server closed this idle connection; checked without waiting. Bytes that did
    /// arrive (a push) are kept for the next read.
    pub fn peer_closed(&mut self) -> bool {
        if self.state.is_broken() {
            return true;
        }
        let buf = &mut self.state.read_buf;
        buf.reserve(crate::conn::MIN_READ);
        let res = match &mut self.stream {
            Stream::Tcp(s) => s.try_read_buf(buf),
            #[cfg(unix)]
            Stream::Unix(s) => s.try_read_buf(buf),
            // One read through the session, polled once with a no-op waker (a later read
            // registers a real one): a `close_notify` reads as end of stream.
            #[cfg(feature = "tls")]
            Stream::Tls(s) => {
                let mut cx = Context::from_waker(std::task::Waker::noop());
                let read = std::pin::pin!(s.read_buf(buf));
                match std::future::Future::poll(read, &mut cx) {
                    Poll::Ready(res) => res,
                    Poll::Pending => Err(std::io::ErrorKind::WouldBlock.into()),
                }
            }
            // The same single poll for a caller's stream.
            Stream::Custom(s) => {
                let mut cx = Context::from_waker(std::task::Waker::noop());
                let read = std::pin::pin!(s.read_buf(buf));
                match std::future::Future::poll(read, &mut cx) {
                    Poll::Ready(res) => res,
                    Poll::Pending => Err(std::io::ErrorKind::WouldBlock.into()),
                }
            }
        };
        match res {
            Ok(0) => true,
            Ok(_) => false,
            Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
        }
    }

    /// Queues a command in the write buffer; [`flush`](Self::flush) sends it.
    pub fn queue(&mut self, cmd: &Cmd) {
        self.state.queue(cmd);
    }

    /// Replies still owed by the server for commands already queued or sent.
    pub fn pending_replies(&self) -> usize {
        self.state.pending()
    }

    /// Writes the buffered commands in one write.
    ///
    /// # Errors
    /// A connection error; the connection is then broken.
    pub async fn flush(&mut self) -> Result<()> {
        self.state.check_usable()?;
        // Marked broken while the write is in progress, so a dropped future is noticed.
        self.state.mark_broken();
        let mut res = self.stream.write_all(self.state.to_write()).await;
        if res.is_ok() {
            // A TLS session may still hold encrypted bytes; a no-op for plain sockets.
            res = self.stream.flush().await;
        }
        self.state.clear_written();
        res.map_err(|e| self.state.fail(e))?;
        self.state.unmark_broken();
        Ok(())
    }

    /// Reads the next reply, setting RESP3 push frames aside; an error reply is a
    /// [`Value::Error`], not `Err`.
    ///
    /// # Errors
    /// A connection or protocol error; the connection is then broken.
    pub async fn read_reply(&mut self) -> Result<Value> {
        self.state.check_usable()?;
        // Marked broken while waiting, so a dropped future (a reply owed but never read) is
        // noticed.
        self.state.mark_broken();
        loop {
            match self.state.next_reply() {
                Ok(Some(reply)) => {
                    self.state.unmark_broken();
                    return Ok(reply);
                }
                Ok(None) => self.read_more().await?,
                Err(e) => return Err(self.after_frame_error(e)),
            }
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
    /// A connection or protocol error; the connection is then broken.
    pub async fn read_frame(&mut self) -> Result<Value> {
        self.state.check_usable()?;
        self.state.mark_broken();
        loop {
            match self.state.next_frame() {
                Ok(Some(frame)) => {
                    self.state.unmark_broken();
                    return Ok(frame);
                }
                Ok(None) => self.read_more().await?,
                Err(e) => return Err(self.after_frame_error(e)),
            }
        }
    }

    /// A frame that was read whole but is not text under `decode_responses` fails alone: the
    /// connection is still in step. Anything else leaves it broken.
    fn after_frame_error(&mut self, e: Error) -> Error {
        if e.kind() == ErrorKind::Data {
            self.state.unmark_broken();
        }
        e
    }

    /// One socket read into the state's buffer (cancel safe: tokio's `read_buf` either reads or
    /// not).
    async fn read_more(&mut self) -> Result<()> {
        let size = self.state.read_size();
        self.state.read_buf.reserve(size);
        match self.stream.read_buf(&mut self.state.read_buf).await {
            Ok(n) => self.state.on_read(n),
            Err(e) => Err(self.state.fail(e)),
        }
    }

    /// Reads the next frame of any kind before `deadline` (`None`: no limit); `Ok(None)` when
    /// the time is up. Unlike [`read_frame`](Self::read_frame) this is cancel safe: bytes of a
    /// partly received frame are kept for the next read and the connection stays usable, so
    /// pub/sub can poll with a timeout.
    ///
    /// # Errors
    /// A connection or protocol error; the connection is then broken.
    pub(crate) async fn read_frame_until(
        &mut self,
        deadline: Option<tokio::time::Instant>,
    ) -> Result<Option<Value>> {
        self.state.check_usable()?;
        loop {
            if let Some(frame) = self.state.next_frame()? {
                return Ok(Some(frame));
            }
            match deadline {
                None => self.read_more().await?,
                Some(d) => match tokio::time::timeout_at(d, self.read_more()).await {
                    Ok(res) => res?,
                    Err(_) => return Ok(None),
                },
            }
        }
    }

    /// Sends one command and reads its reply, normalised per its declaration; an error reply is
    /// returned as `Err`. The whole exchange is bounded by the response deadline
    /// (`socket_timeout`) plus the time the server may hold a blocking command
    /// (`Cmd::block_time`): `BLPOP k 3` gets 3 s more, `BLPOP k 0` and `XREAD BLOCK 0` have
    /// no deadline.
    ///
    /// # Errors
    /// As [`read_reply`](Self::read_reply), plus the server's error reply or a timeout (the
    /// connection is then broken).
    pub async fn request(&mut self, cmd: &Cmd) -> Result<Value> {
        let reply = self.request_raw(cmd).await?;
        finish_reply(cmd.reply_shape(), reply)
    }

    /// [`request`](Self::request), the reply as read: not normalised, an error reply a
    /// [`Value::Error`].
    pub(crate) async fn request_raw(&mut self, cmd: &Cmd) -> Result<Value> {
        cmd.check_encoded()?;
        let limit = cmd.block_time().reply_deadline(self.socket_timeout);
        with_timeout(limit, "waiting for a reply", async {
            self.queue(cmd);
            self.flush().await?;
            self.read_reply().await
        })
        .await
        .map_err(|e| self.state.fail(e))
    }

    /// Sends one command and converts its reply to `T`.
    ///
    /// # Errors
    /// As [`request`](Self::request), plus a failed conversion.
    pub async fn execute<T: FromValue>(&mut self, cmd: &Cmd) -> Result<T> {
        T::from_value(self.request(cmd).await?)
    }

    /// Takes the parts the multiplexer drives.
    pub(crate) fn into_parts(self) -> (Stream, ConnState) {
        (self.stream, self.state)
    }
}
