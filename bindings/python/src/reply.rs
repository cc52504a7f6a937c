//! Replies to Python objects, in the shapes redis-py 8 gives them (its response callbacks),
//! the same on RESP2 and RESP3. Every element is converted here, in Rust.

use oxredis::resp::{FlatElement, Frame};
use oxredis::{ErrorKind, FromValue, ServerError, Value};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PySet, PyString, PyTuple};

use crate::codec::Decode;
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
    /// An array of strings becomes a list of `str` whatever `decode_responses` says; nil
    /// elements stay `None` (GEOHASH, ACL USERS).
    StrList = 16,
    /// An array of `[lon, lat]` (or nil) becomes a list of `(float, float)` tuples or `None`
    /// (GEOPOS).
    GeoPos = 17,
    /// GEOSEARCH/GEORADIUS: plain members stay a list; each `[member, dist?, hash?, coord?]`
    /// becomes `[member, float dist, int hash, (float, float)]` (what it has, in that order).
    GeoSearch = 18,
    /// Stream entries `[[id, [field, value...]]...]` become `[(id, {field: value})]`; a nil
    /// entry is `(None, None)`, a nil reply `None` (XRANGE, XREVRANGE, XCLAIM).
    Stream = 19,
    /// XREAD/XREADGROUP: `[[stream, entries]...]` (a map in RESP3) becomes
    /// `[[stream, [(id, {field: value})]]...]`; nil (timed out) becomes `[]`.
    XRead = 20,
    /// XPENDING's summary becomes `{"pending": n, "min": id, "max": id, "consumers":
    /// [{"name": name, "pending": int}]}`.
    XPending = 21,
    /// XPENDING's extended form becomes a list of `{"message_id", "consumer",
    /// "time_since_delivered", "times_delivered"}` dicts.
    XPendingRange = 22,
    /// XAUTOCLAIM: `[next_id, entries, deleted...]` with the entries as [`Shape::Stream`].
    XAutoClaim = 23,
    /// XAUTOCLAIM ... JUSTID: the claimed ids only (the reply's second element).
    XAutoClaimJustId = 24,
    /// XINFO STREAM (with or without FULL): a dict with `str` keys; `first-entry` and
    /// `last-entry` as `(id, {field: value})`; FULL's `entries` as `{id: {field: value}}` and
    /// its groups and their consumers as dicts with `str` keys.
    XInfoStream = 25,
    /// An array of field/value pairs (flat in RESP2, maps in RESP3) becomes a list of dicts
    /// with `str` keys (XINFO GROUPS, XINFO CONSUMERS).
    DictList = 26,
    /// Field/value pairs become a dict whose keys and values are `str` whatever
    /// `decode_responses` says (CONFIG GET).
    StrDict = 27,
    /// CLIENT LIST text becomes a list of dicts of `str` (one per line, `key=value` tokens).
    ClientList = 28,
    /// An array of scores (or nil) becomes a list of `float` or `None` (ZMSCORE).
    FloatList = 29,
    /// `[key, member, score]` becomes a `(key, member, float)` tuple; nil stays `None`
    /// (BZPOPMIN/BZPOPMAX).
    KeyMemberScore = 30,
    /// The reply as RESP2 would have sent it, whatever the protocol: maps become flat lists of
    /// keys and values, sets lists, doubles their text (`format(x, ".17g")`, as redis-py
    /// re-encodes a RESP3 score), booleans 1 or 0 (ZMPOP, FUNCTION LIST, FUNCTION STATS).
    Resp2 = 31,
    /// As [`Shape::Resp2`], with pairs nested in the top array (RESP3's `[[member, score]]`)
    /// flattened to `[member, score, ...]` as RESP2 sends them (ZDIFF and ZRANDMEMBER ...
    /// WITHSCORES, HRANDFIELD ... WITHVALUES).
    FlatPairs = 32,
    /// A bulk string as `bytes` whatever `decode_responses` says (FUNCTION DUMP).
    Bytes = 33,
    /// CLIENT INFO text (`key=value` tokens) becomes a dict of `str`, the counters as `int`
    /// (redis-py's `parse_client_info`).
    ClientInfo = 34,
    /// DEBUG OBJECT text becomes a dict of `str` with `type` first and the counters as `int`
    /// (redis-py's `parse_debug_object`).
    DebugObject = 35,
    /// ACL GETUSER becomes redis-py's `parse_acl_getuser` dict: `str` keys, `flags`,
    /// `passwords`, `keys`, `channels` lists of `str`, `commands` and `categories` split from
    /// the command rules, `selectors` flat lists of `str`, `enabled`; nil stays `None`.
    AclGetUser = 36,
    /// ACL LOG entries become dicts with `str` keys and `str` values (integers stay `int`),
    /// `age-seconds` a `float` and `client-info` a [`Shape::ClientInfo`] dict.
    AclLog = 37,
    /// As [`Shape::Scored`] with each score as RESP2's text (`bytes`, or `str` with
    /// `decode_responses`), for a `score_cast_func` applied in Python.
    ScoredText = 38,
    /// As [`Shape::ZScan`] with each score as RESP2's text.
    ZScanText = 39,
    /// As [`Shape::RankScore`] with the score as RESP2's text.
    RankScoreText = 40,
    /// Pairs (flat in RESP2, a map in RESP3) become a list of `(a, b)` tuples (PUBSUB NUMSUB).
    PairList = 41,
    /// SLOWLOG GET entries become dicts (`id`, `start_time`, `duration`, `command` joined by
    /// spaces, `client_address`, `client_name`; `complexity` where the server puts one), the
    /// strings as `bytes` whatever `decode_responses` says, as redis-py reads them.
    SlowlogGet = 42,
    /// An array becomes a tuple of `int`, digits parsed (TIME).
    IntTuple = 43,
    /// MEMORY STATS becomes a dict with `str` keys and values (integers stay `int`, doubles
    /// their RESP2 text), each `db.N` a dict likewise (redis-py's `parse_memory_stats`).
    MemoryStats = 44,
    /// CLIENT TRACKINGINFO becomes the flat list RESP2 sends, its labels as `str` (redis-py's
    /// `list(map(str_if_bytes, r))`).
    TrackingInfo = 45,
    /// As [`Shape::FlatPairs`] for members with scores (ZDIFF, ZRANDMEMBER ... WITHSCORES);
    /// unified: as [`Shape::Scored`] in lists.
    FlatScores = 46,
    /// As [`Shape::Resp2`] (ZMPOP, BZMPOP); unified: `[key, [[member, float]...]]`.
    ZMPop = 47,
    /// As [`Shape::Resp2`] (LCS); unified: LCS ... IDX as a dict with `str` keys.
    Lcs = 48,
    /// As [`Shape::Resp2`] (FUNCTION LIST); unified: a list of dicts, each library's
    /// `functions` a list of dicts.
    FunctionList = 49,
    /// As [`Shape::StrList`] (COMMAND GETKEYS); unified: as [`Shape::Raw`].
    GetKeys = 50,
    /// As [`Shape::FlatPairs`] (HRANDFIELD ... WITHVALUES); unified: `[[field, value]...]`.
    FlatValues = 51,
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
        ("SHAPE_STR_LIST", Shape::StrList),
        ("SHAPE_GEOPOS", Shape::GeoPos),
        ("SHAPE_GEOSEARCH", Shape::GeoSearch),
        ("SHAPE_STREAM", Shape::Stream),
        ("SHAPE_XREAD", Shape::XRead),
        ("SHAPE_XPENDING", Shape::XPending),
        ("SHAPE_XPENDING_RANGE", Shape::XPendingRange),
        ("SHAPE_XAUTOCLAIM", Shape::XAutoClaim),
        ("SHAPE_XAUTOCLAIM_JUSTID", Shape::XAutoClaimJustId),
        ("SHAPE_XINFO_STREAM", Shape::XInfoStream),
        ("SHAPE_DICT_LIST", Shape::DictList),
        ("SHAPE_STR_DICT", Shape::StrDict),
        ("SHAPE_CLIENT_LIST", Shape::ClientList),
        ("SHAPE_FLOAT_LIST", Shape::FloatList),
        ("SHAPE_KEY_MEMBER_SCORE", Shape::KeyMemberScore),
        ("SHAPE_RESP2", Shape::Resp2),
        ("SHAPE_FLAT_PAIRS", Shape::FlatPairs),
        ("SHAPE_BYTES", Shape::Bytes),
        ("SHAPE_CLIENT_INFO", Shape::ClientInfo),
        ("SHAPE_DEBUG_OBJECT", Shape::DebugObject),
        ("SHAPE_ACL_GETUSER", Shape::AclGetUser),
        ("SHAPE_ACL_LOG", Shape::AclLog),
        ("SHAPE_SCORED_TEXT", Shape::ScoredText),
        ("SHAPE_ZSCAN_TEXT", Shape::ZScanText),
        ("SHAPE_RANK_SCORE_TEXT", Shape::RankScoreText),
        ("SHAPE_PAIR_LIST", Shape::PairList),
        ("SHAPE_SLOWLOG_GET", Shape::SlowlogGet),
        ("SHAPE_INT_TUPLE", Shape::IntTuple),
        ("SHAPE_MEMORY_STATS", Shape::MemoryStats),
        ("SHAPE_TRACKING_INFO", Shape::TrackingInfo),
        ("SHAPE_FLAT_SCORES", Shape::FlatScores),
        ("SHAPE_ZMPOP", Shape::ZMPop),
        ("SHAPE_LCS", Shape::Lcs),
        ("SHAPE_FUNCTION_LIST", Shape::FunctionList),
        ("SHAPE_GETKEYS", Shape::GetKeys),
        ("SHAPE_FLAT_VALUES", Shape::FlatValues),
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

