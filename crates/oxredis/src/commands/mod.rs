//! The command table: every Redis command declared once.
//!
//! Each group file (`strings.rs`, `keys.rs`...) defines a macro that hands its entries to a
//! *surface* macro. A surface turns each entry into methods: the blocking client, pipelines, the
//! async client and the spec table ([`command_specs`]) are all generated from the same entries, so a
//! command is written in exactly one place.
//!
//! An entry reads:
//! ```text
//! /// Doc comment, shown on every surface.
//! "GET" get<T>(key: impl ToArgs) -> T = [key]; keys(1, 1, 1) flags(READONLY);
//! ```
//! - `"GET"`: the command's words, written first (`"CONFIG GET"` writes two arguments);
//! - `get<T>(...) -> T`: the method; type parameters are bound by `FromValue`;
//! - `= [key]`: the remaining arguments, each an expression implementing [`ToArgs`](crate::ToArgs);
//! - `keys(...)`: where the keys are (a [`KeySpec`]; positions count the command's words):
//!   - `keys(first, last, step)` as in `COMMAND INFO` (`keys(1, -1, 1)`: every argument);
//!   - `keys(numkeys N)` when argument N holds the number of keys that follow it (EVAL, LMPOP);
//!   - `keys(numkeys N pairs)`: argument N holds the number of `key value` pairs that follow
//!     it (MSETEX);
//!   - `keys(dest numkeys N)`: a destination key at 1, then `numkeys N` (ZUNIONSTORE);
//!   - `keys(fixed F keyword "STORE" | "STOREDIST" from S One|Half|Rest)`: keys `1..=F`, plus the
//!     keys after a keyword searched from position S (negative: backwards from the end), as
//!     Redis 7's keyword key specs (SORT, GEORADIUS, XREAD ... STREAMS, MIGRATE ... KEYS);
//!   - omitted: no keys.
//! - `flags(...)`: [`CommandFlags`] names (READONLY/WRITE/BLOCKING mirror `COMMAND INFO`, which the
//!   tests check); `reply(...)`: a `ReplyShape` when not `Plain`, e.g. `reply(ScoredPairs)` or
//!   `reply(Deep(ACL_USER))` with a `Schema` static of `reply.rs`.
//! - `route(...)`: for commands without keys, which cluster nodes a cluster client sends it to
//!   by default and how their replies combine: a [`NodeFlag`], optionally followed by an
//!   [`Aggregate`] (`route(DefaultNode, Sum)`; the default is [`Aggregate::PerNode`]). The
//!   values are redis-py's `COMMAND_FLAGS` and `RESULT_CALLBACKS`. Commands with keys go to the
//!   node of their keys' slot and need none; a keyless command without one goes to a random
//!   primary (redis-py 8's default for keyless commands). `route(split, Sum)` on a keyed
//!   command splits it per slot when its keys span several (DEL, EXISTS, TOUCH, UNLINK).
//!
//! Optional tokens go in option builders ([`options`]); an option type may also change the reply
//! shape when it changes the reply (`WITHSCORES`, ZADD's `INCR`).
//!
//! Adding a command is one entry in its group file (plus an options type if it has options), and
//! one checked call in `tests/commands/<group>.rs`, whose coverage test fails for a method never
//! called (per generated method, see [`command_methods`]).

#[macro_use]
mod macros;
#[macro_use]
mod strings;
#[macro_use]
mod keys;
#[macro_use]
mod hashes;
#[macro_use]
mod lists;
#[macro_use]
mod sets;
#[macro_use]
mod sorted_sets;
#[macro_use]
mod server;
#[macro_use]
mod bitmaps;
#[macro_use]
mod streams;
#[macro_use]
mod geo;
#[macro_use]
mod hyperloglog;
#[macro_use]
mod scripting;
#[macro_use]
mod connection;
#[macro_use]
mod acl;
#[macro_use]
mod cluster;
#[macro_use]
mod pubsub;
#[macro_use]
mod sentinel;
#[macro_use]
mod module_macros;
#[cfg(feature = "json")]
#[macro_use]
mod json;
#[macro_use]
mod bloom;
#[macro_use]
mod search;
#[macro_use]
mod timeseries;

