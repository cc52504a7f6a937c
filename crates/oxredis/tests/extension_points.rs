//! redis-py's extension points on both clients: a reply callback per command on one client
//! (`set_response_callback`) and a custom transport (`connection_class`): the client runs over
//! an in-memory duplex, relayed to a real server, or answered by a scripted peer that replays
//! recorded module replies (RedisTimeSeries, whose library cannot load here).
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use bytes::BytesMut;
use common::PROTOCOLS;
use oxredis::modules::timeseries::{DuplicatePolicy, TsAggregation, TsOptions, TsRangeOptions};
use oxredis::transport::{CustomTransport, Transport};
use oxredis::{ErrorKind, Protocol, Redis, Value};
use oxredis_test_support::RedisServer;

// ---------------------------------------------------------------------------------------------
// An in-memory duplex for the blocking client: two byte queues with a condition variable.

#[derive(Default)]
struct Queue {
    bytes: Mutex<(VecDeque<u8>, bool)>,
    ready: Condvar,
}

impl Queue {
    fn push(&self, data: &[u8]) {
        let mut q = self.bytes.lock().unwrap();
        q.0.extend(data);
        self.ready.notify_all();
    }
    fn close(&self) {
        self.bytes.lock().unwrap().1 = true;
        self.ready.notify_all();
    }
    /// Blocks until bytes arrive or the queue closes (0).
    fn pop(&self, out: &mut [u8]) -> usize {
        let mut q = self.bytes.lock().unwrap();
        while q.0.is_empty() && !q.1 {
            q = self.ready.wait(q).unwrap();
        }
        let n = out.len().min(q.0.len());
        for (i, b) in q.0.drain(..n).enumerate() {
            out[i] = b;
        }
        n
    }
}

/// One end of an in-memory duplex; dropping it closes both directions.
struct MemStream {
    rx: Arc<Queue>,
    tx: Arc<Queue>,
}

fn mem_pair() -> (MemStream, MemStream) {
    let (a, b) = (Arc::new(Queue::default()), Arc::new(Queue::default()));
    (
        MemStream {
            rx: a.clone(),
            tx: b.clone(),
        },
        MemStream { rx: b, tx: a },
    )
}

