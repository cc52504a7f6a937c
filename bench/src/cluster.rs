//! `--cluster`: the cluster figures, on a 6-node Redis Cluster (3 primaries + 3 replicas,
//! `oxredis_test_support::ClusterServers`) that the program starts itself.
//!
//! - (c1) one cluster pipeline of 10,000 SETs to 10,000 distinct new keys spread over the three
//!   primaries, every reply kept: oxredis's blocking `ClusterPipeline`, redis-rs's sync
//!   `cluster_pipe()` on a `ClusterConnection`, fred's clustered client's `pipeline().all()`.
//!   After each pipeline (untimed) the keys are deleted again with one cluster pipeline of DELs,
//!   which must report 10,000 deletions.
//! - (c2) async, 1,000 tasks x 100 GET of random existing keys (30,000 keys written first, the
//!   same pseudo-random sequence for every client): oxredis's `aio::RedisCluster`, redis-rs's
//!   async `cluster_async::ClusterConnection`, fred's clustered client.
//!
//! Clients take turns as in the single-server figures (`race`: one warm-up run each, then
//! `--runs` rounds in rotating order). No redis-benchmark ceiling here.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

use oxredis_test_support::ClusterServers;

use super::{fmt_rate, fmt_ratio, race, sampler, sampler_async, Row, VALUE};
use crate::cli::{Opts, Pin};
use crate::sys;

/// Keys written before the figures: the GETs of (c2) read them, and in (c1) they keep each
/// node's keyspace at one hash table size (about 10,000 keys a node: 16384 buckets, no growth
/// while a pipeline adds its ~3,333 keys a node, no shrinking after they are deleted).
const BALLAST: usize = 30_000;

