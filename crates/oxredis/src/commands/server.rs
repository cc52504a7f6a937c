//! Server commands. <https://redis.io/commands/?group=server>

macro_rules! server_commands {
    ($surface:ident) => {
        $surface! {
            /// Pings the server; `true` on `PONG`. <https://redis.io/commands/ping>
            "PING" ping() -> bool = []; flags(ADMIN) route(DefaultNode, AllOk);

            /// Echoes `message` back. <https://redis.io/commands/echo>
            "ECHO" echo<T>(message: impl ToArgs) -> T = [message]; flags(ADMIN);

            /// Server information, parsed into a map as redis-py does; `section` may be empty.
            /// <https://redis.io/commands/info>
            "INFO" info<T>(section: impl ToArgs) -> T = [section]; flags(ADMIN) reply(Info) route(DefaultNode);

            /// Deletes every key of the current database. <https://redis.io/commands/flushdb>
            "FLUSHDB" flushdb() -> bool = []; flags(WRITE) reply(OkBool) route(Primaries, AllOk);

            /// FLUSHDB, synchronously or in the background. <https://redis.io/commands/flushdb>
            "FLUSHDB" flushdb_mode(mode: FlushMode) -> bool = [mode]; flags(WRITE) reply(OkBool) route(Primaries, AllOk);

            /// Deletes every key of every database. <https://redis.io/commands/flushall>
            "FLUSHALL" flushall(mode: Option<FlushMode>) -> bool = [mode]; flags(WRITE) reply(OkBool) route(Primaries, AllOk);

            /// Number of keys in the current database. <https://redis.io/commands/dbsize>
            "DBSIZE" dbsize() -> i64 = []; flags(READONLY) route(DefaultNode, Sum);

            /// Configuration parameters matching `patterns`, as a map. <https://redis.io/commands/config-get>
            "CONFIG GET" config_get<T>(patterns: impl ToArgs) -> T = [patterns];
                flags(ADMIN) reply(Pairs) route(DefaultNode);

            /// Sets configuration parameters from `(name, value)` pairs. <https://redis.io/commands/config-set>
            "CONFIG SET" config_set(items: impl ToArgs) -> bool = [items]; flags(ADMIN) reply(OkBool) route(DefaultNode, AllOk);

            /// Resets INFO statistics. <https://redis.io/commands/config-resetstat>
            "CONFIG RESETSTAT" config_resetstat() -> bool = []; flags(ADMIN) reply(OkBool) route(DefaultNode, AllOk);

            /// Rewrites the config file. <https://redis.io/commands/config-rewrite>
            "CONFIG REWRITE" config_rewrite() -> bool = []; flags(ADMIN) reply(OkBool) route(DefaultNode, AllOk);

            /// CONFIG's help text. <https://redis.io/commands/config-help>
            "CONFIG HELP" config_help<T>() -> T = []; flags(ADMIN);

            /// Unix time of the last successful save. <https://redis.io/commands/lastsave>
            "LASTSAVE" lastsave() -> i64 = []; flags(ADMIN) route(DefaultNode);

            /// Synchronous save. <https://redis.io/commands/save>
            "SAVE" save() -> bool = []; flags(ADMIN) reply(OkBool) route(DefaultNode, AllOk);

            /// Background save (`schedule`: after a running rewrite). <https://redis.io/commands/bgsave>
            "BGSAVE" bgsave<T>(schedule: bool) -> T = [Flag("SCHEDULE", schedule)]; flags(ADMIN) route(DefaultNode, AllOk);

            /// Background AOF rewrite. <https://redis.io/commands/bgrewriteaof>
            "BGREWRITEAOF" bgrewriteaof<T>() -> T = []; flags(ADMIN);

            /// Stops the server (the connection then drops). <https://redis.io/commands/shutdown>
            "SHUTDOWN" shutdown<T>(options: &ShutdownOptions) -> T = [options]; flags(ADMIN) route(DefaultNode);

            /// Server time: `(seconds, microseconds)`. <https://redis.io/commands/time>
            "TIME" time() -> (u64, u64) = []; flags(ADMIN) route(DefaultNode);

            /// Swaps two databases. <https://redis.io/commands/swapdb>
            "SWAPDB" swapdb(first: i64, second: i64) -> bool = [first, second];
                flags(WRITE) reply(OkBool);

            /// The node's replication role. <https://redis.io/commands/role>
            "ROLE" role<T>() -> T = []; flags(ADMIN);

            /// Replicates `host:port`, or stops replicating with `("NO", "ONE")`.
            /// <https://redis.io/commands/replicaof>
            "REPLICAOF" replicaof<T>(host: impl ToArgs, port: impl ToArgs) -> T = [host, port];
                flags(ADMIN);

            /// Old name of REPLICAOF. <https://redis.io/commands/slaveof>
            "SLAVEOF" slaveof<T>(host: impl ToArgs, port: impl ToArgs) -> T = [host, port];
                flags(ADMIN);

            /// Coordinated failover to a replica. <https://redis.io/commands/failover>
            "FAILOVER" failover<T>(options: &FailoverOptions) -> T = [options]; flags(ADMIN);

            /// Redis art (and the version). <https://redis.io/commands/lolwut>
            "LOLWUT" lolwut<T>(version: Option<LolwutVersion>) -> T = [version]; flags(READONLY);

            /// Debugging information about `key`. <https://redis.io/commands/debug>
            "DEBUG OBJECT" debug_object<T>(key: impl ToArgs) -> T = [key]; flags(ADMIN) route(DefaultNode);

            /// Makes the server sleep `seconds` (testing). <https://redis.io/commands/debug>
            "DEBUG SLEEP" debug_sleep(seconds: f64) -> bool = [seconds]; flags(ADMIN) reply(OkBool) route(DefaultNode);

            /// Recent slow commands, one [`SlowLogEntry`](crate::types::SlowLogEntry) each.
            /// <https://redis.io/commands/slowlog-get>
            "SLOWLOG GET" slowlog_get<T>(count: Option<i64>) -> T = [count]; flags(ADMIN) route(DefaultNode);

            /// Length of the slow log. <https://redis.io/commands/slowlog-len>
            "SLOWLOG LEN" slowlog_len() -> i64 = []; flags(ADMIN) route(DefaultNode);

            /// Empties the slow log. <https://redis.io/commands/slowlog-reset>
            "SLOWLOG RESET" slowlog_reset() -> bool = []; flags(ADMIN) reply(OkBool) route(DefaultNode, AllOk);

            /// SLOWLOG's help text. <https://redis.io/commands/slowlog-help>
            "SLOWLOG HELP" slowlog_help<T>() -> T = []; flags(ADMIN);

            /// Memory advice text. <https://redis.io/commands/memory-doctor>
            "MEMORY DOCTOR" memory_doctor<T>() -> T = []; flags(ADMIN);

            /// Allocator statistics text. <https://redis.io/commands/memory-malloc-stats>
            "MEMORY MALLOC-STATS" memory_malloc_stats<T>() -> T = []; flags(ADMIN) route(DefaultNode);

            /// Asks the allocator to release memory. <https://redis.io/commands/memory-purge>
            "MEMORY PURGE" memory_purge() -> bool = []; flags(ADMIN) reply(OkBool) route(DefaultNode, AllOk);

            /// Memory statistics as a map (numbers parsed, `db.N` nested).
            /// <https://redis.io/commands/memory-stats>
            "MEMORY STATS" memory_stats<T>() -> T = []; flags(ADMIN) reply(Deep(MEMORY_STATS)) route(DefaultNode);

            /// Bytes used by `key` and its value, nil if missing. <https://redis.io/commands/memory-usage>
            "MEMORY USAGE" memory_usage(key: impl ToArgs, samples: Option<Samples>) -> Option<i64> =
                [key, samples]; keys(2, 2, 1) flags(READONLY);

            /// MEMORY's help text. <https://redis.io/commands/memory-help>
            "MEMORY HELP" memory_help<T>() -> T = []; flags(ADMIN);

            /// Latency advice text. <https://redis.io/commands/latency-doctor>
            "LATENCY DOCTOR" latency_doctor<T>() -> T = []; flags(ADMIN);

            /// ASCII graph of an event's latency. <https://redis.io/commands/latency-graph>
            "LATENCY GRAPH" latency_graph<T>(event: impl ToArgs) -> T = [event]; flags(ADMIN);

            /// Per-command latency histograms as nested maps. <https://redis.io/commands/latency-histogram>
            "LATENCY HISTOGRAM" latency_histogram<T>(commands: impl ToArgs) -> T = [commands];
                flags(ADMIN) reply(Deep(LATENCY_HISTOGRAM));

            /// `(timestamp, latency)` samples of an event. <https://redis.io/commands/latency-history>
            "LATENCY HISTORY" latency_history<T>(event: impl ToArgs) -> T = [event]; flags(ADMIN) route(DefaultNode);

            /// Latest latency spike of each event. <https://redis.io/commands/latency-latest>
            "LATENCY LATEST" latency_latest<T>() -> T = []; flags(ADMIN) route(DefaultNode);

            /// Resets latency data of `events` (all when empty); how many. <https://redis.io/commands/latency-reset>
            "LATENCY RESET" latency_reset(events: impl ToArgs) -> i64 = [events]; flags(ADMIN) route(DefaultNode);

            /// LATENCY's help text. <https://redis.io/commands/latency-help>
            "LATENCY HELP" latency_help<T>() -> T = []; flags(ADMIN);

            /// Every command's details, as COMMAND INFO gives them.
            /// <https://redis.io/commands/command>
            "COMMAND" command<T>() -> T = []; flags(ADMIN) reply(CommandInfo) route(DefaultNode);

            /// Number of commands. <https://redis.io/commands/command-count>
            "COMMAND COUNT" command_count() -> i64 = []; flags(ADMIN) route(DefaultNode);

            /// Details of commands (all when empty): arrays with key specs as maps.
            /// <https://redis.io/commands/command-info>
            "COMMAND INFO" command_info<T>(names: impl ToArgs) -> T = [names]; flags(ADMIN) reply(CommandInfo);

            /// Documentation of commands as nested maps. <https://redis.io/commands/command-docs>
            "COMMAND DOCS" command_docs<T>(names: impl ToArgs) -> T = [names];
                flags(ADMIN) reply(Deep(COMMAND_DOCS));

            /// Keys of a full command line. <https://redis.io/commands/command-getkeys>
            "COMMAND GETKEYS" command_getkeys<T>(command: impl ToArgs) -> T = [command]; flags(ADMIN) route(DefaultNode);

            /// Keys of a full command line with their flags. <https://redis.io/commands/command-getkeysandflags>
            "COMMAND GETKEYSANDFLAGS" command_getkeysandflags<T>(command: impl ToArgs) -> T = [command];
                flags(ADMIN) reply(Deep(ANY));

            /// Command names, optionally filtered (`FILTERBY MODULE|ACLCAT|PATTERN x`).
            /// <https://redis.io/commands/command-list>
            "COMMAND LIST" command_list<T>(filter: Option<CommandListFilter>) -> T = [filter]; flags(ADMIN) route(DefaultNode);

            /// COMMAND's help text. <https://redis.io/commands/command-help>
            "COMMAND HELP" command_help<T>() -> T = []; flags(ADMIN);

            /// Loaded modules, one map each. <https://redis.io/commands/module-list>
            "MODULE LIST" module_list<T>() -> T = []; flags(ADMIN) reply(MapList) route(DefaultNode);

            /// Loads a module. <https://redis.io/commands/module-load>
            "MODULE LOAD" module_load(path: impl ToArgs, args: impl ToArgs) -> bool = [path, args];
                flags(ADMIN) reply(OkBool) route(DefaultNode);

            /// Loads a module with configs and arguments. <https://redis.io/commands/module-loadex>
            "MODULE LOADEX" module_loadex(path: impl ToArgs, options: impl ToArgs) -> bool = [path, options];
                flags(ADMIN) reply(OkBool) route(DefaultNode);

            /// Unloads a module. <https://redis.io/commands/module-unload>
            "MODULE UNLOAD" module_unload(name: impl ToArgs) -> bool = [name]; flags(ADMIN) reply(OkBool) route(DefaultNode);

            /// MODULE's help text. <https://redis.io/commands/module-help>
            "MODULE HELP" module_help<T>() -> T = []; flags(ADMIN);
        }
    };
}
