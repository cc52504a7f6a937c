"""redis-py's ``encoding`` and ``encoding_errors``: ``str`` arguments are sent in the client's
codec, and with ``decode_responses=True`` replies are decoded with it (strict UTF-8 in Rust,
anything else through Python's codecs); on the blocking and asyncio clients, RESP2 and RESP3,
in pipelines and pub/sub messages."""

import asyncio

import pytest

import oxredis
import oxredis.asyncio as aredis

BAD = b"\xff\xfeok"  # not UTF-8


def client(server, protocol, **kw):
    return oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol, **kw)


def aclient(server, protocol, **kw):
    return aredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol, **kw)


def test_latin1_arguments_and_replies(server, protocol):
    raw = client(server, protocol)
    r = client(server, protocol, encoding="latin-1", decode_responses=True)
    assert r.set("enc:café", "crème") is True
    # Sent in latin-1: one byte per accented letter.
    assert raw.get("enc:caf\xe9".encode("latin-1")) == b"cr\xe8me"
    assert r.get("enc:café") == "crème"
    assert r.rpush("enc:l", "à", "é", b"\xe7") == 3
    assert r.lrange("enc:l", 0, -1) == ["à", "é", "ç"]  # a flat reply, read from its frame
    r.hset("enc:h", mapping={"clé": "valeur é"})
    assert r.hgetall("enc:h") == {"clé": "valeur é"}
    assert r.keys("enc:caf*") == ["enc:café"]
    # Latin-1 decodes every byte: no error whatever the bytes.
    raw.set("enc:bad", BAD)
    assert r.get("enc:bad") == "ÿþok"
    # Without decode_responses the codec still encodes the arguments.
    b = client(server, protocol, encoding="latin-1")
    assert b.get("enc:café") == b"cr\xe8me"
    assert r.connection_pool.get_encoder().encoding == "iso8859-1"
    raw.delete("enc:café", "enc:l", "enc:h", "enc:bad")


def test_invalid_utf8_under_each_error_handler(server, protocol):
    raw = client(server, protocol)
    raw.set("enc:bad", BAD)
    raw.rpush("enc:badl", BAD, b"fine")
    raw.hset("enc:badh", b"f\xff", b"v")
    strict = client(server, protocol, decode_responses=True)
    with pytest.raises(UnicodeDecodeError):
        strict.get("enc:bad")
    with pytest.raises(UnicodeDecodeError):
        strict.lrange("enc:badl", 0, -1)
    # The reply was read whole: the connection goes on.
    assert strict.lrange("enc:badl", 1, 1) == ["fine"]
    replace = client(server, protocol, decode_responses=True, encoding_errors="replace")
    assert replace.get("enc:bad") == "\ufffd\ufffdok"
    assert replace.lrange("enc:badl", 0, -1) == ["\ufffd\ufffdok", "fine"]
    assert replace.hgetall("enc:badh") == {"f\ufffd": "v"}
    ignore = client(server, protocol, decode_responses=True, encoding_errors="ignore")
    assert ignore.get("enc:bad") == "ok"
    assert ignore.lrange("enc:badl", 0, -1) == ["ok", "fine"]
    assert ignore.hgetall("enc:badh") == {"f": "v"}
    # Valid UTF-8 is decoded the same under every handler.
    raw.set("enc:good", "é".encode())
    assert [c.get("enc:good") for c in (strict, replace, ignore)] == ["é", "é", "é"]
    # An argument that UTF-8 cannot encode (a lone surrogate) under strict raises, and
    # surrogateescape round-trips the bytes.
    with pytest.raises(UnicodeEncodeError):
        strict.set("enc:s", "\udcff")
    escape = client(server, protocol, decode_responses=True, encoding_errors="surrogateescape")
    assert escape.set("enc:s", "\udcffx") is True
    assert raw.get("enc:s") == b"\xffx"
    assert escape.get("enc:bad") == "\udcff\udcfeok"
    raw.delete("enc:bad", "enc:badl", "enc:badh", "enc:good", "enc:s")


def test_pipeline_encoding(server, protocol):
    raw = client(server, protocol)
    raw.set("enc:bad", BAD)
    r = client(server, protocol, encoding="latin-1", decode_responses=True)
    with r.pipeline() as pipe:
        pipe.set("enc:p", "é").get("enc:p").get("enc:bad")
        assert pipe.command_stack[0][0] == (b"SET", b"enc:p", b"\xe9")
        assert pipe.execute() == [True, "é", "ÿþok"]
    assert raw.get("enc:p") == b"\xe9"
    replace = client(server, protocol, decode_responses=True, encoding_errors="replace")
    assert replace.pipeline(transaction=False).get("enc:bad").execute() == ["\ufffd\ufffdok"]
    strict = client(server, protocol, decode_responses=True)
    with pytest.raises(UnicodeDecodeError):
        strict.pipeline().get("enc:bad").execute()
    raw.delete("enc:bad", "enc:p")


