//! Calls of the connection group's methods, each with the reply it must give.

use super::*;

fn flags_of(r: &Redis) -> String {
    let me: ClientInfo = r.client_info().unwrap();
    me.get("flags").unwrap().to_owned()
}

/// Waits until client `id` is blocked in a command (`b` among its flags).
fn wait_blocked(r: &Redis, id: i64) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let one: Vec<ClientInfo> = r
            .client_list(&ClientListOptions::default().ids(&[id]))
            .unwrap();
        if one.len() == 1 && one[0].get("flags").unwrap().contains('b') {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "client {id} never blocked: {one:?}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

pub(crate) fn connection(r: &Redis) {
    let resp = match r.config().protocol {
        Protocol::Resp2 => "2",
        _ => "3",
    };
    let other = Redis::new(r.config().clone());
    let other_id = call!(other.client_id());
    let my_id = call!(r.client_id());
    assert!(my_id > 0 && other_id > 0);
    assert_ne!(my_id, other_id);
    check!(r.client_id() => my_id);

    check!(r.client_getname::<Option<String>>() => None);
    check!(r.client_setname("me") => true);
    check!(r.client_getname::<Option<String>>() => Some("me".to_owned()));
    // Names cannot hold spaces.
    fails!(r.client_setname("two words") => "ERR");
    check!(r.client_getname::<Option<String>>() => Some("me".to_owned()));
    // An empty name clears it.
    check!(r.client_setname("") => true);
    check!(r.client_getname::<Option<String>>() => None);
    check!(r.client_setname("me") => true);

    let me = call!(r.client_info::<ClientInfo>());
    assert_eq!(me.id(), Some(my_id));
    assert_eq!(me.name(), Some("me"));
    assert_eq!(me.db(), Some(0));
    assert_eq!(me.get("cmd"), Some("client|info"));
    assert_eq!(me.get("resp"), Some(resp));
    assert_eq!(me.get("user"), Some("default"));
    assert_eq!(me.get("flags"), Some("N"));
    assert_eq!(me.get("multi"), Some("-1"));
    assert!(me.addr().unwrap().starts_with("127.0.0.1:"), "{me:?}");

    let all = call!(r.client_list::<Vec<ClientInfo>>(&ClientListOptions::default()));
    let ids: BTreeSet<i64> = all.iter().map(|c| c.id().unwrap()).collect();
    assert_eq!(ids, BTreeSet::from([my_id, other_id]));
    let normal =
        call!(r.client_list::<Vec<ClientInfo>>(&ClientListOptions::default().type_("normal")));
    assert_eq!(normal.len(), 2, "{normal:?}");
    let named: Vec<_> = normal.iter().filter(|c| c.name() == Some("me")).collect();
    assert_eq!(named.len(), 1);
    assert_eq!(named[0].id(), Some(my_id));
    // The other connection is idle, last ran CLIENT ID.
    let one =
        call!(r.client_list::<Vec<ClientInfo>>(&ClientListOptions::default().ids(&[other_id])));
    assert_eq!(one.len(), 1, "{one:?}");
    assert_eq!(one[0].id(), Some(other_id));
    assert_eq!(one[0].name(), Some(""));
    assert_eq!(one[0].get("cmd"), Some("client|id"));
    check!(r.client_list::<Vec<ClientInfo>>(&ClientListOptions::default().type_("pubsub")) =>
        Vec::<ClientInfo>::new());
    check!(r.client_list::<Vec<ClientInfo>>(&ClientListOptions::default().ids(&[999_999])) =>
        Vec::<ClientInfo>::new());
    fails!(r.client_list::<Vec<ClientInfo>>(&ClientListOptions::default().type_("nonsense")) => "ERR");

    // Not blocked: nothing to unblock.
    check!(r.client_unblock(other_id, false) => false);
    check!(r.client_unblock(other_id, true) => false);
    // Blocked in BLPOP: unblocked as if timed out (nil), or with an UNBLOCKED error.
    std::thread::scope(|s| {
        let waiter = s.spawn(|| other.blpop::<Option<(String, String)>>(["nokey"], 0.0));
        wait_blocked(r, other_id);
        check!(r.client_unblock(other_id, false) => true);
        assert_eq!(waiter.join().unwrap().unwrap(), None);
        let waiter = s.spawn(|| other.blpop::<Option<(String, String)>>(["nokey"], 0.0));
        wait_blocked(r, other_id);
        check!(r.client_unblock(other_id, true) => true);
        let err = waiter.join().unwrap().unwrap_err();
        assert_eq!(err.code(), Some("UNBLOCKED"), "{err}");
    });

    // CLIENT PAUSE WRITE holds writes until CLIENT UNPAUSE; reads go on.
    check!(r.client_pause(10_000, true) => true);
    check!(other.get::<Option<String>>("paused") => None);
    std::thread::scope(|s| {
        let writer = s.spawn(|| {
            let set = other.set("paused", "1");
            (set, Instant::now())
        });
        std::thread::sleep(Duration::from_millis(200));
        assert!(!writer.is_finished(), "SET ran during CLIENT PAUSE WRITE");
        let unpausing = Instant::now();
        check!(r.client_unpause() => true);
        let (set, done) = writer.join().unwrap();
        assert!(set.unwrap());
        assert!(done > unpausing, "SET done before CLIENT UNPAUSE");
    });
    check!(r.client_pause(20, true) => true);
    check!(r.client_unpause() => true);

    check!(r.client_kill(&ClientKillFilter::default().id(other_id).skipme(true)) => 1);
    // Already gone.
    check!(r.client_kill(&ClientKillFilter::default().id(other_id)) => 0);
    // SKIPME yes (the default) spares this connection.
    check!(r.client_kill(&ClientKillFilter::default().id(my_id)) => 0);
    check!(r.client_id() => my_id);
    fails!(r.client_kill(&ClientKillFilter::default().user("nobody").type_("normal")) => "ERR");
    check!(r.client_kill(&ClientKillFilter::default().user("default").type_("pubsub")) => 0);
    check!(r.client_kill(&ClientKillFilter::default().addr("1.2.3.4:5")) => 0);
    // A filter on its own (an empty filter would be a syntax error): nobody matches.
    check!(r.client_kill(&ClientKillFilter::default().laddr("1.2.3.4:5")) => 0);
    if is_valkey(r) {
        // No client here is eleven days old.
        check!(r.client_kill(&ClientKillFilter::default().maxage(1_000_000)) => 0);
    }
    if is_valkey(r) {
        // Valkey knows MAXAGE (Redis 7.4); Redis 7.0 does not.
        check!(r.client_kill(&ClientKillFilter::default().laddr("1.2.3.4:5").maxage(1)) => 0);
    } else {
        fails!(r.client_kill(&ClientKillFilter::default().laddr("1.2.3.4:5").maxage(1)) => "ERR");
    }
    // The killed client reconnects on its next command, with a new id. (The pool looks for a
    // closed idle connection only when it has been idle a millisecond: give it that.)
    std::thread::sleep(Duration::from_millis(10));
    let new_other = call!(other.client_id());
    assert!(new_other > other_id, "{new_other} after {other_id}");

    // Not tracking: GETREDIR is -1.
    check!(r.client_getredir() => -1);
    check!(r.client_tracking(
        true,
        &ClientTrackingOptions::default().redirect(new_other).optin()
    ) => true);
    check!(r.client_getredir() => new_other);
    check!(r.client_caching(true) => true);
    // CLIENT commands do not consume CACHING YES: it still waits for the next command.
    let info = call!(r.client_trackinginfo::<HashMap<String, Value>>());
    let bulk = |s: &'static str| Value::Bulk(s.into());
    assert_eq!(
        info["flags"],
        Value::Array(vec![bulk("on"), bulk("optin"), bulk("caching-yes")]),
        "{info:?}"
    );
    assert_eq!(info["redirect"], Value::Int(new_other));
    assert_eq!(info["prefixes"], Value::Array(vec![]));
    // CACHING YES only means something with OPTIN, NO with OPTOUT.
    fails!(r.client_caching(false) => "ERR");
    check!(r.client_tracking(false, &ClientTrackingOptions::default()) => true);
    check!(r.client_trackinginfo::<HashMap<String, Value>>() => HashMap::from([
        ("flags".to_owned(), Value::Array(vec![bulk("off")])),
        ("redirect".to_owned(), Value::Int(-1)),
        ("prefixes".to_owned(), Value::Array(vec![])),
    ]));
    fails!(r.client_caching(true) => "ERR");
    check!(r.client_tracking(
        true,
        &ClientTrackingOptions::default()
            .redirect(new_other)
            .bcast()
            .prefix("b:")
            .prefix("a:")
            .noloop()
    ) => true);
    // Prefixes come back sorted.
    check!(r.client_trackinginfo::<HashMap<String, Value>>() => HashMap::from([
        ("flags".to_owned(), Value::Array(vec![bulk("on"), bulk("bcast"), bulk("noloop")])),
        ("redirect".to_owned(), Value::Int(new_other)),
        ("prefixes".to_owned(), Value::Array(vec![bulk("a:"), bulk("b:")])),
    ]));
    assert!(flags_of(r).contains('t'), "{}", flags_of(r));
    check!(r.client_tracking(false, &ClientTrackingOptions::default()) => true);
    fails!(r.client_tracking(true, &ClientTrackingOptions::default().optin().optout()) => "ERR");
    // Redirecting to a client that does not exist.
    fails!(r.client_tracking(true, &ClientTrackingOptions::default().redirect(999_999)) => "ERR");
    check!(r.client_getredir() => -1);
    assert!(!flags_of(r).contains('t'), "{}", flags_of(r));

    check!(r.client_no_evict(true) => true);
    assert!(flags_of(r).contains('e'), "{}", flags_of(r));
    check!(r.client_no_evict(false) => true);
    assert!(!flags_of(r).contains('e'), "{}", flags_of(r));
    check!(r.client_reply("ON") => true);
    // OFF and SKIP would swallow the reply the client waits for: refused before sending.
    for mode in ["OFF", "SKIP"] {
        let err = r.client_reply(mode).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Data, "{err}");
    }
    check!(r.client_id() => my_id);
    let help = call!(r.client_help::<Vec<String>>());
    super::server::assert_help(&help, "CLIENT", "CACHING (YES|NO)");

    // Cluster-only connection commands, on a server without cluster support (Valkey accepts
    // READONLY and READWRITE there).
    fails!(r.asking() => "ERR");
    if is_valkey(r) {
        check!(r.readonly() => true);
        check!(r.readwrite() => true);
    } else {
        fails!(r.readonly() => "ERR");
        fails!(r.readwrite() => "ERR");
    }
}
