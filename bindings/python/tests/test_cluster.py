"""``oxredis.cluster.RedisCluster`` against a real 6-node cluster (3 primaries, 3 replicas;
the session's ``cluster`` fixture): routing by key slot, node flags and ``target_nodes=``, the
multi-node replies in redis-py's shapes, the non-atomic multi-key helpers, pipelines across
shards, redirects after a slot migration, SCAN over every primary, replica reads and pub/sub.
Every test runs on RESP2 and RESP3 unless it says otherwise."""

import datetime
import inspect
import itertools
import re
import time

import pytest

import oxredis
from oxredis.cluster import ClusterNode, LoadBalancingStrategy, RedisCluster
from oxredis.exceptions import (
    ClusterDownError,
    ConnectionError,
    CrossSlotTransactionError,
    MovedError,
    RedisClusterException,
    RedisError,
    ResponseError,
    SlotNotCoveredError,
)

# Keys whose slots are served by each of the three primaries (slots 0-5460, 5461-10922,
# 10923-16383): b 3300, c 7365, a 15495.
SHARD_KEYS = ["b", "c", "a"]


@pytest.fixture
def rc(cluster, protocol):
    client = RedisCluster(host="127.0.0.1", port=cluster.ports[0], protocol=protocol)
    client.flushall()
    yield client
    client.close()


def _slot_owner(cluster, key):
    """The primary port of ``key``'s slot, from a node's own CLUSTER KEYSLOT and SLOTS."""
    return cluster.primary_of(cluster.cmd(cluster.ports[0], "CLUSTER", "KEYSLOT", key))


def test_keys_on_every_shard_are_set_and_read_back(cluster, rc):
    for i, key in enumerate(SHARD_KEYS):
        assert rc.set(key, f"v{i}") is True
    assert [rc.get(k) for k in SHARD_KEYS] == [b"v0", b"v1", b"v2"]
    # Each key is on the primary that serves its slot, one per shard.
    owners = [_slot_owner(cluster, k) for k in SHARD_KEYS]
    assert owners == cluster.ports[:3]
    for key, port, i in zip(SHARD_KEYS, owners, range(3)):
        assert cluster.cmd(port, "GET", key) == f"v{i}".encode()
    assert rc.append("a", "+") == 3
    assert rc.get("a") == b"v2+"
    assert rc["b"] == b"v0" and "c" in rc and "nope" not in rc
    assert rc.get_protocol() == rc._native.protocol


def test_keyslot_and_hash_tags(cluster):
    rc = RedisCluster(host="127.0.0.1", port=cluster.ports[1])
    assert rc.keyslot("foo") == 12182
    assert rc.keyslot(b"foo") == 12182
    assert rc.keyslot("123456789") == 12739
    assert rc.keyslot("{user1000}.following") == 3443
    assert rc.keyslot("{user1000}.followers") == 3443
    assert rc.keyslot("foo{}{bar}") == 8363  # empty tag: the whole key
    assert rc.keyslot("foo{{bar}}zap") == 4015  # the tag is "{bar"
    assert rc.keyslot("foo{bar}{zap}") == rc.keyslot("bar") == 5061
    for key in ("foo", "{user1000}.x", "foo{}{bar}", "foo{{bar}}zap", 12345, "é"):
        assert rc.keyslot(key) == cluster.cmd(cluster.ports[0], "CLUSTER", "KEYSLOT", key)


def test_get_node_from_key_matches_cluster_shards(cluster):
    rc = RedisCluster(host="127.0.0.1", port=cluster.ports[2])
    shards = cluster.cmd(cluster.ports[0], "CLUSTER", "SHARDS")
    for key in SHARD_KEYS + ["foo", "{user1000}.x", "k:17"]:
        slot = cluster.cmd(cluster.ports[0], "CLUSTER", "KEYSLOT", key)
        # CLUSTER SHARDS (RESP2): [b"slots", [start, end, ...], b"nodes", [node...]] per shard,
        # each node a flat [b"id", id, b"port", port, ..., b"role", b"master"|b"replica"...].
        for shard in shards:
            info = dict(zip(shard[::2], shard[1::2]))
            ranges = info[b"slots"]
            if any(ranges[i] <= slot <= ranges[i + 1] for i in range(0, len(ranges), 2)):
                nodes = [dict(zip(n[::2], n[1::2])) for n in info[b"nodes"]]
                primary = [n[b"port"] for n in nodes if n[b"role"] == b"master"]
                replica = [n[b"port"] for n in nodes if n[b"role"] == b"replica"]
                break
        else:
            raise AssertionError(f"slot {slot} in no shard")
        node = rc.get_node_from_key(key)
        assert (node.host, node.port, node.server_type) == ("127.0.0.1", primary[0], "primary")
        assert node.name == f"127.0.0.1:{primary[0]}"
        assert node.redis_connection.get_connection_kwargs()["port"] == primary[0]
        replica_node = rc.get_node_from_key(key, replica=True)
        assert (replica_node.port, replica_node.server_type) == (replica[0], "replica")


def test_nodes_and_default_node(cluster):
    rc = RedisCluster(startup_nodes=[ClusterNode("localhost", cluster.ports[4]),
                                     ClusterNode("127.0.0.1", 1)])
    assert sorted(n.port for n in rc.get_nodes()) == sorted(cluster.ports)
    assert sorted(n.port for n in rc.get_primaries()) == sorted(cluster.ports[:3])
    assert sorted(n.port for n in rc.get_replicas()) == sorted(cluster.ports[3:])
    assert {n.server_type for n in rc.get_primaries()} == {"primary"}
    assert {n.server_type for n in rc.get_replicas()} == {"replica"}
    # ClusterNode: localhost resolved, equality and hash by name.
    assert ClusterNode("localhost", 7000).name == "127.0.0.1:7000"
    assert ClusterNode("127.0.0.1", 7000) == ClusterNode("localhost", "7000")
    assert len({ClusterNode("127.0.0.1", 7000), ClusterNode("localhost", 7000)}) == 1
    node = rc.get_node(host="localhost", port=cluster.ports[5])
    assert (node.port, node.server_type) == (cluster.ports[5], "replica")
    assert rc.get_node(node_name=f"127.0.0.1:{cluster.ports[1]}").server_type == "primary"
    assert rc.get_node("127.0.0.1", 1) is None and rc.get_node() is None
    default = rc.get_default_node()
    assert default.server_type == "primary" and default.port in cluster.ports[:3]
    other = next(n for n in rc.get_primaries() if n != default)
    assert rc.set_default_node(other) is True
    assert rc.get_default_node() == other
    # DBSIZE goes to the default node: its own count.
    rc.flushall()
    key = next(k for k in SHARD_KEYS if _slot_owner(cluster, k) == other.port)
    rc.set(key, "x")
    assert rc.dbsize() == 1
    assert rc.set_default_node(ClusterNode("127.0.0.1", 1)) is False
    assert rc.set_default_node(None) is False
    assert rc.get_default_node() == other


def test_multi_node_replies_in_redis_py_shapes(cluster, rc):
    keys = [f"k:{i}" for i in range(30)]
    for k in keys:
        rc.set(k, "v")
    per_primary = [cluster.cmd(p, "DBSIZE") for p in cluster.ports[:3]]
    assert sum(per_primary) == 30 and all(n > 0 for n in per_primary)
    assert rc.dbsize(target_nodes=RedisCluster.PRIMARIES) == 30
    default = rc.get_default_node()
    assert rc.dbsize() == cluster.cmd(default.port, "DBSIZE")
    assert rc.dbsize(target_nodes=default) == cluster.cmd(default.port, "DBSIZE")
    assert sorted(rc.keys(target_nodes=RedisCluster.PRIMARIES)) == sorted(k.encode() for k in keys)
    assert sorted(rc.keys("k:1*", target_nodes=rc.get_primaries())) == sorted(
        k.encode() for k in keys if k.startswith("k:1"))
    assert rc.ping() is True
    assert rc.ping(target_nodes=RedisCluster.ALL_NODES) is True
    info = rc.info(target_nodes=RedisCluster.ALL_NODES)
    assert sorted(info) == sorted(f"127.0.0.1:{p}" for p in cluster.ports)
    assert {i["role"] for i in info.values()} == {"master", "slave"}
    assert all(i["tcp_port"] == int(name.rsplit(":", 1)[1]) for name, i in info.items())
    assert rc.info("server")["tcp_port"] == default.port
    replica_info = rc.info("replication", target_nodes=RedisCluster.REPLICAS)
    assert len(replica_info) == 3 and {i["role"] for i in replica_info.values()} == {"slave"}
    assert rc.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
    all_configs = rc.config_get("maxmemory-policy", target_nodes=RedisCluster.ALL_NODES)
    assert all_configs == {f"127.0.0.1:{p}": {"maxmemory-policy": "noeviction"}
                           for p in cluster.ports}
    assert rc.config_set("slowlog-max-len", 200, target_nodes=RedisCluster.ALL_NODES) is True
    assert {cluster.cmd(p, "CONFIG", "GET", "slowlog-max-len")[1] for p in cluster.ports} == {
        b"200"}
    rc.config_set("slowlog-max-len", 128, target_nodes=RedisCluster.ALL_NODES)
    assert rc.execute_command("DBSIZE", target_nodes=RedisCluster.PRIMARIES) == 30
    # FLUSHALL goes to every primary; redis-py returns each primary's reply.
    assert rc.flushall() == {f"127.0.0.1:{p}": True for p in cluster.ports[:3]}
    assert rc.dbsize(target_nodes=RedisCluster.PRIMARIES) == 0
    with pytest.raises(TypeError):
        rc.ping(target_nodes=42)
    # A reply's Python post-processing applies to each node's reply, as redis-py's callbacks.
    saves = rc.lastsave(target_nodes=RedisCluster.ALL_NODES)
    assert sorted(saves) == sorted(f"127.0.0.1:{p}" for p in cluster.ports)
    assert all(isinstance(t, datetime.datetime) for t in saves.values())
    rc.set_response_callback("TIME", lambda reply: ("time", len(reply)))
    assert rc.time() == ("time", 2)
    assert rc.time(target_nodes=RedisCluster.PRIMARIES) == {
        f"127.0.0.1:{p}": ("time", 2) for p in cluster.ports[:3]}


