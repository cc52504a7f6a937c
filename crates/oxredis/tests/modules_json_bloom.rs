//! RedisJSON and RedisBloom commands against a live server with the modules loaded (Redis
//! 7.0.15, or `$OXREDIS_SERVER_BIN`), on RESP2 and RESP3, on the blocking client, the async
//! client and pipelines. Skipped visibly (a `SKIP` line) when the module libraries cannot be
//! fetched.
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;

use common::PROTOCOLS;
use oxredis::modules::bloom::{BfCreateOptions, BfInsertOptions, CfInsertOptions};
use oxredis::modules::json::{Json, JsonSetOptions};
use oxredis::{ErrorKind, Protocol, Redis};
use oxredis_test_support::{Modules, RedisServer};
use serde::{Deserialize, Serialize};
use serde_json::json;

fn server(test: &str) -> Option<RedisServer> {
    Modules::JsonBloom.start_or_skip(test)
}

fn client(server: &RedisServer, protocol: Protocol) -> Redis {
    Redis::builder()
        .url(&server.url())
        .unwrap()
        .protocol(protocol)
        .build()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Address {
    street: String,
    zip: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Role {
    Admin,
    User { since: u16 },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Person {
    name: String,
    age: u8,
    tags: Vec<String>,
    address: Address,
    roles: Vec<Role>,
    scores: BTreeMap<String, f64>,
    nickname: Option<String>,
}

fn alice() -> Person {
    Person {
        name: "Alice".into(),
        age: 30,
        tags: vec!["a".into(), "b".into()],
        address: Address {
            street: "Main St".into(),
            zip: Some(12345),
        },
        roles: vec![Role::Admin, Role::User { since: 2020 }],
        scores: BTreeMap::from([("math".into(), 9.5), ("art".into(), 7.25)]),
        nickname: None,
    }
}

#[test]
fn seed_examples_bloom_create_and_json_set() {
    let Some(s) = server("seed_examples_bloom_create_and_json_set") else {
        return;
    };
    for proto in PROTOCOLS {
        let r = client(&s, proto);
        r.execute_command::<()>(("FLUSHALL",)).unwrap();
        // redis-py: r.bf().create("bloom", 0.01, 1000)
        assert!(r.bf().create("bloom", 0.01, 1000).unwrap());
        assert!(r.bf().add("bloom", "x").unwrap());
        assert!(r.bf().exists("bloom", "x").unwrap());
        // redis-py: r.json().set("mykey", ".", {...})
        assert!(r
            .json()
            .set(
                "mykey",
                ".",
                &json!({"name": "x", "n": [1, 2, {"deep": true}]})
            )
            .unwrap());
        let back: Option<serde_json::Value> = r.json().get("mykey", ".").unwrap();
        assert_eq!(
            back,
            Some(json!({"name": "x", "n": [1, 2, {"deep": true}]}))
        );
    }
}

#[test]
fn json_round_trips_nested_serde_types() {
    let Some(s) = server("json_round_trips_nested_serde_types") else {
        return;
    };
    for proto in PROTOCOLS {
        let r = client(&s, proto);
        let p = alice();
        assert!(r.json().set("person", "$", &p).unwrap());
        // Legacy path: the value itself; JSONPath: one item per match.
        let legacy: Option<Person> = r.json().get("person", ".").unwrap();
        assert_eq!(legacy, Some(p.clone()), "{proto:?}");
        let matches: Option<Vec<Person>> = r.json().get("person", "$").unwrap();
        assert_eq!(matches, Some(vec![p.clone()]), "{proto:?}");
        let zip: Option<Vec<Option<u32>>> = r.json().get("person", "$.address.zip").unwrap();
        assert_eq!(zip, Some(vec![Some(12345)]));
        let roles: Option<Vec<Role>> = r.json().get("person", ".roles").unwrap();
        assert_eq!(roles, Some(vec![Role::Admin, Role::User { since: 2020 }]));
        let missing: Option<Person> = r.json().get("nobody", ".").unwrap();
        assert_eq!(missing, None);

        // Several paths at once: a map of path to matches.
        let several: Option<BTreeMap<String, Vec<serde_json::Value>>> =
            r.json().get("person", ["$.name", "$.age"]).unwrap();
        assert_eq!(
            several,
            Some(BTreeMap::from([
                ("$.name".to_string(), vec![json!("Alice")]),
                ("$.age".to_string(), vec![json!(30)]),
            ]))
        );

        // Mutations, each checked against the document afterwards.
        let ages: Vec<Option<f64>> = r.json().numincrby("person", "$.age", 2.0).unwrap();
        assert_eq!(ages, vec![Some(32.0)], "{proto:?}");
        let doubled: f64 = r.json().nummultby("person", ".age", 2.0).unwrap();
        assert_eq!(doubled, 64.0);
        let lens: Vec<Option<i64>> = r.json().arrappend("person", "$.tags", &["c", "d"]).unwrap();
        assert_eq!(lens, vec![Some(4)]);
        let popped: Vec<Option<String>> = r.json().arrpop("person", "$.tags", -1).unwrap();
        assert_eq!(popped, vec![Some("d".to_string())]);
        let idx: Vec<Option<i64>> = r.json().arrindex("person", "$.tags", "b", 0, 0).unwrap();
        assert_eq!(idx, vec![Some(1)]);
        let ins: Vec<Option<i64>> = r.json().arrinsert("person", "$.tags", 0, &["z"]).unwrap();
        assert_eq!(ins, vec![Some(4)]);
        let trimmed: Vec<Option<i64>> = r.json().arrtrim("person", "$.tags", 0, 1).unwrap();
        assert_eq!(trimmed, vec![Some(2)]);
        let arrlen: Vec<Option<i64>> = r.json().arrlen("person", "$.tags").unwrap();
        assert_eq!(arrlen, vec![Some(2)]);
        let types: Vec<String> = r.json().type_("person", "$.tags").unwrap();
        assert_eq!(types, vec!["array"], "{proto:?}");
        let legacy_type: String = r.json().type_("person", ".name").unwrap();
        assert_eq!(legacy_type, "string");
        let mut keys: Vec<Vec<String>> = r.json().objkeys("person", "$.address").unwrap();
        keys[0].sort();
        assert_eq!(keys, vec![vec!["street".to_string(), "zip".to_string()]]);
        let objlen: Vec<Option<i64>> = r.json().objlen("person", "$").unwrap();
        assert_eq!(objlen, vec![Some(7)]);
        let slen: Vec<Option<i64>> = r.json().strappend("person", "$.name", "!").unwrap();
        assert_eq!(slen, vec![Some(6)]);
        let strlen: Vec<Option<i64>> = r.json().strlen("person", "$.name").unwrap();
        assert_eq!(strlen, vec![Some(6)]);
        assert!(r.json().set("person", "$.flag", &true).unwrap());
        let toggled: Vec<Option<i64>> = r.json().toggle("person", "$.flag").unwrap();
        assert_eq!(toggled, vec![Some(0)], "{proto:?}");
        assert!(r
            .json()
            .merge("person", "$", &json!({"nickname": "Al", "flag": null}))
            .unwrap());
        let nick: Option<String> = r.json().get("person", ".nickname").unwrap();
        assert_eq!(nick.as_deref(), Some("Al"));
        let cleared: i64 = r.json().clear("person", "$.scores").unwrap();
        assert_eq!(cleared, 1);
        let scores: Option<BTreeMap<String, f64>> = r.json().get("person", ".scores").unwrap();
        assert_eq!(scores, Some(BTreeMap::new()));
        let resp: Vec<oxredis::Value> = r.json().resp("person", ".tags").unwrap();
        assert_eq!(resp.len(), 3, "[\"[\", z, a]: {resp:?}");
        let mem: Vec<i64> = r.json().debug_memory("person", "$").unwrap();
        assert!(mem[0] > 0);
        let help: Vec<String> = r.json().debug_help().unwrap();
        assert!(help.iter().any(|l| l.contains("MEMORY")), "{help:?}");

        // NX/XX, MSET/MGET, DEL/FORGET.
        let nx = r
            .json()
            .set_options("person", "$", &1, &JsonSetOptions::default().nx())
            .unwrap();
        assert_eq!(nx, None, "NX on an existing key sets nothing");
        assert!(r
            .json()
            .mset(&[("m1", "$", json!({"v": 1})), ("m2", "$", json!({"v": 2}))])
            .unwrap());
        let vs: Vec<Option<Vec<i64>>> = r.json().mget(&["m1", "m2", "m3"], "$.v").unwrap();
        assert_eq!(vs, vec![Some(vec![1]), Some(vec![2]), None]);
        assert_eq!(r.json().forget("m1", "$").unwrap(), 1);
        assert_eq!(r.json().delete("m2", "$.v").unwrap(), 1);
        let m2: Option<serde_json::Value> = r.json().get("m2", ".").unwrap();
        assert_eq!(m2, Some(json!({})));
        let formatted = r
            .json()
            .get_formatted(
                "m2",
                &oxredis::modules::json::JsonGetOptions::default()
                    .indent("  ")
                    .newline("\n"),
                "$",
            )
            .unwrap();
        assert_eq!(formatted.as_deref(), Some("[\n  {}\n]"));
    }
}

#[test]
fn json_value_serde_refuses_is_a_data_error_before_sending() {
    let Some(s) = server("json_value_serde_refuses_is_a_data_error_before_sending") else {
        return;
    };
    let r = client(&s, Protocol::Resp3);
    // serde_json refuses maps whose keys are not strings.
    let bad: BTreeMap<(u8, u8), u8> = BTreeMap::from([((1, 2), 3)]);
    let err = r.json().set("bad", "$", &bad).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Data);
    assert!(err.to_string().contains("cannot serialise"), "{err}");
    let exists: i64 = r.execute_command(("EXISTS", "bad")).unwrap();
    assert_eq!(exists, 0, "nothing was sent");
}

#[test]
fn json_on_pipelines_and_the_async_client() {
    let Some(s) = server("json_on_pipelines_and_the_async_client") else {
        return;
    };
    let r = client(&s, Protocol::Resp2);
    let mut p = r.pipeline(true);
    p.json()
        .set("pj", "$", &alice())
        .json()
        .arrappend("pj", "$.tags", &["x"])
        .bf()
        .add("pbf", "item")
        .incr("counter");
    let out = p.execute().unwrap();
    assert_eq!(out.len(), 4);
    assert_eq!(out[3], oxredis::Value::Int(1));
    let mut p = r.pipeline(false);
    p.json().get("pj", "$.tags");
    let (Json(tags),): (Json<Vec<Vec<String>>>,) = p.query().unwrap();
    assert_eq!(tags, vec![vec!["a", "b", "x"]]);

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
            assert!(a.json().set("aj", ".", &alice()).await.unwrap());
            let back: Option<Person> = a.json().get("aj", ".").await.unwrap();
            assert_eq!(back, Some(alice()));
            assert!(a.bf().create("abf", 0.01, 100).await.unwrap());
            assert_eq!(
                a.bf().madd("abf", ["a", "b", "a"]).await.unwrap(),
                vec![true, true, false]
            );
            let mut p = a.pipeline(false);
            p.json()
                .numincrby("aj", ".age", 1.0)
                .bf()
                .exists("abf", "b");
            let out: (Json<f64>, bool) = p.query().await.unwrap();
            assert_eq!(out, (Json(31.0), true));
            a.execute_command::<()>(("DEL", "aj", "abf")).await.unwrap();
        }
    });
}

