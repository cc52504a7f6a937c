//! TLS (`rediss://`) against a real redis-server listening with `--tls-port`, with certificates
//! made at test time (rcgen, see `oxredis_test_support::TlsFiles`). Each body is a macro run by
//! the blocking client (`build`, `#[test]`) and the async one (`build_async`, `$aw` = `await`,
//! `#[tokio::test]`). A server built without TLS (Valkey's wheel) skips every test visibly.
#![cfg(feature = "tls")]
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
use oxredis::tls::TlsFailure;
use oxredis::{ConnectionConfig, ErrorKind, Protocol, Redis, TlsVersion, Value};
use oxredis_test_support::{RedisServer, TlsAuthClients, TlsFiles};

/// A TLS server, or `None` (after a `SKIP` line) when the server binary has no TLS.
fn tls_server(test: &str, auth: TlsAuthClients) -> Option<RedisServer> {
    RedisServer::builder().tls(auth).start_or_skip(test)
}

fn files(server: &RedisServer) -> &TlsFiles {
    server.tls_files().unwrap()
}

/// A builder for the server's `rediss://` URL (plus `extra` query options) on `protocol`,
/// without retries so that failures are reported at once.
fn builder(server: &RedisServer, extra: &str, protocol: Protocol) -> oxredis::ClientBuilder {
    let url = server.tls_url().unwrap();
    let url = if extra.is_empty() {
        url
    } else {
        format!("{url}?{extra}")
    };
    Redis::builder()
        .url(&with_protocol(&url, protocol))
        .unwrap()
        .retry(Retry::none())
        .socket_timeout(Duration::from_secs(10))
}

/// A URL query value: the path as is (test paths have no `&`, `=` or `%`).
fn q(path: &std::path::Path) -> String {
    path.display().to_string()
}

