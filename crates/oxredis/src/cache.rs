//! Client-side caching (redis-py's `cache_config` / `CacheConfig`), without I/O.
//!
//! With a [`CacheConfig`] on the client (RESP3 only, as in redis-py), the replies of commands
//! the command table marks cacheable ([`CommandFlags::CACHEABLE`]: GET, HGET, MGET, LRANGE,
//! SMEMBERS, ZRANGE...) are kept in memory, keyed by the whole command (name and arguments),
//! and served from there until the server says a key they read has changed. The server tracks
//! the keys each connection read (`CLIENT TRACKING ON`, default mode) and sends an
//! `invalidate` push when one of them is modified, expires or is evicted.
//!
//! # Correctness rules
//! - An invalidation is applied as soon as its push frame is decoded, in the core's push routing
//!   ([`crate::push`]), before any later reply of that connection is handed out, and before
//!   any later cache lookup.
//! - A value read while an invalidation for one of its keys was in flight is not cached: each
//!   cacheable miss takes a *ticket* before the command is sent; an invalidation of one of its
//!   keys (or a flush) poisons the open tickets, and a poisoned ticket's reply is returned to the
//!   caller but not stored. This closes the race of a separate invalidation connection (the
//!   blocking client) and is harmless on a single connection (the async client).
//! - The whole cache is flushed on an `invalidate` with a null payload (FLUSHALL/FLUSHDB), on
//!   `tracking-redir-broken`, when the connection carrying invalidations closes (its pushes may
//!   be lost, e.g. at a server restart) and when it is set up again. Each of these starts a new
//!   *epoch*: a ticket taken in an older epoch, or on a connection whose tracking was set up in
//!   one, stores nothing.
//! - While the invalidation connection is down the cache serves nothing (every lookup is a
//!   miss) and stores nothing.
//! - Every entry lives at most [`CacheConfig::max_ttl`]; the cache is bounded by entries
//!   ([`CacheConfig::max_size`]) **and** bytes ([`CacheConfig::max_bytes`]), evicting the least
//!   recently used entry first.
//!
//! # Which connection carries the invalidations
//! - **Async client**: its one multiplexed connection. It is always being read by its driver
//!   task, so tracking on it (`CLIENT TRACKING ON`) delivers every invalidation in order with
//!   the replies.
//! - **Blocking client**: one dedicated RESP3 connection per client, read by a background
//!   thread; every pooled connection runs `CLIENT TRACKING ON REDIRECT <its id>`. Tracking on
//!   each pooled connection instead would not work: an idle pooled connection is not read by
//!   anyone, so an invalidation sent to it would sit unread in its socket while the cache kept
//!   serving the old value. One redirect connection costs one socket and one thread per client
//!   and is always read; the in-flight race it brings is closed by the tickets above.
//!
//! A write by another client is seen after the server's push reaches this process; to wait
//! for it, `sync_cache()` on either client makes one round trip on the invalidation
//! connection, after which every invalidation sent before it has been applied.
//!
//! # Tracking modes
//! [`CacheConfig::tracking`] picks how the server tracks (see [`TrackingMode`]), and
//! [`CacheConfig::prefixes`] limits what is cached to reads whose keys all start with one of
//! them. Default mode: the server remembers every key read on a tracking connection. `BCAST`:
//! the server remembers nothing and announces every change under the prefixes. `OPTIN`: the
//! server remembers only the keys of reads sent right after `CLIENT CACHING yes`, which the
//! drivers put in front of each read this cache will keep, in the same write; the rules above
//! hold unchanged in every mode (an invalidation names keys, whichever way it was decided to
//! send it). The mode logic (the tracking command, which reads are kept and which get the
//! opt-in) is here; the drivers only send what it says.
//!
//! Pipelines and transactions neither read from nor fill the cache.
#![expect(
    clippy::disallowed_types,
    reason = "entries' expiry is an Instant, always passed in by the drivers: the cache never reads the clock"
)]

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::commands::CommandFlags;
use crate::push::push_kind;
use crate::{Cmd, Value};

/// How entries are chosen for eviction when the cache is full. redis-py 8's
/// `EvictionPolicy` offers `LRU` only; so does this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum EvictionPolicy {
    /// Least recently used first.
    #[default]
    Lru,
}

/// How the server tracks what the cache holds (the modes of `CLIENT TRACKING`). redis-py 8's
/// `CacheConfig` has no such option: it always sends a plain `CLIENT TRACKING ON`, which is
/// [`TrackingMode::Default`] here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TrackingMode {
    /// The server remembers every key each connection reads and sends an invalidation when
    /// one of them changes (`CLIENT TRACKING ON`). Reads of keys outside
    /// [`CacheConfig::prefixes`] are remembered by the server too, though not cached.
    #[default]
    Default,
    /// Broadcasting (`CLIENT TRACKING ON BCAST PREFIX p ...`): the server remembers nothing per
    /// connection and sends an invalidation for every change to a key under one of
    /// [`CacheConfig::prefixes`] (every key when there are none), read or not. Only reads whose
    /// keys all fall under the prefixes are cached.
    Bcast,
    /// Opt-in (`CLIENT TRACKING ON OPTIN`): the server remembers only the keys of reads sent
    /// right after `CLIENT CACHING yes`. The client sends that (in the same write) before every
    /// read it is going to cache, that is every cacheable read whose keys fall under
    /// [`CacheConfig::prefixes`], and before no other command, so the server's tracking table
    /// holds just what the cache may hold.
    OptIn,
}

