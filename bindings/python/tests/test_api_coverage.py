"""Sorted-set, list/set/hash, server and client API added to cover more of redis-py 8.1: each
reply in redis-py 8's ``protocol=2`` shape, the same Python values on RESP2 and RESP3 (the
``r``/``rd`` fixtures run on both), on the blocking client, pipelines and the asyncio client."""

import asyncio
import datetime
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


# --- server: CLIENT ----------------------------------------------------------------------------
def test_client_info(r, rd):
    pipe = r.pipeline(transaction=False)  # one connection for both
    pipe.client_setname("oxpy-info").client_info().client_id()
    _, info, cid = pipe.execute()
    assert (info["id"], info["name"], info["db"], info["user"]) == (cid, "oxpy-info", 0, "default")
    assert info["cmd"] == "client|info"
    assert {"addr", "laddr", "fd", "age", "idle", "flags", "sub", "psub", "multi", "qbuf",
            "argv-mem", "obl", "oll", "omem", "tot-mem", "events", "resp"} <= set(info)
    ints = {"id", "age", "idle", "db", "sub", "psub", "multi", "qbuf", "qbuf-free", "obl",
            "argv-mem", "oll", "omem", "tot-mem"}
    assert all(isinstance(v, int) if k in ints else isinstance(v, str) for k, v in info.items())
    assert info["resp"] == str(r.get_protocol())
    assert rd.client_info()["user"] == "default"
    assert r.execute_command("CLIENT INFO")["db"] == 0


def test_client_kill(r, server, protocol):
    clients = []  # kept open until killed

    def victim():
        v = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol,
                          client_name="oxpy-victim")
        assert v.ping() is True
        clients.append(v)
        [me] = [c for c in r.client_list() if c["name"] == "oxpy-victim"]
        return me

    me = victim()
    assert r.client_kill(me["addr"]) is True
    assert [c for c in r.client_list() if c["name"] == "oxpy-victim"] == []
    with pytest.raises(ResponseError, match="No such client"):
        r.client_kill(me["addr"])
    me = victim()
    assert r.client_kill_filter(_id=me["id"]) == 1
    assert r.client_kill_filter(_id=me["id"]) == 0
    me = victim()
    assert r.client_kill_filter(addr=me["addr"], skipme=True) == 1
    assert [c for c in r.client_list() if c["name"] == "oxpy-victim"] == []
    assert r.client_kill_filter(_type="master") == 0
    with pytest.raises(ResponseError, match="No such user"):
        r.client_kill_filter(user="nobody", skipme=False)
    with pytest.raises(DataError, match="must specify at least one filter"):
        r.client_kill_filter()
    with pytest.raises(DataError, match="CLIENT KILL type must be one of"):
        r.client_kill_filter(_type="nobody")
    with pytest.raises(DataError, match="skipme must be a bool"):
        r.client_kill_filter(_id=1, skipme="yes")


def test_read_after_the_server_closed_the_pooled_connection(r, server, protocol):
    # The server closes the one pooled connection; the next GET, sent within a millisecond
    # (before the pool's idle probe would notice), reads EOF and is retried on a new
    # connection, as redis-py retries it (a read: running it twice is harmless).
    v = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol, max_connections=1)
    assert v.set("k", "v") is True
    for _ in range(20):
        assert r.client_kill_filter(_id=v.client_id()) == 1
        assert v.get("k") == b"v"
        assert v.execute_command("STRLEN", "k") == 1


def test_client_pause_evict_tracking(r, rd):
    assert r.client_pause(1) is True
    assert r.client_pause(1, all=False) is True
    assert r.client_unpause() == b"OK"
    assert rd.client_unpause() == "OK"
    with pytest.raises(DataError, match="CLIENT PAUSE timeout must be an integer"):
        r.client_pause(1.5)
    assert r.client_no_evict("on") == b"OK"
    assert r.client_no_evict("off") == b"OK"
    with pytest.raises(ResponseError):
        r.client_no_evict("maybe")
    pipe = r.pipeline(transaction=False)  # tracking is per connection: on, then off again
    pipe.client_tracking_on(bcast=True, prefix=["a:", "b:"]).client_tracking_off()
    pipe.client_tracking(on=True, optin=True).client_tracking(on=False)
    assert pipe.execute() == [b"OK"] * 4
    with pytest.raises(DataError, match="Prefix can only be used with bcast"):
        r.client_tracking_on(prefix=["a"])
    with pytest.raises(ResponseError):
        r.client_tracking_on(clientid=999_999_999)  # no such client to redirect to


def test_client_no_touch(r):
    if _version(r) < (7, 2):
        pytest.skip("CLIENT NO-TOUCH needs Redis 7.2")
    assert r.client_no_touch("ON") == b"OK"
    assert r.client_no_touch("OFF") == b"OK"


# --- server: ACL -------------------------------------------------------------------------------
SECRET1_SHA = "5b11618c2e44027877d0cd0921ed166b9f176f50587fc91e7534dd2946db77d6"


