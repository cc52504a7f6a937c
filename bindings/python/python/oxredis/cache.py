"""Client-side caching with redis-py 8.1's names (``redis.cache``), on oxredis's Rust cache.

``Redis(protocol=3, cache_config=CacheConfig())`` keeps the replies of cacheable reads (GET,
MGET, HGETALL, LRANGE, SMEMBERS, ZRANGE...: ``CacheConfig.DEFAULT_ALLOW_LIST``) in the client's
Rust cache, keyed by the whole command, until the server says a key they read has changed
(RESP3 ``CLIENT TRACKING``; see the core's ``oxredis::cache``). A cached read is answered in
Rust, without a Python lookup and without a round trip. ``r.get_cache()`` returns the client's
``DefaultCache``: its ``size``, ``flush()``, ``delete_by_redis_keys()``... Its entries live in
Rust, so the parts of redis-py's interface that hand out or take Python entries
(``collection``, ``set``, an eviction policy object that evicts) are not provided.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import Enum
from typing import Any, List, Optional, Union

from . import _native


class CacheEntryStatus(Enum):
    """redis-py's entry states; every entry handed out here is ``VALID`` (a read in flight
    is the core's business and is never visible)."""

    VALID = "VALID"
    IN_PROGRESS = "IN_PROGRESS"


class EvictionPolicyType(Enum):
    time_based = "time_based"
    frequency_based = "frequency_based"


@dataclass(frozen=True)
class CacheKey:
    """redis-py's cache key: the command's name, the Redis keys it reads, and its whole
    argument list (``redis_args``, the name first), which is what identifies an entry here."""

    command: str
    redis_keys: tuple
    redis_args: tuple = ()


class CacheEntry:
    """A cached reply (``cache_value``, as the server sent it) under ``cache_key``."""

    def __init__(self, cache_key: CacheKey, cache_value: Any, status: CacheEntryStatus,
                 connection_ref=None):
        self.cache_key = cache_key
        self.cache_value = cache_value
        self.status = status
        self.connection_ref = connection_ref

    def __repr__(self) -> str:
        return f"CacheEntry({self.cache_key!r}, status={self.status.name})"


class EvictionPolicyInterface(ABC):
    @property
    @abstractmethod
    def type(self) -> EvictionPolicyType:
        pass


class CacheConfigurationInterface(ABC):
    @abstractmethod
    def get_cache_class(self):
        pass

    @abstractmethod
    def get_max_size(self) -> int:
        pass

    @abstractmethod
    def get_eviction_policy(self):
        pass

    @abstractmethod
    def is_exceeds_max_size(self, count: int) -> bool:
        pass

    @abstractmethod
    def is_allowed_to_cache(self, command: str) -> bool:
        pass


class CacheInterface(ABC):
    @property
    @abstractmethod
    def size(self) -> int:
        pass

    @abstractmethod
    def get(self, key: CacheKey) -> Union[CacheEntry, None]:
        pass

    @abstractmethod
    def delete_by_cache_keys(self, cache_keys: List[CacheKey]) -> List[bool]:
        pass

    @abstractmethod
    def delete_by_redis_keys(self, redis_keys: List[bytes]) -> List[bool]:
        pass

    @abstractmethod
    def flush(self) -> int:
        pass

    @abstractmethod
    def is_cachable(self, key: CacheKey) -> bool:
        pass


class LRUPolicy(EvictionPolicyInterface):
    """Least recently used first: the Rust cache's only policy, as redis-py's only one. The
    cache evicts by itself; ``evict_next``/``evict_many``/``touch`` are not provided."""

    def __init__(self):
        self.cache = None

    @property
    def type(self) -> EvictionPolicyType:
        return EvictionPolicyType.time_based

    def evict_next(self):
        raise NotImplementedError("oxredis: the Rust cache evicts by itself")

    def evict_many(self, count: int):
        raise NotImplementedError("oxredis: the Rust cache evicts by itself")

    def touch(self, cache_key: CacheKey) -> None:
        raise NotImplementedError("oxredis: the Rust cache orders its entries by itself")


class EvictionPolicy(Enum):
    LRU = LRUPolicy


