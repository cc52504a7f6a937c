//! Distributed locks (redis-py's `Lock`), the sans-I/O part: options, tokens and the Lua scripts
//! that make release, extend and reacquire atomic.

use std::sync::OnceLock;
use std::time::Duration;

use crate::commands::options::SetOptions;
use crate::script::Script;
use crate::{Cmd, Error, ErrorKind, Result};

/// Deletes the lock only if it still holds our token (redis-py's `LUA_RELEASE_SCRIPT`).
pub(crate) const RELEASE_SCRIPT: &str = "
local token = redis.call('get', KEYS[1])
if not token or token ~= ARGV[1] then
    return 0
end
redis.call('del', KEYS[1])
return 1
";

/// Adds to (or, with `ARGV[3] == "1"`, replaces) the lock's TTL in milliseconds, only if it
/// still holds our token and has a TTL (redis-py's `LUA_EXTEND_SCRIPT`).
pub(crate) const EXTEND_SCRIPT: &str = "
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
pub(crate) const REACQUIRE_SCRIPT: &str = "
local token = redis.call('get', KEYS[1])
if not token or token ~= ARGV[1] then
    return 0
end
redis.call('pexpire', KEYS[1], ARGV[2])
return 1
";

/// The release script, built once (its SHA1 is computed on first use).
pub(crate) fn release_script() -> &'static Script {
    static S: OnceLock<Script> = OnceLock::new();
    S.get_or_init(|| Script::new(RELEASE_SCRIPT))
}

/// The extend script, built once.
pub(crate) fn extend_script() -> &'static Script {
    static S: OnceLock<Script> = OnceLock::new();
    S.get_or_init(|| Script::new(EXTEND_SCRIPT))
}

/// The reacquire script, built once.
pub(crate) fn reacquire_script() -> &'static Script {
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
/// assert_eq!(opts.sleep, Duration::from_millis(100));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct LockOptions {
    /// The lock's time to live (`None`: never expires).
    pub timeout: Option<Duration>,
    /// Pause between acquisition attempts while blocking.
    pub sleep: Duration,
    /// Whether `acquire` waits for the lock or tries once.
    pub blocking: bool,
    /// Longest `acquire` waits (`None`: forever).
    pub blocking_timeout: Option<Duration>,
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
}

/// A fresh random token naming one holder of a lock: 32 hex digits (128 bits).
///
/// Uses the std hasher's per-process random keys, a counter and the clock, so tokens are unique
/// across threads and processes; they are identities, not secrets.
#[expect(
    clippy::disallowed_methods,
    reason = "the clock is only entropy for the token here, not time"
)]
pub(crate) fn new_token() -> String {
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
pub(crate) fn millis(d: Duration) -> u64 {
    let ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    if ms == 0 && !d.is_zero() {
        1
    } else {
        ms
    }
}

/// `SET name token NX [PX timeout]`: one attempt at taking the lock; replies `true` when taken.
pub(crate) fn acquire_cmd(name: &str, token: &str, options: &LockOptions) -> Cmd {
    let mut opts = SetOptions::default().nx();
    if let Some(ttl) = options.timeout {
        opts = opts.px(Duration::from_millis(millis(ttl)));
    }
    crate::commands::build::set_options(name, token, &opts)
}

/// An error about the lock `name`, as both clients word it.
pub(crate) fn lock_error(name: &str, kind: ErrorKind, message: &str) -> Error {
    Error::new(kind, format!("{message} (lock {name:?})"))
}

/// The operations on a held lock that run one of the lock scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LockOp {
    /// Delete the key if it holds our token.
    Release,
    /// Add to or replace the TTL.
    Extend,
    /// Reset the TTL to the full timeout.
    Reacquire,
}

impl LockOp {
    fn verb(self) -> &'static str {
        match self {
            LockOp::Release => "release",
            LockOp::Extend => "extend",
            LockOp::Reacquire => "reacquire",
        }
    }

    /// The script the operation runs.
    pub(crate) fn script(self) -> &'static Script {
        match self {
            LockOp::Release => release_script(),
            LockOp::Extend => extend_script(),
            LockOp::Reacquire => reacquire_script(),
        }
    }

    /// The operation's preconditions: this holder has a token, and (extend, reacquire) the lock
    /// has a timeout. Gives the token.
    ///
    /// # Errors
    /// [`ErrorKind::Lock`] "Cannot release an unlocked lock" and the like.
    pub(crate) fn check<'t>(
        self,
        name: &str,
        token: Option<&'t str>,
        options: &LockOptions,
    ) -> Result<&'t str> {
        let Some(token) = token else {
            let msg = format!("Cannot {} an unlocked lock", self.verb());
            return Err(lock_error(name, ErrorKind::Lock, &msg));
        };
        if self != LockOp::Release && options.timeout.is_none() {
            let msg = format!("Cannot {} a lock with no timeout", self.verb());
            return Err(lock_error(name, ErrorKind::Lock, &msg));
        }
        Ok(token)
    }

    /// What the script's `0`/`1` reply means.
    ///
    /// # Errors
    /// [`ErrorKind::LockNotOwned`] when the key no longer held this holder's token.
    pub(crate) fn outcome(self, name: &str, done: bool) -> Result<()> {
        if done {
            return Ok(());
        }
        let msg = format!("Cannot {} a lock that's no longer owned", self.verb());
        Err(lock_error(name, ErrorKind::LockNotOwned, &msg))
    }
}

