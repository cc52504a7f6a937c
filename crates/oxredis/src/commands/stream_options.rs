//! Option builders of stream commands.

use crate::cmd::{Cmd, Flag, ToArgs};

/// Writes `(key, id)` pairs as XREAD wants them: every key, then every id.
#[derive(Debug, Clone, Copy)]
pub struct Streams<'a, K, I>(pub &'a [(K, I)]);

impl<K: ToArgs, I: ToArgs> ToArgs for Streams<'_, K, I> {
    fn write_args(&self, cmd: &mut Cmd) {
        for (k, _) in self.0 {
            k.write_args(cmd);
        }
        for (_, id) in self.0 {
            id.write_args(cmd);
        }
    }
}

/// How to trim a stream (XADD, XTRIM): by length or minimum id, exactly or approximately.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamTrim {
    strategy: &'static str,
    threshold: String,
    approximate: bool,
    limit: Option<u64>,
}

impl StreamTrim {
    /// Keep at most `n` entries (`MAXLEN`).
    pub fn maxlen(n: u64) -> Self {
        StreamTrim {
            strategy: "MAXLEN",
            threshold: n.to_string(),
            approximate: false,
            limit: None,
        }
    }
    /// Drop entries with ids below `id` (`MINID`).
    pub fn minid(id: impl Into<String>) -> Self {
        StreamTrim {
            strategy: "MINID",
            threshold: id.into(),
            approximate: false,
            limit: None,
        }
    }
    /// Trim lazily, by whole nodes (`~`).
    pub fn approximate(mut self) -> Self {
        self.approximate = true;
        self
    }
    /// At most `n` entries evicted per call (`LIMIT`, with `~` only).
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = Some(n);
        self
    }
}

impl ToArgs for StreamTrim {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg(self.strategy)
            .arg(if self.approximate { "~" } else { "=" })
            .arg(&self.threshold);
        if let Some(n) = self.limit {
            cmd.arg("LIMIT").arg(n);
        }
    }
}

/// Options of [XADD](https://redis.io/commands/xadd).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XAddOptions {
    nomkstream: bool,
    trim: Option<StreamTrim>,
}

impl XAddOptions {
    /// Do not create a missing stream; the reply is then nil (`NOMKSTREAM`).
    pub fn nomkstream(mut self) -> Self {
        self.nomkstream = true;
        self
    }
    /// Trim while adding.
    pub fn trim(mut self, trim: StreamTrim) -> Self {
        self.trim = Some(trim);
        self
    }
}

impl ToArgs for XAddOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg(Flag("NOMKSTREAM", self.nomkstream)).arg(&self.trim);
    }
}

/// Options of [XREAD](https://redis.io/commands/xread) and XREADGROUP.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct XReadOptions {
    count: Option<u64>,
    block: Option<u64>,
    noack: bool,
}

impl XReadOptions {
    /// At most `n` entries per stream (`COUNT`).
    pub fn count(mut self, n: u64) -> Self {
        self.count = Some(n);
        self
    }
    /// Wait up to `ms` milliseconds for entries (0: forever) (`BLOCK`).
    pub fn block(mut self, ms: u64) -> Self {
        self.block = Some(ms);
        self
    }
    /// Do not add the entries to the pending list (`NOACK`, XREADGROUP only).
    pub fn noack(mut self) -> Self {
        self.noack = true;
        self
    }
}

impl ToArgs for XReadOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(n) = self.count {
            cmd.arg("COUNT").arg(n);
        }
        if let Some(ms) = self.block {
            cmd.arg("BLOCK").arg(ms);
        }
        cmd.arg(Flag("NOACK", self.noack));
    }
}

/// Options of [XCLAIM](https://redis.io/commands/xclaim).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XClaimOptions {
    idle: Option<u64>,
    time: Option<u64>,
    retrycount: Option<u64>,
    force: bool,
    justid: bool,
    lastid: Option<String>,
}

