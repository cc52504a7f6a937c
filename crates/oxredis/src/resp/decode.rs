//! Incremental RESP decoder (placeholder; being written).
use bytes::BytesMut;

use crate::{Result, Value};

/// Limits that bound what a (possibly hostile) server can make the decoder allocate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecoderLimits {
    /// Deepest nesting of aggregates.
    pub max_depth: usize,
    /// Longest bulk string payload, in bytes.
    pub max_bulk_len: usize,
    /// Most elements in one aggregate.
    pub max_elements: usize,
}

impl Default for DecoderLimits {
    fn default() -> Self {
        DecoderLimits { max_depth: 512, max_bulk_len: 512 * 1024 * 1024, max_elements: 1 << 32 }
    }
}

/// Incremental decoder.
#[derive(Debug, Default)]
pub struct Decoder {
    limits: DecoderLimits,
}

impl Decoder {
    /// A decoder with the given limits.
    pub fn new(limits: DecoderLimits) -> Self {
        Decoder { limits }
    }

    /// Decodes one frame from the front of `buf`, consuming it; `Ok(None)` when more bytes are needed.
    pub fn decode(&mut self, _buf: &mut BytesMut) -> Result<Option<Value>> {
        let _ = self.limits;
        Ok(None)
    }
}
