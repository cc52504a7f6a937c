"""oxredis: redis-py's API on a Rust Redis client.

``import oxredis as redis`` and keep redis-py code: ``redis.Redis(...)``, ``from_url``, the
command methods, ``pipeline()`` and ``redis.exceptions`` work as in redis-py 8. What is not
implemented yet (see the README) raises ``NotImplementedError`` with its name.
"""

from . import backoff, exceptions, retry  # noqa: F401 - redis.backoff, redis.retry
from .client import Pipeline, Redis, Script, StrictRedis
from .lock import Lock
from .exceptions import (
    AuthenticationError,
    AuthenticationWrongNumberOfArgsError,
    AuthorizationError,
    BusyLoadingError,
    ChildDeadlockedError,
    ConnectionError,
    CrossSlotTransactionError,
    DataError,
    InvalidPipelineStack,
    InvalidResponse,
    MaxConnectionsError,
    NoPermissionError,
    OutOfMemoryError,
    PubSubError,
    ReadOnlyError,
    RedisClusterException,
    RedisError,
    ResponseError,
    TimeoutError,
    WatchError,
)
from .exceptions import LockError, LockNotOwnedError, NoScriptError, ExecAbortError  # noqa: F401
from .connection import (
    BlockingConnectionPool,
    Connection,
    ConnectionPool,
    SSLConnection,
    UnixDomainSocketConnection,
)
from .sentinel import (
    Sentinel,
    SentinelConnectionPool,
    SentinelManagedConnection,
    SentinelManagedSSLConnection,
)
from .cluster import RedisCluster

__version__ = "0.1.0"
VERSION = (0, 1, 0)


def from_url(url, **kwargs):
    """``Redis.from_url(url, **kwargs)``."""
    return Redis.from_url(url, **kwargs)


__all__ = [
    "AuthenticationError", "AuthenticationWrongNumberOfArgsError", "AuthorizationError",
    "BlockingConnectionPool", "BusyLoadingError", "ChildDeadlockedError", "Connection",
    "ConnectionError", "ConnectionPool", "CrossSlotTransactionError", "DataError",
    "InvalidPipelineStack", "InvalidResponse", "Lock", "MaxConnectionsError", "NoPermissionError",
    "OutOfMemoryError", "Pipeline", "PubSubError", "ReadOnlyError", "Redis", "RedisCluster",
    "RedisClusterException", "RedisError", "ResponseError", "SSLConnection", "Script", "Sentinel",
    "SentinelConnectionPool", "SentinelManagedConnection", "SentinelManagedSSLConnection",
    "StrictRedis", "TimeoutError", "UnixDomainSocketConnection", "WatchError", "exceptions",
    "from_url",
]
