//! List commands. <https://redis.io/commands/?group=list>

macro_rules! list_commands {
    ($surface:ident) => {
        $surface! {
            /// Prepends `values`; the new length. <https://redis.io/commands/lpush>
            "LPUSH" lpush(key: impl ToArgs, values: impl ToArgs) -> i64 = [key, values];
                keys(1, 1, 1) flags(WRITE);

            /// Appends `values`; the new length. <https://redis.io/commands/rpush>
            "RPUSH" rpush(key: impl ToArgs, values: impl ToArgs) -> i64 = [key, values];
                keys(1, 1, 1) flags(WRITE);

            /// Elements `start..=stop` (negative from the end). <https://redis.io/commands/lrange>
            "LRANGE" lrange<T>(key: impl ToArgs, start: i64, stop: i64) -> T = [key, start, stop];
                keys(1, 1, 1) flags(READONLY);

            /// Pops the first element of the first non-empty list, waiting up to `timeout` seconds
            /// (0 = forever); nil on timeout. <https://redis.io/commands/blpop>
            "BLPOP" blpop<T>(keys: impl ToArgs, timeout: f64) -> T = [keys, timeout];
                keys(1, -2, 1) flags(WRITE | BLOCKING);
        }
    };
}
