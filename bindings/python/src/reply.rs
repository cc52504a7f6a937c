//! Replies to Python objects, in the shapes redis-py 8 gives them (its response callbacks),
//! the same on RESP2 and RESP3. Every element is converted here, in Rust.

use oxredis::resp::{FlatElement, Frame};
use oxredis::{ErrorKind, FromValue, ServerError, Value};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PySet, PyString, PyTuple};

use crate::errors::server_exception;

/// How a command's reply is shaped for Python; the Python package passes one with each command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Shape {
    /// The reply as is: bulk and simple strings `bytes` (or `str` with `decode_responses`),
    /// arrays lists, maps dicts, nil `None`.
    Raw = 0,
    /// `OK` becomes `True` (SET, FLUSHDB...); nil stays `None` (SET NX that did not set).
    OkBool = 1,
    /// An integer becomes a `bool` (EXPIRE, HSETNX, SISMEMBER...).
    Bool = 2,
    /// Field/value pairs (flat in RESP2, a map in RESP3) become a `dict` (HGETALL).
    Dict = 3,
    /// An array or RESP3 set becomes a `set` (SMEMBERS, SINTER...).
    Set = 4,
    /// Members with scores (flat in RESP2, pairs in RESP3) become a list of
    /// `(member, float)` tuples (ZRANGE ... WITHSCORES).
    Scored = 5,
    /// A number as text (RESP2) or a double (RESP3) becomes a `float`; nil stays `None`.
    Float = 6,
    /// INFO text becomes a `dict`, parsed as redis-py's `parse_info` does.
    Info = 7,
    /// `[cursor, items]` becomes `(int cursor, list)` (SCAN).
    Scan = 8,
    /// `PONG` becomes `True`.
    Ping = 9,
    /// `[cursor, field/value pairs]` becomes `(int cursor, dict)` (HSCAN).
    HScan = 10,
    /// `[cursor, member/score pairs]` becomes `(int cursor, [(member, float)])` (ZSCAN).
    ZScan = 11,
    /// An array becomes a `tuple`; nil stays `None` (BLPOP/BRPOP).
    Tuple = 12,
    /// An array of integers becomes a list of `bool` (SCRIPT EXISTS).
    BoolList = 13,
    /// A bulk or simple string becomes a `str` whatever `decode_responses` says (SCRIPT LOAD's
    /// SHA1).
    Str = 14,
    /// `[rank, score]` becomes `[int, float]`; nil stays `None` (ZRANK/ZREVRANK ... WITHSCORE).
    RankScore = 15,
}

impl Shape {
    /// The constants exported to Python as `_native.SHAPE_*`.
    pub(crate) const ALL: &'static [(&'static str, Shape)] = &[
        ("SHAPE_RAW", Shape::Raw),
        ("SHAPE_OK_BOOL", Shape::OkBool),
        ("SHAPE_BOOL", Shape::Bool),
        ("SHAPE_DICT", Shape::Dict),
        ("SHAPE_SET", Shape::Set),
        ("SHAPE_SCORED", Shape::Scored),
        ("SHAPE_FLOAT", Shape::Float),
        ("SHAPE_INFO", Shape::Info),
        ("SHAPE_SCAN", Shape::Scan),
        ("SHAPE_PING", Shape::Ping),
        ("SHAPE_HSCAN", Shape::HScan),
        ("SHAPE_ZSCAN", Shape::ZScan),
        ("SHAPE_TUPLE", Shape::Tuple),
        ("SHAPE_BOOL_LIST", Shape::BoolList),
        ("SHAPE_STR", Shape::Str),
        ("SHAPE_RANK_SCORE", Shape::RankScore),
    ];

    /// The shape numbered `n`; unknown numbers are [`Shape::Raw`].
    pub(crate) fn from_u8(n: u8) -> Shape {
        Shape::ALL
            .iter()
            .map(|(_, s)| *s)
            .find(|s| *s as u8 == n)
            .unwrap_or(Shape::Raw)
    }
}

/// Text as `str` (when decoding) or `bytes`. Invalid UTF-8 raises Python's own
/// `UnicodeDecodeError`, as redis-py does.
fn text(py: Python<'_>, b: &[u8], decode: bool) -> PyResult<PyObject> {
    if decode {
        match std::str::from_utf8(b) {
            Ok(s) => Ok(PyString::new(py, s).into_any().unbind()),
            Err(_) => Ok(PyBytes::new(py, b)
                .call_method1("decode", ("utf-8",))?
                .unbind()),
        }
    } else {
        Ok(PyBytes::new(py, b).into_any().unbind())
    }
}

