//! Calls of the sorted sets group's methods, each with the reply it must give.

use super::*;

pub(crate) fn sorted_sets(r: &Redis) -> Log {
    let mut log = Log::new();
    l!(log, r.zadd("z", &[("a", 1.0), ("b", 2.0), ("c", 3.0)]));
    l!(
        log,
        r.zadd_options::<i64>(
            "z",
            &[("a", 5.0), ("d", 4.0)],
            &ZaddOptions::default().xx().ch()
        )
    );
    l!(
        log,
        r.zadd_options::<i64>("z", &[("a", 1.0)], &ZaddOptions::default().gt().ch())
    );
    l!(
        log,
        r.zadd_options::<i64>("z", &[("a", 1.0)], &ZaddOptions::default().lt().ch())
    );
    l!(
        log,
        r.zadd_options::<Option<f64>>("z", &[("a", 0.5)], &ZaddOptions::default().incr())
    );
    l!(
        log,
        r.zadd_options::<Option<f64>>("z", &[("a", 0.5)], &ZaddOptions::default().nx().incr())
    );
    l!(log, r.zrange::<Vec<String>>("z", 0, -1));
    l!(log, r.zrange_withscores::<Vec<(String, f64)>>("z", 0, -1));
    l!(
        log,
        r.zrange_options::<Vec<String>>(
            "z",
            "(1.5",
            "+inf",
            &ZRangeOptions::default().byscore().limit(0, 2)
        )
    );
    l!(
        log,
        r.zrange_options::<Vec<(String, f64)>>(
            "z",
            0,
            1,
            &ZRangeOptions::default().rev().withscores()
        )
    );
    l!(
        log,
        r.zrangestore("zs", "z", "[a", "[b", &ZRangeOptions::default().bylex())
    );
    l!(log, r.zrevrange::<Vec<String>>("z", 0, 1));
    l!(log, r.zrevrange_withscores::<Vec<(String, f64)>>("z", 0, 0));
    l!(log, r.zrangebyscore::<Vec<String>>("z", "-inf", 2.5, None));
    l!(
        log,
        r.zrangebyscore_withscores::<Vec<(String, f64)>>("z", 2, "+inf", Some(Limit(1, 5)))
    );
    l!(
        log,
        r.zrevrangebyscore::<Vec<String>>("z", "+inf", 2, Some(Limit(0, 1)))
    );
    l!(
        log,
        r.zrevrangebyscore_withscores::<Vec<(String, f64)>>("z", 10, 0, None)
    );
    l!(
        log,
        r.zadd("lex", &[("a", 0.0), ("b", 0.0), ("c", 0.0), ("d", 0.0)])
    );
    l!(log, r.zrangebylex::<Vec<String>>("lex", "[b", "+", None));
    l!(
        log,
        r.zrevrangebylex::<Vec<String>>("lex", "+", "(b", Some(Limit(0, 1)))
    );
    l!(log, r.zlexcount("lex", "-", "[c"));
    l!(log, r.zremrangebylex("lex", "[a", "[b"));
    l!(log, r.zcard("z"));
    l!(log, r.zcount("z", 2, "+inf"));
    l!(log, r.zincrby("z", 2.5, "b"));
    l!(log, r.zscore("z", "b"));
    l!(log, r.zscore("z", "nope"));
    l!(log, r.zmscore("z", ["a", "nope", "c"]));
    l!(log, r.zrank("z", "c"));
    l!(log, r.zrevrank("z", "c"));
    l!(log, r.zrank("z", "nope"));
    l!(log, r.zrandmember::<Option<String>>("nope", None));
    l!(log, r.zrandmember::<BTreeSet<String>>("z", Some(10)));
    l!(
        log,
        r.zrandmember_withscores::<Vec<(String, f64)>>("z", 10)
            .map(|v| v
                .into_iter()
                .map(|(m, s)| format!("{m}={s}"))
                .collect::<BTreeSet<_>>())
    );
    l!(log, r.zadd("z2", &[("a", 10.0), ("x", 1.0)]));
    l!(
        log,
        r.zunion::<Vec<String>>(&["z", "z2"], &ZAggregateOptions::default())
    );
    l!(
        log,
        r.zunion::<Vec<(String, f64)>>(
            &["z", "z2"],
            &ZAggregateOptions::default()
                .weights(&[1.0, 2.0])
                .withscores()
        )
    );
    l!(
        log,
        r.zinter::<Vec<(String, f64)>>(
            &["z", "z2"],
            &ZAggregateOptions::default().min().withscores()
        )
    );
    l!(log, r.zdiff::<Vec<String>>(&["z", "z2"], false));
    l!(log, r.zdiff::<Vec<(String, f64)>>(&["z", "z2"], true));
    l!(
        log,
        r.zunionstore("zu", &["z", "z2"], &ZAggregateOptions::default().max())
    );
    l!(
        log,
        r.zinterstore("zi", &["z", "z2"], &ZAggregateOptions::default())
    );
    l!(log, r.zdiffstore("zd", &["z", "z2"]));
    l!(log, r.zintercard(&["z", "z2"], None));
    l!(log, r.zintercard(&["z", "zu"], Some(Limit1(2))));
    l!(log, r.zpopmin::<Vec<(String, f64)>>("zu", None));
    l!(log, r.zpopmin::<Vec<(String, f64)>>("zu", Some(2)));
    l!(log, r.zpopmax::<Vec<(String, f64)>>("zu", Some(1)));
    l!(log, r.zpopmax::<Vec<(String, f64)>>("nope", None));
    l!(
        log,
        r.bzpopmin::<Option<(String, String, f64)>>(["nope", "zu"], 0.01)
    );
    l!(
        log,
        r.bzpopmax::<Option<(String, String, f64)>>(["zi"], 0.01)
    );
    l!(
        log,
        r.bzpopmax::<Option<(String, String, f64)>>(["nope"], 0.01)
    );
    l!(
        log,
        r.zmpop::<Option<(String, Vec<(String, f64)>)>>(
            &["nope", "z"],
            MinMax::Min,
            Some(Count(2))
        )
    );
    l!(
        log,
        r.zmpop::<Option<(String, Vec<(String, f64)>)>>(&["nope"], MinMax::Min, None)
    );
    l!(
        log,
        r.bzmpop::<Option<(String, Vec<(String, f64)>)>>(0.01, &["z"], MinMax::Max, None)
    );
    l!(
        log,
        r.bzmpop::<Option<(String, Vec<(String, f64)>)>>(0.01, &["nope"], MinMax::Max, None)
    );
    l!(log, r.zrem("z2", ["a", "nope"]));
    l!(
        log,
        r.zadd("r", &[("a", 1.0), ("b", 2.0), ("c", 3.0), ("d", 4.0)])
    );
    l!(log, r.zremrangebyrank("r", 0, 0));
    l!(log, r.zremrangebyscore("r", "(2", 3));
    let (cursor, page): (u64, Vec<(String, f64)>) =
        l!(log, r.zscan("r", 0, &ScanOptions::default()));
    assert_eq!(
        (cursor, page),
        (0, vec![("b".to_owned(), 2.0), ("d".to_owned(), 4.0)])
    );
    log
}
