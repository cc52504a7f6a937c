//! The blocking client: `Redis`, cheap to clone, shared across threads.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::cache::ClientCache;
use crate::commands::options::*;
use crate::config::{Addr, ConnectionConfig, Protocol};
use crate::conn::finish_reply;
use crate::retry::{Retry, RetryState, Sent};
use crate::{Cmd, FromValue, Result, ToArgs, Value};

use super::cache::Tracker;
use super::{ConnectionPool, PooledConnection};

/// The blocking Redis client (redis-py's `Redis`).
///
/// `Send + Sync` and cheap to clone (clones share one [`ConnectionPool`]); every command method
/// takes `&self`, checks a connection out of the pool, and returns it afterwards. Every Redis
/// command has a method named as in redis-py, generated from the command table.
///
/// # Examples
/// ```no_run
/// use oxredis::Redis;
/// let r = Redis::from_url("redis://localhost:6379/0?decode_responses=true")?;
/// r.set("greeting", "hello")?;
/// let v: Option<String> = r.get("greeting")?;
/// let raw: Option<Vec<u8>> = r.get("greeting")?;
/// assert_eq!(v.as_deref(), Some("hello"));
/// assert_eq!(raw.as_deref(), Some(&b"hello"[..]));
/// # Ok::<(), oxredis::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Redis {
    pool: Arc<ConnectionPool>,
    /// Reply callbacks set on this client (shared by its clones).
    callbacks: Arc<crate::callbacks::Callbacks>,
}

impl Redis {
    /// A client for `config`. Connections are opened lazily, on first use.
    pub fn new(config: ConnectionConfig) -> Redis {
        Redis {
            pool: ConnectionPool::new(config),
            callbacks: Arc::default(),
        }
    }

    /// A client from a URL; see [`ConnectionConfig::from_url`] for the syntax and options.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`](crate::ErrorKind::InvalidConfig) for a bad URL.
    pub fn from_url(url: &str) -> Result<Redis> {
        Ok(Redis::new(ConnectionConfig::from_url(url)?))
    }

    /// A builder for every option.
    ///
    /// # Examples
    /// ```no_run
    /// use std::time::Duration;
    /// let r = oxredis::Redis::builder()
    ///     .host("127.0.0.1")
    ///     .port(6379)
    ///     .db(1)
    ///     .socket_timeout(Duration::from_secs(5))
    ///     .max_connections(8)
    ///     .build();
    /// # let _ = r;
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client that shares an existing pool.
    pub fn from_pool(pool: Arc<ConnectionPool>) -> Redis {
        Redis {
            pool,
            callbacks: Arc::default(),
        }
    }

    /// The pool behind this client.
    pub fn connection_pool(&self) -> &Arc<ConnectionPool> {
        &self.pool
    }

    /// The connection settings.
    pub fn config(&self) -> &ConnectionConfig {
        self.pool.config()
    }

    /// Checks a connection out of the pool, for code that needs one connection for a while.
    ///
    /// # Errors
    /// As [`ConnectionPool::get`].
    pub fn get_connection(&self) -> Result<PooledConnection> {
        self.pool.get()
    }

    /// Runs `cmd` once on `conn` (checked out with [`get_connection`](Self::get_connection)),
    /// through the client-side cache as [`run`](Self::run) would: a read the cache
    /// keeps is served from it, or read and stored; a write drops the entries it may change.
    /// This is redis-py's `single_connection_client` with `cache_config`. Unlike `run` it
    /// never retries (the caller owns the connection) and refuses nothing: on a connection
    /// of your own, `SELECT` and the like are yours to run.
    ///
    /// # Errors
    /// A connection error, the server's error reply, or a failed conversion.
    ///
    /// ```no_run
    /// # fn main() -> oxredis::Result<()> {
    /// let r = oxredis::Redis::from_url("redis://127.0.0.1/?protocol=3")?;
    /// let mut conn = r.get_connection()?;
    /// let mut get = oxredis::Cmd::new("GET");
    /// get.arg("k");
    /// let v: Option<String> = r.execute_on(&mut conn, &get)?;
    /// # Ok(()) }
    /// ```
    pub fn execute_on<T: FromValue>(&self, conn: &mut PooledConnection, cmd: &Cmd) -> Result<T> {
        let Some((tracker, cache)) = self.pool.cache_route(cmd)? else {
            return conn.execute(cmd);
        };
        let reply = match cache.get(cmd, Instant::now()) {
            Some(v) => v,
            None => Self::read_cached(tracker, cache, conn, cmd)?,
        };
        T::from_value(finish_reply(cmd.reply_shape(), reply)?)
    }

