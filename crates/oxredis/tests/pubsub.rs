//! Pub/Sub (handlers, the worker, health checks, re-subscribe after reconnect) and MONITOR
//! against real redis-server processes. Each feature body is a macro run by the blocking
//! client (`$m` = `blocking`, `#[test]`) and by the async one (`$m` = `aio`, `$aw` = `await`,
//! `#[tokio::test]`) on RESP2 and RESP3.
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use oxredis::pubsub::{Message, MessageKind};

mod common;
use common::*;
use oxredis::{Error, ErrorKind, Protocol};
use oxredis_test_support::{Proxy, RedisServer};

fn url_for(base: &str, protocol: Protocol, extra: &str) -> String {
    format!("{}{extra}", with_protocol(base, protocol))
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

/// The next message of the async PubSub, failing the test after `WAIT`.
async fn next_async(p: &mut oxredis::aio::PubSub) -> Message {
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

// ---------------------------------------------------------------- per-client adapters
//
// `[]` is the blocking client, `[await]` the async one; everything else in the bodies is
// written once.

/// A client of kind `$m` (`blocking` or `aio`) for `url`.
macro_rules! client {
    ($m:ident, $url:expr) => {
        oxredis::$m::Redis::from_url(&$url).unwrap()
    };
}

/// `Redis::pubsub`: a PubSub at once (blocking) or after `.await` (async).
macro_rules! pubsub_of {
    ([], $r:expr) => {
        $r.pubsub()
    };
    ([await], $r:expr) => {
        $r.pubsub().await.unwrap()
    };
}

/// The next message, failing after `WAIT`.
macro_rules! next_msg {
    ([], $p:expr) => {
        next_blocking($p)
    };
    ([await], $p:expr) => {
        next_async($p).await
    };
}

/// redis-py's `listen()`: the blocking iterator, the async borrowing stream (`on_message`).
/// Both have `next()`.
macro_rules! listen {
    ([], $p:expr) => {
        $p.listen()
    };
    ([await], $p:expr) => {
        $p.on_message()
    };
}

/// The worker: `run_in_thread` (its `sleep_time` bounds how fast `stop` acts) or
/// `run_in_task` (no `sleep_time`: `stop` interrupts the wait).
macro_rules! start_worker {
    ([], $p:expr, $handler:expr) => {
        $p.run_in_thread(Duration::from_millis(20), $handler)
    };
    ([await], $p:expr, $handler:expr) => {
        $p.run_in_task($handler)
    };
}

macro_rules! nap {
    ([], $d:expr) => {
        std::thread::sleep($d)
    };
    ([await], $d:expr) => {
        tokio::time::sleep($d).await
    };
}

/// Polls `$cond` (which may await) until true, failing after `WAIT`.
macro_rules! wait_for {
    ([$($aw:tt)*], $what:expr, $cond:expr) => {{
        let deadline = Instant::now() + WAIT;
        while !$cond {
            assert!(Instant::now() < deadline, "timed out waiting for {}", $what);
            nap!([$($aw)*], Duration::from_millis(5));
        }
    }};
}

/// Subscribers of one channel.
macro_rules! numsub {
    ($r:expr, $channel:expr $(, $aw:tt)*) => {
        $r.pubsub_numsub::<HashMap<String, i64>>([$channel]) $(.$aw)* .unwrap()[$channel]
    };
}

/// A blocking `#[test]` and an async `#[tokio::test]` running the body macro `$body`.
macro_rules! both_clients {
    ($body:ident: $blocking:ident, $async_:ident) => {
        #[test]
        fn $blocking() {
            $body!(blocking);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $async_() {
            $body!(aio, await);
        }
    };
}

// ---------------------------------------------------------------- subscribe and listen

/// redis-py's pub/sub seed sequence.
macro_rules! seed_sequence {
    ($m:ident $(, $aw:tt)*) => {{
        let server = RedisServer::new();
        for protocol in PROTOCOLS {
            let r = client!($m, url_for(&server.url(), protocol, ""));
            let mut p = pubsub_of!([$($aw)*], r);
            let mut got = Vec::new();
            p.subscribe(["my-first-channel", "my-second-channel"]) $(.$aw)* .unwrap();
            p.psubscribe("my-*") $(.$aw)* .unwrap();
            for _ in 0..3 {
                got.push(render(&next_msg!([$($aw)*], &mut p)));
            }
            assert_eq!(r.publish("my-first-channel", "some data") $(.$aw)* .unwrap(), 2);
            for _ in 0..2 {
                got.push(render(&next_msg!([$($aw)*], &mut p)));
            }
            p.unsubscribe("my-first-channel") $(.$aw)* .unwrap();
            p.unsubscribe("my-second-channel") $(.$aw)* .unwrap();
            p.punsubscribe("my-*") $(.$aw)* .unwrap();
            for _ in 0..3 {
                got.push(render(&next_msg!([$($aw)*], &mut p)));
            }
            assert_eq!(
                got,
                [
                    mk("subscribe", Some("my-first-channel"), None, "1"),
                    mk("subscribe", Some("my-second-channel"), None, "2"),
                    mk("psubscribe", Some("my-*"), None, "3"),
                    mk("message", Some("my-first-channel"), None, "some data"),
                    mk("pmessage", Some("my-first-channel"), Some("my-*"), "some data"),
                    mk("unsubscribe", Some("my-first-channel"), None, "2"),
                    mk("unsubscribe", Some("my-second-channel"), None, "1"),
                    mk("punsubscribe", Some("my-*"), None, "0"),
                ],
                "{protocol:?}"
            );
            assert!(!p.is_subscribed());
            // Nothing waiting: a zero timeout returns at once.
            let t = Instant::now();
            assert!(p.get_message(Some(Duration::ZERO)) $(.$aw)* .unwrap().is_none());
            assert!(t.elapsed() < Duration::from_millis(500));
        }
    }};
}

both_clients!(seed_sequence: seed_sequence_blocking, seed_sequence_async);

macro_rules! unsubscribe_all_and_listen {
    ($m:ident $(, $aw:tt)*) => {{
        let server = RedisServer::new();
        for protocol in PROTOCOLS {
            let r = client!($m, url_for(&server.url(), protocol, ""));
            let mut p = pubsub_of!([$($aw)*], r);
            p.subscribe(["a", "b"]) $(.$aw)* .unwrap();
            p.psubscribe(["x*", "y*"]) $(.$aw)* .unwrap();
            p.ssubscribe("s") $(.$aw)* .unwrap();
            wait_for!(
                [$($aw)*],
                "subscriptions",
                (numsub!(r, "b" $(, $aw)*) == 1 && r.pubsub_numpat() $(.$aw)* .unwrap() == 2)
            );
            for i in 0..3 {
                assert_eq!(r.publish("a", i) $(.$aw)* .unwrap(), 1);
            }
            p.unsubscribe_all() $(.$aw)* .unwrap();
            p.punsubscribe(Vec::<&str>::new()) $(.$aw)* .unwrap();
            p.sunsubscribe_all() $(.$aw)* .unwrap();
            // listen() yields everything, then ends once the last unsubscribe is confirmed.
            let mut got = Vec::new();
            {
                let mut messages = listen!([$($aw)*], p);
                while let Some(m) = messages.next() $(.$aw)* {
                    got.push(render(&m.unwrap()));
                }
            }
            let kinds: Vec<_> = got.iter().map(|m| m.0.as_str()).collect();
            assert_eq!(
                kinds,
                [
                    "subscribe",
                    "subscribe",
                    "psubscribe",
                    "psubscribe",
                    "ssubscribe",
                    "message",
                    "message",
                    "message",
                    "unsubscribe",
                    "unsubscribe",
                    "punsubscribe",
                    "punsubscribe",
                    "sunsubscribe"
                ],
                "{protocol:?} {got:?}"
            );
            assert_eq!(got[7], mk("message", Some("a"), None, "2"));
            assert_eq!(got[12].3, "0");
            assert!(!p.is_subscribed());
            assert!(p.channels().is_empty() && p.patterns().is_empty());
            assert!(p.shard_channels().is_empty());
            // Unsubscribing when nothing is subscribed: nil channel, count 0.
            p.unsubscribe_all() $(.$aw)* .unwrap();
            let m = next_msg!([$($aw)*], &mut p);
            assert_eq!((m.kind, m.channel.clone()), (MessageKind::Unsubscribe, None));
            assert_eq!(m.data_as::<i64>().unwrap(), 0);
        }
    }};
}

both_clients!(unsubscribe_all_and_listen: unsubscribe_all_and_listen_blocking, unsubscribe_all_and_listen_async);

macro_rules! ping_gives_pong_messages {
    ($m:ident $(, $aw:tt)*) => {{
        let server = RedisServer::new();
        for protocol in PROTOCOLS {
            let r = client!($m, url_for(&server.url(), protocol, ""));
            let mut p = pubsub_of!([$($aw)*], r);
            // Not subscribed yet.
            p.ping() $(.$aw)* .unwrap();
            assert_eq!(render(&next_msg!([$($aw)*], &mut p)), mk("pong", None, None, ""));
            p.subscribe("x") $(.$aw)* .unwrap();
            assert_eq!(next_msg!([$($aw)*], &mut p).kind, MessageKind::Subscribe);
            p.ping() $(.$aw)* .unwrap();
            assert_eq!(
                render(&next_msg!([$($aw)*], &mut p)),
                mk("pong", None, None, ""),
                "{protocol:?}"
            );
            p.ping_with("hello") $(.$aw)* .unwrap();
            assert_eq!(
                render(&next_msg!([$($aw)*], &mut p)),
                mk("pong", None, None, "hello"),
                "{protocol:?}"
            );
            // Pongs are returned even when confirmations are ignored.
            p.set_ignore_subscribe_messages(true);
            p.subscribe("y") $(.$aw)* .unwrap();
            p.ping() $(.$aw)* .unwrap();
            assert_eq!(next_msg!([$($aw)*], &mut p).kind, MessageKind::Pong);
        }
    }};
}

both_clients!(ping_gives_pong_messages: ping_gives_pong_messages_blocking, ping_gives_pong_messages_async);

macro_rules! binary_and_decoded_payloads {
    ($m:ident $(, $aw:tt)*) => {{
        let server = RedisServer::new();
        for protocol in PROTOCOLS {
            let r = client!($m, url_for(&server.url(), protocol, ""));
            let mut p = pubsub_of!([$($aw)*], r).ignore_subscribe_messages(true);
            p.subscribe(&b"bin\xff"[..]) $(.$aw)* .unwrap();
            wait_for!(
                [$($aw)*],
                "subscription",
                (r.pubsub_numsub::<HashMap<Vec<u8>, i64>>([&b"bin\xff"[..]]) $(.$aw)*
                    .unwrap()[&b"bin\xff"[..]]
                    == 1)
            );
            r.publish(&b"bin\xff"[..], &b"\x00\x01\xfe"[..]) $(.$aw)* .unwrap();
            let m = next_msg!([$($aw)*], &mut p);
            assert_eq!(m.channel.as_deref(), Some(&b"bin\xff"[..]));
            assert_eq!(m.data_bytes(), Some(&b"\x00\x01\xfe"[..]));

            let dr = client!($m, url_for(&server.url(), protocol, "&decode_responses=true"));
            let mut p = pubsub_of!([$($aw)*], dr).ignore_subscribe_messages(true);
            p.subscribe("txt") $(.$aw)* .unwrap();
            wait_for!([$($aw)*], "subscription", (numsub!(r, "txt" $(, $aw)*) == 1));
            r.publish("txt", "héllo") $(.$aw)* .unwrap();
            let m = next_msg!([$($aw)*], &mut p);
            assert_eq!((m.channel_str(), m.data_str()), (Some("txt"), Some("héllo")));
            assert_eq!(m.data_as::<String>().unwrap(), "héllo");
        }
    }};
}

both_clients!(binary_and_decoded_payloads: binary_and_decoded_payloads_blocking, binary_and_decoded_payloads_async);

macro_rules! pubsub_introspection_commands {
    ($m:ident $(, $aw:tt)*) => {{
        let server = RedisServer::new();
        for protocol in PROTOCOLS {
            let r = client!($m, url_for(&server.url(), protocol, ""));
            let mut p = pubsub_of!([$($aw)*], r);
            p.subscribe(["news.a", "news.b"]) $(.$aw)* .unwrap();
            p.psubscribe(["n*", "m*"]) $(.$aw)* .unwrap();
            p.ssubscribe("sh1") $(.$aw)* .unwrap();
            wait_for!([$($aw)*], "subscriptions", (r.pubsub_numpat() $(.$aw)* .unwrap() == 2));
            wait_for!(
                [$($aw)*],
                "shard subscription",
                (r.pubsub_shardnumsub::<HashMap<String, i64>>(["sh1"]) $(.$aw)* .unwrap()["sh1"]
                    == 1)
            );
            let mut chans: Vec<String> = r.pubsub_channels("*") $(.$aw)* .unwrap();
            chans.sort();
            assert_eq!(chans, ["news.a", "news.b"]);
            let chans: Vec<String> = r.pubsub_channels("news.a") $(.$aw)* .unwrap();
            assert_eq!(chans, ["news.a"]);
            // Pairs come back as a map on both protocols (RESP2's flat array is normalised).
            let counts: std::collections::BTreeMap<String, i64> =
                r.pubsub_numsub(["news.a", "none"]) $(.$aw)* .unwrap();
            let counts: Vec<_> = counts.into_iter().collect();
            assert_eq!(counts, [("news.a".to_owned(), 1), ("none".to_owned(), 0)]);
            let raw: oxredis::Value = r.pubsub_numsub(["news.b"]) $(.$aw)* .unwrap();
            assert!(matches!(raw, oxredis::Value::Map(_)), "{raw:?}");
            let shards: Vec<String> = r.pubsub_shardchannels("*") $(.$aw)* .unwrap();
            assert_eq!(shards, ["sh1"]);
            assert_eq!(r.spublish("sh1", "m") $(.$aw)* .unwrap(), 1);
            assert_eq!(r.publish("zzz-nobody", "m") $(.$aw)* .unwrap(), 0);
            p.close();
            wait_for!([$($aw)*], "close", (r.pubsub_numpat() $(.$aw)* .unwrap() == 0));
        }
    }};
}

both_clients!(pubsub_introspection_commands: pubsub_introspection_commands_blocking, pubsub_introspection_commands_async);

// ---------------------------------------------------------------- handlers and the worker

macro_rules! handlers_take_their_messages {
    ($m:ident $(, $aw:tt)*) => {{
        let server = RedisServer::new();
        for protocol in PROTOCOLS {
            let r = client!($m, url_for(&server.url(), protocol, ""));
            let mut p = pubsub_of!([$($aw)*], r).ignore_subscribe_messages(true);
            let seen = Arc::new(Mutex::new(Vec::new()));
            let s2 = Arc::clone(&seen);
            p.subscribe_with("handled", move |m: Message| {
                s2.lock().unwrap().push(render(&m));
            })
            $(.$aw)*
            .unwrap();
            let s3 = Arc::clone(&seen);
            p.psubscribe_with("pat-*", move |m: Message| {
                s3.lock().unwrap().push(render(&m));
            })
            $(.$aw)*
            .unwrap();
            p.subscribe("plain") $(.$aw)* .unwrap();
            wait_for!([$($aw)*], "subscriptions", (numsub!(r, "plain" $(, $aw)*) == 1));
            r.publish("handled", "h1") $(.$aw)* .unwrap();
            r.publish("pat-1", "p1") $(.$aw)* .unwrap();
            r.publish("plain", "x") $(.$aw)* .unwrap();
            // Confirmations are ignored and handled messages are not returned: the first
            // message get_message returns is the plain one, read after both handled ones.
            assert_eq!(
                render(&next_msg!([$($aw)*], &mut p)),
                mk("message", Some("plain"), None, "x")
            );
            assert_eq!(
                *seen.lock().unwrap(),
                [
                    mk("message", Some("handled"), None, "h1"),
                    mk("pmessage", Some("pat-1"), Some("pat-*"), "p1")
                ],
                "{protocol:?}"
            );
            // Nothing else is waiting.
            assert!(p.get_message(Some(Duration::ZERO)) $(.$aw)* .unwrap().is_none());
        }
    }};
}

both_clients!(handlers_take_their_messages: handlers_take_their_messages_blocking, handlers_take_their_messages_async);

macro_rules! handler_error_from_get_message_without_worker {
    ($m:ident $(, $aw:tt)*) => {{
        let server = RedisServer::new();
        for protocol in PROTOCOLS {
            let r = client!($m, url_for(&server.url(), protocol, ""));
            let mut p = pubsub_of!([$($aw)*], r).ignore_subscribe_messages(true);
            p.subscribe_with("c", |_m: Message| -> oxredis::Result<()> {
                Err(Error::new(ErrorKind::Data, "nope"))
            })
            $(.$aw)*
            .unwrap();
            wait_for!([$($aw)*], "subscription", (numsub!(r, "c" $(, $aw)*) == 1));
            r.publish("c", "x") $(.$aw)* .unwrap();
            let deadline = Instant::now() + WAIT;
            let err = loop {
                match p.get_message(Some(Duration::from_millis(100))) $(.$aw)* {
                    Err(e) => break e,
                    Ok(None) => assert!(Instant::now() < deadline),
                    Ok(Some(m)) => panic!("handled message returned: {m:?}"),
                }
            };
            assert!(err.to_string().contains("nope"), "{err}");
            // The connection is still fine afterwards.
            p.subscribe("d") $(.$aw)* .unwrap();
            wait_for!([$($aw)*], "subscription", (numsub!(r, "d" $(, $aw)*) == 1));
            r.publish("d", "y") $(.$aw)* .unwrap();
            assert_eq!(
                render(&next_msg!([$($aw)*], &mut p)),
                mk("message", Some("d"), None, "y"),
                "{protocol:?}"
            );
        }
    }};
}

both_clients!(handler_error_from_get_message_without_worker: handler_error_from_get_message_without_thread_blocking, handler_error_from_get_message_without_task_async);

macro_rules! worker_delivers_in_order_and_stops {
    ($m:ident $(, $aw:tt)*) => {{
        let server = RedisServer::new();
        for protocol in PROTOCOLS {
            let r = client!($m, url_for(&server.url(), protocol, ""));
            let mut p = pubsub_of!([$($aw)*], r);
            let seen = Arc::new(Mutex::new(Vec::new()));
            let s2 = Arc::clone(&seen);
            p.subscribe_with("work", move |m: Message| {
                s2.lock().unwrap().push(m.data_as::<i64>().unwrap());
            })
            $(.$aw)*
            .unwrap();
            let worker = start_worker!([$($aw)*], p, None).unwrap();
            assert!(worker.is_running());
            wait_for!([$($aw)*], "subscription", (numsub!(r, "work" $(, $aw)*) == 1));
            for i in 0..1000 {
                assert_eq!(r.publish("work", i) $(.$aw)* .unwrap(), 1);
            }
            wait_for!([$($aw)*], "1000 messages", (seen.lock().unwrap().len() == 1000));
            assert_eq!(*seen.lock().unwrap(), (0..1000).collect::<Vec<i64>>());
            worker.stop();
            let t = Instant::now();
            let mut p = worker.join() $(.$aw)* .unwrap();
            assert!(t.elapsed() < Duration::from_secs(2));
            // The PubSub comes back usable.
            assert_eq!(p.channels(), ["work"]);
            p.close();
            assert!(!p.is_subscribed());
            wait_for!([$($aw)*], "close", (numsub!(r, "work" $(, $aw)*) == 0));
        }
    }};
}

both_clients!(worker_delivers_in_order_and_stops: run_in_thread_delivers_in_order_and_stops, run_in_task_delivers_in_order_and_stops);

macro_rules! worker_refuses_subscriptions_without_handler {
    ($m:ident $(, $aw:tt)*) => {{
        let server = RedisServer::new();
        for protocol in PROTOCOLS {
            let r = client!($m, url_for(&server.url(), protocol, ""));
            let mut p = pubsub_of!([$($aw)*], r);
            p.subscribe_with("ok", |_m: Message| {}) $(.$aw)* .unwrap();
            p.psubscribe("no-handler-*") $(.$aw)* .unwrap();
            let e = start_worker!([$($aw)*], p, None).err().unwrap();
            assert_eq!(e.kind(), ErrorKind::Data);
            assert!(e.to_string().contains("no-handler-*"), "{e}");
        }
    }};
}

both_clients!(worker_refuses_subscriptions_without_handler: run_in_thread_refuses_subscriptions_without_handler, run_in_task_refuses_subscriptions_without_handler);

macro_rules! handler_errors_reach_the_exception_handler {
    ($m:ident $(, $aw:tt)*) => {{
        let server = RedisServer::new();
        for protocol in PROTOCOLS {
            let r = client!($m, url_for(&server.url(), protocol, ""));
            let mut p = pubsub_of!([$($aw)*], r);
            let ok = Arc::new(Mutex::new(Vec::new()));
            let ok2 = Arc::clone(&ok);
            p.subscribe_with("jobs", move |m: Message| -> oxredis::Result<()> {
                match m.data_str() {
                    Some("fail") => Err(Error::new(ErrorKind::Data, "job failed")),
                    Some("panic") => panic!("handler exploded"),
                    other => {
                        ok2.lock().unwrap().push(other.unwrap().to_owned());
                        Ok(())
                    }
                }
            })
            $(.$aw)*
            .unwrap();
            let errors = Arc::new(Mutex::new(Vec::new()));
            let e2 = Arc::clone(&errors);
            let handler: oxredis::$m::ExceptionHandler =
                Box::new(move |e: Error, _p: &mut oxredis::$m::PubSub| {
                    e2.lock().unwrap().push(e.to_string());
                });
            let worker = start_worker!([$($aw)*], p, Some(handler)).unwrap();
            wait_for!([$($aw)*], "subscription", (numsub!(r, "jobs" $(, $aw)*) == 1));
            for m in ["one", "fail", "two", "panic", "three"] {
                r.publish("jobs", m) $(.$aw)* .unwrap();
            }
            wait_for!([$($aw)*], "all messages", (ok.lock().unwrap().len() == 3));
            assert_eq!(*ok.lock().unwrap(), ["one", "two", "three"]);
            let errs = errors.lock().unwrap().clone();
            assert_eq!(errs.len(), 2, "{errs:?}");
            assert!(errs[0].contains("job failed"), "{errs:?}");
            assert!(errs[1].contains("handler exploded"), "{errs:?}");
            // The worker survived both and stops cleanly.
            assert!(worker.is_running());
            worker.join() $(.$aw)* .unwrap();
        }
    }};
}

both_clients!(handler_errors_reach_the_exception_handler: handler_errors_reach_the_exception_handler_blocking, handler_errors_reach_the_exception_handler_async);

macro_rules! worker_survives_a_dropped_connection {
    ($m:ident $(, $aw:tt)*) => {{
        let server = RedisServer::new();
        let proxy = Proxy::start(server.socket_addr());
        for protocol in PROTOCOLS {
            let direct = client!($m, url_for(&server.url(), protocol, ""));
            let r = client!($m, url_for(&proxy.url(), protocol, ""));
            let mut p = pubsub_of!([$($aw)*], r);
            let seen = Arc::new(Mutex::new(Vec::new()));
            let s2 = Arc::clone(&seen);
            p.psubscribe_with("t.*", move |m: Message| {
                s2.lock().unwrap().push(m.data_str().unwrap().to_owned());
            })
            $(.$aw)*
            .unwrap();
            let errors = Arc::new(Mutex::new(0));
            let e2 = Arc::clone(&errors);
            let handler: oxredis::$m::ExceptionHandler =
                Box::new(move |_e: Error, _p: &mut oxredis::$m::PubSub| {
                    *e2.lock().unwrap() += 1;
                });
            let worker = start_worker!([$($aw)*], p, Some(handler)).unwrap();
            wait_for!([$($aw)*], "subscription", (direct.pubsub_numpat() $(.$aw)* .unwrap() == 1));
            direct.publish("t.1", "before") $(.$aw)* .unwrap();
            wait_for!([$($aw)*], "first message", (seen.lock().unwrap().len() == 1));
            proxy.drop_all();
            // Publish until the re-subscribed worker receives one (messages published while
            // the subscription is gone are lost, as in Redis).
            let mut sent = 0;
            let deadline = Instant::now() + WAIT;
            loop {
                if direct.publish("t.2", "after") $(.$aw)* .unwrap() == 1 {
                    sent += 1;
                }
                if sent > 0 && seen.lock().unwrap().last().map(String::as_str) == Some("after") {
                    break;
                }
                assert!(Instant::now() < deadline, "no message after reconnect");
                nap!([$($aw)*], Duration::from_millis(5));
            }
            assert_eq!(seen.lock().unwrap()[0], "before");
            assert_eq!(*errors.lock().unwrap(), 0, "{protocol:?}");
            worker.join() $(.$aw)* .unwrap();
        }
    }};
}

both_clients!(worker_survives_a_dropped_connection: run_in_thread_survives_a_dropped_connection, run_in_task_survives_a_dropped_connection);

// ---------------------------------------------------------------- re-subscribe after reconnect

/// Subscribes to a channel, a pattern and a shard channel through `$pubsub_url`, breaks the
/// connection with `$cut`, and checks that the confirmations come again and messages published
/// afterwards arrive on all three, with no error reaching the reader.
macro_rules! survives {
    ($m:ident, $protocol:expr, $pubsub_url:expr, $publisher_url:expr, $cut:expr $(, $aw:tt)*) => {{
        let protocol = $protocol;
        let r = client!($m, url_for(&$pubsub_url, protocol, ""));
        let mut p = pubsub_of!([$($aw)*], r);
        p.subscribe("chan") $(.$aw)* .unwrap();
        p.psubscribe("pat-*") $(.$aw)* .unwrap();
        p.ssubscribe("shard") $(.$aw)* .unwrap();
        let mut confirmations = Vec::new();
        for _ in 0..3 {
            confirmations.push(next_msg!([$($aw)*], &mut p).kind);
        }
        assert_eq!(
            confirmations,
            [MessageKind::Subscribe, MessageKind::PSubscribe, MessageKind::SSubscribe]
        );
        $cut;
        // Made after the cut, so a server restart does not leave it a dead connection.
        let direct = client!($m, url_for(&$publisher_url, protocol, ""));
        // The PubSub notices the break on its next read, reconnects and re-subscribes; its
        // confirmations come again. Keep reading (no error allowed) until the server sees all
        // three subscriptions again.
        let mut reconfirmed = Vec::new();
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(m) = p.get_message(Some(Duration::from_millis(20))) $(.$aw)* .unwrap() {
                reconfirmed.push(m.kind);
            }
            let chan: Option<HashMap<String, i64>> =
                direct.pubsub_numsub(["chan"]) $(.$aw)* .ok();
            let shard: Option<HashMap<String, i64>> =
                direct.pubsub_shardnumsub(["shard"]) $(.$aw)* .ok();
            let pats: Option<i64> = direct.pubsub_numpat() $(.$aw)* .ok();
            if chan.is_some_and(|m| m["chan"] == 1)
                && pats == Some(1)
                && shard.is_some_and(|m| m["shard"] == 1)
            {
                break;
            }
            assert!(Instant::now() < deadline, "server never saw the re-subscriptions");
        }
        assert_eq!(direct.publish("chan", "after-1") $(.$aw)* .unwrap(), 1);
        assert_eq!(direct.publish("pat-x", "after-2") $(.$aw)* .unwrap(), 1);
        assert_eq!(direct.spublish("shard", "after-3") $(.$aw)* .unwrap(), 1);
        let mut got = Vec::new();
        while got.len() < 3 {
            let m = next_msg!([$($aw)*], &mut p);
            if m.kind.is_subscription_change() {
                reconfirmed.push(m.kind);
            } else {
                got.push(render(&m));
            }
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
        reconfirmed.sort_by_key(|k| k.as_str());
        assert_eq!(
            reconfirmed,
            [MessageKind::PSubscribe, MessageKind::SSubscribe, MessageKind::Subscribe],
            "{protocol:?}"
        );
    }};
}

macro_rules! resubscribes_after_server_restart {
    ($m:ident $(, $aw:tt)*) => {{
        let mut server = RedisServer::new();
        let url = server.url();
        for protocol in PROTOCOLS {
            survives!($m, protocol, url, url, server.restart() $(, $aw)*);
        }
    }};
}

both_clients!(resubscribes_after_server_restart: resubscribes_after_server_restart_blocking, resubscribes_after_server_restart_async);

macro_rules! resubscribes_after_proxy_drop {
    ($m:ident $(, $aw:tt)*) => {{
        let server = RedisServer::new();
        let proxy = Proxy::start(server.socket_addr());
        for protocol in PROTOCOLS {
            let before = proxy.accepted_count();
            survives!($m, protocol, proxy.url(), server.url(), proxy.drop_all() $(, $aw)*);
            assert!(proxy.accepted_count() > before + 1, "no reconnect happened");
        }
    }};
}

both_clients!(resubscribes_after_proxy_drop: resubscribes_after_proxy_drop_blocking, resubscribes_after_proxy_drop_async);

macro_rules! resubscribes_after_client_kill {
    ($m:ident $(, $aw:tt)*) => {{
        let server = RedisServer::new();
        let url = server.url();
        for protocol in PROTOCOLS {
            survives!(
                $m,
                protocol,
                url,
                url,
                {
                    // The previous protocol's PubSub is dropped, but the server may not have
                    // seen its connection close yet: kill only once ours is the one left.
                    wait_until("one pub/sub client on the server", || {
                        server.cli(&["CLIENT", "LIST", "TYPE", "pubsub"]).lines().count() == 1
                    });
                    assert_eq!(server.cli(&["CLIENT", "KILL", "TYPE", "pubsub"]), "1")
                }
                $(, $aw)*
            );
        }
    }};
}

both_clients!(resubscribes_after_client_kill: resubscribes_after_client_kill_blocking, resubscribes_after_client_kill_async);

macro_rules! resubscribes_after_disconnect {
    ($m:ident $(, $aw:tt)*) => {{
        let server = RedisServer::new();
        for protocol in PROTOCOLS {
            let r = client!($m, url_for(&server.url(), protocol, ""));
            let mut p = pubsub_of!([$($aw)*], r);
            p.subscribe("chan") $(.$aw)* .unwrap();
            p.ssubscribe("shard") $(.$aw)* .unwrap();
            assert_eq!(next_msg!([$($aw)*], &mut p).kind, MessageKind::Subscribe);
            assert_eq!(next_msg!([$($aw)*], &mut p).kind, MessageKind::SSubscribe);
            wait_until("our pub/sub client on the server", || {
                server.cli(&["CLIENT", "LIST", "TYPE", "pubsub"]).lines().count() == 1
            });
            // The connection goes, the subscriptions stay.
            p.disconnect();
            assert!(!p.is_connected());
            assert_eq!((p.channels(), p.shard_channels()), (vec!["chan".into()], vec!["shard".into()]));
            wait_until("no pub/sub client on the server", || {
                server.cli(&["CLIENT", "LIST", "TYPE", "pubsub"]).is_empty()
            });
            // The next read connects and subscribes again: the confirmations come again.
            let mut again = vec![
                next_msg!([$($aw)*], &mut p).kind,
                next_msg!([$($aw)*], &mut p).kind,
            ];
            again.sort_by_key(|k| k.as_str());
            assert_eq!(again, [MessageKind::SSubscribe, MessageKind::Subscribe], "{protocol:?}");
            let direct = client!($m, url_for(&server.url(), protocol, ""));
            assert_eq!(direct.publish("chan", "back") $(.$aw)* .unwrap(), 1);
            assert_eq!(render(&next_msg!([$($aw)*], &mut p)), mk("message", Some("chan"), None, "back"));
        }
    }};
}

both_clients!(resubscribes_after_disconnect: resubscribes_after_disconnect_blocking, resubscribes_after_disconnect_async);

macro_rules! errors_while_server_down_then_recovers {
    ($m:ident $(, $aw:tt)*) => {{
        let mut server = RedisServer::new();
        for protocol in PROTOCOLS {
            let r = client!($m, url_for(&server.url(), protocol, ""));
            let mut p = pubsub_of!([$($aw)*], r).ignore_subscribe_messages(true);
            p.set_retry(oxredis::retry::Retry::new(
                oxredis::retry::Backoff::Constant(Duration::from_millis(5)),
                2,
            ));
            p.subscribe("before") $(.$aw)* .unwrap();
            assert!(p.get_message(Some(Duration::ZERO)) $(.$aw)* .unwrap().is_none());
            // The (ignored) confirmation may still be in flight; a PING's pong comes after it,
            // so once the pong is read nothing is left to read before the server goes away.
            p.ping() $(.$aw)* .unwrap();
            assert_eq!(next_msg!([$($aw)*], &mut p).kind, MessageKind::Pong);
            server.stop();
            // Retries are spent while the server is down: the error reaches the caller.
            let e = p.get_message(Some(Duration::from_millis(100))) $(.$aw)* .unwrap_err();
            assert!(e.is_connection_error(), "{e:?}");
            assert!(!p.is_connected());
            // A subscription made meanwhile fails to send but is kept for the reconnect.
            let e = p.subscribe("during") $(.$aw)* .unwrap_err();
            assert!(e.is_connection_error(), "{e:?}");
            assert_eq!(p.channels(), ["before", "during"]);
            server.start_again();
            let direct = client!($m, url_for(&server.url(), protocol, ""));
            wait_for!(
                [$($aw)*],
                "re-subscription",
                ({
                    assert!(p
                        .get_message(Some(Duration::from_millis(10))) $(.$aw)*
                        .unwrap()
                        .is_none());
                    direct
                        .pubsub_numsub::<HashMap<String, i64>>(["before", "during"]) $(.$aw)*
                        .is_ok_and(|m| m["before"] == 1 && m["during"] == 1)
                })
            );
            direct.publish("during", "ok") $(.$aw)* .unwrap();
            assert_eq!(
                render(&next_msg!([$($aw)*], &mut p)),
                mk("message", Some("during"), None, "ok"),
                "{protocol:?}"
            );
        }
    }};
}

both_clients!(errors_while_server_down_then_recovers: errors_while_server_down_then_recovers_blocking, errors_while_server_down_then_recovers_async);

// ---------------------------------------------------------------- timeouts and health checks

macro_rules! blackholed_get_message_times_out {
    ($m:ident $(, $aw:tt)*) => {{
        let server = RedisServer::new();
        let proxy = Proxy::start(server.socket_addr());
        for (protocol, extra) in [
            (Protocol::Resp2, ""),
            (Protocol::Resp3, "&health_check_interval=0.2"),
        ] {
            let r = client!($m, url_for(&proxy.url(), protocol, extra));
            let mut p = pubsub_of!([$($aw)*], r);
            p.subscribe("bh") $(.$aw)* .unwrap();
            assert_eq!(next_msg!([$($aw)*], &mut p).kind, MessageKind::Subscribe);
            proxy.set_blackhole(true);
            server.cli(&["PUBLISH", "bh", "lost"]);
            let t = Instant::now();
            let got = p.get_message(Some(Duration::from_secs(1))) $(.$aw)* .unwrap();
            let took = t.elapsed();
            assert!(got.is_none(), "{got:?}");
            assert!(
                took >= Duration::from_millis(900) && took < Duration::from_secs(3),
                "{took:?}"
            );
            proxy.set_blackhole(false);
            p.close();
        }
    }};
}

both_clients!(blackholed_get_message_times_out: blackholed_get_message_times_out_blocking, blackholed_get_message_times_out_async);

macro_rules! zero_timeout_keeps_partial_frames {
    ($m:ident $(, $aw:tt)*) => {{
        // A message split by a slow link: polling with a zero timeout while its bytes trickle
        // in must neither block nor lose bytes.
        let server = RedisServer::new();
        let proxy = Proxy::start(server.socket_addr());
        for protocol in PROTOCOLS {
            let r = client!($m, url_for(&proxy.url(), protocol, ""));
            let direct = client!($m, url_for(&server.url(), protocol, ""));
            let mut p = pubsub_of!([$($aw)*], r);
            p.subscribe("slow") $(.$aw)* .unwrap();
            assert_eq!(next_msg!([$($aw)*], &mut p).kind, MessageKind::Subscribe);
            wait_for!([$($aw)*], "subscription", (numsub!(direct, "slow" $(, $aw)*) == 1));
            proxy.set_delay(Duration::from_millis(30));
            let big = "z".repeat(200_000);
            server.cli(&["PUBLISH", "slow", &big]);
            let deadline = Instant::now() + WAIT;
            let mut polls = 0;
            let m = loop {
                let t = Instant::now();
                let got = p.get_message(Some(Duration::ZERO)) $(.$aw)* .unwrap();
                assert!(t.elapsed() < Duration::from_millis(200));
                polls += 1;
                if let Some(m) = got {
                    break m;
                }
                assert!(Instant::now() < deadline);
                nap!([$($aw)*], Duration::from_millis(2));
            };
            assert!(polls > 1);
            assert_eq!(m.data_str(), Some(big.as_str()), "{protocol:?}");
            proxy.set_delay(Duration::ZERO);
            p.close();
        }
    }};
}

both_clients!(zero_timeout_keeps_partial_frames: zero_timeout_keeps_partial_frames_blocking, zero_timeout_keeps_partial_frames_async);

/// Health-check PINGs go out on an idle PubSub and their replies never surface; an explicit
/// PING still gives a pong message. Returns the PubSub.
macro_rules! health_checks_are_silent {
    ($server:expr, $protocol:expr, $m:ident $(, $aw:tt)*) => {{
        let server = $server;
        let protocol = $protocol;
        let r = client!($m, url_for(&server.url(), protocol, "&health_check_interval=0.05"));
        server.cli(&["CONFIG", "RESETSTAT"]);
        let mut p = pubsub_of!([$($aw)*], r);
        p.subscribe("hc") $(.$aw)* .unwrap();
        assert_eq!(next_msg!([$($aw)*], &mut p).kind, MessageKind::Subscribe);
        // Idle reads across several intervals: the health-check PINGs go out and their replies
        // never surface.
        let until = Instant::now() + Duration::from_millis(400);
        while Instant::now() < until {
            let got = p.get_message(Some(Duration::from_millis(100))) $(.$aw)* .unwrap();
            assert!(got.is_none(), "{protocol:?}: {got:?}");
        }
        let pings = ping_calls(server);
        assert!(pings >= 2, "{protocol:?}: {pings} PINGs");
        r.publish("hc", "after") $(.$aw)* .unwrap();
        assert_eq!(
            render(&next_msg!([$($aw)*], &mut p)),
            mk("message", Some("hc"), None, "after")
        );
        p.ping_with("hello") $(.$aw)* .unwrap();
        let m = next_msg!([$($aw)*], &mut p);
        assert_eq!((m.kind, m.data_str()), (MessageKind::Pong, Some("hello")));
        assert!(p.is_connected());
        // An explicit check on a connection idle past the interval sends one PING; its reply
        // never surfaces (read within the next interval, so the read itself checks nothing).
        std::thread::sleep(Duration::from_millis(120));
        let before = ping_calls(server);
        p.check_health() $(.$aw)* .unwrap();
        let got = p.get_message(Some(Duration::from_millis(20))) $(.$aw)* .unwrap();
        assert!(got.is_none(), "{protocol:?}: {got:?}");
        assert_eq!(ping_calls(server), before + 1, "{protocol:?}");
        // `connect` opens a closed PubSub's connection again, and keeps a live one.
        let mut fresh = pubsub_of!([$($aw)*], r);
        fresh.close();
        assert!(!fresh.is_connected());
        let clients = server.cli(&["CLIENT", "LIST"]).lines().count();
        fresh.connect() $(.$aw)* .unwrap();
        assert!(fresh.is_connected());
        assert_eq!(server.cli(&["CLIENT", "LIST"]).lines().count(), clients + 1);
        fresh.connect() $(.$aw)* .unwrap();
        assert_eq!(server.cli(&["CLIENT", "LIST"]).lines().count(), clients + 1);
        p
    }};
}

/// How many PINGs the server has run since the last `CONFIG RESETSTAT`.
fn ping_calls(server: &RedisServer) -> u32 {
    server
        .cli(&["INFO", "commandstats"])
        .lines()
        .find_map(|l| l.strip_prefix("cmdstat_ping:calls="))
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[test]
fn health_checks_are_silent_blocking() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        health_checks_are_silent!(&server, protocol, blocking);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_checks_are_silent_async() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        health_checks_are_silent!(&server, protocol, aio, await);
    }
}

// ---------------------------------------------------------------- monitor

macro_rules! monitor_sees_other_clients {
    ($m:ident $(, $aw:tt)*) => {{
        let server = RedisServer::new();
        for protocol in PROTOCOLS {
            let r = client!($m, url_for(&server.url(), protocol, ""));
            let mut m = r.monitor() $(.$aw)* .unwrap();
            let other = client!($m, url_for(&server.url(), protocol, "&db=3"));
            other.set("mon:key", "a\"b\\c\n\x00é") $(.$aw)* .unwrap();
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs_f64();
            let deadline = Instant::now() + WAIT;
            let entry = loop {
                let e = m.next_command_timeout(Duration::from_millis(200)) $(.$aw)* .unwrap();
                if let Some(e) = e {
                    if e.name().eq_ignore_ascii_case("set") {
                        break e;
                    }
                }
                assert!(Instant::now() < deadline, "SET not seen");
            };
            assert_eq!(entry.db, 3);
            assert_eq!(entry.client_type(), "tcp");
            assert_eq!(entry.client_address(), "127.0.0.1");
            assert!(entry.client_port().parse::<u16>().is_ok());
            assert!((entry.time - now).abs() < 60.0, "{}", entry.time);
            assert_eq!(entry.args.len(), 3);
            assert_eq!(&entry.args[1][..], b"mon:key");
            assert_eq!(&entry.args[2][..], "a\"b\\c\n\x00é".as_bytes());
            assert!(entry.command().starts_with("SET mon:key a\"b\\c"));
            // Lua: the script's commands are reported with client "lua".
            r.execute_command::<oxredis::Value>((
                "EVAL",
                "return redis.call('GET', KEYS[1])",
                1,
                "mon:key",
            ))
            $(.$aw)*
            .unwrap();
            let lua = loop {
                let e = m.listen().next() $(.$aw)* .unwrap().unwrap();
                if e.client_type() == "lua" {
                    break e;
                }
            };
            assert_eq!(lua.name().to_ascii_lowercase(), "get");
            assert_eq!((lua.client_address(), lua.client_port()), ("lua", ""));
            // Nothing more: a timed wait returns None and the monitor keeps working.
            assert!(m
                .next_command_timeout(Duration::from_millis(50)) $(.$aw)*
                .unwrap()
                .is_none());
            other.ping() $(.$aw)* .unwrap();
            let e = m.next_command() $(.$aw)* .unwrap();
            assert_eq!(e.name().to_ascii_lowercase(), "ping", "{protocol:?}");
        }
    }};
}

both_clients!(monitor_sees_other_clients: monitor_sees_other_clients_blocking, monitor_sees_other_clients_async);
