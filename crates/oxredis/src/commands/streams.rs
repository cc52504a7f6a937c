//! Stream commands. <https://redis.io/commands/?group=stream>
//!
//! Entries come back as `[id, {field: value}]` on both protocols; convert them to
//! [`StreamEntry`](crate::types::StreamEntry).

macro_rules! stream_commands {
    ($surface:ident) => { $surface! {
        /// Appends an entry (`id` `*` for auto); its id, nil with NOMKSTREAM on a missing stream.
        /// <https://redis.io/commands/xadd>
        "XADD" xadd<T>(key: impl ToArgs, id: impl ToArgs, fields: impl ToArgs, options: &XAddOptions) -> T =
            [key, options, id, fields]; keys(1, 1, 1) flags(WRITE);

        /// Number of entries. <https://redis.io/commands/xlen>
        "XLEN" xlen(key: impl ToArgs) -> i64 = [key]; keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// Entries with ids in `start..=end` (`-`, `+`, `(id` exclusive). <https://redis.io/commands/xrange>
        "XRANGE" xrange<T>(key: impl ToArgs, start: impl ToArgs, end: impl ToArgs, count: Option<Count>) -> T =
            [key, start, end, count]; keys(1, 1, 1) flags(READONLY | CACHEABLE) reply(StreamEntries);

        /// XRANGE in reverse (`end` first). <https://redis.io/commands/xrevrange>
        "XREVRANGE" xrevrange<T>(key: impl ToArgs, end: impl ToArgs, start: impl ToArgs, count: Option<Count>) -> T =
            [key, end, start, count]; keys(1, 1, 1) flags(READONLY | CACHEABLE) reply(StreamEntries);

        /// Deletes entries; the number deleted. <https://redis.io/commands/xdel>
        "XDEL" xdel(key: impl ToArgs, ids: impl ToArgs) -> i64 = [key, ids]; keys(1, 1, 1) flags(WRITE);

        /// Trims the stream; the number of entries removed. <https://redis.io/commands/xtrim>
        "XTRIM" xtrim(key: impl ToArgs, trim: &StreamTrim) -> i64 = [key, trim];
            keys(1, 1, 1) flags(WRITE);

        /// Reads entries after the given ids from several streams: a map `{stream: entries}`,
        /// nil on timeout. <https://redis.io/commands/xread>
        "XREAD" xread<T>(streams: &[(impl ToArgs, impl ToArgs)], options: &XReadOptions) -> T =
            [options, "STREAMS", Streams(streams)];
            keys(keyword "STREAMS" from 1 Half) flags(READONLY | BLOCKING) reply(XRead);

        /// XREAD as a consumer of `group` (`>` reads new entries). <https://redis.io/commands/xreadgroup>
        "XREADGROUP" xreadgroup<T>(group: impl ToArgs, consumer: impl ToArgs, streams: &[(impl ToArgs, impl ToArgs)], options: &XReadOptions) -> T =
            ["GROUP", group, consumer, options, "STREAMS", Streams(streams)];
            keys(keyword "STREAMS" from 4 Half) flags(WRITE | BLOCKING) reply(XRead);

        /// Acknowledges entries; how many were pending. <https://redis.io/commands/xack>
        "XACK" xack(key: impl ToArgs, group: impl ToArgs, ids: impl ToArgs) -> i64 =
            [key, group, ids]; keys(1, 1, 1) flags(WRITE);

        /// Claims pending entries idle at least `min_idle_ms`: the entries (or ids with JUSTID).
        /// <https://redis.io/commands/xclaim>
        "XCLAIM" xclaim<T>(key: impl ToArgs, group: impl ToArgs, consumer: impl ToArgs, min_idle_ms: u64, ids: impl ToArgs, options: &XClaimOptions) -> T =
            [key, group, consumer, min_idle_ms, ids, options]; keys(1, 1, 1) flags(WRITE) reply(StreamEntries);

        /// Claims pending entries by scanning from `start`: `(next id, entries, deleted ids)`.
        /// <https://redis.io/commands/xautoclaim>
        "XAUTOCLAIM" xautoclaim<T>(key: impl ToArgs, group: impl ToArgs, consumer: impl ToArgs, min_idle_ms: u64, start: impl ToArgs, options: &XAutoClaimOptions) -> T =
            [key, group, consumer, min_idle_ms, start, options]; keys(1, 1, 1) flags(WRITE) reply(XAutoClaim);

        /// Pending summary of `group`: `(count, min id, max id, [(consumer, count)])`.
        /// <https://redis.io/commands/xpending>
        "XPENDING" xpending<T>(key: impl ToArgs, group: impl ToArgs) -> T = [key, group];
            keys(1, 1, 1) flags(READONLY);

        /// Pending entries in `start..=end`: `[(id, consumer, idle ms, deliveries)]`.
        /// <https://redis.io/commands/xpending>
        "XPENDING" xpending_range<T>(key: impl ToArgs, group: impl ToArgs, start: impl ToArgs, end: impl ToArgs, count: u64, options: &XPendingOptions) -> T =
            [key, group, options.idle_args(), start, end, count, options.consumer_args()];
            keys(1, 1, 1) flags(READONLY);

        /// Sets the stream's last id. <https://redis.io/commands/xsetid>
        "XSETID" xsetid(key: impl ToArgs, last_id: impl ToArgs, options: &XSetIdOptions) -> bool =
            [key, last_id, options]; keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// Stream information as a map (`first-entry`/`last-entry` as entries).
        /// <https://redis.io/commands/xinfo-stream>
        "XINFO STREAM" xinfo_stream<T>(key: impl ToArgs) -> T = [key];
            keys(2, 2, 1) flags(READONLY) reply(XInfoStream);

        /// Full stream information (`entries`, `groups` with consumers and pending lists).
        /// <https://redis.io/commands/xinfo-stream>
        "XINFO STREAM" xinfo_stream_full<T>(key: impl ToArgs, count: Option<Count>) -> T =
            [key, "FULL", count]; keys(2, 2, 1) flags(READONLY) reply(XInfoStream);

        /// The stream's consumer groups, one map each. <https://redis.io/commands/xinfo-groups>
        "XINFO GROUPS" xinfo_groups<T>(key: impl ToArgs) -> T = [key];
            keys(2, 2, 1) flags(READONLY) reply(MapList);

        /// The consumers of `group`, one map each. <https://redis.io/commands/xinfo-consumers>
        "XINFO CONSUMERS" xinfo_consumers<T>(key: impl ToArgs, group: impl ToArgs) -> T = [key, group];
            keys(2, 2, 1) flags(READONLY) reply(MapList);

        /// XINFO's help text. <https://redis.io/commands/xinfo-help>
        "XINFO HELP" xinfo_help<T>() -> T = []; flags();

        /// Creates a consumer group starting at `id` (`$`: new entries only).
        /// <https://redis.io/commands/xgroup-create>
        "XGROUP CREATE" xgroup_create(key: impl ToArgs, group: impl ToArgs, id: impl ToArgs, options: &XGroupCreateOptions) -> bool =
            [key, group, id, options]; keys(2, 2, 1) flags(WRITE) reply(OkBool);

        /// Creates a consumer; `true` if created. <https://redis.io/commands/xgroup-createconsumer>
        "XGROUP CREATECONSUMER" xgroup_createconsumer(key: impl ToArgs, group: impl ToArgs, consumer: impl ToArgs) -> bool =
            [key, group, consumer]; keys(2, 2, 1) flags(WRITE) reply(IntBool);

        /// Deletes a consumer; the number of its pending entries. <https://redis.io/commands/xgroup-delconsumer>
        "XGROUP DELCONSUMER" xgroup_delconsumer(key: impl ToArgs, group: impl ToArgs, consumer: impl ToArgs) -> i64 =
            [key, group, consumer]; keys(2, 2, 1) flags(WRITE);

        /// Destroys a group; `true` if it existed. <https://redis.io/commands/xgroup-destroy>
        "XGROUP DESTROY" xgroup_destroy(key: impl ToArgs, group: impl ToArgs) -> bool = [key, group];
            keys(2, 2, 1) flags(WRITE) reply(IntBool);

        /// Sets a group's last delivered id. <https://redis.io/commands/xgroup-setid>
        "XGROUP SETID" xgroup_setid(key: impl ToArgs, group: impl ToArgs, id: impl ToArgs, entries_read: Option<EntriesRead>) -> bool =
            [key, group, id, entries_read]; keys(2, 2, 1) flags(WRITE) reply(OkBool);

        /// XGROUP's help text. <https://redis.io/commands/xgroup-help>
        "XGROUP HELP" xgroup_help<T>() -> T = []; flags();
    } };
}
