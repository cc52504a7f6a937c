//! Set commands. <https://redis.io/commands/?group=set>

macro_rules! set_commands {
    ($surface:ident) => { $surface! {
        /// Adds `members`; the number added. <https://redis.io/commands/sadd>
        "SADD" sadd(key: impl ToArgs, members: impl ToArgs) -> i64 = [key, members];
            keys(1, 1, 1) flags(WRITE);

        /// Every member of the set at `key`. <https://redis.io/commands/smembers>
        "SMEMBERS" smembers<T>(key: impl ToArgs) -> T = [key]; keys(1, 1, 1) flags(READONLY | CACHEABLE) reply(Set);

        /// Removes `members`; the number removed. <https://redis.io/commands/srem>
        "SREM" srem(key: impl ToArgs, members: impl ToArgs) -> i64 = [key, members];
            keys(1, 1, 1) flags(WRITE);

        /// Number of members. <https://redis.io/commands/scard>
        "SCARD" scard(key: impl ToArgs) -> i64 = [key]; keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// Whether `member` is in the set. <https://redis.io/commands/sismember>
        "SISMEMBER" sismember(key: impl ToArgs, member: impl ToArgs) -> bool = [key, member];
            keys(1, 1, 1) flags(READONLY | CACHEABLE) reply(IntBool);

        /// Whether each of `members` is in the set. <https://redis.io/commands/smismember>
        "SMISMEMBER" smismember(key: impl ToArgs, members: impl ToArgs) -> Vec<bool> =
            [key, members]; keys(1, 1, 1) flags(READONLY | CACHEABLE) reply(IntBools);

        /// Moves `member` between sets; `true` if moved. <https://redis.io/commands/smove>
        "SMOVE" smove(source: impl ToArgs, destination: impl ToArgs, member: impl ToArgs) -> bool =
            [source, destination, member]; keys(1, 2, 1) flags(WRITE) reply(IntBool);

        /// Pops a random member, or `count` as a set. <https://redis.io/commands/spop>
        "SPOP" spop<T>(key: impl ToArgs, count: Option<u64>) -> T = [key, count];
            keys(1, 1, 1) flags(WRITE);

        /// Random member(s) without removing them (negative `count`: may repeat).
        /// <https://redis.io/commands/srandmember>
        "SRANDMEMBER" srandmember<T>(key: impl ToArgs, count: Option<i64>) -> T = [key, count];
            keys(1, 1, 1) flags(READONLY);

        /// Members of the first set not in the others. <https://redis.io/commands/sdiff>
        "SDIFF" sdiff<T>(keys: impl ToArgs) -> T = [keys]; keys(1, -1, 1) flags(READONLY | CACHEABLE) reply(Set);

        /// SDIFF stored at `destination`; its size. <https://redis.io/commands/sdiffstore>
        "SDIFFSTORE" sdiffstore(destination: impl ToArgs, keys: impl ToArgs) -> i64 =
            [destination, keys]; keys(1, -1, 1) flags(WRITE);

        /// Members in every set. <https://redis.io/commands/sinter>
        "SINTER" sinter<T>(keys: impl ToArgs) -> T = [keys]; keys(1, -1, 1) flags(READONLY | CACHEABLE) reply(Set);

        /// SINTER stored at `destination`; its size. <https://redis.io/commands/sinterstore>
        "SINTERSTORE" sinterstore(destination: impl ToArgs, keys: impl ToArgs) -> i64 =
            [destination, keys]; keys(1, -1, 1) flags(WRITE);

        /// Size of the intersection, stopping at `limit` (0: none). <https://redis.io/commands/sintercard>
        "SINTERCARD" sintercard(keys: &[impl ToArgs], limit: Option<Limit1>) -> i64 =
            [Counted(keys), limit]; keys(numkeys 1) flags(READONLY | CACHEABLE);

        /// Members in any set. <https://redis.io/commands/sunion>
        "SUNION" sunion<T>(keys: impl ToArgs) -> T = [keys]; keys(1, -1, 1) flags(READONLY | CACHEABLE) reply(Set);

        /// SUNION stored at `destination`; its size. <https://redis.io/commands/sunionstore>
        "SUNIONSTORE" sunionstore(destination: impl ToArgs, keys: impl ToArgs) -> i64 =
            [destination, keys]; keys(1, -1, 1) flags(WRITE);

        /// One SSCAN step: the next cursor and a page of members. <https://redis.io/commands/sscan>
        "SSCAN" sscan<T>(key: impl ToArgs, cursor: u64, options: &ScanOptions) -> (u64, T) =
            [key, cursor, options]; keys(1, 1, 1) flags(READONLY);
    } };
}
