"""Connection, replication, module and administration methods of redis-py 8.1 (``auth``,
``select``, ``quit``, ``client_reply``, ``replicaof``/``slaveof``, ``migrate``, ``shutdown``,
``psync``/``sync``, ``module_*``, ``readonly``/``readwrite``, ``cluster``) against real
servers, each on RESP2 and RESP3. The commands that change or end the session of their
connection run on a ``single_connection_client`` and are refused (``DataError``) by the pooled
and asyncio clients; SHUTDOWN, MIGRATE, REPLICAOF, PSYNC and MODULE LOAD run against servers
started for the test."""

import asyncio
import time

import pytest

import oxredis
import oxredis.asyncio as aredis
from conftest import Server
from oxredis.exceptions import (
    AuthenticationError,
    DataError,
    ModuleError,
    RedisError,
    ResponseError,
    TimeoutError,
)


def _single(port, protocol, **kwargs):
    return oxredis.Redis(host="127.0.0.1", port=port, protocol=protocol,
                         single_connection_client=True, **kwargs)


@pytest.fixture
def spare():
    """A server of the test's own."""
    s = Server()
    yield s
    s.stop()


def test_session_commands_are_refused_on_pooled_clients(r):
    for call, name in ((lambda: r.select(1), "SELECT"), (lambda: r.auth("pw"), "AUTH"),
                       (lambda: r.auth("pw", "user"), "AUTH"), (r.quit, "QUIT"),
                       (lambda: r.client_reply("OFF"), "CLIENT REPLY OFF/SKIP"),
                       (lambda: r.client_reply("SKIP"), "CLIENT REPLY OFF/SKIP"),
                       (r.sync, "SYNC"), (lambda: r.psync("?", -1), "PSYNC")):
        with pytest.raises(DataError, match=f"{name} refused on a shared connection"):
            call()
    # Nothing was sent: the connections are as they were.
    assert r.set("k", "v") is True and r.get("k") == b"v"
    assert r.client_reply("ON") == b"OK"
    with pytest.raises(DataError, match=r"CLIENT REPLY must be one of \['ON', 'OFF', 'SKIP'\]"):
        r.client_reply("on")
    pipe = r.pipeline(transaction=False)
    pipe.select(1)
    with pytest.raises(DataError, match="SELECT refused"):
        pipe.execute()


def test_select_on_a_single_connection_client(server, protocol):
    r0 = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
    r1 = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol, db=1)
    r1.flushdb()
    s = _single(server.port, protocol)
    assert s.select(1) is True
    assert s.set("selected", "one") is True
    assert r1.get("selected") == b"one"
    assert r0.get("selected") is None
    assert s.select(0) is True
    assert s.get("selected") is None
    assert s.select(1) is True
    # close() does not give a connection whose database changed back to the pool: the next
    # command runs on a fresh connection, on the client's database (0).
    s.close()
    assert s.get("selected") is None
    assert s.execute_command("SELECT", 1) is True
    assert s.get("selected") == b"one"
    s.close()
    assert r1.delete("selected") == 1


def test_auth_on_a_single_connection_client(server, protocol):
    r = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol,
                      decode_responses=True)
    assert r.acl_setuser("oxauth", enabled=True, passwords=["+s3cret"], commands=["+@all"],
                         keys=["*"]) is True
    try:
        s = _single(server.port, protocol, decode_responses=True)
        assert s.acl_whoami() == "default"
        assert s.auth("s3cret", username="oxauth") is True
        assert s.acl_whoami() == "oxauth"
        with pytest.raises(AuthenticationError, match="invalid username-password pair"):
            s.auth("wrong", "oxauth")
        assert s.acl_whoami() == "oxauth"
        # AUTH without a user: the default user (which has no password here).
        with pytest.raises(AuthenticationError, match="without any password configured"):
            s.auth("anything")
        s.close()
        # A fresh connection: the default user again.
        assert s.acl_whoami() == "default"
        s.close()
    finally:
        r.acl_deluser("oxauth")


def test_quit_on_a_single_connection_client(server, protocol):
    s = _single(server.port, protocol)
    first = s.client_id()
    assert s.quit() is True
    # The server closed that connection: the next command runs on a new one.
    assert s.ping() is True
    assert s.client_id() != first
    s.close()


