"""``oxredis.sentinel``: redis-py's ``redis.sentinel`` over oxredis's Sentinel client (Rust).

``Sentinel(sentinels, ...)`` asks the sentinels where a service's primary and replicas are.
``master_for`` and ``slave_for`` return ordinary ``Redis`` clients (every command, pipelines,
pub/sub...) whose connections are made in Rust: each new one asks the sentinels where to go
and checks the server's ``ROLE`` (the Sentinel client spec's procedure), so a client
reconnects to the new primary after a failover, and pooled connections to a replaced primary
are dropped instead of reused.
"""

from __future__ import annotations

import random
from typing import Any

from . import _native
from .client import Redis, SentinelCommands
from .connection import Connection, ConnectionPool, SSLConnection
from .exceptions import (
    ConnectionError,
    MasterNotFoundError,
    ReadOnlyError,
    ReplicaNotFoundError,
    SlaveNotFoundError,
)

__all__ = ["MasterNotFoundError", "ReplicaNotFoundError", "Sentinel", "SentinelConnectionPool",
           "SentinelManagedConnection", "SentinelManagedSSLConnection", "SlaveNotFoundError"]


class SentinelManagedConnection(Connection):
    """redis-py's ``SentinelManagedConnection``: a connection of a ``SentinelConnectionPool``
    (its ``get_connection()``), which, when it opens, asks the pool's sentinels for the primary
    (checked with ``ROLE``) or a replica, in Rust. On a primary's pool a ``ReadOnlyError`` (the
    primary was demoted) closes it and raises ``ConnectionError``, as redis-py's."""

    def __init__(self, **kwargs):
        pool = kwargs.pop("connection_pool")
        self.connection_pool = pool
        self._setup(pool._native.connection(), pool._native, pool.connection_kwargs)

    @classmethod
    def _from_pool(cls, pool) -> "SentinelManagedConnection":
        return cls(connection_pool=pool)

    def _setup(self, conn, native, kwargs: dict) -> None:
        super()._setup(conn, native, kwargs)
        # Where it connects is the sentinels' answer, not the pool's keywords.
        self.host = self.port = None

    def __repr__(self) -> str:
        return (f"<{type(self).__module__}.{type(self).__name__}"
                f"(service={self.connection_pool.service_name})>")

    def read_response(self, *args, **kwargs):
        try:
            return super().read_response(*args, **kwargs)
        except ReadOnlyError:
            if self.connection_pool.is_master:
                # A primary that answers READONLY was demoted: the next connection asks the
                # sentinels again.
                self.disconnect()
                raise ConnectionError("The previous master is now a slave") from None
            raise


class SentinelManagedSSLConnection(SentinelManagedConnection, SSLConnection):
    """redis-py's ``SentinelManagedSSLConnection``: ``SentinelManagedConnection`` over TLS
    (the pool's ``ssl=True`` settings)."""


