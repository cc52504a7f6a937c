//! Calls of the scripting group's methods, each with the reply it must give.

use super::*;

const NO_SHA: &str = "0000000000000000000000000000000000000000";

fn bulk(s: &'static str) -> Value {
    Value::Bulk(s.into())
}

/// A map field of a structured reply.
fn field<'a>(map: &'a Value, name: &str) -> &'a Value {
    let Value::Map(fields) = map else {
        panic!("not a map: {map:?}")
    };
    fields
        .iter()
        .find(|(k, _)| k.as_bytes() == Some(name.as_bytes()))
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no {name} in {map:?}"))
}

/// A reply that a cluster gives once per primary (as redis-py's per-node dict): on a cluster,
/// every one of the three primaries must have answered the same, and that answer is returned;
/// on a single server, the reply itself.
fn one_node(reply: Value) -> Value {
    if !ON_CLUSTER {
        return reply;
    }
    let per_node: Vec<(Value, Value)> = match reply {
        Value::Map(pairs) => pairs,
        Value::Array(flat) => flat
            .chunks(2)
            .map(|c| (c[0].clone(), c[1].clone()))
            .collect(),
        other => panic!("not a per-node reply: {other:?}"),
    };
    assert_eq!(per_node.len(), 3, "one reply per primary: {per_node:?}");
    // Each server lists its libraries in its own order.
    let unordered = |v: &Value| match v {
        Value::Array(items) => {
            let mut items: Vec<String> = items.iter().map(|i| format!("{i:?}")).collect();
            items.sort();
            items
        }
        other => vec![format!("{other:?}")],
    };
    assert!(
        per_node
            .windows(2)
            .all(|w| unordered(&w[0].1) == unordered(&w[1].1)),
        "the primaries differ: {per_node:?}"
    );
    per_node[0].1.clone()
}

/// `FUNCTION LIST`'s libraries (the same on every primary of a cluster).
fn libraries(r: &Client, options: &FunctionListOptions) -> Vec<Value> {
    match one_node(call!(r.function_list::<Value>(options))) {
        Value::Array(libs) => libs,
        other => panic!("FUNCTION LIST: {other:?}"),
    }
}