/// The reply as is (see [`Shape::Raw`]).
pub(crate) fn raw(py: Python<'_>, v: Value, decode: bool) -> PyResult<PyObject> {
    Ok(match v {
        Value::Nil => py.None(),
        Value::Int(i) => i.into_pyobject(py)?.into_any().unbind(),
        Value::Bulk(b) | Value::Simple(b) => text(py, &b, decode)?,
        Value::Verbatim { text: t, .. } => text(py, &t, decode)?,
        Value::Array(items) | Value::Push(items) => list(py, items, decode)?.into_any().unbind(),
        Value::Map(pairs) => dict(py, pairs, decode)?.into_any().unbind(),
        Value::Set(items) => set_or_list(py, items, decode)?,
        Value::Double(d) => d.into_pyobject(py)?.into_any().unbind(),
        Value::Boolean(b) => b.into_pyobject(py)?.to_owned().into_any().unbind(),
        Value::BigNumber(digits) => {
            let s = String::from_utf8_lossy(&digits).into_owned();
            py.get_type::<pyo3::types::PyInt>().call1((s,))?.unbind()
        }
        Value::Error(e) => error_value(py, &e)?,
        Value::Attribute { data, .. } => raw(py, *data, decode)?,
    })
}

fn error_value(py: Python<'_>, e: &ServerError) -> PyResult<PyObject> {
    server_exception(py, e)
}

fn list(py: Python<'_>, items: Vec<Value>, decode: bool) -> PyResult<Bound<'_, PyList>> {
    // Converted first, then one list of the final size (no append-and-grow per element).
    let converted = items
        .into_iter()
        .map(|item| raw(py, item, decode))
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, converted)
}

fn dict(py: Python<'_>, pairs: Vec<(Value, Value)>, decode: bool) -> PyResult<Bound<'_, PyDict>> {
    let out = PyDict::new(py);
    for (k, v) in pairs {
        out.set_item(raw(py, k, decode)?, raw(py, v, decode)?)?;
    }
    Ok(out)
}

fn flat_dict(py: Python<'_>, items: Vec<Value>, decode: bool) -> PyResult<Bound<'_, PyDict>> {
    let out = PyDict::new(py);
    let mut it = items.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        out.set_item(raw(py, k, decode)?, raw(py, v, decode)?)?;
    }
    Ok(out)
}

/// A RESP3 set as a Python `set`, or a list when an element is unhashable (nested arrays).
fn set_or_list(py: Python<'_>, items: Vec<Value>, decode: bool) -> PyResult<PyObject> {
    let converted = items
        .into_iter()
        .map(|v| raw(py, v, decode))
        .collect::<PyResult<Vec<_>>>()?;
    match PySet::new(py, &converted) {
        Ok(s) => Ok(s.into_any().unbind()),
        Err(_) => Ok(PyList::new(py, converted)?.into_any().unbind()),
    }
}

fn to_float(v: &Value) -> Option<f64> {
    match v {
        Value::Double(d) => Some(*d),
        Value::Int(i) => Some(*i as f64),
        Value::Bulk(b) | Value::Simple(b) => std::str::from_utf8(b).ok()?.parse().ok(),
        _ => None,
    }
}

fn float_obj(py: Python<'_>, v: Value, decode: bool) -> PyResult<PyObject> {
    match to_float(&v) {
        Some(f) => Ok(f.into_pyobject(py)?.into_any().unbind()),
        None => raw(py, v, decode),
    }
}

fn scored(py: Python<'_>, items: Vec<Value>, decode: bool) -> PyResult<PyObject> {
    let out = PyList::empty(py);
    let nested = matches!(items.first(), Some(Value::Array(_)));
    if nested {
        // RESP3: [[member, score], ...]
        for item in items {
            if let Value::Array(pair) = item {
                let mut it = pair.into_iter();
                if let (Some(m), Some(s)) = (it.next(), it.next()) {
                    let t = PyTuple::new(py, [raw(py, m, decode)?, float_obj(py, s, decode)?])?;
                    out.append(t)?;
                }
            }
        }
    } else {
        let mut it = items.into_iter();
        while let (Some(m), Some(s)) = (it.next(), it.next()) {
            let t = PyTuple::new(py, [raw(py, m, decode)?, float_obj(py, s, decode)?])?;
            out.append(t)?;
        }
    }
    Ok(out.into_any().unbind())
}

/// One INFO value, typed as redis-py's `parse_info` types it.
fn info_value<'py>(py: Python<'py>, value: &str) -> PyResult<Bound<'py, PyAny>> {
    if !value.contains(',') && !value.contains('=') {
        let parsed = if value.contains('.') {
            value
                .parse::<f64>()
                .ok()
                .map(|f| f.into_pyobject(py).map(|o| o.into_any()))
        } else {
            value
                .parse::<i64>()
                .ok()
                .map(|i| i.into_pyobject(py).map(|o| o.into_any()))
        };
        match parsed {
            Some(obj) => Ok(obj?),
            None => Ok(PyString::new(py, value).into_any()),
        }
    } else if !value.contains('=') {
        let out = PyList::empty(py);
        for part in value.split(',').filter(|p| !p.is_empty()) {
            out.append(info_value(py, part)?)?;
        }
        Ok(out.into_any())
    } else {
        let out = PyDict::new(py);
        for item in value.split(',').filter(|p| !p.is_empty()) {
            match item.rsplit_once('=') {
                Some((k, v)) => out.set_item(k, info_value(py, v)?)?,
                None => out.set_item(item, true)?,
            }
        }
        Ok(out.into_any())
    }
}

