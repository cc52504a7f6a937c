"""``oxredis.sentinel`` and ``oxredis.asyncio.sentinel`` (redis-py's Sentinel API) against a
real topology: one primary, one replica (both with a password) and three sentinels, started
once for the module. The failover tests each start a topology of their own."""

import asyncio
import itertools
import time
import uuid

import pytest

import oxredis
import oxredis.asyncio as aredis
from conftest import SentinelTopology
from oxredis.exceptions import (
    AuthenticationError,
    ConnectionError,
    MasterNotFoundError,
    ReadOnlyError,
    ResponseError,
    SlaveNotFoundError,
)
from oxredis.sentinel import Sentinel, SentinelConnectionPool

PASSWORD = "sentinel-test-pw"
SERVICE = SentinelTopology.SERVICE


@pytest.fixture(scope="module")
def topo():
    t = SentinelTopology(PASSWORD)
    yield t
    t.stop()


def _key() -> str:
    return f"k-{uuid.uuid4().hex}"


def _dead_port() -> int:
    from conftest import _free_port

    return _free_port()


def test_discover_master_and_slaves(topo):
    s = Sentinel(topo.sentinel_addrs, socket_timeout=1)
    assert s.discover_master(SERVICE) == ("127.0.0.1", topo.primary.port)
    assert s.discover_slaves(SERVICE) == [("127.0.0.1", topo.replica.port)]
    assert s.discover_replicas(SERVICE) == [("127.0.0.1", topo.replica.port)]
    # A sentinel that does not answer is skipped; the one that answered moves to the front.
    dead = _dead_port()
    s = Sentinel([("127.0.0.1", dead)] + topo.sentinel_addrs)
    assert [c.connection_pool.connection_kwargs["port"] for c in s.sentinels][0] == dead
    assert s.discover_master(SERVICE) == ("127.0.0.1", topo.primary.port)
    assert s.sentinels[0].connection_pool.connection_kwargs["port"] == topo.sentinel_ports[0]
    assert dead in [c.connection_pool.connection_kwargs["port"] for c in s.sentinels]


def test_unknown_service_and_unreachable_sentinels(topo):
    s = Sentinel(topo.sentinel_addrs, password=PASSWORD)
    with pytest.raises(MasterNotFoundError, match="nope") as raised:
        s.discover_master("nope")
    assert isinstance(raised.value, ConnectionError)
    assert s.discover_slaves("nope") == []
    with pytest.raises(MasterNotFoundError):
        s.master_for("nope").ping()
    # slave_for: no replica, then no primary either.
    with pytest.raises(SlaveNotFoundError) as raised:
        s.slave_for("nope").ping()
    assert isinstance(raised.value, ConnectionError)
    assert oxredis.sentinel.ReplicaNotFoundError is SlaveNotFoundError
    # No sentinel answers: redis-py's MasterNotFoundError too, and no replicas.
    lost = Sentinel([("127.0.0.1", _dead_port())])
    with pytest.raises(MasterNotFoundError, match="no sentinel reachable"):
        lost.discover_master(SERVICE)
    assert lost.discover_slaves(SERVICE) == []
    # (redis-py raises SlaveNotFoundError here; the core does not tell the roles apart.)
    with pytest.raises(MasterNotFoundError, match="no sentinel reachable"):
        lost.slave_for(SERVICE).ping()


def test_master_for_writes_and_slave_for_reads(topo, protocol):
    s = Sentinel(topo.sentinel_addrs, socket_timeout=2, password=PASSWORD, protocol=protocol)
    master = s.master_for(SERVICE)
    replica = s.slave_for(SERVICE, decode_responses=True)
    assert isinstance(master, oxredis.Redis) and isinstance(replica, oxredis.Redis)
    assert master.get_protocol() == protocol and replica.get_protocol() == protocol
    key = _key()
    assert master.set(key, "v1") is True
    assert master.wait(1, 2000) == 1
    assert replica.get(key) == "v1"
    assert master.role()[0] == b"master"
    assert replica.role()[0] == "slave"
    assert master.info("server")["tcp_port"] == topo.primary.port
    assert replica.info("server")["tcp_port"] == topo.replica.port
    with pytest.raises(ReadOnlyError):
        replica.set(key, "no")
    # Pipelines, transactions and pub/sub go through the same sentinel-directed pool.
    with master.pipeline() as pipe:
        assert pipe.incr(key + ":n").incr(key + ":n").get(key).execute() == [1, 2, b"v1"]
    p = master.pubsub()
    p.subscribe("sentinel-ch")
    assert p.get_message(timeout=2)["type"] == "subscribe"
    assert master.publish("sentinel-ch", "hello") == 1
    assert p.get_message(timeout=2)["data"] == b"hello"
    p.close()
    # master_for's keywords are merged over the Sentinel's: another database.
    db3 = s.master_for(SERVICE, db=3)
    assert db3.set(key, "in-db3") is True
    assert db3.get(key) == b"in-db3"
    assert master.get(key) == b"v1"


