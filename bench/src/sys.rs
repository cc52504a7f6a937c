//! The machine around the benchmark: CPU pinning, load average, date, redis-benchmark.

use std::process::Command;

/// Pins every thread of process `pid` to the CPU list `cpus` (`taskset -a -cp`). Threads the
/// process starts later inherit the mask of the thread that starts them.
pub(crate) fn pin(pid: u32, cpus: &str) -> Result<(), String> {
    let out = Command::new("taskset")
        .args(["-a", "-cp", cpus, &pid.to_string()])
        .output()
        .map_err(|e| format!("taskset: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "taskset -a -cp {cpus} {pid}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// The CPUs process `pid` may run on (`Cpus_allowed_list` of /proc/PID/status).
pub(crate) fn cpus_allowed(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
                .map(|v| v.trim().to_string())
        })
        .unwrap_or_else(|| "?".into())
}

/// The 1, 5 and 15 minute load averages from /proc/loadavg.
pub(crate) fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// The number of online CPUs (not limited by this process's affinity mask).
pub(crate) fn online_cpus() -> String {
    std::fs::read_to_string("/sys/devices/system/cpu/online")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".into())
}

/// Current date and time in UTC, from `date -u`.
pub(crate) fn date_utc() -> String {
    Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M:%S UTC"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "?".into())
}

/// `redis-benchmark --version`, e.g. `7.0.15`.
pub(crate) fn redis_benchmark_version() -> String {
    Command::new("redis-benchmark")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .nth(1)
                .map(str::to_string)
        })
        .unwrap_or_else(|| "not found".into())
}

/// A redis-benchmark command against `127.0.0.1:port`:
/// `-c clients -P pipeline -n n -d 10 -t test -q` (`-d 10`: SET writes values of the length
/// that the figures' GET key holds, so a later GET ceiling reads the same size). It inherits this
/// process's CPU affinity.
pub(crate) struct RedisBenchmark {
    /// Server port.
    pub(crate) port: u16,
    /// `-c`: parallel connections.
    pub(crate) clients: usize,
    /// `-P`: requests pipelined per connection.
    pub(crate) pipeline: usize,
    /// `-n`: total requests.
    pub(crate) n: usize,
    /// `-t`: the test (`get`, `set`).
    pub(crate) test: &'static str,
}

impl RedisBenchmark {
    /// The command line, for the report.
    pub(crate) fn describe(&self) -> String {
        format!(
            "redis-benchmark -h 127.0.0.1 -p PORT -c {} -P {} -n {} -d 10 -t {} -q",
            self.clients, self.pipeline, self.n, self.test
        )
    }

    /// Runs it once; requests per second.
    pub(crate) fn run(&self) -> f64 {
        let out = Command::new("redis-benchmark")
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["-c", &self.clients.to_string()])
            .args(["-P", &self.pipeline.to_string()])
            .args(["-n", &self.n.to_string()])
            .args(["-d", "10", "-t", self.test, "-q"])
            .output()
            .expect("redis-benchmark (apt-get install redis-tools)");
        let text = String::from_utf8_lossy(&out.stdout);
        // The last "GET: 12345.67 requests per second, p50=..." (earlier ones are progress).
        let prefix = format!("{}: ", self.test.to_uppercase());
        text.split(['\r', '\n'])
            .filter_map(|l| l.trim().strip_prefix(prefix.as_str()))
            .filter_map(|l| l.split_whitespace().next()?.parse::<f64>().ok())
            .next_back()
            .unwrap_or_else(|| panic!("cannot parse redis-benchmark output: {text:?}"))
    }
}
