//! Tests of the async client (`oxredis::aio`) against real redis-server processes.
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use oxredis::{aio, ErrorKind, Protocol, ScanOptions, SetOptions, Value};
use oxredis_test_support::RedisServer;
use rand::Rng;

fn url(server: &RedisServer, protocol: Protocol) -> String {
    let proto = if protocol == Protocol::Resp3 { 3 } else { 2 };
    format!("{}?protocol={proto}", server.url())
}

fn client(server: &RedisServer, protocol: Protocol) -> aio::Redis {
    aio::Redis::from_url(&url(server, protocol)).unwrap()
}

/// One body for both clients: `$($aw)*` is `.await` for the async client and nothing for the
/// blocking one, so the two run exactly the same commands.
macro_rules! typed_commands {
    ($r:expr $(, $aw:tt)*) => {{
        let r = $r;
        let mut out: Vec<String> = Vec::new();
        let mut log = |s: String| out.push(s);
        log(format!("{:?}", r.ping() $(.$aw)* .unwrap()));
        log(format!("{:?}", r.echo::<String>("hi") $(.$aw)* .unwrap()));
        log(format!("{:?}", r.set("s", "v") $(.$aw)* .unwrap()));
        log(format!("{:?}", r.get::<Option<String>>("s") $(.$aw)* .unwrap()));
        log(format!("{:?}", r.get::<Option<String>>("missing") $(.$aw)* .unwrap()));
        let opts = SetOptions::default().ex(Duration::from_secs(100)).xx().get();
        log(format!("{:?}", r.set_options::<Option<String>>("s", "w", &opts) $(.$aw)* .unwrap()));
        log(format!("{:?}", r.ttl("s") $(.$aw)* .unwrap()));
        let nx = SetOptions::default().nx();
        log(format!("{:?}", r.set_options::<bool>("s", "x", &nx) $(.$aw)* .unwrap()));
        log(format!("{:?}", r.set_options::<bool>("s2", "x", &nx) $(.$aw)* .unwrap()));
        log(format!("{:?}", r.exists(["s", "s", "nope"]) $(.$aw)* .unwrap()));
        log(format!("{:?}", r.expire("s2", 50) $(.$aw)* .unwrap()));
        log(format!("{:?}", r.expire("nope", 50) $(.$aw)* .unwrap()));
        log(format!("{:?}", r.incr("n") $(.$aw)* .unwrap()));
        log(format!("{:?}", r.incrby("n", 10) $(.$aw)* .unwrap()));
        log(format!("{:?}", r.decrby("n", 3) $(.$aw)* .unwrap()));
        log(format!("{:?}", r.mset([("m1", "a"), ("m2", "b")]) $(.$aw)* .unwrap()));
        log(format!("{:?}", r.msetnx([("m1", "a"), ("m3", "c")]) $(.$aw)* .unwrap()));
        log(format!("{:?}", r.mget::<Vec<Option<String>>>(["m1", "m2", "m3"]) $(.$aw)* .unwrap()));
        log(format!("{:?}", r.hset("h", "f1", "v1") $(.$aw)* .unwrap()));
        log(format!("{:?}", r.hset_mapping("h", [("f2", "v2"), ("f3", "v3")]) $(.$aw)* .unwrap()));
        log(format!("{:?}", r.hget::<Option<String>>("h", "f2") $(.$aw)* .unwrap()));
        let all: BTreeMap<String, String> = r.hgetall("h") $(.$aw)* .unwrap();
        log(format!("{all:?}"));
        let v: Value = r.hgetall("h") $(.$aw)* .unwrap();
        log(format!("{:?}", matches!(v, Value::Map(ref m) if m.len() == 3)));
        log(format!("{:?}", r.lpush("l", ["a", "b"]) $(.$aw)* .unwrap()));
        log(format!("{:?}", r.rpush("l", ["c"]) $(.$aw)* .unwrap()));
        log(format!("{:?}", r.lrange::<Vec<String>>("l", 0, -1) $(.$aw)* .unwrap()));
        log(format!("{:?}", r.sadd("set", ["x", "y", "x"]) $(.$aw)* .unwrap()));
        log(format!("{:?}", r.smembers::<BTreeSet<String>>("set") $(.$aw)* .unwrap()));
        log(format!("{:?}", r.zadd("z", &[("a", 1.0), ("b", 2.5)]) $(.$aw)* .unwrap()));
        log(format!("{:?}", r.zrange_withscores::<Vec<(String, f64)>>("z", 0, -1) $(.$aw)* .unwrap()));
        log(format!("{:?}", r.zrange_withscores::<Value>("z", 0, -1) $(.$aw)* .unwrap()));
        let info: HashMap<String, Value> = r.info("keyspace") $(.$aw)* .unwrap();
        log(format!("{:?}", info.get("db0").map(|v| matches!(v, Value::Map(_)))));
        let (_, page): (u64, Vec<String>) =
            r.scan(0, &ScanOptions::default().pattern("m*").count(1000)) $(.$aw)* .unwrap();
        log(format!("{:?}", page.into_iter().collect::<BTreeSet<_>>()));
        let e = r.incr("h") $(.$aw)* .unwrap_err();
        log(format!("{:?} {:?}", e.kind(), e.code()));
        log(format!("{:?}", r.delete(["m1", "m2", "m3", "zz"]) $(.$aw)* .unwrap()));
        log(format!("{:?}", r.flushdb() $(.$aw)* .unwrap()));
        log(format!("{:?}", r.dbsize() $(.$aw)* .unwrap()));
        out
    }};
}

