//! Sequential GET throughput of the blocking client next to `redis-benchmark -c 1 -P 1 -t get`,
//! against the same throwaway server, in the same run: unpinned, then with the server and both
//! clients pinned to CPU 0 (taskset). Medians of several runs; the figure that matters is the ratio.
//!
//! `cargo run --release -p oxredis --example get_bench [requests]`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;
use std::time::Instant;

use oxredis::Redis;
use oxredis_test_support::RedisServer;

const RUNS: usize = 5;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn oxredis_gets(r: &Redis, n: usize) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        let v: Option<bytes::Bytes> = r.get("key:__rand_int__").unwrap();
        assert!(v.is_some());
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn redis_benchmark(port: u16, n: usize, cpu: Option<&str>) -> f64 {
    let mut cmd = match cpu {
        Some(c) => {
            let mut t = Command::new("taskset");
            t.args(["-c", c, "redis-benchmark"]);
            t
        }
        None => Command::new("redis-benchmark"),
    };
    let out = cmd
        .args([
            "-p",
            &port.to_string(),
            "-c",
            "1",
            "-P",
            "1",
            "-t",
            "get",
            "-q",
        ])
        .args(["-n", &n.to_string()])
        .output()
        .expect("redis-benchmark (apt-get install redis-tools)");
    let text = String::from_utf8_lossy(&out.stdout);
    // The last "GET: 12345.67 requests per second" line (earlier ones are progress updates).
    text.split(['\r', '\n'])
        .filter_map(|l| l.trim().strip_prefix("GET: "))
        .filter_map(|l| l.split_whitespace().next()?.parse::<f64>().ok())
        .next_back()
        .unwrap_or_else(|| panic!("cannot parse redis-benchmark output: {text}"))
}

fn pin(pid: u32, cpu: &str) {
    let ok = Command::new("taskset")
        .args(["-a", "-p", "-c", cpu, &pid.to_string()])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(ok, "taskset failed for pid {pid}");
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50_000);
    let server = RedisServer::new();
    server.cli(&["SET", "key:__rand_int__", "xxx"]);
    let r = Redis::from_url(&server.url()).unwrap();
    oxredis_gets(&r, n / 10); // warm up
    println!("sequential GET, {n} requests per run, median of {RUNS} runs (ops/s)");
    println!(
        "{:<10} {:>12} {:>16} {:>8}",
        "placement", "oxredis", "redis-benchmark", "ratio"
    );
    for (label, cpu) in [("unpinned", None), ("one CPU", Some("0"))] {
        if let Some(c) = cpu {
            pin(server.pid().unwrap(), c);
            pin(std::process::id(), c);
        }
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        for _ in 0..RUNS {
            ours.push(oxredis_gets(&r, n));
            theirs.push(redis_benchmark(server.port(), n, cpu));
        }
        let (o, t) = (median(ours), median(theirs));
        println!("{label:<10} {o:>12.0} {t:>16.0} {:>7.2}x", o / t);
    }
}
