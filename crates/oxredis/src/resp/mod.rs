//! RESP2/RESP3 wire format, with no I/O: an incremental decoder with limits, and an encoder.

mod decode;
mod encode;

pub use decode::{Decoder, DecoderLimits, FlatElement, Frame};
pub use encode::encode_value;

#[cfg(test)]
mod tests;