def test_connection_kwargs_go_to_the_servers_sentinel_kwargs_to_the_sentinels(topo):
    # Without the data servers' password, the primary refuses the connection (NOAUTH).
    with pytest.raises(AuthenticationError):
        Sentinel(topo.sentinel_addrs).master_for(SERVICE).ping()
    # The sentinels have no password: one given for them is refused, so none answers. (On
    # RESP2 only: there it is sent as `AUTH <password>`, which a server without a password
    # refuses; RESP3's `HELLO 3 AUTH default <password>` is accepted by a `nopass` user, with
    # redis-py too.)
    wrong = Sentinel(topo.sentinel_addrs, password=PASSWORD,
                     sentinel_kwargs={"password": "not-theirs", "protocol": 2})
    with pytest.raises(MasterNotFoundError):
        wrong.discover_master(SERVICE)
    # By default the sentinels get only the socket_* keywords (not the password).
    s = Sentinel(topo.sentinel_addrs, password=PASSWORD, socket_timeout=1.5)
    assert s.sentinel_kwargs == {"socket_timeout": 1.5}
    assert s.sentinels[0].connection_pool.connection_kwargs["socket_timeout"] == 1.5
    assert s.sentinels[0].connection_pool.connection_kwargs["password"] is None
    assert s.master_for(SERVICE).ping() is True
    # The sentinels' own clients speak RESP3 when sentinel_kwargs say so.
    s3 = Sentinel(topo.sentinel_addrs, sentinel_kwargs={"protocol": 3}, password=PASSWORD)
    assert s3.sentinels[0].get_protocol() == 3
    assert s3.discover_master(SERVICE) == ("127.0.0.1", topo.primary.port)


def test_min_other_sentinels_and_force_master_ip(topo):
    # Every sentinel sees the two others.
    assert Sentinel(topo.sentinel_addrs, min_other_sentinels=2).discover_master(SERVICE) == (
        "127.0.0.1", topo.primary.port)
    with pytest.raises(MasterNotFoundError):
        Sentinel(topo.sentinel_addrs, min_other_sentinels=3).discover_master(SERVICE)
    forced = Sentinel(topo.sentinel_addrs, force_master_ip="localhost", password=PASSWORD)
    assert forced.discover_master(SERVICE) == ("localhost", topo.primary.port)
    assert forced.master_for(SERVICE).info("server")["tcp_port"] == topo.primary.port


def test_sentinel_commands(topo, protocol):
    s = Sentinel(topo.sentinel_addrs, sentinel_kwargs={"protocol": protocol})
    client = s.sentinels[0]
    masters = client.sentinel_masters()
    assert list(masters) == [SERVICE]
    state = masters[SERVICE]
    assert state["name"] == SERVICE
    assert state["ip"] == "127.0.0.1"
    assert state["port"] == topo.primary.port
    assert state["flags"] == "master"
    assert state["num-slaves"] == 1
    assert state["num-other-sentinels"] == 2
    assert state["quorum"] == 2
    assert state["down-after-milliseconds"] == 1000
    assert (state["is_master"], state["is_slave"], state["is_sdown"], state["is_odown"]) == (
        True, False, False, False)
    master = client.sentinel_master(SERVICE)
    assert (master["port"], master["flags"], master["is_master"]) == (
        topo.primary.port, "master", True)
    [replica] = client.sentinel_slaves(SERVICE)
    assert (replica["port"], replica["flags"], replica["is_slave"]) == (
        topo.replica.port, "slave", True)
    others = client.sentinel_sentinels(SERVICE)
    assert sorted(o["port"] for o in others) == sorted(topo.sentinel_ports[1:])
    assert all(o["is_sentinel"] for o in others)
    assert client.sentinel_get_master_addr_by_name(SERVICE) == (b"127.0.0.1", topo.primary.port)
    assert client.sentinel_get_master_addr_by_name("nope") is None
    # execute_command shapes the reply as the method does (the same fields and types).
    by_command = client.execute_command("SENTINEL MASTERS")[SERVICE]
    assert by_command.keys() == state.keys()
    assert (by_command["port"], by_command["is_master"]) == (topo.primary.port, True)
    # On Sentinel: every sentinel, and whether all succeeded (or their replies).
    assert s.sentinel_master(SERVICE) is True
    replies = s.sentinel_master(SERVICE, return_responses=True)
    assert [r["port"] for r in replies] == [topo.primary.port] * 3
    assert s.sentinel_get_master_addr_by_name(SERVICE, return_responses=True) == [
        (b"127.0.0.1", topo.primary.port)]
    assert s.sentinel_get_master_addr_by_name(SERVICE) is True
    assert s.execute_command("PING") is True
    assert s.execute_command("PING", return_responses=True) == [True, True, True]
    assert s.sentinel_set(SERVICE, "quorum", 2) is True
    # redis-py's bool_ok: CKQUORUM's "OK 3 usable Sentinels..." is not "OK".
    assert client.sentinel_ckquorum(SERVICE) is False
    with pytest.raises(ResponseError, match="No such master"):
        client.sentinel_ckquorum("nope")


