"""``Redis`` and ``Pipeline``: redis-py's blocking API over oxredis's Rust client.

Each command method only assembles its arguments; packing, I/O (without the GIL) and reply
conversion happen in ``oxredis._native``. ``_cmd`` is the one hook: ``Redis`` runs the
command at once, ``Pipeline`` queues it.
"""

from __future__ import annotations

import datetime
import hashlib
import time as _time
import warnings
from enum import Enum
from typing import Any, Iterator, Optional

from . import _native
from .exceptions import ConnectionError, DataError, NoScriptError, RedisError, WatchError

RAW = _native.SHAPE_RAW
OK = _native.SHAPE_OK_BOOL
BOOL = _native.SHAPE_BOOL
DICT = _native.SHAPE_DICT
SET = _native.SHAPE_SET
SCORED = _native.SHAPE_SCORED
FLOAT = _native.SHAPE_FLOAT
INFO = _native.SHAPE_INFO
SCAN = _native.SHAPE_SCAN
PING = _native.SHAPE_PING
HSCAN = _native.SHAPE_HSCAN
ZSCAN = _native.SHAPE_ZSCAN
TUPLE = _native.SHAPE_TUPLE
BOOL_LIST = _native.SHAPE_BOOL_LIST
STR = _native.SHAPE_STR
RANK_SCORE = _native.SHAPE_RANK_SCORE
STR_LIST = _native.SHAPE_STR_LIST
GEOPOS = _native.SHAPE_GEOPOS
GEOSEARCH = _native.SHAPE_GEOSEARCH
STREAM = _native.SHAPE_STREAM
XREAD = _native.SHAPE_XREAD
XPENDING = _native.SHAPE_XPENDING
XPENDING_RANGE = _native.SHAPE_XPENDING_RANGE
XAUTOCLAIM = _native.SHAPE_XAUTOCLAIM
XAUTOCLAIM_JUSTID = _native.SHAPE_XAUTOCLAIM_JUSTID
XINFO_STREAM = _native.SHAPE_XINFO_STREAM
DICT_LIST = _native.SHAPE_DICT_LIST
STR_DICT = _native.SHAPE_STR_DICT
CLIENT_LIST = _native.SHAPE_CLIENT_LIST
FLOAT_LIST = _native.SHAPE_FLOAT_LIST
KEY_MEMBER_SCORE = _native.SHAPE_KEY_MEMBER_SCORE
RESP2 = _native.SHAPE_RESP2
FLAT_PAIRS = _native.SHAPE_FLAT_PAIRS
BYTES = _native.SHAPE_BYTES
CLIENT_INFO = _native.SHAPE_CLIENT_INFO
DEBUG_OBJECT = _native.SHAPE_DEBUG_OBJECT
ACL_GETUSER = _native.SHAPE_ACL_GETUSER
ACL_LOG = _native.SHAPE_ACL_LOG
SCORED_TEXT = _native.SHAPE_SCORED_TEXT
ZSCAN_TEXT = _native.SHAPE_ZSCAN_TEXT
RANK_SCORE_TEXT = _native.SHAPE_RANK_SCORE_TEXT
PAIR_LIST = _native.SHAPE_PAIR_LIST
SLOWLOG_GET = _native.SHAPE_SLOWLOG_GET
INT_TUPLE = _native.SHAPE_INT_TUPLE
MEMORY_STATS = _native.SHAPE_MEMORY_STATS
TRACKING_INFO = _native.SHAPE_TRACKING_INFO
# Shapes whose legacy form is another's (above) and whose ``legacy_responses=False`` form
# differs (see bindings/python/src/unified.rs).
FLAT_SCORES = _native.SHAPE_FLAT_SCORES
FLAT_VALUES = _native.SHAPE_FLAT_VALUES
ZMPOP = _native.SHAPE_ZMPOP
LCS = _native.SHAPE_LCS
FUNCTION_LIST = _native.SHAPE_FUNCTION_LIST
GETKEYS = _native.SHAPE_GETKEYS

# The reply shape of a command sent through ``execute_command``, as redis-py's response
# callbacks give it (commands not listed come back as sent by the server).
COMMAND_SHAPES = {
    "SET": OK, "MSET": OK, "FLUSHDB": OK, "FLUSHALL": OK, "SELECT": OK, "RENAME": OK,
    "PING": PING, "EXPIRE": BOOL, "PEXPIRE": BOOL, "EXPIREAT": BOOL, "PERSIST": BOOL,
    "HSETNX": BOOL, "SETNX": BOOL, "SISMEMBER": BOOL, "HEXISTS": BOOL, "MSETNX": BOOL,
    "HGETALL": DICT, "SMEMBERS": SET, "SINTER": SET, "SUNION": SET, "SDIFF": SET,
    "ZSCORE": FLOAT, "ZINCRBY": FLOAT, "INCRBYFLOAT": FLOAT, "HINCRBYFLOAT": FLOAT,
    "INFO": INFO, "SCAN": SCAN, "SSCAN": SCAN, "HSCAN": HSCAN, "ZSCAN": ZSCAN,
    "SCRIPT LOAD": STR, "SCRIPT EXISTS": BOOL_LIST, "SETEX": OK, "PSETEX": OK, "LSET": OK, "LTRIM": OK, "SMOVE": BOOL,
    "COPY": BOOL, "BLPOP": TUPLE, "BRPOP": TUPLE, "ZPOPMIN": SCORED, "ZPOPMAX": SCORED,
    "PFMERGE": OK,
    "GEODIST": FLOAT, "GEOHASH": STR_LIST, "GEOPOS": GEOPOS,
    "XRANGE": STREAM, "XREVRANGE": STREAM, "XCLAIM": STREAM, "XREAD": XREAD,
    "XREADGROUP": XREAD, "XPENDING": XPENDING, "XAUTOCLAIM": XAUTOCLAIM,
    "XGROUP CREATE": OK, "XGROUP DESTROY": BOOL, "XGROUP SETID": OK,
    "XINFO STREAM": XINFO_STREAM, "XINFO GROUPS": DICT_LIST, "XINFO CONSUMERS": DICT_LIST,
    "CONFIG GET": STR_DICT, "CONFIG SET": OK, "CONFIG RESETSTAT": OK, "CLIENT LIST": CLIENT_LIST,
    "CLIENT GETNAME": STR, "CLIENT SETNAME": OK, "ACL WHOAMI": STR, "ACL USERS": STR_LIST,
    "FUNCTION DELETE": OK, "FUNCTION FLUSH": OK,
    "ZMSCORE": FLOAT_LIST, "BZPOPMIN": KEY_MEMBER_SCORE, "BZPOPMAX": KEY_MEMBER_SCORE,
    "ZMPOP": ZMPOP, "BZMPOP": ZMPOP, "ZDIFF": FLAT_PAIRS, "ZRANDMEMBER": FLAT_PAIRS,
    "HRANDFIELD": FLAT_PAIRS, "CLIENT INFO": CLIENT_INFO, "CLIENT KILL": OK,
    "CLIENT PAUSE": OK, "ACL CAT": STR_LIST, "ACL LIST": STR_LIST, "ACL GENPASS": STR,
    "ACL GETUSER": ACL_GETUSER, "ACL LOG": ACL_LOG, "ACL SETUSER": OK,
    "FUNCTION LIST": FUNCTION_LIST, "FUNCTION STATS": RESP2, "FUNCTION DUMP": BYTES,
    "FUNCTION RESTORE": OK, "DEBUG OBJECT": DEBUG_OBJECT,
    "MOVE": BOOL, "RENAMENX": BOOL, "PEXPIREAT": BOOL, "HMSET": OK, "SWAPDB": OK,
    "SCRIPT KILL": OK, "SLOWLOG RESET": OK, "SLOWLOG GET": SLOWLOG_GET, "TIME": INT_TUPLE,
    "PUBSUB NUMSUB": PAIR_LIST, "PUBSUB SHARDNUMSUB": PAIR_LIST, "DUMP": BYTES, "LCS": LCS,
    "CLIENT UNBLOCK": BOOL, "CLIENT SETINFO": OK, "CLIENT TRACKINGINFO": TRACKING_INFO,
    "ACL HELP": STR_LIST, "ACL LOAD": OK, "ACL SAVE": OK, "MEMORY STATS": MEMORY_STATS,
    "MEMORY PURGE": OK, "COMMAND GETKEYS": GETKEYS, "SAVE": OK,
    "AUTH": OK, "QUIT": OK, "SHUTDOWN": OK, "SLAVEOF": OK, "READONLY": OK, "READWRITE": OK,
    "MODULE LOAD": OK, "MODULE UNLOAD": OK, "SYNC": BYTES, "PSYNC": BYTES,
    **{f"CLUSTER {name}": OK for name in (
        "ADDSLOTS", "ADDSLOTSRANGE", "DELSLOTS", "DELSLOTSRANGE", "FAILOVER", "FORGET", "MEET",
        "REPLICATE", "RESET", "SAVECONFIG", "SET-CONFIG-EPOCH", "SETSLOT")},
    "CLUSTER GETKEYSINSLOT": STR_LIST, "CLUSTER LINKS": RESP2, "CLUSTER SHARDS": RESP2,
    "CLUSTER SLOTS": RESP2, "INCREX": RESP2,
}


