//! The dynamic reply value: one enum for every RESP2 and RESP3 type.

use bytes::Bytes;

use crate::error::ServerError;

/// A reply from the server, decoded from RESP2 or RESP3.
///
/// Bulk payloads are zero-copy views ([`Bytes`]) into the connection's read buffer.
/// RESP2 nulls (`$-1`, `*-1`) and RESP3 `_` all decode to [`Value::Nil`].
///
/// # Examples
/// ```
/// use oxredis::Value;
/// let v = Value::Array(vec![Value::Int(1), Value::Nil]);
/// assert!(matches!(v, Value::Array(ref items) if items.len() == 2));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Null (`$-1`, `*-1` or `_`).
    Nil,
    /// Integer (`:`).
    Int(i64),
    /// Bulk string (`$`), binary safe.
    Bulk(Bytes),
    /// Simple string (`+`), e.g. `OK`.
    Simple(Bytes),
    /// Array (`*`).
    Array(Vec<Value>),
    /// RESP3 map (`%`), in wire order; RESP3 maps are unordered, so do not rely on it.
    Map(Vec<(Value, Value)>),
    /// RESP3 set (`~`); may contain duplicates per the spec.
    Set(Vec<Value>),
    /// RESP3 double (`,`), including `inf`, `-inf` and `nan`.
    Double(f64),
    /// RESP3 boolean (`#`).
    Boolean(bool),
    /// RESP3 big number (`(`), kept as its decimal digits.
    BigNumber(Bytes),
    /// RESP3 verbatim string (`=`): a three-letter format (`txt`, `mkd`) and the text.
    Verbatim {
        /// The format, e.g. `txt`.
        format: [u8; 3],
        /// The text after the `fmt:` prefix.
        text: Bytes,
    },
    /// RESP3 push (`>`): out-of-band data such as pub/sub messages and invalidations.
    Push(Vec<Value>),
    /// An error reply (`-` or RESP3 blob error `!`). At the top level of a reply the client turns
    /// it into an [`Error`](crate::Error); nested inside an array (EXEC, pipelines) it stays a value.
    Error(ServerError),
    /// A RESP3 attribute (`|`) and the value it annotates.
    Attribute {
        /// The annotated value.
        data: Box<Value>,
        /// The attribute map.
        attributes: Vec<(Value, Value)>,
    },
}

impl Value {
    /// Whether this is [`Value::Nil`].
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// The bytes of a string-like value (bulk, simple, verbatim, big number), if it is one.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bulk(b) | Value::Simple(b) | Value::BigNumber(b) => Some(b),
            Value::Verbatim { text, .. } => Some(text),
            _ => None,
        }
    }

    /// Whether this is the simple string `OK`.
    pub fn is_ok(&self) -> bool {
        matches!(self, Value::Simple(s) if s.as_ref() == b"OK")
    }

    /// A short name of the value's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::Int(_) => "integer",
            Value::Bulk(_) => "bulk string",
            Value::Simple(_) => "simple string",
            Value::Array(_) => "array",
            Value::Map(_) => "map",
            Value::Set(_) => "set",
            Value::Double(_) => "double",
            Value::Boolean(_) => "boolean",
            Value::BigNumber(_) => "big number",
            Value::Verbatim { .. } => "verbatim string",
            Value::Push(_) => "push",
            Value::Error(_) => "error",
            Value::Attribute { .. } => "attribute",
        }
    }

    /// Strips RESP3 attributes, returning the annotated value.
    pub fn without_attributes(self) -> Value {
        match self {
            Value::Attribute { data, .. } => data.without_attributes(),
            other => other,
        }
    }
}
