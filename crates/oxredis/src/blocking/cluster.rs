//! The blocking Redis Cluster client: one connection pool per node, driving the sans-I/O
//! cluster core (`crate::cluster::flow`) with std sockets, a clock and sleeps.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::cache::ClientCache;
use crate::cluster::flow::{
    combine, group_by_node, Action, Attempt, ClusterScan, ClusterScanStep, ClusterState,
    PipelineResults, Plan, TopologyVotes, TransactionAttempt,
};
use crate::cluster::redirect::NodeAddr;
use crate::cluster::split::{merge_in_key_order, split_by_slot};
use crate::cluster::{ClusterBuilder, ClusterNode, NodeReplies, ServerType, TargetNodes};
use crate::commands::build;
use crate::commands::options::*;
use crate::conn::finish_reply;
use crate::pipeline::Batch;
use crate::retry::Sent;
use crate::{Cmd, Error, ErrorKind, FromValue, Result, ToArgs, Value};

use super::pipeline::{forget_writes, load_scripts, run_batch};
use super::{ConnectionPool, PooledConnection, PubSub, Redis};

#[derive(Debug)]
struct Inner {
    builder: ClusterBuilder,
    state: Mutex<ClusterState>,
    pools: Mutex<HashMap<NodeAddr, Arc<ConnectionPool>>>,
    /// The origin of the core's `now`.
    start: Instant,
}

/// The blocking Redis Cluster client (redis-py's `RedisCluster`).
///
/// `Send + Sync` and cheap to clone. It keeps the slot map (asked of several nodes, the view
/// most agree on) and one [`ConnectionPool`] per node. Every Redis command has a method named
/// as in redis-py, generated from the same command table as [`Redis`](super::Redis): a keyed
/// command goes to the node of its keys' slot (keys in several slots are a
/// [`ErrorKind::CrossSlot`] error, except DEL/EXISTS/TOUCH/UNLINK, which are split per slot), a
/// keyless one to the nodes its declaration names, with the replies combined (DBSIZE summed,
/// KEYS merged...). [`target_nodes`](Self::target_nodes) sends a command elsewhere.
///
/// Redirects and failures are handled as the cluster spec says: `MOVED` is followed and the
/// map updated (the whole map every `reinitialize_steps` MOVED replies, rate-limited), `ASK`
/// is followed with `ASKING` on the same connection, `TRYAGAIN` and `CLUSTERDOWN` are retried
/// with a bounded backoff, and a refused connection (a dead primary) refreshes the map and
/// retries, within `cluster_error_retry_attempts`. A write that may have run is never sent
/// twice.
///
/// # Examples
/// ```no_run
/// use oxredis::blocking::RedisCluster;
/// use oxredis::cluster::NodeFlag;
/// let rc = RedisCluster::from_url("redis://127.0.0.1:7000")?;
/// rc.set("{user1}.name", "ann")?;
/// let name: Option<String> = rc.get("{user1}.name")?;
/// let keys: i64 = rc.target_nodes(NodeFlag::Primaries).dbsize()?;
/// # Ok::<(), oxredis::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct RedisCluster {
    inner: Arc<Inner>,
}

/// Sends `cmd` on `pool`'s connection, after `ASKING` when `asking`.
fn send_on(pool: &Arc<ConnectionPool>, cmd: &Cmd, asking: bool) -> Result<Value> {
    if !asking {
        // A read the cache keeps: from the cache, or read on the node and stored. (After an
        // ASK the key is in transit: read it uncached.)
        if let Some((tracker, cache)) = pool.cache_route(cmd)? {
            let reply = match cache.get(cmd, Instant::now()) {
                Some(v) => v,
                None => {
                    let mut conn = pool.get().map_err(Error::mark_unsent)?;
                    Redis::read_cached(tracker, cache, &mut conn, cmd)?
                }
            };
            return finish_reply(cmd.reply_shape(), reply);
        }
    }
    let mut conn = pool.get().map_err(Error::mark_unsent)?;
    if !asking {
        return conn.request(cmd);
    }
    conn.expect_reply_within(cmd.block_time())?;
    conn.queue(&build::asking());
    conn.queue(cmd);
    conn.flush()?;
    let asked = conn.read_reply()?;
    let reply = conn.read_reply()?;
    if let Value::Error(e) = asked {
        return Err(e.into());
    }
    finish_reply(cmd.reply_shape(), reply)
}

