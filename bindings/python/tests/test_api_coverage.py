"""Sorted-set, list/set/hash, server and client API added to cover more of redis-py 8.1: each
reply in redis-py 8's ``protocol=2`` shape, the same Python values on RESP2 and RESP3 (the
``r``/``rd`` fixtures run on both), on the blocking client, pipelines and the asyncio client."""

import asyncio
import threading
import time

import pytest

import oxredis
import oxredis.asyncio as aredis
from oxredis.exceptions import DataError, ResponseError


def _version(r):
    """The server's version as a tuple (Valkey reports a Redis-compatible ``redis_version``)."""
    return tuple(int(x) for x in r.info("server")["redis_version"].split(".")[:3])


def _zsets(r):
    r.zadd("a", {"x": 1, "y": 2, "z": 3.5})
    r.zadd("b", {"y": 10, "z": 20, "w": 0.25})


# --- sorted sets -----------------------------------------------------------------------------
def test_zunion_zinter(r):
    _zsets(r)
    assert r.zunion(["a", "b"]) == [b"w", b"x", b"y", b"z"]
    assert r.zunion(["a", "b"], withscores=True) == [
        (b"w", 0.25), (b"x", 1.0), (b"y", 12.0), (b"z", 23.5)]
    assert r.zunion({"a": 2, "b": 1}, aggregate="MAX", withscores=True) == [
        (b"w", 0.25), (b"x", 2.0), (b"y", 10.0), (b"z", 20.0)]
    assert r.zunion(["a", "missing"]) == [b"x", b"y", b"z"]
    assert r.zinter(["a", "b"]) == [b"y", b"z"]
    assert r.zinter(["a", "b"], aggregate="min", withscores=True) == [(b"y", 2.0), (b"z", 3.5)]
    assert r.zinter({"a": 1, "b": 0.5}, withscores=True) == [(b"y", 7.0), (b"z", 13.5)]
    assert r.zinter(["a", "missing"], withscores=True) == []
    with pytest.raises(DataError, match="aggregate can be sum, min, max or count"):
        r.zinter(["a", "b"], aggregate="avg")
    # The stored forms (covered before) take the same key lists.
    assert r.zunionstore("u", {"a": 1, "b": 2}, aggregate="SUM") == 4
    assert r.zrange("u", 0, -1, withscores=True) == [
        (b"w", 0.5), (b"x", 1.0), (b"y", 22.0), (b"z", 43.5)]
    assert r.zinterstore("i", ["a", "b"], aggregate="MAX") == 2
    assert r.zrange("i", 0, -1, withscores=True) == [(b"y", 10.0), (b"z", 20.0)]


def test_zdiff_zintercard(r):
    _zsets(r)
    assert r.zdiff(["a", "b"]) == [b"x"]
    assert r.zdiff(["b", "a"]) == [b"w"]
    # As redis-py: ZDIFF WITHSCORES is the flat reply with the scores' text, unparsed.
    assert r.zdiff(["a", "b"], withscores=True) == [b"x", b"1"]
    assert r.zdiff(["b", "a"], withscores=True) == [b"w", b"0.25"]
    assert r.zdiff(["missing", "a"], withscores=True) == []
    assert r.zdiffstore("d", ["a", "b"]) == 1
    assert r.zrange("d", 0, -1, withscores=True) == [(b"x", 1.0)]
    assert r.zdiffstore("d", ["missing", "a"]) == 0
    assert r.exists("d") == 0
    assert r.zintercard(2, ["a", "b"]) == 2
    assert r.zintercard(2, ["a", "b"], limit=1) == 1
    assert r.zintercard(2, ["a", "missing"]) == 0


