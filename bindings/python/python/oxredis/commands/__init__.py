"""The Redis module commands (redis-py's ``redis.commands``): ``r.json()``, ``r.bf()``,
``r.cf()``, ``r.cms()``, ``r.topk()``, ``r.tdigest()``, ``r.ts()``, ``r.ft()``.

Each namespace object holds the client it came from and sends its commands through that
client's ``_cmd``/``_cmd_post``, so the same method definitions serve the blocking and asyncio
clients, their pipelines and ``RedisCluster``. Replies are the server's (``RAW``, or RESP2's
form of a RESP3 reply where that is simpler to read), shaped in Python by a ``post`` function
into redis-py's RESP2 values, which are then the same on both protocols.
"""

from __future__ import annotations

from typing import Any

_PIPELINE_CLASSES: dict = {}


def _text(value: Any) -> Any:
    """``bytes`` as ``str`` (UTF-8, invalid bytes replaced); anything else as it is."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return value


def _protocol(client) -> int:
    """The RESP version a client (or a pipeline of one) speaks."""
    get = getattr(client, "get_protocol", None)
    if get is None:
        get = client._client.get_protocol
    return int(get())


class ModuleCommands:
    """What a module's command mixin needs from where it lives: ``_send(post, shape, *args)``
    runs (or queues) one command. On a namespace object (``r.json()``) it goes through the
    client; on a module pipeline (``r.json().pipeline()``) the pipeline itself is the
    client."""

    _resp3 = False

    def _send(self, post, shape, *args):
        target = self if self._is_pipeline else self.client
        if post is None:
            return target._cmd(shape, *args)
        return target._cmd_post(post, shape, *args)

    _is_pipeline = True


class ModuleNamespace(ModuleCommands):
    """A module's namespace object on a client (``r.bf()``): ``self.client`` sends the
    commands."""

    _is_pipeline = False

    def __init__(self, client):
        self.client = client
        self.execute_command = client.execute_command
        self._resp3 = _protocol(client) == 3


class PipelineNamespace(ModuleNamespace):
    """A namespace with ``pipeline()`` (redis-py's JSON and Search have one; the others are
    used on a pipeline as ``pipe.bf().add(...)``)."""

    def _pipeline_state(self) -> dict:
        """The attributes a module pipeline copies from its namespace object."""
        return {"_resp3": self._resp3}

    def pipeline(self, transaction: bool = True, shard_hint=None):
        """A pipeline of the client with this module's commands (where their names clash
        with the core ones, the module's win: ``pipe.set`` is ``JSON.SET`` on
        ``r.json().pipeline()``) and the core commands."""
        pipe = self.client.pipeline(transaction=transaction, shard_hint=shard_hint)
        mixin = self._COMMANDS
        base = type(pipe)
        cls = _PIPELINE_CLASSES.get((mixin, base))
        if cls is None:
            cls = type(f"{mixin.__name__.replace('Commands', '')}{base.__name__}",
                       (mixin, base), {"_is_pipeline": True})
            _PIPELINE_CLASSES[(mixin, base)] = cls
        pipe.__class__ = cls
        for name, value in self._pipeline_state().items():
            setattr(pipe, name, value)
        return pipe
