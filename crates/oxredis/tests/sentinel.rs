//! Sentinel against a real topology (1 primary, 1 replica, 3 sentinels with quorum 2 and
//! down-after 1000 ms, from `oxredis_test_support::SentinelTopology`): discovery values, the
//! distinct errors, failover under load (SIGKILL of the primary) and a manual `SENTINEL
//! FAILOVER`, on the blocking client and the async one. Each test starts its own topology
//! (about 2.5 s), since a failover changes it for good.
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;
use common::*;
use oxredis::sentinel::SentinelOptions;
use oxredis::{ErrorKind, Protocol, Value};
use oxredis_test_support::{RedisServer, SentinelTopology};

/// The client name of the data connections, to find them in CLIENT LIST.
const CLIENT_NAME: &str = "oxredis-sentinel-test";

/// How many of the test clients' data connections `server` has (by client name).
fn our_connections(server: &RedisServer) -> usize {
    server
        .cli(&["CLIENT", "LIST"])
        .lines()
        .filter(|l| l.contains(&format!("name={CLIENT_NAME} ")))
        .count()
}

/// Options for the data connections on `protocol`: short timeouts, so a dead primary is
/// noticed quickly, and the default retry policy.
fn options(protocol: Protocol) -> SentinelOptions {
    let mut config = oxredis::ConnectionConfig::default();
    config.protocol = protocol;
    config.client_name = Some(CLIENT_NAME.to_owned());
    config.connect_timeout = Some(Duration::from_millis(500));
    config.socket_timeout = Some(Duration::from_secs(2));
    SentinelOptions::default().connection(config)
}

/// Prints a result line past the test harness's capture (as the SKIP lines are), so the
/// failover numbers show in `scripts/test.sh`'s output.
fn report(line: String) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "SENTINEL {line}");
}

/// Two loopback ports with nothing listening (reserved by a started-then-stopped server).
fn dead_ports() -> (RedisServer, RedisServer) {
    let mut a = RedisServer::new();
    let mut b = RedisServer::new();
    a.stop();
    b.stop();
    (a, b)
}

/// The role word of a ROLE reply.
fn role(v: &Value) -> String {
    match v {
        Value::Array(items) => String::from_utf8_lossy(items[0].as_bytes().unwrap()).into_owned(),
        other => panic!("ROLE: {other:?}"),
    }
}

