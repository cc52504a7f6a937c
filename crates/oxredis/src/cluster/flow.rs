//! What a cluster client does, without I/O: the client-wide state (slot map, load balancer,
//! refresh bookkeeping), the plan of one command (which node or nodes, how replies combine) and
//! the flow of one node's share of it through redirects and retries, as actions the blocking
//! and async drivers carry out with their own sockets and clocks.

use std::collections::HashSet;
use std::time::Duration;

use super::node::{ClusterNode, LoadBalancingStrategy, NodeReplies, ServerType, TargetNodes};
use super::redirect::{
    ClusterSettings, CommandRouting, Decision, NodeAddr, Refresh, RefreshState, Target,
};
use super::route::{route, route_as, Route};
use super::split::{split_by_slot, Part};
use super::topology::{LoadBalancer, SlotMap};
use crate::cmd::Cmd;
use crate::commands::options::ScanOptions;
use crate::commands::{Aggregate, CommandFlags, NodeFlag, RoutePolicy};
use crate::error::{Error, ErrorKind, Result};
use crate::retry::Sent;
use crate::scan::{ScanCursor, ScanKind, ScanStep};
use crate::value::Value;

/// How many nodes a topology refresh asks for `CLUSTER SLOTS` (the view most of them agree on
/// wins).
pub(crate) const REFRESH_VIEWS: usize = 3;

/// The client-wide state of a cluster client, behind the driver's lock.
#[derive(Debug)]
pub(crate) struct ClusterState {
    map: SlotMap,
    balancer: LoadBalancer,
    pub(crate) refresh: RefreshState,
    read_from: LoadBalancingStrategy,
    default_node: NodeAddr,
    seeds: Vec<NodeAddr>,
}

/// Where one command goes.
#[derive(Debug)]
pub(crate) enum Plan {
    /// To one node, following redirects; `slot` when it was routed by its keys (a reroute
    /// looks the slot up again).
    One {
        /// The first node to try.
        node: Option<NodeAddr>,
        /// The slot of its keys.
        slot: Option<u16>,
        /// Whether a replica may serve it.
        read: bool,
        /// How its reply combines when it went to a node by flag or by name (`slot` is
        /// `None`): [`NodeReplies::combine_all`] (a SCAN's cursor map names the node).
        aggregate: Aggregate,
    },
    /// The same command to several nodes, replies combined.
    Many {
        /// The nodes, in order.
        nodes: Vec<NodeAddr>,
        /// How the replies combine.
        aggregate: Aggregate,
        /// Whether the command only reads.
        read: bool,
    },
    /// One command per slot of its keys (DEL, EXISTS... across slots), replies combined.
    Split {
        /// The parts, each with its slot's node.
        parts: Vec<(Part, Option<NodeAddr>)>,
        /// How the replies combine.
        aggregate: Aggregate,
        /// Whether the command only reads.
        read: bool,
    },
}

impl ClusterState {
    /// The state after the first slot map was fetched at `now`.
    pub(crate) fn new(
        map: SlotMap,
        read_from: LoadBalancingStrategy,
        seeds: Vec<NodeAddr>,
        now: Duration,
    ) -> ClusterState {
        let default_node = map
            .primaries()
            .next()
            .map(|n| n.addr.clone())
            .or_else(|| seeds.first().cloned())
            .unwrap_or_else(|| NodeAddr::new("127.0.0.1", 6379));
        let mut refresh = RefreshState::new();
        refresh.refreshed(now);
        ClusterState {
            map,
            balancer: LoadBalancer::default(),
            refresh,
            read_from,
            default_node,
            seeds,
        }
    }

    /// Replaces the slot map after a refresh; the default node moves to a primary when it is
    /// no longer one.
    pub(crate) fn set_map(&mut self, map: SlotMap) {
        if !map.primaries().any(|n| n.addr == self.default_node) {
            if let Some(p) = map.primaries().next() {
                self.default_node = p.addr.clone();
            }
        }
        self.map = map;
    }

    /// The slot map.
    #[cfg(test)]
    pub(crate) fn map(&self) -> &SlotMap {
        &self.map
    }

    /// The default node (redis-py's `get_default_node`).
    pub(crate) fn default_node(&self) -> &NodeAddr {
        &self.default_node
    }

    /// Sets the default node (redis-py's `set_default_node`); `false` when it is not a known
    /// node.
    pub(crate) fn set_default_node(&mut self, node: &NodeAddr) -> bool {
        let known = self.map.nodes().any(|n| n.addr == *node);
        if known {
            self.default_node = node.clone();
        }
        known
    }

    /// Every node of the map as a [`ClusterNode`] with its role.
    pub(crate) fn nodes(&self) -> Vec<ClusterNode> {
        let mut out: Vec<ClusterNode> = self
            .map
            .primaries()
            .map(|n| ClusterNode::from_addr(&n.addr, ServerType::Primary))
            .collect();
        out.extend(
            self.map
                .replicas()
                .map(|n| ClusterNode::from_addr(&n.addr, ServerType::Replica)),
        );
        out
    }

    /// The nodes of the map in `role` (redis-py's `get_primaries`, `get_replicas`).
    pub(crate) fn nodes_in(&self, role: ServerType) -> Vec<ClusterNode> {
        let mut nodes = self.nodes();
        nodes.retain(|n| n.server_type == Some(role));
        nodes
    }

    /// The node at `host:port` with its role, if it is in the map (redis-py's `get_node`).
    pub(crate) fn node(&self, host: &str, port: u16) -> Option<ClusterNode> {
        self.nodes()
            .into_iter()
            .find(|n| n.host == host && n.port == port)
    }

    /// The default node with its role, or without one when it is not in the map (redis-py's
    /// `get_default_node`).
    pub(crate) fn default_cluster_node(&self) -> ClusterNode {
        let addr = &self.default_node;
        self.node(&addr.host, addr.port)
            .unwrap_or_else(|| ClusterNode::new(addr.host.clone(), addr.port))
    }

    /// The node at `addr` with its role from the map (without one when the map does not have
    /// it).
    pub(crate) fn cluster_node(&self, addr: &NodeAddr) -> ClusterNode {
        self.node(&addr.host, addr.port)
            .unwrap_or_else(|| ClusterNode::new(addr.host.clone(), addr.port))
    }

    /// The replies of the nodes a command went to by flag or by name, each with its node.
    pub(crate) fn node_replies(
        &self,
        replies: Vec<(NodeAddr, Value)>,
        aggregate: Aggregate,
    ) -> NodeReplies {
        NodeReplies::Nodes {
            replies: replies
                .into_iter()
                .map(|(addr, v)| (self.cluster_node(&addr), v))
                .collect(),
            aggregate,
        }
    }

