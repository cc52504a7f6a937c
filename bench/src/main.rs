//! oxredis against the `redis` (redis-rs) and `fred` crates, on one local redis-server that this
//! program starts itself. Run with `cargo run --release -p oxredis-bench -- --help`; see
//! bench/README.md.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cli;
mod cluster;
mod instructions;
mod raw;
mod sys;

use std::fmt::Write as _;
use std::future::Future;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use oxredis_test_support::RedisServer;

use cli::{Mode, Opts};
use sys::RedisBenchmark;

/// The key every GET figure reads.
pub(crate) const KEY: &str = "k";
/// Its value (10 bytes).
pub(crate) const VALUE: &str = "value-of-k";
/// The key redis-benchmark's GET and SET tests use (without `-r`).
const RB_KEY: &str = "key:__rand_int__";

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

/// The redis-benchmark ceiling of a figure as a sampler (`None` with `--no-ceiling`).
fn ceiling_sampler<'a>(o: &Opts, rb: RedisBenchmark) -> (Option<Sampler<'a>>, Option<String>) {
    if !o.ceiling {
        return (None, None);
    }
    let cmd = rb.describe();
    let s = sampler(move || {
        let rps = rb.run();
        (rb.n, Duration::from_secs_f64(rb.n as f64 / rps))
    });
    (Some(s), Some(cmd))
}

/// The zero-parse ceiling ([`raw`]) of a figure as a sampler (`None` with `--no-ceiling`):
/// `rounds` round trips per sample, as the clients do; `prepare` gives the request, the reply's
/// length and how many operations it holds; `after` runs untimed after each round trip (e.g.
/// deleting the keys a pipeline wrote).
fn raw_ceiling<'a>(
    o: &Opts,
    port: u16,
    rounds: usize,
    prepare: impl FnOnce() -> (Vec<u8>, usize, usize),
    after: &'a dyn Fn(),
) -> (Option<Sampler<'a>>, Option<String>) {
    if !o.ceiling {
        return (None, None);
    }
    let (request, reply_len, ops) = prepare();
    let mut client = raw::RawClient::connect(port);
    let s = sampler(move || {
        let mut took = Duration::ZERO;
        for _ in 0..rounds {
            let t = Instant::now();
            client.round_trip(&request, reply_len);
            took += t.elapsed();
            after();
        }
        (rounds * ops, took)
    });
    (Some(s), Some(raw::DESCRIPTION.to_string()))
}

struct Row<T> {
    name: &'static str,
    ox: Option<T>,
    redis: Option<T>,
    fred: Option<T>,
    /// redis-benchmark against the same server, same placement: the physical limit.
    ceiling: Option<T>,
    ceiling_cmd: Option<String>,
    note: &'static str,
}

