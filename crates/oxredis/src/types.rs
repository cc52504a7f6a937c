//! Typed replies of structured commands, converted from the canonical values the reply shapes
//! produce (so they read the same on RESP2 and RESP3).
//!
//! # Examples
//! ```no_run
//! use oxredis::types::StreamEntry;
//! # let r = oxredis::Redis::from_url("redis://localhost")?;
//! let entries: Vec<StreamEntry> = r.xrange("events", "-", "+", None)?;
//! for e in &entries {
//!     println!("{} {:?}", e.id, e.get("kind"));
//! }
//! # Ok::<(), oxredis::Error>(())
//! ```

use std::collections::BTreeMap;

use bytes::Bytes;

use crate::{Error, ErrorKind, FromValue, Result, Value};

fn data_error(what: &str, value: &Value) -> Error {
    Error::new(
        ErrorKind::Data,
        format!("cannot convert a {} reply to {what}", value.type_name()),
    )
}

/// A stream entry (XRANGE, XREAD, XCLAIM...): its id and its fields in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct StreamEntry {
    /// The entry id, e.g. `1700000000000-0`.
    pub id: String,
    /// `(field, value)` pairs in the order they were added.
    pub fields: Vec<(String, Bytes)>,
}

impl StreamEntry {
    /// The value of `field`, if present.
    pub fn get(&self, field: &str) -> Option<&Bytes> {
        self.fields.iter().find(|(f, _)| f == field).map(|(_, v)| v)
    }
}

impl FromValue for StreamEntry {
    fn from_value(value: Value) -> Result<Self> {
        let (id, fields): (String, Value) = FromValue::from_value(value)?;
        let fields = match fields {
            Value::Map(m) => m
                .into_iter()
                .map(|(k, v)| Ok((String::from_value(k)?, Bytes::from_value(v)?)))
                .collect::<Result<_>>()?,
            Value::Nil => Vec::new(),
            other => <Vec<(String, Bytes)>>::from_value(nest_pairs(other)?)?,
        };
        Ok(StreamEntry { id, fields })
    }
}

/// A flat `[k, v, k, v]` array as `[[k, v]...]`.
fn nest_pairs(value: Value) -> Result<Value> {
    match value {
        Value::Array(items) if items.len() % 2 == 0 => {
            let mut out = Vec::with_capacity(items.len() / 2);
            let mut it = items.into_iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                out.push(Value::Array(vec![k, v]));
            }
            Ok(Value::Array(out))
        }
        other => Err(data_error("stream fields", &other)),
    }
}

/// The XPENDING summary of a group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PendingSummary {
    /// Number of pending entries.
    pub count: u64,
    /// Smallest pending id (none when nothing is pending).
    pub min_id: Option<String>,
    /// Greatest pending id.
    pub max_id: Option<String>,
    /// Pending count per consumer.
    pub consumers: Vec<(String, u64)>,
}

impl FromValue for PendingSummary {
    fn from_value(value: Value) -> Result<Self> {
        let (count, min_id, max_id, consumers) = FromValue::from_value(value)?;
        let consumers: Option<Vec<(String, u64)>> = consumers;
        Ok(PendingSummary {
            count,
            min_id,
            max_id,
            consumers: consumers.unwrap_or_default(),
        })
    }
}

/// One entry of the extended XPENDING form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PendingEntry {
    /// Entry id.
    pub id: String,
    /// Consumer holding it.
    pub consumer: String,
    /// Milliseconds since it was last delivered.
    pub idle_ms: u64,
    /// How many times it was delivered.
    pub deliveries: u64,
}

impl FromValue for PendingEntry {
    fn from_value(value: Value) -> Result<Self> {
        let (id, consumer, idle_ms, deliveries) = FromValue::from_value(value)?;
        Ok(PendingEntry {
            id,
            consumer,
            idle_ms,
            deliveries,
        })
    }
}

/// One SLOWLOG GET entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SlowLogEntry {
    /// Unique, increasing id.
    pub id: u64,
    /// Unix time the command ran.
    pub start_time: u64,
    /// Execution time in microseconds.
    pub duration_us: u64,
    /// The command and its (possibly truncated) arguments.
    pub args: Vec<Bytes>,
    /// Client address `ip:port`.
    pub client_addr: String,
    /// Client name (empty when unset).
    pub client_name: String,
}

impl FromValue for SlowLogEntry {
    fn from_value(value: Value) -> Result<Self> {
        let (id, start_time, duration_us, args, client_addr, client_name) =
            FromValue::from_value(value)?;
        Ok(SlowLogEntry {
            id,
            start_time,
            duration_us,
            args,
            client_addr,
            client_name,
        })
    }
}

/// One GEOSEARCH/GEORADIUS result; the optional parts are present with WITHDIST, WITHHASH and
/// WITHCOORD.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct GeoSearchResult {
    /// The member.
    pub member: String,
    /// Distance from the center, in the query's unit.
    pub dist: Option<f64>,
    /// Raw 52-bit geohash.
    pub hash: Option<i64>,
    /// `(longitude, latitude)`.
    pub coord: Option<(f64, f64)>,
}

