//! Feeds arbitrary bytes to the RESP decoder, whole and in two chunks: it must never panic, and
//! both ways must agree. Run with `scripts/fuzz.sh decode <seconds>` (stable Rust).
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use oxredis::resp::{Decoder, DecoderLimits};

/// Debug renderings, so NaN doubles compare equal to themselves.
fn decode_all(chunks: &[&[u8]]) -> Vec<String> {
    let limits = DecoderLimits { max_depth: 64, max_bulk_len: 1 << 16, max_elements: 1 << 12 };
    let mut decoder = Decoder::new(limits);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        loop {
            match decoder.decode(&mut buf) {
                Ok(Some(v)) => out.push(format!("{v:?}")),
                Ok(None) => break,
                Err(e) => {
                    out.push(format!("{:?}", e.kind()));
                    return out;
                }
            }
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let whole = decode_all(&[data]);
    let mid = data.len() / 2;
    let split = decode_all(&[&data[..mid], &data[mid..]]);
    assert_eq!(whole, split);
});
