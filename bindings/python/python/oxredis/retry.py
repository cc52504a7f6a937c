"""redis-py's ``Retry`` (``redis.retry``): how often, with which waits and on which errors a
command is tried again. Given to a client (``Redis(retry=Retry(...))``), it becomes the core's
retry policy, whose rules stay: a write that may have reached the server is never re-sent."""

from __future__ import annotations

import socket
import time
from typing import Any, Callable, Iterable, Tuple, Type

from .exceptions import (
    BusyLoadingError, ClusterDownError, ConnectionError, MasterDownError, ReadOnlyError,
    TimeoutError, TryAgainError,
)

# The core's retried error kinds, by the Python exception each one is raised as.
_KINDS = (
    (ConnectionError, "connection"), (TimeoutError, "timeout"), (socket.timeout, "timeout"),
    (BusyLoadingError, "busy_loading"), (ReadOnlyError, "read_only"),
    (TryAgainError, "try_again"), (ClusterDownError, "cluster_down"),
    (MasterDownError, "master_down"),
)


class Retry:
    """``retries`` more tries (negative: forever) after a failure with one of
    ``supported_errors``, waiting ``backoff.compute(failures)`` seconds before each."""

    def __init__(self, backoff, retries: int,
                 supported_errors: Tuple[Type[Exception], ...] = (
                     ConnectionError, TimeoutError, socket.timeout)):
        self._backoff = backoff
        self._retries = retries
        self._supported_errors = tuple(supported_errors)

    def __eq__(self, other: Any) -> bool:
        return (isinstance(other, Retry) and self._backoff == other._backoff
                and self._retries == other._retries
                and set(self._supported_errors) == set(other._supported_errors))

    def __hash__(self) -> int:
        return hash((self._backoff, self._retries, frozenset(self._supported_errors)))

    def update_supported_errors(self, specified_errors: Iterable[Type[Exception]]) -> None:
        """Adds error types to retry on."""
        self._supported_errors = tuple(set(self._supported_errors + tuple(specified_errors)))

    def get_retries(self) -> int:
        """The number of retries."""
        return self._retries

    def update_retries(self, value: int) -> None:
        """Sets the number of retries."""
        self._retries = value

    def call_with_retry(self, do: Callable[[], Any], fail: Callable[[Exception], Any]) -> Any:
        """Calls ``do()`` until it succeeds, calling ``fail(error)`` after each supported
        failure, up to ``retries`` more times (redis-py's helper for user code)."""
        self._backoff.reset()
        failures = 0
        while True:
            try:
                return do()
            except self._supported_errors as error:
                failures += 1
                fail(error)
                if 0 <= self._retries < failures:
                    raise error
                wait = self._backoff.compute(failures)
                if wait > 0:
                    time.sleep(wait)

    def _spec(self) -> tuple:
        """The core's policy: ``(backoff kind, cap, base, retries, error kinds)``; an error
        kind is retried when its exception is one of ``supported_errors`` or a subclass."""
        kinds = sorted({kind for exc, kind in _KINDS
                        if issubclass(exc, self._supported_errors)})
        return (*self._backoff._spec(), int(self._retries), kinds)


__all__ = ["Retry"]