macro_rules! discovery_and_errors {
    ($sentinel:path, $build:ident $(, $aw:tt)*) => {{
        use $sentinel as Sentinel;
        let mut t = SentinelTopology::start("disc");
        report(format!(
            "topology (1 primary, 1 replica, 3 sentinels) stable after {} ms",
            t.stable_after().as_millis()
        ));
        let primary = t.first_primary().port();
        let replica = t.first_replica().port();
        for protocol in PROTOCOLS {
            let s = Sentinel::new(t.sentinel_addrs(), options(protocol));
            // discover_master: the sentinels' answer, as (host, port).
            assert_eq!(
                s.discover_master("disc") $(.$aw)* .unwrap(),
                ("127.0.0.1".to_owned(), primary)
            );
            let want = vec![("127.0.0.1".to_owned(), replica)];
            assert_eq!(s.discover_slaves("disc") $(.$aw)* .unwrap(), want);
            assert_eq!(s.discover_replicas("disc") $(.$aw)* .unwrap(), want);

            // master_for: an ordinary client whose connections go to the primary.
            let m = s.master_for("disc");
            let key = format!("disc:{protocol:?}");
            assert!(m.set(&key, "v1") $(.$aw)* .unwrap());
            let r: Value = m.execute_command("ROLE") $(.$aw)* .unwrap();
            assert_eq!(role(&r), "master");
            assert_eq!(t.server(primary).cli(&["GET", &key]), "v1");
            assert_eq!(m.config().sentinel.as_ref().unwrap().service_name(), "disc");
            // A blocking command (a dedicated connection on the async client) goes there too.
            let list = format!("disc:list:{protocol:?}");
            assert_eq!(m.rpush(&list, "x") $(.$aw)* .unwrap(), 1);
            let popped: Option<(String, String)> = m.blpop(&list, 0.5) $(.$aw)* .unwrap();
            assert_eq!(popped, Some((list.clone(), "x".to_owned())));

            // slave_for / replica_for: connections to the replica, which has the value once
            // replicated, and refuses writes.
            for c in [s.slave_for("disc"), s.replica_for("disc")] {
                let r: Value = c.execute_command("ROLE") $(.$aw)* .unwrap();
                assert_eq!(role(&r), "slave");
                let start = Instant::now();
                loop {
                    let v: Option<String> = c.get(&key) $(.$aw)* .unwrap();
                    if v.as_deref() == Some("v1") {
                        break;
                    }
                    assert!(start.elapsed() < WAIT, "not replicated");
                    std::thread::sleep(Duration::from_millis(10));
                }
                let e = c.set(&key, "x") $(.$aw)* .unwrap_err();
                assert_eq!(e.kind(), ErrorKind::ReadOnly, "{e}");
            }

            // An unknown service name: the sentinels answer, but do not know it.
            let e = s.discover_master("nosuch") $(.$aw)* .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::MasterNotFound, "{e}");
            assert!(e.is_connection_error());
            assert!(e.to_string().contains("no sentinel knows master \"nosuch\" (3 of 3 answered"), "{e}");
            let e = s.master_for("nosuch").ping() $(.$aw)* .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::MasterNotFound, "{e}");
            let e = s.slave_for("nosuch").ping() $(.$aw)* .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::ReplicaNotFound, "{e}");
            assert!(e.is_connection_error());
            let e = s.discover_slaves("nosuch") $(.$aw)* .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::ReplicaNotFound, "{e}");

            // No sentinel reachable: a different error.
            let (a, b) = dead_ports();
            let gone = Sentinel::new(
                [("127.0.0.1", a.port()), ("127.0.0.1", b.port())],
                options(protocol),
            );
            let e = gone.discover_master("disc") $(.$aw)* .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::SentinelUnreachable, "{e}");
            assert!(e.is_connection_error());
            assert!(e.to_string().contains("no sentinel reachable for \"disc\""), "{e}");
            let e = gone.master_for("disc").ping() $(.$aw)* .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::SentinelUnreachable, "{e}");
            let e = gone.slave_for("disc").ping() $(.$aw)* .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::SentinelUnreachable, "{e}");

            // Told of one sentinel only, the client learns the other two from it.
            let one = Sentinel::new([("127.0.0.1", t.sentinels()[2].port())], options(protocol));
            assert_eq!(one.discover_master("disc") $(.$aw)* .unwrap().1, primary);
            let mut known: Vec<String> = one.sentinels().iter().map(|a| a.to_string()).collect();
            known.sort();
            let mut all: Vec<String> = t.sentinels().iter().map(|s| s.addr()).collect();
            all.sort();
            assert_eq!(known, all);

            // A dead sentinel first in the list: skipped, and the one that answered moves to
            // the front.
            let mut list = vec![("127.0.0.1".to_owned(), a.port())];
            list.extend(t.sentinel_addrs());
            let s2 = Sentinel::new(list, options(protocol));
            assert_eq!(s2.discover_master("disc") $(.$aw)* .unwrap().1, primary);
            assert_eq!(s2.sentinels()[0].to_string(), t.sentinels()[0].addr());
        }

        // The sentinel commands on a sentinel of the topology: the other two sentinels, the
        // replica, and the primary's counts.
        let on_first = oxredis::Redis::builder()
            .url(&format!("redis://{}", t.sentinels()[0].addr()))
            .unwrap()
            .$build();
        let others = on_first.sentinel_sentinels("disc") $(.$aw)* .unwrap();
        let mut ports: Vec<u16> = others.iter().map(|s| s.port).collect();
        ports.sort_unstable();
        let mut want: Vec<u16> = t.sentinels()[1..].iter().map(|s| s.port()).collect();
        want.sort_unstable();
        assert_eq!(ports, want);
        assert!(others.iter().all(|s| s.is_sentinel() && !s.is_sdown() && s.ip == "127.0.0.1"));
        let state = on_first.sentinel_master("disc") $(.$aw)* .unwrap();
        assert_eq!((state.port, state.get_int("num-slaves"), state.get_int("num-other-sentinels"), state.get_int("quorum")), (primary, Some(1), Some(2), Some(2)));
        let reps = on_first.sentinel_replicas("disc") $(.$aw)* .unwrap();
        assert_eq!(reps.iter().map(|r| (r.port, r.is_slave())).collect::<Vec<_>>(), [(replica, true)]);

        // With the replica gone, slave_for falls back to the primary (redis-py's behaviour).
        t.server_mut(replica).stop();
        for protocol in PROTOCOLS {
            let s = Sentinel::new(t.sentinel_addrs(), options(protocol));
            let c = s.slave_for("disc");
            let r: Value = c.execute_command("ROLE") $(.$aw)* .unwrap();
            assert_eq!(role(&r), "master", "{protocol:?}");
        }
    }};
}

