"""``ConnectionPool`` and ``BlockingConnectionPool`` with redis-py's constructor keywords.

The pool itself is oxredis's Rust pool (``_native.Client``); these classes hold its settings,
so that several ``Redis(connection_pool=pool)`` share one set of connections, as in redis-py.
Connections are opened lazily and managed in Rust; ``get_connection()`` takes one out as a
redis-py ``Connection`` object (``send_command`` / ``read_response`` on the core's connection).
"""

from __future__ import annotations

import codecs
import copy
import os
import socket
import time
import urllib.parse
from typing import Any, Optional

from . import _native
from .backoff import ExponentialWithJitterBackoff
from .exceptions import ConnectionError, TimeoutError
from .retry import Retry

# The protocol spoken when none is given, as redis-py 8 (`protocol=None`): RESP3 on the wire;
# the replies' Python values are RESP2's on both protocols.
DEFAULT_PROTOCOL = 3

# redis-py keywords that oxredis accepts and ignores (no effect on the Rust client).
_IGNORED = {
    "socket_keepalive_options", "lib_name", "lib_version", "single_connection_client",
    "queue_class", "socket_type", "redis_connect_func", "credential_provider", "cache_factory",
    "event_dispatcher", "driver_info",
}


# redis-py's TLS keywords; the core reads them as the same-named query options of a rediss://
# URL (`ConnectionConfig::from_url`), so their rules live in one place.
_SSL_OPTIONS = (
    "ssl_keyfile", "ssl_certfile", "ssl_cert_reqs", "ssl_ca_certs", "ssl_ca_path",
    "ssl_ca_data", "ssl_check_hostname", "ssl_min_version", "ssl_password", "ssl_ciphers",
)

# `ssl.CERT_NONE`, `CERT_OPTIONAL`, `CERT_REQUIRED` by value.
_CERT_REQS = {0: "none", 1: "optional", 2: "required"}


def _ssl_query_value(key: str, value) -> str:
    """A TLS keyword's value as the URL option's text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if key == "ssl_cert_reqs" and isinstance(value, int):
        return _CERT_REQS.get(int(value), str(value))
    if key == "ssl_min_version" and hasattr(value, "name"):  # ssl.TLSVersion.TLSv1_3
        return value.name
    if isinstance(value, bytes):
        return value.decode()
    return str(value)


def _tls_url(url: Optional[str], kw: dict) -> Optional[str]:
    """For ``ssl=True`` or a ``rediss://`` URL: the ``rediss://`` URL carrying the ``ssl_*``
    keywords as query options (keywords win over the URL's own); else ``url`` unchanged."""
    ssl = kw.pop("ssl", False)
    options = {k: kw.pop(k) for k in _SSL_OPTIONS if k in kw}
    options = {k: v for k, v in options.items() if v is not None}
    if not ssl and not (url or "").startswith("rediss://"):
        return url
    if url is None:
        host = kw.get("host", "localhost")
        host = f"[{host}]" if ":" in host else host
        url = f"rediss://{host}:{int(kw.get('port', 6379))}/"
    parts = urllib.parse.urlsplit(url)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k not in options]
    query += [(k, _ssl_query_value(k, v)) for k, v in options.items()]
    return urllib.parse.urlunsplit(
        ("rediss", parts.netloc, parts.path, urllib.parse.urlencode(query), parts.fragment))


def _retry_policy(retry, retry_on_timeout, retry_on_error) -> tuple:
    """The core's retry policy (``Retry._spec()``, ``None`` for the core's default) and whether
    a read that timed out after it was sent is sent again, for redis-py's ``retry=``,
    ``retry_on_timeout`` and ``retry_on_error``.

    As redis-py does, ``retry_on_timeout=True`` adds ``TimeoutError`` to ``retry_on_error`` and
    those errors are added to the ``Retry``'s supported errors; without ``retry=`` they are
    added to the default policy (three retries, jittered exponential backoff: redis-py's
    ``Redis`` default). Listing ``TimeoutError`` (or a base class of it) is also what lets a
    read-only command whose reply timed out be sent again; a write that may have reached the
    server is never re-sent (the core's rule), and without the switches no timeout after
    sending is retried."""
    errors = list(retry_on_error or ())
    if retry_on_timeout:
        errors.append(TimeoutError)
    if not errors:
        return (retry._spec() if retry is not None else None), False
    if retry is None:
        retry = Retry(ExponentialWithJitterBackoff(cap=1.0, base=0.01), 3)  # the core's default
    else:
        retry = copy.deepcopy(retry)
    retry.update_supported_errors(errors)
    timeouts = any(isinstance(e, type) and issubclass(t, e)
                   for e in errors for t in (TimeoutError, socket.timeout))
    return retry._spec(), timeouts


