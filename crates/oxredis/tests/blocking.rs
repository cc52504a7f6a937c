//! Foundation tests of the blocking client against real redis-server processes (retries,
//! health checks, timeouts and connect errors run on both clients in resilience.rs).
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use oxredis::{ConnectionConfig, ErrorKind, Protocol, Redis, ScanOptions, SetOptions, Value};
use oxredis_test_support::RedisServer;

fn client(server: &RedisServer, protocol: Protocol) -> Redis {
    let proto = if protocol == Protocol::Resp3 { 3 } else { 2 };
    Redis::from_url(&format!("{}?protocol={proto}", server.url())).unwrap()
}

/// Runs the initial typed commands and renders their results, so RESP2 and RESP3 can be compared.
fn typed_commands(r: &Redis) -> Vec<String> {
    let mut out = Vec::new();
    let mut log = |s: String| out.push(s);
    log(format!("{:?}", r.ping().unwrap()));
    log(format!("{:?}", r.echo::<String>("hi").unwrap()));
    log(format!("{:?}", r.set("s", "v").unwrap()));
    log(format!("{:?}", r.get::<Option<String>>("s").unwrap()));
    log(format!("{:?}", r.get::<Option<String>>("missing").unwrap()));
    let opts = SetOptions::default()
        .ex(Duration::from_secs(100))
        .xx()
        .get();
    log(format!(
        "{:?}",
        r.set_options::<Option<String>>("s", "w", &opts).unwrap()
    ));
    log(format!("{:?}", r.ttl("s").unwrap()));
    log(format!("{:?}", r.pttl("s").unwrap() > 90_000));
    let nx = SetOptions::default().nx();
    log(format!(
        "{:?}",
        r.set_options::<bool>("s", "x", &nx).unwrap()
    ));
    log(format!(
        "{:?}",
        r.set_options::<bool>("s2", "x", &nx).unwrap()
    ));
    let keep = SetOptions::default().keepttl();
    log(format!(
        "{:?}",
        r.set_options::<bool>("s", "k", &keep).unwrap()
    ));
    log(format!("{:?}", r.ttl("s").unwrap() > 0));
    let px = SetOptions::default().px(Duration::from_millis(5000));
    log(format!(
        "{:?}",
        r.set_options::<bool>("p", "1", &px).unwrap()
    ));
    let exat = SetOptions::default().exat(4_000_000_000);
    log(format!(
        "{:?}",
        r.set_options::<bool>("e", "1", &exat).unwrap()
    ));
    let pxat = SetOptions::default().pxat(4_000_000_000_000);
    log(format!(
        "{:?}",
        r.set_options::<bool>("e2", "1", &pxat).unwrap()
    ));
    log(format!("{:?}", r.exists(["s", "s", "nope"]).unwrap()));
    log(format!("{:?}", r.expire("s2", 50).unwrap()));
    log(format!("{:?}", r.expire("nope", 50).unwrap()));
    log(format!("{:?}", r.incr("n").unwrap()));
    log(format!("{:?}", r.incrby("n", 10).unwrap()));
    log(format!("{:?}", r.decr("n").unwrap()));
    log(format!("{:?}", r.decrby("n", 3).unwrap()));
    log(format!("{:?}", r.mset([("m1", "a"), ("m2", "b")]).unwrap()));
    log(format!(
        "{:?}",
        r.msetnx([("m1", "a"), ("m3", "c")]).unwrap()
    ));
    log(format!(
        "{:?}",
        r.mget::<Vec<Option<String>>>(["m1", "m2", "m3"]).unwrap()
    ));
    log(format!("{:?}", r.hset("h", "f1", "v1").unwrap()));
    log(format!(
        "{:?}",
        r.hset_mapping("h", [("f2", "v2"), ("f3", "v3")]).unwrap()
    ));
    log(format!(
        "{:?}",
        r.hget::<Option<String>>("h", "f2").unwrap()
    ));
    let all: std::collections::BTreeMap<String, String> = r.hgetall("h").unwrap();
    log(format!("{all:?}"));
    log(format!(
        "{:?}",
        r.hgetall::<Value>("h")
            .map(|v| matches!(v, Value::Map(ref m) if m.len() == 3))
            .unwrap()
    ));
    log(format!("{:?}", r.lpush("l", ["a", "b"]).unwrap()));
    log(format!("{:?}", r.rpush("l", ["c"]).unwrap()));
    log(format!(
        "{:?}",
        r.lrange::<Vec<String>>("l", 0, -1).unwrap()
    ));
    log(format!("{:?}", r.sadd("set", ["x", "y", "x"]).unwrap()));
    log(format!(
        "{:?}",
        r.smembers::<BTreeSet<String>>("set").unwrap()
    ));
    log(format!(
        "{:?}",
        r.zadd("z", &[("a", 1.0), ("b", 2.5)]).unwrap()
    ));
    log(format!(
        "{:?}",
        r.zrange::<Vec<String>>("z", 0, -1).unwrap()
    ));
    log(format!(
        "{:?}",
        r.zrange_withscores::<Vec<(String, f64)>>("z", 0, -1)
            .unwrap()
    ));
    log(format!(
        "{:?}",
        r.zrange_withscores::<Value>("z", 0, -1).unwrap()
    ));
    let info: HashMap<String, Value> = r.info("keyspace").unwrap();
    log(format!(
        "{:?}",
        info.get("db0").map(|v| matches!(v, Value::Map(_)))
    ));
    let mut keys: Vec<String> = r.keys("m*").unwrap();
    keys.sort();
    log(format!("{keys:?}"));
    let mut seen = BTreeSet::new();
    let mut cursor = 0;
    loop {
        let (next, page): (u64, Vec<String>) = r
            .scan(cursor, &ScanOptions::default().pattern("m*").count(2))
            .unwrap();
        seen.extend(page);
        if next == 0 {
            break;
        }
        cursor = next;
    }
    log(format!("{seen:?}"));
    log(format!("{:?}", r.delete(["m1", "m2", "m3", "zz"]).unwrap()));
    log(format!("{:?}", r.dbsize().unwrap()));
    log(format!("{:?}", r.flushdb().unwrap()));
    log(format!("{:?}", r.dbsize().unwrap()));
    out
}

