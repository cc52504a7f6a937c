//! `_native.PubSub`: oxredis's blocking pub/sub session on its own connection.
//!
//! Handlers, `ignore_subscribe_messages` and the worker thread are in the Python package; this
//! type subscribes and reads messages, with the GIL released while it waits.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use oxredis::pubsub::Message;
use oxredis::{Cmd, PubSub, Result};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::args::build_cmd;
use crate::bridge::{finish, Completer, Finish};
use crate::codec::Decode;
use crate::errors::to_pyerr;
use crate::reply::{raw, Shape};

/// One pub/sub connection (connects on first use).
#[pyclass(module = "oxredis._native", frozen)]
pub(crate) struct PubSubConn {
    inner: Mutex<PubSub>,
    decode: Decode,
}

impl PubSubConn {
    /// Made by `Client.pubsub()`.
    pub(crate) fn new(inner: PubSub, decode: Decode) -> Self {
        PubSubConn {
            inner: Mutex::new(inner),
            decode,
        }
    }

    /// Runs `f` on the session with the GIL released; the mutex is taken without the GIL, so
    /// a thread waiting for it never blocks the thread that holds it.
    fn with<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut PubSub) -> Result<T> + Send,
    ) -> PyResult<T> {
        let inner = &self.inner;
        py.allow_threads(|| {
            let mut guard: MutexGuard<'_, PubSub> = inner
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        })
        .map_err(|e| to_pyerr(py, &e))
    }
}

fn names(args: &Bound<'_, PyTuple>, decode: Decode) -> PyResult<Cmd> {
    build_cmd(args, decode.enc)
}

fn bytes_list(py: Python<'_>, items: Vec<bytes::Bytes>, decode: Decode) -> PyResult<PyObject> {
    let out = PyList::empty(py);
    for b in items {
        out.append(raw(py, oxredis::Value::Bulk(b), decode)?)?;
    }
    Ok(out.into_any().unbind())
}

