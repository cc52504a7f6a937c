//! Blocking pipelines, MULTI/EXEC transactions, WATCH, and `Redis::transaction`.

use std::cell::RefCell;
use std::sync::Arc;

use crate::cache::ClientCache;

use crate::cmd::{BlockTime, ConnStateEffect};
use crate::commands::options::*;
use crate::pipeline::{
    after_batch, after_multi, assemble, exec_cmd, expected_replies, multi_cmd, raise_first_error,
    unwatch_cmd, watch_cmd, wire_commands, AfterAttempt, AfterBatch, Batch, CommandQueue,
    TransactionFlow, TransactionOptions,
};
use crate::retry::{RetryState, Sent};
use crate::script::{exists_cmd, missing_scripts, Script, ScriptFlow, ScriptNext};
use crate::{Cmd, Error, ErrorKind, FromValue, Result, ToArgs, Value};

use super::{Connection, PooledConnection, Redis};

/// Loads the scripts of a batch the server does not have, so the batch cannot fail with
/// `NOSCRIPT` (redis-py's `Pipeline.load_scripts`).
pub(crate) fn load_scripts(conn: &mut Connection, scripts: &[Script]) -> Result<()> {
    if scripts.is_empty() {
        return Ok(());
    }
    let reply = conn.request(&exists_cmd(scripts))?;
    for script in missing_scripts(scripts, reply)? {
        conn.request(&script.load_cmd())?;
    }
    Ok(())
}

/// With client-side caching (`cache`), drops the entries `cmds` (sent, replied to or maybe
/// run) may have changed, at once: the client reads its own writes before the server's
/// invalidation arrives.
pub(crate) fn forget_writes<'a>(
    cache: Option<&Arc<ClientCache>>,
    cmds: impl IntoIterator<Item = &'a Cmd>,
) {
    if let Some(cache) = cache {
        for cmd in cmds {
            cache.after_command(cmd);
        }
    }
}

/// Sends a whole batch in one write and reads every reply.
///
/// Any I/O error leaves the connection broken, so the pool discards it; the batch is never sent
/// again, since the server may already have applied part of it.
pub(crate) fn run_batch(
    conn: &mut Connection,
    batch: &Batch,
    transaction: bool,
) -> Result<Vec<Result<Value>>> {
    // The connection goes back to the pool afterwards: nothing may corrupt it.
    batch.check_shared_connection()?;
    load_scripts(conn, batch.scripts())?;
    conn.expect_reply_within(BlockTime::of_batch(batch.commands()))?;
    let (multi, exec) = (multi_cmd(), exec_cmd());
    // One allocation for the whole batch instead of doubling the buffer as it fills.
    let size = wire_commands(batch.commands(), transaction, &multi, &exec)
        .map(Cmd::packed_len)
        .sum();
    conn.reserve_write(size);
    for cmd in wire_commands(batch.commands(), transaction, &multi, &exec) {
        conn.queue(cmd);
    }
    conn.flush()?;
    let n = expected_replies(batch.len(), transaction);
    let mut replies = Vec::with_capacity(n);
    for _ in 0..n {
        match conn.read_reply() {
            Ok(v) => replies.push(v),
            Err(e) => {
                // Whatever failed, the remaining replies are unread: never reuse this socket.
                conn.mark_broken();
                forget_writes(conn.cache(), batch.commands());
                return Err(e);
            }
        }
    }
    forget_writes(conn.cache(), batch.commands());
    assemble(batch.commands(), transaction, replies)
}

/// Checks a connection out, retrying connection errors per the client's retry policy: nothing
/// has been sent yet, so a retry cannot apply anything twice. Once a batch is sent it is never
/// retried.
pub(crate) fn checkout(client: &Redis) -> Result<PooledConnection> {
    let mut retry = RetryState::new(client.config().retry);
    loop {
        match client.get_connection() {
            Ok(conn) => return Ok(conn),
            Err(e) => match retry.on_error(&e, Sent::No, false) {
                Some(wait) => std::thread::sleep(wait),
                None => return Err(e),
            },
        }
    }
}

/// Runs `script` on `conn` with `EVALSHA`, loading it and retrying once on `NOSCRIPT`.
pub(crate) fn call_script_on(
    conn: &mut Connection,
    script: &Script,
    keys: impl ToArgs,
    args: impl ToArgs,
) -> Result<Value> {
    let cmd = script.evalsha_cmd(keys, args);
    let mut flow = ScriptFlow::default();
    let mut result = conn.request(&cmd);
    loop {
        result = match flow.after(result) {
            ScriptNext::Call => conn.request(&cmd),
            ScriptNext::Load => conn.request(&script.load_cmd()),
            ScriptNext::Done(result) => return result,
        };
    }
}

