//! Calls of the bitmaps group's methods, each with the reply it must give.

use super::*;

fn bytes(start: i64, end: i64) -> Option<BitRange> {
    Some(BitRange {
        start,
        end,
        bit: false,
    })
}

fn bits(start: i64, end: i64) -> Option<BitRange> {
    Some(BitRange {
        start,
        end,
        bit: true,
    })
}

pub(crate) fn bitmaps(r: &Client) {
    // SETBIT answers the old bit; bit 7 is the lowest bit of byte 0.
    check!(r.setbit("b", 7, true) => 0);
    check!(r.setbit("b", 7, true) => 1);
    check!(r.get::<Vec<u8>>("b") => [0x01]);
    check!(r.getbit("b", 7) => 1);
    check!(r.getbit("b", 6) => 0);
    check!(r.getbit("b", 100) => 0);
    check!(r.getbit("{t}nope", 0) => 0);
    // Growing the string zero-fills it.
    check!(r.setbit("b", 23, true) => 0);
    check!(r.get::<Vec<u8>>("b") => [0x01, 0x00, 0x01]);
    check!(r.setbit("b", 23, false) => 1);
    // Offsets stop at 2^32 - 1 (a 512 MB string).
    fails!(r.setbit("b", 1 << 32, true) => "ERR");
    fails!(r.getbit("b", 1 << 32) => "ERR");

    // "foobar": f=0x66 (4 bits set), o=0x6f (6), o (6), b=0x62 (3), a=0x61 (3), r=0x72 (4).
    check!(r.set("foobar", "foobar") => true);
    check!(r.bitcount("foobar", None) => 26);
    check!(r.bitcount("foobar", bytes(0, 0)) => 4);
    check!(r.bitcount("foobar", bytes(1, 1)) => 6);
    check!(r.bitcount("foobar", bytes(-2, -1)) => 7);
    check!(r.bitcount("foobar", bytes(3, 1)) => 0);
    // BIT ranges count bits 5..=30: the redis.io example.
    check!(r.bitcount("foobar", bits(5, 30)) => 17);
    // Bits 0..=3 of 'f' (0110): 2.
    check!(r.bitcount("foobar", bits(0, 3)) => 2);
    // The last 8 bits are 'r'.
    check!(r.bitcount("foobar", bits(-8, -1)) => 4);
    check!(r.bitcount("{t}nope", None) => 0);
    check!(r.bitcount("{t}nope", bits(0, 100)) => 0);

    check!(r.bitpos("b", true, None) => 7);
    check!(r.bitpos("b", false, None) => 0);
    // 'o' = 0110_1111 starts at bit 16 with a 0.
    check!(r.bitpos("foobar", false, bytes(2, -1)) => 16);
    check!(r.bitpos("foobar", true, bytes(2, -1)) => 17);
    // The redis.io examples, on "\x00\xff\xf0".
    check!(r.set("bp", b"\x00\xff\xf0".as_slice()) => true);
    check!(r.bitpos("bp", true, None) => 8);
    check!(r.bitpos("bp", true, bytes(2, -1)) => 16);
    check!(r.bitpos("bp", true, bits(7, 15)) => 8);
    check!(r.bitpos("bp", true, bits(7, -3)) => 8);
    check!(r.bitpos("bp", true, bits(0, 7)) => -1);
    check!(r.bitpos("bp", false, bytes(1, 1)) => -1);
    // Looking for a 0 with no end: past the string counts as zeros.
    check!(r.set("ones", b"\xff\xff\xff".as_slice()) => true);
    check!(r.bitpos("ones", false, None) => 24);
    // With an explicit end, the range really ends there: none found.
    check!(r.bitpos("ones", false, bytes(0, 2)) => -1);
    check!(r.set("tail", b"\xff\xf0\x00".as_slice()) => true);
    check!(r.bitpos("tail", false, None) => 12);
    check!(r.bitpos("{t}nope", true, None) => -1);
    check!(r.bitpos("{t}nope", false, None) => 0);

    // BITOP: the result is as long as the longest source (shorter ones padded with zeros).
    check!(r.set("{t}k1", "foobar") => true);
    check!(r.set("{t}k2", "abcdef") => true);
    check!(r.bitop(BitOperation::And, "{t}dest", ["{t}k1", "{t}k2"]) => 6);
    check!(r.get::<Vec<u8>>("{t}dest") => b"`bc`ab".to_vec());
    check!(r.bitop(BitOperation::Or, "{t}dest", ["{t}k1", "{t}k2"]) => 6);
    check!(r.get::<Vec<u8>>("{t}dest") => b"goofev".to_vec());
    check!(r.bitop(BitOperation::Xor, "{t}dest", ["{t}k1", "{t}k2"]) => 6);
    check!(r.get::<Vec<u8>>("{t}dest") => [0x07, 0x0d, 0x0c, 0x06, 0x04, 0x14]);
    check!(r.bitop(BitOperation::Not, "{t}dest", ["{t}k1"]) => 6);
    check!(r.get::<Vec<u8>>("{t}dest") => [0x99, 0x90, 0x90, 0x9d, 0x9e, 0x8d]);
    check!(r.set("{t}short", b"\xff".as_slice()) => true);
    check!(r.set("{t}long", b"\x0f\x0f".as_slice()) => true);
    check!(r.bitop(BitOperation::Or, "{t}dest", ["{t}short", "{t}long"]) => 2);
    check!(r.get::<Vec<u8>>("{t}dest") => [0xff, 0x0f]);
    check!(r.bitop(BitOperation::And, "{t}dest", ["{t}short", "{t}long"]) => 2);
    check!(r.get::<Vec<u8>>("{t}dest") => [0x0f, 0x00]);
    check!(r.bitop(BitOperation::And, "{t}dest", ["{t}short", "{t}nope"]) => 1);
    check!(r.get::<Vec<u8>>("{t}dest") => [0x00]);
    // Only missing sources: an empty result deletes the destination.
    check!(r.bitop(BitOperation::Or, "{t}dest", ["{t}nope", "{t}nope2"]) => 0);
    check!(r.exists(["{t}dest"]) => 0);
    fails!(r.bitop(BitOperation::Not, "{t}dest", ["{t}k1", "{t}k2"]) => "ERR");

    // BITFIELD: one reply per GET/SET/INCRBY; SET answers the old value; INCRBY wraps by default.
    let ops = BitFieldOperations::default()
        .set("u8", 0, 200)
        .incrby("u8", 0, 100)
        .get("u8", 0);
    check!(r.bitfield::<Vec<i64>>("bf", &ops) => [0, 44, 44]);
    // `#1` is the second u8 (bit 8); SAT stops at the type's bounds.
    let sat = BitFieldOperations::default()
        .overflow("SAT")
        .incrby("u8", "#1", 300)
        .incrby("u8", "#1", -1000);
    check!(r.bitfield::<Vec<i64>>("bf", &sat) => [255, 0]);
    check!(r.bitfield::<Vec<i64>>("bf", &BitFieldOperations::default().overflow("SAT").incrby("u8", "#1", 255)) => [255]);
    // FAIL: nil and no change.
    let fail = BitFieldOperations::default()
        .overflow("FAIL")
        .incrby("u8", 0, 300)
        .incrby("u8", 0, 1);
    check!(r.bitfield::<Vec<Option<i64>>>("bf", &fail) => [None, Some(45)]);
    // Signed WRAP and SAT.
    let signed = BitFieldOperations::default()
        .set("i8", 16, 127)
        .incrby("i8", 16, 1)
        .overflow("SAT")
        .incrby("i8", 16, -200)
        .overflow("WRAP")
        .incrby("i8", 16, -1);
    check!(r.bitfield::<Vec<i64>>("bf", &signed) => [0, -128, -128, 127]);
    check!(r.get::<Vec<u8>>("bf") => [45, 0xff, 0x7f]);
    check!(r.bitfield::<Vec<i64>>("bf", &BitFieldOperations::default()) => Vec::<i64>::new());
    fails!(r.bitfield::<Vec<i64>>("bf", &BitFieldOperations::default().get("u64", 0)) => "ERR");
    // i4 at bit 8 is the high nibble of 0xff: -1.
    let get = BitFieldOperations::default()
        .get("u8", 0)
        .get("i4", 8)
        .get("u4", 12)
        .get("i64", 0);
    check!(r.bitfield_ro::<Vec<i64>>("bf", &get) => [45, -1, 15, 0x2dff_7f00_0000_0000]);
    check!(r.bitfield_ro::<Vec<i64>>("{t}nope", &BitFieldOperations::default().get("u8", 0)) => [0]);
    fails!(r.bitfield_ro::<Vec<i64>>("bf", &BitFieldOperations::default().set("u8", 0, 1)) => "ERR");

    check!(r.lpush("list", ["x"]) => 1);
    fails!(r.getbit("list", 0) => "WRONGTYPE");
    fails!(r.bitcount("list", None) => "WRONGTYPE");
}
