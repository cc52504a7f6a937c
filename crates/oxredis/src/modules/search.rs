//! RediSearch: a typed schema builder ([`Field`], [`IndexOptions`]), a query builder
//! ([`Query`]), an aggregation pipeline builder ([`AggregateRequest`]) and typed results
//! ([`SearchResult`], [`AggregateResult`], [`FtInfo`]).
//!
//! Replies are normalised to one form on both protocols (RESP3's maps): a raw `Value` from
//! `search` or `aggregate` is the same whether the connection speaks RESP2 or RESP3.

use std::collections::HashMap;

use bytes::Bytes;

use super::bloom::fields;
use super::reply::{ModuleShape, ProfiledShape};
use crate::reply::{to_double, ReplyShape};
use crate::{Cmd, Error, ErrorKind, FromValue, Result, ToArgs, Value};

/// What a schema field indexes.
#[derive(Debug, Clone, PartialEq)]
enum FieldKind {
    Text,
    Tag,
    Numeric,
    Geo,
    Vector {
        algorithm: &'static str,
        attributes: Vec<(String, String)>,
    },
}

/// One field of an index schema (`FT.CREATE ... SCHEMA`), built with its options.
///
/// ```
/// use oxredis::modules::search::{Field, VectorAlgorithm};
/// let schema = [
///     Field::text("title").weight(5.0).sortable(),
///     Field::tag("color").separator(';'),
///     Field::numeric("price").sortable(),
///     Field::geo("location"),
///     Field::vector("embedding", VectorAlgorithm::Flat,
///         [("TYPE", "FLOAT32"), ("DIM", "4"), ("DISTANCE_METRIC", "L2")]),
///     Field::text("$.name").as_name("name"),
/// ];
/// # let _ = schema;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    name: String,
    alias: Option<String>,
    kind: FieldKind,
    flags: Vec<&'static str>,
    weight: Option<f64>,
    separator: Option<char>,
}

/// The index algorithm of a vector field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VectorAlgorithm {
    /// Brute force (`FLAT`).
    Flat,
    /// Hierarchical navigable small world graphs (`HNSW`).
    Hnsw,
}

impl Field {
    fn new(name: impl Into<String>, kind: FieldKind) -> Field {
        Field {
            name: name.into(),
            alias: None,
            kind,
            flags: Vec::new(),
            weight: None,
            separator: None,
        }
    }
    /// A full-text field (`TEXT`).
    pub fn text(name: impl Into<String>) -> Field {
        Field::new(name, FieldKind::Text)
    }
    /// A tag field (`TAG`): exact-match values, comma-separated by default.
    pub fn tag(name: impl Into<String>) -> Field {
        Field::new(name, FieldKind::Tag)
    }
    /// A numeric field (`NUMERIC`) for range filters.
    pub fn numeric(name: impl Into<String>) -> Field {
        Field::new(name, FieldKind::Numeric)
    }
    /// A geo field (`GEO`, `"lon,lat"` values).
    pub fn geo(name: impl Into<String>) -> Field {
        Field::new(name, FieldKind::Geo)
    }
    /// A vector field (`VECTOR`) with its attributes (`TYPE`, `DIM`, `DISTANCE_METRIC`, ...).
    pub fn vector<K: Into<String>, V: Into<String>>(
        name: impl Into<String>,
        algorithm: VectorAlgorithm,
        attributes: impl IntoIterator<Item = (K, V)>,
    ) -> Field {
        let algorithm = match algorithm {
            VectorAlgorithm::Flat => "FLAT",
            VectorAlgorithm::Hnsw => "HNSW",
        };
        let attributes = attributes
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Field::new(
            name,
            FieldKind::Vector {
                algorithm,
                attributes,
            },
        )
    }
    /// The name queries use for it (`AS`), e.g. for a JSON path.
    pub fn as_name(mut self, alias: impl Into<String>) -> Field {
        self.alias = Some(alias.into());
        self
    }
    /// Sortable (`SORTABLE`).
    pub fn sortable(mut self) -> Field {
        self.flags.push("SORTABLE");
        self
    }
    /// Stored but not indexed (`NOINDEX`).
    pub fn no_index(mut self) -> Field {
        self.flags.push("NOINDEX");
        self
    }
    /// Text without stemming (`NOSTEM`).
    pub fn no_stem(mut self) -> Field {
        self.flags.push("NOSTEM");
        self
    }
    /// Text relevance weight (`WEIGHT`).
    pub fn weight(mut self, weight: f64) -> Field {
        self.weight = Some(weight);
        self
    }
    /// Tag separator (`SEPARATOR`).
    pub fn separator(mut self, sep: char) -> Field {
        self.separator = Some(sep);
        self
    }
    /// Case-sensitive tags (`CASESENSITIVE`).
    pub fn case_sensitive(mut self) -> Field {
        self.flags.push("CASESENSITIVE");
        self
    }
}

