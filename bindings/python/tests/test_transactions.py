"""WATCH/MULTI/EXEC and Redis.transaction, as redis-py's docs show them."""

import pytest

import oxredis
from oxredis.exceptions import WatchError


def test_watch_loop_from_the_docs(r):
    r.set("OUR-SEQUENCE-KEY", 41)
    with r.pipeline() as pipe:
        while True:
            try:
                pipe.watch("OUR-SEQUENCE-KEY")
                assert pipe.watching
                current_value = pipe.get("OUR-SEQUENCE-KEY")  # runs at once
                assert current_value == b"41"
                next_value = int(current_value) + 1
                pipe.multi()
                pipe.set("OUR-SEQUENCE-KEY", next_value)
                assert pipe.execute() == [True]
                break
            except WatchError:
                continue
    assert r.get("OUR-SEQUENCE-KEY") == b"42"


def test_watch_error_when_a_watched_key_changes(r, server, protocol):
    other = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
    r.set("w", 1)
    pipe = r.pipeline()
    pipe.watch("w")
    assert pipe.get("w") == b"1"
    other.set("w", 2)  # another client changes the key
    pipe.multi()
    pipe.set("w", 3)
    with pytest.raises(WatchError):
        pipe.execute()
    assert r.get("w") == b"2"
    assert not pipe.watching
    # the pipeline is usable again
    assert pipe.set("w", 4).execute() == [True]
    assert r.get("w") == b"4"


def test_transaction_helper_retries_on_watch_error(r, server, protocol):
    other = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
    r.set("OUR-SEQUENCE-KEY", 1)
    calls = []

    def client_side_incr(pipe):
        current_value = pipe.get("OUR-SEQUENCE-KEY")
        calls.append(current_value)
        if len(calls) == 1:
            other.incr("OUR-SEQUENCE-KEY")  # conflict on the first attempt only
        next_value = int(current_value) + 1
        pipe.multi()
        pipe.set("OUR-SEQUENCE-KEY", next_value)

    assert r.transaction(client_side_incr, "OUR-SEQUENCE-KEY") == [True]
    assert calls == [b"1", b"2"]
    assert r.get("OUR-SEQUENCE-KEY") == b"3"


def test_transaction_value_from_callable(r):
    r.set("a", 10)

    def double(pipe):
        value = int(pipe.get("a"))
        pipe.multi()
        pipe.set("a", value * 2)
        return value

    assert r.transaction(double, "a", value_from_callable=True) == 10
    assert r.get("a") == b"20"


def test_multi_rules(r):
    pipe = r.pipeline()
    pipe.multi()
    with pytest.raises(oxredis.RedisError, match="nested"):
        pipe.multi()
    with pytest.raises(oxredis.RedisError, match="WATCH after a MULTI"):
        pipe.watch("a")
    pipe.set("a", 1).get("a")
    assert pipe.execute() == [True, b"1"]


def test_reset_releases_the_watch(r, server, protocol):
    other = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
    pipe = r.pipeline()
    pipe.watch("k")
    pipe.reset()
    assert not pipe.watching
    other.set("k", 1)
    # no longer watching: a plain transaction is not aborted by the earlier change
    assert pipe.set("k", 2).execute() == [True]
    assert r.get("k") == b"2"
