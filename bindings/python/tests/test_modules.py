"""The Redis Stack module commands (redis-py's ``redis.commands.json``, ``bf``,
``timeseries``, ``search``) against servers with the modules loaded (``conftest``:
``json_bloom_server``, ``timeseries_server``, ``search_server``; they skip visibly without the
libraries). Every value is checked on RESP2 and RESP3: the same Python values on both, redis-py's
RESP2 ones."""

import asyncio
import json
import math
import os

import pytest

import oxredis
import oxredis.asyncio as aredis
from oxredis.commands.bf import BFInfo, CFInfo, CMSInfo, TDigestInfo, TopKInfo
from oxredis.commands.json.path import Path
from oxredis.commands.timeseries import TSInfo, _n_range, _range_lists
from oxredis.exceptions import DataError, ResponseError

DOC = {"a": 1, "b": [1, 2], "s": "hi", "t": True, "o": {"x": 1.5}, "n": None}


# --- JSON --------------------------------------------------------------------------------
def test_json_set_and_get_with_paths(rm):
    j = rm.json()
    assert j.set("doc", Path.root_path(), DOC) is True
    assert j.set("doc", "$", {}, nx=True) is None
    assert j.set("new", "$", 1, xx=True) is None
    assert j.get("doc") == DOC
    assert j.get("doc", "$.a") == [1]
    assert j.get("doc", ".a") == 1
    assert j.get("doc", Path(".o")) == {"x": 1.5}
    assert j.get("doc", "$.a", "$.s") == {"$.a": [1], "$.s": ["hi"]}
    assert j.get("missing") is None
    assert j.set("doc", ".q", "x") is True
    assert j.get("doc", ".q") == "x"
    assert j.set("u", "$", "é") is True
    assert j.get("u", no_escape=True) == "é"
    assert rm.execute_command("JSON.GET", "doc", "$.a") == b"[1]"
    with pytest.raises(Exception, match="mutually exclusive"):
        j.set("doc", "$", 1, nx=True, xx=True)


def test_json_mget_mset_merge_and_delete(rm):
    j = rm.json()
    assert j.mset([("d1", "$", {"a": 1}), ("d2", "$", {"a": 2, "b": "x"})]) is True
    assert j.mget(["d1", "d2", "nokey"], "$.a") == [[1], [2], None]
    assert j.mget(["d1", "nokey"], ".a") == [1, None]
    assert j.merge("d2", "$", {"a": None, "c": [3]}) is True
    assert j.get("d2") == {"b": "x", "c": [3]}
    assert j.delete("d2", "$.b") == 1
    assert j.forget("d2", "$.nothing") == 0
    assert j.get("d2") == {"c": [3]}
    assert j.delete("d1") == 1
    assert j.delete("d1") == 0
    assert rm.exists("d1") == 0


def test_json_arrays(rm):
    j = rm.json()
    j.set("doc", "$", DOC)
    assert j.arrappend("doc", "$.b", 3, 4) == [4]
    assert j.arrappend("doc", ".b", 5) == 5
    assert j.arrlen("doc", "$.b") == [5]
    assert j.arrlen("doc", ".b") == 5
    assert j.arrindex("doc", "$.b", 3) == [2]
    assert j.arrindex("doc", "$.b", 9) == [-1]
    assert j.arrinsert("doc", "$.b", 0, "z") == [6]
    assert j.get("doc", ".b") == ["z", 1, 2, 3, 4, 5]
    # A `$` path's popped elements come back as their JSON text, as redis-py gives them.
    assert j.arrpop("doc", "$.b") == ["5"]
    assert j.arrpop("doc", ".b", 0) == "z"
    assert j.arrtrim("doc", "$.b", 0, 1) == [2]
    assert j.get("doc", "$.b") == [[1, 2]]
    assert j.arrappend("doc", "$.nope", 1) == []


def test_json_numbers_strings_objects_and_types(rm):
    j = rm.json()
    j.set("doc", "$", DOC)
    assert j.numincrby("doc", "$.a", 2) == [3]
    assert j.numincrby("doc", ".a", 2) == 5
    assert j.numincrby("doc", ".o.x", 1) == 2.5
    with pytest.warns(DeprecationWarning):
        assert j.nummultby("doc", "$.a", 2) == [10]
    assert j.objkeys("doc") == ["a", "b", "s", "t", "o", "n"]
    assert j.objkeys("doc", "$.o") == [[b"x"]]
    assert j.objlen("doc") == 6
    assert j.objlen("doc", "$.o") == [1]
    assert j.strappend("doc", "!", "$.s") == [3]
    assert j.strappend("doc", "?", ".s") == 4
    assert j.strlen("doc", "$.s") == [4]
    assert j.strlen("doc", ".s") == 4
    assert j.type("doc") == b"object"
    assert j.type("doc", "$.a") == [b"integer"]
    assert j.type("doc", ".s") == b"string"
    assert j.type("nokey") is None
    assert j.toggle("doc", "$.t") == [0]
    assert j.toggle("doc", ".t") is True
    assert j.clear("doc", "$.b") == 1
    assert j.get("doc", ".b") == []
    assert j.debug("MEMORY", "doc", "$") == [j.debug("MEMORY", "doc")]
    assert isinstance(j.debug("MEMORY", "doc"), int)
    with pytest.raises(DataError):
        j.debug("NOPE")
    assert j.clear("doc") == 1
    assert j.get("doc") == {}


