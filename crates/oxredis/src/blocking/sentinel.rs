//! Sentinel for the blocking client: runs the core's `Discovery` over std sockets.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::Duration;

use crate::config::{Addr, ConnectionConfig};
use crate::sentinel::{
    forced_master, parse_switch_master, subscribe_switch, switch_payload, Discovery, Event, Found,
    Goal, Role, SentinelOptions, SentinelTarget, Shared, Step,
};
use crate::{Cmd, Error, ErrorKind, Result};

use super::{Connection, Redis};

/// How long the `+switch-master` watcher waits for a message before checking that its
/// [`Sentinel`] still exists.
const WATCH_TICK: Duration = Duration::from_millis(500);
/// Pause before the watcher tries the sentinels again after losing them all.
const WATCH_RETRY: Duration = Duration::from_millis(200);

/// A set of sentinels, and the clients whose connections they direct (redis-py's
/// `redis.sentinel.Sentinel`).
///
/// [`master_for`](Self::master_for) and [`slave_for`](Self::slave_for) return ordinary
/// [`Redis`] clients. Every connection they open asks the sentinels where to go and checks the
/// server's `ROLE` first (see [`crate::sentinel`] for the procedure and its errors), so a
/// reconnect after a failover finds the new primary. Pooled connections made before the
/// primary changed are dropped instead of reused; with
/// [`watch_switch`](SentinelOptions::watch_switch) (the default) a thread subscribed to the
/// sentinels' `+switch-master` events notices the change as soon as they announce it.
///
/// # Examples
/// ```no_run
/// use oxredis::blocking::Sentinel;
/// use oxredis::sentinel::SentinelOptions;
/// let sentinel = Sentinel::new([("10.0.0.1", 26379), ("10.0.0.2", 26379)], SentinelOptions::default());
/// let (host, port) = sentinel.discover_master("mymaster")?;
/// let primary = sentinel.master_for("mymaster");
/// primary.set("k", "v")?;
/// let replica = sentinel.slave_for("mymaster");
/// let v: Option<String> = replica.get("k")?;
/// # Ok::<(), oxredis::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Sentinel {
    shared: Arc<Shared>,
}

impl Sentinel {
    /// Sentinels at these `(host, port)` addresses, asked in this order (the first one that
    /// answers moves to the front); no connection is made yet.
    pub fn new<I, H>(sentinels: I, options: SentinelOptions) -> Sentinel
    where
        I: IntoIterator<Item = (H, u16)>,
        H: Into<String>,
    {
        let list = sentinels
            .into_iter()
            .map(|(host, port)| Addr::Tcp {
                host: host.into(),
                port,
            })
            .collect();
        Sentinel {
            shared: Shared::new(list, options),
        }
    }

    /// The sentinels in the order they are asked now.
    pub fn sentinels(&self) -> Vec<Addr> {
        self.shared.sentinels()
    }

    /// How many `+switch-master` watchers run now, as a counter that outlives this `Sentinel`
    /// (they stop within about half a second once it and every client it made are dropped).
    #[doc(hidden)]
    pub fn running_watchers(&self) -> Arc<std::sync::atomic::AtomicUsize> {
        self.shared.watcher_count()
    }

    /// The options.
    pub fn options(&self) -> &SentinelOptions {
        &self.shared.options
    }

    /// The address `(host, port)` of the primary of `service_name`, as the first sentinel that
    /// knows it reports it (not checked with `ROLE`; no connection to it is made).
    ///
    /// # Errors
    /// [`ErrorKind::SentinelUnreachable`] when no sentinel answers,
    /// [`ErrorKind::MasterNotFound`] when none that answers knows the name.
    pub fn discover_master(&self, service_name: &str) -> Result<(String, u16)> {
        match self.discover(service_name, Goal::MasterAddr)? {
            Found::Addr(Addr::Tcp { host, port }) => Ok((host, port)),
            other => Err(unexpected(&other)),
        }
    }

    /// The addresses of the replicas of `service_name` that the first sentinel with any
    /// reports up (not `s_down`, `o_down` or `disconnected`); empty when there are none.
    ///
    /// # Errors
    /// [`ErrorKind::SentinelUnreachable`] when no sentinel answers,
    /// [`ErrorKind::ReplicaNotFound`] when every sentinel that answers refuses (unknown name).
    pub fn discover_slaves(&self, service_name: &str) -> Result<Vec<(String, u16)>> {
        match self.discover(service_name, Goal::ReplicaList)? {
            Found::Replicas(list) => Ok(list
                .into_iter()
                .filter_map(|a| match a {
                    Addr::Tcp { host, port } => Some((host, port)),
                    Addr::Unix(_) => None,
                })
                .collect()),
            other => Err(unexpected(&other)),
        }
    }

    /// The replicas of `service_name`: the same as [`discover_slaves`](Self::discover_slaves).
    ///
    /// # Errors
    /// As [`discover_slaves`](Self::discover_slaves).
    pub fn discover_replicas(&self, service_name: &str) -> Result<Vec<(String, u16)>> {
        self.discover_slaves(service_name)
    }

    fn discover(&self, name: &str, goal: Goal) -> Result<Found> {
        let mut d = self.shared.discovery(name, goal);
        let found = run(&self.shared, &mut d, None);
        self.shared.after(&d);
        found.map(|(found, _)| found)
    }

    /// A client of the primary of `service_name`, with the settings of
    /// [`SentinelOptions::connection`]. Its connections find the primary through the sentinels
    /// whenever they (re)connect; no connection is made yet.
    pub fn master_for(&self, service_name: &str) -> Redis {
        Redis::new(self.target_config(service_name, Role::Master))
    }

