//! `_native.Client`: the blocking oxredis client (a connection pool) for one Python `Redis`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, TryLockError};
use std::time::Duration;

use oxredis::{ClientBuilder, PooledConnection, Protocol, Redis, Value, WatchedPipeline};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::args::build_cmd;
use crate::codec::Decode;
use crate::errors::{exception_object, to_pyerr};
use crate::queue::CommandQueue;
use crate::reply::{shaped, shaped_reply, Reply, Shape};

/// A pool of connections to one server, and whether replies are decoded to `str`.
#[pyclass(module = "oxredis._native", frozen)]
pub(crate) struct Client {
    inner: Redis,
    decode: Decode,
    protocol: u8,
}

/// A Python `Retry` as `(backoff kind, cap, base, retries, retried error kinds)`
/// (`oxredis/retry.py`); negative `retries` retry forever, as in redis-py.
pub(crate) type RetrySpec = (String, f64, f64, i64, Vec<String>);

/// The core's retry policy for a Python `Retry`.
fn retry_policy((kind, cap, base, retries, on): RetrySpec) -> PyResult<oxredis::retry::Retry> {
    let mut kinds = oxredis::retry::ErrorKinds::NONE;
    for name in &on {
        kinds = kinds.with(error_kind(name)?);
    }
    let retries = u32::try_from(retries).unwrap_or(u32::MAX);
    Ok(oxredis::retry::Retry::new(backoff(&kind, cap, base)?, retries).with_retry_on(kinds))
}

/// A backoff strategy by its name in `oxredis/backoff.py`, with redis-py's `cap` and `base`
/// (seconds; `base` is the wait of `ConstantBackoff`).
pub(crate) fn backoff(kind: &str, cap: f64, base: f64) -> PyResult<oxredis::retry::Backoff> {
    use oxredis::retry::Backoff;
    let (cap, base) = (seconds(cap)?, seconds(base)?);
    Ok(match kind {
        "none" => Backoff::NoBackoff,
        "constant" => Backoff::Constant(base),
        "exponential" => Backoff::exponential(cap, base),
        "full_jitter" => Backoff::full_jitter(cap, base),
        "equal_jitter" => Backoff::equal_jitter(cap, base),
        "decorrelated_jitter" => Backoff::decorrelated_jitter(cap, base),
        "exponential_with_jitter" => Backoff::exponential_with_jitter(cap, base),
        other => {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "unknown backoff {other:?}"
            )))
        }
    })
}

/// An error kind retried by a `Retry`, by its name in `oxredis/retry.py`.
fn error_kind(name: &str) -> PyResult<oxredis::ErrorKind> {
    use oxredis::ErrorKind;
    Ok(match name {
        "connection" => ErrorKind::Connection,
        "timeout" => ErrorKind::Timeout,
        "busy_loading" => ErrorKind::BusyLoading,
        "read_only" => ErrorKind::ReadOnly,
        "try_again" => ErrorKind::TryAgain,
        "cluster_down" => ErrorKind::ClusterDown,
        "master_down" => ErrorKind::MasterDown,
        other => {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "unknown error kind {other:?}"
            )))
        }
    })
}

/// redis-py's `AbstractBackoff.compute(failures)` for a strategy of `oxredis/backoff.py`, in
/// seconds, computed by the core.
#[pyfunction]
pub(crate) fn backoff_compute(kind: &str, cap: f64, base: f64, failures: u32) -> PyResult<f64> {
    Ok(backoff(kind, cap, base)?.compute(failures).as_secs_f64())
}

fn seconds(s: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(s)
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("bad timeout {s}: {e}")))
}

impl Client {
    /// The settings of every connection of this client.
    pub(crate) fn config(&self) -> &oxredis::ConnectionConfig {
        self.inner.config()
    }

    /// How replies are decoded and `str` arguments encoded.
    pub(crate) fn decode(&self) -> Decode {
        self.decode
    }

    /// A client with this one's Python-side settings (`decode_responses`, protocol) on a new
    /// pool of connections made with `config`.
    pub(crate) fn with_config(&self, config: oxredis::ConnectionConfig) -> Client {
        Client {
            inner: Redis::new(config),
            decode: self.decode,
            protocol: self.protocol,
        }
    }
}

