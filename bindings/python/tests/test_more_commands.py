"""HyperLogLog, bitmaps, geo, streams and server commands: redis-py 8's protocol-2 reply shapes,
the same Python values on RESP2 and RESP3 (the ``r``/``rd`` fixtures run on both)."""

import asyncio

import pytest

import oxredis
import oxredis.asyncio as aredis
from oxredis.exceptions import DataError, ResponseError


# --- HyperLogLog -----------------------------------------------------------------------------
def test_hyperloglog(r):
    assert r.pfadd("h1", "a", "b", "c") == 1
    assert r.pfadd("h1", "a") == 0
    assert r.pfcount("h1") == 3
    assert r.pfadd("h2", "c", "d") == 1
    assert r.pfcount("h1", "h2") == 4
    assert r.pfcount("missing") == 0
    assert r.pfmerge("h3", "h1", "h2") is True
    assert r.pfcount("h3") == 4
    assert r.execute_command("PFMERGE", "h4", "h1") is True
    r.set("s", "x")
    with pytest.raises(ResponseError):
        r.pfadd("s", "a")


# --- bitmaps ---------------------------------------------------------------------------------
def test_setbit_getbit_bitcount_bitpos(r):
    assert r.setbit("b", 7, 1) == 0
    assert r.setbit("b", 7, True) == 1
    assert r.setbit("b", 9, 5) == 0  # truthy: sets 1
    assert r.get("b") == b"\x01\x40"
    assert r.getbit("b", 7) == 1
    assert r.getbit("b", 8) == 0
    assert r.getbit("missing", 3) == 0
    assert r.bitcount("b") == 2
    assert r.bitcount("b", 0, 0) == 1
    assert r.bitcount("b", 1, 1) == 1
    assert r.bitcount("b", 8, 9, "BIT") == 1
    assert r.bitcount("b", 0, 6, mode="bit") == 0
    assert r.bitcount("missing") == 0
    with pytest.raises(DataError):
        r.bitcount("b", 0)
    with pytest.raises(DataError):
        r.bitcount("b", end=1)
    assert r.bitpos("b", 1) == 7
    assert r.bitpos("b", 0) == 0
    assert r.bitpos("b", 1, 1) == 9
    assert r.bitpos("b", 1, 1, 1) == 9
    assert r.bitpos("b", 1, 8, 15, "BIT") == 9
    assert r.bitpos("b", 1, 10, 15, mode="BIT") == -1
    with pytest.raises(DataError):
        r.bitpos("b", 2)
    with pytest.raises(DataError):
        r.bitpos("b", 1, end=3)


def test_bitop(r):
    r.set("x", b"\xf0")
    r.set("y", b"\x3c")
    assert r.bitop("AND", "d", "x", "y") == 1
    assert r.get("d") == b"\x30"
    assert r.bitop("or", "d", "x", "y") == 1
    assert r.get("d") == b"\xfc"
    assert r.bitop("XOR", "d", "x", "y") == 1
    assert r.get("d") == b"\xcc"
    assert r.bitop("NOT", "d", "x") == 1
    assert r.get("d") == b"\x0f"
    assert r.bitop("AND", "d", "missing") == 0
    assert r.exists("d") == 0


def test_bitfield(r):
    assert r.bitfield("bf").set("u8", 0, 255).get("u8", 0).incrby("u8", 0, 10).execute() == [
        0, 255, 9]
    # SAT clamps, FAIL gives None, default_overflow applies to every operation.
    assert r.bitfield("bf").incrby("u8", 0, 300, overflow="SAT").get("u8", 0).execute() == [
        255, 255]
    assert r.bitfield("bf", default_overflow="FAIL").incrby("u8", 0, 1).execute() == [None]
    op = r.bitfield("bf").set("i4", "#1", -3)
    assert op.command == ["BITFIELD", "bf", "SET", "i4", "#1", -3]
    assert op.execute() == [-1]  # the old value: 0b1111 as i4
    assert op.operations == []  # reset after execute
    assert r.bitfield("bf").get("i4", "#1").get("u4", 4).execute() == [-3, 13]
    assert r.bitfield("bf").overflow("wrap").incrby("i4", "#1", 10).execute() == [7]
    assert r.bitfield("new").execute() == []
    assert r.bitfield_ro("bf", "u8", 0) == [247]
    assert r.bitfield_ro("bf", "u8", 0, items=[("i4", "#1"), ("u4", 12)]) == [247, 7, 0]
    assert r.bitfield_ro("missing", "u16", 0) == [0]


