//! Option builders for commands with optional tokens (redis-py's keyword arguments).

use std::time::Duration;

use crate::cmd::{Cmd, Flag, ToArgs};
use crate::reply::ReplyShape;

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

/// Writes a slice's length, then its items: the `numkeys` argument of EVAL, LMPOP, ZUNION...
#[derive(Debug, Clone, Copy)]
pub struct Counted<'a, T>(pub &'a [T]);

impl<T: ToArgs> ToArgs for Counted<'_, T> {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg(self.0.len());
        for item in self.0 {
            item.write_args(cmd);
        }
    }
}

/// `COUNT n` (LMPOP, ZMPOP, XRANGE...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count(pub u64);

impl ToArgs for Count {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg("COUNT").arg(self.0);
    }
}

/// `LIMIT offset count` (ZRANGEBYSCORE, ZRANGEBYLEX, SORT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(pub i64, pub i64);

impl ToArgs for Limit {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg("LIMIT").arg(self.0).arg(self.1);
    }
}

/// `LIMIT n`, a single bound (SINTERCARD, ZINTERCARD).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit1(pub u64);

impl ToArgs for Limit1 {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg("LIMIT").arg(self.0);
    }
}

/// `SAMPLES n` (MEMORY USAGE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Samples(pub u64);

impl ToArgs for Samples {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg("SAMPLES").arg(self.0);
    }
}

/// `VERSION n` (LOLWUT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LolwutVersion(pub u32);

impl ToArgs for LolwutVersion {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg("VERSION").arg(self.0);
    }
}

/// `ENTRIESREAD n` (XGROUP SETID).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntriesRead(pub i64);

impl ToArgs for EntriesRead {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg("ENTRIESREAD").arg(self.0);
    }
}

/// Writes one literal keyword; the enums below use it.
macro_rules! keyword_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* $variant),+
        }

        impl ToArgs for $name {
            fn write_args(&self, cmd: &mut Cmd) {
                cmd.arg(match self { $($name::$variant => $word),+ });
            }
        }
    };
}

keyword_enum! {
    /// A list end (LMOVE, LMPOP...).
    Direction { /// `LEFT`: the head.
        Left = "LEFT", /// `RIGHT`: the tail.
        Right = "RIGHT" }
}

keyword_enum! {
    /// Which end of a sorted set (ZMPOP, BZMPOP).
    MinMax { /// Lowest scores.
        Min = "MIN", /// Highest scores.
        Max = "MAX" }
}

keyword_enum! {
    /// Where LINSERT puts the value.
    InsertPosition { /// Before the pivot.
        Before = "BEFORE", /// After the pivot.
        After = "AFTER" }
}

keyword_enum! {
    /// When EXPIRE and friends apply (Redis 7).
    ExpireCondition {
        /// Only if the key has no expiry.
        Nx = "NX",
        /// Only if the key has an expiry.
        Xx = "XX",
        /// Only if the new expiry is greater.
        Gt = "GT",
        /// Only if the new expiry is less.
        Lt = "LT",
    }
}

keyword_enum! {
    /// Synchronous or background flushing (FLUSHALL, FLUSHDB, SCRIPT FLUSH, FUNCTION FLUSH).
    FlushMode { /// In the background.
        Async = "ASYNC", /// Before replying.
        Sync = "SYNC" }
}

keyword_enum! {
    /// BITOP operations.
    BitOperation {
        /// Bitwise AND.
        And = "AND",
        /// Bitwise OR.
        Or = "OR",
        /// Bitwise XOR.
        Xor = "XOR",
        /// Bitwise NOT (one source key).
        Not = "NOT",
    }
}

keyword_enum! {
    /// FUNCTION RESTORE policy.
    RestorePolicy {
        /// Delete existing libraries first.
        Flush = "FLUSH",
        /// Append; fail on a name clash.
        Append = "APPEND",
        /// Append, replacing clashing libraries.
        Replace = "REPLACE",
    }
}

keyword_enum! {
    /// Distance unit of geo commands.
    GeoUnit {
        /// Meters.
        M = "M",
        /// Kilometers.
        Km = "KM",
        /// Feet.
        Ft = "FT",
        /// Miles.
        Mi = "MI",
    }
}

/// Options of [GETEX](https://redis.io/commands/getex): a new expiry or `PERSIST`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GetExOptions {
    expiry: Option<Expiry>,
    persist: bool,
}