impl Read for MemStream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        Ok(self.rx.pop(buf))
    }
}
impl Write for MemStream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.tx.push(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
impl MemStream {
    /// The two queues, without closing them (the relay threads own them from here).
    fn into_queues(self) -> (Arc<Queue>, Arc<Queue>) {
        let this = std::mem::ManuallyDrop::new(self);
        (this.rx.clone(), this.tx.clone())
    }
}

impl Drop for MemStream {
    fn drop(&mut self) {
        self.rx.close();
        self.tx.close();
    }
}
impl Transport for MemStream {}

/// A blocking transport whose streams are in-memory duplexes relayed to `addr` by two threads
/// per connection (a stand-in for a tunnel); counts the streams opened.
fn relayed_transport(addr: std::net::SocketAddr, opened: Arc<AtomicUsize>) -> CustomTransport {
    CustomTransport::blocking(move || {
        opened.fetch_add(1, Ordering::SeqCst);
        let (client_end, peer) = mem_pair();
        let tcp = std::net::TcpStream::connect(addr)?;
        let mut to_server = tcp.try_clone()?;
        let mut from_server = tcp;
        let (rx, tx) = peer.into_queues();
        std::thread::spawn(move || {
            let mut buf = [0u8; 16384];
            loop {
                let n = rx.pop(&mut buf);
                if n == 0 || to_server.write_all(&buf[..n]).is_err() {
                    let _ = to_server.shutdown(std::net::Shutdown::Both);
                    return;
                }
            }
        });
        std::thread::spawn(move || {
            let mut buf = [0u8; 16384];
            loop {
                match from_server.read(&mut buf) {
                    Ok(0) | Err(_) => {
                        tx.close();
                        return;
                    }
                    Ok(n) => tx.push(&buf[..n]),
                }
            }
        });
        Ok(client_end)
    })
}

// ---------------------------------------------------------------------------------------------
// A scripted peer: answers the handshake, then expects the script's commands in order and
// answers each with its recorded reply bytes; anything else gets an error naming it.

struct Script {
    protocol: Protocol,
    steps: VecDeque<(Vec<String>, &'static [u8])>,
}

impl Script {
    fn respond(&mut self, args: Vec<String>) -> Vec<u8> {
        let first = args
            .first()
            .map(|s| s.to_ascii_uppercase())
            .unwrap_or_default();
        match first.as_str() {
            "HELLO" => {
                return b"%3\r\n+server\r\n+redis\r\n+version\r\n+7.4.0\r\n+proto\r\n:3\r\n"
                    .to_vec()
            }
            "CLIENT" | "SELECT" => return b"+OK\r\n".to_vec(),
            "PING" => return b"+PONG\r\n".to_vec(),
            _ => {}
        }
        match self.steps.pop_front() {
            Some((expected, reply)) if expected == args => reply.to_vec(),
            Some((expected, _)) => format!(
                "-ERR script ({:?}): expected {expected:?}, got {args:?}\r\n",
                self.protocol
            )
            .into_bytes(),
            None => format!("-ERR script: no more steps, got {args:?}\r\n").into_bytes(),
        }
    }
}

/// Decodes whole commands from `buf` as text arguments.
fn commands(decoder: &mut oxredis::resp::Decoder, buf: &mut BytesMut) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    while let Some(v) = decoder.decode(buf).unwrap() {
        let Value::Array(items) = v else {
            panic!("a command is an array: {v:?}")
        };
        out.push(
            items
                .iter()
                .map(|i| String::from_utf8(i.as_bytes().unwrap().to_vec()).unwrap())
                .collect(),
        );
    }
    out
}

fn scripted_blocking(script: Arc<Mutex<Script>>) -> CustomTransport {
    CustomTransport::blocking(move || {
        let (client_end, mut peer) = mem_pair();
        let script = script.clone();
        std::thread::spawn(move || {
            let mut decoder = oxredis::resp::Decoder::new(Default::default());
            let mut buf = BytesMut::new();
            let mut chunk = [0u8; 4096];
            loop {
                let n = peer.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    return;
                }
                buf.extend_from_slice(&chunk[..n]);
                for args in commands(&mut decoder, &mut buf) {
                    let reply = script.lock().unwrap().respond(args);
                    peer.write_all(&reply).unwrap();
                }
            }
        });
        Ok(client_end)
    })
}