def test_json_resp(rm):
    j = rm.json()
    j.set("doc", "$", {"a": 10, "l": [1, 2], "o": {"x": 2.5}, "t": True, "n": None})
    # Nested arrays keep their strings as sent; a non-integer number is its text (RESP3's
    # double is read as RESP2 would send it).
    assert j.resp("doc") == ["{", "a", 10, "l", [b"[", 1, 2], "o", [b"{", b"x", b"2.5"],
                             "t", "true", "n", None]
    assert j.resp("doc", "$.o") == [[b"{", b"x", b"2.5"]]


def test_json_decode_responses_and_custom_codec(rmd):
    j = rmd.json()
    j.set("doc", "$", DOC)
    assert j.get("doc") == DOC
    assert j.type("doc", "$.s") == ["string"]
    assert j.objkeys("doc", "$.o") == [["x"]]
    assert j.arrpop("doc", "$.b") == ["2"]

    class Upper(json.JSONEncoder):
        def encode(self, o):
            return super().encode(o.upper() if isinstance(o, str) else o)

    class Wrapped(json.JSONDecoder):
        def decode(self, s):
            return ("decoded", super().decode(s))

    c = rmd.json(encoder=Upper(), decoder=Wrapped())
    assert c.set("k", "$", "abc") is True
    assert c.get("k") == ("decoded", "ABC")


def test_json_errors(rm):
    j = rm.json()
    rm.set("str", "x")
    with pytest.raises(ResponseError, match="Existing key has wrong Redis type"):
        j.get("str")
    j.set("doc", "$", DOC)
    with pytest.raises(ResponseError, match="Path '.s' does not exist or not an array"):
        j.arrappend("doc", ".s", 1)
    # A path whose parent is missing sets nothing: None, as for NX/XX.
    assert j.set("doc", ".a.b.c", 1) is None


def test_json_pipelines(rm):
    j = rm.json()
    pipe = j.pipeline()
    # The JSON commands win over the core ones of the same name; the others are there too.
    assert pipe.set("p", "$", [1]).get("p").arrappend("p", "$", 2).incr("n") is pipe
    assert pipe.execute() == [True, [1], [2], 1]
    with rm.pipeline(transaction=False) as plain:
        plain.json().set("q", "$", {"v": 1})
        plain.json().numincrby("q", ".v", 1)
        plain.json().type("q", ".v")
        plain.get("n")
        assert plain.execute() == [True, 2, b"integer", b"1"]


def test_json_set_file_and_set_path(rm, json_bloom_server, protocol, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "one.json").write_text('{"a": 1}')
    (tmp_path / "sub" / "two.json").write_text("[1, 2]")
    (tmp_path / "bad.json").write_text("not json")
    j = rm.json()
    assert j.set_file("f", "$", str(tmp_path / "one.json")) is True
    assert j.get("f") == {"a": 1}
    base = str(tmp_path)
    # Each file under its path without the extension; a file that is not JSON: False.
    assert j.set_path("$", base) == {f"{base}/one.json": True, f"{base}/sub/two.json": True,
                                     f"{base}/bad.json": False}
    assert j.get(f"{base}/one") == {"a": 1}
    assert j.get(f"{base}/sub/two") == [1, 2]

    async def main():
        r = aredis.Redis(host="127.0.0.1", port=json_bloom_server.port, protocol=protocol)
        assert await r.json().set_file("af", "$", str(tmp_path / "one.json")) is True
        assert await r.json().set_path("$", str(tmp_path / "sub")) == {
            f"{base}/sub/two.json": True}
        assert await r.json().get("af") == {"a": 1}
        await r.aclose()

    asyncio.run(main())


def test_json_asyncio(json_bloom_server, protocol):
    async def main():
        r = aredis.Redis(host="127.0.0.1", port=json_bloom_server.port, protocol=protocol)
        j = r.json()
        assert await j.set("doc", "$", DOC) is True
        assert await j.get("doc", ".o") == {"x": 1.5}
        assert await j.numincrby("doc", ".a", 1) == 2
        assert await j.type("doc", ".a") == b"integer"
        async with r.pipeline() as pipe:
            pipe.json().arrappend("doc", ".b", 3)
            pipe.json().get("doc", "$.b")
            assert await pipe.execute() == [3, [[1, 2, 3]]]
        await r.delete("doc")
        await r.aclose()

    asyncio.run(main())


