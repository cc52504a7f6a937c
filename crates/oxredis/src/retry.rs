//! Backoff and retry policy as pure computation (redis-py's `redis/backoff.py` and `Retry`).
//!
//! Nothing here sleeps: the I/O layers ask how long to wait and do the waiting themselves
//! (`std::thread::sleep` in the blocking client, a timer in the async one).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use crate::{Error, ErrorKind};

/// redis-py's `DEFAULT_CAP`: the longest wait of the capped strategies, 512 ms.
pub const DEFAULT_CAP: Duration = Duration::from_millis(512);
/// redis-py's `DEFAULT_BASE`: the first step of the capped strategies, 8 ms.
pub const DEFAULT_BASE: Duration = Duration::from_millis(8);

/// How long to wait before a retry, given how many attempts failed so far: redis-py's backoff
/// classes (`redis/backoff.py`), with the same names, defaults and formulas. `base * 2^failures`
/// is the exponential step (the first retry, `failures == 1`, waits up to `2 * base`), capped
/// at `cap`.
///
/// | variant | redis-py | wait after `n` failures |
/// |---|---|---|
/// | [`NoBackoff`](Self::NoBackoff) | `NoBackoff()` | 0 |
/// | [`Constant`](Self::Constant) | `ConstantBackoff(b)` | `b` |
/// | [`Exponential`](Self::Exponential) | `ExponentialBackoff(cap, base)` | `min(cap, base·2ⁿ)` |
/// | [`FullJitter`](Self::FullJitter) | `FullJitterBackoff(cap, base)` | uniform in `[0, min(cap, base·2ⁿ)]` |
/// | [`EqualJitter`](Self::EqualJitter) | `EqualJitterBackoff(cap, base)` | `t + uniform[0, t]`, `t = min(cap, base·2ⁿ)/2` |
/// | [`DecorrelatedJitter`](Self::DecorrelatedJitter) | `DecorrelatedJitterBackoff(cap, base)` | `min(cap, uniform[base, max(base, 3·previous)])` |
/// | [`ExponentialWithJitter`](Self::ExponentialWithJitter) | `ExponentialWithJitterBackoff(cap, base)` | `min(cap, random·base·2ⁿ)` |
///
/// # Examples
/// ```
/// use std::time::Duration;
/// use oxredis::retry::Backoff;
/// let ms = Duration::from_millis;
/// let b = Backoff::exponential(ms(50), ms(10));
/// assert_eq!(b.compute(1), ms(20));
/// assert_eq!(b.compute(2), ms(40));
/// assert_eq!(b.compute(3), ms(50));
/// // redis-py's default_backoff(): equal jitter, 8 ms base, 512 ms cap.
/// let first = oxredis::retry::default_backoff().compute(1);
/// assert!(first >= ms(8) && first <= ms(16));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backoff {
    /// Retry at once (redis-py `NoBackoff`).
    NoBackoff,
    /// Always the same wait (redis-py `ConstantBackoff`).
    Constant(Duration),
    /// `min(cap, base * 2^failures)` (redis-py `ExponentialBackoff`).
    Exponential {
        /// Longest wait.
        cap: Duration,
        /// The exponential step's base.
        base: Duration,
    },
    /// A uniform random wait up to the exponential value (redis-py `FullJitterBackoff`).
    FullJitter {
        /// Longest wait.
        cap: Duration,
        /// The exponential step's base.
        base: Duration,
    },
    /// Half the exponential value plus a uniform random part up to the other half (redis-py
    /// `EqualJitterBackoff`, its `default_backoff()`).
    EqualJitter {
        /// Longest wait.
        cap: Duration,
        /// The exponential step's base.
        base: Duration,
    },
    /// A uniform random wait between `base` and three times the previous wait, capped
    /// (redis-py `DecorrelatedJitterBackoff`): the one strategy that depends on the previous
    /// wait, which the retry flow keeps per operation (redis-py's `reset()`).
    DecorrelatedJitter {
        /// Longest wait.
        cap: Duration,
        /// Shortest wait.
        base: Duration,
    },
    /// The exponential value with its base scaled by a random factor, capped (redis-py
    /// `ExponentialWithJitterBackoff`).
    ExponentialWithJitter {
        /// Longest wait.
        cap: Duration,
        /// The exponential step's base.
        base: Duration,
    },
}

