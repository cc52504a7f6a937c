//! The slot map: which node serves each of the 16384 slots, built from `CLUSTER SLOTS` or
//! `CLUSTER SHARDS`, with the lookups routing needs and redis-py 8's replica load balancing.

use std::collections::HashMap;

use super::redirect::NodeAddr;
use super::SLOT_COUNT;
use crate::commands::NodeFlag;
use crate::error::{Error, ErrorKind, Result};
use crate::value::Value;

/// One cluster node: its address and, when the reply has it, its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Node {
    /// Where to connect.
    pub(crate) addr: NodeAddr,
    /// The node id (40 hex characters), if the reply carried it.
    pub(crate) id: Option<String>,
}

/// A primary and its replicas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shard {
    /// The node that owns the shard's slots.
    pub(crate) primary: Node,
    /// Its replicas, in address order.
    pub(crate) replicas: Vec<Node>,
}

/// Marks an unassigned slot in [`SlotMap`]'s table.
const NONE: u16 = u16::MAX;

/// Which node serves a read for a slot: redis-py 8's `load_balancing_strategy` (`None` there is
/// [`Primary`](Self::Primary)). Writes always go to the primary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoadBalancingStrategy {
    /// The primary only (redis-py's default).
    #[default]
    Primary,
    /// Round robin over the primary and its replicas (redis-py `ROUND_ROBIN`, also what
    /// `read_from_replicas=True` means).
    RoundRobin,
    /// Round robin over the replicas only (redis-py `ROUND_ROBIN_REPLICAS`).
    RoundRobinReplicas,
    /// A random replica (redis-py `RANDOM_REPLICA`).
    RandomReplica,
}

/// Round-robin positions per primary (redis-py's `LoadBalancer`); one per client.
#[derive(Debug, Clone, Default)]
pub(crate) struct LoadBalancer {
    next: HashMap<NodeAddr, usize>,
}

impl LoadBalancer {
    /// Index into `[primary, replicas...]` (of length `len`) for the next read of the shard of
    /// `primary`; `random` in `[0, 1)` is used by [`LoadBalancingStrategy::RandomReplica`].
    fn pick(
        &mut self,
        primary: &NodeAddr,
        len: usize,
        strategy: LoadBalancingStrategy,
        random: f64,
    ) -> usize {
        if len <= 1 {
            return 0;
        }
        match strategy {
            LoadBalancingStrategy::Primary => 0,
            LoadBalancingStrategy::RandomReplica => {
                let replicas = len - 1;
                1 + ((random.clamp(0.0, 1.0) * replicas as f64) as usize).min(replicas - 1)
            }
            LoadBalancingStrategy::RoundRobin | LoadBalancingStrategy::RoundRobinReplicas => {
                let slot = self.next.entry(primary.clone()).or_insert(0);
                let mut index = *slot % len;
                if strategy == LoadBalancingStrategy::RoundRobinReplicas && index == 0 {
                    index = 1;
                }
                *slot = (index + 1) % len;
                index
            }
        }
    }
}

/// The cluster's slot map: for each slot, the shard (primary + replicas) that serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SlotMap {
    /// Shard index per slot, [`NONE`] when unassigned.
    slots: Vec<u16>,
    shards: Vec<Shard>,
}

fn protocol(what: &str) -> Error {
    Error::new(
        ErrorKind::Protocol,
        format!("unexpected cluster topology reply: {what}"),
    )
}

fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        _ => std::str::from_utf8(v.as_bytes()?).ok()?.parse().ok(),
    }
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::Nil => Some(String::new()),
        _ => v
            .as_bytes()
            .map(|b| String::from_utf8_lossy(b).into_owned()),
    }
}

/// The fields of a map, or of a flat `[key, value, ...]` array (RESP2).
fn fields(v: &Value) -> Option<Vec<(&[u8], &Value)>> {
    match v {
        Value::Map(pairs) => pairs
            .iter()
            .map(|(k, v)| Some((k.as_bytes()?, v)))
            .collect(),
        Value::Array(items) if items.len() % 2 == 0 => items
            .chunks(2)
            .map(|p| Some((p[0].as_bytes()?, &p[1])))
            .collect(),
        _ => None,
    }
}

fn field<'a>(fields: &[(&[u8], &'a Value)], name: &str) -> Option<&'a Value> {
    fields
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name.as_bytes()))
        .map(|(_, v)| *v)
}

/// An endpoint as the cluster reports it: empty or `?` means the host we asked.
fn endpoint(host: String, current_host: &str) -> String {
    if host.is_empty() || host == "?" {
        current_host.to_owned()
    } else {
        host
    }
}

/// Builds a map from `(start, end, shard)` assignments, merging shards with the same primary.
struct Builder {
    slots: Vec<u16>,
    shards: Vec<Shard>,
}

