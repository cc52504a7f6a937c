//! The async client's pipelines, transactions, WATCH, scripts, locks, pub/sub and scan streams,
//! against real redis-server processes. Where a body can be shared with the blocking client it
//! is a macro run on both, and the two must agree.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use oxredis::{aio, ErrorKind, LockOptions, Protocol, Script, TransactionOptions, Value};
use oxredis_test_support::RedisServer;

const PROTOCOLS: [Protocol; 2] = [Protocol::Resp2, Protocol::Resp3];
const WAIT: Duration = Duration::from_secs(10);

const MULTIPLY: &str =
    "local value = redis.call('GET', KEYS[1]) value = tonumber(value) return value * ARGV[1]";

fn url_at(base: &str, protocol: Protocol) -> String {
    let proto = if protocol == Protocol::Resp3 { 3 } else { 2 };
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}protocol={proto}")
}

fn client(server: &RedisServer, protocol: Protocol) -> aio::Redis {
    aio::Redis::from_url(&url_at(&server.url(), protocol)).unwrap()
}

fn blocking_client(server: &RedisServer, protocol: Protocol) -> oxredis::Redis {
    oxredis::Redis::from_url(&url_at(&server.url(), protocol)).unwrap()
}

fn bulk(s: &str) -> Value {
    Value::Bulk(s.as_bytes().to_vec().into())
}

/// redis-py's pipeline seed examples, one body for both clients: `$($aw)*` is `await` for the
/// async client and nothing for the blocking one. Returns a log of what was seen.
macro_rules! seed_pipelines {
    ($r:expr $(, $aw:tt)*) => {{
        let r = $r;
        let mut log: Vec<String> = Vec::new();
        r.flushdb() $(.$aw)* .unwrap();
        r.set("bing", "baz") $(.$aw)* .unwrap();
        for transaction in [true, false] {
            let values = r
                .pipeline(transaction)
                .set("foo", "bar")
                .get("bing")
                .execute() $(.$aw)*
                .unwrap();
            assert_eq!(values, vec![Value::Boolean(true), bulk("baz")]);
            log.push(format!("{values:?}"));
        }
        r.set("auto_number", 5) $(.$aw)* .unwrap();
        let mut pipe = r.pipeline(true);
        pipe.set("foo", "bar").sadd("faz", "baz").incr("auto_number");
        assert_eq!(pipe.len(), 3);
        let (a, b, c): (bool, bool, i64) = pipe.query() $(.$aw)* .unwrap();
        assert_eq!((a, b, c), (true, true, 6));
        assert!(pipe.is_empty(), "execute empties the pipeline");
        let (ok, v): (bool, String) =
            r.pipeline(false).set("x", 1).get("bing").query() $(.$aw)* .unwrap();
        assert!(ok);
        log.push(v);
        // Replies normalised per command, as the command table declares.
        for transaction in [true, false] {
            let values = r
                .pipeline(transaction)
                .hset_mapping("h", [("a", "1"), ("b", "2")])
                .hgetall("h")
                .zadd("z", &[("m", 1.5)])
                .zrange_withscores("z", 0, -1)
                .expire("h", 100)
                .smembers("nosuch")
                .execute() $(.$aw)*
                .unwrap();
            assert!(matches!(&values[1], Value::Map(m) if m.len() == 2), "{values:?}");
            assert_eq!(
                values[3],
                Value::Array(vec![Value::Array(vec![bulk("m"), Value::Double(1.5)])])
            );
            assert_eq!(values[4], Value::Boolean(true));
            assert_eq!(values[5], Value::Set(vec![]));
            log.push(format!("{values:?}"));
        }
        // Error index and name; the commands after the failing one still ran.
        r.set("str", "text") $(.$aw)* .unwrap();
        for transaction in [true, false] {
            r.delete(["a"]) $(.$aw)* .unwrap();
            let e = r
                .pipeline(transaction)
                .set("a", 1)
                .incr("str")
                .incr("a")
                .execute() $(.$aw)*
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Response);
            assert_eq!(e.command(), Some((1, "INCR")));
            assert!(e.to_string().contains("#1 (INCR)"), "{e}");
            assert_eq!(r.get::<i64>("a") $(.$aw)* .unwrap(), 2);
            let results = r
                .pipeline(transaction)
                .set("a", 1)
                .incr("str")
                .get("a")
                .execute_raw() $(.$aw)*
                .unwrap();
            assert_eq!(results.len(), 3);
            assert_eq!(results[0].as_ref().unwrap(), &Value::Boolean(true));
            let e = results[1].as_ref().unwrap_err();
            assert_eq!(e.command(), Some((1, "INCR")));
            assert_eq!(e.code(), Some("ERR"));
            assert_eq!(results[2].as_ref().unwrap(), &bulk("1"));
            log.push(format!("{:?}", results[2]));
        }
        // A command rejected while queueing aborts the whole transaction.
        let e = r
            .pipeline(true)
            .set("k", 1)
            .execute_command(("SET", "only-a-key"))
            .execute() $(.$aw)*
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ExecAbort);
        assert_eq!(e.command(), Some((1, "SET")));
        assert!(e.to_string().contains("wrong number of arguments"), "{e}");
        assert_eq!(r.get::<Option<i64>>("k") $(.$aw)* .unwrap(), None, "nothing applied");
        assert!(r.ping() $(.$aw)* .unwrap());
        log
    }};
}