def test_repr_and_pool(topo):
    s = Sentinel(topo.sentinel_addrs, password=PASSWORD)
    ports = ",".join(f"127.0.0.1:{p}" for p in topo.sentinel_ports)
    assert repr(s) == f"<oxredis.sentinel.Sentinel(sentinels=[{ports}])>"
    master = s.master_for(SERVICE)
    replica = s.replica_for(SERVICE)
    pool = master.connection_pool
    assert isinstance(pool, SentinelConnectionPool) and oxredis.SentinelConnectionPool is (
        SentinelConnectionPool)
    assert (pool.service_name, pool.is_master, pool.sentinel_manager) == (SERVICE, True, s)
    assert repr(pool) == "<oxredis.sentinel.SentinelConnectionPool(service=mymaster(master))>"
    assert repr(replica.connection_pool) == (
        "<oxredis.sentinel.SentinelConnectionPool(service=mymaster(slave))>")
    for text in (repr(s), repr(pool), repr(master), repr(replica)):
        assert PASSWORD not in text
    assert pool.master_address is None
    assert pool.get_master_address() == ("127.0.0.1", topo.primary.port)
    assert pool.master_address == ("127.0.0.1", topo.primary.port)
    # The replicas in turn, then the primary, then SlaveNotFoundError.
    rotation = replica.connection_pool.rotate_slaves()
    assert list(itertools.islice(rotation, 2)) == [
        ("127.0.0.1", topo.replica.port), ("127.0.0.1", topo.primary.port)]
    with pytest.raises(SlaveNotFoundError, match="mymaster"):
        next(rotation)
    with Sentinel(topo.sentinel_addrs) as closing:
        assert closing.sentinels[1].ping() is True


def test_sentinel_managed_connections(topo):
    from oxredis.exceptions import ConnectionError, ReadOnlyError
    from oxredis.sentinel import SentinelManagedConnection, SentinelManagedSSLConnection

    s = Sentinel(topo.sentinel_addrs, password=PASSWORD)
    pool = s.master_for(SERVICE).connection_pool
    conn = pool.get_connection()
    assert type(conn) is SentinelManagedConnection and conn.connection_pool is pool
    assert repr(conn) == "<oxredis.sentinel.SentinelManagedConnection(service=mymaster)>"
    # It went where the sentinels said: the primary.
    conn.send_command("ROLE")
    assert conn.read_response()[0] == b"master"
    conn.send_command("INFO", "server")
    assert f"tcp_port:{topo.primary.port}\r\n".encode() in conn.read_response()
    pool.release(conn)
    replicas = s.slave_for(SERVICE).connection_pool
    conn = replicas.get_connection()
    conn.send_command("ROLE")
    assert conn.read_response()[0] == b"slave"
    # A write on a replica's connection: READONLY as it is ...
    conn.send_command("SET", "k", "v")
    with pytest.raises(ReadOnlyError):
        conn.read_response()
    # ... but on a primary's pool it means the primary was demoted: the connection closes.
    replicas.is_master = True
    conn.send_command("SET", "k", "v")
    with pytest.raises(ConnectionError, match="The previous master is now a slave"):
        conn.read_response()
    assert conn.is_connected is False
    assert issubclass(SentinelManagedSSLConnection, SentinelManagedConnection)
    assert SentinelConnectionPool("x", s, ssl=True).connection_class is (
        SentinelManagedSSLConnection)


def test_master_for_with_client_side_caching(topo):
    from oxredis.cache import CacheConfig

    s = Sentinel(topo.sentinel_addrs, password=PASSWORD)
    master = s.master_for(SERVICE, protocol=3, cache_config=CacheConfig())
    plain = topo.data_client(topo.primary.port)
    master.set("csc:k", "v1")
    assert [master.get("csc:k") for _ in range(3)] == [b"v1"] * 3
    stats = master.get_cache().stats()
    assert (stats["hits"], stats["misses"], stats["entries"]) == (2, 1, 1)
    # Another client's write: the primary's invalidation reaches the cache.
    plain.set("csc:k", "v2")
    deadline = time.monotonic() + 5
    while (value := master.get("csc:k")) != b"v2":
        assert value == b"v1" and time.monotonic() < deadline
        time.sleep(0.01)
    assert master.get_cache().stats()["invalidations"] >= 1
    with pytest.raises(NotImplementedError, match="slave_for clients"):
        s.slave_for(SERVICE, protocol=3, cache_config=CacheConfig())


