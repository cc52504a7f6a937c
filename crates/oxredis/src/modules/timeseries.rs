//! RedisTimeSeries options and typed replies.

use std::collections::HashMap;

use super::bloom::{field, fields};
use crate::{Cmd, Error, ErrorKind, FromValue, Result, ToArgs, Value};

/// How samples at an existing timestamp are handled (`DUPLICATE_POLICY` / `ON_DUPLICATE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicatePolicy {
    /// Refuse the new sample.
    Block,
    /// Keep the first.
    First,
    /// Keep the last.
    Last,
    /// Keep the smaller.
    Min,
    /// Keep the larger.
    Max,
    /// Add them.
    Sum,
}

impl DuplicatePolicy {
    fn word(self) -> &'static str {
        match self {
            DuplicatePolicy::Block => "BLOCK",
            DuplicatePolicy::First => "FIRST",
            DuplicatePolicy::Last => "LAST",
            DuplicatePolicy::Min => "MIN",
            DuplicatePolicy::Max => "MAX",
            DuplicatePolicy::Sum => "SUM",
        }
    }
}

/// Options of TS.CREATE, TS.ALTER, TS.ADD, TS.INCRBY and TS.DECRBY (redis-py's keywords).
///
/// ```
/// use oxredis::modules::timeseries::{DuplicatePolicy, TsOptions};
/// let o = TsOptions::default()
///     .retention_msecs(5000)
///     .duplicate_policy(DuplicatePolicy::Last)
///     .labels([("sensor", "1")]);
/// # let _ = o;
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TsOptions {
    timestamp: Option<i64>,
    retention: Option<u64>,
    uncompressed: bool,
    chunk_size: Option<u64>,
    duplicate_policy: Option<DuplicatePolicy>,
    on_duplicate: Option<DuplicatePolicy>,
    ignore: Option<(u64, f64)>,
    labels: Vec<(String, String)>,
}

impl TsOptions {
    /// Keep samples this long, in ms (`RETENTION`; 0: forever).
    pub fn retention_msecs(mut self, ms: u64) -> Self {
        self.retention = Some(ms);
        self
    }
    /// Store samples uncompressed (`ENCODING UNCOMPRESSED`).
    pub fn uncompressed(mut self) -> Self {
        self.uncompressed = true;
        self
    }
    /// Bytes per chunk (`CHUNK_SIZE`).
    pub fn chunk_size(mut self, bytes: u64) -> Self {
        self.chunk_size = Some(bytes);
        self
    }
    /// The series' duplicate policy (`DUPLICATE_POLICY`, CREATE and ALTER).
    pub fn duplicate_policy(mut self, p: DuplicatePolicy) -> Self {
        self.duplicate_policy = Some(p);
        self
    }
    /// This sample's duplicate policy (`ON_DUPLICATE`, TS.ADD).
    pub fn on_duplicate(mut self, p: DuplicatePolicy) -> Self {
        self.on_duplicate = Some(p);
        self
    }
    /// The sample's timestamp for TS.INCRBY/TS.DECRBY (`TIMESTAMP`).
    pub fn timestamp(mut self, ts: i64) -> Self {
        self.timestamp = Some(ts);
        self
    }
    /// Drop samples closer than these to the last one (`IGNORE maxTimeDiff maxValDiff`).
    pub fn ignore(mut self, max_time_diff: u64, max_val_diff: f64) -> Self {
        self.ignore = Some((max_time_diff, max_val_diff));
        self
    }
    /// Labels (`LABELS k v...`).
    pub fn labels<K: Into<String>, V: Into<String>>(
        mut self,
        labels: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.labels = labels
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        self
    }
}