impl ToArgs for Field {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg(&self.name);
        if let Some(a) = &self.alias {
            cmd.arg("AS").arg(a);
        }
        match &self.kind {
            FieldKind::Text => {
                cmd.arg("TEXT");
            }
            FieldKind::Tag => {
                cmd.arg("TAG");
            }
            FieldKind::Numeric => {
                cmd.arg("NUMERIC");
            }
            FieldKind::Geo => {
                cmd.arg("GEO");
            }
            FieldKind::Vector {
                algorithm,
                attributes,
            } => {
                cmd.arg("VECTOR").arg(*algorithm).arg(attributes.len() * 2);
                for (k, v) in attributes {
                    cmd.arg(k).arg(v);
                }
            }
        }
        if let Some(w) = self.weight {
            cmd.arg("WEIGHT").arg(w);
        }
        if let Some(s) = self.separator {
            cmd.arg("SEPARATOR").arg(s.to_string());
        }
        // SORTABLE, NOINDEX... come after the type's own options.
        for f in &self.flags {
            cmd.arg(*f);
        }
    }
}

/// What an index covers (`ON HASH` or `ON JSON`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IndexType {
    /// Hashes (the default).
    #[default]
    Hash,
    /// RedisJSON documents.
    Json,
}

/// The index definition and creation options of FT.CREATE (redis-py's `IndexDefinition` and
/// `create_index` keywords).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexOptions {
    on: Option<IndexType>,
    prefixes: Vec<String>,
    filter: Option<String>,
    language: Option<String>,
    score: Option<f64>,
    stopwords: Option<Vec<String>>,
    flags: Vec<&'static str>,
}

impl IndexOptions {
    /// `ON HASH` / `ON JSON`.
    pub fn on(mut self, on: IndexType) -> Self {
        self.on = Some(on);
        self
    }
    /// Index only keys with these prefixes (`PREFIX n p...`).
    pub fn prefix<S: Into<String>>(mut self, prefixes: impl IntoIterator<Item = S>) -> Self {
        self.prefixes = prefixes.into_iter().map(Into::into).collect();
        self
    }
    /// Index only documents matching an expression (`FILTER`).
    pub fn filter(mut self, expr: impl Into<String>) -> Self {
        self.filter = Some(expr.into());
        self
    }
    /// Default language for stemming (`LANGUAGE`).
    pub fn language(mut self, lang: impl Into<String>) -> Self {
        self.language = Some(lang.into());
        self
    }
    /// Default document score (`SCORE`).
    pub fn score(mut self, score: f64) -> Self {
        self.score = Some(score);
        self
    }
    /// Stop words (`STOPWORDS n w...`; empty: none at all).
    pub fn stopwords<S: Into<String>>(mut self, words: impl IntoIterator<Item = S>) -> Self {
        self.stopwords = Some(words.into_iter().map(Into::into).collect());
        self
    }
    /// Keep no term offsets (`NOOFFSETS`).
    pub fn no_offsets(mut self) -> Self {
        self.flags.push("NOOFFSETS");
        self
    }
    /// Keep no field flags (`NOFIELDS`).
    pub fn no_fields(mut self) -> Self {
        self.flags.push("NOFIELDS");
        self
    }
    /// Do not index existing keys (`SKIPINITIALSCAN`).
    pub fn skip_initial_scan(mut self) -> Self {
        self.flags.push("SKIPINITIALSCAN");
        self
    }
}

impl ToArgs for IndexOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        match self.on {
            Some(IndexType::Hash) => {
                cmd.arg("ON").arg("HASH");
            }
            Some(IndexType::Json) => {
                cmd.arg("ON").arg("JSON");
            }
            None => {}
        }
        if !self.prefixes.is_empty() {
            cmd.arg("PREFIX")
                .arg(self.prefixes.len())
                .arg(&self.prefixes);
        }
        if let Some(f) = &self.filter {
            cmd.arg("FILTER").arg(f);
        }
        if let Some(l) = &self.language {
            cmd.arg("LANGUAGE").arg(l);
        }
        if let Some(s) = self.score {
            cmd.arg("SCORE").arg(s);
        }
        for f in &self.flags {
            cmd.arg(*f);
        }
        if let Some(words) = &self.stopwords {
            cmd.arg("STOPWORDS").arg(words.len()).arg(words);
        }
    }
}

/// `SCHEMA` and the fields.
pub(crate) struct Schema<'a>(pub(crate) &'a [Field]);

