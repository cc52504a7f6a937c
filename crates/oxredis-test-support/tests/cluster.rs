//! The cluster topology forms, and its helpers kill nodes and move slots.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use oxredis_test_support::{ClusterServers, Reply};

#[test]
fn six_nodes_form_a_cluster_and_a_slot_migrates() {
    let t = Instant::now();
    let c = ClusterServers::start();
    eprintln!("cluster formed in {:?}", t.elapsed());
    assert_eq!(c.primaries().len(), 3);
    assert_eq!(c.replicas().len(), 3);
    let info = c.cli(0, &["CLUSTER", "INFO"]).to_text();
    assert!(info.contains("cluster_known_nodes:6"), "{info}");
    assert!(info.contains("cluster_slots_assigned:16384"), "{info}");
    // foo is slot 12182, on the third primary.
    assert_eq!(c.owner_of(12182), c.ports()[2]);
    let owner = c.ports()[2];
    let conn = |p: u16| {
        Reply::to_text(&c.cli(
            c.ports().iter().position(|&x| x == p).unwrap(),
            &["GET", "foo"],
        ))
    };
    assert_eq!(c.cli(2, &["SET", "foo", "bar"]).to_text(), "OK");
    c.migrate_slot(12182, c.ports()[0]);
    assert_eq!(c.owner_of(12182), c.ports()[0]);
    assert_eq!(conn(c.ports()[0]), "bar");
    assert!(
        conn(owner).starts_with("(error) MOVED 12182"),
        "{}",
        conn(owner)
    );
    c.kill(c.ports()[1]);
    let t = Instant::now();
    let new = c.wait_failover(c.ports()[1], 6000);
    eprintln!("failover in {:?}", t.elapsed());
    assert_eq!(new, c.ports()[4]);
    c.restart(c.ports()[1]);
    c.wait_healthy();
    assert_eq!(c.replicas().len(), 3);
}