#[pymethods]
impl Client {
    /// Builds the pool from a URL and/or redis-py's keyword arguments (keywords win over the
    /// URL). Connections are opened lazily, on the first command. With `pool_block` false a
    /// command fails at once (`MaxConnectionsError`) when `max_connections` are in use;
    /// otherwise it waits up to `pool_timeout` seconds (the core's default when `None`).
    #[new]
    #[pyo3(signature = (url=None, host=None, port=None, db=None, username=None, password=None,
        socket_timeout=None, socket_connect_timeout=None, socket_keepalive=None, protocol=None,
        client_name=None, max_connections=None, unix_socket_path=None, health_check_interval=None,
        decode_responses=false, pool_block=true, pool_timeout=None, retry=None, cache=None,
        encoding=None, encoding_errors=None, retry_reads_after_timeout=false,
        legacy_responses=true))]
    #[expect(clippy::too_many_arguments, reason = "redis-py's keyword arguments")]
    fn new(
        py: Python<'_>,
        url: Option<&str>,
        host: Option<String>,
        port: Option<u16>,
        db: Option<i64>,
        username: Option<String>,
        password: Option<String>,
        socket_timeout: Option<f64>,
        socket_connect_timeout: Option<f64>,
        socket_keepalive: Option<bool>,
        protocol: Option<u8>,
        client_name: Option<String>,
        max_connections: Option<usize>,
        unix_socket_path: Option<String>,
        health_check_interval: Option<f64>,
        decode_responses: bool,
        pool_block: bool,
        pool_timeout: Option<f64>,
        retry: Option<RetrySpec>,
        cache: Option<crate::cache::CacheSpec>,
        encoding: Option<&str>,
        encoding_errors: Option<&str>,
        retry_reads_after_timeout: bool,
        legacy_responses: bool,
    ) -> PyResult<Self> {
        let mut b = ClientBuilder::default();
        if let Some(url) = url {
            b = b.url(url).map_err(|e| to_pyerr(py, &e))?;
        }
        if let Some(path) = unix_socket_path {
            b = b.unix_socket_path(path);
        } else {
            if let Some(host) = host {
                b = b.host(host);
            }
            if let Some(port) = port {
                b = b.port(port);
            }
        }
        if let Some(db) = db {
            b = b.db(db);
        }
        if let Some(u) = username {
            b = b.username(u);
        }
        if let Some(p) = password {
            b = b.password(p);
        }
        if let Some(t) = socket_timeout {
            b = b.socket_timeout(seconds(t)?);
        }
        if let Some(t) = socket_connect_timeout {
            b = b.socket_connect_timeout(seconds(t)?);
        }
        if let Some(k) = socket_keepalive {
            b = b.socket_keepalive(k);
        }
        if let Some(t) = health_check_interval.filter(|t| *t > 0.0) {
            b = b.health_check_interval(seconds(t)?);
        }
        match protocol {
            None => {}
            Some(2) => b = b.protocol(Protocol::Resp2),
            Some(3) => b = b.protocol(Protocol::Resp3),
            Some(n) => {
                return Err(crate::errors::data_error(
                    py,
                    &format!("protocol must be 2 or 3, not {n}"),
                ))
            }
        }
        if let Some(name) = client_name {
            b = b.client_name(name);
        }
        if let Some(spec) = retry {
            b = b.retry(retry_policy(spec)?);
        }
        if retry_reads_after_timeout {
            // redis-py's retry_on_timeout: a read whose reply timed out is sent again.
            let policy = b.config().retry.with_retry_reads_after_timeout(true);
            b = b.retry(policy);
        }
        if let Some(n) = max_connections {
            b = b.max_connections(n);
        }
        // redis-py's ConnectionPool fails at once when every connection is in use; its
        // BlockingConnectionPool waits `timeout` seconds (None: for ever).
        if !pool_block {
            b = b.pool_fail_fast();
        } else if let Some(t) = pool_timeout {
            b = b.pool_timeout(seconds(t)?);
        }
        let protocol = match b.config().protocol {
            Protocol::Resp3 => 3,
            _ => 2,
        };
        if let Some(spec) = cache {
            // redis-py's check and error; the core's builder would switch to RESP3 instead.
            if protocol != 3 {
                return Err(crate::errors::named_error(
                    py,
                    "RedisError",
                    "Client caching is only supported with RESP version 3",
                ));
            }
            b = b.cache_config(crate::cache::cache_config(spec)?);
        }
        Ok(Client {
            inner: b.build(),
            decode: Decode {
                on: decode_responses,
                enc: crate::codec::intern(
                    encoding.unwrap_or("utf-8"),
                    encoding_errors.unwrap_or("strict"),
                ),
                legacy: legacy_responses,
            },
            protocol,
        })
    }

    /// Whether bulk replies become `str`.
    #[getter]
    pub(crate) fn decode_responses(&self) -> bool {
        self.decode.on
    }

    /// redis-py's `legacy_responses`: `False` for its unified reply shapes.
    #[getter]
    fn legacy_responses(&self) -> bool {
        self.decode.legacy
    }

    /// redis-py's `encoding`: the codec of `str` arguments and decoded replies.
    #[getter]
    fn encoding(&self) -> &'static str {
        crate::codec::name(self.decode.enc)
    }

    /// redis-py's `encoding_errors`.
    #[getter]
    fn encoding_errors(&self) -> &'static str {
        crate::codec::errors(self.decode.enc)
    }

    /// The protocol spoken: 2 or 3.
    #[getter]
    pub(crate) fn protocol(&self) -> u8 {
        self.protocol
    }

    /// Sends one command (`args[0]` is its name) and returns its reply in `shape`
    /// (a `SHAPE_*` constant). The GIL is released while waiting for the server.
    fn execute(&self, py: Python<'_>, args: &Bound<'_, PyTuple>, shape: u8) -> PyResult<PyObject> {
        let cmd = build_cmd(args, self.decode.enc)?;
        let inner = &self.inner;
        let reply = py.allow_threads(|| inner.run::<Reply>(cmd));
        match reply {
            Ok(reply) => shaped_reply(py, reply, Shape::from_u8(shape), self.decode),
            Err(e) => Err(to_pyerr(py, &e)),
        }
    }

    /// Sends `commands` (the pipeline's queued commands, taken from it) in one write, as MULTI/EXEC when
    /// `transaction`, and returns one value per command. A command's error reply is raised
    /// (the first one) when `raise_on_error`, else returned in its place as an exception object.
    fn execute_pipeline(
        &self,
        py: Python<'_>,
        commands: &Bound<'_, CommandQueue>,
        transaction: bool,
        raise_on_error: bool,
    ) -> PyResult<PyObject> {
        let mut pipe = self.inner.pipeline(transaction);
        let (cmds, shapes) = commands.borrow_mut().take()?;
        for cmd in cmds {
            pipe.queue(cmd);
        }
        let results = py
            .allow_threads(|| pipe.execute_raw())
            .map_err(|e| to_pyerr(py, &e))?;
        results_to_list(py, results, shapes, self.decode, raise_on_error)
    }

    /// An async client (`oxredis.asyncio`) with the same settings, without client-side
    /// caching (redis-py's asyncio client has none).
    fn asynchronous(&self) -> crate::aio::AsyncClient {
        let mut config = self.inner.config().clone();
        config.cache = None;
        crate::aio::AsyncClient::new(config, self.decode, self.protocol)
    }

    /// The client-side cache (`Redis.get_cache()`), or `None` without `cache_config`.
    fn cache(&self) -> Option<crate::cache::Cache> {
        self.inner
            .cache()
            .map(|c| crate::cache::Cache::new(c.clone(), self.inner.clone(), self.decode))
    }

    /// A connection of this pool for a redis-py `Connection` object (checked out on its
    /// `connect()` or first command).
    fn connection(&self) -> crate::connection::Conn {
        crate::connection::Conn::new(self.inner.clone(), self.decode)
    }

    /// A pub/sub session on a connection of its own (opened on first use).
    fn pubsub(&self) -> crate::pubsub::PubSubConn {
        crate::pubsub::PubSubConn::new(self.inner.pubsub(), self.decode)
    }

    /// Opens a connection of its own and sends MONITOR.
    fn monitor(&self, py: Python<'_>) -> PyResult<crate::monitor::MonitorConn> {
        let inner = &self.inner;
        let m = py
            .allow_threads(|| inner.monitor())
            .map_err(|e| to_pyerr(py, &e))?;
        Ok(crate::monitor::MonitorConn::new(m))
    }

    /// Checks a connection out of the pool for a `single_connection_client` (connecting now,
    /// as redis-py does): every command of that client runs on it.
    fn single(&self, py: Python<'_>) -> PyResult<SingleConn> {
        let inner = &self.inner;
        let conn = py
            .allow_threads(|| inner.get_connection())
            .map_err(|e| to_pyerr(py, &e))?;
        Ok(SingleConn {
            client: self.inner.clone(),
            conn: Mutex::new(Some(conn)),
            decode: self.decode,
            changed: AtomicBool::new(false),
        })
    }

    /// Checks out a connection and WATCHes `keys` on it: the start of a WATCH/MULTI/EXEC
    /// transaction (redis-py's `Pipeline.watch`).
    fn watch(&self, py: Python<'_>, keys: &Bound<'_, PyTuple>) -> PyResult<Watched> {
        let keys = build_cmd(keys, self.decode.enc)?;
        let pipe = self.inner.pipeline(true);
        let watched = py
            .allow_threads(|| pipe.watch(keys))
            .map_err(|e| to_pyerr(py, &e))?;
        Ok(Watched {
            inner: Mutex::new(Some(watched)),
            decode: self.decode,
        })
    }
}