impl GetExOptions {
    /// Sets the expiry (`KEEPTTL` is not valid for GETEX and is ignored).
    pub fn expiry(mut self, expiry: Expiry) -> Self {
        self.expiry = Some(expiry);
        self
    }

    /// Removes the expiry (`PERSIST`).
    pub fn persist(mut self) -> Self {
        self.persist = true;
        self
    }
}

impl ToArgs for GetExOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        match self.expiry {
            Some(Expiry::Ex(s)) => cmd.arg("EX").arg(s),
            Some(Expiry::Px(ms)) => cmd.arg("PX").arg(ms),
            Some(Expiry::ExAt(s)) => cmd.arg("EXAT").arg(s),
            Some(Expiry::PxAt(ms)) => cmd.arg("PXAT").arg(ms),
            Some(Expiry::KeepTtl) | None => cmd,
        };
        cmd.arg(Flag("PERSIST", self.persist));
    }
}

/// Writes an expiry as SET writes it (`EX s`, `PX ms`, `EXAT s`, `PXAT ms`, `KEEPTTL`).
fn write_expiry(expiry: Option<Expiry>, cmd: &mut Cmd) {
    match expiry {
        Some(Expiry::Ex(s)) => cmd.arg("EX").arg(s),
        Some(Expiry::Px(ms)) => cmd.arg("PX").arg(ms),
        Some(Expiry::ExAt(s)) => cmd.arg("EXAT").arg(s),
        Some(Expiry::PxAt(ms)) => cmd.arg("PXAT").arg(ms),
        Some(Expiry::KeepTtl) => cmd.arg("KEEPTTL"),
        None => cmd,
    };
}

/// Options of [HSETEX](https://redis.io/commands/hsetex) (Redis 8.0, Valkey 9.0): `FNX`/`FXX`
/// (redis-py's `data_persist_option`) and the fields' expiry (`EX`, `PX`, `EXAT`, `PXAT`,
/// `KEEPTTL`).
///
/// ```
/// use oxredis::commands::options::HSetExOptions;
/// use oxredis::Expiry;
/// let cmd = oxredis::commands::build::hsetex(
///     "h",
///     &[("f", "v")],
///     &HSetExOptions::default().fnx().expiry(Expiry::Ex(60)),
/// );
/// assert_eq!(format!("{cmd:?}"), r#"["HSETEX", "h", "FNX", "EX", "60", "FIELDS", "1", "f", "v"]"#);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HSetExOptions {
    expiry: Option<Expiry>,
    fnx: bool,
    fxx: bool,
}

impl HSetExOptions {
    /// Sets the fields' expiry, or keeps their time to live ([`Expiry::KeepTtl`]).
    pub fn expiry(mut self, expiry: Expiry) -> Self {
        self.expiry = Some(expiry);
        self
    }

    /// Only if none of the fields exists (`FNX`).
    pub fn fnx(mut self) -> Self {
        self.fnx = true;
        self
    }

    /// Only if every field exists (`FXX`).
    pub fn fxx(mut self) -> Self {
        self.fxx = true;
        self
    }
}

impl ToArgs for HSetExOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg(Flag("FNX", self.fnx)).arg(Flag("FXX", self.fxx));
        write_expiry(self.expiry, cmd);
    }
}

/// Options of [MSETEX](https://redis.io/commands/msetex) (Redis 8.4, Valkey 9.1): `NX`/`XX`
/// (redis-py's `data_persist_option`) and the keys' expiry (`EX`, `PX`, `EXAT`, `PXAT`,
/// `KEEPTTL`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MSetExOptions {
    expiry: Option<Expiry>,
    nx: bool,
    xx: bool,
}

impl MSetExOptions {
    /// Sets the keys' expiry, or keeps their time to live ([`Expiry::KeepTtl`]).
    pub fn expiry(mut self, expiry: Expiry) -> Self {
        self.expiry = Some(expiry);
        self
    }

    /// Only if none of the keys exists (`NX`).
    pub fn nx(mut self) -> Self {
        self.nx = true;
        self
    }

    /// Only if every key exists (`XX`).
    pub fn xx(mut self) -> Self {
        self.xx = true;
        self
    }
}

impl ToArgs for MSetExOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg(Flag("NX", self.nx)).arg(Flag("XX", self.xx));
        write_expiry(self.expiry, cmd);
    }
}

/// Options of [LCS](https://redis.io/commands/lcs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LcsOptions {
    len: bool,
    idx: bool,
    minmatchlen: Option<u64>,
    withmatchlen: bool,
}

