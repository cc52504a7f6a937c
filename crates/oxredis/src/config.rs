//! Connection settings and URL parsing (`redis://`, `rediss://`, `unix://`).

use std::path::PathBuf;
use std::time::Duration;

use percent_encoding::percent_decode_str;
use url::Url;

use crate::resp::DecoderLimits;
use crate::retry::Retry;
use crate::{Error, ErrorKind, Result};

/// Where the server is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addr {
    /// A TCP host and port.
    Tcp {
        /// Host name or IP address.
        host: String,
        /// Port.
        port: u16,
    },
    /// A unix socket path.
    Unix(PathBuf),
}

impl std::fmt::Display for Addr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Addr::Tcp { host, port } => write!(f, "{host}:{port}"),
            Addr::Unix(path) => write!(f, "unix:{}", path.display()),
        }
    }
}

/// The RESP protocol version to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// RESP2, the default (no `HELLO`).
    #[default]
    Resp2,
    /// RESP3, negotiated with `HELLO 3`; an error if the server refuses.
    Resp3,
}

/// Default response deadline for ordinary commands ([`ConnectionConfig::socket_timeout`]): long
/// enough for a slow `KEYS` or a big `SORT`, short enough that a dead peer is noticed.
pub const DEFAULT_SOCKET_TIMEOUT: Duration = Duration::from_secs(10);

/// Default wait for a free pooled connection ([`ConnectionConfig::pool_timeout`]).
pub const DEFAULT_POOL_TIMEOUT: Duration = Duration::from_secs(20);

/// Default cap on requests queued and in flight per async connection
/// ([`ConnectionConfig::max_queued_requests`]).
pub const DEFAULT_MAX_QUEUED_REQUESTS: usize = 16 * 1024;

/// TCP keepalive settings (redis-py's `socket_keepalive_options`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keepalive {
    /// Idle time before the first probe (`TCP_KEEPIDLE`).
    pub idle: Duration,
    /// Time between probes (`TCP_KEEPINTVL`).
    pub interval: Duration,
    /// Unanswered probes before the connection is declared dead (`TCP_KEEPCNT`).
    pub retries: u32,
}

impl Default for Keepalive {
    /// Probes after 30 s idle, every 10 s, 3 tries: a vanished peer is noticed within about a
    /// minute.
    fn default() -> Self {
        Keepalive {
            idle: Duration::from_secs(30),
            interval: Duration::from_secs(10),
            retries: 3,
        }
    }
}

impl Keepalive {
    /// The socket2 form, for the I/O layers to apply.
    pub(crate) fn to_socket2(self) -> socket2::TcpKeepalive {
        let ka = socket2::TcpKeepalive::new().with_time(self.idle);
        #[cfg(any(
            target_os = "linux",
            target_os = "macos",
            target_os = "windows",
            target_os = "freebsd"
        ))]
        let ka = ka.with_interval(self.interval);
        #[cfg(any(target_os = "linux", target_os = "macos", target_os = "freebsd"))]
        let ka = ka.with_retries(self.retries);
        ka
    }
}