def test_acl_setuser_getuser_list_deluser(r, rd):
    try:
        assert r.acl_setuser("oxpy-u1", enabled=True, passwords=["+secret1"],
                             categories=["+@hyperloglog"], commands=["+get"],
                             keys=["k*", "%R~r*"], channels=["ch*"],
                             selectors=[("+get", "sel*")]) is True
        u1 = r.acl_getuser("oxpy-u1")
        assert {k: u1[k] for k in ("flags", "passwords", "commands", "categories", "keys",
                                   "channels", "selectors", "enabled")} == {
            "flags": ["on"], "passwords": [SECRET1_SHA], "commands": ["+get"],
            "categories": ["-@all", "+@hyperloglog"], "keys": ["~k*", "%R~r*"],
            "channels": ["&ch*"], "enabled": True,
            # Valkey adds its "databases" rule to each selector (and to the user).
            "selectors": [["commands", "-@all +get", "keys", "~sel*", "channels", ""]
                          + (["databases", "alldbs"] if "databases" in u1 else [])]}
        assert rd.acl_getuser("oxpy-u1")["passwords"] == [SECRET1_SHA]
        assert r.acl_setuser("oxpy-u2", nopass=True, reset=True) is True
        u2 = r.acl_getuser("oxpy-u2")
        assert {k: u2[k] for k in ("passwords", "commands", "categories", "keys", "channels",
                                   "selectors", "enabled")} == {
            "passwords": [], "commands": [], "categories": ["-@all"], "keys": [],
            "channels": [], "selectors": [], "enabled": False}
        assert u2["flags"][:2] == ["off", "nopass"]
        assert r.acl_setuser("oxpy-u3", hashed_passwords=["+" + "a" * 64], reset_keys=True,
                             reset_channels=True, reset_passwords=True) is True
        assert r.acl_getuser("oxpy-u3")["passwords"] == ["a" * 64]
        assert r.acl_setuser("oxpy-u3", hashed_passwords=["-" + "a" * 64]) is True
        assert r.acl_getuser("oxpy-u3")["passwords"] == []
        assert r.acl_getuser("nobody") is None
        rules = r.acl_list()
        assert all(isinstance(x, str) for x in rules)
        assert "user default on nopass ~* &* +@all" in rules
        [u1_rules] = [x for x in rules if x.startswith("user oxpy-u1 ")]
        assert u1_rules.startswith(f"user oxpy-u1 on #{SECRET1_SHA} ~k* %R~r* resetchannels "
                                   "&ch* -@all +@hyperloglog +get (~sel* ")
        assert r.acl_dryrun("oxpy-u1", "get", "kx") == b"OK"
        assert rd.acl_dryrun("oxpy-u1", "set", "kx", "v") != "OK"  # a reason, as text
        for bad in (dict(passwords=["x"]), dict(hashed_passwords=["x"]),
                    dict(nopass=True, passwords=["+x"]), dict(categories=["read"]),
                    dict(commands=["get"]), dict(selectors=[("get", "k")])):
            with pytest.raises(DataError):
                r.acl_setuser("oxpy-bad", **bad)
        with pytest.raises(ResponseError):
            r.acl_setuser("oxpy-bad", commands=["+nosuchcommand"])
    finally:
        assert r.acl_deluser("oxpy-u1", "oxpy-u2", "oxpy-u3", "nobody") == 3
    assert r.acl_deluser("oxpy-u1") == 0


def test_acl_cat_genpass_log(r, rd, server, protocol):
    cats = r.acl_cat()
    assert {"keyspace", "read", "write", "hyperloglog", "dangerous"} <= set(cats)
    assert all(isinstance(c, str) for c in cats)
    assert sorted(rd.acl_cat("hyperloglog")) == [
        "pfadd", "pfcount", "pfdebug", "pfmerge", "pfselftest"]
    with pytest.raises(ResponseError):
        r.acl_cat("nosuchcategory")
    p = r.acl_genpass()
    assert isinstance(p, str) and len(p) == 64 and int(p, 16) >= 0
    assert len(r.acl_genpass(32)) == 8
    assert len(r.acl_genpass("8")) == 2
    with pytest.raises(DataError, match="between 0 and 4096"):
        r.acl_genpass(5000)
    assert r.acl_log_reset() is True
    assert r.acl_log() == []
    r.acl_setuser("oxpy-logged", enabled=True, passwords=["+pw"], commands=["+get"],
                  keys=["allowed*"])
    try:
        u = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol,
                          username="oxpy-logged", password="pw")
        with pytest.raises(oxredis.exceptions.NoPermissionError):
            u.get("forbidden")
        [entry] = r.acl_log(count=1)
        assert {k: entry[k] for k in ("count", "reason", "context", "object", "username")} == {
            "count": 1, "reason": "key", "context": "toplevel", "object": "forbidden",
            "username": "oxpy-logged"}
        assert isinstance(entry["age-seconds"], float) and entry["age-seconds"] >= 0
        info = entry["client-info"]
        assert (info["user"], info["cmd"], info["db"]) == ("oxpy-logged", "get", 0)
        assert isinstance(info["id"], int) and isinstance(info["addr"], str)
        assert rd.acl_log(count=1)[0]["object"] == "forbidden"
        with pytest.raises(DataError, match="ACL LOG count must be an integer"):
            r.acl_log(count="1")
        assert r.execute_command("ACL LOG", "RESET") is True
        assert r.acl_log() == []
    finally:
        r.acl_deluser("oxpy-logged")


