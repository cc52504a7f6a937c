//! Conversion of replies into the caller's Rust types.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasher, Hash};

use bytes::Bytes;

use crate::reply::to_double;
use crate::resp::Frame;
use crate::{Error, ErrorKind, Result, Value};

/// A type a reply can be converted into.
///
/// Byte-like types (`Vec<u8>`, [`Bytes`]) take any string reply as is; `String` requires valid
/// UTF-8 and says so when it is not. Numbers parse from integers, doubles and numeric text.
/// `Option<T>` maps nil to `None`. Collections accept RESP2 arrays and RESP3 maps and sets alike.
///
/// # Examples
/// ```
/// use oxredis::{FromValue, Value};
/// let v = Value::Bulk("42".into());
/// assert_eq!(i64::from_value(v.clone()).unwrap(), 42);
/// assert_eq!(String::from_value(v).unwrap(), "42");
/// assert_eq!(Option::<i64>::from_value(Value::Nil).unwrap(), None);
/// ```
pub trait FromValue: Sized {
    /// Converts `value`; a server error value becomes the matching [`Error`].
    fn from_value(value: Value) -> Result<Self>;

    /// Lets `Vec<u8>` take a string reply whole; other types keep the element-wise default.
    #[doc(hidden)]
    fn from_string_reply(_bytes: &[u8]) -> Option<Vec<Self>> {
        None
    }

    /// Converts a bulk-string element of an aggregate reply read straight from its frame
    /// (`payload` is a sub-slice of `frame`); the same as `from_value` of the
    /// [`Value::Bulk`] the decoder would have built, which is the default. Byte and string
    /// types override it to copy the payload without that `Value`.
    #[doc(hidden)]
    fn from_bulk(payload: &[u8], frame: &Bytes) -> Result<Self> {
        Self::from_value(Value::Bulk(frame.slice_ref(payload)))
    }

    /// Converts a whole (not normalised, non-error) reply read straight from its frame,
    /// without building the [`Value`] tree, when the type knows how (`Vec<T>` of a flat array
    /// or set); `None` otherwise, and the caller converts [`Frame::into_value`] as usual.
    #[doc(hidden)]
    fn from_flat_frame(_frame: &Frame) -> Option<Result<Self>> {
        None
    }

    /// Whether this type is a pair (`(K, V)`), so `Vec<(K, V)>` reads a map reply entry by
    /// entry; other element types see a map flattened to `k, v, k, v`.
    #[doc(hidden)]
    const MAP_ENTRY: bool = false;
}

fn mismatch(value: &Value, wanted: &str) -> Error {
    Error::new(
        ErrorKind::Data,
        format!("cannot convert a {} reply to {wanted}", value.type_name()),
    )
}

/// Unwraps attributes and turns error values into errors; the common first step of conversions.
fn prepare(value: Value) -> Result<Value> {
    match value {
        Value::Error(e) => Err(e.into()),
        Value::Attribute { data, .. } => prepare(*data),
        v => Ok(v),
    }
}

impl FromValue for Value {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Error(e) => Err(e.into()),
            v => Ok(v),
        }
    }
}

impl FromValue for () {
    fn from_value(value: Value) -> Result<Self> {
        prepare(value).map(drop)
    }
}

impl FromValue for bool {
    /// Status replies (`OK`, `PONG`), non-zero numbers, `#t` and text other than `0` are true;
    /// nil is false.
    fn from_value(value: Value) -> Result<Self> {
        match prepare(value)? {
            Value::Boolean(b) => Ok(b),
            Value::Int(i) => Ok(i != 0),
            Value::Nil => Ok(false),
            // A status reply (`OK`, `PONG`, `QUEUED`) means success.
            Value::Simple(_) => Ok(true),
            Value::Bulk(s) => Ok(s.as_ref() != b"0" && !s.is_empty()),
            Value::Double(d) => Ok(d != 0.0),
            other => Err(mismatch(&other, "bool")),
        }
    }
}

macro_rules! int_from_value {
    ($t:ty => bytes) => {
        int_from_value!(@impl $t, #[inline] fn from_string_reply(bytes: &[u8]) -> Option<Vec<u8>> {
            Some(bytes.to_vec())
        });
    };
    ($($t:ty),*) => {$( int_from_value!(@impl $t,); )*};
    (@impl $t:ty, $($extra:item)?) => {
        impl FromValue for $t {
            $($extra)?
            fn from_value(value: Value) -> Result<Self> {
                let v = prepare(value)?;
                let n: Option<$t> = match &v {
                    Value::Int(i) => <$t>::try_from(*i).ok(),
                    Value::Boolean(b) => Some(<$t>::from(*b)),
                    Value::Double(d) if d.fract() == 0.0 => {
                        // Exact integral doubles only; the range check is the `try_from`.
                        <$t>::try_from(*d as i128).ok()
                    }
                    other => other
                        .as_bytes()
                        .and_then(|b| std::str::from_utf8(b).ok())
                        .and_then(|s| s.parse().ok()),
                };
                n.ok_or_else(|| mismatch(&v, stringify!($t)))
            }
        }
    };
}
int_from_value!(i8, i16, i32, i64, i128, u16, u32, u64, u128, usize, isize);
int_from_value!(u8 => bytes);

