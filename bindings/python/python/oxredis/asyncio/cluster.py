"""``oxredis.asyncio.cluster``: redis-py's asyncio ``RedisCluster`` over oxredis's async
(tokio) cluster client.

As the blocking ``oxredis.cluster.RedisCluster``, with awaitable commands: the command
methods are ``CoreCommands``' own, ``_cmd`` returns an asyncio future resolved through the
running loop's ``Completer`` (as ``oxredis.asyncio.Redis`` does), and routing, redirects,
retries and the combination of several nodes' replies happen in Rust. The slot map is fetched
by ``await rc.initialize()`` (or ``await rc``, or on the first command); the node accessors
(``get_nodes``...) read it without I/O.
"""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator

from .. import _native
from .. import client as _sync
from ..client import (
    CLUSTER_COMMAND_POSTS,
    CLUSTER_COMMAND_SHAPES,
    RAW,
    CoreCommands,
    _command_name,
    _list_or_args,
)
from ..cluster import (
    ClusterManagementCommands,
    ClusterNode,
    LoadBalancingStrategy,
    _ClusterBase,
    _take_target_nodes,
)
from ..exceptions import RedisClusterException
from .client import Pipeline, Redis, Script, _future, _shutdown


class _Targeted(CoreCommands):
    """The asyncio ``RedisCluster``'s command methods sent to chosen nodes (``target_nodes=``):
    its ``_cmd`` passes the targets to the Rust client and returns a future."""

    _COMMAND_SHAPES = CLUSTER_COMMAND_SHAPES
    _COMMAND_POSTS = CLUSTER_COMMAND_POSTS
    _shutdown = _shutdown

    def __init__(self, native, targets, callbacks):
        self._native = native
        self._targets = targets
        self._callbacks = callbacks

    def _cmd(self, shape, *args):
        callback = self._callbacks.get(_command_name(args)) if self._callbacks else None
        if callback is not None:
            return self._cmd_post(callback, RAW, *args)
        fut, completer = _future()
        self._native.execute(args, shape, self._targets, fut, completer)
        return fut

    def _cmd_post(self, post, shape, *args):
        # As redis-py applies a response callback: to each node's reply.
        fut, completer = _future()
        self._native.execute(args, shape, self._targets, fut, completer, post)
        return fut