macro_rules! both_clients {
    ($body:ident: $blocking:ident, $async_:ident) => {
        #[test]
        fn $blocking() {
            $body!(stringify!($blocking), build);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $async_() {
            $body!(stringify!($async_), build_async, await);
        }
    };
}

/// The client's PubSub: `pubsub()` is plain on the blocking client, async on the other.
macro_rules! pubsub_of {
    ($r:expr, build) => {
        $r.pubsub()
    };
    ($r:expr, build_async) => {
        $r.pubsub().await.unwrap()
    };
}

/// Asserts that `$res` failed with a TLS connection error of `$failure` whose message contains
/// `$text`.
macro_rules! assert_tls_error {
    ($res:expr, $failure:expr, $text:expr) => {{
        let e = $res.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
        assert!(e.is_connection_error(), "{e}");
        assert_eq!(e.tls_failure(), Some($failure), "{e:?}");
        assert!(e.to_string().contains($text), "{e}");
        e
    }};
}

// ---------------------------------------------------------------- a good certificate

macro_rules! a_trusted_certificate_carries_commands_pipelines_and_pubsub {
    ($test:expr, $build:ident $(, $aw:tt)*) => {{
        let Some(server) = tls_server($test, TlsAuthClients::No) else { return };
        let ca = files(&server).ca_cert.clone();
        for protocol in PROTOCOLS {
            let r = builder(&server, "", protocol).tls_ca_file(&ca).$build();
            r.flushdb() $(.$aw)* .unwrap();
            assert!(r.set("k", "v") $(.$aw)* .unwrap());
            let v: Option<String> = r.get("k") $(.$aw)* .unwrap();
            assert_eq!(v.as_deref(), Some("v"), "{protocol:?}");
            // A value far bigger than one TLS record (16 KiB) and than the first read.
            let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
            assert!(r.set("big", big.as_slice()) $(.$aw)* .unwrap());
            let got: Vec<u8> = r.get("big") $(.$aw)* .unwrap();
            assert_eq!(got, big, "{protocol:?}");
            let values = r
                .pipeline(false)
                .set("n", 41)
                .incr("n")
                .get("k")
                .execute() $(.$aw)*
                .unwrap();
            assert_eq!(
                values,
                vec![Value::Boolean(true), Value::Int(42), bulk("v")],
                "{protocol:?}"
            );
            let mut p = pubsub_of!(r, $build);
            p.subscribe("news") $(.$aw)* .unwrap();
            // The confirmation, then silence: a timed wait on a TLS socket returns empty.
            let deadline = Instant::now() + WAIT;
            loop {
                let m = p.get_message(Some(Duration::from_millis(100))) $(.$aw)* .unwrap();
                if let Some(m) = m {
                    assert_eq!(render(&m), mk("subscribe", Some("news"), None, "1"));
                    break;
                }
                assert!(Instant::now() < deadline, "no subscribe confirmation");
            }
            assert!(p.get_message(Some(Duration::from_millis(100))) $(.$aw)* .unwrap().is_none());
            assert_eq!(r.publish("news", "over TLS") $(.$aw)* .unwrap(), 1);
            let m = p.get_message(Some(WAIT)) $(.$aw)* .unwrap().expect("a message");
            assert_eq!(render(&m), mk("message", Some("news"), None, "over TLS"), "{protocol:?}");
            // The plain port sees what was written over TLS.
            assert_eq!(server.cli(&["GET", "n"]), "42");
            // A blocking command (a dedicated connection on the async client).
            assert_eq!(r.rpush("q", ["job"]) $(.$aw)* .unwrap(), 1);
            let got: Option<(String, String)> = r.blpop("q", 1.0) $(.$aw)* .unwrap();
            assert_eq!(got, Some(("q".to_owned(), "job".to_owned())), "{protocol:?}");
            let got: Option<(String, String)> = r.blpop("q", 0.1) $(.$aw)* .unwrap();
            assert_eq!(got, None, "{protocol:?}");
            // MONITOR over TLS sees a command sent on the plain port.
            let mut m = r.monitor() $(.$aw)* .unwrap();
            assert_eq!(server.cli(&["SET", "seen", "by-monitor"]), "OK");
            let deadline = Instant::now() + WAIT;
            loop {
                let e = m.next_command_timeout(WAIT) $(.$aw)* .unwrap().expect("an entry");
                if e.args.first().is_some_and(|a| a.as_ref() == b"SET") {
                    let args: Vec<&[u8]> = e.args.iter().map(|a| a.as_ref()).collect();
                    assert_eq!(args, [&b"SET"[..], b"seen", b"by-monitor"], "{protocol:?}");
                    break;
                }
                assert!(Instant::now() < deadline, "MONITOR saw no SET");
            }
        }
    }};
}
both_clients!(a_trusted_certificate_carries_commands_pipelines_and_pubsub: trusted_cert_blocking, trusted_cert_async);

// ---------------------------------------------------------------- verification failures

macro_rules! an_unknown_ca_is_refused {
    ($test:expr, $build:ident $(, $aw:tt)*) => {{
        let Some(server) = RedisServer::builder()
            .password("s3cret-pw")
            .tls(TlsAuthClients::No)
            .start_or_skip($test)
        else {
            return;
        };
        let other_ca = files(&server).other_ca_cert.clone();
        // Trusting another CA only.
        let r = builder(&server, "", Protocol::Resp2).tls_ca_file(&other_ca).$build();
        let e = assert_tls_error!(
            r.ping() $(.$aw)*,
            TlsFailure::UnknownCa,
            "certificate is not trusted (unknown CA)"
        );
        assert!(!format!("{e:?}").contains("s3cret-pw"), "{e:?}");
        // Not retried: it would fail the same way (the policy would wait 3 x 400 ms).
        let r = builder(&server, "", Protocol::Resp2)
            .tls_ca_file(&other_ca)
            .retry(Retry::new(Backoff::Constant(Duration::from_millis(400)), 3))
            .$build();
        let t = Instant::now();
        assert_tls_error!(r.ping() $(.$aw)*, TlsFailure::UnknownCa, "unknown CA");
        assert!(t.elapsed() < Duration::from_millis(400), "{:?}", t.elapsed());
        // No CA given: the platform's store, which does not know the test CA either.
        let r = builder(&server, "", Protocol::Resp3).$build();
        assert_tls_error!(
            r.ping() $(.$aw)*,
            TlsFailure::UnknownCa,
            "certificate is not trusted (unknown CA)"
        );
    }};
}
both_clients!(an_unknown_ca_is_refused: unknown_ca_blocking, unknown_ca_async);

macro_rules! a_certificate_for_another_host_is_refused {
    ($test:expr, $build:ident $(, $aw:tt)*) => {{
        let Some(server) = tls_server($test, TlsAuthClients::No) else { return };
        let ca = files(&server).ca_cert.clone();
        let r = builder(&server, "", Protocol::Resp2)
            .tls_ca_file(&ca)
            .tls_server_name("wrong.example")
            .$build();
        let e = assert_tls_error!(
            r.ping() $(.$aw)*,
            TlsFailure::HostnameMismatch,
            "certificate is not valid for host wrong.example"
        );
        assert!(!e.to_string().contains("unknown CA"), "{e}");
        // The certificate names localhost too: that name verifies.
        let r = builder(&server, "", Protocol::Resp3)
            .tls_ca_file(&ca)
            .tls_server_name("localhost")
            .$build();
        assert!(r.ping() $(.$aw)* .unwrap());
        // Turning host name checks off (loudly) accepts the wrong name from the trusted CA...
        let r = builder(&server, "", Protocol::Resp2)
            .tls_ca_file(&ca)
            .tls_server_name("wrong.example")
            .danger_accept_invalid_hostnames(true)
            .$build();
        assert!(r.ping() $(.$aw)* .unwrap());
        let extra = format!("ssl_ca_certs={}&ssl_check_hostname=false", q(&ca));
        let r = builder(&server, &extra, Protocol::Resp3).tls_server_name("wrong.example").$build();
        assert!(r.ping() $(.$aw)* .unwrap());
        // ...but not a certificate from an unknown CA.
        let other_ca = files(&server).other_ca_cert.clone();
        let r = builder(&server, "", Protocol::Resp2)
            .tls_ca_file(&other_ca)
            .danger_accept_invalid_hostnames(true)
            .$build();
        assert_tls_error!(r.ping() $(.$aw)*, TlsFailure::UnknownCa, "unknown CA");
    }};
}
both_clients!(a_certificate_for_another_host_is_refused: wrong_host_blocking, wrong_host_async);

macro_rules! accepting_invalid_certs_connects_to_an_unknown_ca {
    ($test:expr, $build:ident $(, $aw:tt)*) => {{
        let Some(server) = tls_server($test, TlsAuthClients::No) else { return };
        for protocol in PROTOCOLS {
            let r = builder(&server, "", protocol).danger_accept_invalid_certs(true).$build();
            assert!(r.set("insecure", "yes") $(.$aw)* .unwrap());
            let v: String = r.get("insecure") $(.$aw)* .unwrap();
            assert_eq!(v, "yes");
            // redis-py's spelling of the same thing.
            let r = builder(&server, "ssl_cert_reqs=none", protocol)
                .tls_server_name("wrong.example")
                .$build();
            let v: String = r.get("insecure") $(.$aw)* .unwrap();
            assert_eq!(v, "yes", "{protocol:?}");
            // `required` (and `optional`, the same on a client) verify.
            for reqs in ["required", "optional"] {
                let r = builder(&server, &format!("ssl_cert_reqs={reqs}"), protocol).$build();
                assert_tls_error!(r.ping() $(.$aw)*, TlsFailure::UnknownCa, "unknown CA");
            }
        }
    }};
}
both_clients!(accepting_invalid_certs_connects_to_an_unknown_ca: insecure_blocking, insecure_async);

// ---------------------------------------------------------------- URL options

macro_rules! redis_py_url_options_configure_tls {
    ($test:expr, $build:ident $(, $aw:tt)*) => {{
        let Some(server) = tls_server($test, TlsAuthClients::Optional) else { return };
        let f = files(&server).clone();
        for protocol in PROTOCOLS {
            let extra = format!("ssl_ca_certs={}", q(&f.ca_cert));
            let r = builder(&server, &extra, protocol).$build();
            assert!(r.set("url", "ok") $(.$aw)* .unwrap());
            let v: String = r.get("url") $(.$aw)* .unwrap();
            assert_eq!(v, "ok", "{protocol:?}");
            // A CA directory (redis-py's ssl_ca_path): the directory holds the other CA too.
            let extra = format!("ssl_ca_path={}", q(server.dir()));
            let r = builder(&server, &extra, protocol).$build();
            assert!(r.ping() $(.$aw)* .unwrap());
            // TLS 1.3 minimum and a client certificate through the URL.
            let extra = format!(
                "ssl_ca_certs={}&ssl_certfile={}&ssl_keyfile={}&ssl_min_version=TLSv1_3",
                q(&f.ca_cert),
                q(&f.client_cert),
                q(&f.client_key)
            );
            let r = builder(&server, &extra, protocol).$build();
            let v: String = r.get("url") $(.$aw)* .unwrap();
            assert_eq!(v, "ok", "{protocol:?}");
        }
        // `ssl_*` options on a plain URL are checked and ignored, as in redis-py.
        let plain = format!("{}?ssl_ca_certs={}", server.url(), q(&f.ca_cert));
        assert_eq!(ConnectionConfig::from_url(&plain).unwrap().tls, None);
    }};
}
both_clients!(redis_py_url_options_configure_tls: url_options_blocking, url_options_async);

// ---------------------------------------------------------------- mutual TLS

macro_rules! mutual_tls_needs_a_client_certificate_the_server_trusts {
    ($test:expr, $build:ident $(, $aw:tt)*) => {{
        let Some(server) = tls_server($test, TlsAuthClients::Yes) else { return };
        let f = files(&server).clone();
        for protocol in PROTOCOLS {
            let r = builder(&server, "", protocol)
                .tls_ca_file(&f.ca_cert)
                .tls_client_cert_files(&f.client_cert, &f.client_key)
                .$build();
            assert!(r.set("mtls", protocol == Protocol::Resp3) $(.$aw)* .unwrap());
            let v: bool = r.get("mtls") $(.$aw)* .unwrap();
            assert_eq!(v, protocol == Protocol::Resp3);
            // Certificate and key in one file (redis-py's ssl_certfile alone).
            let both = server.dir().join(format!("client-both-{protocol:?}.pem"));
            let mut pem = std::fs::read(&f.client_cert).unwrap();
            pem.extend(std::fs::read(&f.client_key).unwrap());
            std::fs::write(&both, pem).unwrap();
            let extra = format!("ssl_ca_certs={}&ssl_certfile={}", q(&f.ca_cert), q(&both));
            let r = builder(&server, &extra, protocol).$build();
            assert!(r.ping() $(.$aw)* .unwrap());
            let r = builder(&server, "", protocol)
                .tls_ca_file(&f.ca_cert)
                .tls_client_cert_and_key_file(&both)
                .$build();
            assert!(r.ping() $(.$aw)* .unwrap());
            // The same from PEM bytes.
            let r = builder(&server, "", protocol)
                .tls_ca_pem(std::fs::read(&f.ca_cert).unwrap())
                .tls_client_cert_pem(
                    std::fs::read(&f.client_cert).unwrap(),
                    std::fs::read(&f.client_key).unwrap(),
                )
                .$build();
            assert!(r.ping() $(.$aw)* .unwrap());
            // No client certificate: the server ends the handshake.
            let r = builder(&server, "", protocol).tls_ca_file(&f.ca_cert).$build();
            assert_tls_error!(
                r.ping() $(.$aw)*,
                TlsFailure::RejectedByServer,
                "the server refused the connection (received fatal alert: CertificateRequired): \
                 it requires a client certificate"
            );
            // A client certificate from a CA the server does not trust.
            let r = builder(&server, "", protocol)
                .tls_ca_file(&f.ca_cert)
                .tls_client_cert_files(&f.other_client_cert, &f.other_client_key)
                .$build();
            assert_tls_error!(
                r.ping() $(.$aw)*,
                TlsFailure::RejectedByServer,
                "it does not accept the client certificate"
            );
        }
    }};
}
both_clients!(mutual_tls_needs_a_client_certificate_the_server_trusts: mutual_tls_blocking, mutual_tls_async);

// ---------------------------------------------------------------- versions, keys

macro_rules! a_minimum_version_the_server_lacks_fails {
    ($test:expr, $build:ident $(, $aw:tt)*) => {{
        let Some(server) = RedisServer::builder()
            .tls(TlsAuthClients::No)
            .args(["--tls-protocols", "TLSv1.2"])
            .start_or_skip($test)
        else {
            return;
        };
        let ca = files(&server).ca_cert.clone();
        let r = builder(&server, "", Protocol::Resp2).tls_ca_file(&ca).$build();
        assert!(r.ping() $(.$aw)* .unwrap(), "TLS 1.2 is accepted by default");
        let r = builder(&server, "", Protocol::Resp2)
            .tls_ca_file(&ca)
            .tls_min_version(TlsVersion::Tls13)
            .$build();
        assert_tls_error!(
            r.ping() $(.$aw)*,
            TlsFailure::RejectedByServer,
            "no TLS version in common"
        );
    }};
}
both_clients!(a_minimum_version_the_server_lacks_fails: min_version_blocking, min_version_async);

macro_rules! unusable_tls_files_are_config_errors {
    ($test:expr, $build:ident $(, $aw:tt)*) => {{
        let Some(server) = tls_server($test, TlsAuthClients::No) else { return };
        let f = files(&server).clone();
        let key_secret = "MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI";
        let encrypted = server.dir().join("encrypted.key");
        std::fs::write(
            &encrypted,
            format!("-----BEGIN ENCRYPTED PRIVATE KEY-----\n{key_secret}\n-----END ENCRYPTED PRIVATE KEY-----\n"),
        )
        .unwrap();
        let extra = format!(
            "ssl_ca_certs={}&ssl_certfile={}&ssl_keyfile={}&ssl_password=kp4ss",
            q(&f.ca_cert),
            q(&f.client_cert),
            q(&encrypted)
        );
        let r = builder(&server, &extra, Protocol::Resp2).$build();
        let e = r.ping() $(.$aw)* .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
        assert!(e.to_string().contains("is encrypted"), "{e}");
        for shown in [e.to_string(), format!("{e:?}"), format!("{:?}", r.config())] {
            assert!(!shown.contains(key_secret) && !shown.contains("kp4ss"), "{shown}");
        }
        let missing = server.dir().join("missing.crt");
        let r = builder(&server, "", Protocol::Resp2).tls_ca_file(&missing).$build();
        let e = r.ping() $(.$aw)* .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig, "{e}");
        assert!(e.to_string().contains("missing.crt"), "{e}");
    }};
}
both_clients!(unusable_tls_files_are_config_errors: bad_files_blocking, bad_files_async);