def test_bitmaps_in_pipeline(r):
    pipe = r.pipeline()
    pipe.setbit("b", 1, 1).getbit("b", 1).bitcount("b")
    pipe.bitfield("bf").set("u8", 0, 7).get("u8", 0).execute()
    pipe.pfadd("h", "a", "b").pfcount("h").pfmerge("h2", "h")
    assert pipe.execute() == [0, 1, 1, [0, 7], 1, 2, True]


def test_bitmaps_asyncio(server, protocol):
    async def main():
        r = aredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
        await r.flushdb()
        assert await r.setbit("b", 3, 1) == 0
        assert await r.bitcount("b") == 1
        assert await r.bitfield("bf").set("u8", 0, 42).get("u8", 0).execute() == [0, 42]
        assert await r.pfadd("h", "x") == 1
        assert await r.pfmerge("h2", "h") is True
        async with r.pipeline() as pipe:
            pipe.getbit("b", 3).bitpos("b", 1).bitfield_ro("bf", "u8", 0)
            assert await pipe.execute() == [1, 3, [42]]
        await r.aclose()

    asyncio.run(main())


# --- geo -------------------------------------------------------------------------------------
PALERMO = (13.361389338970184, 38.1155563954963)
CATANIA = (15.087267458438873, 37.50266842333162)


def _sicily(r):
    return r.geoadd("g", [13.361389, 38.115556, "Palermo", 15.087269, 37.502669, "Catania"])


def test_geoadd_geodist_geohash_geopos(r):
    assert _sicily(r) == 2
    assert r.geoadd("g", [13.361389, 38.115556, "Palermo", 2.35, 48.85, "Paris"], ch=True) == 1
    assert r.geoadd("g", [1, 1, "Palermo"], nx=True) == 0
    assert r.geoadd("g", [1, 1, "Nowhere"], xx=True) == 0
    assert r.zcard("g") == 3
    with pytest.raises(DataError):
        r.geoadd("g", [1, 1, "a"], nx=True, xx=True)
    with pytest.raises(DataError):
        r.geoadd("g", [1, 1])
    assert r.geodist("g", "Palermo", "Catania") == 166274.1516
    assert r.geodist("g", "Palermo", "Catania", "km") == 166.2742
    assert r.geodist("g", "Palermo", "Nowhere") is None
    with pytest.raises(DataError):
        r.geodist("g", "Palermo", "Catania", "parsec")
    assert r.geohash("g", "Palermo", "Catania", "Nowhere") == ["sqc8b49rny0", "sqdtr74hyu0", None]
    assert r.geopos("g", "Palermo", "Nowhere", "Catania") == [PALERMO, None, CATANIA]
    assert r.geopos("missing", "x") == [None]


def test_geosearch(r):
    _sicily(r)
    assert r.geosearch("g", longitude=15, latitude=37, radius=200, unit="km") == [
        b"Palermo", b"Catania"]
    assert r.geosearch("g", longitude=15, latitude=37, radius=200, unit="km", withdist=True,
                       withcoord=True, withhash=True, sort="ASC") == [
        [b"Catania", 56.4413, 3479447370796909, CATANIA],
        [b"Palermo", 190.4424, 3479099956230698, PALERMO]]
    assert r.geosearch("g", member="Palermo", radius=200, unit="km", withdist=True,
                       sort="DESC") == [[b"Catania", 166.2742], [b"Palermo", 0.0]]
    assert r.geosearch("g", member="Palermo", width=400, height=400, unit="km", withhash=True,
                       sort="asc") == [[b"Palermo", 3479099956230698],
                                       [b"Catania", 3479447370796909]]
    assert r.geosearch("g", member="Palermo", radius=200, unit="km", withcoord=True,
                       sort="ASC", count=1) == [[b"Palermo", PALERMO]]
    assert r.geosearch("g", member="Palermo", radius=20000, unit="km", count=1, any=True,
                       sort="ASC") == [b"Palermo"]
    assert r.geosearch("g", member="Palermo", radius=1, unit="m") == [b"Palermo"]
    assert r.geosearch("missing", longitude=0, latitude=0, radius=1) == []
    for bad in (dict(), dict(member="Palermo"), dict(member="Palermo", radius=1, unit="yd"),
                dict(member="Palermo", longitude=1, latitude=1, radius=1),
                dict(member="Palermo", radius=1, sort="UP"),
                dict(member="Palermo", radius=1, any=True),
                dict(member="Palermo", radius=1, width=1, height=1)):
        with pytest.raises(DataError):
            r.geosearch("g", **bad)
    assert r.geosearchstore("d", "g", member="Palermo", radius=200, unit="km") == 2
    assert r.zrange("d", 0, -1) == [b"Palermo", b"Catania"]
    assert r.geosearchstore("d2", "g", longitude=15, latitude=37, radius=200, unit="km",
                            sort="ASC", count=1, storedist=True) == 1
    assert r.zrange("d2", 0, -1, withscores=True) == [(b"Catania", 56.4412578701582)]


