"""redis-py's ``Retry`` and backoff strategies: the waits (computed by the core) and a client's
retry policy taken from ``retry=``."""

import socket
import threading
import time

import pytest

import oxredis
from oxredis.backoff import (
    DEFAULT_BASE, DEFAULT_CAP, ConstantBackoff, DecorrelatedJitterBackoff, EqualJitterBackoff,
    ExponentialBackoff, ExponentialWithJitterBackoff, FullJitterBackoff, NoBackoff,
    default_backoff,
)
from oxredis.exceptions import BusyLoadingError, ConnectionError, ReadOnlyError, TimeoutError
from oxredis.retry import Retry


def test_backoff_waits():
    assert NoBackoff().compute(5) == 0
    assert ConstantBackoff(0.25).compute(1) == 0.25
    assert ConstantBackoff(0.25).compute(9) == 0.25
    exp = ExponentialBackoff(cap=1.0, base=0.1)
    assert [round(exp.compute(f), 6) for f in (0, 1, 2, 3, 4)] == [0.1, 0.2, 0.4, 0.8, 1.0]
    for _ in range(200):
        for failures in (1, 2, 3):
            full = 0.1 * 2 ** failures
            assert 0 <= FullJitterBackoff(cap=10, base=0.1).compute(failures) <= full
            assert full / 2 <= EqualJitterBackoff(cap=10, base=0.1).compute(failures) <= full
            assert 0.1 <= DecorrelatedJitterBackoff(cap=0.5, base=0.1).compute(failures) <= 0.5
            assert 0 <= ExponentialWithJitterBackoff(cap=0.5, base=0.1).compute(failures) <= 0.5
    assert (DEFAULT_CAP, DEFAULT_BASE) == (0.512, 0.008)
    assert default_backoff() == EqualJitterBackoff(cap=0.512, base=0.008)
    assert ExponentialBackoff(1, 0.1) != ExponentialBackoff(1, 0.2)


def test_retry_object():
    r = Retry(NoBackoff(), 3)
    assert r.get_retries() == 3
    r.update_retries(5)
    assert r.get_retries() == 5
    assert r._spec() == ("none", 0.0, 0.0, 5, ["busy_loading", "connection", "timeout"])
    r.update_supported_errors([ReadOnlyError])
    assert "read_only" in r._spec()[4]
    assert Retry(NoBackoff(), 1) == Retry(NoBackoff(), 1)
    # call_with_retry: two supported failures, then success
    calls, failed = [], []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("down")
        return "ok"

    assert Retry(NoBackoff(), 2).call_with_retry(flaky, failed.append) == "ok"
    assert len(calls) == 3 and len(failed) == 2
    calls.clear()
    with pytest.raises(ConnectionError):
        Retry(NoBackoff(), 1).call_with_retry(flaky, lambda e: None)
    assert len(calls) == 2
    with pytest.raises(KeyError):  # not a supported error: not retried
        Retry(NoBackoff(), 5).call_with_retry(lambda: {}["x"], lambda e: None)
    assert TimeoutError in Retry(NoBackoff(), 1)._supported_errors
    assert socket.timeout in Retry(NoBackoff(), 1)._supported_errors
    assert BusyLoadingError.__mro__[1] is ConnectionError


def _in_thread(call):
    """Runs ``call()`` in a thread; its value or error lands in the returned dict."""
    outcome = {}

    def run():
        try:
            outcome["value"] = call()
        except Exception as e:  # noqa: BLE001 - the test inspects it
            outcome["error"] = e

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _kill_while_running(server, command: str) -> int:
    """Closes (CLIENT KILL) the connection blocked in ``command``, once it shows."""
    admin = oxredis.Redis(host="127.0.0.1", port=server.port)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for c in admin.client_list():
            # flag b: blocked in the command now (cmd alone is only the last one run)
            if c["cmd"] == command and "b" in c["flags"]:
                return admin.client_kill_filter(_id=c["id"])
        time.sleep(0.01)
    return 0


def test_a_clients_retry_policy_is_the_one_given(server, protocol):
    # A read (XREAD BLOCK) whose connection the server closes while it runs: the default
    # policy (redis-py 6+: three retries) sends it again, which blocks again and times out
    # empty; with retries=0 the error reaches the caller.
    never = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol,
                          retry=Retry(NoBackoff(), 0))
    thread, outcome = _in_thread(lambda: never.xread({"retry-stream": "$"}, block=2000))
    assert _kill_while_running(server, "xread") == 1
    thread.join(10)
    assert isinstance(outcome.get("error"), ConnectionError), outcome
    assert never.ping() is True  # the broken connection was dropped

    default = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
    thread, outcome = _in_thread(lambda: default.xread({"retry-stream": "$"}, block=1000))
    assert _kill_while_running(server, "xread") == 1
    thread.join(10)
    assert "error" not in outcome, outcome
    assert outcome["value"] in ([], {}), outcome  # blocked again, then timed out empty


def test_the_asyncio_client_takes_the_same_policy(server, protocol):
    import asyncio

    import oxredis.asyncio as aredis

    async def xread_while_killed(**kw):
        r = aredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol, **kw)
        killer = threading.Thread(target=_kill_while_running, args=(server, "xread"))
        killer.start()
        try:
            return await r.xread({"retry-stream": "$"}, block=1000)
        finally:
            killer.join()

    with pytest.raises(ConnectionError):
        asyncio.run(xread_while_killed(retry=Retry(NoBackoff(), 0)))
    assert asyncio.run(xread_while_killed()) in ([], {})


