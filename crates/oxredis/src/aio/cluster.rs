//! The async Redis Cluster client: one multiplexed connection per node (an [`aio::Redis`](Redis)
//! each), driving the same sans-I/O cluster core (`crate::cluster::flow`) as the blocking
//! [`RedisCluster`](crate::blocking::RedisCluster), with tokio's clock and sleeps.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::cache::ClientCache;
use crate::cluster::flow::{
    combine, empty_map, group_by_node, Action, Attempt, ClusterScan, ClusterScanStep, ClusterState,
    Map, PipelineResults, Plan, TopologyVotes, TransactionAttempt,
};
use crate::cluster::redirect::NodeAddr;
use crate::cluster::split::{merge_in_key_order, split_by_slot};
use crate::cluster::{ClusterBuilder, ClusterNode, NodeReplies, ServerType, TargetNodes};
use crate::commands::build;
use crate::commands::options::*;
use crate::conn::finish_reply;
use crate::convert::check_utf8;
use crate::pipeline::{pack, Batch};
use crate::retry::Sent;
use crate::{Cmd, Error, ErrorKind, FromValue, Result, ToArgs, Value};

use super::pipeline::{batch_allowance, load_scripts_shared, run_batch_shared};
use super::stream::{unfold_stream, Unfold};
use super::{BoxFuture, PubSub, Redis};

#[derive(Debug)]
struct Inner {
    builder: ClusterBuilder,
    state: Mutex<ClusterState>,
    clients: Mutex<HashMap<NodeAddr, Redis>>,
    /// Whether the first slot map was fetched.
    ready: AtomicBool,
    /// One first fetch at a time.
    initializing: tokio::sync::Mutex<()>,
    start: Instant,
}

/// The async Redis Cluster client (redis-py's `redis.asyncio.RedisCluster`).
///
/// A cheap `Clone` handle; every node gets one multiplexed connection (an [`aio::Redis`](Redis)).
/// Routing, redirects (MOVED, ASK with `ASKING` on the same connection, TRYAGAIN,
/// CLUSTERDOWN), retries and reply aggregation are the blocking
/// [`RedisCluster`](crate::blocking::RedisCluster)'s, from the same core; every command method
/// is generated from the same command table and returns a `Send` future. The slot map is
/// fetched on first use (or by [`initialize`](Self::initialize)); a full refresh asked for by
/// MOVED runs in a task of its own.
///
/// # Examples
/// ```no_run
/// # async fn demo() -> oxredis::Result<()> {
/// let rc = oxredis::aio::RedisCluster::from_url("redis://127.0.0.1:7000")?;
/// rc.set("{user1}.name", "ann").await?;
/// let name: Option<String> = rc.get("{user1}.name").await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct RedisCluster {
    inner: Arc<Inner>,
}

/// Sends `cmd` to `client`'s connection, after `ASKING` in the same write when `asking`.
async fn send_on(client: &Redis, cmd: &Cmd, asking: bool) -> Result<Value> {
    if !asking {
        return client.request(cmd.clone()).await;
    }
    let (packed, count) = pack(&[build::asking(), cmd.clone()], false);
    let allowance = cmd
        .block_time()
        .reply_deadline(client.config().socket_timeout);
    let mut replies = client
        .request_packed(packed, count, allowance)
        .await?
        .into_iter();
    let (Some(asked), Some(reply)) = (replies.next(), replies.next()) else {
        return Err(Error::new(ErrorKind::Protocol, "ASKING: replies missing"));
    };
    if let Value::Error(e) = asked {
        return Err(e.into());
    }
    if client.config().decode_responses {
        check_utf8(&reply)?;
    }
    finish_reply(cmd.reply_shape(), reply)
}

impl RedisCluster {
    /// A client for the cluster the builder's start-up nodes belong to; nothing is opened
    /// until the first command (or [`initialize`](Self::initialize)).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`] without start-up nodes.
    pub fn new(builder: ClusterBuilder) -> Result<RedisCluster> {
        let seeds = builder.seeds()?;
        let state = ClusterState::new(empty_map(), builder.read_from, seeds, Duration::ZERO);
        Ok(RedisCluster {
            inner: Arc::new(Inner {
                builder,
                state: Mutex::new(state),
                clients: Mutex::new(HashMap::new()),
                ready: AtomicBool::new(false),
                initializing: tokio::sync::Mutex::new(()),
                start: Instant::now(),
            }),
        })
    }

