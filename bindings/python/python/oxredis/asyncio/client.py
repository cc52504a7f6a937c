"""``oxredis.asyncio.Redis``: redis-py's asyncio API over oxredis's async (tokio) client.

The command methods are the very ones of the blocking client (``CoreCommands``): each only
assembles its arguments and returns ``self._cmd(shape, *args)``. Here ``_cmd`` returns an
asyncio future: Rust packs the command at once and a tokio task sends it on the shared
multiplexed connection; when the reply arrives the task queues it on the running loop's
``_native.Completer`` and wakes the loop through a socket it watches (``add_reader``); the loop
then shapes every queued reply in Rust and resolves the futures in one pass (the tokio threads
never take the GIL).
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import weakref
from typing import Any, AsyncIterator, Callable, Optional

from .. import _native
from .. import client as _sync
from ..client import RAW, CoreCommands
from ..exceptions import ConnectionError, NoScriptError, RedisError, WatchError
from ..pubsub import _pubsub_method, _Subscriptions


_get_running_loop = asyncio.get_running_loop
_completers: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _completer(loop) -> "_native.Completer":
    """The running loop's completion queue, registered with it on first use."""
    c = _completers.get(loop)
    if c is None:
        c = _native.Completer()
        loop.add_reader(c.fileno(), c.drain)
        _completers[loop] = c
    return c


def _future():
    """A new future of the running loop and that loop's ``Completer``."""
    loop = _get_running_loop()
    c = _completers.get(loop)
    if c is None:
        c = _completer(loop)
    return loop.create_future(), c


async def _posted(fut, post):
    """``post`` of the awaited reply."""
    return post(await fut)


async def _shutdown(self, args):
    """SHUTDOWN awaited: ``None`` once the server closed the connection (the blocking
    ``_shutdown``'s rule)."""
    try:
        await self._cmd(RAW, *args)
    except ConnectionError:
        return None
    raise RedisError("SHUTDOWN seems to have failed.")