#[tokio::test]
async fn typed_commands_give_the_same_values_as_the_blocking_client_on_resp2_and_resp3() {
    let server = RedisServer::new();
    let mut results = Vec::new();
    for proto in [Protocol::Resp2, Protocol::Resp3] {
        let u = url(&server, proto);
        let blocking = tokio::task::spawn_blocking(move || {
            let r = oxredis::Redis::from_url(&u).unwrap();
            typed_commands!(&r)
        })
        .await
        .unwrap();
        let r = client(&server, proto);
        let asynchronous = typed_commands!(&r, await);
        assert_eq!(asynchronous, blocking, "{proto:?}");
        results.push(asynchronous);
    }
    assert_eq!(results[0], results[1], "RESP2 and RESP3 agree");
    assert_eq!(results[0][3], "Some(\"v\")");
    assert_eq!(results[0][17], "[Some(\"a\"), Some(\"b\"), None]");
    assert_eq!(results[0].len(), 37);
    assert!(results[0].contains(&"Response Some(\"WRONGTYPE\")".to_owned()));
}

#[tokio::test]
async fn execute_command_and_run() {
    let server = RedisServer::new();
    let r = client(&server, Protocol::Resp3);
    let proto: HashMap<String, Value> = r.execute_command(("HELLO",)).await.unwrap();
    assert_eq!(proto.get("proto"), Some(&Value::Int(3)));
    let mut cmd = oxredis::Cmd::new("SET");
    cmd.arg("k").arg(5);
    let ok: bool = r.run(cmd).await.unwrap();
    assert!(ok);
    assert_eq!(r.execute_command::<i64>(("GET", "k")).await.unwrap(), 5);
}

