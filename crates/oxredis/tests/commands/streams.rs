//! Calls of the streams group's methods, each with the reply it must give.

use super::*;

pub(crate) fn streams(r: &Redis) -> Log {
    let mut log = Log::new();
    let none = XAddOptions::default();
    l!(
        log,
        r.xadd::<String>("st", "1-0", [("f", "v1"), ("g", "w1")], &none)
    );
    l!(log, r.xadd::<String>("st", "2-0", [("f", "v2")], &none));
    l!(
        log,
        r.xadd::<String>(
            "st",
            "3-0",
            [("f", "v3")],
            &XAddOptions::default().trim(StreamTrim::maxlen(10))
        )
    );
    l!(
        log,
        r.xadd::<Option<String>>(
            "nostream",
            "*",
            [("f", "v")],
            &XAddOptions::default().nomkstream()
        )
    );
    e!(log, r.xadd::<String>("st", "1-0", [("f", "v")], &none));
    l!(log, r.xlen("st"));
    l!(log, r.xrange::<Vec<StreamEntry>>("st", "-", "+", None));
    l!(log, r.xrange::<Value>("st", "-", "+", Some(Count(1))));
    l!(
        log,
        r.xrevrange::<Vec<StreamEntry>>("st", "+", "(1-0", None)
    );
    let e: Vec<StreamEntry> = r.xrange("st", "1-0", "1-0", None).unwrap();
    assert_eq!(e[0].get("g").map(|b| &b[..]), Some(&b"w1"[..]));
    l!(
        log,
        r.xread::<BTreeMap<String, Vec<StreamEntry>>>(
            &[("st", "1-0")],
            &XReadOptions::default().count(1)
        )
    );
    l!(
        log,
        r.xread::<Value>(&[("st", "0"), ("nostream", "0")], &XReadOptions::default())
    );
    l!(
        log,
        r.xread::<Option<Value>>(&[("st", "$")], &XReadOptions::default().block(10))
    );
    l!(
        log,
        r.xgroup_create("st", "g1", "0", &XGroupCreateOptions::default())
    );
    l!(
        log,
        r.xgroup_create(
            "st2",
            "g1",
            "$",
            &XGroupCreateOptions::default().mkstream().entries_read(0)
        )
    );
    e!(
        log,
        r.xgroup_create("st", "g1", "0", &XGroupCreateOptions::default())
    );
    l!(log, r.xgroup_createconsumer("st", "g1", "alice"));
    l!(log, r.xgroup_createconsumer("st", "g1", "alice"));
    l!(
        log,
        r.xreadgroup::<BTreeMap<String, Vec<StreamEntry>>>(
            "g1",
            "alice",
            &[("st", ">")],
            &XReadOptions::default().count(2)
        )
    );
    l!(
        log,
        r.xreadgroup::<Value>(
            "g1",
            "bob",
            &[("st", ">")],
            &XReadOptions::default().noack()
        )
    );
    l!(
        log,
        r.xreadgroup::<Option<Value>>(
            "g1",
            "bob",
            &[("st", ">")],
            &XReadOptions::default().block(10)
        )
    );
    l!(log, r.xpending::<PendingSummary>("st", "g1"));
    l!(log, r.xpending::<PendingSummary>("st2", "g1"));
    let pending: Vec<PendingEntry> = r
        .xpending_range("st", "g1", "-", "+", 10, &XPendingOptions::default())
        .unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>(
            pending
                .iter()
                .map(|p| (p.id.clone(), p.consumer.clone(), p.deliveries))
                .collect::<Vec<_>>()
        )
    );
    l!(
        log,
        r.xpending_range::<Vec<PendingEntry>>(
            "st",
            "g1",
            "-",
            "+",
            10,
            &XPendingOptions::default().idle(1_000_000).consumer("alice")
        )
    );
    l!(
        log,
        r.xclaim::<Vec<StreamEntry>>(
            "st",
            "g1",
            "bob",
            0,
            ["1-0"],
            &XClaimOptions::default().retrycount(5)
        )
    );
    l!(
        log,
        r.xclaim::<Vec<String>>(
            "st",
            "g1",
            "alice",
            0,
            ["1-0", "2-0"],
            &XClaimOptions::default().justid().idle(5).force()
        )
    );
    let (next, claimed, deleted): (String, Vec<StreamEntry>, Vec<String>) = l!(
        log,
        r.xautoclaim(
            "st",
            "g1",
            "carol",
            0,
            "0",
            &XAutoClaimOptions::default().count(10)
        )
    );
    assert_eq!((next.as_str(), claimed.len(), deleted.len()), ("0-0", 2, 0));
    l!(
        log,
        r.xautoclaim::<(String, Vec<String>, Vec<String>)>(
            "st",
            "g1",
            "dave",
            0,
            "0",
            &XAutoClaimOptions::default().justid()
        )
    );
    l!(log, r.xack("st", "g1", ["1-0", "2-0", "9-0"]));
    l!(log, r.xinfo_stream::<Value>("st"));
    let full: BTreeMap<String, Value> = r.xinfo_stream_full("st", Some(Count(10))).unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>((
            full["length"].clone(),
            full["entries"].clone(),
            full.contains_key("groups")
        ))
    );
    let groups: Vec<BTreeMap<String, Value>> = l!(log, r.xinfo_groups("st"));
    assert_eq!(groups[0]["name"], Value::Bulk("g1".into()));
    let consumers: Vec<BTreeMap<String, Value>> = r.xinfo_consumers("st", "g1").unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>(
            consumers
                .iter()
                .map(|c| (c["name"].clone(), c["pending"].clone()))
                .collect::<Vec<_>>()
        )
    );
    l!(log, r.xinfo_help::<Vec<String>>().map(|h| !h.is_empty()));
    l!(log, r.xgroup_setid("st", "g1", "0", Some(EntriesRead(0))));
    l!(log, r.xgroup_setid("st", "g1", "$", None));
    l!(log, r.xgroup_delconsumer("st", "g1", "alice"));
    l!(log, r.xgroup_destroy("st", "g1"));
    l!(log, r.xgroup_destroy("st", "g1"));
    l!(log, r.xgroup_help::<Vec<String>>().map(|h| !h.is_empty()));
    l!(log, r.xdel("st", ["1-0", "9-0"]));
    l!(log, r.xtrim("st", &StreamTrim::maxlen(1)));
    l!(
        log,
        r.xtrim("st", &StreamTrim::minid("5-0").approximate().limit(10))
    );
    l!(log, r.xsetid("st", "10-0", &XSetIdOptions::default()));
    l!(
        log,
        r.xsetid(
            "st",
            "11-0",
            &XSetIdOptions::default()
                .entries_added(10)
                .max_deleted_id("2-0")
        )
    );
    l!(
        log,
        r.xadd::<String>(
            "st",
            "*",
            [("f", "v")],
            &XAddOptions::default().trim(StreamTrim::minid("0").approximate())
        )
        .map(|id| id.contains('-'))
    );
    log
}
