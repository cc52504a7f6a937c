//! The blocking client: std sockets, a thread-safe pool, and the command methods.
#![expect(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "the blocking I/O layer owns sockets, clocks and sleeps"
)]

mod cache;
mod client;
mod cluster;
mod connection;
mod lock;
mod monitor;
mod pipeline;
mod pool;
mod pubsub;
mod scan;
mod script;
mod sentinel;
mod transport;

pub use crate::pipeline::{CommandQueue, TransactionOptions};
pub use client::{ClientBuilder, Redis};
pub use cluster::{ClusterPipeline, ClusterScanIter, RedisCluster, Targeted};
pub use connection::Connection;
pub use lock::{Lock, LockGuard};
pub use monitor::Monitor;
pub use pipeline::{Pipeline, WatchedPipeline};
pub use pool::{ConnectionPool, PoolStats, PooledConnection};
pub use pubsub::{ExceptionHandler, Handler, HandlerOutput, Listen, PubSub, PubSubWorker};
pub use scan::ScanIter;
pub use sentinel::Sentinel;