impl ToArgs for Schema<'_> {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg("SCHEMA");
        for f in self.0 {
            f.write_args(cmd);
        }
    }
}

/// A query parameter value (`PARAMS`): text or bytes (a vector's little-endian floats).
#[derive(Debug, Clone, PartialEq)]
pub struct Param(Bytes);

impl From<&str> for Param {
    fn from(s: &str) -> Param {
        Param(Bytes::copy_from_slice(s.as_bytes()))
    }
}
impl From<String> for Param {
    fn from(s: String) -> Param {
        Param(Bytes::from(s))
    }
}
impl From<Vec<u8>> for Param {
    fn from(b: Vec<u8>) -> Param {
        Param(Bytes::from(b))
    }
}
impl From<&[f32]> for Param {
    /// A FLOAT32 vector as the little-endian bytes RediSearch expects.
    fn from(v: &[f32]) -> Param {
        Param(v.iter().flat_map(|f| f.to_le_bytes()).collect())
    }
}
impl From<i64> for Param {
    fn from(n: i64) -> Param {
        Param(Bytes::from(n.to_string()))
    }
}

/// `HIGHLIGHT`'s fields and optional open/close tags.
type Highlight = (Vec<String>, Option<(String, String)>);

/// An FT.SEARCH query with its options (redis-py's `Query`).
///
/// ```
/// use oxredis::modules::search::Query;
/// let q = Query::new("@title:hello @color:{red}")
///     .filter("price", 10.0, 20.0)
///     .return_fields(["title", "price"])
///     .sort_by("price", true)
///     .limit(0, 5)
///     .with_scores();
/// let knn = Query::new("*=>[KNN 3 @embedding $v AS dist]")
///     .params([("v", &[0.1f32, 0.2, 0.3, 0.4][..])])
///     .sort_by("dist", true)
///     .dialect(2);
/// # let _ = (q, knn);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    text: String,
    nocontent: bool,
    verbatim: bool,
    with_scores: bool,
    filters: Vec<(String, String, String)>,
    geo_filter: Option<(String, f64, f64, f64, String)>,
    in_keys: Vec<String>,
    in_fields: Vec<String>,
    return_fields: Vec<String>,
    summarize: Option<Vec<String>>,
    highlight: Option<Highlight>,
    slop: Option<i64>,
    in_order: bool,
    language: Option<String>,
    sort_by: Option<(String, bool)>,
    limit: Option<(i64, i64)>,
    params: Vec<(String, Param)>,
    dialect: Option<u32>,
    timeout: Option<u64>,
}

