//! Calls of the lists group's methods, each with the reply it must give.

use super::*;

pub(crate) fn lists(r: &Redis) -> Log {
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
