//! Option builders of CLIENT commands.

use crate::cmd::{Cmd, Flag, ToArgs};

/// Options of [CLIENT LIST](https://redis.io/commands/client-list).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientListOptions {
    type_: Option<String>,
    ids: Vec<i64>,
}

impl ClientListOptions {
    /// Only clients of a type: `normal`, `master`, `replica`, `pubsub` (`TYPE`).
    pub fn type_(mut self, type_: impl Into<String>) -> Self {
        self.type_ = Some(type_.into());
        self
    }
    /// Only these client ids (`ID`).
    pub fn ids(mut self, ids: &[i64]) -> Self {
        self.ids = ids.to_vec();
        self
    }
}

impl ToArgs for ClientListOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(t) = &self.type_ {
            cmd.arg("TYPE").arg(t);
        }
        if !self.ids.is_empty() {
            cmd.arg("ID").arg(&self.ids);
        }
    }
}

/// Filters of [CLIENT KILL](https://redis.io/commands/client-kill); all given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientKillFilter {
    args: Vec<String>,
}

impl ClientKillFilter {
    fn with(mut self, name: &str, value: String) -> Self {
        self.args.push(name.to_owned());
        self.args.push(value);
        self
    }
    /// By client id (`ID`).
    pub fn id(self, id: i64) -> Self {
        self.with("ID", id.to_string())
    }
    /// By type (`TYPE normal|master|replica|pubsub`).
    pub fn type_(self, type_: &str) -> Self {
        self.with("TYPE", type_.to_owned())
    }
    /// By ACL user (`USER`).
    pub fn user(self, user: &str) -> Self {
        self.with("USER", user.to_owned())
    }
    /// By remote address `ip:port` (`ADDR`).
    pub fn addr(self, addr: &str) -> Self {
        self.with("ADDR", addr.to_owned())
    }
    /// By local address `ip:port` (`LADDR`).
    pub fn laddr(self, addr: &str) -> Self {
        self.with("LADDR", addr.to_owned())
    }
    /// Whether to spare the calling connection (`SKIPME yes|no`, default yes).
    pub fn skipme(self, skip: bool) -> Self {
        self.with("SKIPME", if skip { "yes" } else { "no" }.to_owned())
    }
    /// Connections older than `seconds` (`MAXAGE`, 7.4+ servers only).
    pub fn maxage(self, seconds: u64) -> Self {
        self.with("MAXAGE", seconds.to_string())
    }
}

impl ToArgs for ClientKillFilter {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg(&self.args);
    }
}

/// Options of [CLIENT TRACKING](https://redis.io/commands/client-tracking).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientTrackingOptions {
    redirect: Option<i64>,
    prefixes: Vec<String>,
    bcast: bool,
    optin: bool,
    optout: bool,
    noloop: bool,
}

impl ClientTrackingOptions {
    /// Send invalidations to another connection (`REDIRECT`).
    pub fn redirect(mut self, client_id: i64) -> Self {
        self.redirect = Some(client_id);
        self
    }
    /// With BCAST, only keys with this prefix (`PREFIX`, repeatable).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefixes.push(prefix.into());
        self
    }
    /// Broadcast mode (`BCAST`).
    pub fn bcast(mut self) -> Self {
        self.bcast = true;
        self
    }
    /// Track only after CLIENT CACHING YES (`OPTIN`).
    pub fn optin(mut self) -> Self {
        self.optin = true;
        self
    }
    /// Track unless CLIENT CACHING NO (`OPTOUT`).
    pub fn optout(mut self) -> Self {
        self.optout = true;
        self
    }
    /// No invalidations for this connection's own writes (`NOLOOP`).
    pub fn noloop(mut self) -> Self {
        self.noloop = true;
        self
    }
}

impl ToArgs for ClientTrackingOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(id) = self.redirect {
            cmd.arg("REDIRECT").arg(id);
        }
        for p in &self.prefixes {
            cmd.arg("PREFIX").arg(p);
        }
        cmd.arg(Flag("BCAST", self.bcast))
            .arg(Flag("OPTIN", self.optin))
            .arg(Flag("OPTOUT", self.optout))
            .arg(Flag("NOLOOP", self.noloop));
    }
}
