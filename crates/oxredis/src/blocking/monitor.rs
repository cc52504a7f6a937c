//! The blocking `Monitor` (redis-py's `Monitor`): a dedicated connection in `MONITOR` mode.

use std::time::Duration;

use crate::monitor::{parse_monitor_frame, MonitorEntry};
use crate::{Cmd, Error, ErrorKind, Result};

use super::{Connection, Redis};

/// A connection that receives every command the server runs (`MONITOR`), from
/// [`Redis::monitor`]. Lines are parsed by
/// `parse_monitor_line`.
///
/// # Examples
/// ```no_run
/// let r = oxredis::Redis::from_url("redis://localhost")?;
/// let mut m = r.monitor()?;
/// for entry in m.listen().take(3) {
///     let e = entry?;
///     println!("{} db{} {} {:?}", e.time, e.db, e.client_address(), e.args);
/// }
/// # Ok::<(), oxredis::Error>(())
/// ```
#[derive(Debug)]
pub struct Monitor {
    conn: Connection,
}

impl Redis {
    /// Opens a dedicated connection (not from the pool) and starts `MONITOR` on it.
    ///
    /// # Errors
    /// A connection error, or the server refusing `MONITOR` (e.g. ACL).
    pub fn monitor(&self) -> Result<Monitor> {
        let mut conn = Connection::connect(self.config())?;
        conn.request(&Cmd::new("MONITOR"))?;
        Ok(Monitor { conn })
    }
}

impl Monitor {
    /// Waits for the next command the server runs, for as long as it takes: a quiet server is
    /// normal here, so the response deadline does not apply (TCP keepalive notices a dead peer).
    ///
    /// # Errors
    /// A connection error (the monitor is then unusable), or an unparsable line.
    pub fn next_command(&mut self) -> Result<MonitorEntry> {
        match self.conn.read_frame_timeout(None)? {
            Some(frame) => parse_monitor_frame(frame),
            None => Err(Error::new(
                ErrorKind::Connection,
                "MONITOR connection stopped without a frame",
            )),
        }
    }

    /// Waits up to `timeout` for the next command; `None` when none came. A timeout does not
    /// break the connection.
    ///
    /// # Errors
    /// As [`next_command`](Self::next_command).
    pub fn next_command_timeout(&mut self, timeout: Duration) -> Result<Option<MonitorEntry>> {
        self.conn
            .read_frame_timeout(Some(timeout))?
            .map(parse_monitor_frame)
            .transpose()
    }

    /// Every command as it runs (blocking); yields an error and ends when the connection fails.
    pub fn listen(&mut self) -> impl Iterator<Item = Result<MonitorEntry>> + '_ {
        let mut done = false;
        std::iter::from_fn(move || {
            if done {
                return None;
            }
            let next = self.next_command();
            done = next.as_ref().is_err_and(Error::is_unrecoverable);
            Some(next)
        })
    }
}
