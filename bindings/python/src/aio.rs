//! `_native.AsyncClient`: the async oxredis client (one multiplexed connection, tokio) for one
//! Python `oxredis.asyncio.Redis`. Each call packs its command at once (with the GIL) and
//! spawns a tokio task on the shared runtime (no thread per call) that resolves an asyncio
//! future through the loop's [`Completer`](crate::bridge::Completer); the reply is shaped into
//! Python objects in Rust, on the event loop thread.

use std::sync::Arc;

use oxredis::aio::WatchedPipeline;
use oxredis::Value;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::args::build_cmd;
use crate::bridge::{finish, Completer};
use crate::client::results_to_list;
use crate::codec::Decode;
use crate::queue::CommandQueue;
use crate::reply::{shaped, Shape};

/// The async client; cheap to clone on the Rust side (every clone shares the connection).
#[pyclass(module = "oxredis._native", frozen)]
pub(crate) struct AsyncClient {
    inner: oxredis::aio::Redis,
    decode: Decode,
    protocol: u8,
}

impl AsyncClient {
    /// A client on `config` (nothing opened until the first command).
    pub(crate) fn new(config: oxredis::ConnectionConfig, decode: Decode, protocol: u8) -> Self {
        AsyncClient {
            inner: oxredis::aio::Redis::new(config),
            decode,
            protocol,
        }
    }
}

#[pymethods]
impl AsyncClient {
    /// Whether bulk replies become `str`.
    #[getter]
    fn decode_responses(&self) -> bool {
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
    fn protocol(&self) -> u8 {
        self.protocol
    }

    /// Sends one command (`args[0]` is its name); its reply, in `shape`, resolves the asyncio
    /// future `fut` through `completer` (the running loop's).
    fn execute(
        &self,
        args: &Bound<'_, PyTuple>,
        shape: u8,
        fut: Bound<'_, PyAny>,
        completer: &Completer,
    ) -> PyResult<()> {
        let cmd = build_cmd(args, self.decode.enc)?;
        let inner = self.inner.clone();
        let decode = self.decode;
        let shape = Shape::from_u8(shape);
        completer.spawn(fut, async move {
            let reply = inner.run::<Value>(cmd).await;
            finish(reply, move |py, v| shaped(py, v, shape, decode))
        })
    }

    /// Sends `commands` (the pipeline's queued commands, taken from it) as one request, as MULTI/EXEC when
    /// `transaction`; one value per command resolves `fut` (errors as in
    /// `Client.execute_pipeline`).
    fn execute_pipeline(
        &self,
        commands: &Bound<'_, CommandQueue>,
        transaction: bool,
        raise_on_error: bool,
        fut: Bound<'_, PyAny>,
        completer: &Completer,
    ) -> PyResult<()> {
        let mut pipe = self.inner.pipeline(transaction);
        let (cmds, shapes) = commands.borrow_mut().take()?;
        for cmd in cmds {
            pipe.queue(cmd);
        }
        let decode = self.decode;
        completer.spawn(fut, async move {
            let results = pipe.execute_raw().await;
            finish(results, move |py, results| {
                results_to_list(py, results, shapes, decode, raise_on_error)
            })
        })
    }

    /// A dedicated connection for an asyncio `Connection` object (opened on its `connect()`
    /// or first command).
    fn connection(&self) -> crate::connection::AsyncConn {
        crate::connection::AsyncConn::new(self.inner.clone(), self.decode)
    }

    /// An async pub/sub session on a connection of its own (opened on the first subscribe).
    fn pubsub(&self) -> crate::pubsub::AsyncPubSubConn {
        crate::pubsub::AsyncPubSubConn::new(self.inner.clone(), self.decode)
    }

    /// Opens a connection of its own and sends MONITOR; an `AsyncMonitorConn` resolves `fut`.
    fn monitor(&self, fut: Bound<'_, PyAny>, completer: &Completer) -> PyResult<()> {
        let inner = self.inner.clone();
        completer.spawn(fut, async move {
            let monitor = inner.monitor().await;
            finish(monitor, |py, m| {
                Ok(Py::new(py, crate::monitor::AsyncMonitorConn::new(m))?.into_any())
            })
        })
    }

    /// Opens a dedicated connection and WATCHes `keys` on it; an [`AsyncWatched`] resolves
    /// `fut` (the start of an asyncio WATCH/MULTI/EXEC transaction, redis-py's
    /// `Pipeline.watch`).
    fn watch(
        &self,
        keys: &Bound<'_, PyTuple>,
        fut: Bound<'_, PyAny>,
        completer: &Completer,
    ) -> PyResult<()> {
        let keys = build_cmd(keys, self.decode.enc)?;
        let watching = self.inner.pipeline(true).watch(keys);
        let decode = self.decode;
        completer.spawn(fut, async move {
            let watched = watching.await;
            finish(watched, move |py, w| {
                let watched = AsyncWatched {
                    inner: Arc::new(tokio::sync::Mutex::new(Some(w))),
                    decode,
                };
                Ok(Py::new(py, watched)?.into_any())
            })
        })
    }
}

/// A dedicated async connection with WATCHed keys (an asyncio `Pipeline` after `watch()`):
/// commands run at once on it until the queued transaction is executed (MULTI/EXEC,
/// `WatchError` if a watched key changed) or the watch is reset. Each call resolves an
/// asyncio future; the calls of one pipeline run one after another (a tokio mutex).
#[pyclass(module = "oxredis._native", frozen)]
pub(crate) struct AsyncWatched {
    inner: Arc<tokio::sync::Mutex<Option<WatchedPipeline>>>,
    decode: Decode,
}

fn released() -> oxredis::Error {
    oxredis::Error::new(
        oxredis::ErrorKind::Connection,
        "the watched connection was released",
    )
}

#[pymethods]
impl AsyncWatched {
    /// Runs one command at once on the watched connection; its reply, in `shape`, resolves
    /// `fut`.
    fn execute(
        &self,
        args: &Bound<'_, PyTuple>,
        shape: u8,
        fut: Bound<'_, PyAny>,
        completer: &Completer,
    ) -> PyResult<()> {
        let cmd = build_cmd(args, self.decode.enc)?;
        let inner = Arc::clone(&self.inner);
        let (decode, shape) = (self.decode, Shape::from_u8(shape));
        completer.spawn(fut, async move {
            let reply = match inner.lock().await.as_ref() {
                Some(watched) => watched.run::<Value>(cmd).await,
                None => Err(released()),
            };
            finish(reply, move |py, v| shaped(py, v, shape, decode))
        })
    }

