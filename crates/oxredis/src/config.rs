//! Connection settings and URL parsing (`redis://`, `rediss://`, `unix://`).

use std::path::PathBuf;
use std::time::Duration;

use percent_encoding::percent_decode_str;
use url::Url;

use crate::resp::DecoderLimits;
use crate::retry::Retry;
use crate::tls::{TlsOptions, TlsVersion};
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
///
/// Its `Debug` output shows every field but never the password:
/// ```
/// let c = oxredis::ConnectionConfig::from_url("redis://:hunter2@localhost").unwrap();
/// let shown = format!("{c:?}");
/// assert!(shown.contains(r#"password: Some("***")"#) && !shown.contains("hunter2"));
/// ```
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct ConnectionConfig {
    /// Server address.
    pub addr: Addr,
    /// TLS settings; `Some` for `rediss://` (TLS on), `None` for a plain connection. See
    /// [`TlsOptions`]; a unix socket is always plain.
    pub tls: Option<TlsOptions>,
    /// ACL user name (`AUTH user pass`); `None` for the default user.
    pub username: Option<String>,
    /// Password.
    pub password: Option<String>,
    /// Asked for the user name and password of every new connection, instead of
    /// [`username`](Self::username) and [`password`](Self::password) (redis-py's
    /// `credential_provider`); see [`CredentialProvider`](crate::CredentialProvider).
    pub credential_provider: Option<crate::credentials::SharedCredentialProvider>,
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
    /// Set by [`Sentinel::master_for`](crate::blocking::Sentinel::master_for) and `slave_for`:
    /// every new connection asks the sentinels where to go instead of using
    /// [`addr`](Self::addr), and connections to a replaced primary are dropped.
    pub sentinel: Option<crate::sentinel::SentinelTarget>,
    /// Send `READONLY` after connecting, so a cluster replica serves reads (the cluster
    /// clients set it on their node connections when reads may go to replicas).
    pub readonly: bool,
    /// A stream factory used instead of opening a socket to [`addr`](Self::addr) (redis-py's
    /// `connection_class`); see [`CustomTransport`](crate::transport::CustomTransport).
    pub transport: Option<crate::transport::CustomTransport>,
    /// Called with RESP3 push frames (redis-py's `push_handler_func`); see the
    /// [push policy](crate::push) for which ones and what happens without it.
    pub push_handler: Option<crate::PushHandler>,
    /// Client-side caching (redis-py's `cache_config`); RESP3 only. See [`crate::cache`].
    pub cache: Option<crate::cache::CacheConfig>,
}

impl Default for ConnectionConfig {
    fn default() -> Self {
        ConnectionConfig {
            addr: Addr::Tcp {
                host: "127.0.0.1".into(),
                port: 6379,
            },
            tls: None,
            username: None,
            password: None,
            credential_provider: None,
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
            sentinel: None,
            readonly: false,
            transport: None,
            push_handler: None,
            cache: None,
        }
    }
}

impl std::fmt::Debug for ConnectionConfig {
    /// Every field, with the password shown as `Some("***")`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Destructured so that a new field cannot be forgotten here.
        let ConnectionConfig {
            addr,
            tls,
            username,
            password,
            credential_provider,
            db,
            client_name,
            protocol,
            connect_timeout,
            socket_timeout,
            keepalive,
            health_check_interval,
            decode_responses,
            max_connections,
            pool_timeout,
            max_queued_requests,
            lib_name,
            lib_version,
            limits,
            retry,
            sentinel,
            readonly,
            transport,
            push_handler,
            cache,
        } = self;
        f.debug_struct("ConnectionConfig")
            .field("addr", addr)
            .field("tls", tls)
            .field("username", username)
            .field("password", &password.as_ref().map(|_| REDACTED))
            .field("credential_provider", credential_provider)
            .field("db", db)
            .field("client_name", client_name)
            .field("protocol", protocol)
            .field("connect_timeout", connect_timeout)
            .field("socket_timeout", socket_timeout)
            .field("keepalive", keepalive)
            .field("health_check_interval", health_check_interval)
            .field("decode_responses", decode_responses)
            .field("max_connections", max_connections)
            .field("pool_timeout", pool_timeout)
            .field("max_queued_requests", max_queued_requests)
            .field("lib_name", lib_name)
            .field("lib_version", lib_version)
            .field("limits", limits)
            .field("retry", retry)
            .field("sentinel", sentinel)
            .field("readonly", readonly)
            .field("transport", transport)
            .field("push_handler", push_handler)
            .field("cache", cache)
            .finish()
    }
}