impl Query {
    /// A query for `text` (RediSearch query syntax).
    pub fn new(text: impl Into<String>) -> Query {
        Query {
            text: text.into(),
            nocontent: false,
            verbatim: false,
            with_scores: false,
            filters: Vec::new(),
            geo_filter: None,
            in_keys: Vec::new(),
            in_fields: Vec::new(),
            return_fields: Vec::new(),
            summarize: None,
            highlight: None,
            slop: None,
            in_order: false,
            language: None,
            sort_by: None,
            limit: None,
            params: Vec::new(),
            dialect: None,
            timeout: None,
        }
    }
    /// Only ids, no fields (`NOCONTENT`).
    pub fn no_content(mut self) -> Self {
        self.nocontent = true;
        self
    }
    /// No stemming of the query terms (`VERBATIM`).
    pub fn verbatim(mut self) -> Self {
        self.verbatim = true;
        self
    }
    /// Each document's relevance score (`WITHSCORES`).
    pub fn with_scores(mut self) -> Self {
        self.with_scores = true;
        self
    }
    /// Only documents whose numeric `field` is in `min..=max` (`FILTER`).
    pub fn filter(mut self, field: impl Into<String>, min: f64, max: f64) -> Self {
        let num = |v: f64| {
            if v == f64::INFINITY {
                "+inf".to_string()
            } else if v == f64::NEG_INFINITY {
                "-inf".to_string()
            } else {
                v.to_string()
            }
        };
        self.filters.push((field.into(), num(min), num(max)));
        self
    }
    /// Only documents within `radius` `unit` of `(lon, lat)` in `field` (`GEOFILTER`).
    pub fn geo_filter(
        mut self,
        field: impl Into<String>,
        lon: f64,
        lat: f64,
        radius: f64,
        unit: impl Into<String>,
    ) -> Self {
        self.geo_filter = Some((field.into(), lon, lat, radius, unit.into()));
        self
    }
    /// Only these document ids (`INKEYS`).
    pub fn limit_ids<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.in_keys = ids.into_iter().map(Into::into).collect();
        self
    }
    /// Search only these fields (`INFIELDS`).
    pub fn limit_fields<S: Into<String>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.in_fields = fields.into_iter().map(Into::into).collect();
        self
    }
    /// Return only these fields (`RETURN`).
    pub fn return_fields<S: Into<String>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.return_fields = fields.into_iter().map(Into::into).collect();
        self
    }
    /// Return fragments around the matches of these fields (`SUMMARIZE FIELDS`; empty: all).
    pub fn summarize<S: Into<String>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.summarize = Some(fields.into_iter().map(Into::into).collect());
        self
    }
    /// Wrap matches of these fields (empty: all) in tags (`HIGHLIGHT ... TAGS open close`;
    /// `None`: the module's `<b>`/`</b>`).
    pub fn highlight<S: Into<String>>(
        mut self,
        fields: impl IntoIterator<Item = S>,
        tags: Option<(&str, &str)>,
    ) -> Self {
        self.highlight = Some((
            fields.into_iter().map(Into::into).collect(),
            tags.map(|(o, c)| (o.to_string(), c.to_string())),
        ));
        self
    }
    /// Allowed distance between the terms (`SLOP`).
    pub fn slop(mut self, slop: i64) -> Self {
        self.slop = Some(slop);
        self
    }
    /// Terms in query order (`INORDER`).
    pub fn in_order(mut self) -> Self {
        self.in_order = true;
        self
    }
    /// Query language for stemming (`LANGUAGE`).
    pub fn language(mut self, lang: impl Into<String>) -> Self {
        self.language = Some(lang.into());
        self
    }
    /// Sort by a sortable field (`SORTBY field ASC|DESC`).
    pub fn sort_by(mut self, field: impl Into<String>, ascending: bool) -> Self {
        self.sort_by = Some((field.into(), ascending));
        self
    }
    /// `LIMIT offset num` (the module's default is 0 10).
    pub fn limit(mut self, offset: i64, num: i64) -> Self {
        self.limit = Some((offset, num));
        self
    }
    /// Query parameters (`PARAMS`; `$name` in the query), e.g. a KNN query vector.
    pub fn params<K: Into<String>, V: Into<Param>>(
        mut self,
        params: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.params = params
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        self
    }
    /// Query dialect (`DIALECT`; 2 or more for vector queries).
    pub fn dialect(mut self, dialect: u32) -> Self {
        self.dialect = Some(dialect);
        self
    }
    /// Query timeout in milliseconds (`TIMEOUT`).
    pub fn timeout(mut self, millis: u64) -> Self {
        self.timeout = Some(millis);
        self
    }

    fn shape(&self) -> ReplyShape {
        ReplyShape::Module(ModuleShape::FtSearch {
            scores: self.with_scores,
            content: !self.nocontent,
        })
    }
}

fn counted(cmd: &mut Cmd, word: &str, items: &[String]) {
    cmd.arg(word).arg(items.len()).arg(items);
}

impl ToArgs for Query {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg(&self.text);
        if self.nocontent {
            cmd.arg("NOCONTENT");
        }
        if self.verbatim {
            cmd.arg("VERBATIM");
        }
        if self.with_scores {
            cmd.arg("WITHSCORES");
        }
        for (f, min, max) in &self.filters {
            cmd.arg("FILTER").arg(f).arg(min).arg(max);
        }
        if let Some((f, lon, lat, r, unit)) = &self.geo_filter {
            cmd.arg("GEOFILTER")
                .arg(f)
                .arg(*lon)
                .arg(*lat)
                .arg(*r)
                .arg(unit);
        }
        if !self.in_keys.is_empty() {
            counted(cmd, "INKEYS", &self.in_keys);
        }
        if !self.in_fields.is_empty() {
            counted(cmd, "INFIELDS", &self.in_fields);
        }
        if !self.return_fields.is_empty() {
            counted(cmd, "RETURN", &self.return_fields);
        }
        if let Some(fields) = &self.summarize {
            cmd.arg("SUMMARIZE");
            if !fields.is_empty() {
                counted(cmd, "FIELDS", fields);
            }
        }
        if let Some((fields, tags)) = &self.highlight {
            cmd.arg("HIGHLIGHT");
            if !fields.is_empty() {
                counted(cmd, "FIELDS", fields);
            }
            if let Some((open, close)) = tags {
                cmd.arg("TAGS").arg(open).arg(close);
            }
        }
        if let Some(s) = self.slop {
            cmd.arg("SLOP").arg(s);
        }
        if self.in_order {
            cmd.arg("INORDER");
        }
        if let Some(l) = &self.language {
            cmd.arg("LANGUAGE").arg(l);
        }
        if let Some((f, asc)) = &self.sort_by {
            cmd.arg("SORTBY")
                .arg(f)
                .arg(if *asc { "ASC" } else { "DESC" });
        }
        if let Some((o, n)) = self.limit {
            cmd.arg("LIMIT").arg(o).arg(n);
        }
        if let Some(t) = self.timeout {
            cmd.arg("TIMEOUT").arg(t);
        }
        write_params(cmd, &self.params);
        if let Some(d) = self.dialect {
            cmd.arg("DIALECT").arg(d);
        }
        cmd.set_reply_shape(self.shape());
    }
}

