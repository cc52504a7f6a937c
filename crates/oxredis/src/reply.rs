//! Reply normalisation: one canonical [`Value`] per command whether the server spoke RESP2 or RESP3.
//!
//! Each command declaration names a [`ReplyShape`]; the I/O layers call [`normalize`] on every
//! reply before handing it to [`FromValue`](crate::FromValue). Plain replies pass through untouched.

use bytes::Bytes;

use crate::{Error, ErrorKind, Result, Value};

/// How a command's reply is brought to one canonical form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub(crate) enum ReplyShape {
    /// Leave the reply as it is.
    Plain,
    /// `OK` becomes `true` (SET, MSET, FLUSHDB...). Other values pass through.
    OkBool,
    /// A status that starts with `OK` becomes `true` (SENTINEL CKQUORUM's `OK 3 usable
    /// Sentinels...`). Other values pass through.
    OkText,
    /// Integer `0`/`1` becomes a boolean (EXPIRE, MSETNX, SISMEMBER...).
    IntBool,
    /// A flat `[k, v, k, v...]` array (RESP2) becomes a map, as RESP3 sends it (HGETALL, CONFIG GET).
    Pairs,
    /// `[member, score, ...]` (RESP2) or `[[member, score]...]` (RESP3) becomes
    /// `[[member, score(double)]...]` (ZRANGE ... WITHSCORES).
    ScoredPairs,
    /// A bulk string becomes a double (ZSCORE, INCRBYFLOAT); nil stays nil.
    Double,
    /// INFO text becomes a map of section fields, values parsed as redis-py does.
    Info,
    /// A RESP2 array that stands for a set becomes [`Value::Set`], as RESP3 sends it
    /// (SMEMBERS, SINTER...).
    Set,
    /// An array of `0`/`1` integers becomes booleans (SMISMEMBER, SCRIPT EXISTS).
    IntBools,
    /// An array of numbers or nils becomes doubles or nils (ZMSCORE).
    Doubles,
    /// `[key, member, score]` with the score a double (BZPOPMIN/BZPOPMAX); nil stays nil.
    KeyMemberScore,
    /// `[key, [member, score]...]` with scored pairs as [`ScoredPairs`](Self::ScoredPairs)
    /// (ZMPOP/BZMPOP); nil stays nil.
    KeyScoredPairs,
    /// `[field, value, ...]` (RESP2) or `[[field, value]...]` (RESP3) becomes `[[field, value]...]`
    /// (HRANDFIELD ... WITHVALUES).
    NestedPairs,
    /// A SCAN-family page `[cursor, [field, value...]]`: the page becomes a map (HSCAN).
    ScanPairs,
    /// A ZSCAN page `[cursor, [member, score...]]`: the page becomes `[[member, score]...]`.
    ScanScoredPairs,
    /// Stream entries `[[id, [field, value...]]...]`: each entry becomes `[id, map]`
    /// (XRANGE, XCLAIM); plain ids (JUSTID) pass through.
    StreamEntries,
    /// XREAD/XREADGROUP: a map `{stream: entries}` (RESP2 sends `[[stream, entries]...]`).
    XRead,
    /// XAUTOCLAIM: `[next-id, entries, deleted-ids]` with the entries normalised.
    XAutoClaim,
    /// XINFO STREAM (also FULL): a map with entries, groups and consumers normalised.
    XInfoStream,
    /// A list of flat pairs or maps becomes a list of maps (XINFO GROUPS/CONSUMERS, ACL LOG).
    MapList,
    /// Structured maps whose fields nest further maps and sets (ACL GETUSER, MEMORY STATS,
    /// FUNCTION LIST/STATS, CLIENT TRACKINGINFO, LATENCY HISTOGRAM, COMMAND DOCS, LCS IDX):
    /// flat pairs become maps, sets become arrays, numeric text becomes numbers, recursively
    /// where the layout is known.
    Deep(&'static Schema),
    /// COMMAND / COMMAND INFO: each command's array with its key specs as maps and sets as arrays.
    CommandInfo,
    /// GEOPOS: each position `[lon, lat]` as doubles, nil for missing members.
    GeoPos,
    /// GEOSEARCH/GEORADIUS with WITHDIST/WITHHASH/WITHCOORD: `[member, dist?, hash?, [lon, lat]?]`
    /// with the distance and coordinates as doubles. Plain members pass through.
    GeoSearch,
    /// CLIENT LIST text becomes a list of maps of its `name=value` fields.
    ClientList,
    /// CLIENT INFO text becomes one map of its `name=value` fields.
    ClientInfo,
    /// A flat array becomes arrays of `n` items each (SORT with several `GET`s and
    /// [`SortOptions::groups`](crate::commands::options::SortOptions::groups), redis-py's
    /// `groups=True`). `n` of 0 or 1, or a length not a multiple of `n`, passes through.
    Groups(usize),
    /// A module command's reply (JSON, Bloom family, Search, TimeSeries).
    Module(crate::modules::reply::ModuleShape),
}