class DefaultCache(CacheInterface):
    """The client's cache: made by ``Redis(cache_config=...)`` and returned by
    ``get_cache()``, or made by you (``DefaultCache(CacheConfig(...))``) and given as
    ``Redis(cache=...)`` to one client. Its entries live in Rust."""

    def __init__(self, cache_config: Optional[CacheConfig] = None) -> None:
        self._cache_config = cache_config if cache_config is not None else CacheConfig()
        self._eviction_policy = self._cache_config.get_eviction_policy().value()
        self._eviction_policy.cache = self
        # The Rust cache, once a client uses this one.
        self._native = None

    def _attach(self, native) -> None:
        if self._native is not None:
            raise ValueError("oxredis: this cache already belongs to another client")
        self._native = native

    @property
    def collection(self):
        """Not provided: the entries live in Rust (``size``, ``get`` and ``stats()`` read them)."""
        raise NotImplementedError("oxredis: DefaultCache.collection (entries live in Rust)")

    @property
    def config(self) -> CacheConfig:
        return self._cache_config

    @property
    def eviction_policy(self) -> LRUPolicy:
        return self._eviction_policy

    @property
    def size(self) -> int:
        """Number of entries."""
        return 0 if self._native is None else self._native.size

    def get(self, key: CacheKey) -> Union[CacheEntry, None]:
        """The entry of ``key.redis_args`` (the command, name first), ``VALID``, with the reply
        as the server sent it (``bytes``; ``str`` when the client decodes), or ``None``. Reading
        it counts no hit."""
        if self._native is None or not key.redis_args:
            return None
        value = self._native.peek(tuple(key.redis_args))
        if value is None:
            return None
        return CacheEntry(key, value, CacheEntryStatus.VALID)

    def set(self, entry: CacheEntry) -> bool:
        """Not provided: entries are stored by the client's reads, with their invalidation."""
        raise NotImplementedError("oxredis: DefaultCache.set (entries are stored by reads)")

    def delete_by_cache_keys(self, cache_keys: List[CacheKey]) -> List[bool]:
        """Removes the entries of these keys; one ``bool`` per key: whether it was there."""
        if self._native is None:
            return [False for _ in cache_keys]
        return [bool(k.redis_args) and self._native.delete_command(tuple(k.redis_args))
                for k in cache_keys]

    def delete_by_redis_keys(self, redis_keys: Union[List[bytes], List[str]]) -> List[bool]:
        """Removes every entry that read one of these Redis keys (``bytes`` or ``str``);
        as redis-py, one ``True`` per entry removed."""
        if self._native is None:
            return []
        removed = []
        for key in redis_keys:
            removed.extend([True] * self._native.delete_by_redis_key(key))
        return removed

    def flush(self) -> int:
        """Removes every entry; returns how many there were."""
        return 0 if self._native is None else self._native.flush()

    def is_cachable(self, key: CacheKey) -> bool:
        return self._cache_config.is_allowed_to_cache(key.command)

    # oxredis's own.

    def stats(self) -> dict:
        """oxredis: the Rust cache's counters: ``hits``, ``misses`` (cacheable reads sent to
        the server), ``evictions`` (to make room, or past ``ttl``), ``invalidations`` (keys
        the server invalidated, plus one per full flush it ordered), ``entries``, ``bytes``
        (estimated)."""
        names = ("hits", "misses", "evictions", "invalidations", "entries", "bytes")
        if self._native is None:
            return dict.fromkeys(names, 0)
        return dict(zip(names, self._native.stats()))

    def sync(self) -> None:
        """oxredis: waits until every invalidation the server sent before this call has been
        applied (one round trip on the client's invalidation connection). Another client's
        write is seen by the next read once its invalidation has arrived, which is usually
        at once; after the write returned, ``sync()`` makes it certain."""
        if self._native is not None:
            self._native.sync()

    def __repr__(self) -> str:
        return f"<oxredis.cache.DefaultCache(size={self.size}, {self._cache_config!r})>"