class RedisCluster(ClusterManagementCommands, _ClusterBase, CoreCommands):
    """An asyncio Redis Cluster client with redis-py's API (``await rc.get("k")``): the
    constructor takes the blocking ``RedisCluster``'s arguments; ``await rc.initialize()``
    fetches the slot map (the first command does too)."""

    _redis_class = Redis

    def __init__(self, host=None, port=6379, startup_nodes=None, require_full_coverage=True,
                 read_from_replicas=False, load_balancing_strategy=None,
                 dynamic_startup_nodes=True, reinitialize_steps=5,
                 cluster_error_retry_attempts=3, max_connections=100, retry=None,
                 retry_on_error=None, db=0, path=None, url=None, address_remap=None,
                 cache=None, cache_config=None, event_dispatcher=None, policy_resolver=None,
                 maint_notifications_config=None, **kwargs):
        if db:
            raise RedisClusterException("Argument 'db' must be 0 or None in cluster mode")
        if path:
            raise RedisClusterException("Unix domain socket is not supported in cluster mode")
        kwargs["max_connections"] = max_connections
        options = self._options(host, port, startup_nodes, cluster_error_retry_attempts, retry,
                                require_full_coverage, reinitialize_steps, read_from_replicas,
                                load_balancing_strategy, url, address_remap, cache,
                                cache_config, kwargs)
        self._native = _native.AsyncClusterClient(options)

    def _cmd(self, shape, *args):
        fut, completer = _future()
        self._native.execute(args, shape, None, fut, completer)
        return fut

    def _cmd_post(self, post, shape, *args):
        # As redis-py applies a response callback: to each node's reply.
        fut, completer = _future()
        self._native.execute(args, shape, None, fut, completer, post)
        return fut

    def _targeted(self, targets) -> _Targeted:
        return _Targeted(self._native, targets, self.response_callbacks)

    def get(self, name):
        """GET: the value, or ``None`` (awaitable)."""
        fut, completer = _future()
        self._native.execute(("GET", name), RAW, None, fut, completer)
        return fut

    async def initialize(self) -> "RedisCluster":
        """Fetches the slot map (from the start-up nodes, then the nodes it names)."""
        fut, completer = _future()
        self._native.initialize(fut, completer)
        await fut
        return self

    def __await__(self):
        return self.initialize().__await__()

    async def __aenter__(self) -> "RedisCluster":
        return await self.initialize()

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Closes the nodes' standalone clients; the cluster's connections close when the
        client goes."""
        for node in list(self._nodes.values()):
            if node.redis_connection is not None:
                await node.redis_connection.aclose()

    close = aclose

    async def mget_nonatomic(self, keys, *args) -> list:
        """MGET of keys in any slots: one MGET per slot, the values in the order of ``keys``."""
        keys = _list_or_args(keys, args)
        fut, completer = _future()
        self._native.mget_nonatomic(tuple(keys), fut, completer)
        return await fut

    async def mset_nonatomic(self, mapping) -> list:
        """MSET of keys in any slots: one MSET per slot; ``True`` per slot."""
        flat: list = []
        for key, value in mapping.items():
            flat += [key, value]
        if not flat:
            return []
        fut, completer = _future()
        self._native.mset_nonatomic(tuple(flat), fut, completer)
        await fut
        return [True] * len({self.keyslot(key) for key in mapping})

    async def scan_iter(self, match=None, count=None, _type=None, **kwargs) -> AsyncIterator:
        """Every key of every primary (``async for``), one SCAN page at a time."""
        if kwargs.get("target_nodes") is not None:
            raise NotImplementedError(
                "oxredis: asyncio RedisCluster.scan_iter(target_nodes=...)")
        keys = self._native.scan_iter(match, count, _type)
        while True:
            fut, completer = _future()
            keys.next(fut, completer)
            key = await fut
            if key is None:
                return
            yield key

    sscan_iter = Redis.sscan_iter
    hscan_iter = Redis.hscan_iter
    zscan_iter = Redis.zscan_iter

    async def readonly(self, target_nodes=None) -> bool:
        """Reads may go to replicas from now on; ``True``."""
        self._native.readonly()
        self.read_from_replicas = True
        return True

    async def readwrite(self, target_nodes=None) -> bool:
        """Reads go to primaries only from now on; ``True``."""
        self._native.readwrite()
        self.read_from_replicas = False
        return True

    def pipeline(self, transaction=None, shard_hint=None) -> "ClusterPipeline":
        """An asyncio ``ClusterPipeline`` (``await pipe.execute()``)."""
        if shard_hint:
            raise RedisClusterException("shard_hint is deprecated in cluster mode")
        return ClusterPipeline(self, transaction=bool(transaction))

    def pubsub(self, *args, **kwargs):
        """Not implemented yet for the asyncio cluster client."""
        raise NotImplementedError("oxredis: asyncio RedisCluster.pubsub() is not implemented "
                                  "yet (the blocking RedisCluster has it)")

    def register_script(self, script) -> Script:
        """A callable ``Script``: ``await script(keys=[...], args=[...])``."""
        return Script(self, script)

    lock = _sync.Redis.lock
    _lock_class = Redis.__dict__["_lock_class"]
    _shutdown = _shutdown

    async def cluster_delslots(self, *slots) -> list:
        """CLUSTER DELSLOTS of each slot on the node serving it, concurrently: a ``True`` per
        slot."""
        return list(await asyncio.gather(
            *(self.execute_command("CLUSTER DELSLOTS", slot) for slot in slots)))


_take_target_nodes(RedisCluster)


class ClusterPipeline(Pipeline):
    """The asyncio ``ClusterPipeline``: as the blocking one, ``await pipe.execute()``. WATCH is
    not supported."""

    def __init__(self, client: RedisCluster, transaction: bool = False):
        super().__init__(client, transaction)

    async def watch(self, *names) -> None:
        """Not supported in a cluster pipeline yet."""
        raise RedisClusterException("oxredis: WATCH is not supported in a cluster pipeline yet")


__all__ = ["ClusterNode", "ClusterPipeline", "LoadBalancingStrategy", "RedisCluster"]

