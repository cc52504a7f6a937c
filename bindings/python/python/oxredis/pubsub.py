"""``PubSub``: redis-py's pub/sub API over oxredis's blocking pub/sub session.

Subscribing and reading happen in Rust (GIL released while waiting); handlers passed as keyword
arguments, ``ignore_subscribe_messages`` and ``run_in_thread`` are here.
"""

from __future__ import annotations

import threading
from typing import Callable, Iterator, Optional

from .exceptions import DataError, PubSubError

_SUBSCRIBE_TYPES = {"subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe",
                    "sunsubscribe"}


def _key(name, native=None) -> bytes:
    """``name`` as bytes: a ``str`` in the encoding of ``native`` (a native pub/sub session)."""
    if isinstance(name, str):
        if native is None:
            return name.encode()
        return name.encode(native.encoding, native.encoding_errors)
    return bytes(name)


# What ``execute_command`` sends on a pub/sub connection: each command's method.
_PUBSUB_METHODS = {"SUBSCRIBE": "subscribe", "PSUBSCRIBE": "psubscribe",
                   "SSUBSCRIBE": "ssubscribe", "UNSUBSCRIBE": "unsubscribe",
                   "PUNSUBSCRIBE": "punsubscribe", "SUNSUBSCRIBE": "sunsubscribe",
                   "PING": "ping"}


def _pubsub_method(pubsub, args) -> Callable:
    """The method of ``pubsub`` that sends the command ``args`` (``("SUBSCRIBE", "ch")``)."""
    if not args:
        raise DataError("execute_command needs a command")
    name = args[0].decode() if isinstance(args[0], bytes) else str(args[0])
    method = _PUBSUB_METHODS.get(name.upper())
    if method is None:
        raise DataError(f"{name} is not sent on a pub/sub connection: oxredis sends the "
                        "subscribe and unsubscribe commands and PING there")
    if method == "ping" and len(args) > 2:
        raise DataError("PING takes one message at the most")
    return getattr(pubsub, method)


def _message_of(response) -> dict:
    """redis-py's message dict of a reply as read off a pub/sub connection: a list such as
    ``[b"message", channel, data]`` or ``[b"pmessage", pattern, channel, data]``, or the plain
    ``b"PONG"`` of a PING with nothing subscribed."""
    if isinstance(response, (bytes, str)):
        empty = b"" if isinstance(response, bytes) else ""
        response = ["pong", empty if response.upper() in (b"PONG", "PONG") else response]
    kind = response[0].decode() if isinstance(response[0], bytes) else str(response[0])
    if kind == "pmessage":
        return {"type": kind, "pattern": response[1], "channel": response[2],
                "data": response[3]}
    if kind == "pong":
        return {"type": kind, "pattern": None, "channel": None, "data": response[1]}
    return {"type": kind, "pattern": None, "channel": response[1], "data": response[2]}


class _Subscriptions:
    """What the blocking and the asyncio ``PubSub`` share: the handlers registered by name,
    the subscription getters and where a message read goes."""

    def __init__(self, native, ignore_subscribe_messages: bool = False):
        self._native = native
        self.ignore_subscribe_messages = ignore_subscribe_messages
        self._handlers: dict = {}  # channel/pattern (bytes) -> callable or None

    def _key(self, name) -> bytes:
        """A channel's or pattern's name as bytes, in the client's encoding."""
        return _key(name, self._native)

    @property
    def subscribed(self) -> bool:
        """Whether anything is subscribed."""
        return self._native.subscribed

    @property
    def channels(self) -> dict:
        return {c: self._handlers.get(self._key(c)) for c in self._native.channels}

    @property
    def patterns(self) -> dict:
        return {p: self._handlers.get(self._key(p)) for p in self._native.patterns}

    @property
    def shard_channels(self) -> dict:
        return {c: self._handlers.get(self._key(c)) for c in self._native.shard_channels}

    def _register(self, args, kwargs) -> list:
        names = list(args)
        for name, handler in kwargs.items():
            names.append(name)
            self._handlers[self._key(name)] = handler
        for name in args:
            self._handlers.setdefault(self._key(name), None)
        return names

    def _check_handlers(self) -> None:
        """A worker dispatches every message to a handler: each subscription needs one."""
        for name, handler in self._handlers.items():
            if handler is None:
                raise PubSubError(f"Channel: '{name!r}' has no handler registered")

    def _route(self, response, ignore_subscribe_messages: bool):
        """``(message, handler)`` for what was read (a message dict, or a raw reply as redis-py's
        ``handle_message`` takes): ``handler`` is the one to give the message to, if any;
        ``message`` is ``None`` for an ignored subscribe confirmation."""
        message = response if isinstance(response, dict) else _message_of(response)
        kind = message["type"]
        if kind in _SUBSCRIBE_TYPES:
            if kind.endswith("unsubscribe") and message["channel"] is not None:
                self._handlers.pop(self._key(message["channel"]), None)
            if self.ignore_subscribe_messages or ignore_subscribe_messages:
                return None, None
        elif kind in ("message", "pmessage", "smessage"):
            source = message["pattern"] if kind == "pmessage" else message["channel"]
            return message, self._handlers.get(self._key(source))
        return message, None


