//! RedisBloom 2.8 commands: Bloom filters (`r.bf()`), cuckoo filters (`r.cf()`), count-min
//! sketches (`r.cms()`), Top-K (`r.topk()`) and t-digest (`r.tdigest()`), with redis-py's
//! method names. <https://redis.io/docs/latest/commands/?group=bf>

macro_rules! bf_commands {
    ($surface:ident $($pre:tt)*) => { $surface! { $($pre)*
        /// Creates a Bloom filter for `capacity` items at `error_rate` false positives.
        /// <https://redis.io/commands/bf.reserve>
        "BF.RESERVE" create(key: impl ToArgs, error_rate: f64, capacity: u64) -> bool =
            [key, error_rate, capacity]; keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// BF.RESERVE with `EXPANSION` / `NONSCALING`. <https://redis.io/commands/bf.reserve>
        "BF.RESERVE" create_options(key: impl ToArgs, error_rate: f64, capacity: u64, options: &BfCreateOptions) -> bool =
            [key, error_rate, capacity, options]; keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// Adds `item`; `true` if it was not there yet. <https://redis.io/commands/bf.add>
        "BF.ADD" add(key: impl ToArgs, item: impl ToArgs) -> bool = [key, item];
            keys(1, 1, 1) flags(WRITE) reply(IntBool);

        /// Adds several items; per item, `true` if it was new. <https://redis.io/commands/bf.madd>
        "BF.MADD" madd(key: impl ToArgs, items: impl ToArgs) -> Vec<bool> = [key, items];
            keys(1, 1, 1) flags(WRITE) reply(IntBools);

        /// Adds items, creating the filter with the options' settings if needed.
        /// <https://redis.io/commands/bf.insert>
        "BF.INSERT" insert(key: impl ToArgs, items: impl ToArgs, options: &BfInsertOptions) -> Vec<bool> =
            [key, options, "ITEMS", items]; keys(1, 1, 1) flags(WRITE) reply(IntBools);

        /// Whether `item` may be in the filter. <https://redis.io/commands/bf.exists>
        "BF.EXISTS" exists(key: impl ToArgs, item: impl ToArgs) -> bool = [key, item];
            keys(1, 1, 1) flags(READONLY) reply(IntBool);

        /// Per item, whether it may be in the filter. <https://redis.io/commands/bf.mexists>
        "BF.MEXISTS" mexists(key: impl ToArgs, items: impl ToArgs) -> Vec<bool> = [key, items];
            keys(1, 1, 1) flags(READONLY) reply(IntBools);

        /// Number of items added (an estimate). <https://redis.io/commands/bf.card>
        "BF.CARD" card(key: impl ToArgs) -> i64 = [key]; keys(1, 1, 1) flags(READONLY);

        /// Capacity, size, number of sub-filters, items inserted and expansion rate.
        /// <https://redis.io/commands/bf.info>
        "BF.INFO" info(key: impl ToArgs) -> BfInfo = [key]; keys(1, 1, 1) flags(READONLY) reply(Pairs);

        /// One chunk of the filter's dump from `iterator` (0 to start): `(next, data)`, next 0
        /// at the end. <https://redis.io/commands/bf.scandump>
        "BF.SCANDUMP" scandump(key: impl ToArgs, iterator: i64) -> (i64, Option<bytes::Bytes>) =
            [key, iterator]; keys(1, 1, 1) flags(READONLY);

        /// Restores one chunk of a dump. <https://redis.io/commands/bf.loadchunk>
        "BF.LOADCHUNK" loadchunk(key: impl ToArgs, iterator: i64, data: impl ToArgs) -> bool =
            [key, iterator, data]; keys(1, 1, 1) flags(WRITE) reply(OkBool);
    } };
}

