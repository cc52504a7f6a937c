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
    ) -> None: ...
    @property
    def decode_responses(self) -> bool: ...
    @property
    def protocol(self) -> int: ...
    def execute(self, args: tuple[Any, ...], shape: int) -> Any: ...
    def watch(self, keys: tuple[Any, ...]) -> Watched: ...
    def execute_pipeline(
        self, commands: list[tuple[tuple[Any, ...], int]], transaction: bool, raise_on_error: bool
    ) -> list[Any]: ...

class Watched:
    def execute(self, args: tuple[Any, ...], shape: int) -> Any: ...
    def watch(self, keys: tuple[Any, ...]) -> None: ...
    def unwatch(self) -> None: ...
    def execute_transaction(
        self, commands: list[tuple[tuple[Any, ...], int]], raise_on_error: bool
    ) -> list[Any]: ...
    def reset(self) -> None: ...
