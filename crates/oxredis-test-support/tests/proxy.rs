//! Tests for `Proxy`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use oxredis_test_support::{Proxy, RawConn, RedisServer};

fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn forwards_ping() {
    let server = RedisServer::new();
    let proxy = Proxy::start(server.socket_addr());
    assert_ne!(proxy.port(), server.port());
    assert_eq!(proxy.url(), format!("redis://127.0.0.1:{}", proxy.port()));
    let mut c = RawConn::connect(proxy.addr()).unwrap();
    assert_eq!(c.cmd(&["PING"]).unwrap().to_text(), "PONG");
    // A large value survives the trip in both directions.
    let big = "x".repeat(1 << 20);
    assert_eq!(c.cmd(&["SET", "big", &big]).unwrap().to_text(), "OK");
    assert_eq!(c.cmd(&["GET", "big"]).unwrap().to_text(), big);
    assert_eq!(proxy.connection_count(), 1);
    drop(c);
    wait_until("connection count 0", || proxy.connection_count() == 0);
    assert_eq!(proxy.accepted_count(), 1);
}

#[test]
fn drop_all_breaks_open_connections_but_accepts_new() {
    let server = RedisServer::new();
    let proxy = Proxy::start(server.socket_addr());
    let mut c1 = RawConn::connect(proxy.addr()).unwrap();
    let mut c2 = RawConn::connect(proxy.addr()).unwrap();
    assert_eq!(c1.cmd(&["PING"]).unwrap().to_text(), "PONG");
    assert_eq!(c2.cmd(&["PING"]).unwrap().to_text(), "PONG");
    assert_eq!(proxy.connection_count(), 2);
    proxy.drop_all();
    assert_eq!(proxy.connection_count(), 0);
    assert!(c1.cmd(&["PING"]).is_err());
    assert!(c2.cmd(&["PING"]).is_err());
    let mut c3 = RawConn::connect(proxy.addr()).unwrap();
    assert_eq!(c3.cmd(&["PING"]).unwrap().to_text(), "PONG");
    // The server side connections were closed too (only c3's remains).
    wait_until("server sees one proxied client", || {
        server.cli(&["CLIENT", "LIST"]).lines().count() == 2
    });
}

#[test]
fn blackhole_makes_reads_time_out() {
    let server = RedisServer::new();
    let proxy = Proxy::start(server.socket_addr());
    let mut existing = RawConn::connect(proxy.addr()).unwrap();
    assert_eq!(existing.cmd(&["PING"]).unwrap().to_text(), "PONG");
    proxy.set_blackhole(true);
    existing
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let e = existing.cmd(&["PING"]).unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{e:?}"
    );

    // New connections are accepted but get nothing, and nothing reaches the server.
    let mut fresh = RawConn::connect(proxy.addr()).unwrap();
    fresh
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let e = fresh.cmd(&["SET", "bh", "1"]).unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{e:?}"
    );
    assert_eq!(server.cli(&["EXISTS", "bh"]), "0");

    proxy.set_blackhole(false);
    let mut after = RawConn::connect(proxy.addr()).unwrap();
    assert_eq!(after.cmd(&["PING"]).unwrap().to_text(), "PONG");
}

#[test]
fn delay_slows_replies() {
    let server = RedisServer::new();
    let proxy = Proxy::start(server.socket_addr());
    let mut c = RawConn::connect(proxy.addr()).unwrap();
    proxy.set_delay(Duration::from_millis(150));
    let t = Instant::now();
    assert_eq!(c.cmd(&["PING"]).unwrap().to_text(), "PONG");
    // Delayed once each way.
    assert!(
        t.elapsed() >= Duration::from_millis(290),
        "{:?}",
        t.elapsed()
    );
    proxy.set_delay(Duration::ZERO);
    let t = Instant::now();
    assert_eq!(c.cmd(&["PING"]).unwrap().to_text(), "PONG");
    assert!(
        t.elapsed() < Duration::from_millis(100),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn cut_next_reply_delivers_partial_then_eof() {
    let server = RedisServer::new();
    server.cli(&["SET", "k", "hello world"]);
    let proxy = Proxy::start(server.socket_addr());
    let mut s = TcpStream::connect(proxy.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    proxy.cut_next_reply_after(7);
    s.write_all(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n").unwrap();
    let mut got = Vec::new();
    s.read_to_end(&mut got).unwrap();
    assert_eq!(got, b"$11\r\nhe");
    wait_until("connection count 0", || proxy.connection_count() == 0);

    // One-shot: the next connection works normally.
    let mut c = RawConn::connect(proxy.addr()).unwrap();
    assert_eq!(c.cmd(&["GET", "k"]).unwrap().to_text(), "hello world");
}

#[test]
fn set_upstream_redirects_new_connections() {
    let a = RedisServer::new();
    let b = RedisServer::new();
    a.cli(&["SET", "who", "a"]);
    b.cli(&["SET", "who", "b"]);
    let proxy = Proxy::start(a.socket_addr());
    let mut ca = RawConn::connect(proxy.addr()).unwrap();
    // The upstream is chosen when the proxy thread handles the connection: make sure it has.
    assert_eq!(ca.cmd(&["PING"]).unwrap().to_text(), "PONG");
    proxy.set_upstream(b.socket_addr());
    let mut cb = RawConn::connect(proxy.addr()).unwrap();
    assert_eq!(ca.cmd(&["GET", "who"]).unwrap().to_text(), "a");
    assert_eq!(cb.cmd(&["GET", "who"]).unwrap().to_text(), "b");
}

#[test]
fn upstream_down_closes_client() {
    let mut server = RedisServer::new();
    let proxy = Proxy::start(server.socket_addr());
    server.stop();
    let mut c = RawConn::connect(proxy.addr()).unwrap();
    assert!(c.cmd(&["PING"]).is_err());
    server.start_again();
    let mut c = RawConn::connect(proxy.addr()).unwrap();
    assert_eq!(c.cmd(&["PING"]).unwrap().to_text(), "PONG");
}

#[test]
fn drop_does_not_hang_with_live_connections() {
    let server = RedisServer::new();
    let proxy = Proxy::start(server.socket_addr());
    let mut c = RawConn::connect(proxy.addr()).unwrap();
    assert_eq!(c.cmd(&["PING"]).unwrap().to_text(), "PONG");
    proxy.set_blackhole(true);
    let addr = proxy.addr();
    let t = Instant::now();
    drop(proxy);
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
    assert!(c.cmd(&["PING"]).is_err());
    assert!(TcpStream::connect(addr).is_err(), "listener still open");
}
