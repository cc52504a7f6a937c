"""redis-py 8.1 methods of commands newer (or older) than the servers the suite runs on:
Redis 8.x's MSETEX, INCREX, DELEX, DIGEST, LMOVEM/BLMOVEM, SUNIONCARD/SDIFFCARD, XACKDEL,
XDELEX, XCFGSET, XNACK, HOTKEYS and Redis 6's STRALGO. Where the server does not know the
command, the test checks what was sent from the server's error, which names the command and
its first arguments (``unknown command 'XACKDEL', with args beginning with: 's' 'g' ...``);
where it does (Valkey 9.1 has MSETEX), the values. Each runs on RESP2 and RESP3."""

import asyncio
import time
import warnings

import pytest

import oxredis
import oxredis.asyncio as aredis
from oxredis.client import DataPersistOptions, HotkeysMetricsTypes, _stralgo
from oxredis.exceptions import DataError, ResponseError


def _has_command(r, name):
    return r.execute_command("COMMAND", "INFO", name) != [None]


def _unknown_message(name, *args):
    words = " ".join(f"'{a}'" for a in args)
    return f"unknown command '{name}', with args beginning with: {words}"


def _assert_sent(r, call, name, *args):
    """``call()`` sent ``name args...`` to a server that does not know ``name``."""
    with pytest.raises(ResponseError) as e:
        call()
    assert str(e.value).rstrip() == _unknown_message(name, *args)


def _new_command(r, name):
    """Skips the value checks of a command the server does not know (the packing checks ran
    before)."""
    if not _has_command(r, name):
        pytest.skip(f"{name} needs a newer server (Redis 8.x): only what is sent is checked")


