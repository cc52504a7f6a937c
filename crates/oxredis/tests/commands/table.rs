//! The command table against the server's own: every command of the server's COMMAND table is
//! declared (or listed as not supported, with why), with the same key positions and flags.

use super::*;

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

/// Commands only Valkey's table has, not declared because redis-py 8.1 (the reference) does not
/// have them either; checked against Valkey's table only.
const VALKEY_NOT_SUPPORTED: &[(&str, &str)] = &[
    (
        "CLIENT CAPA",
        "Valkey only (client capabilities such as redirect); redis-py 8.1 has no client_capa",
    ),
    (
        "CLIENT IMPORT-SOURCE",
        "Valkey only (marks a connection as an import source); not in redis-py 8.1",
    ),
    (
        "CLUSTERSCAN",
        "Valkey only (cluster-wide SCAN); not in redis-py 8.1, whose cluster scan_iter goes node by node",
    ),
    (
        "CLUSTER CANCELSLOTMIGRATIONS",
        "Valkey 9 atomic slot migration; not in redis-py 8.1",
    ),
    (
        "CLUSTER GETSLOTMIGRATIONS",
        "Valkey 9 atomic slot migration; not in redis-py 8.1",
    ),
    (
        "CLUSTER MIGRATESLOTS",
        "Valkey 9 atomic slot migration; not in redis-py 8.1",
    ),
    (
        "CLUSTER SYNCSLOTS",
        "Valkey 9 atomic slot migration, sent between nodes only",
    ),
    (
        "CLUSTER FLUSHSLOT",
        "Valkey only (deletes one slot's keys); not in redis-py 8.1",
    ),
    (
        "CLUSTER SLOT-STATS",
        "per-slot statistics (Valkey 8, Redis 8.2); not in redis-py 8.1",
    ),
    (
        "COMMANDLOG GET",
        "Valkey 8.1's generalised SLOWLOG; not in redis-py 8.1 (SLOWLOG is declared)",
    ),
    ("COMMANDLOG LEN", "Valkey 8.1's generalised SLOWLOG; not in redis-py 8.1"),
    (
        "COMMANDLOG RESET",
        "Valkey 8.1's generalised SLOWLOG; not in redis-py 8.1",
    ),
    ("COMMANDLOG HELP", "Valkey 8.1's generalised SLOWLOG; not in redis-py 8.1"),
    (
        "DELIFEQ",
        "Valkey 9 only (delete if the value equals); redis-py 8.1 has Redis 8.4's DELEX instead",
    ),
    (
        "SCRIPT SHOW",
        "Valkey 8 only (a cached script's source); not in redis-py 8.1",
    ),
];

/// Flags a server sets that the declaration deliberately does not, and why.
const FLAG_DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "WAIT",
        "blocking",
        "Valkey (and Redis 7.2+) flag WAIT blocking; the clients run it on the shared connection \
         with a deadline that allows for its timeout (Cmd::block_time) instead of a dedicated one",
    ),
    (
        "WAITAOF",
        "blocking",
        "as WAIT: run on the shared connection with a deadline that allows for its timeout",
    ),
];

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

/// The newer commands (see `newer.rs`) this server is too old for; prints one SKIP line per
/// part.
fn too_new_for(version: &ServerVersion) -> BTreeSet<&'static str> {
    let mut out = BTreeSet::new();
    for part in newer::PARTS {
        if version.meets(part.needs) {
            continue;
        }
        let commands: BTreeSet<&str> = command_methods()
            .filter(|(m, _)| part.methods.contains(m))
            .map(|(_, c)| c)
            .collect();
        let test = format!(
            "commands::table::{}",
            part.name.rsplit("::").next().unwrap()
        );
        assert!(version.skip_unless(&test, part.needs));
        out.extend(commands);
    }
    out
}

