//! Decodes arbitrary bytes into replies and runs each through every reply normalisation and
//! typed conversion: data from the server must give a value or an error, never a panic.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use oxredis::resp::{Decoder, DecoderLimits};

fuzz_target!(|data: &[u8]| {
    let limits = DecoderLimits {
        max_depth: 32,
        max_bulk_len: 1 << 14,
        max_elements: 1 << 10,
    };
    let mut decoder = Decoder::new(limits);
    let mut buf = BytesMut::from(data);
    while let Ok(Some(value)) = decoder.decode(&mut buf) {
        oxredis::fuzzing::normalize_and_convert(&value);
    }
});