impl Default for Backoff {
    /// Exponential with jitter from 10 ms up to 1 s (the client's default; see
    /// [`default_backoff`] for redis-py's).
    fn default() -> Self {
        Backoff::ExponentialWithJitter {
            cap: Duration::from_secs(1),
            base: Duration::from_millis(10),
        }
    }
}

/// redis-py's `default_backoff()`: [`Backoff::EqualJitter`] with [`DEFAULT_CAP`] and
/// [`DEFAULT_BASE`].
pub fn default_backoff() -> Backoff {
    Backoff::equal_jitter(DEFAULT_CAP, DEFAULT_BASE)
}

/// `min(cap, base * 2^failures)`, without overflow.
fn exponential(base: Duration, cap: Duration, failures: u32) -> Duration {
    let shift = failures.min(31);
    base.checked_mul(1u32 << shift).unwrap_or(cap).min(cap)
}

/// A uniform value in `[low, high]` from `random` in `[0, 1)`.
fn uniform(low: Duration, high: Duration, random: f64) -> Duration {
    if high <= low {
        return low;
    }
    low + (high - low).mul_f64(random.clamp(0.0, 1.0))
}

/// A random number in `[0, 1)` without a dependency: the std hasher is seeded randomly per
/// `RandomState`, which is all the jitter needs.
pub(crate) fn random_unit() -> f64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(0x9e37_79b9_7f4a_7c15);
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

impl Backoff {
    /// redis-py `ExponentialBackoff(cap, base)`.
    pub fn exponential(cap: Duration, base: Duration) -> Backoff {
        Backoff::Exponential { cap, base }
    }

    /// redis-py `FullJitterBackoff(cap, base)`.
    pub fn full_jitter(cap: Duration, base: Duration) -> Backoff {
        Backoff::FullJitter { cap, base }
    }

    /// redis-py `EqualJitterBackoff(cap, base)`.
    pub fn equal_jitter(cap: Duration, base: Duration) -> Backoff {
        Backoff::EqualJitter { cap, base }
    }

    /// redis-py `DecorrelatedJitterBackoff(cap, base)`.
    pub fn decorrelated_jitter(cap: Duration, base: Duration) -> Backoff {
        Backoff::DecorrelatedJitter { cap, base }
    }

    /// redis-py `ExponentialWithJitterBackoff(cap, base)`.
    pub fn exponential_with_jitter(cap: Duration, base: Duration) -> Backoff {
        Backoff::ExponentialWithJitter { cap, base }
    }

    /// The wait before the next attempt after `failures` failed ones (`failures >= 1`), for
    /// the first wait of an operation (decorrelated jitter starts from no previous wait).
    pub fn compute(&self, failures: u32) -> Duration {
        self.compute_with(failures, Duration::ZERO, random_unit())
    }

    /// As [`compute`](Self::compute), given the previous wait of the same operation (only
    /// decorrelated jitter uses it) and the jitter's random number (`0.0..1.0`), so the result
    /// is reproducible.
    pub fn compute_with(&self, failures: u32, previous: Duration, random: f64) -> Duration {
        match *self {
            Backoff::NoBackoff => Duration::ZERO,
            Backoff::Constant(d) => d,
            Backoff::Exponential { cap, base } => exponential(base, cap, failures),
            Backoff::FullJitter { cap, base } => {
                uniform(Duration::ZERO, exponential(base, cap, failures), random)
            }
            Backoff::EqualJitter { cap, base } => {
                let half = exponential(base, cap, failures) / 2;
                half + uniform(Duration::ZERO, half, random)
            }
            Backoff::DecorrelatedJitter { cap, base } => {
                let high = base.max(previous.saturating_mul(3));
                uniform(base, high, random).min(cap)
            }
            Backoff::ExponentialWithJitter { cap, base } => {
                exponential(base.mul_f64(random.clamp(0.0, 1.0)), cap, failures)
            }
        }
    }
}

