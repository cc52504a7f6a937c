//! Pipelines and MULTI/EXEC transactions, the sans-I/O part.
//!
//! A [`Batch`] holds the queued commands (and the scripts they need). The I/O layers send
//! [`wire_commands`] in one write, read [`expected_replies`] replies, and hand them to
//! [`assemble`], which normalises each reply as its command declares and tags each error with
//! the index and name of the command that caused it. [`raise_first_error`] then gives redis-py's
//! default `raise_on_error=True` behaviour.

use std::time::Duration;

#[allow(
    unused_imports,
    reason = "types named by the generated command signatures"
)]
use crate::commands::options::*;
use crate::reply::normalize;
use crate::retry::{Retry, RetryState, Sent};
use crate::script::Script;
use crate::{Cmd, Error, ErrorKind, Result, ToArgs, Value};

/// Commands queued for one pipeline execution, and the scripts they call.
#[derive(Debug, Clone, Default)]
pub(crate) struct Batch {
    cmds: Vec<Cmd>,
    scripts: Vec<Script>,
}

impl Batch {
    /// An empty batch.
    pub(crate) fn new() -> Batch {
        Batch::default()
    }

    /// Queues a command.
    pub(crate) fn push(&mut self, cmd: Cmd) {
        self.cmds.push(cmd);
    }

    /// Queues `EVALSHA` for `script`, remembering the script so it can be loaded before the
    /// batch runs (the batch then never fails with `NOSCRIPT`).
    pub(crate) fn push_script(&mut self, script: &Script, keys: impl ToArgs, args: impl ToArgs) {
        if !self.scripts.iter().any(|s| s.sha() == script.sha()) {
            self.scripts.push(script.clone());
        }
        self.cmds.push(script.evalsha_cmd(keys, args));
    }

    /// The queued commands, in order.
    pub(crate) fn commands(&self) -> &[Cmd] {
        &self.cmds
    }

    /// The distinct scripts queued commands call.
    pub(crate) fn scripts(&self) -> &[Script] {
        &self.scripts
    }

    /// Number of queued commands.
    pub(crate) fn len(&self) -> usize {
        self.cmds.len()
    }

    /// Whether nothing is queued.
    pub(crate) fn is_empty(&self) -> bool {
        self.cmds.is_empty()
    }

    /// Empties the batch.
    pub(crate) fn clear(&mut self) {
        self.cmds.clear();
        self.scripts.clear();
    }

    /// `Ok` when every queued command may run on a connection other callers share (a pooled
    /// or the multiplexed connection); else the first refusal, tagged with the command's index
    /// ([`Cmd::check_shared_connection`]). Pipelines send their own MULTI/EXEC, so a queued
    /// `MULTI`, `SELECT` or `SUBSCRIBE` would corrupt the connection for its next user.
    ///
    /// # Errors
    /// [`ErrorKind::Data`] naming the command and the API to use instead.
    pub(crate) fn check_shared_connection(&self) -> Result<()> {
        for (index, cmd) in self.cmds.iter().enumerate() {
            cmd.check_shared_connection()
                .map_err(|e| e.at_command(index, cmd.name()))?;
        }
        Ok(())
    }

    /// Takes the contents, leaving the batch empty.
    pub(crate) fn take(&mut self) -> Batch {
        std::mem::take(self)
    }
}

/// `MULTI`.
pub(crate) fn multi_cmd() -> Cmd {
    Cmd::new("MULTI")
}

/// `EXEC`.
pub(crate) fn exec_cmd() -> Cmd {
    Cmd::new("EXEC")
}

/// `WATCH keys...`.
pub(crate) fn watch_cmd(keys: impl ToArgs) -> Cmd {
    let mut cmd = Cmd::new("WATCH");
    cmd.arg(keys);
    cmd
}

/// `UNWATCH`.
pub(crate) fn unwatch_cmd() -> Cmd {
    Cmd::new("UNWATCH")
}

