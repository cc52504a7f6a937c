//! Errors as callers see them: a server that sends bytes that are not RESP gives a
//! `Protocol` error in both clients, reported once (no "Connection error: Connection error").
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::error::Error as _;
use std::io::{Read, Write};
use std::net::TcpListener;

use oxredis::{aio, ConnectionConfig, ErrorKind, Protocol};

/// A fake server: its `n`th accepted connection waits for a request, answers it with
/// `replies[n]`, then holds the connection open until the client closes it.
fn fake_server(replies: Vec<&'static [u8]>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for reply in replies {
            let (mut conn, _) = listener.accept().unwrap();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                if conn.read(&mut buf).unwrap_or(0) == 0 {
                    return;
                }
                if conn.write_all(reply).is_err() {
                    return;
                }
                while conn.read(&mut buf).is_ok_and(|n| n > 0) {}
            });
        }
    });
    port
}

/// A config with no handshake at all (RESP2, no password, no `CLIENT SETINFO`), so the first
/// thing the fake server reads is the test's command.
fn config(port: u16) -> ConnectionConfig {
    let mut config = ConnectionConfig::from_url(&format!("redis://127.0.0.1:{port}")).unwrap();
    config.protocol = Protocol::Resp2;
    config.lib_name = None;
    config.lib_version = None;
    config
}

const GARBAGE: &[u8] = b"?bogus\r\n";
const WANT: &str = "Protocol error: invalid RESP type byte";

#[tokio::test]
async fn a_hostile_reply_is_a_protocol_error_through_the_multiplexer() {
    let port = fake_server(vec![GARBAGE, GARBAGE, b"+PONG\r\n"]);
    let r = aio::Redis::new(config(port));

    let e = r.ping().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e:?}");
    assert_eq!(e.to_string(), WANT);
    assert!(e.source().is_none(), "{e:?}");
    assert!(!e.is_connection_error());
    assert!(!e.is_unsent(), "the PING was written");

    // A pipeline's packed request is failed the same way.
    let e = r.pipeline(false).ping().ping().execute().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e:?}");
    assert_eq!(e.to_string(), WANT);

    // The broken connection was replaced.
    assert!(r.ping().await.unwrap());
}

#[test]
fn a_hostile_reply_is_the_same_protocol_error_in_the_blocking_client() {
    let port = fake_server(vec![GARBAGE, b"+PONG\r\n"]);
    let r = oxredis::Redis::new(config(port));
    let e = r.ping().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e:?}");
    assert_eq!(e.to_string(), WANT);
    assert!(e.source().is_none(), "{e:?}");
    assert!(r.ping().unwrap());
}
