//! The public names of the cluster clients: nodes, target nodes, the replica strategy and the
//! builder, shared by the blocking and async `RedisCluster`.

use std::fmt;
use std::time::Duration;

use super::redirect::{ClusterSettings, NodeAddr};
use crate::commands::{Aggregate, NodeFlag};
use crate::config::{Addr, ConnectionConfig, Protocol};
use crate::error::{Error, ErrorKind, Result};
use crate::value::Value;

pub use super::topology::LoadBalancingStrategy;

/// A node's role in the cluster (redis-py's `server_type`, `"primary"` or `"replica"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServerType {
    /// Owns slots and takes writes.
    Primary,
    /// Copies a primary; serves reads when the client reads from replicas.
    Replica,
}

/// One cluster node (redis-py's `ClusterNode`): where it listens and, when known from the slot
/// map, its role.
///
/// # Examples
/// ```
/// use oxredis::cluster::ClusterNode;
/// let n = ClusterNode::new("127.0.0.1", 7000);
/// assert_eq!(n.name(), "127.0.0.1:7000");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClusterNode {
    /// Host name or IP.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Primary or replica; `None` for a start-up node not (yet) seen in the slot map.
    pub server_type: Option<ServerType>,
}

impl ClusterNode {
    /// A node at `host:port` of unknown role.
    pub fn new(host: impl Into<String>, port: u16) -> ClusterNode {
        ClusterNode {
            host: host.into(),
            port,
            server_type: None,
        }
    }

    /// `host:port` (redis-py's `ClusterNode.name`).
    pub fn name(&self) -> String {
        self.addr().to_string()
    }

    pub(crate) fn addr(&self) -> NodeAddr {
        NodeAddr::new(self.host.clone(), self.port)
    }

    pub(crate) fn from_addr(addr: &NodeAddr, server_type: ServerType) -> ClusterNode {
        ClusterNode {
            host: addr.host.clone(),
            port: addr.port,
            server_type: Some(server_type),
        }
    }
}

impl fmt::Display for ClusterNode {
    /// `host:port`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.addr(), f)
    }
}

/// Where a command goes instead of its default nodes (redis-py's `target_nodes`): a node flag
/// (`RedisCluster.PRIMARIES`...), one node, or a list of nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetNodes {
    /// The nodes the flag names.
    Flag(NodeFlag),
    /// This node.
    Node(ClusterNode),
    /// These nodes.
    Nodes(Vec<ClusterNode>),
}

impl From<NodeFlag> for TargetNodes {
    fn from(flag: NodeFlag) -> Self {
        TargetNodes::Flag(flag)
    }
}

impl From<ClusterNode> for TargetNodes {
    fn from(node: ClusterNode) -> Self {
        TargetNodes::Node(node)
    }
}

impl From<Vec<ClusterNode>> for TargetNodes {
    fn from(nodes: Vec<ClusterNode>) -> Self {
        TargetNodes::Nodes(nodes)
    }
}

/// A command's replies before they are combined ([`RedisCluster::run_per_node`]): the reply
/// of a command routed by its keys, or each node's reply when it went to nodes by a node flag
/// or by name, with the combination its declaration names.
///
/// `run` returns [`combine`](Self::combine)'s value. A binding that shapes every node's reply
/// itself uses the replies: redis-py's `RedisCluster` returns a dict `{node name: reply}` for
/// the commands sent to several nodes that its `RESULT_CALLBACKS` do not combine.
///
/// [`RedisCluster::run_per_node`]: crate::blocking::RedisCluster::run_per_node
#[derive(Debug, Clone, PartialEq)]
pub enum NodeReplies {
    /// The reply of a command routed by its keys' slot (a command split per slot: the parts'
    /// replies combined).
    Keyed(Value),
    /// Each node's reply, in the order the command was sent (one or more).
    Nodes {
        /// The nodes (with their roles when the slot map has them) and their replies.
        replies: Vec<(ClusterNode, Value)>,
        /// How the command's declaration combines them.
        aggregate: Aggregate,
    },
}

impl NodeReplies {
    /// The reply as the cluster client's `run` returns it: a keyed reply, or one node's
    /// reply, as it is; several nodes' replies combined as declared.
    ///
    /// # Errors
    /// [`ErrorKind::Protocol`] when a reply does not have the shape its combination needs.
    pub fn combine(self) -> Result<Value> {
        match self {
            NodeReplies::Nodes { mut replies, .. } if replies.len() == 1 => {
                Ok(replies.pop().map_or(Value::Nil, |(_, v)| v))
            }
            other => other.combine_all(),
        }
    }