# --- server: functions, memory, debug, config --------------------------------------------------
FLIB = ("#!lua name=oxcov\n"
        "redis.register_function('echo1', function(keys, args) return args[1] end)\n"
        "redis.register_function{function_name='get1', callback=function(keys, args) "
        "return redis.call('GET', keys[1]) end, flags={'no-writes'}}\n")
FLIB_FUNCTIONS = [[b"name", b"echo1", b"description", None, b"flags", []],
                  [b"name", b"get1", b"description", None, b"flags", [b"no-writes"]]]


def _libs(reply):
    """FUNCTION LIST with each library's functions sorted (the server's order is a hash's)."""
    return [[sorted(v) if k == b"functions" else v for k, v in zip(lib[::2], lib[1::2])]
            for lib in reply]




def test_function_list_stats_dump_restore(r, rd):
    assert r.function_flush() is True
    assert r.function_list() == []
    assert r.function_load(FLIB) == b"oxcov"
    # As RESP2 sends it (flat lists), on RESP3 too.
    listed = r.function_list()
    assert [lib[::2] for lib in listed] == [[b"library_name", b"engine", b"functions"]]
    assert _libs(listed) == [[b"oxcov", b"LUA", FLIB_FUNCTIONS]]
    assert _libs(r.function_list(library="ox*", withcode=True)) == [
        [b"oxcov", b"LUA", FLIB_FUNCTIONS, FLIB.encode()]]
    assert r.function_list(library="zzz") == []
    assert rd.function_list()[0][:4] == ["library_name", "oxcov", "engine", "LUA"]
    assert r.function_stats() == [
        b"running_script", None, b"engines", [b"LUA", [b"libraries_count", 1,
                                                      b"functions_count", 2]]]
    dump = rd.function_dump()
    assert isinstance(dump, bytes) and len(dump) > 20  # bytes even when decoding
    with pytest.raises(ResponseError, match="already exists"):
        r.function_restore(dump)
    assert r.function_restore(dump, "REPLACE") is True
    assert r.function_flush() is True
    assert r.function_restore(dump, policy="FLUSH") is True
    assert [lib[1] for lib in r.function_list()] == [b"oxcov"]
    assert r.fcall("echo1", 0, "back") == b"back"
    pipe = r.pipeline()
    pipe.function_dump().function_flush().function_restore(dump).function_list("oxcov")
    pipe.function_stats()
    got = pipe.execute()
    assert got[0] == dump and got[1:3] == [True, True]
    assert _libs(got[3]) == [[b"oxcov", b"LUA", FLIB_FUNCTIONS]]
    assert got[4][2:] == [b"engines", [b"LUA", [b"libraries_count", 1, b"functions_count", 2]]]
    assert r.function_flush() is True


def test_memory_usage_debug_object_config_rewrite(r, rd):
    r.rpush("l", "a")
    r.set("n", 5)
    r.set("s", "x" * 100)
    usage = r.memory_usage("s")
    assert isinstance(usage, int) and usage > 100
    assert isinstance(r.memory_usage("l", samples=0), int)
    assert r.memory_usage("missing") is None
    n = r.debug_object("n")
    assert {k: n[k] for k in ("type", "encoding", "serializedlength")} == {
        "type": "Value", "encoding": "int", "serializedlength": 2}
    assert isinstance(n["at"], str) and n["at"].startswith("0x")
    assert all(isinstance(n[k], int) for k in ("refcount", "lru", "lru_seconds_idle"))
    r.hset("h", "f", "v")
    h = rd.debug_object("h")
    assert (h["type"], h["encoding"], h["refcount"]) == ("Value", "listpack", 1)
    with pytest.raises(ResponseError, match="no such key"):
        r.debug_object("missing")
    # The test server runs without a config file: redis-py raises the server's error.
    with pytest.raises(ResponseError, match="without a config file"):
        r.config_rewrite()


def test_server_commands_pipeline_and_asyncio(r, server, protocol):
    r.set("k", "v")
    pipe = r.pipeline(transaction=False)
    pipe.client_info().acl_cat("hyperloglog").acl_genpass(8).memory_usage("missing")
    pipe.debug_object("k").acl_log_reset()
    info, cat, pw, usage, dbg, reset = pipe.execute()
    assert isinstance(info["id"], int) and sorted(cat)[0] == "pfadd"
    assert len(pw) == 2 and usage is None and dbg["encoding"] == "embstr" and reset is True

    async def main():
        a = aredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
        assert (await a.client_info())["db"] == 0
        assert await a.client_no_evict("off") == b"OK"
        assert await a.acl_setuser("oxpy-async", nopass=True) is True
        assert (await a.acl_getuser("oxpy-async"))["enabled"] is False
        assert await a.acl_deluser("oxpy-async") == 1
        assert (await a.debug_object("k"))["type"] == "Value"
        assert await a.function_load(FLIB, replace=True) == b"oxcov"
        assert (await a.function_list())[0][1] == b"oxcov"
        assert await a.function_delete("oxcov") is True
        async with a.pipeline() as p:
            p.memory_usage("k").acl_list().function_stats()
            usage, rules, stats = await p.execute()
            assert isinstance(usage, int) and "user default on nopass ~* &* +@all" in rules
            assert stats[:2] == [b"running_script", None]
        await a.aclose()

    asyncio.run(main())