# --- retry_on_timeout / retry_on_error ----------------------------------------------------------

def _pause(server, ms):
    """Holds every client's commands for ``ms`` milliseconds (CLIENT PAUSE ... ALL)."""
    admin = oxredis.Redis(host="127.0.0.1", port=server.port)
    assert admin.client_pause(ms, all=True) is True
    admin.close()


def test_retry_switches_make_the_policy():
    from oxredis.connection import _retry_policy

    assert _retry_policy(None, False, None) == (None, False)
    assert _retry_policy(Retry(NoBackoff(), 2), False, []) == (
        ("none", 0.0, 0.0, 2, ["busy_loading", "connection", "timeout"]), False)
    # retry_on_timeout: TimeoutError added (already a default supported error) and reads that
    # timed out after sending are sent again; the default policy when no retry= is given.
    spec, reads = _retry_policy(None, True, None)
    assert spec == ("exponential_with_jitter", 1.0, 0.01, 3,
                    ["busy_loading", "connection", "timeout"]) and reads is True
    only_conn = Retry(NoBackoff(), 4, supported_errors=(ConnectionError,))
    assert _retry_policy(only_conn, False, [TimeoutError]) == (
        ("none", 0.0, 0.0, 4, ["busy_loading", "connection", "timeout"]), True)
    assert only_conn._supported_errors == (ConnectionError,)  # copied, not changed
    assert _retry_policy(only_conn, False, [ReadOnlyError]) == (
        ("none", 0.0, 0.0, 4, ["busy_loading", "connection", "read_only"]), False)
    nothing = Retry(NoBackoff(), 1, supported_errors=())
    assert _retry_policy(nothing, False, [ConnectionError]) == (
        ("none", 0.0, 0.0, 1, ["busy_loading", "connection"]), False)
    assert _retry_policy(nothing, False, [oxredis.RedisError])[1] is True


def test_retry_on_timeout_sends_a_timed_out_read_again(server, protocol):
    with pytest.warns(DeprecationWarning, match="retry_on_timeout"):
        r = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol,
                          socket_timeout=0.1, retry_on_timeout=True,
                          retry=Retry(ConstantBackoff(0.02), 20))
    assert r.get_connection_kwargs()["retry_on_timeout"] is True
    assert r.set("rt:k", "v") is True and r.set("rt:n", 0) is True
    _pause(server, 400)
    started = time.monotonic()
    assert r.get("rt:k") == b"v"  # timed out, sent again until the pause ended
    assert time.monotonic() - started >= 0.2
    # A write whose reply timed out is not sent again (a retry would have waited out the
    # pause and returned 1): TimeoutError. The server drops the paused command of the closed
    # connection or runs it once, never twice.
    _pause(server, 400)
    with pytest.raises(TimeoutError):
        r.incr("rt:n")
    time.sleep(0.5)
    assert r.get("rt:n") in (b"0", b"1")
    # Without the switch a read's timeout after sending is reported.
    plain = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol,
                          socket_timeout=0.1, retry=Retry(ConstantBackoff(0.02), 20))
    assert plain.ping() is True
    _pause(server, 300)
    with pytest.raises(TimeoutError):
        plain.get("rt:k")
    time.sleep(0.4)
    r.delete("rt:k", "rt:n")


def test_retry_on_error_adds_the_errors(server, protocol):
    # The Retry retries connection errors only; retry_on_error adds timeouts.
    r = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol,
                      socket_timeout=0.1, retry_on_error=[TimeoutError],
                      retry=Retry(ConstantBackoff(0.02), 20, supported_errors=(ConnectionError,)))
    assert r.set("rt:e", "v") is True
    _pause(server, 300)
    assert r.get("rt:e") == b"v"
    # A Retry that retries nothing, with retry_on_error=[ConnectionError]: a read whose
    # connection the server closed is sent again on a new one (CLIENT KILL).
    v = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol, max_connections=1,
                      retry=Retry(NoBackoff(), 2, supported_errors=()),
                      retry_on_error=[ConnectionError])
    admin = oxredis.Redis(host="127.0.0.1", port=server.port)
    for _ in range(10):
        assert admin.client_kill_filter(_id=v.client_id()) == 1
        assert v.get("rt:e") == b"v"
    r.delete("rt:e")


def test_retry_on_timeout_asyncio(server, protocol):
    import asyncio

    import oxredis.asyncio as aredis

    async def main():
        with pytest.warns(DeprecationWarning):
            r = aredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol,
                             socket_timeout=0.1, retry_on_timeout=True,
                             retry=Retry(ConstantBackoff(0.02), 20))
        assert await r.set("rt:a", "v") is True
        assert await r.set("rt:an", 0) is True
        _pause(server, 400)
        assert await r.get("rt:a") == b"v"
        _pause(server, 400)
        with pytest.raises(TimeoutError):
            await r.incr("rt:an")
        await asyncio.sleep(0.5)
        assert await r.get("rt:an") in (b"0", b"1")
        plain = aredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol,
                             socket_timeout=0.1, retry=Retry(ConstantBackoff(0.02), 20))
        assert await plain.ping() is True
        _pause(server, 300)
        with pytest.raises(TimeoutError):
            await plain.get("rt:a")
        await asyncio.sleep(0.4)
        await r.delete("rt:a", "rt:an")
        await r.aclose()
        await plain.aclose()

    asyncio.run(main())
