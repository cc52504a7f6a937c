//! Sentinel discovery without I/O: which sentinel to ask, what to send, what to do with the
//! answer. The drivers ([`blocking::Sentinel`](crate::blocking::Sentinel) and
//! `aio::Sentinel`) run `Discovery` over their sockets and clocks.
//!
//! The procedure is the Sentinel client spec's:
//! 1. ask the sentinels in order (each connect and reply bounded by a short timeout); one that
//!    cannot be reached or answers with an error is skipped, and the first that answers moves
//!    to the front of the list;
//! 2. `SENTINEL GET-MASTER-ADDR-BY-NAME <name>`; a null answer (this sentinel does not know the
//!    name) moves on to the next sentinel (with
//!    [`min_other_sentinels`](SentinelOptions::min_other_sentinels), redis-py's check:
//!    `SENTINEL MASTER <name>`, and an answer counts only for a primary that is up and sees
//!    enough other sentinels);
//! 3. connect to the address and check with `ROLE` that it is a primary; if it is not (a stale
//!    sentinel, or a primary being demoted), wait a few hundred ms and start again from 1.
//!
//! Replicas come from `SENTINEL SLAVES <name>` (the name every server version knows), without
//! those flagged `s_down`, `o_down` or `disconnected`; a replica connection checks `ROLE` =
//! `slave`, and when no replica answers it falls back to the primary, as redis-py's
//! `slave_for` does.
//!
//! The errors tell the cases apart: no sentinel reachable
//! ([`ErrorKind::SentinelUnreachable`]), sentinels that do not know the name or only report
//! servers that are not primaries ([`ErrorKind::MasterNotFound`]), no replica nor primary
//! answering ([`ErrorKind::ReplicaNotFound`]). A primary that the sentinels name but that
//! cannot be reached (it just died; the sentinels have not switched yet) is the connection
//! error itself, which the client's [`Retry`](crate::retry::Retry) retries like any other.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::commands::build;
use crate::config::{Addr, ConnectionConfig};
use crate::types::SentinelInstance;
use crate::{Cmd, Error, ErrorKind, FromValue, Result, Value};

/// Default connect and reply timeout towards a sentinel ([`SentinelOptions::sentinel`]).
pub const DEFAULT_SENTINEL_TIMEOUT: Duration = Duration::from_millis(500);
/// Default wait before asking the sentinels again after they named a server whose `ROLE` was
/// not the expected one.
pub const DEFAULT_ROLE_RETRY_WAIT: Duration = Duration::from_millis(250);
/// Default number of rounds (asking the sentinels, checking `ROLE`) before giving up.
pub const DEFAULT_ROUNDS: u32 = 4;

/// Settings of a [`Sentinel`](crate::blocking::Sentinel): how to connect to the servers it
/// finds, and to the sentinels themselves.
///
/// # Examples
/// ```
/// use std::time::Duration;
/// use oxredis::sentinel::SentinelOptions;
/// let opts = SentinelOptions::default()
///     .connection(oxredis::Redis::builder().password("data-pw").config().clone())
///     .sentinel_timeout(Duration::from_millis(200));
/// assert_eq!(opts.sentinel.connect_timeout, Some(Duration::from_millis(200)));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SentinelOptions {
    /// Settings of the connections to the primary and replicas (redis-py's
    /// `**connection_kwargs`): credentials, TLS, database, protocol, timeouts, pool size... Its
    /// `addr` is ignored: the sentinels say where to connect. Set a
    /// [`connect_timeout`](ConnectionConfig::connect_timeout): a primary whose host vanished
    /// otherwise holds each reconnect for as long as the OS tries.
    pub connection: ConnectionConfig,
    /// Settings of the connections to the sentinels (redis-py's `sentinel_kwargs`); by default
    /// plain, without credentials, with [`DEFAULT_SENTINEL_TIMEOUT`] for connecting and for a
    /// reply. Its `addr` is ignored.
    pub sentinel: ConnectionConfig,
    /// Wait before asking again when a named server has the wrong role
    /// ([`DEFAULT_ROLE_RETRY_WAIT`]).
    pub role_retry_wait: Duration,
    /// Rounds of asking and checking before giving up with
    /// [`MasterNotFound`](ErrorKind::MasterNotFound) ([`DEFAULT_ROUNDS`]).
    pub rounds: u32,
    /// Subscribe to the sentinels' `+switch-master` events, to drop connections to a replaced
    /// primary as soon as the sentinels announce the switch (default on). It only speeds
    /// things up: every new connection still asks the sentinels and checks `ROLE`.
    pub watch_switch: bool,
    /// How many other sentinels a sentinel must see for its answer about the primary to count
    /// (redis-py's `min_other_sentinels`; default 0). Above 0 the primary is asked for with
    /// `SENTINEL MASTER <name>` instead of `GET-MASTER-ADDR-BY-NAME`, and an answer counts only
    /// when it describes a primary that is neither `s_down` nor `o_down` and whose
    /// `num-other-sentinels` is at least this; another answer is treated as a null one.
    pub min_other_sentinels: u32,
    /// A host to connect to instead of the IP the sentinels report for the primary (redis-py's
    /// `force_master_ip`, for a primary behind NAT); the port stays the reported one. It
    /// applies to every primary address: discovered, announced by `+switch-master`, or used as
    /// `slave_for`'s fallback.
    pub force_master_ip: Option<String>,
}

impl Default for SentinelOptions {
    fn default() -> Self {
        SentinelOptions {
            connection: ConnectionConfig::default(),
            sentinel: ConnectionConfig {
                connect_timeout: Some(DEFAULT_SENTINEL_TIMEOUT),
                socket_timeout: Some(DEFAULT_SENTINEL_TIMEOUT),
                max_connections: 1,
                retry: crate::retry::Retry::none(),
                ..ConnectionConfig::default()
            },
            role_retry_wait: DEFAULT_ROLE_RETRY_WAIT,
            rounds: DEFAULT_ROUNDS,
            watch_switch: true,
            min_other_sentinels: 0,
            force_master_ip: None,
        }
    }
}

impl SentinelOptions {
    /// The settings of the connections to the primary and replicas (see
    /// [`connection`](Self::connection)).
    pub fn connection(mut self, config: ConnectionConfig) -> Self {
        self.connection = config;
        self
    }

    /// The settings of the connections to the sentinels (see [`sentinel`](Self::sentinel)).
    pub fn sentinel_connection(mut self, config: ConnectionConfig) -> Self {
        self.sentinel = config;
        self
    }

    /// Connect and reply timeout towards the sentinels.
    pub fn sentinel_timeout(mut self, timeout: Duration) -> Self {
        self.sentinel.connect_timeout = Some(timeout);
        self.sentinel.socket_timeout = Some(timeout);
        self
    }

    /// Whether to watch `+switch-master` (see [`watch_switch`](Self::watch_switch)).
    pub fn watch_switch(mut self, on: bool) -> Self {
        self.watch_switch = on;
        self
    }

    /// The fewest other sentinels a sentinel must see (see
    /// [`min_other_sentinels`](Self::min_other_sentinels)).
    pub fn min_other_sentinels(mut self, n: u32) -> Self {
        self.min_other_sentinels = n;
        self
    }

    /// The host to use for the primary (see [`force_master_ip`](Self::force_master_ip)).
    pub fn force_master_ip(mut self, host: impl Into<String>) -> Self {
        self.force_master_ip = Some(host.into());
        self
    }
}

/// Which server a sentinel-managed client connects to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The primary (redis-py `master_for`).
    Master,
    /// A replica, else the primary (redis-py `slave_for`).
    Replica,
}