    /// WATCHes more keys on the same connection; `None` resolves `fut`.
    fn watch(
        &self,
        keys: &Bound<'_, PyTuple>,
        fut: Bound<'_, PyAny>,
        completer: &Completer,
    ) -> PyResult<()> {
        let keys = build_cmd(keys, self.decode.enc)?;
        let inner = Arc::clone(&self.inner);
        completer.spawn(fut, async move {
            let done = match inner.lock().await.as_mut() {
                Some(watched) => watched.watch(keys).await,
                None => Err(released()),
            };
            finish(done, |py, ()| Ok(py.None()))
        })
    }

    /// UNWATCHes every key (the connection stays the pipeline's); `None` resolves `fut`.
    fn unwatch(&self, fut: Bound<'_, PyAny>, completer: &Completer) -> PyResult<()> {
        let inner = Arc::clone(&self.inner);
        completer.spawn(fut, async move {
            let done = match inner.lock().await.as_mut() {
                Some(watched) => watched.unwatch().await,
                None => Err(released()),
            };
            finish(done, |py, ()| Ok(py.None()))
        })
    }

    /// Sends the pipeline's queued commands (taken from it) as MULTI/EXEC on the watched
    /// connection, which is then released; one value per command resolves `fut` (a changed
    /// watched key: `WatchError`).
    fn execute_transaction(
        &self,
        commands: &Bound<'_, CommandQueue>,
        raise_on_error: bool,
        fut: Bound<'_, PyAny>,
        completer: &Completer,
    ) -> PyResult<()> {
        let (cmds, shapes) = commands.borrow_mut().take()?;
        let inner = Arc::clone(&self.inner);
        let decode = self.decode;
        completer.spawn(fut, async move {
            let taken = inner.lock().await.take();
            let results = match taken {
                Some(mut watched) => {
                    let queue = watched.multi();
                    for cmd in cmds {
                        queue.queue(cmd);
                    }
                    watched.execute_raw().await
                }
                None => Err(released()),
            };
            finish(results, move |py, results| {
                results_to_list(py, results, shapes, decode, raise_on_error)
            })
        })
    }

    /// Releases the connection, which ends the watch (idempotent; the connection closes once
    /// a command still running on it is done).
    fn reset(&self) -> PyResult<()> {
        let inner = Arc::clone(&self.inner);
        crate::bridge::runtime()?.spawn(async move {
            inner.lock().await.take();
        });
        Ok(())
    }
}
