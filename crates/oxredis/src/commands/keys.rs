//! Generic key commands. <https://redis.io/commands/?group=generic>

macro_rules! key_commands {
    ($surface:ident) => {
        $surface! {
            /// Deletes keys; the number removed. <https://redis.io/commands/del>
            "DEL" delete(keys: impl ToArgs) -> i64 = [keys]; keys(1, -1, 1) flags(WRITE) route(split, Sum);

            /// How many of `keys` exist (a key named twice counts twice). <https://redis.io/commands/exists>
            "EXISTS" exists(keys: impl ToArgs) -> i64 = [keys]; keys(1, -1, 1) flags(READONLY | CACHEABLE) route(split, Sum);

            /// Sets a timeout of `seconds` on `key`; `true` if set. <https://redis.io/commands/expire>
            "EXPIRE" expire(key: impl ToArgs, seconds: i64) -> bool = [key, seconds];
                keys(1, 1, 1) flags(WRITE) reply(IntBool);

            /// EXPIRE with a condition (NX, XX, GT, LT). <https://redis.io/commands/expire>
            "EXPIRE" expire_if(key: impl ToArgs, seconds: i64, condition: ExpireCondition) -> bool =
                [key, seconds, condition]; keys(1, 1, 1) flags(WRITE) reply(IntBool);

            /// Sets a timeout in milliseconds, optionally with a condition. <https://redis.io/commands/pexpire>
            "PEXPIRE" pexpire(key: impl ToArgs, millis: i64, condition: Option<ExpireCondition>) -> bool =
                [key, millis, condition]; keys(1, 1, 1) flags(WRITE) reply(IntBool);

            /// Expires `key` at a unix time in seconds. <https://redis.io/commands/expireat>
            "EXPIREAT" expireat(key: impl ToArgs, unix_seconds: i64, condition: Option<ExpireCondition>) -> bool =
                [key, unix_seconds, condition]; keys(1, 1, 1) flags(WRITE) reply(IntBool);

            /// Expires `key` at a unix time in milliseconds. <https://redis.io/commands/pexpireat>
            "PEXPIREAT" pexpireat(key: impl ToArgs, unix_millis: i64, condition: Option<ExpireCondition>) -> bool =
                [key, unix_millis, condition]; keys(1, 1, 1) flags(WRITE) reply(IntBool);

            /// Unix time in seconds at which `key` expires (-1 none, -2 no key).
            /// <https://redis.io/commands/expiretime>
            "EXPIRETIME" expiretime(key: impl ToArgs) -> i64 = [key]; keys(1, 1, 1) flags(READONLY);

            /// Unix time in milliseconds at which `key` expires. <https://redis.io/commands/pexpiretime>
            "PEXPIRETIME" pexpiretime(key: impl ToArgs) -> i64 = [key]; keys(1, 1, 1) flags(READONLY);

            /// Removes the expiry of `key`; `true` if removed. <https://redis.io/commands/persist>
            "PERSIST" persist(key: impl ToArgs) -> bool = [key]; keys(1, 1, 1) flags(WRITE) reply(IntBool);

            /// Remaining time to live in seconds (-1 no expiry, -2 no key). <https://redis.io/commands/ttl>
            "TTL" ttl(key: impl ToArgs) -> i64 = [key]; keys(1, 1, 1) flags(READONLY);

            /// Remaining time to live in milliseconds. <https://redis.io/commands/pttl>
            "PTTL" pttl(key: impl ToArgs) -> i64 = [key]; keys(1, 1, 1) flags(READONLY);

            /// Keys matching `pattern` (use SCAN, e.g. `scan_iter`, in production). <https://redis.io/commands/keys>
            "KEYS" keys<T>(pattern: impl ToArgs) -> T = [pattern]; flags(READONLY) route(DefaultNode, Concat);

            /// One SCAN step: the next cursor and a page of keys. <https://redis.io/commands/scan>
            "SCAN" scan<T>(cursor: u64, options: &ScanOptions) -> (u64, T) = [cursor, options];
                flags(READONLY) route(Primaries, Scan);

            /// Copies `source` to `destination`; `true` if copied. <https://redis.io/commands/copy>
            "COPY" copy(source: impl ToArgs, destination: impl ToArgs, options: &CopyOptions) -> bool =
                [source, destination, options]; keys(1, 2, 1) flags(WRITE) reply(IntBool);

            /// Serialized value of `key` (for RESTORE). <https://redis.io/commands/dump>
            "DUMP" dump<T>(key: impl ToArgs) -> T = [key]; keys(1, 1, 1) flags(READONLY);

            /// Creates `key` from a DUMP payload; `ttl` in milliseconds (0: none).
            /// <https://redis.io/commands/restore>
            "RESTORE" restore(key: impl ToArgs, ttl: i64, value: impl ToArgs, options: &RestoreOptions) -> bool =
                [key, ttl, value, options]; keys(1, 1, 1) flags(WRITE) reply(OkBool);

            /// RESTORE sent during a cluster slot migration. <https://redis.io/commands/restore-asking>
            "RESTORE-ASKING" restore_asking(key: impl ToArgs, ttl: i64, value: impl ToArgs, options: &RestoreOptions) -> bool =
                [key, ttl, value, options]; keys(1, 1, 1) flags(WRITE) reply(OkBool);

            /// Sorts a list, set or sorted set; with `STORE`, the stored count.
            /// <https://redis.io/commands/sort>
            "SORT" sort<T>(key: impl ToArgs, options: &SortOptions) -> T = [key, options];
                keys(fixed 1 keyword "STORE" from -2 One) flags(WRITE);

            /// Read-only SORT (no `STORE`). <https://redis.io/commands/sort_ro>
            "SORT_RO" sort_ro<T>(key: impl ToArgs, options: &SortOptions) -> T = [key, options];
                keys(1, 1, 1) flags(READONLY);

            /// Waits until `numreplicas` acknowledged the writes, or `timeout_ms`; how many did.
            /// <https://redis.io/commands/wait>
            "WAIT" wait(numreplicas: i64, timeout_ms: i64) -> i64 = [numreplicas, timeout_ms]; flags() route(DefaultNode, Sum);

            /// Waits until the writes are fsynced to the AOF of this server (`num_local`, 0 or 1)
            /// and of `num_replicas` replicas, or `timeout_ms`; `[local, replicas]` that did. Not
            /// flagged `BLOCKING`, as WAIT: the shared connection's deadline allows for the
            /// timeout. Redis 7.2, Valkey 7.2. <https://redis.io/commands/waitaof>
            "WAITAOF" waitaof(num_local: i64, num_replicas: i64, timeout_ms: i64) -> Vec<i64> =
                [num_local, num_replicas, timeout_ms]; flags() route(DefaultNode);

            /// Encoding of the value at `key`. <https://redis.io/commands/object-encoding>
            "OBJECT ENCODING" object_encoding<T>(key: impl ToArgs) -> T = [key];
                keys(2, 2, 1) flags(READONLY);

            /// LFU frequency of `key`. <https://redis.io/commands/object-freq>
            "OBJECT FREQ" object_freq(key: impl ToArgs) -> i64 = [key]; keys(2, 2, 1) flags(READONLY);

            /// Seconds since `key` was last accessed. <https://redis.io/commands/object-idletime>
            "OBJECT IDLETIME" object_idletime(key: impl ToArgs) -> i64 = [key];
                keys(2, 2, 1) flags(READONLY);

            /// Reference count of the value at `key`. <https://redis.io/commands/object-refcount>
            "OBJECT REFCOUNT" object_refcount(key: impl ToArgs) -> i64 = [key];
                keys(2, 2, 1) flags(READONLY);

            /// OBJECT's help text. <https://redis.io/commands/object-help>
            "OBJECT HELP" object_help<T>() -> T = []; flags();

            /// Renames `key`. <https://redis.io/commands/rename>
            "RENAME" rename(key: impl ToArgs, new_key: impl ToArgs) -> bool = [key, new_key];
                keys(1, 2, 1) flags(WRITE) reply(OkBool);

            /// Renames `key` if `new_key` does not exist; `true` if renamed.
            /// <https://redis.io/commands/renamenx>
            "RENAMENX" renamenx(key: impl ToArgs, new_key: impl ToArgs) -> bool = [key, new_key];
                keys(1, 2, 1) flags(WRITE) reply(IntBool);

            /// Type of the value at `key` (`string`, `list`..., `none`). <https://redis.io/commands/type>
            "TYPE" type_<T>(key: impl ToArgs) -> T = [key]; keys(1, 1, 1) flags(READONLY | CACHEABLE);

            /// Touches keys (updates access time); how many exist. <https://redis.io/commands/touch>
            "TOUCH" touch(keys: impl ToArgs) -> i64 = [keys]; keys(1, -1, 1) flags(READONLY) route(split, Sum);

            /// Deletes keys, reclaiming memory in the background; the number removed.
            /// <https://redis.io/commands/unlink>
            "UNLINK" unlink(keys: impl ToArgs) -> i64 = [keys]; keys(1, -1, 1) flags(WRITE) route(split, Sum);

            /// A random key, nil when the database is empty. <https://redis.io/commands/randomkey>
            "RANDOMKEY" randomkey<T>() -> T = []; flags(READONLY) route(DefaultNode);

            /// Moves `key` to database `db`; `true` if moved. <https://redis.io/commands/move>
            "MOVE" move_(key: impl ToArgs, db: i64) -> bool = [key, db];
                keys(1, 1, 1) flags(WRITE) reply(IntBool);

            /// Moves `keys` to another server (always the `KEYS` form, as redis-py).
            /// <https://redis.io/commands/migrate>
            "MIGRATE" migrate<T>(host: impl ToArgs, port: u16, keys: impl ToArgs, destination_db: i64, timeout_ms: i64, options: &MigrateOptions) -> T =
                [host, port, "", destination_db, timeout_ms, options, "KEYS", keys];
                keys(keyword "KEYS" from -2 Rest) flags(WRITE);
        }
    };
}
