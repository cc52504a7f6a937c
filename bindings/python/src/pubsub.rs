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
use crate::errors::to_pyerr;
use crate::reply::{raw, Shape};

/// One pub/sub connection (connects on first use).
#[pyclass(module = "oxredis._native", frozen)]
pub(crate) struct PubSubConn {
    inner: Mutex<PubSub>,
    decode: bool,
}

impl PubSubConn {
    /// Made by `Client.pubsub()`.
    pub(crate) fn new(inner: PubSub, decode: bool) -> Self {
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

fn names(args: &Bound<'_, PyTuple>) -> PyResult<Cmd> {
    build_cmd(args)
}

fn bytes_list(py: Python<'_>, items: Vec<bytes::Bytes>, decode: bool) -> PyResult<PyObject> {
    let out = PyList::empty(py);
    for b in items {
        out.append(raw(py, oxredis::Value::Bulk(b), decode)?)?;
    }
    Ok(out.into_any().unbind())
}

#[pymethods]
impl PubSubConn {
    /// SUBSCRIBE to channels.
    #[pyo3(signature = (*channels))]
    fn subscribe(&self, py: Python<'_>, channels: &Bound<'_, PyTuple>) -> PyResult<()> {
        let c = names(channels)?;
        self.with(py, move |p| p.subscribe(c))
    }

    /// PSUBSCRIBE to patterns.
    #[pyo3(signature = (*patterns))]
    fn psubscribe(&self, py: Python<'_>, patterns: &Bound<'_, PyTuple>) -> PyResult<()> {
        let c = names(patterns)?;
        self.with(py, move |p| p.psubscribe(c))
    }

    /// SSUBSCRIBE to shard channels.
    #[pyo3(signature = (*channels))]
    fn ssubscribe(&self, py: Python<'_>, channels: &Bound<'_, PyTuple>) -> PyResult<()> {
        let c = names(channels)?;
        self.with(py, move |p| p.ssubscribe(c))
    }

    /// UNSUBSCRIBE from channels (all of them when none are given).
    #[pyo3(signature = (*channels))]
    fn unsubscribe(&self, py: Python<'_>, channels: &Bound<'_, PyTuple>) -> PyResult<()> {
        if channels.is_empty() {
            return self.with(py, |p| p.unsubscribe_all());
        }
        let c = names(channels)?;
        self.with(py, move |p| p.unsubscribe(c))
    }

    /// PUNSUBSCRIBE from patterns (all of them when none are given).
    #[pyo3(signature = (*patterns))]
    fn punsubscribe(&self, py: Python<'_>, patterns: &Bound<'_, PyTuple>) -> PyResult<()> {
        if patterns.is_empty() {
            return self.with(py, |p| p.punsubscribe_all());
        }
        let c = names(patterns)?;
        self.with(py, move |p| p.punsubscribe(c))
    }

    /// SUNSUBSCRIBE from shard channels (all of them when none are given).
    #[pyo3(signature = (*channels))]
    fn sunsubscribe(&self, py: Python<'_>, channels: &Bound<'_, PyTuple>) -> PyResult<()> {
        if channels.is_empty() {
            return self.with(py, |p| p.sunsubscribe_all());
        }
        let c = names(channels)?;
        self.with(py, move |p| p.sunsubscribe(c))
    }

    /// PING on the pub/sub connection (the `pong` arrives as a message).
    fn ping(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, |p| p.ping())
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

fn message_dict(py: Python<'_>, m: Message, decode: bool) -> PyResult<PyObject> {
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
