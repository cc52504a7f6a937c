//! Faults under many concurrent callers, through the test-support proxy: a black hole, a reply
//! cut mid-way, added latency. Each body is a macro run by the blocking client (`build`, one
//! thread per caller, each on a pooled connection of its own) and by the async one
//! (`build_async`, `$aw` = `await`, one tokio task per caller, all multiplexed on the shared
//! connection), on RESP2 and RESP3. The invariants are the same for both: every caller gets its
//! own reply or a typed error, a write is applied at most once, a read cut off is retried.
//!
//! The single-caller versions live elsewhere and are not repeated here: one command through a
//! black hole (safe_defaults.rs `black_hole_fails_within_the_default_deadline`, and for the
//! async client aio_safe_defaults.rs `black_hole_is_detected_and_replaced`), one cut reply
//! (safe_defaults.rs `cut_reply_retries_reads_not_writes`, resilience.rs
//! `a_write_cut_off_after_sending_is_reported_not_retried`), an in-flight batch failed by a
//! server restart (aio.rs `server_restart_fails_in_flight_writes_and_retries_in_flight_reads`).
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

mod common;
use common::*;
use oxredis::{ErrorKind, Protocol, Redis};
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

/// Runs `$body` `$n` times at once, `$i` the index and `$r` a clone of the client, all released
/// together by a barrier: one thread each for the blocking client (`build`), one tokio task
/// each for the async one (`build_async`, where `$body` holds the `.await`s). Returns the
/// bodies' values in index order.
macro_rules! concurrently {
    (build, $client:expr, $n:expr, |$i:ident, $r:ident| $body:block) => {{
        let n: usize = $n;
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(n));
        let handles: Vec<_> = (0..n)
            .map(|$i| {
                let $r = $client.clone();
                let barrier = std::sync::Arc::clone(&barrier);
                std::thread::spawn(move || {
                    barrier.wait();
                    $body
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .collect::<Vec<_>>()
    }};
    (build_async, $client:expr, $n:expr, |$i:ident, $r:ident| $body:block) => {{
        let n: usize = $n;
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(n));
        let handles: Vec<_> = (0..n)
            .map(|$i| {
                let $r = $client.clone();
                let barrier = std::sync::Arc::clone(&barrier);
                tokio::spawn(async move {
                    barrier.wait().await;
                    $body
                })
            })
            .collect();
        let mut out = Vec::with_capacity(n);
        for h in handles {
            out.push(h.await.unwrap());
        }
        out
    }};
}

/// Opens the connections the callers will use before any fault is armed, so that no fault
/// lands on a handshake: `$n` pooled connections for the blocking client (one per thread), the
/// shared one for the async client.
macro_rules! warm_up {
    (build, $r:expr, $n:expr) => {{
        let held: Vec<_> = (0..$n).map(|_| $r.get_connection().unwrap()).collect();
        drop(held);
        assert_eq!($r.connection_pool().idle_connections(), $n);
    }};
    (build_async, $r:expr, $n:expr) => {{
        assert!($r.ping().await.unwrap());
    }};
}

// ---------------------------------------------------------------- black hole

/// Callers in the black hole.
const HOLE_TASKS: usize = 20;
/// The response deadline under test.
const HOLE_TIMEOUT: Duration = Duration::from_millis(500);

/// The proxy swallows everything (a peer gone without a FIN) while 20 callers each send an
/// INCR of their own counter: every one fails with a timeout after the response deadline,
/// nothing reached the server, the connection is replaced, and afterwards every caller's
/// commands get its own values.
macro_rules! black_hole_times_out_every_caller_then_each_gets_its_own_values {
    ($build:ident $(, $aw:tt)*) => {{
        for protocol in PROTOCOLS {
            let server = RedisServer::new();
            let proxy = Proxy::start(server.socket_addr());
            let r = builder(&proxy.url(), protocol)
                .socket_timeout(HOLE_TIMEOUT)
                .max_connections(HOLE_TASKS)
                .$build();
            warm_up!($build, r, HOLE_TASKS);
            for i in 0..HOLE_TASKS {
                assert!(r.set(format!("own:{i}"), format!("value-{i}")) $(.$aw)* .unwrap());
            }
            let accepted = proxy.accepted_count();
            proxy.set_blackhole(true);
            let start = Instant::now();
            let timed_out = concurrently!($build, r, HOLE_TASKS, |i, r| {
                let e = r.incr(format!("n:{i}")) $(.$aw)* .unwrap_err();
                (e, start.elapsed())
            });
            for (i, (e, took)) in timed_out.iter().enumerate() {
                assert_eq!(e.kind(), ErrorKind::Timeout, "task {i}: {e}");
                assert!(!e.is_unsent(), "task {i}: the INCR was sent: {e}");
                // Never before the deadline (less a little for the OS's socket timer), and
                // well before six deadlines.
                assert!(took >= &(HOLE_TIMEOUT - Duration::from_millis(25)), "task {i}: {took:?}");
                assert!(took < &Duration::from_secs(3), "task {i}: {took:?}");
            }
            eprintln!(
                "{protocol:?}: {HOLE_TASKS} timeouts after {:?}..{:?}",
                timed_out.iter().map(|t| t.1).min().unwrap(),
                timed_out.iter().map(|t| t.1).max().unwrap()
            );
            if let Some((open, _)) = r.pool_counts() {
                assert_eq!(open, 0, "timed-out connections are not pooled");
            }
            // Nothing went through the hole: the server holds only the 20 `own:*` keys.
            assert_eq!(server.cli(&["DBSIZE"]).trim(), HOLE_TASKS.to_string());
            proxy.set_blackhole(false);

            let later = concurrently!($build, r, HOLE_TASKS, |i, r| {
                let own: String = r.get(format!("own:{i}")) $(.$aw)* .unwrap();
                let n = r.incr(format!("n:{i}")) $(.$aw)* .unwrap();
                let echoed: String = r.echo(format!("task-{i}")) $(.$aw)* .unwrap();
                (own, n, echoed)
            });
            // Each INCR gives 1: the one that timed out was not sent again.
            for (i, got) in later.into_iter().enumerate() {
                assert_eq!(got, (format!("value-{i}"), 1, format!("task-{i}")), "{protocol:?}");
            }
            let new_connections = proxy.accepted_count() - accepted;
            // The async client opens one new shared connection; the blocking one replaces the
            // threads' connections as they need them (at most one each).
            let expected = if r.pool_counts().is_some() { 1..=HOLE_TASKS as u64 } else { 1..=1 };
            assert!(expected.contains(&new_connections), "{new_connections} new connections");
        }
    }};
}

both_clients!(black_hole_times_out_every_caller_then_each_gets_its_own_values: black_hole_many_callers_blocking, black_hole_many_callers_async);

// ---------------------------------------------------------------- a reply cut mid-way

/// Callers in flight when the reply is cut.
const CUT_TASKS: usize = 50;
/// Added latency each way, so that every caller's command is written before the first reply
/// (and the cut) comes back.
const CUT_DELAY: Duration = Duration::from_millis(50);

/// What caller `i` sends in a round: an INCR of its own counter (a write), or a GET of its own
/// value (a read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Round {
    Writes,
    Reads,
    /// Even callers write, odd ones read.
    Mixed,
}

impl Round {
    fn writes(self, i: usize) -> bool {
        match self {
            Round::Writes => true,
            Round::Reads => false,
            Round::Mixed => i % 2 == 0,
        }
    }
}

/// Caller `i`'s counter in round `round` starts here, so every INCR reply is distinct.
fn base(i: usize) -> i64 {
    1000 * (i as i64 + 1)
}

/// Caller `i`'s own value (a read's reply).
fn own_value(i: usize) -> String {
    format!("value-{i}")
}

/// How many times the server ran `command` since the last `CONFIG RESETSTAT`, from
/// `INFO commandstats` (`cmdstat_get:calls=51,usec=...`); 0 when it did not run.
fn calls(server: &RedisServer, command: &str) -> u64 {
    let info = server.cli(&["INFO", "commandstats"]);
    let prefix = format!("cmdstat_{command}:calls=");
    info.lines()
        .find_map(|l| l.trim().strip_prefix(prefix.as_str()))
        .map_or(0, |rest| rest.split(',').next().unwrap().parse().unwrap())
}

/// With 50 callers in flight on the proxy, the proxy cuts the server's reply stream after `n`
/// bytes and closes the connection. For every caller: a reply is its own (the INCR of its own
/// counter from its distinct base, or its own value); an error is a connection error, for a
/// write only, marked as possibly sent. Reads are retried (read-only commands are, after a
/// connection error: see `retry.rs`), writes never: on the server each counter is its base or
/// base + 1, and base + 1 for every INCR that succeeded, never base + 2; the server ran INCR
/// exactly as many times as the counters went up, and GET more than once for some caller in
/// a round of reads cut mid-reply (the retry).
///
/// The rounds, each on connections opened (and handshaken) before the cut is armed: writes
/// cut 3 bytes in (in the middle of the first reply), reads cut 5 bytes in, a mix cut 4 bytes
/// in, a mix cut 60 bytes in (for the async client several replies are delivered before the
/// cut; for the blocking one, whose connections each carry one reply of fewer bytes, the cut
/// is not reached: that round only checks that the replies are right).
macro_rules! a_reply_cut_mid_way_fails_writes_in_flight_and_retries_reads {
    ($build:ident $(, $aw:tt)*) => {{
        for protocol in PROTOCOLS {
            let server = RedisServer::new();
            let proxy = Proxy::start(server.socket_addr());
            // Sets and checks the server's state directly, not through the proxy.
            let direct = Redis::from_url(&server.url()).unwrap();
            let rounds = [(Round::Writes, 3), (Round::Reads, 5), (Round::Mixed, 4), (Round::Mixed, 60)];
            for (round_no, (round, _)) in rounds.iter().enumerate() {
                for i in (0..CUT_TASKS).filter(|&i| round.writes(i)) {
                    assert!(direct.set(format!("c{round_no}:{i}"), base(i)).unwrap());
                }
            }
            for i in 0..CUT_TASKS {
                assert!(direct.set(format!("r:{i}"), own_value(i)).unwrap());
            }
            let r = builder(&proxy.url(), protocol).max_connections(CUT_TASKS).$build();
            // Quicker before the delay (the blocking client opens its 50 one by one).
            warm_up!($build, r, CUT_TASKS);
            proxy.set_delay(CUT_DELAY);
            for (round_no, (round, cut)) in rounds.into_iter().enumerate() {
                // Connections the last cut closed are replaced now, not in the round, where a
                // handshake reply could take the cut.
                warm_up!($build, r, CUT_TASKS);
                assert_eq!(server.cli(&["CONFIG", "RESETSTAT"]), "OK");
                let accepted = proxy.accepted_count();
                proxy.cut_next_reply_after(cut);
                let results = concurrently!($build, r, CUT_TASKS, |i, r| {
                    if round.writes(i) {
                        r.incr(format!("c{round_no}:{i}")) $(.$aw)* .map(|n| n.to_string())
                    } else {
                        r.get::<String>(format!("r:{i}")) $(.$aw)*
                    }
                });
                let (incr_calls, get_calls) = (calls(&server, "incr"), calls(&server, "get"));
                let mut failed_writes = 0;
                let mut applied = 0;
                for (i, res) in results.iter().enumerate() {
                    let what = format!("{protocol:?} round {round_no} ({round:?}, cut at {cut}) task {i}");
                    match res {
                        Ok(v) if round.writes(i) => assert_eq!(*v, (base(i) + 1).to_string(), "{what}"),
                        Ok(v) => assert_eq!(*v, own_value(i), "{what}"),
                        Err(e) => {
                            assert!(round.writes(i), "{what}: a read is retried, yet: {e}");
                            assert!(e.is_connection_error(), "{what}: {e}");
                            assert_eq!(e.kind(), ErrorKind::Connection, "{what}: {e}");
                            assert!(!e.is_unsent(), "{what}: {e}");
                            failed_writes += 1;
                        }
                    }
                    if round.writes(i) {
                        let on_server: i64 = direct.get(format!("c{round_no}:{i}")).unwrap();
                        if res.is_ok() {
                            assert_eq!(on_server, base(i) + 1, "{what}: applied once");
                        } else {
                            assert!(
                                on_server == base(i) || on_server == base(i) + 1,
                                "{what}: applied at most once, found {on_server}"
                            );
                        }
                        applied += on_server - base(i);
                    }
                }
                let new_connections = proxy.accepted_count() - accepted;
                eprintln!(
                    "{protocol:?} round {round_no} ({round:?}, cut at {cut}): {failed_writes} \
                     writes failed, INCR ran {incr_calls} times, GET {get_calls}, \
                     {new_connections} new connections"
                );
                let reads = (0..CUT_TASKS).filter(|&i| !round.writes(i)).count() as u64;
                assert_eq!(incr_calls, applied as u64, "no INCR ran twice");
                assert!(get_calls >= reads);
                match round {
                    // The first reply was a write's, cut in its middle: that write failed.
                    Round::Writes => assert!(failed_writes >= 1),
                    // The first reply was a read's, cut in its middle: that read ran again
                    // (the async client's reads in flight all did, on one new shared
                    // connection; a blocking thread's retry may take another's idle one).
                    Round::Reads => {
                        assert!(get_calls > reads, "GET ran {get_calls} times");
                        if r.pool_counts().is_none() {
                            assert_eq!(new_connections, 1);
                        }
                    }
                    Round::Mixed => {}
                }
            }
        }
    }};
}

both_clients!(a_reply_cut_mid_way_fails_writes_in_flight_and_retries_reads: cut_mid_reply_many_callers_blocking, cut_mid_reply_many_callers_async);

// ---------------------------------------------------------------- added latency

/// Callers sharing the slow link (threads for the blocking client, tasks for the async one).
const SLOW_TASKS: usize = 100;
/// Added latency each way.
const SLOW_DELAY: Duration = Duration::from_millis(25);
/// Rounds of SET, GET, RPUSH, INCRBY per caller.
const STEPS: usize = 4;

/// Through a proxy that holds every chunk 25 ms each way, 100 callers at once each run four
/// rounds of SET, GET, RPUSH and INCRBY on keys of their own: each sees exactly the sequence
/// of replies its own commands call for, in order, and its list holds what it pushed, in order.
macro_rules! added_latency_keeps_each_callers_replies_in_order {
    ($build:ident $(, $aw:tt)*) => {{
        for protocol in PROTOCOLS {
            let server = RedisServer::new();
            let proxy = Proxy::start(server.socket_addr());
            let r = builder(&proxy.url(), protocol).max_connections(SLOW_TASKS).$build();
            warm_up!($build, r, SLOW_TASKS);
            proxy.set_delay(SLOW_DELAY);
            let start = Instant::now();
            let seen = concurrently!($build, r, SLOW_TASKS, |i, r| {
                let t0 = Instant::now();
                let mut seen: Vec<String> = Vec::new();
                for j in 0..STEPS {
                    let v = format!("{i}:{j}");
                    assert!(r.set(format!("s:{i}"), v.as_str()) $(.$aw)* .unwrap());
                    seen.push(r.get(format!("s:{i}")) $(.$aw)* .unwrap());
                    seen.push(r.rpush(format!("l:{i}"), [v.as_str()]) $(.$aw)* .unwrap().to_string());
                    seen.push(r.incrby(format!("c:{i}"), i as i64 + 1) $(.$aw)* .unwrap().to_string());
                }
                let list: Vec<String> = r.lrange(format!("l:{i}"), 0, -1) $(.$aw)* .unwrap();
                (seen, list, t0.elapsed())
            });
            let total = start.elapsed();
            // Each command waits at least the delay both ways.
            let floor = SLOW_DELAY * 2 * (STEPS as u32 * 4 + 1);
            for (i, (seen, list, took)) in seen.into_iter().enumerate() {
                let want: Vec<String> = (0..STEPS)
                    .flat_map(|j| {
                        [format!("{i}:{j}"), (j + 1).to_string(), ((j + 1) * (i + 1)).to_string()]
                    })
                    .collect();
                assert_eq!(seen, want, "{protocol:?} task {i}");
                let pushed: Vec<String> = (0..STEPS).map(|j| format!("{i}:{j}")).collect();
                assert_eq!(list, pushed, "{protocol:?} task {i}");
                assert!(took >= floor, "{protocol:?} task {i}: {took:?}");
            }
            // One after the other, the callers would take 100 times the floor (85 s).
            eprintln!("{protocol:?}: {SLOW_TASKS} callers done in {total:?} (floor {floor:?} each)");
            assert!(total < Duration::from_secs(15), "{total:?}");
        }
    }};
}

both_clients!(added_latency_keeps_each_callers_replies_in_order: added_latency_many_callers_blocking, added_latency_many_callers_async);
