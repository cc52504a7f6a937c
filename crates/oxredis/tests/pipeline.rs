//! Pipelines, transactions, WATCH, scripts and locks against real redis-server processes.
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use oxredis::{ErrorKind, LockOptions, Protocol, Redis, Script, TransactionOptions, Value};
use oxredis_test_support::{Proxy, RedisServer};

mod common;
use common::*;

fn client_at(url: &str, protocol: Protocol) -> Redis {
    Redis::from_url(&with_protocol(url, protocol)).unwrap()
}

fn client(server: &RedisServer, protocol: Protocol) -> Redis {
    client_at(&server.url(), protocol)
}

#[test]
fn seed_pipeline_examples() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let r = client(&server, protocol);
        r.flushdb().unwrap();
        r.set("bing", "baz").unwrap();
        for transaction in [true, false] {
            let values = r
                .pipeline(transaction)
                .set("foo", "bar")
                .get("bing")
                .execute()
                .unwrap();
            assert_eq!(
                values,
                vec![Value::Boolean(true), bulk("baz")],
                "{protocol:?}"
            );
        }
        r.set("auto_number", 5).unwrap();
        let mut pipe = r.pipeline(true);
        pipe.set("foo", "bar")
            .sadd("faz", "baz")
            .incr("auto_number");
        assert_eq!(pipe.len(), 3);
        let (a, b, c): (bool, bool, i64) = pipe.query().unwrap();
        assert_eq!((a, b, c), (true, true, 6));
        assert!(pipe.is_empty(), "execute empties the pipeline");
        // Typed results of mixed shapes.
        let (ok, v): (bool, String) = r.pipeline(false).set("x", 1).get("bing").query().unwrap();
        assert!(ok);
        assert_eq!(v, "baz");
    }
}

#[test]
fn empty_pipeline_returns_nothing_without_io() {
    // Nothing listens here: any I/O would fail.
    let r = Redis::from_url("redis://127.0.0.1:1").unwrap();
    assert!(r.pipeline(true).execute().unwrap().is_empty());
    assert!(r.pipeline(false).execute_raw().unwrap().is_empty());
    assert_eq!(r.connection_pool().open_connections(), 0);
}

#[test]
fn replies_are_normalised_per_command() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let r = client(&server, protocol);
        r.flushdb().unwrap();
        for transaction in [true, false] {
            let values = r
                .pipeline(transaction)
                .hset_mapping("h", [("a", "1"), ("b", "2")])
                .hgetall("h")
                .zadd("z", &[("m", 1.5)])
                .zrange_withscores("z", 0, -1)
                .expire("h", 100)
                .smembers("nosuch")
                .execute()
                .unwrap();
            assert!(
                matches!(&values[1], Value::Map(m) if m.len() == 2),
                "{protocol:?} {values:?}"
            );
            assert_eq!(
                values[3],
                Value::Array(vec![Value::Array(vec![bulk("m"), Value::Double(1.5)])])
            );
            assert_eq!(values[4], Value::Boolean(true));
            assert_eq!(values[5], Value::Set(vec![]));
        }
    }
}

#[test]
fn command_error_names_the_command_and_the_connection_is_reused() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        for transaction in [true, false] {
            let r = client(&server, protocol);
            r.set("str", "text").unwrap();
            let e = r
                .pipeline(transaction)
                .set("a", 1)
                .incr("str")
                .incr("a")
                .execute()
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Response);
            assert_eq!(e.command(), Some((1, "INCR")));
            assert!(e.to_string().contains("#1 (INCR)"), "{e}");
            // The commands after the failing one still ran; the connection is in sync.
            assert_eq!(r.get::<i64>("a").unwrap(), 2);
            assert_eq!(r.connection_pool().open_connections(), 1);
            assert_eq!(r.connection_pool().idle_connections(), 1);
            // raise_on_error=False: one result per command.
            let results = r
                .pipeline(transaction)
                .set("a", 1)
                .incr("str")
                .get("a")
                .execute_raw()
                .unwrap();
            assert_eq!(results.len(), 3);
            assert_eq!(results[0].as_ref().unwrap(), &Value::Boolean(true));
            let e = results[1].as_ref().unwrap_err();
            assert_eq!(e.command(), Some((1, "INCR")));
            assert_eq!(e.code(), Some("ERR"));
            assert_eq!(results[2].as_ref().unwrap(), &bulk("1"));
            assert_eq!(r.connection_pool().open_connections(), 1);
            r.delete(["a", "str"]).unwrap();
        }
    }
}