mod client_options;
mod geo_options;
pub mod options;
mod stream_options;
mod zset_options;

use crate::reply::ReplyShape;

/// Hands every command entry of every group to the surface macro `$surface`.
macro_rules! all_commands {
    ($surface:ident) => {
        string_commands!($surface);
        key_commands!($surface);
        hash_commands!($surface);
        list_commands!($surface);
        set_commands!($surface);
        sorted_set_commands!($surface);
        server_commands!($surface);
        bitmap_commands!($surface);
        stream_commands!($surface);
        geo_commands!($surface);
        hyperloglog_commands!($surface);
        scripting_commands!($surface);
        connection_commands!($surface);
        acl_commands!($surface);
        cluster_commands!($surface);
        pubsub_commands!($surface);
        sentinel_commands!($surface);
    };
}

/// Static facts about a command: name, flags, where its keys are, how its reply is normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CommandSpec {
    /// The command's words as sent, e.g. `GET` or `CONFIG GET`.
    pub name: &'static str,
    /// Read-only, write, blocking...
    pub flags: CommandFlags,
    /// Positions of the keys among the arguments.
    pub keys: KeySpec,
    /// How the reply is normalised.
    pub(crate) reply: ReplyShape,
    /// Where a cluster client sends it and how replies from several nodes combine.
    pub(crate) route: RoutePolicy,
    /// The name's words already RESP-encoded as bulk strings (`$3\r\nGET\r\n`), computed at
    /// compile time, so building a command copies them instead of splitting and formatting.
    pub(crate) wire: &'static [u8],
    /// How many words the name has (arguments written by `wire`).
    pub(crate) words: usize,
}

impl CommandSpec {
    /// Where a cluster client sends this command by default, and how it combines replies from
    /// several nodes (from the entry's `route(...)`).
    ///
    /// ```
    /// use oxredis::commands::{command_specs, Aggregate, NodeFlag};
    /// let dbsize = command_specs().find(|s| s.name == "DBSIZE").unwrap();
    /// assert_eq!(dbsize.route_policy().target, Some(NodeFlag::DefaultNode));
    /// assert_eq!(dbsize.route_policy().aggregate, Aggregate::Sum);
    /// ```
    pub fn route_policy(&self) -> RoutePolicy {
        self.route
    }
}

/// The cluster nodes a keyless command goes to: redis-py's node flags (`RedisCluster.PRIMARIES`
/// and so on), which a caller may also pass as `target_nodes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NodeFlag {
    /// The client's default node, one node (redis-py `DEFAULT_NODE`).
    DefaultNode,
    /// Every primary (redis-py `PRIMARIES`).
    Primaries,
    /// Every replica (redis-py `REPLICAS`).
    Replicas,
    /// Every node (redis-py `ALL_NODES`).
    AllNodes,
    /// One random primary; a random node for a read-only command when reads may go to
    /// replicas (redis-py `RANDOM`, and its default for keyless commands).
    Random,
    /// The primary of the slot given as the first argument after the command's words
    /// (redis-py `SLOT_ID`: CLUSTER COUNTKEYSINSLOT, CLUSTER GETKEYSINSLOT...).
    SlotId,
}

/// How a command's replies from several nodes combine into one (redis-py's
/// `RESULT_CALLBACKS`). With a single target node its reply is returned as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Aggregate {
    /// A map from node (`host:port`) to its reply (redis-py's default).
    PerNode,
    /// The sum of the integer replies (DBSIZE, WAIT, PUBSUB NUMPAT).
    Sum,
    /// Success when every node succeeded (PING, CONFIG SET, SCRIPT FLUSH...).
    AllOk,
    /// The nodes' lists concatenated (KEYS, PUBSUB CHANNELS).
    Concat,
    /// `(channel, count)` pairs summed per channel (PUBSUB NUMSUB, PUBSUB SHARDNUMSUB).
    SumPerChannel,
    /// 1 when any node answered more than 0 (CLIENT UNBLOCK).
    AnyPositive,
    /// Per position, true when every node answered true (SCRIPT EXISTS).
    AllPerPosition,
    /// Any one node's reply, the nodes agreeing (SCRIPT LOAD's SHA1).
    One,
    /// A cursor per node and the keys merged (SCAN).
    Scan,
}