impl FromValue for GeoSearchResult {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Array(items) => {
                let mut it = items.into_iter();
                let member = String::from_value(it.next().unwrap_or(Value::Nil))?;
                let mut out = GeoSearchResult {
                    member,
                    ..GeoSearchResult::default()
                };
                // The reply shape made the distance a double; the hash is the integer.
                for v in it {
                    match v {
                        Value::Double(d) => out.dist = Some(d),
                        Value::Int(h) => out.hash = Some(h),
                        v @ Value::Array(_) => out.coord = Some(FromValue::from_value(v)?),
                        other => return Err(data_error("GeoSearchResult", &other)),
                    }
                }
                Ok(out)
            }
            other => Ok(GeoSearchResult {
                member: String::from_value(other)?,
                ..GeoSearchResult::default()
            }),
        }
    }
}

/// One connection as CLIENT LIST / CLIENT INFO describe it: every `name=value` field as text,
/// with accessors for the common ones.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ClientInfo {
    /// Every field (`id`, `addr`, `name`, `db`, `cmd`, `resp`...).
    pub fields: BTreeMap<String, String>,
}

impl ClientInfo {
    /// A field's text.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields.get(field).map(String::as_str)
    }
    /// Client id.
    pub fn id(&self) -> Option<i64> {
        self.get("id")?.parse().ok()
    }
    /// Remote address `ip:port`.
    pub fn addr(&self) -> Option<&str> {
        self.get("addr")
    }
    /// Connection name (empty when unset).
    pub fn name(&self) -> Option<&str> {
        self.get("name")
    }
    /// Selected database.
    pub fn db(&self) -> Option<i64> {
        self.get("db")?.parse().ok()
    }
}

impl FromValue for ClientInfo {
    fn from_value(value: Value) -> Result<Self> {
        Ok(ClientInfo {
            fields: FromValue::from_value(value)?,
        })
    }
}

/// One instance as a sentinel describes it (SENTINEL MASTER, MASTERS, REPLICAS, SENTINELS):
/// its name, address and flags, and every other field as text (redis-py's
/// `parse_sentinel_state`, whose `is_master`, `is_sdown`... are methods here).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SentinelInstance {
    /// The name: the service name for a primary, `ip:port` for a replica, the run id for a
    /// sentinel.
    pub name: String,
    /// IP address (or host name) the sentinel knows it by.
    pub ip: String,
    /// Port.
    pub port: u16,
    /// The flags (`master`, `slave`, `sentinel`, `s_down`, `o_down`, `disconnected`,
    /// `master_down`...), in the server's order.
    pub flags: Vec<String>,
    /// Every field as sent, including the ones above (`num-slaves`, `quorum`,
    /// `master-link-status`, `role-reported`...).
    pub fields: BTreeMap<String, String>,
}

impl SentinelInstance {
    /// A field's text.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields.get(field).map(String::as_str)
    }

    /// A numeric field (`num-slaves`, `quorum`, `down-after-milliseconds`, `slave-priority`...).
    pub fn get_int(&self, field: &str) -> Option<i64> {
        self.get(field)?.parse().ok()
    }

    /// Whether `flag` is among the flags.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    /// A primary (flag `master`).
    pub fn is_master(&self) -> bool {
        self.has_flag("master")
    }

    /// A replica (flag `slave`).
    pub fn is_slave(&self) -> bool {
        self.has_flag("slave")
    }

    /// A sentinel (flag `sentinel`).
    pub fn is_sentinel(&self) -> bool {
        self.has_flag("sentinel")
    }

    /// Subjectively down for this sentinel (flag `s_down`).
    pub fn is_sdown(&self) -> bool {
        self.has_flag("s_down")
    }

    /// Objectively down: the quorum agrees (flag `o_down`).
    pub fn is_odown(&self) -> bool {
        self.has_flag("o_down")
    }

    /// The sentinel has no link to it (flag `disconnected`).
    pub fn is_disconnected(&self) -> bool {
        self.has_flag("disconnected")
    }

    /// A replica whose link to its primary is down (flag `master_down`).
    pub fn is_master_down(&self) -> bool {
        self.has_flag("master_down")
    }
}

