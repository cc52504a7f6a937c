//! Distributed locks with the async client (redis-py's asyncio `Lock`): the same
//! [`LockOptions`], tokens, commands and Lua scripts as the blocking [`Lock`](crate::Lock), all
//! from the sans-I/O [`crate::lock`] module.

use std::future::Future;
use std::time::{Duration, Instant};

use tokio::runtime::Handle;
use tokio::task::JoinHandle;

use crate::lock::LockOptions;
use crate::lock::{
    acquire_cmd, attempt_may_hold, lock_error, millis, new_token, next_acquire_wait,
    release_unclaimed, LockOp,
};
use crate::{Cmd, Error, ErrorKind, Result};

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
/// is one holder: give each task its own. There is no release-on-drop guard for a held lock (a
/// drop cannot await); call [`release`](Self::release), or rely on the lock's `timeout`.
///
/// # Cancel safety
///
/// Dropping any of its futures (directly, by `tokio::time::timeout`, in a `select!`...) never
/// leaves the key holding a token that no `Lock` holds: each acquisition attempt and each
/// release runs in a task of its own, whose outcome outlives the caller's future. See each
/// method's `# Cancel safety` section. This needs a tokio runtime where the future is polled
/// (as the client's connection does); polled outside one, they run inline and are not cancel
/// safe.
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
    ///
    /// # Cancel safety
    /// Cancel safe: dropping the future at any point leaves the lock either not taken by this
    /// call or released again, and [`token`](Self::token) as it was before the call. Each
    /// attempt (`SET name token NX [PX timeout]`) runs in a task of its own; the future only
    /// awaits it. When the future is dropped while an attempt is pending (not yet sent, sent
    /// with no reply yet, or answered but not yet returned to the caller), a background task
    /// waits for that attempt's reply and, if it took the lock (or its outcome is unknown),
    /// runs the same token-checked release script as [`release`](Self::release): the key is
    /// deleted only if it still holds this attempt's token, never another holder's. Dropped
    /// while sleeping between attempts, nothing is pending (the last attempt did not take the
    /// lock). A call that fails with an error after its `SET` may have landed (a timeout, a
    /// connection lost) starts the same release in the background as it returns the error.
    /// Dropped before its
    /// first poll, nothing was sent. The release is best effort: it is lost if the runtime
    /// shuts down first or the server cannot be reached, and then a lock with a `timeout`
    /// still expires on its own.
    pub async fn acquire(&mut self) -> Result<bool> {
        let (blocking, timeout) = (self.options.blocking, self.options.blocking_timeout);
        self.acquire_with(blocking, timeout, None).await
    }

    /// Tries once, without blocking.
    ///
    /// # Errors
    /// A connection error.
    ///
    /// # Cancel safety
    /// Cancel safe, as [`acquire`](Self::acquire).
    pub async fn try_acquire(&mut self) -> Result<bool> {
        self.acquire_with(false, None, None).await
    }

    /// Acquires with explicit `blocking`, `blocking_timeout` and optionally a caller-chosen
    /// `token`. Waits with a timer, never blocking the runtime thread.
    ///
    /// # Errors
    /// A connection error.
    ///
    /// # Cancel safety
    /// Cancel safe, as [`acquire`](Self::acquire). With a caller-chosen `token`, a dropped or
    /// failed attempt releases the key if it holds that token: give each holder a token of
    /// its own.
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
            let reply = match Handle::try_current() {
                Ok(rt) => {
                    let holder = Holder {
                        client: self.client.clone(),
                        name: self.name.clone(),
                        token: token.clone(),
                    };
                    // Claims the attempt's reply in the same poll that sets `self.token`: no
                    // await in between, so ownership is never lost to a drop.
                    Attempt::start(rt, holder, cmd).reply().await
                }
                // Not cancel safe (documented): no runtime to run the attempt on its own.
                Err(_) => self.client.run::<bool>(cmd).await,
            };
            if reply.as_ref().is_ok_and(|taken| *taken) {
                self.token = Some(token);
                return Ok(true);
            }
            reply?;
            let sleep = self.options.sleep;
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
    ///
    /// # Cancel safety
    /// Cancel safe, as [`acquire`](Self::acquire).
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
    ///
    /// # Cancel safety
    /// Cancel safe: a read (`GET`) that changes nothing.
    pub async fn locked(&self) -> Result<bool> {
        let v: Option<bytes::Bytes> = self.client.get(&self.name).await?;
        Ok(v.is_some())
    }

    /// Whether this holder holds the lock (the key holds its token).
    ///
    /// # Errors
    /// A connection error.
    ///
    /// # Cancel safety
    /// Cancel safe: a read (`GET`) that changes nothing.
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
    ///
    /// # Cancel safety
    /// Cancel safe: once the future has been polled, this holder has given the lock up
    /// ([`token`](Self::token) is `None`) and the release script runs to completion in a task
    /// of its own even if the future is dropped (only its reply is lost). Dropped before its
    /// first poll, nothing changed: the lock is still held, with its token.
    pub async fn release(&mut self) -> Result<()> {
        let op = LockOp::Release;
        let token = op.check(&self.name, self.token.as_deref(), &self.options)?;
        let holder = Holder {
            client: self.client.clone(),
            name: self.name.clone(),
            token: token.to_owned(),
        };
        self.token = None;
        let done = run_detached(holder.release()).await?;
        op.outcome(&self.name, done)
    }

    /// Adds `additional_time` to the lock's remaining TTL, or with `replace_ttl` sets the TTL to
    /// it.
    ///
    /// # Errors
    /// [`ErrorKind::Lock`] when not acquired or the lock has no timeout,
    /// [`ErrorKind::LockNotOwned`] when it is no longer owned, a connection error.
    ///
    /// # Cancel safety
    /// Dropping the future loses nothing this holder keeps: it still holds the lock, with its
    /// token, and the key keeps a TTL (the script acts only on a key with one, and only sets a
    /// positive TTL). Only the outcome is unknown: the new TTL may or may not have been set.
    /// Calling again is safe; with `replace_ttl` it sets the same TTL, without it may add the time
    /// twice.
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
    ///
    /// # Cancel safety
    /// Dropping the future loses nothing this holder keeps: it still holds the lock, with its
    /// token, and the key keeps a TTL (the script acts only on a key with one, and only sets a
    /// positive TTL). Only the outcome is unknown: the new TTL may or may not have been set.
    /// Calling again is safe; it resets the same TTL.
    pub async fn reacquire(&self) -> Result<bool> {
        let op = LockOp::Reacquire;
        let token = op.check(&self.name, self.token.as_deref(), &self.options)?;
        let timeout = self.options.timeout.unwrap_or_default();
        let done: bool = op
            .script()
            .call_async(&self.client, [&self.name], (token, millis(timeout)))
            .await?;
        op.outcome(&self.name, done).map(|()| true)
    }
}

