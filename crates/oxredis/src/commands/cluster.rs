//! CLUSTER commands, sent to one node (a cluster-aware client routes them).
//! <https://redis.io/commands/?group=cluster>

macro_rules! cluster_commands {
    ($surface:ident) => { $surface! {
        /// Assigns slots to this node. <https://redis.io/commands/cluster-addslots>
        "CLUSTER ADDSLOTS" cluster_addslots(slots: impl ToArgs) -> bool = [slots]; flags(ADMIN) reply(OkBool);
        /// Assigns slot ranges `(start, end)`. <https://redis.io/commands/cluster-addslotsrange>
        "CLUSTER ADDSLOTSRANGE" cluster_addslotsrange(ranges: impl ToArgs) -> bool = [ranges]; flags(ADMIN) reply(OkBool);
        /// Advances the config epoch. <https://redis.io/commands/cluster-bumpepoch>
        "CLUSTER BUMPEPOCH" cluster_bumpepoch<T>() -> T = []; flags(ADMIN);
        /// Failure reports about a node. <https://redis.io/commands/cluster-count-failure-reports>
        "CLUSTER COUNT-FAILURE-REPORTS" cluster_count_failure_reports(node_id: impl ToArgs) -> i64 = [node_id]; flags(ADMIN) route(DefaultNode);
        /// Keys in a slot. <https://redis.io/commands/cluster-countkeysinslot>
        "CLUSTER COUNTKEYSINSLOT" cluster_countkeysinslot(slot: u16) -> i64 = [slot]; flags(ADMIN) route(SlotId);
        /// Unassigns slots. <https://redis.io/commands/cluster-delslots>
        "CLUSTER DELSLOTS" cluster_delslots(slots: impl ToArgs) -> bool = [slots]; flags(ADMIN) reply(OkBool) route(SlotId);
        /// Unassigns slot ranges. <https://redis.io/commands/cluster-delslotsrange>
        "CLUSTER DELSLOTSRANGE" cluster_delslotsrange(ranges: impl ToArgs) -> bool = [ranges]; flags(ADMIN) reply(OkBool) route(SlotId);
        /// Manual failover from a replica (`FORCE`/`TAKEOVER` optional). <https://redis.io/commands/cluster-failover>
        "CLUSTER FAILOVER" cluster_failover(option: Option<&str>) -> bool = [option]; flags(ADMIN) reply(OkBool);
        /// Unassigns every slot of this node. <https://redis.io/commands/cluster-flushslots>
        "CLUSTER FLUSHSLOTS" cluster_flushslots() -> bool = []; flags(ADMIN) reply(OkBool);
        /// Forgets a node. <https://redis.io/commands/cluster-forget>
        "CLUSTER FORGET" cluster_forget(node_id: impl ToArgs) -> bool = [node_id]; flags(ADMIN) reply(OkBool);
        /// Up to `count` keys of a slot. <https://redis.io/commands/cluster-getkeysinslot>
        "CLUSTER GETKEYSINSLOT" cluster_getkeysinslot<T>(slot: u16, count: u64) -> T = [slot, count]; flags(ADMIN) route(SlotId);
        /// Cluster state, parsed like INFO. <https://redis.io/commands/cluster-info>
        "CLUSTER INFO" cluster_info<T>() -> T = []; flags(ADMIN) reply(Info) route(DefaultNode);
        /// Hash slot of a key. <https://redis.io/commands/cluster-keyslot>
        "CLUSTER KEYSLOT" cluster_keyslot(key: impl ToArgs) -> i64 = [key]; flags(ADMIN) route(DefaultNode);
        /// Cluster bus links, one map each. <https://redis.io/commands/cluster-links>
        "CLUSTER LINKS" cluster_links<T>() -> T = []; flags(ADMIN) reply(MapList);
        /// Connects to another node. <https://redis.io/commands/cluster-meet>
        "CLUSTER MEET" cluster_meet(host: impl ToArgs, port: u16) -> bool = [host, port]; flags(ADMIN) reply(OkBool) route(DefaultNode);
        /// This node's id. <https://redis.io/commands/cluster-myid>
        "CLUSTER MYID" cluster_myid() -> String = []; flags(ADMIN);
        /// This node's shard id. Redis 7.2, Valkey 7.2. <https://redis.io/commands/cluster-myshardid>
        "CLUSTER MYSHARDID" cluster_myshardid() -> String = []; flags(ADMIN) route(DefaultNode);
        /// The node table text. <https://redis.io/commands/cluster-nodes>
        "CLUSTER NODES" cluster_nodes<T>() -> T = []; flags(ADMIN) route(DefaultNode);
        /// Replicas of a node (node-table lines). <https://redis.io/commands/cluster-replicas>
        "CLUSTER REPLICAS" cluster_replicas<T>(node_id: impl ToArgs) -> T = [node_id]; flags(ADMIN) route(DefaultNode);
        /// Old name of CLUSTER REPLICAS. <https://redis.io/commands/cluster-slaves>
        "CLUSTER SLAVES" cluster_slaves<T>(node_id: impl ToArgs) -> T = [node_id]; flags(ADMIN);
        /// Makes this node a replica of `node_id`. <https://redis.io/commands/cluster-replicate>
        "CLUSTER REPLICATE" cluster_replicate(node_id: impl ToArgs) -> bool = [node_id]; flags(ADMIN) reply(OkBool);
        /// Resets this node (`HARD` or `SOFT`). <https://redis.io/commands/cluster-reset>
        "CLUSTER RESET" cluster_reset(mode: Option<&str>) -> bool = [mode]; flags(ADMIN) reply(OkBool) route(DefaultNode);
        /// Saves nodes.conf. <https://redis.io/commands/cluster-saveconfig>
        "CLUSTER SAVECONFIG" cluster_saveconfig() -> bool = []; flags(ADMIN) reply(OkBool);
        /// Sets this node's config epoch. <https://redis.io/commands/cluster-set-config-epoch>
        "CLUSTER SET-CONFIG-EPOCH" cluster_set_config_epoch(epoch: u64) -> bool = [epoch]; flags(ADMIN) reply(OkBool) route(DefaultNode);
        /// Changes a slot's state (`IMPORTING id`, `MIGRATING id`, `NODE id`, `STABLE`).
        /// <https://redis.io/commands/cluster-setslot>
        "CLUSTER SETSLOT" cluster_setslot(slot: u16, state: impl ToArgs) -> bool = [slot, state]; flags(ADMIN) reply(OkBool) route(SlotId);
        /// Shards with their slots and nodes, as nested maps. <https://redis.io/commands/cluster-shards>
        "CLUSTER SHARDS" cluster_shards<T>() -> T = []; flags(ADMIN) reply(Deep(CLUSTER_SHARDS)) route(DefaultNode);
        /// Slot ranges and their nodes, each node `[ip, port, id, metadata]` with the metadata as
        /// a map on both protocols. <https://redis.io/commands/cluster-slots>
        "CLUSTER SLOTS" cluster_slots<T>() -> T = []; flags(ADMIN) reply(Deep(CLUSTER_SLOTS)) route(DefaultNode);
        /// CLUSTER's help text. <https://redis.io/commands/cluster-help>
        "CLUSTER HELP" cluster_help<T>() -> T = []; flags(ADMIN);
    } };
}
