//! A throw-away Redis Cluster: 3 primaries and 3 replicas on free loopback ports.

use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use crate::resp::{RawConn, Reply};
use crate::server::RedisServer;
use crate::version::ServerVersion;

/// `--cluster-node-timeout` of every node, in milliseconds: a killed primary is replaced by
/// its replica about node-timeout + 1-2 s later.
pub const CLUSTER_NODE_TIMEOUT_MS: u64 = 2000;
/// How long the cluster may take to form (or heal) before the harness gives up.
const FORM_TIMEOUT: Duration = Duration::from_secs(30);
/// `MIGRATE` blocks the source node until the target answered: two at once in opposite
/// directions (tests sharing a cluster) would block both nodes past the node timeout. One at a
/// time per process.
static MIGRATE_LOCK: Mutex<()> = Mutex::new(());
/// Whether a slot migration is between [`ClusterServers::begin_migration`] and
/// [`ClusterServers::finish_migration`]. Two migrations at once in opposite directions bump
/// both nodes' config epochs, and gossip from the old owner (sent before its `SETSLOT`) can
/// carry a higher epoch than the new owner's claim: the new owner then gives the slot back and
/// deletes its keys as "dirty". One migration at a time per process.
static MIGRATING: (Mutex<bool>, std::sync::Condvar) =
    (Mutex::new(false), std::sync::Condvar::new());

/// The primaries' slot ranges, as `redis-cli --cluster create` assigns them for three.
const RANGES: [(u16, u16); 3] = [(0, 5460), (5461, 10922), (10923, 16383)];

/// A 6-node Redis Cluster (3 primaries, each with one replica) of real `redis-server` (or
/// `$OXREDIS_SERVER_BIN`) processes on free loopback ports, formed by hand (`ADDSLOTSRANGE`,
/// `MEET`, `REPLICATE`, no `redis-cli`) in 2-4 s.
///
/// [`start`](Self::start) gives a cluster of one's own, stopped on drop (for tests that kill
/// nodes); [`shared`](Self::shared) gives one per test process, started on first use and
/// killed when the process exits (a small watchdog shell holds a pipe to the process).
///
/// Nodes are numbered 0-5 as started: 0-2 start as primaries of slots 0-5460, 5461-10922 and
/// 10923-16383, 3-5 as replicas of 0-2. After a failover the roles change: ask
/// [`primaries`](Self::primaries).
#[derive(Debug)]
pub struct ClusterServers {
    nodes: Mutex<Vec<RedisServer>>,
    ports: Vec<u16>,
    /// The watchdog of a shared cluster; its stdin closes when this process exits.
    watchdog: Option<(Child, ChildStdin, PathBuf)>,
}

/// Runs `args` on a fresh connection to `port`; `None` when the node does not answer.
fn try_cmd(port: u16, args: &[&str]) -> Option<Reply> {
    let mut c =
        RawConn::connect_timeout(([127, 0, 0, 1], port).into(), Duration::from_millis(500)).ok()?;
    c.cmd(args).ok()
}

fn cmd(port: u16, args: &[&str]) -> Reply {
    try_cmd(port, args).unwrap_or_else(|| panic!("oxredis-test-support: {args:?} on {port}"))
}

fn ok(port: u16, args: &[&str]) {
    let r = cmd(port, args);
    assert!(
        !r.is_error(),
        "oxredis-test-support: {args:?} on {port}: {r}"
    );
}

/// Polls `f` every 20 ms until it is true, for up to [`FORM_TIMEOUT`].
fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + FORM_TIMEOUT;
    while !f() {
        assert!(
            Instant::now() < deadline,
            "oxredis-test-support: cluster: {what} not reached within {FORM_TIMEOUT:?}"
        );
        thread::sleep(Duration::from_millis(20));
    }
}

impl ClusterServers {
    /// Starts six nodes and forms the cluster; returns when every node reports
    /// `cluster_state:ok`, knows all six nodes, and every replica's link to its primary is up.
    ///
    /// # Panics
    /// If a node does not start or the cluster does not form within 30 s.
    pub fn start() -> ClusterServers {
        let nodes: Vec<RedisServer> = (0..6)
            .map(|_| {
                RedisServer::builder()
                    .args([
                        "--cluster-enabled",
                        "yes",
                        "--cluster-config-file",
                        "nodes.conf",
                        "--cluster-node-timeout",
                        &CLUSTER_NODE_TIMEOUT_MS.to_string(),
                    ])
                    .start()
            })
            .collect();
        let ports: Vec<u16> = nodes.iter().map(RedisServer::port).collect();
        let cluster = ClusterServers {
            nodes: Mutex::new(nodes),
            ports,
            watchdog: None,
        };
        cluster.form();
        cluster
    }

