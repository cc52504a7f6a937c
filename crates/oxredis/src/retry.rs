//! Backoff and retry policy as pure computation (redis-py's `redis/backoff.py` and `Retry`).
//!
//! Nothing here sleeps: the I/O layers ask how long to wait and do the waiting themselves
//! (`std::thread::sleep` in the blocking client, a timer in the async one).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use crate::{Error, ErrorKind};

/// How long to wait before a retry, given how many attempts failed so far.
///
/// # Examples
/// ```
/// use std::time::Duration;
/// use oxredis::retry::Backoff;
/// let b = Backoff::Exponential { base: Duration::from_millis(10), cap: Duration::from_millis(50) };
/// assert_eq!(b.compute(1), Duration::from_millis(10));
/// assert_eq!(b.compute(2), Duration::from_millis(20));
/// assert_eq!(b.compute(4), Duration::from_millis(50));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backoff {
    /// Retry at once (redis-py `NoBackoff`).
    NoBackoff,
    /// Always the same wait (redis-py `ConstantBackoff`).
    Constant(Duration),
    /// `base * 2^(failures-1)`, at most `cap` (redis-py `ExponentialBackoff`).
    Exponential {
        /// Wait after the first failure.
        base: Duration,
        /// Longest wait.
        cap: Duration,
    },
    /// A random wait between zero and the exponential value (redis-py
    /// `ExponentialWithJitterBackoff`, "full jitter"), so many clients do not reconnect in step.
    ExponentialWithJitter {
        /// Wait after the first failure (before jitter).
        base: Duration,
        /// Longest wait.
        cap: Duration,
    },
}

impl Default for Backoff {
    /// Exponential with jitter from 10 ms up to 1 s.
    fn default() -> Self {
        Backoff::ExponentialWithJitter {
            base: Duration::from_millis(10),
            cap: Duration::from_secs(1),
        }
    }
}

fn exponential(base: Duration, cap: Duration, failures: u32) -> Duration {
    let shift = failures.saturating_sub(1).min(31);
    base.checked_mul(1u32 << shift).unwrap_or(cap).min(cap)
}

/// A random number in `[0, 1)` without a dependency: the std hasher is seeded randomly per
/// `RandomState`, which is all the jitter needs.
fn random_unit() -> f64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(0x9e37_79b9_7f4a_7c15);
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

impl Backoff {
    /// The wait before the next attempt after `failures` failed ones (`failures >= 1`).
    pub fn compute(&self, failures: u32) -> Duration {
        self.compute_with(failures, random_unit())
    }

    /// As [`compute`](Self::compute) with the jitter's random number given (`0.0..1.0`), so
    /// the result is reproducible.
    pub fn compute_with(&self, failures: u32, random: f64) -> Duration {
        match *self {
            Backoff::NoBackoff => Duration::ZERO,
            Backoff::Constant(d) => d,
            Backoff::Exponential { base, cap } => exponential(base, cap, failures),
            Backoff::ExponentialWithJitter { base, cap } => {
                exponential(base, cap, failures).mul_f64(random.clamp(0.0, 1.0))
            }
        }
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
/// - a timeout after sending: never retried (the server may still be running it);
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
        }
    }

    /// Never retry, not even on `LOADING`.
    pub fn none() -> Retry {
        Retry {
            max_loading_wait: Duration::ZERO,
            ..Retry::new(Backoff::NoBackoff, 0)
        }
    }

    /// The same policy with another [`max_loading_wait`](Self::max_loading_wait).
    pub fn with_max_loading_wait(mut self, wait: Duration) -> Retry {
        self.max_loading_wait = wait;
        self
    }

    /// After `failures` failed attempts: `Some(wait)` before trying again, or `None` when the
    /// retries are used up and the error should reach the caller.
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
/// - a timeout after sending: never retried (the server may still be running it);
/// - a TLS failure ([`Error::tls_failure`](crate::Error::tls_failure): a certificate refused by
///   either side, no common version): never retried, it would fail the same way;
/// - anything else (error replies, pool exhausted...): never retried.
#[derive(Debug, Clone)]
pub(crate) struct RetryState {
    policy: Retry,
    failures: u32,
    loading_failures: u32,
    loading_waited: Duration,
}

impl RetryState {
    /// A fresh flow under `policy`.
    pub(crate) fn new(policy: Retry) -> RetryState {
        RetryState {
            policy,
            failures: 0,
            loading_failures: 0,
            loading_waited: Duration::ZERO,
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
        let retryable = match err.kind() {
            ErrorKind::Connection => sent == Sent::No || idempotent,
            ErrorKind::Timeout => sent == Sent::No,
            _ => false,
        };
        if !retryable {
            return None;
        }
        self.failures += 1;
        self.policy.next_delay(self.failures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoffs() {
        let ms = Duration::from_millis;
        assert_eq!(Backoff::NoBackoff.compute(5), Duration::ZERO);
        assert_eq!(Backoff::Constant(ms(7)).compute(9), ms(7));
        let e = Backoff::Exponential {
            base: ms(5),
            cap: ms(100),
        };
        let got: Vec<_> = (1..=7).map(|n| e.compute(n)).collect();
        assert_eq!(
            got,
            [ms(5), ms(10), ms(20), ms(40), ms(80), ms(100), ms(100)]
        );
        assert_eq!(e.compute(u32::MAX), ms(100));
        let j = Backoff::ExponentialWithJitter {
            base: ms(5),
            cap: ms(100),
        };
        assert_eq!(j.compute_with(3, 0.5), ms(10));
        assert_eq!(j.compute_with(3, 0.0), Duration::ZERO);
        for n in 1..20 {
            assert!(j.compute(n) <= ms(100));
        }
        // The random source spreads values (not all equal).
        let samples: std::collections::HashSet<_> = (0..20).map(|_| j.compute(10)).collect();
        assert!(samples.len() > 1);
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