/// A batch of commands sent in one write (redis-py's `Pipeline`); by default a MULTI/EXEC
/// transaction.
///
/// Every command method queues its command and returns the pipeline, so calls chain;
/// [`execute`](Self::execute) sends them all and returns one value per command, each
/// normalised as the command declares.
///
/// # Examples
/// ```no_run
/// # let r = oxredis::Redis::from_url("redis://localhost")?;
/// let (ok, n): (bool, i64) = r.pipeline(true).set("foo", "bar").incr("n").query()?;
/// let values = r.pipeline(false).get("foo").sadd("s", "x").execute()?;
/// # Ok::<(), oxredis::Error>(())
/// ```
#[derive(Debug)]
#[must_use = "a pipeline does nothing until executed"]
pub struct Pipeline {
    client: Redis,
    transaction: bool,
    batch: Batch,
}

impl Redis {
    /// A new pipeline; `transaction` wraps it in MULTI/EXEC (redis-py's default is `true`).
    pub fn pipeline(&self, transaction: bool) -> Pipeline {
        Pipeline {
            client: self.clone(),
            transaction,
            batch: Batch::new(),
        }
    }

    /// Runs `func` in a WATCH / MULTI / EXEC loop until EXEC succeeds (redis-py's
    /// `Redis.transaction`), and returns EXEC's results.
    ///
    /// Each attempt watches `keys` on one connection; `func` reads with the immediate command
    /// methods of the [`WatchedPipeline`], then queues its writes after
    /// [`multi`](WatchedPipeline::multi). A [`ErrorKind::Watch`] error (a watched key changed),
    /// from `func` or from EXEC, starts a new attempt; so does [`ErrorKind::BusyLoading`] (the
    /// server refused a command while loading its data set, so nothing was applied), with the
    /// client's backoff, within [`Retry::max_loading_wait`](crate::retry::Retry).
    ///
    /// # Errors
    /// Any other error of `func` or of the transaction.
    ///
    /// # Examples
    /// ```no_run
    /// # let r = oxredis::Redis::from_url("redis://localhost")?;
    /// r.transaction(["counter"], |pipe| {
    ///     let v: i64 = pipe.get::<Option<i64>>("counter")?.unwrap_or(0);
    ///     pipe.multi().set("counter", v + 1);
    ///     Ok(())
    /// })?;
    /// # Ok::<(), oxredis::Error>(())
    /// ```
    pub fn transaction<F>(&self, keys: impl ToArgs, mut func: F) -> Result<Vec<Value>>
    where
        F: FnMut(&mut WatchedPipeline) -> Result<()>,
    {
        self.transaction_with(keys, TransactionOptions::default(), |p| func(p))
            .map(|((), values)| values)
    }

    /// [`transaction`](Self::transaction) with options, returning both `func`'s value and EXEC's
    /// results (redis-py's `value_from_callable` picks one of the two).
    ///
    /// # Errors
    /// As [`transaction`](Self::transaction), plus [`ErrorKind::Watch`] once
    /// [`TransactionOptions::max_attempts`] attempts have failed.
    pub fn transaction_with<F, R>(
        &self,
        keys: impl ToArgs,
        options: TransactionOptions,
        mut func: F,
    ) -> Result<(R, Vec<Value>)>
    where
        F: FnMut(&mut WatchedPipeline) -> Result<R>,
    {
        let mut watch = Cmd::empty();
        watch.arg(keys);
        let mut flow = TransactionFlow::new(options, self.config().retry);
        loop {
            let attempt: Result<(R, Vec<Value>)> = (|| {
                let mut pipe = self.pipeline(true).watch(&watch)?;
                let value = func(&mut pipe)?;
                Ok((value, pipe.execute()?))
            })();
            match flow.after_attempt(attempt) {
                AfterAttempt::Done(result) => return result,
                AfterAttempt::RetryAfter(wait) if wait.is_zero() => {}
                AfterAttempt::RetryAfter(wait) => std::thread::sleep(wait),
            }
        }
    }
}

impl Pipeline {
    batch_methods!();

    /// Whether the pipeline runs as a MULTI/EXEC transaction.
    pub fn is_transaction(&self) -> bool {
        self.transaction
    }

    /// Drops every queued command.
    pub fn reset(&mut self) {
        self.batch.clear();
    }

