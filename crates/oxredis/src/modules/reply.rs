//! Reply normalisation for module commands: one canonical [`Value`] per command on RESP2 and
//! RESP3 (the module's RESP3 form where it has one).

use crate::reply::to_double;
use crate::{Result, Value};

/// How a module command's reply is brought to one form (a
/// [`ReplyShape::Module`](crate::reply::ReplyShape) payload).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    not(feature = "json"),
    allow(
        dead_code,
        reason = "the JSON shapes are built by the JSON commands only"
    )
)]
pub(crate) enum ModuleShape {
    /// `[a, 1, b, 2]` (RESP2) or `[[a, 1], [b, 2]]` becomes `[[a, 1], [b, 2]]` (TOPK.LIST
    /// WITHCOUNT).
    FlatPairs,
    /// A RESP3 set becomes an array (FT.DICTDUMP, FT.TAGVALS, FT._LIST).
    ArrayOfSet,
    /// RESP3 wraps each path's reply in one more array than RESP2 (JSON.TYPE): `[[t]]`
    /// becomes `[t]`.
    JsonUnwrap,
    /// RESP3 wraps a legacy path's (`.a`) single reply in an array (JSON.TYPE,
    /// JSON.NUMINCRBY): `[x]` becomes `x`.
    JsonLegacy,
    /// FT.SEARCH: RESP2's `[total, id, score?, [field, value...]?, ...]` becomes RESP3's
    /// `{total_results, results: [{id, score?, extra_attributes}]}` (other RESP3 keys dropped).
    FtSearch {
        /// `WITHSCORES` was sent: a score follows each id.
        scores: bool,
        /// `NOCONTENT` was not sent: fields follow each id.
        content: bool,
    },
    /// FT.AGGREGATE / FT.CURSOR READ: `[total, [k, v...]...]` becomes
    /// `{total_results, results: [{extra_attributes}]}`, and with a cursor `[that, cursor]`.
    FtAggregate {
        /// `WITHCURSOR` was sent.
        cursor: bool,
    },
    /// FT.PROFILE: `[result, profile]` (RESP2) or `{Results, Profile}` (RESP3) becomes
    /// `[result, profile]` with the result normalised as FT.SEARCH's or FT.AGGREGATE's.
    FtProfile(ProfiledShape),
    /// FT.INFO: flat pairs become a map; each attribute's flat list a map as RESP3 sends it
    /// (lone flags such as `SORTABLE` gathered under `flags`).
    FtInfo,
    /// TS.RANGE: samples `[[ts, value]...]` with the value a double.
    TsSamples,
    /// TS.GET: `[ts, value]` with the value a double; an empty array (RESP2 empty series)
    /// becomes nil.
    TsSample,
    /// TS.MRANGE / TS.MGET: RESP2's `[[key, labels, samples]...]` and RESP3's
    /// `{key: [labels, (meta,) samples]}` both become `[[key, {labels}, [[ts, value]...]]...]`
    /// (TS.MGET: a single sample or an empty array in the last place).
    TsMulti,
}

/// What FT.PROFILE profiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ProfiledShape {
    /// A search, with its flags.
    Search {
        /// `WITHSCORES`.
        scores: bool,
        /// Not `NOCONTENT`.
        content: bool,
    },
    /// An aggregation.
    Aggregate,
}

fn items(value: Value) -> Option<Vec<Value>> {
    match value {
        Value::Array(v) | Value::Set(v) => Some(v),
        _ => None,
    }
}

/// Flat `[k, v, k, v]` or a map into `Value::Map`.
fn to_map(value: Value) -> Value {
    match value {
        Value::Array(v) if v.len() % 2 == 0 => {
            let mut it = v.into_iter();
            let mut out = Vec::new();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                out.push((k, v));
            }
            Value::Map(out)
        }
        v => v,
    }
}

fn key_is(k: &Value, name: &str) -> bool {
    k.as_bytes().is_some_and(|b| b == name.as_bytes())
}

fn text(s: &str) -> Value {
    Value::Bulk(bytes::Bytes::copy_from_slice(s.as_bytes()))
}

fn sample(v: Value) -> Result<Value> {
    match v {
        Value::Array(mut p) if p.len() == 2 => {
            let val = p.pop().unwrap_or(Value::Nil);
            let ts = p.pop().unwrap_or(Value::Nil);
            Ok(Value::Array(vec![ts, Value::Double(to_double(&val)?)]))
        }
        v => Ok(v),
    }
}

