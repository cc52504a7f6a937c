"""Pub/sub as redis-py's docs show it: messages as dicts, handlers, listen, run_in_thread."""

import asyncio
import inspect
import threading
import time

import pytest

import oxredis


def test_subscribe_sequence_from_the_docs(r):
    p = r.pubsub()
    p.subscribe("my-first-channel")
    assert p.get_message(timeout=5) == {
        "type": "subscribe", "pattern": None, "channel": b"my-first-channel", "data": 1}
    p.subscribe("my-second-channel")
    assert p.get_message(timeout=5) == {
        "type": "subscribe", "pattern": None, "channel": b"my-second-channel", "data": 2}
    p.psubscribe("my-*")
    assert p.get_message(timeout=5) == {
        "type": "psubscribe", "pattern": None, "channel": b"my-*", "data": 3}
    assert p.subscribed is True
    assert r.publish("my-first-channel", "some data") == 2
    assert p.get_message(timeout=5) == {
        "type": "message", "pattern": None, "channel": b"my-first-channel", "data": b"some data"}
    assert p.get_message(timeout=5) == {
        "type": "pmessage", "pattern": b"my-*", "channel": b"my-first-channel",
        "data": b"some data"}
    assert p.get_message(timeout=0.05) is None
    p.unsubscribe("my-first-channel")
    assert p.get_message(timeout=5) == {
        "type": "unsubscribe", "pattern": None, "channel": b"my-first-channel", "data": 2}
    p.unsubscribe()
    p.punsubscribe()
    kinds = [p.get_message(timeout=5)["type"] for _ in range(2)]
    assert sorted(kinds) == ["punsubscribe", "unsubscribe"]
    assert p.subscribed is False
    p.close()


def test_ignore_subscribe_messages_and_decode(rd):
    p = rd.pubsub(ignore_subscribe_messages=True)
    p.subscribe("ch")
    assert p.get_message(timeout=0.2) is None  # the confirmation, ignored
    assert rd.publish("ch", "héllo") == 1
    assert p.get_message(timeout=5) == {
        "type": "message", "pattern": None, "channel": "ch", "data": "héllo"}
    p.close()


def test_handlers(r):
    received = []
    p = r.pubsub()
    p.subscribe(**{"my-channel": received.append})
    assert p.get_message(timeout=5)["type"] == "subscribe"
    assert r.publish("my-channel", "awesome data") == 1
    assert p.get_message(timeout=5) is None  # given to the handler
    assert received == [{"type": "message", "pattern": None, "channel": b"my-channel",
                         "data": b"awesome data"}]
    p.close()


def test_listen(r, server, protocol):
    p = r.pubsub(ignore_subscribe_messages=True)
    p.subscribe("L")
    other = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)

    def publish():
        # wait until the subscription is live, then publish and stop the listener
        deadline = time.monotonic() + 5
        while other.execute_command("PUBSUB", "NUMSUB", "L")[1] == 0:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        other.publish("L", "1")
        other.publish("L", "stop")

    t = threading.Thread(target=publish)
    t.start()
    got = []
    for message in p.listen():
        got.append(message["data"])
        if message["data"] == b"stop":
            p.unsubscribe()
    t.join()
    assert got == [b"1", b"stop"]
    p.close()


def test_run_in_thread(r):
    received = []
    done = threading.Event()

    def handler(message):
        received.append(message["data"])
        if len(received) == 3:
            done.set()

    p = r.pubsub()
    p.subscribe(**{"my-channel": handler})
    p.psubscribe(**{"pat-*": handler})
    thread = p.run_in_thread(sleep_time=0.001)
    deadline = time.monotonic() + 5
    while r.execute_command("PUBSUB", "NUMSUB", "my-channel")[1] == 0:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert r.publish("my-channel", "a") == 1
    assert r.publish("my-channel", "b") == 1
    assert r.publish("pat-x", "c") == 1
    assert done.wait(5)
    thread.stop()
    thread.join(5)
    assert not thread.is_alive()
    assert received == [b"a", b"b", b"c"]


def test_run_in_thread_needs_handlers(r):
    p = r.pubsub()
    p.subscribe("no-handler")
    with pytest.raises(oxredis.PubSubError, match="no handler"):
        p.run_in_thread()
    p.close()


def test_monitor(r, server, protocol):
    other = oxredis.Redis(host="127.0.0.1", port=server.port, db=5, protocol=protocol)
    with r.monitor() as m:
        other.set("monitored", "a b")
        while True:
            command = m.next_command(timeout=5)
            assert command is not None
            if command["command"].startswith("SET"):
                break
        _check_monitored_set(command)


def _check_monitored_set(command):
    """The MONITOR entry of ``SET monitored "a b"`` sent by a TCP client on db 5."""
    assert command["command"] == "SET monitored a b"
    assert command["db"] == 5
    assert command["client_type"] == "tcp"
    assert command["client_address"] == "127.0.0.1"
    assert command["client_port"].isdigit()
    assert isinstance(command["time"], float) and command["time"] > 1.6e9


def test_asyncio_monitor(server, protocol):
    import asyncio

    import oxredis.asyncio as aredis

    async def main():
        r = aredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
        other = aredis.Redis(host="127.0.0.1", port=server.port, db=5, protocol=protocol)
        async with r.monitor() as m:
            await other.set("monitored", "a b")
            async for command in m.listen():
                if command["command"].startswith("SET"):
                    break
            _check_monitored_set(command)
            await other.get("monitored")
            command = await asyncio.wait_for(m.next_command(), 5)
            assert command["command"] == "GET monitored"

    asyncio.run(main())


