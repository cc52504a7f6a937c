"""``oxredis.asyncio``: redis-py's asyncio API (``redis.asyncio``) over oxredis's tokio client.

``Redis`` / ``StrictRedis`` (awaitable command methods, ``from_url``, async pipelines, async
pub/sub, ``Script``), ``ConnectionPool`` / ``BlockingConnectionPool``, ``Sentinel``
(``oxredis.asyncio.sentinel``), ``RedisCluster`` (``oxredis.asyncio.cluster``, on the async
cluster client).
"""

from ..connection import BlockingConnectionPool, ConnectionPool
from .client import Monitor, Pipeline, PubSub, Redis, Script, StrictRedis
from .sentinel import Sentinel, SentinelConnectionPool

from .cluster import RedisCluster


def from_url(url, **kwargs):
    """``Redis.from_url(url, **kwargs)``."""
    return Redis.from_url(url, **kwargs)


__all__ = ["BlockingConnectionPool", "ConnectionPool", "Monitor", "Pipeline", "PubSub", "Redis",
           "RedisCluster", "Script", "Sentinel", "SentinelConnectionPool", "StrictRedis", "from_url"]
