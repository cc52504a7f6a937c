"""``oxredis.cluster``: redis-py's ``RedisCluster`` over oxredis's Rust cluster client.

The slot map, routing (by the command table of the Rust core), MOVED/ASK redirects, retries
after ``CLUSTERDOWN`` or a lost node, and the combination of replies from several nodes all
happen in Rust (``_native.ClusterClient``). The command methods are the very ones of
``oxredis.Redis`` (``CoreCommands``); this module adds redis-py's cluster API around them:
``ClusterNode``, node flags and ``target_nodes=``, ``mget_nonatomic``/``mset_nonatomic``,
``scan_iter`` over every primary, ``ClusterPipeline`` and ``ClusterPubSub``.
"""

from __future__ import annotations

import functools
import inspect
import random
import socket
import threading
import time
import urllib.parse
from enum import Enum
from typing import Any, Iterator, Optional

from . import _native
from .client import (
    CLUSTER_COMMAND_POSTS,
    CLUSTER_COMMAND_SHAPES,
    RAW,
    CoreCommands,
    Pipeline,
    Redis,
    _command_name,
    _list_or_args,
    _ResponseCallbacks,
)
from .connection import ConnectionPool, _url_kwargs
from .exceptions import (
    AskError,
    CrossSlotTransactionError,
    DataError,
    ExecAbortError,
    MovedError,
    RedisClusterException,
    RedisError,
    SlotNotCoveredError,
    WatchError,
)
from .pubsub import PubSub

PRIMARY = "primary"
REPLICA = "replica"


def get_node_name(host: str, port) -> str:
    """``host:port``, a node's name."""
    return f"{host}:{port}"


class ClusterNode:
    """A cluster node (redis-py's ``ClusterNode``): ``host``, ``port``, ``name``
    (``host:port``), ``server_type`` (``"primary"``, ``"replica"`` or ``None``) and, for the
    nodes a ``RedisCluster`` hands out, ``redis_connection``: a ``Redis`` client of that one
    node (connected on first use). Nodes are equal when their names are."""

    def __init__(self, host, port, server_type=None, redis_connection=None):
        if host == "localhost":
            host = socket.gethostbyname(host)
        self.host = host
        self.port = int(port)
        self.name = get_node_name(host, self.port)
        self.server_type = server_type
        self.redis_connection = redis_connection

    def __repr__(self) -> str:
        return (f"[host={self.host},port={self.port},name={self.name},"
                f"server_type={self.server_type},redis_connection={self.redis_connection}]")

    def __eq__(self, other) -> bool:
        return isinstance(other, ClusterNode) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)


class LoadBalancingStrategy(Enum):
    """Which node of a shard serves reads (redis-py's ``load_balancing_strategy``)."""

    ROUND_ROBIN = "round_robin"
    ROUND_ROBIN_REPLICAS = "round_robin_replicas"
    RANDOM_REPLICA = "random_replica"


class _Targeted(CoreCommands):
    """A ``RedisCluster``'s command methods sent to chosen nodes: what a method called with
    ``target_nodes=`` runs on (its ``_cmd`` passes the targets to the Rust client, with the
    client's response callback as the command's ``post``)."""

    _COMMAND_SHAPES = CLUSTER_COMMAND_SHAPES
    _COMMAND_POSTS = CLUSTER_COMMAND_POSTS

    def __init__(self, execute, targets, callbacks):
        self._execute = execute
        self._targets = targets
        self._callbacks = callbacks

    def _cmd(self, shape, *args):
        callback = self._callbacks.get(_command_name(args)) if self._callbacks else None
        if callback is not None:
            return self._execute(args, RAW, self._targets, callback)
        return self._execute(args, shape, self._targets)

    def _cmd_post(self, post, shape, *args):
        # As redis-py applies a response callback: to each node's reply.
        return self._execute(args, shape, self._targets, post)


def _with_target_nodes(method):
    """``method`` taking redis-py's ``target_nodes=`` keyword (a node flag, a ``ClusterNode``,
    a list of them or a dict of them)."""

    @functools.wraps(method)
    def call(self, *args, target_nodes=None, **kwargs):
        if target_nodes is None:
            return method(self, *args, **kwargs)
        return method(self._targeted(self._target_spec(target_nodes)), *args, **kwargs)

    return call


