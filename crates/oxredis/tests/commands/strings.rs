//! Calls of the strings group's methods, each with the reply it must give.

use super::*;

pub(crate) fn strings(r: &Client) {
    check!(r.set("s", "hello") => true);
    check!(r.append("s", " world") => 11);
    check!(r.strlen("s") => 11);
    check!(r.strlen("missing") => 0);
    check!(r.getrange::<String>("s", 0, 4) => "hello");
    check!(r.getrange::<String>("s", -100, 100) => "hello world");
    check!(r.getrange::<String>("missing", 0, -1) => "");
    check!(r.substr::<String>("s", -5, -1) => "world");
    check!(r.setrange("s", 6, "WORLD") => 11);
    check!(r.get::<String>("s") => "hello WORLD");
    check!(r.get::<Option<String>>("missing") => None);
    check!(r.getset::<String>("s", "v2") => "hello WORLD");
    check!(r.getset::<Option<String>>("fresh", "v") => None);
    check!(r.getdel::<Option<String>>("s") => Some("v2".to_owned()));
    check!(r.getdel::<Option<String>>("s") => None);

    // Binary-safe: NUL and bytes that are not UTF-8 go and come back unchanged; asking for a
    // String is a conversion error, not a lossy decode.
    let raw: &[u8] = b"a\0b\xff\xfe";
    check!(r.set("bin", raw) => true);
    check!(r.get::<Vec<u8>>("bin") => raw.to_vec());
    check!(r.strlen("bin") => 5);
    let err = r.get::<String>("bin").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Data, "{err}");

    check!(r.set("ex", "1") => true);
    check!(r.getex::<String>("ex", &GetExOptions::default().expiry(Expiry::Ex(100))) => "1");
    let ttl = call!(r.ttl("ex"));
    assert!((99..=100).contains(&ttl), "{ttl}");
    check!(r.getex::<String>("ex", &GetExOptions::default().persist()) => "1");
    check!(r.ttl("ex") => -1);
    check!(r.getex::<String>(
        "ex",
        &GetExOptions::default().expiry(Expiry::PxAt(4_000_000_000_000))
    ) => "1");
    let ttl = call!(r.ttl("ex"));
    assert!(ttl > 100_000_000, "{ttl}");
    check!(r.getex::<Option<String>>("missing", &GetExOptions::default()) => None);

    check!(r.incrbyfloat("f", 1.5) => 1.5);
    check!(r.incrbyfloat("f", -0.25) => 1.25);
    check!(r.get::<String>("f") => "1.25");
    fails!(r.incrbyfloat("f", f64::INFINITY) => "ERR");
    check!(r.incr("n") => 1);
    check!(r.incrby("n", 5) => 6);
    check!(r.decr("n") => 5);
    check!(r.decrby("n", 2) => 3);
    check!(r.decrby("neg", -7) => 7);
    check!(r.set("big", i64::MAX) => true);
    fails!(r.incr("big") => "ERR");
    check!(r.get::<i64>("big") => i64::MAX);
    check!(r.incrby("small", i64::MIN) => i64::MIN);
    fails!(r.decr("small") => "ERR");

    check!(r.setex("se", 100, "v") => true);
    let ttl = call!(r.ttl("se"));
    assert!((99..=100).contains(&ttl), "{ttl}");
    fails!(r.setex("se", 0, "v") => "ERR");
    check!(r.psetex("pse", 100_000, "v") => true);
    let pttl = call!(r.pttl("pse"));
    assert!((90_000..=100_000).contains(&pttl), "{pttl}");
    check!(r.get::<String>("pse") => "v");

    check!(r.setnx("nx", "a") => true);
    check!(r.setnx("nx", "b") => false);
    check!(r.get::<String>("nx") => "a");
    check!(r.mset([("{t}a", "ohmytext"), ("{t}b", "mynewtext")]) => true);
    check!(r.msetnx([("{t}a", "x"), ("{t}zz", "y")]) => false);
    check!(r.exists(["{t}zz"]) => 0);
    check!(r.msetnx([("{t}m1", "x"), ("{t}m2", "y")]) => true);
    check!(r.mget::<Vec<Option<String>>>(["{t}a", "{t}b", "{t}nope"]) => vec![
        Some("ohmytext".to_owned()),
        Some("mynewtext".to_owned()),
        None
    ]);

    // LCS: the string, its length (LEN), and the matches (IDX) as a map.
    check!(r.lcs::<String>("{t}a", "{t}b", &LcsOptions::default()) => "mytext");
    check!(r.lcs::<i64>("{t}a", "{t}b", &LcsOptions::default().len()) => 6);
    let idx = call!(r.lcs::<Value>(
        "{t}a",
        "{t}b",
        &LcsOptions::default().idx().minmatchlen(4).withmatchlen()
    ));
    // "ohmytext" vs "mynewtext": "text" at 4..=7 and 5..=8, length 4 ("my" is too short).
    let range = |a: i64, b: i64| Value::Array(vec![Value::Int(a), Value::Int(b)]);
    let expected_match = Value::Array(vec![range(4, 7), range(5, 8), Value::Int(4)]);
    let Value::Map(fields) = idx else {
        panic!("LCS IDX: {idx:?}")
    };
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k.as_bytes() == Some(name.as_bytes()))
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("LCS IDX has no {name}: {fields:?}"))
    };
    assert_eq!(field("matches"), Value::Array(vec![expected_match]));
    assert_eq!(field("len"), Value::Int(6));

    check!(r.set_options::<bool>("o", "1", &SetOptions::default().nx()) => true);
    check!(r.set_options::<Option<bool>>("o", "2", &SetOptions::default().nx()) => None);
    check!(r.set_options::<Option<bool>>("o", "3", &SetOptions::default().xx()) => Some(true));
    check!(r.set_options::<Option<bool>>("no-such", "3", &SetOptions::default().xx()) => None);
    check!(r.set_options::<Option<String>>("o", "4", &SetOptions::default().get()) => Some("3".to_owned()));
    check!(r.set_options::<Option<String>>("o2", "4", &SetOptions::default().get()) => None);
    check!(r.set_options::<bool>(
        "o",
        "5",
        &SetOptions::default().px(Duration::from_secs(50))
    ) => true);
    check!(r.set_options::<bool>(
        "o",
        "6",
        &SetOptions::default().keepttl()
    ) => true);
    let pttl = call!(r.pttl("o"));
    assert!((40_000..=50_000).contains(&pttl), "{pttl}");
    // Each expiry form sets the TTL it names.
    check!(r.set_options::<bool>("e1", "v", &SetOptions::default().ex(Duration::from_secs(100))) => true);
    let ttl = call!(r.ttl("e1"));
    assert!((90..=100).contains(&ttl), "EX: {ttl}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    check!(r.set_options::<bool>("e2", "v", &SetOptions::default().exat(now.as_secs() + 200)) => true);
    let ttl = call!(r.ttl("e2"));
    assert!((190..=201).contains(&ttl), "EXAT: {ttl}");
    let at = now.as_millis() as u64 + 300_000;
    check!(r.set_options::<bool>("e3", "v", &SetOptions::default().pxat(at)) => true);
    let pttl = call!(r.pttl("e3"));
    assert!((290_000..=300_000).contains(&pttl), "PXAT: {pttl}");
    fails!(r.incr("{t}a") => "ERR");
    check!(r.lpush("list", ["x"]) => 1);
    fails!(r.get::<String>("list") => "WRONGTYPE");
}
