//! The command table against a real server: coverage of the server's COMMAND table, key
//! positions and flags, every declared command called on RESP2 and RESP3 with the same results,
//! and the lazy SCAN iterators.
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};

use oxredis::commands::options::*;
use oxredis::commands::{build, command_specs, CommandFlags, KeySpec};
use oxredis::types::{
    ClientInfo, GeoSearchResult, PendingEntry, PendingSummary, SlowLogEntry, StreamEntry,
};
use oxredis::{Cmd, ErrorKind, Expiry, Protocol, Redis, ScanOptions, Value};
use oxredis_test_support::RedisServer;

/// Commands of the server's table this crate does not declare, and why. Other surfaces remove
/// their entries as they land.
const NOT_SUPPORTED: &[(&str, &str)] = &[
    ("SUBSCRIBE", "belongs to PubSub type"),
    ("PSUBSCRIBE", "belongs to PubSub type"),
    ("SSUBSCRIBE", "belongs to PubSub type"),
    ("UNSUBSCRIBE", "belongs to PubSub type"),
    ("PUNSUBSCRIBE", "belongs to PubSub type"),
    ("SUNSUBSCRIBE", "belongs to PubSub type"),
    ("MULTI", "belongs to Pipeline type"),
    ("EXEC", "belongs to Pipeline type"),
    ("DISCARD", "belongs to Pipeline type"),
    ("WATCH", "belongs to Pipeline type"),
    ("UNWATCH", "belongs to Pipeline type"),
    (
        "MONITOR",
        "belongs to Monitor type: the connection becomes a stream of events",
    ),
    (
        "SYNC",
        "replication protocol: the connection becomes a replication stream",
    ),
    (
        "PSYNC",
        "replication protocol: the connection becomes a replication stream",
    ),
    ("REPLCONF", "replication protocol, only sent by replicas"),
    (
        "QUIT",
        "closes a pooled connection under the pool; dropping the client does it",
    ),
    (
        "RESET",
        "drops the handshake state (db, name, protocol, auth) of a pooled connection",
    ),
    (
        "HELLO",
        "switches a pooled connection's protocol behind its decoder; set `protocol` in the config",
    ),
    (
        "AUTH",
        "re-authenticates one arbitrary pooled connection; set username/password in the config",
    ),
    (
        "SELECT",
        "changes the database of one arbitrary pooled connection; set `db` in the config",
    ),
];

fn client(server: &RedisServer, protocol: Protocol) -> Redis {
    // One connection, so connection-state commands (CLIENT SETNAME, TRACKING...) see each other.
    Redis::builder()
        .url(&server.url())
        .unwrap()
        .protocol(protocol)
        .max_connections(1)
        .build()
}

/// `(name, flags, first, last, step, subcommands)` of each entry of a COMMAND reply.
struct TableEntry {
    name: String,
    flags: BTreeSet<String>,
    first: i64,
    last: i64,
    step: i64,
}

fn text(v: &Value) -> String {
    String::from_utf8_lossy(v.as_bytes().unwrap_or_default()).into_owned()
}

/// Leaf commands go to `out`; commands with subcommands (ACL, CONFIG...) to `containers`.
fn table_entries(
    v: &Value,
    parent: Option<&str>,
    out: &mut Vec<TableEntry>,
    containers: &mut Vec<TableEntry>,
) {
    let Value::Array(items) = v else {
        panic!("bad COMMAND entry {v:?}")
    };
    let raw = text(&items[0]);
    let name = match parent {
        Some(_) => raw.replace('|', " ").to_uppercase(),
        None => raw.to_uppercase(),
    };
    let Value::Array(subs) = &items[9] else {
        panic!("{:?}", &items[9])
    };
    let Value::Array(flags) = &items[2] else {
        panic!()
    };
    let int = |i: usize| match items[i] {
        Value::Int(n) => n,
        ref o => panic!("{o:?}"),
    };
    let entry = TableEntry {
        name: name.clone(),
        flags: flags.iter().map(text).collect(),
        first: int(3),
        last: int(4),
        step: int(5),
    };
    if subs.is_empty() {
        out.push(entry);
    } else {
        containers.push(entry);
        for s in subs {
            table_entries(s, Some(&name), out, containers);
        }
    }
}

/// The leaf commands of the server's table, and the containers of subcommands.
fn server_table(r: &Redis) -> (Vec<TableEntry>, Vec<TableEntry>) {
    let table: Value = r.command().unwrap();
    let Value::Array(cmds) = table else { panic!() };
    let (mut out, mut containers) = (Vec::new(), Vec::new());
    for c in &cmds {
        table_entries(c, None, &mut out, &mut containers);
    }
    (out, containers)
}

/// Whether a declaration covers a table entry: the same words, or a DEBUG-style command whose
/// sub-words are plain arguments.
fn covers(spec_name: &str, entry: &str) -> bool {
    spec_name == entry || (!entry.contains(' ') && spec_name.split(' ').next() == Some(entry))
}