# --- Bloom family ------------------------------------------------------------------------
def test_bloom_filter(rm):
    bf = rm.bf()
    assert bf.create("b", 0.01, 1000) is True
    assert bf.reserve("b2", 0.01, 1000, expansion=4, noScale=None) is True
    assert bf.add("b", "x") == 1
    assert bf.add("b", "x") == 0
    assert bf.madd("b", "y", "z", "x") == [1, 1, 0]
    assert bf.insert("b3", ["a", "b"], capacity=100, error=0.01) == [1, 1]
    assert bf.exists("b", "x") == 1
    assert bf.exists("b", "nope") == 0
    assert bf.mexists("b", "x", "nope") == [1, 0]
    assert bf.card("b") == 3
    info = bf.info("b")
    assert isinstance(info, BFInfo)
    assert (info.capacity, info.size, info.filterNum, info.insertedNum, info.expansionRate) == (
        1000, 1480, 1, 3, 2)
    assert info["capacity"] == 1000 and info.get("nope") is None
    # SCANDUMP / LOADCHUNK round trip.
    chunks, it = [], 0
    while True:
        it, data = bf.scandump("b", it)
        if it == 0:
            break
        assert isinstance(data, bytes)
        chunks.append((it, data))
    for it, data in chunks:
        assert bf.loadchunk("copy", it, data) == b"OK"
    assert bf.mexists("copy", "x", "y", "nope") == [1, 1, 0]


def test_bloom_filter_errors(rm):
    bf = rm.bf()
    with pytest.raises(ResponseError, match="not found"):
        bf.insert("nokey", ["a"], noCreate=True)
    rm.set("s", "x")
    with pytest.raises(ResponseError, match="WRONGTYPE"):
        bf.add("s", "x")


def test_cuckoo_filter(rm):
    cf = rm.cf()
    assert cf.create("c", 1000) is True
    assert cf.reserve("c2", 1000, expansion=2, bucket_size=4, max_iterations=10) is True
    assert cf.add("c", "x") == 1
    assert cf.addnx("c", "x") == 0
    assert cf.insert("c", ["y", "z"]) == [1, 1]
    assert cf.insertnx("c", ["y", "w"]) == [0, 1]
    assert cf.exists("c", "x") == 1
    assert cf.mexists("c", "x", "nope") == [1, 0]
    assert cf.count("c", "x") == 1
    assert cf.delete("c", "x") == 1
    assert cf.exists("c", "x") == 0
    info = cf.info("c")
    assert isinstance(info, CFInfo)
    assert vars(info) == {"size": 1080, "bucketNum": 512, "filterNum": 1, "insertedNum": 3,
                          "deletedNum": 1, "bucketSize": 2, "expansionRate": 1,
                          "maxIteration": 20}
    assert cf.info("c2").bucketSize == 4


def test_count_min_sketch(rm):
    cms = rm.cms()
    assert cms.initbydim("m", 2000, 5) is True
    assert cms.initbyprob("m2", 0.001, 0.01) is True
    assert cms.incrby("m", ["a", "b"], [3, 5]) == [3, 5]
    assert cms.query("m", "a", "b", "c") == [3, 5, 0]
    assert cms.initbydim("m3", 2000, 5) is True
    assert cms.merge("m3", 1, ["m"]) is True
    assert cms.merge("m3", 2, ["m", "m"], weights=[1, 2]) is True
    assert cms.query("m3", "a") == [9]  # MERGE replaces: 1 * 3 + 2 * 3
    info = cms.info("m")
    assert isinstance(info, CMSInfo)
    assert (info.width, info.depth, info.count) == (2000, 5, 8)
    assert info["count"] == 8


def test_topk(rm):
    topk = rm.topk()
    assert topk.reserve("t", 2, 50, 4, 0.9) is True
    assert topk.add("t", "a", "b", "a", "c", "c", "c") == [None, None, None, "b", None, None]
    assert topk.incrby("t", ["a", "d"], [5, 1]) == [None, None]
    assert topk.query("t", "a", "b", "c") == [1, 0, 1]
    assert topk.list("t") == ["a", "c"]
    assert topk.list("t", withcount=True) == ["a", 7, "c", 3]
    with pytest.warns(DeprecationWarning):
        assert topk.count("t", "a", "c") == [7, 3]
    info = topk.info("t")
    assert isinstance(info, TopKInfo)
    assert (info.k, info.width, info.depth) == (2, 50, 4)
    # The decay is RESP2's text: redis-server writes %.17g (and RESP3's double is written
    # back so); Valkey's RESP2 writes the shortest form.
    assert info.decay == b"0.90000000000000002" or (
        "valkey" in (os.environ.get("OXREDIS_SERVER_BIN") or "") and rm.get_protocol() == 2
        and info.decay == b"0.9")


def test_tdigest(rm):
    td = rm.tdigest()
    assert td.create("d", 100) is True
    assert td.add("d", [1, 2, 3, 4, 5]) == b"OK"
    assert td.min("d") == 1.0
    assert td.max("d") == 5.0
    assert td.quantile("d", 0.5, 1.0) == [3, 5]
    assert td.cdf("d", 3, 10) == [0.5, 1]
    assert td.trimmed_mean("d", 0.1, 0.9) == 3.0
    assert td.rank("d", 3, 0) == [2, -1]
    assert td.revrank("d", 3) == [2]
    assert td.byrank("d", 0, 4, 100) == [1, 5, math.inf]
    assert td.byrevrank("d", 0) == [5]
    info = td.info("d")
    assert isinstance(info, TDigestInfo)
    assert (info.compression, info.capacity, info.merged_nodes, info.unmerged_nodes,
            info.merged_weight, info.unmerged_weight, info.total_compressions) == (
        100, 610, 5, 0, 5, 0, 1)
    assert td.merge("d2", 1, "d", compression=50) == b"OK"
    assert td.info("d2").compression == 50
    assert td.merge("d2", 1, "d", override=True) == b"OK"
    assert td.max("d2") == 5.0
    assert td.reset("d") == b"OK"
    assert math.isnan(td.min("d"))
    assert td.quantile("d", 0.5) == ["nan"]


