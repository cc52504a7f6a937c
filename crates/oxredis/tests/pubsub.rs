//! Pub/Sub, MONITOR, health checks and reconnection against real redis-server processes.
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
use oxredis::{Error, ErrorKind, Protocol, PubSub, Redis};
use oxredis_test_support::{Proxy, RedisServer};

fn url_for(base: &str, protocol: Protocol, extra: &str) -> String {
    format!("{}{extra}", with_protocol(base, protocol))
}

fn client(server: &RedisServer, protocol: Protocol) -> Redis {
    Redis::from_url(&url_for(&server.url(), protocol, "")).unwrap()
}

/// The next message returned by `get_message`, failing the test after `WAIT`.
fn next(p: &mut PubSub) -> Message {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(m) = p.get_message(Some(Duration::from_millis(100))).unwrap() {
            return m;
        }
        assert!(Instant::now() < deadline, "no message within {WAIT:?}");
    }
}

fn numsub(r: &Redis, channel: &str) -> i64 {
    let m: HashMap<String, i64> = r.pubsub_numsub([channel]).unwrap();
    m[channel]
}

#[test]
fn seed_sequence_resp2_and_resp3() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let r = client(&server, protocol);
        let mut p = r.pubsub();
        p.subscribe(["my-first-channel", "my-second-channel"])
            .unwrap();
        p.psubscribe("my-*").unwrap();
        let got: Vec<_> = (0..3).map(|_| render(&next(&mut p))).collect();
        assert_eq!(
            got,
            [
                mk("subscribe", Some("my-first-channel"), None, "1"),
                mk("subscribe", Some("my-second-channel"), None, "2"),
                mk("psubscribe", Some("my-*"), None, "3"),
            ],
            "{protocol:?}"
        );
        assert_eq!(r.publish("my-first-channel", "some data").unwrap(), 2);
        assert_eq!(
            render(&next(&mut p)),
            mk("message", Some("my-first-channel"), None, "some data")
        );
        assert_eq!(
            render(&next(&mut p)),
            mk(
                "pmessage",
                Some("my-first-channel"),
                Some("my-*"),
                "some data"
            )
        );
        p.unsubscribe("my-first-channel").unwrap();
        p.unsubscribe("my-second-channel").unwrap();
        p.punsubscribe("my-*").unwrap();
        let got: Vec<_> = (0..3).map(|_| render(&next(&mut p))).collect();
        assert_eq!(
            got,
            [
                mk("unsubscribe", Some("my-first-channel"), None, "2"),
                mk("unsubscribe", Some("my-second-channel"), None, "1"),
                mk("punsubscribe", Some("my-*"), None, "0"),
            ],
            "{protocol:?}"
        );
        assert!(!p.is_subscribed());
        // Nothing waiting: a zero timeout returns at once.
        let t = Instant::now();
        assert!(p.get_message(Some(Duration::ZERO)).unwrap().is_none());
        assert!(t.elapsed() < Duration::from_millis(500));
    }
}

#[test]
fn unsubscribe_all_and_listen() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let r = client(&server, protocol);
        let mut p = r.pubsub();
        p.subscribe(["a", "b"]).unwrap();
        p.psubscribe(["x*", "y*"]).unwrap();
        p.ssubscribe("s").unwrap();
        wait_until("subscriptions", || {
            numsub(&r, "b") == 1 && r.pubsub_numpat().unwrap() == 2
        });
        for i in 0..3 {
            assert_eq!(r.publish("a", i).unwrap(), 1);
        }
        p.unsubscribe_all().unwrap();
        p.punsubscribe(Vec::<&str>::new()).unwrap();
        p.sunsubscribe_all().unwrap();
        // listen() yields everything, then ends once the last unsubscribe is confirmed.
        let got: Vec<_> = p.listen().map(|m| render(&m.unwrap())).collect();
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
        p.unsubscribe_all().unwrap();
        let m = next(&mut p);
        assert_eq!(
            (m.kind, m.channel.clone()),
            (MessageKind::Unsubscribe, None)
        );
        assert_eq!(m.data_as::<i64>().unwrap(), 0);
    }
}