/// Pipeline results to a Python list, one value (or exception object) per command.
pub(crate) fn results_to_list(
    py: Python<'_>,
    results: Vec<oxredis::Result<Value>>,
    shapes: Vec<Shape>,
    decode: Decode,
    raise_on_error: bool,
) -> PyResult<PyObject> {
    let out = PyList::empty(py);
    for (result, shape) in results.into_iter().zip(shapes) {
        match result {
            Ok(v) => out.append(shaped(py, v, shape, decode)?)?,
            Err(e) if raise_on_error => return Err(to_pyerr(py, &e)),
            Err(e) => out.append(exception_object(py, &e)?)?,
        }
    }
    Ok(out.into_any().unbind())
}

/// A connection with WATCHed keys: commands run at once on it until the queued transaction is
/// executed (MULTI/EXEC, `WatchError` if a watched key changed) or the watch is reset.
#[pyclass(module = "oxredis._native", frozen)]
pub(crate) struct Watched {
    inner: Mutex<Option<WatchedPipeline>>,
    decode: Decode,
}

impl Watched {
    /// The watched pipeline (a pipeline is not shared between threads, as in redis-py).
    fn lock(&self) -> PyResult<MutexGuard<'_, Option<WatchedPipeline>>> {
        lock_unshared(&self.inner, "the pipeline")
    }
}

