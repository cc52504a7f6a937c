//! Redis Stack module commands behind redis-py's accessors: [`json`](crate::Redis::json),
//! [`bf`](crate::Redis::bf), [`cf`](crate::Redis::cf), [`cms`](crate::Redis::cms),
//! [`topk`](crate::Redis::topk), [`tdigest`](crate::Redis::tdigest),
//! [`ft`](crate::Redis::ft) and [`ts`](crate::Redis::ts).
//!
//! The commands are declared once in the command table (`commands/json.rs`, `bloom.rs`,
//! `search.rs`, `timeseries.rs`; [`module_specs`](crate::commands::module_specs) lists them) and
//! every surface is generated from them: the blocking client, the async client, the blocking
//! and async pipelines and the transaction queue all have the same accessors with the same
//! method names.
//!
//! ```no_run
//! # #[cfg(feature = "json")] {
//! let r = oxredis::Redis::from_url("redis://localhost")?;
//! r.bf().create("bloom", 0.01, 1000)?;
//! r.json().set("mykey", ".", &serde_json::json!({"a": [1, 2]}))?;
//! let doc: Option<serde_json::Value> = r.json().get("mykey", ".")?;
//! let mut p = r.pipeline(false);
//! p.bf().add("bloom", "x").json().arrappend("mykey", "$.a", &[3]).incr("n");
//! p.execute()?;
//! # }
//! # Ok::<(), oxredis::Error>(())
//! ```

pub mod bloom;
#[cfg(feature = "json")]
pub mod json;
pub(crate) mod reply;
pub mod search;
pub mod timeseries;

use crate::{Cmd, FromValue, Result};

// What the command entries name, for the generated methods.
#[cfg(feature = "json")]
#[allow(unused_imports, reason = "each group uses its own subset")]
use self::json::*;
#[allow(unused_imports, reason = "each group uses its own subset")]
use self::{bloom::*, search::*, timeseries::*};
use crate::{ToArgs, Value};
#[cfg(feature = "json")]
use serde::{de::DeserializeOwned, Serialize};

/// A client that runs one command at once and converts its reply (the blocking client and
/// blocking watched pipeline). Implemented by the crate; the module accessors use it.
pub trait BlockingRun {
    /// Runs `cmd` and converts its reply.
    ///
    /// # Errors
    /// As the client's `run`.
    fn run_cmd<T: FromValue>(&self, cmd: Cmd) -> Result<T>;
}

/// A client that runs one command in a `Send` future (the async client and async watched
/// pipeline). Implemented by the crate; the module accessors use it.
pub trait AsyncRun: Sync {
    /// Runs `cmd` and converts its reply.
    fn run_cmd<'a, T: FromValue + Send + 'a>(
        &'a self,
        cmd: Cmd,
    ) -> impl std::future::Future<Output = Result<T>> + Send + 'a;
}

/// A pipeline that queues commands (blocking and async `Pipeline`, the transaction
/// [`CommandQueue`](crate::CommandQueue)). Implemented by the crate.
pub trait QueueCmd {
    /// Queues `cmd`.
    fn queue_cmd(&mut self, cmd: Cmd) -> &mut Self;
}

/// Converts a reply read as one type into the type a method returns (`Json<T>` into `T`): the
/// `via(...)` of a module declaration.
pub trait Via {
    /// The method's return type.
    type Out;
    /// The conversion.
    fn into_out(self) -> Self::Out;
}

/// Module accessors on a blocking client: methods return `Result<T>` at once.
#[derive(Debug, Clone, Copy)]
pub struct Blocking<'a, C>(&'a C);

/// Module accessors on an async client: methods return `Send` futures.
#[derive(Debug, Clone, Copy)]
pub struct Async<'a, C>(&'a C);

/// Module accessors on a pipeline: methods queue the command and return the pipeline.
#[derive(Debug)]
pub struct Queued<'a, P>(&'a mut P);

