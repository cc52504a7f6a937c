//! Running [`Script`]s with the blocking client.

use crate::script::Script;
use crate::{FromValue, Result, ToArgs};

use super::pipeline::{call_script_on, checkout};
use super::{Connection, Redis};

impl Redis {
    /// A [`Script`] for `source` (redis-py's `register_script`). The SHA1 is computed locally;
    /// nothing is sent until the script is called, and it can be called on any client.
    ///
    /// # Examples
    /// ```no_run
    /// # let r = oxredis::Redis::from_url("redis://localhost")?;
    /// let multiply = r.register_script("return redis.call('GET', KEYS[1]) * ARGV[1]");
    /// let v: i64 = multiply.call(&r, ["foo"], [5])?;
    /// # Ok::<(), oxredis::Error>(())
    /// ```
    pub fn register_script(&self, source: impl Into<String>) -> Script {
        Script::new(source)
    }

    /// Runs `script` with `EVALSHA`; on `NOSCRIPT` loads it and retries once.
    ///
    /// # Errors
    /// A connection error, the script's error, or a failed conversion.
    pub fn call_script<T: FromValue>(
        &self,
        script: &Script,
        keys: impl ToArgs,
        args: impl ToArgs,
    ) -> Result<T> {
        script.call(self, keys, args)
    }
}

impl Script {
    /// Runs the script on `client` with `EVALSHA`; on `NOSCRIPT` (never loaded, or after
    /// `SCRIPT FLUSH`) loads it and retries once. A connection error is retried (per the
    /// client's retry policy) only while checking a connection out, never once sent.
    ///
    /// # Errors
    /// A connection error, the script's error, or a failed conversion.
    pub fn call<T: FromValue>(
        &self,
        client: &Redis,
        keys: impl ToArgs,
        args: impl ToArgs,
    ) -> Result<T> {
        let mut conn = checkout(client)?;
        self.call_on(&mut conn, keys, args)
    }

    /// Runs the script on one connection, as [`call`](Self::call).
    ///
    /// # Errors
    /// As [`call`](Self::call).
    pub fn call_on<T: FromValue>(
        &self,
        conn: &mut Connection,
        keys: impl ToArgs,
        args: impl ToArgs,
    ) -> Result<T> {
        T::from_value(call_script_on(conn, self, keys, args)?)
    }

    /// Loads the script into `client`'s server (`SCRIPT LOAD`), returning the SHA1.
    ///
    /// # Errors
    /// A connection error or the server's error (e.g. a Lua syntax error).
    pub fn load(&self, client: &Redis) -> Result<String> {
        client.run(self.load_cmd())
    }
}
