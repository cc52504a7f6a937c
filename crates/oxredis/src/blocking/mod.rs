//! The blocking client: std sockets, a thread-safe pool, and the command methods.

mod client;
mod connection;
mod monitor;
mod pool;
mod pubsub;

pub use client::Redis;
pub use connection::Connection;
pub use monitor::Monitor;
pub use pool::{ConnectionPool, PooledConnection};
pub use pubsub::{ExceptionHandler, Handler, HandlerOutput, Listen, PubSub, PubSubWorker};
