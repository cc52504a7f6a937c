"""Repro of an open defect: under oxredis.asyncio, ~1 run in 10-40 of 200 tasks x 20 SET on one
client stalls: about 200 requests never complete (no reply, no error, not even after
socket_timeout), while a new command on the same client and a new client still work. Runs the
asyncio tests' sequence (commands, from_url) then that workload until it stalls, and prints what
it sees. Not yet known whether requests are lost in the Rust multiplexer or in the binding."""
import asyncio, sys, select, time, subprocess
sys.path.insert(0, __import__("os").path.join(__import__("os").path.dirname(__file__), "..", "tests"))
import oxredis.asyncio as aredis
import oxredis.asyncio.client as ac
subprocess.Popen(["redis-server","--port","16397","--save",""],stdout=subprocess.DEVNULL); time.sleep(0.5)
class S: port=16397
from test_asyncio import test_commands_share_the_blocking_definitions_and_shapes as t1, test_decode_responses_and_from_url as t2
async def many(protocol):
    r = aredis.Redis(host="127.0.0.1", port=16397, protocol=protocol)
    await r.flushdb()
    done=[0]
    async def worker(i):
        for j in range(20):
            await r.set(f"t{i}", j); done[0]+=1
        return await r.get(f"t{i}")
    try:
        await asyncio.wait_for(asyncio.gather(*(worker(i) for i in range(200))), 8)
    except asyncio.TimeoutError:
        c = r._completer
        print("HANG done", done[0], "completer (spawned, finished)", c.stats(), "fd readable", select.select([c.fileno()],[],[],0)[0], "loop has reader",
              asyncio.get_running_loop()._selector.get_map().get(c.fileno()))
        c.drain()
        await asyncio.sleep(0.5)
        print("after manual drain done", done[0])
        try:
            print("new command on the same client:", await asyncio.wait_for(r.ping(), 2))
        except Exception as e:
            print("new command on the same client failed:", type(e))
        r2 = aredis.Redis(host="127.0.0.1", port=16397, protocol=protocol)
        try:
            print("new client:", await asyncio.wait_for(r2.ping(), 2))
        except Exception as e:
            print("new client failed:", type(e))
        print("server clients:", subprocess.run(["redis-cli","-p","16397","client","list"],capture_output=True,text=True).stdout.count("\n"))
        await asyncio.sleep(12)
        print("after 12 s (socket_timeout 10 s) done", done[0])
        return False
    return True
for k in range(40):
    for proto in (2,3):
        t1(S, proto); t2(S, proto)
    for proto in (2,3):
        if not asyncio.run(many(proto)):
            print("iteration", k); sys.exit(1)
print("no hang")
