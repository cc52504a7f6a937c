//! The blocking client: std sockets, a thread-safe pool, and the command methods.

mod client;
mod connection;
mod lock;
mod pipeline;
mod pool;
mod script;

pub use client::Redis;
pub use connection::Connection;
pub use lock::{Lock, LockGuard};
pub use pipeline::{CommandQueue, Pipeline, TransactionOptions, WatchedPipeline};
pub use pool::{ConnectionPool, PooledConnection};