impl Builder {
    fn new() -> Builder {
        Builder {
            slots: vec![NONE; usize::from(SLOT_COUNT)],
            shards: Vec::new(),
        }
    }

    fn assign(&mut self, start: i64, end: i64, shard: Shard) -> Result<()> {
        let max = i64::from(SLOT_COUNT) - 1;
        if start < 0 || end > max || start > end {
            return Err(protocol(&format!("slot range {start}-{end}")));
        }
        let index = match self
            .shards
            .iter()
            .position(|s| s.primary.addr == shard.primary.addr)
        {
            Some(i) => {
                let known = &mut self.shards[i];
                for r in shard.replicas {
                    if !known.replicas.iter().any(|k| k.addr == r.addr) {
                        known.replicas.push(r);
                    }
                }
                i
            }
            None => {
                self.shards.push(shard);
                self.shards.len() - 1
            }
        };
        let index = u16::try_from(index).map_err(|_| protocol("too many shards"))?;
        for slot in &mut self.slots[start as usize..=end as usize] {
            *slot = index;
        }
        Ok(())
    }

    /// Shards renumbered in order of their first slot, replicas sorted, so that equal
    /// topologies compare equal whatever order the reply listed them in.
    fn build(self) -> SlotMap {
        let mut order: Vec<u16> = Vec::new();
        for &s in &self.slots {
            if s != NONE && !order.contains(&s) {
                order.push(s);
            }
        }
        let mut renumber = vec![NONE; self.shards.len()];
        for (new, &old) in order.iter().enumerate() {
            renumber[usize::from(old)] = new as u16;
        }
        let mut shards: Vec<Option<Shard>> = self.shards.into_iter().map(Some).collect();
        let shards = order
            .iter()
            .filter_map(|&old| shards[usize::from(old)].take())
            .map(|mut s| {
                s.replicas.sort_by(|a, b| a.addr.cmp(&b.addr));
                s
            })
            .collect();
        let slots = self
            .slots
            .iter()
            .map(|&s| {
                if s == NONE {
                    NONE
                } else {
                    renumber[usize::from(s)]
                }
            })
            .collect();
        SlotMap { slots, shards }
    }
}

impl SlotMap {
    /// A map without any assigned slot.
    pub(crate) fn empty() -> SlotMap {
        Builder::new().build()
    }

    /// Parses a `CLUSTER SLOTS` reply, as sent (RESP2 or RESP3) or normalised:
    /// `[[start, end, [ip, port, id?, metadata?], replicas...], ...]`. The metadata may be a
    /// map, a flat array or empty. `current_host` is the host the request went to; an empty or
    /// `?` endpoint means that host.
    pub(crate) fn from_cluster_slots(reply: &Value, current_host: &str) -> Result<SlotMap> {
        let Value::Array(entries) = reply else {
            return Err(protocol("CLUSTER SLOTS is not an array"));
        };
        let node = |v: &Value| -> Result<Node> {
            let Value::Array(parts) = v else {
                return Err(protocol("CLUSTER SLOTS node is not an array"));
            };
            let host = parts.first().and_then(text_of);
            let port = parts.get(1).and_then(int_of);
            let (Some(host), Some(port)) = (host, port) else {
                return Err(protocol("CLUSTER SLOTS node without ip and port"));
            };
            let port = u16::try_from(port).map_err(|_| protocol("port out of range"))?;
            let id = parts.get(2).and_then(text_of).filter(|s| !s.is_empty());
            Ok(Node {
                addr: NodeAddr::new(endpoint(host, current_host), port),
                id,
            })
        };
        let mut builder = Builder::new();
        for entry in entries {
            let Value::Array(parts) = entry else {
                return Err(protocol("CLUSTER SLOTS entry is not an array"));
            };
            if parts.len() < 3 {
                return Err(protocol("CLUSTER SLOTS entry without a primary"));
            }
            let (Some(start), Some(end)) = (int_of(&parts[0]), int_of(&parts[1])) else {
                return Err(protocol("CLUSTER SLOTS range is not two integers"));
            };
            let primary = node(&parts[2])?;
            let replicas = parts[3..].iter().map(node).collect::<Result<_>>()?;
            builder.assign(start, end, Shard { primary, replicas })?;
        }
        Ok(builder.build())
    }