class SentinelConnectionPool(ConnectionPool):
    """redis-py's ``SentinelConnectionPool(service_name, sentinel_manager, **kwargs)``: the
    pool of a client made by ``Sentinel.master_for`` (``is_master=True``, the default) or
    ``slave_for`` (``is_master=False``). Its connections are oxredis's: each one, when it
    opens, asks the sentinels of ``sentinel_manager`` for the primary (checked with ``ROLE``)
    or for a replica (round robin, else the primary). The other keywords are the connection
    settings (``password``, ``db``, ``socket_timeout``, ``decode_responses``, ``protocol``,
    ``ssl``...); a ``host`` or ``port`` among them is ignored."""

    def __init__(self, service_name, sentinel_manager, **kwargs):
        self.is_master = kwargs.pop("is_master", True)
        self.check_connection = kwargs.pop("check_connection", False)
        self.service_name = service_name
        self.sentinel_manager = sentinel_manager
        self.master_address = None
        self._slave_rr_counter = None
        caching = kwargs.get("cache") is not None or kwargs.get("cache_config") is not None
        if caching and not self.is_master:
            # Its connections rotate over the replicas, while the invalidations would come
            # on one connection to one of them.
            raise NotImplementedError("oxredis: client-side caching on slave_for clients")
        # The keywords make a plain pool's settings; the sentinels then direct its connections.
        kwargs.setdefault("connection_class", SentinelManagedSSLConnection if kwargs.get("ssl")
                          else SentinelManagedConnection)
        super().__init__(**kwargs)
        self._native = sentinel_manager._native.client_for(
            service_name, self.is_master, self._native)
        if self.cache is not None:
            # The cache is the sentinel-directed pool's: its invalidation connection follows
            # the primary across a failover.
            self.cache._native = self._native.cache()

    def __repr__(self) -> str:
        role = "master" if self.is_master else "slave"
        return (f"<{type(self).__module__}.{type(self).__name__}"
                f"(service={self.service_name}({role}))>")

    def reset(self) -> None:
        """Forgets the primary's address and the replica rotation (redis-py's ``reset``)."""
        self.master_address = None
        self._slave_rr_counter = None

    def get_master_address(self):
        """``(host, port)`` of the primary, as ``sentinel_manager.discover_master`` finds it
        (also kept in ``master_address`` for a primary's pool)."""
        address = self.sentinel_manager.discover_master(self.service_name)
        if self.is_master:
            self.master_address = address
        return address

    def _next_slaves(self, slaves: list) -> list:
        """``slaves`` in round-robin order, from a random start the first time."""
        if not slaves:
            return []
        if self._slave_rr_counter is None:
            self._slave_rr_counter = random.randint(0, len(slaves) - 1)
        order = []
        for _ in range(len(slaves)):
            self._slave_rr_counter = (self._slave_rr_counter + 1) % len(slaves)
            order.append(slaves[self._slave_rr_counter])
        return order

    def rotate_slaves(self):
        """redis-py's round-robin generator: each live replica's ``(host, port)``, then the
        primary's; ``SlaveNotFoundError`` after the last. (The pool's own connections rotate
        in Rust; this is for callers that want the addresses.)"""
        yield from self._next_slaves(self.sentinel_manager.discover_slaves(self.service_name))
        try:
            yield self.get_master_address()
        except MasterNotFoundError:
            pass
        raise SlaveNotFoundError(f"No slave found for {self.service_name!r}")

    def rotate_replicas(self):
        """``rotate_slaves``."""
        return self.rotate_slaves()


