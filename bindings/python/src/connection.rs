//! `_native.Conn`: one connection taken out of a client's pool, for redis-py's `Connection`
//! objects (`pool.get_connection()`, `Connection(host=...)`): commands are written and replies
//! read separately (`send_command` / `read_response`), on the core's connection.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::BytesMut;
use oxredis::resp::{Decoder, DecoderLimits};
use oxredis::{Cmd, Error, ErrorKind, PooledConnection, Redis, Value};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

use crate::args::build_cmd;
use crate::bridge::{finish, Completer};
use crate::codec::Decode;
use crate::errors::to_pyerr;
use crate::reply::raw;

/// Commands that change a connection's state for the commands after them: a connection that
/// ran one is closed, not given back to the pool that other clients share.
const STATEFUL: &[&[u8]] = &[
    b"SELECT",
    b"SUBSCRIBE",
    b"PSUBSCRIBE",
    b"SSUBSCRIBE",
    b"MONITOR",
    b"MULTI",
    b"WATCH",
    b"AUTH",
    b"HELLO",
    b"RESET",
    b"READONLY",
    b"READWRITE",
    b"CLIENT",
];

fn is_stateful(cmd: &Cmd) -> bool {
    cmd.args()
        .next()
        .is_some_and(|name| STATEFUL.iter().any(|s| name.eq_ignore_ascii_case(s)))
}

/// The connection and what is known of it.
struct State {
    conn: Option<PooledConnection>,
    /// A command of [`STATEFUL`] was sent on `conn`.
    tainted: bool,
}

/// One connection of a client's pool, opened on `connect()` (or the first command), given
/// back to the pool on `release()` when its state is known and no reply is owed, else closed.
#[pyclass(module = "oxredis._native", frozen)]
pub(crate) struct Conn {
    client: Redis,
    state: Mutex<State>,
    decode: Decode,
}

impl Conn {
    /// A connection of `client`'s pool (not checked out yet).
    pub(crate) fn new(client: Redis, decode: Decode) -> Conn {
        Conn {
            client,
            state: Mutex::new(State {
                conn: None,
                tainted: false,
            }),
            decode,
        }
    }

    /// Runs `f` on the connection, with the GIL released. With `open`, one is checked out
    /// first if there is none or the one there broke; without, that is a `ConnectionError`
    /// (a reply cannot be read from a connection that is gone).
    fn with<T: Send>(
        &self,
        py: Python<'_>,
        open: bool,
        f: impl FnOnce(&mut PooledConnection, &mut bool) -> oxredis::Result<T> + Send,
    ) -> PyResult<T> {
        let (client, state) = (&self.client, &self.state);
        py.allow_threads(|| {
            let mut guard = state.lock().unwrap_or_else(|p| p.into_inner());
            let state = &mut *guard;
            let gone = state.conn.as_ref().is_none_or(|c| c.is_broken());
            if gone && !open {
                state.conn = None;
                return Err(closed());
            }
            if gone {
                state.conn = None;
                state.tainted = false;
                state.conn = Some(client.get_connection()?);
            }
            match state.conn.as_mut() {
                Some(c) => f(c, &mut state.tainted),
                None => Err(closed()),
            }
        })
        .map_err(|e| to_pyerr(py, &e))
    }

    /// Writes `cmds` in one write.
    fn send_all(&self, py: Python<'_>, cmds: Vec<Cmd>) -> PyResult<()> {
        self.with(py, true, move |c, tainted| {
            c.restore_timeout()?;
            for cmd in &cmds {
                *tainted |= is_stateful(cmd);
                c.queue(cmd);
            }
            c.flush()
        })
    }
}

/// The error of a read on a connection that is not open (never opened, closed, or broken by
/// an earlier error).
fn closed() -> Error {
    Error::new(ErrorKind::Connection, "Connection closed by server.")
}

/// The commands in `packed` (RESP arrays of bulk strings, as `pack_command` makes them),
/// decoded in Rust.
fn unpack(py: Python<'_>, packed: &[u8]) -> PyResult<Vec<Cmd>> {
    let bad = |why: &str| crate::errors::data_error(py, &format!("send_packed_command: {why}"));
    let mut buf = BytesMut::from(packed);
    let mut decoder = Decoder::new(DecoderLimits::default());
    let mut cmds = Vec::new();
    while !buf.is_empty() {
        let value = decoder
            .decode(&mut buf)
            .map_err(|e| bad(&e.to_string()))?
            .ok_or_else(|| bad("an incomplete command"))?;
        let Value::Array(items) = value else {
            return Err(bad("not a command (a RESP array of bulk strings)"));
        };
        let mut cmd = Cmd::empty();
        for item in items {
            match item {
                Value::Bulk(b) => {
                    cmd.arg(&b[..]);
                }
                _ => return Err(bad("an argument that is not a bulk string")),
            }
        }
        cmds.push(cmd);
    }
    Ok(cmds)
}