#[pymethods]
impl PubSubConn {
    /// The client's `encoding` (channel names given as `str` are sent in it).
    #[getter]
    fn encoding(&self) -> &'static str {
        crate::codec::name(self.decode.enc)
    }

    /// The client's `encoding_errors`.
    #[getter]
    fn encoding_errors(&self) -> &'static str {
        crate::codec::errors(self.decode.enc)
    }

    /// SUBSCRIBE to channels.
    #[pyo3(signature = (*channels))]
    fn subscribe(&self, py: Python<'_>, channels: &Bound<'_, PyTuple>) -> PyResult<()> {
        let c = names(channels, self.decode)?;
        self.with(py, move |p| p.subscribe(c))
    }

    /// PSUBSCRIBE to patterns.
    #[pyo3(signature = (*patterns))]
    fn psubscribe(&self, py: Python<'_>, patterns: &Bound<'_, PyTuple>) -> PyResult<()> {
        let c = names(patterns, self.decode)?;
        self.with(py, move |p| p.psubscribe(c))
    }

    /// SSUBSCRIBE to shard channels.
    #[pyo3(signature = (*channels))]
    fn ssubscribe(&self, py: Python<'_>, channels: &Bound<'_, PyTuple>) -> PyResult<()> {
        let c = names(channels, self.decode)?;
        self.with(py, move |p| p.ssubscribe(c))
    }

    /// UNSUBSCRIBE from channels (all of them when none are given).
    #[pyo3(signature = (*channels))]
    fn unsubscribe(&self, py: Python<'_>, channels: &Bound<'_, PyTuple>) -> PyResult<()> {
        if channels.is_empty() {
            return self.with(py, |p| p.unsubscribe_all());
        }
        let c = names(channels, self.decode)?;
        self.with(py, move |p| p.unsubscribe(c))
    }

    /// PUNSUBSCRIBE from patterns (all of them when none are given).
    #[pyo3(signature = (*patterns))]
    fn punsubscribe(&self, py: Python<'_>, patterns: &Bound<'_, PyTuple>) -> PyResult<()> {
        if patterns.is_empty() {
            return self.with(py, |p| p.punsubscribe_all());
        }
        let c = names(patterns, self.decode)?;
        self.with(py, move |p| p.punsubscribe(c))
    }

    /// SUNSUBSCRIBE from shard channels (all of them when none are given).
    #[pyo3(signature = (*channels))]
    fn sunsubscribe(&self, py: Python<'_>, channels: &Bound<'_, PyTuple>) -> PyResult<()> {
        if channels.is_empty() {
            return self.with(py, |p| p.sunsubscribe_all());
        }
        let c = names(channels, self.decode)?;
        self.with(py, move |p| p.sunsubscribe(c))
    }

    /// PING (or `PING message`) on the pub/sub connection; the `pong` arrives as a message
    /// whose data is `message` (empty without one).
    #[pyo3(signature = (message=None))]
    fn ping(&self, py: Python<'_>, message: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        match message {
            None => self.with(py, |p| p.ping()),
            Some(m) => {
                let m = crate::args::arg_bytes(m, self.decode.enc)?;
                self.with(py, move |p| p.ping_with(&m[..]))
            }
        }
    }

    /// A health-check PING when the connection has been idle for `health_check_interval`
    /// (its reply is swallowed by the next read); nothing otherwise.
    fn check_health(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, |p| p.check_health())
    }

    /// Connects now (restoring the subscriptions) unless connected.
    fn connect(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, |p| p.connect())
    }

    /// Drops the connection, keeping the subscriptions for the next call.
    fn disconnect(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, |p| {
            p.disconnect();
            Ok(())
        })
    }

    /// The next message as redis-py's dict (`type`, `pattern`, `channel`, `data`), or `None`
    /// when nothing arrived within `timeout` seconds (`None`: wait as long as it takes).
    #[pyo3(signature = (timeout=None))]
    fn get_message(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<PyObject> {
        let timeout = match timeout {
            Some(t) if t.is_finite() && t >= 0.0 => Some(Duration::from_secs_f64(t)),
            Some(_) => Some(Duration::ZERO),
            None => None,
        };
        match self.with(py, move |p| p.get_message(timeout))? {
            Some(m) => message_dict(py, m, self.decode),
            None => Ok(py.None()),
        }
    }

    /// Whether any channel, pattern or shard channel is subscribed.
    #[getter]
    fn subscribed(&self, py: Python<'_>) -> PyResult<bool> {
        self.with(py, |p| Ok(p.is_subscribed()))
    }

    /// Subscribed channels.
    #[getter]
    fn channels(&self, py: Python<'_>) -> PyResult<PyObject> {
        let names = self.with(py, |p| Ok(p.channels()))?;
        bytes_list(py, names, self.decode)
    }

    /// Subscribed patterns.
    #[getter]
    fn patterns(&self, py: Python<'_>) -> PyResult<PyObject> {
        let names = self.with(py, |p| Ok(p.patterns()))?;
        bytes_list(py, names, self.decode)
    }

    /// Subscribed shard channels.
    #[getter]
    fn shard_channels(&self, py: Python<'_>) -> PyResult<PyObject> {
        let names = self.with(py, |p| Ok(p.shard_channels()))?;
        bytes_list(py, names, self.decode)
    }

    /// Closes the connection and forgets the subscriptions.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, |p| {
            p.close();
            Ok(())
        })
    }
}

fn message_dict(py: Python<'_>, m: Message, decode: Decode) -> PyResult<PyObject> {
    let d = PyDict::new(py);
    d.set_item("type", m.kind.as_str())?;
    let text = |b: Option<bytes::Bytes>| -> PyResult<PyObject> {
        match b {
            Some(b) => raw(py, oxredis::Value::Bulk(b), decode),
            None => Ok(py.None()),
        }
    };
    d.set_item("pattern", text(m.pattern)?)?;
    d.set_item("channel", text(m.channel)?)?;
    d.set_item(
        "data",
        crate::reply::shaped(py, m.data, Shape::Raw, decode)?,
    )?;
    Ok(d.into_any().unbind())
}

/// One async pub/sub connection (`oxredis.asyncio`'s `PubSub`); every call resolves an
/// asyncio future (resolved through the loop's `Completer`). The session is behind a tokio
/// mutex, taken inside the tokio task.
#[pyclass(module = "oxredis._native", frozen)]
pub(crate) struct AsyncPubSubConn {
    inner: std::sync::Arc<tokio::sync::Mutex<oxredis::aio::PubSub>>,
    decode: Decode,
}