class Sentinel(SentinelCommands):
    """redis-py's ``Sentinel(sentinels, min_other_sentinels=0, sentinel_kwargs=None,
    force_master_ip=None, **connection_kwargs)``.

    ``sentinels`` are ``(host, port)`` pairs. ``connection_kwargs`` are the settings of the
    connections to the primary and replicas; ``sentinel_kwargs`` those of the connections to
    the sentinels (by default the ``socket_*`` ones of ``connection_kwargs``). An answer about
    the primary counts only from a sentinel that sees ``min_other_sentinels`` others (and then
    only for a primary that is up); ``force_master_ip`` replaces the primary's reported host.

    ``sentinels`` is the list of ``Redis`` clients of the sentinels, which ``execute_command``
    and the ``sentinel_*`` methods use. The discovery itself (``discover_master``, and every
    new connection of ``master_for``/``slave_for`` clients) runs in Rust, asking the sentinels
    in order with a short timeout each (0.5 s unless ``sentinel_kwargs`` set
    ``socket_timeout`` / ``socket_connect_timeout``), the first that answers moving to the
    front.
    """

    _client_class: Any = Redis
    _native_class: Any = _native.Sentinel

    def __init__(self, sentinels, min_other_sentinels=0, sentinel_kwargs=None,
                 force_master_ip=None, **connection_kwargs):
        if sentinel_kwargs is None:
            sentinel_kwargs = {k: v for k, v in connection_kwargs.items()
                               if k.startswith("socket_")}
        self.sentinel_kwargs = sentinel_kwargs
        addresses = [(host, int(port)) for host, port in sentinels]
        self.sentinels = [self._client_class(host=host, port=port, **sentinel_kwargs)
                          for host, port in addresses]
        self.min_other_sentinels = min_other_sentinels
        self.connection_kwargs = connection_kwargs
        self._force_master_ip = force_master_ip
        settings = ConnectionPool(**sentinel_kwargs)._native
        self._native = self._native_class(addresses, settings, int(min_other_sentinels),
                                          force_master_ip)

    def __repr__(self) -> str:
        addresses = ",".join(
            "{}:{}".format(s.connection_pool.connection_kwargs.get("host"),
                           s.connection_pool.connection_kwargs.get("port"))
            for s in self.sentinels)
        return f"<{type(self).__module__}.{type(self).__name__}(sentinels=[{addresses}])>"

    def execute_command(self, *args, **kwargs):
        """Sends a command to every sentinel (``once=True``: to one chosen at random) and
        returns whether every reply is true, or the replies with ``return_responses=True``."""
        once = bool(kwargs.pop("once", False))
        return_responses = bool(kwargs.pop("return_responses", False))
        if once:
            response = random.choice(self.sentinels).execute_command(*args, **kwargs)
            return [response] if return_responses else bool(response)
        responses = [s.execute_command(*args, **kwargs) for s in self.sentinels]
        return responses if return_responses else all(responses)

    def close(self) -> None:
        """Closes the sentinels' clients (not the ``master_for``/``slave_for`` ones)."""
        for sentinel in self.sentinels:
            sentinel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def check_master_state(self, state, service_name) -> bool:
        """Whether a ``sentinel_master`` state is a usable primary: flagged ``master``, not
        ``s_down`` nor ``o_down``, with ``min_other_sentinels`` other sentinels (the check
        the discovery makes in Rust)."""
        if not state["is_master"] or state["is_sdown"] or state["is_odown"]:
            return False
        return state["num-other-sentinels"] >= self.min_other_sentinels

    def _front(self) -> None:
        """Moves the sentinel client that answered the discovery to the front of
        ``sentinels``, as the discovery did with its own list."""
        order = self._native.sentinels()
        if not order:
            return
        for i, sentinel in enumerate(self.sentinels):
            kw = sentinel.connection_pool.connection_kwargs
            if (kw.get("host"), kw.get("port")) == order[0]:
                self.sentinels[0], self.sentinels[i] = sentinel, self.sentinels[0]
                return

    def discover_master(self, service_name):
        """``(host, port)`` of the primary of ``service_name`` as the first sentinel that
        knows it reports it; ``MasterNotFoundError`` when none does or none answers."""
        address = self._native.discover_master(service_name)
        self._front()
        return address

    def filter_slaves(self, slaves) -> list:
        """``(ip, port)`` of each replica state that is neither ``s_down`` nor ``o_down``."""
        return [(s["ip"], s["port"]) for s in slaves if not (s["is_odown"] or s["is_sdown"])]

    def filter_replicas(self, replicas) -> list:
        """``filter_slaves``."""
        return self.filter_slaves(replicas)

    def discover_slaves(self, service_name) -> list:
        """``(host, port)`` of each live replica of ``service_name`` (not ``s_down``,
        ``o_down`` nor ``disconnected``) from the first sentinel that lists any; ``[]`` when
        there are none, or no sentinel answers."""
        try:
            return self._native.discover_slaves(service_name)
        except ConnectionError:
            return []

    def discover_replicas(self, service_name) -> list:
        """``discover_slaves``."""
        return self.discover_slaves(service_name)

    def _client(self, service_name, redis_class, connection_pool_class, is_master, kwargs):
        kwargs["is_master"] = is_master
        connection_kwargs = dict(self.connection_kwargs)
        connection_kwargs.update(kwargs)
        return redis_class.from_pool(
            connection_pool_class(service_name, self, **connection_kwargs))

    def master_for(self, service_name, redis_class=Redis,
                   connection_pool_class=SentinelConnectionPool, **kwargs):
        """A ``redis_class`` client of the primary of ``service_name``; ``kwargs`` are merged
        over the ``connection_kwargs``. Every connection it opens asks the sentinels, so it
        follows a failover. No connection is made yet."""
        return self._client(service_name, redis_class, connection_pool_class, True, kwargs)

    def slave_for(self, service_name, redis_class=Redis,
                  connection_pool_class=SentinelConnectionPool, **kwargs):
        """A ``redis_class`` client of a replica of ``service_name`` (each connection: the next
        live replica that answers ``ROLE`` as one, else the primary)."""
        return self._client(service_name, redis_class, connection_pool_class, False, kwargs)

    def replica_for(self, service_name, redis_class=Redis,
                    connection_pool_class=SentinelConnectionPool, **kwargs):
        """``slave_for``."""
        return self.slave_for(service_name, redis_class=redis_class,
                              connection_pool_class=connection_pool_class, **kwargs)
