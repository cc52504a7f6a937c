//! Calls of the hashes group's methods, each with the reply it must give.

use super::*;

pub(crate) fn hashes(r: &Redis) -> Log {
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