    /// A client from a `redis://host:port` (or `rediss://`) URL naming one start-up node.
    ///
    /// # Errors
    /// As [`ClusterBuilder::url`].
    pub fn from_url(url: &str) -> Result<RedisCluster> {
        RedisCluster::new(ClusterBuilder::default().url(url)?)
    }

    /// A builder for every option, finished with
    /// [`build_async`](ClusterBuilder::build_async).
    pub fn builder() -> ClusterBuilder {
        ClusterBuilder::default()
    }

    /// The client-side caches, one per node this client has used, when caching is on
    /// ([`ClusterBuilder::cache_config`]): each node's reads are served from its own cache,
    /// which that node's invalidations (in-band on its connection) keep true. Their counters,
    /// `size()`, `clear()`.
    pub fn caches(&self) -> Vec<Arc<ClientCache>> {
        self.clients()
            .values()
            .filter_map(|c| c.cache().cloned())
            .collect()
    }

    /// Waits until every invalidation each node with a client sent before this call has been
    /// applied to the cache (a PING round trip on each node's connection); does nothing
    /// without a cache.
    ///
    /// # Errors
    /// As [`Redis::sync_cache`], from the first node that fails.
    pub async fn sync_cache(&self) -> Result<()> {
        let clients: Vec<Redis> = self.clients().values().cloned().collect();
        for client in clients {
            client.sync_cache().await?;
        }
        Ok(())
    }

    fn now(&self) -> Duration {
        self.inner.start.elapsed()
    }

    fn state(&self) -> MutexGuard<'_, ClusterState> {
        // Every update under this lock leaves the state consistent, so a poisoned lock is too.
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn clients(&self) -> MutexGuard<'_, HashMap<NodeAddr, Redis>> {
        self.inner.clients.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn client(&self, node: &NodeAddr) -> Redis {
        if let Some(client) = self.clients().get(node) {
            return client.clone();
        }
        // Not under the clients' lock: the state's lock is never taken inside it.
        let readonly = self.state().replica_reads();
        self.clients()
            .entry(node.clone())
            .or_insert_with(|| Redis::new(self.inner.builder.node_config(node, readonly)))
            .clone()
    }

    /// Reads from replicas from now on (redis-py's `readonly()`, which sets
    /// `read_from_replicas`): a read goes round robin to its shard's primary and replicas
    /// (unless a replica [`LoadBalancingStrategy`](crate::cluster::LoadBalancingStrategy) was
    /// chosen already), writes still to the primary. Every connection to a replica sends
    /// `READONLY` when it opens; the connections to replicas opened before are dropped (requests already on them finish). Unlike
    /// redis-py, which sends `READONLY` on one connection of the nodes it is given, there is no
    /// node list: a node's pooled connections all follow the client's mode.
    pub fn readonly(&self) {
        self.set_replica_reads(true);
    }

    /// Reads from primaries only from now on (redis-py's `readwrite()`, which clears
    /// `read_from_replicas`): connections to replicas no longer send `READONLY` (the
    /// `READWRITE` mode, the server's default), and those opened before are dropped (requests already on them finish).
    pub fn readwrite(&self) {
        self.set_replica_reads(false);
    }

    fn set_replica_reads(&self, on: bool) {
        let stale = self.state().set_replica_reads(on);
        let mut clients = self.clients();
        for node in stale {
            clients.remove(&node);
        }
    }

    async fn fetch_map(&self, candidates: Vec<NodeAddr>) -> Result<Map> {
        let mut votes = TopologyVotes::new();
        for node in candidates {
            let reply = send_on(&self.client(&node), &TopologyVotes::command(), false).await;
            if votes.add(&node, reply) {
                break;
            }
        }
        votes.finish(&self.inner.builder.settings)
    }

    /// Fetches the slot map now (redis-py's `initialize`), and drops the connections of nodes
    /// that left it.
    ///
    /// # Errors
    /// [`ErrorKind::Connection`] when no node answers; the map is then unchanged.
    ///
    /// # Cancel safety
    /// Dropping the future leaves the map as it was.
    pub async fn initialize(&self) -> Result<()> {
        let candidates = self.state().refresh_candidates();
        let map = self.fetch_map(candidates).await?;
        let known = self.state().replace_map(map);
        self.inner.ready.store(true, Ordering::Release);
        self.clients().retain(|addr, _| known.contains(addr));
        Ok(())
    }

