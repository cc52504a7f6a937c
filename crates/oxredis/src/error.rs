//! One error type for the whole crate, with kinds that mirror redis-py's exception tree.

use std::fmt;
use std::sync::Arc;

/// Result type used throughout oxredis.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, in the terms of redis-py's exception classes.
///
/// Server error replies map to kinds through one table ([`ServerError::kind`]); everything else is
/// raised by the client itself.
///
/// redis-py's classes form a tree; [`Error::is_connection_error`] and
/// [`Error::is_response_error`] answer "is it a `ConnectionError`" and "is it a `ResponseError`"
/// the way an `except` clause would:
///
/// | Kind | redis-py class | Parent in redis-py |
/// |------|----------------|--------------------|
/// | [`Connection`](Self::Connection) | `ConnectionError` | `RedisError` |
/// | [`Authentication`](Self::Authentication) | `AuthenticationError` | `ConnectionError` |
/// | [`BusyLoading`](Self::BusyLoading) | `BusyLoadingError` | `ConnectionError` |
/// | [`PoolExhausted`](Self::PoolExhausted) | `MaxConnectionsError` ("Too many connections") | `ConnectionError` |
/// | [`MasterNotFound`](Self::MasterNotFound) | `MasterNotFoundError` | `ConnectionError` |
/// | [`ReplicaNotFound`](Self::ReplicaNotFound) | `SlaveNotFoundError` | `ConnectionError` |
/// | [`SentinelUnreachable`](Self::SentinelUnreachable) | `MasterNotFoundError` (redis-py does not tell the cases apart) | `ConnectionError` |
/// | [`Timeout`](Self::Timeout) | `TimeoutError` | `RedisError` |
/// | [`Response`](Self::Response) | `ResponseError` | `RedisError` |
/// | [`NoScript`](Self::NoScript) | `NoScriptError` | `ResponseError` |
/// | [`ExecAbort`](Self::ExecAbort) | `ExecAbortError` | `ResponseError` |
/// | [`ReadOnly`](Self::ReadOnly) | `ReadOnlyError` | `ResponseError` |
/// | [`OutOfMemory`](Self::OutOfMemory) | `OutOfMemoryError` | `ResponseError` |
/// | [`NoPermission`](Self::NoPermission) | `NoPermissionError` | `ResponseError` |
/// | [`Moved`](Self::Moved) | `MovedError` | `AskError` (a `ResponseError`) |
/// | [`Ask`](Self::Ask) | `AskError` | `ResponseError` |
/// | [`TryAgain`](Self::TryAgain) | `TryAgainError` | `ResponseError` |
/// | [`ClusterDown`](Self::ClusterDown) | `ClusterDownError` | `ClusterError`, `ResponseError` |
/// | [`MasterDown`](Self::MasterDown) | `MasterDownError` | `ClusterDownError` |
/// | [`CrossSlot`](Self::CrossSlot) | `ClusterCrossSlotError` | `ResponseError` |
/// | [`Watch`](Self::Watch) | `WatchError` | `RedisError` |
/// | [`Lock`](Self::Lock) | `LockError` | `RedisError`, `ValueError` |
/// | [`LockNotOwned`](Self::LockNotOwned) | `LockNotOwnedError` | `LockError` |
/// | [`Data`](Self::Data) | `DataError` | `RedisError` |
/// | [`Protocol`](Self::Protocol) | `InvalidResponse` | `RedisError` |
/// | [`InvalidConfig`](Self::InvalidConfig) | `ValueError` | (Python built-in) |
/// | [`Unsupported`](Self::Unsupported) | none | none |
///
/// Some server replies are connection errors in this tree, as in redis-py: `LOADING`
/// (`BusyLoading`), `WRONGPASS`/`NOAUTH` (`Authentication`) and `ERR max number of clients
/// reached` (`Connection`). [`Error::server_error`] tells whether any error came from a reply.
///
/// The clients decide what to retry from the kind itself, not from this tree: a wrong
/// password or an exhausted pool is a connection error in redis-py's sense, but trying again
/// would not help (see `RetryState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The connection could not be made or broke (redis-py `ConnectionError`).
    Connection,
    /// Connect or I/O timed out (redis-py `TimeoutError`).
    Timeout,
    /// Wrong password or user, or authentication required (redis-py `AuthenticationError`).
    Authentication,
    /// The ACL user may not run this command or touch this key (`NOPERM`, redis-py `NoPermissionError`).
    NoPermission,
    /// Any other error reply from the server (redis-py `ResponseError`); see [`Error::code`].
    Response,
    /// `EVALSHA` for a script the server does not know (redis-py `NoScriptError`).
    NoScript,
    /// `EXEC` aborted because a queued command was rejected (redis-py `ExecAbortError`).
    ExecAbort,
    /// A write sent to a read-only replica (redis-py `ReadOnlyError`).
    ReadOnly,
    /// The server is loading its dataset (redis-py `BusyLoadingError`).
    BusyLoading,
    /// The server is out of memory (`OOM`, redis-py `OutOfMemoryError`).
    OutOfMemory,
    /// A watched key changed and `EXEC` was aborted (redis-py `WatchError`).
    Watch,
    /// Cluster redirect: the slot lives on another node (redis-py `MovedError`).
    Moved,
    /// Cluster redirect during slot migration (redis-py `AskError`).
    Ask,
    /// Cluster: retry later, slot being migrated (redis-py `TryAgainError`).
    TryAgain,
    /// Cluster is down (redis-py `ClusterDownError`).
    ClusterDown,
    /// Keys of one command hash to different slots (redis-py `ClusterCrossSlotError`).
    CrossSlot,
    /// Replica cannot serve because its primary is down (redis-py `MasterDownError`).
    MasterDown,
    /// A lock could not be acquired or used (redis-py `LockError`).
    Lock,
    /// Releasing or extending a lock this holder no longer owns (redis-py `LockNotOwnedError`).
    LockNotOwned,
    /// A reply could not be converted to the requested type, or bad input (redis-py `DataError`).
    Data,
    /// The server sent bytes that are not valid RESP, or exceeded a decoder limit
    /// (redis-py `InvalidResponse`).
    Protocol,
    /// An invalid URL or option (redis-py raises `ValueError`).
    InvalidConfig,
    /// No connection available from the pool (redis-py `ConnectionError("Too many connections")`).
    PoolExhausted,
    /// The feature is not available (e.g. TLS in a build without the `tls` feature, an encrypted
    /// TLS client key).
    Unsupported,
    /// Sentinel: the sentinels that answered do not know the service name, or only name servers
    /// that are not primaries (redis-py `MasterNotFoundError`).
    MasterNotFound,
    /// Sentinel: no replica answered, nor the primary `slave_for` falls back to (redis-py
    /// `SlaveNotFoundError`).
    ReplicaNotFound,
    /// Sentinel: none of the sentinels could be reached (redis-py raises
    /// `MasterNotFoundError` for this too; here it is told apart from an unknown name).
    SentinelUnreachable,
}