def test_georadius(r):
    _sicily(r)
    assert r.georadius("g", 15, 37, 200, "km", withdist=True, sort="ASC") == [
        [b"Catania", 56.4413], [b"Palermo", 190.4424]]
    assert r.georadius("g", 15, 37, 200, "km", withcoord=True, withhash=True, sort="ASC") == [
        [b"Catania", 3479447370796909, CATANIA], [b"Palermo", 3479099956230698, PALERMO]]
    assert r.georadius("g", 15, 37, 200, unit="km", count=1, sort="DESC") == [b"Palermo"]
    assert r.georadius("g", 15, 37, 200, "km", store="s1") == 2
    assert r.zrange("s1", 0, -1) == [b"Palermo", b"Catania"]
    assert r.georadius("g", 15, 37, 200, "km", store_dist="s2") == 2
    assert r.zrange("s2", 0, -1, withscores=True) == [
        (b"Catania", 56.4412578701582), (b"Palermo", 190.44242984775784)]
    assert r.georadiusbymember("g", "Palermo", 200, "km", withdist=True, sort="ASC") == [
        [b"Palermo", 0.0], [b"Catania", 166.2742]]
    assert r.georadiusbymember("g", "Palermo", 100, unit="km") == [b"Palermo"]
    with pytest.raises(DataError):
        r.georadius("g", 15, 37, 200, "km", store="a", store_dist="b")
    with pytest.raises(DataError):
        r.georadius("g", 15, 37, 200, "km", any=True)


def test_geo_decoded_pipeline_asyncio(rd, server, protocol):
    _sicily(rd)
    assert rd.geohash("g", "Palermo") == ["sqc8b49rny0"]
    assert rd.geosearch("g", member="Catania", radius=100, unit="km", withdist=True) == [
        ["Catania", 0.0]]
    pipe = rd.pipeline()
    pipe.geopos("g", "Catania").geodist("g", "Palermo", "Catania", unit="km")
    pipe.geosearch("g", longitude=15, latitude=37, radius=100, unit="km", withhash=True)
    assert pipe.execute() == [[CATANIA], 166.2742, [["Catania", 3479447370796909]]]

    async def main():
        r = aredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
        assert await r.geopos("g", "Palermo", "x") == [PALERMO, None]
        assert await r.geosearch("g", member="Palermo", radius=200, unit="km",
                                 withcoord=True, sort="ASC") == [
            [b"Palermo", PALERMO], [b"Catania", CATANIA]]
        async with r.pipeline(transaction=False) as p:
            p.geohash("g", "Catania").georadius("g", 15, 37, 100, "km", withdist=True)
            assert await p.execute() == [["sqdtr74hyu0"], [[b"Catania", 56.4413]]]
        await r.aclose()

    asyncio.run(main())


# --- streams ---------------------------------------------------------------------------------
def _stream(r):
    assert r.xadd("s", {"a": 1, "b": "x"}, id="1-0") == b"1-0"
    assert r.xadd("s", {"a": 2}, id="2-0") == b"2-0"
    assert r.xadd("s", {"c": 3}, id="3-5") == b"3-5"


E1 = (b"1-0", {b"a": b"1", b"b": b"x"})
E2 = (b"2-0", {b"a": b"2"})
E3 = (b"3-5", {b"c": b"3"})


