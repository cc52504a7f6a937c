//! What TLS costs, next to a plain connection to the same server in the same run.
//!
//! Starts one throwaway redis-server listening both plain and TLS (certificates made here), then
//! per round and per transport (plain, TLS; the order alternates between rounds) times, for the
//! blocking and the async client:
//! - `get`: `n` sequential `GET k` round trips (default 5,000), as operations per second;
//! - `pipe`: one pipeline of 10,000 `SET`s, in milliseconds.
//!
//! The figures are medians over the rounds (default 7), with the TLS/plain ratio.
//!
//! `cargo run --release -p oxredis --example tls_bench [n] [rounds]`
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use oxredis::Redis;
use oxredis_test_support::{RedisServer, TlsAuthClients};

/// The middle value (upper middle for an even count).
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// One pipeline of 10,000 SETs of fresh keys.
const PIPE: usize = 10_000;

fn blocking_round(r: &Redis, n: usize, round: usize) -> (f64, f64) {
    let t = Instant::now();
    for _ in 0..n {
        let _: Option<Vec<u8>> = r.get("k").unwrap();
    }
    let get = n as f64 / t.elapsed().as_secs_f64();
    let mut p = r.pipeline(false);
    for i in 0..PIPE {
        p.set(format!("p:{round}:{i}"), "value-0123456789");
    }
    let t = Instant::now();
    let replies = p.execute().unwrap();
    let pipe = t.elapsed().as_secs_f64() * 1e3;
    assert_eq!(replies.len(), PIPE);
    (get, pipe)
}

async fn async_round(r: &oxredis::aio::Redis, n: usize, round: usize) -> (f64, f64) {
    let t = Instant::now();
    for _ in 0..n {
        let _: Option<Vec<u8>> = r.get("k").await.unwrap();
    }
    let get = n as f64 / t.elapsed().as_secs_f64();
    let mut p = r.pipeline(false);
    for i in 0..PIPE {
        p.set(format!("q:{round}:{i}"), "value-0123456789");
    }
    let t = Instant::now();
    let replies = p.execute().await.unwrap();
    let pipe = t.elapsed().as_secs_f64() * 1e3;
    assert_eq!(replies.len(), PIPE);
    (get, pipe)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(5_000, |a| a.parse().unwrap());
    let rounds: usize = args.next().map_or(7, |a| a.parse().unwrap());
    let server = RedisServer::builder().tls(TlsAuthClients::No).start();
    let ca = server.tls_files().unwrap().ca_cert.clone();
    let plain = Redis::builder().url(&server.url()).unwrap();
    let tls = Redis::builder()
        .url(&server.tls_url().unwrap())
        .unwrap()
        .tls_ca_file(&ca);
    let builders = [("plain", plain), ("tls", tls)];
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // [transport][client: blocking, async][metric: get, pipe] -> samples
    let mut samples = vec![vec![vec![Vec::new(), Vec::new()]; 2]; 2];
    let clients: Vec<(Redis, oxredis::aio::Redis)> = builders
        .iter()
        .map(|(_, b)| (b.clone().build(), b.clone().build_async()))
        .collect();
    for (b, a) in &clients {
        b.set("k", "v".repeat(100)).unwrap();
        blocking_round(b, n / 10, 0);
        rt.block_on(async_round(a, n / 10, 0));
    }
    for round in 1..=rounds {
        let order: [usize; 2] = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for t in order {
            let (b, a) = &clients[t];
            let (get, pipe) = blocking_round(b, n, round);
            samples[t][0][0].push(get);
            samples[t][0][1].push(pipe);
            let (get, pipe) = rt.block_on(async_round(a, n, round));
            samples[t][1][0].push(get);
            samples[t][1][1].push(pipe);
        }
        server.cli(&["FLUSHALL"]);
        clients[0].0.set("k", "v".repeat(100)).unwrap();
    }
    println!(
        "TLS vs plain, same server, same run: {rounds} rounds, medians; GET n = {n}, value 100 B"
    );
    println!(
        "{:<9} {:>14} {:>14} {:>7} {:>16} {:>16} {:>7}",
        "client",
        "plain GET/s",
        "TLS GET/s",
        "ratio",
        "plain 10k-SET ms",
        "TLS 10k-SET ms",
        "ratio"
    );
    for (c, name) in ["blocking", "async"].iter().enumerate() {
        let pg = median(samples[0][c][0].clone());
        let tg = median(samples[1][c][0].clone());
        let pp = median(samples[0][c][1].clone());
        let tp = median(samples[1][c][1].clone());
        println!(
            "{name:<9} {pg:>14.0} {tg:>14.0} {:>7.2} {pp:>16.1} {tp:>16.1} {:>7.2}",
            tg / pg,
            tp / pp
        );
    }
    let names: Vec<&str> = builders.iter().map(|(n, _)| *n).collect();
    println!("transports: {names:?}; load average: {}", loadavg());
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}
