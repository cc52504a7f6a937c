"""oxredis vs redis-py (with hiredis when installed): same process, same server, same CPU.

    python -m venv /tmp/bench && /tmp/bench/bin/pip install 'redis[hiredis]==8.1.*' maturin
    (cd bindings/python && /tmp/bench/bin/maturin build --release -o /tmp/wheels)
    /tmp/bench/bin/pip install /tmp/wheels/oxredis-*.whl
    taskset -c 1 /tmp/bench/bin/python bindings/python/bench/bench.py [--port 6379] [--rounds 5]

Without --port it starts its own redis-server (pinned with ``taskset -c 0`` when available) on
a free port. Cases: sequential GET, a pipeline of 10,000 SETs, LRANGE of a 10k-element list,
and 1,000 asyncio tasks x 100 GET (redis.asyncio with a BlockingConnectionPool of 100
connections, as its default pool of 100 raises with 1,000 tasks, vs oxredis.asyncio's one
multiplexed connection). Each case runs
``--rounds`` times per client, the clients interleaved round by round; the median round
counts. Prints seconds per case and the ratio redis-py / oxredis (> 1: oxredis is faster).
"""

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time

import redis
import redis.asyncio

import oxredis
import oxredis.asyncio


def start_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    d = tempfile.mkdtemp(prefix="oxredis-bench-")
    cmd = ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", d]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0"] + cmd
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


def seq_get(r, n):
    get = r.get
    for _ in range(n):
        get("bench:k")


def pipeline_set(r, n):
    p = r.pipeline(transaction=False)
    for i in range(n):
        p.set(f"bench:p{i}", i)
    result = p.execute()
    assert len(result) == n


def lrange(r, n):
    for _ in range(n):
        got = r.lrange("bench:list", 0, -1)
        assert len(got) == 10_000


def async_tasks(r, n):
    async def main():
        async def worker():
            for _ in range(100):
                await r.get("bench:k")
        await asyncio.gather(*(worker() for _ in range(n)))
    asyncio.run(main())


# name, function, count, whether the client is the asyncio one
CASES = [
    ("sequential GET x{n}", seq_get, 20_000, False),
    ("pipeline of {n} SETs", pipeline_set, 10_000, False),
    ("LRANGE of a 10k list x{n}", lrange, 50, False),
    ("{n} asyncio tasks x 100 GET", async_tasks, 1_000, True),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiplies the repeat counts (e.g. 0.01 for a smoke run)")
    args = ap.parse_args()
    proc = None
    port = args.port
    if port is None:
        proc, port = start_server()
    try:
        sync_clients = {"redis-py": redis.Redis(port=port), "oxredis": oxredis.Redis(port=port)}
        peer = sync_clients["redis-py"]
        peer.flushdb()
        peer.rpush("bench:list", *range(10_000))
        peer.set("bench:k", "v" * 16)
        try:
            import hiredis  # noqa: F401

            parser = f"hiredis {hiredis.__version__}"
        except ImportError:
            parser = "python parser"
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"redis-py {redis.__version__} ({parser}) vs oxredis {oxredis.__version__}; "
              f"{args.rounds} interleaved rounds, medians; load average {load}; "
              f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
        print(f"| case | redis-py (s) | oxredis (s) | ratio |")
        print(f"|---|---:|---:|---:|")
        bounds = []
        for name, fn, n, is_async in CASES:
            n = max(1, int(n * args.scale))
            name = name.format(n=n)
            times = {"redis-py": [], "oxredis": []}
            peer.config_resetstat()
            for _ in range(args.rounds):
                for label in ("redis-py", "oxredis"):
                    if is_async and label == "redis-py":
                        # redis.asyncio's default pool (100 connections) raises "Too many
                        # connections" with 1,000 tasks; its blocking pool makes them wait.
                        client = redis.asyncio.Redis(
                            connection_pool=redis.asyncio.BlockingConnectionPool(
                                port=port, max_connections=100, timeout=None))
                    elif is_async:
                        client = oxredis.asyncio.Redis(port=port)
                    else:
                        client = sync_clients[label]
                    t = time.perf_counter()
                    fn(client, n)
                    times[label].append(time.perf_counter() - t)
            med = {k: statistics.median(v) for k, v in times.items()}
            ratio = med["redis-py"] / med["oxredis"]
            print(f"| {name} | {med['redis-py']:.4f} | {med['oxredis']:.4f} | {ratio:.2f}x |",
                  flush=True)
            if fn is lrange:
                # The server's own time per LRANGE bounds every client: a client that took no
                # time at all would still wait this long per call.
                server_ms = peer.info("commandstats")["cmdstat_lrange"]["usec_per_call"] / 1000
                peer_ms = med["redis-py"] / n * 1000
                bounds.append(f"LRANGE: the server spends {server_ms:.3f} ms per call (INFO "
                              f"commandstats), redis-py {peer_ms:.3f} ms in all: no client can "
                              f"be more than {peer_ms / server_ms:.2f}x redis-py here")
        for line in bounds:
            print(line)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