macro_rules! a_transport_mismatch_fails_within_the_timeouts {
    ($test:expr, $build:ident $(, $aw:tt)*) => {{
        let Some(server) = tls_server($test, TlsAuthClients::No) else { return };
        // TLS to the plain port: the server waits for the end of an inline command that never
        // comes, so the handshake is bounded by the connect timeout.
        let url = format!("rediss://127.0.0.1:{}", server.port());
        let r = Redis::builder()
            .url(&url)
            .unwrap()
            .retry(Retry::none())
            .danger_accept_invalid_certs(true)
            .socket_connect_timeout(Duration::from_millis(500))
            .$build();
        let t = Instant::now();
        let e = r.ping() $(.$aw)* .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
        let shown = e.to_string();
        assert!(shown.contains("timed out"), "{e}");
        assert!(shown.contains("in the TLS handshake with 127.0.0.1"), "{e}");
        assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
        // Plain text to the TLS port: the server drops it.
        let url = format!("redis://127.0.0.1:{}", server.tls_port().unwrap());
        let r = Redis::builder()
            .url(&url)
            .unwrap()
            .retry(Retry::none())
            .socket_timeout(Duration::from_secs(5))
            .$build();
        let e = r.ping() $(.$aw)* .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
        assert_eq!(e.tls_failure(), None, "{e:?}");
    }};
}
both_clients!(a_transport_mismatch_fails_within_the_timeouts: transport_mismatch_blocking, transport_mismatch_async);

