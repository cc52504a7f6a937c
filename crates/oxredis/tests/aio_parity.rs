//! The blocking and async clients mirror each other: the same builder, `monitor()`, and pub/sub
//! handlers with a background worker. Where a behaviour exists in both, one test body (a
//! `macro_rules!` taking `$(, $aw)*`, `await` for the async client) runs against both.

use std::time::Duration;

mod common;
use common::*;
use oxredis::{aio, ClientBuilder, Protocol};
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
