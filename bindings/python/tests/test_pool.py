"""``ConnectionPool`` / ``BlockingConnectionPool`` with redis-py's keywords, shared by several
clients, and their exhaustion behaviour (fail at once vs wait ``timeout``)."""

import time

import pytest

import oxredis
from oxredis.exceptions import ConnectionError, MaxConnectionsError


def test_pool_shared_by_clients(server, protocol):
    pool = oxredis.ConnectionPool(host="127.0.0.1", port=server.port, db=4, protocol=protocol,
                                  decode_responses=True)
    a = oxredis.Redis(connection_pool=pool)
    b = oxredis.Redis(connection_pool=pool)
    a.flushdb()
    assert a.set("k", "v") is True
    assert b.get("k") == "v"
    assert a.connection_pool is pool and b.connection_pool is pool
    assert pool.connection_kwargs["db"] == 4 and pool.get_protocol() == protocol
    assert pool.max_connections == 2**31
    # Another db: the key is not there.
    assert oxredis.Redis(port=server.port, db=0, protocol=protocol).exists("k") == 0
    conn = pool.get_connection()
    conn.send_command("GET", "k")
    assert conn.read_response() == "v"
    pool.release(conn)
    a.flushdb()


def test_pool_from_url(server, protocol):
    pool = oxredis.ConnectionPool.from_url(f"redis://127.0.0.1:{server.port}/6",
                                           protocol=protocol)
    r = oxredis.Redis(connection_pool=pool)
    r.set("u", 1)
    assert oxredis.Redis(port=server.port, db=6, protocol=protocol).get("u") == b"1"
    r.flushdb()
    bpool = oxredis.BlockingConnectionPool.from_url(f"redis://127.0.0.1:{server.port}/6",
                                                    max_connections=3, timeout=5)
    assert isinstance(bpool, oxredis.BlockingConnectionPool)
    assert bpool.max_connections == 3 and bpool.timeout == 5
    assert oxredis.Redis(connection_pool=bpool).ping() is True


def test_connection_pool_raises_at_once_when_exhausted(server, protocol):
    pool = oxredis.ConnectionPool(host="127.0.0.1", port=server.port, max_connections=1,
                                  protocol=protocol)
    r = oxredis.Redis(connection_pool=pool)
    pipe = r.pipeline()
    pipe.watch("w")  # holds the only connection
    start = time.monotonic()
    with pytest.raises(MaxConnectionsError):
        r.get("w")
    assert time.monotonic() - start < 0.5
    pipe.reset()  # gives it back
    assert r.get("w") is None


def test_blocking_pool_waits_timeout_then_raises(server, protocol):
    pool = oxredis.BlockingConnectionPool(host="127.0.0.1", port=server.port,
                                          max_connections=1, timeout=0.3, protocol=protocol)
    r = oxredis.Redis(connection_pool=pool)
    pipe = r.pipeline()
    pipe.watch("w")
    start = time.monotonic()
    with pytest.raises(ConnectionError):
        r.get("w")
    waited = time.monotonic() - start
    assert 0.25 <= waited < 2.0
    pipe.reset()
    assert r.get("w") is None


def test_blocking_pool_hands_over_a_returned_connection(server, protocol):
    import threading

    pool = oxredis.BlockingConnectionPool(host="127.0.0.1", port=server.port,
                                          max_connections=1, timeout=5, protocol=protocol)
    r = oxredis.Redis(connection_pool=pool)
    r.set("w", "x")
    pipe = r.pipeline()
    pipe.watch("w")
    threading.Timer(0.2, pipe.reset).start()
    start = time.monotonic()
    assert r.get("w") == b"x"  # waited for the watch to give the connection back
    assert 0.15 <= time.monotonic() - start < 4.0
    r.delete("w")


def test_redis_max_connections_keyword(server, protocol):
    r = oxredis.Redis(port=server.port, max_connections=1, protocol=protocol)
    assert r.connection_pool.max_connections == 1
    pipe = r.pipeline()
    pipe.watch("w")
    with pytest.raises(MaxConnectionsError):
        r.get("w")
    pipe.reset()
    with pytest.raises(ValueError):
        oxredis.ConnectionPool(max_connections=-1)