/// What a sentinel-managed service is known to look like: the last primary seen, and an epoch
/// bumped whenever it changes, which connections made before are compared against.
#[derive(Debug)]
pub(crate) struct Service {
    name: String,
    epoch: AtomicU64,
    master: Mutex<Option<Addr>>,
    /// The primary the last `+switch-master` event announced: newer news than a sentinel that
    /// still names the old one (sentinels learn of a failover up to ~2 s apart).
    switched_to: Mutex<Option<Addr>>,
}

impl Service {
    /// The current epoch.
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// Records that `addr` is the primary (from a discovery or a `+switch-master` event);
    /// returns the epoch to tag connections to it with. A different primary than the last one
    /// starts a new epoch, so every connection made before is dropped instead of reused.
    pub(crate) fn observe_master(&self, addr: &Addr) -> u64 {
        {
            // Every sentinel asked disagreed with the last event: it is outdated.
            let mut hint = self.switched_to.lock().unwrap_or_else(|p| p.into_inner());
            if hint.as_ref().is_some_and(|h| h != addr) {
                *hint = None;
            }
        }
        self.record_master(addr)
    }

    /// Records a `+switch-master` event announcing `addr`: a new epoch, and a hint that
    /// discoveries prefer over sentinels still naming the old primary.
    pub(crate) fn switched(&self, addr: &Addr) -> u64 {
        *self.switched_to.lock().unwrap_or_else(|p| p.into_inner()) = Some(addr.clone());
        self.record_master(addr)
    }

    /// The primary the last `+switch-master` event announced, if no discovery contradicted it
    /// since.
    pub(crate) fn hint(&self) -> Option<Addr> {
        self.switched_to
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn record_master(&self, addr: &Addr) -> u64 {
        let mut master = self.master.lock().unwrap_or_else(|p| p.into_inner());
        if master.as_ref() != Some(addr) {
            if master.is_some() {
                self.epoch.fetch_add(1, Ordering::AcqRel);
            }
            *master = Some(addr.clone());
        }
        self.epoch()
    }
}

/// The state a [`Sentinel`](crate::blocking::Sentinel) and the clients it made share: the
/// sentinel list (the responsive one moved to the front) and the services it watches.
#[derive(Debug)]
pub(crate) struct Shared {
    sentinels: Mutex<Vec<Addr>>,
    pub(crate) options: SentinelOptions,
    services: Mutex<HashMap<String, Arc<Service>>>,
    /// Where the next replica connection starts in the replica list (round robin).
    rotation: AtomicUsize,
    /// Whether the `+switch-master` watchers run.
    pub(crate) watching: AtomicBool,
    /// Whether a discovery asked for the other sentinels already (once per `Sentinel`).
    refreshed: AtomicBool,
    /// How many watchers run (a counter they do not keep alive, so it can be read after the
    /// `Sentinel` and its clients are gone).
    watchers: Arc<AtomicUsize>,
}

impl Shared {
    /// Shared state for these sentinels.
    pub(crate) fn new(sentinels: Vec<Addr>, options: SentinelOptions) -> Arc<Shared> {
        Arc::new(Shared {
            sentinels: Mutex::new(sentinels),
            options,
            services: Mutex::new(HashMap::new()),
            rotation: AtomicUsize::new(0),
            watching: AtomicBool::new(false),
            refreshed: AtomicBool::new(false),
            watchers: Arc::new(AtomicUsize::new(0)),
        })
    }

    fn list(&self) -> MutexGuard<'_, Vec<Addr>> {
        self.sentinels.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The sentinels, in the order to ask them.
    pub(crate) fn sentinels(&self) -> Vec<Addr> {
        self.list().clone()
    }

    /// A discovery of `goal` for `name` over the current list; the first one also asks for the
    /// other sentinels.
    pub(crate) fn discovery(&self, name: &str, goal: Goal) -> Discovery {
        let refresh = matches!(goal, Goal::Master | Goal::MasterAddr)
            && !self.refreshed.swap(true, Ordering::AcqRel);
        Discovery::new(name, self.sentinels(), goal, &self.options).with_refresh(refresh)
    }

    /// After a discovery: the sentinel that answered moves to the front, learned ones are
    /// appended.
    pub(crate) fn after(&self, d: &Discovery) {
        if let Some(s) = d.responsive() {
            self.promote(s);
        }
        if !d.learned().is_empty() {
            let mut list = self.list();
            for a in d.learned() {
                if !list.contains(a) {
                    list.push(a.clone());
                }
            }
        }
    }

    /// Counts a watcher as running until the guard is dropped.
    pub(crate) fn watch_guard(&self) -> WatchGuard {
        self.watchers.fetch_add(1, Ordering::AcqRel);
        WatchGuard(Arc::clone(&self.watchers))
    }

    /// The count of running watchers.
    pub(crate) fn watcher_count(&self) -> Arc<AtomicUsize> {
        Arc::clone(&self.watchers)
    }

    /// Moves `addr` to the front of the list (it answered).
    pub(crate) fn promote(&self, addr: &Addr) {
        let mut list = self.list();
        if let Some(i) = list.iter().position(|a| a == addr) {
            let a = list.remove(i);
            list.insert(0, a);
        }
    }

    /// The state of service `name`, created on first use; `bool`: whether it was new.
    pub(crate) fn service(&self, name: &str) -> (Arc<Service>, bool) {
        let mut services = self.services.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = services.get(name) {
            return (Arc::clone(s), false);
        }
        let s = Arc::new(Service {
            name: name.to_owned(),
            epoch: AtomicU64::new(0),
            master: Mutex::new(None),
            switched_to: Mutex::new(None),
        });
        services.insert(name.to_owned(), Arc::clone(&s));
        (s, true)
    }

    /// The service a `+switch-master` event names, if watched.
    pub(crate) fn watched(&self, name: &str) -> Option<Arc<Service>> {
        let services = self.services.lock().unwrap_or_else(|p| p.into_inner());
        services.get(name).cloned()
    }

    /// Where the next replica connection starts.
    pub(crate) fn next_rotation(&self) -> usize {
        self.rotation.fetch_add(1, Ordering::Relaxed)
    }

    /// The settings of a connection to a sentinel at `addr`.
    pub(crate) fn sentinel_config(&self, addr: &Addr) -> ConnectionConfig {
        ConnectionConfig {
            addr: addr.clone(),
            sentinel: None,
            ..self.options.sentinel.clone()
        }
    }
}

/// Held by a running `+switch-master` watcher (see [`Shared::watch_guard`]).
#[derive(Debug)]
pub(crate) struct WatchGuard(Arc<AtomicUsize>);

impl Drop for WatchGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Where a sentinel-managed client's connections go: set in [`ConnectionConfig::sentinel`] by
/// `master_for` / `slave_for`. Every new connection asks the sentinels (see the module docs).
#[derive(Clone)]
pub struct SentinelTarget {
    pub(crate) shared: Arc<Shared>,
    pub(crate) service: Arc<Service>,
    pub(crate) role: Role,
}

impl SentinelTarget {
    /// The service name.
    pub fn service_name(&self) -> &str {
        &self.service.name
    }

    /// Primary or replica.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The service's current epoch (see [`is_stale`](Self::is_stale)).
    pub(crate) fn epoch(&self) -> u64 {
        self.service.epoch()
    }

    /// Whether a connection tagged with `epoch` was made before the primary changed: it must
    /// be dropped, not reused.
    pub(crate) fn is_stale(&self, epoch: u64) -> bool {
        epoch != self.service.epoch()
    }

