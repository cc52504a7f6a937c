//! Connection and server commands. <https://redis.io/commands/?group=server>

macro_rules! server_commands {
    ($surface:ident) => {
        $surface! {
            /// Pings the server; `true` on `PONG`. <https://redis.io/commands/ping>
            "PING" ping() -> bool = []; flags(ADMIN);

            /// Echoes `message` back. <https://redis.io/commands/echo>
            "ECHO" echo<T>(message: impl ToArgs) -> T = [message]; flags(ADMIN);

            /// Server information, parsed into a map as redis-py does; `section` may be empty.
            /// <https://redis.io/commands/info>
            "INFO" info<T>(section: impl ToArgs) -> T = [section]; flags(ADMIN) reply(Info);

            /// Deletes every key of the current database. <https://redis.io/commands/flushdb>
            "FLUSHDB" flushdb() -> bool = []; flags(WRITE) reply(OkBool);

            /// Number of keys in the current database. <https://redis.io/commands/dbsize>
            "DBSIZE" dbsize() -> i64 = []; flags(READONLY);
        }
    };
}