impl LcsOptions {
    /// Only the length (`LEN`).
    pub fn len(mut self) -> Self {
        self.len = true;
        self
    }
    /// The match positions (`IDX`), a map with `matches` and `len`.
    pub fn idx(mut self) -> Self {
        self.idx = true;
        self
    }
    /// Only matches at least this long (`MINMATCHLEN`).
    pub fn minmatchlen(mut self, n: u64) -> Self {
        self.minmatchlen = Some(n);
        self
    }
    /// Each match's length too (`WITHMATCHLEN`).
    pub fn withmatchlen(mut self) -> Self {
        self.withmatchlen = true;
        self
    }
}

impl ToArgs for LcsOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg(Flag("LEN", self.len)).arg(Flag("IDX", self.idx));
        if let Some(n) = self.minmatchlen {
            cmd.arg("MINMATCHLEN").arg(n);
        }
        cmd.arg(Flag("WITHMATCHLEN", self.withmatchlen));
    }
}

/// A range of BITCOUNT/BITPOS: `start end`, in bytes or (with `bit`) bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BitRange {
    /// First byte (or bit).
    pub start: i64,
    /// Last byte (or bit), inclusive.
    pub end: i64,
    /// Count in bits (`BIT`) instead of bytes.
    pub bit: bool,
}

impl ToArgs for BitRange {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg(self.start).arg(self.end).arg(Flag("BIT", self.bit));
    }
}

/// BITFIELD sub-operations, in order (redis-py's `bitfield()` builder).
///
/// # Examples
/// ```
/// use oxredis::commands::options::BitFieldOperations;
/// let ops = BitFieldOperations::default().set("u8", 0, 200).incrby("u8", 0, 100).get("u8", 0);
/// # let _ = ops;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BitFieldOperations {
    args: Vec<String>,
}

impl BitFieldOperations {
    fn push(mut self, words: &[&str]) -> Self {
        self.args.extend(words.iter().map(|w| (*w).to_owned()));
        self
    }
    /// `GET type offset` (`type` like `u8`, `i16`; offset may be `#n`).
    pub fn get(self, type_: &str, offset: impl std::fmt::Display) -> Self {
        self.push(&["GET", type_, &offset.to_string()])
    }
    /// `SET type offset value`.
    pub fn set(self, type_: &str, offset: impl std::fmt::Display, value: i64) -> Self {
        self.push(&["SET", type_, &offset.to_string(), &value.to_string()])
    }
    /// `INCRBY type offset increment`.
    pub fn incrby(self, type_: &str, offset: impl std::fmt::Display, increment: i64) -> Self {
        self.push(&["INCRBY", type_, &offset.to_string(), &increment.to_string()])
    }
    /// `OVERFLOW WRAP|SAT|FAIL` for the following operations.
    pub fn overflow(self, behaviour: &str) -> Self {
        self.push(&["OVERFLOW", behaviour])
    }
}

impl ToArgs for BitFieldOperations {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg(&self.args);
    }
}

/// Options of [COPY](https://redis.io/commands/copy).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CopyOptions {
    db: Option<i64>,
    replace: bool,
}

impl CopyOptions {
    /// Copy into database `db` (`DB`).
    pub fn db(mut self, db: i64) -> Self {
        self.db = Some(db);
        self
    }
    /// Overwrite the destination (`REPLACE`).
    pub fn replace(mut self) -> Self {
        self.replace = true;
        self
    }
}

impl ToArgs for CopyOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(db) = self.db {
            cmd.arg("DB").arg(db);
        }
        cmd.arg(Flag("REPLACE", self.replace));
    }
}

/// Options of [RESTORE](https://redis.io/commands/restore).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RestoreOptions {
    replace: bool,
    absttl: bool,
    idletime: Option<u64>,
    freq: Option<u64>,
}

impl RestoreOptions {
    /// Overwrite an existing key (`REPLACE`).
    pub fn replace(mut self) -> Self {
        self.replace = true;
        self
    }
    /// The ttl is an absolute unix time in milliseconds (`ABSTTL`).
    pub fn absttl(mut self) -> Self {
        self.absttl = true;
        self
    }
    /// Object idle time in seconds (`IDLETIME`).
    pub fn idletime(mut self, seconds: u64) -> Self {
        self.idletime = Some(seconds);
        self
    }
    /// LFU frequency (`FREQ`).
    pub fn freq(mut self, freq: u64) -> Self {
        self.freq = Some(freq);
        self
    }
}

