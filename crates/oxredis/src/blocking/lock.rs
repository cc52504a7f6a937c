//! Distributed locks with the blocking client (redis-py's `Lock`).

use std::ops::Deref;
use std::time::{Duration, Instant};

use crate::commands::options::SetOptions;
use crate::lock::{
    extend_script, millis, new_token, reacquire_script, release_script, LockOptions,
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
        self.acquire_with(
            self.options.get_blocking(),
            self.options.get_blocking_timeout(),
            None,
        )
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
        let sleep = self.options.get_sleep();
        let stop_at = blocking_timeout.map(|t| Instant::now() + t);
        loop {
            if self.do_acquire(&token)? {
                self.token = Some(token);
                return Ok(true);
            }
            if !blocking {
                return Ok(false);
            }
            let next_try = Instant::now() + sleep;
            if stop_at.is_some_and(|stop| next_try > stop) {
                return Ok(false);
            }
            std::thread::sleep(sleep);
        }
    }

    fn do_acquire(&self, token: &str) -> Result<bool> {
        let mut opts = SetOptions::default().nx();
        if let Some(ttl) = self.options.get_timeout() {
            opts = opts.px(Duration::from_millis(millis(ttl)));
        }
        self.client.set_options::<bool>(&self.name, token, &opts)
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
        Error::new(kind, format!("{message} (lock {:?})", self.name))
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
        let Some(token) = self.token.take() else {
            return Err(self.error(ErrorKind::Lock, "Cannot release an unlocked lock"));
        };
        let released: bool = release_script().call(&self.client, [&self.name], [&token])?;
        if released {
            Ok(())
        } else {
            Err(self.error(
                ErrorKind::LockNotOwned,
                "Cannot release a lock that's no longer owned",
            ))
        }
    }

    /// Adds `additional_time` to the lock's remaining TTL, or with `replace_ttl` sets the TTL to
    /// it.
    ///
    /// # Errors
    /// [`ErrorKind::Lock`] when not acquired or the lock has no timeout,
    /// [`ErrorKind::LockNotOwned`] when it is no longer owned, a connection error.
    pub fn extend(&self, additional_time: Duration, replace_ttl: bool) -> Result<bool> {
        let Some(token) = &self.token else {
            return Err(self.error(ErrorKind::Lock, "Cannot extend an unlocked lock"));
        };
        if self.options.get_timeout().is_none() {
            return Err(self.error(ErrorKind::Lock, "Cannot extend a lock with no timeout"));
        }
        let replace = if replace_ttl { "1" } else { "0" };
        let args = (token, millis(additional_time), replace);
        let ok: bool = extend_script().call(&self.client, [&self.name], args)?;
        if ok {
            Ok(true)
        } else {
            Err(self.error(
                ErrorKind::LockNotOwned,
                "Cannot extend a lock that's no longer owned",
            ))
        }
    }

    /// Resets the lock's TTL to the full `timeout`.
    ///
    /// # Errors
    /// [`ErrorKind::Lock`] when not acquired or the lock has no timeout,
    /// [`ErrorKind::LockNotOwned`] when it is no longer owned, a connection error.
    pub fn reacquire(&self) -> Result<bool> {
        let Some(token) = &self.token else {
            return Err(self.error(ErrorKind::Lock, "Cannot reacquire an unlocked lock"));
        };
        let Some(timeout) = self.options.get_timeout() else {
            return Err(self.error(ErrorKind::Lock, "Cannot reacquire a lock with no timeout"));
        };
        let ok: bool =
            reacquire_script().call(&self.client, [&self.name], (token, millis(timeout)))?;
        if ok {
            Ok(true)
        } else {
            Err(self.error(
                ErrorKind::LockNotOwned,
                "Cannot reacquire a lock that's no longer owned",
            ))
        }
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
