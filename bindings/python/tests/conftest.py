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


class Server:
    """A redis-server process of our own."""

    def __init__(self):
        binary = os.environ.get("OXREDIS_SERVER_BIN") or shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server not found on PATH (set OXREDIS_SERVER_BIN)")
        self.dir = tempfile.mkdtemp(prefix="oxredis-py-")
        self.port = _free_port()
        self.unix_socket = os.path.join(self.dir, "redis.sock")
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.dir, "--unixsocket", self.unix_socket,
             "--unixsocketperm", "700", "--enable-debug-command", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
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