def test_asyncio_sentinel(topo, protocol):
    async def main():
        s = aredis.Sentinel(topo.sentinel_addrs, socket_timeout=2, password=PASSWORD,
                            protocol=protocol)
        assert aredis.sentinel.Sentinel is aredis.Sentinel
        assert await s.discover_master(SERVICE) == ("127.0.0.1", topo.primary.port)
        assert await s.discover_slaves(SERVICE) == [("127.0.0.1", topo.replica.port)]
        with pytest.raises(MasterNotFoundError):
            await s.discover_master("nope")
        assert await s.discover_slaves("nope") == []
        master = s.master_for(SERVICE)
        replica = s.slave_for(SERVICE, decode_responses=True)
        assert isinstance(master, aredis.Redis) and isinstance(replica, aredis.Redis)
        assert isinstance(master.connection_pool, aredis.sentinel.SentinelConnectionPool)
        assert master.get_protocol() == protocol
        key = _key()
        assert await master.set(key, "v1") is True
        assert await master.wait(1, 2000) == 1
        assert await replica.get(key) == "v1"
        assert (await master.info("server"))["tcp_port"] == topo.primary.port
        assert (await replica.info("server"))["tcp_port"] == topo.replica.port
        with pytest.raises(ReadOnlyError):
            await replica.set(key, "no")
        with pytest.raises(SlaveNotFoundError):
            await s.slave_for("nope").ping()
        assert await master.connection_pool.get_master_address() == (
            "127.0.0.1", topo.primary.port)
        rotation = [a async for a in _first(replica.connection_pool.rotate_slaves(), 2)]
        assert rotation == [("127.0.0.1", topo.replica.port), ("127.0.0.1", topo.primary.port)]
        # The sentinels' clients are asyncio ones; Sentinel sends to all of them at once.
        state = (await s.sentinels[0].sentinel_masters())[SERVICE]
        assert (state["port"], state["num-other-sentinels"], state["is_master"]) == (
            topo.primary.port, 2, True)
        assert await s.sentinel_master(SERVICE) is True
        replies = await s.sentinel_slaves(SERVICE)
        assert replies is True
        replies = await s.sentinel_sentinels(SERVICE, return_responses=True)
        assert [len(r) for r in replies] == [2, 2, 2]
        assert PASSWORD not in repr(s)
        with pytest.raises(TypeError, match="async with"):
            with s:
                pass
        async with s:
            pass

    asyncio.run(main())


async def _first(agen, n):
    """The first ``n`` items of an async generator."""
    for _ in range(n):
        yield await agen.__anext__()


def _failover(topo) -> int:
    """SENTINEL FAILOVER; waits until every sentinel names the new primary, returns its port."""
    old = topo.primary.port
    assert topo.sentinel_client(0).sentinel_failover(SERVICE) is True
    new = topo.wait_for_switch(old)
    assert new == topo.replica.port
    return new


def test_master_for_follows_a_failover():
    topo = SentinelTopology(PASSWORD)
    try:
        s = Sentinel(topo.sentinel_addrs, socket_timeout=2, password=PASSWORD)
        master = s.master_for(SERVICE)
        assert master.set("before", "1") is True  # a pooled connection to the old primary
        assert master.info("server")["tcp_port"] == topo.primary.port
        new = _failover(topo)
        assert s.discover_master(SERVICE) == ("127.0.0.1", new)
        # The old primary still says master (for ~10 s): the write must reach the new one.
        assert topo.data_client(topo.primary.port).role()[0] == b"master"
        assert master.set("after", "2") is True
        assert master.info("server")["tcp_port"] == new
        assert master.role()[0] == b"master"
        assert topo.data_client(new).get("after") == b"2"
        assert topo.data_client(topo.primary.port).get("after") is None
    finally:
        topo.stop()


def test_asyncio_master_for_follows_a_failover():
    topo = SentinelTopology(PASSWORD)

    async def main():
        s = aredis.Sentinel(topo.sentinel_addrs, socket_timeout=2, password=PASSWORD)
        master = s.master_for(SERVICE)
        assert await master.set("before", "1") is True
        assert (await master.info("server"))["tcp_port"] == topo.primary.port
        new = await asyncio.to_thread(_failover, topo)
        assert await s.discover_master(SERVICE) == ("127.0.0.1", new)
        assert await master.set("after", "2") is True
        assert (await master.info("server"))["tcp_port"] == new
        assert topo.data_client(new).get("after") == b"2"
        assert topo.data_client(topo.primary.port).get("after") is None

    try:
        asyncio.run(main())
    finally:
        topo.stop()