def test_bloom_family_in_pipelines_and_asyncio(rm, json_bloom_server, protocol):
    with rm.pipeline() as pipe:
        pipe.bf().add("pb", "q")
        pipe.bf().exists("pb", "q")
        pipe.cms().initbydim("pm", 100, 2)
        pipe.topk().reserve("pt", 1, 10, 2, 0.5)
        pipe.topk().list("pt")
        pipe.tdigest().create("pd")
        pipe.tdigest().add("pd", [1.5])
        pipe.tdigest().max("pd")
        results = pipe.execute()
    assert results == [1, 1, True, True, [], True, b"OK", 1.5]

    async def main():
        r = aredis.Redis(host="127.0.0.1", port=json_bloom_server.port, protocol=protocol)
        assert await r.bf().add("ab", "x") == 1
        assert await r.bf().mexists("ab", "x", "y") == [1, 0]
        assert (await r.bf().info("ab")).insertedNum == 1
        assert await r.cf().add("ac", "x") == 1
        await r.aclose()

    asyncio.run(main())



def test_json_and_bloom_on_a_cluster(json_bloom_cluster, protocol):
    rc = oxredis.RedisCluster(host="127.0.0.1", port=json_bloom_cluster.ports[0],
                              protocol=protocol)
    rc.flushall(target_nodes=oxredis.RedisCluster.PRIMARIES)
    j = rc.json()
    keys = ["a", "b", "c", "d", "e"]  # in the three primaries' slots
    assert len({json_bloom_cluster.primary_of(rc.keyslot(k)) for k in keys}) == 3
    for k in keys:
        assert j.set(k, "$", {"k": k, "n": 1}) is True
    assert [j.get(k, ".k") for k in keys] == keys
    assert [j.numincrby(k, ".n", 1) for k in keys] == [2] * 5
    assert j.type("c", "$.n") == [b"integer"]
    assert j.mget(["{t}1", "{t}2"], "$") == [None, None]
    assert j.mset([("{t}1", "$", 1), ("{t}2", "$", [2])]) is True
    assert j.mget(["{t}1", "{t}2"], "$") == [[1], [[2]]]
    assert rc.bf().add("bfk", "x") == 1
    assert rc.bf().info("bfk").insertedNum == 1
    assert rc.topk().reserve("tk", 1, 10, 2, 0.5) is True
    with rc.pipeline() as pipe:
        pipe.json().get("a", ".k")
        pipe.bf().exists("bfk", "x")
        pipe.json().arrappend("{t}2", "$", 3)
        assert pipe.execute() == ["a", 1, [2]]
    rc.close()

# --- TimeSeries --------------------------------------------------------------------------
def _series(rts):
    ts = rts.ts()
    assert ts.create("a", retention_msecs=0, labels={"sensor": "1", "area": "n"},
                     duplicate_policy="last") is True
    assert ts.create("b", labels={"sensor": "2"}) is True
    assert ts.create("agg") is True
    assert ts.createrule("a", "agg", "sum", 10) is True
    assert ts.alter("b", labels={"sensor": "2", "area": "s"}) is True
    assert ts.add("a", 1, 1.5) == 1
    assert ts.add("a", 2, 3) == 2
    assert ts.add("a", 12, 4.25) == 12
    assert ts.madd([("a", 13, 1), ("b", 1, 2), ("b", 5, 3)]) == [13, 1, 5]
    return ts


def test_timeseries_samples_and_ranges(rts):
    ts = _series(rts)
    assert ts.incrby("c", 5, timestamp=10) == 10
    assert ts.decrby("c", 2, timestamp=11) == 11
    assert ts.get("c") == (11, 3.0)
    assert ts.get("a") == (13, 1.0)
    assert ts.get("agg") == (0, 4.5)
    assert ts.range("a", "-", "+") == [(1, 1.5), (2, 3.0), (12, 4.25), (13, 1.0)]
    assert ts.range("a", 0, 100, aggregation_type="avg", bucket_size_msec=10) == [
        (0, 2.25), (10, 2.625)]
    assert ts.range("a", "-", "+", filter_by_min_value=2, filter_by_max_value=5) == [
        (2, 3.0), (12, 4.25)]
    assert ts.range("a", "-", "+", filter_by_ts=[1, 13]) == [(1, 1.5), (13, 1.0)]
    assert ts.revrange("a", "-", "+", count=2) == [(13, 1.0), (12, 4.25)]
    assert ts.add("a", 13, 7, on_duplicate="max") == 13
    assert ts.get("a") == (13, 7.0)
    assert ts.delete("a", 0, 1) == 1
    assert ts.range("a", 0, 2) == [(2, 3.0)]
    assert ts.deleterule("a", "agg") is True
    with pytest.raises(ResponseError, match="invalid timestamp"):
        ts.add("nokey", "x", 1)