def _text(value: Any) -> Any:
    """redis-py's ``str_if_bytes``: ``bytes`` as ``str`` (UTF-8, invalid bytes replaced)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


# The integer fields of a sentinel's view of an instance (redis-py's SENTINEL_STATE_TYPES).
_SENTINEL_INT_FIELDS = frozenset({
    "can-failover-its-master", "config-epoch", "down-after-milliseconds", "failover-timeout",
    "info-refresh", "last-hello-message", "last-ok-ping-reply", "last-ping-reply",
    "last-ping-sent", "master-link-down-time", "master-port", "num-other-sentinels",
    "num-slaves", "o-down-time", "pending-commands", "parallel-syncs", "port", "quorum",
    "role-reported-time", "s-down-time", "slave-priority", "slave-repl-offset",
    "voted-leader-epoch",
})

# The flag behind each boolean redis-py adds to a sentinel state.
_SENTINEL_FLAGS = (
    ("is_master", "master"), ("is_slave", "slave"), ("is_sdown", "s_down"),
    ("is_odown", "o_down"), ("is_sentinel", "sentinel"), ("is_disconnected", "disconnected"),
    ("is_master_down", "master_down"),
)


def _sentinel_state(pairs) -> dict:
    """redis-py's ``parse_sentinel_state`` of one instance's flat ``[field, value, ...]``
    (RESP3's map is flattened in Rust): ``str`` keys and values, the counters as ``int``,
    ``flags`` as sent plus ``is_master``, ``is_sdown``... booleans."""
    it = iter(map(_text, pairs))
    state = {}
    for key, value in zip(it, it):
        if key in _SENTINEL_INT_FIELDS:
            try:
                value = int(value)
            except (TypeError, ValueError):
                pass
        state[key] = value
    flags = set(state.get("flags", "").split(","))
    for name, flag in _SENTINEL_FLAGS:
        state[name] = flag in flags
    return state


def _sentinel_masters(response) -> dict:
    """SENTINEL MASTERS: each primary's state (``_sentinel_state``), by name."""
    masters = {}
    for item in response:
        state = _sentinel_state(item)
        masters[state["name"]] = state
    return masters


def _sentinel_states(response) -> list:
    """SENTINEL SLAVES / SENTINELS: a list of states (``_sentinel_state``)."""
    return [_sentinel_state(item) for item in response]


def _sentinel_get_master(response):
    """SENTINEL GET-MASTER-ADDR-BY-NAME: ``(ip, int port)``, or ``None``."""
    return (response[0], int(response[1])) if response else None


def _bool_ok(response) -> bool:
    """redis-py's ``bool_ok``: whether the reply is exactly ``OK`` (so ``False`` for
    CKQUORUM's ``OK 3 usable Sentinels...`` and RESET's count, as in redis-py)."""
    return _text(response) == "OK"


def _pairs_dict(flat) -> dict:
    """redis-py's ``pairs_to_dict``: ``[k1, v1, k2, v2...]`` as ``{k1: v1...}`` (keys as
    sent)."""
    it = iter(flat)
    return dict(zip(it, it))


def _str(value) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _parse_command(legacy: bool):
    """COMMAND's reply (RESP2 form) as redis-py's ``parse_command``: ``flags`` and
    ``acl_categories`` as lists, or sets with ``legacy_responses=False``."""
    names = list if legacy else set
    return lambda reply: _commands(reply, names)


def _commands(reply, names) -> dict:
    commands = {}
    for command in reply:
        name = _str(command[0])
        details = {"name": name, "arity": int(command[1]),
                   "flags": names(_str(f) for f in command[2]), "first_key_pos": command[3],
                   "last_key_pos": command[4], "step_count": command[5]}
        if len(command) > 6:
            details["acl_categories"] = names(_str(c) for c in command[6])
        if len(command) > 7:
            details["tips"] = command[7]
            details["key_specifications"] = command[8]
            details["subcommands"] = command[9]
        commands[name] = details
    return commands


def _module_list(response) -> list:
    """MODULE LIST (and HOTKEYS GET): a dict per item (MODULE LIST's ``name``, ``ver``,
    ``path``, ``args``; keys as sent), redis-py's ``[pairs_to_dict(m) for m in r]`` of RESP2's
    flat lists."""
    return [_pairs_dict(m) for m in response]


def _arinfo(response) -> dict:
    """redis-py's ``parse_arinfo`` of RESP2's flat reply: a dict with ``str`` keys."""
    it = iter(response)
    return {_text(k): v for k, v in zip(it, it)}


def _stralgo(len=False, idx=False, withmatchlen=False):
    """redis-py's ``parse_stralgo`` of RESP2's reply: the LCS as ``str``, its length with
    ``len``, with ``idx`` ``{"matches": [[(start, end), (start, end)]...], "len": n}`` (each
    match led by its length with ``withmatchlen``)."""
    def parse(response):
        if len:
            return int(response)
        if idx:
            if withmatchlen:
                matches = [[int(m[-1])] + list(map(tuple, m[:-1])) for m in response[1]]
            else:
                matches = [list(map(tuple, m)) for m in response[1]]
            return {_text(response[0]): matches, _text(response[2]): int(response[3])}
        return _text(response)
    return parse


def _cluster_info(response) -> dict:
    """redis-py's ``parse_cluster_info``: CLUSTER INFO's ``field:value`` lines as a dict of
    ``str``."""
    return dict(line.split(":") for line in _text(response).splitlines() if line)


def _cluster_node_slots(ranges) -> tuple:
    slots, migrations = [], []
    for item in ranges:
        if "->-" in item:
            slot, node = item[1:-1].split("->-", 1)
            migrations.append({"slot": slot, "node_id": node, "state": "migrating"})
        elif "-<-" in item:
            slot, node = item[1:-1].split("-<-", 1)
            migrations.append({"slot": slot, "node_id": node, "state": "importing"})
        else:
            slots.append(item.split("-"))
    return slots, migrations


def _cluster_nodes(response) -> dict:
    """redis-py's ``parse_cluster_nodes``: CLUSTER NODES (one text, a line per node) or
    CLUSTER REPLICAS (a list of lines) as ``{"ip:port": {"node_id", "hostname", "flags",
    "master_id", "last_ping_sent", "last_pong_rcvd", "epoch", "slots", "migrations",
    "connected"}}``, every value ``str`` but ``connected`` (``bool``) and the lists."""
    if isinstance(response, (bytes, str)):
        response = response.splitlines()
    nodes = {}
    for line in map(_text, response):
        items = line.split(" ")
        node_id, addr, flags, master_id, ping, pong, epoch, connected = items[:8]
        hostname = addr.split("@")[1].split(",")[1] if "@" in addr and "," in addr else ""
        slots, migrations = _cluster_node_slots(items[8:])
        nodes[addr.split("@")[0]] = {
            "node_id": node_id, "hostname": hostname, "flags": flags, "master_id": master_id,
            "last_ping_sent": ping, "last_pong_rcvd": pong, "epoch": epoch, "slots": slots,
            "migrations": migrations, "connected": connected == "connected",
        }
    return nodes


def _cluster_slots(response) -> dict:
    """redis-py's ``parse_cluster_slots``: ``{(start, end): {"primary": (ip, port),
    "replicas": [(ip, port)...]}}``, the ips as ``str``."""
    slots = {}
    for entry in response:
        start, end, primary, *replicas = entry
        slots[start, end] = {
            "primary": (_text(primary[0]), primary[1]),
            "replicas": [(_text(r[0]), r[1]) for r in replicas],
        }
    return slots


def _cluster_shards(response) -> list:
    """redis-py's ``parse_cluster_shards`` of RESP2's flat lists: ``[{"slots": [(start,
    end)...], "nodes": [{field: value}...]}]`` (the nodes' fields as sent)."""
    shards = []
    for shard in response:
        ranges = shard[1]
        shards.append({
            "slots": [(ranges[i], ranges[i + 1]) for i in range(0, len(ranges), 2)],
            "nodes": [_pairs_dict(node) for node in shard[3]],
        })
    return shards


# Commands sent through ``execute_command`` whose reply is shaped in Rust (the shape) and
# then by a function in Python: the SENTINEL commands (their callers, ``SentinelCommands``,
# go through ``execute_command`` so that ``Sentinel`` can send them to every sentinel).
COMMAND_POSTS = {
    "SENTINEL GET-MASTER-ADDR-BY-NAME": (RAW, _sentinel_get_master),
    "SENTINEL MASTER": (RESP2, _sentinel_state),
    "SENTINEL MASTERS": (RESP2, _sentinel_masters),
    "SENTINEL SLAVES": (RESP2, _sentinel_states),
    "SENTINEL SENTINELS": (RESP2, _sentinel_states),
    **{f"SENTINEL {name}": (RAW, _bool_ok) for name in (
        "CKQUORUM", "FAILOVER", "FLUSHCONFIG", "MONITOR", "RESET", "REMOVE", "SET")},
    "MODULE LIST": (RESP2, _module_list),
    "HOTKEYS GET": (RESP2, _module_list),
    "ARINFO": (RESP2, _arinfo),
    "CLUSTER INFO": (RAW, _cluster_info),
    "CLUSTER NODES": (RAW, _cluster_nodes),
    "CLUSTER REPLICAS": (RAW, _cluster_nodes),
    "CLUSTER SLAVES": (RAW, _cluster_nodes),
}

# What a ``RedisCluster`` adds (redis-py's ``CLUSTER_COMMANDS_RESPONSE_CALLBACKS``).
CLUSTER_COMMAND_SHAPES = {**COMMAND_SHAPES, "CLUSTER MYSHARDID": STR}
CLUSTER_COMMAND_POSTS = {
    **COMMAND_POSTS,
    "CLUSTER SLOTS": (RESP2, _cluster_slots),
    "CLUSTER SHARDS": (RESP2, _cluster_shards),
}


def _encode(value: Any) -> bytes:
    """A value as redis-py's encoder sends it (``str`` as UTF-8, numbers as text)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, float):
        return repr(value).encode()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value).encode()
    raise DataError(f"Invalid input of type: '{type(value).__name__}'. Convert to a bytes, "
                    "string, int or float first.")


def _expire_flags(ex=None, px=None, exat=None, pxat=None) -> list:
    """redis-py's ``extract_expire_flags``: EX/PX/EXAT/PXAT and the value (the first set)."""
    if ex is not None:
        if isinstance(ex, datetime.timedelta):
            return ["EX", int(ex.total_seconds())]
        if isinstance(ex, int):
            return ["EX", ex]
        if isinstance(ex, str) and ex.isdigit():
            return ["EX", int(ex)]
        raise DataError("ex must be datetime.timedelta or int")
    if px is not None:
        if isinstance(px, datetime.timedelta):
            return ["PX", int(px.total_seconds() * 1000)]
        if isinstance(px, int):
            return ["PX", px]
        raise DataError("px must be datetime.timedelta or int")
    if exat is not None:
        if isinstance(exat, datetime.datetime):
            exat = int(exat.timestamp())
        return ["EXAT", exat]
    if pxat is not None:
        if isinstance(pxat, datetime.datetime):
            pxat = int(pxat.timestamp() * 1000)
        return ["PXAT", pxat]
    return []


class DataPersistOptions(Enum):
    """redis-py's ``DataPersistOptions`` (``msetex``, ``hsetex``): set only if none (NX) or
    all (XX) of the keys exist."""

    NX = "NX"
    XX = "XX"


class HotkeysMetricsTypes(Enum):
    """redis-py's ``HotkeysMetricsTypes`` (``hotkeys_start``)."""

    CPU = "CPU"
    NET = "NET"


class ArrayAggregateOperations(Enum):
    """redis-py's ``ArrayAggregateOperations`` (``arop``)."""

    SUM = "SUM"
    MIN = "MIN"
    MAX = "MAX"
    AND = "AND"
    OR = "OR"
    XOR = "XOR"
    MATCH = "MATCH"
    USED = "USED"


class ArrayPredicateType(Enum):
    """redis-py's ``ArrayPredicateType`` (``argrep``)."""

    EXACT = "EXACT"
    MATCH = "MATCH"
    GLOB = "GLOB"
    RE = "RE"


class ArrayPredicateCombinator(Enum):
    """redis-py's ``ArrayPredicateCombinator`` (``argrep``)."""

    AND = "AND"
    OR = "OR"


def _experimental(name: str) -> None:
    """redis-py's ``warn_experimental``: a ``UserWarning`` for an experimental method."""
    warnings.warn(f"Call to experimental method {name}. Be aware that the function arguments "
                  "can change or be removed in future versions.", UserWarning, stacklevel=3)


def _true(response):
    """redis-py's ``lambda r: True`` (BGSAVE, BGREWRITEAOF)."""
    return True


def _timestamp_to_datetime(response):
    """redis-py's ``timestamp_to_datetime``: a Unix time as a local ``datetime``."""
    if not response:
        return None
    try:
        return datetime.datetime.fromtimestamp(int(response))
    except ValueError:
        return None


def _seconds(value: Any) -> int:
    if isinstance(value, datetime.timedelta):
        return int(value.total_seconds())
    return value


def _millis(value: Any) -> int:
    if isinstance(value, datetime.timedelta):
        return int(value.total_seconds() * 1000)
    return value


def _list_or_args(keys: Any, args: tuple) -> list:
    # redis-py's helper: a single key or an iterable of keys, plus more positional keys.
    if isinstance(keys, (bytes, str, memoryview, bytearray, int, float)):
        keys = [keys]
    else:
        keys = list(keys)
    if args:
        keys.extend(args)
    return keys


# Commands whose name is two words (redis-py's ``execute_command("CONFIG GET", ...)``): a
# response callback is looked up by both words.
_CONTAINERS = frozenset({
    "ACL", "CLIENT", "CLUSTER", "COMMAND", "CONFIG", "DEBUG", "FUNCTION", "LATENCY", "MEMORY",
    "MODULE", "PUBSUB", "SCRIPT", "SENTINEL", "SLOWLOG", "XGROUP", "XINFO",
})


def _upper(word: Any) -> str:
    if isinstance(word, (bytes, bytearray)):
        word = bytes(word).decode("utf-8", "replace")
    return str(word).upper()


def _command_name(args: tuple) -> str:
    """The name a response callback is registered under: ``GET``, ``CONFIG GET``..."""
    name = _upper(args[0])
    if name in _CONTAINERS and len(args) > 1:
        return f"{name} {_upper(args[1])}"
    return name


class _ResponseCallbacks(dict):
    """``Redis.response_callbacks``: the callbacks set on a client (by upper-case command
    name). Setting one switches the client to looking them up before each command (until then
    commands pay nothing for them)."""

    def __init__(self, client):
        super().__init__()
        self._client = client

    def __setitem__(self, command, callback):
        super().__setitem__(_upper(command), callback)
        _use_callbacks(self._client)

    def __getitem__(self, command):
        return super().__getitem__(_upper(command))

    def __contains__(self, command):
        return super().__contains__(_upper(command))

    def get(self, command, default=None):
        return super().get(_upper(command), default)

    def __delitem__(self, command):
        super().__delitem__(_upper(command))

    def pop(self, command, *default):
        return super().pop(_upper(command), *default)

    def update(self, *args, **kwargs):
        for command, callback in dict(*args, **kwargs).items():
            self[command] = callback


def _use_callbacks(client) -> None:
    """Makes ``client`` (blocking or asyncio) look up its response callbacks: its ``_cmd`` and
    ``_cmd_post`` become the checking ones, and its fast GET/HGET the ordinary methods."""
    if client.__dict__.get("_callbacks_on"):
        return
    cls = type(client)
    callbacks = client.response_callbacks
    plain_cmd, plain_post = cls._cmd, cls._cmd_post

    def _cmd(shape, *args):
        callback = callbacks.get(_command_name(args)) if callbacks else None
        if callback is None:
            return plain_cmd(client, shape, *args)
        return plain_post(client, callback, RAW, *args)

    def _cmd_post(post, shape, *args):
        callback = callbacks.get(_command_name(args)) if callbacks else None
        if callback is None:
            return plain_post(client, post, shape, *args)
        return plain_post(client, callback, RAW, *args)

    client._cmd = _cmd
    client._cmd_post = _cmd_post
    client.get = CoreCommands.get.__get__(client)
    client.hget = CoreCommands.hget.__get__(client)
    client._callbacks_on = True


def _queue_callbacks(queue, posts: dict, callbacks) -> dict:
    """A pipeline's ``posts`` with the client's response callbacks applied: a queued command
    that has one is switched to its raw reply, and its callback becomes its ``post``."""
    if not callbacks:
        return posts
    posts = dict(posts)
    for i, (args, _) in enumerate(queue.command_stack):
        callback = callbacks.get(_command_name(args))
        if callback is not None:
            queue._set_shape(i, RAW)
            posts[i] = callback
    return posts


def _safe_cast(cast):
    """redis-py's ``_wrap_score_cast_func``: ``cast`` of a score's RESP2 text, through
    ``float`` when ``cast`` refuses the text (``int(b"1e+20")``)."""
    def safe(x):
        try:
            return cast(x)
        except (ValueError, TypeError):
            return cast(float(x))
    return safe


def _cast_pairs(cast):
    """Applies ``cast`` to the scores of ``[(member, score_text)]`` (``[[member, score]]``
    with ``legacy_responses=False``: each pair keeps its type)."""
    cast = _safe_cast(cast)
    return lambda r: [type(p)((p[0], cast(p[1]))) for p in r] if r else r


def _cast_zscan(cast):
    """Applies ``cast`` to the scores of ZSCAN's ``(cursor, [(member, score_text)])``."""
    pairs = _cast_pairs(cast)
    return lambda r: (r[0], pairs(r[1]))


def _cast_rank(cast):
    """Applies ``cast`` to the score of ``[rank, score_text]`` (``None`` stays)."""
    cast = _safe_cast(cast)
    return lambda r: [r[0], cast(r[1])] if r else r


class SentinelCommands:
    """The SENTINEL commands (redis-py's ``redis.commands.SentinelCommands``), for a client
    of a sentinel (``Sentinel.sentinels[i]``) and for ``Sentinel`` itself, whose
    ``execute_command`` sends them to every sentinel (``once``: to one of them) and returns
    whether all succeeded, or their replies with ``return_responses=True``."""

    def sentinel(self, *args):
        """Deprecated in redis-py (a warning, nothing sent): use the ``sentinel_*`` methods."""
        warnings.warn(DeprecationWarning("Use the individual sentinel_* methods"))

    def sentinel_get_master_addr_by_name(self, service_name, return_responses=False):
        """SENTINEL GET-MASTER-ADDR-BY-NAME: ``(ip, port)`` of the primary (``None`` when the
        name is unknown); on ``Sentinel``, asked of one sentinel."""
        return self.execute_command("SENTINEL GET-MASTER-ADDR-BY-NAME", service_name,
                                    once=True, return_responses=return_responses)

    def sentinel_master(self, service_name, return_responses=False):
        """SENTINEL MASTER: the primary's state as a dict (``ip``, ``port``, ``flags``,
        ``num-other-sentinels``..., and ``is_master``, ``is_sdown``... booleans)."""
        return self.execute_command("SENTINEL MASTER", service_name,
                                    return_responses=return_responses)

    def sentinel_masters(self):
        """SENTINEL MASTERS: every monitored primary's state (see ``sentinel_master``), by
        name."""
        return self.execute_command("SENTINEL MASTERS")

    def sentinel_monitor(self, name, ip, port, quorum):
        """SENTINEL MONITOR: starts monitoring a primary; ``True``."""
        return self.execute_command("SENTINEL MONITOR", name, ip, port, quorum)

    def sentinel_remove(self, name):
        """SENTINEL REMOVE: stops monitoring ``name``; ``True``."""
        return self.execute_command("SENTINEL REMOVE", name)

    def sentinel_sentinels(self, service_name, return_responses=False):
        """SENTINEL SENTINELS: the other sentinels of ``service_name``, a list of states."""
        return self.execute_command("SENTINEL SENTINELS", service_name,
                                    return_responses=return_responses)

    def sentinel_set(self, name, option, value):
        """SENTINEL SET: changes a monitoring parameter of ``name``; ``True``."""
        return self.execute_command("SENTINEL SET", name, option, value)

    def sentinel_slaves(self, service_name):
        """SENTINEL SLAVES: the replicas of ``service_name``, a list of states."""
        return self.execute_command("SENTINEL SLAVES", service_name)

    def sentinel_reset(self, pattern):
        """SENTINEL RESET: resets the primaries matching ``pattern`` (``False`` on a client,
        as redis-py's ``bool_ok`` of the count; on ``Sentinel``, sent to one sentinel)."""
        return self.execute_command("SENTINEL RESET", pattern, once=True)

    def sentinel_failover(self, new_master_name):
        """SENTINEL FAILOVER: forces a failover of ``new_master_name``; ``True``."""
        return self.execute_command("SENTINEL FAILOVER", new_master_name)

    def sentinel_ckquorum(self, new_master_name):
        """SENTINEL CKQUORUM (``False`` on a client even when the quorum is reachable, as
        redis-py's ``bool_ok`` of ``OK 3 usable Sentinels...``; on ``Sentinel``, sent to one
        sentinel)."""
        return self.execute_command("SENTINEL CKQUORUM", new_master_name, once=True)

    def sentinel_flushconfig(self):
        """SENTINEL FLUSHCONFIG: rewrites the sentinel's configuration file; ``True``."""
        return self.execute_command("SENTINEL FLUSHCONFIG")


class CoreCommands(SentinelCommands):
    """The command methods shared by ``Redis`` and ``Pipeline`` (redis-py's names and
    signatures)."""

    def _cmd(self, shape: int, *args: Any) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def _cmd_post(self, post, shape: int, *args: Any) -> Any:  # pragma: no cover - overridden
        """As ``_cmd``, with ``post`` applied in Python to the shaped reply (a
        ``score_cast_func``, a response callback)."""
        raise NotImplementedError

    def _scored(self, cast, *args: Any) -> Any:
        """A WITHSCORES command: scores as ``float`` (in Rust), or ``cast`` of their text."""
        if cast is float:
            return self._cmd(SCORED, *args)
        return self._cmd_post(_cast_pairs(cast), SCORED_TEXT, *args)

    # The shapes of the commands sent through ``execute_command`` (``RedisCluster`` adds its
    # own, as redis-py's ``cluster_response_callbacks``).
    _COMMAND_SHAPES = COMMAND_SHAPES
    _COMMAND_POSTS = COMMAND_POSTS

    def execute_command(self, *args: Any, **options: Any) -> Any:
        """Sends any command; the reply is shaped as redis-py shapes that command's reply."""
        # As redis-py: the shape is looked up by the first argument as given, so
        # ``("SCRIPT LOAD", src)`` is shaped as SCRIPT LOAD's reply, ``("SCRIPT", "LOAD", src)``
        # comes back as sent (redis-py finds no callback for "SCRIPT").
        name = args[0].upper() if isinstance(args[0], str) else args[0]
        if isinstance(name, str):
            if " " in name:
                args = tuple(args[0].split()) + args[1:]
            posted = self._COMMAND_POSTS.get(name)
            if posted is not None:
                return self._cmd_post(posted[1], posted[0], *args)
        return self._cmd(self._COMMAND_SHAPES.get(name, RAW), *args)

    # --- modules (redis-py's RedisModuleCommands) -----------------------------------------
    def json(self, encoder=None, decoder=None):
        """The RedisJSON commands (``oxredis.commands.json.JSON``) on this client."""
        from .commands.json import JSON

        kwargs = {}
        if encoder is not None:
            kwargs["encoder"] = encoder
        if decoder is not None:
            kwargs["decoder"] = decoder
        return JSON(client=self, **kwargs)

    def bf(self):
        """The Bloom filter commands (``oxredis.commands.bf.BFBloom``) on this client."""
        from .commands.bf import BFBloom

        return BFBloom(client=self)

    def cf(self):
        """The cuckoo filter commands (``oxredis.commands.bf.CFBloom``) on this client."""
        from .commands.bf import CFBloom

        return CFBloom(client=self)

    def cms(self):
        """The count-min sketch commands (``oxredis.commands.bf.CMSBloom``) on this client."""
        from .commands.bf import CMSBloom

        return CMSBloom(client=self)

    def topk(self):
        """The top-k commands (``oxredis.commands.bf.TOPKBloom``) on this client."""
        from .commands.bf import TOPKBloom

        return TOPKBloom(client=self)

    def tdigest(self):
        """The t-digest commands (``oxredis.commands.bf.TDigestBloom``) on this client."""
        from .commands.bf import TDigestBloom

        return TDigestBloom(client=self)

    def ts(self):
        """The TimeSeries commands (``oxredis.commands.timeseries.TimeSeries``) on this
        client."""
        from .commands.timeseries import TimeSeries

        return TimeSeries(client=self)

    def ft(self, index_name="idx"):
        """The Search commands of the index ``index_name``
        (``oxredis.commands.search.Search``) on this client."""
        from .commands.search import Search

        return Search(client=self, index_name=index_name)

    # --- strings -------------------------------------------------------------------------
    def set(self, name, value, ex=None, px=None, nx=False, xx=False, keepttl=False,
            get=False, exat=None, pxat=None):
        """SET; ``True`` when set, ``None`` when NX/XX prevented it (or the old value with
        ``get=True``)."""
        if (ex is None and px is None and exat is None and pxat is None
                and not (nx or xx or keepttl or get)):
            # The common plain SET (pipelines of thousands): no list built and unpacked.
            return self._cmd(OK, "SET", name, value)
        args: list = ["SET", name, value]
        if ex is not None:
            args += ["EX", _seconds(ex)]
        if px is not None:
            args += ["PX", _millis(px)]
        if exat is not None:
            args += ["EXAT", int(exat.timestamp()) if isinstance(exat, datetime.datetime) else exat]
        if pxat is not None:
            args += ["PXAT", int(pxat.timestamp() * 1000) if isinstance(pxat, datetime.datetime) else pxat]
        if keepttl:
            args.append("KEEPTTL")
        if nx and xx:
            raise DataError("``nx`` and ``xx`` are mutually exclusive.")
        if nx:
            args.append("NX")
        if xx:
            args.append("XX")
        if get:
            args.append("GET")
            return self._cmd(RAW, *args)
        return self._cmd(OK, *args)

    def get(self, name):
        """GET: the value, or ``None``."""
        return self._cmd(RAW, "GET", name)

    def getset(self, name, value):
        """GETSET: the old value."""
        return self._cmd(RAW, "GETSET", name, value)

    def mget(self, keys, *args):
        """MGET: a list of values (``None`` for missing keys)."""
        return self._cmd(RAW, "MGET", *_list_or_args(keys, args))

    def mset(self, mapping):
        """MSET from a dict; ``True``."""
        items: list = []
        for k, v in mapping.items():
            items += [k, v]
        return self._cmd(OK, "MSET", *items)

    def incr(self, name, amount=1):
        """INCRBY: the new value."""
        return self._cmd(RAW, "INCRBY", name, amount)

    incrby = incr

    def decr(self, name, amount=1):
        """DECRBY: the new value."""
        return self._cmd(RAW, "DECRBY", name, amount)

    decrby = decr

    def incrbyfloat(self, name, amount=1.0):
        """INCRBYFLOAT: the new value as a float."""
        return self._cmd(FLOAT, "INCRBYFLOAT", name, amount)

    def getex(self, name, ex=None, px=None, exat=None, pxat=None, persist=False):
        """GETEX: the value, setting or removing its expiry."""
        args: list = ["GETEX", name]
        if ex is not None:
            args += ["EX", _seconds(ex)]
        if px is not None:
            args += ["PX", _millis(px)]
        if exat is not None:
            args += ["EXAT", int(exat.timestamp()) if isinstance(exat, datetime.datetime) else exat]
        if pxat is not None:
            args += ["PXAT", int(pxat.timestamp() * 1000) if isinstance(pxat, datetime.datetime) else pxat]
        if persist:
            args.append("PERSIST")
        return self._cmd(RAW, *args)

    def getdel(self, name):
        """GETDEL: the value, deleting the key."""
        return self._cmd(RAW, "GETDEL", name)

    def setex(self, name, time, value):
        """SETEX: ``True``."""
        return self._cmd(OK, "SETEX", name, _seconds(time), value)

    def psetex(self, name, time_ms, value):
        """PSETEX: ``True``."""
        return self._cmd(OK, "PSETEX", name, _millis(time_ms), value)

    def setnx(self, name, value):
        """SETNX: ``True`` if set."""
        return self._cmd(BOOL, "SETNX", name, value)

    def msetnx(self, mapping):
        """MSETNX: ``True`` if every key was set."""
        items: list = []
        for k, v in mapping.items():
            items += [k, v]
        return self._cmd(BOOL, "MSETNX", *items)

    def getrange(self, key, start, end):
        """GETRANGE."""
        return self._cmd(RAW, "GETRANGE", key, start, end)

    def setrange(self, name, offset, value):
        """SETRANGE: the new length."""
        return self._cmd(RAW, "SETRANGE", name, offset, value)

    def append(self, key, value):
        """APPEND: the new length."""
        return self._cmd(RAW, "APPEND", key, value)

    def substr(self, name, start, end=-1):
        """SUBSTR (GETRANGE's old name)."""
        return self._cmd(RAW, "SUBSTR", name, start, end)

    def lcs(self, key1, key2, len=False, idx=False, minmatchlen=0, withmatchlen=False):
        """LCS (Redis 7+): the longest common subsequence of two strings, its length with
        ``len``, or with ``idx`` the flat ``[b"matches", [...], b"len", n]`` RESP2 sends."""
        args: list = ["LCS", key1, key2]
        if len:
            args.append("LEN")
        if idx:
            args.append("IDX")
        if minmatchlen is not None and minmatchlen != 0:
            args += ["MINMATCHLEN", minmatchlen]
        if withmatchlen:
            args.append("WITHMATCHLEN")
        return self._cmd(LCS, *args)

    def stralgo(self, algo, value1, value2, specific_argument="strings", len=False,
                idx=False, minmatchlen=None, withmatchlen=False, **kwargs):
        """STRALGO LCS (Redis 6 only: Redis 7 replaced it with LCS, see ``lcs``) of two strings
        or, with ``specific_argument="keys"``, two keys' values: the LCS as ``str``, its length
        with ``len``, its match positions with ``idx`` (redis-py's ``parse_stralgo``)."""
        if algo not in ["LCS"]:
            raise DataError("The supported algorithms are: LCS")
        if specific_argument not in ["keys", "strings"]:
            raise DataError("specific_argument can be only keys or strings")
        if len and idx:
            raise DataError("len and idx cannot be provided together.")
        args: list = ["STRALGO", algo, specific_argument.upper(), value1, value2]
        if len:
            args.append(b"LEN")
        if idx:
            args.append(b"IDX")
        if minmatchlen is not None:
            args += [b"MINMATCHLEN", minmatchlen]
        if withmatchlen:
            args.append(b"WITHMATCHLEN")
        return self._cmd_post(_stralgo(len, idx, withmatchlen), RESP2, *args)

    def msetex(self, mapping, data_persist_option=None, ex=None, px=None, exat=None,
               pxat=None, keepttl=False):
        """MSETEX (Redis 8.4+, Valkey 9.1): sets every key of ``mapping`` with one expiry
        (``data_persist_option`` NX/XX: only if none/all exist); 1 if set, 0 if not."""
        if sum(x is not None for x in (ex, px, exat, pxat)) + bool(keepttl) > 1:
            raise DataError("``ex``, ``px``, ``exat``, ``pxat``, and ``keepttl`` are mutually "
                            "exclusive.")
        options: list = []
        if data_persist_option:
            options.append(getattr(data_persist_option, "value", data_persist_option))
        options += _expire_flags(ex, px, exat, pxat)
        if keepttl:
            options.append("KEEPTTL")
        args: list = ["MSETEX", len(mapping)]
        for pair in mapping.items():
            args.extend(pair)
        return self._cmd(RAW, *args, *options)

    def increx(self, name, *, byfloat=None, byint=None, lbound=None, ubound=None,
               saturate=False, ex=None, px=None, exat=None, pxat=None, persist=False,
               enx=False):
        """INCREX (Redis 8.8+): increments ``name`` by ``byint``/``byfloat`` within
        ``lbound``..``ubound`` (``saturate``: clamped), setting its expiry; the reply as RESP2
        sends it."""
        if byfloat is not None and byint is not None:
            raise DataError("``byfloat`` and ``byint`` are mutually exclusive.")
        if sum(x is not None for x in (ex, px, exat, pxat)) + bool(persist) > 1:
            raise DataError("``ex``, ``px``, ``exat``, ``pxat``, and ``persist`` are mutually "
                            "exclusive.")
        if enx and ex is None and px is None and exat is None and pxat is None:
            raise DataError("``enx`` requires one of ``ex``, ``px``, ``exat``, or ``pxat``.")
        args: list = ["INCREX", name]
        if byfloat is not None:
            args += ["BYFLOAT", byfloat]
        elif byint is not None:
            args += ["BYINT", byint]
        if lbound is not None:
            args += ["LBOUND", lbound]
        if ubound is not None:
            args += ["UBOUND", ubound]
        if saturate:
            args.append("SATURATE")
        args += _expire_flags(ex, px, exat, pxat)
        if persist:
            args.append("PERSIST")
        if enx:
            args.append("ENX")
        return self._cmd(RESP2, *args)

    def delex(self, name, ifeq=None, ifne=None, ifdeq=None, ifdne=None):
        """DELEX (Redis 8.4+): deletes ``name`` if its value equals ``ifeq`` / differs from
        ``ifne`` (or its DIGEST ``ifdeq`` / ``ifdne``); 1 if deleted. Experimental in redis-py
        (its warning)."""
        _experimental("delex")
        if sum(x is not None for x in (ifeq, ifne, ifdeq, ifdne)) > 1:
            raise ValueError("Only one of IFEQ/IFNE/IFDEQ/IFDNE may be specified")
        args: list = ["DELEX", name]
        for word, value in (("IFEQ", ifeq), ("IFNE", ifne), ("IFDEQ", ifdeq), ("IFDNE", ifdne)):
            if value is not None:
                args += [word, value]
                break
        return self._cmd(RAW, *args)

    def digest(self, name):
        """DIGEST (Redis 8.4+): the XXH3 digest of ``name``'s value as hex text, or ``None``.
        Experimental in redis-py (its warning)."""
        _experimental("digest")
        return self._cmd(RAW, "DIGEST", name)

    def digest_local(self, value):
        """The XXH3-64 digest DIGEST would give ``value``, computed here (needs the optional
        ``xxhash`` package, as in redis-py): hex ``bytes`` (``str`` when decoding).
        Experimental in redis-py (its warning)."""
        _experimental("digest_local")
        try:
            import xxhash
        except ImportError:
            raise NotImplementedError(
                "XXHASH support requires the optional 'xxhash' library. Install it with 'pip "
                "install xxhash' to enable this feature.") from None
        digest = xxhash.xxh3_64(value).hexdigest()
        return digest if self._decodes() else digest.encode()

    def _legacy(self) -> bool:
        """redis-py's ``legacy_responses`` (``False``: its unified reply shapes)."""
        native = getattr(getattr(self, "_client", self), "_native", None)
        return bool(getattr(native, "legacy_responses", True))

    def _decodes(self) -> bool:
        """Whether replies are decoded to ``str`` (``decode_responses``)."""
        native = getattr(getattr(self, "client", self), "_native", None)
        return bool(getattr(native, "decode_responses", False))

    def strlen(self, name):
        """STRLEN."""
        return self._cmd(RAW, "STRLEN", name)

    # --- keys ----------------------------------------------------------------------------
    def delete(self, *names):
        """DEL: how many keys were removed."""
        return self._cmd(RAW, "DEL", *names)

    def __delitem__(self, name):
        self.delete(name)

    def unlink(self, *names):
        """UNLINK: how many keys were removed."""
        return self._cmd(RAW, "UNLINK", *names)

    def exists(self, *names):
        """EXISTS: how many of the keys exist."""
        return self._cmd(RAW, "EXISTS", *names)

    def expire(self, name, time, nx=False, xx=False, gt=False, lt=False):
        """EXPIRE: ``True`` if the timeout was set."""
        args: list = ["EXPIRE", name, _seconds(time)]
        for flag, word in ((nx, "NX"), (xx, "XX"), (gt, "GT"), (lt, "LT")):
            if flag:
                args.append(word)
        return self._cmd(BOOL, *args)

    def pexpire(self, name, time, nx=False, xx=False, gt=False, lt=False):
        """PEXPIRE: ``True`` if the timeout was set."""
        args: list = ["PEXPIRE", name, _millis(time)]
        for flag, word in ((nx, "NX"), (xx, "XX"), (gt, "GT"), (lt, "LT")):
            if flag:
                args.append(word)
        return self._cmd(BOOL, *args)

    def expireat(self, name, when, nx=False, xx=False, gt=False, lt=False):
        """EXPIREAT (a timestamp or a ``datetime``): ``True`` if set."""
        if isinstance(when, datetime.datetime):
            when = int(when.timestamp())
        args: list = ["EXPIREAT", name, when]
        for flag, word in ((nx, "NX"), (xx, "XX"), (gt, "GT"), (lt, "LT")):
            if flag:
                args.append(word)
        return self._cmd(BOOL, *args)

    def copy(self, source, destination, destination_db=None, replace=False):
        """COPY: ``True`` if copied."""
        args: list = ["COPY", source, destination]
        if destination_db is not None:
            args += ["DB", destination_db]
        if replace:
            args.append("REPLACE")
        return self._cmd(BOOL, *args)

    def randomkey(self, **kwargs):
        """RANDOMKEY: a key, or ``None`` when the database is empty."""
        return self._cmd(RAW, "RANDOMKEY")

    def pexpireat(self, name, when, nx=False, xx=False, gt=False, lt=False):
        """PEXPIREAT (a timestamp in milliseconds or a ``datetime``): ``True`` if set."""
        if isinstance(when, datetime.datetime):
            when = int(when.timestamp() * 1000)
        args: list = ["PEXPIREAT", name, when]
        for flag, word in ((nx, "NX"), (xx, "XX"), (gt, "GT"), (lt, "LT")):
            if flag:
                args.append(word)
        return self._cmd(BOOL, *args)

    def expiretime(self, key):
        """EXPIRETIME (Redis 7+): the expiry as a Unix time in seconds (-1 none, -2 no key)."""
        return self._cmd(RAW, "EXPIRETIME", key)

    def pexpiretime(self, key):
        """PEXPIRETIME (Redis 7+): the expiry as a Unix time in milliseconds."""
        return self._cmd(RAW, "PEXPIRETIME", key)

    def touch(self, *args):
        """TOUCH: how many of the keys exist (their access time updated)."""
        return self._cmd(RAW, "TOUCH", *args)

    def move(self, name, db):
        """MOVE to database ``db``: ``True`` if moved."""
        return self._cmd(BOOL, "MOVE", name, db)

    def renamenx(self, src, dst):
        """RENAMENX: ``True`` if renamed (``dst`` did not exist)."""
        return self._cmd(BOOL, "RENAMENX", src, dst)

    def dump(self, name):
        """DUMP: the serialized value (``bytes``, even with ``decode_responses``), or
        ``None``."""
        return self._cmd(BYTES, "DUMP", name)

    def restore(self, name, ttl, value, replace=False, absttl=False, idletime=None,
                frequency=None):
        """RESTORE a ``dump`` payload into ``name`` (``ttl`` milliseconds, 0: none):
        ``b"OK"``."""
        args: list = ["RESTORE", name, ttl, value]
        if replace:
            args.append("REPLACE")
        if absttl:
            args.append("ABSTTL")
        if idletime is not None:
            try:
                args += ["IDLETIME", int(idletime)]
            except ValueError:
                raise DataError("idletimemust be an integer")
        if frequency is not None:
            try:
                args += ["FREQ", int(frequency)]
            except ValueError:
                raise DataError("frequency must be an integer")
        return self._cmd(RAW, *args)

    def persist(self, name):
        """PERSIST: ``True`` if a timeout was removed."""
        return self._cmd(BOOL, "PERSIST", name)

    def ttl(self, name):
        """TTL in seconds (-1 no timeout, -2 no key)."""
        return self._cmd(RAW, "TTL", name)

    def pttl(self, name):
        """PTTL in milliseconds."""
        return self._cmd(RAW, "PTTL", name)

    def type(self, name):
        """TYPE: ``b'string'``, ``b'list'``... (``str`` with ``decode_responses``)."""
        return self._cmd(RAW, "TYPE", name)

    def rename(self, src, dst):
        """RENAME: ``True``."""
        return self._cmd(OK, "RENAME", src, dst)

    def keys(self, pattern="*", **kwargs):
        """KEYS: a list of key names."""
        return self._cmd(RAW, "KEYS", pattern)

    def scan(self, cursor=0, match=None, count=None, _type=None, **kwargs):
        """SCAN: ``(next_cursor, keys)``; the iteration ends when the cursor is 0."""
        args: list = ["SCAN", cursor]
        if match is not None:
            args += ["MATCH", match]
        if count is not None:
            args += ["COUNT", count]
        if _type is not None:
            args += ["TYPE", _type]
        return self._cmd(SCAN, *args)

    def sscan(self, name, cursor=0, match=None, count=None):
        """SSCAN: ``(next_cursor, members)``."""
        return self._cmd(SCAN, *self._scan_args("SSCAN", name, cursor, match, count))

    def hscan(self, name, cursor=0, match=None, count=None, no_values=None):
        """HSCAN: ``(next_cursor, {field: value})``; with ``no_values=True`` (HSCAN ...
        NOVALUES, Redis 7.4+) ``(next_cursor, [field])``."""
        args = self._scan_args("HSCAN", name, cursor, match, count)
        if no_values:
            return self._cmd(SCAN, *args, "NOVALUES")
        return self._cmd(HSCAN, *args)

    def zscan(self, name, cursor=0, match=None, count=None, score_cast_func=float):
        """ZSCAN: ``(next_cursor, [(member, score)])`` (scores through ``score_cast_func``)."""
        args = self._scan_args("ZSCAN", name, cursor, match, count)
        if score_cast_func is float:
            return self._cmd(ZSCAN, *args)
        return self._cmd_post(_cast_zscan(score_cast_func), ZSCAN_TEXT, *args)

    @staticmethod
    def _scan_args(command, name, cursor, match, count):
        args: list = [command, name, cursor]
        if match is not None:
            args += ["MATCH", match]
        if count is not None:
            args += ["COUNT", count]
        return args

    def dbsize(self, **kwargs):
        """DBSIZE."""
        return self._cmd(RAW, "DBSIZE")

    # --- hashes --------------------------------------------------------------------------
    def hset(self, name, key=None, value=None, mapping=None, items=None):
        """HSET: how many fields were added."""
        if key is None and not mapping and not items:
            raise DataError("'hset' with no key value pairs")
        args: list = ["HSET", name]
        if key is not None:
            args += [key, value]
        if items:
            args += list(items)
        if mapping:
            for k, v in mapping.items():
                args += [k, v]
        return self._cmd(RAW, *args)

    def hsetnx(self, name, key, value):
        """HSETNX: ``True`` if the field was set."""
        return self._cmd(BOOL, "HSETNX", name, key, value)

    def hget(self, name, key):
        """HGET: the value, or ``None``."""
        return self._cmd(RAW, "HGET", name, key)

    def hmget(self, name, keys, *args):
        """HMGET: a list of values."""
        return self._cmd(RAW, "HMGET", name, *_list_or_args(keys, args))

    def hgetall(self, name):
        """HGETALL: a dict of fields to values (empty for a missing key)."""
        return self._cmd(DICT, "HGETALL", name)

    def hdel(self, name, *keys):
        """HDEL: how many fields were removed."""
        return self._cmd(RAW, "HDEL", name, *keys)

    def hexists(self, name, key):
        """HEXISTS: ``True`` or ``False``."""
        return self._cmd(BOOL, "HEXISTS", name, key)

    def hlen(self, name):
        """HLEN."""
        return self._cmd(RAW, "HLEN", name)

    def hkeys(self, name):
        """HKEYS: a list of field names."""
        return self._cmd(RAW, "HKEYS", name)

    def hvals(self, name):
        """HVALS: a list of values."""
        return self._cmd(RAW, "HVALS", name)

    def hincrbyfloat(self, name, key, amount=1.0):
        """HINCRBYFLOAT: the new value as a float."""
        return self._cmd(FLOAT, "HINCRBYFLOAT", name, key, amount)

    def hstrlen(self, name, key):
        """HSTRLEN."""
        return self._cmd(RAW, "HSTRLEN", name, key)

    def _hash_field_expiry(self, command, name, when, fields, nx, xx, gt, lt):
        if sum((bool(nx), bool(xx), bool(gt), bool(lt))) > 1:
            raise ValueError("Only one of 'nx', 'xx', 'gt', 'lt' can be specified.")
        args: list = [command, name, when]
        for flag, word in ((nx, "NX"), (xx, "XX"), (gt, "GT"), (lt, "LT")):
            if flag:
                args.append(word)
        return self._cmd(RAW, *args, "FIELDS", len(fields), *fields)

    def hexpire(self, name, seconds, *fields, nx=False, xx=False, gt=False, lt=False):
        """HEXPIRE (Redis 7.4+, Valkey 9) of ``fields`` in ``seconds`` (or a ``timedelta``):
        one code per field (2 expired now, 1 set, 0 condition not met, -2 no such field)."""
        if isinstance(seconds, datetime.timedelta):
            seconds = int(seconds.total_seconds())
        return self._hash_field_expiry("HEXPIRE", name, seconds, fields, nx, xx, gt, lt)

    def hpexpire(self, name, milliseconds, *fields, nx=False, xx=False, gt=False, lt=False):
        """HPEXPIRE: as ``hexpire``, in milliseconds."""
        if isinstance(milliseconds, datetime.timedelta):
            milliseconds = int(milliseconds.total_seconds() * 1000)
        return self._hash_field_expiry("HPEXPIRE", name, milliseconds, fields, nx, xx, gt, lt)

    def hexpireat(self, name, unix_time_seconds, *fields, nx=False, xx=False, gt=False,
                  lt=False):
        """HEXPIREAT: as ``hexpire``, at a Unix time in seconds (or a ``datetime``)."""
        if isinstance(unix_time_seconds, datetime.datetime):
            unix_time_seconds = int(unix_time_seconds.timestamp())
        return self._hash_field_expiry("HEXPIREAT", name, unix_time_seconds, fields, nx, xx,
                                       gt, lt)

    def hpexpireat(self, name, unix_time_milliseconds, *fields, nx=False, xx=False, gt=False,
                   lt=False):
        """HPEXPIREAT: as ``hexpire``, at a Unix time in milliseconds (or a ``datetime``)."""
        if isinstance(unix_time_milliseconds, datetime.datetime):
            unix_time_milliseconds = int(unix_time_milliseconds.timestamp() * 1000)
        return self._hash_field_expiry("HPEXPIREAT", name, unix_time_milliseconds, fields, nx,
                                       xx, gt, lt)

    def hpersist(self, name, *fields):
        """HPERSIST: one code per field (1 expiry removed, -1 had none, -2 no such field)."""
        return self._cmd(RAW, "HPERSIST", name, "FIELDS", len(fields), *fields)

    def hexpiretime(self, key, *fields):
        """HEXPIRETIME: each field's expiry as a Unix time in seconds (-1 none, -2 no
        field)."""
        return self._cmd(RAW, "HEXPIRETIME", key, "FIELDS", len(fields), *fields)

    def hpexpiretime(self, key, *fields):
        """HPEXPIRETIME: each field's expiry as a Unix time in milliseconds."""
        return self._cmd(RAW, "HPEXPIRETIME", key, "FIELDS", len(fields), *fields)

    def httl(self, key, *fields):
        """HTTL: each field's time to live in seconds (-1 none, -2 no field)."""
        return self._cmd(RAW, "HTTL", key, "FIELDS", len(fields), *fields)

    def hpttl(self, key, *fields):
        """HPTTL: each field's time to live in milliseconds."""
        return self._cmd(RAW, "HPTTL", key, "FIELDS", len(fields), *fields)

    def hgetdel(self, name, *keys):
        """HGETDEL (Redis 8+, Valkey 9): the values of ``keys``, deleting them."""
        if len(keys) == 0:
            raise DataError("'hgetdel' should have at least one key provided")
        return self._cmd(RAW, "HGETDEL", name, "FIELDS", len(keys), *keys)

    def hgetex(self, name, *keys, ex=None, px=None, exat=None, pxat=None, persist=False):
        """HGETEX (Redis 8+, Valkey 9): the values of ``keys``, setting (or with ``persist``
        removing) their expiry."""
        if not keys:
            raise DataError("'hgetex' should have at least one key provided")
        if sum(x is not None for x in (ex, px, exat, pxat)) + bool(persist) > 1:
            raise DataError("``ex``, ``px``, ``exat``, ``pxat``, and ``persist`` are mutually "
                            "exclusive.")
        args: list = ["HGETEX", name, *_expire_flags(ex, px, exat, pxat)]
        if persist:
            args.append("PERSIST")
        return self._cmd(RAW, *args, "FIELDS", len(keys), *keys)

    def hsetex(self, name, key=None, value=None, mapping=None, items=None, ex=None, px=None,
               exat=None, pxat=None, data_persist_option=None, keepttl=False):
        """HSETEX (Redis 8+, Valkey 9): sets fields with an expiry (``data_persist_option``
        FNX/FXX: only if none/all exist): 1 if set, 0 if not."""
        if key is None and not mapping and not items:
            raise DataError("'hsetex' with no key value pairs")
        if items and len(items) % 2 != 0:
            raise DataError("'hsetex' with odd number of items. 'items' must contain a list of "
                            "key/value pairs.")
        if sum(x is not None for x in (ex, px, exat, pxat)) + bool(keepttl) > 1:
            raise DataError("``ex``, ``px``, ``exat``, ``pxat``, and ``keepttl`` are mutually "
                            "exclusive.")
        args: list = ["HSETEX", name, *_expire_flags(ex, px, exat, pxat)]
        if data_persist_option:
            args.append(getattr(data_persist_option, "value", data_persist_option))
        if keepttl:
            args.append("KEEPTTL")
        pieces: list = list(items) if items else []
        if key is not None:
            pieces += [key, value]
        if mapping:
            for pair in mapping.items():
                pieces.extend(pair)
        return self._cmd(RAW, *args, "FIELDS", len(pieces) // 2, *pieces)

    def hmset(self, name, mapping):
        """HMSET (deprecated by redis-py for ``hset(mapping=)``, with its warning): ``True``."""
        warnings.warn("Call to deprecated hmset. (Use 'hset' instead.) -- Deprecated since "
                      "version 4.0.0.", DeprecationWarning, stacklevel=2)
        if not mapping:
            raise DataError("'hmset' with 'mapping' of length 0")
        items: list = []
        for pair in mapping.items():
            items.extend(pair)
        return self._cmd(OK, "HMSET", name, *items)

    def hrandfield(self, key, count=None, withvalues=False):
        """HRANDFIELD: one field (``None`` for a missing key), a list with ``count``, or with
        ``withvalues`` the flat ``[field, value, ...]`` redis-py gives."""
        args: list = ["HRANDFIELD", key]
        if count is not None:
            args.append(count)
        if withvalues:
            args.append("WITHVALUES")
            return self._cmd(FLAT_VALUES, *args)
        return self._cmd(RAW, *args)

    def hincrby(self, name, key, amount=1):
        """HINCRBY: the new value."""
        return self._cmd(RAW, "HINCRBY", name, key, amount)

    # --- lists ---------------------------------------------------------------------------
    def lpush(self, name, *values):
        """LPUSH: the new length."""
        return self._cmd(RAW, "LPUSH", name, *values)

    def rpush(self, name, *values):
        """RPUSH: the new length."""
        return self._cmd(RAW, "RPUSH", name, *values)

    def sort(self, name, start=None, num=None, by=None, get=None, desc=False, alpha=False,
             store=None, groups=False):
        """SORT: the sorted elements (``None`` for a GET pattern that matched nothing), or the
        number stored with ``store``."""
        if (start is None) != (num is None):
            raise DataError("``start`` and ``num`` must both be specified")
        if groups:
            raise NotImplementedError("oxredis: sort(groups=True)")
        args: list = ["SORT", name]
        if by is not None:
            args += ["BY", by]
        if start is not None:
            args += ["LIMIT", start, num]
        if get is not None:
            for pattern in ([get] if isinstance(get, (bytes, str)) else get):
                args += ["GET", pattern]
        if desc:
            args.append("DESC")
        if alpha:
            args.append("ALPHA")
        if store is not None:
            args += ["STORE", store]
        return self._cmd(RAW, *args)

    def sort_ro(self, key, start=None, num=None, by=None, get=None, desc=False, alpha=False):
        """SORT without STORE (redis-py 8.1 sends it as SORT too)."""
        return self.sort(key, start=start, num=num, by=by, get=get, desc=desc, alpha=alpha)

    def lrange(self, name, start, end):
        """LRANGE: a list."""
        return self._cmd(RAW, "LRANGE", name, start, end)

    def llen(self, name):
        """LLEN."""
        return self._cmd(RAW, "LLEN", name)

    def lpop(self, name, count=None):
        """LPOP: one value (or a list with ``count``)."""
        if count is not None:
            return self._cmd(RAW, "LPOP", name, count)
        return self._cmd(RAW, "LPOP", name)

    def rpop(self, name, count=None):
        """RPOP: one value (or a list with ``count``)."""
        if count is not None:
            return self._cmd(RAW, "RPOP", name, count)
        return self._cmd(RAW, "RPOP", name)

    def lindex(self, name, index):
        """LINDEX."""
        return self._cmd(RAW, "LINDEX", name, index)

    def lset(self, name, index, value):
        """LSET: ``True``."""
        return self._cmd(OK, "LSET", name, index, value)

    def lrem(self, name, count, value):
        """LREM: how many were removed."""
        return self._cmd(RAW, "LREM", name, count, value)

    def ltrim(self, name, start, end):
        """LTRIM: ``True``."""
        return self._cmd(OK, "LTRIM", name, start, end)

    def linsert(self, name, where, refvalue, value):
        """LINSERT ``where`` (BEFORE/AFTER): the new length, -1 if ``refvalue`` is missing."""
        return self._cmd(RAW, "LINSERT", name, where, refvalue, value)

    def lpos(self, name, value, rank=None, count=None, maxlen=None):
        """LPOS: an index (a list with ``count``), or ``None``."""
        args: list = ["LPOS", name, value]
        if rank is not None:
            args += ["RANK", rank]
        if count is not None:
            args += ["COUNT", count]
        if maxlen is not None:
            args += ["MAXLEN", maxlen]
        return self._cmd(RAW, *args)

    def rpoplpush(self, src, dst):
        """RPOPLPUSH: the moved value."""
        return self._cmd(RAW, "RPOPLPUSH", src, dst)

    def lmove(self, first_list, second_list, src="LEFT", dest="RIGHT"):
        """LMOVE: the moved value."""
        return self._cmd(RAW, "LMOVE", first_list, second_list, src, dest)

    def lpushx(self, name, *values):
        """LPUSHX: the new length (0, nothing pushed, when the list does not exist)."""
        return self._cmd(RAW, "LPUSHX", name, *values)

    def rpushx(self, name, *values):
        """RPUSHX: the new length (0, nothing pushed, when the list does not exist)."""
        return self._cmd(RAW, "RPUSHX", name, *values)

    def brpoplpush(self, src, dst, timeout=0):
        """BRPOPLPUSH: the moved value, or ``None`` after ``timeout`` seconds (0: forever)."""
        return self._cmd(RAW, "BRPOPLPUSH", src, dst, timeout or 0)

    def blmove(self, first_list, second_list, timeout, src="LEFT", dest="RIGHT"):
        """BLMOVE: the moved value, or ``None`` after ``timeout`` seconds (0: forever)."""
        return self._cmd(RAW, "BLMOVE", first_list, second_list, src, dest, timeout)

    @staticmethod
    def _movem_args(count, mode, ordering) -> list:
        if count is None:
            if mode is not None or ordering is not None:
                raise DataError("``count`` is required when ``mode`` or ``ordering`` is set")
            return []
        if ordering is None:
            raise DataError("``ordering`` (OBO or BULK) is required when ``count`` is set")
        return [mode or "COUNT", count, ordering]

    def lmovem(self, first_list, second_list, src="LEFT", dest="RIGHT", count=None, mode=None,
               ordering=None):
        """LMOVEM (Redis 8.8+): LMOVE of up to ``count`` elements (``mode`` COUNT or EXACT,
        ``ordering`` OBO or BULK); the reply as sent."""
        return self._cmd(RAW, "LMOVEM", first_list, second_list, src, dest,
                         *self._movem_args(count, mode, ordering))

    def blmovem(self, first_list, second_list, timeout, src="LEFT", dest="RIGHT", count=None,
                mode=None, ordering=None):
        """BLMOVEM (Redis 8.8+): LMOVEM waiting up to ``timeout`` seconds."""
        return self._cmd(RAW, "BLMOVEM", first_list, second_list, src, dest, timeout,
                         *self._movem_args(count, mode, ordering))

    def lmpop(self, num_keys, *args, direction, count=1):
        """LMPOP (Redis 7+) from the ``direction`` end (LEFT/RIGHT) of the first non-empty list
        of ``args``: ``[key, [values]]``, or ``None``."""
        cmd_args: list = ["LMPOP", num_keys, *args, direction]
        if count != 1:
            cmd_args += ["COUNT", count]
        return self._cmd(RAW, *cmd_args)

    def blmpop(self, timeout, numkeys, *args, direction, count=1):
        """BLMPOP (Redis 7+): as ``lmpop``, waiting up to ``timeout`` seconds (0: forever);
        ``None`` when it timed out."""
        return self._cmd(RAW, "BLMPOP", timeout, numkeys, *args, direction, "COUNT", count)

    def blpop(self, keys, timeout=0):
        """BLPOP: ``(key, value)``, or ``None`` after ``timeout`` seconds (0: forever)."""
        return self._cmd(TUPLE, "BLPOP", *_list_or_args(keys, ()), timeout or 0)

    def brpop(self, keys, timeout=0):
        """BRPOP: ``(key, value)``, or ``None`` after ``timeout`` seconds (0: forever)."""
        return self._cmd(TUPLE, "BRPOP", *_list_or_args(keys, ()), timeout or 0)

    # --- sets ----------------------------------------------------------------------------
    def sadd(self, name, *values):
        """SADD: how many members were added."""
        return self._cmd(RAW, "SADD", name, *values)

    def srem(self, name, *values):
        """SREM: how many members were removed."""
        return self._cmd(RAW, "SREM", name, *values)

    def smembers(self, name):
        """SMEMBERS: a ``set``."""
        return self._cmd(SET, "SMEMBERS", name)

    def sismember(self, name, value):
        """SISMEMBER: ``True`` or ``False``."""
        return self._cmd(BOOL, "SISMEMBER", name, value)

    def smismember(self, name, values, *args):
        """SMISMEMBER: 1 or 0 for each of ``values`` (a list, or several arguments), as
        redis-py returns them."""
        return self._cmd(RAW, "SMISMEMBER", name, *_list_or_args(values, args))

    def sintercard(self, numkeys, keys, limit=0):
        """SINTERCARD (Redis 7+): the size of the intersection of ``keys``, stopping at
        ``limit`` (0: none)."""
        return self._cmd(RAW, "SINTERCARD", numkeys, *keys, "LIMIT", limit)

    def sunioncard(self, numkeys, keys, limit=0, approx=False):
        """SUNIONCARD (Redis 8.8+): the size of the union of ``keys`` (capped at ``limit``;
        ``approx``: a HyperLogLog estimate)."""
        args: list = ["SUNIONCARD", numkeys, *keys]
        if approx:
            args.append("APPROX")
        return self._cmd(RAW, *args, "LIMIT", limit)

    def sdiffcard(self, numkeys, keys, limit=0):
        """SDIFFCARD (Redis 8.8+): the size of the first set minus the others (capped at
        ``limit``)."""
        return self._cmd(RAW, "SDIFFCARD", numkeys, *keys, "LIMIT", limit)

    def scard(self, name):
        """SCARD."""
        return self._cmd(RAW, "SCARD", name)

    def sinter(self, keys, *args):
        """SINTER: a ``set``."""
        return self._cmd(SET, "SINTER", *_list_or_args(keys, args))

    def sunion(self, keys, *args):
        """SUNION: a ``set``."""
        return self._cmd(SET, "SUNION", *_list_or_args(keys, args))

    def sdiff(self, keys, *args):
        """SDIFF: a ``set``."""
        return self._cmd(SET, "SDIFF", *_list_or_args(keys, args))

    def sinterstore(self, dest, keys, *args):
        """SINTERSTORE: the intersection stored in ``dest``; its size."""
        return self._cmd(RAW, "SINTERSTORE", dest, *_list_or_args(keys, args))

    def sunionstore(self, dest, keys, *args):
        """SUNIONSTORE: the union stored in ``dest``; its size."""
        return self._cmd(RAW, "SUNIONSTORE", dest, *_list_or_args(keys, args))

    def sdiffstore(self, dest, keys, *args):
        """SDIFFSTORE: the difference stored in ``dest``; its size."""
        return self._cmd(RAW, "SDIFFSTORE", dest, *_list_or_args(keys, args))

    def smove(self, src, dst, value):
        """SMOVE: ``True`` if moved."""
        return self._cmd(BOOL, "SMOVE", src, dst, value)

    def spop(self, name, count=None):
        """SPOP: a member (a list with ``count``), or ``None``."""
        if count is None:
            return self._cmd(RAW, "SPOP", name)
        return self._cmd(RAW, "SPOP", name, count)

    def srandmember(self, name, number=None):
        """SRANDMEMBER: a member (a list with ``number``)."""
        if number is None:
            return self._cmd(RAW, "SRANDMEMBER", name)
        return self._cmd(RAW, "SRANDMEMBER", name, number)

    # --- sorted sets ---------------------------------------------------------------------
    def zadd(self, name, mapping, nx=False, xx=False, ch=False, incr=False, gt=False, lt=False):
        """ZADD from ``{member: score}``: how many were added (the new score with ``incr``)."""
        if not mapping:
            raise DataError("ZADD requires at least one element/score pair")
        if nx and xx:
            raise DataError("ZADD allows either 'nx' or 'xx', not both")
        if gt and lt:
            raise DataError("ZADD allows either 'gt' or 'lt', not both")
        if incr and len(mapping) != 1:
            raise DataError("ZADD option 'incr' only works when passing a single element/score pair")
        if nx and (gt or lt):
            raise DataError("Only one of 'nx', 'lt', or 'gr' may be defined.")
        args: list = ["ZADD", name]
        for flag, word in ((nx, "NX"), (xx, "XX"), (gt, "GT"), (lt, "LT"), (ch, "CH"), (incr, "INCR")):
            if flag:
                args.append(word)
        for member, score in mapping.items():
            args += [score, member]
        return self._cmd(FLOAT if incr else RAW, *args)

    def zrange(self, name, start, end, desc=False, withscores=False, score_cast_func=float,
               byscore=False, bylex=False, offset=None, num=None):
        """ZRANGE: members, or ``(member, score)`` tuples with ``withscores`` (scores through
        ``score_cast_func``)."""
        if byscore and bylex:
            raise DataError("``byscore`` and ``bylex`` can not be specified together.")
        if (offset is None) != (num is None):
            raise DataError("``offset`` and ``num`` must both be specified.")
        if bylex and withscores:
            raise DataError("``withscores`` not supported in combination with ``bylex``.")
        args: list = ["ZRANGE", name, start, end]
        if byscore:
            args.append("BYSCORE")
        if bylex:
            args.append("BYLEX")
        if desc:
            args.append("REV")
        if offset is not None:
            args += ["LIMIT", offset, num]
        if withscores:
            args.append("WITHSCORES")
            return self._scored(score_cast_func, *args)
        return self._cmd(RAW, *args)

    def zrangestore(self, dest, name, start, end, byscore=False, bylex=False, desc=False,
                    offset=None, num=None):
        """ZRANGESTORE: stores the range of ``name`` in ``dest``; the number of members
        stored."""
        if byscore and bylex:
            raise DataError("``byscore`` and ``bylex`` can not be specified together.")
        if (offset is None) != (num is None):
            raise DataError("``offset`` and ``num`` must both be specified.")
        args: list = ["ZRANGESTORE", dest, name, start, end]
        if byscore:
            args.append("BYSCORE")
        if bylex:
            args.append("BYLEX")
        if desc:
            args.append("REV")
        if offset is not None:
            args += ["LIMIT", offset, num]
        return self._cmd(RAW, *args)

    @staticmethod
    def _zaggregate_args(command, dest, keys, aggregate, withscores=False):
        """redis-py's ``_zaggregate``: ``keys`` a list, or a dict of key to weight; no
        ``dest`` for ZUNION/ZINTER."""
        args: list = [command] if dest is None else [command, dest]
        args.append(len(keys))
        if isinstance(keys, dict):
            args += list(keys.keys())
            if keys:
                args.append("WEIGHTS")
                args += list(keys.values())
        else:
            args += list(keys)
        if aggregate:
            if aggregate.upper() not in ("SUM", "MIN", "MAX", "COUNT"):
                raise DataError("aggregate can be sum, min, max or count.")
            args += ["AGGREGATE", aggregate]
        if withscores:
            args.append("WITHSCORES")
        return args

    def zunionstore(self, dest, keys, aggregate=None):
        """ZUNIONSTORE: the union of ``keys`` (a list, or a dict of key to weight) stored in
        ``dest``; the number of members stored."""
        return self._cmd(RAW, *self._zaggregate_args("ZUNIONSTORE", dest, keys, aggregate))

    def zinterstore(self, dest, keys, aggregate=None):
        """ZINTERSTORE: the intersection of ``keys`` (a list, or a dict of key to weight)
        stored in ``dest``; the number of members stored."""
        return self._cmd(RAW, *self._zaggregate_args("ZINTERSTORE", dest, keys, aggregate))

    def zunion(self, keys, aggregate=None, withscores=False, score_cast_func=float):
        """ZUNION of ``keys`` (a list, or a dict of key to weight): members, or ``(member,
        score)`` tuples with ``withscores``."""
        args = self._zaggregate_args("ZUNION", None, keys, aggregate, withscores)
        if withscores:
            return self._scored(score_cast_func, *args)
        return self._cmd(RAW, *args)

    def zinter(self, keys, aggregate=None, withscores=False):
        """ZINTER of ``keys`` (a list, or a dict of key to weight): members, or ``(member,
        score)`` tuples with ``withscores``."""
        args = self._zaggregate_args("ZINTER", None, keys, aggregate, withscores)
        return self._cmd(SCORED if withscores else RAW, *args)

    def zdiff(self, keys, withscores=False):
        """ZDIFF of the first of ``keys`` and the others: members; with ``withscores`` the
        flat ``[member, score_text, ...]`` redis-py gives (no score parsing, as redis-py)."""
        args: list = ["ZDIFF", len(keys), *keys]
        if withscores:
            args.append("WITHSCORES")
            return self._cmd(FLAT_SCORES, *args)
        return self._cmd(RAW, *args)

    def zdiffstore(self, dest, keys):
        """ZDIFFSTORE: the difference stored in ``dest``; the number of members stored."""
        return self._cmd(RAW, "ZDIFFSTORE", dest, len(keys), *keys)

    def zintercard(self, numkeys, keys, limit=0):
        """ZINTERCARD (Redis 7+): the size of the intersection, stopping at ``limit``
        (0: none)."""
        return self._cmd(RAW, "ZINTERCARD", numkeys, *keys, "LIMIT", limit)

    def zmscore(self, key, members):
        """ZMSCORE: a list of ``float`` scores (``None`` for a missing member)."""
        if not members:
            raise DataError("ZMSCORE members must be a non-empty list")
        return self._cmd(FLOAT_LIST, "ZMSCORE", key, *members)

    def zrandmember(self, key, count=None, withscores=False):
        """ZRANDMEMBER: one member (``None`` for a missing key), a list with ``count``, or with
        ``withscores`` the flat ``[member, score_text, ...]`` redis-py gives."""
        args: list = ["ZRANDMEMBER", key]
        if count is not None:
            args.append(count)
        if withscores:
            args.append("WITHSCORES")
            return self._cmd(FLAT_SCORES, *args)
        return self._cmd(RAW, *args)

    def zlexcount(self, name, min, max):
        """ZLEXCOUNT: how many members lie between ``min`` and ``max`` (``[a``, ``(a``, ``-``,
        ``+``)."""
        return self._cmd(RAW, "ZLEXCOUNT", name, min, max)

    def zrangebylex(self, name, min, max, start=None, num=None):
        """ZRANGEBYLEX: members between ``min`` and ``max``."""
        if (start is None) != (num is None):
            raise DataError("``start`` and ``num`` must both be specified")
        args: list = ["ZRANGEBYLEX", name, min, max]
        if start is not None:
            args += ["LIMIT", start, num]
        return self._cmd(RAW, *args)

    def zrevrangebylex(self, name, max, min, start=None, num=None):
        """ZREVRANGEBYLEX: members between ``max`` and ``min``, in reverse order."""
        if (start is None) != (num is None):
            raise DataError("``start`` and ``num`` must both be specified")
        args: list = ["ZREVRANGEBYLEX", name, max, min]
        if start is not None:
            args += ["LIMIT", start, num]
        return self._cmd(RAW, *args)

    def zrangebyscore(self, name, min, max, start=None, num=None, withscores=False,
                      score_cast_func=float):
        """ZRANGEBYSCORE: members, or ``(member, score)`` tuples with ``withscores``."""
        return self._by_score("ZRANGEBYSCORE", name, min, max, start, num, withscores,
                              score_cast_func)

    def zrevrangebyscore(self, name, max, min, start=None, num=None, withscores=False,
                         score_cast_func=float):
        """ZREVRANGEBYSCORE: members from ``max`` down to ``min``, or ``(member, score)``
        tuples with ``withscores``."""
        return self._by_score("ZREVRANGEBYSCORE", name, max, min, start, num, withscores,
                              score_cast_func)

    def _by_score(self, command, name, first, last, start, num, withscores, cast):
        if (start is None) != (num is None):
            raise DataError("``start`` and ``num`` must both be specified")
        args: list = [command, name, first, last]
        if start is not None:
            args += ["LIMIT", start, num]
        if withscores:
            args.append("WITHSCORES")
            return self._scored(cast, *args)
        return self._cmd(RAW, *args)

    def zrevrange(self, name, start, end, withscores=False, score_cast_func=float):
        """ZREVRANGE: members, highest score first (tuples with ``withscores``)."""
        if withscores:
            return self._scored(score_cast_func, "ZREVRANGE", name, start, end, "WITHSCORES")
        return self._cmd(RAW, "ZREVRANGE", name, start, end)

    def zrank(self, name, value, withscore=False, score_cast_func=float):
        """ZRANK: the 0-based rank, or ``None``; with ``withscore=True`` (Redis 7.2+)
        ``[rank, score]``."""
        if withscore:
            return self._rank_score(score_cast_func, "ZRANK", name, value, "WITHSCORE")
        return self._cmd(RAW, "ZRANK", name, value)

    def zrevrank(self, name, value, withscore=False, score_cast_func=float):
        """ZREVRANK: the rank from the highest score, or ``None``; with ``withscore=True``
        (Redis 7.2+) ``[rank, score]``."""
        if withscore:
            return self._rank_score(score_cast_func, "ZREVRANK", name, value, "WITHSCORE")
        return self._cmd(RAW, "ZREVRANK", name, value)

    def _rank_score(self, cast, *args):
        if cast is float:
            return self._cmd(RANK_SCORE, *args)
        return self._cmd_post(_cast_rank(cast), RANK_SCORE_TEXT, *args)

    def zcount(self, name, min, max):
        """ZCOUNT."""
        return self._cmd(RAW, "ZCOUNT", name, min, max)

    def zpopmin(self, name, count=None):
        """ZPOPMIN: a list of ``(member, score)``."""
        if count is None:
            return self._cmd(SCORED, "ZPOPMIN", name)
        return self._cmd(SCORED, "ZPOPMIN", name, count)

    def zpopmax(self, name, count=None):
        """ZPOPMAX: a list of ``(member, score)``."""
        if count is None:
            return self._cmd(SCORED, "ZPOPMAX", name)
        return self._cmd(SCORED, "ZPOPMAX", name, count)

    def zremrangebyscore(self, name, min, max):
        """ZREMRANGEBYSCORE: how many were removed."""
        return self._cmd(RAW, "ZREMRANGEBYSCORE", name, min, max)

    def zremrangebyrank(self, name, min, max):
        """ZREMRANGEBYRANK: how many were removed."""
        return self._cmd(RAW, "ZREMRANGEBYRANK", name, min, max)

    def zremrangebylex(self, name, min, max):
        """ZREMRANGEBYLEX: how many were removed."""
        return self._cmd(RAW, "ZREMRANGEBYLEX", name, min, max)

    def bzpopmin(self, keys, timeout=0):
        """BZPOPMIN: ``(key, member, score)`` from the first non-empty sorted set of ``keys``,
        or ``None`` after ``timeout`` seconds (0: forever)."""
        return self._cmd(KEY_MEMBER_SCORE, "BZPOPMIN", *_list_or_args(keys, ()), timeout or 0)

    def bzpopmax(self, keys, timeout=0):
        """BZPOPMAX: ``(key, member, score)`` from the first non-empty sorted set of ``keys``,
        or ``None`` after ``timeout`` seconds (0: forever)."""
        return self._cmd(KEY_MEMBER_SCORE, "BZPOPMAX", *_list_or_args(keys, ()), timeout or 0)

    def zmpop(self, num_keys, keys, min=False, max=False, count=1):
        """ZMPOP (Redis 7+): ``[key, [[member, score_text]...]]`` from the first non-empty
        sorted set of ``keys`` (the MIN or MAX end), or ``None``."""
        args: list = ["ZMPOP", num_keys, *keys]
        if (min and max) or (not min and not max):
            raise DataError
        args.append("MIN" if min else "MAX")
        if count != 1:
            args += ["COUNT", count]
        return self._cmd(ZMPOP, *args)

    def bzmpop(self, timeout, numkeys, keys, min=False, max=False, count=1):
        """BZMPOP (Redis 7+): as ``zmpop``, waiting up to ``timeout`` seconds (0: forever);
        ``None`` when it timed out."""
        args: list = ["BZMPOP", timeout, numkeys, *keys]
        if (min and max) or (not min and not max):
            raise DataError("Either min or max, but not both must be set")
        args.append("MIN" if min else "MAX")
        args += ["COUNT", count]
        return self._cmd(ZMPOP, *args)

    def zscore(self, name, value):
        """ZSCORE: a float, or ``None``."""
        return self._cmd(FLOAT, "ZSCORE", name, value)

    def zincrby(self, name, amount, value):
        """ZINCRBY: the new score."""
        return self._cmd(FLOAT, "ZINCRBY", name, amount, value)

    def zcard(self, name):
        """ZCARD."""
        return self._cmd(RAW, "ZCARD", name)

    def zrem(self, name, *values):
        """ZREM: how many members were removed."""
        return self._cmd(RAW, "ZREM", name, *values)

    # --- arrays (Redis 8.8+) ----------------------------------------------------------------
    def arset(self, name, index, *values):
        """ARSET ``values`` from ``index``."""
        return self._cmd(RAW, "ARSET", name, index, *values)

    def armset(self, name, mapping):
        """ARMSET ``{index: value}``."""
        items: list = []
        for pair in mapping.items():
            items.extend(pair)
        return self._cmd(RAW, "ARMSET", name, *items)

    def arget(self, name, index):
        """ARGET the value at ``index``."""
        return self._cmd(RAW, "ARGET", name, index)

    def armget(self, name, *indices):
        """ARMGET the values at ``indices``."""
        return self._cmd(RAW, "ARMGET", name, *indices)

    def argetrange(self, name, start, end):
        """ARGETRANGE ``start``..``end``."""
        return self._cmd(RAW, "ARGETRANGE", name, start, end)

    def arscan(self, name, start, end, limit=None):
        """ARSCAN ``start``..``end`` (at most ``limit``)."""
        args: list = ["ARSCAN", name, start, end]
        if limit is not None:
            args += [b"LIMIT", limit]
        return self._cmd(RAW, *args)

    def argrep(self, name, start, end, predicates, combinator=None, limit=None,
               withvalues=False, nocase=False):
        """ARGREP ``start``..``end`` by ``predicates`` (``[(ArrayPredicateType, value)]``)."""
        args: list = ["ARGREP", name, start, end]
        for kind, value in predicates:
            args += [kind.value, value]
        if combinator is not None:
            args.append(combinator.value)
        if limit is not None:
            args += [b"LIMIT", limit]
        if withvalues:
            args.append(b"WITHVALUES")
        if nocase:
            args.append(b"NOCASE")
        return self._cmd(RAW, *args)

    def ardel(self, name, *indices):
        """ARDEL the values at ``indices``."""
        return self._cmd(RAW, "ARDEL", name, *indices)

    def ardelrange(self, name, *ranges):
        """ARDELRANGE each ``(start, end)`` of ``ranges``."""
        args: list = ["ARDELRANGE", name]
        for start, end in ranges:
            args += [start, end]
        return self._cmd(RAW, *args)

    def arcount(self, name):
        """ARCOUNT: how many values are set."""
        return self._cmd(RAW, "ARCOUNT", name)

    def arlen(self, name):
        """ARLEN: the array's length."""
        return self._cmd(RAW, "ARLEN", name)

    def arinfo(self, name, full=False):
        """ARINFO (``FULL``): a dict with ``str`` keys (redis-py's ``parse_arinfo``)."""
        if full:
            return self._cmd_post(_arinfo, RESP2, "ARINFO", name, b"FULL")
        return self._cmd_post(_arinfo, RESP2, "ARINFO", name)

    def arnext(self, name):
        """ARNEXT."""
        return self._cmd(RAW, "ARNEXT", name)

    def arseek(self, name, index):
        """ARSEEK to ``index``."""
        return self._cmd(RAW, "ARSEEK", name, index)

    def arinsert(self, name, *values):
        """ARINSERT ``values``."""
        return self._cmd(RAW, "ARINSERT", name, *values)

    def arring(self, name, size, *values):
        """ARRING ``values`` into a ring of ``size``."""
        return self._cmd(RAW, "ARRING", name, size, *values)

    def arlastitems(self, name, count, rev=False):
        """ARLASTITEMS: the last ``count`` values (``rev``: newest first)."""
        if rev:
            return self._cmd(RAW, "ARLASTITEMS", name, count, b"REV")
        return self._cmd(RAW, "ARLASTITEMS", name, count)

    def arop(self, name, start, end, operation, value=None):
        """AROP ``operation`` (``ArrayAggregateOperations``) over ``start``..``end``."""
        args: list = ["AROP", name, start, end, operation.value]
        if value is not None:
            args.append(value)
        return self._cmd(RAW, *args)

    # --- HyperLogLog -------------------------------------------------------------------
    def pfadd(self, name, *values):
        """PFADD: 1 if the estimated cardinality changed, else 0."""
        return self._cmd(RAW, "PFADD", name, *values)

    def pfcount(self, *sources):
        """PFCOUNT: the estimated cardinality of the union of ``sources``."""
        return self._cmd(RAW, "PFCOUNT", *sources)

    def pfmerge(self, dest, *sources):
        """PFMERGE: ``True``."""
        return self._cmd(OK, "PFMERGE", dest, *sources)

    # --- bitmaps -------------------------------------------------------------------------
    def setbit(self, name, offset, value):
        """SETBIT (``value`` truthy sets 1): the bit's old value."""
        return self._cmd(RAW, "SETBIT", name, offset, 1 if value else 0)

    def getbit(self, name, offset):
        """GETBIT: 0 or 1."""
        return self._cmd(RAW, "GETBIT", name, offset)

    def bitcount(self, key, start=None, end=None, mode=None):
        """BITCOUNT, optionally of the range ``start``..``end`` (``mode`` BYTE or BIT,
        Redis 7+)."""
        args: list = ["BITCOUNT", key]
        if start is not None and end is not None:
            args += [start, end]
        elif start is not None or end is not None:
            raise DataError("Both start and end must be specified")
        if mode is not None:
            args.append(mode)
        return self._cmd(RAW, *args)

    def bitpos(self, key, bit, start=None, end=None, mode=None):
        """BITPOS: the position of the first ``bit`` (0 or 1), or -1."""
        if bit not in (0, 1):
            raise DataError("bit must be 0 or 1")
        args: list = ["BITPOS", key, bit]
        if start is not None:
            args.append(start)
        if start is not None and end is not None:
            args.append(end)
        elif start is None and end is not None:
            raise DataError("start argument is not set, when end is specified")
        if mode is not None:
            args.append(mode)
        return self._cmd(RAW, *args)

    def bitop(self, operation, dest, *keys):
        """BITOP ``operation`` (AND, OR, XOR, NOT): the length of the string stored in
        ``dest``."""
        return self._cmd(RAW, "BITOP", operation, dest, *keys)

    def bitfield(self, key, default_overflow=None):
        """A ``BitFieldOperation`` on ``key``: chain ``set``/``get``/``incrby``/``overflow``,
        then ``execute()``."""
        return BitFieldOperation(self, key, default_overflow=default_overflow)

    def bitfield_ro(self, key, encoding, offset, items=None):
        """BITFIELD_RO: the values of ``GET encoding offset`` and of each
        ``(encoding, offset)`` in ``items``, as a list of ints."""
        args: list = ["BITFIELD_RO", key, "GET", encoding, offset]
        for enc, off in items or []:
            args += ["GET", enc, off]
        return self._cmd(RAW, *args)

    # --- geo ---------------------------------------------------------------------------
    def geoadd(self, name, values, nx=False, xx=False, ch=False):
        """GEOADD ``values`` = ``(lon, lat, member, lon, lat, member...)``: how many members
        were added (changed, with ``ch``)."""
        if nx and xx:
            raise DataError("GEOADD allows either 'nx' or 'xx', not both")
        if len(values) % 3 != 0:
            raise DataError("GEOADD requires places with lon, lat and name values")
        args: list = ["GEOADD", name]
        for flag, word in ((nx, "NX"), (xx, "XX"), (ch, "CH")):
            if flag:
                args.append(word)
        args.extend(values)
        return self._cmd(RAW, *args)

    def geodist(self, name, place1, place2, unit=None):
        """GEODIST in ``unit`` (m, km, mi, ft): a float, or ``None``."""
        args: list = ["GEODIST", name, place1, place2]
        if unit and unit not in ("m", "km", "mi", "ft"):
            raise DataError("GEODIST invalid unit")
        elif unit:
            args.append(unit)
        return self._cmd(FLOAT, *args)

    def geohash(self, name, *values):
        """GEOHASH: a list of ``str`` (``None`` for a missing member)."""
        return self._cmd(STR_LIST, "GEOHASH", name, *values)

    def geopos(self, name, *values):
        """GEOPOS: a list of ``(longitude, latitude)`` float tuples (``None`` for a missing
        member)."""
        return self._cmd(GEOPOS, "GEOPOS", name, *values)

    def geosearch(self, name, member=None, longitude=None, latitude=None, unit="m",
                  radius=None, width=None, height=None, sort=None, count=None, any=False,
                  withcoord=False, withdist=False, withhash=False):
        """GEOSEARCH from ``member`` or ``longitude``/``latitude`` within ``radius`` or a
        ``width`` x ``height`` box: members, or with ``withdist``/``withhash``/``withcoord``
        lists ``[member, dist, hash, (lon, lat)]`` (those asked for, in that order)."""
        args = self._geosearch_args("GEOSEARCH", [name], member, longitude, latitude, unit,
                                    radius, width, height, sort, count, any, withcoord,
                                    withdist, withhash, False)
        return self._cmd(GEOSEARCH, *args)

    def geosearchstore(self, dest, name, member=None, longitude=None, latitude=None, unit="m",
                       radius=None, width=None, height=None, sort=None, count=None, any=False,
                       storedist=False):
        """GEOSEARCHSTORE: as ``geosearch``, stored in ``dest`` (with the distances as scores
        with ``storedist``); how many members were stored."""
        args = self._geosearch_args("GEOSEARCHSTORE", [dest, name], member, longitude,
                                    latitude, unit, radius, width, height, sort, count, any,
                                    False, False, False, storedist)
        return self._cmd(RAW, *args)

    @staticmethod
    def _geosearch_args(command, keys, member, longitude, latitude, unit, radius, width,
                        height, sort, count, any, withcoord, withdist, withhash, storedist):
        """redis-py's ``_geosearchgeneric``: the arguments and their checks."""
        args: list = [command, *keys]
        if member is None and (longitude is None or latitude is None):
            raise DataError("GEOSEARCH must have member or longitude and latitude")
        if member:
            if longitude or latitude:
                raise DataError("GEOSEARCH member and longitude or latitude can't be set together")
            args += ["FROMMEMBER", member]
        if longitude is not None and latitude is not None:
            args += ["FROMLONLAT", longitude, latitude]
        if radius is None and (width is None or height is None):
            raise DataError("GEOSEARCH must have radius or width and height")
        if unit is None:
            raise DataError("GEOSEARCH must have unit")
        if unit.lower() not in ("m", "km", "mi", "ft"):
            raise DataError("GEOSEARCH invalid unit")
        if radius:
            if width or height:
                raise DataError("GEOSEARCH radius and width or height can't be set together")
            args += ["BYRADIUS", radius, unit]
        if width and height:
            args += ["BYBOX", width, height, unit]
        if sort:
            if sort.upper() not in ("ASC", "DESC"):
                raise DataError("GEOSEARCH invalid sort")
            args.append(sort.upper())
        if count:
            args += ["COUNT", count]
            if any:
                args.append("ANY")
        elif any:
            raise DataError("GEOSEARCH ``any`` can't be provided without count")
        for flag, word in ((withdist, "WITHDIST"), (withcoord, "WITHCOORD"),
                           (withhash, "WITHHASH"), (storedist, "STOREDIST")):
            if flag:
                args.append(word)
        return args

    def georadius(self, name, longitude, latitude, radius, unit=None, withdist=False,
                  withcoord=False, withhash=False, count=None, sort=None, store=None,
                  store_dist=None, any=False):
        """GEORADIUS (deprecated by Redis for GEOSEARCH): as ``geosearch``; with ``store`` or
        ``store_dist`` how many members were stored."""
        return self._georadius("GEORADIUS", [name, longitude, latitude, radius], unit,
                               withdist, withcoord, withhash, count, sort, store, store_dist,
                               any)

    def georadiusbymember(self, name, member, radius, unit=None, withdist=False,
                          withcoord=False, withhash=False, count=None, sort=None, store=None,
                          store_dist=None, any=False):
        """GEORADIUSBYMEMBER: as ``georadius``, around ``member``."""
        return self._georadius("GEORADIUSBYMEMBER", [name, member, radius], unit, withdist,
                               withcoord, withhash, count, sort, store, store_dist, any)

    def _georadius(self, command, pieces, unit, withdist, withcoord, withhash, count, sort,
                   store, store_dist, any):
        """redis-py's ``_georadiusgeneric``."""
        args: list = [command, *pieces]
        if unit and unit not in ("m", "km", "mi", "ft"):
            raise DataError("GEORADIUS invalid unit")
        args.append(unit or "m")
        if any and count is None:
            raise DataError("``any`` can't be provided without ``count``")
        for flag, word in ((withdist, "WITHDIST"), (withcoord, "WITHCOORD"),
                           (withhash, "WITHHASH")):
            if flag:
                args.append(word)
        if count is not None:
            args += ["COUNT", count]
            if any:
                args.append("ANY")
        if sort:
            if sort not in ("ASC", "DESC"):
                raise DataError("GEORADIUS invalid sort")
            args.append(sort)
        if store and store_dist:
            raise DataError("GEORADIUS store and store_dist can't be set together")
        if store:
            args += ["STORE", store]
        if store_dist:
            args += ["STOREDIST", store_dist]
        return self._cmd(RAW if store or store_dist else GEOSEARCH, *args)

    # --- streams -----------------------------------------------------------------------
    def xadd(self, name, fields, id="*", maxlen=None, approximate=True, nomkstream=False,
             minid=None, limit=None, ref_policy=None, idmpauto=None, idmp=None):
        """XADD ``fields`` (a dict): the new entry's id (``None`` with ``nomkstream`` when the
        stream does not exist). Redis 8.2+: ``ref_policy`` (``KEEPREF``/``DELREF``/``ACKED``)
        says what trimming does to consumer groups' pending entries; ``idmpauto=producer`` or
        ``idmp=(producer, idempotent_id)`` add the entry at most once (``id="*"`` only)."""
        if maxlen is not None and minid is not None:
            raise DataError("Only one of ```maxlen``` or ```minid``` may be specified")
        if idmpauto is not None and idmp is not None:
            raise DataError("Only one of ```idmpauto``` or ```idmp``` may be specified")
        if (idmpauto is not None or idmp is not None) and id != "*":
            raise DataError("IDMPAUTO and IDMP can only be used with id='*'")
        self._check_ref_policy("XADD", ref_policy)
        args: list = ["XADD", name]
        if nomkstream:
            args.append("NOMKSTREAM")
        if ref_policy is not None:
            args.append(ref_policy)
        if idmpauto is not None:
            args += ["IDMPAUTO", idmpauto]
        if idmp is not None:
            if not isinstance(idmp, tuple) or len(idmp) != 2:
                raise DataError("XADD idmp must be a tuple of (producer_id, idempotent_id)")
            args += ["IDMP", *idmp]
        if maxlen is not None:
            if not isinstance(maxlen, int) or maxlen < 0:
                raise DataError("XADD maxlen must be non-negative integer")
            args.append("MAXLEN")
            if approximate:
                args.append("~")
            args.append(str(maxlen))
        if minid is not None:
            args.append("MINID")
            if approximate:
                args.append("~")
            args.append(minid)
        if limit is not None:
            args += ["LIMIT", limit]
        args.append(id)
        if not isinstance(fields, dict) or len(fields) == 0:
            raise DataError("XADD fields must be a non-empty dict")
        for pair in fields.items():
            args.extend(pair)
        return self._cmd(RAW, *args)

    def xlen(self, name):
        """XLEN."""
        return self._cmd(RAW, "XLEN", name)

    def xrange(self, name, min="-", max="+", count=None):
        """XRANGE: a list of ``(id, {field: value})``."""
        return self._stream_range("XRANGE", name, min, max, count)

    def xrevrange(self, name, max="+", min="-", count=None):
        """XREVRANGE: a list of ``(id, {field: value})``, newest first."""
        return self._stream_range("XREVRANGE", name, max, min, count)

    def _stream_range(self, command, name, start, end, count):
        args: list = [command, name, start, end]
        if count is not None:
            if not isinstance(count, int) or count < 1:
                raise DataError(f"{command} count must be a positive integer")
            args += ["COUNT", str(count)]
        return self._cmd(STREAM, *args)

    def xdel(self, name, *ids):
        """XDEL: how many entries were deleted."""
        return self._cmd(RAW, "XDEL", name, *ids)

    def xtrim(self, name, maxlen=None, approximate=True, minid=None, limit=None,
              ref_policy=None):
        """XTRIM by ``maxlen`` or ``minid``: how many entries were deleted (``ref_policy``,
        Redis 8.2+: as in ``xadd``)."""
        if maxlen is not None and minid is not None:
            raise DataError("Only one of ``maxlen`` or ``minid`` may be specified")
        if maxlen is None and minid is None:
            raise DataError("One of ``maxlen`` or ``minid`` must be specified")
        self._check_ref_policy("XTRIM", ref_policy)
        args: list = ["XTRIM", name, "MAXLEN" if maxlen is not None else "MINID"]
        if approximate:
            args.append("~")
        args.append(maxlen if maxlen is not None else minid)
        if limit is not None:
            args += ["LIMIT", limit]
        if ref_policy is not None:
            args.append(ref_policy)
        return self._cmd(RAW, *args)

    @staticmethod
    def _xread_streams(command, streams):
        if not isinstance(streams, dict) or len(streams) == 0:
            raise DataError(f"{command} streams must be a non empty dict")
        return ["STREAMS", *streams.keys(), *streams.values()]

    @staticmethod
    def _xread_caps(command, count, max_count, max_size) -> list:
        """MAXCOUNT/MAXSIZE (Redis 8.10+): caps over the whole reply, not per stream."""
        args: list = []
        if max_count is not None:
            if not isinstance(max_count, int) or max_count < 1:
                raise DataError(f"{command} max_count must be a positive integer")
            if count is not None and max_count < count:
                raise DataError(f"{command} max_count must be greater than or equal to count")
            args += ["MAXCOUNT", str(max_count)]
        if max_size is not None:
            if not isinstance(max_size, int) or max_size < 1:
                raise DataError(f"{command} max_size must be a positive integer")
            args += ["MAXSIZE", str(max_size)]
        return args

    def xread(self, streams, count=None, block=None, max_count=None, max_size=None):
        """XREAD from ``{stream: last_id}``: ``[[stream, [(id, {field: value})]]...]``, or
        ``[]`` when ``block`` milliseconds passed without an entry. ``max_count`` and
        ``max_size`` (bytes, a soft cap) bound the whole reply (Redis 8.10+)."""
        args: list = ["XREAD"]
        if block is not None:
            if not isinstance(block, int) or block < 0:
                raise DataError("XREAD block must be a non-negative integer")
            args += ["BLOCK", str(block)]
        if count is not None:
            if not isinstance(count, int) or count < 1:
                raise DataError("XREAD count must be a positive integer")
            args += ["COUNT", str(count)]
        args += self._xread_caps("XREAD", count, max_count, max_size)
        args += self._xread_streams("XREAD", streams)
        return self._cmd(XREAD, *args)

    def xreadgroup(self, groupname, consumername, streams, count=None, block=None,
                   noack=False, claim_min_idle_time=None, max_count=None, max_size=None):
        """XREADGROUP as ``consumername`` of ``groupname``: as ``xread`` (``>`` reads new
        entries, an id the consumer's pending ones). ``claim_min_idle_time`` (ms, Redis 8.4+)
        also claims other consumers' entries idle that long: each such entry comes as
        ``(id, {field: value}, idle_ms, delivery_count)``."""
        args: list = ["XREADGROUP", "GROUP", groupname, consumername]
        if count is not None:
            if not isinstance(count, int) or count < 1:
                raise DataError("XREADGROUP count must be a positive integer")
            args += ["COUNT", str(count)]
        args += self._xread_caps("XREADGROUP", count, max_count, max_size)
        if block is not None:
            if not isinstance(block, int) or block < 0:
                raise DataError("XREADGROUP block must be a non-negative integer")
            args += ["BLOCK", str(block)]
        if noack:
            args.append("NOACK")
        if claim_min_idle_time is not None:
            if not isinstance(claim_min_idle_time, int) or claim_min_idle_time < 0:
                raise DataError("XREADGROUP claim_min_idle_time must be a non-negative integer")
            args += ["CLAIM", claim_min_idle_time]
        args += self._xread_streams("XREADGROUP", streams)
        return self._cmd(XREAD, *args)

    def xgroup_create(self, name, groupname, id="$", mkstream=False, entries_read=None):
        """XGROUP CREATE: ``True``."""
        args: list = ["XGROUP", "CREATE", name, groupname, id]
        if mkstream:
            args.append("MKSTREAM")
        if entries_read is not None:
            args += ["ENTRIESREAD", entries_read]
        return self._cmd(OK, *args)

    def xgroup_destroy(self, name, groupname):
        """XGROUP DESTROY: ``True`` if the group existed."""
        return self._cmd(BOOL, "XGROUP", "DESTROY", name, groupname)

    def xgroup_createconsumer(self, name, groupname, consumername):
        """XGROUP CREATECONSUMER: 1 if created, 0 if it existed."""
        return self._cmd(RAW, "XGROUP", "CREATECONSUMER", name, groupname, consumername)

    def xgroup_delconsumer(self, name, groupname, consumername):
        """XGROUP DELCONSUMER: how many pending entries the consumer had."""
        return self._cmd(RAW, "XGROUP", "DELCONSUMER", name, groupname, consumername)

    def xgroup_setid(self, name, groupname, id, entries_read=None):
        """XGROUP SETID: ``True``."""
        args: list = ["XGROUP", "SETID", name, groupname, id]
        if entries_read is not None:
            args += ["ENTRIESREAD", entries_read]
        return self._cmd(OK, *args)

    def xack(self, name, groupname, *ids):
        """XACK: how many entries were acknowledged."""
        return self._cmd(RAW, "XACK", name, groupname, *ids)

    _REF_POLICIES = ("KEEPREF", "DELREF", "ACKED")

    @classmethod
    def _check_ref_policy(cls, command, ref_policy, optional=True) -> None:
        """XADD/XTRIM may omit it; XACKDEL/XDELEX need one (KEEPREF by default)."""
        if (ref_policy is not None or not optional) and ref_policy not in cls._REF_POLICIES:
            raise DataError(f"{command} ref_policy must be one of: KEEPREF, DELREF, ACKED")

    def xackdel(self, name, groupname, *ids, ref_policy="KEEPREF"):
        """XACKDEL (Redis 8.2+): acknowledges and deletes ``ids`` (``ref_policy`` KEEPREF,
        DELREF or ACKED for the other groups' references); a code per id."""
        if not ids:
            raise DataError("XACKDEL requires at least one message ID")
        self._check_ref_policy("XACKDEL", ref_policy, optional=False)
        return self._cmd(RAW, "XACKDEL", name, groupname, ref_policy, "IDS", len(ids), *ids)

    def xdelex(self, name, *ids, ref_policy="KEEPREF"):
        """XDELEX (Redis 8.2+): deletes ``ids`` with ``ref_policy``; a code per id."""
        if not ids:
            raise DataError("XDELEX requires at least one message ID")
        self._check_ref_policy("XDELEX", ref_policy, optional=False)
        return self._cmd(RAW, "XDELEX", name, ref_policy, "IDS", len(ids), *ids)

    def xcfgset(self, name, idmp_duration=None, idmp_maxsize=None):
        """XCFGSET (Redis 8.6+): the stream's idempotent-producer settings; ``b"OK"``."""
        if idmp_duration is None and idmp_maxsize is None:
            raise DataError("XCFGSET requires at least one of idmp_duration or idmp_maxsize")
        args: list = ["XCFGSET", name]
        if idmp_duration is not None:
            if not isinstance(idmp_duration, int) or not 1 <= idmp_duration <= 300:
                raise DataError("XCFGSET idmp_duration must be an integer between 1 and 300")
            args += [b"IDMP-DURATION", idmp_duration]
        if idmp_maxsize is not None:
            if not isinstance(idmp_maxsize, int) or not 1 <= idmp_maxsize <= 1000000:
                raise DataError("XCFGSET idmp_maxsize must be an integer between 1 and "
                                "1,000,000")
            args += [b"IDMP-MAXSIZE", idmp_maxsize]
        return self._cmd(RAW, *args)

    def xnack(self, name, groupname, mode, *ids, retrycount=None, force=False):
        """XNACK (Redis 8.8+): gives ``ids`` back to the group (``mode`` SILENT, FAIL or
        FATAL); the reply as sent."""
        if not ids:
            raise DataError("XNACK requires at least one message ID")
        if mode not in ("SILENT", "FAIL", "FATAL"):
            raise DataError("XNACK mode must be one of: SILENT, FAIL, FATAL")
        args: list = ["XNACK", name, groupname, mode, "IDS", len(ids), *ids]
        if retrycount is not None:
            if retrycount < 0:
                raise DataError("XNACK retrycount must be >= 0")
            args += [b"RETRYCOUNT", retrycount]
        if force:
            args.append(b"FORCE")
        return self._cmd(RAW, *args)

    def xpending(self, name, groupname):
        """XPENDING summary: ``{"pending": n, "min": id, "max": id, "consumers": [{"name":
        consumer, "pending": n}]}``."""
        return self._cmd(XPENDING, "XPENDING", name, groupname)

    def xpending_range(self, name, groupname, min, max, count, consumername=None, idle=None):
        """XPENDING's extended form: a list of ``{"message_id", "consumer",
        "time_since_delivered", "times_delivered"}``."""
        if {min, max, count} == {None}:
            if idle is not None or consumername is not None:
                raise DataError("if XPENDING is provided with idle time or consumername, it "
                                "must be provided with min, max and count parameters")
            return self.xpending(name, groupname)
        if min is None or max is None or count is None:
            raise DataError("XPENDING must be provided with min, max and count parameters, "
                            "or none of them.")
        args: list = ["XPENDING", name, groupname]
        if idle is not None:
            if int(idle) < 0:
                raise DataError("XPENDING idle must be a integer >= 0")
            args += ["IDLE", idle]
        if int(count) < 0:
            raise DataError("XPENDING count must be a integer >= 0")
        args += [min, max, count]
        if consumername:
            args.append(consumername)
        return self._cmd(XPENDING_RANGE, *args)

    def xclaim(self, name, groupname, consumername, min_idle_time, message_ids, idle=None,
               time=None, retrycount=None, force=False, justid=False):
        """XCLAIM: the claimed entries as ``(id, {field: value})`` (their ids with
        ``justid``)."""
        if not isinstance(min_idle_time, int) or min_idle_time < 0:
            raise DataError("XCLAIM min_idle_time must be a non negative integer")
        if not isinstance(message_ids, (list, tuple)) or not message_ids:
            raise DataError("XCLAIM message_ids must be a non empty list or tuple of message "
                            "IDs to claim")
        args: list = ["XCLAIM", name, groupname, consumername, str(min_idle_time),
                      *message_ids]
        for value, word in ((idle, "IDLE"), (time, "TIME"), (retrycount, "RETRYCOUNT")):
            if value is not None:
                if not isinstance(value, int):
                    raise DataError(f"XCLAIM {word.lower()} must be an integer")
                args += [word, str(value)]
        if force:
            args.append("FORCE")
        if justid:
            args.append("JUSTID")
            return self._cmd(RAW, *args)
        return self._cmd(STREAM, *args)

    def xautoclaim(self, name, groupname, consumername, min_idle_time, start_id="0-0",
                   count=None, justid=False):
        """XAUTOCLAIM: ``[next_start_id, [(id, {field: value})], deleted_ids]`` (the claimed
        ids only, with ``justid``)."""
        if int(min_idle_time) < 0:
            raise DataError("XAUTOCLAIM min_idle_time must be a nonnegative integer")
        args: list = ["XAUTOCLAIM", name, groupname, consumername, min_idle_time, start_id]
        if count is not None:
            if int(count) < 0:
                raise DataError("XPENDING count must be a integer >= 0")
            args += ["COUNT", count]
        if justid:
            args.append("JUSTID")
            return self._cmd(XAUTOCLAIM_JUSTID, *args)
        return self._cmd(XAUTOCLAIM, *args)

    def xinfo_stream(self, name, full=False):
        """XINFO STREAM: a dict with ``str`` keys (``first-entry``/``last-entry`` as
        ``(id, {field: value})``; with ``full`` the entries as ``{id: {field: value}}`` and
        the groups as dicts)."""
        if full:
            return self._cmd(XINFO_STREAM, "XINFO", "STREAM", name, "FULL")
        return self._cmd(XINFO_STREAM, "XINFO", "STREAM", name)

    def xinfo_groups(self, name):
        """XINFO GROUPS: a list of dicts with ``str`` keys."""
        return self._cmd(DICT_LIST, "XINFO", "GROUPS", name)

    def xinfo_consumers(self, name, groupname):
        """XINFO CONSUMERS: a list of dicts with ``str`` keys."""
        return self._cmd(DICT_LIST, "XINFO", "CONSUMERS", name, groupname)

    # --- scripting ---------------------------------------------------------------------
    def eval(self, script, numkeys, *keys_and_args):
        """EVAL."""
        return self._cmd(RAW, "EVAL", script, numkeys, *keys_and_args)

    def evalsha(self, sha, numkeys, *keys_and_args):
        """EVALSHA."""
        return self._cmd(RAW, "EVALSHA", sha, numkeys, *keys_and_args)

    def eval_ro(self, script, numkeys, *keys_and_args):
        """EVAL_RO (Redis 7+): a read-only script's reply."""
        return self._cmd(RAW, "EVAL_RO", script, numkeys, *keys_and_args)

    def evalsha_ro(self, sha, numkeys, *keys_and_args):
        """EVALSHA_RO (Redis 7+): a read-only script's reply, by its SHA1."""
        return self._cmd(RAW, "EVALSHA_RO", sha, numkeys, *keys_and_args)

    def script_kill(self):
        """SCRIPT KILL of the running script: ``True`` (``NOTBUSY`` error when none runs)."""
        return self._cmd(OK, "SCRIPT", "KILL")

    def script_load(self, script):
        """SCRIPT LOAD: the SHA1 (``str``)."""
        return self._cmd(STR, "SCRIPT", "LOAD", script)

    def script_exists(self, *args):
        """SCRIPT EXISTS: a list of bools."""
        return self._cmd(BOOL_LIST, "SCRIPT", "EXISTS", *args)

    def script_flush(self, sync_type=None):
        """SCRIPT FLUSH: ``True``."""
        if sync_type is None:
            return self._cmd(OK, "SCRIPT", "FLUSH")
        return self._cmd(OK, "SCRIPT", "FLUSH", sync_type)

    # --- server --------------------------------------------------------------------------
    def spublish(self, shard_channel, message):
        """SPUBLISH (Redis 7+): how many shard-channel subscribers received it."""
        return self._cmd(RAW, "SPUBLISH", shard_channel, message)

    def pubsub_channels(self, pattern="*", **kwargs):
        """PUBSUB CHANNELS: the channels with subscribers matching ``pattern``."""
        return self._cmd(RAW, "PUBSUB", "CHANNELS", pattern)

    def pubsub_shardchannels(self, pattern="*", **kwargs):
        """PUBSUB SHARDCHANNELS (Redis 7+): the shard channels with subscribers."""
        return self._cmd(RAW, "PUBSUB", "SHARDCHANNELS", pattern)

    def pubsub_numpat(self, **kwargs):
        """PUBSUB NUMPAT: how many patterns are subscribed."""
        return self._cmd(RAW, "PUBSUB", "NUMPAT")

    def pubsub_numsub(self, *args, **kwargs):
        """PUBSUB NUMSUB: ``[(channel, subscribers)]``."""
        return self._cmd(PAIR_LIST, "PUBSUB", "NUMSUB", *args)

    def pubsub_shardnumsub(self, *args, **kwargs):
        """PUBSUB SHARDNUMSUB (Redis 7+): ``[(shard_channel, subscribers)]``."""
        return self._cmd(PAIR_LIST, "PUBSUB", "SHARDNUMSUB", *args)

    def publish(self, channel, message, **kwargs):
        """PUBLISH: how many subscribers received it."""
        return self._cmd(RAW, "PUBLISH", channel, message)

    def ping(self, *args, **kwargs):
        """PING: ``True``."""
        return self._cmd(PING, "PING", *args)

    def echo(self, value, **kwargs):
        """ECHO."""
        return self._cmd(RAW, "ECHO", value)

    def flushdb(self, asynchronous=False, **kwargs):
        """FLUSHDB: ``True``."""
        if asynchronous:
            return self._cmd(OK, "FLUSHDB", "ASYNC")
        return self._cmd(OK, "FLUSHDB")

    def flushall(self, asynchronous=False, **kwargs):
        """FLUSHALL: ``True``."""
        if asynchronous:
            return self._cmd(OK, "FLUSHALL", "ASYNC")
        return self._cmd(OK, "FLUSHALL")

    def object(self, infotype, key, **kwargs):
        """OBJECT ``infotype`` (ENCODING, REFCOUNT, IDLETIME, FREQ) of ``key``."""
        return self._cmd(RAW, "OBJECT", infotype, key)

    def client_getredir(self, **kwargs):
        """CLIENT GETREDIR: the id tracking invalidations go to (-1 none, 0 tracking off)."""
        return self._cmd(RAW, "CLIENT", "GETREDIR")

    def client_trackinginfo(self, **kwargs):
        """CLIENT TRACKINGINFO: the flat list RESP2 sends, labels as ``str`` (``["flags",
        [b"off"], "redirect", -1, "prefixes", []]``)."""
        return self._cmd(TRACKING_INFO, "CLIENT", "TRACKINGINFO")

    def client_unblock(self, client_id, error=False, **kwargs):
        """CLIENT UNBLOCK a client blocked in BLPOP & co. (with an UNBLOCKED error with
        ``error``): ``True`` if it was blocked."""
        if error:
            return self._cmd(BOOL, "CLIENT", "UNBLOCK", int(client_id), "ERROR")
        return self._cmd(BOOL, "CLIENT", "UNBLOCK", int(client_id))

    def client_setinfo(self, attr, value, **kwargs):
        """CLIENT SETINFO (Redis 7.2+) LIB-NAME or LIB-VER of the connection: ``True``."""
        return self._cmd(OK, "CLIENT", "SETINFO", attr, value)

    def acl_help(self, **kwargs):
        """ACL HELP: its lines (``str``)."""
        return self._cmd(STR_LIST, "ACL", "HELP")

    def acl_load(self, **kwargs):
        """ACL LOAD from the server's ACL file: ``True``."""
        return self._cmd(OK, "ACL", "LOAD")

    def acl_save(self, **kwargs):
        """ACL SAVE to the server's ACL file: ``True``."""
        return self._cmd(OK, "ACL", "SAVE")

    def memory_stats(self, **kwargs):
        """MEMORY STATS: a dict with ``str`` keys and values (integers as ``int``), each
        ``db.N`` a dict likewise."""
        return self._cmd(MEMORY_STATS, "MEMORY", "STATS")

    def memory_malloc_stats(self, **kwargs):
        """MEMORY MALLOC-STATS: the allocator's report."""
        return self._cmd(RAW, "MEMORY", "MALLOC-STATS")

    def memory_purge(self, **kwargs):
        """MEMORY PURGE: ``True``."""
        return self._cmd(OK, "MEMORY", "PURGE")

    def latency_latest(self):
        """LATENCY LATEST: ``[[event, timestamp, latest_ms, max_ms]...]``."""
        return self._cmd(RAW, "LATENCY", "LATEST")

    def latency_history(self, event):
        """LATENCY HISTORY of ``event``: ``[[timestamp, ms]...]``."""
        return self._cmd(RAW, "LATENCY", "HISTORY", event)

    def latency_reset(self, *events):
        """LATENCY RESET of ``events`` (all when none): how many were reset."""
        return self._cmd(RAW, "LATENCY", "RESET", *events)

    def command(self, **kwargs):
        """COMMAND: ``{name: details}`` of every command the server has, as redis-py's
        ``parse_command``: ``name``, ``arity``, ``flags`` and ``acl_categories`` (``str``),
        key positions, and ``tips``/``key_specifications``/``subcommands`` as RESP2 sends
        them."""
        return self._cmd_post(_parse_command(self._legacy()), RESP2, "COMMAND")

    def command_count(self, **kwargs):
        """COMMAND COUNT: how many commands the server has."""
        return self._cmd(RAW, "COMMAND", "COUNT")

    def command_list(self, module=None, category=None, pattern=None):
        """COMMAND LIST (Redis 7+), filtered by ``module``, ACL ``category`` or ``pattern``."""
        args: list = []
        if module is not None:
            args += ["MODULE", module]
        if category is not None:
            args += ["ACLCAT", category]
        if pattern is not None:
            args += ["PATTERN", pattern]
        if args:
            args.insert(0, "FILTERBY")
        return self._cmd(RAW, "COMMAND", "LIST", *args)

    def command_getkeys(self, *args):
        """COMMAND GETKEYS: the keys of the command ``args`` (``str``)."""
        return self._cmd(GETKEYS, "COMMAND", "GETKEYS", *args)

    def command_getkeysandflags(self, *args):
        """COMMAND GETKEYSANDFLAGS (Redis 7+): ``[[key, [flag...]]...]`` of the command
        ``args``, as RESP2 sends it."""
        return self._cmd(RESP2, "COMMAND", "GETKEYSANDFLAGS", *args)

    def save(self, **kwargs):
        """SAVE (synchronous): ``True``."""
        return self._cmd(OK, "SAVE")

    def bgsave(self, schedule=True, **kwargs):
        """BGSAVE (SCHEDULE when one is running, with ``schedule``): ``True``."""
        if schedule:
            return self._cmd_post(_true, RAW, "BGSAVE", "SCHEDULE")
        return self._cmd_post(_true, RAW, "BGSAVE")

    def bgrewriteaof(self, **kwargs):
        """BGREWRITEAOF: ``True``."""
        return self._cmd_post(_true, RAW, "BGREWRITEAOF")

    def wait(self, num_replicas, timeout, **kwargs):
        """WAIT for ``num_replicas`` to acknowledge this connection's writes, at most
        ``timeout`` ms: how many did."""
        return self._cmd(RAW, "WAIT", num_replicas, timeout)

    def waitaof(self, num_local, num_replicas, timeout, **kwargs):
        """WAITAOF (Redis 7.2+): ``[local, replicas]`` that fsynced this connection's
        writes."""
        return self._cmd(RAW, "WAITAOF", num_local, num_replicas, timeout)

    # --- connection and replication ---------------------------------------------------------
    # SELECT, AUTH, QUIT, CLIENT REPLY OFF/SKIP, SYNC and PSYNC change or end the session of
    # the connection they run on: the pooled and asyncio clients (and pipelines) refuse them
    # with ``DataError`` naming what to use instead (``db=``, ``password=``...); a
    # ``single_connection_client`` runs them on its connection, which is then closed rather
    # than given back to the pool.
    def auth(self, password, username=None, **kwargs):
        """AUTH as ``username`` (the default user when ``None``) with ``password``: ``True``."""
        if username is not None:
            return self._cmd(OK, "AUTH", username, password)
        return self._cmd(OK, "AUTH", password)

    def select(self, index, **kwargs):
        """SELECT database ``index`` on the connection: ``True``."""
        return self._cmd(OK, "SELECT", index)

    def quit(self, **kwargs):
        """QUIT: the server closes the connection after its ``OK``; ``True``."""
        return self._cmd(OK, "QUIT")

    def client_reply(self, reply, **kwargs):
        """CLIENT REPLY ``ON``, ``OFF`` or ``SKIP``: ``b"OK"`` for ON (OFF and SKIP send no
        reply: on a ``single_connection_client`` with a ``socket_timeout`` the call raises
        ``TimeoutError``, as in redis-py)."""
        replies = ["ON", "OFF", "SKIP"]
        if reply not in replies:
            raise DataError(f"CLIENT REPLY must be one of {replies!r}")
        return self._cmd(RAW, "CLIENT", "REPLY", reply)

    def readonly(self, **kwargs):
        """READONLY: reads on this connection to a cluster replica are served; ``True`` (a
        server without cluster support answers an error)."""
        return self._cmd(OK, "READONLY")

    def readwrite(self, **kwargs):
        """READWRITE: ends READONLY on this connection; ``True``."""
        return self._cmd(OK, "READWRITE")

    def cluster(self, cluster_arg, *args, **kwargs):
        """CLUSTER ``cluster_arg`` (``"info"``, ``"nodes"``, ``"slots"``...) with ``args``,
        the reply shaped as ``execute_command("CLUSTER INFO", ...)`` shapes it (INFO and NODES
        parsed into dicts, the success flags as ``True``)."""
        return self.execute_command(f"CLUSTER {cluster_arg.upper()}", *args, **kwargs)

    def replicaof(self, *args, **kwargs):
        """REPLICAOF ``host port`` (or ``"NO", "ONE"``): the reply (``b"OK"``)."""
        return self._cmd(RAW, "REPLICAOF", *args)

    def slaveof(self, host=None, port=None, **kwargs):
        """SLAVEOF ``host port``, or without them SLAVEOF NO ONE (a primary again): ``True``."""
        if host is None and port is None:
            return self._cmd(OK, "SLAVEOF", b"NO", b"ONE")
        return self._cmd(OK, "SLAVEOF", host, port)

    def sync(self):
        """SYNC: starts a replication stream (the pooled clients refuse it): the reply as
        ``bytes``."""
        return self._cmd(BYTES, "SYNC")

    def psync(self, replicationid, offset):
        """PSYNC ``replicationid`` ``offset``: starts a replication stream (the pooled clients
        refuse it); the reply as ``bytes`` (``b"FULLRESYNC <replid> <offset>"``...); the
        connection carries the stream afterwards."""
        return self._cmd(BYTES, "PSYNC", replicationid, offset)

    def migrate(self, host, port, keys, destination_db, timeout, copy=False, replace=False,
                auth=None, **kwargs):
        """MIGRATE ``keys`` to database ``destination_db`` of the server at ``host``:``port``
        (``timeout`` ms; ``copy`` keeps them here, ``replace`` overwrites there, ``auth`` the
        password there): ``b"OK"``, or ``b"NOKEY"`` when none of them exists."""
        keys = _list_or_args(keys, ())
        if not keys:
            raise DataError("MIGRATE requires at least one key")
        args: list = ["MIGRATE", host, port, "", destination_db, timeout]
        if copy:
            args.append(b"COPY")
        if replace:
            args.append(b"REPLACE")
        if auth:
            args += [b"AUTH", auth]
        return self._cmd(RAW, *args, b"KEYS", *keys)

    def shutdown(self, save=False, nosave=False, now=False, force=False, abort=False,
                 **kwargs):
        """SHUTDOWN (``save``/``nosave``, ``now``, ``force``, ``abort``): ``None`` once the
        server closed the connection; ``RedisError`` when it answered instead (an error reply
        is raised as such)."""
        if save and nosave:
            raise DataError("SHUTDOWN save and nosave cannot both be set")
        args: list = ["SHUTDOWN"]
        for flag, word in ((save, "SAVE"), (nosave, "NOSAVE"), (now, "NOW"), (force, "FORCE"),
                           (abort, "ABORT")):
            if flag:
                args.append(word)
        return self._shutdown(args)

    def _shutdown(self, args):
        try:
            self._cmd(RAW, *args)
        except ConnectionError:
            # The server went away: what SHUTDOWN does.
            return None
        raise RedisError("SHUTDOWN seems to have failed.")

    # --- modules ---------------------------------------------------------------------------
    def module_load(self, path, *args):
        """MODULE LOAD the module at ``path`` with ``args``: ``True`` (``ModuleError`` when the
        server cannot load it)."""
        return self._cmd(OK, "MODULE", "LOAD", path, *args)

    def module_loadex(self, path, options=None, args=None):
        """MODULE LOADEX the module at ``path`` with CONFIG ``options`` and ARGS ``args``:
        ``b"OK"``."""
        pieces: list = []
        if options is not None:
            pieces += ["CONFIG", *options]
        if args is not None:
            pieces += ["ARGS", *args]
        return self._cmd(RAW, "MODULE", "LOADEX", path, *pieces)

    def module_unload(self, name):
        """MODULE UNLOAD ``name``: ``True`` (``ModuleError`` when no module has that name)."""
        return self._cmd(OK, "MODULE", "UNLOAD", name)

    def module_list(self):
        """MODULE LIST: a dict per loaded module (``name``, ``ver``, ``path``, ``args``; keys
        as sent: ``bytes`` unless decoding), ``[]`` when none is."""
        return self._cmd_post(_module_list, RESP2, "MODULE", "LIST")

    # --- hot keys (Redis 8.6+) ---------------------------------------------------------------
    def hotkeys_start(self, metrics, count=None, duration=None, sample_ratio=None, slots=None,
                      **kwargs):
        """HOTKEYS START tracking ``metrics`` (``HotkeysMetricsTypes.CPU``/``NET``); the reply
        as sent."""
        args: list = ["HOTKEYS", "START", "METRICS", len(metrics)]
        args += [str(getattr(m, "value", m)) for m in metrics]
        if count is not None:
            args += ["COUNT", count]
        if duration is not None:
            args += ["DURATION", duration]
        if sample_ratio is not None:
            args += ["SAMPLE", sample_ratio]
        if slots is not None:
            args += ["SLOTS", len(slots), *slots]
        return self._cmd(RAW, *args)

    def hotkeys_stop(self, **kwargs):
        """HOTKEYS STOP; the reply as sent."""
        return self._cmd(RAW, "HOTKEYS", "STOP")

    def hotkeys_reset(self, **kwargs):
        """HOTKEYS RESET; the reply as sent."""
        return self._cmd(RAW, "HOTKEYS", "RESET")

    def hotkeys_get(self, **kwargs):
        """HOTKEYS GET: a dict (keys as sent) per report, as redis-py's ``pairs_to_dict``."""
        return self._cmd_post(_module_list, RESP2, "HOTKEYS", "GET")

    def _intentionally(name: str):  # type: ignore[misc]
        def method(self, *args, **kwargs):
            raise NotImplementedError(f"{name} is intentionally not implemented in the client.")
        return method

    # As redis-py: these raise rather than send.
    hello = _intentionally("HELLO")
    failover = _intentionally("FAILOVER")
    script_debug = _intentionally("SCRIPT DEBUG")
    debug_segfault = _intentionally("DEBUG SEGFAULT")
    command_info = _intentionally("COMMAND INFO")
    command_docs = _intentionally("COMMAND DOCS")
    latency_doctor = _intentionally("LATENCY DOCTOR")
    latency_graph = _intentionally("LATENCY GRAPH")
    latency_histogram = _intentionally("LATENCY HISTOGRAM")
    memory_doctor = _intentionally("MEMORY DOCTOR")
    memory_help = _intentionally("MEMORY HELP")
    del _intentionally

    def time(self, **kwargs):
        """TIME: ``(seconds, microseconds)``."""
        return self._cmd(INT_TUPLE, "TIME")

    def lastsave(self, **kwargs):
        """LASTSAVE: the last save as a local ``datetime`` (``None`` for 0)."""
        return self._cmd_post(_timestamp_to_datetime, RAW, "LASTSAVE")

    def swapdb(self, first, second, **kwargs):
        """SWAPDB: ``True``."""
        return self._cmd(OK, "SWAPDB", first, second)

    def role(self):
        """ROLE: ``[b"master", offset, replicas]`` (or a replica's or sentinel's form)."""
        return self._cmd(RAW, "ROLE")

    def lolwut(self, *version_numbers, **kwargs):
        """LOLWUT: the server's art and version (``bytes``)."""
        if version_numbers:
            return self._cmd(RAW, "LOLWUT", "VERSION", *version_numbers)
        return self._cmd(RAW, "LOLWUT")

    def slowlog_get(self, num=None, **kwargs):
        """SLOWLOG GET: the latest slow commands as dicts (``id``, ``start_time``,
        ``duration``, ``command``, ``client_address``, ``client_name``; ``bytes`` even with
        ``decode_responses``, as redis-py)."""
        if num is not None:
            return self._cmd(SLOWLOG_GET, "SLOWLOG", "GET", num)
        return self._cmd(SLOWLOG_GET, "SLOWLOG", "GET")

    def slowlog_len(self, **kwargs):
        """SLOWLOG LEN."""
        return self._cmd(RAW, "SLOWLOG", "LEN")

    def slowlog_reset(self, **kwargs):
        """SLOWLOG RESET: ``True``."""
        return self._cmd(OK, "SLOWLOG", "RESET")

    def memory_usage(self, key, samples=None, **kwargs):
        """MEMORY USAGE: the bytes ``key`` takes (``samples`` nested values looked at), or
        ``None`` for a missing key."""
        if isinstance(samples, int):
            return self._cmd(RAW, "MEMORY", "USAGE", key, "SAMPLES", samples)
        return self._cmd(RAW, "MEMORY", "USAGE", key)

    def debug_object(self, key, **kwargs):
        """DEBUG OBJECT: a dict (``type``, ``encoding``... as ``str``; ``refcount``,
        ``serializedlength``, ``lru``, ``lru_seconds_idle`` as ``int``)."""
        return self._cmd(DEBUG_OBJECT, "DEBUG", "OBJECT", key)

    def config_rewrite(self, **kwargs):
        """CONFIG REWRITE: ``b"OK"`` (a server started without a config file answers an
        error)."""
        return self._cmd(RAW, "CONFIG", "REWRITE")

    def config_get(self, pattern="*", *args, **kwargs):
        """CONFIG GET: a dict of ``str`` to ``str``."""
        return self._cmd(STR_DICT, "CONFIG", "GET", pattern, *args)

    def config_set(self, name, value, *args, **kwargs):
        """CONFIG SET (more ``name, value`` pairs in ``args``): ``True``."""
        return self._cmd(OK, "CONFIG", "SET", name, value, *args)

    def config_resetstat(self, **kwargs):
        """CONFIG RESETSTAT: ``True``."""
        return self._cmd(OK, "CONFIG", "RESETSTAT")

    def client_list(self, _type=None, client_id=[], **kwargs):  # noqa: B006 - redis-py's
        """CLIENT LIST: a list of dicts of ``str`` (``_type``: normal, master, replica,
        pubsub; ``client_id``: a list of ids)."""
        args: list = ["CLIENT", "LIST"]
        if _type is not None:
            client_types = ("normal", "master", "replica", "pubsub")
            if str(_type).lower() not in client_types:
                raise DataError(f"CLIENT LIST _type must be one of {client_types!r}")
            args += ["TYPE", _type]
        if not isinstance(client_id, list):
            raise DataError("client_id must be a list")
        if client_id:
            args.append("ID")
            args += client_id
        return self._cmd(CLIENT_LIST, *args)

    def client_id(self, **kwargs):
        """CLIENT ID of the connection the command runs on."""
        return self._cmd(RAW, "CLIENT", "ID")

    def client_getname(self, **kwargs):
        """CLIENT GETNAME: a ``str``, or ``None``."""
        return self._cmd(STR, "CLIENT", "GETNAME")

    def client_setname(self, name, **kwargs):
        """CLIENT SETNAME on the connection the command runs on: ``True``."""
        return self._cmd(OK, "CLIENT", "SETNAME", name)

    def client_info(self, **kwargs):
        """CLIENT INFO of the connection the command runs on: a dict of ``str``, the counters
        (``id``, ``age``, ``idle``, ``db``...) as ``int``."""
        return self._cmd(CLIENT_INFO, "CLIENT", "INFO")

    def client_kill(self, address, **kwargs):
        """CLIENT KILL ``ip:port``: ``True``."""
        return self._cmd(OK, "CLIENT", "KILL", address)

    def client_kill_filter(self, _id=None, _type=None, addr=None, skipme=None, laddr=None,
                           user=None, maxage=None, **kwargs):
        """CLIENT KILL with filters (ID, TYPE, ADDR, LADDR, USER, MAXAGE, SKIPME): how many
        clients were killed."""
        args: list = ["CLIENT", "KILL"]
        if _type is not None:
            client_types = ("normal", "master", "slave", "replica", "pubsub")
            if str(_type).lower() not in client_types:
                raise DataError(f"CLIENT KILL type must be one of {client_types!r}")
            args += ["TYPE", _type]
        if skipme is not None:
            if not isinstance(skipme, bool):
                raise DataError("CLIENT KILL skipme must be a bool")
            args += ["SKIPME", "YES" if skipme else "NO"]
        for value, word in ((_id, "ID"), (addr, "ADDR"), (laddr, "LADDR"), (user, "USER"),
                            (maxage, "MAXAGE")):
            if value is not None:
                args += [word, value]
        if len(args) == 2:
            raise DataError("CLIENT KILL <filter> <value> ... ... <filter> <value> must specify "
                            "at least one filter")
        return self._cmd(OK, *args)

    def client_pause(self, timeout, all=True, **kwargs):
        """CLIENT PAUSE for ``timeout`` milliseconds (only writes with ``all=False``):
        ``True``."""
        if not isinstance(timeout, int):
            raise DataError("CLIENT PAUSE timeout must be an integer")
        if not all:
            return self._cmd(OK, "CLIENT", "PAUSE", str(timeout), "WRITE")
        return self._cmd(OK, "CLIENT", "PAUSE", str(timeout))

    def client_unpause(self, **kwargs):
        """CLIENT UNPAUSE: ``b"OK"`` (as redis-py, unparsed)."""
        return self._cmd(RAW, "CLIENT", "UNPAUSE")

    def client_no_evict(self, mode):
        """CLIENT NO-EVICT ``on``/``off`` for the connection the command runs on: ``b"OK"``."""
        return self._cmd(RAW, "CLIENT", "NO-EVICT", mode)

    def client_no_touch(self, mode):
        """CLIENT NO-TOUCH ``ON``/``OFF`` (Redis 7.2+) for the connection the command runs on:
        ``b"OK"``."""
        return self._cmd(RAW, "CLIENT", "NO-TOUCH", mode)

    def client_tracking(self, on=True, clientid=None, prefix=[], bcast=False, optin=False,
                        optout=False, noloop=False, **kwargs):  # noqa: B006 - redis-py's
        """CLIENT TRACKING ON/OFF for the connection the command runs on (invalidations
        redirected to ``clientid``): ``b"OK"``."""
        if len(prefix) != 0 and bcast is False:
            raise DataError("Prefix can only be used with bcast")
        args: list = ["CLIENT", "TRACKING", "ON" if on else "OFF"]
        if clientid is not None:
            args += ["REDIRECT", clientid]
        for p in prefix:
            args += ["PREFIX", p]
        for flag, word in ((bcast, "BCAST"), (optin, "OPTIN"), (optout, "OPTOUT"),
                           (noloop, "NOLOOP")):
            if flag:
                args.append(word)
        return self._cmd(RAW, *args)

    def client_tracking_on(self, clientid=None, prefix=[], bcast=False, optin=False,
                           optout=False, noloop=False):  # noqa: B006 - redis-py's
        """CLIENT TRACKING ON (see ``client_tracking``)."""
        return self.client_tracking(True, clientid, prefix, bcast, optin, optout, noloop)

    def client_tracking_off(self, clientid=None, prefix=[], bcast=False, optin=False,
                            optout=False, noloop=False):  # noqa: B006 - redis-py's
        """CLIENT TRACKING OFF (see ``client_tracking``)."""
        return self.client_tracking(False, clientid, prefix, bcast, optin, optout, noloop)

    def acl_cat(self, category=None, **kwargs):
        """ACL CAT: the command categories, or the commands of ``category`` (a list of
        ``str``)."""
        if category:
            return self._cmd(STR_LIST, "ACL", "CAT", category)
        return self._cmd(STR_LIST, "ACL", "CAT")

    def acl_deluser(self, *username, **kwargs):
        """ACL DELUSER: how many users were deleted."""
        return self._cmd(RAW, "ACL", "DELUSER", *username)

    def acl_dryrun(self, username, *args, **kwargs):
        """ACL DRYRUN (Redis 7+): ``b"OK"`` if ``username`` may run the command ``args``, else
        the reason (as redis-py, unparsed)."""
        return self._cmd(RAW, "ACL", "DRYRUN", username, *args)

    def acl_genpass(self, bits=None, **kwargs):
        """ACL GENPASS: a random password (``str``) of ``bits`` bits (256 by default)."""
        if bits is None:
            return self._cmd(STR, "ACL", "GENPASS")
        try:
            b = int(bits)
            if b < 0 or b > 4096:
                raise ValueError
        except ValueError:
            raise DataError("genpass optionally accepts a bits argument, between 0 and 4096.")
        return self._cmd(STR, "ACL", "GENPASS", b)

    def acl_getuser(self, username, **kwargs):
        """ACL GETUSER: redis-py's dict (``flags``, ``passwords``, ``commands``,
        ``categories``, ``keys``, ``channels``, ``selectors``, ``enabled``...), or ``None``."""
        return self._cmd(ACL_GETUSER, "ACL", "GETUSER", username)

    def acl_list(self, **kwargs):
        """ACL LIST: each user's rules as a ``str``."""
        return self._cmd(STR_LIST, "ACL", "LIST")

    def acl_log(self, count=None, **kwargs):
        """ACL LOG: the latest denials, newest first, as dicts (``client-info`` parsed,
        ``age-seconds`` a float)."""
        if count is not None:
            if not isinstance(count, int):
                raise DataError("ACL LOG count must be an integer")
            return self._cmd(ACL_LOG, "ACL", "LOG", count)
        return self._cmd(ACL_LOG, "ACL", "LOG")

    def acl_log_reset(self, **kwargs):
        """ACL LOG RESET: ``True``."""
        return self._cmd(ACL_LOG, "ACL", "LOG", "RESET")

    def acl_setuser(self, username, enabled=False, nopass=False, passwords=None,
                    hashed_passwords=None, categories=None, commands=None, keys=None,
                    channels=None, selectors=None, reset=False, reset_keys=False,
                    reset_channels=False, reset_passwords=False, **kwargs):
        """ACL SETUSER from redis-py's keywords (``passwords`` prefixed ``+``/``-``,
        ``categories`` and ``commands`` ``+``/``-``, ``keys`` patterns, ``selectors`` as
        ``(command, key)`` pairs): ``True``."""
        pieces: list = [username]
        if reset:
            pieces.append(b"reset")
        if reset_keys:
            pieces.append(b"resetkeys")
        if reset_channels:
            pieces.append(b"resetchannels")
        if reset_passwords:
            pieces.append(b"resetpass")
        pieces.append(b"on" if enabled else b"off")
        if (passwords or hashed_passwords) and nopass:
            raise DataError("Cannot set 'nopass' and supply 'passwords' or 'hashed_passwords'")
        for rule, plus, minus, what in ((passwords, b">", b"<", "Password"),
                                        (hashed_passwords, b"#", b"!", "Hashed password")):
            if rule:
                for i, password in enumerate(_list_or_args(rule, ())):
                    password = _encode(password)
                    if password.startswith(b"+"):
                        pieces.append(plus + password[1:])
                    elif password.startswith(b"-"):
                        pieces.append(minus + password[1:])
                    else:
                        raise DataError(f'{what} {i} must be prefixed with a "+" to add or a '
                                        f'"-" to remove')
        if nopass:
            pieces.append(b"nopass")
        for category in categories or ():
            category = _encode(category)
            if category.startswith((b"+@", b"-@")):
                pieces.append(category)
            elif category.startswith((b"+", b"-")):
                pieces.append(category[:1] + b"@" + category[1:])
            else:
                raise DataError(f'Category "{category.decode(errors="replace")}" must be '
                                f'prefixed with "+" or "-"')
        for cmd in commands or ():
            cmd = _encode(cmd)
            if not cmd.startswith((b"+", b"-")):
                raise DataError(f'Command "{cmd.decode(errors="replace")}" must be prefixed '
                                f'with "+" or "-"')
            pieces.append(cmd)
        for key in keys or ():
            key = _encode(key)
            pieces.append(key if key.startswith((b"%", b"~")) else b"~" + key)
        for channel in channels or ():
            pieces.append(b"&" + _encode(channel))
        for cmd, key in selectors or ():
            cmd, key = _encode(cmd), _encode(key)
            if not cmd.startswith((b"+", b"-")):
                raise DataError(f'Command "{cmd.decode(errors="replace")}" must be prefixed '
                                f'with "+" or "-"')
            if not key.startswith((b"%", b"~")):
                key = b"~" + key
            pieces.append(b"(" + cmd + b" " + key + b")")
        return self._cmd(OK, "ACL", "SETUSER", *pieces)

    def acl_whoami(self, **kwargs):
        """ACL WHOAMI: the user name (``str``)."""
        return self._cmd(STR, "ACL", "WHOAMI")

    def acl_users(self, **kwargs):
        """ACL USERS: a list of ``str``."""
        return self._cmd(STR_LIST, "ACL", "USERS")

    def function_load(self, code, replace=False):
        """FUNCTION LOAD (REPLACE with ``replace``): the library's name."""
        if replace:
            return self._cmd(RAW, "FUNCTION", "LOAD", "REPLACE", code)
        return self._cmd(RAW, "FUNCTION", "LOAD", code)

    def function_delete(self, library):
        """FUNCTION DELETE: ``True``."""
        return self._cmd(OK, "FUNCTION", "DELETE", library)

    def function_flush(self, mode="SYNC"):
        """FUNCTION FLUSH (SYNC or ASYNC): ``True``."""
        return self._cmd(OK, "FUNCTION", "FLUSH", mode)

    def function_list(self, library="*", withcode=False):
        """FUNCTION LIST of the libraries matching ``library`` (with their code with
        ``withcode``): as RESP2 sends it, each library a flat ``[key, value, ...]`` list, its
        functions too."""
        if withcode:
            return self._cmd(FUNCTION_LIST, "FUNCTION", "LIST", "LIBRARYNAME", library,
                             "WITHCODE")
        return self._cmd(FUNCTION_LIST, "FUNCTION", "LIST", "LIBRARYNAME", library)

    def function_kill(self):
        """FUNCTION KILL of the running function: ``b"OK"`` (``NOTBUSY`` error when none
        runs)."""
        return self._cmd(RAW, "FUNCTION", "KILL")

    def function_dump(self):
        """FUNCTION DUMP: the serialized libraries (``bytes``, even with
        ``decode_responses``)."""
        return self._cmd(BYTES, "FUNCTION", "DUMP")

    def function_restore(self, payload, policy="APPEND"):
        """FUNCTION RESTORE a ``function_dump`` payload (``policy`` APPEND, REPLACE or FLUSH):
        ``True``."""
        return self._cmd(OK, "FUNCTION", "RESTORE", payload, policy)

    def function_stats(self):
        """FUNCTION STATS: as RESP2 sends it, ``[b"running_script", ..., b"engines", [...]]``."""
        return self._cmd(RESP2, "FUNCTION", "STATS")

    def fcall(self, function, numkeys, *keys_and_args):
        """FCALL: the function's reply."""
        return self._cmd(RAW, "FCALL", function, numkeys, *keys_and_args)

    def fcall_ro(self, function, numkeys, *keys_and_args):
        """FCALL_RO: the read-only function's reply."""
        return self._cmd(RAW, "FCALL_RO", function, numkeys, *keys_and_args)

    def info(self, section=None, *args, **kwargs):
        """INFO parsed into a dict, as redis-py's ``parse_info`` does."""
        if section is None:
            return self._cmd(INFO, "INFO")
        return self._cmd(INFO, "INFO", section, *args)


class BitFieldOperation:
    """redis-py's BITFIELD builder: ``r.bitfield(key).set("u8", 0, 255).incrby("u8", 0, 1)
    .get("u8", 0).execute()`` sends one BITFIELD and returns its list of results (on a
    pipeline, ``execute()`` queues it; on the asyncio client it returns an awaitable)."""

    def __init__(self, client, key, default_overflow=None):
        self.client = client
        self.key = key
        self._default_overflow = default_overflow
        self.operations: list = []
        self._last_overflow = "WRAP"
        self.reset()

    def reset(self) -> None:
        """Drops the queued operations (the default overflow is queued again)."""
        self.operations = []
        self._last_overflow = "WRAP"
        self.overflow(self._default_overflow or self._last_overflow)

    def overflow(self, overflow: str) -> "BitFieldOperation":
        """OVERFLOW WRAP, SAT or FAIL for the operations that follow."""
        overflow = overflow.upper()
        if overflow != self._last_overflow:
            self._last_overflow = overflow
            self.operations.append(("OVERFLOW", overflow))
        return self

    def incrby(self, fmt, offset, increment, overflow=None) -> "BitFieldOperation":
        """INCRBY ``fmt`` (``i8``, ``u16``...) at ``offset`` (``#n`` multiplies by the
        width)."""
        if overflow is not None:
            self.overflow(overflow)
        self.operations.append(("INCRBY", fmt, offset, increment))
        return self

    def get(self, fmt, offset) -> "BitFieldOperation":
        """GET ``fmt`` at ``offset``."""
        self.operations.append(("GET", fmt, offset))
        return self

    def set(self, fmt, offset, value) -> "BitFieldOperation":
        """SET ``fmt`` at ``offset`` to ``value`` (its result is the old value)."""
        self.operations.append(("SET", fmt, offset, value))
        return self

    @property
    def command(self) -> list:
        """The BITFIELD command as it will be sent."""
        cmd: list = ["BITFIELD", self.key]
        for ops in self.operations:
            cmd.extend(ops)
        return cmd

    def execute(self):
        """Sends the BITFIELD: a list of integers (``None`` for an operation that failed
        under OVERFLOW FAIL); the builder is reset."""
        command = self.command
        self.reset()
        return self.client.execute_command(*command)


class Redis(CoreCommands):
    """A Redis client with redis-py's API: a pool of connections, opened lazily."""

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> "Redis":
        """A client from ``redis://[[user]:password@]host[:port][/db]``, ``rediss://`` (TLS,
        with redis-py's ``ssl_*`` query options) or ``unix://path``; keyword arguments win over
        the URL."""
        from .connection import _url_kwargs

        kwargs = _url_kwargs(url, kwargs)
        return cls(_url=url, _explicit=frozenset(kwargs), **kwargs)

    @classmethod
    def from_pool(cls, connection_pool) -> "Redis":
        """A client on ``connection_pool`` (redis-py's: the client owns the pool; here the
        pool's connections close when the last client using it goes)."""
        client = cls(connection_pool=connection_pool)
        client.auto_close_connection_pool = True
        return client

    def __init__(self, host="localhost", port=6379, db=0, password=None, socket_timeout=None,
                 socket_connect_timeout=None, socket_keepalive=None, socket_keepalive_options=None,
                 connection_pool=None, unix_socket_path=None, encoding="utf-8",
                 encoding_errors="strict", decode_responses=False, retry_on_timeout=False,
                 retry=None, retry_on_error=None, ssl=False, max_connections=None,
                 single_connection_client=False, health_check_interval=0, client_name=None,
                 lib_name="redis-py", lib_version=None, username=None, protocol=None,
                 cache=None, cache_config=None, legacy_responses=True, _url=None,
                 _explicit=frozenset(), **kwargs):
        if retry_on_timeout:
            warnings.warn(f"Call to '{type(self).__name__}.__init__' function with deprecated "
                          "usage of input argument/s '['retry_on_timeout']'. (TimeoutError is "
                          "included by default.) -- Deprecated since version 6.0.0.",
                          DeprecationWarning, stacklevel=2)
        if connection_pool is None:
            from .connection import ConnectionPool

            connection_pool = ConnectionPool(
                _url=_url, _explicit=_explicit, host=host, port=port, db=db, password=password,
                socket_timeout=socket_timeout, socket_connect_timeout=socket_connect_timeout,
                socket_keepalive=socket_keepalive, unix_socket_path=unix_socket_path,
                encoding=encoding, encoding_errors=encoding_errors,
                decode_responses=decode_responses, ssl=ssl, max_connections=max_connections,
                health_check_interval=health_check_interval, client_name=client_name,
                username=username, protocol=protocol, retry=retry, cache=cache,
                cache_config=cache_config, legacy_responses=legacy_responses,
                retry_on_timeout=retry_on_timeout, retry_on_error=retry_on_error,
                # redis-py's ssl_keyfile, ssl_certfile, ssl_ca_certs... (see connection.py)
                **{k: v for k, v in kwargs.items() if k.startswith("ssl_")},
            )
        elif (cache is not None or cache_config is not None) and connection_pool.get_protocol() != 3:
            from .exceptions import RedisError

            raise RedisError("Client caching is only supported with RESP version 3")
        self.connection_pool = connection_pool
        self._native = connection_pool._native
        self._execute = self._native.execute
        self.response_callbacks = _ResponseCallbacks(self)
        self.single_connection_client = single_connection_client
        self.connection = None
        if single_connection_client and self._SINGLE:
            # One connection, checked out (and connected) now; commands run on it in turn.
            self.connection = self._native.single()
            self._execute = self.connection.execute

    # The asyncio client reuses this constructor; its commands share one connection anyway.
    _SINGLE = True

    def _cmd(self, shape, *args):
        return self._execute(args, shape)

    def _cmd_post(self, post, shape, *args):
        return post(self._execute(args, shape))

    # The hottest commands skip the `_cmd` frame (same arguments and reply as CoreCommands').
    def get(self, name):
        """GET: the value, or ``None``."""
        return self._execute(("GET", name), RAW)

    def hget(self, name, key):
        """HGET: the value, or ``None``."""
        return self._execute(("HGET", name, key), RAW)

    def __repr__(self) -> str:
        return f"<oxredis.Redis(protocol={self._native.protocol})>"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        """Closes the client: a ``single_connection_client`` gives its connection back to the
        pool (the others close when the last reference goes)."""
        if self.connection is not None:
            self.connection.close()

    def set_response_callback(self, command: str, callback) -> None:
        """Replaces the reply shaping of ``command`` (``"GET"``, ``"CONFIG GET"``...) on this
        client and its pipelines: ``callback(reply)`` gets the reply as the server sent it
        (``bytes``, lists; a RESP3 map as a dict) and returns the command's result."""
        self.response_callbacks[command] = callback

    def get_connection_kwargs(self) -> dict:
        """The keyword arguments of the client's connection pool."""
        return self.connection_pool.connection_kwargs

    def get_protocol(self) -> int:
        """The RESP version spoken: 2 or 3."""
        return self._native.protocol

    def get_cache(self):
        """The client-side cache (``oxredis.cache.DefaultCache``) made by ``cache_config=``,
        or ``None``."""
        return getattr(self.connection_pool, "cache", None)

    def pipeline(self, transaction: bool = True, shard_hint=None) -> "Pipeline":
        """A pipeline: commands queue until ``execute()`` sends them in one write (inside
        MULTI/EXEC when ``transaction``)."""
        return Pipeline(self, transaction)

    def scan_iter(self, match=None, count=None, _type=None, **kwargs) -> Iterator:
        """Every key, through SCAN cursors."""
        cursor = "0"
        while cursor != 0:
            cursor, keys = self.scan(cursor=cursor, match=match, count=count, _type=_type)
            yield from keys

    def sscan_iter(self, name, match=None, count=None) -> Iterator:
        """Every member of a set, through SSCAN cursors."""
        cursor = "0"
        while cursor != 0:
            cursor, data = self.sscan(name, cursor=cursor, match=match, count=count)
            yield from data

    def hscan_iter(self, name, match=None, count=None, no_values=None) -> Iterator:
        """Every ``(field, value)`` of a hash (every field with ``no_values=True``), through
        HSCAN cursors."""
        cursor = "0"
        while cursor != 0:
            cursor, data = self.hscan(name, cursor=cursor, match=match, count=count,
                                      no_values=no_values)
            if no_values:
                yield from data
            else:
                yield from data.items()

    def zscan_iter(self, name, match=None, count=None, score_cast_func=float) -> Iterator:
        """Every ``(member, score)`` of a sorted set, through ZSCAN cursors."""
        cursor = "0"
        while cursor != 0:
            cursor, data = self.zscan(name, cursor=cursor, match=match, count=count,
                                      score_cast_func=score_cast_func)
            yield from data

    def pubsub(self, ignore_subscribe_messages=False, **kwargs):
        """A ``PubSub`` on a connection of its own."""
        from .pubsub import PubSub

        return PubSub(self._native.pubsub(), ignore_subscribe_messages=ignore_subscribe_messages)

    def monitor(self) -> "Monitor":
        """A ``Monitor``: ``with r.monitor() as m: for command in m.listen(): ...``."""
        return Monitor(self)

    def lock(self, name, timeout=None, sleep=0.1, blocking=True, blocking_timeout=None,
             lock_class=None, thread_local=True, raise_on_release_error=True):
        """A ``Lock`` on key ``name`` (redis-py's ``Redis.lock``)."""
        if lock_class is None:
            lock_class = self._lock_class()
        return lock_class(self, name, timeout=timeout, sleep=sleep, blocking=blocking,
                          blocking_timeout=blocking_timeout, thread_local=thread_local,
                          raise_on_release_error=raise_on_release_error)

    @staticmethod
    def _lock_class():
        from .lock import Lock

        return Lock

    def register_script(self, script) -> "Script":
        """A callable ``Script`` for the Lua source ``script`` (EVALSHA, loaded on demand)."""
        return Script(self, script)

    def transaction(self, func, *watches, shard_hint=None, value_from_callable=False,
                    watch_delay=None):
        """Runs ``func(pipe)`` with ``watches`` WATCHed, then EXEC; again from the start when
        a watched key changed (``WatchError``). Returns EXEC's replies, or ``func``'s value
        with ``value_from_callable=True``."""
        with self.pipeline(True) as pipe:
            while True:
                try:
                    if watches:
                        pipe.watch(*watches)
                    func_value = func(pipe)
                    exec_value = pipe.execute()
                    return func_value if value_from_callable else exec_value
                except WatchError:
                    if watch_delay is not None and watch_delay > 0:
                        _time.sleep(watch_delay)
                    continue

    def __getitem__(self, name):
        value = self.get(name)
        if value is not None:
            return value
        raise KeyError(name)

    def __setitem__(self, name, value):
        self.set(name, value)

    def __contains__(self, name):
        return bool(self.exists(name))



StrictRedis = Redis


class Monitor:
    """MONITOR on a connection of its own, opened by ``with``/``__enter__``; each command the
    server runs as a dict: ``time``, ``db``, ``client_address``, ``client_port``,
    ``client_type``, ``command``."""

    def __init__(self, client: Redis):
        self._client = client
        self._native = None

    def __enter__(self):
        self._native = self._client._native.monitor()
        return self

    def __exit__(self, *exc):
        if self._native is not None:
            self._native.close()
            self._native = None

    def next_command(self, timeout=None) -> dict:
        """The next command the server ran (blocking)."""
        if self._native is None:
            self.__enter__()
        return self._native.next_command(timeout)

    def listen(self) -> Iterator[dict]:
        """Every command, as it runs."""
        while True:
            yield self.next_command()


class Script:
    """A Lua script called by its SHA1 (EVALSHA), loaded when the server lacks it; in a
    pipeline it is loaded before the pipeline is sent (redis-py's ``Script``)."""

    def __init__(self, registered_client: Redis, script):
        self.registered_client = registered_client
        self.script = script
        source = script.encode() if isinstance(script, str) else bytes(script)
        self.sha = hashlib.sha1(source).hexdigest()

    def __call__(self, keys=[], args=[], client=None):  # noqa: B006 - redis-py's signature
        if client is None:
            client = self.registered_client
        keys, args = list(keys), list(args)
        if isinstance(client, Pipeline):
            client._scripts[self.sha] = self
            return client.evalsha(self.sha, len(keys), *keys, *args)
        try:
            return client.evalsha(self.sha, len(keys), *keys, *args)
        except NoScriptError:
            self.sha = client.script_load(self.script)
            return client.evalsha(self.sha, len(keys), *keys, *args)


class Pipeline(_native.CommandQueue, CoreCommands):
    """Queued commands sent in one write by ``execute()`` (one Rust call).

    After ``watch(*names)`` commands run at once on the watched connection (to read values),
    until ``multi()``; from then on they queue, and ``execute()`` runs them in MULTI/EXEC,
    raising ``WatchError`` if a watched key changed.
    """

    def __init__(self, client: Redis, transaction: bool = True):
        # The queue itself, and `_cmd`, `__len__` and `command_stack`, are native
        # (`_native.CommandQueue`): each command is packed as it is queued, its `str`
        # arguments in the client's encoding.
        self._client = client
        self._set_encoding(client._native.encoding, client._native.encoding_errors)
        self.transaction = transaction
        self._watched = None
        self.explicit_transaction = False
        self._scripts: dict = {}
        self._posts: dict = {}

    @property
    def watching(self) -> bool:
        """Whether keys are WATCHed."""
        return self._watched is not None

    def _run_watched(self, post, shape, args):
        """Runs a command at once on the watched connection (between WATCH and MULTI)."""
        callback = self._client.response_callbacks.get(_command_name(args))
        if callback is not None:
            post, shape = callback, RAW
        reply = self._watched.execute(args, shape)
        return reply if post is None else post(reply)

    def _run_now(self, args, shape):
        # The native `_cmd`'s hook while keys are watched and no MULTI was issued.
        return self._run_watched(None, shape, args)

    def _cmd_post(self, post, shape, *args):
        if self._watched is not None and not self.explicit_transaction:
            return self._run_watched(post, shape, args)
        self._posts[len(self)] = post
        return self._cmd(shape, *args)

    def __bool__(self) -> bool:
        return True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.reset()

    def __del__(self):
        try:
            self.reset()
        except Exception:
            pass

    def reset(self) -> None:
        """Drops the queued commands and releases a watched connection (UNWATCH)."""
        self._clear()
        self._set_run_now(None)
        self.explicit_transaction = False
        self._scripts = {}
        self._posts = {}
        watched, self._watched = self._watched, None
        if watched is not None:
            watched.reset()

    def watch(self, *names) -> None:
        """WATCHes keys; commands then run at once until ``multi()``."""
        if self.explicit_transaction:
            raise RedisError("Cannot issue a WATCH after a MULTI")
        if self._watched is None:
            if len(self):
                raise RedisError("Cannot issue a WATCH after commands were queued")
            self._watched = self._client._native.watch(names)
            # Until multi(), commands run at once on the watched connection (to read values).
            self._set_run_now(self._run_now)
        else:
            self._watched.watch(names)

    def unwatch(self) -> bool:
        """UNWATCHes every key."""
        if self._watched is not None:
            self._watched.unwatch()
        return True

    def multi(self) -> None:
        """Starts queueing the transaction's commands (after ``watch``)."""
        if self.explicit_transaction:
            raise RedisError("Cannot issue nested calls to MULTI")
        if len(self):
            raise RedisError("Commands without an initial WATCH have already been issued")
        self.explicit_transaction = True
        self._set_run_now(None)

    def execute(self, raise_on_error: bool = True) -> list:
        """Sends the queued commands and returns their replies, in order. With
        ``raise_on_error=False`` a command's error is returned in its place."""
        scripts, self._scripts = self._scripts, {}
        if scripts:
            # redis-py's order: SCRIPT EXISTS, then SCRIPT LOAD of the missing ones.
            shas = list(scripts)
            for sha, known in zip(shas, self._client.script_exists(*shas)):
                if not known:
                    self._client.script_load(scripts[sha].script)
        posts, self._posts = self._posts, {}
        posts = _queue_callbacks(self, posts, self._client.response_callbacks)
        watched, self._watched = self._watched, None
        self.explicit_transaction = False
        self._set_run_now(None)
        # Both take the queued commands, so the pipeline is empty afterwards whatever happens.
        if watched is not None:
            return _apply_posts(watched.execute_transaction(self, raise_on_error), posts)
        if not len(self):
            return []
        return _apply_posts(
            self._client._native.execute_pipeline(self, self.transaction, raise_on_error),
            posts)

def _apply_posts(results, posts: dict):
    """Applies each queued command's ``post`` (by index) to its result; an error returned in
    place of a result (``raise_on_error=False``) stays as it is. ``None`` (a transaction that
    did not run) stays ``None``."""
    if posts and results is not None:
        for i, post in posts.items():
            if i < len(results) and not isinstance(results[i], Exception):
                results[i] = post(results[i])
    return results
