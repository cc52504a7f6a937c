//! The blocking pool's counters (`Redis::pool_stats`): connections open, idle and waited for,
//! and how long checkouts waited.
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use oxredis::{ErrorKind, Redis};
use oxredis_test_support::RedisServer;

#[test]
fn pool_stats_count_connections_waiters_and_checkout_wait_time() {
    let server = RedisServer::new();
    let r = Redis::builder()
        .url(&server.url())
        .unwrap()
        .max_connections(1)
        .pool_timeout(Duration::from_secs(5))
        .build();
    let s = r.pool_stats();
    assert_eq!((s.open, s.idle, s.waiting, s.checkouts), (0, 0, 0, 0));
    assert!(r.ping().unwrap());
    let s = r.pool_stats();
    assert_eq!(
        (s.open, s.idle, s.checkouts, s.waited_checkouts),
        (1, 1, 1, 0)
    );
    assert_eq!(s.wait_time, Duration::ZERO);

    // Hold the only connection; another thread's command waits for it.
    let held = r.get_connection().unwrap();
    let r2 = r.clone();
    let waiter = std::thread::spawn(move || r2.ping().unwrap());
    common::wait_until("a thread waiting for the pool", || {
        r.pool_stats().waiting == 1
    });
    let s = r.pool_stats();
    assert_eq!((s.open, s.idle, s.waiting), (1, 0, 1));
    std::thread::sleep(Duration::from_millis(100));
    drop(held);
    assert!(waiter.join().unwrap());
    let s = r.pool_stats();
    assert_eq!((s.open, s.idle, s.waiting), (1, 1, 0));
    assert_eq!((s.checkouts, s.waited_checkouts, s.exhausted), (3, 1, 0));
    assert!(s.wait_time >= Duration::from_millis(100), "{s:?}");
    assert!(s.wait_time < Duration::from_secs(5), "{s:?}");
    assert_eq!(s.max_wait, s.wait_time, "one wait");

    // Fail-fast pool: an exhausted checkout is counted.
    let fast = Redis::builder()
        .url(&server.url())
        .unwrap()
        .max_connections(1)
        .pool_fail_fast()
        .build();
    let held = fast.get_connection().unwrap();
    assert_eq!(fast.ping().unwrap_err().kind(), ErrorKind::PoolExhausted);
    drop(held);
    let s = fast.pool_stats();
    assert_eq!((s.checkouts, s.exhausted, s.waited_checkouts), (1, 1, 0));
}
