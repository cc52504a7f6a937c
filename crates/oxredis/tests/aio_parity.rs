//! The blocking and async clients mirror each other: the same builder, `monitor()`, and pub/sub
//! handlers with a background worker. Where a behaviour exists in both, one test body (a
//! `macro_rules!` taking `$(, $aw)*`, `await` for the async client) runs against both.
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;
use common::*;
use oxredis::pubsub::Message;
use oxredis::{aio, ClientBuilder, Error, ErrorKind, Protocol};
use oxredis_test_support::RedisServer;

fn url_at(server: &RedisServer, protocol: Protocol, extra: &str) -> String {
    format!("{}{extra}", with_protocol(&server.url(), protocol))
}

// ---------------------------------------------------------------- builder

#[tokio::test]
async fn one_builder_chain_builds_both_clients() {
    let server = RedisServer::new();
    let chain: ClientBuilder = oxredis::Redis::builder()
        .host(server.host())
        .port(server.port())
        .db(2)
        .client_name("parity")
        .socket_timeout(Duration::from_secs(3))
        .max_connections(3)
        .max_queued_requests(64);
    // `aio::Redis::builder()` is the same builder.
    let same: ClientBuilder = aio::Redis::builder()
        .host(server.host())
        .port(server.port())
        .db(2)
        .client_name("parity")
        .socket_timeout(Duration::from_secs(3))
        .max_connections(3)
        .max_queued_requests(64);
    assert_eq!(chain.config(), same.config());

    let b = chain.clone().build();
    let a = same.build_async();
    assert_eq!(b.config(), a.config());
    let c = a.config();
    assert_eq!(c.db, 2);
    assert_eq!(c.client_name.as_deref(), Some("parity"));
    assert_eq!(c.socket_timeout, Some(Duration::from_secs(3)));
    assert_eq!(c.max_connections, 3);
    assert_eq!(c.max_queued_requests, 64);
    assert_eq!(
        c.addr,
        oxredis::Addr::Tcp {
            host: server.host().into(),
            port: server.port()
        }
    );

    // Round trip in db 2 under the client name, across the two clients.
    b.set("parity:k", "from-blocking").unwrap();
    let v: Option<String> = a.get("parity:k").await.unwrap();
    assert_eq!(v.as_deref(), Some("from-blocking"));
    a.set("parity:k", "from-async").await.unwrap();
    let v: Option<String> = b.get("parity:k").unwrap();
    assert_eq!(v.as_deref(), Some("from-async"));
    let name: Option<String> = b.client_getname().unwrap();
    assert_eq!(name.as_deref(), Some("parity"));
    let name: Option<String> = a.client_getname().await.unwrap();
    assert_eq!(name.as_deref(), Some("parity"));
    let db0 = oxredis::Redis::from_url(&server.url()).unwrap();
    assert_eq!(db0.exists("parity:k").unwrap(), 0);
    assert_eq!(
        oxredis::ClientBuilder::default().build_async().config().db,
        0
    );
}

// ---------------------------------------------------------------- monitor

/// Starts a monitor on `$r`, runs SET and GET on `$other` (db 3), and returns what the monitor
/// saw of them as `(db, command)`. One body for both clients.
macro_rules! monitor_sees {
    ($r:expr, $other:expr $(, $aw:tt)*) => {{
        let mut m = $r.monitor() $(.$aw)* .unwrap();
        let other = $other;
        other.set("mon:k", "v") $(.$aw)* .unwrap();
        let v: Option<String> = other.get("mon:k") $(.$aw)* .unwrap();
        assert_eq!(v.as_deref(), Some("v"));
        let mut seen: Vec<(i64, String)> = Vec::new();
        while seen.len() < 2 {
            // The other client's handshake (HELLO, CLIENT SETINFO, SELECT) comes first.
            let e = m.next_command_timeout(WAIT) $(.$aw)* .unwrap().expect("no command in time");
            if ["set", "get"].contains(&e.name().to_ascii_lowercase().as_str()) {
                assert_eq!(e.client_type(), "tcp");
                seen.push((e.db, e.command()));
            }
        }
        // Nothing more: a short wait gives None and the monitor keeps working.
        let quiet = m.next_command_timeout(Duration::from_millis(50)) $(.$aw)* .unwrap();
        assert_eq!(quiet, None);
        other.ping() $(.$aw)* .unwrap();
        let e = m.next_command() $(.$aw)* .unwrap();
        assert_eq!(e.name().to_ascii_lowercase(), "ping");
        assert_eq!(e.db, 3);
        (seen, m)
    }};
}

