//! Command-line options. The older `BENCH_*` environment variables still work: they give the
//! defaults, and an option on the command line wins over them.

use std::fmt;

/// Text of `--help`.
pub(crate) const HELP: &str = "\
oxredis-bench: oxredis against the redis (redis-rs) and fred crates on one local redis-server

USAGE:
    cargo run --release -p oxredis-bench -- [OPTIONS]
    target/release/oxredis-bench [OPTIONS]

OPTIONS:
    --runs N             measurements per figure, median reported      [env BENCH_RUNS, default 5]
    --scale F            scale the operation counts (0.1: quick run)   [env BENCH_SCALE, default 1]
    --only LIST          figures to run, e.g. 1,4,7                   [env BENCH_ONLY, default all]
    --clients LIST       clients to run: ox,redis,fred                 [env BENCH_CLIENTS, default all]
    --pin MODE           CPU placement of server and client            [env BENCH_PIN, default none]
                           same:  server and client (and redis-benchmark) on CPU 0
                           split: server on CPU 0, client (and redis-benchmark) on CPU 1
                           none:  no pinning (the scheduler decides)
    --server-cpu C       pin only the server to CPU list C (overrides the server part of --pin)
                                                                       [env BENCH_SERVER_CPU]
    --no-ceiling         do not run redis-benchmark for the ceiling column
    --cluster            instead of the figures: the cluster figures (c1), (c2) on a 6-node
                         cluster (3 primaries + 3 replicas) the program starts; --only 1,2
                         picks among them; --pin none only
    --instructions       instead of the figures: client-side instructions per operation for
                         oxredis and redis-rs, counted by valgrind --tool=callgrind as
                         (Ir(N large) - Ir(N small)) / (large - small), N = rounds
    --case LIST          cases of --instructions (default all):
                           get:        blocking sequential GET                    (1)
                           async:      one async task of sequential GETs          (7)
                           async-many: 1000 async tasks x N GETs, one client      (4)
                           lrange:     LRANGE of 10k elements as Vec<Vec<u8>>     (3)
                           pipeline:   one pipeline of 10k SETs, replies kept     (2)
                           decode:     a 10k-element array decoded from memory    (6)
    --small N            rounds of the small run of --instructions (default per case)
    --large N            rounds of the large run of --instructions (default per case)
    -h, --help           print this text

FIGURES:
    (1) blocking sequential GET and SET, one connection (fred: no sync API)
    (2) one pipeline of 10k SETs to 10k distinct fresh keys, replies kept by every client
    (3) LRANGE of a 10k-element list
    (4) async, 1000 tasks x 100 GET on one client
    (5) async, 50 tasks x sequential INCR
    (6) decode a 10k-element array from memory (no server)
    (7) async, 1 task sequential GET (latency-bound)

CLUSTER FIGURES (--cluster):
    (c1) one cluster pipeline of 10k SETs to 10k distinct fresh keys over the three primaries
    (c2) async, 1000 tasks x 100 GET of random existing keys on one cluster client
";

/// Where the server and the benchmark process run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pin {
    /// Server and client on CPU 0.
    Same,
    /// Server on CPU 0, client on CPU 1.
    Split,
    /// No pinning.
    None,
}

impl Pin {
    /// CPU lists (for `taskset -c`) of server and client, if pinned.
    pub(crate) fn cpus(self) -> (Option<&'static str>, Option<&'static str>) {
        match self {
            Pin::Same => (Some("0"), Some("0")),
            Pin::Split => (Some("0"), Some("1")),
            Pin::None => (None, None),
        }
    }
}

impl fmt::Display for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Pin::Same => "same",
            Pin::Split => "split",
            Pin::None => "none",
        })
    }
}

/// What the program does.
#[derive(Debug)]
pub(crate) enum Mode {
    /// The figures (1)-(7).
    Figures,
    /// The cluster figures (c1), (c2).
    Cluster,
    /// Instructions per operation under callgrind.
    Instructions {
        /// The cases to count.
        cases: Vec<String>,
        /// Rounds of the small run (default per case).
        small: Option<usize>,
        /// Rounds of the large run (default per case).
        large: Option<usize>,
    },
    /// Internal (run under valgrind by `Instructions`): `n` rounds of one case with one client.
    Loop {
        /// The case (`get`, `lrange`...).
        case: String,
        /// `ox` or `redis`.
        client: String,
        /// Number of rounds after the warm-up.
        n: usize,
        /// Server URL.
        url: String,
    },
}

/// Parsed options.
#[derive(Debug)]
pub(crate) struct Opts {
    /// Measurements per figure.
    pub(crate) runs: usize,
    /// Scale of the operation counts.
    pub(crate) scale: f64,
    /// Selected figures (all when `None`).
    pub(crate) only: Option<Vec<u32>>,
    /// Selected clients (all when `None`).
    pub(crate) clients: Option<Vec<String>>,
    /// CPU placement.
    pub(crate) pin: Pin,
    /// Explicit server CPU list.
    pub(crate) server_cpu: Option<String>,
    /// Whether to run redis-benchmark for the ceiling column.
    pub(crate) ceiling: bool,
    /// What to do.
    pub(crate) mode: Mode,
}