impl AsyncPubSubConn {
    /// Made by `AsyncClient.pubsub()`; connects on the first subscription.
    pub(crate) fn new(client: oxredis::aio::Redis, decode: Decode) -> Self {
        AsyncPubSubConn {
            inner: std::sync::Arc::new(tokio::sync::Mutex::new(oxredis::aio::PubSub::new(
                client.config().clone(),
            ))),
            decode,
        }
    }

    /// A session made elsewhere: a cluster node's, or a slot's shard channels'
    /// (`AsyncClusterClient.pubsub` / `sharded_pubsub`).
    pub(crate) fn from_pubsub(inner: oxredis::aio::PubSub, decode: Decode) -> Self {
        AsyncPubSubConn {
            inner: std::sync::Arc::new(tokio::sync::Mutex::new(inner)),
            decode,
        }
    }

    /// The names `names` reads off the session, as a list; `[]` while a call holds the
    /// session (a getter must not wait for a pending `get_message`).
    fn names(
        &self,
        py: Python<'_>,
        names: impl FnOnce(&oxredis::aio::PubSub) -> Vec<bytes::Bytes>,
    ) -> PyResult<PyObject> {
        let names = self.inner.try_lock().map(|p| names(&p)).unwrap_or_default();
        bytes_list(py, names, self.decode)
    }
}

/// Which subscription call an async method makes.
#[derive(Clone, Copy)]
enum SubOp {
    Subscribe,
    PSubscribe,
    SSubscribe,
    Unsubscribe,
    PUnsubscribe,
    SUnsubscribe,
}

impl AsyncPubSubConn {
    fn sub(
        &self,
        op: SubOp,
        fut: Bound<'_, PyAny>,
        completer: &Completer,
        names_tuple: &Bound<'_, PyTuple>,
    ) -> PyResult<()> {
        let all = names_tuple.is_empty();
        let c = names(names_tuple, self.decode)?;
        let inner = self.inner.clone();
        completer.spawn(fut, async move {
            let mut p = inner.lock().await;
            let r = match (op, all) {
                (SubOp::Subscribe, _) => p.subscribe(c).await,
                (SubOp::PSubscribe, _) => p.psubscribe(c).await,
                (SubOp::SSubscribe, _) => p.ssubscribe(c).await,
                (SubOp::Unsubscribe, true) => p.unsubscribe_all().await,
                (SubOp::Unsubscribe, false) => p.unsubscribe(c).await,
                (SubOp::PUnsubscribe, true) => p.punsubscribe_all().await,
                (SubOp::PUnsubscribe, false) => p.punsubscribe(c).await,
                (SubOp::SUnsubscribe, true) => p.sunsubscribe_all().await,
                (SubOp::SUnsubscribe, false) => p.sunsubscribe(c).await,
            };
            drop(p);
            finish(r, |py, ()| Ok(py.None()))
        })
    }
}

