//! Connection-state commands cannot corrupt a shared connection: given to `execute_command`,
//! `run` or a pipeline of the blocking client (a pooled connection) or of the async client (the
//! multiplexed connection), `SUBSCRIBE`, `MONITOR`, `MULTI`, `SELECT`, `CLIENT REPLY OFF`... are
//! refused with [`ErrorKind::Data`] before anything is sent, and the next commands on the same
//! connection get their own replies. One test body per command family runs against both
//! clients and both protocols.
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use oxredis::types::ClientInfo;
use oxredis::{aio, Cmd, ErrorKind, Protocol, Redis, Value};
use oxredis_test_support::RedisServer;

use common::{with_protocol, PROTOCOLS};

/// A blocking client with one pooled connection, so every command (and `CLIENT INFO`) runs on
/// the same connection.
fn blocking_client(server: &RedisServer, protocol: Protocol) -> Redis {
    Redis::builder()
        .url(&with_protocol(&server.url(), protocol))
        .unwrap()
        .max_connections(1)
        .build()
}

fn async_client(server: &RedisServer, protocol: Protocol) -> aio::Redis {
    aio::Redis::from_url(&with_protocol(&server.url(), protocol)).unwrap()
}

/// Every `(words, mention)` of `$cases` is refused through `execute_command`, through `run` with
/// a hand-built `Cmd`, and in a pipeline, with `ErrorKind::Data` and a message naming `$name`
/// and `mention` (the API to use instead); after each, the same client's next commands get
/// their own replies and `CLIENT INFO` shows the connection in db 0, not subscribed, not in a
/// transaction. Returns the error messages seen.
macro_rules! refused_then_clean {
    ($r:expr, $cases:expr $(, $aw:tt)*) => {{
        let r = $r;
        let cases: &[(&[&str], &str, &str)] = $cases;
        let mut messages: Vec<String> = Vec::new();
        for (i, &(words, name, mention)) in cases.iter().enumerate() {
            let check = |e: oxredis::Error| {
                assert_eq!(e.kind(), ErrorKind::Data, "{words:?}: {e}");
                let text = e.to_string();
                assert!(
                    text.contains(&format!("{name} refused on a shared connection")),
                    "{words:?}: {text}"
                );
                assert!(text.contains(mention), "{words:?} should mention {mention}: {text}");
                text
            };
            let e = r.execute_command::<Value>(words) $(.$aw)* .unwrap_err();
            messages.push(check(e));
            let mut cmd = Cmd::empty();
            cmd.arg(words);
            let e = r.run::<Value>(cmd) $(.$aw)* .unwrap_err();
            check(e);
            let e = r
                .pipeline(i % 2 == 0)
                .set("p", 1)
                .execute_command(words)
                .execute() $(.$aw)*
                .unwrap_err();
            assert_eq!(e.command(), Some((1, name.split(' ').next().unwrap())), "{e}");
            check(e);

            // The connection answers the next commands with their own replies.
            let value = format!("{i}");
            assert!(r.set("a", &value) $(.$aw)* .unwrap());
            assert_eq!(r.get::<String>("a") $(.$aw)* .unwrap(), value);
            assert_eq!(r.echo::<String>("x") $(.$aw)* .unwrap(), "x");
            assert_eq!(r.exists(["p"]) $(.$aw)* .unwrap(), 0, "the refused pipeline sent nothing");
            let info: ClientInfo = r.client_info() $(.$aw)* .unwrap();
            assert_eq!(info.db(), Some(0), "{words:?}");
            assert_eq!(
                ["flags", "sub", "psub", "multi"].map(|f| info.get(f)),
                [Some("N"), Some("0"), Some("0"), Some("-1")],
                "{words:?}"
            );
        }
        messages
    }};
}

