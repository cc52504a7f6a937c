//! Hash commands. <https://redis.io/commands/?group=hash>

macro_rules! hash_commands {
    ($surface:ident) => { $surface! {
        /// Sets `field` in the hash at `key`; the number of new fields. <https://redis.io/commands/hset>
        "HSET" hset(key: impl ToArgs, field: impl ToArgs, value: impl ToArgs) -> i64 =
            [key, field, value]; keys(1, 1, 1) flags(WRITE);

        /// Sets several `(field, value)` pairs (redis-py's `hset(mapping=...)`).
        /// <https://redis.io/commands/hset>
        "HSET" hset_mapping(key: impl ToArgs, items: impl ToArgs) -> i64 = [key, items];
            keys(1, 1, 1) flags(WRITE);

        /// Value of `field` in the hash at `key`. <https://redis.io/commands/hget>
        "HGET" hget<T>(key: impl ToArgs, field: impl ToArgs) -> T = [key, field];
            keys(1, 1, 1) flags(READONLY);

        /// Every field and value of the hash at `key`, as a map. <https://redis.io/commands/hgetall>
        "HGETALL" hgetall<T>(key: impl ToArgs) -> T = [key]; keys(1, 1, 1) flags(READONLY) reply(Pairs);
    } };
}
