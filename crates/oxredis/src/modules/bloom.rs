//! Options and typed `INFO` replies of the RedisBloom commands (BF, CF, CMS, TOPK, TDIGEST).

use std::collections::HashMap;

use crate::reply::to_double;
use crate::{Cmd, Error, ErrorKind, FromValue, Result, ToArgs, Value};

/// An `INFO` reply as a map of field name to value (the `Pairs` shape makes RESP2's flat array
/// a map, as RESP3 sends it).
pub(crate) fn fields(value: Value, what: &str) -> Result<HashMap<String, Value>> {
    let value = match value {
        Value::Error(e) => return Err(e.into()),
        Value::Attribute { data, .. } => *data,
        v => v,
    };
    let Value::Map(entries) = value else {
        return Err(Error::new(
            ErrorKind::Data,
            format!("{what} reply is a {}, expected a map", value.type_name()),
        ));
    };
    entries
        .into_iter()
        .map(|(k, v)| Ok((String::from_value(k)?, v)))
        .collect()
}

/// Reads field `name` of an info map as `T`.
pub(crate) fn field<T: FromValue>(map: &mut HashMap<String, Value>, name: &str) -> Result<T> {
    let v = map
        .remove(name)
        .ok_or_else(|| Error::new(ErrorKind::Data, format!("info reply has no field {name:?}")))?;
    T::from_value(v)
}

/// Reads field `name` as a float (RESP2 sends doubles as text).
pub(crate) fn field_f64(map: &mut HashMap<String, Value>, name: &str) -> Result<f64> {
    let v = map
        .remove(name)
        .ok_or_else(|| Error::new(ErrorKind::Data, format!("info reply has no field {name:?}")))?;
    to_double(&v)
}

/// `BF.INFO`: a Bloom filter's settings and fill.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BfInfo {
    /// Items it holds at the error rate before scaling (`Capacity`).
    pub capacity: i64,
    /// Memory in bytes (`Size`).
    pub size: i64,
    /// Number of sub-filters (`Number of filters`).
    pub filters: i64,
    /// Items added (`Number of items inserted`).
    pub items_inserted: i64,
    /// Growth factor of each new sub-filter; `None` for a non-scaling filter
    /// (`Expansion rate`).
    pub expansion_rate: Option<i64>,
}

impl FromValue for BfInfo {
    fn from_value(value: Value) -> Result<Self> {
        let mut m = fields(value, "BF.INFO")?;
        Ok(BfInfo {
            capacity: field(&mut m, "Capacity")?,
            size: field(&mut m, "Size")?,
            filters: field(&mut m, "Number of filters")?,
            items_inserted: field(&mut m, "Number of items inserted")?,
            expansion_rate: field(&mut m, "Expansion rate")?,
        })
    }
}

/// `CF.INFO`: a cuckoo filter's settings and fill.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CfInfo {
    /// Memory in bytes (`Size`).
    pub size: i64,
    /// Number of buckets (`Number of buckets`).
    pub buckets: i64,
    /// Number of sub-filters (`Number of filters`).
    pub filters: i64,
    /// Items added (`Number of items inserted`).
    pub items_inserted: i64,
    /// Items deleted (`Number of items deleted`).
    pub items_deleted: i64,
    /// Items per bucket (`Bucket size`).
    pub bucket_size: i64,
    /// Growth factor of each new sub-filter (`Expansion rate`).
    pub expansion_rate: i64,
    /// Swaps tried before declaring the filter full (`Max iterations`).
    pub max_iterations: i64,
}

impl FromValue for CfInfo {
    fn from_value(value: Value) -> Result<Self> {
        let mut m = fields(value, "CF.INFO")?;
        Ok(CfInfo {
            size: field(&mut m, "Size")?,
            buckets: field(&mut m, "Number of buckets")?,
            filters: field(&mut m, "Number of filters")?,
            items_inserted: field(&mut m, "Number of items inserted")?,
            items_deleted: field(&mut m, "Number of items deleted")?,
            bucket_size: field(&mut m, "Bucket size")?,
            expansion_rate: field(&mut m, "Expansion rate")?,
            max_iterations: field(&mut m, "Max iterations")?,
        })
    }
}

