//! Which server a test talks to (Redis or Valkey, and its version), and visible skips of tests
//! that need a newer server.

use std::fmt;
use std::io::Write;

/// The server software behind a [`crate::RedisServer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServerName {
    /// Redis (`redis-server`).
    Redis,
    /// Valkey (`valkey-server`).
    Valkey,
}

impl fmt::Display for ServerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ServerName::Redis => "redis",
            ServerName::Valkey => "valkey",
        })
    }
}

/// A server's name and version, e.g. `redis 7.0.15` or `valkey 9.1.2`.
///
/// Valkey's `INFO` reports `redis_version:7.2.4` for compatibility and its own version in
/// `valkey_version`; [`ServerVersion::from_info`] reads the latter when present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ServerVersion {
    /// Redis or Valkey.
    pub name: ServerName,
    /// `(major, minor, patch)`.
    pub version: (u32, u32, u32),
}

impl ServerVersion {
    /// Parses the text of `INFO server` (or `INFO`, or `INFO everything`).
    ///
    /// # Panics
    /// If neither `valkey_version` nor `redis_version` is present and parseable.
    pub fn from_info(info: &str) -> ServerVersion {
        let field = |name: &str| {
            info.lines()
                .find_map(|l| l.trim_end().strip_prefix(name)?.strip_prefix(':'))
                .map(str::to_owned)
        };
        let (name, text) = match field("valkey_version") {
            Some(v) => (ServerName::Valkey, v),
            None => (
                ServerName::Redis,
                field("redis_version").unwrap_or_else(|| {
                    panic!("oxredis-test-support: no redis_version in INFO:\n{info}")
                }),
            ),
        };
        let mut parts = text.split('.').map(|p| {
            p.parse::<u32>().unwrap_or_else(|e| {
                panic!("oxredis-test-support: bad server version {text:?}: {e}")
            })
        });
        let mut next = || parts.next().unwrap_or(0);
        ServerVersion {
            name,
            version: (next(), next(), next()),
        }
    }

    /// Whether this server is Valkey.
    pub fn is_valkey(&self) -> bool {
        self.name == ServerName::Valkey
    }

    /// Whether this server meets `needs` (its own product's minimum; a product `needs` does not
    /// name never does).
    pub fn meets(&self, needs: Needs) -> bool {
        let min = match self.name {
            ServerName::Redis => needs.redis,
            ServerName::Valkey => needs.valkey,
        };
        min.is_some_and(|(major, minor)| (self.version.0, self.version.1) >= (major, minor))
    }

    /// Returns `true` (and prints one line `SKIP <test>: needs <needs> (server <self>)` to the
    /// real stderr, past the test harness's capture, so a runner can count skips by reason) when
    /// this server does not meet `needs`; `false` when the test should run.
    pub fn skip_unless(&self, test: &str, needs: Needs) -> bool {
        if self.meets(needs) {
            return false;
        }
        // Written to the stderr handle, not with eprintln!, which the harness captures.
        let line = format!("SKIP {test}: needs {needs} (server {self})\n");
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
        true
    }
}

impl fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, b, c) = self.version;
        write!(f, "{} {a}.{b}.{c}", self.name)
    }
}

/// The minimum server versions a test needs: per product `(major, minor)`, or `None` when that
/// product does not have the feature at all.
///
/// ```
/// use oxredis_test_support::{Needs, ServerVersion};
///
/// let needs = Needs::new(Some((7, 4)), Some((9, 0)));
/// assert_eq!(needs.to_string(), "Redis >= 7.4 / Valkey >= 9.0");
/// let redis70 = ServerVersion::from_info("# Server\r\nredis_version:7.0.15\r\n");
/// assert!(!redis70.meets(needs));
/// let valkey = ServerVersion::from_info("redis_version:7.2.4\r\nvalkey_version:9.1.2\r\n");
/// assert_eq!(valkey.to_string(), "valkey 9.1.2");
/// assert!(valkey.meets(needs));
/// assert!(!valkey.meets(Needs::new(Some((7, 2)), None)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Needs {
    /// Minimum Redis `(major, minor)`, `None`: not in Redis.
    pub redis: Option<(u32, u32)>,
    /// Minimum Valkey `(major, minor)`, `None`: not in Valkey.
    pub valkey: Option<(u32, u32)>,
}

impl Needs {
    /// Minimum versions per product.
    pub const fn new(redis: Option<(u32, u32)>, valkey: Option<(u32, u32)>) -> Needs {
        Needs { redis, valkey }
    }
}

impl fmt::Display for Needs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some((a, b)) = self.redis {
            parts.push(format!("Redis >= {a}.{b}"));
        }
        if let Some((a, b)) = self.valkey {
            parts.push(format!("Valkey >= {a}.{b}"));
        }
        if parts.is_empty() {
            return f.write_str("a server that has it");
        }
        f.write_str(&parts.join(" / "))
    }
}