def test_timeseries_multi_key_and_info(rts):
    ts = _series(rts)
    assert ts.mget(["sensor=1"]) == [{"a": [{}, 13, 1.0]}]
    assert ts.mget(["sensor=(1,2)"], with_labels=True) == [
        {"a": [{"sensor": "1", "area": "n"}, 13, 1.0]},
        {"b": [{"sensor": "2", "area": "s"}, 5, 3.0]}]
    assert ts.mrange("-", "+", ["sensor=(1,2)"]) == [
        {"a": [{}, [(1, 1.5), (2, 3.0), (12, 4.25), (13, 1.0)]]},
        {"b": [{}, [(1, 2.0), (5, 3.0)]]}]
    assert ts.mrange("-", "+", ["sensor=1"], with_labels=True) == [
        {"a": [{"sensor": "1", "area": "n"}, [(1, 1.5), (2, 3.0), (12, 4.25), (13, 1.0)]]}]
    assert ts.mrange("-", "+", ["sensor=(1,2)"], select_labels=["area"],
                     aggregation_type="max", bucket_size_msec=100) == [
        {"a": [{"area": "n"}, [(0, 4.25)]]}, {"b": [{"area": "s"}, [(0, 3.0)]]}]
    assert ts.mrevrange("-", "+", ["sensor=2"], count=1) == [{"b": [{}, [(5, 3.0)]]}]
    assert ts.queryindex(["sensor=(1,2)"]) == ["a", "b"]
    info = ts.info("a")
    assert isinstance(info, TSInfo)
    assert info.rules == [[b"agg", 10, b"SUM", 0]]
    assert info.labels == {"sensor": "1", "area": "n"}
    assert (info.source_key, info.chunk_count, info.total_samples, info.retention_msecs,
            info.first_timestamp, info.last_timestamp, info.chunk_size,
            info.duplicate_policy) == (None, 1, 4, 0, 1, 13, 4096, "last")
    assert info["totalSamples"] == 4 and info.get("nope") is None
    assert ts.info("agg").source_key == b"a"
    assert ts.info("b").duplicate_policy is None
    with pytest.raises(DataError):
        ts.mrange("-", "+", ["sensor=1"], with_labels=True, select_labels=["x"])


# --- Search (Valkey 9.1 with RediSearch 2.10) --------------------------------------------
from oxredis.commands.search import aggregation, reducers  # noqa: E402
from oxredis.commands.search.aggregation import AggregateRequest, Asc, Desc  # noqa: E402
from oxredis.commands.search.field import NumericField, TagField, TextField  # noqa: E402
from oxredis.commands.search.index_definition import IndexDefinition, IndexType  # noqa: E402
from oxredis.commands.search.query import NumericFilter, Query  # noqa: E402
from oxredis.commands.search.result import Result  # noqa: E402
from oxredis.commands.search.suggestion import Suggestion  # noqa: E402


def _docs(result):
    return [vars(d) for d in result.docs]


def _index(r, name="idx"):
    ft = r.ft(name)
    ok = ft.create_index(
        [TextField("title", weight=5.0), TextField("body"), NumericField("price", sortable=True),
         TagField("tags")],
        definition=IndexDefinition(prefix=["doc:"], index_type=IndexType.HASH))
    assert ok in (b"OK", "OK")
    r.hset("doc:1", mapping={"title": "hello world", "body": "lorem ipsum", "price": 10,
                             "tags": "a,b"})
    r.hset("doc:2", mapping={"title": "hello there", "body": "dolor sit", "price": 20,
                             "tags": "b"})
    r.hset("doc:3", mapping={"title": "goodbye", "body": "amet world", "price": 30,
                             "tags": "c"})
    return ft


def test_search_queries(rs):
    rs.flushall()
    ft = _index(rs)
    res = ft.search("hello")
    assert isinstance(res, Result)
    assert res.total == 2
    assert _docs(res) == [
        {"id": "doc:1", "payload": None, "title": "hello world", "body": "lorem ipsum",
         "price": "10", "tags": "a,b"},
        {"id": "doc:2", "payload": None, "title": "hello there", "body": "dolor sit",
         "price": "20", "tags": "b"}]
    assert res.docs[0].title == "hello world" and res.docs[0]["price"] == "10"
    res = ft.search(Query("hello").sort_by("price", asc=False).return_fields("title", "price"))
    assert _docs(res) == [
        {"id": "doc:2", "payload": None, "price": "20", "title": "hello there"},
        {"id": "doc:1", "payload": None, "price": "10", "title": "hello world"}]
    res = ft.search(Query("world").no_content().sort_by("price"))
    assert (res.total, _docs(res)) == (2, [{"id": "doc:1", "payload": None},
                                           {"id": "doc:3", "payload": None}])
    res = ft.search(Query("@tags:{b}").with_scores().return_field("price").sort_by("price"))
    assert [(d.id, d.price, type(d.score)) for d in res.docs] == [
        ("doc:1", "10", float), ("doc:2", "20", float)]
    res = ft.search(Query("*").add_filter(NumericFilter("price", 15, 40)).sort_by("price")
                    .paging(0, 1))
    assert (res.total, [d.id for d in res.docs]) == (2, ["doc:2"])
    res = ft.search(Query("@price:[$lo $hi]").sort_by("price").return_fields("price"),
                    query_params={"lo": 5, "hi": 25})
    assert [(d.id, d.price) for d in res.docs] == [("doc:1", "10"), ("doc:2", "20")]
    res = ft.search(Query("hello").return_field("title", decode_field=False).sort_by("price"))
    assert [d.title for d in res.docs] == [b"hello world", b"hello there"]
    assert ft.search("nothingmatches").total == 0
    assert "hello" in ft.explain("hello")
    with pytest.raises(ResponseError):
        rs.ft("nope").search("x")


