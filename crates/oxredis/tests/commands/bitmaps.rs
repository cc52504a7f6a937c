//! Calls of the bitmaps group's methods, each with the reply it must give.

use super::*;

pub(crate) fn bitmaps(r: &Redis) -> Log {
    let mut log = Log::new();
    l!(log, r.setbit("b", 7, true));
    l!(log, r.setbit("b", 7, true));
    l!(log, r.getbit("b", 7));
    l!(log, r.getbit("b", 100));
    l!(log, r.set("foobar", "foobar"));
    l!(log, r.bitcount("foobar", None));
    l!(
        log,
        r.bitcount(
            "foobar",
            Some(BitRange {
                start: 1,
                end: 1,
                bit: false
            })
        )
    );
    l!(
        log,
        r.bitcount(
            "foobar",
            Some(BitRange {
                start: 5,
                end: 30,
                bit: true
            })
        )
    );
    l!(log, r.bitpos("b", true, None));
    l!(
        log,
        r.bitpos(
            "foobar",
            false,
            Some(BitRange {
                start: 2,
                end: -1,
                bit: false
            })
        )
    );
    l!(log, r.set("k1", "foobar"));
    l!(log, r.set("k2", "abcdef"));
    l!(log, r.bitop(BitOperation::And, "dest", ["k1", "k2"]));
    l!(log, r.get::<Vec<u8>>("dest"));
    l!(log, r.bitop(BitOperation::Not, "dest", ["k1"]));
    let ops = BitFieldOperations::default()
        .set("u8", 0, 200)
        .incrby("u8", 0, 100)
        .get("u8", 0);
    l!(log, r.bitfield::<Vec<i64>>("bf", &ops));
    let sat = BitFieldOperations::default()
        .overflow("SAT")
        .incrby("u8", "#1", 300);
    l!(log, r.bitfield::<Vec<i64>>("bf", &sat));
    let get = BitFieldOperations::default().get("u8", 0).get("i4", 8);
    l!(log, r.bitfield_ro::<Vec<i64>>("bf", &get));
    log
}