#[test]
fn handlers_take_their_messages() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let r = client(&server, protocol);
        let mut p = r.pubsub().ignore_subscribe_messages(true);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s2 = Arc::clone(&seen);
        p.subscribe_with("handled", move |m: Message| {
            s2.lock().unwrap().push(render(&m));
        })
        .unwrap();
        let s3 = Arc::clone(&seen);
        p.psubscribe_with("pat-*", move |m: Message| {
            s3.lock().unwrap().push(render(&m));
        })
        .unwrap();
        p.subscribe("plain").unwrap();
        wait_until("subscriptions", || numsub(&r, "plain") == 1);
        r.publish("handled", "h1").unwrap();
        r.publish("pat-1", "p1").unwrap();
        r.publish("plain", "x").unwrap();
        // Confirmations are ignored and handled messages are not returned: the first message
        // get_message returns is the plain one, read after both handled ones.
        assert_eq!(
            render(&next(&mut p)),
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
        assert!(p.get_message(Some(Duration::ZERO)).unwrap().is_none());
    }
}

#[test]
fn run_in_thread_delivers_in_order_and_stops() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let r = client(&server, protocol);
        let mut p = r.pubsub();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s2 = Arc::clone(&seen);
        p.subscribe_with("work", move |m: Message| {
            s2.lock().unwrap().push(m.data_as::<i64>().unwrap());
        })
        .unwrap();
        let worker = p.run_in_thread(Duration::from_millis(20), None).unwrap();
        assert!(worker.is_running());
        wait_until("subscription", || numsub(&r, "work") == 1);
        for i in 0..1000 {
            assert_eq!(r.publish("work", i).unwrap(), 1);
        }
        wait_until("1000 messages", || seen.lock().unwrap().len() == 1000);
        assert_eq!(*seen.lock().unwrap(), (0..1000).collect::<Vec<i64>>());
        worker.stop();
        let t = Instant::now();
        let mut p = worker.join().unwrap();
        assert!(t.elapsed() < Duration::from_secs(2));
        // The PubSub comes back usable.
        assert_eq!(p.channels(), ["work"]);
        p.close();
        assert!(!p.is_subscribed());
        wait_until("close", || numsub(&r, "work") == 0);
    }
}

#[test]
fn run_in_thread_refuses_subscriptions_without_handler() {
    let server = RedisServer::new();
    let r = client(&server, Protocol::Resp2);
    let mut p = r.pubsub();
    p.subscribe_with("ok", |_m: Message| {}).unwrap();
    p.psubscribe("no-handler-*").unwrap();
    let e = p
        .run_in_thread(Duration::from_millis(10), None)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Data);
    assert!(e.to_string().contains("no-handler-*"), "{e}");
}

#[test]
fn handler_errors_reach_the_exception_handler() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let r = client(&server, protocol);
        let mut p = r.pubsub();
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
        .unwrap();
        let errors = Arc::new(Mutex::new(Vec::new()));
        let e2 = Arc::clone(&errors);
        let handler: oxredis::blocking::ExceptionHandler =
            Box::new(move |e: Error, _p: &mut PubSub| {
                e2.lock().unwrap().push(e.to_string());
            });
        let worker = p
            .run_in_thread(Duration::from_millis(20), Some(handler))
            .unwrap();
        wait_until("subscription", || numsub(&r, "jobs") == 1);
        for m in ["one", "fail", "two", "panic", "three"] {
            r.publish("jobs", m).unwrap();
        }
        wait_until("all messages", || ok.lock().unwrap().len() == 3);
        assert_eq!(*ok.lock().unwrap(), ["one", "two", "three"]);
        let errs = errors.lock().unwrap().clone();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs[0].contains("job failed"), "{errs:?}");
        assert!(errs[1].contains("handler exploded"), "{errs:?}");
        // The thread survived both and stops cleanly.
        assert!(worker.is_running());
        worker.join().unwrap();
    }
}