#[test]
fn execabort_carries_the_rejected_command() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let r = client(&server, protocol);
        let e = r
            .pipeline(true)
            .set("k", 1)
            .execute_command(("SET", "only-a-key"))
            .execute()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ExecAbort);
        assert_eq!(e.command(), Some((1, "SET")));
        // The rejected command's reply is the abort's cause (its source), not in its Display.
        let chain: Vec<String> = e.chain().map(ToString::to_string).collect();
        assert_eq!(
            chain,
            [
                "ExecAbort error in command #1 (SET): Transaction discarded because of previous \
                 errors",
                "Response error in command #1 (SET): ERR wrong number of arguments for 'set' \
                 command",
            ]
        );
        assert_eq!(r.get::<Option<i64>>("k").unwrap(), None, "nothing applied");
        assert_eq!(r.connection_pool().idle_connections(), 1);
        assert!(r.ping().unwrap());
    }
}

#[test]
fn transaction_pipeline_is_atomic_and_plain_one_is_not_wrapped() {
    let server = RedisServer::new();
    let r = client(&server, Protocol::Resp2);
    let before: i64 = server
        .cli(&["INFO", "commandstats"])
        .contains("cmdstat_multi") as i64;
    assert_eq!(before, 0);
    r.pipeline(false).incr("n").incr("n").execute().unwrap();
    assert!(!server
        .cli(&["INFO", "commandstats"])
        .contains("cmdstat_multi"));
    r.pipeline(true).incr("n").incr("n").execute().unwrap();
    assert!(server
        .cli(&["INFO", "commandstats"])
        .contains("cmdstat_multi"));
    assert_eq!(r.get::<i64>("n").unwrap(), 4);
}

#[test]
fn watch_switches_to_immediate_mode_and_detects_changes() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let r = client(&server, protocol);
        r.set("w", 10).unwrap();
        // Unchanged: EXEC succeeds.
        let mut pipe = r.pipeline(true).watch("w").unwrap();
        let v: i64 = pipe.get("w").unwrap();
        assert_eq!(v, 10);
        pipe.multi().set("w", v + 1);
        // After multi() the immediate methods refuse to run outside the transaction.
        assert_eq!(pipe.get::<i64>("w").unwrap_err().kind(), ErrorKind::Data);
        assert_eq!(pipe.watch("other").unwrap_err().kind(), ErrorKind::Data);
        pipe.multi().get("w");
        assert_eq!(pipe.queued().len(), 2);
        assert_eq!(
            pipe.execute().unwrap(),
            vec![Value::Boolean(true), bulk("11")]
        );
        // Changed by someone else: WatchError, nothing applied.
        let mut pipe = r.pipeline(true).watch(["w"]).unwrap();
        let v: i64 = pipe.get("w").unwrap();
        server.cli(&["SET", "w", "100"]);
        pipe.multi().set("w", v + 1);
        let e = pipe.execute().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Watch);
        assert_eq!(r.get::<i64>("w").unwrap(), 100);
        // The connection went back to the pool in a clean state.
        assert_eq!(r.connection_pool().open_connections(), 1);
        assert_eq!(r.connection_pool().idle_connections(), 1);
        // Dropping a watched pipeline UNWATCHes: a later transaction on the same connection is
        // not affected by the old watch.
        {
            let pipe = r.pipeline(true).watch("w").unwrap();
            let _: i64 = pipe.get("w").unwrap();
        }
        server.cli(&["SET", "w", "7"]);
        let values = r.pipeline(true).incr("w").execute().unwrap();
        assert_eq!(values, vec![Value::Int(8)]);
        let pipe = r.pipeline(true).watch("w").unwrap();
        pipe.reset().unwrap();
        assert_eq!(r.connection_pool().idle_connections(), 1);
    }
}