# --- set_response_callback, single_connection_client -------------------------------------------
def test_set_response_callback(r, server, protocol):
    r.set("k", "v")
    r.hset("h", "f", "v")
    r.zadd("z", {"a": 1})
    assert r.get("k") == b"v"  # nothing set yet
    r.set_response_callback("GET", lambda resp, **kw: ("cb", resp))
    r.set_response_callback("hget", lambda resp: ("hcb", resp))  # any case
    r.set_response_callback("CONFIG GET", lambda resp: ("cfg", type(resp).__name__))
    r.set_response_callback("ZRANGE", lambda resp: ("z", resp))
    assert r.get("k") == ("cb", b"v")
    assert r.get("nope") == ("cb", None)
    assert r["k"] == ("cb", b"v")
    assert r.hget("h", "f") == ("hcb", b"v")
    # The callback gets the reply as the server sent it: a flat list on RESP2, a map (dict)
    # and [member, double] pairs on RESP3, as in redis-py.
    assert r.config_get("timeout") == ("cfg", "list" if protocol == 2 else "dict")
    assert r.zrange("z", 0, -1, withscores=True, score_cast_func=int) == (
        ("z", [b"a", b"1"]) if protocol == 2 else ("z", [[b"a", 1.0]]))
    assert r.execute_command("GET", "k") == ("cb", b"v")
    assert r.execute_command("CONFIG GET", "timeout")[0] == "cfg"
    assert r.set("k2", "w") is True  # other commands keep their shapes
    assert "get" in r.response_callbacks and r.response_callbacks["Get"]("x") == ("cb", "x")
    # Pipelines use the client's callbacks, also those set after the pipeline was made.
    pipe = r.pipeline()
    pipe.get("k").set("x", 1).hget("h", "f")
    r.set_response_callback("SET", lambda resp: ("set", resp))
    assert pipe.execute() == [("cb", b"v"), ("set", b"OK"), ("hcb", b"v")]
    with r.pipeline() as tx:
        tx.watch("k")
        assert tx.get("k") == ("cb", b"v")  # at once, on the watched connection
        tx.multi()
        tx.get("k")
        assert tx.execute() == [("cb", b"v")]
    # Only this client: another one on the same server is untouched.
    other = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
    assert other.get("k") == b"v"
    r.response_callbacks["GET"] = lambda resp: len(resp)
    assert r.get("k") == 1
    del r.response_callbacks["get"]  # back to the usual shape
    assert r.get("k") == b"v"
    assert r.response_callbacks.pop("Hget")("x") == ("hcb", "x")
    assert r.hget("h", "f") == b"v"


def test_set_response_callback_asyncio(server, protocol):
    async def main():
        a = aredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
        await a.flushdb()
        await a.set("k", "v")
        assert await a.get("k") == b"v"
        a.set_response_callback("GET", lambda resp: ("acb", resp))
        assert await a.get("k") == ("acb", b"v")
        assert await a.execute_command("GET", "k") == ("acb", b"v")
        assert await a.hget("nope", "f") is None
        async with a.pipeline() as p:
            p.get("k").hset("h", "f", "v")
            assert await p.execute() == [("acb", b"v"), 1]
        await a.aclose()

    asyncio.run(main())


def test_single_connection_client(server, protocol):
    s = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol,
                      single_connection_client=True)
    assert s.single_connection_client is True and s.connection is not None
    cid = s.client_id()
    assert [s.client_id() for _ in range(3)] == [cid] * 3
    # Connection state holds from one command to the next, as on redis-py's one connection.
    assert s.execute_command("SELECT", 1) is True
    assert s.set("in-db1", "y") is True
    assert s.get("in-db1") == b"y"
    assert s.execute_command("SELECT", 0) is True
    assert s.get("in-db1") is None
    assert s.client_setname("oxpy-single") is True and s.client_getname() == "oxpy-single"
    # Threads take turns on the one connection.
    ids = []

    def worker():
        for _ in range(25):
            ids.append(s.client_id())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert ids == [cid] * 100
    # A pipeline takes a connection of its own from the pool, as in redis-py.
    [pipe_id] = s.pipeline(transaction=False).client_id().execute()
    assert pipe_id != cid
    # Killed by the server: the next command runs on a new connection.
    r = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
    assert r.client_kill_filter(_id=cid) == 1
    time.sleep(0.05)
    new_id = s.client_id()
    assert new_id != cid and s.client_id() == new_id
    s.close()  # back to the pool; the next command checks one out again
    assert s.ping() is True
    s.close()
    with pytest.raises(oxredis.exceptions.ConnectionError):
        oxredis.Redis(host="127.0.0.1", port=1, single_connection_client=True)