fn scripted_async(script: Arc<Mutex<Script>>) -> CustomTransport {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    CustomTransport::asynchronous(move || {
        let script = script.clone();
        async move {
            let (client_end, mut peer) = tokio::io::duplex(64 * 1024);
            tokio::spawn(async move {
                let mut decoder = oxredis::resp::Decoder::new(Default::default());
                let mut buf = BytesMut::new();
                loop {
                    match peer.read_buf(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    for args in commands(&mut decoder, &mut buf) {
                        let reply = script.lock().unwrap().respond(args);
                        peer.write_all(&reply).await.unwrap();
                    }
                }
            });
            Ok(client_end)
        }
    })
}

fn words(s: &str) -> Vec<String> {
    s.split(' ').map(str::to_string).collect()
}

/// The TimeSeries calls of the test, the commands they must send, and replies recorded from
/// the module's documented formats (RESP2 and RESP3).
fn ts_script(protocol: Protocol) -> Script {
    let resp3 = protocol == Protocol::Resp3;
    let steps: Vec<(&str, &'static [u8])> = vec![
        // The seed: r.ts().create(2, retention_msecs=5000)
        ("TS.CREATE 2 RETENTION 5000", b"+OK\r\n"),
        (
            "TS.CREATE temp:1 RETENTION 60000 DUPLICATE_POLICY LAST LABELS area A1 sensor t",
            b"+OK\r\n",
        ),
        ("TS.ALTER temp:1 LABELS area A2", b"+OK\r\n"),
        ("TS.ADD temp:1 1000 26.5 ON_DUPLICATE MAX", b":1000\r\n"),
        ("TS.ADD temp:1 * 27.0", b":1700000000000\r\n"),
        (
            "TS.MADD temp:1 2000 27.5 temp:2 2000 10.0",
            b"*2\r\n:2000\r\n:2000\r\n",
        ),
        ("TS.INCRBY counter 5.0 TIMESTAMP 3000", b":3000\r\n"),
        ("TS.DECRBY counter 2.0", b":3001\r\n"),
        (
            "TS.RANGE temp:1 - + COUNT 10 AGGREGATION avg 1000",
            if resp3 {
                b"*2\r\n*2\r\n:1000\r\n,26.5\r\n*2\r\n:2000\r\n,27.5\r\n"
            } else {
                b"*2\r\n*2\r\n:1000\r\n+26.5\r\n*2\r\n:2000\r\n+27.5\r\n"
            },
        ),
        (
            "TS.REVRANGE temp:1 0 3000 FILTER_BY_VALUE 0.0 100.0",
            if resp3 {
                b"*1\r\n*2\r\n:2000\r\n,27.5\r\n"
            } else {
                b"*1\r\n*2\r\n:2000\r\n+27.5\r\n"
            },
        ),
        (
            "TS.GET temp:1",
            if resp3 {
                b"*2\r\n:2000\r\n,27.5\r\n"
            } else {
                b"*2\r\n:2000\r\n+27.5\r\n"
            },
        ),
        ("TS.GET empty", b"*0\r\n"),
        (
            "TS.MRANGE - + WITHLABELS FILTER area=A2",
            if resp3 {
                b"%1\r\n$6\r\ntemp:1\r\n*3\r\n%2\r\n$4\r\narea\r\n$2\r\nA2\r\n$6\r\nsensor\r\n$1\r\nt\r\n%1\r\n$11\r\naggregators\r\n*0\r\n*2\r\n*2\r\n:1000\r\n,26.5\r\n*2\r\n:2000\r\n,27.5\r\n"
            } else {
                b"*1\r\n*3\r\n$6\r\ntemp:1\r\n*2\r\n*2\r\n$4\r\narea\r\n$2\r\nA2\r\n*2\r\n$6\r\nsensor\r\n$1\r\nt\r\n*2\r\n*2\r\n:1000\r\n+26.5\r\n*2\r\n:2000\r\n+27.5\r\n"
            },
        ),
        (
            "TS.MREVRANGE - + AGGREGATION max 1000 FILTER sensor=t GROUPBY sensor REDUCE max",
            if resp3 {
                b"%1\r\n$8\r\nsensor=t\r\n*3\r\n%0\r\n%1\r\n$8\r\nreducers\r\n*1\r\n$3\r\nmax\r\n*1\r\n*2\r\n:2000\r\n,27.5\r\n"
            } else {
                b"*1\r\n*3\r\n$8\r\nsensor=t\r\n*0\r\n*1\r\n*2\r\n:2000\r\n+27.5\r\n"
            },
        ),
        (
            "TS.MGET WITHLABELS FILTER area=A2",
            if resp3 {
                b"%1\r\n$6\r\ntemp:1\r\n*2\r\n%1\r\n$4\r\narea\r\n$2\r\nA2\r\n*2\r\n:2000\r\n,27.5\r\n"
            } else {
                b"*1\r\n*3\r\n$6\r\ntemp:1\r\n*1\r\n*2\r\n$4\r\narea\r\n$2\r\nA2\r\n*2\r\n:2000\r\n+27.5\r\n"
            },
        ),
        (
            "TS.CREATERULE temp:1 temp:avg AGGREGATION avg 60000",
            b"+OK\r\n",
        ),
        (
            "TS.INFO temp:1",
            if resp3 {
                b"%12\r\n+totalSamples\r\n:2\r\n+memoryUsage\r\n:4239\r\n+firstTimestamp\r\n:1000\r\n+lastTimestamp\r\n:2000\r\n+retentionTime\r\n:60000\r\n+chunkCount\r\n:1\r\n+chunkSize\r\n:4096\r\n+chunkType\r\n+compressed\r\n+duplicatePolicy\r\n+last\r\n+labels\r\n%2\r\n$4\r\narea\r\n$2\r\nA2\r\n$6\r\nsensor\r\n$1\r\nt\r\n+sourceKey\r\n_\r\n+rules\r\n%1\r\n$8\r\ntemp:avg\r\n*3\r\n:60000\r\n+AVG\r\n:0\r\n"
            } else {
                b"*24\r\n+totalSamples\r\n:2\r\n+memoryUsage\r\n:4239\r\n+firstTimestamp\r\n:1000\r\n+lastTimestamp\r\n:2000\r\n+retentionTime\r\n:60000\r\n+chunkCount\r\n:1\r\n+chunkSize\r\n:4096\r\n+chunkType\r\n+compressed\r\n+duplicatePolicy\r\n+last\r\n+labels\r\n*2\r\n*2\r\n+area\r\n+A2\r\n*2\r\n+sensor\r\n+t\r\n+sourceKey\r\n$-1\r\n+rules\r\n*1\r\n*4\r\n$8\r\ntemp:avg\r\n:60000\r\n+AVG\r\n:0\r\n"
            },
        ),
        ("TS.DELETERULE temp:1 temp:avg", b"+OK\r\n"),
        (
            "TS.QUERYINDEX area=A2 sensor!=x",
            if resp3 {
                b"~1\r\n$6\r\ntemp:1\r\n"
            } else {
                b"*1\r\n$6\r\ntemp:1\r\n"
            },
        ),
        ("TS.DEL temp:1 0 1500", b":1\r\n"),
        (
            "TS.ADD temp:1 500 1.0",
            b"-ERR TSDB: timestamp is too old\r\n",
        ),
    ];
    Script {
        protocol,
        steps: steps
            .into_iter()
            .map(|(cmd, reply)| (words(cmd), reply))
            .collect(),
    }
}

/// Checks the typed results of the TimeSeries calls (the same on both clients).
macro_rules! ts_calls {
    ($r:expr, $($aw:tt)*) => {{
        let r = $r;
        let ts = r.ts();
        assert!(ts.create(2, &TsOptions::default().retention_msecs(5000))$($aw)*.unwrap());
        assert!(ts
            .create(
                "temp:1",
                &TsOptions::default()
                    .retention_msecs(60000)
                    .duplicate_policy(DuplicatePolicy::Last)
                    .labels([("area", "A1"), ("sensor", "t")]),
            )$($aw)*
            .unwrap());
        assert!(ts.alter("temp:1", &TsOptions::default().labels([("area", "A2")]))$($aw)*.unwrap());
        assert_eq!(
            ts.add("temp:1", 1000, 26.5, &TsOptions::default().on_duplicate(DuplicatePolicy::Max))$($aw)*.unwrap(),
            1000
        );
        assert_eq!(ts.add("temp:1", "*", 27.0, &TsOptions::default())$($aw)*.unwrap(), 1_700_000_000_000);
        assert_eq!(
            ts.madd(&[("temp:1", 2000, 27.5), ("temp:2", 2000, 10.0)])$($aw)*.unwrap(),
            vec![2000, 2000]
        );
        assert_eq!(ts.incrby("counter", 5.0, &TsOptions::default().timestamp(3000))$($aw)*.unwrap(), 3000);
        assert_eq!(ts.decrby("counter", 2.0, &TsOptions::default())$($aw)*.unwrap(), 3001);
        let range = ts
            .range("temp:1", "-", "+", &TsRangeOptions::default().count(10).aggregation(TsAggregation::Avg, 1000))$($aw)*
            .unwrap();
        assert_eq!(range, vec![(1000, 26.5), (2000, 27.5)]);
        let rev = ts
            .revrange("temp:1", 0, 3000, &TsRangeOptions::default().filter_by_value(0.0, 100.0))$($aw)*
            .unwrap();
        assert_eq!(rev, vec![(2000, 27.5)]);
        assert_eq!(ts.get("temp:1")$($aw)*.unwrap(), Some((2000, 27.5)));
        assert_eq!(ts.get("empty")$($aw)*.unwrap(), None);
        let series = ts
            .mrange("-", "+", ["area=A2"], &TsRangeOptions::default().with_labels())$($aw)*
            .unwrap();
        assert_eq!(series.len(), 1);
        assert_eq!(series[0].key, "temp:1");
        assert_eq!(series[0].labels.get("area").map(String::as_str), Some("A2"));
        assert_eq!(series[0].labels.get("sensor").map(String::as_str), Some("t"));
        assert_eq!(series[0].samples, vec![(1000, 26.5), (2000, 27.5)]);
        let grouped = ts
            .mrevrange(
                "-",
                "+",
                ["sensor=t"],
                &TsRangeOptions::default()
                    .aggregation(TsAggregation::Max, 1000)
                    .group_by("sensor", TsAggregation::Max),
            )$($aw)*
            .unwrap();
        assert_eq!(grouped.len(), 1);
        assert_eq!(grouped[0].key, "sensor=t");
        assert!(grouped[0].labels.is_empty());
        assert_eq!(grouped[0].samples, vec![(2000, 27.5)]);
        let latest = ts.mget(["area=A2"], true)$($aw)*.unwrap();
        assert_eq!(latest.len(), 1);
        assert_eq!(latest[0].key, "temp:1");
        assert_eq!(latest[0].labels.len(), 1);
        assert_eq!(latest[0].samples, vec![(2000, 27.5)]);
        assert!(ts.createrule("temp:1", "temp:avg", TsAggregation::Avg, 60000, None)$($aw)*.unwrap());
        let info = ts.info("temp:1")$($aw)*.unwrap();
        assert_eq!(
            (info.total_samples, info.first_timestamp, info.last_timestamp, info.retention_time),
            (2, 1000, 2000, 60000)
        );
        assert_eq!((info.chunk_count, info.chunk_size, info.memory_usage), (1, 4096, 4239));
        assert_eq!(info.duplicate_policy.as_deref(), Some("last"));
        assert_eq!(info.labels.len(), 2);
        assert_eq!(info.labels["area"], "A2");
        assert_eq!(info.source_key, None);
        assert_eq!(info.rules, vec![("temp:avg".to_string(), 60000, "AVG".to_string())]);
        assert!(ts.deleterule("temp:1", "temp:avg")$($aw)*.unwrap());
        let keys: Vec<String> = ts.queryindex(["area=A2", "sensor!=x"])$($aw)*.unwrap();
        assert_eq!(keys, vec!["temp:1"]);
        assert_eq!(ts.delete("temp:1", 0, 1500)$($aw)*.unwrap(), 1);
        let err = ts.add("temp:1", 500, 1.0, &TsOptions::default())$($aw)*.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Response);
        assert!(err.to_string().contains("timestamp is too old"), "{err}");
    }};
}

