//! Calls of the acl group's methods, each with the reply it must give.

use super::*;

/// SHA-256 of "pw" (`printf pw | sha256sum`): ACL keeps password hashes, never the password.
const PW_HASH: &str = "30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4";

fn bulk(s: &str) -> Value {
    Value::Bulk(s.to_owned().into())
}

fn user_client(r: &Redis, user: &str, password: &str) -> Redis {
    let mut cfg = r.config().clone();
    cfg.username = Some(user.into());
    cfg.password = Some(password.into());
    Redis::new(cfg)
}

pub(crate) fn acl(r: &Redis) {
    let valkey = is_valkey(r);
    check!(r.acl_users::<Vec<String>>() => ["default"]);
    check!(r.acl_list::<Vec<String>>() => ["user default on nopass ~* &* +@all"]);
    check!(r.acl_whoami::<String>() => "default");
    check!(r.acl_setuser("u1", ["reset", "on", ">pw", "~k*", "+get", "(~x* +del)"]) => true);
    fails!(r.acl_setuser("u2", ["badrule"]) => "ERR");

    let user = call!(r.acl_getuser::<HashMap<String, Value>>("u1"));
    // Redis 7.0 shows the default sanitize-payload flag; Valkey 9 adds per-database rules.
    let (flags, extra): (&[&str], &[(&str, &str)]) = if valkey {
        (&["on"], &[("databases", "alldbs")])
    } else {
        (&["on", "sanitize-payload"], &[])
    };
    let mut selector = vec![
        (bulk("commands"), bulk("-@all +del")),
        (bulk("keys"), bulk("~x*")),
        (bulk("channels"), bulk("")),
    ];
    selector.extend(extra.iter().map(|(k, v)| (bulk(k), bulk(v))));
    let mut want = HashMap::from([
        (
            "flags".to_owned(),
            Value::Array(flags.iter().map(|f| bulk(f)).collect()),
        ),
        ("passwords".to_owned(), Value::Array(vec![bulk(PW_HASH)])),
        ("commands".to_owned(), bulk("-@all +get")),
        ("keys".to_owned(), bulk("~k*")),
        ("channels".to_owned(), bulk("")),
        (
            "selectors".to_owned(),
            Value::Array(vec![Value::Map(selector)]),
        ),
    ]);
    want.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), bulk(v))));
    assert_eq!(user, want);
    check!(r.acl_getuser::<Option<Value>>("nobody") => None);

    check!(r.acl_users::<Vec<String>>() => ["default", "u1"]);
    let sanitize = if valkey { "" } else { " sanitize-payload" };
    check!(r.acl_list::<Vec<String>>() => [
        "user default on nopass ~* &* +@all".to_owned(),
        format!("user u1 on{sanitize} #{PW_HASH} ~k* resetchannels -@all +get (~x* resetchannels -@all +del)"),
    ]);

    let cats = call!(r.acl_cat::<BTreeSet<String>>(None));
    assert_eq!(
        cats,
        BTreeSet::from(
            [
                "admin",
                "bitmap",
                "blocking",
                "connection",
                "dangerous",
                "fast",
                "geo",
                "hash",
                "hyperloglog",
                "keyspace",
                "list",
                "pubsub",
                "read",
                "scripting",
                "set",
                "slow",
                "sortedset",
                "stream",
                "string",
                "transaction",
                "write"
            ]
            .map(str::to_owned)
        )
    );
    check!(r.acl_cat::<BTreeSet<String>>(Some("hyperloglog")) =>
        BTreeSet::from(["pfadd", "pfcount", "pfdebug", "pfmerge", "pfselftest"].map(str::to_owned)));
    fails!(r.acl_cat::<Vec<String>>(Some("nosuchcategory")) => "ERR");

    // GET on k* by the root rules; DEL on x* by the selector; nothing else.
    check!(r.acl_dryrun::<String>("u1", ("GET", "k1")) => "OK");
    check!(r.acl_dryrun::<String>("u1", ("DEL", "x1")) => "OK");
    let denied = |key: &str| {
        if valkey {
            format!("User u1 has no permissions to access the '{key}' key")
        } else {
            format!("This user has no permissions to access the '{key}' key")
        }
    };
    check!(r.acl_dryrun::<String>("u1", ("DEL", "k1")) => denied("k1"));
    check!(r.acl_dryrun::<String>("u1", ("GET", "x1")) => denied("x1"));
    fails!(r.acl_dryrun::<String>("nobody", ("GET", "k1")) => "ERR");

    // 256 bits by default, as hex; a bit count rounds up to whole hex digits.
    let hex = |p: &str| {
        p.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    };
    let p1 = call!(r.acl_genpass(None));
    assert!(p1.len() == 64 && hex(&p1), "{p1}");
    let p2 = call!(r.acl_genpass(None));
    assert_ne!(p1, p2);
    let p = call!(r.acl_genpass(Some(32)));
    assert!(p.len() == 8 && hex(&p), "{p}");
    let p = call!(r.acl_genpass(Some(5)));
    assert!(p.len() == 2 && hex(&p), "{p}");
    fails!(r.acl_genpass(Some(0)) => "ERR");

    // The limited user: its key denial and a failed login land in the ACL log.
    check!(r.acl_log::<Vec<Value>>(None) => Vec::<Value>::new());
    let limited = user_client(r, "u1", "pw");
    let denied_del = || {
        // DEL belongs to the keys group: called plainly, so its coverage stays that group's.
        let err = limited.delete(["k1"]).unwrap_err();
        assert_eq!(err.code(), Some("NOPERM"), "{err}");
    };
    denied_del();
    fails!(limited.acl_whoami::<String>() => "NOPERM");
    check!(r.acl_setuser("u1", ["+acl|whoami"]) => true);
    check!(limited.acl_whoami::<String>() => "u1");
    assert_eq!(limited.get::<Option<String>>("k1").unwrap(), None);
    let wrong = user_client(r, "u1", "bad");
    fails!(wrong.ping() => "WRONGPASS");

    let login = match r.config().protocol {
        Protocol::Resp2 => "AUTH",
        _ => "HELLO",
    };
    let entries = call!(r.acl_log::<Vec<HashMap<String, Value>>>(None));
    // Newest first: the failed login, the denied ACL WHOAMI, the denied DEL.
    let summary: Vec<_> = entries
        .iter()
        .map(|e| {
            (
                e["reason"].clone(),
                e["context"].clone(),
                e["object"].clone(),
                e["username"].clone(),
                e["count"].clone(),
            )
        })
        .collect();
    let mut expected = vec![
        // The client logs in with HELLO on RESP3, with AUTH on RESP2.
        (
            bulk("auth"),
            bulk("toplevel"),
            bulk(login),
            bulk("u1"),
            Value::Int(1),
        ),
        (
            bulk("command"),
            bulk("toplevel"),
            bulk("acl|whoami"),
            bulk("u1"),
            Value::Int(1),
        ),
        (
            bulk("key"),
            bulk("toplevel"),
            bulk("k1"),
            bulk("u1"),
            Value::Int(1),
        ),
    ];
    if is_valkey(r) {
        // Valkey has CLIENT SETINFO, which the handshake sends and u1 may not run: each of
        // u1's two logins adds to one entry (Redis 7.0 has no such command to deny).
        expected.push((
            bulk("command"),
            bulk("toplevel"),
            bulk("client|setinfo"),
            bulk("u1"),
            Value::Int(2),
        ));
    }
    assert_eq!(summary, expected);
    for e in &entries {
        assert!(
            matches!(e["age-seconds"], Value::Double(a) if (0.0..60.0).contains(&a)),
            "{e:?}"
        );
        let client = e["client-info"].as_bytes().unwrap();
        assert!(client.starts_with(b"id="), "{e:?}");
    }
    // The same denial again is counted in its entry, not logged twice.
    denied_del();
    let newest = call!(r.acl_log::<Vec<HashMap<String, Value>>>(Some(1)));
    assert_eq!(newest.len(), 1);
    assert_eq!(
        (&newest[0]["object"], &newest[0]["count"]),
        (&bulk("k1"), &Value::Int(2))
    );
    check!(r.acl_log::<Vec<Value>>(Some(0)) => Vec::<Value>::new());
    check!(r.acl_log_reset() => true);
    check!(r.acl_log::<Vec<Value>>(None) => Vec::<Value>::new());

    // No ACL file configured.
    fails!(r.acl_save() => "ERR");
    fails!(r.acl_load() => "ERR");
    check!(r.acl_deluser(["u1", "nobody"]) => 1);
    check!(r.acl_deluser(["u1"]) => 0);
    check!(r.acl_users::<Vec<String>>() => ["default"]);
    // The default user cannot be deleted.
    fails!(r.acl_deluser(["default"]) => "ERR");
    let help = call!(r.acl_help::<Vec<String>>());
    super::server::assert_help(&help, "ACL", "CAT [<category>]");
}