impl ToArgs for TsOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(ts) = self.timestamp {
            cmd.arg("TIMESTAMP").arg(ts);
        }
        if let Some(r) = self.retention {
            cmd.arg("RETENTION").arg(r);
        }
        if self.uncompressed {
            cmd.arg("ENCODING").arg("UNCOMPRESSED");
        }
        if let Some(c) = self.chunk_size {
            cmd.arg("CHUNK_SIZE").arg(c);
        }
        if let Some(p) = self.duplicate_policy {
            cmd.arg("DUPLICATE_POLICY").arg(p.word());
        }
        if let Some(p) = self.on_duplicate {
            cmd.arg("ON_DUPLICATE").arg(p.word());
        }
        if let Some((t, v)) = self.ignore {
            cmd.arg("IGNORE").arg(t).arg(v);
        }
        if !self.labels.is_empty() {
            cmd.arg("LABELS");
            for (k, v) in &self.labels {
                cmd.arg(k).arg(v);
            }
        }
    }
}

/// An aggregation of samples per bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TsAggregation {
    /// `avg`.
    Avg,
    /// `sum`.
    Sum,
    /// `min`.
    Min,
    /// `max`.
    Max,
    /// `range` (max - min).
    Range,
    /// `count`.
    Count,
    /// `first`.
    First,
    /// `last`.
    Last,
    /// `std.p`.
    StdP,
    /// `std.s`.
    StdS,
    /// `var.p`.
    VarP,
    /// `var.s`.
    VarS,
    /// `twa` (time-weighted average).
    Twa,
}

impl TsAggregation {
    fn word(self) -> &'static str {
        match self {
            TsAggregation::Avg => "avg",
            TsAggregation::Sum => "sum",
            TsAggregation::Min => "min",
            TsAggregation::Max => "max",
            TsAggregation::Range => "range",
            TsAggregation::Count => "count",
            TsAggregation::First => "first",
            TsAggregation::Last => "last",
            TsAggregation::StdP => "std.p",
            TsAggregation::StdS => "std.s",
            TsAggregation::VarP => "var.p",
            TsAggregation::VarS => "var.s",
            TsAggregation::Twa => "twa",
        }
    }
}

impl ToArgs for TsAggregation {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.arg(self.word());
    }
}

/// Options of TS.RANGE, TS.REVRANGE, TS.MRANGE and TS.MREVRANGE.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TsRangeOptions {
    latest: bool,
    filter_by_ts: Vec<i64>,
    filter_by_value: Option<(f64, f64)>,
    with_labels: bool,
    selected_labels: Vec<String>,
    count: Option<u64>,
    align: Option<String>,
    aggregation: Option<(TsAggregation, u64)>,
    bucket_timestamp: Option<&'static str>,
    empty: bool,
    group_by: Option<(String, TsAggregation)>,
}

impl TsRangeOptions {
    /// Include the latest, still open bucket of a compacted series (`LATEST`).
    pub fn latest(mut self) -> Self {
        self.latest = true;
        self
    }
    /// Only samples at these timestamps (`FILTER_BY_TS`).
    pub fn filter_by_ts(mut self, ts: impl IntoIterator<Item = i64>) -> Self {
        self.filter_by_ts = ts.into_iter().collect();
        self
    }
    /// Only samples with values in `min..=max` (`FILTER_BY_VALUE`).
    pub fn filter_by_value(mut self, min: f64, max: f64) -> Self {
        self.filter_by_value = Some((min, max));
        self
    }
    /// Each series' labels (`WITHLABELS`, TS.MRANGE).
    pub fn with_labels(mut self) -> Self {
        self.with_labels = true;
        self
    }
    /// Only these labels (`SELECTED_LABELS`, TS.MRANGE).
    pub fn selected_labels<S: Into<String>>(mut self, labels: impl IntoIterator<Item = S>) -> Self {
        self.selected_labels = labels.into_iter().map(Into::into).collect();
        self
    }
    /// At most `n` samples (per series) (`COUNT`).
    pub fn count(mut self, n: u64) -> Self {
        self.count = Some(n);
        self
    }
    /// Bucket alignment (`ALIGN`: a timestamp, `-`/`start` or `+`/`end`).
    pub fn align(mut self, align: impl Into<String>) -> Self {
        self.align = Some(align.into());
        self
    }
    /// Aggregate per `bucket_ms` bucket (`AGGREGATION type bucket`).
    pub fn aggregation(mut self, aggregation: TsAggregation, bucket_ms: u64) -> Self {
        self.aggregation = Some((aggregation, bucket_ms));
        self
    }
    /// Which timestamp reports a bucket (`BUCKETTIMESTAMP -|+|~`).
    pub fn bucket_timestamp(mut self, which: &'static str) -> Self {
        self.bucket_timestamp = Some(which);
        self
    }
    /// Report empty buckets too (`EMPTY`).
    pub fn empty(mut self) -> Self {
        self.empty = true;
        self
    }
    /// Group the series by a label and reduce each group (`GROUPBY label REDUCE r`, TS.MRANGE).
    pub fn group_by(mut self, label: impl Into<String>, reducer: TsAggregation) -> Self {
        self.group_by = Some((label.into(), reducer));
        self
    }
}

