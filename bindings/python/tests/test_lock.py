"""Lock, as redis-py's docs use it."""

import threading
import time

import pytest

import oxredis
from oxredis.exceptions import LockError, LockNotOwnedError


def test_context_manager(r):
    with r.lock("my-lock-key", blocking_timeout=5) as lock:
        assert isinstance(lock, oxredis.Lock)
        assert lock.locked() is True
        assert lock.owned() is True
        assert r.get("my-lock-key") is not None
        assert r.ttl("my-lock-key") == -1
    assert r.get("my-lock-key") is None


def test_blocking_timeout_and_non_blocking(r):
    holder = r.lock("L", timeout=10)
    assert holder.acquire() is True
    other = r.lock("L")
    assert other.acquire(blocking=False) is False
    start = time.monotonic()
    assert other.acquire(blocking_timeout=0.3, sleep=0.05) is False
    assert 0.2 <= time.monotonic() - start < 2
    with pytest.raises(LockError, match="Unable to acquire lock"):
        with r.lock("L", blocking_timeout=0.1):
            pass
    assert other.owned() is False
    holder.release()
    assert other.acquire(blocking=False) is True
    other.release()


def test_timeout_extend_reacquire(r):
    lock = r.lock("T", timeout=10)
    assert lock.acquire() is True
    assert 9000 <= r.pttl("T") <= 10000
    assert lock.extend(5) is True
    assert 14000 <= r.pttl("T") <= 15000
    assert lock.extend(3, replace_ttl=True) is True
    assert 2000 <= r.pttl("T") <= 3000
    assert lock.reacquire() is True
    assert 9000 <= r.pttl("T") <= 10000
    r.set("T", "someone-else")
    assert lock.owned() is False
    with pytest.raises(LockNotOwnedError):
        lock.extend(1)
    with pytest.raises(LockNotOwnedError):
        lock.release()
    with pytest.raises(LockError, match="unlocked"):
        lock.release()
    no_timeout = r.lock("N")
    no_timeout.acquire()
    with pytest.raises(LockError, match="no timeout"):
        no_timeout.extend(1)
    no_timeout.release()


def test_expired_lock_is_not_owned(r):
    lock = r.lock("E", timeout=0.1)
    assert lock.acquire() is True
    deadline = time.monotonic() + 5
    while r.exists("E") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert lock.locked() is False
    with pytest.raises(LockNotOwnedError):
        lock.release()


def test_mutual_exclusion_between_threads(r):
    r.set("counter", 0)
    lock = r.lock("M", timeout=5, sleep=0.001)

    def work():
        for _ in range(20):
            with lock:  # thread_local tokens: one lock object, one token per thread
                value = int(r.get("counter"))
                r.set("counter", value + 1)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert r.get("counter") == b"80"


def test_asyncio_lock(server, protocol):
    import asyncio

    import oxredis.asyncio as aredis
    from oxredis.asyncio.lock import Lock as AsyncLock

    async def main():
        r = aredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
        await r.flushdb()
        async with r.lock("my-lock-key", blocking_timeout=5) as lock:
            assert isinstance(lock, AsyncLock)
            assert await lock.locked() is True
            assert await lock.owned() is True
            assert await r.ttl("my-lock-key") == -1
        assert await r.get("my-lock-key") is None

        holder = r.lock("L", timeout=10)
        assert await holder.acquire() is True
        other = r.lock("L", sleep=0.05)
        assert await other.acquire(blocking=False) is False
        start = time.monotonic()
        assert await other.acquire(blocking_timeout=0.3) is False
        assert 0.2 <= time.monotonic() - start < 2
        with pytest.raises(LockError, match="Unable to acquire lock"):
            async with r.lock("L", blocking_timeout=0.1):
                pass
        assert 9000 <= await r.pttl("L") <= 10000
        assert await holder.extend(5) is True
        assert 14000 <= await r.pttl("L") <= 15000
        assert await holder.extend(3, replace_ttl=True) is True
        assert 2000 <= await r.pttl("L") <= 3000
        assert await holder.reacquire() is True
        assert 9000 <= await r.pttl("L") <= 10000
        await holder.release()
        assert await r.get("L") is None

        assert await other.acquire(blocking=False) is True
        await r.set("L", "someone-else")
        assert await other.owned() is False
        with pytest.raises(LockNotOwnedError):
            await other.release()
        with pytest.raises(LockError, match="unlocked"):
            await other.release()
        no_timeout = r.lock("N")
        assert await no_timeout.acquire() is True
        with pytest.raises(LockError, match="no timeout"):
            await no_timeout.extend(1)

        # a waiting task takes the lock once the holder releases it
        first = r.lock("W", timeout=5)
        assert await first.acquire() is True

        async def release_later():
            await asyncio.sleep(0.2)
            await first.release()

        releasing = asyncio.create_task(release_later())
        second = r.lock("W", sleep=0.05)
        assert await second.acquire(blocking_timeout=3) is True
        await releasing
        assert await second.owned() is True
        await second.release()

    asyncio.run(main())