def test_search_aggregate(rs):
    rs.flushall()
    ft = _index(rs)
    res = ft.aggregate(AggregateRequest("*").group_by("@tags", reducers.count().alias("n"))
                       .sort_by(Asc("@tags")))
    assert isinstance(res, aggregation.AggregateResult)
    assert res.rows == [["tags", "a,b", "n", "1"], ["tags", "b", "n", "1"],
                        ["tags", "c", "n", "1"]]
    assert (res.cursor, res.total) == (None, 3)
    res = ft.aggregate(AggregateRequest("*").load("@price").apply(double="@price*2")
                       .sort_by(Desc("@double")).limit(0, 2))
    assert res.rows == [["price", "30", "double", "60"], ["price", "20", "double", "40"]]
    res = ft.aggregate(AggregateRequest("*").group_by(
        [], reducers.sum("@price").alias("total"), reducers.avg("@price").alias("avg"),
        reducers.max("@price").alias(aggregation.FIELDNAME)))
    assert res.rows == [["total", "60", "avg", "20", "price", "30"]]
    res = ft.aggregate(AggregateRequest("*").load("@price").sort_by(Asc("@price"))
                       .cursor(count=2))
    assert res.rows == [["price", "10"], ["price", "20"]]
    assert res.cursor.cid != 0
    res = ft.aggregate(res.cursor)
    assert (res.rows, res.cursor.cid) == ([["price", "30"]], 0)  # 0: exhausted


def test_search_querystring(rs):
    from oxredis.commands.search import querystring as qs

    # The texts redis-py 8.1's builders write for the same calls.
    assert qs.querystring("hello", price=qs.between(10, 20), tags=qs.tags("a", "b")) == (
        "(hello @price:[10 20] @tags:{a | b})")
    assert qs.querystring("hello") == "hello"
    assert qs.querystring(name=("bob", "john")) == "@name:(bob john)"
    assert str(qs.union(name=("bob", "john"))) == "@name:(bob|john)"
    assert str(qs.disjunct_union(country=("il", "jp", "us"))) == "-@country:(il|jp|us)"
    assert str(qs.disjunct(qs.union("x", "y"), "z")) == "(-(x|y) z)"
    assert str(qs.disjunct("z")) == "-z"
    assert (str(qs.OptionalNode("a", "b")), str(qs.OptionalNode("a"))) == ("(~a b)", "~a")
    assert qs.querystring(n=qs.lt(5), m=qs.ge(3), k=qs.gt(1.5), j=qs.le(2), e=qs.equal(7)) == (
        "(@n:[-inf (5] @m:[3 inf] @k:[(1.5 inf] @j:[-inf 2] @e:[7 7])")
    assert qs.querystring(loc=qs.geo(38.1, 13.3, 100)) == "@loc:[13.3 38.1 100 km]"
    assert qs.querystring(n=[qs.between(1, 2), qs.between(5, None, inclusive_min=False)]) == (
        "(@n:[1 2] @n:[(5 inf])")
    assert qs.querystring(qs.intersect("a", qs.union("b", "c")), t=[1, 2, 3]) == (
        "((a (b|c)) @t:(1 2 3))")
    assert str(qs.union(qs.intersect(x=1), y="z")) == "(@x:1|@y:z)"
    assert qs.intersect("a").to_string(with_parens=True) == "(a)"
    with pytest.raises(ValueError, match="At least one tag"):
        qs.tags()
    # And a query built with them finds what it says.
    rs.flushall()
    ft = _index(rs)
    query = qs.querystring(qs.union("hello", "goodbye"), price=qs.between(15, None))
    assert query == "((hello|goodbye) @price:[15 inf])"
    res = ft.search(Query(query).sort_by("price"))
    assert [d.id for d in res.docs] == ["doc:2", "doc:3"]
    res = ft.search(Query(qs.querystring(qs.disjunct("world"), tags=qs.tags("b", "c"))))
    assert [d.id for d in res.docs] == ["doc:2"]