/// Text as `str` (when decoding, in the client's encoding) or `bytes`. Invalid text under
/// `encoding_errors="strict"` raises Python's own `UnicodeDecodeError`, as redis-py does.
fn text(py: Python<'_>, b: &[u8], decode: Decode) -> PyResult<PyObject> {
    if decode.on {
        decode.str(py, b)
    } else {
        Ok(PyBytes::new(py, b).into_any().unbind())
    }
}

/// The reply as is (see [`Shape::Raw`]).
pub(crate) fn raw(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
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

fn list(py: Python<'_>, items: Vec<Value>, decode: Decode) -> PyResult<Bound<'_, PyList>> {
    // Converted first, then one list of the final size (no append-and-grow per element).
    let converted = items
        .into_iter()
        .map(|item| raw(py, item, decode))
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, converted)
}

fn dict(py: Python<'_>, pairs: Vec<(Value, Value)>, decode: Decode) -> PyResult<Bound<'_, PyDict>> {
    let out = PyDict::new(py);
    for (k, v) in pairs {
        out.set_item(raw(py, k, decode)?, raw(py, v, decode)?)?;
    }
    Ok(out)
}

fn flat_dict(py: Python<'_>, items: Vec<Value>, decode: Decode) -> PyResult<Bound<'_, PyDict>> {
    let out = PyDict::new(py);
    let mut it = items.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        out.set_item(raw(py, k, decode)?, raw(py, v, decode)?)?;
    }
    Ok(out)
}

/// A RESP3 set as a Python `set`, or a list when an element is unhashable (nested arrays).
fn set_or_list(py: Python<'_>, items: Vec<Value>, decode: Decode) -> PyResult<PyObject> {
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

pub(crate) fn float_obj(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    match to_float(&v) {
        Some(f) => Ok(f.into_pyobject(py)?.into_any().unbind()),
        None => raw(py, v, decode),
    }
}

/// A score converter: to `float` ([`float_obj`]) or to RESP2's text ([`score_text`]).
pub(crate) type ScoreFn = fn(Python<'_>, Value, Decode) -> PyResult<PyObject>;

/// Members with scores (flat in RESP2, pairs in RESP3) as `(member, score)` tuples, or
/// `[member, score]` lists with `lists` (the unified shapes).
pub(crate) fn scored(
    py: Python<'_>,
    items: Vec<Value>,
    decode: Decode,
    score: ScoreFn,
    lists: bool,
) -> PyResult<PyObject> {
    let make_pair = |m: Value, s: Value| -> PyResult<PyObject> {
        let items = [raw(py, m, decode)?, score(py, s, decode)?];
        Ok(if lists {
            PyList::new(py, items)?.into_any().unbind()
        } else {
            PyTuple::new(py, items)?.into_any().unbind()
        })
    };
    let out = PyList::empty(py);
    let nested = matches!(items.first(), Some(Value::Array(_)));
    if nested {
        // RESP3: [[member, score], ...]
        for item in items {
            if let Value::Array(pair) = item {
                let mut it = pair.into_iter();
                if let (Some(m), Some(s)) = (it.next(), it.next()) {
                    out.append(make_pair(m, s)?)?;
                }
            }
        }
    } else {
        let mut it = items.into_iter();
        while let (Some(m), Some(s)) = (it.next(), it.next()) {
            out.append(make_pair(m, s)?)?;
        }
    }
    Ok(out.into_any().unbind())
}

/// A double as RESP2 sends a score: its text, `format(d, ".17g")` as redis-py re-encodes a
/// RESP3 double; `str` with `decode_responses`, else `bytes`.
fn double_text(py: Python<'_>, d: f64, decode: Decode) -> PyResult<PyObject> {
    let s = py
        .import("builtins")?
        .getattr("format")?
        .call1((d, ".17g"))?;
    if decode.on {
        Ok(s.unbind())
    } else {
        Ok(s.call_method0("encode")?.unbind())
    }
}

/// A score as RESP2's text: a string as sent, a RESP3 double through [`double_text`].
fn score_text(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    match v {
        Value::Double(d) => double_text(py, d, decode),
        Value::Int(i) => text(py, i.to_string().as_bytes(), decode),
        v => raw(py, v, decode),
    }
}

/// A score as `float`, nil as `None` (ZMSCORE's elements).
fn float_or_none(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    match v {
        Value::Nil => Ok(py.None()),
        v => float_obj(py, v, decode),
    }
}

/// The reply as RESP2 would have sent it (see [`Shape::Resp2`]).
pub(crate) fn resp2(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    match v {
        Value::Map(pairs) => {
            let mut out = Vec::with_capacity(pairs.len() * 2);
            for (k, v) in pairs {
                out.push(resp2(py, k, decode)?);
                out.push(resp2(py, v, decode)?);
            }
            Ok(PyList::new(py, out)?.into_any().unbind())
        }
        Value::Array(items) | Value::Set(items) | Value::Push(items) => {
            let out = items
                .into_iter()
                .map(|i| resp2(py, i, decode))
                .collect::<PyResult<Vec<_>>>()?;
            Ok(PyList::new(py, out)?.into_any().unbind())
        }
        Value::Double(d) => double_text(py, d, decode),
        Value::Boolean(b) => Ok(i64::from(b).into_pyobject(py)?.into_any().unbind()),
        Value::Attribute { data, .. } => resp2(py, *data, decode),
        v => raw(py, v, decode),
    }
}

/// [`resp2`] of an array whose `[a, b]` elements are flattened into it (see
/// [`Shape::FlatPairs`]).
fn flat_pairs(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    match v {
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len() * 2);
            for item in items {
                match item {
                    Value::Array(pair) if pair.len() == 2 => {
                        for x in pair {
                            out.push(resp2(py, x, decode)?);
                        }
                    }
                    item => out.push(resp2(py, item, decode)?),
                }
            }
            Ok(PyList::new(py, out)?.into_any().unbind())
        }
        v => resp2(py, v, decode),
    }
}

/// CLIENT INFO's `key=value` tokens as a dict of `str`, redis-py's counters as `int` (see
/// [`Shape::ClientInfo`]).
fn client_info(py: Python<'_>, body: &[u8]) -> PyResult<PyObject> {
    const INTS: [&str; 14] = [
        "id",
        "age",
        "idle",
        "db",
        "sub",
        "psub",
        "multi",
        "qbuf",
        "qbuf-free",
        "obl",
        "argv-mem",
        "oll",
        "omem",
        "tot-mem",
    ];
    let body = String::from_utf8_lossy(body);
    let out = PyDict::new(py);
    for token in body.split_whitespace() {
        let (k, v) = token.split_once('=').unwrap_or((token, ""));
        match v.parse::<i64>() {
            Ok(i) if INTS.contains(&k) => out.set_item(k, i)?,
            _ => out.set_item(k, v)?,
        }
    }
    Ok(out.into_any().unbind())
}

/// DEBUG OBJECT's text as redis-py's `parse_debug_object` reads it (see
/// [`Shape::DebugObject`]).
fn debug_object(py: Python<'_>, body: &[u8]) -> PyResult<PyObject> {
    const INTS: [&str; 4] = ["refcount", "serializedlength", "lru", "lru_seconds_idle"];
    let body = format!("type:{}", String::from_utf8_lossy(body));
    let out = PyDict::new(py);
    for token in body.split_whitespace() {
        let (k, v) = token.split_once(':').unwrap_or((token, ""));
        match v.parse::<i64>() {
            Ok(i) if INTS.contains(&k) => out.set_item(k, i)?,
            _ => out.set_item(k, v)?,
        }
    }
    Ok(out.into_any().unbind())
}

/// The `str` of a string reply (lossy), `None` for anything else.
fn string_of(v: &Value) -> Option<String> {
    match v {
        Value::Bulk(b) | Value::Simple(b) | Value::Verbatim { text: b, .. } => {
            Some(String::from_utf8_lossy(b).into_owned())
        }
        _ => None,
    }
}

/// The elements of an array or set as `str` (see [`str_of`]).
fn str_list(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    list_of(py, v, decode, true, str_of)
}

/// A space-separated rule list (`"~a ~b"`) as a list of `str`, `""` as `[]`; an array as
/// [`raw`].
fn split_rules(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    match string_of(&v) {
        Some(s) if s.is_empty() => Ok(PyList::empty(py).into_any().unbind()),
        Some(s) => Ok(PyList::new(py, s.split(' ').collect::<Vec<_>>())?
            .into_any()
            .unbind()),
        None => raw(py, v, decode),
    }
}

/// One ACL GETUSER selector (a flat array in RESP2, a map in RESP3) as a flat list of `str`.
fn acl_selector(py: Python<'_>, s: Value, decode: Decode) -> PyResult<PyObject> {
    match pairs(s) {
        Ok(p) => str_list(
            py,
            Value::Array(p.into_iter().flat_map(|(k, v)| [k, v]).collect()),
            decode,
        ),
        Err(s) => raw(py, s, decode),
    }
}

/// ACL GETUSER (see [`Shape::AclGetUser`]).
fn acl_getuser(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    let fields = match pairs(v) {
        Ok(p) => p,
        Err(v) => return raw(py, v, decode),
    };
    let out = PyDict::new(py);
    let mut enabled = false;
    let mut category_list = None;
    for (k, v) in fields {
        let key = string_of(&k).unwrap_or_default();
        let value = match key.as_str() {
            "flags" => {
                if let Value::Array(flags) | Value::Set(flags) = &v {
                    enabled = flags.iter().any(|f| is_text(f, b"on"));
                }
                str_list(py, v, decode)?
            }
            "passwords" => str_list(py, v, decode)?,
            "keys" | "channels" => split_rules(py, v, decode)?,
            "commands" => {
                let rules = string_of(&v).unwrap_or_default();
                let (categories, commands): (Vec<&str>, Vec<&str>) =
                    rules.split(' ').partition(|r| r.contains('@'));
                category_list = Some(PyList::new(py, categories)?);
                PyList::new(py, commands)?.into_any().unbind()
            }
            "selectors" => list_of(py, v, decode, false, acl_selector)?,
            _ => raw(py, v, decode)?,
        };
        out.set_item(key, value)?;
    }
    // redis-py's order: the split-off categories after every field of the reply.
    if let Some(categories) = category_list {
        out.set_item("categories", categories)?;
    }
    out.set_item("enabled", enabled)?;
    Ok(out.into_any().unbind())
}

/// MEMORY STATS (see [`Shape::MemoryStats`]): `pairs_to_dict(decode_keys=True,
/// decode_string_values=True)`, nested for the `db.N` entries.
fn memory_stats(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    let fields = match pairs(v) {
        Ok(p) => p,
        Err(v) => return raw(py, v, decode),
    };
    let out = PyDict::new(py);
    for (k, v) in fields {
        let key = string_of(&k).unwrap_or_default();
        let value = match v {
            v @ (Value::Array(_) | Value::Map(_)) if key.starts_with("db.") => {
                memory_stats(py, v, decode)?
            }
            Value::Double(d) => double_text(py, d, Decode::utf8(true))?,
            v => str_of(py, v, decode)?,
        };
        out.set_item(key, value)?;
    }
    Ok(out.into_any().unbind())
}

/// CLIENT TRACKINGINFO (see [`Shape::TrackingInfo`]).
fn tracking_info(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    let flat: Vec<Value> = match v {
        Value::Map(pairs) => pairs.into_iter().flat_map(|(k, v)| [k, v]).collect(),
        Value::Array(items) => items,
        v => return raw(py, v, decode),
    };
    let out = flat
        .into_iter()
        .map(|item| match item {
            s @ (Value::Bulk(_) | Value::Simple(_) | Value::Verbatim { .. }) => {
                str_of(py, s, decode)
            }
            other => resp2(py, other, decode),
        })
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyList::new(py, out)?.into_any().unbind())
}

/// One SLOWLOG GET entry (see [`Shape::SlowlogGet`]).
fn slowlog_entry(py: Python<'_>, v: Value, _decode: Decode) -> PyResult<PyObject> {
    let items = match v {
        Value::Array(items) if items.len() >= 4 => items,
        v => return raw(py, v, Decode::utf8(false)),
    };
    let out = PyDict::new(py);
    let mut it = items.into_iter();
    for key in ["id", "start_time", "duration"] {
        let v = it.next().unwrap_or(Value::Nil);
        out.set_item(key, int_of(py, v, Decode::utf8(false))?)?;
    }
    let mut rest: Vec<Value> = it.collect();
    // Redis Enterprise puts the complexity before the command (not an array).
    if !matches!(rest.first(), Some(Value::Array(_))) && !rest.is_empty() {
        out.set_item("complexity", raw(py, rest.remove(0), Decode::utf8(false))?)?;
    }
    let mut rest = rest.into_iter();
    if let Some(Value::Array(words)) = rest.next() {
        let mut joined: Vec<u8> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            if i > 0 {
                joined.push(b' ');
            }
            if let Value::Bulk(b) | Value::Simple(b) = w {
                joined.extend_from_slice(b);
            }
        }
        out.set_item("command", PyBytes::new(py, &joined))?;
    }
    if let (Some(addr), Some(name)) = (rest.next(), rest.next()) {
        out.set_item("client_address", raw(py, addr, Decode::utf8(false))?)?;
        out.set_item("client_name", raw(py, name, Decode::utf8(false))?)?;
    }
    Ok(out.into_any().unbind())
}