/// Locks a native object that Python code should not share between threads: `try_lock`,
/// not `lock`, since a second thread waiting here would hold the GIL that the first needs to
/// return (a deadlock); it gets a `RuntimeError` naming `what` instead.
pub(crate) fn lock_unshared<'a, T>(m: &'a Mutex<T>, what: &str) -> PyResult<MutexGuard<'a, T>> {
    match m.try_lock() {
        Ok(guard) => Ok(guard),
        Err(TryLockError::Poisoned(poisoned)) => Ok(poisoned.into_inner()),
        Err(TryLockError::WouldBlock) => Err(PyErr::new::<pyo3::exceptions::PyRuntimeError, _>(
            format!("{what} is in use by another thread"),
        )),
    }
}

fn released() -> PyErr {
    PyErr::new::<pyo3::exceptions::PyRuntimeError, _>("the watched connection was released")
}

#[pymethods]
impl Watched {
    /// Runs one command at once on the watched connection, shaped as `shape`.
    fn execute(&self, py: Python<'_>, args: &Bound<'_, PyTuple>, shape: u8) -> PyResult<PyObject> {
        let cmd = build_cmd(args, self.decode.enc)?;
        let mut guard = self.lock()?;
        let watched = guard.as_mut().ok_or_else(released)?;
        match py.allow_threads(move || watched.run::<Value>(cmd)) {
            Ok(v) => shaped(py, v, Shape::from_u8(shape), self.decode),
            Err(e) => Err(to_pyerr(py, &e)),
        }
    }

    /// WATCHes more keys on the same connection.
    fn watch(&self, py: Python<'_>, keys: &Bound<'_, PyTuple>) -> PyResult<()> {
        let keys = build_cmd(keys, self.decode.enc)?;
        let mut guard = self.lock()?;
        let watched = guard.as_mut().ok_or_else(released)?;
        py.allow_threads(|| watched.watch(keys))
            .map_err(|e| to_pyerr(py, &e))
    }

    /// UNWATCHes every key (the connection stays checked out).
    fn unwatch(&self, py: Python<'_>) -> PyResult<()> {
        let mut guard = self.lock()?;
        let watched = guard.as_mut().ok_or_else(released)?;
        py.allow_threads(|| watched.unwatch())
            .map_err(|e| to_pyerr(py, &e))
    }

    /// Sends `commands` (the pipeline's queued commands, taken from it) as MULTI/EXEC on the watched connection
    /// and releases it. A changed watched key raises `WatchError`.
    fn execute_transaction(
        &self,
        py: Python<'_>,
        commands: &Bound<'_, CommandQueue>,
        raise_on_error: bool,
    ) -> PyResult<PyObject> {
        let (cmds, shapes) = commands.borrow_mut().take()?;
        let mut watched = self.lock()?.take().ok_or_else(released)?;
        {
            let queue = watched.multi();
            for cmd in cmds {
                queue.queue(cmd);
            }
        }
        let results = py
            .allow_threads(|| watched.execute_raw())
            .map_err(|e| to_pyerr(py, &e))?;
        results_to_list(py, results, shapes, self.decode, raise_on_error)
    }