impl FromValue for SentinelInstance {
    fn from_value(value: Value) -> Result<Self> {
        let fields: BTreeMap<String, String> = match value {
            Value::Map(m) => m
                .into_iter()
                .map(|(k, v)| Ok((String::from_value(k)?, String::from_value(v)?)))
                .collect::<Result<_>>()?,
            Value::Array(_) => <Vec<(String, String)>>::from_value(nest_pairs(value)?)?
                .into_iter()
                .collect(),
            other => return Err(data_error("SentinelInstance", &other)),
        };
        let text = |k: &str| fields.get(k).cloned().unwrap_or_default();
        let port = match fields.get("port") {
            Some(p) => p.parse().map_err(|_| {
                Error::new(
                    ErrorKind::Data,
                    format!("sentinel instance port {p:?} is not a port number"),
                )
            })?,
            None => 0,
        };
        Ok(SentinelInstance {
            name: text("name"),
            ip: text("ip"),
            port,
            flags: text("flags")
                .split(',')
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect(),
            fields,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::Bulk(Bytes::copy_from_slice(s.as_bytes()))
    }

    #[test]
    fn stream_entries_from_maps_and_flat_fields() {
        let canonical = Value::Array(vec![bulk("1-0"), Value::Map(vec![(bulk("f"), bulk("v"))])]);
        let flat = Value::Array(vec![bulk("1-0"), Value::Array(vec![bulk("f"), bulk("v")])]);
        let a = StreamEntry::from_value(canonical).unwrap();
        assert_eq!(a, StreamEntry::from_value(flat).unwrap());
        assert_eq!(a.get("f").map(|b| &b[..]), Some(&b"v"[..]));
        assert_eq!(a.get("nope"), None);
        // An odd flat field list is malformed: an error, not a silently dropped field.
        let odd = Value::Array(vec![
            bulk("1-0"),
            Value::Array(vec![bulk("f"), bulk("v"), bulk("g")]),
        ]);
        let e = StreamEntry::from_value(odd).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Data, "{e}");
    }

    #[test]
    fn sentinel_instances_from_maps_and_flat_pairs() {
        let flat = Value::Array(
            [
                "name",
                "mymaster",
                "ip",
                "127.0.0.1",
                "port",
                "6380",
                "flags",
                "master,s_down",
                "quorum",
                "2",
            ]
            .iter()
            .map(|s| bulk(s))
            .collect(),
        );
        let s = SentinelInstance::from_value(flat).unwrap();
        assert_eq!(
            (s.name.as_str(), s.ip.as_str(), s.port),
            ("mymaster", "127.0.0.1", 6380)
        );
        assert_eq!(s.flags, ["master", "s_down"]);
        assert!(s.is_master() && s.is_sdown());
        assert!(!s.is_slave() && !s.is_odown() && !s.is_disconnected() && !s.is_sentinel());
        assert_eq!(s.get_int("quorum"), Some(2));
        assert_eq!(s.get("nope"), None);
        // Every other flag, each read from the list (RESP3 map form).
        let replica = Value::Map(
            [
                ("name", "127.0.0.1:6381"),
                ("port", "6381"),
                ("flags", "slave,o_down,disconnected,master_down"),
            ]
            .iter()
            .map(|(k, v)| (bulk(k), bulk(v)))
            .collect(),
        );
        let r = SentinelInstance::from_value(replica).unwrap();
        assert!(r.is_slave() && r.is_odown() && r.is_disconnected() && r.is_master_down());
        assert!(!r.is_master() && !r.is_sdown() && !r.is_sentinel());
        assert!(!s.is_master_down());
        // An entry of SENTINEL SENTINELS.
        let other = Value::Map(
            [("name", "5f1a"), ("port", "26380"), ("flags", "sentinel")]
                .iter()
                .map(|(k, v)| (bulk(k), bulk(v)))
                .collect(),
        );
        let other = SentinelInstance::from_value(other).unwrap();
        assert!(other.is_sentinel() && !other.is_master() && !other.is_slave());
        let map = Value::Map(vec![(bulk("port"), bulk("x"))]);
        let e = SentinelInstance::from_value(map).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Data, "{e}");
    }

    #[test]
    fn a_bare_geo_member_is_a_result_with_only_the_member() {
        let r = GeoSearchResult::from_value(bulk("Palermo")).unwrap();
        assert_eq!(
            (r.member.as_str(), r.dist, r.hash, r.coord),
            ("Palermo", None, None, None)
        );
    }

    #[test]
    fn geo_results_with_and_without_extras() {
        let full = Value::Array(vec![
            bulk("m"),
            Value::Double(1.5),
            Value::Int(42),
            Value::Array(vec![Value::Double(1.0), Value::Double(2.0)]),
        ]);
        let r = GeoSearchResult::from_value(full).unwrap();
        assert_eq!(
            (r.member.as_str(), r.dist, r.hash, r.coord),
            ("m", Some(1.5), Some(42), Some((1.0, 2.0)))
        );
        let bare = GeoSearchResult::from_value(bulk("m")).unwrap();
        assert_eq!((bare.dist, bare.hash, bare.coord), (None, None, None));
    }

    #[test]
    fn pending_summary_of_an_empty_group() {
        let v = Value::Array(vec![Value::Int(0), Value::Nil, Value::Nil, Value::Nil]);
        assert_eq!(
            PendingSummary::from_value(v).unwrap(),
            PendingSummary::default()
        );
    }

    #[test]
    fn client_info_accessors() {
        let v = Value::Map(vec![
            (bulk("id"), bulk("7")),
            (bulk("name"), bulk("me")),
            (bulk("db"), bulk("2")),
        ]);
        let c = ClientInfo::from_value(v).unwrap();
        assert_eq!(
            (c.id(), c.name(), c.db(), c.addr()),
            (Some(7), Some("me"), Some(2), None)
        );
    }
}