/// Every command to write for `cmds`, in order: wrapped in `MULTI` ... `EXEC` for a transaction.
pub(crate) fn wire_commands<'a>(
    cmds: &'a [Cmd],
    transaction: bool,
    multi: &'a Cmd,
    exec: &'a Cmd,
) -> impl Iterator<Item = &'a Cmd> {
    let (head, tail) = if transaction {
        (Some(multi), Some(exec))
    } else {
        (None, None)
    };
    head.into_iter().chain(cmds.iter()).chain(tail)
}

/// The bytes of every command to write for `cmds` (see [`wire_commands`]) in one buffer, and
/// how many replies they produce (see [`expected_replies`]), for I/O layers that hand a whole
/// batch to a writer at once.
#[cfg(feature = "tokio")]
pub(crate) fn pack(cmds: &[Cmd], transaction: bool) -> (Vec<u8>, usize) {
    let (multi, exec) = (multi_cmd(), exec_cmd());
    let mut out = Vec::new();
    for cmd in wire_commands(cmds, transaction, &multi, &exec) {
        cmd.write_packed(&mut out);
    }
    (out, expected_replies(cmds.len(), transaction))
}

/// How many replies the server sends for `n` commands (`MULTI`, `QUEUED`s and `EXEC` included).
pub(crate) fn expected_replies(n: usize, transaction: bool) -> usize {
    if transaction {
        n + 2
    } else {
        n
    }
}

/// A command's error reply as an [`Error`] tagged with its index in the batch and its name.
fn command_error(e: crate::ServerError, index: usize, cmd: &Cmd) -> Error {
    Error::from(e).at_command(index, cmd.name())
}

/// Normalises one reply as `cmd` declares; an error reply becomes a tagged `Err`.
fn one_result(index: usize, cmd: &Cmd, reply: Value) -> Result<Value> {
    match normalize(cmd.reply_shape(), reply) {
        Ok(Value::Error(e)) => Err(command_error(e, index, cmd)),
        Ok(v) => Ok(v),
        Err(e) => Err(e.at_command(index, cmd.name())),
    }
}

/// Turns the replies read for `cmds` into one result per command, in order.
///
/// `replies` must hold [`expected_replies`] values: for a transaction, the `MULTI` reply, one
/// `QUEUED` (or error) per command, and the `EXEC` reply. Per-command errors are `Err` entries
/// tagged with [`Error::command`]; the outer `Err` is for the batch as a whole.
///
/// # Errors
/// For a transaction: [`ErrorKind::Watch`] when `EXEC` returned nil (a watched key changed),
/// [`ErrorKind::ExecAbort`] when a command was rejected while queueing (the error carries that
/// command's index, name and error as its source), the `MULTI` error, or
/// [`ErrorKind::Protocol`] when the reply count does not match.
pub(crate) fn assemble(
    cmds: &[Cmd],
    transaction: bool,
    replies: Vec<Value>,
) -> Result<Vec<Result<Value>>> {
    if replies.len() != expected_replies(cmds.len(), transaction) {
        return Err(Error::new(
            ErrorKind::Protocol,
            format!(
                "pipeline of {} commands got {} replies",
                cmds.len(),
                replies.len()
            ),
        ));
    }
    if !transaction {
        return Ok(cmds
            .iter()
            .zip(replies)
            .enumerate()
            .map(|(i, (cmd, reply))| one_result(i, cmd, reply))
            .collect());
    }
    let mut it = replies.into_iter();
    let multi = it.next().unwrap_or(Value::Nil);
    let exec = it.next_back().unwrap_or(Value::Nil);
    let queued: Vec<Value> = it.collect();
    assemble_exec(cmds, multi, queued, exec)
}

