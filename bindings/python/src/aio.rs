//! `_native.AsyncClient`: the async oxredis client (one multiplexed connection, tokio) for one
//! Python `oxredis.asyncio.Redis`. Each call packs its command at once (with the GIL) and
//! spawns a tokio task on the shared runtime (no thread per call) that resolves an asyncio
//! future through the loop's [`Completer`](crate::bridge::Completer); the reply is shaped into
//! Python objects in Rust, on the event loop thread.

use oxredis::Value;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::args::build_cmd;
use crate::bridge::{Completer, Finish};
use crate::client::results_to_list;
use crate::errors::to_pyerr;
use crate::queue::CommandQueue;
use crate::reply::{shaped, Shape};

/// The async client; cheap to clone on the Rust side (every clone shares the connection).
#[pyclass(module = "oxredis._native", frozen)]
pub(crate) struct AsyncClient {
    inner: oxredis::aio::Redis,
    decode: bool,
    protocol: u8,
}

impl AsyncClient {
    /// A client on `config` (nothing opened until the first command).
    pub(crate) fn new(config: oxredis::ConnectionConfig, decode: bool, protocol: u8) -> Self {
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
        self.decode
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
        let cmd = build_cmd(args)?;
        let inner = self.inner.clone();
        let decode = self.decode;
        let shape = Shape::from_u8(shape);
        completer.spawn(fut, async move {
            let reply = inner.run::<Value>(cmd).await;
            Box::new(move |py: Python<'_>| match reply {
                Ok(v) => shaped(py, v, shape, decode),
                Err(e) => Err(to_pyerr(py, &e)),
            }) as Finish
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
            Box::new(move |py: Python<'_>| {
                let results = results.map_err(|e| to_pyerr(py, &e))?;
                results_to_list(py, results, shapes, decode, raise_on_error)
            }) as Finish
        })
    }

    /// An async pub/sub session on a connection of its own (opened on the first subscribe).
    fn pubsub(&self) -> crate::pubsub::AsyncPubSubConn {
        crate::pubsub::AsyncPubSubConn::new(self.inner.clone(), self.decode)
    }
}