fn write_params(cmd: &mut Cmd, params: &[(String, Param)]) {
    if !params.is_empty() {
        cmd.arg("PARAMS").arg(params.len() * 2);
        for (k, v) in params {
            cmd.arg(k).arg(&v.0);
        }
    }
}

/// A query or aggregation sent by FT.PROFILE: its reply shape wrapped in `FtProfile`.
pub(crate) struct Profiled<'a, Q>(pub(crate) &'a Q);

impl<Q: ToArgs> ToArgs for Profiled<'_, Q> {
    fn write_args(&self, cmd: &mut Cmd) {
        self.0.write_args(cmd);
        if let ReplyShape::Module(inner) = cmd.reply_shape() {
            let inner = match inner {
                ModuleShape::FtSearch { scores, content } => {
                    ProfiledShape::Search { scores, content }
                }
                _ => ProfiledShape::Aggregate,
            };
            cmd.set_reply_shape(ReplyShape::Module(ModuleShape::FtProfile(inner)));
        }
    }
}

/// A reducer of an aggregation's `GROUPBY` (redis-py's `reducers`).
#[derive(Debug, Clone, PartialEq)]
pub struct Reducer {
    name: &'static str,
    args: Vec<String>,
    alias: Option<String>,
}

impl Reducer {
    fn new(name: &'static str, args: Vec<String>) -> Reducer {
        Reducer {
            name,
            args,
            alias: None,
        }
    }
    /// Number of rows in the group (`COUNT`).
    pub fn count() -> Reducer {
        Reducer::new("COUNT", Vec::new())
    }
    /// Number of distinct values of a property (`COUNT_DISTINCT`).
    pub fn count_distinct(property: impl Into<String>) -> Reducer {
        Reducer::new("COUNT_DISTINCT", vec![property.into()])
    }
    /// Sum of a property (`SUM`).
    pub fn sum(property: impl Into<String>) -> Reducer {
        Reducer::new("SUM", vec![property.into()])
    }
    /// Minimum of a property (`MIN`).
    pub fn min(property: impl Into<String>) -> Reducer {
        Reducer::new("MIN", vec![property.into()])
    }
    /// Maximum of a property (`MAX`).
    pub fn max(property: impl Into<String>) -> Reducer {
        Reducer::new("MAX", vec![property.into()])
    }
    /// Average of a property (`AVG`).
    pub fn avg(property: impl Into<String>) -> Reducer {
        Reducer::new("AVG", vec![property.into()])
    }
    /// The values of a property as a list (`TOLIST`).
    pub fn tolist(property: impl Into<String>) -> Reducer {
        Reducer::new("TOLIST", vec![property.into()])
    }
    /// The output name (`AS`).
    pub fn alias(mut self, name: impl Into<String>) -> Reducer {
        self.alias = Some(name.into());
        self
    }
}

/// One step of an aggregation pipeline.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    GroupBy(Vec<String>, Vec<Reducer>),
    SortBy(Vec<(String, bool)>, Option<i64>),
    Apply(String, String),
    Filter(String),
    Limit(i64, i64),
}

/// An FT.AGGREGATE request: a query and a pipeline of steps (redis-py's `AggregateRequest`).
///
/// ```
/// use oxredis::modules::search::{AggregateRequest, Reducer};
/// let req = AggregateRequest::new("*")
///     .load(["@price"])
///     .group_by(["@color"], [Reducer::count().alias("n"), Reducer::avg("@price").alias("avg")])
///     .sort_by([("@n", false)], None)
///     .limit(0, 10);
/// # let _ = req;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateRequest {
    query: String,
    verbatim: bool,
    load: Option<Vec<String>>,
    steps: Vec<Step>,
    cursor: Option<(Option<u64>, Option<u64>)>,
    params: Vec<(String, Param)>,
    dialect: Option<u32>,
    timeout: Option<u64>,
}