/// INFO text to a dict, following redis-py's `parse_info`.
fn parse_info(py: Python<'_>, body: &[u8]) -> PyResult<PyObject> {
    let body = String::from_utf8_lossy(body);
    let info = PyDict::new(py);
    for line in body.lines() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_once(':') {
            Some((key, value)) => {
                let (key, value) = if key == "cmdstat_host" {
                    line.rsplit_once(':').unwrap_or((key, value))
                } else {
                    (key, value)
                };
                if key == "module" {
                    let modules = match info.get_item("modules")? {
                        Some(m) => m,
                        None => {
                            let m = PyList::empty(py).into_any();
                            info.set_item("modules", &m)?;
                            m
                        }
                    };
                    modules.call_method1("append", (info_value(py, value)?,))?;
                } else {
                    info.set_item(key, info_value(py, value)?)?;
                }
            }
            None => {
                let raw_lines = match info.get_item("__raw__")? {
                    Some(m) => m,
                    None => {
                        let m = PyList::empty(py).into_any();
                        info.set_item("__raw__", &m)?;
                        m
                    }
                };
                raw_lines.call_method1("append", (line,))?;
            }
        }
    }
    Ok(info.into_any().unbind())
}

fn is_text(v: &Value, word: &[u8]) -> bool {
    matches!(v, Value::Simple(b) | Value::Bulk(b) if b.eq_ignore_ascii_case(word))
}

/// Converts `v` to the Python value for `shape`.
/// A reply as the core hands it over: a reply that may be a flat array stays in the frame it
/// was read in, so that [`shaped_reply`] makes a [`Shape::Raw`] one's Python objects straight
/// from the bytes read (one per element, no [`Value`] per element; LRANGE, MGET...);
/// anything else is a [`Value`] as usual.
pub(crate) enum Reply {
    Frame(Frame),
    Value(Value),
}

impl FromValue for Reply {
    fn from_value(value: Value) -> oxredis::Result<Self> {
        Ok(Reply::Value(value))
    }

    fn from_flat_frame(frame: &Frame) -> Option<oxredis::Result<Self>> {
        // An error reply goes the usual way, so that it is raised.
        (!frame.is_error()).then(|| Ok(Reply::Frame(frame.clone())))
    }
}

/// [`shaped`] of a [`Reply`].
pub(crate) fn shaped_reply(
    py: Python<'_>,
    reply: Reply,
    shape: Shape,
    decode: bool,
) -> PyResult<PyObject> {
    match reply {
        Reply::Value(v) => shaped(py, v, shape, decode),
        Reply::Frame(frame) => match (shape == Shape::Raw)
            .then(|| flat(py, &frame, decode))
            .flatten()
        {
            Some(obj) => obj,
            None => {
                let v = frame
                    .into_value()
                    .map_err(|e| crate::errors::to_pyerr(py, &e))?;
                shaped(py, v, shape, decode)
            }
        },
    }
}

/// A flat array (or RESP3 set) frame as a `list` (a `set`), each element made from its bytes
/// in the frame; `None` when the frame is not flat (the caller converts its `Value`).
fn flat(py: Python<'_>, frame: &Frame, decode: bool) -> Option<PyResult<PyObject>> {
    let mut items = Vec::new();
    let mut failed = None;
    let done = frame.for_each_flat(|element| {
        let obj = match element {
            FlatElement::Bulk { payload, .. } => text(py, payload, decode),
            FlatElement::Other(v) => raw(py, v, decode),
        };
        match obj {
            Ok(obj) => {
                items.push(obj);
                Ok(())
            }
            Err(e) => {
                failed = Some(e);
                Err(oxredis::Error::new(
                    ErrorKind::Data,
                    "element conversion failed",
                ))
            }
        }
    })?;
    if let Some(e) = failed {
        return Some(Err(e));
    }
    if let Err(e) = done {
        return Some(Err(crate::errors::to_pyerr(py, &e)));
    }
    Some(if frame.is_set() {
        match PySet::new(py, &items) {
            Ok(s) => Ok(s.into_any().unbind()),
            Err(_) => PyList::new(py, items).map(|l| l.into_any().unbind()),
        }
    } else {
        PyList::new(py, items).map(|l| l.into_any().unbind())
    })
}

