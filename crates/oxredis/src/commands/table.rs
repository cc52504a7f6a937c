//! The tables every declaration generates: the specs and method names of the core commands
//! and of the module commands, and the module builders (`module_build`). Kept in a file of
//! their own: the macro expansions here are large, and an edit elsewhere in `commands/mod.rs`
//! would otherwise move their spans and rebuild them all.

use super::CommandSpec;

/// Every declared command's spec, generated from the command table.
pub fn command_specs() -> impl Iterator<Item = &'static CommandSpec> {
    static GROUPS: &[&[CommandSpec]] = &[
        string_commands!(spec_items),
        key_commands!(spec_items),
        hash_commands!(spec_items),
        list_commands!(spec_items),
        set_commands!(spec_items),
        sorted_set_commands!(spec_items),
        server_commands!(spec_items),
        bitmap_commands!(spec_items),
        stream_commands!(spec_items),
        geo_commands!(spec_items),
        hyperloglog_commands!(spec_items),
        scripting_commands!(spec_items),
        connection_commands!(spec_items),
        acl_commands!(spec_items),
        cluster_commands!(spec_items),
        pubsub_commands!(spec_items),
        sentinel_commands!(spec_items),
    ];
    GROUPS.iter().flat_map(|g| g.iter())
}

/// Every method the command table generates, as `(method name, command name)`: one per
/// declaration, so a command declared in several forms (`set`, `set_options`) appears once per
/// form. The same names exist on [`Redis`](crate::Redis), the async client and pipelines.
///
/// ```
/// let methods: Vec<_> = oxredis::commands::command_methods().collect();
/// assert!(methods.contains(&("set_options", "SET")));
/// ```
pub fn command_methods() -> impl Iterator<Item = (&'static str, &'static str)> {
    static GROUPS: &[&[(&str, &str)]] = &[
        string_commands!(method_items),
        key_commands!(method_items),
        hash_commands!(method_items),
        list_commands!(method_items),
        set_commands!(method_items),
        sorted_set_commands!(method_items),
        server_commands!(method_items),
        bitmap_commands!(method_items),
        stream_commands!(method_items),
        geo_commands!(method_items),
        hyperloglog_commands!(method_items),
        scripting_commands!(method_items),
        connection_commands!(method_items),
        acl_commands!(method_items),
        cluster_commands!(method_items),
        pubsub_commands!(method_items),
        sentinel_commands!(method_items),
    ];
    GROUPS.iter().flat_map(|g| g.iter().copied())
}

/// Every declared module command's spec (JSON, Bloom family, Search, TimeSeries), as
/// `(accessor, spec)`: the accessor is redis-py's (`json`, `bf`, `ft`...). Kept apart from
/// [`command_specs`] because a server without the modules knows none of them.
pub fn module_specs() -> impl Iterator<Item = (&'static str, &'static CommandSpec)> {
    static GROUPS: &[(&str, &[CommandSpec])] = &[
        #[cfg(feature = "json")]
        ("json", json_commands!(mod_spec_items)),
        ("bf", bf_commands!(mod_spec_items)),
        ("cf", cf_commands!(mod_spec_items)),
        ("cms", cms_commands!(mod_spec_items)),
        ("topk", topk_commands!(mod_spec_items)),
        ("tdigest", tdigest_commands!(mod_spec_items)),
        ("ft", ft_commands!(mod_spec_items)),
        ("ts", ts_commands!(mod_spec_items)),
    ];
    GROUPS
        .iter()
        .flat_map(|(acc, g)| g.iter().map(move |s| (*acc, s)))
}

/// Every method the module command table generates, as `(accessor, method, command)`, e.g.
/// `("bf", "create", "BF.RESERVE")`: the same names exist behind the accessors of
/// [`Redis`](crate::Redis), the async client and pipelines.
///
/// ```
/// let methods: Vec<_> = oxredis::commands::module_methods().collect();
/// assert!(methods.contains(&("bf", "create", "BF.RESERVE")));
/// ```
pub fn module_methods() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    static GROUPS: &[(&str, &[(&str, &str)])] = &[
        #[cfg(feature = "json")]
        ("json", json_commands!(mod_method_items)),
        ("bf", bf_commands!(mod_method_items)),
        ("cf", cf_commands!(mod_method_items)),
        ("cms", cms_commands!(mod_method_items)),
        ("topk", topk_commands!(mod_method_items)),
        ("tdigest", tdigest_commands!(mod_method_items)),
        ("ft", ft_commands!(mod_method_items)),
        ("ts", ts_commands!(mod_method_items)),
    ];
    GROUPS
        .iter()
        .flat_map(|(acc, g)| g.iter().map(move |(m, c)| (*acc, *m, *c)))
}

/// One builder function per module command, a module per accessor
/// (`module_build::bf::create(...)`); every module surface calls these.
pub mod module_build {
    /// RedisJSON builders.
    #[cfg(feature = "json")]
    pub mod json {
        use crate::cmd::ToArgs;
        use crate::modules::json::*;
        use crate::Cmd;
        use serde::Serialize;
        json_commands!(mod_builders);
    }
    /// Bloom filter builders.
    pub mod bf {
        use crate::cmd::ToArgs;
        use crate::modules::bloom::*;
        use crate::Cmd;
        bf_commands!(mod_builders);
    }
    /// Cuckoo filter builders.
    pub mod cf {
        use crate::cmd::ToArgs;
        use crate::modules::bloom::*;
        use crate::Cmd;
        cf_commands!(mod_builders);
    }
    /// Count-min sketch builders.
    pub mod cms {
        use crate::cmd::ToArgs;
        use crate::commands::options::Counted;
        use crate::Cmd;
        cms_commands!(mod_builders);
    }
    /// Top-K builders.
    pub mod topk {
        use crate::cmd::ToArgs;
        use crate::Cmd;
        topk_commands!(mod_builders);
    }
    /// t-digest builders.
    pub mod tdigest {
        use crate::cmd::ToArgs;
        use crate::commands::options::Counted;
        use crate::modules::bloom::*;
        use crate::Cmd;
        tdigest_commands!(mod_builders);
    }
    /// RediSearch builders; the first argument is the index name.
    pub mod ft {
        use crate::cmd::ToArgs;
        use crate::modules::search::*;
        use crate::Cmd;
        ft_commands!(mod_builders);
    }
    /// RedisTimeSeries builders.
    pub mod ts {
        use crate::cmd::ToArgs;
        use crate::modules::timeseries::*;
        use crate::Cmd;
        ts_commands!(mod_builders);
    }
}

/// One function per command that builds its [`Cmd`](crate::Cmd); every surface calls these.
pub mod build {
    use crate::cmd::{Flag, ScoreFirst, ToArgs};
    use crate::commands::options::*;
    use crate::Cmd;
    all_commands!(builders);
    fn _uses(_: Flag, _: ScoreFirst<'_, u8>) {}
}