/// Everything needed to open and set up one connection, plus the client-level options.
///
/// Build it from a URL with [`ConnectionConfig::from_url`] or field by field with the setters.
///
/// # Examples
/// ```
/// use oxredis::{Addr, ConnectionConfig, Protocol};
/// let c = ConnectionConfig::from_url("redis://alice:p%40ss@localhost:6380/2?protocol=3").unwrap();
/// assert_eq!(c.addr, Addr::Tcp { host: "localhost".into(), port: 6380 });
/// assert_eq!(c.username.as_deref(), Some("alice"));
/// assert_eq!(c.password.as_deref(), Some("p@ss"));
/// assert_eq!((c.db, c.protocol), (2, Protocol::Resp3));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ConnectionConfig {
    /// Server address.
    pub addr: Addr,
    /// `rediss://`: TLS was asked for.
    pub tls: bool,
    /// ACL user name (`AUTH user pass`); `None` for the default user.
    pub username: Option<String>,
    /// Password.
    pub password: Option<String>,
    /// Database selected after connecting.
    pub db: i64,
    /// `CLIENT SETNAME` after connecting.
    pub client_name: Option<String>,
    /// RESP version.
    pub protocol: Protocol,
    /// Limit on connecting; `None` waits as long as the OS does.
    pub connect_timeout: Option<Duration>,
    /// The response deadline: how long an ordinary command may wait for its reply (and a write
    /// for the socket) before it fails with [`ErrorKind::Timeout`] and its connection is dropped.
    /// Default [`DEFAULT_SOCKET_TIMEOUT`]. A blocking command's own timeout extends it (`BLPOP k
    /// 5` waits up to 5 s plus this); a blocking command that waits forever (`BLPOP k 0`, `XREAD
    /// BLOCK 0`), pub/sub and MONITOR have no deadline and rely on TCP keepalive and health
    /// checks. `None` never times out.
    pub socket_timeout: Option<Duration>,
    /// TCP keepalive; on by default ([`Keepalive::default`]) so a peer that vanished without
    /// closing the connection is noticed. `None` turns it off.
    pub keepalive: Option<Keepalive>,
    /// A pooled connection idle longer than this is PINGed on checkout and replaced if dead.
    pub health_check_interval: Option<Duration>,
    /// Check that every reply string is valid UTF-8 (redis-py's `decode_responses`).
    pub decode_responses: bool,
    /// Most connections the pool opens.
    pub max_connections: usize,
    /// How long a checkout from a pool at `max_connections` waits for a connection to come back
    /// before failing with [`ErrorKind::PoolExhausted`]. Default [`DEFAULT_POOL_TIMEOUT`] (as
    /// redis-py's `BlockingConnectionPool`, and as r2d2/bb8 do); `None` fails at once, as
    /// redis-py's plain `ConnectionPool` does.
    pub pool_timeout: Option<Duration>,
    /// Async client: most requests queued and in flight on its shared connection. Callers past
    /// it wait for room (backpressure) instead of growing memory without bound.
    pub max_queued_requests: usize,
    /// Sent in the handshake as `CLIENT SETINFO lib-name` (`None`: not sent).
    pub lib_name: Option<String>,
    /// Sent in the handshake as `CLIENT SETINFO lib-ver` (`None`: not sent).
    pub lib_version: Option<String>,
    /// Decoder limits against hostile replies.
    pub limits: DecoderLimits,
    /// Retries after a connection error (redis-py's `retry`). A command is retried only when
    /// that cannot apply it twice: the connection failed before it was sent, or it is read-only.
    pub retry: Retry,
}

impl Default for ConnectionConfig {
    fn default() -> Self {
        ConnectionConfig {
            addr: Addr::Tcp {
                host: "127.0.0.1".into(),
                port: 6379,
            },
            tls: false,
            username: None,
            password: None,
            db: 0,
            client_name: None,
            protocol: Protocol::Resp2,
            connect_timeout: None,
            socket_timeout: Some(DEFAULT_SOCKET_TIMEOUT),
            keepalive: Some(Keepalive::default()),
            health_check_interval: None,
            decode_responses: false,
            max_connections: 64,
            pool_timeout: Some(DEFAULT_POOL_TIMEOUT),
            max_queued_requests: DEFAULT_MAX_QUEUED_REQUESTS,
            lib_name: Some("oxredis".into()),
            lib_version: Some(env!("CARGO_PKG_VERSION").into()),
            limits: DecoderLimits::default(),
            retry: Retry::default(),
        }
    }
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidConfig, msg)
}

fn decoded(s: &str, what: &str) -> Result<String> {
    percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| {
            invalid(format!(
                "{what} in URL is not valid UTF-8 after percent-decoding"
            ))
        })
}

fn seconds(value: &str, name: &str) -> Result<Duration> {
    value
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| {
            invalid(format!(
                "URL option {name}={value:?} is not a number of seconds"
            ))
        })
}

impl ConnectionConfig {
    /// A config for `host:port` with defaults otherwise.
    pub fn tcp(host: impl Into<String>, port: u16) -> Self {
        ConnectionConfig {
            addr: Addr::Tcp {
                host: host.into(),
                port,
            },
            ..Default::default()
        }
    }

    /// A config for a unix socket with defaults otherwise.
    pub fn unix(path: impl Into<PathBuf>) -> Self {
        ConnectionConfig {
            addr: Addr::Unix(path.into()),
            ..Default::default()
        }
    }