    /// Replaces the slot map ([`set_map`](Self::set_map)) and returns the addresses of its
    /// nodes: the driver drops its connections to every other node.
    pub(crate) fn replace_map(&mut self, map: SlotMap) -> HashSet<NodeAddr> {
        self.set_map(map);
        self.map.nodes().map(|n| n.addr.clone()).collect()
    }

    /// Whether reads may go to replicas (a strategy other than
    /// [`LoadBalancingStrategy::Primary`]): connections opened now send `READONLY`.
    pub(crate) fn replica_reads(&self) -> bool {
        self.read_from != LoadBalancingStrategy::Primary
    }

    /// Turns reads from replicas on (redis-py's `readonly()`, which sets
    /// `read_from_replicas`: round robin over each shard's primary and replicas, unless a
    /// replica strategy is set already) or off (`readwrite()`: primaries only). Returns the
    /// replicas of the map when the mode changed: their connections were opened in the other
    /// mode (with or without `READONLY`), and the driver drops them.
    pub(crate) fn set_replica_reads(&mut self, on: bool) -> Vec<NodeAddr> {
        if on == self.replica_reads() {
            return Vec::new();
        }
        self.read_from = if on {
            LoadBalancingStrategy::RoundRobin
        } else {
            LoadBalancingStrategy::Primary
        };
        self.map.replicas().map(|n| n.addr.clone()).collect()
    }

    /// Whether `node` is in the map.
    pub(crate) fn is_known(&self, node: &NodeAddr) -> bool {
        self.map.nodes().any(|n| n.addr == *node)
    }

    /// The nodes to ask for the slot map: known primaries, then replicas, then the start-up
    /// nodes, without duplicates.
    pub(crate) fn refresh_candidates(&self) -> Vec<NodeAddr> {
        let mut seen = HashSet::new();
        self.map
            .primaries()
            .chain(self.map.replicas())
            .map(|n| n.addr.clone())
            .chain(self.seeds.iter().cloned())
            .filter(|n| seen.insert(n.clone()))
            .collect()
    }

    /// The node serving `slot`: its primary, or for a read the node the load-balancing
    /// strategy picks.
    pub(crate) fn node_for_slot(&mut self, slot: u16, read: bool) -> Option<NodeAddr> {
        let random = crate::retry::random_unit();
        self.map
            .node_for_slot(slot, read, self.read_from, &mut self.balancer, random)
            .map(|n| n.addr.clone())
    }

    /// The nodes of `slot`'s shard, its primary first, with their roles.
    pub(crate) fn slot_nodes(&self, slot: u16) -> Vec<ClusterNode> {
        self.map
            .slot_nodes(slot)
            .into_iter()
            .enumerate()
            .map(|(i, n)| {
                let role = if i == 0 {
                    ServerType::Primary
                } else {
                    ServerType::Replica
                };
                ClusterNode::from_addr(&n.addr, role)
            })
            .collect()
    }

    /// The node of `key`'s slot (its primary).
    pub(crate) fn node_for_key(&self, key: &[u8]) -> Option<ClusterNode> {
        let slot = super::key_slot(key);
        self.map
            .primary_for_slot(slot)
            .map(|n| ClusterNode::from_addr(&n.addr, ServerType::Primary))
    }

    fn resolve(&self, flag: NodeFlag, readonly: bool) -> Vec<NodeAddr> {
        let random = crate::retry::random_unit();
        self.map
            .nodes_for(flag, readonly, self.read_from, &self.default_node, random)
    }

    /// Where `cmd` goes: `targets` when given (redis-py's `target_nodes`), else its declared
    /// route (its keys' slot, its `route(...)` nodes, or a random primary).
    ///
    /// # Errors
    /// [`ErrorKind::CrossSlot`] for keys in several slots of a command that is not split;
    /// [`ErrorKind::ClusterDown`] when a target flag names no node.
    pub(crate) fn plan(&mut self, cmd: &Cmd, targets: Option<&TargetNodes>) -> Result<Plan> {
        // A command built by hand (the Python binding's, `execute_command`) routes and
        // combines by the declaration of its name.
        let spec = cmd.route_spec();
        let policy = spec.map_or(RoutePolicy::KEYS, |s| s.route_policy());
        let readonly = spec.is_some_and(|s| s.flags.contains(CommandFlags::READONLY));
        let nodes = match targets {
            Some(TargetNodes::Flag(flag)) => self.resolve(*flag, readonly),
            Some(TargetNodes::Node(n)) => vec![n.addr()],
            Some(TargetNodes::Nodes(list)) => list.iter().map(ClusterNode::addr).collect(),
            None => match route_as(cmd, spec)? {
                Route::Slot { slot, readonly } => {
                    let node = self.node_for_slot(slot, readonly);
                    return Ok(Plan::One {
                        node,
                        slot: Some(slot),
                        read: readonly,
                        aggregate: policy.aggregate,
                    });
                }
                Route::Nodes(flag) => self.resolve(flag, readonly),
                Route::SplitBySlot => {
                    let Some(parts) = split_by_slot(cmd) else {
                        return Err(Error::new(
                            ErrorKind::CrossSlot,
                            format!("{}: keys in several slots", cmd.spec().name),
                        ));
                    };
                    let parts = parts
                        .into_iter()
                        .map(|p| {
                            let node = self.node_for_slot(p.slot, readonly);
                            (p, node)
                        })
                        .collect();
                    return Ok(Plan::Split {
                        parts,
                        aggregate: policy.aggregate,
                        read: readonly,
                    });
                }
                // Not in the table: any primary; a keyed command is redirected by MOVED.
                Route::Unknown => self.resolve(NodeFlag::Random, false),
            },
        };
        match nodes.len() {
            0 => Err(Error::new(
                ErrorKind::ClusterDown,
                "no cluster node matches the command's target nodes",
            )),
            1 => Ok(Plan::One {
                node: nodes.into_iter().next(),
                slot: None,
                read: readonly,
                aggregate: policy.aggregate,
            }),
            _ => Ok(Plan::Many {
                nodes,
                aggregate: policy.aggregate,
                read: readonly,
            }),
        }
    }
}

/// What the driver does next for one node's share of a command.
#[derive(Debug)]
pub(crate) enum Action {
    /// Send the command to this node (after `ASKING` on the same connection when `asking`),
    /// then report an error with [`Attempt::on_error`].
    Send {
        /// Where.
        node: NodeAddr,
        /// Whether `ASKING` goes first.
        asking: bool,
    },
    /// Wait this long, then ask again.
    Wait(Duration),
    /// Fetch the slot map (see [`TopologyVotes`]) and install it with
    /// [`ClusterState::set_map`], then ask again. A failed refresh leaves the map as it was.
    Refresh,
    /// Give up with this error.
    Fail(Error),
}