    #[cfg_attr(
        not(test),
        expect(
            dead_code,
            reason = "CLUSTER SHARDS is parsed and tested, the clients ask CLUSTER SLOTS"
        )
    )]
    /// Parses a `CLUSTER SHARDS` reply (Redis 7+): a list of shards, each a map (RESP3) or flat
    /// array (RESP2) with `slots` (`[start, end, start, end...]`) and `nodes` (maps with `id`,
    /// `endpoint`, `ip`, `port`/`tls-port`, `role`, `health`). Replicas whose health is not
    /// `online` are left out; a shard without slots (or without a primary) is ignored.
    pub(crate) fn from_cluster_shards(reply: &Value, current_host: &str) -> Result<SlotMap> {
        let Value::Array(shards) = reply else {
            return Err(protocol("CLUSTER SHARDS is not an array"));
        };
        let mut builder = Builder::new();
        for shard in shards {
            let shard = fields(shard).ok_or_else(|| protocol("CLUSTER SHARDS shard"))?;
            let ranges = match field(&shard, "slots") {
                Some(Value::Array(r)) => r,
                _ => return Err(protocol("CLUSTER SHARDS shard without slots")),
            };
            let nodes = match field(&shard, "nodes") {
                Some(Value::Array(n)) => n,
                _ => return Err(protocol("CLUSTER SHARDS shard without nodes")),
            };
            let mut primary = None;
            let mut replicas = Vec::new();
            for n in nodes {
                let f = fields(n).ok_or_else(|| protocol("CLUSTER SHARDS node"))?;
                let text = |name| field(&f, name).and_then(text_of).unwrap_or_default();
                let host = match text("endpoint") {
                    e if e.is_empty() || e == "?" => text("ip"),
                    e => e,
                };
                let port = field(&f, "port")
                    .or_else(|| field(&f, "tls-port"))
                    .and_then(int_of)
                    .and_then(|p| u16::try_from(p).ok())
                    .ok_or_else(|| protocol("CLUSTER SHARDS node without a port"))?;
                let id = Some(text("id")).filter(|s| !s.is_empty());
                let node = Node {
                    addr: NodeAddr::new(endpoint(host, current_host), port),
                    id,
                };
                match text("role").as_str() {
                    "master" | "primary" => primary = Some(node),
                    _ if text("health") == "online" || text("health").is_empty() => {
                        replicas.push(node)
                    }
                    _ => {}
                }
            }
            let Some(primary) = primary else { continue };
            let shard = Shard { primary, replicas };
            for pair in ranges.chunks(2) {
                let (Some(start), Some(end)) =
                    (pair.first().and_then(int_of), pair.get(1).and_then(int_of))
                else {
                    return Err(protocol("CLUSTER SHARDS slots are not pairs of integers"));
                };
                builder.assign(start, end, shard.clone())?;
            }
        }
        Ok(builder.build())
    }

    /// The view most replies agree on (the first of the most common, in the order given, on a
    /// tie), with how many agreed; `None` when there is none.
    pub(crate) fn majority(views: Vec<SlotMap>) -> Option<(SlotMap, usize)> {
        let mut groups: Vec<(SlotMap, usize)> = Vec::new();
        for view in views {
            match groups.iter_mut().find(|(v, _)| *v == view) {
                Some((_, n)) => *n += 1,
                None => groups.push((view, 1)),
            }
        }
        let best = groups.iter().map(|(_, n)| *n).max()?;
        groups.into_iter().find(|(_, n)| *n == best)
    }

    fn shard_of(&self, slot: u16) -> Option<&Shard> {
        match *self.slots.get(usize::from(slot))? {
            NONE => None,
            i => self.shards.get(usize::from(i)),
        }
    }

    /// The primary serving `slot`, `None` when the slot is unassigned.
    pub(crate) fn primary_for_slot(&self, slot: u16) -> Option<&Node> {
        self.shard_of(slot).map(|s| &s.primary)
    }

    /// Whether `node` is the primary or a replica of `slot`'s shard.
    pub(crate) fn serves(&self, slot: u16, node: &NodeAddr) -> bool {
        self.shard_of(slot)
            .is_some_and(|s| s.primary.addr == *node || s.replicas.iter().any(|r| r.addr == *node))
    }

    /// The node a command for `slot` goes to: the primary for writes (`read` false) or under
    /// [`LoadBalancingStrategy::Primary`], else a node of the shard per the strategy. A shard without
    /// replicas always answers with its primary. `random` in `[0, 1)` feeds
    /// [`LoadBalancingStrategy::RandomReplica`].
    pub(crate) fn node_for_slot(
        &self,
        slot: u16,
        read: bool,
        strategy: LoadBalancingStrategy,
        balancer: &mut LoadBalancer,
        random: f64,
    ) -> Option<&Node> {
        let shard = self.shard_of(slot)?;
        if !read {
            return Some(&shard.primary);
        }
        let len = 1 + shard.replicas.len();
        match balancer.pick(&shard.primary.addr, len, strategy, random) {
            0 => Some(&shard.primary),
            i => shard.replicas.get(i - 1),
        }
    }

    /// The map with every node's address passed through `remap` (redis-py's
    /// `address_remap`).
    pub(crate) fn remap(mut self, remap: &super::redirect::AddressRemap) -> SlotMap {
        for shard in &mut self.shards {
            shard.primary.addr = remap.apply(&shard.primary.addr);
            for replica in &mut shard.replicas {
                replica.addr = remap.apply(&replica.addr);
            }
        }
        self
    }

    /// Every primary that serves at least one slot, in slot order.
    pub(crate) fn primaries(&self) -> impl Iterator<Item = &Node> {
        self.shards.iter().map(|s| &s.primary)
    }

    /// Every replica.
    pub(crate) fn replicas(&self) -> impl Iterator<Item = &Node> {
        self.shards.iter().flat_map(|s| s.replicas.iter())
    }

    /// Every node: each primary followed by its replicas.
    pub(crate) fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.shards
            .iter()
            .flat_map(|s| std::iter::once(&s.primary).chain(s.replicas.iter()))
    }

    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "for diagnostics and the unit tests")
    )]
    /// The assigned slot ranges `(start, end, primary)`, in slot order.
    pub(crate) fn ranges(&self) -> Vec<(u16, u16, &Node)> {
        let mut out: Vec<(u16, u16, &Node)> = Vec::new();
        let mut start = 0usize;
        while start < self.slots.len() {
            let s = self.slots[start];
            let mut end = start;
            while end + 1 < self.slots.len() && self.slots[end + 1] == s {
                end += 1;
            }
            if s != NONE {
                if let Some(shard) = self.shards.get(usize::from(s)) {
                    out.push((start as u16, end as u16, &shard.primary));
                }
            }
            start = end + 1;
        }
        out
    }

    /// The nodes a keyless command with `flag` goes to. `default` is the client's default node
    /// ([`NodeFlag::DefaultNode`]); [`NodeFlag::Random`] picks, with `random` in `[0, 1)`, a
    /// primary, or any node for a `readonly` command when reads may go to replicas (redis-py's
    /// `get_random_primary_or_all_nodes`). [`NodeFlag::SlotId`] names no nodes by itself (the
    /// command routes by its slot argument): empty.
    pub(crate) fn nodes_for(
        &self,
        flag: NodeFlag,
        readonly: bool,
        strategy: LoadBalancingStrategy,
        default: &NodeAddr,
        random: f64,
    ) -> Vec<NodeAddr> {
        let pick = |nodes: Vec<&Node>| -> Vec<NodeAddr> {
            if nodes.is_empty() {
                return Vec::new();
            }
            let i = ((random.clamp(0.0, 1.0) * nodes.len() as f64) as usize).min(nodes.len() - 1);
            vec![nodes[i].addr.clone()]
        };
        let addrs =
            |nodes: &mut dyn Iterator<Item = &Node>| nodes.map(|n| n.addr.clone()).collect();
        match flag {
            NodeFlag::DefaultNode => vec![default.clone()],
            NodeFlag::Primaries => addrs(&mut self.primaries()),
            NodeFlag::Replicas => addrs(&mut self.replicas()),
            NodeFlag::AllNodes => addrs(&mut self.nodes()),
            NodeFlag::Random if readonly && strategy != LoadBalancingStrategy::Primary => {
                pick(self.nodes().collect())
            }
            NodeFlag::Random => pick(self.primaries().collect()),
            _ => Vec::new(),
        }
    }

    /// Whether every slot has a node (redis-py's `require_full_coverage` check).
    pub(crate) fn is_fully_covered(&self) -> bool {
        self.slots.iter().all(|&s| s != NONE)
    }

    /// How many slots have a node.
    pub(crate) fn covered_slots(&self) -> usize {
        self.slots.iter().filter(|&&s| s != NONE).count()
    }

    /// The nodes of `slot`'s shard: its primary, then its replicas (redis-py's
    /// `slots_cache[slot]`); empty when the slot is unassigned.
    pub(crate) fn slot_nodes(&self, slot: u16) -> Vec<&Node> {
        self.shard_of(slot)
            .map(|s| {
                std::iter::once(&s.primary)
                    .chain(s.replicas.iter())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Applies a MOVED reply between full refreshes: `slot` now belongs to `node`. When `node`
    /// was a replica of the slot's shard (a failover), it becomes that shard's primary and the
    /// old primary its replica; when it is another shard's primary, the slot moves there;
    /// otherwise it becomes the primary of a new shard without replicas.
    pub(crate) fn apply_moved(&mut self, slot: u16, node: &NodeAddr) {
        let Some(&current) = self.slots.get(usize::from(slot)) else {
            return;
        };
        if let Some(shard) = self.shards.get_mut(usize::from(current)) {
            if shard.primary.addr == *node {
                return;
            }
            if let Some(i) = shard.replicas.iter().position(|r| r.addr == *node) {
                std::mem::swap(&mut shard.primary, &mut shard.replicas[i]);
                return;
            }
        }
        let index = match self.shards.iter().position(|s| s.primary.addr == *node) {
            Some(i) => i,
            None => {
                self.shards.push(Shard {
                    primary: Node {
                        addr: node.clone(),
                        id: None,
                    },
                    replicas: Vec::new(),
                });
                self.shards.len() - 1
            }
        };
        if let Ok(index) = u16::try_from(index) {
            self.slots[usize::from(slot)] = index;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn bulk(s: &str) -> Value {
        Value::Bulk(Bytes::copy_from_slice(s.as_bytes()))
    }

    fn arr(items: Vec<Value>) -> Value {
        Value::Array(items)
    }

    fn id(c: char) -> String {
        std::iter::repeat_n(c, 40).collect()
    }

    /// A CLUSTER SLOTS node; `meta` is the fourth element as the protocol sends it.
    fn slots_node(ip: &str, port: i64, node_id: &str, meta: Option<Value>) -> Value {
        let mut v = vec![bulk(ip), Value::Int(port), bulk(node_id)];
        v.extend(meta);
        arr(v)
    }

    /// Redis 7.0's reply for a 3+3 cluster on 127.0.0.1:7000..7005; `meta` builds each node's
    /// metadata (RESP2: empty array; RESP3: empty map).
    fn three_by_three(meta: impl Fn() -> Value) -> Value {
        let entry = |start, end, p: i64, r: i64, pc: char, rc: char| {
            arr(vec![
                Value::Int(start),
                Value::Int(end),
                slots_node("127.0.0.1", p, &id(pc), Some(meta())),
                slots_node("127.0.0.1", r, &id(rc), Some(meta())),
            ])
        };
        arr(vec![
            entry(0, 5460, 7000, 7004, 'a', 'e'),
            entry(5461, 10922, 7001, 7005, 'b', 'f'),
            entry(10923, 16383, 7002, 7003, 'c', 'd'),
        ])
    }

    fn addr(port: u16) -> NodeAddr {
        NodeAddr::new("127.0.0.1", port)
    }

    fn ports<'a>(nodes: impl Iterator<Item = &'a Node>) -> Vec<u16> {
        nodes.map(|n| n.addr.port).collect()
    }

    #[test]
    fn cluster_slots_resp2_and_resp3_give_the_same_map() {
        let resp2 = SlotMap::from_cluster_slots(&three_by_three(|| arr(vec![])), "h").unwrap();
        let resp3 =
            SlotMap::from_cluster_slots(&three_by_three(|| Value::Map(vec![])), "h").unwrap();
        assert_eq!(resp2, resp3);
        let with_hostname =
            three_by_three(|| Value::Map(vec![(bulk("hostname"), bulk("node.example"))]));
        assert_eq!(
            SlotMap::from_cluster_slots(&with_hostname, "h").unwrap(),
            resp2
        );
        // Redis 6: no metadata element at all.
        let old = arr(vec![arr(vec![
            Value::Int(0),
            Value::Int(16383),
            arr(vec![bulk("127.0.0.1"), Value::Int(7000), bulk(&id('a'))]),
        ])]);
        let old = SlotMap::from_cluster_slots(&old, "h").unwrap();
        assert!(old.is_fully_covered());
        assert_eq!(
            old.primary_for_slot(9000).unwrap().id.as_deref(),
            Some(&*id('a'))
        );

        let m = resp2;
        assert_eq!(m.primary_for_slot(0).unwrap().addr, addr(7000));
        assert_eq!(m.primary_for_slot(5460).unwrap().addr, addr(7000));
        assert_eq!(m.primary_for_slot(5461).unwrap().addr, addr(7001));
        assert_eq!(m.primary_for_slot(12182).unwrap().addr, addr(7002));
        assert_eq!(
            m.primary_for_slot(16383).unwrap().id.as_deref(),
            Some(&*id('c'))
        );
        assert_eq!(m.primary_for_slot(16384), None);
        assert_eq!(ports(m.primaries()), [7000, 7001, 7002]);
        assert_eq!(ports(m.replicas()), [7004, 7005, 7003]);
        assert_eq!(ports(m.nodes()), [7000, 7004, 7001, 7005, 7002, 7003]);
        assert!(m.is_fully_covered());
        let ranges: Vec<_> = m
            .ranges()
            .iter()
            .map(|(s, e, n)| (*s, *e, n.addr.port))
            .collect();
        assert_eq!(
            ranges,
            [(0, 5460, 7000), (5461, 10922, 7001), (10923, 16383, 7002)]
        );
    }

    #[test]
    fn unassigned_slots_map_to_none_and_split_ranges_merge_into_one_shard() {
        let reply = arr(vec![
            arr(vec![
                Value::Int(0),
                Value::Int(99),
                slots_node("10.0.0.1", 7000, "", None),
            ]),
            // The same primary again for a second range, as after a resharding.
            arr(vec![
                Value::Int(200),
                Value::Int(299),
                slots_node("10.0.0.1", 7000, "", None),
            ]),
        ]);
        let m = SlotMap::from_cluster_slots(&reply, "h").unwrap();
        assert_eq!(m.primary_for_slot(150), None);
        assert_eq!(m.primary_for_slot(16000), None);
        assert_eq!(
            m.primary_for_slot(250).unwrap().addr,
            NodeAddr::new("10.0.0.1", 7000)
        );
        assert_eq!(m.primary_for_slot(250).unwrap().id, None);
        assert_eq!(m.primaries().count(), 1);
        assert!(!m.is_fully_covered());
        let ranges: Vec<_> = m.ranges().iter().map(|(s, e, _)| (*s, *e)).collect();
        assert_eq!(ranges, [(0, 99), (200, 299)]);
    }

    #[test]
    fn an_empty_or_unknown_endpoint_is_the_host_asked() {
        let reply = arr(vec![arr(vec![
            Value::Int(0),
            Value::Int(16383),
            slots_node("", 7000, &id('a'), Some(arr(vec![]))),
            slots_node("?", 7001, &id('b'), Some(arr(vec![]))),
        ])]);
        let m = SlotMap::from_cluster_slots(&reply, "192.168.1.9").unwrap();
        assert_eq!(
            m.primary_for_slot(1).unwrap().addr,
            NodeAddr::new("192.168.1.9", 7000)
        );
        assert_eq!(ports(m.replicas()), [7001]);
        assert_eq!(m.replicas().next().unwrap().addr.host, "192.168.1.9");
    }

    #[test]
    fn malformed_cluster_slots_replies_are_protocol_errors() {
        let bad = [
            bulk("x"),
            arr(vec![bulk("x")]),
            arr(vec![arr(vec![Value::Int(0), Value::Int(1)])]),
            arr(vec![arr(vec![
                Value::Int(5),
                Value::Int(1),
                slots_node("h", 1, "", None),
            ])]),
            arr(vec![arr(vec![
                Value::Int(0),
                Value::Int(16384),
                slots_node("h", 1, "", None),
            ])]),
            arr(vec![arr(vec![
                Value::Int(0),
                Value::Int(1),
                arr(vec![bulk("h")]),
            ])]),
            arr(vec![arr(vec![
                Value::Int(0),
                Value::Int(1),
                slots_node("h", 70000, "", None),
            ])]),
        ];
        for reply in bad {
            let e = SlotMap::from_cluster_slots(&reply, "h").unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Protocol, "{reply:?}");
        }
    }

    /// A CLUSTER SHARDS node as flat pairs (RESP2) or a map (RESP3).
    fn shards_node(resp3: bool, pairs: &[(&str, Value)]) -> Value {
        if resp3 {
            Value::Map(pairs.iter().map(|(k, v)| (bulk(k), v.clone())).collect())
        } else {
            arr(pairs
                .iter()
                .flat_map(|(k, v)| [bulk(k), v.clone()])
                .collect())
        }
    }

    fn shards_reply(resp3: bool) -> Value {
        let node = |port: i64, c: char, role: &str, health: &str| {
            shards_node(
                resp3,
                &[
                    ("id", bulk(&id(c))),
                    ("port", Value::Int(port)),
                    ("ip", bulk("127.0.0.1")),
                    ("endpoint", bulk("127.0.0.1")),
                    ("role", bulk(role)),
                    ("replication-offset", Value::Int(72156)),
                    ("health", bulk(health)),
                ],
            )
        };
        let shard = |slots: Vec<i64>, nodes: Vec<Value>| {
            shards_node(
                resp3,
                &[
                    ("slots", arr(slots.into_iter().map(Value::Int).collect())),
                    ("nodes", arr(nodes)),
                ],
            )
        };
        arr(vec![
            shard(
                vec![0, 5460],
                vec![
                    node(7000, 'a', "master", "online"),
                    node(7004, 'e', "replica", "online"),
                ],
            ),
            // The replica is listed first here; a failed replica is left out.
            shard(
                vec![5461, 10922],
                vec![
                    node(7005, 'f', "replica", "online"),
                    node(7001, 'b', "master", "online"),
                ],
            ),
            shard(
                vec![10923, 16383],
                vec![
                    node(7002, 'c', "master", "online"),
                    node(7003, 'd', "replica", "failed"),
                ],
            ),
        ])
    }

    #[test]
    fn cluster_shards_resp2_and_resp3() {
        let resp2 = SlotMap::from_cluster_shards(&shards_reply(false), "h").unwrap();
        let resp3 = SlotMap::from_cluster_shards(&shards_reply(true), "h").unwrap();
        assert_eq!(resp2, resp3);
        assert_eq!(ports(resp2.primaries()), [7000, 7001, 7002]);
        assert_eq!(ports(resp2.replicas()), [7004, 7005]);
        assert_eq!(
            resp2.primary_for_slot(5461).unwrap().id.as_deref(),
            Some(&*id('b'))
        );
        assert!(resp2.is_fully_covered());
        // CLUSTER SLOTS of the same cluster gives the same map, but for the failed replica.
        let from_slots = SlotMap::from_cluster_slots(&three_by_three(|| arr(vec![])), "h").unwrap();
        assert_eq!(ports(from_slots.replicas()), [7004, 7005, 7003]);
        assert_ne!(from_slots, resp2);
    }

    #[test]
    fn cluster_shards_endpoint_fallbacks_and_shards_without_slots() {
        let node = |pairs: &[(&str, Value)]| shards_node(true, pairs);
        let reply = arr(vec![
            shards_node(
                true,
                &[
                    (
                        "slots",
                        arr(vec![
                            Value::Int(0),
                            Value::Int(10),
                            Value::Int(20),
                            Value::Int(30),
                        ]),
                    ),
                    (
                        "nodes",
                        arr(vec![node(&[
                            ("ip", bulk("10.1.1.1")),
                            ("endpoint", bulk("?")),
                            ("tls-port", Value::Int(8000)),
                            ("role", bulk("master")),
                        ])]),
                    ),
                ],
            ),
            // Valkey adds a shard id; an empty shard has no slots.
            shards_node(
                true,
                &[
                    ("slots", arr(vec![])),
                    ("id", bulk("shard-2")),
                    (
                        "nodes",
                        arr(vec![node(&[
                            ("endpoint", bulk("")),
                            ("ip", bulk("")),
                            ("port", Value::Int(7009)),
                            ("role", bulk("master")),
                        ])]),
                    ),
                ],
            ),
        ]);
        let m = SlotMap::from_cluster_shards(&reply, "asked").unwrap();
        assert_eq!(
            m.primary_for_slot(25).unwrap().addr,
            NodeAddr::new("10.1.1.1", 8000)
        );
        assert_eq!(m.primary_for_slot(15), None);
        assert_eq!(m.primaries().count(), 1);
        let e = SlotMap::from_cluster_shards(&arr(vec![bulk("x")]), "h").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol);
    }

    #[test]
    fn the_view_most_nodes_agree_on_wins() {
        let good = SlotMap::from_cluster_slots(&three_by_three(|| arr(vec![])), "h").unwrap();
        let mut stale = good.clone();
        stale.apply_moved(0, &addr(7001));
        assert_ne!(stale, good);
        let (view, n) = SlotMap::majority(vec![stale.clone(), good.clone(), good.clone()]).unwrap();
        assert_eq!((view, n), (good.clone(), 2));
        // A tie goes to the first reply's view.
        let (view, n) = SlotMap::majority(vec![stale.clone(), good.clone()]).unwrap();
        assert_eq!((view, n), (stale, 1));
        assert!(SlotMap::majority(Vec::new()).is_none());
        // Listing order of the reply does not matter.
        let Value::Array(mut entries) = three_by_three(|| arr(vec![])) else {
            unreachable!()
        };
        entries.reverse();
        let reordered = SlotMap::from_cluster_slots(&arr(entries), "h").unwrap();
        assert_eq!(reordered, good);
    }

    #[test]
    fn reads_follow_redis_py_load_balancing_strategies() {
        let reply = arr(vec![arr(vec![
            Value::Int(0),
            Value::Int(16383),
            slots_node("127.0.0.1", 7000, "", None),
            slots_node("127.0.0.1", 7002, "", None),
            slots_node("127.0.0.1", 7001, "", None),
        ])]);
        let m = SlotMap::from_cluster_slots(&reply, "h").unwrap();
        let picks = |strategy, read, random: f64| {
            let mut lb = LoadBalancer::default();
            (0..6)
                .map(|_| {
                    m.node_for_slot(7, read, strategy, &mut lb, random)
                        .unwrap()
                        .addr
                        .port
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(picks(LoadBalancingStrategy::Primary, true, 0.0), [7000; 6]);
        assert_eq!(
            picks(LoadBalancingStrategy::RoundRobin, false, 0.0),
            [7000; 6],
            "writes"
        );
        assert_eq!(
            picks(LoadBalancingStrategy::RoundRobin, true, 0.0),
            [7000, 7001, 7002, 7000, 7001, 7002]
        );
        assert_eq!(
            picks(LoadBalancingStrategy::RoundRobinReplicas, true, 0.0),
            [7001, 7002, 7001, 7002, 7001, 7002]
        );
        assert_eq!(
            picks(LoadBalancingStrategy::RandomReplica, true, 0.0),
            [7001; 6]
        );
        assert_eq!(
            picks(LoadBalancingStrategy::RandomReplica, true, 0.99),
            [7002; 6]
        );
        // A shard without replicas answers with its primary under every strategy.
        let single = SlotMap::from_cluster_slots(
            &arr(vec![arr(vec![
                Value::Int(0),
                Value::Int(16383),
                slots_node("127.0.0.1", 7000, "", None),
            ])]),
            "h",
        )
        .unwrap();
        let mut lb = LoadBalancer::default();
        for s in [
            LoadBalancingStrategy::RoundRobin,
            LoadBalancingStrategy::RoundRobinReplicas,
            LoadBalancingStrategy::RandomReplica,
        ] {
            assert_eq!(
                single
                    .node_for_slot(1, true, s, &mut lb, 0.5)
                    .unwrap()
                    .addr
                    .port,
                7000
            );
        }
        let empty = SlotMap::from_cluster_slots(&arr(vec![]), "h").unwrap();
        assert!(empty
            .node_for_slot(1, true, LoadBalancingStrategy::RoundRobin, &mut lb, 0.0)
            .is_none());
    }

    #[test]
    fn keyless_flags_resolve_to_nodes() {
        let m = SlotMap::from_cluster_slots(&three_by_three(|| arr(vec![])), "h").unwrap();
        let default = addr(7001);
        let for_flag = |flag, readonly, strategy, random| -> Vec<u16> {
            m.nodes_for(flag, readonly, strategy, &default, random)
                .iter()
                .map(|a| a.port)
                .collect()
        };
        let p = LoadBalancingStrategy::Primary;
        assert_eq!(for_flag(NodeFlag::DefaultNode, false, p, 0.0), [7001]);
        assert_eq!(
            for_flag(NodeFlag::Primaries, false, p, 0.0),
            [7000, 7001, 7002]
        );
        assert_eq!(
            for_flag(NodeFlag::Replicas, false, p, 0.0),
            [7004, 7005, 7003]
        );
        assert_eq!(
            for_flag(NodeFlag::AllNodes, false, p, 0.0),
            [7000, 7004, 7001, 7005, 7002, 7003]
        );
        // Random: a primary, whatever the strategy, unless a read may go to replicas.
        assert_eq!(for_flag(NodeFlag::Random, true, p, 0.99), [7002]);
        assert_eq!(
            for_flag(
                NodeFlag::Random,
                false,
                LoadBalancingStrategy::RoundRobin,
                0.99
            ),
            [7002]
        );
        assert_eq!(
            for_flag(
                NodeFlag::Random,
                true,
                LoadBalancingStrategy::RoundRobin,
                0.99
            ),
            [7003]
        );
        assert_eq!(
            for_flag(
                NodeFlag::Random,
                true,
                LoadBalancingStrategy::RoundRobin,
                0.0
            ),
            [7000]
        );
        assert!(for_flag(NodeFlag::SlotId, false, p, 0.0).is_empty());
        let empty = SlotMap::from_cluster_slots(&arr(vec![]), "h").unwrap();
        assert!(empty
            .nodes_for(NodeFlag::Random, false, p, &default, 0.5)
            .is_empty());
    }

    #[test]
    fn moved_patches_follow_a_failover_or_a_migration() {
        let mut m = SlotMap::from_cluster_slots(&three_by_three(|| arr(vec![])), "h").unwrap();
        // Failover: 7004 (replica of 7000) now owns slot 3; the whole shard flips.
        m.apply_moved(3, &addr(7004));
        assert_eq!(m.primary_for_slot(3).unwrap().addr, addr(7004));
        assert_eq!(m.primary_for_slot(5000).unwrap().addr, addr(7004));
        assert_eq!(ports(m.replicas()), [7000, 7005, 7003]);
        // Migration to another primary: only that slot moves.
        m.apply_moved(4, &addr(7001));
        assert_eq!(m.primary_for_slot(4).unwrap().addr, addr(7001));
        assert_eq!(m.primary_for_slot(5).unwrap().addr, addr(7004));
        // An unknown node becomes a new primary without replicas.
        m.apply_moved(6, &addr(7010));
        assert_eq!(m.primary_for_slot(6).unwrap().addr, addr(7010));
        assert_eq!(ports(m.primaries()), [7004, 7001, 7002, 7010]);
        // Already there: nothing changes.
        let before = m.clone();
        m.apply_moved(6, &addr(7010));
        assert_eq!(m, before);
    }
}
