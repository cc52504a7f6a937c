//! Safe defaults under failure, one test body for the blocking and the async client: a server
//! restart costs at most one failed command, a loading server is waited out, a silent peer is
//! noticed within the default response deadline while a blocking command gets its own wait.
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use oxredis::config::DEFAULT_SOCKET_TIMEOUT;
use oxredis::{aio, ErrorKind, Protocol, Redis, Value};
use oxredis_test_support::{Proxy, RedisServer, Reply};

use common::{with_protocol, PROTOCOLS};

/// After `server.restart()`, 20 writes then 20 reads and a short BLPOP: at most one of them
/// fails (a write on a connection the restart killed, which may not be re-sent), and every
/// write reported as done is there. Returns the failures.
macro_rules! restart_costs_at_most_one_failure {
    ($server:expr, $r:expr $(, $aw:tt)*) => {{
        let server: &mut RedisServer = $server;
        let r = $r;
        server.restart();
        let mut failures = Vec::new();
        let mut written = Vec::new();
        for i in 0..20 {
            match r.set(format!("k{i}"), i) $(.$aw)* {
                Ok(ok) => {
                    assert!(ok);
                    written.push(i);
                }
                Err(e) => failures.push(e),
            }
        }
        for i in 0..20 {
            match r.get::<Option<i64>>(format!("k{i}")) $(.$aw)* {
                Ok(v) => assert_eq!(v, written.contains(&i).then_some(i), "k{i}"),
                Err(e) => failures.push(e),
            }
        }
        match r.blpop::<Option<(String, String)>>("nothing", 0.1) $(.$aw)* {
            Ok(v) => assert_eq!(v, None),
            Err(e) => failures.push(e),
        }
        assert!(failures.len() <= 1, "{failures:?}");
        for e in &failures {
            assert!(e.is_connection_error(), "{e}");
        }
        failures.len()
    }};
}

