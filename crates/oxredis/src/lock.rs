//! Distributed locks (redis-py's `Lock`), the sans-I/O part: options, tokens and the Lua scripts
//! that make release, extend and reacquire atomic.

use std::sync::OnceLock;
use std::time::Duration;

use crate::script::Script;

/// Deletes the lock only if it still holds our token (redis-py's `LUA_RELEASE_SCRIPT`).
pub const RELEASE_SCRIPT: &str = "
local token = redis.call('get', KEYS[1])
if not token or token ~= ARGV[1] then
    return 0
end
redis.call('del', KEYS[1])
return 1
";

/// Adds to (or, with `ARGV[3] == "1"`, replaces) the lock's TTL in milliseconds, only if it
/// still holds our token and has a TTL (redis-py's `LUA_EXTEND_SCRIPT`).
pub const EXTEND_SCRIPT: &str = "
local token = redis.call('get', KEYS[1])
if not token or token ~= ARGV[1] then
    return 0
end
local expiration = redis.call('pttl', KEYS[1])
if not expiration then
    expiration = 0
end
if expiration < 0 then
    return 0
end
local newttl = ARGV[2]
if ARGV[3] == '0' then
    newttl = ARGV[2] + expiration
end
redis.call('pexpire', KEYS[1], newttl)
return 1
";

/// Resets the lock's TTL to the full timeout, only if it still holds our token
/// (redis-py's `LUA_REACQUIRE_SCRIPT`).
pub const REACQUIRE_SCRIPT: &str = "
local token = redis.call('get', KEYS[1])
if not token or token ~= ARGV[1] then
    return 0
end
redis.call('pexpire', KEYS[1], ARGV[2])
return 1
";

/// The release script, built once (its SHA1 is computed on first use).
pub fn release_script() -> &'static Script {
    static S: OnceLock<Script> = OnceLock::new();
    S.get_or_init(|| Script::new(RELEASE_SCRIPT))
}

/// The extend script, built once.
pub fn extend_script() -> &'static Script {
    static S: OnceLock<Script> = OnceLock::new();
    S.get_or_init(|| Script::new(EXTEND_SCRIPT))
}

/// The reacquire script, built once.
pub fn reacquire_script() -> &'static Script {
    static S: OnceLock<Script> = OnceLock::new();
    S.get_or_init(|| Script::new(REACQUIRE_SCRIPT))
}

/// Options of a lock, as redis-py's `Redis.lock(...)` keyword arguments.
///
/// # Examples
/// ```
/// use std::time::Duration;
/// use oxredis::LockOptions;
/// let opts = LockOptions::new()
///     .timeout(Duration::from_secs(10))
///     .blocking_timeout(Duration::from_secs(2));
/// assert_eq!(opts.get_sleep(), Duration::from_millis(100));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockOptions {
    timeout: Option<Duration>,
    sleep: Duration,
    blocking: bool,
    blocking_timeout: Option<Duration>,
}

impl Default for LockOptions {
    fn default() -> Self {
        LockOptions {
            timeout: None,
            sleep: Duration::from_millis(100),
            blocking: true,
            blocking_timeout: None,
        }
    }
}

impl LockOptions {
    /// redis-py's defaults: no TTL, 100 ms between tries, blocking, no blocking timeout.
    pub fn new() -> Self {
        Self::default()
    }

    /// The lock's time to live: it expires on its own after this (`None` by default: never).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Pause between acquisition attempts while blocking (100 ms by default).
    pub fn sleep(mut self, sleep: Duration) -> Self {
        self.sleep = sleep;
        self
    }

    /// Whether `acquire` waits for the lock (`true` by default) or tries once.
    pub fn blocking(mut self, blocking: bool) -> Self {
        self.blocking = blocking;
        self
    }

    /// Longest `acquire` waits (`None` by default: forever).
    pub fn blocking_timeout(mut self, timeout: Duration) -> Self {
        self.blocking_timeout = Some(timeout);
        self
    }

    /// The TTL, if any.
    pub fn get_timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The pause between attempts.
    pub fn get_sleep(&self) -> Duration {
        self.sleep
    }

    /// Whether acquisition blocks.
    pub fn get_blocking(&self) -> bool {
        self.blocking
    }

    /// The blocking timeout, if any.
    pub fn get_blocking_timeout(&self) -> Option<Duration> {
        self.blocking_timeout
    }
}

/// A fresh random token naming one holder of a lock: 32 hex digits (128 bits).
///
/// Uses the std hasher's per-process random keys, a counter and the clock, so tokens are unique
/// across threads and processes; they are identities, not secrets.
pub fn new_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut out = String::with_capacity(32);
    for half in 0u8..2 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(n);
        h.write_u8(half);
        h.write_u128(nanos);
        h.write_u32(std::process::id());
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

/// Milliseconds of `d` as redis-py sends them (`int(seconds * 1000)`), at least 1 for a
/// non-zero duration so a tiny TTL never means "no TTL".
pub fn millis(d: Duration) -> u64 {
    let ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    if ms == 0 && !d.is_zero() {
        1
    } else {
        ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_hex() {
        let a = new_token();
        let b = new_token();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn scripts_have_stable_shas() {
        assert_eq!(release_script().sha().len(), 40);
        assert_ne!(release_script().sha(), extend_script().sha());
        assert_eq!(millis(Duration::from_micros(10)), 1);
        assert_eq!(millis(Duration::from_millis(1500)), 1500);
    }
}
