//! The command table: every Redis command declared once.
//!
//! Each group file (`strings.rs`, `keys.rs`...) defines a macro that hands its entries to a
//! *surface* macro. A surface turns each entry into methods: the blocking client, pipelines, the
//! async client and the spec table ([`COMMANDS`]) are all generated from the same entries, so a
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
//! - `keys(...)`: where the keys are, as in `COMMAND INFO` (`first, last, step`), or
//!   `keys(numkeys N)` when argument N holds the number of keys that follow it;
//! - `flags(...)`: [`CommandFlags`] names; `reply(...)`: a [`ReplyShape`] when not `Plain`.

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
mod pubsub;

pub mod options;

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
        pubsub_commands!($surface);
    };
}

/// Static facts about a command: name, flags, where its keys are, how its reply is normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandSpec {
    /// The command's words as sent, e.g. `GET` or `CONFIG GET`.
    pub name: &'static str,
    /// Read-only, write, blocking...
    pub flags: CommandFlags,
    /// Positions of the keys among the arguments.
    pub keys: KeySpec,
    /// How the reply is normalised.
    pub reply: ReplyShape,
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
    /// Changes connection state (SELECT, CLIENT SETNAME...): must not run on a pooled connection
    /// without care.
    pub const CONN_STATE: CommandFlags = CommandFlags(1 << 4);

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
}

impl KeySpec {
    /// Indices of the keys in `args` (argument 0 is the command name).
    pub fn key_indices(&self, args: &[&[u8]]) -> impl Iterator<Item = usize> {
        let n = args.len() as i64;
        let (first, last, step) = match *self {
            KeySpec::Unknown | KeySpec::None => (1, 0, 1),
            KeySpec::Range { first, last, step } => {
                let last = if last < 0 {
                    n + i64::from(last)
                } else {
                    i64::from(last)
                };
                (i64::from(first), last.min(n - 1), i64::from(step.max(1)))
            }
            KeySpec::NumKeys { numkeys } => {
                let count = args
                    .get(numkeys)
                    .and_then(|a| std::str::from_utf8(a).ok())
                    .and_then(|s| s.parse::<i64>().ok())
                    .unwrap_or(0);
                let first = numkeys as i64 + 1;
                (first, (first + count - 1).min(n - 1), 1)
            }
        };
        (first..=last)
            .step_by(step as usize)
            .filter(move |&i| i >= 1 && i < n)
            .map(|i| i as usize)
    }
}

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
        pubsub_commands!(spec_items),
    ];
    GROUPS.iter().flat_map(|g| g.iter())
}

/// One function per command that builds its [`Cmd`](crate::Cmd); every surface calls these.
pub mod build {
    #![allow(missing_docs)]
    use crate::cmd::{Flag, ScoreFirst, ToArgs};
    use crate::commands::options::*;
    #[allow(unused_imports)]
    use crate::Cmd;
    all_commands!(builders);
    #[allow(dead_code)]
    fn _uses(_: Flag, _: ScoreFirst<'_, u8>) {}
}
