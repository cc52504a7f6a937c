//! Calls of the server group's methods, each with the reply it must give.

use super::*;

pub(crate) fn server_cmds(r: &Redis) -> Log {
    let mut log = Log::new();
    // First: it clears the command statistics the coverage check reads afterwards.
    l!(log, r.config_resetstat());
    l!(log, r.ping());
    l!(log, r.echo::<String>("hi"));
    let info: HashMap<String, Value> = r.info("server").unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>((
            info["redis_version"].clone(),
            info["tcp_port"] != Value::Nil
        ))
    );
    l!(log, r.set("k", "v"));
    let ks: BTreeMap<String, BTreeMap<String, i64>> = l!(log, r.info("keyspace"));
    assert_eq!(ks["db0"]["keys"], 1);
    l!(log, r.dbsize());
    l!(log, r.config_get::<BTreeMap<String, String>>("maxmemory*"));
    l!(
        log,
        r.config_get::<BTreeMap<String, String>>(["hz", "port"])
            .map(|m| m.keys().cloned().collect::<Vec<_>>())
    );
    l!(
        log,
        r.config_set([
            ("slowlog-log-slower-than", "0"),
            ("latency-monitor-threshold", "10")
        ])
    );
    l!(log, r.ping());
    let slow: Vec<SlowLogEntry> = r.slowlog_get(Some(1)).unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>((
            slow.len(),
            slow[0].args.clone(),
            slow[0].client_name.clone()
        ))
    );
    l!(log, r.slowlog_len().map(|n| n > 0));
    l!(log, r.slowlog_reset());
    l!(log, r.slowlog_help::<Vec<String>>().map(|h| !h.is_empty()));
    let rewrite = r.config_rewrite();
    assert!(
        matches!(&rewrite, Ok(true))
            || matches!(&rewrite, Err(e) if e.kind() == ErrorKind::Response)
    );
    l!(log, r.config_help::<Vec<String>>().map(|h| !h.is_empty()));
    l!(log, r.save());
    l!(log, r.lastsave().map(|t| t > 1_600_000_000));
    l!(
        log,
        r.bgsave::<String>(true)
            .map(|s| s.starts_with("Background saving"))
    );
    l!(
        log,
        r.bgrewriteaof::<String>()
            .map(|s| s.starts_with("Background append only file rewriting"))
    );
    let (secs, micros) = r.time().unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>(secs > 1_600_000_000 && micros < 1_000_000)
    );
    l!(log, r.swapdb(0, 1));
    l!(log, r.dbsize());
    l!(log, r.swapdb(0, 1));
    l!(log, r.role::<Vec<Value>>().map(|v| v[0].clone()));
    l!(log, r.replicaof::<String>("NO", "ONE"));
    l!(log, r.slaveof::<String>("NO", "ONE"));
    e!(
        log,
        r.failover::<String>(&FailoverOptions::default().abort())
    );
    e!(
        log,
        r.failover::<String>(
            &FailoverOptions::default()
                .to("127.0.0.1", 1, false)
                .timeout(10)
        )
    );
    l!(
        log,
        r.lolwut::<String>(None).map(|s| s.contains("Redis ver."))
    );
    l!(
        log,
        r.lolwut::<String>(Some(LolwutVersion(5)))
            .map(|s| s.contains("Redis ver."))
    );
    l!(
        log,
        r.debug_object::<String>("k")
            .map(|s| s.contains("encoding:embstr"))
    );
    l!(log, r.debug_sleep(0.02));
    let latest: Vec<(String, i64, i64, i64)> = r.latency_latest().unwrap();
    // Other events (fork...) depend on the machine's load; DEBUG SLEEP always makes `command`.
    l!(
        log,
        Ok::<_, oxredis::Error>(latest.iter().any(|l| l.0 == "command"))
    );
    l!(
        log,
        r.latency_history::<Vec<(i64, i64)>>("command")
            .map(|h| !h.is_empty())
    );
    l!(
        log,
        r.latency_graph::<String>("command")
            .map(|g| g.contains("command"))
    );
    l!(log, r.latency_doctor::<String>().map(|d| !d.is_empty()));
    l!(log, r.set("k", "v"));
    let hist: HashMap<String, HashMap<String, Value>> = r.latency_histogram(["set"]).unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>((
            hist["set"]["calls"].clone(),
            matches!(hist["set"]["histogram_usec"], Value::Map(_))
        ))
    );
    l!(log, r.latency_reset(Vec::<String>::new()).map(|n| n >= 1));
    l!(log, r.latency_help::<Vec<String>>().map(|h| !h.is_empty()));
    let stats: HashMap<String, Value> = r.memory_stats().unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>((
            matches!(stats["db.0"], Value::Map(_)),
            matches!(stats["peak.percentage"], Value::Double(_)),
            matches!(stats["keys.count"], Value::Int(1)),
        ))
    );
    l!(log, r.memory_usage("k", None).map(|n| n.unwrap() > 0));
    l!(log, r.memory_usage("nope", Some(Samples(0))));
    l!(log, r.memory_doctor::<String>().map(|d| !d.is_empty()));
    l!(
        log,
        r.memory_malloc_stats::<String>().map(|d| !d.is_empty())
    );
    l!(log, r.memory_purge());
    l!(log, r.memory_help::<Vec<String>>().map(|h| !h.is_empty()));
    let count = l!(log, r.command_count());
    l!(
        log,
        r.command::<Vec<Value>>().map(|c| c.len() as i64 == count)
    );
    // Subcommands come in the server's (per-process random) dict order: compare them sorted.
    l!(
        log,
        r.command_info::<Value>(["get", "xread", "nosuchcommand"])
    );
    l!(
        log,
        r.command_info::<Vec<Vec<Value>>>(["xinfo"]).map(|c| {
            let Value::Array(subs) = &c[0][9] else {
                panic!()
            };
            subs.iter()
                .map(|s| format!("{s:?}"))
                .collect::<BTreeSet<_>>()
        })
    );
    l!(log, r.command_docs::<Value>(["get", "zadd"]));
    l!(
        log,
        r.command_docs::<HashMap<String, HashMap<String, Value>>>(["xgroup"])
            .map(|d| {
                let Value::Map(subs) = &d["xgroup"]["subcommands"] else {
                    panic!()
                };
                subs.iter()
                    .map(|s| format!("{s:?}"))
                    .collect::<BTreeSet<_>>()
            })
    );
    l!(
        log,
        r.command_getkeys::<Vec<String>>(("MSET", "a", "1", "b", "2"))
    );
    l!(
        log,
        r.command_getkeysandflags::<Value>(("LMOVE", "a", "b", "LEFT", "RIGHT"))
    );
    l!(
        log,
        r.command_list::<Vec<String>>(None).map(|c| c.len() > 200)
    );
    l!(
        log,
        r.command_list::<BTreeSet<String>>(Some(CommandListFilter::Pattern("xinfo*".into())))
    );
    l!(
        log,
        r.command_list::<BTreeSet<String>>(Some(CommandListFilter::AclCat("hyperloglog".into())))
    );
    l!(
        log,
        r.command_list::<BTreeSet<String>>(Some(CommandListFilter::Module("nomodule".into())))
    );
    l!(log, r.command_help::<Vec<String>>().map(|h| !h.is_empty()));
    l!(log, r.module_list::<Vec<Value>>());
    e!(
        log,
        r.module_load("/nonexistent/module.so", Vec::<String>::new())
    );
    e!(
        log,
        r.module_loadex("/nonexistent/module.so", ("CONFIG", "a", "b"))
    );
    e!(log, r.module_unload("nomodule"));
    l!(log, r.module_help::<Vec<String>>().map(|h| !h.is_empty()));
    l!(log, r.flushdb_mode(FlushMode::Async));
    l!(log, r.flushall(Some(FlushMode::Sync)));
    l!(log, r.flushall(None));
    l!(log, r.flushdb());
    l!(log, r.dbsize());
    log
}

pub(crate) fn shutdown(r: &Redis) -> Log {
    let mut log = Log::new();
    e!(
        log,
        r.shutdown::<String>(&ShutdownOptions::default().abort())
    );
    let gone = r.shutdown::<String>(&ShutdownOptions::default().save(false).now().force());
    assert!(gone.unwrap_err().is_connection_error());
    let deadline = Instant::now() + Duration::from_secs(5);
    while r.ping().is_ok() {
        assert!(Instant::now() < deadline, "server still up after SHUTDOWN");
        std::thread::sleep(Duration::from_millis(10));
    }
    log.push("down".into());
    log
}
