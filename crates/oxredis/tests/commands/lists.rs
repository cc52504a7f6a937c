//! Calls of the lists group's methods, each with the reply it must give.

use super::*;

/// Runs a blocking call that must time out, and checks it waited (about) `timeout` seconds: the
/// server counts from its cached millisecond clock, which may run a few milliseconds behind.
fn times_out<T>(timeout: f64, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let v = f();
    let waited = start.elapsed();
    let at_least = Duration::from_secs_f64(timeout) - Duration::from_millis(20);
    assert!(
        waited >= at_least && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    v
}

pub(crate) fn lists(r: &Client) {
    check!(r.rpush("l", ["a", "b", "c", "b"]) => 4);
    check!(r.lpush("l", ["z"]) => 5);
    // LPUSH pushes its values one by one: the last ends up first.
    check!(r.lpush("l2", ["1", "2", "3"]) => 3);
    check!(r.lrange::<Vec<String>>("l2", 0, -1) => ["3", "2", "1"]);
    check!(r.lpushx("{t}nope", ["z"]) => 0);
    check!(r.rpushx("{t}nope", ["z"]) => 0);
    check!(r.exists(["{t}nope"]) => 0);
    check!(r.lpushx("l2", ["4"]) => 4);
    check!(r.rpushx("l", ["y"]) => 6);
    check!(r.lrange::<Vec<String>>("l", 0, -1) => ["z", "a", "b", "c", "b", "y"]);
    check!(r.lrange::<Vec<String>>("l", -2, -1) => ["b", "y"]);
    check!(r.lrange::<Vec<String>>("l", 1, 2) => ["a", "b"]);
    check!(r.lrange::<Vec<String>>("l", -100, 0) => ["z"]);
    check!(r.lrange::<Vec<String>>("l", 4, 100) => ["b", "y"]);
    check!(r.lrange::<Vec<String>>("l", 10, 20) => Vec::<String>::new());
    check!(r.lrange::<Vec<String>>("l", i64::MIN, i64::MAX) => ["z", "a", "b", "c", "b", "y"]);
    check!(r.lrange::<Vec<String>>("l", 3, 1) => Vec::<String>::new());
    check!(r.lrange::<Vec<String>>("{t}nope", 0, -1) => Vec::<String>::new());
    check!(r.llen("l") => 6);
    check!(r.llen("{t}nope") => 0);
    check!(r.lindex::<Option<String>>("l", 1) => Some("a".to_owned()));
    check!(r.lindex::<Option<String>>("l", -1) => Some("y".to_owned()));
    check!(r.lindex::<Option<String>>("l", -6) => Some("z".to_owned()));
    check!(r.lindex::<Option<String>>("l", -7) => None);
    check!(r.lindex::<Option<String>>("l", 100) => None);
    check!(r.lindex::<Option<String>>("l", i64::MIN) => None);
    check!(r.lindex::<Option<String>>("{t}nope", 0) => None);

    check!(r.linsert("l", InsertPosition::Before, "c", "bc") => 7);
    check!(r.linsert("l", InsertPosition::After, "{t}nope", "x") => -1);
    // A missing key is an empty list: nothing to insert next to, 0.
    check!(r.linsert("{t}nope", InsertPosition::After, "a", "x") => 0);
    check!(r.lset("l", 0, "first") => true);
    check!(r.lset("l", -1, "last") => true);
    fails!(r.lset("l", 100, "x") => "ERR");
    fails!(r.lset("l", -8, "x") => "ERR");
    fails!(r.lset("{t}nope", 0, "x") => "ERR");
    check!(r.lrange::<Vec<String>>("l", 0, -1) => ["first", "a", "b", "bc", "c", "b", "last"]);

    // LPOS: the first match, RANK (negative from the tail), COUNT (0: all; the reply becomes a
    // list), MAXLEN (compare only so many elements).
    check!(r.lpos::<Option<i64>>("l", "b", &LposOptions::default()) => Some(2));
    check!(r.lpos::<Option<i64>>("l", "b", &LposOptions::default().rank(2)) => Some(5));
    check!(r.lpos::<Option<i64>>("l", "b", &LposOptions::default().rank(3)) => None);
    check!(r.lpos::<Option<i64>>("l", "b", &LposOptions::default().rank(-1)) => Some(5));
    check!(r.lpos::<Option<i64>>("l", "b", &LposOptions::default().rank(-2)) => Some(2));
    fails!(r.lpos::<Option<i64>>("l", "b", &LposOptions::default().rank(0)) => "ERR");
    check!(r.lpos::<Vec<i64>>("l", "b", &LposOptions::default().count(0)) => [2, 5]);
    check!(r.lpos::<Vec<i64>>("l", "b", &LposOptions::default().count(1)) => [2]);
    check!(r.lpos::<Vec<i64>>("l", "b", &LposOptions::default().count(0).rank(-1)) => [5, 2]);
    check!(r.lpos::<Vec<i64>>("l", "b", &LposOptions::default().count(1).maxlen(3)) => [2]);
    check!(r.lpos::<Vec<i64>>("l", "b", &LposOptions::default().count(0).maxlen(2)) => Vec::<i64>::new());
    check!(r.lpos::<Option<i64>>("l", "b", &LposOptions::default().maxlen(2)) => None);
    check!(r.lpos::<Option<i64>>("l", "{t}nope", &LposOptions::default()) => None);
    check!(r.lpos::<Vec<i64>>("l", "{t}nope", &LposOptions::default().count(0)) => Vec::<i64>::new());
    check!(r.lpos::<Option<i64>>("{t}nope", "a", &LposOptions::default()) => None);
    check!(r.lpos::<Vec<i64>>("{t}nope", "a", &LposOptions::default().count(0)) => Vec::<i64>::new());

    check!(r.lrem("l", 1, "b") => 1);
    check!(r.lrange::<Vec<String>>("l", 0, -1) => ["first", "a", "bc", "c", "b", "last"]);
    check!(r.lrem("l", 0, "zzz") => 0);
    check!(r.lrem("{t}nope", 0, "a") => 0);
    check!(r.rpush("dups", ["x", "y", "x", "x", "y", "x"]) => 6);
    // Negative count: from the tail.
    check!(r.lrem("dups", -2, "x") => 2);
    check!(r.lrange::<Vec<String>>("dups", 0, -1) => ["x", "y", "x", "y"]);
    check!(r.lrem("dups", 0, "x") => 2);
    check!(r.lrange::<Vec<String>>("dups", 0, -1) => ["y", "y"]);
    check!(r.ltrim("l", 0, 3) => true);
    check!(r.lrange::<Vec<String>>("l", 0, -1) => ["first", "a", "bc", "c"]);
    check!(r.ltrim("l", -3, -1) => true);
    check!(r.lrange::<Vec<String>>("l", 0, -1) => ["a", "bc", "c"]);
    // An empty range deletes the list.
    check!(r.ltrim("dups", 5, 10) => true);
    check!(r.exists(["dups"]) => 0);
    check!(r.ltrim("{t}nope", 0, 1) => true);

    check!(r.rpush("l", ["d", "e"]) => 5);
    check!(r.lpop::<Option<String>>("l", None) => Some("a".to_owned()));
    check!(r.rpop::<Vec<String>>("l", Some(2)) => ["e", "d"]);
    check!(r.lpop::<Vec<String>>("l", Some(1)) => ["bc"]);
    check!(r.rpop::<Option<String>>("l", None) => Some("c".to_owned()));
    // Popping the last element deleted the list; a missing key pops nil, with a count too.
    check!(r.exists(["l"]) => 0);
    check!(r.lpop::<Option<String>>("l", None) => None);
    check!(r.rpop::<Option<String>>("{t}nope", None) => None);
    check!(r.lpop::<Option<Vec<String>>>("{t}nope", Some(2)) => None);
    check!(r.rpop::<Option<Vec<String>>>("{t}nope", Some(2)) => None);
    check!(r.rpush("l", ["a", "b"]) => 2);
    // A count beyond the length pops everything.
    check!(r.lpop::<Vec<String>>("l", Some(10)) => ["a", "b"]);

    // Binary-safe elements: NUL and bytes that are not UTF-8.
    let raw: &[u8] = b"\0\xff\xfe";
    check!(r.rpush("bin", [raw, b"plain".as_slice()]) => 2);
    check!(r.lrange::<Vec<Vec<u8>>>("bin", 0, -1) => [raw.to_vec(), b"plain".to_vec()]);
    check!(r.lindex::<Vec<u8>>("bin", 0) => raw.to_vec());
    check!(r.lpos::<Option<i64>>("bin", raw, &LposOptions::default()) => Some(0));
    let err = r.lindex::<String>("bin", 0).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Data, "{err}");
    // An empty element is a value, not nil.
    check!(r.rpush("bin", [""]) => 3);
    check!(r.lindex::<Option<Vec<u8>>>("bin", -1) => Some(Vec::new()));
    check!(r.rpop::<Option<String>>("bin", None) => Some(String::new()));
    fails!(r.rpush("bin", Vec::<&str>::new()) => "ERR");
    check!(r.lrem("bin", 0, raw) => 1);
    check!(r.lrange::<Vec<Vec<u8>>>("bin", 0, -1) => [b"plain".to_vec()]);

    check!(r.rpush("{t}src", ["1", "2", "3", "4"]) => 4);
    check!(r.lmove::<String>("{t}src", "{t}dst", Direction::Left, Direction::Right) => "1");
    check!(r.blmove::<String>("{t}src", "{t}dst", Direction::Right, Direction::Left, 0.01) => "4");
    check!(r.rpoplpush::<String>("{t}src", "{t}dst") => "3");
    check!(r.brpoplpush::<String>("{t}src", "{t}dst", 0.01) => "2");
    check!(r.exists(["{t}src"]) => 0);
    check!(r.lmove::<Option<String>>("{t}src", "{t}dst", Direction::Left, Direction::Left) => None);
    check!(r.rpoplpush::<Option<String>>("{t}src", "{t}dst") => None);
    times_out(
        0.1,
        || check!(r.brpoplpush::<Option<String>>("{t}src", "{t}dst", 0.1) => None),
    );
    times_out(
        0.1,
        || check!(r.blmove::<Option<String>>("{t}src", "{t}dst", Direction::Left, Direction::Right, 0.1) => None),
    );
    check!(r.lrange::<Vec<String>>("{t}dst", 0, -1) => ["2", "3", "4", "1"]);
    // Rotation: source and destination the same list.
    check!(r.lmove::<String>("{t}dst", "{t}dst", Direction::Left, Direction::Right) => "2");
    check!(r.rpoplpush::<String>("{t}dst", "{t}dst") => "2");
    check!(r.lrange::<Vec<String>>("{t}dst", 0, -1) => ["2", "3", "4", "1"]);

    // BLPOP/BRPOP: the first non-empty list, as (key, element); nil after the timeout.
    check!(r.blpop::<Option<(String, String)>>(["{t}nope", "{t}dst"], 0.01) => Some(("{t}dst".to_owned(), "2".to_owned())));
    check!(r.brpop::<Option<(String, String)>>(["{t}nope", "{t}dst"], 0.01) => Some(("{t}dst".to_owned(), "1".to_owned())));
    times_out(
        0.1,
        || check!(r.brpop::<Option<(String, String)>>(["{t}nope"], 0.1) => None),
    );
    times_out(
        0.1,
        || check!(r.blpop::<Option<(String, String)>>(["{t}nope", "{t}nope2"], 0.1) => None),
    );
    check!(r.lrange::<Vec<String>>("{t}dst", 0, -1) => ["3", "4"]);

    // LMPOP/BLMPOP: the first non-empty list, as (key, elements); COUNT pops up to that many;
    // nil when every list is empty.
    check!(r.rpush("{t}m1", ["a", "b", "c"]) => 3);
    check!(r.lmpop::<Option<(String, Vec<String>)>>(&["{t}nope", "{t}m1"], Direction::Left, Some(Count(2))) => Some(("{t}m1".to_owned(), vec!["a".to_owned(), "b".to_owned()])));
    check!(r.lmpop::<Option<(String, Vec<String>)>>(&["{t}nope"], Direction::Left, None) => None);
    fails!(r.lmpop::<Option<(String, Vec<String>)>>(&[] as &[&str], Direction::Left, None) => "ERR");
    check!(r.rpush("{t}m2", ["x", "y"]) => 2);
    check!(r.lmpop::<Option<(String, Vec<String>)>>(&["{t}m2", "{t}m1"], Direction::Right, Some(Count(10))) => Some(("{t}m2".to_owned(), vec!["y".to_owned(), "x".to_owned()])));
    check!(r.exists(["{t}m2"]) => 0);
    fails!(r.lmpop::<Option<(String, Vec<String>)>>(&["{t}m1"], Direction::Left, Some(Count(0))) => "ERR");
    check!(r.rpush("{t}m1", ["d"]) => 2);
    check!(r.blmpop::<Option<(String, Vec<String>)>>(0.01, &["{t}m1"], Direction::Right, None) => Some(("{t}m1".to_owned(), vec!["d".to_owned()])));
    check!(r.blmpop::<Option<(String, Vec<String>)>>(0.01, &["{t}nope", "{t}m1"], Direction::Left, Some(Count(5))) => Some(("{t}m1".to_owned(), vec!["c".to_owned()])));
    times_out(
        0.1,
        || check!(r.blmpop::<Option<(String, Vec<String>)>>(0.1, &["{t}m1"], Direction::Right, None) => None),
    );
    times_out(
        0.1,
        || check!(r.blmpop::<Option<(String, Vec<String>)>>(0.1, &["{t}m1", "{t}nope"], Direction::Left, Some(Count(2))) => None),
    );

    check!(r.set("str", "x") => true);
    fails!(r.lpush("str", ["a"]) => "WRONGTYPE");
    fails!(r.lrange::<Vec<String>>("str", 0, -1) => "WRONGTYPE");
    fails!(r.blpop::<Option<(String, String)>>(["str"], 0.01) => "WRONGTYPE");
}
