//! Generic key commands. <https://redis.io/commands/?group=generic>

macro_rules! key_commands {
    ($surface:ident) => {
        $surface! {
            /// Deletes keys; the number removed. <https://redis.io/commands/del>
            "DEL" delete(keys: impl ToArgs) -> i64 = [keys]; keys(1, -1, 1) flags(WRITE);

            /// How many of `keys` exist (a key named twice counts twice). <https://redis.io/commands/exists>
            "EXISTS" exists(keys: impl ToArgs) -> i64 = [keys]; keys(1, -1, 1) flags(READONLY);

            /// Sets a timeout of `seconds` on `key`; `true` if set. <https://redis.io/commands/expire>
            "EXPIRE" expire(key: impl ToArgs, seconds: i64) -> bool = [key, seconds];
                keys(1, 1, 1) flags(WRITE) reply(IntBool);

            /// Remaining time to live in seconds (-1 no expiry, -2 no key). <https://redis.io/commands/ttl>
            "TTL" ttl(key: impl ToArgs) -> i64 = [key]; keys(1, 1, 1) flags(READONLY);

            /// Remaining time to live in milliseconds. <https://redis.io/commands/pttl>
            "PTTL" pttl(key: impl ToArgs) -> i64 = [key]; keys(1, 1, 1) flags(READONLY);

            /// Keys matching `pattern` (use [`scan`](Self::scan) in production). <https://redis.io/commands/keys>
            "KEYS" keys<T>(pattern: impl ToArgs) -> T = [pattern]; flags(READONLY);

            /// One SCAN step: the next cursor and a page of keys. <https://redis.io/commands/scan>
            "SCAN" scan<T>(cursor: u64, options: &ScanOptions) -> (u64, T) = [cursor, options];
                flags(READONLY);
        }
    };
}