#[test]
fn timeseries_against_recorded_replies_blocking() {
    for proto in PROTOCOLS {
        let script = Arc::new(Mutex::new(ts_script(proto)));
        let r = Redis::builder()
            .protocol(proto)
            .transport(scripted_blocking(script.clone()))
            .build();
        ts_calls!(&r,);
        assert!(
            script.lock().unwrap().steps.is_empty(),
            "every step was used"
        );
    }
}

#[test]
fn timeseries_against_recorded_replies_async() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        for proto in PROTOCOLS {
            let script = Arc::new(Mutex::new(ts_script(proto)));
            let r = oxredis::aio::Redis::builder()
                .protocol(proto)
                .transport(scripted_async(script.clone()))
                .build_async();
            ts_calls!(&r, .await);
            assert!(
                script.lock().unwrap().steps.is_empty(),
                "every step was used"
            );
        }
    });
}

#[test]
fn blocking_client_runs_over_an_in_memory_duplex() {
    let server = RedisServer::new();
    for proto in PROTOCOLS {
        let opened = Arc::new(AtomicUsize::new(0));
        let r = Redis::builder()
            // A port nothing listens on: every byte goes through the transport.
            .port(1)
            .protocol(proto)
            .client_name("over-memory")
            .transport(relayed_transport(server.socket_addr(), opened.clone()))
            .build();
        assert!(r.set("mem:k", "v").unwrap());
        let v: Option<String> = r.get("mem:k").unwrap();
        assert_eq!(v.as_deref(), Some("v"));
        let name: Option<String> = r.client_getname().unwrap();
        assert_eq!(
            name.as_deref(),
            Some("over-memory"),
            "the handshake ran over it"
        );
        let mut p = r.pipeline(true);
        p.incr("mem:n").incr("mem:n");
        assert_eq!(p.execute().unwrap(), vec![Value::Int(1), Value::Int(2)]);
        // Two checkouts at once: the pool opens a second stream through the factory.
        let (c1, c2) = (r.get_connection().unwrap(), r.get_connection().unwrap());
        drop((c1, c2));
        assert_eq!(opened.load(Ordering::SeqCst), 2, "{proto:?}");
        r.execute_command::<()>(("DEL", "mem:k", "mem:n")).unwrap();
    }
    // A transport that fails to open is a connection error.
    let failing = CustomTransport::blocking(|| -> std::io::Result<MemStream> {
        Err(std::io::Error::other("tunnel refused"))
    });
    let r = Redis::builder().transport(failing).build();
    let err = r.ping().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connection);
    // Only an async factory: the blocking client says so.
    let only_async = CustomTransport::asynchronous(|| async {
        Ok::<_, std::io::Error>(tokio::io::duplex(16).0)
    });
    let err = Redis::builder()
        .transport(only_async)
        .build()
        .ping()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
}

