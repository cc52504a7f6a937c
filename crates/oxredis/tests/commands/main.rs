//! The command table against a real server: coverage of the server's COMMAND table, key
//! positions and flags (`table.rs`), and every method the table generates called with the reply
//! it must give, on RESP2 and RESP3 (one file per command group, as in `src/commands/`).
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(
    clippy::duplicate_mod,
    reason = "on_cluster compiles the group files a second time, with Client = RedisCluster"
)]

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};

use oxredis::commands::options::*;
use oxredis::commands::{build, command_methods, command_specs, CommandFlags, KeySpec};
use oxredis::types::{
    ClientInfo, GeoSearchResult, PendingEntry, PendingSummary, SlowLogEntry, StreamEntry,
};
use oxredis::{Cmd, ErrorKind, Expiry, Protocol, Redis, ScanOptions, Value};
use oxredis_test_support::{ClusterServers, Needs, RedisServer, ServerVersion};

/// The client the group bodies are written against: [`Redis`] here. The groups that can run on
/// a cluster are compiled a second time in [`on_cluster`], where it is `RedisCluster`.
type Client = Redis;
/// Whether the group bodies run on a cluster (where a few replies come once per primary).
const ON_CLUSTER: bool = false;

fn client(server: &RedisServer, protocol: Protocol) -> Redis {
    // One connection, so connection-state commands (CLIENT SETNAME, TRACKING...) see each other.
    Redis::builder()
        .url(&server.url())
        .unwrap()
        .protocol(protocol)
        .max_connections(1)
        // PFSELFTEST and DEBUG-style commands run for seconds on a starved machine (a mutation
        // run, CI under load): a slow server is not what these tests check.
        .socket_timeout(Some(std::time::Duration::from_secs(60)))
        .build()
}

/// The methods the group bodies called, for the per-method coverage test.
static CALLED: std::sync::Mutex<BTreeSet<&'static str>> = std::sync::Mutex::new(BTreeSet::new());

/// Whether the server is Valkey (whose INFO adds `valkey_version`), for the few replies that
/// legitimately differ from Redis's (encodings, error texts, newer defaults).
#[allow(
    dead_code,
    reason = "used by the groups whose replies differ between servers"
)]
fn is_valkey(r: &Redis) -> bool {
    let info: String = r.execute_command(("INFO", "server")).unwrap();
    info.contains("valkey_version:")
}

/// The server behind `r`: Redis or Valkey, and its version.
fn server_version(r: &Redis) -> ServerVersion {
    let info: String = r.execute_command(("INFO", "server")).unwrap();
    ServerVersion::from_info(&info)
}

/// Methods whose calls were skipped because the server is too old for them; the coverage test
/// does not require them on this server.
static SKIPPED: std::sync::Mutex<BTreeSet<&'static str>> = std::sync::Mutex::new(BTreeSet::new());
/// Skip lines already printed (a group runs once per protocol; its skips are printed once).
static SKIP_PRINTED: std::sync::Mutex<BTreeSet<String>> = std::sync::Mutex::new(BTreeSet::new());

