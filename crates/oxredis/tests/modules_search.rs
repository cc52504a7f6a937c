//! RediSearch commands against a live module (RediSearch 2.10 loaded into Valkey 9.1: it does
//! not initialise on Redis 7.0.15), on RESP2 and RESP3, blocking and async. Skipped visibly (a
//! `SKIP` line) when the module libraries cannot be fetched.
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::PROTOCOLS;
use oxredis::modules::search::{
    AggregateRequest, Field, IndexOptions, IndexType, Query, Reducer, VectorAlgorithm,
};
use oxredis::{Protocol, Redis};
use oxredis_test_support::{Modules, RedisServer};

fn server(test: &str) -> Option<RedisServer> {
    Modules::Search.start_or_skip(test)
}

fn client(server: &RedisServer, protocol: Protocol) -> Redis {
    Redis::builder()
        .url(&server.url())
        .unwrap()
        .protocol(protocol)
        .build()
}

const COLORS: [&str; 4] = ["red", "green", "blue", "black"];
const DOCS: usize = 1000;

/// Document `i`: title "item i" plus "special" for every 100th, color by `i % 4`, price `i`,
/// and a 2-d vector `[i, 0]`.
fn load_docs(r: &Redis) {
    let mut p = r.pipeline(false);
    for i in 0..DOCS {
        let title = if i % 100 == 0 {
            format!("special item {i}")
        } else {
            format!("item {i}")
        };
        let vec: Vec<u8> = [i as f32, 0.0]
            .iter()
            .flat_map(|f| f.to_le_bytes())
            .collect();
        p.hset_mapping(
            format!("doc:{i}"),
            (
                ("title", title),
                ("color", COLORS[i % 4]),
                ("price", i.to_string()),
                ("vec", vec),
            ),
        );
    }
    p.execute().unwrap();
}

fn schema() -> Vec<Field> {
    vec![
        Field::text("title").weight(2.0),
        Field::tag("color"),
        Field::numeric("price").sortable(),
        Field::vector(
            "vec",
            VectorAlgorithm::Flat,
            [("TYPE", "FLOAT32"), ("DIM", "2"), ("DISTANCE_METRIC", "L2")],
        ),
    ]
}

