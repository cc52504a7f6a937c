//! Feeds arbitrary bytes to the RESP decoder, whole and in two chunks: it must never panic, and
//! both ways must agree; and each frame read element by element (`Frame::for_each_flat`, whose
//! fast loop skips the general parser) must give the elements of the frame's `Value`.
//! Run with `scripts/fuzz.sh decode <seconds>` (stable Rust).
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use oxredis::resp::{Decoder, DecoderLimits, FlatElement};
use oxredis::Value;

/// Small limits, so that the fuzzer reaches them.
const LIMITS: DecoderLimits = DecoderLimits {
    max_depth: 64,
    max_bulk_len: 1 << 16,
    max_elements: 1 << 12,
};

/// Every frame in `data`: when `for_each_flat` reads it, its elements are the `Value`'s.
fn check_flat(data: &[u8]) {
    let mut decoder = Decoder::new(LIMITS);
    let mut buf = BytesMut::from(data);
    while let Ok(Some(frame)) = decoder.decode_frame(&mut buf) {
        let mut seen = Vec::new();
        let done = frame.for_each_flat(|element| {
            seen.push(match element {
                FlatElement::Bulk { payload, frame } => Value::Bulk(frame.slice_ref(payload)),
                FlatElement::Other(v) => v,
            });
            Ok(())
        });
        let value = frame.into_value().expect("a scanned frame builds");
        match (done, value) {
            (None, _) => {}
            (Some(r), Value::Array(items) | Value::Set(items)) => {
                r.expect("the callback never fails");
                assert_eq!(format!("{seen:?}"), format!("{items:?}"));
            }
            (Some(_), other) => panic!("for_each_flat read a non-aggregate: {other:?}"),
        }
    }
}

/// Debug renderings, so NaN doubles compare equal to themselves.
fn decode_all(chunks: &[&[u8]]) -> Vec<String> {
    let mut decoder = Decoder::new(LIMITS);
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
    check_flat(data);
});