def test_search_profile(rs):
    from oxredis.commands.search.profile_information import ProfileInformation

    rs.flushall()
    ft = _index(rs)

    def names(info):
        # The profile as RESP2 sends it: [[name, value]...]; its names, and the keys of each
        # iterator's and result processor's flat list (values vary: timings).
        def text(x):
            return x.decode() if isinstance(x, bytes) else x
        return [[text(entry[0]), *[[text(k) for k in part[0::2]] for part in entry[1:]
                                   if isinstance(part, list)]] for entry in info]

    res, profile = ft.profile(Query("hello").sort_by("price"))
    assert isinstance(res, Result) and res.total == 2
    assert [(d.id, d.title) for d in res.docs] == [("doc:1", "hello world"),
                                                   ("doc:2", "hello there")]
    assert isinstance(profile, ProfileInformation)
    assert names(profile.info) == [
        ["Total profile time"], ["Parsing time"], ["Pipeline creation time"], ["Warning"],
        ["Iterators profile", ["Type", "Term", "Time", "Counter", "Size"]],
        ["Result processors profile", ["Type", "Time", "Counter"], ["Type", "Time", "Counter"],
         ["Type", "Time", "Counter"]]]
    processors = [part[1] for part in profile.info[-1][1:]]
    assert [p.decode() if isinstance(p, bytes) else p for p in processors] == [
        "Index", "Sorter", "Loader"]
    res, profile = ft.profile(Query("@price:[$lo 100]").sort_by("price"), limited=True,
                              query_params={"lo": 15})
    assert [d.id for d in res.docs] == ["doc:2", "doc:3"]
    assert names(profile.info)[0] == ["Total profile time"]
    agg, profile = ft.profile(AggregateRequest("*").group_by(
        "@tags", reducers.count().alias("n")).sort_by(Asc("@tags")))
    assert isinstance(agg, aggregation.AggregateResult)
    assert agg.rows == [["tags", "a,b", "n", "1"], ["tags", "b", "n", "1"],
                        ["tags", "c", "n", "1"]]
    assert [entry[0] for entry in names(profile.info)] == [
        "Total profile time", "Parsing time", "Pipeline creation time", "Warning",
        "Iterators profile", "Result processors profile"]
    with pytest.raises(ValueError, match="Must provide AggregateRequest object or Query"):
        ft.profile("hello")


def test_search_index_management(rs):
    rs.flushall()
    ft = _index(rs)
    info = ft.info()
    assert (info["index_name"], info["num_docs"]) == ("idx", 3)
    assert info["attributes"][0][:8] == ["identifier", "title", "attribute", "title", "type",
                                         "TEXT", "WEIGHT", "5"]
    assert sorted(ft.tagvals("tags")) == ["a", "b", "c"]
    assert ft.aliasadd("al") == "OK"
    assert rs.ft("al").search("goodbye").total == 1
    assert ft.aliasupdate("al") == "OK"
    assert ft.aliasdel("al") == "OK"
    assert ft.alter_schema_add([NumericField("extra")]) == "OK"
    assert ft.dict_add("d", "foo", "bar") == 2
    assert sorted(ft.dict_dump("d")) == ["bar", "foo"]
    assert ft.dict_del("d", "foo") == 1
    # The score is the term's share of the documents (it depends on what was indexed
    # before): its text.
    (entry,) = ft.spellcheck("helo")["helo"]
    assert entry["suggestion"] == "hello" and float(entry["score"]) > 0
    assert ft.synupdate("g1", False, "hello", "hi") == "OK"
    assert ft.syndump() == {"hi": ["g1"], "hello": ["g1"]}
    assert ft.sugadd("sug", Suggestion("hello", 1.0), Suggestion("help", 2.0)) == 2
    sugs = ft.sugget("sug", "hel", with_scores=True)
    assert sorted((s.string, type(s.score)) for s in sugs) == [("hello", float),
                                                              ("help", float)]
    assert [str(s) for s in ft.sugget("sug", "hell")] == ["hello"]
    assert ft.suglen("sug") == 2
    assert ft.sugdel("sug", "help") == 1
    assert vars(ft.load_document("doc:1")) == {
        "id": "doc:1", "payload": None, "title": "hello world", "body": "lorem ipsum",
        "price": "10", "tags": "a,b"}
    with pytest.warns(DeprecationWarning):
        assert ft.get("doc:1", "nokey") == [["title", "hello world", "body", "lorem ipsum",
                                             "price", "10", "tags", "a,b"], None]
    with pytest.warns(DeprecationWarning):
        assert ft.config_set("TIMEOUT", 400) is True
    with pytest.warns(DeprecationWarning):
        assert ft.config_get("TIMEOUT") == {"TIMEOUT": "400"}
    with pytest.warns(DeprecationWarning):
        assert ft.add_document("doc:4", title="added", price=40) == "OK"
    assert rs.hgetall("doc:4") == {"title": "added", "price": "40"}
    with pytest.warns(DeprecationWarning):
        assert ft.delete_document("doc:4", delete_actual_document=True) == 1
    assert rs.exists("doc:4") == 0
    indexer = ft.batch_indexer(chunk_size=2)
    for i in range(5):
        indexer.add_document(f"doc:b{i}", title=f"batch {i}")
    assert (indexer.total, indexer.current_chunk) == (5, 1)
    indexer.commit()
    assert ft.search(Query("batch").paging(0, 0)).total == 5
    assert ft.dropindex(delete_documents=True) == "OK"
    assert rs.exists("doc:1") == 0