/// ACL LOG (see [`Shape::AclLog`]).
fn acl_log(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    let entry = |py: Python<'_>, e: Value, decode: Decode| -> PyResult<PyObject> {
        let pairs = match pairs(e) {
            Ok(p) => p,
            Err(e) => return raw(py, e, decode),
        };
        let out = PyDict::new(py);
        for (k, v) in pairs {
            let key = string_of(&k).unwrap_or_default();
            let value = match (key.as_str(), v) {
                ("client-info", v) => {
                    client_info(py, string_of(&v).unwrap_or_default().as_bytes())?
                }
                ("age-seconds", v) => float_obj(py, v, decode)?,
                (_, v) => str_of(py, v, decode)?,
            };
            out.set_item(key, value)?;
        }
        Ok(out.into_any().unbind())
    };
    list_of(py, v, decode, false, entry)
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

/// Field/value pairs of a flat array (RESP2) or a map (RESP3); `Err` gives the value back.
pub(crate) fn pairs(v: Value) -> Result<Vec<(Value, Value)>, Value> {
    match v {
        Value::Map(pairs) => Ok(pairs),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len() / 2);
            let mut it = items.into_iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                out.push((k, v));
            }
            Ok(out)
        }
        v => Err(v),
    }
}

/// A string as `str` whatever `decode_responses` says (redis-py's `str_if_bytes`, invalid
/// UTF-8 replaced); anything else as [`raw`].
pub(crate) fn str_of(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    match v {
        Value::Bulk(b) | Value::Simple(b) | Value::Verbatim { text: b, .. } => {
            Ok(PyString::new(py, &String::from_utf8_lossy(&b))
                .into_any()
                .unbind())
        }
        v => raw(py, v, decode),
    }
}