macro_rules! cf_commands {
    ($surface:ident $($pre:tt)*) => { $surface! { $($pre)*
        /// Creates a cuckoo filter for `capacity` items. <https://redis.io/commands/cf.reserve>
        "CF.RESERVE" create(key: impl ToArgs, capacity: u64) -> bool = [key, capacity];
            keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// CF.RESERVE with `BUCKETSIZE`, `MAXITERATIONS`, `EXPANSION`.
        /// <https://redis.io/commands/cf.reserve>
        "CF.RESERVE" create_options(key: impl ToArgs, capacity: u64, options: &CfCreateOptions) -> bool =
            [key, capacity, options]; keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// Adds `item` (again, if there). <https://redis.io/commands/cf.add>
        "CF.ADD" add(key: impl ToArgs, item: impl ToArgs) -> bool = [key, item];
            keys(1, 1, 1) flags(WRITE) reply(IntBool);

        /// Adds `item` unless it may be there; `true` if added. <https://redis.io/commands/cf.addnx>
        "CF.ADDNX" addnx(key: impl ToArgs, item: impl ToArgs) -> bool = [key, item];
            keys(1, 1, 1) flags(WRITE) reply(IntBool);

        /// Adds items, creating the filter if needed (`CAPACITY`, `NOCREATE`); per item `true`
        /// when added. <https://redis.io/commands/cf.insert>
        "CF.INSERT" insert(key: impl ToArgs, items: impl ToArgs, options: &CfInsertOptions) -> Vec<bool> =
            [key, options, "ITEMS", items]; keys(1, 1, 1) flags(WRITE) reply(IntBools);

        /// As `insert`, adding only items that are not there yet. <https://redis.io/commands/cf.insertnx>
        "CF.INSERTNX" insertnx(key: impl ToArgs, items: impl ToArgs, options: &CfInsertOptions) -> Vec<bool> =
            [key, options, "ITEMS", items]; keys(1, 1, 1) flags(WRITE) reply(IntBools);

        /// Whether `item` may be in the filter. <https://redis.io/commands/cf.exists>
        "CF.EXISTS" exists(key: impl ToArgs, item: impl ToArgs) -> bool = [key, item];
            keys(1, 1, 1) flags(READONLY) reply(IntBool);

        /// Per item, whether it may be in the filter. <https://redis.io/commands/cf.mexists>
        "CF.MEXISTS" mexists(key: impl ToArgs, items: impl ToArgs) -> Vec<bool> = [key, items];
            keys(1, 1, 1) flags(READONLY) reply(IntBools);

        /// Deletes one copy of `item`; `true` if found. <https://redis.io/commands/cf.del>
        "CF.DEL" delete(key: impl ToArgs, item: impl ToArgs) -> bool = [key, item];
            keys(1, 1, 1) flags(WRITE) reply(IntBool);

        /// How many times `item` may have been added. <https://redis.io/commands/cf.count>
        "CF.COUNT" count(key: impl ToArgs, item: impl ToArgs) -> i64 = [key, item];
            keys(1, 1, 1) flags(READONLY);

        /// Size, buckets, filters, items inserted/deleted, bucket size, expansion rate, max
        /// iterations. <https://redis.io/commands/cf.info>
        "CF.INFO" info(key: impl ToArgs) -> CfInfo = [key]; keys(1, 1, 1) flags(READONLY) reply(Pairs);

        /// One chunk of the filter's dump. <https://redis.io/commands/cf.scandump>
        "CF.SCANDUMP" scandump(key: impl ToArgs, iterator: i64) -> (i64, Option<bytes::Bytes>) =
            [key, iterator]; keys(1, 1, 1) flags(READONLY);

        /// Restores one chunk of a dump. <https://redis.io/commands/cf.loadchunk>
        "CF.LOADCHUNK" loadchunk(key: impl ToArgs, iterator: i64, data: impl ToArgs) -> bool =
            [key, iterator, data]; keys(1, 1, 1) flags(WRITE) reply(OkBool);
    } };
}

