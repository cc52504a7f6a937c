//! Calls of the sorted sets group's methods, each with the reply it must give.

use super::*;

/// `(member, score)` pairs as the `*_withscores` forms return them.
fn sp(pairs: &[(&str, f64)]) -> Vec<(String, f64)> {
    pairs.iter().map(|&(m, s)| (m.to_owned(), s)).collect()
}

/// A popped `(key, [(member, score)])`, as ZMPOP/BZMPOP return it.
fn kp(key: &str, pairs: &[(&str, f64)]) -> Option<(String, Vec<(String, f64)>)> {
    Some((key.to_owned(), sp(pairs)))
}

fn sorted_by_member(mut pairs: Vec<(String, f64)>) -> Vec<(String, f64)> {
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    pairs
}

pub(crate) fn sorted_sets(r: &Client) {
    check!(r.zadd("{t}z", &[("a", 1.0), ("b", 2.0), ("c", 3.0)]) => 3);
    // Updating a score adds nothing.
    check!(r.zadd("{t}z", &[("a", 1.0), ("b", 2.0)]) => 0);

    // ZADD options: XX updates only (d is not added), CH counts changes, GT/LT compare with
    // the current score, INCR answers the new score (nil when NX/XX/GT/LT refuse it).
    let opts = ZaddOptions::default;
    check!(r.zadd_options::<i64>("{t}z", &[("a", 5.0), ("d", 4.0)], &opts().xx().ch()) => 1);
    check!(r.zscore("{t}z", "d") => None);
    check!(r.zadd_options::<i64>("{t}z", &[("a", 1.0)], &opts().gt().ch()) => 0);
    check!(r.zadd_options::<i64>("{t}z", &[("a", 1.0)], &opts().lt().ch()) => 1);
    check!(r.zadd_options::<i64>("{t}z", &[("a", 7.0)], &opts().lt()) => 0);
    check!(r.zadd_options::<Option<f64>>("{t}z", &[("a", 0.5)], &opts().incr()) => Some(1.5));
    check!(r.zadd_options::<Option<f64>>("{t}z", &[("a", 0.5)], &opts().nx().incr()) => None);
    check!(r.zadd_options::<Option<f64>>("{t}z", &[("a", -1.0)], &opts().gt().incr()) => None);
    check!(r.zadd_options::<Option<f64>>("{t}z", &[("new", 2.5)], &opts().xx().incr()) => None);
    // GT/LT never stop a new member; NX adds new members only; without CH only additions count.
    check!(r.zadd_options::<i64>("o", &[("m", 3.0)], &opts().gt()) => 1);
    check!(r.zadd_options::<i64>("o", &[("m", 9.0), ("n", 1.0)], &opts().nx()) => 1);
    check!(r.zadd_options::<i64>("o", &[("m", 4.0)], &opts().gt()) => 0);
    check!(r.zadd_options::<i64>("o", &[("m", 5.0), ("n", 1.0)], &opts().gt().ch()) => 1);
    check!(r.zrange_withscores::<Vec<(String, f64)>>("o", 0, -1) => sp(&[("n", 1.0), ("m", 5.0)]));
    fails!(r.zadd_options::<i64>("o", &[("m", 1.0)], &opts().nx().xx()) => "ERR");
    fails!(r.zadd_options::<i64>("o", &[("m", 1.0)], &opts().gt().lt()) => "ERR");
    fails!(r.zadd_options::<Option<f64>>("o", &[("m", 1.0), ("n", 1.0)], &opts().incr()) => "ERR");
    fails!(r.zadd("o", &[("m", f64::NAN)]) => "ERR");

    // z: a=1.5 b=2 c=3.
    check!(r.zrange::<Vec<String>>("{t}z", 0, -1) => vec!["a", "b", "c"]);
    check!(r.zrange::<Vec<String>>("{t}z", -2, -1) => vec!["b", "c"]);
    check!(r.zrange::<Vec<String>>("{t}z", 5, 10) => Vec::<String>::new());
    check!(r.zrange::<Vec<String>>("{t}missing", 0, -1) => Vec::<String>::new());
    check!(r.zrange_withscores::<Vec<(String, f64)>>("{t}z", 0, -1)
        => sp(&[("a", 1.5), ("b", 2.0), ("c", 3.0)]));
    check!(r.zrange_withscores::<Vec<(String, f64)>>("{t}z", -1, -1) => sp(&[("c", 3.0)]));
    let zr = ZRangeOptions::default;
    check!(r.zrange_options::<Vec<String>>("{t}z", "(1.5", "+inf", &zr().byscore().limit(0, 2))
        => vec!["b", "c"]);
    check!(r.zrange_options::<Vec<String>>("{t}z", "(1.5", "+inf", &zr().byscore().limit(1, 1))
        => vec!["c"]);
    check!(r.zrange_options::<Vec<(String, f64)>>("{t}z", 0, 1, &zr().rev().withscores())
        => sp(&[("c", 3.0), ("b", 2.0)]));
    check!(r.zrange_options::<Vec<(String, f64)>>("{t}z", "+inf", "(2", &zr().byscore().rev().withscores())
        => sp(&[("c", 3.0)]));
    check!(r.zrange_options::<Vec<(String, f64)>>("{t}z", "-inf", 2, &zr().byscore().withscores())
        => sp(&[("a", 1.5), ("b", 2.0)]));
    fails!(r.zrange_options::<Vec<String>>("{t}z", "x", "y", &zr().byscore()) => "ERR");
    check!(r.zrevrange::<Vec<String>>("{t}z", 0, 1) => vec!["c", "b"]);
    check!(r.zrevrange::<Vec<String>>("{t}z", -1, -1) => vec!["a"]);
    check!(r.zrevrange_withscores::<Vec<(String, f64)>>("{t}z", 0, 0) => sp(&[("c", 3.0)]));
    check!(r.zrevrange_withscores::<Vec<(String, f64)>>("{t}z", 0, -1)
        => sp(&[("c", 3.0), ("b", 2.0), ("a", 1.5)]));
    check!(r.zrangebyscore::<Vec<String>>("{t}z", "-inf", 2.5, None) => vec!["a", "b"]);
    check!(r.zrangebyscore::<Vec<String>>("{t}z", "(1.5", "(3", None) => vec!["b"]);
    check!(r.zrangebyscore::<Vec<String>>("{t}z", 4, "+inf", None) => Vec::<String>::new());
    check!(r.zrangebyscore_withscores::<Vec<(String, f64)>>("{t}z", 2, "+inf", Some(Limit(1, 5)))
        => sp(&[("c", 3.0)]));
    check!(r.zrangebyscore_withscores::<Vec<(String, f64)>>("{t}z", "-inf", "+inf", None)
        => sp(&[("a", 1.5), ("b", 2.0), ("c", 3.0)]));
    check!(r.zrevrangebyscore::<Vec<String>>("{t}z", "+inf", 2, Some(Limit(0, 1))) => vec!["c"]);
    check!(r.zrevrangebyscore::<Vec<String>>("{t}z", "(3", "-inf", None) => vec!["b", "a"]);
    check!(r.zrevrangebyscore_withscores::<Vec<(String, f64)>>("{t}z", 10, 0, None)
        => sp(&[("c", 3.0), ("b", 2.0), ("a", 1.5)]));
    check!(r.zrevrangebyscore_withscores::<Vec<(String, f64)>>("{t}z", "(3", "(1.5", None)
        => sp(&[("b", 2.0)]));

    // Infinite scores go and come back as infinities (text on RESP2, doubles on RESP3).
    check!(r.zadd(
        "inf",
        &[("lo", f64::NEG_INFINITY), ("mid", 0.0), ("hi", f64::INFINITY)]
    ) => 3);
    check!(r.zrange_withscores::<Vec<(String, f64)>>("inf", 0, -1)
        => sp(&[("lo", f64::NEG_INFINITY), ("mid", 0.0), ("hi", f64::INFINITY)]));
    check!(r.zscore("inf", "hi") => Some(f64::INFINITY));
    check!(r.zcount("inf", "-inf", "+inf") => 3);
    check!(r.zcount("inf", "(-inf", "(+inf") => 1);
    check!(r.zcount("inf", f64::NEG_INFINITY, f64::INFINITY) => 3);
    check!(r.zincrby("inf", 1.0, "hi") => f64::INFINITY);
    fails!(r.zincrby("inf", f64::NEG_INFINITY, "hi") => "ERR");

    // Lexicographic ranges over equal scores.
    check!(r.zadd("{t}lex", &[("a", 0.0), ("b", 0.0), ("c", 0.0), ("d", 0.0)]) => 4);
    check!(r.zrangebylex::<Vec<String>>("{t}lex", "[b", "+", None) => vec!["b", "c", "d"]);
    check!(r.zrangebylex::<Vec<String>>("{t}lex", "(b", "[d", Some(Limit(1, 1))) => vec!["d"]);
    fails!(r.zrangebylex::<Vec<String>>("{t}lex", "b", "+", None) => "ERR");
    check!(r.zrevrangebylex::<Vec<String>>("{t}lex", "+", "(b", Some(Limit(0, 1))) => vec!["d"]);
    check!(r.zrevrangebylex::<Vec<String>>("{t}lex", "[c", "-", None) => vec!["c", "b", "a"]);
    check!(r.zrange_options::<Vec<String>>("{t}lex", "[b", "(d", &zr().bylex()) => vec!["b", "c"]);
    check!(r.zrange_options::<Vec<String>>("{t}lex", "+", "-", &zr().bylex().rev().limit(0, 2))
        => vec!["d", "c"]);
    check!(r.zlexcount("{t}lex", "-", "[c") => 3);
    check!(r.zlexcount("{t}lex", "(a", "(c") => 1);
    check!(r.zrangestore("{t}zs", "{t}lex", "[a", "[b", &zr().bylex()) => 2);
    check!(r.zrange::<Vec<String>>("{t}zs", 0, -1) => vec!["a", "b"]);
    check!(r.zrangestore("{t}zs2", "{t}z", "+inf", "-inf", &zr().byscore().rev().limit(0, 2)) => 2);
    check!(r.zrange_withscores::<Vec<(String, f64)>>("{t}zs2", 0, -1)
        => sp(&[("b", 2.0), ("c", 3.0)]));
    check!(r.zrangestore("{t}zs3", "{t}z", 10, 20, &zr()) => 0);
    check!(r.zremrangebylex("{t}lex", "[a", "[b") => 2);
    check!(r.zrange::<Vec<String>>("{t}lex", 0, -1) => vec!["c", "d"]);

    check!(r.zcard("{t}z") => 3);
    check!(r.zcard("{t}missing") => 0);
    check!(r.zcount("{t}z", 2, "+inf") => 2);
    check!(r.zcount("{t}z", "(1.5", "(3") => 1);
    check!(r.zincrby("{t}z", 2.5, "b") => 4.5);
    check!(r.zincrby("{t}z", -0.5, "fresh") => -0.5);
    check!(r.zrem("{t}z", ["fresh"]) => 1);
    // z: a=1.5 c=3 b=4.5.
    check!(r.zscore("{t}z", "b") => Some(4.5));
    check!(r.zscore("{t}z", "nope") => None);
    check!(r.zscore("{t}missing", "a") => None);
    check!(r.zmscore("{t}z", ["a", "nope", "c"]) => vec![Some(1.5), None, Some(3.0)]);
    check!(r.zmscore("{t}missing", ["a"]) => vec![None]);
    check!(r.zrank("{t}z", "c") => Some(1));
    check!(r.zrank("{t}z", "b") => Some(2));
    check!(r.zrevrank("{t}z", "b") => Some(0));
    check!(r.zrevrank("{t}z", "a") => Some(2));
    check!(r.zrank("{t}z", "nope") => None);
    check!(r.zrevrank("{t}z", "nope") => None);
    check!(r.zrank("{t}missing", "a") => None);

    // ZRANDMEMBER: nil for a missing key; a positive count gives distinct members (at most
    // all of them), a negative one exactly |count| members that may repeat.
    let members: BTreeSet<String> = ["a", "b", "c"].map(str::to_owned).into();
    let scores = sp(&[("a", 1.5), ("b", 4.5), ("c", 3.0)]);
    check!(r.zrandmember::<Option<String>>("{t}missing", None) => None);
    check!(r.zrandmember::<Vec<String>>("{t}missing", Some(3)) => Vec::<String>::new());
    let one = call!(r.zrandmember::<String>("{t}z", None));
    assert!(members.contains(&one), "{one}");
    check!(r.zrandmember::<BTreeSet<String>>("{t}z", Some(10)) => members.clone());
    let two = call!(r.zrandmember::<Vec<String>>("{t}z", Some(2)));
    assert_eq!(two.len(), 2, "{two:?}");
    assert_ne!(two[0], two[1]);
    assert!(two.iter().all(|m| members.contains(m)), "{two:?}");
    let many = call!(r.zrandmember::<Vec<String>>("{t}z", Some(-7)));
    assert_eq!(many.len(), 7, "{many:?}");
    assert!(many.iter().all(|m| members.contains(m)), "{many:?}");
    check!(r.zrandmember::<Vec<String>>("{t}z", Some(0)) => Vec::<String>::new());
    let all = call!(r.zrandmember_withscores::<Vec<(String, f64)>>("{t}z", 10));
    assert_eq!(sorted_by_member(all), scores);
    let repeated = call!(r.zrandmember_withscores::<Vec<(String, f64)>>("{t}z", -5));
    assert_eq!(repeated.len(), 5, "{repeated:?}");
    assert!(repeated.iter().all(|p| scores.contains(p)), "{repeated:?}");
    check!(r.zrandmember_withscores::<Vec<(String, f64)>>("{t}missing", 3) => sp(&[]));

    // Set algebra: z a=1.5 c=3 b=4.5; z2 a=10 x=1.
    check!(r.zadd("{t}z2", &[("a", 10.0), ("x", 1.0)]) => 2);
    let agg = ZAggregateOptions::default;
    check!(r.zunion::<Vec<String>>(&["{t}z", "{t}z2"], &agg()) => vec!["x", "c", "b", "a"]);
    check!(r.zunion::<Vec<(String, f64)>>(&["{t}z", "{t}z2"], &agg().weights(&[1.0, 2.0]).withscores())
        => sp(&[("x", 2.0), ("c", 3.0), ("b", 4.5), ("a", 21.5)]));
    check!(r.zinter::<Vec<String>>(&["{t}z", "{t}z2"], &agg()) => vec!["a"]);
    check!(r.zinter::<Vec<(String, f64)>>(&["{t}z", "{t}z2"], &agg().min().withscores())
        => sp(&[("a", 1.5)]));
    check!(r.zinter::<Vec<(String, f64)>>(&["{t}z", "{t}z2"], &agg().sum().withscores())
        => sp(&[("a", 11.5)]));
    check!(r.zinter::<Vec<String>>(&["{t}z", "{t}missing"], &agg()) => Vec::<String>::new());
    check!(r.zdiff::<Vec<String>>(&["{t}z", "{t}z2"], false) => vec!["c", "b"]);
    check!(r.zdiff::<Vec<(String, f64)>>(&["{t}z", "{t}z2"], true) => sp(&[("c", 3.0), ("b", 4.5)]));
    check!(r.zdiff::<Vec<(String, f64)>>(&["{t}missing", "{t}z"], true) => sp(&[]));
    check!(r.zunionstore("{t}zu", &["{t}z", "{t}z2"], &agg().max()) => 4);
    check!(r.zrange_withscores::<Vec<(String, f64)>>("{t}zu", 0, -1)
        => sp(&[("x", 1.0), ("c", 3.0), ("b", 4.5), ("a", 10.0)]));
    check!(r.zinterstore("{t}zi", &["{t}z", "{t}z2"], &agg()) => 1);
    check!(r.zscore("{t}zi", "a") => Some(11.5));
    check!(r.zdiffstore("{t}zd", &["{t}z", "{t}z2"]) => 2);
    check!(r.zrange_withscores::<Vec<(String, f64)>>("{t}zd", 0, -1)
        => sp(&[("c", 3.0), ("b", 4.5)]));
    check!(r.zintercard(&["{t}z", "{t}z2"], None) => 1);
    check!(r.zintercard(&["{t}z", "{t}zu"], None) => 3);
    check!(r.zintercard(&["{t}z", "{t}zu"], Some(Limit1(2))) => 2);
    check!(r.zintercard(&["{t}z", "{t}missing"], None) => 0);

    // Pops: without a count one pair, with a count that many; nothing from a missing key.
    check!(r.zpopmin::<Vec<(String, f64)>>("{t}zu", None) => sp(&[("x", 1.0)]));
    check!(r.zpopmin::<Vec<(String, f64)>>("{t}zu", Some(2)) => sp(&[("c", 3.0), ("b", 4.5)]));
    check!(r.zpopmax::<Vec<(String, f64)>>("{t}zu", Some(5)) => sp(&[("a", 10.0)]));
    check!(r.zcard("{t}zu") => 0);
    check!(r.zpopmax::<Vec<(String, f64)>>("{t}missing", None) => sp(&[]));
    check!(r.zpopmin::<Vec<(String, f64)>>("{t}missing", Some(2)) => sp(&[]));
    check!(r.bzpopmin::<Option<(String, String, f64)>>(["{t}missing", "{t}z"], 0.01)
        => Some(("{t}z".to_owned(), "a".to_owned(), 1.5)));
    check!(r.bzpopmax::<Option<(String, String, f64)>>(["{t}zi"], 0.01)
        => Some(("{t}zi".to_owned(), "a".to_owned(), 11.5)));
    check!(r.bzpopmax::<Option<(String, String, f64)>>(["{t}missing"], 0.01) => None);
    check!(r.bzpopmin::<Option<(String, String, f64)>>(["{t}missing"], 0.01) => None);
    check!(r.zmpop::<Option<(String, Vec<(String, f64)>)>>(
        &["{t}missing", "{t}zd"],
        MinMax::Min,
        Some(Count(2))
    ) => kp("{t}zd", &[("c", 3.0), ("b", 4.5)]));
    check!(r.zmpop::<Option<(String, Vec<(String, f64)>)>>(&["{t}missing"], MinMax::Min, None)
        => None);
    // z: c=3 b=4.5.
    check!(r.bzmpop::<Option<(String, Vec<(String, f64)>)>>(0.01, &["{t}z"], MinMax::Max, None)
        => kp("{t}z", &[("b", 4.5)]));
    check!(r.zmpop::<Option<(String, Vec<(String, f64)>)>>(&["{t}z"], MinMax::Max, Some(Count(10)))
        => kp("{t}z", &[("c", 3.0)]));
    check!(r.bzmpop::<Option<(String, Vec<(String, f64)>)>>(0.01, &["{t}missing", "{t}z"], MinMax::Max, None)
        => None);

    check!(r.zrem("{t}z2", ["a", "nope"]) => 1);
    check!(r.zrem("{t}missing", ["a"]) => 0);
    check!(r.zadd("r", &[("a", 1.0), ("b", 2.0), ("c", 3.0), ("d", 4.0), ("e", 5.0)]) => 5);
    check!(r.zremrangebyrank("r", 0, 0) => 1);
    check!(r.zremrangebyrank("r", -1, -1) => 1);
    check!(r.zremrangebyrank("r", 5, 10) => 0);
    check!(r.zremrangebyscore("r", "(2", 3) => 1);
    check!(r.zremrangebyscore("r", "-inf", "(2") => 0);
    check!(r.zremrangebyscore("{t}missing", "-inf", "+inf") => 0);
    check!(r.zremrangebylex("{t}missing", "-", "+") => 0);
    check!(r.zscan::<Vec<(String, f64)>>("r", 0, &ScanOptions::default())
        => (0, sp(&[("b", 2.0), ("d", 4.0)])));
    check!(r.zscan::<Vec<(String, f64)>>("{t}missing", 0, &ScanOptions::default()) => (0, sp(&[])));

    check!(r.lpush("list", ["x"]) => 1);
    fails!(r.zadd("list", &[("a", 1.0)]) => "WRONGTYPE");
    fails!(r.zscore("list", "a") => "WRONGTYPE");
}