#[test]
fn handler_error_from_get_message_without_thread() {
    let server = RedisServer::new();
    let r = client(&server, Protocol::Resp3);
    let mut p = r.pubsub().ignore_subscribe_messages(true);
    p.subscribe_with("c", |_m: Message| -> oxredis::Result<()> {
        Err(Error::new(ErrorKind::Data, "nope"))
    })
    .unwrap();
    wait_until("subscription", || numsub(&r, "c") == 1);
    r.publish("c", "x").unwrap();
    let deadline = Instant::now() + WAIT;
    let err = loop {
        match p.get_message(Some(Duration::from_millis(100))) {
            Err(e) => break e,
            Ok(None) => assert!(Instant::now() < deadline),
            Ok(Some(m)) => panic!("handled message returned: {m:?}"),
        }
    };
    assert!(err.to_string().contains("nope"));
    // The connection is still fine afterwards.
    p.subscribe("d").unwrap();
    wait_until("subscription", || numsub(&r, "d") == 1);
    r.publish("d", "y").unwrap();
    assert_eq!(render(&next(&mut p)), mk("message", Some("d"), None, "y"));
}

/// Subscribes to a channel, a pattern and a shard channel, breaks the connection with `cut`,
/// and checks that messages published afterwards arrive on all three without any error.
fn survives(protocol: Protocol, pubsub_url: &str, publisher_url: &str, cut: &mut dyn FnMut()) {
    let mut p = Redis::from_url(&url_for(pubsub_url, protocol, ""))
        .unwrap()
        .pubsub();
    p.subscribe("chan").unwrap();
    p.psubscribe("pat-*").unwrap();
    p.ssubscribe("shard").unwrap();
    let confirmations: Vec<_> = (0..3).map(|_| next(&mut p).kind).collect();
    assert_eq!(
        confirmations,
        [
            MessageKind::Subscribe,
            MessageKind::PSubscribe,
            MessageKind::SSubscribe
        ]
    );
    cut();
    // Made after the cut, so a server restart does not leave it a dead pooled connection.
    let direct = Redis::from_url(&with_protocol(publisher_url, protocol)).unwrap();
    // The PubSub notices the break on its next read, reconnects and re-subscribes; its
    // confirmations come again. Keep reading (no error allowed) until the server sees all three
    // subscriptions again.
    let mut reconfirmed = Vec::new();
    wait_until("re-subscription", || {
        if let Some(m) = p.get_message(Some(Duration::from_millis(20))).unwrap() {
            reconfirmed.push(m.kind);
        }
        let r = &direct;
        let shard: Option<HashMap<String, i64>> = r.pubsub_shardnumsub(["shard"]).ok();
        r.pubsub_numsub::<HashMap<String, i64>>(["chan"])
            .is_ok_and(|m| m["chan"] == 1)
            && r.pubsub_numpat().is_ok_and(|n| n == 1)
            && shard.is_some_and(|m| m["shard"] == 1)
    });
    assert_eq!(direct.publish("chan", "after-1").unwrap(), 1);
    assert_eq!(direct.publish("pat-x", "after-2").unwrap(), 1);
    assert_eq!(direct.spublish("shard", "after-3").unwrap(), 1);
    let mut got = Vec::new();
    while got.len() < 3 {
        let m = next(&mut p);
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
        [
            MessageKind::PSubscribe,
            MessageKind::SSubscribe,
            MessageKind::Subscribe
        ],
        "{protocol:?}"
    );
}

#[test]
fn resubscribes_after_server_restart() {
    let mut server = RedisServer::new();
    let url = server.url();
    for protocol in PROTOCOLS {
        survives(protocol, &url, &url, &mut || server.restart());
    }
}

#[test]
fn resubscribes_after_proxy_drop() {
    let server = RedisServer::new();
    let proxy = Proxy::start(server.socket_addr());
    for protocol in PROTOCOLS {
        let before = proxy.accepted_count();
        survives(protocol, &proxy.url(), &server.url(), &mut || {
            proxy.drop_all()
        });
        assert!(proxy.accepted_count() > before + 1, "no reconnect happened");
    }
}

#[test]
fn resubscribes_after_client_kill() {
    let server = RedisServer::new();
    let url = server.url();
    for protocol in PROTOCOLS {
        survives(protocol, &url, &url, &mut || {
            let killed = server.cli(&["CLIENT", "KILL", "TYPE", "pubsub"]);
            assert_eq!(killed, "1");
        });
    }
}