impl RedisCluster {
    /// A client for the cluster the builder's start-up nodes belong to; the slot map is
    /// fetched now.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`] without start-up nodes; [`ErrorKind::Connection`] when no
    /// start-up node answers `CLUSTER SLOTS`, naming each node's failure.
    pub fn new(builder: ClusterBuilder) -> Result<RedisCluster> {
        let seeds = builder.seeds()?;
        let start = Instant::now();
        let inner = Inner {
            state: Mutex::new(ClusterState::new(
                crate::cluster::flow::empty_map(),
                builder.read_from,
                seeds.clone(),
                Duration::ZERO,
            )),
            builder,
            pools: Mutex::new(HashMap::new()),
            start,
        };
        let rc = RedisCluster {
            inner: Arc::new(inner),
        };
        let map = rc.fetch_map(seeds)?;
        let now = rc.now();
        let mut state = rc.state();
        *state = ClusterState::new(
            map,
            rc.inner.builder.read_from,
            rc.inner.builder.seeds()?,
            now,
        );
        drop(state);
        Ok(rc)
    }

    /// A client from a `redis://host:port` (or `rediss://`) URL naming one start-up node, with
    /// the URL's connection options for every node.
    ///
    /// # Errors
    /// As [`ClusterBuilder::url`] and [`new`](Self::new).
    pub fn from_url(url: &str) -> Result<RedisCluster> {
        RedisCluster::new(ClusterBuilder::default().url(url)?)
    }

    /// A builder for every option (start-up nodes, replica reads, retry settings).
    pub fn builder() -> ClusterBuilder {
        ClusterBuilder::default()
    }

    /// The client-side caches, one per node this client has used, when caching is on
    /// ([`ClusterBuilder::cache_config`]): each node's reads are served from its own cache,
    /// which that node's invalidations (on one invalidation connection per node) keep true.
    /// Their counters, `size()`, `clear()`.
    pub fn caches(&self) -> Vec<Arc<ClientCache>> {
        self.pools()
            .values()
            .filter_map(|p| p.cache().cloned())
            .collect()
    }

    /// Waits until every invalidation each node with a pool sent before this call has been
    /// applied to the cache (a PING round trip on each invalidation connection); does nothing
    /// without a cache.
    ///
    /// # Errors
    /// As [`Redis::sync_cache`](super::Redis::sync_cache), from the first node that fails.
    pub fn sync_cache(&self) -> Result<()> {
        let pools: Vec<_> = self.pools().values().cloned().collect();
        pools.iter().try_for_each(|pool| pool.sync_cache())
    }

    fn now(&self) -> Duration {
        self.inner.start.elapsed()
    }

    fn state(&self) -> MutexGuard<'_, ClusterState> {
        // Every update under this lock leaves the state consistent, so a poisoned lock is too.
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn pools(&self) -> MutexGuard<'_, HashMap<NodeAddr, Arc<ConnectionPool>>> {
        self.inner.pools.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn pool(&self, node: &NodeAddr) -> Arc<ConnectionPool> {
        if let Some(pool) = self.pools().get(node) {
            return pool.clone();
        }
        // Not under the pools' lock: the state's lock is never taken inside it.
        let readonly = self.state().replica_reads();
        self.pools()
            .entry(node.clone())
            .or_insert_with(|| ConnectionPool::new(self.inner.builder.node_config(node, readonly)))
            .clone()
    }

    /// Reads from replicas from now on (redis-py's `readonly()`, which sets
    /// `read_from_replicas`): a read goes round robin to its shard's primary and replicas
    /// (unless a replica [`LoadBalancingStrategy`](crate::cluster::LoadBalancingStrategy) was
    /// chosen already), writes still to the primary. Every connection to a replica sends
    /// `READONLY` when it opens; the connections to replicas opened before are closed. Unlike
    /// redis-py, which sends `READONLY` on one connection of the nodes it is given, there is no
    /// node list: a node's pooled connections all follow the client's mode.
    pub fn readonly(&self) {
        self.set_replica_reads(true);
    }

