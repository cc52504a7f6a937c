//! Splitting a multi-key command per slot (DEL/EXISTS/TOUCH/UNLINK in a cluster, and the
//! `mget_nonatomic` / `mset_nonatomic` helpers), and putting per-slot list replies back in the
//! order of the keys.

use std::collections::HashMap;

use super::key_slot;
use crate::cmd::Cmd;
use crate::commands::KeySpec;
use crate::error::{Error, ErrorKind, Result};
use crate::value::Value;

/// One slot's share of a split command.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Part {
    /// The slot of every key in `cmd`.
    pub(crate) slot: u16,
    /// The command with only this slot's keys (and each key's values, for `MSET`).
    pub(crate) cmd: Cmd,
    /// Which keys of the original command these are (0 = its first key), in order.
    pub(crate) keys: Vec<usize>,
}

/// Splits `cmd` into one command per slot of its keys, in order of each slot's first key.
/// Only commands whose arguments after the name are all keys, each followed by the same number
/// of values (`keys(1, -1, step)`: DEL, MGET, MSET...), can be split; `None` for others. A
/// command built by hand is split by the declaration of its name; the parts carry that
/// declaration (and the original's reply shape).
pub(crate) fn split_by_slot(cmd: &Cmd) -> Option<Vec<Part>> {
    let spec = cmd.route_spec()?;
    let KeySpec::Range { first, last, step } = spec.keys else {
        return None;
    };
    let words = spec.words;
    if first < 1 || usize::try_from(first).ok()? != words || last != -1 || step < 1 {
        return None;
    }
    let step = usize::try_from(step).ok()?;
    let args: Vec<&[u8]> = cmd.args().collect();
    let units = args.get(words..)?;
    if units.is_empty() || units.len() % step != 0 {
        return None;
    }
    let mut parts: Vec<Part> = Vec::new();
    let mut by_slot: HashMap<u16, usize> = HashMap::new();
    for (index, unit) in units.chunks(step).enumerate() {
        let slot = key_slot(unit[0]);
        let at = *by_slot.entry(slot).or_insert_with(|| {
            let mut part = Cmd::with_spec(spec);
            part.set_reply_shape(cmd.reply_shape());
            parts.push(Part {
                slot,
                cmd: part,
                keys: Vec::new(),
            });
            parts.len() - 1
        });
        let part = &mut parts[at];
        for arg in unit {
            part.cmd.write_bulk(arg);
        }
        part.keys.push(index);
    }
    Some(parts)
}

/// Puts the list replies of the parts (one per part, in the same order) back in the order of
/// the original command's keys, as `mget_nonatomic` returns them.
///
/// # Errors
/// [`ErrorKind::Protocol`] when a reply is not a list with one item per key of its part.
pub(crate) fn merge_in_key_order(parts: &[Part], replies: Vec<Value>) -> Result<Value> {
    let total: usize = parts.iter().map(|p| p.keys.len()).sum();
    let mut out = vec![Value::Nil; total];
    if replies.len() != parts.len() {
        return Err(Error::new(
            ErrorKind::Protocol,
            "one reply per part expected",
        ));
    }
    for (part, reply) in parts.iter().zip(replies) {
        let items = match reply {
            Value::Array(items) if items.len() == part.keys.len() => items,
            other => {
                return Err(Error::new(
                    ErrorKind::Protocol,
                    format!(
                        "expected {} items from slot {}, got a {}",
                        part.keys.len(),
                        part.slot,
                        other.type_name()
                    ),
                ))
            }
        };
        for (&k, item) in part.keys.iter().zip(items) {
            if let Some(slot) = out.get_mut(k) {
                *slot = item;
            }
        }
    }
    Ok(Value::Array(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::build;
    use bytes::Bytes;

    fn args(cmd: &Cmd) -> Vec<String> {
        cmd.args()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect()
    }

    #[test]
    fn del_splits_per_slot_in_first_seen_order() {
        let cmd = build::delete(["foo", "{a}1", "123456789", "{a}2", "foo"]);
        let parts = split_by_slot(&cmd).unwrap();
        let got: Vec<_> = parts
            .iter()
            .map(|p| (p.slot, args(&p.cmd), p.keys.clone()))
            .collect();
        let a = key_slot("a");
        assert_eq!(
            got,
            [
                (
                    12182,
                    vec!["DEL".into(), "foo".into(), "foo".into()],
                    vec![0, 4]
                ),
                (
                    a,
                    vec!["DEL".into(), "{a}1".into(), "{a}2".into()],
                    vec![1, 3]
                ),
                (12739, vec!["DEL".into(), "123456789".into()], vec![2]),
            ]
        );
        assert_eq!(parts[0].cmd.spec().name, "DEL");
    }

    #[test]
    fn mset_keeps_each_value_with_its_key() {
        let cmd = build::mset([("foo", "1"), ("123456789", "2"), ("foo", "3")]);
        let parts = split_by_slot(&cmd).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(args(&parts[0].cmd), ["MSET", "foo", "1", "foo", "3"]);
        assert_eq!(args(&parts[1].cmd), ["MSET", "123456789", "2"]);
    }

    #[test]
    fn only_plain_key_lists_split() {
        // SET: one key followed by a value that is not a key.
        assert!(split_by_slot(&build::set("a", "b")).is_none());
        assert!(split_by_slot(&build::exists(["a"])).is_some());
        let z = build::zunionstore("d", &["a", "b"], &Default::default());
        assert!(split_by_slot(&z).is_none());
        assert!(split_by_slot(&Cmd::new("DEL")).is_none());
        // Built by hand (execute_command, the Python binding): split by DEL's declaration.
        let mut raw = Cmd::new("del");
        raw.arg("foo").arg("123456789");
        let parts = split_by_slot(&raw).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(args(&parts[0].cmd), ["DEL", "foo"]);
        assert_eq!(parts[1].cmd.spec().name, "DEL");
        let mut unknown = Cmd::new("NOTACOMMAND");
        unknown.arg("a");
        assert!(
            split_by_slot(&unknown).is_none(),
            "undeclared: keys unknown"
        );
    }

    #[test]
    fn mget_replies_go_back_in_key_order() {
        let cmd = build::mget(["foo", "123456789", "foo{x}", "{x}"]);
        let parts = split_by_slot(&cmd).unwrap();
        let bulk = |s: &str| Value::Bulk(Bytes::copy_from_slice(s.as_bytes()));
        let replies: Vec<Value> = parts
            .iter()
            .map(|p| {
                Value::Array(
                    p.keys
                        .iter()
                        .map(|k| {
                            if *k == 2 {
                                Value::Nil
                            } else {
                                bulk(&format!("v{k}"))
                            }
                        })
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            merge_in_key_order(&parts, replies).unwrap(),
            Value::Array(vec![bulk("v0"), bulk("v1"), Value::Nil, bulk("v3")])
        );
        let short = vec![Value::Array(vec![]); parts.len()];
        let e = merge_in_key_order(&parts, short).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol);
    }
}