#[test]
fn discovery_values_and_distinct_errors_blocking() {
    discovery_and_errors!(oxredis::blocking::Sentinel, build);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_values_and_distinct_errors_async() {
    discovery_and_errors!(oxredis::aio::Sentinel, build_async, await);
}

/// What one writer saw: the keys acknowledged with the time the write started, and the errors
/// with when they came.
#[derive(Debug, Default)]
struct Log {
    acked: Vec<(String, Instant)>,
    errors: Vec<(Instant, ErrorKind, String)>,
}

/// Checks a failover run and prints its numbers: the errors are connection errors only, writes
/// succeed again within 5 s of the switch, and every acknowledged key is on the new primary.
fn check_failover_run(
    label: &str,
    logs: &[Log],
    killed_at: Instant,
    switched_at: Instant,
    new_primary: &RedisServer,
) {
    let errors: Vec<_> = logs.iter().flat_map(|l| &l.errors).collect();
    let acked: Vec<_> = logs.iter().flat_map(|l| &l.acked).collect();
    for (_, kind, msg) in &errors {
        let e_is_conn = matches!(
            kind,
            ErrorKind::Connection
                | ErrorKind::MasterNotFound
                | ErrorKind::ReplicaNotFound
                | ErrorKind::SentinelUnreachable
        );
        assert!(e_is_conn, "{label}: a non-connection error: {kind:?} {msg}");
    }
    let first_err = errors.iter().map(|e| e.0).min();
    let last_err = errors.iter().map(|e| e.0).max();
    let recovered = acked
        .iter()
        .map(|(_, at)| *at)
        .filter(|at| *at > killed_at)
        .min()
        .expect("no write succeeded after the kill");
    let ms = |a: Instant, b: Instant| {
        if a >= b {
            (a - b).as_millis() as i64
        } else {
            -((b - a).as_millis() as i64)
        }
    };
    report(format!(
        "{label}: {} writes acknowledged, {} errors ({:?}); sentinels switched {} ms after the \
         kill (every sentinel agreeing); error window {} ms (first error {} ms after the kill, \
         last {} ms); first write acknowledged again {} ms after the kill ({:+} ms from the \
         switch: the watchers hear the first sentinel that switches)",
        acked.len(),
        errors.len(),
        errors
            .iter()
            .map(|e| format!("{:?}", e.1))
            .collect::<BTreeSet<_>>(),
        ms(switched_at, killed_at),
        match (first_err, last_err) {
            (Some(f), Some(l)) => ms(l, f),
            _ => 0,
        },
        first_err.map_or(0, |f| ms(f, killed_at)),
        last_err.map_or(0, |l| ms(l, killed_at)),
        ms(recovered, killed_at),
        ms(recovered, switched_at),
    ));
    assert!(
        recovered < switched_at + Duration::from_secs(5),
        "{label}: writes succeeded again {} ms after the switch",
        ms(recovered, switched_at)
    );
    // Every acknowledged write is on the new primary.
    let mut conn = new_primary.conn();
    let mut missing: Vec<(String, i64)> = Vec::new();
    for chunk in acked.chunks(500) {
        let mut args = vec!["MGET"];
        args.extend(chunk.iter().map(|(k, _)| k.as_str()));
        let reply = conn.cmd(&args).unwrap();
        let oxredis_test_support::Reply::Array(values) = reply else {
            panic!("{reply:?}")
        };
        for ((k, at), v) in chunk.iter().zip(values) {
            if v.to_text() != "1" {
                missing.push((k.clone(), ms(*at, killed_at)));
            }
        }
    }
    // Redis replicates asynchronously: a write the primary acknowledged in its last moments
    // (seen: one started 1 ms before the kill returned, about one run in fifteen) may not have
    // reached the replica, and no client can prevent that (WAIT can). Those are reported; any
    // other loss fails the test.
    let (last_moments, lost): (Vec<_>, Vec<_>) = missing
        .into_iter()
        .partition(|(_, at)| (-REPLICATION_WINDOW_MS..=0).contains(at));
    if !last_moments.is_empty() {
        report(format!(
            "{label}: {} writes acknowledged by the primary in the last {REPLICATION_WINDOW_MS} \
             ms before the SIGKILL were not replicated (asynchronous replication): {:?}",
            last_moments.len(),
            &last_moments[..last_moments.len().min(10)]
        ));
    }
    assert!(
        lost.is_empty(),
        "{label}: {} acknowledged writes lost (key, ms from the kill to the write's start): {:?}",
        lost.len(),
        &lost[..lost.len().min(10)]
    );
}

/// How long before the SIGKILL an acknowledged write may still be lost to asynchronous
/// replication (see `check_failover_run`).
const REPLICATION_WINDOW_MS: i64 = 50;

/// Writers, the kill and the switch: how many writers, and how long to write after the switch.
const WRITERS: usize = 4;
const WRITE_AFTER_SWITCH: Duration = Duration::from_secs(3);
const SWITCH_TIMEOUT: Duration = Duration::from_secs(20);

#[test]
fn failover_under_load_blocking() {
    let mut t = SentinelTopology::start("killb");
    let old = t.first_primary().port();
    let s = oxredis::blocking::Sentinel::new(t.sentinel_addrs(), options(Protocol::Resp2));
    let r = s.master_for("killb");
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let r = r.clone();
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut log = Log::default();
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let key = format!("killb:{w}:{i}");
                    let at = Instant::now();
                    match r.set(&key, 1) {
                        Ok(true) => log.acked.push((key, at)),
                        Ok(false) => panic!("SET answered not OK"),
                        Err(e) => {
                            log.errors.push((Instant::now(), e.kind(), e.to_string()));
                            std::thread::sleep(Duration::from_millis(20));
                        }
                    }
                    i += 1;
                    std::thread::sleep(Duration::from_millis(1));
                }
                log
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    t.server_mut(old).stop();
    let killed_at = Instant::now();
    let (new, _) = t
        .wait_for_switch(old, SWITCH_TIMEOUT)
        .expect("the sentinels did not switch");
    let switched_at = Instant::now();
    std::thread::sleep(WRITE_AFTER_SWITCH);
    stop.store(true, Ordering::Relaxed);
    let logs: Vec<Log> = writers.into_iter().map(|h| h.join().unwrap()).collect();
    check_failover_run(
        "blocking, SIGKILL",
        &logs,
        killed_at,
        switched_at,
        t.server(new),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failover_under_load_async() {
    let t = Arc::new(Mutex::new(SentinelTopology::start("killa")));
    let (old, addrs) = {
        let t = t.lock().unwrap();
        (t.first_primary().port(), t.sentinel_addrs())
    };
    let s = oxredis::aio::Sentinel::new(addrs, options(Protocol::Resp3));
    let r = s.master_for("killa");
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let r = r.clone();
            let stop = Arc::clone(&stop);
            tokio::spawn(async move {
                let mut log = Log::default();
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let key = format!("killa:{w}:{i}");
                    let at = Instant::now();
                    match r.set(&key, 1).await {
                        Ok(true) => log.acked.push((key, at)),
                        Ok(false) => panic!("SET answered not OK"),
                        Err(e) => {
                            log.errors.push((Instant::now(), e.kind(), e.to_string()));
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    }
                    i += 1;
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                log
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let t2 = Arc::clone(&t);
    let (killed_at, switched_at, new) = tokio::task::spawn_blocking(move || {
        let mut t = t2.lock().unwrap();
        t.server_mut(old).stop();
        let killed_at = Instant::now();
        let (new, _) = t
            .wait_for_switch(old, SWITCH_TIMEOUT)
            .expect("the sentinels did not switch");
        (killed_at, Instant::now(), new)
    })
    .await
    .unwrap();
    tokio::time::sleep(WRITE_AFTER_SWITCH).await;
    stop.store(true, Ordering::Relaxed);
    let mut logs = Vec::new();
    for h in writers {
        logs.push(h.await.unwrap());
    }
    let t = t.lock().unwrap();
    check_failover_run(
        "async, SIGKILL",
        &logs,
        killed_at,
        switched_at,
        t.server(new),
    );
}

/// A manual `SENTINEL FAILOVER`: the old primary stays up and claims `master` for about 10 s.
/// Writers keep going through the switch; no key written after the switch (all sentinels
/// report the new primary) may be on the old primary, and every key acknowledged after it is
/// on the new one.
#[test]
fn manual_failover_sends_nothing_to_the_old_primary_blocking() {
    let t = SentinelTopology::start("manb");
    let old = t.first_primary().port();
    let s = oxredis::blocking::Sentinel::new(t.sentinel_addrs(), options(Protocol::Resp2));
    let r = s.master_for("manb");
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let r = r.clone();
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut log = Log::default();
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let key = format!("manb:{w}:{i}");
                    let at = Instant::now();
                    match r.set(&key, 1) {
                        Ok(_) => log.acked.push((key, at)),
                        Err(e) => log.errors.push((Instant::now(), e.kind(), e.to_string())),
                    }
                    i += 1;
                    std::thread::sleep(Duration::from_millis(1));
                }
                log
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        our_connections(t.server(old)) >= 1,
        "the writers use the primary"
    );
    let reply = t.sentinels()[1].cli_reply(&["SENTINEL", "FAILOVER", "manb"]);
    assert_eq!(reply.to_text(), "OK");
    let asked_at = Instant::now();
    let (new, took) = t
        .wait_for_switch(old, SWITCH_TIMEOUT)
        .expect("the sentinels did not switch");
    let switched_at = Instant::now();
    std::thread::sleep(Duration::from_secs(2));
    stop.store(true, Ordering::Relaxed);
    let logs: Vec<Log> = writers.into_iter().map(|h| h.join().unwrap()).collect();
    check_manual_failover(
        "blocking, SENTINEL FAILOVER",
        &logs,
        t.server(old),
        t.server(new),
        switched_at,
    );
    report(format!(
        "blocking, SENTINEL FAILOVER: switch {} ms after the command (all sentinels agree)",
        (switched_at - asked_at).as_millis().max(took.as_millis())
    ));
}

/// Keys acknowledged after `switched_at` are all on the new primary and none on the old one.
fn check_manual_failover(
    label: &str,
    logs: &[Log],
    old: &RedisServer,
    new: &RedisServer,
    switched_at: Instant,
) {
    let after: Vec<&String> = logs
        .iter()
        .flat_map(|l| &l.acked)
        .filter(|(_, at)| *at > switched_at)
        .map(|(k, _)| k)
        .collect();
    assert!(!after.is_empty(), "{label}: no write after the switch");
    let count = |server: &RedisServer| -> usize {
        let mut conn = server.conn();
        after
            .chunks(500)
            .map(|chunk| {
                let mut args = vec!["EXISTS"];
                args.extend(chunk.iter().map(|k| k.as_str()));
                match conn.cmd(&args).unwrap() {
                    oxredis_test_support::Reply::Int(n) => n as usize,
                    other => panic!("{other:?}"),
                }
            })
            .sum()
    };
    // The old primary still claims to be one: the split-brain window this case is about.
    let old_role = old.cli_reply(&["ROLE"]);
    let oxredis_test_support::Reply::Array(role) = &old_role else {
        panic!("{old_role:?}")
    };
    assert_eq!(
        role[0].to_text(),
        "master",
        "{label}: the old primary was demoted already"
    );
    let on_old = count(old);
    // The client's connections to the old primary were closed (pooled ones dropped, the
    // multiplexed one replaced), not left open to it.
    let ours = old
        .cli(&["CLIENT", "LIST"])
        .lines()
        .filter(|l| l.contains(&format!("name={CLIENT_NAME} ")))
        .count();
    assert_eq!(
        ours, 0,
        "{label}: connections still open to the old primary"
    );
    let on_new = count(new);
    let errors: Vec<_> = logs.iter().flat_map(|l| &l.errors).collect();
    report(format!(
        "{label}: {} writes acknowledged after the switch: {on_new} on the new primary, \
         {on_old} on the old one; {} errors ({:?})",
        after.len(),
        errors.len(),
        errors
            .iter()
            .map(|e| format!("{:?}", e.1))
            .collect::<BTreeSet<_>>()
    ));
    assert_eq!(
        on_old, 0,
        "{label}: writes went to the old primary after the switch"
    );
    assert_eq!(on_new, after.len(), "{label}: acknowledged writes missing");
    for (_, kind, msg) in errors {
        assert!(
            matches!(kind, ErrorKind::Connection),
            "{label}: a non-connection error: {kind:?} {msg}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_failover_sends_nothing_to_the_old_primary_async() {
    let t = Arc::new(SentinelTopology::start("mana"));
    let old = t.first_primary().port();
    let s = oxredis::aio::Sentinel::new(t.sentinel_addrs(), options(Protocol::Resp3));
    let r = s.master_for("mana");
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let r = r.clone();
            let stop = Arc::clone(&stop);
            tokio::spawn(async move {
                let mut log = Log::default();
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let key = format!("mana:{w}:{i}");
                    let at = Instant::now();
                    match r.set(&key, 1).await {
                        Ok(_) => log.acked.push((key, at)),
                        Err(e) => log.errors.push((Instant::now(), e.kind(), e.to_string())),
                    }
                    i += 1;
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                log
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let t2 = Arc::clone(&t);
    let (new, switched_at) = tokio::task::spawn_blocking(move || {
        assert!(
            our_connections(t2.server(old)) >= 1,
            "the writers use the primary"
        );
        let reply = t2.sentinels()[2].cli_reply(&["SENTINEL", "FAILOVER", "mana"]);
        assert_eq!(reply.to_text(), "OK");
        let (new, _) = t2
            .wait_for_switch(old, SWITCH_TIMEOUT)
            .expect("the sentinels did not switch");
        (new, Instant::now())
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    let mut logs = Vec::new();
    for h in writers {
        logs.push(h.await.unwrap());
    }
    let t2 = Arc::clone(&t);
    tokio::task::spawn_blocking(move || {
        check_manual_failover(
            "async, SENTINEL FAILOVER",
            &logs,
            t2.server(old),
            t2.server(new),
            switched_at,
        );
    })
    .await
    .unwrap();
}

/// TLS settings of the client carry through to the servers the sentinels name: the sentinel
/// monitors the primary's TLS port (reaching it with `tls-replication yes`; the sentinel itself
/// is plain), and the client reaches that port over TLS with the primary's CA trusted, and
/// fails without TLS.
macro_rules! tls_reaches_the_discovered_primary {
    ($sentinel:path, $test:literal $(, $aw:tt)*) => {{
        use $sentinel as Sentinel;
        let Some(primary) = RedisServer::builder()
            .tls(oxredis_test_support::TlsAuthClients::No)
            .start_or_skip($test)
        else {
            return;
        };
        let files = primary.tls_files().unwrap();
        let tls_port = primary.tls_port().unwrap();
        let path = |p: &std::path::Path| p.display().to_string();
        let sentinel = oxredis_test_support::SentinelProcess::start_with(
            "tlsm",
            tls_port,
            1,
            Duration::from_millis(1000),
            &[
                "tls-replication yes".to_owned(),
                format!("tls-cert-file {}", path(&files.server_cert)),
                format!("tls-key-file {}", path(&files.server_key)),
                format!("tls-ca-cert-file {}", path(&files.ca_cert)),
            ],
        );
        let addrs = [("127.0.0.1", sentinel.port())];
        for protocol in PROTOCOLS {
            let mut opts = options(protocol);
            opts.connection.tls = Some(oxredis::TlsOptions::default().ca_file(&files.ca_cert));
            let s = Sentinel::new(addrs, opts);
            assert_eq!(
                s.discover_master("tlsm") $(.$aw)* .unwrap(),
                ("127.0.0.1".to_owned(), tls_port)
            );
            let m = s.master_for("tlsm");
            assert!(m.set("tls:k", "over tls") $(.$aw)* .unwrap());
            let v: Option<String> = m.get("tls:k") $(.$aw)* .unwrap();
            assert_eq!(v.as_deref(), Some("over tls"));
            let r: Value = m.execute_command("ROLE") $(.$aw)* .unwrap();
            assert_eq!(role(&r), "master");
            // Without TLS the same discovered port does not answer RESP.
            let plain = Sentinel::new(addrs, options(protocol));
            let e = plain.master_for("tlsm").ping() $(.$aw)* .unwrap_err();
            assert!(
                matches!(e.kind(), ErrorKind::Connection | ErrorKind::Timeout),
                "{e}"
            );
        }
    }};
}

#[test]
fn tls_reaches_the_discovered_primary_blocking() {
    tls_reaches_the_discovered_primary!(
        oxredis::blocking::Sentinel,
        "sentinel::tls_reaches_the_discovered_primary_blocking"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_reaches_the_discovered_primary_async() {
    tls_reaches_the_discovered_primary!(
        oxredis::aio::Sentinel,
        "sentinel::tls_reaches_the_discovered_primary_async",
        await
    );
}

/// A sentinel that requires a password: the sentinels' own settings
/// (`SentinelOptions::sentinel`, redis-py's `sentinel_kwargs`) carry it; without it the
/// sentinel refuses, which is a `MasterNotFound` naming the refusal. The password shows in no
/// error and no `Debug` output.
macro_rules! sentinel_password {
    ($sentinel:path $(, $aw:tt)*) => {{
        use $sentinel as Sentinel;
        let primary = RedisServer::new();
        let sentinel = oxredis_test_support::SentinelProcess::start_with(
            "authm",
            primary.port(),
            1,
            Duration::from_millis(1000),
            &["requirepass s3cret-pw".to_owned()],
        );
        let addrs = [("127.0.0.1", sentinel.port())];
        for protocol in PROTOCOLS {
            let refused = Sentinel::new(addrs, options(protocol));
            let e = refused.discover_master("authm") $(.$aw)* .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::MasterNotFound, "{e}");
            assert!(e.to_string().contains("NOAUTH"), "{e}");
            let e = refused.master_for("authm").ping() $(.$aw)* .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::MasterNotFound, "{e}");

            let mut opts = options(protocol);
            opts.sentinel.password = Some("wrong-pw".to_owned());
            let wrong = Sentinel::new(addrs, opts);
            let e = wrong.discover_master("authm") $(.$aw)* .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::MasterNotFound, "{e}");
            assert!(e.to_string().contains("WRONGPASS") || e.to_string().contains("invalid"), "{e}");
            assert!(!e.to_string().contains("wrong-pw"), "{e}");
            assert!(!format!("{wrong:?}").contains("wrong-pw"));

            let mut opts = options(protocol);
            opts.sentinel.password = Some("s3cret-pw".to_owned());
            let s = Sentinel::new(addrs, opts);
            assert_eq!(
                s.discover_master("authm") $(.$aw)* .unwrap(),
                ("127.0.0.1".to_owned(), primary.port())
            );
            let m = s.master_for("authm");
            assert!(m.set("auth:k", "v") $(.$aw)* .unwrap());
            assert_eq!(primary.cli(&["GET", "auth:k"]), "v");
            assert!(!format!("{s:?} {:?}", m.config()).contains("s3cret-pw"));
        }
    }};
}

#[test]
fn sentinel_password_blocking() {
    sentinel_password!(oxredis::blocking::Sentinel);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sentinel_password_async() {
    sentinel_password!(oxredis::aio::Sentinel, await);
}

/// The `+switch-master` watchers (one per sentinel: threads, or tasks) run while the `Sentinel`
/// or a client it made lives, and stop once both are gone.
macro_rules! watchers_stop_with_their_sentinel {
    ($sentinel:path $(, $aw:tt)*) => {{
        use $sentinel as Sentinel;
        let primary = RedisServer::new();
        let sentinels: Vec<_> = (0..2)
            .map(|_| {
                oxredis_test_support::SentinelProcess::start(
                    "watchm",
                    primary.port(),
                    1,
                    Duration::from_millis(1000),
                )
            })
            .collect();
        let s = Sentinel::new(
            sentinels.iter().map(|p| ("127.0.0.1", p.port())),
            options(Protocol::Resp2),
        );
        let running = s.running_watchers();
        assert_eq!(running.load(Ordering::Acquire), 0, "none before master_for");
        let m = s.master_for("watchm");
        let _also = s.slave_for("watchm");
        assert!(m.ping() $(.$aw)* .unwrap());
        assert_eq!(running.load(Ordering::Acquire), 2, "one per sentinel, once");
        drop(s);
        drop(_also);
        // The client alone keeps them.
        std::thread::sleep(Duration::from_millis(700));
        assert_eq!(running.load(Ordering::Acquire), 2);
        drop(m);
        let start = Instant::now();
        while running.load(Ordering::Acquire) != 0 {
            assert!(start.elapsed() < Duration::from_secs(3), "watchers still running");
            std::thread::sleep(Duration::from_millis(20));
        }
    }};
}

#[test]
fn watchers_stop_with_their_sentinel_blocking() {
    watchers_stop_with_their_sentinel!(oxredis::blocking::Sentinel);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watchers_stop_with_their_sentinel_async() {
    watchers_stop_with_their_sentinel!(oxredis::aio::Sentinel, await);
}

/// A `master_for` client with client-side caching across a manual `SENTINEL FAILOVER`: its
/// invalidations follow the primary (the blocking client's invalidation connection asks the
/// sentinels again; the async client's one connection moves), so after the switch another
/// client's write on the new primary reaches the cache, and reads are cached again there.
macro_rules! cache_follows_the_primary {
    ($m:ident, $service:expr $(, $aw:ident)*) => {{
        let service: &str = $service;
        let key = format!("{service}:k");
        let t = SentinelTopology::start(service);
        let old = t.first_primary().port();
        let mut opts = options(Protocol::Resp3);
        opts.connection.cache = Some(oxredis::cache::CacheConfig::default());
        let s = oxredis::$m::Sentinel::new(t.sentinel_addrs(), opts);
        let r = s.master_for(service);
        r.set(&key, "v1")$(.$aw)*.unwrap();
        for _ in 0..2 {
            let v: Option<String> = r.get(&key)$(.$aw)*.unwrap();
            assert_eq!(v.as_deref(), Some("v1"));
        }
        let cache = r.cache().unwrap().clone();
        assert_eq!((cache.stats().hits, cache.size()), (1, 1));
        let reply = t.sentinels()[1].cli_reply(&["SENTINEL", "FAILOVER", service]);
        assert_eq!(reply.to_text(), "OK");
        let (new, _) = t
            .wait_for_switch(old, SWITCH_TIMEOUT)
            .expect("the sentinels did not switch");
        let direct = oxredis::Redis::from_url(&t.server(new).url()).unwrap();
        // The new primary may still be finishing its promotion: retry the write briefly.
        let deadline = Instant::now() + Duration::from_secs(10);
        while direct.set(&key, "v2").is_err() {
            assert!(Instant::now() < deadline, "the new primary takes no writes");
            std::thread::sleep(Duration::from_millis(20));
        }
        // The client sees the new value (from the new primary) once it follows the switch...
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let v: Option<String> = r.get(&key)$(.$aw)*.unwrap_or(None);
            if v.as_deref() == Some("v2") {
                break;
            }
            assert!(Instant::now() < deadline, "still {v:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
        // ... and caches again there: a read is a hit, and the new primary's invalidation of
        // another client's write reaches the cache.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let before = cache.stats().hits;
            let v: Option<String> = r.get(&key)$(.$aw)*.unwrap_or(None);
            if v.as_deref() == Some("v2") && cache.stats().hits > before {
                break;
            }
            assert!(Instant::now() < deadline, "no cache hit on the new primary");
            std::thread::sleep(Duration::from_millis(20));
        }
        direct.set(&key, "v3").unwrap();
        r.sync_cache()$(.$aw)*.unwrap();
        let v: Option<String> = r.get(&key)$(.$aw)*.unwrap();
        assert_eq!(v.as_deref(), Some("v3"));
        assert_eq!(t.server(new).cli(&["ROLE"]).lines().next(), Some("master"));
    }};
}

#[test]
fn cache_follows_the_primary_across_a_failover_blocking() {
    cache_follows_the_primary!(blocking, "cacb");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_follows_the_primary_across_a_failover_async() {
    cache_follows_the_primary!(aio, "caca", await);
}