    /// The settings of a data connection to `addr`: the client's own, without the sentinel
    /// target (the address is resolved).
    pub(crate) fn data_config(&self, config: &ConnectionConfig, addr: &Addr) -> ConnectionConfig {
        ConnectionConfig {
            addr: addr.clone(),
            sentinel: None,
            ..config.clone()
        }
    }

    /// The discovery that a new connection runs.
    pub(crate) fn discovery(&self) -> Discovery {
        let goal = match self.role {
            Role::Master => Goal::Master,
            Role::Replica => Goal::Replica {
                start: self.shared.next_rotation(),
            },
        };
        self.shared
            .discovery(&self.service.name, goal)
            .with_hint(self.service.hint())
    }

    /// After a discovery ended with a connection to `addr` of `role`: moves the sentinel that
    /// answered to the front, records a primary, and returns the epoch to tag the connection.
    pub(crate) fn finish(&self, discovery: &Discovery, addr: &Addr) -> u64 {
        match discovery.found_role() {
            Some(Role::Master) => self.service.observe_master(addr),
            _ => self.service.epoch(),
        }
    }
}

impl std::fmt::Debug for SentinelTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentinelTarget")
            .field("service", &self.service.name)
            .field("role", &self.role)
            .field("sentinels", &*self.shared.list())
            .finish()
    }
}

impl PartialEq for SentinelTarget {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.service, &other.service) && self.role == other.role
    }
}

/// What a [`Discovery`] is after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Goal {
    /// The primary's address as the sentinels report it, without connecting
    /// (`discover_master`).
    MasterAddr,
    /// A connection to the primary, its `ROLE` checked (`master_for`).
    Master,
    /// The replicas' addresses (`discover_slaves`).
    ReplicaList,
    /// A connection to a replica, else to the primary (`slave_for`); the replica list starts
    /// at `start` (round robin).
    Replica {
        /// Where in the replica list to start.
        start: usize,
    },
}

/// What the driver does next.
#[derive(Debug)]
pub(crate) enum Step {
    /// Connect to the sentinel at `addr` (with [`Shared::sentinel_config`]), send `cmd`, and
    /// report its reply or the failure.
    Ask {
        /// The sentinel.
        addr: Addr,
        /// What to send.
        cmd: Cmd,
    },
    /// Open a data connection to `addr` (the client's settings), send `ROLE`, and report the
    /// reply or the failure. The driver keeps the connection: when the discovery ends with
    /// [`Done`](Self::Done), the last one opened is the result.
    Verify {
        /// The server the sentinels named.
        addr: Addr,
    },
    /// Sleep, then report [`Event::Waited`].
    Wait(Duration),
    /// Finished: the address found (for [`Goal::Master`] and [`Goal::Replica`], the server
    /// of the last connection opened).
    Done(Result<Found>),
}

/// What a discovery found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    /// One server.
    Addr(Addr),
    /// The replicas (possibly none).
    Replicas(Vec<Addr>),
}

/// What happened to the driver's last step.
#[derive(Debug)]
pub(crate) enum Event {
    /// The reply (a sentinel's answer, or `ROLE`'s).
    Reply(Value),
    /// Connecting or the request failed, or the server answered with an error.
    Failed(Error),
    /// The wait is over.
    Waited,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Asking sentinel `i` for the primary's address.
    AskMaster(usize),
    /// Checking the `ROLE` of the primary sentinel `i` named.
    VerifyMaster(usize),
    /// Asking sentinel `i` for the replicas.
    AskReplicas(usize),
    /// Checking the `ROLE` of replica candidate `i`.
    VerifyReplica(usize),
    /// Waiting before a new round.
    Waiting,
    /// Asking the sentinel that named the primary for the other sentinels.
    AskSentinels,
    /// Done.
    Finished,
}

/// One run of the discovery procedure: a state machine fed with [`Event`]s that answers with
/// the next [`Step`]. See the module docs for the procedure and the errors.
#[derive(Debug)]
pub(crate) struct Discovery {
    name: String,
    sentinels: Vec<Addr>,
    goal: Goal,
    role_retry_wait: Duration,
    rounds: u32,
    /// [`SentinelOptions::min_other_sentinels`].
    min_other_sentinels: u32,
    /// [`SentinelOptions::force_master_ip`].
    force_master_ip: Option<String>,
    round: u32,
    phase: Phase,
    /// The first sentinel that answered, to move to the front.
    responsive: Option<usize>,
    /// Sentinels that answered this round (null or an error reply included).
    answered: usize,
    /// The last failure to reach a sentinel.
    unreachable: Option<Error>,
    /// The last error reply of a sentinel.
    refused: Option<Error>,
    /// Addresses named this round whose connection failed, and the last such failure.
    failed: Vec<Addr>,
    connect_error: Option<Error>,
    /// An address named this round whose `ROLE` was not the expected one.
    wrong_role: Option<(Addr, String)>,
    /// The address being verified.
    candidate: Option<Addr>,
    /// The replica candidates (for [`Goal::Replica`]).
    replicas: Vec<Addr>,
    /// Replicas were listed (by some sentinel) this round.
    listed: bool,
    /// The role of the server the discovery ended with.
    found: Option<Role>,
    /// The primary a `+switch-master` event announced: answers naming another are kept for
    /// last (that sentinel may not have heard of the failover yet).
    hint: Option<Addr>,
    /// The first answer that contradicted the hint, and the sentinel that gave it.
    deferred: Option<(usize, Addr)>,
    /// Ask for the other sentinels once the primary is found.
    refresh: bool,
    /// The result held while asking for the other sentinels.
    pending: Option<Result<Found>>,
    /// Sentinels learned that the list did not have.
    learned: Vec<Addr>,
}

impl Discovery {
    /// A discovery of `goal` for service `name`, asking `sentinels` in order.
    pub(crate) fn new(
        name: &str,
        sentinels: Vec<Addr>,
        goal: Goal,
        opts: &SentinelOptions,
    ) -> Discovery {
        Discovery {
            name: name.to_owned(),
            sentinels,
            goal,
            role_retry_wait: opts.role_retry_wait,
            rounds: opts.rounds.max(1),
            min_other_sentinels: opts.min_other_sentinels,
            force_master_ip: opts.force_master_ip.clone(),
            round: 1,
            phase: Phase::Finished,
            responsive: None,
            answered: 0,
            unreachable: None,
            refused: None,
            failed: Vec::new(),
            connect_error: None,
            wrong_role: None,
            candidate: None,
            replicas: Vec::new(),
            listed: false,
            found: None,
            hint: None,
            deferred: None,
            refresh: false,
            pending: None,
            learned: Vec::new(),
        }
    }

    /// Prefers sentinels that name `hint` as the primary (see [`Service::switched`]).
    pub(crate) fn with_hint(mut self, hint: Option<Addr>) -> Discovery {
        self.hint = hint;
        self
    }

    /// The sentinel that answered first, to move to the front of the list.
    pub(crate) fn responsive(&self) -> Option<&Addr> {
        self.responsive.map(|i| &self.sentinels[i])
    }

    /// The role of the server the discovery ended with (primary, or replica).
    pub(crate) fn found_role(&self) -> Option<Role> {
        self.found
    }

    /// The first step.
    pub(crate) fn start(&mut self) -> Step {
        if self.sentinels.is_empty() {
            self.phase = Phase::Finished;
            return Step::Done(Err(Error::new(
                ErrorKind::SentinelUnreachable,
                format!("no sentinel to ask for {:?}: the list is empty", self.name),
            )));
        }
        self.begin_round()
    }

