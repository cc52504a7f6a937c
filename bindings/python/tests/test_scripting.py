"""Lua scripts as redis-py's docs show them: register_script, in and out of a pipeline."""

import hashlib

import pytest

import oxredis

LUA = """
local value = redis.call('GET', KEYS[1])
value = tonumber(value)
return value * ARGV[1]"""


def test_multiply_from_the_docs(r):
    assert r.script_flush() is True
    multiply = r.register_script(LUA)
    assert isinstance(multiply, oxredis.Script)
    assert multiply.sha == hashlib.sha1(LUA.encode()).hexdigest()
    r.set("foo", 2)
    assert multiply(keys=["foo"], args=[5]) == 10  # loaded on demand after NOSCRIPT
    assert r.script_exists(multiply.sha) == [True]
    pipe = r.pipeline()
    pipe.set("foo", 5)
    multiply(keys=["foo"], args=[5], client=pipe)
    assert pipe.execute() == [True, 25]


def test_script_loaded_before_a_pipeline(r):
    r.script_flush()
    multiply = r.register_script(LUA)
    r.set("foo", 3)
    pipe = r.pipeline(transaction=False)
    multiply(keys=["foo"], args=[7], client=pipe)
    # the script is not on the server yet: execute() loads it before sending the pipeline
    assert r.script_exists(multiply.sha) == [False]
    assert pipe.execute() == [21]


def test_eval_and_script_commands(r):
    assert r.eval("return {KEYS[1], ARGV[1], 3}", 1, "k", "a") == [b"k", b"a", 3]
    sha = r.script_load("return 'hi'")
    assert isinstance(sha, str) and len(sha) == 40
    assert r.evalsha(sha, 0) == b"hi"
    assert r.script_exists(sha, "0" * 40) == [True, False]
    with pytest.raises(oxredis.exceptions.NoScriptError):
        r.evalsha("0" * 40, 0)
    with pytest.raises(oxredis.ResponseError, match="boom"):
        r.eval("return redis.error_reply('boom')", 0)
