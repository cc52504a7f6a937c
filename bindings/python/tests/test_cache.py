"""Client-side caching (redis-py's ``cache_config=CacheConfig()``, RESP3) on the Rust cache.

Round trips are counted by the server: ``INFO commandstats`` read by a second, uncached
client after ``CONFIG RESETSTAT``. Writes by "another client" go through that client too.
"""

import asyncio
import time

import pytest

import oxredis
import oxredis.asyncio as aredis
from oxredis.cache import (
    CacheConfig,
    CacheEntryStatus,
    CacheInterface,
    CacheKey,
    DefaultCache,
    EvictionPolicy,
    EvictionPolicyType,
)
from oxredis.exceptions import RedisError


def cached(server, **kwargs):
    kwargs.setdefault("cache_config", CacheConfig())
    return oxredis.Redis(host="127.0.0.1", port=server.port, protocol=3, **kwargs)


@pytest.fixture
def other(server):
    """An uncached client: writes as "another client", and reads the server's counters."""
    client = oxredis.Redis(host="127.0.0.1", port=server.port)
    client.flushall()
    client.config_resetstat()
    yield client
    client.close()


@pytest.fixture
def cr(server, other):
    client = cached(server)
    yield client
    client.close()


def calls(other, command):
    """How many times the server ran ``command`` since the last CONFIG RESETSTAT."""
    stats = other.info("commandstats")
    return stats.get(f"cmdstat_{command}", {}).get("calls", 0)


def test_a_cached_get_is_served_without_a_round_trip(cr, other):
    other.set("k", "v1")
    assert cr.get("k") == b"v1"
    assert cr.get("k") == b"v1"
    assert cr.get("k") == b"v1"
    assert calls(other, "get") == 1
    cache = cr.get_cache()
    assert isinstance(cache, DefaultCache) and isinstance(cache, CacheInterface)
    assert cache.size == 1
    s = cache.stats()
    assert (s["hits"], s["misses"], s["entries"]) == (2, 1, 1)
    # A key that does not exist is cached too (its None).
    assert cr.get("missing") is None
    assert cr.get("missing") is None
    assert calls(other, "get") == 2
    assert cache.size == 2


def test_another_clients_set_invalidates_the_entry(cr, other):
    other.set("k", "v1")
    assert cr.get("k") == b"v1"
    assert cr.get("k") == b"v1"
    other.set("k", "v2")
    cr.get_cache().sync()  # every invalidation sent before it is applied
    assert cr.get_cache().size == 0
    assert cr.get("k") == b"v2"
    assert cr.get("k") == b"v2"
    assert calls(other, "get") == 2
    assert cr.get_cache().stats()["invalidations"] == 1


def test_another_clients_write_is_seen_without_sync(cr, other):
    # Without sync(), the invalidation is applied as soon as it arrives: the read returns the
    # new value within a few milliseconds at most (here usually the very next read).
    for i in range(50):
        other.set("k", f"v{i}")
        deadline = time.monotonic() + 5
        while cr.get("k") != f"v{i}".encode():
            assert time.monotonic() < deadline, f"still stale after 5 s at v{i}"
        assert cr.get("k") == f"v{i}".encode()
    assert cr.get_cache().size == 1


def test_own_writes_are_read_back(cr, other):
    for i in range(200):
        cr.set("k", i)
        assert cr.get("k") == str(i).encode()
        cr.hset("h", "f", i)
        assert cr.hget("h", "f") == str(i).encode()
        assert cr.hgetall("h") == {b"f": str(i).encode()}
    assert calls(other, "get") == 200
    assert calls(other, "hget") == 200


def test_flushall_and_flushdb_empty_the_cache(cr, other):
    other.set("a", "1")
    other.set("b", "2")
    assert cr.mget("a", "b") == [b"1", b"2"]
    assert cr.get("a") == b"1"
    assert cr.get_cache().size == 2
    other.flushall()
    cr.get_cache().sync()
    assert cr.get_cache().size == 0
    assert cr.get("a") is None
    assert cr.mget("a", "b") == [None, None]
    assert calls(other, "get") == 2
    assert calls(other, "mget") == 2
    other.set("a", "3")
    cr.get_cache().sync()
    assert cr.get("a") == b"3"
    cr.flushdb()  # by the caching client itself
    cr.get_cache().sync()
    assert cr.get_cache().size == 0
    assert cr.get("a") is None