/// A set of [`ErrorKind`]s: which errors a [`Retry`] policy retries (redis-py's
/// `Retry(..., supported_errors=...)`).
///
/// ```
/// use oxredis::retry::ErrorKinds;
/// use oxredis::ErrorKind;
/// let kinds = ErrorKinds::DEFAULT.with(ErrorKind::TryAgain);
/// assert!(kinds.contains(ErrorKind::Connection) && kinds.contains(ErrorKind::TryAgain));
/// assert!(!kinds.contains(ErrorKind::Response));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorKinds(u64);

impl ErrorKinds {
    /// No kind at all.
    pub const NONE: ErrorKinds = ErrorKinds(0);
    /// Connection and timeout errors, as redis-py 6+ retries by default.
    pub const DEFAULT: ErrorKinds =
        ErrorKinds((1 << ErrorKind::Connection as u64) | (1 << ErrorKind::Timeout as u64));

    /// The set with `kind` added.
    pub const fn with(self, kind: ErrorKind) -> ErrorKinds {
        ErrorKinds(self.0 | (1 << kind as u64))
    }

    /// The set without `kind`.
    pub const fn without(self, kind: ErrorKind) -> ErrorKinds {
        ErrorKinds(self.0 & !(1 << kind as u64))
    }

    /// Whether `kind` is in the set.
    pub const fn contains(self, kind: ErrorKind) -> bool {
        self.0 & (1 << kind as u64) != 0
    }
}

impl Default for ErrorKinds {
    fn default() -> Self {
        ErrorKinds::DEFAULT
    }
}

/// How many times to retry an operation after a connection error, and how long to wait
/// between attempts (redis-py's `Retry(backoff, retries)`).
///
/// Both clients retry by the same rules, in redis-py's spirit but never at the cost of running
/// a write twice:
/// - `LOADING` (the server is loading its data set): the command did not run, so it is retried,
///   writes included, until [`Retry::max_loading_wait`] of waiting is used up;
/// - a connection error or timeout before anything was sent: retried up to [`Retry::retries`]
///   times with [`Retry::backoff`];
/// - a connection error after the command may have been sent: retried only when the operation
///   is idempotent (read-only);
/// - a timeout after sending: never retried (the server may still be running it), unless the
///   command is read-only and [`Retry::retry_reads_after_timeout`] is set;
/// - a TLS failure ([`Error::tls_failure`](crate::Error::tls_failure): a certificate refused by
///   either side, no common version): never retried, it would fail the same way;
/// - anything else (error replies, pool exhausted...): never retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Retry {
    /// Wait between attempts.
    pub backoff: Backoff,
    /// Retries after the first failure; `0` never retries.
    pub retries: u32,
    /// How long, in waits added up, to keep retrying a command the server refused with
    /// `LOADING` (it is loading its data set after a restart, and ran nothing). Such retries do
    /// not count against `retries`: loading a large data set takes seconds.
    pub max_loading_wait: Duration,
    /// The errors retried (default [`ErrorKinds::DEFAULT`]: connection errors and timeouts).
    /// Connection errors and timeouts follow the rules above whatever else is in the set;
    /// another kind added here is an error reply, which means the server did not run the
    /// command, so it is retried, writes included (e.g. `TryAgain`, `ReadOnly`, `MasterDown`
    /// during a failover). Removing `Connection` or `Timeout` stops those retries.
    pub retry_on: ErrorKinds,
    /// Whether a read-only command whose reply timed out after it was sent is sent again
    /// (default `false`). A timeout after sending is otherwise never retried: the server may
    /// still be running the command. A read runs twice harmlessly, so a caller that prefers a
    /// second try to the error opts in here (redis-py's `retry_on_timeout=True`); a write that
    /// may have reached the server is never re-sent, whatever this says. Only with
    /// [`ErrorKind::Timeout`] in [`retry_on`](Self::retry_on).
    pub retry_reads_after_timeout: bool,
}