    /// Sends every queued command in one write and returns one result per command
    /// (redis-py's `execute(raise_on_error=False)`): a command's error reply is an `Err` in the
    /// list, tagged with its index and name. The pipeline is empty afterwards.
    ///
    /// # Errors
    /// Errors of the whole batch: connection errors (the connection is then discarded and the
    /// batch is not re-sent), and for a transaction [`ErrorKind::ExecAbort`];
    /// [`ErrorKind::Data`], nothing sent, when a queued command would corrupt the pooled
    /// connection (`MULTI`, `SELECT`, `SUBSCRIBE`...: see
    /// `Batch::check_shared_connection`).
    pub fn execute_raw(&mut self) -> Result<Vec<Result<Value>>> {
        let batch = self.batch.take();
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let span =
            crate::trace::Span::pipeline(self.transaction, batch.len(), self.client.config());
        span.in_scope(|| {
            let mut loading = RetryState::new(self.client.config().retry);
            loop {
                let mut conn = checkout(&self.client)?;
                let results = run_batch(&mut conn, &batch, self.transaction);
                drop(conn);
                match after_batch(results, &mut loading) {
                    AfterBatch::Done(results) => {
                        let callbacks = self.client.callbacks();
                        return results.map(|r| callbacks.apply_batch(batch.commands(), r));
                    }
                    AfterBatch::RetryAfter(wait) => std::thread::sleep(wait),
                }
            }
        })
    }

    /// Sends every queued command in one write and returns their values in order. The pipeline
    /// is empty afterwards; an empty pipeline returns an empty list without any I/O.
    ///
    /// A failing command's error tells which it was: [`Error::command`] gives its 0-based
    /// position in the pipeline (the index of its result) and its name.
    ///
    /// # Errors
    /// As [`execute_raw`](Self::execute_raw), then the first command error (after every reply
    /// was read, so the connection stays usable); [`Error::command`] says which command.
    pub fn execute(&mut self) -> Result<Vec<Value>> {
        raise_first_error(self.execute_raw()?)
    }

    /// [`execute`](Self::execute), converted: a tuple with one element per command, a `Vec`...
    ///
    /// # Errors
    /// As [`execute`](Self::execute), plus a failed conversion.
    pub fn query<T: FromValue>(&mut self) -> Result<T> {
        T::from_value(Value::Array(self.execute()?))
    }

    /// Binds the pipeline to one connection and WATCHes `keys` there; commands then run at once
    /// until [`WatchedPipeline::multi`]. Commands queued so far stay queued.
    ///
    /// # Errors
    /// Checking out a connection, or the WATCH command failing.
    pub fn watch(self, keys: impl ToArgs) -> Result<WatchedPipeline> {
        let conn = checkout(&self.client)?;
        let mut watched = WatchedPipeline {
            conn: RefCell::new(Some(conn)),
            queue: CommandQueue { batch: self.batch },
            watching: false,
            in_multi: false,
        };
        watched.watch(keys)?;
        Ok(watched)
    }
}

/// A pipeline bound to one connection with WATCHed keys (redis-py's pipeline after `watch`).
///
/// Its command methods run at once on the bound connection and return their values, so the
/// watched keys can be read; [`multi`](Self::multi) gives the queue for the transaction's
/// commands, and [`execute`](Self::execute) runs them in MULTI/EXEC, failing with
/// [`ErrorKind::Watch`] if a watched key changed. Dropping it (or [`reset`](Self::reset))
/// UNWATCHes and returns the connection to the pool.
#[derive(Debug)]
pub struct WatchedPipeline {
    // `RefCell` because the generated immediate methods take `&self`; never shared across
    // threads (the type is not `Sync`).
    conn: RefCell<Option<PooledConnection>>,
    queue: CommandQueue,
    watching: bool,
    /// Set by `multi()`: from then on commands belong in the queue, not run at once.
    in_multi: bool,
}

fn released() -> Error {
    Error::new(
        ErrorKind::Connection,
        "the watched pipeline's connection was released",
    )
}

impl WatchedPipeline {
    /// Runs a prepared command at once on the bound connection.
    ///
    /// The connection goes back to the pool afterwards, so commands that would corrupt it are
    /// refused as by [`Redis::run`], except `WATCH` and `UNWATCH`, which belong here.
    ///
    /// # Errors
    /// A connection error, the server's error reply, a failed conversion, or
    /// [`ErrorKind::Data`] after [`multi`](Self::multi) or for a refused command.
    pub fn run<T: FromValue>(&self, cmd: Cmd) -> Result<T> {
        if self.in_multi {
            return Err(after_multi());
        }
        match cmd.connection_state_effect() {
            ConnStateEffect::Harmless
            | ConnStateEffect::Refused {
                command: "WATCH" | "UNWATCH",
                ..
            } => {}
            ConnStateEffect::Refused { .. } => cmd.check_shared_connection()?,
        }
        let mut conn = self.conn.borrow_mut();
        let conn = conn.as_mut().ok_or_else(released)?;
        conn.execute(&cmd)
    }

