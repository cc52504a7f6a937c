//! Calls of the hyperloglog group's methods, each with the reply it must give.

use super::*;

pub(crate) fn hyperloglog(r: &Client) {
    // 1 when a register changed; small cardinalities are counted exactly.
    check!(r.pfadd("{t}h1", ["a", "b", "c"]) => 1);
    check!(r.pfadd("{t}h1", ["a"]) => 0);
    check!(r.pfadd("{t}h2", ["c", "d"]) => 1);
    // No elements: creates an empty HyperLogLog (1), or changes nothing (0).
    check!(r.pfadd("empty", Vec::<&str>::new()) => 1);
    check!(r.pfadd("empty", Vec::<&str>::new()) => 0);
    check!(r.pfcount(["empty"]) => 0);
    check!(r.pfcount(["{t}h1"]) => 3);
    check!(r.pfcount(["{t}h1", "{t}h2"]) => 4);
    check!(r.pfcount(["{t}nope"]) => 0);
    check!(r.pfcount(["{t}h1", "{t}nope"]) => 3);
    check!(r.pfmerge("{t}h3", ["{t}h1", "{t}h2"]) => true);
    check!(r.pfcount(["{t}h3"]) => 4);
    // Merging into an existing key keeps its own elements.
    check!(r.pfadd("{t}h4", ["x"]) => 1);
    check!(r.pfmerge("{t}h4", ["{t}h1", "{t}nope"]) => true);
    check!(r.pfcount(["{t}h4"]) => 4);
    check!(r.pfmerge("{t}h5", ["{t}nope"]) => true);
    check!(r.pfcount(["{t}h5"]) => 0);
    // Binary-safe elements.
    check!(r.pfadd("hb", [b"\0\xff".as_slice(), b"\0\xfe".as_slice()]) => 1);
    check!(r.pfcount(["hb"]) => 2);

    // A small HyperLogLog is sparse; TODENSE converts it (1) once (0 after).
    check!(r.pfdebug::<String>("ENCODING", "{t}h1") => "sparse");
    check!(r.pfdebug::<String>("ENCODING", "{t}h2") => "sparse");
    check!(r.pfdebug::<i64>("TODENSE", "{t}h2") => 1);
    check!(r.pfdebug::<i64>("TODENSE", "{t}h2") => 0);
    check!(r.pfdebug::<String>("ENCODING", "{t}h2") => "dense");
    check!(r.pfcount(["{t}h2"]) => 2);
    // GETREG: the 16384 registers; three elements set at most three of them (to run lengths
    // of at most 51). It converts a sparse HyperLogLog to dense as a side effect.
    let regs = call!(r.pfdebug::<Vec<i64>>("GETREG", "{t}h1"));
    assert_eq!(regs.len(), 16384);
    let set: Vec<i64> = regs.iter().copied().filter(|&r| r != 0).collect();
    assert!((1..=3).contains(&set.len()), "{set:?}");
    assert!(set.iter().all(|r| (1..=51).contains(r)), "{set:?}");
    check!(r.pfdebug::<String>("ENCODING", "{t}h1") => "dense");
    check!(r.pfdebug::<i64>("TODENSE", "{t}h1") => 0);
    check!(r.pfcount(["{t}h1"]) => 3);
    check!(r.pfdebug::<Vec<i64>>("GETREG", "{t}h1") => regs);
    fails!(r.pfdebug::<String>("ENCODING", "{t}nope") => "ERR");
    fails!(r.pfdebug::<String>("NOSUCH", "{t}h1") => "ERR");
    check!(r.pfselftest() => true);

    check!(r.set("{t}str", "not an hll") => true);
    fails!(r.pfadd("{t}str", ["a"]) => "WRONGTYPE");
    fails!(r.pfcount(["{t}str"]) => "WRONGTYPE");
    fails!(r.pfmerge("{t}h3", ["{t}str"]) => "WRONGTYPE");
    check!(r.lpush("list", ["x"]) => 1);
    fails!(r.pfcount(["list"]) => "WRONGTYPE");
}