    /// Runs any command given as its words and arguments, e.g. `("OBJECT", "ENCODING", "k")`.
    ///
    /// Commands that would corrupt a pooled connection (`SELECT`, `SUBSCRIBE`, `MONITOR`,
    /// `MULTI`, `CLIENT REPLY OFF`...) are refused, see [`run`](Self::run).
    ///
    /// # Errors
    /// A connection error, the server's error reply, or a failed conversion;
    /// [`ErrorKind::Data`](crate::ErrorKind::Data) for a refused command.
    ///
    /// # Examples
    /// ```no_run
    /// # let r = oxredis::Redis::from_url("redis://localhost")?;
    /// let n: i64 = r.execute_command(("DBSIZE",))?;
    /// # Ok::<(), oxredis::Error>(())
    /// ```
    pub fn execute_command<T: FromValue>(&self, args: impl ToArgs) -> Result<T> {
        let mut cmd = Cmd::empty();
        cmd.arg(args);
        self.run(cmd)
    }

    /// Runs a prepared command and converts its reply.
    ///
    /// After a connection error the command is retried per the client's [`Retry`] policy, but
    /// only when that cannot apply it twice: the connection failed before the command was sent,
    /// or the command is read-only. Timeouts are never retried.
    ///
    /// A command that would corrupt the pooled connection for its next user is refused before
    /// anything is sent (`Cmd::check_shared_connection`): the `SUBSCRIBE` family (use
    /// [`pubsub`](Self::pubsub)), `MONITOR` ([`monitor`](Self::monitor)), `MULTI`/`EXEC`/
    /// `DISCARD`/`WATCH`/`UNWATCH` ([`pipeline`](Self::pipeline), [`transaction`](Self::transaction)),
    /// `SELECT`/`AUTH`/`HELLO 3` (the [`ConnectionConfig`] settings), `CLIENT REPLY OFF|SKIP`,
    /// `RESET`, `QUIT`, and the replication commands. A [`Connection`](super::Connection) of
    /// your own takes any of them.
    ///
    /// # Errors
    /// A connection error (after retries), a timeout, the server's error reply, or a failed
    /// conversion; [`ErrorKind::Data`](crate::ErrorKind::Data) for a refused command.
    pub fn run<T: FromValue>(&self, cmd: Cmd) -> Result<T> {
        crate::trace::Span::command(&cmd, self.pool.config()).in_scope(|| self.run_untraced(cmd))
    }

    /// [`run`](Self::run) without its span.
    fn run_untraced<T: FromValue>(&self, cmd: Cmd) -> Result<T> {
        if let Some(callback) = self.callbacks.for_cmd(&cmd) {
            let reply = self.run_command::<crate::Value>(cmd)?;
            return T::from_value(callback(reply)?);
        }
        self.run_command(cmd)
    }

    /// Registers a conversion for `command`'s replies on this client and its clones (redis-py's
    /// `set_response_callback`): every later `command` run through the client's methods,
    /// `run` or `execute_command` gets its normalised reply passed through `callback` before
    /// the conversion to the caller's type, and so does every `command` result of its pipelines
    /// (`Pipeline`; not the commands of a `WatchedPipeline`). `command` is the command's name as
    /// declared (`GET`, `CONFIG GET`, `JSON.GET`), in any case.
    ///
    /// # Examples
    /// ```no_run
    /// use oxredis::Value;
    /// let r = oxredis::Redis::from_url("redis://localhost")?;
    /// // GET returns the length of the value instead of the value.
    /// r.set_response_callback("GET", |v: Value| {
    ///     Ok(Value::Int(v.as_bytes().map_or(0, |b| b.len() as i64)))
    /// });
    /// # Ok::<(), oxredis::Error>(())
    /// ```
    pub fn set_response_callback(
        &self,
        command: &str,
        callback: impl Fn(crate::Value) -> Result<crate::Value> + Send + Sync + 'static,
    ) {
        self.callbacks.set(command, Some(Arc::new(callback)));
    }

