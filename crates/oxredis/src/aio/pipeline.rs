//! Async pipelines, MULTI/EXEC transactions, WATCH and `Redis::transaction`.
//!
//! Everything but the I/O is the sans-I/O core of [`crate::pipeline`] (packing, reply
//! assembly, error tagging) and [`crate::script`] (which scripts to load), shared with the
//! blocking client. A pipeline goes to the shared multiplexed connection as one contiguous
//! request, so other tasks' commands can never land inside its MULTI ... EXEC. WATCH needs a
//! connection of its own (a watch on the shared connection would be broken by any other task's
//! write), so [`WatchedPipeline`] opens a dedicated one.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use tokio::sync::Mutex;

use crate::cmd::BlockTime;
use crate::commands::options::*;
use crate::convert::check_utf8;
use crate::pipeline::{
    after_batch, after_multi, assemble, exec_cmd, expected_replies, multi_cmd, pack,
    raise_first_error, unwatch_cmd, watch_cmd, wire_commands, AfterAttempt, AfterBatch, Batch,
    TransactionFlow,
};
use crate::retry::{RetryState, Sent};
use crate::script::{exists_cmd, missing_scripts, Script};
use crate::{Cmd, Error, ErrorKind, FromValue, Result, ToArgs, Value};
use crate::{CommandQueue, TransactionOptions};

use super::connection::with_timeout;
use super::{Connection, Redis};

/// A boxed `Send` future, as returned by the closure given to [`Redis::transaction`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The deadline for a batch's replies given the response deadline `base`: `base` plus the
/// server-side waits of its bounded blocking commands, none if one may wait forever. In a
/// transaction nothing blocks (the server runs blocking commands inside MULTI without waiting),
/// so it is `base`.
pub(crate) fn batch_allowance(
    cmds: &[Cmd],
    transaction: bool,
    base: Option<Duration>,
) -> Option<Duration> {
    let mut allowance = base?;
    if transaction {
        return Some(allowance);
    }
    for cmd in cmds {
        match cmd.block_time() {
            BlockTime::No => {}
            BlockTime::For(wait) => allowance = allowance.saturating_add(wait),
            BlockTime::Forever => return None,
        }
    }
    Some(allowance)
}

/// Loads the scripts of a batch the server does not have, through the shared connection.
pub(crate) async fn load_scripts_shared(client: &Redis, scripts: &[Script]) -> Result<()> {
    if scripts.is_empty() {
        return Ok(());
    }
    let reply = client.request(exists_cmd(scripts)).await?;
    for script in missing_scripts(scripts, reply)? {
        client.request(script.load_cmd()).await?;
    }
    Ok(())
}

/// Loads the scripts of a batch the server does not have, on a dedicated connection.
async fn load_scripts_on(conn: &mut Connection, scripts: &[Script]) -> Result<()> {
    if scripts.is_empty() {
        return Ok(());
    }
    let reply = conn.request(&exists_cmd(scripts)).await?;
    for script in missing_scripts(scripts, reply)? {
        conn.request(&script.load_cmd()).await?;
    }
    Ok(())
}

/// Sends a batch as one contiguous request on the shared connection. A connection error is
/// never followed by a re-send: the server may have applied part of the batch.
pub(crate) async fn run_batch_shared(
    client: &Redis,
    batch: &Batch,
    transaction: bool,
) -> Result<Vec<Result<Value>>> {
    load_scripts_shared(client, batch.scripts()).await?;
    let (packed, count) = pack(batch.commands(), transaction);
    let base = client.config().socket_timeout;
    let allowance = batch_allowance(batch.commands(), transaction, base);
    let replies = client.request_packed(packed, count, allowance).await?;
    if client.config().decode_responses {
        for reply in &replies {
            check_utf8(reply)?;
        }
    }
    assemble(batch.commands(), transaction, replies)
}