/// A command's cluster routing, declared next to its key spec in the command table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RoutePolicy {
    /// Where a keyless command goes; `None`: by its keys' slot, or a random primary when it
    /// has none.
    pub target: Option<NodeFlag>,
    /// How replies from several nodes combine.
    pub aggregate: Aggregate,
    /// Whether a command whose keys span several slots is split into one command per slot
    /// (their replies combined by `aggregate`) instead of failing with `CROSSSLOT`: redis-py's
    /// DEL, EXISTS, TOUCH and UNLINK in a cluster.
    pub split: bool,
}

impl RoutePolicy {
    /// Routed by its keys (the default).
    pub const KEYS: RoutePolicy = RoutePolicy {
        target: None,
        aggregate: Aggregate::PerNode,
        split: false,
    };
}

/// Command flags, a small bit set mirroring `COMMAND INFO`'s flags that a client acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CommandFlags(u16);

impl CommandFlags {
    /// No flags.
    pub const NONE: CommandFlags = CommandFlags(0);
    /// Only reads data (safe to retry, may go to replicas).
    pub const READONLY: CommandFlags = CommandFlags(1);
    /// Writes data.
    pub const WRITE: CommandFlags = CommandFlags(1 << 1);
    /// May block the connection (BLPOP, XREAD BLOCK...).
    pub const BLOCKING: CommandFlags = CommandFlags(1 << 2);
    /// Administrative or connection-level command without keys, sent to any node.
    pub const ADMIN: CommandFlags = CommandFlags(1 << 3);
    /// Changes connection state (CLIENT SETNAME, CLIENT REPLY...): must not run on a pooled
    /// connection without care. Commands without it cost one bit test in
    /// `Cmd::connection_state_effect`; those with it are
    /// judged by their arguments there.
    pub const CONN_STATE: CommandFlags = CommandFlags(1 << 4);
    /// The reply may be kept by client-side caching ([`cache`](crate::cache)): a read-only
    /// command whose reply depends only on its keys' values (redis-py's `DEFAULT_ALLOW_LIST`).
    /// Not a `COMMAND INFO` flag: the client's own decision, declared in the entry.
    pub const CACHEABLE: CommandFlags = CommandFlags(1 << 5);

    /// Union of two flag sets.
    pub const fn union(self, other: CommandFlags) -> CommandFlags {
        CommandFlags(self.0 | other.0)
    }

    /// Whether every flag of `other` is set.
    pub const fn contains(self, other: CommandFlags) -> bool {
        self.0 & other.0 == other.0
    }
}

/// Where a command's keys are among its arguments (argument 0 is the command name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySpec {
    /// Not declared (commands built by hand).
    Unknown,
    /// No keys.
    None,
    /// Keys at `first`, `first + step`... up to `last` (negative: counted from the end, `-1` last).
    Range {
        /// First key position.
        first: i32,
        /// Last key position; negative counts from the end.
        last: i32,
        /// Distance between keys.
        step: i32,
    },
    /// Argument `numkeys` holds how many keys follow it (EVAL, ZUNION, LMPOP...).
    NumKeys {
        /// Position of the count.
        numkeys: usize,
    },
    /// Argument `numkeys` holds how many `key value` pairs follow it (MSETEX): the keys are
    /// every other argument after it.
    NumKeyPairs {
        /// Position of the count.
        numkeys: usize,
    },
    /// A destination key at 1, then `numkeys` as in [`NumKeys`](Self::NumKeys)
    /// (ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE).
    DestNumKeys {
        /// Position of the count.
        numkeys: usize,
    },
    /// Keys found after a keyword, as Redis 7's `keyword` key specs (XREAD ... STREAMS k1 k2 id1
    /// id2, GEORADIUS ... STORE k, SORT ... STORE k, MIGRATE ... KEYS k1 k2), plus fixed keys
    /// `1..=fixed` before it.
    Keyword {
        /// Keys at positions `1..=fixed` (0: none).
        fixed: i32,
        /// The keywords, any of which introduces keys (e.g. `STORE` and `STOREDIST`).
        keywords: &'static [&'static str],
        /// Where the search starts: a position searched forwards, or negative, counted from the
        /// end and searched backwards.
        startfrom: i32,
        /// Which arguments after the keyword are keys.
        find: KeywordKeys,
    },
}