impl FromValue for f64 {
    fn from_value(value: Value) -> Result<Self> {
        to_double(&prepare(value)?)
    }
}

impl FromValue for f32 {
    fn from_value(value: Value) -> Result<Self> {
        Ok(to_double(&prepare(value)?)? as f32)
    }
}

impl FromValue for Bytes {
    fn from_value(value: Value) -> Result<Self> {
        match prepare(value)? {
            Value::Bulk(b) | Value::Simple(b) | Value::BigNumber(b) => Ok(b),
            Value::Verbatim { text, .. } => Ok(text),
            Value::Int(i) => Ok(Bytes::copy_from_slice(
                itoa::Buffer::new().format(i).as_bytes(),
            )),
            Value::Double(d) => Ok(Bytes::from(d.to_string())),
            other => Err(mismatch(&other, "bytes")),
        }
    }
}

impl FromValue for String {
    fn from_value(value: Value) -> Result<Self> {
        let bytes = Bytes::from_value(value)?;
        String::from_utf8(bytes.into()).map_err(|e| {
            Error::with_source(ErrorKind::Data, "reply is not valid UTF-8", e.utf8_error())
        })
    }

    fn from_bulk(payload: &[u8], _frame: &Bytes) -> Result<Self> {
        std::str::from_utf8(payload)
            .map(str::to_owned)
            .map_err(|e| Error::with_source(ErrorKind::Data, "reply is not valid UTF-8", e))
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: Value) -> Result<Self> {
        match prepare(value)? {
            Value::Nil => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }

    fn from_bulk(payload: &[u8], frame: &Bytes) -> Result<Self> {
        T::from_bulk(payload, frame).map(Some)
    }

    fn from_flat_frame(frame: &Frame) -> Option<Result<Self>> {
        T::from_flat_frame(frame).map(|r| r.map(Some))
    }
}

/// Elements of an aggregate reply; a map is flattened to `k, v, k, v`.
fn elements(value: Value, wanted: &str) -> Result<Vec<Value>> {
    match prepare(value)? {
        Value::Array(items) | Value::Set(items) | Value::Push(items) => Ok(items),
        Value::Map(pairs) => Ok(pairs.into_iter().flat_map(|(k, v)| [k, v]).collect()),
        Value::Nil => Ok(Vec::new()),
        other => Err(mismatch(&other, wanted)),
    }
}

/// Key/value pairs of a map reply, or of a flat RESP2 array.
fn pairs(value: Value, wanted: &str) -> Result<Vec<(Value, Value)>> {
    match prepare(value)? {
        Value::Map(pairs) => Ok(pairs),
        Value::Nil => Ok(Vec::new()),
        Value::Array(items) => {
            // Either flat [k, v, k, v] (RESP2) or [[k, v], ...] (e.g. scored pairs).
            if items
                .iter()
                .all(|i| matches!(i, Value::Array(a) if a.len() == 2))
            {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    if let Value::Array(mut kv) = item {
                        let v = kv.pop().unwrap_or(Value::Nil);
                        let k = kv.pop().unwrap_or(Value::Nil);
                        out.push((k, v));
                    }
                }
                return Ok(out);
            }
            if items.len() % 2 != 0 {
                return Err(Error::new(
                    ErrorKind::Data,
                    format!("odd number of elements for {wanted}"),
                ));
            }
            let mut out = Vec::with_capacity(items.len() / 2);
            let mut it = items.into_iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                out.push((k, v));
            }
            Ok(out)
        }
        other => Err(mismatch(&other, wanted)),
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(value: Value) -> Result<Self> {
        let value = prepare(value)?;
        if let Value::Bulk(b) | Value::Simple(b) | Value::Verbatim { text: b, .. } = &value {
            if let Some(v) = T::from_string_reply(b) {
                return Ok(v);
            }
        }
        if let (Value::Map(_), true) = (&value, T::MAP_ENTRY) {
            return pairs(value, "Vec")?
                .into_iter()
                .map(|(k, v)| T::from_value(Value::Array(vec![k, v])))
                .collect();
        }
        elements(value, "Vec")?
            .into_iter()
            .map(T::from_value)
            .collect()
    }

    #[inline]
    fn from_bulk(payload: &[u8], frame: &Bytes) -> Result<Self> {
        match T::from_string_reply(payload) {
            Some(v) => Ok(v),
            None => Self::from_value(Value::Bulk(frame.slice_ref(payload))),
        }
    }

    fn from_flat_frame(frame: &Frame) -> Option<Result<Self>> {
        frame.flat_vec()
    }
}