fn samples(v: Value) -> Result<Value> {
    match items(v) {
        Some(list) => Ok(Value::Array(
            list.into_iter().map(sample).collect::<Result<_>>()?,
        )),
        None => Ok(Value::Array(Vec::new())),
    }
}

/// Labels `[[k, v]...]` (RESP2) or a map into a map.
fn labels(v: Value) -> Value {
    match v {
        Value::Map(m) => Value::Map(m),
        Value::Array(pairs) => Value::Map(
            pairs
                .into_iter()
                .filter_map(|p| match p {
                    Value::Array(mut kv) if kv.len() == 2 => {
                        let v = kv.pop()?;
                        let k = kv.pop()?;
                        Some((k, v))
                    }
                    _ => None,
                })
                .collect(),
        ),
        _ => Value::Map(Vec::new()),
    }
}

/// Brings `value` to the canonical form for `shape`.
pub(crate) fn normalize(shape: ModuleShape, value: Value) -> Result<Value> {
    match shape {
        ModuleShape::FlatPairs => Ok(match value {
            Value::Array(v) if v.iter().all(|i| matches!(i, Value::Array(_))) => Value::Array(v),
            Value::Array(v) => {
                let mut it = v.into_iter();
                let mut out = Vec::new();
                while let (Some(a), Some(b)) = (it.next(), it.next()) {
                    out.push(Value::Array(vec![a, b]));
                }
                Value::Array(out)
            }
            Value::Map(m) => Value::Array(
                m.into_iter()
                    .map(|(a, b)| Value::Array(vec![a, b]))
                    .collect(),
            ),
            v => v,
        }),
        ModuleShape::ArrayOfSet => Ok(match value {
            Value::Set(v) => Value::Array(v),
            v => v,
        }),
        ModuleShape::JsonUnwrap => Ok(match value {
            Value::Array(v) => Value::Array(
                v.into_iter()
                    .map(|i| match i {
                        Value::Array(mut inner) if inner.len() == 1 => {
                            inner.pop().unwrap_or(Value::Nil)
                        }
                        i => i,
                    })
                    .collect(),
            ),
            v => v,
        }),
        ModuleShape::JsonLegacy => Ok(match value {
            Value::Array(mut v) if v.len() == 1 => v.pop().unwrap_or(Value::Nil),
            v => v,
        }),
        ModuleShape::FtSearch { scores, content } => Ok(ft_search(value, scores, content)),
        ModuleShape::FtAggregate { cursor } => Ok(match value {
            Value::Array(mut parts) if cursor && parts.len() == 2 => {
                let c = parts.pop().unwrap_or(Value::Nil);
                let body = parts.pop().unwrap_or(Value::Nil);
                Value::Array(vec![ft_aggregate(body), c])
            }
            v => ft_aggregate(v),
        }),
        ModuleShape::FtInfo => Ok(ft_info(value)),
        ModuleShape::FtProfile(inner) => {
            let (result, profile) = match value {
                Value::Array(mut v) if v.len() == 2 => {
                    let p = v.pop().unwrap_or(Value::Nil);
                    (v.pop().unwrap_or(Value::Nil), p)
                }
                // RediSearch 2.10 on RESP3: the search reply's map with a `profile` key added;
                // later versions: `{Results, Profile}`.
                Value::Map(m) => {
                    let mut results = None;
                    let mut profile = Value::Nil;
                    let mut rest = Vec::new();
                    for (k, v) in m {
                        if key_is(&k, "Results") {
                            results = Some(v);
                        } else if key_is(&k, "Profile") || key_is(&k, "profile") {
                            profile = v;
                        } else {
                            rest.push((k, v));
                        }
                    }
                    (results.unwrap_or(Value::Map(rest)), profile)
                }
                v => return Ok(v),
            };
            let result = match inner {
                ProfiledShape::Search { scores, content } => ft_search(result, scores, content),
                ProfiledShape::Aggregate => ft_aggregate(result),
            };
            Ok(Value::Array(vec![result, profile]))
        }
        ModuleShape::TsSamples => samples(value),
        ModuleShape::TsSample => match value {
            Value::Array(v) if v.is_empty() => Ok(Value::Nil),
            v => sample(v),
        },
        ModuleShape::TsMulti => ts_multi(value),
    }
}