    /// Fetches the first slot map unless it is there.
    async fn ready(&self) -> Result<()> {
        if self.inner.ready.load(Ordering::Acquire) {
            return Ok(());
        }
        let _guard = self.inner.initializing.lock().await;
        if self.inner.ready.load(Ordering::Acquire) {
            return Ok(());
        }
        let now = self.now();
        self.initialize().await?;
        self.state().refresh.refreshed(now);
        Ok(())
    }

    /// Runs one command on one node through the core's redirect flow.
    async fn run_one(
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
                    let err = match send_on(&self.client(&node), cmd, asking).await {
                        Ok(v) => return Ok(v),
                        Err(e) => e,
                    };
                    let sent = Sent::of(&err);
                    attempt.on_error(err, sent, &mut self.state(), self.now());
                }
                Action::Wait(d) => tokio::time::sleep(d).await,
                // After MOVED (the node to go to is known) in a task of its own; before a
                // reroute here, so the command goes to the new owner at once. A failed
                // refresh leaves the map.
                Action::Refresh if attempt.reroutes() => {
                    let _ = Box::pin(self.initialize()).await;
                }
                Action::Refresh => {
                    let this = self.clone();
                    tokio::spawn(async move {
                        let _ = this.initialize().await;
                    });
                }
                Action::Fail(e) => return Err(e),
            }
        }
    }

    /// Runs `cmd` where `targets` say (or its declared route) and returns the replies before
    /// they are combined.
    async fn run_replies(&self, cmd: Cmd, targets: Option<TargetNodes>) -> Result<NodeReplies> {
        cmd.check_shared_connection()?;
        self.ready().await?;
        let plan = self.state().plan(&cmd, targets.as_ref())?;
        match plan {
            Plan::One {
                node: Some(node),
                slot: None,
                read,
                aggregate,
            } => {
                let v = self.run_one(&cmd, Some(node.clone()), None, read).await?;
                Ok(self.state().node_replies(vec![(node, v)], aggregate))
            }
            Plan::One {
                node, slot, read, ..
            } => self
                .run_one(&cmd, node, slot, read)
                .await
                .map(NodeReplies::Keyed),
            Plan::Many {
                nodes,
                aggregate,
                read,
            } => {
                // Every node at once, each in a task.
                let cmd = Arc::new(cmd);
                let tasks: Vec<_> = nodes
                    .into_iter()
                    .map(|node| {
                        let (this, cmd, to) = (self.clone(), cmd.clone(), node.clone());
                        let task =
                            tokio::spawn(
                                async move { this.run_one(&cmd, Some(to), None, read).await },
                            );
                        (node, task)
                    })
                    .collect();
                let mut replies = Vec::with_capacity(tasks.len());
                for (node, task) in tasks {
                    let v = task.await.map_err(task_failed)??;
                    replies.push((node, v));
                }
                Ok(self.state().node_replies(replies, aggregate))
            }
            Plan::Split {
                parts,
                aggregate,
                read,
            } => {
                let tasks: Vec<_> = parts
                    .into_iter()
                    .map(|(part, node)| {
                        let this = self.clone();
                        let addr = node.clone().unwrap_or_else(|| NodeAddr::new("", 0));
                        let task = tokio::spawn(async move {
                            this.run_one(&part.cmd, node, Some(part.slot), read).await
                        });
                        (addr, task)
                    })
                    .collect();
                let mut replies = Vec::with_capacity(tasks.len());
                for (node, task) in tasks {
                    let v = task.await.map_err(task_failed)??;
                    replies.push((node, v));
                }
                combine(aggregate, replies).map(NodeReplies::Keyed)
            }
        }
    }

    /// Runs `cmd` where `targets` say (or its declared route) and returns the combined reply.
    async fn run_value(&self, cmd: Cmd, targets: Option<TargetNodes>) -> Result<Value> {
        self.run_replies(cmd, targets).await?.combine()
    }

    /// Runs a prepared command (or one built by hand, routed by the declaration of its name)
    /// on `targets`, or where its declaration routes it, and returns the replies before they
    /// are combined, as the blocking
    /// [`RedisCluster::run_per_node`](crate::blocking::RedisCluster::run_per_node).
    ///
    /// # Errors
    /// As [`run`](Self::run), without the conversion.
    pub async fn run_per_node(
        &self,
        cmd: Cmd,
        targets: Option<TargetNodes>,
    ) -> Result<NodeReplies> {
        Box::pin(self.run_replies(cmd, targets)).await
    }

    /// Runs a prepared command where its declaration routes it, and converts the reply.
    ///
    /// # Errors
    /// As the blocking [`RedisCluster::run`](crate::blocking::RedisCluster::run).
    ///
    /// # Cancel safety
    /// As [`Redis::run`]: a dropped future never desynchronises a node's connection; a command
    /// already queued still runs.
    pub async fn run<T: FromValue>(&self, cmd: Cmd) -> Result<T> {
        T::from_value(Box::pin(self.run_value(cmd, None)).await?)
    }

    /// Runs any command given as its words and arguments, routed by its declaration.
    ///
    /// # Errors
    /// As [`run`](Self::run).
    pub async fn execute_command<T: FromValue>(&self, args: impl ToArgs) -> Result<T> {
        let mut cmd = Cmd::empty();
        cmd.arg(args);
        self.run(cmd).await
    }

    /// The command methods sent to `targets` instead of their default nodes (redis-py's
    /// `target_nodes=` argument).
    pub fn target_nodes(&self, targets: impl Into<TargetNodes>) -> Targeted<'_> {
        Targeted {
            cluster: self,
            targets: targets.into(),
        }
    }

    /// Every node of the slot map, primaries first (redis-py's `get_nodes`); empty before the
    /// first command or [`initialize`](Self::initialize).
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

    /// The values of `keys`, which may be in different slots: one MGET per slot, sent at
    /// once, values in the order of `keys` (redis-py's `mget_nonatomic`).
    ///
    /// # Errors
    /// The first failing slot's error; a failed conversion.
    pub async fn mget_nonatomic<T: FromValue>(&self, keys: impl ToArgs) -> Result<T> {
        let parts = split_by_slot(&build::mget(keys)).unwrap_or_default();
        let tasks: Vec<_> = parts
            .iter()
            .map(|p| {
                let (this, cmd) = (self.clone(), p.cmd.clone());
                tokio::spawn(async move { this.run_value(cmd, None).await })
            })
            .collect();
        let mut replies = Vec::with_capacity(tasks.len());
        for task in tasks {
            replies.push(task.await.map_err(task_failed)??);
        }
        if parts.is_empty() {
            return T::from_value(Value::Array(Vec::new()));
        }
        T::from_value(merge_in_key_order(&parts, replies)?)
    }

    /// Sets every `(key, value)`, the keys possibly in different slots: one MSET per slot,
    /// sent at once (redis-py's `mset_nonatomic`). Not atomic across slots.
    ///
    /// # Errors
    /// The first failing slot's error.
    pub async fn mset_nonatomic(&self, pairs: impl ToArgs) -> Result<bool> {
        let parts = split_by_slot(&build::mset(pairs)).unwrap_or_default();
        let tasks: Vec<_> = parts
            .into_iter()
            .map(|p| {
                let this = self.clone();
                tokio::spawn(async move { this.run_value(p.cmd, None).await })
            })
            .collect();
        for task in tasks {
            task.await.map_err(task_failed)??;
        }
        Ok(true)
    }

    /// A stream of every key of every primary, one node after the other, one SCAN page at a
    /// time (redis-py's cluster `scan_iter`).
    pub fn scan_iter<T: FromValue + Send + 'static>(
        &self,
        options: ScanOptions,
    ) -> ClusterScanStream<T> {
        let walk = ClusterWalk {
            cluster: self.clone(),
            scan: None,
            options,
            _item: PhantomData,
        };
        ClusterScanStream {
            inner: Unfold::new(walk, scan_step::<T>),
        }
    }

    /// A [`PubSub`] on the default node (redis-py's `pubsub()`): in a cluster a message
    /// published on any node reaches the subscribers of every node.
    ///
    /// # Errors
    /// As [`initialize`](Self::initialize) when the slot map is not fetched yet.
    pub async fn pubsub(&self) -> Result<PubSub> {
        self.ready().await?;
        let node = self.state().default_node().clone();
        Ok(PubSub::new(self.inner.builder.pubsub_config(&node)))
    }

    /// A [`PubSub`] on `node` (redis-py's `pubsub(node=...)`).
    pub fn pubsub_on(&self, node: &ClusterNode) -> PubSub {
        PubSub::new(self.inner.builder.pubsub_config(&node.addr()))
    }

    /// A [`PubSub`] for sharded channels on the primary serving `shard_channel`'s slot; see
    /// the blocking
    /// [`RedisCluster::sharded_pubsub`](crate::blocking::RedisCluster::sharded_pubsub): its
    /// shard channels follow their slot across migrations and failovers in the same way.
    ///
    /// # Errors
    /// As [`initialize`](Self::initialize); [`ErrorKind::ClusterDown`] when the slot has no
    /// node in the map.
    pub async fn sharded_pubsub(&self, shard_channel: impl AsRef<[u8]>) -> Result<PubSub> {
        self.ready().await?;
        let slot = crate::cluster::key_slot(shard_channel);
        let config = self.slot_pubsub_config(slot)?;
        let cluster = self.clone();
        let locator: super::pubsub::Locator = Arc::new(move || {
            let cluster = cluster.clone();
            Box::pin(async move {
                // A failed refresh leaves the map; the PubSub's retries bound the attempts.
                let _ = cluster.initialize().await;
                cluster.slot_pubsub_config(slot)
            })
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

    /// A cluster pipeline: commands grouped per node, every node's share sent at once in one
    /// write, results in the order queued (redis-py's `ClusterPipeline`). Not a transaction
    /// unless [`ClusterPipeline::transaction`] says so.
    pub fn pipeline(&self) -> ClusterPipeline {
        ClusterPipeline {
            cluster: self.clone(),
            batch: Batch::new(),
            transaction: false,
        }
    }

    all_commands!(cluster_async_methods);
}

fn task_failed(e: tokio::task::JoinError) -> Error {
    Error::new(
        ErrorKind::Connection,
        format!("a cluster request task ended without a reply: {e}"),
    )
}

/// The command methods of an async [`RedisCluster`] sent to chosen nodes
/// ([`RedisCluster::target_nodes`]).
#[derive(Debug)]
pub struct Targeted<'c> {
    cluster: &'c RedisCluster,
    targets: TargetNodes,
}

impl Targeted<'_> {
    /// Runs a prepared command on the target nodes and converts the combined reply.
    ///
    /// # Errors
    /// As [`RedisCluster::run`].
    pub async fn run<T: FromValue>(&self, cmd: Cmd) -> Result<T> {
        let targets = Some(self.targets.clone());
        T::from_value(Box::pin(self.cluster.run_value(cmd, targets)).await?)
    }

    /// Runs any command given as its words and arguments on the target nodes.
    ///
    /// # Errors
    /// As [`RedisCluster::run`].
    pub async fn execute_command<T: FromValue>(&self, args: impl ToArgs) -> Result<T> {
        let mut cmd = Cmd::empty();
        cmd.arg(args);
        self.run(cmd).await
    }

    all_commands!(async_methods);
}