impl ToArgs for RestoreOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg(Flag("REPLACE", self.replace))
            .arg(Flag("ABSTTL", self.absttl));
        if let Some(s) = self.idletime {
            cmd.arg("IDLETIME").arg(s);
        }
        if let Some(f) = self.freq {
            cmd.arg("FREQ").arg(f);
        }
    }
}

/// Options of [SORT](https://redis.io/commands/sort) and SORT_RO.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SortOptions {
    by: Option<String>,
    limit: Option<Limit>,
    get: Vec<String>,
    desc: bool,
    alpha: bool,
    store: Option<String>,
    groups: bool,
}

impl SortOptions {
    /// Sort by external keys matching `pattern` (`BY`).
    pub fn by(mut self, pattern: impl Into<String>) -> Self {
        self.by = Some(pattern.into());
        self
    }
    /// `LIMIT offset count`.
    pub fn limit(mut self, offset: i64, count: i64) -> Self {
        self.limit = Some(Limit(offset, count));
        self
    }
    /// Return external keys matching `pattern` (`GET`, repeatable; `#` is the element).
    pub fn get(mut self, pattern: impl Into<String>) -> Self {
        self.get.push(pattern.into());
        self
    }
    /// Descending (`DESC`).
    pub fn desc(mut self) -> Self {
        self.desc = true;
        self
    }
    /// Lexicographic (`ALPHA`).
    pub fn alpha(mut self) -> Self {
        self.alpha = true;
        self
    }
    /// Store the result at `key` (`STORE`, SORT only); the reply is then the count.
    pub fn store(mut self, key: impl Into<String>) -> Self {
        self.store = Some(key.into());
        self
    }
    /// With two or more [`get`](Self::get) patterns, one group per element (redis-py's
    /// `groups=True`): the flat reply `[a1, b1, a2, b2...]` becomes `[[a1, b1], [a2, b2]...]`,
    /// e.g. read as `Vec<(String, Option<String>)>`. Sends nothing; no effect with fewer GETs.
    pub fn groups(mut self) -> Self {
        self.groups = true;
        self
    }
}

impl ToArgs for SortOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(by) = &self.by {
            cmd.arg("BY").arg(by);
        }
        cmd.arg(self.limit);
        for g in &self.get {
            cmd.arg("GET").arg(g);
        }
        cmd.arg(Flag("DESC", self.desc))
            .arg(Flag("ALPHA", self.alpha));
        if let Some(s) = &self.store {
            cmd.arg("STORE").arg(s);
        }
        if self.groups && self.store.is_none() && self.get.len() > 1 {
            cmd.set_reply_shape(ReplyShape::Groups(self.get.len()));
        }
    }
}

/// Options of [MIGRATE](https://redis.io/commands/migrate).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrateOptions {
    copy: bool,
    replace: bool,
    auth: Option<(Option<String>, String)>,
}

impl MigrateOptions {
    /// Keep the keys on the source (`COPY`).
    pub fn copy(mut self) -> Self {
        self.copy = true;
        self
    }
    /// Overwrite keys on the target (`REPLACE`).
    pub fn replace(mut self) -> Self {
        self.replace = true;
        self
    }
    /// Authenticate to the target (`AUTH` or, with a user, `AUTH2`).
    pub fn auth(mut self, username: Option<&str>, password: &str) -> Self {
        self.auth = Some((username.map(str::to_owned), password.to_owned()));
        self
    }
}

impl ToArgs for MigrateOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg(Flag("COPY", self.copy))
            .arg(Flag("REPLACE", self.replace));
        match &self.auth {
            Some((Some(user), pass)) => cmd.arg("AUTH2").arg(user).arg(pass),
            Some((None, pass)) => cmd.arg("AUTH").arg(pass),
            None => cmd,
        };
    }
}

/// Options of [LPOS](https://redis.io/commands/lpos).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LposOptions {
    rank: Option<i64>,
    count: Option<u64>,
    maxlen: Option<u64>,
}

impl LposOptions {
    /// Start from the `rank`-th match (negative: from the tail) (`RANK`).
    pub fn rank(mut self, rank: i64) -> Self {
        self.rank = Some(rank);
        self
    }
    /// Return up to `count` positions as a list (0: all) (`COUNT`).
    pub fn count(mut self, count: u64) -> Self {
        self.count = Some(count);
        self
    }
    /// Compare at most `maxlen` elements (`MAXLEN`).
    pub fn maxlen(mut self, maxlen: u64) -> Self {
        self.maxlen = Some(maxlen);
        self
    }
}