fn ft_search(value: Value, scores: bool, content: bool) -> Value {
    match value {
        Value::Map(m) => {
            let mut total = Value::Int(0);
            let mut results = Vec::new();
            for (k, v) in m {
                if key_is(&k, "total_results") {
                    total = v;
                } else if key_is(&k, "results") {
                    results = items(v)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|r| match r {
                            Value::Map(fields) => Value::Map(
                                fields
                                    .into_iter()
                                    .filter(|(k, _)| {
                                        key_is(k, "id")
                                            || key_is(k, "score")
                                            || key_is(k, "extra_attributes")
                                    })
                                    .collect(),
                            ),
                            r => r,
                        })
                        .collect();
                }
            }
            Value::Map(vec![
                (text("total_results"), total),
                (text("results"), Value::Array(results)),
            ])
        }
        Value::Array(v) => {
            let mut it = v.into_iter();
            let total = it.next().unwrap_or(Value::Int(0));
            let mut results = Vec::new();
            while let Some(id) = it.next() {
                let mut doc = vec![(text("id"), id)];
                if scores {
                    let s = it.next().unwrap_or(Value::Nil);
                    let s = to_double(&s).map(Value::Double).unwrap_or(s);
                    doc.push((text("score"), s));
                }
                if content {
                    let fields = it.next().unwrap_or(Value::Array(Vec::new()));
                    let fields = match fields {
                        Value::Nil => Value::Map(Vec::new()),
                        f => to_map(f),
                    };
                    doc.push((text("extra_attributes"), fields));
                }
                results.push(Value::Map(doc));
            }
            Value::Map(vec![
                (text("total_results"), total),
                (text("results"), Value::Array(results)),
            ])
        }
        v => v,
    }
}

fn ft_aggregate(value: Value) -> Value {
    match value {
        Value::Map(m) => {
            let mut total = Value::Int(0);
            let mut results = Vec::new();
            for (k, v) in m {
                if key_is(&k, "total_results") {
                    total = v;
                } else if key_is(&k, "results") {
                    results = items(v)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|r| match r {
                            Value::Map(fields) => Value::Map(
                                fields
                                    .into_iter()
                                    .filter(|(k, _)| key_is(k, "extra_attributes"))
                                    .collect(),
                            ),
                            r => r,
                        })
                        .collect();
                }
            }
            Value::Map(vec![
                (text("total_results"), total),
                (text("results"), Value::Array(results)),
            ])
        }
        Value::Array(v) => {
            let mut it = v.into_iter();
            let total = it.next().unwrap_or(Value::Int(0));
            let results = it
                .map(|row| Value::Map(vec![(text("extra_attributes"), to_map(row))]))
                .collect();
            Value::Map(vec![
                (text("total_results"), total),
                (text("results"), Value::Array(results)),
            ])
        }
        v => v,
    }
}

fn ft_info(value: Value) -> Value {
    let value = to_map(value);
    let Value::Map(m) = value else { return value };
    Value::Map(
        m.into_iter()
            .map(|(k, v)| {
                if key_is(&k, "attributes") {
                    let attrs = items(v)
                        .unwrap_or_default()
                        .into_iter()
                        .map(attribute)
                        .collect();
                    (k, Value::Array(attrs))
                } else {
                    (k, v)
                }
            })
            .collect(),
    )
}

/// One FT.INFO attribute: RESP2's `[identifier, x, attribute, y, type, TEXT, WEIGHT, 1,
/// SORTABLE]` into RESP3's map: lone flag words gathered under `flags`, `WEIGHT` a double.
fn attribute(v: Value) -> Value {
    match v {
        Value::Array(list) => {
            let mut out = Vec::new();
            let mut flags = Vec::new();
            let mut it = list.into_iter();
            while let Some(k) = it.next() {
                let lone = k.as_bytes().is_some_and(|b| {
                    matches!(
                        b,
                        b"SORTABLE"
                            | b"NOSTEM"
                            | b"NOINDEX"
                            | b"CASESENSITIVE"
                            | b"UNF"
                            | b"WITHSUFFIXTRIE"
                            | b"INDEXEMPTY"
                            | b"INDEXMISSING"
                    )
                });
                if lone {
                    flags.push(k);
                } else {
                    let v = it.next().unwrap_or(Value::Nil);
                    let v = if key_is(&k, "WEIGHT") {
                        to_double(&v).map(Value::Double).unwrap_or(v)
                    } else {
                        v
                    };
                    out.push((k, v));
                }
            }
            out.push((text("flags"), Value::Array(flags)));
            Value::Map(out)
        }
        v => v,
    }
}

