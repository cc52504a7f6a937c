//! Calls of the sets group's methods, each with the reply it must give.

use super::*;

fn set(members: &[&str]) -> BTreeSet<String> {
    members.iter().map(|m| (*m).to_owned()).collect()
}

pub(crate) fn sets(r: &Redis) {
    check!(r.sadd("s1", ["a", "b", "c"]) => 3);
    // Members already there are not counted.
    check!(r.sadd("s1", ["a", "c"]) => 0);
    check!(r.sadd("s2", ["b", "c", "d", "d"]) => 3);
    check!(r.smembers::<BTreeSet<String>>("s1") => set(&["a", "b", "c"]));
    // A set on both protocols (RESP2's array is made one).
    let v = call!(r.smembers::<Value>("s1"));
    let Value::Set(items) = v else {
        panic!("SMEMBERS: {v:?}")
    };
    let got: BTreeSet<String> = items
        .iter()
        .map(|m| String::from_utf8(m.as_bytes().unwrap().to_vec()).unwrap())
        .collect();
    assert_eq!((items.len(), got), (3, set(&["a", "b", "c"])));
    check!(r.smembers::<BTreeSet<String>>("nope") => BTreeSet::new());
    check!(r.scard("s1") => 3);
    check!(r.scard("nope") => 0);
    check!(r.sismember("s1", "a") => true);
    check!(r.sismember("s1", "z") => false);
    check!(r.sismember("nope", "a") => false);
    check!(r.smismember("s1", ["a", "z", "c"]) => [true, false, true]);
    check!(r.smismember("nope", ["a"]) => [false]);

    check!(r.sinter::<BTreeSet<String>>(["s1", "s2"]) => set(&["b", "c"]));
    check!(r.sinter::<BTreeSet<String>>(["s1", "nope"]) => BTreeSet::new());
    check!(r.sunion::<BTreeSet<String>>(["s1", "s2"]) => set(&["a", "b", "c", "d"]));
    check!(r.sunion::<BTreeSet<String>>(["nope", "s2"]) => set(&["b", "c", "d"]));
    check!(r.sdiff::<BTreeSet<String>>(["s1", "s2"]) => set(&["a"]));
    check!(r.sdiff::<BTreeSet<String>>(["s2", "s1"]) => set(&["d"]));
    check!(r.sdiff::<BTreeSet<String>>(["s1", "nope"]) => set(&["a", "b", "c"]));
    check!(r.sdiff::<BTreeSet<String>>(["nope", "s1"]) => BTreeSet::new());
    check!(r.sinterstore("si", ["s1", "s2"]) => 2);
    check!(r.smembers::<BTreeSet<String>>("si") => set(&["b", "c"]));
    check!(r.sunionstore("su", ["s1", "s2"]) => 4);
    check!(r.smembers::<BTreeSet<String>>("su") => set(&["a", "b", "c", "d"]));
    check!(r.sdiffstore("sd", ["s1", "s2"]) => 1);
    check!(r.smembers::<BTreeSet<String>>("sd") => set(&["a"]));
    // An empty result deletes the destination.
    check!(r.sinterstore("si", ["s1", "nope"]) => 0);
    check!(r.exists(["si"]) => 0);
    check!(r.sdiffstore("sd", ["s1", "s1"]) => 0);
    check!(r.exists(["sd"]) => 0);

    // SINTERCARD: the intersection's size, stopping at LIMIT (0: no limit).
    check!(r.sintercard(&["s1", "s2"], None) => 2);
    check!(r.sintercard(&["s1", "s2"], Some(Limit1(1))) => 1);
    check!(r.sintercard(&["s1", "s2"], Some(Limit1(0))) => 2);
    check!(r.sintercard(&["s1", "s2"], Some(Limit1(10))) => 2);
    check!(r.sintercard(&["s1"], None) => 3);
    check!(r.sintercard(&["s1", "nope"], None) => 0);
    check!(r.sintercard(&["nope"], None) => 0);
    // numkeys 0 is an error.
    fails!(r.sintercard(&[] as &[&str], None) => "ERR");

    check!(r.smove("s1", "s2", "a") => true);
    check!(r.smove("s1", "s2", "a") => false);
    check!(r.smove("nope", "s2", "a") => false);
    // Already a member of the destination: removed from the source only.
    check!(r.smove("s1", "s2", "b") => true);
    check!(r.smembers::<BTreeSet<String>>("s1") => set(&["c"]));
    check!(r.smembers::<BTreeSet<String>>("s2") => set(&["a", "b", "c", "d"]));
    check!(r.srem("s2", ["a", "z"]) => 1);
    check!(r.srem("nope", ["a"]) => 0);
    // Removing the last member deletes the set.
    check!(r.srem("s1", ["c"]) => 1);
    check!(r.exists(["s1"]) => 0);

    // SRANDMEMBER: one member (nil for a missing key); a positive count gives distinct members
    // (at most all), a negative one exactly |count| that may repeat.
    let s2 = set(&["b", "c", "d"]);
    let one = call!(r.srandmember::<String>("s2", None));
    assert!(s2.contains(&one), "{one}");
    check!(r.srandmember::<Option<String>>("nope", None) => None);
    check!(r.srandmember::<BTreeSet<String>>("s2", Some(10)) => s2.clone());
    let two = call!(r.srandmember::<Vec<String>>("s2", Some(2)));
    assert_eq!(two.len(), 2, "{two:?}");
    assert_ne!(two[0], two[1]);
    assert!(two.iter().all(|m| s2.contains(m)), "{two:?}");
    let many = call!(r.srandmember::<Vec<String>>("s2", Some(-5)));
    assert_eq!(many.len(), 5, "{many:?}");
    assert!(many.iter().all(|m| s2.contains(m)), "{many:?}");
    check!(r.srandmember::<Vec<String>>("s2", Some(0)) => Vec::<String>::new());
    check!(r.srandmember::<Vec<String>>("nope", Some(3)) => Vec::<String>::new());
    check!(r.scard("s2") => 3);

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
    check!(r.spop::<BTreeSet<String>>("s2", Some(10)) => s2.clone());
    check!(r.exists(["s2"]) => 0);
    check!(r.spop::<Option<String>>("s2", None) => None);
    check!(r.spop::<Vec<String>>("s2", Some(3)) => Vec::<String>::new());

    // Binary-safe members.
    let raw: &[u8] = b"m\0\xff";
    check!(r.sadd("sb", [raw, b"m".as_slice()]) => 2);
    check!(r.sismember("sb", raw) => true);
    check!(r.smembers::<BTreeSet<Vec<u8>>>("sb") => BTreeSet::from([raw.to_vec(), b"m".to_vec()]));
    check!(r.sadd("sb", [""]) => 1);
    check!(r.sismember("sb", "") => true);
    check!(r.srem("sb", ["", "nope"]) => 1);
    fails!(r.sadd("sb", Vec::<&str>::new()) => "ERR");
    check!(r.srem("sb", [raw]) => 1);
    check!(r.smembers::<Vec<Vec<u8>>>("sb") => [b"m".to_vec()]);

    // A small set is one SSCAN page: cursor 0 and every member.
    check!(r.sscan::<BTreeSet<String>>("su", 0, &ScanOptions::default().count(100)) => (0, set(&["a", "b", "c", "d"])));
    check!(r.sscan::<BTreeSet<String>>("su", 0, &ScanOptions::default().pattern("[ab]")) => (0, set(&["a", "b"])));
    check!(r.sscan::<Vec<String>>("nope", 0, &ScanOptions::default()) => (0, Vec::<String>::new()));

    check!(r.set("str", "x") => true);
    fails!(r.sadd("str", ["a"]) => "WRONGTYPE");
    fails!(r.sinter::<BTreeSet<String>>(["su", "str"]) => "WRONGTYPE");
}