class Redis(CoreCommands):
    """An asyncio Redis client with redis-py's API: ``await r.get("k")``. Takes the same
    keyword arguments as ``oxredis.Redis`` (and ``connection_pool=``). All commands share one
    multiplexed connection (blocking commands such as BLPOP get their own)."""

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> "Redis":
        """A client from ``redis://...`` or ``unix://...``; keyword arguments win over the URL."""
        from ..connection import _url_kwargs

        kwargs = _url_kwargs(url, kwargs)
        return cls(_url=url, _explicit=frozenset(kwargs), **kwargs)

    # A client on the given pool (redis-py's ``from_pool``).
    from_pool = classmethod(_sync.Redis.from_pool.__func__)

    # `single_connection_client=True` changes nothing: every command already shares one
    # connection (blocking commands excepted).
    _SINGLE = False

    def __init__(self, *args: Any, **kwargs: Any):
        for name in ("cache", "cache_config"):
            # redis-py's asyncio client has no client-side caching.
            if name in kwargs:
                raise TypeError(f"Redis.__init__() got an unexpected keyword argument '{name}'")
        # The blocking client's constructor builds (or takes) the ConnectionPool.
        _sync.Redis.__init__(self, *args, **kwargs)
        self._native = self.connection_pool._asynchronous()
        self._execute = self._native.execute
        self._loop = None
        self._completer = None

    def _cmd(self, shape, *args):
        loop = _get_running_loop()
        if loop is not self._loop:
            self._loop, self._completer = loop, _completer(loop)
        fut = loop.create_future()
        self._execute(args, shape, fut, self._completer)
        return fut

    def _cmd_post(self, post, shape, *args):
        return _posted(Redis._cmd(self, shape, *args), post)

    def get(self, name):
        """GET: the value, or ``None`` (awaitable)."""
        loop = _get_running_loop()
        if loop is not self._loop:
            self._loop, self._completer = loop, _completer(loop)
        fut = loop.create_future()
        self._execute(("GET", name), RAW, fut, self._completer)
        return fut

    def __repr__(self) -> str:
        return f"<oxredis.asyncio.Redis(protocol={self._native.protocol})>"

    def __await__(self):
        return self.initialize().__await__()

    async def initialize(self) -> "Redis":
        """Nothing to do (connections open on the first command); redis-py's API."""
        return self

    async def __aenter__(self) -> "Redis":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self, close_connection_pool: Optional[bool] = None) -> None:
        """Closes the client (the connection closes when the last reference goes)."""

    close = aclose

    def get_protocol(self) -> int:
        """The RESP version spoken: 2 or 3."""
        return self._native.protocol

    def get_connection_kwargs(self) -> dict:
        """The keyword arguments of the client's connection pool."""
        return self.connection_pool.connection_kwargs

    def pipeline(self, transaction: bool = True, shard_hint=None) -> "Pipeline":
        """A pipeline: commands queue (chainable) until ``await execute()`` sends them in one
        request (inside MULTI/EXEC when ``transaction``)."""
        return Pipeline(self, transaction)

    def pubsub(self, ignore_subscribe_messages: bool = False, **kwargs) -> "PubSub":
        """An async ``PubSub`` on a connection of its own."""
        return PubSub(self._native.pubsub(), ignore_subscribe_messages)

    def register_script(self, script) -> "Script":
        """A callable ``Script``: ``await script(keys=[...], args=[...])``."""
        return Script(self, script)

    async def scan_iter(self, match=None, count=None, _type=None, **kwargs) -> AsyncIterator:
        """Every key, through SCAN cursors (``async for``)."""
        cursor = "0"
        while cursor != 0:
            cursor, keys = await self.scan(cursor=cursor, match=match, count=count, _type=_type)
            for key in keys:
                yield key

    async def sscan_iter(self, name, match=None, count=None) -> AsyncIterator:
        """Every member of a set, through SSCAN cursors."""
        cursor = "0"
        while cursor != 0:
            cursor, data = await self.sscan(name, cursor=cursor, match=match, count=count)
            for item in data:
                yield item

    async def hscan_iter(self, name, match=None, count=None, no_values=None) -> AsyncIterator:
        """Every ``(field, value)`` of a hash (every field with ``no_values=True``), through
        HSCAN cursors."""
        cursor = "0"
        while cursor != 0:
            cursor, data = await self.hscan(name, cursor=cursor, match=match, count=count,
                                            no_values=no_values)
            for item in (data if no_values else data.items()):
                yield item

    async def zscan_iter(self, name, match=None, count=None,
                         score_cast_func=float) -> AsyncIterator:
        """Every ``(member, score)`` of a sorted set, through ZSCAN cursors."""
        cursor = "0"
        while cursor != 0:
            cursor, data = await self.zscan(name, cursor=cursor, match=match, count=count,
                                            score_cast_func=score_cast_func)
            for item in data:
                yield item

    def monitor(self) -> "Monitor":
        """MONITOR on a connection of its own: ``async with r.monitor() as m:``, then
        ``await m.next_command()`` or ``async for command in m.listen()``."""
        return Monitor(self)

    # An asyncio ``Lock`` (``async with r.lock(name):``), with the blocking client's arguments.
    lock = _sync.Redis.lock

    @staticmethod
    def _lock_class():
        from .lock import Lock

        return Lock

    async def transaction(self, func, *watches, shard_hint=None, value_from_callable=False,
                          watch_delay=None):
        """Runs ``func(pipe)`` (a coroutine function or a plain one) with ``watches``
        WATCHed, then EXEC; again from the start when a watched key changed (``WatchError``).
        Returns EXEC's replies, or ``func``'s value with ``value_from_callable=True``."""
        async with self.pipeline(True) as pipe:
            while True:
                try:
                    if watches:
                        await pipe.watch(*watches)
                    func_value = func(pipe)
                    if inspect.isawaitable(func_value):
                        func_value = await func_value
                    exec_value = await pipe.execute()
                    return func_value if value_from_callable else exec_value
                except WatchError:
                    if watch_delay is not None and watch_delay > 0:
                        await asyncio.sleep(watch_delay)
                    continue

    def _not_yet(name: str):  # type: ignore[misc]
        def method(self, *args, **kwargs):
            raise NotImplementedError(
                f"oxredis: asyncio Redis.{name}() is not implemented yet")
        method.__name__ = name
        return method

    del _not_yet

    def set_response_callback(self, command: str, callback) -> None:
        """Replaces the reply shaping of ``command`` (``"GET"``, ``"CONFIG GET"``...) on this
        client and its pipelines: ``callback(reply)`` gets the reply as the server sent it and
        returns the command's result."""
        self.response_callbacks[command] = callback

    _shutdown = _shutdown


