//! Pipelines, transactions, WATCH, scripts and locks against real redis-server processes.
//! Each feature body is a macro run by the blocking client (`#[test]`) and by the async one
//! (`#[tokio::test]`, `$($aw)*` = `await`) on RESP2 and RESP3.
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use oxredis::{aio, ErrorKind, LockOptions, Protocol, Redis, Script, TransactionOptions, Value};
use oxredis_test_support::{Proxy, RedisServer};

mod common;
use common::*;

fn client_at(url: &str, protocol: Protocol) -> Redis {
    Redis::from_url(&with_protocol(url, protocol)).unwrap()
}

fn client(server: &RedisServer, protocol: Protocol) -> Redis {
    client_at(&server.url(), protocol)
}

fn aio_client_at(url: &str, protocol: Protocol) -> aio::Redis {
    aio::Redis::from_url(&with_protocol(url, protocol)).unwrap()
}

fn aio_client(server: &RedisServer, protocol: Protocol) -> aio::Redis {
    aio_client_at(&server.url(), protocol)
}

/// The blocking lock's raising acquire under the async lock's name: `acquire_guard` is the
/// blocking client's only acquire that fails (`Lock` error) when `blocking_timeout` passes;
/// the guard is forgotten so the lock stays held until an explicit `release`, as after the
/// async `acquire_or_fail`.
trait AcquireOrFail {
    fn acquire_or_fail(&mut self) -> oxredis::Result<()>;
}

impl AcquireOrFail for oxredis::Lock {
    fn acquire_or_fail(&mut self) -> oxredis::Result<()> {
        std::mem::forget(self.acquire_guard()?);
        Ok(())
    }
}

/// A thread (blocking client, `[]`) or a tokio task (async client, `[await]`) running `$body`.
macro_rules! spawn_task {
    ([], $body:block) => {
        std::thread::spawn(move || $body)
    };
    ([await], $body:block) => {
        tokio::spawn(async move $body)
    };
}

/// Waits for a [`spawn_task!`] handle.
macro_rules! join_task {
    ([], $t:expr) => {
        $t.join().unwrap()
    };
    ([await], $t:expr) => {
        $t.await.unwrap()
    };
}

/// Sleeps the thread or the task.
macro_rules! nap {
    ([], $d:expr) => {
        std::thread::sleep($d)
    };
    ([await], $d:expr) => {
        tokio::time::sleep($d).await
    };
}

/// A `transaction` callable's result: the value itself for the blocking client, a boxed
/// future for the async one.
macro_rules! tx_result {
    ([], $body:block) => {
        $body
    };
    ([await], $body:block) => {
        Box::pin(async move $body)
    };
}

/// Runs `$body!(server, client, protocol [, await])` on both protocols for one client kind.
macro_rules! each_protocol {
    ($server:expr, $mk:ident, $body:ident $(, $aw:tt)*) => {
        for protocol in PROTOCOLS {
            $body!(&$server, $mk(&$server, protocol), protocol $(, $aw)*);
        }
    };
}

// ---------------------------------------------------------------- pipelines

