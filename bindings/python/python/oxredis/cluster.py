"""``oxredis.cluster``: not implemented yet."""

from .unsupported import RedisCluster

__all__ = ["RedisCluster"]