    /// Reads from primaries only from now on (redis-py's `readwrite()`, which clears
    /// `read_from_replicas`): connections to replicas no longer send `READONLY` (the
    /// `READWRITE` mode, the server's default), and those opened before are closed.
    pub fn readwrite(&self) {
        self.set_replica_reads(false);
    }

    fn set_replica_reads(&self, on: bool) {
        let stale = self.state().set_replica_reads(on);
        let mut pools = self.pools();
        for node in stale {
            pools.remove(&node);
        }
    }

    /// Asks `candidates` in order for `CLUSTER SLOTS` until enough answered; the view most
    /// agree on.
    fn fetch_map(&self, candidates: Vec<NodeAddr>) -> Result<crate::cluster::flow::Map> {
        let mut votes = TopologyVotes::new();
        for node in candidates {
            let reply = send_on(&self.pool(&node), &TopologyVotes::command(), false);
            if votes.add(&node, reply) {
                break;
            }
        }
        votes.finish(&self.inner.builder.settings)
    }

    /// Fetches the slot map again now (redis-py's `NodesManager.initialize`), and drops the
    /// pools of nodes that left it.
    ///
    /// # Errors
    /// [`ErrorKind::Connection`] when no node answers; the map is then unchanged.
    pub fn initialize(&self) -> Result<()> {
        let candidates = self.state().refresh_candidates();
        let map = self.fetch_map(candidates)?;
        let known = self.state().replace_map(map);
        self.pools().retain(|addr, _| known.contains(addr));
        Ok(())
    }

    /// Runs one command on one node through the core's redirect flow.
    fn run_one(
        &self,
        cmd: &Cmd,
        node: Option<NodeAddr>,
        slot: Option<u16>,
        read: bool,
    ) -> Result<Value> {
        let settings = &self.inner.builder.settings;
        let idempotent = cmd.is_read_only();
        let mut attempt = Attempt::new(settings, node, slot, read, idempotent);
        loop {
            let action = attempt.next(&mut self.state(), self.now());
            match action {
                Action::Send { node, asking } => {
                    let err = match send_on(&self.pool(&node), cmd, asking) {
                        Ok(v) => return Ok(v),
                        Err(e) => e,
                    };
                    let sent = Sent::of(&err);
                    attempt.on_error(err, sent, &mut self.state(), self.now());
                }
                Action::Wait(d) => std::thread::sleep(d),
                // A failed refresh leaves the map; the flow's own retries bound the loop.
                Action::Refresh => {
                    let _ = self.initialize();
                }
                Action::Fail(e) => return Err(e),
            }
        }
    }

    /// Runs `cmd` where `targets` say (or its declared route) and returns the replies before
    /// they are combined.
    fn run_replies(&self, cmd: Cmd, targets: Option<&TargetNodes>) -> Result<NodeReplies> {
        cmd.check_shared_connection()?;
        let plan = self.state().plan(&cmd, targets)?;
        match plan {
            Plan::One {
                node: Some(node),
                slot: None,
                read,
                aggregate,
            } => {
                let v = self.run_one(&cmd, Some(node.clone()), None, read)?;
                Ok(self.state().node_replies(vec![(node, v)], aggregate))
            }
            Plan::One {
                node, slot, read, ..
            } => self.run_one(&cmd, node, slot, read).map(NodeReplies::Keyed),
            Plan::Many {
                nodes,
                aggregate,
                read,
            } => {
                let mut replies = Vec::with_capacity(nodes.len());
                for node in nodes {
                    let v = self.run_one(&cmd, Some(node.clone()), None, read)?;
                    replies.push((node, v));
                }
                Ok(self.state().node_replies(replies, aggregate))
            }
            Plan::Split {
                parts,
                aggregate,
                read,
            } => {
                let mut replies = Vec::with_capacity(parts.len());
                for (part, node) in parts {
                    let addr = node.clone().unwrap_or_else(|| NodeAddr::new("", 0));
                    let v = self.run_one(&part.cmd, node, Some(part.slot), read)?;
                    replies.push((addr, v));
                }
                combine(aggregate, replies).map(NodeReplies::Keyed)
            }
        }
    }

    /// Runs `cmd` where `targets` say (or its declared route) and returns the combined reply.
    fn run_value(&self, cmd: Cmd, targets: Option<&TargetNodes>) -> Result<Value> {
        self.run_replies(cmd, targets)?.combine()
    }