#[tokio::test]
async fn seed_pipeline_examples_match_the_blocking_client() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let expected = seed_pipelines!(blocking_client(&server, protocol));
        let got = seed_pipelines!(client(&server, protocol), await);
        assert_eq!(got, expected, "{protocol:?}");
    }
}

#[tokio::test]
async fn empty_pipeline_returns_nothing_without_io() {
    // Nothing listens here: any I/O would fail.
    let r = aio::Redis::from_url("redis://127.0.0.1:1").unwrap();
    assert!(r.pipeline(true).execute().await.unwrap().is_empty());
    assert!(r.pipeline(false).execute_raw().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactions_stay_contiguous_among_concurrent_commands() {
    let server = RedisServer::new();
    let r = client(&server, Protocol::Resp3);
    // Many tasks interleave single commands with MULTI/EXEC batches on the one shared
    // connection; every transaction must see only its own commands.
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let r = r.clone();
            tokio::spawn(async move {
                let key = format!("k{i}");
                for n in 0..50i64 {
                    let _: i64 = r.incr("noise").await.unwrap();
                    let (v, len): (i64, i64) = r
                        .pipeline(true)
                        .incr(&key)
                        .rpush(format!("l{i}"), [n])
                        .query()
                        .await
                        .unwrap();
                    assert_eq!((v, len), (n + 1, n + 1));
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(r.get::<i64>("noise").await.unwrap(), 1000);
    let stats = server.cli(&["INFO", "commandstats"]);
    assert!(stats.contains("cmdstat_multi:calls=1000,"), "{stats}");
}

#[tokio::test]
async fn watch_detects_changes_and_refuses_reads_after_multi() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let r = client(&server, protocol);
        r.set("w", 10).await.unwrap();
        let mut pipe = r.pipeline(true).watch("w").await.unwrap();
        let v: i64 = pipe.get("w").await.unwrap();
        assert_eq!(v, 10);
        pipe.multi().set("w", v + 1);
        assert_eq!(
            pipe.get::<i64>("w").await.unwrap_err().kind(),
            ErrorKind::Data
        );
        assert_eq!(
            pipe.watch("other").await.unwrap_err().kind(),
            ErrorKind::Data
        );
        pipe.multi().get("w");
        assert_eq!(pipe.queued().len(), 2);
        assert_eq!(
            pipe.execute().await.unwrap(),
            vec![Value::Boolean(true), bulk("11")]
        );
        // Changed by someone else (here on the shared connection): WatchError, nothing applied.
        let mut pipe = r.pipeline(true).watch(["w"]).await.unwrap();
        let v: i64 = pipe.get("w").await.unwrap();
        r.set("w", 100).await.unwrap();
        pipe.multi().set("w", v + 1);
        let e = pipe.execute().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Watch);
        assert_eq!(r.get::<i64>("w").await.unwrap(), 100);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn transaction_helper_counts_exactly_under_contention() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let r = client(&server, protocol);
        r.set("counter", 0).await.unwrap();
        let attempts = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let r = r.clone();
                let attempts = Arc::clone(&attempts);
                tokio::spawn(async move {
                    for _ in 0..100 {
                        r.transaction("counter", |pipe| {
                            attempts.fetch_add(1, Ordering::Relaxed);
                            Box::pin(async move {
                                let v: i64 = pipe.get("counter").await?;
                                pipe.multi().set("counter", v + 1);
                                Ok(())
                            })
                        })
                        .await
                        .unwrap();
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(r.get::<i64>("counter").await.unwrap(), 800, "{protocol:?}");
        let retries = attempts.load(Ordering::Relaxed) - 800;
        eprintln!("{protocol:?}: {retries} WatchError retries");
        assert!(retries >= 1, "expected at least one WatchError retry");
    }
}

#[tokio::test]
async fn transaction_with_returns_the_callable_value_and_honours_options() {
    let server = RedisServer::new();
    let r = client(&server, Protocol::Resp3);
    r.set("k", 41).await.unwrap();
    let (seen, exec) = r
        .transaction_with(
            ["k"],
            TransactionOptions::new().watch_delay(Duration::from_millis(1)),
            |pipe| {
                Box::pin(async move {
                    let v: i64 = pipe.get("k").await?;
                    pipe.multi().incr("k");
                    Ok(v)
                })
            },
        )
        .await
        .unwrap();
    assert_eq!((seen, exec), (41, vec![Value::Int(42)]));
    // A callable that always sees its key changed gives up after max_attempts.
    let calls = Arc::new(AtomicUsize::new(0));
    let other = r.clone();
    let e = r
        .transaction_with(["k"], TransactionOptions::new().max_attempts(3), |pipe| {
            calls.fetch_add(1, Ordering::Relaxed);
            let other = other.clone();
            Box::pin(async move {
                let _: i64 = other.incr("k").await?;
                pipe.multi().incr("k");
                Ok(())
            })
        })
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Watch);
    assert_eq!(calls.load(Ordering::Relaxed), 3);
    // Other errors from the callable end the loop at once.
    let e = r
        .transaction("k", |_| {
            Box::pin(async { Err(oxredis::Error::new(ErrorKind::Data, "nope")) })
        })
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Data);
}

#[tokio::test]
async fn script_multiply_direct_in_pipeline_and_after_flush() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let r = client(&server, protocol);
        let multiply = r.register_script(MULTIPLY);
        r.set("foo", 2).await.unwrap();
        let v: i64 = multiply.call_async(&r, ["foo"], [5]).await.unwrap();
        assert_eq!(v, 10);
        for transaction in [true, false] {
            server.cli(&["SCRIPT", "FLUSH"]);
            let values = r
                .pipeline(transaction)
                .set("foo", 5)
                .script(&multiply, ["foo"], [5])
                .execute()
                .await
                .unwrap();
            assert_eq!(values, vec![Value::Boolean(true), Value::Int(25)]);
        }
        server.cli(&["SCRIPT", "FLUSH"]);
        assert_eq!(
            r.call_script::<i64>(&multiply, ["foo"], [3]).await.unwrap(),
            15
        );
        // The same Script value on the blocking client.
        server.cli(&["SCRIPT", "FLUSH"]);
        let b = blocking_client(&server, protocol);
        assert_eq!(multiply.call::<i64>(&b, ["foo"], [4]).unwrap(), 20);
        // Inside a watched transaction too.
        server.cli(&["SCRIPT", "FLUSH"]);
        let mut pipe = r.pipeline(true).watch("foo").await.unwrap();
        let now: i64 = pipe.call_script(&multiply, ["foo"], [1]).await.unwrap();
        assert_eq!(now, 5);
        server.cli(&["SCRIPT", "FLUSH"]);
        pipe.multi().script(&multiply, ["foo"], [2]);
        assert_eq!(pipe.execute().await.unwrap(), vec![Value::Int(10)]);
        // A script error is the script's error, not a retry loop.
        let bad = Script::new("return redis.call('INCR', KEYS[1])");
        r.set("s", "text").await.unwrap();
        let e = bad
            .call_async::<i64>(&r, ["s"], None::<&str>)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Response);
        assert_eq!(multiply.load_async(&r).await.unwrap(), multiply.sha());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_contention_between_two_tasks() {
    let server = RedisServer::new();
    let r = client(&server, Protocol::Resp2);
    let inside = Arc::new(AtomicUsize::new(0));
    let overlap = Arc::new(AtomicBool::new(false));
    let entries = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..2)
        .map(|_| {
            let r = r.clone();
            let (inside, overlap, entries) = (
                Arc::clone(&inside),
                Arc::clone(&overlap),
                Arc::clone(&entries),
            );
            tokio::spawn(async move {
                let mut lock = r.lock(
                    "mutex",
                    LockOptions::new()
                        .timeout(Duration::from_secs(10))
                        .sleep(Duration::from_millis(1)),
                );
                for _ in 0..20 {
                    lock.acquire_or_fail().await.unwrap();
                    assert!(lock.owned().await.unwrap());
                    if inside.fetch_add(1, Ordering::SeqCst) != 0 {
                        overlap.store(true, Ordering::SeqCst);
                    }
                    entries.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    inside.fetch_sub(1, Ordering::SeqCst);
                    lock.release().await.unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert!(!overlap.load(Ordering::SeqCst), "two holders at once");
    assert_eq!(entries.load(Ordering::SeqCst), 40);
    assert!(!r.lock("mutex", LockOptions::new()).locked().await.unwrap());
}

#[tokio::test]
async fn lock_timeouts_expiry_extend_and_reacquire() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let r = client(&server, protocol);
        r.flushdb().await.unwrap();
        let mut holder = r.lock("res", LockOptions::new());
        assert!(holder.acquire().await.unwrap());
        let mut other = r.lock(
            "res",
            LockOptions::new()
                .blocking_timeout(Duration::from_millis(200))
                .sleep(Duration::from_millis(20)),
        );
        let started = Instant::now();
        let e = other.acquire_or_fail().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Lock);
        assert!(started.elapsed() >= Duration::from_millis(150));
        assert!(!other.try_acquire().await.unwrap());
        let e = other.release().await.unwrap_err();
        assert!(
            e.to_string().contains("Cannot release an unlocked lock"),
            "{e}"
        );
        assert_eq!(
            holder
                .extend(Duration::from_secs(1), false)
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::Lock,
            "no timeout"
        );
        holder.release().await.unwrap();
        // Extend and reacquire change the TTL.
        let mut lock = r.lock("ttl", LockOptions::new().timeout(Duration::from_secs(10)));
        assert!(lock.acquire().await.unwrap());
        assert!(lock.extend(Duration::from_secs(20), false).await.unwrap());
        let ttl: i64 = r.pttl("ttl").await.unwrap();
        assert!(ttl > 29_000 && ttl <= 30_000, "{ttl}");
        assert!(lock.extend(Duration::from_secs(5), true).await.unwrap());
        let ttl: i64 = r.pttl("ttl").await.unwrap();
        assert!(ttl > 4_000 && ttl <= 5_000, "{ttl}");
        assert!(lock.reacquire().await.unwrap());
        let ttl: i64 = r.pttl("ttl").await.unwrap();
        assert!(ttl > 9_000 && ttl <= 10_000, "{ttl}");
        lock.release().await.unwrap();
        // Expiry: someone else takes it; the first holder gets LockNotOwned.
        let mut first = r.lock("exp", LockOptions::new().timeout(Duration::from_millis(50)));
        assert!(first.acquire().await.unwrap());
        let deadline = Instant::now() + WAIT;
        while first.locked().await.unwrap() {
            assert!(Instant::now() < deadline, "lock never expired");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let mut second = r.lock("exp", LockOptions::new().timeout(Duration::from_secs(10)));
        assert!(second.acquire().await.unwrap());
        assert!(!first.owned().await.unwrap());
        let kind = |r: oxredis::Result<bool>| r.unwrap_err().kind();
        assert_eq!(
            kind(first.extend(Duration::from_secs(1), false).await),
            ErrorKind::LockNotOwned
        );
        assert_eq!(kind(first.reacquire().await), ErrorKind::LockNotOwned);
        let e = first.release().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LockNotOwned);
        assert!(second.owned().await.unwrap(), "the second holder kept it");
        second.release().await.unwrap();
        // A caller-chosen token, seen by the blocking client's lock on the same key.
        let mut mine = r.lock("tok", LockOptions::new());
        assert!(mine
            .acquire_with(false, None, Some("mine".into()))
            .await
            .unwrap());
        assert_eq!(r.get::<String>("tok").await.unwrap(), "mine");
        let blocking = blocking_client(&server, protocol);
        assert!(blocking.lock("tok", LockOptions::new()).locked().unwrap());
        mine.release().await.unwrap();
    }
}

#[test]
fn futures_are_send() {
    fn send<F: Send>(_: &F) {}
    let r = aio::Redis::from_url("redis://127.0.0.1:1").unwrap();
    let script = Script::new("return 1");
    send(&r.pipeline(true).watch("k"));
    send(&script.call_async::<i64>(&r, ["k"], [1]));
    send(&r.transaction("k", |p| {
        Box::pin(async move {
            let _: Option<i64> = p.get("k").await?;
            Ok(())
        })
    }));
    let mut lock = r.lock("l", LockOptions::new());
    send(&lock.acquire());
}