/// The layout of a structured reply, for [`ReplyShape::Deep`]: tells flat RESP2 arrays that stand
/// for maps apart from real lists, so both protocols normalise to the same value.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) enum Schema {
    /// Leave as is, except that sets become arrays (recursively).
    Any,
    /// Numeric text becomes a double, as RESP3 sends it (RESP2 sends doubles as text; integers
    /// are integers on both protocols, so they stay).
    Double,
    /// A list whose items follow the inner schema.
    List(&'static Schema),
    /// A map (flat pairs in RESP2); the named fields follow their schema (a name ending in `*`
    /// matches by prefix, first match wins), others are [`Any`](Self::Any).
    Map(&'static [(&'static str, Schema)]),
    /// A map whose every value follows the inner schema.
    MapOf(&'static Schema),
    /// A stream entry `[id, [field, value...]]`, made `[id, map]`.
    Entry,
    /// A positional array: item `i` follows the `i`-th schema, items past them follow the
    /// second one (CLUSTER SLOTS: `[start, end, node...]`).
    Tuple(&'static [Schema], &'static Schema),
}

/// Brings `value` to the canonical form for `shape`. Error values pass through untouched.
pub(crate) fn normalize(shape: ReplyShape, value: Value) -> Result<Value> {
    if matches!(value, Value::Error(_)) {
        return Ok(value);
    }
    match shape {
        ReplyShape::Plain => Ok(value),
        ReplyShape::OkBool => Ok(match value {
            v if v.is_ok() => Value::Boolean(true),
            v => v,
        }),
        ReplyShape::OkText => Ok(match value {
            Value::Simple(s) if s.starts_with(b"OK") => Value::Boolean(true),
            v => v,
        }),
        ReplyShape::IntBool => Ok(match value {
            Value::Int(i) => Value::Boolean(i != 0),
            v => v,
        }),
        ReplyShape::Pairs => pairs(value),
        ReplyShape::ScoredPairs => scored_pairs(value),
        ReplyShape::Double => match value {
            Value::Nil | Value::Double(_) => Ok(value),
            other => to_double(&other).map(Value::Double),
        },
        ReplyShape::Info => match value {
            Value::Map(_) | Value::Nil => Ok(value),
            other => {
                let text = other.as_bytes().ok_or_else(|| {
                    Error::new(
                        ErrorKind::Data,
                        format!("INFO reply is a {}, expected text", other.type_name()),
                    )
                })?;
                Ok(parse_info(text))
            }
        },
        ReplyShape::Set => Ok(match value {
            Value::Array(items) => Value::Set(items),
            v => v,
        }),
        ReplyShape::IntBools => Ok(map_items(value, |v| match v {
            Value::Int(i) => Value::Boolean(i != 0),
            v => v,
        })),
        ReplyShape::Doubles => try_map_items(value, |v| match v {
            Value::Nil => Ok(Value::Nil),
            v => to_double(&v).map(Value::Double),
        }),
        ReplyShape::KeyMemberScore => match value {
            Value::Array(mut items) if items.len() == 3 => {
                items[2] = Value::Double(to_double(&items[2])?);
                Ok(Value::Array(items))
            }
            v => Ok(v),
        },
        ReplyShape::KeyScoredPairs => match value {
            Value::Array(mut items) if items.len() == 2 => {
                let pairs = std::mem::replace(&mut items[1], Value::Nil);
                items[1] = scored_pairs(pairs)?;
                Ok(Value::Array(items))
            }
            v => Ok(v),
        },
        ReplyShape::NestedPairs => nested_pairs(value),
        ReplyShape::ScanPairs => scan_page(value, pairs),
        ReplyShape::ScanScoredPairs => scan_page(value, scored_pairs),
        ReplyShape::StreamEntries => Ok(stream_entries(value)),
        ReplyShape::XRead => xread(value),
        ReplyShape::XAutoClaim => match value {
            Value::Array(mut items) if items.len() >= 2 => {
                let entries = std::mem::replace(&mut items[1], Value::Nil);
                items[1] = stream_entries(entries);
                Ok(Value::Array(items))
            }
            v => Ok(v),
        },
        ReplyShape::XInfoStream => Ok(apply(&XINFO_STREAM, value)),
        ReplyShape::MapList => Ok(apply(&MAP_LIST, value)),
        ReplyShape::Deep(schema) => Ok(apply(schema, value)),
        ReplyShape::CommandInfo => Ok(map_items(value, command_info)),
        ReplyShape::GeoPos => try_map_items(value, |pos| match pos {
            Value::Nil => Ok(Value::Nil),
            pos => try_map_items(pos, |c| to_double(&c).map(Value::Double)),
        }),
        ReplyShape::GeoSearch => try_map_items(value, geo_item),
        ReplyShape::ClientList => text_reply(value, "CLIENT LIST", |text| {
            Value::Array(
                text.split(|&b| b == b'\n')
                    .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
                    .filter(|l| !l.is_empty())
                    .map(parse_client_line)
                    .collect(),
            )
        }),
        ReplyShape::ClientInfo => text_reply(value, "CLIENT INFO", |text| {
            let line = text.strip_suffix(b"\n").unwrap_or(text);
            parse_client_line(line.strip_suffix(b"\r").unwrap_or(line))
        }),
        ReplyShape::Groups(n) => Ok(groups(value, n)),
        ReplyShape::Module(shape) => crate::modules::reply::normalize(shape, value),
    }
}

/// Cuts a flat array into arrays of `n` items; anything else passes through.
fn groups(value: Value, n: usize) -> Value {
    match value {
        Value::Array(items) if n > 1 && items.len() % n == 0 => {
            let mut out = Vec::with_capacity(items.len() / n);
            let mut it = items.into_iter();
            loop {
                let group: Vec<Value> = it.by_ref().take(n).collect();
                if group.is_empty() {
                    break;
                }
                out.push(Value::Array(group));
            }
            Value::Array(out)
        }
        v => v,
    }
}

