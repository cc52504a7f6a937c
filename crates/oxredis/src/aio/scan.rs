//! Lazy SCAN-family streams on the async client (redis-py's asyncio `scan_iter` and friends),
//! driving the same sans-I/O [`ScanCursor`] as the blocking [`ScanIter`](crate::blocking::ScanIter).

use std::marker::PhantomData;

use crate::commands::options::ScanOptions;
use crate::scan::{key_bytes, ScanCursor, ScanKind, ScanStep};
use crate::{FromValue, Result, ToArgs};

use super::stream::{unfold_stream, Unfold};
use super::{BoxFuture, Redis};

struct Walk<T> {
    redis: Redis,
    cursor: ScanCursor,
    _item: PhantomData<fn() -> T>,
}

/// A [`futures_core::Stream`] over a SCAN-family walk, fetching one page at a time as items are
/// consumed (through the client's shared connection).
///
/// Yields `Result` items; after an error the stream ends. Keys modified during the walk follow
/// SCAN's guarantees (an element present for the whole walk is returned at least once).
pub struct ScanStream<T> {
    inner: Unfold<'static, Walk<T>, Result<T>>,
}

unfold_stream!(ScanStream<T> => Result<T> where T: FromValue + Send + 'static);

impl<T> ScanStream<T> {
    /// How many pages (SCAN calls) were fetched so far; `None` while a page is being fetched.
    pub fn pages_fetched(&self) -> Option<usize> {
        self.inner.state().map(|w| w.cursor.pages_fetched())
    }
}

fn step<T: FromValue + Send + 'static>(
    mut walk: Walk<T>,
) -> BoxFuture<'static, (Option<Result<T>>, Walk<T>)> {
    Box::pin(async move {
        loop {
            match walk.cursor.step() {
                ScanStep::Item(v) => return (Some(T::from_value(v)), walk),
                ScanStep::Done => return (None, walk),
                ScanStep::Fetch(cmd) => {
                    // `request` normalises the page by the command's reply shape.
                    let fed = match walk.redis.request(cmd).await {
                        Ok(page) => walk.cursor.feed(page),
                        Err(e) => Err(e),
                    };
                    if let Err(e) = fed {
                        walk.cursor.finish();
                        return (Some(Err(e)), walk);
                    }
                }
            }
        }
    })
}

impl Redis {
    fn scan_walk<T: FromValue + Send + 'static>(
        &self,
        kind: ScanKind,
        options: ScanOptions,
    ) -> ScanStream<T> {
        let walk = Walk {
            redis: self.clone(),
            cursor: ScanCursor::new(kind, options),
            _item: PhantomData,
        };
        ScanStream {
            inner: Unfold::new(walk, step::<T>),
        }
    }

    /// A stream of every key (MATCH, COUNT and TYPE from `options`), one SCAN page at a time.
    ///
    /// # Examples
    /// ```no_run
    /// # async fn demo() -> oxredis::Result<()> {
    /// use oxredis::ScanOptions;
    /// let r = oxredis::aio::Redis::from_url("redis://localhost")?;
    /// let mut keys = r.scan_iter::<String>(ScanOptions::default().pattern("user:*"));
    /// while let Some(key) = keys.next().await {
    ///     println!("{}", key?);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn scan_iter<T: FromValue + Send + 'static>(&self, options: ScanOptions) -> ScanStream<T> {
        self.scan_walk(ScanKind::Keys, options)
    }

    /// A stream of the `(field, value)` pairs of the hash at `key` (HSCAN).
    pub fn hscan_iter<T: FromValue + Send + 'static>(
        &self,
        key: impl ToArgs,
        options: ScanOptions,
    ) -> ScanStream<T> {
        self.scan_walk(ScanKind::Hash(key_bytes(key)), options)
    }

    /// A stream of the members of the set at `key` (SSCAN).
    pub fn sscan_iter<T: FromValue + Send + 'static>(
        &self,
        key: impl ToArgs,
        options: ScanOptions,
    ) -> ScanStream<T> {
        self.scan_walk(ScanKind::Set(key_bytes(key)), options)
    }

    /// A stream of the `(member, score)` pairs of the sorted set at `key` (ZSCAN).
    pub fn zscan_iter<T: FromValue + Send + 'static>(
        &self,
        key: impl ToArgs,
        options: ScanOptions,
    ) -> ScanStream<T> {
        self.scan_walk(ScanKind::SortedSet(key_bytes(key)), options)
    }
}
