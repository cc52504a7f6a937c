//! `_native.MonitorConn`: a MONITOR connection giving redis-py's command dicts.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use oxredis::monitor::MonitorEntry;
use oxredis::Monitor;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::bridge::{finish, Completer};
use crate::errors::to_pyerr;

/// A connection in MONITOR mode (its own, not from the pool).
#[pyclass(module = "oxredis._native", frozen)]
pub(crate) struct MonitorConn {
    inner: Mutex<Option<Monitor>>,
}

impl MonitorConn {
    /// Wraps a connected monitor.
    pub(crate) fn new(inner: Monitor) -> Self {
        MonitorConn {
            inner: Mutex::new(Some(inner)),
        }
    }
}

fn entry_dict(py: Python<'_>, e: &MonitorEntry) -> PyResult<PyObject> {
    let d = PyDict::new(py);
    d.set_item("time", e.time)?;
    d.set_item("db", e.db)?;
    d.set_item("client_address", e.client_address())?;
    d.set_item("client_port", e.client_port())?;
    d.set_item("client_type", e.client_type())?;
    d.set_item("command", e.command())?;
    Ok(d.into_any().unbind())
}

#[pymethods]
impl MonitorConn {
    /// The next command the server ran, as redis-py's dict; `None` if none within `timeout`
    /// seconds (`None`: wait as long as it takes).
    #[pyo3(signature = (timeout=None))]
    fn next_command(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<PyObject> {
        let inner = &self.inner;
        let result = py.allow_threads(|| {
            let mut guard = inner.lock().unwrap_or_else(|p| p.into_inner());
            match guard.as_mut() {
                None => Err(oxredis::Error::new(
                    oxredis::ErrorKind::Connection,
                    "the MONITOR connection is closed",
                )),
                Some(m) => match timeout {
                    None => m.next_command().map(Some),
                    Some(t) => m.next_command_timeout(Duration::from_secs_f64(t.max(0.0))),
                },
            }
        });
        match result {
            Ok(Some(e)) => entry_dict(py, &e),
            Ok(None) => Ok(py.None()),
            Err(e) => Err(to_pyerr(py, &e)),
        }
    }

    /// Closes the connection.
    fn close(&self, py: Python<'_>) {
        let inner = &self.inner;
        py.allow_threads(|| {
            inner.lock().unwrap_or_else(|p| p.into_inner()).take();
        });
    }
}

/// An async connection in MONITOR mode (its own) for `oxredis.asyncio`: each call resolves an
/// asyncio future; the calls of one monitor run one after another (a tokio mutex).
#[pyclass(module = "oxredis._native", frozen)]
pub(crate) struct AsyncMonitorConn {
    inner: Arc<tokio::sync::Mutex<Option<oxredis::aio::Monitor>>>,
}

impl AsyncMonitorConn {
    /// Wraps a connected async monitor.
    pub(crate) fn new(inner: oxredis::aio::Monitor) -> Self {
        AsyncMonitorConn {
            inner: Arc::new(tokio::sync::Mutex::new(Some(inner))),
        }
    }
}

#[pymethods]
impl AsyncMonitorConn {
    /// The next command the server ran, as redis-py's dict, resolves `fut`.
    fn next_command(&self, fut: Bound<'_, PyAny>, completer: &Completer) -> PyResult<()> {
        let inner = Arc::clone(&self.inner);
        completer.spawn(fut, async move {
            let entry = match inner.lock().await.as_mut() {
                Some(m) => m.next_command().await,
                None => Err(oxredis::Error::new(
                    oxredis::ErrorKind::Connection,
                    "the MONITOR connection is closed",
                )),
            };
            finish(entry, |py, e| entry_dict(py, &e))
        })
    }

    /// Closes the connection (once a call still waiting on it is done).
    fn close(&self) -> PyResult<()> {
        let inner = Arc::clone(&self.inner);
        crate::bridge::runtime()?.spawn(async move {
            inner.lock().await.take();
        });
        Ok(())
    }
}