    /// One cluster per test process, started on first use; killed (SIGKILL) and its files
    /// removed when the process exits. Tests that share it must not kill nodes or change the
    /// slot map: use [`start`](Self::start) for those.
    ///
    /// # Panics
    /// As [`start`](Self::start).
    pub fn shared() -> &'static ClusterServers {
        static SHARED: OnceLock<ClusterServers> = OnceLock::new();
        SHARED.get_or_init(|| {
            let mut cluster = ClusterServers::start();
            cluster.start_watchdog();
            cluster
        })
    }

    /// A `sh` that waits for its stdin to close (this process exited), then kills the pids
    /// listed in a file and removes the nodes' directories.
    fn start_watchdog(&mut self) {
        let dirs: Vec<String> = self
            .lock()
            .iter()
            .map(|n| n.dir().to_string_lossy().into_owned())
            .collect();
        let pids = std::env::temp_dir().join(format!(
            "oxredis-cluster-{}-{}.pids",
            std::process::id(),
            self.ports[0]
        ));
        let script = format!(
            "read _ignored; kill -9 $(cat '{}') 2>/dev/null; sleep 0.2; rm -rf {} '{}'",
            pids.display(),
            dirs.iter()
                .map(|d| format!("'{d}'"))
                .collect::<Vec<_>>()
                .join(" "),
            pids.display()
        );
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("oxredis-test-support: spawn the cluster watchdog");
        let stdin = child.stdin.take().expect("watchdog stdin");
        self.watchdog = Some((child, stdin, pids));
        self.write_pids();
    }

    fn write_pids(&self) {
        if let Some((_, _, path)) = &self.watchdog {
            let pids: Vec<String> = self
                .lock()
                .iter()
                .filter_map(|n| n.pid().map(|p| p.to_string()))
                .collect();
            let _ = fs::write(path, pids.join(" "));
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<RedisServer>> {
        self.nodes.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn form(&self) {
        let p = &self.ports;
        let ids: Vec<String> = p
            .iter()
            .map(|&port| cmd(port, &["CLUSTER", "MYID"]).to_text())
            .collect();
        for (i, &port) in p.iter().enumerate() {
            ok(port, &["CLUSTER", "SET-CONFIG-EPOCH", &(i + 1).to_string()]);
        }
        for (i, (start, end)) in RANGES.iter().enumerate() {
            ok(
                p[i],
                &[
                    "CLUSTER",
                    "ADDSLOTSRANGE",
                    &start.to_string(),
                    &end.to_string(),
                ],
            );
        }
        for &port in &p[1..] {
            ok(p[0], &["CLUSTER", "MEET", "127.0.0.1", &port.to_string()]);
        }
        // A replica can only REPLICATE a primary it knows.
        for (r, &port) in p.iter().enumerate().skip(3) {
            let primary = &ids[r - 3];
            wait_until("replicas know their primary", || {
                try_cmd(port, &["CLUSTER", "NODES"]).is_some_and(|n| n.to_text().contains(primary))
            });
            ok(port, &["CLUSTER", "REPLICATE", primary]);
        }
        self.wait_healthy();
    }

    /// Waits until every running node says `cluster_state:ok`, knows every node, every
    /// replica's link is up, and all running nodes report the same slot map with a replica per
    /// shard that has a live replica.
    ///
    /// # Panics
    /// If that is not reached within 30 s.
    pub fn wait_healthy(&self) {
        let running: Vec<u16> = self
            .lock()
            .iter()
            .filter(|n| n.is_running())
            .map(RedisServer::port)
            .collect();
        wait_until("every node ok with the same slot map", || {
            let mut views = Vec::new();
            for &port in &running {
                let Some(info) = try_cmd(port, &["CLUSTER", "INFO"]) else {
                    return false;
                };
                let info = info.to_text();
                if !info.contains("cluster_state:ok") {
                    return false;
                }
                let Some(role) = try_cmd(port, &["INFO", "replication"]) else {
                    return false;
                };
                let role = role.to_text();
                if role.contains("role:slave") && !role.contains("master_link_status:up") {
                    return false;
                }
                let Some(slots) = try_cmd(port, &["CLUSTER", "SLOTS"]) else {
                    return false;
                };
                let primaries: Vec<((u16, u16), u16)> = slot_view(&slots)
                    .into_iter()
                    .map(|(r, p, _)| (r, p))
                    .collect();
                views.push(primaries);
            }
            views.windows(2).all(|w| w[0] == w[1]) && views.first().is_some_and(|v| v.len() >= 3)
        });
    }

    /// Waits until every running node lists every running replica in `CLUSTER SLOTS`. Replicas
    /// reach the other nodes by gossip, which took up to 10 s after forming on a loaded 2-core
    /// machine (with `redis-cli --cluster create` too); only tests that read from replicas
    /// need it.
    ///
    /// # Panics
    /// If that is not reached within 30 s.
    pub fn wait_replicas_known(&self) {
        let running = self.running_ports();
        // Three shards: every running node past three is a replica.
        let replicas = running.len().saturating_sub(3);
        wait_until("every node lists every replica", || {
            running.iter().all(|&p| {
                try_cmd(p, &["CLUSTER", "SLOTS"])
                    .is_some_and(|s| replica_ports(&s).len() >= replicas)
            })
        });
    }

    /// The six nodes' ports, in start order.
    pub fn ports(&self) -> &[u16] {
        &self.ports
    }

    /// `host:port` of every node, in start order.
    pub fn addrs(&self) -> Vec<String> {
        self.ports
            .iter()
            .map(|p| format!("127.0.0.1:{p}"))
            .collect()
    }

    /// `redis://127.0.0.1:<port>` of node 0, a seed for cluster clients.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.ports[0])
    }

    /// The server version of node 0.
    pub fn version(&self) -> ServerVersion {
        ServerVersion::from_info(&cmd(self.ports[0], &["INFO", "server"]).to_text())
    }

    /// Runs a command on node `i` (fresh connection) and returns its reply.
    ///
    /// # Panics
    /// If the node does not answer.
    pub fn cli(&self, i: usize, args: &[&str]) -> Reply {
        cmd(self.ports[i], args)
    }

    /// The port of the primary serving `slot`, per node `via`'s `CLUSTER SLOTS` (any running
    /// node when `via` is `None`).
    ///
    /// # Panics
    /// If no running node answers or the slot is unassigned.
    pub fn owner_of(&self, slot: u16) -> u16 {
        let reply = self
            .running_ports()
            .into_iter()
            .find_map(|p| try_cmd(p, &["CLUSTER", "SLOTS"]))
            .expect("oxredis-test-support: no node answers CLUSTER SLOTS");
        slot_view(&reply)
            .into_iter()
            .find(|(range, _, _)| range.0 <= slot && slot <= range.1)
            .map(|(_, primary, _)| primary)
            .unwrap_or_else(|| panic!("oxredis-test-support: slot {slot} is unassigned"))
    }

    fn running_ports(&self) -> Vec<u16> {
        self.lock()
            .iter()
            .filter(|n| n.is_running())
            .map(RedisServer::port)
            .collect()
    }

    /// Ports of the nodes that are running primaries now (`ROLE`).
    pub fn primaries(&self) -> Vec<u16> {
        self.running_ports()
            .into_iter()
            .filter(|&p| try_cmd(p, &["ROLE"]).is_some_and(|r| r.to_text().starts_with("master")))
            .collect()
    }

    /// Ports of the nodes that are running replicas now (`ROLE`).
    pub fn replicas(&self) -> Vec<u16> {
        self.running_ports()
            .into_iter()
            .filter(|&p| try_cmd(p, &["ROLE"]).is_some_and(|r| r.to_text().starts_with("slave")))
            .collect()
    }

    fn index_of(&self, port: u16) -> usize {
        self.ports
            .iter()
            .position(|&p| p == port)
            .unwrap_or_else(|| panic!("oxredis-test-support: no node on port {port}"))
    }

    /// Kills the node on `port` with SIGKILL (its `nodes.conf` stays, so
    /// [`restart`](Self::restart) brings it back as the same node).
    pub fn kill(&self, port: u16) {
        let i = self.index_of(port);
        self.lock()[i].stop();
        self.write_pids();
    }

    /// Starts a killed node again on its port; it rejoins the cluster (as a replica, when its
    /// shard failed over meanwhile).
    pub fn restart(&self, port: u16) {
        let i = self.index_of(port);
        self.lock()[i].start_again();
        self.write_pids();
    }

    /// Waits until the replica of the killed primary `port` is promoted and the cluster is ok
    /// again on every running node; returns the new primary's port.
    ///
    /// # Panics
    /// If that does not happen within 30 s.
    pub fn wait_failover(&self, old_primary: u16, slot: u16) -> u16 {
        let mut new = 0;
        wait_until("a replica took over", || {
            let Some(reply) = self
                .running_ports()
                .into_iter()
                .find_map(|p| try_cmd(p, &["CLUSTER", "SLOTS"]))
            else {
                return false;
            };
            match slot_view(&reply)
                .into_iter()
                .find(|(r, _, _)| r.0 <= slot && slot <= r.1)
            {
                Some((_, primary, _)) if primary != old_primary => {
                    new = primary;
                    true
                }
                _ => false,
            }
        });
        new
    }

    /// Moves `slot` (and its keys) from its owner to the primary on port `to`, as
    /// `redis-cli --cluster reshard` does: [`begin_migration`](Self::begin_migration),
    /// [`migrate_keys`](Self::migrate_keys), [`finish_migration`](Self::finish_migration).
    pub fn migrate_slot(&self, slot: u16, to: u16) {
        let from = self.begin_migration(slot, to);
        self.migrate_keys(slot, from, to);
        self.finish_migration(slot, from, to);
    }

    /// Marks `slot` IMPORTING on `to` and MIGRATING on its owner; returns the owner's port.
    /// From now on the owner answers `-ASK` for keys of the slot it no longer has.
    pub fn begin_migration(&self, slot: u16, to: u16) -> u16 {
        let from = self.owner_of(slot);
        assert_ne!(
            from, to,
            "oxredis-test-support: slot {slot} is already on {to}"
        );
        take_migration_token();
        let s = slot.to_string();
        let from_id = cmd(from, &["CLUSTER", "MYID"]).to_text();
        let to_id = cmd(to, &["CLUSTER", "MYID"]).to_text();
        ok(to, &["CLUSTER", "SETSLOT", &s, "IMPORTING", &from_id]);
        ok(from, &["CLUSTER", "SETSLOT", &s, "MIGRATING", &to_id]);
        from
    }

    /// Moves every key of `slot` from `from` to `to` with `MIGRATE`, 100 at a time; returns
    /// how many moved.
    pub fn migrate_keys(&self, slot: u16, from: u16, to: u16) -> usize {
        let mut moved = 0;
        loop {
            let keys = cmd(
                from,
                &["CLUSTER", "GETKEYSINSLOT", &slot.to_string(), "100"],
            );
            let Reply::Array(keys) = keys else {
                panic!("oxredis-test-support: GETKEYSINSLOT: {keys}");
            };
            if keys.is_empty() {
                return moved;
            }
            let names: Vec<String> = keys.iter().map(Reply::to_text).collect();
            let port = to.to_string();
            let mut args = vec!["MIGRATE", "127.0.0.1", &port, "", "0", "5000", "KEYS"];
            args.extend(names.iter().map(String::as_str));
            let _one = MIGRATE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
            ok(from, &args);
            moved += names.len();
        }
    }

    /// Moves one key from `from` to `to` with `MIGRATE` (during a migration begun with
    /// [`begin_migration`](Self::begin_migration)).
    ///
    /// # Panics
    /// If `MIGRATE` fails.
    pub fn migrate_key(&self, key: &str, from: u16, to: u16) {
        let _one = MIGRATE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        ok(
            from,
            &["MIGRATE", "127.0.0.1", &to.to_string(), key, "0", "5000"],
        );
    }

    /// Assigns `slot` to `to` on both nodes and on every other primary (`SETSLOT NODE`),
    /// ending the migration: the old owner now answers `-MOVED`. Returns once every primary
    /// names `to` as the owner.
    ///
    /// `to` first waits until every node agrees on the cluster's current epoch and then bumps
    /// its own, so its claim outranks any gossip `from` sent before it let go of the slot (a
    /// lower-epoch claim would be overridden and its keys deleted).
    ///
    /// # Panics
    /// If the nodes do not agree within 10 s, or `to` lost the slot again.
    pub fn finish_migration(&self, slot: u16, from: u16, to: u16) {
        let _token = MigrationToken;
        let s = slot.to_string();
        let to_id = cmd(to, &["CLUSTER", "MYID"]).to_text();
        let deadline = Instant::now() + Duration::from_secs(10);
        let wait = |what: &str, done: &dyn Fn() -> bool| {
            while !done() {
                assert!(
                    Instant::now() < deadline,
                    "oxredis-test-support: slot {slot}: {what} within 10 s"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        };
        let epoch = |p: u16| {
            try_cmd(p, &["CLUSTER", "INFO"]).and_then(|r| {
                r.to_text()
                    .lines()
                    .find_map(|l| l.strip_prefix("cluster_current_epoch:"))
                    .map(|e| e.trim().to_owned())
            })
        };
        wait("the nodes agree on the current epoch", &|| {
            let epochs: Vec<_> = self.running_ports().into_iter().map(epoch).collect();
            epochs.windows(2).all(|w| w[0] == w[1])
        });
        ok(to, &["CLUSTER", "BUMPEPOCH"]);
        ok(to, &["CLUSTER", "SETSLOT", &s, "NODE", &to_id]);
        ok(from, &["CLUSTER", "SETSLOT", &s, "NODE", &to_id]);
        for p in self.primaries() {
            if p != to && p != from {
                let _ = try_cmd(p, &["CLUSTER", "SETSLOT", &s, "NODE", &to_id]);
            }
        }
        wait("every primary names the new owner", &|| {
            assert_eq!(
                owner_seen_by(to, slot),
                Some(to),
                "oxredis-test-support: slot {slot}: {to} lost the slot it was given"
            );
            self.primaries()
                .into_iter()
                .all(|p| owner_seen_by(p, slot) == Some(to))
        });
    }

    /// Runs `FLUSHALL` on every running primary.
    pub fn flushall(&self) {
        for p in self.primaries() {
            let _ = try_cmd(p, &["FLUSHALL"]);
        }
    }
}

/// Waits (up to 30 s, in case a test died mid-migration) until no migration is running, then
/// marks one as running; [`MigrationToken`]'s drop ends it.
fn take_migration_token() {
    let (running, ended) = &MIGRATING;
    let mut running = running.lock().unwrap_or_else(|e| e.into_inner());
    let deadline = Instant::now() + Duration::from_secs(30);
    while *running && Instant::now() < deadline {
        running = ended
            .wait_timeout(running, Duration::from_millis(100))
            .unwrap_or_else(|e| e.into_inner())
            .0;
    }
    *running = true;
}

/// Ends the running migration when dropped (also when `finish_migration` panics).
struct MigrationToken;

impl Drop for MigrationToken {
    fn drop(&mut self) {
        let (running, ended) = &MIGRATING;
        *running.lock().unwrap_or_else(|e| e.into_inner()) = false;
        ended.notify_all();
    }
}

/// The owner of `slot` in the `CLUSTER SLOTS` reply of the node on `port`.
fn owner_seen_by(port: u16, slot: u16) -> Option<u16> {
    slot_view(&try_cmd(port, &["CLUSTER", "SLOTS"])?)
        .into_iter()
        .find(|(range, _, _)| range.0 <= slot && slot <= range.1)
        .map(|(_, primary, _)| primary)
}

/// The ports of every replica `CLUSTER SLOTS` lists.
fn replica_ports(reply: &Reply) -> std::collections::BTreeSet<u16> {
    let Reply::Array(entries) = reply else {
        return Default::default();
    };
    entries
        .iter()
        .filter_map(|e| match e {
            Reply::Array(parts) => Some(parts.iter().skip(3)),
            _ => None,
        })
        .flatten()
        .filter_map(|node| match node {
            Reply::Array(n) => match n.get(1) {
                Some(Reply::Int(p)) => u16::try_from(*p).ok(),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// `CLUSTER SLOTS` as `((start, end), primary port, node count)`, sorted.
fn slot_view(reply: &Reply) -> Vec<((u16, u16), u16, usize)> {
    let Reply::Array(entries) = reply else {
        return Vec::new();
    };
    let int = |r: &Reply| match r {
        Reply::Int(i) => *i,
        other => other.to_text().parse().unwrap_or(-1),
    };
    let mut out: Vec<((u16, u16), u16, usize)> = entries
        .iter()
        .filter_map(|e| {
            let Reply::Array(parts) = e else { return None };
            let (Some(start), Some(end), Some(Reply::Array(primary))) =
                (parts.first(), parts.get(1), parts.get(2))
            else {
                return None;
            };
            let port = primary.get(1).map(int)?;
            Some((
                (int(start) as u16, int(end) as u16),
                port as u16,
                parts.len() - 2,
            ))
        })
        .collect();
    out.sort_unstable();
    out
}

impl Drop for ClusterServers {
    fn drop(&mut self) {
        if let Some((mut child, stdin, _)) = self.watchdog.take() {
            let mut stdin = stdin;
            let _ = stdin.write_all(b"\n");
            drop(stdin);
            let _ = child.wait();
        }
    }
}
