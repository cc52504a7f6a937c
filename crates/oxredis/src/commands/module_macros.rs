//! Surface macros for module commands (JSON, Bloom family, Search, TimeSeries).
//!
//! Module entries use the core grammar (see [`commands`](crate::commands)) with two additions:
//! - type parameters name their bound (`get<T: DeserializeOwned>`), since module replies are
//!   not all [`FromValue`](crate::FromValue) types (JSON documents come through serde);
//! - `via(Type)`: the reply is converted to `Type` (a `FromValue`) and then to the declared
//!   return type by [`Via`](crate::modules::Via) (`via(Option<Json<T>>)` for a serde value).
//!
//! A group macro takes the surface and, for the client surfaces, `bound` when the accessor
//! carries the first argument itself (`r.ft("idx")` holds the index name), then the path of the
//! group's builder module (`json_commands!(mod_immediate plain json)`).

/// The module entry grammar; `$then` receives `[$($pre)*]` and every entry in a fixed form.
macro_rules! parse_module_entries {
    ($then:ident [$($pre:tt)*] $(
        $(#[$attr:meta])*
        $name:literal $method:ident $(<$($g:ident : $gb:path),+>)? ( $($p:ident : $pt:ty),* $(,)? ) -> $ret:ty
            = [ $($arg:expr),* $(,)? ] ;
            $(keys( $($ks:tt)* ))? flags( $($flag:ident)|* ) $(reply($($shape:tt)+))?
            $(via($via:ty))? ;
    )*) => {
        $then! { [$($pre)*] $(
            { $(#[$attr])* } $name $method { $($($g : $gb),+)? } ( $($p : $pt),* ) ($ret) ($($via)?)
            [ $($arg),* ] { $($($ks)*)? } { $($flag)|* } { $($($shape)+)? }
        )* }
    };
}

/// The type a reply is converted to first: the `via` type, else the return type.
macro_rules! run_ty {
    ($ret:ty;) => {
        $ret
    };
    ($ret:ty; $via:ty) => {
        $via
    };
}

/// Converts a `Result` of the `via` type to the return type (nothing without `via`).
macro_rules! map_via {
    ($e:expr;) => {
        $e
    };
    ($e:expr; $via:ty) => {
        $e.map(<$via as $crate::modules::Via>::into_out)
    };
}

/// The future of an async module method: the run's own future, or one converting its result
/// by the `via` type.
macro_rules! map_via_async {
    ($fut:ident;) => {
        $fut
    };
    ($fut:ident; $via:ty) => {
        async move { $fut.await.map(<$via as $crate::modules::Via>::into_out) }
    };
}

/// Surface: one builder function per entry (`commands::module_build::json::set(...) -> Cmd`).
macro_rules! mod_builders {
    ($($tt:tt)*) => { parse_module_entries!(mod_builders_impl [] $($tt)*); };
}
macro_rules! mod_builders_impl {
    ([] $(
        { $(#[$attr:meta])* } $name:literal $method:ident { $($g:ident : $gb:path),* } ( $($p:ident : $pt:ty),* ) ($ret:ty) ($($via:ty)?)
        [ $($arg:expr),* ] { $($ks:tt)* } { $($flag:ident)|* } { $($shape:tt)* }
    )*) => {$(
        $(#[$attr])*
        #[inline]
        pub fn $method($($p: $pt),*) -> Cmd {
            static SPEC: $crate::commands::CommandSpec = spec_of!($name { $($ks)* } { $($flag)|* } { $($shape)* } { });
            #[allow(unused_mut, reason = "fires only for commands without arguments")]
            let mut cmd = Cmd::with_spec(&SPEC);
            $( cmd.arg(&$arg); )*
            cmd
        }
    )*};
}

/// Surface: a slice of every entry's spec.
macro_rules! mod_spec_items {
    ($($tt:tt)*) => { parse_module_entries!(mod_spec_items_impl [] $($tt)*) };
}
macro_rules! mod_spec_items_impl {
    ([] $(
        { $(#[$attr:meta])* } $name:literal $method:ident { $($g:ident : $gb:path),* } ( $($p:ident : $pt:ty),* ) ($ret:ty) ($($via:ty)?)
        [ $($arg:expr),* ] { $($ks:tt)* } { $($flag:ident)|* } { $($shape:tt)* }
    )*) => {
        &[ $( spec_of!($name { $($ks)* } { $($flag)|* } { $($shape)* } { }) ),* ]
    };
}

/// Surface: a slice of every entry's `(method name, command name)`.
macro_rules! mod_method_items {
    ($($tt:tt)*) => { parse_module_entries!(mod_method_items_impl [] $($tt)*) };
}
macro_rules! mod_method_items_impl {
    ([] $(
        { $(#[$attr:meta])* } $name:literal $method:ident { $($g:ident : $gb:path),* } ( $($p:ident : $pt:ty),* ) ($ret:ty) ($($via:ty)?)
        [ $($arg:expr),* ] { $($ks:tt)* } { $($flag:ident)|* } { $($shape:tt)* }
    )*) => {
        &[ $( (stringify!($method), $name) ),* ]
    };
}

/// Surface: methods returning `Result<T>` at once, on an accessor with
/// `fn run<T: FromValue>(&self, cmd: Cmd) -> Result<T>` (the blocking client).
macro_rules! mod_immediate {
    ($mode:ident $path:ident $($tt:tt)*) => {
        parse_module_entries!(mod_immediate_impl [$mode $path] $($tt)*);
    };
}
macro_rules! mod_immediate_impl {
    ([plain $path:ident] $(
        { $(#[$attr:meta])* } $name:literal $method:ident { $($g:ident : $gb:path),* } ( $($p:ident : $pt:ty),* ) ($ret:ty) ($($via:ty)?)
        [ $($arg:expr),* ] { $($ks:tt)* } { $($flag:ident)|* } { $($shape:tt)* }
    )*) => {$(
        $(#[$attr])*
        ///
        /// # Errors
        /// A connection or timeout error, an error reply, or a reply that does not convert to the
        /// requested type.
        #[inline]
        pub fn $method<$($g: $gb),*>(&self, $($p: $pt),*) -> $crate::Result<$ret> {
            map_via!(self.run::<run_ty!($ret; $($via)?)>(
                $crate::commands::module_build::$path::$method($($p),*)); $($via)?)
        }
    )*};
    ([bound $path:ident] $(
        { $(#[$attr:meta])* } $name:literal $method:ident { $($g:ident : $gb:path),* } ( $p0:ident : $pt0:ty $(, $p:ident : $pt:ty)* ) ($ret:ty) ($($via:ty)?)
        [ $($arg:expr),* ] { $($ks:tt)* } { $($flag:ident)|* } { $($shape:tt)* }
    )*) => {$(
        $(#[$attr])*
        ///
        /// # Errors
        /// A connection or timeout error, an error reply, or a reply that does not convert to the
        /// requested type.
        #[inline]
        pub fn $method<$($g: $gb),*>(&self, $($p: $pt),*) -> $crate::Result<$ret> {
            map_via!(self.run::<run_ty!($ret; $($via)?)>(
                $crate::commands::module_build::$path::$method(self.bound(), $($p),*)); $($via)?)
        }
    )*};
}

/// Surface: methods returning a `Send` future, on an accessor with
/// `fn run<'a, T: FromValue + 'a>(&'a self, cmd: Cmd) -> impl Future<Output = Result<T>> + Send + 'a`
/// (the async client). The command is built before the future is returned.
macro_rules! mod_async {
    ($mode:ident $path:ident $($tt:tt)*) => {
        parse_module_entries!(mod_async_impl [$mode $path] $($tt)*);
    };
}
macro_rules! mod_async_impl {
    ([plain $path:ident] $(
        { $(#[$attr:meta])* } $name:literal $method:ident { $($g:ident : $gb:path),* } ( $($p:ident : $pt:ty),* ) ($ret:ty) ($($via:ty)?)
        [ $($arg:expr),* ] { $($ks:tt)* } { $($flag:ident)|* } { $($shape:tt)* }
    )*) => {$(
        $(#[$attr])*
        ///
        /// # Errors
        /// A connection or timeout error, an error reply, or a reply that does not convert to the
        /// requested type.
        #[inline]
        pub fn $method<'b, $($g: $gb + Send + 'b),*>(&'b self, $($p: $pt),*)
            -> impl ::std::future::Future<Output = $crate::Result<$ret>> + Send + 'b {
            let fut = self.run::<run_ty!($ret; $($via)?)>(
                $crate::commands::module_build::$path::$method($($p),*));
            map_via_async!(fut; $($via)?)
        }
    )*};
    ([bound $path:ident] $(
        { $(#[$attr:meta])* } $name:literal $method:ident { $($g:ident : $gb:path),* } ( $p0:ident : $pt0:ty $(, $p:ident : $pt:ty)* ) ($ret:ty) ($($via:ty)?)
        [ $($arg:expr),* ] { $($ks:tt)* } { $($flag:ident)|* } { $($shape:tt)* }
    )*) => {$(
        $(#[$attr])*
        ///
        /// # Errors
        /// A connection or timeout error, an error reply, or a reply that does not convert to the
        /// requested type.
        #[inline]
        pub fn $method<'b, $($g: $gb + Send + 'b),*>(&'b self, $($p: $pt),*)
            -> impl ::std::future::Future<Output = $crate::Result<$ret>> + Send + 'b {
            let fut = self.run::<run_ty!($ret; $($via)?)>(
                $crate::commands::module_build::$path::$method(self.bound(), $($p),*));
            map_via_async!(fut; $($via)?)
        }
    )*};
}

/// Surface: methods that queue the command on the pipeline behind the accessor and return the
/// pipeline, so calls chain (`p.json().set(..).bf().add(..)`).
macro_rules! mod_queued {
    ($mode:ident $path:ident $($tt:tt)*) => {
        parse_module_entries!(mod_queued_impl [$mode $path] $($tt)*);
    };
}
macro_rules! mod_queued_impl {
    ([plain $path:ident] $(
        { $(#[$attr:meta])* } $name:literal $method:ident { $($g:ident : $gb:path),* } ( $($p:ident : $pt:ty),* ) ($ret:ty) ($($via:ty)?)
        [ $($arg:expr),* ] { $($ks:tt)* } { $($flag:ident)|* } { $($shape:tt)* }
    )*) => {$(
        $(#[$attr])*
        #[inline]
        pub fn $method(self, $($p: $pt),*) -> &'a mut P {
            self.queue($crate::commands::module_build::$path::$method($($p),*))
        }
    )*};
    ([bound $path:ident] $(
        { $(#[$attr:meta])* } $name:literal $method:ident { $($g:ident : $gb:path),* } ( $p0:ident : $pt0:ty $(, $p:ident : $pt:ty)* ) ($ret:ty) ($($via:ty)?)
        [ $($arg:expr),* ] { $($ks:tt)* } { $($flag:ident)|* } { $($shape:tt)* }
    )*) => {$(
        $(#[$attr])*
        #[inline]
        pub fn $method(self, $($p: $pt),*) -> &'a mut P {
            let cmd = $crate::commands::module_build::$path::$method(self.bound(), $($p),*);
            self.queue(cmd)
        }
    )*};
}