/// A dict of `pairs` with `str` keys and values as [`raw`] (redis-py's
/// `pairs_to_dict(decode_keys=True)`); not pairs: [`raw`].
pub(crate) fn str_key_dict(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    match pairs(v) {
        Ok(pairs) => {
            let out = PyDict::new(py);
            for (k, v) in pairs {
                out.set_item(str_of(py, k, decode)?, raw(py, v, decode)?)?;
            }
            Ok(out.into_any().unbind())
        }
        Err(v) => raw(py, v, decode),
    }
}

/// A dict of field/value pairs as [`raw`] (redis-py's `pairs_to_dict`).
fn pairs_dict(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    match pairs(v) {
        Ok(pairs) => dict(py, pairs, decode).map(|d| d.into_any().unbind()),
        Err(v) => raw(py, v, decode),
    }
}

/// One stream entry `[id, [field, value...]]` as `(id, {field: value})`; nil as
/// `(None, None)`. An entry XREADGROUP's CLAIM took from another consumer carries more:
/// `(id, {field: value}, idle_ms, delivery_count)`, as redis-py.
fn stream_entry(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    match v {
        Value::Array(items) if items.len() >= 2 => {
            let mut it = items.into_iter();
            let mut out = Vec::with_capacity(it.len());
            if let (Some(id), Some(fields)) = (it.next(), it.next()) {
                out.push(raw(py, id, decode)?);
                out.push(match fields {
                    Value::Nil => py.None(),
                    f => pairs_dict(py, f, decode)?,
                });
            }
            for extra in it {
                out.push(raw(py, extra, decode)?);
            }
            Ok(PyTuple::new(py, out)?.into_any().unbind())
        }
        Value::Nil => Ok(PyTuple::new(py, [py.None(), py.None()])?
            .into_any()
            .unbind()),
        v => raw(py, v, decode),
    }
}