#[test]
fn async_client_runs_over_an_in_memory_duplex() {
    let server = RedisServer::new();
    let addr = server.socket_addr();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        for proto in PROTOCOLS {
            let opened = Arc::new(AtomicUsize::new(0));
            let count = opened.clone();
            let transport = CustomTransport::asynchronous(move || {
                count.fetch_add(1, Ordering::SeqCst);
                async move {
                    let (client_end, mut peer) = tokio::io::duplex(64 * 1024);
                    let mut tcp = tokio::net::TcpStream::connect(addr).await?;
                    tokio::spawn(async move {
                        let _ = tokio::io::copy_bidirectional(&mut peer, &mut tcp).await;
                    });
                    Ok(client_end)
                }
            });
            let r = oxredis::aio::Redis::builder()
                .port(1)
                .protocol(proto)
                .client_name("over-duplex")
                .transport(transport)
                .build_async();
            assert!(r.set("amem:k", "v").await.unwrap());
            let v: Option<String> = r.get("amem:k").await.unwrap();
            assert_eq!(v.as_deref(), Some("v"));
            let name: Option<String> = r.client_getname().await.unwrap();
            assert_eq!(name.as_deref(), Some("over-duplex"));
            // A blocking command gets a dedicated connection: a second stream.
            let popped: Option<(String, String)> = r.blpop(["amem:list"], 0.05).await.unwrap();
            assert_eq!(popped, None);
            assert_eq!(opened.load(Ordering::SeqCst), 2, "{proto:?}");
            r.execute_command::<()>(("DEL", "amem:k")).await.unwrap();
        }
    });
}