/// The flow of one command to one node in a cluster: [`next`](Self::next) says what to do,
/// [`on_error`](Self::on_error) takes each failure; a success ends it.
#[derive(Debug)]
pub(crate) struct Attempt<'a> {
    routing: CommandRouting<'a>,
    slot: Option<u16>,
    read: bool,
    idempotent: bool,
    node: Option<NodeAddr>,
    /// The node of the last attempt, for a keyless command routed again.
    last: Option<NodeAddr>,
    asking: bool,
    refresh: bool,
    /// A piece of a wait before a reroute just ended: poll the topology before the next.
    poll: bool,
    wait: Duration,
    failed: Option<Error>,
    last_error: Option<Error>,
}

impl<'a> Attempt<'a> {
    /// A command planned to `node` (`None`: its slot had no node in the map); `slot` when it
    /// routes by its keys, `read` when a replica may serve it, `idempotent` when running it
    /// twice is harmless.
    pub(crate) fn new(
        settings: &'a ClusterSettings,
        node: Option<NodeAddr>,
        slot: Option<u16>,
        read: bool,
        idempotent: bool,
    ) -> Attempt<'a> {
        let placeholder = node.clone().unwrap_or_else(|| NodeAddr::new("", 0));
        Attempt {
            routing: CommandRouting::new(settings, placeholder),
            slot,
            read,
            idempotent,
            last: node.clone(),
            node,
            asking: false,
            refresh: false,
            poll: false,
            wait: Duration::ZERO,
            failed: None,
            last_error: None,
        }
    }

    /// The next action; `now` is the driver's monotonic time.
    pub(crate) fn next(&mut self, state: &mut ClusterState, now: Duration) -> Action {
        // Bounded: each pass either returns or records one more retry, which ends at
        // `cluster_error_retry_attempts`.
        loop {
            if self.refresh {
                self.refresh = false;
                return Action::Refresh;
            }
            if let Some(e) = self.failed.take() {
                return Action::Fail(e);
            }
            if std::mem::take(&mut self.poll) && self.routing.poll_topology(&mut state.refresh, now)
            {
                return Action::Refresh;
            }
            if !self.wait.is_zero() {
                if self.node.is_some() {
                    return Action::Wait(std::mem::take(&mut self.wait));
                }
                // Waiting to route again after a failure: in pieces, watching the map (any
                // command's refresh updates it, and this one polls between pieces). Once the
                // failed node no longer serves the slot (a failover happened), go at once.
                if self.left_the_slot(state) {
                    self.wait = Duration::ZERO;
                    continue;
                }
                let slice = self.wait.min(self.routing.wait_slice());
                self.wait -= slice;
                self.poll = true;
                return Action::Wait(slice);
            }
            if let Some(node) = &self.node {
                return Action::Send {
                    node: node.clone(),
                    asking: self.asking,
                };
            }
            // Route again from the (refreshed) map.
            match self.slot {
                Some(slot) => match state.node_for_slot(slot, self.read) {
                    Some(node) => {
                        self.routing.rerouted(node.clone());
                        self.node = Some(node);
                    }
                    None => {
                        let d = self
                            .routing
                            .on_slot_not_covered(slot, &mut state.refresh, now);
                        self.decide(d, state);
                    }
                },
                None => match self.last.clone().filter(|n| state.is_known(n)) {
                    Some(node) => {
                        self.routing.rerouted(node.clone());
                        self.node = Some(node);
                    }
                    None => {
                        let e = self.last_error.take().unwrap_or_else(|| {
                            Error::new(ErrorKind::ClusterDown, "the target node left the cluster")
                        });
                        return Action::Fail(e);
                    }
                },
            }
        }
    }

    /// Whether the node of the failed attempt no longer serves the command in the map: for a
    /// write it is not the slot's primary any more, for a read not in the slot's shard.
    fn left_the_slot(&self, state: &ClusterState) -> bool {
        let (Some(slot), Some(last)) = (self.slot, &self.last) else {
            return false;
        };
        match state.map.primary_for_slot(slot) {
            None => false,
            Some(primary) if self.read => primary.addr != *last && !state.map.serves(slot, last),
            Some(primary) => primary.addr != *last,
        }
    }

    /// Whether the next send waits for the slot map (the command is routed again), so a
    /// refresh asked for now should finish before it; otherwise (after MOVED) it may run in
    /// the background. Only the async client refreshes in the background.
    #[cfg(feature = "tokio")]
    pub(crate) fn reroutes(&self) -> bool {
        self.node.is_none()
    }

    /// The attempt sent by the last [`Action::Send`] failed with `error`; `sent` says whether
    /// the command may have reached the server.
    pub(crate) fn on_error(
        &mut self,
        error: Error,
        sent: Sent,
        state: &mut ClusterState,
        now: Duration,
    ) {
        self.last_error = Some(error.duplicate());
        let d = self
            .routing
            .on_error(error, sent, self.idempotent, &mut state.refresh, now);
        self.decide(d, state);
    }

    fn apply(&mut self, refresh: Refresh, state: &mut ClusterState) {
        match refresh {
            Refresh::None => {}
            Refresh::Slot { slot, node } => state.map.apply_moved(slot, &node),
            Refresh::Full => self.refresh = true,
        }
    }

    fn decide(&mut self, d: Decision, state: &mut ClusterState) {
        match d {
            Decision::Retry {
                target,
                wait,
                refresh,
            } => {
                self.apply(refresh, state);
                self.wait = wait;
                match target {
                    Target::Node(n) => {
                        self.node = Some(n);
                        self.asking = false;
                    }
                    Target::Asking(n) => {
                        self.node = Some(n);
                        self.asking = true;
                    }
                    Target::Reroute => {
                        if let Some(n) = self.node.take() {
                            self.last = Some(n);
                        }
                        self.asking = false;
                    }
                }
            }
            Decision::Fail { error, refresh } => {
                self.apply(refresh, state);
                self.failed = Some(error);
            }
        }
    }
}

/// The `CLUSTER SLOTS` replies of a topology refresh, asked of the
/// [`refresh_candidates`](ClusterState::refresh_candidates) in order until
/// [`REFRESH_VIEWS`] answered.
#[derive(Debug, Default)]
pub(crate) struct TopologyVotes {
    views: Vec<SlotMap>,
    errors: Vec<String>,
}