macro_rules! cms_commands {
    ($surface:ident $($pre:tt)*) => { $surface! { $($pre)*
        /// Creates a sketch `width` counters wide and `depth` deep.
        /// <https://redis.io/commands/cms.initbydim>
        "CMS.INITBYDIM" initbydim(key: impl ToArgs, width: u64, depth: u64) -> bool =
            [key, width, depth]; keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// Creates a sketch for an `error` rate (of the total count) with `probability` of
        /// exceeding it. <https://redis.io/commands/cms.initbyprob>
        "CMS.INITBYPROB" initbyprob(key: impl ToArgs, error: f64, probability: f64) -> bool =
            [key, error, probability]; keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// Adds `(item, increment)` pairs; each item's new count. <https://redis.io/commands/cms.incrby>
        "CMS.INCRBY" incrby(key: impl ToArgs, items: &[(impl ToArgs, u64)]) -> Vec<i64> =
            [key, items]; keys(1, 1, 1) flags(WRITE);

        /// Counts of `items`. <https://redis.io/commands/cms.query>
        "CMS.QUERY" query(key: impl ToArgs, items: impl ToArgs) -> Vec<i64> = [key, items];
            keys(1, 1, 1) flags(READONLY);

        /// Merges `sources` into `destination` (same dimensions), with `weights` (empty: 1 each).
        /// <https://redis.io/commands/cms.merge>
        "CMS.MERGE" merge(destination: impl ToArgs, sources: &[impl ToArgs], weights: &[i64]) -> bool =
            [destination, Counted(sources), (!weights.is_empty()).then_some("WEIGHTS"), weights];
            keys(dest numkeys 2) flags(WRITE) reply(OkBool);

        /// Width, depth and total count. <https://redis.io/commands/cms.info>
        "CMS.INFO" info(key: impl ToArgs) -> CmsInfo = [key]; keys(1, 1, 1) flags(READONLY) reply(Pairs);
    } };
}

macro_rules! topk_commands {
    ($surface:ident $($pre:tt)*) => { $surface! { $($pre)*
        /// Creates a Top-K of `k` items with the sketch's `width`, `depth` and `decay`.
        /// <https://redis.io/commands/topk.reserve>
        "TOPK.RESERVE" reserve(key: impl ToArgs, k: u64, width: u64, depth: u64, decay: f64) -> bool =
            [key, k, width, depth, decay]; keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// Adds items; per item, the item it pushed out of the top, or `None`.
        /// <https://redis.io/commands/topk.add>
        "TOPK.ADD" add<T: FromValue>(key: impl ToArgs, items: impl ToArgs) -> Vec<Option<T>> =
            [key, items]; keys(1, 1, 1) flags(WRITE);

        /// Adds `(item, increment)` pairs; per item, what it pushed out. <https://redis.io/commands/topk.incrby>
        "TOPK.INCRBY" incrby<T: FromValue>(key: impl ToArgs, items: &[(impl ToArgs, u64)]) -> Vec<Option<T>> =
            [key, items]; keys(1, 1, 1) flags(WRITE);

        /// Per item, whether it is in the top. <https://redis.io/commands/topk.query>
        "TOPK.QUERY" query(key: impl ToArgs, items: impl ToArgs) -> Vec<bool> = [key, items];
            keys(1, 1, 1) flags(READONLY) reply(IntBools);

        /// Estimated counts of items (deprecated by the module). Flagged `write` by the module
        /// (so not retried or sent to replicas), though it changes nothing.
        /// <https://redis.io/commands/topk.count>
        "TOPK.COUNT" count(key: impl ToArgs, items: impl ToArgs) -> Vec<i64> = [key, items];
            keys(1, 1, 1) flags(WRITE);

        /// The items in the top. <https://redis.io/commands/topk.list>
        "TOPK.LIST" list<T: FromValue>(key: impl ToArgs) -> Vec<T> = [key]; keys(1, 1, 1) flags(READONLY);

        /// The items in the top with their counts (`WITHCOUNT`). <https://redis.io/commands/topk.list>
        "TOPK.LIST" list_withcount<T: FromValue>(key: impl ToArgs) -> Vec<(T, i64)> = [key, "WITHCOUNT"];
            keys(1, 1, 1) flags(READONLY) reply(Module(FlatPairs));

        /// k, width, depth and decay. <https://redis.io/commands/topk.info>
        "TOPK.INFO" info(key: impl ToArgs) -> TopKInfo = [key]; keys(1, 1, 1) flags(READONLY) reply(Pairs);
    } };
}