#[test]
fn response_callback_converts_one_commands_replies_on_one_client() {
    let server = RedisServer::new();
    for proto in PROTOCOLS {
        let r = Redis::builder()
            .url(&server.url())
            .unwrap()
            .protocol(proto)
            .build();
        let other = Redis::builder().url(&server.url()).unwrap().build();
        r.set("cb:k", "hello").unwrap();
        // GET returns the value's length, as a redis-py callback might.
        r.set_response_callback("get", |v| {
            Ok(Value::Int(v.as_bytes().map_or(-1, |b| b.len() as i64)))
        });
        let len: i64 = r.get("cb:k").unwrap();
        assert_eq!(len, 5);
        let missing: i64 = r.get("cb:none").unwrap();
        assert_eq!(missing, -1);
        // Its clones share it; another client and other commands do not see it.
        let len: i64 = r.clone().get("cb:k").unwrap();
        assert_eq!(len, 5);
        // Pipelines of the client apply it to their GET results too, as redis-py's do.
        let mut p = r.pipeline(false);
        p.get("cb:k").getrange("cb:k", 0, 1);
        assert_eq!(
            p.execute().unwrap(),
            vec![Value::Int(5), Value::Bulk("he".into())],
            "{proto:?}"
        );
        let plain: String = other.get("cb:k").unwrap();
        assert_eq!(plain, "hello");
        let via_getdel_free: String = r.getrange("cb:k", 0, -1).unwrap();
        assert_eq!(via_getdel_free, "hello");
        // Module commands too, by their declared name; and a callback may refuse a reply.
        r.set_response_callback("CONFIG GET", |_| {
            Err(oxredis::Error::new(ErrorKind::Data, "refused by callback"))
        });
        let err = r.config_get::<Value>("maxmemory").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Data);
        assert!(err.to_string().contains("refused by callback"), "{err}");
        r.remove_response_callback("GET");
        r.remove_response_callback("config get");
        let back: String = r.get("cb:k").unwrap();
        assert_eq!(back, "hello");
        r.execute_command::<()>(("DEL", "cb:k")).unwrap();
    }
}

