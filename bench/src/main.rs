//! oxredis against the `redis` (redis-rs) and `fred` crates, on one local redis-server that this
//! program starts itself. Run with `cargo run --release -p oxredis-bench`; see bench/README.md.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::future::Future;
use std::process::Command;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use oxredis_test_support::RedisServer;

/// How many times each figure is measured; the median is reported.
fn runs() -> usize {
    std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5)
}

/// Scales operation counts (e.g. `BENCH_SCALE=0.1` for a quick smoke run).
fn scaled(n: usize) -> usize {
    let s: f64 = std::env::var("BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    ((n as f64 * s) as usize).max(1)
}

/// Ops per second of one run: `ops` operations in `took`.
fn rate(ops: usize, took: Duration) -> f64 {
    ops as f64 / took.as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// One client's measurement of one figure: returns how many ops it ran and how long they took.
type Sampler<'a> = Box<dyn FnMut() -> (usize, Duration) + 'a>;

fn sampler<'a>(f: impl FnMut() -> (usize, Duration) + 'a) -> Sampler<'a> {
    Box::new(f)
}

fn sampler_async<'a, F, Fut>(rt: &'a tokio::runtime::Runtime, mut f: F) -> Sampler<'a>
where
    F: FnMut() -> Fut + 'a,
    Fut: Future<Output = (usize, Duration)>,
{
    Box::new(move || rt.block_on(f()))
}

struct Row<T> {
    name: &'static str,
    ox: Option<T>,
    redis: Option<T>,
    fred: Option<T>,
    note: &'static str,
}

/// Measures a figure: one warm-up run per client, then `runs()` rounds in which the clients
/// take turns, so a change in machine load hits them alike; reports each client's median.
fn race(row: Row<Sampler<'_>>) -> Row<f64> {
    let mut clients = [row.ox, row.redis, row.fred];
    for f in clients.iter_mut().flatten() {
        let _ = f();
    }
    let mut samples: [Vec<f64>; 3] = Default::default();
    for _ in 0..runs() {
        for (i, f) in clients.iter_mut().enumerate() {
            if let Some(f) = f {
                let (ops, took) = f();
                samples[i].push(rate(ops, took));
            }
        }
    }
    let [ox, redis, fred] = samples.map(|v| (!v.is_empty()).then(|| median(v)));
    Row {
        name: row.name,
        ox,
        redis,
        fred,
        note: row.note,
    }
}

fn fmt_rate(v: Option<f64>) -> String {
    match v {
        Some(v) if v >= 1e6 => format!("{:.2} M", v / 1e6),
        Some(v) if v >= 1e4 => format!("{:.0} k", v / 1e3),
        Some(v) => format!("{v:.0}"),
        None => "n/a".into(),
    }
}

fn fmt_ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) => format!("{:.2}x", a / b),
        _ => "n/a".into(),
    }
}

/// Whether client `name` (ox, redis, fred) is selected by `BENCH_CLIENTS`; all by default.
fn on(name: &str) -> bool {
    match std::env::var("BENCH_CLIENTS") {
        Ok(list) => list.split(',').any(|x| x.trim() == name),
        Err(_) => true,
    }
}

/// Whether figure `n` is selected by `BENCH_ONLY` (e.g. `BENCH_ONLY=4,5`); all by default.
fn want(n: u32) -> bool {
    match std::env::var("BENCH_ONLY") {
        Ok(list) => list.split(',').any(|x| x.trim() == n.to_string()),
        Err(_) => true,
    }
}

