//! Distributed locks with the async client (redis-py's asyncio `Lock`): the same
//! [`LockOptions`], tokens, commands and Lua scripts as the blocking [`Lock`](crate::Lock), all
//! from the sans-I/O [`crate::lock`] module.

use std::time::{Duration, Instant};

use crate::lock::LockOptions;
use crate::lock::{acquire_cmd, lock_error, millis, new_token, next_acquire_wait, LockOp};
use crate::{ErrorKind, Result};

use super::Redis;

impl Redis {
    /// A lock named `name` (redis-py's `Redis.lock`); nothing is sent until it is acquired.
    ///
    /// # Examples
    /// ```no_run
    /// # async fn demo() -> oxredis::Result<()> {
    /// use std::time::Duration;
    /// let r = oxredis::aio::Redis::from_url("redis://localhost")?;
    /// let opts = oxredis::LockOptions::new().timeout(Duration::from_secs(10));
    /// let mut lock = r.lock("resource", opts);
    /// if lock.acquire().await? {
    ///     // ... the critical section
    ///     lock.release().await?;
    /// }
    /// # Ok(()) }
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

/// A lock held in a Redis key, with redis-py's semantics; the async twin of the blocking
/// [`Lock`](crate::Lock).
///
/// Acquiring sets the key to a random token (`SET NX PX`); release, extend and reacquire are
/// Lua scripts that act only while the key still holds this holder's token. Each `Lock` value
/// is one holder: give each task its own. There is no release-on-drop guard (a drop cannot
/// await); call [`release`](Self::release), or rely on the lock's `timeout`.
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
    pub async fn acquire(&mut self) -> Result<bool> {
        let (blocking, timeout) = (
            self.options.get_blocking(),
            self.options.get_blocking_timeout(),
        );
        self.acquire_with(blocking, timeout, None).await
    }

    /// Tries once, without blocking.
    ///
    /// # Errors
    /// A connection error.
    pub async fn try_acquire(&mut self) -> Result<bool> {
        self.acquire_with(false, None, None).await
    }

    /// Acquires with explicit `blocking`, `blocking_timeout` and optionally a caller-chosen
    /// `token`. Waits with a timer, never blocking the runtime thread.
    ///
    /// # Errors
    /// A connection error.
    pub async fn acquire_with(
        &mut self,
        blocking: bool,
        blocking_timeout: Option<Duration>,
        token: Option<String>,
    ) -> Result<bool> {
        let token = token.unwrap_or_else(new_token);
        let started = Instant::now();
        loop {
            let cmd = acquire_cmd(&self.name, &token, &self.options);
            if self.client.run::<bool>(cmd).await? {
                self.token = Some(token);
                return Ok(true);
            }
            let sleep = self.options.get_sleep();
            match next_acquire_wait(blocking, blocking_timeout, sleep, started.elapsed()) {
                Some(wait) => tokio::time::sleep(wait).await,
                None => return Ok(false),
            }
        }
    }

    /// Acquires as [`acquire`](Self::acquire), failing when the lock could not be had in time.
    ///
    /// # Errors
    /// [`ErrorKind::Lock`] "Unable to acquire lock within the time specified", or a connection
    /// error.
    pub async fn acquire_or_fail(&mut self) -> Result<()> {
        if self.acquire().await? {
            Ok(())
        } else {
            Err(lock_error(
                &self.name,
                ErrorKind::Lock,
                "Unable to acquire lock within the time specified",
            ))
        }
    }

    /// Whether anyone holds the lock.
    ///
    /// # Errors
    /// A connection error.
    pub async fn locked(&self) -> Result<bool> {
        let v: Option<bytes::Bytes> = self.client.get(&self.name).await?;
        Ok(v.is_some())
    }

    /// Whether this holder holds the lock (the key holds its token).
    ///
    /// # Errors
    /// A connection error.
    pub async fn owned(&self) -> Result<bool> {
        let Some(token) = &self.token else {
            return Ok(false);
        };
        let stored: Option<bytes::Bytes> = self.client.get(&self.name).await?;
        Ok(stored.as_deref() == Some(token.as_bytes()))
    }

    /// Releases the lock.
    ///
    /// # Errors
    /// [`ErrorKind::Lock`] when this holder has not acquired it; [`ErrorKind::LockNotOwned`]
    /// when the key no longer holds this holder's token (it expired, and perhaps someone else
    /// took it); a connection error.
    pub async fn release(&mut self) -> Result<()> {
        let op = LockOp::Release;
        let token = op.check(&self.name, self.token.as_deref(), &self.options)?;
        let token = token.to_owned();
        self.token = None;
        let done: bool = op
            .script()
            .call_async(&self.client, [&self.name], [&token])
            .await?;
        op.outcome(&self.name, done)
    }

    /// Adds `additional_time` to the lock's remaining TTL, or with `replace_ttl` sets the TTL to
    /// it.
    ///
    /// # Errors
    /// [`ErrorKind::Lock`] when not acquired or the lock has no timeout,
    /// [`ErrorKind::LockNotOwned`] when it is no longer owned, a connection error.
    pub async fn extend(&self, additional_time: Duration, replace_ttl: bool) -> Result<bool> {
        let op = LockOp::Extend;
        let token = op.check(&self.name, self.token.as_deref(), &self.options)?;
        let replace = if replace_ttl { "1" } else { "0" };
        let args = (token, millis(additional_time), replace);
        let done: bool = op
            .script()
            .call_async(&self.client, [&self.name], args)
            .await?;
        op.outcome(&self.name, done).map(|()| true)
    }

    /// Resets the lock's TTL to the full `timeout`.
    ///
    /// # Errors
    /// [`ErrorKind::Lock`] when not acquired or the lock has no timeout,
    /// [`ErrorKind::LockNotOwned`] when it is no longer owned, a connection error.
    pub async fn reacquire(&self) -> Result<bool> {
        let op = LockOp::Reacquire;
        let token = op.check(&self.name, self.token.as_deref(), &self.options)?;
        let timeout = self.options.get_timeout().unwrap_or_default();
        let done: bool = op
            .script()
            .call_async(&self.client, [&self.name], (token, millis(timeout)))
            .await?;
        op.outcome(&self.name, done).map(|()| true)
    }
}