#[test]
fn response_callback_on_the_async_client() {
    let server = RedisServer::new();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        for proto in PROTOCOLS {
            let r = oxredis::aio::Redis::builder()
                .url(&server.url())
                .unwrap()
                .protocol(proto)
                .build_async();
            r.rpush("acb:l", ["a", "b", "c"]).await.unwrap();
            // LRANGE returns its items joined with commas.
            r.set_response_callback("LRANGE", |v| {
                let Value::Array(items) = v else {
                    return Ok(v);
                };
                let joined: Vec<String> = items
                    .iter()
                    .map(|i| String::from_utf8_lossy(i.as_bytes().unwrap_or_default()).into_owned())
                    .collect();
                Ok(Value::Bulk(joined.join(",").into()))
            });
            let joined: String = r.lrange("acb:l", 0, -1).await.unwrap();
            assert_eq!(joined, "a,b,c", "{proto:?}");
            let mut p = r.pipeline(true);
            p.lrange("acb:l", 0, 1).llen("acb:l");
            let (joined, len): (String, i64) = p.query().await.unwrap();
            assert_eq!((joined.as_str(), len), ("a,b", 3), "{proto:?}");
            let len: i64 = r.llen("acb:l").await.unwrap();
            assert_eq!(len, 3, "other commands unchanged");
            r.remove_response_callback("lrange");
            let items: Vec<String> = r.lrange("acb:l", 0, -1).await.unwrap();
            assert_eq!(items, ["a", "b", "c"]);
            r.execute_command::<()>(("DEL", "acb:l")).await.unwrap();
        }
    });
}