def test_zmscore_zrandmember(r, rd):
    _zsets(r)
    assert r.zmscore("a", ["x", "nope", "z"]) == [1.0, None, 3.5]
    assert r.zmscore("missing", ["x"]) == [None]
    with pytest.raises(DataError):
        r.zmscore("a", [])
    assert r.zrandmember("a") in (b"x", b"y", b"z")
    assert r.zrandmember("missing") is None
    assert r.zrandmember("missing", 2) == []
    assert sorted(r.zrandmember("a", 3)) == [b"x", b"y", b"z"]
    assert sorted(r.zrandmember("a", 10)) == [b"x", b"y", b"z"]  # distinct, at most all
    picked = r.zrandmember("a", -5)  # negative: may repeat, exactly 5
    assert len(picked) == 5 and set(picked) <= {b"x", b"y", b"z"}
    r.zadd("one", {"m": 2.5})
    # As redis-py: WITHSCORES is the flat reply, scores as their text.
    assert r.zrandmember("one", 1, withscores=True) == [b"m", b"2.5"]
    assert r.zrandmember("one", -2, withscores=True) == [b"m", b"2.5", b"m", b"2.5"]
    flat = r.zrandmember("a", 3, withscores=True)
    assert sorted(zip(flat[::2], flat[1::2])) == [(b"x", b"1"), (b"y", b"2"), (b"z", b"3.5")]
    assert rd.zrandmember("one", 1, withscores=True) == ["m", "2.5"]
    assert rd.zmscore("one", ["m"]) == [2.5]


def test_lex_ranges(r):
    r.zadd("lex", {"a": 0, "b": 0, "c": 0, "d": 0})
    assert r.zrangebylex("lex", "-", "[c") == [b"a", b"b", b"c"]
    assert r.zrangebylex("lex", "(a", "+", 1, 2) == [b"c", b"d"]
    assert r.zrangebylex("missing", "-", "+") == []
    with pytest.raises(DataError, match="``start`` and ``num`` must both be specified"):
        r.zrangebylex("lex", "-", "+", 1)
    assert r.zrevrangebylex("lex", "[c", "-") == [b"c", b"b", b"a"]
    assert r.zrevrangebylex("lex", "+", "-", 0, 2) == [b"d", b"c"]
    with pytest.raises(DataError):
        r.zrevrangebylex("lex", "+", "-", num=2)
    assert r.zlexcount("lex", "[b", "+") == 3
    assert r.zlexcount("lex", "-", "+") == 4
    assert r.zlexcount("missing", "-", "+") == 0
    with pytest.raises(ResponseError):
        r.zlexcount("lex", "b", "+")  # not a valid lex bound
    assert r.zremrangebylex("lex", "[c", "+") == 2
    assert r.zrange("lex", 0, -1) == [b"a", b"b"]
    assert r.zremrangebylex("lex", "(z", "+") == 0


def test_zrevrangebyscore_and_removals(r):
    _zsets(r)
    assert r.zrevrangebyscore("a", "+inf", 2) == [b"z", b"y"]
    assert r.zrevrangebyscore("a", 10, "-inf", withscores=True) == [
        (b"z", 3.5), (b"y", 2.0), (b"x", 1.0)]
    assert r.zrevrangebyscore("a", 10, "-inf", 1, 1, withscores=True) == [(b"y", 2.0)]
    assert r.zrevrangebyscore("a", "(2", 0) == [b"x"]
    with pytest.raises(DataError):
        r.zrevrangebyscore("a", 10, 0, start=1)
    assert r.zrangebyscore("a", 2, "+inf") == [b"y", b"z"]
    assert r.zremrangebyrank("a", 0, 0) == 1
    assert r.zrange("a", 0, -1) == [b"y", b"z"]
    assert r.zremrangebyrank("a", -1, -1) == 1
    assert r.zremrangebyrank("missing", 0, -1) == 0
    assert r.zremrangebyscore("b", "-inf", 10) == 2
    assert r.zrange("b", 0, -1, withscores=True) == [(b"z", 20.0)]
    assert r.zrangestore("c", "b", 0, -1) == 1
    assert r.zrangestore("c", "b", 100, "+inf", byscore=True) == 0