    /// Runs a prepared command (or one built by hand, routed by the declaration of its name)
    /// on `targets`, or where its declaration routes it, and returns the replies before they
    /// are combined: for a binding that shapes each node's reply itself (redis-py's
    /// `RedisCluster` returns `{node name: reply}` for most commands sent to several nodes).
    ///
    /// # Errors
    /// As [`run`](Self::run), without the conversion.
    pub fn run_per_node(&self, cmd: Cmd, targets: Option<&TargetNodes>) -> Result<NodeReplies> {
        self.run_replies(cmd, targets)
    }

    /// Runs a prepared command where its declaration routes it, and converts the reply.
    ///
    /// # Errors
    /// [`ErrorKind::CrossSlot`] for keys in several slots; a connection error or
    /// [`ErrorKind::ClusterDown`] once the retries are used up; the server's error reply; a
    /// failed conversion. Commands that would corrupt a pooled connection are refused
    /// ([`ErrorKind::Data`]), as on [`Redis::run`](super::Redis::run).
    pub fn run<T: FromValue>(&self, cmd: Cmd) -> Result<T> {
        T::from_value(self.run_value(cmd, None)?)
    }

    /// Runs any command given as its words and arguments, routed by its declaration (an
    /// unknown command goes to a random primary and follows `MOVED`).
    ///
    /// # Errors
    /// As [`run`](Self::run).
    pub fn execute_command<T: FromValue>(&self, args: impl ToArgs) -> Result<T> {
        let mut cmd = Cmd::empty();
        cmd.arg(args);
        self.run(cmd)
    }