/// A list of stream entries (see [`Shape::Stream`]).
pub(crate) fn stream_list(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    match v {
        Value::Array(items) => {
            let entries = items
                .into_iter()
                .map(|e| stream_entry(py, e, decode))
                .collect::<PyResult<Vec<_>>>()?;
            Ok(PyList::new(py, entries)?.into_any().unbind())
        }
        v => raw(py, v, decode),
    }
}

/// `[lon, lat]` as `(float, float)`; anything else as [`raw`].
pub(crate) fn coord(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    match v {
        Value::Array(items) if items.len() == 2 => {
            let mut it = items.into_iter();
            match (it.next(), it.next()) {
                (Some(lon), Some(lat)) => Ok(PyTuple::new(
                    py,
                    [float_obj(py, lon, decode)?, float_obj(py, lat, decode)?],
                )?
                .into_any()
                .unbind()),
                _ => Ok(py.None()),
            }
        }
        v => raw(py, v, decode),
    }
}

/// One GEOSEARCH result with options: the member as is, then a distance (string or double)
/// as `float`, a hash (integer) as `int`, coordinates as `(float, float)`.
fn geo_item(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    match v {
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                out.push(match item {
                    item if i == 0 => raw(py, item, decode)?,
                    item @ Value::Array(_) => coord(py, item, decode)?,
                    item => float_or_int(py, item, decode)?,
                });
            }
            Ok(PyList::new(py, out)?.into_any().unbind())
        }
        v => raw(py, v, decode),
    }
}

