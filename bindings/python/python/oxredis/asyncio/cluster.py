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
from typing import AsyncIterator, Optional

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
    _ClusterWatch,
    _ShardedSubscriptions,
    _take_target_nodes,
)
from ..exceptions import (
    AskError,
    ExecAbortError,
    MovedError,
    RedisClusterException,
    RedisError,
    WatchError,
)
from .client import Pipeline, PubSub, Redis, Script, _future, _shutdown


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
        """Every key of every primary (``async for``), one SCAN page at a time; with
        ``target_nodes=`` those nodes' keys."""
        target_nodes = kwargs.pop("target_nodes", None)
        if target_nodes is not None:
            cursors, keys = await self.scan(0, match=match, count=count, _type=_type,
                                            target_nodes=target_nodes)
            for key in keys:
                yield key
            for name, cursor in cursors.items():
                node = self.get_node(node_name=name)
                while cursor != 0:
                    page, keys = await self.scan(cursor, match=match, count=count,
                                                 _type=_type, target_nodes=node)
                    for key in keys:
                        yield key
                    cursor = page[name]
            return
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

    async def readonly(self, target_nodes=None):
        """Reads may go to replicas from now on; ``True`` (with ``target_nodes=``, READONLY
        sent there, their reply as redis-py gives it)."""
        self._native.readonly()
        self.read_from_replicas = True
        if target_nodes is not None:
            return await self.execute_command("READONLY", target_nodes=target_nodes)
        return True

    async def readwrite(self, target_nodes=None):
        """Reads go to primaries only from now on; ``True`` (with ``target_nodes=``,
        READWRITE sent there, their reply as redis-py gives it)."""
        self._native.readwrite()
        self.read_from_replicas = False
        if target_nodes is not None:
            return await self.execute_command("READWRITE", target_nodes=target_nodes)
        return True

    def pipeline(self, transaction=None, shard_hint=None) -> "ClusterPipeline":
        """An asyncio ``ClusterPipeline`` (``await pipe.execute()``)."""
        if shard_hint:
            raise RedisClusterException("shard_hint is deprecated in cluster mode")
        return ClusterPipeline(self, transaction=bool(transaction))

    def pubsub(self, node=None, host=None, port=None, **kwargs) -> "ClusterPubSub":
        """An asyncio ``ClusterPubSub`` on ``node`` (or ``host``/``port``; else the node
        serving the first channel's slot, chosen at the first subscription), and sharded
        pub/sub on the primary of each shard channel's slot."""
        return ClusterPubSub(self, node=node, host=host, port=port, **kwargs)

    async def _ready(self) -> None:
        """Fetches the slot map if it is not there yet."""
        if not self._native.get_nodes():
            await self.initialize()

    def register_script(self, script) -> Script:
        """A callable ``Script``: ``await script(keys=[...], args=[...])``."""
        return Script(self, script)

    lock = _sync.Redis.lock
    _lock_class = Redis.__dict__["_lock_class"]
    _shutdown = _shutdown
    transaction = Redis.transaction

    async def cluster_delslots(self, *slots) -> list:
        """CLUSTER DELSLOTS of each slot on the node serving it, concurrently: a ``True`` per
        slot."""
        return list(await asyncio.gather(
            *(self.execute_command("CLUSTER DELSLOTS", slot) for slot in slots)))


_take_target_nodes(RedisCluster)