/// The transaction case of [`assemble`], with the replies already split.
///
/// # Errors
/// As [`assemble`].
pub(crate) fn assemble_exec(
    cmds: &[Cmd],
    multi: Value,
    queued: Vec<Value>,
    exec: Value,
) -> Result<Vec<Result<Value>>> {
    if let Value::Error(e) = multi {
        return Err(e.into());
    }
    // The first command the server refused to queue (wrong arity, unknown command...).
    let rejected = cmds
        .iter()
        .zip(queued)
        .enumerate()
        .find_map(|(i, (cmd, reply))| match reply {
            Value::Error(e) => Some(command_error(e, i, cmd)),
            _ => None,
        });
    let items = match exec.without_attributes() {
        Value::Nil => {
            return Err(Error::new(ErrorKind::Watch, "Watched variable changed."));
        }
        Value::Error(e) => {
            let exec_err = Error::from(e);
            return Err(match rejected {
                Some(cmd_err) if exec_err.kind() == ErrorKind::ExecAbort => {
                    let (index, name) = cmd_err.command().unwrap_or((0, ""));
                    let (index, name) = (index, name.to_owned());
                    // A command refused with LOADING means nothing ran and a retry will do:
                    // the abort takes that kind, so retry policies see it.
                    let kind = match cmd_err.kind() {
                        ErrorKind::BusyLoading => ErrorKind::BusyLoading,
                        _ => ErrorKind::ExecAbort,
                    };
                    Error::with_source(
                        kind,
                        "Transaction discarded because of previous errors",
                        cmd_err,
                    )
                    .at_command(index, name)
                }
                _ => exec_err,
            });
        }
        Value::Array(items) => items,
        other => {
            return Err(Error::new(
                ErrorKind::Protocol,
                format!("EXEC replied with a {}", other.type_name()),
            ))
        }
    };
    if let Some(e) = rejected {
        // Redis 2.6.5+ aborts the whole transaction instead; kept for completeness.
        return Err(e);
    }
    if items.len() != cmds.len() {
        return Err(Error::new(
            ErrorKind::Response,
            "Wrong number of response items from pipeline execution",
        ));
    }
    Ok(cmds
        .iter()
        .zip(items)
        .enumerate()
        .map(|(i, (cmd, reply))| one_result(i, cmd, reply))
        .collect())
}

/// redis-py's `raise_on_error=True`: the first command error, or every value.
///
/// # Errors
/// The first `Err` in `results` (tagged with its command's index and name).
pub(crate) fn raise_first_error(results: Vec<Result<Value>>) -> Result<Vec<Value>> {
    results.into_iter().collect()
}

/// The commands of a watched pipeline's transaction (blocking
/// [`WatchedPipeline`](crate::WatchedPipeline) or async
/// [`aio::WatchedPipeline`](crate::aio::WatchedPipeline)), queued after `multi()`.
#[derive(Debug, Default)]
pub struct CommandQueue {
    pub(crate) batch: Batch,
}

impl CommandQueue {
    batch_methods!();
}

/// The error for an immediate command on a watched pipeline after `multi()`.
pub(crate) fn after_multi() -> Error {
    Error::new(
        ErrorKind::Data,
        "commands after multi() must be queued on the CommandQueue it returned",
    )
}

/// Options of `transaction_with` ([`Redis::transaction_with`](crate::Redis::transaction_with)
/// and its async twin).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TransactionOptions {
    watch_delay: Option<Duration>,
    max_attempts: Option<usize>,
}

impl TransactionOptions {
    /// Defaults: retry at once, forever (as redis-py).
    pub fn new() -> Self {
        Self::default()
    }

    /// Pause before retrying after a watched key changed (redis-py's `watch_delay`).
    pub fn watch_delay(mut self, delay: Duration) -> Self {
        self.watch_delay = Some(delay);
        self
    }

    /// After `attempts` attempts ended with [`ErrorKind::Watch`]: the pause before the next
    /// one (zero: at once), or `None` to give up.
    fn retry_after(&self, attempts: usize) -> Option<Duration> {
        if self.max_attempts.is_some_and(|max| attempts >= max) {
            return None;
        }
        Some(self.watch_delay.unwrap_or_default())
    }

    /// Give up with the [`ErrorKind::Watch`] error after this many attempts (not in redis-py,
    /// which retries forever).
    pub fn max_attempts(mut self, attempts: usize) -> Self {
        self.max_attempts = Some(attempts.max(1));
        self
    }
}

/// What a driver does after one attempt of `transaction()`.
#[derive(Debug)]
pub(crate) enum AfterAttempt<T> {
    /// Give this to the caller.
    Done(Result<T>),
    /// Try again after this pause; zero means at once (an async driver yields first, so the
    /// task whose write won the race makes progress).
    RetryAfter(Duration),
}

