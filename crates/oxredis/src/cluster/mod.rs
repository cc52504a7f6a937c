//! Redis Cluster, without I/O: key slots, the slot map, routing of a command to its node(s)
//! and the handling of redirects. The blocking and async cluster clients drive this code; none
//! of the decisions is written twice.
//!
//! Public here: [`key_slot`], [`command_slot`] and [`SLOT_COUNT`], and the names the cluster clients
//! ([`blocking::RedisCluster`](crate::blocking::RedisCluster), `aio::RedisCluster`) share:
//! [`ClusterNode`], [`TargetNodes`], [`LoadBalancingStrategy`], [`ClusterBuilder`],
//! [`NodeReplies`].

mod aggregate;
pub(crate) mod flow;
mod node;
pub(crate) mod redirect;
mod route;
mod slot;
pub(crate) mod split;
mod topology;

pub use crate::commands::NodeFlag;
pub use node::{
    ClusterBuilder, ClusterNode, LoadBalancingStrategy, NodeReplies, ServerType, TargetNodes,
};
pub use route::command_slot;
pub use slot::{key_slot, SLOT_COUNT};

#[cfg(test)]
#[expect(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "tests against real servers wait for them"
)]
mod server_tests;
