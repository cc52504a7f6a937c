//! Tests for `RedisServer`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use oxredis_test_support::{RawConn, RedisServer, Reply};

fn wait_gone(pid: u32) {
    let proc_path = format!("/proc/{pid}");
    let deadline = Instant::now() + Duration::from_secs(5);
    while Path::new(&proc_path).exists() {
        assert!(Instant::now() < deadline, "process {pid} still exists");
        thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn starts_answers_ping_and_is_killed_on_drop() {
    let server = RedisServer::new();
    assert_eq!(server.cli(&["PING"]), "PONG");
    assert_eq!(server.host(), "127.0.0.1");
    assert_eq!(server.addr(), format!("127.0.0.1:{}", server.port()));
    assert_eq!(server.url(), format!("redis://127.0.0.1:{}", server.port()));
    assert_eq!(server.password(), None);
    assert!(server.unix_path().is_none());
    // DEBUG is enabled.
    assert_eq!(server.cli(&["DEBUG", "SLEEP", "0"]), "OK");
    // No persistence.
    assert_eq!(server.cli(&["CONFIG", "GET", "save"]), "save\n");
    let pid = server.pid().unwrap();
    let dir = server.dir().to_path_buf();
    assert!(Path::new(&format!("/proc/{pid}")).exists());
    drop(server);
    wait_gone(pid);
    assert!(!dir.exists(), "temp dir not removed");
}

#[test]
fn killed_on_drop_during_panic() {
    let pid = std::sync::Arc::new(std::sync::Mutex::new(0u32));
    let p2 = pid.clone();
    let r = thread::spawn(move || {
        let server = RedisServer::new();
        *p2.lock().unwrap() = server.pid().unwrap();
        panic!("test panic with a live server");
    })
    .join();
    assert!(r.is_err());
    let pid = *pid.lock().unwrap();
    assert_ne!(pid, 0);
    wait_gone(pid);
}

#[test]
fn cli_text_rendering() {
    let server = RedisServer::new();
    assert_eq!(server.cli(&["SET", "k", "v"]), "OK");
    assert_eq!(server.cli(&["GET", "k"]), "v");
    assert_eq!(server.cli(&["GET", "missing"]), "(nil)");
    assert_eq!(server.cli(&["INCR", "n"]), "1");
    assert!(server.cli(&["NOSUCHCMD"]).starts_with("(error) ERR"));
    server.cli(&["RPUSH", "l", "a", "b"]);
    assert_eq!(server.cli(&["LRANGE", "l", "0", "-1"]), "a\nb");
    let mut c = server.conn();
    let hello = c.cmd(&["HELLO", "3"]).unwrap();
    assert!(matches!(hello, Reply::Map(_)), "{hello:?}");
    assert_eq!(c.cmd(&["GET", "missing"]).unwrap(), Reply::Nil);
}

#[test]
fn password_and_acl_user() {
    let server = RedisServer::builder()
        .password("s3cret pw")
        .acl_user("alice", "wonder")
        .start();
    assert_eq!(server.password(), Some("s3cret pw"));
    assert_eq!(
        server.url(),
        format!("redis://:s3cret%20pw@127.0.0.1:{}", server.port())
    );
    // cli authenticates as the default user.
    assert_eq!(server.cli(&["PING"]), "PONG");

    let mut c = RawConn::connect(server.addr()).unwrap();
    assert!(c.cmd(&["PING"]).unwrap().to_text().contains("NOAUTH"));
    let wrong = c.cmd(&["AUTH", "nope"]).unwrap();
    assert!(wrong.to_text().contains("WRONGPASS"), "{wrong}");
    assert_eq!(c.cmd(&["AUTH", "s3cret pw"]).unwrap().to_text(), "OK");

    let mut a = RawConn::connect(server.socket_addr()).unwrap();
    assert!(a.cmd(&["AUTH", "alice", "bad"]).unwrap().is_error());
    assert_eq!(a.cmd(&["AUTH", "alice", "wonder"]).unwrap().to_text(), "OK");
    assert_eq!(a.cmd(&["ACL", "WHOAMI"]).unwrap().to_text(), "alice");
    assert_eq!(a.cmd(&["SET", "x", "1"]).unwrap().to_text(), "OK");
}

#[test]
fn unix_socket() {
    let server = RedisServer::builder().unix_socket(true).start();
    let path = server.unix_path().unwrap().to_path_buf();
    assert!(path.exists());
    let mut c = RawConn::connect_unix(&path).unwrap();
    assert_eq!(c.cmd(&["PING"]).unwrap().to_text(), "PONG");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
}

#[test]
fn restart_keeps_port_and_config() {
    let mut server = RedisServer::builder()
        .password("pw")
        .acl_user("u", "p")
        .start();
    let port = server.port();
    let pid = server.pid().unwrap();
    // A connection open across the restart gets cut.
    let mut old = server.conn();
    server.cli(&["SET", "k", "v"]);
    server.restart();
    wait_gone(pid);
    assert_eq!(server.port(), port);
    assert_ne!(server.pid().unwrap(), pid);
    assert_eq!(server.cli(&["PING"]), "PONG");
    assert_eq!(server.cli(&["GET", "k"]), "(nil)");
    assert!(old.cmd(&["PING"]).is_err());
    let mut a = RawConn::connect(server.addr()).unwrap();
    assert_eq!(a.cmd(&["AUTH", "u", "p"]).unwrap().to_text(), "OK");
}

#[test]
fn stop_and_start_again() {
    let mut server = RedisServer::new();
    let port = server.port();
    let pid = server.pid().unwrap();
    server.stop();
    assert!(server.pid().is_none());
    assert!(!server.is_running());
    wait_gone(pid);
    assert!(
        RawConn::connect(server.addr()).is_err(),
        "connect should be refused"
    );
    server.start_again();
    assert_eq!(server.port(), port);
    assert_eq!(server.cli(&["PING"]), "PONG");
}

#[test]
fn parallel_servers_get_distinct_ports() {
    let handles: Vec<_> = (0..8).map(|_| thread::spawn(RedisServer::new)).collect();
    let servers: Vec<RedisServer> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let ports: BTreeSet<u16> = servers.iter().map(RedisServer::port).collect();
    assert_eq!(ports.len(), servers.len());
    for s in &servers {
        assert_eq!(s.cli(&["PING"]), "PONG");
        let info = s.cli(&["INFO", "server"]);
        assert!(info.contains(&format!("process_id:{}", s.pid().unwrap())));
    }
}

#[test]
fn replica_of_primary() {
    let primary = RedisServer::builder().password("pw").start();
    let replica = RedisServer::builder()
        .replica_of(&primary)
        .password("pw")
        .start();
    primary.cli(&["SET", "rk", "rv"]);
    primary.cli(&["WAIT", "1", "2000"]);
    assert_eq!(replica.cli(&["GET", "rk"]), "rv");
    assert!(replica.cli(&["ROLE"]).starts_with("slave"));
}

#[test]
fn missing_binary_fails_loudly() {
    let r = thread::spawn(|| {
        RedisServer::builder()
            .binary("/nonexistent/redis-server")
            .start()
    })
    .join();
    let err = r.unwrap_err();
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("not found"), "{msg}");
}

#[test]
fn bad_config_fails_loudly_with_log() {
    let r = thread::spawn(|| {
        RedisServer::builder()
            .arg("--no-such-option")
            .arg("1")
            .start()
    })
    .join();
    let err = r.unwrap_err();
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("no-such-option"), "{msg}");
}

#[test]
fn start_again_waits_for_port_to_be_free() {
    let mut server = RedisServer::new();
    server.stop();
    // Someone else holds the port for a while: start_again must retry, not fail or hang.
    let squatter = std::net::TcpListener::bind(server.addr()).unwrap();
    let t = thread::spawn(move || {
        thread::sleep(Duration::from_millis(300));
        drop(squatter);
    });
    let started = Instant::now();
    server.start_again();
    assert!(started.elapsed() >= Duration::from_millis(250));
    t.join().unwrap();
    assert_eq!(server.cli(&["PING"]), "PONG");
    assert!(server.log().contains("Ready to accept connections"));
}