#[test]
fn the_server_command_table_is_covered_with_matching_keys_and_flags() {
    let server = RedisServer::new();
    let r = client(&server, Protocol::Resp2);
    let (table, containers) = server_table(&r);
    let specs: Vec<_> = command_specs().collect();
    let not_supported: HashMap<&str, &str> = NOT_SUPPORTED.iter().copied().collect();

    let mut missing = Vec::new();
    let mut declared = 0;
    for e in &table {
        let is_declared = specs.iter().any(|s| covers(s.name, &e.name));
        if is_declared {
            declared += 1;
            assert!(
                !not_supported.contains_key(e.name.as_str()),
                "{} is declared: remove it from NOT_SUPPORTED",
                e.name
            );
        } else if !not_supported.contains_key(e.name.as_str()) {
            missing.push(e.name.clone());
        }
    }
    for name in not_supported.keys() {
        assert!(
            table.iter().any(|e| e.name == *name),
            "{name} is not in the server's table"
        );
    }
    println!(
        "declared {declared}/{} commands of the server's table ({} declarations, {} not supported)",
        table.len(),
        specs.len(),
        NOT_SUPPORTED.len()
    );
    assert!(
        missing.is_empty(),
        "neither declared nor listed as not supported: {missing:?}"
    );

    let mut mismatches = Vec::new();
    for spec in &specs {
        // A container callable by itself (bare `COMMAND`) is checked like a leaf.
        let Some(e) = table
            .iter()
            .chain(&containers)
            .find(|e| e.name == spec.name)
        else {
            assert!(
                table.iter().any(|e| covers(spec.name, &e.name)),
                "{} is declared but not in the server's table",
                spec.name
            );
            continue;
        };
        for (flag, word) in [
            (CommandFlags::READONLY, "readonly"),
            (CommandFlags::WRITE, "write"),
            (CommandFlags::BLOCKING, "blocking"),
        ] {
            if spec.flags.contains(flag) != e.flags.contains(word) {
                mismatches.push(format!("{}: {word} flag differs", spec.name));
            }
        }
        if e.flags.contains("movablekeys") {
            // Checked against COMMAND GETKEYS on samples below.
            assert!(
                !matches!(spec.keys, KeySpec::Range { .. } | KeySpec::None)
                    || spec.name == "SORT_RO",
                "{} has movable keys but a fixed key spec",
                spec.name
            );
            continue;
        }
        let expected = if e.first == 0 {
            KeySpec::None
        } else {
            KeySpec::Range {
                first: e.first as i32,
                last: e.last as i32,
                step: e.step as i32,
            }
        };
        if spec.keys != expected {
            mismatches.push(format!(
                "{}: keys {:?}, server {:?}",
                spec.name, spec.keys, expected
            ));
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

/// One sample command line per movable-keys declaration, checked against COMMAND GETKEYS.
fn movable_key_samples() -> Vec<Cmd> {
    let none: &[&str] = &[];
    vec![
        build::sort("src", &SortOptions::default().alpha().store("dst")),
        build::sort("src", &SortOptions::default()),
        build::sort_ro("src", &SortOptions::default().by("w_*").get("#")),
        build::eval("return 1", &["k1", "k2"], ["a1", "a2"]),
        build::eval_ro("return 1", &["k1"], none),
        build::evalsha(
            "0000000000000000000000000000000000000000",
            &["k1", "k2"],
            ["a"],
        ),
        build::evalsha_ro("0000000000000000000000000000000000000000", &["k1"], none),
        build::fcall("f", &["k1", "k2"], ["a"]),
        build::fcall_ro("f", &["k1"], ["a"]),
        build::georadius(
            "geo",
            1.0,
            2.0,
            3.0,
            GeoUnit::Km,
            &GeoRadiusOptions::default().store("dst", false),
        ),
        build::georadius(
            "geo",
            1.0,
            2.0,
            3.0,
            GeoUnit::Km,
            &GeoRadiusOptions::default().withdist().store("dst", true),
        ),
        build::georadius(
            "geo",
            1.0,
            2.0,
            3.0,
            GeoUnit::Km,
            &GeoRadiusOptions::default().count(3, false),
        ),
        build::georadiusbymember(
            "geo",
            "m",
            3.0,
            GeoUnit::M,
            &GeoRadiusOptions::default().store("dst", false),
        ),
        build::georadiusbymember("geo", "m", 3.0, GeoUnit::M, &GeoRadiusOptions::default()),
        build::migrate(
            "127.0.0.1",
            1,
            ["k1", "k2"],
            0,
            100,
            &MigrateOptions::default().copy(),
        ),
        build::xread(
            &[("s1", "0"), ("s2", "$")],
            &XReadOptions::default().count(2).block(10),
        ),
        build::xread(&[("s1", "0")], &XReadOptions::default()),
        build::xreadgroup(
            "g",
            "c",
            &[("s1", ">"), ("s2", ">")],
            &XReadOptions::default().noack(),
        ),
        build::zunion(&["z1", "z2"], &ZAggregateOptions::default().withscores()),
        build::zinter(&["z1"], &ZAggregateOptions::default().weights(&[2.0]).max()),
        build::zdiff(&["z1", "z2", "z3"], true),
        build::zunionstore("d", &["z1", "z2"], &ZAggregateOptions::default()),
        build::zinterstore("d", &["z1", "z2"], &ZAggregateOptions::default().sum()),
        build::zdiffstore("d", &["z1", "z2"]),
        build::zintercard(&["z1", "z2"], Some(Limit1(3))),
        build::sintercard(&["s1", "s2"], None),
        build::lmpop(&["l1", "l2"], Direction::Left, Some(Count(2))),
        build::blmpop(0.5, &["l1", "l2"], Direction::Right, None),
        build::zmpop(&["z1", "z2"], MinMax::Min, None),
        build::bzmpop(0.5, &["z1"], MinMax::Max, Some(Count(1))),
    ]
}

#[test]
fn movable_key_specs_find_the_keys_command_getkeys_finds() {
    let server = RedisServer::new();
    let r = client(&server, Protocol::Resp3);
    let (table, _) = server_table(&r);
    let samples = movable_key_samples();
    let sampled: HashSet<&str> = samples.iter().map(|c| c.spec().name).collect();
    for e in table.iter().filter(|e| e.flags.contains("movablekeys")) {
        let declared = command_specs().any(|s| s.name == e.name);
        assert!(
            !declared || sampled.contains(e.name.as_str()),
            "no GETKEYS sample for {}",
            e.name
        );
    }
    for cmd in &samples {
        let ours: Vec<Vec<u8>> = cmd.keys().into_iter().map(<[u8]>::to_vec).collect();
        let server_keys: Vec<Vec<u8>> = match r.command_getkeys::<Vec<Vec<u8>>>(cmd) {
            Ok(k) => k,
            // "Invalid arguments specified" / no keys: the server finds none.
            Err(e) if e.kind() == ErrorKind::Response => Vec::new(),
            Err(e) => panic!("{e}"),
        };
        assert_eq!(ours, server_keys, "keys of {cmd:?}");
    }
}

/// Logs `expr => value` (unwrapped); mismatches between protocols then name the call.
macro_rules! l {
    ($log:ident, $e:expr) => {{
        let v = $e.unwrap_or_else(|e| panic!("{}: {e}", stringify!($e)));
        $log.push(format!("{} => {:?}", stringify!($e), v));
        v
    }};
}

/// Logs `expr => error code`.
macro_rules! e {
    ($log:ident, $e:expr) => {{
        let err = match $e {
            Ok(v) => panic!("{} succeeded: {v:?}", stringify!($e)),
            Err(err) => err,
        };
        $log.push(format!(
            "{} => {:?} {:?}",
            stringify!($e),
            err.kind(),
            err.code()
        ));
    }};
}

type Log = Vec<String>;

fn strings(r: &Redis) -> Log {
    let mut log = Log::new();
    l!(log, r.set("s", "hello"));
    l!(log, r.append("s", " world"));
    l!(log, r.strlen("s"));
    l!(log, r.getrange::<String>("s", 0, 4));
    l!(log, r.substr::<String>("s", -5, -1));
    l!(log, r.setrange("s", 6, "WORLD"));
    l!(log, r.get::<String>("s"));
    l!(log, r.getset::<String>("s", "v2"));
    l!(log, r.getdel::<Option<String>>("s"));
    l!(log, r.getdel::<Option<String>>("s"));
    l!(log, r.set("ex", "1"));
    l!(
        log,
        r.getex::<String>("ex", &GetExOptions::default().expiry(Expiry::Ex(100)))
    );
    l!(log, r.ttl("ex"));
    l!(
        log,
        r.getex::<String>("ex", &GetExOptions::default().persist())
    );
    l!(log, r.ttl("ex"));
    l!(
        log,
        r.getex::<String>(
            "ex",
            &GetExOptions::default().expiry(Expiry::PxAt(4_000_000_000_000))
        )
    );
    l!(log, r.incrbyfloat("f", 1.5));
    l!(log, r.incrbyfloat("f", -0.25));
    l!(log, r.incr("n"));
    l!(log, r.incrby("n", 5));
    l!(log, r.decr("n"));
    l!(log, r.decrby("n", 2));
    l!(log, r.setex("se", 100, "v"));
    l!(log, r.ttl("se"));
    l!(log, r.psetex("pse", 100_000, "v"));
    l!(log, r.pttl("pse").map(|t| t > 90_000));
    l!(log, r.setnx("nx", "a"));
    l!(log, r.setnx("nx", "b"));
    l!(log, r.mset([("a", "ohmytext"), ("b", "mynewtext")]));
    l!(log, r.msetnx([("a", "x"), ("zz", "y")]));
    l!(log, r.mget::<Vec<Option<String>>>(["a", "b", "nope"]));
    l!(log, r.lcs::<String>("a", "b", &LcsOptions::default()));
    l!(log, r.lcs::<i64>("a", "b", &LcsOptions::default().len()));
    l!(
        log,
        r.lcs::<Value>(
            "a",
            "b",
            &LcsOptions::default().idx().minmatchlen(2).withmatchlen()
        )
    );
    l!(
        log,
        r.set_options::<bool>("o", "1", &SetOptions::default().nx())
    );
    e!(log, r.incr("a"));
    log
}

fn bitmaps(r: &Redis) -> Log {
    let mut log = Log::new();
    l!(log, r.setbit("b", 7, true));
    l!(log, r.setbit("b", 7, true));
    l!(log, r.getbit("b", 7));
    l!(log, r.getbit("b", 100));
    l!(log, r.set("foobar", "foobar"));
    l!(log, r.bitcount("foobar", None));
    l!(
        log,
        r.bitcount(
            "foobar",
            Some(BitRange {
                start: 1,
                end: 1,
                bit: false
            })
        )
    );
    l!(
        log,
        r.bitcount(
            "foobar",
            Some(BitRange {
                start: 5,
                end: 30,
                bit: true
            })
        )
    );
    l!(log, r.bitpos("b", true, None));
    l!(
        log,
        r.bitpos(
            "foobar",
            false,
            Some(BitRange {
                start: 2,
                end: -1,
                bit: false
            })
        )
    );
    l!(log, r.set("k1", "foobar"));
    l!(log, r.set("k2", "abcdef"));
    l!(log, r.bitop(BitOperation::And, "dest", ["k1", "k2"]));
    l!(log, r.get::<Vec<u8>>("dest"));
    l!(log, r.bitop(BitOperation::Not, "dest", ["k1"]));
    let ops = BitFieldOperations::default()
        .set("u8", 0, 200)
        .incrby("u8", 0, 100)
        .get("u8", 0);
    l!(log, r.bitfield::<Vec<i64>>("bf", &ops));
    let sat = BitFieldOperations::default()
        .overflow("SAT")
        .incrby("u8", "#1", 300);
    l!(log, r.bitfield::<Vec<i64>>("bf", &sat));
    let get = BitFieldOperations::default().get("u8", 0).get("i4", 8);
    l!(log, r.bitfield_ro::<Vec<i64>>("bf", &get));
    log
}

fn keys(r: &Redis) -> Log {
    let mut log = Log::new();
    l!(log, r.mset([("k1", "1"), ("k2", "2"), ("k3", "3")]));
    l!(log, r.exists(["k1", "k2", "nope"]));
    l!(log, r.type_::<String>("k1"));
    l!(log, r.type_::<String>("nope"));
    l!(log, r.keys::<BTreeSet<String>>("k*"));
    l!(log, r.touch(["k1", "nope"]));
    l!(log, r.expire("k1", 100));
    l!(log, r.expire_if("k1", 50, ExpireCondition::Gt));
    l!(log, r.expire_if("k1", 50, ExpireCondition::Lt));
    l!(log, r.ttl("k1"));
    l!(log, r.pexpire("k2", 100_000, None));
    l!(log, r.pexpire("k2", 100_000, Some(ExpireCondition::Nx)));
    l!(log, r.expireat("k3", 4_000_000_000, None));
    l!(log, r.expiretime("k3"));
    l!(
        log,
        r.pexpireat("k3", 4_000_000_000_123, Some(ExpireCondition::Xx))
    );
    l!(log, r.pexpiretime("k3"));
    l!(log, r.persist("k3"));
    l!(log, r.persist("k3"));
    l!(log, r.expiretime("k3"));
    l!(log, r.pttl("nope"));
    l!(log, r.copy("k3", "k4", &CopyOptions::default()));
    l!(log, r.copy("k3", "k4", &CopyOptions::default()));
    l!(log, r.copy("k3", "k4", &CopyOptions::default().replace()));
    l!(log, r.copy("k3", "k4", &CopyOptions::default().db(1)));
    l!(log, r.rename("k4", "k5"));
    e!(log, r.rename("nope", "k6"));
    l!(log, r.renamenx("k5", "k3"));
    l!(log, r.renamenx("k5", "k6"));
    l!(log, r.move_("k6", 2));
    l!(log, r.move_("k6", 2));
    l!(log, r.unlink(["k6", "k2"]));
    l!(log, r.delete(["k1", "nope"]));
    let dumped: Vec<u8> = l!(log, r.dump("k3"));
    l!(log, r.dump::<Option<Vec<u8>>>("nope"));
    l!(log, r.restore("r1", 0, &dumped, &RestoreOptions::default()));
    e!(log, r.restore("r1", 0, &dumped, &RestoreOptions::default()));
    l!(
        log,
        r.restore(
            "r1",
            0,
            &dumped,
            &RestoreOptions::default().replace().idletime(10)
        )
    );
    l!(
        log,
        r.restore_asking("r2", 100_000, &dumped, &RestoreOptions::default())
    );
    l!(log, r.get::<String>("r1"));
    l!(log, r.object_encoding::<String>("r1"));
    l!(log, r.object_refcount("r1"));
    l!(log, r.object_idletime("r1").map(|i| i < 100));
    e!(log, r.object_freq("r1"));
    l!(log, r.object_help::<Vec<String>>().map(|h| !h.is_empty()));
    l!(log, r.rpush("sortme", ["3", "1", "2"]));
    l!(log, r.mset([("w_1", "30"), ("w_2", "20"), ("w_3", "10")]));
    l!(
        log,
        r.sort::<Vec<String>>("sortme", &SortOptions::default())
    );
    l!(
        log,
        r.sort::<Vec<String>>("sortme", &SortOptions::default().desc().limit(0, 2))
    );
    l!(
        log,
        r.sort::<Vec<String>>(
            "sortme",
            &SortOptions::default().by("w_*").get("#").get("w_*")
        )
    );
    l!(
        log,
        r.sort::<i64>("sortme", &SortOptions::default().alpha().store("sorted"))
    );
    l!(
        log,
        r.sort_ro::<Vec<String>>("sortme", &SortOptions::default().desc())
    );
    l!(log, r.wait(0, 10));
    l!(log, r.flushdb());
    l!(log, r.randomkey::<Option<String>>());
    l!(log, r.set("only", "1"));
    l!(log, r.randomkey::<Option<String>>());
    let (cursor, page): (u64, Vec<String>) = l!(log, r.scan(0, &ScanOptions::default().count(10)));
    assert_eq!((cursor, page), (0, vec!["only".to_owned()]));
    log
}

fn hashes(r: &Redis) -> Log {
    let mut log = Log::new();
    l!(log, r.hset("h", "f1", "v1"));
    l!(log, r.hset_mapping("h", [("f2", "2"), ("f3", "3.5")]));
    l!(log, r.hmset("h", [("f4", "v4")]));
    l!(log, r.hget::<Option<String>>("h", "f1"));
    l!(log, r.hgetall::<BTreeMap<String, String>>("h"));
    l!(
        log,
        r.hgetall::<Value>("h")
            .map(|v| matches!(v, Value::Map(ref m) if m.len() == 4))
    );
    l!(log, r.hexists("h", "f1"));
    l!(log, r.hexists("h", "nope"));
    l!(log, r.hincrby("h", "f2", 5));
    l!(log, r.hincrbyfloat("h", "f3", 1.25));
    l!(log, r.hkeys::<BTreeSet<String>>("h"));
    l!(log, r.hvals::<BTreeSet<String>>("h"));
    l!(log, r.hlen("h"));
    l!(log, r.hmget::<Vec<Option<String>>>("h", ["f1", "nope"]));
    l!(log, r.hsetnx("h", "f1", "x"));
    l!(log, r.hsetnx("h", "f5", "x"));
    l!(log, r.hstrlen("h", "f1"));
    l!(log, r.hdel("h", ["f5", "nope"]));
    let one: String = r.hrandfield("h").unwrap();
    l!(log, Ok::<_, oxredis::Error>(one.starts_with('f')));
    l!(log, r.hrandfield::<Option<String>>("nope"));
    l!(log, r.hrandfield_count::<BTreeSet<String>>("h", 10));
    l!(
        log,
        r.hrandfield_withvalues::<Vec<(String, String)>>("h", 10)
            .map(|v| v.into_iter().collect::<BTreeMap<_, _>>())
    );
    l!(
        log,
        r.hrandfield_withvalues::<Vec<(String, String)>>("h", -2)
            .map(|v| v.len())
    );
    let (cursor, page): (u64, BTreeMap<String, String>) =
        l!(log, r.hscan("h", 0, &ScanOptions::default().pattern("f*")));
    assert_eq!((cursor, page.len()), (0, 4));
    log
}

fn lists(r: &Redis) -> Log {
    let mut log = Log::new();
    l!(log, r.rpush("l", ["a", "b", "c", "b"]));
    l!(log, r.lpush("l", ["z"]));
    l!(log, r.lpushx("nope", ["z"]));
    l!(log, r.rpushx("l", ["y"]));
    l!(log, r.lrange::<Vec<String>>("l", 0, -1));
    l!(log, r.llen("l"));
    l!(log, r.lindex::<Option<String>>("l", 1));
    l!(log, r.lindex::<Option<String>>("l", 100));
    l!(log, r.linsert("l", InsertPosition::Before, "c", "bc"));
    l!(log, r.linsert("l", InsertPosition::After, "nope", "x"));
    l!(log, r.lset("l", 0, "first"));
    l!(
        log,
        r.lpos::<Option<i64>>("l", "b", &LposOptions::default())
    );
    l!(
        log,
        r.lpos::<Option<i64>>("l", "b", &LposOptions::default().rank(-1))
    );
    l!(
        log,
        r.lpos::<Vec<i64>>("l", "b", &LposOptions::default().count(0))
    );
    l!(
        log,
        r.lpos::<Vec<i64>>("l", "b", &LposOptions::default().count(1).maxlen(3))
    );
    l!(
        log,
        r.lpos::<Option<i64>>("l", "nope", &LposOptions::default())
    );
    l!(log, r.lrem("l", 1, "b"));
    l!(log, r.ltrim("l", 0, 3));
    l!(log, r.lrange::<Vec<String>>("l", 0, -1));
    l!(log, r.lpop::<Option<String>>("l", None));
    l!(log, r.rpop::<Vec<String>>("l", Some(2)));
    l!(log, r.lpop::<Option<Vec<String>>>("nope", Some(2)));
    l!(log, r.rpush("src", ["1", "2", "3", "4"]));
    l!(
        log,
        r.lmove::<String>("src", "dst", Direction::Left, Direction::Right)
    );
    l!(
        log,
        r.blmove::<String>("src", "dst", Direction::Right, Direction::Left, 0.01)
    );
    l!(log, r.rpoplpush::<String>("src", "dst"));
    l!(log, r.brpoplpush::<String>("src", "dst", 0.01));
    l!(log, r.brpoplpush::<Option<String>>("src", "dst", 0.01));
    l!(log, r.lrange::<Vec<String>>("dst", 0, -1));
    l!(
        log,
        r.blpop::<Option<(String, String)>>(["nope", "dst"], 0.01)
    );
    l!(
        log,
        r.brpop::<Option<(String, String)>>(["nope", "dst"], 0.01)
    );
    l!(log, r.brpop::<Option<(String, String)>>(["nope"], 0.01));
    l!(log, r.rpush("m1", ["a", "b", "c"]));
    l!(
        log,
        r.lmpop::<Option<(String, Vec<String>)>>(&["nope", "m1"], Direction::Left, Some(Count(2)))
    );
    l!(
        log,
        r.lmpop::<Option<(String, Vec<String>)>>(&["nope"], Direction::Left, None)
    );
    l!(
        log,
        r.blmpop::<Option<(String, Vec<String>)>>(0.01, &["m1"], Direction::Right, None)
    );
    l!(
        log,
        r.blmpop::<Option<(String, Vec<String>)>>(0.01, &["m1"], Direction::Right, None)
    );
    log
}

fn sets(r: &Redis) -> Log {
    let mut log = Log::new();
    l!(log, r.sadd("s1", ["a", "b", "c"]));
    l!(log, r.sadd("s2", ["b", "c", "d"]));
    l!(log, r.smembers::<BTreeSet<String>>("s1"));
    l!(
        log,
        r.smembers::<Value>("s1")
            .map(|v| matches!(v, Value::Set(ref s) if s.len() == 3))
    );
    l!(log, r.scard("s1"));
    l!(log, r.sismember("s1", "a"));
    l!(log, r.sismember("s1", "z"));
    l!(log, r.smismember("s1", ["a", "z"]));
    l!(log, r.sinter::<BTreeSet<String>>(["s1", "s2"]));
    l!(log, r.sunion::<BTreeSet<String>>(["s1", "s2"]));
    l!(log, r.sdiff::<BTreeSet<String>>(["s1", "s2"]));
    l!(log, r.sinterstore("si", ["s1", "s2"]));
    l!(log, r.sunionstore("su", ["s1", "s2"]));
    l!(log, r.sdiffstore("sd", ["s1", "s2"]));
    l!(log, r.sintercard(&["s1", "s2"], None));
    l!(log, r.sintercard(&["s1", "s2"], Some(Limit1(1))));
    l!(log, r.smove("s1", "s2", "a"));
    l!(log, r.smove("s1", "s2", "a"));
    l!(log, r.srem("s2", ["a", "z"]));
    l!(log, r.srandmember::<Option<String>>("nope", None));
    l!(log, r.srandmember::<BTreeSet<String>>("s2", Some(10)));
    l!(
        log,
        r.srandmember::<Vec<String>>("s2", Some(-5))
            .map(|v| v.len())
    );
    let popped: BTreeSet<String> = r.spop("s2", Some(10)).unwrap();
    l!(log, Ok::<_, oxredis::Error>(popped));
    l!(log, r.spop::<Option<String>>("s2", None));
    let (cursor, members): (u64, BTreeSet<String>) =
        l!(log, r.sscan("su", 0, &ScanOptions::default().count(100)));
    assert_eq!((cursor, members.len()), (0, 4));
    log
}

fn sorted_sets(r: &Redis) -> Log {
    let mut log = Log::new();
    l!(log, r.zadd("z", &[("a", 1.0), ("b", 2.0), ("c", 3.0)]));
    l!(
        log,
        r.zadd_options::<i64>(
            "z",
            &[("a", 5.0), ("d", 4.0)],
            &ZaddOptions::default().xx().ch()
        )
    );
    l!(
        log,
        r.zadd_options::<i64>("z", &[("a", 1.0)], &ZaddOptions::default().gt().ch())
    );
    l!(
        log,
        r.zadd_options::<i64>("z", &[("a", 1.0)], &ZaddOptions::default().lt().ch())
    );
    l!(
        log,
        r.zadd_options::<Option<f64>>("z", &[("a", 0.5)], &ZaddOptions::default().incr())
    );
    l!(
        log,
        r.zadd_options::<Option<f64>>("z", &[("a", 0.5)], &ZaddOptions::default().nx().incr())
    );
    l!(log, r.zrange::<Vec<String>>("z", 0, -1));
    l!(log, r.zrange_withscores::<Vec<(String, f64)>>("z", 0, -1));
    l!(
        log,
        r.zrange_options::<Vec<String>>(
            "z",
            "(1.5",
            "+inf",
            &ZRangeOptions::default().byscore().limit(0, 2)
        )
    );
    l!(
        log,
        r.zrange_options::<Vec<(String, f64)>>(
            "z",
            0,
            1,
            &ZRangeOptions::default().rev().withscores()
        )
    );
    l!(
        log,
        r.zrangestore("zs", "z", "[a", "[b", &ZRangeOptions::default().bylex())
    );
    l!(log, r.zrevrange::<Vec<String>>("z", 0, 1));
    l!(log, r.zrevrange_withscores::<Vec<(String, f64)>>("z", 0, 0));
    l!(log, r.zrangebyscore::<Vec<String>>("z", "-inf", 2.5, None));
    l!(
        log,
        r.zrangebyscore_withscores::<Vec<(String, f64)>>("z", 2, "+inf", Some(Limit(1, 5)))
    );
    l!(
        log,
        r.zrevrangebyscore::<Vec<String>>("z", "+inf", 2, Some(Limit(0, 1)))
    );
    l!(
        log,
        r.zrevrangebyscore_withscores::<Vec<(String, f64)>>("z", 10, 0, None)
    );
    l!(
        log,
        r.zadd("lex", &[("a", 0.0), ("b", 0.0), ("c", 0.0), ("d", 0.0)])
    );
    l!(log, r.zrangebylex::<Vec<String>>("lex", "[b", "+", None));
    l!(
        log,
        r.zrevrangebylex::<Vec<String>>("lex", "+", "(b", Some(Limit(0, 1)))
    );
    l!(log, r.zlexcount("lex", "-", "[c"));
    l!(log, r.zremrangebylex("lex", "[a", "[b"));
    l!(log, r.zcard("z"));
    l!(log, r.zcount("z", 2, "+inf"));
    l!(log, r.zincrby("z", 2.5, "b"));
    l!(log, r.zscore("z", "b"));
    l!(log, r.zscore("z", "nope"));
    l!(log, r.zmscore("z", ["a", "nope", "c"]));
    l!(log, r.zrank("z", "c"));
    l!(log, r.zrevrank("z", "c"));
    l!(log, r.zrank("z", "nope"));
    l!(log, r.zrandmember::<Option<String>>("nope", None));
    l!(log, r.zrandmember::<BTreeSet<String>>("z", Some(10)));
    l!(
        log,
        r.zrandmember_withscores::<Vec<(String, f64)>>("z", 10)
            .map(|v| v
                .into_iter()
                .map(|(m, s)| format!("{m}={s}"))
                .collect::<BTreeSet<_>>())
    );
    l!(log, r.zadd("z2", &[("a", 10.0), ("x", 1.0)]));
    l!(
        log,
        r.zunion::<Vec<String>>(&["z", "z2"], &ZAggregateOptions::default())
    );
    l!(
        log,
        r.zunion::<Vec<(String, f64)>>(
            &["z", "z2"],
            &ZAggregateOptions::default()
                .weights(&[1.0, 2.0])
                .withscores()
        )
    );
    l!(
        log,
        r.zinter::<Vec<(String, f64)>>(
            &["z", "z2"],
            &ZAggregateOptions::default().min().withscores()
        )
    );
    l!(log, r.zdiff::<Vec<String>>(&["z", "z2"], false));
    l!(log, r.zdiff::<Vec<(String, f64)>>(&["z", "z2"], true));
    l!(
        log,
        r.zunionstore("zu", &["z", "z2"], &ZAggregateOptions::default().max())
    );
    l!(
        log,
        r.zinterstore("zi", &["z", "z2"], &ZAggregateOptions::default())
    );
    l!(log, r.zdiffstore("zd", &["z", "z2"]));
    l!(log, r.zintercard(&["z", "z2"], None));
    l!(log, r.zintercard(&["z", "zu"], Some(Limit1(2))));
    l!(log, r.zpopmin::<Vec<(String, f64)>>("zu", None));
    l!(log, r.zpopmin::<Vec<(String, f64)>>("zu", Some(2)));
    l!(log, r.zpopmax::<Vec<(String, f64)>>("zu", Some(1)));
    l!(log, r.zpopmax::<Vec<(String, f64)>>("nope", None));
    l!(
        log,
        r.bzpopmin::<Option<(String, String, f64)>>(["nope", "zu"], 0.01)
    );
    l!(
        log,
        r.bzpopmax::<Option<(String, String, f64)>>(["zi"], 0.01)
    );
    l!(
        log,
        r.bzpopmax::<Option<(String, String, f64)>>(["nope"], 0.01)
    );
    l!(
        log,
        r.zmpop::<Option<(String, Vec<(String, f64)>)>>(
            &["nope", "z"],
            MinMax::Min,
            Some(Count(2))
        )
    );
    l!(
        log,
        r.zmpop::<Option<(String, Vec<(String, f64)>)>>(&["nope"], MinMax::Min, None)
    );
    l!(
        log,
        r.bzmpop::<Option<(String, Vec<(String, f64)>)>>(0.01, &["z"], MinMax::Max, None)
    );
    l!(
        log,
        r.bzmpop::<Option<(String, Vec<(String, f64)>)>>(0.01, &["nope"], MinMax::Max, None)
    );
    l!(log, r.zrem("z2", ["a", "nope"]));
    l!(
        log,
        r.zadd("r", &[("a", 1.0), ("b", 2.0), ("c", 3.0), ("d", 4.0)])
    );
    l!(log, r.zremrangebyrank("r", 0, 0));
    l!(log, r.zremrangebyscore("r", "(2", 3));
    let (cursor, page): (u64, Vec<(String, f64)>) =
        l!(log, r.zscan("r", 0, &ScanOptions::default()));
    assert_eq!(
        (cursor, page),
        (0, vec![("b".to_owned(), 2.0), ("d".to_owned(), 4.0)])
    );
    log
}

fn streams(r: &Redis) -> Log {
    let mut log = Log::new();
    let none = XAddOptions::default();
    l!(
        log,
        r.xadd::<String>("st", "1-0", [("f", "v1"), ("g", "w1")], &none)
    );
    l!(log, r.xadd::<String>("st", "2-0", [("f", "v2")], &none));
    l!(
        log,
        r.xadd::<String>(
            "st",
            "3-0",
            [("f", "v3")],
            &XAddOptions::default().trim(StreamTrim::maxlen(10))
        )
    );
    l!(
        log,
        r.xadd::<Option<String>>(
            "nostream",
            "*",
            [("f", "v")],
            &XAddOptions::default().nomkstream()
        )
    );
    e!(log, r.xadd::<String>("st", "1-0", [("f", "v")], &none));
    l!(log, r.xlen("st"));
    l!(log, r.xrange::<Vec<StreamEntry>>("st", "-", "+", None));
    l!(log, r.xrange::<Value>("st", "-", "+", Some(Count(1))));
    l!(
        log,
        r.xrevrange::<Vec<StreamEntry>>("st", "+", "(1-0", None)
    );
    let e: Vec<StreamEntry> = r.xrange("st", "1-0", "1-0", None).unwrap();
    assert_eq!(e[0].get("g").map(|b| &b[..]), Some(&b"w1"[..]));
    l!(
        log,
        r.xread::<BTreeMap<String, Vec<StreamEntry>>>(
            &[("st", "1-0")],
            &XReadOptions::default().count(1)
        )
    );
    l!(
        log,
        r.xread::<Value>(&[("st", "0"), ("nostream", "0")], &XReadOptions::default())
    );
    l!(
        log,
        r.xread::<Option<Value>>(&[("st", "$")], &XReadOptions::default().block(10))
    );
    l!(
        log,
        r.xgroup_create("st", "g1", "0", &XGroupCreateOptions::default())
    );
    l!(
        log,
        r.xgroup_create(
            "st2",
            "g1",
            "$",
            &XGroupCreateOptions::default().mkstream().entries_read(0)
        )
    );
    e!(
        log,
        r.xgroup_create("st", "g1", "0", &XGroupCreateOptions::default())
    );
    l!(log, r.xgroup_createconsumer("st", "g1", "alice"));
    l!(log, r.xgroup_createconsumer("st", "g1", "alice"));
    l!(
        log,
        r.xreadgroup::<BTreeMap<String, Vec<StreamEntry>>>(
            "g1",
            "alice",
            &[("st", ">")],
            &XReadOptions::default().count(2)
        )
    );
    l!(
        log,
        r.xreadgroup::<Value>(
            "g1",
            "bob",
            &[("st", ">")],
            &XReadOptions::default().noack()
        )
    );
    l!(
        log,
        r.xreadgroup::<Option<Value>>(
            "g1",
            "bob",
            &[("st", ">")],
            &XReadOptions::default().block(10)
        )
    );
    l!(log, r.xpending::<PendingSummary>("st", "g1"));
    l!(log, r.xpending::<PendingSummary>("st2", "g1"));
    let pending: Vec<PendingEntry> = r
        .xpending_range("st", "g1", "-", "+", 10, &XPendingOptions::default())
        .unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>(
            pending
                .iter()
                .map(|p| (p.id.clone(), p.consumer.clone(), p.deliveries))
                .collect::<Vec<_>>()
        )
    );
    l!(
        log,
        r.xpending_range::<Vec<PendingEntry>>(
            "st",
            "g1",
            "-",
            "+",
            10,
            &XPendingOptions::default().idle(1_000_000).consumer("alice")
        )
    );
    l!(
        log,
        r.xclaim::<Vec<StreamEntry>>(
            "st",
            "g1",
            "bob",
            0,
            ["1-0"],
            &XClaimOptions::default().retrycount(5)
        )
    );
    l!(
        log,
        r.xclaim::<Vec<String>>(
            "st",
            "g1",
            "alice",
            0,
            ["1-0", "2-0"],
            &XClaimOptions::default().justid().idle(5).force()
        )
    );
    let (next, claimed, deleted): (String, Vec<StreamEntry>, Vec<String>) = l!(
        log,
        r.xautoclaim(
            "st",
            "g1",
            "carol",
            0,
            "0",
            &XAutoClaimOptions::default().count(10)
        )
    );
    assert_eq!((next.as_str(), claimed.len(), deleted.len()), ("0-0", 2, 0));
    l!(
        log,
        r.xautoclaim::<(String, Vec<String>, Vec<String>)>(
            "st",
            "g1",
            "dave",
            0,
            "0",
            &XAutoClaimOptions::default().justid()
        )
    );
    l!(log, r.xack("st", "g1", ["1-0", "2-0", "9-0"]));
    l!(log, r.xinfo_stream::<Value>("st"));
    let full: BTreeMap<String, Value> = r.xinfo_stream_full("st", Some(Count(10))).unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>((
            full["length"].clone(),
            full["entries"].clone(),
            full.contains_key("groups")
        ))
    );
    let groups: Vec<BTreeMap<String, Value>> = l!(log, r.xinfo_groups("st"));
    assert_eq!(groups[0]["name"], Value::Bulk("g1".into()));
    let consumers: Vec<BTreeMap<String, Value>> = r.xinfo_consumers("st", "g1").unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>(
            consumers
                .iter()
                .map(|c| (c["name"].clone(), c["pending"].clone()))
                .collect::<Vec<_>>()
        )
    );
    l!(log, r.xinfo_help::<Vec<String>>().map(|h| !h.is_empty()));
    l!(log, r.xgroup_setid("st", "g1", "0", Some(EntriesRead(0))));
    l!(log, r.xgroup_setid("st", "g1", "$", None));
    l!(log, r.xgroup_delconsumer("st", "g1", "alice"));
    l!(log, r.xgroup_destroy("st", "g1"));
    l!(log, r.xgroup_destroy("st", "g1"));
    l!(log, r.xgroup_help::<Vec<String>>().map(|h| !h.is_empty()));
    l!(log, r.xdel("st", ["1-0", "9-0"]));
    l!(log, r.xtrim("st", &StreamTrim::maxlen(1)));
    l!(
        log,
        r.xtrim("st", &StreamTrim::minid("5-0").approximate().limit(10))
    );
    l!(log, r.xsetid("st", "10-0", &XSetIdOptions::default()));
    l!(
        log,
        r.xsetid(
            "st",
            "11-0",
            &XSetIdOptions::default()
                .entries_added(10)
                .max_deleted_id("2-0")
        )
    );
    l!(
        log,
        r.xadd::<String>(
            "st",
            "*",
            [("f", "v")],
            &XAddOptions::default().trim(StreamTrim::minid("0").approximate())
        )
        .map(|id| id.contains('-'))
    );
    log
}

