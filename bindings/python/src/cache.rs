//! `_native.Cache`: the client-side cache of a blocking client (the core's
//! [`oxredis::cache::ClientCache`]), behind redis-py's `Redis.get_cache()`.
//!
//! The cached read path is the core's: `Client.execute` runs every command through
//! `Redis::run`, which serves a cacheable read from this cache or fills it (see
//! `oxredis::cache`). This object only exposes the cache's size, counters and removals.

use std::sync::Arc;
use std::time::{Duration, Instant};

use oxredis::cache::{CacheConfig, ClientCache};
use oxredis::Redis;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::args::{arg_bytes, build_cmd};
use crate::codec::Decode;
use crate::errors::to_pyerr;

/// The core's cache settings for a Python `CacheConfig`: `(max_size, max_bytes, ttl seconds
/// or None)`.
pub(crate) type CacheSpec = (usize, usize, Option<f64>);

/// The core's [`CacheConfig`] for a [`CacheSpec`].
pub(crate) fn cache_config((max_size, max_bytes, ttl): CacheSpec) -> PyResult<CacheConfig> {
    let mut c = CacheConfig::default()
        .max_size(max_size)
        .max_bytes(max_bytes);
    c.max_ttl = match ttl {
        None => None,
        Some(t) => Some(Duration::try_from_secs_f64(t).map_err(|e| {
            pyo3::exceptions::PyValueError::new_err(format!("bad cache ttl {t}: {e}"))
        })?),
    };
    Ok(c)
}

/// One client's cache: its entries live in Rust, shared by the client's pool.
#[pyclass(module = "oxredis._native", frozen)]
pub(crate) struct Cache {
    cache: Arc<ClientCache>,
    /// The client, for `sync` (a round trip on its invalidation connection).
    client: Redis,
    decode: Decode,
}

impl Cache {
    pub(crate) fn new(cache: Arc<ClientCache>, client: Redis, decode: Decode) -> Cache {
        Cache {
            cache,
            client,
            decode,
        }
    }
}

#[pymethods]
impl Cache {
    /// Number of entries (redis-py's `cache.size`).
    #[getter]
    fn size(&self) -> usize {
        self.cache.size()
    }

    /// Drops every entry; returns how many there were (redis-py's `cache.flush()`).
    fn flush(&self) -> usize {
        self.cache.clear()
    }

    /// Drops the entries that read Redis key `key` (`bytes`, `str`...); returns how many.
    fn delete_by_redis_key(&self, key: &Bound<'_, PyAny>) -> PyResult<usize> {
        Ok(self
            .cache
            .delete_by_redis_key(&arg_bytes(key, self.decode.enc)?))
    }

    /// Drops the entry of the command `args` (its name first); returns whether there was one.
    fn delete_command(&self, args: &Bound<'_, PyTuple>) -> PyResult<bool> {
        Ok(self.cache.delete(&build_cmd(args, self.decode.enc)?))
    }

    /// The cached reply of the command `args` as the server sent it (`bytes`, or `str` when
    /// the client decodes), or `None`; counts no hit and changes no LRU order.
    fn peek(&self, py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<Option<PyObject>> {
        match self
            .cache
            .peek(&build_cmd(args, self.decode.enc)?, Instant::now())
        {
            Some(v) => Ok(Some(crate::reply::raw(py, v, self.decode)?)),
            None => Ok(None),
        }
    }

    /// `(hits, misses, evictions, invalidations, entries, bytes)`.
    fn stats(&self) -> (u64, u64, u64, u64, usize, usize) {
        let s = self.cache.stats();
        (
            s.hits,
            s.misses,
            s.evictions,
            s.invalidations,
            s.entries,
            s.bytes,
        )
    }

    /// `(max_size, max_bytes, ttl seconds or None)` as the core holds them.
    fn config(&self) -> CacheSpec {
        let c = self.cache.config();
        (c.max_size, c.max_bytes, c.max_ttl.map(|t| t.as_secs_f64()))
    }

    /// Waits until every invalidation the server sent before this call has been applied (one
    /// PING round trip on the invalidation connection; the GIL is released meanwhile).
    fn sync(&self, py: Python<'_>) -> PyResult<()> {
        let client = &self.client;
        py.allow_threads(|| client.sync_cache())
            .map_err(|e| to_pyerr(py, &e))
    }
}

/// The names of the commands the core caches (its command table's `CACHEABLE` entries), once
/// each, sorted: `CacheConfig.DEFAULT_ALLOW_LIST`.
#[pyfunction]
pub(crate) fn cacheable_commands(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let mut names: Vec<&str> = oxredis::commands::command_specs()
        .filter(|s| s.flags.contains(oxredis::commands::CommandFlags::CACHEABLE))
        .map(|s| s.name)
        .collect();
    names.sort_unstable();
    names.dedup();
    PyList::new(py, names)
}