def _make_native(url: Optional[str], explicit, kwargs: dict, pool_block: bool,
                 pool_timeout: Optional[float], cache=None) -> "_native.Client":
    """The Rust pool for a URL and/or redis-py connection keywords (keywords passed
    explicitly win over the URL), with client-side caching when ``cache`` (a
    ``CacheConfig._spec()``) is given."""
    kw = dict(kwargs)
    tls_url = _tls_url(url, kw)
    if tls_url is not None and url is None:
        # ssl=True with host/port keywords: every keyword given is applied over the URL.
        explicit = frozenset(kw)
    url = tls_url
    # Python's canonical name of the codec ("latin-1" -> "iso8859-1"); an unknown one raises
    # LookupError here (redis-py: at the first command).
    encoding = codecs.lookup(kw.pop("encoding", "utf-8") or "utf-8").name
    encoding_errors = kw.pop("encoding_errors", "strict") or "strict"
    protocol = kw.get("protocol")
    common = {
        "db": kw.get("db"), "username": kw.get("username"), "password": kw.get("password"),
        "socket_timeout": kw.get("socket_timeout"),
        "socket_connect_timeout": kw.get("socket_connect_timeout"),
        "socket_keepalive": kw.get("socket_keepalive"), "client_name": kw.get("client_name"),
        "max_connections": kw.get("max_connections"),
        "protocol": int(protocol) if protocol else None,
        "health_check_interval": kw.get("health_check_interval") or None,
    }
    decode = bool(kw.get("decode_responses", False))
    legacy = _to_bool(kw.get("legacy_responses", True))
    retry, reads_after_timeout = _retry_policy(kw.get("retry"), kw.get("retry_on_timeout"),
                                               kw.get("retry_on_error"))
    if url is not None:
        url = _without_python_options(url)
        given = {k: v for k, v in common.items() if k in explicit and v is not None}
        if "protocol" not in given and "protocol" not in urllib.parse.parse_qs(
                urllib.parse.urlsplit(url).query):
            given["protocol"] = DEFAULT_PROTOCOL
        return _native.Client(url=url, decode_responses=decode, pool_block=pool_block,
                              pool_timeout=pool_timeout, retry=retry, cache=cache,
                              encoding=encoding, encoding_errors=encoding_errors,
                              retry_reads_after_timeout=reads_after_timeout,
                              legacy_responses=legacy, **given)
    if common["db"] is not None:
        common["db"] = int(common["db"])
    if common["protocol"] is None:
        common["protocol"] = DEFAULT_PROTOCOL
    return _native.Client(
        host=kw.get("host", "localhost"), port=int(kw.get("port", 6379)),
        unix_socket_path=kw.get("unix_socket_path") or kw.get("path"),
        decode_responses=decode, pool_block=pool_block, pool_timeout=pool_timeout, retry=retry,
        cache=cache, encoding=encoding, encoding_errors=encoding_errors,
        retry_reads_after_timeout=reads_after_timeout, legacy_responses=legacy, **common,
    )


def _to_bool(value) -> bool:
    """redis-py's ``to_bool`` of a URL option (``"false"``, ``"0"``... are false)."""
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes", "y", "on")
    return bool(value)


def _url_kwargs(url: str, kwargs: dict) -> dict:
    # decode_responses and legacy_responses are Python-side settings; the Rust URL parser
    # takes the rest.
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    for key in ("decode_responses", "legacy_responses"):
        if key in query and key not in kwargs:
            kwargs[key] = _to_bool(query[key][-1])
    # So are the codec's (`_make_native` takes them out of the URL).
    for key in ("encoding", "encoding_errors"):
        if key in query and key not in kwargs:
            kwargs[key] = query[key][-1]
    return kwargs


# URL options applied by the binding, not by the core's URL parser (the core's own
# `decode_responses` would check UTF-8 itself, whatever the codec).
_PYTHON_OPTIONS = ("decode_responses", "legacy_responses", "encoding", "encoding_errors")


