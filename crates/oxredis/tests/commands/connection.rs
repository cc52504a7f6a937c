//! Calls of the connection group's methods, each with the reply it must give.

use super::*;

pub(crate) fn connection(r: &Redis) -> Log {
    let mut log = Log::new();
    let other = Redis::new(r.config().clone());
    let other_id = other.client_id().unwrap();
    let my_id = r.client_id().unwrap();
    assert_ne!(my_id, other_id);
    l!(log, r.client_setname("me"));
    l!(log, r.client_getname::<Option<String>>());
    let me: ClientInfo = r.client_info().unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>((
            me.name().map(str::to_owned),
            me.db(),
            me.id() == Some(my_id),
            me.get("cmd").map(str::to_owned)
        ))
    );
    let all: Vec<ClientInfo> = r.client_list(&ClientListOptions::default()).unwrap();
    l!(log, Ok::<_, oxredis::Error>(all.len() >= 2));
    let normal: Vec<ClientInfo> = r
        .client_list(&ClientListOptions::default().type_("normal"))
        .unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>(normal.iter().filter(|c| c.name() == Some("me")).count())
    );
    let one: Vec<ClientInfo> = r
        .client_list(&ClientListOptions::default().ids(&[other_id]))
        .unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>(
            one.iter()
                .map(|c| c.id() == Some(other_id))
                .collect::<Vec<_>>()
        )
    );
    l!(log, r.client_unblock(other_id, false));
    l!(log, r.client_unblock(other_id, true));
    l!(
        log,
        r.client_kill(&ClientKillFilter::default().id(other_id).skipme(true))
    );
    l!(
        log,
        r.client_kill(&ClientKillFilter::default().id(other_id))
    );
    e!(
        log,
        r.client_kill(&ClientKillFilter::default().user("nobody").type_("normal"))
    );
    l!(
        log,
        r.client_kill(&ClientKillFilter::default().user("default").type_("pubsub"))
    );
    l!(
        log,
        r.client_kill(&ClientKillFilter::default().addr("1.2.3.4:5"))
    );
    e!(
        log,
        r.client_kill(&ClientKillFilter::default().laddr("1.2.3.4:5").maxage(1))
    );
    l!(log, r.client_pause(20, true));
    l!(log, r.client_unpause());
    l!(
        log,
        r.client_tracking(
            true,
            &ClientTrackingOptions::default().redirect(my_id).optin()
        )
    );
    l!(log, r.client_caching(true));
    l!(log, r.client_getredir().map(|id| id == my_id));
    let info: HashMap<String, Value> = r.client_trackinginfo().unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>((info["flags"].clone(), info["prefixes"].clone()))
    );
    l!(
        log,
        r.client_tracking(false, &ClientTrackingOptions::default())
    );
    l!(
        log,
        r.client_tracking(
            true,
            &ClientTrackingOptions::default()
                .redirect(my_id)
                .bcast()
                .prefix("a:")
                .prefix("b:")
                .noloop()
        )
    );
    l!(
        log,
        r.client_trackinginfo::<HashMap<String, Value>>()
            .map(|i| i["prefixes"].clone())
    );
    l!(
        log,
        r.client_tracking(false, &ClientTrackingOptions::default())
    );
    e!(
        log,
        r.client_tracking(true, &ClientTrackingOptions::default().optin().optout())
    );
    l!(log, r.client_getredir());
    l!(log, r.client_no_evict(true));
    l!(log, r.client_no_evict(false));
    l!(log, r.client_reply("ON"));
    l!(log, r.client_help::<Vec<String>>().map(|h| !h.is_empty()));
    log
}
