//! `--instructions`: client-side instructions per sequential GET, oxredis and redis-rs (blocking,
//! and one async task on a current-thread runtime).
//!
//! For each client the program runs itself twice under `valgrind --tool=callgrind`, in the
//! internal `--get-loop` mode (connect, one warm-up GET, then N GETs on one connection), once with
//! a small N and once with a large N, and reads callgrind's total of executed instructions (Ir,
//! user space, all threads of the client process; the server is a separate process and is not
//! counted). The difference of the two totals divided by the difference of N is the cost of one
//! GET without start-up, connection set-up and exit. (`perf stat -e instructions:u` would do the
//! same on hardware counters, but the VM this was written on does not expose them.)
//!
//! One caveat is built in: glibc's `memset` of more than a few KiB is a `rep stosb`, which
//! valgrind counts once per byte, where the CPU retires it as one instruction. Both clients
//! zero-fill part of their read buffer on every read (oxredis in `BytesMut::resize` under
//! `Connection::fill`, redis-rs in combine's `extend_buf`), which would otherwise dominate the
//! count. So the `memset` functions' own Ir is reported on its own (as bytes zeroed per GET,
//! roughly) and the instructions per GET are also shown without it.

use std::path::Path;
use std::process::Command;

use oxredis_test_support::RedisServer;

use crate::{ox_get_loop, redis_get_loop, KEY, VALUE};

/// Internal `--get-loop` mode: one warm-up GET and `n` sequential GETs with one client.
pub(crate) fn get_loop(client: &str, n: usize, url: &str) {
    match client {
        "ox" => {
            let ox = oxredis::Redis::from_url(url).unwrap();
            ox_get_loop(&ox, 1);
            ox_get_loop(&ox, n);
        }
        "redis" => {
            let client = redis::Client::open(url).unwrap();
            let mut conn = client.get_connection().unwrap();
            redis_get_loop(&mut conn, 1);
            redis_get_loop(&mut conn, n);
        }
        // One task of sequential GETs on the async clients (figure (7)), on a current-thread
        // runtime so the count has no idle worker threads in it.
        "ox-async" => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let ox = oxredis::aio::Redis::from_url(url).unwrap();
                for round in [1, n] {
                    for _ in 0..round {
                        let v: Option<Vec<u8>> = ox.get(KEY).await.unwrap();
                        assert!(v.is_some());
                    }
                }
            });
        }
        "redis-async" => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
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
            });
        }
        other => panic!("--get-loop: unknown client {other:?} (ox, redis, ox-async, redis-async)"),
    }
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

/// Runs `--get-loop client --n n` under callgrind.
fn count(client: &str, n: usize, url: &str, dir: &Path) -> Count {
    let exe = std::env::current_exe().unwrap();
    let out_file = dir.join(format!("callgrind.{client}.{n}"));
    let log_file = dir.join(format!("valgrind.{client}.{n}.log"));
    let status = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .arg(format!("--log-file={}", log_file.display()))
        .arg(&exe)
        .args(["--get-loop", client, "--n", &n.to_string(), "--url", url])
        .status()
        .expect("valgrind (apt-get install valgrind)");
    assert!(
        status.success(),
        "valgrind run of {client} with n={n} failed: {status}; see {}",
        log_file.display()
    );
    Count {
        total: callgrind_total(&out_file),
        memset: memset_total(&out_file),
    }
}

/// The `--instructions` mode: prints a table of instructions per GET and the ratio.
pub(crate) fn run(small: usize, large: usize) {
    let server = RedisServer::new();
    server.cli(&["SET", KEY, VALUE]);
    let url = server.url();
    let dir = std::env::temp_dir().join(format!("oxredis-bench-callgrind-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    println!(
        "# client-side instructions per sequential GET ({})\n",
        crate::sys::date_utc()
    );
    println!(
        "valgrind --tool=callgrind, Ir of the whole client process; per GET = (Ir(N={large}) - Ir(N={small})) / {}",
        large - small
    );
    println!(
        "peers: redis {}; server redis-server {}; load average {}\n",
        env!("PEER_REDIS"),
        crate::server_version(&server),
        crate::sys::loadavg()
    );
    println!(
        "| client | Ir, N={small} | Ir, N={large} | instructions per GET | of which memset \
         (~bytes zeroed) | per GET without memset |\n|---|---:|---:|---:|---:|---:|"
    );
    let d = (large - small) as f64;
    let mut per = Vec::new();
    for (client, name) in [
        ("ox", "oxredis"),
        ("redis", "redis-rs"),
        ("ox-async", "oxredis aio (1 task)"),
        ("redis-async", "redis-rs multiplexed (1 task)"),
    ] {
        let a = count(client, small, &url, &dir);
        let b = count(client, large, &url, &dir);
        let all = b.total.saturating_sub(a.total) as f64 / d;
        let memset = b.memset.saturating_sub(a.memset) as f64 / d;
        println!(
            "| {name} | {} | {} | {all:.0} | {memset:.0} | {:.0} |",
            a.total,
            b.total,
            all - memset
        );
        per.push((all, all - memset));
    }
    println!(
        "\noxredis / redis-rs instructions per GET: {:.2}x; without memset: {:.2}x",
        per[0].0 / per[1].0,
        per[0].1 / per[1].1
    );
    println!(
        "async, one task (current-thread runtime): oxredis / redis-rs {:.2}x; without memset: {:.2}x",
        per[2].0 / per[3].0,
        per[2].1 / per[3].1
    );
    println!(
        "(valgrind counts a `rep stosb` memset once per byte; the CPU retires it as one \
         instruction, so the column without memset is the closer to instructions:u)"
    );
    println!(
        "\ncallgrind files (for callgrind_annotate) kept in {}",
        dir.display()
    );
}