fn geo(r: &Redis) -> Log {
    let mut log = Log::new();
    let places = [
        (13.361389, 38.115556, "Palermo"),
        (15.087269, 37.502669, "Catania"),
    ];
    l!(log, r.geoadd("Sicily", &places, &GeoAddOptions::default()));
    l!(
        log,
        r.geoadd(
            "Sicily",
            &[(13.5, 38.0, "Palermo")],
            &GeoAddOptions::default().nx()
        )
    );
    l!(
        log,
        r.geoadd(
            "Sicily",
            &[(13.361389, 38.115556, "Palermo"), (12.0, 37.0, "Marsala")],
            &GeoAddOptions::default().xx().ch()
        )
    );
    l!(log, r.geodist("Sicily", "Palermo", "Catania", None));
    l!(
        log,
        r.geodist("Sicily", "Palermo", "Catania", Some(GeoUnit::Km))
    );
    l!(log, r.geodist("Sicily", "Palermo", "nope", None));
    l!(
        log,
        r.geohash::<Vec<Option<String>>>("Sicily", ["Palermo", "nope"])
    );
    let pos: Vec<Option<(f64, f64)>> = l!(log, r.geopos("Sicily", ["Palermo", "nope"]));
    assert!((pos[0].unwrap().0 - 13.361389).abs() < 1e-4);
    let near = GeoSearchOptions::default()
        .from_lonlat(15.0, 37.0)
        .by_radius(200.0, GeoUnit::Km);
    l!(
        log,
        r.geosearch::<Vec<String>>("Sicily", &near.clone().asc())
    );
    l!(
        log,
        r.geosearch::<Vec<GeoSearchResult>>(
            "Sicily",
            &near
                .clone()
                .withdist()
                .withcoord()
                .withhash()
                .asc()
                .count(1, false)
        )
    );
    l!(
        log,
        r.geosearch::<Vec<GeoSearchResult>>(
            "Sicily",
            &GeoSearchOptions::default()
                .from_member("Palermo")
                .by_box(400.0, 400.0, GeoUnit::Km)
                .withdist()
                .desc()
        )
    );
    l!(log, r.geosearchstore("dst", "Sicily", &near, false));
    l!(log, r.geosearchstore("dst2", "Sicily", &near, true));
    l!(
        log,
        r.zrange_withscores::<Vec<(String, f64)>>("dst2", 0, -1)
            .map(|v| v
                .into_iter()
                .map(|(m, d)| (m, d.round()))
                .collect::<Vec<_>>())
    );
    l!(
        log,
        r.georadius::<Vec<GeoSearchResult>>(
            "Sicily",
            15.0,
            37.0,
            200.0,
            GeoUnit::Km,
            &GeoRadiusOptions::default().withdist().asc()
        )
    );
    l!(
        log,
        r.georadius::<i64>(
            "Sicily",
            15.0,
            37.0,
            200.0,
            GeoUnit::Km,
            &GeoRadiusOptions::default().store("gr", false)
        )
    );
    l!(
        log,
        r.georadius_ro::<Vec<GeoSearchResult>>(
            "Sicily",
            15.0,
            37.0,
            200.0,
            GeoUnit::Km,
            &GeoRadiusOptions::default().withcoord().asc()
        )
    );
    l!(
        log,
        r.georadiusbymember::<Vec<String>>(
            "Sicily",
            "Palermo",
            200.0,
            GeoUnit::Km,
            &GeoRadiusOptions::default().asc()
        )
    );
    l!(
        log,
        r.georadiusbymember::<i64>(
            "Sicily",
            "Palermo",
            200.0,
            GeoUnit::Km,
            &GeoRadiusOptions::default().store("gd", true)
        )
    );
    l!(
        log,
        r.georadiusbymember_ro::<Vec<GeoSearchResult>>(
            "Sicily",
            "Palermo",
            200.0,
            GeoUnit::Km,
            &GeoRadiusOptions::default().withhash()
        )
    );
    log
}

