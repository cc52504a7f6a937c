//! Running [`Script`]s with the async client: the same `Script` type as the blocking client
//! (source and SHA1 from [`crate::script`]), with `EVALSHA`, and on `NOSCRIPT` a load and one
//! retry.

use std::future::Future;

use crate::script::{Script, ScriptFlow, ScriptNext};
use crate::{Cmd, FromValue, Result, ToArgs, Value};

use super::{Connection, Redis};

/// Runs the prepared `EVALSHA` `cmd` of `script` on the shared connection; on `NOSCRIPT` loads
/// the script and retries once.
pub(crate) async fn evalsha_shared(client: &Redis, script: &Script, cmd: Cmd) -> Result<Value> {
    let mut flow = ScriptFlow::default();
    let mut result = client.request(cmd.clone()).await;
    loop {
        result = match flow.after(result) {
            ScriptNext::Call => client.request(cmd.clone()).await,
            ScriptNext::Load => client.request(script.load_cmd()).await,
            ScriptNext::Done(result) => return result,
        };
    }
}

/// As [`evalsha_shared`], on a dedicated connection.
pub(crate) async fn evalsha_on(conn: &mut Connection, script: &Script, cmd: &Cmd) -> Result<Value> {
    let mut flow = ScriptFlow::default();
    let mut result = conn.request(cmd).await;
    loop {
        result = match flow.after(result) {
            ScriptNext::Call => conn.request(cmd).await,
            ScriptNext::Load => conn.request(&script.load_cmd()).await,
            ScriptNext::Done(result) => return result,
        };
    }
}

impl Redis {
    /// A [`Script`] for `source` (redis-py's `register_script`). The SHA1 is computed locally;
    /// nothing is sent until the script is called, and it can be called on any client.
    pub fn register_script(&self, source: impl Into<String>) -> Script {
        Script::new(source)
    }

    /// Runs `script` with `EVALSHA`; on `NOSCRIPT` loads it and retries once.
    ///
    /// # Errors
    /// A connection error, the script's error, or a failed conversion.
    pub fn call_script<'a, T: FromValue + 'a>(
        &'a self,
        script: &'a Script,
        keys: impl ToArgs,
        args: impl ToArgs,
    ) -> impl Future<Output = Result<T>> + Send + 'a {
        script.call_async(self, keys, args)
    }
}

impl Script {
    /// Runs the script on the async `client` with `EVALSHA`; on `NOSCRIPT` (never loaded, or
    /// after `SCRIPT FLUSH`) loads it and retries once. The async twin of
    /// [`Script::call`](Script::call).
    ///
    /// # Errors
    /// A connection error, the script's error, or a failed conversion.
    ///
    /// # Examples
    /// ```no_run
    /// # async fn demo() -> oxredis::Result<()> {
    /// let r = oxredis::aio::Redis::from_url("redis://localhost")?;
    /// let multiply = r.register_script("return redis.call('GET', KEYS[1]) * ARGV[1]");
    /// let v: i64 = multiply.call_async(&r, ["foo"], [5]).await?;
    /// # Ok(()) }
    /// ```
    pub fn call_async<'a, T: FromValue + 'a>(
        &'a self,
        client: &'a Redis,
        keys: impl ToArgs,
        args: impl ToArgs,
    ) -> impl Future<Output = Result<T>> + Send + 'a {
        let cmd = self.evalsha_cmd(keys, args);
        async move { T::from_value(evalsha_shared(client, self, cmd).await?) }
    }

    /// Runs the script on a dedicated async connection, as [`call_async`](Self::call_async).
    ///
    /// # Errors
    /// As [`call_async`](Self::call_async).
    pub fn call_on_async<'a, T: FromValue + 'a>(
        &'a self,
        conn: &'a mut Connection,
        keys: impl ToArgs,
        args: impl ToArgs,
    ) -> impl Future<Output = Result<T>> + Send + 'a {
        let cmd = self.evalsha_cmd(keys, args);
        async move { T::from_value(evalsha_on(conn, self, &cmd).await?) }
    }

    /// Loads the script into the async `client`'s server (`SCRIPT LOAD`), returning the SHA1.
    ///
    /// # Errors
    /// A connection error or the server's error (e.g. a Lua syntax error).
    pub async fn load_async(&self, client: &Redis) -> Result<String> {
        client.run(self.load_cmd()).await
    }
}