def test_score_cast_func(r, rd):
    _zsets(r)
    # redis-py passes the score's RESP2 text (bytes, or str when decoding) to the function,
    # through float when the function refuses it (int("3.5")).
    assert r.zrange("a", 0, -1, withscores=True, score_cast_func=lambda s: ("c", s)) == [
        (b"x", ("c", b"1")), (b"y", ("c", b"2")), (b"z", ("c", b"3.5"))]
    assert rd.zrange("a", 0, -1, withscores=True, score_cast_func=lambda s: ("c", s)) == [
        ("x", ("c", "1")), ("y", ("c", "2")), ("z", ("c", "3.5"))]
    assert r.zrange("a", 0, -1, withscores=True, score_cast_func=int) == [
        (b"x", 1), (b"y", 2), (b"z", 3)]
    assert r.zrange("missing", 0, -1, withscores=True, score_cast_func=int) == []
    assert r.zrange("a", 0, 0, score_cast_func=int) == [b"x"]  # no scores: not called
    assert r.zrevrange("a", 0, 0, withscores=True, score_cast_func=int) == [(b"z", 3)]
    assert r.zrangebyscore("a", 0, 10, withscores=True, score_cast_func=int) == [
        (b"x", 1), (b"y", 2), (b"z", 3)]
    assert r.zrevrangebyscore("a", 10, 0, 1, 1, withscores=True, score_cast_func=str) == [
        (b"y", "b'2'")]
    assert r.zunion(["a", "b"], withscores=True, score_cast_func=int) == [
        (b"w", 0), (b"x", 1), (b"y", 12), (b"z", 23)]
    assert r.zscan("a", score_cast_func=int) == (0, [(b"x", 1), (b"y", 2), (b"z", 3)])
    assert list(r.zscan_iter("a", score_cast_func=int)) == [(b"x", 1), (b"y", 2), (b"z", 3)]
    assert rd.zscan("a", score_cast_func=str) == (0, [("x", "1"), ("y", "2"), ("z", "3.5")])


def test_score_cast_func_zrank(r):
    if _version(r) < (7, 2):
        pytest.skip("ZRANK ... WITHSCORE needs Redis 7.2")
    _zsets(r)
    assert r.zrank("a", "z", withscore=True, score_cast_func=str) == [2, "b'3.5'"]
    assert r.zrevrank("a", "z", withscore=True, score_cast_func=int) == [0, 3]
    assert r.zrank("a", "nope", withscore=True, score_cast_func=int) is None


def test_score_cast_func_pipeline(r):
    _zsets(r)
    r.set("s", "x")
    pipe = r.pipeline(transaction=False)
    pipe.zrange("a", 0, 0, withscores=True, score_cast_func=int).zmscore("a", ["y"])
    pipe.zrange("s", 0, 0, withscores=True, score_cast_func=int)  # WRONGTYPE
    pipe.zscan("a", score_cast_func=int).zrandmember("a", 1, withscores=True)
    pipe.zrevrange("a", 0, 0, withscores=True, score_cast_func=str)
    res = pipe.execute(raise_on_error=False)
    assert res[:2] == [[(b"x", 1)], [2.0]]
    assert isinstance(res[2], ResponseError) and "WRONGTYPE" in str(res[2])
    assert res[3] == (0, [(b"x", 1), (b"y", 2), (b"z", 3)])
    assert len(res[4]) == 2 and res[4][0] in (b"x", b"y", b"z")
    assert res[5] == [(b"z", "b'3.5'")]
    with r.pipeline() as tx:  # MULTI/EXEC
        tx.zunion(["a"], withscores=True, score_cast_func=int).zcard("a")
        assert tx.execute() == [[(b"x", 1), (b"y", 2), (b"z", 3)], 3]
    with r.pipeline() as tx:  # WATCH: the command runs at once, cast applied
        tx.watch("a")
        assert tx.zrange("a", -1, -1, withscores=True, score_cast_func=int) == [(b"z", 3)]
        tx.multi()
        tx.zrange("a", 0, 0, withscores=True, score_cast_func=str)
        assert tx.execute() == [[(b"x", "b'1'")]]


def test_bzpop(r):
    _zsets(r)
    assert r.bzpopmin(["missing", "a"], 1) == (b"a", b"x", 1.0)
    assert r.bzpopmax("a", 1) == (b"a", b"z", 3.5)
    assert r.bzpopmin("missing", 0.05) is None
    assert r.bzpopmax(["missing"], timeout=0.05) is None

    def push():
        time.sleep(0.2)
        oxredis.Redis(host="127.0.0.1", port=r.get_connection_kwargs()["port"]).zadd(
            "later", {"m": 7})

    t = threading.Thread(target=push)
    t.start()
    assert r.bzpopmin("later", 10) == (b"later", b"m", 7.0)
    t.join()


