//! Pipeline throughput against `redis-benchmark`, on one throwaway server in the same run.
//!
//! Each round sends 100,000 SETs as 10 non-transactional pipelines of 10,000 on one connection,
//! then runs `redis-benchmark -n 100000 -P 10000 -t set -q` against the same server (its default
//! 50 clients, and again with `-c 1`, the fair match for one connection). Rounds are interleaved
//! so machine load hits both alike; medians and ratios are printed.
//!
//! `cargo run --release -p oxredis --example pipeline_bench [rounds]`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;
use std::time::Instant;

use oxredis::Redis;
use oxredis_test_support::RedisServer;

const BATCH: usize = 10_000;

fn redis_benchmark(port: u16, clients: Option<u32>) -> Option<f64> {
    let mut cmd = Command::new("redis-benchmark");
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
    if let Some(c) = clients {
        cmd.args(["-c", &c.to_string()]);
    }
    let out = cmd.output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    // `-q` prints progress lines separated by `\r`, then `SET: 1234.56 requests per second...`.
    let last = text.rsplit("SET: ").next()?;
    last.split_whitespace().next()?.parse().ok()
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

    // Interleaved rounds, so machine load affects both sides alike.
    let (mut ox, mut rb50, mut rb1) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        ox.push(oxredis_round(&r));
        if let Some(v) = redis_benchmark(server.port(), None) {
            rb50.push(v);
        }
        if let Some(v) = redis_benchmark(server.port(), Some(1)) {
            rb1.push(v);
        }
    }
    let ox = median(ox);
    println!("oxredis: 10 pipelines of {BATCH} SETs (transaction=false), median of {rounds} rounds: {ox:.0} ops/s");
    for (label, rates) in [("-c 50 (default)", rb50), ("-c 1", rb1)] {
        if rates.is_empty() {
            println!("redis-benchmark {label}: not available or unparsable output");
            continue;
        }
        let rb = median(rates);
        println!(
            "redis-benchmark -n 100000 -P 10000 -t set {label}: {rb:.0} ops/s; oxredis / redis-benchmark = {:.2}",
            ox / rb
        );
    }
}