/// `CMS.INFO`: a count-min sketch's dimensions and total.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CmsInfo {
    /// Counters per row.
    pub width: i64,
    /// Rows.
    pub depth: i64,
    /// Sum of all increments.
    pub count: i64,
}

impl FromValue for CmsInfo {
    fn from_value(value: Value) -> Result<Self> {
        let mut m = fields(value, "CMS.INFO")?;
        Ok(CmsInfo {
            width: field(&mut m, "width")?,
            depth: field(&mut m, "depth")?,
            count: field(&mut m, "count")?,
        })
    }
}

/// `TOPK.INFO`: a Top-K's settings.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TopKInfo {
    /// Number of top items kept.
    pub k: i64,
    /// Counters per row of its sketch.
    pub width: i64,
    /// Rows of its sketch.
    pub depth: i64,
    /// Decay of counters on collision.
    pub decay: f64,
}

impl FromValue for TopKInfo {
    fn from_value(value: Value) -> Result<Self> {
        let mut m = fields(value, "TOPK.INFO")?;
        Ok(TopKInfo {
            k: field(&mut m, "k")?,
            width: field(&mut m, "width")?,
            depth: field(&mut m, "depth")?,
            decay: field_f64(&mut m, "decay")?,
        })
    }
}

/// `TDIGEST.INFO`: a t-digest's settings and fill.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TDigestInfo {
    /// Compression (accuracy vs size).
    pub compression: i64,
    /// Node capacity.
    pub capacity: i64,
    /// Merged nodes.
    pub merged_nodes: i64,
    /// Nodes not merged yet.
    pub unmerged_nodes: i64,
    /// Weight of the merged nodes.
    pub merged_weight: f64,
    /// Weight of the unmerged nodes.
    pub unmerged_weight: f64,
    /// Observations added.
    pub observations: i64,
    /// Compressions run.
    pub total_compressions: i64,
    /// Memory in bytes.
    pub memory_usage: i64,
}

impl FromValue for TDigestInfo {
    fn from_value(value: Value) -> Result<Self> {
        let mut m = fields(value, "TDIGEST.INFO")?;
        Ok(TDigestInfo {
            compression: field(&mut m, "Compression")?,
            capacity: field(&mut m, "Capacity")?,
            merged_nodes: field(&mut m, "Merged nodes")?,
            unmerged_nodes: field(&mut m, "Unmerged nodes")?,
            merged_weight: field_f64(&mut m, "Merged weight")?,
            unmerged_weight: field_f64(&mut m, "Unmerged weight")?,
            observations: field(&mut m, "Observations")?,
            total_compressions: field(&mut m, "Total compressions")?,
            memory_usage: field(&mut m, "Memory usage")?,
        })
    }
}

/// Options of BF.RESERVE: `EXPANSION n` or `NONSCALING`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BfCreateOptions {
    expansion: Option<u64>,
    nonscaling: bool,
}

impl BfCreateOptions {
    /// Each new sub-filter is `n` times larger (`EXPANSION`).
    pub fn expansion(mut self, n: u64) -> Self {
        self.expansion = Some(n);
        self
    }
    /// The filter does not grow: adding past capacity fails (`NONSCALING`).
    pub fn nonscaling(mut self) -> Self {
        self.nonscaling = true;
        self
    }
}

impl ToArgs for BfCreateOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(n) = self.expansion {
            cmd.arg("EXPANSION").arg(n);
        }
        if self.nonscaling {
            cmd.arg("NONSCALING");
        }
    }
}

/// Options of BF.INSERT: the settings of a filter it creates, or `NOCREATE`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BfInsertOptions {
    capacity: Option<u64>,
    error: Option<f64>,
    expansion: Option<u64>,
    nocreate: bool,
    nonscaling: bool,
}