/// What is shown in place of a secret.
const REDACTED: &str = "***";

/// The longest duration a URL option may give (about 31 years): more than any real use, and
/// small enough that adding it to `Instant::now()` cannot overflow.
const MAX_URL_SECONDS: f64 = 1e9;

/// Every query option [`ConnectionConfig::from_url`] recognises.
const URL_OPTIONS: &[&str] = &[
    "db",
    "username",
    "password",
    "protocol",
    "client_name",
    "lib_name",
    "lib_version",
    "socket_timeout",
    "socket_connect_timeout",
    "socket_keepalive",
    "socket_read_size",
    "retry_on_timeout",
    "health_check_interval",
    "timeout",
    "max_connections",
    "max_queued_requests",
    "decode_responses",
    "encoding",
    "encoding_errors",
    "ssl_cert_reqs",
    "ssl_ca_certs",
    "ssl_ca_path",
    "ssl_certfile",
    "ssl_keyfile",
    "ssl_check_hostname",
    "ssl_min_version",
    "ssl_password",
    "ssl_ciphers",
    "ssl_ca_data",
];

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidConfig, msg)
}

/// `value` quoted for an error message, cut short if long.
fn quoted(value: &str) -> String {
    const MAX: usize = 64;
    match value.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{:?}...", &value[..cut]),
        None => format!("{value:?}"),
    }
}

/// Whether a query option holds a secret (`password`, `ssl_password`).
fn is_secret_option(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with("password")
}

/// `url` with its password replaced by `***`, for error messages. Textual, so it works on URLs
/// the parser rejected: the password of `scheme://user:password@` (everything from the first
/// `:` after the user name to the last `@`) and the values of `password=` and `ssl_password=`
/// query options are replaced. It may hide more than the password, never less.
pub(crate) fn redact_url(url: &str) -> String {
    // Query options first: a value may itself contain `@`.
    let mut out = match url.split_once('?') {
        Some((base, query)) => {
            let pairs: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if is_secret_option(&form_decoded_lossy(key)) => {
                        format!("{key}={REDACTED}")
                    }
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{base}?{}", pairs.join("&"))
        }
        None => url.to_owned(),
    };
    if let Some(scheme_end) = out.find("://") {
        let start = scheme_end + 3;
        if let Some(at) = out[start..].rfind('@') {
            let userinfo = &out[start..start + at];
            if let Some(colon) = userinfo.find(':') {
                out.replace_range(start + colon + 1..start + at, REDACTED);
            }
        }
    }
    out
}

fn form_decoded_lossy(s: &str) -> String {
    percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
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

/// The query's `name=value` pairs, decoded as HTML forms are (`+` is a space), strictly: a
/// `%`-escape that is not UTF-8 is an error rather than a silently altered value.
fn query_pairs(query: &str) -> Result<Vec<(String, String)>> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = decoded(&key.replace('+', " "), "the name of a query option")?;
            let value = decoded(
                &value.replace('+', " "),
                &format!("the value of query option {}", quoted(&key)),
            )?;
            Ok((key, value))
        })
        .collect()
}

/// What a zero duration means for an option.
#[derive(Clone, Copy)]
enum Zero {
    /// An error: a zero socket timeout would fail every read.
    Reject,
    /// Off (`None`), as redis-py treats `health_check_interval=0`.
    Off,
    /// Zero itself; `none` is not accepted either (`timeout`, where `None` means "do not wait").
    Keep,
}

