//! Calls of the server group's methods, each with the reply it must give.

use std::time::{SystemTime, UNIX_EPOCH};

use super::*;

/// Asserts the layout every `<CMD> HELP` reply shares: a usage line, the subcommands (one of
/// them `subcommand`, at the start of its line), and `HELP` last.
pub(crate) fn assert_help(lines: &[String], command: &str, subcommand: &str) {
    assert_eq!(
        lines.first().map(String::as_str),
        Some(
            format!("{command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:").as_str()
        ),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with(subcommand)),
        "{command} HELP lacks {subcommand}: {lines:?}"
    );
    let n = lines.len();
    assert!(n > 4, "{lines:?}");
    assert_eq!(lines[n - 2], "HELP", "{lines:?}");
    // Redis says "Prints this help.", Valkey "Print this help.".
    assert!(lines[n - 1].trim_start().starts_with("Print"), "{lines:?}");
}

/// The local clock, in seconds since the epoch.
pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Asserts that a server timestamp is within a minute of the local clock (same machine).
pub(crate) fn assert_recent(ts: u64) {
    let now = now();
    assert!(ts + 60 >= now && ts <= now + 60, "{ts} vs local {now}");
}

fn text(v: &Value) -> &str {
    v.as_bytes()
        .and_then(|b| std::str::from_utf8(b).ok())
        .unwrap_or_else(|| panic!("not text: {v:?}"))
}

/// A map field of a structured reply.
fn field<'a>(map: &'a Value, name: &str) -> &'a Value {
    let Value::Map(fields) = map else {
        panic!("not a map: {map:?}")
    };
    fields
        .iter()
        .find(|(k, _)| k.as_bytes() == Some(name.as_bytes()))
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no {name} in {map:?}"))
}

fn texts(v: &Value) -> Vec<&str> {
    let Value::Array(items) = v else {
        panic!("not an array: {v:?}")
    };
    items.iter().map(text).collect()
}

fn port(r: &Redis) -> u16 {
    match &r.config().addr {
        oxredis::Addr::Tcp { port, .. } => *port,
        other => panic!("{other}"),
    }
}

/// The number of RDB saves and AOF rewrites done so far.
fn persistence_counts(r: &Redis) -> (i64, i64) {
    let p: HashMap<String, Value> = r.info("persistence").unwrap();
    let n = |f: &str| match p[f] {
        Value::Int(n) => n,
        ref other => panic!("{f}: {other:?}"),
    };
    (n("rdb_saves"), n("aof_rewrites"))
}

