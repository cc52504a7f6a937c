//! Scripting and function commands. <https://redis.io/commands/?group=scripting>

macro_rules! scripting_commands {
    ($surface:ident) => { $surface! {
        /// Runs a Lua script with `keys` and `args`. <https://redis.io/commands/eval>
        "EVAL" eval<T>(script: impl ToArgs, keys: &[impl ToArgs], args: impl ToArgs) -> T =
            [script, Counted(keys), args]; keys(numkeys 2) flags();

        /// Read-only EVAL. <https://redis.io/commands/eval_ro>
        "EVAL_RO" eval_ro<T>(script: impl ToArgs, keys: &[impl ToArgs], args: impl ToArgs) -> T =
            [script, Counted(keys), args]; keys(numkeys 2) flags(READONLY);

        /// Runs a cached script by SHA1 (a `NoScript` error if unknown). <https://redis.io/commands/evalsha>
        "EVALSHA" evalsha<T>(sha1: impl ToArgs, keys: &[impl ToArgs], args: impl ToArgs) -> T =
            [sha1, Counted(keys), args]; keys(numkeys 2) flags();

        /// Read-only EVALSHA. <https://redis.io/commands/evalsha_ro>
        "EVALSHA_RO" evalsha_ro<T>(sha1: impl ToArgs, keys: &[impl ToArgs], args: impl ToArgs) -> T =
            [sha1, Counted(keys), args]; keys(numkeys 2) flags(READONLY);

        /// Whether each SHA1 is cached. <https://redis.io/commands/script-exists>
        "SCRIPT EXISTS" script_exists(sha1s: impl ToArgs) -> Vec<bool> = [sha1s];
            flags() reply(IntBools) route(Primaries, AllPerPosition);

        /// Empties the script cache. <https://redis.io/commands/script-flush>
        "SCRIPT FLUSH" script_flush(mode: Option<FlushMode>) -> bool = [mode]; flags() reply(OkBool) route(Primaries, AllOk);

        /// Kills the running read-only script. <https://redis.io/commands/script-kill>
        "SCRIPT KILL" script_kill() -> bool = []; flags() reply(OkBool);

        /// Caches a script; its SHA1. <https://redis.io/commands/script-load>
        "SCRIPT LOAD" script_load(script: impl ToArgs) -> String = [script]; flags() route(Primaries, One);

        /// Sets the Lua debugger mode (`YES`, `SYNC`, `NO`). <https://redis.io/commands/script-debug>
        "SCRIPT DEBUG" script_debug(mode: impl ToArgs) -> bool = [mode]; flags() reply(OkBool);

        /// SCRIPT's help text. <https://redis.io/commands/script-help>
        "SCRIPT HELP" script_help<T>() -> T = []; flags();

        /// Calls a library function. <https://redis.io/commands/fcall>
        "FCALL" fcall<T>(function: impl ToArgs, keys: &[impl ToArgs], args: impl ToArgs) -> T =
            [function, Counted(keys), args]; keys(numkeys 2) flags();

        /// Calls a read-only library function. <https://redis.io/commands/fcall_ro>
        "FCALL_RO" fcall_ro<T>(function: impl ToArgs, keys: &[impl ToArgs], args: impl ToArgs) -> T =
            [function, Counted(keys), args]; keys(numkeys 2) flags(READONLY);

        /// Loads a library (`replace` overwrites); its name. <https://redis.io/commands/function-load>
        "FUNCTION LOAD" function_load(code: impl ToArgs, replace: bool) -> String =
            [Flag("REPLACE", replace), code]; flags(WRITE) route(Primaries, One);

        /// Deletes a library. <https://redis.io/commands/function-delete>
        "FUNCTION DELETE" function_delete(library: impl ToArgs) -> bool = [library];
            flags(WRITE) reply(OkBool) route(Primaries, AllOk);

        /// Serialized libraries (for FUNCTION RESTORE). <https://redis.io/commands/function-dump>
        "FUNCTION DUMP" function_dump<T>() -> T = []; flags() route(Random);

        /// Restores libraries from a dump (`policy`: FLUSH, APPEND, REPLACE).
        /// <https://redis.io/commands/function-restore>
        "FUNCTION RESTORE" function_restore(payload: impl ToArgs, policy: Option<RestorePolicy>) -> bool =
            [payload, policy]; flags(WRITE) reply(OkBool) route(Primaries, AllOk);

        /// Deletes every library. <https://redis.io/commands/function-flush>
        "FUNCTION FLUSH" function_flush(mode: Option<FlushMode>) -> bool = [mode];
            flags(WRITE) reply(OkBool) route(Primaries, AllOk);

        /// Kills the running read-only function. <https://redis.io/commands/function-kill>
        "FUNCTION KILL" function_kill() -> bool = []; flags() reply(OkBool);

        /// Libraries and their functions, one map each. <https://redis.io/commands/function-list>
        "FUNCTION LIST" function_list<T>(options: &FunctionListOptions) -> T = [options];
            flags() reply(Deep(FUNCTION_LIST)) route(Primaries);

        /// The running function and engine statistics. <https://redis.io/commands/function-stats>
        "FUNCTION STATS" function_stats<T>() -> T = []; flags() reply(Deep(FUNCTION_STATS));

        /// FUNCTION's help text. <https://redis.io/commands/function-help>
        "FUNCTION HELP" function_help<T>() -> T = []; flags();
    } };
}