class PubSub(_Subscriptions):
    """A pub/sub session on its own connection (``Redis.pubsub()``)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        """Closes the connection; subscriptions are forgotten."""
        self._native.close()
        self._handlers.clear()

    reset = close

    def subscribe(self, *args, **kwargs) -> None:
        """SUBSCRIBE; ``channel=handler`` keywords register a handler for that channel."""
        self._native.subscribe(*self._register(args, kwargs))

    def psubscribe(self, *args, **kwargs) -> None:
        """PSUBSCRIBE; ``pattern=handler`` keywords register a handler."""
        self._native.psubscribe(*self._register(args, kwargs))

    def ssubscribe(self, *args, target_node=None, **kwargs) -> None:
        """SSUBSCRIBE; ``channel=handler`` keywords register a handler."""
        self._native.ssubscribe(*self._register(args, kwargs))

    def unsubscribe(self, *args) -> None:
        """UNSUBSCRIBE from channels (all when none are given)."""
        self._native.unsubscribe(*args)

    def punsubscribe(self, *args) -> None:
        """PUNSUBSCRIBE from patterns (all when none are given)."""
        self._native.punsubscribe(*args)

    def sunsubscribe(self, *args, target_node=None) -> None:
        """SUNSUBSCRIBE from shard channels (all when none are given)."""
        self._native.sunsubscribe(*args)

    def execute_command(self, *args) -> None:
        """Sends a pub/sub command given as words (``"SUBSCRIBE", "ch"``): SUBSCRIBE,
        PSUBSCRIBE, SSUBSCRIBE, their UNSUBSCRIBEs, or PING; its confirmation arrives as a
        message, as in redis-py."""
        _pubsub_method(self, args)(*args[1:])

    def ping(self, message=None) -> None:
        """PING (``PING message`` with a message); the ``pong`` arrives as a message whose
        ``data`` is the message (``b''`` without one)."""
        self._native.ping(message)

    def check_health(self) -> None:
        """With ``health_check_interval`` set and the connection idle that long: a PING, whose
        reply the next read swallows. Reads do this themselves."""
        self._native.check_health()

    def get_message(self, ignore_subscribe_messages: bool = False,
                    timeout: Optional[float] = 0.0) -> Optional[dict]:
        """The next message, or ``None`` when nothing arrived within ``timeout`` seconds (or
        the message went to its handler, or was an ignored subscribe confirmation)."""
        message = self._native.get_message(timeout)
        if message is None:
            return None
        return self.handle_message(message, ignore_subscribe_messages)

    def handle_message(self, response, ignore_subscribe_messages: bool = False
                       ) -> Optional[dict]:
        """The message dict of ``response`` (a message as read, or a raw reply such as
        ``[b"message", b"ch", b"data"]``); ``None`` when it went to its channel's handler or
        is an ignored subscribe confirmation."""
        message, handler = self._route(response, ignore_subscribe_messages)
        if handler is None:
            return message
        handler(message)
        return None

    def listen(self) -> Iterator[dict]:
        """Every message, blocking, while anything is subscribed."""
        while self.subscribed:
            message = self.get_message(timeout=None)
            if message is not None:
                yield message

    def run_in_thread(self, sleep_time: float = 0.0, daemon: bool = False,
                      exception_handler: Optional[Callable] = None) -> "PubSubWorkerThread":
        """Reads messages in a thread, giving each to its handler, until ``stop()``. Every
        subscription needs a handler."""
        self._check_handlers()
        thread = PubSubWorkerThread(self, sleep_time, daemon=daemon,
                                    exception_handler=exception_handler)
        thread.start()
        return thread


class PubSubWorkerThread(threading.Thread):
    """The thread of ``run_in_thread``; ``stop()`` ends it within ``sleep_time``."""

    def __init__(self, pubsub: PubSub, sleep_time: float, daemon: bool = False,
                 exception_handler: Optional[Callable] = None):
        super().__init__()
        self.daemon = daemon
        self.pubsub = pubsub
        # a zero wait would spin; oxredis waits on the socket, so a short wait costs nothing
        self.sleep_time = sleep_time if sleep_time and sleep_time > 0 else 0.05
        self.exception_handler = exception_handler
        self._running = threading.Event()

    def run(self) -> None:
        if self._running.is_set():
            return
        self._running.set()
        pubsub, sleep_time = self.pubsub, self.sleep_time
        while self._running.is_set():
            try:
                pubsub.get_message(ignore_subscribe_messages=True, timeout=sleep_time)
            except BaseException as e:
                if self.exception_handler is None:
                    raise
                self.exception_handler(e, pubsub, self)
        pubsub.close()

    def stop(self) -> None:
        """Stops the loop; the thread closes the pub/sub connection and ends."""
        self._running.clear()