#[test]
fn bloom_filter_false_positive_rate_is_within_twice_the_configured_rate() {
    let Some(s) = server("bloom_filter_false_positive_rate_is_within_twice_the_configured_rate")
    else {
        return;
    };
    let r = client(&s, Protocol::Resp3);
    const N: usize = 10_000;
    const RATE: f64 = 0.01;
    assert!(r
        .bf()
        .create_options(
            "fpr",
            RATE,
            N as u64,
            &BfCreateOptions::default().nonscaling()
        )
        .unwrap());
    let present: Vec<String> = (0..N).map(|i| format!("present:{i}")).collect();
    let absent: Vec<String> = (0..N).map(|i| format!("absent:{i}")).collect();
    let mut newly = 0;
    for chunk in present.chunks(1000) {
        newly += r
            .bf()
            .madd("fpr", chunk)
            .unwrap()
            .iter()
            .filter(|b| **b)
            .count();
    }
    // A false positive on insert reports "already there": at most about RATE of them.
    assert!(newly >= N * 98 / 100, "{newly} of {N} reported new");
    let info = r.bf().info("fpr").unwrap();
    assert_eq!(info.capacity, N as i64);
    assert_eq!(info.filters, 1);
    assert_eq!(info.expansion_rate, None, "non-scaling");
    assert_eq!(info.items_inserted, newly as i64);
    assert_eq!(r.bf().card("fpr").unwrap(), newly as i64);
    // No false negatives.
    for chunk in present.chunks(1000) {
        assert!(r.bf().mexists("fpr", chunk).unwrap().iter().all(|b| *b));
    }
    let mut false_positives = 0;
    for chunk in absent.chunks(1000) {
        false_positives += r
            .bf()
            .mexists("fpr", chunk)
            .unwrap()
            .iter()
            .filter(|b| **b)
            .count();
    }
    let measured = false_positives as f64 / N as f64;
    println!("bloom: {false_positives} false positives in {N} absent items ({measured:.4}, configured {RATE})");
    assert!(
        (RATE / 2.0..=2.0 * RATE).contains(&measured),
        "measured {measured}, configured {RATE}"
    );
}

