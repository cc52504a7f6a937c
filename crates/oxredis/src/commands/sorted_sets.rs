//! Sorted set commands. <https://redis.io/commands/?group=sorted-set>

macro_rules! sorted_set_commands {
    ($surface:ident) => { $surface! {
        /// Adds `(member, score)` pairs; the number added. <https://redis.io/commands/zadd>
        "ZADD" zadd(key: impl ToArgs, members: &[(impl ToArgs, f64)]) -> i64 = [key, ScoreFirst(members)];
            keys(1, 1, 1) flags(WRITE);

        /// ZADD with NX/XX/GT/LT/CH/INCR; with INCR, the new score (nil if not applied).
        /// <https://redis.io/commands/zadd>
        "ZADD" zadd_options<T>(key: impl ToArgs, members: &[(impl ToArgs, f64)], options: &ZaddOptions) -> T =
            [key, options, ScoreFirst(members)]; keys(1, 1, 1) flags(WRITE);

        /// Members by rank `start..=stop`. <https://redis.io/commands/zrange>
        "ZRANGE" zrange<T>(key: impl ToArgs, start: i64, stop: i64) -> T = [key, start, stop];
            keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// Members by rank with their scores, as `(member, score)` pairs.
        /// <https://redis.io/commands/zrange>
        "ZRANGE" zrange_withscores<T>(key: impl ToArgs, start: i64, stop: i64) -> T =
            [key, start, stop, "WITHSCORES"]; keys(1, 1, 1) flags(READONLY | CACHEABLE) reply(ScoredPairs);

        /// ZRANGE with BYSCORE/BYLEX, REV, LIMIT and WITHSCORES (pairs).
        /// <https://redis.io/commands/zrange>
        "ZRANGE" zrange_options<T>(key: impl ToArgs, start: impl ToArgs, stop: impl ToArgs, options: &ZRangeOptions) -> T =
            [key, start, stop, options]; keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// ZRANGE stored at `destination`; its size. <https://redis.io/commands/zrangestore>
        "ZRANGESTORE" zrangestore(destination: impl ToArgs, source: impl ToArgs, start: impl ToArgs, stop: impl ToArgs, options: &ZRangeOptions) -> i64 =
            [destination, source, start, stop, options]; keys(1, 2, 1) flags(WRITE);

        /// Members by descending rank. <https://redis.io/commands/zrevrange>
        "ZREVRANGE" zrevrange<T>(key: impl ToArgs, start: i64, stop: i64) -> T = [key, start, stop];
            keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// Members by descending rank with scores. <https://redis.io/commands/zrevrange>
        "ZREVRANGE" zrevrange_withscores<T>(key: impl ToArgs, start: i64, stop: i64) -> T =
            [key, start, stop, "WITHSCORES"]; keys(1, 1, 1) flags(READONLY | CACHEABLE) reply(ScoredPairs);

        /// Members with `min <= score <= max` (`(1`, `-inf`... accepted). <https://redis.io/commands/zrangebyscore>
        "ZRANGEBYSCORE" zrangebyscore<T>(key: impl ToArgs, min: impl ToArgs, max: impl ToArgs, limit: Option<Limit>) -> T =
            [key, min, max, limit]; keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// ZRANGEBYSCORE with scores. <https://redis.io/commands/zrangebyscore>
        "ZRANGEBYSCORE" zrangebyscore_withscores<T>(key: impl ToArgs, min: impl ToArgs, max: impl ToArgs, limit: Option<Limit>) -> T =
            [key, min, max, "WITHSCORES", limit]; keys(1, 1, 1) flags(READONLY | CACHEABLE) reply(ScoredPairs);

        /// Members with `max >= score >= min`, highest first. <https://redis.io/commands/zrevrangebyscore>
        "ZREVRANGEBYSCORE" zrevrangebyscore<T>(key: impl ToArgs, max: impl ToArgs, min: impl ToArgs, limit: Option<Limit>) -> T =
            [key, max, min, limit]; keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// ZREVRANGEBYSCORE with scores. <https://redis.io/commands/zrevrangebyscore>
        "ZREVRANGEBYSCORE" zrevrangebyscore_withscores<T>(key: impl ToArgs, max: impl ToArgs, min: impl ToArgs, limit: Option<Limit>) -> T =
            [key, max, min, "WITHSCORES", limit]; keys(1, 1, 1) flags(READONLY | CACHEABLE) reply(ScoredPairs);

        /// Members between `min` and `max` lexicographically (`[a`, `(b`, `-`, `+`).
        /// <https://redis.io/commands/zrangebylex>
        "ZRANGEBYLEX" zrangebylex<T>(key: impl ToArgs, min: impl ToArgs, max: impl ToArgs, limit: Option<Limit>) -> T =
            [key, min, max, limit]; keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// ZRANGEBYLEX in reverse. <https://redis.io/commands/zrevrangebylex>
        "ZREVRANGEBYLEX" zrevrangebylex<T>(key: impl ToArgs, max: impl ToArgs, min: impl ToArgs, limit: Option<Limit>) -> T =
            [key, max, min, limit]; keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// Number of members. <https://redis.io/commands/zcard>
        "ZCARD" zcard(key: impl ToArgs) -> i64 = [key]; keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// Members with a score in `min..=max`. <https://redis.io/commands/zcount>
        "ZCOUNT" zcount(key: impl ToArgs, min: impl ToArgs, max: impl ToArgs) -> i64 = [key, min, max];
            keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// Members in a lexicographic range. <https://redis.io/commands/zlexcount>
        "ZLEXCOUNT" zlexcount(key: impl ToArgs, min: impl ToArgs, max: impl ToArgs) -> i64 = [key, min, max];
            keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// Increments a member's score; the new score. <https://redis.io/commands/zincrby>
        "ZINCRBY" zincrby(key: impl ToArgs, amount: f64, member: impl ToArgs) -> f64 =
            [key, amount, member]; keys(1, 1, 1) flags(WRITE) reply(Double);

        /// Score of `member`, nil if absent. <https://redis.io/commands/zscore>
        "ZSCORE" zscore(key: impl ToArgs, member: impl ToArgs) -> Option<f64> = [key, member];
            keys(1, 1, 1) flags(READONLY | CACHEABLE) reply(Double);

        /// Scores of several members. <https://redis.io/commands/zmscore>
        "ZMSCORE" zmscore(key: impl ToArgs, members: impl ToArgs) -> Vec<Option<f64>> = [key, members];
            keys(1, 1, 1) flags(READONLY | CACHEABLE) reply(Doubles);

        /// Rank of `member` (lowest score first), nil if absent. <https://redis.io/commands/zrank>
        "ZRANK" zrank(key: impl ToArgs, member: impl ToArgs) -> Option<i64> = [key, member];
            keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// Rank of `member` from the highest score. <https://redis.io/commands/zrevrank>
        "ZREVRANK" zrevrank(key: impl ToArgs, member: impl ToArgs) -> Option<i64> = [key, member];
            keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// Removes members; the number removed. <https://redis.io/commands/zrem>
        "ZREM" zrem(key: impl ToArgs, members: impl ToArgs) -> i64 = [key, members];
            keys(1, 1, 1) flags(WRITE);

        /// Removes a lexicographic range. <https://redis.io/commands/zremrangebylex>
        "ZREMRANGEBYLEX" zremrangebylex(key: impl ToArgs, min: impl ToArgs, max: impl ToArgs) -> i64 =
            [key, min, max]; keys(1, 1, 1) flags(WRITE);

        /// Removes a rank range. <https://redis.io/commands/zremrangebyrank>
        "ZREMRANGEBYRANK" zremrangebyrank(key: impl ToArgs, start: i64, stop: i64) -> i64 =
            [key, start, stop]; keys(1, 1, 1) flags(WRITE);

        /// Removes a score range. <https://redis.io/commands/zremrangebyscore>
        "ZREMRANGEBYSCORE" zremrangebyscore(key: impl ToArgs, min: impl ToArgs, max: impl ToArgs) -> i64 =
            [key, min, max]; keys(1, 1, 1) flags(WRITE);

        /// Pops the `count` lowest members as `(member, score)` pairs. <https://redis.io/commands/zpopmin>
        "ZPOPMIN" zpopmin<T>(key: impl ToArgs, count: Option<u64>) -> T = [key, count];
            keys(1, 1, 1) flags(WRITE) reply(ScoredPairs);

        /// Pops the `count` highest members as `(member, score)` pairs. <https://redis.io/commands/zpopmax>
        "ZPOPMAX" zpopmax<T>(key: impl ToArgs, count: Option<u64>) -> T = [key, count];
            keys(1, 1, 1) flags(WRITE) reply(ScoredPairs);

        /// Blocking ZPOPMIN: `(key, member, score)` or nil. <https://redis.io/commands/bzpopmin>
        "BZPOPMIN" bzpopmin<T>(keys: impl ToArgs, timeout: f64) -> T = [keys, timeout];
            keys(1, -2, 1) flags(WRITE | BLOCKING) reply(KeyMemberScore);

        /// Blocking ZPOPMAX. <https://redis.io/commands/bzpopmax>
        "BZPOPMAX" bzpopmax<T>(keys: impl ToArgs, timeout: f64) -> T = [keys, timeout];
            keys(1, -2, 1) flags(WRITE | BLOCKING) reply(KeyMemberScore);

        /// Pops from the first non-empty sorted set: `(key, [(member, score)])` or nil.
        /// <https://redis.io/commands/zmpop>
        "ZMPOP" zmpop<T>(keys: &[impl ToArgs], which: MinMax, count: Option<Count>) -> T =
            [Counted(keys), which, count]; keys(numkeys 1) flags(WRITE) reply(KeyScoredPairs);

        /// Blocking ZMPOP. <https://redis.io/commands/bzmpop>
        "BZMPOP" bzmpop<T>(timeout: f64, keys: &[impl ToArgs], which: MinMax, count: Option<Count>) -> T =
            [timeout, Counted(keys), which, count]; keys(numkeys 2) flags(WRITE | BLOCKING) reply(KeyScoredPairs);

        /// One random member, nil for a missing key. <https://redis.io/commands/zrandmember>
        "ZRANDMEMBER" zrandmember<T>(key: impl ToArgs, count: Option<i64>) -> T = [key, count];
            keys(1, 1, 1) flags(READONLY);

        /// `count` random members with scores. <https://redis.io/commands/zrandmember>
        "ZRANDMEMBER" zrandmember_withscores<T>(key: impl ToArgs, count: i64) -> T =
            [key, count, "WITHSCORES"]; keys(1, 1, 1) flags(READONLY) reply(ScoredPairs);

        /// Union of sorted sets (members; pairs with [`ZAggregateOptions::withscores`]).
        /// <https://redis.io/commands/zunion>
        "ZUNION" zunion<T>(keys: &[impl ToArgs], options: &ZAggregateOptions) -> T =
            [Counted(keys), options]; keys(numkeys 1) flags(READONLY | CACHEABLE);

        /// Intersection of sorted sets. <https://redis.io/commands/zinter>
        "ZINTER" zinter<T>(keys: &[impl ToArgs], options: &ZAggregateOptions) -> T =
            [Counted(keys), options]; keys(numkeys 1) flags(READONLY | CACHEABLE);

        /// Difference of sorted sets (members, or pairs with `withscores`).
        /// <https://redis.io/commands/zdiff>
        "ZDIFF" zdiff<T>(keys: &[impl ToArgs], withscores: bool) -> T =
            [Counted(keys), WithScores(withscores)]; keys(numkeys 1) flags(READONLY | CACHEABLE);

        /// ZUNION stored at `destination`; its size. <https://redis.io/commands/zunionstore>
        "ZUNIONSTORE" zunionstore(destination: impl ToArgs, keys: &[impl ToArgs], options: &ZAggregateOptions) -> i64 =
            [destination, Counted(keys), options]; keys(dest numkeys 2) flags(WRITE);

        /// ZINTER stored at `destination`; its size. <https://redis.io/commands/zinterstore>
        "ZINTERSTORE" zinterstore(destination: impl ToArgs, keys: &[impl ToArgs], options: &ZAggregateOptions) -> i64 =
            [destination, Counted(keys), options]; keys(dest numkeys 2) flags(WRITE);

        /// ZDIFF stored at `destination`; its size. <https://redis.io/commands/zdiffstore>
        "ZDIFFSTORE" zdiffstore(destination: impl ToArgs, keys: &[impl ToArgs]) -> i64 =
            [destination, Counted(keys)]; keys(dest numkeys 2) flags(WRITE);

        /// Size of the intersection, stopping at `limit`. <https://redis.io/commands/zintercard>
        "ZINTERCARD" zintercard(keys: &[impl ToArgs], limit: Option<Limit1>) -> i64 =
            [Counted(keys), limit]; keys(numkeys 1) flags(READONLY | CACHEABLE);

        /// One ZSCAN step: the next cursor and `(member, score)` pairs. <https://redis.io/commands/zscan>
        "ZSCAN" zscan<T>(key: impl ToArgs, cursor: u64, options: &ScanOptions) -> (u64, T) =
            [key, cursor, options]; keys(1, 1, 1) flags(READONLY) reply(ScanScoredPairs);
    } };
}