/// After a failed acquisition attempt, `elapsed` after the first one started: how long to sleep
/// before the next, or `None` to give up (not blocking, or the next try would fall after
/// `blocking_timeout`). Time comes in as an argument: the core reads no clock.
pub(crate) fn next_acquire_wait(
    blocking: bool,
    blocking_timeout: Option<Duration>,
    sleep: Duration,
    elapsed: Duration,
) -> Option<Duration> {
    if !blocking {
        return None;
    }
    if blocking_timeout.is_some_and(|t| elapsed + sleep > t) {
        return None;
    }
    Some(sleep)
}

/// Whether one acquisition attempt ([`acquire_cmd`]) may have left the key holding its token,
/// given its reply: `Ok(true)` says it did; `Ok(false)`, an error reply from the server, and an
/// error for a command never sent say it did not; any other error (a timeout, a connection lost
/// after sending) leaves it unknown, so it may have.
#[cfg_attr(
    not(feature = "tokio"),
    allow(dead_code, reason = "used by the async lock")
)]
pub(crate) fn attempt_may_hold(reply: &Result<bool>) -> bool {
    match reply {
        Ok(taken) => *taken,
        Err(e) => !e.is_unsent() && e.server_error().is_none(),
    }
}

/// Whether an acquisition attempt that nobody will claim (its caller dropped the acquire future,
/// or got an error instead of the lock) must be undone with the release script
/// ([`LockOp::Release`], which deletes the key only while it holds this attempt's token).
/// `reply` is `None` when the attempt itself never finished (its task was cancelled, e.g. at
/// runtime shutdown): its `SET` may have landed, so release too.
///
/// This is what makes the async acquire cancel safe: a token nobody holds is never left in the
/// key (where, with no `timeout`, it would stay for ever).
#[cfg_attr(
    not(feature = "tokio"),
    allow(dead_code, reason = "used by the async lock")
)]
pub(crate) fn release_unclaimed(reply: Option<&Result<bool>>) -> bool {
    reply.is_none_or(attempt_may_hold)
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

    #[test]
    fn op_checks_and_outcomes() {
        let no_ttl = LockOptions::new();
        let ttl = LockOptions::new().timeout(Duration::from_secs(1));
        let e = LockOp::Release.check("l", None, &ttl).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Lock);
        assert!(
            e.to_string().contains("Cannot release an unlocked lock"),
            "{e}"
        );
        assert_eq!(LockOp::Release.check("l", Some("t"), &no_ttl).unwrap(), "t");
        let e = LockOp::Extend.check("l", Some("t"), &no_ttl).unwrap_err();
        assert!(
            e.to_string()
                .contains("Cannot extend a lock with no timeout"),
            "{e}"
        );
        let e = LockOp::Reacquire.outcome("l", false).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LockNotOwned);
        assert!(LockOp::Reacquire.outcome("l", true).is_ok());
        let cmd = acquire_cmd("l", "t", &ttl);
        let args: Vec<&[u8]> = cmd.args().collect();
        assert_eq!(args, [&b"SET"[..], b"l", b"t", b"PX", b"1000", b"NX"]);
        let ms = Duration::from_millis;
        assert_eq!(next_acquire_wait(false, None, ms(5), ms(0)), None);
        assert_eq!(next_acquire_wait(true, None, ms(5), ms(900)), Some(ms(5)));
        assert_eq!(next_acquire_wait(true, Some(ms(1)), ms(5), ms(0)), None);
        assert_eq!(
            next_acquire_wait(true, Some(ms(100)), ms(5), ms(90)),
            Some(ms(5))
        );
        assert_eq!(next_acquire_wait(true, Some(ms(100)), ms(5), ms(96)), None);
    }

    #[test]
    fn unclaimed_attempts_are_released_unless_they_cannot_hold() {
        let unsent = || Error::new(ErrorKind::Connection, "not sent").mark_unsent();
        let lost = || Error::new(ErrorKind::Connection, "connection lost");
        let timeout = || Error::new(ErrorKind::Timeout, "no reply");
        let refused = || Error::from(crate::ServerError::from_line(b"OOM no memory"));
        // (reply, may it hold the lock)
        let cases: [(Result<bool>, bool); 6] = [
            (Ok(true), true),
            (Ok(false), false),
            (Err(unsent()), false),
            (Err(refused()), false),
            (Err(lost()), true),
            (Err(timeout()), true),
        ];
        for (reply, holds) in &cases {
            assert_eq!(attempt_may_hold(reply), *holds, "{reply:?}");
            assert_eq!(release_unclaimed(Some(reply)), *holds, "{reply:?}");
        }
        assert!(release_unclaimed(None));
    }
}