fn main() {
    let server = RedisServer::new();
    if let Ok(cpu) = std::env::var("BENCH_SERVER_CPU") {
        let pid = server.pid().expect("server pid").to_string();
        let ok = Command::new("taskset")
            .args(["-a", "-cp", &cpu, &pid])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        assert!(ok, "taskset -a -cp {cpu} {pid} failed");
    }
    let url = server.url();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();

    let ox = oxredis::Redis::from_url(&url).unwrap();
    let rclient = redis::Client::open(url.as_str()).unwrap();
    let mut rconn = rclient.get_connection().unwrap();
    let fred = rt.block_on(async {
        use fred::prelude::*;
        let client = Builder::from_config(Config::from_url(&url).unwrap())
            .build()
            .unwrap();
        client.init().await.unwrap();
        client
    });
    let ox_async = oxredis::aio::Redis::from_url(&url).unwrap();
    let rmux = rt
        .block_on(rclient.get_multiplexed_async_connection())
        .unwrap();

    let _: bool = ox.set("k", "value-of-k").unwrap();
    let mut rows = Vec::new();
    let items: Vec<String> = (0..10_000).map(|i| format!("item-{i:05}")).collect();

    if want(1) {
        // (1) Blocking, sequential, one connection.
        let n = scaled(20_000);
        let get_ox = on("ox").then(|| {
            sampler(|| {
                let t = Instant::now();
                for _ in 0..n {
                    let v: Option<Vec<u8>> = ox.get("k").unwrap();
                    assert!(v.is_some());
                }
                (n, t.elapsed())
            })
        });
        let get_redis = on("redis").then(|| {
            sampler(|| {
                let t = Instant::now();
                for _ in 0..n {
                    let v: Option<Vec<u8>> = redis::cmd("GET").arg("k").query(&mut rconn).unwrap();
                    assert!(v.is_some());
                }
                (n, t.elapsed())
            })
        });
        rows.push(race(Row {
            name: "(1) blocking sequential GET",
            ox: get_ox,
            redis: get_redis,
            fred: None,
            note: "fred has no sync API",
        }));
        let set_ox = on("ox").then(|| {
            sampler(|| {
                let t = Instant::now();
                for i in 0..n {
                    let _: bool = ox.set("s", i).unwrap();
                }
                (n, t.elapsed())
            })
        });
        let set_redis = on("redis").then(|| {
            sampler(|| {
                let t = Instant::now();
                for i in 0..n {
                    let () = redis::cmd("SET").arg("s").arg(i).query(&mut rconn).unwrap();
                }
                (n, t.elapsed())
            })
        });
        rows.push(race(Row {
            name: "(1) blocking sequential SET",
            ox: set_ox,
            redis: set_redis,
            fred: None,
            note: "fred has no sync API",
        }));
    }

    if want(2) {
        // (2) One pipeline of 10,000 SETs.
        let p = 10_000;
        let pipe_ox = on("ox").then(|| {
            sampler(|| {
                let t = Instant::now();
                let mut pipe = ox.pipeline(false);
                for i in 0..p {
                    pipe.set("p", i);
                }
                let replies = pipe.execute().unwrap();
                assert_eq!(replies.len(), p);
                (p, t.elapsed())
            })
        });
        let pipe_redis = on("redis").then(|| {
            sampler(|| {
                let t = Instant::now();
                let mut pipe = redis::pipe();
                for i in 0..p {
                    pipe.cmd("SET").arg("p").arg(i).ignore();
                }
                let () = pipe.query(&mut rconn).unwrap();
                (p, t.elapsed())
            })
        });
        let pipe_fred = on("fred").then(|| {
            sampler_async(&rt, || async {
                use fred::prelude::*;
                let t = Instant::now();
                let pipe = fred.pipeline();
                for i in 0..p {
                    let () = pipe.set("p", i as i64, None, None, false).await.unwrap();
                }
                let _: Vec<fred::types::Value> = pipe.all().await.unwrap();
                (p, t.elapsed())
            })
        });
        rows.push(race(Row {
            name: "(2) pipeline of 10k SETs (cmds/s)",
            ox: pipe_ox,
            redis: pipe_redis,
            fred: pipe_fred,
            note: "ox: blocking Pipeline (transaction=false), results kept; redis-rs ignores them; fred async",
        }));
    }

    if want(3) {
        // (3) LRANGE of a 10,000-element list.
        let _: i64 = ox.delete(["list"]).unwrap();
        let _: i64 = ox.rpush("list", &items).unwrap();
        let l = scaled(200);
        let lr_ox = on("ox").then(|| {
            sampler(|| {
                let t = Instant::now();
                for _ in 0..l {
                    let v: Vec<Vec<u8>> = ox.lrange("list", 0, -1).unwrap();
                    assert_eq!(v.len(), 10_000);
                }
                (l, t.elapsed())
            })
        });
        let lr_redis = on("redis").then(|| {
            sampler(|| {
                let t = Instant::now();
                for _ in 0..l {
                    let v: Vec<Vec<u8>> = redis::cmd("LRANGE")
                        .arg("list")
                        .arg(0)
                        .arg(-1)
                        .query(&mut rconn)
                        .unwrap();
                    assert_eq!(v.len(), 10_000);
                }
                (l, t.elapsed())
            })
        });
        let lr_fred = on("fred").then(|| {
            sampler_async(&rt, || async {
                use fred::prelude::*;
                let t = Instant::now();
                for _ in 0..l {
                    let v: Vec<Vec<u8>> = fred.lrange("list", 0, -1).await.unwrap();
                    assert_eq!(v.len(), 10_000);
                }
                (l, t.elapsed())
            })
        });
        rows.push(race(Row {
            name: "(3) LRANGE 10k elements (calls/s)",
            ox: lr_ox,
            redis: lr_redis,
            fred: lr_fred,
            note: "as Vec<Vec<u8>>; ox/redis blocking, fred async",
        }));
    }

    if want(4) {
        // (4) 1,000 concurrent tasks x 100 GETs on one client.
        let (tasks, per) = (1000, scaled(100));
        let conc_ox = on("ox").then(|| {
            sampler_async(&rt, || {
                let c = ox_async.clone();
                async move {
                    let t = Instant::now();
                    let hs: Vec<_> = (0..tasks)
                        .map(|_| {
                            let c = c.clone();
                            tokio::spawn(async move {
                                for _ in 0..per {
                                    let v: Option<Vec<u8>> = c.get("k").await.unwrap();
                                    assert!(v.is_some());
                                }
                            })
                        })
                        .collect();
                    for h in hs {
                        h.await.unwrap();
                    }
                    (tasks * per, t.elapsed())
                }
            })
        });
        let conc_redis = on("redis").then(|| {
            sampler_async(&rt, || {
                let c = rmux.clone();
                async move {
                    let t = Instant::now();
                    let hs: Vec<_> = (0..tasks)
                        .map(|_| {
                            let mut c = c.clone();
                            tokio::spawn(async move {
                                for _ in 0..per {
                                    let v: Option<Vec<u8>> = redis::cmd("GET")
                                        .arg("k")
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
                    (tasks * per, t.elapsed())
                }
            })
        });
        let conc_fred = on("fred").then(|| {
            sampler_async(&rt, || {
                let c = fred.clone();
                async move {
                    use fred::prelude::*;
                    let t = Instant::now();
                    let hs: Vec<_> = (0..tasks)
                        .map(|_| {
                            let c = c.clone();
                            tokio::spawn(async move {
                                for _ in 0..per {
                                    let v: Option<Vec<u8>> = c.get("k").await.unwrap();
                                    assert!(v.is_some());
                                }
                            })
                        })
                        .collect();
                    for h in hs {
                        h.await.unwrap();
                    }
                    (tasks * per, t.elapsed())
                }
            })
        });
        rows.push(race(Row {
            name: "(4) async 1000 tasks x 100 GET",
            ox: conc_ox,
            redis: conc_redis,
            fred: conc_fred,
            note: "one client / multiplexed connection each",
        }));
    }

    if want(5) {
        // (5) 50 tasks of sequential INCR.
        let (tasks5, per5) = (50, scaled(1000));
        let incr_ox = on("ox").then(|| {
            sampler_async(&rt, || {
                let c = ox_async.clone();
                async move {
                    let t = Instant::now();
                    let hs: Vec<_> = (0..tasks5)
                        .map(|i| {
                            let c = c.clone();
                            tokio::spawn(async move {
                                let key = format!("ctr:{i}");
                                for _ in 0..per5 {
                                    let _: i64 = c.incr(&key).await.unwrap();
                                }
                            })
                        })
                        .collect();
                    for h in hs {
                        h.await.unwrap();
                    }
                    (tasks5 * per5, t.elapsed())
                }
            })
        });
        let incr_redis = on("redis").then(|| {
            sampler_async(&rt, || {
                let c = rmux.clone();
                async move {
                    let t = Instant::now();
                    let hs: Vec<_> = (0..tasks5)
                        .map(|i| {
                            let mut c = c.clone();
                            tokio::spawn(async move {
                                let key = format!("ctr:{i}");
                                for _ in 0..per5 {
                                    let _: i64 = redis::cmd("INCR")
                                        .arg(&key)
                                        .query_async(&mut c)
                                        .await
                                        .unwrap();
                                }
                            })
                        })
                        .collect();
                    for h in hs {
                        h.await.unwrap();
                    }
                    (tasks5 * per5, t.elapsed())
                }
            })
        });
        let incr_fred = on("fred").then(|| {
            sampler_async(&rt, || {
                let c = fred.clone();
                async move {
                    use fred::prelude::*;
                    let t = Instant::now();
                    let hs: Vec<_> = (0..tasks5)
                        .map(|i| {
                            let c = c.clone();
                            tokio::spawn(async move {
                                let key = format!("ctr:{i}");
                                for _ in 0..per5 {
                                    let _: i64 = c.incr(&key).await.unwrap();
                                }
                            })
                        })
                        .collect();
                    for h in hs {
                        h.await.unwrap();
                    }
                    (tasks5 * per5, t.elapsed())
                }
            })
        });
        rows.push(race(Row {
            name: "(5) async 50 tasks x sequential INCR",
            ox: incr_ox,
            redis: incr_redis,
            fred: incr_fred,
            note: "",
        }));
    }

    if want(7) {
        // (7) Latency: one task, sequential GETs on the async clients.
        let n7 = scaled(20_000);
        let seq_ox = on("ox").then(|| {
            sampler_async(&rt, || {
                let c = ox_async.clone();
                async move {
                    let t = Instant::now();
                    for _ in 0..n7 {
                        let v: Option<Vec<u8>> = c.get("k").await.unwrap();
                        assert!(v.is_some());
                    }
                    (n7, t.elapsed())
                }
            })
        });
        let seq_redis = on("redis").then(|| {
            sampler_async(&rt, || {
                let mut c = rmux.clone();
                async move {
                    let t = Instant::now();
                    for _ in 0..n7 {
                        let v: Option<Vec<u8>> = redis::cmd("GET")
                            .arg("k")
                            .query_async(&mut c)
                            .await
                            .unwrap();
                        assert!(v.is_some());
                    }
                    (n7, t.elapsed())
                }
            })
        });
        let seq_fred = on("fred").then(|| {
            sampler_async(&rt, || {
                let c = fred.clone();
                async move {
                    use fred::prelude::*;
                    let t = Instant::now();
                    for _ in 0..n7 {
                        let v: Option<Vec<u8>> = c.get("k").await.unwrap();
                        assert!(v.is_some());
                    }
                    (n7, t.elapsed())
                }
            })
        });
        rows.push(race(Row {
            name: "(7) async 1 task sequential GET (extra)",
            ox: seq_ox,
            redis: seq_redis,
            fred: seq_fred,
            note: "latency-bound; not a target row",
        }));
    }

    if want(6) {
        // (6) Decode only: a 10,000-element array reply from memory.
        let mut wire = Vec::new();
        wire.extend_from_slice(b"*10000\r\n");
        for it in &items {
            wire.extend_from_slice(format!("${}\r\n{it}\r\n", it.len()).as_bytes());
        }
        let d = scaled(500);
        let dec_ox = on("ox").then(|| {
            sampler(|| {
                let mut dec = oxredis::resp::Decoder::default();
                let t = Instant::now();
                for _ in 0..d {
                    let mut buf = BytesMut::from(&wire[..]);
                    let v = dec.decode(&mut buf).unwrap().unwrap();
                    assert!(matches!(v, oxredis::Value::Array(ref a) if a.len() == 10_000));
                }
                (d, t.elapsed())
            })
        });
        let dec_redis = on("redis").then(|| {
            sampler(|| {
                let t = Instant::now();
                for _ in 0..d {
                    let v = redis::parse_redis_value(&wire).unwrap();
                    assert!(matches!(v, redis::Value::Array(ref a) if a.len() == 10_000));
                }
                (d, t.elapsed())
            })
        });
        let dec_proto = on("fred").then(|| {
            sampler(|| {
                let t = Instant::now();
                for _ in 0..d {
                    let mut buf = BytesMut::from(&wire[..]);
                    let (frame, _, _) = redis_protocol::resp2::decode::decode_bytes_mut(&mut buf)
                        .unwrap()
                        .unwrap();
                    assert!(matches!(
                        frame,
                        redis_protocol::resp2::types::BytesFrame::Array(ref a) if a.len() == 10_000
                    ));
                }
                (d, t.elapsed())
            })
        });
        rows.push(race(Row {
        name: "(6) decode 10k-element array (frames/s)",
        ox: dec_ox,
        redis: dec_redis,
        fred: dec_proto,
        note:
            "fred column: redis-protocol decode_bytes_mut; ox and fred copy into a BytesMut first",
    }));
    }

    println!(
        "| figure | oxredis | redis-rs | fred | ox/redis | ox/fred | note |\n|---|---:|---:|---:|---:|---:|---|"
    );
    for r in &rows {
        println!(
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
    println!(
        "\nops/s, median of {} runs (after one warm-up run); server redis-server {}",
        runs(),
        server
            .cli(&["INFO", "server"])
            .lines()
            .find_map(|l| l.strip_prefix("redis_version:"))
            .unwrap_or("?")
            .trim()
    );
    drop(fred);
}