/// The accessor type of one module command group (`r.json()`, `r.bf()`...), over a surface
/// [`Blocking`], [`Async`] or [`Queued`]. `bound` is the first argument the accessor supplies
/// itself (the index name of `r.ft("idx")`), empty for the others.
#[derive(Debug)]
pub struct Commands<G, S> {
    surface: S,
    bound: String,
    _group: std::marker::PhantomData<G>,
}

impl<G, S> Commands<G, S> {
    fn new(surface: S, bound: String) -> Self {
        Commands {
            surface,
            bound,
            _group: std::marker::PhantomData,
        }
    }

    /// The argument the accessor supplies (the index name for `ft`).
    fn bound(&self) -> &str {
        &self.bound
    }
}

impl<G, C: BlockingRun> Commands<G, Blocking<'_, C>> {
    fn run<T: FromValue>(&self, cmd: Cmd) -> Result<T> {
        self.surface.0.run_cmd(cmd)
    }
}

impl<G, C: AsyncRun> Commands<G, Async<'_, C>> {
    fn run<'b, T: FromValue + Send + 'b>(
        &'b self,
        cmd: Cmd,
    ) -> impl std::future::Future<Output = Result<T>> + Send + 'b {
        self.surface.0.run_cmd(cmd)
    }
}

impl<'a, G, P: QueueCmd> Commands<G, Queued<'a, P>> {
    fn queue(self, cmd: Cmd) -> &'a mut P {
        let p = self.surface.0;
        p.queue_cmd(cmd);
        p
    }
}

/// Marker types naming the command groups, the first type parameter of [`Commands`].
pub mod group {
    /// RedisJSON (`r.json()`).
    #[derive(Debug)]
    pub enum Json {}
    /// Bloom filters (`r.bf()`).
    #[derive(Debug)]
    pub enum Bf {}
    /// Cuckoo filters (`r.cf()`).
    #[derive(Debug)]
    pub enum Cf {}
    /// Count-min sketches (`r.cms()`).
    #[derive(Debug)]
    pub enum Cms {}
    /// Top-K (`r.topk()`).
    #[derive(Debug)]
    pub enum TopK {}
    /// t-digest (`r.tdigest()`).
    #[derive(Debug)]
    pub enum TDigest {}
    /// RediSearch on one index (`r.ft("idx")`).
    #[derive(Debug)]
    pub enum Search {}
    /// RedisTimeSeries (`r.ts()`).
    #[derive(Debug)]
    pub enum TimeSeries {}
}

/// The methods of each group on each surface, generated from the command table.
macro_rules! group_impls {
    ($group:ident, $commands:ident, $mode:ident, $path:ident) => {
        impl<C: BlockingRun> Commands<group::$group, Blocking<'_, C>> {
            $commands!(mod_immediate $mode $path);
        }
        impl<C: AsyncRun> Commands<group::$group, Async<'_, C>> {
            $commands!(mod_async $mode $path);
        }
        impl<'a, P: QueueCmd> Commands<group::$group, Queued<'a, P>> {
            $commands!(mod_queued $mode $path);
        }
    };
}

#[cfg(feature = "json")]
group_impls!(Json, json_commands, plain, json);
group_impls!(Bf, bf_commands, plain, bf);
group_impls!(Cf, cf_commands, plain, cf);
group_impls!(Cms, cms_commands, plain, cms);
group_impls!(TopK, topk_commands, plain, topk);
group_impls!(TDigest, tdigest_commands, plain, tdigest);
group_impls!(Search, ft_commands, bound, ft);
group_impls!(TimeSeries, ts_commands, plain, ts);