impl ToArgs for LposOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(r) = self.rank {
            cmd.arg("RANK").arg(r);
        }
        if let Some(c) = self.count {
            cmd.arg("COUNT").arg(c);
        }
        if let Some(m) = self.maxlen {
            cmd.arg("MAXLEN").arg(m);
        }
    }
}

/// Options of [SHUTDOWN](https://redis.io/commands/shutdown).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ShutdownOptions {
    save: Option<bool>,
    now: bool,
    force: bool,
    abort: bool,
}

impl ShutdownOptions {
    /// Save (`SAVE`) or not (`NOSAVE`) regardless of the configuration.
    pub fn save(mut self, save: bool) -> Self {
        self.save = Some(save);
        self
    }
    /// Do not wait for lagging replicas (`NOW`).
    pub fn now(mut self) -> Self {
        self.now = true;
        self
    }
    /// Ignore errors that would stop the shutdown (`FORCE`).
    pub fn force(mut self) -> Self {
        self.force = true;
        self
    }
    /// Cancel a shutdown in progress (`ABORT`).
    pub fn abort(mut self) -> Self {
        self.abort = true;
        self
    }
}

impl ToArgs for ShutdownOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        match self.save {
            Some(true) => cmd.arg("SAVE"),
            Some(false) => cmd.arg("NOSAVE"),
            None => cmd,
        };
        cmd.arg(Flag("NOW", self.now))
            .arg(Flag("FORCE", self.force))
            .arg(Flag("ABORT", self.abort));
    }
}

/// Options of [FAILOVER](https://redis.io/commands/failover).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FailoverOptions {
    to: Option<(String, u16, bool)>,
    abort: bool,
    timeout: Option<u64>,
}

impl FailoverOptions {
    /// Fail over to this replica (`TO host port [FORCE]`).
    pub fn to(mut self, host: impl Into<String>, port: u16, force: bool) -> Self {
        self.to = Some((host.into(), port, force));
        self
    }
    /// Abort a failover in progress (`ABORT`).
    pub fn abort(mut self) -> Self {
        self.abort = true;
        self
    }
    /// Give up after `ms` milliseconds (`TIMEOUT`).
    pub fn timeout(mut self, ms: u64) -> Self {
        self.timeout = Some(ms);
        self
    }
}

impl ToArgs for FailoverOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some((host, port, force)) = &self.to {
            cmd.arg("TO")
                .arg(host)
                .arg(*port)
                .arg(Flag("FORCE", *force));
        }
        cmd.arg(Flag("ABORT", self.abort));
        if let Some(t) = self.timeout {
            cmd.arg("TIMEOUT").arg(t);
        }
    }
}

/// `FILTERBY` of [COMMAND LIST](https://redis.io/commands/command-list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandListFilter {
    /// Commands of a module.
    Module(String),
    /// Commands of an ACL category.
    AclCat(String),
    /// Commands matching a glob pattern.
    Pattern(String),
}

impl ToArgs for CommandListFilter {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg("FILTERBY");
        match self {
            CommandListFilter::Module(m) => cmd.arg("MODULE").arg(m),
            CommandListFilter::AclCat(c) => cmd.arg("ACLCAT").arg(c),
            CommandListFilter::Pattern(p) => cmd.arg("PATTERN").arg(p),
        };
    }
}

/// Options of [FUNCTION LIST](https://redis.io/commands/function-list).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FunctionListOptions {
    pattern: Option<String>,
    withcode: bool,
}

impl FunctionListOptions {
    /// Only libraries whose name matches (`LIBRARYNAME`).
    pub fn library(mut self, pattern: impl Into<String>) -> Self {
        self.pattern = Some(pattern.into());
        self
    }
    /// Include each library's code (`WITHCODE`).
    pub fn withcode(mut self) -> Self {
        self.withcode = true;
        self
    }
}

impl ToArgs for FunctionListOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(p) = &self.pattern {
            cmd.arg("LIBRARYNAME").arg(p);
        }
        cmd.arg(Flag("WITHCODE", self.withcode));
    }
}

