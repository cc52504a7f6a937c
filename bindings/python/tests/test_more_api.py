"""redis-py API added after the first cut: hscan(no_values=), zrank/zrevrank(withscore=),
PubSub.ping(message) — values as redis-py 8.1 returns them."""

import asyncio

import pytest

import oxredis
import oxredis.asyncio


def _version(text):
    return tuple(int(p) for p in str(text).split("."))


def server_at_least(r, redis, valkey):
    """Whether the server is Redis >= `redis` or Valkey >= `valkey`."""
    info = r.info("server")
    if "valkey_version" in info:
        return _version(info["valkey_version"]) >= valkey
    return _version(info["redis_version"]) >= redis


def test_hscan_no_values(r):
    if not server_at_least(r, (7, 4), (8, 0)):
        pytest.skip("HSCAN NOVALUES needs Redis 7.4 / Valkey 8")
    r.hset("h", mapping={"a": 1, "b": 2, "c": 3})
    cursor, fields = r.hscan("h", no_values=True)
    assert cursor == 0
    assert type(fields) is list
    assert sorted(fields) == [b"a", b"b", b"c"]
    assert r.hscan("h", match="b*", no_values=True) == (0, [b"b"])
    assert r.hscan("missing", no_values=True) == (0, [])
    assert sorted(r.hscan_iter("h", no_values=True)) == [b"a", b"b", b"c"]
    # Without it, the values are there as before.
    assert r.hscan("h", match="a") == (0, {b"a": b"1"})
    assert sorted(r.hscan_iter("h", match="[ab]")) == [(b"a", b"1"), (b"b", b"2")]


def test_hscan_no_values_decoded_and_async(server, protocol, rd):
    if not server_at_least(rd, (7, 4), (8, 0)):
        pytest.skip("HSCAN NOVALUES needs Redis 7.4 / Valkey 8")
    rd.hset("h", mapping={"x": 1, "y": 2})
    assert sorted(rd.hscan("h", no_values=True)[1]) == ["x", "y"]

    async def main():
        a = oxredis.asyncio.Redis(port=server.port, protocol=protocol)
        try:
            cursor, fields = await a.hscan("h", no_values=True)
            got = [f async for f in a.hscan_iter("h", no_values=True)]
            return cursor, sorted(fields), sorted(got)
        finally:
            await a.aclose()

    assert asyncio.run(main()) == (0, [b"x", b"y"], [b"x", b"y"])


def test_zrank_withscore(r):
    if not server_at_least(r, (7, 2), (7, 2)):
        pytest.skip("ZRANK WITHSCORE needs Redis 7.2")
    r.zadd("z", {"a": 1.5, "b": 2, "c": -3})
    got = r.zrank("z", "b", withscore=True)
    assert got == [2, 2.0]
    assert type(got) is list and type(got[0]) is int and type(got[1]) is float
    assert r.zrank("z", "a", withscore=True) == [1, 1.5]
    assert r.zrank("z", "c", withscore=True) == [0, -3.0]
    assert r.zrevrank("z", "b", withscore=True) == [0, 2.0]
    assert r.zrevrank("z", "c", withscore=True) == [2, -3.0]
    assert r.zrank("z", "missing", withscore=True) is None
    assert r.zrevrank("missing", "a", withscore=True) is None
    assert r.zrank("z", "b") == 2
    assert r.zrevrank("z", "b") == 0
    p = r.pipeline()
    p.zrank("z", "a", withscore=True).zrevrank("z", "a", withscore=True).zrank("z", "nope")
    assert p.execute() == [[1, 1.5], [1, 1.5], None]


def test_zrank_withscore_infinite_scores(r):
    if not server_at_least(r, (7, 2), (7, 2)):
        pytest.skip("ZRANK WITHSCORE needs Redis 7.2")
    r.zadd("z", {"lo": float("-inf"), "hi": float("inf")})
    assert r.zrank("z", "lo", withscore=True) == [0, float("-inf")]
    assert r.zrank("z", "hi", withscore=True) == [1, float("inf")]