class _ClusterBase:
    """What the blocking and asyncio ``RedisCluster`` share: node flags, settings, the
    ``ClusterNode`` accessors and ``keyslot`` (none of which does I/O)."""

    RedisClusterRequestTTL = 16

    PRIMARIES = "primaries"
    REPLICAS = "replicas"
    ALL_NODES = "all"
    RANDOM = "random"
    DEFAULT_NODE = "default-node"

    NODE_FLAGS = {PRIMARIES, REPLICAS, ALL_NODES, RANDOM, DEFAULT_NODE}

    # The standalone client of one node (`ClusterNode.redis_connection`).
    _redis_class = Redis

    @classmethod
    def from_url(cls, url: str, **kwargs: Any):
        """A client from ``redis://[[user]:password@]host[:port][/0]`` or ``rediss://``, the
        URL's node a start-up node; keyword arguments win over the URL."""
        return cls(url=url, **kwargs)

    def _options(self, host, port, startup_nodes, cluster_error_retry_attempts, retry,
                 require_full_coverage, reinitialize_steps, read_from_replicas,
                 load_balancing_strategy, url, address_remap, cache, cache_config,
                 kwargs) -> "_native.ClusterOptions":
        """Checks redis-py's constructor arguments and parses them into the Rust client's
        settings (no I/O)."""
        if "db" in kwargs:
            raise RedisClusterException("Argument 'db' is not possible to use in cluster mode")
        if cache is not None or cache_config is not None:
            # Every node gets a cache of these settings (kept true by that node's
            # invalidations); the nodes' settings come from the pool below.
            from .cache import _client_cache

            kwargs["cache_config"] = _client_cache(cache_config, cache).config
        startup_nodes = list(startup_nodes or [])
        if url is not None:
            if url.startswith("unix://"):
                raise RedisClusterException(
                    "RedisCluster does not currently support Unix Domain Socket connections")
            kwargs = _url_kwargs(url, kwargs)
        elif host is not None and port is not None:
            startup_nodes.append(ClusterNode(host, port))
        elif not startup_nodes:
            raise RedisClusterException(
                "RedisCluster requires at least one node to discover the cluster. Please "
                "provide one of the followings:\n1. host and port, for example:\n "
                "RedisCluster(host='localhost', port=6379)\n2. list of startup nodes, for "
                "example:\n RedisCluster(startup_nodes=[ClusterNode('localhost', 6379), "
                "ClusterNode('localhost', 6378)])")
        if retry is not None:
            kwargs["retry"] = retry
        # Every node's connection settings, parsed as a standalone client's (its own pool
        # stays unused).
        self._url = url
        self._pool = ConnectionPool(_url=url, _explicit=frozenset(kwargs), **kwargs)
        strategy = load_balancing_strategy
        if isinstance(strategy, LoadBalancingStrategy):
            strategy = strategy.value
        self.startup_nodes = startup_nodes
        self.read_from_replicas = read_from_replicas
        self.load_balancing_strategy = load_balancing_strategy
        self.reinitialize_steps = reinitialize_steps
        self.cluster_error_retry_attempts = cluster_error_retry_attempts
        self.retry = retry
        self.response_callbacks = _ResponseCallbacks(self)
        self._nodes: dict = {}
        self._nodes_lock = threading.Lock()
        return _native.ClusterOptions(
            self._pool._native, [(n.host, n.port) for n in startup_nodes],
            client_node=url is not None,
            cluster_error_retry_attempts=int(cluster_error_retry_attempts),
            reinitialize_steps=int(reinitialize_steps),
            read_from_replicas=bool(read_from_replicas),
            load_balancing_strategy=strategy,
            require_full_coverage=bool(require_full_coverage),
            retry=retry._spec() if retry is not None else None,
            address_remap=address_remap,
        )

    def _target_spec(self, target_nodes):
        """``target_nodes`` as the Rust client takes it: a node flag, or ``[(host, port)]``."""
        if isinstance(target_nodes, str) and target_nodes in self.NODE_FLAGS:
            return target_nodes
        if isinstance(target_nodes, ClusterNode):
            nodes = [target_nodes]
        elif isinstance(target_nodes, list):
            nodes = target_nodes
        elif isinstance(target_nodes, dict):
            nodes = list(target_nodes.values())
        else:
            raise TypeError(
                "target_nodes type can be one of the following: node_flag (PRIMARIES, "
                "REPLICAS, RANDOM, ALL_NODES),ClusterNode, list<ClusterNode>, or dict<any, "
                f"ClusterNode>. The passed type is {type(target_nodes)}")
        return [(n.host, n.port) for n in nodes]

    def keyslot(self, key) -> int:
        """The hash slot of ``key`` (CRC16 of the key or of its ``{hash tag}``, mod 16384)."""
        return self._native.keyslot(key)

    def _node(self, spec) -> ClusterNode:
        """The ``ClusterNode`` of a ``(host, port, server_type)`` from the Rust client, one
        object per node (its ``redis_connection`` made once)."""
        host, port, server_type = spec
        name = get_node_name(host, port)
        with self._nodes_lock:
            node = self._nodes.get(name)
            if node is None:
                node = ClusterNode(host, port, server_type)
                node.redis_connection = self._node_client(host, port)
                self._nodes[name] = node
            elif server_type is not None:
                node.server_type = server_type
        return node

    def _node_client(self, host, port):
        """A standalone client of one node, with the cluster's connection settings."""
        kwargs = dict(self._pool.connection_kwargs)
        kwargs.pop("db", None)
        if self._url is not None:
            parts = urllib.parse.urlsplit(self._url)
            userinfo = parts.netloc.rpartition("@")[0]
            where = f"[{host}]" if ":" in host else host
            netloc = f"{userinfo}@{where}:{port}" if userinfo else f"{where}:{port}"
            url = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
            return self._redis_class.from_url(url, **kwargs)
        kwargs.update(host=host, port=port)
        return self._redis_class(**kwargs)

    def get_nodes(self) -> list:
        """Every node of the slot map, primaries first."""
        return [self._node(n) for n in self._native.get_nodes()]

    def get_primaries(self) -> list:
        """Every primary."""
        return [self._node(n) for n in self._native.get_primaries()]

    def get_replicas(self) -> list:
        """Every replica."""
        return [self._node(n) for n in self._native.get_replicas()]

    def get_random_node(self) -> ClusterNode:
        """Any node."""
        return random.choice(self.get_nodes())

    def get_node(self, host=None, port=None, node_name=None) -> Optional[ClusterNode]:
        """The node at ``host``/``port`` or named ``node_name`` (``host:port``), ``None`` when
        the slot map does not have it."""
        if host is not None and port is not None:
            if host == "localhost":
                host = socket.gethostbyname(host)
        elif node_name is not None:
            host, _, port = node_name.rpartition(":")
        else:
            return None
        try:
            port = int(port)
        except ValueError:
            return None
        found = self._native.get_node(host, port)
        return self._node(found) if found is not None else None

    def get_node_from_key(self, key, replica=False) -> Optional[ClusterNode]:
        """The primary of ``key``'s slot, or with ``replica=True`` its first replica (``None``
        when it has none); ``SlotNotCoveredError`` when no node serves the slot."""
        slot = self.keyslot(key)
        nodes = self._native.slot_nodes(slot)
        if not nodes:
            raise SlotNotCoveredError(f'Slot "{slot}" is not covered by the cluster.')
        if replica:
            return self._node(nodes[1]) if len(nodes) > 1 else None
        return self._node(nodes[0])

    def get_default_node(self) -> ClusterNode:
        """The node keyless commands without a declared target go to."""
        return self._node(self._native.get_default_node())

    def set_default_node(self, node) -> bool:
        """Makes ``node`` the default node; ``False`` when it is not in the cluster."""
        if node is None:
            return False
        return self._native.set_default_node(node.host, node.port)

    def get_redis_connection(self, node):
        """A standalone client of ``node`` (its ``redis_connection``)."""
        return self._node((node.host, node.port, node.server_type)).redis_connection

    def get_connection_kwargs(self) -> dict:
        """The keyword arguments of every node's connections."""
        return self._pool.connection_kwargs

    def get_protocol(self) -> int:
        """The RESP version spoken: 2 or 3."""
        return self._native.protocol

    def set_response_callback(self, command: str, callback) -> None:
        """Replaces the reply shaping of ``command`` on this client and its pipelines."""
        self.response_callbacks[command] = callback

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.RedisCluster(protocol={self._native.protocol})>"


