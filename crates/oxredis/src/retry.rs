//! Backoff and retry policy as pure computation (redis-py's `redis/backoff.py` and `Retry`).
//!
//! Nothing here sleeps: the I/O layers ask how long to wait and do the waiting themselves
//! (`std::thread::sleep` in the blocking client, a timer in the async one).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Wait between attempts.
    pub backoff: Backoff,
    /// Retries after the first failure; `0` never retries.
    pub retries: u32,
}

impl Default for Retry {
    /// Three retries with [`Backoff::default`], as redis-py 6 does by default.
    fn default() -> Self {
        Retry {
            backoff: Backoff::default(),
            retries: 3,
        }
    }
}

impl Retry {
    /// A policy of `retries` retries with `backoff` between them.
    pub fn new(backoff: Backoff, retries: u32) -> Retry {
        Retry { backoff, retries }
    }

    /// Never retry.
    pub fn none() -> Retry {
        Retry::new(Backoff::NoBackoff, 0)
    }

    /// After `failures` failed attempts: `Some(wait)` before trying again, or `None` when the
    /// retries are used up and the error should reach the caller.
    pub fn next_delay(&self, failures: u32) -> Option<Duration> {
        (failures <= self.retries).then(|| self.backoff.compute(failures))
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
}
