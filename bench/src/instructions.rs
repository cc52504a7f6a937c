//! `--instructions`: client-side instructions per operation, oxredis and redis-rs, for the hot
//! paths of issue 12: a blocking sequential GET, one async task of sequential GETs, 1000 async
//! tasks of GETs, an LRANGE of 10,000 elements, a pipeline of 10,000 SETs and the decoding of a
//! 10,000-element array from memory (figures (1), (7), (4), (3), (2), (6)).
//!
//! For each case and client the program runs itself twice under `valgrind --tool=callgrind`, in
//! the internal `--loop CASE --client C` mode (connect, one warm-up round, then N rounds), once
//! with a small N and once with a large N, and reads callgrind's total of executed instructions
//! (Ir, user space, all threads of the client process; the server is a separate process and is
//! not counted). The difference of the two totals divided by the difference of N is the cost of
//! one round without start-up, connection set-up and exit; for the cases whose round holds 10,000
//! elements or commands it is also shown per element. (`perf stat -e instructions:u` would do
//! the same on hardware counters, but the VM this was written on does not expose them.)
//!
//! One caveat is built in: glibc's `memset` of more than a few KiB is a `rep stosb`, which
//! valgrind counts once per byte, where the CPU retires it as one instruction. redis-rs
//! zero-fills part of its read buffer on every read (in combine's `extend_buf`), which would
//! otherwise dominate its count. So the `memset` functions' own Ir is reported on its own (as
//! bytes zeroed, roughly) and the instructions are also shown without it.

use std::path::Path;
use std::process::Command;

use bytes::BytesMut;
use oxredis_test_support::RedisServer;

use crate::{ox_get_loop, redis_get_loop, KEY, VALUE};

/// Elements of the LRANGE list, commands of the pipeline, elements of the decoded array.
const TEN_K: usize = 10_000;
/// Tasks of the `async-many` case.
const TASKS: usize = 1_000;

/// One measured case.
struct Case {
    /// Name for `--case`.
    name: &'static str,
    /// What one round is, for the table.
    round: &'static str,
    /// Operations per round (the per-element column), or 1.
    per_round: usize,
    /// What one of those operations is.
    unit: &'static str,
    /// Default rounds of the small and the large run.
    small: usize,
    large: usize,
}

/// Every case, in the order they run.
const CASES: &[Case] = &[
    Case {
        name: "get",
        round: "blocking GET",
        per_round: 1,
        unit: "GET",
        small: 2_000,
        large: 22_000,
    },
    Case {
        name: "async",
        round: "async GET (1 task)",
        per_round: 1,
        unit: "GET",
        small: 2_000,
        large: 22_000,
    },
    Case {
        name: "async-many",
        round: "1000 async tasks x 1 GET",
        per_round: TASKS,
        unit: "GET",
        small: 2,
        large: 12,
    },
    Case {
        name: "lrange",
        round: "LRANGE 0 -1 of 10k as Vec<Vec<u8>>",
        per_round: TEN_K,
        unit: "element",
        small: 2,
        large: 12,
    },
    Case {
        name: "pipeline",
        round: "pipeline of 10k SETs, replies kept",
        per_round: TEN_K,
        unit: "command",
        small: 1,
        large: 6,
    },
    Case {
        name: "decode",
        round: "decode a 10k-element array from memory",
        per_round: TEN_K,
        unit: "element",
        small: 5,
        large: 35,
    },
];

/// Names of the cases, for `--help` and errors.
pub(crate) fn case_names() -> Vec<&'static str> {
    CASES.iter().map(|c| c.name).collect()
}

/// The list the LRANGE case reads (the same items as figure (3)).
const LIST: &str = "list";

fn items() -> Vec<String> {
    (0..TEN_K).map(|i| format!("item-{i:05}")).collect()
}