    /// Parses `redis://[[user]:password@]host[:port][/db][?options]`, `rediss://...` or
    /// `unix:///path?db=N&password=..`.
    ///
    /// Query options: `db`, `protocol` (2 or 3), `client_name`, `username`, `password`,
    /// `socket_timeout`, `socket_connect_timeout`, `health_check_interval`, `decode_responses`,
    /// `max_connections`, `timeout` (pool timeout). Unknown options are an error, so typos
    /// do not pass silently.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`] saying what is wrong with the URL.
    pub fn from_url(url: &str) -> Result<Self> {
        let parsed = Url::parse(url).map_err(|e| invalid(format!("invalid URL {url:?}: {e}")))?;
        let mut config = ConnectionConfig::default();
        match parsed.scheme() {
            "redis" | "rediss" | "valkey" | "valkeys" => {
                config.tls = matches!(parsed.scheme(), "rediss" | "valkeys");
                let host = parsed
                    .host_str()
                    .filter(|h| !h.is_empty())
                    .unwrap_or("localhost");
                // IPv6 literals come back bracketed; sockets want them bare.
                let host = host.trim_start_matches('[').trim_end_matches(']');
                config.addr = Addr::Tcp {
                    host: host.to_owned(),
                    port: parsed.port().unwrap_or(6379),
                };
                let path = parsed.path().trim_start_matches('/');
                if !path.is_empty() {
                    config.db = path.parse().map_err(|_| {
                        invalid(format!("database {path:?} in URL is not a number"))
                    })?;
                }
            }
            "unix" => {
                let path = parsed.path();
                if path.is_empty() {
                    return Err(invalid("unix:// URL has no socket path"));
                }
                config.addr = Addr::Unix(PathBuf::from(decoded(path, "socket path")?));
            }
            other => {
                return Err(invalid(format!(
                    "unsupported URL scheme {other:?}: expected redis://, rediss:// or unix://"
                )))
            }
        }
        if !parsed.username().is_empty() {
            config.username = Some(decoded(parsed.username(), "user name")?);
        }
        if let Some(pw) = parsed.password() {
            config.password = Some(decoded(pw, "password")?);
        }
        for (key, value) in parsed.query_pairs() {
            let value = value.as_ref();
            match key.as_ref() {
                "db" => {
                    config.db = value
                        .parse()
                        .map_err(|_| invalid(format!("db={value:?} is not a number")))?
                }
                "protocol" => {
                    config.protocol = match value {
                        "2" => Protocol::Resp2,
                        "3" => Protocol::Resp3,
                        _ => return Err(invalid(format!("protocol={value:?}: expected 2 or 3"))),
                    }
                }
                "client_name" => config.client_name = Some(value.to_owned()),
                "username" => config.username = Some(value.to_owned()),
                "password" => config.password = Some(value.to_owned()),
                "socket_timeout" => config.socket_timeout = Some(seconds(value, &key)?),
                "socket_connect_timeout" => config.connect_timeout = Some(seconds(value, &key)?),
                "health_check_interval" => {
                    config.health_check_interval = Some(seconds(value, &key)?)
                }
                "timeout" => config.pool_timeout = Some(seconds(value, &key)?),
                "max_connections" => {
                    config.max_connections =
                        value.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                            invalid(format!(
                                "max_connections={value:?} is not a positive number"
                            ))
                        })?
                }
                "decode_responses" => {
                    config.decode_responses = match value.to_ascii_lowercase().as_str() {
                        "1" | "true" | "yes" | "on" => true,
                        "0" | "false" | "no" | "off" => false,
                        _ => {
                            return Err(invalid(format!(
                                "decode_responses={value:?} is not a boolean"
                            )))
                        }
                    }
                }
                other => return Err(invalid(format!("unknown URL option {other:?}"))),
            }
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let c = ConnectionConfig::from_url("redis://localhost").unwrap();
        assert_eq!(
            c.addr,
            Addr::Tcp {
                host: "localhost".into(),
                port: 6379
            }
        );
        let c = ConnectionConfig::from_url("redis://:secret@127.0.0.1:7000/3?client_name=app&socket_timeout=1.5&health_check_interval=10").unwrap();
        assert_eq!(c.password.as_deref(), Some("secret"));
        assert_eq!(c.username, None);
        assert_eq!(c.db, 3);
        assert_eq!(c.client_name.as_deref(), Some("app"));
        assert_eq!(c.socket_timeout, Some(Duration::from_millis(1500)));
        assert_eq!(c.health_check_interval, Some(Duration::from_secs(10)));
        let c = ConnectionConfig::from_url("unix:///tmp/redis.sock?db=4&password=p%26w").unwrap();
        assert_eq!(c.addr, Addr::Unix("/tmp/redis.sock".into()));
        assert_eq!((c.db, c.password.as_deref()), (4, Some("p&w")));
        let c = ConnectionConfig::from_url("rediss://h:1").unwrap();
        assert!(c.tls);
        let c = ConnectionConfig::from_url("redis://[::1]:7000").unwrap();
        assert_eq!(
            c.addr,
            Addr::Tcp {
                host: "::1".into(),
                port: 7000
            }
        );
        for bad in [
            "http://x",
            "redis://h/notadb",
            "redis://h?protocol=4",
            "redis://h?bogus=1",
            "redis://h:99999",
            "unix://",
            "redis://h?socket_timeout=abc",
        ] {
            let e = ConnectionConfig::from_url(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidConfig, "{bad}");
            assert!(!e.to_string().is_empty());
        }
    }
}