    /// The command methods sent to `targets` instead of their default nodes (redis-py's
    /// `target_nodes=` argument), replies combined as each command declares.
    ///
    /// # Examples
    /// ```no_run
    /// # let rc = oxredis::blocking::RedisCluster::from_url("redis://127.0.0.1:7000")?;
    /// use oxredis::cluster::NodeFlag;
    /// let pongs: bool = rc.target_nodes(NodeFlag::AllNodes).ping()?;
    /// # Ok::<(), oxredis::Error>(())
    /// ```
    pub fn target_nodes(&self, targets: impl Into<TargetNodes>) -> Targeted<'_> {
        Targeted {
            cluster: self,
            targets: targets.into(),
        }
    }

    /// Every node of the slot map, primaries first (redis-py's `get_nodes`).
    pub fn get_nodes(&self) -> Vec<ClusterNode> {
        self.state().nodes()
    }

    /// Every primary (redis-py's `get_primaries`).
    pub fn get_primaries(&self) -> Vec<ClusterNode> {
        self.state().nodes_in(ServerType::Primary)
    }

    /// Every replica (redis-py's `get_replicas`).
    pub fn get_replicas(&self) -> Vec<ClusterNode> {
        self.state().nodes_in(ServerType::Replica)
    }

    /// The node at `host:port`, if it is in the slot map (redis-py's `get_node`).
    pub fn get_node(&self, host: &str, port: u16) -> Option<ClusterNode> {
        self.state().node(host, port)
    }

    /// The nodes of `slot`'s shard: its primary, then its replicas (redis-py's
    /// `nodes_manager.slots_cache[slot]`, which its `get_node_from_key(key, replica=True)`
    /// reads); empty when no node serves the slot.
    pub fn slot_nodes(&self, slot: u16) -> Vec<ClusterNode> {
        self.state().slot_nodes(slot)
    }

    /// The primary serving `key`'s slot (redis-py's `get_node_from_key`).
    pub fn get_node_from_key(&self, key: impl AsRef<[u8]>) -> Option<ClusterNode> {
        self.state().node_for_key(key.as_ref())
    }

    /// The node keyless commands without a declared target go to (redis-py's
    /// `get_default_node`).
    pub fn get_default_node(&self) -> ClusterNode {
        self.state().default_cluster_node()
    }

    /// Makes `node` the default node (redis-py's `set_default_node`); `false` when it is not
    /// in the slot map.
    pub fn set_default_node(&self, node: &ClusterNode) -> bool {
        self.state().set_default_node(&node.addr())
    }

    /// The hash slot of `key` (redis-py's `keyslot`).
    pub fn keyslot(&self, key: impl AsRef<[u8]>) -> u16 {
        crate::cluster::key_slot(key)
    }

    /// The values of `keys`, which may be in different slots: one MGET per slot, values in
    /// the order of `keys` (redis-py's `mget_nonatomic`). Not atomic across slots.
    ///
    /// # Errors
    /// The first failing slot's error; a failed conversion.
    pub fn mget_nonatomic<T: FromValue>(&self, keys: impl ToArgs) -> Result<T> {
        let cmd = build::mget(keys);
        let parts = split_by_slot(&cmd).unwrap_or_default();
        if parts.is_empty() {
            return T::from_value(Value::Array(Vec::new()));
        }
        let mut replies = Vec::with_capacity(parts.len());
        for part in &parts {
            replies.push(self.run_value(part.cmd.clone(), None)?);
        }
        T::from_value(merge_in_key_order(&parts, replies)?)
    }

    /// Sets every `(key, value)`, the keys possibly in different slots: one MSET per slot
    /// (redis-py's `mset_nonatomic`). Not atomic across slots: on an error, the slots before it
    /// are set.
    ///
    /// # Errors
    /// The first failing slot's error.
    pub fn mset_nonatomic(&self, pairs: impl ToArgs) -> Result<bool> {
        let cmd = build::mset(pairs);
        for part in split_by_slot(&cmd).unwrap_or_default() {
            self.run_value(part.cmd, None)?;
        }
        Ok(true)
    }

    /// Iterates over every key of every primary (MATCH, COUNT and TYPE from `options`), one
    /// node after the other, one SCAN page at a time (redis-py's cluster `scan_iter`).
    pub fn scan_iter<T: FromValue>(&self, options: ScanOptions) -> ClusterScanIter<T> {
        let nodes = self.get_primaries().iter().map(ClusterNode::addr).collect();
        ClusterScanIter {
            cluster: self.clone(),
            scan: ClusterScan::new(nodes, options),
            _item: PhantomData,
        }
    }

    /// A cluster pipeline: commands queued, then sent grouped per node (each node's share in
    /// one write), results in the order queued (redis-py's `ClusterPipeline`). Not a
    /// transaction unless [`ClusterPipeline::transaction`] says so.
    pub fn pipeline(&self) -> ClusterPipeline {
        ClusterPipeline {
            cluster: self.clone(),
            batch: Batch::new(),
            transaction: false,
        }
    }

    /// A [`PubSub`] on the default node (redis-py's `pubsub()`): in a cluster a message
    /// published on any node reaches the subscribers of every node. It connects on first use.
    pub fn pubsub(&self) -> PubSub {
        let node = self.state().default_node().clone();
        PubSub::new(self.inner.builder.pubsub_config(&node))
    }

    /// A [`PubSub`] on `node` (redis-py's `pubsub(node=...)`).
    pub fn pubsub_on(&self, node: &ClusterNode) -> PubSub {
        PubSub::new(self.inner.builder.pubsub_config(&node.addr()))
    }

    /// A [`PubSub`] for sharded channels on the primary serving `shard_channel`'s slot, for
    /// `SSUBSCRIBE` (every shard channel of one `SSUBSCRIBE` must hash to that slot). Messages
    /// are published with [`spublish`](Self::spublish), which goes to the same node.
    ///
    /// The subscriptions follow the slot: when it migrates to another primary (the old owner
    /// sends `sunsubscribe` for each of its channels, which is not returned as a message) or
    /// its primary fails over (the connection breaks), the PubSub refreshes the slot map,
    /// connects to the slot's owner and subscribes there again; the `ssubscribe`
    /// confirmations of these re-subscriptions are delivered like the first ones. Messages
    /// published in between are lost, as with any pub/sub reconnect. While the old primary is
    /// down and not yet replaced, reads fail once the PubSub's retries are spent; the next
    /// read tries again.
    ///
    /// # Errors
    /// [`ErrorKind::ClusterDown`] when the slot has no node in the map.
    pub fn sharded_pubsub(&self, shard_channel: impl AsRef<[u8]>) -> Result<PubSub> {
        let slot = crate::cluster::key_slot(shard_channel);
        let config = self.slot_pubsub_config(slot)?;
        let cluster = self.clone();
        let locator = Arc::new(move || {
            // A failed refresh leaves the map; the PubSub's retries bound the attempts.
            let _ = cluster.initialize();
            cluster.slot_pubsub_config(slot)
        });
        Ok(PubSub::following_slot(config, locator))
    }

    /// Pub/sub connection settings for the primary serving `slot` in the map.
    fn slot_pubsub_config(&self, slot: u16) -> Result<crate::ConnectionConfig> {
        let node = self.state().node_for_slot(slot, false).ok_or_else(|| {
            Error::new(
                ErrorKind::ClusterDown,
                format!("slot {slot} is not covered by the cluster"),
            )
        })?;
        Ok(self.inner.builder.pubsub_config(&node))
    }

    /// Writes one group of a pipeline to `node` (its scripts loaded first, the commands in
    /// one write) and returns the connection its replies are to be read from.
    fn send_group(
        &self,
        node: &NodeAddr,
        cmds: &[&Cmd],
        batch: &Batch,
    ) -> Result<PooledConnection> {
        let pool = self.pool(node);
        let mut conn = pool.get().map_err(Error::mark_unsent)?;
        load_scripts(&mut conn, batch.scripts()).map_err(Error::mark_unsent)?;
        conn.expect_reply_within(crate::cmd::BlockTime::of_batch(cmds.iter().copied()))?;
        for cmd in cmds {
            conn.queue(cmd);
        }
        conn.flush()?;
        Ok(conn)
    }

    /// Reads the `count` replies of a group [`send_group`](Self::send_group) wrote.
    fn read_group(conn: &mut PooledConnection, count: usize) -> Result<Vec<Value>> {
        let mut replies = Vec::with_capacity(count);
        for _ in 0..count {
            match conn.read_reply() {
                Ok(v) => replies.push(v),
                Err(e) => {
                    conn.mark_broken();
                    return Err(e);
                }
            }
        }
        Ok(replies)
    }

    all_commands!(cluster_immediate_methods);
}