impl AggregateRequest {
    /// An aggregation over the documents matching `query`.
    pub fn new(query: impl Into<String>) -> Self {
        AggregateRequest {
            query: query.into(),
            verbatim: false,
            load: None,
            steps: Vec::new(),
            cursor: None,
            params: Vec::new(),
            dialect: None,
            timeout: None,
        }
    }
    /// No stemming (`VERBATIM`).
    pub fn verbatim(mut self) -> Self {
        self.verbatim = true;
        self
    }
    /// Load these document fields (`LOAD n @f...`; empty: `LOAD *`).
    pub fn load<S: Into<String>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.load = Some(fields.into_iter().map(Into::into).collect());
        self
    }
    /// Groups by properties and reduces each group (`GROUPBY ... REDUCE ...`).
    pub fn group_by<S: Into<String>>(
        mut self,
        properties: impl IntoIterator<Item = S>,
        reducers: impl IntoIterator<Item = Reducer>,
    ) -> Self {
        self.steps.push(Step::GroupBy(
            properties.into_iter().map(Into::into).collect(),
            reducers.into_iter().collect(),
        ));
        self
    }
    /// Sorts by `(property, ascending)` pairs, keeping at most `max` rows (`SORTBY ... MAX`).
    pub fn sort_by<S: Into<String>>(
        mut self,
        by: impl IntoIterator<Item = (S, bool)>,
        max: Option<i64>,
    ) -> Self {
        self.steps.push(Step::SortBy(
            by.into_iter().map(|(p, a)| (p.into(), a)).collect(),
            max,
        ));
        self
    }
    /// Adds a computed property (`APPLY expr AS name`).
    pub fn apply(mut self, expr: impl Into<String>, name: impl Into<String>) -> Self {
        self.steps.push(Step::Apply(expr.into(), name.into()));
        self
    }
    /// Keeps rows matching an expression (`FILTER`).
    pub fn filter(mut self, expr: impl Into<String>) -> Self {
        self.steps.push(Step::Filter(expr.into()));
        self
    }
    /// `LIMIT offset num`.
    pub fn limit(mut self, offset: i64, num: i64) -> Self {
        self.steps.push(Step::Limit(offset, num));
        self
    }
    /// Reads the result through a cursor (`WITHCURSOR [COUNT n] [MAXIDLE ms]`); continue
    /// with `cursor_read` while the result's `cursor` is not 0.
    pub fn with_cursor(mut self, count: Option<u64>, max_idle_ms: Option<u64>) -> Self {
        self.cursor = Some((count, max_idle_ms));
        self
    }
    /// Query parameters (`PARAMS`).
    pub fn params<K: Into<String>, V: Into<Param>>(
        mut self,
        params: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.params = params
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        self
    }
    /// Query dialect (`DIALECT`).
    pub fn dialect(mut self, dialect: u32) -> Self {
        self.dialect = Some(dialect);
        self
    }
    /// Timeout in milliseconds (`TIMEOUT`).
    pub fn timeout(mut self, millis: u64) -> Self {
        self.timeout = Some(millis);
        self
    }
}

impl ToArgs for AggregateRequest {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg(&self.query);
        if self.verbatim {
            cmd.arg("VERBATIM");
        }
        if let Some(load) = &self.load {
            if load.is_empty() {
                cmd.arg("LOAD").arg("*");
            } else {
                counted(cmd, "LOAD", load);
            }
        }
        if let Some(t) = self.timeout {
            cmd.arg("TIMEOUT").arg(t);
        }
        for step in &self.steps {
            match step {
                Step::GroupBy(props, reducers) => {
                    counted(cmd, "GROUPBY", props);
                    for r in reducers {
                        cmd.arg("REDUCE").arg(r.name).arg(r.args.len()).arg(&r.args);
                        if let Some(a) = &r.alias {
                            cmd.arg("AS").arg(a);
                        }
                    }
                }
                Step::SortBy(by, max) => {
                    cmd.arg("SORTBY").arg(by.len() * 2);
                    for (p, asc) in by {
                        cmd.arg(p).arg(if *asc { "ASC" } else { "DESC" });
                    }
                    if let Some(m) = max {
                        cmd.arg("MAX").arg(*m);
                    }
                }
                Step::Apply(expr, name) => {
                    cmd.arg("APPLY").arg(expr).arg("AS").arg(name);
                }
                Step::Filter(expr) => {
                    cmd.arg("FILTER").arg(expr);
                }
                Step::Limit(o, n) => {
                    cmd.arg("LIMIT").arg(*o).arg(*n);
                }
            }
        }
        if let Some((count, idle)) = self.cursor {
            cmd.arg("WITHCURSOR");
            if let Some(c) = count {
                cmd.arg("COUNT").arg(c);
            }
            if let Some(i) = idle {
                cmd.arg("MAXIDLE").arg(i);
            }
        }
        write_params(cmd, &self.params);
        if let Some(d) = self.dialect {
            cmd.arg("DIALECT").arg(d);
        }
        cmd.set_reply_shape(ReplyShape::Module(ModuleShape::FtAggregate {
            cursor: self.cursor.is_some(),
        }));
    }
}

