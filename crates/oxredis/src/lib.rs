//! oxredis: a complete, fast Redis client modelled on redis-py.
//!
//! The heart of the crate does no I/O: the RESP codec ([`resp`]), command packing ([`Cmd`]), the
//! command table ([`commands`]) and reply conversion ([`FromValue`]) are shared by the blocking
//! client ([`Redis`]) and the async client. Redis Cluster's slot hashing, slot map, routing and
//! redirect handling live in [`cluster`], also without I/O.
//!
//! # Examples
//! ```no_run
//! let r = oxredis::Redis::from_url("redis://127.0.0.1:6379/0")?;
//! r.set("foo", "bar")?;
//! let v: Option<String> = r.get("foo")?;
//! assert_eq!(v.as_deref(), Some("bar"));
//! # Ok::<(), oxredis::Error>(())
//! ```
//!
//! # TLS
//! `rediss://` URLs (with redis-py's `ssl_*` options) and the builder's `tls_*` methods connect
//! over TLS with rustls, for both clients; the cargo feature `tls` (on by default) brings it.
//! The certificate and host name are verified by default; [`TlsOptions`] lists every setting,
//! [`Error::tls_failure`] tells an unknown CA from a host name mismatch. (No connection is made
//! below: clients connect on first use.)
//! ```
//! let r = oxredis::Redis::builder()
//!     .url("rediss://redis.example:6380")?
//!     .tls_ca_file("/etc/redis/ca.crt")
//!     .build();
//! let same = oxredis::Redis::from_url("rediss://redis.example:6380?ssl_ca_certs=/etc/redis/ca.crt")?;
//! assert_eq!(r.config(), same.config());
//! # Ok::<(), oxredis::Error>(())
//! ```
//!
//! # Redis Cluster
//! [`RedisCluster`] (blocking) and `aio::RedisCluster` (async) route every command of the
//! table by its keys' slot or its declared target nodes, follow MOVED and ASK, retry
//! TRYAGAIN / CLUSTERDOWN and dead nodes after a topology refresh, and combine the replies of
//! commands sent to several nodes; both drive the same sans-I/O core in [`cluster`].
//! ```no_run
//! use oxredis::cluster::NodeFlag;
//! let rc = oxredis::RedisCluster::from_url("redis://127.0.0.1:7000")?;
//! rc.set("{user:1}:name", "ann")?;
//! let total: i64 = rc.target_nodes(NodeFlag::Primaries).dbsize()?;
//! let values: Vec<Option<String>> = rc.mget_nonatomic(["a", "b", "c"])?;
//! # Ok::<(), oxredis::Error>(())
//! ```
//!
//! # RESP3 pushes, client-side caching, tracing
//! Push frames never pass for replies; each goes to the client-side cache, the user's
//! [`PushHandler`], or is dropped and counted ([`push`] has the policy). Client-side caching
//! ([`cache`], redis-py's `CacheConfig`) keeps the replies of cacheable reads until the server
//! invalidates them, for both clients. The cargo feature `tracing` (off by default) gives every
//! command and pipeline a `tracing` span with OpenTelemetry's database attribute names
//! (`db.system.name`, `db.operation.name`, `db.namespace`, `server.address`, `server.port`,
//! `db.operation.batch.size`), never argument values; `examples/otel-stdout` exports them with
//! `tracing-opentelemetry`. The blocking pool's counters are [`Redis::pool_stats`].

#[macro_use]
pub mod commands;
#[cfg(feature = "tokio")]
pub mod aio;
pub mod blocking;
pub mod cache;
mod callbacks;
pub mod cluster;
mod cmd;
pub mod config;
mod conn;
mod convert;
mod credentials;
pub mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod handshake;
pub mod lock;
pub mod modules;
pub mod monitor;
mod pipeline;
pub mod pubsub;
pub mod push;
mod reply;
pub mod resp;
pub mod retry;
mod scan;
mod script;
pub mod sentinel;
pub mod tls;
mod trace;
pub mod transport;
pub mod types;
mod value;

pub use blocking::Sentinel;
pub use blocking::{
    ClientBuilder, CommandQueue, Connection, ConnectionPool, Lock, LockGuard, Monitor, Pipeline,
    PooledConnection, PubSub, Redis, TransactionOptions, WatchedPipeline,
};
pub use blocking::{ClusterPipeline, RedisCluster};
pub use callbacks::ResponseCallback;
pub use cmd::{ArgIter, Cmd, Flag, ScoreFirst, ToArgs};
pub use commands::options::{Expiry, ScanOptions, SetOptions};
pub use config::{Addr, ConnectionConfig, Keepalive, Protocol};
pub use convert::FromValue;
pub use credentials::{CredentialProvider, Credentials, SharedCredentialProvider};
pub use error::{Error, ErrorKind, Result, ServerError};
pub use lock::LockOptions;
pub use push::PushHandler;
pub use script::Script;
pub use tls::{TlsOptions, TlsVersion};
pub use value::Value;
