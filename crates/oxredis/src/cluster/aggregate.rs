//! Combining the replies of a command sent to several nodes into one, per the command's
//! declared [`Aggregate`] (redis-py's `RESULT_CALLBACKS`).

use std::collections::HashSet;

use bytes::Bytes;

use super::redirect::NodeAddr;
use crate::commands::Aggregate;
use crate::error::{Error, ErrorKind, Result};
use crate::value::Value;

fn unexpected(how: Aggregate, v: &Value) -> Error {
    Error::new(
        ErrorKind::Protocol,
        format!("cannot combine a {} reply as {how:?}", v.type_name()),
    )
}

fn name(node: &NodeAddr) -> Value {
    Value::Bulk(Bytes::from(node.to_string()))
}

fn int(how: Aggregate, v: &Value) -> Result<i64> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Boolean(b) => Ok(i64::from(*b)),
        _ => Err(unexpected(how, v)),
    }
}

/// A success reply in redis-py's truthiness: a status (`OK`, `PONG`), a non-zero number,
/// `true`.
fn succeeded(v: &Value) -> bool {
    match v {
        Value::Simple(_) => true,
        Value::Int(i) => *i != 0,
        Value::Boolean(b) => *b,
        Value::Bulk(b) => !b.is_empty(),
        _ => false,
    }
}

fn items(how: Aggregate, v: Value) -> Result<Vec<Value>> {
    match v {
        Value::Array(items) | Value::Set(items) => Ok(items),
        Value::Nil => Ok(Vec::new()),
        v => Err(unexpected(how, &v)),
    }
}

/// `(key, value)` pairs of a map or a flat `[k, v, ...]` array.
fn pairs(how: Aggregate, v: Value) -> Result<Vec<(Value, Value)>> {
    match v {
        Value::Map(pairs) => Ok(pairs),
        Value::Array(items) if items.len() % 2 == 0 => {
            let mut it = items.into_iter();
            let mut out = Vec::new();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                out.push((k, v));
            }
            Ok(out)
        }
        v => Err(unexpected(how, &v)),
    }
}

