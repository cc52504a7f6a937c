"""redis-py 8.1's ``legacy_responses=False``: the unified reply shapes, the same Python values
on RESP2 and RESP3, on the blocking client, its pipelines and the asyncio client. Each
expected value is what redis-py 8.1 returns with ``legacy_responses=False``."""

import asyncio

import pytest

import oxredis
import oxredis.asyncio as aredis
from oxredis.cluster import RedisCluster


def _fill(r):
    r.flushdb()
    r.zadd("z", {"a": 1, "b": 2.5})
    r.zadd("z2", {"a": 3})
    r.zadd("zp", {"a": 1, "b": 2, "c": 3})
    r.zadd("zb", {"a": 1})
    r.zadd("zm", {"a": 1, "b": 2})
    r.hset("h", "f", "v")
    r.geoadd("g", (13.361389, 38.115556, "Palermo"))
    r.xadd("s", {"f": "v"}, id="1-1")
    r.rpush("l", "x")
    r.mset({"k1": "ohmytext", "k2": "mynewtext"})
    r.function_load("#!lua name=lib\nredis.register_function('f1', function(k, a) return 1 end)",
                    replace=True)


# (method, args, kwargs, the unified reply); one at a time, in this order.
CALLS = [
    ("zrange", ("z", 0, -1), {"withscores": True}, [[b"a", 1.0], [b"b", 2.5]]),
    ("zrange", ("z", 0, -1), {"withscores": True, "score_cast_func": int},
     [[b"a", 1], [b"b", 2]]),
    ("zrange", ("z", 0, -1), {}, [b"a", b"b"]),
    ("zrangebyscore", ("z", 0, 10), {"withscores": True}, [[b"a", 1.0], [b"b", 2.5]]),
    ("zrevrange", ("z", 0, -1), {"withscores": True}, [[b"b", 2.5], [b"a", 1.0]]),
    ("zunion", (["z", "z2"],), {"withscores": True}, [[b"b", 2.5], [b"a", 4.0]]),
    ("zinter", (["z", "z2"],), {"withscores": True}, [[b"a", 4.0]]),
    ("zdiff", (["z", "z2"],), {"withscores": True}, [[b"b", 2.5]]),
    ("zdiff", (["z", "z2"],), {}, [b"b"]),
    ("zrandmember", ("z2", 1), {"withscores": True}, [[b"a", 3.0]]),
    ("zscan", ("z",), {}, (0, [[b"a", 1.0], [b"b", 2.5]])),
    ("zscan", ("z",), {"score_cast_func": int}, (0, [[b"a", 1], [b"b", 2]])),
    ("zpopmin", ("zp",), {}, [[b"a", 1.0]]),
    ("zpopmax", ("zp", 1), {}, [[b"c", 3.0]]),
    ("bzpopmin", ("zb", 1), {}, [b"zb", b"a", 1.0]),
    ("zmpop", (1, ["zm"]), {"min": True}, [b"zm", [[b"a", 1.0]]]),
    ("hrandfield", ("h", 1), {"withvalues": True}, [[b"f", b"v"]]),
    ("hrandfield", ("h", 1), {}, [b"f"]),
    ("geopos", ("g", "Palermo", "nope"), {}, [[13.361389338970184, 38.1155563954963], None]),
    ("xread", ({"s": 0},), {}, {b"s": [(b"1-1", {b"f": b"v"})]}),
    ("xread", ({"s": "1-1"},), {}, {}),
    ("blpop", ("l", 1), {}, [b"l", b"x"]),
    ("lcs", ("k1", "k2"), {"idx": True},
     {"matches": [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], "len": 6}),
    ("lcs", ("k1", "k2"), {}, b"mytext"),
    ("client_trackinginfo", (), {}, {"flags": ["off"], "redirect": -1, "prefixes": []}),
    ("function_list", (), {}, [{b"library_name": b"lib", b"engine": b"LUA", b"functions": [
        {b"name": b"f1", b"description": None, b"flags": []}]}]),
    ("command_getkeys", ("MSET", "a", "b", "c", "d"), {}, [b"a", b"c"]),
    ("hgetall", ("h",), {}, {b"f": b"v"}),
    ("execute_command", ("ZPOPMIN", "zp"), {}, [[b"b", 2.0]]),
]