#[test]
fn typed_commands_give_the_same_values_on_resp2_and_resp3() {
    let server = RedisServer::new();
    let r2 = client(&server, Protocol::Resp2);
    let resp2 = typed_commands(&r2);
    let r3 = client(&server, Protocol::Resp3);
    let resp3 = typed_commands(&r3);
    assert_eq!(resp2, resp3);
    let expected = [
        "true",
        "\"hi\"",
        "true",
        "Some(\"v\")",
        "None",
        "Some(\"v\")",
        "100",
        "true",
        "false",
        "true",
        "true",
        "true",
        "true",
        "true",
        "true",
        "2",
        "true",
        "false",
        "1",
        "11",
        "10",
        "7",
        "true",
        "false",
        "[Some(\"a\"), Some(\"b\"), None]",
        "1",
        "2",
        "Some(\"v2\")",
        "{\"f1\": \"v1\", \"f2\": \"v2\", \"f3\": \"v3\"}",
        "true",
        "2",
        "3",
        "[\"b\", \"a\", \"c\"]",
        "2",
        "{\"x\", \"y\"}",
        "2",
        "[\"a\", \"b\"]",
        "[(\"a\", 1.0), (\"b\", 2.5)]",
        "Array([Array([Bulk(b\"a\"), Double(1.0)]), Array([Bulk(b\"b\"), Double(2.5)])])",
        "Some(true)",
        "[\"m1\", \"m2\"]",
        "{\"m1\", \"m2\"}",
        "2",
        "10",
        "true",
        "0",
    ];
    assert_eq!(resp2, expected);
}

#[test]
fn resp3_connection_reports_protocol_3_to_the_server() {
    let server = RedisServer::new();
    let r = client(&server, Protocol::Resp3);
    let info: String = r.execute_command(("CLIENT", "INFO")).unwrap();
    assert!(info.contains("resp=3"), "{info}");
    let r = client(&server, Protocol::Resp2);
    let info: String = r.execute_command(("CLIENT", "INFO")).unwrap();
    assert!(info.contains("resp=2"), "{info}");
}

#[test]
fn unix_socket() {
    let server = RedisServer::builder().unix_socket(true).start();
    let path = server.unix_path().unwrap().display().to_string();
    let r = Redis::from_url(&format!("unix://{path}?db=2")).unwrap();
    assert!(r.set("k", "unix").unwrap());
    assert_eq!(r.get::<String>("k").unwrap(), "unix");
    assert_eq!(server.cli(&["SELECT", "2"]), "OK");
    let r0 = Redis::builder().unix_socket_path(&path).build();
    assert_eq!(
        r0.get::<Option<String>>("k").unwrap(),
        None,
        "db 0 is another database"
    );
}