impl BfInsertOptions {
    /// Capacity of a filter created by the insert (`CAPACITY`).
    pub fn capacity(mut self, n: u64) -> Self {
        self.capacity = Some(n);
        self
    }
    /// Error rate of a filter created by the insert (`ERROR`).
    pub fn error(mut self, rate: f64) -> Self {
        self.error = Some(rate);
        self
    }
    /// `EXPANSION n`.
    pub fn expansion(mut self, n: u64) -> Self {
        self.expansion = Some(n);
        self
    }
    /// Fail instead of creating a missing filter (`NOCREATE`).
    pub fn nocreate(mut self) -> Self {
        self.nocreate = true;
        self
    }
    /// `NONSCALING`.
    pub fn nonscaling(mut self) -> Self {
        self.nonscaling = true;
        self
    }
}

impl ToArgs for BfInsertOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(n) = self.capacity {
            cmd.arg("CAPACITY").arg(n);
        }
        if let Some(e) = self.error {
            cmd.arg("ERROR").arg(e);
        }
        if let Some(n) = self.expansion {
            cmd.arg("EXPANSION").arg(n);
        }
        if self.nocreate {
            cmd.arg("NOCREATE");
        }
        if self.nonscaling {
            cmd.arg("NONSCALING");
        }
    }
}

/// Options of CF.RESERVE.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CfCreateOptions {
    bucket_size: Option<u64>,
    max_iterations: Option<u64>,
    expansion: Option<u64>,
}

impl CfCreateOptions {
    /// Items per bucket (`BUCKETSIZE`).
    pub fn bucket_size(mut self, n: u64) -> Self {
        self.bucket_size = Some(n);
        self
    }
    /// Swaps tried before declaring the filter full (`MAXITERATIONS`).
    pub fn max_iterations(mut self, n: u64) -> Self {
        self.max_iterations = Some(n);
        self
    }
    /// `EXPANSION n`.
    pub fn expansion(mut self, n: u64) -> Self {
        self.expansion = Some(n);
        self
    }
}

impl ToArgs for CfCreateOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(n) = self.bucket_size {
            cmd.arg("BUCKETSIZE").arg(n);
        }
        if let Some(n) = self.max_iterations {
            cmd.arg("MAXITERATIONS").arg(n);
        }
        if let Some(n) = self.expansion {
            cmd.arg("EXPANSION").arg(n);
        }
    }
}

/// Options of CF.INSERT / CF.INSERTNX.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CfInsertOptions {
    capacity: Option<u64>,
    nocreate: bool,
}

impl CfInsertOptions {
    /// Capacity of a filter created by the insert (`CAPACITY`).
    pub fn capacity(mut self, n: u64) -> Self {
        self.capacity = Some(n);
        self
    }
    /// Fail instead of creating a missing filter (`NOCREATE`).
    pub fn nocreate(mut self) -> Self {
        self.nocreate = true;
        self
    }
}

impl ToArgs for CfInsertOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(n) = self.capacity {
            cmd.arg("CAPACITY").arg(n);
        }
        if self.nocreate {
            cmd.arg("NOCREATE");
        }
    }
}

/// Options of TDIGEST.MERGE.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TDigestMergeOptions {
    compression: Option<u64>,
    override_: bool,
}

impl TDigestMergeOptions {
    /// Compression of the destination (`COMPRESSION`).
    pub fn compression(mut self, n: u64) -> Self {
        self.compression = Some(n);
        self
    }
    /// Replace the destination instead of merging into it (`OVERRIDE`).
    pub fn override_destination(mut self) -> Self {
        self.override_ = true;
        self
    }
}

impl ToArgs for TDigestMergeOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(n) = self.compression {
            cmd.arg("COMPRESSION").arg(n);
        }
        if self.override_ {
            cmd.arg("OVERRIDE");
        }
    }
}