/// Client-side cache settings (redis-py's `CacheConfig`), given to
/// [`ClientBuilder::cache_config`](crate::ClientBuilder::cache_config).
///
/// # Examples
/// ```
/// use std::time::Duration;
/// use oxredis::cache::CacheConfig;
/// let c = CacheConfig::default().max_size(1000).max_bytes(1 << 20).max_ttl(Duration::from_secs(60));
/// assert_eq!((c.max_size, c.max_bytes, c.max_ttl), (1000, 1 << 20, Some(Duration::from_secs(60))));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheConfig {
    /// Most entries kept (redis-py's `max_size`, default 10,000 as there).
    pub max_size: usize,
    /// Most bytes kept, estimated as the command's bytes plus the reply's size in memory
    /// (default 64 MiB). A reply bigger than this is never cached.
    pub max_bytes: usize,
    /// Longest an entry is served without asking the server again, even if no invalidation
    /// came (default 30 minutes); `None`: until invalidated or evicted.
    pub max_ttl: Option<Duration>,
    /// Which entry goes first when full.
    pub eviction_policy: EvictionPolicy,
    /// How the server tracks the cached keys (default: [`TrackingMode::Default`]).
    pub tracking: TrackingMode,
    /// Key prefixes: only reads whose keys all start with one of them are cached (empty, the
    /// default: any key). In [`TrackingMode::Bcast`] they are also the prefixes the server
    /// broadcasts invalidations for. A prefix that another one starts with is redundant and is
    /// dropped when the client is built (the server refuses overlapping BCAST prefixes); an
    /// empty prefix means every key.
    pub prefixes: Vec<Bytes>,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            max_size: 10_000,
            max_bytes: 64 << 20,
            max_ttl: Some(Duration::from_secs(30 * 60)),
            eviction_policy: EvictionPolicy::Lru,
            tracking: TrackingMode::Default,
            prefixes: Vec::new(),
        }
    }
}

impl CacheConfig {
    /// Sets [`max_size`](Self::max_size).
    pub fn max_size(mut self, entries: usize) -> Self {
        self.max_size = entries;
        self
    }

    /// Sets [`max_bytes`](Self::max_bytes).
    pub fn max_bytes(mut self, bytes: usize) -> Self {
        self.max_bytes = bytes;
        self
    }

    /// Sets [`max_ttl`](Self::max_ttl).
    pub fn max_ttl(mut self, ttl: Duration) -> Self {
        self.max_ttl = Some(ttl);
        self
    }

    /// Sets [`eviction_policy`](Self::eviction_policy).
    pub fn eviction_policy(mut self, policy: EvictionPolicy) -> Self {
        self.eviction_policy = policy;
        self
    }

    /// Sets [`tracking`](Self::tracking).
    ///
    /// ```
    /// use oxredis::cache::{CacheConfig, TrackingMode};
    /// let c = CacheConfig::default().tracking(TrackingMode::Bcast).prefixes(["user:", "cfg:"]);
    /// assert_eq!(c.tracking, TrackingMode::Bcast);
    /// assert_eq!(c.prefixes.len(), 2);
    /// ```
    pub fn tracking(mut self, mode: TrackingMode) -> Self {
        self.tracking = mode;
        self
    }

    /// Sets [`prefixes`](Self::prefixes).
    pub fn prefixes<I, P>(mut self, prefixes: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: AsRef<[u8]>,
    {
        self.prefixes = prefixes
            .into_iter()
            .map(|p| Bytes::copy_from_slice(p.as_ref()))
            .collect();
        self
    }
}

/// The prefixes that matter: none when one of them is empty (every key), and none that
/// another one starts with (it adds nothing, and the server refuses overlapping BCAST
/// prefixes); sorted.
fn normalize_prefixes(prefixes: &[Bytes]) -> Vec<Bytes> {
    if prefixes.iter().any(|p| p.is_empty()) {
        return Vec::new();
    }
    let mut sorted = prefixes.to_vec();
    sorted.sort();
    sorted.dedup();
    let mut kept: Vec<Bytes> = Vec::with_capacity(sorted.len());
    for p in sorted {
        // Sorted: a prefix of `p` comes before it, and is the last kept one if any is.
        if kept.last().is_none_or(|k| !p.starts_with(k)) {
            kept.push(p);
        }
    }
    kept
}

/// Counters of a [`ClientCache`], since it was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CacheStats {
    /// Lookups served from the cache.
    pub hits: u64,
    /// Lookups of cacheable commands that went to the server.
    pub misses: u64,
    /// Entries removed to make room (entry or byte bound) or because their max TTL passed.
    pub evictions: u64,
    /// Keys named by `invalidate` pushes, plus one per full flush ordered by the server (null
    /// invalidation, `tracking-redir-broken`, tracking connection lost).
    pub invalidations: u64,
    /// Entries now.
    pub entries: usize,
    /// Estimated bytes now.
    pub bytes: usize,
}

impl CacheStats {
    /// `hits / (hits + misses)`, 0 before any lookup.
    pub fn hit_ratio(&self) -> f64 {
        let total = self.hits + self.misses;
        if total == 0 {
            0.0
        } else {
            self.hits as f64 / total as f64
        }
    }
}

struct Entry {
    value: Value,
    size: usize,
    expires: Option<Instant>,
    /// Position in the LRU order.
    tick: u64,
    /// The Redis keys the command read.
    keys: Vec<Bytes>,
}

struct InFlight {
    keys: Vec<Bytes>,
    poisoned: bool,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<Bytes, Entry>,
    /// LRU order: tick → cache key; the smallest tick is the least recently used.
    lru: BTreeMap<u64, Bytes>,
    /// Redis key → cache keys of the entries that read it.
    by_key: HashMap<Bytes, Vec<Bytes>>,
    bytes: usize,
    tick: u64,
    inflight: HashMap<u64, InFlight>,
    next_ticket: u64,
    /// Bumped by every flush that may have lost invalidations; see the module docs.
    epoch: u64,
    /// Whether invalidations are being received.
    up: bool,
    /// The blocking client's invalidation connection id (`CLIENT TRACKING ... REDIRECT`).
    redirect: Option<i64>,
}