/// Default [`Retry::max_loading_wait`].
pub const DEFAULT_MAX_LOADING_WAIT: Duration = Duration::from_secs(30);

/// Shortest wait between two tries while the server is loading, whatever the backoff says, so
/// `NoBackoff` does not spin on `LOADING` replies.
const MIN_LOADING_WAIT: Duration = Duration::from_millis(10);
/// Longest wait between two tries while the server is loading, so the command runs soon after
/// loading ends.
const MAX_LOADING_STEP: Duration = Duration::from_millis(250);

impl Default for Retry {
    /// Three retries with [`Backoff::default`], as redis-py 6 does by default, and up to
    /// [`DEFAULT_MAX_LOADING_WAIT`] of waiting out a loading server.
    fn default() -> Self {
        Retry {
            backoff: Backoff::default(),
            retries: 3,
            max_loading_wait: DEFAULT_MAX_LOADING_WAIT,
            retry_on: ErrorKinds::DEFAULT,
            retry_reads_after_timeout: false,
        }
    }
}

impl Retry {
    /// A policy of `retries` retries with `backoff` between them (and the default wait for a
    /// loading server).
    pub fn new(backoff: Backoff, retries: u32) -> Retry {
        Retry {
            backoff,
            retries,
            max_loading_wait: DEFAULT_MAX_LOADING_WAIT,
            retry_on: ErrorKinds::DEFAULT,
            retry_reads_after_timeout: false,
        }
    }

    /// Never retry, not even on `LOADING`.
    pub fn none() -> Retry {
        Retry {
            max_loading_wait: Duration::ZERO,
            ..Retry::new(Backoff::NoBackoff, 0)
        }
    }

    /// The same policy retrying the errors in `kinds` (redis-py's `supported_errors`).
    pub fn with_retry_on(mut self, kinds: ErrorKinds) -> Retry {
        self.retry_on = kinds;
        self
    }

    /// The same policy, sending a read-only command again after its reply timed out when
    /// `on` (see [`retry_reads_after_timeout`](Self::retry_reads_after_timeout)).
    pub fn with_retry_reads_after_timeout(mut self, on: bool) -> Retry {
        self.retry_reads_after_timeout = on;
        self
    }

    /// The same policy with another [`max_loading_wait`](Self::max_loading_wait).
    pub fn with_max_loading_wait(mut self, wait: Duration) -> Retry {
        self.max_loading_wait = wait;
        self
    }

    /// After `failures` failed attempts: `Some(wait)` before trying again, or `None` when the
    /// retries are used up and the error should reach the caller.
    ///
    /// Stateless: decorrelated jitter computes from no previous wait (its base); the command
    /// retry flow keeps the previous wait and grows from it.
    pub fn next_delay(&self, failures: u32) -> Option<Duration> {
        (failures <= self.retries).then(|| self.backoff.compute(failures))
    }
}

/// Whether an attempt's command may have reached the server, as far as the I/O layer knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sent {
    /// Nothing was written: the connection could not be checked out, opened or written to.
    No,
    /// Some or all of it was written; the server may have run it.
    Maybe,
}

impl Sent {
    /// Whether the attempt that failed with `error` may have reached the server: not when the
    /// error says nothing was written ([`Error::is_unsent`]).
    pub(crate) fn of(error: &Error) -> Sent {
        if error.is_unsent() {
            Sent::No
        } else {
            Sent::Maybe
        }
    }
}

