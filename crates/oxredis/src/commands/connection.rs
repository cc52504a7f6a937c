//! Connection and CLIENT commands. <https://redis.io/commands/?group=connection>
//!
//! Commands flagged `CONN_STATE` change the state of the connection they run on; on a pooled
//! client that is whichever connection the pool hands out, so use them on a client with one
//! connection or through [`Redis::get_connection`](crate::Redis::get_connection). Those declared
//! here change attributes of the connection, not how it answers, so the clients run them; the
//! one form that would (`CLIENT REPLY OFF|SKIP`) is refused on a shared connection, as are the
//! undeclared `SELECT`, `SUBSCRIBE`, `MULTI`... (see [`Cmd::connection_state_effect`](crate::Cmd::connection_state_effect)).

macro_rules! connection_commands {
    ($surface:ident) => { $surface! {
        /// Parsed CLIENT LIST: one map of text fields per connection.
        /// <https://redis.io/commands/client-list>
        "CLIENT LIST" client_list<T>(options: &ClientListOptions) -> T = [options];
            flags(ADMIN) reply(ClientList) route(DefaultNode);

        /// Parsed CLIENT INFO of this connection: a map of text fields.
        /// <https://redis.io/commands/client-info>
        "CLIENT INFO" client_info<T>() -> T = []; flags(ADMIN) reply(ClientInfo) route(DefaultNode);

        /// Kills connections matching filters; how many. <https://redis.io/commands/client-kill>
        "CLIENT KILL" client_kill(filter: &ClientKillFilter) -> i64 = [filter]; flags(ADMIN) route(DefaultNode);

        /// Pauses clients for `timeout_ms` (`write_only`: only writes). <https://redis.io/commands/client-pause>
        "CLIENT PAUSE" client_pause(timeout_ms: u64, write_only: bool) -> bool =
            [timeout_ms, Flag("WRITE", write_only)]; flags(ADMIN) reply(OkBool) route(DefaultNode, AllOk);

        /// Ends a CLIENT PAUSE. <https://redis.io/commands/client-unpause>
        "CLIENT UNPAUSE" client_unpause() -> bool = []; flags(ADMIN) reply(OkBool) route(DefaultNode, AllOk);

        /// Turns client-side caching tracking on or off for this connection.
        /// <https://redis.io/commands/client-tracking>
        "CLIENT TRACKING" client_tracking(on: bool, options: &ClientTrackingOptions) -> bool =
            [if on { "ON" } else { "OFF" }, options]; flags(ADMIN | CONN_STATE) reply(OkBool);

        /// This connection's tracking state as a map. <https://redis.io/commands/client-trackinginfo>
        "CLIENT TRACKINGINFO" client_trackinginfo<T>() -> T = []; flags(ADMIN) reply(Deep(ANY_MAP)) route(DefaultNode);

        /// Client id receiving this connection's invalidations (-1 none, 0 not tracking).
        /// <https://redis.io/commands/client-getredir>
        "CLIENT GETREDIR" client_getredir() -> i64 = []; flags(ADMIN) route(DefaultNode);

        /// With OPTIN/OPTOUT tracking, whether the next command's keys are tracked.
        /// <https://redis.io/commands/client-caching>
        "CLIENT CACHING" client_caching(yes: bool) -> bool = [if yes { "YES" } else { "NO" }];
            flags(ADMIN | CONN_STATE) reply(OkBool);

        /// This connection's name, nil if unset. <https://redis.io/commands/client-getname>
        "CLIENT GETNAME" client_getname<T>() -> T = []; flags(ADMIN) route(DefaultNode);

        /// Names this connection. <https://redis.io/commands/client-setname>
        "CLIENT SETNAME" client_setname(name: impl ToArgs) -> bool = [name];
            flags(ADMIN | CONN_STATE) reply(OkBool) route(DefaultNode, AllOk);

        /// This connection's id. <https://redis.io/commands/client-id>
        "CLIENT ID" client_id() -> i64 = []; flags(ADMIN) route(DefaultNode);

        /// Exempts this connection from eviction. <https://redis.io/commands/client-no-evict>
        "CLIENT NO-EVICT" client_no_evict(on: bool) -> bool = [if on { "ON" } else { "OFF" }];
            flags(ADMIN | CONN_STATE) reply(OkBool);

        /// Keeps this connection's reads from changing the keys' LRU/LFU (TOUCH still does).
        /// Redis 7.2, Valkey 7.2. <https://redis.io/commands/client-no-touch>
        "CLIENT NO-TOUCH" client_no_touch(on: bool) -> bool = [if on { "ON" } else { "OFF" }];
            flags(ADMIN | CONN_STATE) reply(OkBool);

        /// Sets a `lib-name` or `lib-ver` attribute of this connection (the clients send both
        /// when they connect). Redis 7.2, Valkey 7.2. <https://redis.io/commands/client-setinfo>
        "CLIENT SETINFO" client_setinfo(attr: impl ToArgs, value: impl ToArgs) -> bool =
            [attr, value]; flags(ADMIN | CONN_STATE) reply(OkBool) route(DefaultNode);

        /// Sets the reply mode. Only `ON` fits a request/reply client: OFF and SKIP suppress the
        /// reply this method waits for, so the clients and pipelines refuse them with
        /// [`ErrorKind::Data`](crate::ErrorKind::Data). <https://redis.io/commands/client-reply>
        "CLIENT REPLY" client_reply(mode: impl ToArgs) -> bool = [mode];
            flags(ADMIN | CONN_STATE) reply(OkBool) route(DefaultNode);

        /// Unblocks a client blocked in BLPOP, XREAD...; `true` if it was blocked.
        /// <https://redis.io/commands/client-unblock>
        "CLIENT UNBLOCK" client_unblock(client_id: i64, error: bool) -> bool =
            [client_id, Flag("ERROR", error)]; flags(ADMIN) reply(IntBool) route(DefaultNode, AnyPositive);

        /// CLIENT's help text. <https://redis.io/commands/client-help>
        "CLIENT HELP" client_help<T>() -> T = []; flags(ADMIN);

        /// Lets a cluster replica serve reads on this connection. <https://redis.io/commands/readonly>
        "READONLY" readonly() -> bool = []; flags(ADMIN | CONN_STATE) reply(OkBool) route(DefaultNode);

        /// Ends READONLY on this connection. <https://redis.io/commands/readwrite>
        "READWRITE" readwrite() -> bool = []; flags(ADMIN | CONN_STATE) reply(OkBool) route(DefaultNode);

        /// Allows the next command to hit an importing cluster slot. <https://redis.io/commands/asking>
        "ASKING" asking() -> bool = []; flags(ADMIN | CONN_STATE) reply(OkBool);
    } };
}
