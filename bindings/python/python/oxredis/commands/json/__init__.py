"""RedisJSON (redis-py's ``redis.commands.json``): ``r.json()`` is a ``JSON`` whose methods
send JSON.* commands through ``r``.

Values are encoded with the ``encoder`` (``json.JSONEncoder()``) and decoded with the
``decoder`` (``json.JSONDecoder()``), as redis-py does. The replies are redis-py's RESP2
values on both protocols (redis-py's default, ``legacy_responses=True``): where RedisJSON
answers RESP3 differently (JSON.NUMINCRBY and JSON.TYPE wrap a legacy path's result in an
array, JSON.RESP sends doubles), the reply is brought back to what RESP2 gives.
"""

from __future__ import annotations

import copy
import json as _json
import os
import re
from enum import Enum

from ...client import OK, RAW, RESP2
from ...exceptions import DataError
from .. import ModuleCommands, PipelineNamespace, _text
from .path import Path

__all__ = ["JSON", "JSONCommands", "Path", "FPHAType"]


class FPHAType(str, Enum):
    """The floating-point type of JSON.SET's ``FPHA`` option."""

    BF16 = "BF16"
    FP16 = "FP16"
    FP32 = "FP32"
    FP64 = "FP64"

    @classmethod
    def from_value(cls, value) -> "FPHAType":
        """A member from itself or its name in any case; ``DataError`` otherwise."""
        if isinstance(value, cls):
            return value
        try:
            return cls(str(value).upper())
        except ValueError:
            raise DataError(f"Invalid FPHA type: {value}. Must be one of "
                            f"{', '.join(t.value for t in cls)}") from None


_FLOAT_TEXT = re.compile(r"^\d+.\d+$")
_INT_TEXT = re.compile(r"^\d+$")


def _native_text(value):
    """redis-py's ``nativestr``: ``bytes`` as ``str``, the text ``null`` as ``None``."""
    value = _text(value)
    return None if value == "null" else value


def _unstring(text: str):
    """redis-py's ``unstring``: digits as ``int``, ``digits.digits`` as ``float``, other
    text as it is."""
    if _FLOAT_TEXT.match(text):
        return float(text)
    if _INT_TEXT.match(text):
        return int(text)
    return text


def _decode_keys(obj):
    """redis-py's ``decode_dict_keys``: a shallow copy with ``bytes`` keys as ``str``."""
    out = copy.copy(obj)
    for key in obj:
        if isinstance(key, bytes):
            out[key.decode("utf-8")] = out.pop(key)
    return out