def test_single_connection_client_from_url_and_asyncio(server, protocol):
    s = oxredis.Redis.from_url(f"redis://127.0.0.1:{server.port}/0", protocol=protocol,
                               single_connection_client=True)
    assert s.client_id() == s.client_id()

    async def main():
        # The asyncio client shares one connection already: the flag changes nothing.
        a = aredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol,
                         single_connection_client=True)
        assert a.connection is None
        assert await a.client_id() == await a.client_id()
        await a.aclose()

    asyncio.run(main())


# --- keys, strings, lists, sets, hashes, scripting, pub/sub and server: more methods -----------
def test_key_expiry_and_moves(r, rd):
    r.set("k", "hello")
    r.set("k2", "hallo")
    assert r.pexpireat("k", 4102444800000) is True
    assert r.pexpireat("k", datetime.datetime(2100, 1, 1), gt=True) is False  # not later
    assert r.pexpireat("missing", 4102444800000) is False
    assert r.expiretime("k") == 4102444800
    assert r.pexpiretime("k") == 4102444800000
    assert (r.expiretime("k2"), r.expiretime("missing")) == (-1, -2)
    assert r.touch("k", "k2", "missing") == 2
    try:
        assert r.move("k2", 1) is True
        assert r.move("missing", 1) is False
        assert r.exists("k2") == 0
    finally:
        r.execute_command("FLUSHALL")
    r.set("k", "hello")
    assert r.renamenx("k", "k3") is True
    r.set("k4", "x")
    assert r.renamenx("k3", "k4") is False
    dumped = rd.dump("k3")
    assert isinstance(dumped, bytes) and dumped.startswith(b"\x00\x05hello")
    assert r.dump("missing") is None
    assert r.restore("k5", 0, dumped) == b"OK"
    with pytest.raises(ResponseError, match="BUSYKEY"):
        r.restore("k5", 0, dumped)
    assert r.restore("k5", 0, dumped, replace=True, idletime=10) == b"OK"
    assert r.restore("k5", 0, dumped, replace=True, frequency=5) == b"OK"
    assert rd.restore("k6", 4102444800000, dumped, absttl=True) == "OK"
    assert r.get("k5") == b"hello" and r.expiretime("k6") == 4102444800
    with pytest.raises(DataError):
        r.restore("k7", 0, dumped, idletime="soon")