fn hyperloglog(r: &Redis) -> Log {
    let mut log = Log::new();
    l!(log, r.pfadd("h1", ["a", "b", "c"]));
    l!(log, r.pfadd("h1", ["a"]));
    l!(log, r.pfadd("h2", ["c", "d"]));
    l!(log, r.pfcount(["h1"]));
    l!(log, r.pfcount(["h1", "h2"]));
    l!(log, r.pfmerge("h3", ["h1", "h2"]));
    l!(log, r.pfcount(["h3"]));
    l!(log, r.pfdebug::<String>("ENCODING", "h3"));
    l!(
        log,
        r.pfdebug::<Vec<i64>>("GETREG", "h1").map(|regs| regs.len())
    );
    l!(log, r.pfselftest());
    log
}

fn scripting(r: &Redis) -> Log {
    let mut log = Log::new();
    let none: &[&str] = &[];
    l!(
        log,
        r.eval::<Vec<String>>("return {KEYS[1], ARGV[1]}", &["k"], ["a"])
    );
    l!(
        log,
        r.eval::<i64>(
            "return redis.call('SET', KEYS[1], ARGV[1]) and 1",
            &["k"],
            ["v"]
        )
    );
    l!(
        log,
        r.eval_ro::<String>("return redis.call('GET', KEYS[1])", &["k"], none)
    );
    e!(
        log,
        r.eval_ro::<String>("return redis.call('SET', KEYS[1], 'x')", &["k"], none)
    );
    let sha = l!(log, r.script_load("return ARGV[1]"));
    l!(log, r.evalsha::<String>(&sha, none, ["x"]));
    l!(log, r.evalsha_ro::<String>(&sha, none, ["y"]));
    e!(
        log,
        r.evalsha::<String>("0000000000000000000000000000000000000000", none, none)
    );
    l!(
        log,
        r.script_exists([sha.as_str(), "0000000000000000000000000000000000000000"])
    );
    e!(log, r.script_kill());
    l!(log, r.script_debug("NO"));
    l!(log, r.script_help::<Vec<String>>().map(|h| !h.is_empty()));
    l!(log, r.script_flush(Some(FlushMode::Sync)));
    l!(log, r.script_flush(None));
    l!(log, r.script_exists([sha.as_str()]));
    let lib = "#!lua name=mylib\nredis.register_function('myget', function(keys, args) return redis.call('GET', keys[1]) end)";
    let rolib = "#!lua name=rolib\nredis.register_function{function_name='myro', callback=function(keys, args) return args[1] end, flags={'no-writes'}}";
    l!(log, r.function_load(lib, false));
    e!(log, r.function_load(lib, false));
    l!(log, r.function_load(lib, true));
    l!(log, r.function_load(rolib, false));
    l!(log, r.fcall::<String>("myget", &["k"], none));
    l!(log, r.fcall_ro::<String>("myro", none, ["ro"]));
    e!(log, r.fcall_ro::<String>("myget", &["k"], none));
    l!(
        log,
        r.function_list::<Value>(&FunctionListOptions::default().library("my*"))
    );
    l!(
        log,
        r.function_list::<Value>(&FunctionListOptions::default().library("ro*").withcode())
    );
    l!(
        log,
        r.function_list::<Vec<Value>>(&FunctionListOptions::default())
            .map(|l| l.len())
    );
    l!(log, r.function_stats::<Value>());
    e!(log, r.function_kill());
    l!(log, r.function_help::<Vec<String>>().map(|h| !h.is_empty()));
    let dump: Vec<u8> = r.function_dump().unwrap();
    l!(log, r.function_delete("mylib"));
    e!(log, r.function_delete("mylib"));
    l!(log, r.function_delete("rolib"));
    l!(log, r.function_restore(&dump, None));
    l!(log, r.function_restore(&dump, Some(RestorePolicy::Replace)));
    l!(log, r.function_flush(Some(FlushMode::Async)));
    l!(log, r.function_flush(None));
    l!(
        log,
        r.function_list::<Vec<Value>>(&FunctionListOptions::default())
    );
    log
}