def test_pubsub_encoding(server, protocol):
    r = client(server, protocol, encoding="latin-1", decode_responses=True)
    raw = client(server, protocol)
    p = r.pubsub()
    seen = []
    p.subscribe("enc:chan-é", **{"enc:hé": lambda m: seen.append(m)})
    assert p.get_message(timeout=5) == {
        "type": "subscribe", "pattern": None, "channel": "enc:chan-é", "data": 1}
    assert p.get_message(timeout=5)["channel"] == "enc:hé"
    assert sorted(raw.pubsub_channels("enc:*")) == [b"enc:chan-\xe9", b"enc:h\xe9"]
    assert r.publish("enc:chan-é", "ça") == 1
    assert p.get_message(timeout=5) == {
        "type": "message", "pattern": None, "channel": "enc:chan-é", "data": "ça"}
    # A handler registered under a non-ASCII name gets its messages (looked up in latin-1).
    assert raw.publish(b"enc:h\xe9", BAD) == 1
    assert p.get_message(timeout=5) is None
    assert seen == [{"type": "message", "pattern": None, "channel": "enc:hé", "data": "ÿþok"}]
    assert set(p.channels) == {"enc:chan-é", "enc:hé"}
    p.close()
    strict = client(server, protocol, decode_responses=True)
    q = strict.pubsub()
    q.subscribe("enc:s")
    assert q.get_message(timeout=5)["type"] == "subscribe"
    raw.publish("enc:s", BAD)
    with pytest.raises(UnicodeDecodeError):
        q.get_message(timeout=5)
    q.close()


def test_from_url_encoding(server, protocol):
    url = (f"redis://127.0.0.1:{server.port}/0?encoding=latin-1&encoding_errors=strict"
           f"&decode_responses=True&protocol={protocol}")
    r = oxredis.Redis.from_url(url)
    assert r.set("enc:u", "é") is True
    assert client(server, protocol).get("enc:u") == b"\xe9"
    assert r.get("enc:u") == "é"
    assert oxredis.from_url(f"redis://127.0.0.1:{server.port}/0?encoding_errors=replace",
                            decode_responses=True).connection_pool.get_encoder().encoding_errors \
        == "replace"
    # decode_responses from the URL decodes as the keyword does (Python's error, not the core's).
    client(server, protocol).set("enc:ubad", BAD)
    with pytest.raises(UnicodeDecodeError):
        oxredis.from_url(f"redis://127.0.0.1:{server.port}/0?decode_responses=True").get("enc:ubad")
    assert oxredis.from_url(f"redis://127.0.0.1:{server.port}/0?decode_responses=True"
                            "&encoding_errors=ignore").get("enc:ubad") == "ok"
    with pytest.raises(LookupError):
        client(server, protocol, encoding="no-such-codec")
    r.delete("enc:u", "enc:ubad")


def test_encoder():
    pool = oxredis.ConnectionPool(encoding="latin-1", decode_responses=True)
    enc = pool.get_encoder()
    assert (enc.encoding, enc.encoding_errors, enc.decode_responses) == (
        "iso8859-1", "strict", True)
    assert enc.encode("é") == b"\xe9"
    assert enc.encode(12) == b"12" and enc.encode(1.5) == b"1.5" and enc.encode(b"x") == b"x"
    with pytest.raises(oxredis.DataError):
        enc.encode(True)
    assert enc.decode(b"\xe9") == "é"
    assert oxredis.ConnectionPool().get_encoder().decode(b"\xc3\xa9") == b"\xc3\xa9"
    assert oxredis.ConnectionPool().get_encoder().decode(b"\xc3\xa9", force=True) == "é"


def test_asyncio_encoding(server, protocol):
    raw = client(server, protocol)
    raw.set("enc:abad", BAD)

    async def main():
        async with aclient(server, protocol, encoding="latin-1", decode_responses=True) as r:
            assert await r.set("enc:aé", "à") is True
            assert await r.get("enc:aé") == "à"
            assert await r.get("enc:abad") == "ÿþok"
            async with r.pipeline() as pipe:
                pipe.set("enc:ap", "ç").get("enc:ap")
                assert await pipe.execute() == [True, "ç"]
            p = r.pubsub()
            await p.subscribe("enc:achan-é")
            assert (await p.get_message(timeout=5))["channel"] == "enc:achan-é"
            assert await r.publish("enc:achan-é", "ü") == 1
            assert await p.get_message(timeout=5) == {
                "type": "message", "pattern": None, "channel": "enc:achan-é", "data": "ü"}
            await p.aclose()
        async with aclient(server, protocol, decode_responses=True,
                           encoding_errors="replace") as r:
            assert await r.get("enc:abad") == "\ufffd\ufffdok"
            assert await r.pipeline().get("enc:abad").execute() == ["\ufffd\ufffdok"]
        async with aclient(server, protocol, decode_responses=True,
                           encoding_errors="ignore") as r:
            assert await r.get("enc:abad") == "ok"
        async with aclient(server, protocol, decode_responses=True) as r:
            with pytest.raises(UnicodeDecodeError):
                await r.get("enc:abad")
            with pytest.raises(UnicodeDecodeError):
                await r.pipeline().get("enc:abad").execute()
            assert await r.set("enc:aok", "é") is True

    asyncio.run(main())
    assert raw.get("enc:a\xe9".encode("latin-1")) == b"\xe0"
    assert raw.get("enc:ap") == b"\xe7"
    assert raw.get("enc:aok") == "é".encode()
    raw.delete("enc:abad", "enc:a\xe9".encode("latin-1"), "enc:ap", "enc:aok")
