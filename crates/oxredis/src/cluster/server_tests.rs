//! The core's parsers and decisions against real `redis-server` cluster nodes: slots the server
//! computes, `CLUSTER SLOTS` / `CLUSTER SHARDS` as sent on RESP2 and RESP3, and the MOVED and
//! CLUSTERDOWN replies a node really sends.

use std::time::{Duration, Instant};

use oxredis_test_support::RedisServer;

use super::redirect::{
    parse_redirect, ClusterSettings, CommandRouting, Decision, NodeAddr, RedirectKind, Refresh,
    RefreshState, Target,
};
use super::topology::SlotMap;
use super::{key_slot, route::route, route::Route};
use crate::retry::Sent;
use crate::{ErrorKind, Redis, Value};

fn cluster_node() -> RedisServer {
    RedisServer::builder()
        .args(["--cluster-enabled", "yes", "--cluster-node-timeout", "2000"])
        .start()
}

fn client(server: &RedisServer, protocol: u8) -> Redis {
    Redis::from_url(&format!("redis://{}/?protocol={protocol}", server.addr())).unwrap()
}

#[test]
fn key_slot_matches_cluster_keyslot() {
    let server = cluster_node();
    let r = client(&server, 2);
    let mut keys: Vec<Vec<u8>> = [
        "foo",
        "123456789",
        "{user1000}.x",
        "foo{}{bar}",
        "foo{{bar}}zap",
    ]
    .iter()
    .map(|k| k.as_bytes().to_vec())
    .collect();
    // Binary keys, with and without braces, from a fixed pseudo-random sequence.
    let mut x: u32 = 12345;
    for len in 0..300usize {
        let key: Vec<u8> = (0..len % 23)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                match (x >> 16) % 7 {
                    0 => b'{',
                    1 => b'}',
                    _ => (x >> 8) as u8,
                }
            })
            .collect();
        keys.push(key);
    }
    for key in &keys {
        let server_slot = r.cluster_keyslot(key.as_slice()).unwrap();
        assert_eq!(i64::from(key_slot(key)), server_slot, "{key:?}");
    }
    assert_eq!(key_slot("foo{{bar}}zap"), 4015);
}

/// Two primaries, each with half of the slots, that know each other, in state ok.
fn two_node_cluster() -> (RedisServer, RedisServer) {
    let a = cluster_node();
    let b = cluster_node();
    let ra = client(&a, 2);
    let rb = client(&b, 2);
    let _: Value = ra
        .execute_command(("CLUSTER", "ADDSLOTSRANGE", 0, 8191))
        .unwrap();
    let _: Value = rb
        .execute_command(("CLUSTER", "ADDSLOTSRANGE", 8192, 16383))
        .unwrap();
    assert!(ra.cluster_meet("127.0.0.1", b.port()).unwrap());
    // Until both list the other's slots (gossip takes a moment).
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let views: Vec<SlotMap> = [&ra, &rb]
            .iter()
            .map(|r| {
                let v: Value = r.execute_command(("CLUSTER", "SLOTS")).unwrap();
                SlotMap::from_cluster_slots(&v, "127.0.0.1").unwrap()
            })
            .collect();
        // And both say `cluster_state:ok`: until then keyed commands get CLUSTERDOWN.
        let ok = [&ra, &rb].iter().all(|r| {
            let info: Value = r.execute_command(("CLUSTER", "INFO")).unwrap();
            let text = String::from_utf8_lossy(info.as_bytes().unwrap_or_default()).into_owned();
            text.contains("cluster_state:ok")
        });
        if ok && views.iter().all(SlotMap::is_fully_covered) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the two nodes did not agree in 15 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (a, b)
}

