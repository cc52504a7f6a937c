"""redis-py's connection objects: ``ConnectionPool.get_connection()`` / ``release()``,
``Connection(host=, port=)``, ``UnixDomainSocketConnection(path=)``, with ``send_command``,
``send_packed_command``, ``pack_command``, ``read_response``, ``can_read``, ``check_health``,
``connect`` / ``disconnect``, on the core's connection (packing and parsing in Rust)."""

import time

import pytest

import oxredis
from oxredis.exceptions import ConnectionError, MaxConnectionsError, ResponseError, TimeoutError


def pool_of(server, protocol, **kw):
    return oxredis.ConnectionPool(host="127.0.0.1", port=server.port, protocol=protocol, **kw)


def test_get_connection_send_read_release(server, protocol):
    pool = pool_of(server, protocol, max_connections=1)
    conn = pool.get_connection()
    assert isinstance(conn, oxredis.Connection) and conn.is_connected
    assert (conn.host, conn.port, conn.get_protocol()) == ("127.0.0.1", server.port, protocol)
    assert "password" not in repr(conn) and repr(conn).startswith("<oxredis.connection.Connection(")
    conn.send_command("PING")
    assert conn.read_response() == b"PONG"
    conn.send_command("SET", "conn:k", "v")
    conn.send_command("GET", "conn:k")
    conn.send_command("RPUSH", "conn:l", "a", "b")
    assert [conn.read_response() for _ in range(3)] == [b"OK", b"v", 2]
    conn.send_command("HSET", "conn:h", "f", "v")
    assert conn.read_response() == 1
    conn.send_command("HGETALL", "conn:h")
    # The reply as the server sends it: RESP3's map a dict.
    assert conn.read_response() == ([b"f", b"v"] if protocol == 2 else {b"f": b"v"})
    conn.send_command("GET", "conn:missing")
    assert conn.read_response() is None
    conn.send_command("INCR", "conn:k")
    with pytest.raises(ResponseError, match="not an integer"):
        conn.read_response()
    # The one connection of the pool is taken: a client of the pool cannot have one.
    with pytest.raises(MaxConnectionsError):
        oxredis.Redis(connection_pool=pool).get("conn:k")
    conn.send_command("CLIENT", "ID")
    conn_id = conn.read_response()
    pool.release(conn)
    # CLIENT taints it (it may have changed the connection's state): closed, not reused.
    r = oxredis.Redis(connection_pool=pool)
    assert r.get("conn:k") == b"v"
    assert r.client_id() != conn_id
    conn = pool.get_connection()
    conn.send_command("GET", "conn:k")
    assert conn.read_response() == b"v"
    pool.release(conn)
    # Given back clean: reused by the pool's next user.
    conn = pool.get_connection()
    assert conn.is_connected
    pool.release(conn)
    r.delete("conn:k", "conn:l", "conn:h")


def test_decoding_and_encoding(server, protocol):
    pool = pool_of(server, protocol, decode_responses=True, encoding="latin-1")
    conn = pool.get_connection()
    conn.send_command("SET", "conn:é", "à")
    assert conn.read_response() == "OK"
    conn.send_command("GET", "conn:é")
    assert conn.read_response() == "à"
    conn.send_command("GET", "conn:é")
    assert conn.read_response(disable_decoding=True) == b"\xe0"
    assert conn.encoder.encoding == "iso8859-1" and conn.encoder.decode_responses is True
    assert conn.pack_command("SET", "é", 1) == [b"*3\r\n$3\r\nSET\r\n$1\r\n\xe9\r\n$1\r\n1\r\n"]
    conn.send_command("DEL", "conn:é")
    assert conn.read_response() == 1
    pool.release(conn)


def test_packed_commands_and_can_read(server, protocol):
    conn = oxredis.Connection(host="127.0.0.1", port=server.port, protocol=protocol)
    assert conn.is_connected is False
    conn.connect()
    assert conn.is_connected is True
    assert conn.can_read() is False
    assert conn.can_read(timeout=0.05) is False
    packed = conn.pack_commands([("SET", "conn:p", "1"), ("INCRBY", "conn:p", 5)])
    conn.send_packed_command(packed)
    assert conn.can_read(timeout=5) is True
    assert conn.read_response() == b"OK"
    assert conn.read_response() == 6
    conn.send_packed_command(conn.pack_command("GET", "conn:p"))
    conn.send_packed_command(b"*2\r\n$3\r\nDEL\r\n$6\r\nconn:p\r\n")
    assert conn.read_response() == b"6"
    assert conn.read_response() == 1
    assert conn.can_read() is False
    with pytest.raises(oxredis.DataError):
        conn.send_packed_command(b"*1\r\n$4\r\nPI")
    conn.disconnect()
    assert conn.is_connected is False
    # The next command connects again.
    conn.send_command("PING")
    assert conn.read_response() == b"PONG"