    /// The reply callbacks, for pipelines.
    pub(crate) fn callbacks(&self) -> &crate::callbacks::Callbacks {
        &self.callbacks
    }

    /// Removes the callback of `command` set by
    /// [`set_response_callback`](Self::set_response_callback).
    pub fn remove_response_callback(&self, command: &str) {
        self.callbacks.set(command, None);
    }

    /// [`run`](Self::run) without the span and the reply callbacks.
    fn run_command<T: FromValue>(&self, cmd: Cmd) -> Result<T> {
        cmd.check_shared_connection()?;
        if let Some((tracker, cache)) = self.pool.cache_route(&cmd)? {
            return T::from_value(self.run_cached(tracker, cache, &cmd)?);
        }
        let mut retry: Option<RetryState> = None;
        // Looked up after a failure only (a hand-built command's costs a table scan).
        let mut idempotent: Option<bool> = None;
        loop {
            // `sent`: whether the command may have reached the server, so a retry could apply
            // it twice.
            let (err, sent) = match self.pool.get() {
                Ok(mut conn) => match conn.execute(&cmd) {
                    Ok(v) => return Ok(v),
                    Err(e) if e.is_unsent() => (e, Sent::No),
                    Err(e) => (e, Sent::Maybe),
                },
                Err(e) => (e, Sent::No),
            };
            let state = retry.get_or_insert_with(|| RetryState::new(self.pool.config().retry));
            let idempotent = *idempotent.get_or_insert_with(|| cmd.is_read_only());
            match state.on_error(&err, sent, idempotent) {
                Some(wait) => std::thread::sleep(wait),
                None => return Err(err),
            }
        }
    }

    /// [`run`](Self::run) for a command the cache keeps: served from the cache, or
    /// read (with the same retries: it is read-only) and stored if no invalidation of its keys
    /// came meanwhile (see [`crate::cache`]).
    fn run_cached(&self, tracker: &Tracker, cache: &Arc<ClientCache>, cmd: &Cmd) -> Result<Value> {
        if let Some(v) = cache.get(cmd, Instant::now()) {
            return finish_reply(cmd.reply_shape(), v);
        }
        let mut retry: Option<RetryState> = None;
        loop {
            let (err, sent) = match self.pool.get() {
                Ok(mut conn) => match Self::read_cached(tracker, cache, &mut conn, cmd) {
                    // An error reply is returned as it is, not retried.
                    Ok(reply) => return finish_reply(cmd.reply_shape(), reply),
                    Err(e) if e.is_unsent() => (e, Sent::No),
                    Err(e) => (e, Sent::Maybe),
                },
                Err(e) => (e, Sent::No),
            };
            let state = retry.get_or_insert_with(|| RetryState::new(self.pool.config().retry));
            match state.on_error(&err, sent, true) {
                Some(wait) => std::thread::sleep(wait),
                None => return Err(err),
            }
        }
    }

    /// One read of a command the cache keeps, on `conn`: its reply (as read: an error reply
    /// is a [`Value::Error`]) is stored unless an invalidation of its keys came meanwhile
    /// (see [`crate::cache`]).
    pub(crate) fn read_cached(
        tracker: &Tracker,
        cache: &Arc<ClientCache>,
        conn: &mut PooledConnection,
        cmd: &Cmd,
    ) -> Result<Value> {
        let mut ticket = tracker
            .prepare(conn)
            .and_then(|epoch| cache.begin(cmd, epoch));
        let opt_in = ticket.as_ref().and_then(|t| t.opt_in());
        let (opted_in, reply) = conn.request_raw_after(opt_in, cmd)?;
        if !opted_in {
            // CLIENT CACHING failed: the read's keys may be untracked.
            ticket = None;
        }
        if let Some(t) = ticket {
            t.complete(&reply, Instant::now());
        }
        Ok(reply)
    }

    /// The client-side cache (redis-py's `get_cache()`), when caching is on
    /// ([`ClientBuilder::cache_config`]): its counters, `size()`, `clear()`.
    pub fn cache(&self) -> Option<&Arc<ClientCache>> {
        self.pool.cache()
    }