/// Applies `f` to each item of an aggregate; other values pass through.
fn map_items(value: Value, f: impl FnMut(Value) -> Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(f).collect()),
        Value::Set(items) => Value::Set(items.into_iter().map(f).collect()),
        v => v,
    }
}

fn try_map_items(value: Value, f: impl FnMut(Value) -> Result<Value>) -> Result<Value> {
    match value {
        Value::Array(items) => Ok(Value::Array(
            items.into_iter().map(f).collect::<Result<_>>()?,
        )),
        v => Ok(v),
    }
}

fn text_reply(value: Value, what: &str, f: impl FnOnce(&[u8]) -> Value) -> Result<Value> {
    match value.as_bytes() {
        Some(text) => Ok(f(text)),
        None => Err(Error::new(
            ErrorKind::Data,
            format!("{what} reply is a {}, expected text", value.type_name()),
        )),
    }
}

/// `id=3 addr=127.0.0.1:5 name= ...` becomes a map of text values (as redis-py's
/// `parse_client_list`); the values may hold `=` (e.g. `cmd=client|list`).
fn parse_client_line(line: &[u8]) -> Value {
    Value::Map(
        line.split(|&b| b == b' ')
            .filter(|kv| !kv.is_empty())
            .map(|kv| match memchr::memchr(b'=', kv) {
                Some(eq) => (
                    Value::Bulk(Bytes::copy_from_slice(&kv[..eq])),
                    Value::Bulk(Bytes::copy_from_slice(&kv[eq + 1..])),
                ),
                None => (
                    Value::Bulk(Bytes::copy_from_slice(kv)),
                    Value::Bulk(Bytes::new()),
                ),
            })
            .collect(),
    )
}

fn nested_pairs(value: Value) -> Result<Value> {
    match value {
        Value::Array(items) if items.iter().all(|v| matches!(v, Value::Array(_))) => {
            Ok(Value::Array(items))
        }
        Value::Array(items) => {
            if items.len() % 2 != 0 {
                return Err(Error::new(ErrorKind::Protocol, "expected pairs"));
            }
            let mut out = Vec::with_capacity(items.len() / 2);
            let mut it = items.into_iter();
            while let (Some(a), Some(b)) = (it.next(), it.next()) {
                out.push(Value::Array(vec![a, b]));
            }
            Ok(Value::Array(out))
        }
        v => Ok(v),
    }
}

fn scan_page(value: Value, page: fn(Value) -> Result<Value>) -> Result<Value> {
    match value {
        Value::Array(mut items) if items.len() == 2 => {
            let p = std::mem::replace(&mut items[1], Value::Nil);
            items[1] = page(p)?;
            Ok(Value::Array(items))
        }
        v => Ok(v),
    }
}

/// `[id, [f, v...], ...]` becomes `[id, {f: v}, ...]` (CLAIM adds idle, count); else as is.
fn stream_entry(value: Value) -> Value {
    match value {
        Value::Array(mut items) if items.len() >= 2 => {
            let fields = std::mem::replace(&mut items[1], Value::Nil);
            items[1] = match fields {
                Value::Array(_) => pairs(fields).unwrap_or(Value::Nil),
                other => other,
            };
            Value::Array(items)
        }
        v => v,
    }
}

fn stream_entries(value: Value) -> Value {
    map_items(value, stream_entry)
}

fn xread(value: Value) -> Result<Value> {
    match value {
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let Value::Array(mut kv) = item else {
                    return Err(Error::new(ErrorKind::Protocol, "bad XREAD reply"));
                };
                if kv.len() != 2 {
                    return Err(Error::new(ErrorKind::Protocol, "bad XREAD reply"));
                }
                let entries = kv.pop().unwrap_or(Value::Nil);
                let key = kv.pop().unwrap_or(Value::Nil);
                out.push((key, stream_entries(entries)));
            }
            Ok(Value::Map(out))
        }
        Value::Map(m) => Ok(Value::Map(
            m.into_iter().map(|(k, v)| (k, stream_entries(v))).collect(),
        )),
        v => Ok(v),
    }
}

fn geo_item(item: Value) -> Result<Value> {
    let Value::Array(items) = item else {
        return Ok(item);
    };
    let mut out = Vec::with_capacity(items.len());
    let mut it = items.into_iter();
    if let Some(member) = it.next() {
        out.push(member);
    }
    for v in it {
        out.push(match v {
            // The hash is the only integer; the distance comes as text.
            Value::Int(_) | Value::Double(_) => v,
            Value::Array(_) => try_map_items(v, |c| to_double(&c).map(Value::Double))?,
            other => Value::Double(to_double(&other)?),
        });
    }
    Ok(Value::Array(out))
}

/// Any value, sets made arrays.
pub(crate) static ANY: Schema = Schema::Any;
/// A map of any values.
pub(crate) static ANY_MAP: Schema = Schema::Map(&[]);
/// ACL GETUSER.
pub(crate) static ACL_USER: Schema = Schema::Map(&[("selectors", Schema::List(&ANY_MAP))]);
/// MEMORY STATS: numbers parsed, `db.N` nested.
pub(crate) static MEMORY_STATS: Schema = Schema::Map(&[
    ("db.*", Schema::MapOf(&Schema::Double)),
    ("*", Schema::Double),
]);
/// FUNCTION LIST.
pub(crate) static FUNCTION_LIST: Schema =
    Schema::List(&Schema::Map(&[("functions", Schema::List(&ANY_MAP))]));