/// A number of seconds (`1.5`), or (for the options where `None` means no limit) `none`.
fn seconds(name: &str, value: &str, zero: Zero) -> Result<Option<Duration>> {
    let none_ok = !matches!(zero, Zero::Keep);
    if none_ok && value.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    let expected = if none_ok { ", or none" } else { "" };
    let duration = value
        .parse::<f64>()
        .ok()
        .filter(|s| (0.0..=MAX_URL_SECONDS).contains(s))
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| {
            invalid(format!(
                "URL option {name}={}: expected a number of seconds from 0 to {MAX_URL_SECONDS:e}{expected}",
                quoted(value)
            ))
        })?;
    if !duration.is_zero() {
        return Ok(Some(duration));
    }
    match zero {
        Zero::Reject => Err(invalid(format!(
            "URL option {name}={}: must be more than 0 (none for no limit)",
            quoted(value)
        ))),
        Zero::Off => Ok(None),
        Zero::Keep => Ok(Some(duration)),
    }
}

/// A boolean option: `1`/`true`/`yes`/`on`/`y`/`t` or `0`/`false`/`no`/`off`/`n`/`f`.
fn boolean(name: &str, value: &str) -> Result<bool> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "t" | "yes" | "y" | "on" => Ok(true),
        "0" | "false" | "f" | "no" | "n" | "off" => Ok(false),
        _ => Err(invalid(format!(
            "URL option {name}={}: expected true or false",
            quoted(value)
        ))),
    }
}

/// A count of at least 1.
fn positive(name: &str, value: &str) -> Result<usize> {
    value.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
        invalid(format!(
            "URL option {name}={}: expected a whole number from 1 to {}",
            quoted(value),
            usize::MAX
        ))
    })
}

/// A database number.
fn database(value: &str) -> Result<i64> {
    value.parse().ok().filter(|n| *n >= 0).ok_or_else(|| {
        invalid(format!(
            "database {}: expected a whole number from 0 to {}",
            quoted(value),
            i64::MAX
        ))
    })
}