def test_mget_mset_nonatomic_and_split_commands(rc):
    mapping = {"b": 1, "c": "two", "a": b"3", "{b}x": 4.5}
    # One MSET per slot: b and {b}x share slot 3300.
    assert rc.mset_nonatomic(mapping) == [True, True, True]
    assert rc.mget_nonatomic(["a", "missing", "{b}x", "c", "b"]) == [
        b"3", None, b"4.5", b"two", b"1"]
    assert rc.mget_nonatomic("a", "b") == [b"3", b"1"]
    assert rc.mget_nonatomic([]) == []
    assert rc.mset_nonatomic({}) == []
    with pytest.raises(RedisClusterException, match="slot"):
        rc.mget(["a", "b"])
    assert rc.mget(["b", "{b}x"]) == [b"1", b"4.5"]
    # DEL, EXISTS, TOUCH, UNLINK are split per slot and summed.
    assert rc.exists("a", "b", "c", "{b}x", "missing") == 4
    assert rc.touch("a", "b") == 2
    assert rc.delete("a", "b", "missing") == 2
    assert rc.unlink("c", "{b}x") == 2
    assert rc.exists("a", "b", "c", "{b}x") == 0


def test_pipeline_across_shards_keeps_the_order(rc):
    pipe = rc.pipeline()
    for i, key in enumerate(SHARD_KEYS * 2):
        pipe.incrby(key, i + 1)
    pipe.get("a").get("b").get("c").set("s", "x").lpush("s", 1).get("s")
    assert pipe.execute(raise_on_error=False)[:9] == [1, 2, 3, 5, 7, 9, b"9", b"5", b"7"]
    results = rc.pipeline().set("s", "x").lpush("s", 1).get("s").execute(raise_on_error=False)
    assert results[0] is True and results[2] == b"x"
    assert isinstance(results[1], ResponseError) and "WRONGTYPE" in str(results[1])
    with pytest.raises(ResponseError, match="WRONGTYPE"):
        rc.pipeline().lpush("s", 1).execute()
    assert len(rc.pipeline()) == 0 and rc.pipeline().execute() == []
    with rc.pipeline() as pipe:
        pipe.set("{t}1", "a").set("{t}2", "b").mget(["{t}1", "{t}2"])
        assert pipe.execute() == [True, True, [b"a", b"b"]]
    # A transaction runs on the primary of its one slot.
    with rc.pipeline(transaction=True) as tx:
        tx.incr("{t}n").incr("{t}n").get("{t}1")
        assert tx.execute() == [1, 2, b"a"]
    with pytest.raises(CrossSlotTransactionError):
        rc.pipeline(transaction=True).set("a", 1).set("b", 2).execute()
    with pytest.raises(RedisClusterException):
        rc.pipeline(shard_hint="x")
    with pytest.raises(RedisClusterException):
        rc.pipeline().watch("a")


class _Migration:
    """Moves a slot from the primary at ``source`` to the one at ``target`` as redis-cli
    --cluster reshard does: IMPORTING/MIGRATING, MIGRATE of its keys, then SETSLOT NODE."""

    def __init__(self, cluster, slot, source, target):
        self.cluster, self.slot, self.source, self.target = cluster, slot, source, target
        self.ids = {p: cluster.cmd(p, "CLUSTER", "MYID").decode() for p in (source, target)}
        cluster.cmd(target, "CLUSTER", "SETSLOT", slot, "IMPORTING", self.ids[source])
        cluster.cmd(source, "CLUSTER", "SETSLOT", slot, "MIGRATING", self.ids[target])

    def move(self, *keys):
        self.cluster.cmd(self.source, "MIGRATE", "127.0.0.1", self.target, "", 0, 5000,
                         "KEYS", *keys)

    def finish(self):
        """Hands the slot to the target, as crates/oxredis-test-support's finish_migration
        does: once every node agrees on the current epoch, the target bumps its own, so its
        claim outranks what the source gossiped before it let go. Without that, a second move
        could leave the target's claim on an epoch the others already saw lower than the
        source's, and the nodes would disagree on the slot for good (seen on Valkey 9.1)."""
        cluster = self.cluster

        def current_epochs():
            return {re.search(rb"cluster_current_epoch:(\d+)", cluster.cmd(p, "CLUSTER", "INFO"))
                    .group(1) for p in cluster.ports}

        cluster._wait(lambda: len(current_epochs()) == 1, "one current epoch on every node")
        cluster.cmd(self.target, "CLUSTER", "BUMPEPOCH")
        others = [p for p in cluster.ports[:3] if p not in (self.source, self.target)]
        for port in [self.target, self.source, *others]:
            cluster.cmd(port, "CLUSTER", "SETSLOT", self.slot, "NODE", self.ids[self.target])
        # Settled once every node, replicas too, names the target and knows its new config
        # epoch: a next move started before could still be overridden by this one's gossip.
        info = cluster.cmd(self.target, "CLUSTER", "INFO")
        epoch = re.search(rb"cluster_my_epoch:(\d+)", info).group(1)
        target_id = self.ids[self.target].encode()

        def settled(port):
            nodes = cluster.cmd(port, "CLUSTER", "NODES").splitlines()
            line = next(n for n in nodes if n.startswith(target_id))
            return (line.split()[6] == epoch
                    and cluster.primary_of(self.slot, via=port) == self.target)

        cluster._wait(lambda: all(settled(p) for p in cluster.ports),
                      "every node names the target with its new epoch")


def test_ask_and_moved_after_a_slot_migration(cluster, protocol):
    rc = RedisCluster(host="127.0.0.1", port=cluster.ports[0], protocol=protocol)
    key, other = "{mv}k", "{mv}other"
    slot = rc.keyslot(key)
    source = rc.get_node_from_key(key).port
    target = next(p for p in cluster.ports[:3] if p != source)
    rc.set(key, "before")
    rc.set(other, "stays")
    rc.delete("b")
    try:
        migration = _Migration(cluster, slot, source, target)
        migration.move(key)
        # Migrating: the source answers ASK for the moved key (ASKING on the target), and
        # serves the key it still has.
        assert rc.get(key) == b"before"
        assert rc.get(other) == b"stays"
        assert rc.get_node_from_key(key).port == source  # ASK does not change the map
        migration.move(other)
        migration.finish()
        # Migrated: MOVED to the target, which the client follows and remembers.
        assert rc.get(key) == b"before"
        assert rc.set(key, "after") is True
        assert cluster.cmd(target, "GET", key) == b"after"
        assert rc.get_node_from_key(key).port == target
        # A pipeline with a stale map (a client that learnt the map before the move back).
        stale = RedisCluster(host="127.0.0.1", port=cluster.ports[0], protocol=protocol)
        assert stale.get_node_from_key(key).port == target
        back = _Migration(cluster, slot, target, source)
        back.move(key, other)
        back.finish()
        assert stale.pipeline().get(key).get(other).get("b").execute() == [
            b"after", b"stays", None]
        assert cluster.cmd(source, "GET", key) == b"after"
        assert stale.get_node_from_key(key).port == source
    finally:
        cluster._wait(cluster._healthy, "slot map settled")
    assert cluster.primary_of(slot) == source


def test_a_redirect_loop_ends_in_moved_error(cluster):
    rc = RedisCluster(host="127.0.0.1", port=cluster.ports[0])
    key = "{loop}k"
    slot = rc.keyslot(key)
    owner = rc.get_node_from_key(key).port
    other = next(p for p in cluster.ports[:3] if p != owner)
    ids = {p: cluster.cmd(p, "CLUSTER", "MYID").decode() for p in (owner, other)}
    # The owner hands the (empty) slot to `other`, which still thinks the owner has it: each
    # answers MOVED to the other.
    cluster.cmd(owner, "CLUSTER", "SETSLOT", slot, "NODE", ids[other])
    try:
        with pytest.raises(MovedError, match=f"MOVED {slot}"):
            rc.get(key)
    finally:
        cluster.cmd(owner, "CLUSTER", "SETSLOT", slot, "NODE", ids[owner])
        cluster._wait(cluster._healthy, "slot map settled")
    assert rc.get(key) is None


