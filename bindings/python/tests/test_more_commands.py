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
