//! `_native.ClusterClient` and `_native.AsyncClusterClient`: the blocking and async Redis
//! Cluster clients (`oxredis::RedisCluster`, `oxredis::aio::RedisCluster`) for one Python
//! `RedisCluster` / `oxredis.asyncio.RedisCluster`, built from one `ClusterOptions`. Routing, redirects, retries and the combination of several nodes'
//! replies are the core's; this module packs arguments (`args.rs`) and shapes replies
//! (`reply.rs`) as the standalone client does, and gives the per-node replies redis-py's shape.

use std::sync::{Mutex, MutexGuard};

use oxredis::blocking::ClusterScanIter as CoreScanIter;
use oxredis::cluster::{
    ClusterBuilder, ClusterNode, LoadBalancingStrategy, NodeFlag, NodeReplies, ServerType,
    TargetNodes,
};
use oxredis::commands::Aggregate;
use oxredis::{Addr, Cmd, RedisCluster, ScanOptions, Value};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyString, PyTuple};

use crate::args::{arg_bytes, build_cmd};
use crate::bridge::{finish, Completer};
use crate::client::{backoff, results_to_list, Client, RetrySpec};
use crate::codec::Decode;
use crate::errors::{named_error, to_pyerr};
use crate::pubsub::{AsyncPubSubConn, PubSubConn};
use crate::queue::CommandQueue;
use crate::reply::{raw, shaped, Shape};

