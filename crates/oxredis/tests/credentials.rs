//! A credential provider (redis-py's `CredentialProvider`) under password rotation: the
//! password of an ACL user is changed mid-run; connections already authenticated keep working,
//! new ones authenticate with what the provider says now. One body for the blocking and the
//! async client, on RESP2 (`AUTH`) and RESP3 (`HELLO 3 AUTH`).
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;
use common::*;
use oxredis::{CredentialProvider, Credentials, ErrorKind, Protocol, Redis};
use oxredis_test_support::RedisServer;

/// The current password of user `svc`, as a secrets store would hand it out; counts the calls.
struct Rotating {
    password: Mutex<String>,
    calls: AtomicUsize,
}

impl Rotating {
    fn new(password: &str) -> Arc<Rotating> {
        Arc::new(Rotating {
            password: Mutex::new(password.to_owned()),
            calls: AtomicUsize::new(0),
        })
    }

    fn rotate(&self, password: &str) {
        *self.password.lock().unwrap() = password.to_owned();
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl CredentialProvider for Rotating {
    fn credentials(&self) -> oxredis::Result<Credentials> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(Credentials::new(
            Some("svc"),
            self.password.lock().unwrap().clone(),
        ))
    }
}

/// A user `svc` with `password`, allowed everything.
fn create_user(server: &RedisServer, password: &str) {
    let pass = format!(">{password}");
    let reply = server.cli_reply(&["ACL", "SETUSER", "svc", "on", &pass, "~*", "&*", "+@all"]);
    assert!(!reply.is_error(), "{reply:?}");
}

/// Replaces `svc`'s passwords with `password` only: the old one stops working for new AUTHs.
fn change_password(server: &RedisServer, password: &str) {
    let pass = format!(">{password}");
    let reply = server.cli_reply(&["ACL", "SETUSER", "svc", "resetpass", &pass]);
    assert!(!reply.is_error(), "{reply:?}");
}

/// The client's PubSub: the blocking one connects on first use, the async one at once.
macro_rules! pubsub_of {
    ([], $r:expr) => {
        $r.pubsub()
    };
    ([await], $r:expr) => {
        $r.pubsub().await.unwrap()
    };
}

macro_rules! rotation {
    ($build:ident $(, $aw:tt)*) => {{
        for protocol in [Protocol::Resp2, Protocol::Resp3] {
            let server = RedisServer::new();
            create_user(&server, "pw-1");
            let provider = Rotating::new("pw-1");
            let url = with_protocol(&server.url(), protocol);
            let r = Redis::builder()
                .url(&url)
                .unwrap()
                .credential_provider(provider.clone())
                .$build();
            assert!(r.set("k", "v1") $(.$aw)* .unwrap());
            assert_eq!(r.acl_whoami::<String>() $(.$aw)* .unwrap(), "svc");
            assert_eq!(provider.calls(), 1, "one connection, one handshake");
            // Debug of the client shows neither password.
            assert!(!format!("{r:?}").contains("pw-1"));

            change_password(&server, "pw-2");
            provider.rotate("pw-2");
            // The authenticated connection keeps working without a new handshake.
            assert_eq!(r.get::<String>("k") $(.$aw)* .unwrap(), "v1");
            assert_eq!(provider.calls(), 1);

            // A new connection (pub/sub opens its own) authenticates with the new password.
            let mut p = pubsub_of!([$($aw)*], r);
            p.subscribe("news") $(.$aw)* .unwrap();
            let deadline = Instant::now() + Duration::from_secs(5);
            let confirmed = loop {
                if let Some(m) = p.get_message(Some(Duration::from_millis(100))) $(.$aw)* .unwrap() {
                    break m;
                }
                assert!(Instant::now() < deadline, "no subscribe confirmation");
            };
            assert_eq!(render(&confirmed), mk("subscribe", Some("news"), None, "1"));
            assert_eq!(provider.calls(), 2, "the new connection asked the provider");
            assert_eq!(r.publish("news", "hello") $(.$aw)* .unwrap(), 1);

            // The old password is refused to a client that still has it fixed.
            let stale = Redis::builder()
                .url(&url)
                .unwrap()
                .username("svc")
                .password("pw-1")
                .$build();
            let e = stale.ping() $(.$aw)* .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Authentication, "{e}");
            assert!(!e.to_string().contains("pw-1"), "{e}");
        }
    }};
}

#[test]
fn rotated_password_reaches_new_connections_blocking() {
    rotation!(build);
}

#[tokio::test]
async fn rotated_password_reaches_new_connections_async() {
    rotation!(build_async, await);
}

/// A provider that fails: the connection attempt fails with its error, nothing is sent.
struct Down;

impl CredentialProvider for Down {
    fn credentials(&self) -> oxredis::Result<Credentials> {
        Err(oxredis::Error::new(
            ErrorKind::Authentication,
            "token service unavailable",
        ))
    }
}

macro_rules! provider_error {
    ($build:ident $(, $aw:tt)*) => {{
        let server = RedisServer::new();
        let r = Redis::builder()
            .url(&server.url())
            .unwrap()
            .credential_provider(Arc::new(Down))
            .$build();
        let e = r.ping() $(.$aw)* .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Authentication, "{e}");
        assert!(e.to_string().contains("token service unavailable"), "{e}");
    }};
}

#[test]
fn a_failing_provider_fails_the_connection_blocking() {
    provider_error!(build);
}

#[tokio::test]
async fn a_failing_provider_fails_the_connection_async() {
    provider_error!(build_async, await);
}