def test_client_reply_on_a_single_connection_client(server, protocol):
    s = _single(server.port, protocol, socket_timeout=0.3)
    assert s.client_reply("ON") == b"OK"
    # SKIP: no reply to it nor to the next command, so the call times out (redis-py's
    # documented behaviour); the connection is then replaced.
    with pytest.raises(TimeoutError):
        s.client_reply("SKIP")
    assert s.ping() is True
    assert s.execute_command("CLIENT", "REPLY", "ON") == b"OK"
    s.close()


def test_replicaof_and_slaveof(server, spare, protocol):
    c = oxredis.Redis(host="127.0.0.1", port=spare.port, protocol=protocol)
    src = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
    src.set("replicated", "yes")
    assert c.replicaof("127.0.0.1", server.port) == b"OK"
    deadline = time.monotonic() + 10
    while c.get("replicated") != b"yes":
        assert time.monotonic() < deadline, c.role()
        time.sleep(0.02)
    assert c.role()[0] == b"slave"
    assert c.slaveof() is True
    assert c.role()[0] == b"master"
    assert c.slaveof("127.0.0.1", server.port) is True
    assert c.role()[:3] == [b"slave", b"127.0.0.1", server.port]
    assert c.replicaof("NO", "ONE") == b"OK"
    assert c.role()[0] == b"master"
    assert c.execute_command("SLAVEOF", "NO", "ONE") is True
    src.delete("replicated")


def test_migrate(r, protocol):
    target = Server(["--requirepass", "pw"])
    try:
        t = oxredis.Redis(host="127.0.0.1", port=target.port, password="pw")
        r.set("m1", "a")
        r.rpush("m2", "x", "y")
        assert r.migrate("127.0.0.1", target.port, ["m1", "m2"], 0, 2000, auth="pw") == b"OK"
        assert r.exists("m1", "m2") == 0
        assert t.get("m1") == b"a" and t.lrange("m2", 0, -1) == [b"x", b"y"]
        # COPY keeps the key here; without REPLACE an existing key there is an error.
        r.set("m1", "b")
        with pytest.raises(ResponseError, match="BUSYKEY"):
            r.migrate("127.0.0.1", target.port, "m1", 0, 2000, copy=True, auth="pw")
        assert r.migrate("127.0.0.1", target.port, "m1", 0, 2000, copy=True, replace=True,
                         auth="pw") == b"OK"
        assert r.get("m1") == b"b" and t.get("m1") == b"b"
        # To another database there.
        assert r.migrate("127.0.0.1", target.port, ["m1"], 3, 2000, auth="pw") == b"OK"
        assert oxredis.Redis(host="127.0.0.1", port=target.port, password="pw",
                             db=3).get("m1") == b"b"
        assert r.migrate("127.0.0.1", target.port, ["missing"], 0, 2000,
                         auth="pw") == b"NOKEY"
        with pytest.raises(DataError, match="MIGRATE requires at least one key"):
            r.migrate("127.0.0.1", target.port, [], 0, 2000)
    finally:
        target.stop()


def test_shutdown(spare, protocol):
    c = oxredis.Redis(host="127.0.0.1", port=spare.port, protocol=protocol)
    with pytest.raises(DataError, match="SHUTDOWN save and nosave cannot both be set"):
        c.shutdown(save=True, nosave=True)
    # ABORT with no shutdown in progress: the server's error, as redis-py raises it.
    with pytest.raises(ResponseError, match="No shutdown in progress"):
        c.shutdown(abort=True)
    assert c.ping() is True
    # The server goes away: SHUTDOWN returns None (the ConnectionError is what it does).
    assert c.shutdown(nosave=True, now=True) is None
    assert spare.proc.wait(timeout=10) == 0


def test_shutdown_asyncio(spare, protocol):
    async def main():
        a = aredis.Redis(host="127.0.0.1", port=spare.port, protocol=protocol)
        with pytest.raises(ResponseError, match="No shutdown in progress"):
            await a.shutdown(abort=True)
        assert await a.shutdown(nosave=True) is None

    asyncio.run(main())
    assert spare.proc.wait(timeout=10) == 0


def test_psync_on_a_single_connection_client(spare, protocol):
    s = _single(spare.port, protocol, decode_responses=True)
    # The reply is bytes even when decoding (redis-py's NEVER_DECODE): FULLRESYNC, the
    # primary's replication id and offset; the RDB stream follows on that connection.
    reply = s.psync("?", -1)
    assert isinstance(reply, bytes)
    word, replid, offset = reply.split(b" ")
    assert word == b"FULLRESYNC" and len(replid) == 40 and int(offset) >= 0
    primary = oxredis.Redis(host="127.0.0.1", port=spare.port, decode_responses=True)
    assert primary.info("replication")["master_replid"] == replid.decode()
    # The connection carried the stream: it is not given back to the pool.
    s.close()
    assert s.ping() is True
    s.close()


