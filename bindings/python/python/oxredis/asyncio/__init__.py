"""``oxredis.asyncio``: redis-py's asyncio API, not implemented yet (the names import; using
them raises ``NotImplementedError``)."""

from ..unsupported import _placeholder

Redis = _placeholder("asyncio.Redis", "the asyncio binding over oxredis::aio is not written yet")
StrictRedis = Redis
RedisCluster = _placeholder("asyncio.RedisCluster", "no cluster client yet")
Sentinel = _placeholder("asyncio.Sentinel", "no Sentinel client yet")
ConnectionPool = _placeholder("asyncio.ConnectionPool", "not written yet")

__all__ = ["ConnectionPool", "Redis", "RedisCluster", "Sentinel", "StrictRedis"]