/// FUNCTION STATS.
pub(crate) static FUNCTION_STATS: Schema = Schema::Map(&[
    ("running_script", Schema::Map(&[])),
    ("engines", Schema::MapOf(&ANY_MAP)),
]);
/// LATENCY HISTOGRAM.
pub(crate) static LATENCY_HISTOGRAM: Schema =
    Schema::MapOf(&Schema::Map(&[("histogram_usec", Schema::Map(&[]))]));
static DOC_ARG: Schema = Schema::Map(&[("arguments", Schema::List(&DOC_ARG))]);
static DOC: Schema = Schema::Map(&[
    ("arguments", Schema::List(&DOC_ARG)),
    ("subcommands", Schema::MapOf(&DOC)),
]);
/// COMMAND DOCS.
pub(crate) static COMMAND_DOCS: Schema = Schema::MapOf(&DOC);
/// CLUSTER SLOTS: `[start, end, node...]`, each node `[ip, port, id, metadata]` whose metadata
/// (`hostname`...) is a map, sent as flat pairs in RESP2.
pub(crate) static CLUSTER_SLOTS: Schema = Schema::List(&Schema::Tuple(
    &[Schema::Any, Schema::Any],
    &Schema::Tuple(
        &[Schema::Any, Schema::Any, Schema::Any, Schema::Map(&[])],
        &Schema::Any,
    ),
));
/// CLUSTER SHARDS.
pub(crate) static CLUSTER_SHARDS: Schema =
    Schema::List(&Schema::Map(&[("nodes", Schema::List(&ANY_MAP))]));

static MAP_LIST: Schema = Schema::List(&Schema::Map(&[("age-seconds", Schema::Double)]));
static CONSUMER: Schema = Schema::Map(&[]);
static GROUP: Schema = Schema::Map(&[("consumers", Schema::List(&CONSUMER))]);
static XINFO_STREAM: Schema = Schema::Map(&[
    ("first-entry", Schema::Entry),
    ("last-entry", Schema::Entry),
    ("entries", Schema::List(&Schema::Entry)),
    ("groups", Schema::List(&GROUP)),
]);
static KEY_SPEC: Schema = Schema::Map(&[
    ("begin_search", Schema::Map(&[("spec", Schema::Map(&[]))])),
    ("find_keys", Schema::Map(&[("spec", Schema::Map(&[]))])),
]);

/// One COMMAND INFO entry: positional, with key specs (element 8) as maps and subcommands
/// (element 9) recursively.
fn command_info(value: Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| match i {
                    8 => apply(&Schema::List(&KEY_SPEC), v),
                    // RESP3 sends the subcommands as a set.
                    9 => match map_items(v, command_info) {
                        Value::Set(items) => Value::Array(items),
                        v => v,
                    },
                    _ => apply(&Schema::Any, v),
                })
                .collect(),
        ),
        v => v,
    }
}

/// Normalises `value` by `schema` (see [`Schema`]).
pub(crate) fn apply(schema: &Schema, value: Value) -> Value {
    match (schema, value) {
        (_, Value::Nil) => Value::Nil,
        (Schema::Any, Value::Set(items) | Value::Array(items)) => {
            Value::Array(items.into_iter().map(|v| apply(&Schema::Any, v)).collect())
        }
        (Schema::Any, Value::Map(m)) => Value::Map(
            m.into_iter()
                .map(|(k, v)| (k, apply(&Schema::Any, v)))
                .collect(),
        ),
        (Schema::Any, v) => v,
        (Schema::Double, v @ (Value::Bulk(_) | Value::Simple(_))) => {
            match v.as_bytes().and_then(parse_double) {
                Some(d) => Value::Double(d),
                None => v,
            }
        }
        (Schema::Double, v) => v,
        (Schema::List(inner), Value::Array(items) | Value::Set(items)) => {
            Value::Array(items.into_iter().map(|v| apply(inner, v)).collect())
        }
        (Schema::Map(fields), v) => map_fields(v, |k| {
            let name = k.as_bytes().unwrap_or_default();
            fields
                .iter()
                .find(|(f, _)| match f.strip_suffix('*') {
                    Some(prefix) => name.starts_with(prefix.as_bytes()),
                    None => f.as_bytes() == name,
                })
                .map_or(&Schema::Any, |(_, s)| s)
        }),
        (Schema::MapOf(inner), v) => map_fields(v, |_| inner),
        (Schema::Entry, v) => stream_entry(v),
        (Schema::Tuple(first, rest), Value::Array(items) | Value::Set(items)) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| apply(first.get(i).unwrap_or(rest), v))
                .collect(),
        ),
        (_, v) => v,
    }
}

fn map_fields<'s>(value: Value, schema_of: impl Fn(&Value) -> &'s Schema) -> Value {
    let kvs = match value {
        Value::Map(m) => m,
        Value::Array(items) if items.len() % 2 == 0 => {
            let mut out = Vec::with_capacity(items.len() / 2);
            let mut it = items.into_iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                out.push((k, v));
            }
            out
        }
        v => return v,
    };
    Value::Map(
        kvs.into_iter()
            .map(|(k, v)| {
                let v = apply(schema_of(&k), v);
                (k, v)
            })
            .collect(),
    )
}

fn pairs(value: Value) -> Result<Value> {
    match value {
        Value::Array(items) => {
            if items.len() % 2 != 0 {
                return Err(Error::new(
                    ErrorKind::Protocol,
                    "expected an even number of elements for a map",
                ));
            }
            let mut out = Vec::with_capacity(items.len() / 2);
            let mut it = items.into_iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                out.push((k, v));
            }
            Ok(Value::Map(out))
        }
        other => Ok(other),
    }
}