StrictRedis = Redis


class Pipeline(_native.CommandQueue, CoreCommands):
    """Queued commands (each method returns the pipeline, for chaining) sent in one request by
    ``await execute()``. After ``await watch(*names)`` commands run at once on the watched
    connection (``await pipe.get(key)``) until ``multi()``; from then on they queue, and
    ``await execute()`` runs them in MULTI/EXEC, raising ``WatchError`` if a watched key
    changed."""

    def __init__(self, client: Redis, transaction: bool = True):
        # The queue, `_cmd`, `__len__` and `command_stack` are native
        # (`_native.CommandQueue`): each command is packed as it is queued, its `str`
        # arguments in the client's encoding.
        self._client = client
        self._set_encoding(client._native.encoding, client._native.encoding_errors)
        self.transaction = transaction
        self._scripts: dict = {}
        self._watched = None
        self.explicit_transaction = False
        self._posts: dict = {}

    @property
    def watching(self) -> bool:
        """Whether keys are WATCHed."""
        return self._watched is not None

    def _run_now(self, args, shape, post=None):
        # Between watch() and multi(): the command runs at once on the watched connection
        # (the native `_cmd`'s hook then), with the client's response callback if it has one.
        callback = self._client.response_callbacks.get(_sync._command_name(args))
        if callback is not None:
            post, shape = callback, RAW
        fut, completer = _future()
        self._watched.execute(args, shape, fut, completer)
        return fut if post is None else _posted(fut, post)

    def _cmd_post(self, post, shape, *args):
        if self._watched is not None and not self.explicit_transaction:
            return self._run_now(args, shape, post)
        self._posts[len(self)] = post
        return self._cmd(shape, *args)

    def __bool__(self) -> bool:
        return True

    async def __aenter__(self) -> "Pipeline":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.reset()

    def __await__(self):
        async def itself():
            return self
        return itself().__await__()

    async def reset(self) -> None:
        """Drops the queued commands."""
        self._clear()
        self._set_run_now(None)
        self.explicit_transaction = False
        self._scripts = {}
        self._posts = {}
        watched, self._watched = self._watched, None
        if watched is not None:
            watched.reset()

    async def aclose(self) -> None:
        """As ``reset()``."""
        await self.reset()

    def multi(self) -> None:
        """Starts queueing the transaction's commands (after ``watch``)."""
        if self.explicit_transaction:
            raise RedisError("Cannot issue nested calls to MULTI")
        if len(self):
            raise RedisError("Commands without an initial WATCH have already been issued")
        self.explicit_transaction = True
        self._set_run_now(None)

    async def watch(self, *names) -> None:
        """WATCHes keys on a connection of the pipeline's own; commands then run at once
        (``await pipe.get(key)``) until ``multi()``."""
        if self.explicit_transaction:
            raise RedisError("Cannot issue a WATCH after a MULTI")
        fut, completer = _future()
        if self._watched is None:
            if len(self):
                raise RedisError("Cannot issue a WATCH after commands were queued")
            self._client._native.watch(names, fut, completer)
            self._watched = await fut
            self._set_run_now(self._run_now)
        else:
            self._watched.watch(names, fut, completer)
            await fut

    async def unwatch(self) -> bool:
        """UNWATCHes every key."""
        if self._watched is not None:
            fut, completer = _future()
            self._watched.unwatch(fut, completer)
            await fut
        return True

    async def execute(self, raise_on_error: bool = True) -> list:
        """Sends the queued commands; their replies, in order. With ``raise_on_error=False`` a
        command's error is returned in its place."""
        scripts, self._scripts = self._scripts, {}
        if scripts:
            shas = list(scripts)
            for sha, known in zip(shas, await self._client.script_exists(*shas)):
                if not known:
                    await self._client.script_load(scripts[sha].script)
        posts, self._posts = self._posts, {}
        posts = _sync._queue_callbacks(self, posts, self._client.response_callbacks)
        watched, self._watched = self._watched, None
        self.explicit_transaction = False
        self._set_run_now(None)
        if watched is not None:
            fut, completer = _future()
            # Takes the queued commands and releases the watched connection.
            watched.execute_transaction(self, raise_on_error, fut, completer)
            return _sync._apply_posts(await fut, posts)
        if not len(self):
            return []
        fut, completer = _future()
        # Takes the queued commands: the pipeline is empty afterwards.
        self._client._native.execute_pipeline(self, self.transaction, raise_on_error, fut,
                                              completer)
        return _sync._apply_posts(await fut, posts)