def test_scan_iter_yields_every_key_once(rc):
    keys = {f"scan:{i}".encode() for i in range(300)}
    rc.mset_nonatomic({k: "v" for k in keys})
    rc.rpush("scan:list", 1)
    seen = list(rc.scan_iter(count=50))
    assert len(seen) == len(set(seen)) == 301
    assert set(seen) == keys | {b"scan:list"}
    assert set(rc.scan_iter(match="scan:1?")) == {f"scan:1{i}".encode() for i in range(10)}
    assert list(rc.scan_iter(_type="list")) == [b"scan:list"]
    primaries = rc.get_primaries()
    assert set(rc.scan_iter(match="scan:2*", target_nodes=primaries)) == {
        k for k in keys if k.startswith(b"scan:2")}
    cursors, page = rc.scan(0, count=1000)
    assert sorted(cursors) == sorted(n.name for n in primaries)
    assert set(cursors.values()) == {0} and len(page) == 301
    node = primaries[0]
    cursors, page = rc.scan(0, count=1000, target_nodes=node)
    assert cursors == {node.name: 0}
    assert set(page) == {k for k in keys | {b"scan:list"}
                         if rc.get_node_from_key(k).name == node.name}


def test_decode_responses(cluster, protocol):
    rc = RedisCluster(host="127.0.0.1", port=cluster.ports[0], protocol=protocol,
                      decode_responses=True)
    rc.mset_nonatomic({"a": "1", "b": "2"})
    assert rc.mget_nonatomic(["b", "a"]) == ["2", "1"]
    assert sorted(rc.scan_iter(match="[ab]")) == ["a", "b"]
    assert sorted(rc.keys("[ab]", target_nodes=RedisCluster.PRIMARIES)) == ["a", "b"]
    assert rc.pipeline().get("a").hset("h", "f", "é").hgetall("h").execute() == [
        "1", 1, {"f": "é"}]
    rc.delete("a", "b", "h")


def _get_calls(cluster, port):
    stats = cluster.node(port).info("commandstats")
    return stats.get("cmdstat_get", {}).get("calls", 0)


def _replicated(cluster, port, key, value):
    """Waits until the replica at ``port`` has ``key`` = ``value`` (read after READONLY, on
    a connection of its own)."""
    with oxredis.Redis(host="127.0.0.1", port=port, single_connection_client=True) as r:
        r.execute_command("READONLY")
        cluster._wait(lambda: r.get(key) == value, "replicated")


def test_read_from_replicas(cluster, protocol):
    rc = RedisCluster(host="127.0.0.1", port=cluster.ports[0], protocol=protocol,
                      read_from_replicas=True)
    key = "b"  # primary ports[0], replica ports[3]
    primary, replica = rc.get_node_from_key(key), rc.get_node_from_key(key, replica=True)
    assert (primary.port, replica.port) == (cluster.ports[0], cluster.ports[3])
    assert rc.set(key, "r") is True
    _replicated(cluster, replica.port, key, b"r")
    before = _get_calls(cluster, primary.port), _get_calls(cluster, replica.port)
    assert [rc.get(key) for _ in range(10)] == [b"r"] * 10
    after = _get_calls(cluster, primary.port), _get_calls(cluster, replica.port)
    # Round robin over the primary and its replica.
    assert (after[0] - before[0], after[1] - before[1]) == (5, 5)
    # Writes still go to the primary.
    assert rc.set(key, "w") is True and cluster.cmd(primary.port, "GET", key) == b"w"
    _replicated(cluster, replica.port, key, b"w")
    # Replicas only.
    only = RedisCluster(host="127.0.0.1", port=cluster.ports[0], protocol=protocol,
                        load_balancing_strategy=LoadBalancingStrategy.ROUND_ROBIN_REPLICAS)
    before = _get_calls(cluster, primary.port), _get_calls(cluster, replica.port)
    assert [only.get(key) for _ in range(4)] == [b"w"] * 4
    after = _get_calls(cluster, primary.port), _get_calls(cluster, replica.port)
    assert (after[0] - before[0], after[1] - before[1]) == (0, 4)
    # readwrite(): primaries only again; readonly(): round robin again.
    assert rc.readwrite() is True and rc.read_from_replicas is False
    before = _get_calls(cluster, replica.port)
    assert [rc.get(key) for _ in range(4)] == [b"w"] * 4
    assert _get_calls(cluster, replica.port) == before
    assert rc.readonly() is True
    assert [rc.get(key) for _ in range(4)] == [b"w"] * 4
    assert _get_calls(cluster, replica.port) == before + 2
    rc.delete(key)


def test_pubsub_and_sharded_pubsub(cluster, rc):
    p = rc.pubsub()
    p.subscribe("news")
    assert p.get_message(timeout=1) == {"type": "subscribe", "pattern": None,
                                        "channel": b"news", "data": 1}
    # A message published on any node reaches the subscribers of every node.
    rc.publish("news", "hello")
    assert p.get_message(timeout=2) == {"type": "message", "pattern": None,
                                        "channel": b"news", "data": b"hello"}
    assert p.get_pubsub_node() == rc.get_default_node()
    node_client = p.get_redis_connection()
    assert node_client.info("server")["tcp_port"] == rc.get_default_node().port
    p.execute_command("PING", "through the node")
    assert p.get_message(timeout=2) == {"type": "pong", "pattern": None, "channel": None,
                                        "data": b"through the node"}
    s = rc.pubsub()
    s.ssubscribe("ch{b}", "ch{a}")  # two slots: two primaries
    confirmations = [s.get_sharded_message(timeout=1) for _ in range(2)]
    assert sorted((m["type"], m["channel"], m["data"]) for m in confirmations) == [
        ("ssubscribe", b"ch{a}", 1), ("ssubscribe", b"ch{b}", 1)]
    assert rc.spublish("ch{a}", "to a") == 1
    assert rc.spublish("ch{b}", "to b") == 1
    messages = [s.get_sharded_message(timeout=2) for _ in range(2)]
    assert sorted((m["type"], m["channel"], m["data"]) for m in messages) == [
        ("smessage", b"ch{a}", b"to a"), ("smessage", b"ch{b}", b"to b")]
    assert s.get_sharded_message(timeout=0.05) is None
    received = []
    s.ssubscribe(**{"ch{c}": received.append})
    assert s.get_sharded_message(ignore_subscribe_messages=True, timeout=0.2) is None
    rc.spublish("ch{c}", "handled")
    deadline = time.monotonic() + 2
    while not received and time.monotonic() < deadline:
        s.get_sharded_message(timeout=0.1)
    assert [(m["channel"], m["data"]) for m in received] == [(b"ch{c}", b"handled")]
    assert sorted(s.shard_channels) == [b"ch{a}", b"ch{b}", b"ch{c}"]
    s.sunsubscribe("ch{b}")
    m = s.get_sharded_message(timeout=2)
    assert (m["type"], m["channel"], m["data"]) == ("sunsubscribe", b"ch{b}", 0)
    assert sorted(s.shard_channels) == [b"ch{a}", b"ch{c}"]
    # All of them: only the slots still holding channels answer (ch{b}'s connection, now
    # empty, is not asked, so no confirmation without a channel arrives).
    s.sunsubscribe()
    gone = []
    while (m := s.get_sharded_message(timeout=0.3)) is not None:
        gone.append((m["type"], m["channel"], m["data"]))
    assert sorted(gone) == [("sunsubscribe", b"ch{a}", 0), ("sunsubscribe", b"ch{c}", 0)]
    assert s.shard_channels == {} and s.subscribed is False
    assert rc.spublish("ch{a}", "gone") == 0
    on_node = rc.pubsub(node=rc.get_primaries()[1])
    assert on_node.get_pubsub_node() == rc.get_primaries()[1]
    with pytest.raises(RedisClusterException):
        rc.pubsub(host="127.0.0.1", port=1)
    for sub in (p, s, on_node):
        sub.close()


def _numsub(cluster, port, kind, channel) -> int:
    """PUBSUB NUMSUB (or SHARDNUMSUB) of ``channel`` on the node at ``port``."""
    return cluster.cmd(port, "PUBSUB", kind, channel)[1]


def _wait_numsub(cluster, port, kind, channel, count):
    cluster._wait(lambda: _numsub(cluster, port, kind, channel) == count,
                  f"{kind} {channel} {count} on {port}", timeout=5)


def test_pubsub_node_disconnect_and_reinitialize(cluster, rc):
    from oxredis.exceptions import DataError

    first, second, third = (n.port for n in rc.get_primaries())
    p = rc.pubsub()
    # Nothing subscribed: set_pubsub_node moves the connection to come.
    p.set_pubsub_node(rc, rc.get_node("127.0.0.1", second))
    assert p.get_pubsub_node().port == second
    p.subscribe("n")
    assert p.get_message(timeout=2)["type"] == "subscribe"
    _wait_numsub(cluster, second, "NUMSUB", "n", 1)
    with pytest.raises(DataError, match="Passing a host requires passing a port"):
        p.set_pubsub_node(rc, host="127.0.0.1")
    with pytest.raises(RedisClusterException, match="127.0.0.1:1 doesn't exist"):
        p.set_pubsub_node(rc, host="127.0.0.1", port=1)
    # Subscribed: the node changes, the connection stays where it is (as redis-py's).
    p.set_pubsub_node(rc, rc.get_node("127.0.0.1", third))
    assert p.get_pubsub_node().port == third
    assert _numsub(cluster, second, "NUMSUB", "n") == 1
    # disconnect keeps the subscription: the next read subscribes again.
    p.disconnect()
    _wait_numsub(cluster, second, "NUMSUB", "n", 0)
    assert p.get_message(timeout=2) == {"type": "subscribe", "pattern": None,
                                        "channel": b"n", "data": 1}
    rc.publish("n", "back")  # counts the receiving node's subscribers only
    assert p.get_message(timeout=2)["data"] == b"back"
    p.close()