class ClusterManagementCommands:
    """redis-py's ``ClusterManagementCommands``: the CLUSTER commands of a ``RedisCluster``
    (blocking or asyncio), each sent to ``target_node(s)`` when given, else where redis-py
    sends it (CLUSTER INFO, NODES, SLOTS, SHARDS, KEYSLOT... to the default node; CLUSTER
    COUNTKEYSINSLOT, GETKEYSINSLOT, DELSLOTS, SETSLOT ... STABLE to the node serving the slot),
    with redis-py's reply shapes; SLAVEOF, REPLICAOF and SWAPDB refused."""

    # The shapes of the commands sent through ``execute_command``: CLUSTER SLOTS, SHARDS and
    # MYSHARDID parsed as redis-py's ``RedisCluster`` parses them.
    _COMMAND_SHAPES = CLUSTER_COMMAND_SHAPES
    _COMMAND_POSTS = CLUSTER_COMMAND_POSTS

    def slaveof(self, *args, **kwargs):
        """Not in cluster mode (``RedisClusterException``), as in redis-py."""
        raise RedisClusterException("SLAVEOF is not supported in cluster mode")

    def replicaof(self, *args, **kwargs):
        """Not in cluster mode (``RedisClusterException``), as in redis-py."""
        raise RedisClusterException("REPLICAOF is not supported in cluster mode")

    def swapdb(self, *args, **kwargs):
        """Not in cluster mode (``RedisClusterException``), as in redis-py."""
        raise RedisClusterException("SWAPDB is not supported in cluster mode")

    def cluster_myid(self, target_node):
        """CLUSTER MYID of ``target_node``: its node id (``bytes``, ``str`` when decoding)."""
        return self.execute_command("CLUSTER MYID", target_nodes=target_node)

    def cluster_addslots(self, target_node, *slots):
        """CLUSTER ADDSLOTS ``slots`` to ``target_node``: ``True``."""
        return self.execute_command("CLUSTER ADDSLOTS", *slots, target_nodes=target_node)

    def cluster_addslotsrange(self, target_node, *slots):
        """CLUSTER ADDSLOTSRANGE ``start, end, ...`` to ``target_node``: ``True``."""
        return self.execute_command("CLUSTER ADDSLOTSRANGE", *slots, target_nodes=target_node)

    def cluster_countkeysinslot(self, slot_id):
        """CLUSTER COUNTKEYSINSLOT on the node serving ``slot_id``: how many keys it holds."""
        return self.execute_command("CLUSTER COUNTKEYSINSLOT", slot_id)

    def cluster_count_failure_report(self, node_id):
        """CLUSTER COUNT-FAILURE-REPORTS of ``node_id`` (on the default node)."""
        return self.execute_command("CLUSTER COUNT-FAILURE-REPORTS", node_id)

    def cluster_delslots(self, *slots):
        """CLUSTER DELSLOTS of each slot on the node serving it: a ``True`` per slot."""
        return [self.execute_command("CLUSTER DELSLOTS", slot) for slot in slots]

    def cluster_delslotsrange(self, *slots):
        """CLUSTER DELSLOTSRANGE ``start, end, ...`` (on the node serving the first slot):
        ``True``."""
        return self.execute_command("CLUSTER DELSLOTSRANGE", *slots)

    def cluster_failover(self, target_node, option=None):
        """CLUSTER FAILOVER on the replica ``target_node`` (``option`` FORCE or TAKEOVER):
        ``True``."""
        if option:
            if option.upper() not in ["FORCE", "TAKEOVER"]:
                raise RedisError(f"Invalid option for CLUSTER FAILOVER command: {option}")
            return self.execute_command("CLUSTER FAILOVER", option, target_nodes=target_node)
        return self.execute_command("CLUSTER FAILOVER", target_nodes=target_node)

    def cluster_info(self, target_nodes=None):
        """CLUSTER INFO as a dict of ``str`` (a dict per node name for several nodes)."""
        return self.execute_command("CLUSTER INFO", target_nodes=target_nodes)

    def cluster_keyslot(self, key):
        """CLUSTER KEYSLOT of ``key``, asked of the default node."""
        return self.execute_command("CLUSTER KEYSLOT", key)

    def cluster_meet(self, host, port, target_nodes=None):
        """CLUSTER MEET ``host``:``port`` from ``target_nodes``: ``True``."""
        return self.execute_command("CLUSTER MEET", host, port, target_nodes=target_nodes)

    def cluster_nodes(self):
        """CLUSTER NODES of the default node: ``{"ip:port": {"node_id", "flags", "slots"...}}``
        (redis-py's ``parse_cluster_nodes``)."""
        return self.execute_command("CLUSTER NODES")

    def cluster_replicate(self, target_nodes, node_id):
        """CLUSTER REPLICATE ``node_id`` on ``target_nodes``: ``True``."""
        return self.execute_command("CLUSTER REPLICATE", node_id, target_nodes=target_nodes)

    def cluster_reset(self, soft=True, target_nodes=None):
        """CLUSTER RESET SOFT (``soft``) or HARD on ``target_nodes``: ``True``."""
        return self.execute_command("CLUSTER RESET", b"SOFT" if soft else b"HARD",
                                    target_nodes=target_nodes)

    def cluster_save_config(self, target_nodes=None):
        """CLUSTER SAVECONFIG on ``target_nodes``: ``True``."""
        return self.execute_command("CLUSTER SAVECONFIG", target_nodes=target_nodes)

    def cluster_get_keys_in_slot(self, slot, num_keys):
        """CLUSTER GETKEYSINSLOT on the node serving ``slot``: up to ``num_keys`` of its keys
        (``str``, as redis-py)."""
        return self.execute_command("CLUSTER GETKEYSINSLOT", slot, num_keys)

    def cluster_set_config_epoch(self, epoch, target_nodes=None):
        """CLUSTER SET-CONFIG-EPOCH ``epoch`` on ``target_nodes``: ``True``."""
        return self.execute_command("CLUSTER SET-CONFIG-EPOCH", epoch,
                                    target_nodes=target_nodes)

    def cluster_setslot(self, target_node, node_id, slot_id, state):
        """CLUSTER SETSLOT ``slot_id`` IMPORTING, MIGRATING or NODE ``node_id`` on
        ``target_node``: ``True`` (STABLE: ``cluster_setslot_stable``)."""
        if state.upper() in ("IMPORTING", "NODE", "MIGRATING"):
            return self.execute_command("CLUSTER SETSLOT", slot_id, state, node_id,
                                        target_nodes=target_node)
        if state.upper() == "STABLE":
            raise RedisError('For "stable" state please use cluster_setslot_stable')
        raise RedisError(f"Invalid slot state: {state}")

    def cluster_setslot_stable(self, slot_id):
        """CLUSTER SETSLOT ``slot_id`` STABLE on the node serving it: ``True``."""
        return self.execute_command("CLUSTER SETSLOT", slot_id, "STABLE")

    def cluster_replicas(self, node_id, target_nodes=None):
        """CLUSTER REPLICAS of the primary ``node_id``: as ``cluster_nodes``."""
        return self.execute_command("CLUSTER REPLICAS", node_id, target_nodes=target_nodes)

    def cluster_slots(self, target_nodes=None):
        """CLUSTER SLOTS: ``{(start, end): {"primary": (ip, port), "replicas": [(ip,
        port)...]}}`` (redis-py's ``parse_cluster_slots``)."""
        return self.execute_command("CLUSTER SLOTS", target_nodes=target_nodes)

    def cluster_shards(self, target_nodes=None):
        """CLUSTER SHARDS (Redis 7+): ``[{"slots": [(start, end)...], "nodes": [{field:
        value}...]}]`` (redis-py's ``parse_cluster_shards``; the node fields as sent)."""
        return self.execute_command("CLUSTER SHARDS", target_nodes=target_nodes)

    def cluster_myshardid(self, target_nodes=None):
        """CLUSTER MYSHARDID (Redis 7.2+): the shard id as ``str``."""
        return self.execute_command("CLUSTER MYSHARDID", target_nodes=target_nodes)

    def cluster_links(self, target_node):
        """CLUSTER LINKS of ``target_node``: a flat ``[field, value, ...]`` list per link, as
        RESP2 sends it."""
        return self.execute_command("CLUSTER LINKS", target_nodes=target_node)

    def cluster_flushslots(self, target_nodes=None):
        """As redis-py: raises rather than send."""
        raise NotImplementedError(
            "CLUSTER FLUSHSLOTS is intentionally not implemented in the client.")

    def cluster_bumpepoch(self, target_nodes=None):
        """As redis-py: raises rather than send."""
        raise NotImplementedError(
            "CLUSTER BUMPEPOCH is intentionally not implemented in the client.")