def _without_python_options(url: str) -> str:
    """``url`` without the options of ``_PYTHON_OPTIONS`` (taken by ``_url_kwargs``)."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in query if k not in _PYTHON_OPTIONS]
    if len(kept) == len(query):
        return url
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(kept)))


class Encoder:
    """redis-py's ``Encoder``: ``encode(value)`` as an argument's bytes, ``decode(value,
    force=False)`` as a reply's ``str`` when decoding (or ``force``)."""

    __slots__ = ("encoding", "encoding_errors", "decode_responses")

    def __init__(self, encoding: str, encoding_errors: str, decode_responses: bool):
        self.encoding = encoding
        self.encoding_errors = encoding_errors
        self.decode_responses = decode_responses

    def encode(self, value):
        """``value`` as the bytes sent for it (``DataError`` for other types)."""
        if isinstance(value, (bytes, bytearray, memoryview)):
            return value
        if isinstance(value, str):
            return value.encode(self.encoding, self.encoding_errors)
        return _native.encode_arg(value)

    def decode(self, value, force: bool = False):
        """``value`` as ``str`` when decoding (or ``force``) and it is bytes; else as is."""
        if (self.decode_responses or force) and isinstance(value, (bytes, memoryview)):
            return bytes(value).decode(self.encoding, self.encoding_errors)
        return value


class AbstractConnection:
    """redis-py's connection object: one connection of its own, commands written
    (``send_command``) and replies read (``read_response``) separately. Made by
    ``ConnectionPool.get_connection()`` (a connection of that pool's, given back by
    ``release()``) or directly (``Connection(host=, port=, ...)``: a connection with those
    settings). The socket, the handshake (AUTH, SELECT, HELLO...), packing and reply parsing
    are the core's, in Rust (``_native.Conn``)."""

    def __init__(self, db=0, password=None, socket_timeout=None, socket_connect_timeout=None,
                 retry_on_timeout=False, retry_on_error=None, encoding="utf-8",
                 encoding_errors="strict", decode_responses=False, socket_read_size=65536,
                 health_check_interval=0, client_name=None, lib_name="redis-py",
                 lib_version=None, username=None, retry=None, redis_connect_func=None,
                 credential_provider=None, protocol=None, command_packer=None,
                 event_dispatcher=None, **kwargs):
        kwargs.update(
            db=db, password=password, socket_timeout=socket_timeout,
            socket_connect_timeout=socket_connect_timeout, retry_on_timeout=retry_on_timeout,
            retry_on_error=retry_on_error, encoding=encoding, encoding_errors=encoding_errors,
            decode_responses=decode_responses, health_check_interval=health_check_interval,
            client_name=client_name, username=username, retry=retry, protocol=protocol)
        kwargs = {k: v for k, v in kwargs.items() if k not in _IGNORED}
        native = _make_native(None, frozenset(), dict(kwargs, max_connections=1), True, None)
        self._setup(native.connection(), native, kwargs)

    @classmethod
    def _from_pool(cls, pool: "ConnectionPool") -> "AbstractConnection":
        """A connection of ``pool`` (not ``cls.__init__``: the pool has the settings)."""
        conn = cls.__new__(cls)
        conn._setup(pool._native.connection(), pool._native, pool.connection_kwargs)
        return conn

    def _setup(self, conn, native, kwargs: dict) -> None:
        self._conn = conn
        self.pid = os.getpid()
        self.db = kwargs.get("db", 0) or 0
        self.username = kwargs.get("username")
        self.password = kwargs.get("password")
        self.client_name = kwargs.get("client_name")
        self.socket_timeout = kwargs.get("socket_timeout")
        self.socket_connect_timeout = kwargs.get("socket_connect_timeout")
        self.health_check_interval = kwargs.get("health_check_interval") or 0
        self.next_health_check = 0.0
        self.protocol = native.protocol
        self.retry = kwargs.get("retry")
        self.encoder = Encoder(native.encoding, native.encoding_errors, native.decode_responses)

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
        return self._conn.is_connected

    def get_protocol(self) -> int:
        """The RESP version spoken: 2 or 3."""
        return self.protocol

    def connect(self) -> None:
        """Connects (with the handshake) unless connected."""
        self._conn.connect()
        self.next_health_check = time.monotonic() + self.health_check_interval

    def on_connect(self) -> None:
        """Kept for redis-py compatibility: the handshake is done by ``connect()``."""

    def disconnect(self, *args) -> None:
        """Closes the connection (the next command opens another)."""
        self._conn.disconnect()

    def check_health(self) -> None:
        """With ``health_check_interval`` set and the connection idle that long: PING,
        reconnecting once if that fails (redis-py's)."""
        if not self.health_check_interval or time.monotonic() <= self.next_health_check:
            return
        if not self.is_connected:
            return
        try:
            self._ping()
        except (ConnectionError, TimeoutError):
            self.disconnect()
            self._ping()

    def _ping(self) -> None:
        self._conn.send(("PING",))
        reply = self.read_response()
        if (reply.decode() if isinstance(reply, bytes) else reply) != "PONG":
            raise ConnectionError("Bad response from PING health check")

    def send_command(self, *args, **kwargs) -> None:
        """Packs and writes one command (``args[0]`` its name)."""
        if kwargs.get("check_health", True):
            self.check_health()
        self._conn.send(args)

    def send_packed_command(self, command, check_health: bool = True) -> None:
        """Writes commands packed by ``pack_command`` / ``pack_commands`` (bytes, or a list of
        chunks)."""
        if check_health:
            self.check_health()
        if isinstance(command, (bytes, bytearray, memoryview, str)):
            command = [command]
        data = b"".join(c.encode() if isinstance(c, str) else bytes(c) for c in command)
        self._conn.send_packed(data)

    def pack_command(self, *args) -> list:
        """The command as the bytes sent for it (one chunk, as a list)."""
        return [_native.pack_command(args, self.encoder.encoding, self.encoder.encoding_errors)]

    def pack_commands(self, commands) -> list:
        """Several commands packed together."""
        return [b"".join(self.pack_command(*args)[0] for args in commands)]

    def read_response(self, disable_decoding: bool = False, *, disconnect_on_error: bool = True,
                      push_request: bool = False):
        """The next reply (``str`` when decoding, unless ``disable_decoding``); an error reply
        is raised (``ResponseError``...). A timeout or connection error closes the
        connection, as redis-py's ``disconnect_on_error``."""
        reply = self._conn.read(disable_decoding)
        if self.health_check_interval:
            self.next_health_check = time.monotonic() + self.health_check_interval
        return reply

    def can_read(self, timeout: Optional[float] = 0) -> bool:
        """Whether a reply's bytes are waiting, now or within ``timeout`` seconds."""
        return self._conn.can_read(timeout)


