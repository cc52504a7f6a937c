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