pub(crate) fn shaped(py: Python<'_>, v: Value, shape: Shape, decode: bool) -> PyResult<PyObject> {
    let v = match v {
        Value::Attribute { data, .. } => *data,
        v => v,
    };
    if matches!(v, Value::Error(_)) {
        return raw(py, v, decode);
    }
    match shape {
        Shape::Raw => raw(py, v, decode),
        Shape::OkBool if is_text(&v, b"OK") => {
            Ok(true.into_pyobject(py)?.to_owned().into_any().unbind())
        }
        Shape::Ping if is_text(&v, b"PONG") => {
            Ok(true.into_pyobject(py)?.to_owned().into_any().unbind())
        }
        Shape::OkBool | Shape::Ping => raw(py, v, decode),
        Shape::Bool => match v {
            Value::Int(i) => Ok((i != 0).into_pyobject(py)?.to_owned().into_any().unbind()),
            v => raw(py, v, decode),
        },
        Shape::Dict => match v {
            Value::Array(items) => Ok(flat_dict(py, items, decode)?.into_any().unbind()),
            Value::Nil => Ok(PyDict::new(py).into_any().unbind()),
            v => raw(py, v, decode),
        },
        Shape::Set => match v {
            Value::Array(items) | Value::Set(items) => set_or_list(py, items, decode),
            v => raw(py, v, decode),
        },
        Shape::Scored => match v {
            Value::Array(items) => scored(py, items, decode),
            v => raw(py, v, decode),
        },
        Shape::Tuple => match v {
            Value::Array(items) => {
                let items = items
                    .into_iter()
                    .map(|i| raw(py, i, decode))
                    .collect::<PyResult<Vec<_>>>()?;
                Ok(PyTuple::new(py, items)?.into_any().unbind())
            }
            v => raw(py, v, decode),
        },
        Shape::BoolList => match v {
            Value::Array(items) => {
                let bools = items
                    .into_iter()
                    .map(|i| match i {
                        Value::Int(n) => {
                            Ok((n != 0).into_pyobject(py)?.to_owned().into_any().unbind())
                        }
                        other => raw(py, other, decode),
                    })
                    .collect::<PyResult<Vec<_>>>()?;
                Ok(PyList::new(py, bools)?.into_any().unbind())
            }
            v => raw(py, v, decode),
        },
        Shape::Str => match v {
            Value::Bulk(b) | Value::Simple(b) => text(py, &b, true),
            v => raw(py, v, decode),
        },
        Shape::RankScore => match v {
            Value::Array(items) if items.len() == 2 => {
                let mut it = items.into_iter();
                match (it.next(), it.next()) {
                    (Some(rank), Some(score)) => Ok(PyList::new(
                        py,
                        [raw(py, rank, decode)?, float_obj(py, score, decode)?],
                    )?
                    .into_any()
                    .unbind()),
                    _ => Ok(py.None()),
                }
            }
            v => raw(py, v, decode),
        },
        Shape::Float => match v {
            Value::Nil => Ok(py.None()),
            v => float_obj(py, v, decode),
        },
        Shape::Info => match v {
            Value::Bulk(b) | Value::Simple(b) | Value::Verbatim { text: b, .. } => {
                parse_info(py, &b)
            }
            v => raw(py, v, decode),
        },
        Shape::Scan | Shape::HScan | Shape::ZScan => match v {
            Value::Array(items) if items.len() == 2 => {
                let mut it = items.into_iter();
                let (cursor, keys) = match (it.next(), it.next()) {
                    (Some(c), Some(k)) => (c, k),
                    _ => return Ok(py.None()),
                };
                let cursor: i64 = match &cursor {
                    Value::Int(i) => *i,
                    Value::Bulk(b) | Value::Simple(b) => std::str::from_utf8(b)
                        .ok()
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(0),
                    _ => 0,
                };
                let keys = match (shape, keys) {
                    (Shape::HScan, Value::Array(items)) => {
                        flat_dict(py, items, decode)?.into_any().unbind()
                    }
                    (Shape::ZScan, Value::Array(items)) => scored(py, items, decode)?,
                    (_, keys) => raw(py, keys, decode)?,
                };
                Ok(
                    PyTuple::new(py, [cursor.into_pyobject(py)?.into_any().unbind(), keys])?
                        .into_any()
                        .unbind(),
                )
            }
            v => raw(py, v, decode),
        },
    }
}
