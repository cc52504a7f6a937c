//! Redis Cluster, without I/O: key slots, the slot map, routing of a command to its node(s)
//! and the handling of redirects. The blocking and async cluster clients drive this code; none
//! of the decisions is written twice.
//!
//! Only [`key_slot`] and [`SLOT_COUNT`] are public; the rest is used by the clients.

// Driven by the cluster clients, which are not built yet; the unit tests use every item.
#![cfg_attr(not(test), allow(dead_code))]

mod aggregate;
mod redirect;
mod route;
mod slot;
mod split;
mod topology;

pub use slot::{key_slot, SLOT_COUNT};

#[cfg(test)]
#[expect(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "tests against real servers wait for them"
)]
mod server_tests;