async def _value(v):
    """``v``, awaited when it is awaitable: one test body drives both clients."""
    return await v if inspect.isawaitable(v) else v


@pytest.mark.parametrize("flavour", ["blocking", "asyncio"])
def test_reinitialize_shard_subscriptions_follows_a_moved_slot(cluster, protocol, flavour):
    import asyncio

    import oxredis.asyncio as aredis

    kind = RedisCluster if flavour == "blocking" else aredis.RedisCluster
    rc = kind(host="127.0.0.1", port=cluster.ports[0], protocol=protocol)
    channel = "mv{pubsub-move}"
    slot = rc.keyslot(channel)
    primaries = [n.port for n in RedisCluster(host="127.0.0.1",
                                              port=cluster.ports[0]).get_primaries()]

    async def next_sharded(s, timeout=0.5):
        return await _value(s.get_sharded_message(timeout=timeout))

    async def body():
        await _value(rc.ping())  # the slot map
        s = rc.pubsub()
        await _value(s.ssubscribe(channel))
        assert (await next_sharded(s, 2))["type"] == "ssubscribe"
        source = rc.get_node_from_key(channel).port
        target = next(port for port in primaries if port != source)
        await _value(s.reinitialize_shard_subscriptions())  # nothing moved: nothing happens
        assert await next_sharded(s, 0.2) is None
        assert _numsub(cluster, source, "SHARDNUMSUB", channel) == 1
        try:
            _Migration(cluster, slot, source, target).finish()
            with pytest.raises(MovedError):
                cluster.cmd(source, "GET", channel)
            await _value(rc.get(channel))  # MOVED: the client learns the new owner
            assert rc.get_node_from_key(channel).port == target
            await _value(s.reinitialize_shard_subscriptions())
            # Read until quiet: the new owner's confirmation (and, from servers that drop a
            # moved slot's subscribers, the old owner's sunsubscribe) arrive.
            kinds = []
            while (m := await next_sharded(s)) is not None:
                kinds.append(m["type"])
            assert kinds[-1] == "ssubscribe" and set(kinds) <= {"ssubscribe", "sunsubscribe"}
            _wait_numsub(cluster, target, "SHARDNUMSUB", channel, 1)
            assert await _value(rc.spublish(channel, "moved")) == 1
            assert await next_sharded(s, 2) == {"type": "smessage", "pattern": None,
                                                "channel": channel.encode(), "data": b"moved"}
        finally:
            await _value(s.aclose() if flavour == "asyncio" else s.close())
            _Migration(cluster, slot, target, source).finish()
            cluster._wait(cluster._healthy, "slot map settled")
            await _value(rc.aclose() if flavour == "asyncio" else rc.close())

    asyncio.run(body())


def _get_calls(cluster, port) -> int:
    """How many GETs the node at ``port`` has run (INFO commandstats)."""
    return cluster.cmd(port, "INFO", "commandstats").get("cmdstat_get", {}).get("calls", 0)


@pytest.mark.parametrize("flavour", ["blocking", "asyncio"])
def test_client_side_caching(cluster, flavour):
    import asyncio

    import oxredis.asyncio as aredis
    from oxredis.cache import CacheConfig

    kind = RedisCluster if flavour == "blocking" else aredis.RedisCluster
    rc = kind(host="127.0.0.1", port=cluster.ports[0], protocol=3, cache_config=CacheConfig())
    plain = RedisCluster(host="127.0.0.1", port=cluster.ports[0])
    keys, owners = [], []  # one key on each primary
    for i in itertools.count():
        key = f"csc-{flavour}-{i}"
        owner = plain.get_node_from_key(key).port
        if owner not in owners:
            keys.append(key)
            owners.append(owner)
        if len(keys) == 3:
            break

    async def body():
        for k in keys:
            plain.set(k, "v1")
        before = [_get_calls(cluster, port) for port in owners]
        for _ in range(3):
            assert [await _value(rc.get(k)) for k in keys] == [b"v1"] * 3
        # Each node ran its key's GET once: the other reads came from the cache.
        assert [_get_calls(cluster, port) for port in owners] == [n + 1 for n in before]
        # Another client's write: the node's invalidation drops the entry.
        plain.set(keys[1], "v2")
        deadline = time.monotonic() + 5
        while (value := await _value(rc.get(keys[1]))) != b"v2":
            assert value == b"v1" and time.monotonic() < deadline
            await asyncio.sleep(0.01)
        # Its own write drops the entry at once.
        await _value(rc.set(keys[2], "v3"))
        assert await _value(rc.get(keys[2])) == b"v3"
        await _value(rc.aclose() if flavour == "asyncio" else rc.close())

    asyncio.run(body())
    with pytest.raises(RedisError, match="only supported with RESP version 3"):
        kind(host="127.0.0.1", port=cluster.ports[0], protocol=2, cache_config=CacheConfig())


def test_errors_and_options(cluster):
    port = cluster.ports[0]
    with pytest.raises(RedisClusterException, match="at least one node"):
        RedisCluster()
    with pytest.raises(RedisClusterException, match="'db'"):
        RedisCluster(host="127.0.0.1", port=port, db=1)
    with pytest.raises(RedisClusterException, match="db"):
        RedisCluster.from_url(f"redis://127.0.0.1:{port}/2")
    with pytest.raises(RedisClusterException, match="Unix"):
        RedisCluster.from_url("unix:///tmp/nothing.sock")
    with pytest.raises(ConnectionError):
        RedisCluster(host="127.0.0.1", port=1)
    rc = RedisCluster.from_url(f"redis://127.0.0.1:{cluster.ports[2]}/0",
                               decode_responses=True)
    assert rc.set("u", 1) is True and rc.get("u") == "1"
    assert rc.get_connection_kwargs()["decode_responses"] is True
    with pytest.raises(ResponseError, match="WRONGTYPE"):
        rc.lpush("u", 1)
    rc.delete("u")
    # A cluster whose slots are not all served: one fresh node serving slots 0-100.
    from conftest import Server, _free_cluster_port

    lone = Server(["--cluster-enabled", "yes"], port=_free_cluster_port())
    try:
        cluster.cmd(lone.port, "CLUSTER", "ADDSLOTSRANGE", 0, 100)
        # require_full_coverage (redis-py's default) refuses it.
        with pytest.raises(SlotNotCoveredError, match="101 of 16384"):
            RedisCluster(host="127.0.0.1", port=lone.port)
        partial = RedisCluster(host="127.0.0.1", port=lone.port, require_full_coverage=False,
                               cluster_error_retry_attempts=0)
        key = next(k for k in (f"p{i}" for i in range(10000)) if partial.keyslot(k) <= 100)
        assert partial.get_node_from_key(key).port == lone.port
        assert [n.port for n in partial.get_nodes()] == [lone.port]
        with pytest.raises(SlotNotCoveredError):
            partial.get_node_from_key("foo")
        # The node refuses commands itself: its cluster does not cover every slot
        # (cluster-require-full-coverage yes, the server's default).
        with pytest.raises(ClusterDownError, match="CLUSTERDOWN"):
            partial.get(key)
    finally:
        lone.stop()


def test_lock_and_scripts(rc):
    with rc.lock("lk", timeout=5) as lock:
        assert lock.owned() and rc.get("lk") is not None
    assert rc.get("lk") is None
    script = rc.register_script("return redis.call('INCRBY', KEYS[1], ARGV[1])")
    assert script(keys=["a"], args=[5]) == 5
    assert script(keys=["b"], args=[2]) == 2
    assert rc.script_exists(script.sha) == [True]
    pipe = rc.pipeline()
    script(keys=["c"], args=[3], client=pipe)
    pipe.get("c")
    assert pipe.execute() == [3, b"3"]
    assert rc.script_flush() is True
    assert rc.script_exists(script.sha) == [False]