fn server_cmds(r: &Redis) -> Log {
    let mut log = Log::new();
    // First: it clears the command statistics the coverage check reads afterwards.
    l!(log, r.config_resetstat());
    l!(log, r.ping());
    l!(log, r.echo::<String>("hi"));
    let info: HashMap<String, Value> = r.info("server").unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>((
            info["redis_version"].clone(),
            info["tcp_port"] != Value::Nil
        ))
    );
    l!(log, r.set("k", "v"));
    let ks: BTreeMap<String, BTreeMap<String, i64>> = l!(log, r.info("keyspace"));
    assert_eq!(ks["db0"]["keys"], 1);
    l!(log, r.dbsize());
    l!(log, r.config_get::<BTreeMap<String, String>>("maxmemory*"));
    l!(
        log,
        r.config_get::<BTreeMap<String, String>>(["hz", "port"])
            .map(|m| m.keys().cloned().collect::<Vec<_>>())
    );
    l!(
        log,
        r.config_set([
            ("slowlog-log-slower-than", "0"),
            ("latency-monitor-threshold", "10")
        ])
    );
    l!(log, r.ping());
    let slow: Vec<SlowLogEntry> = r.slowlog_get(Some(1)).unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>((
            slow.len(),
            slow[0].args.clone(),
            slow[0].client_name.clone()
        ))
    );
    l!(log, r.slowlog_len().map(|n| n > 0));
    l!(log, r.slowlog_reset());
    l!(log, r.slowlog_help::<Vec<String>>().map(|h| !h.is_empty()));
    let rewrite = r.config_rewrite();
    assert!(
        matches!(&rewrite, Ok(true))
            || matches!(&rewrite, Err(e) if e.kind() == ErrorKind::Response)
    );
    l!(log, r.config_help::<Vec<String>>().map(|h| !h.is_empty()));
    l!(log, r.save());
    l!(log, r.lastsave().map(|t| t > 1_600_000_000));
    l!(
        log,
        r.bgsave::<String>(true)
            .map(|s| s.starts_with("Background saving"))
    );
    l!(
        log,
        r.bgrewriteaof::<String>()
            .map(|s| s.starts_with("Background append only file rewriting"))
    );
    let (secs, micros) = r.time().unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>(secs > 1_600_000_000 && micros < 1_000_000)
    );
    l!(log, r.swapdb(0, 1));
    l!(log, r.dbsize());
    l!(log, r.swapdb(0, 1));
    l!(log, r.role::<Vec<Value>>().map(|v| v[0].clone()));
    l!(log, r.replicaof::<String>("NO", "ONE"));
    l!(log, r.slaveof::<String>("NO", "ONE"));
    e!(
        log,
        r.failover::<String>(&FailoverOptions::default().abort())
    );
    e!(
        log,
        r.failover::<String>(
            &FailoverOptions::default()
                .to("127.0.0.1", 1, false)
                .timeout(10)
        )
    );
    l!(
        log,
        r.lolwut::<String>(None).map(|s| s.contains("Redis ver."))
    );
    l!(
        log,
        r.lolwut::<String>(Some(LolwutVersion(5)))
            .map(|s| s.contains("Redis ver."))
    );
    l!(
        log,
        r.debug_object::<String>("k")
            .map(|s| s.contains("encoding:embstr"))
    );
    l!(log, r.debug_sleep(0.02));
    let latest: Vec<(String, i64, i64, i64)> = r.latency_latest().unwrap();
    // Other events (fork...) depend on the machine's load; DEBUG SLEEP always makes `command`.
    l!(
        log,
        Ok::<_, oxredis::Error>(latest.iter().any(|l| l.0 == "command"))
    );
    l!(
        log,
        r.latency_history::<Vec<(i64, i64)>>("command")
            .map(|h| !h.is_empty())
    );
    l!(
        log,
        r.latency_graph::<String>("command")
            .map(|g| g.contains("command"))
    );
    l!(log, r.latency_doctor::<String>().map(|d| !d.is_empty()));
    l!(log, r.set("k", "v"));
    let hist: HashMap<String, HashMap<String, Value>> = r.latency_histogram(["set"]).unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>((
            hist["set"]["calls"].clone(),
            matches!(hist["set"]["histogram_usec"], Value::Map(_))
        ))
    );
    l!(log, r.latency_reset(Vec::<String>::new()).map(|n| n >= 1));
    l!(log, r.latency_help::<Vec<String>>().map(|h| !h.is_empty()));
    let stats: HashMap<String, Value> = r.memory_stats().unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>((
            matches!(stats["db.0"], Value::Map(_)),
            matches!(stats["peak.percentage"], Value::Double(_)),
            matches!(stats["keys.count"], Value::Int(1)),
        ))
    );
    l!(log, r.memory_usage("k", None).map(|n| n.unwrap() > 0));
    l!(log, r.memory_usage("nope", Some(Samples(0))));
    l!(log, r.memory_doctor::<String>().map(|d| !d.is_empty()));
    l!(
        log,
        r.memory_malloc_stats::<String>().map(|d| !d.is_empty())
    );
    l!(log, r.memory_purge());
    l!(log, r.memory_help::<Vec<String>>().map(|h| !h.is_empty()));
    let count = l!(log, r.command_count());
    l!(
        log,
        r.command::<Vec<Value>>().map(|c| c.len() as i64 == count)
    );
    // Subcommands come in the server's (per-process random) dict order: compare them sorted.
    l!(
        log,
        r.command_info::<Value>(["get", "xread", "nosuchcommand"])
    );
    l!(
        log,
        r.command_info::<Vec<Vec<Value>>>(["xinfo"]).map(|c| {
            let Value::Array(subs) = &c[0][9] else {
                panic!()
            };
            subs.iter()
                .map(|s| format!("{s:?}"))
                .collect::<BTreeSet<_>>()
        })
    );
    l!(log, r.command_docs::<Value>(["get", "zadd"]));
    l!(
        log,
        r.command_docs::<HashMap<String, HashMap<String, Value>>>(["xgroup"])
            .map(|d| {
                let Value::Map(subs) = &d["xgroup"]["subcommands"] else {
                    panic!()
                };
                subs.iter()
                    .map(|s| format!("{s:?}"))
                    .collect::<BTreeSet<_>>()
            })
    );
    l!(
        log,
        r.command_getkeys::<Vec<String>>(("MSET", "a", "1", "b", "2"))
    );
    l!(
        log,
        r.command_getkeysandflags::<Value>(("LMOVE", "a", "b", "LEFT", "RIGHT"))
    );
    l!(
        log,
        r.command_list::<Vec<String>>(None).map(|c| c.len() > 200)
    );
    l!(
        log,
        r.command_list::<BTreeSet<String>>(Some(CommandListFilter::Pattern("xinfo*".into())))
    );
    l!(
        log,
        r.command_list::<BTreeSet<String>>(Some(CommandListFilter::AclCat("hyperloglog".into())))
    );
    l!(
        log,
        r.command_list::<BTreeSet<String>>(Some(CommandListFilter::Module("nomodule".into())))
    );
    l!(log, r.command_help::<Vec<String>>().map(|h| !h.is_empty()));
    l!(log, r.module_list::<Vec<Value>>());
    e!(
        log,
        r.module_load("/nonexistent/module.so", Vec::<String>::new())
    );
    e!(
        log,
        r.module_loadex("/nonexistent/module.so", ("CONFIG", "a", "b"))
    );
    e!(log, r.module_unload("nomodule"));
    l!(log, r.module_help::<Vec<String>>().map(|h| !h.is_empty()));
    l!(log, r.flushdb_mode(FlushMode::Async));
    l!(log, r.flushall(Some(FlushMode::Sync)));
    l!(log, r.flushall(None));
    l!(log, r.flushdb());
    l!(log, r.dbsize());
    log
}

