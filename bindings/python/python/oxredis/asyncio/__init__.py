"""``oxredis.asyncio``: redis-py's asyncio API (``redis.asyncio``) over oxredis's tokio client.

``Redis`` / ``StrictRedis`` (awaitable command methods, ``from_url``, async pipelines, async
pub/sub, ``Script``), ``ConnectionPool`` / ``BlockingConnectionPool``, ``Sentinel``
(``oxredis.asyncio.sentinel``), ``RedisCluster`` (``oxredis.asyncio.cluster``, on the async
cluster client).
"""

from .client import Monitor, Pipeline, PubSub, Redis, Script, StrictRedis
from .connection import (
    BlockingConnectionPool,
    Connection,
    ConnectionPool,
    SSLConnection,
    UnixDomainSocketConnection,
)
from .sentinel import Sentinel, SentinelConnectionPool

from .cluster import RedisCluster


def from_url(url, **kwargs):
    """``Redis.from_url(url, **kwargs)``."""
    return Redis.from_url(url, **kwargs)


__all__ = ["BlockingConnectionPool", "Connection", "ConnectionPool", "Monitor", "Pipeline",
           "PubSub", "Redis", "RedisCluster", "Script", "Sentinel", "SentinelConnectionPool",
           "SSLConnection", "StrictRedis", "UnixDomainSocketConnection", "from_url"]