/// The wire form of a 10k-element array of bulk strings (figure (6)).
pub(crate) fn array_wire() -> Vec<u8> {
    let mut wire = Vec::new();
    wire.extend_from_slice(b"*10000\r\n");
    for it in items() {
        wire.extend_from_slice(format!("${}\r\n{it}\r\n", it.len()).as_bytes());
    }
    wire
}

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// One LRANGE of the whole list with oxredis (figure (3)).
fn ox_lrange(ox: &oxredis::Redis) {
    let v: Vec<Vec<u8>> = ox.lrange(LIST, 0, -1).unwrap();
    assert_eq!(v.len(), TEN_K);
}

/// One LRANGE of the whole list with redis-rs (figure (3)).
fn redis_lrange(conn: &mut redis::Connection) {
    let v: Vec<Vec<u8>> = redis::cmd("LRANGE")
        .arg(LIST)
        .arg(0)
        .arg(-1)
        .query(conn)
        .unwrap();
    assert_eq!(v.len(), TEN_K);
}

/// One pipeline of 10k SETs with oxredis (figure (2), the keys overwritten each round).
fn ox_pipeline(ox: &oxredis::Redis, keys: &[String]) {
    let mut pipe = ox.pipeline(false);
    for (i, k) in keys.iter().enumerate() {
        pipe.set(k.as_str(), i);
    }
    let replies = pipe.execute().unwrap();
    assert_eq!(replies.len(), keys.len());
}

/// One pipeline of 10k SETs with redis-rs (figure (2)).
fn redis_pipeline(conn: &mut redis::Connection, keys: &[String]) {
    let mut pipe = redis::pipe();
    for (i, k) in keys.iter().enumerate() {
        pipe.cmd("SET").arg(k).arg(i);
    }
    let replies: Vec<redis::Value> = pipe.query(conn).unwrap();
    assert_eq!(replies.len(), keys.len());
}