    /// UNWATCHes and returns the connection to the pool (idempotent).
    fn reset(&self, py: Python<'_>) -> PyResult<()> {
        let taken = self.lock()?.take();
        match taken {
            Some(watched) => py
                .allow_threads(|| watched.reset())
                .map_err(|e| to_pyerr(py, &e)),
            None => Ok(()),
        }
    }
}

/// The one connection of a `single_connection_client` (redis-py's `Redis.connection`): every
/// command runs on it, one at a time (other threads wait for it, without the GIL). A broken
/// connection, or one the server closed while it was idle, is replaced by a new one from the
/// pool before the next command, as redis-py reconnects; `close` gives it back to the pool.
#[pyclass(module = "oxredis._native", frozen)]
pub(crate) struct SingleConn {
    client: Redis,
    conn: Mutex<Option<PooledConnection>>,
    decode: Decode,
    /// Whether a command changed the connection's session (`changes_session`): it is then
    /// closed rather than given back to the pool.
    changed: AtomicBool,
}

/// Whether `cmd` changes the session every later command on the connection relies on (the
/// database, the user, the protocol, the reply mode) or ends it: SELECT, AUTH, HELLO, RESET,
/// QUIT, CLIENT REPLY, SYNC, PSYNC. A `single_connection_client` runs them (the pooled clients
/// refuse them); its connection is then not given back to the pool for others to use.
fn changes_session(cmd: &oxredis::Cmd) -> bool {
    let mut args = cmd.args();
    let Some(name) = args.next() else {
        return false;
    };
    let is = |a: &[u8], w: &str| a.eq_ignore_ascii_case(w.as_bytes());
    ["SELECT", "AUTH", "HELLO", "RESET", "QUIT", "SYNC", "PSYNC"]
        .iter()
        .any(|w| is(name, w))
        || (is(name, "CLIENT") && args.next().is_some_and(|sub| is(sub, "REPLY")))
}

#[pymethods]
impl SingleConn {
    /// Runs one command on the connection, shaped as `shape` (the GIL released while it runs).
    fn execute(&self, py: Python<'_>, args: &Bound<'_, PyTuple>, shape: u8) -> PyResult<PyObject> {
        let cmd = build_cmd(args, self.decode.enc)?;
        let client = &self.client;
        let conn = &self.conn;
        let changed = &self.changed;
        let reply = py.allow_threads(|| {
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            // As the pool checks an idle connection before reuse: broken, or closed by the
            // server (CLIENT KILL, timeout) while idle for 1 ms or more (a non-blocking peek).
            let dead = |c: &mut PooledConnection| {
                c.is_broken() || (c.idle_for() >= Duration::from_millis(1) && c.peer_closed())
            };
            if guard.as_mut().is_none_or(dead) {
                *guard = None;
                *guard = Some(client.get_connection()?);
                changed.store(false, Ordering::Relaxed);
            }
            if changes_session(&cmd) {
                changed.store(true, Ordering::Relaxed);
            }
            let reply = match guard.as_mut() {
                // Through the client-side cache (with `cache_config`), unless the session
                // changed (after SELECT the cache's entries are another database's).
                Some(c) if !changed.load(Ordering::Relaxed) => client.execute_on::<Reply>(c, &cmd),
                Some(c) => c.execute::<Reply>(&cmd),
                None => Err(oxredis::Error::new(
                    oxredis::ErrorKind::Connection,
                    "no connection",
                )),
            };
            if cmd
                .args()
                .next()
                .is_some_and(|n| n.eq_ignore_ascii_case(b"QUIT"))
            {
                // The server closes the connection after its reply: the next command takes
                // a new one.
                drop(guard.take().map(PooledConnection::detach));
            }
            reply
        });
        match reply {
            Ok(reply) => shaped_reply(py, reply, Shape::from_u8(shape), self.decode),
            Err(e) => Err(to_pyerr(py, &e)),
        }
    }

    /// Gives the connection back to the pool (the next command checks one out again), or
    /// closes it when a command changed its session (SELECT, AUTH...).
    fn close(&self, py: Python<'_>) {
        let conn = &self.conn;
        let taken = py.allow_threads(|| conn.lock().unwrap_or_else(|p| p.into_inner()).take());
        if self.changed.swap(false, Ordering::Relaxed) {
            // Its session is not the pool's any more: closed, not given back.
            drop(taken.map(PooledConnection::detach));
        } else {
            drop(taken);
        }
    }
}