# --- asyncio -----------------------------------------------------------------------------------
def test_asyncio_cluster(cluster, protocol):
    import asyncio

    import oxredis.asyncio as aredis
    from oxredis.asyncio.cluster import RedisCluster as AsyncRedisCluster

    assert aredis.RedisCluster is AsyncRedisCluster

    async def main():
        rc = aredis.RedisCluster(host="127.0.0.1", port=cluster.ports[1], protocol=protocol)
        assert rc.get_nodes() == []  # the slot map is fetched by initialize()
        assert await rc.initialize() is rc
        assert sorted(n.port for n in rc.get_primaries()) == sorted(cluster.ports[:3])
        assert len(rc.get_replicas()) == 3
        assert await rc.flushall() == {f"127.0.0.1:{p}": True for p in cluster.ports[:3]}
        for i, key in enumerate(SHARD_KEYS):
            assert await rc.set(key, i) is True
        assert [await rc.get(k) for k in SHARD_KEYS] == [b"0", b"1", b"2"]
        assert [rc.get_node_from_key(k).port for k in SHARD_KEYS] == cluster.ports[:3]
        # Many tasks at once, on every shard.
        await asyncio.gather(*(rc.incr(k) for k in SHARD_KEYS for _ in range(50)))
        assert await rc.mget_nonatomic(SHARD_KEYS) == [b"50", b"51", b"52"]
        assert await rc.dbsize(target_nodes=RedisCluster.PRIMARIES) == 3
        assert await rc.dbsize() == 1
        assert await rc.ping(target_nodes=RedisCluster.ALL_NODES) is True
        info = await rc.info("server", target_nodes=RedisCluster.ALL_NODES)
        assert sorted(info) == sorted(f"127.0.0.1:{p}" for p in cluster.ports)
        saves = await rc.lastsave(target_nodes=RedisCluster.PRIMARIES)
        assert len(saves) == 3
        assert all(isinstance(t, datetime.datetime) for t in saves.values())
        rc.set_response_callback("TIME", lambda reply: ("time", len(reply)))
        assert await rc.time(target_nodes=rc.get_default_node()) == ("time", 2)
        assert sorted(await rc.keys(target_nodes=RedisCluster.PRIMARIES)) == [b"a", b"b", b"c"]
        assert await rc.mset_nonatomic({"x": 1, "{x}y": 2, "z": 3}) == [True, True]
        assert await rc.mget_nonatomic("z", "{x}y", "nope") == [b"3", b"2", None]
        assert await rc.exists("a", "b", "c", "x", "z") == 5
        keys = [k async for k in rc.scan_iter()]
        assert sorted(keys) == [b"a", b"b", b"c", b"x", b"z", b"{x}y"]
        assert [k async for k in rc.scan_iter(match="{x}*")] == [b"{x}y"]
        async with rc.pipeline() as pipe:
            pipe.get("a").incr("b").get("c").set("x", "p")
            assert await pipe.execute() == [b"52", 51, b"51", True]
        pipe = rc.pipeline(transaction=True)
        pipe.incr("{x}y").get("x")
        assert await pipe.execute() == [3, b"p"]
        with pytest.raises(CrossSlotTransactionError):
            await rc.pipeline(transaction=True).set("a", 1).set("b", 2).execute()
        with pytest.raises(RedisClusterException):
            await rc.mget(["a", "b"])
        script = rc.register_script("return redis.call('GET', KEYS[1])")
        assert await script(keys=["x"]) == b"p"
        assert await rc.delete("a", "b", "c", "x", "z", "{x}y") == 6
        await rc.aclose()
        with pytest.raises(ConnectionError):
            await aredis.RedisCluster(host="127.0.0.1", port=1).initialize()
        async with aredis.RedisCluster.from_url(
                f"redis://127.0.0.1:{cluster.ports[0]}", decode_responses=True) as rd:
            assert await rd.set("s", "é") is True and await rd.get("s") == "é"
            assert await rd.delete("s") == 1

    asyncio.run(main())


# --- cluster management (redis-py's ClusterManagementCommands) -----------------------------------
def _node_id(cluster, port):
    return cluster.cmd(port, "CLUSTER", "MYID").decode()


def test_cluster_management_reads(cluster, rc, protocol):
    shards = cluster.shards()
    p = cluster.ports
    node = {port: rc.get_node("127.0.0.1", port) for port in p}
    info = rc.cluster_info()
    assert info["cluster_state"] == "ok" and info["cluster_known_nodes"] == "6"
    assert info["cluster_slots_assigned"] == "16384" and info["cluster_size"] == "3"
    every = rc.cluster_info(target_nodes=RedisCluster.ALL_NODES)
    assert sorted(every) == sorted(f"127.0.0.1:{port}" for port in p)
    assert all(i["cluster_state"] == "ok" for i in every.values())
    assert rc.cluster_info(target_nodes=node[p[1]])["cluster_state"] == "ok"
    assert rc.execute_command("CLUSTER INFO")["cluster_known_nodes"] == "6"
    assert rc.cluster("info")["cluster_state"] == "ok"

    ids = {port: _node_id(cluster, port) for port in p}
    assert rc.cluster_myid(node[p[2]]) == ids[p[2]].encode()
    nodes = rc.cluster_nodes()
    assert sorted(nodes) == sorted(f"127.0.0.1:{port}" for port in p)
    for start, end, primary, replicas in shards:
        entry = nodes[f"127.0.0.1:{primary}"]
        assert entry["node_id"] == ids[primary] and "master" in entry["flags"]
        assert [start, end] in [[int(x) for x in s] for s in entry["slots"]]
        assert entry["master_id"] == "-" and entry["connected"] is True
        assert entry["migrations"] == []
        for replica in replicas:
            r_entry = nodes[f"127.0.0.1:{replica}"]
            assert "slave" in r_entry["flags"] and r_entry["master_id"] == ids[primary]
            assert r_entry["slots"] == []
        replica_view = rc.cluster_replicas(ids[primary])
        assert sorted(replica_view) == [f"127.0.0.1:{port}" for port in replicas]
        assert all(v["master_id"] == ids[primary] for v in replica_view.values())

    # CLUSTER SLOTS and SHARDS as redis-py's RedisCluster parses them.
    slots = rc.cluster_slots()
    assert slots == {(start, end): {"primary": ("127.0.0.1", primary),
                                    "replicas": [("127.0.0.1", port) for port in replicas]}
                     for start, end, primary, replicas in shards}
    assert rc.cluster_slots(target_nodes=node[p[4]]) == slots
    parsed = rc.cluster_shards()
    assert len(parsed) == 3
    by_range = {tuple(s["slots"][0]): s for s in parsed}
    for start, end, primary, replicas in shards:
        shard = by_range[(start, end)]
        assert shard["slots"] == [(start, end)]
        roles = {n[b"port"]: n[b"role"] for n in shard["nodes"]}
        assert roles == {primary: b"master", **{port: b"replica" for port in replicas}}
        assert {n[b"id"] for n in shard["nodes"]} == {ids[primary].encode()} | {
            ids[port].encode() for port in replicas}

    assert rc.cluster_keyslot("foo") == 12182 == rc.cluster("keyslot", "foo")
    rc.set("foo", "1")
    rc.set("{foo}2", "2")
    assert rc.cluster_countkeysinslot(12182) == 2
    assert rc.cluster_countkeysinslot(0) == 0
    assert sorted(rc.cluster_get_keys_in_slot(12182, 10)) == ["foo", "{foo}2"]
    assert rc.cluster_get_keys_in_slot(0, 10) == []
    assert rc.cluster_count_failure_report(ids[p[0]]) == 0

    links = rc.cluster_links(node[p[0]])
    # Two links (to and from) per other node, each the flat list RESP2 sends.
    assert len(links) == 10
    peers = set()
    for link in links:
        fields = dict(zip(link[::2], link[1::2]))
        assert fields[b"direction"] in (b"to", b"from")
        peers.add(fields[b"node"])
    assert peers == {ids[port].encode() for port in p[1:]}

    if cluster.cmd(p[0], "COMMAND", "INFO", "CLUSTER|MYSHARDID") == [None]:
        with pytest.raises(ResponseError):
            rc.cluster_myshardid()
        pytest.skip("CLUSTER MYSHARDID needs Redis 7.2 (the rest of the test ran)")
    start, end, primary, replicas = shards[0]
    shard_id = rc.cluster_myshardid(target_nodes=node[primary])
    assert isinstance(shard_id, str) and len(shard_id) == 40
    assert rc.cluster_myshardid(target_nodes=node[replicas[0]]) == shard_id


def test_cluster_management_on_a_node_client(cluster, protocol):
    port = cluster.ports[3]
    with cluster.node(port, protocol) as r:
        assert r.readonly() is True
        assert r.readwrite() is True
        assert r.cluster("info")["cluster_state"] == "ok"
        assert r.cluster("keyslot", "foo") == 12182
        assert r.cluster("myid") == cluster.cmd(port, "CLUSTER", "MYID")
        assert f"127.0.0.1:{port}" in r.cluster("nodes")
        assert r.cluster("getkeysinslot", 0, 1) == []
        # A standalone client gives CLUSTER SLOTS as sent (redis-py parses it in RedisCluster
        # only).
        assert r.cluster("slots") == cluster.cmd(port, "CLUSTER", "SLOTS")


