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
            keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// Every field and value of the hash at `key`, as a map. <https://redis.io/commands/hgetall>
        "HGETALL" hgetall<T>(key: impl ToArgs) -> T = [key]; keys(1, 1, 1) flags(READONLY | CACHEABLE) reply(Pairs);

        /// Deletes fields; the number removed. <https://redis.io/commands/hdel>
        "HDEL" hdel(key: impl ToArgs, fields: impl ToArgs) -> i64 = [key, fields];
            keys(1, 1, 1) flags(WRITE);

        /// Whether `field` exists. <https://redis.io/commands/hexists>
        "HEXISTS" hexists(key: impl ToArgs, field: impl ToArgs) -> bool = [key, field];
            keys(1, 1, 1) flags(READONLY | CACHEABLE) reply(IntBool);

        /// Increments an integer field. <https://redis.io/commands/hincrby>
        "HINCRBY" hincrby(key: impl ToArgs, field: impl ToArgs, amount: i64) -> i64 =
            [key, field, amount]; keys(1, 1, 1) flags(WRITE);

        /// Increments a float field. <https://redis.io/commands/hincrbyfloat>
        "HINCRBYFLOAT" hincrbyfloat(key: impl ToArgs, field: impl ToArgs, amount: f64) -> f64 =
            [key, field, amount]; keys(1, 1, 1) flags(WRITE) reply(Double);

        /// Every field name. <https://redis.io/commands/hkeys>
        "HKEYS" hkeys<T>(key: impl ToArgs) -> T = [key]; keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// Every value. <https://redis.io/commands/hvals>
        "HVALS" hvals<T>(key: impl ToArgs) -> T = [key]; keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// Number of fields. <https://redis.io/commands/hlen>
        "HLEN" hlen(key: impl ToArgs) -> i64 = [key]; keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// Values of several fields, nil for missing ones. <https://redis.io/commands/hmget>
        "HMGET" hmget<T>(key: impl ToArgs, fields: impl ToArgs) -> T = [key, fields];
            keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// Deprecated HSET of several pairs; `true`. <https://redis.io/commands/hmset>
        "HMSET" hmset(key: impl ToArgs, items: impl ToArgs) -> bool = [key, items];
            keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// Sets `field` only if absent; `true` if set. <https://redis.io/commands/hsetnx>
        "HSETNX" hsetnx(key: impl ToArgs, field: impl ToArgs, value: impl ToArgs) -> bool =
            [key, field, value]; keys(1, 1, 1) flags(WRITE) reply(IntBool);

        /// Length of a field's value. <https://redis.io/commands/hstrlen>
        "HSTRLEN" hstrlen(key: impl ToArgs, field: impl ToArgs) -> i64 = [key, field];
            keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// One random field, nil for a missing key. <https://redis.io/commands/hrandfield>
        "HRANDFIELD" hrandfield<T>(key: impl ToArgs) -> T = [key]; keys(1, 1, 1) flags(READONLY);

        /// `count` random fields (negative: may repeat). <https://redis.io/commands/hrandfield>
        "HRANDFIELD" hrandfield_count<T>(key: impl ToArgs, count: i64) -> T = [key, count];
            keys(1, 1, 1) flags(READONLY);

        /// `count` random `(field, value)` pairs. <https://redis.io/commands/hrandfield>
        "HRANDFIELD" hrandfield_withvalues<T>(key: impl ToArgs, count: i64) -> T =
            [key, count, "WITHVALUES"]; keys(1, 1, 1) flags(READONLY) reply(NestedPairs);

        /// Values of `fields`, deleting them (the key goes with its last field); nil for missing
        /// fields. Redis 8.0, Valkey 9.1. <https://redis.io/commands/hgetdel>
        "HGETDEL" hgetdel<T>(key: impl ToArgs, fields: &[impl ToArgs]) -> T =
            [key, "FIELDS", Counted(fields)]; keys(1, 1, 1) flags(WRITE);

        /// Values of `fields`, setting or removing (`PERSIST`) their expiry; nil for missing
        /// fields. Redis 8.0, Valkey 9.0. <https://redis.io/commands/hgetex>
        "HGETEX" hgetex<T>(key: impl ToArgs, fields: &[impl ToArgs], options: &GetExOptions) -> T =
            [key, options, "FIELDS", Counted(fields)]; keys(1, 1, 1) flags(WRITE);

        /// Sets `(field, value)` pairs with an expiry, or only if none/all exist (`FNX`/`FXX`);
        /// `true` if they were set. Redis 8.0, Valkey 9.0. <https://redis.io/commands/hsetex>
        "HSETEX" hsetex(key: impl ToArgs, items: &[impl ToArgs], options: &HSetExOptions) -> bool =
            [key, options, "FIELDS", Counted(items)]; keys(1, 1, 1) flags(WRITE) reply(IntBool);

        /// Sets a time to live of `seconds` on `fields`, optionally only under a condition
        /// (redis-py's `nx`/`xx`/`gt`/`lt`). Per field: -2 no such field or key, 0 condition not
        /// met, 1 set, 2 deleted (a time in the past). Redis 7.4, Valkey 9.0.
        /// <https://redis.io/commands/hexpire>
        "HEXPIRE" hexpire(key: impl ToArgs, seconds: i64, fields: &[impl ToArgs], condition: Option<ExpireCondition>) -> Vec<i64> =
            [key, seconds, condition, "FIELDS", Counted(fields)]; keys(1, 1, 1) flags(WRITE);

        /// HEXPIRE in milliseconds. Redis 7.4, Valkey 9.0. <https://redis.io/commands/hpexpire>
        "HPEXPIRE" hpexpire(key: impl ToArgs, millis: i64, fields: &[impl ToArgs], condition: Option<ExpireCondition>) -> Vec<i64> =
            [key, millis, condition, "FIELDS", Counted(fields)]; keys(1, 1, 1) flags(WRITE);

        /// Expires `fields` at a unix time in seconds; per field as `hexpire`.
        /// Redis 7.4, Valkey 9.0. <https://redis.io/commands/hexpireat>
        "HEXPIREAT" hexpireat(key: impl ToArgs, unix_seconds: i64, fields: &[impl ToArgs], condition: Option<ExpireCondition>) -> Vec<i64> =
            [key, unix_seconds, condition, "FIELDS", Counted(fields)]; keys(1, 1, 1) flags(WRITE);

        /// Expires `fields` at a unix time in milliseconds. Redis 7.4, Valkey 9.0.
        /// <https://redis.io/commands/hpexpireat>
        "HPEXPIREAT" hpexpireat(key: impl ToArgs, unix_millis: i64, fields: &[impl ToArgs], condition: Option<ExpireCondition>) -> Vec<i64> =
            [key, unix_millis, condition, "FIELDS", Counted(fields)]; keys(1, 1, 1) flags(WRITE);

        /// Removes the expiry of `fields`. Per field: -2 no such field or key, -1 no expiry,
        /// 1 removed. Redis 7.4, Valkey 9.0. <https://redis.io/commands/hpersist>
        "HPERSIST" hpersist(key: impl ToArgs, fields: &[impl ToArgs]) -> Vec<i64> =
            [key, "FIELDS", Counted(fields)]; keys(1, 1, 1) flags(WRITE);

        /// Seconds to live of `fields` (-2 no such field or key, -1 no expiry). Redis 7.4,
        /// Valkey 9.0. <https://redis.io/commands/httl>
        "HTTL" httl(key: impl ToArgs, fields: &[impl ToArgs]) -> Vec<i64> =
            [key, "FIELDS", Counted(fields)]; keys(1, 1, 1) flags(READONLY);

        /// Milliseconds to live of `fields`. Redis 7.4, Valkey 9.0. <https://redis.io/commands/hpttl>
        "HPTTL" hpttl(key: impl ToArgs, fields: &[impl ToArgs]) -> Vec<i64> =
            [key, "FIELDS", Counted(fields)]; keys(1, 1, 1) flags(READONLY);

        /// Unix time in seconds at which `fields` expire (-2 no such field or key, -1 no
        /// expiry). Redis 7.4, Valkey 9.0. <https://redis.io/commands/hexpiretime>
        "HEXPIRETIME" hexpiretime(key: impl ToArgs, fields: &[impl ToArgs]) -> Vec<i64> =
            [key, "FIELDS", Counted(fields)]; keys(1, 1, 1) flags(READONLY);

        /// Unix time in milliseconds at which `fields` expire. Redis 7.4, Valkey 9.0.
        /// <https://redis.io/commands/hpexpiretime>
        "HPEXPIRETIME" hpexpiretime(key: impl ToArgs, fields: &[impl ToArgs]) -> Vec<i64> =
            [key, "FIELDS", Counted(fields)]; keys(1, 1, 1) flags(READONLY);

        /// One HSCAN step: the next cursor and a map of fields. <https://redis.io/commands/hscan>
        "HSCAN" hscan<T>(key: impl ToArgs, cursor: u64, options: &ScanOptions) -> (u64, T) =
            [key, cursor, options]; keys(1, 1, 1) flags(READONLY) reply(ScanPairs);
    } };
}