def test_xadd_xrange_xdel_xtrim(r):
    _stream(r)
    auto = r.xadd("a", {"d": b"\x00"})
    assert isinstance(auto, bytes) and auto.count(b"-") == 1
    assert int(auto.split(b"-")[0]) > 1_700_000_000_000  # a millisecond timestamp
    assert r.xrange("a") == [(auto, {b"d": b"\x00"})]
    assert r.xadd("nos", {"a": 1}, nomkstream=True) is None
    assert r.exists("nos") == 0
    assert r.xlen("s") == 3
    assert r.xlen("missing") == 0
    assert r.xrange("s", max="3-5") == [E1, E2, E3]
    assert r.xrange("s", "2", "+", count=1) == [E2]
    assert r.xrevrange("s", "3-5", count=2) == [E3, E2]
    assert r.xrevrange("s", min="2-0") == [E3, E2]
    assert r.xrange("missing") == []
    with pytest.raises(DataError):
        r.xrange("s", count=0)
    with pytest.raises(DataError):
        r.xadd("s", {})
    with pytest.raises(DataError):
        r.xadd("s", {"a": 1}, maxlen=1, minid="1")
    assert r.xdel("s", "1-0", "8-8") == 1
    assert r.xadd("s", {"e": 5}, id="4-0", maxlen=2, approximate=False) == b"4-0"
    assert r.xrange("s") == [E3, (b"4-0", {b"e": b"5"})]
    assert r.xadd("s", {"f": 6}, id="5-0", minid="4-0", approximate=False) == b"5-0"
    assert r.xlen("s") == 2
    assert r.xadd("s", {"g": 7}, id="6-0", maxlen=100, limit=10) == b"6-0"
    assert r.xtrim("s", maxlen=1, approximate=False) == 2
    assert r.xrange("s") == [(b"6-0", {b"g": b"7"})]
    assert r.xadd("s", {"h": 8}, id="8-0") == b"8-0"
    assert r.xtrim("s", minid="7-0", approximate=False) == 1
    assert r.xtrim("s", minid="9-0", limit=10) == 1  # approximate: the node is all below
    assert r.xlen("s") == 0
    assert r.xtrim("s", maxlen=0, limit=5) == 0
    with pytest.raises(DataError):
        r.xtrim("s")
    with pytest.raises(DataError):
        r.xtrim("s", maxlen=1, minid="1")
    assert r.execute_command("XRANGE", "s", "-", "+") == []


def test_xread(r):
    _stream(r)
    assert r.xread({"s": "1-0"}) == [[b"s", [E2, E3]]]
    assert r.xread({"s": 0, "missing": 0}, count=1) == [[b"s", [E1]]]
    r.xadd("t", {"z": 1}, id="9-0")
    assert r.xread({"s": "2-0", "t": "0"}) == [[b"s", [E3]], [b"t", [(b"9-0", {b"z": b"1"})]]]
    assert r.xread({"s": "$"}, block=10) == []
    assert r.xread({"s": "9-0"}) == []
    with pytest.raises(DataError):
        r.xread({})
    with pytest.raises(DataError):
        r.xread({"s": 0}, block=-1)