// ---------------------------------------------------------------- liveness probe

macro_rules! a_killed_idle_tls_connection_is_replaced_without_a_retry {
    ($test:expr, $build:ident $(, $aw:tt)*) => {{
        let Some(server) = tls_server($test, TlsAuthClients::No) else { return };
        let ca = files(&server).ca_cert.clone();
        for protocol in PROTOCOLS {
            // No retries and no PING health check: only the liveness probe (blocking pool) or
            // the reader seeing the close (async multiplexer) can save the next command.
            let r = builder(&server, "", protocol).tls_ca_file(&ca).$build();
            assert!(r.set("k", "before") $(.$aw)* .unwrap());
            let id = r.client_id() $(.$aw)* .unwrap();
            assert_eq!(server.cli(&["CLIENT", "KILL", "ID", &id.to_string()]), "1");
            std::thread::sleep(Duration::from_millis(50));
            let v: String = r.get("k") $(.$aw)* .unwrap();
            assert_eq!(v, "before", "{protocol:?}");
            assert_ne!(r.client_id() $(.$aw)* .unwrap(), id, "a new connection");
        }
    }};
}
both_clients!(a_killed_idle_tls_connection_is_replaced_without_a_retry: killed_idle_blocking, killed_idle_async);

#[test]
fn a_closed_tls_connection_is_noticed_by_the_probe_blocking() {
    let Some(server) = tls_server(
        "a_closed_tls_connection_is_noticed_by_the_probe_blocking",
        TlsAuthClients::No,
    ) else {
        return;
    };
    let mut config = ConnectionConfig::from_url(&server.tls_url().unwrap()).unwrap();
    config.tls = config
        .tls
        .map(|t| t.ca_file(files(&server).ca_cert.clone()));
    config.client_name = Some("probe".into());
    let mut conn = oxredis::Connection::connect(&config).unwrap();
    let pong: String = conn.execute(&oxredis::Cmd::new("PING")).unwrap();
    assert_eq!(pong, "PONG");
    assert!(!conn.peer_closed());
    assert_eq!(server.cli(&["CLIENT", "KILL", "TYPE", "normal"]), "1");
    wait_until("the probe to see the close", || conn.peer_closed());
}

#[tokio::test]
async fn a_closed_tls_connection_is_noticed_by_the_probe_async() {
    let Some(server) = tls_server(
        "a_closed_tls_connection_is_noticed_by_the_probe_async",
        TlsAuthClients::No,
    ) else {
        return;
    };
    let mut config = ConnectionConfig::from_url(&server.tls_url().unwrap()).unwrap();
    config.tls = config
        .tls
        .map(|t| t.ca_file(files(&server).ca_cert.clone()));
    let mut conn = oxredis::aio::Connection::connect(&config).await.unwrap();
    let pong: String = conn.execute(&oxredis::Cmd::new("PING")).await.unwrap();
    assert_eq!(pong, "PONG");
    assert!(!conn.peer_closed());
    assert_eq!(server.cli(&["CLIENT", "KILL", "TYPE", "normal"]), "1");
    let deadline = Instant::now() + WAIT;
    while !conn.peer_closed() {
        assert!(Instant::now() < deadline, "the probe never saw the close");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
