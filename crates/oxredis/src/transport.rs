//! Custom transports: run a client over any byte stream the caller supplies instead of a socket
//! it opens itself (redis-py's `connection_class`), e.g. a SOCKS or SSH tunnel, or an in-memory
//! duplex in tests.
//!
//! A [`CustomTransport`] holds a factory per client kind, called once per connection the client
//! opens (the pool's connections, the async multiplexer and its dedicated connections); the
//! client then runs its usual handshake (`HELLO`, `AUTH`, `SELECT`...) over the stream. The
//! configured address and TLS settings are not used.
//!
//! ```no_run
//! use oxredis::transport::CustomTransport;
//! // A stream the caller opened (here plain TCP, as a tunnel would hand it over).
//! let transport = CustomTransport::blocking(|| std::net::TcpStream::connect("127.0.0.1:6379"));
//! let r = oxredis::Redis::builder().transport(transport).build();
//! r.set("k", "v")?;
//! # Ok::<(), oxredis::Error>(())
//! ```

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

/// A byte stream the blocking client can run over. Only `Read` and `Write` are needed; a
/// transport that can bound its reads should override
/// [`set_read_timeout`](Self::set_read_timeout) (without it, the socket timeout of the
/// configuration is not applied and a silent peer blocks the reader).
pub trait Transport: io::Read + io::Write + Send + 'static {
    /// Bounds later reads (`None`: wait forever); by default not supported and ignored.
    ///
    /// # Errors
    /// When the timeout cannot be set.
    fn set_read_timeout(&self, _timeout: Option<Duration>) -> io::Result<()> {
        Ok(())
    }

    /// Bounds later writes; by default ignored.
    ///
    /// # Errors
    /// When the timeout cannot be set.
    fn set_write_timeout(&self, _timeout: Option<Duration>) -> io::Result<()> {
        Ok(())
    }

    /// Makes reads return `WouldBlock` instead of waiting (used once a read's deadline has
    /// passed); by default ignored.
    ///
    /// # Errors
    /// When the mode cannot be set.
    fn set_nonblocking(&self, _on: bool) -> io::Result<()> {
        Ok(())
    }
}

/// A byte stream the async client can run over: any tokio `AsyncRead + AsyncWrite` (e.g.
/// `tokio::io::DuplexStream`).
#[cfg(feature = "tokio")]
pub trait AsyncTransport:
    tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static
{
}

#[cfg(feature = "tokio")]
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static> AsyncTransport
    for T
{
}

type OpenBlocking = dyn Fn() -> io::Result<Box<dyn Transport>> + Send + Sync;

/// A boxed future opening an async transport.
#[cfg(feature = "tokio")]
pub type OpenFuture = std::pin::Pin<
    Box<dyn std::future::Future<Output = io::Result<Box<dyn AsyncTransport>>> + Send>,
>;

#[cfg(feature = "tokio")]
type OpenAsync = dyn Fn() -> OpenFuture + Send + Sync;

/// The factories that open a client's streams: one for the blocking client, one for the async
/// client (a configuration may carry both). Compared by identity.
#[derive(Clone, Default)]
pub struct CustomTransport {
    blocking: Option<Arc<OpenBlocking>>,
    #[cfg(feature = "tokio")]
    aio: Option<Arc<OpenAsync>>,
}

impl CustomTransport {
    /// Streams for the blocking client: `open` is called for every new connection.
    pub fn blocking<T, F>(open: F) -> Self
    where
        T: Transport,
        F: Fn() -> io::Result<T> + Send + Sync + 'static,
    {
        CustomTransport::default().with_blocking(open)
    }

    /// Adds (or replaces) the blocking client's factory.
    pub fn with_blocking<T, F>(mut self, open: F) -> Self
    where
        T: Transport,
        F: Fn() -> io::Result<T> + Send + Sync + 'static,
    {
        self.blocking = Some(Arc::new(move || {
            open().map(|t| Box::new(t) as Box<dyn Transport>)
        }));
        self
    }

    /// Streams for the async client: `open` is called (and awaited) for every new connection.
    #[cfg(feature = "tokio")]
    pub fn asynchronous<T, Fut, F>(open: F) -> Self
    where
        T: AsyncTransport,
        Fut: std::future::Future<Output = io::Result<T>> + Send + 'static,
        F: Fn() -> Fut + Send + Sync + 'static,
    {
        CustomTransport::default().with_async(open)
    }

    /// Adds (or replaces) the async client's factory.
    #[cfg(feature = "tokio")]
    pub fn with_async<T, Fut, F>(mut self, open: F) -> Self
    where
        T: AsyncTransport,
        Fut: std::future::Future<Output = io::Result<T>> + Send + 'static,
        F: Fn() -> Fut + Send + Sync + 'static,
    {
        self.aio = Some(Arc::new(move || {
            let fut = open();
            Box::pin(async move { fut.await.map(|t| Box::new(t) as Box<dyn AsyncTransport>) })
                as OpenFuture
        }));
        self
    }

    /// Opens a stream for the blocking client.
    pub(crate) fn open_blocking(&self) -> crate::Result<Box<dyn Transport>> {
        let open = self.blocking.as_ref().ok_or_else(|| {
            crate::Error::new(
                crate::ErrorKind::InvalidConfig,
                "the custom transport has no factory for the blocking client \
                 (CustomTransport::blocking)",
            )
        })?;
        open().map_err(|e| {
            crate::Error::with_source(
                crate::ErrorKind::Connection,
                "the custom transport failed to open a stream",
                e,
            )
        })
    }

    /// Opens a stream for the async client.
    #[cfg(feature = "tokio")]
    pub(crate) async fn open_async(&self) -> crate::Result<Box<dyn AsyncTransport>> {
        let open = self.aio.as_ref().ok_or_else(|| {
            crate::Error::new(
                crate::ErrorKind::InvalidConfig,
                "the custom transport has no factory for the async client \
                 (CustomTransport::asynchronous)",
            )
        })?;
        open().await.map_err(|e| {
            crate::Error::with_source(
                crate::ErrorKind::Connection,
                "the custom transport failed to open a stream",
                e,
            )
        })
    }
}

impl PartialEq for CustomTransport {
    fn eq(&self, other: &Self) -> bool {
        let same = |a: Option<*const ()>, b: Option<*const ()>| a == b;
        let ptr = |a: &Option<Arc<OpenBlocking>>| a.as_ref().map(|a| Arc::as_ptr(a).cast::<()>());
        #[cfg(feature = "tokio")]
        let aptr = |a: &Option<Arc<OpenAsync>>| a.as_ref().map(|a| Arc::as_ptr(a).cast::<()>());
        #[cfg(feature = "tokio")]
        let aio = same(aptr(&self.aio), aptr(&other.aio));
        #[cfg(not(feature = "tokio"))]
        let aio = true;
        same(ptr(&self.blocking), ptr(&other.blocking)) && aio
    }
}

impl fmt::Debug for CustomTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("CustomTransport");
        d.field("blocking", &self.blocking.is_some());
        #[cfg(feature = "tokio")]
        d.field("async", &self.aio.is_some());
        d.finish()
    }
}
