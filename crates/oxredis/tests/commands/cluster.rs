//! Calls of the cluster group's methods, each with the reply it must give (on one
//! cluster-enabled node: no other node, so no slots until it assigns them itself).

use super::*;

fn int(v: &Value) -> i64 {
    match v {
        Value::Int(n) => *n,
        other => panic!("not an integer: {other:?}"),
    }
}

fn text(v: &Value) -> &str {
    v.as_bytes()
        .and_then(|b| std::str::from_utf8(b).ok())
        .unwrap_or_else(|| panic!("not text: {v:?}"))
}

/// A map field of a structured reply.
fn field<'a>(map: &'a Value, name: &str) -> &'a Value {
    let Value::Map(fields) = map else {
        panic!("not a map: {map:?}")
    };
    fields
        .iter()
        .find(|(k, _)| k.as_bytes() == Some(name.as_bytes()))
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no {name} in {map:?}"))
}

/// The CLUSTER INFO fields every test looks at.
fn info(r: &Redis) -> (String, i64, i64, i64, i64, i64) {
    let i = call!(r.cluster_info::<HashMap<String, Value>>());
    (
        text(&i["cluster_state"]).to_owned(),
        int(&i["cluster_slots_assigned"]),
        int(&i["cluster_known_nodes"]),
        int(&i["cluster_size"]),
        int(&i["cluster_current_epoch"]),
        int(&i["cluster_my_epoch"]),
    )
}

