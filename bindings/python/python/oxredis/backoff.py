"""redis-py's backoff strategies (``redis.backoff``): the waits between retries. ``compute``
is the core's (``oxredis::retry::Backoff``), which the client also uses when it retries."""

from __future__ import annotations

from . import _native

DEFAULT_CAP = 0.512
DEFAULT_BASE = 0.008


class AbstractBackoff:
    """A strategy: ``compute(failures)`` is the wait in seconds after ``failures`` failures."""

    _kind = ""

    def __init__(self, cap: float = DEFAULT_CAP, base: float = DEFAULT_BASE) -> None:
        self._cap = cap
        self._base = base

    def reset(self) -> None:
        """Kept for redis-py compatibility (the core keeps no state between operations)."""

    def compute(self, failures: int) -> float:
        """The wait, in seconds, after ``failures`` failed attempts."""
        return _native.backoff_compute(self._kind, float(self._cap), float(self._base),
                                       max(int(failures), 0))

    def _spec(self) -> tuple:
        return (self._kind, float(self._cap), float(self._base))

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and self._spec() == other._spec()

    def __hash__(self) -> int:
        return hash((type(self), self._spec()))


class ConstantBackoff(AbstractBackoff):
    """Always ``backoff`` seconds."""

    _kind = "constant"

    def __init__(self, backoff: float) -> None:
        super().__init__(backoff, backoff)


class NoBackoff(ConstantBackoff):
    """No wait."""

    _kind = "none"

    def __init__(self) -> None:
        super().__init__(0)


class ExponentialBackoff(AbstractBackoff):
    """``min(cap, base * 2**failures)``."""

    _kind = "exponential"


class FullJitterBackoff(AbstractBackoff):
    """A random wait up to the exponential value."""

    _kind = "full_jitter"


class EqualJitterBackoff(AbstractBackoff):
    """Half the exponential value plus a random part up to the other half."""

    _kind = "equal_jitter"


class DecorrelatedJitterBackoff(AbstractBackoff):
    """A random wait between ``base`` and three times the previous one, capped."""

    _kind = "decorrelated_jitter"


class ExponentialWithJitterBackoff(AbstractBackoff):
    """The exponential value with its base scaled by a random factor, capped."""

    _kind = "exponential_with_jitter"


def default_backoff() -> EqualJitterBackoff:
    """redis-py's ``default_backoff()``: equal jitter, 8 ms base, 512 ms cap."""
    return EqualJitterBackoff()


__all__ = [
    "AbstractBackoff", "ConstantBackoff", "DecorrelatedJitterBackoff", "DEFAULT_BASE",
    "DEFAULT_CAP", "EqualJitterBackoff", "ExponentialBackoff", "ExponentialWithJitterBackoff",
    "FullJitterBackoff", "NoBackoff", "default_backoff",
]