/// One document of a [`SearchResult`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Document {
    /// The document's key.
    pub id: String,
    /// Relevance score, with [`Query::with_scores`].
    pub score: Option<f64>,
    /// Its returned fields (none with [`Query::no_content`]).
    pub fields: HashMap<String, Bytes>,
}

impl Document {
    /// Field `name` as UTF-8 text, if present and valid.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .get(name)
            .and_then(|b| std::str::from_utf8(b).ok())
    }
}

/// The reply of FT.SEARCH: the total number of matches and the documents of this page.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SearchResult {
    /// Matches in all (not only this page).
    pub total: i64,
    /// The documents of this page.
    pub docs: Vec<Document>,
}

fn map_of(value: Value, what: &str) -> Result<HashMap<String, Value>> {
    fields(value, what)
}

fn bytes_of(v: Value) -> Result<Bytes> {
    match v {
        Value::Int(i) => Ok(Bytes::from(i.to_string())),
        Value::Double(d) => Ok(Bytes::from(d.to_string())),
        v => Bytes::from_value(v),
    }
}

impl FromValue for SearchResult {
    fn from_value(value: Value) -> Result<Self> {
        let mut m = map_of(value, "FT.SEARCH")?;
        let total = i64::from_value(m.remove("total_results").unwrap_or(Value::Int(0)))?;
        let results = m.remove("results").unwrap_or(Value::Array(Vec::new()));
        let Value::Array(items) = results else {
            return Err(Error::new(
                ErrorKind::Data,
                "FT.SEARCH results is not a list",
            ));
        };
        let docs = items
            .into_iter()
            .map(|item| {
                let mut d = map_of(item, "FT.SEARCH result")?;
                let id = String::from_value(d.remove("id").unwrap_or(Value::Nil))?;
                let score = d.remove("score").map(|s| to_double(&s)).transpose()?;
                let fields = match d.remove("extra_attributes") {
                    Some(attrs) => map_of(attrs, "FT.SEARCH fields")?
                        .into_iter()
                        .map(|(k, v)| Ok((k, bytes_of(v)?)))
                        .collect::<Result<_>>()?,
                    None => HashMap::new(),
                };
                Ok(Document { id, score, fields })
            })
            .collect::<Result<_>>()?;
        Ok(SearchResult { total, docs })
    }
}

/// The reply of FT.AGGREGATE or FT.CURSOR READ: rows of properties, and the cursor to read on
/// with (0 when done, `None` without `WITHCURSOR`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AggregateResult {
    /// The module's count (for a `GROUPBY`, the number of groups; not always the rows here).
    pub total: i64,
    /// The rows: property name to value text.
    pub rows: Vec<HashMap<String, Bytes>>,
    /// The cursor id for `cursor_read`; 0 once exhausted.
    pub cursor: Option<i64>,
}

impl FromValue for AggregateResult {
    fn from_value(value: Value) -> Result<Self> {
        let (body, cursor) = match value {
            Value::Array(mut parts) if parts.len() == 2 => {
                let cursor = i64::from_value(parts.pop().unwrap_or(Value::Nil))?;
                (parts.pop().unwrap_or(Value::Nil), Some(cursor))
            }
            v => (v, None),
        };
        let mut m = map_of(body, "FT.AGGREGATE")?;
        let total = i64::from_value(m.remove("total_results").unwrap_or(Value::Int(0)))?;
        let Value::Array(items) = m.remove("results").unwrap_or(Value::Array(Vec::new())) else {
            return Err(Error::new(
                ErrorKind::Data,
                "FT.AGGREGATE results is not a list",
            ));
        };
        let rows = items
            .into_iter()
            .map(|item| {
                let mut row = map_of(item, "FT.AGGREGATE row")?;
                match row.remove("extra_attributes") {
                    Some(attrs) => map_of(attrs, "FT.AGGREGATE row")?
                        .into_iter()
                        .map(|(k, v)| Ok((k, bytes_of(v)?)))
                        .collect(),
                    None => Ok(HashMap::new()),
                }
            })
            .collect::<Result<_>>()?;
        Ok(AggregateResult {
            total,
            rows,
            cursor,
        })
    }
}

/// FT.INFO: the index's name, document count and indexing state, and every other field as it
/// came.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FtInfo {
    /// The index name.
    pub index_name: String,
    /// Documents indexed.
    pub num_docs: i64,
    /// Whether the initial scan still runs.
    pub indexing: bool,
    /// Share of the keyspace scanned, 0..=1.
    pub percent_indexed: f64,
    /// The schema's attributes, each a map (`identifier`, `attribute`, `type`...).
    pub attributes: Vec<HashMap<String, Value>>,
    /// Every other field of the reply.
    pub other: HashMap<String, Value>,
}