    /// A client of a replica of `service_name` (round robin over those that answer as
    /// replicas), or of the primary when no replica answers, as redis-py's `slave_for`.
    pub fn slave_for(&self, service_name: &str) -> Redis {
        Redis::new(self.target_config(service_name, Role::Replica))
    }

    /// The same as [`slave_for`](Self::slave_for).
    pub fn replica_for(&self, service_name: &str) -> Redis {
        self.slave_for(service_name)
    }

    /// The settings of a client of `service_name`: the connection options plus the target.
    pub fn config_for(&self, service_name: &str, role: Role) -> ConnectionConfig {
        self.target_config(service_name, role)
    }

    fn target_config(&self, service_name: &str, role: Role) -> ConnectionConfig {
        let (service, _) = self.shared.service(service_name);
        if self.shared.options.watch_switch && !self.shared.watching.swap(true, Ordering::AcqRel) {
            // One watcher per sentinel: the first to switch announces it first (the others
            // learn of a failover up to ~2 s later). Without a thread, connections still
            // resolve on every reconnect.
            for addr in self.shared.sentinels() {
                let weak = Arc::downgrade(&self.shared);
                let guard = self.shared.watch_guard();
                let _ = std::thread::Builder::new()
                    .name("oxredis-sentinel-watch".into())
                    .spawn(move || {
                        let _running = guard;
                        watch(&weak, &addr);
                    });
            }
        }
        ConnectionConfig {
            sentinel: Some(SentinelTarget {
                shared: Arc::clone(&self.shared),
                service,
                role,
            }),
            ..self.shared.options.connection.clone()
        }
    }
}

fn unexpected(found: &Found) -> Error {
    Error::new(
        ErrorKind::Connection,
        format!("internal: sentinel discovery found {found:?}"),
    )
}

/// Asks the sentinel at `addr`: a fresh connection with the sentinel settings, one command.
fn ask(shared: &Shared, addr: &Addr, cmd: &Cmd) -> Result<crate::Value> {
    let mut conn = Connection::connect(&shared.sentinel_config(addr))?;
    conn.request(cmd)
}

/// Runs a discovery to its end. With `config` (a client's settings), `Verify` steps open data
/// connections and the last one is returned with what was found.
fn run(
    shared: &Shared,
    d: &mut Discovery,
    config: Option<(&ConnectionConfig, &SentinelTarget)>,
) -> Result<(Found, Option<Connection>)> {
    let mut kept: Option<Connection> = None;
    let mut step = d.start();
    loop {
        step = match step {
            Step::Ask { addr, cmd } => {
                let event = match ask(shared, &addr, &cmd) {
                    Ok(v) => Event::Reply(v),
                    Err(e) => Event::Failed(e),
                };
                d.on_event(event)
            }
            Step::Verify { addr } => {
                kept = None;
                let Some((config, target)) = config else {
                    return Err(Error::new(
                        ErrorKind::Connection,
                        "internal: sentinel discovery asked to connect without settings",
                    ));
                };
                let opened = Connection::connect(&target.data_config(config, &addr))
                    .and_then(|mut c| c.request(&Cmd::new("ROLE")).map(|v| (c, v)));
                match opened {
                    Ok((c, role)) => {
                        kept = Some(c);
                        d.on_event(Event::Reply(role))
                    }
                    Err(e) => d.on_event(Event::Failed(e)),
                }
            }
            Step::Wait(t) => {
                std::thread::sleep(t);
                d.on_event(Event::Waited)
            }
            Step::Done(result) => return result.map(|found| (found, kept)),
        };
    }
}

/// Opens a connection for a sentinel-managed client: asks the sentinels, connects, checks
/// `ROLE`, and tags the connection with the service's epoch.
pub(crate) fn connect(config: &ConnectionConfig, target: &SentinelTarget) -> Result<Connection> {
    let mut d = target.discovery();
    let result = run(&target.shared, &mut d, Some((config, target)));
    target.shared.after(&d);
    match result? {
        (Found::Addr(addr), Some(mut conn)) => {
            conn.sentinel_epoch = target.finish(&d, &addr);
            Ok(conn)
        }
        (other, _) => Err(unexpected(&other)),
    }
}

/// A `+switch-master` watcher of the sentinel at `addr`: subscribed, it records each
/// announced primary, which starts a new epoch and so drops the connections to the old one.
/// Ends when the [`Sentinel`] and its clients are gone.
fn watch(weak: &Weak<Shared>, addr: &Addr) {
    loop {
        let Some(shared) = weak.upgrade() else {
            return;
        };
        let config = shared.sentinel_config(addr);
        drop(shared);
        if let Ok(mut conn) = Connection::connect(&config) {
            conn.queue(&subscribe_switch());
            if conn.flush().is_ok() {
                loop {
                    match conn.read_frame_timeout(Some(WATCH_TICK)) {
                        Ok(Some(frame)) => {
                            let Some(shared) = weak.upgrade() else {
                                return;
                            };
                            let event = switch_payload(&frame).and_then(parse_switch_master);
                            if let Some((name, addr)) = event {
                                if let Some(service) = shared.watched(&name) {
                                    let force = shared.options.force_master_ip.as_deref();
                                    service.switched(&forced_master(force, addr));
                                }
                            }
                        }
                        Ok(None) if weak.strong_count() == 0 => return,
                        Ok(None) => {}
                        Err(_) => break,
                    }
                }
            }
        }
        if weak.strong_count() == 0 {
            return;
        }
        std::thread::sleep(WATCH_RETRY);
    }
}