impl TopologyVotes {
    /// No replies yet.
    pub(crate) fn new() -> TopologyVotes {
        TopologyVotes::default()
    }

    /// The command to send to each candidate.
    pub(crate) fn command() -> Cmd {
        crate::commands::build::cluster_slots()
    }

    /// Records `node`'s reply; `true` once enough nodes answered.
    pub(crate) fn add(&mut self, node: &NodeAddr, reply: Result<Value>) -> bool {
        match reply.and_then(|v| SlotMap::from_cluster_slots(&v, &node.host)) {
            Ok(map) if map.primaries().next().is_some() => self.views.push(map),
            Ok(_) => self.errors.push(format!("{node}: no slots assigned")),
            Err(e) => self.errors.push(format!("{node}: {e}")),
        }
        self.views.len() >= REFRESH_VIEWS
    }

    /// The view most answering nodes agree on.
    ///
    /// # Errors
    /// [`ErrorKind::Connection`] when no node answered with a slot map, naming each failure;
    /// [`ErrorKind::ClusterDown`] when the settings require every slot to have a node
    /// (redis-py's `require_full_coverage`) and some have none.
    pub(crate) fn finish(self, settings: &ClusterSettings) -> Result<SlotMap> {
        match SlotMap::majority(self.views) {
            Some((map, _)) if settings.require_full_coverage && !map.is_fully_covered() => {
                Err(Error::new(
                    ErrorKind::ClusterDown,
                    format!(
                        "not every slot is covered: {} of {} slots have a node \
                         (require_full_coverage)",
                        map.covered_slots(),
                        super::SLOT_COUNT
                    ),
                ))
            }
            Some((map, _)) => Ok(match &settings.address_remap {
                Some(remap) => map.remap(remap),
                None => map,
            }),
            None => Err(Error::new(
                ErrorKind::Connection,
                format!(
                    "no cluster node answered CLUSTER SLOTS ({})",
                    if self.errors.is_empty() {
                        "no node to ask".to_owned()
                    } else {
                        self.errors.join("; ")
                    }
                ),
            )),
        }
    }
}

/// Combines the replies of a [`Plan::Many`] or [`Plan::Split`] as declared.
///
/// # Errors
/// As [`aggregate`](super::aggregate::aggregate).
pub(crate) fn combine(how: Aggregate, replies: Vec<(NodeAddr, Value)>) -> Result<Value> {
    super::aggregate::aggregate(how, replies)
}

/// One node's share of a cluster pipeline: the node and the indices of its commands.
pub(crate) type NodeGroup = (NodeAddr, Vec<usize>);

/// A cluster pipeline's commands grouped by node: `(node, indices)` in order of each node's
/// first command, plus the indices of commands that run on their own (those that go to several
/// nodes, are split, or whose slot has no node now).
///
/// # Errors
/// A command's routing error ([`ErrorKind::CrossSlot`]...), tagged with its index.
pub(crate) fn group_by_node(
    state: &mut ClusterState,
    cmds: &[Cmd],
) -> Result<(Vec<NodeGroup>, Vec<usize>)> {
    let mut groups: Vec<NodeGroup> = Vec::new();
    let mut alone = Vec::new();
    for (i, cmd) in cmds.iter().enumerate() {
        let plan = state
            .plan(cmd, None)
            .map_err(|e| e.at_command(i, cmd.name()))?;
        match plan {
            Plan::One {
                node: Some(node), ..
            } => match groups.iter_mut().find(|(n, _)| *n == node) {
                Some((_, list)) => list.push(i),
                None => groups.push((node, vec![i])),
            },
            _ => alone.push(i),
        }
    }
    Ok((groups, alone))
}

/// The node a cluster transaction (MULTI/EXEC) runs on: the primary of the one slot every
/// keyed command is in (keyless commands go along; with none keyed, the default node).
///
/// # Errors
/// [`ErrorKind::CrossSlot`] when the keys span several slots, or a command goes to several
/// nodes; [`ErrorKind::ClusterDown`] when the slot has no node.
fn transaction_node(state: &mut ClusterState, cmds: &[Cmd]) -> Result<NodeAddr> {
    let mut slot: Option<u16> = None;
    for (i, cmd) in cmds.iter().enumerate() {
        let cross = || {
            Error::new(
                ErrorKind::CrossSlot,
                "a cluster transaction runs on one node: every key must be in one slot \
                 (use hash tags)",
            )
            .at_command(i, cmd.name())
        };
        match route(cmd).map_err(|e| e.at_command(i, cmd.name()))? {
            Route::Slot { slot: s, .. } => match slot {
                Some(first) if first != s => return Err(cross()),
                _ => slot = Some(s),
            },
            Route::SplitBySlot => return Err(cross()),
            Route::Nodes(_) | Route::Unknown => {}
        }
    }
    match slot {
        None => Ok(state.default_node().clone()),
        Some(slot) => state.node_for_slot(slot, false).ok_or_else(|| {
            Error::new(
                ErrorKind::ClusterDown,
                format!("slot {slot} is not covered by the cluster"),
            )
        }),
    }
}

/// Whether a transaction failed because its slot moved (a queued command got `MOVED` or
/// `ASK`, so EXEC aborted): worth another try. A MOVED also patches the map with its node, so
/// the next try goes there even before a refresh agrees.
fn transaction_redirected(e: &Error, state: &mut ClusterState, settings: &ClusterSettings) -> bool {
    let redirected = std::iter::once(e)
        .chain(e.chain().filter_map(|s| s.downcast_ref::<Error>()))
        .find(|x| matches!(x.kind(), ErrorKind::Moved | ErrorKind::Ask));
    let Some(redirected) = redirected else {
        return false;
    };
    let moved = redirected
        .server_error()
        .and_then(|se| super::redirect::parse_redirect(se, &state.default_node.host));
    if let Some(r) = moved {
        if r.kind == super::redirect::RedirectKind::Moved {
            state.map.apply_moved(r.slot, &settings.remap(r.node));
        }
    }
    true
}

/// The flow of a cluster transaction (MULTI/EXEC on the primary of its one slot), for both
/// drivers: [`next`](Self::next) says what to do; after a failed send,
/// [`on_error`](Self::on_error) says whether to go on. A redirected transaction (its slot
/// moved, so EXEC aborted and nothing ran) is tried again as a single command's redirect
/// would be; an unsent one after a topology refresh; anything else is the caller's error.
#[derive(Debug)]
pub(crate) struct TransactionAttempt<'a> {
    settings: &'a ClusterSettings,
    redirects: u32,
    retries: u32,
    refresh: bool,
    wait: Duration,
}

