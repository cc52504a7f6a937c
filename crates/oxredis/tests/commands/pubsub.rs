//! Calls of the pubsub group's methods, each with the reply it must give.

use super::*;

pub(crate) fn pubsub(r: &Redis) -> Log {
    let mut log = Log::new();
    // A subscriber (its own connection), so the introspection commands have something to count.
    let mut sub = r.pubsub();
    sub.subscribe("news").unwrap();
    sub.ssubscribe("shard").unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while r.pubsub_numsub::<HashMap<String, i64>>(["news"]).unwrap()["news"] == 0 {
        assert!(Instant::now() < deadline, "subscriber never registered");
        std::thread::sleep(Duration::from_millis(5));
    }
    l!(log, r.publish("news", "hello"));
    l!(log, r.publish("nobody", "hello"));
    l!(log, r.spublish("shard", "hello"));
    l!(log, r.pubsub_channels::<Vec<String>>("*"));
    l!(
        log,
        r.pubsub_numsub::<BTreeMap<String, i64>>(["news", "other"])
    );
    l!(log, r.pubsub_numpat());
    l!(log, r.pubsub_shardchannels::<Vec<String>>("*"));
    l!(
        log,
        r.pubsub_shardnumsub::<BTreeMap<String, i64>>(["shard"])
    );
    l!(log, r.pubsub_help::<Vec<String>>().map(|h| !h.is_empty()));
    sub.close();
    log
}
