//! Conversion of replies into the caller's Rust types.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasher, Hash};

use bytes::Bytes;

use crate::reply::to_double;
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
    fn from_string_reply(_bytes: &Bytes) -> Option<Vec<Self>> {
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
        int_from_value!(@impl $t, fn from_string_reply(bytes: &Bytes) -> Option<Vec<u8>> {
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
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: Value) -> Result<Self> {
        match prepare(value)? {
            Value::Nil => Ok(None),
            v => T::from_value(v).map(Some),
        }
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
}