fn scored_pairs(value: Value) -> Result<Value> {
    let items = match value {
        Value::Array(items) => items,
        other => return Ok(other),
    };
    // RESP3 already nests each pair; RESP2 sends them flat.
    if items.iter().all(|v| matches!(v, Value::Array(_))) && !items.is_empty() {
        let mut out = Vec::with_capacity(items.len());
        for pair in items {
            let Value::Array(mut pair) = pair else {
                return Err(Error::new(ErrorKind::Protocol, "bad scored pair"));
            };
            if pair.len() != 2 {
                return Err(Error::new(ErrorKind::Protocol, "bad scored pair"));
            }
            let score = to_double(&pair[1])?;
            pair[1] = Value::Double(score);
            out.push(Value::Array(pair));
        }
        return Ok(Value::Array(out));
    }
    if items.len() % 2 != 0 {
        return Err(Error::new(
            ErrorKind::Protocol,
            "expected member/score pairs",
        ));
    }
    let mut out = Vec::with_capacity(items.len() / 2);
    let mut it = items.into_iter();
    while let (Some(member), Some(score)) = (it.next(), it.next()) {
        let score = to_double(&score)?;
        out.push(Value::Array(vec![member, Value::Double(score)]));
    }
    Ok(Value::Array(out))
}

/// Parses a double from a RESP value: a RESP3 double, an integer, or text like `1.5`, `inf`.
pub(crate) fn to_double(value: &Value) -> Result<f64> {
    match value {
        Value::Double(d) => Ok(*d),
        Value::Int(i) => Ok(*i as f64),
        other => {
            let bytes = other.as_bytes().ok_or_else(|| {
                Error::new(
                    ErrorKind::Data,
                    format!("expected a number, got a {}", other.type_name()),
                )
            })?;
            parse_double(bytes).ok_or_else(|| {
                Error::new(
                    ErrorKind::Data,
                    format!("not a number: {:?}", String::from_utf8_lossy(bytes)),
                )
            })
        }
    }
}

/// Parses the text forms Redis uses for doubles (`1.5`, `inf`, `+inf`, `-inf`, `nan`): Rust's
/// own parser takes them all (infinities in any case, with a sign).
pub(crate) fn parse_double(bytes: &[u8]) -> Option<f64> {
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

/// Parses INFO text as redis-py's `parse_info` does: `# Section` headers are skipped, `key:value`
/// lines become entries; values become integers or doubles where they parse, `a=1,b=2` values
/// become nested maps, anything else stays text.
pub(crate) fn parse_info(text: &[u8]) -> Value {
    let mut out = Vec::new();
    for line in text.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() || line.starts_with(b"#") {
            continue;
        }
        let Some(colon) = memchr::memchr(b':', line) else {
            // redis-py keeps such lines under `__raw__`; they only occur in module sections.
            continue;
        };
        let (key, value) = (&line[..colon], &line[colon + 1..]);
        out.push((
            Value::Bulk(Bytes::copy_from_slice(key)),
            info_value(key, value),
        ));
    }
    Value::Map(out)
}

fn info_value(key: &[u8], value: &[u8]) -> Value {
    // `keyspace` and `dbN` lines, cmdstat, errorstat, slaves: comma-separated k=v lists.
    let is_dict = memchr::memchr(b'=', value).is_some()
        && !key.starts_with(b"module")
        && value.split(|&b| b == b',').all(|kv| kv.contains(&b'='));
    if is_dict {
        let mut map = Vec::new();
        for kv in value.split(|&b| b == b',') {
            if let Some(eq) = memchr::memchr(b'=', kv) {
                map.push((
                    Value::Bulk(Bytes::copy_from_slice(&kv[..eq])),
                    scalar(&kv[eq + 1..]),
                ));
            }
        }
        return Value::Map(map);
    }
    scalar(value)
}