/// Measures a figure: one warm-up run per participant (the clients and the redis-benchmark
/// ceiling), then `runs` rounds in which they take turns, so a change in machine load hits them
/// alike. The order rotates each round (ox, redis, fred; redis, fred, ox; fred, ox, redis; ...)
/// so no participant always runs first or last. Reports each participant's median.
fn race(runs: usize, row: Row<Sampler<'_>>) -> Row<f64> {
    let t0 = Instant::now();
    let mut slots = [row.ox, row.redis, row.fred, row.ceiling];
    let present: Vec<usize> = (0..slots.len()).filter(|&i| slots[i].is_some()).collect();
    for &i in &present {
        if let Some(f) = &mut slots[i] {
            let _ = f();
        }
    }
    let mut samples: [Vec<f64>; 4] = Default::default();
    for r in 0..runs {
        for k in 0..present.len() {
            let i = present[(r + k) % present.len()];
            if let Some(f) = &mut slots[i] {
                let (ops, took) = f();
                samples[i].push(rate(ops, took));
            }
        }
    }
    eprintln!("{}: {:.1} s", row.name, t0.elapsed().as_secs_f64());
    let [ox, redis, fred, ceiling] = samples.map(|v| (!v.is_empty()).then(|| median(v)));
    Row {
        name: row.name,
        ox,
        redis,
        fred,
        ceiling,
        ceiling_cmd: row.ceiling_cmd,
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

/// `n` sequential GETs of [`KEY`] with the blocking oxredis client (figure (1), `--instructions`).
pub(crate) fn ox_get_loop(ox: &oxredis::Redis, n: usize) {
    for _ in 0..n {
        let v: Option<Vec<u8>> = ox.get(KEY).unwrap();
        assert!(v.is_some());
    }
}

/// `n` sequential GETs of [`KEY`] with a redis-rs connection (figure (1), `--instructions`).
pub(crate) fn redis_get_loop(conn: &mut redis::Connection, n: usize) {
    for _ in 0..n {
        let v: Option<Vec<u8>> = redis::cmd("GET").arg(KEY).query(conn).unwrap();
        assert!(v.is_some());
    }
}

/// The server's version from `INFO server`.
pub(crate) fn server_version(server: &RedisServer) -> String {
    server
        .cli(&["INFO", "server"])
        .lines()
        .find_map(|l| l.strip_prefix("redis_version:"))
        .unwrap_or("?")
        .trim()
        .to_string()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let o = match cli::parse(&args) {
        Ok(Some(o)) => o,
        Ok(None) => {
            print!("{}", cli::HELP);
            return;
        }
        Err(e) => {
            eprintln!("oxredis-bench: {e}\n(see --help)");
            std::process::exit(2);
        }
    };
    match &o.mode {
        Mode::Loop {
            case,
            client,
            n,
            url,
        } => instructions::run_loop(case, client, *n, url),
        Mode::Instructions {
            cases,
            small,
            large,
        } => instructions::run(cases, *small, *large),
        Mode::Figures => figures(&o),
        Mode::Cluster => cluster::figures(&o),
    }
}

/// Starts the server, applies `--pin`, runs the selected figures and prints the report.
fn figures(o: &Opts) {
    let date = sys::date_utc();
    let load_start = sys::loadavg();
    let server = RedisServer::new();
    let server_pid = server.pid().expect("server pid");
    let me = std::process::id();
    let (server_cpu, client_cpu) = o.pin.cpus();
    let server_cpu = o.server_cpu.as_deref().or(server_cpu);
    // Pin before the tokio runtime starts its workers (they would inherit the mask anyway).
    for (pid, cpu) in [(server_pid, server_cpu), (me, client_cpu)] {
        if let Some(cpu) = cpu {
            if let Err(e) = sys::pin(pid, cpu) {
                eprintln!("oxredis-bench: {e}");
                std::process::exit(1);
            }
        }
    }
    let placement = format!(
        "--pin {}: server pid {server_pid} on CPUs {}, client pid {me} on CPUs {} \
         (redis-benchmark inherits the client's); online CPUs {}",
        o.pin,
        sys::cpus_allowed(server_pid),
        sys::cpus_allowed(me),
        sys::online_cpus(),
    );
    eprintln!("{placement}");

    let url = server.url();
    let port = server.port();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let workers = rt.metrics().num_workers();

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

    let _: bool = ox.set(KEY, VALUE).unwrap();
    // redis-benchmark's GET reads this key: the same 10-byte value as ours.
    let _: bool = ox.set(RB_KEY, VALUE).unwrap();
    let mut rows = Vec::new();
    let items: Vec<String> = (0..10_000).map(|i| format!("item-{i:05}")).collect();
    let runs = o.runs;

    if o.want(1) {
        // (1) Blocking, sequential, one connection.
        let n = o.scaled(20_000);
        let get_ox = o.on("ox").then(|| {
            sampler(|| {
                let t = Instant::now();
                ox_get_loop(&ox, n);
                (n, t.elapsed())
            })
        });
        let get_redis = o.on("redis").then(|| {
            sampler(|| {
                let t = Instant::now();
                redis_get_loop(&mut rconn, n);
                (n, t.elapsed())
            })
        });
        let (ceiling, ceiling_cmd) = ceiling_sampler(
            o,
            RedisBenchmark {
                port,
                clients: 1,
                pipeline: 1,
                n,
                test: "get",
            },
        );
        rows.push(race(
            runs,
            Row {
                name: "(1) blocking sequential GET",
                ox: get_ox,
                redis: get_redis,
                fred: None,
                ceiling,
                ceiling_cmd,
                note: "fred has no sync API",
            },
        ));
        let set_ox = o.on("ox").then(|| {
            sampler(|| {
                let t = Instant::now();
                for i in 0..n {
                    let _: bool = ox.set("s", i).unwrap();
                }
                (n, t.elapsed())
            })
        });
        let set_redis = o.on("redis").then(|| {
            sampler(|| {
                let t = Instant::now();
                for i in 0..n {
                    let () = redis::cmd("SET").arg("s").arg(i).query(&mut rconn).unwrap();
                }
                (n, t.elapsed())
            })
        });
        let (ceiling, ceiling_cmd) = ceiling_sampler(
            o,
            RedisBenchmark {
                port,
                clients: 1,
                pipeline: 1,
                n,
                test: "set",
            },
        );
        rows.push(race(
            runs,
            Row {
                name: "(1) blocking sequential SET",
                ox: set_ox,
                redis: set_redis,
                fred: None,
                ceiling,
                ceiling_cmd,
                note: "fred has no sync API; every client overwrites one key",
            },
        ));
    }

    if o.want(2) {
        // (2) One pipeline of 10,000 SETs to 10,000 distinct keys that do not exist yet; every
        // client keeps the replies. After each pipeline (untimed) the keys are deleted again, so
        // every pipeline of every client inserts into the same keyspace. A ballast of 20,000
        // keys keeps the keyspace's hash table at one size (32768 buckets: no growth while the
        // 10,000 are inserted, no shrinking after they are deleted).
        let p = 10_000;
        let pkeys: Vec<String> = (0..p).map(|i| format!("pipe:{i:05}")).collect();
        let ballast: Vec<String> = (0..20_000).map(|i| format!("ballast:{i:05}")).collect();
        let mut bp = ox.pipeline(false);
        for k in &ballast {
            bp.set(k.as_str(), 0);
        }
        assert_eq!(bp.execute().unwrap().len(), ballast.len());
        // Deletes the keys one pipeline wrote; they must all have been new.
        let clear = || {
            let deleted: i64 = ox.delete(&pkeys).unwrap();
            assert_eq!(
                deleted, p as i64,
                "a pipeline did not write {p} distinct keys"
            );
        };
        let pipe_ox = o.on("ox").then(|| {
            sampler(|| {
                let t = Instant::now();
                let mut pipe = ox.pipeline(false);
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
                let mut pipe = redis::pipe();
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
        let (pipe_ceiling, pipe_ceiling_cmd) = raw_ceiling(
            o,
            port,
            1,
            || {
                let mut request = Vec::new();
                for (i, k) in pkeys.iter().enumerate() {
                    raw::encode(
                        &mut request,
                        &[b"SET", k.as_bytes(), i.to_string().as_bytes()],
                    );
                }
                (request, b"+OK\r\n".len() * p, p)
            },
            &clear,
        );
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
                name: "(2) pipeline of 10k SETs (cmds/s)",
                ox: pipe_ox,
                redis: pipe_redis,
                fred: pipe_fred,
                ceiling: pipe_ceiling,
                ceiling_cmd: pipe_ceiling_cmd,
                note: "10k distinct new keys, replies kept by all; ox/redis blocking, fred async",
            },
        ));
        let _: i64 = ox.delete(&ballast).unwrap();
    }

    if o.want(3) {
        // (3) LRANGE of a 10,000-element list.
        let _: i64 = ox.delete(["list"]).unwrap();
        let _: i64 = ox.rpush("list", &items).unwrap();
        let l = o.scaled(200);
        let lr_ox = o.on("ox").then(|| {
            sampler(|| {
                let t = Instant::now();
                for _ in 0..l {
                    let v: Vec<Vec<u8>> = ox.lrange("list", 0, -1).unwrap();
                    assert_eq!(v.len(), 10_000);
                }
                (l, t.elapsed())
            })
        });
        let lr_redis = o.on("redis").then(|| {
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
        let lr_fred = o.on("fred").then(|| {
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
        let (lr_ceiling, lr_ceiling_cmd) = raw_ceiling(
            o,
            port,
            l,
            || {
                let mut request = Vec::new();
                raw::encode(&mut request, &[b"LRANGE", b"list", b"0", b"-1"]);
                (request, raw::array_reply_len(&items), 1)
            },
            &|| (),
        );
        rows.push(race(
            runs,
            Row {
                name: "(3) LRANGE 10k elements (calls/s)",
                ox: lr_ox,
                redis: lr_redis,
                fred: lr_fred,
                ceiling: lr_ceiling,
                ceiling_cmd: lr_ceiling_cmd,
                note: "as Vec<Vec<u8>>; ox/redis blocking, fred async",
            },
        ));
    }

    if o.want(4) {
        // (4) 1,000 concurrent tasks x 100 GETs on one client.
        let (tasks, per) = (1000, o.scaled(100));
        let conc_ox = o.on("ox").then(|| {
            sampler_async(&rt, || {
                let c = ox_async.clone();
                async move {
                    let t = Instant::now();
                    let hs: Vec<_> = (0..tasks)
                        .map(|_| {
                            let c = c.clone();
                            tokio::spawn(async move {
                                for _ in 0..per {
                                    let v: Option<Vec<u8>> = c.get(KEY).await.unwrap();
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
        let conc_redis = o.on("redis").then(|| {
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
                    (tasks * per, t.elapsed())
                }
            })
        });
        let conc_fred = o.on("fred").then(|| {
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
                                    let v: Option<Vec<u8>> = c.get(KEY).await.unwrap();
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
        let (ceiling, ceiling_cmd) = ceiling_sampler(
            o,
            RedisBenchmark {
                port,
                clients: 50,
                pipeline: 16,
                n: o.scaled(2_000_000),
                test: "get",
            },
        );
        rows.push(race(
            runs,
            Row {
                name: "(4) async 1000 tasks x 100 GET",
                ox: conc_ox,
                redis: conc_redis,
                fred: conc_fred,
                ceiling,
                ceiling_cmd,
                note: "one client / multiplexed connection each",
            },
        ));
    }

    if o.want(5) {
        // (5) 50 tasks of sequential INCR.
        let (tasks5, per5) = (50, o.scaled(1000));
        let incr_ox = o.on("ox").then(|| {
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
        let incr_redis = o.on("redis").then(|| {
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
        let incr_fred = o.on("fred").then(|| {
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
        rows.push(race(
            runs,
            Row {
                name: "(5) async 50 tasks x sequential INCR",
                ox: incr_ox,
                redis: incr_redis,
                fred: incr_fred,
                ceiling: None,
                ceiling_cmd: None,
                note: "",
            },
        ));
    }

    if o.want(7) {
        // (7) Latency: one task, sequential GETs on the async clients.
        let n7 = o.scaled(20_000);
        let seq_ox = o.on("ox").then(|| {
            sampler_async(&rt, || {
                let c = ox_async.clone();
                async move {
                    let t = Instant::now();
                    for _ in 0..n7 {
                        let v: Option<Vec<u8>> = c.get(KEY).await.unwrap();
                        assert!(v.is_some());
                    }
                    (n7, t.elapsed())
                }
            })
        });
        let seq_redis = o.on("redis").then(|| {
            sampler_async(&rt, || {
                let mut c = rmux.clone();
                async move {
                    let t = Instant::now();
                    for _ in 0..n7 {
                        let v: Option<Vec<u8>> = redis::cmd("GET")
                            .arg(KEY)
                            .query_async(&mut c)
                            .await
                            .unwrap();
                        assert!(v.is_some());
                    }
                    (n7, t.elapsed())
                }
            })
        });
        let seq_fred = o.on("fred").then(|| {
            sampler_async(&rt, || {
                let c = fred.clone();
                async move {
                    use fred::prelude::*;
                    let t = Instant::now();
                    for _ in 0..n7 {
                        let v: Option<Vec<u8>> = c.get(KEY).await.unwrap();
                        assert!(v.is_some());
                    }
                    (n7, t.elapsed())
                }
            })
        });
        let (ceiling, ceiling_cmd) = ceiling_sampler(
            o,
            RedisBenchmark {
                port,
                clients: 1,
                pipeline: 1,
                n: n7,
                test: "get",
            },
        );
        rows.push(race(
            runs,
            Row {
                name: "(7) async 1 task sequential GET (extra)",
                ox: seq_ox,
                redis: seq_redis,
                fred: seq_fred,
                ceiling,
                ceiling_cmd,
                note: "latency-bound; not a target row",
            },
        ));
    }

    if o.want(6) {
        // (6) Decode only: a 10,000-element array reply from memory.
        let mut wire = Vec::new();
        wire.extend_from_slice(b"*10000\r\n");
        for it in &items {
            wire.extend_from_slice(format!("${}\r\n{it}\r\n", it.len()).as_bytes());
        }
        let d = o.scaled(500);
        let dec_ox = o.on("ox").then(|| {
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
        let dec_redis = o.on("redis").then(|| {
            sampler(|| {
                let t = Instant::now();
                for _ in 0..d {
                    let v = redis::parse_redis_value(&wire).unwrap();
                    assert!(matches!(v, redis::Value::Array(ref a) if a.len() == 10_000));
                }
                (d, t.elapsed())
            })
        });
        let dec_proto = o.on("fred").then(|| {
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
        rows.push(race(runs, Row {
        name: "(6) decode 10k-element array (frames/s)",
        ox: dec_ox,
        redis: dec_redis,
        fred: dec_proto,
        ceiling: None,
        ceiling_cmd: None,
        note:
            "fred column: redis-protocol decode_bytes_mut; ox and fred copy into a BytesMut first",
    }));
    }

    let load_end = sys::loadavg();
    let mut out = String::new();
    let _ = writeln!(out, "# oxredis-bench, {date}\n");
    let _ = writeln!(out, "- placement: {placement}; tokio workers: {workers}");
    let _ = writeln!(
        out,
        "- load average (1/5/15 min): at start {load_start}, at end {load_end}"
    );
    let _ = writeln!(
        out,
        "- peers: redis {}, fred {}, redis-protocol {} (tokio {}); server redis-server {}; \
         redis-benchmark {}",
        env!("PEER_REDIS"),
        env!("PEER_FRED"),
        env!("PEER_REDIS_PROTOCOL"),
        env!("PEER_TOKIO"),
        server_version(&server),
        sys::redis_benchmark_version(),
    );
    let _ = writeln!(
        out,
        "- ops/s, median of {runs} runs after one warm-up run each; the order of the clients \
         (and of the redis-benchmark ceiling) rotates each run; scale {}\n",
        o.scale
    );
    let _ = writeln!(
        out,
        "| figure | oxredis | redis-rs | fred | ox/redis | ox/fred | ceiling | ox/ceiling | note |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---|"
    );
    for r in &rows {
        let (ceil, frac) = match r.ceiling {
            Some(_) => (fmt_rate(r.ceiling), fmt_ratio(r.ox, r.ceiling)),
            None => (String::new(), String::new()),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.name,
            fmt_rate(r.ox),
            fmt_rate(r.redis),
            fmt_rate(r.fred),
            fmt_ratio(r.ox, r.redis),
            fmt_ratio(r.ox, r.fred),
            ceil,
            frac,
            r.note
        );
    }
    let ceilings: Vec<String> = rows
        .iter()
        .filter_map(|r| Some(format!("{}: `{}`", r.name, r.ceiling_cmd.as_ref()?)))
        .collect();
    if !ceilings.is_empty() {
        let _ = writeln!(
            out,
            "\nceiling = redis-benchmark, or for (2) and (3) a zero-parse client, against the same \
             server in the same run, same placement as the client (the physical limit of the \
             server and the loopback); ox/ceiling = oxredis's fraction of it:"
        );
        for c in ceilings {
            let _ = writeln!(out, "- {c}");
        }
    }
    print!("{out}");
    drop(fred);
}