/// Which arguments after a [`KeySpec::Keyword`] keyword are keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeywordKeys {
    /// The one argument right after it (`STORE key`).
    One,
    /// The first half of the remaining arguments (`STREAMS k1 k2 id1 id2`).
    Half,
    /// Every remaining argument (`KEYS k1 k2`).
    Rest,
}

impl KeySpec {
    /// Indices of the keys in `args` (argument 0 is the command name).
    pub fn key_indices(&self, args: &[&[u8]]) -> impl Iterator<Item = usize> {
        let n = args.len() as i64;
        let mut fixed = 1..1;
        let (first, last, step) = match *self {
            KeySpec::Unknown | KeySpec::None => (1, 0, 1),
            KeySpec::Range { first, last, step } => {
                let last = if last < 0 {
                    n + i64::from(last)
                } else {
                    i64::from(last)
                };
                (i64::from(first), last, i64::from(step.max(1)))
            }
            KeySpec::NumKeys { .. } => self.bounds(args),
            KeySpec::NumKeyPairs { numkeys } => {
                let (first, last, _) = KeySpec::NumKeys { numkeys }.bounds(args);
                // `count` pairs span `2 * count` arguments from `first`.
                (first, first + 2 * (last - first + 1) - 1, 2)
            }
            KeySpec::DestNumKeys { numkeys } => {
                fixed = 1..2;
                KeySpec::NumKeys { numkeys }.bounds(args)
            }
            KeySpec::Keyword {
                fixed: f,
                keywords,
                startfrom,
                find,
            } => {
                fixed = 1..i64::from(f) + 1;
                let is_kw = |i: i64| {
                    let a = args[i as usize];
                    keywords
                        .iter()
                        .any(|k| a.eq_ignore_ascii_case(k.as_bytes()))
                };
                let found = if startfrom >= 0 {
                    (i64::from(startfrom)..n).find(|&i| is_kw(i))
                } else {
                    (1..=n + i64::from(startfrom)).rev().find(|&i| is_kw(i))
                };
                match (found, find) {
                    (None, _) => (1, 0, 1),
                    (Some(k), KeywordKeys::One) => (k + 1, k + 1, 1),
                    (Some(k), KeywordKeys::Half) => (k + 1, k + (n - k - 1) / 2, 1),
                    (Some(k), KeywordKeys::Rest) => (k + 1, n - 1, 1),
                }
            }
        };
        // The arms above need not clamp to `args`: this filter keeps every index inside it.
        fixed
            .chain((first..=last).step_by(step as usize))
            .filter(move |&i| i >= 1 && i < n)
            .map(|i| i as usize)
    }

    /// `(first, last, step)` of a [`NumKeys`](Self::NumKeys) spec for `args`.
    fn bounds(&self, args: &[&[u8]]) -> (i64, i64, i64) {
        let n = args.len() as i64;
        let KeySpec::NumKeys { numkeys } = *self else {
            return (1, 0, 1);
        };
        // The count is the caller's argument: any i64 (`EVAL s 9223372036854775807 k`), kept
        // to what the arguments can hold so `first + count` cannot overflow.
        let count = args
            .get(numkeys)
            .and_then(|a| std::str::from_utf8(a).ok())
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0)
            .clamp(0, n);
        let first = numkeys as i64 + 1;
        (first, first + count - 1, 1)
    }
}