/// A node as Python sees it: `(host, port, server_type)`, the type `"primary"`, `"replica"` or
/// `None` (a node the slot map does not list).
type NodeTuple = (String, u16, Option<&'static str>);

fn node_tuple(node: ClusterNode) -> NodeTuple {
    let role = node.server_type.map(|t| match t {
        ServerType::Primary => "primary",
        ServerType::Replica => "replica",
    });
    (node.host, node.port, role)
}

fn node_list(nodes: Vec<ClusterNode>) -> Vec<NodeTuple> {
    nodes.into_iter().map(node_tuple).collect()
}

/// A redis-py node flag (`RedisCluster.PRIMARIES`...) by its value.
fn node_flag(py: Python<'_>, name: &str) -> PyResult<NodeFlag> {
    Ok(match name {
        "primaries" => NodeFlag::Primaries,
        "replicas" => NodeFlag::Replicas,
        "all" => NodeFlag::AllNodes,
        "random" => NodeFlag::Random,
        "default-node" => NodeFlag::DefaultNode,
        other => {
            return Err(named_error(
                py,
                "RedisClusterException",
                &format!("unknown node flag {other:?}"),
            ))
        }
    })
}

/// `target_nodes` as the Python package passes it: a node flag's value, or a list of
/// `(host, port)`.
fn targets(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<TargetNodes> {
    if let Ok(flag) = obj.downcast::<PyString>() {
        return Ok(TargetNodes::Flag(node_flag(py, &flag.to_cow()?)?));
    }
    let mut nodes: Vec<ClusterNode> = obj
        .extract::<Vec<(String, u16)>>()?
        .into_iter()
        .map(|(host, port)| ClusterNode::new(host, port))
        .collect();
    Ok(match nodes.len() {
        1 => TargetNodes::Node(nodes.remove(0)),
        _ => TargetNodes::Nodes(nodes),
    })
}

/// Whether redis-py returns `{node name: reply}` for `cmd` sent to several nodes although the
/// core combines its replies into one flag or value (its Rust method returns one `bool` or
/// name): FLUSHALL, FLUSHDB and the FUNCTION writes, which redis-py's `RESULT_CALLBACKS` do not
/// combine.
fn per_node_in_redis_py(cmd: &Cmd) -> bool {
    let mut args = cmd.args();
    let first = args.next().unwrap_or_default();
    if first.eq_ignore_ascii_case(b"FLUSHALL") || first.eq_ignore_ascii_case(b"FLUSHDB") {
        return true;
    }
    first.eq_ignore_ascii_case(b"FUNCTION")
        && args.next().is_some_and(|sub| {
            [&b"LOAD"[..], b"DELETE", b"FLUSH", b"RESTORE"]
                .iter()
                .any(|w| sub.eq_ignore_ascii_case(w))
        })
}

/// How one reply becomes its Python value: its shape, `decode_responses`, and the Python
/// function applied to the shaped reply (a response callback, LASTSAVE's `datetime`...), which
/// redis-py applies to each node's reply before combining them.
#[derive(Clone, Copy)]
struct Shaping<'a, 'py> {
    shape: Shape,
    decode: Decode,
    post: Option<&'a Bound<'py, PyAny>>,
}

impl Shaping<'_, '_> {
    fn apply(&self, py: Python<'_>, v: Value) -> PyResult<PyObject> {
        let obj = shaped(py, v, self.shape, self.decode)?;
        self.post_of(obj)
    }

    fn post_of(&self, obj: PyObject) -> PyResult<PyObject> {
        match self.post {
            Some(post) => Ok(post.call1((obj,))?.unbind()),
            None => Ok(obj),
        }
    }
}

/// `{node name: shaped reply}`, or the one node's shaped reply (redis-py's `_process_result`
/// without a result callback).
fn per_node(
    py: Python<'_>,
    replies: Vec<(ClusterNode, Value)>,
    how: Shaping<'_, '_>,
) -> PyResult<PyObject> {
    if replies.len() == 1 {
        let v = replies.into_iter().next().map_or(Value::Nil, |(_, v)| v);
        return how.apply(py, v);
    }
    let out = PyDict::new(py);
    for (node, v) in replies {
        out.set_item(node.name(), how.apply(py, v)?)?;
    }
    Ok(out.into_any().unbind())
}

/// A cluster SCAN's combined reply `[{node: cursor}, [keys]]` as redis-py's
/// `parse_scan_result` gives it: `({node name: int cursor}, [keys])`.
fn scan_result(py: Python<'_>, v: Value, decode: Decode) -> PyResult<PyObject> {
    let bad = || {
        to_pyerr(
            py,
            &oxredis::Error::new(
                oxredis::ErrorKind::Protocol,
                "unexpected cluster SCAN reply",
            ),
        )
    };
    let Value::Array(items) = v else {
        return Err(bad());
    };
    let mut items = items.into_iter();
    let (Some(Value::Map(cursors)), Some(keys)) = (items.next(), items.next()) else {
        return Err(bad());
    };
    let out = PyDict::new(py);
    for (node, cursor) in cursors {
        let name = node
            .as_bytes()
            .map(String::from_utf8_lossy)
            .ok_or_else(bad)?;
        let cursor = cursor
            .as_bytes()
            .and_then(|c| std::str::from_utf8(c).ok()?.parse::<u64>().ok())
            .ok_or_else(bad)?;
        out.set_item(name, cursor)?;
    }
    let keys = raw(py, keys, decode)?;
    Ok(PyTuple::new(py, [out.into_any().unbind(), keys])?
        .into_any()
        .unbind())
}

/// A command's replies in redis-py's shape: a keyed reply shaped as `shape`; several nodes'
/// replies combined as the command declares where redis-py's `RESULT_CALLBACKS` combine them
/// (DBSIZE summed, KEYS merged, PING/CONFIG SET... as one `bool`, SCAN's cursors per node),
/// else `{node name: reply}`.
fn shape_replies(
    py: Python<'_>,
    replies: NodeReplies,
    how: Shaping<'_, '_>,
    per_node_cmd: bool,
) -> PyResult<PyObject> {
    let (node_replies, aggregate) = match replies {
        NodeReplies::Keyed(v) => return how.apply(py, v),
        NodeReplies::Nodes { replies, aggregate } => (replies, aggregate),
    };
    if aggregate == Aggregate::PerNode || per_node_cmd {
        return per_node(py, node_replies, how);
    }
    let combined = NodeReplies::Nodes {
        replies: node_replies,
        aggregate,
    }
    .combine_all()
    .map_err(|e| to_pyerr(py, &e))?;
    match aggregate {
        Aggregate::Scan => how.post_of(scan_result(py, combined, how.decode)?),
        // redis-py: `all(res.values())`, a bool.
        Aggregate::AllOk => {
            let ok = how.apply(py, combined)?.bind(py).is_truthy()?;
            Ok(PyBool::new(py, ok).to_owned().into_any().unbind())
        }
        _ => how.apply(py, combined),
    }
}

/// SCAN's MATCH, COUNT and TYPE options from `scan_iter`'s arguments.
fn scan_options(
    pattern: Option<&Bound<'_, PyAny>>,
    count: Option<u64>,
    type_: Option<String>,
    decode: Decode,
) -> PyResult<ScanOptions> {
    let mut options = ScanOptions::default();
    if let Some(p) = pattern {
        options = options.pattern(arg_bytes(p, decode.enc)?);
    }
    if let Some(c) = count {
        options = options.count(c);
    }
    if let Some(t) = type_ {
        options = options.type_(t);
    }
    Ok(options)
}

/// The hash slot of one command (`None` for a keyless one), as redis-py's
/// `determine_slot` checks it: keys in several slots raise `RedisClusterException`
/// ("... - all keys must map to the same key slot").
fn one_command_slot(py: Python<'_>, cmd: &Cmd) -> PyResult<Option<u16>> {
    oxredis::cluster::command_slot(cmd).map_err(|e| {
        if e.kind() == oxredis::ErrorKind::CrossSlot {
            let name = cmd.args().next().unwrap_or_default();
            named_error(
                py,
                "RedisClusterException",
                &format!(
                    "{} - all keys must map to the same key slot",
                    String::from_utf8_lossy(name).to_uppercase()
                ),
            )
        } else {
            to_pyerr(py, &e)
        }
    })
}

/// The distinct slots of a pipeline's queued commands, in order of first use (keyless commands
/// add none).
fn queued_slots(py: Python<'_>, queue: &Bound<'_, CommandQueue>) -> PyResult<Vec<u16>> {
    let queue = queue.borrow();
    let mut slots: Vec<u16> = Vec::new();
    for cmd in queue.commands() {
        if let Some(slot) = one_command_slot(py, cmd)? {
            if !slots.contains(&slot) {
                slots.push(slot);
            }
        }
    }
    Ok(slots)
}

/// The exception for a failed cluster pipeline: keys in several slots of a transaction are
/// redis-py's `CrossSlotTransactionError`.
fn pipeline_error(py: Python<'_>, e: &oxredis::Error, transaction: bool) -> PyErr {
    if transaction && e.kind() == oxredis::ErrorKind::CrossSlot && e.server_error().is_none() {
        // redis-py's words.
        named_error(
            py,
            "CrossSlotTransactionError",
            "All keys involved in a cluster transaction must map to the same slot",
        )
    } else {
        to_pyerr(py, e)
    }
}

/// A redis-py `LoadBalancingStrategy` by its value.
fn strategy(py: Python<'_>, name: &str) -> PyResult<LoadBalancingStrategy> {
    Ok(match name {
        "round_robin" => LoadBalancingStrategy::RoundRobin,
        "round_robin_replicas" => LoadBalancingStrategy::RoundRobinReplicas,
        "random_replica" => LoadBalancingStrategy::RandomReplica,
        other => {
            return Err(named_error(
                py,
                "RedisClusterException",
                &format!("unknown load balancing strategy {other:?}"),
            ))
        }
    })
}

/// redis-py's `address_remap((host, port)) -> (host, port)` for one address the cluster
/// announced; the address as announced when the function fails or returns something else (its
/// error is printed as an unraisable exception: it runs on the client's own threads).
fn remapped(remap: &Py<PyAny>, host: &str, port: u16) -> (String, u16) {
    Python::with_gil(|py| {
        match remap
            .call1(py, ((host, port),))
            .and_then(|r| r.extract::<(String, u16)>(py))
        {
            Ok(addr) => addr,
            Err(e) => {
                e.write_unraisable(py, Some(remap.bind(py)));
                (host.to_owned(), port)
            }
        }
    })
}

/// The settings of a Python `RedisCluster`, parsed once (no I/O): they build the blocking
/// client ([`ClusterClient`]) or the async one ([`AsyncClusterClient`]).
#[pyclass(module = "oxredis._native", frozen)]
pub(crate) struct ClusterOptions {
    builder: ClusterBuilder,
    decode: Decode,
    protocol: u8,
}

#[pymethods]
impl ClusterOptions {
    /// Every node connection takes the settings of `client`, a `Client` built from the same
    /// keywords (`Client::new` parses them; its own pool stays unused). `startup_nodes` are
    /// `(host, port)`; with `client_node` the client's own address (its URL's) is one too.
    /// `retry`, when given, sets the retries and the backoff of the cluster's own retries in
    /// place of `cluster_error_retry_attempts`, as in redis-py.
    #[new]
    #[pyo3(signature = (client, startup_nodes, client_node=false, cluster_error_retry_attempts=3,
        reinitialize_steps=5, read_from_replicas=false, load_balancing_strategy=None,
        require_full_coverage=true, retry=None, address_remap=None))]
    #[expect(clippy::too_many_arguments, reason = "redis-py's keyword arguments")]
    fn new(
        py: Python<'_>,
        client: &Client,
        startup_nodes: Vec<(String, u16)>,
        client_node: bool,
        cluster_error_retry_attempts: u32,
        reinitialize_steps: u32,
        read_from_replicas: bool,
        load_balancing_strategy: Option<&str>,
        require_full_coverage: bool,
        retry: Option<RetrySpec>,
        address_remap: Option<Py<PyAny>>,
    ) -> PyResult<Self> {
        let config = client.config().clone();
        let cluster_error = |msg: &str| named_error(py, "RedisClusterException", msg);
        if config.db != 0 {
            return Err(cluster_error(
                "A ``db`` querystring option can only be 0 in cluster mode",
            ));
        }
        let mut b = ClusterBuilder::default()
            .connection_config(config.clone())
            .reinitialize_steps(reinitialize_steps)
            .require_full_coverage(require_full_coverage)
            .read_from_replicas(read_from_replicas);
        if client_node {
            match &config.addr {
                Addr::Tcp { host, port } => b = b.node(host.clone(), *port),
                _ => {
                    return Err(cluster_error(
                        "RedisCluster does not currently support Unix Domain Socket connections",
                    ))
                }
            }
        }
        b = b.startup_nodes(
            startup_nodes
                .into_iter()
                .map(|(host, port)| ClusterNode::new(host, port)),
        );
        if let Some(remap) = address_remap.filter(|f| !f.is_none(py)) {
            b = b.address_remap(move |host, port| remapped(&remap, host, port));
        }
        if let Some(name) = load_balancing_strategy {
            b = b.load_balancing_strategy(strategy(py, name)?);
        }
        b = match retry {
            Some((kind, cap, base, retries, _)) => b
                .backoff(backoff(&kind, cap, base)?)
                .cluster_error_retry_attempts(u32::try_from(retries).unwrap_or(u32::MAX)),
            None => b.cluster_error_retry_attempts(cluster_error_retry_attempts),
        };
        Ok(ClusterOptions {
            builder: b,
            decode: client.decode(),
            protocol: client.protocol(),
        })
    }
}