impl<'a> TransactionAttempt<'a> {
    /// A transaction about to be sent for the first time.
    pub(crate) fn new(settings: &'a ClusterSettings) -> Self {
        TransactionAttempt {
            settings,
            redirects: 0,
            retries: 0,
            refresh: false,
            wait: Duration::ZERO,
        }
    }

    /// The next action for the transaction of `cmds`: [`Action::Send`] to the slot's
    /// primary, or a refresh or wait before it; [`Action::Fail`] when the commands cannot run
    /// as one transaction (see [`transaction_node`]).
    pub(crate) fn next(&mut self, state: &mut ClusterState, cmds: &[Cmd]) -> Action {
        if std::mem::take(&mut self.refresh) {
            return Action::Refresh;
        }
        if !self.wait.is_zero() {
            return Action::Wait(std::mem::take(&mut self.wait));
        }
        match transaction_node(state, cmds) {
            Ok(node) => Action::Send {
                node,
                asking: false,
            },
            Err(e) => Action::Fail(e),
        }
    }

    /// The send failed with `error`: whether to try again (then ask [`next`](Self::next)).
    /// Redirects are bounded as a single command's are, unsent tries as its retries.
    pub(crate) fn on_error(&mut self, error: &Error, state: &mut ClusterState) -> bool {
        let again = if error.is_unsent() {
            self.retries += 1;
            self.refresh = true;
            self.retries <= self.settings.cluster_error_retry_attempts
        } else if transaction_redirected(error, state, self.settings) {
            self.redirects += 1;
            self.redirects <= self.settings.max_redirects
        } else {
            false
        };
        // Give the nodes a moment to agree on the slot's owner.
        self.wait = self.settings.try_again_delay;
        again
    }
}

/// Whether a command's error inside a cluster pipeline calls for running it again on its own
/// (through the redirect flow): a redirect or a cluster-state error.
pub(crate) fn retry_alone(e: &Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::Moved
            | ErrorKind::Ask
            | ErrorKind::TryAgain
            | ErrorKind::ClusterDown
            | ErrorKind::MasterDown
    )
}

/// A cluster-wide SCAN (redis-py's cluster `scan_iter`): every primary in turn, one page at a
/// time, each page asked of that primary alone.
#[derive(Debug)]
pub(crate) struct ClusterScan {
    /// Primaries not walked yet, in order.
    nodes: std::collections::VecDeque<NodeAddr>,
    options: ScanOptions,
    cursor: Option<(NodeAddr, ScanCursor)>,
}

/// What the driver of a [`ClusterScan`] does next.
#[derive(Debug)]
pub(crate) enum ClusterScanStep {
    /// Hand this key to the caller.
    Item(Value),
    /// Run this SCAN on these target nodes and [`feed`](ClusterScan::feed) the result.
    Fetch(Cmd, TargetNodes),
    /// Every primary was walked (or the walk failed).
    Done,
}

impl ClusterScan {
    /// A walk over `primaries`, in order, with MATCH, COUNT and TYPE from `options`.
    pub(crate) fn new(primaries: Vec<NodeAddr>, options: ScanOptions) -> ClusterScan {
        ClusterScan {
            nodes: primaries.into(),
            options,
            cursor: None,
        }
    }

    /// The next key, the page to fetch, or the end.
    pub(crate) fn step(&mut self) -> ClusterScanStep {
        loop {
            let Some((node, cursor)) = &mut self.cursor else {
                let Some(node) = self.nodes.pop_front() else {
                    return ClusterScanStep::Done;
                };
                let cursor = ScanCursor::new(ScanKind::Keys, self.options.clone());
                self.cursor = Some((node, cursor));
                continue;
            };
            match cursor.step() {
                ScanStep::Item(v) => return ClusterScanStep::Item(v),
                ScanStep::Done => self.cursor = None,
                ScanStep::Fetch(cmd) => {
                    let target = TargetNodes::Node(ClusterNode::new(node.host.clone(), node.port));
                    return ClusterScanStep::Fetch(cmd, target);
                }
            }
        }
    }

    /// Takes the result of the last [`ClusterScanStep::Fetch`].
    ///
    /// # Errors
    /// The fetch's error, or a malformed page; the walk is then over.
    pub(crate) fn feed(&mut self, page: Result<Value>) -> Result<()> {
        let fed = match (page, &mut self.cursor) {
            (Ok(page), Some((_, cursor))) => cursor.feed(page),
            (Ok(_), None) => Err(Error::new(
                ErrorKind::Protocol,
                "a SCAN page nobody asked for",
            )),
            (Err(e), _) => Err(e),
        };
        if fed.is_err() {
            self.end();
        }
        fed
    }

    /// Ends the walk.
    pub(crate) fn end(&mut self) {
        self.nodes.clear();
        self.cursor = None;
    }
}

/// The results of a cluster pipeline as its groups come back: each command's result in its
/// place, and the commands to run again on their own through the redirect flow (redirected or
/// refused for the cluster's state inside the pipeline, or not sent).
#[derive(Debug)]
pub(crate) struct PipelineResults {
    results: Vec<Option<Result<Value>>>,
    again: Vec<usize>,
}

impl PipelineResults {
    /// For `count` commands, those at `alone` to run on their own
    /// (from [`group_by_node`]).
    pub(crate) fn new(count: usize, alone: Vec<usize>) -> PipelineResults {
        PipelineResults {
            results: (0..count).map(|_| None).collect(),
            again: alone,
        }
    }

    /// Takes the outcome of the group of `cmds` at `indices`: its raw replies in order, or the
    /// group's error. `check` is the driver's check of a raw reply (UTF-8 under
    /// `decode_responses`) before the command's reply shape is applied.
    pub(crate) fn settle(
        &mut self,
        cmds: &[Cmd],
        indices: Vec<usize>,
        outcome: Result<Vec<Value>>,
        check: impl Fn(&Value) -> Result<()>,
    ) {
        match outcome {
            Ok(replies) => {
                for (&i, reply) in indices.iter().zip(replies) {
                    let result = check(&reply)
                        .and_then(|()| crate::conn::finish_reply(cmds[i].reply_shape(), reply))
                        .map_err(|e| e.at_command(i, cmds[i].name()));
                    match result {
                        Err(e) if retry_alone(&e) => self.again.push(i),
                        r => self.results[i] = Some(r),
                    }
                }
            }
            // Nothing sent (no connection): each command goes through the flow, which
            // refreshes the map and routes it again.
            Err(e) if e.is_unsent() => self.again.extend(indices),
            Err(e) => {
                for &i in &indices {
                    self.results[i] = Some(Err(e.duplicate().at_command(i, cmds[i].name())));
                }
            }
        }
    }