/// The accessor methods (`json()`, `bf()`...) on one client or pipeline type.
macro_rules! accessors {
    ($ty:ty, $surface:ident, $self_:ident, $wrap:expr, $($ref_:tt)+) => {
        impl $ty {
            #[cfg(feature = "json")]
            /// RedisJSON commands (redis-py's `r.json()`). <https://redis.io/docs/latest/commands/?group=json>
            pub fn json($($ref_)+ $self_) -> Commands<group::Json, $surface<'_, Self>> {
                Commands::new($wrap, String::new())
            }
            /// Bloom filter commands (redis-py's `r.bf()`). <https://redis.io/docs/latest/commands/?group=bf>
            pub fn bf($($ref_)+ $self_) -> Commands<group::Bf, $surface<'_, Self>> {
                Commands::new($wrap, String::new())
            }
            /// Cuckoo filter commands (redis-py's `r.cf()`). <https://redis.io/docs/latest/commands/?group=cf>
            pub fn cf($($ref_)+ $self_) -> Commands<group::Cf, $surface<'_, Self>> {
                Commands::new($wrap, String::new())
            }
            /// Count-min sketch commands (redis-py's `r.cms()`). <https://redis.io/docs/latest/commands/?group=cms>
            pub fn cms($($ref_)+ $self_) -> Commands<group::Cms, $surface<'_, Self>> {
                Commands::new($wrap, String::new())
            }
            /// Top-K commands (redis-py's `r.topk()`). <https://redis.io/docs/latest/commands/?group=topk>
            pub fn topk($($ref_)+ $self_) -> Commands<group::TopK, $surface<'_, Self>> {
                Commands::new($wrap, String::new())
            }
            /// t-digest commands (redis-py's `r.tdigest()`). <https://redis.io/docs/latest/commands/?group=tdigest>
            pub fn tdigest($($ref_)+ $self_) -> Commands<group::TDigest, $surface<'_, Self>> {
                Commands::new($wrap, String::new())
            }
            /// RediSearch commands on the index `index` (redis-py's `r.ft(index)`).
            /// <https://redis.io/docs/latest/commands/?group=search>
            pub fn ft($($ref_)+ $self_, index: impl Into<String>) -> Commands<group::Search, $surface<'_, Self>> {
                Commands::new($wrap, index.into())
            }
            /// RedisTimeSeries commands (redis-py's `r.ts()`). <https://redis.io/docs/latest/commands/?group=timeseries>
            pub fn ts($($ref_)+ $self_) -> Commands<group::TimeSeries, $surface<'_, Self>> {
                Commands::new($wrap, String::new())
            }
        }
    };
}

impl BlockingRun for crate::Redis {
    fn run_cmd<T: FromValue>(&self, cmd: Cmd) -> Result<T> {
        self.run(cmd)
    }
}
impl BlockingRun for crate::WatchedPipeline {
    fn run_cmd<T: FromValue>(&self, cmd: Cmd) -> Result<T> {
        self.run(cmd)
    }
}
impl QueueCmd for crate::Pipeline {
    fn queue_cmd(&mut self, cmd: Cmd) -> &mut Self {
        self.queue(cmd)
    }
}
impl QueueCmd for crate::CommandQueue {
    fn queue_cmd(&mut self, cmd: Cmd) -> &mut Self {
        self.queue(cmd)
    }
}
accessors!(crate::Redis, Blocking, self, Blocking(self), &);
accessors!(crate::WatchedPipeline, Blocking, self, Blocking(self), &);
accessors!(crate::Pipeline, Queued, self, Queued(self), &mut);
accessors!(crate::CommandQueue, Queued, self, Queued(self), &mut);

#[cfg(feature = "tokio")]
mod aio_impls {
    use super::*;

    impl AsyncRun for crate::aio::Redis {
        fn run_cmd<'a, T: FromValue + Send + 'a>(
            &'a self,
            cmd: Cmd,
        ) -> impl std::future::Future<Output = Result<T>> + Send + 'a {
            self.run(cmd)
        }
    }
    impl AsyncRun for crate::aio::WatchedPipeline {
        fn run_cmd<'a, T: FromValue + Send + 'a>(
            &'a self,
            cmd: Cmd,
        ) -> impl std::future::Future<Output = Result<T>> + Send + 'a {
            self.run(cmd)
        }
    }
    impl QueueCmd for crate::aio::Pipeline {
        fn queue_cmd(&mut self, cmd: Cmd) -> &mut Self {
            self.queue(cmd)
        }
    }
    accessors!(crate::aio::Redis, Async, self, Async(self), &);
    accessors!(crate::aio::WatchedPipeline, Async, self, Async(self), &);
    accessors!(crate::aio::Pipeline, Queued, self, Queued(self), &mut);
}
