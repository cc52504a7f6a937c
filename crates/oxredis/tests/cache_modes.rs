//! Client-side caching in the BCAST (prefixes) and OPTIN tracking modes, on both clients,
//! against a real server.
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "drives real I/O"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use oxredis::cache::{CacheConfig, TrackingMode};
use oxredis::{aio, Redis, Value};
use oxredis_test_support::RedisServer;

/// `CLIENT TRACKINGINFO`'s flags and prefixes, as text, sorted, and its redirect id (0 when
/// tracking delivers to the connection itself: client ids start at 1).
fn tracking_info(info: Value) -> (Vec<String>, Vec<String>, i64) {
    let Value::Map(pairs) = info else {
        panic!("not a map: {info:?}")
    };
    let text = |v: &Value| String::from_utf8_lossy(v.as_bytes().unwrap()).into_owned();
    let list = |name: &str| -> Vec<String> {
        let (_, v) = pairs
            .iter()
            .find(|(k, _)| k.as_bytes() == Some(name.as_bytes()))
            .unwrap_or_else(|| panic!("no {name}"));
        let (Value::Array(items) | Value::Set(items)) = v else {
            panic!("{name} is not a list: {v:?}")
        };
        let mut out: Vec<String> = items.iter().map(text).collect();
        out.sort();
        out
    };
    let redirect = pairs
        .iter()
        .find(|(k, _)| k.as_bytes() == Some(b"redirect"))
        .map(|(_, v)| match v {
            Value::Int(n) => *n,
            other => panic!("redirect: {other:?}"),
        })
        .unwrap();
    (list("flags"), list("prefixes"), redirect)
}

/// One body for both clients (`$($aw)*` is `.await` for the async one). BCAST with the prefix
/// `b:`: reads under it are cached and invalidated by another client's write (the next read
/// returns the new value), a write to a key under the prefix that was never read is broadcast
/// too, and reads outside the prefix are neither cached nor counted.
macro_rules! bcast_body {
    ($r:expr, $other:expr, $redirected:expr $(, $aw:tt)*) => {{
        let r = $r;
        let other = $other;
        let cache = r.cache().expect("caching is on").clone();
        other.set("b:k", "v1") $(.$aw)* .unwrap();
        other.set("o:k", "x1") $(.$aw)* .unwrap();

        let v: Option<String> = r.get("b:k") $(.$aw)* .unwrap();
        assert_eq!(v.as_deref(), Some("v1"));
        let v: Option<String> = r.get("b:k") $(.$aw)* .unwrap();
        assert_eq!(v.as_deref(), Some("v1"));
        let s = cache.stats();
        assert_eq!((s.hits, s.misses, s.entries), (1, 1, 1));

        // Outside the prefixes: read from the server each time, not counted.
        for _ in 0..3 {
            let v: Option<String> = r.get("o:k") $(.$aw)* .unwrap();
            assert_eq!(v.as_deref(), Some("x1"));
        }
        let s = cache.stats();
        assert_eq!((s.hits, s.misses, s.entries), (1, 1, 1));

        // The server really is in BCAST mode with the prefix.
        let info: Value = r.client_trackinginfo() $(.$aw)* .unwrap();
        let (flags, prefixes, redirect) = tracking_info(info);
        assert_eq!(flags, vec!["bcast".to_string(), "on".to_string()]);
        assert_eq!(prefixes, vec!["b:".to_string()]);
        // The blocking client's pooled connections redirect to its invalidation connection;
        // the async client's one connection receives its own.
        assert_eq!(redirect > 0, $redirected, "redirect {redirect}");

        // Another client's write under the prefix: invalidated, the next read sees it.
        other.set("b:k", "v2") $(.$aw)* .unwrap();
        r.sync_cache() $(.$aw)* .unwrap();
        let s = cache.stats();
        assert_eq!((s.entries, s.invalidations), (0, 1));
        let v: Option<String> = r.get("b:k") $(.$aw)* .unwrap();
        assert_eq!(v.as_deref(), Some("v2"));
        let v: Option<String> = r.get("b:k") $(.$aw)* .unwrap();
        assert_eq!(v.as_deref(), Some("v2"));
        let s = cache.stats();
        assert_eq!((s.hits, s.misses, s.entries), (2, 2, 1));

        // Broadcast: a key under the prefix nobody read is announced too; one outside is not.
        other.set("b:never-read", "n") $(.$aw)* .unwrap();
        other.set("o:k", "x2") $(.$aw)* .unwrap();
        r.sync_cache() $(.$aw)* .unwrap();
        let s = cache.stats();
        assert_eq!((s.entries, s.invalidations), (1, 2), "b:k still cached");
        let v: Option<String> = r.get("o:k") $(.$aw)* .unwrap();
        assert_eq!(v.as_deref(), Some("x2"));
        let v: Option<String> = r.get("b:k") $(.$aw)* .unwrap();
        assert_eq!(v.as_deref(), Some("v2"));
        let s = cache.stats();
        assert_eq!((s.hits, s.misses), (3, 2));

        // MGET: cached only when every key is under the prefix.
        let v: Vec<Option<String>> = r.mget(["b:k", "o:k"]) $(.$aw)* .unwrap();
        assert_eq!(v, vec![Some("v2".to_string()), Some("x2".to_string())]);
        let v: Vec<Option<String>> = r.mget(["b:k", "b:never-read"]) $(.$aw)* .unwrap();
        assert_eq!(v, vec![Some("v2".to_string()), Some("n".to_string())]);
        let v: Vec<Option<String>> = r.mget(["b:k", "b:never-read"]) $(.$aw)* .unwrap();
        assert_eq!(v, vec![Some("v2".to_string()), Some("n".to_string())]);
        let s = cache.stats();
        assert_eq!((s.hits, s.misses, s.entries), (4, 3, 2));
    }};
}