def test_stralgo(r):
    with pytest.raises(DataError, match="The supported algorithms are: LCS"):
        r.stralgo("LCX", "a", "b")
    with pytest.raises(DataError, match="specific_argument can be only keys or strings"):
        r.stralgo("LCS", "a", "b", specific_argument="values")
    with pytest.raises(DataError, match="len and idx cannot be provided together"):
        r.stralgo("LCS", "a", "b", len=True, idx=True)
    # redis-py's parse_stralgo of the RESP2 replies Redis 6 sends.
    assert _stralgo()(b"mytext") == "mytext"
    assert _stralgo(len=True)(6) == 6
    reply = [b"matches", [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]], b"len", 6]
    assert _stralgo(idx=True, withmatchlen=True)(reply) == {
        "matches": [[4, (4, 7), (5, 8)], [2, (2, 3), (0, 1)]], "len": 6}
    reply = [b"matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], b"len", 6]
    assert _stralgo(idx=True)(reply) == {
        "matches": [[(4, 7), (5, 8)], [(2, 3), (0, 1)]], "len": 6}
    if _has_command(r, "STRALGO"):
        r.mset({"k1": "ohmytext", "k2": "mynewtext"})
        assert r.stralgo("LCS", "ohmytext", "mynewtext") == "mytext"
        assert r.stralgo("LCS", "k1", "k2", specific_argument="keys", len=True) == 6
        return
    _assert_sent(r, lambda: r.stralgo("LCS", "ohmytext", "mynewtext"), "STRALGO",
                 "LCS", "STRINGS", "ohmytext", "mynewtext")
    _assert_sent(r, lambda: r.stralgo("LCS", "k1", "k2", specific_argument="keys", len=True),
                 "STRALGO", "LCS", "KEYS", "k1", "k2", "LEN")
    _assert_sent(r, lambda: r.stralgo("LCS", "a", "b", idx=True, minmatchlen=4,
                                      withmatchlen=True),
                 "STRALGO", "LCS", "STRINGS", "a", "b", "IDX", "MINMATCHLEN", "4",
                 "WITHMATCHLEN")
    pytest.skip("STRALGO was removed in Redis 7.0 (LCS replaced it): its values need Redis 6")


def test_msetex(r):
    with pytest.raises(DataError, match="mutually exclusive"):
        r.msetex({"a": 1}, ex=1, px=1000)
    with pytest.raises(DataError, match="mutually exclusive"):
        r.msetex({"a": 1}, ex=1, keepttl=True)
    if not _has_command(r, "MSETEX"):
        _assert_sent(r, lambda: r.msetex({"a": 1, "b": 2}, ex=10), "MSETEX",
                     "2", "a", "1", "b", "2", "EX", "10")
        _assert_sent(r, lambda: r.msetex({"a": 1}, DataPersistOptions.XX, keepttl=True),
                     "MSETEX", "1", "a", "1", "XX", "KEEPTTL")
        pytest.skip("MSETEX needs Redis 8.4 / Valkey 9.1: only what is sent is checked")
    assert r.msetex({"a": 1, "b": 2}, ex=100) == 1
    assert r.mget("a", "b") == [b"1", b"2"]
    assert 0 < r.ttl("a") <= 100 and 0 < r.ttl("b") <= 100
    assert r.msetex({"a": 3, "c": 4}, data_persist_option=DataPersistOptions.NX) == 0
    assert r.get("c") is None
    assert r.msetex({"a": 5, "b": 6}, data_persist_option=DataPersistOptions.XX,
                    keepttl=True) == 1
    assert r.mget("a", "b") == [b"5", b"6"] and r.ttl("a") > 0
    assert r.msetex({"c": 7}, px=50_000) == 1 and 0 < r.pttl("c") <= 50_000
    assert r.msetex({"a": 8}) == 1 and r.ttl("a") == -1


def test_increx(r):
    with pytest.raises(DataError, match="``byfloat`` and ``byint`` are mutually exclusive"):
        r.increx("n", byfloat=1.5, byint=1)
    with pytest.raises(DataError, match="mutually exclusive"):
        r.increx("n", ex=1, persist=True)
    with pytest.raises(DataError, match="``enx`` requires one of"):
        r.increx("n", enx=True)
    _assert_sent(r, lambda: r.increx("n", byint=5, lbound=0, ubound=10, saturate=True, ex=60,
                                     enx=True),
                 "INCREX", "n", "BYINT", "5", "LBOUND", "0", "UBOUND", "10", "SATURATE", "EX",
                 "60", "ENX")
    _assert_sent(r, lambda: r.increx("n", byfloat=1.5, persist=True), "INCREX", "n", "BYFLOAT",
                 "1.5", "PERSIST")
    _new_command(r, "INCREX")


def test_delex_digest(r):
    with pytest.warns(UserWarning, match="experimental method delex"):
        with pytest.raises(ValueError, match="Only one of IFEQ/IFNE/IFDEQ/IFDNE"):
            r.delex("k", ifeq="a", ifne="b")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if not _has_command(r, "DELEX"):
            _assert_sent(r, lambda: r.delex("k", ifeq="v"), "DELEX", "k", "IFEQ", "v")
            _assert_sent(r, lambda: r.delex("k", ifdne="0123abcd"), "DELEX", "k", "IFDNE",
                         "0123abcd")
            _assert_sent(r, lambda: r.delex("k"), "DELEX", "k")
            _assert_sent(r, lambda: r.digest("k"), "DIGEST", "k")
        try:
            import xxhash  # noqa: F401
        except ImportError:
            with pytest.raises(NotImplementedError, match="requires the optional 'xxhash'"):
                r.digest_local(b"v")
        else:
            assert r.digest_local(b"v") == xxhash.xxh3_64(b"v").hexdigest().encode()
    _new_command(r, "DELEX")


def test_lmovem_blmovem(r):
    with pytest.raises(DataError, match="``count`` is required when"):
        r.lmovem("a", "b", mode="EXACT")
    with pytest.raises(DataError, match=r"``ordering`` \(OBO or BULK\) is required"):
        r.blmovem("a", "b", 1, count=2)
    _assert_sent(r, lambda: r.lmovem("a", "b"), "LMOVEM", "a", "b", "LEFT", "RIGHT")
    _assert_sent(r, lambda: r.lmovem("a", "b", count=3, ordering="OBO"), "LMOVEM", "a", "b",
                 "LEFT", "RIGHT", "COUNT", "3", "OBO")
    _assert_sent(r, lambda: r.blmovem("a", "b", 0.5, "RIGHT", "LEFT", count=2, mode="EXACT",
                                      ordering="BULK"),
                 "BLMOVEM", "a", "b", "RIGHT", "LEFT", "0.5", "EXACT", "2", "BULK")
    _new_command(r, "LMOVEM")


def test_sunioncard_sdiffcard(r):
    _assert_sent(r, lambda: r.sunioncard(2, ["a", "b"]), "SUNIONCARD", "2", "a", "b", "LIMIT",
                 "0")
    _assert_sent(r, lambda: r.sunioncard(2, ["a", "b"], limit=5, approx=True), "SUNIONCARD",
                 "2", "a", "b", "APPROX", "LIMIT", "5")
    _assert_sent(r, lambda: r.sdiffcard(3, ["a", "b", "c"], limit=1), "SDIFFCARD", "3", "a",
                 "b", "c", "LIMIT", "1")
    _new_command(r, "SUNIONCARD")


def test_stream_commands_of_redis_8(r):
    with pytest.raises(DataError, match="XACKDEL requires at least one message ID"):
        r.xackdel("s", "g")
    with pytest.raises(DataError, match="XACKDEL ref_policy must be one of"):
        r.xackdel("s", "g", "1-0", ref_policy="KEEP")
    with pytest.raises(DataError, match="XDELEX requires at least one message ID"):
        r.xdelex("s")
    with pytest.raises(DataError, match="XCFGSET requires at least one of"):
        r.xcfgset("s")
    with pytest.raises(DataError, match="idmp_duration must be an integer between 1 and 300"):
        r.xcfgset("s", idmp_duration=301)
    with pytest.raises(DataError, match="idmp_maxsize must be an integer between 1 and"):
        r.xcfgset("s", idmp_maxsize=0)
    with pytest.raises(DataError, match="XNACK mode must be one of"):
        r.xnack("s", "g", "LOUD", "1-0")
    with pytest.raises(DataError, match="XNACK retrycount must be >= 0"):
        r.xnack("s", "g", "FAIL", "1-0", retrycount=-1)
    _assert_sent(r, lambda: r.xackdel("s", "g", "1-0", "2-0", ref_policy="DELREF"), "XACKDEL",
                 "s", "g", "DELREF", "IDS", "2", "1-0", "2-0")
    _assert_sent(r, lambda: r.xdelex("s", "1-0"), "XDELEX", "s", "KEEPREF", "IDS", "1", "1-0")
    _assert_sent(r, lambda: r.xcfgset("s", idmp_duration=30, idmp_maxsize=500), "XCFGSET",
                 "s", "IDMP-DURATION", "30", "IDMP-MAXSIZE", "500")
    _assert_sent(r, lambda: r.xnack("s", "g", "FAIL", "1-0", "2-0", retrycount=3, force=True),
                 "XNACK", "s", "g", "FAIL", "IDS", "2", "1-0", "2-0", "RETRYCOUNT", "3", "FORCE")
    _new_command(r, "XACKDEL")


def _monitored(r, server, call) -> list:
    """The words of the MONITOR line of ``call()``, whether the server took it or refused
    it (a server logs a command with an option it does not know before refusing it)."""
    watcher = oxredis.Redis(host="127.0.0.1", port=server.port)
    with watcher.monitor() as m:
        try:
            call()
        except ResponseError:
            pass
        line = m.next_command(timeout=5)
    watcher.close()
    return line["command"].split(" ")


def _knows_option(r, *command) -> bool:
    try:
        r.execute_command(*command)
        return True
    except ResponseError as e:
        assert "syntax error" in str(e) or "Invalid stream ID" in str(e), e
        return False


def test_stream_options_of_redis_8(r, server):
    with pytest.raises(DataError, match="Only one of ```idmpauto``` or ```idmp```"):
        r.xadd("s", {"a": 1}, idmpauto="p", idmp=("p", "i"))
    with pytest.raises(DataError, match="IDMPAUTO and IDMP can only be used with id='\\*'"):
        r.xadd("s", {"a": 1}, id="1-1", idmpauto="p")
    with pytest.raises(DataError, match="XADD ref_policy must be one of"):
        r.xadd("s", {"a": 1}, ref_policy="KEEP")
    with pytest.raises(DataError, match="XADD idmp must be a tuple"):
        r.xadd("s", {"a": 1}, idmp=["p", "i"])
    with pytest.raises(DataError, match="XTRIM ref_policy must be one of"):
        r.xtrim("s", maxlen=1, ref_policy="ALL")
    with pytest.raises(DataError, match="XREAD max_count must be greater than or equal"):
        r.xread({"s": 0}, count=5, max_count=2)
    with pytest.raises(DataError, match="XREAD max_count must be a positive integer"):
        r.xread({"s": 0}, max_count=0)
    with pytest.raises(DataError, match="XREADGROUP max_size must be a positive integer"):
        r.xreadgroup("g", "c", {"s": ">"}, max_size=0)
    with pytest.raises(DataError, match="claim_min_idle_time must be a non-negative integer"):
        r.xreadgroup("g", "c", {"s": ">"}, claim_min_idle_time=-1)
    with pytest.raises(DataError, match="XACKDEL ref_policy must be one of"):
        r.xackdel("s", "g", "1-0", ref_policy=None)
    # Where each option goes, as redis-py sends it.
    assert _monitored(r, server, lambda: r.xadd(
        "s", {"a": 1}, maxlen=10, ref_policy="DELREF", idmp=("p1", "i1"))) == [
        "XADD", "s", "DELREF", "IDMP", "p1", "i1", "MAXLEN", "~", "10", "*", "a", "1"]
    assert _monitored(r, server, lambda: r.xadd(
        "s", {"a": 1}, nomkstream=True, idmpauto="p1", approximate=False, minid="0-1")) == [
        "XADD", "s", "NOMKSTREAM", "IDMPAUTO", "p1", "MINID", "0-1", "*", "a", "1"]
    assert _monitored(r, server, lambda: r.xtrim(
        "s", minid="0-1", limit=5, ref_policy="ACKED")) == [
        "XTRIM", "s", "MINID", "~", "0-1", "LIMIT", "5", "ACKED"]
    assert _monitored(r, server, lambda: r.xread(
        {"s": "0", "t": "1-0"}, count=2, block=10, max_count=3, max_size=1000)) == [
        "XREAD", "BLOCK", "10", "COUNT", "2", "MAXCOUNT", "3", "MAXSIZE", "1000", "STREAMS",
        "s", "t", "0", "1-0"]
    assert _monitored(r, server, lambda: r.xreadgroup(
        "g", "c", {"s": ">"}, count=1, block=5, noack=True, claim_min_idle_time=100,
        max_count=1, max_size=99)) == [
        "XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "MAXCOUNT", "1", "MAXSIZE", "99",
        "BLOCK", "5", "NOACK", "CLAIM", "100", "STREAMS", "s", ">"]
    # An entry XREADGROUP's CLAIM took carries its idle time and delivery count: the reply
    # shape, from a script returning that form through the server.
    entries = r._cmd(oxredis.client.XREAD, "EVAL",
                     "return {{'s', {{'1-0', {'f', 'v'}, 25, 2}, {'2-0', {'g', 'w'}}}}}", 0)
    assert entries == [[b"s", [(b"1-0", {b"f": b"v"}, 25, 2), (b"2-0", {b"g": b"w"})]]]
    if not _knows_option(r, "XREADGROUP", "GROUP", "g", "c", "CLAIM", "0", "STREAMS", "s",
                         ">"):
        pytest.skip("XADD IDMP and XREADGROUP CLAIM need Redis 8.4+: only what is sent and "
                    "the reply shape are checked")
    r.delete("s")
    r.xgroup_create("s", "g", id="0", mkstream=True)
    first = r.xadd("s", {"a": 1}, idmp=("p1", "i1"))
    assert r.xadd("s", {"a": 2}, idmp=("p1", "i1")) == first  # the same entry, not added
    assert r.xlen("s") == 1
    assert r.xreadgroup("g", "c1", {"s": ">"}) == [[b"s", [(first, {b"a": b"1"})]]]
    time.sleep(0.05)
    [[stream, [claimed]]] = r.xreadgroup("g", "c2", {"s": ">"}, claim_min_idle_time=10)
    assert (stream, claimed[0], claimed[1], claimed[3]) == (b"s", first, {b"a": b"1"}, 2)
    assert claimed[2] >= 10


def test_hotkeys(r):
    _assert_sent(r, lambda: r.hotkeys_start([HotkeysMetricsTypes.CPU, HotkeysMetricsTypes.NET],
                                            count=10, duration=5, sample_ratio=2,
                                            slots=[1, 2]),
                 "HOTKEYS", "START", "METRICS", "2", "CPU", "NET", "COUNT", "10", "DURATION",
                 "5", "SAMPLE", "2", "SLOTS", "2", "1", "2")
    _assert_sent(r, r.hotkeys_stop, "HOTKEYS", "STOP")
    _assert_sent(r, r.hotkeys_reset, "HOTKEYS", "RESET")
    _assert_sent(r, r.hotkeys_get, "HOTKEYS", "GET")
    _new_command(r, "HOTKEYS")


def test_newer_commands_asyncio_and_pipeline(r, server, protocol):
    async def main():
        a = aredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
        with pytest.raises(ResponseError) as e:
            await a.xackdel("s", "g", "1-0")
        assert str(e.value).rstrip() == _unknown_message("XACKDEL", "s", "g", "KEEPREF",
                                                         "IDS", "1", "1-0")
        with pytest.raises(ResponseError) as e:
            await a.lmovem("a", "b", count=1, ordering="OBO")
        assert "'LMOVEM'" in str(e.value)
        await a.aclose()

    asyncio.run(main())
    results = r.pipeline(transaction=False).sdiffcard(2, ["a", "b"]).ping().execute(
        raise_on_error=False)
    assert isinstance(results[0], ResponseError) and results[1] is True
    assert str(results[0]).rstrip() == _unknown_message("SDIFFCARD", "2", "a", "b", "LIMIT",
                                                        "0")


def test_arrays(r):
    from oxredis.client import (
        ArrayAggregateOperations,
        ArrayPredicateCombinator,
        ArrayPredicateType,
        _arinfo,
    )

    cases = [
        (lambda: r.arset("a", 3, "x", "y"), "ARSET", "a", "3", "x", "y"),
        (lambda: r.armset("a", {0: "x", 5: "z"}), "ARMSET", "a", "0", "x", "5", "z"),
        (lambda: r.arget("a", 2), "ARGET", "a", "2"),
        (lambda: r.armget("a", 1, 2), "ARMGET", "a", "1", "2"),
        (lambda: r.argetrange("a", 0, 9), "ARGETRANGE", "a", "0", "9"),
        (lambda: r.arscan("a", 0, 9, limit=4), "ARSCAN", "a", "0", "9", "LIMIT", "4"),
        (lambda: r.argrep("a", 0, -1, [(ArrayPredicateType.GLOB, "x*"),
                                       (ArrayPredicateType.EXACT, "y")],
                          combinator=ArrayPredicateCombinator.OR, limit=2, withvalues=True,
                          nocase=True),
         "ARGREP", "a", "0", "-1", "GLOB", "x*", "EXACT", "y", "OR", "LIMIT", "2",
         "WITHVALUES", "NOCASE"),
        (lambda: r.ardel("a", 1, 4), "ARDEL", "a", "1", "4"),
        (lambda: r.ardelrange("a", (0, 2), (5, 7)), "ARDELRANGE", "a", "0", "2", "5", "7"),
        (lambda: r.arcount("a"), "ARCOUNT", "a"),
        (lambda: r.arlen("a"), "ARLEN", "a"),
        (lambda: r.arinfo("a", full=True), "ARINFO", "a", "FULL"),
        (lambda: r.arnext("a"), "ARNEXT", "a"),
        (lambda: r.arseek("a", 7), "ARSEEK", "a", "7"),
        (lambda: r.arinsert("a", "p", "q"), "ARINSERT", "a", "p", "q"),
        (lambda: r.arring("a", 8, "p"), "ARRING", "a", "8", "p"),
        (lambda: r.arlastitems("a", 3, rev=True), "ARLASTITEMS", "a", "3", "REV"),
        (lambda: r.arop("a", 0, 9, ArrayAggregateOperations.SUM), "AROP", "a", "0", "9", "SUM"),
        (lambda: r.arop("a", 0, 9, ArrayAggregateOperations.MATCH, "x"), "AROP", "a", "0", "9",
         "MATCH", "x"),
    ]
    for call, name, *args in cases:
        _assert_sent(r, call, name, *args)
    # redis-py's parse_arinfo of a RESP2 reply.
    assert _arinfo([b"len", 3, b"count", 2]) == {"len": 3, "count": 2}
    _new_command(r, "ARSET")
