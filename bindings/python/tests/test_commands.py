"""Reply shapes of the implemented commands, the same Python values on RESP2 and RESP3."""

import datetime
import time

import pytest

import oxredis


def test_strings(r):
    assert r.set("k", "v") is True
    assert r.set("k", "w", nx=True) is None
    assert r.set("k", "w", xx=True) is True
    assert r.set("k", "x", get=True) == b"w"
    assert r.get("k") == b"x"
    assert r.get("missing") is None
    assert r.getset("k", "y") == b"x"
    assert r.mset({"a": 1, "b": 2.5}) is True
    assert r.mget(["a", "b", "missing"]) == [b"1", b"2.5", None]
    assert r.mget("a", "b") == [b"1", b"2.5"]
    assert r.incr("n") == 1
    assert r.incr("n", 10) == 11
    assert r.incrby("n", 2) == 13
    assert r.decr("n") == 12
    assert r.decr("n", 5) == 7
    assert r.incrbyfloat("f", 1.5) == 1.5
    assert r.append("k", "zz") == 3
    assert r.strlen("k") == 3
    r["item"] = b"\x00\xff\r\n"
    assert r["item"] == b"\x00\xff\r\n"
    with pytest.raises(KeyError):
        r["nothing"]
    assert r.set("big", 2**70) is True
    assert r.get("big") == str(2**70).encode()


def test_keys_and_expiry(r):
    assert r.mset({"a": 1, "b": 2, "c": 3}) is True
    assert r.exists("a", "b", "missing") == 2
    assert "a" in r
    assert r.delete("a", "missing") == 1
    assert r.unlink("b") == 1
    assert r.exists("a", "b") == 0
    assert r.ttl("c") == -1
    assert r.ttl("missing") == -2
    assert r.expire("c", 100) is True
    assert r.expire("missing", 100) is False
    assert 99 <= r.ttl("c") <= 100
    assert r.expire("c", datetime.timedelta(seconds=50)) is True
    assert 49 <= r.ttl("c") <= 50
    assert r.expire("c", 10, gt=True) is False
    assert r.pexpire("c", 20000) is True
    assert 19000 <= r.pttl("c") <= 20000
    assert r.persist("c") is True
    assert r.ttl("c") == -1
    assert r.set("e", 1, ex=30) is True
    assert 29 <= r.ttl("e") <= 30
    assert r.set("p", 1, px=datetime.timedelta(milliseconds=30000)) is True
    assert 29000 <= r.pttl("p") <= 30000
    assert r.type("c") == b"string"
    assert r.type("missing") == b"none"
    assert r.rename("c", "d") is True
    assert sorted(r.keys()) == [b"d", b"e", b"p"]
    assert r.keys("e*") == [b"e"]
    assert r.dbsize() == 3


def test_scan(r):
    r.mset({f"k:{i}": i for i in range(25)})
    r.set("other", 1)
    cursor, keys = r.scan(0, match="k:*", count=1000)
    assert cursor == 0
    assert sorted(keys) == sorted(f"k:{i}".encode() for i in range(25))
    assert sorted(r.scan_iter(match="k:1*", count=2)) == sorted(
        f"k:{i}".encode() for i in [1] + list(range(10, 20)))
    assert sorted(r.scan_iter()) == sorted([f"k:{i}".encode() for i in range(25)] + [b"other"])
    assert list(r.scan_iter(_type="list")) == []


def test_hashes(r):
    assert r.hset("h", "f", "v") == 1
    assert r.hset("h", mapping={"a": 1, "b": b"\x00"}) == 2
    assert r.hset("h", "f", "w") == 0
    assert r.hset("h", items=["c", 3]) == 1
    assert r.hget("h", "f") == b"w"
    assert r.hget("h", "nope") is None
    assert r.hgetall("h") == {b"f": b"w", b"a": b"1", b"b": b"\x00", b"c": b"3"}
    assert r.hgetall("missing") == {}
    assert r.hmget("h", ["a", "nope"]) == [b"1", None]
    assert r.hmget("h", "a", "c") == [b"1", b"3"]
    assert r.hsetnx("h", "a", 9) is False
    assert r.hsetnx("h", "z", 9) is True
    assert r.hexists("h", "z") is True
    assert r.hexists("h", "y") is False
    assert r.hincrby("h", "a", 5) == 6
    assert r.hlen("h") == 5
    assert sorted(r.hkeys("h")) == [b"a", b"b", b"c", b"f", b"z"]
    assert sorted(r.hvals("h")) == [b"\x00", b"3", b"6", b"9", b"w"]
    assert r.hdel("h", "a", "nope") == 1
    with pytest.raises(oxredis.DataError):
        r.hset("h")


