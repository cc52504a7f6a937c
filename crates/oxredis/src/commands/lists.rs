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

            /// Prepends only if the list exists. <https://redis.io/commands/lpushx>
            "LPUSHX" lpushx(key: impl ToArgs, values: impl ToArgs) -> i64 = [key, values];
                keys(1, 1, 1) flags(WRITE);

            /// Appends only if the list exists. <https://redis.io/commands/rpushx>
            "RPUSHX" rpushx(key: impl ToArgs, values: impl ToArgs) -> i64 = [key, values];
                keys(1, 1, 1) flags(WRITE);

            /// Elements `start..=stop` (negative from the end). <https://redis.io/commands/lrange>
            "LRANGE" lrange<T>(key: impl ToArgs, start: i64, stop: i64) -> T = [key, start, stop];
                keys(1, 1, 1) flags(READONLY | CACHEABLE);

            /// Pops the first element of the first non-empty list, waiting up to `timeout` seconds
            /// (0 = forever); nil on timeout. <https://redis.io/commands/blpop>
            "BLPOP" blpop<T>(keys: impl ToArgs, timeout: f64) -> T = [keys, timeout];
                keys(1, -2, 1) flags(WRITE | BLOCKING);

            /// BLPOP from the tail. <https://redis.io/commands/brpop>
            "BRPOP" brpop<T>(keys: impl ToArgs, timeout: f64) -> T = [keys, timeout];
                keys(1, -2, 1) flags(WRITE | BLOCKING);

            /// Pops from the head; `count` elements as a list when given.
            /// <https://redis.io/commands/lpop>
            "LPOP" lpop<T>(key: impl ToArgs, count: Option<u64>) -> T = [key, count];
                keys(1, 1, 1) flags(WRITE);

            /// Pops from the tail. <https://redis.io/commands/rpop>
            "RPOP" rpop<T>(key: impl ToArgs, count: Option<u64>) -> T = [key, count];
                keys(1, 1, 1) flags(WRITE);

            /// Length of the list. <https://redis.io/commands/llen>
            "LLEN" llen(key: impl ToArgs) -> i64 = [key]; keys(1, 1, 1) flags(READONLY | CACHEABLE);

            /// Element at `index`. <https://redis.io/commands/lindex>
            "LINDEX" lindex<T>(key: impl ToArgs, index: i64) -> T = [key, index];
                keys(1, 1, 1) flags(READONLY | CACHEABLE);

            /// Inserts `value` before or after `pivot`; the new length (-1: no pivot).
            /// <https://redis.io/commands/linsert>
            "LINSERT" linsert(key: impl ToArgs, position: InsertPosition, pivot: impl ToArgs, value: impl ToArgs) -> i64 =
                [key, position, pivot, value]; keys(1, 1, 1) flags(WRITE);

            /// Removes `count` occurrences of `value` (0: all, negative: from the tail).
            /// <https://redis.io/commands/lrem>
            "LREM" lrem(key: impl ToArgs, count: i64, value: impl ToArgs) -> i64 =
                [key, count, value]; keys(1, 1, 1) flags(WRITE);

            /// Sets the element at `index`. <https://redis.io/commands/lset>
            "LSET" lset(key: impl ToArgs, index: i64, value: impl ToArgs) -> bool =
                [key, index, value]; keys(1, 1, 1) flags(WRITE) reply(OkBool);

            /// Keeps only `start..=stop`. <https://redis.io/commands/ltrim>
            "LTRIM" ltrim(key: impl ToArgs, start: i64, stop: i64) -> bool = [key, start, stop];
                keys(1, 1, 1) flags(WRITE) reply(OkBool);

            /// Position(s) of `element`: an index or nil, or a list with
            /// [`LposOptions::count`]. <https://redis.io/commands/lpos>
            "LPOS" lpos<T>(key: impl ToArgs, element: impl ToArgs, options: &LposOptions) -> T =
                [key, element, options]; keys(1, 1, 1) flags(READONLY | CACHEABLE);

            /// Moves an element between lists; the element. <https://redis.io/commands/lmove>
            "LMOVE" lmove<T>(source: impl ToArgs, destination: impl ToArgs, from: Direction, to: Direction) -> T =
                [source, destination, from, to]; keys(1, 2, 1) flags(WRITE);

            /// Blocking LMOVE. <https://redis.io/commands/blmove>
            "BLMOVE" blmove<T>(source: impl ToArgs, destination: impl ToArgs, from: Direction, to: Direction, timeout: f64) -> T =
                [source, destination, from, to, timeout]; keys(1, 2, 1) flags(WRITE | BLOCKING);

            /// Pops from the tail of `source`, pushes to the head of `destination`.
            /// <https://redis.io/commands/rpoplpush>
            "RPOPLPUSH" rpoplpush<T>(source: impl ToArgs, destination: impl ToArgs) -> T =
                [source, destination]; keys(1, 2, 1) flags(WRITE);

            /// Blocking RPOPLPUSH. <https://redis.io/commands/brpoplpush>
            "BRPOPLPUSH" brpoplpush<T>(source: impl ToArgs, destination: impl ToArgs, timeout: f64) -> T =
                [source, destination, timeout]; keys(1, 2, 1) flags(WRITE | BLOCKING);

            /// Pops up to `count` elements from the first non-empty list: `[key, [elements]]` or nil.
            /// <https://redis.io/commands/lmpop>
            "LMPOP" lmpop<T>(keys: &[impl ToArgs], direction: Direction, count: Option<Count>) -> T =
                [Counted(keys), direction, count]; keys(numkeys 1) flags(WRITE);

            /// Blocking LMPOP. <https://redis.io/commands/blmpop>
            "BLMPOP" blmpop<T>(timeout: f64, keys: &[impl ToArgs], direction: Direction, count: Option<Count>) -> T =
                [timeout, Counted(keys), direction, count]; keys(numkeys 2) flags(WRITE | BLOCKING);
        }
    };
}
