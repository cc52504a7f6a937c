"""The examples of redis-py's README, unchanged but for the import and the port."""

import oxredis as redis


def test_getting_started(server, protocol):
    r = redis.Redis(host="localhost", port=server.port, db=0, protocol=protocol)
    assert r.set("foo", "bar") is True
    assert r.get("foo") == b"bar"


def test_decode_responses_example(server, protocol):
    r = redis.Redis(host="localhost", port=server.port, decode_responses=True, protocol=protocol)
    assert r.set("foo", "bar") is True
    assert r.get("foo") == "bar"


def test_pipeline_example(server, protocol):
    r = redis.Redis(host="localhost", port=server.port, db=0, protocol=protocol)
    pipe = r.pipeline()
    pipe.set("foo", 5)
    pipe.set("bar", 18.5)
    pipe.set("blee", "hello world!")
    assert pipe.execute() == [True, True, True]
    # chained, as the docs show
    assert r.pipeline().set("foo", 5).incr("foo").get("foo").execute() == [True, 6, b"6"]
    assert r.get("bar") == b"18.5"


def test_strict_redis_and_from_url(server, protocol):
    assert redis.StrictRedis is redis.Redis
    r = redis.from_url(f"redis://localhost:{server.port}/0", protocol=protocol)
    assert r.ping() is True
    assert r.get_protocol() == protocol
