//! Cancel safety of the async lock: acquires (and releases) dropped at random points never leave
//! a lock key held with no owner and no TTL.
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use oxredis::{aio, LockOptions};
use oxredis_test_support::RedisServer;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const NAMES: usize = 50;
const ROUNDS: usize = 20;
/// The TTL of the locks made with a timeout.
const TTL: Duration = Duration::from_millis(300);

/// How one future is cut short.
#[derive(Debug, Clone, Copy)]
enum Cut {
    /// `tokio::time::timeout` after this many microseconds.
    After(u64),
    /// Polled this many times with a no-op waker, then dropped (0: dropped unpolled).
    Polls(u32),
}

impl Cut {
    fn random(rng: &mut StdRng) -> Cut {
        if rng.random_bool(0.5) {
            Cut::After(rng.random_range(0..2000))
        } else {
            Cut::Polls(rng.random_range(0..4))
        }
    }

    /// Runs `fut` until cut; `Some(output)` when it finished first.
    async fn run<F: Future>(self, fut: F) -> Option<F::Output> {
        match self {
            Cut::After(us) => tokio::time::timeout(Duration::from_micros(us), fut)
                .await
                .ok(),
            Cut::Polls(n) => {
                let mut fut = pin!(fut);
                for _ in 0..n {
                    let polled = fut.as_mut().poll(&mut Context::from_waker(Waker::noop()));
                    if let Poll::Ready(v) = polled {
                        return Some(v);
                    }
                    // Lets the connection driver (and anything spawned) make progress.
                    tokio::task::yield_now().await;
                }
                None
            }
        }
    }
}

fn options(variant: u8) -> LockOptions {
    let base = LockOptions::new();
    let base = if variant & 1 == 1 {
        base.timeout(TTL)
    } else {
        base
    };
    if variant & 2 == 2 {
        base.sleep(Duration::from_millis(1))
            .blocking_timeout(Duration::from_millis(5))
    } else {
        base.blocking(false)
    }
}

/// Lock keys still present: (with no TTL, with a TTL).
async fn held(r: &aio::Redis) -> (Vec<String>, Vec<String>) {
    let (mut no_ttl, mut ttl) = (Vec::new(), Vec::new());
    for i in 0..NAMES {
        let name = format!("cancel:{i}");
        match r.pttl(&name).await.unwrap() {
            -2 => {}
            -1 => no_ttl.push(name),
            _ => ttl.push(name),
        }
    }
    (no_ttl, ttl)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_acquires_never_leave_a_lock_held_forever() {
    let server = RedisServer::new();
    let r = aio::Redis::from_url(&server.url()).unwrap();
    let seed: u64 = rand::random();
    println!("seed {seed}");
    let mut rng = StdRng::seed_from_u64(seed);
    let mut attempts = 0usize;
    let mut acquired = 0usize;
    for _ in 0..ROUNDS {
        let tasks: Vec<_> = (0..NAMES)
            .map(|i| {
                let (variant, cut, release_cut) = (
                    rng.random_range(0..4u8),
                    Cut::random(&mut rng),
                    // Half the releases of acquired locks are cut short too.
                    rng.random_bool(0.5).then(|| Cut::random(&mut rng)),
                );
                let mut lock = r.lock(format!("cancel:{i}"), options(variant));
                tokio::spawn(async move {
                    let got = cut.run(lock.acquire()).await;
                    let got = matches!(got, Some(Ok(true)));
                    if got {
                        assert!(lock.token().is_some());
                        match release_cut {
                            Some(c) => {
                                c.run(lock.release()).await;
                                // A release dropped before its first poll changed nothing:
                                // this holder still has the lock, and gives it up.
                                if lock.token().is_some() {
                                    lock.release().await.unwrap();
                                }
                            }
                            None => lock.release().await.unwrap(),
                        }
                    }
                    got
                })
            })
            .collect();
        for t in tasks {
            attempts += 1;
            acquired += usize::from(t.await.unwrap());
        }
    }
    assert_eq!(attempts, NAMES * ROUNDS);
    println!("{acquired} of {attempts} acquires finished before they were cut");

    // Best-effort releases of cancelled acquires run in the background: give them a moment.
    let deadline = Instant::now() + Duration::from_secs(2);
    let (no_ttl, _) = loop {
        let (no_ttl, ttl) = held(&r).await;
        if no_ttl.is_empty() || Instant::now() > deadline {
            break (no_ttl, ttl);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(
        no_ttl.len(),
        0,
        "lock keys held forever (no TTL, no owner): {no_ttl:?}"
    );
    // Those with a TTL go away on their own within it.
    let deadline = Instant::now() + TTL + Duration::from_secs(1);
    loop {
        let (no_ttl, ttl) = held(&r).await;
        assert_eq!(no_ttl, Vec::<String>::new());
        if ttl.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "lock keys never expired: {ttl:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(r.dbsize().await.unwrap(), 0);
}

/// The drop point with the reply already in: the `SET` took the lock (the key holds the token),
/// but the caller never polled the future again to learn it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acquire_dropped_after_its_reply_releases_the_lock() {
    let server = RedisServer::new();
    let r = aio::Redis::from_url(&server.url()).unwrap();
    // Connected first, so the first poll hands the SET over (rather than start connecting).
    assert_eq!(r.dbsize().await.unwrap(), 0);
    loop {
        let mut lock = r.lock("answered", LockOptions::new());
        let mut fut = Box::pin(lock.acquire());
        let polled = fut.as_mut().poll(&mut Context::from_waker(Waker::noop()));
        if let Poll::Ready(taken) = polled {
            // The attempt's task finished before the first poll's end (a busy machine): that
            // caller got the lock. Give it back and try again.
            drop(fut);
            assert!(taken.unwrap());
            lock.release().await.unwrap();
            continue;
        }
        let landed = tokio::time::timeout(Duration::from_secs(2), async {
            while r.pttl("answered").await.unwrap() != -1 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
        assert!(landed.await.is_ok(), "the SET never landed");
        drop(fut);
        assert_eq!(lock.token(), None);
        break;
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    while r.exists("answered").await.unwrap() != 0 {
        assert!(
            Instant::now() < deadline,
            "the abandoned lock was never released"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // The lock is free for the next holder, who keeps it.
    let mut next = r.lock("answered", LockOptions::new());
    assert!(next.try_acquire().await.unwrap());
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(next.owned().await.unwrap());
    next.release().await.unwrap();
    assert_eq!(r.exists("answered").await.unwrap(), 0);
}