/// What a hammering task does; each owns its keys, so every value is predictable.
async fn hammer(r: aio::Redis, task: usize, ops: usize) {
    let key = format!("t:{task}");
    let ctr = format!("c:{task}");
    for i in 0..ops {
        match i % 3 {
            0 => assert!(r.set(&key, format!("{task}-{i}")).await.unwrap()),
            1 => assert_eq!(
                r.get::<String>(&key).await.unwrap(),
                format!("{task}-{}", i - 1)
            ),
            _ => assert_eq!(r.incr(&ctr).await.unwrap(), (i / 3 + 1) as i64),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_thousand_tasks_share_one_connection_and_dropped_futures_do_not_break_it() {
    for proto in [Protocol::Resp2, Protocol::Resp3] {
        let server = RedisServer::new();
        let r = client(&server, proto);
        let my_id: i64 = r.execute_command(("CLIENT", "ID")).await.unwrap();
        let mut handles = Vec::new();
        let cancelled = Arc::new(AtomicUsize::new(0));
        for task in 0..10_000 {
            let r = r.clone();
            let cancelled = cancelled.clone();
            handles.push(tokio::spawn(async move {
                if task % 10 == 3 {
                    // 1,000 tasks give up at a random point, mid-command.
                    let micros = rand::rng().random_range(0..1_000_000);
                    let t = Duration::from_micros(micros);
                    if tokio::time::timeout(t, hammer(r, task, 6)).await.is_err() {
                        cancelled.fetch_add(1, Ordering::Relaxed);
                    }
                } else if task % 2500 == 7 {
                    // A few BLPOPs, served by pushes from their own task.
                    let list = format!("bl:{task}");
                    let waiter = {
                        let r = r.clone();
                        let list = list.clone();
                        tokio::spawn(async move {
                            r.blpop::<Option<(String, String)>>(&list, 5.0)
                                .await
                                .unwrap()
                        })
                    };
                    hammer(r.clone(), task, 6).await;
                    assert_eq!(r.rpush(&list, ["x"]).await.unwrap(), 1);
                    let got = waiter.await.unwrap();
                    assert_eq!(got, Some((list, "x".to_owned())));
                } else {
                    hammer(r, task, 6).await;
                }
            }));
        }
        for h in handles {
            h.await.unwrap();
        }
        // Every value is where it should be, and the shared connection was never replaced.
        for task in (0..10_000).step_by(97).filter(|t| t % 10 != 3) {
            let v: String = r.get(format!("t:{task}")).await.unwrap();
            assert_eq!(v, format!("{task}-3"));
            let c: i64 = r.get(format!("c:{task}")).await.unwrap();
            assert_eq!(c, 2);
        }
        let id: i64 = r.execute_command(("CLIENT", "ID")).await.unwrap();
        assert_eq!(id, my_id, "{proto:?}: the shared connection survived");
        let cut = cancelled.load(Ordering::Relaxed);
        eprintln!("{proto:?}: {cut} of 1000 hammer tasks were cut mid-way");
        assert!(cut > 0, "some futures were dropped mid-way");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_blpop_does_not_delay_other_tasks() {
    let server = RedisServer::new();
    let r = client(&server, Protocol::Resp2);
    r.set("k", "v").await.unwrap();
    let start = Instant::now();
    let blpop = {
        let r = r.clone();
        tokio::spawn(async move { r.blpop::<Option<(String, String)>>("empty", 2.0).await })
    };
    // Wait until the server sees the BLPOP blocked, then time other commands against it.
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let info: HashMap<String, Value> = r.info("clients").await.unwrap();
        if info.get("blocked_clients") == Some(&Value::Int(1)) {
            break;
        }
        assert!(Instant::now() < deadline, "BLPOP never blocked");
        tokio::task::yield_now().await;
    }
    for _ in 0..100 {
        assert_eq!(r.get::<String>("k").await.unwrap(), "v");
    }
    assert!(
        !blpop.is_finished(),
        "the GETs completed while BLPOP was still waiting"
    );
    assert!(start.elapsed() < Duration::from_millis(1900));
    assert_eq!(blpop.await.unwrap().unwrap(), None);
    assert!(start.elapsed() >= Duration::from_millis(1900));
}

/// A blocking command built by hand (`Cmd::new`, as the Python binding builds every command)
/// runs on a connection of its own too: it used to go to the shared connection (only
/// declared commands' `BLOCKING` flag was looked at), where a BLPOP held up every other task
/// and an XREAD BLOCK held up the XADD that would have answered it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_commands_built_by_hand_do_not_delay_other_tasks() {
    let server = RedisServer::new();
    let r = client(&server, Protocol::Resp2);
    let start = Instant::now();
    let blpop = {
        let r = r.clone();
        let mut cmd = oxredis::Cmd::new("BLPOP");
        cmd.arg("list").arg(5);
        tokio::spawn(async move { r.run::<Option<(String, String)>>(cmd).await })
    };
    let xread = {
        let r = r.clone();
        let mut cmd = oxredis::Cmd::new("XREAD");
        cmd.arg("BLOCK").arg(5000).arg("STREAMS").arg("s").arg("$");
        tokio::spawn(async move { r.run::<Value>(cmd).await })
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let info: HashMap<String, Value> = r.info("clients").await.unwrap();
        if info.get("blocked_clients") == Some(&Value::Int(2)) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "BLPOP and XREAD never both blocked"
        );
        tokio::task::yield_now().await;
    }
    // Answered by commands of this task on the shared connection.
    let mut push = oxredis::Cmd::new("RPUSH");
    push.arg("list").arg("v");
    assert_eq!(r.run::<i64>(push).await.unwrap(), 1);
    let mut add = oxredis::Cmd::new("XADD");
    add.arg("s").arg("1-0").arg("f").arg("x");
    assert_eq!(r.run::<String>(add).await.unwrap(), "1-0");
    assert_eq!(
        blpop.await.unwrap().unwrap(),
        Some(("list".to_owned(), "v".to_owned()))
    );
    let entries = xread.await.unwrap().unwrap();
    assert_eq!(
        format!("{entries:?}").matches("1-0").count(),
        1,
        "{entries:?}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );
    // WAIT built by hand stays on the shared connection (it waits for that connection's
    // writes); with no replica and a 10 ms timeout it answers 0.
    let mut wait = oxredis::Cmd::new("WAIT");
    wait.arg(0).arg(10);
    assert_eq!(r.run::<i64>(wait).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_blocking_command_closes_its_connection_only() {
    let server = RedisServer::new();
    let r = client(&server, Protocol::Resp3);
    let res = tokio::time::timeout(
        Duration::from_millis(100),
        r.blpop::<Option<(String, String)>>("late", 0.0),
    )
    .await;
    assert!(res.is_err(), "BLPOP with no data waits");
    // The abandoned BLPOP's connection is closed, so it cannot steal this element.
    let deadline = Instant::now() + Duration::from_secs(5);
    while server
        .cli(&["INFO", "clients"])
        .contains("blocked_clients:1")
    {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(r.rpush("late", ["x"]).await.unwrap(), 1);
    assert_eq!(r.lrange::<Vec<String>>("late", 0, -1).await.unwrap(), ["x"]);
    let got: Option<(String, String)> = r.blpop("late", 1.0).await.unwrap();
    assert_eq!(got, Some(("late".into(), "x".into())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_slow_command_does_not_shift_replies() {
    let server = RedisServer::new();
    let r = client(&server, Protocol::Resp2);
    r.set("a", "1").await.unwrap();
    let slow = tokio::time::timeout(
        Duration::from_millis(50),
        r.execute_command::<Value>(("DEBUG", "SLEEP", "0.3")),
    )
    .await;
    assert!(slow.is_err());
    // The DEBUG SLEEP reply (+OK) arrives later and must be discarded, not given to GET.
    assert_eq!(r.get::<String>("a").await.unwrap(), "1");
    assert_eq!(r.echo::<String>("e").await.unwrap(), "e");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_restart_fails_in_flight_writes_and_retries_in_flight_reads() {
    let mut server = RedisServer::new();
    for proto in [Protocol::Resp2, Protocol::Resp3] {
        let r = client(&server, proto);
        r.set("before", 1).await.unwrap();
        // Poll the slow command, a write and a few GETs once each: that queues them on the
        // shared connection. Queued or written, they are in flight when the server dies.
        type Pending<'a> = Pin<Box<dyn Future<Output = oxredis::Result<Option<i64>>> + Send + 'a>>;
        let mut writes: Vec<Pending<'_>> = vec![
            Box::pin(async {
                r.execute_command::<Value>(("DEBUG", "SLEEP", "5"))
                    .await
                    .map(|_| None)
            }),
            Box::pin(async { r.incr("written-in-flight").await.map(Some) }),
        ];
        let mut reads: Vec<Pending<'_>> = (0..5)
            .map(|_| Box::pin(async { r.get::<Option<i64>>("before").await }) as Pending<'_>)
            .collect();
        for f in writes.iter_mut().chain(reads.iter_mut()) {
            assert!(poll_once(f).await.is_none(), "completed before the restart");
        }
        // Queued is not yet written: give the connection's driver task time to write them
        // before the server dies (under load it once had not, and the INCR, never sent, was
        // rightly sent to the restarted server). The server is inside DEBUG SLEEP meanwhile.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let started = Instant::now();
        tokio::task::block_in_place(|| server.restart());
        let within = |f| tokio::time::timeout(Duration::from_secs(5), f);
        for f in writes {
            // A write that may have run is reported, never re-sent.
            let e = within(f).await.expect("must not hang").unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
            assert!(!e.is_unsent(), "{e}");
        }
        for f in reads {
            // A read is retried on the new connection: the restarted server has no data.
            assert_eq!(within(f).await.expect("must not hang").unwrap(), None);
        }
        assert!(started.elapsed() < Duration::from_secs(4));
        assert_eq!(
            r.get::<Option<i64>>("written-in-flight").await.unwrap(),
            None,
            "the in-flight write was not applied again"
        );
        assert!(r.set("after", 2).await.unwrap());
        assert_eq!(r.get::<i64>("after").await.unwrap(), 2);
    }
}

/// Polls `f` once: a command future queues its request on the first poll.
async fn poll_once<F: Future + Unpin>(f: &mut F) -> Option<F::Output> {
    std::future::poll_fn(|cx| match Pin::new(&mut *f).poll(cx) {
        Poll::Ready(v) => Poll::Ready(Some(v)),
        Poll::Pending => Poll::Ready(None),
    })
    .await
}

#[tokio::test]
async fn wrong_password_is_an_authentication_error() {
    let server = RedisServer::builder().password("sekret").start();
    for proto in [2, 3] {
        let base = format!("redis://:wrong@127.0.0.1:{}", server.port());
        let r = aio::Redis::from_url(&format!("{base}?protocol={proto}")).unwrap();
        let e = r.ping().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Authentication, "{e}");
        let good = format!(
            "redis://:sekret@127.0.0.1:{}?protocol={proto}",
            server.port()
        );
        let r = aio::Redis::from_url(&good).unwrap();
        assert!(r.ping().await.unwrap());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resp3_push_frames_go_to_the_push_receiver_not_to_callers() {
    let server = RedisServer::new();
    let r = client(&server, Protocol::Resp3);
    let mut pushes = r.push_receiver();
    let ok: bool = r
        .execute_command(("CLIENT", "TRACKING", "ON"))
        .await
        .unwrap();
    assert!(ok);
    r.set("tracked", "1").await.unwrap();
    assert_eq!(r.get::<String>("tracked").await.unwrap(), "1");
    // Another client changes the key: the server sends an invalidation push to ours.
    server.cli(&["SET", "tracked", "2"]);
    let push = tokio::time::timeout(Duration::from_secs(5), pushes.recv())
        .await
        .unwrap()
        .unwrap();
    let Value::Push(items) = push else {
        panic!("not a push: {push:?}")
    };
    assert_eq!(items[0], Value::Bulk("invalidate".into()));
    // Replies still line up after the push.
    for i in 0..50 {
        assert_eq!(
            r.echo::<String>(format!("e{i}")).await.unwrap(),
            format!("e{i}")
        );
    }
    assert_eq!(r.get::<String>("tracked").await.unwrap(), "2");
}

#[tokio::test]
async fn unix_socket_and_db_from_url() {
    let server = RedisServer::builder().unix_socket(true).start();
    let path = server.unix_path().unwrap().display().to_string();
    let r = aio::Redis::from_url(&format!("unix://{path}?db=3")).unwrap();
    r.set("u", "1").await.unwrap();
    let mut raw = server.conn();
    raw.cmd(&["SELECT", "3"]).unwrap();
    assert_eq!(raw.cmd(&["GET", "u"]).unwrap().to_text(), "1");
    assert_eq!(
        r.blpop::<Option<(String, String)>>("none", 0.1)
            .await
            .unwrap(),
        None
    );
}

#[test]
fn client_and_futures_are_send_sync_and_clone() {
    fn check<T: Send + Sync + Clone>() {}
    fn send<F: Send>(_: &F) {}
    check::<aio::Redis>();
    let r = aio::Redis::from_url("redis://127.0.0.1:1").unwrap();
    let key = String::from("k");
    let f = r.get::<Option<String>>(&key);
    send(&f);
    let f2 = r.execute_command::<Value>(("PING",));
    send(&f2);
    drop((f, f2));
}