class ClusterPipeline(_ClusterWatch, Pipeline):
    """The asyncio ``ClusterPipeline``: as the blocking one, ``await pipe.execute()``;
    ``await pipe.watch(*keys)`` (keys of one slot) in a transaction, the commands then
    awaited at once on the watched connection until ``multi()``."""

    def __init__(self, client: RedisCluster, transaction: bool = False):
        super().__init__(client, transaction)

    def _run_now(self, args, shape, post=None):
        self._check_run_now(args)
        return super()._run_now(args, shape, post)

    async def watch(self, *names) -> None:
        """WATCHes ``names`` (keys of one slot) on a connection of their slot's primary."""
        self._not_transactional("watch")
        if self.explicit_transaction:
            raise RedisError("Cannot issue a WATCH after a MULTI")
        slot = self._slot_to_watch(names)
        if self._watched is not None:
            fut, completer = _future()
            self._watched.watch(names, fut, completer)
            await fut
            return
        if len(self):
            raise RedisError("Cannot issue a WATCH after commands were queued")
        await self._client._ready()
        moved = None
        for _ in range(self._client.RedisClusterRequestTTL):
            node = self._watch_node(slot, moved)
            fut, completer = _future()
            node.redis_connection._native.watch(names, fut, completer)
            try:
                self._watched = await fut
                break
            except (MovedError, AskError) as e:
                moved = e
        else:
            raise moved
        self._watch_slot = slot
        self._set_run_now(self._run_now)

    async def unwatch(self) -> bool:
        """UNWATCHes every key; ``True``."""
        self._not_transactional("unwatch")
        return await super().unwatch()

    def multi(self) -> None:
        """Starts queueing the transaction's commands (after ``watch``)."""
        self._not_transactional("multi")
        super().multi()

    async def reset(self) -> None:
        """Drops the queued commands and releases a watched connection."""
        self._watch_slot = None
        await super().reset()

    async def execute(self, raise_on_error: bool = True) -> list:
        """Sends the queued commands; their replies in order. After ``watch()``: MULTI/EXEC on
        the watched connection (``WatchError`` when a watched key changed)."""
        if self._watched is None:
            return await super().execute(raise_on_error)
        try:
            self._check_queued()
            return await super().execute(raise_on_error)
        except (MovedError, AskError) as e:
            raise WatchError("Slot rebalancing occurred while watching keys") from e
        except ExecAbortError as e:
            # A queued command was answered MOVED/ASK (so EXEC aborted): the slot moved.
            if isinstance(e.__cause__, (MovedError, AskError)):
                raise WatchError("Slot rebalancing occurred while watching keys") from e
            raise
        finally:
            await self.reset()

    def mget_nonatomic(self, keys, *args):
        """Not in a pipeline (as redis-py)."""
        raise RedisClusterException("ERROR: Calling pipelined function mget_nonatomic is "
                                    "blocked when running redis in cluster mode...")

    def mset_nonatomic(self, mapping):
        """Not in a pipeline (as redis-py)."""
        raise RedisClusterException("ERROR: Calling pipelined function mset_nonatomic is "
                                    "blocked when running redis in cluster mode...")


def _done(value=None):
    fut = asyncio.get_running_loop().create_future()
    fut.set_result(value)
    return fut