/// The retry flow of one operation, shared by the blocking and async clients: the I/O layer runs
/// an attempt, reports its error here, and either waits the returned time and tries again or
/// hands the error to the caller. Nothing here sleeps or reads a clock.
///
/// The rules, in redis-py's spirit but never at the cost of running a write twice:
/// - `LOADING` (the server is loading its data set): the command did not run, so it is retried,
///   writes included, until [`Retry::max_loading_wait`] of waiting is used up;
/// - a connection error or timeout before anything was sent: retried up to [`Retry::retries`]
///   times with [`Retry::backoff`];
/// - a connection error after the command may have been sent: retried only when the operation
///   is idempotent (read-only);
/// - a timeout after sending: never retried (the server may still be running it), unless the
///   command is read-only and [`Retry::retry_reads_after_timeout`] is set;
/// - a TLS failure ([`Error::tls_failure`](crate::Error::tls_failure): a certificate refused by
///   either side, no common version): never retried, it would fail the same way;
/// - anything else (error replies, pool exhausted...): never retried.
#[derive(Debug, Clone)]
pub(crate) struct RetryState {
    policy: Retry,
    failures: u32,
    loading_failures: u32,
    loading_waited: Duration,
    /// The last wait of this operation (decorrelated jitter grows from it).
    previous: Duration,
}

impl RetryState {
    /// A fresh flow under `policy`.
    pub(crate) fn new(policy: Retry) -> RetryState {
        RetryState {
            policy,
            failures: 0,
            loading_failures: 0,
            loading_waited: Duration::ZERO,
            previous: Duration::ZERO,
        }
    }