def test_consumer_groups(r):
    _stream(r)
    assert r.xgroup_create("s", "g1", id="0") is True
    with pytest.raises(ResponseError):
        r.xgroup_create("s", "g1")
    assert r.xgroup_create("s2", "g2", mkstream=True, entries_read=0) is True
    assert r.xgroup_createconsumer("s", "g1", "c0") == 1
    assert r.xgroup_createconsumer("s", "g1", "c0") == 0
    assert r.xreadgroup("g1", "c1", {"s": ">"}, count=2) == [[b"s", [E1, E2]]]
    assert r.xreadgroup("g1", "c1", {"s": "0"}) == [[b"s", [E1, E2]]]
    assert r.xreadgroup("g2", "c1", {"s2": ">"}, block=10) == []
    assert r.xpending("s", "g1") == {
        "pending": 2, "min": b"1-0", "max": b"2-0", "consumers": [{"name": b"c1", "pending": 2}]}
    assert r.xpending("s2", "g2") == {"pending": 0, "min": None, "max": None, "consumers": []}
    detail = r.xpending_range("s", "g1", "-", "+", 10)
    assert [sorted(d) for d in detail] == [
        ["consumer", "message_id", "time_since_delivered", "times_delivered"]] * 2
    assert [(d["message_id"], d["consumer"], d["times_delivered"]) for d in detail] == [
        (b"1-0", b"c1", 2), (b"2-0", b"c1", 2)]
    assert all(isinstance(d["time_since_delivered"], int) and d["time_since_delivered"] >= 0
               for d in detail)
    assert r.xpending_range("s", "g1", "-", "+", 10, consumername="c0") == []
    assert r.xpending_range("s", "g1", "-", "+", 1, idle=3_600_000) == []
    assert r.xpending_range("s", "g1", None, None, None) == r.xpending("s", "g1")
    with pytest.raises(DataError):
        r.xpending_range("s", "g1", "-", None, 10)
    # claiming
    assert r.xclaim("s", "g1", "c2", 0, ["1-0"]) == [E1]
    assert r.xclaim("s", "g1", "c2", 0, ["2-0"], justid=True) == [b"2-0"]
    assert r.xclaim("s", "g1", "c2", 3_600_000, ["1-0"]) == []
    assert r.xclaim("s", "g1", "c2", 0, ("1-0",), idle=5000, retrycount=7) == [E1]
    assert r.xpending_range("s", "g1", "1-0", "1-0", 1)[0]["times_delivered"] == 7
    with pytest.raises(DataError):
        r.xclaim("s", "g1", "c2", 0, [])
    assert r.xautoclaim("s", "g1", "c3", 0, count=1) == [b"2-0", [E1], []]
    assert r.xautoclaim("s", "g1", "c3", 0, start_id="2-0") == [b"0-0", [E2], []]
    assert r.xautoclaim("s", "g1", "c3", 0, justid=True) == [b"1-0", b"2-0"]
    assert r.xack("s", "g1", "1-0", "9-9") == 1
    assert r.xgroup_delconsumer("s", "g1", "c3") == 1  # 2-0 was still pending
    assert r.xgroup_delconsumer("s", "g1", "nobody") == 0
    assert r.xgroup_setid("s", "g1", "0", entries_read=0) is True
    assert r.xreadgroup("g1", "c4", {"s": ">"}, noack=True) == [[b"s", [E1, E2, E3]]]
    assert r.xpending("s", "g1")["pending"] == 0
    assert r.xgroup_destroy("s", "g1") is True
    assert r.xgroup_destroy("s", "g1") is False


def test_xinfo(r):
    _stream(r)
    r.xgroup_create("s", "g1", id="0")
    r.xreadgroup("g1", "c1", {"s": ">"}, count=2)
    info = r.xinfo_stream("s")
    assert {k: info[k] for k in ("length", "radix-tree-keys", "radix-tree-nodes", "groups",
                                 "last-generated-id", "first-entry", "last-entry")} == {
        "length": 3, "radix-tree-keys": 1, "radix-tree-nodes": 2, "groups": 1,
        "last-generated-id": b"3-5", "first-entry": E1, "last-entry": E3}
    assert {k: info[k] for k in ("max-deleted-entry-id", "entries-added",
                                 "recorded-first-entry-id")} == {
        "max-deleted-entry-id": b"0-0", "entries-added": 3, "recorded-first-entry-id": b"1-0"}
    full = r.xinfo_stream("s", full=True)
    assert full["length"] == 3
    assert full["entries"] == {E1[0]: E1[1], E2[0]: E2[1], E3[0]: E3[1]}
    [group] = full["groups"]
    assert {k: group[k] for k in ("name", "last-delivered-id", "pel-count")} == {
        "name": b"g1", "last-delivered-id": b"2-0", "pel-count": 2}
    assert [p[:2] for p in group["pending"]] == [[b"1-0", b"c1"], [b"2-0", b"c1"]]
    [consumer] = group["consumers"]
    assert consumer["name"] == b"c1" and consumer["pel-count"] == 2
    assert isinstance(consumer["seen-time"], int)
    assert [[p[0], p[2]] for p in consumer["pending"]] == [[b"1-0", 1], [b"2-0", 1]]
    [g] = r.xinfo_groups("s")
    assert {k: g[k] for k in ("name", "consumers", "pending", "last-delivered-id")} == {
        "name": b"g1", "consumers": 1, "pending": 2, "last-delivered-id": b"2-0"}
    [c] = r.xinfo_consumers("s", "g1")
    assert c["name"] == b"c1" and c["pending"] == 2
    assert isinstance(c["idle"], int) and c["idle"] >= 0
    assert r.execute_command("XINFO GROUPS", "s")[0]["name"] == b"g1"
    r.xtrim("s", maxlen=0, approximate=False)
    empty = r.xinfo_stream("s")
    assert (empty["length"], empty["first-entry"], empty["last-entry"]) == (0, None, None)
    with pytest.raises(ResponseError):
        r.xinfo_stream("missing")


