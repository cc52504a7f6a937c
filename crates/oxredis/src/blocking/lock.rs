//! Distributed locks with the blocking client (redis-py's `Lock`).

use std::ops::Deref;
use std::time::{Duration, Instant};

use crate::lock::{
    acquire_cmd, lock_error, millis, new_token, next_acquire_wait, LockOp, LockOptions,
};
use crate::{Error, ErrorKind, Result};

use super::Redis;

impl Redis {
    /// A lock named `name` (redis-py's `Redis.lock`); nothing is sent until it is acquired.
    ///
    /// # Examples
    /// ```no_run
    /// use std::time::Duration;
    /// use oxredis::LockOptions;
    /// # let r = oxredis::Redis::from_url("redis://localhost")?;
    /// let mut lock = r.lock("resource", LockOptions::new().timeout(Duration::from_secs(10)));
    /// {
    ///     let _held = lock.acquire_guard()?;
    ///     // ... the critical section; released when `_held` drops
    /// }
    /// # Ok::<(), oxredis::Error>(())
    /// ```
    pub fn lock(&self, name: impl Into<String>, options: LockOptions) -> Lock {
        Lock {
            client: self.clone(),
            name: name.into(),
            options,
            token: None,
        }
    }
}

/// A lock held in a Redis key, with redis-py's semantics.
///
/// Acquiring sets the key to a random token (`SET NX PX`); release, extend and reacquire are
/// Lua scripts that act only while the key still holds this holder's token, so an expired lock
/// taken over by someone else is never touched. Each `Lock` value is one holder: give each
/// thread its own (redis-py's thread-local tokens).
#[derive(Debug)]
pub struct Lock {
    client: Redis,
    name: String,
    options: LockOptions,
    token: Option<String>,
}

impl Lock {
    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The options.
    pub fn options(&self) -> &LockOptions {
        &self.options
    }

    /// This holder's token while it believes it holds the lock.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// Acquires the lock as the options say: blocking (retrying every `sleep`, up to
    /// `blocking_timeout`) or trying once. `false` when it could not be had in time.
    ///
    /// # Errors
    /// A connection error.
    pub fn acquire(&mut self) -> Result<bool> {
        self.acquire_with(self.options.blocking, self.options.blocking_timeout, None)
    }

    /// Tries once, without blocking.
    ///
    /// # Errors
    /// A connection error.
    pub fn try_acquire(&mut self) -> Result<bool> {
        self.acquire_with(false, None, None)
    }

    /// Acquires with explicit `blocking`, `blocking_timeout` and optionally a caller-chosen
    /// `token` (redis-py's `acquire(blocking=, blocking_timeout=, token=)`).
    ///
    /// # Errors
    /// A connection error.
    pub fn acquire_with(
        &mut self,
        blocking: bool,
        blocking_timeout: Option<Duration>,
        token: Option<String>,
    ) -> Result<bool> {
        let token = token.unwrap_or_else(new_token);
        let started = Instant::now();
        loop {
            if self.do_acquire(&token)? {
                self.token = Some(token);
                return Ok(true);
            }
            let sleep = self.options.sleep;
            match next_acquire_wait(blocking, blocking_timeout, sleep, started.elapsed()) {
                Some(wait) => std::thread::sleep(wait),
                None => return Ok(false),
            }
        }
    }

    fn do_acquire(&self, token: &str) -> Result<bool> {
        self.client
            .run::<bool>(acquire_cmd(&self.name, token, &self.options))
    }