#[test]
fn transaction_helper_counts_exactly_under_contention() {
    let server = RedisServer::new();
    let r = Redis::from_url(&format!("{}?max_connections=16", server.url())).unwrap();
    r.set("counter", 0).unwrap();
    let attempts = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let r = r.clone();
            let attempts = Arc::clone(&attempts);
            std::thread::spawn(move || {
                for _ in 0..250 {
                    r.transaction("counter", |pipe| {
                        attempts.fetch_add(1, Ordering::Relaxed);
                        let v: i64 = pipe.get("counter")?;
                        pipe.multi().set("counter", v + 1);
                        Ok(())
                    })
                    .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(r.get::<i64>("counter").unwrap(), 2000);
    let retries = attempts.load(Ordering::Relaxed) - 2000;
    eprintln!("{retries} WatchError retries");
    assert!(retries >= 1, "expected at least one WatchError retry");
}

#[test]
fn transaction_with_returns_the_callable_value_and_honours_options() {
    let server = RedisServer::new();
    let r = client(&server, Protocol::Resp3);
    r.set("k", 41).unwrap();
    let (seen, exec) = r
        .transaction_with(
            ["k"],
            TransactionOptions::new().watch_delay(Duration::from_millis(1)),
            |pipe| {
                let v: i64 = pipe.get("k")?;
                pipe.multi().incr("k");
                Ok(v)
            },
        )
        .unwrap();
    assert_eq!((seen, exec), (41, vec![Value::Int(42)]));
    // A callable that always sees its key changed gives up after max_attempts.
    let calls = AtomicUsize::new(0);
    let e = r
        .transaction_with(["k"], TransactionOptions::new().max_attempts(3), |pipe| {
            calls.fetch_add(1, Ordering::Relaxed);
            server.cli(&["INCR", "k"]);
            pipe.multi().incr("k");
            Ok(())
        })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Watch);
    assert_eq!(calls.load(Ordering::Relaxed), 3);
    // Other errors from the callable end the loop at once.
    let e = r
        .transaction("k", |_| Err(oxredis::Error::new(ErrorKind::Data, "nope")))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Data);
}

#[test]
fn script_multiply_direct_in_pipeline_and_after_flush() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let r = client(&server, protocol);
        let multiply = r.register_script(MULTIPLY);
        assert_eq!(multiply.sha(), r.script_load(MULTIPLY).unwrap());
        r.set("foo", 2).unwrap();
        let v: i64 = multiply.call(&r, ["foo"], [5]).unwrap();
        assert_eq!(v, 10);
        for transaction in [true, false] {
            server.cli(&["SCRIPT", "FLUSH"]);
            let values = r
                .pipeline(transaction)
                .set("foo", 5)
                .script(&multiply, ["foo"], [5])
                .execute()
                .unwrap();
            assert_eq!(values, vec![Value::Boolean(true), Value::Int(25)]);
        }
        server.cli(&["SCRIPT", "FLUSH"]);
        assert_eq!(r.call_script::<i64>(&multiply, ["foo"], [3]).unwrap(), 15);
        // On another client than the one that registered it.
        let other = client(&server, protocol);
        server.cli(&["SCRIPT", "FLUSH"]);
        assert_eq!(multiply.call::<i64>(&other, ["foo"], [4]).unwrap(), 20);
        // Inside a watched transaction too.
        server.cli(&["SCRIPT", "FLUSH"]);
        let mut pipe = r.pipeline(true).watch("foo").unwrap();
        let now: i64 = pipe.call_script(&multiply, ["foo"], [1]).unwrap();
        assert_eq!(now, 5);
        server.cli(&["SCRIPT", "FLUSH"]);
        pipe.multi().script(&multiply, ["foo"], [2]);
        assert_eq!(pipe.execute().unwrap(), vec![Value::Int(10)]);
        // A script error is the script's error, not a retry loop.
        let bad = Script::new("return redis.call('INCR', KEYS[1])");
        r.set("s", "text").unwrap();
        let e = bad.call::<i64>(&r, ["s"], None::<&str>).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Response);
    }
}