def test_streams_decoded(rd):
    assert rd.xadd("s", {"é": "ü"}, id="1-0") == "1-0"
    assert rd.xrange("s") == [("1-0", {"é": "ü"})]
    assert rd.xread({"s": 0}) == [["s", [("1-0", {"é": "ü"})]]]
    rd.xgroup_create("s", "g", id="0")
    assert rd.xreadgroup("g", "c", {"s": ">"}) == [["s", [("1-0", {"é": "ü"})]]]
    assert rd.xpending("s", "g") == {
        "pending": 1, "min": "1-0", "max": "1-0", "consumers": [{"name": "c", "pending": 1}]}
    assert rd.xinfo_stream("s")["first-entry"] == ("1-0", {"é": "ü"})
    assert rd.xinfo_groups("s")[0]["name"] == "g"


def test_streams_pipeline_and_asyncio(r, server, protocol):
    pipe = r.pipeline()
    pipe.xadd("s", {"a": 1}, id="1-0").xadd("s", {"a": 2}, id="2-0").xlen("s")
    pipe.xrange("s").xread({"s": "1-0"}).xgroup_create("s", "g", id="0")
    pipe.xreadgroup("g", "c", {"s": ">"}, count=1).xpending("s", "g")
    assert pipe.execute() == [
        b"1-0", b"2-0", 2, [(b"1-0", {b"a": b"1"}), (b"2-0", {b"a": b"2"})],
        [[b"s", [(b"2-0", {b"a": b"2"})]]], True, [[b"s", [(b"1-0", {b"a": b"1"})]]],
        {"pending": 1, "min": b"1-0", "max": b"1-0", "consumers": [{"name": b"c", "pending": 1}]}]

    async def main():
        a = aredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
        assert await a.xrevrange("s") == [(b"2-0", {b"a": b"2"}), (b"1-0", {b"a": b"1"})]
        assert await a.xautoclaim("s", "g", "d", 0) == [b"0-0", [(b"1-0", {b"a": b"1"})], []]
        assert (await a.xinfo_stream("s"))["last-entry"] == (b"2-0", {b"a": b"2"})
        # XREAD BLOCK on the asyncio client (a connection of its own), answered by an XADD
        # from this task (or at once, if the XADD ran first: the same entry either way).
        reader = asyncio.ensure_future(a.xread({"s": "2-0"}, block=10000))
        await asyncio.sleep(0.2)
        assert await a.xadd("s", {"b": 3}, id="3-0") == b"3-0"
        assert await asyncio.wait_for(reader, 20) == [[b"s", [(b"3-0", {b"b": b"3"})]]]
        async with a.pipeline() as p:
            p.xack("s", "g", "1-0").xdel("s", "1-0").xtrim("s", maxlen=1, approximate=False)
            assert await p.execute() == [1, 1, 1]
        await a.aclose()

    asyncio.run(main())


# --- server ----------------------------------------------------------------------------------
def test_object(r):
    r.rpush("l", 1)
    r.set("n", 12)
    version = tuple(int(x) for x in r.info("server")["redis_version"].split(".")[:2])
    # A small list is a listpack since Redis 7.2 (Valkey reports 7.2.4), a quicklist before.
    assert r.object("encoding", "l") == (b"listpack" if version >= (7, 2) else b"quicklist")
    assert r.object("ENCODING", "n") == b"int"
    assert r.object("refcount", "l") == 1
    assert r.object("idletime", "l") in (0, 1)
    assert r.object("encoding", "missing") is None
    with pytest.raises(ResponseError):
        r.object("freq", "l")  # no LFU policy
    try:
        assert r.config_set("maxmemory-policy", "allkeys-lfu") is True
        freq = r.object("freq", "l")
        assert isinstance(freq, int) and 0 <= freq <= 255
    finally:
        assert r.config_set("maxmemory-policy", "noeviction") is True


