//! Redirects and cluster errors: parsing `-MOVED` / `-ASK`, and the routing state machine of
//! one command (what to do after each error), with redis-py's setting names.
//!
//! Nothing here does I/O or reads a clock: the driver sends, reports the outcome, and does what
//! the returned [`Decision`] says. Times come in as `now`, a monotonic time since an origin of
//! the driver's choosing (e.g. `Instant::elapsed` of the client's start).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, ErrorKind, ServerError};
use crate::retry::{Backoff, Sent};

/// A node's address as the cluster reports it (`host:port`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct NodeAddr {
    /// IP or hostname, without brackets for IPv6.
    pub(crate) host: String,
    /// TCP port.
    pub(crate) port: u16,
}

impl NodeAddr {
    /// An address from its parts.
    pub(crate) fn new(host: impl Into<String>, port: u16) -> NodeAddr {
        NodeAddr {
            host: host.into(),
            port,
        }
    }
}

impl fmt::Display for NodeAddr {
    /// `host:port`, or `[v6]:port` for an IPv6 host.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// Parses an endpoint `host:port` as sent in a redirect. An empty host (`:6380`) means the
/// host of the node that replied, `current_host`. IPv6 hosts may come bracketed (`[::1]:7000`)
/// or bare (`::1:7000`, as Redis writes them): the port is after the last colon.
pub(crate) fn parse_endpoint(text: &str, current_host: &str) -> Option<NodeAddr> {
    let (host, port) = text.rsplit_once(':')?;
    let port: u16 = port.parse().ok()?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let host = if host.is_empty() || host == "?" {
        current_host
    } else {
        host
    };
    Some(NodeAddr::new(host, port))
}

/// Which redirect the server sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RedirectKind {
    /// `-MOVED`: the slot now lives on that node; update the map.
    Moved,
    /// `-ASK`: this one command goes to that node, after `ASKING`; the map stays.
    Ask,
}

/// A parsed `-MOVED <slot> <endpoint>:<port>` or `-ASK <slot> <endpoint>:<port>` reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Redirect {
    /// MOVED or ASK.
    pub(crate) kind: RedirectKind,
    /// The slot the command's keys hash to.
    pub(crate) slot: u16,
    /// Where to send the command.
    pub(crate) node: NodeAddr,
}

/// Parses a MOVED or ASK error reply; `current_host` fills an empty endpoint. `None` for any
/// other error or a malformed one.
pub(crate) fn parse_redirect(err: &ServerError, current_host: &str) -> Option<Redirect> {
    let kind = match err.code() {
        "MOVED" => RedirectKind::Moved,
        "ASK" => RedirectKind::Ask,
        _ => return None,
    };
    let mut words = err.message().split(' ');
    let slot: u16 = words.next()?.parse().ok()?;
    if slot >= super::SLOT_COUNT {
        return None;
    }
    let node = parse_endpoint(words.next()?, current_host)?;
    Some(Redirect { kind, slot, node })
}

/// redis-py's `address_remap`: maps each `(host, port)` the cluster announces (in its slot map
/// and in MOVED/ASK redirects) to the address to connect to, for nodes reached through NAT, a
/// proxy or port forwarding.
#[derive(Clone)]
pub(crate) struct AddressRemap(Arc<RemapFn>);

/// The function of an [`AddressRemap`]: announced `(host, port)` to the one to connect to.
type RemapFn = dyn Fn(&str, u16) -> (String, u16) + Send + Sync;

impl AddressRemap {
    /// The remap of `f`.
    pub(crate) fn new(
        f: impl Fn(&str, u16) -> (String, u16) + Send + Sync + 'static,
    ) -> AddressRemap {
        AddressRemap(Arc::new(f))
    }

    /// The address to connect to for `addr` as announced.
    pub(crate) fn apply(&self, addr: &NodeAddr) -> NodeAddr {
        let (host, port) = (self.0)(&addr.host, addr.port);
        NodeAddr::new(host, port)
    }
}

impl fmt::Debug for AddressRemap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AddressRemap(..)")
    }
}

