"""oxredis vs redis-py (with hiredis when installed), same process, same server, same CPU.

    pip install ./bindings/python redis hiredis
    taskset -c 1 python bindings/python/bench/bench.py [--port 6379] [--rounds 5]

Without --port it starts its own redis-server (pinned with `taskset -c 0` when available) on a
free port. Each case runs `--rounds` times per client, alternating clients; the best round counts.
Prints seconds per case and the ratio redis-py / oxredis (> 1: oxredis is faster).
"""

import argparse
import os
import shutil
import socket
import subprocess
import tempfile
import time

import oxredis
import redis


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
    r.set("bench:k", "v" * 16)
    get = r.get
    for _ in range(n):
        get("bench:k")


def pipeline_set(r, n):
    p = r.pipeline(transaction=False)
    for i in range(n):
        p.set(f"bench:p{i}", i)
    p.execute()


def lrange(r, n):
    got = r.lrange("bench:list", 0, -1)
    assert len(got) == n


CASES = [
    ("sequential GET x{n}", seq_get, 20_000),
    ("pipeline of {n} SETs", pipeline_set, 10_000),
    ("LRANGE of a 10k list x{n}", lambda r, n: [lrange(r, 10_000) for _ in range(n)], 50),
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
        peer = redis.Redis(port=port)
        ours = oxredis.Redis(port=port)
        peer.flushdb()
        peer.rpush("bench:list", *range(10_000))
        try:
            import hiredis  # noqa: F401

            parser = "hiredis"
        except ImportError:
            parser = "python parser"
        print(f"redis-py {redis.__version__} ({parser}) vs oxredis {oxredis.__version__}, "
              f"pid {os.getpid()}")
        for name, fn, n in CASES:
            n = max(1, int(n * args.scale))
            name = name.format(n=n)
            best = {"redis-py": float("inf"), "oxredis": float("inf")}
            for _ in range(args.rounds):
                for label, client in (("redis-py", peer), ("oxredis", ours)):
                    t = time.perf_counter()
                    fn(client, n)
                    best[label] = min(best[label], time.perf_counter() - t)
            ratio = best["redis-py"] / best["oxredis"]
            print(f"{name:28s} redis-py {best['redis-py']:.4f} s  oxredis {best['oxredis']:.4f} s"
                  f"  ratio {ratio:.2f}x")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
