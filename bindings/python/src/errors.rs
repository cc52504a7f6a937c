//! oxredis errors to the exception classes of `oxredis.exceptions` (redis-py's names).

use oxredis::{Error, ErrorKind, ServerError};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

/// The `oxredis.exceptions` class for an error kind.
fn class_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Connection => "ConnectionError",
        ErrorKind::Timeout => "TimeoutError",
        ErrorKind::Authentication => "AuthenticationError",
        ErrorKind::NoPermission => "NoPermissionError",
        ErrorKind::Response => "ResponseError",
        ErrorKind::NoScript => "NoScriptError",
        ErrorKind::ExecAbort => "ExecAbortError",
        ErrorKind::ReadOnly => "ReadOnlyError",
        ErrorKind::BusyLoading => "BusyLoadingError",
        ErrorKind::OutOfMemory => "OutOfMemoryError",
        ErrorKind::Watch => "WatchError",
        ErrorKind::Moved => "MovedError",
        ErrorKind::Ask => "AskError",
        ErrorKind::TryAgain => "TryAgainError",
        ErrorKind::ClusterDown => "ClusterDownError",
        ErrorKind::CrossSlot => "ClusterCrossSlotError",
        ErrorKind::MasterDown => "MasterDownError",
        ErrorKind::Lock => "LockError",
        ErrorKind::LockNotOwned => "LockNotOwnedError",
        ErrorKind::Data => "DataError",
        ErrorKind::Protocol => "InvalidResponse",
        ErrorKind::PoolExhausted => "MaxConnectionsError",
        // redis-py raises MasterNotFoundError as well when no sentinel answers.
        ErrorKind::MasterNotFound | ErrorKind::SentinelUnreachable => "MasterNotFoundError",
        ErrorKind::ReplicaNotFound => "SlaveNotFoundError",
        _ => "RedisError",
    }
}

/// The exception's message: for a server error reply, redis-py's text (the code is dropped
/// when the class already says it, as redis-py's parser does: `ERR`, `NOSCRIPT`...; kept
/// otherwise, e.g. `WRONGTYPE ...`); for other errors, oxredis's own description.
fn message(err: &Error) -> String {
    match err.server_error() {
        Some(server) => server_message(server),
        None => err.to_string(),
    }
}

fn server_message(server: &ServerError) -> String {
    let stripped = matches!(
        server.code(),
        "ERR"
            | "EXECABORT"
            | "LOADING"
            | "NOSCRIPT"
            | "READONLY"
            | "NOAUTH"
            | "NOPERM"
            | "WRONGPASS"
            | "OOM"
    );
    if stripped || server.code().is_empty() {
        server.message().to_owned()
    } else {
        format!("{} {}", server.code(), server.message())
    }
}

fn make(py: Python<'_>, kind: ErrorKind, msg: String) -> PyResult<PyObject> {
    make_named(py, class_name(kind), msg)
}

fn make_named(py: Python<'_>, class: &str, msg: String) -> PyResult<PyObject> {
    let module = py.import("oxredis.exceptions")?;
    let class = module.getattr(class)?;
    Ok(class.call1((msg,))?.unbind())
}

/// The class of an error the cluster client found itself, not a server's error reply, as
/// redis-py's `RedisCluster` raises it: keys in several slots (`RedisClusterException`, the
/// server's `CROSSSLOT` being `ClusterCrossSlotError`), a slot or target without a node
/// (`SlotNotCoveredError`, the server's `CLUSTERDOWN` being `ClusterDownError`).
fn client_side_class(err: &Error) -> Option<&'static str> {
    if err.server_error().is_some() {
        return None;
    }
    match err.kind() {
        ErrorKind::CrossSlot => Some("RedisClusterException"),
        ErrorKind::ClusterDown => Some("SlotNotCoveredError"),
        _ => None,
    }
}

/// The errors of MODULE LOAD / UNLOAD that redis-py raises as `ModuleError` (its parser's
/// table: the message after `ERR`, or its start).
const MODULE_ERRORS: &[&str] = &[
    "Error loading the extension. Please check the server logs.",
    "Error unloading module: no such module with that name",
    "Error unloading module: operation not possible.",
    "Error unloading module: the module exports one or more module-side data types, can't unload",
];

/// An exception instance for a server's error reply: its kind's class, or `ModuleError` for
/// the module errors redis-py's parser names so.
fn server_error_object(py: Python<'_>, kind: ErrorKind, e: &ServerError) -> PyResult<PyObject> {
    let msg = server_message(e);
    if e.code() == "ERR" && MODULE_ERRORS.iter().any(|m| msg.starts_with(m)) {
        return make_named(py, "ModuleError", msg);
    }
    make(py, kind, msg)
}

/// An exception instance for an error reply nested in a reply (pipelines, EXEC).
pub(crate) fn server_exception(py: Python<'_>, e: &ServerError) -> PyResult<PyObject> {
    server_error_object(py, e.kind(), e)
}

/// An exception instance (not raised) for `err`; pipelines return these in place of values.
pub(crate) fn exception_object(py: Python<'_>, err: &Error) -> PyResult<PyObject> {
    if err.kind() == ErrorKind::InvalidConfig {
        return Ok(PyValueError::new_err(err.to_string())
            .into_value(py)
            .into_any());
    }
    match (client_side_class(err), err.server_error()) {
        (Some(class), _) => make_named(py, class, message(err)),
        (None, Some(server)) => server_error_object(py, err.kind(), server),
        (None, None) => make(py, err.kind(), message(err)),
    }
}

/// A Python exception of class `class` (a name in `oxredis.exceptions`) with `msg`.
pub(crate) fn named_error(py: Python<'_>, class: &str, msg: &str) -> PyErr {
    match make_named(py, class, msg.to_owned()) {
        Ok(obj) => PyErr::from_value(obj.into_bound(py)),
        Err(e) => e,
    }
}

/// The Python exception to raise for `err`. An `ExecAbortError` has the error of the command
/// the server rejected in the transaction as its `__cause__` (a cluster transaction whose slot
/// moved under a WATCH tells its MOVED from it).
pub(crate) fn to_pyerr(py: Python<'_>, err: &Error) -> PyErr {
    match exception_object(py, err) {
        Ok(obj) => {
            let pyerr = PyErr::from_value(obj.into_bound(py));
            if err.kind() == ErrorKind::ExecAbort {
                let rejected = err
                    .chain()
                    .filter_map(|s| s.downcast_ref::<Error>())
                    .find(|e| e.kind() != ErrorKind::ExecAbort);
                if let Some(Ok(cause)) = rejected.map(|r| exception_object(py, r)) {
                    pyerr.set_cause(py, Some(PyErr::from_value(cause.into_bound(py))));
                }
            }
            pyerr
        }
        Err(e) => e,
    }
}

/// A `DataError` with `msg`.
pub(crate) fn data_error(py: Python<'_>, msg: &str) -> PyErr {
    match make_named(py, "DataError", msg.to_owned()) {
        Ok(obj) => PyErr::from_value(obj.into_bound(py)),
        Err(_) => PyRuntimeError::new_err(msg.to_owned()),
    }
}
