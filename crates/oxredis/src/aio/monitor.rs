//! The async `Monitor` (redis-py's asyncio `Monitor`): a dedicated connection in `MONITOR`
//! mode. Lines are parsed by the sans-I/O [`crate::monitor`] module shared with the blocking
//! [`Monitor`](crate::Monitor); this file only reads frames.

use std::time::Duration;

use tokio::time::Instant;

use crate::monitor::{parse_monitor_frame, MonitorEntry};
use crate::{Cmd, Error, ErrorKind, Result};

use super::stream::{unfold_stream, Unfold};
use super::{BoxFuture, Connection, Redis};

/// A connection that receives every command the server runs (`MONITOR`), from
/// [`Redis::monitor`]. Mirrors the blocking [`Monitor`](crate::Monitor): the same methods,
/// awaited, and [`listen`](Self::listen) is a [`futures_core::Stream`].
///
/// # Examples
/// ```no_run
/// # async fn demo() -> oxredis::Result<()> {
/// let r = oxredis::aio::Redis::from_url("redis://localhost")?;
/// let mut m = r.monitor().await?;
/// let e = m.next_command().await?;
/// println!("{} db{} {} {:?}", e.time, e.db, e.client_address(), e.args);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Monitor {
    conn: Connection,
}

impl Redis {
    /// Opens a dedicated connection (never the shared one) and starts `MONITOR` on it.
    ///
    /// # Errors
    /// A connection error, or the server refusing `MONITOR` (e.g. ACL).
    pub async fn monitor(&self) -> Result<Monitor> {
        let mut conn = Connection::connect(self.config()).await?;
        conn.request(&Cmd::new("MONITOR")).await?;
        Ok(Monitor { conn })
    }
}

impl Monitor {
    /// Waits for the next command the server runs, for as long as it takes: a quiet server is
    /// normal here, so the response deadline does not apply (TCP keepalive notices a dead peer).
    /// Cancel safe: dropping the future loses nothing.
    ///
    /// # Errors
    /// A connection error (the monitor is then unusable), or an unparsable line.
    pub async fn next_command(&mut self) -> Result<MonitorEntry> {
        match self.conn.read_frame_until(None).await? {
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
    pub async fn next_command_timeout(
        &mut self,
        timeout: Duration,
    ) -> Result<Option<MonitorEntry>> {
        // A wait too long to represent is no deadline at all.
        let deadline = Instant::now().checked_add(timeout);
        self.conn
            .read_frame_until(deadline)
            .await?
            .map(parse_monitor_frame)
            .transpose()
    }

    /// Every command as it runs, as a stream borrowing this monitor; yields an error and ends
    /// when the connection fails.
    pub fn listen(&mut self) -> MonitorStream<'_> {
        MonitorStream {
            inner: Unfold::new(Some(self), step),
        }
    }
}

/// One step of [`MonitorStream`]: the state is `None` after an unrecoverable error.
fn step(
    m: Option<&mut Monitor>,
) -> BoxFuture<'_, (Option<Result<MonitorEntry>>, Option<&mut Monitor>)> {
    Box::pin(async move {
        let Some(m) = m else {
            return (None, None);
        };
        let next = m.next_command().await;
        let done = next.as_ref().is_err_and(Error::is_unrecoverable);
        (Some(next), (!done).then_some(m))
    })
}

/// The entries of a borrowed [`Monitor`], as a [`futures_core::Stream`]; see
/// [`Monitor::listen`].
pub struct MonitorStream<'a> {
    inner: Unfold<'a, Option<&'a mut Monitor>, Result<MonitorEntry>>,
}

unfold_stream!(MonitorStream<'a> => Result<MonitorEntry>);
