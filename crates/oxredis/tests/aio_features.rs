//! Behaviour only the async client has, against real redis-server processes: transactions and
//! blocking commands sharing the multiplexed connection, the pub/sub `Stream`s, and which
//! futures are `Send`. The features both clients have (pipelines, transactions, WATCH, scripts,
//! locks, pub/sub, monitor, scan) run one body on both in pipeline.rs, pubsub.rs and scan.rs.
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

mod common;
use common::*;
use oxredis::{aio, LockOptions, Protocol, Script, Value};
use oxredis_test_support::RedisServer;

fn url_at(base: &str, protocol: Protocol) -> String {
    with_protocol(base, protocol)
}

fn client(server: &RedisServer, protocol: Protocol) -> aio::Redis {
    aio::Redis::from_url(&url_at(&server.url(), protocol)).unwrap()
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