mod table;
pub use table::{
    build, command_methods, command_specs, module_build, module_methods, module_specs,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::options::*;

    #[test]
    fn flags_are_distinct_bits_and_combine_as_a_set() {
        let all = [
            CommandFlags::READONLY,
            CommandFlags::WRITE,
            CommandFlags::BLOCKING,
            CommandFlags::ADMIN,
            CommandFlags::CONN_STATE,
            CommandFlags::CACHEABLE,
        ];
        for (i, a) in all.iter().enumerate() {
            assert_eq!(a.0.count_ones(), 1, "{a:?} is one bit");
            for b in &all[i + 1..] {
                assert!(!a.contains(*b) && !b.contains(*a), "{a:?} vs {b:?}");
            }
            assert_eq!(a.union(*a), *a, "a union is idempotent");
            assert!(CommandFlags::NONE.union(*a).contains(*a));
            assert!(!CommandFlags::NONE.contains(*a));
            assert!(a.contains(CommandFlags::NONE));
        }
        let rw = CommandFlags::READONLY.union(CommandFlags::BLOCKING);
        assert!(rw.contains(CommandFlags::READONLY) && rw.contains(CommandFlags::BLOCKING));
        assert!(!rw.contains(CommandFlags::WRITE));
        assert!(!rw.contains(CommandFlags::READONLY.union(CommandFlags::WRITE)));
    }

    fn keys_of(cmd: &crate::Cmd) -> Vec<String> {
        cmd.keys()
            .into_iter()
            .map(|k| String::from_utf8_lossy(k).into_owned())
            .collect()
    }

    #[test]
    fn keyword_key_specs_find_keys_after_the_keyword() {
        let xread = build::xread(&[("a", "0"), ("b", "1")], &XReadOptions::default().count(1));
        assert_eq!(keys_of(&xread), ["a", "b"]);
        let three = build::xread(
            &[("a", "0"), ("b", "1"), ("c", "2")],
            &XReadOptions::default().count(1).block(5),
        );
        assert_eq!(keys_of(&three), ["a", "b", "c"]);
        let one = build::xread(&[("only", "$")], &XReadOptions::default());
        assert_eq!(keys_of(&one), ["only"]);
        // A stream named like the keyword does not confuse the forward search.
        let xg = build::xreadgroup("g", "c", &[("STREAMS", ">")], &XReadOptions::default());
        assert_eq!(keys_of(&xg), ["STREAMS"]);
        let sort = build::sort("src", &SortOptions::default().get("#").store("dst"));
        assert_eq!(keys_of(&sort), ["src", "dst"]);
        let mig = build::migrate("h", 1, ["k1", "k2"], 0, 5, &MigrateOptions::default());
        assert_eq!(keys_of(&mig), ["k1", "k2"]);
        let geo = build::georadius(
            "g",
            1.0,
            2.0,
            3.0,
            GeoUnit::M,
            &GeoRadiusOptions::default().store("d", true),
        );
        assert_eq!(keys_of(&geo), ["g", "d"]);
    }

    #[test]
    fn range_key_specs_count_from_either_end_with_their_step() {
        // keys(1, -1, 1): every argument.
        assert_eq!(keys_of(&build::mget(["a", "b", "c"])), ["a", "b", "c"]);
        // keys(1, -1, 2): every other argument (MSET k v k v).
        assert_eq!(keys_of(&build::mset([("a", "1"), ("b", "2")])), ["a", "b"]);
        // keys(1, -2, 1): all but the last (BLPOP k1 k2 timeout).
        assert_eq!(keys_of(&build::blpop(["a", "b"], 1.0)), ["a", "b"]);
        // keys(1, 2, 1): two fixed positions.
        assert_eq!(keys_of(&build::rename("a", "b")), ["a", "b"]);
        assert_eq!(keys_of(&build::get("k")), ["k"]);
        // A fixed last position past the arguments stops at the last one.
        let mut short = crate::Cmd::with_spec(build::rename("a", "b").spec());
        short.arg("only");
        assert_eq!(keys_of(&short), ["only"]);
        // No keys.
        assert!(keys_of(&build::dbsize()).is_empty());
        let spec = KeySpec::Range {
            first: 2,
            last: -2,
            step: 1,
        };
        let args: [&[u8]; 5] = [b"CMD", b"x", b"k1", b"k2", b"y"];
        assert_eq!(spec.key_indices(&args).collect::<Vec<_>>(), [2, 3]);
        let every_third = KeySpec::Range {
            first: 1,
            last: -1,
            step: 3,
        };
        let args: [&[u8]; 8] = [b"C", b"a", b"1", b"2", b"b", b"3", b"4", b"c"];
        assert_eq!(
            every_third.key_indices(&args).collect::<Vec<_>>(),
            [1, 4, 7]
        );
    }

    /// `spec`'s key positions in `args`, a command written as words.
    fn positions(spec: KeySpec, args: &[&str]) -> Vec<usize> {
        let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        spec.key_indices(&args).collect()
    }

    #[test]
    fn every_key_spec_form_gives_its_key_positions() {
        let range = |first, last, step| KeySpec::Range { first, last, step };
        // No keys, or not declared.
        assert!(positions(KeySpec::None, &["PING", "x"]).is_empty());
        assert!(positions(KeySpec::Unknown, &["X", "a", "b"]).is_empty());
        // Fixed positions (RENAME a b, GET k).
        assert_eq!(positions(range(1, 2, 1), &["RENAME", "a", "b"]), [1, 2]);
        assert_eq!(positions(range(1, 1, 1), &["GET", "k", "x"]), [1]);
        // A positive last past the arguments stops at the last argument.
        assert_eq!(positions(range(1, 2, 1), &["RENAME", "a"]), [1]);
        // A last of 0 is before the first key: none (it does not count from the end).
        assert!(positions(range(1, 0, 1), &["CMD", "a", "b"]).is_empty());
        // Negative last counts from the end: -1 is the last argument, -2 the one before.
        assert_eq!(
            positions(range(1, -1, 1), &["MGET", "a", "b", "c"]),
            [1, 2, 3]
        );
        assert_eq!(
            positions(range(1, -2, 1), &["BLPOP", "a", "b", "5"]),
            [1, 2]
        );
        assert_eq!(
            positions(range(1, -3, 1), &["C", "a", "b", "c", "x", "y"]),
            [1, 2, 3]
        );
        // A negative last before `first` gives no key.
        assert!(positions(range(2, -3, 1), &["C", "a", "b", "c"]).is_empty());
        // Step: every other argument (MSET k v k v), every third.
        assert_eq!(
            positions(range(1, -1, 2), &["MSET", "a", "1", "b", "2"]),
            [1, 3]
        );
        assert_eq!(
            positions(range(1, -1, 3), &["C", "a", "1", "2", "b", "3", "4", "c"]),
            [1, 4, 7]
        );
        assert_eq!(
            positions(range(2, -2, 2), &["C", "x", "a", "1", "b", "2", "y"]),
            [2, 4]
        );
        // numkeys N: the count at N, the keys right after it (EVAL s 2 k1 k2 a).
        let numkeys = KeySpec::NumKeys { numkeys: 2 };
        assert_eq!(
            positions(numkeys, &["EVAL", "s", "2", "k1", "k2", "a"]),
            [3, 4]
        );
        assert!(positions(numkeys, &["EVAL", "s", "0", "a"]).is_empty());
        // A count larger than the arguments sent stops at the last one; no count, no keys.
        assert_eq!(positions(numkeys, &["EVAL", "s", "5", "k1"]), [3]);
        assert!(positions(numkeys, &["EVAL", "s"]).is_empty());
        assert!(positions(numkeys, &["EVAL", "s", "x", "k1"]).is_empty());
        // numkeys N pairs: every other argument of the count's pairs (MSETEX 3 k v k v k v EX 5).
        let pairs = KeySpec::NumKeyPairs { numkeys: 1 };
        assert_eq!(
            positions(
                pairs,
                &["MSETEX", "3", "a", "1", "b", "2", "c", "3", "EX", "5"]
            ),
            [2, 4, 6]
        );
        assert_eq!(
            positions(pairs, &["MSETEX", "1", "a", "1", "NX", "EX", "5"]),
            [2]
        );
        // dest numkeys N: the destination at 1, then the counted keys (ZUNIONSTORE d 2 a b).
        let dest = KeySpec::DestNumKeys { numkeys: 2 };
        assert_eq!(
            positions(
                dest,
                &["ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"]
            ),
            [1, 3, 4]
        );
        assert_eq!(positions(dest, &["ZUNIONSTORE", "d", "3", "a"]), [1, 3]);
    }

    #[test]
    fn numkeys_counts_at_the_ends_of_i64_neither_overflow_nor_index_past_the_arguments() {
        // Written by hand (`execute_command`), the count can be any number; a cluster client
        // routes by these positions.
        let max = i64::MAX.to_string();
        let min = i64::MIN.to_string();
        let numkeys = KeySpec::NumKeys { numkeys: 2 };
        assert_eq!(positions(numkeys, &["EVAL", "s", &max, "k1", "k2"]), [3, 4]);
        assert!(positions(numkeys, &["EVAL", "s", &min, "k1"]).is_empty());
        assert!(positions(numkeys, &["EVAL", "s", "-1", "k1"]).is_empty());
        let dest = KeySpec::DestNumKeys { numkeys: 2 };
        assert_eq!(positions(dest, &["ZUNIONSTORE", "d", &max, "a"]), [1, 3]);
        assert_eq!(positions(dest, &["ZUNIONSTORE", "d", &min, "a"]), [1]);
        let pairs = KeySpec::NumKeyPairs { numkeys: 1 };
        assert_eq!(positions(pairs, &["MSETEX", &max, "a", "1", "b"]), [2, 4]);
        assert!(positions(pairs, &["MSETEX", &min, "a", "1"]).is_empty());
    }

    #[test]
    fn keyword_key_specs_stop_at_the_last_argument() {
        let store = KeySpec::Keyword {
            fixed: 1,
            keywords: &["STORE", "STOREDIST"],
            startfrom: 6,
            find: KeywordKeys::One,
        };
        let geo = ["GEORADIUS", "g", "1", "2", "3", "m"];
        assert_eq!(
            positions(store, &[&geo[..], &["STORE", "d"]].concat()),
            [1, 7]
        );
        assert_eq!(
            positions(store, &[&geo[..], &["storedist", "d"]].concat()),
            [1, 7]
        );
        // The keyword as the last argument names no key (COMMAND GETKEYS: only `g`).
        assert_eq!(positions(store, &[&geo[..], &["STORE"]].concat()), [1]);
        assert_eq!(positions(store, &geo), [1]);
        // Searched backwards from the end (SORT src ... STORE dst).
        let sort = KeySpec::Keyword {
            fixed: 1,
            keywords: &["STORE"],
            startfrom: -2,
            find: KeywordKeys::One,
        };
        assert_eq!(positions(sort, &["SORT", "s", "STORE", "d"]), [1, 3]);
        assert_eq!(positions(sort, &["SORT", "s", "LIMIT", "0", "1"]), [1]);
        // The first half of what follows the keyword; an odd count rounds down, as Redis's
        // `range` key spec with `limit 2` does (COMMAND GETKEYS XREAD STREAMS a b 0: `a`).
        let streams = KeySpec::Keyword {
            fixed: 0,
            keywords: &["STREAMS"],
            startfrom: 1,
            find: KeywordKeys::Half,
        };
        assert_eq!(
            positions(streams, &["XREAD", "STREAMS", "a", "b", "0", "1"]),
            [2, 3]
        );
        assert_eq!(
            positions(streams, &["XREAD", "STREAMS", "a", "b", "0"]),
            [2]
        );
        assert_eq!(
            positions(streams, &["XREAD", "COUNT", "1", "STREAMS", "a", "0"]),
            [4]
        );
        assert!(positions(streams, &["XREAD", "STREAMS"]).is_empty());
        // Every argument after the keyword (MIGRATE ... KEYS k1 k2).
        let rest = KeySpec::Keyword {
            fixed: 0,
            keywords: &["KEYS"],
            startfrom: -2,
            find: KeywordKeys::Rest,
        };
        assert_eq!(
            positions(rest, &["MIGRATE", "h", "1", "", "0", "5", "KEYS", "a", "b"]),
            [7, 8]
        );
        assert!(positions(rest, &["MIGRATE", "h", "1", "k", "0", "5"]).is_empty());
        // Fixed keys past the arguments are not reported.
        let two_fixed = KeySpec::Keyword {
            fixed: 2,
            keywords: &["STORE"],
            startfrom: 3,
            find: KeywordKeys::One,
        };
        assert_eq!(positions(two_fixed, &["C", "a"]), [1]);
    }

    #[test]
    fn module_tables_list_every_accessor_with_its_commands() {
        let methods: Vec<_> = module_methods().collect();
        let specs: Vec<(&str, &str)> = module_specs().map(|(acc, s)| (acc, s.name)).collect();
        for expected in [
            ("bf", "create", "BF.RESERVE"),
            ("cf", "add", "CF.ADD"),
            ("cms", "incrby", "CMS.INCRBY"),
            ("topk", "add", "TOPK.ADD"),
            ("tdigest", "create", "TDIGEST.CREATE"),
            ("ft", "search", "FT.SEARCH"),
            ("ts", "add", "TS.ADD"),
        ] {
            assert!(methods.contains(&expected), "{expected:?}");
            assert!(specs.contains(&(expected.0, expected.2)), "{expected:?}");
        }
        // Every method's command has a spec under the same accessor.
        for (acc, method, command) in &methods {
            assert!(
                specs.contains(&(*acc, *command)),
                "{acc}.{method}: {command}"
            );
        }
    }

    #[test]
    fn numkeys_specs_count_their_keys() {
        let z = build::zunionstore(
            "d",
            &["a", "b"],
            &ZAggregateOptions::default().weights(&[1.0, 2.0]),
        );
        assert_eq!(keys_of(&z), ["d", "a", "b"]);
        let e = build::eval("return 1", &["k"], ["arg"]);
        assert_eq!(keys_of(&e), ["k"]);
        let b = build::blmpop(1.0, &["x", "y"], Direction::Left, Some(Count(2)));
        assert_eq!(keys_of(&b), ["x", "y"]);
        let m = build::msetex(
            &[("k1", "v1"), ("k2", "v2")],
            &MSetExOptions::default().expiry(crate::Expiry::Ex(5)),
        );
        assert_eq!(keys_of(&m), ["k1", "k2"]);
        // A destination-key spec on a command cut short (no arguments) finds no key and does
        // not index past the arguments.
        let bare = crate::Cmd::with_spec(z.spec());
        assert!(keys_of(&bare).is_empty());
        let mut dest_only = crate::Cmd::with_spec(z.spec());
        dest_only.arg("d");
        assert_eq!(keys_of(&dest_only), ["d"]);
        let four = build::msetex(
            &[("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")],
            &MSetExOptions::default(),
        );
        assert_eq!(keys_of(&four), ["a", "b", "c", "d"]);
        // A count larger than the arguments sent stops at the last argument.
        let mut short = crate::Cmd::with_spec(m.spec());
        short.arg(3).arg("a").arg("1");
        assert_eq!(keys_of(&short), ["a"]);
    }

    #[test]
    fn options_set_the_reply_shape_they_imply() {
        use crate::reply::ReplyShape;
        let plain = build::zrange_options("z", 0, 1, &ZRangeOptions::default());
        assert_eq!(plain.reply_shape(), ReplyShape::Plain);
        let scored = build::zrange_options("z", 0, 1, &ZRangeOptions::default().withscores());
        assert_eq!(scored.reply_shape(), ReplyShape::ScoredPairs);
        let incr = build::zadd_options("z", &[("m", 1.0)], &ZaddOptions::default().incr());
        assert_eq!(incr.reply_shape(), ReplyShape::Double);
        assert_eq!(format!("{incr:?}"), r#"["ZADD", "z", "INCR", "1.0", "m"]"#);
        // SORT groups: one group per GET pattern, sent as nothing; not with STORE (a count) or
        // a single GET.
        let grouped = SortOptions::default().get("#").get("w_*").groups();
        let sort = build::sort("l", &grouped);
        assert_eq!(sort.reply_shape(), ReplyShape::Groups(2));
        assert_eq!(
            format!("{sort:?}"),
            r##"["SORT", "l", "GET", "#", "GET", "w_*"]"##
        );
        let stored = build::sort("l", &grouped.clone().store("d"));
        assert_eq!(stored.reply_shape(), ReplyShape::Plain);
        let single = build::sort("l", &SortOptions::default().get("#").groups());
        assert_eq!(single.reply_shape(), ReplyShape::Plain);
    }

    #[test]
    fn every_declaration_has_a_name_flags_and_unique_method() {
        for spec in command_specs() {
            assert!(!spec.name.is_empty());
            assert_eq!(spec.name, spec.name.to_uppercase(), "{}", spec.name);
            assert!(
                !(spec.flags.contains(CommandFlags::READONLY)
                    && spec.flags.contains(CommandFlags::WRITE)),
                "{} is both read-only and write",
                spec.name
            );
        }
    }
}