def test_lists(r):
    assert r.rpush("l", 1, 2, 3) == 3
    assert r.lpush("l", "a", "b") == 5
    assert r.lrange("l", 0, -1) == [b"b", b"a", b"1", b"2", b"3"]
    assert r.lrange("missing", 0, -1) == []
    assert r.llen("l") == 5
    assert r.lindex("l", 2) == b"1"
    assert r.lpop("l") == b"b"
    assert r.rpop("l") == b"3"
    assert r.lpop("l", 2) == [b"a", b"1"]
    assert r.rpop("missing") is None


def test_sets(r):
    assert r.sadd("s", "a", "b", "c", "a") == 3
    assert r.smembers("s") == {b"a", b"b", b"c"}
    assert r.smembers("missing") == set()
    assert r.sismember("s", "a") is True
    assert r.sismember("s", "z") is False
    assert r.srem("s", "a", "z") == 1
    assert r.scard("s") == 2


def test_sorted_sets(r):
    assert r.zadd("z", {"a": 1, "b": 2.5, "c": -3}) == 3
    assert r.zadd("z", {"a": 5}, nx=True) == 0
    assert r.zadd("z", {"a": 5}, xx=True, ch=True) == 1
    assert r.zadd("z", {"a": 1}, incr=True) == 6.0
    assert r.zrange("z", 0, -1) == [b"c", b"b", b"a"]
    assert r.zrange("z", 0, -1, withscores=True) == [(b"c", -3.0), (b"b", 2.5), (b"a", 6.0)]
    assert r.zrange("z", 0, 0, desc=True, withscores=True) == [(b"a", 6.0)]
    assert r.zrange("z", 0, 3, byscore=True) == [b"b"]
    assert r.zrange("z", "-inf", "+inf", byscore=True, offset=1, num=1) == [b"b"]
    assert r.zrange("missing", 0, -1, withscores=True) == []
    assert r.zscore("z", "b") == 2.5
    assert r.zscore("z", "nope") is None
    assert r.zincrby("z", 0.5, "b") == 3.0
    assert r.zcard("z") == 3
    assert r.zrem("z", "a", "nope") == 1
    assert r.zadd("inf", {"x": float("inf")}) == 1
    assert r.zscore("inf", "x") == float("inf")


def test_server(r):
    assert r.ping() is True
    assert r.echo("hi") == b"hi"
    r.set("a", 1)
    assert r.flushdb() is True
    assert r.dbsize() == 0
    r.set("a", 1)
    assert r.flushdb(asynchronous=True) is True
    assert r.flushall() is True
    r.set("a", 1)
    r.set("b", 2, ex=100)
    info = r.info()
    assert isinstance(info, dict)
    assert isinstance(info["redis_version"], str) and info["redis_version"].count(".") == 2
    assert isinstance(info["connected_clients"], int) and info["connected_clients"] >= 1
    assert isinstance(info["used_memory"], int) and info["used_memory"] > 0
    assert info["db0"]["keys"] == 2
    assert info["db0"]["expires"] == 1
    keyspace = r.info("keyspace")
    assert list(keyspace) == ["db0"]
    assert keyspace["db0"]["keys"] == 2
    server_section = r.info("server")
    assert "redis_version" in server_section and "used_memory" not in server_section


def test_execute_command_shapes(r):
    assert r.execute_command("SET", "k", "v") is True
    assert r.execute_command("GET", "k") == b"v"
    assert r.execute_command("set", "k", "w") is True
    r.hset("h", mapping={"a": 1})
    assert r.execute_command("HGETALL", "h") == {b"a": b"1"}
    assert r.execute_command("PING") is True
    assert r.execute_command("DBSIZE") == 2
    # redis-py's callbacks are looked up by the first argument: "CLIENT SETNAME" is bool_ok,
    # "CLIENT" (GETNAME as a second argument) has none.
    assert r.execute_command("CLIENT SETNAME", "me") is True
    assert r.execute_command("CLIENT", "GETNAME") == b"me"
    assert r.execute_command("CLIENT GETNAME") == "me"


