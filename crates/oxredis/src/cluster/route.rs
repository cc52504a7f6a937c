//! Where a command goes in a cluster, from its one declaration in the command table: the slot
//! of its keys, or the nodes its `route(...)` names.

use super::key_slot;
use crate::cmd::Cmd;
use crate::commands::{CommandFlags, CommandSpec, NodeFlag};
use crate::error::{Error, ErrorKind, Result};

/// Where one command goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// To the node serving this slot; `readonly` commands may go to a replica.
    Slot {
        /// The slot of every key of the command.
        slot: u16,
        /// Whether the command only reads (a replica may serve it).
        readonly: bool,
    },
    /// To the nodes this flag names (keyless commands).
    Nodes(NodeFlag),
    /// Keys in several slots of a command declared `route(split, ...)`: one command per slot
    /// (see `split_by_slot`), replies combined by its aggregate.
    SplitBySlot,
    /// A command the table does not know (built by hand with an unknown name): its keys cannot
    /// be found without asking the server (`COMMAND GETKEYS`).
    Unknown,
}

/// The route of `cmd`: its keys' single slot, the nodes its declaration's `route(...)` names,
/// or a random primary for a keyless command without one (redis-py 8's default).
///
/// # Errors
/// [`ErrorKind::CrossSlot`] when its keys hash to different slots, with the slots named;
/// [`ErrorKind::Data`] when a `SlotId` command's slot argument is missing or not a slot.
pub(crate) fn route(cmd: &Cmd) -> Result<Route> {
    route_as(cmd, cmd.route_spec())
}

