//! Set commands. <https://redis.io/commands/?group=set>

macro_rules! set_commands {
    ($surface:ident) => { $surface! {
        /// Adds `members`; the number added. <https://redis.io/commands/sadd>
        "SADD" sadd(key: impl ToArgs, members: impl ToArgs) -> i64 = [key, members];
            keys(1, 1, 1) flags(WRITE);

        /// Every member of the set at `key`. <https://redis.io/commands/smembers>
        "SMEMBERS" smembers<T>(key: impl ToArgs) -> T = [key]; keys(1, 1, 1) flags(READONLY) reply(Set);
    } };
}
