"""``Lock``: redis-py's distributed lock (SET NX PX to take it, Lua scripts to release, extend
and reacquire only while the token is still ours)."""

from __future__ import annotations

import threading
import time as mod_time
import uuid
from types import SimpleNamespace
from typing import Optional

from .exceptions import LockError, LockNotOwnedError


def _encode(value) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    return str(value).encode()


class Lock:
    """A lock on key ``name``, held by a random token; redis-py's signature and behaviour."""

    LUA_RELEASE_SCRIPT = """
        local token = redis.call('get', KEYS[1])
        if not token or token ~= ARGV[1] then
            return 0
        end
        redis.call('del', KEYS[1])
        return 1
    """

    LUA_EXTEND_SCRIPT = """
        local token = redis.call('get', KEYS[1])
        if not token or token ~= ARGV[1] then
            return 0
        end
        local expiration = redis.call('pttl', KEYS[1])
        if not expiration then
            expiration = 0
        end
        if expiration < 0 then
            return 0
        end
        local newttl = ARGV[2]
        if ARGV[3] == "0" then
            newttl = ARGV[2] + expiration
        end
        redis.call('pexpire', KEYS[1], newttl)
        return 1
    """

    LUA_REACQUIRE_SCRIPT = """
        local token = redis.call('get', KEYS[1])
        if not token or token ~= ARGV[1] then
            return 0
        end
        redis.call('pexpire', KEYS[1], ARGV[2])
        return 1
    """

    def __init__(self, redis, name, timeout: Optional[float] = None, sleep: float = 0.1,
                 blocking: bool = True, blocking_timeout: Optional[float] = None,
                 thread_local: bool = True, raise_on_release_error: bool = True):
        self.redis = redis
        self.name = name
        self.timeout = timeout
        self.sleep = sleep
        self.blocking = blocking
        self.blocking_timeout = blocking_timeout
        self.thread_local = bool(thread_local)
        self.raise_on_release_error = raise_on_release_error
        self.local = threading.local() if self.thread_local else SimpleNamespace()
        self.local.token = None
        self.lua_release = redis.register_script(self.LUA_RELEASE_SCRIPT)
        self.lua_extend = redis.register_script(self.LUA_EXTEND_SCRIPT)
        self.lua_reacquire = redis.register_script(self.LUA_REACQUIRE_SCRIPT)

    def _token(self):
        return getattr(self.local, "token", None)

    def __enter__(self):
        if self.acquire():
            return self
        raise LockError("Unable to acquire lock within the time specified", lock_name=self.name)

    def __exit__(self, exc_type, exc_value, traceback):
        try:
            self.release()
        except LockError:
            if self.raise_on_release_error:
                raise

    def acquire(self, sleep: Optional[float] = None, blocking: Optional[bool] = None,
                blocking_timeout: Optional[float] = None, token=None) -> bool:
        """Takes the lock; ``False`` when not blocking (or past ``blocking_timeout``) and taken."""
        sleep, token, blocking, stop_trying_at = self._acquire_args(
            sleep, blocking, blocking_timeout, token, mod_time.monotonic())
        while True:
            if self.do_acquire(token):
                self.local.token = token
                return True
            if not self._try_again(blocking, sleep, stop_trying_at, mod_time.monotonic()):
                return False
            mod_time.sleep(sleep)

    def _acquire_args(self, sleep, blocking, blocking_timeout, token, now):
        """``acquire``'s arguments with the lock's defaults filled in: the pause between tries,
        the token (a new random one by default), whether to wait, and when to stop trying."""
        sleep = self.sleep if sleep is None else sleep
        token = uuid.uuid1().hex.encode() if token is None else _encode(token)
        blocking = self.blocking if blocking is None else blocking
        blocking_timeout = self.blocking_timeout if blocking_timeout is None else blocking_timeout
        stop_trying_at = None if blocking_timeout is None else now + blocking_timeout
        return sleep, token, blocking, stop_trying_at

    def _check_held(self, what: str) -> None:
        """``LockError`` unless this lock is held and has a timeout (to ``what``: extend or
        reacquire)."""
        if self._token() is None:
            raise LockError(f"Cannot {what} an unlocked lock", lock_name=self.name)
        if self.timeout is None:
            raise LockError(f"Cannot {what} a lock with no timeout", lock_name=self.name)

    @staticmethod
    def _try_again(blocking, sleep, stop_trying_at, now) -> bool:
        """After a failed try: whether to sleep ``sleep`` and try again."""
        return blocking and (stop_trying_at is None or now + sleep <= stop_trying_at)

    def do_acquire(self, token) -> bool:
        timeout = int(self.timeout * 1000) if self.timeout else None
        return bool(self.redis.set(self.name, token, nx=True, px=timeout))

    def locked(self) -> bool:
        """Whether anyone holds the lock."""
        return self.redis.get(self.name) is not None

    def owned(self) -> bool:
        """Whether this lock object (this thread, with ``thread_local``) holds it."""
        stored = self.redis.get(self.name)
        token = self._token()
        return stored is not None and token is not None and _encode(stored) == token

    def release(self) -> None:
        """Releases the lock; ``LockNotOwnedError`` if it expired or someone else holds it."""
        expected = self._token()
        if expected is None:
            raise LockError("Cannot release an unlocked lock", lock_name=self.name)
        self.local.token = None
        self.do_release(expected)

    def do_release(self, expected_token) -> None:
        if not bool(self.lua_release(keys=[self.name], args=[expected_token], client=self.redis)):
            raise LockNotOwnedError("Cannot release a lock that's no longer owned",
                                    lock_name=self.name)

    def extend(self, additional_time: float, replace_ttl: bool = False) -> bool:
        """Adds ``additional_time`` seconds to the lock's TTL (or sets it, ``replace_ttl``)."""
        self._check_held("extend")
        ms = int(additional_time * 1000)
        if not bool(self.lua_extend(keys=[self.name], args=[self._token(), ms, int(replace_ttl)],
                                    client=self.redis)):
            raise LockNotOwnedError("Cannot extend a lock that's no longer owned",
                                    lock_name=self.name)
        return True

    def reacquire(self) -> bool:
        """Resets the lock's TTL to ``timeout``."""
        self._check_held("reacquire")
        ms = int(self.timeout * 1000)
        if not bool(self.lua_reacquire(keys=[self.name], args=[self._token(), ms],
                                       client=self.redis)):
            raise LockNotOwnedError("Cannot reacquire a lock that's no longer owned",
                                    lock_name=self.name)
        return True


__all__ = ["Lock"]
