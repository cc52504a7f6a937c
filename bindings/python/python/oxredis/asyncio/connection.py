"""``oxredis.asyncio.connection``: redis-py's asyncio connection objects and pools.

``Connection`` / ``UnixDomainSocketConnection`` / ``SSLConnection`` are dedicated connections
of the async client (``_native.AsyncConn``: the socket, handshake, packing and reply parsing
in Rust); ``ConnectionPool.get_connection()`` / ``release()`` are awaitable, as redis-py's
asyncio pool's. The pool's clients (``Redis(connection_pool=pool)``) still share their one
multiplexed connection.
"""

from __future__ import annotations

from typing import Any, Optional

from .. import _native
from .. import connection as _sync
from ..exceptions import ConnectionError, TimeoutError
from .client import _future


class AbstractConnection:
    """redis-py's asyncio connection: ``await connect()``, ``await send_command(...)``,
    ``await read_response()``, ``await disconnect()``; made by ``await
    pool.get_connection()`` or directly with the client's keywords."""

    def __init__(self, **kwargs: Any):
        kwargs = {k: v for k, v in kwargs.items() if k not in _sync._IGNORED}
        native = _sync._make_native(None, frozenset(), dict(kwargs), True, None)
        self._setup(native.asynchronous(), native, kwargs)

    @classmethod
    def _from_pool(cls, pool) -> "AbstractConnection":
        conn = cls.__new__(cls)
        conn._setup(pool._asynchronous(), pool._native, pool.connection_kwargs)
        return conn

    def _setup(self, client, native, kwargs: dict) -> None:
        self._conn = client.connection()
        self.db = kwargs.get("db", 0) or 0
        self.username = kwargs.get("username")
        self.password = kwargs.get("password")
        self.client_name = kwargs.get("client_name")
        self.socket_timeout = kwargs.get("socket_timeout")
        self.health_check_interval = kwargs.get("health_check_interval") or 0
        self.protocol = native.protocol
        self.encoder = _sync.Encoder(native.encoding, native.encoding_errors,
                                     native.decode_responses)

    def repr_pieces(self) -> list:
        """What ``repr`` shows (never the password)."""
        pieces = [("db", self.db)]
        if self.client_name:
            pieces.append(("client_name", self.client_name))
        return pieces

    def __repr__(self) -> str:
        args = ",".join(f"{k}={v}" for k, v in self.repr_pieces())
        return f"<{type(self).__module__}.{type(self).__name__}({args})>"

    @property
    def is_connected(self) -> bool:
        """Whether the connection is open."""
        return bool(self._conn.is_connected)

    def get_protocol(self) -> int:
        """The RESP version spoken: 2 or 3."""
        return self.protocol

    async def connect(self) -> None:
        """Connects (with the handshake) unless connected."""
        fut, c = _future()
        self._conn.connect(fut, c)
        await fut

    async def disconnect(self, nowait: bool = False) -> None:
        """Closes the connection (the next command opens another)."""
        fut, c = _future()
        self._conn.disconnect(fut, c)
        await fut

    async def check_health(self) -> None:
        """A PING when ``health_check_interval`` is set, reconnecting once if it fails."""
        if not self.health_check_interval or not self.is_connected:
            return
        try:
            await self._ping()
        except (ConnectionError, TimeoutError):
            await self.disconnect()
            await self._ping()

    async def _ping(self) -> None:
        await self.send_command("PING", check_health=False)
        reply = await self.read_response()
        if (reply.decode() if isinstance(reply, bytes) else reply) != "PONG":
            raise ConnectionError("Bad response from PING health check")

    async def send_command(self, *args: Any, **kwargs: Any) -> None:
        """Packs and writes one command (``args[0]`` its name)."""
        fut, c = _future()
        self._conn.send(args, fut, c)
        await fut

    async def send_packed_command(self, command, check_health: bool = True) -> None:
        """Writes commands packed by ``pack_command`` / ``pack_commands``."""
        if isinstance(command, (bytes, bytearray, memoryview, str)):
            command = [command]
        data = b"".join(x.encode() if isinstance(x, str) else bytes(x) for x in command)
        fut, c = _future()
        self._conn.send_packed(data, fut, c)
        await fut

    def pack_command(self, *args: Any) -> list:
        """The command as the bytes sent for it (one chunk, as a list)."""
        return [_native.pack_command(args, self.encoder.encoding, self.encoder.encoding_errors)]

    def pack_commands(self, commands) -> list:
        """Several commands packed together."""
        return [b"".join(self.pack_command(*args)[0] for args in commands)]

    async def read_response(self, disable_decoding: bool = False,
                            timeout: Optional[float] = None, *,
                            disconnect_on_error: bool = True, push_request: bool = False):
        """The next reply within ``timeout`` (default: the socket timeout); an error reply is
        raised. A timeout or connection error closes the connection."""
        fut, c = _future()
        self._conn.read(fut, c, disable_decoding, timeout)
        return await fut


