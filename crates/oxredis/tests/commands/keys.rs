//! Calls of the keys group's methods, each with the reply it must give.

use super::*;

pub(crate) fn keys(r: &Redis) -> Log {
    let mut log = Log::new();
    l!(log, r.mset([("k1", "1"), ("k2", "2"), ("k3", "3")]));
    l!(log, r.exists(["k1", "k2", "nope"]));
    l!(log, r.type_::<String>("k1"));
    l!(log, r.type_::<String>("nope"));
    l!(log, r.keys::<BTreeSet<String>>("k*"));
    l!(log, r.touch(["k1", "nope"]));
    l!(log, r.expire("k1", 100));
    l!(log, r.expire_if("k1", 50, ExpireCondition::Gt));
    l!(log, r.expire_if("k1", 50, ExpireCondition::Lt));
    l!(log, r.ttl("k1"));
    l!(log, r.pexpire("k2", 100_000, None));
    l!(log, r.pexpire("k2", 100_000, Some(ExpireCondition::Nx)));
    l!(log, r.expireat("k3", 4_000_000_000, None));
    l!(log, r.expiretime("k3"));
    l!(
        log,
        r.pexpireat("k3", 4_000_000_000_123, Some(ExpireCondition::Xx))
    );
    l!(log, r.pexpiretime("k3"));
    l!(log, r.persist("k3"));
    l!(log, r.persist("k3"));
    l!(log, r.expiretime("k3"));
    l!(log, r.pttl("nope"));
    l!(log, r.copy("k3", "k4", &CopyOptions::default()));
    l!(log, r.copy("k3", "k4", &CopyOptions::default()));
    l!(log, r.copy("k3", "k4", &CopyOptions::default().replace()));
    l!(log, r.copy("k3", "k4", &CopyOptions::default().db(1)));
    l!(log, r.rename("k4", "k5"));
    e!(log, r.rename("nope", "k6"));
    l!(log, r.renamenx("k5", "k3"));
    l!(log, r.renamenx("k5", "k6"));
    l!(log, r.move_("k6", 2));
    l!(log, r.move_("k6", 2));
    l!(log, r.unlink(["k6", "k2"]));
    l!(log, r.delete(["k1", "nope"]));
    let dumped: Vec<u8> = l!(log, r.dump("k3"));
    l!(log, r.dump::<Option<Vec<u8>>>("nope"));
    l!(log, r.restore("r1", 0, &dumped, &RestoreOptions::default()));
    e!(log, r.restore("r1", 0, &dumped, &RestoreOptions::default()));
    l!(
        log,
        r.restore(
            "r1",
            0,
            &dumped,
            &RestoreOptions::default().replace().idletime(10)
        )
    );
    l!(
        log,
        r.restore_asking("r2", 100_000, &dumped, &RestoreOptions::default())
    );
    l!(log, r.get::<String>("r1"));
    l!(log, r.object_encoding::<String>("r1"));
    l!(log, r.object_refcount("r1"));
    l!(log, r.object_idletime("r1").map(|i| i < 100));
    e!(log, r.object_freq("r1"));
    l!(log, r.object_help::<Vec<String>>().map(|h| !h.is_empty()));
    l!(log, r.rpush("sortme", ["3", "1", "2"]));
    l!(log, r.mset([("w_1", "30"), ("w_2", "20"), ("w_3", "10")]));
    l!(
        log,
        r.sort::<Vec<String>>("sortme", &SortOptions::default())
    );
    l!(
        log,
        r.sort::<Vec<String>>("sortme", &SortOptions::default().desc().limit(0, 2))
    );
    l!(
        log,
        r.sort::<Vec<String>>(
            "sortme",
            &SortOptions::default().by("w_*").get("#").get("w_*")
        )
    );
    l!(
        log,
        r.sort::<i64>("sortme", &SortOptions::default().alpha().store("sorted"))
    );
    l!(
        log,
        r.sort_ro::<Vec<String>>("sortme", &SortOptions::default().desc())
    );
    l!(log, r.wait(0, 10));
    l!(log, r.flushdb());
    l!(log, r.randomkey::<Option<String>>());
    l!(log, r.set("only", "1"));
    l!(log, r.randomkey::<Option<String>>());
    let (cursor, page): (u64, Vec<String>) = l!(log, r.scan(0, &ScanOptions::default().count(10)));
    assert_eq!((cursor, page), (0, vec!["only".to_owned()]));
    log
}

pub(crate) fn migrate(r: &Redis) -> Log {
    let mut log = Log::new();
    let target = RedisServer::new();
    let t = Redis::from_url(&target.url()).unwrap();
    l!(log, r.mset([("m1", "a"), ("m2", "b")]));
    let port = target.port();
    l!(
        log,
        r.migrate::<String>(
            "127.0.0.1",
            port,
            ["m1", "m2"],
            0,
            1000,
            &MigrateOptions::default().copy()
        )
    );
    l!(log, t.mget::<Vec<Option<String>>>(["m1", "m2"]));
    e!(
        log,
        r.migrate::<String>(
            "127.0.0.1",
            port,
            ["m1"],
            0,
            1000,
            &MigrateOptions::default()
        )
    );
    l!(
        log,
        r.migrate::<String>(
            "127.0.0.1",
            port,
            ["m1"],
            0,
            1000,
            &MigrateOptions::default().replace()
        )
    );
    l!(
        log,
        r.migrate::<String>(
            "127.0.0.1",
            port,
            ["nope"],
            0,
            1000,
            &MigrateOptions::default()
        )
    );
    e!(
        log,
        r.migrate::<String>(
            "127.0.0.1",
            port,
            ["m2"],
            0,
            1000,
            &MigrateOptions::default().replace().auth(Some("u"), "p")
        )
    );
    l!(log, r.exists(["m1", "m2"]));
    log
}