    fn begin_round(&mut self) -> Step {
        self.answered = 0;
        self.failed.clear();
        self.connect_error = None;
        self.wrong_role = None;
        self.unreachable = None;
        self.refused = None;
        self.listed = false;
        self.replicas.clear();
        self.deferred = None;
        match self.goal {
            Goal::MasterAddr | Goal::Master => self.ask_master(0),
            Goal::ReplicaList | Goal::Replica { .. } => self.ask_replicas(0),
        }
    }

    fn ask_master(&mut self, i: usize) -> Step {
        self.phase = Phase::AskMaster(i);
        // With a minimum of other sentinels, the primary's whole state is needed to check it.
        let cmd = if self.min_other_sentinels > 0 {
            build::sentinel_master(&self.name)
        } else {
            build::sentinel_get_master_addr_by_name(&self.name)
        };
        Step::Ask {
            addr: self.sentinels[i].clone(),
            cmd,
        }
    }

    /// The primary's address in a sentinel's answer to [`ask_master`](Self::ask_master)'s
    /// command; `None` for a null answer, or a state that does not pass the checks of
    /// [`SentinelOptions::min_other_sentinels`].
    fn master_in_answer(&self, v: Value) -> Result<Option<Addr>> {
        let found = if self.min_other_sentinels > 0 {
            let state = SentinelInstance::from_value(v)?;
            let others = state.get_int("num-other-sentinels").unwrap_or(0);
            let usable = state.is_master()
                && !state.is_sdown()
                && !state.is_odown()
                && others >= i64::from(self.min_other_sentinels)
                && state.port != 0;
            usable.then_some((state.ip, state.port))
        } else {
            <Option<(String, u16)>>::from_value(v)?
        };
        Ok(found.map(|(host, port)| {
            forced_master(self.force_master_ip.as_deref(), Addr::Tcp { host, port })
        }))
    }

    fn ask_replicas(&mut self, i: usize) -> Step {
        self.phase = Phase::AskReplicas(i);
        Step::Ask {
            addr: self.sentinels[i].clone(),
            cmd: build::sentinel_slaves(&self.name),
        }
    }

    /// Feeds what happened to the last step; returns the next one.
    pub(crate) fn on_event(&mut self, event: Event) -> Step {
        match self.phase {
            Phase::AskMaster(i) => self.on_master_answer(i, event),
            Phase::VerifyMaster(i) => self.on_master_role(i, event),
            Phase::AskReplicas(i) => self.on_replicas_answer(i, event),
            Phase::VerifyReplica(i) => self.on_replica_role(i, event),
            Phase::Waiting => self.begin_round(),
            Phase::AskSentinels => self.on_sentinels_answer(event),
            Phase::Finished => Step::Done(Err(Error::new(
                ErrorKind::Connection,
                "internal: sentinel discovery resumed after it finished",
            ))),
        }
    }

    /// Records how sentinel `i` responded; returns its answer when it gave one.
    fn sentinel_answer(&mut self, i: usize, event: Event) -> Option<Value> {
        match event {
            Event::Reply(v) => {
                self.answered += 1;
                self.responsive.get_or_insert(i);
                Some(v)
            }
            Event::Failed(e) if e.server_error().is_some() => {
                // It is up, but refused (e.g. NOAUTH, or an unknown name for SLAVES).
                self.answered += 1;
                self.refused = Some(e);
                None
            }
            Event::Failed(e) => {
                self.unreachable = Some(e);
                None
            }
            Event::Waited => None,
        }
    }

    fn on_master_answer(&mut self, i: usize, event: Event) -> Step {
        let addr = match self.sentinel_answer(i, event) {
            Some(v) => match self.master_in_answer(v) {
                Ok(addr) => addr,
                Err(e) => {
                    self.refused = Some(e);
                    None
                }
            },
            None => None,
        };
        match addr {
            // A sentinel that may not know of the announced failover yet: the others first.
            Some(addr) if self.hint.as_ref().is_some_and(|h| *h != addr) => {
                self.deferred.get_or_insert((i, addr));
                self.next_master_sentinel(i)
            }
            Some(addr) if self.goal == Goal::MasterAddr => {
                self.found = Some(Role::Master);
                self.finish(Ok(Found::Addr(addr)))
            }
            // Already failed this round (another sentinel named it): no second try.
            Some(addr) if self.failed.contains(&addr) => self.next_master_sentinel(i),
            Some(addr) => {
                self.phase = Phase::VerifyMaster(i);
                self.candidate = Some(addr.clone());
                Step::Verify { addr }
            }
            None => self.next_master_sentinel(i),
        }
    }

    fn on_master_role(&mut self, i: usize, event: Event) -> Step {
        let Some(addr) = self.candidate.take() else {
            return self.next_master_sentinel(i);
        };
        match event {
            Event::Reply(v) => match role_of(&v) {
                Some(role) if role == "master" => {
                    self.found = Some(Role::Master);
                    self.finish(Ok(Found::Addr(addr)))
                }
                role => {
                    self.wrong_role = Some((addr, role.unwrap_or_else(|| "unknown".into())));
                    self.next_master_sentinel(i)
                }
            },
            Event::Failed(e) => {
                self.failed.push(addr);
                self.connect_error = Some(e);
                self.next_master_sentinel(i)
            }
            Event::Waited => self.next_master_sentinel(i),
        }
    }

    fn next_master_sentinel(&mut self, i: usize) -> Step {
        if i + 1 < self.sentinels.len() {
            return self.ask_master(i + 1);
        }
        // Every sentinel contradicts the announced primary: they are right (an event was
        // missed), so the first answer is tried after all.
        if let Some((_, addr)) = self.deferred.take() {
            self.hint = None;
            if self.goal == Goal::MasterAddr {
                self.found = Some(Role::Master);
                return self.finish(Ok(Found::Addr(addr)));
            }
            if !self.failed.contains(&addr) {
                self.phase = Phase::VerifyMaster(self.sentinels.len() - 1);
                self.candidate = Some(addr.clone());
                return Step::Verify { addr };
            }
        }
        self.master_round_over()
    }

    /// Every sentinel was asked this round without a verified primary.
    fn master_round_over(&mut self) -> Step {
        if self.wrong_role.is_some() && self.round < self.rounds {
            self.round += 1;
            self.phase = Phase::Waiting;
            return Step::Wait(self.role_retry_wait);
        }
        let err = self.master_error();
        // slave_for falls back to the primary; when that fails too, it is a replica error.
        if matches!(self.goal, Goal::Replica { .. }) && err.kind() != ErrorKind::SentinelUnreachable
        {
            return self.finish(Err(Error::new(
                ErrorKind::ReplicaNotFound,
                format!(
                    "no replica of {:?} answered, nor its primary: {}",
                    self.name, err
                ),
            )));
        }
        self.finish(Err(err))
    }

    /// Why no primary was found, from what this round saw.
    fn master_error(&mut self) -> Error {
        if let Some(e) = self.connect_error.take() {
            // The sentinels named it, it did not answer: a connection error, retried as such.
            return e;
        }
        if let Some((addr, role)) = self.wrong_role.take() {
            return Error::new(
                ErrorKind::MasterNotFound,
                format!(
                    "the sentinels name {addr} as the primary of {:?}, but it reports role \
                     {role} (after {} rounds)",
                    self.name, self.round
                ),
            );
        }
        self.not_found_error(ErrorKind::MasterNotFound, "master")
    }

