//! String commands. <https://redis.io/commands/?group=string>

macro_rules! string_commands {
    ($surface:ident) => { $surface! {
        /// Value of `key`, nil when it does not exist. <https://redis.io/commands/get>
        "GET" get<T>(key: impl ToArgs) -> T = [key]; keys(1, 1, 1) flags(READONLY);

        /// Sets `key` to `value`; `true` on success. <https://redis.io/commands/set>
        "SET" set(key: impl ToArgs, value: impl ToArgs) -> bool = [key, value];
            keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// SET with options (expiry, NX/XX, KEEPTTL, GET). Returns `true`/nil, or the old value
        /// with [`SetOptions::get`]. <https://redis.io/commands/set>
        "SET" set_options<T>(key: impl ToArgs, value: impl ToArgs, options: &SetOptions) -> T =
            [key, value, options]; keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// Values of several keys, nil for missing ones. <https://redis.io/commands/mget>
        "MGET" mget<T>(keys: impl ToArgs) -> T = [keys]; keys(1, -1, 1) flags(READONLY);

        /// Sets several keys from `(key, value)` pairs. <https://redis.io/commands/mset>
        "MSET" mset(items: impl ToArgs) -> bool = [items]; keys(1, -1, 2) flags(WRITE) reply(OkBool);

        /// Sets several keys only if none exists; `true` if set. <https://redis.io/commands/msetnx>
        "MSETNX" msetnx(items: impl ToArgs) -> bool = [items];
            keys(1, -1, 2) flags(WRITE) reply(IntBool);

        /// Increments the integer at `key` by one. <https://redis.io/commands/incr>
        "INCR" incr(key: impl ToArgs) -> i64 = [key]; keys(1, 1, 1) flags(WRITE);

        /// Increments the integer at `key` by `amount`. <https://redis.io/commands/incrby>
        "INCRBY" incrby(key: impl ToArgs, amount: i64) -> i64 = [key, amount];
            keys(1, 1, 1) flags(WRITE);

        /// Decrements the integer at `key` by one. <https://redis.io/commands/decr>
        "DECR" decr(key: impl ToArgs) -> i64 = [key]; keys(1, 1, 1) flags(WRITE);

        /// Decrements the integer at `key` by `amount`. <https://redis.io/commands/decrby>
        "DECRBY" decrby(key: impl ToArgs, amount: i64) -> i64 = [key, amount];
            keys(1, 1, 1) flags(WRITE);
    } };
}