class Connection(AbstractConnection):
    """redis-py's asyncio ``Connection(host="localhost", port=6379, ...)``."""

    def __init__(self, *, host: str = "localhost", port=6379, **kwargs: Any):
        super().__init__(host=host, port=port, **kwargs)

    def _setup(self, client, native, kwargs: dict) -> None:
        super()._setup(client, native, kwargs)
        self.host = kwargs.get("host", "localhost")
        self.port = int(kwargs.get("port", 6379))

    def repr_pieces(self) -> list:
        return [("host", self.host), ("port", self.port)] + super().repr_pieces()


class SSLConnection(Connection):
    """redis-py's asyncio ``SSLConnection``: TLS, with the ``ssl_*`` keywords."""

    def __init__(self, **kwargs: Any):
        super().__init__(ssl=True, **kwargs)


class UnixDomainSocketConnection(AbstractConnection):
    """redis-py's asyncio ``UnixDomainSocketConnection(path=...)``."""

    def __init__(self, *, path: str = "", **kwargs: Any):
        super().__init__(path=path, **kwargs)

    def _setup(self, client, native, kwargs: dict) -> None:
        super()._setup(client, native, kwargs)
        self.path = kwargs.get("path") or kwargs.get("unix_socket_path") or ""

    def repr_pieces(self) -> list:
        return [("path", self.path)] + super().repr_pieces()


def _sync_class(connection_class):
    """The blocking class with the same transport as ``connection_class`` (the pool's
    settings come from it: TLS for an ``SSLConnection``)."""
    if isinstance(connection_class, type) and issubclass(connection_class, AbstractConnection):
        if issubclass(connection_class, SSLConnection):
            return _sync.SSLConnection
        if issubclass(connection_class, UnixDomainSocketConnection):
            return _sync.UnixDomainSocketConnection
        return _sync.Connection
    return connection_class


def _async_class(connection_class):
    """The asyncio class for a pool's ``connection_class`` (a blocking one is mapped)."""
    if isinstance(connection_class, type) and issubclass(connection_class, AbstractConnection):
        return connection_class
    if connection_class is _sync.UnixDomainSocketConnection:
        return UnixDomainSocketConnection
    if connection_class is _sync.SSLConnection:
        return SSLConnection
    return Connection


class ConnectionPool(_sync.ConnectionPool):
    """redis-py's asyncio ``ConnectionPool``: the blocking one's settings, with awaitable
    ``get_connection()`` / ``release()`` (each connection taken is a dedicated one of the async
    client)."""

    def __init__(self, connection_class=None, max_connections: Optional[int] = None, **kw: Any):
        super().__init__(connection_class=_sync_class(connection_class),
                         max_connections=max_connections, **kw)
        self.connection_class = _async_class(connection_class)

    def make_connection(self) -> AbstractConnection:
        """A new ``connection_class`` object on this pool, not connected yet."""
        return self.connection_class._from_pool(self)

    async def get_connection(self, command_name=None, *keys, **options) -> AbstractConnection:
        """A dedicated connection, connected."""
        conn = self.make_connection()
        await conn.connect()
        return conn

    async def release(self, connection: AbstractConnection) -> None:
        """Closes ``connection`` (a dedicated connection is not kept)."""
        await connection.disconnect()


class BlockingConnectionPool(ConnectionPool, _sync.BlockingConnectionPool):
    """redis-py's asyncio ``BlockingConnectionPool(max_connections=50, timeout=20)``."""

    def __init__(self, max_connections: int = 50, timeout: Optional[float] = 20,
                 connection_class=None, queue_class=None, **connection_kwargs: Any):
        _sync.BlockingConnectionPool.__init__(
            self, max_connections=max_connections, timeout=timeout,
            connection_class=_sync_class(connection_class), **connection_kwargs)
        self.connection_class = _async_class(connection_class)


__all__ = ["AbstractConnection", "BlockingConnectionPool", "Connection", "ConnectionPool",
           "SSLConnection", "UnixDomainSocketConnection"]