class Monitor:
    """MONITOR on a connection of its own (redis-py's asyncio ``Monitor``), opened by
    ``async with`` or the first ``next_command()``; each command the server runs as a dict:
    ``time``, ``db``, ``client_address``, ``client_port``, ``client_type``, ``command``."""

    def __init__(self, client: Redis):
        self._client = client
        self._native = None

    async def connect(self) -> None:
        """Opens the connection and sends MONITOR (once)."""
        if self._native is None:
            fut, completer = _future()
            self._client._native.monitor(fut, completer)
            self._native = await fut

    async def __aenter__(self) -> "Monitor":
        await self.connect()
        return self

    async def __aexit__(self, *exc) -> None:
        if self._native is not None:
            self._native.close()
            self._native = None

    async def next_command(self) -> dict:
        """The next command the server ran."""
        await self.connect()
        fut, completer = _future()
        self._native.next_command(fut, completer)
        return await fut

    async def listen(self) -> AsyncIterator[dict]:
        """Every command, as it runs."""
        while True:
            yield await self.next_command()


class Script:
    """A Lua script called by its SHA1 (EVALSHA), loaded when the server lacks it."""

    def __init__(self, registered_client: Redis, script):
        self.registered_client = registered_client
        self.script = script
        source = script.encode() if isinstance(script, str) else bytes(script)
        self.sha = hashlib.sha1(source).hexdigest()

    async def __call__(self, keys=[], args=[], client=None):  # noqa: B006 - redis-py's
        if client is None:
            client = self.registered_client
        keys, args = list(keys), list(args)
        if isinstance(client, Pipeline):
            client._scripts[self.sha] = self
            return client.evalsha(self.sha, len(keys), *keys, *args)
        try:
            return await client.evalsha(self.sha, len(keys), *keys, *args)
        except NoScriptError:
            self.sha = await client.script_load(self.script)
            return await client.evalsha(self.sha, len(keys), *keys, *args)


