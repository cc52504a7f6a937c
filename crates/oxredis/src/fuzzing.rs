//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`; not a stable API). They reach
//! the crate-private reply normalisation, which, like the decoder, takes data from the server.

use std::collections::{BTreeMap, HashMap, HashSet};

use bytes::Bytes;

use crate::modules::bloom::{BfInfo, CfInfo, CmsInfo, TDigestInfo, TopKInfo};
use crate::modules::reply::{ModuleShape, ProfiledShape};
use crate::modules::search::{AggregateResult, FtInfo, SearchResult};
use crate::modules::timeseries::{TsInfo, TsSeries};
use crate::reply::{self, ReplyShape};
use crate::types::{
    ClientInfo, GeoSearchResult, PendingEntry, PendingSummary, SlowLogEntry, StreamEntry,
};
use crate::{FromValue, Value};

/// Every reply shape, each `Deep` schema included; [`shape_is_listed`] keeps the list complete.
static SHAPES: &[ReplyShape] = &[
    ReplyShape::Plain,
    ReplyShape::OkBool,
    ReplyShape::OkText,
    ReplyShape::IntBool,
    ReplyShape::Pairs,
    ReplyShape::ScoredPairs,
    ReplyShape::Double,
    ReplyShape::Info,
    ReplyShape::Set,
    ReplyShape::IntBools,
    ReplyShape::Doubles,
    ReplyShape::KeyMemberScore,
    ReplyShape::KeyScoredPairs,
    ReplyShape::NestedPairs,
    ReplyShape::ScanPairs,
    ReplyShape::ScanScoredPairs,
    ReplyShape::StreamEntries,
    ReplyShape::XRead,
    ReplyShape::XAutoClaim,
    ReplyShape::XInfoStream,
    ReplyShape::MapList,
    ReplyShape::Deep(&reply::ANY),
    ReplyShape::Deep(&reply::ANY_MAP),
    ReplyShape::Deep(&reply::ACL_USER),
    ReplyShape::Deep(&reply::MEMORY_STATS),
    ReplyShape::Deep(&reply::FUNCTION_LIST),
    ReplyShape::Deep(&reply::FUNCTION_STATS),
    ReplyShape::Deep(&reply::LATENCY_HISTOGRAM),
    ReplyShape::Deep(&reply::COMMAND_DOCS),
    ReplyShape::Deep(&reply::CLUSTER_SLOTS),
    ReplyShape::Deep(&reply::CLUSTER_SHARDS),
    ReplyShape::CommandInfo,
    ReplyShape::GeoPos,
    ReplyShape::GeoSearch,
    ReplyShape::ClientList,
    ReplyShape::ClientInfo,
    ReplyShape::Groups(0),
    ReplyShape::Groups(2),
    ReplyShape::Groups(3),
    ReplyShape::Module(ModuleShape::FlatPairs),
    ReplyShape::Module(ModuleShape::ArrayOfSet),
    ReplyShape::Module(ModuleShape::JsonUnwrap),
    ReplyShape::Module(ModuleShape::JsonLegacy),
    ReplyShape::Module(ModuleShape::FtSearch {
        scores: false,
        content: false,
    }),
    ReplyShape::Module(ModuleShape::FtSearch {
        scores: true,
        content: true,
    }),
    ReplyShape::Module(ModuleShape::FtAggregate { cursor: false }),
    ReplyShape::Module(ModuleShape::FtAggregate { cursor: true }),
    ReplyShape::Module(ModuleShape::FtProfile(ProfiledShape::Search {
        scores: true,
        content: true,
    })),
    ReplyShape::Module(ModuleShape::FtProfile(ProfiledShape::Aggregate)),
    ReplyShape::Module(ModuleShape::FtInfo),
    ReplyShape::Module(ModuleShape::TsSamples),
    ReplyShape::Module(ModuleShape::TsSample),
    ReplyShape::Module(ModuleShape::TsMulti),
];