/// An error reply from the server, split into its code (`WRONGTYPE`, `ERR`...) and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerError {
    code: String,
    message: String,
}

impl ServerError {
    /// Builds a server error from the raw reply text, e.g. `ERR unknown command`.
    pub fn from_line(line: &[u8]) -> Self {
        let text = String::from_utf8_lossy(line);
        match text.split_once(' ') {
            Some((code, message)) => ServerError {
                code: code.to_owned(),
                message: message.to_owned(),
            },
            None => ServerError {
                code: text.into_owned(),
                message: String::new(),
            },
        }
    }

    /// The error code: the first word of the reply (`ERR`, `WRONGTYPE`, `MOVED`...).
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The text after the code.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The kind this reply maps to; the single table of server error codes.
    pub fn kind(&self) -> ErrorKind {
        match self.code.as_str() {
            "NOSCRIPT" => ErrorKind::NoScript,
            "EXECABORT" => ErrorKind::ExecAbort,
            "READONLY" => ErrorKind::ReadOnly,
            "LOADING" => ErrorKind::BusyLoading,
            "OOM" => ErrorKind::OutOfMemory,
            "WRONGPASS" | "NOAUTH" => ErrorKind::Authentication,
            "NOPERM" => ErrorKind::NoPermission,
            "MOVED" => ErrorKind::Moved,
            "ASK" => ErrorKind::Ask,
            "TRYAGAIN" => ErrorKind::TryAgain,
            "CLUSTERDOWN" => ErrorKind::ClusterDown,
            "CROSSSLOT" => ErrorKind::CrossSlot,
            "MASTERDOWN" => ErrorKind::MasterDown,
            "ERR" => {
                // Older servers and a few messages say "ERR" for what redis-py maps to
                // specific exceptions.
                let m = self.message.as_str();
                if m.starts_with("invalid password")
                    || m.starts_with("AUTH <password> called without any password")
                    || m.starts_with("Client sent AUTH, but no password is set")
                    || m.starts_with("invalid username-password pair")
                {
                    ErrorKind::Authentication
                } else if m.starts_with("max number of clients reached") {
                    ErrorKind::Connection
                } else {
                    ErrorKind::Response
                }
            }
            _ => ErrorKind::Response,
        }
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            f.write_str(&self.code)
        } else {
            write!(f, "{} {}", self.code, self.message)
        }
    }
}

