//! Calls of the streams group's methods, each with the reply it must give.

use oxredis::FromValue;

use super::*;

/// A stream entry as `(id, [(field, value)])`.
type Entry = (String, Vec<(String, String)>);
/// XREAD/XREADGROUP: entries per stream.
type Read = BTreeMap<String, Vec<Entry>>;
/// One XINFO map.
type Info = BTreeMap<String, Value>;

fn ent(id: &str, fields: &[(&str, &str)]) -> Entry {
    (
        id.to_owned(),
        fields
            .iter()
            .map(|&(f, v)| (f.to_owned(), v.to_owned()))
            .collect(),
    )
}

fn read(streams: &[(&str, Vec<Entry>)]) -> Read {
    streams
        .iter()
        .map(|(k, e)| ((*k).to_owned(), e.clone()))
        .collect()
}

fn ids(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|&i| i.to_owned()).collect()
}

fn bulk(s: &str) -> Value {
    Value::Bulk(s.as_bytes().to_vec().into())
}

/// `(id, consumer, deliveries)` of pending entries, whose idle time varies.
fn pending(entries: &[PendingEntry]) -> Vec<(&str, &str, u64)> {
    entries
        .iter()
        .map(|p| (p.id.as_str(), p.consumer.as_str(), p.deliveries))
        .collect()
}

/// A field of an XINFO map.
fn field<'a>(info: &'a Info, name: &str) -> &'a Value {
    info.get(name)
        .unwrap_or_else(|| panic!("no {name} in {info:?}"))
}

fn as_entry(v: &Value) -> Entry {
    Entry::from_value(v.clone()).unwrap()
}

fn names(list: &[Info]) -> Vec<Value> {
    list.iter().map(|c| field(c, "name").clone()).collect()
}