/// Fails to compile when a variant is added to [`ReplyShape`] without thinking of [`SHAPES`].
const fn shape_is_listed(shape: ReplyShape) -> bool {
    match shape {
        ReplyShape::Plain
        | ReplyShape::OkBool
        | ReplyShape::OkText
        | ReplyShape::IntBool
        | ReplyShape::Pairs
        | ReplyShape::ScoredPairs
        | ReplyShape::Double
        | ReplyShape::Info
        | ReplyShape::Set
        | ReplyShape::IntBools
        | ReplyShape::Doubles
        | ReplyShape::KeyMemberScore
        | ReplyShape::KeyScoredPairs
        | ReplyShape::NestedPairs
        | ReplyShape::ScanPairs
        | ReplyShape::ScanScoredPairs
        | ReplyShape::StreamEntries
        | ReplyShape::XRead
        | ReplyShape::XAutoClaim
        | ReplyShape::XInfoStream
        | ReplyShape::MapList
        | ReplyShape::Deep(_)
        | ReplyShape::CommandInfo
        | ReplyShape::GeoPos
        | ReplyShape::GeoSearch
        | ReplyShape::ClientList
        | ReplyShape::ClientInfo
        | ReplyShape::Groups(_) => true,
        ReplyShape::Module(m) => match m {
            ModuleShape::FlatPairs
            | ModuleShape::ArrayOfSet
            | ModuleShape::JsonUnwrap
            | ModuleShape::JsonLegacy
            | ModuleShape::FtSearch { .. }
            | ModuleShape::FtAggregate { .. }
            | ModuleShape::FtProfile(_)
            | ModuleShape::FtInfo
            | ModuleShape::TsSamples
            | ModuleShape::TsSample
            | ModuleShape::TsMulti => true,
        },
    }
}

/// Normalises `value` with every reply shape and converts the original and every normalised
/// value into each typed reply the command methods return. Errors are expected; a panic, an
/// endless loop or unbounded memory is the bug the fuzzer looks for.
pub fn normalize_and_convert(value: &Value) {
    debug_assert!(SHAPES.iter().all(|s| shape_is_listed(*s)));
    convert_every_way(value);
    for shape in SHAPES {
        if let Ok(normalized) = reply::normalize(*shape, value.clone()) {
            convert_every_way(&normalized);
        }
    }
}

/// Converts `value` into every type the command methods and the usual caller types use.
fn convert_every_way(value: &Value) {
    fn convert<T: FromValue>(value: &Value) {
        let _ = T::from_value(value.clone());
    }
    convert::<Value>(value);
    convert::<()>(value);
    convert::<bool>(value);
    convert::<i64>(value);
    convert::<u64>(value);
    convert::<u8>(value);
    convert::<f64>(value);
    convert::<f32>(value);
    convert::<Bytes>(value);
    convert::<Vec<u8>>(value);
    convert::<String>(value);
    convert::<Option<String>>(value);
    convert::<Vec<String>>(value);
    convert::<Vec<Option<Bytes>>>(value);
    convert::<Vec<(String, f64)>>(value);
    convert::<Vec<Vec<Value>>>(value);
    convert::<HashSet<Bytes>>(value);
    convert::<HashMap<String, Value>>(value);
    convert::<BTreeMap<String, i64>>(value);
    convert::<(String, Vec<String>)>(value);
    convert::<(u64, Vec<Bytes>)>(value);
    convert::<Option<(String, String, f64)>>(value);
    convert::<StreamEntry>(value);
    convert::<Vec<StreamEntry>>(value);
    convert::<HashMap<String, Vec<StreamEntry>>>(value);
    convert::<PendingSummary>(value);
    convert::<Vec<PendingEntry>>(value);
    convert::<Vec<SlowLogEntry>>(value);
    convert::<Vec<GeoSearchResult>>(value);
    convert::<ClientInfo>(value);
    convert::<Vec<ClientInfo>>(value);
    // Module replies.
    convert::<BfInfo>(value);
    convert::<CfInfo>(value);
    convert::<CmsInfo>(value);
    convert::<TopKInfo>(value);
    convert::<TDigestInfo>(value);
    convert::<SearchResult>(value);
    convert::<AggregateResult>(value);
    convert::<FtInfo>(value);
    convert::<(SearchResult, Value)>(value);
    convert::<Vec<TsSeries>>(value);
    convert::<TsInfo>(value);
    convert::<Option<(i64, f64)>>(value);
    convert::<Vec<(i64, f64)>>(value);
    #[cfg(feature = "json")]
    convert::<Option<crate::modules::json::Json<serde_json::Value>>>(value);
}