def test_decode_responses(rd):
    assert rd.set("k", "vé") is True
    assert rd.get("k") == "vé"
    assert rd.mget("k", "missing") == ["vé", None]
    rd.hset("h", mapping={"a": 1})
    assert rd.hgetall("h") == {"a": "1"}
    rd.sadd("s", "x", "y")
    assert rd.smembers("s") == {"x", "y"}
    rd.zadd("z", {"m": 2})
    assert rd.zrange("z", 0, -1, withscores=True) == [("m", 2.0)]
    assert rd.keys("k") == ["k"]
    assert rd.scan(0, match="k") == (0, ["k"])
    assert rd.type("k") == "string"
    rd.set("bin", b"\xff")
    with pytest.raises(UnicodeDecodeError):
        rd.get("bin")


def test_constructor_keywords(server, protocol):
    r = oxredis.Redis(host="127.0.0.1", port=server.port, db=3, protocol=protocol,
                      client_name="oxpy", socket_timeout=5, socket_connect_timeout=2,
                      max_connections=4)
    r.flushdb()
    assert r.execute_command("CLIENT", "GETNAME") == b"oxpy"
    r.set("in3", 1)
    r0 = oxredis.Redis(host="127.0.0.1", port=server.port, db=0, protocol=protocol)
    assert r0.get("in3") is None
    u = oxredis.Redis.from_url(f"redis://127.0.0.1:{server.port}/3", protocol=protocol)
    assert u.get("in3") == b"1"
    assert u.get_protocol() == protocol
    unix = oxredis.Redis(unix_socket_path=server.unix_socket, db=3, protocol=protocol)
    assert unix.get("in3") == b"1"
    via_url = oxredis.from_url(f"unix://{server.unix_socket}?db=3", protocol=protocol)
    assert via_url.get("in3") == b"1"
    decoding = oxredis.from_url(f"redis://127.0.0.1:{server.port}/3?decode_responses=True",
                                protocol=protocol)
    assert decoding.get("in3") == "1"
    latin1 = oxredis.Redis(port=server.port, db=3, encoding="latin-1", protocol=protocol)
    assert latin1.get("in3") == b"1"
    r.flushdb()


def test_gil_released_during_io(server, protocol):
    import threading

    r = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
    r.ping()
    start = time.monotonic()
    threads = [threading.Thread(target=r.execute_command, args=("DEBUG", "SLEEP", "0.5"))
               for _ in range(2)]
    for t in threads:
        t.start()
    # While both threads wait on the server, this thread still runs Python code.
    ticks = 0
    while any(t.is_alive() for t in threads):
        ticks += 1
        time.sleep(0.01)
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    # Redis is single-threaded, so the two sleeps run one after the other: ~1 s in all.
    assert 0.95 <= elapsed < 3
    assert ticks >= 30


def test_collection_scans(r):
    r.sadd("s", *[f"m{i}" for i in range(30)])
    r.hset("h", mapping={f"f{i}": i for i in range(30)})
    r.zadd("z", {f"z{i}": i / 2 for i in range(30)})
    cursor, members = r.sscan("s", 0, count=1000)
    assert cursor == 0 and sorted(members) == sorted(f"m{i}".encode() for i in range(30))
    cursor, fields = r.hscan("h", 0, match="f1*", count=1000)
    assert cursor == 0
    assert fields == {f"f{i}".encode(): str(i).encode() for i in [1] + list(range(10, 20))}
    cursor, scored = r.zscan("z", 0, count=1000)
    assert cursor == 0 and sorted(scored) == sorted((f"z{i}".encode(), i / 2) for i in range(30))
    assert sorted(r.sscan_iter("s", count=3)) == sorted(f"m{i}".encode() for i in range(30))
    assert dict(r.hscan_iter("h", count=3)) == {f"f{i}".encode(): str(i).encode() for i in range(30)}
    assert sorted(r.zscan_iter("z", match="z2*", count=3)) == sorted(
        (f"z{i}".encode(), i / 2) for i in [2] + list(range(20, 30)))
    assert list(r.hscan_iter("missing")) == []