impl PartialEq for AddressRemap {
    /// The same function (one `Arc`).
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Cluster settings, named and defaulted as redis-py's `RedisCluster` arguments.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ClusterSettings {
    /// redis-py `cluster_error_retry_attempts` (3): how often a command is tried again after a
    /// connection error, a timeout, `CLUSTERDOWN` or an unassigned slot, each time after a
    /// topology refresh.
    pub(crate) cluster_error_retry_attempts: u32,
    /// redis-py `reinitialize_steps` (5): every this many MOVED replies (client-wide) the whole
    /// map is fetched again; in between only the moved slot is patched. 1: refresh on every
    /// MOVED; 0: never on MOVED.
    pub(crate) reinitialize_steps: u32,
    /// redis-py `RedisClusterRequestTTL` (16): redirects (MOVED, ASK, TRYAGAIN) one command may
    /// follow before it fails.
    pub(crate) max_redirects: u32,
    /// The shortest time between two full topology refreshes (redis-py has no such limit; a
    /// storm of MOVED replies after a failover would otherwise refetch the map per command).
    pub(crate) min_refresh_interval: Duration,
    /// Wait before routing again after `CLUSTERDOWN`, an unassigned slot or a connection
    /// error (redis-py's `retry` backoff).
    pub(crate) backoff: Backoff,
    /// Wait before resending after `TRYAGAIN` once half of `max_redirects` is used up; before
    /// that it is resent at once (redis-py sleeps 50 ms the same way).
    pub(crate) try_again_delay: Duration,
    /// redis-py `require_full_coverage`: a slot map in which some slot has no node is refused
    /// (the client is not built; a refresh keeps the previous map). Off by default here;
    /// redis-py's default is on, and its Python API passes it.
    pub(crate) require_full_coverage: bool,
    /// redis-py `address_remap`: applied to every address the cluster announces.
    pub(crate) address_remap: Option<AddressRemap>,
}

impl ClusterSettings {
    /// `addr` as announced, remapped when an [`AddressRemap`] is set.
    pub(crate) fn remap(&self, addr: NodeAddr) -> NodeAddr {
        match &self.address_remap {
            Some(remap) => remap.apply(&addr),
            None => addr,
        }
    }
}

impl Default for ClusterSettings {
    fn default() -> Self {
        ClusterSettings {
            cluster_error_retry_attempts: 3,
            reinitialize_steps: 5,
            max_redirects: 16,
            min_refresh_interval: Duration::from_millis(100),
            // redis-py 6+'s cluster retry: ExponentialWithJitterBackoff(base=1, cap=10), up to
            // 2, 4, 8 s over the default three retries, which spans a failover.
            backoff: Backoff::exponential_with_jitter(
                Duration::from_secs(10),
                Duration::from_secs(1),
            ),
            try_again_delay: Duration::from_millis(50),
            require_full_coverage: false,
            address_remap: None,
        }
    }
}

/// Client-wide bookkeeping of topology refreshes: redis-py's `reinitialize_counter` plus a rate
/// limit. One per cluster client, shared by every command's [`CommandRouting`].
#[derive(Debug, Clone)]
pub(crate) struct RefreshState {
    moved: u32,
    last_full: Option<Duration>,
}

/// What to change in the slot map after an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refresh {
    /// Leave it.
    None,
    /// Point one slot's primary at this node (MOVED between full refreshes).
    Slot {
        /// The moved slot.
        slot: u16,
        /// Its new primary.
        node: NodeAddr,
    },
    /// Fetch the whole map again (`CLUSTER SLOTS` / `CLUSTER SHARDS`).
    Full,
}

impl RefreshState {
    /// No MOVED seen, never refreshed.
    pub(crate) fn new() -> RefreshState {
        RefreshState {
            moved: 0,
            last_full: None,
        }
    }

    /// Records a full refresh done at `now` (start-up, or one this module asked for).
    pub(crate) fn refreshed(&mut self, now: Duration) {
        self.last_full = Some(now);
        self.moved = 0;
    }

    /// Whether a full refresh may run at `now` under the rate limit; if so it counts as done.
    fn try_full(&mut self, settings: &ClusterSettings, now: Duration) -> bool {
        let allowed = match self.last_full {
            None => true,
            Some(last) => now.saturating_sub(last) >= settings.min_refresh_interval,
        };
        if allowed {
            self.refreshed(now);
        }
        allowed
    }