impl Inner {
    fn touch(&mut self, key: &Bytes) {
        self.tick += 1;
        let tick = self.tick;
        if let Some(e) = self.entries.get_mut(key) {
            self.lru.remove(&e.tick);
            e.tick = tick;
            self.lru.insert(tick, key.clone());
        }
    }

    fn remove(&mut self, key: &Bytes) -> bool {
        let Some(e) = self.entries.remove(key) else {
            return false;
        };
        self.lru.remove(&e.tick);
        self.bytes -= e.size;
        for k in &e.keys {
            if let Some(list) = self.by_key.get_mut(k) {
                list.retain(|c| c != key);
                if list.is_empty() {
                    self.by_key.remove(k);
                }
            }
        }
        true
    }

    fn flush(&mut self) {
        self.entries.clear();
        self.lru.clear();
        self.by_key.clear();
        self.bytes = 0;
        for f in self.inflight.values_mut() {
            f.poisoned = true;
        }
    }

    fn invalidate_key(&mut self, key: &[u8]) {
        if let Some(list) = self.by_key.remove(key) {
            for c in list {
                self.remove(&c);
            }
        }
        for f in self.inflight.values_mut() {
            if f.keys.iter().any(|k| k[..] == *key) {
                f.poisoned = true;
            }
        }
    }

    /// Removes the least recently used entry; `false` when empty.
    fn evict_one(&mut self) -> bool {
        let Some((_, key)) = self.lru.pop_first() else {
            return false;
        };
        self.remove(&key)
    }
}

/// A client's local cache of replies (see the [module docs](self)). Shared by the client's
/// clones; read its counters with [`stats`](Self::stats).
pub struct ClientCache {
    config: CacheConfig,
    /// [`CacheConfig::prefixes`], normalized.
    prefixes: Vec<Bytes>,
    /// `CLIENT CACHING yes`, sent before each tracked read in [`TrackingMode::OptIn`].
    opt_in: Option<Cmd>,
    inner: Mutex<Inner>,
    hits: AtomicU64,
    misses: AtomicU64,
    evictions: AtomicU64,
    invalidations: AtomicU64,
}

impl std::fmt::Debug for ClientCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCache")
            .field("config", &self.config)
            .field("stats", &self.stats())
            .finish()
    }
}

/// The keys a command's reply depends on, when it may be cached: its declaration (its own,
/// or that of its name for a command built by hand, see [`Cmd::declaration`]) is marked
/// cacheable and names at least one key; `None` otherwise.
pub(crate) fn cacheable_keys(cmd: &Cmd) -> Option<Vec<&[u8]>> {
    let spec = cmd.declaration()?;
    if !spec.flags.contains(CommandFlags::CACHEABLE) {
        return None;
    }
    let args: Vec<&[u8]> = cmd.args().collect();
    let keys: Vec<&[u8]> = spec.keys.key_indices(&args).map(|i| args[i]).collect();
    (!keys.is_empty()).then_some(keys)
}

/// Estimated memory held by a value.
fn value_size(v: &Value) -> usize {
    let node = std::mem::size_of::<Value>();
    node + match v {
        Value::Bulk(b) | Value::Simple(b) | Value::BigNumber(b) => b.len(),
        Value::Verbatim { text, .. } => text.len() + 8,
        Value::Array(items) | Value::Set(items) | Value::Push(items) => {
            items.iter().map(value_size).sum()
        }
        Value::Map(pairs) => pairs
            .iter()
            .map(|(k, v)| value_size(k) + value_size(v))
            .sum(),
        Value::Attribute { data, attributes } => {
            value_size(data)
                + attributes
                    .iter()
                    .map(|(k, v)| value_size(k) + value_size(v))
                    .sum::<usize>()
        }
        Value::Error(_) => 64,
        Value::Nil | Value::Int(_) | Value::Double(_) | Value::Boolean(_) => 0,
    }
}

