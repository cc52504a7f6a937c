//! The cluster clients against a real 6-node cluster (3 primaries + 3 replicas).
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use oxredis::blocking::RedisCluster;
use oxredis::cluster::NodeFlag;
use oxredis::{ErrorKind, Value};
use oxredis_test_support::ClusterServers;

#[test]
fn smoke() {
    let c = ClusterServers::shared();
    let rc = RedisCluster::from_url(&c.url()).unwrap();
    rc.set("foo", "bar").unwrap();
    let v: Option<String> = rc.get("foo").unwrap();
    assert_eq!(v.as_deref(), Some("bar"));
    assert_eq!(rc.get_primaries().len(), 3);
    let n: i64 = rc.target_nodes(NodeFlag::Primaries).dbsize().unwrap();
    assert!(n >= 1);
    let e = rc.mget::<Value>(["foo", "bar"]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::CrossSlot);
}