def _expected():
    return [expected for *_, expected in CALLS]


def test_unified_blocking_and_pipeline(server, protocol):
    r = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol,
                      legacy_responses=False)
    _fill(r)
    got = [getattr(r, name)(*args, **kwargs) for name, args, kwargs, _ in CALLS]
    assert got == _expected()
    _fill(r)
    pipe = r.pipeline(transaction=False)
    for name, args, kwargs, _ in CALLS:
        getattr(pipe, name)(*args, **kwargs)
    assert pipe.execute() == _expected()
    # COMMAND's flags and ACL categories are sets.
    assert r.command()["get"]["flags"] == {"readonly", "fast"}
    # The default stays redis-py 8's legacy shapes.
    plain = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
    assert plain.zrange("z", 0, -1, withscores=True) == [(b"a", 1.0), (b"b", 2.5)]
    assert plain.command()["get"]["flags"] == ["readonly", "fast"]
    assert r.connection_pool.connection_kwargs["legacy_responses"] is False


def test_unified_asyncio(server, protocol):
    async def main():
        r = aredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol,
                         legacy_responses=False)
        got = [await getattr(r, name)(*args, **kwargs) for name, args, kwargs, _ in CALLS]
        assert got == _expected()
        _fill(oxredis.Redis(host="127.0.0.1", port=server.port))
        pipe = r.pipeline(transaction=True)
        for name, args, kwargs, _ in CALLS:
            getattr(pipe, name)(*args, **kwargs)
        assert await pipe.execute() == _expected()
        await r.aclose()

    _fill(oxredis.Redis(host="127.0.0.1", port=server.port))
    asyncio.run(main())


def test_unified_from_url_and_decoded(server, protocol):
    url = f"redis://127.0.0.1:{server.port}/0?protocol={protocol}&legacy_responses=false"
    r = oxredis.Redis.from_url(url, decode_responses=True)
    _fill(r)
    assert r.zrange("z", 0, -1, withscores=True) == [["a", 1.0], ["b", 2.5]]
    assert r.xread({"s": 0}) == {"s": [("1-1", {"f": "v"})]}
    assert r.hrandfield("h", 1, withvalues=True) == [["f", "v"]]
    assert r.function_list() == [{"library_name": "lib", "engine": "LUA", "functions": [
        {"name": "f1", "description": None, "flags": []}]}]
    assert oxredis.Redis.from_url(
        f"redis://127.0.0.1:{server.port}/0?legacy_responses=true").zrange(
            "z", 0, -1, withscores=True) == [(b"a", 1.0), (b"b", 2.5)]


def test_unified_cluster(cluster, protocol):
    rc = RedisCluster(host="127.0.0.1", port=cluster.ports[0], protocol=protocol,
                      legacy_responses=False)
    rc.delete("{u}z", "{u}s")
    rc.zadd("{u}z", {"a": 1, "b": 2.5})
    rc.xadd("{u}s", {"f": "v"}, id="1-1")
    assert rc.zrange("{u}z", 0, -1, withscores=True) == [[b"a", 1.0], [b"b", 2.5]]
    assert rc.zpopmin("{u}z") == [[b"a", 1.0]]
    assert rc.xread({"{u}s": 0}) == {b"{u}s": [(b"1-1", {b"f": b"v"})]}
    pipe = rc.pipeline()
    pipe.zrange("{u}z", 0, -1, withscores=True)
    assert pipe.execute() == [[[b"b", 2.5]]]


def test_legacy_responses_is_checked_per_client(server):
    # Two clients side by side keep their own shapes.
    unified = oxredis.Redis(host="127.0.0.1", port=server.port, legacy_responses=False)
    legacy = oxredis.Redis(host="127.0.0.1", port=server.port)
    unified.flushdb()
    unified.zadd("z", {"a": 1})
    assert unified.zpopmin("z") == [[b"a", 1.0]]
    legacy.zadd("z", {"a": 1})
    assert legacy.zpopmin("z") == [(b"a", 1.0)]


@pytest.mark.parametrize("value", ["0", "no", "false", "False"])
def test_legacy_responses_url_values(server, value):
    r = oxredis.Redis.from_url(f"redis://127.0.0.1:{server.port}/0?legacy_responses={value}")
    assert r.get_connection_kwargs()["legacy_responses"] is False
