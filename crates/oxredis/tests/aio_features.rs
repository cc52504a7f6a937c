//! The async client's pipelines, transactions, WATCH, scripts, locks, pub/sub and scan streams,
//! against real redis-server processes. Where a body can be shared with the blocking client it
//! is a macro run on both, and the two must agree.
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use oxredis::pubsub::{Message, MessageKind};

mod common;
use common::*;
use oxredis::{aio, ErrorKind, LockOptions, Protocol, Script, TransactionOptions, Value};
use oxredis_test_support::{Proxy, RedisServer};

fn url_at(base: &str, protocol: Protocol) -> String {
    with_protocol(base, protocol)
}

fn client(server: &RedisServer, protocol: Protocol) -> aio::Redis {
    aio::Redis::from_url(&url_at(&server.url(), protocol)).unwrap()
}

fn blocking_client(server: &RedisServer, protocol: Protocol) -> oxredis::Redis {
    oxredis::Redis::from_url(&url_at(&server.url(), protocol)).unwrap()
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pipeline_with_a_blocking_command_does_not_stall_the_shared_connection() {
    let server = RedisServer::new();
    let r = client(&server, Protocol::Resp2);
    let r2 = r.clone();
    let waiting = tokio::spawn(async move {
        r2.pipeline(false)
            .incr("n")
            .blpop(["queue"], 5.0)
            .execute()
            .await
    });
    // Wait until the BLPOP blocks on the server, then check the shared connection still answers.
    let deadline = Instant::now() + WAIT;
    while !server
        .cli(&["INFO", "clients"])
        .contains("blocked_clients:1")
    {
        assert!(Instant::now() < deadline, "BLPOP never blocked");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let started = Instant::now();
    assert!(r.ping().await.unwrap());
    assert!(started.elapsed() < Duration::from_secs(1));
    r.rpush("queue", ["item"]).await.unwrap();
    let values = waiting.await.unwrap().unwrap();
    assert_eq!(
        values,
        vec![
            Value::Int(1),
            Value::Array(vec![bulk("queue"), bulk("item")])
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_cut_mid_pipeline_fails_it_without_resending() {
    let server = RedisServer::new();
    for (protocol, transaction) in [
        (Protocol::Resp2, false),
        (Protocol::Resp2, true),
        (Protocol::Resp3, false),
        (Protocol::Resp3, true),
    ] {
        let proxy = Proxy::start(server.socket_addr());
        let r = aio::Redis::from_url(&url_at(&proxy.url(), protocol)).unwrap();
        server.cli(&["DEL", "ctr"]);
        assert!(r.ping().await.unwrap());
        assert_eq!(proxy.accepted_count(), 1);
        // The server gets the whole batch, the client only part of the replies.
        proxy.cut_next_reply_after(10);
        let mut pipe = r.pipeline(transaction);
        for _ in 0..100 {
            pipe.incr("ctr");
        }
        let e = pipe.execute().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
        assert_eq!(proxy.accepted_count(), 1, "not re-sent on a new connection");
        let applied: i64 = server.cli(&["GET", "ctr"]).parse().unwrap();
        assert!(applied <= 100, "applied {applied} times");
        // The client recovers with a fresh connection.
        assert!(r.ping().await.unwrap());
        assert_eq!(proxy.accepted_count(), 2);
    }
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
        server.cli(&["CONFIG", "RESETSTAT"]);
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
        // WATCH ran on dedicated connections, one per transaction: a retry reuses its
        // attempt's connection, which EXEC left clean.
        let stats = server.cli(&["INFO", "stats"]);
        let opened: usize = stats
            .split("total_connections_received:")
            .nth(1)
            .and_then(|rest| rest.lines().next())
            .and_then(|n| n.trim().parse().ok())
            .unwrap();
        assert!((800..=810).contains(&opened), "{opened} connections opened");
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
    send(&lock.release());
    send(&r.pubsub());
    send(&r.scan_iter::<String>(oxredis::ScanOptions::default()));
    let mut p = aio::PubSub::new(r.config().clone());
    send(&p.subscribe("x"));
    send(&p.get_message(None));
    send(&p.on_message());
    send(&aio::PubSub::new(r.config().clone()).into_stream());
}

// ---------------------------------------------------------------- pub/sub

/// The next message of the async PubSub, failing the test after `WAIT`.
async fn next_async(p: &mut aio::PubSub) -> Message {
    tokio::time::timeout(WAIT, async {
        loop {
            if let Some(m) = p
                .get_message(Some(Duration::from_millis(100)))
                .await
                .unwrap()
            {
                return m;
            }
        }
    })
    .await
    .expect("no message in time")
}

/// The next message of the blocking PubSub, failing the test after `WAIT`.
fn next_blocking(p: &mut oxredis::PubSub) -> Message {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(m) = p.get_message(Some(Duration::from_millis(100))).unwrap() {
            return m;
        }
        assert!(Instant::now() < deadline, "no message within {WAIT:?}");
    }
}

/// redis-py's pub/sub seed sequence, one body for both clients (`$next` reads one message).
macro_rules! seed_pubsub {
    ($r:expr, $p:expr, $next:ident $(, $aw:tt)*) => {{
        let r = $r;
        let mut p = $p;
        let mut log = Vec::new();
        p.subscribe(["my-first-channel", "my-second-channel"]) $(.$aw)* .unwrap();
        p.psubscribe("my-*") $(.$aw)* .unwrap();
        for _ in 0..3 {
            log.push(render(&$next(&mut p) $(.$aw)*));
        }
        assert_eq!(r.publish("my-first-channel", "some data") $(.$aw)* .unwrap(), 2);
        for _ in 0..2 {
            log.push(render(&$next(&mut p) $(.$aw)*));
        }
        p.unsubscribe("my-first-channel") $(.$aw)* .unwrap();
        p.unsubscribe("my-second-channel") $(.$aw)* .unwrap();
        p.punsubscribe("my-*") $(.$aw)* .unwrap();
        for _ in 0..3 {
            log.push(render(&$next(&mut p) $(.$aw)*));
        }
        assert!(!p.is_subscribed());
        let t = Instant::now();
        assert!(p.get_message(Some(Duration::ZERO)) $(.$aw)* .unwrap().is_none());
        assert!(t.elapsed() < Duration::from_millis(500));
        log
    }};
}

#[tokio::test]
async fn pubsub_seed_sequence_matches_the_blocking_client() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let b = blocking_client(&server, protocol);
        let expected = seed_pubsub!(&b, b.pubsub(), next_blocking);
        let r = client(&server, protocol);
        let got = seed_pubsub!(&r, r.pubsub().await.unwrap(), next_async, await);
        assert_eq!(got, expected, "{protocol:?}");
        assert_eq!(
            got,
            [
                mk("subscribe", Some("my-first-channel"), None, "1"),
                mk("subscribe", Some("my-second-channel"), None, "2"),
                mk("psubscribe", Some("my-*"), None, "3"),
                mk("message", Some("my-first-channel"), None, "some data"),
                mk(
                    "pmessage",
                    Some("my-first-channel"),
                    Some("my-*"),
                    "some data"
                ),
                mk("unsubscribe", Some("my-first-channel"), None, "2"),
                mk("unsubscribe", Some("my-second-channel"), None, "1"),
                mk("punsubscribe", Some("my-*"), None, "0"),
            ],
            "{protocol:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pubsub_streams_deliver_in_order_and_end_when_unsubscribed() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let r = client(&server, protocol);
        let mut p = r.pubsub().await.unwrap().ignore_subscribe_messages(true);
        p.subscribe("s").await.unwrap();
        p.ssubscribe("shard").await.unwrap();
        wait_for_subscribers(&r, "s", 1).await;
        // A borrowing stream, read through the `Stream` trait itself.
        {
            let mut messages = p.on_message();
            for i in 0..3 {
                r.publish("s", i).await.unwrap();
                let m = poll_stream(&mut messages).await.unwrap().unwrap();
                assert_eq!(render(&m), mk("message", Some("s"), None, &i.to_string()));
            }
        }
        // An owning stream in another task.
        let reader = tokio::spawn(async move {
            let mut stream = p.into_stream();
            let mut got = Vec::new();
            while let Some(m) = stream.next().await {
                let m = m.unwrap();
                got.push(render(&m));
                if got.len() == 2 {
                    break;
                }
            }
            let mut p = stream.into_inner().unwrap();
            p.unsubscribe_all().await.unwrap();
            p.sunsubscribe_all().await.unwrap();
            // Ends once every unsubscribe is confirmed (the confirmations are ignored).
            let mut stream = p.into_stream();
            assert!(stream.next().await.is_none());
            got
        });
        r.spublish("shard", "x").await.unwrap();
        r.publish("s", "y").await.unwrap();
        let got = tokio::time::timeout(WAIT, reader).await.unwrap().unwrap();
        assert_eq!(
            got,
            [
                mk("smessage", Some("shard"), None, "x"),
                mk("message", Some("s"), None, "y")
            ]
        );
    }
}

async fn poll_stream<S: futures_core::Stream + Unpin>(s: &mut S) -> Option<S::Item> {
    tokio::time::timeout(
        WAIT,
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut *s).poll_next(cx)),
    )
    .await
    .expect("stream produced nothing in time")
}

async fn wait_for_subscribers(r: &aio::Redis, channel: &str, n: i64) {
    let deadline = Instant::now() + WAIT;
    loop {
        let m: std::collections::HashMap<String, i64> = r.pubsub_numsub([channel]).await.unwrap();
        if m[channel] == n {
            return;
        }
        assert!(Instant::now() < deadline, "no subscriber on {channel}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Whether `direct`'s server sees one subscriber on "chan", one pattern and one on "shard".
async fn all_resubscribed(direct: &aio::Redis) -> bool {
    let chan: Option<std::collections::HashMap<String, i64>> =
        direct.pubsub_numsub(["chan"]).await.ok();
    let shard: Option<std::collections::HashMap<String, i64>> =
        direct.pubsub_shardnumsub(["shard"]).await.ok();
    let pats: Option<i64> = direct.pubsub_numpat().await.ok();
    chan.is_some_and(|m| m["chan"] == 1)
        && shard.is_some_and(|m| m["shard"] == 1)
        && pats == Some(1)
}

/// Subscribes (channel, pattern, shard channel) through `pubsub_url`, breaks the connection
/// with `cut`, and checks the stream re-subscribes and delivers messages published afterwards,
/// with no error reaching the reader.
async fn survives_async(
    protocol: Protocol,
    pubsub_url: &str,
    direct_url: impl Fn() -> String,
    cut: impl FnOnce(),
) {
    let r = aio::Redis::from_url(&url_at(pubsub_url, protocol)).unwrap();
    let mut p = r.pubsub().await.unwrap();
    p.subscribe("chan").await.unwrap();
    p.psubscribe("pat-*").await.unwrap();
    p.ssubscribe("shard").await.unwrap();
    let confirmations: Vec<_> = {
        let mut s = p.on_message();
        let mut v = Vec::new();
        for _ in 0..3 {
            v.push(poll_stream(&mut s).await.unwrap().unwrap().kind);
        }
        v
    };
    assert_eq!(
        confirmations,
        [
            MessageKind::Subscribe,
            MessageKind::PSubscribe,
            MessageKind::SSubscribe
        ]
    );
    tokio::task::block_in_place(cut);
    // The stream notices the break, reconnects and re-subscribes: the confirmations come again.
    let mut stream = p.into_stream();
    let mut reconfirmed = Vec::new();
    while reconfirmed.len() < 3 {
        let m = poll_stream(&mut stream).await.unwrap().unwrap();
        reconfirmed.push(m.kind);
    }
    reconfirmed.sort_by_key(|k| k.as_str());
    assert_eq!(
        reconfirmed,
        [
            MessageKind::PSubscribe,
            MessageKind::SSubscribe,
            MessageKind::Subscribe
        ],
        "{protocol:?}"
    );
    let direct = aio::Redis::from_url(&url_at(&direct_url(), protocol)).unwrap();
    let deadline = Instant::now() + WAIT;
    while !all_resubscribed(&direct).await {
        assert!(
            Instant::now() < deadline,
            "server never saw the re-subscriptions"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(direct.publish("chan", "after-1").await.unwrap(), 1);
    assert_eq!(direct.publish("pat-x", "after-2").await.unwrap(), 1);
    assert_eq!(direct.spublish("shard", "after-3").await.unwrap(), 1);
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(render(&poll_stream(&mut stream).await.unwrap().unwrap()));
    }
    assert_eq!(
        got,
        [
            mk("message", Some("chan"), None, "after-1"),
            mk("pmessage", Some("pat-x"), Some("pat-*"), "after-2"),
            mk("smessage", Some("shard"), None, "after-3"),
        ],
        "{protocol:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pubsub_stream_resubscribes_after_server_restart() {
    let mut server = RedisServer::new();
    for protocol in PROTOCOLS {
        let url = server.url();
        let server_ref = &mut server;
        let direct_url = url.clone();
        survives_async(
            protocol,
            &url,
            || direct_url.clone(),
            || server_ref.restart(),
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pubsub_stream_resubscribes_after_proxy_drop() {
    let server = RedisServer::new();
    let proxy = Proxy::start(server.socket_addr());
    for protocol in PROTOCOLS {
        let before = proxy.accepted_count();
        survives_async(protocol, &proxy.url(), || server.url(), || proxy.drop_all()).await;
        assert!(proxy.accepted_count() > before + 1, "no reconnect happened");
    }
}

#[tokio::test]
async fn pubsub_health_checks_are_silent_and_ping_gives_pong() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let url = format!(
            "{}&health_check_interval=0.05",
            url_at(&server.url(), protocol)
        );
        let r = aio::Redis::from_url(&url).unwrap();
        server.cli(&["CONFIG", "RESETSTAT"]);
        let mut p = r.pubsub().await.unwrap();
        p.subscribe("hc").await.unwrap();
        assert_eq!(next_async(&mut p).await.kind, MessageKind::Subscribe);
        // Several intervals pass: health checks go out, and nothing reaches the caller.
        let until = Instant::now() + Duration::from_millis(300);
        while Instant::now() < until {
            let m = p
                .get_message(Some(Duration::from_millis(50)))
                .await
                .unwrap();
            assert!(m.is_none(), "{m:?}");
        }
        let stats = server.cli(&["INFO", "commandstats"]);
        let pings: u64 = stats
            .split("cmdstat_ping:calls=")
            .nth(1)
            .and_then(|rest| rest.split(',').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert!(pings >= 2, "health checks were not sent: {stats}");
        p.ping_with("hello").await.unwrap();
        let m = next_async(&mut p).await;
        assert_eq!((m.kind, m.data_str()), (MessageKind::Pong, Some("hello")));
        assert!(p.is_connected());
    }
}

// ---------------------------------------------------------------- scan streams

#[tokio::test]
async fn scan_streams_visit_ten_thousand_keys_once() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let r = client(&server, protocol);
        r.flushdb().await.unwrap();
        let mut pipe = r.pipeline(false);
        for i in 0..10_000 {
            pipe.set(format!("key:{i}"), i);
        }
        pipe.hset_mapping(
            "h",
            (0..1000).map(|i| (format!("f{i}"), i)).collect::<Vec<_>>(),
        );
        pipe.sadd("s", (0..1000).collect::<Vec<i64>>());
        pipe.execute().await.unwrap();
        let mut keys =
            r.scan_iter::<String>(oxredis::ScanOptions::default().pattern("key:*").count(500));
        assert_eq!(keys.pages_fetched(), Some(0), "lazy: nothing fetched yet");
        let mut seen = std::collections::HashSet::new();
        let mut n = 0;
        while let Some(k) = poll_stream(&mut keys).await {
            n += 1;
            assert!(seen.insert(k.unwrap()), "a key came twice");
        }
        assert_eq!((n, seen.len()), (10_000, 10_000), "{protocol:?}");
        assert!(keys.pages_fetched().unwrap() >= 10);
        assert!(keys.next().await.is_none(), "stays ended");
        let mut fields = r.hscan_iter::<(String, i64)>("h", oxredis::ScanOptions::default());
        let mut sum = 0;
        while let Some(pair) = fields.next().await {
            sum += pair.unwrap().1;
        }
        assert_eq!(sum, (0..1000).sum::<i64>());
        let mut members = r.sscan_iter::<i64>("s", oxredis::ScanOptions::default());
        let mut got = Vec::new();
        while let Some(m) = members.next().await {
            got.push(m.unwrap());
        }
        got.sort_unstable();
        assert_eq!(got, (0..1000).collect::<Vec<_>>());
        // An error ends the walk: SSCAN on a string key.
        let mut bad = r.sscan_iter::<i64>("key:1", oxredis::ScanOptions::default());
        assert_eq!(
            bad.next().await.unwrap().unwrap_err().kind(),
            ErrorKind::Response
        );
        assert!(bad.next().await.is_none());
    }
}
