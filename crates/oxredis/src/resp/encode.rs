//! RESP3 encoder for [`Value`]s (used for tests, fakes and round trips).
use crate::Value;

/// Appends the RESP3 encoding of `value` to `out`.
///
/// Every variant has an encoding: [`Value::Nil`] is `_`, errors are `-` lines (or `!` blob errors
/// when the text contains CR or LF), doubles use `inf`/`-inf`/`nan` for non-finite values.
/// Simple strings are written as-is; they must not contain CR or LF.
///
/// # Examples
/// ```
/// use oxredis::resp::encode_value;
/// use oxredis::Value;
/// let mut out = Vec::new();
/// encode_value(&Value::Array(vec![Value::Int(1), Value::Bulk("a".into())]), &mut out);
/// assert_eq!(out, b"*2\r\n:1\r\n$1\r\na\r\n");
/// ```
pub fn encode_value(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Nil => out.extend_from_slice(b"_\r\n"),
        Value::Int(i) => {
            out.push(b':');
            out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        Value::Bulk(b) => blob(b'$', b, out),
        Value::Simple(s) => line(b'+', s, out),
        Value::BigNumber(s) => line(b'(', s, out),
        Value::Error(e) => {
            let text = e.to_string();
            if text.bytes().any(|c| c == b'\r' || c == b'\n') {
                blob(b'!', text.as_bytes(), out);
            } else {
                line(b'-', text.as_bytes(), out);
            }
        }
        Value::Double(d) => {
            out.push(b',');
            if d.is_nan() {
                out.extend_from_slice(b"nan");
            } else if d.is_infinite() {
                out.extend_from_slice(if *d > 0.0 { b"inf" } else { b"-inf" });
            } else {
                out.extend_from_slice(ryu::Buffer::new().format_finite(*d).as_bytes());
            }
            out.extend_from_slice(b"\r\n");
        }
        Value::Boolean(b) => out.extend_from_slice(if *b { b"#t\r\n" } else { b"#f\r\n" }),
        Value::Verbatim { format, text } => {
            header(b'=', text.len() + 4, out);
            out.extend_from_slice(format);
            out.push(b':');
            out.extend_from_slice(text);
            out.extend_from_slice(b"\r\n");
        }
        Value::Array(items) => seq(b'*', items, out),
        Value::Set(items) => seq(b'~', items, out),
        Value::Push(items) => seq(b'>', items, out),
        Value::Map(pairs) => map(b'%', pairs, out),
        Value::Attribute { data, attributes } => {
            map(b'|', attributes, out);
            encode_value(data, out);
        }
    }
}

fn header(ty: u8, len: usize, out: &mut Vec<u8>) {
    out.push(ty);
    out.extend_from_slice(itoa::Buffer::new().format(len).as_bytes());
    out.extend_from_slice(b"\r\n");
}

fn blob(ty: u8, payload: &[u8], out: &mut Vec<u8>) {
    header(ty, payload.len(), out);
    out.extend_from_slice(payload);
    out.extend_from_slice(b"\r\n");
}

fn line(ty: u8, text: &[u8], out: &mut Vec<u8>) {
    out.push(ty);
    out.extend_from_slice(text);
    out.extend_from_slice(b"\r\n");
}

fn seq(ty: u8, items: &[Value], out: &mut Vec<u8>) {
    header(ty, items.len(), out);
    for v in items {
        encode_value(v, out);
    }
}

fn map(ty: u8, pairs: &[(Value, Value)], out: &mut Vec<u8>) {
    header(ty, pairs.len(), out);
    for (k, v) in pairs {
        encode_value(k, out);
        encode_value(v, out);
    }
}
