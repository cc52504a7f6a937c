//! Bitmap commands. <https://redis.io/commands/?group=bitmap>

macro_rules! bitmap_commands {
    ($surface:ident) => { $surface! {
        /// Sets the bit at `offset`; the old bit. <https://redis.io/commands/setbit>
        "SETBIT" setbit(key: impl ToArgs, offset: u64, value: bool) -> i64 = [key, offset, value];
            keys(1, 1, 1) flags(WRITE);

        /// The bit at `offset`. <https://redis.io/commands/getbit>
        "GETBIT" getbit(key: impl ToArgs, offset: u64) -> i64 = [key, offset];
            keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// Number of set bits, optionally in a range. <https://redis.io/commands/bitcount>
        "BITCOUNT" bitcount(key: impl ToArgs, range: Option<BitRange>) -> i64 = [key, range];
            keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// Position of the first `bit`, optionally in a range. <https://redis.io/commands/bitpos>
        "BITPOS" bitpos(key: impl ToArgs, bit: bool, range: Option<BitRange>) -> i64 =
            [key, bit, range]; keys(1, 1, 1) flags(READONLY | CACHEABLE);

        /// Bitwise operation between strings stored at `dest`; the result's length.
        /// <https://redis.io/commands/bitop>
        "BITOP" bitop(operation: BitOperation, dest: impl ToArgs, keys: impl ToArgs) -> i64 =
            [operation, dest, keys]; keys(2, -1, 1) flags(WRITE);

        /// Runs BITFIELD sub-operations; one reply per GET/SET/INCRBY. <https://redis.io/commands/bitfield>
        "BITFIELD" bitfield<T>(key: impl ToArgs, operations: &BitFieldOperations) -> T =
            [key, operations]; keys(1, 1, 1) flags(WRITE);

        /// Read-only BITFIELD (GET operations only). <https://redis.io/commands/bitfield_ro>
        "BITFIELD_RO" bitfield_ro<T>(key: impl ToArgs, operations: &BitFieldOperations) -> T =
            [key, operations]; keys(1, 1, 1) flags(READONLY | CACHEABLE);
    } };
}
