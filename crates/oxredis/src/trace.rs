//! `tracing` spans for commands and pipelines (cargo feature `tracing`, off by default), with
//! the OpenTelemetry database semantic-convention attribute names, so `tracing-opentelemetry`
//! exports them as OTel client spans (`examples/otel-stdout` shows it).
//!
//! Each command run by a client ([`Redis`](crate::Redis) or `aio::Redis`) is one span named
//! `redis.command`, each pipeline or transaction one span named `redis.pipeline`, at `INFO`
//! level, with these fields:
//!
//! | field | value |
//! |---|---|
//! | `otel.name` | the command (`GET`, `CONFIG GET`), or `PIPELINE` / `MULTI` |
//! | `otel.kind` | `client` |
//! | `db.system.name` | `redis` |
//! | `db.operation.name` | as `otel.name` |
//! | `db.namespace` | the database index (`0`) |
//! | `server.address`, `server.port` | the host and port (a unix socket: its path, no port) |
//! | `db.operation.batch.size` | pipelines: the number of commands |
//! | `error.type` | on failure: the error kind (`Timeout`, `Connection`, `Response`...) |
//!
//! **Argument values are never recorded**: keys and values may be personal data or secrets
//! (`AUTH`, `CONFIG SET requirepass`), so only command names are. A span costs nothing but one
//! relaxed load of tracing's interest cache when no subscriber wants it.
//!
//! Without the feature every item here is an empty shell the compiler removes.

#[cfg(feature = "tracing")]
use crate::config::Addr;
use crate::config::ConnectionConfig;
use crate::Cmd;

/// A command's or pipeline's span (a unit struct without the `tracing` feature).
#[derive(Debug, Clone)]
pub(crate) struct Span {
    #[cfg(feature = "tracing")]
    inner: tracing::Span,
}

/// Where the server is, as `server.address` and `server.port`.
#[cfg(feature = "tracing")]
fn server(config: &ConnectionConfig) -> (String, Option<u16>) {
    match &config.addr {
        Addr::Tcp { host, port } => (host.clone(), Some(*port)),
        Addr::Unix(path) => (path.display().to_string(), None),
    }
}

impl Span {
    /// The span of one command sent with `config`'s client.
    #[cfg_attr(
        not(feature = "tracing"),
        expect(unused_variables, reason = "no tracing")
    )]
    #[inline]
    pub(crate) fn command(cmd: &Cmd, config: &ConnectionConfig) -> Span {
        #[cfg(feature = "tracing")]
        {
            let inner = tracing::info_span!(
                "redis.command",
                otel.name = tracing::field::Empty,
                otel.kind = "client",
                db.system.name = "redis",
                db.operation.name = tracing::field::Empty,
                db.namespace = config.db,
                server.address = tracing::field::Empty,
                server.port = tracing::field::Empty,
                error.type = tracing::field::Empty,
            );
            // Filled only when a subscriber wants the span: the name and address cost
            // allocations.
            if !inner.is_disabled() {
                let name = cmd.name();
                inner.record("otel.name", name.as_str());
                inner.record("db.operation.name", name.as_str());
                let (address, port) = server(config);
                inner.record("server.address", address.as_str());
                if let Some(port) = port {
                    inner.record("server.port", i64::from(port));
                }
            }
            Span { inner }
        }
        #[cfg(not(feature = "tracing"))]
        Span {}
    }

    /// The span of a pipeline (`transaction`: `MULTI`/`EXEC`) of `size` commands.
    #[cfg_attr(
        not(feature = "tracing"),
        expect(unused_variables, reason = "no tracing")
    )]
    #[inline]
    pub(crate) fn pipeline(transaction: bool, size: usize, config: &ConnectionConfig) -> Span {
        #[cfg(feature = "tracing")]
        {
            let name = if transaction { "MULTI" } else { "PIPELINE" };
            let inner = tracing::info_span!(
                "redis.pipeline",
                otel.name = name,
                otel.kind = "client",
                db.system.name = "redis",
                db.operation.name = name,
                db.operation.batch.size = i64::try_from(size).unwrap_or(i64::MAX),
                db.namespace = config.db,
                server.address = tracing::field::Empty,
                server.port = tracing::field::Empty,
                error.type = tracing::field::Empty,
            );
            if !inner.is_disabled() {
                let (address, port) = server(config);
                inner.record("server.address", address.as_str());
                if let Some(port) = port {
                    inner.record("server.port", i64::from(port));
                }
            }
            Span { inner }
        }
        #[cfg(not(feature = "tracing"))]
        Span {}
    }

    /// Runs `f` inside the span, recording `error.type` when it fails.
    #[inline]
    pub(crate) fn in_scope<T>(&self, f: impl FnOnce() -> crate::Result<T>) -> crate::Result<T> {
        #[cfg(feature = "tracing")]
        {
            let res = self.inner.in_scope(f);
            if let Err(e) = &res {
                self.record_error(e);
            }
            res
        }
        #[cfg(not(feature = "tracing"))]
        f()
    }

    /// Records a failure's kind as `error.type`.
    #[cfg(feature = "tracing")]
    fn record_error(&self, e: &crate::Error) {
        if !self.inner.is_disabled() {
            self.inner
                .record("error.type", format!("{:?}", e.kind()).as_str());
        }
    }

    /// `fut` running inside the span (each poll enters it), recording `error.type` when it
    /// fails.
    #[cfg(all(feature = "tracing", feature = "tokio"))]
    pub(crate) async fn instrument<T>(
        self,
        fut: impl std::future::Future<Output = crate::Result<T>>,
    ) -> crate::Result<T> {
        let res = tracing::Instrument::instrument(fut, self.inner.clone()).await;
        if let Err(e) = &res {
            self.record_error(e);
        }
        res
    }

    /// `fut` itself: without the `tracing` feature there is nothing to wrap it in.
    #[cfg(all(not(feature = "tracing"), feature = "tokio"))]
    #[inline]
    pub(crate) fn instrument<F>(self, fut: F) -> F {
        fut
    }
}