/// The Rust cluster client of one Python `RedisCluster`, and whether replies are decoded.
#[pyclass(module = "oxredis._native", frozen)]
pub(crate) struct ClusterClient {
    inner: RedisCluster,
    decode: Decode,
    protocol: u8,
}

#[pymethods]
impl ClusterClient {
    /// Connects to the cluster of `options`: the slot map is fetched now, with the GIL
    /// released.
    #[new]
    fn new(py: Python<'_>, options: &ClusterOptions) -> PyResult<Self> {
        let b = options.builder.clone();
        let inner = py
            .allow_threads(|| b.build())
            .map_err(|e| to_pyerr(py, &e))?;
        Ok(ClusterClient {
            inner,
            decode: options.decode,
            protocol: options.protocol,
        })
    }

    /// Whether bulk replies become `str`.
    #[getter]
    fn decode_responses(&self) -> bool {
        self.decode.on
    }

    /// redis-py's `legacy_responses`: `False` for its unified reply shapes.
    #[getter]
    fn legacy_responses(&self) -> bool {
        self.decode.legacy
    }

    /// redis-py's `encoding`: the codec of `str` arguments and decoded replies.
    #[getter]
    fn encoding(&self) -> &'static str {
        crate::codec::name(self.decode.enc)
    }

    /// redis-py's `encoding_errors`.
    #[getter]
    fn encoding_errors(&self) -> &'static str {
        crate::codec::errors(self.decode.enc)
    }

    /// The protocol spoken: 2 or 3.
    #[getter]
    fn protocol(&self) -> u8 {
        self.protocol
    }

    /// Sends one command (`args[0]` is its name) where `targets` say (a node flag's value or
    /// a list of `(host, port)`), or where the command's declaration routes it, and returns
    /// its reply in `shape`, `post` applied to each node's (several nodes' replies as
    /// redis-py gives them). The GIL is released while the cluster works.
    #[pyo3(signature = (args, shape, targets=None, post=None))]
    fn execute(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        shape: u8,
        targets: Option<&Bound<'_, PyAny>>,
        post: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyObject> {
        let cmd = build_cmd(args, self.decode.enc)?;
        let targets = match targets {
            Some(t) if !t.is_none() => Some(self::targets(py, t)?),
            _ => None,
        };
        let per_node_cmd = per_node_in_redis_py(&cmd);
        let inner = &self.inner;
        let replies = py
            .allow_threads(|| inner.run_per_node(cmd, targets.as_ref()))
            .map_err(|e| to_pyerr(py, &e))?;
        let how = Shaping {
            shape: Shape::from_u8(shape),
            decode: self.decode,
            post: post.filter(|p| !p.is_none()),
        };
        shape_replies(py, replies, how, per_node_cmd)
    }

    /// Sends `commands` (the pipeline's queued commands, taken from it), grouped per node,
    /// and returns one value per command in order; as MULTI/EXEC on the one slot's primary
    /// when `transaction` (keys in several slots: `CrossSlotTransactionError`). A command's
    /// error is raised (the first) when `raise_on_error`, else returned in its place.
    fn execute_pipeline(
        &self,
        py: Python<'_>,
        commands: &Bound<'_, CommandQueue>,
        transaction: bool,
        raise_on_error: bool,
    ) -> PyResult<PyObject> {
        let mut pipe = self.inner.pipeline().transaction(transaction);
        let (cmds, shapes) = commands.borrow_mut().take()?;
        for cmd in cmds {
            pipe.queue(cmd);
        }
        let results = py
            .allow_threads(|| pipe.execute_raw())
            .map_err(|e| pipeline_error(py, &e, transaction))?;
        results_to_list(py, results, shapes, self.decode, raise_on_error)
    }

    /// MGET per slot of `keys` (any slots), the values in the order of `keys`.
    fn mget_nonatomic(&self, py: Python<'_>, keys: &Bound<'_, PyTuple>) -> PyResult<PyObject> {
        let keys = build_cmd(keys, self.decode.enc)?;
        let inner = &self.inner;
        let v = py
            .allow_threads(|| inner.mget_nonatomic::<Value>(keys))
            .map_err(|e| to_pyerr(py, &e))?;
        raw(py, v, self.decode)
    }

    /// MSET per slot of the flat `key, value, ...` arguments.
    fn mset_nonatomic(&self, py: Python<'_>, pairs: &Bound<'_, PyTuple>) -> PyResult<bool> {
        let pairs = build_cmd(pairs, self.decode.enc)?;
        let inner = &self.inner;
        py.allow_threads(|| inner.mset_nonatomic(pairs))
            .map_err(|e| to_pyerr(py, &e))
    }

    /// An iterator over every key of every primary (SCAN ... MATCH/COUNT/TYPE).
    #[pyo3(signature = (pattern=None, count=None, type_=None))]
    fn scan_iter(
        &self,
        pattern: Option<&Bound<'_, PyAny>>,
        count: Option<u64>,
        type_: Option<String>,
    ) -> PyResult<ClusterScanIter> {
        Ok(ClusterScanIter {
            inner: Mutex::new(self.inner.scan_iter(scan_options(
                pattern,
                count,
                type_,
                self.decode,
            )?)),
            decode: self.decode,
        })
    }

    /// The hash slot of `key` (bytes as sent: `str` as UTF-8, numbers as text).
    fn keyslot(&self, key: &Bound<'_, PyAny>) -> PyResult<u16> {
        Ok(oxredis::cluster::key_slot(arg_bytes(key, self.decode.enc)?))
    }

    /// The hash slot of the command `args` (`None` for a keyless one); keys in several slots
    /// raise `RedisClusterException`.
    fn command_slot(&self, py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<Option<u16>> {
        one_command_slot(py, &build_cmd(args, self.decode.enc)?)
    }

    /// The distinct slots of a pipeline's queued commands (left queued).
    fn queued_slots(&self, py: Python<'_>, queue: &Bound<'_, CommandQueue>) -> PyResult<Vec<u16>> {
        queued_slots(py, queue)
    }

    /// Every node of the slot map, primaries first.
    fn get_nodes(&self) -> Vec<NodeTuple> {
        node_list(self.inner.get_nodes())
    }

    /// Every primary.
    fn get_primaries(&self) -> Vec<NodeTuple> {
        node_list(self.inner.get_primaries())
    }

    /// Every replica.
    fn get_replicas(&self) -> Vec<NodeTuple> {
        node_list(self.inner.get_replicas())
    }

    /// The node at `host:port`, if the slot map has it.
    fn get_node(&self, host: &str, port: u16) -> Option<NodeTuple> {
        self.inner.get_node(host, port).map(node_tuple)
    }

    /// The nodes of `slot`'s shard, the primary first (empty when no node serves it).
    fn slot_nodes(&self, slot: u16) -> Vec<NodeTuple> {
        node_list(self.inner.slot_nodes(slot))
    }

    /// The node keyless commands go to by default.
    fn get_default_node(&self) -> NodeTuple {
        node_tuple(self.inner.get_default_node())
    }

    /// Makes `host:port` the default node; `False` when the slot map does not have it.
    fn set_default_node(&self, host: String, port: u16) -> bool {
        self.inner.set_default_node(&ClusterNode::new(host, port))
    }

    /// Reads go to replicas too from now on (their connections send READONLY).
    fn readonly(&self) {
        self.inner.readonly();
    }

    /// Reads go to primaries only from now on.
    fn readwrite(&self) {
        self.inner.readwrite();
    }

    /// A pub/sub session on the default node, or on `node` (`(host, port)`); it connects on
    /// first use.
    #[pyo3(signature = (node=None))]
    fn pubsub(&self, node: Option<(String, u16)>) -> PubSubConn {
        let inner = match node {
            Some((host, port)) => self.inner.pubsub_on(&ClusterNode::new(host, port)),
            None => self.inner.pubsub(),
        };
        PubSubConn::new(inner, self.decode)
    }

    /// A pub/sub session for the shard channels of `channel`'s slot, on the primary serving
    /// it; it follows the slot when it moves (SSUBSCRIBE there).
    fn sharded_pubsub(&self, py: Python<'_>, channel: &Bound<'_, PyAny>) -> PyResult<PubSubConn> {
        let channel = arg_bytes(channel, self.decode.enc)?;
        let inner = self
            .inner
            .sharded_pubsub(channel)
            .map_err(|e| to_pyerr(py, &e))?;
        Ok(PubSubConn::new(inner, self.decode))
    }
}

/// The keys of every primary, one SCAN page at a time (`ClusterClient.scan_iter`).
#[pyclass(module = "oxredis._native", frozen)]
pub(crate) struct ClusterScanIter {
    inner: Mutex<CoreScanIter<Value>>,
    decode: Decode,
}

impl ClusterScanIter {
    /// The iterator (not shared between threads).
    fn lock(&self) -> PyResult<MutexGuard<'_, CoreScanIter<Value>>> {
        crate::client::lock_unshared(&self.inner, "the scan iterator")
    }
}