def test_max_size_evicts_the_least_recently_used(server, other):
    r = cached(server, cache_config=CacheConfig(max_size=3))
    for i in range(5):
        other.set(f"k{i}", i)
    for i in range(3):
        assert r.get(f"k{i}") == str(i).encode()
    assert r.get_cache().size == 3
    assert r.get("k0") == b"0"  # a hit: k0 is now the most recently used
    assert calls(other, "get") == 3
    assert r.get("k3") == b"3"  # evicts k1
    assert r.get_cache().size == 3
    assert r.get("k0") == b"0"
    assert r.get("k2") == b"2"
    assert calls(other, "get") == 4
    assert r.get("k1") == b"1"  # gone: read again, evicts k3
    assert calls(other, "get") == 5
    s = r.get_cache().stats()
    assert (s["entries"], s["evictions"], s["hits"], s["misses"]) == (3, 2, 3, 5)
    r.close()


def test_max_bytes_and_ttl_bound_the_entries(server, other):
    r = cached(server, cache_config=CacheConfig(max_bytes=1000, ttl=0.2))
    assert r.get_cache().config.ttl == 0.2
    assert r.get_cache()._native.config() == (10000, 1000, 0.2)
    other.set("big", "x" * 2000)
    other.set("small", "y")
    assert r.get("big") == b"x" * 2000
    assert r.get("small") == b"y"
    assert r.get_cache().size == 1, "the 2,000-byte reply is over max_bytes"
    assert r.get("small") == b"y"
    assert calls(other, "get") == 2
    time.sleep(0.25)  # past the ttl: read again
    assert r.get("small") == b"y"
    assert calls(other, "get") == 3
    r.close()


def test_get_cache_size_flush_and_deletes(cr, other):
    other.set("a", "1")
    other.set("b", "2")
    other.hset("h", "f", "v")
    assert cr.get("a") == b"1"
    assert cr.mget("a", "b") == [b"1", b"2"]
    assert cr.hget("h", "f") == b"v"
    assert cr.strlen("b") == 1
    cache = cr.get_cache()
    assert cache.size == 4
    entry = cache.get(CacheKey("GET", ("a",), ("GET", "a")))
    assert entry.cache_value == b"1"
    assert entry.status is CacheEntryStatus.VALID
    assert cache.get(CacheKey("GET", ("zz",), ("GET", "zz"))) is None
    # "a" was read by GET a and MGET a b: one True per entry removed, as redis-py.
    assert cache.delete_by_redis_keys([b"a"]) == [True, True]
    assert cache.size == 2
    assert cache.delete_by_redis_keys(["a", "nothing"]) == []
    assert cache.delete_by_cache_keys(
        [CacheKey("HGET", ("h",), ("HGET", "h", "f")), CacheKey("GET", ("b",), ("GET", "b"))]
    ) == [True, False]
    assert cache.size == 1
    assert cr.get("a") == b"1"
    assert cache.flush() == 2
    assert cache.size == 0
    assert cache.flush() == 0
    assert cr.get("a") == b"1"
    assert calls(other, "get") == 3
    assert cache.is_cachable(CacheKey("GET", ("a",)))
    assert not cache.is_cachable(CacheKey("SET", ("a",)))
    assert cache.eviction_policy.type is EvictionPolicyType.time_based
    with pytest.raises(NotImplementedError):
        cache.collection
    with pytest.raises(NotImplementedError):
        cache.set(entry)


@pytest.mark.parametrize("transaction", [False, True])
def test_pipelines_neither_read_nor_fill_the_cache(cr, other, transaction):
    other.set("k", "v")
    other.set("p", "q")
    assert cr.get("k") == b"v"
    assert cr.get_cache().size == 1
    pipe = cr.pipeline(transaction=transaction)
    pipe.get("k").get("p").get("k")
    assert pipe.execute() == [b"v", b"q", b"v"]
    assert calls(other, "get") == 4, "1 cached read + the pipeline's 3"
    assert cr.get_cache().size == 1, "GET p was not kept"
    assert cr.get("k") == b"v"
    assert cr.get("p") == b"q"
    assert calls(other, "get") == 5