def test_zmpop(r):
    _zsets(r)
    assert r.zmpop(2, ["missing", "b"], min=True) == [b"b", [[b"w", b"0.25"]]]
    assert r.zmpop(1, ["b"], max=True, count=5) == [b"b", [[b"z", b"20"], [b"y", b"10"]]]
    assert r.zmpop(1, ["b"], max=True) is None
    with pytest.raises(DataError):
        r.zmpop(1, ["a"])
    with pytest.raises(DataError):
        r.zmpop(1, ["a"], min=True, max=True)
    r.zadd("c", {"q": 1.5, "r": 2})
    assert r.bzmpop(1, 1, ["c"], min=True, count=2) == [b"c", [[b"q", b"1.5"], [b"r", b"2"]]]
    assert r.bzmpop(0.05, 1, ["c"], min=True) is None
    with pytest.raises(DataError, match="Either min or max"):
        r.bzmpop(1, 1, ["c"], min=True, max=True)


def test_sorted_sets_decoded(rd):
    _zsets(rd)
    assert rd.zunion(["a", "b"], withscores=True)[0] == ("w", 0.25)
    assert rd.zdiff(["a", "b"], withscores=True) == ["x", "1"]
    assert rd.bzpopmin("a", 1) == ("a", "x", 1.0)
    assert rd.zmpop(1, ["b"], min=True) == ["b", [["w", "0.25"]]]
    assert rd.zrangebylex("a", "-", "+") == ["y", "z"]


def test_sorted_sets_pipeline(r):
    _zsets(r)
    pipe = r.pipeline()
    pipe.zunion(["a", "b"]).zinter(["a", "b"], withscores=True).zdiff(["a", "b"], True)
    pipe.zmscore("a", ["x"]).zlexcount("a", "-", "+").bzpopmin("a", 1)
    pipe.zmpop(1, ["b"], max=True).zremrangebyrank("b", 0, 0).zrevrangebyscore("b", 100, 0)
    assert pipe.execute() == [
        [b"w", b"x", b"y", b"z"], [(b"y", 12.0), (b"z", 23.5)], [b"x", b"1"], [1.0], 3,
        (b"a", b"x", 1.0), [b"b", [[b"z", b"20"]]], 1, [b"y"]]


def test_sorted_sets_asyncio(server, protocol):
    async def main():
        a = aredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
        await a.flushdb()
        await a.zadd("a", {"x": 1, "y": 2})
        assert await a.zunion(["a"], withscores=True, score_cast_func=int) == [
            (b"x", 1), (b"y", 2)]
        assert await a.zmscore("a", ["y", "q"]) == [2.0, None]
        assert await a.zrandmember("a", 5, withscores=True) in (
            [b"x", b"1", b"y", b"2"], [b"y", b"2", b"x", b"1"])
        assert await a.zscan("a", score_cast_func=str) == (0, [(b"x", "b'1'"), (b"y", "b'2'")])
        # BZPOPMIN on a connection of its own, answered by a ZADD of this task.
        popper = asyncio.ensure_future(a.bzpopmin("later", 10))
        await asyncio.sleep(0.2)
        assert await a.zadd("later", {"m": 4}) == 1
        assert await asyncio.wait_for(popper, 20) == (b"later", b"m", 4.0)
        assert await a.bzmpop(0.05, 1, ["missing"], max=True) is None
        async with a.pipeline() as p:
            p.zrange("a", 0, -1, withscores=True, score_cast_func=int).zmpop(1, ["a"], min=True)
            p.zrevrangebylex("a", "+", "-")
            assert await p.execute() == [[(b"x", 1), (b"y", 2)], [b"a", [[b"x", b"1"]]], [b"y"]]
        await a.aclose()

    asyncio.run(main())