#[pymethods]
impl ClusterScanIter {
    /// The iterator itself.
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// The next key (SCAN pages are fetched as needed, the GIL released).
    fn __next__(&self, py: Python<'_>) -> PyResult<Option<PyObject>> {
        let mut guard = self.lock()?;
        let iter = &mut *guard;
        match py.allow_threads(|| iter.next()) {
            None => Ok(None),
            Some(Ok(v)) => raw(py, v, self.decode).map(Some),
            Some(Err(e)) => Err(to_pyerr(py, &e)),
        }
    }
}

/// The async Rust cluster client (tokio) of one Python `oxredis.asyncio.RedisCluster`: each
/// call packs its command at once and spawns a tokio task that resolves an asyncio future
/// through the loop's [`Completer`], as `AsyncClient` does. The slot map is fetched on the
/// first command (or `initialize`).
#[pyclass(module = "oxredis._native", frozen)]
pub(crate) struct AsyncClusterClient {
    inner: oxredis::aio::RedisCluster,
    decode: Decode,
    protocol: u8,
}

#[pymethods]
impl AsyncClusterClient {
    /// The client of `options` (nothing is opened until the first command).
    #[new]
    fn new(py: Python<'_>, options: &ClusterOptions) -> PyResult<Self> {
        let inner = options
            .builder
            .clone()
            .build_async()
            .map_err(|e| to_pyerr(py, &e))?;
        Ok(AsyncClusterClient {
            inner,
            decode: options.decode,
            protocol: options.protocol,
        })
    }