class CacheConfig(CacheConfigurationInterface):
    """redis-py's ``CacheConfig(max_size=10000, cache_class=DefaultCache,
    eviction_policy=EvictionPolicy.LRU)``, plus oxredis's bounds ``max_bytes`` (estimated memory
    of the entries, default 64 MiB; a bigger reply is not cached) and ``ttl`` (seconds an entry
    is served at most even without an invalidation, default 1800; ``None``: until invalidated or
    evicted, as redis-py)."""

    DEFAULT_CACHE_CLASS = DefaultCache
    DEFAULT_EVICTION_POLICY = EvictionPolicy.LRU
    DEFAULT_MAX_SIZE = 10000
    DEFAULT_MAX_BYTES = 64 << 20
    DEFAULT_TTL = 1800.0
    # The commands cached: the Rust command table's cacheable entries (redis-py's list, less
    # the module commands not declared there and SORT_RO, whose BY/GET patterns read keys
    # the server does not track).
    DEFAULT_ALLOW_LIST = list(_native.cacheable_commands())

    def __init__(self, max_size: int = DEFAULT_MAX_SIZE, cache_class: Any = DEFAULT_CACHE_CLASS,
                 eviction_policy: EvictionPolicy = DEFAULT_EVICTION_POLICY, *,
                 max_bytes: int = DEFAULT_MAX_BYTES, ttl: Optional[float] = DEFAULT_TTL):
        if not isinstance(max_size, int) or isinstance(max_size, bool) or max_size < 0:
            raise ValueError("max_size must be a non-negative integer")
        if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes < 0:
            raise ValueError("max_bytes must be a non-negative integer")
        if ttl is not None and not ttl > 0:
            raise ValueError("ttl must be a positive number of seconds or None")
        if eviction_policy is not EvictionPolicy.LRU:
            raise ValueError("oxredis: the only eviction policy is EvictionPolicy.LRU")
        self._cache_class = cache_class
        self._max_size = max_size
        self._eviction_policy = eviction_policy
        self.max_bytes = max_bytes
        self.ttl = ttl

    def get_cache_class(self):
        return self._cache_class

    def get_max_size(self) -> int:
        return self._max_size

    def get_eviction_policy(self) -> EvictionPolicy:
        return self._eviction_policy

    def is_exceeds_max_size(self, count: int) -> bool:
        return count > self._max_size

    def is_allowed_to_cache(self, command: str) -> bool:
        return command.upper() in self.DEFAULT_ALLOW_LIST

    def _spec(self):
        """The Rust cache's settings: ``(max_size, max_bytes, ttl)``."""
        return (self._max_size, self.max_bytes, None if self.ttl is None else float(self.ttl))

    def __repr__(self) -> str:
        return (f"CacheConfig(max_size={self._max_size}, max_bytes={self.max_bytes}, "
                f"ttl={self.ttl})")


def _client_cache(cache_config, cache):
    """The ``DefaultCache`` a client is made with (its settings go to Rust), from redis-py's
    ``cache=`` / ``cache_config=`` keywords; ``None`` without either. ``cache`` wins, as in
    redis-py."""
    if cache is not None:
        if not isinstance(cache, DefaultCache):
            raise NotImplementedError(
                "oxredis: Redis(cache=...) takes an oxredis.cache.DefaultCache only (the cache "
                "lives in Rust); pass cache_config=CacheConfig(...)")
        if cache._native is not None:
            raise ValueError("oxredis: this cache already belongs to another client")
        return cache
    if cache_config is None:
        return None
    if not isinstance(cache_config, CacheConfig):
        raise NotImplementedError("oxredis: cache_config must be an oxredis.cache.CacheConfig")
    cls = cache_config.get_cache_class()
    if cls is not DefaultCache:
        raise NotImplementedError(
            f"oxredis: CacheConfig(cache_class={getattr(cls, '__name__', cls)}) (the cache "
            "lives in Rust: DefaultCache only)")
    return DefaultCache(cache_config)


__all__ = [
    "CacheConfig", "CacheConfigurationInterface", "CacheEntry", "CacheEntryStatus",
    "CacheInterface", "CacheKey", "DefaultCache", "EvictionPolicy", "EvictionPolicyInterface",
    "EvictionPolicyType", "LRUPolicy",
]