impl FromValue for FtInfo {
    fn from_value(value: Value) -> Result<Self> {
        let mut m = map_of(value, "FT.INFO")?;
        let attributes = match m.remove("attributes") {
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|a| map_of(a, "FT.INFO attribute"))
                .collect::<Result<_>>()?,
            _ => Vec::new(),
        };
        Ok(FtInfo {
            index_name: String::from_value(m.remove("index_name").unwrap_or(Value::Nil))?,
            num_docs: i64::from_value(m.remove("num_docs").unwrap_or(Value::Int(0)))?,
            indexing: i64::from_value(m.remove("indexing").unwrap_or(Value::Int(0)))? != 0,
            percent_indexed: to_double(&m.remove("percent_indexed").unwrap_or(Value::Int(1)))?,
            attributes,
            other: m,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::module_build::ft;

    #[test]
    fn schema_query_and_aggregation_pack_as_the_module_expects() {
        let create = ft::create_index_options(
            "idx",
            &[
                Field::text("title").weight(2.0).sortable(),
                Field::tag("$.c").as_name("c").separator(';'),
                Field::vector(
                    "v",
                    VectorAlgorithm::Hnsw,
                    [
                        ("TYPE", "FLOAT32"),
                        ("DIM", "2"),
                        ("DISTANCE_METRIC", "COSINE"),
                    ],
                ),
            ],
            &IndexOptions::default()
                .on(IndexType::Json)
                .prefix(["p:", "q:"])
                .stopwords(Vec::<String>::new()),
        );
        assert_eq!(
            format!("{create:?}"),
            r#"["FT.CREATE", "idx", "ON", "JSON", "PREFIX", "2", "p:", "q:", "STOPWORDS", "0", "SCHEMA", "title", "TEXT", "WEIGHT", "2.0", "SORTABLE", "$.c", "AS", "c", "TAG", "SEPARATOR", ";", "v", "VECTOR", "HNSW", "6", "TYPE", "FLOAT32", "DIM", "2", "DISTANCE_METRIC", "COSINE"]"#
        );
        assert_eq!(create.keys(), vec![&b"idx"[..]]);

        let q = Query::new("@t:x")
            .no_content()
            .with_scores()
            .filter("price", 1.0, f64::INFINITY)
            .return_fields(["a"])
            .sort_by("price", false)
            .limit(5, 10)
            .params([("v", &[1.0f32][..])])
            .dialect(2);
        let search = ft::search("idx", &q);
        // A FLOAT32 vector goes as its little-endian bytes.
        let args: Vec<&[u8]> = search.args().collect();
        assert_eq!(args[21], &[0, 0, 0x80, 0x3f][..]);
        assert_eq!(
            format!("{search:?}"),
            r#"["FT.SEARCH", "idx", "@t:x", "NOCONTENT", "WITHSCORES", "FILTER", "price", "1", "+inf", "RETURN", "1", "a", "SORTBY", "price", "DESC", "LIMIT", "5", "10", "PARAMS", "2", "v", "\0\0�?", "DIALECT", "2"]"#
        );
        assert_eq!(
            search.reply_shape(),
            ReplyShape::Module(ModuleShape::FtSearch {
                scores: true,
                content: false
            })
        );

        let agg = ft::aggregate(
            "idx",
            &AggregateRequest::new("*")
                .load(["@a"])
                .group_by(["@c"], [Reducer::count().alias("n")])
                .sort_by([("@n", false)], Some(3))
                .apply("@n * 2", "d")
                .filter("@d > 1")
                .limit(0, 2)
                .with_cursor(Some(10), Some(1000)),
        );
        assert_eq!(
            format!("{agg:?}"),
            r#"["FT.AGGREGATE", "idx", "*", "LOAD", "1", "@a", "GROUPBY", "1", "@c", "REDUCE", "COUNT", "0", "AS", "n", "SORTBY", "2", "@n", "DESC", "MAX", "3", "APPLY", "@n * 2", "AS", "d", "FILTER", "@d > 1", "LIMIT", "0", "2", "WITHCURSOR", "COUNT", "10", "MAXIDLE", "1000"]"#
        );
        let profile = ft::profile_search("idx", &Query::new("*"), true);
        assert_eq!(
            format!("{profile:?}"),
            r#"["FT.PROFILE", "idx", "SEARCH", "LIMITED", "QUERY", "*"]"#
        );
        assert!(matches!(
            profile.reply_shape(),
            ReplyShape::Module(ModuleShape::FtProfile(_))
        ));
    }
}
