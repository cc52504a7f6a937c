//! `_native.Sentinel` and `_native.AsyncSentinel`: the core's Sentinel clients
//! (`oxredis::blocking::Sentinel`, `oxredis::aio::Sentinel`) under `oxredis.sentinel.Sentinel`
//! and `oxredis.asyncio.sentinel.Sentinel`.
//!
//! Connection settings are not parsed here: the Python package builds a [`Client`] from
//! redis-py's keyword arguments (`sentinel_kwargs` for the sentinels, the connection keywords
//! for the primary and replicas) and hands it over; its address is ignored.

use oxredis::sentinel::{Role, SentinelOptions};
use oxredis::{Addr, ConnectionConfig};
use pyo3::prelude::*;

use crate::bridge::{finish, Completer};
use crate::client::Client;
use crate::errors::to_pyerr;

/// The core's options for sentinels reached with `sentinel`'s settings. A timeout it does not
/// set is the core's short default (redis-py's sentinels wait for ever; the Sentinel client
/// spec wants a dead sentinel skipped quickly), and a sentinel is asked once, never retried:
/// the next one is asked instead.
fn options(
    sentinel: &Client,
    min_other_sentinels: u32,
    force_master_ip: Option<String>,
) -> SentinelOptions {
    let mut opts = SentinelOptions::default().min_other_sentinels(min_other_sentinels);
    if let Some(host) = force_master_ip {
        opts = opts.force_master_ip(host);
    }
    let mut config = sentinel.config().clone();
    config.connect_timeout = config.connect_timeout.or(opts.sentinel.connect_timeout);
    config.socket_timeout = config.socket_timeout.or(opts.sentinel.socket_timeout);
    config.max_connections = opts.sentinel.max_connections;
    config.retry = opts.sentinel.retry;
    opts.sentinel_connection(config)
}

/// The `(host, port)` of each address (sentinels are TCP only).
fn tcp(addrs: Vec<Addr>) -> Vec<(String, u16)> {
    addrs
        .into_iter()
        .filter_map(|a| match a {
            Addr::Tcp { host, port } => Some((host, port)),
            Addr::Unix(_) => None,
        })
        .collect()
}

fn role(is_master: bool) -> Role {
    if is_master {
        Role::Master
    } else {
        Role::Replica
    }
}

/// `template`'s settings (credentials, database, protocol, timeouts, TLS, pool...) with the
/// sentinel target of `target`: every connection asks the sentinels where to go.
fn targeted(template: &Client, target: ConnectionConfig) -> Client {
    let mut config = template.config().clone();
    config.sentinel = target.sentinel;
    template.with_config(config)
}

/// A set of sentinels for the blocking client (every call releases the GIL while it waits).
#[pyclass(module = "oxredis._native", frozen)]
pub(crate) struct Sentinel {
    inner: oxredis::blocking::Sentinel,
}

#[pymethods]
impl Sentinel {
    /// Sentinels at `sentinels` (`(host, port)` pairs), reached with the settings of the
    /// `sentinel` client; `min_other_sentinels` and `force_master_ip` as redis-py's.
    #[new]
    #[pyo3(signature = (sentinels, sentinel, min_other_sentinels=0, force_master_ip=None))]
    fn new(
        sentinels: Vec<(String, u16)>,
        sentinel: &Client,
        min_other_sentinels: u32,
        force_master_ip: Option<String>,
    ) -> Self {
        let opts = options(sentinel, min_other_sentinels, force_master_ip);
        Sentinel {
            inner: oxredis::blocking::Sentinel::new(sentinels, opts),
        }
    }

    /// The sentinels' addresses in the order they are asked now (one that answered first;
    /// learned ones appended).
    fn sentinels(&self) -> Vec<(String, u16)> {
        tcp(self.inner.sentinels())
    }

    /// `(host, port)` of the primary of `service_name` as the first sentinel that knows it
    /// reports it; `MasterNotFoundError` when none does (or none answers).
    fn discover_master(&self, py: Python<'_>, service_name: &str) -> PyResult<(String, u16)> {
        let inner = &self.inner;
        py.allow_threads(|| inner.discover_master(service_name))
            .map_err(|e| to_pyerr(py, &e))
    }

    /// The live replicas of `service_name`; `SlaveNotFoundError` when every sentinel that
    /// answers refuses the name, `MasterNotFoundError` when none answers.
    fn discover_slaves(&self, py: Python<'_>, service_name: &str) -> PyResult<Vec<(String, u16)>> {
        let inner = &self.inner;
        py.allow_threads(|| inner.discover_slaves(service_name))
            .map_err(|e| to_pyerr(py, &e))
    }

    /// A client with `template`'s settings whose connections go to the primary of
    /// `service_name` (`is_master`) or to one of its replicas, as the sentinels say on every
    /// (re)connect. No connection is made yet.
    fn client_for(&self, service_name: &str, is_master: bool, template: &Client) -> Client {
        targeted(
            template,
            self.inner.config_for(service_name, role(is_master)),
        )
    }
}

/// A set of sentinels for the asyncio client: the discoveries resolve asyncio futures.
#[pyclass(module = "oxredis._native", frozen)]
pub(crate) struct AsyncSentinel {
    inner: oxredis::aio::Sentinel,
}

#[pymethods]
impl AsyncSentinel {
    /// As `Sentinel(...)`.
    #[new]
    #[pyo3(signature = (sentinels, sentinel, min_other_sentinels=0, force_master_ip=None))]
    fn new(
        sentinels: Vec<(String, u16)>,
        sentinel: &Client,
        min_other_sentinels: u32,
        force_master_ip: Option<String>,
    ) -> Self {
        let opts = options(sentinel, min_other_sentinels, force_master_ip);
        AsyncSentinel {
            inner: oxredis::aio::Sentinel::new(sentinels, opts),
        }
    }

    /// As `Sentinel.sentinels`.
    fn sentinels(&self) -> Vec<(String, u16)> {
        tcp(self.inner.sentinels())
    }

    /// As `Sentinel.discover_master`; the `(host, port)` resolves `fut`.
    fn discover_master(
        &self,
        service_name: String,
        fut: Bound<'_, PyAny>,
        completer: &Completer,
    ) -> PyResult<()> {
        let inner = self.inner.clone();
        completer.spawn(fut, async move {
            let found = inner.discover_master(&service_name).await;
            finish(found, |py, addr| {
                Ok(addr.into_pyobject(py)?.into_any().unbind())
            })
        })
    }

    /// As `Sentinel.discover_slaves`; the list resolves `fut`.
    fn discover_slaves(
        &self,
        service_name: String,
        fut: Bound<'_, PyAny>,
        completer: &Completer,
    ) -> PyResult<()> {
        let inner = self.inner.clone();
        completer.spawn(fut, async move {
            let found = inner.discover_slaves(&service_name).await;
            finish(found, |py, list| {
                Ok(list.into_pyobject(py)?.into_any().unbind())
            })
        })
    }

    /// As `Sentinel.client_for`; the client's `asynchronous()` is the asyncio one. Its
    /// `+switch-master` watchers run on the shared tokio runtime.
    fn client_for(
        &self,
        service_name: &str,
        is_master: bool,
        template: &Client,
    ) -> PyResult<Client> {
        let _runtime = crate::bridge::runtime()?.enter();
        Ok(targeted(
            template,
            self.inner.config_for(service_name, role(is_master)),
        ))
    }
}
