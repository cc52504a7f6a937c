"""``Lock`` for ``oxredis.asyncio``: redis-py's asyncio lock (``redis.asyncio.lock.Lock``). The
same lock as the blocking one (same scripts, token and defaults), with awaitable methods."""

from __future__ import annotations

import asyncio
from typing import Optional

from .. import lock as _sync
from ..exceptions import LockError, LockNotOwnedError


class Lock(_sync.Lock):
    """A lock on key ``name``, held by a random token: ``async with r.lock("name"):``."""

    async def __aenter__(self):
        if await self.acquire():
            return self
        raise LockError("Unable to acquire lock within the time specified", lock_name=self.name)

    async def __aexit__(self, exc_type, exc_value, traceback):
        try:
            await self.release()
        except LockError:
            if self.raise_on_release_error:
                raise

    def __enter__(self):
        raise TypeError("use `async with` with an asyncio lock")

    async def acquire(self, blocking: Optional[bool] = None,
                      blocking_timeout: Optional[float] = None, token=None) -> bool:
        """Takes the lock; ``False`` when not blocking (or past ``blocking_timeout``) and taken."""
        loop = asyncio.get_running_loop()
        sleep, token, blocking, stop_trying_at = self._acquire_args(
            None, blocking, blocking_timeout, token, loop.time())
        while True:
            if await self.do_acquire(token):
                self.local.token = token
                return True
            if not self._try_again(blocking, sleep, stop_trying_at, loop.time()):
                return False
            await asyncio.sleep(sleep)

    async def do_acquire(self, token) -> bool:
        timeout = int(self.timeout * 1000) if self.timeout else None
        return bool(await self.redis.set(self.name, token, nx=True, px=timeout))

    async def locked(self) -> bool:
        """Whether anyone holds the lock."""
        return await self.redis.get(self.name) is not None

    async def owned(self) -> bool:
        """Whether this lock object (this thread, with ``thread_local``) holds it."""
        stored = await self.redis.get(self.name)
        token = self._token()
        return stored is not None and token is not None and _sync._encode(stored) == token

    async def release(self) -> None:
        """Releases the lock; ``LockNotOwnedError`` if it expired or someone else holds it.
        As redis-py's asyncio lock, the token is kept until the release is answered, so a
        cancelled release can be retried."""
        expected = self._token()
        if expected is None:
            raise LockError("Cannot release an unlocked lock", lock_name=self.name)
        try:
            await self.do_release(expected)
        except LockNotOwnedError:
            self.local.token = None
            raise
        self.local.token = None

    async def do_release(self, expected_token) -> None:
        if not bool(await self.lua_release(keys=[self.name], args=[expected_token],
                                           client=self.redis)):
            raise LockNotOwnedError("Cannot release a lock that's no longer owned",
                                    lock_name=self.name)

    async def extend(self, additional_time: float, replace_ttl: bool = False) -> bool:
        """Adds ``additional_time`` seconds to the lock's TTL (or sets it, ``replace_ttl``)."""
        self._check_held("extend")
        ms = int(additional_time * 1000)
        if not bool(await self.lua_extend(keys=[self.name],
                                          args=[self._token(), ms, int(replace_ttl)],
                                          client=self.redis)):
            raise LockNotOwnedError("Cannot extend a lock that's no longer owned",
                                    lock_name=self.name)
        return True

    async def reacquire(self) -> bool:
        """Resets the lock's TTL to ``timeout``."""
        self._check_held("reacquire")
        ms = int(self.timeout * 1000)
        if not bool(await self.lua_reacquire(keys=[self.name], args=[self._token(), ms],
                                             client=self.redis)):
            raise LockNotOwnedError("Cannot reacquire a lock that's no longer owned",
                                    lock_name=self.name)
        return True


__all__ = ["Lock"]