/// A word from a fixed list, ignoring case.
fn one_of(name: &str, value: &str, allowed: &[&str]) -> Result<()> {
    if allowed.iter().any(|a| a.eq_ignore_ascii_case(value)) {
        Ok(())
    } else {
        Err(invalid(format!(
            "URL option {name}={}: expected one of {}",
            quoted(value),
            allowed.join(", ")
        )))
    }
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

    /// Parses `redis://[[user]:password@]host[:port][/db][?options]`, `rediss://...`,
    /// `valkey://...`, `valkeys://...` or `unix:///path[?options]`.
    ///
    /// The user name and password in the URL are percent-decoded (`p%40ss` is `p@ss`). The
    /// options are those of redis-py's `from_url`, plus oxredis's own `max_queued_requests`:
    ///
    /// | Option | Value | Sets |
    /// |---|---|---|
    /// | `db` | database number, 0 or more | [`db`](Self::db) (overrides the `/db` path) |
    /// | `username` | text | [`username`](Self::username) |
    /// | `password` | text | [`password`](Self::password) |
    /// | `protocol` | `2` or `3` | [`protocol`](Self::protocol) |
    /// | `client_name` | text | [`client_name`](Self::client_name) |
    /// | `lib_name`, `lib_version` | text | [`lib_name`](Self::lib_name), [`lib_version`](Self::lib_version) |
    /// | `socket_timeout` | seconds (more than 0) or `none` | [`socket_timeout`](Self::socket_timeout) |
    /// | `socket_connect_timeout` | seconds (more than 0) or `none` | [`connect_timeout`](Self::connect_timeout) |
    /// | `socket_keepalive` | boolean | [`keepalive`](Self::keepalive): [`Keepalive::default`] or `None` |
    /// | `health_check_interval` | seconds (`0` or `none`: off) | [`health_check_interval`](Self::health_check_interval) |
    /// | `timeout` | seconds (`0`: fail at once) | [`pool_timeout`](Self::pool_timeout) |
    /// | `max_connections` | count, 1 or more | [`max_connections`](Self::max_connections) |
    /// | `max_queued_requests` | count, 1 or more | [`max_queued_requests`](Self::max_queued_requests) |
    /// | `decode_responses` | boolean | [`decode_responses`](Self::decode_responses) |
    /// | `encoding` | `utf-8` (or `utf8`, `utf_8`, `u8`, `utf`) | nothing: replies are decoded as UTF-8 |
    /// | `encoding_errors` | `strict` | nothing: invalid UTF-8 is an error, never replaced |
    /// | `socket_read_size` | count, 1 or more | nothing: the read buffer grows and shrinks with the replies |
    /// | `retry_on_timeout` | boolean | nothing: a timed-out command is never retried, as it may have run |
    /// | `ssl_ca_certs` | path of a PEM file | [`TlsOptions::ca_file`] |
    /// | `ssl_ca_path` | path of a directory of PEM files | [`TlsOptions::ca_dir`] |
    /// | `ssl_ca_data` | PEM text | [`TlsOptions::ca_pem`] |
    /// | `ssl_certfile` | path of a PEM file | the client certificate ([`TlsOptions::client_cert_files`]) |
    /// | `ssl_keyfile` | path of a PEM file | its key (default: read from `ssl_certfile`) |
    /// | `ssl_cert_reqs` | `required`, `optional` (the same for a client) or `none` | `none`: [`TlsOptions::danger_accept_invalid_certs`] |
    /// | `ssl_check_hostname` | boolean (default true) | false: [`TlsOptions::danger_accept_invalid_hostnames`] |
    /// | `ssl_min_version` | `TLSv1_2` (also `TLSv1`, `TLSv1_1`: rustls has nothing older) or `TLSv1_3`; `.` for `_` is fine | [`TlsOptions::min_version`] |
    /// | `ssl_password` | text | nothing: not kept; an encrypted key is refused with [`ErrorKind::Unsupported`] |
    /// | `ssl_ciphers` | text | nothing: rustls's suites are fixed (modern AEAD only) |
    ///
    /// Seconds may have a fraction (`0.5`) and go up to 10⁹; booleans are `true`/`false`,
    /// `yes`/`no`, `on`/`off`, `1`/`0` (or `y`/`n`, `t`/`f`), in any case. As in redis-py, an
    /// option given with an empty value (`?db=`) is ignored. The `ssl_*` options set
    /// [`tls`](Self::tls) on a `rediss://` (or `valkeys://`) URL; on a `redis://` URL they are
    /// checked and ignored, as in redis-py. Any other option is an error, so typos do not pass
    /// silently.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`] saying what is wrong with the URL. Error messages never
    /// contain the password: a URL they quote has it replaced by `***`.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// use oxredis::{ConnectionConfig, ErrorKind};
    /// let c = ConnectionConfig::from_url(
    ///     "redis://localhost?socket_timeout=2.5&socket_keepalive=off&health_check_interval=0",
    /// )
    /// .unwrap();
    /// assert_eq!(c.socket_timeout, Some(Duration::from_millis(2500)));
    /// assert_eq!((c.keepalive, c.health_check_interval), (None, None));
    ///
    /// let e = ConnectionConfig::from_url("redis://:hunter2@localhost:99999").unwrap_err();
    /// assert_eq!(e.kind(), ErrorKind::InvalidConfig);
    /// assert!(e.to_string().contains(r#""redis://:***@localhost:99999""#), "{e}");
    /// assert!(!e.to_string().contains("hunter2"));
    /// ```
    pub fn from_url(url: &str) -> Result<Self> {
        let parsed = Url::parse(url)
            .map_err(|e| invalid(format!("invalid URL {}: {e}", quoted(&redact_url(url)))))?;
        let mut config = ConnectionConfig::default();
        match parsed.scheme() {
            "redis" | "rediss" | "valkey" | "valkeys" => {
                if matches!(parsed.scheme(), "rediss" | "valkeys") {
                    config.tls = Some(TlsOptions::default());
                }
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
                    config.db = database(path)?;
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
                    "unsupported URL scheme {}: expected redis://, rediss://, valkey://, \
                     valkeys:// or unix://",
                    quoted(other)
                )))
            }
        }
        if !parsed.username().is_empty() {
            config.username = Some(decoded(parsed.username(), "user name")?);
        }
        if let Some(pw) = parsed.password() {
            config.password = Some(decoded(pw, "password")?);
        }
        for (key, value) in query_pairs(parsed.query().unwrap_or_default())? {
            if !URL_OPTIONS.contains(&key.as_str()) {
                return Err(invalid(format!(
                    "unknown URL option {} (known: {})",
                    quoted(&key),
                    URL_OPTIONS.join(", ")
                )));
            }
            if !value.is_empty() {
                config.apply_url_option(&key, value)?;
            }
        }
        Ok(config)
    }

    /// Applies one of redis-py's `ssl_*` options. On a `redis://` URL (no TLS) it is checked
    /// and ignored, as redis-py does.
    fn apply_ssl_option(&mut self, key: &str, value: String) -> Result<()> {
        let mut scratch = TlsOptions::default();
        let tls = self.tls.as_mut().unwrap_or(&mut scratch);
        let v = value.as_str();
        let t = std::mem::take(tls);
        *tls = match key {
            "ssl_cert_reqs" => {
                one_of(key, v, &["none", "optional", "required"])?;
                // A client always gets the server's certificate, so `optional` verifies it
                // as `required` does (OpenSSL's CERT_OPTIONAL on a client).
                t.danger_accept_invalid_certs(v.eq_ignore_ascii_case("none"))
            }
            "ssl_check_hostname" => t.danger_accept_invalid_hostnames(!boolean(key, v)?),
            "ssl_min_version" => {
                let norm = v.replace('.', "_");
                one_of(key, &norm, &["TLSv1", "TLSv1_1", "TLSv1_2", "TLSv1_3"])?;
                t.min_version(if norm.eq_ignore_ascii_case("TLSv1_3") {
                    TlsVersion::Tls13
                } else {
                    TlsVersion::Tls12
                })
            }
            "ssl_ca_certs" => t.ca_file(value),
            "ssl_ca_path" => t.ca_dir(value),
            "ssl_ca_data" => t.ca_pem(value.into_bytes()),
            "ssl_certfile" => {
                let mut t = t;
                t.set_client_cert_file(value.into());
                t
            }
            "ssl_keyfile" => {
                let mut t = t;
                t.set_client_key_file(value.into());
                t
            }
            // Not kept: encrypted keys are refused when loaded, whatever the password.
            "ssl_password" => t,
            // rustls's cipher suites are fixed (all modern AEAD suites).
            "ssl_ciphers" => t,
            other => return Err(invalid(format!("unknown URL option {}", quoted(other)))),
        };
        Ok(())
    }

    /// Applies one recognised, non-empty query option.
    fn apply_url_option(&mut self, key: &str, value: String) -> Result<()> {
        let v = value.as_str();
        match key {
            "db" => self.db = database(v)?,
            "username" => self.username = Some(value),
            "password" => self.password = Some(value),
            "protocol" => {
                self.protocol = match v {
                    "2" => Protocol::Resp2,
                    "3" => Protocol::Resp3,
                    _ => {
                        return Err(invalid(format!(
                            "URL option protocol={}: expected 2 or 3",
                            quoted(v)
                        )))
                    }
                }
            }
            "client_name" => self.client_name = Some(value),
            "lib_name" => self.lib_name = Some(value),
            "lib_version" => self.lib_version = Some(value),
            "socket_timeout" => self.socket_timeout = seconds(key, v, Zero::Reject)?,
            "socket_connect_timeout" => self.connect_timeout = seconds(key, v, Zero::Reject)?,
            "socket_keepalive" => {
                self.keepalive = boolean(key, v)?.then(Keepalive::default);
            }
            "health_check_interval" => {
                self.health_check_interval = seconds(key, v, Zero::Off)?;
            }
            "timeout" => self.pool_timeout = seconds(key, v, Zero::Keep)?,
            "max_connections" => self.max_connections = positive(key, v)?,
            "max_queued_requests" => self.max_queued_requests = positive(key, v)?,
            "decode_responses" => self.decode_responses = boolean(key, v)?,
            "encoding" => one_of(key, v, &["utf-8", "utf8", "utf_8", "u8", "utf"])?,
            "encoding_errors" => one_of(key, v, &["strict"])?,
            "socket_read_size" => {
                positive(key, v)?;
            }
            "retry_on_timeout" => {
                boolean(key, v)?;
            }
            _ if key.starts_with("ssl_") => self.apply_ssl_option(key, value)?,
            other => return Err(invalid(format!("unknown URL option {}", quoted(other)))),
        }
        Ok(())
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
        assert!(c.tls.is_some());
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
            "redis://h/-1",
        ] {
            let e = ConnectionConfig::from_url(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidConfig, "{bad}");
            assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn rediss_urls_map_redis_py_ssl_options() {
        use crate::tls::{TlsOptions, TlsVersion};
        let c = ConnectionConfig::from_url(
            "rediss://h:6380?ssl_ca_certs=/ca.pem&ssl_ca_path=/cas&ssl_certfile=/c.pem\
             &ssl_keyfile=/k.pem&ssl_min_version=TLSv1.3&ssl_check_hostname=false\
             &ssl_password=kp&ssl_ciphers=HIGH",
        )
        .unwrap();
        let t = c.tls.clone().unwrap();
        assert_eq!(t.ca_file_path(), Some(std::path::Path::new("/ca.pem")));
        assert_eq!(t.ca_dir_path(), Some(std::path::Path::new("/cas")));
        assert_eq!(t.client_cert_path(), Some(std::path::Path::new("/c.pem")));
        assert_eq!(t.client_key_path(), Some(std::path::Path::new("/k.pem")));
        assert_eq!(t.tls_min_version(), TlsVersion::Tls13);
        assert!(t.verifies_certs());
        assert!(!t.verifies_hostname());
        assert!(!format!("{c:?}").contains("kp"), "{c:?}");
        let expected = TlsOptions::new()
            .ca_file("/ca.pem")
            .ca_dir("/cas")
            .client_cert_files("/c.pem", "/k.pem")
            .min_version(TlsVersion::Tls13)
            .danger_accept_invalid_hostnames(true);
        assert_eq!(t, expected);
        // Defaults: verify everything, TLS 1.2+.
        let t = ConnectionConfig::from_url("valkeys://h")
            .unwrap()
            .tls
            .unwrap();
        assert_eq!(t, TlsOptions::new());
        assert!(t.verifies_certs() && t.verifies_hostname());
        assert_eq!(t.tls_min_version(), TlsVersion::Tls12);
        for (reqs, verifies) in [("none", false), ("optional", true), ("REQUIRED", true)] {
            let url = format!("rediss://h?ssl_cert_reqs={reqs}");
            let t = ConnectionConfig::from_url(&url).unwrap().tls.unwrap();
            assert_eq!(
                (t.verifies_certs(), t.verifies_hostname()),
                (verifies, verifies)
            );
        }
        for v in ["TLSv1", "TLSv1_1", "TLSv1.2"] {
            let url = format!("rediss://h?ssl_min_version={v}");
            let t = ConnectionConfig::from_url(&url).unwrap().tls.unwrap();
            assert_eq!(t.tls_min_version(), TlsVersion::Tls12, "{v}");
        }
        // A key given as bytes never shows.
        let t = TlsOptions::new().client_cert_pem(b"CERT".to_vec(), b"SECRET-KEY".to_vec());
        let shown = format!("{t:?}");
        assert!(!shown.contains("SECRET-KEY"), "{shown}");
        assert!(shown.contains(r#"client_key: Some("***")"#), "{shown}");
    }

    #[test]
    fn debug_shows_every_field_but_the_password() {
        let mut c = ConnectionConfig::from_url("redis://alice:s3cr3t@example.com:7000/2").unwrap();
        c.client_name = Some("app".into());
        for shown in [format!("{c:?}"), format!("{c:#?}")] {
            assert!(!shown.contains("s3cr3t"), "{shown}");
            assert!(shown.contains("example.com"), "{shown}");
            assert!(shown.contains("alice"), "{shown}");
            assert!(shown.contains("app"), "{shown}");
            assert!(shown.contains("lib_version"), "{shown}");
        }
        assert!(format!("{c:?}").contains(r#"password: Some("***")"#));
        c.password = None;
        assert!(format!("{c:?}").contains("password: None"));
    }

    #[test]
    fn urls_are_redacted_textually() {
        for (url, shown) in [
            (
                "redis://:secret@127.0.0.1:99999",
                "redis://:***@127.0.0.1:99999",
            ),
            ("redis://bob:secret@h/0", "redis://bob:***@h/0"),
            ("redis://bob@h/0", "redis://bob@h/0"),
            ("redis://u:p@ss?w/rd@h:1", "redis://u:***@h:1"),
            (
                "redis://h?db=1&password=se@cret&x=1",
                "redis://h?db=1&password=***&x=1",
            ),
            (
                "redis://h?ssl_password=k&pass%77ord=s",
                "redis://h?ssl_password=***&pass%77ord=***",
            ),
            (
                "unix:///tmp/s.sock?password=p",
                "unix:///tmp/s.sock?password=***",
            ),
            ("not a url", "not a url"),
        ] {
            assert_eq!(redact_url(url), shown, "{url}");
        }
    }

    #[test]
    fn every_option_takes_every_value_without_panicking() {
        let long = "9".repeat(5000);
        let values = [
            "1e20",
            "-1",
            "nan",
            "inf",
            "18446744073709551616",
            "-0",
            "",
            long.as_str(),
            "%ff",
            "0",
            "1",
            "none",
        ];
        let d = ConnectionConfig::from_url("redis://:pw@h").unwrap();
        for &option in URL_OPTIONS {
            for value in values {
                let url = format!("redis://:pw@h?{option}={value}");
                let got = ConnectionConfig::from_url(&url);
                let case = format!("{option}={value}");
                if let Err(e) = &got {
                    assert_eq!(e.kind(), ErrorKind::InvalidConfig, "{case}: {e}");
                    assert!(!e.to_string().contains(&long[..100]), "{case}: {e}");
                }
                if value == "%ff" {
                    assert!(got.is_err(), "{case}");
                    continue;
                }
                if value.is_empty() {
                    assert_eq!(got.unwrap(), d, "{case}");
                    continue;
                }
                let secs = |d: f64| Some(Duration::from_secs_f64(d));
                match option {
                    "username" | "password" | "client_name" | "lib_name" | "lib_version" => {
                        let c = got.unwrap();
                        let field = match option {
                            "username" => c.username,
                            "password" => c.password,
                            "client_name" => c.client_name,
                            "lib_name" => c.lib_name,
                            _ => c.lib_version,
                        };
                        assert_eq!(field.as_deref(), Some(value), "{case}");
                    }
                    "ssl_ca_certs" | "ssl_ca_path" | "ssl_certfile" | "ssl_keyfile"
                    | "ssl_password" | "ssl_ciphers" | "ssl_ca_data" => {
                        assert_eq!(got.unwrap(), d, "{case}");
                    }
                    "socket_timeout"
                    | "socket_connect_timeout"
                    | "health_check_interval"
                    | "timeout" => {
                        let expected = match (option, value) {
                            (_, "1") => Some(secs(1.0)),
                            ("health_check_interval", "0" | "-0" | "none") => Some(None),
                            ("timeout", "0" | "-0") => Some(Some(Duration::ZERO)),
                            ("socket_timeout" | "socket_connect_timeout", "none") => Some(None),
                            _ => None,
                        };
                        let c = match expected {
                            Some(_) => got.unwrap(),
                            None => {
                                assert!(got.is_err(), "{case}");
                                continue;
                            }
                        };
                        let field = match option {
                            "socket_timeout" => c.socket_timeout,
                            "socket_connect_timeout" => c.connect_timeout,
                            "health_check_interval" => c.health_check_interval,
                            _ => c.pool_timeout,
                        };
                        assert_eq!(Some(field), expected, "{case}");
                    }
                    "max_connections" | "max_queued_requests" | "socket_read_size" => {
                        if value != "1" {
                            assert!(got.is_err(), "{case}");
                            continue;
                        }
                        let c = got.unwrap();
                        match option {
                            "max_connections" => assert_eq!(c.max_connections, 1),
                            "max_queued_requests" => assert_eq!(c.max_queued_requests, 1),
                            _ => assert_eq!(c.max_connections, d.max_connections),
                        }
                    }
                    "db" => match value {
                        "-0" | "0" => assert_eq!(got.unwrap().db, 0, "{case}"),
                        "1" => assert_eq!(got.unwrap().db, 1, "{case}"),
                        _ => assert!(got.is_err(), "{case}"),
                    },
                    "socket_keepalive" | "decode_responses" | "retry_on_timeout"
                    | "ssl_check_hostname" => match value {
                        "0" | "1" => {
                            let c = got.unwrap();
                            let on = value == "1";
                            match option {
                                "socket_keepalive" => {
                                    assert_eq!(c.keepalive, on.then(Keepalive::default))
                                }
                                "decode_responses" => assert_eq!(c.decode_responses, on),
                                _ => {}
                            }
                        }
                        _ => assert!(got.is_err(), "{case}"),
                    },
                    "ssl_cert_reqs" if value == "none" => assert_eq!(got.unwrap(), d, "{case}"),
                    "protocol" | "encoding" | "encoding_errors" | "ssl_cert_reqs"
                    | "ssl_min_version" => assert!(got.is_err(), "{case}"),
                    other => panic!("option {other} has no expectation here"),
                }
            }
        }
    }

    #[test]
    fn redis_py_options_are_accepted() {
        let c = ConnectionConfig::from_url(
            "redis://h/1?socket_keepalive=on&socket_read_size=65536&retry_on_timeout=True\
             &encoding=UTF-8&encoding_errors=strict&lib_name=app&lib_version=1.2\
             &max_queued_requests=10&max_connections=5&timeout=0.25\
             &socket_connect_timeout=3&ssl_cert_reqs=required&ssl_check_hostname=false\
             &ssl_min_version=TLSv1.2&ssl_ca_certs=/ca.pem&ssl_certfile=/c.pem\
             &ssl_keyfile=/k.pem&ssl_password=kp&ssl_ciphers=HIGH&ssl_ca_path=/ca\
             &client_name=a+b%2Bc&db=9223372036854775807",
        )
        .unwrap();
        assert_eq!(c.keepalive, Some(Keepalive::default()));
        assert_eq!(
            (c.lib_name.as_deref(), c.lib_version.as_deref()),
            (Some("app"), Some("1.2"))
        );
        assert_eq!((c.max_queued_requests, c.max_connections), (10, 5));
        assert_eq!(c.pool_timeout, Some(Duration::from_millis(250)));
        assert_eq!(c.connect_timeout, Some(Duration::from_secs(3)));
        assert_eq!(c.client_name.as_deref(), Some("a b+c"));
        assert_eq!(c.db, i64::MAX);
        assert!(!format!("{c:?}").contains("kp"));
        let c = ConnectionConfig::from_url("redis://h?socket_keepalive=off&socket_timeout=none")
            .unwrap();
        assert_eq!((c.keepalive, c.socket_timeout), (None, None));
        for bad in [
            "redis://h?encoding=latin-1",
            "redis://h?encoding_errors=replace",
            "redis://h?ssl_cert_reqs=maybe",
            "redis://h?ssl_min_version=SSLv3",
            "redis://h?timeout=none",
            "redis://h?socket_timeout=1e-10",
            "redis://h?db=9223372036854775808",
            "redis://h/18446744073709551616",
            "redis://h?%ff=1",
            "redis://h?readonly=1",
        ] {
            let e = ConnectionConfig::from_url(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidConfig, "{bad}");
        }
        let e = ConnectionConfig::from_url("redis://h?socket_timout=1").unwrap_err();
        assert!(
            e.to_string()
                .contains(r#"unknown URL option "socket_timout""#),
            "{e}"
        );
        let e =
            ConnectionConfig::from_url(&format!("redis://h?db={}", "7".repeat(500))).unwrap_err();
        assert!(e.to_string().len() < 200, "{e}");
    }
}