/// Sends a batch on a dedicated connection in one write and reads every reply, within the
/// batch's deadline given the response deadline `base` ([`batch_allowance`]); any failure
/// leaves the connection broken (it is then dropped, never reused).
async fn run_batch_on(
    conn: &mut Connection,
    batch: &Batch,
    transaction: bool,
    base: Option<Duration>,
) -> Result<Vec<Result<Value>>> {
    // A refusal keeps one rule for every pipeline, wherever it runs.
    batch.check_shared_connection()?;
    load_scripts_on(conn, batch.scripts()).await?;
    let limit = batch_allowance(batch.commands(), transaction, base);
    let replies = with_timeout(limit, "waiting for pipeline replies", async {
        let (multi, exec) = (multi_cmd(), exec_cmd());
        for cmd in wire_commands(batch.commands(), transaction, &multi, &exec) {
            conn.queue(cmd);
        }
        conn.flush().await?;
        let n = expected_replies(batch.len(), transaction);
        let mut replies = Vec::with_capacity(n);
        for _ in 0..n {
            replies.push(conn.read_reply().await?);
        }
        Ok(replies)
    })
    .await?;
    assemble(batch.commands(), transaction, replies)
}

/// Opens a dedicated connection, retrying per the client's retry policy through the core's
/// [`RetryState`] (nothing has been sent yet, so a retry cannot apply anything twice; a failed
/// authentication or a full pool is not retried).
pub(crate) async fn connect_with_retry(client: &Redis) -> Result<Connection> {
    let mut retry = RetryState::new(client.config().retry);
    loop {
        match client.get_connection().await {
            Ok(conn) => return Ok(conn),
            Err(e) => match retry.on_error(&e, Sent::No, false) {
                Some(wait) => tokio::time::sleep(wait).await,
                None => return Err(e),
            },
        }
    }
}