struct ClusterWalk<T> {
    cluster: RedisCluster,
    /// `None` before the first page (the map may not be there).
    scan: Option<ClusterScan>,
    options: ScanOptions,
    _item: PhantomData<fn() -> T>,
}

/// A [`futures_core::Stream`] over the keys of every primary ([`RedisCluster::scan_iter`]).
pub struct ClusterScanStream<T> {
    inner: Unfold<'static, ClusterWalk<T>, Result<T>>,
}

unfold_stream!(ClusterScanStream<T> => Result<T> where T: FromValue + Send + 'static);

fn scan_step<T: FromValue + Send + 'static>(
    mut walk: ClusterWalk<T>,
) -> BoxFuture<'static, (Option<Result<T>>, ClusterWalk<T>)> {
    Box::pin(async move {
        let scan = match &mut walk.scan {
            Some(scan) => scan,
            None => {
                let ready = walk.cluster.ready().await;
                let primaries = walk.cluster.get_primaries();
                let nodes = primaries.iter().map(ClusterNode::addr).collect();
                let scan = walk
                    .scan
                    .insert(ClusterScan::new(nodes, walk.options.clone()));
                if let Err(e) = ready {
                    scan.end();
                    return (Some(Err(e)), walk);
                }
                scan
            }
        };
        loop {
            match scan.step() {
                ClusterScanStep::Item(v) => return (Some(T::from_value(v)), walk),
                ClusterScanStep::Done => return (None, walk),
                ClusterScanStep::Fetch(cmd, target) => {
                    let page = walk.cluster.run_value(cmd, Some(target)).await;
                    if let Err(e) = scan.feed(page) {
                        return (Some(Err(e)), walk);
                    }
                }
            }
        }
    })
}

