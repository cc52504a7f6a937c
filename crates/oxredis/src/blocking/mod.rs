//! The blocking client: std sockets, a thread-safe pool, and the command methods.

mod client;
mod connection;
mod pool;
mod scan;

pub use client::Redis;
pub use connection::Connection;
pub use pool::{ConnectionPool, PooledConnection};
pub use scan::ScanIter;
