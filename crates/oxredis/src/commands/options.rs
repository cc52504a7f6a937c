//! Option builders for commands with optional tokens (redis-py's keyword arguments).

use std::time::Duration;

use crate::cmd::{Cmd, ToArgs};

/// When a key set by SET expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// `EX seconds`.
    Ex(u64),
    /// `PX milliseconds`.
    Px(u64),
    /// `EXAT unix-seconds`.
    ExAt(u64),
    /// `PXAT unix-milliseconds`.
    PxAt(u64),
    /// `KEEPTTL`: keep the key's current time to live.
    KeepTtl,
}

/// Options of [SET](https://redis.io/commands/set): expiry, NX/XX and GET.
///
/// # Examples
/// ```
/// use std::time::Duration;
/// use oxredis::SetOptions;
/// let opts = SetOptions::default().ex(Duration::from_secs(10)).nx();
/// # let _ = opts;
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SetOptions {
    expiry: Option<Expiry>,
    nx: bool,
    xx: bool,
    get: bool,
}

impl SetOptions {
    /// Expire after `ttl` (seconds precision, `EX`).
    pub fn ex(mut self, ttl: Duration) -> Self {
        self.expiry = Some(Expiry::Ex(ttl.as_secs()));
        self
    }

    /// Expire after `ttl` (milliseconds precision, `PX`).
    pub fn px(mut self, ttl: Duration) -> Self {
        self.expiry = Some(Expiry::Px(ttl.as_millis() as u64));
        self
    }

    /// Expire at a unix time in seconds (`EXAT`).
    pub fn exat(mut self, unix_seconds: u64) -> Self {
        self.expiry = Some(Expiry::ExAt(unix_seconds));
        self
    }

    /// Expire at a unix time in milliseconds (`PXAT`).
    pub fn pxat(mut self, unix_millis: u64) -> Self {
        self.expiry = Some(Expiry::PxAt(unix_millis));
        self
    }

    /// Keep the existing time to live (`KEEPTTL`).
    pub fn keepttl(mut self) -> Self {
        self.expiry = Some(Expiry::KeepTtl);
        self
    }

    /// Only set if the key does not exist (`NX`).
    pub fn nx(mut self) -> Self {
        self.nx = true;
        self
    }

    /// Only set if the key exists (`XX`).
    pub fn xx(mut self) -> Self {
        self.xx = true;
        self
    }

    /// Return the old value (`GET`).
    pub fn get(mut self) -> Self {
        self.get = true;
        self
    }
}

impl ToArgs for SetOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        match self.expiry {
            Some(Expiry::Ex(s)) => cmd.arg("EX").arg(s),
            Some(Expiry::Px(ms)) => cmd.arg("PX").arg(ms),
            Some(Expiry::ExAt(s)) => cmd.arg("EXAT").arg(s),
            Some(Expiry::PxAt(ms)) => cmd.arg("PXAT").arg(ms),
            Some(Expiry::KeepTtl) => cmd.arg("KEEPTTL"),
            None => cmd,
        };
        if self.nx {
            cmd.arg("NX");
        }
        if self.xx {
            cmd.arg("XX");
        }
        if self.get {
            cmd.arg("GET");
        }
    }
}

/// Options of the SCAN family: `MATCH`, `COUNT` and (SCAN only) `TYPE`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanOptions {
    pattern: Option<Vec<u8>>,
    count: Option<u64>,
    type_: Option<String>,
}

impl ScanOptions {
    /// Only keys matching a glob `pattern` (`MATCH`).
    pub fn pattern(mut self, pattern: impl AsRef<[u8]>) -> Self {
        self.pattern = Some(pattern.as_ref().to_vec());
        self
    }

    /// Work hint per call (`COUNT`).
    pub fn count(mut self, count: u64) -> Self {
        self.count = Some(count);
        self
    }

    /// Only keys of this type, e.g. `"string"` (`TYPE`, SCAN only).
    pub fn type_(mut self, type_: impl Into<String>) -> Self {
        self.type_ = Some(type_.into());
        self
    }
}

impl ToArgs for ScanOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(p) = &self.pattern {
            cmd.arg("MATCH").arg(p.as_slice());
        }
        if let Some(c) = self.count {
            cmd.arg("COUNT").arg(c);
        }
        if let Some(t) = &self.type_ {
            cmd.arg("TYPE").arg(t);
        }
    }
}