def test_binary_keys_and_values(cr, other):
    key = b"\x00\xff\x80bin\r\n"
    other.set(key, b"\x00\x01\xfe")
    assert cr.get(key) == b"\x00\x01\xfe"
    assert cr.get(key) == b"\x00\x01\xfe"
    assert calls(other, "get") == 1
    other.set(key, b"\xff")
    cr.get_cache().sync()
    assert cr.get(key) == b"\xff"
    assert calls(other, "get") == 2
    assert cr.get_cache().delete_by_redis_keys([key]) == [True]
    assert cr.get_cache().size == 0


@pytest.mark.parametrize("decode", [False, True])
def test_decode_responses_on_and_off(server, other, decode):
    r = cached(server, decode_responses=decode)
    other.set("k", "vé")
    other.rpush("l", "a", "b")
    other.hset("h", mapping={"f": "1"})
    other.sadd("s", "m")
    other.zadd("z", {"x": 1.5})
    want = ("vé" if decode else "vé".encode(),
            ["a", "b"] if decode else [b"a", b"b"],
            {"f": "1"} if decode else {b"f": b"1"},
            {"m"} if decode else {b"m"},
            [("x", 1.5)] if decode else [(b"x", 1.5)])
    for _ in range(3):  # a miss, then two hits: the same values
        got = (r.get("k"), r.lrange("l", 0, -1), r.hgetall("h"), r.smembers("s"),
               r.zrange("z", 0, -1, withscores=True))
        assert got == want
    assert [calls(other, c) for c in ("get", "lrange", "hgetall", "smembers", "zrange")] == [
        1, 1, 1, 1, 1]
    assert r.get_cache().stats()["hits"] == 10
    entry = r.get_cache().get(CacheKey("GET", ("k",), ("GET", "k")))
    assert entry.cache_value == want[0]
    r.close()


def test_writes_and_other_commands_are_not_cached(cr, other):
    assert cr.incr("n") == 1
    assert cr.incr("n") == 2
    assert cr.execute_command("GET", "n") == b"2"
    assert cr.execute_command("GET", "n") == b"2"  # execute_command's GET is cached too
    assert calls(other, "get") == 1
    assert cr.ttl("n") == -1
    assert cr.ttl("n") == -1
    assert calls(other, "ttl") == 2, "TTL is not on the allow list"
    assert cr.get_cache().size == 1
    assert CacheConfig().is_allowed_to_cache("GET")
    assert not CacheConfig().is_allowed_to_cache("SET")
    allow = CacheConfig.DEFAULT_ALLOW_LIST
    assert {"GET", "MGET", "HGETALL", "LRANGE", "SMEMBERS", "ZRANGE", "EXISTS"} <= set(allow)
    assert "SORT_RO" not in allow and "TTL" not in allow


def test_caching_needs_resp3(server):
    with pytest.raises(RedisError, match="only supported with RESP version 3"):
        oxredis.Redis(host="127.0.0.1", port=server.port, cache_config=CacheConfig(), protocol=2)
    url = f"redis://127.0.0.1:{server.port}"
    with pytest.raises(RedisError, match="RESP version 3"):
        oxredis.Redis.from_url(url + "?protocol=2", cache_config=CacheConfig())
    with pytest.raises(RedisError, match="RESP version 3"):
        oxredis.ConnectionPool(host="127.0.0.1", port=server.port, cache_config=CacheConfig(),
                               protocol=2)
    pool = oxredis.ConnectionPool(host="127.0.0.1", port=server.port, protocol=2)
    with pytest.raises(RedisError, match="RESP version 3"):
        oxredis.Redis(connection_pool=pool, cache_config=CacheConfig())
    # As redis-py 8: without `protocol`, RESP3 is spoken, so caching needs nothing more.
    for r in (oxredis.Redis(host="127.0.0.1", port=server.port, cache_config=CacheConfig()),
              oxredis.Redis.from_url(url, cache_config=CacheConfig())):
        assert r.get_protocol() == 3
        assert r.get_cache() is not None
    assert oxredis.Redis(host="127.0.0.1", port=server.port).get_cache() is None