/// A batch of commands sent as one request (redis-py's asyncio `Pipeline`); by default a
/// MULTI/EXEC transaction.
///
/// The command methods are the blocking [`Pipeline`](crate::Pipeline)'s, generated from the
/// same command table: each queues its command and returns the pipeline, so calls chain;
/// [`execute`](Self::execute) sends everything at once over the client's shared connection (a
/// pipeline with a blocking command such as BLPOP outside a transaction gets a dedicated
/// connection, so it cannot stall other tasks) and returns one value per command.
///
/// # Examples
/// ```no_run
/// # async fn demo() -> oxredis::Result<()> {
/// let r = oxredis::aio::Redis::from_url("redis://localhost")?;
/// let (ok, n): (bool, i64) = r.pipeline(true).set("foo", "bar").incr("n").query().await?;
/// let values = r.pipeline(false).get("foo").sadd("s", "x").execute().await?;
/// # Ok(()) }
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
    /// Each attempt watches `keys` on a dedicated connection; `func` reads through the
    /// [`WatchedPipeline`]'s immediate (async) command methods, then queues its writes after
    /// [`multi`](WatchedPipeline::multi). It returns a boxed future (`Box::pin(async move
    /// { .. })`) so that the future may borrow the pipeline and stays `Send` (with an
    /// `AsyncFnMut` closure instead, the compiler cannot prove the transaction's future `Send`
    /// for `tokio::spawn`: "implementation of `Send` is not general enough"). A
    /// [`ErrorKind::Watch`] error (a watched key changed), from `func` or from EXEC, starts a
    /// new attempt.
    ///
    /// # Errors
    /// Any other error of `func` or of the transaction.
    ///
    /// # Cancel safety
    /// Dropping the future drops the attempt's [`WatchedPipeline`] and closes its connection,
    /// which ends its WATCHes on the server; commands `func` already ran at once stay run.
    /// Dropped during EXEC, the transaction is applied as a whole or not at all, as
    /// [`WatchedPipeline::execute_raw`].
    ///
    /// # Examples
    /// ```no_run
    /// # async fn demo() -> oxredis::Result<()> {
    /// let r = oxredis::aio::Redis::from_url("redis://localhost")?;
    /// r.transaction(["counter"], |pipe| {
    ///     Box::pin(async move {
    ///         let v: i64 = pipe.get::<Option<i64>>("counter").await?.unwrap_or(0);
    ///         pipe.multi().set("counter", v + 1);
    ///         Ok(())
    ///     })
    /// })
    /// .await?;
    /// # Ok(()) }
    /// ```
    pub async fn transaction<F>(&self, keys: impl ToArgs, func: F) -> Result<Vec<Value>>
    where
        F: for<'p> FnMut(&'p mut WatchedPipeline) -> BoxFuture<'p, Result<()>>,
    {
        self.transaction_with(keys, TransactionOptions::default(), func)
            .await
            .map(|((), values)| values)
    }

    /// [`transaction`](Self::transaction) with options, returning both `func`'s value and EXEC's
    /// results.
    ///
    /// # Errors
    /// As [`transaction`](Self::transaction), plus [`ErrorKind::Watch`] once
    /// [`TransactionOptions::max_attempts`] attempts have failed.
    ///
    /// # Cancel safety
    /// As [`transaction`](Self::transaction).
    pub async fn transaction_with<F, R>(
        &self,
        keys: impl ToArgs,
        options: TransactionOptions,
        mut func: F,
    ) -> Result<(R, Vec<Value>)>
    where
        F: for<'p> FnMut(&'p mut WatchedPipeline) -> BoxFuture<'p, Result<R>>,
    {
        let mut keys_cmd = Cmd::empty();
        keys_cmd.arg(keys);
        let mut flow = TransactionFlow::new(options, self.config().retry);
        // The connection of the last attempt, when EXEC left it clean (no key watched), so a
        // retry under contention does not open a new one.
        let mut spare: Option<Connection> = None;
        loop {
            let attempt: Result<(R, Vec<Value>)> = async {
                let pipeline = self.pipeline(true);
                let mut pipe = pipeline
                    .watch_on(spare.take(), watch_cmd(&keys_cmd))
                    .await?;
                let value = func(&mut pipe).await?;
                let (results, conn) = pipe.execute_keeping().await;
                spare = conn;
                Ok((value, raise_first_error(results?)?))
            }
            .await;
            match flow.after_attempt(attempt) {
                AfterAttempt::Done(result) => return result,
                // Let the task whose write won the race make progress.
                AfterAttempt::RetryAfter(wait) if wait.is_zero() => tokio::task::yield_now().await,
                AfterAttempt::RetryAfter(wait) => tokio::time::sleep(wait).await,
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

    /// Sends every queued command as one request and returns one result per command
    /// (redis-py's `execute(raise_on_error=False)`): a command's error reply is an `Err` in the
    /// list, tagged with its index and name. The pipeline is empty afterwards.
    ///
    /// # Errors
    /// Errors of the whole batch: connection errors (the batch is never re-sent), a timeout
    /// (with `socket_timeout`), and for a transaction [`ErrorKind::ExecAbort`];
    /// [`ErrorKind::Data`], nothing sent, when a queued command would corrupt the shared
    /// connection (`MULTI`, `SELECT`, `SUBSCRIBE`...: see
    /// `Batch::check_shared_connection`).
    ///
    /// # Cancel safety
    /// The queued commands leave the pipeline at the first poll. Dropping the future before
    /// the batch was handed to the shared connection (or while waiting to retry after a
    /// `LOADING` refusal) sends nothing. Once handed over it is not cancelled: the whole batch
    /// is written as one request (a transaction's MULTI ... EXEC never interleaved with other
    /// commands, so it applies atomically) and its replies are read and discarded. A batch
    /// with a blocking command, outside a transaction, runs on a dedicated connection that is
    /// closed with the dropped future: its commands may have run in part.
    pub async fn execute_raw(&mut self) -> Result<Vec<Result<Value>>> {
        let batch = self.batch.take();
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        // Before connecting: the batch may run on the shared connection.
        batch.check_shared_connection()?;
        let blocking = batch.commands().iter().any(Cmd::is_blocking);
        let span =
            crate::trace::Span::pipeline(self.transaction, batch.len(), self.client.config());
        let transaction = self.transaction;
        let client = &self.client;
        span.instrument(async move {
            let mut loading = RetryState::new(client.config().retry);
            loop {
                let results = if blocking && !transaction {
                    // Would hold up every other task on the shared connection.
                    let mut conn = connect_with_retry(client).await?;
                    let base = client.config().socket_timeout;
                    run_batch_on(&mut conn, &batch, false, base).await
                } else {
                    run_batch_shared(client, &batch, transaction).await
                };
                match after_batch(results, &mut loading) {
                    AfterBatch::Done(results) => {
                        let callbacks = client.callbacks();
                        return results.map(|r| callbacks.apply_batch(batch.commands(), r));
                    }
                    AfterBatch::RetryAfter(wait) => tokio::time::sleep(wait).await,
                }
            }
        })
        .await
    }

    /// Sends every queued command as one request and returns their values in order. An empty
    /// pipeline returns an empty list without any I/O.
    ///
    /// # Errors
    /// As [`execute_raw`](Self::execute_raw), then the first command error;
    /// [`Error::command`] says which command (0-based index and name).
    pub async fn execute(&mut self) -> Result<Vec<Value>> {
        raise_first_error(self.execute_raw().await?)
    }

    /// [`execute`](Self::execute), converted: a tuple with one element per command, a `Vec`...
    ///
    /// # Errors
    /// As [`execute`](Self::execute), plus a failed conversion.
    pub async fn query<T: FromValue>(&mut self) -> Result<T> {
        T::from_value(Value::Array(self.execute().await?))
    }

    /// Opens a dedicated connection and WATCHes `keys` there; commands then run at once until
    /// [`WatchedPipeline::multi`]. Commands queued so far stay queued.
    ///
    /// # Errors
    /// Opening the connection (connection errors are retried per the client's retry policy),
    /// or the WATCH command failing.
    pub fn watch(
        self,
        keys: impl ToArgs,
    ) -> impl Future<Output = Result<WatchedPipeline>> + Send + 'static {
        self.watch_on(None, watch_cmd(keys))
    }

    /// [`watch`](Self::watch) on `conn` if given (a clean dedicated connection), else on a new
    /// connection.
    async fn watch_on(self, conn: Option<Connection>, cmd: Cmd) -> Result<WatchedPipeline> {
        let conn = match conn {
            Some(c) => c,
            None => connect_with_retry(&self.client).await?,
        };
        let watched = WatchedPipeline {
            socket_timeout: self.client.config().socket_timeout,
            conn: Mutex::new(conn),
            queue: CommandQueue { batch: self.batch },
            in_multi: false,
        };
        watched.run::<()>(cmd).await?;
        Ok(watched)
    }
}

/// A pipeline bound to a dedicated connection with WATCHed keys (redis-py's asyncio pipeline
/// after `watch`).
///
/// Its command methods run at once on that connection and return their values (as futures),
/// so the watched keys can be read; [`multi`](Self::multi) gives the queue (the blocking
/// client's [`CommandQueue`]) for the transaction's commands, and [`execute`](Self::execute)
/// runs them in MULTI/EXEC, failing with [`ErrorKind::Watch`] if a watched key changed.
/// Dropping it closes the connection, which also ends the watch on the server.
///
/// # Cancel safety
///
/// Every piece of server-side state it has (the WATCHes, a MULTI block being sent) belongs to
/// its dedicated connection and ends when that connection closes, i.e. when the
/// `WatchedPipeline` (or the [`execute`](Self::execute) future, which takes it) is dropped.
/// Dropping the future of an immediate command ([`run`](Self::run), the command methods,
/// [`watch`](Self::watch), [`unwatch`](Self::unwatch), [`call_script`](Self::call_script))
/// mid-request leaves the connection out of sync: the command may or may not have run, the
/// connection is marked broken, and every later call on this value, `execute` included, fails
/// with a connection error, so no transaction runs on a connection in an unknown state. Drop
/// it and start again.
#[derive(Debug)]
pub struct WatchedPipeline {
    // A mutex because the generated command methods take `&self` and must give `Send` futures.
    conn: Mutex<Connection>,
    queue: CommandQueue,
    /// Set by `multi()`: from then on commands belong in the queue, not run at once.
    in_multi: bool,
    socket_timeout: Option<Duration>,
}

impl WatchedPipeline {
    /// Runs a prepared command at once on the bound connection.
    ///
    /// # Errors
    /// A connection error, the server's error reply, a failed conversion, or
    /// [`ErrorKind::Data`] after [`multi`](Self::multi).
    ///
    /// # Cancel safety
    /// Not cancel safe: a dropped request breaks the connection (see [`WatchedPipeline`]).
    pub async fn run<T: FromValue>(&self, cmd: Cmd) -> Result<T> {
        if self.in_multi {
            return Err(after_multi());
        }
        let mut conn = self.conn.lock().await;
        T::from_value(conn.request(&cmd).await?)
    }

    all_commands!(async_methods);

    /// Runs any command at once, given as its words and arguments.
    ///
    /// # Errors
    /// As [`run`](Self::run).
    pub fn execute_command<'a, T: FromValue + 'a>(
        &'a self,
        args: impl ToArgs,
    ) -> impl Future<Output = Result<T>> + Send + 'a {
        let mut cmd = Cmd::empty();
        cmd.arg(args);
        self.run(cmd)
    }

    /// Runs a script at once on the bound connection (loading it on `NOSCRIPT`).
    ///
    /// # Errors
    /// As [`run`](Self::run).
    pub fn call_script<'a, T: FromValue + 'a>(
        &'a self,
        script: &'a Script,
        keys: impl ToArgs,
        args: impl ToArgs,
    ) -> impl Future<Output = Result<T>> + Send + 'a {
        let cmd = script.evalsha_cmd(keys, args);
        async move {
            if self.in_multi {
                return Err(after_multi());
            }
            let mut conn = self.conn.lock().await;
            T::from_value(super::script::evalsha_on(&mut conn, script, &cmd).await?)
        }
    }

    /// WATCHes more keys.
    ///
    /// # Errors
    /// As [`run`](Self::run); [`ErrorKind::Data`] after [`multi`](Self::multi).
    pub fn watch(&mut self, keys: impl ToArgs) -> impl Future<Output = Result<()>> + Send + '_ {
        let cmd = watch_cmd(keys);
        async move {
            if self.in_multi {
                return Err(Error::new(
                    ErrorKind::Data,
                    "Cannot issue a WATCH after a MULTI",
                ));
            }
            self.run::<()>(cmd).await
        }
    }

    /// Forgets every watched key (the connection stays bound).
    ///
    /// # Errors
    /// As [`run`](Self::run).
    pub async fn unwatch(&mut self) -> Result<()> {
        self.run::<()>(unwatch_cmd()).await
    }

    /// Starts the transaction: the returned queue buffers commands for
    /// [`execute`](Self::execute). From then on the immediate methods fail with
    /// [`ErrorKind::Data`], so a write meant for the transaction can never run on its own by
    /// mistake; call `multi()` again to queue more.
    pub fn multi(&mut self) -> &mut CommandQueue {
        self.in_multi = true;
        &mut self.queue
    }

    /// The commands queued for the transaction.
    pub fn queued(&self) -> &CommandQueue {
        &self.queue
    }

    /// Runs the queued commands in MULTI/EXEC on the bound connection and returns one result
    /// per command; the connection is closed afterwards.
    ///
    /// # Errors
    /// [`ErrorKind::Watch`] when a watched key changed (nothing was applied),
    /// [`ErrorKind::ExecAbort`], a connection error or a timeout.
    ///
    /// # Cancel safety
    /// The future owns the connection, which is closed if it is dropped. Dropped before MULTI
    /// ... EXEC was written in full, the server holds at most a partial MULTI block, which it
    /// discards when the connection closes: nothing is applied. Once EXEC was written, the
    /// transaction runs (or is refused because a watched key changed) as a whole; only its
    /// results are lost. It is never partly applied.
    pub async fn execute_raw(self) -> Result<Vec<Result<Value>>> {
        self.execute_keeping().await.0
    }

    /// [`execute_raw`](Self::execute_raw), giving the connection back when it can serve
    /// another transaction: EXEC ran (even a failed one forgets the watched keys) and every
    /// reply was read.
    async fn execute_keeping(mut self) -> (Result<Vec<Result<Value>>>, Option<Connection>) {
        let batch = self.queue.batch.take();
        let base = self.socket_timeout;
        let results = run_batch_on(self.conn.get_mut(), &batch, true, base).await;
        let exec_ran = match &results {
            Ok(_) => true,
            // An EXEC aborted by a LOADING reply to a queued command carries that kind.
            Err(e) => matches!(
                e.kind(),
                ErrorKind::Watch | ErrorKind::ExecAbort | ErrorKind::BusyLoading
            ),
        };
        let conn = self.conn.into_inner();
        let clean = exec_ran && conn.is_reusable();
        (results, clean.then_some(conn))
    }

    /// [`execute_raw`](Self::execute_raw), raising the first command error.
    ///
    /// # Errors
    /// As [`execute_raw`](Self::execute_raw), then the first command error.
    pub async fn execute(self) -> Result<Vec<Value>> {
        raise_first_error(self.execute_raw().await?)
    }

    /// [`execute`](Self::execute), converted.
    ///
    /// # Errors
    /// As [`execute`](Self::execute), plus a failed conversion.
    pub async fn query<T: FromValue>(self) -> Result<T> {
        T::from_value(Value::Array(self.execute().await?))
    }
}