def test_search_json_index_pipeline_and_bytes(search_server, protocol):
    r = oxredis.Redis(host="127.0.0.1", port=search_server.port, protocol=protocol)
    r.flushall()
    ft = r.ft("jidx")
    assert ft.create_index(
        [TextField("$.name", as_name="name"), NumericField("$.age", as_name="age")],
        definition=IndexDefinition(prefix=["p:"], index_type=IndexType.JSON)) == b"OK"
    assert r.json().set("p:1", "$", {"name": "ann", "age": 30}) is True
    assert _docs(ft.search("@name:ann")) == [
        {"id": "p:1", "payload": None, "json": '{"name":"ann","age":30}'}]
    assert _docs(ft.search(Query("*").return_field("age"))) == [
        {"id": "p:1", "payload": None, "age": "30"}]
    # In a pipeline FT.SEARCH gives the reply as RESP2 sends it (as redis-py does).
    pipe = ft.pipeline()
    pipe.search(Query("*"))
    pipe.json().get("p:1", ".age")
    assert pipe.execute() == [[1, b"p:1", [b"$", b'{"name":"ann","age":30}']], 30]
    res = ft.aggregate(AggregateRequest("*").load("@age"))
    assert res.rows == [[b"age", b"30"]]
    # As redis-py: FT.CONFIG SET's b"OK" is not "OK", so False when not decoding.
    with pytest.warns(DeprecationWarning):
        assert ft.config_set("TIMEOUT", 500) is False
    with pytest.warns(DeprecationWarning):
        assert ft.config_get("TIMEOUT") == {b"TIMEOUT": b"500"}
    r.close()


def test_search_asyncio(search_server, protocol):
    async def main():
        r = aredis.Redis(host="127.0.0.1", port=search_server.port, protocol=protocol,
                         decode_responses=True)
        await r.flushall()
        ft = r.ft("aidx")
        assert await ft.create_index([TextField("t")]) == "OK"
        await r.hset("a:1", mapping={"t": "async text"})
        res = await ft.search("async")
        assert (res.total, _docs(res)) == (1, [{"id": "a:1", "payload": None,
                                                "t": "async text"}])
        res = await ft.aggregate(AggregateRequest("*").load("@t"))
        assert res.rows == [["t", "async text"]]
        await r.aclose()

    asyncio.run(main())


def _sent(r, call, name, *args):
    """``call()`` sent ``name args...`` to a server whose module does not know ``name``
    (RedisTimeSeries 1.12 predates TS.NRANGE, TS.READ and TS.QUERYLABELS)."""
    if r.execute_command("COMMAND", "INFO", name) != [None]:
        return False
    words = " ".join(f"'{a}'" for a in args)
    with pytest.raises(ResponseError) as e:
        call()
    assert str(e.value).rstrip() == (
        f"unknown command '{name}', with args beginning with: {words}")
    return True


def test_timeseries_newer_commands(rts):
    ts = rts.ts()
    # redis-py's parsers of their RESP2 replies:
    assert _n_range([[1, [b"1.5", b"2"]], [2, [b"3", b"nan"]]])[0] == [1, [1.5, 2.0]]
    assert _range_lists([[1, b"1.5"], [2, b"3"]]) == [[1, 1.5], [2, 3.0]]
    with pytest.raises(DataError, match="At least one key"):
        ts.nrange([], 0, 10)
    with pytest.raises(DataError, match="one aggregation spec per key"):
        ts.nrange(["a", "b"], 0, 10, aggregators=["avg"], bucket_size_msec=5)
    with pytest.raises(DataError, match="block_min_count requires block_milliseconds"):
        ts.read("a", 0, block_min_count=2)
    with pytest.raises(DataError, match="filters cannot be an empty collection"):
        ts.querylabels(filters=[])
    unknown = [
        _sent(rts, lambda: ts.nrange(["a", "b"], 0, 10, count=2, aggregators=["avg", "max"],
                                     bucket_size_msec=5), "TS.NRANGE", 2, "a", "b", 0, 10,
              "COUNT", 2, "AGGREGATION", "avg", "max", 5),
        _sent(rts, lambda: ts.nrevrange(["a"], "-", "+", latest=True, empty=True),
              "TS.NREVRANGE", 1, "a", "-", "+", "LATEST", "EMPTY"),
        _sent(rts, lambda: ts.read("a", 5, block_milliseconds=100, max_count=3), "TS.READ",
              "a", 5, "BLOCK", 100, 1, "MAX_COUNT", 3),
        _sent(rts, lambda: ts.querylabels("sensor", filters=["area=n"]), "TS.QUERYLABELS",
              "VALUES", "sensor", "FILTER", "area=n"),
    ]
    if all(unknown):
        pytest.skip("TS.NRANGE, TS.NREVRANGE, TS.READ, TS.QUERYLABELS need RedisTimeSeries "
                    "1.16+: only what is sent is checked")
