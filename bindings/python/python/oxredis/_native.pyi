"""Type stub of the Rust extension module ``oxredis._native`` (private)."""

from typing import Any, Optional

SHAPE_RAW: int
SHAPE_OK_BOOL: int
SHAPE_BOOL: int
SHAPE_DICT: int
SHAPE_SET: int
SHAPE_SCORED: int
SHAPE_FLOAT: int
SHAPE_INFO: int
SHAPE_SCAN: int
SHAPE_PING: int
SHAPE_HSCAN: int
SHAPE_ZSCAN: int
SHAPE_TUPLE: int
SHAPE_BOOL_LIST: int
SHAPE_STR: int
SHAPE_RANK_SCORE: int
SHAPE_STR_LIST: int
SHAPE_GEOPOS: int
SHAPE_GEOSEARCH: int
SHAPE_STREAM: int
SHAPE_XREAD: int
SHAPE_XPENDING: int
SHAPE_XPENDING_RANGE: int
SHAPE_XAUTOCLAIM: int
SHAPE_XAUTOCLAIM_JUSTID: int
SHAPE_XINFO_STREAM: int
SHAPE_DICT_LIST: int
SHAPE_STR_DICT: int
SHAPE_CLIENT_LIST: int
SHAPE_FLOAT_LIST: int
SHAPE_KEY_MEMBER_SCORE: int
SHAPE_RESP2: int
SHAPE_FLAT_PAIRS: int
SHAPE_BYTES: int
SHAPE_CLIENT_INFO: int
SHAPE_DEBUG_OBJECT: int
SHAPE_ACL_GETUSER: int
SHAPE_ACL_LOG: int
SHAPE_SCORED_TEXT: int
SHAPE_ZSCAN_TEXT: int
SHAPE_RANK_SCORE_TEXT: int
SHAPE_PAIR_LIST: int
SHAPE_SLOWLOG_GET: int
SHAPE_INT_TUPLE: int
SHAPE_MEMORY_STATS: int
SHAPE_TRACKING_INFO: int

class Client:
    def __init__(
        self,
        url: Optional[str] = None,
        host: Optional[str] = None,
        port: Optional[int] = None,
        db: Optional[int] = None,
        username: Optional[str] = None,
        password: Optional[str] = None,
        socket_timeout: Optional[float] = None,
        socket_connect_timeout: Optional[float] = None,
        socket_keepalive: Optional[bool] = None,
        protocol: Optional[int] = None,
        client_name: Optional[str] = None,
        max_connections: Optional[int] = None,
        unix_socket_path: Optional[str] = None,
        health_check_interval: Optional[float] = None,
        decode_responses: bool = False,
        pool_block: bool = True,
        pool_timeout: Optional[float] = None,
    ) -> None: ...
    def asynchronous(self) -> AsyncClient: ...
    @property
    def decode_responses(self) -> bool: ...
    @property
    def protocol(self) -> int: ...
    def execute(self, args: tuple[Any, ...], shape: int) -> Any: ...
    def watch(self, keys: tuple[Any, ...]) -> Watched: ...
    def single(self) -> SingleConn: ...
    def pubsub(self) -> PubSubConn: ...
    def monitor(self) -> MonitorConn: ...
    def execute_pipeline(
        self, commands: list[tuple[tuple[Any, ...], int]], transaction: bool, raise_on_error: bool
    ) -> list[Any]: ...

class SingleConn:
    def execute(self, args: tuple[Any, ...], shape: int) -> Any: ...
    def close(self) -> None: ...

class Watched:
    def execute(self, args: tuple[Any, ...], shape: int) -> Any: ...
    def watch(self, keys: tuple[Any, ...]) -> None: ...
    def unwatch(self) -> None: ...
    def execute_transaction(
        self, commands: list[tuple[tuple[Any, ...], int]], raise_on_error: bool
    ) -> list[Any]: ...
    def reset(self) -> None: ...

class PubSubConn:
    def subscribe(self, *channels: Any) -> None: ...
    def psubscribe(self, *patterns: Any) -> None: ...
    def ssubscribe(self, *channels: Any) -> None: ...
    def unsubscribe(self, *channels: Any) -> None: ...
    def punsubscribe(self, *patterns: Any) -> None: ...
    def sunsubscribe(self, *channels: Any) -> None: ...
    def ping(self, message: Any = None) -> None: ...
    def get_message(self, timeout: Optional[float] = None) -> Optional[dict[str, Any]]: ...
    @property
    def subscribed(self) -> bool: ...
    @property
    def channels(self) -> list[Any]: ...
    @property
    def patterns(self) -> list[Any]: ...
    @property
    def shard_channels(self) -> list[Any]: ...
    def close(self) -> None: ...

class MonitorConn:
    def next_command(self, timeout: Optional[float] = None) -> Optional[dict[str, Any]]: ...
    def close(self) -> None: ...

class Completer:
    """One event loop's completion queue; ``loop.add_reader(c.fileno(), c.drain)``."""
    def __init__(self) -> None: ...
    def fileno(self) -> int: ...
    def drain(self) -> None: ...

class AsyncClient:
    @property
    def decode_responses(self) -> bool: ...
    @property
    def protocol(self) -> int: ...
    def execute(self, args: tuple[Any, ...], shape: int, fut: Any, completer: Completer) -> None: ...
    def execute_pipeline(
        self,
        commands: list[tuple[tuple[Any, ...], int]],
        transaction: bool,
        raise_on_error: bool,
        fut: Any,
        completer: Completer,
    ) -> None: ...
    def pubsub(self) -> AsyncPubSubConn: ...

class AsyncPubSubConn:
    def subscription(self, command: str, fut: Any, completer: Completer, *names: Any) -> None: ...
    def get_message(self, fut: Any, completer: Completer, timeout: Optional[float] = None) -> None: ...
    def close(self, fut: Any, completer: Completer) -> None: ...
    @property
    def subscribed(self) -> bool: ...
    @property
    def channels(self) -> list[Any]: ...
    @property
    def patterns(self) -> list[Any]: ...
