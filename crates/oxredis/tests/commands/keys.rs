//! Calls of the keys group's methods, each with the reply it must give.

use super::*;

/// Seconds since the unix epoch, for the EXPIRETIME checks of relative expiries.
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub(crate) fn keys(r: &Client) {
    check!(r.mset([("{t}k1", "1"), ("{t}k2", "2"), ("{t}k3", "3")]) => true);
    check!(r.exists(["{t}k1", "{t}k2", "{t}nope"]) => 2);
    // A key named twice counts twice.
    check!(r.exists(["{t}k1", "{t}k1"]) => 2);
    check!(r.type_::<String>("{t}k1") => "string");
    check!(r.type_::<String>("{t}nope") => "none");
    assert_eq!(
        all_keys(r, "{t}k*"),
        BTreeSet::from(["{t}k1".to_owned(), "{t}k2".to_owned(), "{t}k3".to_owned()])
    );
    assert_eq!(
        all_keys(r, "{t}k[13]"),
        BTreeSet::from(["{t}k1".to_owned(), "{t}k3".to_owned()])
    );
    check!(r.keys::<Vec<String>>("nomatch*") => Vec::<String>::new());
    check!(r.touch(["{t}k1", "{t}nope", "{t}k2"]) => 2);

    // Expiry: relative, conditional (GT/LT/NX/XX), absolute, and their read-back.
    check!(r.ttl("{t}k1") => -1);
    check!(r.ttl("{t}nope") => -2);
    check!(r.pttl("{t}nope") => -2);
    check!(r.expire("{t}k1", 100) => true);
    check!(r.expire("{t}nope", 100) => false);
    check!(r.expire_if("{t}k1", 50, ExpireCondition::Gt) => false);
    check!(r.expire_if("{t}k1", 50, ExpireCondition::Lt) => true);
    check!(r.expire_if("{t}k1", 200, ExpireCondition::Nx) => false);
    let ttl = call!(r.ttl("{t}k1"));
    assert!((49..=50).contains(&ttl), "{ttl}");
    // EXPIRETIME of a relative expiry: now + 50 (a second either way for the clock tick).
    let at = call!(r.expiretime("{t}k1"));
    assert!((at - (unix_now() + 50)).abs() <= 1, "{at}");
    check!(r.pexpire("{t}k2", 100_000, None) => true);
    check!(r.pexpire("{t}k2", 100_000, Some(ExpireCondition::Nx)) => false);
    check!(r.pexpire("{t}k2", 200_000, Some(ExpireCondition::Xx)) => true);
    let pttl = call!(r.pttl("{t}k2"));
    assert!((190_000..=200_000).contains(&pttl), "{pttl}");
    check!(r.expireat("{t}k3", 4_000_000_000, None) => true);
    check!(r.expireat("{t}k3", 4_000_000_001, Some(ExpireCondition::Lt)) => false);
    check!(r.expiretime("{t}k3") => 4_000_000_000);
    check!(r.pexpiretime("{t}k3") => 4_000_000_000_000);
    check!(r.pexpireat("{t}k3", 4_000_000_000_123, Some(ExpireCondition::Xx)) => true);
    check!(r.pexpiretime("{t}k3") => 4_000_000_000_123);
    // EXPIRETIME truncates the milliseconds.
    check!(r.expiretime("{t}k3") => 4_000_000_000);
    check!(r.pexpireat("{t}nope", 4_000_000_000_123, None) => false);
    check!(r.persist("{t}k3") => true);
    check!(r.persist("{t}k3") => false);
    check!(r.persist("{t}nope") => false);
    check!(r.expiretime("{t}k3") => -1);
    check!(r.pexpiretime("{t}k3") => -1);
    check!(r.expiretime("{t}nope") => -2);
    check!(r.pexpiretime("{t}nope") => -2);
    // A timeout that overflows when made absolute is an error.
    fails!(r.expire("{t}k1", i64::MAX) => "ERR");
    fails!(r.pexpire("{t}k1", i64::MAX, None) => "ERR");
    // A past (or non-positive) expiry deletes the key at once.
    check!(r.set("gone", "x") => true);
    check!(r.expire("gone", -1) => true);
    check!(r.exists(["gone"]) => 0);

    check!(r.copy("{t}k3", "{t}k4", &CopyOptions::default()) => true);
    check!(r.get::<String>("{t}k4") => "3");
    check!(r.copy("{t}k3", "{t}k4", &CopyOptions::default()) => false);
    check!(r.copy("{t}k3", "{t}k4", &CopyOptions::default().replace()) => true);
    check!(r.copy("{t}nope", "{t}k9", &CopyOptions::default()) => false);
    // A cluster has database 0 only: no COPY ... DB, MOVE or SWAPDB there.
    if !ON_CLUSTER {
        check!(r.copy("{t}k3", "{t}k4", &CopyOptions::default().db(1)) => true);
        // Now there in db 1 too: a second copy there needs REPLACE.
        check!(r.copy("{t}k3", "{t}k4", &CopyOptions::default().db(1)) => false);
        check!(r.copy("{t}k3", "{t}k4", &CopyOptions::default().db(1).replace()) => true);
    }
    check!(r.rename("{t}k4", "{t}k5") => true);
    check!(r.exists(["{t}k4", "{t}k5"]) => 1);
    fails!(r.rename("{t}nope", "{t}k6") => "ERR");
    check!(r.renamenx("{t}k5", "{t}k3") => false);
    check!(r.renamenx("{t}k5", "{t}k6") => true);
    check!(r.copy("{t}k6", "{t}k5", &CopyOptions::default()) => true);
    if !ON_CLUSTER {
        check!(r.move_("{t}k6", 2) => true);
        // Gone from db 0 now: nothing to move.
        check!(r.move_("{t}k6", 2) => false);
        check!(r.exists(["{t}k6"]) => 0);
        // It is in db 2 (seen by swapping db 2 in), and db 1 holds the copy.
        let _: () = r.execute_command(("SWAPDB", 0, 2)).unwrap();
        check!(r.get::<String>("{t}k6") => "3");
        let _: () = r.execute_command(("SWAPDB", 0, 2)).unwrap();
        let _: () = r.execute_command(("SWAPDB", 0, 1)).unwrap();
        check!(r.keys::<Vec<String>>("*") => ["{t}k4"]);
        let _: () = r.execute_command(("SWAPDB", 0, 1)).unwrap();
        // A key already in the target db is not moved.
        check!(r.copy("{t}k5", "{t}k4", &CopyOptions::default()) => true);
        check!(r.move_("{t}k4", 1) => false);
        check!(r.exists(["{t}k4"]) => 1);
    }
    check!(r.unlink(["{t}k6", "{t}k2", "{t}k5", "{t}k4"]) => 3);
    check!(r.unlink(["{t}nope"]) => 0);
    check!(r.delete(["{t}k1", "{t}nope"]) => 1);
    check!(r.delete(["{t}k1"]) => 0);

    // DUMP: type byte 0 (string), the int-encoded "3" (0xC0 = 8-bit integer, then 3), a 2-byte
    // RDB version and an 8-byte CRC64.
    let dumped: Vec<u8> = call!(r.dump("{t}k3"));
    assert_eq!(&dumped[..3], &[0x00, 0xC0, 0x03], "{dumped:?}");
    assert_eq!(dumped.len(), 3 + 2 + 8, "{dumped:?}");
    let rdb_version = u16::from_le_bytes([dumped[3], dumped[4]]);
    assert!(rdb_version >= 10, "{rdb_version}");
    check!(r.dump::<Option<Vec<u8>>>("{t}nope") => None);
    check!(r.restore("r1", 0, &dumped, &RestoreOptions::default()) => true);
    check!(r.get::<String>("r1") => "3");
    check!(r.ttl("r1") => -1);
    fails!(r.restore("r1", 0, &dumped, &RestoreOptions::default()) => "BUSYKEY");
    fails!(r.restore("bad", 0, b"not a dump", &RestoreOptions::default()) => "ERR");
    check!(r.restore(
        "r1",
        0,
        &dumped,
        &RestoreOptions::default().replace().idletime(10)
    ) => true);
    // OBJECT IDLETIME does not touch the key: the restored idle time (the LRU clock ticks in
    // seconds, so 10 or 11).
    let idle = call!(r.object_idletime("r1"));
    assert!((10..=11).contains(&idle), "{idle}");
    check!(r.restore_asking("r2", 100_000, &dumped, &RestoreOptions::default()) => true);
    let pttl = call!(r.pttl("r2"));
    assert!((90_000..=100_000).contains(&pttl), "{pttl}");
    check!(r.restore(
        "r3",
        4_000_000_000_000,
        &dumped,
        &RestoreOptions::default().absttl()
    ) => true);
    check!(r.pexpiretime("r3") => 4_000_000_000_000);
    check!(r.get::<String>("r1") => "3");
    let idle = call!(r.object_idletime("r1"));
    assert!((0..=1).contains(&idle), "{idle}");
    // A binary value (NUL, invalid UTF-8) survives DUMP/RESTORE.
    let raw: &[u8] = b"a\0b\xff";
    check!(r.set("bin", raw) => true);
    let dumped_bin: Vec<u8> = call!(r.dump("bin"));
    // Type 0, length 4, the bytes.
    assert_eq!(&dumped_bin[..6], b"\x00\x04a\0b\xff", "{dumped_bin:?}");
    check!(r.restore("bin2", 0, &dumped_bin, &RestoreOptions::default()) => true);
    check!(r.get::<Vec<u8>>("bin2") => raw.to_vec());

    check!(r.object_encoding::<String>("r1") => "int");
    check!(r.set("emb", "hello") => true);
    check!(r.object_encoding::<String>("emb") => "embstr");
    // Longer than either server embeds (Redis 7.0: 44 bytes, Valkey 9.1: more than 100).
    check!(r.set("long", "x".repeat(200)) => true);
    check!(r.object_encoding::<String>("long") => "raw");
    check!(r.object_encoding::<Option<String>>("{t}nope") => None);
    check!(r.rpush("enc_list", ["a"]) => 1);
    // Redis 7.0 keeps small lists in a quicklist; listpack-encoded lists came with Redis 7.2.
    let list_encoding = if is_valkey(r) {
        "listpack"
    } else {
        "quicklist"
    };
    check!(r.object_encoding::<String>("enc_list") => list_encoding);
    check!(r.sadd("enc_set", ["1", "2"]) => 2);
    check!(r.object_encoding::<String>("enc_set") => "intset");
    check!(r.hset("enc_hash", "f", "v") => 1);
    check!(r.object_encoding::<String>("enc_hash") => "listpack");
    check!(r.object_refcount("emb") => 1);
    check!(r.object_refcount("long") => 1);
    // OBJECT on a missing key answers nil.
    check!(r.object_encoding::<Option<String>>("{t}nope") => None);
    // No LFU policy: no access frequency.
    fails!(r.object_freq("r1") => "ERR");
    let help = call!(r.object_help::<Vec<String>>());
    assert!(help[0].starts_with("OBJECT <subcommand>"), "{help:?}");
    assert!(
        help.iter().any(|l| l.starts_with("ENCODING <key>")),
        "{help:?}"
    );
    assert!(help.iter().any(|l| l.starts_with("FREQ <key>")), "{help:?}");
    // With an LFU policy, RESTORE's FREQ sets the counter that OBJECT FREQ reads.
    let _: () = r
        .execute_command(("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"))
        .unwrap();
    check!(r.restore(
        "r1",
        0,
        &dumped,
        &RestoreOptions::default().replace().freq(5)
    ) => true);
    check!(r.object_freq("r1") => 5);
    fails!(r.object_idletime("r1") => "ERR");
    let _: () = r
        .execute_command(("CONFIG", "SET", "maxmemory-policy", "noeviction"))
        .unwrap();

    // The rest of this group is for a single server: a cluster refuses SORT ... BY/GET of other
    // keys (Redis 7.0: "BY option of SORT denied in Cluster mode"), WAIT counts each primary's
    // replica there, and FLUSHDB, RANDOMKEY and SCAN address one node or all.
    if ON_CLUSTER {
        return;
    }
    // SORT BY and GET a hash field (`->`).
    check!(r.rpush("{t}uids", ["1", "2", "3"]) => 3);
    check!(r.hset_mapping("{t}user_1", [("name", "u1"), ("age", "30")]) => 2);
    check!(r.hset_mapping("{t}user_2", [("name", "u2"), ("age", "10")]) => 2);
    check!(r.hset_mapping("{t}user_3", [("name", "u3"), ("age", "20")]) => 2);
    check!(r.sort::<Vec<String>>(
        "{t}uids",
        &SortOptions::default().by("{t}user_*->age").get("{t}user_*->name")
    ) => ["u2", "u3", "u1"]);
    // Several GETs: the reply is flat, the values of each element in turn; `groups` (redis-py's
    // `groups=True`) makes one group per element.
    check!(r.sort::<Vec<String>>(
        "{t}uids",
        &SortOptions::default().by("{t}user_*->age").desc().get("#").get("{t}user_*->age")
    ) => ["1", "30", "3", "20", "2", "10"]);
    check!(r.sort::<Vec<(String, String)>>(
        "{t}uids",
        &SortOptions::default().by("{t}user_*->age").desc().get("#").get("{t}user_*->age").groups()
    ) => [
        ("1".to_owned(), "30".to_owned()),
        ("3".to_owned(), "20".to_owned()),
        ("2".to_owned(), "10".to_owned())
    ]);

    // SORT: numeric by default; DESC, LIMIT, BY external weights, GET (with `#` the element and
    // nil for a missing key), ALPHA, STORE (the reply becomes the count).
    check!(r.rpush("{t}sortme", ["3", "1", "2"]) => 3);
    check!(r.mset([("{t}w_1", "30"), ("{t}w_2", "20"), ("{t}w_3", "10")]) => true);
    check!(r.mset([("{t}o_1", "one"), ("{t}o_3", "three")]) => true);
    check!(r.sort::<Vec<String>>("{t}sortme", &SortOptions::default()) => ["1", "2", "3"]);
    check!(r.sort::<Vec<String>>("{t}sortme", &SortOptions::default().desc().limit(0, 2)) => ["3", "2"]);
    check!(r.sort::<Vec<String>>("{t}sortme", &SortOptions::default().limit(1, 10)) => ["2", "3"]);
    check!(r.sort::<Vec<String>>("{t}sortme", &SortOptions::default().limit(5, 10)) => Vec::<String>::new());
    check!(r.sort::<Vec<String>>(
        "{t}sortme",
        &SortOptions::default().by("{t}w_*").get("#").get("{t}w_*")
    ) => ["3", "10", "2", "20", "1", "30"]);
    check!(r.sort::<Vec<Option<String>>>(
        "{t}sortme",
        &SortOptions::default().get("{t}o_*")
    ) => [Some("one".to_owned()), None, Some("three".to_owned())]);
    check!(r.sort::<Vec<(String, Option<String>)>>(
        "{t}sortme",
        &SortOptions::default().get("#").get("{t}o_*").groups().limit(1, 2)
    ) => [("2".to_owned(), None), ("3".to_owned(), Some("three".to_owned()))]);
    // BY a pattern without `*` skips sorting: the list's own order.
    check!(r.sort::<Vec<String>>("{t}sortme", &SortOptions::default().by("nosort")) => ["3", "1", "2"]);
    check!(r.sort::<i64>("{t}sortme", &SortOptions::default().alpha().store("{t}sorted")) => 3);
    check!(r.lrange::<Vec<String>>("{t}sorted", 0, -1) => ["1", "2", "3"]);
    check!(r.rpush("{t}words", ["pear", "apple", "fig"]) => 3);
    fails!(r.sort::<Vec<String>>("{t}words", &SortOptions::default()) => "ERR");
    check!(r.sort::<Vec<String>>("{t}words", &SortOptions::default().alpha()) => ["apple", "fig", "pear"]);
    check!(r.sort::<Vec<String>>("{t}words", &SortOptions::default().alpha().desc().limit(0, 1)) => ["pear"]);
    check!(r.sort::<Vec<String>>("{t}nope", &SortOptions::default()) => Vec::<String>::new());
    check!(r.sort::<i64>("{t}nope", &SortOptions::default().store("{t}sorted")) => 0);
    // Storing an empty result deletes the destination.
    check!(r.exists(["{t}sorted"]) => 0);
    check!(r.sadd("sortset", ["10", "9", "100"]) => 3);
    check!(r.sort::<Vec<i64>>("sortset", &SortOptions::default()) => [9, 10, 100]);
    check!(r.sort_ro::<Vec<String>>("{t}sortme", &SortOptions::default().desc()) => ["3", "2", "1"]);
    check!(r.sort_ro::<Vec<String>>("{t}sortme", &SortOptions::default().by("{t}w_*").limit(0, 1)) => ["3"]);
    check!(r.sort_ro::<Vec<String>>("{t}words", &SortOptions::default().alpha()) => ["apple", "fig", "pear"]);
    fails!(r.sort::<Vec<String>>("{t}k3", &SortOptions::default()) => "WRONGTYPE");

    // No replicas: WAIT reaches its timeout with none acknowledging.
    check!(r.wait(0, 10) => 0);
    check!(r.flushdb() => true);
    check!(r.randomkey::<Option<String>>() => None);
    check!(r.set("only", "1") => true);
    check!(r.randomkey::<Option<String>>() => Some("only".to_owned()));
    check!(r.scan::<Vec<String>>(0, &ScanOptions::default().count(10)) => (0, vec!["only".to_owned()]));
    check!(r.mset([("a1", "1"), ("a2", "2"), ("b1", "3")]) => true);
    let some = call!(r.randomkey::<String>());
    assert!(
        ["only", "a1", "a2", "b1"].contains(&some.as_str()),
        "{some}"
    );
    // A small keyspace is one page: cursor 0 with every match.
    let (cursor, page) =
        call!(r.scan::<BTreeSet<String>>(0, &ScanOptions::default().pattern("a*").count(100)));
    assert_eq!(cursor, 0);
    assert_eq!(page, BTreeSet::from(["a1".to_owned(), "a2".to_owned()]));
    check!(r.rpush("alist", ["x"]) => 1);
    check!(r.scan::<Vec<String>>(0, &ScanOptions::default().type_("list").count(100)) => (0, vec!["alist".to_owned()]));
    check!(r.type_::<String>("alist") => "list");
    check!(r.sadd("aset", ["x"]) => 1);
    check!(r.type_::<String>("aset") => "set");
    check!(r.hset("ahash", "f", "v") => 1);
    check!(r.type_::<String>("ahash") => "hash");
    // A full SCAN walk over more keys than a page: every key exactly once (a key present for
    // the whole walk is returned at least once; a rehash could repeat one, hence the set).
    check!(r.flushdb() => true);
    let names: BTreeSet<String> = (0..200).map(|i| format!("key:{i}")).collect();
    check!(r.mset(names.iter().map(|n| (n.as_str(), "v")).collect::<Vec<_>>()) => true);
    let mut seen = BTreeSet::new();
    let mut cursor = 0;
    let mut pages = 0;
    loop {
        let (next, page) = call!(
            r.scan::<Vec<String>>(cursor, &ScanOptions::default().pattern("key:*").count(20))
        );
        seen.extend(page);
        pages += 1;
        cursor = next;
        if cursor == 0 {
            break;
        }
    }
    assert!(pages > 1, "{pages}");
    assert_eq!(seen, names);
}