#[pymethods]
impl Conn {
    /// Checks a connection out of the pool (connecting, with the handshake) unless one is
    /// already held.
    fn connect(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, true, |_, _| Ok(()))
    }

    /// Whether a connection is held (and not broken).
    #[getter]
    fn is_connected(&self) -> bool {
        let guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        guard.conn.as_ref().is_some_and(|c| !c.is_broken())
    }

    /// Closes the connection (the next command opens another).
    fn disconnect(&self, py: Python<'_>) {
        let state = &self.state;
        py.allow_threads(|| {
            let mut guard = state.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(mut c) = guard.conn.take() {
                // Broken: the pool closes it instead of taking it back.
                c.mark_broken();
            }
            guard.tainted = false;
        });
    }

    /// Gives the connection back to the pool when it can serve another client (no reply
    /// owed, no state changed), else closes it.
    fn release(&self, py: Python<'_>) {
        let state = &self.state;
        py.allow_threads(|| {
            let mut guard = state.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(mut c) = guard.conn.take() {
                if guard.tainted || !c.is_reusable() {
                    c.mark_broken();
                }
            }
            guard.tainted = false;
        });
    }

    /// Packs `args` (`args[0]` the command's name) and writes it.
    fn send(&self, py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<()> {
        let cmd = build_cmd(args, self.decode.enc)?;
        self.send_all(py, vec![cmd])
    }

    /// Writes already packed commands (RESP arrays, as `pack_command` returns them).
    fn send_packed(&self, py: Python<'_>, packed: &[u8]) -> PyResult<()> {
        let cmds = unpack(py, packed)?;
        self.send_all(py, cmds)
    }

    /// Reads the next reply (`bytes`, or `str` when decoding and not `disable_decoding`); an
    /// error reply is raised. A timeout or a connection error breaks the connection (the next
    /// command opens another), as redis-py disconnects.
    #[pyo3(signature = (disable_decoding=false))]
    fn read(&self, py: Python<'_>, disable_decoding: bool) -> PyResult<PyObject> {
        let value = match self.with(py, false, |c, _| c.read_reply())? {
            Value::Error(e) => return Err(to_pyerr(py, &Error::from(e))),
            value => value,
        };
        let decode = Decode {
            on: self.decode.on && !disable_decoding,
            ..self.decode
        };
        raw(py, value, decode)
    }

    /// Whether a reply's bytes are waiting, now or within `timeout` seconds (`None`: no
    /// limit).
    #[pyo3(signature = (timeout=0.0))]
    fn can_read(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<bool> {
        let timeout = match timeout {
            Some(t) => Some(Duration::try_from_secs_f64(t.max(0.0)).map_err(|e| {
                pyo3::exceptions::PyValueError::new_err(format!("bad timeout {t}: {e}"))
            })?),
            None => None,
        };
        // As redis-py: connects first when not connected.
        self.with(py, true, move |c, _| c.can_read(timeout))
    }

    /// How long the connection has been idle, in seconds (`None` when none is held).
    #[getter]
    fn idle_for(&self) -> Option<f64> {
        let guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        guard.conn.as_ref().map(|c| c.idle_for().as_secs_f64())
    }
}

/// redis-py's `Connection.pack_command(*args)`: the command as the bytes sent for it (one
/// chunk), `str` arguments in `encoding`.
#[pyfunction]
#[pyo3(signature = (args, encoding="utf-8", encoding_errors="strict"))]
pub(crate) fn pack_command<'py>(
    py: Python<'py>,
    args: &Bound<'py, PyTuple>,
    encoding: &str,
    encoding_errors: &str,
) -> PyResult<Bound<'py, PyBytes>> {
    let cmd = build_cmd(args, crate::codec::intern(encoding, encoding_errors))?;
    Ok(PyBytes::new(py, &cmd.packed()))
}

/// The asyncio `Connection` object's connection: a dedicated connection of the async client
/// (opened on `connect()` or the first command), each call resolving an asyncio future.
#[pyclass(module = "oxredis._native", frozen)]
pub(crate) struct AsyncConn {
    client: oxredis::aio::Redis,
    conn: Arc<tokio::sync::Mutex<Option<oxredis::aio::Connection>>>,
    decode: Decode,
}

impl AsyncConn {
    /// A connection with `client`'s settings (not opened yet).
    pub(crate) fn new(client: oxredis::aio::Redis, decode: Decode) -> AsyncConn {
        AsyncConn {
            client,
            conn: Arc::new(tokio::sync::Mutex::new(None)),
            decode,
        }
    }