/// Polls FT.INFO until the initial scan is done.
fn wait_indexed(r: &Redis, index: &str) {
    let deadline = std::time::Instant::now() + common::WAIT;
    loop {
        let info = r.ft(index).info().unwrap();
        if !info.indexing && info.num_docs == DOCS as i64 {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not indexed: {info:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

fn ids(result: &oxredis::modules::search::SearchResult) -> BTreeSet<String> {
    result.docs.iter().map(|d| d.id.clone()).collect()
}

#[test]
fn seed_example_create_index_and_search_over_1000_hashes() {
    let Some(s) = server("seed_example_create_index_and_search_over_1000_hashes") else {
        return;
    };
    let setup = client(&s, Protocol::Resp2);
    load_docs(&setup);
    // redis-py: r.ft("my_index").create_index(schema)
    assert!(setup.ft("my_index").create_index(&schema()).unwrap());
    wait_indexed(&setup, "my_index");

    for proto in PROTOCOLS {
        let r = client(&s, proto);
        let ft = r.ft("my_index");

        // Text query: the 10 "special" documents.
        let res = ft
            .search(&Query::new("special").limit(0, 100).return_fields(["title"]))
            .unwrap();
        assert_eq!(res.total, 10, "{proto:?}");
        let expected: BTreeSet<String> = (0..10).map(|i| format!("doc:{}", i * 100)).collect();
        assert_eq!(ids(&res), expected);
        for d in &res.docs {
            let n = d.id.trim_start_matches("doc:");
            assert_eq!(d.get("title"), Some(format!("special item {n}").as_str()));
            assert_eq!(d.fields.len(), 1, "RETURN title only: {d:?}");
        }

        // Tag filter: every 4th document is red.
        let red = ft.search(&Query::new("@color:{red}").no_content()).unwrap();
        assert_eq!(red.total, 250, "{proto:?}");
        assert!(red.docs.iter().all(|d| d.fields.is_empty()));
        assert!(red.docs.iter().all(|d| {
            let n: usize = d.id.trim_start_matches("doc:").parse().unwrap();
            n % 4 == 0
        }));

        // Numeric range, sorted: prices 10..=19, via the query syntax and via FILTER.
        let range = ft
            .search(
                &Query::new("@price:[10 19]")
                    .sort_by("price", true)
                    .return_fields(["price"])
                    .limit(0, 20),
            )
            .unwrap();
        assert_eq!(range.total, 10);
        let prices: Vec<&str> = range.docs.iter().map(|d| d.get("price").unwrap()).collect();
        assert_eq!(
            prices,
            ["10", "11", "12", "13", "14", "15", "16", "17", "18", "19"]
        );
        let filtered = ft
            .search(&Query::new("@color:{green}").filter("price", 990.0, f64::INFINITY))
            .unwrap();
        // Green: i % 4 == 1; 990..=999: 993 and 997.
        assert_eq!(
            ids(&filtered),
            BTreeSet::from(["doc:993".into(), "doc:997".into()])
        );

        // KNN: the 3 vectors nearest to [500.2, 0] are 500, 501, 499, by distance.
        let knn = ft
            .search(
                &Query::new("*=>[KNN 3 @vec $v AS dist]")
                    .params([("v", &[500.2f32, 0.0][..])])
                    .sort_by("dist", true)
                    .return_fields(["dist", "price"])
                    .dialect(2),
            )
            .unwrap();
        assert_eq!(knn.total, 3, "{proto:?}");
        let order: Vec<&str> = knn.docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(order, ["doc:500", "doc:501", "doc:499"]);
        let d0: f64 = knn.docs[0].get("dist").unwrap().parse().unwrap();
        assert!((d0 - 0.04).abs() < 0.01, "squared L2 distance 0.2^2: {d0}");

        // Scores.
        let scored = ft
            .search(&Query::new("special").with_scores().no_content())
            .unwrap();
        assert_eq!(scored.docs.len(), 10);
        assert!(
            scored.docs.iter().all(|d| d.score.is_some_and(|s| s > 0.0)),
            "{proto:?}"
        );

        // Highlight and summarize.
        let hl = ft
            .search(
                &Query::new("special")
                    .limit_ids(["doc:100"])
                    .highlight(["title"], Some(("<b>", "</b>"))),
            )
            .unwrap();
        assert_eq!(hl.docs.len(), 1);
        assert_eq!(hl.docs[0].get("title"), Some("<b>special</b> item 100"));

        // Aggregation: count and average price per color.
        let agg = ft
            .aggregate(
                &AggregateRequest::new("*")
                    .group_by(
                        ["@color"],
                        [
                            Reducer::count().alias("n"),
                            Reducer::avg("@price").alias("avg"),
                            Reducer::max("@price").alias("max"),
                        ],
                    )
                    .sort_by([("@color", true)], None),
            )
            .unwrap();
        let rows: BTreeMap<String, (String, String, String)> = agg
            .rows
            .iter()
            .map(|row| {
                let t = |k: &str| String::from_utf8(row[k].to_vec()).unwrap();
                (t("color"), (t("n"), t("avg"), t("max")))
            })
            .collect();
        assert_eq!(agg.cursor, None);
        assert_eq!(rows.len(), 4, "{proto:?}: {agg:?}");
        // red: 0, 4, ..., 996 (avg 498); green 1..997 (499); blue (500); black (501).
        assert_eq!(rows["red"], ("250".into(), "498".into(), "996".into()));
        assert_eq!(rows["green"], ("250".into(), "499".into(), "997".into()));
        assert_eq!(rows["blue"], ("250".into(), "500".into(), "998".into()));
        assert_eq!(rows["black"], ("250".into(), "501".into(), "999".into()));

        // Aggregation through a cursor: 1000 rows, 300 at a time.
        let mut res = ft
            .aggregate(
                &AggregateRequest::new("@price:[0 999]")
                    .load(["@price"])
                    .apply("@price * 2", "double")
                    .with_cursor(Some(300), None),
            )
            .unwrap();
        let mut seen = res.rows.len();
        let mut reads = 0;
        while res.cursor.unwrap() != 0 {
            res = ft.cursor_read(res.cursor.unwrap(), 0).unwrap();
            seen += res.rows.len();
            reads += 1;
        }
        assert_eq!(seen, DOCS, "{proto:?}");
        assert_eq!(reads, 3, "300 + 300 + 300 + 100");
        let open = ft
            .aggregate(&AggregateRequest::new("*").with_cursor(Some(1), None))
            .unwrap();
        assert!(open.cursor.unwrap() > 0);
        assert!(ft.cursor_del(open.cursor.unwrap()).unwrap());
    }
}

#[test]
fn index_admin_aliases_dicts_synonyms_explain_profile() {
    let Some(s) = server("index_admin_aliases_dicts_synonyms_explain_profile") else {
        return;
    };
    for proto in PROTOCOLS {
        let r = client(&s, proto);
        r.execute_command::<()>(("FLUSHALL",)).unwrap();
        let places = [
            ("ann", "paris", "2.35,48.85"),
            ("bob", "rome", "12.49,41.89"),
            ("cat", "paris", "2.29,48.86"),
        ];
        for (i, (name, city, at)) in places.iter().enumerate() {
            let bio = format!("{name} lives in {city} and likes long walks by the river at dusk");
            r.hset_mapping(
                format!("u:{i}"),
                (
                    ("name", *name),
                    ("city", *city),
                    ("age", 20 + i),
                    ("at", *at),
                    ("bio", bio),
                ),
            )
            .unwrap();
        }
        r.hset("other:1", "name", "zed").unwrap();
        let ft = r.ft("users");
        assert!(ft
            .create_index_options(
                &[
                    Field::text("name").sortable(),
                    Field::tag("city"),
                    Field::numeric("age"),
                    Field::geo("at"),
                    Field::text("bio"),
                ],
                &IndexOptions::default().on(IndexType::Hash).prefix(["u:"]),
            )
            .unwrap());
        let deadline = std::time::Instant::now() + common::WAIT;
        while ft.info().unwrap().num_docs < 3 {
            assert!(std::time::Instant::now() < deadline);
        }
        let info = ft.info().unwrap();
        assert_eq!(info.index_name, "users");
        assert_eq!(info.num_docs, 3, "prefix u: only");
        let names: Vec<String> = info
            .attributes
            .iter()
            .map(|a| String::from_utf8(a["identifier"].as_bytes().unwrap().to_vec()).unwrap())
            .collect();
        assert_eq!(names, ["name", "city", "age", "at", "bio"], "{proto:?}");
        let flags: Vec<String> =
            oxredis::FromValue::from_value(info.attributes[0]["flags"].clone()).unwrap();
        assert_eq!(flags, ["SORTABLE"], "{proto:?}: {:?}", info.attributes[0]);
        let weight: f64 =
            oxredis::FromValue::from_value(info.attributes[0]["WEIGHT"].clone()).unwrap();
        assert_eq!(weight, 1.0);

        // Geo filter: within 10 km of central Paris.
        let near = ft
            .search(&Query::new("*").geo_filter("at", 2.35, 48.86, 10.0, "km"))
            .unwrap();
        assert_eq!(
            ids(&near),
            BTreeSet::from(["u:0".to_string(), "u:2".to_string()])
        );
        // Summarize: a fragment around the match, cut with "...".
        let summary = ft
            .search(
                &Query::new("@bio:river")
                    .limit_ids(["u:1"])
                    .return_fields(["bio"])
                    .summarize(["bio"]),
            )
            .unwrap();
        assert_eq!(summary.docs.len(), 1);
        let bio = summary.docs[0].get("bio").unwrap();
        assert!(
            bio.contains("river") && bio.ends_with("... "),
            "{proto:?}: {bio:?}"
        );

        let lists: Vec<String> = ft.list().unwrap();
        assert_eq!(lists, ["users"]);
        let mut cities: Vec<String> = ft.tagvals("city").unwrap();
        cities.sort();
        assert_eq!(cities, ["paris", "rome"]);

        // Aliases.
        assert!(ft.aliasadd("people").unwrap());
        let via_alias = r.ft("people").search(&Query::new("@city:{paris}")).unwrap();
        assert_eq!(via_alias.total, 2);
        assert!(ft.aliasupdate("people").unwrap());
        assert!(ft.aliasdel("people").unwrap());
        assert!(r.ft("people").search(&Query::new("*")).is_err());

        // Dictionaries.
        assert_eq!(ft.dict_add("d", ["x", "y", "z"]).unwrap(), 3);
        assert_eq!(ft.dict_del("d", ["y", "nope"]).unwrap(), 1);
        let mut terms: Vec<String> = ft.dict_dump("d").unwrap();
        terms.sort();
        assert_eq!(terms, ["x", "z"]);

        // Synonyms: "annie" finds ann.
        assert!(ft.synupdate("g1", false, ["ann", "annie"]).unwrap());
        let syn: BTreeMap<String, Vec<String>> = ft.syndump().unwrap();
        assert_eq!(syn["annie"], ["g1"]);
        assert_eq!(syn["ann"], ["g1"]);
        // The rescan that applies the group to indexed documents runs in the background.
        let deadline = std::time::Instant::now() + common::WAIT;
        let found = loop {
            let found = ft.search(&Query::new("annie")).unwrap();
            if found.total > 0 || std::time::Instant::now() > deadline {
                break found;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        assert_eq!(
            ids(&found),
            BTreeSet::from(["u:0".to_string()]),
            "{proto:?}"
        );

        // Explain and profile.
        let plan = ft.explain("@city:{paris} @age:[20 21]", None).unwrap();
        assert!(plan.contains("TAG:@city"), "{plan}");
        assert!(
            plan.contains("NUMERIC {20.000000 <= @age <= 21.000000}"),
            "{plan}"
        );
        let (result, profile) = ft
            .profile_search(&Query::new("@city:{paris}"), false)
            .unwrap();
        assert_eq!(result.total, 2, "{proto:?}");
        assert_eq!(
            ids(&result),
            BTreeSet::from(["u:0".to_string(), "u:2".to_string()])
        );
        assert!(!profile.is_nil(), "{proto:?}");
        let (agg, _) = ft
            .profile_aggregate(
                &AggregateRequest::new("*").group_by(["@city"], [Reducer::count().alias("n")]),
                true,
            )
            .unwrap();
        assert_eq!(agg.rows.len(), 2, "{proto:?}: {agg:?}");

        // Schema change, then drop with the documents.
        assert!(ft.alter_schema_add(&[Field::text("motto")]).unwrap());
        assert_eq!(ft.info().unwrap().attributes.len(), 6);
        assert!(ft.dropindex(true).unwrap());
        let left: i64 = r
            .execute_command(("EXISTS", "u:0", "u:1", "u:2", "other:1"))
            .unwrap();
        assert_eq!(left, 1, "DD deleted the indexed documents only");
    }
}

#[test]
fn json_index_and_async_search() {
    let Some(s) = server("json_index_and_async_search") else {
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
            a.execute_command::<()>(("FLUSHALL",)).await.unwrap();
            for (i, n) in ["apple pie", "banana split", "apple tart"]
                .iter()
                .enumerate()
            {
                let doc = serde_json::json!({"name": n, "price": i * 10});
                assert!(a.json().set(format!("j:{i}"), "$", &doc).await.unwrap());
            }
            assert!(a
                .ft("jidx")
                .create_index_options(
                    &[
                        Field::text("$.name").as_name("name"),
                        Field::numeric("$.price").as_name("price")
                    ],
                    &IndexOptions::default().on(IndexType::Json).prefix(["j:"]),
                )
                .await
                .unwrap());
            let deadline = std::time::Instant::now() + common::WAIT;
            while a.ft("jidx").info().await.unwrap().num_docs < 3 {
                assert!(std::time::Instant::now() < deadline);
            }
            let res = a
                .ft("jidx")
                .search(
                    &Query::new("@name:apple")
                        .sort_by("price", false)
                        .return_fields(["name"]),
                )
                .await
                .unwrap();
            assert_eq!(res.total, 2);
            let names: Vec<&str> = res.docs.iter().map(|d| d.get("name").unwrap()).collect();
            assert_eq!(names, ["apple tart", "apple pie"], "{proto:?}");
            // Pipelined search on the async client.
            let mut p = a.pipeline(false);
            p.ft("jidx").search(&Query::new("banana").no_content());
            let (found,): (oxredis::modules::search::SearchResult,) = p.query().await.unwrap();
            assert_eq!(found.docs.len(), 1);
            assert_eq!(found.docs[0].id, "j:1");
        }
    });
}

#[test]
fn declared_search_specs_match_command_info() {
    use oxredis::commands::{module_specs, CommandFlags};
    let Some(s) = server("declared_search_specs_match_command_info") else {
        return;
    };
    let r = client(&s, Protocol::Resp2);
    let mut checked = 0;
    let mut failures = Vec::new();
    for (_, spec) in module_specs().filter(|(a, _)| *a == "ft") {
        if spec.name.contains(' ') {
            continue;
        }
        let info: Vec<oxredis::Value> = r.execute_command(("COMMAND", "INFO", spec.name)).unwrap();
        let oxredis::Value::Array(entry) = &info[0] else {
            failures.push(format!("{} unknown to the server", spec.name));
            continue;
        };
        let oxredis::Value::Array(flags) = &entry[2] else {
            panic!("{entry:?}")
        };
        let flags: Vec<String> = flags
            .iter()
            .map(|f| String::from_utf8_lossy(f.as_bytes().unwrap()).into_owned())
            .collect();
        if spec.flags.contains(CommandFlags::READONLY) != flags.iter().any(|f| f == "readonly") {
            failures.push(format!("{}: READONLY vs server flags {flags:?}", spec.name));
        }
        if spec.flags.contains(CommandFlags::WRITE) != flags.iter().any(|f| f == "write") {
            failures.push(format!("{}: WRITE vs server flags {flags:?}", spec.name));
        }
        let server_keys = (&entry[3], &entry[4], &entry[5]);
        let declared = match spec.keys {
            oxredis::commands::KeySpec::Range { first, last, step } => (first, last, step),
            _ => (0, 0, 0),
        };
        let int = |v: &oxredis::Value| match v {
            oxredis::Value::Int(i) => *i as i32,
            other => panic!("{other:?}"),
        };
        let server_keys = (int(server_keys.0), int(server_keys.1), int(server_keys.2));
        if declared != server_keys {
            failures.push(format!(
                "{}: keys {declared:?} vs server {server_keys:?}",
                spec.name
            ));
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 20, "{checked}");
}
