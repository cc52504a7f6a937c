"""``oxredis.asyncio``: redis-py's asyncio API (``redis.asyncio``) over oxredis's tokio client.

``Redis`` / ``StrictRedis`` (awaitable command methods, ``from_url``, async pipelines, async
pub/sub, ``Script``), ``ConnectionPool`` / ``BlockingConnectionPool``, ``RedisCluster``
(``oxredis.asyncio.cluster``, on the async cluster client). ``Sentinel`` imports but raises
``NotImplementedError``.
"""

from ..connection import BlockingConnectionPool, ConnectionPool
from ..unsupported import _placeholder
from .client import Monitor, Pipeline, PubSub, Redis, Script, StrictRedis
from .cluster import RedisCluster
Sentinel = _placeholder(
    "asyncio.Sentinel", "the Rust core has an async Sentinel client but the Python binding "
    "does not wire it yet")


def from_url(url, **kwargs):
    """``Redis.from_url(url, **kwargs)``."""
    return Redis.from_url(url, **kwargs)


__all__ = ["BlockingConnectionPool", "ConnectionPool", "Monitor", "Pipeline", "PubSub", "Redis",
           "RedisCluster", "Script", "Sentinel", "StrictRedis", "from_url"]