class Connection(AbstractConnection):
    """redis-py's ``Connection(host="localhost", port=6379, ...)``: a TCP connection."""

    def __init__(self, host="localhost", port=6379, socket_keepalive=False,
                 socket_keepalive_options=None, socket_type=0, **kwargs):
        self.host = host
        self.port = int(port)
        super().__init__(host=host, port=port, socket_keepalive=socket_keepalive, **kwargs)

    def _setup(self, conn, native, kwargs: dict) -> None:
        super()._setup(conn, native, kwargs)
        self.host = kwargs.get("host", "localhost")
        self.port = int(kwargs.get("port", 6379))

    def repr_pieces(self) -> list:
        return [("host", self.host), ("port", self.port)] + super().repr_pieces()


class SSLConnection(Connection):
    """redis-py's ``SSLConnection``: a TLS connection (the core's rustls), with redis-py's
    ``ssl_*`` keywords (see ``Redis(ssl=True)``)."""

    def __init__(self, ssl_keyfile=None, ssl_certfile=None, ssl_cert_reqs="required",
                 ssl_ca_certs=None, ssl_ca_data=None, ssl_check_hostname=True, ssl_ca_path=None,
                 ssl_password=None, ssl_min_version=None, ssl_ciphers=None, **kwargs):
        super().__init__(ssl=True, ssl_keyfile=ssl_keyfile, ssl_certfile=ssl_certfile,
                         ssl_cert_reqs=ssl_cert_reqs, ssl_ca_certs=ssl_ca_certs,
                         ssl_ca_data=ssl_ca_data, ssl_check_hostname=ssl_check_hostname,
                         ssl_ca_path=ssl_ca_path, ssl_password=ssl_password,
                         ssl_min_version=ssl_min_version, ssl_ciphers=ssl_ciphers, **kwargs)


class UnixDomainSocketConnection(AbstractConnection):
    """redis-py's ``UnixDomainSocketConnection(path=...)``."""

    def __init__(self, path="", socket_timeout=None, **kwargs):
        self.path = path
        super().__init__(path=path, socket_timeout=socket_timeout, **kwargs)

    def _setup(self, conn, native, kwargs: dict) -> None:
        super()._setup(conn, native, kwargs)
        self.path = kwargs.get("path") or kwargs.get("unix_socket_path") or ""

    def repr_pieces(self) -> list:
        return [("path", self.path)] + super().repr_pieces()