#[test]
fn blocking_restart_with_8_idle_pooled_connections_costs_at_most_one_failure() {
    let mut server = RedisServer::new();
    for protocol in PROTOCOLS {
        let r = Redis::builder()
            .url(&with_protocol(&server.url(), protocol))
            .unwrap()
            .max_connections(8)
            .build();
        let held: Vec<_> = (0..8).map(|_| r.get_connection().unwrap()).collect();
        drop(held);
        assert_eq!(r.connection_pool().idle_connections(), 8);
        let failed = restart_costs_at_most_one_failure!(&mut server, &r);
        eprintln!("blocking {protocol:?}: {failed} failed command(s) after the restart");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_restart_costs_at_most_one_failure() {
    let mut server = RedisServer::new();
    for protocol in PROTOCOLS {
        let r = aio::Redis::from_url(&with_protocol(&server.url(), protocol)).unwrap();
        // The shared connection, and idle dedicated connections for blocking commands.
        assert!(r.ping().await.unwrap());
        let pops = (0..4).map(|i| {
            let r = r.clone();
            tokio::spawn(async move {
                r.blpop::<Option<(String, String)>>(format!("e{i}"), 0.1)
                    .await
            })
        });
        for pop in pops.collect::<Vec<_>>() {
            assert_eq!(pop.await.unwrap().unwrap(), None);
        }
        let failed = restart_costs_at_most_one_failure!(&mut server, &r, await);
        eprintln!("async {protocol:?}: {failed} failed command(s) after the restart");
    }
}

/// Keys `key:0..KEYS` are loaded at 20 µs or more each after a restart: a second or more of
/// `LOADING` replies.
const KEYS: &str = "20000";

/// A server with AOF on whose data set takes a while to load after a restart.
fn slow_loading_server() -> RedisServer {
    let server = RedisServer::builder()
        .args([
            "--appendonly",
            "yes",
            "--key-load-delay",
            "20",
            // Answer clients (with LOADING) often while loading.
            "--loading-process-events-interval-bytes",
            "1024",
        ])
        .start();
    assert_eq!(server.cli(&["DEBUG", "POPULATE", KEYS]).trim(), "OK");
    server.cli(&["BGREWRITEAOF"]);
    common::wait_until("the AOF rewrite", || {
        let info = server.cli(&["INFO", "persistence"]);
        info.contains("aof_rewrite_in_progress:0")
            && info.contains("aof_rewrite_scheduled:0")
            && info.contains("aof_last_bgrewrite_status:ok")
    });
    server
}

/// Kills the server and starts it again, returning while it still answers `LOADING`.
fn restart_loading(server: &mut RedisServer) -> Instant {
    server.stop();
    server.start_again_loading();
    let started = Instant::now();
    match server.cli_reply(&["GET", "key:1"]) {
        Reply::Error(e) => assert!(e.starts_with("LOADING"), "{e}"),
        other => panic!("expected a LOADING error while the server loads, got {other:?}"),
    }
    started
}

/// Reads, writes, a transaction and a plain pipeline, each issued right after a restart while
/// the server answers LOADING: each succeeds with its value once loading ends.
macro_rules! loading_is_waited_out {
    ($server:expr, $r:expr $(, $aw:tt)*) => {{
        let server: &mut RedisServer = $server;
        let r = $r;
        let started = restart_loading(server);
        let v: Option<String> = r.get("key:7") $(.$aw)* .unwrap();
        assert_eq!(v.as_deref(), Some("value:7"));
        eprintln!("GET answered {:?} after the restart", started.elapsed());

        // Writes since the last restart may or may not have reached the AOF before the
        // kill: each phase checks only what it wrote itself.
        restart_loading(server);
        assert!(r.set("written", "while loading") $(.$aw)* .unwrap());
        assert_eq!(r.incrby("counter-1", 5) $(.$aw)* .unwrap(), 5);

        restart_loading(server);
        let (ok, n): (bool, i64) = r
            .pipeline(true)
            .set("in-multi", "x")
            .incrby("counter-2", 7)
            .query() $(.$aw)*
            .unwrap();
        assert_eq!((ok, n), (true, 7));

        restart_loading(server);
        let values = r
            .pipeline(false)
            .get("key:3")
            .set("plain-pipeline", "y")
            .execute() $(.$aw)*
            .unwrap();
        assert_eq!(values, vec![common::bulk("value:3"), Value::Boolean(true)]);
        assert!(r.dbsize() $(.$aw)* .unwrap() >= KEYS.parse::<i64>().unwrap());
    }};
}

#[test]
fn blocking_client_waits_out_a_loading_server() {
    let mut server = slow_loading_server();
    let r = Redis::from_url(&server.url()).unwrap();
    loading_is_waited_out!(&mut server, &r);
    // transaction(): WATCH, a read and EXEC, issued while loading.
    restart_loading(&mut server);
    let results = r
        .transaction(["key:5"], |pipe| {
            let v: String = pipe.get("key:5")?;
            pipe.multi().set("copy", v);
            Ok(())
        })
        .unwrap();
    assert_eq!(results, vec![Value::Boolean(true)]);
    assert_eq!(r.get::<String>("copy").unwrap(), "value:5");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_client_waits_out_a_loading_server() {
    // The server helpers block: fine on a multi-thread runtime (the driver runs on the other).
    let mut server = slow_loading_server();
    let r = aio::Redis::from_url(&server.url()).unwrap();
    loading_is_waited_out!(&mut server, &r, await);
    restart_loading(&mut server);
    let results = r
        .transaction(["key:5"], |pipe| {
            Box::pin(async move {
                let v: String = pipe.get("key:5").await?;
                pipe.multi().set("copy", v);
                Ok(())
            })
        })
        .await
        .unwrap();
    assert_eq!(results, vec![Value::Boolean(true)]);
    assert_eq!(r.get::<String>("copy").await.unwrap(), "value:5");
}

/// With default options, through a proxy that swallows everything (a peer gone without a FIN),
/// an ordinary command fails with a timeout after the default response deadline.
macro_rules! black_hole_fails_within_the_default_deadline {
    ($proxy:expr, $r:expr $(, $aw:tt)*) => {{
        let proxy: &Proxy = $proxy;
        let r = $r;
        assert_eq!(r.config().socket_timeout, Some(DEFAULT_SOCKET_TIMEOUT));
        assert!(r.set("k", "v") $(.$aw)* .unwrap());
        proxy.set_blackhole(true);
        let start = Instant::now();
        let e = r.get::<Option<String>>("k") $(.$aw)* .unwrap_err();
        let took = start.elapsed();
        assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
        assert!(took >= DEFAULT_SOCKET_TIMEOUT - Duration::from_millis(100), "{took:?}");
        assert!(took < DEFAULT_SOCKET_TIMEOUT * 2, "{took:?}");
        proxy.set_blackhole(false);
        let v: Option<String> = r.get("k") $(.$aw)* .unwrap();
        assert_eq!(v.as_deref(), Some("v"));
    }};
}

#[test]
fn blocking_black_hole_fails_within_the_default_deadline() {
    let server = RedisServer::new();
    let proxy = Proxy::start(server.socket_addr());
    let r = Redis::from_url(&proxy.url()).unwrap();
    black_hole_fails_within_the_default_deadline!(&proxy, &r);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_black_hole_fails_within_the_default_deadline() {
    let server = RedisServer::new();
    let proxy = Proxy::start(server.socket_addr());
    let r = aio::Redis::from_url(&proxy.url()).unwrap();
    black_hole_fails_within_the_default_deadline!(&proxy, &r, await);
}

/// Through a healthy proxy with a 1 s response deadline, `BLPOP k 3` is not cut at 1 s: it
/// returns nil after about 3 s.
macro_rules! blpop_gets_its_own_wait {
    ($r:expr $(, $aw:tt)*) => {{
        let r = $r;
        let start = Instant::now();
        let v: Option<(String, String)> = r.blpop("empty", 3.0) $(.$aw)* .unwrap();
        let took = start.elapsed();
        assert_eq!(v, None);
        assert!(took >= Duration::from_millis(2900), "{took:?}");
        assert!(took < Duration::from_secs(10), "{took:?}");
    }};
}

fn one_second_deadline(url: &str, protocol: Protocol) -> oxredis::ConnectionConfig {
    let mut config = oxredis::ConnectionConfig::from_url(&with_protocol(url, protocol)).unwrap();
    config.socket_timeout = Some(Duration::from_secs(1));
    config
}

#[test]
fn blocking_blpop_3_waits_3_s_through_a_healthy_proxy() {
    let server = RedisServer::new();
    let proxy = Proxy::start(server.socket_addr());
    let r = Redis::new(one_second_deadline(&proxy.url(), Protocol::Resp2));
    blpop_gets_its_own_wait!(&r);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_blpop_3_waits_3_s_through_a_healthy_proxy() {
    let server = RedisServer::new();
    let proxy = Proxy::start(server.socket_addr());
    let r = aio::Redis::new(one_second_deadline(&proxy.url(), Protocol::Resp3));
    blpop_gets_its_own_wait!(&r, await);
}

/// The proxy cuts the connection in the middle of a reply: a read-only command is retried on a
/// new connection and returns its value; a write that reached the server is reported, not
/// re-sent, so it is applied exactly once.
macro_rules! cut_reply_retries_reads_not_writes {
    ($proxy:expr, $server:expr, $r:expr $(, $aw:tt)*) => {{
        let proxy: &Proxy = $proxy;
        let server: &RedisServer = $server;
        let r = $r;
        assert!(r.set("k", "a-value-long-enough-to-cut") $(.$aw)* .unwrap());
        let accepted = proxy.accepted_count();
        proxy.cut_next_reply_after(3);
        let v: Option<String> = r.get("k") $(.$aw)* .unwrap();
        assert_eq!(v.as_deref(), Some("a-value-long-enough-to-cut"));
        assert!(proxy.accepted_count() > accepted, "retried on a new connection");

        proxy.cut_next_reply_after(0);
        let e = r.incr("n") $(.$aw)* .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
        assert!(!e.is_unsent(), "{e}");
        assert_eq!(server.cli(&["GET", "n"]).trim(), "1", "applied once, not re-sent");
        assert_eq!(r.incr("n") $(.$aw)* .unwrap(), 2);
    }};
}

#[test]
fn blocking_cut_reply_retries_reads_not_writes() {
    for protocol in PROTOCOLS {
        let server = RedisServer::new();
        let proxy = Proxy::start(server.socket_addr());
        let r = Redis::from_url(&with_protocol(&proxy.url(), protocol)).unwrap();
        cut_reply_retries_reads_not_writes!(&proxy, &server, &r);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_cut_reply_retries_reads_not_writes() {
    for protocol in PROTOCOLS {
        let server = RedisServer::new();
        let proxy = Proxy::start(server.socket_addr());
        let r = aio::Redis::from_url(&with_protocol(&proxy.url(), protocol)).unwrap();
        cut_reply_retries_reads_not_writes!(&proxy, &server, &r, await);
    }
}