class PubSub(_Subscriptions):
    """An async pub/sub session on its own connection (``Redis.pubsub()``); handlers given as
    keywords may be plain functions or coroutine functions."""

    async def __aenter__(self) -> "PubSub":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Closes the connection; subscriptions are forgotten."""
        await self._call("close")
        self._handlers.clear()

    close = aclose
    reset = aclose

    async def connect(self) -> None:
        """Connects now (restoring the subscriptions) unless connected; every call connects on
        its own, so this only finds out early that the server is away."""
        await self._call("connect")

    async def check_health(self) -> None:
        """With ``health_check_interval`` set and the connection idle that long: a PING, whose
        reply the next read swallows. Reads do this themselves."""
        await self._call("check_health")

    def _call(self, method: str, *args):
        fut, completer = _future()
        getattr(self._native, method)(fut, completer, *args)
        return fut

    def _sub(self, command: str, *names):
        fut, completer = _future()
        self._native.subscription(command, fut, completer, *names)
        return fut

    async def subscribe(self, *args, **kwargs) -> None:
        """SUBSCRIBE; ``channel=handler`` keywords register a handler."""
        await self._sub("subscribe", *self._register(args, kwargs))

    async def psubscribe(self, *args, **kwargs) -> None:
        """PSUBSCRIBE; ``pattern=handler`` keywords register a handler."""
        await self._sub("psubscribe", *self._register(args, kwargs))

    async def ssubscribe(self, *args, **kwargs) -> None:
        """SSUBSCRIBE; ``channel=handler`` keywords register a handler."""
        await self._sub("ssubscribe", *self._register(args, kwargs))

    async def unsubscribe(self, *args) -> None:
        """UNSUBSCRIBE (all channels when none are given)."""
        await self._sub("unsubscribe", *args)

    async def punsubscribe(self, *args) -> None:
        """PUNSUBSCRIBE (all patterns when none are given)."""
        await self._sub("punsubscribe", *args)

    async def sunsubscribe(self, *args) -> None:
        """SUNSUBSCRIBE (all shard channels when none are given)."""
        await self._sub("sunsubscribe", *args)

    async def ping(self, message=None) -> None:
        """PING (``PING message`` with a message); the ``pong`` arrives as a message whose
        ``data`` is the message (``b''`` without one)."""
        await self._call("ping", message)

    async def execute_command(self, *args) -> None:
        """Sends a pub/sub command given as words (``"SUBSCRIBE", "ch"``): SUBSCRIBE,
        PSUBSCRIBE, SSUBSCRIBE, their UNSUBSCRIBEs, or PING; its confirmation arrives as a
        message, as in redis-py."""
        await _pubsub_method(self, args)(*args[1:])

    async def get_message(self, ignore_subscribe_messages: bool = False,
                          timeout: Optional[float] = 0.0) -> Optional[dict]:
        """The next message, or ``None`` when nothing arrived within ``timeout`` seconds (or
        it went to its handler, or was an ignored subscribe confirmation)."""
        message = await self._call("get_message", timeout)
        if message is None:
            return None
        return await self.handle_message(message, ignore_subscribe_messages)

    async def handle_message(self, response, ignore_subscribe_messages: bool = False
                             ) -> Optional[dict]:
        """The message dict of ``response`` (a message as read, or a raw reply such as
        ``[b"message", b"ch", b"data"]``); ``None`` when it went to its channel's handler
        (awaited if a coroutine function) or is an ignored subscribe confirmation."""
        message, handler = self._route(response, ignore_subscribe_messages)
        if handler is None:
            return message
        result = handler(message)
        if inspect.isawaitable(result):
            await result
        return None

    async def listen(self) -> AsyncIterator[dict]:
        """Every message, while anything is subscribed (``async for``)."""
        while self.subscribed:
            message = await self.get_message(timeout=None)
            if message is not None:
                yield message

    async def run(self, *, exception_handler: Optional[Callable] = None,
                  poll_timeout: float = 1.0) -> None:
        """Dispatches messages to their handlers until cancelled (redis-py's ``run``)."""
        self._check_handlers()
        while True:
            try:
                await self.get_message(ignore_subscribe_messages=True, timeout=poll_timeout)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as e:
                if exception_handler is None:
                    raise
                result = exception_handler(e, self)
                if inspect.isawaitable(result):
                    await result