#[test]
fn the_server_command_table_is_covered_with_matching_keys_and_flags() {
    let server = RedisServer::new();
    let r = client(&server, Protocol::Resp2);
    let version = server.version();
    let (table, containers) = server_table(&r);
    let specs: Vec<_> = command_specs().collect();
    let mut not_supported: HashMap<&str, &str> = NOT_SUPPORTED.iter().copied().collect();
    if version.is_valkey() {
        not_supported.extend(VALKEY_NOT_SUPPORTED.iter().copied());
    }
    let too_new = too_new_for(&version);

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
        "{version}: declared {declared}/{} commands of the server's table ({} declarations, {} \
         not supported, {} too new for it)",
        table.len(),
        specs.len(),
        not_supported.len(),
        too_new.len()
    );
    assert!(
        missing.is_empty(),
        "neither declared nor listed as not supported: {missing:?}"
    );

    for (name, _, _) in FLAG_DIFFERENCES {
        assert!(
            specs.iter().any(|s| s.name == *name),
            "{name} in FLAG_DIFFERENCES is not declared"
        );
    }
    let mut mismatches = Vec::new();
    // SENTINEL subcommands exist only on a sentinel; sentinel.rs checks them against its table.
    for spec in specs.iter().filter(|s| !s.name.starts_with("SENTINEL ")) {
        // A container callable by itself (bare `COMMAND`) is checked like a leaf.
        let Some(e) = table
            .iter()
            .chain(&containers)
            .find(|e| e.name == spec.name)
        else {
            assert!(
                too_new.contains(spec.name) || table.iter().any(|e| covers(spec.name, &e.name)),
                "{} is declared but not in the server's table",
                spec.name
            );
            continue;
        };
        assert!(
            !too_new.contains(spec.name),
            "{} is in the table of {version}: correct its Needs in newer.rs",
            spec.name
        );
        for (flag, word) in [
            (CommandFlags::READONLY, "readonly"),
            (CommandFlags::WRITE, "write"),
            (CommandFlags::BLOCKING, "blocking"),
        ] {
            let deliberate = FLAG_DIFFERENCES
                .iter()
                .any(|&(name, w, _)| name == spec.name && w == word);
            if spec.flags.contains(flag) != e.flags.contains(word) && !deliberate {
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
        build::msetex(
            &[("k1", "v1"), ("k2", "v2")],
            &MSetExOptions::default().nx().expiry(Expiry::Px(5)),
        ),
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
    // Samples of commands this server does not have (newer ones) cannot be checked here; the
    // table test prints their SKIP lines.
    let in_table: HashSet<&str> = table.iter().map(|e| e.name.as_str()).collect();
    for cmd in samples.iter().filter(|c| in_table.contains(c.spec().name)) {
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

#[test]
fn keyword_key_specs_on_cut_short_commands_find_what_command_getkeys_finds() {
    // A keyword with nothing after it names no key; an odd number of arguments after STREAMS
    // names half of them, rounded down. Each case: the words sent and the keys expected.
    let cases: [(&[&str], &[&str]); 6] = [
        (&["GEORADIUS", "g", "1", "2", "3", "m", "STORE"], &["g"]),
        (
            &["GEORADIUS", "g", "1", "2", "3", "m", "STORE", "d"],
            &["g", "d"],
        ),
        (
            &["GEORADIUS", "g", "1", "2", "3", "m", "STOREDIST", "d"],
            &["g", "d"],
        ),
        (&["XREAD", "STREAMS", "a", "b", "0"], &["a"]),
        (&["XREAD", "STREAMS", "a", "b", "0", "1"], &["a", "b"]),
        (&["SORT", "src", "STORE"], &["src"]),
    ];
    let server = RedisServer::new();
    let r = client(&server, Protocol::Resp3);
    for (words, expected) in cases {
        let spec = command_specs().find(|s| s.name == words[0]).unwrap();
        let args: Vec<&[u8]> = words.iter().map(|w| w.as_bytes()).collect();
        let ours: Vec<&str> = spec.keys.key_indices(&args).map(|i| words[i]).collect();
        assert_eq!(ours, expected, "our keys of {words:?}");
        check!(r.command_getkeys::<Vec<String>>(words) => expected);
    }
}