pub(crate) fn streams(r: &Client) {
    let none = XAddOptions::default;
    let e1 = ent("1-0", &[("f", "v1"), ("g", "w1")]);
    let e2 = ent("2-0", &[("f", "v2")]);
    let e3 = ent("3-0", &[("f", "v3")]);
    check!(r.xadd::<String>("{t}st", "1-0", [("f", "v1"), ("g", "w1")], &none()) => "1-0");
    check!(r.xadd::<String>("{t}st", "2-0", [("f", "v2")], &none()) => "2-0");
    check!(r.xadd::<String>("{t}st", "3-0", [("f", "v3")], &none().trim(StreamTrim::maxlen(10)))
        => "3-0");
    check!(r.xadd::<Option<String>>("{t}nostream", "*", [("f", "v")], &none().nomkstream()) => None);
    check!(r.exists(["{t}nostream"]) => 0);
    fails!(r.xadd::<String>("{t}st", "1-0", [("f", "v")], &none()) => "ERR");
    fails!(r.xadd::<String>("fresh", "0-0", [("f", "v")], &none()) => "ERR");
    // `ms-*` picks the next sequence number; `*` a time-based id.
    check!(r.xadd::<String>("ids", "5-*", [("f", "v")], &none()) => "5-0");
    check!(r.xadd::<String>("ids", "5-*", [("f", "v")], &none()) => "5-1");
    check!(r.xadd::<Option<String>>("ids", "6-0", [("f", "v")], &none().nomkstream())
        => Some("6-0".to_owned()));
    let id = call!(r.xadd::<String>("ids", "*", [("f", "v")], &none()));
    let (ms, seq) = id.split_once('-').unwrap();
    assert!(ms.parse::<u64>().unwrap() > 1_600_000_000_000, "{id}");
    assert!(seq.parse::<u64>().is_ok(), "{id}");

    // MAXLEN keeps the newest entries; MINID drops those below the id.
    check!(r.xadd::<String>("{t}cap", "1-0", [("n", "1")], &none()) => "1-0");
    check!(r.xadd::<String>("{t}cap", "2-0", [("n", "2")], &none()) => "2-0");
    check!(r.xadd::<String>("{t}cap", "3-0", [("n", "3")], &none().trim(StreamTrim::maxlen(2)))
        => "3-0");
    check!(r.xrange::<Vec<Entry>>("{t}cap", "-", "+", None)
        => vec![ent("2-0", &[("n", "2")]), ent("3-0", &[("n", "3")])]);
    check!(r.xadd::<String>("{t}cap", "4-0", [("n", "4")], &none().trim(StreamTrim::minid("4-0")))
        => "4-0");
    check!(r.xrange::<Vec<Entry>>("{t}cap", "-", "+", None) => vec![ent("4-0", &[("n", "4")])]);
    // LIMIT bounds an approximate trim only.
    fails!(r.xadd::<String>("{t}cap", "5-0", [("n", "5")], &none().trim(StreamTrim::maxlen(1).limit(10)))
        => "ERR");
    check!(r.xadd::<String>(
        "{t}cap",
        "5-0",
        [("n", "5")],
        &none().trim(StreamTrim::maxlen(1).approximate().limit(10))
    ) => "5-0");
    check!(r.xlen("{t}cap") => 2);

    // Binary-safe values (NUL, bytes that are not UTF-8); a field name that is not UTF-8
    // cannot become a `StreamEntry` (a conversion error), but reads as raw values.
    let raw: &[u8] = b"a\0b\xff\xfe";
    check!(r.xadd::<String>("bin", "1-0", [("v", raw)], &none()) => "1-0");
    let got = call!(r.xrange::<Vec<StreamEntry>>("bin", "-", "+", None));
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].id, "1-0");
    assert_eq!(got[0].fields.len(), 1, "{got:?}");
    assert_eq!(got[0].get("v").map(|b| &b[..]), Some(raw));
    let bad_field: &[u8] = b"k\xff";
    check!(r.xadd::<String>("bin2", "1-0", [(bad_field, raw)], &none()) => "1-0");
    check!(r.xrange::<Value>("bin2", "-", "+", None) => Value::Array(vec![Value::Array(vec![
        bulk("1-0"),
        Value::Map(vec![(
            Value::Bulk(bad_field.to_vec().into()),
            Value::Bulk(raw.to_vec().into())
        )]),
    ])]));
    let err = r
        .xrange::<Vec<StreamEntry>>("bin2", "-", "+", None)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Data, "{err}");

    check!(r.xlen("{t}st") => 3);
    check!(r.xlen("missing") => 0);
    check!(r.xrange::<Vec<Entry>>("{t}st", "-", "+", None) => vec![e1.clone(), e2.clone(), e3.clone()]);
    check!(r.xrange::<Vec<Entry>>("{t}st", "-", "+", Some(Count(1))) => vec![e1.clone()]);
    check!(r.xrange::<Vec<Entry>>("{t}st", "(1-0", "+", None) => vec![e2.clone(), e3.clone()]);
    check!(r.xrange::<Vec<Entry>>("{t}st", "-", "(3-0", Some(Count(1))) => vec![e1.clone()]);
    check!(r.xrange::<Vec<Entry>>("{t}st", "2", "2", None) => vec![e2.clone()]);
    check!(r.xrange::<Vec<Entry>>("{t}st", "(3-0", "+", None) => Vec::<Entry>::new());
    check!(r.xrange::<Vec<Entry>>("missing", "-", "+", None) => Vec::<Entry>::new());
    let got = call!(r.xrange::<Vec<StreamEntry>>("{t}st", "1-0", "1-0", None));
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].get("g").map(|b| &b[..]), Some(&b"w1"[..]));
    assert_eq!(got[0].get("nope"), None);
    check!(r.xrevrange::<Vec<Entry>>("{t}st", "+", "(1-0", None) => vec![e3.clone(), e2.clone()]);
    check!(r.xrevrange::<Vec<Entry>>("{t}st", "+", "-", Some(Count(1))) => vec![e3.clone()]);
    check!(r.xrevrange::<Vec<Entry>>("missing", "+", "-", None) => Vec::<Entry>::new());

    // XREAD: entries after each id, only streams that have some; nil when none has any.
    let ro = XReadOptions::default;
    check!(r.xread::<Read>(&[("{t}st", "1-0")], &ro().count(1)) => read(&[("{t}st", vec![e2.clone()])]));
    check!(r.xread::<Read>(&[("{t}st", "0"), ("{t}nostream", "0")], &ro())
        => read(&[("{t}st", vec![e1.clone(), e2.clone(), e3.clone()])]));
    check!(r.xread::<Read>(&[("{t}st", "0"), ("{t}cap", "0")], &ro().count(1))
        => read(&[("{t}st", vec![e1.clone()]), ("{t}cap", vec![ent("4-0", &[("n", "4")])])]));
    check!(r.xread::<Option<Read>>(&[("{t}st", "3-0")], &ro()) => None);
    check!(r.xread::<Option<Read>>(&[("{t}st", "$")], &ro().block(10)) => None);
    // BLOCK waits (about) that long for a new entry before the nil; without it the nil is
    // immediate. The server's millisecond clock may run a few milliseconds behind.
    let start = Instant::now();
    check!(r.xread::<Option<Read>>(&[("{t}st", "$")], &ro().block(300)) => None);
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(280) && waited < Duration::from_secs(5),
        "{waited:?}"
    );

    let create = XGroupCreateOptions::default;
    check!(r.xgroup_create("{t}st", "g1", "0", &create()) => true);
    check!(r.xgroup_create("st2", "g1", "$", &create().mkstream().entries_read(0)) => true);
    check!(r.xlen("st2") => 0);
    let info = call!(r.xinfo_stream::<Info>("st2"));
    assert_eq!(field(&info, "length"), &Value::Int(0));
    assert_eq!(field(&info, "groups"), &Value::Int(1));
    assert_eq!(field(&info, "first-entry"), &Value::Nil);
    assert_eq!(field(&info, "last-entry"), &Value::Nil);
    fails!(r.xgroup_create("{t}st", "g1", "0", &create()) => "BUSYGROUP");
    fails!(r.xgroup_create("missing", "g1", "0", &create()) => "ERR");
    check!(r.xgroup_createconsumer("{t}st", "g1", "alice") => true);
    check!(r.xgroup_createconsumer("{t}st", "g1", "alice") => false);
    fails!(r.xgroup_createconsumer("{t}st", "nogroup", "alice") => "NOGROUP");

    check!(r.xreadgroup::<Read>("g1", "alice", &[("{t}st", ">")], &ro().count(2))
        => read(&[("{t}st", vec![e1.clone(), e2.clone()])]));
    check!(r.xreadgroup::<Read>("g1", "bob", &[("{t}st", ">")], &ro().noack())
        => read(&[("{t}st", vec![e3.clone()])]));
    check!(r.xreadgroup::<Option<Read>>("g1", "bob", &[("{t}st", ">")], &ro().block(10)) => None);
    // `0` reads the consumer's own pending entries (none for bob, who read with NOACK).
    check!(r.xreadgroup::<Read>("g1", "alice", &[("{t}st", "0")], &ro())
        => read(&[("{t}st", vec![e1.clone(), e2.clone()])]));
    check!(r.xreadgroup::<Read>("g1", "bob", &[("{t}st", "0")], &ro()) => read(&[("{t}st", vec![])]));
    fails!(r.xreadgroup::<Read>("nogroup", "bob", &[("{t}st", ">")], &ro()) => "NOGROUP");

    // XPENDING summary: count, smallest and greatest id, count per consumer.
    check!(r.xpending::<(u64, Option<String>, Option<String>, Vec<(String, u64)>)>("{t}st", "g1")
        => (2, Some("1-0".to_owned()), Some("2-0".to_owned()), vec![("alice".to_owned(), 2)]));
    let summary = call!(r.xpending::<PendingSummary>("{t}st", "g1"));
    assert_eq!(
        (
            summary.count,
            summary.min_id.as_deref(),
            summary.max_id.as_deref(),
            summary.consumers.clone()
        ),
        (2, Some("1-0"), Some("2-0"), vec![("alice".to_owned(), 2)])
    );
    let empty = call!(r.xpending::<PendingSummary>("st2", "g1"));
    assert_eq!(
        (empty.count, empty.min_id, empty.max_id, empty.consumers),
        (0, None, None, vec![])
    );
    // The extended form: (id, consumer, idle ms, deliveries), with IDLE and consumer filters;
    // reading the history with `0` above counted as a second delivery.
    let po = XPendingOptions::default;
    let got = call!(r.xpending_range::<Vec<PendingEntry>>("{t}st", "g1", "-", "+", 10, &po()));
    assert_eq!(pending(&got), [("1-0", "alice", 2), ("2-0", "alice", 2)]);
    assert!(got.iter().all(|p| p.idle_ms < 60_000), "{got:?}");
    let got = call!(r.xpending_range::<Vec<PendingEntry>>("{t}st", "g1", "(1-0", "+", 10, &po()));
    assert_eq!(pending(&got), [("2-0", "alice", 2)]);
    let got = call!(r.xpending_range::<Vec<PendingEntry>>("{t}st", "g1", "-", "+", 1, &po()));
    assert_eq!(pending(&got), [("1-0", "alice", 2)]);
    let got = call!(r.xpending_range::<Vec<PendingEntry>>(
        "{t}st",
        "g1",
        "-",
        "+",
        10,
        &po().idle(0).consumer("alice")
    ));
    assert_eq!(pending(&got), [("1-0", "alice", 2), ("2-0", "alice", 2)]);
    check!(r.xpending_range::<Vec<PendingEntry>>(
        "{t}st",
        "g1",
        "-",
        "+",
        10,
        &po().idle(1_000_000).consumer("alice")
    ) => Vec::<PendingEntry>::new());
    check!(r.xpending_range::<Vec<PendingEntry>>("{t}st", "g1", "-", "+", 10, &po().consumer("bob"))
        => Vec::<PendingEntry>::new());

    // XCLAIM: RETRYCOUNT sets the delivery counter; JUSTID replies ids and does not count a
    // delivery; entries not idle long enough, or not pending (without FORCE), are skipped.
    let claim = XClaimOptions::default;
    check!(r.xclaim::<Vec<Entry>>("{t}st", "g1", "bob", 0, ["1-0"], &claim().retrycount(5))
        => vec![e1.clone()]);
    let got = call!(r.xpending_range::<Vec<PendingEntry>>("{t}st", "g1", "-", "+", 10, &po()));
    assert_eq!(pending(&got), [("1-0", "bob", 5), ("2-0", "alice", 2)]);
    check!(r.xclaim::<Vec<String>>(
        "{t}st",
        "g1",
        "alice",
        0,
        ["1-0", "2-0"],
        &claim().justid().idle(5).force()
    ) => ids(&["1-0", "2-0"]));
    check!(r.xclaim::<Vec<Entry>>("{t}st", "g1", "bob", 3_600_000, ["1-0"], &claim())
        => Vec::<Entry>::new());
    check!(r.xclaim::<Vec<Entry>>("{t}st", "g1", "bob", 0, ["3-0"], &claim()) => Vec::<Entry>::new());
    let got = call!(r.xpending_range::<Vec<PendingEntry>>("{t}st", "g1", "-", "+", 10, &po()));
    assert_eq!(pending(&got), [("1-0", "alice", 5), ("2-0", "alice", 2)]);
    assert!(got.iter().all(|p| p.idle_ms >= 5), "{got:?}");
    // LASTID moves the group's last delivered id forward (here from 0-0 to 7-0); TIME sets
    // the last delivery to a unix time in milliseconds (a minute ago: idle a minute).
    check!(r.xadd::<String>("{t}li", "1-0", [("f", "v")], &none()) => "1-0");
    check!(r.xgroup_create("{t}li", "g", "0", &create()) => true);
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    check!(r.xclaim::<Vec<String>>(
        "{t}li",
        "g",
        "c",
        0,
        ["1-0"],
        &claim().force().justid().time(now_ms - 60_000).lastid("7-0")
    ) => ids(&["1-0"]));
    let groups = call!(r.xinfo_groups::<Vec<Info>>("{t}li"));
    assert_eq!(field(&groups[0], "last-delivered-id"), &bulk("7-0"));
    let got = call!(r.xpending_range::<Vec<PendingEntry>>("{t}li", "g", "-", "+", 10, &po()));
    assert_eq!(pending(&got), [("1-0", "c", 1)]);
    assert!((60_000..70_000).contains(&got[0].idle_ms), "{got:?}");
    check!(r.delete(["{t}li"]) => 1);

    // XAUTOCLAIM: (next start id, claimed, ids deleted from the stream meanwhile).
    let auto = XAutoClaimOptions::default;
    check!(r.xautoclaim::<(String, Vec<Entry>, Vec<String>)>(
        "{t}st",
        "g1",
        "carol",
        0,
        "0",
        &auto().count(1)
    ) => ("2-0".to_owned(), vec![e1.clone()], vec![]));
    check!(r.xautoclaim::<(String, Vec<String>, Vec<String>)>(
        "{t}st",
        "g1",
        "dave",
        0,
        "0",
        &auto().justid()
    ) => ("0-0".to_owned(), ids(&["1-0", "2-0"]), vec![]));
    check!(r.xdel("{t}st", ["2-0"]) => 1);
    // A pending entry deleted from the stream reads back from the history as its id with nil
    // fields (the read counts as a delivery of 1-0 only); the history starts after the id.
    check!(r.xreadgroup::<Read>("g1", "dave", &[("{t}st", "0")], &ro())
        => read(&[("{t}st", vec![e1.clone(), ent("2-0", &[])])]));
    let got = call!(r.xreadgroup::<BTreeMap<String, Vec<StreamEntry>>>(
        "g1",
        "dave",
        &[("{t}st", "1-0")],
        &ro()
    ));
    assert_eq!(got.len(), 1, "{got:?}");
    let history = &got["{t}st"];
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(
        (history[0].id.as_str(), history[0].fields.len()),
        ("2-0", 0)
    );
    check!(r.xautoclaim::<(String, Vec<Entry>, Vec<String>)>("{t}st", "g1", "erin", 0, "0", &auto())
        => ("0-0".to_owned(), vec![e1.clone()], ids(&["2-0"])));
    fails!(r.xautoclaim::<(String, Vec<Entry>, Vec<String>)>(
        "{t}st",
        "g1",
        "erin",
        0,
        "0",
        &auto().count(0)
    ) => "ERR");
    let got = call!(r.xpending_range::<Vec<PendingEntry>>("{t}st", "g1", "-", "+", 10, &po()));
    assert_eq!(pending(&got), [("1-0", "erin", 8)]);

    let consumers = call!(r.xinfo_consumers::<Vec<Info>>("{t}st", "g1"));
    assert_eq!(
        names(&consumers),
        ["alice", "bob", "carol", "dave", "erin"].map(bulk)
    );
    let pendings: Vec<&Value> = consumers.iter().map(|c| field(c, "pending")).collect();
    assert_eq!(
        pendings,
        [0, 0, 0, 0, 1].map(Value::Int).iter().collect::<Vec<_>>()
    );
    check!(r.xinfo_consumers::<Vec<Info>>("st2", "g1") => vec![]);
    fails!(r.xinfo_consumers::<Vec<Info>>("{t}st", "nogroup") => "NOGROUP");
    let groups = call!(r.xinfo_groups::<Vec<Info>>("{t}st"));
    assert_eq!(groups.len(), 1, "{groups:?}");
    let g = &groups[0];
    assert_eq!(field(g, "name"), &bulk("g1"));
    assert_eq!(field(g, "consumers"), &Value::Int(5));
    assert_eq!(field(g, "pending"), &Value::Int(1));
    assert_eq!(field(g, "last-delivered-id"), &bulk("3-0"));
    assert_eq!(field(g, "entries-read"), &Value::Int(3));
    assert_eq!(field(g, "lag"), &Value::Int(0));
    check!(r.xinfo_groups::<Vec<Info>>("{t}cap") => vec![]);

    check!(r.xack("{t}st", "g1", ["1-0", "2-0", "9-0"]) => 1);
    check!(r.xack("{t}st", "g1", ["1-0"]) => 0);

    // XINFO STREAM: st now holds 1-0 and 3-0 (2-0 was deleted).
    let info = call!(r.xinfo_stream::<Info>("{t}st"));
    assert_eq!(field(&info, "length"), &Value::Int(2));
    assert_eq!(field(&info, "last-generated-id"), &bulk("3-0"));
    assert_eq!(field(&info, "max-deleted-entry-id"), &bulk("2-0"));
    assert_eq!(field(&info, "entries-added"), &Value::Int(3));
    assert_eq!(field(&info, "groups"), &Value::Int(1));
    assert_eq!(as_entry(field(&info, "first-entry")), e1);
    assert_eq!(as_entry(field(&info, "last-entry")), e3);
    fails!(r.xinfo_stream::<Info>("missing") => "ERR");
    let full = call!(r.xinfo_stream_full::<Info>("{t}st", Some(Count(10))));
    assert_eq!(field(&full, "length"), &Value::Int(2));
    let Value::Array(entries) = field(&full, "entries") else {
        panic!("{full:?}")
    };
    assert_eq!(
        entries.iter().map(as_entry).collect::<Vec<_>>(),
        [e1.clone(), e3.clone()]
    );
    let groups = <Vec<Info>>::from_value(field(&full, "groups").clone()).unwrap();
    assert_eq!(names(&groups), [bulk("g1")]);
    assert_eq!(field(&groups[0], "pel-count"), &Value::Int(0));
    assert_eq!(field(&groups[0], "pending"), &Value::Array(vec![]));
    assert_eq!(field(&groups[0], "last-delivered-id"), &bulk("3-0"));
    let consumers = <Vec<Info>>::from_value(field(&groups[0], "consumers").clone()).unwrap();
    assert_eq!(
        names(&consumers),
        ["alice", "bob", "carol", "dave", "erin"].map(bulk)
    );
    let full = call!(r.xinfo_stream_full::<Info>("{t}st", Some(Count(1))));
    let Value::Array(entries) = field(&full, "entries") else {
        panic!("{full:?}")
    };
    assert_eq!(
        entries.iter().map(as_entry).collect::<Vec<_>>(),
        vec![e1.clone()]
    );
    let full = call!(r.xinfo_stream_full::<Info>("{t}cap", None));
    assert_eq!(field(&full, "groups"), &Value::Array(vec![]));
    let help = call!(r.xinfo_help::<Vec<String>>());
    assert!(help[0].starts_with("XINFO "), "{help:?}");
    assert!(help.iter().any(|l| l.contains("CONSUMERS")), "{help:?}");

    check!(r.xgroup_setid("{t}st", "g1", "0", Some(EntriesRead(0))) => true);
    let groups = call!(r.xinfo_groups::<Vec<Info>>("{t}st"));
    assert_eq!(field(&groups[0], "last-delivered-id"), &bulk("0-0"));
    assert_eq!(field(&groups[0], "entries-read"), &Value::Int(0));
    check!(r.xgroup_setid("{t}st", "g1", "$", None) => true);
    let groups = call!(r.xinfo_groups::<Vec<Info>>("{t}st"));
    assert_eq!(field(&groups[0], "last-delivered-id"), &bulk("3-0"));
    fails!(r.xgroup_setid("{t}st", "nogroup", "$", None) => "NOGROUP");

    // Deleting a consumer drops its pending entries and replies their number.
    check!(r.xadd::<String>("st2", "1-0", [("f", "v")], &none()) => "1-0");
    check!(r.xreadgroup::<Read>("g1", "c1", &[("st2", ">")], &ro())
        => read(&[("st2", vec![ent("1-0", &[("f", "v")])])]));
    check!(r.xgroup_delconsumer("st2", "g1", "c1") => 1);
    check!(r.xpending::<(u64, Option<String>, Option<String>, Vec<(String, u64)>)>("st2", "g1")
        => (0, None, None, vec![]));
    check!(r.xgroup_delconsumer("{t}st", "g1", "alice") => 0);
    check!(r.xgroup_delconsumer("{t}st", "g1", "nobody") => 0);
    check!(r.xgroup_destroy("{t}st", "g1") => true);
    check!(r.xgroup_destroy("{t}st", "g1") => false);
    check!(r.xinfo_groups::<Vec<Info>>("{t}st") => vec![]);
    let help = call!(r.xgroup_help::<Vec<String>>());
    assert!(help[0].starts_with("XGROUP "), "{help:?}");
    assert!(
        help.iter().any(|l| l.contains("CREATECONSUMER")),
        "{help:?}"
    );

    check!(r.xdel("{t}st", ["1-0", "9-0"]) => 1);
    check!(r.xdel("missing", ["1-0"]) => 0);
    check!(r.xrange::<Vec<Entry>>("{t}st", "-", "+", None) => vec![e3.clone()]);

    // XTRIM: exact trims remove entries; `~` only removes whole nodes (here one node).
    for i in 1..=5 {
        let id = format!("{i}-0");
        check!(r.xadd::<String>("tr", &id, [("n", i)], &none()) => id);
    }
    check!(r.xtrim("tr", &StreamTrim::maxlen(2).approximate()) => 0);
    check!(r.xtrim("tr", &StreamTrim::maxlen(2)) => 3);
    check!(r.xrange::<Vec<Entry>>("tr", "-", "+", None)
        => vec![ent("4-0", &[("n", "4")]), ent("5-0", &[("n", "5")])]);
    check!(r.xtrim("tr", &StreamTrim::minid("5-0")) => 1);
    check!(r.xtrim("tr", &StreamTrim::minid("5-0").approximate().limit(10)) => 0);
    check!(r.xrange::<Vec<Entry>>("tr", "-", "+", None) => vec![ent("5-0", &[("n", "5")])]);
    check!(r.xtrim("missing", &StreamTrim::maxlen(0)) => 0);

    // XSETID moves the last id forward (never below the top entry), with the counters.
    check!(r.xsetid("{t}st", "10-0", &XSetIdOptions::default()) => true);
    let info = call!(r.xinfo_stream::<Info>("{t}st"));
    assert_eq!(field(&info, "last-generated-id"), &bulk("10-0"));
    fails!(r.xsetid("{t}st", "1-0", &XSetIdOptions::default()) => "ERR");
    check!(r.xsetid(
        "{t}st",
        "11-0",
        &XSetIdOptions::default()
            .entries_added(10)
            .max_deleted_id("2-0")
    ) => true);
    let info = call!(r.xinfo_stream::<Info>("{t}st"));
    assert_eq!(field(&info, "last-generated-id"), &bulk("11-0"));
    assert_eq!(field(&info, "entries-added"), &Value::Int(10));
    assert_eq!(field(&info, "max-deleted-entry-id"), &bulk("2-0"));
    fails!(r.xadd::<String>("{t}st", "11-0", [("f", "v")], &none()) => "ERR");
    let id = call!(r.xadd::<String>(
        "{t}st",
        "*",
        [("f", "v")],
        &none().trim(StreamTrim::minid("0").approximate())
    ));
    let (ms, _) = id.split_once('-').unwrap();
    assert!(ms.parse::<u64>().unwrap() > 1_600_000_000_000, "{id}");
    check!(r.xlen("{t}st") => 2);

    check!(r.zadd("zset", &[("a", 1.0)]) => 1);
    fails!(r.xadd::<String>("zset", "*", [("f", "v")], &none()) => "WRONGTYPE");
    fails!(r.xlen("zset") => "WRONGTYPE");
}
