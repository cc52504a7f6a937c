//! SENTINEL commands, sent to a Sentinel (`redis-server --sentinel`), named as redis-py names
//! them. A normal server does not know them. <https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#sentinel-api>
//!
//! [`Sentinel`](crate::blocking::Sentinel) uses them to find the current primary; these
//! methods are for administration and inspection.

macro_rules! sentinel_commands {
    ($surface:ident) => { $surface! {
        /// Every monitored primary with its state, one [`SentinelInstance`](crate::types::SentinelInstance)
        /// each (redis-py returns a dict by name; [`name`](crate::types::SentinelInstance::name) has it).
        /// <https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#sentinel-commands>
        "SENTINEL MASTERS" sentinel_masters() -> Vec<crate::types::SentinelInstance> = [];
            flags(ADMIN) reply(MapList);
        /// The state of the primary monitored as `service_name`; an `ERR No such master with
        /// that name` error reply for an unknown name.
        /// <https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#sentinel-commands>
        "SENTINEL MASTER" sentinel_master(service_name: impl ToArgs) -> crate::types::SentinelInstance =
            [service_name]; flags(ADMIN) reply(Pairs);
        /// The address `(ip, port)` of the current primary of `service_name`, `None` when this
        /// sentinel does not know the name.
        /// <https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#sentinel-commands>
        "SENTINEL GET-MASTER-ADDR-BY-NAME" sentinel_get_master_addr_by_name(service_name: impl ToArgs)
            -> Option<(String, u16)> = [service_name]; flags(ADMIN);
        /// The replicas of `service_name` with their state (`SENTINEL SLAVES`, the name every
        /// server version knows; `sentinel_replicas` sends the newer name).
        /// <https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#sentinel-commands>
        "SENTINEL SLAVES" sentinel_slaves(service_name: impl ToArgs) -> Vec<crate::types::SentinelInstance> =
            [service_name]; flags(ADMIN) reply(MapList);
        /// The replicas of `service_name` with their state (`SENTINEL REPLICAS`, Redis 5+).
        /// <https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#sentinel-commands>
        "SENTINEL REPLICAS" sentinel_replicas(service_name: impl ToArgs) -> Vec<crate::types::SentinelInstance> =
            [service_name]; flags(ADMIN) reply(MapList);
        /// The other sentinels monitoring `service_name`, with their state.
        /// <https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#sentinel-commands>
        "SENTINEL SENTINELS" sentinel_sentinels(service_name: impl ToArgs) -> Vec<crate::types::SentinelInstance> =
            [service_name]; flags(ADMIN) reply(MapList);
        /// Whether the sentinels of `service_name` can reach the quorum and authorise a
        /// failover: `true` for the server's `OK <n> usable Sentinels...`, a `NOQUORUM` error
        /// reply otherwise.
        /// <https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#sentinel-commands>
        "SENTINEL CKQUORUM" sentinel_ckquorum(service_name: impl ToArgs) -> bool = [service_name];
            flags(ADMIN) reply(OkText);
        /// Forces a failover of `service_name` without asking the other sentinels; `true` once
        /// started (`NOGOODSLAVE` when no replica can be promoted, `INPROG` when one runs).
        /// <https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#sentinel-commands>
        "SENTINEL FAILOVER" sentinel_failover(service_name: impl ToArgs) -> bool = [service_name];
            flags(ADMIN) reply(OkBool);
        /// Resets the state of the primaries whose names match the glob `pattern`; how many
        /// matched (redis-py's `bool_ok` callback turns this count into `False`; the count is
        /// kept here).
        /// <https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#sentinel-commands>
        "SENTINEL RESET" sentinel_reset(pattern: impl ToArgs) -> i64 = [pattern]; flags(ADMIN);
        /// Starts monitoring a primary at `ip:port` as `name`, with `quorum` sentinels needed to
        /// agree it is down.
        /// <https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#sentinel-commands>
        "SENTINEL MONITOR" sentinel_monitor(name: impl ToArgs, ip: impl ToArgs, port: u16, quorum: u32)
            -> bool = [name, ip, port, quorum]; flags(ADMIN) reply(OkBool);
        /// Stops monitoring `name`.
        /// <https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#sentinel-commands>
        "SENTINEL REMOVE" sentinel_remove(name: impl ToArgs) -> bool = [name];
            flags(ADMIN) reply(OkBool);
        /// Sets a monitoring option of `name` (`down-after-milliseconds`, `quorum`,
        /// `failover-timeout`, `auth-pass`...).
        /// <https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#sentinel-commands>
        "SENTINEL SET" sentinel_set(name: impl ToArgs, option: impl ToArgs, value: impl ToArgs) -> bool =
            [name, option, value]; flags(ADMIN) reply(OkBool);
        /// Rewrites the sentinel's configuration file.
        /// <https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#sentinel-commands>
        "SENTINEL FLUSHCONFIG" sentinel_flushconfig() -> bool = []; flags(ADMIN) reply(OkBool);
    } };
}