#[test]
fn blackholed_get_message_times_out() {
    let server = RedisServer::new();
    let proxy = Proxy::start(server.socket_addr());
    for (protocol, extra) in [
        (Protocol::Resp2, ""),
        (Protocol::Resp3, "&health_check_interval=0.2"),
    ] {
        let mut p = Redis::from_url(&url_for(&proxy.url(), protocol, extra))
            .unwrap()
            .pubsub();
        p.subscribe("bh").unwrap();
        assert_eq!(next(&mut p).kind, MessageKind::Subscribe);
        proxy.set_blackhole(true);
        server.cli(&["PUBLISH", "bh", "lost"]);
        let t = Instant::now();
        let got = p.get_message(Some(Duration::from_secs(1))).unwrap();
        let took = t.elapsed();
        assert!(got.is_none(), "{got:?}");
        assert!(
            took >= Duration::from_millis(900) && took < Duration::from_secs(3),
            "{took:?}"
        );
        proxy.set_blackhole(false);
        p.close();
    }
}

#[test]
fn zero_timeout_keeps_partial_frames() {
    // A message split by a slow link: polling with a zero timeout while its bytes trickle in
    // must neither block nor lose bytes.
    let server = RedisServer::new();
    let proxy = Proxy::start(server.socket_addr());
    let mut p = Redis::from_url(&proxy.url()).unwrap().pubsub();
    p.subscribe("slow").unwrap();
    assert_eq!(next(&mut p).kind, MessageKind::Subscribe);
    wait_until("subscription", || {
        numsub(&client(&server, Protocol::Resp2), "slow") == 1
    });
    proxy.set_delay(Duration::from_millis(30));
    let big = "z".repeat(200_000);
    server.cli(&["PUBLISH", "slow", &big]);
    let deadline = Instant::now() + WAIT;
    let mut polls = 0;
    let m = loop {
        let t = Instant::now();
        let got = p.get_message(Some(Duration::ZERO)).unwrap();
        assert!(t.elapsed() < Duration::from_millis(200));
        polls += 1;
        if let Some(m) = got {
            break m;
        }
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(2));
    };
    assert!(polls > 1);
    assert_eq!(m.data_str(), Some(big.as_str()));
}

#[test]
fn health_checks_are_silent() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let url = url_for(&server.url(), protocol, "&health_check_interval=0.05");
        let r = Redis::from_url(&url).unwrap();
        server.cli(&["CONFIG", "RESETSTAT"]);
        let mut p = r.pubsub();
        p.subscribe("hc").unwrap();
        assert_eq!(next(&mut p).kind, MessageKind::Subscribe);
        // Idle reads across several intervals: the health-check PINGs go out and their replies
        // never surface.
        let until = Instant::now() + Duration::from_millis(400);
        while Instant::now() < until {
            let got = p.get_message(Some(Duration::from_millis(100))).unwrap();
            assert!(got.is_none(), "{protocol:?}: {got:?}");
        }
        let stats = server.cli(&["INFO", "commandstats"]);
        let pings = stats
            .lines()
            .find_map(|l| l.strip_prefix("cmdstat_ping:calls="))
            .and_then(|rest| rest.split(',').next())
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0);
        assert!(pings >= 2, "{protocol:?}: {stats}");
        r.publish("hc", "after").unwrap();
        assert_eq!(
            render(&next(&mut p)),
            mk("message", Some("hc"), None, "after")
        );
        // An explicit check_health right away sends nothing (not idle) and is harmless.
        p.check_health().unwrap();
    }
}

#[test]
fn ping_gives_pong_messages() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let r = client(&server, protocol);
        let mut p = r.pubsub();
        // Not subscribed yet.
        p.ping().unwrap();
        assert_eq!(render(&next(&mut p)), mk("pong", None, None, ""));
        p.subscribe("x").unwrap();
        assert_eq!(next(&mut p).kind, MessageKind::Subscribe);
        p.ping().unwrap();
        assert_eq!(
            render(&next(&mut p)),
            mk("pong", None, None, ""),
            "{protocol:?}"
        );
        p.ping_with("hello").unwrap();
        assert_eq!(
            render(&next(&mut p)),
            mk("pong", None, None, "hello"),
            "{protocol:?}"
        );
        // Pongs are returned even when confirmations are ignored.
        p.set_ignore_subscribe_messages(true);
        p.subscribe("y").unwrap();
        p.ping().unwrap();
        assert_eq!(next(&mut p).kind, MessageKind::Pong);
    }
}