def test_config(r, rd):
    assert r.config_get("maxmemory-samples") == {"maxmemory-samples": "5"}
    assert r.config_get("timeout", "databases") == {"databases": "16", "timeout": "0"}
    assert r.config_get("no-such-parameter") == {}
    assert r.execute_command("CONFIG GET", "timeout") == {"timeout": "0"}
    assert r.config_set("maxmemory-samples", 7) is True
    assert rd.config_get("maxmemory-samples") == {"maxmemory-samples": "7"}
    assert r.config_set("maxmemory-samples", 5, "timeout", 0) is True
    assert r.config_get("maxmemory-sam*") == {"maxmemory-samples": "5"}
    with pytest.raises(ResponseError):
        r.config_set("no-such-parameter", 1)
    r.get("x")
    assert r.info("stats")["keyspace_misses"] >= 1
    assert r.config_resetstat() is True
    assert r.info("stats")["keyspace_misses"] == 0
    all_params = r.config_get()
    assert all_params["databases"] == "16" and len(all_params) > 100


def test_client_commands(r):
    pipe = r.pipeline(transaction=False)  # one connection for every command
    pipe.client_getname().client_setname("oxpy-me").client_getname().client_id()
    before, set_ok, name, cid = pipe.execute()
    assert (before, set_ok, name) == (None, True, "oxpy-me")
    assert isinstance(cid, int) and cid > 0
    [me] = r.client_list(client_id=[cid])
    assert (me["id"], me["name"], me["db"]) == (str(cid), "oxpy-me", "0")
    assert {"addr", "laddr", "fd", "age", "idle", "flags", "cmd", "user"} <= set(me)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in me.items())
    normal = r.client_list(_type="normal")
    assert str(cid) in [c["id"] for c in normal]
    assert r.client_list(_type="pubsub") == []
    with pytest.raises(DataError):
        r.client_list(_type="nobody")
    with pytest.raises(DataError):
        r.client_list(client_id=cid)
    assert r.execute_command("CLIENT GETNAME") in (None, "oxpy-me")


def test_acl(r, rd):
    assert r.acl_whoami() == "default"
    assert rd.acl_whoami() == "default"
    assert r.execute_command("ACL", "SETUSER", "oxpy-more", "off") == b"OK"
    try:
        users = r.acl_users()
        assert "default" in users and "oxpy-more" in users
        assert users == sorted(users) and all(isinstance(u, str) for u in users)
    finally:
        r.execute_command("ACL", "DELUSER", "oxpy-more")
    assert "oxpy-more" not in r.acl_users()
    # As redis-py: only the joined form of a subcommand gets its reply shape.
    assert r.execute_command("ACL WHOAMI") == "default"
    assert r.execute_command("ACL", "WHOAMI") == b"default"


LIB = ("#!lua name=oxlib\n"
       "redis.register_function('echo1', function(keys, args) return args[1] end)\n"
       "redis.register_function{function_name='get1', callback=function(keys, args) "
       "return redis.call('GET', keys[1]) end, flags={'no-writes'}}\n")


def test_functions(r):
    assert r.function_flush() is True
    assert r.function_load(LIB) == b"oxlib"
    with pytest.raises(ResponseError):
        r.function_load(LIB)
    assert r.function_load(LIB, replace=True) == b"oxlib"
    assert r.fcall("echo1", 0, "hello") == b"hello"
    r.set("k", "v")
    assert r.fcall_ro("get1", 1, "k") == b"v"
    assert r.fcall_ro("get1", 1, "missing") is None
    with pytest.raises(ResponseError):
        r.fcall_ro("echo1", 0, "x")  # not flagged no-writes
    pipe = r.pipeline()
    pipe.fcall("echo1", 0, 42).function_delete("oxlib")
    assert pipe.execute() == [b"42", True]
    with pytest.raises(ResponseError):
        r.function_delete("oxlib")
    assert r.function_load(LIB) == b"oxlib"
    assert r.function_flush("ASYNC") is True
    with pytest.raises(ResponseError):
        r.fcall("echo1", 0, "x")


def test_server_commands_asyncio(server, protocol):
    async def main():
        a = aredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
        assert await a.config_get("databases") == {"databases": "16"}
        assert await a.acl_whoami() == "default"
        assert await a.function_load(LIB, replace=True) == b"oxlib"
        assert await a.fcall("echo1", 0, "hi") == b"hi"
        assert await a.function_delete("oxlib") is True
        clients = await a.client_list()
        assert clients and all(isinstance(c, dict) and "id" in c for c in clients)
        await a.aclose()

    asyncio.run(main())


def test_execute_command_joined_subcommand_shapes(r):
    sha = r.execute_command("SCRIPT LOAD", "return 1")
    assert sha == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"
    assert r.execute_command("script load", "return 1") == sha
    assert r.execute_command("SCRIPT", "LOAD", "return 1") == sha.encode()