/// OPTIN with the prefix `c:`: reads under it are opted in (`CLIENT CACHING yes`), cached and
/// invalidated; reads outside it are not opted in, so the server does not track them and a
/// write to them sends no invalidation at all.
macro_rules! optin_body {
    ($r:expr, $other:expr $(, $aw:tt)*) => {{
        let r = $r;
        let other = $other;
        let cache = r.cache().expect("caching is on").clone();
        other.set("c:k", "v1") $(.$aw)* .unwrap();
        other.set("n:k", "y1") $(.$aw)* .unwrap();

        let v: Option<String> = r.get("c:k") $(.$aw)* .unwrap();
        assert_eq!(v.as_deref(), Some("v1"));
        let v: Option<String> = r.get("c:k") $(.$aw)* .unwrap();
        assert_eq!(v.as_deref(), Some("v1"));
        let v: Option<String> = r.get("n:k") $(.$aw)* .unwrap();
        assert_eq!(v.as_deref(), Some("y1"));
        let s = cache.stats();
        assert_eq!((s.hits, s.misses, s.entries), (1, 1, 1));

        let info: Value = r.client_trackinginfo() $(.$aw)* .unwrap();
        let (flags, prefixes, _) = tracking_info(info);
        assert_eq!(flags, vec!["on".to_string(), "optin".to_string()]);
        assert!(prefixes.is_empty());

        // n:k was read but not opted in: the server does not track it, no invalidation.
        other.set("n:k", "y2") $(.$aw)* .unwrap();
        r.sync_cache() $(.$aw)* .unwrap();
        assert_eq!(cache.stats().invalidations, 0);
        let v: Option<String> = r.get("n:k") $(.$aw)* .unwrap();
        assert_eq!(v.as_deref(), Some("y2"));

        // c:k was opted in: a write by another client invalidates it.
        other.set("c:k", "v2") $(.$aw)* .unwrap();
        r.sync_cache() $(.$aw)* .unwrap();
        let s = cache.stats();
        assert_eq!((s.entries, s.invalidations), (0, 1));
        let v: Option<String> = r.get("c:k") $(.$aw)* .unwrap();
        assert_eq!(v.as_deref(), Some("v2"));
        let v: Option<String> = r.get("c:k") $(.$aw)* .unwrap();
        assert_eq!(v.as_deref(), Some("v2"));
        let s = cache.stats();
        assert_eq!((s.hits, s.misses, s.entries), (2, 2, 1));

        // Tracking is one-shot per read in OPTIN: the re-read after the invalidation was
        // opted in again, so a second write is seen too.
        other.set("c:k", "v3") $(.$aw)* .unwrap();
        r.sync_cache() $(.$aw)* .unwrap();
        let v: Option<String> = r.get("c:k") $(.$aw)* .unwrap();
        assert_eq!(v.as_deref(), Some("v3"));
        let s = cache.stats();
        assert_eq!((s.hits, s.misses, s.invalidations), (2, 3, 2));
    }};
}