/// The command methods of a [`RedisCluster`] sent to chosen nodes
/// ([`RedisCluster::target_nodes`]).
#[derive(Debug)]
pub struct Targeted<'a> {
    cluster: &'a RedisCluster,
    targets: TargetNodes,
}

impl Targeted<'_> {
    /// Runs a prepared command on the target nodes and converts the combined reply.
    ///
    /// # Errors
    /// As [`RedisCluster::run`].
    pub fn run<T: FromValue>(&self, cmd: Cmd) -> Result<T> {
        T::from_value(self.cluster.run_value(cmd, Some(&self.targets))?)
    }

    /// Runs any command given as its words and arguments on the target nodes.
    ///
    /// # Errors
    /// As [`RedisCluster::run`].
    pub fn execute_command<T: FromValue>(&self, args: impl ToArgs) -> Result<T> {
        let mut cmd = Cmd::empty();
        cmd.arg(args);
        self.run(cmd)
    }

    all_commands!(immediate_methods);
}

/// Iterates over the keys of every primary of a cluster ([`RedisCluster::scan_iter`]).
#[derive(Debug)]
pub struct ClusterScanIter<T> {
    cluster: RedisCluster,
    scan: ClusterScan,
    _item: PhantomData<fn() -> T>,
}

impl<T: FromValue> Iterator for ClusterScanIter<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        loop {
            match self.scan.step() {
                ClusterScanStep::Item(v) => return Some(T::from_value(v)),
                ClusterScanStep::Done => return None,
                ClusterScanStep::Fetch(cmd, target) => {
                    let page = self.cluster.run_value(cmd, Some(&target));
                    if let Err(e) = self.scan.feed(page) {
                        return Some(Err(e));
                    }
                }
            }
        }
    }
}

/// A cluster pipeline ([`RedisCluster::pipeline`]): commands grouped per node, each node's
/// share sent in one write, results in the order queued. A command redirected (MOVED, ASK) or
/// refused for the cluster's state inside it is run again on its own through the redirect
/// flow; commands that go to several nodes or are split per slot run on their own too.
#[derive(Debug)]
#[must_use = "a pipeline does nothing until executed"]
pub struct ClusterPipeline {
    cluster: RedisCluster,
    batch: Batch,
    transaction: bool,
}

