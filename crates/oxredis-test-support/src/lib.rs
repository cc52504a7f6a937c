//! Test support for oxredis: real redis-server topologies and a fault-injecting TCP proxy.
//!
//! * [`RedisServer`] starts a throw-away `redis-server` on a free loopback port (optionally with a
//!   password, an ACL user, a unix socket, as a replica, or listening for TLS too with certificates
//!   made at start, see [`RedisServerBuilder::tls`] and [`TlsFiles`]) and kills it on drop.
//! * [`Proxy`] is a loopback TCP proxy that can drop connections, blackhole traffic, add latency
//!   and cut a reply short.
//! * [`SentinelTopology`] starts one primary, one replica and three sentinels (quorum 2,
//!   `down-after-milliseconds` 1000) and waits until the sentinels agree (about 2.5 s).
//! * [`ClusterServers`] starts a 6-node Redis Cluster (3 primaries + 3 replicas), one of one's
//!   own or one [`shared`](ClusterServers::shared) per test process, with helpers to kill a node
//!   and migrate a slot.
//! * [`Modules`] starts a server with the Redis Stack modules (JSON, Bloom, Search) loaded,
//!   fetched once by `scripts/ensure-modules.sh`, or skips the test visibly without them.
//! * [`RawConn`] is a tiny blocking RESP client (independent of oxredis) for setup and assertions.
//!
//! This crate deliberately has no dependency on `oxredis`. A missing `redis-server` binary is a
//! loud panic, never a silent skip (`$OXREDIS_SERVER_BIN` overrides the binary, e.g. a
//! `valkey-server`). [`RedisServer::version`] tells which server and version runs, and
//! [`ServerVersion::skip_unless`] skips a test that needs a newer one, visibly (one `SKIP` line).
//!
//! ```
//! use oxredis_test_support::{Proxy, RedisServer};
//!
//! let server = RedisServer::builder().password("pw").start();
//! assert_eq!(server.cli(&["SET", "k", "v"]), "OK");
//! let proxy = Proxy::start(server.socket_addr());
//! // point the client under test at proxy.addr(), then inject faults:
//! proxy.drop_all();
//! ```
// A test harness must fail loudly: panicking on setup errors is the intended behaviour here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cluster;
mod modules;
mod proxy;
mod resp;
mod sentinel;
mod server;
mod tls;
mod version;

pub use cluster::{ClusterServers, CLUSTER_NODE_TIMEOUT_MS};
pub use modules::{modules_dir, Modules};
pub use proxy::Proxy;
pub use resp::{RawConn, Reply};
pub use sentinel::{SentinelProcess, SentinelTopology};
pub use server::{RedisServer, RedisServerBuilder};
pub use tls::{TlsAuthClients, TlsFiles};
pub use version::{Needs, ServerName, ServerVersion};
