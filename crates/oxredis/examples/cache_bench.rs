//! Client-side caching's effect, cached next to uncached in the same run against one throwaway
//! server: blocking sequential GET of one key, and async 1000 tasks x 100 GET of 50 keys on one
//! client. Medians of several runs; the figures that matter are the ratios.
//!
//! `cargo run --release -p oxredis --example cache_bench [sequential-requests]`
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use oxredis::cache::CacheConfig;
use oxredis::{aio, Redis};
use oxredis_test_support::RedisServer;

const RUNS: usize = 5;
const TASKS: usize = 1000;
const PER_TASK: usize = 100;
const KEYS: usize = 50;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn sequential(r: &Redis, n: usize) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        let v: Option<bytes::Bytes> = r.get("bench:0").unwrap();
        assert!(v.is_some());
    }
    n as f64 / start.elapsed().as_secs_f64()
}

async fn tasks(r: &aio::Redis) -> f64 {
    let start = Instant::now();
    let handles: Vec<_> = (0..TASKS)
        .map(|t| {
            let r = r.clone();
            tokio::spawn(async move {
                for i in 0..PER_TASK {
                    let v: Option<bytes::Bytes> =
                        r.get(format!("bench:{}", (t + i) % KEYS)).await.unwrap();
                    assert!(v.is_some());
                }
            })
        })
        .collect();
    for h in handles {
        h.await.unwrap();
    }
    (TASKS * PER_TASK) as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("a number of requests"))
        .unwrap_or(100_000);
    let server = RedisServer::new();
    let url = format!("{}?protocol=3", server.url());
    let plain = Redis::from_url(&url).unwrap();
    for k in 0..KEYS {
        plain.set(format!("bench:{k}"), "x".repeat(16)).unwrap();
    }
    let cached = Redis::builder()
        .url(&url)
        .unwrap()
        .cache_config(CacheConfig::default())
        .build();
    let (mut seq_plain, mut seq_cached) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        seq_plain.push(sequential(&plain, n));
        seq_cached.push(sequential(&cached, n));
    }

    let rt = tokio::runtime::Runtime::new().unwrap();
    let (mut par_plain, mut par_cached) = (Vec::new(), Vec::new());
    rt.block_on(async {
        let plain = aio::Redis::from_url(&url).unwrap();
        let cached = aio::Redis::builder()
            .url(&url)
            .unwrap()
            .cache_config(CacheConfig::default())
            .build_async();
        for _ in 0..RUNS {
            par_plain.push(tasks(&plain).await);
            par_cached.push(tasks(&cached).await);
        }
        let s = cached.cache().unwrap().stats();
        println!("async cache: {s:?}");
    });
    let s = cached.cache().unwrap().stats();
    println!("blocking cache: {s:?}");

    let rows = [
        (
            "blocking sequential GET",
            median(seq_plain),
            median(seq_cached),
        ),
        (
            "async 1000 tasks x 100 GET",
            median(par_plain),
            median(par_cached),
        ),
    ];
    println!("\n| row | uncached GET/s | cached GET/s | cached / uncached |\n|---|---:|---:|---:|");
    for (name, plain, cached) in rows {
        println!(
            "| {name} | {plain:.0} | {cached:.0} | {:.1}x |",
            cached / plain
        );
    }
}
