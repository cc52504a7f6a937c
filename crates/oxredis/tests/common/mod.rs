//! Helpers shared by the integration tests (each test file is its own crate, so not every
//! helper is used by every file).
#![allow(dead_code)]

use std::time::{Duration, Instant};

use oxredis::pubsub::Message;
use oxredis::{Protocol, Value};

/// Both protocols, for test bodies that must give the same values on each.
pub(crate) const PROTOCOLS: [Protocol; 2] = [Protocol::Resp2, Protocol::Resp3];

/// How long a test waits for state it polls for before failing.
pub(crate) const WAIT: Duration = Duration::from_secs(10);

/// redis-py's `multiply` script example.
pub(crate) const MULTIPLY: &str =
    "local value = redis.call('GET', KEYS[1]) value = tonumber(value) return value * ARGV[1]";

/// `url` with `protocol=2|3` appended as a query option.
pub(crate) fn with_protocol(url: &str, protocol: Protocol) -> String {
    let proto = if protocol == Protocol::Resp3 { 3 } else { 2 };
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}protocol={proto}")
}

/// A bulk-string value.
pub(crate) fn bulk(s: &str) -> Value {
    Value::Bulk(s.as_bytes().to_vec().into())
}

/// A pub/sub message as `(type, channel, pattern, data)` text.
pub(crate) type Rendered = (String, Option<String>, Option<String>, String);

/// `(type, channel, pattern, data)` as text, to compare messages compactly.
pub(crate) fn render(m: &Message) -> Rendered {
    let data = match &m.data {
        Value::Int(i) => i.to_string(),
        other => String::from_utf8_lossy(other.as_bytes().unwrap_or(b"?")).into_owned(),
    };
    (
        m.kind.to_string(),
        m.channel_str().map(str::to_owned),
        m.pattern_str().map(str::to_owned),
        data,
    )
}

/// The expected rendering of a message.
pub(crate) fn mk(kind: &str, channel: Option<&str>, pattern: Option<&str>, data: &str) -> Rendered {
    (
        kind.to_owned(),
        channel.map(str::to_owned),
        pattern.map(str::to_owned),
        data.to_owned(),
    )
}

/// Polls `cond` until true, failing the test after [`WAIT`].
pub(crate) fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// `(open, idle)` pooled connections: the blocking client's pool; `None` for the async client,
/// which multiplexes one connection and has no pool to check.
pub(crate) trait PoolCounts {
    fn pool_counts(&self) -> Option<(usize, usize)>;
}

impl PoolCounts for oxredis::Redis {
    fn pool_counts(&self) -> Option<(usize, usize)> {
        let pool = self.connection_pool();
        Some((pool.open_connections(), pool.idle_connections()))
    }
}

impl PoolCounts for oxredis::aio::Redis {
    fn pool_counts(&self) -> Option<(usize, usize)> {
        None
    }
}
