//! HyperLogLog commands. <https://redis.io/commands/?group=hyperloglog>

macro_rules! hyperloglog_commands {
    ($surface:ident) => { $surface! {
        /// Adds elements; 1 if the estimate changed. <https://redis.io/commands/pfadd>
        "PFADD" pfadd(key: impl ToArgs, elements: impl ToArgs) -> i64 = [key, elements];
            keys(1, 1, 1) flags(WRITE);

        /// Estimated cardinality of the union of `keys`. <https://redis.io/commands/pfcount>
        "PFCOUNT" pfcount(keys: impl ToArgs) -> i64 = [keys]; keys(1, -1, 1) flags(READONLY);

        /// Merges `sources` into `destination`. <https://redis.io/commands/pfmerge>
        "PFMERGE" pfmerge(destination: impl ToArgs, sources: impl ToArgs) -> bool =
            [destination, sources]; keys(1, -1, 1) flags(WRITE) reply(OkBool);

        /// Internal HyperLogLog debugging (`GETREG`, `ENCODING`, `TODENSE`...).
        /// <https://redis.io/commands/pfdebug>
        "PFDEBUG" pfdebug<T>(subcommand: impl ToArgs, key: impl ToArgs) -> T = [subcommand, key];
            keys(2, 2, 1) flags(WRITE);

        /// Runs the HyperLogLog self test. <https://redis.io/commands/pfselftest>
        "PFSELFTEST" pfselftest() -> bool = []; flags() reply(OkBool);
    } };
}
