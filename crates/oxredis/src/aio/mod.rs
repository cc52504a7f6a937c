//! The async client for tokio (feature `tokio`, on by default).
//!
//! # Design
//!
//! - **One shared connection, automatic pipelining.** [`Redis`] is a cheap `Clone` handle; all
//!   clones share one multiplexed connection. A single driver task owns the socket and, in one
//!   `select!` loop, (a) drains every request queued by callers (an unbounded channel; each
//!   caller has at most one request queued, so the queue is bounded by the number of waiting
//!   tasks) into one write buffer, recording each request's reply slot (a oneshot sender) in an
//!   in-flight queue in the same order, (b) writes that buffer, and (c) reads and decodes
//!   replies, completing the oldest in-flight slot with each. Commands from many concurrent
//!   tasks thus go out in batches, in one `write`, with no caller-side locking. Reply
//!   normalisation and conversion to the caller's type run in the calling task, off the driver.
//! - **Push frames.** RESP3 push frames are never taken for replies: they go to a broadcast
//!   channel ([`Redis::push_receiver`]) for client-side caching and similar uses. Subscribing
//!   (SUBSCRIBE, MONITOR) on the shared connection is not supported: pub/sub gets a connection
//!   of its own.
//! - **Cancel safety.** Dropping a command's future at any point never desynchronises the shared
//!   connection: if the request was already queued, it is still sent, its reply is still read in
//!   order, and is discarded because the receiver is gone.
//! - **Timeouts.** There is no default response timeout. With `socket_timeout` set, a request
//!   that waits longer fails with [`ErrorKind::Timeout`](crate::ErrorKind::Timeout); it simply
//!   drops its receiver, so its late reply is consumed and discarded as above and the
//!   connection stays usable for everyone else (no reconnect needed).
//! - **Blocking commands** (flag `BLOCKING`: BLPOP, BRPOP, BLMOVE, BZPOPMIN...) never run on the
//!   shared connection, where they would stall every other task. Each runs on a dedicated
//!   [`Connection`] taken from a small idle list (up to 4 kept; more are opened when needed and
//!   closed afterwards). If its future is dropped, that connection is closed, which also cancels
//!   the command on the server. `socket_timeout`, when set, also bounds blocking commands, as in
//!   the blocking client.
//! - **Reconnect.** When the connection dies, every command in flight or queued fails with
//!   [`ErrorKind::Connection`](crate::ErrorKind::Connection) and is never re-sent (the server may
//!   have run it). The next command opens a new connection (lazily, once for all waiting tasks),
//!   running the same handshake as the blocking client (`handshake::commands`/`check`).
//! - **Pipelines and transactions** ([`Pipeline`]) go to the shared connection as one
//!   contiguous request (`Payload::Packed`, `ReplyTo::Many`), so no other task's command can
//!   land inside a MULTI ... EXEC; their packing and reply assembly are the sans-I/O
//!   [`crate::pipeline`] core, as for the blocking client. WATCH ([`WatchedPipeline`],
//!   [`Redis::transaction`]) and pub/sub ([`PubSub`]) use a dedicated [`Connection`] each;
//!   scripts, locks ([`Lock`]) and scan streams ([`ScanStream`]) reuse the [`crate::script`],
//!   [`crate::lock`] and [`crate::scan`] cores. Streams implement [`futures_core::Stream`].
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "the async I/O layer owns sockets and clocks"
)]

mod client;
mod connection;
mod lock;
mod multiplex;
mod pipeline;
mod pubsub;
mod scan;
mod script;
mod stream;

pub use client::Redis;
pub use connection::Connection;
pub use lock::Lock;
pub use pipeline::{BoxFuture, Pipeline, WatchedPipeline};
pub use pubsub::{MessageStream, PubSub, PubSubStream};
pub use scan::ScanStream;