def test_strings_substr_lcs(r, rd):
    r.set("k", "hello")
    assert r.substr("k", 1, 3) == b"ell"
    assert r.substr("k", 2) == b"llo"
    r.set("a", "ohmytext")
    r.set("b", "mynewtext")
    assert r.lcs("a", "b") == b"mytext"
    assert r.lcs("a", "b", len=True) == 6
    # As RESP2 sends it (a flat list), on RESP3 too.
    assert r.lcs("a", "b", idx=True) == [
        b"matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], b"len", 6]
    assert r.lcs("a", "b", idx=True, minmatchlen=4, withmatchlen=True) == [
        b"matches", [[[4, 7], [5, 8], 4]], b"len", 6]
    assert rd.lcs("a", "b", idx=True)[0] == "matches"
    assert r.lcs("a", "missing") == b""


def test_lists_sets_hashes_more(r):
    assert r.lpushx("l", "a") == 0
    assert r.exists("l") == 0
    assert r.rpush("l", "b") == 1
    assert r.lpushx("l", "c", "d") == 3
    assert r.rpushx("l", "e") == 4
    assert r.lrange("l", 0, -1) == [b"d", b"c", b"b", b"e"]
    assert r.brpoplpush("l", "l2", 1) == b"e"
    assert r.brpoplpush("missing", "l2", 0.05) is None
    assert r.lrange("l2", 0, -1) == [b"e"]
    r.sadd("s1", "a", "b")
    r.sadd("s2", "b", "c")
    assert r.sinterstore("si", ["s1", "s2"]) == 1
    assert r.sunionstore("su", "s1", "s2") == 3
    assert r.sdiffstore("sd", ["s1"], "s2") == 1
    assert (r.smembers("si"), r.smembers("su"), r.smembers("sd")) == (
        {b"b"}, {b"a", b"b", b"c"}, {b"a"})
    with pytest.warns(DeprecationWarning, match="hmset"):
        assert r.hmset("h", {"f": 1, "g": 2}) is True
    assert r.hgetall("h") == {b"f": b"1", b"g": b"2"}
    with pytest.raises(DataError), pytest.warns(DeprecationWarning):
        r.hmset("h", {})


def test_scripting_ro_and_kill(r):
    r.set("a", "text")
    assert r.eval_ro("return redis.call('GET', KEYS[1])", 1, "a") == b"text"
    sha = r.script_load("return ARGV[1]")
    assert r.evalsha_ro(sha, 0, "x") == b"x"
    with pytest.raises(ResponseError, match="Write commands are not allowed"):
        r.eval_ro("return redis.call('SET', KEYS[1], 'x')", 1, "a")
    with pytest.raises(ResponseError, match="NOTBUSY"):
        r.script_kill()
    with pytest.raises(ResponseError, match="NOTBUSY"):
        r.function_kill()


def test_script_kill_of_a_running_script(r, server, protocol):
    # A script loops (read-only, so SCRIPT KILL may stop it); another client kills it.
    looper = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
    errors = []

    def run():
        try:
            looper.eval("local i = 0 while true do i = i + 1 end", 0)
        except ResponseError as e:
            errors.append(str(e))

    # The server answers others (BUSY) once a script has run this long: 100 ms, not 5 s.
    assert r.config_set("busy-reply-threshold", 100) is True
    t = threading.Thread(target=run)
    t.start()
    deadline = time.monotonic() + 10
    while True:
        time.sleep(0.05)
        try:
            assert r.script_kill() is True
            break
        except ResponseError as e:
            assert "NOTBUSY" in str(e) and time.monotonic() < deadline
    t.join(10)
    assert r.config_set("busy-reply-threshold", 5000) is True
    assert len(errors) == 1 and "killed" in errors[0].lower()


def test_pubsub_introspection(r, rd):
    assert r.spublish("ch", "m") == 0
    ps = r.pubsub()
    ps.subscribe("c1", "c2")
    ps.psubscribe("p*")
    for _ in range(3):
        assert ps.get_message(timeout=5)["type"] in ("subscribe", "psubscribe")
    try:
        assert sorted(r.pubsub_channels()) == [b"c1", b"c2"]
        assert rd.pubsub_channels("c1*") == ["c1"]
        assert r.pubsub_numpat() == 1
        assert r.pubsub_numsub("c1", "nope") == [(b"c1", 1), (b"nope", 0)]
        assert rd.pubsub_numsub("c2") == [("c2", 1)]
        assert r.pubsub_numsub() == []
        assert r.pubsub_shardchannels() == []
        assert r.pubsub_shardnumsub("sc") == [(b"sc", 0)]
        assert r.execute_command("PUBSUB NUMSUB", "c1") == [(b"c1", 1)]
    finally:
        ps.close()


def test_server_time_lastsave_swapdb_role_lolwut(r, rd):
    seconds, micros = r.time()
    assert abs(seconds - time.time()) < 60 and 0 <= micros < 1_000_000
    saved = r.lastsave()
    assert isinstance(saved, datetime.datetime) and saved <= datetime.datetime.now()
    r.set("in0", "x")
    assert r.swapdb(0, 1) is True
    assert r.get("in0") is None
    assert r.swapdb(0, 1) is True
    assert r.get("in0") == b"x"
    assert r.role() == [b"master", 0, []]
    assert rd.role() == ["master", 0, []]
    art = r.lolwut()
    assert isinstance(art, bytes) and b"ver." in art
    server = r.info("server")  # Valkey's art names its own version
    version = server.get("valkey_version", server["redis_version"])
    assert r.lolwut(5, 1, 1, 1).endswith(f" ver. {version}\n".encode())


def test_slowlog(r, rd):
    assert r.slowlog_reset() is True
    assert r.slowlog_get() == []
    try:
        assert r.config_set("slowlog-log-slower-than", 0) is True
        assert r.set("slow", "x") is True
    finally:
        assert r.config_set("slowlog-log-slower-than", 10000) is True
    entries = r.slowlog_get(3)
    # Newest first; the CONFIG SET back to 10 ms is judged by its new threshold: not logged.
    assert [e["command"] for e in entries] == [
        b"SET slow x", b"CONFIG SET slowlog-log-slower-than 0"]
    first = entries[0]
    assert set(first) == {"id", "start_time", "duration", "command", "client_address",
                          "client_name"}
    assert all(isinstance(first[k], int) for k in ("id", "start_time", "duration"))
    assert isinstance(first["client_address"], bytes) and first["client_name"] == b""
    # As redis-py: bytes even when decoding.
    assert rd.slowlog_get(1)[0]["command"] == b"SET slow x"
    assert r.slowlog_len() == 2
    assert r.slowlog_reset() is True and r.slowlog_len() == 0


def test_more_methods_pipeline_and_asyncio(r, server, protocol):
    r.set("k", "v")
    pipe = r.pipeline()
    pipe.touch("k").dump("k").pexpiretime("k").time().pubsub_numsub("c").lpushx("nol", 1)
    pipe.sunionstore("u", "nos").slowlog_len().renamenx("k", "k2")
    touched, dumped, pexp, now, numsub, pushed, stored, slow, renamed = pipe.execute()
    assert (touched, pexp, numsub, pushed, stored, renamed) == (1, -1, [(b"c", 0)], 0, 0, True)
    assert dumped.startswith(b"\x00\x01v") and len(now) == 2 and isinstance(slow, int)

    async def main():
        a = aredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
        assert await a.renamenx("k2", "k") is True
        assert (await a.dump("k")).startswith(b"\x00\x01v")
        assert isinstance(await a.lastsave(), datetime.datetime)
        assert await a.pubsub_numsub("c") == [(b"c", 0)]
        # BRPOPLPUSH on a connection of its own, answered by this task.
        mover = asyncio.ensure_future(a.brpoplpush("src", "dst", 10))
        await asyncio.sleep(0.2)
        assert await a.rpush("src", "x") == 1
        assert await asyncio.wait_for(mover, 20) == b"x"
        async with a.pipeline() as p:
            p.lastsave().time().rpushx("dst", "y").lcs("k", "k", len=True)
            saved, now, pushed, common = await p.execute()
            assert isinstance(saved, datetime.datetime) and len(now) == 2
            assert (pushed, common) == (2, 1)
        await a.aclose()

    asyncio.run(main())


# --- hash field expiry, more server methods ----------------------------------------------------
def _has_command(r, name):
    """Whether the server knows ``name`` (Valkey 9 has Redis 8's hash field commands but
    reports redis_version 7.2.4, so the version cannot tell)."""
    return r.execute_command("COMMAND", "INFO", name) != [None]


def test_hash_field_expiry(r, rd):
    if not _has_command(r, "HEXPIRE"):
        pytest.skip("HEXPIRE & co. need Redis 7.4 / Valkey 9")
    r.hset("h", mapping={"a": 1, "b": 2, "c": 3})
    assert r.hexpire("h", 100, "a", "nope") == [1, -2]
    assert r.hexpire("h", 100, "a", nx=True) == [0]
    with pytest.raises(ValueError, match="Only one of 'nx', 'xx', 'gt', 'lt'"):
        r.hexpire("h", 100, "a", nx=True, xx=True)
    assert r.hpexpire("h", datetime.timedelta(seconds=200), "b", gt=True) == [0]  # no TTL yet
    assert r.hpexpire("h", 200_000, "b") == [1]
    assert r.hexpireat("h", 4102444800, "c") == [1]
    assert r.hpexpireat("h", datetime.datetime(2100, 1, 2), "c", lt=True) == [0]  # later
    assert r.hexpiretime("h", "c", "nope") == [4102444800, -2]
    assert r.hpexpiretime("h", "c") == [4102444800000]
    assert r.httl("h", "a", "nope") == [100, -2]
    [pttl] = r.hpttl("h", "b")
    assert 190_000 < pttl <= 200_000
    assert r.hpersist("h", "a", "a", "nope") == [1, -1, -2]
    assert r.httl("missing", "a") == [-2]
    assert r.hexpire("h", 0, "c") == [2]  # expires now: deleted
    assert rd.hgetall("h") == {"a": "1", "b": "2"}


def test_hgetdel_hgetex_hsetex(r, rd):
    if not _has_command(r, "HSETEX"):
        pytest.skip("HGETDEL/HGETEX/HSETEX need Redis 8 / Valkey 9")
    r.hset("h", mapping={"a": 1, "b": 2})
    assert r.hgetdel("h", "b", "nope") == [b"2", None]
    with pytest.raises(DataError, match="at least one key"):
        r.hgetdel("h")
    assert r.hgetex("h", "a", ex=100) == [b"1"] and r.httl("h", "a") == [100]
    assert rd.hgetex("h", "a", persist=True) == ["1"] and r.httl("h", "a") == [-1]
    assert r.hgetex("h", "a", px=datetime.timedelta(seconds=50)) == [b"1"]
    assert r.hgetex("h", "a", exat=4102444800) == [b"1"]
    assert r.hexpiretime("h", "a") == [4102444800]
    with pytest.raises(DataError, match="mutually exclusive"):
        r.hgetex("h", "a", ex=1, px=1)
    assert r.hsetex("h", "d", 4, ex=100) == 1 and r.httl("h", "d") == [100]
    assert r.hsetex("h", mapping={"e": 5, "f": 6}, px=100_000, data_persist_option="FNX") == 1
    assert r.hsetex("h", items=["e", 7], data_persist_option="FNX") == 0  # e exists
    assert r.hsetex("h", "d", 9, keepttl=True) == 1 and r.httl("h", "d") == [100]
    assert r.hsetex("h", "g", 1, exat=datetime.datetime(2100, 1, 1)) == 1
    assert r.hmget("h", ["d", "e", "g"]) == [b"9", b"5", b"1"]
    with pytest.raises(DataError, match="no key value pairs"):
        r.hsetex("h")
    with pytest.raises(DataError, match="odd number of items"):
        r.hsetex("h", items=["x"])


def test_client_tracking_info_unblock_setinfo(r, rd, server, protocol):
    assert r.client_getredir() == -1
    assert r.client_trackinginfo() == ["flags", [b"off"], "redirect", -1, "prefixes", []]
    assert rd.client_trackinginfo() == ["flags", ["off"], "redirect", -1, "prefixes", []]
    pipe = r.pipeline(transaction=False)  # one connection: tracking on, read, off
    pipe.client_tracking_on(bcast=True, prefix=["p:"]).client_trackinginfo()
    pipe.client_getredir().client_tracking_off()
    _, info, redir, _ = pipe.execute()
    assert info[::2] == ["flags", "redirect", "prefixes"]
    assert sorted(info[1]) == [b"bcast", b"on"] and info[5] == [b"p:"]
    assert redir == 0  # tracking, not redirected
    assert r.client_unblock(999_999) is False
    assert r.client_unblock(999_999, error=True) is False
    # A client blocked in BLPOP, unblocked by id (with an error: UNBLOCKED).
    blocked = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol,
                            client_name="oxpy-blocked")
    errors = []

    def wait():
        try:
            errors.append(blocked.blpop("never", 30))
        except ResponseError as e:
            errors.append(str(e))

    t = threading.Thread(target=wait)
    t.start()
    deadline = time.monotonic() + 10
    while True:
        ids = [c["id"] for c in r.client_list() if c["name"] == "oxpy-blocked"
               and "b" in c["flags"]]  # blocked
        if ids:
            break
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert r.client_unblock(int(ids[0]), error=True) is True
    t.join(10)
    assert len(errors) == 1 and "UNBLOCKED" in errors[0]
    if _version(r) >= (7, 2):
        assert r.client_setinfo("LIB-NAME", "oxpy") is True
        with pytest.raises(ResponseError):
            r.client_setinfo("LIB-NAME", "has space")