/// Combines the replies of the nodes a command went to (in the order it was sent), as `how`
/// says:
/// - `PerNode`: one node's reply as it is, several as a map `host:port` → reply;
/// - `Sum`: the integers added; `AnyPositive`: 1 when any is above 0, else 0;
/// - `AllOk`: the first reply that is not a success, or the first reply when all succeeded;
/// - `Concat`: the union of the lists (or sets), in first-seen order, as one list;
/// - `SumPerChannel`: `(channel, count)` pairs (map or flat array) added per channel, in
///   first-seen order, in the first reply's form;
/// - `AllPerPosition`: per position, 1 when every node answered true there, else 0;
/// - `One`: the first reply;
/// - `Scan`: `[{host:port: cursor...}, [keys...]]` from each node's `[cursor, keys]`.
///
/// # Errors
/// [`ErrorKind::Protocol`] when a reply does not have the shape the aggregation needs, or there
/// is no reply at all.
pub(crate) fn aggregate(how: Aggregate, replies: Vec<(NodeAddr, Value)>) -> Result<Value> {
    if replies.is_empty() {
        return Err(Error::new(ErrorKind::Protocol, "no node replied"));
    }
    match how {
        Aggregate::PerNode if replies.len() == 1 => Ok(replies
            .into_iter()
            .map(|(_, v)| v)
            .next()
            .unwrap_or(Value::Nil)),
        Aggregate::PerNode => Ok(Value::Map(
            replies.into_iter().map(|(n, v)| (name(&n), v)).collect(),
        )),
        Aggregate::Sum => {
            let mut sum = 0i64;
            for (_, v) in &replies {
                sum = sum.saturating_add(int(how, v)?);
            }
            Ok(Value::Int(sum))
        }
        Aggregate::AnyPositive => {
            let mut any = false;
            for (_, v) in &replies {
                any |= int(how, v)? > 0;
            }
            Ok(Value::Int(i64::from(any)))
        }
        Aggregate::AllOk => {
            let failed = replies.iter().position(|(_, v)| !succeeded(v)).unwrap_or(0);
            Ok(replies
                .into_iter()
                .nth(failed)
                .map_or(Value::Nil, |(_, v)| v))
        }
        Aggregate::One => Ok(replies
            .into_iter()
            .map(|(_, v)| v)
            .next()
            .unwrap_or(Value::Nil)),
        Aggregate::Concat => {
            // A union, as redis-py's `merge_result`: replicas hold their primary's keys, and a
            // channel may have subscribers on several nodes.
            let mut out = Vec::new();
            let mut seen: HashSet<Bytes> = HashSet::new();
            for (_, v) in replies {
                for item in items(how, v)? {
                    let new = match &item {
                        Value::Bulk(b) | Value::Simple(b) => seen.insert(b.clone()),
                        other => !out.contains(other),
                    };
                    if new {
                        out.push(item);
                    }
                }
            }
            Ok(Value::Array(out))
        }
        Aggregate::SumPerChannel => {
            let as_map = matches!(replies.first(), Some((_, Value::Map(_))));
            let mut totals: Vec<(Value, i64)> = Vec::new();
            for (_, v) in replies {
                for (channel, count) in pairs(how, v)? {
                    let count = int(how, &count)?;
                    match totals.iter_mut().find(|(c, _)| *c == channel) {
                        Some((_, n)) => *n = n.saturating_add(count),
                        None => totals.push((channel, count)),
                    }
                }
            }
            Ok(if as_map {
                Value::Map(
                    totals
                        .into_iter()
                        .map(|(c, n)| (c, Value::Int(n)))
                        .collect(),
                )
            } else {
                Value::Array(
                    totals
                        .into_iter()
                        .flat_map(|(c, n)| [c, Value::Int(n)])
                        .collect(),
                )
            })
        }
        Aggregate::AllPerPosition => {
            let mut all: Option<Vec<bool>> = None;
            for (_, v) in replies {
                let flags: Vec<bool> = items(how, v)?.iter().map(succeeded).collect();
                all = Some(match all {
                    None => flags,
                    Some(prev) => prev.iter().zip(&flags).map(|(a, b)| *a && *b).collect(),
                });
            }
            Ok(Value::Array(
                all.unwrap_or_default()
                    .into_iter()
                    .map(|b| Value::Int(i64::from(b)))
                    .collect(),
            ))
        }
        Aggregate::Scan => {
            let mut cursors = Vec::new();
            let mut keys = Vec::new();
            for (node, v) in replies {
                let mut parts = items(how, v)?.into_iter();
                let (Some(cursor), Some(batch), None) = (parts.next(), parts.next(), parts.next())
                else {
                    return Err(Error::new(
                        ErrorKind::Protocol,
                        "a SCAN reply is not [cursor, keys]",
                    ));
                };
                cursors.push((name(&node), cursor));
                keys.extend(items(how, batch)?);
            }
            Ok(Value::Array(vec![Value::Map(cursors), Value::Array(keys)]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::Bulk(Bytes::copy_from_slice(s.as_bytes()))
    }

    fn simple(s: &str) -> Value {
        Value::Simple(Bytes::copy_from_slice(s.as_bytes()))
    }

    fn on3(values: [Value; 3]) -> Vec<(NodeAddr, Value)> {
        values
            .into_iter()
            .zip([7000, 7001, 7002])
            .map(|(v, p)| (NodeAddr::new("127.0.0.1", p), v))
            .collect()
    }

    #[test]
    fn per_node_map_or_the_single_reply() {
        let one = vec![(NodeAddr::new("h", 1), bulk("x"))];
        assert_eq!(aggregate(Aggregate::PerNode, one).unwrap(), bulk("x"));
        let all = aggregate(
            Aggregate::PerNode,
            on3([bulk("a"), bulk("b"), Value::Int(3)]),
        )
        .unwrap();
        assert_eq!(
            all,
            Value::Map(vec![
                (bulk("127.0.0.1:7000"), bulk("a")),
                (bulk("127.0.0.1:7001"), bulk("b")),
                (bulk("127.0.0.1:7002"), Value::Int(3)),
            ])
        );
        let e = aggregate(Aggregate::PerNode, Vec::new()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol);
    }

    #[test]
    fn sums_and_any_positive() {
        let dbsize = on3([Value::Int(3), Value::Int(0), Value::Int(39)]);
        assert_eq!(aggregate(Aggregate::Sum, dbsize).unwrap(), Value::Int(42));
        let e = aggregate(
            Aggregate::Sum,
            on3([Value::Int(1), bulk("x"), Value::Int(1)]),
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol);
        let unblock = on3([Value::Int(0), Value::Int(1), Value::Int(0)]);
        assert_eq!(
            aggregate(Aggregate::AnyPositive, unblock).unwrap(),
            Value::Int(1)
        );
        let none = on3([Value::Int(0), Value::Int(0), Value::Int(0)]);
        assert_eq!(
            aggregate(Aggregate::AnyPositive, none).unwrap(),
            Value::Int(0)
        );
    }

    #[test]
    fn all_ok_reports_the_first_failure() {
        let pongs = on3([simple("PONG"), simple("PONG"), simple("PONG")]);
        assert_eq!(aggregate(Aggregate::AllOk, pongs).unwrap(), simple("PONG"));
        let oks = on3([simple("OK"), simple("OK"), simple("OK")]);
        assert_eq!(aggregate(Aggregate::AllOk, oks).unwrap(), simple("OK"));
        let mixed = on3([simple("OK"), Value::Int(0), Value::Boolean(false)]);
        assert_eq!(aggregate(Aggregate::AllOk, mixed).unwrap(), Value::Int(0));
    }

    #[test]
    fn lists_concatenate_and_one_takes_the_first() {
        let keys = on3([
            Value::Array(vec![bulk("a")]),
            Value::Array(vec![]),
            Value::Set(vec![bulk("b"), bulk("c")]),
        ]);
        assert_eq!(
            aggregate(Aggregate::Concat, keys).unwrap(),
            Value::Array(vec![bulk("a"), bulk("b"), bulk("c")])
        );
        // A key on a primary and its replica (KEYS on every node) is listed once.
        let copies = on3([
            Value::Array(vec![bulk("a"), bulk("b")]),
            Value::Array(vec![bulk("b"), bulk("a")]),
            Value::Array(vec![bulk("c")]),
        ]);
        assert_eq!(
            aggregate(Aggregate::Concat, copies).unwrap(),
            Value::Array(vec![bulk("a"), bulk("b"), bulk("c")])
        );
        let sha = on3([bulk("e0e1"), bulk("e0e1"), bulk("e0e1")]);
        assert_eq!(aggregate(Aggregate::One, sha).unwrap(), bulk("e0e1"));
    }

    #[test]
    fn numsub_sums_per_channel_in_either_form() {
        let flat = |pairs: &[(&str, i64)]| {
            Value::Array(
                pairs
                    .iter()
                    .flat_map(|(c, n)| [bulk(c), Value::Int(*n)])
                    .collect(),
            )
        };
        let resp2 = on3([
            flat(&[("a", 1), ("b", 0)]),
            flat(&[("a", 2), ("b", 5)]),
            flat(&[("a", 0), ("b", 1)]),
        ]);
        assert_eq!(
            aggregate(Aggregate::SumPerChannel, resp2).unwrap(),
            flat(&[("a", 3), ("b", 6)])
        );
        let map = |pairs: &[(&str, i64)]| {
            Value::Map(
                pairs
                    .iter()
                    .map(|(c, n)| (bulk(c), Value::Int(*n)))
                    .collect(),
            )
        };
        let resp3 = on3([map(&[("a", 1)]), map(&[("a", 2)]), map(&[("a", 4)])]);
        assert_eq!(
            aggregate(Aggregate::SumPerChannel, resp3).unwrap(),
            map(&[("a", 7)])
        );
    }

    #[test]
    fn script_exists_is_true_only_where_every_node_has_it() {
        let ints = |v: &[i64]| Value::Array(v.iter().map(|i| Value::Int(*i)).collect());
        let replies = on3([ints(&[1, 1, 0]), ints(&[1, 0, 0]), ints(&[1, 1, 1])]);
        assert_eq!(
            aggregate(Aggregate::AllPerPosition, replies).unwrap(),
            ints(&[1, 0, 0])
        );
    }

    #[test]
    fn scan_keeps_a_cursor_per_node_and_merges_keys() {
        let page = |cursor: &str, keys: &[&str]| {
            Value::Array(vec![
                bulk(cursor),
                Value::Array(keys.iter().map(|k| bulk(k)).collect()),
            ])
        };
        let replies = on3([page("0", &["a"]), page("17", &["b", "c"]), page("0", &[])]);
        assert_eq!(
            aggregate(Aggregate::Scan, replies).unwrap(),
            Value::Array(vec![
                Value::Map(vec![
                    (bulk("127.0.0.1:7000"), bulk("0")),
                    (bulk("127.0.0.1:7001"), bulk("17")),
                    (bulk("127.0.0.1:7002"), bulk("0")),
                ]),
                Value::Array(vec![bulk("a"), bulk("b"), bulk("c")]),
            ])
        );
        let bad = on3([bulk("x"), bulk("y"), bulk("z")]);
        assert_eq!(
            aggregate(Aggregate::Scan, bad).unwrap_err().kind(),
            ErrorKind::Protocol
        );
    }
}