    /// Resolves `fut` with `f` run on the connection (with `open`, opened first if there is
    /// none or it broke; without, that is a `ConnectionError`).
    fn spawn<T, F>(
        &self,
        fut: Bound<'_, PyAny>,
        completer: &Completer,
        open: bool,
        f: F,
        ok: impl FnOnce(Python<'_>, T) -> PyResult<PyObject> + Send + 'static,
    ) -> PyResult<()>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(
                &'c mut oxredis::aio::Connection,
            ) -> std::pin::Pin<
                Box<dyn std::future::Future<Output = oxredis::Result<T>> + Send + 'c>,
            > + Send
            + 'static,
    {
        let (client, conn) = (self.client.clone(), Arc::clone(&self.conn));
        completer.spawn(fut, async move {
            let mut guard = conn.lock().await;
            let result = async {
                if guard.as_ref().is_none_or(|c| c.is_broken()) {
                    *guard = None;
                    if !open {
                        return Err(closed());
                    }
                    *guard = Some(client.get_connection().await?);
                }
                match guard.as_mut() {
                    Some(c) => f(c).await,
                    None => Err(closed()),
                }
            }
            .await;
            finish(result, ok)
        })
    }
}

#[pymethods]
impl AsyncConn {
    /// Opens the connection unless open; `None` resolves `fut`.
    fn connect(&self, fut: Bound<'_, PyAny>, completer: &Completer) -> PyResult<()> {
        self.spawn(
            fut,
            completer,
            true,
            |_| Box::pin(async { Ok(()) }),
            |py, ()| Ok(py.None()),
        )
    }

    /// Whether a connection is open (and not broken); `None` while another call holds it.
    #[getter]
    fn is_connected(&self) -> Option<bool> {
        self.conn
            .try_lock()
            .ok()
            .map(|g| g.as_ref().is_some_and(|c| !c.is_broken()))
    }

    /// Closes the connection (the next command opens another); `None` resolves `fut`.
    fn disconnect(&self, fut: Bound<'_, PyAny>, completer: &Completer) -> PyResult<()> {
        let conn = Arc::clone(&self.conn);
        completer.spawn(fut, async move {
            conn.lock().await.take();
            finish(Ok(()), |py, ()| Ok(py.None()))
        })
    }

    /// Packs `args` and writes it; `None` resolves `fut`.
    fn send(
        &self,
        args: &Bound<'_, PyTuple>,
        fut: Bound<'_, PyAny>,
        completer: &Completer,
    ) -> PyResult<()> {
        let cmd = build_cmd(args, self.decode.enc)?;
        self.send_all(vec![cmd], fut, completer)
    }

    /// Writes already packed commands; `None` resolves `fut`.
    fn send_packed(
        &self,
        py: Python<'_>,
        packed: &[u8],
        fut: Bound<'_, PyAny>,
        completer: &Completer,
    ) -> PyResult<()> {
        let cmds = unpack(py, packed)?;
        self.send_all(cmds, fut, completer)
    }

    /// Reads the next reply (within the socket timeout, else `TimeoutError` and the connection
    /// is closed); it resolves `fut`, an error reply as its exception.
    #[pyo3(signature = (fut, completer, disable_decoding=false, timeout=None))]
    fn read(
        &self,
        fut: Bound<'_, PyAny>,
        completer: &Completer,
        disable_decoding: bool,
        timeout: Option<f64>,
    ) -> PyResult<()> {
        let limit = match timeout {
            Some(t) => Some(Duration::try_from_secs_f64(t.max(0.0)).map_err(|e| {
                pyo3::exceptions::PyValueError::new_err(format!("bad timeout {t}: {e}"))
            })?),
            None => self.client.config().socket_timeout,
        };
        let decode = Decode {
            on: self.decode.on && !disable_decoding,
            ..self.decode
        };
        self.spawn(
            fut,
            completer,
            false,
            move |c| {
                Box::pin(async move {
                    match limit {
                        None => c.read_reply().await,
                        // A read cut short leaves the connection broken: closed at the next use.
                        Some(t) => tokio::time::timeout(t, c.read_reply())
                            .await
                            .unwrap_or_else(|_| {
                                Err(Error::new(
                                    ErrorKind::Timeout,
                                    "Timeout reading from socket",
                                ))
                            }),
                    }
                })
            },
            move |py, value| match value {
                Value::Error(e) => Err(to_pyerr(py, &Error::from(e))),
                value => raw(py, value, decode),
            },
        )
    }
}

impl AsyncConn {
    fn send_all(
        &self,
        cmds: Vec<Cmd>,
        fut: Bound<'_, PyAny>,
        completer: &Completer,
    ) -> PyResult<()> {
        self.spawn(
            fut,
            completer,
            true,
            move |c| {
                Box::pin(async move {
                    for cmd in &cmds {
                        c.queue(cmd);
                    }
                    c.flush().await
                })
            },
            |py, ()| Ok(py.None()),
        )
    }
}
