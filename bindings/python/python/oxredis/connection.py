"""``ConnectionPool`` and ``BlockingConnectionPool`` with redis-py's constructor keywords.

The pool itself is oxredis's Rust pool (``_native.Client``); these classes hold its settings,
so that several ``Redis(connection_pool=pool)`` share one set of connections, as in redis-py.
Connections are opened lazily and managed in Rust: there is no ``Connection`` object to take
out of the pool (``get_connection`` raises ``NotImplementedError``).
"""

from __future__ import annotations

import codecs
import copy
import socket
import urllib.parse
from typing import Any, Optional

from . import _native
from .backoff import ExponentialWithJitterBackoff
from .exceptions import TimeoutError
from .retry import Retry

# redis-py keywords that oxredis accepts and ignores (no effect on the Rust client).
_IGNORED = {
    "socket_keepalive_options", "lib_name",
    "lib_version", "single_connection_client", "connection_class", "queue_class",
    "socket_type", "redis_connect_func", "credential_provider", "cache_factory", "cache",
    "cache_config", "event_dispatcher", "driver_info",
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
                 pool_timeout: Optional[float]) -> "_native.Client":
    """The Rust pool for a URL and/or redis-py connection keywords (keywords passed
    explicitly win over the URL)."""
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
    protocol = kw.get("protocol", 2)
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
    retry, reads_after_timeout = _retry_policy(kw.get("retry"), kw.get("retry_on_timeout"),
                                               kw.get("retry_on_error"))
    if url is not None:
        url = _without_python_options(url)
        given = {k: v for k, v in common.items() if k in explicit and v is not None}
        return _native.Client(url=url, decode_responses=decode, pool_block=pool_block,
                              pool_timeout=pool_timeout, retry=retry, encoding=encoding,
                              encoding_errors=encoding_errors,
                              retry_reads_after_timeout=reads_after_timeout, **given)
    if common["db"] is not None:
        common["db"] = int(common["db"])
    return _native.Client(
        host=kw.get("host", "localhost"), port=int(kw.get("port", 6379)),
        unix_socket_path=kw.get("unix_socket_path") or kw.get("path"),
        decode_responses=decode, pool_block=pool_block, pool_timeout=pool_timeout, retry=retry,
        encoding=encoding, encoding_errors=encoding_errors,
        retry_reads_after_timeout=reads_after_timeout, **common,
    )


def _url_kwargs(url: str, kwargs: dict) -> dict:
    # decode_responses is a Python-side setting; the Rust URL parser takes the rest.
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    if "decode_responses" in query and "decode_responses" not in kwargs:
        value = query["decode_responses"][-1].lower()
        kwargs["decode_responses"] = value in ("1", "true", "yes", "y", "on")
    # So are the codec's (`_make_native` takes them out of the URL).
    for key in ("encoding", "encoding_errors"):
        if key in query and key not in kwargs:
            kwargs[key] = query[key][-1]
    return kwargs


# URL options applied by the binding, not by the core's URL parser (the core's own
# `decode_responses` would check UTF-8 itself, whatever the codec).
_PYTHON_OPTIONS = ("decode_responses", "encoding", "encoding_errors")


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


class ConnectionPool:
    """redis-py's ``ConnectionPool(connection_class=Connection, max_connections=None,
    **connection_kwargs)``: at most ``max_connections`` connections (``None``: oxredis's
    default, 64, and a command waits for a free one); when ``max_connections`` is given and
    all are in use, a command raises ``MaxConnectionsError`` at once, as redis-py's pool does."""

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
        self.connection_class = connection_class
        self.max_connections = max_connections if max_connections is not None else 2**31
        self.connection_kwargs = {k: v for k, v in connection_kwargs.items() if k not in _IGNORED}
        kw = dict(self.connection_kwargs)
        if max_connections is not None:
            kw["max_connections"] = max_connections
            _explicit = frozenset(_explicit) | {"max_connections"}
        # Without an explicit limit the core's default pool waits for a free connection.
        block = self._block or max_connections is None
        self._url = _url
        self._native = _make_native(_url, _explicit, kw, block, _timeout)
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

    def get_connection(self, *args, **kwargs):
        """Not provided: connections are managed in Rust."""
        raise NotImplementedError("oxredis: ConnectionPool.get_connection() (connections are "
                                  "managed in Rust)")

    def release(self, connection) -> None:
        """Not provided: connections are managed in Rust."""
        raise NotImplementedError("oxredis: ConnectionPool.release()")

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