/// What a background release needs: the client, the key and the token to delete it for.
#[derive(Debug, Clone)]
struct Holder {
    client: Redis,
    name: String,
    token: String,
}

impl Holder {
    /// The token-checked release script: `true` when the key held the token and was deleted.
    async fn release(self) -> Result<bool> {
        LockOp::Release
            .script()
            .call_async(&self.client, [&self.name], [&self.token])
            .await
    }

    /// Releases in the background, ignoring the outcome (best effort: the key may already be
    /// gone or another holder's, and the release script then leaves it alone).
    fn release_in_background(self, rt: &Handle) {
        drop(rt.spawn(async move {
            let _ignored = self.release().await;
        }));
    }
}

/// One acquisition attempt (`SET NX`) running in a task of its own, so that its reply outlives
/// the caller's future. Dropped with the reply unclaimed, it leaves behind a task that waits for
/// the reply and undoes the attempt when [`release_unclaimed`] says so.
struct Attempt {
    rt: Handle,
    holder: Holder,
    /// The attempt's task, until its reply is claimed.
    task: Option<JoinHandle<Result<bool>>>,
}

impl Attempt {
    fn start(rt: Handle, holder: Holder, cmd: Cmd) -> Attempt {
        let client = holder.client.clone();
        let task = rt.spawn(async move { client.run::<bool>(cmd).await });
        Attempt {
            rt,
            holder,
            task: Some(task),
        }
    }

    /// The attempt's reply, claimed: from here the caller owns what it says. An error that
    /// leaves the outcome unknown releases the lock in the background first.
    async fn reply(mut self) -> Result<bool> {
        let Some(task) = self.task.as_mut() else {
            return Err(Error::new(ErrorKind::Lock, "lock attempt already claimed"));
        };
        let joined = task.await;
        self.task = None;
        let reply = joined.unwrap_or_else(|e| Err(task_failed(&e)));
        if reply.is_err() && attempt_may_hold(&reply) {
            self.holder.clone().release_in_background(&self.rt);
        }
        reply
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        let Some(task) = self.task.take() else {
            return;
        };
        let holder = self.holder.clone();
        drop(self.rt.spawn(async move {
            let reply = task.await.ok();
            if release_unclaimed(reply.as_ref()) {
                let _ignored = holder.release().await;
            }
        }));
    }
}

/// Runs `fut` to completion in a task of its own on the current runtime, so that dropping the
/// returned future does not cancel it (inline when there is no runtime).
async fn run_detached<T: Send + 'static>(
    fut: impl Future<Output = Result<T>> + Send + 'static,
) -> Result<T> {
    match Handle::try_current() {
        Ok(rt) => rt.spawn(fut).await.unwrap_or_else(|e| Err(task_failed(&e))),
        Err(_) => fut.await,
    }
}

fn task_failed(e: &tokio::task::JoinError) -> Error {
    Error::new(
        ErrorKind::Connection,
        format!("the lock's task did not finish: {e}"),
    )
}