#[test]
fn connection_killed_mid_pipeline_is_discarded_and_not_resent() {
    let server = RedisServer::new();
    for (protocol, transaction) in [
        (Protocol::Resp2, false),
        (Protocol::Resp2, true),
        (Protocol::Resp3, false),
        (Protocol::Resp3, true),
    ] {
        let proxy = Proxy::start(server.socket_addr());
        let r = client_at(&proxy.url(), protocol);
        server.cli(&["DEL", "ctr"]);
        assert!(r.ping().unwrap());
        assert_eq!(proxy.accepted_count(), 1);
        // Cut the reply stream a few bytes in: the server has the whole batch, the client only
        // part of the replies.
        proxy.cut_next_reply_after(10);
        let mut pipe = r.pipeline(transaction);
        for _ in 0..100 {
            pipe.incr("ctr");
        }
        let e = pipe.execute().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
        // Discarded, not returned to the pool, and not retried on a new connection.
        assert_eq!(r.connection_pool().open_connections(), 0);
        assert_eq!(proxy.accepted_count(), 1);
        let applied: i64 = server.cli(&["GET", "ctr"]).parse().unwrap();
        assert!(applied <= 100, "applied {applied} times");
        // The client recovers with a fresh connection.
        assert!(r.ping().unwrap());
        assert_eq!(proxy.accepted_count(), 2);
    }
}

#[test]
fn client_kill_during_watch_gives_connection_error_and_discards() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let r = client(&server, protocol);
        server.cli(&["DEL", "ctr"]);
        // A watched pipeline whose connection is killed before EXEC.
        let mut pipe = r.pipeline(true).watch("ctr").unwrap();
        let id: i64 = pipe.execute_command(("CLIENT", "ID")).unwrap();
        assert_eq!(server.cli(&["CLIENT", "KILL", "ID", &id.to_string()]), "1");
        pipe.multi().incr("ctr").incr("ctr");
        let e = pipe.execute().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
        assert_eq!(r.connection_pool().open_connections(), 0);
        // A plain pipeline on a pooled connection killed just before it is sent. Idle for
        // more than 1 ms, the connection is probed at checkout and replaced, so the pipeline
        // runs once on a new one; killed within that 1 ms, the pipeline fails and is not
        // re-sent. Either way it is applied at most once.
        let id: i64 = r.execute_command(("CLIENT", "ID")).unwrap();
        server.cli(&["CLIENT", "KILL", "ID", &id.to_string()]);
        let applied = match r.pipeline(false).incr("ctr").incr("ctr").execute() {
            Ok(values) => {
                assert_eq!(values, vec![Value::Int(1), Value::Int(2)]);
                2
            }
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
                assert_eq!(r.connection_pool().open_connections(), 0);
                assert_eq!(server.cli(&["GET", "ctr"]), "(nil)");
                0
            }
        };
        assert_eq!(
            r.pipeline(false).incr("ctr").execute().unwrap(),
            vec![Value::Int(applied + 1)]
        );
    }
}