pub use super::client_options::*;
pub use super::geo_options::*;
pub use super::stream_options::*;
pub use super::zset_options::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::build;

    /// The words `cmd` sends, as its `Debug` shows them.
    fn sent(cmd: &Cmd) -> String {
        format!("{cmd:?}")
    }

    // HSETEX and MSETEX need Redis 8.0/8.4 or Valkey 9.0/9.1, so the server tests of
    // `tests/commands/newer.rs` skip them on Redis 7: these check what each option sends.

    #[test]
    fn hsetex_sends_its_condition_then_its_expiry_before_the_fields() {
        let h = |o: HSetExOptions| sent(&build::hsetex("h", &[("f", "v")], &o));
        let fields = r#""FIELDS", "1", "f", "v"]"#;
        let opts = HSetExOptions::default;
        assert_eq!(h(opts()), format!(r#"["HSETEX", "h", {fields}"#));
        assert_eq!(
            h(opts().fnx()),
            format!(r#"["HSETEX", "h", "FNX", {fields}"#)
        );
        assert_eq!(
            h(opts().fxx()),
            format!(r#"["HSETEX", "h", "FXX", {fields}"#)
        );
        let with = |e: Expiry| h(opts().fxx().expiry(e));
        assert_eq!(
            with(Expiry::Ex(60)),
            format!(r#"["HSETEX", "h", "FXX", "EX", "60", {fields}"#)
        );
        assert_eq!(
            with(Expiry::Px(1500)),
            format!(r#"["HSETEX", "h", "FXX", "PX", "1500", {fields}"#)
        );
        assert_eq!(
            with(Expiry::ExAt(1_900_000_000)),
            format!(r#"["HSETEX", "h", "FXX", "EXAT", "1900000000", {fields}"#)
        );
        assert_eq!(
            with(Expiry::PxAt(1_900_000_000_123)),
            format!(r#"["HSETEX", "h", "FXX", "PXAT", "1900000000123", {fields}"#)
        );
        assert_eq!(
            with(Expiry::KeepTtl),
            format!(r#"["HSETEX", "h", "FXX", "KEEPTTL", {fields}"#)
        );
    }

    #[test]
    fn msetex_sends_its_condition_then_its_expiry_after_the_pairs() {
        let m = |o: MSetExOptions| sent(&build::msetex(&[("a", "1"), ("b", "2")], &o));
        let pairs = r#"["MSETEX", "2", "a", "1", "b", "2""#;
        let opts = MSetExOptions::default;
        assert_eq!(m(opts()), format!("{pairs}]"));
        assert_eq!(m(opts().nx()), format!(r#"{pairs}, "NX"]"#));
        assert_eq!(m(opts().xx()), format!(r#"{pairs}, "XX"]"#));
        assert_eq!(
            m(opts().nx().expiry(Expiry::Ex(5))),
            format!(r#"{pairs}, "NX", "EX", "5"]"#)
        );
        assert_eq!(
            m(opts().xx().expiry(Expiry::Px(7))),
            format!(r#"{pairs}, "XX", "PX", "7"]"#)
        );
        assert_eq!(
            m(opts().expiry(Expiry::ExAt(1_900_000_000))),
            format!(r#"{pairs}, "EXAT", "1900000000"]"#)
        );
        assert_eq!(
            m(opts().expiry(Expiry::PxAt(1_900_000_000_123))),
            format!(r#"{pairs}, "PXAT", "1900000000123"]"#)
        );
        assert_eq!(
            m(opts().xx().expiry(Expiry::KeepTtl)),
            format!(r#"{pairs}, "XX", "KEEPTTL"]"#)
        );
    }

    #[test]
    fn memory_usage_sends_samples_when_given() {
        assert_eq!(
            sent(&build::memory_usage("k", Some(Samples(3)))),
            r#"["MEMORY", "USAGE", "k", "SAMPLES", "3"]"#
        );
        assert_eq!(
            sent(&build::memory_usage("k", None)),
            r#"["MEMORY", "USAGE", "k"]"#
        );
    }

    #[test]
    fn client_kill_sends_each_filter_in_order() {
        let kill = |f: ClientKillFilter| sent(&build::client_kill(&f));
        // MAXAGE needs Redis 7.4 or Valkey: the server test runs it on Valkey only.
        assert_eq!(
            kill(ClientKillFilter::default().maxage(60)),
            r#"["CLIENT", "KILL", "MAXAGE", "60"]"#
        );
        assert_eq!(
            kill(
                ClientKillFilter::default()
                    .laddr("127.0.0.1:6379")
                    .skipme(false)
                    .maxage(1)
            ),
            r#"["CLIENT", "KILL", "LADDR", "127.0.0.1:6379", "SKIPME", "no", "MAXAGE", "1"]"#
        );
    }
}