class ClusterPubSub(_ShardedSubscriptions, PubSub):
    """redis-py's asyncio ``ClusterPubSub``: ``subscribe``/``psubscribe`` on one node (the
    one given, else the node serving the first channel's slot, chosen at the first
    subscription; a message published anywhere in the cluster reaches every node's
    subscribers); sharded pub/sub (``ssubscribe``) on the primary serving each shard channel's
    slot, a connection per slot that follows the slot when it moves;
    ``get_sharded_message`` reads those."""

    def __init__(self, redis_cluster: RedisCluster, node=None, host=None, port=None,
                 push_handler_func=None, event_dispatcher=None, **kwargs):
        node = self._checked_node(redis_cluster, node, host, port, "Specify both host and port")
        self.cluster = redis_cluster
        self.node = node
        native = redis_cluster._native.pubsub((node.host, node.port)) if node else None
        super().__init__(native,
                         ignore_subscribe_messages=kwargs.get("ignore_subscribe_messages",
                                                              False))
        self._shards: dict = {}  # slot -> PubSub of that slot's shard channels
        self._shard_primaries: dict = {}  # slot -> the primary it was placed on
        self._next_shard = 0

    def set_pubsub_node(self, cluster, node=None, host=None, port=None) -> None:
        """The node of ``subscribe``/``psubscribe`` from now on (``None``: chosen by the first
        channel's slot). With nothing subscribed the connection moves there at the next
        subscription; otherwise it stays until ``aclose()``, as redis-py's does."""
        self.node = self._checked_node(cluster, node, host, port, "Specify both host and port")
        if self._native is not None and not self._native.subscribed:
            self._native = None  # dropped: its connection closes

    async def reinitialize_shard_subscriptions(self) -> None:
        """Moves the shard channels whose slot another primary serves now (per the client's
        slot map) to it: their connection reconnects there and subscribes again, handlers
        kept. (A shard connection also follows its slot by itself when the server drops it
        or answers MOVED.)"""
        for shard in self._moved_shards():
            await shard._call("disconnect")

    def get_pubsub_node(self) -> Optional[ClusterNode]:
        """The node of ``subscribe``/``psubscribe``; ``None`` until it is chosen."""
        return self.node

    @property
    def subscribed(self) -> bool:
        """Whether anything is subscribed, sharded channels included."""
        return ((self._native is not None and self._native.subscribed)
                or any(s.subscribed for s in self._shards.values()))

    @property
    def channels(self) -> dict:
        return super().channels if self._native is not None else {}

    @property
    def patterns(self) -> dict:
        return super().patterns if self._native is not None else {}

    def _call(self, method: str, *args):
        if self._native is None:
            return _done()
        return super()._call(method, *args)

    async def _sub(self, command: str, *names):
        if self._native is None:
            if command.endswith("unsubscribe"):
                return None
            await self.cluster._ready()
            if self.node is None:
                self.node = (self.cluster.get_node_from_key(names[0]) if names
                             else self.cluster.get_random_node())
            self._native = self.cluster._native.pubsub((self.node.host, self.node.port))
        return await super()._sub(command, *names)

    async def ssubscribe(self, *args, **kwargs) -> None:
        """SSUBSCRIBE, each shard channel on the primary of its slot; ``channel=handler``
        keywords register a handler."""
        for slot, (channels, handlers) in self._by_slot(args, kwargs).items():
            shard = self._shards.get(slot)
            if shard is None:
                first = channels[0] if channels else next(iter(handlers))
                fut, completer = _future()
                self.cluster._native.sharded_pubsub(first, fut, completer)
                shard = PubSub(await fut, ignore_subscribe_messages=self.ignore_subscribe_messages)
                self._shards[slot] = shard
                self._shard_primaries[slot] = self._primary_name(slot)
            await shard.ssubscribe(*channels, **handlers)

    async def sunsubscribe(self, *args) -> None:
        """SUNSUBSCRIBE from shard channels (all when none are given)."""
        for shard, channels in self._unsubscriptions(args):
            await shard.sunsubscribe(*channels)

    async def get_sharded_message(self, ignore_subscribe_messages: bool = False,
                                  timeout: Optional[float] = 0.0,
                                  target_node=None) -> Optional[dict]:
        """The next message of the shard channels (``smessage``, ``ssubscribe``...), or
        ``None`` when nothing arrived within ``timeout`` seconds (``None``: wait)."""
        reads = self._sharded_reads(self._shards_on(target_node), timeout)
        message = None
        while True:
            try:
                shard, wait = reads.send(message)
            except StopIteration as done:
                return done.value
            message = await shard.get_message(ignore_subscribe_messages, wait)

    async def aclose(self) -> None:
        """Closes every connection; subscriptions are forgotten."""
        await super().aclose()
        for shard in self._shards.values():
            await shard.aclose()
        self._shards.clear()
        self._shard_primaries.clear()

    close = aclose
    reset = aclose


__all__ = ["ClusterNode", "ClusterPipeline", "ClusterPubSub", "LoadBalancingStrategy",
           "RedisCluster"]