#[pymethods]
impl AsyncPubSubConn {
    /// The client's `encoding` (channel names given as `str` are sent in it).
    #[getter]
    fn encoding(&self) -> &'static str {
        crate::codec::name(self.decode.enc)
    }

    /// The client's `encoding_errors`.
    #[getter]
    fn encoding_errors(&self) -> &'static str {
        crate::codec::errors(self.decode.enc)
    }

    /// `command` (`"subscribe"`, `"psubscribe"`, `"ssubscribe"`, `"unsubscribe"`,
    /// `"punsubscribe"`, `"sunsubscribe"`; the unsubscribes from everything when no names are
    /// given) on `names`; resolves `fut` once the server confirmed.
    #[pyo3(signature = (command, fut, completer, *names))]
    fn subscription(
        &self,
        command: &str,
        fut: Bound<'_, PyAny>,
        completer: &Completer,
        names: &Bound<'_, PyTuple>,
    ) -> PyResult<()> {
        let op = match command {
            "subscribe" => SubOp::Subscribe,
            "psubscribe" => SubOp::PSubscribe,
            "ssubscribe" => SubOp::SSubscribe,
            "unsubscribe" => SubOp::Unsubscribe,
            "punsubscribe" => SubOp::PUnsubscribe,
            "sunsubscribe" => SubOp::SUnsubscribe,
            other => {
                return Err(pyo3::exceptions::PyValueError::new_err(format!(
                    "not a subscription command: {other}"
                )))
            }
        };
        self.sub(op, fut, completer, names)
    }

    /// PING (or `PING message`) on the pub/sub connection; resolves `fut` once sent (the
    /// `pong` arrives as a message whose data is `message`, empty without one).
    #[pyo3(signature = (fut, completer, message=None))]
    fn ping(
        &self,
        fut: Bound<'_, PyAny>,
        completer: &Completer,
        message: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let message = message
            .map(|m| crate::args::arg_bytes(m, self.decode.enc))
            .transpose()?;
        let inner = self.inner.clone();
        completer.spawn(fut, async move {
            let mut p = inner.lock().await;
            let r = match message {
                None => p.ping().await,
                Some(m) => p.ping_with(&m[..]).await,
            };
            drop(p);
            finish(r, |py, ()| Ok(py.None()))
        })
    }

    /// A health-check PING when the connection has been idle for `health_check_interval`;
    /// resolves `fut` once sent (or at once when none is due).
    fn check_health(&self, fut: Bound<'_, PyAny>, completer: &Completer) -> PyResult<()> {
        let inner = self.inner.clone();
        completer.spawn(fut, async move {
            let r = inner.lock().await.check_health().await;
            finish(r, |py, ()| Ok(py.None()))
        })
    }

    /// Drops the connection, keeping the subscriptions for the next call; resolves `fut`.
    fn disconnect(&self, fut: Bound<'_, PyAny>, completer: &Completer) -> PyResult<()> {
        let inner = self.inner.clone();
        completer.spawn(fut, async move {
            inner.lock().await.disconnect();
            Box::new(|py: Python<'_>| Ok(py.None())) as Finish
        })
    }

    /// Connects now (restoring the subscriptions) unless connected; resolves `fut`.
    fn connect(&self, fut: Bound<'_, PyAny>, completer: &Completer) -> PyResult<()> {
        let inner = self.inner.clone();
        completer.spawn(fut, async move {
            let r = inner.lock().await.connect().await;
            finish(r, |py, ()| Ok(py.None()))
        })
    }

    /// The next message as redis-py's dict, or `None` when nothing arrived within `timeout`
    /// seconds (`None`: wait as long as it takes); resolves `fut`.
    #[pyo3(signature = (fut, completer, timeout=None))]
    fn get_message(
        &self,
        fut: Bound<'_, PyAny>,
        completer: &Completer,
        timeout: Option<f64>,
    ) -> PyResult<()> {
        let timeout = match timeout {
            Some(t) if t.is_finite() && t >= 0.0 => Some(Duration::from_secs_f64(t)),
            Some(_) => Some(Duration::ZERO),
            None => None,
        };
        let inner = self.inner.clone();
        let decode = self.decode;
        completer.spawn(fut, async move {
            let r = inner.lock().await.get_message(timeout).await;
            finish(r, move |py, m| match m {
                Some(m) => message_dict(py, m, decode),
                None => Ok(py.None()),
            })
        })
    }

    /// Subscribed channels (a snapshot; `[]` while a call holds the session).
    #[getter]
    fn channels(&self, py: Python<'_>) -> PyResult<PyObject> {
        self.names(py, |p| p.channels())
    }

    /// Subscribed patterns (a snapshot).
    #[getter]
    fn patterns(&self, py: Python<'_>) -> PyResult<PyObject> {
        self.names(py, |p| p.patterns())
    }

    /// Subscribed shard channels (a snapshot).
    #[getter]
    fn shard_channels(&self, py: Python<'_>) -> PyResult<PyObject> {
        self.names(py, |p| p.shard_channels())
    }

    /// Whether anything is subscribed (a snapshot).
    #[getter]
    fn subscribed(&self) -> bool {
        self.inner
            .try_lock()
            .map(|p| p.is_subscribed())
            .unwrap_or(true)
    }

    /// Closes the connection and forgets the subscriptions; resolves `fut`.
    fn close(&self, fut: Bound<'_, PyAny>, completer: &Completer) -> PyResult<()> {
        let inner = self.inner.clone();
        completer.spawn(fut, async move {
            inner.lock().await.close();
            Box::new(|py: Python<'_>| Ok(py.None())) as Finish
        })
    }
}