/// Internal `--loop` mode: one warm-up round and `n` rounds of `case` with one client.
pub(crate) fn run_loop(case: &str, client: &str, n: usize, url: &str) {
    match (case, client) {
        ("get", "ox") => {
            let ox = oxredis::Redis::from_url(url).unwrap();
            ox_get_loop(&ox, 1);
            ox_get_loop(&ox, n);
        }
        ("get", "redis") => {
            let client = redis::Client::open(url).unwrap();
            let mut conn = client.get_connection().unwrap();
            redis_get_loop(&mut conn, 1);
            redis_get_loop(&mut conn, n);
        }
        // One task of sequential GETs on the async clients (figure (7)), on a current-thread
        // runtime so the count has no idle worker threads in it.
        ("async", "ox") => current_thread().block_on(async {
            let ox = oxredis::aio::Redis::from_url(url).unwrap();
            for round in [1, n] {
                for _ in 0..round {
                    let v: Option<Vec<u8>> = ox.get(KEY).await.unwrap();
                    assert!(v.is_some());
                }
            }
        }),
        ("async", "redis") => current_thread().block_on(async {
            let client = redis::Client::open(url).unwrap();
            let mut c = client.get_multiplexed_async_connection().await.unwrap();
            for round in [1, n] {
                for _ in 0..round {
                    let v: Option<Vec<u8>> = redis::cmd("GET")
                        .arg(KEY)
                        .query_async(&mut c)
                        .await
                        .unwrap();
                    assert!(v.is_some());
                }
            }
        }),
        // 1000 tasks, each `n` sequential GETs, on one client (figure (4)), on a current-thread
        // runtime: the many-requests-in-flight path (batched writes and reads).
        ("async-many", "ox") => current_thread().block_on(async {
            let ox = oxredis::aio::Redis::from_url(url).unwrap();
            for round in [1, n] {
                let hs: Vec<_> = (0..TASKS)
                    .map(|_| {
                        let c = ox.clone();
                        tokio::spawn(async move {
                            for _ in 0..round {
                                let v: Option<Vec<u8>> = c.get(KEY).await.unwrap();
                                assert!(v.is_some());
                            }
                        })
                    })
                    .collect();
                for h in hs {
                    h.await.unwrap();
                }
            }
        }),
        ("async-many", "redis") => current_thread().block_on(async {
            let client = redis::Client::open(url).unwrap();
            let c = client.get_multiplexed_async_connection().await.unwrap();
            for round in [1, n] {
                let hs: Vec<_> = (0..TASKS)
                    .map(|_| {
                        let mut c = c.clone();
                        tokio::spawn(async move {
                            for _ in 0..round {
                                let v: Option<Vec<u8>> = redis::cmd("GET")
                                    .arg(KEY)
                                    .query_async(&mut c)
                                    .await
                                    .unwrap();
                                assert!(v.is_some());
                            }
                        })
                    })
                    .collect();
                for h in hs {
                    h.await.unwrap();
                }
            }
        }),
        ("lrange", "ox") => {
            let ox = oxredis::Redis::from_url(url).unwrap();
            for _ in 0..=n {
                ox_lrange(&ox);
            }
        }
        ("lrange", "redis") => {
            let client = redis::Client::open(url).unwrap();
            let mut conn = client.get_connection().unwrap();
            for _ in 0..=n {
                redis_lrange(&mut conn);
            }
        }
        ("pipeline", "ox") => {
            let keys = pipe_keys();
            let ox = oxredis::Redis::from_url(url).unwrap();
            for _ in 0..=n {
                ox_pipeline(&ox, &keys);
            }
        }
        ("pipeline", "redis") => {
            let keys = pipe_keys();
            let client = redis::Client::open(url).unwrap();
            let mut conn = client.get_connection().unwrap();
            for _ in 0..=n {
                redis_pipeline(&mut conn, &keys);
            }
        }
        // As figure (6): oxredis copies the wire into a `BytesMut` first.
        ("decode", "ox") => {
            let wire = array_wire();
            let mut dec = oxredis::resp::Decoder::default();
            for _ in 0..=n {
                let mut buf = BytesMut::from(&wire[..]);
                let v = dec.decode(&mut buf).unwrap().unwrap();
                assert!(matches!(v, oxredis::Value::Array(ref a) if a.len() == TEN_K));
            }
        }
        ("decode", "redis") => {
            let wire = array_wire();
            for _ in 0..=n {
                let v = redis::parse_redis_value(&wire).unwrap();
                assert!(matches!(v, redis::Value::Array(ref a) if a.len() == TEN_K));
            }
        }
        other => panic!("--loop: unknown case/client {other:?}"),
    }
}

/// The keys of the pipeline case (as figure (2)'s).
fn pipe_keys() -> Vec<String> {
    (0..TEN_K).map(|i| format!("pipe:{i:05}")).collect()
}

/// Total instructions (Ir) from a callgrind output file (`totals:` or `summary:` line).
fn callgrind_total(file: &Path) -> u64 {
    let text = std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
    text.lines()
        .find_map(|l| {
            l.strip_prefix("totals:")
                .or_else(|| l.strip_prefix("summary:"))
        })
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no totals in {}", file.display()))
}

/// Self Ir of the `memset` functions in a callgrind output file (via `callgrind_annotate`).
fn memset_total(file: &Path) -> u64 {
    let out = Command::new("callgrind_annotate")
        .arg("--threshold=100")
        .arg(file)
        .output()
        .expect("callgrind_annotate (part of valgrind)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            // "  180,592,456 (73.02%)  ./string/...S:__memset_avx2_unaligned_erms [/usr/lib/...]"
            let (ir, rest) = l.trim().split_once(' ')?;
            let ir: u64 = ir.replace(',', "").parse().ok()?;
            let func = rest.split(" [").next()?.rsplit(':').next()?;
            func.contains("memset").then_some(ir)
        })
        .sum()
}

/// Total and memset instructions of one callgrind run.
struct Count {
    total: u64,
    memset: u64,
}