def test_more_strings_and_keys(r):
    assert r.setex("sx", 100, "v") is True
    assert 99 <= r.ttl("sx") <= 100
    assert r.psetex("px", 50000, "v") is True
    assert 49000 <= r.pttl("px") <= 50000
    assert r.setnx("sx", "w") is False
    assert r.setnx("new", "w") is True
    assert r.msetnx({"new": 1, "other": 2}) is False
    assert r.msetnx({"m1": 1, "m2": 2}) is True
    assert r.getex("sx", persist=True) == b"v"
    assert r.ttl("sx") == -1
    assert r.getex("sx", ex=30) == b"v"
    assert 29 <= r.ttl("sx") <= 30
    assert r.getdel("m1") == b"1"
    assert r.exists("m1") == 0
    r.set("s", "Hello World")
    assert r.getrange("s", 0, 4) == b"Hello"
    assert r.setrange("s", 6, "Redis") == 11
    assert r.get("s") == b"Hello Redis"
    assert r.expireat("s", datetime.datetime.now() + datetime.timedelta(seconds=60)) is True
    assert 58 <= r.ttl("s") <= 60
    assert r.copy("s", "s2") is True
    assert r.copy("s", "s2") is False
    assert r.copy("s", "s2", replace=True) is True
    assert r.get("s2") == b"Hello Redis"
    assert r.randomkey() in {b"sx", b"px", b"new", b"m2", b"s", b"s2"}
    r.flushdb()
    assert r.randomkey() is None


def test_more_lists(r):
    r.rpush("l", "a", "b", "c", "b")
    assert r.lset("l", 0, "A") is True
    assert r.lpos("l", "b") == 1
    assert r.lpos("l", "b", count=0) == [1, 3]
    assert r.lpos("l", "zz") is None
    assert r.linsert("l", "BEFORE", "c", "x") == 5
    assert r.linsert("l", "AFTER", "nope", "x") == -1
    assert r.lrem("l", 0, "b") == 2
    assert r.lrange("l", 0, -1) == [b"A", b"x", b"c"]
    assert r.ltrim("l", 0, 1) is True
    assert r.lrange("l", 0, -1) == [b"A", b"x"]
    assert r.rpoplpush("l", "l2") == b"x"
    assert r.lmove("l", "l2", "LEFT", "LEFT") == b"A"
    assert r.lrange("l2", 0, -1) == [b"A", b"x"]
    assert r.blpop("l2", timeout=1) == (b"l2", b"A")
    assert r.brpop(["empty", "l2"], timeout=1) == (b"l2", b"x")
    start = time.monotonic()
    assert r.blpop(["empty"], timeout=1) is None
    assert 0.9 <= time.monotonic() - start < 5
    r.rpush("l3", 1)
    assert r.execute_command("BLPOP", "l3", 1) == (b"l3", b"1")


def test_more_sets_and_hashes(r):
    r.sadd("a", 1, 2, 3)
    r.sadd("b", 2, 3, 4)
    assert r.sinter("a", "b") == {b"2", b"3"}
    assert r.sunion(["a", "b"]) == {b"1", b"2", b"3", b"4"}
    assert r.sdiff("a", "b") == {b"1"}
    assert r.sinter("a", "missing") == set()
    assert r.smove("a", "b", 1) is True
    assert r.smove("a", "b", 1) is False
    assert r.srandmember("a") in {b"2", b"3"}
    assert sorted(r.srandmember("a", 5)) == [b"2", b"3"]
    assert r.spop("a") in {b"2", b"3"}
    assert len(r.spop("a", 5)) == 1
    assert r.spop("a") is None
    r.hset("h", "f", "1.5")
    assert r.hincrbyfloat("h", "f", 1) == 2.5
    assert r.hstrlen("h", "f") == 3


def test_more_sorted_sets(r):
    r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4})
    assert r.zrangebyscore("z", 2, 3) == [b"b", b"c"]
    assert r.zrangebyscore("z", "-inf", "+inf", start=1, num=2, withscores=True) == [
        (b"b", 2.0), (b"c", 3.0)]
    assert r.zrevrange("z", 0, 1) == [b"d", b"c"]
    assert r.zrevrange("z", 0, 1, withscores=True) == [(b"d", 4.0), (b"c", 3.0)]
    assert r.zrank("z", "c") == 2
    assert r.zrevrank("z", "c") == 1
    assert r.zrank("z", "nope") is None
    assert r.zcount("z", 2, "+inf") == 3
    assert r.zpopmin("z") == [(b"a", 1.0)]
    assert r.zpopmax("z", 2) == [(b"d", 4.0), (b"c", 3.0)]
    assert r.zpopmin("missing") == []
    assert r.zremrangebyscore("z", 0, 10) == 1
    assert r.zcard("z") == 0