fn ts_multi(value: Value) -> Result<Value> {
    let entries: Vec<(Value, Vec<Value>)> = match value {
        Value::Map(m) => m
            .into_iter()
            .map(|(k, v)| (k, items(v).unwrap_or_default()))
            .collect(),
        Value::Array(list) => list
            .into_iter()
            .filter_map(|e| {
                let mut parts = items(e)?;
                if parts.is_empty() {
                    return None;
                }
                let key = parts.remove(0);
                Some((key, parts))
            })
            .collect(),
        v => return Ok(v),
    };
    let mut out = Vec::new();
    for (key, mut parts) in entries {
        // [labels, samples] or, with GROUPBY/aggregators in RESP3, [labels, meta, samples]; the
        // samples (or TS.MGET's single sample) come last.
        let last = parts.pop().unwrap_or(Value::Array(Vec::new()));
        let labels = labels(if parts.is_empty() {
            Value::Array(Vec::new())
        } else {
            parts.remove(0)
        });
        let is_single =
            matches!(&last, Value::Array(s) if s.len() == 2 && !matches!(s[0], Value::Array(_)));
        let last = if is_single {
            sample(last)?
        } else {
            samples(last)?
        };
        out.push(Value::Array(vec![key, labels, last]));
    }
    Ok(Value::Array(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> Value {
        text(s)
    }
    fn arr(items: Vec<Value>) -> Value {
        Value::Array(items)
    }
    fn map(items: Vec<(&str, Value)>) -> Value {
        Value::Map(items.into_iter().map(|(k, v)| (b(k), v)).collect())
    }

    #[test]
    fn ft_search_resp2_and_resp3_normalise_to_one_value() {
        let shape = ModuleShape::FtSearch {
            scores: true,
            content: true,
        };
        let resp2 = arr(vec![
            Value::Int(2),
            b("doc:1"),
            b("1.5"),
            arr(vec![b("title"), b("hello")]),
            b("doc:2"),
            b("0.5"),
            arr(vec![]),
        ]);
        let resp3 = map(vec![
            ("attributes", arr(vec![])),
            ("format", b("STRING")),
            (
                "results",
                arr(vec![
                    map(vec![
                        ("id", b("doc:1")),
                        ("score", Value::Double(1.5)),
                        ("extra_attributes", map(vec![("title", b("hello"))])),
                        ("values", arr(vec![])),
                    ]),
                    map(vec![
                        ("id", b("doc:2")),
                        ("score", Value::Double(0.5)),
                        ("extra_attributes", map(vec![])),
                        ("values", arr(vec![])),
                    ]),
                ]),
            ),
            ("total_results", Value::Int(2)),
            ("warning", arr(vec![])),
        ]);
        let expected = map(vec![
            ("total_results", Value::Int(2)),
            (
                "results",
                arr(vec![
                    map(vec![
                        ("id", b("doc:1")),
                        ("score", Value::Double(1.5)),
                        ("extra_attributes", map(vec![("title", b("hello"))])),
                    ]),
                    map(vec![
                        ("id", b("doc:2")),
                        ("score", Value::Double(0.5)),
                        ("extra_attributes", map(vec![])),
                    ]),
                ]),
            ),
        ]);
        assert_eq!(normalize(shape, resp2).unwrap(), expected);
        assert_eq!(normalize(shape, resp3).unwrap(), expected);
        // NOCONTENT: ids only.
        let ids = normalize(
            ModuleShape::FtSearch {
                scores: false,
                content: false,
            },
            arr(vec![Value::Int(2), b("a"), b("b")]),
        )
        .unwrap();
        assert_eq!(
            ids,
            map(vec![
                ("total_results", Value::Int(2)),
                (
                    "results",
                    arr(vec![map(vec![("id", b("a"))]), map(vec![("id", b("b"))])])
                ),
            ])
        );
    }

    #[test]
    fn ft_aggregate_with_a_cursor_normalises_on_both_protocols() {
        let shape = ModuleShape::FtAggregate { cursor: true };
        let resp2 = arr(vec![
            arr(vec![
                Value::Int(1),
                arr(vec![b("color"), b("red"), b("n"), b("3")]),
            ]),
            Value::Int(77),
        ]);
        let resp3 = arr(vec![
            map(vec![
                ("attributes", arr(vec![])),
                (
                    "results",
                    arr(vec![map(vec![
                        (
                            "extra_attributes",
                            map(vec![("color", b("red")), ("n", b("3"))]),
                        ),
                        ("values", arr(vec![])),
                    ])]),
                ),
                ("total_results", Value::Int(1)),
            ]),
            Value::Int(77),
        ]);
        let expected = arr(vec![
            map(vec![
                ("total_results", Value::Int(1)),
                (
                    "results",
                    arr(vec![map(vec![(
                        "extra_attributes",
                        map(vec![("color", b("red")), ("n", b("3"))]),
                    )])]),
                ),
            ]),
            Value::Int(77),
        ]);
        assert_eq!(normalize(shape, resp2).unwrap(), expected);
        assert_eq!(normalize(shape, resp3).unwrap(), expected);
    }

    #[test]
    fn ts_multi_resp2_and_resp3_normalise_to_key_labels_samples() {
        let resp2 = arr(vec![arr(vec![
            b("t:1"),
            arr(vec![arr(vec![b("area"), b("A")])]),
            arr(vec![arr(vec![Value::Int(1), Value::Simple("2.5".into())])]),
        ])]);
        let resp3 = map(vec![(
            "t:1",
            arr(vec![
                map(vec![("area", b("A"))]),
                map(vec![("aggregators", arr(vec![]))]),
                arr(vec![arr(vec![Value::Int(1), Value::Double(2.5)])]),
            ]),
        )]);
        let expected = arr(vec![arr(vec![
            b("t:1"),
            map(vec![("area", b("A"))]),
            arr(vec![arr(vec![Value::Int(1), Value::Double(2.5)])]),
        ])]);
        assert_eq!(normalize(ModuleShape::TsMulti, resp2).unwrap(), expected);
        assert_eq!(normalize(ModuleShape::TsMulti, resp3).unwrap(), expected);
        // TS.MGET: one sample in the last place.
        let mget = arr(vec![arr(vec![
            b("t:1"),
            arr(vec![]),
            arr(vec![Value::Int(5), Value::Simple("1".into())]),
        ])]);
        assert_eq!(
            normalize(ModuleShape::TsMulti, mget).unwrap(),
            arr(vec![arr(vec![
                b("t:1"),
                map(vec![]),
                arr(vec![Value::Int(5), Value::Double(1.0)]),
            ])])
        );
    }

    #[test]
    fn small_shapes() {
        assert_eq!(
            normalize(ModuleShape::TsSample, arr(vec![])).unwrap(),
            Value::Nil
        );
        assert_eq!(
            normalize(ModuleShape::JsonLegacy, arr(vec![Value::Int(3)])).unwrap(),
            Value::Int(3)
        );
        assert_eq!(
            normalize(
                ModuleShape::JsonUnwrap,
                arr(vec![arr(vec![b("integer")]), arr(vec![b("string")])])
            )
            .unwrap(),
            arr(vec![b("integer"), b("string")])
        );
        let pairs = arr(vec![arr(vec![b("a"), Value::Int(1)])]);
        assert_eq!(
            normalize(ModuleShape::FlatPairs, arr(vec![b("a"), Value::Int(1)])).unwrap(),
            pairs
        );
        assert_eq!(
            normalize(ModuleShape::FlatPairs, pairs.clone()).unwrap(),
            pairs
        );
        // FT.INFO attributes: lone flags become `true`.
        let info = normalize(
            ModuleShape::FtInfo,
            arr(vec![
                b("attributes"),
                arr(vec![arr(vec![
                    b("identifier"),
                    b("t"),
                    b("type"),
                    b("TEXT"),
                    b("SORTABLE"),
                ])]),
            ]),
        )
        .unwrap();
        assert_eq!(
            info,
            map(vec![(
                "attributes",
                arr(vec![map(vec![
                    ("identifier", b("t")),
                    ("type", b("TEXT")),
                    ("flags", arr(vec![b("SORTABLE")])),
                ])])
            )])
        );
    }
}
