//! Calls of the scripting group's methods, each with the reply it must give.

use super::*;

pub(crate) fn scripting(r: &Redis) -> Log {
    let mut log = Log::new();
    let none: &[&str] = &[];
    l!(
        log,
        r.eval::<Vec<String>>("return {KEYS[1], ARGV[1]}", &["k"], ["a"])
    );
    l!(
        log,
        r.eval::<i64>(
            "return redis.call('SET', KEYS[1], ARGV[1]) and 1",
            &["k"],
            ["v"]
        )
    );
    l!(
        log,
        r.eval_ro::<String>("return redis.call('GET', KEYS[1])", &["k"], none)
    );
    e!(
        log,
        r.eval_ro::<String>("return redis.call('SET', KEYS[1], 'x')", &["k"], none)
    );
    let sha = l!(log, r.script_load("return ARGV[1]"));
    l!(log, r.evalsha::<String>(&sha, none, ["x"]));
    l!(log, r.evalsha_ro::<String>(&sha, none, ["y"]));
    e!(
        log,
        r.evalsha::<String>("0000000000000000000000000000000000000000", none, none)
    );
    l!(
        log,
        r.script_exists([sha.as_str(), "0000000000000000000000000000000000000000"])
    );
    e!(log, r.script_kill());
    l!(log, r.script_debug("NO"));
    l!(log, r.script_help::<Vec<String>>().map(|h| !h.is_empty()));
    l!(log, r.script_flush(Some(FlushMode::Sync)));
    l!(log, r.script_flush(None));
    l!(log, r.script_exists([sha.as_str()]));
    let lib = "#!lua name=mylib\nredis.register_function('myget', function(keys, args) return redis.call('GET', keys[1]) end)";
    let rolib = "#!lua name=rolib\nredis.register_function{function_name='myro', callback=function(keys, args) return args[1] end, flags={'no-writes'}}";
    l!(log, r.function_load(lib, false));
    e!(log, r.function_load(lib, false));
    l!(log, r.function_load(lib, true));
    l!(log, r.function_load(rolib, false));
    l!(log, r.fcall::<String>("myget", &["k"], none));
    l!(log, r.fcall_ro::<String>("myro", none, ["ro"]));
    e!(log, r.fcall_ro::<String>("myget", &["k"], none));
    l!(
        log,
        r.function_list::<Value>(&FunctionListOptions::default().library("my*"))
    );
    l!(
        log,
        r.function_list::<Value>(&FunctionListOptions::default().library("ro*").withcode())
    );
    l!(
        log,
        r.function_list::<Vec<Value>>(&FunctionListOptions::default())
            .map(|l| l.len())
    );
    l!(log, r.function_stats::<Value>());
    e!(log, r.function_kill());
    l!(log, r.function_help::<Vec<String>>().map(|h| !h.is_empty()));
    let dump: Vec<u8> = r.function_dump().unwrap();
    l!(log, r.function_delete("mylib"));
    e!(log, r.function_delete("mylib"));
    l!(log, r.function_delete("rolib"));
    l!(log, r.function_restore(&dump, None));
    l!(log, r.function_restore(&dump, Some(RestorePolicy::Replace)));
    l!(log, r.function_flush(Some(FlushMode::Async)));
    l!(log, r.function_flush(None));
    l!(
        log,
        r.function_list::<Vec<Value>>(&FunctionListOptions::default())
    );
    log
}