/// Waits until the server has done `saves` RDB saves and `rewrites` AOF rewrites, with no child
/// running.
fn wait_for_children(r: &Redis, saves: i64, rewrites: i64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let p: HashMap<String, Value> = r.info("persistence").unwrap();
        if p["rdb_saves"] == Value::Int(saves)
            && p["aof_rewrites"] == Value::Int(rewrites)
            && p["rdb_bgsave_in_progress"] == Value::Int(0)
            && p["aof_rewrite_in_progress"] == Value::Int(0)
        {
            assert_eq!(p["rdb_last_bgsave_status"], Value::Bulk("ok".into()));
            assert_eq!(p["aof_last_bgrewrite_status"], Value::Bulk("ok".into()));
            return;
        }
        assert!(
            Instant::now() < deadline,
            "background save still running: {p:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub(crate) fn server_cmds(r: &Redis) {
    // First: it clears the command statistics the coverage check reads afterwards (and the
    // latency histograms checked below).
    check!(r.config_resetstat() => true);
    let valkey = is_valkey(r);
    check!(r.ping() => true);
    // PING with a message answers the message (not a method of the table: PING takes none).
    let pong: Vec<u8> = r.execute_command(("PING", b"a\0\xff".as_slice())).unwrap();
    assert_eq!(pong, b"a\0\xff");
    check!(r.echo::<String>("hi") => "hi");
    let raw: &[u8] = b"a\0b\xff\xfe";
    check!(r.echo::<Vec<u8>>(raw) => raw.to_vec());
    check!(r.echo::<String>("") => "");

    let info = call!(r.info::<HashMap<String, Value>>("server"));
    assert_eq!(info["tcp_port"], Value::Int(port(r).into()));
    let mode = if is_valkey(r) {
        "server_mode"
    } else {
        "redis_mode"
    };
    assert_eq!(info[mode], Value::Bulk("standalone".into()), "{info:?}");
    assert_eq!(info["arch_bits"], Value::Int(64));
    assert!(
        matches!(info["uptime_in_seconds"], Value::Int(0..=600)),
        "{info:?}"
    );
    // No other section.
    assert!(!info.contains_key("used_memory"), "{info:?}");
    let version = if valkey {
        assert_eq!(info["server_name"], Value::Bulk("valkey".into()));
        // Valkey reports the Redis version it is compatible with, and its own.
        assert_eq!(info["redis_version"], Value::Bulk("7.2.4".into()));
        text(&info["valkey_version"]).to_owned()
    } else {
        assert!(!info.contains_key("valkey_version"));
        text(&info["redis_version"]).to_owned()
    };
    assert!(
        version.split('.').all(|n| n.parse::<u32>().is_ok()),
        "{version}"
    );

    check!(r.set("k", "v") => true);
    let ks = call!(r.info::<BTreeMap<String, BTreeMap<String, i64>>>("keyspace"));
    assert_eq!(ks.keys().collect::<Vec<_>>(), ["db0"]);
    assert_eq!(ks["db0"]["keys"], 1);
    assert_eq!(ks["db0"]["expires"], 0);
    assert_eq!(ks["db0"]["avg_ttl"], 0);
    check!(r.dbsize() => 1);
    // Several sections at once; the names are case-insensitive.
    let two = call!(r.info::<HashMap<String, Value>>(["CLIENTS", "memory"]));
    assert_eq!(two["connected_clients"], Value::Int(1));
    assert!(
        matches!(two["used_memory"], Value::Int(n) if n > 0),
        "{two:?}"
    );
    assert!(!two.contains_key("tcp_port"));

    check!(r.config_set([("maxmemory-samples", "7")]) => true);
    check!(r.config_get::<BTreeMap<String, String>>("maxmemory-samples") => BTreeMap::from([
        ("maxmemory-samples".to_owned(), "7".to_owned())
    ]));
    check!(r.config_get::<BTreeMap<String, String>>(["hz", "port"]) => BTreeMap::from([
        ("hz".to_owned(), "10".to_owned()),
        ("port".to_owned(), port(r).to_string()),
    ]));
    let mm = call!(r.config_get::<BTreeMap<String, String>>("maxmemory*"));
    assert_eq!(mm["maxmemory"], "0");
    assert_eq!(mm["maxmemory-policy"], "noeviction");
    assert_eq!(mm["maxmemory-samples"], "7");
    assert!(mm.keys().all(|k| k.starts_with("maxmemory")), "{mm:?}");
    check!(r.config_get::<BTreeMap<String, String>>("no-such-parameter") => BTreeMap::new());
    fails!(r.config_set([("no-such-parameter", "1")]) => "ERR");
    fails!(r.config_set([("maxmemory-samples", "not a number")]) => "ERR");
    check!(r.config_get::<BTreeMap<String, String>>("maxmemory-samples") => BTreeMap::from([
        ("maxmemory-samples".to_owned(), "7".to_owned())
    ]));
    check!(r.config_set([
        ("slowlog-log-slower-than", "0"),
        ("latency-monitor-threshold", "50")
    ]) => true);
    check!(r.config_get::<BTreeMap<String, String>>(["slowlog-log-slower-than", "latency-monitor-threshold"]) =>
    BTreeMap::from([
        ("latency-monitor-threshold".to_owned(), "50".to_owned()),
        ("slowlog-log-slower-than".to_owned(), "0".to_owned()),
    ]));
    // The test server runs without a config file.
    fails!(r.config_rewrite() => "ERR");
    let help = call!(r.config_help::<Vec<String>>());
    assert_help(&help, "CONFIG", "GET <pattern>");

    // Every command is slower than 0 µs: the reset itself, then each command, are logged.
    check!(r.slowlog_reset() => true);
    check!(r.ping() => true);
    let slow = call!(r.slowlog_get::<Vec<SlowLogEntry>>(Some(2)));
    // Newest first: PING, then the reset. (Ids go on from before the reset.)
    assert_eq!(slow.len(), 2, "{slow:?}");
    assert_eq!(slow[0].id, slow[1].id + 1, "{slow:?}");
    assert_eq!(slow[0].args, [b"PING".as_slice()], "{slow:?}");
    assert_eq!(slow[1].args, [b"SLOWLOG".as_slice(), b"RESET".as_slice()]);
    assert_eq!(slow[0].client_name, "");
    assert!(slow[0].client_addr.starts_with("127.0.0.1:"), "{slow:?}");
    assert_recent(slow[0].start_time);
    assert!(slow[0].duration_us < 1_000_000, "{slow:?}");
    check!(r.slowlog_len() => 3);
    check!(r.client_setname("slow-client") => true);
    check!(r.echo::<String>("named") => "named");
    // Count -1: every entry (ECHO, SETNAME, LEN, GET, PING, RESET).
    let slow = call!(r.slowlog_get::<Vec<SlowLogEntry>>(Some(-1)));
    let ids: Vec<u64> = slow.iter().map(|e| e.id).collect();
    let first = slow[5].id;
    assert_eq!(ids, (first..first + 6).rev().collect::<Vec<_>>());
    assert_eq!(slow[0].args, [b"ECHO".as_slice(), b"named".as_slice()]);
    assert_eq!(slow[0].client_name, "slow-client");
    assert_eq!(slow[5].args, [b"SLOWLOG".as_slice(), b"RESET".as_slice()]);
    // Without a count: up to ten, here all seven.
    let slow = call!(r.slowlog_get::<Vec<SlowLogEntry>>(None));
    assert_eq!(slow.len(), 7, "{slow:?}");
    check!(r.slowlog_reset() => true);
    check!(r.config_set([("slowlog-log-slower-than", "10000")]) => true);
    let help = call!(r.slowlog_help::<Vec<String>>());
    assert_help(&help, "SLOWLOG", "GET [<count>]");

    let (saves, rewrites) = persistence_counts(r);
    check!(r.save() => true);
    assert_recent(call!(r.lastsave()) as u64);
    // Half a second per key keeps the children running long enough to meet each other.
    check!(r.config_set([("rdb-key-save-delay", "500000")]) => true);
    check!(r.bgrewriteaof::<String>() => "Background append only file rewriting started");
    fails!(r.bgrewriteaof::<String>() => "ERR");
    // With SCHEDULE, the save waits for the rewrite; without, a running child is an error.
    check!(r.bgsave::<String>(true) => "Background saving scheduled");
    fails!(r.bgsave::<String>(false) => "ERR");
    wait_for_children(r, saves + 2, rewrites + 1);
    check!(r.bgsave::<String>(false) => "Background saving started");
    fails!(r.bgsave::<String>(false) => "ERR");
    check!(r.bgrewriteaof::<String>() => "Background append only file rewriting scheduled");
    wait_for_children(r, saves + 3, rewrites + 2);
    check!(r.config_set([("rdb-key-save-delay", "0")]) => true);
    assert_recent(call!(r.lastsave()) as u64);

    let (secs, micros) = call!(r.time());
    assert_recent(secs);
    assert!(micros < 1_000_000, "{micros}");

    check!(r.swapdb(0, 1) => true);
    check!(r.dbsize() => 0);
    check!(r.swapdb(0, 1) => true);
    check!(r.dbsize() => 1);
    fails!(r.swapdb(0, 100_000) => "ERR");

    check!(r.role::<(String, i64, Vec<Value>)>() => ("master".to_owned(), 0, vec![]));
    // Already a master: REPLICAOF NO ONE is a no-op that answers OK.
    check!(r.replicaof::<String>("NO", "ONE") => "OK");
    check!(r.slaveof::<String>("NO", "ONE") => "OK");
    fails!(r.replicaof::<String>("127.0.0.1", "not-a-port") => "ERR");
    fails!(r.failover::<String>(&FailoverOptions::default().abort()) => "ERR");
    // No replica connected.
    fails!(r.failover::<String>(
        &FailoverOptions::default()
            .to("127.0.0.1", 1, false)
            .timeout(10)
    ) => "ERR");
    // Without a replica FAILOVER never starts, but the server's message says which options
    // it was given.
    let refusal = |options: FailoverOptions| {
        let err = r.failover::<String>(&options).unwrap_err();
        err.server_error().unwrap().message().to_owned()
    };
    let fo = FailoverOptions::default;
    assert_eq!(refusal(fo().abort()), "No failover in progress.");
    assert_eq!(
        refusal(fo().to("127.0.0.1", 1, false).timeout(10)),
        "FAILOVER requires connected replicas."
    );
    assert_eq!(
        refusal(fo().timeout(0)),
        "FAILOVER timeout must be greater than 0"
    );
    // ABORT takes no other option.
    assert_eq!(
        refusal(fo().to("127.0.0.1", 1, false).abort()),
        "syntax error"
    );

    let server_name = if valkey { "Valkey" } else { "Redis" };
    let art = call!(r.lolwut::<String>(None));
    assert!(
        art.trim_end()
            .ends_with(&format!("{server_name} ver. {version}")),
        "{art}"
    );
    let art = call!(r.lolwut::<String>(Some(LolwutVersion(5))));
    assert!(
        art.trim_end().ends_with(&format!(
            "Georg Nees - schotter, plotter on paper, 1968. {server_name} ver. {version}"
        )),
        "{art}"
    );

    // "v" is a short string: embstr, one reference, 2 bytes serialized.
    let obj = call!(r.debug_object::<String>("k"));
    assert!(obj.starts_with("Value at:"), "{obj}");
    assert!(
        obj.contains(" refcount:1 encoding:embstr serializedlength:2 "),
        "{obj}"
    );
    fails!(r.debug_object::<String>("missing") => "ERR");
    // Slow commands so far (SAVE may take 50 ms on a busy machine) are forgotten first.
    let _earlier = call!(r.latency_reset(Vec::<String>::new()));
    check!(r.latency_latest::<Vec<Vec<Value>>>() => Vec::<Vec<Value>>::new());
    check!(r.debug_sleep(0.1) => true);

    // DEBUG SLEEP of 100 ms is over the 50 ms threshold: a `command` event.
    let before = now();
    let latest = call!(r.latency_latest::<Vec<Vec<Value>>>());
    let cmd = latest
        .iter()
        .find(|l| l[0] == Value::Bulk("command".into()))
        .unwrap_or_else(|| panic!("{latest:?}"));
    // Event, time, latest and maximum latency in ms (Valkey adds the sum and the count).
    assert_eq!(cmd.len(), if valkey { 6 } else { 4 }, "{cmd:?}");
    let Value::Int(ts) = cmd[1] else {
        panic!("{cmd:?}")
    };
    assert!(
        ts as u64 <= before + 1 && ts as u64 + 60 >= before,
        "{cmd:?}"
    );
    assert!(matches!(cmd[2], Value::Int(100..=5000)), "{cmd:?}");
    assert!(matches!(cmd[3], Value::Int(100..=5000)), "{cmd:?}");
    if valkey {
        assert_eq!(cmd[5], Value::Int(1), "{cmd:?}");
    }
    let history = call!(r.latency_history::<Vec<(i64, i64)>>("command"));
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0].0, ts);
    assert!((100..=5000).contains(&history[0].1), "{history:?}");
    check!(r.latency_history::<Vec<(i64, i64)>>("no-such-event") => vec![]);
    let graph = call!(r.latency_graph::<String>("command"));
    assert!(graph.starts_with("command - high "), "{graph}");
    fails!(r.latency_graph::<String>("no-such-event") => "ERR");
    let doctor = call!(r.latency_doctor::<String>());
    assert!(doctor.contains("1. command: 1 latency spikes"), "{doctor}");
    check!(r.set("k", "v") => true);
    // Two SETs since CONFIG RESETSTAT; the buckets (upper bounds in µs) count the calls at
    // or under their latency, cumulatively: the last one counts them all.
    let hist = call!(r.latency_histogram::<HashMap<String, HashMap<String, Value>>>(["set"]));
    assert_eq!(hist.keys().collect::<Vec<_>>(), ["set"]);
    assert_eq!(hist["set"]["calls"], Value::Int(2));
    let Value::Map(buckets) = &hist["set"]["histogram_usec"] else {
        panic!("{hist:?}")
    };
    let buckets: BTreeMap<i64, i64> = buckets
        .iter()
        .map(|(k, n)| match (k, n) {
            (Value::Int(k), Value::Int(n)) => (*k, *n),
            other => panic!("{other:?}"),
        })
        .collect();
    // The bucket bounds come from an HDR histogram: positive, but not always powers of two
    // (seen: 8, 16, 33), on both servers.
    assert!(buckets.keys().all(|&k| k > 0), "{buckets:?}");
    let counts: Vec<i64> = buckets.values().copied().collect();
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{buckets:?}");
    assert_eq!(counts.last(), Some(&2), "{buckets:?}");
    // A command never called has no histogram.
    check!(r.latency_histogram::<HashMap<String, HashMap<String, Value>>>(["lpush"]) => HashMap::new());
    check!(r.latency_reset(["command"]) => 1);
    check!(r.latency_reset(["command"]) => 0);
    // Others (fork...) depend on the machine's load; after resetting all, none is left.
    let _others = call!(r.latency_reset(Vec::<String>::new()));
    check!(r.latency_latest::<Vec<Vec<Value>>>() => Vec::<Vec<Value>>::new());
    let help = call!(r.latency_help::<Vec<String>>());
    assert_help(&help, "LATENCY", "DOCTOR");

    let stats = call!(r.memory_stats::<Value>());
    assert_eq!(field(&stats, "keys.count"), &Value::Int(1));
    assert!(
        matches!(field(field(&stats, "db.0"), "overhead.hashtable.main"), Value::Int(n) if *n > 0),
        "{stats:?}"
    );
    assert!(
        matches!(field(&stats, "peak.percentage"), Value::Double(p) if *p > 0.0 && *p <= 100.0),
        "{stats:?}"
    );
    assert!(
        matches!(field(&stats, "dataset.percentage"), Value::Double(p) if *p > 0.0 && *p <= 100.0),
        "{stats:?}"
    );
    assert!(
        matches!(field(&stats, "total.allocated"), Value::Int(n) if *n > 0),
        "{stats:?}"
    );
    let usage = call!(r.memory_usage("k", None)).unwrap();
    // A one-byte key and value: tens of bytes of overhead, not kilobytes.
    assert!((16..=200).contains(&usage), "{usage}");
    check!(r.set("big", "x".repeat(10_000)) => true);
    let big = call!(r.memory_usage("big", Some(Samples(0)))).unwrap();
    assert!((10_000..=11_000).contains(&big), "{big}");
    check!(r.memory_usage("nope", Some(Samples(0))) => None);
    // SAMPLES 0 sizes every element of an aggregate: 199 small fields and one of 100 kB come
    // to the big one plus some overhead. The default (5 sampled fields, scaled up) gives
    // either far less (the big one not sampled) or some megabytes (sampled).
    let fields: Vec<(String, String)> = (0..199)
        .map(|i| (format!("f{i}"), "x".to_owned()))
        .collect();
    check!(r.hset_mapping("agg", &fields) => 199);
    check!(r.hset("agg", "big", "y".repeat(100_000)) => 1);
    let all = call!(r.memory_usage("agg", Some(Samples(0)))).unwrap();
    assert!((100_000..=140_000).contains(&all), "{all}");
    check!(r.delete(["agg"]) => 1);
    let doctor = call!(r.memory_doctor::<String>());
    assert!(
        doctor.starts_with("Hi Sam, this instance is empty or is using very little memory"),
        "{doctor}"
    );
    let allocator: HashMap<String, Value> = r.info("memory").unwrap();
    let malloc = call!(r.memory_malloc_stats::<String>());
    if text(&allocator["mem_allocator"]).starts_with("jemalloc") {
        assert!(
            malloc.starts_with("___ Begin jemalloc statistics ___"),
            "{malloc}"
        );
    } else {
        assert_eq!(malloc, "Stats not supported for the current allocator");
    }
    check!(r.memory_purge() => true);
    let help = call!(r.memory_help::<Vec<String>>());
    assert_help(&help, "MEMORY", "USAGE <key>");

    let count = call!(r.command_count());
    assert!(count > 200, "{count}");
    let all = call!(r.command::<Vec<Value>>());
    assert_eq!(all.len() as i64, count);
    let info = call!(r.command_info::<Vec<Value>>(["get", "nosuchcommand"]));
    assert_eq!(info.len(), 2);
    assert_eq!(info[1], Value::Nil);
    let Value::Array(get) = &info[0] else {
        panic!("{info:?}")
    };
    // Name, arity, flags, first/last key and step, ACL categories, tips, key specs,
    // subcommands.
    assert_eq!(get.len(), 10, "{get:?}");
    assert_eq!(text(&get[0]), "get");
    assert_eq!(get[1], Value::Int(2));
    assert_eq!(texts(&get[2]), ["readonly", "fast"]);
    assert_eq!(&get[3..6], [Value::Int(1), Value::Int(1), Value::Int(1)]);
    assert_eq!(texts(&get[6]), ["@read", "@string", "@fast"]);
    assert_eq!(get[7], Value::Array(vec![]));
    let Value::Array(specs) = &get[8] else {
        panic!("{get:?}")
    };
    assert_eq!(specs.len(), 1);
    assert_eq!(texts(field(&specs[0], "flags")), ["RO", "access"]);
    let begin = field(&specs[0], "begin_search");
    assert_eq!(text(field(begin, "type")), "index");
    assert_eq!(field(field(begin, "spec"), "index"), &Value::Int(1));
    let find = field(&specs[0], "find_keys");
    assert_eq!(text(field(find, "type")), "range");
    let spec = field(find, "spec");
    assert_eq!(field(spec, "lastkey"), &Value::Int(0));
    assert_eq!(field(spec, "keystep"), &Value::Int(1));
    assert_eq!(field(spec, "limit"), &Value::Int(0));
    assert_eq!(get[9], Value::Array(vec![]));
    // Subcommands come in the server's (per-process random) dict order: compare them sorted.
    let xinfo = call!(r.command_info::<Vec<Vec<Value>>>(["xinfo"]));
    let Value::Array(subs) = &xinfo[0][9] else {
        panic!("{xinfo:?}")
    };
    let names: BTreeSet<&str> = subs
        .iter()
        .map(|s| match s {
            Value::Array(s) => text(&s[0]),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "xinfo|consumers",
            "xinfo|groups",
            "xinfo|help",
            "xinfo|stream"
        ])
    );

    let docs = call!(r.command_docs::<HashMap<String, Value>>(["get"]));
    assert_eq!(docs.keys().collect::<Vec<_>>(), ["get"]);
    let get = &docs["get"];
    assert_eq!(text(field(get, "since")), "1.0.0");
    assert_eq!(text(field(get, "group")), "string");
    assert_eq!(text(field(get, "complexity")), "O(1)");
    let Value::Array(args) = field(get, "arguments") else {
        panic!("{get:?}")
    };
    assert_eq!(args.len(), 1);
    assert_eq!(text(field(&args[0], "name")), "key");
    assert_eq!(text(field(&args[0], "type")), "key");
    assert_eq!(field(&args[0], "key_spec_index"), &Value::Int(0));
    let docs = call!(r.command_docs::<HashMap<String, HashMap<String, Value>>>(["xgroup"]));
    let Value::Map(subs) = &docs["xgroup"]["subcommands"] else {
        panic!("{docs:?}")
    };
    let names: BTreeSet<&str> = subs.iter().map(|(k, _)| text(k)).collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "xgroup|create",
            "xgroup|createconsumer",
            "xgroup|delconsumer",
            "xgroup|destroy",
            "xgroup|help",
            "xgroup|setid"
        ])
    );
    check!(r.command_docs::<HashMap<String, Value>>(["nosuchcommand"]) => HashMap::new());

    check!(r.command_getkeys::<Vec<String>>(("MSET", "a", "1", "b", "2")) => ["a", "b"]);
    check!(r.command_getkeys::<Vec<Vec<u8>>>(("GET", b"k\0\xff".as_slice())) =>
        vec![b"k\0\xff".to_vec()]);
    fails!(r.command_getkeys::<Vec<String>>(("PING",)) => "ERR");
    check!(r.command_getkeysandflags::<Vec<(String, Vec<String>)>>(("LMOVE", "a", "b", "LEFT", "RIGHT")) =>
    vec![
        ("a".to_owned(), vec!["RW".to_owned(), "access".to_owned(), "delete".to_owned()]),
        ("b".to_owned(), vec!["RW".to_owned(), "insert".to_owned()]),
    ]);

    // COMMAND LIST names subcommands too (`config|get`), so it is longer than COMMAND COUNT.
    let list = call!(r.command_list::<BTreeSet<String>>(None));
    assert!(list.len() as i64 > count, "{} vs {count}", list.len());
    assert!(
        list.contains("get") && list.contains("config|get"),
        "{list:?}"
    );
    check!(r.command_list::<BTreeSet<String>>(Some(CommandListFilter::Pattern("xinfo*".into()))) =>
        BTreeSet::from(["xinfo", "xinfo|consumers", "xinfo|groups", "xinfo|help", "xinfo|stream"]
            .map(str::to_owned)));
    check!(r.command_list::<BTreeSet<String>>(Some(CommandListFilter::AclCat("hyperloglog".into()))) =>
        BTreeSet::from(["pfadd", "pfcount", "pfdebug", "pfmerge", "pfselftest"].map(str::to_owned)));
    check!(r.command_list::<BTreeSet<String>>(Some(CommandListFilter::Module("nomodule".into()))) =>
        BTreeSet::new());
    let help = call!(r.command_help::<Vec<String>>());
    assert_help(&help, "COMMAND", "COUNT");

    let modules = call!(r.module_list::<Vec<HashMap<String, Value>>>());
    if valkey {
        // Valkey's Lua engine is a built-in module.
        assert_eq!(modules.len(), 1, "{modules:?}");
        assert_eq!(modules[0]["name"], Value::Bulk("lua".into()));
    } else {
        assert!(modules.is_empty(), "{modules:?}");
    }
    // MODULE LOAD is disabled (enable-module-command no), and there is no such file anyway.
    fails!(r.module_load("/nonexistent/module.so", Vec::<String>::new()) => "ERR");
    fails!(r.module_loadex("/nonexistent/module.so", ("CONFIG", "a", "b")) => "ERR");
    fails!(r.module_unload("nomodule") => "ERR");
    let help = call!(r.module_help::<Vec<String>>());
    assert_help(&help, "MODULE", "LIST");

    check!(r.dbsize() => 2);
    check!(r.flushdb_mode(FlushMode::Async) => true);
    check!(r.dbsize() => 0);
    check!(r.mset([("a", "1"), ("b", "2")]) => true);
    check!(r.swapdb(0, 1) => true);
    check!(r.set("c", "3") => true);
    // FLUSHDB empties only the current database; FLUSHALL every one.
    check!(r.flushdb() => true);
    check!(r.dbsize() => 0);
    check!(r.swapdb(0, 1) => true);
    check!(r.dbsize() => 2);
    check!(r.flushall(Some(FlushMode::Sync)) => true);
    check!(r.dbsize() => 0);
    check!(r.set("d", "4") => true);
    check!(r.flushall(None) => true);
    check!(r.dbsize() => 0);
    check!(r.flushdb() => true);
}