class RedisCluster(ClusterManagementCommands, _ClusterBase, CoreCommands):
    """A Redis Cluster client with redis-py's API: ``RedisCluster(host, port)`` or
    ``RedisCluster(startup_nodes=[ClusterNode(host, port), ...])``; the other keywords are
    those of ``Redis`` (``password``, ``decode_responses``, ``protocol``, ``ssl``...), applied
    to every node. The slot map is fetched when the client is made.

    A keyed command goes to the primary of its keys' slot (or, with ``read_from_replicas`` /
    ``load_balancing_strategy``, a read to a replica); keys in several slots raise
    ``RedisClusterException``, except for DELETE, EXISTS, TOUCH and UNLINK, which are sent per
    slot and summed. A keyless command goes where redis-py sends it (``dbsize``, ``ping``,
    ``info``, ``keys``... to the default node; ``flushall``, ``scan``, ``script_load``... to
    every primary), or to ``target_nodes=``; replies from several nodes come back as redis-py
    gives them (DBSIZE summed, PING one ``True``, KEYS merged, INFO a dict per node name).
    """

    def __init__(self, host=None, port=6379, startup_nodes=None, cluster_error_retry_attempts=3,
                 retry=None, require_full_coverage=True, reinitialize_steps=5,
                 read_from_replicas=False, load_balancing_strategy=None,
                 dynamic_startup_nodes=True, url=None, address_remap=None, cache=None,
                 cache_config=None, event_dispatcher=None, policy_resolver=None,
                 maint_notifications_config=None, **kwargs):
        options = self._options(host, port, startup_nodes, cluster_error_retry_attempts, retry,
                                require_full_coverage, reinitialize_steps, read_from_replicas,
                                load_balancing_strategy, url, address_remap, cache,
                                cache_config, kwargs)
        self._native = _native.ClusterClient(options)
        self._execute = self._native.execute

    # --- commands --------------------------------------------------------------------------
    def _cmd(self, shape, *args):
        return self._execute(args, shape)

    def _targeted(self, targets) -> _Targeted:
        return _Targeted(self._native.execute, targets, self.response_callbacks)

    def _cmd_post(self, post, shape, *args):
        # As redis-py applies a response callback: to each node's reply.
        return self._execute(args, shape, None, post)

    # The hottest commands skip the `_cmd` frame (same arguments and reply as CoreCommands').
    def get(self, name):
        """GET: the value, or ``None``."""
        return self._execute(("GET", name), RAW)

    def hget(self, name, key):
        """HGET: the value, or ``None``."""
        return self._execute(("HGET", name, key), RAW)

    def mget_nonatomic(self, keys, *args) -> list:
        """MGET of keys in any slots: one MGET per slot, the values in the order of ``keys``.
        Not atomic across slots."""
        keys = _list_or_args(keys, args)
        return self._native.mget_nonatomic(tuple(keys))

    def mset_nonatomic(self, mapping) -> list:
        """MSET of keys in any slots: one MSET per slot; ``True`` per slot. Not atomic across
        slots."""
        flat: list = []
        for key, value in mapping.items():
            flat += [key, value]
        if not flat:
            return []
        self._native.mset_nonatomic(tuple(flat))
        return [True] * len({self.keyslot(key) for key in mapping})

    def scan_iter(self, match=None, count=None, _type=None, **kwargs) -> Iterator:
        """Every key of every primary (SCAN on each, one page at a time); with
        ``target_nodes=`` those nodes' keys."""
        target_nodes = kwargs.pop("target_nodes", None)
        if target_nodes is None:
            return iter(self._native.scan_iter(match, count, _type))
        return self._scan_nodes(match, count, _type, target_nodes)

    def _scan_nodes(self, match, count, _type, target_nodes) -> Iterator:
        cursors, keys = self.scan(0, match=match, count=count, _type=_type,
                                  target_nodes=target_nodes)
        yield from keys
        for name, cursor in cursors.items():
            node = self.get_node(node_name=name)
            while cursor != 0:
                page, keys = self.scan(cursor, match=match, count=count, _type=_type,
                                       target_nodes=node)
                yield from keys
                cursor = page[name]

    sscan_iter = Redis.sscan_iter
    hscan_iter = Redis.hscan_iter
    zscan_iter = Redis.zscan_iter

    def readonly(self, target_nodes=None):
        """Reads may go to replicas from now on (their connections send READONLY); ``True``.
        With ``target_nodes=`` READONLY is sent to those nodes too and their reply comes back
        as redis-py gives it (``{node name: True}`` for several)."""
        self._native.readonly()
        self.read_from_replicas = True
        if target_nodes is not None:
            return self.execute_command("READONLY", target_nodes=target_nodes)
        return True

    def readwrite(self, target_nodes=None):
        """Reads go to primaries only from now on; ``True`` (with ``target_nodes=``, READWRITE
        sent there, their reply as redis-py gives it)."""
        self._native.readwrite()
        self.read_from_replicas = False
        if target_nodes is not None:
            return self.execute_command("READWRITE", target_nodes=target_nodes)
        return True

    # --- client ----------------------------------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        """Closes the nodes' standalone clients; the cluster's connections close when the
        client goes."""
        with self._nodes_lock:
            nodes = list(self._nodes.values())
        for node in nodes:
            if node.redis_connection is not None:
                node.redis_connection.close()

    def pipeline(self, transaction=None, shard_hint=None) -> "ClusterPipeline":
        """A ``ClusterPipeline``: commands queue until ``execute()`` sends them grouped per
        node (each node's share in one write), results in the order queued; with
        ``transaction=True`` one MULTI/EXEC on the primary of the one slot of every key."""
        if shard_hint:
            raise RedisClusterException("shard_hint is deprecated in cluster mode")
        return ClusterPipeline(self, transaction=bool(transaction))

    def pubsub(self, node=None, host=None, port=None, **kwargs) -> "ClusterPubSub":
        """A ``ClusterPubSub`` on ``node`` (or ``host``/``port``; the default node when
        neither is given), and sharded pub/sub on the primary of each shard channel."""
        return ClusterPubSub(self, node=node, host=host, port=port, **kwargs)

    def monitor(self, target_node=None):
        """A ``Monitor`` of ``target_node`` (the default node when ``None``)."""
        if target_node is None:
            target_node = self.get_default_node()
        return self.get_redis_connection(target_node).monitor()

    lock = Redis.lock
    _lock_class = Redis.__dict__["_lock_class"]
    register_script = Redis.register_script
    transaction = Redis.transaction
    __getitem__ = Redis.__getitem__
    __setitem__ = Redis.__setitem__
    __contains__ = Redis.__contains__


def _take_target_nodes(cls) -> None:
    """Every command method that takes keyword arguments in redis-py takes ``target_nodes=``
    in its ``RedisCluster`` (the command then goes to those nodes): so in ``cls``, for the
    ``CoreCommands`` methods it does not define itself."""
    for name, method in list(vars(CoreCommands).items()):
        if name.startswith("__") or not inspect.isfunction(method):
            continue
        if inspect.getattr_static(cls, name) is not method:
            continue  # the cluster client's own (or a mixin's)
        if any(p.kind is inspect.Parameter.VAR_KEYWORD
               for p in inspect.signature(method).parameters.values()):
            setattr(cls, name, _with_target_nodes(method))


_take_target_nodes(RedisCluster)


class _ClusterWatch:
    """What the blocking and asyncio ``ClusterPipeline`` share for WATCH in a cluster
    transaction (redis-py's ``TransactionStrategy``): the watched keys' one slot, and the
    checks that every command run between ``watch()`` and ``multi()`` or queued for the
    transaction is in that slot. The watch itself is a connection of the slot's primary's own
    standalone client (``ClusterNode.redis_connection``), checked out by its ``watch``: the
    commands in between and the MULTI/EXEC run on it."""

    _watch_slot = None

    def _not_transactional(self, method: str) -> None:
        if not self.transaction:
            raise RedisClusterException(
                f"method {method}() is not supported outside of transactional context")

    def _slot_to_watch(self, names) -> int:
        """The slot of ``names`` (``RedisClusterException`` for keys in several slots,
        ``CrossSlotTransactionError`` for a slot other than the one already watched)."""
        slots = {self._client.keyslot(name) for name in names}
        if not slots:
            raise RedisClusterException(
                "At least a command with a key is needed to identify a node")
        if len(slots) > 1:
            raise RedisClusterException("WATCH - all keys must map to the same key slot")
        slot = slots.pop()
        self._same_slot(slot)
        return slot

    def _same_slot(self, slot) -> None:
        if self._watch_slot is not None and slot != self._watch_slot:
            raise CrossSlotTransactionError("Cannot watch or send commands on different slots")

    def _check_run_now(self, args) -> None:
        """A command run at once while keys are watched must be in their slot."""
        name = _command_name(args)
        slot = self._client._native.command_slot(args)
        if slot is None:
            if name != "UNWATCH":
                raise RedisClusterException(
                    f"Cannot identify slot number for command: {name},"
                    "it cannot be triggered in a transaction")
            return
        self._same_slot(slot)

    def _watch_node(self, slot, moved=None):
        """The node to WATCH on: the primary of ``slot``, or where a MOVED/ASK sent us."""
        if moved is not None:
            return self._client._node((moved.host, moved.port, None))
        nodes = self._client._native.slot_nodes(slot)
        if not nodes:
            raise SlotNotCoveredError(f'Slot "{slot}" is not covered by the cluster.')
        return self._client._node(nodes[0])

    def _check_queued(self) -> None:
        """Every queued command in the watched slot (``CrossSlotTransactionError`` otherwise,
        with redis-py's words)."""
        slots = self._client._native.queued_slots(self)
        if any(slot != self._watch_slot for slot in slots):
            raise CrossSlotTransactionError(
                "All keys involved in a cluster transaction must map to the same slot")


class ClusterPipeline(_ClusterWatch, Pipeline):
    """redis-py's ``ClusterPipeline``: the queued commands are sent grouped per node (each
    node's share in one write, every node's written before any is read) and the results come
    back in the order queued; a command redirected (MOVED, ASK) or refused for the cluster's
    state in between runs again on its own. With ``transaction=True`` the commands run as one
    MULTI/EXEC on the primary of their one slot (``CrossSlotTransactionError`` otherwise);
    ``watch(*keys)`` (keys of one slot) checks out a connection of that slot's primary, the
    commands then run at once on it (in that slot only) until ``multi()``, and ``execute()``
    raises ``WatchError`` when a watched key changed."""

    def __init__(self, client: RedisCluster, transaction: bool = False):
        super().__init__(client, transaction)

    def _run_watched(self, post, shape, args):
        self._check_run_now(args)
        return super()._run_watched(post, shape, args)

    def watch(self, *names) -> None:
        """WATCHes ``names`` (keys of one slot) on a connection of their slot's primary;
        commands then run at once on it until ``multi()``."""
        self._not_transactional("watch")
        if self.explicit_transaction:
            raise RedisError("Cannot issue a WATCH after a MULTI")
        slot = self._slot_to_watch(names)
        if self._watched is not None:
            self._watched.watch(names)
            return
        if len(self):
            raise RedisError("Cannot issue a WATCH after commands were queued")
        moved = None
        for _ in range(self._client.RedisClusterRequestTTL):
            node = self._watch_node(slot, moved)
            try:
                self._watched = node.redis_connection._native.watch(names)
                break
            except (MovedError, AskError) as e:
                moved = e
        else:
            raise moved
        self._watch_slot = slot
        # Until multi(), commands run at once on the watched connection (to read values).
        self._set_run_now(self._run_now)

    def unwatch(self) -> bool:
        """UNWATCHes every key; ``True``."""
        self._not_transactional("unwatch")
        return super().unwatch()

    def multi(self) -> None:
        """Starts queueing the transaction's commands (after ``watch``)."""
        self._not_transactional("multi")
        super().multi()

    def reset(self) -> None:
        """Drops the queued commands and releases a watched connection (UNWATCH)."""
        self._watch_slot = None
        super().reset()

    def execute(self, raise_on_error: bool = True) -> list:
        """Sends the queued commands; their replies in order. After ``watch()``: MULTI/EXEC on
        the watched connection (``WatchError`` when a watched key changed)."""
        if self._watched is None:
            return super().execute(raise_on_error)
        try:
            self._check_queued()
            return super().execute(raise_on_error)
        except (MovedError, AskError) as e:
            raise WatchError("Slot rebalancing occurred while watching keys") from e
        except ExecAbortError as e:
            # A queued command was answered MOVED/ASK (so EXEC aborted): the slot moved.
            if isinstance(e.__cause__, (MovedError, AskError)):
                raise WatchError("Slot rebalancing occurred while watching keys") from e
            raise
        finally:
            self.reset()

    def mget_nonatomic(self, keys, *args):
        """Not in a pipeline (as redis-py)."""
        raise RedisClusterException("ERROR: Calling pipelined function mget_nonatomic is "
                                    "blocked when running redis in cluster mode...")

    def mset_nonatomic(self, mapping):
        """Not in a pipeline (as redis-py)."""
        raise RedisClusterException("ERROR: Calling pipelined function mset_nonatomic is "
                                    "blocked when running redis in cluster mode...")


class _ShardedSubscriptions:
    """What the blocking and the asyncio ``ClusterPubSub`` share: a PubSub per slot of shard
    channels (``self._shards``), each on the primary serving that slot."""

    cluster: Any
    _shards: dict
    get_pubsub_node: Any

    @property
    def shard_channels(self) -> dict:
        """The shard channels of every slot's connection."""
        merged: dict = {}
        for shard in self._shards.values():
            merged.update(shard.shard_channels)
        return merged

    def _by_slot(self, args, kwargs) -> dict:
        """``slot -> (channels, {channel: handler})`` of an SSUBSCRIBE's arguments."""
        by_slot: dict = {}
        for channel in args:
            by_slot.setdefault(self.cluster.keyslot(channel), ([], {}))[0].append(channel)
        for channel, handler in kwargs.items():
            by_slot.setdefault(self.cluster.keyslot(channel), ([], {}))[1][channel] = handler
        return by_slot

    def _unsubscriptions(self, args) -> list:
        """``(shard, channels)`` for a SUNSUBSCRIBE of ``args``. With none, every shard that
        still holds channels, as redis-py (which unsubscribes its known shard channels): an
        emptied shard would confirm with no channel (``None``)."""
        if not args:
            return [(shard, ()) for shard in self._shards.values() if shard.subscribed]
        return [(self._shards[slot], channels)
                for slot, (channels, _) in self._by_slot(args, {}).items()
                if slot in self._shards]

    @staticmethod
    def _checked_node(cluster, node, host, port, half_address: str):
        """The node ``set_pubsub_node`` (and the constructor) names: ``node``, the node at
        ``host``/``port``, or ``None``; ``RedisClusterException`` for one the cluster does not
        have, ``DataError(half_address)`` for a host without a port or the reverse."""
        if node is None and host is not None and port is not None:
            node = cluster.get_node(host=host, port=port)
            if node is None:
                raise RedisClusterException(f"Node {host}:{port} doesn't exist in the cluster")
        elif node is None and (host is not None or port is not None):
            raise DataError(half_address)
        if node is not None and cluster.get_node(node_name=node.name) is None:
            raise RedisClusterException(
                f"Node {node.host}:{node.port} doesn't exist in the cluster")
        return node

    def _moved_shards(self) -> list:
        """The shard sessions whose slot another primary serves now (per the client's slot
        map) than when they were last placed; they are placed again as they are returned."""
        moved = []
        for slot, shard in self._shards.items():
            primary = self._primary_name(slot)
            if primary != self._shard_primaries.get(slot):
                self._shard_primaries[slot] = primary
                moved.append(shard)
        return moved

    def get_redis_connection(self):
        """The ``Redis`` client of the pub/sub node (``None`` before one is chosen)."""
        node = self.get_pubsub_node()
        return None if node is None else self.cluster.get_redis_connection(node)

    def _primary_name(self, slot: int) -> Optional[str]:
        nodes = self.cluster._native.slot_nodes(slot)
        return get_node_name(nodes[0][0], nodes[0][1]) if nodes else None

    def _sharded_reads(self, shards: list, timeout: Optional[float]):
        """The reads of ``get_sharded_message`` over ``shards``, for the blocking and the
        asyncio client alike: yields ``(shard, wait)``, one read each, and is sent what that
        read returned; returns the first message (``None`` once ``timeout`` has passed).
        Shards are read in turn, so a busy one does not starve the others."""
        if not shards:
            return None
        if len(shards) == 1:
            return (yield shards[0], timeout)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            for i in range(len(shards)):
                message = yield shards[(self._next_shard + i) % len(shards)], 0.0
                if message is not None:
                    self._next_shard = (self._next_shard + i + 1) % len(shards)
                    return message
            if deadline is not None and time.monotonic() >= deadline:
                return None
            # Wait on one of them a little (no busy loop), in turn.
            self._next_shard = (self._next_shard + 1) % len(shards)
            wait = 0.01 if deadline is None else max(0.0, min(0.01, deadline - time.monotonic()))
            message = yield shards[self._next_shard], wait
            if message is not None:
                return message

    def _shards_on(self, target_node) -> list:
        """The shards served by ``target_node`` (all of them for ``None``)."""
        return [shard for slot, shard in self._shards.items()
                if target_node is None or self._primary_name(slot) == target_node.name]


class ClusterPubSub(_ShardedSubscriptions, PubSub):
    """redis-py's ``ClusterPubSub``: ``subscribe``/``psubscribe`` on one node (any node: a
    message published anywhere in the cluster reaches every node's subscribers); sharded
    pub/sub (``ssubscribe``) on the primary serving each shard channel's slot, a connection per
    slot, which follows the slot when it moves; ``get_sharded_message`` reads those."""

    _HALF_ADDRESS = "Passing a host requires passing a port, and vice versa"

    def __init__(self, redis_cluster: RedisCluster, node=None, host=None, port=None,
                 push_handler_func=None, **kwargs):
        node = self._checked_node(redis_cluster, node, host, port, self._HALF_ADDRESS)
        self.cluster = redis_cluster
        self.node = node
        native = redis_cluster._native.pubsub((node.host, node.port) if node else None)
        super().__init__(native,
                         ignore_subscribe_messages=kwargs.get("ignore_subscribe_messages",
                                                              False))
        self._shards: dict = {}  # slot -> PubSub of that slot's shard channels
        self._shard_primaries: dict = {}  # slot -> the primary it was placed on
        self._next_shard = 0

    def set_pubsub_node(self, cluster, node=None, host=None, port=None) -> None:
        """The node of ``subscribe``/``psubscribe`` from now on (the default node for none).
        With nothing subscribed the connection moves there; otherwise it stays until
        ``close()``, as redis-py's (made at the first subscription) does."""
        self.node = self._checked_node(cluster, node, host, port, self._HALF_ADDRESS)
        if not self._native.subscribed:
            self._native.close()
            node = self.node
            self._native = cluster._native.pubsub((node.host, node.port) if node else None)

    def reinitialize_shard_subscriptions(self) -> None:
        """Moves the shard channels whose slot another primary serves now (per the client's
        slot map) to it: their connection reconnects there and subscribes again, handlers
        kept. (A shard connection also follows its slot by itself when the server drops it
        or answers MOVED.)"""
        for shard in self._moved_shards():
            shard._native.disconnect()

    def disconnect(self) -> None:
        """Drops every connection, keeping the subscriptions: the next read connects again
        (shard channels to their slot's current primary) and subscribes anew."""
        self._native.disconnect()
        for shard in self._shards.values():
            shard._native.disconnect()

    def get_pubsub_node(self) -> ClusterNode:
        """The node of ``subscribe``/``psubscribe`` (the default node unless one was given)."""
        return self.node if self.node is not None else self.cluster.get_default_node()

    @property
    def subscribed(self) -> bool:
        """Whether anything is subscribed, sharded channels included."""
        return self._native.subscribed or any(s.subscribed for s in self._shards.values())

    def ssubscribe(self, *args, target_node=None, **kwargs) -> None:
        """SSUBSCRIBE, each shard channel on the primary of its slot; ``channel=handler``
        keywords register a handler."""
        for slot, (channels, handlers) in self._by_slot(args, kwargs).items():
            shard = self._shards.get(slot)
            if shard is None:
                first = channels[0] if channels else next(iter(handlers))
                shard = PubSub(self.cluster._native.sharded_pubsub(first),
                               ignore_subscribe_messages=self.ignore_subscribe_messages)
                self._shards[slot] = shard
                self._shard_primaries[slot] = self._primary_name(slot)
            shard.ssubscribe(*channels, **handlers)

    def sunsubscribe(self, *args, target_node=None) -> None:
        """SUNSUBSCRIBE from shard channels (all when none are given)."""
        for shard, channels in self._unsubscriptions(args):
            shard.sunsubscribe(*channels)

    def get_sharded_message(self, ignore_subscribe_messages: bool = False,
                            timeout: Optional[float] = 0.0, target_node=None) -> Optional[dict]:
        """The next message of the shard channels (``smessage``, ``ssubscribe``...), or
        ``None`` when nothing arrived within ``timeout`` seconds (``None``: wait)."""
        reads = self._sharded_reads(self._shards_on(target_node), timeout)
        message = None
        while True:
            try:
                shard, wait = reads.send(message)
            except StopIteration as done:
                return done.value
            message = shard.get_message(ignore_subscribe_messages, wait)

    def close(self) -> None:
        """Closes every connection; subscriptions are forgotten."""
        super().close()
        for shard in self._shards.values():
            shard.close()
        self._shards.clear()
        self._shard_primaries.clear()

    reset = close


__all__ = ["ClusterManagementCommands", "ClusterNode", "ClusterPipeline", "ClusterPubSub", "LoadBalancingStrategy",
           "RedisCluster", "get_node_name"]
