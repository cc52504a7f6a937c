"""``oxredis.asyncio.sentinel``: redis-py's ``redis.asyncio.sentinel`` over oxredis's async
Sentinel client (tokio). The same API as ``oxredis.sentinel`` with awaitable methods;
``master_for`` and ``slave_for`` return ``oxredis.asyncio.Redis`` clients whose connections
ask the sentinels where to go whenever they (re)connect.
"""

from __future__ import annotations

import asyncio
import random

from .. import _native
from .. import sentinel as _sync
from ..exceptions import (
    ConnectionError,
    MasterNotFoundError,
    ReplicaNotFoundError,
    SlaveNotFoundError,
)
from ..sentinel import SentinelManagedConnection, SentinelManagedSSLConnection
from .client import Redis, _future

__all__ = ["MasterNotFoundError", "ReplicaNotFoundError", "Sentinel", "SentinelConnectionPool",
           "SentinelManagedConnection", "SentinelManagedSSLConnection", "SlaveNotFoundError"]


class SentinelConnectionPool(_sync.SentinelConnectionPool):
    """redis-py's asyncio ``SentinelConnectionPool``: as ``oxredis.sentinel``'s, with
    ``get_master_address`` awaitable and ``rotate_slaves`` an async generator."""

    async def get_master_address(self):
        """``(host, port)`` of the primary (awaitable; see the blocking pool's)."""
        address = await self.sentinel_manager.discover_master(self.service_name)
        if self.is_master:
            self.master_address = address
        return address

    async def rotate_slaves(self):
        """Each live replica's ``(host, port)`` in round-robin order, then the primary's;
        ``SlaveNotFoundError`` after the last (``async for``)."""
        for slave in self._next_slaves(
                await self.sentinel_manager.discover_slaves(self.service_name)):
            yield slave
        try:
            yield await self.get_master_address()
        except MasterNotFoundError:
            pass
        raise SlaveNotFoundError(f"No slave found for {self.service_name!r}")

    def rotate_replicas(self):
        """``rotate_slaves``."""
        return self.rotate_slaves()


class Sentinel(_sync.Sentinel):
    """redis-py's asyncio ``Sentinel``: the arguments of ``oxredis.sentinel.Sentinel``;
    ``sentinels`` are ``oxredis.asyncio.Redis`` clients, and ``execute_command``,
    ``discover_master``, ``discover_slaves`` and the ``sentinel_*`` methods are awaitable."""

    _client_class = Redis
    _native_class = _native.AsyncSentinel

    async def execute_command(self, *args, **kwargs):
        """Sends a command to every sentinel at once (``once=True``: to one chosen at random)
        and returns whether every reply is true, or the replies with
        ``return_responses=True``."""
        once = bool(kwargs.pop("once", False))
        return_responses = bool(kwargs.pop("return_responses", False))
        if once:
            response = await random.choice(self.sentinels).execute_command(*args, **kwargs)
            return [response] if return_responses else bool(response)
        responses = await asyncio.gather(
            *(s.execute_command(*args, **kwargs) for s in self.sentinels))
        return list(responses) if return_responses else all(responses)

    async def aclose(self) -> None:
        """Closes the sentinels' clients (not the ``master_for``/``slave_for`` ones)."""
        for sentinel in self.sentinels:
            await sentinel.aclose()

    def close(self):
        """``aclose`` (awaitable)."""
        return self.aclose()

    def __enter__(self):
        # The synchronous Sentinel's `with` would leave `aclose()` un-awaited (redis-py's
        # asyncio Sentinel has no `with` either).
        raise TypeError("oxredis.asyncio.Sentinel: use 'async with', not 'with'")

    def __exit__(self, *exc):
        raise TypeError("oxredis.asyncio.Sentinel: use 'async with', not 'with'")

    async def __aenter__(self) -> "Sentinel":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def discover_master(self, service_name):
        """``(host, port)`` of the primary of ``service_name``; ``MasterNotFoundError`` when
        no sentinel knows it or none answers."""
        fut, completer = _future()
        self._native.discover_master(service_name, fut, completer)
        address = await fut
        self._front()
        return address

    async def discover_slaves(self, service_name) -> list:
        """``(host, port)`` of each live replica of ``service_name``; ``[]`` when there are
        none, or no sentinel answers."""
        fut, completer = _future()
        self._native.discover_slaves(service_name, fut, completer)
        try:
            return await fut
        except ConnectionError:
            return []

    async def discover_replicas(self, service_name) -> list:
        """``discover_slaves``."""
        return await self.discover_slaves(service_name)

    def master_for(self, service_name, redis_class=Redis,
                   connection_pool_class=SentinelConnectionPool, **kwargs):
        """An ``oxredis.asyncio.Redis`` client of the primary of ``service_name`` (see the
        blocking ``master_for``)."""
        return self._client(service_name, redis_class, connection_pool_class, True, kwargs)

    def slave_for(self, service_name, redis_class=Redis,
                  connection_pool_class=SentinelConnectionPool, **kwargs):
        """An ``oxredis.asyncio.Redis`` client of a replica of ``service_name``, else of the
        primary."""
        return self._client(service_name, redis_class, connection_pool_class, False, kwargs)

    def replica_for(self, service_name, redis_class=Redis,
                    connection_pool_class=SentinelConnectionPool, **kwargs):
        """``slave_for``."""
        return self.slave_for(service_name, redis_class=redis_class,
                              connection_pool_class=connection_pool_class, **kwargs)
