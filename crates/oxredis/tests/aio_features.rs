//! The async client's pipelines, transactions, WATCH, scripts, locks, pub/sub and scan streams,
//! against real redis-server processes. Where a body can be shared with the blocking client it
//! is a macro run on both, and the two must agree.
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use oxredis::pubsub::{Message, MessageKind};

mod common;
use common::*;
use oxredis::{aio, ErrorKind, LockOptions, Protocol, Script, Value};
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