fn bcast() -> CacheConfig {
    CacheConfig::default()
        .tracking(TrackingMode::Bcast)
        .prefixes(["b:"])
}

fn optin() -> CacheConfig {
    CacheConfig::default()
        .tracking(TrackingMode::OptIn)
        .prefixes(["c:"])
}

#[test]
fn blocking_bcast_caches_and_invalidates_only_under_its_prefixes() {
    let server = RedisServer::new();
    let r = Redis::builder()
        .url(&server.url())
        .unwrap()
        .cache_config(bcast())
        .build();
    let other = Redis::from_url(&server.url()).unwrap();
    bcast_body!(&r, &other, true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_bcast_caches_and_invalidates_only_under_its_prefixes() {
    let server = RedisServer::new();
    let r = aio::Redis::builder()
        .url(&server.url())
        .unwrap()
        .cache_config(bcast())
        .build_async();
    let other = aio::Redis::from_url(&server.url()).unwrap();
    bcast_body!(&r, &other, false, await);
}

#[test]
fn blocking_optin_tracks_only_what_it_opts_into() {
    let server = RedisServer::new();
    let r = Redis::builder()
        .url(&server.url())
        .unwrap()
        .cache_config(optin())
        .build();
    let other = Redis::from_url(&server.url()).unwrap();
    optin_body!(&r, &other);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_optin_tracks_only_what_it_opts_into() {
    let server = RedisServer::new();
    let r = aio::Redis::builder()
        .url(&server.url())
        .unwrap()
        .cache_config(optin())
        .build_async();
    let other = aio::Redis::from_url(&server.url()).unwrap();
    optin_body!(&r, &other, await);
}

/// Overlapping prefixes would make the server refuse `CLIENT TRACKING ... BCAST`: the client
/// keeps only the shortest of each family, so caching works and the server holds `a:` and `b:`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_bcast_overlapping_prefixes_are_reduced() {
    let server = RedisServer::new();
    let r = aio::Redis::builder()
        .url(&server.url())
        .unwrap()
        .cache_config(
            CacheConfig::default()
                .tracking(TrackingMode::Bcast)
                .prefixes(["a:x:", "b:", "a:", "a:"]),
        )
        .build_async();
    let other = aio::Redis::from_url(&server.url()).unwrap();
    other.set("a:x:1", "1").await.unwrap();
    let v: Option<String> = r.get("a:x:1").await.unwrap();
    assert_eq!(v.as_deref(), Some("1"));
    let v: Option<String> = r.get("a:x:1").await.unwrap();
    assert_eq!(v.as_deref(), Some("1"));
    assert_eq!(r.cache().unwrap().stats().hits, 1);
    let info: Value = r.client_trackinginfo().await.unwrap();
    let (flags, prefixes, redirect) = tracking_info(info);
    assert_eq!(flags, vec!["bcast".to_string(), "on".to_string()]);
    assert_eq!(prefixes, vec!["a:".to_string(), "b:".to_string()]);
    assert_eq!(redirect, 0);
}
