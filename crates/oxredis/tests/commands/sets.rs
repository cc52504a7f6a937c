//! Calls of the sets group's methods, each with the reply it must give.

use super::*;

pub(crate) fn sets(r: &Redis) -> Log {
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