pub(crate) fn scripting(r: &Client) {
    let none: &[&str] = &[];
    check!(r.eval::<Vec<String>>("return {KEYS[1], ARGV[1]}", &["k"], ["a"]) => ["k", "a"]);

    // Lua values as replies (the script speaks RESP2 unless it calls redis.setresp(3), whatever
    // the client's protocol): nil and false are nil, true is 1, numbers are truncated to
    // integers, tables are arrays (up to the first nil), {err=}/{ok=} are error/status replies.
    check!(r.eval::<Value>("return nil", none, none) => Value::Nil);
    check!(r.eval::<Value>("return false", none, none) => Value::Nil);
    check!(r.eval::<Value>("return true", none, none) => Value::Int(1));
    check!(r.eval::<Value>("return 42", none, none) => Value::Int(42));
    check!(r.eval::<Value>("return 3.99", none, none) => Value::Int(3));
    check!(r.eval::<Value>("return -3.99", none, none) => Value::Int(-3));
    check!(r.eval::<Value>("return 'text'", none, none) => bulk("text"));
    check!(r.eval::<Value>("return {1, 'two', {3, 'four'}, true, false, 5}", none, none) =>
    Value::Array(vec![
        Value::Int(1),
        bulk("two"),
        Value::Array(vec![Value::Int(3), bulk("four")]),
        Value::Int(1),
        Value::Nil,
        Value::Int(5),
    ]));
    check!(r.eval::<Value>("return {1, 2, nil, 4}", none, none) =>
        Value::Array(vec![Value::Int(1), Value::Int(2)]));
    check!(r.eval::<Value>("return {}", none, none) => Value::Array(vec![]));
    check!(r.eval::<Value>("return redis.status_reply('FINE')", none, none) =>
        Value::Simple("FINE".into()));
    check!(r.eval::<Value>("return {ok='ALSO FINE'}", none, none) =>
        Value::Simple("ALSO FINE".into()));
    // A double table is a RESP3 double, sent to a RESP2 client as its text.
    check!(r.eval::<f64>("return {double=3.5}", none, none) => 3.5);
    fails!(r.eval::<Value>("return redis.error_reply('MY bad')", none, none) => "MY");
    fails!(r.eval::<Value>("return {err='X boom'}", none, none) => "X");
    // The first word is the code; a one-word message gets ERR in front.
    fails!(r.eval::<Value>("return redis.error_reply('lower case')", none, none) => "lower");
    fails!(r.eval::<Value>("return redis.error_reply('word')", none, none) => "ERR");
    fails!(r.eval::<Value>("error('boom')", none, none) => "ERR");
    fails!(r.eval::<Value>("return redis.call('nosuchcommand')", none, none) => "ERR");

    // Binary-safe keys and arguments: NUL and bytes that are not UTF-8 reach the script and
    // come back unchanged.
    let raw: &[u8] = b"a\0b\xff\xfe";
    let raw_key: &[u8] = b"k\0\xff";
    check!(r.eval::<Vec<u8>>("return ARGV[1]", none, [raw]) => raw.to_vec());
    check!(r.eval::<i64>("return string.len(ARGV[1])", none, [raw]) => 5);
    check!(r.eval::<Vec<Vec<u8>>>("return {KEYS[1], ARGV[1]}", &[raw_key], [raw]) =>
        vec![raw_key.to_vec(), raw.to_vec()]);
    check!(r.eval::<bool>(
        "return redis.call('SET', KEYS[1], ARGV[1])",
        &[raw_key],
        [raw]
    ) => true);
    check!(r.get::<Vec<u8>>(raw_key) => raw.to_vec());

    check!(r.eval::<i64>(
        "return redis.call('SET', KEYS[1], ARGV[1]) and 1",
        &["k"],
        ["v"]
    ) => 1);
    // redis.call raises the command's error with its code; redis.pcall returns it.
    fails!(r.eval::<Value>("return redis.call('LPUSH', KEYS[1], 'a')", &["k"], none) => "WRONGTYPE");
    fails!(r.eval::<Value>("return redis.call('INCR', KEYS[1])", &["k"], none) => "ERR");
    check!(r.eval::<String>(
        "local e = redis.pcall('INCR', KEYS[1]); return e['err']",
        &["k"],
        none
    ) => "ERR value is not an integer or out of range");
    check!(r.eval_ro::<String>("return redis.call('GET', KEYS[1])", &["k"], none) => "v");
    fails!(r.eval_ro::<String>("return redis.call('SET', KEYS[1], 'x')", &["k"], none) => "ERR");
    check!(r.get::<String>("k") => "v");

    // SCRIPT LOAD answers the script's SHA1 (`printf 'return ARGV[1]' | sha1sum`).
    let sha = check!(r.script_load("return ARGV[1]") => "098e0f0d1448c0a81dafe820f66d460eb09263da");
    check!(r.evalsha::<String>(&sha, none, ["x"]) => "x");
    check!(r.evalsha::<Vec<u8>>(&sha, none, [raw]) => raw.to_vec());
    check!(r.evalsha_ro::<String>(&sha, none, ["y"]) => "y");
    // EVALSHA takes the SHA1 in either case.
    check!(r.evalsha::<String>(&sha.to_uppercase(), none, ["z"]) => "z");
    fails!(r.evalsha::<String>(NO_SHA, none, none) => "NOSCRIPT");
    fails!(r.evalsha_ro::<String>(NO_SHA, none, none) => "NOSCRIPT");
    check!(r.script_exists([sha.as_str(), NO_SHA]) => vec![true, false]);
    check!(r.script_exists([NO_SHA, sha.as_str(), sha.as_str()]) => vec![false, true, true]);
    // No script is running.
    fails!(r.script_kill() => "NOTBUSY");
    check!(r.script_debug("NO") => true);
    let help = call!(r.script_help::<Vec<String>>());
    super::server::assert_help(&help, "SCRIPT", "EXISTS <sha1> [<sha1> ...]");
    check!(r.script_flush(Some(FlushMode::Sync)) => true);
    check!(r.script_exists([sha.as_str()]) => vec![false]);
    fails!(r.evalsha::<String>(&sha, none, ["x"]) => "NOSCRIPT");
    check!(r.script_load("return ARGV[1]") => sha.clone());
    check!(r.script_flush(None) => true);
    check!(r.script_exists([sha.as_str()]) => vec![false]);

    let lib = "#!lua name=mylib\nredis.register_function('myget', function(keys, args) return redis.call('GET', keys[1]) end)";
    let rolib = "#!lua name=rolib\nredis.register_function{function_name='myro', callback=function(keys, args) return args[1] end, flags={'no-writes'}, description='echo'}";
    check!(r.function_load(lib, false) => "mylib");
    fails!(r.function_load(lib, false) => "ERR");
    check!(r.function_load(lib, true) => "mylib");
    check!(r.function_load(rolib, false) => "rolib");
    fails!(r.function_load("#!lua name=bad\nthis is not lua", false) => "ERR");
    check!(r.fcall::<String>("myget", &["k"], none) => "v");
    check!(r.fcall::<Option<String>>("myget", &["missing"], none) => None);
    check!(r.fcall::<Vec<u8>>("myro", none, [raw]) => raw.to_vec());
    check!(r.fcall_ro::<String>("myro", none, ["ro"]) => "ro");
    // myget is not flagged no-writes: FCALL_RO refuses it.
    fails!(r.fcall_ro::<String>("myget", &["k"], none) => "ERR");
    fails!(r.fcall::<String>("nosuchfunction", none, none) => "ERR");

    let my = libraries(r, &FunctionListOptions::default().library("my*"));
    assert_eq!(my.len(), 1, "{my:?}");
    assert_eq!(field(&my[0], "library_name"), &bulk("mylib"));
    assert_eq!(field(&my[0], "engine"), &bulk("LUA"));
    let Value::Map(fields) = &my[0] else {
        unreachable!()
    };
    // No code unless WITHCODE.
    assert_eq!(fields.len(), 3, "{fields:?}");
    let Value::Array(functions) = field(&my[0], "functions") else {
        panic!("{my:?}")
    };
    assert_eq!(functions.len(), 1);
    assert_eq!(field(&functions[0], "name"), &bulk("myget"));
    assert_eq!(field(&functions[0], "description"), &Value::Nil);
    assert_eq!(field(&functions[0], "flags"), &Value::Array(vec![]));

    let ro = libraries(r, &FunctionListOptions::default().library("ro*").withcode());
    assert_eq!(ro.len(), 1, "{ro:?}");
    assert_eq!(field(&ro[0], "library_name"), &bulk("rolib"));
    assert_eq!(
        field(&ro[0], "library_code").as_bytes(),
        Some(rolib.as_bytes())
    );
    let Value::Array(functions) = field(&ro[0], "functions") else {
        panic!("{ro:?}")
    };
    assert_eq!(field(&functions[0], "name"), &bulk("myro"));
    assert_eq!(field(&functions[0], "description"), &bulk("echo"));
    assert_eq!(
        field(&functions[0], "flags"),
        &Value::Array(vec![Value::Simple("no-writes".into())])
    );
    let all = libraries(r, &FunctionListOptions::default());
    let names: BTreeSet<Vec<u8>> = all
        .iter()
        .map(|l| field(l, "library_name").as_bytes().unwrap().to_vec())
        .collect();
    assert_eq!(
        names,
        BTreeSet::from([b"mylib".to_vec(), b"rolib".to_vec()])
    );
    assert_eq!(
        libraries(r, &FunctionListOptions::default().library("none*")),
        Vec::<Value>::new()
    );

    // One node answers on a cluster too (every primary holds both libraries).
    let stats = call!(r.function_stats::<Value>());
    // Nothing running; one engine with both libraries and their two functions.
    assert_eq!(field(&stats, "running_script"), &Value::Nil);
    let lua = field(field(&stats, "engines"), "LUA");
    assert_eq!(field(lua, "libraries_count"), &Value::Int(2));
    assert_eq!(field(lua, "functions_count"), &Value::Int(2));
    fails!(r.function_kill() => "NOTBUSY");
    let help = call!(r.function_help::<Vec<String>>());
    super::server::assert_help(&help, "FUNCTION", "LOAD [REPLACE] <FUNCTION CODE>");

    let dump = call!(r.function_dump::<Vec<u8>>());
    // A DUMP payload: RDB type byte first, then a 2-byte RDB version and an 8-byte CRC64.
    assert!(dump.len() > lib.len() + rolib.len(), "{}", dump.len());
    check!(r.function_delete("mylib") => true);
    fails!(r.function_delete("mylib") => "ERR");
    fails!(r.fcall::<String>("myget", &["k"], none) => "ERR");
    // The default policy (APPEND) refuses a library that still exists.
    fails!(r.function_restore(&dump, None) => "ERR");
    check!(r.function_delete("rolib") => true);
    assert_eq!(
        libraries(r, &FunctionListOptions::default()),
        Vec::<Value>::new()
    );
    check!(r.function_restore(&dump, None) => true);
    check!(r.fcall::<String>("myget", &["k"], none) => "v");
    check!(r.function_restore(&dump, Some(RestorePolicy::Replace)) => true);
    check!(r.function_restore(&dump, Some(RestorePolicy::Flush)) => true);
    fails!(r.function_restore(b"not a dump".as_slice(), None) => "ERR");
    check!(r.function_flush(Some(FlushMode::Async)) => true);
    assert_eq!(
        libraries(r, &FunctionListOptions::default()),
        Vec::<Value>::new()
    );
    check!(r.function_restore(&dump, Some(RestorePolicy::Append)) => true);
    check!(r.fcall_ro::<String>("myro", none, ["back"]) => "back");
    check!(r.function_flush(None) => true);
    assert_eq!(
        libraries(r, &FunctionListOptions::default()),
        Vec::<Value>::new()
    );
    fails!(r.fcall_ro::<String>("myro", none, ["gone"]) => "ERR");
}
