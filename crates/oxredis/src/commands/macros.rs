//! Surface macros: each turns the command table's entries into one kind of item.

/// Builds a [`KeySpec`](crate::commands::KeySpec) from an entry's `keys(...)`.
macro_rules! key_spec {
    () => {
        $crate::commands::KeySpec::None
    };
    (numkeys $n:literal) => {
        $crate::commands::KeySpec::NumKeys { numkeys: $n }
    };
    (numkeys $n:literal pairs) => {
        $crate::commands::KeySpec::NumKeyPairs { numkeys: $n }
    };
    (dest numkeys $n:literal) => {
        $crate::commands::KeySpec::DestNumKeys { numkeys: $n }
    };
    ($(fixed $f:literal)? keyword $($kw:literal)|+ from $from:literal $find:ident) => {
        $crate::commands::KeySpec::Keyword {
            fixed: 0 $(+ $f)?,
            keywords: &[$($kw),+],
            startfrom: $from,
            find: $crate::commands::KeywordKeys::$find,
        }
    };
    ($f:expr, $l:expr, $s:expr) => {
        $crate::commands::KeySpec::Range {
            first: $f,
            last: $l,
            step: $s,
        }
    };
}

/// The shared entry grammar; `$then` receives every entry parsed into a fixed form.
macro_rules! parse_entries {
    ($then:ident; $(
        $(#[$attr:meta])*
        $name:literal $method:ident $(<$($g:ident),+>)? ( $($p:ident : $pt:ty),* $(,)? ) -> $ret:ty
            = [ $($arg:expr),* $(,)? ] ;
            $(keys( $($ks:tt)* ))? flags( $($flag:ident)|* ) $(reply($($shape:tt)+))?
            $(route($($route:tt)+))? ;
    )*) => {
        $then! { $(
            { $(#[$attr])* } $name $method { $($($g),+)? } ( $($p : $pt),* ) ($ret)
            [ $($arg),* ] { $($($ks)*)? } { $($flag)|* } { $($($shape)+)? } { $($($route)+)? }
        )* }
    };
}

/// Surface: the builder function of each command (`commands::build::get(key) -> Cmd`).
macro_rules! builders {
    ($($tt:tt)*) => { parse_entries!(builders_impl; $($tt)*); };
}
macro_rules! builders_impl {
    ($(
        { $(#[$attr:meta])* } $name:literal $method:ident { $($g:ident),* } ( $($p:ident : $pt:ty),* ) ($ret:ty)
        [ $($arg:expr),* ] { $($ks:tt)* } { $($flag:ident)|* } { $($shape:tt)* } { $($route:tt)* }
    )*) => {$(
        $(#[$attr])*
        #[inline]
        pub fn $method($($p: $pt),*) -> Cmd {
            static SPEC: $crate::commands::CommandSpec = spec_of!($name { $($ks)* } { $($flag)|* } { $($shape)* } { $($route)* });
            #[allow(
                unused_mut,
                reason = "fires only for commands without arguments; `expect` would fail for the rest"
            )]
            let mut cmd = Cmd::with_spec(&SPEC);
            $( cmd.arg(&$arg); )*
            cmd
        }
    )*};
}

/// A [`CommandSpec`](crate::commands::CommandSpec) literal.
macro_rules! spec_of {
    ($name:literal { $($ks:tt)* } { $($flag:ident)|* } { $($shape:tt)* } { $($route:tt)* }) => {
        $crate::commands::CommandSpec {
            name: $name,
            flags: $crate::commands::CommandFlags::NONE
                $(.union($crate::commands::CommandFlags::$flag))*,
            keys: key_spec!($($ks)*),
            reply: shape_of!($($shape)*),
            route: route_of!($($route)*),
            wire: {
                const LEN: usize = $crate::cmd::encoded_name_len($name);
                const WIRE: [u8; LEN] = $crate::cmd::encode_name::<LEN>($name);
                &WIRE
            },
            words: $crate::cmd::word_count($name),
        }
    };
}

/// A [`RoutePolicy`](crate::commands::RoutePolicy) from an entry's `route(...)`.
macro_rules! route_of {
    () => {
        $crate::commands::RoutePolicy::KEYS
    };
    (split, $aggregate:ident) => {
        $crate::commands::RoutePolicy {
            target: None,
            aggregate: $crate::commands::Aggregate::$aggregate,
            split: true,
        }
    };
    ($target:ident) => {
        $crate::commands::RoutePolicy {
            target: Some($crate::commands::NodeFlag::$target),
            aggregate: $crate::commands::Aggregate::PerNode,
            split: false,
        }
    };
    ($target:ident, $aggregate:ident) => {
        $crate::commands::RoutePolicy {
            target: Some($crate::commands::NodeFlag::$target),
            aggregate: $crate::commands::Aggregate::$aggregate,
            split: false,
        }
    };
}

macro_rules! shape_of {
    () => {
        $crate::reply::ReplyShape::Plain
    };
    ($shape:ident) => {
        $crate::reply::ReplyShape::$shape
    };
    (Deep($schema:ident)) => {
        $crate::reply::ReplyShape::Deep(&$crate::reply::$schema)
    };
    (Module($($shape:tt)+)) => {
        $crate::reply::ReplyShape::Module($crate::modules::reply::ModuleShape::$($shape)+)
    };
}

/// Surface: a slice of every entry's spec.
macro_rules! spec_items {
    ($($tt:tt)*) => { parse_entries!(spec_items_impl; $($tt)*) };
}
macro_rules! spec_items_impl {
    ($(
        { $(#[$attr:meta])* } $name:literal $method:ident { $($g:ident),* } ( $($p:ident : $pt:ty),* ) ($ret:ty)
        [ $($arg:expr),* ] { $($ks:tt)* } { $($flag:ident)|* } { $($shape:tt)* } { $($route:tt)* }
    )*) => {
        &[ $( spec_of!($name { $($ks)* } { $($flag)|* } { $($shape)* } { $($route)* }) ),* ]
    };
}

/// Surface: a slice of every entry's `(method name, command name)`.
macro_rules! method_items {
    ($($tt:tt)*) => { parse_entries!(method_items_impl; $($tt)*) };
}
macro_rules! method_items_impl {
    ($(
        { $(#[$attr:meta])* } $name:literal $method:ident { $($g:ident),* } ( $($p:ident : $pt:ty),* ) ($ret:ty)
        [ $($arg:expr),* ] { $($ks:tt)* } { $($flag:ident)|* } { $($shape:tt)* } { $($route:tt)* }
    )*) => {
        &[ $( (stringify!($method), $name) ),* ]
    };
}

/// Surface: methods returning `Result<T>` at once, for a type with
/// `fn run<T: FromValue>(&self, cmd: Cmd) -> Result<T>` (the blocking client).
macro_rules! immediate_methods {
    ($($tt:tt)*) => { parse_entries!(immediate_methods_impl; $($tt)*); };
}
macro_rules! immediate_methods_impl {
    ($(
        { $(#[$attr:meta])* } $name:literal $method:ident { $($g:ident),* } ( $($p:ident : $pt:ty),* ) ($ret:ty)
        [ $($arg:expr),* ] { $($ks:tt)* } { $($flag:ident)|* } { $($shape:tt)* } { $($route:tt)* }
    )*) => {$(
        $(#[$attr])*
        ///
        /// # Errors
        /// A connection or timeout error, an error reply, or a reply that does not convert to the
        /// requested type.
        #[inline]
        pub fn $method<$($g: $crate::FromValue),*>(&self, $($p: $pt),*) -> $crate::Result<$ret> {
            self.run($crate::commands::build::$method($($p),*))
        }
    )*};
}

/// Surface: `immediate_methods` less the commands a cluster client has methods of its own
/// for (`not_on_cluster`).
macro_rules! cluster_immediate_methods {
    ($($tt:tt)*) => { parse_entries!(cluster_immediate_methods_impl; $($tt)*); };
}
macro_rules! cluster_immediate_methods_impl {
    ($($tt:tt)*) => { without_cluster_own!(immediate_methods_impl; $($tt)*); };
}

/// Hands the parsed entries to `$then`, each on its own, except those `not_on_cluster`
/// drops.
macro_rules! without_cluster_own {
    ($then:ident; $(
        $attrs:tt $name:literal $method:ident $g:tt $params:tt $ret:tt $args:tt $ks:tt $flags:tt
        $shape:tt $route:tt
    )*) => {$(
        not_on_cluster!($method; $then! {
            $attrs $name $method $g $params $ret $args $ks $flags $shape $route
        });
    )*};
}

/// Drops the tokens after `;` for the commands whose cluster client method is written by hand
/// (matched by method name: a forwarded literal no longer matches a literal):
/// `readonly` and `readwrite` switch the client's replica reads (redis-py's
/// `RedisCluster.readonly()` / `readwrite()`) rather than one pooled connection's mode.
macro_rules! not_on_cluster {
    (readonly; $($item:tt)*) => {};
    (readwrite; $($item:tt)*) => {};
    ($method:ident; $($item:tt)*) => { $($item)* };
}

/// Surface: methods that queue the command and return `&mut Self` (pipelines).
macro_rules! queued_methods {
    ($($tt:tt)*) => { parse_entries!(queued_methods_impl; $($tt)*); };
}
macro_rules! queued_methods_impl {
    ($(
        { $(#[$attr:meta])* } $name:literal $method:ident { $($g:ident),* } ( $($p:ident : $pt:ty),* ) ($ret:ty)
        [ $($arg:expr),* ] { $($ks:tt)* } { $($flag:ident)|* } { $($shape:tt)* } { $($route:tt)* }
    )*) => {$(
        $(#[$attr])*
        #[inline]
        pub fn $method(&mut self, $($p: $pt),*) -> &mut Self {
            self.queue($crate::commands::build::$method($($p),*))
        }
    )*};
}

/// Surface: methods returning a `Send` future of `Result<T>`, for a type with
/// `async fn run<T: FromValue>(&self, cmd: Cmd) -> Result<T>` (the async client). The command
/// is built before the future is returned, so the future does not hold the arguments.
#[cfg_attr(
    not(feature = "tokio"),
    expect(unused_macros, reason = "used by the async client only")
)]
macro_rules! async_methods {
    ($($tt:tt)*) => { parse_entries!(async_methods_impl; $($tt)*); };
}
#[cfg_attr(
    not(feature = "tokio"),
    expect(unused_macros, reason = "used by the async client only")
)]
macro_rules! async_methods_impl {
    ($(
        { $(#[$attr:meta])* } $name:literal $method:ident { $($g:ident),* } ( $($p:ident : $pt:ty),* ) ($ret:ty)
        [ $($arg:expr),* ] { $($ks:tt)* } { $($flag:ident)|* } { $($shape:tt)* } { $($route:tt)* }
    )*) => {$(
        $(#[$attr])*
        ///
        /// # Errors
        /// A connection or timeout error, an error reply, or a reply that does not convert to the
        /// requested type.
        #[inline]
        pub fn $method<'a, $($g: $crate::FromValue + 'a),*>(&'a self, $($p: $pt),*)
            -> impl ::std::future::Future<Output = $crate::Result<$ret>> + Send + 'a {
            self.run($crate::commands::build::$method($($p),*))
        }
    )*};
}

/// Surface: `async_methods` less the commands a cluster client has methods of its own for
/// (`not_on_cluster`).
#[cfg_attr(
    not(feature = "tokio"),
    expect(unused_macros, reason = "used by the async client only")
)]
macro_rules! cluster_async_methods {
    ($($tt:tt)*) => { parse_entries!(cluster_async_methods_impl; $($tt)*); };
}
#[cfg_attr(
    not(feature = "tokio"),
    expect(unused_macros, reason = "used by the async client only")
)]
macro_rules! cluster_async_methods_impl {
    ($($tt:tt)*) => { without_cluster_own!(async_methods_impl; $($tt)*); };
}

/// The queueing methods every pipeline type shares (the blocking and async `Pipeline`, the
/// transaction `CommandQueue`), written once over the type's `batch: Batch` field: every
/// command from the table, plus `queue`, `execute_command`, `script`, `len`, `is_empty`,
/// `commands`.
macro_rules! batch_methods {
    () => {
        /// Queues a prepared command.
        pub fn queue(&mut self, cmd: $crate::Cmd) -> &mut Self {
            self.batch.push(cmd);
            self
        }

        all_commands!(queued_methods);

        /// Queues any command given as its words and arguments, e.g. `("OBJECT", "ENCODING", "k")`.
        pub fn execute_command(&mut self, args: impl $crate::ToArgs) -> &mut Self {
            let mut cmd = $crate::Cmd::empty();
            cmd.arg(args);
            self.queue(cmd)
        }

        /// Queues a script call (`EVALSHA`). Before the batch runs, every queued script the
        /// server does not have is loaded, so it never fails with `NOSCRIPT`.
        pub fn script(
            &mut self,
            script: &$crate::Script,
            keys: impl $crate::ToArgs,
            args: impl $crate::ToArgs,
        ) -> &mut Self {
            self.batch.push_script(script, keys, args);
            self
        }

        /// Number of queued commands.
        pub fn len(&self) -> usize {
            self.batch.len()
        }

        /// Whether nothing is queued.
        pub fn is_empty(&self) -> bool {
            self.batch.is_empty()
        }

        /// The queued commands.
        pub fn commands(&self) -> &[$crate::Cmd] {
            self.batch.commands()
        }
    };
}