impl ClusterPipeline {
    batch_methods!();

    /// Runs the pipeline as one MULTI/EXEC transaction (redis-py's
    /// `pipeline(transaction=True)`): every key must be in one slot, the transaction runs on
    /// that slot's primary. After a MOVED inside MULTI (the slot moved) it is sent again to
    /// the node the MOVED names, 50 ms later, up to `max_redirects` times; after a connection
    /// error before sending, after a refresh, up to `cluster_error_retry_attempts` times.
    pub fn transaction(mut self, on: bool) -> Self {
        self.transaction = on;
        self
    }

    /// Whether the pipeline runs as a transaction.
    pub fn is_transaction(&self) -> bool {
        self.transaction
    }

    fn execute_transaction(&self, batch: &Batch) -> Result<Vec<Result<Value>>> {
        let mut attempt = TransactionAttempt::new(&self.cluster.inner.builder.settings);
        loop {
            // Bound first: the state's lock must not be held while the match runs.
            let action = attempt.next(&mut self.cluster.state(), batch.commands());
            match action {
                Action::Send { node, .. } => {
                    let result = self
                        .cluster
                        .pool(&node)
                        .get()
                        .and_then(|mut conn| run_batch(&mut conn, batch, true));
                    match result {
                        Err(e) if attempt.on_error(&e, &mut self.cluster.state()) => {}
                        result => return result,
                    }
                }
                Action::Refresh => {
                    let _ = self.cluster.initialize();
                }
                Action::Wait(d) => std::thread::sleep(d),
                Action::Fail(e) => return Err(e),
            }
        }
    }

    /// Sends every queued command and returns one result per command, in the order queued
    /// (redis-py's `execute(raise_on_error=False)`). The pipeline is empty afterwards.
    ///
    /// # Errors
    /// A command's routing error (e.g. [`ErrorKind::CrossSlot`]) before anything is sent;
    /// [`ErrorKind::Data`] for a command that would corrupt a pooled connection.
    pub fn execute_raw(&mut self) -> Result<Vec<Result<Value>>> {
        let batch = self.batch.take();
        batch.check_shared_connection()?;
        if self.transaction {
            return self.execute_transaction(&batch);
        }
        let cmds = batch.commands();
        let (groups, alone) = group_by_node(&mut self.cluster.state(), cmds)?;
        let mut results = PipelineResults::new(cmds.len(), alone);
        // Every node's group is written before any is read (as redis-py does), so the nodes
        // work at the same time. The server buffers replies for a client that is not reading
        // yet, so writing the next node's group cannot wait on this one.
        let sent: Vec<_> = groups
            .into_iter()
            .map(|(node, indices)| {
                let group: Vec<&Cmd> = indices.iter().map(|&i| &cmds[i]).collect();
                let conn = self.cluster.send_group(&node, &group, &batch);
                (node, indices, conn)
            })
            .collect();
        for (node, indices, conn) in sent {
            let outcome =
                conn.and_then(|mut conn| RedisCluster::read_group(&mut conn, indices.len()));
            // The group's writes (run, or maybe run when it failed) as `run_batch` does.
            forget_writes(
                self.cluster.pool(&node).cache(),
                indices.iter().map(|&i| &cmds[i]),
            );
            // The connection checked UTF-8 under `decode_responses` already.
            results.settle(cmds, indices, outcome, |_| Ok(()));
        }
        for i in results.take_again() {
            let result = self.cluster.run_value(cmds[i].clone(), None);
            results.set(i, cmds, result);
        }
        Ok(results.finish())
    }

    /// Sends every queued command and returns their values in order; the first failing
    /// command's error otherwise (it tells its index, [`Error::command`]).
    ///
    /// # Errors
    /// As [`execute_raw`](Self::execute_raw), plus the first command error.
    pub fn execute(&mut self) -> Result<Vec<Value>> {
        crate::pipeline::raise_first_error(self.execute_raw()?)
    }

    /// [`execute`](Self::execute), converted to `T` (a tuple or a list).
    ///
    /// # Errors
    /// As [`execute`](Self::execute), plus a failed conversion.
    pub fn query<T: FromValue>(&mut self) -> Result<T> {
        T::from_value(Value::Array(self.execute()?))
    }
}
