//! `oxredis._native`: the PyO3 extension module under the `oxredis` Python package.
//!
//! It holds what must be fast: argument packing, the blocking client's I/O (with the GIL
//! released) and the conversion of replies to Python objects in redis-py's shapes. The
//! redis-py-compatible API itself (`Redis`, `Pipeline`, command methods) is the Python package
//! around it, which calls [`client::Client`].

use pyo3::prelude::*;

mod aio;
mod args;
mod bridge;
mod cache;
mod client;
mod cluster;
mod codec;
mod connection;
mod errors;
mod monitor;
mod pubsub;
mod queue;
mod reply;
mod sentinel;
mod unified;

/// The module initialiser: registers the client classes and the reply-shape constants.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<client::Client>()?;
    m.add_function(wrap_pyfunction!(client::backoff_compute, m)?)?;
    m.add_function(wrap_pyfunction!(args::encode_arg, m)?)?;
    m.add_function(wrap_pyfunction!(connection::pack_command, m)?)?;
    m.add_class::<connection::Conn>()?;
    m.add_class::<connection::AsyncConn>()?;
    m.add_class::<client::Watched>()?;
    m.add_class::<cache::Cache>()?;
    m.add_function(wrap_pyfunction!(cache::cacheable_commands, m)?)?;
    m.add_class::<client::SingleConn>()?;
    m.add_class::<cluster::ClusterOptions>()?;
    m.add_class::<cluster::ClusterClient>()?;
    m.add_class::<cluster::AsyncClusterClient>()?;
    m.add_class::<cluster::AsyncClusterScanIter>()?;
    m.add_class::<cluster::ClusterScanIter>()?;
    m.add_class::<aio::AsyncClient>()?;
    m.add_class::<aio::AsyncWatched>()?;
    m.add_class::<bridge::Completer>()?;
    m.add_class::<pubsub::AsyncPubSubConn>()?;
    m.add_class::<pubsub::PubSubConn>()?;
    m.add_class::<monitor::MonitorConn>()?;
    m.add_class::<monitor::AsyncMonitorConn>()?;
    m.add_class::<queue::CommandQueue>()?;
    m.add_class::<sentinel::Sentinel>()?;
    m.add_class::<sentinel::AsyncSentinel>()?;
    for (name, shape) in reply::Shape::ALL {
        m.add(*name, *shape as u8)?;
    }
    Ok(())
}