#[test]
fn bloom_family_commands_and_info_structs() {
    let Some(s) = server("bloom_family_commands_and_info_structs") else {
        return;
    };
    for proto in PROTOCOLS {
        let r = client(&s, proto);
        r.execute_command::<()>(("FLUSHALL",)).unwrap();
        // BF: insert, scandump/loadchunk round trip.
        let added = r
            .bf()
            .insert(
                "b",
                ["x", "y", "x"],
                &BfInsertOptions::default().capacity(100).error(0.001),
            )
            .unwrap();
        assert_eq!(added, vec![true, true, false]);
        let nocreate = r
            .bf()
            .insert("nob", ["x"], &BfInsertOptions::default().nocreate())
            .unwrap_err();
        assert!(nocreate.to_string().contains("not found"), "{nocreate}");
        let mut chunks = Vec::new();
        let mut it = 0;
        loop {
            let (next, data) = r.bf().scandump("b", it).unwrap();
            if next == 0 {
                break;
            }
            chunks.push((next, data.unwrap()));
            it = next;
        }
        assert!(!chunks.is_empty());
        for (i, data) in &chunks {
            assert!(r.bf().loadchunk("b2", *i, data).unwrap());
        }
        assert_eq!(
            r.bf().mexists("b2", ["x", "y", "zzz"]).unwrap(),
            vec![true, true, false]
        );

        // CF.
        assert!(r.cf().create("c", 1000).unwrap());
        assert!(r.cf().add("c", "a").unwrap());
        assert!(r.cf().add("c", "a").unwrap());
        assert!(!r.cf().addnx("c", "a").unwrap());
        assert_eq!(r.cf().count("c", "a").unwrap(), 2);
        assert_eq!(
            r.cf()
                .insert("c", ["b"], &CfInsertOptions::default())
                .unwrap(),
            vec![true]
        );
        assert_eq!(
            r.cf()
                .insertnx("c", ["b", "n"], &CfInsertOptions::default())
                .unwrap(),
            vec![false, true]
        );
        assert!(r.cf().exists("c", "n").unwrap());
        assert_eq!(r.cf().mexists("c", ["a", "zz"]).unwrap(), vec![true, false]);
        assert!(r.cf().delete("c", "a").unwrap());
        let ci = r.cf().info("c").unwrap();
        assert_eq!(
            (
                ci.items_inserted,
                ci.items_deleted,
                ci.filters,
                ci.bucket_size,
                ci.max_iterations
            ),
            (3, 1, 1, 2, 20),
            "{proto:?}: {ci:?}"
        );
        assert_eq!(ci.expansion_rate, 1);
        assert!(ci.size > 0 && ci.buckets > 0);
        let mut it = 0;
        let mut chunks = 0;
        loop {
            let (next, data) = r.cf().scandump("c", it).unwrap();
            if next == 0 {
                break;
            }
            assert!(r.cf().loadchunk("c2", next, data.unwrap()).unwrap());
            chunks += 1;
            it = next;
        }
        assert!(chunks >= 1);
        assert!(r.cf().exists("c2", "n").unwrap());

        // CMS.
        assert!(r.cms().initbydim("m", 2000, 5).unwrap());
        assert!(r.cms().initbyprob("m2", 0.001, 0.01).unwrap());
        assert_eq!(
            r.cms().incrby("m", &[("a", 3), ("b", 1)]).unwrap(),
            vec![3, 1]
        );
        assert_eq!(r.cms().query("m", ["a", "b", "c"]).unwrap(), vec![3, 1, 0]);
        assert!(r.cms().initbydim("m3", 2000, 5).unwrap());
        assert!(r.cms().merge("m3", &["m", "m"], &[1, 2]).unwrap());
        assert_eq!(r.cms().query("m3", ["a"]).unwrap(), vec![9]);
        let mi = r.cms().info("m3").unwrap();
        assert_eq!((mi.width, mi.depth, mi.count), (2000, 5, 12));

        // TOPK.
        assert!(r.topk().reserve("t", 2, 50, 4, 0.9).unwrap());
        let dropped: Vec<Option<String>> = r.topk().add("t", ["a", "b", "a"]).unwrap();
        assert_eq!(dropped, vec![None, None, None]);
        let dropped: Vec<Option<String>> = r.topk().incrby("t", &[("c", 10)]).unwrap();
        assert_eq!(dropped, vec![Some("b".to_string())], "{proto:?}");
        assert_eq!(
            r.topk().query("t", ["a", "b", "c"]).unwrap(),
            vec![true, false, true]
        );
        assert_eq!(r.topk().count("t", ["a", "c"]).unwrap(), vec![2, 10]);
        let list: Vec<String> = r.topk().list("t").unwrap();
        assert_eq!(list, vec!["c", "a"]);
        let counted: Vec<(String, i64)> = r.topk().list_withcount("t").unwrap();
        assert_eq!(
            counted,
            vec![("c".to_string(), 10), ("a".to_string(), 2)],
            "{proto:?}"
        );
        let ti = r.topk().info("t").unwrap();
        assert_eq!((ti.k, ti.width, ti.depth), (2, 50, 4));
        assert!((ti.decay - 0.9).abs() < 1e-9);

        // TDIGEST.
        assert!(r.tdigest().create("d", 100).unwrap());
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert!(r.tdigest().add("d", &values).unwrap());
        assert_eq!(r.tdigest().min("d").unwrap(), 1.0);
        assert_eq!(r.tdigest().max("d").unwrap(), 100.0);
        let q = r.tdigest().quantile("d", &[0.0, 0.5, 1.0]).unwrap();
        assert_eq!(q[0], 1.0);
        assert!((q[1] - 50.5).abs() <= 1.0, "{q:?}");
        assert_eq!(q[2], 100.0);
        let cdf = r.tdigest().cdf("d", &[0.0, 50.0, 101.0]).unwrap();
        assert_eq!(cdf[0], 0.0);
        assert!((cdf[1] - 0.5).abs() < 0.02, "{cdf:?}");
        assert_eq!(cdf[2], 1.0);
        let tm = r.tdigest().trimmed_mean("d", 0.1, 0.9).unwrap();
        assert!((tm - 50.5).abs() < 1.0, "{tm}");
        assert_eq!(
            r.tdigest().rank("d", &[0.0, 1.0, 1000.0]).unwrap(),
            vec![-1, 0, 100]
        );
        assert_eq!(
            r.tdigest().revrank("d", &[1000.0, 100.0]).unwrap(),
            vec![-1, 0]
        );
        assert_eq!(r.tdigest().byrank("d", &[0, 99]).unwrap(), vec![1.0, 100.0]);
        assert_eq!(r.tdigest().byrevrank("d", &[0]).unwrap(), vec![100.0]);
        let di = r.tdigest().info("d").unwrap();
        assert_eq!((di.compression, di.observations), (100, 100), "{di:?}");
        assert_eq!(di.merged_weight + di.unmerged_weight, 100.0);
        assert!(r.tdigest().create("d2", 100).unwrap());
        assert!(r
            .tdigest()
            .merge("d3", &["d", "d2"], &Default::default())
            .unwrap());
        assert_eq!(r.tdigest().max("d3").unwrap(), 100.0);
        assert!(r.tdigest().reset("d").unwrap());
        assert!(r.tdigest().min("d").unwrap().is_nan());
    }
}

