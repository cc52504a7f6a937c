//! Retries, health checks, socket timeouts and connect errors against real redis-server
//! processes. Each body is a macro run by the blocking client (`ClientBuilder::build`,
//! `#[test]`) and by the async one (`build_async`, `$aw` = `await`, `#[tokio::test]`), on RESP2
//! and RESP3.
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

mod common;
use common::*;
use oxredis::retry::{Backoff, Retry};
use oxredis::{ErrorKind, Protocol, Redis, Value};
use oxredis_test_support::{Proxy, RedisServer};

/// A builder for `url` on `protocol` (the same builder makes both clients).
fn builder(url: &str, protocol: Protocol) -> oxredis::ClientBuilder {
    Redis::builder().url(&with_protocol(url, protocol)).unwrap()
}

/// A blocking `#[test]` and an async `#[tokio::test]` running the body macro `$body` with the
/// builder's `build` or `build_async`.
macro_rules! both_clients {
    ($body:ident: $blocking:ident, $async_:ident) => {
        #[test]
        fn $blocking() {
            $body!(build);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $async_() {
            $body!(build_async, await);
        }
    };
}

// ---------------------------------------------------------------- retries

macro_rules! connect_failures_are_retried_with_backoff {
    ($build:ident $(, $aw:tt)*) => {{
        let mut server = RedisServer::new();
        for protocol in PROTOCOLS {
            let r = builder(&server.url(), protocol)
                .retry(Retry::new(Backoff::Constant(Duration::from_millis(50)), 100))
                .$build();
            server.stop();
            let restarter = std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(300));
                server.start_again();
                server
            });
            // The server is down when this starts: the connect fails, is retried, and succeeds.
            assert!(r.set("k", "v") $(.$aw)* .unwrap());
            server = restarter.join().unwrap();
            assert_eq!(server.cli(&["GET", "k"]), "v", "{protocol:?}");
            let no_retry = builder(&server.url(), protocol).retry(Retry::none()).$build();
            assert!(no_retry.ping() $(.$aw)* .unwrap());
        }
    }};
}

both_clients!(connect_failures_are_retried_with_backoff: connect_failures_are_retried_with_backoff_blocking, connect_failures_are_retried_with_backoff_async);

macro_rules! a_write_cut_off_after_sending_is_reported_not_retried {
    ($build:ident $(, $aw:tt)*) => {{
        for protocol in PROTOCOLS {
            let server = RedisServer::new();
            let proxy = Proxy::start(server.socket_addr());
            let r = builder(&proxy.url(), protocol)
                .retry(Retry::new(Backoff::NoBackoff, 5))
                .$build();
            assert!(r.ping() $(.$aw)* .unwrap());
            proxy.cut_next_reply_after(0);
            let e = r.incr("counter") $(.$aw)* .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
            assert_eq!(server.cli(&["GET", "counter"]), "1", "INCR applied exactly once");
            if let Some((open, _)) = r.pool_counts() {
                assert_eq!(open, 0, "cut connection discarded");
            }
            // A read-only command cut off the same way is retried on a fresh connection.
            proxy.cut_next_reply_after(0);
            assert_eq!(r.get::<i64>("counter") $(.$aw)* .unwrap(), 1, "{protocol:?}");
        }
    }};
}

both_clients!(a_write_cut_off_after_sending_is_reported_not_retried: a_write_cut_off_after_sending_is_reported_not_retried_blocking, a_write_cut_off_after_sending_is_reported_not_retried_async);

macro_rules! a_hand_built_read_cut_off_after_sending_is_retried {
    ($build:ident $(, $aw:tt)*) => {{
        for protocol in PROTOCOLS {
            let server = RedisServer::new();
            let proxy = Proxy::start(server.socket_addr());
            let r = builder(&proxy.url(), protocol)
                .retry(Retry::new(Backoff::NoBackoff, 5))
                .$build();
            assert!(r.set("k", "v") $(.$aw)* .unwrap());
            // Built by hand, as `execute_command` (and the Python binding, for every command)
            // builds them: read-only by the declaration of their name, so a reply cut off after
            // sending is read again on a fresh connection, as for `r.get`.
            proxy.cut_next_reply_after(0);
            let got: String = r.execute_command(("get", "k")) $(.$aw)* .unwrap();
            assert_eq!(got, "v", "{protocol:?}");
            // A two-word name: OBJECT ENCODING's declaration.
            proxy.cut_next_reply_after(0);
            let enc: String = r.execute_command(("OBJECT", "ENCODING", "k")) $(.$aw)* .unwrap();
            assert_eq!(enc, "embstr", "{protocol:?}");
            // A hand-built write cut off the same way is reported, and applied once.
            proxy.cut_next_reply_after(0);
            let e = r.execute_command::<i64>(("INCR", "n")) $(.$aw)* .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
            assert_eq!(server.cli(&["GET", "n"]), "1", "INCR applied exactly once");
            // A name the table does not know is not taken for a read (on a connection opened
            // first, so that the cut falls on the command's reply, not on a handshake's).
            assert!(r.ping() $(.$aw)* .unwrap());
            proxy.cut_next_reply_after(0);
            let e = r.execute_command::<Value>(("NO-SUCH-COMMAND",)) $(.$aw)* .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
        }
    }};
}

