//! Calls of the cluster group's methods, each with the reply it must give.

use super::*;

pub(crate) fn cluster(r: &Redis) -> Log {
    let mut log = Log::new();
    let id = r.cluster_myid().unwrap();
    assert_eq!(id.len(), 40);
    l!(log, r.cluster_set_config_epoch(1));
    l!(
        log,
        r.cluster_bumpepoch::<String>()
            .map(|s| s.starts_with("BUMPED") || s.starts_with("STILL"))
    );
    l!(log, r.cluster_addslots([0, 1, 2]));
    l!(log, r.cluster_addslotsrange([(3, 100), (200, 300)]));
    l!(log, r.cluster_delslots([0]));
    l!(log, r.cluster_delslotsrange([(50, 60)]));
    l!(log, r.cluster_setslot(400, ("NODE", id.as_str())));
    l!(log, r.cluster_setslot(400, "STABLE"));
    let info: HashMap<String, Value> = r.cluster_info().unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>(info["cluster_slots_assigned"].clone())
    );
    l!(log, r.cluster_keyslot("foo"));
    l!(log, r.cluster_countkeysinslot(5));
    l!(log, r.cluster_getkeysinslot::<Vec<String>>(5, 10));
    l!(log, r.cluster_count_failure_reports(&id));
    l!(
        log,
        r.cluster_nodes::<String>()
            .map(|n| n.contains("myself,master"))
    );
    l!(log, r.cluster_slots::<Vec<Value>>().map(|s| s.len()));
    let shards: Vec<HashMap<String, Value>> = r.cluster_shards().unwrap();
    l!(
        log,
        Ok::<_, oxredis::Error>((shards.len(), shards[0]["slots"].clone()))
    );
    l!(log, r.cluster_links::<Vec<Value>>());
    l!(log, r.cluster_replicas::<Vec<String>>(&id));
    l!(log, r.cluster_slaves::<Vec<String>>(&id));
    e!(log, r.cluster_replicate(&id));
    e!(log, r.cluster_forget(&id));
    e!(log, r.cluster_failover(None));
    e!(log, r.cluster_failover(Some("FORCE")));
    l!(log, r.cluster_saveconfig());
    l!(log, r.readonly());
    l!(log, r.readwrite());
    l!(log, r.asking());
    l!(log, r.cluster_flushslots());
    l!(log, r.cluster_meet("127.0.0.1", 1));
    l!(log, r.cluster_reset(Some("SOFT")));
    l!(log, r.cluster_help::<Vec<String>>().map(|h| !h.is_empty()));
    log
}