/// Checks each declared module command of `accessors` against the server's `COMMAND INFO`:
/// READONLY/WRITE as its flags say, and the declared key range as its first/last/step. Returns
/// how many were checked.
fn check_specs_against_command_info(r: &Redis, accessors: &[&str]) -> usize {
    use oxredis::commands::{module_specs, CommandFlags, KeySpec};
    let mut checked = 0;
    let mut failures = Vec::new();
    for (acc, spec) in module_specs().filter(|(a, _)| accessors.contains(a)) {
        // Container subcommands (JSON.DEBUG MEMORY, FT.CURSOR READ) are not listed on their own.
        if spec.name.contains(' ') {
            continue;
        }
        let info: Vec<oxredis::Value> = r.execute_command(("COMMAND", "INFO", spec.name)).unwrap();
        let oxredis::Value::Array(entry) = &info[0] else {
            failures.push(format!("{acc}: {} unknown to the server", spec.name));
            continue;
        };
        let flags: Vec<String> = match &entry[2] {
            oxredis::Value::Array(f) | oxredis::Value::Set(f) => f
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes().unwrap()).into_owned())
                .collect(),
            other => panic!("flags {other:?}"),
        };
        let int = |v: &oxredis::Value| match v {
            oxredis::Value::Int(i) => *i as i32,
            other => panic!("{other:?}"),
        };
        let (first, last, step) = (int(&entry[3]), int(&entry[4]), int(&entry[5]));
        if spec.flags.contains(CommandFlags::READONLY) != flags.iter().any(|f| f == "readonly") {
            failures.push(format!("{}: READONLY vs server flags {flags:?}", spec.name));
        }
        if spec.flags.contains(CommandFlags::WRITE) != flags.iter().any(|f| f == "write") {
            failures.push(format!("{}: WRITE vs server flags {flags:?}", spec.name));
        }
        let declared = match spec.keys {
            KeySpec::Range { first, last, step } => (first, last, step),
            KeySpec::None => (0, 0, 0),
            other => {
                // numkeys specs: the server's legacy range covers the destination only.
                checked += 1;
                let _ = other;
                continue;
            }
        };
        // JSON.MGET k1 k2 path: the module's legacy range names the first key only; the
        // declaration names every key (all but the last argument), as its key spec does.
        if spec.name == "JSON.MGET" && declared == (1, -2, 1) && (first, last, step) == (1, 1, 1) {
            checked += 1;
            continue;
        }
        if declared != (first, last, step) {
            failures.push(format!(
                "{}: keys {declared:?} vs server {:?}",
                spec.name,
                (first, last, step)
            ));
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    checked
}