pub(crate) fn cluster(r: &Redis) {
    let port = match &r.config().addr {
        oxredis::Addr::Tcp { port, .. } => *port,
        other => panic!("{other}"),
    };
    let id = call!(r.cluster_myid());
    assert!(
        id.len() == 40
            && id
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{id}"
    );
    check!(r.cluster_myid() => id.clone());
    // Alone, no slots: the cluster is down. (The size, masters serving slots, is computed
    // two seconds after startup: not checked here.)
    let (state, slots, nodes, _, current_epoch, my_epoch) = info(r);
    assert_eq!(
        (state.as_str(), slots, nodes, current_epoch, my_epoch),
        ("fail", 0, 1, 0, 0)
    );
    // A short node timeout makes the node rejoin (state ok) half a second after it serves
    // slots, instead of five.
    check!(r.config_set([("cluster-node-timeout", "100")]) => true);

    check!(r.cluster_set_config_epoch(1) => true);
    // Only a node whose epoch is still 0 takes one.
    fails!(r.cluster_set_config_epoch(2) => "ERR");
    // Its epoch is already the greatest known: nothing to bump.
    check!(r.cluster_bumpepoch::<String>() => "STILL 1");

    check!(r.cluster_addslots([0, 1, 2]) => true);
    fails!(r.cluster_addslots([1]) => "ERR");
    check!(r.cluster_addslotsrange([(3, 100), (200, 300)]) => true);
    fails!(r.cluster_addslotsrange([(250, 350)]) => "ERR");
    check!(r.cluster_delslots([0]) => true);
    fails!(r.cluster_delslots([0]) => "ERR");
    check!(r.cluster_delslotsrange([(50, 60)]) => true);
    fails!(r.cluster_delslotsrange([(55, 56)]) => "ERR");
    check!(r.cluster_setslot(400, ("NODE", id.as_str())) => true);
    check!(r.cluster_setslot(400, "STABLE") => true);
    fails!(r.cluster_setslot(401, ("IMPORTING", "0000000000000000000000000000000000000000")) => "ERR");
    check!(r.cluster_keyslot("foo") => 12182);
    // Only the hash tag counts.
    check!(r.cluster_keyslot("{user1000}.following") => 3443);
    check!(r.cluster_keyslot("{user1000}.followers") => 3443);
    check!(r.cluster_keyslot("user1000") => 3443);
    check!(r.cluster_keyslot("") => 0);
    check!(r.cluster_addslots([12182]) => true);
    // 1-49, 61-100, 200-300, 400 and 12182: 49 + 40 + 101 + 1 + 1 slots, one master. While
    // the state is `fail`, Valkey counts no shard as serving (cluster_size 0), Redis counts it.
    let size = if is_valkey(r) { 0 } else { 1 };
    assert_eq!(info(r), ("fail".to_owned(), 192, 1, size, 1, 1));

    // With full coverage not required, the node serves its slots once it rejoins.
    check!(r.config_set([("cluster-require-full-coverage", "no")]) => true);
    let deadline = Instant::now() + Duration::from_secs(15);
    while info(r).0 != "ok" {
        assert!(Instant::now() < deadline, "cluster state never ok");
        std::thread::sleep(Duration::from_millis(50));
    }
    // SET belongs to the strings group: called plainly.
    assert!(r.set("foo", "bar").unwrap());
    check!(r.cluster_countkeysinslot(12182) => 1);
    check!(r.cluster_getkeysinslot::<Vec<String>>(12182, 10) => ["foo"]);
    check!(r.cluster_getkeysinslot::<Vec<String>>(12182, 0) => Vec::<String>::new());
    check!(r.cluster_countkeysinslot(5) => 0);
    check!(r.cluster_getkeysinslot::<Vec<String>>(5, 10) => Vec::<String>::new());
    fails!(r.cluster_countkeysinslot(16384) => "ERR");
    check!(r.cluster_count_failure_reports(&id) => 0);
    fails!(r.cluster_count_failure_reports("0000000000000000000000000000000000000000") => "ERR");

    // One line: id, address (no IP learnt yet), flags, no master, ping/pong times, epoch,
    // link state, slots.
    let bus = u32::from(port) + 10_000;
    check!(r.cluster_nodes::<String>() => format!(
        "{id} :{port}@{bus} myself,master - 0 0 1 connected 1-49 61-100 200-300 400 12182\n"
    ));
    let slots = call!(r.cluster_slots::<Vec<Value>>());
    let node = |v: &Value| -> (String, i64, String) {
        let Value::Array(n) = v else { panic!("{v:?}") };
        // IP, port, id, and a map of further endpoint details (none here).
        assert_eq!(n.len(), 4, "{n:?}");
        assert_eq!(n[3], Value::Map(vec![]), "{n:?}");
        (text(&n[0]).to_owned(), int(&n[1]), text(&n[2]).to_owned())
    };
    let ranges: Vec<(i64, i64, (String, i64, String))> = slots
        .iter()
        .map(|s| {
            let Value::Array(s) = s else { panic!("{s:?}") };
            assert_eq!(s.len(), 3, "one node per range: {s:?}");
            (int(&s[0]), int(&s[1]), node(&s[2]))
        })
        .collect();
    let me = (String::new(), i64::from(port), id.clone());
    assert_eq!(
        ranges,
        [(1, 49), (61, 100), (200, 300), (400, 400), (12182, 12182)].map(|(a, b)| (
            a,
            b,
            me.clone()
        ))
    );
    let shards = call!(r.cluster_shards::<Vec<Value>>());
    assert_eq!(shards.len(), 1, "{shards:?}");
    let Value::Array(shard_slots) = field(&shards[0], "slots") else {
        panic!("{shards:?}")
    };
    assert_eq!(
        shard_slots.iter().map(int).collect::<Vec<_>>(),
        [1, 49, 61, 100, 200, 300, 400, 400, 12182, 12182]
    );
    let Value::Array(nodes) = field(&shards[0], "nodes") else {
        panic!("{shards:?}")
    };
    assert_eq!(nodes.len(), 1);
    let n = &nodes[0];
    assert_eq!(text(field(n, "id")), id);
    assert_eq!(int(field(n, "port")), i64::from(port));
    assert_eq!(text(field(n, "role")), "master");
    assert_eq!(text(field(n, "health")), "online");
    assert_eq!(int(field(n, "replication-offset")), 0);

    // No other node: no links, no replicas.
    check!(r.cluster_links::<Vec<Value>>() => Vec::<Value>::new());
    check!(r.cluster_replicas::<Vec<String>>(&id) => Vec::<String>::new());
    check!(r.cluster_slaves::<Vec<String>>(&id) => Vec::<String>::new());
    fails!(r.cluster_replicas::<Vec<String>>("0000000000000000000000000000000000000000") => "ERR");
    // A node can neither replicate nor forget itself; only a replica fails over.
    fails!(r.cluster_replicate(&id) => "ERR");
    fails!(r.cluster_forget(&id) => "ERR");
    fails!(r.cluster_failover(None) => "ERR");
    fails!(r.cluster_failover(Some("FORCE")) => "ERR");
    check!(r.cluster_saveconfig() => true);
    check!(r.readonly() => true);
    check!(r.readwrite() => true);
    check!(r.asking() => true);

    // Slots can only be flushed from an empty node.
    fails!(r.cluster_flushslots() => "ERR");
    assert_eq!(r.delete(["foo"]).unwrap(), 1);
    check!(r.cluster_flushslots() => true);
    assert_eq!(info(r).1, 0);
    check!(r.cluster_nodes::<String>() => format!(
        "{id} :{port}@{bus} myself,master - 0 0 1 connected\n"
    ));

    // MEET answers at once; the handshake (with nobody on port 1) goes on in the background.
    check!(r.cluster_meet("127.0.0.1", 1) => true);
    let nodes = call!(r.cluster_nodes::<String>());
    let handshake: Vec<&str> = nodes.lines().filter(|l| !l.starts_with(&id)).collect();
    assert_eq!(handshake.len(), 1, "{nodes}");
    assert!(
        handshake[0].contains(" 127.0.0.1:1@10001 handshake - "),
        "{nodes}"
    );
    // A soft reset forgets the other nodes and keeps the id and epochs.
    check!(r.cluster_reset(Some("SOFT")) => true);
    let nodes = call!(r.cluster_nodes::<String>());
    assert_eq!(nodes.lines().count(), 1, "{nodes}");
    check!(r.cluster_myid() => id.clone());
    assert_eq!(info(r), ("fail".to_owned(), 0, 1, 0, 1, 1));
    check!(r.cluster_reset(None) => true);
    // A hard reset gives the node a new id and epoch 0.
    check!(r.cluster_reset(Some("HARD")) => true);
    let new_id = call!(r.cluster_myid());
    assert_ne!(new_id, id);
    assert_eq!(new_id.len(), 40);
    assert_eq!(info(r), ("fail".to_owned(), 0, 1, 0, 0, 0));
    fails!(r.cluster_reset(Some("SIDEWAYS")) => "ERR");
    let help = call!(r.cluster_help::<Vec<String>>());
    super::server::assert_help(&help, "CLUSTER", "ADDSLOTS <slot> [<slot> ...]");
}
