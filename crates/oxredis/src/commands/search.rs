//! RediSearch 2.10 commands on one index (`r.ft("idx")`), with redis-py's method names. The
//! accessor holds the index name: each entry's first parameter, `index`, is filled from it.
//! Flags and key positions are the module's own (`COMMAND INFO`, which the tests compare):
//! the index name counts as a key (so a cluster client routes by it), and the module flags
//! the alias and dictionary commands `readonly`.
//! <https://redis.io/docs/latest/commands/?group=search>

macro_rules! ft_commands {
    ($surface:ident $($pre:tt)*) => { $surface! { $($pre)*
        /// Creates the index with `fields` (redis-py `create_index`). <https://redis.io/commands/ft.create>
        "FT.CREATE" create_index(index: &str, fields: &[Field]) -> bool = [index, Schema(fields)];
            keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// FT.CREATE with a definition (`ON HASH|JSON`, `PREFIX`, `FILTER`...) and options.
        /// <https://redis.io/commands/ft.create>
        "FT.CREATE" create_index_options(index: &str, fields: &[Field], options: &IndexOptions) -> bool =
            [index, options, Schema(fields)]; keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// Drops the index, and its documents when `delete_documents` (`DD`).
        /// <https://redis.io/commands/ft.dropindex>
        "FT.DROPINDEX" dropindex(index: &str, delete_documents: bool) -> bool =
            [index, delete_documents.then_some("DD")]; keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// Adds fields to the schema (`FT.ALTER ... SCHEMA ADD`). <https://redis.io/commands/ft.alter>
        "FT.ALTER" alter_schema_add(index: &str, fields: &[Field]) -> bool =
            [index, "SCHEMA", "ADD", fields]; keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// Runs a query: the total and this page's documents. <https://redis.io/commands/ft.search>
        "FT.SEARCH" search(index: &str, query: &Query) -> SearchResult = [index, query]; keys(1, 1, 1) flags(READONLY);

        /// Runs an aggregation pipeline. <https://redis.io/commands/ft.aggregate>
        "FT.AGGREGATE" aggregate(index: &str, request: &AggregateRequest) -> AggregateResult =
            [index, request]; keys(1, 1, 1) flags(READONLY);

        /// Reads the next rows of an aggregation cursor (`count` 0: the cursor's own count).
        /// <https://redis.io/commands/ft.cursor-read>
        "FT.CURSOR READ" cursor_read(index: &str, cursor: i64, count: u64) -> AggregateResult =
            [index, cursor, (count > 0).then_some("COUNT"), (count > 0).then_some(count)];
            keys(2, 2, 1) flags(READONLY) reply(Module(FtAggregate { cursor: true }));

        /// Deletes an aggregation cursor. <https://redis.io/commands/ft.cursor-del>
        "FT.CURSOR DEL" cursor_del(index: &str, cursor: i64) -> bool = [index, cursor];
            keys(2, 2, 1) flags(READONLY) reply(OkBool);

        /// The index's settings and statistics. <https://redis.io/commands/ft.info>
        "FT.INFO" info(index: &str) -> FtInfo = [index]; keys(1, 1, 1) flags(READONLY) reply(Module(FtInfo));

        /// The execution plan of a query, as text. <https://redis.io/commands/ft.explain>
        "FT.EXPLAIN" explain(index: &str, query: &str, dialect: Option<u32>) -> String =
            [index, query, dialect.map(|_| "DIALECT"), dialect]; keys(1, 1, 1) flags(READONLY);

        /// Runs a query with profiling: the result and the profile (as the server sends it).
        /// <https://redis.io/commands/ft.profile>
        "FT.PROFILE" profile_search(index: &str, query: &Query, limited: bool) -> (SearchResult, Value) =
            [index, "SEARCH", limited.then_some("LIMITED"), "QUERY", Profiled(query)]; keys(1, 1, 1) flags(READONLY);

        /// Runs an aggregation with profiling: the result and the profile.
        /// <https://redis.io/commands/ft.profile>
        "FT.PROFILE" profile_aggregate(index: &str, request: &AggregateRequest, limited: bool) -> (AggregateResult, Value) =
            [index, "AGGREGATE", limited.then_some("LIMITED"), "QUERY", Profiled(request)]; keys(1, 1, 1) flags(READONLY);

        /// Adds an alias for the index. <https://redis.io/commands/ft.aliasadd>
        "FT.ALIASADD" aliasadd(index: &str, alias: impl ToArgs) -> bool = [alias, index];
            keys(1, 2, 1) flags(READONLY) reply(OkBool);

        /// Points an alias at the index. <https://redis.io/commands/ft.aliasupdate>
        "FT.ALIASUPDATE" aliasupdate(index: &str, alias: impl ToArgs) -> bool = [alias, index];
            keys(1, 2, 1) flags(READONLY) reply(OkBool);

        /// Removes an alias (of any index). <https://redis.io/commands/ft.aliasdel>
        "FT.ALIASDEL" aliasdel(_index: &str, alias: impl ToArgs) -> bool = [alias];
            keys(1, 1, 1) flags(READONLY) reply(OkBool);

        /// Adds terms to a dictionary; how many were new. <https://redis.io/commands/ft.dictadd>
        "FT.DICTADD" dict_add(_index: &str, dict: impl ToArgs, terms: impl ToArgs) -> i64 = [dict, terms];
            flags(READONLY);

        /// Deletes terms from a dictionary; how many were there. <https://redis.io/commands/ft.dictdel>
        "FT.DICTDEL" dict_del(_index: &str, dict: impl ToArgs, terms: impl ToArgs) -> i64 = [dict, terms];
            flags(READONLY);

        /// The terms of a dictionary. <https://redis.io/commands/ft.dictdump>
        "FT.DICTDUMP" dict_dump<T: FromValue>(_index: &str, dict: impl ToArgs) -> Vec<T> = [dict];
            flags(READONLY) reply(Module(ArrayOfSet));

        /// Adds `terms` to synonym group `group` (`SKIPINITIALSCAN` with `skip_initial_scan`).
        /// <https://redis.io/commands/ft.synupdate>
        "FT.SYNUPDATE" synupdate(index: &str, group: impl ToArgs, skip_initial_scan: bool, terms: impl ToArgs) -> bool =
            [index, group, skip_initial_scan.then_some("SKIPINITIALSCAN"), terms]; keys(1, 1, 1) flags(WRITE) reply(OkBool);

        /// Each term's synonym groups: a map of term to group ids. <https://redis.io/commands/ft.syndump>
        "FT.SYNDUMP" syndump<T: FromValue>(index: &str) -> T = [index]; keys(1, 1, 1) flags(READONLY) reply(Pairs);

        /// The distinct values of a tag field. <https://redis.io/commands/ft.tagvals>
        "FT.TAGVALS" tagvals<T: FromValue>(index: &str, field: impl ToArgs) -> Vec<T> = [index, field];
            keys(1, 1, 1) flags(READONLY) reply(Module(ArrayOfSet));

        /// Names of all indexes (`FT._LIST`). <https://redis.io/commands/ft._list>
        "FT._LIST" list<T: FromValue>(_index: &str) -> Vec<T> = []; flags(READONLY) reply(Module(ArrayOfSet));
    } };
}