    /// Acquires (as [`acquire`](Self::acquire)) and returns a guard that releases on drop
    /// (redis-py's `with lock:`).
    ///
    /// # Errors
    /// [`ErrorKind::Lock`] "Unable to acquire lock within the time specified", or a connection
    /// error.
    pub fn acquire_guard(&mut self) -> Result<LockGuard<'_>> {
        if self.acquire()? {
            Ok(LockGuard { lock: self })
        } else {
            Err(self.error(
                ErrorKind::Lock,
                "Unable to acquire lock within the time specified",
            ))
        }
    }

    fn error(&self, kind: ErrorKind, message: &str) -> Error {
        lock_error(&self.name, kind, message)
    }

    /// Whether anyone holds the lock.
    ///
    /// # Errors
    /// A connection error.
    pub fn locked(&self) -> Result<bool> {
        Ok(self
            .client
            .get::<Option<bytes::Bytes>>(&self.name)?
            .is_some())
    }

    /// Whether this holder holds the lock (the key holds its token).
    ///
    /// # Errors
    /// A connection error.
    pub fn owned(&self) -> Result<bool> {
        let Some(token) = &self.token else {
            return Ok(false);
        };
        let stored: Option<bytes::Bytes> = self.client.get(&self.name)?;
        Ok(stored.as_deref() == Some(token.as_bytes()))
    }

    /// Releases the lock.
    ///
    /// # Errors
    /// [`ErrorKind::Lock`] "Cannot release an unlocked lock" when this holder has not acquired
    /// it; [`ErrorKind::LockNotOwned`] when the key no longer holds this holder's token (it
    /// expired, and perhaps someone else took it); a connection error.
    pub fn release(&mut self) -> Result<()> {
        let op = LockOp::Release;
        let token = op.check(&self.name, self.token.as_deref(), &self.options)?;
        let token = token.to_owned();
        self.token = None;
        let done: bool = op.script().call(&self.client, [&self.name], [&token])?;
        op.outcome(&self.name, done)
    }

    /// Adds `additional_time` to the lock's remaining TTL, or with `replace_ttl` sets the TTL to
    /// it.
    ///
    /// # Errors
    /// [`ErrorKind::Lock`] when not acquired or the lock has no timeout,
    /// [`ErrorKind::LockNotOwned`] when it is no longer owned, a connection error.
    pub fn extend(&self, additional_time: Duration, replace_ttl: bool) -> Result<bool> {
        let op = LockOp::Extend;
        let token = op.check(&self.name, self.token.as_deref(), &self.options)?;
        let replace = if replace_ttl { "1" } else { "0" };
        let args = (token, millis(additional_time), replace);
        let done: bool = op.script().call(&self.client, [&self.name], args)?;
        op.outcome(&self.name, done).map(|()| true)
    }

    /// Resets the lock's TTL to the full `timeout`.
    ///
    /// # Errors
    /// [`ErrorKind::Lock`] when not acquired or the lock has no timeout,
    /// [`ErrorKind::LockNotOwned`] when it is no longer owned, a connection error.
    pub fn reacquire(&self) -> Result<bool> {
        let op = LockOp::Reacquire;
        let token = op.check(&self.name, self.token.as_deref(), &self.options)?;
        let timeout = self.options.timeout.unwrap_or_default();
        let done: bool = op
            .script()
            .call(&self.client, [&self.name], (token, millis(timeout)))?;
        op.outcome(&self.name, done).map(|()| true)
    }
}

/// A held [`Lock`]; released when dropped (errors then are ignored: use
/// [`release`](Self::release) to see them).
#[derive(Debug)]
#[must_use = "the lock is released when the guard is dropped"]
pub struct LockGuard<'a> {
    lock: &'a mut Lock,
}

impl LockGuard<'_> {
    /// Releases now, reporting errors (e.g. [`ErrorKind::LockNotOwned`] after expiry).
    ///
    /// # Errors
    /// As [`Lock::release`].
    pub fn release(self) -> Result<()> {
        let mut this = std::mem::ManuallyDrop::new(self);
        this.lock.release()
    }
}

impl Deref for LockGuard<'_> {
    type Target = Lock;
    fn deref(&self) -> &Lock {
        self.lock
    }
}

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        if self.lock.token.is_some() {
            let _ = self.lock.release();
        }
    }
}