#[tokio::test]
async fn monitor_sees_commands_of_other_clients_in_both_clients() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let url = url_at(&server, protocol, "");
        let other = url_at(&server, protocol, "&db=3");
        let b = oxredis::Redis::from_url(&url).unwrap();
        let (expected, _m) = monitor_sees!(b, oxredis::Redis::from_url(&other).unwrap());
        let a = aio::Redis::from_url(&url).unwrap();
        let (got, mut m) = monitor_sees!(a, aio::Redis::from_url(&other).unwrap(), await);
        assert_eq!(got, expected, "{protocol:?}");
        assert_eq!(
            got,
            [(3, "SET mon:k v".to_owned()), (3, "GET mon:k".to_owned())],
            "{protocol:?}"
        );
        // The async monitor is also a stream.
        let r3 = aio::Redis::from_url(&other).unwrap();
        r3.incr("mon:n").await.unwrap();
        let mut stream = m.listen();
        let e = loop {
            let e = tokio::time::timeout(WAIT, stream.next())
                .await
                .expect("no entry in time")
                .expect("stream ended")
                .unwrap();
            if e.name().eq_ignore_ascii_case("incr") {
                break e;
            }
        };
        assert_eq!((e.db, e.command()), (3, "INCR mon:n".to_owned()));
    }
}

// ---------------------------------------------------------------- pub/sub handlers and worker

fn nap_blocking() {
    std::thread::sleep(Duration::from_millis(10));
}

async fn nap_async() {
    tokio::time::sleep(Duration::from_millis(10)).await;
}