pub(crate) fn migrate(r: &Redis) {
    let target = RedisServer::new();
    let t = Redis::from_url(&target.url()).unwrap();
    check!(r.mset([("m1", "a"), ("m2", "b")]) => true);
    let port = target.port();
    // COPY keeps the keys on the source.
    check!(r.migrate::<String>(
        "127.0.0.1",
        port,
        ["m1", "m2"],
        0,
        1000,
        &MigrateOptions::default().copy()
    ) => "OK");
    check!(t.mget::<Vec<Option<String>>>(["m1", "m2"]) => [Some("a".to_owned()), Some("b".to_owned())]);
    check!(r.exists(["m1", "m2"]) => 2);
    // The target has the key: its BUSYKEY comes back wrapped in an ERR.
    fails!(r.migrate::<String>(
        "127.0.0.1",
        port,
        ["m1"],
        0,
        1000,
        &MigrateOptions::default()
    ) => "ERR");
    check!(r.set("m1", "a2") => true);
    // REPLACE overwrites on the target; without COPY the key leaves the source.
    check!(r.migrate::<String>(
        "127.0.0.1",
        port,
        ["m1"],
        0,
        1000,
        &MigrateOptions::default().replace()
    ) => "OK");
    check!(t.get::<String>("m1") => "a2");
    check!(r.exists(["m1"]) => 0);
    // No key to move.
    check!(r.migrate::<String>(
        "127.0.0.1",
        port,
        ["nope"],
        0,
        1000,
        &MigrateOptions::default()
    ) => "NOKEY");
    // Into another database of the target.
    check!(r.set("m3", "c") => true);
    check!(r.migrate::<String>(
        "127.0.0.1",
        port,
        ["m3"],
        3,
        1000,
        &MigrateOptions::default()
    ) => "OK");
    check!(t.exists(["m3"]) => 0);
    let t3 = Redis::from_url(&format!("{}/3", target.url())).unwrap();
    check!(t3.get::<String>("m3") => "c");
    // The target has no password: AUTH2 fails there, the key stays here.
    fails!(r.migrate::<String>(
        "127.0.0.1",
        port,
        ["m2"],
        0,
        1000,
        &MigrateOptions::default().replace().auth(Some("u"), "p")
    ) => "ERR");
    fails!(r.migrate::<String>(
        "127.0.0.1",
        port,
        ["m2"],
        0,
        1000,
        &MigrateOptions::default().replace().auth(None, "p")
    ) => "ERR");
    check!(r.exists(["m1", "m2", "m3"]) => 1);

    // A target that requires a password (default user) and has an ACL user: AUTH and AUTH2.
    let locked = RedisServer::builder()
        .password("pw")
        .acl_user("mover", "secret")
        .start();
    let l = Redis::from_url(&locked.url()).unwrap();
    let lport = locked.port();
    fails!(r.migrate::<String>(
        "127.0.0.1",
        lport,
        ["m2"],
        0,
        1000,
        &MigrateOptions::default().copy()
    ) => "ERR");
    check!(r.migrate::<String>(
        "127.0.0.1",
        lport,
        ["m2"],
        0,
        1000,
        &MigrateOptions::default().copy().auth(None, "pw")
    ) => "OK");
    check!(l.get::<String>("m2") => "b");
    check!(r.set("m2", "b2") => true);
    fails!(r.migrate::<String>(
        "127.0.0.1",
        lport,
        ["m2"],
        0,
        1000,
        &MigrateOptions::default().copy().replace().auth(Some("mover"), "wrong")
    ) => "ERR");
    check!(r.migrate::<String>(
        "127.0.0.1",
        lport,
        ["m2"],
        0,
        1000,
        &MigrateOptions::default().replace().auth(Some("mover"), "secret")
    ) => "OK");
    check!(l.get::<String>("m2") => "b2");
    check!(r.exists(["m2"]) => 0);
}
