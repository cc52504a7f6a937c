//! RedisJSON 2.8 commands (`r.json()`). <https://redis.io/docs/latest/commands/?group=json>
//!
//! Values go in as any `Serialize` type and JSON text comes back as any `DeserializeOwned` type
//! (see [`modules::json`](crate::modules::json)). With a JSONPath (`$...`) most replies hold one
//! item per match (`Vec<Option<i64>>`...); with a legacy path (`.a`) one value.

macro_rules! json_commands {
    ($surface:ident $($pre:tt)*) => { $surface! { $($pre)*
        /// Sets the JSON value at `path` (`$` or `.` for the root); `true` when set.
        /// <https://redis.io/commands/json.set>
        "JSON.SET" set(key: impl ToArgs, path: impl ToArgs, value: &(impl Serialize + ?Sized)) -> bool =
            [key, path, JsonArg(value)]; keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// JSON.SET with `NX`/`XX`: `true` when set, `None` when the condition failed.
        /// <https://redis.io/commands/json.set>
        "JSON.SET" set_options(key: impl ToArgs, path: impl ToArgs, value: &(impl Serialize + ?Sized), options: &JsonSetOptions) -> Option<bool> =
            [key, path, JsonArg(value), options]; keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// The value at `paths` (one path, or several as a slice: then a map of path to
        /// matches), decoded into `T`; `None` when the key does not exist.
        /// <https://redis.io/commands/json.get>
        "JSON.GET" get<T: DeserializeOwned>(key: impl ToArgs, paths: impl ToArgs) -> Option<T> =
            [key, paths]; keys(1, 1, 1) flags(READONLY) via(Option<Json<T>>);

        /// JSON.GET with `INDENT`/`NEWLINE`/`SPACE`: the formatted text.
        /// <https://redis.io/commands/json.get>
        "JSON.GET" get_formatted(key: impl ToArgs, options: &JsonGetOptions, paths: impl ToArgs) -> Option<String> =
            [key, options, paths]; keys(1, 1, 1) flags(READONLY);

        /// The value at `path` in each key, `None` for missing keys (redis-py `mget`).
        /// <https://redis.io/commands/json.mget>
        "JSON.MGET" mget<T: DeserializeOwned>(keys: &[impl ToArgs], path: impl ToArgs) -> Vec<Option<T>> =
            [keys, path]; keys(1, -2, 1) flags(READONLY) via(Vec<Option<Json<T>>>);

        /// Sets several `(key, path, value)` triplets atomically. <https://redis.io/commands/json.mset>
        "JSON.MSET" mset(triplets: &[(impl ToArgs, impl ToArgs, impl Serialize)]) -> bool =
            [JsonTriplets(triplets)]; keys(1, -1, 3) flags(WRITE) reply(OkBool);

        /// Merges `value` into the value at `path` (RFC 7396). <https://redis.io/commands/json.merge>
        "JSON.MERGE" merge(key: impl ToArgs, path: impl ToArgs, value: &(impl Serialize + ?Sized)) -> bool =
            [key, path, JsonArg(value)]; keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// Deletes the value at `path`; the number of paths deleted. <https://redis.io/commands/json.del>
        "JSON.DEL" delete(key: impl ToArgs, path: impl ToArgs) -> i64 = [key, path];
            keys(1, 1, 1) flags(WRITE);

        /// Alias of JSON.DEL. <https://redis.io/commands/json.forget>
        "JSON.FORGET" forget(key: impl ToArgs, path: impl ToArgs) -> i64 = [key, path];
            keys(1, 1, 1) flags(WRITE);

        /// The JSON type names at `path` (`object`, `array`, `string`, `integer`...).
        /// <https://redis.io/commands/json.type>
        "JSON.TYPE" type_<T: FromValue>(key: impl ToArgs, path: &str) -> T = [key, JsonPath(path)];
            keys(1, 1, 1) flags(READONLY);

        /// Clears containers and zeroes numbers at `path`; how many. <https://redis.io/commands/json.clear>
        "JSON.CLEAR" clear(key: impl ToArgs, path: impl ToArgs) -> i64 = [key, path];
            keys(1, 1, 1) flags(WRITE);

        /// Toggles the booleans at `path`; their new values (1/0, nil for non-booleans).
        /// <https://redis.io/commands/json.toggle>
        "JSON.TOGGLE" toggle<T: FromValue>(key: impl ToArgs, path: impl ToArgs) -> T = [key, path];
            keys(1, 1, 1) flags(WRITE);

        /// Adds `number` to the numbers at `path`; the new values as JSON (`Vec<Option<f64>>`
        /// for `$` paths). <https://redis.io/commands/json.numincrby>
        "JSON.NUMINCRBY" numincrby<T: DeserializeOwned>(key: impl ToArgs, path: &str, number: f64) -> T =
            [key, JsonPath(path), number]; keys(1, 1, 1) flags(WRITE) via(Json<T>);

        /// Multiplies the numbers at `path` by `number`; the new values as JSON.
        /// <https://redis.io/commands/json.nummultby>
        "JSON.NUMMULTBY" nummultby<T: DeserializeOwned>(key: impl ToArgs, path: &str, number: f64) -> T =
            [key, JsonPath(path), number]; keys(1, 1, 1) flags(WRITE) via(Json<T>);

        /// Appends `value` (serialised to a JSON string) to the strings at `path`; the new lengths.
        /// <https://redis.io/commands/json.strappend>
        "JSON.STRAPPEND" strappend<T: FromValue>(key: impl ToArgs, path: impl ToArgs, value: &str) -> T =
            [key, path, JsonArg(value)]; keys(1, 1, 1) flags(WRITE);

        /// Lengths of the strings at `path`. <https://redis.io/commands/json.strlen>
        "JSON.STRLEN" strlen<T: FromValue>(key: impl ToArgs, path: impl ToArgs) -> T = [key, path];
            keys(1, 1, 1) flags(READONLY);

        /// Appends `values` to the arrays at `path`; the new lengths. <https://redis.io/commands/json.arrappend>
        "JSON.ARRAPPEND" arrappend<T: FromValue>(key: impl ToArgs, path: impl ToArgs, values: &[impl Serialize]) -> T =
            [key, path, JsonArgs(values)]; keys(1, 1, 1) flags(WRITE);

        /// First index of `value` in the arrays at `path` within `start..stop` (0, 0: all), -1
        /// when absent. <https://redis.io/commands/json.arrindex>
        "JSON.ARRINDEX" arrindex<T: FromValue>(key: impl ToArgs, path: impl ToArgs, value: &(impl Serialize + ?Sized), start: i64, stop: i64) -> T =
            [key, path, JsonArg(value), start, stop]; keys(1, 1, 1) flags(READONLY);

        /// Inserts `values` before `index` in the arrays at `path`; the new lengths.
        /// <https://redis.io/commands/json.arrinsert>
        "JSON.ARRINSERT" arrinsert<T: FromValue>(key: impl ToArgs, path: impl ToArgs, index: i64, values: &[impl Serialize]) -> T =
            [key, path, index, JsonArgs(values)]; keys(1, 1, 1) flags(WRITE);

        /// Lengths of the arrays at `path`. <https://redis.io/commands/json.arrlen>
        "JSON.ARRLEN" arrlen<T: FromValue>(key: impl ToArgs, path: impl ToArgs) -> T = [key, path];
            keys(1, 1, 1) flags(READONLY);

        /// Removes and returns the element at `index` (-1: the last) of the arrays at `path`,
        /// decoded into `T` (`Vec<Option<X>>` for `$` paths). <https://redis.io/commands/json.arrpop>
        "JSON.ARRPOP" arrpop<T: DeserializeOwned>(key: impl ToArgs, path: impl ToArgs, index: i64) -> T =
            [key, path, index]; keys(1, 1, 1) flags(WRITE) via(Json<T>);

        /// Trims the arrays at `path` to `start..=stop`; the new lengths.
        /// <https://redis.io/commands/json.arrtrim>
        "JSON.ARRTRIM" arrtrim<T: FromValue>(key: impl ToArgs, path: impl ToArgs, start: i64, stop: i64) -> T =
            [key, path, start, stop]; keys(1, 1, 1) flags(WRITE);

        /// Keys of the objects at `path`. <https://redis.io/commands/json.objkeys>
        "JSON.OBJKEYS" objkeys<T: FromValue>(key: impl ToArgs, path: impl ToArgs) -> T = [key, path];
            keys(1, 1, 1) flags(READONLY);

        /// Number of keys of the objects at `path`. <https://redis.io/commands/json.objlen>
        "JSON.OBJLEN" objlen<T: FromValue>(key: impl ToArgs, path: impl ToArgs) -> T = [key, path];
            keys(1, 1, 1) flags(READONLY);

        /// The value at `path` in RESP form (objects as `["{", k, v...]`, arrays as `["[", ...]`).
        /// <https://redis.io/commands/json.resp>
        "JSON.RESP" resp<T: FromValue>(key: impl ToArgs, path: impl ToArgs) -> T = [key, path];
            keys(1, 1, 1) flags(READONLY);

        /// Memory used by the values at `path`, in bytes (`JSON.DEBUG MEMORY`).
        /// <https://redis.io/commands/json.debug-memory>
        "JSON.DEBUG MEMORY" debug_memory<T: FromValue>(key: impl ToArgs, path: impl ToArgs) -> T = [key, path];
            keys(2, 2, 1) flags(READONLY);

        /// The help text of JSON.DEBUG, one line per item (`JSON.DEBUG HELP`).
        /// <https://redis.io/commands/json.debug-help>
        "JSON.DEBUG HELP" debug_help<T: FromValue>() -> Vec<T> = []; flags(READONLY);
    } };
}