fn connection(r: &Redis) -> Log {
    let mut log = Log::new();
    let other = Redis::new(r.config().clone());
    let other_id = other.client_id().unwrap();
    let my_id = r.client_id().unwrap();
    assert_ne!(my_id, other_id);
    l!(log, r.client_setname("me"));
    l!(log, r.client_getname::<Option<String>>());
    let me: ClientInfo = r.client_info().unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>((
            me.name().map(str::to_owned),
            me.db(),
            me.id() == Some(my_id),
            me.get("cmd").map(str::to_owned)
        ))
    );
    let all: Vec<ClientInfo> = r.client_list(&ClientListOptions::default()).unwrap();
    l!(log, Ok::<_, oxredis::Error>(all.len() >= 2));
    let normal: Vec<ClientInfo> = r
        .client_list(&ClientListOptions::default().type_("normal"))
        .unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>(normal.iter().filter(|c| c.name() == Some("me")).count())
    );
    let one: Vec<ClientInfo> = r
        .client_list(&ClientListOptions::default().ids(&[other_id]))
        .unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>(
            one.iter()
                .map(|c| c.id() == Some(other_id))
                .collect::<Vec<_>>()
        )
    );
    l!(log, r.client_unblock(other_id, false));
    l!(log, r.client_unblock(other_id, true));
    l!(
        log,
        r.client_kill(&ClientKillFilter::default().id(other_id).skipme(true))
    );
    l!(
        log,
        r.client_kill(&ClientKillFilter::default().id(other_id))
    );
    e!(
        log,
        r.client_kill(&ClientKillFilter::default().user("nobody").type_("normal"))
    );
    l!(
        log,
        r.client_kill(&ClientKillFilter::default().user("default").type_("pubsub"))
    );
    l!(
        log,
        r.client_kill(&ClientKillFilter::default().addr("1.2.3.4:5"))
    );
    e!(
        log,
        r.client_kill(&ClientKillFilter::default().laddr("1.2.3.4:5").maxage(1))
    );
    l!(log, r.client_pause(20, true));
    l!(log, r.client_unpause());
    l!(
        log,
        r.client_tracking(
            true,
            &ClientTrackingOptions::default().redirect(my_id).optin()
        )
    );
    l!(log, r.client_caching(true));
    l!(log, r.client_getredir().map(|id| id == my_id));
    let info: HashMap<String, Value> = r.client_trackinginfo().unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>((info["flags"].clone(), info["prefixes"].clone()))
    );
    l!(
        log,
        r.client_tracking(false, &ClientTrackingOptions::default())
    );
    l!(
        log,
        r.client_tracking(
            true,
            &ClientTrackingOptions::default()
                .redirect(my_id)
                .bcast()
                .prefix("a:")
                .prefix("b:")
                .noloop()
        )
    );
    l!(
        log,
        r.client_trackinginfo::<HashMap<String, Value>>()
            .map(|i| i["prefixes"].clone())
    );
    l!(
        log,
        r.client_tracking(false, &ClientTrackingOptions::default())
    );
    e!(
        log,
        r.client_tracking(true, &ClientTrackingOptions::default().optin().optout())
    );
    l!(log, r.client_getredir());
    l!(log, r.client_no_evict(true));
    l!(log, r.client_no_evict(false));
    l!(log, r.client_reply("ON"));
    l!(log, r.client_help::<Vec<String>>().map(|h| !h.is_empty()));
    log
}