/// Runs `$cases` against both clients on both protocols, and checks both clients refuse them
/// with the same messages.
macro_rules! both_clients {
    ($cases:expr) => {{
        let server = RedisServer::new();
        for protocol in PROTOCOLS {
            let blocking = blocking_client(&server, protocol);
            let seen = refused_then_clean!(&blocking, $cases);
            // The one pooled connection was never discarded.
            assert_eq!(blocking.connection_pool().idle_connections(), 1);
            let r = async_client(&server, protocol);
            let got = refused_then_clean!(&r, $cases, await);
            assert_eq!(got, seen, "{protocol:?}");
        }
    }};
}

#[tokio::test]
async fn client_reply_off_and_skip_are_refused() {
    both_clients!(&[
        (
            &["CLIENT", "REPLY", "OFF"],
            "CLIENT REPLY OFF/SKIP",
            "Connection::connect"
        ),
        (
            &["client", "reply", "skip"],
            "CLIENT REPLY OFF/SKIP",
            "stop replying"
        ),
    ]);
}

/// The generated `client_reply` method is refused too, except for `ON`, and a bare `HELLO`
/// (which only reports) is allowed.
macro_rules! declared_and_allowed {
    ($r:expr, $protocol:expr $(, $aw:tt)*) => {{
        let r = $r;
        let e = r.client_reply("OFF") $(.$aw)* .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Data);
        assert!(e.to_string().contains("CLIENT REPLY OFF/SKIP refused"), "{e}");
        assert!(r.client_reply("ON") $(.$aw)* .unwrap());
        let hello: std::collections::HashMap<String, Value> =
            r.execute_command(("HELLO",)) $(.$aw)* .unwrap();
        let proto = if $protocol == Protocol::Resp3 { 3 } else { 2 };
        assert_eq!(hello.get("proto"), Some(&Value::Int(proto)));
        assert_eq!(r.echo::<String>("after") $(.$aw)* .unwrap(), "after");
    }};
}

#[tokio::test]
async fn declared_client_reply_is_refused_and_harmless_forms_are_allowed() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        declared_and_allowed!(&blocking_client(&server, protocol), protocol);
        declared_and_allowed!(&async_client(&server, protocol), protocol, await);
    }
}

#[tokio::test]
async fn subscribe_family_is_refused() {
    both_clients!(&[
        (&["SUBSCRIBE", "c"], "SUBSCRIBE", "pubsub()"),
        (&["PSUBSCRIBE", "c*"], "PSUBSCRIBE", "pubsub()"),
        (&["SSUBSCRIBE", "c"], "SSUBSCRIBE", "pubsub()"),
        (&["UNSUBSCRIBE"], "UNSUBSCRIBE", "pubsub()"),
        (&["PUNSUBSCRIBE"], "PUNSUBSCRIBE", "pubsub()"),
        (&["SUNSUBSCRIBE"], "SUNSUBSCRIBE", "pubsub()"),
    ]);
}

#[tokio::test]
async fn monitor_is_refused() {
    both_clients!(&[(&["MONITOR"], "MONITOR", "monitor()")]);
}

#[tokio::test]
async fn transaction_commands_outside_a_pipeline_are_refused() {
    both_clients!(&[
        (&["MULTI"], "MULTI", "pipeline(true)"),
        (&["EXEC"], "EXEC", "pipeline(true)"),
        (&["DISCARD"], "DISCARD", "pipeline(true)"),
        (&["WATCH", "k"], "WATCH", "pipeline(true).watch(keys)"),
        (&["UNWATCH"], "UNWATCH", "transaction(keys"),
    ]);
}

#[tokio::test]
async fn handshake_state_commands_are_refused() {
    both_clients!(&[
        (&["SELECT", "1"], "SELECT", "ConnectionConfig.db"),
        (&["AUTH", "secret"], "AUTH", "username/password"),
        (&["HELLO", "3"], "HELLO", "ConnectionConfig protocol"),
        (&["HELLO", "2", "SETNAME", "x"], "HELLO", "client_name"),
        (&["RESET"], "RESET", "Connection::connect"),
        (&["QUIT"], "QUIT", "drop the client"),
        (&["PSYNC", "?", "-1"], "PSYNC", "replication"),
    ]);
}