/// An async cluster pipeline ([`RedisCluster::pipeline`]); see the blocking
/// [`ClusterPipeline`](crate::blocking::ClusterPipeline).
#[derive(Debug)]
#[must_use = "a pipeline does nothing until executed"]
pub struct ClusterPipeline {
    cluster: RedisCluster,
    batch: Batch,
    transaction: bool,
}

/// Sends one node's share of a pipeline on its connection: scripts loaded, one write.
async fn run_group(client: Redis, cmds: Vec<Cmd>, batch: Arc<Batch>) -> Result<Vec<Value>> {
    load_scripts_shared(&client, batch.scripts())
        .await
        .map_err(Error::mark_unsent)?;
    let (packed, count) = pack(&cmds, false);
    let allowance = batch_allowance(&cmds, false, client.config().socket_timeout);
    client.request_packed(packed, count, allowance).await
}

impl ClusterPipeline {
    batch_methods!();

    /// Runs the pipeline as one MULTI/EXEC transaction on the primary of its keys' one slot;
    /// see the blocking
    /// [`ClusterPipeline::transaction`](crate::blocking::ClusterPipeline::transaction).
    pub fn transaction(mut self, on: bool) -> Self {
        self.transaction = on;
        self
    }

    /// Whether the pipeline runs as a transaction.
    pub fn is_transaction(&self) -> bool {
        self.transaction
    }

