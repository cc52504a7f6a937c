//! Calls of the acl group's methods, each with the reply it must give.

use super::*;

pub(crate) fn acl(r: &Redis) -> Log {
    let mut log = Log::new();
    l!(
        log,
        r.acl_setuser("u1", ["reset", "on", ">pw", "~k*", "+get", "(~x* +del)"])
    );
    l!(log, r.acl_getuser::<Value>("u1"));
    l!(log, r.acl_getuser::<Option<Value>>("nobody"));
    l!(log, r.acl_users::<Vec<String>>());
    l!(log, r.acl_list::<Vec<String>>());
    l!(
        log,
        r.acl_cat::<Vec<String>>(None)
            .map(|c| c.contains(&"string".to_owned()))
    );
    l!(log, r.acl_cat::<BTreeSet<String>>(Some("hyperloglog")));
    l!(log, r.acl_dryrun::<String>("u1", ("GET", "k1")));
    l!(log, r.acl_dryrun::<String>("u1", ("DEL", "k1")));
    l!(log, r.acl_genpass(None).map(|p| p.len()));
    l!(log, r.acl_genpass(Some(32)).map(|p| p.len()));
    l!(log, r.acl_whoami::<String>());
    let mut cfg = r.config().clone();
    cfg.username = Some("u1".into());
    cfg.password = Some("pw".into());
    let limited = Redis::new(cfg);
    let denied = limited.delete(["k1"]).unwrap_err();
    assert_eq!(denied.kind(), ErrorKind::NoPermission);
    let entries: Vec<HashMap<String, Value>> = r.acl_log(None).unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>(
            entries
                .iter()
                .map(|e| (
                    e["reason"].clone(),
                    e["object"].clone(),
                    e["username"].clone(),
                    matches!(e["age-seconds"], Value::Double(_))
                ))
                .collect::<Vec<_>>()
        )
    );
    l!(log, r.acl_log::<Vec<Value>>(Some(0)));
    l!(log, r.acl_log_reset());
    l!(log, r.acl_log::<Vec<Value>>(None));
    e!(log, r.acl_save());
    e!(log, r.acl_load());
    l!(log, r.acl_deluser(["u1", "nobody"]));
    l!(log, r.acl_help::<Vec<String>>().map(|h| !h.is_empty()));
    log
}
