"""Replies built straight from the reply frame (no intermediate tree): exact values for LRANGE
and the other plain-shaped replies, on RESP2 and RESP3."""

import pytest

import oxredis
from oxredis.exceptions import ResponseError


def test_lrange_bytes(r):
    assert r.lrange("missing", 0, -1) == []
    r.rpush("l", b"a\x00b", b"", b"\x00", b"\xff\xfe", "é", b"\r\n", 7, 1.5)
    got = r.lrange("l", 0, -1)
    assert got == [b"a\x00b", b"", b"\x00", b"\xff\xfe", "é".encode(), b"\r\n", b"7", b"1.5"]
    assert all(type(x) is bytes for x in got)
    assert type(got) is list
    assert r.lrange("l", 1, 2) == [b"", b"\x00"]
    assert r.lrange("l", 5, 1) == []


def test_lrange_decoded(rd):
    assert rd.lrange("missing", 0, -1) == []
    rd.rpush("l", "vé", "", "a\x00b", "日本", 3)
    got = rd.lrange("l", 0, -1)
    assert got == ["vé", "", "a\x00b", "日本", "3"]
    assert all(type(x) is str for x in got)
    rd.rpush("l", b"\xff")
    with pytest.raises(UnicodeDecodeError):
        rd.lrange("l", 0, -1)


def test_lrange_of_a_10k_list_is_exact(r, rd):
    r.rpush("big", *range(10_000))
    r.rpush("big", b"x" * 100_000)
    got = r.lrange("big", 0, -1)
    assert len(got) == 10_001
    assert got[:10_000] == [str(i).encode() for i in range(10_000)]
    assert got[10_000] == b"x" * 100_000
    dgot = rd.lrange("big", 0, 9_999)
    assert dgot == [str(i) for i in range(10_000)]


def test_nil_elements_and_nested_arrays(r):
    r.set("a", "1")
    assert r.mget("a", "missing", "a") == [b"1", None, b"1"]
    assert r.execute_command("EVAL", "return {1, {2, 'x'}, {}, 'y'}", 0) == [1, [2, b"x"], [], b"y"]
    # Lua false is a nil bulk (RESP2) or null (RESP3), inside an array too.
    assert r.execute_command("EVAL", "return {1, false, 3}", 0) == [1, None, 3]
    assert r.execute_command("EVAL", "return false", 0) is None


def test_nested_error_is_an_exception_object(r):
    got = r.execute_command("EVAL", "return {1, redis.error_reply('MYERR went wrong')}", 0)
    assert got[0] == 1
    assert isinstance(got[1], ResponseError)
    assert str(got[1]) == "MYERR went wrong"
    with pytest.raises(ResponseError, match="^MYERR top$"):
        r.execute_command("EVAL", "return redis.error_reply('MYERR top')", 0)


def test_resp3_types_by_protocol(r, protocol):
    r.hset("h", mapping={"f": "v"})
    got = r.execute_command("EVAL", "return redis.call('HGETALL', KEYS[1])", 1, "h")
    assert got == [b"f", b"v"]

    def lua3(body):
        return r.execute_command("EVAL", "redis.setresp(3); return " + body, 0)

    # A script's RESP3 types reach a RESP3 client as they are and a RESP2 client converted
    # by the server; the reply is as redis-py's own (Python) RESP3 parser gives it.
    big = "123456789012345678901234567890"
    if protocol == 3:
        assert lua3("{map={f='v'}}") == {b"f": b"v"}
        assert lua3("{double=1.5}") == 1.5
        assert lua3("true") is True
        assert lua3("{set={a=true}}") == {b"a"}
        assert lua3("{big_number='" + big + "'}") == int(big)
    else:
        assert lua3("{map={f='v'}}") == [b"f", b"v"]
        assert lua3("{double=1.5}") == b"1.5"
        assert lua3("true") == 1
        assert lua3("{set={a=true}}") == [b"a"]
        assert lua3("{big_number='" + big + "'}") == big.encode()


def test_big_reply_on_a_unix_socket(server, protocol):
    c = oxredis.Redis(unix_socket_path=server.unix_socket, protocol=protocol)
    c.delete("u")
    c.rpush("u", *[b"\x00" * 10] * 5_000)
    assert c.lrange("u", 0, -1) == [b"\x00" * 10] * 5_000
    c.close()