both_clients!(a_hand_built_read_cut_off_after_sending_is_retried: a_hand_built_read_cut_off_after_sending_is_retried_blocking, a_hand_built_read_cut_off_after_sending_is_retried_async);

/// Makes the whole server sleep `secs` (DEBUG SLEEP, on a connection of its own in a thread),
/// and returns once it has started to.
fn server_sleeps(addr: std::net::SocketAddr, secs: &'static str) -> std::thread::JoinHandle<()> {
    use std::io::{Read, Write};
    let handle = std::thread::spawn(move || {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        let cmd = format!(
            "*3\r\n$5\r\nDEBUG\r\n$5\r\nSLEEP\r\n${}\r\n{secs}\r\n",
            secs.len()
        );
        s.write_all(cmd.as_bytes()).unwrap();
        let mut reply = [0u8; 5];
        s.read_exact(&mut reply).unwrap();
        assert_eq!(&reply, b"+OK\r\n");
    });
    // The command is on its way; the server starts sleeping as soon as it reads it.
    std::thread::sleep(Duration::from_millis(50));
    handle
}

macro_rules! a_read_that_timed_out_is_retried_when_asked_a_write_never {
    ($build:ident $(, $aw:tt)*) => {{
        let server = RedisServer::new();
        for protocol in PROTOCOLS {
            let policy = Retry::new(Backoff::Constant(Duration::from_millis(20)), 20);
            let r = builder(&server.url(), protocol)
                .socket_timeout(Duration::from_millis(100))
                .retry(policy.with_retry_reads_after_timeout(true))
                .$build();
            assert!(r.set("k", "v") $(.$aw)* .unwrap());
            assert!(r.set("n", 0) $(.$aw)* .unwrap());
            // The server is busy for 400 ms: the read times out after it was sent, and is
            // sent again until the server answers.
            let sleeping = server_sleeps(server.socket_addr(), "0.4");
            let started = Instant::now();
            let got: Option<String> = r.get("k") $(.$aw)* .unwrap();
            assert_eq!(got.as_deref(), Some("v"), "{protocol:?}");
            assert!(started.elapsed() >= Duration::from_millis(200), "{:?}", started.elapsed());
            sleeping.join().unwrap();
            // A write that timed out is reported, not sent again: applied once at most.
            let sleeping = server_sleeps(server.socket_addr(), "0.4");
            let e = r.incr("n") $(.$aw)* .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
            sleeping.join().unwrap();
            assert_eq!(server.cli(&["GET", "n"]), "1", "INCR applied exactly once");
            // Without the opt-in, the read's timeout is reported too.
            let plain = builder(&server.url(), protocol)
                .socket_timeout(Duration::from_millis(100))
                .retry(policy)
                .$build();
            assert!(plain.ping() $(.$aw)* .unwrap());
            let sleeping = server_sleeps(server.socket_addr(), "0.3");
            let e = plain.get::<Option<String>>("k") $(.$aw)* .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
            sleeping.join().unwrap();
        }
    }};
}

both_clients!(a_read_that_timed_out_is_retried_when_asked_a_write_never: a_read_that_timed_out_is_retried_when_asked_a_write_never_blocking, a_read_that_timed_out_is_retried_when_asked_a_write_never_async);

macro_rules! server_restart_under_a_live_client {
    ($build:ident $(, $aw:tt)*) => {{
        let mut server = RedisServer::new();
        for protocol in PROTOCOLS {
            let r = builder(&server.url(), protocol).$build();
            assert!(r.set("before", 1) $(.$aw)* .unwrap());
            server.restart();
            // The first command may fail with a connection error; the next one must work.
            match r.get::<Option<i64>>("before") $(.$aw)* {
                Ok(v) => assert_eq!(v, None, "restarted server has no data"),
                Err(e) => assert_eq!(e.kind(), ErrorKind::Connection, "{e}"),
            }
            assert!(r.set("after", 2) $(.$aw)* .unwrap());
            assert_eq!(r.get::<i64>("after") $(.$aw)* .unwrap(), 2, "{protocol:?}");
        }
    }};
}

both_clients!(server_restart_under_a_live_client: server_restart_under_a_live_client_blocking, server_restart_under_a_live_client_async);

// ---------------------------------------------------------------- health checks

macro_rules! killed_idle_connection_is_replaced_by_the_health_check {
    ($build:ident $(, $aw:tt)*) => {{
        let server = RedisServer::new();
        for protocol in PROTOCOLS {
            let r = builder(&server.url(), protocol)
                .client_name("hc")
                .health_check_interval(Duration::from_millis(1))
                .$build();
            assert!(r.ping() $(.$aw)* .unwrap());
            // Killed by id: the previous protocol's client may still be closing on the server's
            // side, so a kill of every normal client could count it too (seen under load).
            let id = r.client_id() $(.$aw)* .unwrap();
            assert_eq!(server.cli(&["CLIENT", "KILL", "ID", &id.to_string()]), "1");
            std::thread::sleep(Duration::from_millis(5));
            // Without the health check this command would hit the dead socket.
            assert!(r.set("k", "v") $(.$aw)* .unwrap(), "{protocol:?}");
        }
    }};
}

