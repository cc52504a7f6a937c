"""Fixtures: a real redis-server (or ``$OXREDIS_SERVER_BIN``, e.g. Valkey) started for the
session on a free port and a unix socket, stopped at the end; clients on RESP2 and RESP3."""

import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

import oxredis


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_binary() -> str:
    binary = os.environ.get("OXREDIS_SERVER_BIN") or shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server not found on PATH (set OXREDIS_SERVER_BIN)")
    return binary


def _free_cluster_port() -> int:
    """A free port P whose cluster bus port P + 10000 is free too (so P <= 55535)."""
    for _ in range(1000):
        port = _free_port()
        if port > 55535:
            continue
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", port + 10000))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port pair for a cluster node")


class Server:
    """A redis-server process of our own; ``args`` are more command-line options (e.g.
    ``--requirepass``, ``--replicaof``); on ``port``, else a free one."""

    def __init__(self, args=(), port=None, binary=None, env=None):
        binary = binary or _server_binary()
        self.dir = tempfile.mkdtemp(prefix="oxredis-py-")
        self.port = port or _free_port()
        self.unix_socket = os.path.join(self.dir, "redis.sock")
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.dir, "--unixsocket", self.unix_socket,
             "--unixsocketperm", "700", "--enable-debug-command", "yes", *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=None if env is None else {**os.environ, **env},
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    # +PONG, or -NOAUTH from a server with a password: it is up.
                    if s.recv(16).startswith((b"+PONG", b"-NOAUTH")):
                        break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{binary} did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class SentinelTopology:
    """One primary, one replica and three sentinels (``<server binary> sentinel.conf
    --sentinel``) on free loopback ports: quorum 2, ``down-after-milliseconds`` 1000. The data
    servers require ``password``; the sentinels require none. The constructor returns once
    every sentinel sees the primary, a replica that is up, and the two other sentinels (about
    2.5 s)."""

    SERVICE = "mymaster"

    def __init__(self, password: str):
        self.password = password
        auth = ["--requirepass", password, "--masterauth", password,
                "--repl-diskless-sync-delay", "0"]
        self.primary = Server(auth)
        self.replica = Server(auth + ["--replicaof", "127.0.0.1", str(self.primary.port)])
        self.servers = {self.primary.port: self.primary, self.replica.port: self.replica}
        self.sentinel_dirs = []
        self.sentinel_procs = []
        self.sentinel_ports = []
        try:
            for _ in range(3):
                self._start_sentinel()
            self._wait_stable()
        except BaseException:
            self.stop()
            raise

    def _start_sentinel(self) -> None:
        path = tempfile.mkdtemp(prefix="oxredis-py-sentinel-")
        port = _free_port()
        svc = self.SERVICE
        with open(os.path.join(path, "sentinel.conf"), "w") as conf:
            conf.write(f"port {port}\nbind 127.0.0.1\ndaemonize no\ndir {path}\n"
                       f"sentinel monitor {svc} 127.0.0.1 {self.primary.port} 2\n"
                       f"sentinel down-after-milliseconds {svc} 1000\n"
                       f"sentinel failover-timeout {svc} 10000\n"
                       f"sentinel parallel-syncs {svc} 1\n"
                       f"sentinel auth-pass {svc} {self.password}\n")
        self.sentinel_dirs.append(path)
        self.sentinel_procs.append(subprocess.Popen(
            [_server_binary(), os.path.join(path, "sentinel.conf"), "--sentinel"], cwd=path,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        self.sentinel_ports.append(port)

    @property
    def sentinel_addrs(self) -> list:
        """The sentinels' ``(host, port)``."""
        return [("127.0.0.1", p) for p in self.sentinel_ports]

    def sentinel_client(self, i: int = 0) -> "oxredis.Redis":
        """A plain client of sentinel ``i`` (replies decoded)."""
        return oxredis.Redis(host="127.0.0.1", port=self.sentinel_ports[i], socket_timeout=2,
                             decode_responses=True)

    def _state(self, port: int) -> dict:
        try:
            # RESP2: the flat field/value lists parsed below.
            c = oxredis.Redis(host="127.0.0.1", port=port, socket_timeout=1,
                              decode_responses=True, protocol=2)
            master = c.execute_command("SENTINEL", "MASTER", self.SERVICE)
            replicas = c.execute_command("SENTINEL", "REPLICAS", self.SERVICE)
        except oxredis.RedisError:
            return {}
        state = dict(zip(master[::2], master[1::2]))
        state["replica flags"] = [dict(zip(r[::2], r[1::2])).get("flags") for r in replicas]
        return state

    def _wait_stable(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while True:
            states = [self._state(p) for p in self.sentinel_ports]
            if all(s.get("flags") == "master" and s.get("num-slaves") == "1"
                   and s.get("num-other-sentinels") == "2" and "slave" in s["replica flags"]
                   for s in states):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"sentinels not stable after {timeout} s: {states}")
            time.sleep(0.05)

    def master_ports(self) -> list:
        """The primary's port as each sentinel reports it (``None``: no answer)."""
        ports = []
        for i in range(len(self.sentinel_ports)):
            try:
                addr = self.sentinel_client(i).execute_command(
                    "SENTINEL", "GET-MASTER-ADDR-BY-NAME", self.SERVICE)
                ports.append(int(addr[1]) if addr else None)
            except oxredis.RedisError:
                ports.append(None)
        return ports

    def wait_for_switch(self, old_port: int, timeout: float = 15) -> int:
        """Waits until every sentinel reports a primary other than ``old_port``; returns it."""
        deadline = time.monotonic() + timeout
        while True:
            ports = self.master_ports()
            if ports[0] not in (None, old_port) and len(set(ports)) == 1:
                return ports[0]
            if time.monotonic() > deadline:
                raise RuntimeError(f"no switch from {old_port} within {timeout} s: {ports}")
            time.sleep(0.02)

    def data_client(self, port: int) -> "oxredis.Redis":
        """A plain client of the data server on ``port``."""
        return oxredis.Redis(host="127.0.0.1", port=port, password=self.password)

    def stop(self) -> None:
        for proc in self.sentinel_procs:
            proc.kill()
            proc.wait()
        for path in self.sentinel_dirs:
            shutil.rmtree(path, ignore_errors=True)
        for server in self.servers.values():
            server.stop()


@pytest.fixture(scope="session")
def server():
    s = Server()
    yield s
    s.stop()


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def protocol(request):
    return request.param


@pytest.fixture
def r(server, protocol):
    client = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture
def rd(server, protocol):
    """A client with decode_responses=True."""
    client = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol,
                           decode_responses=True)
    client.flushdb()
    yield client
    client.close()


# Slot ranges of the three primaries, as `redis-cli --cluster create` assigns them.
CLUSTER_RANGES = [(0, 5460), (5461, 10922), (10923, 16383)]


class ClusterServers:
    """A Redis Cluster of six servers of our own (3 primaries, each with one replica), formed
    by hand as crates/oxredis-test-support does: CLUSTER ADDSLOTSRANGE on the primaries, MEET,
    then REPLICATE; ready when every node says ``cluster_state:ok``, every replica's link is
    up and every node lists the same three shards with their replicas. ``extra_args`` go to
    every server (``--loadmodule``...)."""

    def __init__(self, extra_args=()):
        args = [*extra_args, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                "--cluster-node-timeout", "2000", "--repl-diskless-sync-delay", "0",
                # CLUSTER SLOTS lists a replica once its replication offset is above 0:
                # the primary's PING to its replicas (every 10 s by default) makes it so.
                "--repl-ping-replica-period", "1"]
        self.servers = []
        try:
            for _ in range(6):
                self.servers.append(Server(args, port=_free_cluster_port()))
            self.ports = [s.port for s in self.servers]
            self._form()
        except BaseException:
            self.stop()
            raise

    def node(self, port, protocol=2):
        """A standalone client of one node (RESP2 unless told)."""
        return oxredis.Redis(host="127.0.0.1", port=port, protocol=protocol)

    def cmd(self, port, *args):
        """Runs a command on one node, its reply as the server sends it."""
        with self.node(port) as r:
            return r.execute_command(*args)

    def _form(self):
        p = self.ports
        ids = [self.cmd(port, "CLUSTER", "MYID").decode() for port in p]
        for i, port in enumerate(p):
            self.cmd(port, "CLUSTER", "SET-CONFIG-EPOCH", i + 1)
        for port, (start, end) in zip(p, CLUSTER_RANGES):
            self.cmd(port, "CLUSTER", "ADDSLOTSRANGE", start, end)
        for port in p[1:]:
            self.cmd(p[0], "CLUSTER", "MEET", "127.0.0.1", port)
        for i, port in enumerate(p[3:]):
            # A replica can only REPLICATE a primary it knows.
            self._wait(lambda: ids[i].encode() in self.cmd(port, "CLUSTER", "NODES"),
                       "replicas know their primary")
            self.cmd(port, "CLUSTER", "REPLICATE", ids[i])
        self._wait(self._healthy, "every node ok with the same slot map and replicas")

    def shards(self, port=None):
        """``[(start, end, primary port, [replica ports])]`` of CLUSTER SLOTS, sorted."""
        slots = self.cmd(port or self.ports[0], "CLUSTER", "SLOTS")
        return sorted((s[0], s[1], s[2][1], sorted(r[1] for r in s[3:])) for s in slots)

    def _healthy(self):
        views = []
        for port in self.ports:
            if b"cluster_state:ok" not in self.cmd(port, "CLUSTER", "INFO"):
                self.why = f"{port}: cluster_state not ok"
                return False
            info = self.cmd(port, "INFO", "replication")
            if b"role:slave" in info and b"master_link_status:up" not in info:
                self.why = f"{port}: replica link down"
                return False
            views.append(self.shards(port))
        self.why = f"slot maps: {views}"
        return (all(v == views[0] for v in views)
                and len({primary for _, _, primary, _ in views[0]}) == 3
                and all(len(replicas) == 1 for *_, replicas in views[0]))

    def _wait(self, check, what, timeout=30.0):
        deadline = time.monotonic() + timeout
        self.why = ""
        while not check():
            if time.monotonic() > deadline:
                raise RuntimeError(f"cluster: {what} not reached within {timeout} s {self.why}")
            time.sleep(0.02)

    def primary_of(self, slot, via=None):
        """The port of the primary serving ``slot``, as the node on ``via`` (default: the
        first) sees it."""
        for start, end, primary, _ in self.shards(via):
            if start <= slot <= end:
                return primary
        raise LookupError(slot)

    def stop(self):
        for s in self.servers:
            s.stop()


@pytest.fixture(scope="session")
def cluster():
    c = ClusterServers()
    yield c
    c.stop()


# --- Redis Stack modules -------------------------------------------------------------------
# The libraries `scripts/ensure-modules.sh` fetches into the repository's .servers/ (CI's
# scripts/test.sh and scripts/python-test.sh run it first), or $OXREDIS_MODULES_DIR.
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def modules_dir() -> str:
    return os.environ.get("OXREDIS_MODULES_DIR") or os.path.join(
        REPO, ".servers", "redis-stack-0.1.8")


def _module_paths(*names) -> list:
    """The libraries' paths, or a visible skip naming what is missing."""
    folder = modules_dir()
    missing = [n for n in names if not os.path.isfile(os.path.join(folder, n))]
    if missing:
        pytest.skip(f"needs the Redis Stack module libraries {', '.join(missing)} in {folder} "
                    "(run scripts/ensure-modules.sh)")
    return [os.path.join(folder, n) for n in names]


def _loadmodule_args(paths) -> list:
    args = []
    for path in paths:
        args += ["--loadmodule", path]
    return args


def _valkey_binary() -> str:
    """Valkey 9.1 (RediSearch 2.10 loads only there): $OXREDIS_VALKEY_BIN,
    $OXREDIS_SERVER_BIN when it is Valkey, else scripts/ensure-valkey.sh's copy in .servers/."""
    for name in ("OXREDIS_VALKEY_BIN", "OXREDIS_SERVER_BIN"):
        binary = os.environ.get(name)
        if binary and (name == "OXREDIS_VALKEY_BIN" or "valkey" in binary):
            return binary
    servers = os.path.join(REPO, ".servers")
    found = sorted(
        os.path.join(servers, d, "valkey-server") for d in os.listdir(servers)
        if d.startswith("valkey-") and os.path.isfile(os.path.join(servers, d, "valkey-server"))
    ) if os.path.isdir(servers) else []
    if not found:
        pytest.skip(f"needs Valkey 9.1 in {servers} for RediSearch (run scripts/ensure-valkey.sh)")
    return found[-1]


@pytest.fixture(scope="session")
def json_bloom_server():
    """The test server (redis-server, or $OXREDIS_SERVER_BIN) with RedisJSON and RedisBloom."""
    s = Server(_loadmodule_args(_module_paths("rejson.so", "redisbloom.so")))
    yield s
    s.stop()


@pytest.fixture(scope="session")
def timeseries_server():
    """The test server with RedisTimeSeries, which needs libssl 1.1 (fetched into ssl1.1/ by
    ensure-modules.sh) on LD_LIBRARY_PATH."""
    (path,) = _module_paths("redistimeseries.so")
    ssl = os.path.join(modules_dir(), "ssl1.1")
    if not os.path.exists(os.path.join(ssl, "libssl.so.1.1")):
        pytest.skip(f"needs libssl 1.1 for redistimeseries.so in {ssl} "
                    "(run scripts/ensure-modules.sh)")
    s = Server(["--loadmodule", path], env={"LD_LIBRARY_PATH": ssl})
    yield s
    s.stop()


@pytest.fixture(scope="session")
def search_server():
    """Valkey 9.1 with RediSearch and RedisJSON (RediSearch 2.10 fails to start on
    redis-server 7.0.15)."""
    paths = _module_paths("rejson.so", "redisearch.so")
    s = Server(_loadmodule_args(paths), binary=_valkey_binary())
    yield s
    s.stop()


def _module_client(server, protocol, decode=False):
    client = oxredis.Redis(host="127.0.0.1", port=server.port, protocol=protocol,
                           decode_responses=decode)
    client.flushdb()
    return client


@pytest.fixture
def rm(json_bloom_server, protocol):
    """A client of the JSON + Bloom server (RESP2 and RESP3)."""
    client = _module_client(json_bloom_server, protocol)
    yield client
    client.close()


@pytest.fixture
def rmd(json_bloom_server, protocol):
    """As ``rm``, with decode_responses=True."""
    client = _module_client(json_bloom_server, protocol, decode=True)
    yield client
    client.close()


@pytest.fixture
def rts(timeseries_server, protocol):
    """A client of the TimeSeries server (RESP2 and RESP3)."""
    client = _module_client(timeseries_server, protocol)
    yield client
    client.close()


@pytest.fixture
def rs(search_server, protocol):
    """A client of the Search server (Valkey; RESP2 and RESP3), decode_responses=True."""
    client = _module_client(search_server, protocol, decode=True)
    yield client
    client.close()


@pytest.fixture(scope="session")
def json_bloom_cluster():
    """A 6-node cluster (as ``cluster``) whose servers load RedisJSON and RedisBloom."""
    c = ClusterServers(_loadmodule_args(_module_paths("rejson.so", "redisbloom.so")))
    yield c
    c.stop()
