//! SCAN/HSCAN/SSCAN/ZSCAN iterators against real redis-server processes: one macro body per
//! feature, run by the blocking client (`ScanIter`, an `Iterator`) and by the async one
//! (`ScanStream`, a `Stream` with an inherent `next().await`), on RESP2 and RESP3.
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{HashMap, HashSet};

mod common;
use common::*;
use oxredis::ScanOptions;
use oxredis_test_support::RedisServer;

/// Pages (SCAN calls) fetched so far: the blocking iterator counts them as `usize`, the async
/// stream as `Option<usize>` (`None` only while a page is in flight, never between `next`s).
trait Pages {
    fn pages(&self) -> usize;
}

impl<T> Pages for oxredis::blocking::ScanIter<T> {
    fn pages(&self) -> usize {
        self.pages_fetched()
    }
}

impl<T> Pages for oxredis::aio::ScanStream<T> {
    fn pages(&self) -> usize {
        self.pages_fetched()
            .expect("no page in flight between next() calls")
    }
}

fn scan_calls(server: &RedisServer, command: &str) -> usize {
    let text = server.cli(&["INFO", "commandstats"]);
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("cmdstat_{command}:calls=")))
        .and_then(|rest| rest.split(',').next())
        .map_or(0, |n| n.parse().unwrap())
}

