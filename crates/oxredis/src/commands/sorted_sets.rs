//! Sorted set commands. <https://redis.io/commands/?group=sorted-set>

macro_rules! sorted_set_commands {
    ($surface:ident) => { $surface! {
        /// Adds `(member, score)` pairs; the number added. <https://redis.io/commands/zadd>
        "ZADD" zadd(key: impl ToArgs, members: &[(impl ToArgs, f64)]) -> i64 = [key, ScoreFirst(members)];
            keys(1, 1, 1) flags(WRITE);

        /// Members by rank `start..=stop`. <https://redis.io/commands/zrange>
        "ZRANGE" zrange<T>(key: impl ToArgs, start: i64, stop: i64) -> T = [key, start, stop];
            keys(1, 1, 1) flags(READONLY);

        /// Members by rank with their scores, as `(member, score)` pairs.
        /// <https://redis.io/commands/zrange>
        "ZRANGE" zrange_withscores<T>(key: impl ToArgs, start: i64, stop: i64) -> T =
            [key, start, stop, "WITHSCORES"]; keys(1, 1, 1) flags(READONLY) reply(ScoredPairs);
    } };
}