/// An integer as `int`, anything numeric as `float`.
fn float_or_int(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    match v {
        Value::Int(i) => Ok(i.into_pyobject(py)?.into_any().unbind()),
        v => float_obj(py, v, decode),
    }
}

/// An integer, or a string of digits, as `int` (redis-py's `int(...)`).
fn int_of(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    let parsed = match &v {
        Value::Int(i) => Some(*i),
        Value::Bulk(b) | Value::Simple(b) => {
            std::str::from_utf8(b).ok().and_then(|s| s.parse().ok())
        }
        _ => None,
    };
    match parsed {
        Some(i) => Ok(i.into_pyobject(py)?.into_any().unbind()),
        None => raw(py, v, decode),
    }
}

/// XREAD's reply (see [`Shape::XRead`]).
fn xread(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    let streams: Vec<(Value, Value)> = match v {
        Value::Nil => Vec::new(),
        Value::Map(pairs) => pairs,
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                if let Value::Array(kv) = item {
                    let mut it = kv.into_iter();
                    if let (Some(k), Some(v)) = (it.next(), it.next()) {
                        out.push((k, v));
                    }
                }
            }
            out
        }
        v => return raw(py, v, decode),
    };
    let out = streams
        .into_iter()
        .map(|(name, entries)| {
            Ok(PyList::new(
                py,
                [raw(py, name, decode)?, stream_list(py, entries, decode)?],
            )?
            .into_any()
            .unbind())
        })
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyList::new(py, out)?.into_any().unbind())
}

/// XPENDING's summary (see [`Shape::XPending`]).
fn xpending(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    match v {
        Value::Array(items) if items.len() == 4 => {
            let mut it = items.into_iter();
            let out = PyDict::new(py);
            for key in ["pending", "min", "max"] {
                out.set_item(key, raw(py, it.next().unwrap_or(Value::Nil), decode)?)?;
            }
            let consumers = PyList::empty(py);
            if let Some(Value::Array(list)) = it.next() {
                for c in list {
                    if let Value::Array(pair) = c {
                        let mut p = pair.into_iter();
                        if let (Some(name), Some(n)) = (p.next(), p.next()) {
                            let d = PyDict::new(py);
                            d.set_item("name", raw(py, name, decode)?)?;
                            d.set_item("pending", int_of(py, n, decode)?)?;
                            consumers.append(d)?;
                        }
                    }
                }
            }
            out.set_item("consumers", consumers)?;
            Ok(out.into_any().unbind())
        }
        v => raw(py, v, decode),
    }
}

/// XPENDING's extended form (see [`Shape::XPendingRange`]).
fn xpending_range(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    const KEYS: [&str; 4] = [
        "message_id",
        "consumer",
        "time_since_delivered",
        "times_delivered",
    ];
    match v {
        Value::Array(items) => {
            let out = items
                .into_iter()
                .map(|item| match item {
                    Value::Array(fields) => {
                        let d = PyDict::new(py);
                        for (k, f) in KEYS.iter().zip(fields) {
                            d.set_item(*k, raw(py, f, decode)?)?;
                        }
                        Ok(d.into_any().unbind())
                    }
                    other => raw(py, other, decode),
                })
                .collect::<PyResult<Vec<_>>>()?;
            Ok(PyList::new(py, out)?.into_any().unbind())
        }
        v => raw(py, v, decode),
    }
}

/// XINFO STREAM (see [`Shape::XInfoStream`]).
fn xinfo_stream(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    let pairs = match pairs(v) {
        Ok(p) => p,
        Err(v) => return raw(py, v, decode),
    };
    let out = PyDict::new(py);
    for (k, v) in pairs {
        let key = str_of(py, k, decode)?;
        let name: String = key.extract(py).unwrap_or_default();
        let value = match (name.as_str(), v) {
            ("first-entry" | "last-entry", Value::Nil) => py.None(),
            ("first-entry" | "last-entry", v) => stream_entry(py, v, decode)?,
            ("entries", Value::Array(entries)) => {
                let d = PyDict::new(py);
                for e in entries {
                    if let Value::Array(pair) = e {
                        let mut it = pair.into_iter();
                        if let (Some(id), Some(fields)) = (it.next(), it.next()) {
                            d.set_item(raw(py, id, decode)?, pairs_dict(py, fields, decode)?)?;
                        }
                    }
                }
                d.into_any().unbind()
            }
            ("groups", Value::Array(groups)) => {
                let list = groups
                    .into_iter()
                    .map(|g| xinfo_full_group(py, g, decode))
                    .collect::<PyResult<Vec<_>>>()?;
                PyList::new(py, list)?.into_any().unbind()
            }
            (_, v) => raw(py, v, decode)?,
        };
        out.set_item(key, value)?;
    }
    Ok(out.into_any().unbind())
}