/// `true` when the server is older than `needs`: then prints `SKIP <test>: needs ... (server
/// ...)` once per test name, and records `methods` as skipped for the coverage test. The caller
/// skips the calls of `methods`.
fn skip_unless(
    version: &ServerVersion,
    test: &str,
    needs: Needs,
    methods: &[&'static str],
) -> bool {
    if version.meets(needs) {
        return false;
    }
    SKIPPED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .extend(methods);
    let first = SKIP_PRINTED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(test.to_owned());
    if first {
        assert!(version.skip_unless(test, needs));
    }
    true
}

/// Records that a command method was called.
fn called(method: &'static str) {
    CALLED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(method);
}

/// `check!(r.method::<T>(args) => expected)`: calls the method, records it as called, and
/// asserts that the reply equals `expected`; evaluates to the reply.
macro_rules! check {
    ($r:ident . $m:ident $(::<$t:ty>)? ( $($a:expr),* $(,)? ) => $want:expr) => {{
        $crate::called(stringify!($m));
        let got = $r.$m$(::<$t>)?($($a),*)
            .unwrap_or_else(|e| panic!("{}: {e}", stringify!($r.$m($($a),*))));
        assert_eq!(got, $want, "{}", stringify!($r.$m($($a),*)));
        got
    }};
}

/// `call!(r.method::<T>(args))`: calls the method and records it as called; evaluates to the
/// reply, for a reply that varies (ids, timestamps): the caller asserts its fixed parts.
macro_rules! call {
    ($r:ident . $m:ident $(::<$t:ty>)? ( $($a:expr),* $(,)? )) => {{
        $crate::called(stringify!($m));
        $r.$m$(::<$t>)?($($a),*)
            .unwrap_or_else(|e| panic!("{}: {e}", stringify!($r.$m($($a),*))))
    }};
}

/// `fails!(r.method::<T>(args) => "CODE")`: calls the method, records it as called, and
/// asserts that the server answers with an error reply of that code.
macro_rules! fails {
    ($r:ident . $m:ident $(::<$t:ty>)? ( $($a:expr),* $(,)? ) => $code:expr) => {{
        $crate::called(stringify!($m));
        match $r.$m$(::<$t>)?($($a),*) {
            Ok(v) => panic!("{} succeeded: {v:?}", stringify!($r.$m($($a),*))),
            Err(e) => assert_eq!(e.code(), Some($code), "{}: {e}", stringify!($r.$m($($a),*))),
        }
    }};
}

/// `KEYS pattern` over the whole keyspace: the server's.
fn all_keys(r: &Client, pattern: &str) -> BTreeSet<String> {
    call!(r.keys::<BTreeSet<String>>(pattern))
}

mod acl;
mod bitmaps;
mod cluster;
mod connection;
mod geo;
mod hashes;
mod hyperloglog;
mod keys;
mod lists;
mod newer;
mod pubsub;
mod scripting;
mod sentinel;
mod server;
mod sets;
mod sorted_sets;
mod streams;
mod strings;
mod table;

/// The groups whose commands a cluster runs as a single server does, compiled again with
/// [`Client`] = `blocking::RedisCluster` (the files are the same: `#[path = "."]` finds them
/// next to this one). Their multi-key commands use keys of one hash tag (`{t}`).
///
/// Not run on the cluster, and why:
/// - in `keys`, the multi-database commands (`COPY ... DB`, `MOVE`, `SWAPDB`: a cluster has
///   database 0 only), `SORT`/`SORT_RO` (`BY`/`GET` of other keys are refused in cluster mode),
///   and `WAIT`, `FLUSHDB`, `RANDOMKEY` and `SCAN` (per node, and a cluster has replicas), are
///   skipped there (`ON_CLUSTER`).
/// - `migrate`: moves keys between two standalone servers.
/// - `server`, `connection`, `acl`: server-wide or connection state (`CONFIG`, `INFO`,
///   `CLIENT ...`, `ACL`, `DEBUG`, `SELECT`): the cluster client sends them to one or all nodes
///   and combines the replies per node, which differ from one server's.
/// - `pubsub`: `PUBSUB NUMSUB`/`CHANNELS` count the subscribers of one node only; cluster
///   pub/sub is tested in tests/cluster.rs.
/// - `cluster`, `newer_cluster`: already run on a cluster-enabled server (`CLUSTER ...`
///   addressed to that node).
/// - `shutdown`, `sentinel`: stop the server; talk to a sentinel.
/// - `newer`: mostly commands newer than Redis 7.0, with server-specific skips; not converted.
#[path = "."]
mod on_cluster {
    use super::*;

    /// The cluster client.
    type Client = oxredis::blocking::RedisCluster;
    /// The group bodies run on a cluster.
    const ON_CLUSTER: bool = true;

    mod bitmaps;
    mod geo;
    mod hashes;
    mod hyperloglog;
    #[expect(dead_code, reason = "keys::migrate needs two standalone servers")]
    mod keys;
    mod lists;
    mod scripting;
    mod sets;
    mod sorted_sets;
    mod streams;
    mod strings;

    /// `KEYS pattern` over the whole keyspace: every primary's (KEYS alone goes to the default
    /// node, as in redis-py).
    fn all_keys(r: &Client, pattern: &str) -> BTreeSet<String> {
        let primaries = r.target_nodes(oxredis::cluster::NodeFlag::Primaries);
        call!(primaries.keys::<BTreeSet<String>>(pattern))
    }

    /// Whether the cluster's servers are Valkey.
    fn is_valkey(_: &Client) -> bool {
        ClusterServers::shared().version().is_valkey()
    }

    /// A group body on the cluster.
    type ClusterBody = fn(&Client);

    /// The groups run on the cluster, by name.
    pub(super) const GROUPS: &[(&str, ClusterBody)] = &[
        ("strings", strings::strings),
        ("bitmaps", bitmaps::bitmaps),
        ("hashes", hashes::hashes),
        ("lists", lists::lists),
        ("sets", sets::sets),
        ("sorted_sets", sorted_sets::sorted_sets),
        ("streams", streams::streams),
        ("geo", geo::geo),
        ("hyperloglog", hyperloglog::hyperloglog),
        ("keys", keys::keys),
        ("scripting", scripting::scripting),
    ];

    /// Runs every group on a cluster of its own (a fresh shared one per test binary), on RESP2
    /// then RESP3, the keys of each run flushed first. Returns the failures, one per group.
    pub(super) fn run_all() -> Vec<String> {
        let c = ClusterServers::shared();
        let mut failures = Vec::new();
        for protocol in [Protocol::Resp2, Protocol::Resp3] {
            let rc = Client::builder()
                .url(&c.url())
                .unwrap()
                .protocol(protocol)
                .socket_timeout(Duration::from_secs(60))
                .build()
                .unwrap();
            for &(name, body) in GROUPS {
                // Functions and scripts survive FLUSHALL; a failed run must not leave them.
                c.flushall();
                let _: bool = rc.function_flush(None).unwrap();
                let _: bool = rc.script_flush(None).unwrap();
                let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(&rc)));
                if let Err(panic) = run {
                    let msg = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_default();
                    failures.push(format!("group {name} on the cluster, {protocol:?}: {msg}"));
                }
            }
        }
        failures
    }
}