    /// Waits until every invalidation the server sent before this call has been applied to the
    /// cache: one PING round trip on the invalidation connection. After another client's write
    /// has returned, a `sync_cache()` guarantees the next read sees it. Does nothing without a
    /// cache.
    ///
    /// # Errors
    /// [`ErrorKind::Timeout`](crate::ErrorKind::Timeout) when the invalidation connection
    /// does not answer within the socket timeout (10 s without one);
    /// [`ErrorKind::InvalidConfig`](crate::ErrorKind::InvalidConfig) when not RESP3.
    pub fn sync_cache(&self) -> Result<()> {
        self.pool.sync_cache()
    }

    /// RESP3 push frames that reached no consumer on this client's connections (see the
    /// [push policy](crate::push)).
    pub fn dropped_pushes(&self) -> u64 {
        self.pool.dropped_pushes()
    }

    /// The connection pool's counters (open, idle, waiting, checkout wait time).
    pub fn pool_stats(&self) -> super::PoolStats {
        self.pool.stats()
    }

    all_commands!(immediate_methods);
}

/// Builds a client option by option (redis-py's `Redis(...)` keyword arguments): the
/// blocking [`Redis`] with [`build`](Self::build), the async [`aio::Redis`](crate::aio::Redis)
/// with `build_async`. Both start from [`Redis::builder`] or `aio::Redis::builder()`, which
/// return this same builder; it only gathers a [`ConnectionConfig`].
///
/// # Examples
/// ```no_run
/// let b = oxredis::ClientBuilder::default().host("127.0.0.1").db(2);
/// let blocking = b.clone().build();
/// # #[cfg(feature = "tokio")]
/// let async_client = b.build_async();
/// ```
#[derive(Debug, Clone, Default)]
pub struct ClientBuilder {
    config: ConnectionConfig,
}

impl ClientBuilder {
    /// Starts from a URL's settings.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`](crate::ErrorKind::InvalidConfig) for a bad URL.
    pub fn url(mut self, url: &str) -> Result<Self> {
        self.config = ConnectionConfig::from_url(url)?;
        Ok(self)
    }

    /// Server host (TCP).
    pub fn host(mut self, host: impl Into<String>) -> Self {
        let port = match &self.config.addr {
            Addr::Tcp { port, .. } => *port,
            Addr::Unix(_) => 6379,
        };
        self.config.addr = Addr::Tcp {
            host: host.into(),
            port,
        };
        self
    }

    /// Server port (TCP).
    pub fn port(mut self, port: u16) -> Self {
        let host = match &self.config.addr {
            Addr::Tcp { host, .. } => host.clone(),
            Addr::Unix(_) => "127.0.0.1".into(),
        };
        self.config.addr = Addr::Tcp { host, port };
        self
    }

    /// Connect over a unix socket instead of TCP.
    pub fn unix_socket_path(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.config.addr = Addr::Unix(path.into());
        self
    }

