//! RedisTimeSeries commands (`r.ts()`), with redis-py's method names.
//! <https://redis.io/docs/latest/commands/?group=timeseries>
//!
//! Tested against the live module (RedisTimeSeries 1.12, with libssl 1.1 taken from a wheel
//! that bundles it) and against replies recorded from the module's documented formats.

macro_rules! ts_commands {
    ($surface:ident $($pre:tt)*) => { $surface! { $($pre)*
        /// Creates a time series (retention, encoding, chunk size, duplicate policy, labels).
        /// <https://redis.io/commands/ts.create>
        "TS.CREATE" create(key: impl ToArgs, options: &TsOptions) -> bool = [key, options];
            keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// Changes a series' retention, chunk size, duplicate policy or labels.
        /// <https://redis.io/commands/ts.alter>
        "TS.ALTER" alter(key: impl ToArgs, options: &TsOptions) -> bool = [key, options];
            keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// Adds a sample at `timestamp` (`TsTimestamp::Auto` or `*`: the server's clock); the
        /// sample's timestamp. <https://redis.io/commands/ts.add>
        "TS.ADD" add(key: impl ToArgs, timestamp: impl ToArgs, value: f64, options: &TsOptions) -> i64 =
            [key, timestamp, value, options]; keys(1, 1, 1) flags(WRITE);

        /// Adds `(key, timestamp, value)` samples; each one's timestamp (or error).
        /// <https://redis.io/commands/ts.madd>
        "TS.MADD" madd(samples: &[(impl ToArgs, impl ToArgs, f64)]) -> Vec<i64> = [samples];
            keys(1, -1, 3) flags(WRITE);

        /// Increments the latest value by `value` (a new sample); its timestamp.
        /// <https://redis.io/commands/ts.incrby>
        "TS.INCRBY" incrby(key: impl ToArgs, value: f64, options: &TsOptions) -> i64 =
            [key, value, options]; keys(1, 1, 1) flags(WRITE);

        /// Decrements the latest value by `value` (a new sample); its timestamp.
        /// <https://redis.io/commands/ts.decrby>
        "TS.DECRBY" decrby(key: impl ToArgs, value: f64, options: &TsOptions) -> i64 =
            [key, value, options]; keys(1, 1, 1) flags(WRITE);

        /// Deletes the samples in `from..=to`; how many. <https://redis.io/commands/ts.del>
        "TS.DEL" delete(key: impl ToArgs, from: impl ToArgs, to: impl ToArgs) -> i64 =
            [key, from, to]; keys(1, 1, 1) flags(WRITE);

        /// Compacts `source` into `destination` with an aggregation per `bucket_ms` bucket.
        /// <https://redis.io/commands/ts.createrule>
        "TS.CREATERULE" createrule(source: impl ToArgs, destination: impl ToArgs, aggregation: TsAggregation, bucket_ms: u64, align_timestamp: Option<i64>) -> bool =
            [source, destination, "AGGREGATION", aggregation, bucket_ms, align_timestamp];
            keys(1, 2, 1) flags(WRITE) reply(OkBool);

        /// Removes the compaction rule from `source` to `destination`.
        /// <https://redis.io/commands/ts.deleterule>
        "TS.DELETERULE" deleterule(source: impl ToArgs, destination: impl ToArgs) -> bool =
            [source, destination]; keys(1, 2, 1) flags(WRITE) reply(OkBool);

        /// Samples in `from..=to` (`-`/`+` for the ends), oldest first.
        /// <https://redis.io/commands/ts.range>
        "TS.RANGE" range(key: impl ToArgs, from: impl ToArgs, to: impl ToArgs, options: &TsRangeOptions) -> Vec<(i64, f64)> =
            [key, from, to, TsRangeHead(options)]; keys(1, 1, 1) flags(READONLY) reply(Module(TsSamples));

        /// Samples in `from..=to`, newest first. <https://redis.io/commands/ts.revrange>
        "TS.REVRANGE" revrange(key: impl ToArgs, from: impl ToArgs, to: impl ToArgs, options: &TsRangeOptions) -> Vec<(i64, f64)> =
            [key, from, to, TsRangeHead(options)]; keys(1, 1, 1) flags(READONLY) reply(Module(TsSamples));

        /// Samples in `from..=to` of every series matching `filters` (`label=value`...).
        /// <https://redis.io/commands/ts.mrange>
        "TS.MRANGE" mrange(from: impl ToArgs, to: impl ToArgs, filters: impl ToArgs, options: &TsRangeOptions) -> Vec<TsSeries> =
            [from, to, TsRangeHead(options), "FILTER", filters, TsGroupBy(options)]; flags(READONLY) reply(Module(TsMulti));

        /// As `mrange`, newest first. <https://redis.io/commands/ts.mrevrange>
        "TS.MREVRANGE" mrevrange(from: impl ToArgs, to: impl ToArgs, filters: impl ToArgs, options: &TsRangeOptions) -> Vec<TsSeries> =
            [from, to, TsRangeHead(options), "FILTER", filters, TsGroupBy(options)]; flags(READONLY) reply(Module(TsMulti));

        /// The latest sample, `None` for an empty series. <https://redis.io/commands/ts.get>
        "TS.GET" get(key: impl ToArgs) -> Option<(i64, f64)> = [key]; keys(1, 1, 1) flags(READONLY) reply(Module(TsSample));

        /// The latest sample of every series matching `filters`, with their labels when
        /// `with_labels`. <https://redis.io/commands/ts.mget>
        "TS.MGET" mget(filters: impl ToArgs, with_labels: bool) -> Vec<TsSeries> =
            [with_labels.then_some("WITHLABELS"), "FILTER", filters]; flags(READONLY) reply(Module(TsMulti));

        /// Settings, counters, labels and rules of a series. <https://redis.io/commands/ts.info>
        "TS.INFO" info(key: impl ToArgs) -> TsInfo = [key]; keys(1, 1, 1) flags(READONLY) reply(Pairs);

        /// Keys of the series matching `filters`. <https://redis.io/commands/ts.queryindex>
        "TS.QUERYINDEX" queryindex<T: FromValue>(filters: impl ToArgs) -> Vec<T> = [filters];
            flags(READONLY);
    } };
}
