//! Pipeline throughput against `redis-benchmark`, on one throwaway server in the same run.
//!
//! Each round sends 100,000 SETs as 10 non-transactional pipelines of 10,000 on one connection,
//! then runs `redis-benchmark -n 100000 -P 10000 -t set -q` against the same server (with 50
//! clients, its default, and with `-c 1`, the fair match for one connection). Rounds are
//! interleaved so machine load hits both alike; unpinned, then with the server and both clients
//! pinned to CPU 0 (taskset). Medians and ratios are printed.
//!
//! `cargo run --release -p oxredis --example pipeline_bench [rounds]`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;
use std::time::Instant;

use oxredis::Redis;
use oxredis_test_support::RedisServer;

const BATCH: usize = 10_000;

fn redis_benchmark(port: u16, clients: u32, cpu: Option<&str>) -> Option<f64> {
    let mut cmd = match cpu {
        Some(c) => {
            let mut t = Command::new("taskset");
            t.args(["-c", c, "redis-benchmark"]);
            t
        }
        None => Command::new("redis-benchmark"),
    };
    cmd.args([
        "-p",
        &port.to_string(),
        "-n",
        "100000",
        "-P",
        "10000",
        "-t",
        "set",
        "-q",
    ]);
    cmd.args(["-c", &clients.to_string()]);
    let out = cmd.output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    // `-q` prints progress lines separated by `\r`, then `SET: 1234.56 requests per second...`.
    let last = text.rsplit("SET: ").next()?;
    last.split_whitespace().next()?.parse().ok()
}

fn pin(pid: u32, cpu: &str) -> bool {
    Command::new("taskset")
        .args(["-a", "-p", "-c", cpu, &pid.to_string()])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// 100,000 SETs as 10 pipelines of 10,000 on one connection, as ops/s.
fn oxredis_round(r: &Redis) -> f64 {
    let start = Instant::now();
    for _ in 0..10 {
        let mut pipe = r.pipeline(false);
        for _ in 0..BATCH {
            pipe.set("key:__rand_int__", "xxx");
        }
        let values = pipe.execute().unwrap();
        assert_eq!(values.len(), BATCH);
    }
    100_000.0 / start.elapsed().as_secs_f64()
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    let server = RedisServer::new();
    let r = Redis::from_url(&server.url()).unwrap();
    oxredis_round(&r); // warm-up: connection, server allocations

    println!("100,000 SETs per run: oxredis as 10 pipelines of {BATCH} (transaction=false) on one connection,");
    println!(
        "redis-benchmark -n 100000 -P 10000 -t set; medians of {rounds} interleaved rounds (ops/s)"
    );
    println!(
        "{:<10} {:>10} {:>12} {:>7} {:>12} {:>7}",
        "placement", "oxredis", "rb -c 50", "ratio", "rb -c 1", "ratio"
    );
    for (label, cpu) in [("unpinned", None), ("one CPU", Some("0"))] {
        if let Some(c) = cpu {
            let pinned = server.pid().is_some_and(|p| pin(p, c)) && pin(std::process::id(), c);
            if !pinned {
                println!("{label}: taskset unavailable, skipped");
                continue;
            }
        }
        // Interleaved rounds, so machine load affects both sides alike.
        let (mut ox, mut rb50, mut rb1) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..rounds {
            ox.push(oxredis_round(&r));
            rb50.extend(redis_benchmark(server.port(), 50, cpu));
            rb1.extend(redis_benchmark(server.port(), 1, cpu));
        }
        if rb50.is_empty() || rb1.is_empty() {
            println!("redis-benchmark not available or its output did not parse");
            return;
        }
        let (o, a, b) = (median(ox), median(rb50), median(rb1));
        println!(
            "{label:<10} {o:>10.0} {a:>12.0} {:>6.2}x {b:>12.0} {:>6.2}x",
            o / a,
            o / b
        );
    }
}