/// [`route`] by the declaration `spec` (the command's [`Cmd::route_spec`], looked up once by
/// the caller).
///
/// # Errors
/// As [`route`].
pub(crate) fn route_as(cmd: &Cmd, spec: Option<&'static CommandSpec>) -> Result<Route> {
    let Some(spec) = spec else {
        return Ok(Route::Unknown);
    };
    let args: Vec<&[u8]> = cmd.args().collect();
    let policy = spec.route_policy();
    match policy.target {
        Some(NodeFlag::SlotId) => {
            let slot = args
                .get(spec.words)
                .and_then(|a| std::str::from_utf8(a).ok())
                .and_then(|s| s.parse::<u16>().ok())
                .filter(|&s| s < super::SLOT_COUNT)
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::Data,
                        format!("{}: the first argument must be a slot (0-16383)", spec.name),
                    )
                })?;
            return Ok(Route::Slot {
                slot,
                readonly: false,
            });
        }
        Some(flag) => return Ok(Route::Nodes(flag)),
        None => {}
    }
    let readonly = spec.flags.contains(CommandFlags::READONLY);
    let mut slot = None;
    for i in spec.keys.key_indices(&args) {
        let s = key_slot(args[i]);
        match slot {
            None => slot = Some(s),
            Some(first) if first != s => {
                if policy.split {
                    return Ok(Route::SplitBySlot);
                }
                return Err(Error::new(
                    ErrorKind::CrossSlot,
                    format!(
                        "{}: keys in request don't hash to the same slot ({first} and {s}); \
                         use hash tags ({{...}}) to keep them together",
                        spec.name
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(match slot {
        Some(slot) => Route::Slot { slot, readonly },
        None => Route::Nodes(NodeFlag::Random),
    })
}

/// The one hash slot of `cmd`'s keys, found by its declaration in the command table (also
/// for a command built by hand, by its name): `None` for a keyless command, one the table does
/// not know, or one whose declaration sends it to chosen nodes (`route(...)`). What a client
/// holding a connection of its own to one node (WATCH ... MULTI/EXEC in a cluster) checks
/// before sending a command there.
///
/// # Errors
/// [`ErrorKind::CrossSlot`] when its keys hash to different slots (also for the commands a
/// cluster client would split per slot: DEL, EXISTS...); [`ErrorKind::Data`] when a command
/// that takes a slot has none.
pub fn command_slot(cmd: &Cmd) -> Result<Option<u16>> {
    match route(cmd)? {
        Route::Slot { slot, .. } => Ok(Some(slot)),
        Route::SplitBySlot => Err(Error::new(
            ErrorKind::CrossSlot,
            format!(
                "{}: keys in request don't hash to the same slot; use hash tags ({{...}}) to \
                 keep them together",
                String::from_utf8_lossy(cmd.args().next().unwrap_or_default())
            ),
        )),
        Route::Nodes(_) | Route::Unknown => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::options::*;
    use crate::commands::Aggregate;
    use crate::commands::{build, command_specs, KeySpec};

    fn slot(cmd: &Cmd) -> (u16, bool) {
        match route(cmd).unwrap() {
            Route::Slot { slot, readonly } => (slot, readonly),
            other => panic!("{cmd:?}: expected a slot, got {other:?}"),
        }
    }

    #[test]
    fn command_slot_of_hand_built_commands() {
        let hand = |words: &[&str]| {
            let mut cmd = Cmd::empty();
            for w in words {
                cmd.arg(*w);
            }
            cmd
        };
        assert_eq!(command_slot(&hand(&["GET", "foo"])).unwrap(), Some(12182));
        assert_eq!(
            command_slot(&hand(&["mget", "{t}a", "{t}b"])).unwrap(),
            Some(key_slot("t"))
        );
        assert_eq!(command_slot(&build::get("foo")).unwrap(), Some(12182));
        assert_eq!(command_slot(&hand(&["PING"])).unwrap(), None);
        assert_eq!(command_slot(&hand(&["DBSIZE"])).unwrap(), None);
        assert_eq!(command_slot(&hand(&["NOSUCHCOMMAND", "x"])).unwrap(), None);
        let e = command_slot(&hand(&["MGET", "foo", "123456789"])).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::CrossSlot);
        let e = command_slot(&hand(&["DEL", "foo", "123456789"])).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::CrossSlot);
        assert!(e.to_string().contains("DEL"), "{e}");
        assert_eq!(
            command_slot(&hand(&["DEL", "{x}1", "{x}2"])).unwrap(),
            Some(key_slot("x"))
        );
    }

    #[test]
    fn keyed_commands_go_to_their_keys_slot() {
        assert_eq!(slot(&build::get("foo")), (12182, true));
        assert_eq!(slot(&build::set("foo", "v")), (12182, false));
        assert_eq!(slot(&build::incr("123456789")), (12739, false));
        // Several keys with one hash tag: one slot.
        let mget = build::mget(["{user1000}.a", "{user1000}.b"]);
        assert_eq!(slot(&mget), (3443, true));
        let z = build::zunionstore("{t}d", &["{t}a", "{t}b"], &ZAggregateOptions::default());
        assert_eq!(slot(&z).0, key_slot("t"));
        // EVAL with keys routes by them, not by the script or its arguments.
        let e = build::eval("return 1", &["foo"], ["123456789"]);
        assert_eq!(slot(&e), (12182, false));
        // XREAD: the keys after STREAMS.
        let x = build::xread(&[("foo", "0")], &XReadOptions::default());
        assert_eq!(slot(&x), (12182, true));
    }

    #[test]
    fn keys_in_several_slots_are_a_crossslot_error() {
        let e = route(&build::mget(["foo", "123456789"])).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::CrossSlot);
        assert!(e.to_string().contains("12182 and 12739"), "{e}");
        assert!(e.to_string().contains("MGET"), "{e}");
        let e = route(&build::mset([("{a}1", "x"), ("{b}3", "y")])).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::CrossSlot);
        // DEL, EXISTS, TOUCH, UNLINK split instead (redis-py's cluster does the same).
        assert_eq!(
            route(&build::delete(["{a}1", "{a}2", "{b}3"])).unwrap(),
            Route::SplitBySlot
        );
        for cmd in [
            build::exists(["foo", "123456789"]),
            build::touch(["foo", "123456789"]),
            build::unlink(["foo", "123456789"]),
        ] {
            assert_eq!(route(&cmd).unwrap(), Route::SplitBySlot, "{cmd:?}");
            assert_eq!(cmd.spec().route_policy().aggregate, Aggregate::Sum);
        }
        // In one slot they are not split.
        assert_eq!(slot(&build::delete(["{a}1", "{a}2"])).0, key_slot("a"));
        let e = route(&build::rename("foo", "bar")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::CrossSlot);
    }

    #[test]
    fn keyless_commands_go_where_redis_py_sends_them() {
        let cases: [(Cmd, NodeFlag); 8] = [
            (build::dbsize(), NodeFlag::DefaultNode),
            (build::keys("*"), NodeFlag::DefaultNode),
            (build::ping(), NodeFlag::DefaultNode),
            (build::cluster_info(), NodeFlag::DefaultNode),
            (build::flushdb(), NodeFlag::Primaries),
            (build::flushall(None), NodeFlag::Primaries),
            (build::scan(0, &ScanOptions::default()), NodeFlag::Primaries),
            (build::function_dump(), NodeFlag::Random),
        ];
        for (cmd, flag) in cases {
            assert_eq!(route(&cmd).unwrap(), Route::Nodes(flag), "{cmd:?}");
        }
        // Keyless without a declared target: a random primary (redis-py 8).
        assert_eq!(
            route(&build::echo("hi")).unwrap(),
            Route::Nodes(NodeFlag::Random)
        );
        // EVAL without keys likewise.
        let e = build::eval("return 1", &[] as &[&str], ["a"]);
        assert_eq!(route(&e).unwrap(), Route::Nodes(NodeFlag::Random));
    }

    #[test]
    fn slot_id_commands_route_by_their_slot_argument() {
        assert_eq!(slot(&build::cluster_countkeysinslot(12182)), (12182, false));
        assert_eq!(slot(&build::cluster_getkeysinslot(7, 10)), (7, false));
        let mut bad = Cmd::new("CLUSTER COUNTKEYSINSLOT");
        bad.arg(16384);
        assert_eq!(route(&bad).unwrap_err().kind(), ErrorKind::Data);
    }

    #[test]
    fn hand_built_commands_use_their_declaration() {
        let mut get = Cmd::new("get");
        get.arg("foo");
        assert_eq!(slot(&get), (12182, true));
        let mut cg = Cmd::new("CONFIG GET");
        cg.arg("maxmemory");
        assert_eq!(route(&cg).unwrap(), Route::Nodes(NodeFlag::DefaultNode));
        let mut unknown = Cmd::new("MODULE.CMD");
        unknown.arg("k");
        assert_eq!(route(&unknown).unwrap(), Route::Unknown);
    }

    #[test]
    fn aggregations_are_declared_with_the_route() {
        let policy = |name: &str| {
            command_specs()
                .find(|s| s.name == name)
                .unwrap()
                .route_policy()
        };
        let cases = [
            ("DBSIZE", Aggregate::Sum),
            ("WAIT", Aggregate::Sum),
            ("PUBSUB NUMPAT", Aggregate::Sum),
            ("PING", Aggregate::AllOk),
            ("CONFIG SET", Aggregate::AllOk),
            ("SCRIPT FLUSH", Aggregate::AllOk),
            ("KEYS", Aggregate::Concat),
            ("PUBSUB CHANNELS", Aggregate::Concat),
            ("PUBSUB NUMSUB", Aggregate::SumPerChannel),
            ("CLIENT UNBLOCK", Aggregate::AnyPositive),
            ("SCRIPT EXISTS", Aggregate::AllPerPosition),
            ("SCRIPT LOAD", Aggregate::One),
            ("FLUSHDB", Aggregate::AllOk),
            ("FLUSHALL", Aggregate::AllOk),
            ("FUNCTION LOAD", Aggregate::One),
            ("FUNCTION FLUSH", Aggregate::AllOk),
            ("FUNCTION DELETE", Aggregate::AllOk),
            ("SCAN", Aggregate::Scan),
            ("INFO", Aggregate::PerNode),
            ("GET", Aggregate::PerNode),
        ];
        for (name, aggregate) in cases {
            assert_eq!(policy(name).aggregate, aggregate, "{name}");
        }
        assert_eq!(policy("GET").target, None);
        // Every declaration of a name routes the same way (FLUSHDB has two forms).
        for a in command_specs() {
            for b in command_specs().filter(|b| b.name == a.name) {
                assert_eq!(a.route_policy(), b.route_policy(), "{}", a.name);
            }
        }
        // A command sent to several nodes whose reply is a success flag combines to one flag:
        // a per-node map would not convert to the method's `bool`.
        for s in command_specs() {
            let several = matches!(
                s.route_policy().target,
                Some(NodeFlag::Primaries | NodeFlag::AllNodes | NodeFlag::Replicas)
            );
            if several && s.reply == crate::reply::ReplyShape::OkBool {
                assert_eq!(s.route_policy().aggregate, Aggregate::AllOk, "{}", s.name);
            }
        }
        // A declared target never sits next to keys: those route by slot.
        for s in command_specs() {
            if s.route_policy().target.is_some() {
                assert!(
                    matches!(s.keys, KeySpec::None),
                    "{} has keys and a route",
                    s.name
                );
            }
        }
    }
}