def test_pubsub_ping_with_message(r):
    p = r.pubsub()
    p.subscribe("c")
    assert p.get_message(timeout=5) == {
        "type": "subscribe", "pattern": None, "channel": b"c", "data": 1}
    p.ping("hello")
    assert p.get_message(timeout=5) == {
        "type": "pong", "pattern": None, "channel": None, "data": b"hello"}
    p.ping(b"\x00bin")
    assert p.get_message(timeout=5) == {
        "type": "pong", "pattern": None, "channel": None, "data": b"\x00bin"}
    p.ping(42)
    assert p.get_message(timeout=5) == {
        "type": "pong", "pattern": None, "channel": None, "data": b"42"}
    p.ping()
    assert p.get_message(timeout=5) == {
        "type": "pong", "pattern": None, "channel": None, "data": b""}
    p.close()


def test_pubsub_ping_with_message_decoded(rd):
    p = rd.pubsub()
    p.subscribe("c")
    assert p.get_message(timeout=5)["type"] == "subscribe"
    p.ping("héllo")
    assert p.get_message(timeout=5) == {
        "type": "pong", "pattern": None, "channel": None, "data": "héllo"}
    with pytest.raises(oxredis.exceptions.DataError):
        p.ping(object())
    p.close()


def test_sort(r):
    r.rpush("l", 3, 1, 2, 10)
    assert r.sort("l") == [b"1", b"2", b"3", b"10"]
    assert r.sort("l", desc=True) == [b"10", b"3", b"2", b"1"]
    assert r.sort("l", alpha=True) == [b"1", b"10", b"2", b"3"]
    assert r.sort("l", start=1, num=2) == [b"2", b"3"]
    assert r.sort_ro("l", desc=True, start=0, num=1) == [b"10"]
    r.mset({"w_1": 4, "w_2": 3, "w_3": 2, "w_10": 1, "o_1": "one", "o_3": "three"})
    assert r.sort("l", by="w_*") == [b"10", b"3", b"2", b"1"]
    assert r.sort("l", by="w_*", get="o_*") == [None, b"three", None, b"one"]
    assert r.sort("l", get=["#", "o_*"]) == [b"1", b"one", b"2", None, b"3", b"three", b"10", None]
    assert r.sort("l", store="sorted") == 4
    assert r.lrange("sorted", 0, -1) == [b"1", b"2", b"3", b"10"]
    assert r.sort("missing") == []
    with pytest.raises(oxredis.exceptions.DataError):
        r.sort("l", start=1)
    r.set("s", "x")
    with pytest.raises(oxredis.exceptions.ResponseError):
        r.sort("s")


def test_zunionstore_zinterstore_zrangestore(r):
    r.zadd("a", {"x": 1, "y": 2})
    r.zadd("b", {"y": 10, "z": 20})
    assert r.zunionstore("u", ["a", "b"]) == 3
    assert r.zrange("u", 0, -1, withscores=True) == [(b"x", 1.0), (b"y", 12.0), (b"z", 20.0)]
    assert r.zunionstore("u", {"a": 2, "b": 1}, aggregate="MAX") == 3
    assert r.zrange("u", 0, -1, withscores=True) == [(b"x", 2.0), (b"y", 10.0), (b"z", 20.0)]
    assert r.zinterstore("i", ["a", "b"]) == 1
    assert r.zrange("i", 0, -1, withscores=True) == [(b"y", 12.0)]
    assert r.zinterstore("i", ["a", "b"], aggregate="min") == 1
    assert r.zscore("i", "y") == 2.0
    assert r.zinterstore("i", ["a", "missing"]) == 0
    assert r.exists("i") == 0
    with pytest.raises(oxredis.exceptions.DataError):
        r.zunionstore("u", ["a"], aggregate="AVG")
    assert r.zrangestore("r", "u", 0, 1) == 2
    assert r.zrange("r", 0, -1, withscores=True) == [(b"x", 2.0), (b"y", 10.0)]
    assert r.zrangestore("r", "u", 5, 25, byscore=True) == 2
    assert r.zrange("r", 0, -1) == [b"y", b"z"]
    assert r.zrangestore("r", "u", 0, 0, desc=True) == 1
    assert r.zrange("r", 0, -1) == [b"z"]
    assert r.zrangestore("r", "u", "-inf", "+inf", byscore=True, offset=1, num=1) == 1
    assert r.zrange("r", 0, -1) == [b"y"]
    assert r.zrangestore("r", "missing", 0, -1) == 0
    with pytest.raises(oxredis.exceptions.DataError):
        r.zrangestore("r", "u", 0, 1, byscore=True, bylex=True)
