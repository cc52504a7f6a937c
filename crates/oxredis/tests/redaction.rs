//! Passwords never show in Debug or Display output: configs, clients, pools, connections,
//! pipelines, pub/sub, locks, commands and URL errors. Also: the default handshake (with
//! `CLIENT SETINFO`) connects to the local server whatever its version.
#![allow(clippy::unwrap_used, reason = "test helpers")]

use std::fmt::Debug;

use oxredis::{aio, Cmd, ConnectionConfig, ConnectionPool, ErrorKind, LockOptions, Redis};
use oxredis_test_support::RedisServer;

const SECRET: &str = "Sup3rS3cretPw";

/// Asserts `{:?}` and `{:#?}` of `value` do not contain the secret but do contain `expected`.
fn assert_hidden(what: &str, value: &impl Debug, expected: &str) {
    for shown in [format!("{value:?}"), format!("{value:#?}")] {
        assert!(
            !shown.contains(SECRET),
            "{what} shows the password: {shown}"
        );
        assert!(
            shown.contains(expected),
            "{what}: {expected:?} missing from {shown}"
        );
    }
}

fn config() -> ConnectionConfig {
    ConnectionConfig::from_url(&format!("redis://alice:{SECRET}@db.example.com:6390/2")).unwrap()
}

#[test]
fn configs_clients_pools_and_pipelines_do_not_show_the_password() {
    let c = config();
    assert_eq!(c.password.as_deref(), Some(SECRET));
    assert_hidden("ConnectionConfig", &c, "db.example.com");
    assert_hidden("ConnectionConfig", &c, "alice");
    assert!(format!("{c:?}").contains(r#"password: Some("***")"#));

    let r = Redis::new(c.clone());
    assert_hidden("Redis", &r, "db.example.com");
    assert_hidden("Redis::config", r.config(), "db.example.com");
    assert_hidden(
        "ConnectionPool",
        &ConnectionPool::new(c.clone()),
        "db.example.com",
    );
    let b = Redis::builder()
        .host("db.example.com")
        .password(SECRET)
        .username("alice");
    assert_hidden("ClientBuilder", &b, "db.example.com");
    assert_hidden("ClientBuilder::build", &b.build(), "db.example.com");
    let b = Redis::builder()
        .url(&format!("redis://:{SECRET}@db.example.com"))
        .unwrap();
    assert_hidden("ClientBuilder::url", &b, "db.example.com");

    let mut auth = Cmd::new("AUTH");
    auth.arg("alice").arg(SECRET);
    let mut p = r.pipeline(true);
    p.set("k", "v").config_set([("requirepass", SECRET)]);
    assert_hidden("Pipeline", &p, "db.example.com");
    assert_hidden("Pipeline", &p, "requirepass");
    assert_hidden("AUTH", &auth, "AUTH");
    let mut hello = Cmd::new("HELLO");
    hello.arg(3).arg("AUTH").arg("alice").arg(SECRET);
    assert_hidden("HELLO", &hello, "alice");

    assert_hidden("PubSub", &r.pubsub(), "db.example.com");
    assert_hidden(
        "PubSub::new",
        &oxredis::PubSub::new(c.clone()),
        "db.example.com",
    );
    let lock = r.lock("the-lock", LockOptions::default());
    assert_hidden("Lock", &lock, "the-lock");
    assert_hidden("Lock", &lock, "db.example.com");
    assert_hidden("Script", &r.register_script("return 1"), "Script");
    assert_hidden(
        "ScanIter",
        &r.scan_iter::<String>(Default::default()),
        "db.example.com",
    );
}

#[tokio::test]
async fn async_clients_and_pipelines_do_not_show_the_password() {
    let c = config();
    let r = aio::Redis::new(c.clone());
    assert_hidden("aio::Redis", &r, "db.example.com");
    let mut p = r.pipeline(false);
    p.get("k");
    assert_hidden("aio::Pipeline", &p, "db.example.com");
    assert_hidden(
        "aio::PubSub",
        &aio::PubSub::new(c.clone()),
        "db.example.com",
    );
    assert_hidden(
        "aio::Lock",
        &r.lock("the-lock", LockOptions::default()),
        "db.example.com",
    );
    let r = aio::Redis::from_url(&format!("redis://:{SECRET}@db.example.com")).unwrap();
    assert_hidden("aio::Redis::from_url", &r, "db.example.com");
}

#[test]
fn live_connections_do_not_show_the_password_and_the_handshake_succeeds() {
    let server = RedisServer::builder().password(SECRET).start();
    let r = Redis::from_url(&server.url()).unwrap();
    assert_eq!(r.config().password.as_deref(), Some(SECRET));
    // The default config sends CLIENT SETINFO: accepted by Redis 7.2+, refused (and ignored)
    // by older servers such as Debian's 7.0.
    assert!(r.ping().unwrap());
    let conn = r.get_connection().unwrap();
    assert_hidden("PooledConnection", &conn, "Pooled");
    drop(conn);
    assert_hidden("Redis (used)", &r, "127.0.0.1");
    let mut lock = r.lock("live-lock", LockOptions::default());
    let guard = lock.acquire_guard().unwrap();
    assert_hidden("LockGuard", &guard, "live-lock");
    guard.release().unwrap();
    let mut ps = r.pubsub();
    ps.subscribe(["chan"]).unwrap();
    assert_hidden("PubSub (subscribed)", &ps, "chan");

    let version = server.cli(&["INFO", "server"]);
    let version = version
        .lines()
        .find_map(|l| l.strip_prefix("redis_version:"))
        .unwrap()
        .trim()
        .to_owned();
    let (major, minor) = {
        let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap());
        (parts.next().unwrap(), parts.next().unwrap())
    };
    let info: oxredis::types::ClientInfo = r.client_info().unwrap();
    if (major, minor) >= (7, 2) {
        assert_eq!(info.get("lib-name"), Some("oxredis"), "{version}");
        assert_eq!(info.get("lib-ver"), Some(env!("CARGO_PKG_VERSION")));
    } else {
        let e = r
            .execute_command::<oxredis::Value>(("CLIENT", "SETINFO", "LIB-NAME", "x"))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Response, "{version}: {e}");
        assert_eq!(info.get("lib-name"), None, "{version}");
    }
    // A client that sends neither works too.
    let quiet = Redis::builder()
        .url(&server.url())
        .unwrap()
        .lib_name(None)
        .lib_version(None)
        .build();
    assert!(quiet.ping().unwrap());
}

