//! RESP encoder for values (placeholder; being written).
use crate::Value;

/// Appends the RESP3 encoding of `value` to `out`.
pub fn encode_value(_value: &Value, _out: &mut Vec<u8>) {}