/// The WATCH / MULTI / EXEC retry loop of `transaction()`, shared by both clients: a watched
/// key changed ([`ErrorKind::Watch`]) starts a new attempt per [`TransactionOptions`]; a command
/// refused with `LOADING` (nothing was applied) starts one after the client's backoff; anything
/// else ends the loop.
#[derive(Debug)]
pub(crate) struct TransactionFlow {
    options: TransactionOptions,
    attempts: usize,
    loading: RetryState,
}

impl TransactionFlow {
    /// A loop under `options`, with `retry`'s budget for waiting out a loading server.
    pub(crate) fn new(options: TransactionOptions, retry: Retry) -> TransactionFlow {
        TransactionFlow {
            options,
            attempts: 0,
            loading: RetryState::new(retry),
        }
    }

    /// Judges the outcome of the attempt just made.
    pub(crate) fn after_attempt<T>(&mut self, attempt: Result<T>) -> AfterAttempt<T> {
        self.attempts += 1;
        let wait = match &attempt {
            Err(e) if e.kind() == ErrorKind::Watch => self.options.retry_after(self.attempts),
            Err(e) if e.kind() == ErrorKind::BusyLoading => {
                self.loading.on_error(e, Sent::Maybe, false)
            }
            _ => None,
        };
        match wait {
            Some(wait) => AfterAttempt::RetryAfter(wait),
            None => AfterAttempt::Done(attempt),
        }
    }
}

/// What a driver does after running a batch (a pipeline or a transaction).
#[derive(Debug)]
pub(crate) enum AfterBatch {
    /// Give this to the caller.
    Done(Result<Vec<Result<Value>>>),
    /// The server ran nothing (the batch was never written, or it refused the transaction or
    /// every command with `LOADING`): wait this long and run the whole batch again.
    RetryAfter(Duration),
}

