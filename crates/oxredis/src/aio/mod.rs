//! The async client for tokio (feature `tokio`, on by default).
//!
//! # Design
//!
//! - **One shared connection, automatic pipelining.** [`Redis`] is a cheap `Clone` handle; all
//!   clones share one multiplexed connection. A single driver task owns the socket and, in one
//!   `select!` loop, (a) drains every request queued by callers into one write buffer,
//!   recording each request's reply slot (a oneshot sender) in an in-flight queue in the same
//!   order, (b) writes that buffer, and (c) reads and decodes replies, completing the oldest
//!   in-flight slot with each. Commands from many concurrent tasks thus go out in batches, in
//!   one `write`, with no caller-side locking. Reply normalisation and conversion to the
//!   caller's type run in the calling task, off the driver.
//! - **Bounded memory (backpressure).** At most
//!   [`max_queued_requests`](crate::ConnectionConfig::max_queued_requests) requests (default
//!   16384) are queued or in flight per connection; a caller beyond that waits for room (it
//!   does not fail), so a flood of requests issued faster than the server answers cannot grow
//!   memory without limit. Each request holds a permit of a per-connection semaphore from the
//!   moment it is queued until its reply is delivered (or it fails).
//! - **Push frames.** RESP3 push frames are never taken for replies: the driver routes each one
//!   as it is decoded, per the core's [push policy](crate::push): client-side cache
//!   invalidations first, then the [`PushHandler`](crate::PushHandler) and the broadcast channel
//!   ([`Redis::push_receiver`]); one nobody consumes is dropped and counted. Subscribing
//!   (SUBSCRIBE, MONITOR) on the shared connection is not supported: pub/sub gets a connection
//!   of its own.
//! - **Cancel safety.** Dropping a command's future at any point never desynchronises the shared
//!   connection: if the request was already queued, it is still sent, its reply is still read in
//!   order, and is discarded because the receiver is gone. Methods that leave state on the
//!   server say what a drop does in a `# Cancel safety` section: the [`Lock`] runs its
//!   attempts and releases in tasks of their own, so a dropped acquire never leaves the lock
//!   held with no owner; [`Pipeline`], [`WatchedPipeline`] and [`PubSub`] say what was sent.
//! - **Timeouts.** `socket_timeout` (default 10 s) is the response deadline, and the driver
//!   enforces it: each request carries its allowance (the deadline, plus the server-side wait of
//!   a bounded blocking command such as `WAIT 1 5000`, or of the bounded blocking commands of a
//!   pipeline; none if one may wait forever), and one timer watches the oldest unanswered
//!   request, whose allowance counts from when it became the oldest (replies come in order, so
//!   nothing behind it can be answered first) or from the last reply frame for it. When it runs
//!   out, the connection is deemed dead (e.g. half-open: the peer vanished without a FIN, which
//!   TCP keepalive alone would notice only much later): every request in flight fails with
//!   [`ErrorKind::Timeout`](crate::ErrorKind::Timeout) (it may or may not have run), every one
//!   still queued and never written fails with
//!   [`ErrorKind::Connection`](crate::ErrorKind::Connection) ("not sent", safe to retry; it is
//!   not re-sent automatically), the driver stops, and the next command opens a new
//!   connection. A caller that gives up on its own (drops the future, or wraps it in
//!   `tokio::time::timeout`) does not affect the connection: its late reply is discarded.
//! - **Blocking commands** (flag `BLOCKING`: BLPOP, BRPOP, BLMOVE, BZPOPMIN...) never run on the
//!   shared connection, where they would stall every other task. Each runs on a dedicated
//!   [`Connection`] taken from a small idle list (up to 4 kept; more are opened when needed and
//!   closed afterwards). If its future is dropped, that connection is closed, which also cancels
//!   the command on the server. Their deadline is `socket_timeout` plus the time the server may
//!   hold them (`Cmd::block_time`): `BLPOP k 3` fails with a timeout
//!   only after 3 s plus `socket_timeout`; `BLPOP k 0` and `XREAD BLOCK 0` have no deadline
//!   (TCP keepalive, on by default, detects a dead peer). Pipelines with blocking commands that
//!   run on a dedicated connection get the same allowance as on the shared one.
//! - **Reconnect.** When the connection dies, every command in flight or queued fails with
//!   [`ErrorKind::Connection`](crate::ErrorKind::Connection) (those never written say "not
//!   sent") and is never re-sent (the server may have run it). The next command opens a new connection (lazily, once for all waiting tasks),
//!   running the same handshake as the blocking client (`handshake::commands`/`check`).
//! - **Pipelines and transactions** ([`Pipeline`]) go to the shared connection as one
//!   contiguous request (`Payload::Packed`, `ReplyTo::Many`), so no other task's command can
//!   land inside a MULTI ... EXEC; their packing and reply assembly are the sans-I/O
//!   `crate::pipeline` core, as for the blocking client. WATCH ([`WatchedPipeline`],
//!   [`Redis::transaction`]) and pub/sub ([`PubSub`]) use a dedicated [`Connection`] each;
//!   scripts, locks ([`Lock`]) and scan streams ([`ScanStream`]) reuse the `crate::script`,
//!   [`crate::lock`] and `crate::scan` cores. Streams implement [`futures_core::Stream`].
#![expect(
    clippy::disallowed_types,
    reason = "the async I/O layer owns sockets and clocks"
)]

mod client;
mod cluster;
mod connection;
mod lock;
mod monitor;
mod multiplex;
mod pipeline;
mod pubsub;
mod scan;
mod script;
mod sentinel;
mod stream;

pub use crate::blocking::ClientBuilder;
pub use client::Redis;
pub use cluster::{ClusterPipeline, ClusterScanStream, RedisCluster, Targeted};
pub use connection::Connection;
pub use lock::Lock;
pub use monitor::{Monitor, MonitorStream};
pub use pipeline::{BoxFuture, Pipeline, WatchedPipeline};
pub use pubsub::{ExceptionHandler, MessageStream, PubSub, PubSubStream, PubSubWorker};
pub use scan::ScanStream;
pub use sentinel::Sentinel;
