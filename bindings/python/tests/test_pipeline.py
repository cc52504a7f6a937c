"""Pipelines: chained commands sent by one execute(), with and without MULTI/EXEC."""

import pytest

import oxredis


@pytest.mark.parametrize("transaction", [True, False])
def test_pipeline_values(r, transaction):
    pipe = r.pipeline(transaction=transaction)
    assert pipe.set("a", 1) is pipe
    pipe.incr("a").get("a").hset("h", mapping={"x": 1}).hgetall("h").sadd("s", "m")
    pipe.smembers("s").zadd("z", {"q": 1.5}).zrange("z", 0, -1, withscores=True)
    pipe.zscore("z", "q").expire("a", 10).info("keyspace").ping()
    assert len(pipe) == 13
    results = pipe.execute()
    info = results.pop(11)
    assert results == [
        True, 2, b"2", 1, {b"x": b"1"}, 1, {b"m"}, 1, [(b"q", 1.5)], 1.5, True, True,
    ]
    assert info["db0"]["keys"] == 4
    assert info["db0"]["expires"] == 1
    assert len(pipe) == 0
    assert pipe.execute() == []


def test_pipeline_of_many_commands(r):
    pipe = r.pipeline(transaction=False)
    for i in range(10_000):
        pipe.set(f"k{i}", i)
    assert pipe.execute() == [True] * 10_000
    assert r.dbsize() == 10_000
    assert r.get("k9999") == b"9999"
    pipe = r.pipeline()
    for i in range(1000):
        pipe.get(f"k{i}")
    assert pipe.execute() == [str(i).encode() for i in range(1000)]


@pytest.mark.parametrize("transaction", [True, False])
def test_pipeline_errors(r, transaction):
    r.set("str", "x")
    pipe = r.pipeline(transaction=transaction)
    pipe.set("a", 1).hget("str", "f").get("a")
    with pytest.raises(oxredis.ResponseError) as raised:
        pipe.execute()
    assert "WRONGTYPE" in str(raised.value)
    # every command ran, the error came after all replies were read
    assert r.get("a") == b"1"
    pipe.set("a", 2).hget("str", "f").get("a")
    results = pipe.execute(raise_on_error=False)
    assert results[0] is True
    assert isinstance(results[1], oxredis.ResponseError)
    assert str(results[1]) == "WRONGTYPE Operation against a key holding the wrong kind of value"
    assert results[2] == b"2"
    # the client is still usable afterwards
    assert r.ping() is True


def test_transaction_aborted_by_a_rejected_command(r):
    pipe = r.pipeline(transaction=True)
    pipe.set("a", 1).execute_command("SET", "only-a-key").get("a")
    with pytest.raises(oxredis.ResponseError) as raised:
        pipe.execute()
    assert isinstance(raised.value, oxredis.exceptions.ExecAbortError)
    assert "Transaction discarded" in str(raised.value)
    # The rejected command's error is its cause.
    cause = raised.value.__cause__
    assert type(cause) is oxredis.ResponseError
    assert "wrong number of arguments for 'set' command" in str(cause)
    # nothing was applied: EXEC was aborted
    assert r.get("a") is None


def test_pipeline_context_manager_and_reset(r):
    with r.pipeline() as pipe:
        pipe.set("a", 1)
        assert len(pipe) == 1
        pipe.reset()
        assert pipe.execute() == []
    assert r.get("a") is None


def test_queued_commands_are_listed_and_dropped_by_reset(r):
    pipe = r.pipeline(transaction=False)
    assert pipe.set("a", "x").get("a") is pipe
    # redis-py's (args, options) pairs; here each argument as the bytes that will be sent
    assert pipe.command_stack == [((b"SET", b"a", b"x"), {}), ((b"GET", b"a"), {})]
    pipe.reset()
    assert len(pipe) == 0 and pipe.command_stack == []
    assert pipe.execute() == []
    assert r.get("a") is None


@pytest.mark.parametrize("transaction", [True, False])
def test_an_argument_that_cannot_be_encoded_fails_execute_and_sends_nothing(r, transaction):
    pipe = r.pipeline(transaction=transaction)
    # as redis-py: queueing does not encode, execute() raises DataError
    assert pipe.set("a", 1).set("b", None).set("c", 3) is pipe
    assert len(pipe) == 3
    with pytest.raises(oxredis.DataError, match="NoneType"):
        pipe.execute()
    assert len(pipe) == 0
    assert r.get("a") is None and r.get("c") is None
    # the pipeline is usable again, and the bad argument is forgotten
    assert pipe.set("a", 1).execute() == [True]


def test_watched_pipeline_runs_commands_at_once_until_multi(r):
    r.set("a", 5)
    with r.pipeline() as pipe:
        pipe.watch("a")
        # before multi(): run at once, the reply returned (nothing queued)
        assert pipe.get("a") == b"5"
        assert len(pipe) == 0
        pipe.multi()
        assert pipe.set("a", 6) is pipe
        assert pipe.get("a") is pipe
        assert len(pipe) == 2
        assert pipe.execute() == [True, b"6"]
        # after execute() the pipeline queues again
        assert pipe.get("a") is pipe
        assert pipe.execute() == [b"6"]