    async fn execute_transaction(&self, batch: &Batch) -> Result<Vec<Result<Value>>> {
        let mut attempt = TransactionAttempt::new(&self.cluster.inner.builder.settings);
        loop {
            // Bound first: the state's lock must not be held while the match runs.
            let action = attempt.next(&mut self.cluster.state(), batch.commands());
            match action {
                Action::Send { node, .. } => {
                    let result = run_batch_shared(&self.cluster.client(&node), batch, true).await;
                    match result {
                        Err(e) if attempt.on_error(&e, &mut self.cluster.state()) => {}
                        result => return result,
                    }
                }
                Action::Refresh => {
                    let _ = self.cluster.initialize().await;
                }
                Action::Wait(d) => tokio::time::sleep(d).await,
                Action::Fail(e) => return Err(e),
            }
        }
    }

    /// Sends every queued command and returns one result per command, in the order queued.
    /// The pipeline is empty afterwards.
    ///
    /// # Errors
    /// As the blocking
    /// [`ClusterPipeline::execute_raw`](crate::blocking::ClusterPipeline::execute_raw).
    ///
    /// # Cancel safety
    /// Dropping the future may leave some nodes' shares run and others not.
    pub async fn execute_raw(&mut self) -> Result<Vec<Result<Value>>> {
        let batch = Arc::new(self.batch.take());
        batch.check_shared_connection()?;
        self.cluster.ready().await?;
        if self.transaction {
            return self.execute_transaction(&batch).await;
        }
        let cmds = batch.commands();
        let (groups, alone) = group_by_node(&mut self.cluster.state(), cmds)?;
        let mut results = PipelineResults::new(cmds.len(), alone);
        let tasks: Vec<_> = groups
            .into_iter()
            .map(|(node, indices)| {
                let group: Vec<Cmd> = indices.iter().map(|&i| cmds[i].clone()).collect();
                let client = self.cluster.client(&node);
                let task = tokio::spawn(run_group(client, group, batch.clone()));
                (indices, task)
            })
            .collect();
        let decode = self.cluster.inner.builder.config.decode_responses;
        let check = |reply: &Value| if decode { check_utf8(reply) } else { Ok(()) };
        for (indices, task) in tasks {
            let outcome = task.await.map_err(task_failed).and_then(|r| r);
            results.settle(cmds, indices, outcome, check);
        }
        for i in results.take_again() {
            let result = Box::pin(self.cluster.run_value(cmds[i].clone(), None)).await;
            results.set(i, cmds, result);
        }
        Ok(results.finish())
    }

    /// Sends every queued command and returns their values in order; the first failing
    /// command's error otherwise.
    ///
    /// # Errors
    /// As [`execute_raw`](Self::execute_raw), plus the first command error.
    pub async fn execute(&mut self) -> Result<Vec<Value>> {
        crate::pipeline::raise_first_error(self.execute_raw().await?)
    }

    /// [`execute`](Self::execute), converted to `T` (a tuple or a list).
    ///
    /// # Errors
    /// As [`execute`](Self::execute), plus a failed conversion.
    pub async fn query<T: FromValue>(&mut self) -> Result<T> {
        T::from_value(Value::Array(self.execute().await?))
    }
}
