//! Key slots: CRC16-XMODEM of the key (or of its hash tag) modulo 16384.

/// Number of hash slots in a Redis Cluster.
pub const SLOT_COUNT: u16 = 16384;

/// CRC16-XMODEM lookup table (polynomial 0x1021, no reflection), built at compile time.
///
/// Written here rather than taken from the `crc16` crate: that crate's last release is from
/// 2019, and the function is twelve lines. The slot is computed for every keyed command, so it is
/// table-driven (one lookup per byte) rather than bitwise.
static CRC16_TABLE: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = (i as u16) << 8;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

/// CRC16-XMODEM (poly 0x1021, init 0, no reflection, no final xor) of `data`.
pub(crate) fn crc16(data: &[u8]) -> u16 {
    data.iter().fold(0u16, |crc, &b| {
        (crc << 8) ^ CRC16_TABLE[usize::from((crc >> 8) as u8 ^ b)]
    })
}

/// The part of `key` that is hashed: the bytes between the first `{` and the first `}` after
/// it when that span is non-empty, otherwise the whole key.
pub(crate) fn hash_tag(key: &[u8]) -> &[u8] {
    if let Some(open) = memchr::memchr(b'{', key) {
        let rest = &key[open + 1..];
        if let Some(close) = memchr::memchr(b'}', rest) {
            if close > 0 {
                return &rest[..close];
            }
        }
    }
    key
}

/// The cluster hash slot (0..16384) of a key, as the server computes it (`CLUSTER KEYSLOT`):
/// CRC16-XMODEM of the key's hash tag (the bytes between the first `{` and the next `}`, when
/// not empty) or of the whole key, modulo 16384. Keys are binary.
///
/// # Examples
/// ```
/// use oxredis::cluster::key_slot;
/// assert_eq!(key_slot(b"foo"), 12182);
/// // Keys sharing a hash tag share a slot.
/// assert_eq!(key_slot(b"{user1000}.following"), key_slot(b"{user1000}.followers"));
/// ```
pub fn key_slot(key: impl AsRef<[u8]>) -> u16 {
    crc16(hash_tag(key.as_ref())) & (SLOT_COUNT - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc16_xmodem_check_value() {
        assert_eq!(crc16(b"123456789"), 0x31C3);
        assert_eq!(crc16(b""), 0);
        // Cross-check the table against the bitwise definition on every single byte.
        for b in 0..=255u8 {
            let mut crc = u16::from(b) << 8;
            for _ in 0..8 {
                crc = if crc & 0x8000 != 0 {
                    (crc << 1) ^ 0x1021
                } else {
                    crc << 1
                };
            }
            assert_eq!(crc16(&[b]), crc, "byte {b}");
        }
    }

    #[test]
    fn slot_vectors_from_the_cluster_spec() {
        assert_eq!(key_slot("foo"), 12182);
        assert_eq!(key_slot("123456789"), 12739);
        assert_eq!(key_slot("{user1000}.x"), 3443);
        // Empty first tag: the whole key.
        assert_eq!(key_slot("foo{}{bar}"), 8363);
        assert_eq!(key_slot("foo{}{bar}"), crc16(b"foo{}{bar}") & 16383);
        // The tag is `{bar` (first `{`, first `}` after it).
        assert_eq!(key_slot("foo{{bar}}zap"), 4015);
        assert_eq!(key_slot("foo{{bar}}zap"), key_slot("{bar"));
        // Only the first tag counts.
        assert_eq!(key_slot("foo{bar}{zap}"), key_slot("bar"));
        assert_eq!(key_slot("{}foo"), crc16(b"{}foo") & 16383);
        // No closing brace: the whole key.
        assert_eq!(hash_tag(b"foo{bar"), b"foo{bar");
        assert_eq!(hash_tag(b"}{a}"), b"a");
        assert_eq!(key_slot(""), 0);
    }

    #[test]
    fn binary_keys_hash_their_bytes() {
        let key = [0xffu8, 0x00, b'{', 0x80, 0x81, b'}', 0x00];
        assert_eq!(hash_tag(&key), &[0x80, 0x81]);
        assert_eq!(key_slot(key), key_slot([0x80u8, 0x81]));
        assert_eq!(key_slot([0xffu8, 0x00]), crc16(&[0xff, 0x00]) & 16383);
        // Every slot is below 16384.
        for i in 0..2000u32 {
            assert!(key_slot(i.to_le_bytes()) < SLOT_COUNT);
        }
    }
}