#[tokio::test]
async fn async_live_connection_handshake_succeeds() {
    let server = RedisServer::builder().password(SECRET).start();
    for protocol in ["2", "3"] {
        let r = aio::Redis::from_url(&format!("{}?protocol={protocol}", server.url())).unwrap();
        assert!(r.ping().await.unwrap(), "protocol {protocol}");
        assert_hidden("aio::Redis (used)", &r, "127.0.0.1");
        let conn = r.get_connection().await.unwrap();
        assert_hidden("aio::Connection", &conn, "Connection");
    }
}

#[test]
fn url_errors_do_not_show_the_password() {
    let cases = [
        // (URL, text the message must contain)
        (
            format!("redis://:{SECRET}@127.0.0.1:99999"),
            "redis://:***@127.0.0.1:99999",
        ),
        (
            format!("redis://alice:{SECRET}@127.0.0.1:99999/0"),
            "redis://alice:***@127.0.0.1:99999/0",
        ),
        (
            format!("redis://alice:{SECRET}@[::1/0"),
            "redis://alice:***@[::1/0",
        ),
        (
            format!("redis://alice:{SECRET}?x@h:1"),
            "redis://alice:***@h:1",
        ),
        (
            format!("redis://h:99999?password={SECRET}"),
            "redis://h:99999?password=***",
        ),
        (
            format!("redis://h:99999?ssl_password={SECRET}&db=1"),
            "redis://h:99999?ssl_password=***&db=1",
        ),
        (format!("http://alice:{SECRET}@h"), "unsupported URL scheme"),
        (format!("redis://:{SECRET}@h/notadb"), "database"),
        (format!("redis://:{SECRET}@h/-1"), "database"),
        (format!("redis://:{SECRET}@h?db=1e20"), "database"),
        (
            format!("redis://:{SECRET}@h?socket_timeout=1e20"),
            "socket_timeout",
        ),
        (
            format!("redis://:{SECRET}@h?socket_timeout=-1"),
            "socket_timeout",
        ),
        (format!("redis://:{SECRET}@h?protocol=4"), "protocol"),
        (
            format!("redis://:{SECRET}@h?max_connections=0"),
            "max_connections",
        ),
        (
            format!("redis://:{SECRET}@h?decode_responses=maybe"),
            "decode_responses",
        ),
        (format!("redis://:{SECRET}@h?bogus=1"), "unknown URL option"),
        (format!("redis://h?passwd={SECRET}"), "unknown URL option"),
        (format!("redis://h?password={SECRET}%ff"), "not valid UTF-8"),
        (format!("redis://:{SECRET}%ff@h"), "not valid UTF-8"),
        (format!("unix://:{SECRET}@"), "unix://:***@"),
        (
            format!("unix://:{SECRET}@localhost/tmp/s.sock?db=x"),
            "database",
        ),
        (
            format!("unix:///tmp/s.sock?db=1&password={SECRET}&db=x"),
            "database",
        ),
    ];
    for (url, expected) in &cases {
        let e = ConnectionConfig::from_url(url).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig, "{url}");
        for shown in [e.to_string(), format!("{e:?}"), format!("{e:#?}")] {
            assert!(!shown.contains(SECRET), "{url}: {shown}");
            assert!(
                shown.contains(expected),
                "{url}: {expected} missing from {shown}"
            );
        }
        let e = Redis::from_url(url).unwrap_err();
        assert!(!format!("{e} {e:?}").contains(SECRET), "{url}");
        let e = aio::Redis::from_url(url).unwrap_err();
        assert!(!format!("{e} {e:?}").contains(SECRET), "{url}");
        let e = Redis::builder().url(url).unwrap_err();
        assert!(!format!("{e} {e:?}").contains(SECRET), "{url}");
    }
}