    /// After an attempt failed with `err`: `Some(wait)` to try again after `wait`, or `None`
    /// to give `err` to the caller. `sent` says whether the command may have reached the
    /// server; `idempotent` whether running it twice is harmless (read-only commands).
    pub(crate) fn on_error(
        &mut self,
        err: &Error,
        sent: Sent,
        idempotent: bool,
    ) -> Option<Duration> {
        if err.kind() == ErrorKind::BusyLoading {
            self.loading_failures += 1;
            let wait = self
                .policy
                .backoff
                .compute(self.loading_failures)
                .clamp(MIN_LOADING_WAIT, MAX_LOADING_STEP);
            if self.loading_waited + wait > self.policy.max_loading_wait {
                return None;
            }
            self.loading_waited += wait;
            return Some(wait);
        }
        // A certificate the client refused, or a server that refused the client's, fails the
        // same way next time: not retried.
        if err.tls_failure().is_some() {
            return None;
        }
        let kind = err.kind();
        if !self.policy.retry_on.contains(kind) {
            return None;
        }
        let retryable = match kind {
            ErrorKind::Connection => sent == Sent::No || idempotent,
            ErrorKind::Timeout => {
                sent == Sent::No || (idempotent && self.policy.retry_reads_after_timeout)
            }
            // An error reply: the server refused the command, so it did not run.
            _ => err.code().is_some(),
        };
        if !retryable {
            return None;
        }
        self.failures += 1;
        if self.failures > self.policy.retries {
            return None;
        }
        let wait = self
            .policy
            .backoff
            .compute_with(self.failures, self.previous, random_unit());
        self.previous = wait;
        Some(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    /// Draws of `b` after `failures` over the whole random range, ends included.
    fn draws(b: Backoff, failures: u32, previous: Duration) -> Vec<Duration> {
        (0..=10)
            .map(|i| b.compute_with(failures, previous, f64::from(i) / 10.0))
            .collect()
    }

    #[test]
    fn no_backoff_and_constant() {
        assert_eq!(Backoff::NoBackoff.compute(5), Duration::ZERO);
        assert_eq!(Backoff::Constant(MS(7)).compute(1), MS(7));
        assert_eq!(Backoff::Constant(MS(7)).compute(u32::MAX), MS(7));
    }

    #[test]
    fn exponential_doubles_from_twice_the_base_up_to_the_cap() {
        let e = Backoff::exponential(MS(100), MS(5));
        let got: Vec<_> = (1..=6).map(|n| e.compute(n)).collect();
        assert_eq!(got, [MS(10), MS(20), MS(40), MS(80), MS(100), MS(100)]);
        assert_eq!(e.compute(0), MS(5));
        assert_eq!(e.compute(u32::MAX), MS(100), "no overflow");
        // redis-py's defaults: 8 ms base, 512 ms cap.
        let d = Backoff::exponential(DEFAULT_CAP, DEFAULT_BASE);
        assert_eq!(d.compute(1), MS(16));
        assert_eq!(d.compute(6), MS(512));
        assert_eq!(d.compute(7), MS(512));
    }

    #[test]
    fn full_jitter_spans_zero_to_the_exponential_value() {
        let b = Backoff::full_jitter(MS(100), MS(5));
        assert_eq!(b.compute_with(3, Duration::ZERO, 0.0), Duration::ZERO);
        assert_eq!(b.compute_with(3, Duration::ZERO, 0.5), MS(20));
        assert_eq!(b.compute_with(3, Duration::ZERO, 1.0), MS(40));
        assert!(draws(b, 10, Duration::ZERO).iter().all(|&d| d <= MS(100)));
        assert_eq!(b.compute_with(10, Duration::ZERO, 1.0), MS(100));
    }

    #[test]
    fn equal_jitter_spans_half_to_all_of_the_exponential_value() {
        let b = Backoff::equal_jitter(MS(100), MS(5));
        assert_eq!(b.compute_with(3, Duration::ZERO, 0.0), MS(20));
        assert_eq!(b.compute_with(3, Duration::ZERO, 0.5), MS(30));
        assert_eq!(b.compute_with(3, Duration::ZERO, 1.0), MS(40));
        for d in draws(b, 10, Duration::ZERO) {
            assert!((MS(50)..=MS(100)).contains(&d), "{d:?}");
        }
        // default_backoff() is redis-py's: equal jitter over 8 ms..512 ms.
        assert_eq!(default_backoff(), Backoff::equal_jitter(MS(512), MS(8)));
        for n in 1..20 {
            let d = default_backoff().compute(n);
            let full = exponential(DEFAULT_BASE, DEFAULT_CAP, n);
            assert!(d >= full / 2 && d <= full, "{n}: {d:?}");
        }
    }

    #[test]
    fn decorrelated_jitter_grows_from_the_previous_wait() {
        let b = Backoff::decorrelated_jitter(MS(100), MS(5));
        // No previous wait: exactly the base, whatever the draw.
        assert!(draws(b, 1, Duration::ZERO).iter().all(|&d| d == MS(5)));
        // Between the base and three times the previous wait.
        assert_eq!(b.compute_with(2, MS(10), 0.0), MS(5));
        assert_eq!(
            b.compute_with(2, MS(10), 0.5),
            MS(17) + Duration::from_micros(500)
        );
        assert_eq!(b.compute_with(2, MS(10), 1.0), MS(30));
        // Capped.
        assert!(draws(b, 5, MS(90))
            .iter()
            .all(|&d| (MS(5)..=MS(100)).contains(&d)));
        assert_eq!(b.compute_with(5, MS(90), 1.0), MS(100));
        // RetryState feeds each wait back: the waits stay within [base, cap] and can grow.
        let mut state = RetryState::new(Retry::new(b, 50));
        let err = Error::new(ErrorKind::Connection, "x");
        let waits: Vec<_> = (0..50)
            .map(|_| state.on_error(&err, Sent::No, false).unwrap())
            .collect();
        assert_eq!(waits[0], MS(5));
        assert!(waits.iter().all(|&d| (MS(5)..=MS(100)).contains(&d)));
        assert!(waits.iter().any(|&d| d > MS(15)), "{waits:?}");
    }

    #[test]
    fn exponential_with_jitter_scales_the_base() {
        let b = Backoff::exponential_with_jitter(MS(100), MS(5));
        assert_eq!(b.compute_with(3, Duration::ZERO, 0.0), Duration::ZERO);
        assert_eq!(b.compute_with(3, Duration::ZERO, 0.5), MS(20));
        assert_eq!(b.compute_with(3, Duration::ZERO, 1.0), MS(40));
        assert!(draws(b, 20, Duration::ZERO).iter().all(|&d| d <= MS(100)));
        // The client's default policy is this strategy, 10 ms..1 s.
        assert_eq!(
            Backoff::default(),
            Backoff::exponential_with_jitter(MS(1000), MS(10))
        );
    }

    #[test]
    fn jitter_draws_are_spread() {
        // The random source gives different values (not one constant).
        for b in [
            Backoff::full_jitter(MS(1000), MS(5)),
            Backoff::equal_jitter(MS(1000), MS(5)),
            Backoff::exponential_with_jitter(MS(1000), MS(5)),
        ] {
            let samples: std::collections::HashSet<_> = (0..20).map(|_| b.compute(6)).collect();
            assert!(samples.len() > 1, "{b:?}");
        }
        let r = random_unit();
        assert!((0.0..1.0).contains(&r));
    }

    #[test]
    fn retry_policy() {
        let r = Retry::new(Backoff::Constant(Duration::from_millis(3)), 2);
        assert_eq!(r.next_delay(1), Some(Duration::from_millis(3)));
        assert_eq!(r.next_delay(2), Some(Duration::from_millis(3)));
        assert_eq!(r.next_delay(3), None);
        assert_eq!(Retry::none().next_delay(1), None);
        assert_eq!(Retry::default().retries, 3);
    }

    fn err(kind: ErrorKind) -> Error {
        Error::new(kind, "test")
    }

    #[test]
    fn retry_state_decisions() {
        let ms = Duration::from_millis;
        let policy = Retry::new(Backoff::Constant(ms(5)), 2);
        let cases: &[(ErrorKind, Sent, bool, Option<Duration>)] = &[
            (ErrorKind::Connection, Sent::No, false, Some(ms(5))),
            (ErrorKind::Connection, Sent::Maybe, true, Some(ms(5))),
            (ErrorKind::Connection, Sent::Maybe, false, None),
            (ErrorKind::Timeout, Sent::No, false, Some(ms(5))),
            (ErrorKind::Timeout, Sent::Maybe, true, None),
            (ErrorKind::Response, Sent::Maybe, true, None),
            (ErrorKind::PoolExhausted, Sent::No, true, None),
            (ErrorKind::Authentication, Sent::No, true, None),
            (ErrorKind::BusyLoading, Sent::Maybe, false, Some(ms(10))),
        ];
        for (kind, sent, idempotent, want) in cases {
            let got = RetryState::new(policy).on_error(&err(*kind), *sent, *idempotent);
            assert_eq!(got, *want, "{kind:?} {sent:?} idempotent={idempotent}");
        }
        // The budget: two retries, then the error goes to the caller.
        let mut s = RetryState::new(policy);
        let e = err(ErrorKind::Connection);
        assert_eq!(s.on_error(&e, Sent::No, false), Some(ms(5)));
        assert_eq!(s.on_error(&e, Sent::No, false), Some(ms(5)));
        assert_eq!(s.on_error(&e, Sent::No, false), None);
    }

    #[test]
    fn reads_after_a_timeout_are_retried_only_when_asked() {
        let ms = Duration::from_millis;
        let timeout = err(ErrorKind::Timeout);
        let base = Retry::new(Backoff::Constant(ms(5)), 2);
        assert!(!base.retry_reads_after_timeout);
        assert_eq!(
            RetryState::new(base).on_error(&timeout, Sent::Maybe, true),
            None
        );
        let reads = base.with_retry_reads_after_timeout(true);
        // A read that timed out after sending: retried, within the budget.
        let mut s = RetryState::new(reads);
        assert_eq!(s.on_error(&timeout, Sent::Maybe, true), Some(ms(5)));
        assert_eq!(s.on_error(&timeout, Sent::Maybe, true), Some(ms(5)));
        assert_eq!(s.on_error(&timeout, Sent::Maybe, true), None);
        // A write that may have reached the server: never.
        assert_eq!(
            RetryState::new(reads).on_error(&timeout, Sent::Maybe, false),
            None
        );
        // Not without timeouts in the set.
        let no_timeout = reads.with_retry_on(ErrorKinds::DEFAULT.without(ErrorKind::Timeout));
        assert_eq!(
            RetryState::new(no_timeout).on_error(&timeout, Sent::Maybe, true),
            None
        );
    }

    #[test]
    fn retry_on_chooses_the_kinds_retried() {
        let ms = Duration::from_millis;
        let reply = |line: &str| Error::from(crate::ServerError::from_line(line.as_bytes()));
        let try_again = reply("TRYAGAIN Multiple keys request during rehashing of slot");
        assert_eq!(try_again.kind(), ErrorKind::TryAgain);
        let base = Retry::new(Backoff::Constant(ms(5)), 2);
        // Not in the default set: given to the caller.
        assert_eq!(
            RetryState::new(base).on_error(&try_again, Sent::Maybe, false),
            None
        );
        // Added: retried even for a write (the server refused it, nothing ran).
        let with = base.with_retry_on(ErrorKinds::DEFAULT.with(ErrorKind::TryAgain));
        assert_eq!(
            RetryState::new(with).on_error(&try_again, Sent::Maybe, false),
            Some(ms(5))
        );
        // Connection errors keep their rules inside the set: a maybe-sent write is not retried.
        let conn = err(ErrorKind::Connection);
        assert_eq!(
            RetryState::new(with).on_error(&conn, Sent::Maybe, false),
            None
        );
        // Removed from the set: not even an unsent command is retried.
        let no_conn = base.with_retry_on(ErrorKinds::DEFAULT.without(ErrorKind::Connection));
        assert_eq!(
            RetryState::new(no_conn).on_error(&conn, Sent::No, false),
            None
        );
        let timeout = err(ErrorKind::Timeout);
        assert_eq!(
            RetryState::new(no_conn).on_error(&timeout, Sent::No, false),
            Some(ms(5))
        );
        // A kind that is not an error reply (a client-side condition) is never retried.
        let pool = base.with_retry_on(ErrorKinds::DEFAULT.with(ErrorKind::PoolExhausted));
        assert_eq!(
            RetryState::new(pool).on_error(&err(ErrorKind::PoolExhausted), Sent::No, true),
            None
        );
        assert!(ErrorKinds::DEFAULT.contains(ErrorKind::Timeout));
        assert!(!ErrorKinds::NONE.contains(ErrorKind::Connection));
        assert_eq!(ErrorKinds::default(), ErrorKinds::DEFAULT);
    }

    #[test]
    fn loading_is_waited_out_within_its_own_budget() {
        let ms = Duration::from_millis;
        let policy = Retry::new(Backoff::Constant(ms(100)), 0).with_max_loading_wait(ms(350));
        let mut s = RetryState::new(policy);
        let loading = err(ErrorKind::BusyLoading);
        // Loading retries do not use the (zero) connection-error budget.
        let waits: Vec<_> =
            std::iter::from_fn(|| s.on_error(&loading, Sent::Maybe, false)).collect();
        assert_eq!(waits, [ms(100), ms(100), ms(100)]);
        // The step is clamped: NoBackoff still waits, a huge backoff is cut to 250 ms.
        let mut s = RetryState::new(Retry::new(Backoff::NoBackoff, 0));
        assert_eq!(s.on_error(&loading, Sent::Maybe, false), Some(ms(10)));
        let mut s = RetryState::new(Retry::new(Backoff::Constant(Duration::from_secs(9)), 0));
        assert_eq!(s.on_error(&loading, Sent::Maybe, false), Some(ms(250)));
        assert_eq!(
            RetryState::new(Retry::none()).on_error(&loading, Sent::Maybe, false),
            None
        );
    }

    #[test]
    fn one_retry_before_sending_none_after_a_maybe_sent_write() {
        let policy = Retry::new(Backoff::Constant(Duration::from_millis(5)), 1);
        let mut state = RetryState::new(policy);
        let refused = Error::new(ErrorKind::Connection, "connection refused");
        assert_eq!(
            state.on_error(&refused, Sent::No, false),
            Some(Duration::from_millis(5))
        );
        assert_eq!(
            state.on_error(&refused, Sent::No, false),
            None,
            "one retry only"
        );
        let cut = Error::new(ErrorKind::Connection, "closed by server");
        assert_eq!(
            RetryState::new(policy).on_error(&cut, Sent::Maybe, false),
            None,
            "a write may have run"
        );
    }
}
