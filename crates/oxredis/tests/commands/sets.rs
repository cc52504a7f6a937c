//! Calls of the sets group's methods, each with the reply it must give.

use super::*;

fn set(members: &[&str]) -> BTreeSet<String> {
    members.iter().map(|m| (*m).to_owned()).collect()
}

pub(crate) fn sets(r: &Client) {
    check!(r.sadd("{t}s1", ["a", "b", "c"]) => 3);
    // Members already there are not counted.
    check!(r.sadd("{t}s1", ["a", "c"]) => 0);
    check!(r.sadd("{t}s2", ["b", "c", "d", "d"]) => 3);
    check!(r.smembers::<BTreeSet<String>>("{t}s1") => set(&["a", "b", "c"]));
    // A set on both protocols (RESP2's array is made one).
    let v = call!(r.smembers::<Value>("{t}s1"));
    let Value::Set(items) = v else {
        panic!("SMEMBERS: {v:?}")
    };
    let got: BTreeSet<String> = items
        .iter()
        .map(|m| String::from_utf8(m.as_bytes().unwrap().to_vec()).unwrap())
        .collect();
    assert_eq!((items.len(), got), (3, set(&["a", "b", "c"])));
    check!(r.smembers::<BTreeSet<String>>("{t}nope") => BTreeSet::new());
    check!(r.scard("{t}s1") => 3);
    check!(r.scard("{t}nope") => 0);
    check!(r.sismember("{t}s1", "a") => true);
    check!(r.sismember("{t}s1", "z") => false);
    check!(r.sismember("{t}nope", "a") => false);
    check!(r.smismember("{t}s1", ["a", "z", "c"]) => [true, false, true]);
    check!(r.smismember("{t}nope", ["a"]) => [false]);

    check!(r.sinter::<BTreeSet<String>>(["{t}s1", "{t}s2"]) => set(&["b", "c"]));
    check!(r.sinter::<BTreeSet<String>>(["{t}s1", "{t}nope"]) => BTreeSet::new());
    check!(r.sunion::<BTreeSet<String>>(["{t}s1", "{t}s2"]) => set(&["a", "b", "c", "d"]));
    check!(r.sunion::<BTreeSet<String>>(["{t}nope", "{t}s2"]) => set(&["b", "c", "d"]));
    check!(r.sdiff::<BTreeSet<String>>(["{t}s1", "{t}s2"]) => set(&["a"]));
    check!(r.sdiff::<BTreeSet<String>>(["{t}s2", "{t}s1"]) => set(&["d"]));
    check!(r.sdiff::<BTreeSet<String>>(["{t}s1", "{t}nope"]) => set(&["a", "b", "c"]));
    check!(r.sdiff::<BTreeSet<String>>(["{t}nope", "{t}s1"]) => BTreeSet::new());
    check!(r.sinterstore("{t}si", ["{t}s1", "{t}s2"]) => 2);
    check!(r.smembers::<BTreeSet<String>>("{t}si") => set(&["b", "c"]));
    check!(r.sunionstore("{t}su", ["{t}s1", "{t}s2"]) => 4);
    check!(r.smembers::<BTreeSet<String>>("{t}su") => set(&["a", "b", "c", "d"]));
    check!(r.sdiffstore("{t}sd", ["{t}s1", "{t}s2"]) => 1);
    check!(r.smembers::<BTreeSet<String>>("{t}sd") => set(&["a"]));
    // An empty result deletes the destination.
    check!(r.sinterstore("{t}si", ["{t}s1", "{t}nope"]) => 0);
    check!(r.exists(["{t}si"]) => 0);
    check!(r.sdiffstore("{t}sd", ["{t}s1", "{t}s1"]) => 0);
    check!(r.exists(["{t}sd"]) => 0);

    // SINTERCARD: the intersection's size, stopping at LIMIT (0: no limit).
    check!(r.sintercard(&["{t}s1", "{t}s2"], None) => 2);
    check!(r.sintercard(&["{t}s1", "{t}s2"], Some(Limit1(1))) => 1);
    check!(r.sintercard(&["{t}s1", "{t}s2"], Some(Limit1(0))) => 2);
    check!(r.sintercard(&["{t}s1", "{t}s2"], Some(Limit1(10))) => 2);
    check!(r.sintercard(&["{t}s1"], None) => 3);
    check!(r.sintercard(&["{t}s1", "{t}nope"], None) => 0);
    check!(r.sintercard(&["{t}nope"], None) => 0);
    // numkeys 0 is an error.
    fails!(r.sintercard(&[] as &[&str], None) => "ERR");

    check!(r.smove("{t}s1", "{t}s2", "a") => true);
    check!(r.smove("{t}s1", "{t}s2", "a") => false);
    check!(r.smove("{t}nope", "{t}s2", "a") => false);
    // Already a member of the destination: removed from the source only.
    check!(r.smove("{t}s1", "{t}s2", "b") => true);
    check!(r.smembers::<BTreeSet<String>>("{t}s1") => set(&["c"]));
    check!(r.smembers::<BTreeSet<String>>("{t}s2") => set(&["a", "b", "c", "d"]));
    check!(r.srem("{t}s2", ["a", "z"]) => 1);
    check!(r.srem("{t}nope", ["a"]) => 0);
    // Removing the last member deletes the set.
    check!(r.srem("{t}s1", ["c"]) => 1);
    check!(r.exists(["{t}s1"]) => 0);

    // SRANDMEMBER: one member (nil for a missing key); a positive count gives distinct members
    // (at most all), a negative one exactly |count| that may repeat.
    let s2 = set(&["b", "c", "d"]);
    let one = call!(r.srandmember::<String>("{t}s2", None));
    assert!(s2.contains(&one), "{one}");
    check!(r.srandmember::<Option<String>>("{t}nope", None) => None);
    check!(r.srandmember::<BTreeSet<String>>("{t}s2", Some(10)) => s2.clone());
    let two = call!(r.srandmember::<Vec<String>>("{t}s2", Some(2)));
    assert_eq!(two.len(), 2, "{two:?}");
    assert_ne!(two[0], two[1]);
    assert!(two.iter().all(|m| s2.contains(m)), "{two:?}");
    let many = call!(r.srandmember::<Vec<String>>("{t}s2", Some(-5)));
    assert_eq!(many.len(), 5, "{many:?}");
    assert!(many.iter().all(|m| s2.contains(m)), "{many:?}");
    check!(r.srandmember::<Vec<String>>("{t}s2", Some(0)) => Vec::<String>::new());
    check!(r.srandmember::<Vec<String>>("{t}nope", Some(3)) => Vec::<String>::new());
    check!(r.scard("{t}s2") => 3);

    // SPOP: removes what it returns.
    check!(r.sadd("s3", ["1", "2", "3", "4", "5"]) => 5);
    let popped = call!(r.spop::<BTreeSet<String>>("s3", Some(2)));
    assert_eq!(popped.len(), 2, "{popped:?}");
    let left = call!(r.smembers::<BTreeSet<String>>("s3"));
    assert_eq!(left.len(), 3, "{left:?}");
    assert!(popped.is_disjoint(&left), "{popped:?} {left:?}");
    assert_eq!(
        popped.union(&left).cloned().collect::<BTreeSet<_>>(),
        set(&["1", "2", "3", "4", "5"])
    );
    let one = call!(r.spop::<String>("s3", None));
    assert!(left.contains(&one), "{one}");
    check!(r.sismember("s3", one.as_str()) => false);
    check!(r.scard("s3") => 2);
    // A count beyond the size pops all (and deletes the set).
    check!(r.spop::<BTreeSet<String>>("{t}s2", Some(10)) => s2.clone());
    check!(r.exists(["{t}s2"]) => 0);
    check!(r.spop::<Option<String>>("{t}s2", None) => None);
    check!(r.spop::<Vec<String>>("{t}s2", Some(3)) => Vec::<String>::new());

    // Binary-safe members.
    let raw: &[u8] = b"m\0\xff";
    check!(r.sadd("sb", [raw, b"m".as_slice()]) => 2);
    check!(r.sismember("sb", raw) => true);
    check!(r.smembers::<BTreeSet<Vec<u8>>>("sb") => BTreeSet::from([raw.to_vec(), b"m".to_vec()]));
    check!(r.sadd("sb", [""]) => 1);
    check!(r.sismember("sb", "") => true);
    check!(r.srem("sb", ["", "{t}nope"]) => 1);
    fails!(r.sadd("sb", Vec::<&str>::new()) => "ERR");
    check!(r.srem("sb", [raw]) => 1);
    check!(r.smembers::<Vec<Vec<u8>>>("sb") => [b"m".to_vec()]);

    // A small set is one SSCAN page: cursor 0 and every member.
    check!(r.sscan::<BTreeSet<String>>("{t}su", 0, &ScanOptions::default().count(100)) => (0, set(&["a", "b", "c", "d"])));
    check!(r.sscan::<BTreeSet<String>>("{t}su", 0, &ScanOptions::default().pattern("[ab]")) => (0, set(&["a", "b"])));
    check!(r.sscan::<Vec<String>>("{t}nope", 0, &ScanOptions::default()) => (0, Vec::<String>::new()));

    check!(r.set("{t}str", "x") => true);
    fails!(r.sadd("{t}str", ["a"]) => "WRONGTYPE");
    fails!(r.sinter::<BTreeSet<String>>(["{t}su", "{t}str"]) => "WRONGTYPE");
}
