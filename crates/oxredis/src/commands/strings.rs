//! String commands. <https://redis.io/commands/?group=string>

macro_rules! string_commands {
    ($surface:ident) => { $surface! {
        /// Value of `key`, nil when it does not exist. <https://redis.io/commands/get>
        "GET" get<T>(key: impl ToArgs) -> T = [key]; keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// Sets `key` to `value`; `true` on success. <https://redis.io/commands/set>
        "SET" set(key: impl ToArgs, value: impl ToArgs) -> bool = [key, value];
            keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// SET with options (expiry, NX/XX, KEEPTTL, GET). Returns `true`/nil, or the old value
        /// with [`SetOptions::get`]. <https://redis.io/commands/set>
        "SET" set_options<T>(key: impl ToArgs, value: impl ToArgs, options: &SetOptions) -> T =
            [key, value, options]; keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// Values of several keys, nil for missing ones. <https://redis.io/commands/mget>
        "MGET" mget<T>(keys: impl ToArgs) -> T = [keys]; keys(1, -1, 1) flags(READONLY | CACHEABLE);

        /// Sets several keys from `(key, value)` pairs. <https://redis.io/commands/mset>
        "MSET" mset(items: impl ToArgs) -> bool = [items]; keys(1, -1, 2) flags(WRITE) reply(OkBool);

        /// Sets several keys only if none exists; `true` if set. <https://redis.io/commands/msetnx>
        "MSETNX" msetnx(items: impl ToArgs) -> bool = [items];
            keys(1, -1, 2) flags(WRITE) reply(IntBool);

        /// Sets several keys from `(key, value)` pairs with an expiry, or only if none/all exist
        /// (`NX`/`XX`); `true` if they were set. Redis 8.4, Valkey 9.1.
        /// <https://redis.io/commands/msetex>
        "MSETEX" msetex(items: &[impl ToArgs], options: &MSetExOptions) -> bool =
            [Counted(items), options]; keys(numkeys 1 pairs) flags(WRITE) reply(IntBool);

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

        /// Increments the number at `key` by a float; the new value. <https://redis.io/commands/incrbyfloat>
        "INCRBYFLOAT" incrbyfloat(key: impl ToArgs, amount: f64) -> f64 = [key, amount];
            keys(1, 1, 1) flags(WRITE) reply(Double);

        /// Appends `value`; the new length. <https://redis.io/commands/append>
        "APPEND" append(key: impl ToArgs, value: impl ToArgs) -> i64 = [key, value];
            keys(1, 1, 1) flags(WRITE);

        /// Gets and deletes `key`. <https://redis.io/commands/getdel>
        "GETDEL" getdel<T>(key: impl ToArgs) -> T = [key]; keys(1, 1, 1) flags(WRITE);

        /// Gets `key` and changes its expiry. <https://redis.io/commands/getex>
        "GETEX" getex<T>(key: impl ToArgs, options: &GetExOptions) -> T = [key, options];
            keys(1, 1, 1) flags(WRITE);

        /// Sets `key` and returns its old value. <https://redis.io/commands/getset>
        "GETSET" getset<T>(key: impl ToArgs, value: impl ToArgs) -> T = [key, value];
            keys(1, 1, 1) flags(WRITE);

        /// Bytes `start..=end` of the value. <https://redis.io/commands/getrange>
        "GETRANGE" getrange<T>(key: impl ToArgs, start: i64, end: i64) -> T = [key, start, end];
            keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// Old name of GETRANGE. <https://redis.io/commands/substr>
        "SUBSTR" substr<T>(key: impl ToArgs, start: i64, end: i64) -> T = [key, start, end];
            keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// Overwrites part of the value at `offset`; the new length. <https://redis.io/commands/setrange>
        "SETRANGE" setrange(key: impl ToArgs, offset: u64, value: impl ToArgs) -> i64 =
            [key, offset, value]; keys(1, 1, 1) flags(WRITE);

        /// Length of the value. <https://redis.io/commands/strlen>
        "STRLEN" strlen(key: impl ToArgs) -> i64 = [key]; keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// Sets `key` with a time to live in seconds. <https://redis.io/commands/setex>
        "SETEX" setex(key: impl ToArgs, seconds: i64, value: impl ToArgs) -> bool =
            [key, seconds, value]; keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// Sets `key` with a time to live in milliseconds. <https://redis.io/commands/psetex>
        "PSETEX" psetex(key: impl ToArgs, millis: i64, value: impl ToArgs) -> bool =
            [key, millis, value]; keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// Sets `key` only if it does not exist; `true` if set. <https://redis.io/commands/setnx>
        "SETNX" setnx(key: impl ToArgs, value: impl ToArgs) -> bool = [key, value];
            keys(1, 1, 1) flags(WRITE) reply(IntBool);

        /// Longest common subsequence of two strings: the string, its length (`LEN`) or the
        /// matches (`IDX`, a map). <https://redis.io/commands/lcs>
        "LCS" lcs<T>(key1: impl ToArgs, key2: impl ToArgs, options: &LcsOptions) -> T =
            [key1, key2, options]; keys(1, 2, 1) flags(READONLY | CACHEABLE) reply(Deep(ANY_MAP));
    } };
}
