//! The async client's deadlines: a connection that stops answering is replaced, blocking
//! commands get their server-side wait on top of the response deadline.
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use oxredis::{aio, ErrorKind};
use oxredis_test_support::{Proxy, RedisServer};

/// Through a black-holed proxy (the peer is silent and sends no FIN, as when it vanished), a
/// GET fails with a timeout after between `lower` and `upper`; with the hole closed, the next command succeeds
/// on a new connection.
async fn black_hole_is_detected_and_replaced(
    server: &RedisServer,
    proxy: &Proxy,
    r: &aio::Redis,
    lower: Duration,
    upper: Duration,
) {
    r.set("k", "v").await.unwrap();
    let id: i64 = r.execute_command(("CLIENT", "ID")).await.unwrap();
    let accepted = proxy.accepted_count();
    proxy.set_blackhole(true);
    let start = Instant::now();
    // A second task's request, queued behind the first, fails with it.
    let other = {
        let r = r.clone();
        tokio::spawn(async move { r.get::<Option<String>>("k").await })
    };
    let e = r.get::<Option<String>>("k").await.unwrap_err();
    let took = start.elapsed();
    eprintln!("timed out after {took:?}: {e}");
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(e.to_string().contains("stopped answering"), "{e}");
    assert!(took >= lower, "failed after {took:?}");
    assert!(took < upper, "failed after {took:?}");
    let e2 = other.await.unwrap().unwrap_err();
    assert!(
        matches!(e2.kind(), ErrorKind::Timeout | ErrorKind::Connection),
        "{e2}"
    );

    proxy.set_blackhole(false);
    let v: Option<String> = r.get("k").await.unwrap();
    assert_eq!(v.as_deref(), Some("v"));
    assert_eq!(proxy.accepted_count(), accepted + 1, "one new connection");
    let id2: i64 = r.execute_command(("CLIENT", "ID")).await.unwrap();
    assert_ne!(id, id2, "the command ran on a new connection");
    assert_eq!(server.cli(&["GET", "k"]).trim(), "v");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_connection_times_out_after_socket_timeout_and_is_replaced() {
    let server = RedisServer::new();
    let proxy = Proxy::start(server.socket_addr());
    let r = aio::Redis::from_url(&format!("{}?socket_timeout=1", proxy.url())).unwrap();
    black_hole_is_detected_and_replaced(
        &server,
        &proxy,
        &r,
        Duration::from_millis(900),
        Duration::from_secs(5),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn by_default_a_silent_connection_times_out_after_ten_seconds() {
    let server = RedisServer::new();
    let proxy = Proxy::start(server.socket_addr());
    let r = aio::Redis::from_url(&proxy.url()).unwrap();
    assert_eq!(r.config().socket_timeout, Some(Duration::from_secs(10)));
    black_hole_is_detected_and_replaced(
        &server,
        &proxy,
        &r,
        Duration::from_millis(9_500),
        Duration::from_secs(20),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bounded_blpop_gets_its_wait_on_top_of_the_deadline() {
    let server = RedisServer::new();
    let proxy = Proxy::start(server.socket_addr());
    let r = aio::Redis::from_url(&format!("{}?socket_timeout=1", proxy.url())).unwrap();
    let start = Instant::now();
    let got: Option<(String, String)> = r.blpop("empty", 3.0).await.unwrap();
    let took = start.elapsed();
    assert_eq!(got, None);
    assert!(
        took >= Duration::from_millis(2900),
        "returned after {took:?}"
    );
    assert!(took < Duration::from_secs(10), "returned after {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blpop_forever_is_not_cut_by_the_deadline() {
    let server = RedisServer::new();
    let proxy = Proxy::start(server.socket_addr());
    let r = aio::Redis::from_url(&format!("{}?socket_timeout=1", proxy.url())).unwrap();
    let pusher = {
        let r = aio::Redis::from_url(&server.url()).unwrap();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(2)).await;
            r.rpush("later", ["x"]).await.unwrap()
        })
    };
    let start = Instant::now();
    let got: Option<(String, String)> = r.blpop("later", 0.0).await.unwrap();
    assert!(start.elapsed() >= Duration::from_millis(1900));
    assert_eq!(got, Some(("later".to_owned(), "x".to_owned())));
    assert_eq!(pusher.await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pipeline_with_a_bounded_blpop_gets_its_wait_on_top_of_the_deadline() {
    let server = RedisServer::new();
    let r = aio::Redis::from_url(&format!("{}?socket_timeout=1", server.url())).unwrap();
    let start = Instant::now();
    let (ok, popped): (bool, Option<(String, String)>) = r
        .pipeline(false)
        .set("p", "1")
        .blpop("empty", 2.0)
        .query()
        .await
        .unwrap();
    assert!(ok);
    assert_eq!(popped, None);
    assert!(start.elapsed() >= Duration::from_millis(1900));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_on_the_shared_connection_gets_its_wait_on_top_of_the_deadline() {
    // WAIT is not a BLOCKING command, so it runs on the shared connection, whose driver must
    // allow for its server-side wait (no replica: it waits the full 2 s, then answers 0).
    let server = RedisServer::new();
    let r = aio::Redis::from_url(&format!("{}?socket_timeout=1", server.url())).unwrap();
    let id: i64 = r.execute_command(("CLIENT", "ID")).await.unwrap();
    let start = Instant::now();
    let acked: i64 = r.execute_command(("WAIT", 1, 2000)).await.unwrap();
    assert_eq!(acked, 0);
    assert!(start.elapsed() >= Duration::from_millis(1900));
    let id2: i64 = r.execute_command(("CLIENT", "ID")).await.unwrap();
    assert_eq!(id, id2, "the connection was kept");
}