impl<T: FromValue + Eq + Hash, S: BuildHasher + Default> FromValue for HashSet<T, S> {
    fn from_value(value: Value) -> Result<Self> {
        elements(value, "HashSet")?
            .into_iter()
            .map(T::from_value)
            .collect()
    }
}

impl<T: FromValue + Ord> FromValue for BTreeSet<T> {
    fn from_value(value: Value) -> Result<Self> {
        elements(value, "BTreeSet")?
            .into_iter()
            .map(T::from_value)
            .collect()
    }
}

impl<K: FromValue + Eq + Hash, V: FromValue, S: BuildHasher + Default> FromValue
    for HashMap<K, V, S>
{
    fn from_value(value: Value) -> Result<Self> {
        pairs(value, "HashMap")?
            .into_iter()
            .map(|(k, v)| Ok((K::from_value(k)?, V::from_value(v)?)))
            .collect()
    }
}

impl<K: FromValue + Ord, V: FromValue> FromValue for BTreeMap<K, V> {
    fn from_value(value: Value) -> Result<Self> {
        pairs(value, "BTreeMap")?
            .into_iter()
            .map(|(k, v)| Ok((K::from_value(k)?, V::from_value(v)?)))
            .collect()
    }
}

macro_rules! tuple_from_value {
    (@entry $a:ident $b:ident) => {
        const MAP_ENTRY: bool = true;
    };
    (@entry $($name:ident)+) => {};
    ($n:literal: $($name:ident)+) => {
        impl<$($name: FromValue),+> FromValue for ($($name,)+) {
            tuple_from_value!(@entry $($name)+);

            fn from_value(value: Value) -> Result<Self> {
                let items = elements(value, concat!("a ", $n, "-tuple"))?;
                if items.len() != $n {
                    return Err(Error::new(
                        ErrorKind::Data,
                        format!("expected {} elements, got {}", $n, items.len()),
                    ));
                }
                let mut it = items.into_iter();
                Ok(($($name::from_value(it.next().unwrap_or(Value::Nil))?,)+))
            }
        }
    };
}
tuple_from_value!(1: A);
tuple_from_value!(2: A B);
tuple_from_value!(3: A B C);
tuple_from_value!(4: A B C D);
tuple_from_value!(5: A B C D E);
tuple_from_value!(6: A B C D E F);
tuple_from_value!(7: A B C D E F G);
tuple_from_value!(8: A B C D E F G H);