pub(crate) fn shutdown(r: &Redis) {
    // No shutdown is in progress to abort.
    fails!(r.shutdown::<String>(&ShutdownOptions::default().abort()) => "ERR");
    // ABORT takes no other option: the server's message tells each one was sent.
    let refusal = |options: ShutdownOptions| {
        let err = r.shutdown::<String>(&options).unwrap_err();
        err.server_error().unwrap().message().to_owned()
    };
    let so = ShutdownOptions::default;
    assert_eq!(refusal(so().abort()), "No shutdown in progress.");
    assert_eq!(refusal(so().abort().now()), "syntax error");
    assert_eq!(refusal(so().abort().force()), "syntax error");
    assert_eq!(refusal(so().abort().save(false)), "syntax error");
    assert_eq!(refusal(so().abort().save(true)), "syntax error");
    check!(r.ping() => true);
    // The server exits without replying: the client sees the connection drop (no error reply
    // for `fails!`, which recorded the method above).
    let gone = r.shutdown::<String>(&ShutdownOptions::default().save(false).now().force());
    let err = gone.unwrap_err();
    assert!(err.is_connection_error(), "{err}");
    let deadline = Instant::now() + Duration::from_secs(5);
    while r.ping().is_ok() {
        assert!(Instant::now() < deadline, "server still up after SHUTDOWN");
        std::thread::sleep(Duration::from_millis(10));
    }
}
