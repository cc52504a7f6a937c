//! Calls of the commands newer than Redis 7.0 (Redis 7.2/7.4/8.x, Valkey 7.2-9.1), each with the
//! reply it must give. On a server too old for a part, the part is skipped visibly: one line
//! `SKIP commands::newer::<part>: needs Redis >= a.b / Valkey >= c.d (server ...)`.

use super::*;

/// A part of this group: the commands that came with one server version.
pub(crate) struct Part {
    /// The test name in the SKIP line.
    pub(crate) name: &'static str,
    /// The first Redis and Valkey versions that have every command of the part.
    pub(crate) needs: Needs,
    /// The methods the part calls (the coverage test does not require them where skipped).
    pub(crate) methods: &'static [&'static str],
}

pub(crate) const CONNECTION_7_2: Part = Part {
    name: "commands::newer::client_setinfo_no_touch_waitaof",
    needs: Needs::new(Some((7, 2)), Some((7, 2))),
    methods: &["client_setinfo", "client_no_touch", "waitaof"],
};

pub(crate) const HASH_FIELD_EXPIRY: Part = Part {
    name: "commands::newer::hash_field_expiry",
    needs: Needs::new(Some((7, 4)), Some((9, 0))),
    methods: &[
        "hexpire",
        "hpexpire",
        "hexpireat",
        "hpexpireat",
        "httl",
        "hpttl",
        "hexpiretime",
        "hpexpiretime",
        "hpersist",
    ],
};

pub(crate) const HGETEX_HSETEX: Part = Part {
    name: "commands::newer::hgetex_hsetex",
    needs: Needs::new(Some((8, 0)), Some((9, 0))),
    methods: &["hgetex", "hsetex"],
};

pub(crate) const HGETDEL: Part = Part {
    name: "commands::newer::hgetdel",
    needs: Needs::new(Some((8, 0)), Some((9, 1))),
    methods: &["hgetdel"],
};

pub(crate) const MSETEX: Part = Part {
    name: "commands::newer::msetex",
    needs: Needs::new(Some((8, 4)), Some((9, 1))),
    methods: &["msetex"],
};

pub(crate) const CLUSTER_7_2: Part = Part {
    name: "commands::newer::cluster_myshardid",
    needs: Needs::new(Some((7, 2)), Some((7, 2))),
    methods: &["cluster_myshardid"],
};

/// Every part, for the command-table test (declared commands a server may not have yet).
pub(crate) const PARTS: &[&Part] = &[
    &CONNECTION_7_2,
    &HASH_FIELD_EXPIRY,
    &HGETEX_HSETEX,
    &HGETDEL,
    &MSETEX,
    &CLUSTER_7_2,
];

/// Whether to run `part` on this server (else it is skipped, visibly).
fn runs(version: &ServerVersion, part: &Part) -> bool {
    !skip_unless(version, part.name, part.needs, part.methods)
}

/// Far in the future (2096), so an absolute expiry is stable and exact.
const FUTURE_SECS: i64 = 4_000_000_000;

pub(crate) fn newer(r: &Redis) {
    let v = server_version(r);
    if runs(&v, &CONNECTION_7_2) {
        connection_7_2(r);
    }
    if runs(&v, &HASH_FIELD_EXPIRY) {
        hash_field_expiry(r);
    }
    if runs(&v, &HGETEX_HSETEX) {
        hgetex_hsetex(r);
    }
    if runs(&v, &HGETDEL) {
        hgetdel(r);
    }
    if runs(&v, &MSETEX) {
        msetex(r);
    }
}

pub(crate) fn newer_cluster(r: &Redis) {
    let v = server_version(r);
    if runs(&v, &CLUSTER_7_2) {
        // A fresh node is its own shard: a 40-hex-digit id, stable across calls.
        let shard = call!(r.cluster_myshardid());
        assert_eq!(shard.len(), 40, "{shard}");
        assert!(shard.bytes().all(|b| b.is_ascii_hexdigit()), "{shard}");
        check!(r.cluster_myshardid() => shard.clone());
        assert_ne!(shard, r.cluster_myid().unwrap());
    }
}