def test_cluster_management_writes(cluster, rc, protocol):
    p = cluster.ports
    shards = cluster.shards()
    start, end, owner, replicas = shards[-1]
    node = {port: rc.get_node("127.0.0.1", port) for port in p}
    owner_id = _node_id(cluster, owner)
    slot = end - 5
    try:
        # DELSLOTS on the slot's owner then ADDSLOTS back: the map is unchanged.
        assert rc.cluster_delslots(slot, slot + 1) == [True, True]
        assert rc.cluster_addslots(node[owner], slot, slot + 1) is True
        assert rc.cluster_delslotsrange(slot, slot + 2) is True
        assert rc.cluster_addslotsrange(node[owner], slot, slot + 2) is True
        with pytest.raises(ResponseError, match="already busy"):
            rc.cluster_addslots(node[owner], slot)
    finally:
        cluster._wait(cluster._healthy, "the cluster healthy again")
    assert cluster.shards() == shards
    # SETSLOT ... NODE to its owner, STABLE: no change.
    assert rc.cluster_setslot(node[owner], owner_id, slot, "NODE") is True
    assert rc.cluster_setslot_stable(slot) is True
    with pytest.raises(RedisError, match='For "stable" state please use'):
        rc.cluster_setslot(node[owner], owner_id, slot, "stable")
    with pytest.raises(RedisError, match="Invalid slot state: nope"):
        rc.cluster_setslot(node[owner], owner_id, slot, "nope")
    # MEET a node it knows; SAVECONFIG.
    assert rc.cluster_meet("127.0.0.1", p[1], target_nodes=node[p[0]]) is True
    assert rc.cluster_save_config(target_nodes=node[p[0]]) is True
    assert rc.cluster_save_config(target_nodes=RedisCluster.PRIMARIES) == {
        f"127.0.0.1:{port}": True for port in p[:3]}
    # The rest would change the cluster: their errors show what was sent where.
    with pytest.raises(ResponseError, match="only when the node does not know any other"):
        rc.cluster_set_config_epoch(7, target_nodes=node[p[0]])
    with pytest.raises(ResponseError, match="send CLUSTER FAILOVER to a replica"):
        rc.cluster_failover(node[owner])
    with pytest.raises(ResponseError, match="send CLUSTER FAILOVER to a replica"):
        rc.cluster_failover(node[owner], "force")
    with pytest.raises(RedisError, match="Invalid option for CLUSTER FAILOVER command: soon"):
        rc.cluster_failover(node[replicas[0]], "soon")
    rc.set("a", "1")  # a key on the last shard's primary
    with pytest.raises(ResponseError, match="containing keys"):
        rc.cluster_reset(target_nodes=node[owner])
    with pytest.raises(ResponseError, match="must be empty and without assigned slots"):
        rc.cluster_replicate(node[owner], _node_id(cluster, p[0]))
    for call, name in ((rc.cluster_flushslots, "FLUSHSLOTS"),
                       (rc.cluster_bumpepoch, "BUMPEPOCH")):
        with pytest.raises(NotImplementedError, match=f"CLUSTER {name} is intentionally"):
            call()
    for call, name in ((rc.slaveof, "SLAVEOF"), (rc.replicaof, "REPLICAOF"),
                       (lambda: rc.swapdb(0, 1), "SWAPDB")):
        with pytest.raises(RedisClusterException, match=f"{name} is not supported"):
            call()
    assert cluster.shards() == shards


def test_cluster_management_asyncio(cluster, protocol):
    import asyncio

    import oxredis.asyncio as aredis

    shards = cluster.shards()
    start, end, owner, replicas = shards[0]

    async def main():
        async with aredis.RedisCluster(host="127.0.0.1", port=cluster.ports[2],
                                       protocol=protocol) as rc:
            node = rc.get_node("127.0.0.1", owner)
            assert (await rc.cluster_info())["cluster_state"] == "ok"
            assert (await rc.cluster_myid(node)) == cluster.cmd(owner, "CLUSTER", "MYID")
            assert len(await rc.cluster_nodes()) == 6
            slots = await rc.cluster_slots()
            assert slots[(start, end)]["primary"] == ("127.0.0.1", owner)
            assert await rc.cluster_keyslot("foo") == 12182
            assert await rc.cluster_countkeysinslot(start) == 0
            assert (await rc.cluster_info(target_nodes=RedisCluster.PRIMARIES)).keys() == {
                f"127.0.0.1:{port}" for port in cluster.ports[:3]}
            try:
                assert await rc.cluster_delslots(start, start + 1) == [True, True]
                assert await rc.cluster_addslots(node, start, start + 1) is True
            finally:
                cluster._wait(cluster._healthy, "the cluster healthy again")
            with pytest.raises(RedisClusterException):
                rc.slaveof()

    asyncio.run(main())
    assert cluster.shards() == shards


# --- WATCH in cluster transactions (redis-py's TransactionStrategy) ------------------------------
def test_pipeline_watch_multi_exec(cluster, rc):
    from oxredis.exceptions import WatchError

    rc.set("{w}n", 5)
    other = RedisCluster(host="127.0.0.1", port=cluster.ports[2])
    with rc.pipeline(transaction=True) as pipe:
        pipe.watch("{w}n", "{w}m")
        assert pipe.watching is True
        # Between WATCH and MULTI the commands run at once, on the watched connection.
        assert pipe.get("{w}n") == b"5"
        assert pipe.exists("{w}m") == 0
        pipe.multi()
        pipe.incrby("{w}n", 10).set("{w}m", "x").get("{w}m")
        assert pipe.execute() == [15, True, b"x"]
        assert pipe.watching is False
    assert rc.get("{w}n") == b"15"
    # A watched key changed by another client: WatchError, nothing run.
    with rc.pipeline(transaction=True) as pipe:
        pipe.watch("{w}n")
        assert pipe.get("{w}n") == b"15"
        assert other.set("{w}n", 100) is True
        pipe.multi()
        pipe.set("{w}n", 0)
        with pytest.raises(WatchError):
            pipe.execute()
    assert rc.get("{w}n") == b"100"
    # The pipeline is usable again after the WatchError.
    with rc.pipeline(transaction=True) as pipe:
        pipe.watch("{w}n")
        pipe.multi()
        pipe.decr("{w}n")
        assert pipe.execute() == [99]
    # UNWATCH: a change after it does not abort.
    with rc.pipeline(transaction=True) as pipe:
        pipe.watch("{w}n")
        assert pipe.unwatch() is True
        other.set("{w}n", 7)
        pipe.multi()
        pipe.incr("{w}n")
        assert pipe.execute() == [8]
    # The slot rules: WATCH of keys in several slots, a command run at once or queued in
    # another slot than the watched one, a keyless command between WATCH and MULTI.
    with rc.pipeline(transaction=True) as pipe:
        with pytest.raises(RedisClusterException, match="WATCH - all keys must map to the same"):
            pipe.watch("a", "b")
        pipe.watch("{w}n")
        with pytest.raises(CrossSlotTransactionError,
                           match="Cannot watch or send commands on different slots"):
            pipe.get("a")
        with pytest.raises(CrossSlotTransactionError,
                           match="Cannot watch or send commands on different slots"):
            pipe.watch("b")
        with pytest.raises(RedisClusterException, match="Cannot identify slot number for "
                                                        "command: PING"):
            pipe.ping()
        pipe.watch("{w}m")  # the same slot: watched too
        pipe.multi()
        pipe.set("{w}n", 1).set("c", 2)
        with pytest.raises(CrossSlotTransactionError,
                           match="All keys involved in a cluster transaction must map to the "
                                 "same slot"):
            pipe.execute()
    assert rc.get("{w}n") == b"8" and rc.get("c") is None
    with pytest.raises(CrossSlotTransactionError,
                       match="All keys involved in a cluster transaction must map to the same"):
        rc.pipeline(transaction=True).set("a", 1).set("b", 2).execute()
    # Outside a transaction, as redis-py.
    plain = rc.pipeline()
    for method in ("watch", "multi", "unwatch"):
        with pytest.raises(RedisClusterException,
                           match=f"method {method}\\(\\) is not supported outside of "
                                 "transactional context"):
            getattr(plain, method)(*(["{w}n"] if method == "watch" else []))
    with rc.pipeline(transaction=True) as pipe:
        pipe.watch("{w}n")
        pipe.multi()
        with pytest.raises(RedisError, match="Cannot issue a WATCH after a MULTI"):
            pipe.watch("{w}n")
        with pytest.raises(RedisError, match="Cannot issue nested calls to MULTI"):
            pipe.multi()
    # A response callback applies to the commands run at once and to the queued ones.
    rc.set_response_callback("GET", lambda v: ("cb", v))
    with rc.pipeline(transaction=True) as pipe:
        pipe.watch("{w}n")
        assert pipe.get("{w}n") == ("cb", b"8")
        pipe.multi()
        pipe.get("{w}n")
        assert pipe.execute() == [("cb", b"8")]
    other.close()


def test_transaction_with_watches(cluster, rc):
    rc.set("{t}balance", 10)
    other = RedisCluster(host="127.0.0.1", port=cluster.ports[1])
    calls = []

    def move(pipe):
        calls.append(1)
        balance = int(pipe.get("{t}balance"))
        if len(calls) == 1:
            other.incrby("{t}balance", 5)  # changes the watched key: a second round
        pipe.multi()
        pipe.set("{t}balance", balance - 3)
        pipe.rpush("{t}log", balance)
        return balance

    assert rc.transaction(move, "{t}balance", "{t}log") == [True, 1]
    assert len(calls) == 2
    assert rc.get("{t}balance") == b"12" and rc.lrange("{t}log", 0, -1) == [b"15"]
    assert rc.transaction(move, "{t}balance", value_from_callable=True) == 12
    assert rc.get("{t}balance") == b"9"
    other.close()


def test_asyncio_pipeline_watch_and_transaction(cluster, protocol):
    import asyncio

    import oxredis.asyncio as aredis
    from oxredis.exceptions import WatchError

    async def main():
        async with aredis.RedisCluster(host="127.0.0.1", port=cluster.ports[0],
                                       protocol=protocol) as rc:
            await rc.delete("{w}n", "{w}m")
            await rc.set("{w}n", 5)
            async with rc.pipeline(transaction=True) as pipe:
                await pipe.watch("{w}n")
                assert await pipe.get("{w}n") == b"5"
                pipe.multi()
                pipe.incrby("{w}n", 10).set("{w}m", "x")
                assert await pipe.execute() == [15, True]
            async with rc.pipeline(transaction=True) as pipe:
                await pipe.watch("{w}n")
                assert await pipe.get("{w}n") == b"15"
                await rc.set("{w}n", 100)  # another connection
                pipe.multi()
                pipe.set("{w}n", 0)
                with pytest.raises(WatchError):
                    await pipe.execute()
            assert await rc.get("{w}n") == b"100"
            async with rc.pipeline(transaction=True) as pipe:
                with pytest.raises(RedisClusterException, match="all keys must map"):
                    await pipe.watch("a", "b")
                await pipe.watch("{w}n")
                with pytest.raises(CrossSlotTransactionError, match="different slots"):
                    await pipe.get("a")
                pipe.multi()
                pipe.set("{w}m", 1).set("c", 2)
                with pytest.raises(CrossSlotTransactionError, match="must map to the same slot"):
                    await pipe.execute()
            with pytest.raises(RedisClusterException, match="outside of transactional"):
                await rc.pipeline().watch("{w}n")
            rounds = []

            async def move(pipe):
                rounds.append(1)
                n = int(await pipe.get("{w}n"))
                if len(rounds) == 1:
                    await rc.incr("{w}n")
                pipe.multi()
                pipe.set("{w}n", n * 2)
                return n

            assert await rc.transaction(move, "{w}n") == [True]
            assert len(rounds) == 2 and await rc.get("{w}n") == b"202"
            assert await rc.transaction(move, "{w}n", value_from_callable=True) == 202
            await rc.delete("{w}n", "{w}m")

    asyncio.run(main())