impl Opts {
    /// Whether figure `n` is selected.
    pub(crate) fn want(&self, n: u32) -> bool {
        self.only.as_ref().is_none_or(|l| l.contains(&n))
    }

    /// Whether client `name` (ox, redis, fred) is selected.
    pub(crate) fn on(&self, name: &str) -> bool {
        self.clients
            .as_ref()
            .is_none_or(|l| l.iter().any(|c| c == name))
    }

    /// `n` times the scale, at least 1.
    pub(crate) fn scaled(&self, n: usize) -> usize {
        ((n as f64 * self.scale) as usize).max(1)
    }
}

fn parse_num<T: std::str::FromStr>(what: &str, s: &str) -> Result<T, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("{what}: not a number: {s:?}"))
}

fn parse_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
}

fn parse_pin(s: &str) -> Result<Pin, String> {
    match s.trim() {
        "same" => Ok(Pin::Same),
        "split" => Ok(Pin::Split),
        "none" => Ok(Pin::None),
        other => Err(format!(
            "--pin: expected same, split or none, got {other:?}"
        )),
    }
}

fn parse_only(s: &str) -> Result<Vec<u32>, String> {
    parse_list(s)
        .iter()
        .map(|x| parse_num::<u32>("--only", x))
        .collect()
}

fn parse_clients(s: &str) -> Result<Vec<String>, String> {
    let l = parse_list(s);
    match l
        .iter()
        .find(|c| !["ox", "redis", "fred"].contains(&c.as_str()))
    {
        Some(bad) => Err(format!(
            "--clients: unknown client {bad:?} (ox, redis, fred)"
        )),
        None => Ok(l),
    }
}

fn parse_cases(s: &str) -> Result<Vec<String>, String> {
    let l = parse_list(s);
    let known = crate::instructions::case_names();
    match l.iter().find(|c| !known.contains(&c.as_str())) {
        Some(bad) => Err(format!(
            "--case: unknown case {bad:?} ({})",
            known.join(", ")
        )),
        None => Ok(l),
    }
}

/// Parses `args` (without the program name) over the defaults from the environment.
/// `Ok(None)` means `--help` was asked for.
pub(crate) fn parse(args: &[String]) -> Result<Option<Opts>, String> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let mut o = Opts {
        runs: env("BENCH_RUNS")
            .map(|v| parse_num("BENCH_RUNS", &v))
            .transpose()?
            .unwrap_or(5),
        scale: env("BENCH_SCALE")
            .map(|v| parse_num("BENCH_SCALE", &v))
            .transpose()?
            .unwrap_or(1.0),
        only: env("BENCH_ONLY").map(|v| parse_only(&v)).transpose()?,
        clients: env("BENCH_CLIENTS")
            .map(|v| parse_clients(&v))
            .transpose()?,
        pin: env("BENCH_PIN")
            .map(|v| parse_pin(&v))
            .transpose()?
            .unwrap_or(Pin::None),
        server_cpu: env("BENCH_SERVER_CPU"),
        ceiling: true,
        mode: Mode::Figures,
    };
    let (mut instructions, mut small, mut large) = (false, None, None);
    let mut cases = crate::instructions::case_names()
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    let mut cluster = false;
    let (mut run_loop, mut client, mut n, mut url) =
        (None::<String>, String::new(), 0, String::new());

    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((k, v)) if k.starts_with("--") => (k, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = || -> Result<String, String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => it
                    .next()
                    .cloned()
                    .ok_or_else(|| format!("{name} needs a value")),
            }
        };
        match name {
            "-h" | "--help" => return Ok(None),
            "--runs" => o.runs = parse_num(name, &value()?)?,
            "--scale" => o.scale = parse_num(name, &value()?)?,
            "--only" => o.only = Some(parse_only(&value()?)?),
            "--clients" => o.clients = Some(parse_clients(&value()?)?),
            "--pin" => o.pin = parse_pin(&value()?)?,
            "--server-cpu" => o.server_cpu = Some(value()?),
            "--no-ceiling" => o.ceiling = false,
            "--instructions" => instructions = true,
            "--cluster" => cluster = true,
            "--small" => small = Some(parse_num(name, &value()?)?),
            "--large" => large = Some(parse_num(name, &value()?)?),
            "--case" => cases = parse_cases(&value()?)?,
            // Internal, used by --instructions.
            "--loop" => run_loop = Some(value()?),
            "--client" => client = value()?,
            "--n" => n = parse_num(name, &value()?)?,
            "--url" => url = value()?,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if o.runs == 0 {
        return Err("--runs must be at least 1".into());
    }
    if o.scale.is_nan() || o.scale <= 0.0 {
        return Err("--scale must be positive".into());
    }
    if let Some(case) = run_loop {
        o.mode = Mode::Loop {
            case,
            client,
            n,
            url,
        };
    } else if instructions {
        if let (Some(s), Some(l)) = (small, large) {
            if l <= s {
                return Err("--large must be greater than --small".into());
            }
        }
        o.mode = Mode::Instructions {
            cases,
            small,
            large,
        };
    } else if cluster {
        o.mode = Mode::Cluster;
    }
    Ok(Some(o))
}
