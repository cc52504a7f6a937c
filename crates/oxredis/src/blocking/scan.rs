//! Lazy SCAN-family iterators on the blocking client (redis-py's `scan_iter` and friends).

use std::marker::PhantomData;

use crate::commands::options::ScanOptions;
use crate::scan::{key_bytes, ScanCursor, ScanKind, ScanStep};
use crate::{FromValue, Result, ToArgs, Value};

use super::Redis;

/// An iterator over a SCAN-family walk, fetching one page at a time as items are consumed.
///
/// Yields `Result` items; after an error the iterator ends. Keys modified during the walk follow
/// SCAN's guarantees (an element present for the whole walk is returned at least once).
#[derive(Debug)]
pub struct ScanIter<T> {
    redis: Redis,
    cursor: ScanCursor,
    _item: PhantomData<fn() -> T>,
}

impl<T> ScanIter<T> {
    /// How many pages (SCAN calls) were fetched so far.
    pub fn pages_fetched(&self) -> usize {
        self.cursor.pages_fetched()
    }
}

impl<T: FromValue> Iterator for ScanIter<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        loop {
            match self.cursor.step() {
                ScanStep::Item(v) => return Some(T::from_value(v)),
                ScanStep::Done => return None,
                ScanStep::Fetch(cmd) => {
                    // `run` normalises the page by the command's reply shape.
                    let fed = self
                        .redis
                        .run::<Value>(cmd)
                        .and_then(|page| self.cursor.feed(page));
                    if let Err(e) = fed {
                        self.cursor.finish();
                        return Some(Err(e));
                    }
                }
            }
        }
    }
}

impl Redis {
    fn scan_walk<T>(&self, kind: ScanKind, options: ScanOptions) -> ScanIter<T> {
        ScanIter {
            redis: self.clone(),
            cursor: ScanCursor::new(kind, options),
            _item: PhantomData,
        }
    }

    /// Iterates over every key (MATCH, COUNT and TYPE from `options`), one SCAN page at a time.
    ///
    /// # Examples
    /// ```no_run
    /// # let r = oxredis::Redis::from_url("redis://localhost")?;
    /// use oxredis::ScanOptions;
    /// for key in r.scan_iter::<String>(ScanOptions::default().pattern("user:*").count(100)) {
    ///     println!("{}", key?);
    /// }
    /// # Ok::<(), oxredis::Error>(())
    /// ```
    pub fn scan_iter<T: FromValue>(&self, options: ScanOptions) -> ScanIter<T> {
        self.scan_walk(ScanKind::Keys, options)
    }

    /// Iterates over the `(field, value)` pairs of the hash at `key` (HSCAN).
    pub fn hscan_iter<T: FromValue>(&self, key: impl ToArgs, options: ScanOptions) -> ScanIter<T> {
        self.scan_walk(ScanKind::Hash(key_bytes(key)), options)
    }

    /// Iterates over the members of the set at `key` (SSCAN).
    pub fn sscan_iter<T: FromValue>(&self, key: impl ToArgs, options: ScanOptions) -> ScanIter<T> {
        self.scan_walk(ScanKind::Set(key_bytes(key)), options)
    }

    /// Iterates over the `(member, score)` pairs of the sorted set at `key` (ZSCAN).
    pub fn zscan_iter<T: FromValue>(&self, key: impl ToArgs, options: ScanOptions) -> ScanIter<T> {
        self.scan_walk(ScanKind::SortedSet(key_bytes(key)), options)
    }
}