/// Checks that every string in `value` is valid UTF-8 (the client's `decode_responses` option).
pub(crate) fn check_utf8(value: &Value) -> Result<()> {
    let bad = |b: &[u8]| {
        std::str::from_utf8(b)
            .map(drop)
            .map_err(|e| Error::with_source(ErrorKind::Data, "reply is not valid UTF-8", e))
    };
    match value {
        Value::Bulk(b) | Value::Simple(b) => bad(b),
        Value::Verbatim { text, .. } => bad(text),
        Value::Array(items) | Value::Set(items) | Value::Push(items) => {
            items.iter().try_for_each(check_utf8)
        }
        Value::Map(pairs) => pairs.iter().try_for_each(|(k, v)| {
            check_utf8(k)?;
            check_utf8(v)
        }),
        Value::Attribute { data, .. } => check_utf8(data),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod frame_tests {
    //! A `Vec` read straight from a reply's frame (`finish_frame`) gives exactly what the
    //! `Value` path gives (`finish_reply` then `from_value`), values and errors alike.
    use super::*;
    use crate::conn::{finish_frame, finish_reply};
    use crate::reply::ReplyShape;
    use crate::resp::{Decoder, DecoderLimits, Frame};
    use bytes::BytesMut;

    fn frame(wire: &[u8]) -> Frame {
        let mut buf = BytesMut::from(wire);
        let f = Decoder::default().decode_frame(&mut buf).unwrap().unwrap();
        assert!(buf.is_empty(), "one whole frame");
        f
    }

    /// The frame path's result, after checking the Value path agrees with it.
    fn both<T: FromValue + PartialEq + std::fmt::Debug>(wire: &[u8]) -> Result<T> {
        let fast = finish_frame::<T>(ReplyShape::Plain, frame(wire));
        let slow = frame(wire)
            .into_value()
            .and_then(|v| finish_reply(ReplyShape::Plain, v))
            .and_then(T::from_value);
        match (&fast, &slow) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{wire:?}"),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{wire:?}"),
            _ => panic!("{wire:?}: frame path {fast:?}, value path {slow:?}"),
        }
        fast
    }

    /// The frame path's own contract (the results above match either way): a `Vec` of a flat
    /// array or set is read straight from the frame; a nested one, or a non-`Vec`, is not.
    #[test]
    fn only_a_vec_of_a_flat_aggregate_is_read_from_the_frame() {
        let got = Vec::<String>::from_flat_frame(&frame(b"*2\r\n$1\r\na\r\n:2\r\n"));
        assert_eq!(
            got.transpose().unwrap(),
            Some(vec!["a".to_owned(), "2".to_owned()])
        );
        let got = Option::<Vec<Bytes>>::from_flat_frame(&frame(b"~1\r\n$1\r\nx\r\n"));
        assert_eq!(
            got.transpose().unwrap(),
            Some(Some(vec![Bytes::from_static(b"x")]))
        );
        assert!(Vec::<String>::from_flat_frame(&frame(b"*1\r\n*0\r\n")).is_none());
        assert!(String::from_flat_frame(&frame(b"*1\r\n$1\r\na\r\n")).is_none());
    }

    #[test]
    fn flat_arrays_of_bulk_strings() {
        let wire = b"*3\r\n$1\r\na\r\n$0\r\n\r\n$3\r\nb\x00c\r\n";
        let want: Vec<Vec<u8>> = vec![b"a".to_vec(), b"".to_vec(), b"b\0c".to_vec()];
        assert_eq!(both::<Vec<Vec<u8>>>(wire).unwrap(), want);
        assert_eq!(
            both::<Vec<Bytes>>(wire).unwrap(),
            [&b"a"[..], b"", b"b\0c"].map(Bytes::copy_from_slice)
        );
        assert_eq!(both::<Vec<String>>(wire).unwrap(), ["a", "", "b\0c"]);
        assert_eq!(
            both::<Option<Vec<String>>>(wire).unwrap(),
            Some(vec!["a".to_owned(), String::new(), "b\0c".to_owned()])
        );
        assert_eq!(
            both::<Vec<Value>>(wire).unwrap(),
            [&b"a"[..], b"", b"b\0c"].map(|b| Value::Bulk(Bytes::copy_from_slice(b)))
        );
        // Numbers parse from bulk text and from integer elements alike.
        assert_eq!(
            both::<Vec<i64>>(b"*3\r\n:1\r\n$2\r\n-2\r\n+3\r\n").unwrap(),
            [1, -2, 3]
        );
        assert_eq!(
            both::<Vec<String>>(b"*2\r\n:7\r\n$1\r\nx\r\n").unwrap(),
            ["7", "x"]
        );
    }

    #[test]
    fn nil_and_empty() {
        // RESP2 and RESP3 nil elements.
        let wire = b"*3\r\n$1\r\na\r\n$-1\r\n_\r\n";
        assert_eq!(
            both::<Vec<Option<Vec<u8>>>>(wire).unwrap(),
            [Some(b"a".to_vec()), None, None]
        );
        assert_eq!(
            both::<Vec<Option<String>>>(wire).unwrap(),
            [Some("a".to_owned()), None, None]
        );
        // A nil element as a plain `Vec<u8>` is empty, as it always was.
        assert_eq!(
            both::<Vec<Vec<u8>>>(wire).unwrap(),
            [b"a".to_vec(), Vec::new(), Vec::new()]
        );
        let e = both::<Vec<String>>(wire).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Data);
        assert_eq!(
            both::<Vec<Vec<u8>>>(b"*0\r\n").unwrap(),
            Vec::<Vec<u8>>::new()
        );
        assert_eq!(
            both::<Vec<String>>(b"~0\r\n").unwrap(),
            Vec::<String>::new()
        );
        // A nil array (RESP2 `*-1`, RESP3 `_`).
        assert_eq!(
            both::<Vec<String>>(b"*-1\r\n").unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(both::<Option<Vec<String>>>(b"*-1\r\n").unwrap(), None);
        assert_eq!(both::<Option<Vec<String>>>(b"_\r\n").unwrap(), None);
    }

    #[test]
    fn resp3_sets_streamed_arrays_maps_and_attributes() {
        assert_eq!(
            both::<Vec<String>>(b"~2\r\n$1\r\nx\r\n$1\r\ny\r\n").unwrap(),
            ["x", "y"]
        );
        assert_eq!(
            both::<Vec<String>>(b"*?\r\n$1\r\na\r\n:2\r\n.\r\n").unwrap(),
            ["a", "2"]
        );
        // Not flat: read through the Value, with the same result.
        assert_eq!(
            both::<Vec<String>>(b"%1\r\n$1\r\nk\r\n$1\r\nv\r\n").unwrap(),
            ["k", "v"]
        );
        assert_eq!(
            both::<Vec<Vec<String>>>(b"*2\r\n*1\r\n$1\r\na\r\n*0\r\n").unwrap(),
            [vec!["a".to_owned()], vec![]]
        );
        assert_eq!(
            both::<Vec<String>>(b"*2\r\n$1\r\na\r\n|1\r\n+ttl\r\n:3\r\n$1\r\nb\r\n").unwrap(),
            ["a", "b"]
        );
        assert_eq!(
            both::<Vec<String>>(b"*2\r\n$1\r\na\r\n$?\r\n;1\r\nb\r\n;1\r\nc\r\n;0\r\n").unwrap(),
            ["a", "bc"]
        );
        assert_eq!(
            both::<Vec<Vec<u8>>>(b"*1\r\n=7\r\ntxt:abc\r\n").unwrap(),
            [b"abc".to_vec()]
        );
        // A string reply is one `Vec<u8>`, not a list.
        assert_eq!(both::<Vec<u8>>(b"$2\r\nab\r\n").unwrap(), b"ab");
    }

    #[test]
    fn single_leaf_replies() {
        assert_eq!(
            both::<Option<Vec<u8>>>(b"$3\r\na\x00c\r\n").unwrap(),
            Some(b"a\0c".to_vec())
        );
        assert_eq!(both::<Option<Vec<u8>>>(b"$-1\r\n").unwrap(), None);
        assert_eq!(both::<Option<String>>(b"_\r\n").unwrap(), None);
        assert_eq!(both::<Vec<u8>>(b"$0\r\n\r\n").unwrap(), b"");
        assert_eq!(both::<String>(b"+OK\r\n").unwrap(), "OK");
        assert!(both::<bool>(b"+OK\r\n").unwrap());
        assert_eq!(both::<i64>(b":-12\r\n").unwrap(), -12);
        assert_eq!(both::<i64>(b"$2\r\n42\r\n").unwrap(), 42);
        assert_eq!(both::<f64>(b",1.5\r\n").unwrap(), 1.5);
        assert_eq!(both::<Bytes>(b"=7\r\ntxt:abc\r\n").unwrap(), "abc");
        assert_eq!(both::<String>(b"(123\r\n").unwrap(), "123");
        assert_eq!(
            both::<String>(b"$?\r\n;2\r\nab\r\n;1\r\nc\r\n;0\r\n").unwrap(),
            "abc"
        );
        assert_eq!(
            both::<Value>(b"$5\r\nhello\r\n").unwrap(),
            Value::Bulk(Bytes::from_static(b"hello"))
        );
        let e = both::<Option<String>>(b"-ERR x\r\n").unwrap_err();
        assert_eq!((e.kind(), e.code()), (ErrorKind::Response, Some("ERR")));
        let e = both::<String>(b"!5\r\nERR y\r\n").unwrap_err();
        assert_eq!(e.code(), Some("ERR"));
        let e = both::<String>(b"$1\r\n\xff\r\n").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Data);
    }

    #[test]
    fn errors_are_the_value_paths_errors() {
        // An error reply, and an error element.
        let e = both::<Vec<String>>(b"-WRONGTYPE nope\r\n").unwrap_err();
        assert_eq!(
            (e.kind(), e.code()),
            (ErrorKind::Response, Some("WRONGTYPE"))
        );
        let e = both::<Vec<Vec<u8>>>(b"*2\r\n$1\r\na\r\n-ERR inner\r\n").unwrap_err();
        assert_eq!((e.kind(), e.code()), (ErrorKind::Response, Some("ERR")));
        // Invalid UTF-8: the first bad element fails the whole list.
        let e = both::<Vec<String>>(b"*3\r\n$1\r\na\r\n$1\r\n\xff\r\n$1\r\n\xfe\r\n").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Data);
        assert!(e.to_string().contains("not valid UTF-8"), "{e}");
        let e = both::<Vec<i64>>(b"*2\r\n:1\r\n$1\r\nx\r\n").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Data);
    }

    #[test]
    fn hostile_input_stays_a_typed_error_with_bounded_memory() {
        // A count far beyond the bytes present never completes a frame (nothing is reserved
        // for it), and past the limits it is a protocol error.
        let mut dec = Decoder::default();
        let mut buf = BytesMut::from(&b"*4294967295\r\n$1\r\na\r\n"[..]);
        assert!(dec.decode_frame(&mut buf).unwrap().is_none());
        let limits = DecoderLimits {
            max_elements: 2,
            ..DecoderLimits::default()
        };
        let mut buf = BytesMut::from(&b"*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"[..]);
        let e = Decoder::new(limits).decode_frame(&mut buf).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol);
        let mut buf = BytesMut::from(&b"*2\r\n$1\r\na\r\n$5\r\nb\r\n"[..]);
        assert!(Decoder::default().decode_frame(&mut buf).unwrap().is_none());
        buf.extend_from_slice(b"xxxx\r\n");
        let e = Decoder::default().decode_frame(&mut buf).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        let arr = Value::Array(vec![Value::Bulk("a".into()), Value::Int(2)]);
        let (a, b): (String, i64) = FromValue::from_value(arr.clone()).unwrap();
        assert_eq!((a.as_str(), b), ("a", 2));
        let m: HashMap<String, i64> = FromValue::from_value(arr).unwrap();
        let map = Value::Map(vec![(Value::Bulk("k".into()), Value::Int(1))]);
        let pairs: Vec<(String, i64)> = FromValue::from_value(map.clone()).unwrap();
        assert_eq!(pairs, [("k".to_string(), 1)]);
        let flat: Vec<String> = FromValue::from_value(map).unwrap();
        assert_eq!(flat, ["k", "1"]);
        assert_eq!(m["a"], 2);
        let e = String::from_value(Value::Bulk(Bytes::from_static(b"\xff"))).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Data);
        let e = i64::from_value(Value::Bulk("x".into())).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Data);
        assert!(bool::from_value(Value::Simple("OK".into())).unwrap());
        assert_eq!(
            u8::from_value(Value::Int(300)).unwrap_err().kind(),
            ErrorKind::Data
        );
    }

    fn bulk(s: &str) -> Value {
        Value::Bulk(Bytes::copy_from_slice(s.as_bytes()))
    }

    fn err_value(line: &str) -> Value {
        Value::Error(crate::error::ServerError::from_line(line.as_bytes()))
    }

    fn attr(v: Value) -> Value {
        Value::Attribute {
            data: Box::new(v),
            attributes: vec![(bulk("ttl"), Value::Int(3))],
        }
    }

    #[test]
    fn bool_follows_redis_truthiness() {
        let cases = [
            (Value::Boolean(true), true),
            (Value::Boolean(false), false),
            (Value::Int(0), false),
            (Value::Int(1), true),
            (Value::Int(-1), true),
            (Value::Nil, false),
            (Value::Simple("OK".into()), true),
            (bulk("0"), false),
            (bulk(""), false),
            (bulk("1"), true),
            (bulk("00"), true),
            (bulk("x"), true),
            (Value::Double(0.0), false),
            (Value::Double(0.5), true),
            (attr(Value::Int(0)), false),
        ];
        for (v, want) in cases {
            assert_eq!(bool::from_value(v.clone()).unwrap(), want, "{v:?}");
        }
        let e = bool::from_value(Value::Array(vec![])).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Data);
        assert_eq!(
            e.to_string(),
            "Data error: cannot convert a array reply to bool"
        );
        let e = bool::from_value(err_value("WRONGTYPE bad")).unwrap_err();
        assert_eq!(e.code(), Some("WRONGTYPE"));
    }

    #[test]
    fn unit_accepts_any_reply_but_an_error() {
        assert!(<()>::from_value(Value::Simple("OK".into())).is_ok());
        assert!(<()>::from_value(Value::Nil).is_ok());
        let e = <()>::from_value(err_value("ERR no")).unwrap_err();
        assert_eq!((e.kind(), e.code()), (ErrorKind::Response, Some("ERR")));
        let e = <()>::from_value(attr(err_value("NOPERM no"))).unwrap_err();
        assert_eq!(e.code(), Some("NOPERM"));
    }

    #[test]
    fn integers_from_every_numeric_form_and_range_checked() {
        assert_eq!(i64::from_value(Value::Int(-7)).unwrap(), -7);
        assert_eq!(i64::from_value(bulk("-12")).unwrap(), -12);
        assert_eq!(i64::from_value(Value::Simple("5".into())).unwrap(), 5);
        assert_eq!(i64::from_value(Value::Boolean(true)).unwrap(), 1);
        assert_eq!(i64::from_value(Value::Boolean(false)).unwrap(), 0);
        assert_eq!(i64::from_value(Value::Double(3.0)).unwrap(), 3);
        assert_eq!(i64::from_value(Value::Double(-0.0)).unwrap(), 0);
        assert_eq!(
            i128::from_value(Value::BigNumber(
                "170141183460469231731687303715884105727".into()
            ))
            .unwrap(),
            i128::MAX
        );
        assert_eq!(
            u64::from_value(bulk("18446744073709551615")).unwrap(),
            u64::MAX
        );
        for bad in [
            Value::Double(3.5),
            Value::Double(1e30),
            Value::Double(f64::INFINITY),
            Value::Double(f64::NAN),
            bulk("1.0"),
            bulk("9223372036854775808"),
            Value::Nil,
            Value::Array(vec![]),
        ] {
            let e = i64::from_value(bad.clone()).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Data, "{bad:?}");
        }
        assert_eq!(
            u64::from_value(Value::Int(-1)).unwrap_err().kind(),
            ErrorKind::Data
        );
        assert_eq!(u8::from_value(Value::Int(255)).unwrap(), 255);
        assert_eq!(
            i8::from_value(Value::Int(-129)).unwrap_err().kind(),
            ErrorKind::Data
        );
        assert_eq!(
            i64::from_value(err_value("ERR x")).unwrap_err().kind(),
            ErrorKind::Response
        );
    }

    #[test]
    fn floats_parse_redis_number_text() {
        assert_eq!(f64::from_value(bulk("1.5")).unwrap(), 1.5);
        assert_eq!(f64::from_value(bulk("inf")).unwrap(), f64::INFINITY);
        assert_eq!(f64::from_value(bulk("-inf")).unwrap(), f64::NEG_INFINITY);
        assert_eq!(f64::from_value(Value::Int(3)).unwrap(), 3.0);
        assert_eq!(f64::from_value(Value::Double(-2.25)).unwrap(), -2.25);
        assert_eq!(f32::from_value(bulk("1.5")).unwrap(), 1.5f32);
        assert_eq!(f32::from_value(bulk("0.1")).unwrap(), 0.1f32);
        assert_eq!(f32::from_value(Value::Double(-3.25)).unwrap(), -3.25f32);
        assert_eq!(
            f64::from_value(bulk("x")).unwrap_err().kind(),
            ErrorKind::Data
        );
        assert_eq!(
            f32::from_value(Value::Nil).unwrap_err().kind(),
            ErrorKind::Data
        );
        assert_eq!(
            f32::from_value(err_value("ERR x")).unwrap_err().kind(),
            ErrorKind::Response
        );
    }

    #[test]
    fn bytes_and_strings_from_every_string_form() {
        let b = |v: Value| Bytes::from_value(v).unwrap();
        assert_eq!(b(bulk("a\0b")), Bytes::from_static(b"a\0b"));
        assert_eq!(b(Value::Simple("OK".into())), Bytes::from_static(b"OK"));
        assert_eq!(
            b(Value::BigNumber("123".into())),
            Bytes::from_static(b"123")
        );
        assert_eq!(
            b(Value::Verbatim {
                format: *b"txt",
                text: "hi".into()
            }),
            Bytes::from_static(b"hi")
        );
        assert_eq!(b(Value::Int(-42)), Bytes::from_static(b"-42"));
        assert_eq!(b(Value::Double(1.5)), Bytes::from_static(b"1.5"));
        assert_eq!(b(attr(bulk("x"))), Bytes::from_static(b"x"));
        assert_eq!(
            Bytes::from_value(Value::Nil).unwrap_err().kind(),
            ErrorKind::Data
        );
        assert_eq!(String::from_value(bulk("héllo")).unwrap(), "héllo");
        assert_eq!(String::from_value(Value::Int(7)).unwrap(), "7");
        // A string reply is one Vec<u8> whole, never a list of byte values...
        assert_eq!(Vec::<u8>::from_value(bulk("ab")).unwrap(), b"ab");
        assert_eq!(
            Vec::<u8>::from_value(Value::Simple("OK".into())).unwrap(),
            b"OK"
        );
        // ...while other element types do not read a string reply as a list.
        assert_eq!(
            Vec::<String>::from_value(bulk("x")).unwrap_err().kind(),
            ErrorKind::Data
        );
        assert_eq!(
            Vec::<i64>::from_value(bulk("1")).unwrap_err().kind(),
            ErrorKind::Data
        );
        // A list of byte strings stays a list.
        let list = Value::Array(vec![bulk("a"), bulk("bc")]);
        assert_eq!(
            Vec::<Vec<u8>>::from_value(list).unwrap(),
            vec![b"a".to_vec(), b"bc".to_vec()]
        );
    }

    #[test]
    fn option_maps_nil_to_none_and_keeps_errors() {
        assert_eq!(Option::<i64>::from_value(Value::Nil).unwrap(), None);
        assert_eq!(Option::<i64>::from_value(Value::Int(4)).unwrap(), Some(4));
        assert_eq!(
            Option::<String>::from_value(attr(Value::Nil)).unwrap(),
            None
        );
        let e = Option::<i64>::from_value(err_value("ERR x")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Response);
        let e = Option::<i64>::from_value(bulk("x")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Data);
    }

    #[test]
    fn collections_from_arrays_sets_pushes_and_maps() {
        let set = Value::Set(vec![bulk("b"), bulk("a"), bulk("a")]);
        let hs: HashSet<String> = FromValue::from_value(set.clone()).unwrap();
        assert_eq!(hs, HashSet::from(["a".to_owned(), "b".to_owned()]));
        let bs: BTreeSet<String> = FromValue::from_value(set.clone()).unwrap();
        assert_eq!(bs.into_iter().collect::<Vec<_>>(), ["a", "b"]);
        let v: Vec<String> = FromValue::from_value(set).unwrap();
        assert_eq!(v, ["b", "a", "a"]);
        let push: Vec<String> =
            FromValue::from_value(Value::Push(vec![bulk("message"), bulk("c")])).unwrap();
        assert_eq!(push, ["message", "c"]);
        assert!(Vec::<i64>::from_value(Value::Nil).unwrap().is_empty());
        assert!(BTreeSet::<i64>::from_value(Value::Nil).unwrap().is_empty());
        assert!(HashMap::<String, i64>::from_value(Value::Nil)
            .unwrap()
            .is_empty());
        assert_eq!(
            Vec::<i64>::from_value(Value::Int(1)).unwrap_err().kind(),
            ErrorKind::Data
        );
        assert_eq!(
            HashSet::<i64>::from_value(Value::Int(1))
                .unwrap_err()
                .kind(),
            ErrorKind::Data
        );
        // An element that does not convert fails the whole collection.
        let mixed = Value::Array(vec![Value::Int(1), bulk("x")]);
        assert!(Vec::<i64>::from_value(mixed.clone()).is_err());
        assert!(BTreeSet::<i64>::from_value(mixed.clone()).is_err());
        assert!(HashSet::<i64>::from_value(mixed).is_err());
    }

    #[test]
    fn maps_from_map_flat_pairs_and_nested_pairs() {
        let want = BTreeMap::from([("a".to_owned(), 1), ("b".to_owned(), 2)]);
        let map = Value::Map(vec![(bulk("a"), Value::Int(1)), (bulk("b"), Value::Int(2))]);
        let flat = Value::Array(vec![bulk("a"), Value::Int(1), bulk("b"), Value::Int(2)]);
        let nested = Value::Array(vec![
            Value::Array(vec![bulk("a"), Value::Int(1)]),
            Value::Array(vec![bulk("b"), Value::Int(2)]),
        ]);
        for v in [map.clone(), flat.clone(), nested.clone()] {
            assert_eq!(
                BTreeMap::<String, i64>::from_value(v.clone()).unwrap(),
                want,
                "{v:?}"
            );
            let hm: HashMap<String, i64> = FromValue::from_value(v).unwrap();
            assert_eq!(hm.into_iter().collect::<BTreeMap<_, _>>(), want);
        }
        // A list of pairs reads a map entry by entry, or a list of 2-element lists; a flat
        // list is a list of single values (declared commands normalise flat RESP2 pairs).
        for v in [map, nested] {
            let pairs: Vec<(String, i64)> = FromValue::from_value(v).unwrap();
            assert_eq!(pairs, [("a".to_owned(), 1), ("b".to_owned(), 2)]);
        }
        assert!(Vec::<(String, i64)>::from_value(flat).is_err());
        // An odd flat list is not a list of pairs.
        let odd = Value::Array(vec![bulk("a"), Value::Int(1), bulk("b")]);
        let e = BTreeMap::<String, i64>::from_value(odd.clone()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Data error: odd number of elements for BTreeMap"
        );
        assert!(HashMap::<String, i64>::from_value(odd).is_err());
        assert!(BTreeMap::<String, i64>::from_value(Value::Int(1)).is_err());
        // A value that does not convert fails the map, as does a key.
        let bad = Value::Map(vec![(bulk("a"), bulk("x"))]);
        assert!(BTreeMap::<String, i64>::from_value(bad.clone()).is_err());
        assert!(HashMap::<String, i64>::from_value(bad).is_err());
        let bad_key = Value::Map(vec![(bulk("x"), Value::Int(1))]);
        assert!(BTreeMap::<i64, i64>::from_value(bad_key.clone()).is_err());
        assert!(HashMap::<i64, i64>::from_value(bad_key).is_err());
    }

    #[test]
    fn tuples_need_exactly_their_length() {
        let three = Value::Array(vec![bulk("a"), Value::Int(2), Value::Nil]);
        let t: (String, i64, Option<String>) = FromValue::from_value(three.clone()).unwrap();
        assert_eq!(t, ("a".to_owned(), 2, None));
        let e = <(String, i64)>::from_value(three).unwrap_err();
        assert_eq!(e.to_string(), "Data error: expected 2 elements, got 3");
        let one: (i64,) = FromValue::from_value(Value::Array(vec![Value::Int(9)])).unwrap();
        assert_eq!(one, (9,));
        let eight: (u8, u8, u8, u8, u8, u8, u8, u8) =
            FromValue::from_value(Value::Array((1..=8).map(Value::Int).collect())).unwrap();
        assert_eq!(eight, (1, 2, 3, 4, 5, 6, 7, 8));
        assert!(<(i64, i64)>::from_value(Value::Int(1)).is_err());
    }

    #[test]
    fn check_utf8_looks_into_every_string_of_the_reply() {
        let bad = || Value::Bulk(Bytes::from_static(b"\xff"));
        let good = || bulk("ok");
        let bad_cases = [
            bad(),
            Value::Simple(Bytes::from_static(b"\xfe")),
            Value::Verbatim {
                format: *b"txt",
                text: Bytes::from_static(b"\xff"),
            },
            Value::Array(vec![good(), bad()]),
            Value::Set(vec![bad()]),
            Value::Push(vec![good(), bad()]),
            Value::Map(vec![(bad(), good())]),
            Value::Map(vec![(good(), bad())]),
            attr(bad()),
            Value::Array(vec![Value::Array(vec![bad()])]),
        ];
        for v in bad_cases {
            let e = check_utf8(&v).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Data, "{v:?}");
        }
        let good_cases = [
            good(),
            Value::Int(1),
            Value::Nil,
            Value::Array(vec![good(), Value::Int(2)]),
            Value::Map(vec![(good(), good())]),
            // Big numbers are digits, not text to check.
            Value::BigNumber(Bytes::from_static(b"12")),
        ];
        for v in good_cases {
            assert!(check_utf8(&v).is_ok(), "{v:?}");
        }
    }
}