    /// A MOVED reply: every `reinitialize_steps`-th one asks for a full refresh (rate limit
    /// permitting), the others patch the slot.
    fn on_moved(
        &mut self,
        settings: &ClusterSettings,
        redirect: &Redirect,
        now: Duration,
    ) -> Refresh {
        self.moved += 1;
        let steps = settings.reinitialize_steps;
        if steps > 0 && self.moved % steps == 0 && self.try_full(settings, now) {
            return Refresh::Full;
        }
        Refresh::Slot {
            slot: redirect.slot,
            node: redirect.node.clone(),
        }
    }

    /// An error that calls for a new map (CLUSTERDOWN, a dead node, an unassigned slot).
    fn on_failure(&mut self, settings: &ClusterSettings, now: Duration) -> Refresh {
        if self.try_full(settings, now) {
            Refresh::Full
        } else {
            Refresh::None
        }
    }
}

impl Default for RefreshState {
    fn default() -> Self {
        RefreshState::new()
    }
}

/// Where the next attempt goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// To this node (after MOVED, or the same node after TRYAGAIN).
    Node(NodeAddr),
    /// To this node, with `ASKING` sent just before on the same connection (after ASK).
    Asking(NodeAddr),
    /// Route the command again from the (refreshed) slot map.
    Reroute,
}

/// What the driver does after an error.
#[derive(Debug)]
pub(crate) enum Decision {
    /// Apply `refresh` to the map, wait `wait` (may be zero), then send to `target`.
    Retry {
        /// Where to send.
        target: Target,
        /// How long to wait first.
        wait: Duration,
        /// What to change in the slot map first.
        refresh: Refresh,
    },
    /// Stop and return this error to the caller (after applying `refresh`).
    Fail {
        /// The error for the caller.
        error: Error,
        /// What to change in the slot map anyway.
        refresh: Refresh,
    },
}

/// The routing flow of one command (or one node's share of it) in a cluster: the driver sends
/// it to the node its route names, and reports each error here.
///
/// The rules, redis-py's `_execute_command` with bounds and a rate-limited refresh:
/// - `MOVED`: send to the named node; patch the slot or, every `reinitialize_steps` MOVED
///   replies, refresh the whole map. Counts as a redirect.
/// - `ASK`: send `ASKING` and the command to the named node; the map is untouched. Counts as a
///   redirect.
/// - `TRYAGAIN`: wait, send to the same node again (with `ASKING` again if the last attempt
///   had it). Counts as a redirect.
/// - `CLUSTERDOWN` / `MASTERDOWN`, an unassigned slot, or a connection error or timeout that
///   did not run the command (see below): refresh the map, wait, route again. Counts as a
///   retry (`cluster_error_retry_attempts`).
/// - A connection error is retried when nothing was sent or the command is idempotent; a
///   timeout only when nothing was sent, as the standalone client's retry does, so a write
///   never runs twice.
/// - Any other error goes to the caller unchanged.
/// - Past `max_redirects` redirects the command fails with an error of the last redirect's
///   kind that says so; past `cluster_error_retry_attempts` retries, with the last error.
#[derive(Debug)]
pub(crate) struct CommandRouting<'a> {
    settings: &'a ClusterSettings,
    /// Where the attempt in flight went; `None` while a reroute is pending.
    node: Option<NodeAddr>,
    asking: bool,
    redirects: u32,
    retries: u32,
    previous_wait: Duration,
}

impl<'a> CommandRouting<'a> {
    /// While a command waits to be routed again after a failure: whether to fetch the map now
    /// (the client-wide rate limit permitting), so a failover shows up during the wait.
    pub(crate) fn poll_topology(&self, shared: &mut RefreshState, now: Duration) -> bool {
        shared.try_full(self.settings, now)
    }

    /// How long one piece of such a wait lasts: the map is looked at (and polled) between
    /// pieces.
    pub(crate) fn wait_slice(&self) -> Duration {
        self.settings
            .min_refresh_interval
            .max(Duration::from_millis(10))
    }