def test_killed_connection_and_health_check(server, protocol):
    admin = oxredis.Redis(host="127.0.0.1", port=server.port)
    conn = oxredis.Connection(host="127.0.0.1", port=server.port, protocol=protocol,
                              health_check_interval=0.01)
    conn.send_command("CLIENT", "ID")
    first = conn.read_response()
    assert admin.client_kill_filter(_id=first) == 1
    # can_read sees the close...
    with pytest.raises(ConnectionError):
        conn.can_read(timeout=5)
    # ...and the next command opens a new connection.
    conn.send_command("CLIENT", "ID")
    second = conn.read_response()
    assert second != first
    # An idle connection the server closed: the health check (PING) notices and reconnects
    # before the command is sent.
    assert admin.client_kill_filter(_id=second) == 1
    time.sleep(0.05)
    conn.send_command("CLIENT", "ID")
    assert conn.read_response() not in (first, second)


def test_timeout_on_read(server, protocol):
    admin = oxredis.Redis(host="127.0.0.1", port=server.port)
    conn = oxredis.Connection(host="127.0.0.1", port=server.port, protocol=protocol,
                              socket_timeout=0.1)
    conn.connect()
    assert admin.client_pause(300, all=True) is True
    conn.send_command("PING")
    with pytest.raises(TimeoutError):
        conn.read_response()
    assert conn.is_connected is False  # closed, as redis-py disconnects
    with pytest.raises(ConnectionError):
        conn.read_response()  # nothing to read from: not a new connection
    time.sleep(0.3)
    conn.send_command("PING")
    assert conn.read_response() == b"PONG"


def test_unix_socket_connection_and_connection_class(server, protocol):
    conn = oxredis.UnixDomainSocketConnection(path=server.unix_socket, db=5, protocol=protocol)
    assert repr(conn) == f"<oxredis.connection.UnixDomainSocketConnection(path={server.unix_socket},db=5)>"
    conn.send_command("SET", "conn:u", "unix")
    assert conn.read_response() == b"OK"
    pool = oxredis.ConnectionPool(connection_class=oxredis.UnixDomainSocketConnection,
                                  path=server.unix_socket, db=5, protocol=protocol)
    c = pool.get_connection()
    assert isinstance(c, oxredis.UnixDomainSocketConnection) and c.path == server.unix_socket
    c.send_command("GET", "conn:u")
    assert c.read_response() == b"unix"
    c.send_command("CLIENT", "INFO")
    assert b" db=5 " in c.read_response()
    pool.release(c)
    assert oxredis.Redis(connection_pool=pool).delete("conn:u") == 1


def test_blocking_pool_connection_waits(server, protocol):
    pool = oxredis.BlockingConnectionPool(host="127.0.0.1", port=server.port, protocol=protocol,
                                          max_connections=1, timeout=0.2)
    conn = pool.get_connection()
    started = time.monotonic()
    with pytest.raises(ConnectionError):
        pool.get_connection()
    assert time.monotonic() - started >= 0.15
    pool.release(conn)
    again = pool.get_connection()
    again.send_command("PING")
    assert again.read_response() == b"PONG"
    pool.release(again)


def test_asyncio_connection_objects(server, protocol):
    import asyncio

    import oxredis.asyncio as aredis

    async def main():
        pool = aredis.ConnectionPool(host="127.0.0.1", port=server.port, protocol=protocol,
                                     decode_responses=True, encoding="latin-1")
        conn = await pool.get_connection()
        assert isinstance(conn, aredis.Connection) and conn.is_connected
        await conn.send_command("SET", "conn:aé", "à")
        assert await conn.read_response() == "OK"
        await conn.send_command("GET", "conn:aé")
        assert await conn.read_response() == "à"
        await conn.send_command("GET", "conn:aé")
        assert await conn.read_response(disable_decoding=True) == b"\xe0"
        await conn.send_command("HSET", "conn:ah", "f", "v")
        assert await conn.read_response() == 1
        await conn.send_command("HGETALL", "conn:ah")
        assert await conn.read_response() == (["f", "v"] if protocol == 2 else {"f": "v"})
        await conn.send_command("INCR", "conn:aé")
        with pytest.raises(ResponseError):
            await conn.read_response()
        await conn.send_packed_command(conn.pack_commands([("DEL", "conn:aé"), ("PING",)]))
        assert [await conn.read_response(), await conn.read_response()] == [1, "PONG"]
        await pool.release(conn)
        assert not conn.is_connected
        # Directly, and a timeout on a read closes the connection.
        c = aredis.Connection(host="127.0.0.1", port=server.port, protocol=protocol,
                              socket_timeout=0.1)
        await c.connect()
        await c.send_command("BLPOP", "conn:nothing", 0)
        with pytest.raises(TimeoutError):
            await c.read_response()
        assert not c.is_connected
        with pytest.raises(ConnectionError):
            await c.read_response()
        await c.send_command("PING")
        assert await c.read_response(timeout=5) == b"PONG"
        await c.disconnect()
        u = aredis.UnixDomainSocketConnection(path=server.unix_socket, db=6, protocol=protocol)
        await u.send_command("CLIENT", "INFO")
        assert b" db=6 " in await u.read_response()
        await u.disconnect()
        upool = aredis.ConnectionPool(connection_class=aredis.UnixDomainSocketConnection,
                                      path=server.unix_socket, protocol=protocol)
        uc = await upool.get_connection()
        assert isinstance(uc, aredis.UnixDomainSocketConnection)
        await uc.send_command("PING")
        assert await uc.read_response() == b"PONG"
        await upool.release(uc)
        r = aredis.Redis(connection_pool=pool)
        assert await r.delete("conn:ah") == 1

    asyncio.run(main())