def _next(p, timeout=2.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = p.get_message(timeout=0.1)
        if m is not None:
            return m
    return None


def test_execute_command_sends_pubsub_commands(r, server, protocol):
    from oxredis.exceptions import DataError

    p = r.pubsub()
    p.execute_command("SUBSCRIBE", "a", "b")
    assert [_next(p)["channel"] for _ in range(2)] == [b"a", b"b"]
    p.execute_command(b"psubscribe", "n*")
    assert _next(p) == {"type": "psubscribe", "pattern": None, "channel": b"n*", "data": 3}
    assert r.publish("nx", "hello") == 1
    assert _next(p) == {"type": "pmessage", "pattern": b"n*", "channel": b"nx",
                        "data": b"hello"}
    p.execute_command("PING", "hi")
    assert _next(p) == {"type": "pong", "pattern": None, "channel": None, "data": b"hi"}
    p.execute_command("Unsubscribe", "a")
    assert _next(p) == {"type": "unsubscribe", "pattern": None, "channel": b"a", "data": 2}
    assert sorted(p.channels) == [b"b"]
    with pytest.raises(DataError, match="GET is not sent on a pub/sub connection"):
        p.execute_command("GET", "k")
    with pytest.raises(DataError, match="PING takes one message at the most"):
        p.execute_command("PING", "a", "b")
    with pytest.raises(DataError, match="needs a command"):
        p.execute_command()
    p.close()


def test_asyncio_execute_command_and_ping(server, protocol):
    import asyncio

    import oxredis.asyncio as aredis

    async def next_message(p):
        for _ in range(20):
            m = await p.get_message(timeout=0.1)
            if m is not None:
                return m
        return None

    async def main():
        r = aredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
        p = r.pubsub()
        await p.execute_command("SUBSCRIBE", "a")
        assert await next_message(p) == {"type": "subscribe", "pattern": None,
                                          "channel": b"a", "data": 1}
        await p.ping()
        assert await next_message(p) == {"type": "pong", "pattern": None, "channel": None,
                                          "data": b""}
        await p.ping("hello")
        assert (await next_message(p))["data"] == b"hello"
        await p.execute_command("PING", "again")
        assert (await next_message(p))["data"] == b"again"
        await p.execute_command("UNSUBSCRIBE")
        assert await next_message(p) == {"type": "unsubscribe", "pattern": None,
                                          "channel": b"a", "data": 0}
        assert p.subscribed is False
        await p.aclose()
        await r.aclose()

    asyncio.run(main())


async def _value(v):
    """``v``, awaited when it is awaitable: one test body drives both clients."""
    return await v if inspect.isawaitable(v) else v


def _ping_calls(r) -> int:
    return r.info("commandstats").get("cmdstat_ping", {}).get("calls", 0)


@pytest.mark.parametrize("flavour", ["blocking", "asyncio"])
def test_handle_message_and_check_health(server, protocol, flavour):
    import oxredis.asyncio as aredis

    plain = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
    kind = oxredis.Redis if flavour == "blocking" else aredis.Redis
    r = kind(host="127.0.0.1", port=server.port, protocol=protocol,
             health_check_interval=0.05)

    async def body():
        received = []
        p = r.pubsub()
        # handle_message takes a raw reply, as redis-py's does.
        assert await _value(p.handle_message([b"message", b"ch", b"data"])) == {
            "type": "message", "pattern": None, "channel": b"ch", "data": b"data"}
        assert await _value(p.handle_message([b"pmessage", b"c*", b"ch", b"d"])) == {
            "type": "pmessage", "pattern": b"c*", "channel": b"ch", "data": b"d"}
        assert await _value(p.handle_message(b"PONG")) == {
            "type": "pong", "pattern": None, "channel": None, "data": b""}
        assert await _value(p.handle_message([b"pong", b"hi"])) == {
            "type": "pong", "pattern": None, "channel": None, "data": b"hi"}
        confirmation = [b"subscribe", b"ch", 1]
        assert await _value(p.handle_message(confirmation)) == {
            "type": "subscribe", "pattern": None, "channel": b"ch", "data": 1}
        assert await _value(p.handle_message(confirmation, ignore_subscribe_messages=True)) \
            is None
        # A channel with a handler: the message goes to it.
        await _value(p.subscribe(**{"h": received.append}))
        assert (await _value(p.get_message(timeout=5)))["type"] == "subscribe"
        assert await _value(p.handle_message([b"message", b"h", b"x"])) is None
        assert received == [{"type": "message", "pattern": None, "channel": b"h", "data": b"x"}]
        # check_health on a connection idle past the interval: one PING, whose reply the next
        # read swallows (read within the next interval, so that read checks nothing).
        plain.config_resetstat()
        time.sleep(0.15)
        await _value(p.check_health())
        assert await _value(p.get_message(timeout=0.02)) is None
        assert _ping_calls(plain) == 1
        # An unsubscribe confirmation forgets the handler.
        await _value(p.unsubscribe("h"))
        assert (await _value(p.get_message(timeout=5)))["type"] == "unsubscribe"
        assert await _value(p.handle_message([b"message", b"h", b"y"])) is not None
        assert len(received) == 1
        await _value(p.aclose() if flavour == "asyncio" else p.close())
        if flavour == "asyncio":
            # asyncio's connect() opens the connection before anything is subscribed.
            fresh = r.pubsub()
            before = len(plain.client_list())
            await fresh.connect()
            assert len(plain.client_list()) == before + 1
            await fresh.connect()
            assert len(plain.client_list()) == before + 1
            await fresh.aclose()
            await r.aclose()

    asyncio.run(body())
    plain.close()
