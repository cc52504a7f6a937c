//! Calls of the sentinel group's methods, each with the reply it must give, on a sentinel
//! (quorum 1) monitoring a primary with one replica (see `start_sentinel` in main.rs). The
//! failover at the end changes the topology, so the group runs on a fresh one per protocol.

use super::*;
use oxredis::types::SentinelInstance;

/// The service name the group's sentinel monitors.
pub(crate) const SERVICE: &str = "cmdmaster";

/// Polls `f` every 20 ms until it returns `Some`, for at most `timeout`.
fn poll<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(start.elapsed() < timeout, "{what}: not within {timeout:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Checks the fixed parts of a primary's state: name, address, flags and the options the
/// sentinel was started with.
fn assert_primary(m: &SentinelInstance, port: u16) {
    assert_eq!(
        (m.name.as_str(), m.ip.as_str(), m.port),
        (SERVICE, "127.0.0.1", port)
    );
    assert_eq!(m.flags, ["master"], "{m:?}");
    assert!(m.is_master() && !m.is_slave() && !m.is_sdown() && !m.is_odown());
    assert_eq!(m.get_int("quorum"), Some(1));
    assert_eq!(m.get("role-reported"), Some("master"));
    assert_eq!(m.get_int("num-other-sentinels"), Some(0));
}

pub(crate) fn sentinel(r: &Redis) {
    // The spec of every declared SENTINEL subcommand matches the sentinel's own COMMAND table
    // (a normal server has no SENTINEL command: table.rs checks the rest there).
    for spec in command_specs().filter(|s| s.name.starts_with("SENTINEL ")) {
        let sub = spec.name.to_lowercase().replace(' ', "|");
        let info: Value = r
            .execute_command(("COMMAND", "INFO", sub.as_str()))
            .unwrap();
        let Value::Array(entries) = info else {
            panic!("{info:?}")
        };
        let Value::Array(entry) = &entries[0] else {
            panic!(
                "{} is not in the sentinel's COMMAND table: {entries:?}",
                spec.name
            )
        };
        let flags: Vec<String> = match &entry[2] {
            Value::Array(f) | Value::Set(f) => f
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes().unwrap()).into_owned())
                .collect(),
            other => panic!("{other:?}"),
        };
        assert!(
            flags.iter().any(|f| f == "admin"),
            "{}: {flags:?}",
            spec.name
        );
        assert!(
            !flags.iter().any(|f| f == "write" || f == "readonly"),
            "{}: {flags:?}",
            spec.name
        );
        assert!(spec.flags.contains(CommandFlags::ADMIN), "{}", spec.name);
        assert_eq!(spec.keys, KeySpec::None, "{}", spec.name);
        assert_eq!(entry[3], Value::Int(0), "{}: no keys", spec.name);
    }

    let masters = call!(r.sentinel_masters());
    assert_eq!(masters.len(), 1, "{masters:?}");
    let port = masters[0].port;
    assert_primary(&masters[0], port);
    let m = call!(r.sentinel_master(SERVICE));
    assert_primary(&m, port);
    fails!(r.sentinel_master("nosuchmaster") => "ERR");

    check!(r.sentinel_get_master_addr_by_name(SERVICE) => Some(("127.0.0.1".to_owned(), port)));
    check!(r.sentinel_get_master_addr_by_name("nosuchmaster") => None);

    // The sentinel learns of the replica from the primary's INFO, then of its link from the
    // replica's own INFO.
    let replicas = poll("replica known and linked", Duration::from_secs(15), || {
        let reps = r.sentinel_replicas(SERVICE).unwrap();
        let ok = reps.len() == 1
            && reps[0].flags == ["slave"]
            && reps[0].get("master-link-status") == Some("ok");
        ok.then_some(reps)
    });
    called("sentinel_replicas");
    let rep = &replicas[0];
    assert_eq!(rep.ip, "127.0.0.1");
    assert_ne!(rep.port, port);
    assert_eq!(rep.name, format!("127.0.0.1:{}", rep.port));
    assert!(rep.is_slave() && !rep.is_master() && !rep.is_disconnected());
    assert_eq!(rep.get("master-host"), Some("127.0.0.1"));
    assert_eq!(rep.get_int("master-port"), Some(i64::from(port)));
    // SLAVES is the older name of the same list.
    let slaves = call!(r.sentinel_slaves(SERVICE));
    assert_eq!(
        slaves
            .iter()
            .map(|s| (s.name.clone(), s.port, s.flags.clone()))
            .collect::<Vec<_>>(),
        [(rep.name.clone(), rep.port, vec!["slave".to_owned()])]
    );
    // The only sentinel: no others.
    check!(r.sentinel_sentinels(SERVICE) => Vec::<SentinelInstance>::new());
    fails!(r.sentinel_sentinels("nosuchmaster") => "ERR");
    check!(r.sentinel_ckquorum(SERVICE) => true);
    fails!(r.sentinel_ckquorum("nosuchmaster") => "ERR");

    check!(r.sentinel_set(SERVICE, "down-after-milliseconds", 1200) => true);
    assert_eq!(
        r.sentinel_master(SERVICE)
            .unwrap()
            .get_int("down-after-milliseconds"),
        Some(1200)
    );
    fails!(r.sentinel_set("nosuchmaster", "quorum", 1) => "ERR");

    check!(r.sentinel_monitor("other", "127.0.0.1", port, 1) => true);
    let names: BTreeSet<String> = r
        .sentinel_masters()
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(
        names,
        BTreeSet::from([SERVICE.to_owned(), "other".to_owned()])
    );
    check!(r.sentinel_remove("other") => true);
    fails!(r.sentinel_remove("other") => "ERR");
    assert_eq!(r.sentinel_masters().unwrap().len(), 1);

    check!(r.sentinel_flushconfig() => true);
    check!(r.sentinel_reset("nomatch*") => 0);

    // A forced failover promotes the replica: the sentinel then reports it.
    check!(r.sentinel_failover(SERVICE) => true);
    let new = poll("failover", Duration::from_secs(15), || {
        r.sentinel_get_master_addr_by_name(SERVICE)
            .unwrap()
            .filter(|(_, p)| *p != port)
    });
    assert_eq!(new, ("127.0.0.1".to_owned(), rep.port));
    check!(r.sentinel_reset(SERVICE) => 1);
}