#[test]
fn blocking_watched_pipeline_refuses_state_commands_but_runs_watch() {
    let server = RedisServer::new();
    let valkey = server.is_valkey();
    for protocol in PROTOCOLS {
        let r = blocking_client(&server, protocol);
        r.set("w", 1).unwrap();
        let mut pipe = r.pipeline(true).watch("w").unwrap();
        let e = pipe.execute_command::<Value>(("SELECT", 2)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Data);
        assert!(e.to_string().contains("SELECT refused"), "{e}");
        let e = pipe.execute_command::<Value>(("MULTI",)).unwrap_err();
        assert!(e.to_string().contains("MULTI refused"), "{e}");
        // WATCH and UNWATCH belong to a watched pipeline.
        assert!(pipe.execute_command::<bool>(("WATCH", "w2")).unwrap());
        assert_eq!(pipe.get::<i64>("w").unwrap(), 1);
        pipe.multi().incr("w");
        assert_eq!(pipe.execute().unwrap(), vec![Value::Int(2)]);
        let info: ClientInfo = r.client_info().unwrap();
        // No MULTI left open: flags without `x`. `multi` is -1 outside a transaction on Redis;
        // Valkey 9 reports 0 (queued commands) once the connection has run one.
        let multi = if valkey { "0" } else { "-1" };
        assert_eq!(
            (info.db(), info.get("flags"), info.get("multi")),
            (Some(0), Some("N"), Some(multi))
        );
    }
}

#[test]
fn a_connection_of_its_own_takes_any_command() {
    let server = RedisServer::new();
    let r = blocking_client(&server, Protocol::Resp2);
    r.set("k", "db0").unwrap();
    let mut conn = oxredis::Connection::connect(r.config()).unwrap();
    let mut select = Cmd::new("SELECT");
    select.arg(1);
    assert_eq!(conn.request(&select).unwrap().as_bytes(), Some(&b"OK"[..]));
    let mut get = Cmd::new("GET");
    get.arg("k");
    assert_eq!(conn.request(&get).unwrap(), Value::Nil);
    assert_eq!(r.get::<String>("k").unwrap(), "db0");
}

/// `Connection::can_read`: false while nothing is owed, true once a reply's bytes arrived
/// (which stay for the read), and a wait with nothing does not break the connection.
#[test]
fn can_read_waits_for_a_reply_without_consuming_it() {
    let server = RedisServer::new();
    for protocol in PROTOCOLS {
        let r = blocking_client(&server, protocol);
        let mut conn = oxredis::Connection::connect(r.config()).unwrap();
        assert!(!conn.can_read(Some(std::time::Duration::ZERO)).unwrap());
        assert!(!conn
            .can_read(Some(std::time::Duration::from_millis(50)))
            .unwrap());
        assert!(!conn.is_broken());
        let mut ping = Cmd::new("PING");
        ping.arg("hello");
        conn.queue(&ping);
        conn.flush().unwrap();
        assert!(conn
            .can_read(Some(std::time::Duration::from_secs(5)))
            .unwrap());
        assert!(conn.can_read(Some(std::time::Duration::ZERO)).unwrap());
        assert_eq!(
            conn.read_reply().unwrap().as_bytes(),
            Some(&b"hello"[..]),
            "{protocol:?}"
        );
        assert!(!conn.can_read(Some(std::time::Duration::ZERO)).unwrap());
        assert!(conn.is_reusable());
        // The server closes it: the wait reports the close.
        let mut client_id = Cmd::new("CLIENT");
        client_id.arg("ID");
        let Value::Int(id) = conn.request(&client_id).unwrap() else {
            panic!("CLIENT ID is an integer")
        };
        let killed: i64 = r.execute_command(("CLIENT", "KILL", "ID", id)).unwrap();
        assert_eq!(killed, 1);
        let e = conn
            .can_read(Some(std::time::Duration::from_secs(5)))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
        assert!(conn.is_broken());
    }
}