impl XClaimOptions {
    /// Set the idle time in milliseconds (`IDLE`).
    pub fn idle(mut self, ms: u64) -> Self {
        self.idle = Some(ms);
        self
    }
    /// Set the last delivery time, unix milliseconds (`TIME`).
    pub fn time(mut self, unix_ms: u64) -> Self {
        self.time = Some(unix_ms);
        self
    }
    /// Set the delivery counter (`RETRYCOUNT`).
    pub fn retrycount(mut self, n: u64) -> Self {
        self.retrycount = Some(n);
        self
    }
    /// Create pending entries for ids not yet pending (`FORCE`).
    pub fn force(mut self) -> Self {
        self.force = true;
        self
    }
    /// Return ids only (`JUSTID`).
    pub fn justid(mut self) -> Self {
        self.justid = true;
        self
    }
    /// Update the group's last id (`LASTID`).
    pub fn lastid(mut self, id: impl Into<String>) -> Self {
        self.lastid = Some(id.into());
        self
    }
}

impl ToArgs for XClaimOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(v) = self.idle {
            cmd.arg("IDLE").arg(v);
        }
        if let Some(v) = self.time {
            cmd.arg("TIME").arg(v);
        }
        if let Some(v) = self.retrycount {
            cmd.arg("RETRYCOUNT").arg(v);
        }
        cmd.arg(Flag("FORCE", self.force))
            .arg(Flag("JUSTID", self.justid));
        if let Some(id) = &self.lastid {
            cmd.arg("LASTID").arg(id);
        }
    }
}

/// Options of [XAUTOCLAIM](https://redis.io/commands/xautoclaim).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct XAutoClaimOptions {
    count: Option<u64>,
    justid: bool,
}

impl XAutoClaimOptions {
    /// Claim at most `n` entries (`COUNT`).
    pub fn count(mut self, n: u64) -> Self {
        self.count = Some(n);
        self
    }
    /// Return ids only (`JUSTID`).
    pub fn justid(mut self) -> Self {
        self.justid = true;
        self
    }
}

impl ToArgs for XAutoClaimOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(n) = self.count {
            cmd.arg("COUNT").arg(n);
        }
        cmd.arg(Flag("JUSTID", self.justid));
    }
}

/// Options of the extended [XPENDING](https://redis.io/commands/xpending) form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XPendingOptions {
    idle: Option<u64>,
    consumer: Option<String>,
}

impl XPendingOptions {
    /// Only entries idle at least `ms` milliseconds (`IDLE`).
    pub fn idle(mut self, ms: u64) -> Self {
        self.idle = Some(ms);
        self
    }
    /// Only entries of this consumer.
    pub fn consumer(mut self, consumer: impl Into<String>) -> Self {
        self.consumer = Some(consumer.into());
        self
    }
    /// The `IDLE ms` arguments, written before the range.
    pub fn idle_args(&self) -> Option<(&'static str, u64)> {
        self.idle.map(|ms| ("IDLE", ms))
    }
    /// The consumer argument, written after the count.
    pub fn consumer_args(&self) -> Option<&str> {
        self.consumer.as_deref()
    }
}

/// Options of [XSETID](https://redis.io/commands/xsetid).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XSetIdOptions {
    entries_added: Option<u64>,
    max_deleted_id: Option<String>,
}

impl XSetIdOptions {
    /// Total entries ever added (`ENTRIESADDED`).
    pub fn entries_added(mut self, n: u64) -> Self {
        self.entries_added = Some(n);
        self
    }
    /// Greatest deleted id (`MAXDELETEDID`).
    pub fn max_deleted_id(mut self, id: impl Into<String>) -> Self {
        self.max_deleted_id = Some(id.into());
        self
    }
}

impl ToArgs for XSetIdOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(n) = self.entries_added {
            cmd.arg("ENTRIESADDED").arg(n);
        }
        if let Some(id) = &self.max_deleted_id {
            cmd.arg("MAXDELETEDID").arg(id);
        }
    }
}

/// Options of [XGROUP CREATE](https://redis.io/commands/xgroup-create).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct XGroupCreateOptions {
    mkstream: bool,
    entries_read: Option<i64>,
}

impl XGroupCreateOptions {
    /// Create the stream if missing (`MKSTREAM`).
    pub fn mkstream(mut self) -> Self {
        self.mkstream = true;
        self
    }
    /// Entries already read, for lag tracking (`ENTRIESREAD`).
    pub fn entries_read(mut self, n: i64) -> Self {
        self.entries_read = Some(n);
        self
    }
}

impl ToArgs for XGroupCreateOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg(Flag("MKSTREAM", self.mkstream));
        if let Some(n) = self.entries_read {
            cmd.arg("ENTRIESREAD").arg(n);
        }
    }
}