fn acl(r: &Redis) -> Log {
    let mut log = Log::new();
    l!(
        log,
        r.acl_setuser("u1", ["reset", "on", ">pw", "~k*", "+get", "(~x* +del)"])
    );
    l!(log, r.acl_getuser::<Value>("u1"));
    l!(log, r.acl_getuser::<Option<Value>>("nobody"));
    l!(log, r.acl_users::<Vec<String>>());
    l!(log, r.acl_list::<Vec<String>>());
    l!(
        log,
        r.acl_cat::<Vec<String>>(None)
            .map(|c| c.contains(&"string".to_owned()))
    );
    l!(log, r.acl_cat::<BTreeSet<String>>(Some("hyperloglog")));
    l!(log, r.acl_dryrun::<String>("u1", ("GET", "k1")));
    l!(log, r.acl_dryrun::<String>("u1", ("DEL", "k1")));
    l!(log, r.acl_genpass(None).map(|p| p.len()));
    l!(log, r.acl_genpass(Some(32)).map(|p| p.len()));
    l!(log, r.acl_whoami::<String>());
    let mut cfg = r.config().clone();
    cfg.username = Some("u1".into());
    cfg.password = Some("pw".into());
    let limited = Redis::new(cfg);
    let denied = limited.delete(["k1"]).unwrap_err();
    assert_eq!(denied.kind(), ErrorKind::NoPermission);
    let entries: Vec<HashMap<String, Value>> = r.acl_log(None).unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>(
            entries
                .iter()
                .map(|e| (
                    e["reason"].clone(),
                    e["object"].clone(),
                    e["username"].clone(),
                    matches!(e["age-seconds"], Value::Double(_))
                ))
                .collect::<Vec<_>>()
        )
    );
    l!(log, r.acl_log::<Vec<Value>>(Some(0)));
    l!(log, r.acl_log_reset());
    l!(log, r.acl_log::<Vec<Value>>(None));
    e!(log, r.acl_save());
    e!(log, r.acl_load());
    l!(log, r.acl_deluser(["u1", "nobody"]));
    l!(log, r.acl_help::<Vec<String>>().map(|h| !h.is_empty()));
    log
}