/// One group of XINFO STREAM FULL: a dict with `str` keys, its consumers too.
fn xinfo_full_group(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    let pairs = match pairs(v) {
        Ok(p) => p,
        Err(v) => return raw(py, v, decode),
    };
    let out = PyDict::new(py);
    for (k, v) in pairs {
        let is_consumers =
            matches!(&k, Value::Bulk(b) | Value::Simple(b) if &b[..] == b"consumers");
        let value = match v {
            Value::Array(cs) if is_consumers => dict_list(py, cs, decode)?,
            v => raw(py, v, decode)?,
        };
        out.set_item(str_of(py, k, decode)?, value)?;
    }
    Ok(out.into_any().unbind())
}

/// Each element as a dict with `str` keys (see [`Shape::DictList`]).
fn dict_list(py: Python<'_>, items: Vec<Value>, decode: Decode) -> PyResult<PyObject> {
    let out = items
        .into_iter()
        .map(|i| str_key_dict(py, i, decode))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyList::new(py, out)?.into_any().unbind())
}

/// CLIENT LIST text to a list of dicts, as redis-py's `parse_client_list`: tokens split on
/// spaces, `key=value`; a token without `=` continues the previous value (a path with a
/// space).
fn client_list(py: Python<'_>, body: &[u8]) -> PyResult<PyObject> {
    let body = String::from_utf8_lossy(body);
    let out = PyList::empty(py);
    for line in body.lines() {
        let mut fields: Vec<(String, String)> = Vec::new();
        for token in line.split(' ') {
            match token.split_once('=') {
                Some((k, v)) => fields.push((k.to_owned(), v.to_owned())),
                None => {
                    if let Some((_, last)) = fields.last_mut() {
                        last.push(' ');
                        last.push_str(token);
                    }
                }
            }
        }
        if !fields.is_empty() {
            let d = PyDict::new(py);
            for (k, v) in fields {
                d.set_item(k, v)?;
            }
            out.append(d)?;
        }
    }
    Ok(out.into_any().unbind())
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
    decode: Decode,
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
fn flat(py: Python<'_>, frame: &Frame, decode: Decode) -> Option<PyResult<PyObject>> {
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

/// An array (and, when `sets`, a RESP3 set) as a `list` of `element(item)`; any other reply
/// as it is.
pub(crate) fn list_of(
    py: Python<'_>,
    v: Value,
    decode: Decode,
    sets: bool,
    element: fn(Python<'_>, Value, Decode) -> PyResult<PyObject>,
) -> PyResult<PyObject> {
    let items = match v {
        Value::Array(items) => items,
        Value::Set(items) if sets => items,
        v => return raw(py, v, decode),
    };
    let out = items
        .into_iter()
        .map(|i| element(py, i, decode))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyList::new(py, out)?.into_any().unbind())
}

/// A SCAN cursor (an integer, or its text in RESP2); 0 for anything else.
pub(crate) fn cursor_of(cursor: &Value) -> i64 {
    match cursor {
        Value::Int(i) => *i,
        Value::Bulk(b) | Value::Simple(b) => std::str::from_utf8(b)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
        _ => 0,
    }
}

pub(crate) fn shaped(py: Python<'_>, v: Value, shape: Shape, decode: Decode) -> PyResult<PyObject> {
    let v = match v {
        Value::Attribute { data, .. } => *data,
        v => v,
    };
    if matches!(v, Value::Error(_)) {
        return raw(py, v, decode);
    }
    let v = if decode.legacy {
        v
    } else {
        match crate::unified::shaped(py, v, shape, decode) {
            Ok(obj) => return obj,
            Err(v) => v, // a shape the unified mode keeps
        }
    };
    match shape {
        Shape::Raw => raw(py, v, decode),
        Shape::OkBool if is_text(&v, b"OK") => {
            Ok(true.into_pyobject(py)?.to_owned().into_any().unbind())
        }
        // redis-py's PING callback: `str_if_bytes(r) == "PONG"` (so `False` for the reply to
        // PING with a message).
        Shape::Ping => Ok(is_text(&v, b"PONG")
            .into_pyobject(py)?
            .to_owned()
            .into_any()
            .unbind()),
        Shape::OkBool => raw(py, v, decode),
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
            Value::Array(items) => scored(py, items, decode, float_obj, false),
            v => raw(py, v, decode),
        },
        Shape::ScoredText => match v {
            Value::Array(items) => scored(py, items, decode, score_text, false),
            v => raw(py, v, decode),
        },
        Shape::FloatList => list_of(py, v, decode, false, float_or_none),
        Shape::KeyMemberScore => match v {
            Value::Array(items) if items.len() == 3 => {
                let mut it = items.into_iter();
                match (it.next(), it.next(), it.next()) {
                    (Some(k), Some(m), Some(s)) => Ok(PyTuple::new(
                        py,
                        [
                            raw(py, k, decode)?,
                            raw(py, m, decode)?,
                            float_obj(py, s, decode)?,
                        ],
                    )?
                    .into_any()
                    .unbind()),
                    _ => Ok(py.None()),
                }
            }
            v => raw(py, v, decode),
        },
        Shape::Resp2 | Shape::ZMPop | Shape::Lcs | Shape::FunctionList => resp2(py, v, decode),
        Shape::PairList => match pairs(v) {
            Ok(pairs) => {
                let out = pairs
                    .into_iter()
                    .map(|(a, b)| {
                        Ok(
                            PyTuple::new(py, [raw(py, a, decode)?, raw(py, b, decode)?])?
                                .into_any()
                                .unbind(),
                        )
                    })
                    .collect::<PyResult<Vec<_>>>()?;
                Ok(PyList::new(py, out)?.into_any().unbind())
            }
            Err(v) => raw(py, v, decode),
        },
        Shape::SlowlogGet => list_of(py, v, decode, false, slowlog_entry),
        Shape::MemoryStats => memory_stats(py, v, decode),
        Shape::TrackingInfo => tracking_info(py, v, decode),
        Shape::IntTuple => match v {
            Value::Array(items) => {
                let items = items
                    .into_iter()
                    .map(|i| int_of(py, i, decode))
                    .collect::<PyResult<Vec<_>>>()?;
                Ok(PyTuple::new(py, items)?.into_any().unbind())
            }
            v => raw(py, v, decode),
        },
        Shape::FlatPairs | Shape::FlatScores | Shape::FlatValues => flat_pairs(py, v, decode),
        Shape::Bytes => raw(py, v, Decode::utf8(false)),
        Shape::ClientInfo => match string_of(&v) {
            Some(body) => client_info(py, body.as_bytes()),
            None => raw(py, v, decode),
        },
        Shape::DebugObject => match string_of(&v) {
            Some(body) => debug_object(py, body.as_bytes()),
            None => raw(py, v, decode),
        },
        Shape::AclGetUser => match v {
            Value::Nil => Ok(py.None()),
            v => acl_getuser(py, v, decode),
        },
        Shape::AclLog => match v {
            Value::Array(_) => acl_log(py, v, decode),
            v if is_text(&v, b"OK") => Ok(true.into_pyobject(py)?.to_owned().into_any().unbind()),
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
            Value::Bulk(b) | Value::Simple(b) => text(py, &b, Decode::utf8(true)),
            v => raw(py, v, decode),
        },
        Shape::RankScore | Shape::RankScoreText => match v {
            Value::Array(items) if items.len() == 2 => {
                let score: ScoreFn = if shape == Shape::RankScore {
                    float_obj
                } else {
                    score_text
                };
                let mut it = items.into_iter();
                match (it.next(), it.next()) {
                    (Some(rank), Some(s)) => Ok(PyList::new(
                        py,
                        [raw(py, rank, decode)?, score(py, s, decode)?],
                    )?
                    .into_any()
                    .unbind()),
                    _ => Ok(py.None()),
                }
            }
            v => raw(py, v, decode),
        },
        Shape::StrList | Shape::GetKeys => list_of(py, v, decode, true, str_of),
        Shape::GeoPos => list_of(py, v, decode, false, coord),
        Shape::GeoSearch => list_of(py, v, decode, false, geo_item),
        Shape::Stream => stream_list(py, v, decode),
        Shape::XRead => xread(py, v, decode),
        Shape::XPending => xpending(py, v, decode),
        Shape::XPendingRange => xpending_range(py, v, decode),
        Shape::XAutoClaim => match v {
            Value::Array(items) => {
                let out = items
                    .into_iter()
                    .enumerate()
                    .map(|(i, item)| match i {
                        1 => stream_list(py, item, decode),
                        _ => raw(py, item, decode),
                    })
                    .collect::<PyResult<Vec<_>>>()?;
                Ok(PyList::new(py, out)?.into_any().unbind())
            }
            v => raw(py, v, decode),
        },
        Shape::XAutoClaimJustId => match v {
            Value::Array(items) if items.len() >= 2 => {
                raw(py, items.into_iter().nth(1).unwrap_or(Value::Nil), decode)
            }
            v => raw(py, v, decode),
        },
        Shape::XInfoStream => xinfo_stream(py, v, decode),
        Shape::DictList => match v {
            Value::Array(items) => dict_list(py, items, decode),
            v => raw(py, v, decode),
        },
        Shape::StrDict => match pairs(v) {
            Ok(pairs) => {
                let out = PyDict::new(py);
                for (k, v) in pairs {
                    out.set_item(str_of(py, k, decode)?, str_of(py, v, decode)?)?;
                }
                Ok(out.into_any().unbind())
            }
            Err(Value::Nil) => Ok(PyDict::new(py).into_any().unbind()),
            Err(v) => raw(py, v, decode),
        },
        Shape::ClientList => match v {
            Value::Bulk(b) | Value::Simple(b) | Value::Verbatim { text: b, .. } => {
                client_list(py, &b)
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
        Shape::Scan | Shape::HScan | Shape::ZScan | Shape::ZScanText => match v {
            Value::Array(items) if items.len() == 2 => {
                let mut it = items.into_iter();
                let (cursor, keys) = match (it.next(), it.next()) {
                    (Some(c), Some(k)) => (c, k),
                    _ => return Ok(py.None()),
                };
                let cursor = cursor_of(&cursor);
                let keys = match (shape, keys) {
                    (Shape::HScan, Value::Array(items)) => {
                        flat_dict(py, items, decode)?.into_any().unbind()
                    }
                    (Shape::ZScan, Value::Array(items)) => {
                        scored(py, items, decode, float_obj, false)?
                    }
                    (Shape::ZScanText, Value::Array(items)) => {
                        scored(py, items, decode, score_text, false)?
                    }
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