def _module_list_expected(r):
    """The modules a server of ours has loaded: none for redis-server; Valkey 9 loads its Lua
    engine as a module."""
    if _valkey(r):
        return [{b"name": b"lua", b"ver": 1, b"path": b"lua", b"args": []}]
    return []


def test_module_list(r, rd):
    expected = _module_list_expected(r)
    assert r.module_list() == expected
    assert r.execute_command("MODULE LIST") == expected
    assert rd.module_list() == [{k.decode(): v.decode() if isinstance(v, bytes) else v
                                 for k, v in m.items()} for m in expected]
    assert r.pipeline().module_list().ping().execute() == [expected, True]


def test_module_load_unload_errors(protocol):
    # MODULE LOAD / UNLOAD are refused unless the server enables them.
    s = Server(["--enable-module-command", "yes"])
    try:
        c = oxredis.Redis(host="127.0.0.1", port=s.port, protocol=protocol)
        with pytest.raises(ModuleError, match="Error loading the extension"):
            c.module_load("/nonexistent/oxredis-module.so", "arg")
        with pytest.raises(ModuleError, match="Error loading the extension"):
            c.module_loadex("/nonexistent/oxredis-module.so", options=["a", "1"],
                            args=["x"])
        with pytest.raises(ModuleError, match="no such module with that name"):
            c.module_unload("oxredis-none")
        # The same errors from execute_command.
        with pytest.raises(ModuleError, match="Error loading the extension"):
            c.execute_command("MODULE LOAD", "/nonexistent/oxredis-module.so")
        assert c.module_list() == _module_list_expected(c)
    finally:
        s.stop()


def test_module_commands_need_the_server_setting(r):
    if _valkey(r):
        pytest.skip("Valkey allows MODULE LOAD from local connections by default")
    with pytest.raises(ResponseError, match="MODULE command not allowed"):
        r.module_load("/nonexistent/oxredis-module.so")


def _valkey(r):
    return "valkey_version" in r.info("server")


def test_readonly_readwrite_and_cluster_on_a_standalone_server(r):
    if _valkey(r):
        # Valkey accepts READONLY/READWRITE without cluster support.
        assert r.readonly() is True
        assert r.readwrite() is True
    else:
        with pytest.raises(ResponseError, match="cluster support disabled"):
            r.readonly()
        with pytest.raises(ResponseError, match="cluster support disabled"):
            r.readwrite()
    with pytest.raises(ResponseError, match="cluster support disabled"):
        r.cluster("info")
    if _valkey(r):
        assert r.cluster("keyslot", "foo") == 12182  # Valkey answers it without a cluster
    else:
        with pytest.raises(ResponseError, match="cluster support disabled"):
            r.cluster("keyslot", "foo")


def test_intentionally_not_implemented(r):
    # As redis-py: these raise rather than send.
    for name, call in (("HELLO", r.hello), ("FAILOVER", r.failover),
                       ("SCRIPT DEBUG", lambda: r.script_debug("YES")),
                       ("DEBUG SEGFAULT", r.debug_segfault)):
        with pytest.raises(NotImplementedError, match=f"{name} is intentionally not"):
            call()
    assert r.ping() is True


def test_session_commands_asyncio(server, protocol):
    async def main():
        a = aredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
        # One multiplexed connection shared by every task: refused as on a pooled client.
        for coro, name in ((a.select(1), "SELECT"), (a.auth("pw"), "AUTH"),
                           (a.quit(), "QUIT"), (a.client_reply("OFF"), "CLIENT REPLY"),
                           (a.psync("?", -1), "PSYNC")):
            with pytest.raises(DataError, match=f"{name}"):
                await coro
        assert await a.client_reply("ON") == b"OK"
        assert await a.module_list() == _module_list_expected(r)
        with pytest.raises(ResponseError, match="cluster support disabled"):
            await a.cluster("info")
        if _valkey(r):
            assert await a.readonly() is True
        else:
            with pytest.raises(ResponseError, match="cluster support disabled"):
                await a.readonly()
        with pytest.raises(NotImplementedError):
            a.hello()
        await a.aclose()

    r = oxredis.Redis(host="127.0.0.1", port=server.port)
    asyncio.run(main())