/// Handlers on a channel and a pattern, run by the background worker (`$w => $start` starts
/// it from the PubSub named `$w`); returns what the handlers saw. One body for both clients.
macro_rules! handlers_and_worker {
    ($r:expr, $p:expr, $nap:ident, $w:ident => $start:expr $(, $aw:tt)*) => {{
        let r = $r;
        let mut p = $p;
        let seen = Arc::new(Mutex::new(Vec::<String>::new()));
        let s2 = Arc::clone(&seen);
        p.subscribe_with("work", move |m: Message| {
            let line = format!("{}:{}", m.channel_str().unwrap(), m.data_str().unwrap());
            s2.lock().unwrap().push(line);
        }) $(.$aw)* .unwrap();
        let s3 = Arc::clone(&seen);
        p.psubscribe_with("job-*", move |m: Message| -> oxredis::Result<()> {
            let line = format!(
                "{}@{}:{}",
                m.pattern_str().unwrap(),
                m.channel_str().unwrap(),
                m.data_str().unwrap()
            );
            s3.lock().unwrap().push(line);
            Ok(())
        }) $(.$aw)* .unwrap();
        let $w = p;
        let worker = $start;
        assert!(worker.is_running());
        let deadline = Instant::now() + WAIT;
        loop {
            let n: HashMap<String, i64> = r.pubsub_numsub(["work"]) $(.$aw)* .unwrap();
            let pats: i64 = r.pubsub_numpat() $(.$aw)* .unwrap();
            if n["work"] == 1 && pats == 1 {
                break;
            }
            assert!(Instant::now() < deadline, "not subscribed in time");
            $nap() $(.$aw)*;
        }
        for i in 0..100 {
            assert_eq!(r.publish("work", i) $(.$aw)* .unwrap(), 1);
            if i % 10 == 0 {
                assert_eq!(r.publish("job-a", i) $(.$aw)* .unwrap(), 1);
            }
        }
        let deadline = Instant::now() + WAIT;
        while seen.lock().unwrap().len() < 110 {
            assert!(Instant::now() < deadline, "messages not handled in time");
            $nap() $(.$aw)*;
        }
        worker.stop();
        let t = Instant::now();
        let mut p = worker.join() $(.$aw)* .unwrap();
        assert!(t.elapsed() < Duration::from_secs(2));
        // The PubSub comes back with its subscriptions; unsubscribing ends them on the server.
        assert_eq!(p.channels(), ["work"]);
        assert_eq!(p.patterns(), ["job-*"]);
        p.unsubscribe_all() $(.$aw)* .unwrap();
        p.punsubscribe_all() $(.$aw)* .unwrap();
        let deadline = Instant::now() + WAIT;
        while p.is_subscribed() {
            p.get_message(Some(Duration::from_millis(100))) $(.$aw)* .unwrap();
            assert!(Instant::now() < deadline, "unsubscribe not confirmed in time");
        }
        let n: HashMap<String, i64> = r.pubsub_numsub(["work"]) $(.$aw)* .unwrap();
        assert_eq!(n["work"], 0);
        assert_eq!(r.pubsub_numpat() $(.$aw)* .unwrap(), 0);
        let seen = seen.lock().unwrap().clone();
        seen
    }};
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handlers_and_worker_deliver_in_order_and_stop_in_both_clients() {
    let server = RedisServer::new();
    let mut expected = Vec::new();
    for i in 0..100 {
        expected.push(format!("work:{i}"));
        if i % 10 == 0 {
            expected.push(format!("job-*@job-a:{i}"));
        }
    }
    for protocol in PROTOCOLS {
        let url = url_at(&server, protocol, "");
        let b = oxredis::Redis::from_url(&url).unwrap();
        let from_blocking = handlers_and_worker!(
            &b, b.pubsub(), nap_blocking,
            p => p.run_in_thread(Duration::from_millis(20), None).unwrap()
        );
        let a = aio::Redis::from_url(&url).unwrap();
        let from_async = handlers_and_worker!(
            &a, a.pubsub().await.unwrap(), nap_async,
            p => p.run_in_task(None).unwrap(),
            await
        );
        assert_eq!(from_blocking, expected, "{protocol:?}");
        assert_eq!(from_async, expected, "{protocol:?}");
    }
}

/// A worker refuses a subscription without a handler; handler errors and panics reach the
/// exception handler and the worker keeps going. One body for both clients.
macro_rules! worker_errors {
    ($r:expr, $p:expr, $nap:ident, $w:ident, $h:ident => $start:expr $(, $aw:tt)*) => {{
        let r = $r;
        let mut p = $p;
        p.subscribe_with("ok", |_m: Message| {}) $(.$aw)* .unwrap();
        p.psubscribe("no-handler-*") $(.$aw)* .unwrap();
        let $w = p;
        let $h = None;
        let e = $start.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Data);
        assert_eq!(e.to_string(), r#"Data error: pattern "no-handler-*" has no handler registered"#);

        let mut p = $p;
        let ok = Arc::new(Mutex::new(Vec::<String>::new()));
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
        }) $(.$aw)* .unwrap();
        let errors = Arc::new(Mutex::new(Vec::<String>::new()));
        let e2 = Arc::clone(&errors);
        let $w = p;
        let $h = Some(Box::new(move |e: Error, _p: &mut _| {
            e2.lock().unwrap().push(e.to_string());
        }) as _);
        let worker = $start.unwrap();
        let deadline = Instant::now() + WAIT;
        loop {
            let n: HashMap<String, i64> = r.pubsub_numsub(["jobs"]) $(.$aw)* .unwrap();
            if n["jobs"] == 1 {
                break;
            }
            assert!(Instant::now() < deadline, "not subscribed in time");
            $nap() $(.$aw)*;
        }
        for m in ["one", "fail", "two", "panic", "three"] {
            r.publish("jobs", m) $(.$aw)* .unwrap();
        }
        let deadline = Instant::now() + WAIT;
        while ok.lock().unwrap().len() < 3 {
            assert!(Instant::now() < deadline, "messages not handled in time");
            $nap() $(.$aw)*;
        }
        assert!(worker.is_running());
        let mut p = worker.join() $(.$aw)* .unwrap();
        p.close();
        let ok = ok.lock().unwrap().clone();
        let errors = errors.lock().unwrap().clone();
        (ok, errors)
    }};
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_errors_reach_the_exception_handler_in_both_clients() {
    let server = RedisServer::new();
    let url = url_at(&server, Protocol::Resp3, "");
    let b = oxredis::Redis::from_url(&url).unwrap();
    let from_blocking = worker_errors!(
        &b, b.pubsub(), nap_blocking, p, h =>
        p.run_in_thread(Duration::from_millis(20), h)
    );
    let a = aio::Redis::from_url(&url).unwrap();
    let from_async = worker_errors!(
        &a, a.pubsub().await.unwrap(), nap_async, p, h =>
        p.run_in_task(h),
        await
    );
    assert_eq!(from_async, from_blocking);
    assert_eq!(from_async.0, ["one", "two", "three"]);
    assert_eq!(
        from_async.1,
        [
            "Data error: job failed".to_owned(),
            r#"Data error: pub/sub handler for "jobs" panicked: handler exploded"#.to_owned()
        ]
    );
}
