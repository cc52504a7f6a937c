//! Reply normalisation: one canonical [`Value`] per command whether the server spoke RESP2 or RESP3.
//!
//! Each command declaration names a [`ReplyShape`]; the I/O layers call [`normalize`] on every
//! reply before handing it to [`FromValue`](crate::FromValue). Plain replies pass through untouched.

use bytes::Bytes;

use crate::{Error, ErrorKind, Result, Value};

/// How a command's reply is brought to one canonical form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReplyShape {
    /// Leave the reply as it is.
    Plain,
    /// `OK` becomes `true` (SET, MSET, FLUSHDB...). Other values pass through.
    OkBool,
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
}

/// Brings `value` to the canonical form for `shape`. Error values pass through untouched.
pub fn normalize(shape: ReplyShape, value: Value) -> Result<Value> {
    if matches!(value, Value::Error(_)) {
        return Ok(value);
    }
    match shape {
        ReplyShape::Plain => Ok(value),
        ReplyShape::OkBool => Ok(match value {
            v if v.is_ok() => Value::Boolean(true),
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
    }
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
pub fn to_double(value: &Value) -> Result<f64> {
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

/// Parses the text forms Redis uses for doubles (`1.5`, `inf`, `+inf`, `-inf`, `nan`).
pub fn parse_double(bytes: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(bytes).ok()?;
    match s {
        "inf" | "+inf" | "Inf" | "+Inf" => Some(f64::INFINITY),
        "-inf" | "-Inf" => Some(f64::NEG_INFINITY),
        _ => s.parse().ok(),
    }
}

/// Parses INFO text as redis-py's `parse_info` does: `# Section` headers are skipped, `key:value`
/// lines become entries; values become integers or doubles where they parse, `a=1,b=2` values
/// become nested maps, anything else stays text.
pub fn parse_info(text: &[u8]) -> Value {
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