def test_from_url_and_pool_with_cache_config(server, other):
    url = f"redis://127.0.0.1:{server.port}/0?protocol=3"
    r = oxredis.Redis.from_url(url, cache_config=CacheConfig(max_size=7))
    s = oxredis.from_url(url, cache_config=CacheConfig())
    other.set("k", "v")
    assert r.get("k") == b"v" and r.get("k") == b"v"
    assert s.get("k") == b"v" and s.get("k") == b"v"
    assert calls(other, "get") == 2, "one miss per client, each its own cache"
    assert r.get_cache().config.get_max_size() == 7
    pool = oxredis.ConnectionPool(host="127.0.0.1", port=server.port, protocol=3,
                                  cache_config=CacheConfig())
    a = oxredis.Redis(connection_pool=pool)
    b = oxredis.Redis(connection_pool=pool)
    assert a.get("k") == b"v" and b.get("k") == b"v"
    assert calls(other, "get") == 3, "clients of one pool share its cache"
    assert a.get_cache() is b.get_cache() is pool.cache
    for c in (r, s, a, b):
        c.close()


def test_a_default_cache_of_your_own(server, other):
    mine = DefaultCache(CacheConfig(max_size=2))
    assert mine.size == 0
    r = cached(server, cache=mine, cache_config=None)
    assert r.get_cache() is mine
    other.set("k", "v")
    assert r.get("k") == b"v" and r.get("k") == b"v"
    assert mine.size == 1
    with pytest.raises(ValueError, match="another client"):
        cached(server, cache=mine)

    class Custom(DefaultCache):
        pass

    with pytest.raises(NotImplementedError, match="cache_class"):
        cached(server, cache_config=CacheConfig(cache_class=Custom))
    with pytest.raises(NotImplementedError, match="DefaultCache"):
        cached(server, cache=object())
    with pytest.raises(ValueError):
        CacheConfig(max_size=-1)
    assert EvictionPolicy.LRU.value().type is EvictionPolicyType.time_based
    r.close()


def test_the_asyncio_client_has_no_cache_config(server):
    # As redis-py's asyncio client: no such keyword.
    with pytest.raises(TypeError, match="cache_config"):
        aredis.Redis(host="127.0.0.1", port=server.port, protocol=3, cache_config=CacheConfig())

    async def main():
        # An asyncio client on a caching pool's settings does not cache.
        pool = oxredis.ConnectionPool(host="127.0.0.1", port=server.port, protocol=3,
                                      cache_config=CacheConfig())
        r = aredis.Redis(connection_pool=pool)
        await r.set("ak", "v")
        return [await r.get("ak"), await r.get("ak")]

    assert asyncio.run(main()) == [b"v", b"v"]


def test_single_connection_client_reads_through_the_cache(server, other):
    r = cached(server, single_connection_client=True)
    other.set("k", "v")
    assert r.get("k") == b"v"
    assert r.get("k") == b"v"
    assert calls(other, "get") == 1
    assert r.get_cache().size == 1
    # Its own write drops the entry at once; another client's once the invalidation came.
    r.set("k", "v2")
    assert r.get("k") == b"v2"
    other.set("k", "v3")
    r.get_cache().sync()
    assert r.get("k") == b"v3"
    assert r.get("k") == b"v3"
    assert calls(other, "get") == 3
    # After SELECT the cache (database 0's entries) is left alone: reads go to the server.
    assert r.select(1) is True
    assert r.get("k") is None  # database 1's k, not database 0's cached b"v3"
    db1 = oxredis.Redis(host="127.0.0.1", port=server.port, db=1)
    db1.set("j", "in db 1")
    assert r.get("j") == b"in db 1"
    assert r.get("j") == b"in db 1"
    assert calls(other, "get") == 6
    # SELECT (a command the core's table does not declare) emptied the cache, and nothing
    # read after it was stored.
    assert r.get_cache().size == 0
    db1.flushdb()
    db1.close()
    r.close()


def test_replica_sentinel_pools_have_no_cache_yet():
    # (A primary's pool caches: tests/test_sentinel.py.)
    from oxredis.sentinel import SentinelConnectionPool

    with pytest.raises(NotImplementedError, match="slave_for clients"):
        SentinelConnectionPool("mymaster", None, is_master=False, protocol=3,
                               cache_config=CacheConfig())