# --- lists, sets, hashes ---------------------------------------------------------------------
def test_blmove_lmpop_blmpop(r):
    r.rpush("l1", "a", "b", "c")
    r.rpush("l2", "x")
    assert r.blmove("l1", "l2", 1) == b"a"
    assert r.blmove("l1", "l2", 1, "RIGHT", "LEFT") == b"c"
    assert r.blmove("missing", "l2", 0.05) is None
    assert r.lrange("l2", 0, -1) == [b"c", b"x", b"a"]
    assert r.lmove("l2", "l1", "LEFT", "LEFT") == b"c"
    assert r.lmpop(2, "missing", "l2", direction="LEFT") == [b"l2", [b"x"]]
    assert r.lmpop(1, "l1", direction="RIGHT", count=5) == [b"l1", [b"b", b"c"]]
    assert r.lmpop(1, "l1", direction="RIGHT") is None
    with pytest.raises(TypeError):
        r.lmpop(1, "l1")  # direction is keyword-only and required, as in redis-py
    r.rpush("l3", 1, 2, 3)
    assert r.blmpop(1, 2, "missing", "l3", direction="RIGHT", count=2) == [b"l3", [b"3", b"2"]]
    assert r.blmpop(0.05, 1, "missing", direction="LEFT") is None
    assert r.lpos("l3", 1) == 0 and r.lpos("l3", 9) is None

    def push():
        time.sleep(0.2)
        oxredis.Redis(host="127.0.0.1", port=r.get_connection_kwargs()["port"]).rpush("w", "v")

    t = threading.Thread(target=push)
    t.start()
    assert r.blmove("w", "dst", 10, "LEFT", "RIGHT") == b"v"
    t.join()
    assert r.lrange("dst", 0, -1) == [b"v"]


def test_smismember_sintercard(r, rd):
    r.sadd("s1", "a", "b", "c")
    r.sadd("s2", "b", "c", "d")
    assert r.smismember("s1", ["a", "z", "c"]) == [1, 0, 1]
    assert r.smismember("s1", "a", "b") == [1, 1]
    assert r.smismember("missing", ["a"]) == [0]
    assert rd.smismember("s1", ["d"]) == [0]
    assert r.sintercard(2, ["s1", "s2"]) == 2
    assert r.sintercard(2, ["s1", "s2"], limit=1) == 1
    assert r.sintercard(2, ["s1", "missing"]) == 0
    r.set("str", "x")
    with pytest.raises(ResponseError):
        r.smismember("str", ["a"])


def test_hrandfield(r, rd):
    r.hset("h", mapping={"f": "v"})
    assert r.hrandfield("h") == b"f"
    assert r.hrandfield("missing") is None
    assert r.hrandfield("h", 2) == [b"f"]
    assert r.hrandfield("h", -2) == [b"f", b"f"]
    # As redis-py: WITHVALUES is the flat reply.
    assert r.hrandfield("h", 1, withvalues=True) == [b"f", b"v"]
    assert r.hrandfield("h", -2, withvalues=True) == [b"f", b"v", b"f", b"v"]
    assert r.hrandfield("missing", 2, withvalues=True) == []
    rd.hset("h2", mapping={"a": 1, "b": 2})
    flat = rd.hrandfield("h2", 5, withvalues=True)
    assert sorted(zip(flat[::2], flat[1::2])) == [("a", "1"), ("b", "2")]


def test_lists_sets_hashes_pipeline_and_asyncio(r, server, protocol):
    r.hset("h", "f", "v")
    r.sadd("s", "a")
    r.rpush("l", "1", "2")
    pipe = r.pipeline()
    pipe.hrandfield("h", 1, True).smismember("s", ["a", "b"]).sintercard(1, ["s"])
    pipe.lmpop(1, "l", direction="LEFT").blmpop(1, 1, "l", direction="LEFT").blmove("l", "m", 0.05)
    assert pipe.execute() == [[b"f", b"v"], [1, 0], 1, [b"l", [b"1"]], [b"l", [b"2"]], None]

    async def main():
        a = aredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
        assert await a.hrandfield("h", -1, withvalues=True) == [b"f", b"v"]
        assert await a.smismember("s", "a", "z") == [1, 0]
        # BLMOVE and BLMPOP wait on connections of their own, answered by this task.
        mover = asyncio.ensure_future(a.blmove("src", "dst", 10))
        popper = asyncio.ensure_future(a.blmpop(10, 1, "src2", direction="RIGHT", count=3))
        await asyncio.sleep(0.2)
        assert await a.rpush("src", "v") == 1
        assert await a.rpush("src2", "p", "q") == 2
        assert await asyncio.wait_for(mover, 20) == b"v"
        assert await asyncio.wait_for(popper, 20) == [b"src2", [b"q", b"p"]]
        async with a.pipeline(transaction=False) as p:
            p.lmpop(1, "dst", direction="LEFT").sintercard(1, ["s"], limit=5)
            assert await p.execute() == [[b"dst", [b"v"]], 1]
        await a.aclose()

    asyncio.run(main())