    /// No sentinel reachable, or the reachable ones do not know the name.
    fn not_found_error(&mut self, kind: ErrorKind, what: &str) -> Error {
        let tried = self
            .sentinels
            .iter()
            .map(Addr::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        if self.answered == 0 {
            let msg = format!("no sentinel reachable for {:?} (tried {tried})", self.name);
            return match self.unreachable.take() {
                Some(cause) => Error::with_source(ErrorKind::SentinelUnreachable, msg, cause),
                None => Error::new(ErrorKind::SentinelUnreachable, msg),
            };
        }
        let mut msg = format!(
            "no sentinel knows {what} {:?} ({} of {} answered: {tried})",
            self.name,
            self.answered,
            self.sentinels.len()
        );
        if let Some(e) = self.refused.take() {
            msg.push_str(&format!("; last error: {e}"));
        }
        Error::new(kind, msg)
    }

    fn on_replicas_answer(&mut self, i: usize, event: Event) -> Step {
        let list = match self.sentinel_answer(i, event) {
            Some(v) => match <Vec<SentinelInstance>>::from_value(v) {
                Ok(list) => Some(list),
                Err(e) => {
                    self.refused = Some(e);
                    None
                }
            },
            None => None,
        };
        if let Some(list) = list {
            self.listed = true;
            let up: Vec<Addr> = list
                .into_iter()
                .filter(|r| !(r.is_sdown() || r.is_odown() || r.is_disconnected()))
                .filter(|r| r.port != 0 && !r.ip.is_empty())
                .map(|r| Addr::Tcp {
                    host: r.ip,
                    port: r.port,
                })
                .collect();
            if !up.is_empty() {
                return self.replicas_found(up);
            }
        }
        if i + 1 < self.sentinels.len() {
            return self.ask_replicas(i + 1);
        }
        // No sentinel lists a live replica.
        match self.goal {
            Goal::ReplicaList if self.listed => self.finish(Ok(Found::Replicas(Vec::new()))),
            Goal::ReplicaList => {
                let e = self.not_found_error(ErrorKind::ReplicaNotFound, "replicas of master");
                self.finish(Err(e))
            }
            _ if self.answered == 0 => {
                let e = self.not_found_error(ErrorKind::ReplicaNotFound, "master");
                self.finish(Err(e))
            }
            // slave_for: no replica, so the primary.
            _ => self.ask_master(0),
        }
    }

    fn replicas_found(&mut self, mut up: Vec<Addr>) -> Step {
        match self.goal {
            Goal::Replica { start } => {
                let n = up.len();
                up.rotate_left(start % n);
                self.replicas = up;
                self.verify_replica(0)
            }
            _ => self.finish(Ok(Found::Replicas(up))),
        }
    }

    fn verify_replica(&mut self, i: usize) -> Step {
        self.phase = Phase::VerifyReplica(i);
        Step::Verify {
            addr: self.replicas[i].clone(),
        }
    }

    fn on_replica_role(&mut self, i: usize, event: Event) -> Step {
        if let Event::Reply(v) = &event {
            if role_of(v).as_deref() == Some("slave") {
                self.found = Some(Role::Replica);
                let addr = self.replicas[i].clone();
                return self.finish(Ok(Found::Addr(addr)));
            }
        }
        if i + 1 < self.replicas.len() {
            return self.verify_replica(i + 1);
        }
        // No replica answered as one: the primary, as redis-py's rotate_slaves ends.
        self.ask_master(0)
    }

    fn finish(&mut self, result: Result<Found>) -> Step {
        // Once a primary is found, the sentinel that named it may list sentinels this client
        // was not told about (the spec's optional refresh; see `with_refresh`).
        if self.refresh && self.found == Some(Role::Master) && result.is_ok() {
            if let Some(i) = self.responsive {
                self.refresh = false;
                self.pending = Some(result);
                self.phase = Phase::AskSentinels;
                return Step::Ask {
                    addr: self.sentinels[i].clone(),
                    cmd: build::sentinel_sentinels(&self.name),
                };
            }
        }
        self.phase = Phase::Finished;
        Step::Done(result)
    }

    /// The answer to `SENTINEL SENTINELS`: sentinels not in the list are learned.
    fn on_sentinels_answer(&mut self, event: Event) -> Step {
        if let Event::Reply(v) = event {
            if let Ok(list) = <Vec<SentinelInstance>>::from_value(v) {
                for s in list {
                    let addr = Addr::Tcp {
                        host: s.ip,
                        port: s.port,
                    };
                    if s.port != 0
                        && !self.sentinels.contains(&addr)
                        && !self.learned.contains(&addr)
                    {
                        self.learned.push(addr);
                    }
                }
            }
        }
        // What the discovery found stands, whatever this answer was.
        let result = self.pending.take().unwrap_or_else(|| {
            Err(Error::new(
                ErrorKind::Connection,
                "internal: sentinel refresh without a result",
            ))
        });
        self.phase = Phase::Finished;
        Step::Done(result)
    }

    /// Sentinels learned from `SENTINEL SENTINELS` that the list did not have.
    pub(crate) fn learned(&self) -> &[Addr] {
        &self.learned
    }

    /// After finding the primary, asks its sentinel for the other sentinels (once; see
    /// [`learned`](Self::learned)).
    pub(crate) fn with_refresh(mut self, on: bool) -> Discovery {
        self.refresh = on;
        self
    }
}

/// The address to connect to for a primary the sentinels report at `addr`: with a
/// [`force_master_ip`](SentinelOptions::force_master_ip), its host instead of theirs.
pub(crate) fn forced_master(force_master_ip: Option<&str>, addr: Addr) -> Addr {
    match (force_master_ip, addr) {
        (Some(host), Addr::Tcp { port, .. }) => Addr::Tcp {
            host: host.to_owned(),
            port,
        },
        (_, addr) => addr,
    }
}

/// The role word of a `ROLE` reply (`master`, `slave`, `sentinel`).
fn role_of(v: &Value) -> Option<String> {
    match v {
        Value::Array(items) => items
            .first()
            .and_then(Value::as_bytes)
            .map(|b| String::from_utf8_lossy(b).into_owned()),
        _ => None,
    }
}

/// `(service, new host, new port)` of a `+switch-master` message payload
/// (`<name> <old-ip> <old-port> <new-ip> <new-port>`).
pub(crate) fn parse_switch_master(payload: &[u8]) -> Option<(String, Addr)> {
    let text = std::str::from_utf8(payload).ok()?;
    let parts: Vec<&str> = text.split(' ').collect();
    let [name, _, _, host, port] = parts[..] else {
        return None;
    };
    Some((
        name.to_owned(),
        Addr::Tcp {
            host: host.to_owned(),
            port: port.parse().ok()?,
        },
    ))
}

/// The `+switch-master` payloads in a pub/sub frame: `message` (RESP2 array or RESP3 push)
/// on that channel.
pub(crate) fn switch_payload(frame: &Value) -> Option<&[u8]> {
    let (Value::Array(items) | Value::Push(items)) = frame else {
        return None;
    };
    match &items[..] {
        [kind, channel, payload]
            if kind.as_bytes() == Some(b"message")
                && channel.as_bytes() == Some(b"+switch-master") =>
        {
            payload.as_bytes()
        }
        _ => None,
    }
}

/// The `SUBSCRIBE +switch-master` command.
pub(crate) fn subscribe_switch() -> Cmd {
    let mut cmd = Cmd::new("SUBSCRIBE");
    cmd.arg("+switch-master");
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ServerError;
    use bytes::Bytes;

    fn bulk(s: &str) -> Value {
        Value::Bulk(Bytes::copy_from_slice(s.as_bytes()))
    }

    fn addr(port: u16) -> Addr {
        Addr::Tcp {
            host: "127.0.0.1".into(),
            port,
        }
    }

    /// A scripted event: what the driver saw after a step.
    #[derive(Clone, Copy)]
    enum E {
        /// A sentinel names `127.0.0.1:<port>`.
        Named(u16),
        /// A sentinel answers null.
        Nil,
        /// A sentinel (or server) answers with an error reply.
        Refused,
        /// Connecting failed.
        Down,
        /// ROLE's answer.
        Role(&'static str),
        /// SENTINEL SLAVES's answer: `(port, flags)` each.
        Replicas(&'static [(u16, &'static str)]),
        /// The wait is over.
        Waited,
        /// SENTINEL MASTER's answer (RESP2 pairs): `(port, flags, num-other-sentinels)`.
        State(u16, &'static str, u32),
    }

    fn event(e: E) -> Event {
        match e {
            E::Named(p) => {
                Event::Reply(Value::Array(vec![bulk("127.0.0.1"), bulk(&p.to_string())]))
            }
            E::Nil => Event::Reply(Value::Nil),
            E::Refused => Event::Failed(Error::from(ServerError::from_line(
                b"ERR No such master with that name",
            ))),
            E::Down => Event::Failed(Error::new(ErrorKind::Connection, "connection refused")),
            E::Role(r) => Event::Reply(Value::Array(vec![bulk(r), Value::Int(0)])),
            E::Replicas(list) => Event::Reply(Value::Array(
                list.iter()
                    .map(|(port, flags)| {
                        Value::Map(vec![
                            (bulk("name"), bulk(&format!("127.0.0.1:{port}"))),
                            (bulk("ip"), bulk("127.0.0.1")),
                            (bulk("port"), bulk(&port.to_string())),
                            (bulk("flags"), bulk(flags)),
                        ])
                    })
                    .collect(),
            )),
            E::Waited => Event::Waited,
            E::State(port, flags, others) => Event::Reply(Value::Array(
                [
                    ("name", "svc".to_owned()),
                    ("ip", "127.0.0.1".to_owned()),
                    ("port", port.to_string()),
                    ("flags", flags.to_owned()),
                    ("num-other-sentinels", others.to_string()),
                ]
                .iter()
                .flat_map(|(k, v)| [bulk(k), bulk(v)])
                .collect(),
            )),
        }
    }

    /// A step as a short line: `ask 26380 GET-MASTER-ADDR-BY-NAME`, `verify 7000`, `wait 250`,
    /// `found 7000`, `replicas [7001]`, `error MasterNotFound`.
    fn show(step: &Step) -> String {
        let port = |a: &Addr| match a {
            Addr::Tcp { port, .. } => port.to_string(),
            Addr::Unix(p) => p.display().to_string(),
        };
        match step {
            Step::Ask { addr, cmd } => format!(
                "ask {} {}",
                port(addr),
                cmd.spec().name.trim_start_matches("SENTINEL ")
            ),
            Step::Verify { addr } => format!("verify {}", port(addr)),
            Step::Wait(d) => format!("wait {}", d.as_millis()),
            Step::Done(Ok(Found::Addr(a))) => format!("found {}", port(a)),
            Step::Done(Ok(Found::Replicas(list))) => format!(
                "replicas [{}]",
                list.iter().map(port).collect::<Vec<_>>().join(" ")
            ),
            Step::Done(Err(e)) => format!("error {:?}", e.kind()),
        }
    }

    /// Runs a discovery over three sentinels (ports 26380-26382) with the scripted events;
    /// returns every step shown, and the discovery.
    fn run(goal: Goal, events: &[E]) -> (Vec<String>, Discovery) {
        let sentinels = (26380..26383).map(addr).collect();
        let opts = SentinelOptions {
            rounds: 2,
            ..SentinelOptions::default()
        };
        let mut d = Discovery::new("svc", sentinels, goal, &opts);
        let mut step = d.start();
        let mut shown = vec![show(&step)];
        for &e in events {
            assert!(
                !matches!(step, Step::Done(_)),
                "event after Done: {shown:?}"
            );
            step = d.on_event(event(e));
            shown.push(show(&step));
        }
        assert!(matches!(step, Step::Done(_)), "not done: {shown:?}");
        (shown, d)
    }

    const GMA: &str = "GET-MASTER-ADDR-BY-NAME";

    /// A case: name, goal, events, the steps expected, the sentinel expected at the front.
    type Case = (&'static str, Goal, Vec<E>, Vec<String>, Option<u16>);

    #[test]
    fn discovery_steps_follow_the_sentinel_client_spec() {
        use E::*;
        let ask = |p: u16| format!("ask {p} {GMA}");
        let slaves = |p: u16| format!("ask {p} SLAVES");
        #[rustfmt::skip]
        let cases: Vec<Case> = vec![
            ("first sentinel answers, ROLE master",
             Goal::Master, vec![Named(7000), Role("master")],
             vec![ask(26380), "verify 7000".into(), "found 7000".into()], Some(26380)),
            ("unreachable sentinel: the next one; it moves to the front",
             Goal::Master, vec![Down, Named(7000), Role("master")],
             vec![ask(26380), ask(26381), "verify 7000".into(), "found 7000".into()], Some(26381)),
            ("null: the next sentinel",
             Goal::Master, vec![Nil, Named(7000), Role("master")],
             vec![ask(26380), ask(26381), "verify 7000".into(), "found 7000".into()], Some(26380)),
            ("no sentinel reachable",
             Goal::Master, vec![Down, Down, Down],
             vec![ask(26380), ask(26381), ask(26382), "error SentinelUnreachable".into()], None),
            ("every sentinel answers null",
             Goal::Master, vec![Nil, Nil, Nil],
             vec![ask(26380), ask(26381), ask(26382), "error MasterNotFound".into()], Some(26380)),
            ("one down, one null, one error reply: the name is unknown",
             Goal::Master, vec![Down, Nil, Refused],
             vec![ask(26380), ask(26381), ask(26382), "error MasterNotFound".into()], Some(26381)),
            ("a stale sentinel names a replica; the next names the primary",
             Goal::Master, vec![Named(7000), Role("slave"), Named(7001), Role("master")],
             vec![ask(26380), "verify 7000".into(), ask(26381), "verify 7001".into(),
                  "found 7001".into()], Some(26380)),
            ("every named server is a replica: wait, ask again, give up after the rounds",
             Goal::Master,
             vec![Named(7000), Role("slave"), Named(7000), Role("slave"), Nil, Waited,
                  Named(7000), Role("slave"), Nil, Nil],
             vec![ask(26380), "verify 7000".into(), ask(26381), "verify 7000".into(), ask(26382),
                  "wait 250".into(), ask(26380), "verify 7000".into(), ask(26381), ask(26382),
                  "error MasterNotFound".into()], Some(26380)),
            ("a replica being promoted: ROLE master on the second round",
             Goal::Master, vec![Named(7000), Role("slave"), Nil, Nil, Waited, Named(7000), Role("master")],
             vec![ask(26380), "verify 7000".into(), ask(26381), ask(26382), "wait 250".into(),
                  ask(26380), "verify 7000".into(), "found 7000".into()], Some(26380)),
            ("the named primary is down: not tried twice; the connection error",
             Goal::Master, vec![Named(7000), Down, Named(7000), Named(7000)],
             vec![ask(26380), "verify 7000".into(), ask(26381), ask(26382),
                  "error Connection".into()], Some(26380)),
            ("the named primary is down, another sentinel already names the new one",
             Goal::Master, vec![Named(7000), Down, Named(7001), Role("master")],
             vec![ask(26380), "verify 7000".into(), ask(26381), "verify 7001".into(),
                  "found 7001".into()], Some(26380)),
            ("discover_master: the address, no connection",
             Goal::MasterAddr, vec![Down, Named(7000)],
             vec![ask(26380), ask(26381), "found 7000".into()], Some(26381)),
            ("discover_slaves: down, disconnected and s_down replicas are left out",
             Goal::ReplicaList,
             vec![Replicas(&[(7001, "slave"), (7002, "s_down,slave,disconnected"),
                             (7003, "slave,o_down"), (7004, "slave")])],
             vec![slaves(26380), "replicas [7001 7004]".into()], Some(26380)),
            ("discover_slaves: a sentinel without live replicas, then one with",
             Goal::ReplicaList, vec![Replicas(&[]), Replicas(&[(7001, "slave")])],
             vec![slaves(26380), slaves(26381), "replicas [7001]".into()], Some(26380)),
            ("discover_slaves: none anywhere is an empty list",
             Goal::ReplicaList, vec![Replicas(&[]), Down, Replicas(&[(7001, "slave,s_down")])],
             vec![slaves(26380), slaves(26381), slaves(26382), "replicas []".into()], Some(26380)),
            ("discover_slaves: an unknown name",
             Goal::ReplicaList, vec![Refused, Refused, Down],
             vec![slaves(26380), slaves(26381), slaves(26382), "error ReplicaNotFound".into()], None),
            ("discover_slaves: no sentinel reachable",
             Goal::ReplicaList, vec![Down, Down, Down],
             vec![slaves(26380), slaves(26381), slaves(26382), "error SentinelUnreachable".into()], None),
            ("slave_for: round robin start, ROLE slave",
             Goal::Replica { start: 1 }, vec![Replicas(&[(7001, "slave"), (7002, "slave")]), Role("slave")],
             vec![slaves(26380), "verify 7002".into(), "found 7002".into()], Some(26380)),
            ("slave_for: a replica down, the next one",
             Goal::Replica { start: 0 },
             vec![Replicas(&[(7001, "slave"), (7002, "slave")]), Down, Role("slave")],
             vec![slaves(26380), "verify 7001".into(), "verify 7002".into(), "found 7002".into()],
             Some(26380)),
            ("slave_for: no replica answers as one: the primary",
             Goal::Replica { start: 0 },
             vec![Replicas(&[(7001, "slave")]), Role("master"), Named(7000), Role("master")],
             vec![slaves(26380), "verify 7001".into(), ask(26380), "verify 7000".into(),
                  "found 7000".into()], Some(26380)),
            ("slave_for: no live replica listed: the primary",
             Goal::Replica { start: 0 },
             vec![Replicas(&[(7001, "slave,s_down")]), Replicas(&[]), Down, Named(7000), Role("master")],
             vec![slaves(26380), slaves(26381), slaves(26382), ask(26380), "verify 7000".into(),
                  "found 7000".into()], Some(26380)),
            ("slave_for: neither a replica nor the primary answers",
             Goal::Replica { start: 0 },
             vec![Replicas(&[(7001, "slave")]), Down, Named(7000), Down, Named(7000), Named(7000)],
             vec![slaves(26380), "verify 7001".into(), ask(26380), "verify 7000".into(), ask(26381),
                  ask(26382), "error ReplicaNotFound".into()], Some(26380)),
            ("slave_for: no sentinel reachable",
             Goal::Replica { start: 0 }, vec![Down, Down, Down],
             vec![slaves(26380), slaves(26381), slaves(26382), "error SentinelUnreachable".into()], None),
        ];
        for (name, goal, events, want, responsive) in cases {
            let (got, d) = run(goal, &events);
            assert_eq!(got, want, "{name}");
            let front = d.responsive().map(|a| match a {
                Addr::Tcp { port, .. } => *port,
                Addr::Unix(_) => 0,
            });
            assert_eq!(front, responsive, "{name}: the sentinel moved to the front");
        }
    }

    #[test]
    fn min_other_sentinels_checks_the_primary_state_and_force_master_ip_its_host() {
        use E::*;
        let sentinels: Vec<Addr> = (26380..26383).map(addr).collect();
        let opts = SentinelOptions::default().min_other_sentinels(2);
        let steps = |goal, events: &[E]| {
            let mut d = Discovery::new("svc", sentinels.clone(), goal, &opts);
            let mut shown = vec![show(&d.start())];
            for &e in events {
                shown.push(show(&d.on_event(event(e))));
            }
            shown
        };
        // Too few other sentinels, then objectively down: skipped; the third one counts.
        assert_eq!(
            steps(
                Goal::Master,
                &[
                    State(7000, "master", 1),
                    State(7000, "master,o_down", 2),
                    State(7000, "master", 2),
                    Role("master")
                ]
            ),
            [
                "ask 26380 MASTER",
                "ask 26381 MASTER",
                "ask 26382 MASTER",
                "verify 7000",
                "found 7000"
            ]
        );
        // A replica's state, s_down, or an unknown name (an error reply): no primary.
        assert_eq!(
            steps(
                Goal::MasterAddr,
                &[
                    State(7000, "slave", 2),
                    State(7000, "s_down,master", 2),
                    Refused
                ]
            ),
            [
                "ask 26380 MASTER",
                "ask 26381 MASTER",
                "ask 26382 MASTER",
                "error MasterNotFound"
            ]
        );
        // force_master_ip: the reported port with the forced host, for both answer forms.
        for opts in [
            SentinelOptions::default().force_master_ip("10.9.8.7"),
            SentinelOptions::default()
                .force_master_ip("10.9.8.7")
                .min_other_sentinels(1),
        ] {
            let mut d = Discovery::new("svc", sentinels.clone(), Goal::MasterAddr, &opts);
            d.start();
            let answer = if opts.min_other_sentinels > 0 {
                State(7000, "master", 2)
            } else {
                Named(7000)
            };
            match d.on_event(event(answer)) {
                Step::Done(Ok(Found::Addr(a))) => assert_eq!(
                    a,
                    Addr::Tcp {
                        host: "10.9.8.7".into(),
                        port: 7000
                    }
                ),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(forced_master(None, addr(7000)), addr(7000));
    }

    #[test]
    fn an_announced_switch_wins_over_sentinels_that_have_not_heard_of_it() {
        use E::*;
        let run_hinted = |goal, hint: u16, events: &[E]| {
            let sentinels = (26380..26383).map(addr).collect();
            let mut d = Discovery::new("svc", sentinels, goal, &SentinelOptions::default())
                .with_hint(Some(addr(hint)));
            let mut shown = vec![show(&d.start())];
            for &e in events {
                shown.push(show(&d.on_event(event(e))));
            }
            shown
        };
        let ask = |p: u16| format!("ask {p} {GMA}");
        // The first sentinel still names the old primary (which still answers ROLE master in
        // the split-brain window): the next one is asked, and its answer used.
        assert_eq!(
            run_hinted(
                Goal::Master,
                7001,
                &[Named(7000), Named(7001), Role("master")]
            ),
            [
                ask(26380),
                ask(26381),
                "verify 7001".into(),
                "found 7001".into()
            ]
        );
        assert_eq!(
            run_hinted(Goal::MasterAddr, 7001, &[Named(7000), Nil, Named(7001)]),
            [ask(26380), ask(26381), ask(26382), "found 7001".into()]
        );
        // Every sentinel disagrees with the event: they are right (a later switch was
        // missed), and the first answer is tried after all.
        assert_eq!(
            run_hinted(
                Goal::Master,
                7001,
                &[Named(7000), Named(7000), Named(7000), Role("master")]
            ),
            [
                ask(26380),
                ask(26381),
                ask(26382),
                "verify 7000".into(),
                "found 7000".into()
            ]
        );
        assert_eq!(
            run_hinted(Goal::MasterAddr, 7001, &[Named(7000), Down, Nil]),
            [ask(26380), ask(26381), ask(26382), "found 7000".into()]
        );
        // The service clears a hint that a discovery contradicted, and keeps one it confirmed.
        let shared = Shared::new(vec![addr(26380)], SentinelOptions::default());
        let (svc, _) = shared.service("svc");
        assert_eq!(svc.switched(&addr(7001)), 0, "first primary known");
        assert_eq!(svc.hint(), Some(addr(7001)));
        assert_eq!(svc.observe_master(&addr(7001)), 0);
        assert_eq!(svc.hint(), Some(addr(7001)));
        assert_eq!(svc.switched(&addr(7002)), 1, "a switch: new epoch");
        assert_eq!(svc.observe_master(&addr(7000)), 2);
        assert_eq!(svc.hint(), None);
    }

    #[test]
    fn the_first_discovery_learns_the_other_sentinels() {
        let sentinels = vec![addr(26380), addr(26381)];
        let opts = SentinelOptions::default();
        let mut d =
            Discovery::new("svc", sentinels.clone(), Goal::Master, &opts).with_refresh(true);
        let mut shown = vec![show(&d.start())];
        shown.push(show(&d.on_event(event(E::Down))));
        shown.push(show(&d.on_event(event(E::Named(7000)))));
        shown.push(show(&d.on_event(event(E::Role("master")))));
        // The known one, a new one, and one without a port are in the answer.
        let others = Value::Array(
            [(26380, "sentinel"), (26390, "sentinel"), (0, "sentinel")]
                .iter()
                .map(|(port, flags)| {
                    Value::Map(vec![
                        (bulk("ip"), bulk("127.0.0.1")),
                        (bulk("port"), bulk(&port.to_string())),
                        (bulk("flags"), bulk(flags)),
                    ])
                })
                .collect(),
        );
        shown.push(show(&d.on_event(Event::Reply(others))));
        assert_eq!(
            shown,
            [
                format!("ask 26380 {GMA}"),
                format!("ask 26381 {GMA}"),
                "verify 7000".into(),
                "ask 26381 SENTINELS".into(),
                "found 7000".into()
            ]
        );
        assert_eq!(d.learned(), [addr(26390)]);
        let shared = Shared::new(sentinels, opts.clone());
        shared.after(&d);
        assert_eq!(shared.sentinels(), [addr(26381), addr(26380), addr(26390)]);
        // A failed refresh leaves the result alone; only the first discovery refreshes.
        let mut d = shared.discovery("svc", Goal::MasterAddr);
        d.start();
        assert_eq!(
            show(&d.on_event(event(E::Named(7000)))),
            "ask 26381 SENTINELS"
        );
        assert_eq!(show(&d.on_event(event(E::Down))), "found 7000");
        let mut d = shared.discovery("svc", Goal::MasterAddr);
        d.start();
        assert_eq!(show(&d.on_event(event(E::Named(7000)))), "found 7000");
    }

    #[test]
    fn errors_say_which_case_it_is() {
        use E::*;
        let done = |goal, events: &[E]| {
            let sentinels = (26380..26383).map(addr).collect();
            let mut d = Discovery::new("svc", sentinels, goal, &SentinelOptions::default());
            let mut step = d.start();
            for &e in events {
                step = d.on_event(event(e));
            }
            match step {
                Step::Done(Err(e)) => e,
                other => panic!("{other:?}"),
            }
        };
        let e = done(Goal::Master, &[Down, Down, Down]);
        assert_eq!(e.kind(), ErrorKind::SentinelUnreachable);
        assert!(e.is_connection_error());
        assert!(e.to_string().contains("no sentinel reachable"), "{e}");
        assert!(
            e.to_string()
                .contains("127.0.0.1:26380, 127.0.0.1:26381, 127.0.0.1:26382"),
            "{e}"
        );
        assert_eq!(
            std::error::Error::source(&e).map(ToString::to_string),
            Some("Connection error: connection refused".to_owned())
        );
        let e = done(Goal::Master, &[Nil, Down, Refused]);
        assert_eq!(e.kind(), ErrorKind::MasterNotFound);
        assert!(e.is_connection_error());
        assert!(
            e.to_string().contains("no sentinel knows master \"svc\""),
            "{e}"
        );
        assert!(e.to_string().contains("2 of 3 answered"), "{e}");
        let e = done(Goal::Replica { start: 0 }, &[Down, Down, Down]);
        assert_eq!(e.kind(), ErrorKind::SentinelUnreachable, "{e}");
        let e = done(
            Goal::Replica { start: 0 },
            &[
                Replicas(&[(7001, "slave")]),
                Down,
                Named(7000),
                Down,
                Nil,
                Nil,
            ],
        );
        assert_eq!(e.kind(), ErrorKind::ReplicaNotFound);
        assert!(e.is_connection_error());
        assert!(
            e.to_string()
                .contains("no replica of \"svc\" answered, nor its primary"),
            "{e}"
        );
        // An empty list cannot reach any sentinel.
        let mut d = Discovery::new("svc", Vec::new(), Goal::Master, &SentinelOptions::default());
        match d.start() {
            Step::Done(Err(e)) => assert_eq!(e.kind(), ErrorKind::SentinelUnreachable),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_new_primary_starts_a_new_epoch_and_answering_sentinels_move_to_the_front() {
        let shared = Shared::new(
            (26380..26383).map(addr).collect(),
            SentinelOptions::default(),
        );
        let (svc, new) = shared.service("svc");
        assert!(new);
        assert!(!shared.service("svc").1, "one state per name");
        assert_eq!(svc.observe_master(&addr(7000)), 0, "the first primary");
        assert_eq!(svc.observe_master(&addr(7000)), 0, "the same one again");
        assert_eq!(svc.observe_master(&addr(7001)), 1, "a switch");
        let target = SentinelTarget {
            shared: Arc::clone(&shared),
            service: Arc::clone(&svc),
            role: Role::Master,
        };
        assert!(target.is_stale(0) && !target.is_stale(1));
        shared.promote(&addr(26382));
        assert_eq!(shared.sentinels(), [addr(26382), addr(26380), addr(26381)]);
        shared.promote(&addr(9999));
        assert_eq!(shared.sentinels()[0], addr(26382), "unknown: no change");
        // The data config keeps the client's settings (TLS included) with the found address.
        let mut config = ConnectionConfig::tcp("ignored", 1);
        config.tls = Some(crate::TlsOptions::default());
        config.sentinel = Some(target.clone());
        let data = target.data_config(&config, &addr(7001));
        assert_eq!(data.addr, addr(7001));
        assert_eq!(data.tls, config.tls);
        assert!(data.sentinel.is_none());
        assert!(format!("{target:?}").contains("\"svc\""));
    }

    #[test]
    fn switch_master_messages_are_parsed() {
        let msg = Value::Array(vec![
            bulk("message"),
            bulk("+switch-master"),
            bulk("svc 127.0.0.1 7000 127.0.0.1 7001"),
        ]);
        let payload = switch_payload(&msg).unwrap();
        assert_eq!(
            parse_switch_master(payload),
            Some(("svc".to_owned(), addr(7001)))
        );
        let push = Value::Push(vec![
            bulk("message"),
            bulk("+switch-master"),
            bulk("a b c d e"),
        ]);
        assert_eq!(parse_switch_master(switch_payload(&push).unwrap()), None);
        let other = Value::Array(vec![
            bulk("subscribe"),
            bulk("+switch-master"),
            Value::Int(1),
        ]);
        assert_eq!(switch_payload(&other), None);
        assert_eq!(parse_switch_master(b"svc 1 2 3"), None);
    }
}
