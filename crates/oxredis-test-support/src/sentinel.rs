//! A Sentinel topology: one primary, one replica and three sentinels on free loopback ports.

use std::fs::{self, File};
use std::io;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::resp::{RawConn, Reply};
use crate::server::{make_temp_dir, release_port, reserve_free_port, server_bin, RedisServer};
use crate::version::ServerVersion;

/// How long the topology may take to become stable (measured: about 2.4 s).
const STABLE_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a sentinel may take to answer PING after spawning.
const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// One sentinel process (`<server binary> sentinel.conf --sentinel`) in its own temporary
/// directory; killed on drop.
#[derive(Debug)]
pub struct SentinelProcess {
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl SentinelProcess {
    /// Starts a sentinel monitoring `service` at `127.0.0.1:primary_port` with `quorum`, and
    /// `down_after` as its `down-after-milliseconds`.
    ///
    /// # Panics
    /// When the binary is missing or the sentinel does not answer within 10 s.
    pub fn start(service: &str, primary_port: u16, quorum: u32, down_after: Duration) -> Self {
        Self::start_with(service, primary_port, quorum, down_after, &[])
    }

    /// As [`start`](Self::start), with more lines for `sentinel.conf` (e.g. `tls-replication
    /// yes` and the `tls-*-file` settings, to reach TLS servers).
    ///
    /// # Panics
    /// As [`start`](Self::start).
    pub fn start_with(
        service: &str,
        primary_port: u16,
        quorum: u32,
        down_after: Duration,
        extra_conf: &[String],
    ) -> Self {
        let dir = make_temp_dir();
        let mut last = String::new();
        for _ in 0..8 {
            let port = reserve_free_port();
            let conf = dir.join("sentinel.conf");
            let text = format!(
                "port {port}\nbind 127.0.0.1\ndaemonize no\ndir {dir}\n\
                 sentinel monitor {service} 127.0.0.1 {primary_port} {quorum}\n\
                 sentinel down-after-milliseconds {service} {down}\n\
                 sentinel failover-timeout {service} 10000\n\
                 sentinel parallel-syncs {service} 1\n",
                dir = dir.display(),
                down = down_after.as_millis(),
            ) + &extra_conf.join("\n")
                + "\n";
            fs::write(&conf, text).expect("write sentinel.conf");
            let mut s = SentinelProcess {
                port,
                dir: dir.clone(),
                child: None,
            };
            match s.launch() {
                Ok(child) => {
                    s.child = Some(child);
                    return s;
                }
                Err(log) => {
                    release_port(port);
                    if !log.contains("Address already in use") {
                        panic!("oxredis-test-support: sentinel on port {port} failed:\n{log}");
                    }
                    last = log;
                }
            }
        }
        panic!("oxredis-test-support: no free port for a sentinel; last log:\n{last}")
    }

    fn launch(&self) -> Result<Child, String> {
        let bin = server_bin();
        let log_path = self.dir.join("sentinel.log");
        let log = File::create(&log_path).map_err(|e| e.to_string())?;
        let log2 = log.try_clone().map_err(|e| e.to_string())?;
        let mut child = Command::new(&bin)
            .arg(self.dir.join("sentinel.conf"))
            .arg("--sentinel")
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2)
            .spawn()
            .map_err(|e| {
                if e.kind() == io::ErrorKind::NotFound {
                    format!("server binary {bin:?} not found ({e})")
                } else {
                    format!("cannot spawn {bin:?}: {e}")
                }
            })?;
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("exited with {status}:\n{}", self.log()));
            }
            if let Ok(mut c) = RawConn::connect(self.socket_addr()) {
                // Any reply: PONG, or NOAUTH for a sentinel with `requirepass`.
                if c.cmd(&["PING"]).is_ok() {
                    return Ok(child);
                }
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("no PONG within {READY_TIMEOUT:?}:\n{}", self.log()));
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// The sentinel's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:<port>`.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The address as a socket address.
    pub fn socket_addr(&self) -> std::net::SocketAddr {
        std::net::SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// The sentinel's log.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.join("sentinel.log")).unwrap_or_default()
    }

    /// Runs one command on the sentinel.
    ///
    /// # Panics
    /// When the sentinel cannot be reached.
    pub fn cli_reply(&self, args: &[&str]) -> Reply {
        let mut c = RawConn::connect(self.socket_addr())
            .unwrap_or_else(|e| panic!("connect to sentinel {}: {e}", self.addr()));
        c.cmd(args)
            .unwrap_or_else(|e| panic!("{args:?} on sentinel {}: {e}", self.addr()))
    }

    /// The `(ip, port)` this sentinel reports for `service` (`None` when it does not know it).
    pub fn master_addr(&self, service: &str) -> Option<(String, u16)> {
        match self.cli_reply(&["SENTINEL", "GET-MASTER-ADDR-BY-NAME", service]) {
            Reply::Array(items) if items.len() == 2 => {
                Some((items[0].to_text(), items[1].to_text().parse().ok()?))
            }
            _ => None,
        }
    }

    /// `SENTINEL MASTER <service>` as field pairs (empty on an error reply).
    pub fn master_state(&self, service: &str) -> Vec<(String, String)> {
        match self.cli_reply(&["SENTINEL", "MASTER", service]) {
            Reply::Array(items) => items
                .chunks(2)
                .filter(|p| p.len() == 2)
                .map(|p| (p[0].to_text(), p[1].to_text()))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Kills the sentinel (SIGKILL) and waits for it.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for SentinelProcess {
    fn drop(&mut self) {
        self.stop();
        release_port(self.port);
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// One primary, one replica and three sentinels (quorum 2, `down-after-milliseconds` 1000),
/// the topology of the Sentinel client tests. [`start`](Self::start) returns once every
/// sentinel sees the primary, the replica and the two other sentinels (about 2.5 s). Every
/// process is killed on drop.
///
/// The servers are kept by port: after a failover the replica is the primary; see
/// [`server`](Self::server) and [`current_primary_port`](Self::current_primary_port).
#[derive(Debug)]
pub struct SentinelTopology {
    service: String,
    servers: Vec<RedisServer>,
    sentinels: Vec<SentinelProcess>,
    stable_after: Duration,
}

impl SentinelTopology {
    /// Starts the topology for service name `service` and waits until it is stable.
    ///
    /// # Panics
    /// When a process cannot start or the sentinels do not converge within 20 s.
    pub fn start(service: &str) -> Self {
        let started = Instant::now();
        let primary = RedisServer::new();
        let replica = RedisServer::builder().replica_of(&primary).start();
        let down_after = Duration::from_millis(1000);
        let sentinels = (0..3)
            .map(|_| SentinelProcess::start(service, primary.port(), 2, down_after))
            .collect();
        let mut t = SentinelTopology {
            service: service.to_owned(),
            servers: vec![primary, replica],
            sentinels,
            stable_after: Duration::ZERO,
        };
        t.wait_stable(started);
        t.stable_after = started.elapsed();
        t
    }

    /// Waits until every sentinel reports the primary with one replica that is up and two other
    /// sentinels.
    fn wait_stable(&self, started: Instant) {
        let deadline = started + STABLE_TIMEOUT;
        loop {
            let stable = self.sentinels.iter().all(|s| {
                let state = s.master_state(&self.service);
                let get = |k: &str| {
                    state
                        .iter()
                        .find(|(f, _)| f == k)
                        .map(|(_, v)| v.as_str())
                        .unwrap_or_default()
                        .to_owned()
                };
                get("flags") == "master"
                    && get("num-slaves") == "1"
                    && get("num-other-sentinels") == "2"
                    && self.replicas_up(s)
            });
            if stable {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "oxredis-test-support: sentinels not stable after {STABLE_TIMEOUT:?}; logs:\n{}",
                    self.sentinels
                        .iter()
                        .map(SentinelProcess::log)
                        .collect::<Vec<_>>()
                        .join("\n---\n")
                );
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Whether sentinel `s` lists at least one replica whose flags are exactly `slave`.
    fn replicas_up(&self, s: &SentinelProcess) -> bool {
        match s.cli_reply(&["SENTINEL", "REPLICAS", &self.service]) {
            Reply::Array(reps) => reps.iter().any(|r| match r {
                Reply::Array(f) => f.chunks(2).any(|p| {
                    p.len() == 2 && p[0].to_text() == "flags" && p[1].to_text() == "slave"
                }),
                _ => false,
            }),
            _ => false,
        }
    }

    /// How long [`start`](Self::start) took, from the first process to stable sentinels.
    pub fn stable_after(&self) -> Duration {
        self.stable_after
    }

    /// The service name the sentinels monitor.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The sentinels' `(host, port)` addresses.
    pub fn sentinel_addrs(&self) -> Vec<(String, u16)> {
        self.sentinels
            .iter()
            .map(|s| ("127.0.0.1".to_owned(), s.port()))
            .collect()
    }

    /// The sentinels.
    pub fn sentinels(&self) -> &[SentinelProcess] {
        &self.sentinels
    }

    /// The sentinels, mutably (to stop one).
    pub fn sentinels_mut(&mut self) -> &mut [SentinelProcess] {
        &mut self.sentinels
    }

    /// The server that was started as the primary.
    pub fn first_primary(&self) -> &RedisServer {
        &self.servers[0]
    }

    /// The server that was started as the replica.
    pub fn first_replica(&self) -> &RedisServer {
        &self.servers[1]
    }

    /// The data server listening on `port`.
    ///
    /// # Panics
    /// When no server of the topology has that port.
    pub fn server(&self, port: u16) -> &RedisServer {
        self.servers
            .iter()
            .find(|s| s.port() == port)
            .unwrap_or_else(|| panic!("no server of the topology on port {port}"))
    }

    /// The data server listening on `port`, mutably (to stop or restart it).
    ///
    /// # Panics
    /// When no server of the topology has that port.
    pub fn server_mut(&mut self, port: u16) -> &mut RedisServer {
        self.servers
            .iter_mut()
            .find(|s| s.port() == port)
            .unwrap_or_else(|| panic!("no server of the topology on port {port}"))
    }

    /// The primary's port as the first sentinel that answers reports it.
    pub fn current_primary_port(&self) -> Option<u16> {
        self.sentinels
            .iter()
            .filter(|s| s.child.is_some())
            .find_map(|s| s.master_addr(&self.service))
            .map(|(_, p)| p)
    }

    /// Polls until every running sentinel reports a primary other than `old_port`, and returns
    /// it with the time it took; `None` after `timeout`.
    pub fn wait_for_switch(&self, old_port: u16, timeout: Duration) -> Option<(u16, Duration)> {
        let start = Instant::now();
        loop {
            let ports: Vec<Option<u16>> = self
                .sentinels
                .iter()
                .filter(|s| s.child.is_some())
                .map(|s| s.master_addr(&self.service).map(|(_, p)| p))
                .collect();
            if let Some(Some(first)) = ports.first() {
                if *first != old_port && ports.iter().all(|p| *p == Some(*first)) {
                    return Some((*first, start.elapsed()));
                }
            }
            if start.elapsed() > timeout {
                return None;
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// The server and version the data nodes run.
    pub fn version(&self) -> ServerVersion {
        self.servers[0].version()
    }
}