both_clients!(killed_idle_connection_is_replaced_by_the_health_check: killed_idle_connection_is_replaced_by_the_health_check_blocking, killed_idle_connection_is_replaced_by_the_health_check_async);

// ---------------------------------------------------------------- timeouts and connect errors

macro_rules! a_slow_reply_beyond_socket_timeout_is_a_timeout_and_the_connection_is_replaced {
    ($build:ident $(, $aw:tt)*) => {{
        let server = RedisServer::new();
        for protocol in PROTOCOLS {
            let r = builder(&server.url(), protocol)
                .socket_timeout(Duration::from_millis(300))
                .$build();
            r.set("a", "1") $(.$aw)* .unwrap();
            let first_id: i64 = r.execute_command(("CLIENT", "ID")) $(.$aw)* .unwrap();
            let start = Instant::now();
            // An ordinary command the server takes 1 s to answer: past the 300 ms deadline.
            let e = r.execute_command::<Value>(("DEBUG", "SLEEP", "1")) $(.$aw)* .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
            assert!(e.is_timeout());
            assert!(start.elapsed() < Duration::from_secs(3));
            if let Some((open, _)) = r.pool_counts() {
                assert_eq!(open, 0, "timed-out connection must not be pooled");
            }
            // DEBUG SLEEP holds the whole server: commands meanwhile may time out too;
            // afterwards they must get their own replies (the late one reaches no one).
            let deadline = Instant::now() + Duration::from_secs(5);
            loop {
                match r.get::<String>("a") $(.$aw)* {
                    Ok(v) => {
                        assert_eq!(v, "1");
                        break;
                    }
                    Err(e) => assert_eq!(e.kind(), ErrorKind::Timeout, "{e}"),
                }
                assert!(Instant::now() < deadline);
            }
            let next_id: i64 = r.execute_command(("CLIENT", "ID")) $(.$aw)* .unwrap();
            assert_ne!(first_id, next_id, "a fresh connection serves the next command");
            assert_eq!(r.echo::<String>("mine") $(.$aw)* .unwrap(), "mine");
            // A blocking command's own timeout extends the deadline: BLPOP 1 s is not cut at
            // 300 ms, and BLPOP 0 waits until an element comes.
            let start = Instant::now();
            assert_eq!(
                r.blpop::<Option<(String, String)>>("empty-list", 1.0) $(.$aw)* .unwrap(),
                None
            );
            assert!(start.elapsed() >= Duration::from_millis(900));
            let pusher = {
                let url = server.url();
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_millis(700));
                    Redis::from_url(&url).unwrap().rpush("empty-list", ["late"]).unwrap()
                })
            };
            let got = r.blpop::<Option<(String, String)>>("empty-list", 0.0) $(.$aw)* .unwrap();
            assert_eq!(got, Some(("empty-list".into(), "late".into())), "{protocol:?}");
            assert_eq!(pusher.join().unwrap(), 1);
        }
    }};
}

both_clients!(a_slow_reply_beyond_socket_timeout_is_a_timeout_and_the_connection_is_replaced: a_slow_reply_beyond_socket_timeout_is_a_timeout_blocking, a_slow_reply_beyond_socket_timeout_is_a_timeout_async);

macro_rules! blocking_command_without_socket_timeout_waits_its_own_timeout {
    ($build:ident $(, $aw:tt)*) => {{
        let server = RedisServer::new();
        for protocol in PROTOCOLS {
            let r = builder(&server.url(), protocol).$build();
            let start = Instant::now();
            let v: Option<(String, String)> = r.blpop("empty", 1.0) $(.$aw)* .unwrap();
            let took = start.elapsed();
            assert_eq!(v, None);
            assert!(took >= Duration::from_millis(900), "{took:?}");
            assert!(took < Duration::from_secs(5), "{took:?}");
        }
    }};
}

both_clients!(blocking_command_without_socket_timeout_waits_its_own_timeout: blpop_without_socket_timeout_waits_its_own_timeout_blocking, blpop_without_socket_timeout_waits_its_own_timeout_async);

macro_rules! connect_to_a_closed_port_is_a_connection_error {
    ($build:ident $(, $aw:tt)*) => {{
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        for protocol in PROTOCOLS {
            let r = Redis::builder()
                .port(port)
                .protocol(protocol)
                .socket_connect_timeout(Duration::from_secs(2))
                .$build();
            let e = r.ping() $(.$aw)* .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
            assert!(e.is_connection_error());
            // Still failing cleanly on the next command, and a blocking command too.
            let e = r.get::<Option<String>>("k") $(.$aw)* .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
            let e = r.blpop::<Value>("k", 1.0) $(.$aw)* .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
        }
    }};
}

both_clients!(connect_to_a_closed_port_is_a_connection_error: connect_to_a_closed_port_is_a_connection_error_blocking, connect_to_a_closed_port_is_a_connection_error_async);