#[test]
fn declared_module_specs_match_command_info() {
    let Some(s) = server("declared_module_specs_match_command_info") else {
        return;
    };
    let r = client(&s, Protocol::Resp2);
    let n = check_specs_against_command_info(&r, &["json", "bf", "cf", "cms", "topk", "tdigest"]);
    assert!(n >= 60, "{n} declarations checked");
}

#[test]
fn an_unencodable_json_value_is_refused_on_every_path() {
    let Some(s) = server("an_unencodable_json_value_is_refused_on_every_path") else {
        return;
    };
    let r = client(&s, Protocol::Resp2);
    let bad: BTreeMap<(u8, u8), u8> = BTreeMap::from([((1, 2), 3)]);
    // A pipeline refuses the whole batch before sending.
    let mut p = r.pipeline(false);
    p.set("pre", "1").json().set("bad", "$", &bad);
    assert_eq!(p.execute().unwrap_err().kind(), ErrorKind::Data);
    // A watched pipeline's immediate command and a dedicated connection too.
    let w = r.pipeline(true).watch("w").unwrap();
    assert_eq!(
        w.json().set("bad", "$", &bad).unwrap_err().kind(),
        ErrorKind::Data
    );
    drop(w);
    let mut conn = r.get_connection().unwrap();
    let cmd = oxredis::commands::module_build::json::set("bad", "$", &bad);
    assert_eq!(conn.request(&cmd).unwrap_err().kind(), ErrorKind::Data);
    let n: i64 = r.execute_command(("EXISTS", "pre", "bad")).unwrap();
    assert_eq!(n, 0, "nothing of the refused batch ran");
}