/// The options of a range command that come before `FILTER`.
pub(crate) struct TsRangeHead<'a>(pub(crate) &'a TsRangeOptions);

impl ToArgs for TsRangeHead<'_> {
    fn write_args(&self, cmd: &mut Cmd) {
        let o = self.0;
        if o.latest {
            cmd.arg("LATEST");
        }
        if !o.filter_by_ts.is_empty() {
            cmd.arg("FILTER_BY_TS").arg(&o.filter_by_ts);
        }
        if let Some((min, max)) = o.filter_by_value {
            cmd.arg("FILTER_BY_VALUE").arg(min).arg(max);
        }
        if o.with_labels {
            cmd.arg("WITHLABELS");
        }
        if !o.selected_labels.is_empty() {
            cmd.arg("SELECTED_LABELS").arg(&o.selected_labels);
        }
        if let Some(c) = o.count {
            cmd.arg("COUNT").arg(c);
        }
        if let Some((agg, bucket)) = o.aggregation {
            if let Some(a) = &o.align {
                cmd.arg("ALIGN").arg(a);
            }
            cmd.arg("AGGREGATION").arg(agg.word()).arg(bucket);
            if let Some(b) = o.bucket_timestamp {
                cmd.arg("BUCKETTIMESTAMP").arg(b);
            }
            if o.empty {
                cmd.arg("EMPTY");
            }
        }
    }
}

/// The `GROUPBY` of a multi-range command (after `FILTER`).
pub(crate) struct TsGroupBy<'a>(pub(crate) &'a TsRangeOptions);

impl ToArgs for TsGroupBy<'_> {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some((label, reducer)) = &self.0.group_by {
            cmd.arg("GROUPBY")
                .arg(label)
                .arg("REDUCE")
                .arg(reducer.word());
        }
    }
}

/// One series of TS.MRANGE / TS.MGET: its key, labels, and samples (TS.MGET: the latest one,
/// or none).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TsSeries {
    /// The series' key (with GROUPBY, `label=value` of the group).
    pub key: String,
    /// Its labels (empty without `WITHLABELS`).
    pub labels: HashMap<String, String>,
    /// `(timestamp, value)` samples.
    pub samples: Vec<(i64, f64)>,
}

impl FromValue for TsSeries {
    fn from_value(value: Value) -> Result<Self> {
        let Value::Array(mut parts) = value else {
            return Err(Error::new(ErrorKind::Data, "a series reply is not a list"));
        };
        if parts.len() != 3 {
            return Err(Error::new(
                ErrorKind::Data,
                "a series reply is not [key, labels, samples]",
            ));
        }
        let last = parts.pop().unwrap_or(Value::Nil);
        let labels = HashMap::<String, String>::from_value(parts.pop().unwrap_or(Value::Nil))?;
        let key = String::from_value(parts.pop().unwrap_or(Value::Nil))?;
        let samples = match last {
            Value::Array(s) if s.len() == 2 && !matches!(s[0], Value::Array(_)) => {
                vec![<(i64, f64)>::from_value(Value::Array(s))?]
            }
            other => Vec::<(i64, f64)>::from_value(other)?,
        };
        Ok(TsSeries {
            key,
            labels,
            samples,
        })
    }
}