def test_acl_help_load_save_memory_latency_command(r, rd):
    lines = r.acl_help()
    assert all(isinstance(x, str) for x in lines) and lines[0].startswith("ACL <subcommand>")
    # The test server has no ACL file: the server's error, as redis-py raises it.
    with pytest.raises(ResponseError, match="not configured to use an ACL file"):
        r.acl_load()
    with pytest.raises(ResponseError, match="not configured to use an ACL file"):
        r.acl_save()
    r.set("k", "v")
    stats = r.memory_stats()
    assert {"peak.allocated", "total.allocated", "keys.count", "dataset.bytes",
            "fragmentation"} <= set(stats)
    assert isinstance(stats["total.allocated"], int) and stats["keys.count"] >= 1
    assert isinstance(stats["fragmentation"], str) and float(stats["fragmentation"]) > 0
    assert isinstance(stats["db.0"], dict) and stats["db.0"]["overhead.hashtable.main"] > 0
    assert rd.memory_stats()["keys.count"] == stats["keys.count"]
    assert isinstance(r.memory_malloc_stats(), bytes)
    assert r.memory_purge() is True
    for name in ("memory_doctor", "memory_help", "latency_doctor", "latency_graph",
                 "latency_histogram", "command_info", "command_docs"):
        with pytest.raises(NotImplementedError, match="intentionally not implemented"):
            getattr(r, name)()
    assert r.latency_reset() >= 0
    assert r.latency_latest() == []
    assert r.latency_history("command") == []
    assert r.command_count() > 150
    # COMMAND as redis-py's parse_command, the same on both protocols.
    commands = r.command()
    assert len(commands) == r.command_count()
    assert commands["get"] == {
        "name": "get", "arity": 2, "flags": ["readonly", "fast"], "first_key_pos": 1,
        "last_key_pos": 1, "step_count": 1, "acl_categories": ["@read", "@string", "@fast"],
        "tips": [], "key_specifications": [
            [b"flags", [b"RO", b"access"], b"begin_search",
             [b"type", b"index", b"spec", [b"index", 1]], b"find_keys",
             [b"type", b"range", b"spec", [b"lastkey", 0, b"keystep", 1, b"limit", 0]]]],
        "subcommands": []}
    assert commands["mset"]["arity"] == -3 and commands["mset"]["step_count"] == 2
    assert "config|get" in [_name for _name, *_ in
                            (sub[:1] for sub in rd.command()["config"]["subcommands"])]
    assert sorted(r.command_list(pattern="zrange*")) == [
        b"zrange", b"zrangebylex", b"zrangebyscore", b"zrangestore"]
    assert sorted(rd.command_list(category="hyperloglog")) == [
        "pfadd", "pfcount", "pfdebug", "pfmerge", "pfselftest"]
    assert r.command_getkeys("MSET", "a", "1", "b", "2") == ["a", "b"]
    assert r.command_getkeysandflags("LMOVE", "src", "dst", "LEFT", "RIGHT") == [
        [b"src", [b"RW", b"access", b"delete"]], [b"dst", [b"RW", b"insert"]]]


def test_save_bgsave_wait(r):
    assert r.save() is True
    assert r.bgsave() is True  # SCHEDULE: accepted even while another save runs
    deadline = time.monotonic() + 20
    while r.info("persistence")["rdb_bgsave_in_progress"]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert r.lastsave() >= datetime.datetime.now() - datetime.timedelta(minutes=1)
    assert r.bgrewriteaof() is True
    while r.info("persistence")["aof_rewrite_in_progress"]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert r.wait(0, 10) == 0
    if _version(r) >= (7, 2):
        assert r.waitaof(0, 0, 10) == [0, 0]
