//! redis-py 8.1's `legacy_responses=False` reply shapes ("unified"): one Python value on RESP2
//! and RESP3, in RESP3's native forms where redis-py 8's legacy shapes kept RESP2's: pairs as
//! lists instead of tuples, scores as `float`, XREAD as a dict, LCS ... IDX, FUNCTION LIST and
//! CLIENT TRACKINGINFO as dicts. The shapes they share with the legacy mode are not here.

use oxredis::Value;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::codec::Decode;
use crate::reply::{
    coord, cursor_of, float_obj, list_of, pairs, raw, resp2, scored, shaped as legacy_shaped,
    str_key_dict, str_of, stream_list, Shape,
};

/// `v` in the unified form of `shape`; `Err(v)` when `shape` is the same in both modes.
pub(crate) fn shaped(
    py: Python<'_>,
    v: Value,
    shape: Shape,
    decode: Decode,
) -> Result<PyResult<PyObject>, Value> {
    Ok(match shape {
        Shape::Scored | Shape::ScoredText | Shape::FlatScores => match v {
            Value::Array(items) => scored(py, items, decode, float_obj, true),
            v => raw(py, v, decode),
        },
        // HRANDFIELD ... WITHVALUES: field/value pairs as lists, values as sent.
        Shape::FlatValues => match v {
            Value::Array(items) => scored(py, items, decode, raw, true),
            v => raw(py, v, decode),
        },
        Shape::ZScan | Shape::ZScanText => zscan(py, v, decode),
        Shape::RankScoreText => legacy_shaped(py, v, Shape::RankScore, decode),
        Shape::GeoPos => list_of(py, v, decode, false, |py, v, decode| {
            let pair = coord(py, v, decode)?;
            match pair.downcast_bound::<PyTuple>(py) {
                Ok(t) => Ok(t.to_list().into_any().unbind()),
                Err(_) => Ok(pair),
            }
        }),
        Shape::XRead => xread(py, v, decode),
        Shape::KeyMemberScore => key_member_score(py, v, decode),
        Shape::Tuple | Shape::GetKeys => raw(py, v, decode),
        Shape::ZMPop => zmpop(py, v, decode),
        // LCS ... IDX; a plain LCS (text or length) as sent.
        Shape::Lcs => str_key_dict(py, v, decode),
        Shape::FunctionList => list_of(py, v, decode, false, library),
        Shape::TrackingInfo => tracking_info(py, v, decode),
        _ => return Err(v),
    })
}

/// ZSCAN: `(cursor, [[member, float]...])`.
fn zscan(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    match v {
        Value::Array(items) if items.len() == 2 => {
            let mut it = items.into_iter();
            let (Some(cursor), Some(Value::Array(members))) = (it.next(), it.next()) else {
                return Ok(py.None());
            };
            let cursor = cursor_of(&cursor).into_pyobject(py)?.into_any().unbind();
            let members = scored(py, members, decode, float_obj, true)?;
            Ok(PyTuple::new(py, [cursor, members])?.into_any().unbind())
        }
        v => raw(py, v, decode),
    }
}

/// XREAD/XREADGROUP: `{stream: [(id, {field: value})...]}`; nil (timed out) `{}`.
fn xread(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    let streams = match v {
        Value::Nil => Vec::new(),
        Value::Map(streams) => streams,
        Value::Array(items) => items
            .into_iter()
            .filter_map(|item| match item {
                Value::Array(kv) if kv.len() == 2 => {
                    let mut it = kv.into_iter();
                    Some((it.next()?, it.next()?))
                }
                _ => None,
            })
            .collect(),
        v => return raw(py, v, decode),
    };
    let out = PyDict::new(py);
    for (name, entries) in streams {
        out.set_item(raw(py, name, decode)?, stream_list(py, entries, decode)?)?;
    }
    Ok(out.into_any().unbind())
}

/// BZPOPMIN/BZPOPMAX: `[key, member, float]`; nil `None`.
fn key_member_score(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    match v {
        Value::Array(items) if items.len() == 3 => {
            let mut it = items.into_iter();
            let (Some(k), Some(m), Some(s)) = (it.next(), it.next(), it.next()) else {
                return Ok(py.None());
            };
            let items = [
                raw(py, k, decode)?,
                raw(py, m, decode)?,
                float_obj(py, s, decode)?,
            ];
            Ok(PyList::new(py, items)?.into_any().unbind())
        }
        v => raw(py, v, decode),
    }
}

/// ZMPOP/BZMPOP: `[key, [[member, float]...]]`; nil `None`.
fn zmpop(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    match v {
        Value::Array(items) if items.len() == 2 => {
            let mut it = items.into_iter();
            let (Some(key), Some(Value::Array(members))) = (it.next(), it.next()) else {
                return Ok(py.None());
            };
            let items = [
                raw(py, key, decode)?,
                scored(py, members, decode, float_obj, true)?,
            ];
            Ok(PyList::new(py, items)?.into_any().unbind())
        }
        v => raw(py, v, decode),
    }
}

/// A dict of pairs, keys as sent and values as RESP2 sends them.
fn resp2_dict(
    py: Python<'_>,
    pairs: Vec<(Value, Value)>,
    decode: Decode,
) -> PyResult<Bound<'_, PyDict>> {
    let out = PyDict::new(py);
    for (k, v) in pairs {
        out.set_item(raw(py, k, decode)?, resp2(py, v, decode)?)?;
    }
    Ok(out)
}

/// One FUNCTION LIST library: a dict (keys as sent), its `functions` a list of dicts.
fn library(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    let fields = match pairs(v) {
        Ok(fields) => fields,
        Err(v) => return raw(py, v, decode),
    };
    let out = PyDict::new(py);
    for (k, v) in fields {
        let is_functions =
            matches!(&k, Value::Bulk(b) | Value::Simple(b) if &b[..] == b"functions");
        let value = if is_functions {
            list_of(py, v, decode, false, |py, f, decode| match pairs(f) {
                Ok(f) => Ok(resp2_dict(py, f, decode)?.into_any().unbind()),
                Err(f) => raw(py, f, decode),
            })?
        } else {
            resp2(py, v, decode)?
        };
        out.set_item(raw(py, k, decode)?, value)?;
    }
    Ok(out.into_any().unbind())
}

/// CLIENT TRACKINGINFO: a dict with `str` keys; `flags` and `prefixes` lists of `str`.
fn tracking_info(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    let fields = match pairs(v) {
        Ok(fields) => fields,
        Err(v) => return raw(py, v, decode),
    };
    let out = PyDict::new(py);
    for (k, v) in fields {
        let key = str_of(py, k, decode)?;
        let value = match key.extract::<String>(py)?.as_str() {
            "flags" | "prefixes" => list_of(py, v, decode, true, str_of)?,
            _ => resp2(py, v, decode)?,
        };
        out.set_item(key, value)?;
    }
    Ok(out.into_any().unbind())
}