/// The oxredis error: a kind, a message, and where it applies the server's reply or the I/O cause.
///
/// Pointer-sized so that `Result<T>` stays small on the hot path.
///
/// `Display` shows the kind, the pipeline command (index and name), the message and the
/// server's reply, but not the cause: that is [`source`](std::error::Error::source), as std's
/// convention wants (see [`chain`](Self::chain)). `Debug` shows everything.
///
/// # Examples
/// ```
/// use oxredis::{Error, ErrorKind};
/// let e = Error::new(ErrorKind::Data, "expected an integer");
/// assert_eq!(e.kind(), ErrorKind::Data);
/// assert!(e.to_string().contains("expected an integer"));
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: String,
    server: Option<ServerError>,
    /// Shared so that one failure can be reported to every request it ended (the multiplexer).
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
    command: Option<(usize, String)>,
    /// The command was never written to the server.
    unsent: bool,
}

impl Error {
    /// A new error of `kind` with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                server: None,
                source: None,
                command: None,
                unsent: false,
            }),
        }
    }

    /// A new error of `kind` caused by `source`.
    pub fn with_source(
        kind: ErrorKind,
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        let mut e = Error::new(kind, message);
        e.inner.source = Some(Arc::new(source));
        e
    }

    /// Records which command of a pipeline failed (its index and name).
    pub(crate) fn at_command(mut self, index: usize, name: impl Into<String>) -> Self {
        self.inner.command = Some((index, name.into()));
        self
    }

    /// Marks the error as raised before the command was written, so sending it again cannot
    /// apply it twice.
    pub(crate) fn mark_unsent(mut self) -> Self {
        self.inner.unsent = true;
        self
    }

    /// Whether the command this error is about was never written to the server (the
    /// connection could not be opened, or failed before the first byte went out), so sending
    /// it again cannot run it twice. The clients retry such errors themselves, per their
    /// [`Retry`](crate::retry::Retry) policy.
    pub fn is_unsent(&self) -> bool {
        self.inner.unsent
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The server's error code (`WRONGTYPE`, `ERR`, `MOVED`...) when the server replied with an error.
    pub fn code(&self) -> Option<&str> {
        self.inner.server.as_ref().map(ServerError::code)
    }

    /// The server's error reply, when this error is one.
    pub fn server_error(&self) -> Option<&ServerError> {
        self.inner.server.as_ref()
    }

    /// Index and name of the pipeline command that failed, if this came from a pipeline.
    pub fn command(&self) -> Option<(usize, &str)> {
        self.inner.command.as_ref().map(|(i, n)| (*i, n.as_str()))
    }

    /// What kind of TLS failure this is, for an error raised by a TLS handshake or stream
    /// (`None` otherwise, and always without the `tls` feature). The message says the same in
    /// words: "certificate is not trusted (unknown CA)", "certificate is not valid for host
    /// ...". Such errors are [`ErrorKind::Connection`].
    pub fn tls_failure(&self) -> Option<crate::tls::TlsFailure> {
        #[cfg(feature = "tls")]
        {
            let source = self.inner.source.as_deref()?;
            source
                .downcast_ref::<rustls::Error>()
                .map(crate::tls::classify)
        }
        #[cfg(not(feature = "tls"))]
        None
    }

    /// Whether this is a connection error in redis-py's sense (an instance of its
    /// `ConnectionError`): the connection broke or could not be made
    /// ([`Connection`](ErrorKind::Connection)), authentication failed
    /// ([`Authentication`](ErrorKind::Authentication)), the server is loading its data
    /// ([`BusyLoading`](ErrorKind::BusyLoading)) or no connection was available
    /// ([`PoolExhausted`](ErrorKind::PoolExhausted)). See the table on [`ErrorKind`].
    ///
    /// Not a retry rule: match on [`kind`](Self::kind) to tell these apart.
    ///
    /// # Examples
    /// ```
    /// use oxredis::{Error, ErrorKind, ServerError};
    /// let e = Error::from(ServerError::from_line(b"WRONGPASS invalid username-password pair"));
    /// assert_eq!(e.kind(), ErrorKind::Authentication);
    /// assert!(e.is_connection_error());
    /// assert!(!e.is_response_error());
    /// ```
    pub fn is_connection_error(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::Connection
                | ErrorKind::Authentication
                | ErrorKind::BusyLoading
                | ErrorKind::PoolExhausted
                | ErrorKind::MasterNotFound
                | ErrorKind::ReplicaNotFound
                | ErrorKind::SentinelUnreachable
        )
    }

    /// Whether this is an error reply in redis-py's sense (an instance of its
    /// `ResponseError`): [`Response`](ErrorKind::Response) and the kinds redis-py derives from
    /// it (`NOSCRIPT`, `EXECABORT`, `READONLY`, `OOM`, `NOPERM`, the cluster redirects and
    /// states). The replies redis-py counts as connection errors (`LOADING`, `WRONGPASS`...)
    /// are not included; see the table on [`ErrorKind`].
    ///
    /// # Examples
    /// ```
    /// use oxredis::{Error, ServerError};
    /// let e = Error::from(ServerError::from_line(b"WRONGTYPE Operation against a key"));
    /// assert!(e.is_response_error());
    /// assert!(!e.is_connection_error());
    /// ```
    pub fn is_response_error(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::Response
                | ErrorKind::NoScript
                | ErrorKind::ExecAbort
                | ErrorKind::ReadOnly
                | ErrorKind::OutOfMemory
                | ErrorKind::NoPermission
                | ErrorKind::Moved
                | ErrorKind::Ask
                | ErrorKind::TryAgain
                | ErrorKind::ClusterDown
                | ErrorKind::MasterDown
                | ErrorKind::CrossSlot
        )
    }

    /// Whether an operation timed out.
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == ErrorKind::Timeout
    }

    /// Whether the connection that produced this error can no longer be trusted to be in sync
    /// and must be discarded.
    pub fn is_unrecoverable(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::Connection | ErrorKind::Timeout | ErrorKind::Protocol
        )
    }

    /// Whether retrying the same operation may succeed (connection loss, timeout, cluster
    /// transient states, loading).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::Connection
                | ErrorKind::Timeout
                | ErrorKind::TryAgain
                | ErrorKind::ClusterDown
                | ErrorKind::BusyLoading
                | ErrorKind::MasterDown
        )
    }

    /// This error, then its [`source`](std::error::Error::source), then that one's source, and
    /// so on. [`Display`](fmt::Display) shows only the first; join the chain for the whole
    /// story.
    ///
    /// # Examples
    /// ```
    /// use oxredis::{Error, ErrorKind};
    /// let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer");
    /// let e = Error::with_source(ErrorKind::Connection, "cannot read", io);
    /// assert_eq!(e.to_string(), "Connection error: cannot read");
    /// let all: Vec<String> = e.chain().map(|c| c.to_string()).collect();
    /// assert_eq!(all, ["Connection error: cannot read", "reset by peer"]);
    /// ```
    pub fn chain(&self) -> impl Iterator<Item = &(dyn std::error::Error + 'static)> {
        let first: &(dyn std::error::Error + 'static) = self;
        std::iter::successors(Some(first), |e| e.source())
    }

    /// A copy of this error (same kind, message, server reply, command, source), for when one
    /// failure ends several requests.
    pub(crate) fn duplicate(&self) -> Error {
        Error {
            inner: Box::new(Inner {
                kind: self.inner.kind,
                message: self.inner.message.clone(),
                server: self.inner.server.clone(),
                source: self.inner.source.clone(),
                command: self.inner.command.clone(),
                unsent: self.inner.unsent,
            }),
        }
    }

    /// For `MOVED`/`ASK` errors: the slot and the `host:port` to redirect to.
    pub fn redirect(&self) -> Option<(u16, &str)> {
        if !matches!(self.inner.kind, ErrorKind::Moved | ErrorKind::Ask) {
            return None;
        }
        let msg = self.inner.server.as_ref()?.message();
        let (slot, addr) = msg.split_once(' ')?;
        Some((slot.parse().ok()?, addr))
    }
}