fn scalar(value: &[u8]) -> Value {
    if let Some(i) = std::str::from_utf8(value)
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
    {
        return Value::Int(i);
    }
    // Version strings like 7.0.15 do not parse as floats, so they stay text.
    if let Some(d) = std::str::from_utf8(value)
        .ok()
        .filter(|s| s.contains('.'))
        .and_then(|s| s.parse::<f64>().ok())
    {
        return Value::Double(d);
    }
    Value::Bulk(Bytes::copy_from_slice(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::Bulk(Bytes::copy_from_slice(s.as_bytes()))
    }

    #[test]
    fn resp2_and_resp3_scored_pairs_agree() {
        let resp2 = Value::Array(vec![bulk("a"), bulk("1.5"), bulk("b"), bulk("inf")]);
        let resp3 = Value::Array(vec![
            Value::Array(vec![bulk("a"), Value::Double(1.5)]),
            Value::Array(vec![bulk("b"), Value::Double(f64::INFINITY)]),
        ]);
        let a = normalize(ReplyShape::ScoredPairs, resp2).unwrap();
        let b = normalize(ReplyShape::ScoredPairs, resp3).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn info_is_parsed() {
        let text = b"# Server\r\nredis_version:7.0.15\r\nuptime_in_seconds:12\r\n\r\n# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\nmem_fragmentation_ratio:1.5\r\n";
        let Value::Map(m) = parse_info(text) else {
            panic!()
        };
        assert_eq!(m[0], (bulk("redis_version"), bulk("7.0.15")));
        assert_eq!(m[1], (bulk("uptime_in_seconds"), Value::Int(12)));
        assert_eq!(
            m[2].1,
            Value::Map(vec![
                (bulk("keys"), Value::Int(1)),
                (bulk("expires"), Value::Int(0)),
                (bulk("avg_ttl"), Value::Int(0))
            ])
        );
        assert_eq!(m[3].1, Value::Double(1.5));
    }
}

#[cfg(test)]
mod shape_tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::Bulk(Bytes::copy_from_slice(s.as_bytes()))
    }

    fn arr(items: Vec<Value>) -> Value {
        Value::Array(items)
    }

    #[test]
    fn stream_entries_convert_the_fields_of_entries_that_have_them() {
        let entries = |e: Vec<Value>| arr(vec![arr(e)]);
        // Entries without fields (malformed) pass through; nothing panics.
        for n in [0, 1] {
            let e: Vec<Value> = (0..n).map(|i| bulk(&format!("x{i}"))).collect();
            assert_eq!(
                normalize(ReplyShape::StreamEntries, entries(e.clone())).unwrap(),
                entries(e)
            );
        }
        // An entry XREADGROUP ... CLAIM returns also carries its idle time and delivery
        // count: its fields are converted, the rest kept.
        let fields = arr(vec![bulk("f"), bulk("v")]);
        let claimed = entries(vec![bulk("1-0"), fields, Value::Int(25), Value::Int(2)]);
        assert_eq!(
            normalize(ReplyShape::StreamEntries, claimed).unwrap(),
            entries(vec![
                bulk("1-0"),
                Value::Map(vec![(bulk("f"), bulk("v"))]),
                Value::Int(25),
                Value::Int(2)
            ])
        );
    }

    #[test]
    fn replies_of_unexpected_length_pass_through_unchanged() {
        // A malformed or hostile reply must not panic nor be half-converted: shapes that
        // expect a fixed layout leave anything else as it came.
        let odd = |n: usize| arr((0..n).map(|i| bulk(&format!("x{i}"))).collect());
        for n in [0, 1, 2, 4] {
            assert_eq!(
                normalize(ReplyShape::KeyMemberScore, odd(n)).unwrap(),
                odd(n),
                "BZPOPMIN of {n}"
            );
        }
        for n in [0, 1, 3] {
            assert_eq!(
                normalize(ReplyShape::KeyScoredPairs, odd(n)).unwrap(),
                odd(n),
                "ZMPOP of {n}"
            );
        }
        for n in [0, 1] {
            assert_eq!(
                normalize(ReplyShape::XAutoClaim, odd(n)).unwrap(),
                odd(n),
                "XAUTOCLAIM of {n}"
            );
        }
        for shape in [ReplyShape::ScanPairs, ReplyShape::ScanScoredPairs] {
            for n in [0, 1, 3] {
                assert_eq!(
                    normalize(shape, odd(n)).unwrap(),
                    odd(n),
                    "{shape:?} of {n}"
                );
            }
        }
        // The expected layouts do convert.
        let bz = arr(vec![bulk("k"), bulk("m"), bulk("1.5")]);
        assert_eq!(
            normalize(ReplyShape::KeyMemberScore, bz).unwrap(),
            arr(vec![bulk("k"), bulk("m"), Value::Double(1.5)])
        );
        let zm = arr(vec![bulk("k"), arr(vec![arr(vec![bulk("m"), bulk("2")])])]);
        assert_eq!(
            normalize(ReplyShape::KeyScoredPairs, zm).unwrap(),
            arr(vec![
                bulk("k"),
                arr(vec![arr(vec![bulk("m"), Value::Double(2.0)])])
            ])
        );
    }

    #[test]
    fn command_info_turns_key_specs_into_maps_in_subcommands_too() {
        // RESP2 sends key specs as flat pairs; a container's subcommands (element 9) carry their
        // own key specs at their element 8.
        let spec = || {
            arr(vec![
                bulk("begin_search"),
                arr(vec![
                    bulk("type"),
                    bulk("index"),
                    bulk("spec"),
                    arr(vec![bulk("index"), Value::Int(1)]),
                ]),
            ])
        };
        let spec_map = || {
            Value::Map(vec![(
                bulk("begin_search"),
                Value::Map(vec![
                    (bulk("type"), bulk("index")),
                    (
                        bulk("spec"),
                        Value::Map(vec![(bulk("index"), Value::Int(1))]),
                    ),
                ]),
            )])
        };
        let entry = |name: &str, specs: Value, subs: Value| {
            let mut items: Vec<Value> = (0..8).map(Value::Int).collect();
            items[0] = bulk(name);
            items.push(specs);
            items.push(subs);
            arr(items)
        };
        let resp2 = arr(vec![entry(
            "object",
            arr(vec![]),
            arr(vec![entry(
                "object|encoding",
                arr(vec![spec()]),
                arr(vec![]),
            )]),
        )]);
        let want = arr(vec![entry(
            "object",
            arr(vec![]),
            arr(vec![entry(
                "object|encoding",
                arr(vec![spec_map()]),
                arr(vec![]),
            )]),
        )]);
        assert_eq!(normalize(ReplyShape::CommandInfo, resp2).unwrap(), want);
        // RESP3 sends the subcommands as a set: an array in the canonical form.
        let resp3 = arr(vec![entry(
            "object",
            arr(vec![]),
            Value::Set(vec![entry(
                "object|encoding",
                arr(vec![spec_map()]),
                arr(vec![]),
            )]),
        )]);
        assert_eq!(normalize(ReplyShape::CommandInfo, resp3).unwrap(), want);
    }

    #[test]
    fn a_map_schema_leaves_an_odd_flat_list_unchanged() {
        let odd = arr(vec![bulk("a"), Value::Int(1), bulk("b")]);
        assert_eq!(apply(&ANY_MAP, odd.clone()), odd);
        let even = arr(vec![bulk("a"), Value::Int(1)]);
        assert_eq!(
            apply(&ANY_MAP, even),
            Value::Map(vec![(bulk("a"), Value::Int(1))])
        );
    }

    #[test]
    fn doubles_in_every_text_form_redis_sends() {
        for (text, want) in [
            ("1.5", 1.5),
            ("-0.25", -0.25),
            ("3", 3.0),
            ("1e20", 1e20),
            ("inf", f64::INFINITY),
            ("+inf", f64::INFINITY),
            ("Inf", f64::INFINITY),
            ("-inf", f64::NEG_INFINITY),
            ("-Inf", f64::NEG_INFINITY),
        ] {
            assert_eq!(parse_double(text.as_bytes()), Some(want), "{text}");
        }
        assert!(parse_double(b"nan").is_some_and(f64::is_nan));
        for bad in [&b""[..], b"1.5x", b" 1", b"\xff"] {
            assert_eq!(parse_double(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn info_text_skips_headers_and_parses_values_like_redis_py() {
        let text = b"# Server\r\nredis_version:7.0.15\r\n# Header: with colon\r\n\r\n\
                     uptime:12\r\nratio:0.5\r\ndb0:keys=3,expires=0\r\n\
                     module:name=search,ver=20810\r\nmixed:a=1,b\r\nplain:text\r\nnocolon\r\n";
        let m = |pairs: Vec<(&str, Value)>| {
            Value::Map(pairs.into_iter().map(|(k, v)| (bulk(k), v)).collect())
        };
        assert_eq!(
            parse_info(text),
            m(vec![
                ("redis_version", bulk("7.0.15")),
                ("uptime", Value::Int(12)),
                ("ratio", Value::Double(0.5)),
                (
                    "db0",
                    m(vec![("keys", Value::Int(3)), ("expires", Value::Int(0))])
                ),
                // Module lines stay text, as do values that are not all k=v.
                ("module", bulk("name=search,ver=20810")),
                ("mixed", bulk("a=1,b")),
                ("plain", bulk("text")),
            ])
        );
    }

    #[test]
    fn xread_resp2_and_resp3_agree() {
        let entry = arr(vec![bulk("1-0"), arr(vec![bulk("f"), bulk("v")])]);
        let resp2 = arr(vec![arr(vec![bulk("s"), arr(vec![entry.clone()])])]);
        let resp3 = Value::Map(vec![(bulk("s"), arr(vec![entry]))]);
        let a = normalize(ReplyShape::XRead, resp2).unwrap();
        assert_eq!(a, normalize(ReplyShape::XRead, resp3).unwrap());
        let want = Value::Map(vec![(
            bulk("s"),
            arr(vec![arr(vec![
                bulk("1-0"),
                Value::Map(vec![(bulk("f"), bulk("v"))]),
            ])]),
        )]);
        assert_eq!(a, want);
        assert_eq!(
            normalize(ReplyShape::XRead, Value::Nil).unwrap(),
            Value::Nil
        );
    }

    #[test]
    fn geo_search_items_get_double_distances_and_coordinates() {
        let resp2 = arr(vec![arr(vec![
            bulk("Palermo"),
            bulk("190.4424"),
            Value::Int(3479099956230698),
            arr(vec![bulk("13.36"), bulk("38.11")]),
        ])]);
        let got = normalize(ReplyShape::GeoSearch, resp2).unwrap();
        assert_eq!(
            got,
            arr(vec![arr(vec![
                bulk("Palermo"),
                Value::Double(190.4424),
                Value::Int(3479099956230698),
                arr(vec![Value::Double(13.36), Value::Double(38.11)]),
            ])])
        );
        // Without WITH* options, members pass through.
        let plain = arr(vec![bulk("a")]);
        assert_eq!(
            normalize(ReplyShape::GeoSearch, plain.clone()).unwrap(),
            plain
        );
    }

    #[test]
    fn client_list_text_becomes_maps() {
        let text =
            bulk("id=3 addr=127.0.0.1:5 name= cmd=client|list\nid=4 addr=x:1 name=w cmd=get\n");
        let Value::Array(clients) = normalize(ReplyShape::ClientList, text).unwrap() else {
            panic!()
        };
        assert_eq!(clients.len(), 2);
        assert_eq!(
            clients[0],
            Value::Map(vec![
                (bulk("id"), bulk("3")),
                (bulk("addr"), bulk("127.0.0.1:5")),
                (bulk("name"), bulk("")),
                (bulk("cmd"), bulk("client|list")),
            ])
        );
        let verbatim = Value::Verbatim {
            format: *b"txt",
            text: Bytes::from_static(b"id=9 name=n\n"),
        };
        let Value::Map(one) = normalize(ReplyShape::ClientInfo, verbatim).unwrap() else {
            panic!()
        };
        assert_eq!(one[1], (bulk("name"), bulk("n")));
    }

    #[test]
    fn deep_schemas_turn_flat_pairs_into_maps_and_sets_into_arrays() {
        let resp2 = arr(vec![
            bulk("flags"),
            arr(vec![bulk("on")]),
            bulk("selectors"),
            arr(vec![arr(vec![bulk("keys"), bulk("~x*")])]),
        ]);
        let resp3 = Value::Map(vec![
            (bulk("flags"), Value::Set(vec![bulk("on")])),
            (
                bulk("selectors"),
                arr(vec![Value::Map(vec![(bulk("keys"), bulk("~x*"))])]),
            ),
        ]);
        let shape = ReplyShape::Deep(&ACL_USER);
        assert_eq!(
            normalize(shape, resp2).unwrap(),
            normalize(shape, resp3).unwrap()
        );
        // MEMORY STATS: RESP2 doubles are text, integers stay integers, `db.N` nests.
        let stats = arr(vec![
            bulk("peak.percentage"),
            bulk("0"),
            bulk("keys.count"),
            Value::Int(1),
            bulk("db.0"),
            arr(vec![bulk("overhead.hashtable.main"), Value::Int(72)]),
        ]);
        let Value::Map(m) = normalize(ReplyShape::Deep(&MEMORY_STATS), stats).unwrap() else {
            panic!()
        };
        assert_eq!(m[0].1, Value::Double(0.0));
        assert_eq!(m[1].1, Value::Int(1));
        assert!(matches!(m[2].1, Value::Map(_)));
    }

    #[test]
    fn scan_pages_and_pops_are_normalised() {
        let hscan = arr(vec![bulk("0"), arr(vec![bulk("f"), bulk("v")])]);
        assert_eq!(
            normalize(ReplyShape::ScanPairs, hscan).unwrap(),
            arr(vec![bulk("0"), Value::Map(vec![(bulk("f"), bulk("v"))])])
        );
        let bzpop = arr(vec![bulk("z"), bulk("m"), bulk("1.5")]);
        assert_eq!(
            normalize(ReplyShape::KeyMemberScore, bzpop).unwrap(),
            arr(vec![bulk("z"), bulk("m"), Value::Double(1.5)])
        );
        let zmpop = arr(vec![bulk("z"), arr(vec![arr(vec![bulk("m"), bulk("2")])])]);
        assert_eq!(
            normalize(ReplyShape::KeyScoredPairs, zmpop).unwrap(),
            arr(vec![
                bulk("z"),
                arr(vec![arr(vec![bulk("m"), Value::Double(2.0)])])
            ])
        );
        assert_eq!(
            normalize(
                ReplyShape::IntBools,
                arr(vec![Value::Int(1), Value::Int(0)])
            )
            .unwrap(),
            arr(vec![Value::Boolean(true), Value::Boolean(false)])
        );
    }

    /// `OkText` (SENTINEL CKQUORUM): a status that starts with `OK` is `true`; any other
    /// status is handed on as it came.
    #[test]
    fn ok_text_is_true_only_for_a_status_starting_with_ok() {
        let ok = Value::Simple(Bytes::from_static(
            b"OK 3 usable Sentinels. Quorum and failover authorization can be reached",
        ));
        assert_eq!(
            normalize(ReplyShape::OkText, ok).unwrap(),
            Value::Boolean(true)
        );
        let other = Value::Simple(Bytes::from_static(b"QUEUED"));
        assert_eq!(normalize(ReplyShape::OkText, other.clone()).unwrap(), other);
    }

    #[test]
    fn sort_groups_cut_the_flat_reply_per_get() {
        // SORT ... GET # GET w_*: element, weight, element, weight.
        let flat = arr(vec![bulk("3"), bulk("10"), Value::Nil, bulk("20")]);
        assert_eq!(
            normalize(ReplyShape::Groups(2), flat.clone()).unwrap(),
            arr(vec![
                arr(vec![bulk("3"), bulk("10")]),
                arr(vec![Value::Nil, bulk("20")])
            ])
        );
        // Nothing to group: empty stays empty; one GET or a ragged length passes through.
        assert_eq!(
            normalize(ReplyShape::Groups(2), arr(vec![])).unwrap(),
            arr(vec![])
        );
        assert_eq!(
            normalize(ReplyShape::Groups(1), flat.clone()).unwrap(),
            flat
        );
        assert_eq!(
            normalize(ReplyShape::Groups(3), flat.clone()).unwrap(),
            flat
        );
        assert_eq!(
            normalize(ReplyShape::Groups(2), Value::Int(4)).unwrap(),
            Value::Int(4)
        );
    }

    #[test]
    fn cluster_slots_node_metadata_is_a_map_on_both_protocols() {
        let node = |meta: Value| arr(vec![bulk("127.0.0.1"), Value::Int(7000), bulk("id1"), meta]);
        let slots = |meta: Value, replica_meta: Value| {
            arr(vec![arr(vec![
                Value::Int(0),
                Value::Int(5460),
                node(meta),
                node(replica_meta),
            ])])
        };
        let shape = ReplyShape::Deep(&CLUSTER_SLOTS);
        // RESP2 sends the metadata as flat pairs (empty when there is none), RESP3 as maps.
        let resp2 = slots(arr(vec![bulk("hostname"), bulk("h1")]), arr(vec![]));
        let resp3 = slots(
            Value::Map(vec![(bulk("hostname"), bulk("h1"))]),
            Value::Map(vec![]),
        );
        let want = slots(
            Value::Map(vec![(bulk("hostname"), bulk("h1"))]),
            Value::Map(vec![]),
        );
        assert_eq!(normalize(shape, resp2).unwrap(), want);
        assert_eq!(normalize(shape, resp3).unwrap(), want);
        // Redis 6 nodes have no metadata: nothing to convert.
        let old = arr(vec![arr(vec![
            Value::Int(0),
            Value::Int(1),
            arr(vec![bulk("127.0.0.1"), Value::Int(7000), bulk("id1")]),
        ])]);
        assert_eq!(normalize(shape, old.clone()).unwrap(), old);
    }
}