#[test]
fn binary_and_decoded_payloads() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let r = client(&server, protocol);
        let mut p = r.pubsub().ignore_subscribe_messages(true);
        p.subscribe(&b"bin\xff"[..]).unwrap();
        wait_until("subscription", || {
            r.pubsub_numsub::<HashMap<Vec<u8>, i64>>([&b"bin\xff"[..]])
                .unwrap()[&b"bin\xff"[..]]
                == 1
        });
        r.publish(&b"bin\xff"[..], &b"\x00\x01\xfe"[..]).unwrap();
        let m = next(&mut p);
        assert_eq!(m.channel.as_deref(), Some(&b"bin\xff"[..]));
        assert_eq!(m.data_bytes(), Some(&b"\x00\x01\xfe"[..]));

        let dr =
            Redis::from_url(&url_for(&server.url(), protocol, "&decode_responses=true")).unwrap();
        let mut p = dr.pubsub().ignore_subscribe_messages(true);
        p.subscribe("txt").unwrap();
        wait_until("subscription", || numsub(&r, "txt") == 1);
        r.publish("txt", "héllo").unwrap();
        let m = next(&mut p);
        assert_eq!(
            (m.channel_str(), m.data_str()),
            (Some("txt"), Some("héllo"))
        );
        assert_eq!(m.data_as::<String>().unwrap(), "héllo");
    }
}

#[test]
fn pubsub_introspection_commands() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let r = client(&server, protocol);
        let mut p = r.pubsub();
        p.subscribe(["news.a", "news.b"]).unwrap();
        p.psubscribe(["n*", "m*"]).unwrap();
        p.ssubscribe("sh1").unwrap();
        wait_until("subscriptions", || r.pubsub_numpat().unwrap() == 2);
        wait_until("shard subscription", || {
            r.pubsub_shardnumsub::<HashMap<String, i64>>(["sh1"])
                .unwrap()["sh1"]
                == 1
        });
        let mut chans: Vec<String> = r.pubsub_channels("*").unwrap();
        chans.sort();
        assert_eq!(chans, ["news.a", "news.b"]);
        let chans: Vec<String> = r.pubsub_channels("news.a").unwrap();
        assert_eq!(chans, ["news.a"]);
        // Pairs come back as a map on both protocols (RESP2's flat array is normalised).
        let counts: std::collections::BTreeMap<String, i64> =
            r.pubsub_numsub(["news.a", "none"]).unwrap();
        let counts: Vec<_> = counts.into_iter().collect();
        assert_eq!(counts, [("news.a".to_owned(), 1), ("none".to_owned(), 0)]);
        let raw: oxredis::Value = r.pubsub_numsub(["news.b"]).unwrap();
        assert!(matches!(raw, oxredis::Value::Map(_)), "{raw:?}");
        let shards: Vec<String> = r.pubsub_shardchannels("*").unwrap();
        assert_eq!(shards, ["sh1"]);
        assert_eq!(r.spublish("sh1", "m").unwrap(), 1);
        assert_eq!(r.publish("zzz-nobody", "m").unwrap(), 0);
        p.close();
        wait_until("close", || r.pubsub_numpat().unwrap() == 0);
    }
}