#[test]
fn auth_with_password_and_acl_user() {
    let server = RedisServer::builder()
        .password("s3cret pw")
        .acl_user("alice", "wonder/land")
        .start();
    for proto in [Protocol::Resp2, Protocol::Resp3] {
        let r = Redis::builder()
            .port(server.port())
            .password("s3cret pw")
            .protocol(proto)
            .build();
        assert!(r.ping().unwrap());
        let who: String = r.execute_command(("ACL", "WHOAMI")).unwrap();
        assert_eq!(who, "default");
        let r = Redis::from_url(&format!(
            "redis://alice:wonder%2Fland@127.0.0.1:{}?protocol={}",
            server.port(),
            if proto == Protocol::Resp3 { 3 } else { 2 }
        ))
        .unwrap();
        let who: String = r.execute_command(("ACL", "WHOAMI")).unwrap();
        assert_eq!(who, "alice");
        let wrong = Redis::builder()
            .port(server.port())
            .password("nope")
            .protocol(proto)
            .build();
        let e = wrong.ping().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Authentication, "{e}");
        let wrong_user = Redis::builder()
            .port(server.port())
            .username("alice")
            .password("nope")
            .protocol(proto)
            .build();
        assert_eq!(
            wrong_user.ping().unwrap_err().kind(),
            ErrorKind::Authentication
        );
        let none = Redis::builder().port(server.port()).protocol(proto).build();
        let e = none.get::<Option<String>>("k").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Authentication, "{e}");
    }
}

#[test]
fn db_and_client_name_from_url_are_honoured() {
    let server = RedisServer::new();
    for proto in [2, 3] {
        let r = Redis::from_url(&format!(
            "{}/5?client_name=oxtest{proto}&protocol={proto}",
            server.url()
        ))
        .unwrap();
        assert!(r.set(format!("in5-{proto}"), "x").unwrap());
        let name: String = r.execute_command(("CLIENT", "GETNAME")).unwrap();
        assert_eq!(name, format!("oxtest{proto}"));
    }
    assert_eq!(server.cli(&["DBSIZE"]), "0");
    let mut raw = server.conn();
    raw.cmd(&["SELECT", "5"]).unwrap();
    assert_eq!(raw.cmd(&["DBSIZE"]).unwrap().to_text(), "2");
}

fn client_count(server: &RedisServer) -> usize {
    // Our own helper connection shows in CLIENT LIST; subtract it.
    server.cli(&["CLIENT", "LIST"]).lines().count() - 1
}