    /// ACL user name.
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.config.username = Some(username.into());
        self
    }

    /// Password.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.config.password = Some(password.into());
        self
    }

    /// Asks `provider` for the user name and password of every new connection, instead of a
    /// fixed [`username`](Self::username)/[`password`](Self::password) (redis-py's
    /// `credential_provider`): a rotated password reaches the next connection.
    pub fn credential_provider(
        mut self,
        provider: std::sync::Arc<dyn crate::CredentialProvider>,
    ) -> Self {
        self.config.credential_provider = Some(crate::SharedCredentialProvider(provider));
        self
    }

    /// Database number.
    pub fn db(mut self, db: i64) -> Self {
        self.config.db = db;
        self
    }

    /// Client name set on every connection.
    pub fn client_name(mut self, name: impl Into<String>) -> Self {
        self.config.client_name = Some(name.into());
        self
    }

    /// Library name sent in the handshake with `CLIENT SETINFO lib-name` (default `oxredis`);
    /// `None` does not send it. A server older than 7.2 ignores it.
    pub fn lib_name(mut self, name: Option<&str>) -> Self {
        self.config.lib_name = name.map(str::to_owned);
        self
    }

    /// Library version sent in the handshake with `CLIENT SETINFO lib-ver` (default: this
    /// crate's version); `None` does not send it.
    pub fn lib_version(mut self, version: Option<&str>) -> Self {
        self.config.lib_version = version.map(str::to_owned);
        self
    }

    /// RESP version.
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.config.protocol = protocol;
        self
    }

    /// Connect timeout.
    pub fn socket_connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = Some(timeout);
        self
    }

    /// The response deadline of ordinary commands (default
    /// [`DEFAULT_SOCKET_TIMEOUT`](crate::config::DEFAULT_SOCKET_TIMEOUT)); `None` never times
    /// out. Blocking commands get their own wait on top; see
    /// [`ConnectionConfig::socket_timeout`].
    pub fn socket_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.config.socket_timeout = timeout.into();
        self
    }

    /// TCP keepalive on (the default, with [`Keepalive::default`](crate::Keepalive)) or off.
    pub fn socket_keepalive(mut self, on: bool) -> Self {
        self.config.keepalive = on.then(crate::Keepalive::default);
        self
    }

    /// TCP keepalive timings (redis-py's `socket_keepalive_options`); turns keepalive on.
    pub fn socket_keepalive_options(mut self, keepalive: crate::Keepalive) -> Self {
        self.config.keepalive = Some(keepalive);
        self
    }

    /// PING connections idle longer than this before reuse.
    pub fn health_check_interval(mut self, interval: Duration) -> Self {
        self.config.health_check_interval = Some(interval);
        self
    }

    /// Require every reply string to be valid UTF-8 (redis-py's `decode_responses`).
    pub fn decode_responses(mut self, on: bool) -> Self {
        self.config.decode_responses = on;
        self
    }

    /// Most connections in the pool.
    pub fn max_connections(mut self, n: usize) -> Self {
        self.config.max_connections = n.max(1);
        self
    }

    /// Wait up to `timeout` for a free connection when the pool is exhausted (redis-py's
    /// `BlockingConnectionPool`); the default is
    /// [`DEFAULT_POOL_TIMEOUT`](crate::config::DEFAULT_POOL_TIMEOUT).
    pub fn pool_timeout(mut self, timeout: Duration) -> Self {
        self.config.pool_timeout = Some(timeout);
        self
    }

    /// Fail at once with [`ErrorKind::PoolExhausted`](crate::ErrorKind::PoolExhausted) when
    /// every connection is in use, instead of waiting (redis-py's plain `ConnectionPool`).
    pub fn pool_fail_fast(mut self) -> Self {
        self.config.pool_timeout = None;
        self
    }

    /// Async client: most requests queued and in flight on the shared connection before
    /// callers wait for room.
    pub fn max_queued_requests(mut self, n: usize) -> Self {
        self.config.max_queued_requests = n.max(1);
        self
    }

    /// Retry policy after connection errors (redis-py's `retry`); [`Retry::none`] disables it.
    pub fn retry(mut self, retry: Retry) -> Self {
        self.config.retry = retry;
        self
    }

    /// TLS on (with the current or default [`TlsOptions`](crate::TlsOptions)) or off; the
    /// `tls_*` and `danger_*` methods turn it on too. Same as a `rediss://` URL.
    pub fn tls(mut self, on: bool) -> Self {
        self.config.tls = if on {
            Some(self.config.tls.take().unwrap_or_default())
        } else {
            None
        };
        self
    }

    /// TLS on, with these settings.
    pub fn tls_options(mut self, options: crate::TlsOptions) -> Self {
        self.config.tls = Some(options);
        self
    }

    /// TLS on, and one change to its settings.
    fn with_tls(mut self, f: impl FnOnce(crate::TlsOptions) -> crate::TlsOptions) -> Self {
        self.config.tls = Some(f(self.config.tls.take().unwrap_or_default()));
        self
    }

    /// TLS on, trusting the CA certificates of this PEM file (`ssl_ca_certs`); see
    /// [`TlsOptions::ca_file`](crate::TlsOptions::ca_file).
    pub fn tls_ca_file(self, path: impl Into<std::path::PathBuf>) -> Self {
        self.with_tls(|t| t.ca_file(path))
    }

    /// TLS on, trusting the CA certificates of the PEM files in this directory
    /// (`ssl_ca_path`).
    pub fn tls_ca_dir(self, path: impl Into<std::path::PathBuf>) -> Self {
        self.with_tls(|t| t.ca_dir(path))
    }

    /// TLS on, trusting the CA certificates in these PEM bytes (`ssl_ca_data`).
    pub fn tls_ca_pem(self, pem: impl Into<Vec<u8>>) -> Self {
        self.with_tls(|t| t.ca_pem(pem))
    }

    /// TLS on, also trusting (or not) the platform's CA store; by default it is trusted only
    /// when no CA is given.
    pub fn tls_platform_roots(self, on: bool) -> Self {
        self.with_tls(|t| t.platform_roots(on))
    }

    /// TLS on, presenting this client certificate and key, each a PEM file (mutual TLS;
    /// `ssl_certfile`, `ssl_keyfile`).
    pub fn tls_client_cert_files(
        self,
        cert: impl Into<std::path::PathBuf>,
        key: impl Into<std::path::PathBuf>,
    ) -> Self {
        self.with_tls(|t| t.client_cert_files(cert, key))
    }

    /// TLS on, presenting the client certificate and key found together in one PEM file
    /// (`ssl_certfile` alone).
    pub fn tls_client_cert_and_key_file(self, path: impl Into<std::path::PathBuf>) -> Self {
        self.with_tls(|t| t.client_cert_and_key_file(path))
    }

    /// TLS on, presenting this client certificate chain and key given as PEM bytes.
    pub fn tls_client_cert_pem(self, cert: impl Into<Vec<u8>>, key: impl Into<Vec<u8>>) -> Self {
        self.with_tls(|t| t.client_cert_pem(cert, key))
    }

    /// TLS on, sending and verifying this name instead of the host connected to.
    pub fn tls_server_name(self, name: impl Into<String>) -> Self {
        self.with_tls(|t| t.server_name(name))
    }

    /// TLS on, accepting this version or later (`ssl_min_version`; default TLS 1.2).
    pub fn tls_min_version(self, version: crate::TlsVersion) -> Self {
        self.with_tls(|t| t.min_version(version))
    }

    /// **Dangerous.** TLS on, accepting ANY server certificate unverified
    /// (`ssl_cert_reqs=none`): anyone on the path can impersonate the server. See
    /// [`TlsOptions::danger_accept_invalid_certs`](crate::TlsOptions::danger_accept_invalid_certs).
    pub fn danger_accept_invalid_certs(self, on: bool) -> Self {
        self.with_tls(|t| t.danger_accept_invalid_certs(on))
    }

    /// **Dangerous.** TLS on, accepting a trusted certificate issued for another host name
    /// (`ssl_check_hostname=false`). See
    /// [`TlsOptions::danger_accept_invalid_hostnames`](crate::TlsOptions::danger_accept_invalid_hostnames).
    pub fn danger_accept_invalid_hostnames(self, on: bool) -> Self {
        self.with_tls(|t| t.danger_accept_invalid_hostnames(on))
    }

    /// Runs every connection over streams from `transport` instead of sockets to the
    /// configured address (redis-py's `connection_class`).
    pub fn transport(mut self, transport: crate::transport::CustomTransport) -> Self {
        self.config.transport = Some(transport);
        self
    }

    /// Calls `handler` with RESP3 push frames (redis-py's `push_handler_func`); see the
    /// [push policy](crate::push).
    pub fn push_handler(mut self, handler: crate::PushHandler) -> Self {
        self.config.push_handler = Some(handler);
        self
    }

    /// Turns client-side caching on (redis-py's `cache_config`); needs RESP3, which this sets.
    /// See [`crate::cache`].
    pub fn cache_config(mut self, cache: crate::cache::CacheConfig) -> Self {
        self.config.cache = Some(cache);
        self.config.protocol = Protocol::Resp3;
        self
    }

    /// Decoder limits against hostile replies.
    pub fn limits(mut self, limits: crate::resp::DecoderLimits) -> Self {
        self.config.limits = limits;
        self
    }

    /// The settings built so far.
    pub fn config(&self) -> &ConnectionConfig {
        &self.config
    }

    /// The blocking client.
    pub fn build(self) -> Redis {
        Redis::new(self.config)
    }

    /// The async client, with the same settings.
    #[cfg(feature = "tokio")]
    pub fn build_async(self) -> crate::aio::Redis {
        crate::aio::Redis::new(self.config)
    }
}