# --- asyncio ClusterPubSub ----------------------------------------------------------------------
def test_asyncio_cluster_pubsub(cluster, protocol):
    import asyncio

    import oxredis.asyncio as aredis
    from oxredis.asyncio.cluster import ClusterPubSub
    from oxredis.exceptions import DataError

    async def next_message(p, timeout=2.0, sharded=False):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            get = p.get_sharded_message if sharded else p.get_message
            m = await get(timeout=0.1)
            if m is not None:
                return m
        return None

    async def main():
        async with aredis.RedisCluster(host="127.0.0.1", port=cluster.ports[0],
                                       protocol=protocol) as rc:
            p = rc.pubsub()
            assert isinstance(p, ClusterPubSub)
            assert p.get_pubsub_node() is None and p.subscribed is False
            assert p.get_redis_connection() is None
            assert await p.get_message(timeout=0.01) is None
            # set_pubsub_node before anything is subscribed, then back to "chosen by slot".
            third = rc.get_primaries()[2]
            p.set_pubsub_node(rc, third)
            assert p.get_pubsub_node() == third
            with pytest.raises(DataError, match="Specify both host and port"):
                p.set_pubsub_node(rc, port=third.port)
            p.set_pubsub_node(rc)
            assert p.get_pubsub_node() is None
            await p.execute_command("SUBSCRIBE", "news{a}")
            # The node was chosen by the channel's slot.
            assert p.get_pubsub_node() == rc.get_node_from_key("news{a}")
            node_client = p.get_redis_connection()
            assert (await node_client.info("server"))["tcp_port"] == p.get_pubsub_node().port
            assert await next_message(p) == {"type": "subscribe", "pattern": None,
                                              "channel": b"news{a}", "data": 1}
            assert p.subscribed is True and list(p.channels) == [b"news{a}"]
            # Published through another node (which counts only its own subscribers): it
            # reaches every node's subscribers.
            assert await rc.publish("news{a}", "hello",
                                    target_nodes=rc.get_node_from_key("b")) == 0
            assert await next_message(p) == {"type": "message", "pattern": None,
                                              "channel": b"news{a}", "data": b"hello"}
            await p.psubscribe("n*")
            assert (await next_message(p))["type"] == "psubscribe"
            assert await rc.publish("nx", "p", target_nodes=p.get_pubsub_node()) == 1
            assert await next_message(p) == {"type": "pmessage", "pattern": b"n*",
                                              "channel": b"nx", "data": b"p"}
            await p.aclose()
            assert p.subscribed is False

            s = rc.pubsub()
            await s.ssubscribe("ch{b}", "ch{a}")  # two slots: two primaries
            confirmations = [await next_message(s, sharded=True) for _ in range(2)]
            assert sorted((m["type"], m["channel"], m["data"]) for m in confirmations) == [
                ("ssubscribe", b"ch{a}", 1), ("ssubscribe", b"ch{b}", 1)]
            # No slot moved: nothing reconnects, nothing is confirmed again.
            await s.reinitialize_shard_subscriptions()
            assert await s.get_sharded_message(timeout=0.2) is None
            assert await rc.spublish("ch{a}", "to a") == 1
            assert await rc.spublish("ch{b}", "to b") == 1
            messages = [await next_message(s, sharded=True) for _ in range(2)]
            assert sorted((m["type"], m["channel"], m["data"]) for m in messages) == [
                ("smessage", b"ch{a}", b"to a"), ("smessage", b"ch{b}", b"to b")]
            # One node's shard channels only.
            await rc.spublish("ch{a}", "again")
            node_b = rc.get_node_from_key("ch{b}")
            assert await s.get_sharded_message(timeout=0.2, target_node=node_b) is None
            m = await s.get_sharded_message(timeout=2,
                                            target_node=rc.get_node_from_key("ch{a}"))
            assert (m["channel"], m["data"]) == (b"ch{a}", b"again")
            received = []

            async def handler(message):
                received.append((message["channel"], message["data"]))

            await s.ssubscribe(**{"ch{c}": handler})
            assert await s.get_sharded_message(ignore_subscribe_messages=True,
                                               timeout=0.2) is None
            await rc.spublish("ch{c}", "handled")
            deadline = time.monotonic() + 2
            while not received and time.monotonic() < deadline:
                await s.get_sharded_message(timeout=0.1)
            assert received == [(b"ch{c}", b"handled")]
            await s.sunsubscribe("ch{b}")
            m = await next_message(s, sharded=True)
            assert (m["type"], m["channel"]) == ("sunsubscribe", b"ch{b}")
            assert await rc.spublish("ch{b}", "gone") == 0
            assert sorted(s.shard_channels) == [b"ch{a}", b"ch{c}"]
            # All of them: only the slots still holding channels answer (ch{b}'s
            # connection, now empty, is not asked: no confirmation without a channel).
            await s.sunsubscribe()
            gone = []
            while (m := await s.get_sharded_message(timeout=0.3)) is not None:
                gone.append((m["type"], m["channel"], m["data"]))
            assert sorted(gone) == [("sunsubscribe", b"ch{a}", 0),
                                    ("sunsubscribe", b"ch{c}", 0)]
            assert s.shard_channels == {} and s.subscribed is False
            assert await rc.spublish("ch{a}", "gone") == 0
            await s.aclose()

            primary = rc.get_primaries()[1]
            on_node = rc.pubsub(node=primary)
            assert on_node.get_pubsub_node() == primary
            await on_node.subscribe("x")
            assert (await next_message(on_node))["channel"] == b"x"
            clients = await rc.client_list(target_nodes=primary)
            assert any(c.get("sub") == "1" for c in clients)
            await on_node.aclose()
            by_port = rc.pubsub(host="127.0.0.1", port=primary.port)
            assert by_port.get_pubsub_node() == primary
            with pytest.raises(RedisClusterException, match="doesn't exist in the cluster"):
                rc.pubsub(host="127.0.0.1", port=1)
            with pytest.raises(DataError, match="Specify both host and port"):
                rc.pubsub(host="127.0.0.1")
            with pytest.raises(RedisClusterException, match="doesn't exist in the cluster"):
                rc.pubsub(node=ClusterNode("127.0.0.1", 1))

    asyncio.run(main())


def test_asyncio_scan_iter_target_nodes(cluster, protocol):
    import asyncio

    import oxredis.asyncio as aredis

    async def main():
        async with aredis.RedisCluster(host="127.0.0.1", port=cluster.ports[0],
                                       protocol=protocol) as rc:
            await rc.flushall()
            keys = {f"k{i}".encode() for i in range(60)}
            await rc.mset_nonatomic({k: 1 for k in keys})
            one = rc.get_node_from_key("k1")
            on_one = [k async for k in rc.scan_iter(count=5, target_nodes=one)]
            assert sorted(on_one) == sorted(k for k in keys if rc.get_node_from_key(k) == one)
            assert len(on_one) == len(set(on_one))
            everywhere = [k async for k in rc.scan_iter(target_nodes=RedisCluster.PRIMARIES,
                                                        count=7, match="k1*")]
            assert sorted(everywhere) == sorted(k for k in keys if k.startswith(b"k1"))
            await rc.set("h", 1)
            typed = [k async for k in rc.scan_iter(_type="string",
                                                   target_nodes=rc.get_primaries())]
            assert len(typed) == 61
            await rc.flushall()

    asyncio.run(main())