/// Runs `--loop case --client client --n n` under callgrind.
fn count(case: &str, client: &str, n: usize, url: &str, dir: &Path) -> Count {
    let exe = std::env::current_exe().unwrap();
    let out_file = dir.join(format!("callgrind.{case}.{client}.{n}"));
    let log_file = dir.join(format!("valgrind.{case}.{client}.{n}.log"));
    let status = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .arg(format!("--log-file={}", log_file.display()))
        .arg(&exe)
        .args(["--loop", case, "--client", client])
        .args(["--n", &n.to_string(), "--url", url])
        .status()
        .expect("valgrind (apt-get install valgrind)");
    assert!(
        status.success(),
        "valgrind run of {case}/{client} with n={n} failed: {status}; see {}",
        log_file.display()
    );
    Count {
        total: callgrind_total(&out_file),
        memset: memset_total(&out_file),
    }
}

/// The `--instructions` mode: prints, per selected case, the instructions per round (and per
/// element) of each client and the ratio. `small`/`large` override every case's round counts.
pub(crate) fn run(cases: &[String], small: Option<usize>, large: Option<usize>) {
    let server = RedisServer::new();
    server.cli(&["SET", KEY, VALUE]);
    let url = server.url();
    {
        // The LRANGE list, as figure (3)'s.
        let ox = oxredis::Redis::from_url(&url).unwrap();
        let _: i64 = ox.delete(LIST).unwrap();
        let n: i64 = ox.rpush(LIST, items()).unwrap();
        assert_eq!(n, TEN_K as i64);
    }
    let dir = std::env::temp_dir().join(format!("oxredis-bench-callgrind-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    println!(
        "# client-side instructions per operation ({})\n",
        crate::sys::date_utc()
    );
    println!(
        "valgrind --tool=callgrind, Ir of the whole client process; per round = \
         (Ir(N large) - Ir(N small)) / (large - small)"
    );
    println!(
        "peers: redis {}; server redis-server {}; load average {}\n",
        env!("PEER_REDIS"),
        crate::server_version(&server),
        crate::sys::loadavg()
    );
    println!(
        "| case | client | N small / large | Ir, small | Ir, large | per round | of which memset \
         | per round without memset | per element without memset |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|"
    );
    let mut ratios = Vec::new();
    for case in CASES.iter().filter(|c| cases.iter().any(|n| n == c.name)) {
        let (s, l) = (small.unwrap_or(case.small), large.unwrap_or(case.large));
        assert!(l > s, "--large must be greater than --small");
        let d = (l - s) as f64;
        let mut per = Vec::new();
        for (client, name) in [("ox", "oxredis"), ("redis", "redis-rs")] {
            let a = count(case.name, client, s, &url, &dir);
            let b = count(case.name, client, l, &url, &dir);
            let all = b.total.saturating_sub(a.total) as f64 / d;
            let memset = b.memset.saturating_sub(a.memset) as f64 / d;
            let per_elem = if case.per_round > 1 {
                format!(
                    "{:.1} per {}",
                    (all - memset) / case.per_round as f64,
                    case.unit
                )
            } else {
                String::new()
            };
            println!(
                "| {} | {name} | {s} / {l} | {} | {} | {all:.0} | {memset:.0} | {:.0} | {per_elem} |",
                case.round,
                a.total,
                b.total,
                all - memset
            );
            per.push((all, all - memset));
        }
        ratios.push((case.round, per[0].0 / per[1].0, per[0].1 / per[1].1));
    }
    println!();
    for (round, all, without) in ratios {
        println!("- {round}: oxredis / redis-rs {all:.2}x; without memset {without:.2}x");
    }
    println!(
        "\n(valgrind counts a `rep stosb` memset once per byte; the CPU retires it as one \
         instruction, so the column without memset is the closer to instructions:u)"
    );
    println!(
        "\ncallgrind files (for callgrind_annotate) kept in {}",
        dir.display()
    );
}