macro_rules! tdigest_commands {
    ($surface:ident $($pre:tt)*) => { $surface! { $($pre)*
        /// Creates a t-digest with `compression` (100 is the module's default).
        /// <https://redis.io/commands/tdigest.create>
        "TDIGEST.CREATE" create(key: impl ToArgs, compression: u64) -> bool =
            [key, "COMPRESSION", compression]; keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// Empties the sketch. <https://redis.io/commands/tdigest.reset>
        "TDIGEST.RESET" reset(key: impl ToArgs) -> bool = [key]; keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// Adds observations. <https://redis.io/commands/tdigest.add>
        "TDIGEST.ADD" add(key: impl ToArgs, values: &[f64]) -> bool = [key, values];
            keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// Merges `sources` into `destination` (`COMPRESSION`, `OVERRIDE` in the options).
        /// <https://redis.io/commands/tdigest.merge>
        "TDIGEST.MERGE" merge(destination: impl ToArgs, sources: &[impl ToArgs], options: &TDigestMergeOptions) -> bool =
            [destination, Counted(sources), options]; keys(dest numkeys 2) flags(WRITE) reply(OkBool);

        /// Smallest observation (NaN when empty). <https://redis.io/commands/tdigest.min>
        "TDIGEST.MIN" min(key: impl ToArgs) -> f64 = [key]; keys(1, 1, 1) flags(READONLY) reply(Double);

        /// Largest observation (NaN when empty). <https://redis.io/commands/tdigest.max>
        "TDIGEST.MAX" max(key: impl ToArgs) -> f64 = [key]; keys(1, 1, 1) flags(READONLY) reply(Double);

        /// Estimated values at `quantiles` (0..=1). <https://redis.io/commands/tdigest.quantile>
        "TDIGEST.QUANTILE" quantile(key: impl ToArgs, quantiles: &[f64]) -> Vec<f64> = [key, quantiles];
            keys(1, 1, 1) flags(READONLY) reply(Doubles);

        /// Estimated fraction of observations `<=` each value. <https://redis.io/commands/tdigest.cdf>
        "TDIGEST.CDF" cdf(key: impl ToArgs, values: &[f64]) -> Vec<f64> = [key, values];
            keys(1, 1, 1) flags(READONLY) reply(Doubles);

        /// Mean of the observations between the `low` and `high` quantiles.
        /// <https://redis.io/commands/tdigest.trimmed_mean>
        "TDIGEST.TRIMMED_MEAN" trimmed_mean(key: impl ToArgs, low: f64, high: f64) -> f64 =
            [key, low, high]; keys(1, 1, 1) flags(READONLY) reply(Double);

        /// Estimated rank of each value. <https://redis.io/commands/tdigest.rank>
        "TDIGEST.RANK" rank(key: impl ToArgs, values: &[f64]) -> Vec<i64> = [key, values];
            keys(1, 1, 1) flags(READONLY);

        /// Estimated reverse rank of each value. <https://redis.io/commands/tdigest.revrank>
        "TDIGEST.REVRANK" revrank(key: impl ToArgs, values: &[f64]) -> Vec<i64> = [key, values];
            keys(1, 1, 1) flags(READONLY);

        /// Estimated value at each rank. <https://redis.io/commands/tdigest.byrank>
        "TDIGEST.BYRANK" byrank(key: impl ToArgs, ranks: &[i64]) -> Vec<f64> = [key, ranks];
            keys(1, 1, 1) flags(READONLY) reply(Doubles);

        /// Estimated value at each reverse rank. <https://redis.io/commands/tdigest.byrevrank>
        "TDIGEST.BYREVRANK" byrevrank(key: impl ToArgs, ranks: &[i64]) -> Vec<f64> = [key, ranks];
            keys(1, 1, 1) flags(READONLY) reply(Doubles);

        /// Compression, capacity, nodes, weights, observations, compressions, memory.
        /// <https://redis.io/commands/tdigest.info>
        "TDIGEST.INFO" info(key: impl ToArgs) -> TDigestInfo = [key]; keys(1, 1, 1) flags(READONLY) reply(Pairs);
    } };
}
