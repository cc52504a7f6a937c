//! Option builders of geo commands.

use crate::cmd::{Cmd, Flag, ToArgs};

use super::options::GeoUnit;

/// Options of [GEOADD](https://redis.io/commands/geoadd).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GeoAddOptions {
    nx: bool,
    xx: bool,
    ch: bool,
}

impl GeoAddOptions {
    /// Only add new members (`NX`).
    pub fn nx(mut self) -> Self {
        self.nx = true;
        self
    }
    /// Only update existing members (`XX`).
    pub fn xx(mut self) -> Self {
        self.xx = true;
        self
    }
    /// Count changed members (`CH`).
    pub fn ch(mut self) -> Self {
        self.ch = true;
        self
    }
}

impl ToArgs for GeoAddOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg(Flag("NX", self.nx))
            .arg(Flag("XX", self.xx))
            .arg(Flag("CH", self.ch));
    }
}

/// The WITH*/COUNT/ordering part shared by GEOSEARCH and GEORADIUS.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct GeoReplyOptions {
    withcoord: bool,
    withdist: bool,
    withhash: bool,
    count: Option<(u64, bool)>,
    order: Option<&'static str>,
}

impl GeoReplyOptions {
    fn write(&self, cmd: &mut Cmd) {
        cmd.arg(self.order);
        if let Some((n, any)) = self.count {
            cmd.arg("COUNT").arg(n).arg(Flag("ANY", any));
        }
        cmd.arg(Flag("WITHCOORD", self.withcoord))
            .arg(Flag("WITHDIST", self.withdist))
            .arg(Flag("WITHHASH", self.withhash));
    }
}

macro_rules! geo_reply_builders {
    () => {
        /// Include coordinates (`WITHCOORD`).
        pub fn withcoord(mut self) -> Self {
            self.reply.withcoord = true;
            self
        }
        /// Include distances (`WITHDIST`).
        pub fn withdist(mut self) -> Self {
            self.reply.withdist = true;
            self
        }
        /// Include raw geohashes (`WITHHASH`).
        pub fn withhash(mut self) -> Self {
            self.reply.withhash = true;
            self
        }
        /// At most `n` results; `any` stops at the first `n` found (`COUNT n [ANY]`).
        pub fn count(mut self, n: u64, any: bool) -> Self {
            self.reply.count = Some((n, any));
            self
        }
        /// Nearest first (`ASC`).
        pub fn asc(mut self) -> Self {
            self.reply.order = Some("ASC");
            self
        }
        /// Farthest first (`DESC`).
        pub fn desc(mut self) -> Self {
            self.reply.order = Some("DESC");
            self
        }
    };
}

/// Where and what [GEOSEARCH](https://redis.io/commands/geosearch) searches: a center
/// (`from_member`/`from_lonlat`), a shape (`by_radius`/`by_box`) and reply options.
///
/// # Examples
/// ```
/// use oxredis::commands::options::{GeoSearchOptions, GeoUnit};
/// let opts = GeoSearchOptions::default()
///     .from_lonlat(13.36, 38.11)
///     .by_radius(200.0, GeoUnit::Km)
///     .withdist()
///     .asc();
/// # let _ = opts;
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GeoSearchOptions {
    from_member: Option<String>,
    from_lonlat: Option<(f64, f64)>,
    radius: Option<(f64, GeoUnit)>,
    bybox: Option<(f64, f64, GeoUnit)>,
    reply: GeoReplyOptions,
}

impl GeoSearchOptions {
    /// Center on a member (`FROMMEMBER`).
    pub fn from_member(mut self, member: impl Into<String>) -> Self {
        self.from_member = Some(member.into());
        self
    }
    /// Center on a point (`FROMLONLAT`).
    pub fn from_lonlat(mut self, longitude: f64, latitude: f64) -> Self {
        self.from_lonlat = Some((longitude, latitude));
        self
    }
    /// A circle (`BYRADIUS`).
    pub fn by_radius(mut self, radius: f64, unit: GeoUnit) -> Self {
        self.radius = Some((radius, unit));
        self
    }
    /// A box (`BYBOX`).
    pub fn by_box(mut self, width: f64, height: f64, unit: GeoUnit) -> Self {
        self.bybox = Some((width, height, unit));
        self
    }
    geo_reply_builders!();
}

impl ToArgs for GeoSearchOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(m) = &self.from_member {
            cmd.arg("FROMMEMBER").arg(m);
        }
        if let Some((lon, lat)) = self.from_lonlat {
            cmd.arg("FROMLONLAT").arg(lon).arg(lat);
        }
        if let Some((r, u)) = self.radius {
            cmd.arg("BYRADIUS").arg(r).arg(u);
        }
        if let Some((w, h, u)) = self.bybox {
            cmd.arg("BYBOX").arg(w).arg(h).arg(u);
        }
        self.reply.write(cmd);
    }
}

/// Options of [GEORADIUS](https://redis.io/commands/georadius) and GEORADIUSBYMEMBER.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GeoRadiusOptions {
    reply: GeoReplyOptions,
    store: Option<(String, bool)>,
}

impl GeoRadiusOptions {
    geo_reply_builders!();
    /// Store the members at `key` (`STORE`), or their distances (`STOREDIST`); the reply is
    /// then the count. Not for the `_RO` forms.
    pub fn store(mut self, key: impl Into<String>, distances: bool) -> Self {
        self.store = Some((key.into(), distances));
        self
    }
}

impl ToArgs for GeoRadiusOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        self.reply.write(cmd);
        if let Some((key, dist)) = &self.store {
            cmd.arg(if *dist { "STOREDIST" } else { "STORE" }).arg(key);
        }
    }
}