#[test]
fn monitor_sees_other_clients() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let r = client(&server, protocol);
        let mut m = r.monitor().unwrap();
        let other = Redis::from_url(&url_for(&server.url(), protocol, "&db=3")).unwrap();
        other.set("mon:key", "a\"b\\c\n\x00é").unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        let deadline = Instant::now() + WAIT;
        let entry = loop {
            let e = m.next_command_timeout(Duration::from_millis(200)).unwrap();
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
        .unwrap();
        let lua = loop {
            let e = m.listen().next().unwrap().unwrap();
            if e.client_type() == "lua" {
                break e;
            }
        };
        assert_eq!(lua.name().to_ascii_lowercase(), "get");
        assert_eq!((lua.client_address(), lua.client_port()), ("lua", ""));
        // Nothing more: a timed wait returns None and the monitor keeps working.
        assert!(m
            .next_command_timeout(Duration::from_millis(50))
            .unwrap()
            .is_none());
        other.ping().unwrap();
        let e = m.next_command().unwrap();
        assert_eq!(e.name().to_ascii_lowercase(), "ping");
    }
}

#[test]
fn errors_while_server_down_then_recovers() {
    let mut server = RedisServer::new();
    let r = client(&server, Protocol::Resp2);
    let mut p = r.pubsub().ignore_subscribe_messages(true);
    p.set_retry(oxredis::retry::Retry::new(
        oxredis::retry::Backoff::Constant(Duration::from_millis(5)),
        2,
    ));
    p.subscribe("before").unwrap();
    assert!(p.get_message(Some(Duration::ZERO)).unwrap().is_none());
    // The (ignored) confirmation may still be in flight; a PING's pong comes after it, so once
    // the pong is read nothing is left to read before the server goes away.
    p.ping().unwrap();
    assert_eq!(next(&mut p).kind, MessageKind::Pong);
    server.stop();
    // Retries are spent while the server is down: the error reaches the caller.
    let e = p.get_message(Some(Duration::from_millis(100))).unwrap_err();
    assert!(e.is_connection_error(), "{e:?}");
    assert!(!p.is_connected());
    // A subscription made meanwhile fails to send but is kept for the reconnect.
    let e = p.subscribe("during").unwrap_err();
    assert!(e.is_connection_error(), "{e:?}");
    assert_eq!(p.channels(), ["before", "during"]);
    server.start_again();
    let direct = client(&server, Protocol::Resp2);
    wait_until("re-subscription", || {
        assert!(p
            .get_message(Some(Duration::from_millis(10)))
            .unwrap()
            .is_none());
        direct
            .pubsub_numsub::<HashMap<String, i64>>(["before", "during"])
            .is_ok_and(|m| m["before"] == 1 && m["during"] == 1)
    });
    direct.publish("during", "ok").unwrap();
    assert_eq!(
        render(&next(&mut p)),
        mk("message", Some("during"), None, "ok")
    );
}

#[test]
fn run_in_thread_survives_a_dropped_connection() {
    let server = RedisServer::new();
    let proxy = Proxy::start(server.socket_addr());
    for protocol in PROTOCOLS {
        let direct = client(&server, protocol);
        let mut p = Redis::from_url(&url_for(&proxy.url(), protocol, ""))
            .unwrap()
            .pubsub();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s2 = Arc::clone(&seen);
        p.psubscribe_with("t.*", move |m: Message| {
            s2.lock().unwrap().push(m.data_str().unwrap().to_owned());
        })
        .unwrap();
        let errors = Arc::new(Mutex::new(0));
        let e2 = Arc::clone(&errors);
        let worker = p
            .run_in_thread(
                Duration::from_millis(20),
                Some(Box::new(move |_e: Error, _p: &mut PubSub| {
                    *e2.lock().unwrap() += 1;
                })),
            )
            .unwrap();
        wait_until("subscription", || direct.pubsub_numpat().unwrap() == 1);
        direct.publish("t.1", "before").unwrap();
        wait_until("first message", || seen.lock().unwrap().len() == 1);
        proxy.drop_all();
        // Publish until the re-subscribed worker receives one (messages published while the
        // subscription is gone are lost, as in Redis).
        let mut sent = 0;
        wait_until("message after reconnect", || {
            if direct.publish("t.2", "after").unwrap() == 1 {
                sent += 1;
            }
            sent > 0 && seen.lock().unwrap().last().map(String::as_str) == Some("after")
        });
        assert_eq!(seen.lock().unwrap()[0], "before");
        assert_eq!(*errors.lock().unwrap(), 0, "{protocol:?}");
        worker.join().unwrap();
    }
}