impl From<ServerError> for Error {
    fn from(server: ServerError) -> Self {
        Error {
            inner: Box::new(Inner {
                kind: server.kind(),
                message: String::new(),
                server: Some(server),
                source: None,
                command: None,
                unsent: false,
            }),
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        use std::io::ErrorKind as Io;
        #[cfg(feature = "tls")]
        if let Some(tls) = crate::tls::rustls_error(&err) {
            return crate::tls::tls_error(None, tls);
        }
        let kind = match err.kind() {
            Io::TimedOut | Io::WouldBlock => ErrorKind::Timeout,
            _ => ErrorKind::Connection,
        };
        let message = if kind == ErrorKind::Timeout {
            "timed out"
        } else {
            "connection error"
        };
        Error::with_source(kind, message, err)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.inner.kind);
        if !self.inner.message.is_empty() {
            d.field("message", &self.inner.message);
        }
        if let Some(s) = &self.inner.server {
            d.field("server", &s.to_string());
        }
        if let Some(c) = &self.inner.command {
            d.field("command", c);
        }
        if let Some(s) = &self.inner.source {
            d.field("source", s);
        }
        d.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} error", self.inner.kind)?;
        if let Some((index, name)) = &self.inner.command {
            write!(f, " in command #{index} ({name})")?;
        }
        if !self.inner.message.is_empty() {
            write!(f, ": {}", self.inner.message)?;
        }
        if let Some(s) = &self.inner.server {
            write!(f, ": {s}")?;
        }
        // The source is not shown: `source()` returns it (std's convention is one or the
        // other), so reporters that walk the chain do not print it twice. See `chain`.
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_ref()
            .map(|s| &**s as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_map_through_the_table() {
        let cases: &[(&[u8], ErrorKind, &str)] = &[
            (
                b"NOSCRIPT No matching script",
                ErrorKind::NoScript,
                "NOSCRIPT",
            ),
            (
                b"WRONGTYPE Operation against a key",
                ErrorKind::Response,
                "WRONGTYPE",
            ),
            (
                b"WRONGPASS invalid username-password pair",
                ErrorKind::Authentication,
                "WRONGPASS",
            ),
            (b"MOVED 3999 127.0.0.1:6381", ErrorKind::Moved, "MOVED"),
            (b"ERR invalid password", ErrorKind::Authentication, "ERR"),
            (
                b"LOADING Redis is loading",
                ErrorKind::BusyLoading,
                "LOADING",
            ),
            (
                b"EXECABORT Transaction discarded",
                ErrorKind::ExecAbort,
                "EXECABORT",
            ),
        ];
        for (line, kind, code) in cases {
            let e = Error::from(ServerError::from_line(line));
            assert_eq!(e.kind(), *kind, "{}", String::from_utf8_lossy(line));
            assert_eq!(e.code(), Some(*code));
        }
        let moved = Error::from(ServerError::from_line(b"MOVED 3999 127.0.0.1:6381"));
        assert_eq!(moved.redirect(), Some((3999, "127.0.0.1:6381")));
    }

    #[test]
    fn error_is_pointer_sized_and_thread_safe() {
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
        #[cfg(target_pointer_width = "64")]
        assert_eq!(std::mem::size_of::<Error>(), 8);
        fn traits<T: Send + Sync + 'static + std::error::Error>() {}
        traits::<Error>();
    }

    const ALL_KINDS: [ErrorKind; 24] = [
        ErrorKind::Connection,
        ErrorKind::Timeout,
        ErrorKind::Authentication,
        ErrorKind::NoPermission,
        ErrorKind::Response,
        ErrorKind::NoScript,
        ErrorKind::ExecAbort,
        ErrorKind::ReadOnly,
        ErrorKind::BusyLoading,
        ErrorKind::OutOfMemory,
        ErrorKind::Watch,
        ErrorKind::Moved,
        ErrorKind::Ask,
        ErrorKind::TryAgain,
        ErrorKind::ClusterDown,
        ErrorKind::CrossSlot,
        ErrorKind::MasterDown,
        ErrorKind::Lock,
        ErrorKind::LockNotOwned,
        ErrorKind::Data,
        ErrorKind::Protocol,
        ErrorKind::InvalidConfig,
        ErrorKind::PoolExhausted,
        ErrorKind::Unsupported,
    ];

    #[test]
    fn kinds_follow_redis_py_tree() {
        let connection: Vec<ErrorKind> = ALL_KINDS
            .into_iter()
            .filter(|k| Error::new(*k, "x").is_connection_error())
            .collect();
        assert_eq!(
            connection,
            [
                ErrorKind::Connection,
                ErrorKind::Authentication,
                ErrorKind::BusyLoading,
                ErrorKind::PoolExhausted,
            ]
        );
        let response: Vec<ErrorKind> = ALL_KINDS
            .into_iter()
            .filter(|k| Error::new(*k, "x").is_response_error())
            .collect();
        assert_eq!(
            response,
            [
                ErrorKind::NoPermission,
                ErrorKind::Response,
                ErrorKind::NoScript,
                ErrorKind::ExecAbort,
                ErrorKind::ReadOnly,
                ErrorKind::OutOfMemory,
                ErrorKind::Moved,
                ErrorKind::Ask,
                ErrorKind::TryAgain,
                ErrorKind::ClusterDown,
                ErrorKind::CrossSlot,
                ErrorKind::MasterDown,
            ]
        );
        // Timeouts are their own branch in redis-py, as are Watch, Data, Protocol...
        assert!(!Error::new(ErrorKind::Timeout, "x").is_connection_error());
        assert!(!Error::new(ErrorKind::Timeout, "x").is_response_error());
        // Server replies land on both sides of the tree.
        let replies: &[(&[u8], bool, bool)] = &[
            (b"WRONGPASS invalid username-password pair", true, false),
            (b"NOAUTH Authentication required.", true, false),
            (
                b"LOADING Redis is loading the dataset in memory",
                true,
                false,
            ),
            (b"ERR max number of clients reached", true, false),
            (b"ERR unknown command 'FOO'", false, true),
            (b"NOPERM this user has no permissions", false, true),
            (b"MOVED 3999 127.0.0.1:6381", false, true),
            (b"OOM command not allowed", false, true),
        ];
        for (line, connection, response) in replies {
            let e = Error::from(ServerError::from_line(line));
            let line = String::from_utf8_lossy(line);
            assert_eq!(e.is_connection_error(), *connection, "{line}");
            assert_eq!(e.is_response_error(), *response, "{line}");
        }
    }

    #[test]
    fn display_leaves_the_source_to_source() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer");
        let e = Error::with_source(ErrorKind::Connection, "cannot connect to h:1", io);
        assert_eq!(e.to_string(), "Connection error: cannot connect to h:1");
        let source = std::error::Error::source(&e).map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("reset by peer"));
        let chain: Vec<String> = e.chain().map(ToString::to_string).collect();
        assert_eq!(
            chain,
            ["Connection error: cannot connect to h:1", "reset by peer"]
        );
        // Debug keeps everything.
        let debug = format!("{e:?}");
        assert!(debug.starts_with("Error { kind: Connection, message: \"cannot connect to h:1\""));
        assert!(debug.contains("reset by peer"), "{debug}");