#[test]
fn lock_mutual_exclusion() {
    let server = RedisServer::new();
    let r = client(&server, Protocol::Resp2);
    let inside = Arc::new(AtomicUsize::new(0));
    let overlap = Arc::new(AtomicBool::new(false));
    let entries = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let r = r.clone();
            let (inside, overlap, entries) = (
                Arc::clone(&inside),
                Arc::clone(&overlap),
                Arc::clone(&entries),
            );
            std::thread::spawn(move || {
                let mut lock = r.lock(
                    "mutex",
                    LockOptions::new()
                        .timeout(Duration::from_secs(10))
                        .sleep(Duration::from_millis(1)),
                );
                for _ in 0..20 {
                    let guard = lock.acquire_guard().unwrap();
                    assert!(guard.owned().unwrap());
                    if inside.fetch_add(1, Ordering::SeqCst) != 0 {
                        overlap.store(true, Ordering::SeqCst);
                    }
                    entries.fetch_add(1, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(2));
                    inside.fetch_sub(1, Ordering::SeqCst);
                    guard.release().unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert!(!overlap.load(Ordering::SeqCst), "two holders at once");
    assert_eq!(entries.load(Ordering::SeqCst), 40);
    assert!(!r.lock("mutex", LockOptions::new()).locked().unwrap());
}

#[test]
fn lock_blocking_timeout_and_non_blocking() {
    let server = RedisServer::new();
    let r = client(&server, Protocol::Resp3);
    let mut holder = r.lock("res", LockOptions::new());
    assert!(holder.acquire().unwrap());
    assert!(holder.locked().unwrap() && holder.owned().unwrap());
    let mut other = r.lock(
        "res",
        LockOptions::new()
            .blocking_timeout(Duration::from_millis(200))
            .sleep(Duration::from_millis(20)),
    );
    let started = Instant::now();
    let e = other.acquire_guard().unwrap_err();
    let waited = started.elapsed();
    assert_eq!(e.kind(), ErrorKind::Lock);
    assert!(
        e.to_string()
            .contains("Unable to acquire lock within the time specified"),
        "{e}"
    );
    assert!(waited >= Duration::from_millis(150), "{waited:?}");
    assert!(waited < Duration::from_secs(2), "{waited:?}");
    assert!(!other.try_acquire().unwrap());
    assert!(!other.owned().unwrap());
    let mut nb = r.lock("res", LockOptions::new().blocking(false));
    assert!(!nb.acquire().unwrap());
    // Releasing a lock never acquired.
    let e = nb.release().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Lock);
    assert!(
        e.to_string().contains("Cannot release an unlocked lock"),
        "{e}"
    );
    holder.release().unwrap();
    assert!(other.try_acquire().unwrap());
    // A caller-chosen token.
    other.release().unwrap();
    assert!(other
        .acquire_with(false, None, Some("mine".into()))
        .unwrap());
    assert_eq!(r.get::<String>("res").unwrap(), "mine");
}

#[test]
fn lock_extend_and_reacquire_change_the_ttl() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let r = client(&server, protocol);
        let mut lock = r.lock(
            "ttl-lock",
            LockOptions::new().timeout(Duration::from_secs(10)),
        );
        assert!(lock.acquire().unwrap());
        let ttl = r.pttl("ttl-lock").unwrap();
        assert!(ttl > 9_000 && ttl <= 10_000, "{ttl}");
        // Adds to the remaining TTL.
        assert!(lock.extend(Duration::from_secs(20), false).unwrap());
        let ttl = r.pttl("ttl-lock").unwrap();
        assert!(ttl > 29_000 && ttl <= 30_000, "{ttl}");
        // Replaces it.
        assert!(lock.extend(Duration::from_secs(5), true).unwrap());
        let ttl = r.pttl("ttl-lock").unwrap();
        assert!(ttl > 4_000 && ttl <= 5_000, "{ttl}");
        // Back to the full timeout.
        assert!(lock.reacquire().unwrap());
        let ttl = r.pttl("ttl-lock").unwrap();
        assert!(ttl > 9_000 && ttl <= 10_000, "{ttl}");
        lock.release().unwrap();
        // Without a timeout, extend and reacquire are refused.
        let mut forever = r.lock("no-ttl", LockOptions::new());
        assert!(forever.acquire().unwrap());
        assert_eq!(
            forever
                .extend(Duration::from_secs(1), false)
                .unwrap_err()
                .kind(),
            ErrorKind::Lock
        );
        assert_eq!(forever.reacquire().unwrap_err().kind(), ErrorKind::Lock);
        forever.release().unwrap();
        let unlocked = r.lock("no-ttl", LockOptions::new().timeout(Duration::from_secs(1)));
        assert_eq!(
            unlocked
                .extend(Duration::from_secs(1), false)
                .unwrap_err()
                .kind(),
            ErrorKind::Lock
        );
    }
}