    /// The replies combined as declared, even when only one node answered (a SCAN's reply
    /// then still names the node its cursor belongs to); a keyed reply as it is.
    ///
    /// # Errors
    /// As [`combine`](Self::combine).
    pub fn combine_all(self) -> Result<Value> {
        match self {
            NodeReplies::Keyed(v) => Ok(v),
            NodeReplies::Nodes { replies, aggregate } => super::aggregate::aggregate(
                aggregate,
                replies.into_iter().map(|(n, v)| (n.addr(), v)).collect(),
            ),
        }
    }
}

/// Builds a cluster client option by option (redis-py's `RedisCluster(...)` keyword
/// arguments): the blocking [`RedisCluster`](crate::blocking::RedisCluster) with
/// [`build`](Self::build), the async one with `build_async`. Every node connection uses the
/// same [`ConnectionConfig`] (its address replaced by the node's).
///
/// # Examples
/// ```no_run
/// use oxredis::cluster::{ClusterBuilder, ClusterNode, LoadBalancingStrategy};
/// let rc = ClusterBuilder::default()
///     .startup_nodes([ClusterNode::new("127.0.0.1", 7000), ClusterNode::new("127.0.0.1", 7001)])
///     .load_balancing_strategy(LoadBalancingStrategy::RoundRobinReplicas)
///     .build()?;
/// # Ok::<(), oxredis::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ClusterBuilder {
    pub(crate) startup_nodes: Vec<ClusterNode>,
    pub(crate) config: ConnectionConfig,
    pub(crate) settings: ClusterSettings,
    pub(crate) read_from: LoadBalancingStrategy,
}

impl ClusterBuilder {
    /// Starts from a URL's connection settings, its host and port the first start-up node
    /// (`redis://` or `rediss://`; `db` must be 0).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`] for a bad URL, a unix socket or a database other than 0.
    pub fn url(mut self, url: &str) -> Result<Self> {
        let config = ConnectionConfig::from_url(url)?;
        let Addr::Tcp { host, port } = &config.addr else {
            return Err(Error::new(
                ErrorKind::InvalidConfig,
                "a cluster is reached over TCP, not a unix socket",
            ));
        };
        if config.db != 0 {
            return Err(Error::new(
                ErrorKind::InvalidConfig,
                "a cluster has only database 0 (SELECT is not allowed in cluster mode)",
            ));
        }
        self.startup_nodes
            .push(ClusterNode::new(host.clone(), *port));
        self.config = config;
        Ok(self)
    }

    /// Adds a start-up node (redis-py's `host`/`port`).
    pub fn node(mut self, host: impl Into<String>, port: u16) -> Self {
        self.startup_nodes.push(ClusterNode::new(host, port));
        self
    }

    /// Adds start-up nodes (redis-py's `startup_nodes`): the slot map is asked of them.
    pub fn startup_nodes(mut self, nodes: impl IntoIterator<Item = ClusterNode>) -> Self {
        self.startup_nodes.extend(nodes);
        self
    }

    /// The settings of every node connection (the address is replaced per node).
    pub fn connection_config(mut self, config: ConnectionConfig) -> Self {
        self.config = config;
        self
    }

