//! RedisTimeSeries commands against a live module (RedisTimeSeries 1.12 loaded into the test
//! server, with libssl 1.1 from a wheel that bundles it; see `scripts/ensure-modules.sh`), on
//! RESP2 and RESP3, blocking and async. Skipped visibly (a `SKIP` line) when the libraries
//! cannot be fetched. `tests/extension_points.rs` checks the same commands against recorded
//! replies.
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::PROTOCOLS;
use oxredis::modules::timeseries::{DuplicatePolicy, TsAggregation, TsOptions, TsRangeOptions};
use oxredis::{ErrorKind, Protocol, Redis};
use oxredis_test_support::{Modules, RedisServer};

fn server(test: &str) -> Option<RedisServer> {
    Modules::TimeSeries.start_or_skip(test)
}

fn client(server: &RedisServer, protocol: Protocol) -> Redis {
    Redis::builder()
        .url(&server.url())
        .unwrap()
        .protocol(protocol)
        .build()
}

/// The same calls on both clients (`$($aw)*` is `.await` for the async one).
macro_rules! ts_body {
    ($r:expr, $proto:expr, $($aw:tt)*) => {{
        let r = $r;
        let proto = $proto;
        r.execute_command::<()>(("FLUSHALL",))$($aw)*.unwrap();
        let ts = r.ts();
        // The seed: r.ts().create(2, retention_msecs=5000)
        assert!(ts.create(2, &TsOptions::default().retention_msecs(5000))$($aw)*.unwrap());
        assert_eq!(ts.info(2)$($aw)*.unwrap().retention_time, 5000);

        assert!(ts
            .create(
                "temp:1",
                &TsOptions::default()
                    .duplicate_policy(DuplicatePolicy::Last)
                    .labels([("area", "A1"), ("sensor", "t")]),
            )$($aw)*
            .unwrap());
        assert!(ts.create("temp:2", &TsOptions::default().labels([("area", "A2"), ("sensor", "t")]))$($aw)*.unwrap());
        assert!(ts.create("temp:avg", &TsOptions::default())$($aw)*.unwrap());
        assert!(ts.createrule("temp:1", "temp:avg", TsAggregation::Avg, 1000, None)$($aw)*.unwrap());
        for (t, v) in [(1000, 10.0), (1500, 20.0), (2000, 30.0), (2500, 40.0), (3000, 50.0)] {
            assert_eq!(ts.add("temp:1", t, v, &TsOptions::default())$($aw)*.unwrap(), t);
        }
        // DUPLICATE_POLICY LAST keeps the new value; ON_DUPLICATE overrides per sample.
        assert_eq!(ts.add("temp:1", 3000, 55.0, &TsOptions::default())$($aw)*.unwrap(), 3000);
        assert_eq!(
            ts.add("temp:1", 3000, 1.0, &TsOptions::default().on_duplicate(DuplicatePolicy::Max))$($aw)*.unwrap(),
            3000
        );
        assert_eq!(ts.madd(&[("temp:2", 1000, 1.5), ("temp:2", 2000, 2.5)])$($aw)*.unwrap(), vec![1000, 2000]);

        let all = ts.range("temp:1", "-", "+", &TsRangeOptions::default())$($aw)*.unwrap();
        assert_eq!(
            all,
            vec![(1000, 10.0), (1500, 20.0), (2000, 30.0), (2500, 40.0), (3000, 55.0)],
            "{proto:?}"
        );
        let avg = ts
            .range("temp:1", 0, 2999, &TsRangeOptions::default().aggregation(TsAggregation::Avg, 1000))$($aw)*
            .unwrap();
        assert_eq!(avg, vec![(1000, 15.0), (2000, 35.0)]);
        let rev = ts
            .revrange("temp:1", "-", "+", &TsRangeOptions::default().count(2).filter_by_value(0.0, 45.0))$($aw)*
            .unwrap();
        assert_eq!(rev, vec![(2500, 40.0), (2000, 30.0)]);
        let by_ts = ts
            .range("temp:1", "-", "+", &TsRangeOptions::default().filter_by_ts([1500, 2500]))$($aw)*
            .unwrap();
        assert_eq!(by_ts, vec![(1500, 20.0), (2500, 40.0)]);
        // The compaction rule wrote the closed buckets.
        let compacted = ts.range("temp:avg", "-", "+", &TsRangeOptions::default())$($aw)*.unwrap();
        assert_eq!(compacted, vec![(1000, 15.0), (2000, 35.0)], "{proto:?}");

        assert_eq!(ts.get("temp:1")$($aw)*.unwrap(), Some((3000, 55.0)));
        assert!(ts.create("empty", &TsOptions::default())$($aw)*.unwrap());
        assert_eq!(ts.get("empty")$($aw)*.unwrap(), None, "{proto:?}");

        // Multi-series reads by label.
        let mut series = ts
            .mrange("-", "+", ["sensor=t"], &TsRangeOptions::default().with_labels())$($aw)*
            .unwrap();
        series.sort_by(|a, b| a.key.cmp(&b.key));
        assert_eq!(series.len(), 2, "{proto:?}: {series:?}");
        assert_eq!(series[0].key, "temp:1");
        assert_eq!(series[0].labels["area"], "A1");
        assert_eq!(series[0].samples.len(), 5);
        assert_eq!(series[1].key, "temp:2");
        assert_eq!(series[1].samples, vec![(1000, 1.5), (2000, 2.5)]);
        let grouped = ts
            .mrevrange(
                "-",
                "+",
                ["sensor=t"],
                &TsRangeOptions::default().filter_by_ts([1000, 2000]).group_by("sensor", TsAggregation::Max),
            )$($aw)*
            .unwrap();
        assert_eq!(grouped.len(), 1, "{proto:?}: {grouped:?}");
        assert_eq!(grouped[0].key, "sensor=t");
        assert_eq!(grouped[0].samples, vec![(2000, 30.0), (1000, 10.0)]);
        let mut latest = ts.mget(["area=(A1,A2)"], true)$($aw)*.unwrap();
        latest.sort_by(|a, b| a.key.cmp(&b.key));
        assert_eq!(latest.len(), 2, "{proto:?}: {latest:?}");
        assert_eq!(latest[0].samples, vec![(3000, 55.0)]);
        assert_eq!(latest[1].samples, vec![(2000, 2.5)]);
        assert_eq!(latest[1].labels["sensor"], "t");
        let bare = ts.mget(["area=A2"], false)$($aw)*.unwrap();
        assert_eq!(bare.len(), 1);
        assert!(bare[0].labels.is_empty());
        let mut keys: Vec<String> = ts.queryindex(["sensor=t"])$($aw)*.unwrap();
        keys.sort();
        assert_eq!(keys, ["temp:1", "temp:2"]);

        // INFO, ALTER, rules.
        let info = ts.info("temp:1")$($aw)*.unwrap();
        assert_eq!((info.total_samples, info.first_timestamp, info.last_timestamp), (5, 1000, 3000));
        assert_eq!(info.duplicate_policy.as_deref(), Some("last"), "{proto:?}");
        assert_eq!(info.labels.len(), 2);
        assert_eq!(info.rules, vec![("temp:avg".to_string(), 1000, "AVG".to_string())], "{proto:?}");
        assert!(info.memory_usage > 0 && info.chunk_count >= 1 && info.chunk_size > 0);
        assert_eq!(ts.info("temp:avg")$($aw)*.unwrap().source_key.as_deref(), Some("temp:1"));
        assert!(ts.alter("temp:1", &TsOptions::default().retention_msecs(100_000).labels([("area", "A9")]))$($aw)*.unwrap());
        let altered = ts.info("temp:1")$($aw)*.unwrap();
        assert_eq!(altered.retention_time, 100_000);
        assert_eq!(altered.labels.get("area").map(String::as_str), Some("A9"));
        assert!(ts.deleterule("temp:1", "temp:avg")$($aw)*.unwrap());
        assert!(ts.info("temp:1")$($aw)*.unwrap().rules.is_empty());

        // Counters, deletion, and an error reply.
        assert_eq!(ts.incrby("counter", 5.0, &TsOptions::default().timestamp(100))$($aw)*.unwrap(), 100);
        assert_eq!(ts.decrby("counter", 2.0, &TsOptions::default().timestamp(200))$($aw)*.unwrap(), 200);
        assert_eq!(ts.get("counter")$($aw)*.unwrap(), Some((200, 3.0)));
        assert_eq!(ts.delete("temp:1", 1000, 1500)$($aw)*.unwrap(), 2);
        // Within the 100 s retention (after the last sample at 3000), an older sample is taken.
        assert_eq!(ts.add("temp:1", 10, 1.0, &TsOptions::default())$($aw)*.unwrap(), 10);
        let err = ts.create("temp:1", &TsOptions::default())$($aw)*.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Response);
        assert!(err.to_string().contains("key already exists"), "{err}");
    }};
}

#[test]
fn timeseries_live_blocking() {
    let Some(s) = server("timeseries_live_blocking") else {
        return;
    };
    for proto in PROTOCOLS {
        ts_body!(&client(&s, proto), proto,);
    }
}

#[test]
fn timeseries_live_async_and_pipelined() {
    let Some(s) = server("timeseries_live_async_and_pipelined") else {
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        for proto in PROTOCOLS {
            let a = oxredis::aio::Redis::builder()
                .url(&s.url())
                .unwrap()
                .protocol(proto)
                .build_async();
            ts_body!(&a, proto, .await);
            let mut p = a.pipeline(true);
            p.ts()
                .add("p:1", 1, 1.0, &TsOptions::default())
                .ts()
                .add("p:1", 2, 2.0, &TsOptions::default())
                .ts()
                .range("p:1", "-", "+", &TsRangeOptions::default());
            let (t1, t2, samples): (i64, i64, Vec<(i64, f64)>) = p.query().await.unwrap();
            assert_eq!((t1, t2), (1, 2));
            assert_eq!(samples, vec![(1, 1.0), (2, 2.0)], "{proto:?}");
        }
    });
}