impl ClientCache {
    /// An empty cache; it serves nothing until tracking is set up
    /// ([`tracking_ready`](Self::tracking_ready)).
    pub(crate) fn new(config: CacheConfig) -> Arc<ClientCache> {
        let prefixes = normalize_prefixes(&config.prefixes);
        let opt_in = (config.tracking == TrackingMode::OptIn).then(|| {
            let mut cmd = Cmd::new("CLIENT CACHING");
            cmd.arg("yes");
            cmd
        });
        Arc::new(ClientCache {
            config,
            prefixes,
            opt_in,
            inner: Mutex::new(Inner::default()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            evictions: AtomicU64::new(0),
            invalidations: AtomicU64::new(0),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every update keeps the maps consistent before it can panic (none does), so a
        // poisoned lock is safe to keep using.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The settings.
    pub fn config(&self) -> &CacheConfig {
        &self.config
    }

    /// Number of entries (redis-py's `cache.size()`).
    pub fn size(&self) -> usize {
        self.lock().entries.len()
    }

    /// Drops every entry (redis-py's `cache.flush()`); replies in flight are not stored.
    /// Returns how many entries there were.
    pub fn clear(&self) -> usize {
        let mut inner = self.lock();
        let n = inner.entries.len();
        inner.flush();
        n
    }

    /// Drops the entries that read Redis key `key` (redis-py's
    /// `cache.delete_by_redis_keys([key])`), as an invalidation of it would; replies in
    /// flight that read it are not stored. Returns how many entries went.
    pub fn delete_by_redis_key(&self, key: &[u8]) -> usize {
        let mut inner = self.lock();
        let before = inner.entries.len();
        inner.invalidate_key(key);
        before - inner.entries.len()
    }

    /// Drops the entry of `cmd` (the whole command: name and arguments; redis-py's
    /// `cache.delete_by_cache_keys`). Returns whether there was one.
    pub fn delete(&self, cmd: &Cmd) -> bool {
        let key = Bytes::copy_from_slice(cmd.encoded_args());
        self.lock().remove(&key)
    }

    /// The cached reply of `cmd` without counting a hit or a miss and without making it the
    /// most recently used (expired or not yet served entries are `None`).
    pub fn peek(&self, cmd: &Cmd, now: Instant) -> Option<Value> {
        let inner = self.lock();
        match inner.entries.get(cmd.encoded_args()) {
            Some(e) if inner.up && e.expires.is_none_or(|t| now < t) => Some(e.value.clone()),
            _ => None,
        }
    }

    /// The counters and current size.
    pub fn stats(&self) -> CacheStats {
        let (entries, bytes) = {
            let inner = self.lock();
            (inner.entries.len(), inner.bytes)
        };
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            evictions: self.evictions.load(Ordering::Relaxed),
            invalidations: self.invalidations.load(Ordering::Relaxed),
            entries,
            bytes,
        }
    }

    /// The current epoch (see the module docs).
    #[cfg(test)]
    pub(crate) fn epoch(&self) -> u64 {
        self.lock().epoch
    }

    /// The id of the connection invalidations are redirected to, when set up.
    #[cfg(test)]
    pub(crate) fn redirect(&self) -> Option<i64> {
        self.lock().redirect
    }

    /// The current epoch and the connection id to redirect to, read together; `None` while
    /// invalidations are not being received.
    pub(crate) fn tracking_target(&self) -> Option<(u64, i64)> {
        let inner = self.lock();
        match (inner.up, inner.redirect) {
            (true, Some(id)) => Some((inner.epoch, id)),
            _ => None,
        }
    }

    /// The command that turns tracking on for a data connection: `CLIENT TRACKING ON`, with
    /// `REDIRECT id` when the invalidations go to another connection, and the mode's options
    /// (`BCAST PREFIX p ...`, `OPTIN`).
    pub(crate) fn tracking_command(&self, redirect: Option<i64>) -> Cmd {
        let mut cmd = Cmd::new("CLIENT TRACKING ON");
        if let Some(id) = redirect {
            cmd.arg("REDIRECT").arg(id);
        }
        match self.config.tracking {
            TrackingMode::Default => {}
            TrackingMode::Bcast => {
                cmd.arg("BCAST");
                for p in &self.prefixes {
                    cmd.arg("PREFIX").arg(p.clone());
                }
            }
            TrackingMode::OptIn => {
                cmd.arg("OPTIN");
            }
        }
        cmd
    }

    /// Whether this cache keeps `cmd`'s reply: the command is declared cacheable, reads at
    /// least one key, and every key it reads falls under [`CacheConfig::prefixes`].
    pub(crate) fn wants(&self, cmd: &Cmd) -> bool {
        cacheable_keys(cmd).is_some_and(|keys| self.prefixes.is_empty() || self.keys_wanted(&keys))
    }

    fn keys_wanted(&self, keys: &[&[u8]]) -> bool {
        !keys.is_empty()
            && keys
                .iter()
                .all(|k| self.prefixes.iter().any(|p| k.starts_with(p)))
    }

    /// Invalidations now arrive (on a new connection, with id `redirect` when they are
    /// redirected): flushes, starts a new epoch and serves again. Returns the epoch.
    pub(crate) fn tracking_ready(&self, redirect: Option<i64>) -> u64 {
        let mut inner = self.lock();
        inner.flush();
        inner.epoch += 1;
        inner.up = true;
        inner.redirect = redirect;
        inner.epoch
    }

    /// The connection carrying invalidations closed: some may be lost. Flushes, starts a new
    /// epoch and serves nothing until [`tracking_ready`](Self::tracking_ready).
    pub(crate) fn tracking_lost(&self) {
        let mut inner = self.lock();
        if inner.up || !inner.entries.is_empty() {
            self.invalidations.fetch_add(1, Ordering::Relaxed);
        }
        inner.flush();
        inner.epoch += 1;
        inner.up = false;
        inner.redirect = None;
    }

    /// The cached reply of `cmd`, if any (counted as a hit or a miss); `None` for commands
    /// this cache does not keep ([`wants`](Self::wants): not counted).
    pub(crate) fn get(&self, cmd: &Cmd, now: Instant) -> Option<Value> {
        if !self.wants(cmd) {
            return None;
        }
        let key = cmd.encoded_args();
        let mut inner = self.lock();
        let found = match inner.entries.get_key_value(key) {
            Some((k, e)) if inner.up && e.expires.is_none_or(|t| now < t) => {
                Some((k.clone(), e.value.clone()))
            }
            Some((k, _)) => {
                let k = k.clone();
                inner.remove(&k);
                self.evictions.fetch_add(1, Ordering::Relaxed);
                None
            }
            None => None,
        };
        match found {
            Some((key, v)) => {
                inner.touch(&key);
                drop(inner);
                self.hits.fetch_add(1, Ordering::Relaxed);
                Some(v)
            }
            None => {
                drop(inner);
                self.misses.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    /// Opens a ticket for a cacheable `cmd` about to be sent on a connection whose tracking
    /// was set up in epoch `conn_epoch`; `None` (nothing will be stored) when the command is
    /// not one this cache keeps ([`wants`](Self::wants)), the cache is not receiving
    /// invalidations, or the connection's tracking is from an older epoch. In
    /// [`TrackingMode::OptIn`] the driver sends the ticket's [`opt_in`](Ticket::opt_in)
    /// command right before `cmd`, on the same connection.
    pub(crate) fn begin(self: &Arc<Self>, cmd: &Cmd, conn_epoch: u64) -> Option<Ticket> {
        let keys = cacheable_keys(cmd)?;
        if !(self.prefixes.is_empty() || self.keys_wanted(&keys)) {
            return None;
        }
        let keys: Vec<Bytes> = keys.into_iter().map(Bytes::copy_from_slice).collect();
        let mut inner = self.lock();
        if !inner.up || inner.epoch != conn_epoch {
            return None;
        }
        inner.next_ticket += 1;
        let id = inner.next_ticket;
        inner.inflight.insert(
            id,
            InFlight {
                keys: keys.clone(),
                poisoned: false,
            },
        );
        Some(Ticket {
            cache: Arc::clone(self),
            id,
            epoch: conn_epoch,
            key: Bytes::copy_from_slice(cmd.encoded_args()),
            keys,
        })
    }

    /// Stores `reply` for a ticket that is still valid (see the module docs).
    fn complete(&self, ticket: &Ticket, reply: &Value, now: Instant) {
        if matches!(reply, Value::Error(_)) {
            return;
        }
        let size = ticket.key.len() + value_size(reply);
        if size > self.config.max_bytes || self.config.max_size == 0 {
            return;
        }
        let mut inner = self.lock();
        let valid = inner
            .inflight
            .remove(&ticket.id)
            .is_some_and(|f| !f.poisoned);
        if !valid || !inner.up || inner.epoch != ticket.epoch {
            return;
        }
        inner.remove(&ticket.key);
        let mut evicted = 0;
        while inner.entries.len() >= self.config.max_size
            || inner.bytes + size > self.config.max_bytes
        {
            if !inner.evict_one() {
                break;
            }
            evicted += 1;
        }
        inner.tick += 1;
        let tick = inner.tick;
        inner.lru.insert(tick, ticket.key.clone());
        for k in &ticket.keys {
            inner
                .by_key
                .entry(k.clone())
                .or_default()
                .push(ticket.key.clone());
        }
        inner.bytes += size;
        inner.entries.insert(
            ticket.key.clone(),
            Entry {
                value: reply.clone(),
                size,
                expires: self.config.max_ttl.and_then(|t| now.checked_add(t)),
                tick,
                keys: ticket.keys.clone(),
            },
        );
        drop(inner);
        if evicted > 0 {
            self.evictions.fetch_add(evicted, Ordering::Relaxed);
        }
    }

    /// This client ran `cmd` on one of its connections (its reply came, or it failed after it
    /// may have run): drops what it may have changed, so that the client reads its own writes
    /// at once. The server's invalidation for them comes on another connection (the blocking
    /// client's redirect connection), possibly after the write's reply: without this, a read
    /// right after a write could be served the old value. A command whose declaration names
    /// keys and is not read-only (SET, DEL, EVAL's declared keys...) drops the entries of those
    /// keys; a write without keys (FLUSHDB, FLUSHALL, SWAPDB) or a command the table does not
    /// know drops everything; a read-only or keyless non-write command (PING, INFO...) nothing.
    /// As an invalidation, it also keeps reads of those keys in flight from being stored.
    pub(crate) fn after_command(&self, cmd: &Cmd) {
        let Some(spec) = cmd.declaration() else {
            self.lock().flush();
            return;
        };
        if spec.flags.contains(CommandFlags::READONLY)
            || spec.flags.contains(CommandFlags::CACHEABLE)
        {
            return;
        }
        let args: Vec<&[u8]> = cmd.args().collect();
        let mut keys = spec.keys.key_indices(&args).peekable();
        if keys.peek().is_some() {
            let mut inner = self.lock();
            for i in keys {
                inner.invalidate_key(args[i]);
            }
        } else if spec.flags.contains(CommandFlags::WRITE) {
            self.lock().flush();
        }
    }

    /// Applies a push frame: `invalidate` (keys, or null for everything) and
    /// `tracking-redir-broken`. Returns whether it was one of those.
    pub(crate) fn on_push(&self, push: &Value) -> bool {
        let Some(kind) = push_kind(push) else {
            return false;
        };
        let payload = match push {
            Value::Push(items) => items.get(1),
            _ => None,
        };
        if kind.eq_ignore_ascii_case(b"invalidate") {
            let mut inner = self.lock();
            match payload {
                Some(Value::Array(keys)) | Some(Value::Set(keys)) => {
                    for k in keys {
                        if let Some(k) = k.as_bytes() {
                            inner.invalidate_key(k);
                        }
                    }
                    self.invalidations
                        .fetch_add(keys.len() as u64, Ordering::Relaxed);
                }
                // Null (FLUSHALL/FLUSHDB) or anything unexpected: everything goes.
                _ => {
                    inner.flush();
                    self.invalidations.fetch_add(1, Ordering::Relaxed);
                }
            }
            true
        } else if kind.eq_ignore_ascii_case(b"tracking-redir-broken") {
            // The connection our invalidations went to is gone: some may be lost. The data
            // connections set their tracking up again in the new epoch before caching more.
            let mut inner = self.lock();
            inner.flush();
            inner.epoch += 1;
            self.invalidations.fetch_add(1, Ordering::Relaxed);
            true
        } else {
            false
        }
    }
}

/// A cacheable command in flight; its reply is stored only if nothing invalidated its keys
/// (and no flush happened) between [`ClientCache::begin`] and [`complete`](Self::complete).
/// Dropping it stores nothing.
pub(crate) struct Ticket {
    cache: Arc<ClientCache>,
    id: u64,
    epoch: u64,
    key: Bytes,
    keys: Vec<Bytes>,
}

impl std::fmt::Debug for Ticket {
    /// The ticket's number only: the key may be secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ticket")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Ticket {
    /// The command to send right before the read, on the same connection and with no other
    /// command between them: `CLIENT CACHING yes` in [`TrackingMode::OptIn`], so the server
    /// tracks the read's keys; `None` in the other modes. If its reply is an error, the
    /// driver drops the ticket (the read's keys may not be tracked).
    pub(crate) fn opt_in(&self) -> Option<&Cmd> {
        self.cache.opt_in.as_ref()
    }

    /// The reply arrived (at `now`): stores it if the ticket is still valid.
    pub(crate) fn complete(self, reply: &Value, now: Instant) {
        self.cache.complete(&self, reply, now);
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.cache.lock().inflight.remove(&self.id);
    }
}

/// The decisions of the blocking client's invalidation reader (its thread only reads, writes
/// and sleeps): when to PING, either for `sync_cache` barriers or as a health check of a quiet
/// connection, and which barrier a PING's reply completes. Push frames read there go through
/// the client's push router like any other.
#[derive(Debug, Default)]
pub(crate) struct ReaderState {
    /// The barrier each PING in flight completes, oldest first (0: a health check).
    pings: VecDeque<u64>,
    /// The newest barrier a PING was sent for.
    sent: u64,
}

impl ReaderState {
    /// The PING to send now, if any: when a barrier newer than any PING sent is `requested`,
    /// or when the connection has been quiet for `idle` >= `health_every` with nothing in
    /// flight.
    pub(crate) fn next_ping(
        &mut self,
        requested: u64,
        idle: Duration,
        health_every: Duration,
    ) -> Option<Cmd> {
        let target = if requested > self.sent {
            requested
        } else if self.pings.is_empty() && idle >= health_every {
            0
        } else {
            return None;
        };
        self.pings.push_back(target);
        self.sent = self.sent.max(target);
        Some(Cmd::new("PING"))
    }

    /// A reply (a PING's) arrived: the barrier it completes (0 for a health check), if any.
    pub(crate) fn on_reply(&mut self) -> Option<u64> {
        self.pings.pop_front()
    }

    /// The connection was lost: the PINGs in flight with it, so the barriers still waiting get
    /// a PING on the next connection.
    pub(crate) fn on_lost(&mut self) {
        self.pings.clear();
        self.sent = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::build;

    fn invalidate(keys: &[&'static str]) -> Value {
        Value::Push(vec![
            Value::Bulk(Bytes::from_static(b"invalidate")),
            Value::Array(
                keys.iter()
                    .map(|k| Value::Bulk(Bytes::from_static(k.as_bytes())))
                    .collect(),
            ),
        ])
    }

    fn bulk(s: &'static str) -> Value {
        Value::Bulk(Bytes::from_static(s.as_bytes()))
    }

    fn ready(config: CacheConfig) -> (Arc<ClientCache>, u64) {
        let c = ClientCache::new(config);
        let e = c.tracking_ready(None);
        (c, e)
    }

    #[test]
    fn a_miss_then_a_hit_keyed_by_command_and_arguments() {
        let (c, e) = ready(CacheConfig::default());
        let now = Instant::now();
        let get = build::get("k");
        assert_eq!(c.get(&get, now), None);
        c.begin(&get, e).unwrap().complete(&bulk("v"), now);
        assert_eq!(c.get(&get, now), Some(bulk("v")));
        assert_eq!(c.get(&build::get("other"), now), None);
        assert_eq!(c.get(&build::strlen("k"), now), None, "another command");
        let s = c.stats();
        assert_eq!((s.hits, s.misses, s.entries), (1, 3, 1));
    }

    #[test]
    fn writes_and_unknown_commands_are_not_cacheable() {
        let (c, e) = ready(CacheConfig::default());
        assert!(c.begin(&build::set("k", "v"), e).is_none());
        let mut set = Cmd::new("set");
        set.arg("k").arg("v");
        assert!(c.begin(&set, e).is_none(), "a write built by hand");
        let mut unknown = Cmd::new("NOSUCHREAD");
        unknown.arg("k");
        assert!(c.begin(&unknown, e).is_none());
        assert_eq!(c.get(&unknown, Instant::now()), None);
        let mut no_key = Cmd::new("MGET");
        assert!(
            c.begin(no_key.arg(Vec::<&str>::new()), e).is_none(),
            "no key"
        );
        assert_eq!(c.stats().misses, 0, "not counted");
    }

    #[test]
    fn a_command_built_by_hand_is_cached_by_its_names_declaration() {
        let (c, e) = ready(CacheConfig::default());
        let now = Instant::now();
        let mut raw = Cmd::new("get");
        raw.arg("k");
        assert!(c.wants(&raw));
        assert_eq!(c.get(&raw, now), None);
        c.begin(&raw, e).unwrap().complete(&bulk("v"), now);
        assert_eq!(c.get(&raw, now), Some(bulk("v")));
        let mut mget = Cmd::new("MGET");
        mget.arg(["a", "b"]);
        c.begin(&mget, e)
            .unwrap()
            .complete(&Value::Array(vec![bulk("1"), bulk("2")]), now);
        assert_eq!(c.size(), 2);
        assert!(c.on_push(&invalidate(&["b"])));
        assert_eq!(
            c.size(),
            1,
            "MGET a b read b: its keys came from MGET's key spec"
        );
        assert_eq!(c.peek(&raw, now), Some(bulk("v")));
        assert_eq!(c.delete_by_redis_key(b"k"), 1);
        assert_eq!(c.delete_by_redis_key(b"k"), 0);
        c.begin(&raw, e).unwrap().complete(&bulk("v"), now);
        assert!(c.delete(&raw));
        assert!(!c.delete(&raw));
        c.begin(&raw, e).unwrap().complete(&bulk("v"), now);
        assert_eq!(c.clear(), 1);
        assert_eq!(c.size(), 0);
        let s = c.stats();
        assert_eq!((s.hits, s.misses), (1, 1), "peek counts nothing");
    }

    #[test]
    fn an_invalidation_removes_every_entry_reading_the_key() {
        let (c, e) = ready(CacheConfig::default());
        let now = Instant::now();
        c.begin(&build::get("a"), e)
            .unwrap()
            .complete(&bulk("1"), now);
        c.begin(&build::get("b"), e)
            .unwrap()
            .complete(&bulk("2"), now);
        let mget = build::mget(["a", "b"]);
        c.begin(&mget, e)
            .unwrap()
            .complete(&Value::Array(vec![bulk("1"), bulk("2")]), now);
        assert_eq!(c.size(), 3);
        assert!(c.on_push(&invalidate(&["a"])));
        assert_eq!(c.size(), 1, "GET a and MGET a b gone");
        assert_eq!(c.get(&build::get("b"), now), Some(bulk("2")));
        assert_eq!(c.stats().invalidations, 1);
    }

    #[test]
    fn a_reply_whose_key_was_invalidated_in_flight_is_not_stored() {
        let (c, e) = ready(CacheConfig::default());
        let now = Instant::now();
        let t = c.begin(&build::get("k"), e).unwrap();
        let other = c.begin(&build::get("j"), e).unwrap();
        c.on_push(&invalidate(&["k"]));
        t.complete(&bulk("old"), now);
        other.complete(&bulk("j"), now);
        assert_eq!(c.get(&build::get("k"), now), None);
        assert_eq!(c.get(&build::get("j"), now), Some(bulk("j")));
    }

    #[test]
    fn null_invalidation_redir_broken_and_lost_tracking_flush_everything() {
        let now = Instant::now();
        let (c, e) = ready(CacheConfig::default());
        c.begin(&build::get("k"), e)
            .unwrap()
            .complete(&bulk("v"), now);
        let inflight = c.begin(&build::get("j"), e).unwrap();
        c.on_push(&Value::Push(vec![bulk("invalidate"), Value::Nil]));
        assert_eq!(c.size(), 0);
        inflight.complete(&bulk("j"), now);
        assert_eq!(c.size(), 0, "in flight during the flush");

        c.begin(&build::get("k"), e)
            .unwrap()
            .complete(&bulk("v"), now);
        c.on_push(&Value::Push(vec![
            bulk("tracking-redir-broken"),
            Value::Int(7),
        ]));
        assert_eq!(c.size(), 0);
        assert!(c.begin(&build::get("k"), e).is_none(), "an old epoch");

        let e = c.tracking_ready(Some(7));
        assert_eq!(c.redirect(), Some(7));
        c.begin(&build::get("k"), e)
            .unwrap()
            .complete(&bulk("v"), now);
        let inflight = c.begin(&build::get("j"), e).unwrap();
        c.tracking_lost();
        assert_eq!(c.size(), 0);
        inflight.complete(&bulk("j"), now);
        assert_eq!(c.get(&build::get("j"), now), None);
        assert!(c.begin(&build::get("k"), c.epoch()).is_none(), "down");
    }

    #[test]
    fn bounded_by_entries_and_bytes_least_recently_used_first() {
        let (c, e) = ready(CacheConfig::default().max_size(2));
        let now = Instant::now();
        for k in ["a", "b"] {
            c.begin(&build::get(k), e)
                .unwrap()
                .complete(&bulk("v"), now);
        }
        assert!(
            c.get(&build::get("a"), now).is_some(),
            "a is now the newest"
        );
        c.begin(&build::get("c"), e)
            .unwrap()
            .complete(&bulk("v"), now);
        assert_eq!(c.get(&build::get("b"), now), None, "b was the oldest");
        assert!(c.get(&build::get("a"), now).is_some());
        assert_eq!(c.stats().evictions, 1);

        let one = build::get("a").encoded_args().len() + value_size(&bulk("v"));
        let (c, e) = ready(CacheConfig::default().max_bytes(2 * one + one / 2));
        for k in ["a", "b", "c"] {
            c.begin(&build::get(k), e)
                .unwrap()
                .complete(&bulk("v"), now);
        }
        let s = c.stats();
        assert_eq!((s.entries, s.bytes, s.evictions), (2, 2 * one, 1));
        let big = Value::Bulk(Bytes::from(vec![b'x'; 3 * one]));
        c.begin(&build::get("big"), e).unwrap().complete(&big, now);
        assert_eq!(
            c.get(&build::get("big"), now),
            None,
            "bigger than the bound"
        );
    }

    #[test]
    fn entries_expire_after_max_ttl_and_errors_are_not_cached() {
        let (c, e) = ready(CacheConfig::default().max_ttl(Duration::from_secs(10)));
        let now = Instant::now();
        c.begin(&build::get("k"), e)
            .unwrap()
            .complete(&bulk("v"), now);
        assert!(c
            .get(&build::get("k"), now + Duration::from_secs(9))
            .is_some());
        assert_eq!(c.get(&build::get("k"), now + Duration::from_secs(10)), None);
        assert_eq!(c.stats().evictions, 1);
        let err = Value::Error(crate::ServerError::from_line(b"WRONGTYPE x"));
        c.begin(&build::get("k"), e).unwrap().complete(&err, now);
        assert_eq!(c.size(), 0);
    }

    #[test]
    fn the_reader_pings_for_barriers_and_health_and_repings_after_a_loss() {
        let s = Duration::from_secs;
        let mut r = ReaderState::default();
        assert!(r.next_ping(0, s(0), s(1)).is_none(), "nothing wanted");
        assert!(r.next_ping(2, s(0), s(1)).is_some(), "barriers 1 and 2");
        assert!(
            r.next_ping(2, s(5), s(1)).is_none(),
            "sent; a ping in flight"
        );
        assert!(r.next_ping(3, s(0), s(1)).is_some());
        assert_eq!(r.on_reply(), Some(2));
        assert_eq!(r.on_reply(), Some(3));
        assert_eq!(r.on_reply(), None);
        assert!(r.next_ping(3, s(1), s(1)).is_some(), "quiet: health check");
        assert_eq!(r.on_reply(), Some(0));
        // A barrier whose PING was lost with the connection is pinged again.
        assert!(r.next_ping(4, s(0), s(1)).is_some());
        r.on_lost();
        assert!(r.next_ping(4, s(0), s(1)).is_some());
        assert_eq!(r.on_reply(), Some(4));
    }

    fn args(cmd: &Cmd) -> Vec<String> {
        cmd.args()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect()
    }

    #[test]
    fn overlapping_and_duplicate_prefixes_reduce_to_the_shortest() {
        let p = |v: &[&'static str]| -> Vec<Bytes> {
            v.iter().map(|s| Bytes::from_static(s.as_bytes())).collect()
        };
        assert_eq!(
            normalize_prefixes(&p(&["a:x:", "b:", "a:", "a:", "ab"])),
            p(&["a:", "ab", "b:"])
        );
        assert_eq!(normalize_prefixes(&p(&["a:", ""])), p(&[]), "every key");
        assert_eq!(normalize_prefixes(&p(&[])), p(&[]));
    }

    #[test]
    fn the_tracking_command_carries_the_mode() {
        let c = ClientCache::new(CacheConfig::default());
        assert_eq!(
            args(&c.tracking_command(None)),
            ["CLIENT", "TRACKING", "ON"]
        );
        assert_eq!(
            args(&c.tracking_command(Some(12))),
            ["CLIENT", "TRACKING", "ON", "REDIRECT", "12"]
        );
        let c = ClientCache::new(
            CacheConfig::default()
                .tracking(TrackingMode::Bcast)
                .prefixes(["u:", "cfg:", "u:1"]),
        );
        assert_eq!(
            args(&c.tracking_command(Some(3))),
            [
                "CLIENT", "TRACKING", "ON", "REDIRECT", "3", "BCAST", "PREFIX", "cfg:", "PREFIX",
                "u:"
            ]
        );
        let c = ClientCache::new(CacheConfig::default().tracking(TrackingMode::Bcast));
        assert_eq!(
            args(&c.tracking_command(None)),
            ["CLIENT", "TRACKING", "ON", "BCAST"],
            "no prefix: every key"
        );
        let c = ClientCache::new(CacheConfig::default().tracking(TrackingMode::OptIn));
        assert_eq!(
            args(&c.tracking_command(None)),
            ["CLIENT", "TRACKING", "ON", "OPTIN"]
        );
    }

    #[test]
    fn prefixes_decide_what_is_kept_and_optin_tickets_carry_client_caching_yes() {
        let c = ClientCache::new(
            CacheConfig::default()
                .tracking(TrackingMode::OptIn)
                .prefixes(["u:"]),
        );
        let e = c.tracking_ready(None);
        let now = Instant::now();
        assert!(c.wants(&build::get("u:1")));
        assert!(!c.wants(&build::get("x:1")));
        assert!(c.wants(&build::mget(["u:1", "u:2"])));
        assert!(!c.wants(&build::mget(["u:1", "x:2"])), "one key outside");
        assert!(!c.wants(&build::set("u:1", "v")), "not cacheable");
        assert!(c.begin(&build::get("x:1"), e).is_none());
        assert_eq!(c.get(&build::get("x:1"), now), None);
        assert_eq!(c.stats().misses, 0, "outside the prefixes: not counted");
        let t = c.begin(&build::get("u:1"), e).unwrap();
        assert_eq!(args(t.opt_in().unwrap()), ["CLIENT", "CACHING", "yes"]);
        t.complete(&bulk("v"), now);
        assert_eq!(c.get(&build::get("u:1"), now), Some(bulk("v")));

        let (c, e) = ready(CacheConfig::default());
        assert!(c.begin(&build::get("x:1"), e).unwrap().opt_in().is_none());
    }

    #[test]
    fn the_clients_own_commands_drop_what_they_may_have_changed() {
        let (c, e) = ready(CacheConfig::default());
        let now = Instant::now();
        let fill = |keys: &[&'static str]| {
            for k in keys {
                c.begin(&build::get(*k), e)
                    .unwrap()
                    .complete(&bulk("v"), now);
            }
        };
        fill(&["a", "b", "c"]);
        let raw = |words: &[&str]| {
            let mut cmd = Cmd::new(words[0]);
            for w in &words[1..] {
                cmd.arg(*w);
            }
            cmd
        };
        c.after_command(&raw(&["PING"]));
        c.after_command(&raw(&["TTL", "a"]));
        c.after_command(&raw(&["GET", "a"]));
        assert_eq!(c.size(), 3, "reads and keyless non-writes change nothing");
        c.after_command(&build::set("a", "1"));
        assert_eq!(c.get(&build::get("a"), now), None);
        c.after_command(&raw(&["hset", "b", "f", "1"]));
        assert_eq!(c.size(), 1, "a write built by hand: its keys");
        let inflight = c.begin(&build::get("d"), e).unwrap();
        c.after_command(&raw(&["EVAL", "return 1", "1", "d"]));
        inflight.complete(&bulk("old"), now);
        assert_eq!(c.size(), 1, "a script's declared key, in flight");
        c.after_command(&raw(&["FLUSHDB"]));
        assert_eq!(c.size(), 0, "a write without keys: everything");
        fill(&["a"]);
        c.after_command(&raw(&["NO.SUCH.COMMAND", "x"]));
        assert_eq!(c.size(), 0, "unknown: everything");
        assert_eq!(c.stats().invalidations, 0, "not the server's");
    }

    #[test]
    fn a_dropped_ticket_leaves_nothing_in_flight() {
        let (c, e) = ready(CacheConfig::default());
        drop(c.begin(&build::get("k"), e));
        assert!(c.lock().inflight.is_empty());
    }
}