class JSONCommands(ModuleCommands):
    """The JSON.* command methods (redis-py's ``JSONCommands``)."""

    def _encode(self, obj) -> str:
        return self._encoder.encode(obj)

    def _decode(self, obj):
        """A reply as redis-py's JSON decoding gives it: JSON text decoded; an array's
        strings as ``str`` (not decoded); text that is not JSON as ``int``/``float`` when it
        looks like one; integers and ``None`` as they are."""
        if obj is None:
            return None
        if isinstance(obj, list):
            return [_native_text(x) for x in obj]
        if isinstance(obj, (bytes, bytearray, str)):
            text = _text(obj)
            try:
                return self._decoder.decode(text)
            except _json.JSONDecodeError:
                return _unstring(text)
        return obj

    def _decode_list(self, obj):
        # JSON.MGET: each value decoded, a missing one None.
        if obj is None:
            return obj
        return [None if x is None else self._decode(x) for x in obj]

    def _numop(self, path: str):
        """JSON.NUMINCRBY / NUMMULTBY: RESP2 sends the result as JSON text (a number for a
        legacy path, an array for ``$`` paths); RESP3 an array in both cases, whose one
        element is the result of a legacy path."""
        def post(reply):
            if isinstance(reply, list):
                if not path.startswith("$") and len(reply) == 1:
                    return reply[0]
                return reply
            return self._decode(reply)
        return post

    def _type_post(self):
        # RESP3's JSON.TYPE wraps RESP2's reply in one more array.
        if self._resp3:
            return lambda r: r[0] if isinstance(r, list) and len(r) == 1 else r
        return None

    def arrappend(self, name, path=Path.root_path(), *args):
        """JSON.ARRAPPEND: appends the ``args`` (encoded) to the array at ``path``; the new
        length (a list of them for a ``$`` path)."""
        return self._send(None, RAW, "JSON.ARRAPPEND", name, str(path),
                          *[self._encode(o) for o in args])

    def arrindex(self, name, path, scalar, start=None, stop=None):
        """JSON.ARRINDEX: the index of ``scalar`` in the array at ``path`` (-1 if absent),
        between ``start`` and ``stop`` when given."""
        pieces = [name, str(path), self._encode(scalar)]
        if start is not None:
            pieces.append(start)
            if stop is not None:
                pieces.append(stop)
        return self._send(None, RAW, "JSON.ARRINDEX", *pieces)

    def arrinsert(self, name, path, index, *args):
        """JSON.ARRINSERT: inserts the ``args`` before ``index``; the new length."""
        return self._send(None, RAW, "JSON.ARRINSERT", name, str(path), index,
                          *[self._encode(o) for o in args])

    def arrlen(self, name, path=Path.root_path()):
        """JSON.ARRLEN: the length of the array at ``path``."""
        return self._send(None, RAW, "JSON.ARRLEN", name, str(path))

    def arrpop(self, name, path=Path.root_path(), index=-1):
        """JSON.ARRPOP: removes and returns the element at ``index`` (decoded; for a ``$``
        path a list of the elements' JSON text, as redis-py gives them)."""
        return self._send(self._decode, RAW, "JSON.ARRPOP", name, str(path), index)

    def arrtrim(self, name, path, start, stop):
        """JSON.ARRTRIM: keeps the elements from ``start`` to ``stop``; the new length."""
        return self._send(None, RAW, "JSON.ARRTRIM", name, str(path), start, stop)

    def type(self, name, path=Path.root_path()):
        """JSON.TYPE: the type's name at ``path`` (``bytes``, or ``str`` when decoding; a
        list of them for a ``$`` path; ``None`` for a missing key)."""
        return self._send(self._type_post(), RAW, "JSON.TYPE", name, str(path))

    def resp(self, name, path=Path.root_path()):
        """JSON.RESP: the value at ``path`` in Redis's own terms (nested arrays starting
        with ``[`` or ``{``; numbers that are not integers as their text)."""
        return self._send(self._decode, RESP2, "JSON.RESP", name, str(path))

    def objkeys(self, name, path=Path.root_path()):
        """JSON.OBJKEYS: the keys of the object at ``path`` (``str``)."""
        return self._send(self._decode, RAW, "JSON.OBJKEYS", name, str(path))

    def objlen(self, name, path=Path.root_path()):
        """JSON.OBJLEN: the number of keys of the object at ``path``."""
        return self._send(None, RAW, "JSON.OBJLEN", name, str(path))

    def numincrby(self, name, path, number):
        """JSON.NUMINCRBY: adds ``number``; the new value (a list of them for a ``$``
        path)."""
        path = str(path)
        return self._send(self._numop(path), RAW, "JSON.NUMINCRBY", name, path,
                          self._encode(number))

    def nummultby(self, name, path, number):
        """JSON.NUMMULTBY (deprecated by RedisJSON): multiplies by ``number``; the new
        value."""
        import warnings

        warnings.warn("Call to deprecated nummultby. (deprecated since redisjson 1.0.0) -- Deprecated since version 4.0.0.",
                      DeprecationWarning, stacklevel=2)
        path = str(path)
        return self._send(self._numop(path), RAW, "JSON.NUMMULTBY", name, path,
                          self._encode(number))

    def clear(self, name, path=Path.root_path()):
        """JSON.CLEAR: empties the arrays and objects (and zeroes the numbers) at ``path``;
        how many were cleared."""
        return self._send(None, RAW, "JSON.CLEAR", name, str(path))

    def delete(self, key, path=Path.root_path()):
        """JSON.DEL: deletes the value at ``path`` (the key at the root); how many paths
        were deleted."""
        return self._send(None, RAW, "JSON.DEL", key, str(path))

    forget = delete

    def get(self, name, *args, no_escape=False):
        """JSON.GET: the value at the root (or at the paths ``args``: one path's value, or
        a dict of each path's values), decoded; ``None`` for a missing key."""
        pieces = [name]
        if no_escape:
            pieces.append("noescape")
        pieces += [str(p) for p in args] if args else [Path.root_path()]
        return self._send(self._decode, RAW, "JSON.GET", *pieces)

    def mget(self, keys, path):
        """JSON.MGET: the value at ``path`` of each key (``None`` where missing)."""
        return self._send(self._decode_list, RAW, "JSON.MGET", *keys, str(path))

    def set(self, name, path, obj, nx=False, xx=False, decode_keys=False, fpha=None):
        """JSON.SET: sets ``obj`` (encoded) at ``path``; ``True``, or ``None`` when ``nx`` /
        ``xx`` prevented it."""
        if decode_keys:
            obj = _decode_keys(obj)
        pieces = [name, str(path), self._encode(obj)]
        if nx and xx:
            raise Exception("nx and xx are mutually exclusive: use one, the other or "
                            "neither - but not both")
        if nx:
            pieces.append("NX")
        elif xx:
            pieces.append("XX")
        if fpha is not None:
            pieces += ["FPHA", FPHAType.from_value(fpha).value]
        return self._send(None, OK, "JSON.SET", *pieces)

    def mset(self, triplets):
        """JSON.MSET: sets each ``(key, path, value)``; ``True``."""
        pieces = []
        for key, path, value in triplets:
            pieces += [key, str(path), self._encode(value)]
        return self._send(None, OK, "JSON.MSET", *pieces)

    def merge(self, name, path, obj, decode_keys=False):
        """JSON.MERGE: merges ``obj`` into the value at ``path`` (RFC 7396: ``None``
        deletes); ``True``."""
        if decode_keys:
            obj = _decode_keys(obj)
        return self._send(None, OK, "JSON.MERGE", name, str(path), self._encode(obj))

    def _is_asyncio(self) -> bool:
        client = self if self._is_pipeline else self.client
        return type(client).__module__.startswith("oxredis.asyncio") and not self._is_pipeline

    def set_file(self, name, path, file_name, nx=False, xx=False, decode_keys=False,
                 fpha=None):
        """JSON.SET of the JSON read from the file ``file_name`` (on the asyncio client a
        coroutine that reads it in a thread)."""
        if self._is_asyncio():
            return self._set_file_async(name, path, file_name, nx, xx, decode_keys, fpha)
        with open(file_name) as f:
            content = _json.loads(f.read())
        return self.set(name, path, content, nx=nx, xx=xx, decode_keys=decode_keys,
                        fpha=fpha)

    async def _set_file_async(self, name, path, file_name, nx, xx, decode_keys, fpha):
        import asyncio

        def read():
            with open(file_name) as f:
                return _json.loads(f.read())
        content = await asyncio.to_thread(read)
        return await self.set(name, path, content, nx=nx, xx=xx, decode_keys=decode_keys,
                              fpha=fpha)

    @staticmethod
    def _json_files(root_folder) -> list:
        return [os.path.join(root, file) for root, _dirs, files in os.walk(root_folder)
                for file in files]

    def set_path(self, json_path, root_folder, nx=False, xx=False, decode_keys=False,
                 fpha=None):
        """``set_file`` of every file under ``root_folder``, each under its path without
        the extension as the key; ``{file path: True, or False when not JSON}`` (a coroutine
        on the asyncio client)."""
        if self._is_asyncio():
            return self._set_path_async(json_path, root_folder, nx, xx, decode_keys, fpha)
        results = {}
        for file_path in self._json_files(root_folder):
            try:
                self.set_file(file_path.rsplit(".")[0], json_path, file_path, nx=nx, xx=xx,
                              decode_keys=decode_keys, fpha=fpha)
                results[file_path] = True
            except _json.JSONDecodeError:
                results[file_path] = False
        return results

    async def _set_path_async(self, json_path, root_folder, nx, xx, decode_keys, fpha):
        import asyncio

        results = {}
        for file_path in await asyncio.to_thread(self._json_files, root_folder):
            try:
                await self._set_file_async(file_path.rsplit(".")[0], json_path, file_path,
                                           nx, xx, decode_keys, fpha)
                results[file_path] = True
            except _json.JSONDecodeError:
                results[file_path] = False
        return results

    def strlen(self, name, path=None):
        """JSON.STRLEN: the length of the string at ``path``."""
        pieces = [name] if path is None else [name, str(path)]
        return self._send(None, RAW, "JSON.STRLEN", *pieces)

    def toggle(self, name, path=Path.root_path()):
        """JSON.TOGGLE: flips the boolean at ``path``; the new value (a list of 0/1 for a
        ``$`` path)."""
        return self._send(self._decode, RAW, "JSON.TOGGLE", name, str(path))

    def strappend(self, name, value, path=Path.root_path()):
        """JSON.STRAPPEND: appends ``value`` (encoded) to the string at ``path``; the new
        length."""
        return self._send(None, RAW, "JSON.STRAPPEND", name, str(path), self._encode(value))

    def debug(self, subcommand, key=None, path=Path.root_path()):
        """JSON.DEBUG MEMORY (the bytes the value at ``path`` uses) or HELP."""
        valid = ["MEMORY", "HELP"]
        if subcommand not in valid:
            raise DataError("The only valid subcommands are ", str(valid))
        pieces = [subcommand]
        if subcommand == "MEMORY":
            if key is None:
                raise DataError("No key specified")
            pieces += [key, str(path)]
        return self._send(self._decode, RAW, "JSON.DEBUG", *pieces)

    def jsonget(self, *args, **kwargs):
        """Deprecated alias of ``get``."""
        return self.get(*args, **kwargs)

    def jsonmget(self, *args, **kwargs):
        """Deprecated alias of ``mget``."""
        return self.mget(*args, **kwargs)

    def jsonset(self, *args, **kwargs):
        """Deprecated alias of ``set``."""
        return self.set(*args, **kwargs)


class JSON(JSONCommands, PipelineNamespace):
    """``r.json(encoder=, decoder=)``: the JSON commands on ``r``."""

    _COMMANDS = JSONCommands

    def __init__(self, client, version=None, decoder=_json.JSONDecoder(),
                 encoder=_json.JSONEncoder()):
        PipelineNamespace.__init__(self, client)
        self.MODULE_VERSION = version
        self._encoder = encoder
        self._decoder = decoder

    def _pipeline_state(self) -> dict:
        return {**PipelineNamespace._pipeline_state(self), "_encoder": self._encoder,
                "_decoder": self._decoder}