fn connection_7_2(r: &Redis) {
    // The clients send lib-name/lib-ver when they connect; CLIENT SETINFO overrides them.
    let me: ClientInfo = r.client_info().unwrap();
    assert_eq!(me.get("lib-name"), Some("oxredis"), "{me:?}");
    check!(r.client_setinfo("lib-name", "oxredis-newer") => true);
    check!(r.client_setinfo("lib-ver", "1.2.3") => true);
    let me: ClientInfo = r.client_info().unwrap();
    assert_eq!(me.get("lib-name"), Some("oxredis-newer"));
    assert_eq!(me.get("lib-ver"), Some("1.2.3"));
    // Spaces and newlines are refused (they would break CLIENT LIST), as is an unknown attr.
    fails!(r.client_setinfo("lib-name", "two words") => "ERR");
    fails!(r.client_setinfo("lib-colour", "x") => "ERR");

    // NO-TOUCH shows as flag `T` in CLIENT INFO.
    check!(r.client_no_touch(true) => true);
    let flags = r.client_info::<ClientInfo>().unwrap().fields["flags"].clone();
    assert!(flags.contains('T'), "{flags}");
    check!(r.client_no_touch(false) => true);
    let flags = r.client_info::<ClientInfo>().unwrap().fields["flags"].clone();
    assert!(!flags.contains('T'), "{flags}");

    // No replicas and no AOF: nothing to wait for, zero of each.
    check!(r.set("aof", "1") => true);
    check!(r.waitaof(0, 0, 0) => vec![0, 0]);
    check!(r.waitaof(0, 1, 50) => vec![0, 0]);
    fails!(r.waitaof(1, 0, 0) => "ERR");
}

fn hash_field_expiry(r: &Redis) {
    use ExpireCondition::*;
    check!(r.hset_mapping("hf", [("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")]) => 4);
    // Per field: 1 set, -2 no such field; no such key: -2 for every field.
    check!(r.hexpire("hf", 100, &["a", "nope"], None) => vec![1, -2]);
    check!(r.hexpire("nokey", 100, &["a", "b"], None) => vec![-2, -2]);
    // Conditions, in redis-py's order (nx, xx, gt, lt): 0 when not met.
    check!(r.hexpire("hf", 50, &["a"], Some(Gt)) => vec![0]);
    check!(r.hexpire("hf", 200, &["a"], Some(Gt)) => vec![1]);
    check!(r.hexpire("hf", 100, &["b"], Some(Xx)) => vec![0]);
    check!(r.hexpire("hf", 100, &["b"], Some(Nx)) => vec![1]);
    check!(r.hexpire("hf", 100, &["b"], Some(Nx)) => vec![0]);
    check!(r.hexpire("hf", 300, &["b"], Some(Lt)) => vec![0]);
    check!(r.hexpire("hf", 90, &["b"], Some(Lt)) => vec![1]);
    let ttl = call!(r.httl("hf", &["a", "b", "c", "nope"]));
    assert!((199..=200).contains(&ttl[0]), "{ttl:?}");
    assert!((89..=90).contains(&ttl[1]), "{ttl:?}");
    assert_eq!(ttl[2..], [-1, -2]);
    check!(r.httl("nokey", &["a"]) => vec![-2]);

    check!(r.hpexpire("hf", 300_000, &["c"], Some(Nx)) => vec![1]);
    check!(r.hpexpire("hf", 1_000, &["c"], Some(Xx)) => vec![1]);
    let pttl = call!(r.hpttl("hf", &["c", "d"]));
    assert!((900..=1_000).contains(&pttl[0]), "{pttl:?}");
    assert_eq!(pttl[1], -1);

    // Absolute times come back exactly.
    check!(r.hexpireat("hf", FUTURE_SECS, &["a", "nope"], None) => vec![1, -2]);
    check!(r.hexpireat("hf", FUTURE_SECS - 1, &["a"], Some(Gt)) => vec![0]);
    check!(r.hpexpireat("hf", FUTURE_SECS * 1000 + 123, &["b"], None) => vec![1]);
    check!(r.hpexpireat("hf", FUTURE_SECS * 1000, &["b"], Some(Lt)) => vec![1]);
    check!(r.hexpiretime("hf", &["a", "b", "d", "nope"]) => vec![FUTURE_SECS, FUTURE_SECS, -1, -2]);
    check!(r.hpexpiretime("hf", &["a", "b", "d"]) => vec![FUTURE_SECS * 1000, FUTURE_SECS * 1000, -1]);

    // PERSIST: 1 removed, -1 no expiry, -2 no such field.
    check!(r.hpersist("hf", &["a", "d", "nope"]) => vec![1, -1, -2]);
    check!(r.hexpiretime("hf", &["a"]) => vec![-1]);

    // A time in the past deletes the field at once: 2.
    check!(r.hexpireat("hf", 1, &["d"], None) => vec![2]);
    check!(r.hpexpire("hf", 0, &["a"], None) => vec![2]);
    check!(r.hkeys::<BTreeSet<String>>("hf") => BTreeSet::from(["b".to_owned(), "c".to_owned()]));
    // Field c's 1 s expiry passes: the field goes, b stays.
    let deadline = Instant::now() + Duration::from_secs(5);
    while r.hexists("hf", "c").unwrap() {
        assert!(Instant::now() < deadline, "field c did not expire");
        std::thread::sleep(Duration::from_millis(50));
    }
    // HLEN may still count an expired field not yet reclaimed (Valkey does); HKEYS does not.
    check!(r.hkeys::<Vec<String>>("hf") => vec!["b".to_owned()]);
    check!(r.set("str", "x") => true);
    fails!(r.httl("str", &["f"]) => "WRONGTYPE");
}

