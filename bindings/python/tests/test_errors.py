"""Exceptions: redis-py's names and hierarchy, raised where redis-py raises them."""

import pytest

import oxredis
from oxredis import exceptions as ex


def test_hierarchy_is_redis_pys():
    assert issubclass(ex.ConnectionError, ex.RedisError)
    assert issubclass(ex.TimeoutError, ex.RedisError)
    assert not issubclass(ex.TimeoutError, ex.ConnectionError)
    assert issubclass(ex.AuthenticationError, ex.ConnectionError)
    assert issubclass(ex.BusyLoadingError, ex.ConnectionError)
    assert issubclass(ex.ResponseError, ex.RedisError)
    assert issubclass(ex.DataError, ex.RedisError)
    assert issubclass(ex.WatchError, ex.RedisError)
    for cls in (ex.NoScriptError, ex.ExecAbortError, ex.ReadOnlyError, ex.OutOfMemoryError,
                ex.NoPermissionError, ex.ModuleError):
        assert issubclass(cls, ex.ResponseError), cls
    assert issubclass(ex.LockError, ex.RedisError) and issubclass(ex.LockError, ValueError)
    assert issubclass(ex.LockNotOwnedError, ex.LockError)
    assert issubclass(ex.MovedError, ex.AskError)
    assert issubclass(ex.ClusterDownError, ex.ClusterError)
    assert issubclass(ex.ClusterDownError, ex.ResponseError)
    assert oxredis.ConnectionError is ex.ConnectionError
    assert oxredis.RedisError is ex.RedisError


def test_response_errors(r):
    r.set("str", "x")
    with pytest.raises(ex.ResponseError) as raised:
        r.hget("str", "f")
    assert str(raised.value) == "WRONGTYPE Operation against a key holding the wrong kind of value"
    with pytest.raises(ex.ResponseError) as raised:
        r.execute_command("NOSUCHCOMMAND")
    # the ERR code is dropped, as redis-py does
    assert str(raised.value).startswith("unknown command 'NOSUCHCOMMAND'")
    with pytest.raises(ex.NoScriptError) as raised:
        r.execute_command("EVALSHA", "0" * 40, 0)
    # Redis 7.0 adds " Please use EVAL.", Valkey 9 does not; the code itself is dropped
    assert str(raised.value).startswith("No matching script.")
    with pytest.raises(ex.ResponseError):
        r.incr("str")
    assert r.ping() is True


def test_data_errors(r):
    for bad in (True, None, [1], {"a": 1}):
        with pytest.raises(ex.DataError, match="Invalid input of type"):
            r.set("k", bad)
    with pytest.raises(ex.DataError):
        r.set("k", 1, nx=True, xx=True)
    with pytest.raises(ex.DataError):
        r.zadd("z", {})
    assert r.get("k") is None


def test_connection_refused(protocol):
    with socket_closed_port() as port:
        client = oxredis.Redis(host="127.0.0.1", port=port, protocol=protocol,
                               socket_connect_timeout=1)
        with pytest.raises(ex.ConnectionError):
            client.ping()


def test_timeout(server, protocol):
    client = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol,
                           socket_timeout=0.2)
    with pytest.raises(ex.TimeoutError):
        client.execute_command("DEBUG", "SLEEP", "1")
    # a timed-out connection is not reused: the next command gets a fresh one
    assert client.ping() is True


def test_authentication_error(server, protocol):
    admin = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
    assert admin.execute_command("ACL", "SETUSER", "oxpy", "on", ">secret", "~*", "+@all") == b"OK"
    good = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol,
                         username="oxpy", password="secret")
    assert good.execute_command("ACL", "WHOAMI") == b"oxpy"
    bad = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol,
                        username="oxpy", password="hunter2-not-it")
    with pytest.raises(ex.AuthenticationError) as raised:
        bad.ping()
    # the password never appears in the error
    assert "hunter2" not in str(raised.value) and "hunter2" not in repr(raised.value)
    assert isinstance(raised.value, ex.ConnectionError)


def test_not_implemented_names_are_importable(r):
    import oxredis.asyncio
    import oxredis.cluster
    import oxredis.sentinel

    # Implemented since: the sentinel-managed connections (tests/test_sentinel.py) and a
    # connection object, not connected until used.
    assert oxredis.SentinelManagedConnection is oxredis.sentinel.SentinelManagedConnection
    assert oxredis.Connection(port=1).is_connected is False


class socket_closed_port:
    """A port nothing listens on."""

    def __enter__(self):
        import socket

        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        return self.port

    def __exit__(self, *exc):
        return False