    /// The commands to run again on their own, in submission order; their results go to
    /// [`set`](Self::set).
    pub(crate) fn take_again(&mut self) -> Vec<usize> {
        let mut again = std::mem::take(&mut self.again);
        again.sort_unstable();
        again
    }

    /// Records the result of command `i` run on its own (its error is marked with its index).
    pub(crate) fn set(&mut self, i: usize, cmds: &[Cmd], result: Result<Value>) {
        self.results[i] = Some(result.map_err(|e| e.at_command(i, cmds[i].name())));
    }

    /// One result per command, in submission order.
    pub(crate) fn finish(self) -> Vec<Result<Value>> {
        self.results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(Error::new(ErrorKind::Protocol, "no reply"))))
            .collect()
    }
}

/// The slot map type, for drivers.
pub(crate) type Map = SlotMap;

/// A map with no slot assigned (before the first refresh).
pub(crate) fn empty_map() -> SlotMap {
    SlotMap::empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::build;
    use bytes::Bytes;

    fn bulk(s: &str) -> Value {
        Value::Bulk(Bytes::copy_from_slice(s.as_bytes()))
    }

    /// The CLUSTER SLOTS reply of three primaries on 7000-7002 with replicas on 7003-7005,
    /// slots as redis-cli assigns them.
    fn full_reply() -> Value {
        let node = |p: i64| Value::Array(vec![bulk("127.0.0.1"), Value::Int(p)]);
        let entry = |s: i64, e: i64, p: i64| {
            Value::Array(vec![Value::Int(s), Value::Int(e), node(p), node(p + 3)])
        };
        Value::Array(vec![
            entry(0, 5460, 7000),
            entry(5461, 10922, 7001),
            entry(10923, 16383, 7002),
        ])
    }

    /// The map of [`full_reply`].
    fn map() -> SlotMap {
        SlotMap::from_cluster_slots(&full_reply(), "127.0.0.1").unwrap()
    }

    fn n(port: u16) -> NodeAddr {
        NodeAddr::new("127.0.0.1", port)
    }

    fn state(read_from: LoadBalancingStrategy) -> ClusterState {
        ClusterState::new(map(), read_from, vec![n(7000)], Duration::from_secs(100))
    }

    fn err(line: &str) -> Error {
        Error::from(crate::ServerError::from_line(line.as_bytes()))
    }

    #[test]
    fn plans_follow_the_keys_the_route_and_the_targets() {
        let mut s = state(LoadBalancingStrategy::Primary);
        match s.plan(&build::get("foo"), None).unwrap() {
            Plan::One {
                node, slot, read, ..
            } => {
                assert_eq!((node, slot, read), (Some(n(7002)), Some(12182), true));
            }
            other => panic!("{other:?}"),
        }
        match s.plan(&build::flushdb(), None).unwrap() {
            Plan::Many { nodes, .. } => assert_eq!(nodes, [n(7000), n(7001), n(7002)]),
            other => panic!("{other:?}"),
        }
        match s.plan(&build::dbsize(), None).unwrap() {
            Plan::One { node, slot, .. } => assert_eq!((node, slot), (Some(n(7000)), None)),
            other => panic!("{other:?}"),
        }
        let all = TargetNodes::Flag(NodeFlag::AllNodes);
        match s.plan(&build::dbsize(), Some(&all)).unwrap() {
            Plan::Many {
                nodes, aggregate, ..
            } => {
                assert_eq!(nodes.len(), 6);
                assert_eq!(aggregate, Aggregate::Sum);
            }
            other => panic!("{other:?}"),
        }
        match s
            .plan(&build::delete(["foo", "123456789", "{foo}x"]), None)
            .unwrap()
        {
            Plan::Split {
                parts, aggregate, ..
            } => {
                assert_eq!(aggregate, Aggregate::Sum);
                let slots: Vec<(u16, Option<NodeAddr>)> =
                    parts.iter().map(|(p, n)| (p.slot, n.clone())).collect();
                assert_eq!(slots, [(12182, Some(n(7002))), (12739, Some(n(7002)))]);
            }
            other => panic!("{other:?}"),
        }
        let e = s.plan(&build::mget(["foo", "bar"]), None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::CrossSlot);
        // Replica reads: round robin over primary and replica.
        let mut s = state(LoadBalancingStrategy::RoundRobinReplicas);
        for _ in 0..3 {
            match s.plan(&build::get("foo"), None).unwrap() {
                Plan::One { node, .. } => assert_eq!(node, Some(n(7005))),
                other => panic!("{other:?}"),
            }
        }
        match s.plan(&build::set("foo", "v"), None).unwrap() {
            Plan::One { node, .. } => assert_eq!(node, Some(n(7002))),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_attempt_follows_ask_then_moved_and_patches_the_map() {
        let settings = ClusterSettings::default();
        let mut s = state(LoadBalancingStrategy::Primary);
        let t = Duration::from_secs(200);
        let mut a = Attempt::new(&settings, Some(n(7002)), Some(12182), false, false);
        let send = |a: &mut Attempt<'_>, s: &mut ClusterState| match a.next(s, t) {
            Action::Send { node, asking } => (node, asking),
            other => panic!("{other:?}"),
        };
        assert_eq!(send(&mut a, &mut s), (n(7002), false));
        a.on_error(err("ASK 12182 127.0.0.1:7000"), Sent::Maybe, &mut s, t);
        assert_eq!(send(&mut a, &mut s), (n(7000), true));
        // ASK leaves the map alone.
        assert_eq!(s.map().primary_for_slot(12182).unwrap().addr, n(7002));
        a.on_error(err("MOVED 12182 127.0.0.1:7000"), Sent::Maybe, &mut s, t);
        assert_eq!(send(&mut a, &mut s), (n(7000), false));
        assert_eq!(s.map().primary_for_slot(12182).unwrap().addr, n(7000));
        // The next command for the slot goes to the new owner at once.
        match s.plan(&build::get("foo"), None).unwrap() {
            Plan::One { node, .. } => assert_eq!(node, Some(n(7000))),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_refused_connection_refreshes_waits_and_routes_again() {
        let settings = ClusterSettings {
            backoff: crate::retry::Backoff::exponential(
                Duration::from_secs(1),
                Duration::from_millis(100),
            ),
            ..ClusterSettings::default()
        };
        let mut s = state(LoadBalancingStrategy::Primary);
        let t = Duration::from_secs(200);
        let mut a = Attempt::new(&settings, Some(n(7002)), Some(12182), false, false);
        assert!(matches!(a.next(&mut s, t), Action::Send { .. }));
        let refused = Error::new(ErrorKind::Connection, "connection refused");
        a.on_error(refused, Sent::No, &mut s, t);
        assert!(matches!(a.next(&mut s, t), Action::Refresh));
        // The refresh found the replica promoted.
        let promoted = {
            let mut m = map();
            m.apply_moved(12182, &n(7005));
            m
        };
        s.set_map(promoted);
        // The slot has a new owner: sent there at once, no backoff.
        match a.next(&mut s, t) {
            Action::Send { node, asking } => assert_eq!((node, asking), (n(7005), false)),
            other => panic!("{other:?}"),
        }
        // Refused again and the refresh shows no change yet: back off, then the same node.
        let refused = Error::new(ErrorKind::Connection, "connection refused");
        a.on_error(refused, Sent::No, &mut s, t + Duration::from_secs(1));
        assert!(matches!(a.next(&mut s, t), Action::Refresh));
        // The 400 ms backoff runs in pieces of `min_refresh_interval` (no poll here: the
        // clock stands still, so the rate limit refuses one).
        let ms = Duration::from_millis;
        for _ in 0..4 {
            assert!(matches!(a.next(&mut s, t), Action::Wait(w) if w == ms(100)));
        }
        match a.next(&mut s, t) {
            Action::Send { node, .. } => assert_eq!(node, n(7005)),
            other => panic!("{other:?}"),
        }
        // Refused once more: between pieces of the wait the map is polled, and once it shows
        // the slot on another node the rest of the wait is skipped.
        let later = t + Duration::from_secs(5);
        let refused = Error::new(ErrorKind::Connection, "connection refused");
        a.on_error(refused, Sent::No, &mut s, later);
        assert!(matches!(a.next(&mut s, later), Action::Refresh));
        assert!(matches!(a.next(&mut s, later), Action::Wait(w) if w == ms(100)));
        assert!(matches!(a.next(&mut s, later + ms(100)), Action::Refresh));
        s.set_map(map());
        match a.next(&mut s, later + ms(100)) {
            Action::Send { node, .. } => assert_eq!(node, n(7002)),
            other => panic!("{other:?}"),
        }
        // A write that may have run is not sent again after a connection error.
        let mut a = Attempt::new(&settings, Some(n(7002)), Some(12182), false, false);
        let _ = a.next(&mut s, t);
        let reset = Error::new(ErrorKind::Connection, "connection reset");
        a.on_error(reset, Sent::Maybe, &mut s, t + Duration::from_secs(10));
        assert!(matches!(a.next(&mut s, t), Action::Refresh));
        assert!(matches!(a.next(&mut s, t), Action::Fail(e) if e.kind() == ErrorKind::Connection));
    }

    #[test]
    fn a_transaction_runs_on_its_one_slots_primary() {
        let mut s = state(LoadBalancingStrategy::RoundRobin);
        let cmds = [
            build::set("{foo}a", "1"),
            build::ping(),
            build::get("{foo}b"),
        ];
        assert_eq!(transaction_node(&mut s, &cmds).unwrap(), n(7002));
        // Only keyless commands: the default node.
        assert_eq!(transaction_node(&mut s, &[build::ping()]).unwrap(), n(7000));
        let e = transaction_node(&mut s, &[build::get("foo"), build::get("bar")]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::CrossSlot);
        assert_eq!(e.command(), Some((1, "GET")));
        let e = transaction_node(&mut s, &[build::delete(["foo", "bar"])]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::CrossSlot);
        // EXECABORT caused by a MOVED queued reply calls for another try; other aborts do not.
        let moved = Error::from(crate::ServerError::from_line(b"MOVED 1 127.0.0.1:7001"));
        let abort = Error::with_source(ErrorKind::ExecAbort, "aborted", moved);
        assert!(transaction_redirected(
            &abort,
            &mut s,
            &ClusterSettings::default()
        ));
        // The map follows the MOVED at once.
        assert_eq!(s.map().primary_for_slot(1).unwrap().addr, n(7001));
        let wrong = Error::from(crate::ServerError::from_line(b"ERR wrong number"));
        let abort = Error::with_source(ErrorKind::ExecAbort, "aborted", wrong);
        assert!(!transaction_redirected(
            &abort,
            &mut s,
            &ClusterSettings::default()
        ));
    }

    #[test]
    fn a_transaction_follows_moved_and_retries_unsent_within_bounds() {
        let settings = ClusterSettings {
            max_redirects: 2,
            cluster_error_retry_attempts: 1,
            ..ClusterSettings::default()
        };
        let mut s = state(LoadBalancingStrategy::Primary);
        let cmds = [build::incr("{foo}a"), build::get("{foo}b")];
        let mut tx = TransactionAttempt::new(&settings);
        let send_to = |a: Action| match a {
            Action::Send { node, asking } => {
                assert!(!asking);
                node
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(send_to(tx.next(&mut s, &cmds)), n(7002));
        // The slot moved: EXEC aborted; after a short wait the same commands go to the new
        // owner named by MOVED.
        let moved = || {
            let line = crate::ServerError::from_line(b"MOVED 12182 127.0.0.1:7001");
            Error::with_source(ErrorKind::ExecAbort, "aborted", Error::from(line))
        };
        assert!(tx.on_error(&moved(), &mut s));
        assert!(matches!(tx.next(&mut s, &cmds), Action::Wait(d) if d == settings.try_again_delay));
        assert_eq!(send_to(tx.next(&mut s, &cmds)), n(7001));
        // Unsent (connection refused): refresh, wait, send again; one such retry only.
        let refused = Error::new(ErrorKind::Connection, "refused").mark_unsent();
        assert!(tx.on_error(&refused, &mut s));
        assert!(matches!(tx.next(&mut s, &cmds), Action::Refresh));
        assert!(matches!(tx.next(&mut s, &cmds), Action::Wait(_)));
        assert_eq!(send_to(tx.next(&mut s, &cmds)), n(7001));
        assert!(!tx.on_error(&refused, &mut s));
        // Redirects are bounded too (2 here); other errors end it at once.
        assert!(tx.on_error(&moved(), &mut s));
        assert!(!tx.on_error(&moved(), &mut s));
        let mut tx = TransactionAttempt::new(&settings);
        let _ = tx.next(&mut s, &cmds);
        assert!(!tx.on_error(&Error::new(ErrorKind::Response, "WRONGTYPE"), &mut s));
        // Keys in two slots never get sent.
        let mut tx = TransactionAttempt::new(&settings);
        let cross = [build::get("foo"), build::get("bar")];
        assert!(
            matches!(tx.next(&mut s, &cross), Action::Fail(e) if e.kind() == ErrorKind::CrossSlot)
        );
    }

    #[test]
    fn topology_votes_take_the_majority_and_name_failures() {
        let mut v = TopologyVotes::new();
        let e = Error::new(ErrorKind::Connection, "refused");
        assert!(!v.add(&n(7000), Err(e)));
        let settings = ClusterSettings::default();
        let err = TopologyVotes::new().finish(&settings).unwrap_err();
        assert!(err.to_string().contains("no node to ask"), "{err}");
        let mut failed = TopologyVotes::new();
        failed.add(&n(7000), Err(Error::new(ErrorKind::Connection, "refused")));
        let err = failed.finish(&settings).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Connection);
        assert!(err.to_string().contains("127.0.0.1:7000"), "{err}");
        let _ = v;
    }

    #[test]
    fn address_remap_applies_to_the_slot_map() {
        let settings = ClusterSettings {
            address_remap: Some(super::super::redirect::AddressRemap::new(|host, port| {
                (host.replace("127.0.0.1", "127.0.0.2"), port + 1000)
            })),
            ..ClusterSettings::default()
        };
        let mut v = TopologyVotes::new();
        v.add(&n(7000), Ok(full_reply()));
        let map = v.finish(&settings).unwrap();
        let plain = {
            let mut v = TopologyVotes::new();
            v.add(&n(7000), Ok(full_reply()));
            v.finish(&ClusterSettings::default()).unwrap()
        };
        let remapped: Vec<NodeAddr> = map.nodes().map(|node| node.addr.clone()).collect();
        let expected: Vec<NodeAddr> = plain
            .nodes()
            .map(|node| NodeAddr::new("127.0.0.2", node.addr.port + 1000))
            .collect();
        assert_eq!(remapped, expected);
        assert_eq!(remapped.len(), 6);
        assert!(map.is_fully_covered());
    }

    #[test]
    fn require_full_coverage_refuses_a_map_with_unserved_slots() {
        let node = |p: i64| Value::Array(vec![bulk("127.0.0.1"), Value::Int(p)]);
        let partial = Value::Array(vec![
            Value::Array(vec![Value::Int(0), Value::Int(5460), node(7000)]),
            Value::Array(vec![Value::Int(10923), Value::Int(16383), node(7002)]),
        ]);
        let votes = || {
            let mut v = TopologyVotes::new();
            v.add(&n(7000), Ok(partial.clone()));
            v
        };
        let lenient = ClusterSettings::default();
        assert!(!lenient.require_full_coverage);
        let map = votes().finish(&lenient).unwrap();
        assert_eq!(map.covered_slots(), 5461 + 5461);
        let strict = ClusterSettings {
            require_full_coverage: true,
            ..ClusterSettings::default()
        };
        let err = votes().finish(&strict).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ClusterDown);
        assert!(err.to_string().contains("10922 of 16384"), "{err}");
        // Every slot served: accepted either way.
        let mut full = TopologyVotes::new();
        full.add(&n(7000), Ok(full_reply()));
        assert!(full.finish(&strict).unwrap().is_fully_covered());
    }

    #[test]
    fn slot_nodes_list_the_primary_then_its_replicas() {
        let s = state(LoadBalancingStrategy::Primary);
        let nodes = s.slot_nodes(12182);
        assert_eq!(
            nodes,
            [
                ClusterNode::from_addr(&n(7002), ServerType::Primary),
                ClusterNode::from_addr(&n(7005), ServerType::Replica)
            ]
        );
        let empty = ClusterState::new(
            SlotMap::empty(),
            LoadBalancingStrategy::Primary,
            vec![n(7000)],
            Duration::ZERO,
        );
        assert!(empty.slot_nodes(0).is_empty());
    }

    #[test]
    fn hand_built_commands_plan_and_combine_by_their_declaration() {
        let mut s = state(LoadBalancingStrategy::Primary);
        let hand = |args: &[&str]| {
            let mut cmd = Cmd::empty();
            for a in args {
                cmd.arg(*a);
            }
            cmd
        };
        // DBSIZE on every primary sums, as the declared command does.
        let primaries = TargetNodes::Flag(NodeFlag::Primaries);
        match s.plan(&hand(&["dbsize"]), Some(&primaries)).unwrap() {
            Plan::Many {
                aggregate, read, ..
            } => assert_eq!((aggregate, read), (Aggregate::Sum, true)),
            other => panic!("{other:?}"),
        }
        // DEL across slots is split, the parts carrying DEL's declaration.
        match s.plan(&hand(&["DEL", "foo", "bar"]), None).unwrap() {
            Plan::Split {
                parts, aggregate, ..
            } => {
                assert_eq!(aggregate, Aggregate::Sum);
                let slots: Vec<u16> = parts.iter().map(|(p, _)| p.slot).collect();
                assert_eq!(slots, [12182, 5061]);
                assert!(parts.iter().all(|(p, _)| p.cmd.spec().name == "DEL"));
            }
            other => panic!("{other:?}"),
        }
        // A keyless command sent to one node by its declaration carries its aggregate.
        match s.plan(&hand(&["SCAN", "0"]), None).unwrap() {
            Plan::Many { aggregate, .. } => assert_eq!(aggregate, Aggregate::Scan),
            other => panic!("{other:?}"),
        }
        match s.plan(&hand(&["PING"]), None).unwrap() {
            Plan::One {
                slot: None,
                aggregate,
                ..
            } => assert_eq!(aggregate, Aggregate::AllOk),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn node_replies_combine_as_run_returns_them() {
        let one = |v: Value| NodeReplies::Nodes {
            replies: vec![(ClusterNode::new("127.0.0.1", 7000), v)],
            aggregate: Aggregate::Scan,
        };
        let page = Value::Array(vec![bulk("0"), Value::Array(vec![bulk("k")])]);
        // One node's reply: as it is for `run`, combined as declared for `combine_all`.
        assert_eq!(one(page.clone()).combine().unwrap(), page);
        assert_eq!(
            one(page).combine_all().unwrap(),
            Value::Array(vec![
                Value::Map(vec![(bulk("127.0.0.1:7000"), bulk("0"))]),
                Value::Array(vec![bulk("k")]),
            ])
        );
        let two = NodeReplies::Nodes {
            replies: vec![
                (ClusterNode::new("127.0.0.1", 7000), Value::Int(2)),
                (ClusterNode::new("127.0.0.1", 7001), Value::Int(3)),
            ],
            aggregate: Aggregate::Sum,
        };
        assert_eq!(two.combine().unwrap(), Value::Int(5));
        assert_eq!(
            NodeReplies::Keyed(Value::Int(1)).combine_all().unwrap(),
            Value::Int(1)
        );
    }
}