/// redis-py's pipeline seed examples, per-command reply normalisation, the failing command's
/// index and name, and EXECABORT.
macro_rules! seed_pipelines {
    ($server:expr, $r:expr, $protocol:expr $(, $aw:tt)*) => {{
        let r = $r;
        let protocol = $protocol;
        r.flushdb() $(.$aw)* .unwrap();
        r.set("bing", "baz") $(.$aw)* .unwrap();
        for transaction in [true, false] {
            let values = r
                .pipeline(transaction)
                .set("foo", "bar")
                .get("bing")
                .execute() $(.$aw)*
                .unwrap();
            assert_eq!(values, vec![Value::Boolean(true), bulk("baz")], "{protocol:?}");
        }
        r.set("auto_number", 5) $(.$aw)* .unwrap();
        let mut pipe = r.pipeline(true);
        pipe.set("foo", "bar").sadd("faz", "baz").incr("auto_number");
        assert_eq!(pipe.len(), 3);
        let (a, b, c): (bool, bool, i64) = pipe.query() $(.$aw)* .unwrap();
        assert_eq!((a, b, c), (true, true, 6));
        assert!(pipe.is_empty(), "execute empties the pipeline");
        // Typed results of mixed shapes.
        let (ok, v): (bool, String) =
            r.pipeline(false).set("x", 1).get("bing").query() $(.$aw)* .unwrap();
        assert!(ok);
        assert_eq!(v, "baz");
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
        // The error names the failing command; the commands after it still ran and the
        // connection is reused.
        for transaction in [true, false] {
            r.set("str", "text") $(.$aw)* .unwrap();
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
            if let Some((open, idle)) = r.pool_counts() {
                assert_eq!((open, idle), (1, 1));
            }
            // raise_on_error=False: one result per command.
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
            if let Some((open, _)) = r.pool_counts() {
                assert_eq!(open, 1);
            }
            r.delete(["a", "str"]) $(.$aw)* .unwrap();
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
        if let Some((_, idle)) = r.pool_counts() {
            assert_eq!(idle, 1);
        }
        assert!(r.ping() $(.$aw)* .unwrap());
    }};
}

#[test]
fn seed_pipelines_blocking() {
    let server = RedisServer::new();
    each_protocol!(server, client, seed_pipelines);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_pipelines_async() {
    let server = RedisServer::new();
    each_protocol!(server, aio_client, seed_pipelines, await);
}

macro_rules! empty_pipeline {
    ($r:expr $(, $aw:tt)*) => {{
        // Nothing listens here: any I/O would fail.
        let r = $r;
        assert!(r.pipeline(true).execute() $(.$aw)* .unwrap().is_empty());
        assert!(r.pipeline(false).execute_raw() $(.$aw)* .unwrap().is_empty());
        if let Some((open, _)) = r.pool_counts() {
            assert_eq!(open, 0);
        }
    }};
}

#[test]
fn empty_pipeline_returns_nothing_without_io_blocking() {
    empty_pipeline!(Redis::from_url("redis://127.0.0.1:1").unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_pipeline_returns_nothing_without_io_async() {
    empty_pipeline!(aio::Redis::from_url("redis://127.0.0.1:1").unwrap(), await);
}

macro_rules! multi_only_for_transactions {
    ($server:expr, $r:expr, $protocol:expr $(, $aw:tt)*) => {{
        let server = $server;
        let r = $r;
        r.delete(["n"]) $(.$aw)* .unwrap();
        server.cli(&["CONFIG", "RESETSTAT"]);
        r.pipeline(false).incr("n").incr("n").execute() $(.$aw)* .unwrap();
        assert!(!server.cli(&["INFO", "commandstats"]).contains("cmdstat_multi"));
        r.pipeline(true).incr("n").incr("n").execute() $(.$aw)* .unwrap();
        assert!(server.cli(&["INFO", "commandstats"]).contains("cmdstat_multi:calls=1,"));
        assert_eq!(r.get::<i64>("n") $(.$aw)* .unwrap(), 4);
    }};
}

#[test]
fn transaction_pipeline_is_atomic_and_plain_one_is_not_wrapped_blocking() {
    let server = RedisServer::new();
    each_protocol!(server, client, multi_only_for_transactions);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transaction_pipeline_is_atomic_and_plain_one_is_not_wrapped_async() {
    let server = RedisServer::new();
    each_protocol!(server, aio_client, multi_only_for_transactions, await);
}

/// The server gets the whole batch, the client only part of the replies: the batch fails, is
/// not re-sent on a new connection, and the client recovers.
macro_rules! cut_mid_pipeline {
    ($server:expr, $at:ident $(, $aw:tt)*) => {{
        let server = $server;
        for (protocol, transaction) in [
            (Protocol::Resp2, false),
            (Protocol::Resp2, true),
            (Protocol::Resp3, false),
            (Protocol::Resp3, true),
        ] {
            let proxy = Proxy::start(server.socket_addr());
            let r = $at(&proxy.url(), protocol);
            server.cli(&["DEL", "ctr"]);
            assert!(r.ping() $(.$aw)* .unwrap());
            assert_eq!(proxy.accepted_count(), 1);
            proxy.cut_next_reply_after(10);
            let mut pipe = r.pipeline(transaction);
            for _ in 0..100 {
                pipe.incr("ctr");
            }
            let e = pipe.execute() $(.$aw)* .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
            // Discarded, not returned to the pool, and not retried on a new connection.
            if let Some((open, _)) = r.pool_counts() {
                assert_eq!(open, 0);
            }
            assert_eq!(proxy.accepted_count(), 1);
            let applied: i64 = server.cli(&["GET", "ctr"]).parse().unwrap();
            assert!(applied <= 100, "applied {applied} times");
            assert!(r.ping() $(.$aw)* .unwrap());
            assert_eq!(proxy.accepted_count(), 2);
        }
    }};
}

#[test]
fn connection_killed_mid_pipeline_is_discarded_and_not_resent_blocking() {
    let server = RedisServer::new();
    cut_mid_pipeline!(&server, client_at);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_killed_mid_pipeline_is_discarded_and_not_resent_async() {
    let server = RedisServer::new();
    cut_mid_pipeline!(&server, aio_client_at, await);
}

// ---------------------------------------------------------------- transactions and WATCH

macro_rules! watch_flow {
    ($server:expr, $r:expr, $protocol:expr $(, $aw:tt)*) => {{
        let server = $server;
        let r = $r;
        r.set("w", 10) $(.$aw)* .unwrap();
        // Unchanged: EXEC succeeds.
        let mut pipe = r.pipeline(true).watch("w") $(.$aw)* .unwrap();
        let v: i64 = pipe.get("w") $(.$aw)* .unwrap();
        assert_eq!(v, 10);
        pipe.multi().set("w", v + 1);
        // After multi() the immediate methods refuse to run outside the transaction.
        assert_eq!(pipe.get::<i64>("w") $(.$aw)* .unwrap_err().kind(), ErrorKind::Data);
        assert_eq!(pipe.watch("other") $(.$aw)* .unwrap_err().kind(), ErrorKind::Data);
        pipe.multi().get("w");
        assert_eq!(pipe.queued().len(), 2);
        assert_eq!(
            pipe.execute() $(.$aw)* .unwrap(),
            vec![Value::Boolean(true), bulk("11")]
        );
        // Changed by someone else: WatchError, nothing applied.
        let mut pipe = r.pipeline(true).watch(["w"]) $(.$aw)* .unwrap();
        let v: i64 = pipe.get("w") $(.$aw)* .unwrap();
        server.cli(&["SET", "w", "100"]);
        pipe.multi().set("w", v + 1);
        let e = pipe.execute() $(.$aw)* .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Watch);
        assert_eq!(r.get::<i64>("w") $(.$aw)* .unwrap(), 100);
        // The connection went back to the pool in a clean state.
        if let Some((open, idle)) = r.pool_counts() {
            assert_eq!((open, idle), (1, 1));
        }
        // Dropping a watched pipeline UNWATCHes: a later transaction is not affected by the
        // old watch.
        {
            let pipe = r.pipeline(true).watch("w") $(.$aw)* .unwrap();
            let _: i64 = pipe.get("w") $(.$aw)* .unwrap();
        }
        server.cli(&["SET", "w", "7"]);
        let values = r.pipeline(true).incr("w").execute() $(.$aw)* .unwrap();
        assert_eq!(values, vec![Value::Int(8)]);
        let mut pipe = r.pipeline(true).watch("w") $(.$aw)* .unwrap();
        pipe.unwatch() $(.$aw)* .unwrap();
        server.cli(&["SET", "w", "1"]);
        pipe.multi().incr("w");
        assert_eq!(pipe.execute() $(.$aw)* .unwrap(), vec![Value::Int(2)], "unwatched");
        if let Some((_, idle)) = r.pool_counts() {
            assert_eq!(idle, 1);
        }
    }};
}

#[test]
fn watch_switches_to_immediate_mode_and_detects_changes_blocking() {
    let server = RedisServer::new();
    each_protocol!(server, client, watch_flow);
    // The blocking WatchedPipeline also has `reset` (UNWATCH and give the connection back);
    // the async one has no such method.
    let r = client(&server, Protocol::Resp2);
    let pipe = r.pipeline(true).watch("w").unwrap();
    pipe.reset().unwrap();
    assert_eq!(r.connection_pool().idle_connections(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_switches_to_immediate_mode_and_detects_changes_async() {
    let server = RedisServer::new();
    each_protocol!(server, aio_client, watch_flow, await);
}

/// 8 threads or tasks run 100 WATCH/GET/MULTI/SET transactions each on one counter: exact
/// count, and at least one WatchError retry.
macro_rules! transaction_contention {
    ($server:expr, $r:expr, $protocol:expr $(, $aw:tt)*) => {{
        let server = $server;
        let r = $r;
        let protocol = $protocol;
        r.set("counter", 0) $(.$aw)* .unwrap();
        server.cli(&["CONFIG", "RESETSTAT"]);
        let attempts = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let r = r.clone();
                let attempts = Arc::clone(&attempts);
                spawn_task!([$($aw)*], {
                    for _ in 0..100 {
                        r.transaction("counter", |pipe| {
                            attempts.fetch_add(1, Ordering::Relaxed);
                            tx_result!([$($aw)*], {
                                let v: i64 = pipe.get("counter") $(.$aw)* ?;
                                pipe.multi().set("counter", v + 1);
                                Ok(())
                            })
                        })
                        $(.$aw)*
                        .unwrap();
                    }
                })
            })
            .collect();
        for t in tasks {
            join_task!([$($aw)*], t);
        }
        assert_eq!(r.get::<i64>("counter") $(.$aw)* .unwrap(), 800, "{protocol:?}");
        let retries = attempts.load(Ordering::Relaxed) - 800;
        eprintln!("{protocol:?}: {retries} WatchError retries");
        assert!(retries >= 1, "expected at least one WatchError retry");
    }};
}

#[test]
fn transaction_helper_counts_exactly_under_contention_blocking() {
    let server = RedisServer::new();
    each_protocol!(server, client, transaction_contention);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn transaction_helper_counts_exactly_under_contention_async() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        transaction_contention!(&server, aio_client(&server, protocol), protocol, await);
        // Async only: WATCH runs on dedicated connections, one per transaction (the client
        // multiplexes everything else); a retry reuses its attempt's connection, which EXEC
        // left clean. The blocking client's transactions use its pool instead.
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

macro_rules! transaction_with_options {
    ($server:expr, $r:expr, $protocol:expr $(, $aw:tt)*) => {{
        let server = $server;
        let r = $r;
        r.set("k", 41) $(.$aw)* .unwrap();
        let (seen, exec) = r
            .transaction_with(
                ["k"],
                TransactionOptions::new().watch_delay(Duration::from_millis(1)),
                |pipe| {
                    tx_result!([$($aw)*], {
                        let v: i64 = pipe.get("k") $(.$aw)* ?;
                        pipe.multi().incr("k");
                        Ok(v)
                    })
                },
            )
            $(.$aw)*
            .unwrap();
        assert_eq!((seen, exec), (41, vec![Value::Int(42)]));
        // A callable that always sees its key changed gives up after max_attempts.
        let calls = AtomicUsize::new(0);
        let e = r
            .transaction_with(["k"], TransactionOptions::new().max_attempts(3), |pipe| {
                calls.fetch_add(1, Ordering::Relaxed);
                server.cli(&["INCR", "k"]);
                tx_result!([$($aw)*], {
                    pipe.multi().incr("k");
                    Ok(())
                })
            })
            $(.$aw)*
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Watch);
        assert_eq!(calls.load(Ordering::Relaxed), 3);
        // Other errors from the callable end the loop at once.
        let e = r
            .transaction("k", |_| {
                tx_result!([$($aw)*], { Err(oxredis::Error::new(ErrorKind::Data, "nope")) })
            })
            $(.$aw)*
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Data);
    }};
}

#[test]
fn transaction_with_returns_the_callable_value_and_honours_options_blocking() {
    let server = RedisServer::new();
    each_protocol!(server, client, transaction_with_options);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transaction_with_returns_the_callable_value_and_honours_options_async() {
    let server = RedisServer::new();
    each_protocol!(server, aio_client, transaction_with_options, await);
}

// ---------------------------------------------------------------- scripts

/// `$call`/`$load`: `Script::call`/`load` (blocking) or `call_async`/`load_async`.
macro_rules! script_multiply {
    ($server:expr, $r:expr, $other:expr, $call:ident, $load:ident $(, $aw:tt)*) => {{
        let server = $server;
        let r = $r;
        let multiply = r.register_script(MULTIPLY);
        // The SHA1 computed locally is the one the server computes.
        assert_eq!(multiply.sha(), r.script_load(MULTIPLY) $(.$aw)* .unwrap());
        r.set("foo", 2) $(.$aw)* .unwrap();
        let v: i64 = multiply.$call(&r, ["foo"], [5]) $(.$aw)* .unwrap();
        assert_eq!(v, 10);
        for transaction in [true, false] {
            server.cli(&["SCRIPT", "FLUSH"]);
            let values = r
                .pipeline(transaction)
                .set("foo", 5)
                .script(&multiply, ["foo"], [5])
                .execute() $(.$aw)*
                .unwrap();
            assert_eq!(values, vec![Value::Boolean(true), Value::Int(25)]);
        }
        server.cli(&["SCRIPT", "FLUSH"]);
        assert_eq!(r.call_script::<i64>(&multiply, ["foo"], [3]) $(.$aw)* .unwrap(), 15);
        // On another client than the one that registered it.
        let other = $other;
        server.cli(&["SCRIPT", "FLUSH"]);
        assert_eq!(multiply.$call::<i64>(&other, ["foo"], [4]) $(.$aw)* .unwrap(), 20);
        // Inside a watched transaction too.
        server.cli(&["SCRIPT", "FLUSH"]);
        let mut pipe = r.pipeline(true).watch("foo") $(.$aw)* .unwrap();
        let now: i64 = pipe.call_script(&multiply, ["foo"], [1]) $(.$aw)* .unwrap();
        assert_eq!(now, 5);
        server.cli(&["SCRIPT", "FLUSH"]);
        pipe.multi().script(&multiply, ["foo"], [2]);
        assert_eq!(pipe.execute() $(.$aw)* .unwrap(), vec![Value::Int(10)]);
        // A script error is the script's error, not a retry loop.
        let bad = Script::new("return redis.call('INCR', KEYS[1])");
        r.set("s", "text") $(.$aw)* .unwrap();
        let e = bad.$call::<i64>(&r, ["s"], None::<&str>) $(.$aw)* .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Response);
        assert_eq!(multiply.$load(&r) $(.$aw)* .unwrap(), multiply.sha());
    }};
}

#[test]
fn script_multiply_direct_in_pipeline_and_after_flush_blocking() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        script_multiply!(
            &server,
            client(&server, protocol),
            client(&server, protocol),
            call,
            load
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn script_multiply_direct_in_pipeline_and_after_flush_async() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        script_multiply!(
            &server,
            aio_client(&server, protocol),
            aio_client(&server, protocol),
            call_async,
            load_async,
            await
        );
        // The same Script value runs on the blocking client too.
        let multiply = Script::new(MULTIPLY);
        server.cli(&["SCRIPT", "FLUSH"]);
        let b = client(&server, protocol);
        assert_eq!(multiply.call::<i64>(&b, ["foo"], [6]).unwrap(), 30);
    }
}

// ---------------------------------------------------------------- locks

/// Two threads or tasks take one lock 20 times each: never two holders at once.
macro_rules! lock_mutual_exclusion {
    ($server:expr, $r:expr, $protocol:expr $(, $aw:tt)*) => {{
        let r = $r;
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
                spawn_task!([$($aw)*], {
                    let mut lock = r.lock(
                        "mutex",
                        LockOptions::new()
                            .timeout(Duration::from_secs(10))
                            .sleep(Duration::from_millis(1)),
                    );
                    for _ in 0..20 {
                        lock.acquire_or_fail() $(.$aw)* .unwrap();
                        assert!(lock.owned() $(.$aw)* .unwrap());
                        if inside.fetch_add(1, Ordering::SeqCst) != 0 {
                            overlap.store(true, Ordering::SeqCst);
                        }
                        entries.fetch_add(1, Ordering::SeqCst);
                        nap!([$($aw)*], Duration::from_millis(2));
                        inside.fetch_sub(1, Ordering::SeqCst);
                        lock.release() $(.$aw)* .unwrap();
                    }
                })
            })
            .collect();
        for t in tasks {
            join_task!([$($aw)*], t);
        }
        assert!(!overlap.load(Ordering::SeqCst), "two holders at once");
        assert_eq!(entries.load(Ordering::SeqCst), 40);
        assert!(!r.lock("mutex", LockOptions::new()).locked() $(.$aw)* .unwrap());
    }};
}

#[test]
fn lock_mutual_exclusion_blocking() {
    let server = RedisServer::new();
    each_protocol!(server, client, lock_mutual_exclusion);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_mutual_exclusion_async() {
    let server = RedisServer::new();
    each_protocol!(server, aio_client, lock_mutual_exclusion, await);
}

/// Blocking timeout, non-blocking, unowned release, extend/reacquire TTLs, expiry taken over
/// by another holder (LockNotOwned), and a caller-chosen token.
macro_rules! lock_lifecycle {
    ($server:expr, $r:expr, $protocol:expr $(, $aw:tt)*) => {{
        let r = $r;
        r.flushdb() $(.$aw)* .unwrap();
        let mut holder = r.lock("res", LockOptions::new());
        assert!(holder.acquire() $(.$aw)* .unwrap());
        assert!(holder.locked() $(.$aw)* .unwrap() && holder.owned() $(.$aw)* .unwrap());
        let mut other = r.lock(
            "res",
            LockOptions::new()
                .blocking_timeout(Duration::from_millis(200))
                .sleep(Duration::from_millis(20)),
        );
        let started = Instant::now();
        let e = other.acquire_or_fail() $(.$aw)* .unwrap_err();
        let waited = started.elapsed();
        assert_eq!(e.kind(), ErrorKind::Lock);
        assert!(
            e.to_string()
                .contains("Unable to acquire lock within the time specified"),
            "{e}"
        );
        assert!(waited >= Duration::from_millis(150), "{waited:?}");
        assert!(waited < Duration::from_secs(2), "{waited:?}");
        assert!(!other.try_acquire() $(.$aw)* .unwrap());
        assert!(!other.owned() $(.$aw)* .unwrap());
        let mut nb = r.lock("res", LockOptions::new().blocking(false));
        assert!(!nb.acquire() $(.$aw)* .unwrap());
        // Releasing a lock never acquired.
        let e = nb.release() $(.$aw)* .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Lock);
        assert!(e.to_string().contains("Cannot release an unlocked lock"), "{e}");
        // Without a timeout, extend and reacquire are refused.
        assert_eq!(
            holder.extend(Duration::from_secs(1), false) $(.$aw)* .unwrap_err().kind(),
            ErrorKind::Lock
        );
        assert_eq!(holder.reacquire() $(.$aw)* .unwrap_err().kind(), ErrorKind::Lock);
        holder.release() $(.$aw)* .unwrap();
        assert!(other.try_acquire() $(.$aw)* .unwrap());
        other.release() $(.$aw)* .unwrap();
        // Not held: extend is refused.
        let unlocked = r.lock("res", LockOptions::new().timeout(Duration::from_secs(1)));
        assert_eq!(
            unlocked.extend(Duration::from_secs(1), false) $(.$aw)* .unwrap_err().kind(),
            ErrorKind::Lock
        );
        // Extend adds to or replaces the TTL; reacquire restores the full timeout.
        let mut lock = r.lock("ttl-lock", LockOptions::new().timeout(Duration::from_secs(10)));
        assert!(lock.acquire() $(.$aw)* .unwrap());
        let ttl: i64 = r.pttl("ttl-lock") $(.$aw)* .unwrap();
        assert!(ttl > 9_000 && ttl <= 10_000, "{ttl}");
        assert!(lock.extend(Duration::from_secs(20), false) $(.$aw)* .unwrap());
        let ttl: i64 = r.pttl("ttl-lock") $(.$aw)* .unwrap();
        assert!(ttl > 29_000 && ttl <= 30_000, "{ttl}");
        assert!(lock.extend(Duration::from_secs(5), true) $(.$aw)* .unwrap());
        let ttl: i64 = r.pttl("ttl-lock") $(.$aw)* .unwrap();
        assert!(ttl > 4_000 && ttl <= 5_000, "{ttl}");
        assert!(lock.reacquire() $(.$aw)* .unwrap());
        let ttl: i64 = r.pttl("ttl-lock") $(.$aw)* .unwrap();
        assert!(ttl > 9_000 && ttl <= 10_000, "{ttl}");
        lock.release() $(.$aw)* .unwrap();
        // Expiry: someone else takes it; the first holder must not release or extend it.
        let mut first = r.lock("exp", LockOptions::new().timeout(Duration::from_millis(50)));
        assert!(first.acquire() $(.$aw)* .unwrap());
        let deadline = Instant::now() + WAIT;
        while first.locked() $(.$aw)* .unwrap() {
            assert!(Instant::now() < deadline, "lock never expired");
            nap!([$($aw)*], Duration::from_millis(5));
        }
        let mut second = r.lock("exp", LockOptions::new().timeout(Duration::from_secs(10)));
        assert!(second.acquire() $(.$aw)* .unwrap());
        assert!(!first.owned() $(.$aw)* .unwrap());
        assert_eq!(
            first.extend(Duration::from_secs(1), false) $(.$aw)* .unwrap_err().kind(),
            ErrorKind::LockNotOwned
        );
        assert_eq!(first.reacquire() $(.$aw)* .unwrap_err().kind(), ErrorKind::LockNotOwned);
        let e = first.release() $(.$aw)* .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LockNotOwned);
        assert!(second.owned() $(.$aw)* .unwrap(), "the second holder kept it");
        second.release() $(.$aw)* .unwrap();
        // A caller-chosen token.
        let mut mine = r.lock("tok", LockOptions::new());
        assert!(mine.acquire_with(false, None, Some("mine".into())) $(.$aw)* .unwrap());
        assert_eq!(r.get::<String>("tok") $(.$aw)* .unwrap(), "mine");
        assert_eq!(mine.token(), Some("mine"));
        mine.release() $(.$aw)* .unwrap();
        assert_eq!(mine.token(), None);
    }};
}

#[test]
fn lock_timeouts_expiry_extend_and_reacquire_blocking() {
    let server = RedisServer::new();
    each_protocol!(server, client, lock_lifecycle);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_timeouts_expiry_extend_and_reacquire_async() {
    let server = RedisServer::new();
    each_protocol!(server, aio_client, lock_lifecycle, await);
    // One key, one lock: the blocking client's lock sees the async client's token.
    let r = aio_client(&server, Protocol::Resp3);
    let mut mine = r.lock("tok", LockOptions::new());
    assert!(mine
        .acquire_with(false, None, Some("mine".into()))
        .await
        .unwrap());
    let blocking = client(&server, Protocol::Resp3);
    assert!(blocking.lock("tok", LockOptions::new()).locked().unwrap());
    mine.release().await.unwrap();
}

// ---------------------------------------------------------------- blocking only

/// Blocking only: the async client has no RAII guard (no async drop); it uses
/// `acquire_or_fail` + `release`, covered above.
#[test]
fn lock_guard_releases_on_drop_and_reports_expiry() {
    let server = RedisServer::new();
    let r = client(&server, Protocol::Resp3);
    let mut lock = r.lock("g", LockOptions::new().timeout(Duration::from_secs(10)));
    {
        let guard = lock.acquire_guard().unwrap();
        assert!(guard.locked().unwrap());
    }
    assert!(!lock.locked().unwrap());
    assert_eq!(lock.token(), None);
    // A guard whose lock expired reports it on explicit release.
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

/// Blocking only: the second half is about the pool's checkout probe.
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

/// RESP3, so opening a connection is a round trip (HELLO) that fails while nothing is upstream:
/// a checkout failure, before anything of the batch is sent. It is retried, and the batch runs
/// once the server comes "back".
macro_rules! checkout_failures_are_retried {
    ($build:ident $(, $aw:tt)*) => {{
        use oxredis::retry::{Backoff, Retry};
        let server = RedisServer::new();
        let dead = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let proxy = Proxy::start(dead);
        let r = Redis::builder()
            .url(&format!("{}?protocol=3", proxy.url()))
            .unwrap()
            .retry(Retry::new(Backoff::Constant(Duration::from_millis(20)), 100))
            .$build();
        let batch = {
            let r = r.clone();
            spawn_task!([$($aw)*], { r.pipeline(true).incr("n").incr("n").execute() $(.$aw)* })
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        while proxy.accepted_count() < 2 {
            assert!(Instant::now() < deadline, "the checkout was not retried");
            nap!([$($aw)*], Duration::from_millis(2));
        }
        // The server comes "back" while the pipeline retries its checkout.
        proxy.set_upstream(server.socket_addr());
        let result = join_task!([$($aw)*], batch);
        assert_eq!(result.unwrap(), vec![Value::Int(1), Value::Int(2)]);
        assert_eq!(server.cli(&["GET", "n"]), "2", "applied exactly once");
    }};
}

#[test]
fn checkout_failures_are_retried_but_sent_batches_are_not_blocking() {
    checkout_failures_are_retried!(build);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkout_failures_are_retried_but_sent_batches_are_not_async() {
    checkout_failures_are_retried!(build_async, await);
}