    /// The flow of a command about to be sent for the first time, to `node`.
    pub(crate) fn new(settings: &'a ClusterSettings, node: NodeAddr) -> CommandRouting<'a> {
        CommandRouting {
            settings,
            node: Some(node),
            asking: false,
            redirects: 0,
            retries: 0,
            previous_wait: Duration::ZERO,
        }
    }

    /// After a [`Target::Reroute`], the node the driver routed the command to.
    pub(crate) fn rerouted(&mut self, node: NodeAddr) {
        self.node = Some(node);
        self.asking = false;
    }

    /// Redirects followed so far.
    #[cfg(test)]
    pub(crate) fn redirects(&self) -> u32 {
        self.redirects
    }

    /// Retries after cluster errors so far.
    #[cfg(test)]
    pub(crate) fn retries(&self) -> u32 {
        self.retries
    }

    fn wait(&mut self, failures: u32) -> Duration {
        let wait = self.settings.backoff.compute_with(
            failures,
            self.previous_wait,
            crate::retry::random_unit(),
        );
        self.previous_wait = wait;
        wait
    }

    /// Records where a retry goes.
    fn go(&mut self, target: &Target) {
        match target {
            Target::Node(n) => {
                self.node = Some(n.clone());
                self.asking = false;
            }
            Target::Asking(n) => {
                self.node = Some(n.clone());
                self.asking = true;
            }
            Target::Reroute => {
                self.node = None;
                self.asking = false;
            }
        }
    }

    fn redirect(
        &mut self,
        error: Error,
        target: Target,
        wait: Duration,
        refresh: Refresh,
    ) -> Decision {
        self.redirects += 1;
        if self.redirects > self.settings.max_redirects {
            let last = match error.server_error() {
                Some(e) => e.to_string(),
                None => error.to_string(),
            };
            let message = format!(
                "too many cluster redirects (more than {}); last: {last}",
                self.settings.max_redirects
            );
            return Decision::Fail {
                error: Error::new(error.kind(), message),
                refresh,
            };
        }
        self.go(&target);
        Decision::Retry {
            target,
            wait,
            refresh,
        }
    }

    fn retry(&mut self, error: Error, refresh: Refresh) -> Decision {
        self.retries += 1;
        if self.retries > self.settings.cluster_error_retry_attempts {
            return Decision::Fail { error, refresh };
        }
        let wait = self.wait(self.retries);
        self.go(&Target::Reroute);
        Decision::Retry {
            target: Target::Reroute,
            wait,
            refresh,
        }
    }

    /// The attempt failed with `error`. `sent` says whether the command may have reached the
    /// server, `idempotent` whether running it twice is harmless (read-only commands);
    /// `shared` is the client's refresh bookkeeping.
    pub(crate) fn on_error(
        &mut self,
        error: Error,
        sent: Sent,
        idempotent: bool,
        shared: &mut RefreshState,
        now: Duration,
    ) -> Decision {
        let settings = self.settings;
        match error.kind() {
            ErrorKind::Moved | ErrorKind::Ask => {
                let current_host = self.node.as_ref().map_or("", |n| n.host.as_str());
                let redirect = error
                    .server_error()
                    .and_then(|e| parse_redirect(e, current_host));
                let Some(mut redirect) = redirect else {
                    return Decision::Fail {
                        error,
                        refresh: Refresh::None,
                    };
                };
                redirect.node = settings.remap(redirect.node);
                if redirect.kind == RedirectKind::Ask {
                    let target = Target::Asking(redirect.node);
                    self.redirect(error, target, Duration::ZERO, Refresh::None)
                } else {
                    let refresh = shared.on_moved(settings, &redirect, now);
                    let target = Target::Node(redirect.node);
                    self.redirect(error, target, Duration::ZERO, refresh)
                }
            }
            ErrorKind::TryAgain => {
                let wait = if self.redirects + 1 > self.settings.max_redirects / 2 {
                    self.settings.try_again_delay
                } else {
                    Duration::ZERO
                };
                let target = match (&self.node, self.asking) {
                    (Some(n), true) => Target::Asking(n.clone()),
                    (Some(n), false) => Target::Node(n.clone()),
                    (None, _) => Target::Reroute,
                };
                self.redirect(error, target, wait, Refresh::None)
            }
            ErrorKind::ClusterDown | ErrorKind::MasterDown => {
                let refresh = shared.on_failure(settings, now);
                self.retry(error, refresh)
            }
            ErrorKind::Connection | ErrorKind::Timeout => {
                let safe =
                    sent == Sent::No || (error.kind() == ErrorKind::Connection && idempotent);
                let refresh = shared.on_failure(settings, now);
                if safe {
                    self.retry(error, refresh)
                } else {
                    Decision::Fail { error, refresh }
                }
            }
            _ => Decision::Fail {
                error,
                refresh: Refresh::None,
            },
        }
    }

    /// The slot map has no node for the command's slot (redis-py `SlotNotCoveredError`):
    /// refresh and route again, as a retry.
    pub(crate) fn on_slot_not_covered(
        &mut self,
        slot: u16,
        shared: &mut RefreshState,
        now: Duration,
    ) -> Decision {
        let refresh = shared.on_failure(self.settings, now);
        let error = Error::new(
            ErrorKind::ClusterDown,
            format!("slot {slot} is not covered by the cluster"),
        );
        self.retry(error, refresh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(line: &str) -> ServerError {
        ServerError::from_line(line.as_bytes())
    }

    fn err(line: &str) -> Error {
        Error::from(server(line))
    }

    #[test]
    fn moved_and_ask_replies_parse() {
        let r = parse_redirect(&server("MOVED 3999 127.0.0.1:6381"), "10.0.0.1").unwrap();
        assert_eq!(r.kind, RedirectKind::Moved);
        assert_eq!(r.slot, 3999);
        assert_eq!(r.node, NodeAddr::new("127.0.0.1", 6381));
        let r = parse_redirect(&server("ASK 12182 redis-3.example:7002"), "h").unwrap();
        assert_eq!(r.kind, RedirectKind::Ask);
        assert_eq!(r.slot, 12182);
        assert_eq!(r.node, NodeAddr::new("redis-3.example", 7002));
    }

    #[test]
    fn an_empty_endpoint_means_the_host_that_replied() {
        let r = parse_redirect(&server("MOVED 3999 :6380"), "10.0.0.1").unwrap();
        assert_eq!(r.node, NodeAddr::new("10.0.0.1", 6380));
        assert_eq!(
            parse_endpoint("?:7000", "h1"),
            Some(NodeAddr::new("h1", 7000))
        );
    }

    #[test]
    fn ipv6_endpoints_bracketed_or_bare() {
        let r = parse_redirect(&server("MOVED 1 [::1]:7000"), "x").unwrap();
        assert_eq!(r.node, NodeAddr::new("::1", 7000));
        let r = parse_redirect(&server("ASK 2 fe80::1:2:7001"), "x").unwrap();
        assert_eq!(r.node, NodeAddr::new("fe80::1:2", 7001));
        assert_eq!(r.node.to_string(), "[fe80::1:2]:7001");
        assert_eq!(NodeAddr::new("127.0.0.1", 1).to_string(), "127.0.0.1:1");
    }

    #[test]
    fn other_or_malformed_errors_are_not_redirects() {
        for line in [
            "ERR wrong",
            "TRYAGAIN Multiple keys request during rehashing of slot",
            "CLUSTERDOWN The cluster is down",
            "MOVED",
            "MOVED abc 127.0.0.1:1",
            "MOVED 16384 127.0.0.1:1",
            "MOVED 1 127.0.0.1",
            "MOVED 1 127.0.0.1:port",
            "ASK 1 127.0.0.1:70000",
        ] {
            assert_eq!(parse_redirect(&server(line), "h"), None, "{line}");
        }
    }

    #[test]
    fn defaults_are_redis_py_s() {
        let d = ClusterSettings::default();
        assert_eq!(d.cluster_error_retry_attempts, 3);
        assert_eq!(d.reinitialize_steps, 5);
        assert_eq!(d.max_redirects, 16, "RedisClusterRequestTTL");
        assert_eq!(d.try_again_delay, Duration::from_millis(50));
        assert_eq!(
            d.backoff,
            Backoff::exponential_with_jitter(Duration::from_secs(10), Duration::from_secs(1))
        );
    }

    fn settings() -> ClusterSettings {
        ClusterSettings {
            cluster_error_retry_attempts: 3,
            reinitialize_steps: 5,
            max_redirects: 16,
            min_refresh_interval: Duration::from_millis(100),
            backoff: Backoff::exponential(Duration::from_secs(1), Duration::from_millis(100)),
            try_again_delay: Duration::from_millis(50),
            require_full_coverage: false,
            address_remap: None,
        }
    }

    fn n(port: u16) -> NodeAddr {
        NodeAddr::new("127.0.0.1", port)
    }

    fn retry(d: Decision) -> (Target, Duration, Refresh) {
        match d {
            Decision::Retry {
                target,
                wait,
                refresh,
            } => (target, wait, refresh),
            Decision::Fail { error, .. } => panic!("expected a retry, got {error}"),
        }
    }

    fn fail(d: Decision) -> (Error, Refresh) {
        match d {
            Decision::Fail { error, refresh } => (error, refresh),
            Decision::Retry { target, .. } => panic!("expected a failure, got {target:?}"),
        }
    }

    #[test]
    fn moved_goes_to_the_new_owner_and_patches_the_slot() {
        let s = settings();
        let mut shared = RefreshState::new();
        let t0 = Duration::from_secs(100);
        shared.refreshed(t0);
        let mut r = CommandRouting::new(&s, n(7000));
        let d = r.on_error(err("MOVED 42 :7001"), Sent::Maybe, false, &mut shared, t0);
        assert_eq!(
            retry(d),
            (
                Target::Node(n(7001)),
                Duration::ZERO,
                Refresh::Slot {
                    slot: 42,
                    node: n(7001)
                }
            )
        );
        assert_eq!(r.redirects(), 1);
        assert_eq!(r.retries(), 0);
    }

    #[test]
    fn address_remap_applies_to_moved_and_ask_targets() {
        let s = ClusterSettings {
            address_remap: Some(AddressRemap::new(|host, port| {
                (format!("remapped-{host}"), port + 100)
            })),
            ..settings()
        };
        let mut shared = RefreshState::new();
        let t0 = Duration::from_secs(100);
        shared.refreshed(t0);
        let mut r = CommandRouting::new(&s, n(7000));
        let d = r.on_error(err("MOVED 42 :7001"), Sent::Maybe, false, &mut shared, t0);
        let moved_to = NodeAddr::new("remapped-127.0.0.1", 7101);
        assert_eq!(
            retry(d),
            (
                Target::Node(moved_to.clone()),
                Duration::ZERO,
                Refresh::Slot {
                    slot: 42,
                    node: moved_to
                }
            )
        );
        let mut r = CommandRouting::new(&s, n(7000));
        let d = r.on_error(
            err("ASK 42 10.0.0.9:7002"),
            Sent::Maybe,
            false,
            &mut shared,
            t0,
        );
        assert_eq!(
            retry(d).0,
            Target::Asking(NodeAddr::new("remapped-10.0.0.9", 7102))
        );
    }

    #[test]
    fn every_reinitialize_steps_th_moved_refreshes_the_whole_map_rate_limited() {
        let s = settings();
        let mut shared = RefreshState::new();
        let t0 = Duration::from_secs(100);
        shared.refreshed(t0);
        let mut refreshes = Vec::new();
        for i in 0..10u64 {
            let mut r = CommandRouting::new(&s, n(7000));
            let now = t0 + Duration::from_millis(50 * (i + 1));
            let (_, _, refresh) = retry(r.on_error(
                err("MOVED 1 127.0.0.1:7001"),
                Sent::Maybe,
                false,
                &mut shared,
                now,
            ));
            refreshes.push(refresh == Refresh::Full);
        }
        // The 5th MOVED (250 ms after the last refresh) refreshes; the 10th comes 250 ms after
        // that one, also allowed.
        assert_eq!(
            refreshes,
            [false, false, false, false, true, false, false, false, false, true]
        );

        // Within min_refresh_interval of the last refresh, a 5th MOVED patches instead.
        let mut shared = RefreshState::new();
        shared.refreshed(t0);
        let mut last = Refresh::None;
        for _ in 0..5 {
            let mut r = CommandRouting::new(&s, n(7000));
            let d = r.on_error(err("MOVED 1 h:7001"), Sent::Maybe, false, &mut shared, t0);
            last = retry(d).2;
        }
        assert_eq!(
            last,
            Refresh::Slot {
                slot: 1,
                node: NodeAddr::new("h", 7001)
            }
        );

        // reinitialize_steps 1: every MOVED (rate limit permitting); 0: never.
        let one = ClusterSettings {
            reinitialize_steps: 1,
            ..settings()
        };
        let mut shared = RefreshState::new();
        let mut r = CommandRouting::new(&one, n(7000));
        let d = r.on_error(err("MOVED 1 h:1"), Sent::Maybe, false, &mut shared, t0);
        assert_eq!(retry(d).2, Refresh::Full);
        let zero = ClusterSettings {
            reinitialize_steps: 0,
            ..settings()
        };
        let mut shared = RefreshState::new();
        for _ in 0..20 {
            let mut r = CommandRouting::new(&zero, n(7000));
            let d = r.on_error(err("MOVED 1 h:1"), Sent::Maybe, false, &mut shared, t0);
            assert!(matches!(retry(d).2, Refresh::Slot { .. }));
        }
    }

    #[test]
    fn ask_sends_asking_to_the_named_node_and_leaves_the_map() {
        let s = settings();
        let mut shared = RefreshState::new();
        let t0 = Duration::from_secs(100);
        let mut r = CommandRouting::new(&s, n(7000));
        let d = r.on_error(
            err("ASK 7 127.0.0.1:7002"),
            Sent::Maybe,
            false,
            &mut shared,
            t0,
        );
        assert_eq!(
            retry(d),
            (Target::Asking(n(7002)), Duration::ZERO, Refresh::None)
        );
        // TRYAGAIN from the importing node: again with ASKING, same node.
        let d = r.on_error(
            err("TRYAGAIN Multiple keys request during rehashing of slot"),
            Sent::Maybe,
            false,
            &mut shared,
            t0,
        );
        assert_eq!(
            retry(d),
            (Target::Asking(n(7002)), Duration::ZERO, Refresh::None)
        );
        assert_eq!(r.redirects(), 2);
    }

    #[test]
    fn tryagain_resends_to_the_same_node_waiting_in_the_second_half() {
        let s = settings();
        let mut shared = RefreshState::new();
        let t0 = Duration::from_secs(100);
        let mut r = CommandRouting::new(&s, n(7000));
        let mut waits = Vec::new();
        for _ in 0..16 {
            let d = r.on_error(err("TRYAGAIN x"), Sent::Maybe, false, &mut shared, t0);
            let (target, wait, refresh) = retry(d);
            assert_eq!(target, Target::Node(n(7000)));
            assert_eq!(refresh, Refresh::None);
            waits.push(wait.as_millis());
        }
        assert_eq!(
            waits,
            [0, 0, 0, 0, 0, 0, 0, 0, 50, 50, 50, 50, 50, 50, 50, 50]
        );
        // The 17th redirect is one too many.
        let (e, _) = fail(r.on_error(err("TRYAGAIN x"), Sent::Maybe, false, &mut shared, t0));
        assert_eq!(e.kind(), ErrorKind::TryAgain);
        assert!(
            e.to_string()
                .contains("too many cluster redirects (more than 16)"),
            "{e}"
        );
        assert!(e.to_string().contains("TRYAGAIN x"), "{e}");
    }

    #[test]
    fn redirect_loops_end_after_max_redirects() {
        let s = settings();
        let mut shared = RefreshState::new();
        let t0 = Duration::from_secs(100);
        let mut r = CommandRouting::new(&s, n(7000));
        for i in 0..16 {
            let line = format!("MOVED 5 127.0.0.1:{}", 7001 + (i % 2));
            retry(r.on_error(err(&line), Sent::Maybe, false, &mut shared, t0));
        }
        let (e, _) = fail(r.on_error(
            err("MOVED 5 127.0.0.1:7001"),
            Sent::Maybe,
            false,
            &mut shared,
            t0,
        ));
        assert_eq!(e.kind(), ErrorKind::Moved);
        assert!(e.to_string().contains("MOVED 5 127.0.0.1:7001"), "{e}");
        assert_eq!(r.redirects(), 17);
    }

    #[test]
    fn clusterdown_refreshes_backs_off_and_reroutes_within_the_retry_budget() {
        let s = settings();
        let mut shared = RefreshState::new();
        let t0 = Duration::from_secs(100);
        let mut r = CommandRouting::new(&s, n(7000));
        let mut seen = Vec::new();
        for i in 0..3u64 {
            let now = t0 + Duration::from_secs(i);
            let d = r.on_error(
                err("CLUSTERDOWN The cluster is down"),
                Sent::Maybe,
                false,
                &mut shared,
                now,
            );
            let (target, wait, refresh) = retry(d);
            seen.push((target, wait.as_millis(), refresh));
            r.rerouted(n(7003));
        }
        assert_eq!(
            seen,
            [
                (Target::Reroute, 200, Refresh::Full),
                (Target::Reroute, 400, Refresh::Full),
                (Target::Reroute, 800, Refresh::Full),
            ]
        );
        let (e, refresh) = fail(r.on_error(
            err("CLUSTERDOWN The cluster is down"),
            Sent::Maybe,
            false,
            &mut shared,
            t0 + Duration::from_secs(10),
        ));
        assert_eq!(e.kind(), ErrorKind::ClusterDown);
        assert_eq!(e.code(), Some("CLUSTERDOWN"));
        assert_eq!(refresh, Refresh::Full);
        assert_eq!(r.retries(), 4);

        // MASTERDOWN counts the same; a refresh within the rate limit is skipped.
        let mut r = CommandRouting::new(&s, n(7000));
        let d = r.on_error(
            err("MASTERDOWN Link down"),
            Sent::Maybe,
            false,
            &mut shared,
            t0 + Duration::from_secs(10),
        );
        assert_eq!(retry(d).2, Refresh::None);
    }

    #[test]
    fn connection_errors_retry_only_when_nothing_ran_twice() {
        let s = settings();
        let t0 = Duration::from_secs(100);
        let refused = || Error::new(ErrorKind::Connection, "connection refused");
        let timeout = || Error::new(ErrorKind::Timeout, "read timed out");
        let cases = [
            (refused(), Sent::No, false, true),
            (refused(), Sent::Maybe, true, true),
            (refused(), Sent::Maybe, false, false),
            (timeout(), Sent::No, false, true),
            (timeout(), Sent::Maybe, true, false),
        ];
        for (e, sent, idempotent, retried) in cases {
            let what = format!("{e} {sent:?} idempotent={idempotent}");
            let mut shared = RefreshState::new();
            let mut r = CommandRouting::new(&s, n(7000));
            match r.on_error(e, sent, idempotent, &mut shared, t0) {
                Decision::Retry {
                    target, refresh, ..
                } => {
                    assert!(retried, "{what}");
                    assert_eq!(target, Target::Reroute);
                    assert_eq!(refresh, Refresh::Full);
                }
                Decision::Fail { refresh, .. } => {
                    assert!(!retried, "{what}");
                    // The node may be dead either way: the map is refreshed.
                    assert_eq!(refresh, Refresh::Full);
                }
            }
        }
    }

    #[test]
    fn other_errors_reach_the_caller_unchanged() {
        let s = settings();
        let mut shared = RefreshState::new();
        let mut r = CommandRouting::new(&s, n(7000));
        let (e, refresh) = fail(r.on_error(
            err("WRONGTYPE Operation against a key holding the wrong kind of value"),
            Sent::Maybe,
            true,
            &mut shared,
            Duration::from_secs(100),
        ));
        assert_eq!(e.kind(), ErrorKind::Response);
        assert_eq!(e.code(), Some("WRONGTYPE"));
        assert_eq!(refresh, Refresh::None);
        let (e, _) = fail(r.on_error(
            err("CROSSSLOT Keys in request don't hash to the same slot"),
            Sent::Maybe,
            true,
            &mut shared,
            Duration::from_secs(100),
        ));
        assert_eq!(e.kind(), ErrorKind::CrossSlot);
        // A MOVED the client cannot parse is returned as it came.
        let (e, _) = fail(r.on_error(
            err("MOVED nonsense"),
            Sent::Maybe,
            true,
            &mut shared,
            Duration::from_secs(100),
        ));
        assert_eq!(e.code(), Some("MOVED"));
    }

    #[test]
    fn an_uncovered_slot_refreshes_and_reroutes_then_fails_clearly() {
        let s = settings();
        let mut shared = RefreshState::new();
        let t0 = Duration::from_secs(100);
        let mut r = CommandRouting::new(&s, n(7000));
        for i in 0..3u64 {
            let d = r.on_slot_not_covered(99, &mut shared, t0 + Duration::from_secs(i));
            assert_eq!(retry(d).0, Target::Reroute);
        }
        let (e, _) = fail(r.on_slot_not_covered(99, &mut shared, t0 + Duration::from_secs(5)));
        assert_eq!(e.kind(), ErrorKind::ClusterDown);
        assert!(e.to_string().contains("slot 99 is not covered"), "{e}");
    }
}