#[test]
fn cluster_slots_and_shards_from_a_real_cluster_on_both_protocols() {
    let (a, b) = two_node_cluster();
    let id_a: String = client(&a, 2).cluster_myid().unwrap();
    let id_b: String = client(&b, 2).cluster_myid().unwrap();
    let mut views = Vec::new();
    for protocol in [2, 3] {
        for server in [&a, &b] {
            let r = client(server, protocol);
            // As sent (no normalisation) and as the declared command normalises it.
            let raw: Value = r.execute_command(("CLUSTER", "SLOTS")).unwrap();
            let declared: Value = r.cluster_slots().unwrap();
            let shards_raw: Value = r.execute_command(("CLUSTER", "SHARDS")).unwrap();
            let shards: Value = r.cluster_shards().unwrap();
            for reply in [&raw, &declared] {
                views.push(SlotMap::from_cluster_slots(reply, "127.0.0.1").unwrap());
            }
            for reply in [&shards_raw, &shards] {
                views.push(SlotMap::from_cluster_shards(reply, "127.0.0.1").unwrap());
            }
        }
    }
    assert_eq!(views.len(), 16);
    let (map, agreeing) = SlotMap::majority(views).unwrap();
    assert_eq!(agreeing, 16, "every reply gives the same map");
    let at = |slot| map.primary_for_slot(slot).unwrap();
    assert_eq!(at(0).addr, NodeAddr::new("127.0.0.1", a.port()));
    assert_eq!(at(8191).id.as_deref(), Some(id_a.as_str()));
    assert_eq!(at(8192).addr, NodeAddr::new("127.0.0.1", b.port()));
    assert_eq!(at(16383).id.as_deref(), Some(id_b.as_str()));
    assert_eq!(map.primaries().count(), 2);
    assert_eq!(map.replicas().count(), 0);
    let ranges: Vec<_> = map.ranges().iter().map(|(s, e, _)| (*s, *e)).collect();
    assert_eq!(ranges, [(0, 8191), (8192, 16383)]);
}

#[test]
fn a_real_moved_reply_routes_to_the_owner_and_patches_the_map() {
    let (a, b) = two_node_cluster();
    let ra = client(&a, 3);
    // "foo" is slot 12182, served by b: a replies MOVED.
    let cmd = crate::commands::build::get("foo");
    assert_eq!(
        route(&cmd).unwrap(),
        Route::Slot {
            slot: 12182,
            readonly: true
        }
    );
    let err = ra.get::<Option<String>>("foo").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Moved);
    let redirect = parse_redirect(err.server_error().unwrap(), "127.0.0.1").unwrap();
    assert_eq!(redirect.kind, RedirectKind::Moved);
    assert_eq!(redirect.slot, 12182);
    assert_eq!(redirect.node, NodeAddr::new("127.0.0.1", b.port()));

    let settings = ClusterSettings::default();
    let mut shared = RefreshState::new();
    shared.refreshed(Duration::ZERO);
    let mut routing = CommandRouting::new(&settings, NodeAddr::new("127.0.0.1", a.port()));
    let decision = routing.on_error(err, Sent::Maybe, true, &mut shared, Duration::from_secs(1));
    let Decision::Retry {
        target, refresh, ..
    } = decision
    else {
        panic!("expected a retry: {decision:?}");
    };
    let owner = NodeAddr::new("127.0.0.1", b.port());
    assert_eq!(target, Target::Node(owner.clone()));
    assert_eq!(
        refresh,
        Refresh::Slot {
            slot: 12182,
            node: owner
        }
    );
    // Following the decision works.
    client(&b, 3).set("foo", "bar").unwrap();
    assert_eq!(
        client(&b, 3)
            .get::<Option<String>>("foo")
            .unwrap()
            .as_deref(),
        Some("bar")
    );
}

#[test]
fn an_unserved_slot_gives_clusterdown_and_a_refresh() {
    let server = cluster_node();
    let r = client(&server, 2);
    let _: Value = r
        .execute_command(("CLUSTER", "ADDSLOTSRANGE", 0, 16383))
        .unwrap();
    assert!(r.cluster_delslots(12182).unwrap());
    let err = r.get::<Option<String>>("foo").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ClusterDown);
    let settings = ClusterSettings::default();
    let mut shared = RefreshState::new();
    let mut routing = CommandRouting::new(&settings, NodeAddr::new("127.0.0.1", server.port()));
    let decision = routing.on_error(err, Sent::Maybe, true, &mut shared, Duration::ZERO);
    let Decision::Retry {
        target, refresh, ..
    } = decision
    else {
        panic!("expected a retry: {decision:?}");
    };
    assert_eq!((target, refresh), (Target::Reroute, Refresh::Full));
    // The refreshed map has no node for the slot.
    let v: Value = r.execute_command(("CLUSTER", "SLOTS")).unwrap();
    let map = SlotMap::from_cluster_slots(&v, "127.0.0.1").unwrap();
    assert!(map.primary_for_slot(12182).is_none());
    assert_eq!(
        map.primary_for_slot(12181).unwrap().addr,
        NodeAddr::new("127.0.0.1", server.port())
    );
}