/// The retry rule for batches, shared by both clients: only a batch the server provably did
/// not run is run again: one never written (within the retry budget), or one refused with
/// `LOADING` (within the loading budget).
pub(crate) fn after_batch(
    results: Result<Vec<Result<Value>>>,
    loading: &mut RetryState,
) -> AfterBatch {
    let refused = match results {
        // Never written (the connection could not be opened or failed first): safe to send.
        Err(e) if e.is_unsent() => {
            return match loading.on_error(&e, Sent::No, false) {
                Some(wait) => AfterBatch::RetryAfter(wait),
                None => AfterBatch::Done(Err(e)),
            };
        }
        Err(e) if e.kind() == ErrorKind::BusyLoading => e,
        Ok(results) => {
            let all_loading = !results.is_empty()
                && results.iter().all(|r| {
                    r.as_ref()
                        .is_err_and(|e| e.kind() == ErrorKind::BusyLoading)
                });
            if !all_loading {
                return AfterBatch::Done(Ok(results));
            }
            match results.into_iter().find_map(Result::err) {
                Some(e) => e,
                None => return AfterBatch::Done(Ok(Vec::new())),
            }
        }
        Err(e) => return AfterBatch::Done(Err(e)),
    };
    match loading.on_error(&refused, Sent::Maybe, false) {
        Some(wait) => AfterBatch::RetryAfter(wait),
        None => AfterBatch::Done(Err(refused)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ServerError;

    fn err(line: &str) -> Value {
        Value::Error(ServerError::from_line(line.as_bytes()))
    }

    fn cmds() -> Vec<Cmd> {
        vec![
            crate::commands::build::set("a", 1),
            crate::commands::build::incr("a"),
        ]
    }

    #[test]
    fn plain_pipeline_normalises_and_tags_errors() {
        let out = assemble(
            &cmds(),
            false,
            vec![Value::Simple("OK".into()), err("WRONGTYPE bad")],
        )
        .unwrap();
        assert_eq!(out[0].as_ref().unwrap(), &Value::Boolean(true));
        let e = out[1].as_ref().unwrap_err();
        assert_eq!(e.command(), Some((1, "INCR")));
        assert_eq!(e.code(), Some("WRONGTYPE"));
        let e = raise_first_error(out).unwrap_err();
        assert_eq!(e.command(), Some((1, "INCR")));
    }

    #[test]
    fn transaction_results_come_from_exec() {
        let replies = vec![
            Value::Simple("OK".into()),
            Value::Simple("QUEUED".into()),
            Value::Simple("QUEUED".into()),
            Value::Array(vec![Value::Simple("OK".into()), Value::Int(2)]),
        ];
        let out = raise_first_error(assemble(&cmds(), true, replies).unwrap()).unwrap();
        assert_eq!(out, vec![Value::Boolean(true), Value::Int(2)]);
    }

    #[test]
    fn exec_nil_is_a_watch_error_and_execabort_names_the_command() {
        let replies = vec![
            Value::Simple("OK".into()),
            Value::Simple("QUEUED".into()),
            Value::Simple("QUEUED".into()),
            Value::Nil,
        ];
        let e = assemble(&cmds(), true, replies).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Watch);
        let replies = vec![
            Value::Simple("OK".into()),
            Value::Simple("QUEUED".into()),
            err("ERR wrong number of arguments"),
            err("EXECABORT Transaction discarded because of previous errors."),
        ];
        let e = assemble(&cmds(), true, replies).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ExecAbort);
        assert_eq!(e.command(), Some((1, "INCR")));
        // The rejected command's reply is the cause, not part of the abort's own message.
        let chain: Vec<String> = e.chain().map(ToString::to_string).collect();
        assert_eq!(
            chain,
            [
                "ExecAbort error in command #1 (INCR): Transaction discarded because of previous \
                 errors",
                "Response error in command #1 (INCR): ERR wrong number of arguments",
            ]
        );
        // A queued command refused with LOADING: nothing ran, and the kind says why.
        let replies = vec![
            Value::Simple("OK".into()),
            err("LOADING Redis is loading the dataset in memory"),
            Value::Simple("QUEUED".into()),
            err("EXECABORT Transaction discarded because of previous errors."),
        ];
        let e = assemble(&cmds(), true, replies).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BusyLoading);
        assert_eq!(e.command(), Some((0, "SET")));
    }

    #[test]
    fn transaction_flow_retries_watch_and_loading_only() {
        let ms = Duration::from_millis;
        let retry = Retry::new(crate::retry::Backoff::Constant(ms(20)), 0);
        let options = TransactionOptions::new().watch_delay(ms(3)).max_attempts(2);
        let mut flow = TransactionFlow::new(options, retry);
        let watch = || Err::<(), _>(Error::new(ErrorKind::Watch, "changed"));
        assert!(matches!(flow.after_attempt(watch()), AfterAttempt::RetryAfter(d) if d == ms(3)));
        // The second watch failure reaches max_attempts.
        assert!(
            matches!(flow.after_attempt(watch()), AfterAttempt::Done(Err(e)) if e.kind() == ErrorKind::Watch)
        );
        let mut flow = TransactionFlow::new(TransactionOptions::new(), retry);
        let loading = Err::<(), _>(Error::new(ErrorKind::BusyLoading, "loading"));
        assert!(matches!(flow.after_attempt(loading), AfterAttempt::RetryAfter(d) if d == ms(20)));
        let other = Err::<(), _>(Error::new(ErrorKind::Connection, "cut"));
        assert!(matches!(
            flow.after_attempt(other),
            AfterAttempt::Done(Err(_))
        ));
        assert!(matches!(
            flow.after_attempt(Ok(7)),
            AfterAttempt::Done(Ok(7))
        ));
    }

    #[test]
    fn reply_count_mismatch_is_a_protocol_error() {
        let e = assemble(&cmds(), false, vec![Value::Nil]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol);
    }

    #[test]
    fn wire_commands_wrap_transactions() {
        let (m, x) = (multi_cmd(), exec_cmd());
        let c = cmds();
        let names: Vec<String> = wire_commands(&c, true, &m, &x).map(Cmd::name).collect();
        assert_eq!(names, ["MULTI", "SET", "INCR", "EXEC"]);
        assert_eq!(wire_commands(&c, false, &m, &x).count(), 2);
    }
}