fn cluster(r: &Redis) -> Log {
    let mut log = Log::new();
    let id = r.cluster_myid().unwrap();
    assert_eq!(id.len(), 40);
    l!(log, r.cluster_set_config_epoch(1));
    l!(
        log,
        r.cluster_bumpepoch::<String>()
            .map(|s| s.starts_with("BUMPED") || s.starts_with("STILL"))
    );
    l!(log, r.cluster_addslots([0, 1, 2]));
    l!(log, r.cluster_addslotsrange([(3, 100), (200, 300)]));
    l!(log, r.cluster_delslots([0]));
    l!(log, r.cluster_delslotsrange([(50, 60)]));
    l!(log, r.cluster_setslot(400, ("NODE", id.as_str())));
    l!(log, r.cluster_setslot(400, "STABLE"));
    let info: HashMap<String, Value> = r.cluster_info().unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>(info["cluster_slots_assigned"].clone())
    );
    l!(log, r.cluster_keyslot("foo"));
    l!(log, r.cluster_countkeysinslot(5));
    l!(log, r.cluster_getkeysinslot::<Vec<String>>(5, 10));
    l!(log, r.cluster_count_failure_reports(&id));
    l!(
        log,
        r.cluster_nodes::<String>()
            .map(|n| n.contains("myself,master"))
    );
    l!(log, r.cluster_slots::<Vec<Value>>().map(|s| s.len()));
    let shards: Vec<HashMap<String, Value>> = r.cluster_shards().unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>((shards.len(), shards[0]["slots"].clone()))
    );
    l!(log, r.cluster_links::<Vec<Value>>());
    l!(log, r.cluster_replicas::<Vec<String>>(&id));
    l!(log, r.cluster_slaves::<Vec<String>>(&id));
    e!(log, r.cluster_replicate(&id));
    e!(log, r.cluster_forget(&id));
    e!(log, r.cluster_failover(None));
    e!(log, r.cluster_failover(Some("FORCE")));
    l!(log, r.cluster_saveconfig());
    l!(log, r.readonly());
    l!(log, r.readwrite());
    l!(log, r.asking());
    l!(log, r.cluster_flushslots());
    l!(log, r.cluster_meet("127.0.0.1", 1));
    l!(log, r.cluster_reset(Some("SOFT")));
    l!(log, r.cluster_help::<Vec<String>>().map(|h| !h.is_empty()));
    log
}

fn pubsub(r: &Redis) -> Log {
    let mut log = Log::new();
    // A subscriber (its own connection), so the introspection commands have something to count.
    let mut sub = r.pubsub();
    sub.subscribe("news").unwrap();
    sub.ssubscribe("shard").unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while r.pubsub_numsub::<HashMap<String, i64>>(["news"]).unwrap()["news"] == 0 {
        assert!(Instant::now() < deadline, "subscriber never registered");
        std::thread::sleep(Duration::from_millis(5));
    }
    l!(log, r.publish("news", "hello"));
    l!(log, r.publish("nobody", "hello"));
    l!(log, r.spublish("shard", "hello"));
    l!(log, r.pubsub_channels::<Vec<String>>("*"));
    l!(
        log,
        r.pubsub_numsub::<BTreeMap<String, i64>>(["news", "other"])
    );
    l!(log, r.pubsub_numpat());
    l!(log, r.pubsub_shardchannels::<Vec<String>>("*"));
    l!(
        log,
        r.pubsub_shardnumsub::<BTreeMap<String, i64>>(["shard"])
    );
    l!(log, r.pubsub_help::<Vec<String>>().map(|h| !h.is_empty()));
    sub.close();
    log
}

fn shutdown(r: &Redis) -> Log {
    let mut log = Log::new();
    e!(
        log,
        r.shutdown::<String>(&ShutdownOptions::default().abort())
    );
    let gone = r.shutdown::<String>(&ShutdownOptions::default().save(false).now().force());
    assert!(gone.unwrap_err().is_connection_error());
    let deadline = Instant::now() + Duration::from_secs(5);
    while r.ping().is_ok() {
        assert!(Instant::now() < deadline, "server still up after SHUTDOWN");
        std::thread::sleep(Duration::from_millis(10));
    }
    log.push("down".into());
    log
}

fn migrate(r: &Redis) -> Log {
    let mut log = Log::new();
    let target = RedisServer::new();
    let t = Redis::from_url(&target.url()).unwrap();
    l!(log, r.mset([("m1", "a"), ("m2", "b")]));
    let port = target.port();
    l!(
        log,
        r.migrate::<String>(
            "127.0.0.1",
            port,
            ["m1", "m2"],
            0,
            1000,
            &MigrateOptions::default().copy()
        )
    );
    l!(log, t.mget::<Vec<Option<String>>>(["m1", "m2"]));
    e!(
        log,
        r.migrate::<String>(
            "127.0.0.1",
            port,
            ["m1"],
            0,
            1000,
            &MigrateOptions::default()
        )
    );
    l!(
        log,
        r.migrate::<String>(
            "127.0.0.1",
            port,
            ["m1"],
            0,
            1000,
            &MigrateOptions::default().replace()
        )
    );
    l!(
        log,
        r.migrate::<String>(
            "127.0.0.1",
            port,
            ["nope"],
            0,
            1000,
            &MigrateOptions::default()
        )
    );
    e!(
        log,
        r.migrate::<String>(
            "127.0.0.1",
            port,
            ["m2"],
            0,
            1000,
            &MigrateOptions::default().replace().auth(Some("u"), "p")
        )
    );
    l!(log, r.exists(["m1", "m2"]));
    log
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ServerKind {
    Plain,
    Cluster,
    /// The body stops the server: no command statistics to read afterwards.
    Stopped,
}

type Body = fn(&Redis) -> Log;

/// Every group body; each runs on a fresh server per protocol.
const GROUPS: &[(&str, ServerKind, Body)] = &[
    ("strings", ServerKind::Plain, strings),
    ("bitmaps", ServerKind::Plain, bitmaps),
    ("keys", ServerKind::Plain, keys),
    ("hashes", ServerKind::Plain, hashes),
    ("lists", ServerKind::Plain, lists),
    ("sets", ServerKind::Plain, sets),
    ("sorted_sets", ServerKind::Plain, sorted_sets),
    ("streams", ServerKind::Plain, streams),
    ("geo", ServerKind::Plain, geo),
    ("hyperloglog", ServerKind::Plain, hyperloglog),
    ("scripting", ServerKind::Plain, scripting),
    ("server", ServerKind::Plain, server_cmds),
    ("connection", ServerKind::Plain, connection),
    ("acl", ServerKind::Plain, acl),
    ("cluster", ServerKind::Cluster, cluster),
    ("migrate", ServerKind::Plain, migrate),
    ("pubsub", ServerKind::Plain, pubsub),
    ("shutdown", ServerKind::Stopped, shutdown),
];

fn start(kind: ServerKind) -> RedisServer {
    match kind {
        ServerKind::Cluster => RedisServer::builder()
            .args(["--cluster-enabled", "yes"])
            .start(),
        _ => RedisServer::new(),
    }
}

/// Commands the server counted (`cmdstat_<name>` with calls, failed or rejected calls).
fn called_commands(server: &RedisServer) -> BTreeSet<String> {
    let text = server.cli(&["INFO", "commandstats"]);
    text.lines()
        .filter_map(|l| l.strip_prefix("cmdstat_"))
        .filter_map(|l| l.split_once(':'))
        .map(|(name, _)| name.to_owned())
        .collect()
}

fn run_group(kind: ServerKind, body: Body) -> BTreeSet<String> {
    let mut logs = Vec::new();
    let mut called = BTreeSet::new();
    for protocol in [Protocol::Resp2, Protocol::Resp3] {
        let server = start(kind);
        let log = body(&client(&server, protocol));
        assert!(!log.is_empty());
        if kind != ServerKind::Stopped {
            called.extend(called_commands(&server));
        }
        logs.push(log);
    }
    for (a, b) in logs[0].iter().zip(&logs[1]) {
        assert_eq!(a, b, "RESP2 and RESP3 differ");
    }
    assert_eq!(logs[0].len(), logs[1].len());
    called
}

#[test]
fn every_declared_command_runs_with_the_same_result_on_resp2_and_resp3() {
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = GROUPS
            .iter()
            .map(|&(name, kind, body)| (name, kind, s.spawn(move || run_group(kind, body))))
            .collect();
        handles
            .into_iter()
            .map(|(name, kind, h)| (name, kind, h.join()))
            .collect()
    });
    let mut failures = Vec::new();
    let mut called = BTreeSet::new();
    for (name, kind, result) in results {
        match result {
            Ok(c) => called.extend(c),
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                failures.push(format!("group {name}: {msg}"));
            }
        }
        if kind == ServerKind::Stopped {
            called.insert("shutdown".to_owned());
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    let not_called: Vec<&str> = command_specs()
        .map(|s| s.name)
        .filter(|name| {
            let full = name.to_lowercase().replace(' ', "|");
            let first = full.split('|').next().unwrap_or_default().to_owned();
            !called.contains(&full) && !called.contains(&first)
        })
        .collect();
    assert!(
        not_called.is_empty(),
        "declared but never called: {not_called:?}"
    );
    println!(
        "{} declarations, {} distinct commands called",
        command_specs().count(),
        called.len()
    );
}

// The SCAN/HSCAN/SSCAN/ZSCAN iterators are tested in tests/scan.rs, on both clients.