/// splitmix64: a small, fast pseudo-random sequence, the same for every client.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Runs the cluster figures and prints the report.
pub(crate) fn figures(o: &Opts) {
    if o.pin != Pin::None || o.server_cpu.is_some() {
        eprintln!("oxredis-bench: --cluster runs six servers unpinned: use --pin none");
        std::process::exit(2);
    }
    let date = sys::date_utc();
    let load_start = sys::loadavg();
    let t0 = Instant::now();
    let cluster = ClusterServers::start();
    cluster.wait_replicas_known();
    eprintln!(
        "cluster of 6 nodes (ports {:?}) up in {:.1} s",
        cluster.ports(),
        t0.elapsed().as_secs_f64()
    );
    let host = "127.0.0.1";
    let port = cluster.primaries()[0];
    let url = format!("redis://{host}:{port}");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let workers = rt.metrics().num_workers();

    let ox = oxredis::blocking::RedisCluster::from_url(&url).unwrap();
    let ox_async = oxredis::aio::RedisCluster::from_url(&url).unwrap();
    let rclient = redis::cluster::ClusterClient::new(vec![url.as_str()]).unwrap();
    let mut rconn = rclient.get_connection().unwrap();
    let rasync = rt.block_on(rclient.get_async_connection()).unwrap();
    let fred = rt.block_on(async {
        use fred::prelude::*;
        let config = Config {
            server: ServerConfig::new_clustered(vec![(host, port)]),
            ..Config::default()
        };
        let client = Builder::from_config(config).build().unwrap();
        client.init().await.unwrap();
        client
    });

    // The ballast / GET keys, over every slot's primary.
    let keys: Arc<Vec<String>> = Arc::new((0..BALLAST).map(|i| format!("ck:{i:05}")).collect());
    let mut bp = ox.pipeline();
    for k in keys.iter() {
        bp.set(k.as_str(), VALUE);
    }
    assert_eq!(bp.execute().unwrap().len(), BALLAST);
    let runs = o.runs;
    let mut rows = Vec::new();

    if o.want(1) {
        let p = 10_000;
        let pkeys: Vec<String> = (0..p).map(|i| format!("cpipe:{i:05}")).collect();
        let mut per_node = std::collections::BTreeMap::<u16, usize>::new();
        for k in &pkeys {
            *per_node
                .entry(ox.get_node_from_key(k).unwrap().port)
                .or_default() += 1;
        }
        assert_eq!(per_node.len(), 3, "the keys must cover the three primaries");
        eprintln!("(c1) keys per primary: {per_node:?}");
        // Deletes the keys one pipeline wrote (one cluster pipeline of DELs); they must all
        // have been new.
        let clear = || {
            let mut dp = ox.pipeline();
            for k in &pkeys {
                dp.delete([k.as_str()]);
            }
            let deleted: i64 = dp
                .execute()
                .unwrap()
                .iter()
                .map(|v| match v {
                    oxredis::Value::Int(n) => *n,
                    other => panic!("DEL replied {other:?}"),
                })
                .sum();
            assert_eq!(
                deleted, p as i64,
                "a pipeline did not write {p} distinct keys"
            );
        };
        let pipe_ox = o.on("ox").then(|| {
            sampler(|| {
                let t = Instant::now();
                let mut pipe = ox.pipeline();
                for (i, k) in pkeys.iter().enumerate() {
                    pipe.set(k.as_str(), i);
                }
                let replies = pipe.execute().unwrap();
                let took = t.elapsed();
                assert_eq!(replies.len(), p);
                clear();
                (p, took)
            })
        });
        let pipe_redis = o.on("redis").then(|| {
            sampler(|| {
                let t = Instant::now();
                let mut pipe = redis::cluster::cluster_pipe();
                for (i, k) in pkeys.iter().enumerate() {
                    pipe.cmd("SET").arg(k).arg(i);
                }
                let replies: Vec<redis::Value> = pipe.query(&mut rconn).unwrap();
                let took = t.elapsed();
                assert_eq!(replies.len(), p);
                assert!(replies.iter().all(|v| *v == redis::Value::Okay));
                clear();
                (p, took)
            })
        });
        let pipe_fred = o.on("fred").then(|| {
            sampler_async(&rt, || async {
                use fred::prelude::*;
                let t = Instant::now();
                let pipe = fred.pipeline();
                for (i, k) in pkeys.iter().enumerate() {
                    let () = pipe
                        .set(k.as_str(), i as i64, None, None, false)
                        .await
                        .unwrap();
                }
                let replies: Vec<fred::types::Value> = pipe.all().await.unwrap();
                let took = t.elapsed();
                assert_eq!(replies.len(), p);
                clear();
                (p, took)
            })
        });
        rows.push(race(
            runs,
            Row {
                name: "(c1) cluster pipeline of 10k SETs (cmds/s)",
                ox: pipe_ox,
                redis: pipe_redis,
                fred: pipe_fred,
                ceiling: None,
                ceiling_cmd: None,
                note: "10k distinct new keys over 3 primaries, replies kept; ox/redis blocking, \
                       fred async",
            },
        ));
    }

    if o.want(2) {
        let (tasks, per) = (1000_u64, o.scaled(100));
        let conc_ox = o.on("ox").then(|| {
            sampler_async(&rt, || {
                let (c, keys) = (ox_async.clone(), keys.clone());
                async move {
                    let t = Instant::now();
                    let hs: Vec<_> = (0..tasks)
                        .map(|task| {
                            let (c, keys) = (c.clone(), keys.clone());
                            tokio::spawn(async move {
                                let mut seed = task;
                                for _ in 0..per {
                                    let k = &keys[(next(&mut seed) % BALLAST as u64) as usize];
                                    let v: Option<Vec<u8>> = c.get(k.as_str()).await.unwrap();
                                    assert!(v.is_some());
                                }
                            })
                        })
                        .collect();
                    for h in hs {
                        h.await.unwrap();
                    }
                    (tasks as usize * per, t.elapsed())
                }
            })
        });
        let conc_redis = o.on("redis").then(|| {
            sampler_async(&rt, || {
                let (c, keys) = (rasync.clone(), keys.clone());
                async move {
                    let t = Instant::now();
                    let hs: Vec<_> = (0..tasks)
                        .map(|task| {
                            let (mut c, keys) = (c.clone(), keys.clone());
                            tokio::spawn(async move {
                                let mut seed = task;
                                for _ in 0..per {
                                    let k = &keys[(next(&mut seed) % BALLAST as u64) as usize];
                                    let v: Option<Vec<u8>> =
                                        redis::cmd("GET").arg(k).query_async(&mut c).await.unwrap();
                                    assert!(v.is_some());
                                }
                            })
                        })
                        .collect();
                    for h in hs {
                        h.await.unwrap();
                    }
                    (tasks as usize * per, t.elapsed())
                }
            })
        });
        let conc_fred = o.on("fred").then(|| {
            sampler_async(&rt, || {
                let (c, keys) = (fred.clone(), keys.clone());
                async move {
                    use fred::prelude::*;
                    let t = Instant::now();
                    let hs: Vec<_> = (0..tasks)
                        .map(|task| {
                            let (c, keys) = (c.clone(), keys.clone());
                            tokio::spawn(async move {
                                let mut seed = task;
                                for _ in 0..per {
                                    let k = &keys[(next(&mut seed) % BALLAST as u64) as usize];
                                    let v: Option<Vec<u8>> = c.get(k.as_str()).await.unwrap();
                                    assert!(v.is_some());
                                }
                            })
                        })
                        .collect();
                    for h in hs {
                        h.await.unwrap();
                    }
                    (tasks as usize * per, t.elapsed())
                }
            })
        });
        rows.push(race(
            runs,
            Row {
                name: "(c2) async 1000 tasks x 100 GET, random keys",
                ox: conc_ox,
                redis: conc_redis,
                fred: conc_fred,
                ceiling: None,
                ceiling_cmd: None,
                note: "one cluster client each (a multiplexed connection per node); \
                       30k existing keys",
            },
        ));
    }

    let load_end = sys::loadavg();
    let version = cluster
        .cli(0, &["INFO", "server"])
        .to_text()
        .lines()
        .find_map(|l| l.strip_prefix("redis_version:"))
        .unwrap_or("?")
        .trim()
        .to_string();
    let mut out = String::new();
    let _ = writeln!(out, "# oxredis-bench --cluster, {date}\n");
    let _ = writeln!(
        out,
        "- cluster: 6 redis-server nodes (3 primaries + 3 replicas) on 127.0.0.1, started by \
         the program; --pin none (client pid {} on CPUs {}, online CPUs {}); tokio workers: \
         {workers}",
        std::process::id(),
        sys::cpus_allowed(std::process::id()),
        sys::online_cpus(),
    );
    let _ = writeln!(
        out,
        "- load average (1/5/15 min): at start {load_start}, at end {load_end}"
    );
    let _ = writeln!(
        out,
        "- peers: redis {} (features cluster, cluster-async), fred {} (tokio {}); server \
         redis-server {version}",
        env!("PEER_REDIS"),
        env!("PEER_FRED"),
        env!("PEER_TOKIO"),
    );
    let _ = writeln!(
        out,
        "- ops/s, median of {runs} runs after one warm-up run each; the order of the clients \
         rotates each run; scale {}\n",
        o.scale
    );
    let _ = writeln!(
        out,
        "| figure | oxredis | redis-rs | fred | ox/redis | ox/fred | note |\n\
         |---|---:|---:|---:|---:|---:|---|"
    );
    for r in &rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.name,
            fmt_rate(r.ox),
            fmt_rate(r.redis),
            fmt_rate(r.fred),
            fmt_ratio(r.ox, r.redis),
            fmt_ratio(r.ox, r.fred),
            r.note
        );
    }
    print!("{out}");
    drop(fred);
}