class ConnectionPool:
    """redis-py's ``ConnectionPool(connection_class=Connection, max_connections=None,
    **connection_kwargs)``: at most ``max_connections`` connections (``None``: oxredis's
    default, 64, and a command waits for a free one); when ``max_connections`` is given and
    all are in use, a command raises ``MaxConnectionsError`` at once, as redis-py's pool does.
    ``cache_config=CacheConfig(...)`` (or ``cache=DefaultCache(...)``) turns client-side caching
    on for the pool's clients (RESP3 only: ``RedisError`` otherwise); ``pool.cache`` is then
    the ``DefaultCache``."""

    _block = False

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> "ConnectionPool":
        """A pool from ``redis://``/``unix://`` URL; keyword arguments win over the URL."""
        kwargs = _url_kwargs(url, kwargs)
        return cls(_url=url, _explicit=frozenset(kwargs), **kwargs)

    def __init__(self, connection_class=None, max_connections: Optional[int] = None,
                 cache_factory=None, _url=None, _explicit=frozenset(), _timeout=None,
                 **connection_kwargs):
        if max_connections is not None and (not isinstance(max_connections, int)
                                            or max_connections < 0):
            raise ValueError('"max_connections" must be a positive integer')
        self.connection_class = connection_class or Connection
        self.max_connections = max_connections if max_connections is not None else 2**31
        from .cache import _client_cache

        self.cache = _client_cache(connection_kwargs.pop("cache_config", None),
                                   connection_kwargs.pop("cache", None))
        self.connection_kwargs = {k: v for k, v in connection_kwargs.items() if k not in _IGNORED}
        kw = dict(self.connection_kwargs)
        if issubclass(self.connection_class, SSLConnection):
            kw["ssl"] = True
        if max_connections is not None:
            kw["max_connections"] = max_connections
            _explicit = frozenset(_explicit) | {"max_connections"}
        # Without an explicit limit the core's default pool waits for a free connection.
        block = self._block or max_connections is None
        self._url = _url
        self._native = _make_native(_url, _explicit, kw, block, _timeout,
                                    None if self.cache is None else self.cache.config._spec())
        if self.cache is not None:
            self.cache._attach(self._native.cache())
        self._async_native = None

    def _asynchronous(self):
        """The async client (``oxredis.asyncio``) on this pool's settings, made once."""
        if self._async_native is None:
            self._async_native = self._native.asynchronous()
        return self._async_native

    def __repr__(self) -> str:
        where = self._url or "{}:{}".format(self.connection_kwargs.get("host", "localhost"),
                                            self.connection_kwargs.get("port", 6379))
        return f"<{type(self).__module__}.{type(self).__name__}({where})>"

    def get_protocol(self) -> int:
        """The RESP version spoken: 2 or 3."""
        return self._native.protocol

    def get_encoder(self) -> "Encoder":
        """redis-py's ``Encoder`` of this pool's ``encoding``, ``encoding_errors`` and
        ``decode_responses`` (the client's own encoding is done in Rust, by the same rules)."""
        n = self._native
        return Encoder(n.encoding, n.encoding_errors, n.decode_responses)

    def make_connection(self) -> AbstractConnection:
        """A new ``connection_class`` object on this pool, not connected yet."""
        return self.connection_class._from_pool(self)

    def get_connection(self, command_name=None, *keys, **options) -> AbstractConnection:
        """A connection of this pool, connected (redis-py's): use it with ``send_command`` /
        ``read_response``, give it back with ``release()``. It counts against
        ``max_connections`` until then."""
        conn = self.make_connection()
        conn.connect()
        return conn

    def release(self, connection: AbstractConnection) -> None:
        """Gives ``connection`` back to the pool; one that owes replies, or ran a command that
        changes a connection's state (SELECT, SUBSCRIBE, CLIENT...), is closed instead."""
        connection._conn.release()

    def reset(self) -> None:
        """Kept for redis-py compatibility; the Rust pool needs no reset."""

    def disconnect(self, inuse_connections: bool = True) -> None:
        """Kept for redis-py compatibility; connections close when the pool goes."""

    def close(self) -> None:
        """As ``disconnect()``."""


class BlockingConnectionPool(ConnectionPool):
    """redis-py's ``BlockingConnectionPool(max_connections=50, timeout=20, ...)``: when
    ``max_connections`` are in use a command waits up to ``timeout`` seconds for one to come
    back (``None``: for ever), then raises ``ConnectionError`` (``MaxConnectionsError``)."""

    _block = True

    def __init__(self, max_connections: int = 50, timeout: Optional[float] = 20,
                 connection_class=None, queue_class=None, **connection_kwargs):
        self.timeout = timeout
        # "for ever": a century.
        wait = timeout if timeout is not None else 100 * 365 * 24 * 3600.0
        super().__init__(connection_class=connection_class, max_connections=max_connections,
                         _timeout=float(wait), **connection_kwargs)