# --- address_remap ------------------------------------------------------------------------------
class _Forwarder:
    """A TCP relay per cluster node: listens on ``host`` (127.0.0.2, on the node's own port;
    127.0.0.1 on a free port when 127.0.0.2 cannot be bound) and relays each connection to the
    node on 127.0.0.1, counting connections per node port."""

    def __init__(self, ports):
        import collections
        import socket
        import threading

        self._socket, self._threading = socket, threading
        self.connections = collections.Counter()
        self.address = {}  # node port -> (host, port) to connect to
        self._listeners = []
        for port in ports:
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                listener.bind(("127.0.0.2", port))
            except OSError:
                listener.bind(("127.0.0.1", 0))
            listener.listen(64)
            self.address[port] = listener.getsockname()[:2]
            self._listeners.append(listener)
            threading.Thread(target=self._accept, args=(listener, port), daemon=True).start()

    def remap(self, address):
        host, port = address
        assert host == "127.0.0.1", address
        return self.address[port]

    def _accept(self, listener, port):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            self.connections[port] += 1
            try:
                upstream = self._socket.create_connection(("127.0.0.1", port))
            except OSError:
                client.close()
                continue
            for a, b in ((client, upstream), (upstream, client)):
                self._threading.Thread(target=self._relay, args=(a, b), daemon=True).start()

    def _relay(self, src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(self._socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        for listener in self._listeners:
            listener.close()


def test_address_remap(cluster, protocol):
    announced = []

    def identity(address):
        announced.append(address)
        return address

    rc = RedisCluster(host="127.0.0.1", port=cluster.ports[0], protocol=protocol,
                      address_remap=identity)
    # Called with each (host, port) the cluster announces, as a tuple.
    assert set(announced) == {("127.0.0.1", p) for p in cluster.ports}
    assert sorted(n.name for n in rc.get_nodes()) == sorted(f"127.0.0.1:{p}"
                                                            for p in cluster.ports)
    assert rc.set("b", 1) is True and rc.get("b") == b"1"
    assert rc.delete("b") == 1
    rc.close()

    relay = _Forwarder(cluster.ports)
    try:
        rc = RedisCluster(host="127.0.0.1", port=cluster.ports[0], protocol=protocol,
                          address_remap=relay.remap)
        # The slot map holds the remapped addresses: every node is reached through the relay.
        assert sorted((n.host, n.port) for n in rc.get_nodes()) == sorted(
            relay.address[p] for p in cluster.ports)
        assert sorted((n.host, n.port) for n in rc.get_primaries()) == sorted(
            relay.address[p] for p in cluster.ports[:3])
        before = dict(relay.connections)
        for i, key in enumerate(SHARD_KEYS):
            assert rc.set(key, f"r{i}") is True
        assert [rc.get(k) for k in SHARD_KEYS] == [b"r0", b"r1", b"r2"]
        # Each key's primary was reached through its relay.
        for i, key in enumerate(SHARD_KEYS):
            port = _slot_owner(cluster, key)
            assert relay.connections[port] > before.get(port, 0)
            assert cluster.cmd(port, "GET", key) == f"r{i}".encode()
        node = rc.get_node_from_key("a")
        assert (node.host, node.port) == relay.address[_slot_owner(cluster, "a")]
        assert node.redis_connection.get("a") == b"r2"
        with rc.pipeline(transaction=True) as pipe:
            pipe.watch("a")
            assert pipe.get("a") == b"r2"
            pipe.multi()
            pipe.set("a", "tx")
            assert pipe.execute() == [True]
        assert rc.get("a") == b"tx"
        assert rc.dbsize(target_nodes=RedisCluster.PRIMARIES) == 3
        assert rc.delete(*SHARD_KEYS) == 3
        rc.close()

        import asyncio

        import oxredis.asyncio as aredis

        async def main():
            async with aredis.RedisCluster(host="127.0.0.1", port=cluster.ports[1],
                                           protocol=protocol,
                                           address_remap=relay.remap) as arc:
                assert sorted((n.host, n.port) for n in arc.get_nodes()) == sorted(
                    relay.address[p] for p in cluster.ports)
                before = relay.connections[_slot_owner(cluster, "c")]
                assert await arc.set("c", "async") is True
                assert await arc.get("c") == b"async"
                assert relay.connections[_slot_owner(cluster, "c")] > before
                assert await arc.delete("c") == 1

        asyncio.run(main())
    finally:
        relay.close()


# --- multi-node replies as redis-py's RESULT_CALLBACKS give them --------------------------------
def test_ping_with_a_message_and_other_multi_node_replies(cluster, rc, r):
    # redis-py's PING callback is `reply == "PONG"`: False for PING with a message, on one node
    # (the default) or combined with all() over several.
    assert rc.ping() is True
    assert rc.execute_command("PING", "msg") is False
    assert rc.execute_command("PING", "msg", target_nodes=RedisCluster.ALL_NODES) is False
    assert rc.ping("msg", target_nodes=RedisCluster.PRIMARIES) is False
    assert rc.execute_command("PING", target_nodes=RedisCluster.REPLICAS) is True
    assert rc.pipeline().ping().execute_command("PING", "x").execute() == [True, False]
    # The standalone client, as redis-py's.
    assert r.execute_command("PING", "hello") is False
    assert r.execute_command("PING") is True
    # Summed: DBSIZE, WAIT, PUBSUB NUMPAT; CLIENT UNBLOCK 1 when any node unblocked, else 0.
    rc.mset_nonatomic({"b": 1, "c": 2, "a": 3})
    assert rc.dbsize(target_nodes=RedisCluster.ALL_NODES) == 6  # replicas hold copies
    assert rc.wait(1, 5000, target_nodes=RedisCluster.PRIMARIES) == 3
    assert rc.pubsub_numpat(target_nodes=RedisCluster.ALL_NODES) == 0
    assert rc.client_unblock(999999, target_nodes=RedisCluster.ALL_NODES) == 0
    # One bool, all() of the nodes' replies.
    for method, args in (("config_resetstat", ()), ("slowlog_reset", ()),
                         ("memory_purge", ()), ("client_setname", ("oxredis-test",)),
                         ("client_pause", (1,)), ("client_unpause", ()), ("save", ())):
        assert getattr(rc, method)(*args, target_nodes=RedisCluster.ALL_NODES) is True, method
    assert rc.config_set("maxmemory-samples", 5, target_nodes=RedisCluster.PRIMARIES) is True
    # SCRIPT LOAD on every primary: one sha; SCRIPT EXISTS per position over the primaries;
    # SCRIPT FLUSH one bool.
    sha = rc.script_load("return 1")
    assert sha == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"
    assert rc.script_exists(sha, "0" * 40) == [True, False]
    assert rc.script_flush() is True
    assert rc.script_exists(sha) == [False]
    # PUBSUB NUMSUB: per channel, summed over the nodes; CHANNELS: merged.
    p = rc.pubsub(node=rc.get_primaries()[0])
    q = rc.pubsub(node=rc.get_primaries()[1])
    p.subscribe("one", "two")
    q.subscribe("two")
    for s in (p, q):
        while s.get_message(timeout=0.5) is not None:
            pass
    assert rc.pubsub_numsub("one", "two", "none", target_nodes=RedisCluster.ALL_NODES) == [
        (b"one", 1), (b"two", 2), (b"none", 0)]
    assert sorted(rc.pubsub_channels(target_nodes=RedisCluster.ALL_NODES)) == [b"one", b"two"]
    p.close()
    q.close()
    # Anything else: a dict by node name (one node's reply as it is).
    assert rc.echo("hi", target_nodes=RedisCluster.PRIMARIES) == {
        f"127.0.0.1:{port}": b"hi" for port in cluster.ports[:3]}
    assert rc.echo("hi") == b"hi"
    # READONLY / READWRITE sent to chosen nodes: redis-py's per-node reply.
    assert rc.readonly(target_nodes=RedisCluster.REPLICAS) == {
        f"127.0.0.1:{port}": True for port in cluster.ports[3:]}
    assert rc.readwrite(target_nodes=rc.get_replicas()[0]) is True
    assert rc.readonly() is True and rc.readwrite() is True


def test_asyncio_ping_with_a_message(cluster, protocol):
    import asyncio

    import oxredis.asyncio as aredis

    async def main():
        async with aredis.RedisCluster(host="127.0.0.1", port=cluster.ports[0],
                                       protocol=protocol) as rc:
            assert await rc.ping(target_nodes=RedisCluster.ALL_NODES) is True
            assert await rc.execute_command("PING", "msg") is False
            assert await rc.execute_command("PING", "msg",
                                            target_nodes=RedisCluster.ALL_NODES) is False
            assert await rc.readonly(target_nodes=RedisCluster.REPLICAS) == {
                f"127.0.0.1:{port}": True for port in cluster.ports[3:]}
            assert await rc.readwrite() is True

    asyncio.run(main())


def test_watch_across_a_slot_migration(cluster, protocol):
    from oxredis.exceptions import WatchError

    rc = RedisCluster(host="127.0.0.1", port=cluster.ports[0], protocol=protocol)
    key = "{wm}k"
    slot = rc.keyslot(key)
    source = rc.get_node_from_key(key).port
    target = next(p for p in cluster.ports[:3] if p != source)
    rc.set(key, "v")
    try:
        with rc.pipeline(transaction=True) as pipe:
            pipe.watch(key)
            assert pipe.get(key) == b"v"
            migration = _Migration(cluster, slot, source, target)
            migration.move(key)
            migration.finish()
            pipe.multi()
            pipe.set(key, "lost")
            # The slot moved while watched: nothing ran.
            with pytest.raises(WatchError, match="Slot rebalancing occurred while watching"):
                pipe.execute()
        assert cluster.cmd(target, "GET", key) == b"v"
        # The client's map is stale: WATCH is answered MOVED and goes to the new owner.
        assert rc.get_node_from_key(key).port == source
        with rc.pipeline(transaction=True) as pipe:
            pipe.watch(key)
            assert pipe.get(key) == b"v"
            pipe.multi()
            pipe.set(key, "moved")
            assert pipe.execute() == [True]
        assert cluster.cmd(target, "GET", key) == b"moved"
        cluster._wait(cluster._healthy, "slot map settled")
        back = _Migration(cluster, slot, target, source)
        back.move(key)
        back.finish()
    finally:
        cluster._wait(cluster._healthy, "slot map settled")
    assert cluster.primary_of(slot) == source
    assert rc.get(key) == b"moved"
    rc.close()
