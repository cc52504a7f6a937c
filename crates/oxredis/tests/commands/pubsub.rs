//! Calls of the pubsub group's methods, each with the reply it must give.

use oxredis::pubsub::MessageKind as MsgKind;

use super::*;

pub(crate) fn pubsub(r: &Redis) {
    // Nobody subscribed yet: every count is zero, every list empty.
    check!(r.publish("news", "early") => 0);
    check!(r.spublish("shard", "early") => 0);
    check!(r.pubsub_channels::<Vec<String>>("*") => Vec::<String>::new());
    check!(r.pubsub_numpat() => 0);

    // A subscriber (its own connection) on a channel, a pattern and a shard channel.
    let mut sub = r.pubsub().ignore_subscribe_messages(true);
    sub.subscribe("news").unwrap();
    sub.psubscribe("n*").unwrap();
    sub.ssubscribe("shard").unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while call!(r.pubsub_shardnumsub::<HashMap<String, i64>>(["shard"]))["shard"] == 0 {
        assert!(Instant::now() < deadline, "subscriber never registered");
        std::thread::sleep(Duration::from_millis(5));
    }

    // "news" reaches the channel subscription and the pattern "n*": two receivers.
    check!(r.publish("news", "hello") => 2);
    // "nobody" matches "n*" only; "other" reaches nobody.
    check!(r.publish("nobody", "hello") => 1);
    check!(r.publish("other", "hello") => 0);
    // Binary payload, delivered unchanged.
    let raw: &[u8] = b"a\0b\xff";
    check!(r.spublish("shard", raw) => 1);
    check!(r.spublish("unknown-shard", "hello") => 0);

    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while got.len() < 4 {
        assert!(Instant::now() < deadline, "only {got:?} arrived");
        // `None`: nothing yet, or a subscription confirmation that is ignored.
        let Some(msg) = sub.get_message(Some(Duration::from_millis(100))).unwrap() else {
            continue;
        };
        got.push((
            msg.kind,
            msg.channel_str().map(str::to_owned),
            msg.pattern_str().map(str::to_owned),
            msg.data_bytes().map(<[u8]>::to_vec),
        ));
    }
    let s = |t: &str| Some(t.to_owned());
    let b = |t: &[u8]| Some(t.to_vec());
    let mut want = vec![
        (MsgKind::Message, s("news"), None, b(b"hello")),
        (MsgKind::PMessage, s("news"), s("n*"), b(b"hello")),
        (MsgKind::PMessage, s("nobody"), s("n*"), b(b"hello")),
        (MsgKind::SMessage, s("shard"), None, b(raw)),
    ];
    // The channel and pattern deliveries of one PUBLISH come in the server's order.
    let key = |m: &(MsgKind, Option<String>, Option<String>, Option<Vec<u8>>)| {
        (m.1.clone(), m.2.clone(), m.0.as_str())
    };
    got.sort_by_key(key);
    want.sort_by_key(key);
    assert_eq!(got, want);

    // Pattern and shard subscriptions are not plain channels.
    check!(r.pubsub_channels::<Vec<String>>("*") => vec!["news".to_owned()]);
    check!(r.pubsub_channels::<Vec<String>>("x*") => Vec::<String>::new());
    check!(r.pubsub_numsub::<BTreeMap<String, i64>>(["news", "other"]) => BTreeMap::from([
        ("news".to_owned(), 1),
        ("other".to_owned(), 0),
    ]));
    check!(r.pubsub_numsub::<BTreeMap<String, i64>>(Vec::<String>::new()) => BTreeMap::new());
    check!(r.pubsub_numpat() => 1);
    check!(r.pubsub_shardchannels::<Vec<String>>("*") => vec!["shard".to_owned()]);
    check!(r.pubsub_shardchannels::<Vec<String>>("news") => Vec::<String>::new());
    check!(r.pubsub_shardnumsub::<BTreeMap<String, i64>>(["shard", "unknown-shard"]) =>
        BTreeMap::from([("shard".to_owned(), 1), ("unknown-shard".to_owned(), 0)]));
    let help = call!(r.pubsub_help::<Vec<String>>());
    super::server::assert_help(&help, "PUBSUB", "NUMSUB");

    sub.close();
    // Once the subscriber is gone, the server forgets the channels.
    let deadline = Instant::now() + Duration::from_secs(5);
    while call!(r.pubsub_numpat()) != 0 {
        assert!(Instant::now() < deadline, "subscriber never left");
        std::thread::sleep(Duration::from_millis(5));
    }
    check!(r.pubsub_channels::<Vec<String>>("*") => Vec::<String>::new());
    check!(r.pubsub_shardchannels::<Vec<String>>("*") => Vec::<String>::new());
}