/// TS.INFO: a series' settings and counters.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TsInfo {
    /// Samples stored.
    pub total_samples: i64,
    /// Memory in bytes.
    pub memory_usage: i64,
    /// Oldest sample's timestamp.
    pub first_timestamp: i64,
    /// Newest sample's timestamp.
    pub last_timestamp: i64,
    /// Retention in ms (0: forever).
    pub retention_time: i64,
    /// Number of chunks.
    pub chunk_count: i64,
    /// Bytes per chunk.
    pub chunk_size: i64,
    /// The duplicate policy, if set (`block`, `last`...).
    pub duplicate_policy: Option<String>,
    /// Labels.
    pub labels: HashMap<String, String>,
    /// The series this one is compacted from.
    pub source_key: Option<String>,
    /// Compaction rules: `(destination, bucket ms, aggregation)`.
    pub rules: Vec<(String, i64, String)>,
}

impl FromValue for TsInfo {
    fn from_value(value: Value) -> Result<Self> {
        let mut m = fields(value, "TS.INFO")?;
        let labels = match m.remove("labels") {
            Some(Value::Array(pairs)) => pairs
                .into_iter()
                .map(<(String, String)>::from_value)
                .collect::<Result<_>>()?,
            Some(v) => HashMap::from_value(v)?,
            None => HashMap::new(),
        };
        let rules = match m.remove("rules") {
            Some(Value::Map(entries)) => entries
                .into_iter()
                .map(|(k, v)| {
                    let mut rest = match v {
                        Value::Array(r) => r,
                        _ => Vec::new(),
                    };
                    rest.truncate(2);
                    let agg = rest.pop().unwrap_or(Value::Nil);
                    let bucket = rest.pop().unwrap_or(Value::Nil);
                    Ok((
                        String::from_value(k)?,
                        i64::from_value(bucket)?,
                        String::from_value(agg)?,
                    ))
                })
                .collect::<Result<_>>()?,
            Some(Value::Array(list)) => list
                .into_iter()
                .map(|r| {
                    let Value::Array(mut r) = r else {
                        return Err(Error::new(ErrorKind::Data, "a TS.INFO rule is not a list"));
                    };
                    r.truncate(3);
                    let agg = r.pop().unwrap_or(Value::Nil);
                    let bucket = r.pop().unwrap_or(Value::Nil);
                    let dest = r.pop().unwrap_or(Value::Nil);
                    Ok((
                        String::from_value(dest)?,
                        i64::from_value(bucket)?,
                        String::from_value(agg)?,
                    ))
                })
                .collect::<Result<_>>()?,
            _ => Vec::new(),
        };
        Ok(TsInfo {
            total_samples: field(&mut m, "totalSamples")?,
            memory_usage: field(&mut m, "memoryUsage")?,
            first_timestamp: field(&mut m, "firstTimestamp")?,
            last_timestamp: field(&mut m, "lastTimestamp")?,
            retention_time: field(&mut m, "retentionTime")?,
            chunk_count: field(&mut m, "chunkCount")?,
            chunk_size: field(&mut m, "chunkSize")?,
            duplicate_policy: m
                .remove("duplicatePolicy")
                .map(Option::<String>::from_value)
                .transpose()?
                .flatten(),
            labels,
            source_key: m
                .remove("sourceKey")
                .map(Option::<String>::from_value)
                .transpose()?
                .flatten(),
            rules,
        })
    }
}