#[test]
fn lock_release_after_expiry_is_not_owned() {
    let server = RedisServer::new();
    let r = client(&server, Protocol::Resp2);
    let mut first = r.lock("exp", LockOptions::new().timeout(Duration::from_millis(50)));
    assert!(first.acquire().unwrap());
    let deadline = Instant::now() + Duration::from_secs(5);
    while first.locked().unwrap() {
        assert!(Instant::now() < deadline, "lock never expired");
        std::thread::sleep(Duration::from_millis(5));
    }
    // Someone else takes it; the first holder must not release or extend it.
    let mut second = r.lock("exp", LockOptions::new().timeout(Duration::from_secs(10)));
    assert!(second.acquire().unwrap());
    assert!(!first.owned().unwrap());
    let e = first.extend(Duration::from_secs(1), false).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LockNotOwned);
    assert_eq!(
        first.reacquire().unwrap_err().kind(),
        ErrorKind::LockNotOwned
    );
    let e = first.release().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LockNotOwned);
    assert!(second.owned().unwrap(), "the second holder kept it");
    // A guard whose lock expired reports it on explicit release.
    second.release().unwrap();
    let mut short = r.lock(
        "exp2",
        LockOptions::new().timeout(Duration::from_millis(20)),
    );
    let guard = short.acquire_guard().unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while guard.locked().unwrap() {
        assert!(Instant::now() < deadline, "lock never expired");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(guard.release().unwrap_err().kind(), ErrorKind::LockNotOwned);
}

#[test]
fn lock_guard_releases_on_drop() {
    let server = RedisServer::new();
    let r = client(&server, Protocol::Resp3);
    let mut lock = r.lock("g", LockOptions::new().timeout(Duration::from_secs(10)));
    {
        let guard = lock.acquire_guard().unwrap();
        assert!(guard.locked().unwrap());
    }
    assert!(!lock.locked().unwrap());
    assert_eq!(lock.token(), None);
}

#[test]
fn checkout_failures_are_retried_but_sent_batches_are_not() {
    use oxredis::retry::{Backoff, Retry};
    let server = RedisServer::new();
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let proxy = Proxy::start(dead);
    // RESP3, so opening a connection is a round trip (HELLO) that fails while nothing is
    // upstream: a checkout failure, before anything of the batch is sent.
    let r = Redis::builder()
        .url(&format!("{}?protocol=3", proxy.url()))
        .unwrap()
        .retry(Retry::new(
            Backoff::Constant(Duration::from_millis(20)),
            100,
        ))
        .build();
    let result = std::thread::scope(|s| {
        let h = s.spawn(|| r.pipeline(true).incr("n").incr("n").execute());
        let deadline = Instant::now() + Duration::from_secs(5);
        while proxy.accepted_count() < 2 {
            assert!(Instant::now() < deadline, "the checkout was not retried");
            std::thread::sleep(Duration::from_millis(2));
        }
        // The server comes "back" while the pipeline retries its checkout.
        proxy.set_upstream(server.socket_addr());
        h.join().unwrap()
    });
    assert_eq!(result.unwrap(), vec![Value::Int(1), Value::Int(2)]);
    assert_eq!(server.cli(&["GET", "n"]), "2", "applied exactly once");
}