        // Command, message and server reply are this error's own, so Display shows them.
        let rejected = Error::from(ServerError::from_line(b"ERR wrong number of arguments"))
            .at_command(1, "INCR");
        assert_eq!(
            rejected.to_string(),
            "Response error in command #1 (INCR): ERR wrong number of arguments"
        );
        let abort = Error::with_source(ErrorKind::ExecAbort, "Transaction discarded", rejected)
            .at_command(1, "INCR");
        assert_eq!(
            abort.to_string(),
            "ExecAbort error in command #1 (INCR): Transaction discarded"
        );
        let chain: Vec<String> = abort.chain().map(ToString::to_string).collect();
        assert_eq!(
            chain,
            [
                "ExecAbort error in command #1 (INCR): Transaction discarded",
                "Response error in command #1 (INCR): ERR wrong number of arguments",
            ]
        );
        assert_eq!(Error::new(ErrorKind::Data, "x").chain().count(), 1);
    }

    #[test]
    fn duplicate_keeps_kind_message_and_source() {
        let io = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "pipe");
        let e = Error::from(io).at_command(2, "GET").mark_unsent();
        let d = e.duplicate();
        assert_eq!(d.kind(), ErrorKind::Connection);
        assert_eq!(d.to_string(), e.to_string());
        assert_eq!(d.command(), Some((2, "GET")));
        assert!(d.is_unsent());
        let chain: Vec<String> = d.chain().map(ToString::to_string).collect();
        assert_eq!(
            chain,
            [
                "Connection error in command #2 (GET): connection error",
                "pipe"
            ]
        );
        let p = Error::new(ErrorKind::Protocol, "invalid RESP type byte").duplicate();
        assert_eq!(p.kind(), ErrorKind::Protocol);
        assert_eq!(p.to_string(), "Protocol error: invalid RESP type byte");
    }
}