/// A blocking `#[test]` and an async `#[tokio::test]` running the body macro `$body` with a
/// client of kind `$m` (`blocking` or `aio`).
macro_rules! both_clients {
    ($body:ident: $blocking:ident, $async_:ident) => {
        #[test]
        fn $blocking() {
            $body!(blocking);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $async_() {
            $body!(aio, await);
        }
    };
}

macro_rules! client {
    ($m:ident, $server:expr, $protocol:expr) => {
        oxredis::$m::Redis::from_url(&with_protocol(&$server.url(), $protocol)).unwrap()
    };
}

/// Every remaining item of a scan iterator or stream, unwrapped.
macro_rules! drain {
    ($it:expr $(, $aw:tt)*) => {{
        let mut all = Vec::new();
        while let Some(item) = $it.next() $(.$aw)* {
            all.push(item.unwrap());
        }
        all
    }};
}

macro_rules! insert_keys {
    ($r:expr, $prefix:expr, $n:expr $(, $aw:tt)*) => {{
        let items: Vec<(String, String)> =
            (0..$n).map(|i| (format!("{}{i}", $prefix), i.to_string())).collect();
        for chunk in items.chunks(1000) {
            assert!($r.mset(chunk) $(.$aw)* .unwrap());
        }
    }};
}

macro_rules! scan_walks_10k_keys_once_each_and_lazily {
    ($m:ident $(, $aw:tt)*) => {{
        let server = RedisServer::new();
        for protocol in PROTOCOLS {
            let r = client!($m, server, protocol);
            r.flushall(None) $(.$aw)* .unwrap();
            insert_keys!(r, "key:", 10_000 $(, $aw)*);
            r.config_resetstat() $(.$aw)* .unwrap();
            let mut it = r.scan_iter::<String>(ScanOptions::default().count(100));
            assert_eq!(it.pages(), 0, "lazy: nothing fetched yet");
            assert_eq!(scan_calls(&server, "scan"), 0);
            let first = it.next() $(.$aw)* .unwrap().unwrap();
            assert!(first.starts_with("key:"));
            assert_eq!(it.pages(), 1);
            assert_eq!(scan_calls(&server, "scan"), 1, "the first item costs one SCAN");
            let mut seen = HashSet::new();
            seen.insert(first);
            let mut count = 1;
            for key in drain!(it $(, $aw)*) {
                assert!(seen.insert(key), "a key came twice");
                count += 1;
            }
            assert_eq!((count, seen.len()), (10_000, 10_000), "{protocol:?}");
            let pages = it.pages();
            assert!(pages >= 50, "COUNT 100 over 10k keys takes many pages, got {pages}");
            assert_eq!(scan_calls(&server, "scan"), pages);
            assert!(it.next() $(.$aw)* .is_none(), "stays ended");
        }
    }};
}

both_clients!(scan_walks_10k_keys_once_each_and_lazily: scan_iter_walks_10k_keys_once_each_and_lazily_blocking, scan_iter_walks_10k_keys_once_each_and_lazily_async);

macro_rules! scan_filters_by_pattern_and_type {
    ($m:ident $(, $aw:tt)*) => {{
        let server = RedisServer::new();
        for protocol in PROTOCOLS {
            let r = client!($m, server, protocol);
            r.flushall(None) $(.$aw)* .unwrap();
            insert_keys!(r, "str:", 300 $(, $aw)*);
            for i in 0..200 {
                r.hset(format!("hash:{i}"), "f", "v") $(.$aw)* .unwrap();
            }
            let mut it = r.scan_iter::<String>(ScanOptions::default().type_("hash").count(50));
            let hashes: HashSet<String> = drain!(it $(, $aw)*).into_iter().collect();
            assert_eq!(hashes.len(), 200, "{protocol:?}");
            assert!(hashes.iter().all(|k| k.starts_with("hash:")));
            let mut it =
                r.scan_iter::<String>(ScanOptions::default().pattern("str:1*").count(100));
            let matched: HashSet<String> = drain!(it $(, $aw)*).into_iter().collect();
            let expected: HashSet<String> = (0..300)
                .map(|i| format!("str:{i}"))
                .filter(|k| k.starts_with("str:1"))
                .collect();
            assert_eq!(matched, expected);
        }
    }};
}

both_clients!(scan_filters_by_pattern_and_type: scan_iter_filters_by_pattern_and_type_blocking, scan_iter_filters_by_pattern_and_type_async);

macro_rules! hscan_sscan_zscan_walk_big_collections_lazily {
    ($m:ident $(, $aw:tt)*) => {{
        let server = RedisServer::new();
        for protocol in PROTOCOLS {
            let r = client!($m, server, protocol);
            r.flushall(None) $(.$aw)* .unwrap();
            let n = 10_000;
            let fields: Vec<(String, String)> =
                (0..n).map(|i| (format!("f{i}"), format!("v{i}"))).collect();
            r.hset_mapping("h", &fields) $(.$aw)* .unwrap();
            let members: Vec<String> = (0..n).map(|i| format!("m{i}")).collect();
            r.sadd("s", &members) $(.$aw)* .unwrap();
            let scored: Vec<(String, f64)> =
                (0..n).map(|i| (format!("m{i}"), i as f64 / 2.0)).collect();
            r.zadd("z", &scored) $(.$aw)* .unwrap();
            r.config_resetstat() $(.$aw)* .unwrap();

            let mut h = r.hscan_iter::<(String, String)>("h", ScanOptions::default().count(100));
            let first = h.next() $(.$aw)* .unwrap().unwrap();
            assert_eq!(first.1, format!("v{}", &first.0[1..]));
            assert_eq!((h.pages(), scan_calls(&server, "hscan")), (1, 1));
            let mut all: HashMap<String, String> = drain!(h $(, $aw)*).into_iter().collect();
            all.insert(first.0, first.1);
            assert_eq!(all, fields.into_iter().collect::<HashMap<_, _>>(), "{protocol:?}");

            let mut s = r.sscan_iter::<String>("s", ScanOptions::default().count(100));
            let first_member = s.next() $(.$aw)* .unwrap().unwrap();
            assert_eq!((s.pages(), scan_calls(&server, "sscan")), (1, 1));
            let mut seen: HashSet<String> = drain!(s $(, $aw)*).into_iter().collect();
            assert!(seen.insert(first_member), "the first member came back twice");
            assert_eq!(seen, members.iter().cloned().collect::<HashSet<_>>(), "{protocol:?}");

            let mut z = r.zscan_iter::<(String, f64)>(
                "z",
                ScanOptions::default().count(100).pattern("m1*"),
            );
            let got: HashMap<String, f64> = drain!(z $(, $aw)*).into_iter().collect();
            let want: HashMap<String, f64> = scored
                .into_iter()
                .filter(|(m, _)| m.starts_with("m1"))
                .collect();
            assert_eq!(got, want);
        }
    }};
}

both_clients!(hscan_sscan_zscan_walk_big_collections_lazily: hscan_sscan_zscan_iterators_walk_big_collections_lazily_blocking, hscan_sscan_zscan_iterators_walk_big_collections_lazily_async);

macro_rules! scan_errors_end_the_walk {
    ($m:ident $(, $aw:tt)*) => {{
        let server = RedisServer::new();
        for protocol in PROTOCOLS {
            let r = client!($m, server, protocol);
            r.set("str", "v") $(.$aw)* .unwrap();
            let mut it = r.hscan_iter::<(String, String)>("str", ScanOptions::default());
            let err = it.next() $(.$aw)* .unwrap().unwrap_err();
            assert_eq!(err.code(), Some("WRONGTYPE"), "{protocol:?}");
            assert_eq!(err.kind(), oxredis::ErrorKind::Response);
            assert!(it.next() $(.$aw)* .is_none());
            let mut missing = r.sscan_iter::<String>("missing", ScanOptions::default());
            assert!(drain!(missing $(, $aw)*).is_empty());
        }
    }};
}

both_clients!(scan_errors_end_the_walk: scan_iterators_yield_errors_and_stop_blocking, scan_iterators_yield_errors_and_stop_async);