    all_commands!(immediate_methods);

    /// Runs any command at once, given as its words and arguments.
    ///
    /// # Errors
    /// As [`run`](Self::run).
    pub fn execute_command<T: FromValue>(&self, args: impl ToArgs) -> Result<T> {
        let mut cmd = Cmd::empty();
        cmd.arg(args);
        self.run(cmd)
    }

    /// Runs a script at once on the bound connection (loading it on `NOSCRIPT`).
    ///
    /// # Errors
    /// As [`run`](Self::run).
    pub fn call_script<T: FromValue>(
        &self,
        script: &Script,
        keys: impl ToArgs,
        args: impl ToArgs,
    ) -> Result<T> {
        if self.in_multi {
            return Err(after_multi());
        }
        let mut conn = self.conn.borrow_mut();
        let conn = conn.as_mut().ok_or_else(released)?;
        T::from_value(call_script_on(conn, script, keys, args)?)
    }

    /// WATCHes more keys.
    ///
    /// # Errors
    /// As [`run`](Self::run).
    pub fn watch(&mut self, keys: impl ToArgs) -> Result<()> {
        if self.in_multi {
            return Err(Error::new(
                ErrorKind::Data,
                "Cannot issue a WATCH after a MULTI",
            ));
        }
        self.watching = true;
        self.run::<()>(watch_cmd(keys))
    }

    /// Forgets every watched key (the connection stays bound).
    ///
    /// # Errors
    /// As [`run`](Self::run).
    pub fn unwatch(&mut self) -> Result<()> {
        self.run::<()>(unwatch_cmd())?;
        self.watching = false;
        Ok(())
    }

    /// Starts the transaction: the returned queue buffers commands for
    /// [`execute`](Self::execute). From then on the immediate methods fail with
    /// [`ErrorKind::Data`] (in redis-py they would be buffered), so a write meant for the
    /// transaction can never run on its own by mistake; call `multi()` again to queue more.
    pub fn multi(&mut self) -> &mut CommandQueue {
        self.in_multi = true;
        &mut self.queue
    }

    /// The commands queued for the transaction.
    pub fn queued(&self) -> &CommandQueue {
        &self.queue
    }

    /// Runs the queued commands in MULTI/EXEC on the bound connection and returns one result
    /// per command, then releases the connection.
    ///
    /// # Errors
    /// [`ErrorKind::Watch`] when a watched key changed (nothing was applied),
    /// [`ErrorKind::ExecAbort`], or a connection error.
    pub fn execute_raw(mut self) -> Result<Vec<Result<Value>>> {
        let batch = self.queue.batch.take();
        let result = {
            let mut conn = self.conn.borrow_mut();
            let conn = conn.as_mut().ok_or_else(released)?;
            run_batch(conn, &batch, true)
        };
        // EXEC (even a failed or aborted one) forgets the watched keys.
        let exec_ran = match &result {
            Ok(_) => true,
            // An EXEC aborted by a LOADING reply to a queued command carries that kind.
            Err(e) => matches!(
                e.kind(),
                ErrorKind::Watch | ErrorKind::ExecAbort | ErrorKind::BusyLoading
            ),
        };
        if exec_ran {
            self.watching = false;
        }
        result
    }

    /// [`execute_raw`](Self::execute_raw), raising the first command error.
    ///
    /// # Errors
    /// As [`execute_raw`](Self::execute_raw), then the first command error.
    pub fn execute(self) -> Result<Vec<Value>> {
        raise_first_error(self.execute_raw()?)
    }

    /// [`execute`](Self::execute), converted.
    ///
    /// # Errors
    /// As [`execute`](Self::execute), plus a failed conversion.
    pub fn query<T: FromValue>(self) -> Result<T> {
        T::from_value(Value::Array(self.execute()?))
    }

    /// UNWATCHes and returns the connection to the pool (what dropping does, with the error
    /// reported). A connection whose state is uncertain is discarded instead.
    ///
    /// # Errors
    /// The UNWATCH failing (the connection is then discarded).
    pub fn reset(mut self) -> Result<()> {
        self.release()
    }

    fn release(&mut self) -> Result<()> {
        let Some(mut conn) = self.conn.get_mut().take() else {
            return Ok(());
        };
        if self.watching && conn.is_reusable() {
            self.watching = false;
            if let Err(e) = conn.request(&unwatch_cmd()) {
                conn.mark_broken();
                return Err(e);
            }
        }
        Ok(())
    }
}

impl Drop for WatchedPipeline {
    fn drop(&mut self) {
        let _ = self.release();
    }
}
