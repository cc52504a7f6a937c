//! Calls of the hashes group's methods, each with the reply it must give.

use super::*;

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

pub(crate) fn hashes(r: &Client) {
    check!(r.hset("h", "f1", "v1") => 1);
    // An update adds no field.
    check!(r.hset("h", "f1", "v1") => 0);
    check!(r.hset_mapping("h", [("f2", "2"), ("f3", "3.5")]) => 2);
    check!(r.hset_mapping("h", [("f2", "2"), ("new", "x")]) => 1);
    check!(r.hmset("h", [("f4", "v4")]) => true);
    check!(r.hget::<Option<String>>("h", "f1") => Some("v1".to_owned()));
    check!(r.hget::<Option<String>>("h", "nope") => None);
    check!(r.hget::<Option<String>>("nope", "f1") => None);
    check!(r.hdel("h", ["new"]) => 1);
    let all = map(&[("f1", "v1"), ("f2", "2"), ("f3", "3.5"), ("f4", "v4")]);
    check!(r.hgetall::<BTreeMap<String, String>>("h") => all.clone());
    // A map on both protocols (RESP2's flat array is paired up).
    let v = call!(r.hgetall::<Value>("h"));
    let Value::Map(pairs) = v else {
        panic!("HGETALL: {v:?}")
    };
    let got: BTreeMap<String, String> = pairs
        .into_iter()
        .map(|(k, v)| {
            (
                String::from_utf8(k.as_bytes().unwrap().to_vec()).unwrap(),
                String::from_utf8(v.as_bytes().unwrap().to_vec()).unwrap(),
            )
        })
        .collect();
    assert_eq!(got, all);
    check!(r.hgetall::<BTreeMap<String, String>>("nope") => BTreeMap::new());
    check!(r.hexists("h", "f1") => true);
    check!(r.hexists("h", "nope") => false);
    check!(r.hexists("nope", "f1") => false);

    check!(r.hincrby("h", "f2", 5) => 7);
    check!(r.hincrby("h", "f2", -10) => -3);
    fails!(r.hincrby("h", "f1", 1) => "ERR");
    check!(r.hincrbyfloat("h", "f3", 1.25) => 4.75);
    check!(r.hget::<String>("h", "f3") => "4.75");
    fails!(r.hincrbyfloat("h", "f1", 1.0) => "ERR");
    fails!(r.hincrbyfloat("h", "f3", f64::INFINITY) => "ERR");
    fails!(r.hincrbyfloat("h", "f3", f64::NEG_INFINITY) => "ERR");
    fails!(r.hincrbyfloat("h", "f3", f64::NAN) => "ERR");
    check!(r.hget::<String>("h", "f3") => "4.75");
    // Missing fields start at 0; the server adds in long double, so 0.1 + 0.2 prints as 0.3.
    check!(r.hincrby("nums", "c", -3) => -3);
    check!(r.hincrbyfloat("nums", "fl", 0.1) => 0.1);
    check!(r.hincrbyfloat("nums", "fl", 0.2) => 0.3);
    check!(r.hincrbyfloat("nums", "e", 5.0e3) => 5000.0);
    check!(r.hget::<String>("nums", "e") => "5000");
    // Exponents travel as written ("1e20") and come back as plain digits.
    check!(r.hincrbyfloat("nums", "huge", 1e20) => 1e20);
    check!(r.hget::<String>("nums", "huge") => "100000000000000000000");
    check!(r.hincrbyfloat("nums", "tiny", 1.5e-7) => 1.5e-7);
    check!(r.hget::<String>("nums", "tiny") => "0.00000015");
    // 64-bit bounds: reaching them is fine, passing them is an error and changes nothing.
    check!(r.hset("nums", "big", i64::MAX) => 1);
    fails!(r.hincrby("nums", "big", 1) => "ERR");
    check!(r.hget::<i64>("nums", "big") => i64::MAX);
    check!(r.hincrby("nums", "small", i64::MIN) => i64::MIN);
    fails!(r.hincrby("nums", "small", -1) => "ERR");
    check!(r.hget::<i64>("nums", "small") => i64::MIN);

    check!(r.hset("h", "f2", "2") => 0);
    check!(r.hset("h", "f3", "3.5") => 0);
    let names: BTreeSet<String> = all.keys().cloned().collect();
    check!(r.hkeys::<BTreeSet<String>>("h") => names.clone());
    check!(r.hvals::<BTreeSet<String>>("h") => all.values().cloned().collect::<BTreeSet<_>>());
    check!(r.hkeys::<Vec<String>>("nope") => Vec::<String>::new());
    check!(r.hvals::<Vec<String>>("nope") => Vec::<String>::new());
    check!(r.hlen("h") => 4);
    check!(r.hlen("nope") => 0);
    check!(r.hmget::<Vec<Option<String>>>("h", ["f1", "nope", "f4"]) => [
        Some("v1".to_owned()),
        None,
        Some("v4".to_owned())
    ]);
    check!(r.hmget::<Vec<Option<String>>>("nope", ["a", "b"]) => [None, None]);
    check!(r.hsetnx("h", "f1", "x") => false);
    check!(r.hget::<String>("h", "f1") => "v1");
    check!(r.hsetnx("h", "f5", "x") => true);
    check!(r.hstrlen("h", "f1") => 2);
    check!(r.hstrlen("h", "nope") => 0);
    check!(r.hstrlen("nope", "f1") => 0);
    check!(r.hdel("h", ["f5", "nope"]) => 1);
    check!(r.hdel("nope", ["f5"]) => 0);
    // Deleting the last field deletes the key.
    check!(r.hset("one", "f", "v") => 1);
    check!(r.hdel("one", ["f"]) => 1);
    check!(r.exists(["one"]) => 0);

    // Binary-safe fields and values: NUL and bytes that are not UTF-8.
    let field: &[u8] = b"f\0\xff";
    let value: &[u8] = b"v\0\xfe\x80";
    check!(r.hset("hb", field, value) => 1);
    check!(r.hget::<Vec<u8>>("hb", field) => value.to_vec());
    check!(r.hget::<Option<Vec<u8>>>("hb", b"f\0".as_slice()) => None);
    check!(r.hstrlen("hb", field) => 4);
    check!(r.hkeys::<Vec<Vec<u8>>>("hb") => [field.to_vec()]);
    check!(r.hgetall::<Vec<(Vec<u8>, Vec<u8>)>>("hb") => [(field.to_vec(), value.to_vec())]);
    let err = r.hget::<String>("hb", field).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Data, "{err}");
    // An empty field and an empty value are values, not nil.
    check!(r.hset("hb", "", "") => 1);
    check!(r.hget::<Option<Vec<u8>>>("hb", "") => Some(Vec::new()));
    check!(r.hstrlen("hb", "") => 0);
    check!(r.hexists("hb", "") => true);
    // Nothing to set: the server rejects the empty HSET.
    fails!(r.hset_mapping("hb", Vec::<(&str, &str)>::new()) => "ERR");
    fails!(r.hdel("hb", Vec::<&str>::new()) => "ERR");

    // HRANDFIELD: one field (nil for a missing key); a positive count gives distinct fields (at
    // most all), a negative one exactly |count| that may repeat; WITHVALUES pairs them.
    let one = call!(r.hrandfield::<String>("h"));
    assert!(names.contains(&one), "{one}");
    check!(r.hrandfield::<Option<String>>("nope") => None);
    check!(r.hrandfield_count::<BTreeSet<String>>("h", 10) => names.clone());
    let two = call!(r.hrandfield_count::<Vec<String>>("h", 2));
    assert_eq!(two.len(), 2, "{two:?}");
    assert_ne!(two[0], two[1]);
    assert!(two.iter().all(|f| names.contains(f)), "{two:?}");
    let many = call!(r.hrandfield_count::<Vec<String>>("h", -7));
    assert_eq!(many.len(), 7, "{many:?}");
    assert!(many.iter().all(|f| names.contains(f)), "{many:?}");
    check!(r.hrandfield_count::<Vec<String>>("h", 0) => Vec::<String>::new());
    check!(r.hrandfield_count::<Vec<String>>("nope", 3) => Vec::<String>::new());
    check!(r.hrandfield_withvalues::<BTreeMap<String, String>>("h", 10) => all.clone());
    let pairs = call!(r.hrandfield_withvalues::<Vec<(String, String)>>("h", -5));
    assert_eq!(pairs.len(), 5, "{pairs:?}");
    for (f, v) in &pairs {
        assert_eq!(all.get(f), Some(v), "{pairs:?}");
    }
    let pair = call!(r.hrandfield_withvalues::<Vec<(String, String)>>("h", 1));
    assert_eq!(pair.len(), 1);
    assert_eq!(all.get(&pair[0].0), Some(&pair[0].1), "{pair:?}");
    check!(r.hrandfield_withvalues::<Vec<(String, String)>>("nope", -2) => Vec::<(String, String)>::new());

    // A small hash is one HSCAN page: cursor 0 and every matching field.
    check!(r.hset("h", "g1", "x") => 1);
    check!(r.hscan::<BTreeMap<String, String>>("h", 0, &ScanOptions::default().pattern("f*")) => (0, all.clone()));
    check!(r.hscan::<BTreeMap<String, String>>("h", 0, &ScanOptions::default().pattern("g*")) => (0, map(&[("g1", "x")])));
    check!(r.hscan::<BTreeMap<String, String>>("nope", 0, &ScanOptions::default()) => (0, BTreeMap::new()));

    check!(r.set("str", "x") => true);
    fails!(r.hget::<Option<String>>("str", "f") => "WRONGTYPE");
    fails!(r.hset("str", "f", "v") => "WRONGTYPE");
}