#[test]
fn pool_shared_by_16_threads_never_exceeds_max_connections() {
    let server = RedisServer::new();
    let r = Redis::builder()
        .port(server.port())
        .max_connections(4)
        .pool_timeout(Duration::from_secs(10))
        .build();
    let done = Arc::new(AtomicBool::new(false));
    let max_seen = Arc::new(AtomicUsize::new(0));
    let watcher = {
        let (done, max_seen) = (done.clone(), max_seen.clone());
        let mut raw = server.conn();
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                let list = raw.cmd(&["CLIENT", "LIST"]).unwrap().to_text();
                max_seen.fetch_max(list.lines().count() - 1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    let threads: Vec<_> = (0..16)
        .map(|t| {
            let r = r.clone();
            std::thread::spawn(move || {
                for i in 0..2000 {
                    let key = format!("t{t}");
                    match i % 3 {
                        0 => assert!(r.set(&key, i).unwrap()),
                        1 => assert_eq!(r.get::<i64>(&key).unwrap(), i - 1),
                        _ => assert_eq!(r.incr(&key).unwrap(), i - 1),
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    done.store(true, Ordering::Relaxed);
    watcher.join().unwrap();
    let seen = max_seen.load(Ordering::Relaxed);
    assert!(seen <= 4, "saw {seen} connections");
    assert!(seen >= 1);
    assert!(r.connection_pool().open_connections() <= 4);
    assert!(client_count(&server) <= 4);
}

#[test]
fn exhausted_pools_fail_clearly() {
    let server = RedisServer::new();
    let blocking = Redis::builder()
        .port(server.port())
        .max_connections(1)
        .pool_timeout(Duration::from_millis(200))
        .build();
    let held = blocking.get_connection().unwrap();
    let start = Instant::now();
    let e = blocking.ping().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PoolExhausted);
    assert!(e.to_string().contains("no connection available"), "{e}");
    assert!(start.elapsed() >= Duration::from_millis(180));
    drop(held);
    assert!(
        blocking.ping().unwrap(),
        "the returned connection is reused"
    );

    // redis-py's plain ConnectionPool behaviour, on request.
    let plain = Redis::builder()
        .port(server.port())
        .max_connections(1)
        .pool_fail_fast()
        .build();
    let _held = plain.get_connection().unwrap();
    let start = Instant::now();
    let e = plain.ping().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PoolExhausted);
    assert!(e.to_string().contains("too many connections"), "{e}");
    assert!(start.elapsed() < Duration::from_secs(1), "fails at once");
}

#[test]
fn a_capped_pool_waits_by_default_so_16_threads_share_2_connections() {
    let server = RedisServer::new();
    let r = Redis::builder()
        .port(server.port())
        .max_connections(2)
        .build();
    assert_eq!(
        r.config().pool_timeout,
        Some(oxredis::config::DEFAULT_POOL_TIMEOUT)
    );
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let r = r.clone();
            std::thread::spawn(move || -> oxredis::Result<()> {
                for _ in 0..200 {
                    r.incr("n")?;
                }
                Ok(())
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap().unwrap();
    }
    assert_eq!(r.get::<i64>("n").unwrap(), 16 * 200);
    assert!(r.connection_pool().open_connections() <= 2);
}

#[test]
fn blocking_pool_hands_over_a_returned_connection_to_a_waiter() {
    let server = RedisServer::new();
    let r = Redis::builder()
        .port(server.port())
        .max_connections(1)
        .pool_timeout(Duration::from_secs(5))
        .build();
    let held = r.get_connection().unwrap();
    let waiter = {
        let r = r.clone();
        std::thread::spawn(move || r.ping())
    };
    std::thread::sleep(Duration::from_millis(100));
    drop(held);
    assert!(waiter.join().unwrap().unwrap());
}

#[test]
fn decode_responses_and_raw_replies() {
    let server = RedisServer::new();
    server.cli(&["SET", "text", "héllo"]);
    let mut raw = server.conn();
    raw.cmd_bytes(&[b"SET", b"bin", b"\xff\xfe"]).unwrap();
    let r = Redis::from_url(&server.url()).unwrap();
    assert_eq!(r.get::<Vec<u8>>("text").unwrap(), "héllo".as_bytes());
    assert_eq!(r.get::<String>("text").unwrap(), "héllo");
    assert_eq!(r.get::<Vec<u8>>("bin").unwrap(), b"\xff\xfe");
    let e = r.get::<String>("bin").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Data);
    assert!(e.to_string().contains("UTF-8"), "{e}");
    let e = r.get::<i64>("text").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Data);

    let decoded = Redis::from_url(&format!("{}?decode_responses=true", server.url())).unwrap();
    assert_eq!(
        decoded.get::<Value>("text").unwrap(),
        Value::Bulk("héllo".into())
    );
    assert_eq!(
        decoded.get::<Value>("bin").unwrap_err().kind(),
        ErrorKind::Data
    );
    // The failed decode did not desynchronise anything.
    assert_eq!(decoded.get::<String>("text").unwrap(), "héllo");
}

#[test]
fn server_errors_are_typed_and_keep_the_connection() {
    let server = RedisServer::new();
    let r = Redis::builder()
        .port(server.port())
        .max_connections(1)
        .build();
    r.lpush("list", ["a"]).unwrap();
    let e = r.get::<Option<String>>("list").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Response);
    assert_eq!(e.code(), Some("WRONGTYPE"));
    let e = r.execute_command::<Value>(("NOSUCHCOMMAND",)).unwrap_err();
    assert_eq!(e.code(), Some("ERR"));
    assert_eq!(r.connection_pool().open_connections(), 1);
    assert!(r.ping().unwrap());
}

/// TLS itself is tested in `tests/tls.rs`; here only that a `rediss://` URL is no longer refused
/// as unsupported (nothing listens on port 1: the TCP connect fails) unless the `tls` feature
/// is off.
#[test]
fn tls_urls_are_supported_with_the_tls_feature() {
    let r = Redis::builder()
        .url("rediss://127.0.0.1:1")
        .unwrap()
        .retry(oxredis::retry::Retry::none())
        .build();
    let e = r.ping().unwrap_err();
    if cfg!(feature = "tls") {
        assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
        assert!(
            e.to_string().contains("cannot connect to 127.0.0.1:1"),
            "{e}"
        );
    } else {
        assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
        assert!(e.to_string().contains("`tls` feature"), "{e}");
    }
}

#[test]
fn client_is_send_sync_and_clone() {
    fn check<T: Send + Sync + Clone>() {}
    check::<Redis>();
    let c = ConnectionConfig::tcp("127.0.0.1", 1);
    let _ = Redis::new(c);
}

#[test]
fn huge_pool_and_socket_timeouts_do_not_overflow() {
    let server = RedisServer::new();
    let r = Redis::builder()
        .port(server.port())
        .max_connections(1)
        .pool_timeout(Duration::MAX)
        .socket_timeout(Duration::MAX)
        .build();
    let held = r.get_connection().unwrap();
    let waiter = {
        let r = r.clone();
        std::thread::spawn(move || r.ping())
    };
    std::thread::sleep(Duration::from_millis(100));
    drop(held);
    assert!(waiter.join().unwrap().unwrap());
    // The blocking command's wait is added to a deadline that cannot grow any more.
    let popped: Option<(String, String)> = r.blpop("none", 0.1).unwrap();
    assert_eq!(popped, None);
}