#[test]
fn the_groups_of_hash_tagged_keys_give_the_same_replies_on_a_cluster() {
    let failures = on_cluster::run_all();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ServerKind {
    Plain,
    Cluster,
    /// The body stops the server: no command statistics to read afterwards.
    Stopped,
    /// The client talks to a sentinel (quorum 1) monitoring a primary with one replica; a
    /// sentinel's INFO has no command statistics.
    Sentinel,
}

type Body = fn(&Redis);

/// Every group body; each runs on a fresh server per protocol.
const GROUPS: &[(&str, ServerKind, Body)] = &[
    ("strings", ServerKind::Plain, strings::strings),
    ("bitmaps", ServerKind::Plain, bitmaps::bitmaps),
    ("keys", ServerKind::Plain, keys::keys),
    ("hashes", ServerKind::Plain, hashes::hashes),
    ("lists", ServerKind::Plain, lists::lists),
    ("sets", ServerKind::Plain, sets::sets),
    ("sorted_sets", ServerKind::Plain, sorted_sets::sorted_sets),
    ("streams", ServerKind::Plain, streams::streams),
    ("geo", ServerKind::Plain, geo::geo),
    ("hyperloglog", ServerKind::Plain, hyperloglog::hyperloglog),
    ("scripting", ServerKind::Plain, scripting::scripting),
    ("server", ServerKind::Plain, server::server_cmds),
    ("connection", ServerKind::Plain, connection::connection),
    ("acl", ServerKind::Plain, acl::acl),
    ("cluster", ServerKind::Cluster, cluster::cluster),
    ("migrate", ServerKind::Plain, keys::migrate),
    ("pubsub", ServerKind::Plain, pubsub::pubsub),
    ("shutdown", ServerKind::Stopped, server::shutdown),
    ("newer", ServerKind::Plain, newer::newer),
    ("newer_cluster", ServerKind::Cluster, newer::newer_cluster),
    ("sentinel", ServerKind::Sentinel, sentinel::sentinel),
];

fn start(kind: ServerKind) -> RedisServer {
    match kind {
        ServerKind::Cluster => RedisServer::builder()
            .args(["--cluster-enabled", "yes"])
            .start(),
        _ => RedisServer::new(),
    }
}

/// Commands the server counted (`cmdstat_<name>` with calls, failed or rejected calls).
fn called_commands(server: &RedisServer) -> BTreeSet<String> {
    let text = server.cli(&["INFO", "commandstats"]);
    text.lines()
        .filter_map(|l| l.strip_prefix("cmdstat_"))
        .filter_map(|l| l.split_once(':'))
        .map(|(name, _)| name.to_owned())
        .collect()
}

/// Runs a group body on RESP2 then RESP3, each on a fresh server; every call in it asserts
/// its own reply. Returns the commands the servers counted.
fn run_group(kind: ServerKind, body: Body) -> BTreeSet<String> {
    let mut called = BTreeSet::new();
    if kind == ServerKind::Sentinel {
        for protocol in [Protocol::Resp2, Protocol::Resp3] {
            let primary = RedisServer::new();
            let _replica = RedisServer::builder().replica_of(&primary).start();
            let sentinel = oxredis_test_support::SentinelProcess::start(
                sentinel::SERVICE,
                primary.port(),
                1,
                Duration::from_millis(1000),
            );
            let r = Redis::builder()
                .url(&format!("redis://{}", sentinel.addr()))
                .unwrap()
                .protocol(protocol)
                .max_connections(1)
                .build();
            body(&r);
        }
        called.insert("sentinel".to_owned());
        return called;
    }
    for protocol in [Protocol::Resp2, Protocol::Resp3] {
        let server = start(kind);
        body(&client(&server, protocol));
        if kind != ServerKind::Stopped {
            called.extend(called_commands(&server));
        }
    }
    called
}

#[test]
fn every_declared_method_gives_its_expected_reply_on_resp2_and_resp3() {
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = GROUPS
            .iter()
            .map(|&(name, kind, body)| (name, kind, s.spawn(move || run_group(kind, body))))
            .collect();
        handles
            .into_iter()
            .map(|(name, kind, h)| (name, kind, h.join()))
            .collect()
    });
    let mut failures = Vec::new();
    let mut called = BTreeSet::new();
    for (name, kind, result) in results {
        match result {
            Ok(c) => called.extend(c),
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                failures.push(format!("group {name}: {msg}"));
            }
        }
        if kind == ServerKind::Stopped {
            called.insert("shutdown".to_owned());
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // Commands whose every method was skipped on this server (too old for them).
    let skipped = SKIPPED.lock().unwrap().clone();
    let skipped_commands: BTreeSet<&str> = command_methods()
        .filter(|(m, _)| skipped.contains(m))
        .map(|(_, c)| c)
        .filter(|c| {
            command_methods()
                .filter(|(_, c2)| c2 == c)
                .all(|(m, _)| skipped.contains(m))
        })
        .collect();
    let not_called: Vec<&str> = command_specs()
        .map(|s| s.name)
        .filter(|name| !skipped_commands.contains(name))
        .filter(|name| {
            let full = name.to_lowercase().replace(' ', "|");
            let first = full.split('|').next().unwrap_or_default().to_owned();
            !called.contains(&full) && !called.contains(&first)
        })
        .collect();
    assert!(
        not_called.is_empty(),
        "declared but the server never saw them: {not_called:?}"
    );
    // Per method, not per command: every form of a command (`set`, `set_options`...) must have
    // been called through `check!`, `call!` or `fails!`.
    let methods = CALLED.lock().unwrap().clone();
    let uncalled: Vec<&str> = command_methods()
        .map(|(method, _)| method)
        .filter(|m| !methods.contains(m) && !skipped.contains(m))
        .collect();
    assert!(
        uncalled.is_empty(),
        "{} methods of the command table never called with a checked reply: {uncalled:?}",
        uncalled.len()
    );
    println!(
        "{} methods ({} declarations), {} distinct commands called; {} methods skipped on {}",
        methods.len(),
        command_specs().count(),
        called.len(),
        skipped.len(),
        RedisServer::new().version()
    );
}

// The SCAN/HSCAN/SSCAN/ZSCAN iterators are tested in tests/scan.rs, on both clients.