    /// Password of every node.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.config.password = Some(password.into());
        self
    }

    /// ACL user of every node.
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.config.username = Some(username.into());
        self
    }

    /// RESP version of every connection.
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.config.protocol = protocol;
        self
    }

    /// Response deadline of ordinary commands; see [`ConnectionConfig::socket_timeout`].
    pub fn socket_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.config.socket_timeout = timeout.into();
        self
    }

    /// Connect timeout of every connection.
    pub fn socket_connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = Some(timeout);
        self
    }

    /// Blocking client: most connections per node.
    pub fn max_connections(mut self, n: usize) -> Self {
        self.config.max_connections = n.max(1);
        self
    }

    /// Turns client-side caching on (redis-py's `cache_config`); needs RESP3, which this sets.
    /// Each node gets a cache of its own (`max_size` and `max_bytes` are per node), kept
    /// true by that node's invalidations (see [`crate::cache`] and
    /// [`RedisCluster::caches`](crate::blocking::RedisCluster::caches)).
    pub fn cache_config(mut self, cache: crate::cache::CacheConfig) -> Self {
        self.config.cache = Some(cache);
        self.config.protocol = Protocol::Resp3;
        self
    }

    /// Require every reply string to be valid UTF-8 (redis-py's `decode_responses`).
    pub fn decode_responses(mut self, on: bool) -> Self {
        self.config.decode_responses = on;
        self
    }

    /// Reads go round robin over each shard's primary and replicas (redis-py's
    /// `read_from_replicas=True`), or to the primary only (`false`, the default).
    pub fn read_from_replicas(self, on: bool) -> Self {
        self.load_balancing_strategy(if on {
            LoadBalancingStrategy::RoundRobin
        } else {
            LoadBalancingStrategy::Primary
        })
    }

    /// Which node of a shard serves reads (redis-py 8's `load_balancing_strategy`).
    pub fn load_balancing_strategy(mut self, strategy: LoadBalancingStrategy) -> Self {
        self.read_from = strategy;
        self
    }

    /// How often a command is tried again after a connection error, `CLUSTERDOWN` or an
    /// uncovered slot, each time after a topology refresh (redis-py's
    /// `cluster_error_retry_attempts`, default 3).
    pub fn cluster_error_retry_attempts(mut self, n: u32) -> Self {
        self.settings.cluster_error_retry_attempts = n;
        self
    }

    /// Every this many MOVED replies the whole slot map is fetched again; in between only the
    /// moved slot is patched (redis-py's `reinitialize_steps`, default 5).
    pub fn reinitialize_steps(mut self, n: u32) -> Self {
        self.settings.reinitialize_steps = n;
        self
    }

    /// Refuse a slot map in which some slot has no node (redis-py's `require_full_coverage`,
    /// which defaults to on there; off by default here): building the client fails with
    /// [`ErrorKind::ClusterDown`], and a refresh that finds such a map keeps the previous one.
    pub fn require_full_coverage(mut self, on: bool) -> Self {
        self.settings.require_full_coverage = on;
        self
    }

    /// Connects to each node the cluster announces (in its slot map, and in MOVED/ASK
    /// redirects) at the address `remap` gives for its announced `(host, port)` (redis-py's
    /// `address_remap`): for nodes behind NAT, a proxy or port forwarding. The start-up nodes
    /// are used as given.
    pub fn address_remap(
        mut self,
        remap: impl Fn(&str, u16) -> (String, u16) + Send + Sync + 'static,
    ) -> Self {
        self.settings.address_remap = Some(super::redirect::AddressRemap::new(remap));
        self
    }

    /// Redirects (MOVED, ASK, TRYAGAIN) one command may follow before it fails (redis-py's
    /// `RedisClusterRequestTTL`, default 16).
    pub fn max_redirects(mut self, n: u32) -> Self {
        self.settings.max_redirects = n;
        self
    }

    /// The backoff before routing again after `CLUSTERDOWN` or a connection error (default
    /// redis-py's exponential with jitter, 1 s base, 10 s cap).
    pub fn backoff(mut self, backoff: crate::retry::Backoff) -> Self {
        self.settings.backoff = backoff;
        self
    }

    /// The start-up nodes as addresses, with the URL's or builder's defaults when none.
    pub(crate) fn seeds(&self) -> Result<Vec<NodeAddr>> {
        if self.startup_nodes.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidConfig,
                "a cluster client needs at least one start-up node",
            ));
        }
        Ok(self.startup_nodes.iter().map(ClusterNode::addr).collect())
    }

    /// The connection settings for `node`; `readonly` when reads may go to replicas (the
    /// connection sends `READONLY`).
    pub(crate) fn node_config(&self, node: &NodeAddr, readonly: bool) -> ConnectionConfig {
        let mut config = self.config.clone();
        config.addr = Addr::Tcp {
            host: node.host.clone(),
            port: node.port,
        };
        config.readonly = readonly;
        // A cluster client retries per the cluster's rules (after a refresh, on another
        // node); a node connection's own retries would only delay that.
        config.retry = crate::retry::Retry::none();
        config.db = 0;
        config
    }

    /// The connection settings of a pub/sub connection to `node`: the node's address, the
    /// client's own retry policy for reconnecting.
    pub(crate) fn pubsub_config(&self, node: &NodeAddr) -> ConnectionConfig {
        let mut config = self.node_config(node, false);
        config.retry = self.config.retry;
        config
    }

    /// The blocking cluster client; asks the start-up nodes for the slot map first.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`] without start-up nodes; [`ErrorKind::Connection`] when
    /// no start-up node answers with a slot map.
    pub fn build(self) -> Result<crate::blocking::RedisCluster> {
        crate::blocking::RedisCluster::new(self)
    }

    /// The async cluster client; it asks for the slot map on first use (or
    /// `initialize().await`).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`] without start-up nodes.
    #[cfg(feature = "tokio")]
    pub fn build_async(self) -> Result<crate::aio::RedisCluster> {
        crate::aio::RedisCluster::new(self)
    }
}