    /// Whether bulk replies become `str`.
    #[getter]
    fn decode_responses(&self) -> bool {
        self.decode.on
    }

    /// redis-py's `legacy_responses`: `False` for its unified reply shapes.
    #[getter]
    fn legacy_responses(&self) -> bool {
        self.decode.legacy
    }

    /// redis-py's `encoding`: the codec of `str` arguments and decoded replies.
    #[getter]
    fn encoding(&self) -> &'static str {
        crate::codec::name(self.decode.enc)
    }

    /// redis-py's `encoding_errors`.
    #[getter]
    fn encoding_errors(&self) -> &'static str {
        crate::codec::errors(self.decode.enc)
    }

    /// The protocol spoken: 2 or 3.
    #[getter]
    fn protocol(&self) -> u8 {
        self.protocol
    }

    /// Fetches the slot map now; `None` resolves `fut`.
    fn initialize(&self, fut: Bound<'_, PyAny>, completer: &Completer) -> PyResult<()> {
        let inner = self.inner.clone();
        completer.spawn(fut, async move {
            let done = inner.initialize().await;
            finish(done, |py, ()| Ok(py.None()))
        })
    }

    /// As `ClusterClient.execute`; the reply resolves `fut` through `completer`.
    #[pyo3(signature = (args, shape, targets, fut, completer, post=None))]
    #[expect(
        clippy::too_many_arguments,
        reason = "the command, its shaping and its future"
    )]
    fn execute(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        shape: u8,
        targets: Option<&Bound<'_, PyAny>>,
        fut: Bound<'_, PyAny>,
        completer: &Completer,
        post: Option<Py<PyAny>>,
    ) -> PyResult<()> {
        let cmd = build_cmd(args, self.decode.enc)?;
        let targets = match targets {
            Some(t) if !t.is_none() => Some(self::targets(py, t)?),
            _ => None,
        };
        let per_node_cmd = per_node_in_redis_py(&cmd);
        let (inner, decode, shape) = (self.inner.clone(), self.decode, Shape::from_u8(shape));
        completer.spawn(fut, async move {
            let replies = inner.run_per_node(cmd, targets).await;
            finish(replies, move |py, r| {
                let post = post.map(|p| p.into_bound(py)).filter(|p| !p.is_none());
                let how = Shaping {
                    shape,
                    decode,
                    post: post.as_ref(),
                };
                shape_replies(py, r, how, per_node_cmd)
            })
        })
    }

    /// As `ClusterClient.execute_pipeline`; the results resolve `fut`.
    fn execute_pipeline(
        &self,
        commands: &Bound<'_, CommandQueue>,
        transaction: bool,
        raise_on_error: bool,
        fut: Bound<'_, PyAny>,
        completer: &Completer,
    ) -> PyResult<()> {
        let mut pipe = self.inner.pipeline().transaction(transaction);
        let (cmds, shapes) = commands.borrow_mut().take()?;
        for cmd in cmds {
            pipe.queue(cmd);
        }
        let decode = self.decode;
        completer.spawn(fut, async move {
            let results = pipe.execute_raw().await;
            Box::new(move |py: Python<'_>| match results {
                Ok(results) => results_to_list(py, results, shapes, decode, raise_on_error),
                Err(e) => Err(pipeline_error(py, &e, transaction)),
            }) as crate::bridge::Finish
        })
    }

    /// As `ClusterClient.mget_nonatomic`; the values resolve `fut`.
    fn mget_nonatomic(
        &self,
        keys: &Bound<'_, PyTuple>,
        fut: Bound<'_, PyAny>,
        completer: &Completer,
    ) -> PyResult<()> {
        let keys = build_cmd(keys, self.decode.enc)?;
        let (inner, decode) = (self.inner.clone(), self.decode);
        completer.spawn(fut, async move {
            let values = inner.mget_nonatomic::<Value>(keys).await;
            finish(values, move |py, v| raw(py, v, decode))
        })
    }

    /// As `ClusterClient.mset_nonatomic`; `True` resolves `fut`.
    fn mset_nonatomic(
        &self,
        pairs: &Bound<'_, PyTuple>,
        fut: Bound<'_, PyAny>,
        completer: &Completer,
    ) -> PyResult<()> {
        let pairs = build_cmd(pairs, self.decode.enc)?;
        let inner = self.inner.clone();
        completer.spawn(fut, async move {
            let done = inner.mset_nonatomic(pairs).await;
            finish(done, |py, ok| {
                Ok(PyBool::new(py, ok).to_owned().into_any().unbind())
            })
        })
    }

    /// An async iterator over every key of every primary (SCAN ... MATCH/COUNT/TYPE).
    #[pyo3(signature = (pattern=None, count=None, type_=None))]
    fn scan_iter(
        &self,
        pattern: Option<&Bound<'_, PyAny>>,
        count: Option<u64>,
        type_: Option<String>,
    ) -> PyResult<AsyncClusterScanIter> {
        Ok(AsyncClusterScanIter {
            inner: std::sync::Arc::new(tokio::sync::Mutex::new(
                self.inner
                    .scan_iter(scan_options(pattern, count, type_, self.decode)?),
            )),
            decode: self.decode,
        })
    }

    /// The hash slot of `key`.
    fn keyslot(&self, key: &Bound<'_, PyAny>) -> PyResult<u16> {
        Ok(oxredis::cluster::key_slot(arg_bytes(key, self.decode.enc)?))
    }

    /// The hash slot of the command `args` (`None` for a keyless one); keys in several slots
    /// raise `RedisClusterException`.
    fn command_slot(&self, py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<Option<u16>> {
        one_command_slot(py, &build_cmd(args, self.decode.enc)?)
    }

    /// The distinct slots of a pipeline's queued commands (left queued).
    fn queued_slots(&self, py: Python<'_>, queue: &Bound<'_, CommandQueue>) -> PyResult<Vec<u16>> {
        queued_slots(py, queue)
    }

    /// An async pub/sub session on `node` (`(host, port)`); it connects on first use.
    fn pubsub(&self, node: (String, u16)) -> AsyncPubSubConn {
        let inner = self.inner.pubsub_on(&ClusterNode::new(node.0, node.1));
        AsyncPubSubConn::from_pubsub(inner, self.decode)
    }

    /// An async pub/sub session for the shard channels of `channel`'s slot, on the primary
    /// serving it (it follows the slot when it moves); resolves `fut`.
    fn sharded_pubsub(
        &self,
        channel: &Bound<'_, PyAny>,
        fut: Bound<'_, PyAny>,
        completer: &Completer,
    ) -> PyResult<()> {
        let channel = arg_bytes(channel, self.decode.enc)?;
        let (inner, decode) = (self.inner.clone(), self.decode);
        completer.spawn(fut, async move {
            let session = inner.sharded_pubsub(channel).await;
            finish(session, move |py, p| {
                Ok(Py::new(py, AsyncPubSubConn::from_pubsub(p, decode))?.into_any())
            })
        })
    }

    /// Every node of the slot map (empty before it is fetched), primaries first.
    fn get_nodes(&self) -> Vec<NodeTuple> {
        node_list(self.inner.get_nodes())
    }

    /// Every primary.
    fn get_primaries(&self) -> Vec<NodeTuple> {
        node_list(self.inner.get_primaries())
    }

    /// Every replica.
    fn get_replicas(&self) -> Vec<NodeTuple> {
        node_list(self.inner.get_replicas())
    }

    /// The node at `host:port`, if the slot map has it.
    fn get_node(&self, host: &str, port: u16) -> Option<NodeTuple> {
        self.inner.get_node(host, port).map(node_tuple)
    }

    /// The nodes of `slot`'s shard, the primary first.
    fn slot_nodes(&self, slot: u16) -> Vec<NodeTuple> {
        node_list(self.inner.slot_nodes(slot))
    }

    /// The node keyless commands go to by default.
    fn get_default_node(&self) -> NodeTuple {
        node_tuple(self.inner.get_default_node())
    }

    /// Makes `host:port` the default node; `False` when the slot map does not have it.
    fn set_default_node(&self, host: String, port: u16) -> bool {
        self.inner.set_default_node(&ClusterNode::new(host, port))
    }

    /// Reads go to replicas too from now on.
    fn readonly(&self) {
        self.inner.readonly();
    }

    /// Reads go to primaries only from now on.
    fn readwrite(&self) {
        self.inner.readwrite();
    }
}

/// The keys of every primary for `async for` (`AsyncClusterClient.scan_iter`).
#[pyclass(module = "oxredis._native", frozen)]
pub(crate) struct AsyncClusterScanIter {
    inner: std::sync::Arc<tokio::sync::Mutex<oxredis::aio::ClusterScanStream<Value>>>,
    decode: Decode,
}

#[pymethods]
impl AsyncClusterScanIter {
    /// The next key resolves `fut`, or `None` at the end.
    fn next(&self, fut: Bound<'_, PyAny>, completer: &Completer) -> PyResult<()> {
        let (inner, decode) = (self.inner.clone(), self.decode);
        completer.spawn(fut, async move {
            let item = inner.lock().await.next().await;
            finish(item.transpose(), move |py, key| match key {
                Some(v) => raw(py, v, decode),
                None => Ok(py.None()),
            })
        })
    }
}