fn hgetex_hsetex(r: &Redis) {
    let opts = HSetExOptions::default;
    // FNX: only if no field exists; 1/0 as true/false.
    check!(r.hsetex("hx", &[("f1", "v1"), ("f2", "v2")], &opts().fnx().expiry(Expiry::Ex(100))) => true);
    check!(r.hsetex("hx", &[("f1", "x"), ("f3", "v3")], &opts().fnx()) => false);
    check!(r.hexists("hx", "f3") => false);
    // FXX with KEEPTTL: only if every field exists, keeping the time to live.
    check!(r.hsetex("hx", &[("f1", "w1")], &opts().fxx().expiry(Expiry::KeepTtl)) => true);
    check!(r.hsetex("hx", &[("f1", "w1"), ("f9", "x")], &opts().fxx()) => false);
    let ttl = call!(r.httl("hx", &["f1", "f2"]));
    assert!(ttl.iter().all(|t| (99..=100).contains(t)), "{ttl:?}");
    // No condition: sets and drops the expiry.
    check!(r.hsetex("hx", &[("f2", "w2")], &opts()) => true);
    check!(r.httl("hx", &["f2"]) => vec![-1]);
    check!(r.hsetex("hx", &[("f4", "v4")], &opts().expiry(Expiry::PxAt(FUTURE_SECS as u64 * 1000))) => true);
    check!(r.hexpiretime("hx", &["f4"]) => vec![FUTURE_SECS]);

    let get = GetExOptions::default;
    check!(r.hgetex::<Vec<Option<String>>>("hx", &["f1", "nope"], &get().persist())
        => vec![Some("w1".to_owned()), None]);
    check!(r.httl("hx", &["f1"]) => vec![-1]);
    check!(r.hgetex::<Vec<Option<String>>>("hx", &["f2"], &get().expiry(Expiry::ExAt(FUTURE_SECS as u64)))
        => vec![Some("w2".to_owned())]);
    check!(r.hexpiretime("hx", &["f2"]) => vec![FUTURE_SECS]);
    check!(r.hgetex::<Vec<Option<String>>>("hx", &["f2", "f4"], &get())
        => vec![Some("w2".to_owned()), Some("v4".to_owned())]);
    check!(r.hgetex::<Vec<Option<String>>>("nokey", &["a"], &get()) => vec![None]);
    check!(r.hgetall::<BTreeMap<String, String>>("hx") => BTreeMap::from([
        ("f1".to_owned(), "w1".to_owned()),
        ("f2".to_owned(), "w2".to_owned()),
        ("f4".to_owned(), "v4".to_owned()),
    ]));
}

fn hgetdel(r: &Redis) {
    check!(r.hset_mapping("hd", [("a", "1"), ("b", "2")]) => 2);
    check!(r.hgetdel::<Vec<Option<String>>>("hd", &["a", "nope"]) => vec![Some("1".to_owned()), None]);
    check!(r.hlen("hd") => 1);
    // The last field goes with the key.
    check!(r.hgetdel::<Vec<Option<String>>>("hd", &["b"]) => vec![Some("2".to_owned())]);
    check!(r.exists("hd") => 0);
    check!(r.hgetdel::<Vec<Option<String>>>("hd", &["b"]) => vec![None]);
}

fn msetex(r: &Redis) {
    let opts = MSetExOptions::default;
    check!(r.msetex(&[("m1", "a"), ("m2", "b")], &opts().expiry(Expiry::Ex(100))) => true);
    let ttl = call!(r.ttl("m2"));
    assert!((99..=100).contains(&ttl), "{ttl}");
    // NX: none may exist; nothing is set when one does.
    check!(r.msetex(&[("m1", "x"), ("m3", "c")], &opts().nx()) => false);
    check!(r.exists("m3") => 0);
    // XX with KEEPTTL: all must exist; values change, the time to live stays.
    check!(r.msetex(&[("m1", "x"), ("m2", "y")], &opts().xx().expiry(Expiry::KeepTtl)) => true);
    check!(r.msetex(&[("m1", "x"), ("m9", "y")], &opts().xx()) => false);
    check!(r.mget::<Vec<Option<String>>>(["m1", "m2", "m9"])
        => vec![Some("x".to_owned()), Some("y".to_owned()), None]);
    let ttl = call!(r.ttl("m1"));
    assert!((99..=100).contains(&ttl), "{ttl}");
    check!(r.msetex(&[("m4", "d")], &opts().expiry(Expiry::PxAt(FUTURE_SECS as u64 * 1000))) => true);
    check!(r.pexpiretime("m4") => FUTURE_SECS * 1000);
}
